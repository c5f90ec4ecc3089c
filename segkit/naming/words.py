"""Plain words for columns: labels derived from column names, units they state, and phrases for names.

A column name is split into words (underscores, spaces, case changes: ``MntWines`` -> ``Mnt Wines``)
and its abbreviations are expanded from an editable data file (``segkit/naming/abbreviations.yaml``:
``Mnt`` -> "amount spent on", ``Trx`` -> "transactions"), so ``MntWines`` reads "Amount spent on wines"
and ``CASH_ADVANCE_TRX`` "Cash advance transactions". Nothing is invented: a word the file does not
list is kept as it is, and a unit is only taken from a word that states one (``tenure_months``).
Params ``labels`` and ``units`` override both.

Examples
--------
>>> default_label("MntWines"), default_label("NumWebPurchases"), default_label("CASH_ADVANCE_TRX")
('Amount spent on wines', 'Number of web purchases', 'Cash advance transactions')
>>> stated_unit("tenure_months"), stated_unit("BALANCE"), stated_unit("visits_per_month")
('months', None, None)
>>> default_label("visits_per_month")
'Visits per month'
>>> default_label("pdays"), default_label("nps_score"), default_label("ARPU")
('Days since the last contact', 'Net promoter score', 'Revenue per user')
>>> feature_phrase("Number of web purchases", high=True)
'many web purchases'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ParamsError
from ..format import capitalised
from ..resources import read_data_yaml

__all__ = ["load_words", "split_words", "default_label", "stated_unit", "plural", "singular", "counted",
           "phrase", "feature_phrase", "ordinal", "superlative", "name_words", "same_words", "had", "with_said",
           "added"]

#: A code of one or two letters and a number is one word, with the letters that follow it: a survey's q2, Q10 or
#: Q10a, a variable x1, "b2b", "l12m" ("Q2 would recommend", not "Q 2 would recommend").
_CODE = r"(?<![A-Za-z])[A-Za-z]{1,2}[0-9]+[A-Za-z]{0,2}(?![0-9.A-Za-z])"
#: A period written as a number and its unit's letter: "Umsatz 12M", "spend_3m", "visits_30d", VietNamH's "exp12m"
#: (12M, not "12 m").
_PERIOD = r"(?<![0-9.])[0-9]+[mMwWdDyY](?![0-9A-Za-z])"
#: The windows a name counts over, in words where the letter is small and the number one a window takes
#: ("open_il_12m", "spend_30d": 12 months, 30 days; "12M" and "pop_1M" may be millions, "is_3d" is no window: as
#: written).
_WINDOWS = {"m": ("months", {1, 2, 3, 6, 9, 12, 18, 24, 36, 48, 60}), "w": ("weeks", {1, 2, 4, 8, 12, 26, 52}),
            "d": ("days", {7, 14, 28, 30, 60, 90, 180, 365}), "y": ("years", {1, 2, 3, 5, 10})}
#: The units of time a number before them makes a window ("inq_last_6mths": in the last 6 months), not the column's
#: unit.
_TIME_UNITS = ("months", "years", "weeks", "days", "hours", "minutes")
#: Letters of any alphabet ("Gekündigt", "Età", "Возраст"), as one word; digits and the underscore are no letters.
_LETTERS = r"[^\W\d_]+"
_TOKEN = re.compile(r"\([^)]*\)|" + _CODE + "|" + _PERIOD + "|" + _LETTERS + r"|[0-9]+(?:\.[0-9]+)?|[$%€£]")
_NOT_PLURAL = ("ss", "us", "is", "sales", "earnings", "savings", "gross", "status", "news")
#: Where a name in camel case splits: before a capital after a small letter, before a word after a number or a run of
#: capitals ("Top10Products", "RFMScore"); not inside a code ("B2B", "P2PTransfers" -> "P2P Transfers").
_CAMEL = re.compile(r"(?<=[a-zß-öø-ÿ])(?<!\bPh)(?=[A-ZÀ-ÖØ-Þ])|(?<=[0-9])(?=[A-Z][a-z])"
                    r"|(?<=[0-9])(?=[A-Z]{1,2}[0-9])"
                    r"|(?<=[A-ZÀ-ÖØ-Þ])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])")  # and between two codes: "Q4Q1Change", "PC1PC2"
_INITIALS = re.compile(r"(?<![A-Za-z])(?:[A-Za-z]\.){2,}")  # "S.F." of "S.F.Ratio"
_REPEAT = re.compile(r"\b([^\W\d_]{2,})(?: \1\b)+", re.IGNORECASE)  # a word said twice in a row (not Q1_1's 1 1)
#: Plurals whose singular no rule gives ("movies" is not "movy"); the others lose their "s", "es" or "ies".
_SINGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "series": "series",
             "species": "species", "movies": "movie", "cookies": "cookie", "calories": "calorie", "pies": "pie",
             "ties": "tie", "rookies": "rookie", "zombies": "zombie", "freebies": "freebie", "selfies": "selfie"}
_PLURAL = {singular: many for many, singular in _SINGULAR.items() if singular != many}
_COUNTED = re.compile(r"\b(transactions|purchases|orders|visits|calls|logins|sessions|trips|claims|payments|"
                      r"complaints|items|products|accounts|children|teenagers|kids|classes|days|months|years)\b")


@lru_cache(maxsize=4)
def _shipped() -> tuple[dict[str, str], dict[str, str]]:
    return _parse(read_data_yaml(None, shipped="naming/abbreviations.yaml", what="abbreviations")[0], None)


def _parse(raw: Any, path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    where = f" in {path}" if path else ""
    if not isinstance(raw, Mapping) or set(raw) - {"abbreviations", "units"}:
        raise ParamsError(f"an abbreviations file is a mapping with 'abbreviations' and 'units'{where}",
                          fix="compare with segkit/naming/abbreviations.yaml")
    return ({str(k).lower(): str(v or "") for k, v in (raw.get("abbreviations") or {}).items()},
            {str(k).lower(): str(v) for k, v in (raw.get("units") or {}).items()})


def load_words(source: str | Path | Mapping | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The abbreviations and unit words: the shipped file (None), a YAML file of the same format or a mapping."""
    if source is None:
        return _shipped()
    raw, path = read_data_yaml(source, shipped="naming/abbreviations.yaml", what="abbreviations")
    return _parse(raw, path)


