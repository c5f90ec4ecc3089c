"""Names of customer segments: the lexicon's concepts where a column means one, plain words elsewhere.

A column whose name means a concept of ``lexicon.yaml`` (``Annual Income (k$)`` and ``income`` both mean
*income*) takes the lexicon's words ("Affluent", "Young High Spenders"); every other column speaks
through its label ("Cardholders with many cash advance transactions"). Retail words (visits, baskets,
shoppers) come only from columns whose own names say so. What sets a segment apart is measured without
imputed values; an action comes from the lexicon's entry, or from ``actions.yaml`` keyed on what the
segment's leading feature means, or there is none.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import SegmentationError
from ...featureset import FeatureSet
from ...format import YES_NO, capitalised
from ...naming.lexicon import FeatureWords, SegmentName, load_lexicon, name_segments_from_lexicon
from ...naming.masking import masked_scores, observed
from ...separability import MIN_MEMBERS
from ...naming.people import PEOPLE, absent, people, replaces_noun, sexed
from ...naming.words import default_label, feature_phrase, ordinal, phrase, singular
from ...quality import AGE_WORDS
from ...resources import read_data_yaml
from .roles import YES_NO_ABROAD
from .values import level_text

__all__ = ["LEXICON", "canonical_feature", "concept_zscores", "category_zscores", "defining_levels", "name_segments",
           "DEFINING_SHARE", "DEFINING_OVERALL"]

#: The naming lexicon of customer segments.
LEXICON = Path(__file__).with_name("lexicon.yaml")

# concept -> pattern on the lower-cased column name (words separated by spaces); first match wins. The same concepts in
# German, Spanish, French, Portuguese, Italian and Dutch exports ("Jahreseinkommen", "Kunde seit", "edad", "Umsatz 12M"):
# a German table's segments were "Customers with low alter" and "with high jahreseinkommen"
_LAST = r"(?:last|latest|recent|previous|letzte[rnms]?|[úu]ltim[oa]|derni[eè]re?|laatste)"
_CONCEPTS = [
    ("recency", rf"recency|(days|years) since .*\b{_LAST}\b"),
    ("tenure", r"tenure|sign ?up|joined|member since|customer since|registration|(days|years) since|"
               r"(kunde|mitglied) seit|registrierung|anmeldung|cliente desde|client depuis|inscription|klant sinds"),
    ("spending_score", r"spending score|spend score"),
    ("age", rf"\b({'|'.join(sorted(AGE_WORDS))})\b"),
    ("income", r"income|salary|earning|wage|einkommen|\b(monats|jahres|brutto|netto)?gehalt\b|\b(ingresos|salario|"
               r"renda|revenus?|salaire|reddito)\b|inkomen"),
    ("visits", r"visit|trips|\borders\b|purchases per|besuche|bezoeken"),
    ("basket", r"basket|items per|units per|order size|warenkorb|\b(cesta|panier)\b"),
    ("spend", r"spend|spent|revenue|monetary|sales|umsatz|ausgaben|\b(gastos?|ventas|d[ée]penses|spesa)\b|omzet|uitgaven"),
    ("satisfaction", r"satisf|\bcsat\b|zufriedenheit|tevredenheid"),
    ("recommend", r"recommend|promoter|\bnps\b|empfehl|recomend|recommand|aanbevel"),
]
_TRUE_WORDS = {yes for yes, _ in YES_NO} | {"1"}
_FALSE_WORDS = {no for _, no in YES_NO} | {"0"}
#: Yes and no in the other languages roles reads, for a column of two levels only ("ja" may be Japanese, "SI" Slovenia).
_PAIRED_TRUE, _PAIRED_FALSE = {yes for yes, _ in YES_NO_ABROAD}, {no for _, no in YES_NO_ABROAD}


def _words(name: str) -> str:
    return re.sub(r"[\W_]+", " ", str(name).lower()).strip()


def canonical_feature(name: str) -> str | None:
    """The lexicon concept a column stands for (``"income"`` for ``Annual Income (k$)``), or None."""
    text = _words(name)
    for concept, pattern in _CONCEPTS:
        if re.search(pattern, text):
            return concept
    return None


@lru_cache(maxsize=1)
def _lexicon():
    return load_lexicon(LEXICON)


@lru_cache(maxsize=1)
def _actions() -> tuple[tuple[re.Pattern, str | None, str | None], ...]:
    raw, _ = read_data_yaml(Path(__file__).with_name("actions.yaml"), shipped="kinds/customers/actions.yaml",
                            what="actions")
    return tuple((re.compile(a["match"], re.IGNORECASE), a.get("high"), a.get("low")) for a in raw["actions"])


def _rename(columns, labelled=()) -> dict[str, str]:
    """Column -> concept for the first column of each concept; every other column keeps its name, and so
    does a column the params label (the user's words win over the lexicon's). A concept that is another column's name
    is that column's: Mroz's wife's wage ``wagew`` is not renamed ``income`` beside the table's own ``income``."""
    rename, seen = {}, set(columns)
    for col in columns:
        concept = None if col in labelled else canonical_feature(col)
        rename[col] = concept if concept is not None and concept not in seen else col
        seen.add(rename[col])
    return rename


def concept_zscores(zscores: pd.DataFrame) -> pd.DataFrame:
    """The z-score table with columns renamed to lexicon concepts (the first column of each concept)."""
    return zscores.rename(columns=_rename(zscores.columns))


def category_zscores(fs: FeatureSet, labels, *, with_index: bool = False) -> tuple:
    """Z-scores of every category level's share per segment, with words for the lexicon.

    A level's indicator (1 when the customer has the level) has mean ``p`` overall and ``p_s`` in
    segment ``s``; its z-score is ``(p_s - p) / sqrt(p (1 - p))``, comparable with the numeric ones.
    Returns the segment x ``"column: level"`` table and the lexicon words of each level (the level
    itself as the adjective for "high", none for "low"; an ordinal's class; a yes or no says "with" or "with no" the
    column's label, or names the rows where it says what they are: smokers, non-smokers), a word only for a segment
    most of whose members hold the level (:data:`MAJORITY`: the word's ``high_min``, against the share); ``with_index``
    adds the index of each level's share against its share overall (``100 * p_s / p``, what the sentences quote) and
    the shares.
    """
    labels = np.asarray(labels)
    columns, words, index, shares = {}, {}, {}, {}
    for col in fs.extra.get("categorical") or []:
        if col not in fs.table.columns:
            continue
        text = level_text(fs.table[col]).fillna("(missing)").to_numpy(dtype=object)
        paired = {str(v).strip().lower() for v in pd.unique(text)} - {"(missing)"}
        yes, no = (_TRUE_WORDS | _PAIRED_TRUE, _FALSE_WORDS | _PAIRED_FALSE) if len(paired) == 2 and \
            paired & _PAIRED_TRUE and paired & _PAIRED_FALSE else (_TRUE_WORDS, _FALSE_WORDS)
        # a sex coded 0/1 is no "Sex"; a 1 of codes 0, 1 and 2 (never, former, current smoker) is no yes
        yes, no = (set(), set()) if col in fs.coded or len(paired) > 2 else (yes, no)
        for level in pd.unique(text):
            ind = (text == level).astype(float)
            p = ind.mean()
            if not 0 < p < 1:
                continue
            key = f"{col}: {level}"
            share = pd.Series(ind).groupby(labels).mean()
            columns[key], index[key], shares[key] = (share - p) / np.sqrt(p * (1 - p)), 100 * share / p, share
            lower = str(level).strip().lower()
            name = fs.labels.get(col, default_label(col)).split(" (")[0]
            said = "yes" if lower in yes else "no" if lower in no else None
            if said:  # "Customers with no ban", "Smokers": not "Ban Women", "Smoker Smokers" (AER's SmokeBan)
                who = people(name, said)
                noun = _title(who) if replaces_noun(who, fs.entity) else None
                words[key] = FeatureWords(label=f"{name}: {said}", high_noun=noun, high_min=MAJORITY if noun else None)
                continue
            ranked = ordinal(name, level)  # "3rd-Class", not "3rd"
            adjective = (_title(ranked.replace(" ", "-")) if ranked
                         else str(level) if not str(level).replace(".", "").isdigit() else f"{name} {level}")
            words[key] = FeatureWords(label=f"{name}: {level}", high=adjective, low=None, high_min=MAJORITY)
    if not with_index:
        return pd.DataFrame(columns), words
    return pd.DataFrame(columns), words, pd.DataFrame(index), pd.DataFrame(shares)


#: A level's word names a segment only where at least this share of its members hold the level: "Older 3rd-Class
#: Customers" were 30% in 3rd class.
MAJORITY = 0.5


def _title(words: str) -> str:
    """Words of a name, each capitalised, hyphenated ones too: "3rd-Class", "Non-Smokers"."""
    return " ".join("-".join(capitalised(part) for part in word.split("-")) for word in words.split())


#: A category level *defines* a segment when at least this share of its members hold it ...
DEFINING_SHARE = 0.9
#: ... and at most this share of all rows do (a level nearly everyone holds sets no segment apart).
DEFINING_OVERALL = 0.6
#: A level of more characters names no segment (it would swamp the name in headings and legends).
MAX_LEVEL_TEXT = 30
_MISSING_LEVEL = "(missing)"


def defining_levels(fs: FeatureSet, labels, exclude=()) -> dict:
    """Segment -> "column: level" in words for a category level that defines the segment: held by at least
    :data:`DEFINING_SHARE` of its members (at least :data:`~segkit.separability.MIN_MEMBERS` of them) and at most
    :data:`DEFINING_OVERALL` of all rows, missing values counted. A Mall segment that is all women reads "women" (the
    level of a gender, as the people it stands for: :func:`~segkit.naming.people.people`; "Older Women"), a telco
    segment that is all DSL "(internet service: DSL)": the numbers alone named them "Older Customers" and "Customers
    with low total charges". Of several such levels, the one fewest other segments
    are defined by comes first (it tells the segment apart), then the largest lift. 0/1 and true/false columns read
    yes and no but for codes (:attr:`~segkit.featureset.FeatureSet.coded`: a sex coded 0/1); a missing value, a level
    with digits (a name has no numbers) or of over :data:`MAX_LEVEL_TEXT` characters defines nothing.

    >>> table = pd.DataFrame({"plan": ["Gold"] * 5 + ["Basic"] * 9, "active": [1] * 5 + [0, 1] * 3 + [0, 1, 1]})
    >>> fs = FeatureSet(table, columns=[], extra={"categorical": ["plan", "active"]})
    >>> defining_levels(fs, [1] * 5 + [0] * 9)
    {1: 'plan: Gold'}
    >>> defining_levels(fs, [1] * 11 + [0] * 3)  # Basic, held by 64% of all rows, is too common to define
    {}
    """
    labels = np.asarray(labels)
    sizes = pd.Series(labels).value_counts()
    candidates: dict = {}  # segment -> [(level key, lift, words)]
    for col in fs.extra.get("categorical") or []:
        if col not in fs.table.columns or col in exclude:
            continue
        text = level_text(fs.table[col]).fillna(_MISSING_LEVEL)
        words = fs.level_words(col, text.unique(), keep={_MISSING_LEVEL}) or {}
        overall = text.value_counts(normalize=True)
        shares = pd.crosstab(labels, text.to_numpy(), normalize="index")
        label = phrase(fs.labels.get(col, default_label(col)).split(" (")[0])
        for level in overall.index[(overall <= DEFINING_OVERALL).to_numpy()]:
            said = str(words.get(level, level))
            if level == _MISSING_LEVEL or len(said) > MAX_LEVEL_TEXT or any(ch.isdigit() for ch in said):
                continue
            for seg in shares.index[(shares[level] >= DEFINING_SHARE).to_numpy()]:
                if sizes.get(seg, 0) >= MIN_MEMBERS:
                    candidates.setdefault(seg, []).append(((col, level), shares.at[seg, level] - overall[level],
                                                           people(label, said) or absent(label, said, overall.index)
                                                           or f"{label}: {said}"))
    held = pd.Series([key for found in candidates.values() for key, _, _ in found]).value_counts()
    return {seg: min(found, key=lambda c: (held[c[0]], -c[1]))[2] for seg, found in candidates.items()}


def _action(name: SegmentName, z: pd.Series, labels: dict[str, str], threshold: float) -> SegmentName:
    """An action keyed on what the segment's leading feature means (``actions.yaml``), or none."""
    if name.action:
        return name
    for feat in z.abs().sort_values(ascending=False, kind="stable").index[:2]:
        if not abs(z[feat]) >= threshold:
            break
        text = f"{feat} {labels.get(feat, '')}"
        for pattern, high, low in _actions():
            if pattern.search(text):
                action = high if z[feat] > 0 else low
                if action:
                    return replace(name, action=action)
                break
    return name


def name_segments(profile, fs: FeatureSet | None, params, labels=None):
    """Names from the lexicon and the labels, measured without imputed values; unique, no numbers.

    When two segments would share a name and ``labels`` (the segment of each row of ``fs.table``) is
    given, the shares of category levels may tell them apart ("Female Young High Spenders").
    """
    lexicon = _lexicon()
    outcomes = list(fs.extra.get("outcomes") or []) if fs is not None else []  # what happened names no segment
    z, index = profile.zscores.drop(columns=outcomes), profile.index.drop(columns=outcomes)
    if fs is not None and labels is not None:
        z, index = masked_scores(fs.table, np.asarray(labels), z, index, fs.extra.get("imputed_rows"))
    rename = _rename(z.columns, set(getattr(params, "labels", None) or {}))
    z, index = z.rename(columns=rename), index.rename(columns=rename)
    # the sentence quotes the index the card's facts show (the profile's, without filled values); where the masked
    # scores' index basis turns it the other way round 100, no number: the sentence says above or below
    shown = profile.index[profile.ratio_features].reindex(columns=profile.index.columns)  # no "index 100" for a CPI
    shown = shown.drop(columns=outcomes).rename(columns=rename)
    index = shown.where(np.sign(shown - 100) == np.sign(index - 100))
    # the table's own labels, also for columns that mean a concept ("days since last login", not "visit")
    words = {rename[c]: (fs.labels.get(c) if fs is not None else None) or default_label(c) for c in rename}
    # a level's share (a table of categories only, labelled "Kids: yes", "Region: North": _level_shares) in the
    # lexicon's words, as category_zscores gives them: its name says "Customers with kids", its sentence "a share of
    # region North", "a share who are married" (naming.describe._level_said), not "region: North"
    shares = [rename[c] for c in (fs.extra.get("level_shares") or []) if c in rename] if fs is not None else []
    lexicon = replace(lexicon, features={**lexicon.features, **{f: FeatureWords(label=words.pop(f)) for f in shares}})
    entity = (fs.entity if fs is not None else "customers").strip() or "customers"
    noun = capitalised(entity)
    values, counts = _own_values(fs, labels, rename) if fs is not None and labels is not None else (None, None)
    # a category level that defines a segment tells it apart already: the names need no measure for it (unless the
    # name says the level's word itself, so the level is not added: then the names are made again without it)
    defined = defining_levels(fs, labels, exclude=outcomes) if fs is not None and labels is not None else {}
    levels = cache(lambda: category_zscores(fs, labels, with_index=True) if fs is not None and labels is not None
                   else (pd.DataFrame(),) * 4)  # only where the measures do not tell segments apart, once
    typical = _as_noun(lexicon.default_name, noun)
    gendered = _gendered(fs)
    for told in (defined, {}):
        kwargs = {"index": index, "labels": words, "noun": noun, "told": told, "values": values, "counts": counts}
        named = _named(z, lexicon, kwargs, levels)
        out = {seg: _with_level(_as_people(_in_words(value, z.loc[seg], words, noun), gendered,
                                           typical.split(" ", 1)[-1]), defined.get(seg), typical)
               for seg, value in named.items()}
        if len({v.name for v in out.values()}) == len(out):
            break
    return out


#: Segments of one name whose measures differ by less than this (in z-scores) are named by their category levels, where
#: the table has some: Titanic's passengers, alike in age, were "Young Typical Women with younger age and younger age".
TELLS_APART = 0.25


def _named(z: pd.DataFrame, lexicon, kwargs: dict, levels) -> dict:
    """Names from the measures where they tell the segments apart (by :data:`TELLS_APART` or more); else from the
    measures and the category levels' shares (``levels()``: :func:`category_zscores` with its index and shares);
    else from the measures however little they differ."""
    try:
        return name_segments_from_lexicon(z, lexicon, **kwargs, least=TELLS_APART)
    except SegmentationError:
        pass
    cats, extra, index, shares = levels()
    if not cats.empty:
        wider = replace(lexicon, features={**lexicon.features, **extra})
        own = shares.reindex(z.index) if kwargs["values"] is None else kwargs["values"].join(shares.reindex(z.index))
        try:  # a level's word only where most members hold it (its high_min, against the shares)
            return name_segments_from_lexicon(z.join(cats.reindex(z.index)), wider, **{
                **kwargs, "index": kwargs["index"].join(index.reindex(z.index)), "values": own})
        except SegmentationError:
            pass
    return name_segments_from_lexicon(z, lexicon, **kwargs)


#: The units the lexicon's bounds (``high_min``, ``low_max``, ``at_least``) are written in, per concept.
BOUND_UNITS = {"age": "years"}


def _own_values(fs: FeatureSet, labels, rename: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each segment's mean of the observed values of the columns in the units of the lexicon's bounds
    (:data:`BOUND_UNITS`: an age in years, not in months, days or an age band's codes): the bounds (no "Young"
    customers of 40, no "Seniors" of 44) apply to those only. Then its mean of the columns that count things (whole
    numbers from 0): a name says "many" of those only from two on average."""
    numeric = [c for c in rename if c in fs.table.columns and pd.api.types.is_numeric_dtype(fs.table[c])
               and not pd.api.types.is_bool_dtype(fs.table[c])]
    table = observed(fs.table[numeric], fs.extra.get("imputed_rows")).astype(float)
    known = [c for c in numeric if rename[c] in BOUND_UNITS and fs.units.get(c) == BOUND_UNITS[rename[c]]]
    seen = {c: table[c].dropna() for c in numeric}
    counts = [c for c in numeric if len(seen[c]) and (seen[c] >= 0).all() and (seen[c] % 1 == 0).all()]
    means = table.groupby(np.asarray(labels)).mean().rename(columns=rename)
    return means[[rename[c] for c in known]], means[[rename[c] for c in counts]]


#: Rows that buy from the business the actions speak to (``lexicon.yaml``, ``actions.yaml``); other rows (survey
#: respondents, patients, houses, bookings) get no action: "Senior discounts and easy, familiar ranges" for a census's
_BUYERS = re.compile(r"(?i)(?<!household )(?<!family )(?<!staff )(?<!team )(?<!crew )(?<!board )(?<!drug )"
                     r"\b(?:customers?|clients?|shoppers?|buyers?|members?|subscribers?|users?|accounts?|"
                     r"(?:card|policy|account|license|licence)[ -]?holders?|borrowers?|depositors?|consumers?|"
                     r"patrons?)$")


def _in_words(value: SegmentName, z: pd.Series, words: dict, noun: str) -> SegmentName:
    """A lexicon name with its action (for rows that buy: :data:`_BUYERS`), the lexicon's "customers" said as the
    table's noun (cardholders, members)."""
    value = _action(value, z, words, 0.5) if _BUYERS.search(noun) else replace(value, action="")
    if noun == "Customers":
        return value

    def said(m: re.Match) -> str:  # "the average customer" too: "the average house", not a customer among houses
        word = noun if m.group(1) else singular(noun)
        return word if m.group()[0].isupper() else word.lower()

    return replace(value, name=_as_noun(value.name, noun),
                   description=re.sub(r"\b[Cc]ustomer(s)?\b", said, value.description))


def _gendered(fs: FeatureSet | None) -> bool:
    """Whether the table has a column of the rows' own gender (:func:`~segkit.naming.people.people` says its Female)."""
    return fs is not None and any(people(fs.labels.get(c, default_label(c)), "Female")
                                  for c in fs.extra.get("categorical") or [])


def _as_people(name: SegmentName, gendered: bool, noun: str) -> SegmentName:
    """A name whose levels say the rows' sex before their noun, said as the people they are: "3rd-Class Men" for
    Titanic's "Male 3rd-Class Customers" (a category level's word as an adjective, :func:`category_zscores`), where
    the table has a gender column (``gendered``) and the rows are grown people (:func:`~segkit.naming.people.sexed`);
    an ordinal level's class next to the noun."""
    said = re.escape(noun)  # the rows' noun as names say it ("Survey Respondents")
    found = re.search(rf"(?<![\w-])(Female|Male)\s+(?=(?:\S+\s+)*?{said}(?!\w))", name.name)
    who = sexed(PEOPLE[found.group(1).lower()], noun) if gendered and found else ""
    if who in PEOPLE.values():
        text = name.name[:found.start()] + name.name[found.end():]
        name = replace(name, name=re.sub(rf"(?<!\w){said}(?!\w)", who.capitalize(), text, count=1))
        said = who.capitalize()
    # what kind of people, next to the noun: "Older 1st-Class Customers", not "1st-Class Older Customers"
    return replace(name, name=re.sub(rf"^(\d+(?:st|nd|rd|th)-[A-Z]\w*) ((?:[A-Z][\w-]* )+?)(?={said}(?: with |$))",
                                     r"\2\1 ", name.name))


def _as_noun(name: str, noun: str) -> str:
    """A lexicon name with its "Customers" said as ``noun``, each word capitalised after the name's first word
    ("Affluent Survey Respondents", not "Affluent Survey respondents"; "US" stays "US")."""
    titled = " ".join(capitalised(w) for w in noun.split())
    return re.sub(r"\bCustomers\b", lambda m: noun if m.start() == 0 else titled, name)


def _says_yes_no(name: str, level: str | None) -> bool:
    """Whether a name says a yes/no level as one of its phrases: "Bookings with required car parking spaces" says
    "required car parking spaces: yes", "Customers with no ban" says "ban: no"; "Customers with low credit card
    balance" does not say "credit card: yes", nor "with fewer parking spaces" or "with email less often" a yes."""
    what, _, answer = (level or "").partition(": ")
    answer = answer.lower()
    if answer not in ("yes", "no"):
        return False
    # as names say it ("cr card", "no ban": feature_phrase), a person's "non-", or the profile's code ("vryhap 1")
    words = feature_phrase(f"{what}: {answer}", high=True)
    if words.startswith("who "):  # what the rows are: "who are married", "... and not active members"
        state = re.escape(words.split(" ", 2)[2])
        return bool(re.search(rf"(?:\bwho are|\band) {state}(?= and | with | \(|$)", name, re.IGNORECASE))
    forms = [words, f"non-{words[3:]}" if answer == "no" else None, f"{phrase(what)} {int(answer == 'yes')}"]
    said = "|".join(re.escape(form) for form in forms if form)
    return bool(re.search(rf"(?:\bwith|\band) (?:{said})(?= and | who | \(|$)", name, re.IGNORECASE))


def _with_level(name: SegmentName, level: str | None, typical: str) -> SegmentName:
    """``name`` with its defining level in brackets, unless its words already say it ("Female Young High Spenders");
    a segment named typical of the whole says what is not typical of it. A level of the customers themselves is said
    as the people it stands for (:func:`~segkit.naming.people.people`): women and men replace the name's noun ("Older
    Women", not "Older Customers (gender: Female)"), or follow a name of other words in brackets ("Affluent Savers
    (men)"), as do others ("Young High Spenders (daily visitors)", "Affluent Savers (Platinum members)")."""
    noun = typical.split(" ", 1)[-1]  # "Typical Survey Respondents"
    person = replaces_noun(level, noun)
    level = sexed(level, noun) if person else level  # hsb2's "Typical Women" were students of 14 to 18: "Female ..."
    said = level.split(": ", 1)[-1] if level else ""  # == level for people ("daily visitors"), not "column: level"
    # "women": also "Female"; "daily visitors": also "Daily" (but "education: High school" is not said by "High")
    missing = bool(level) and level.startswith("no ") and ": " not in level  # "no internet service", whole
    forms = [said, *(word for word, who in PEOPLE.items() if who == said),
             *(said.split()[:-1] if said == level and not missing else [])]
    if not level or any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", name.name, re.IGNORECASE) for f in forms) \
            or _says_yes_no(name.name, level):
        return name
    description = name.description
    if name.name.startswith(typical):  # "Typical Customers (region: West)": close to average but in one thing
        being = "having " if missing else "being " if said == level else "their "
        description = f"{description.rstrip('.')}, apart from {being}{level}."
    at = re.search(rf"(?<!\S){re.escape(noun)}(?= with |$)", name.name) if person else None  # "Students with ..."
    if at and name.name != noun:
        return replace(name, name=f"{name.name[:at.start()]}{level.title()}{name.name[at.end():]}",
                       description=description)
    return replace(name, name=f"{name.name} ({level})", description=description)