def split_words(name: str) -> list[str]:
    """The words of a column name: ``"NumWebPurchases"`` -> ``["Num", "Web", "Purchases"]``; initials written with
    dots are one word (ISLR College's ``"S.F.Ratio"`` -> ``["SF", "Ratio"]``), as is a degree (``"PhD"``)."""
    initials = _INITIALS.sub(lambda m: m.group().replace(".", "") + " ", str(name))
    return _TOKEN.findall(_CAMEL.sub(" ", initials))


def default_label(name: str, words: Mapping[str, str] | None = None) -> str:
    """A plain label for a column from its name alone: words split, abbreviations expanded, sentence case.

    Words in capitals stay in capitals ("RFM score") unless the whole name is in capitals.
    """
    abbreviations = _shipped()[0] if words is None else words
    parts = split_words(name)
    unit = parts[-1].lower() if len(parts) > 1 and parts[-1].lower() in _shipped()[1] and not _rate(parts) \
        and not _window(parts, _shipped()[1]) else None
    parts = parts[:-1] if unit else parts
    shouting = str(name).upper() == str(name)
    out = []
    for i, word in enumerate(parts):
        key = word.lower()
        if key in abbreviations:  # last, "number of" has nothing to be of: "Arrival date number", not "... number of"
            said = re.sub(r" (?:of|on)$", "", abbreviations[key]) if i == len(parts) - 1 else abbreviations[key]
            out += [said] if said else []
        elif re.fullmatch(_PERIOD, word):
            out.append(_period(word))
        elif word.startswith("(") or (word.isupper() and len(word) > 1 and not shouting) \
                or word == "PhD":  # a degree as written
            out.append(word)
        elif re.fullmatch(_CODE, word):
            out.append(word.upper())
        else:
            out.append(key)
    text = _REPEAT.sub(r"\1", " ".join(out).strip()) or str(name)  # nps_score: not "net promoter score score"
    text += f" ({abbreviations.get(unit) or _shipped()[1].get(unit) or unit})" if unit else ""  # (GB), not (gb)
    return capitalised(text)


def _period(word: str) -> str:
    """A number and its unit's letter as a reader takes it: "12 months" for a window's "12m", else as written."""
    unit, windows = _WINDOWS[word[-1].lower()]
    if word[-1].islower() and int(word[:-1]) in windows:
        return f"{word[:-1]} {unit[:-1] if word[:-1] == '1' else unit}"
    return word.upper()


def stated_unit(name: str, units: Mapping[str, str] | None = None) -> str | None:
    """The unit a column name states ("months" for ``tenure_months``, "%" for ``discount_pct``), or None."""
    table = _shipped()[1] if units is None else units
    words = split_words(name)
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if len(word) == 1 and (i < len(words) - 1 or len(words) == 1):
            continue  # a letter is a unit ("body_mass_g") only last after other words: not a column "g" nor "g_rate"
        if word.lower() in table and not _window(words[:i + 1], table):
            return None if _rate(words[:i + 1]) else table[word.lower()]
        if word == "%":
            return "%"
    return None


def _window(words: list[str], units: Mapping[str, str]) -> bool:
    """Whether the last of ``words`` is a unit of time after a number: the window a measure counts over
    ("inq_last_6mths", "spend_last_30_days", "delinq_2yrs"), not the unit it is in (months, days, years); or part of
    a name ("near_new_years": near New Year's, not "Near new (years)")."""
    return (len(words) > 1 and units.get(words[-1].lower()) in _TIME_UNITS
            and (re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", words[-2]) is not None
                 or (words[-2].lower(), words[-1].lower()) == ("new", "years")))


def _rate(words: list[str]) -> bool:
    """Whether the last of ``words`` is the time or thing a rate is per ("visits per month", "spend per visit"):
    then the column is in the rate's terms, not in months."""
    return len(words) > 1 and words[-2].lower() in ("per", "a", "each", "every")


def plural(entity: str) -> str:
    """``customer`` -> ``customers``, ``company`` -> ``companies``, ``person`` -> ``people``; a plural stays as it is.

    >>> plural("company"), plural("person"), plural("Person"), plural("people"), plural("store branch"), plural("areas")
    ('companies', 'people', 'People', 'people', 'store branches', 'areas')
    """
    text = str(entity).strip()
    head, _, last = text.rpartition(" ")
    if not last or last.lower() in _SINGULAR or last.endswith("s"):
        return text
    if last.lower() in _PLURAL:
        many = _PLURAL[last.lower()]
        last = capitalised(many) if last[:1].isupper() else many
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "es" if re.search(r"(x|ch|sh)$", last) else "s"
    return f"{head} {last}" if head else last


def counted(n: int, entity: str) -> str:
    """``1 area``, ``2 areas``: a count with its plural ``entity`` ("customers", "companies") in the right number.

    >>> counted(1, "areas"), counted(1, "companies"), counted(1, "businesses"), counted(4334, "customers")
    ('1 area', '1 company', '1 business', '4,334 customers')
    >>> counted(1, "movies"), counted(1, "people"), counted(1, "series"), counted(1, "store branches")
    ('1 movie', '1 person', '1 series', '1 store branch')
    >>> counted(1, "status"), counted(1, "class"), counted(1, "business")
    ('1 status', '1 class', '1 business')
    """
    return f"{n:,} {singular(entity) if n == 1 else plural(entity)}"


def singular(entity: str) -> str:
    """One of ``entity``: ``customers`` -> ``customer``, ``companies`` -> ``company``, ``people`` -> ``person``; a
    singular stays as it is.

    >>> singular("subscribers"), singular("subscriber"), singular("store branches"), singular("status")
    ('subscriber', 'subscriber', 'store branch', 'status')
    """
    head, _, last = plural(entity).rpartition(" ")
    last = _SINGULAR.get(last.lower(), last[:-3] + "y" if last.endswith("ies") else last[:-2]
                         if re.search(r"(ss|x|ch|sh)es$", last) else last[:-1]
                         if last.endswith("s") and not last.lower().endswith(_NOT_PLURAL) else last)
    return f"{head} {last}" if head else last


#: Words that keep their capital inside a sentence ("fewer Asian residents"), besides acronyms.
_PROPER = frozenset({"Asian", "Hispanic", "Latino", "Latina", "Black", "African", "American", "European", "Native",
                     "Pacific", "Indian", "Alaska", "Hawaiian", "English", "Spanish"})


def phrase(label: str) -> str:
    """A label inside a sentence: the first letter lowered unless the first word is an acronym, a word with a capital
    inside (``"PhD"``) or a proper adjective (``"Asian residents"``).

    >>> phrase("Days since last purchase"), phrase("RFM score"), phrase("Asian residents"), phrase("PhD")
    ('days since last purchase', 'RFM score', 'Asian residents', 'PhD')
    """
    first = label.split(" ", 1)[0]
    keep = (len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:]))) or first in _PROPER
    return label if keep else label[:1].lower() + label[1:]


#: Rows that are grown people, whose sex reads women and men; other rows' reads female and male before their noun
#: (:func:`~segkit.naming.people.sexed`: hsb2's students, palmerpenguins' penguins); a yes/no label ending in one is of
#: what the rows are (:func:`_state`: "senior citizen").
_GROWN = re.compile(r"(?i)(?:^|\s)(?:customers?|clients?|members?|users?|subscribers?|patients?|participants?|"
                    r"respondents?|employees?|workers?|staff|professors?|teachers?|voters?|citizens?|residents?|"
                    r"people|persons?|individuals?|adults?|shoppers?|buyers?|guests?|passengers?|cardholders?|"
                    r"policyholders?|(?:account )?holders?|borrowers?|applicants?|candidates?|athletes?|players?|"
                    r"donors?|volunteers?|drivers?|owners?|tenants?|visitors?|travell?ers?|consumers?|patrons?|"
                    r"parents?|rows)$")
#: What an ordinal level ranks, where a label ends in one of these ("PClass", "Passenger class": "class").
_RANKED = ("class", "grade", "rank", "tier", "level", "floor", "place", "division", "year", "round", "quarter",
           "generation", "degree", "league", "stage", "shift")


def ordinal(label: str, level: Any) -> str | None:
    """An ordinal level said with what it ranks: "3rd class" for the 3rd of a passenger class (Titanic's PClass read
    "Male 3rd Customers" and "with low p class 3rd"); None for a level that is no ordinal number.

    >>> ordinal("P class", "3rd"), ordinal("Pclass", "1st"), ordinal("School year", "12th"), ordinal("Plan", "Gold")
    ('3rd class', '1st class', '12th year', None)
    >>> ordinal("Class of service", "1st"), ordinal("Day of month", "21st"), ordinal("Background", "2nd")
    ('1st class', '21st day', '2nd background')
    """
    word = str(level).strip()
    head = re.split(r"\s+(?:of|in|on|at|by|per)\s+", _bare(str(label)).lower())[0].split()  # "Class of service"
    if not re.fullmatch(r"\d+(?:st|nd|rd|th)", word, re.IGNORECASE) or not head:
        return None
    last = head[-1]  # a glued one- or two-letter prefix ("pclass") is no other word ("background" is not a round)
    what = next((noun for noun in _RANKED if last.endswith(noun) and len(last) - len(noun) <= 2), last)
    return f"{word} {what}"


def had(what: str, yes: bool) -> str:
    """A yes/no label said as the thing the rows have or lack, after "with": "has cr card" (HasCrCard) is "cr card" or
    "no cr card", not "no has cr card"; a label of what the rows are (:func:`_state`) as a clause of its own, "who are
    married" or "who are not active members", not "with no married" or "no is active member" (:func:`with_said`).

    >>> had("has children", True), had("Has cr card", False), had("newsletter", False), had("owns car", False)
    ('children', 'no cr card', 'no newsletter', 'no car')
    >>> had("married", True), had("is active member", False), had("senior citizen", True), had("is weekend", False)
    ('who are married', 'who are not active members', 'who are senior citizens', 'no weekend')
    """
    state = _state(what)
    if state:
        return f"who are {state}" if yes else f"who are not {state}"
    thing = re.sub(r"(?i)^(?:has|have|had|owns?|with|is|are)\s+", "", what.strip()) or what
    return thing if yes else f"no {thing}"


#: A yes/no label that names the rows themselves (a smoker, a student): its yes and no are smokers and non-smokers
#: (:func:`~segkit.naming.people.people`), who are and are not smokers (:func:`_state`).
_WHO_LABEL = re.compile(r"(?i)^(?:is\s+(?:an?\s+)?|current\s+)?(?P<who>smoker|drinker|student|home\s?owner|renter|"
                        r"veteran|vegetarian|vegan|subscriber|volunteer|donor|voter|parent|immigrant|retiree|"
                        r"pensioner|commuter|homeschooler)s?\??$")
#: A yes/no label of what the rows are: "is ..." ("is active member"), then a state ("married") or a kind of person
#: (:data:`_GROWN`: "senior citizen") as its last word. Any other is a thing the rows have ("cr card", "newsletter").
_IS = re.compile(r"(?i)^(?:is|are|currently)\s+(?:an?\s+)?")
_STATES = frozenset({"married", "single", "divorced", "widowed", "separated", "engaged", "retired", "employed",
                     "unemployed", "self-employed", "insured", "uninsured", "vaccinated", "disabled", "educated",
                     "enrolled", "registered", "verified", "licensed", "qualified", "satisfied", "dissatisfied",
                     "active", "inactive", "happy", "unhappy", "religious", "healthy", "pregnant", "eligible", "alive",
                     "homeless", "literate", "illiterate", "bilingual", "loyal", "wealthy", "pensioned", "senior",
                     "new"})


def _state(what: str) -> str | None:
    """What the rows are for a yes/no label of a state or of a kind of person, in the plural: "married", "active
    members", "senior citizens"; None for any other label (what the rows have)."""
    text = what.strip().rstrip("?")
    body = _IS.sub("", text)
    words = body.split()
    who = _WHO_LABEL.match(text)
    if who:  # Whickham's smoker: "Customers who are not smokers", not "with no smoker"
        return plural(who.group("who").lower())
    if not words or (len(words) == 1 and body == text and _GROWN.search(words[0])):
        return None  # "partner", "member" alone: had or are; "with partner" as before
    if words[-1].lower() in _STATES:
        return body
    return " ".join([*words[:-1], plural(words[-1])]) if _GROWN.search(words[-1]) else None


def with_said(said: str) -> str:
    """A name's phrase for a feature after its noun: "with high income", "with no cr card", but a clause of what the
    rows are as it is ("who are married": :func:`had`).

    >>> with_said("high income"), with_said("who are married")
    ('with high income', 'who are married')
    """
    return said if said.startswith("who ") else f"with {said}"


def added(name: str, said: str) -> str:
    """``name`` with one more phrase (:func:`with_said`): "... with high income and no cr card"; a clause of what the
    rows are after its noun's phrases ("Customers with high income who are married").

    >>> added("Customers", "high income"), added("Customers with high income", "no cr card")
    ('Customers with high income', 'Customers with high income and no cr card')
    >>> added("Customers with high income", "who are married"), added("Customers who are married", "high income")
    ('Customers with high income who are married', 'Customers who are married with high income')
    >>> added("Customers who are married", "who are not retired")
    'Customers who are married and not retired'
    """
    if said.startswith("who "):
        return f"{name} and {said.split(' ', 2)[2]}" if " who " in name else f"{name} {said}"
    return f"{name} and {said}" if " with " in name else f"{name} {with_said(said)}"


def _bare(label: str) -> str:
    """``label`` without its notes in brackets: "Total day (minutes)" -> "Total day"."""
    return re.sub(r"\s*\([^)]*\)", "", label).strip()


#: Words of a label that say when, not what: a unit after them is the measure ("Total day (minutes)", a telecom's).
_WHEN = frozenset({"day", "eve", "evening", "night", "intl", "international", "weekend", "weekday", "morning",
                   "afternoon", "peak", "offpeak", "off-peak", "daytime", "nighttime"})


def feature_phrase(label: str, *, high: bool, comparative: bool = False) -> str:
    """How a name says that a feature is high or low: "many web purchases", "high balance",
    "high spending on wines", "channel web" / "a channel other than web" for the share of a category level
    (``"Channel: web"``); ``comparative`` gives "more"/"higher" (telling two segments apart)."""
    said = phrase(label)
    text = _bare(said)
    unit, words = re.search(r"\((minutes|hours|seconds)\)\s*$", said), text.split()
    if unit and words and (len(words) == 1 or words[-1] in _WHEN):
        # "Total day (minutes)", "Call (minutes)": "total day minutes", "call minutes", not "total day", "call"
        text = f"{text} {unit.group(1)}"
    many, few = ("more", "fewer") if comparative else ("many", "few")
    big, small = ("higher", "lower") if comparative else ("high", "low")
    match = re.match(r"(.+?): (.+)$", label)  # the share of one category level ("Channel: web")
    if match:
        what, level = phrase(match.group(1)), match.group(2)
        if level in ("yes", "no"):  # "newsletter" and "no newsletter", not "newsletter yes" and "a newsletter other than yes"
            has = (level == "yes") == high
            return f"{what} {'more' if has else 'less'} often" if comparative else had(what, has)
        ranked = ordinal(what, level)  # "3rd class", not "p class 3rd"
        what = ranked.split(" ", 1)[1] if ranked else what
        if ranked and (high or comparative):
            return f"{ranked} {'more' if high else 'less'} often" if comparative else ranked
        if comparative:
            return f"{what} {level} {'more' if high else 'less'} often"
        return f"{what} {level}" if high else f"a {what} other than {level}"
    if comparative and text.lower() == "age":  # "older age (typically 50 vs 36 overall)", not "higher age"
        return "older age" if high else "younger age"
    match = re.match(r"(?:number|count|num|no\.)(?: of)? (.+)$", text)
    if match:  # "number of visits", "number vmail messages": "more visits", "many vmail messages"
        return f"{many if high else few} {match.group(1)}"
    match = re.match(r"(.+?) count$", text)
    if match:  # "orders count", "order count": "fewer orders"
        return f"{many if high else few} {plural(match.group(1))}"
    match = re.match(r"amount spent on (.+)$", text)
    if match:
        return f"{big if high else small} spending on {match.group(1)}"
    head = re.split(r"\b(?:of|per|as|from|in|on|at|with|to|for|by|who|that|between)\b", text)[0]
    head = re.sub(r"\b\d+ (?:minutes|hours|days|weeks|months|years)\b", " ", head).split()  # "exp 12 months": no count
    if head and head[0] in ("spread", "variation", "variability", "range"):  # "a wider spread of days between ..."
        return f"{('wider' if high else 'narrower') if comparative else ('wide' if high else 'narrow')} {text}"
    plural_head = any(w in ("people", "children", "women", "men") or (w.endswith("s") and not w.endswith(_NOT_PLURAL)
                                                       and not re.fullmatch("[^aeiouy]{2}s", w)) for w in head)  # mcs
    if (_COUNTED.search(" ".join(head)) or plural_head or re.search(r"\bper (day|week|month|year)$", text)) \
            and not re.search(r"\b(amount|value|share|percent|rate|ratio|frequency|average|balance|total|"
                              r"charge|fee|cost|price|premium|spend|revenue|income|salar(?:y|ie)|earning|"
                              r"saving)s?\b", " ".join(head)):  # money is higher or lower: "higher monthly charges"
        return f"{many if high else few} {text}"
    return f"{big if high else small} {text}"


_MOST = {"more": "the most", "fewer": "the fewest", "higher": "the highest", "lower": "the lowest",
         "older": "the oldest", "younger": "the youngest"}


def superlative(said: str) -> str:
    """ "the lowest total fees" for "lower total fees": two segments named by the same trait, the further one, where
    "Customers with low total fees and lower total fees" said it twice.

    >>> superlative("lower total fees"), superlative("more support calls"), superlative("channel web more often")
    ('the lowest total fees', 'the most support calls', 'channel web more often')
    """
    first, _, rest = said.partition(" ")
    return f"{_MOST[first]} {rest}" if first in _MOST and rest else said


def name_words(text: str) -> list[str]:
    """The words of a name or a word, lower case, hyphenated and "&"-joined words apart ("High-Rent" -> high, rent)."""
    return text.lower().replace("&", " ").replace("-", " ").split()


def same_words(name: str) -> tuple[str, ...]:
    """The words of a name in any order: "High-Rent Affluent Neighbourhoods" says what "Affluent High-Rent
    Neighbourhoods" says, so the two must be told apart like equal names."""
    return tuple(sorted(name_words(name)))
