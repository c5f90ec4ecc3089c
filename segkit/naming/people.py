"""The people a category level of the rows stands for, and the share of them a sentence says: "women" for a gender's
Female, "daily visitors", "Platinum members", "smokers" and "non-smokers"; "a share of women", "in 3rd class", "no
internet service". Names, cards and drivers say a level alike through these."""

from __future__ import annotations

import re
from typing import Any

from ..format import YES_NO
from .words import _GROWN, _WHO_LABEL, _bare, ordinal, phrase, plural, singular

__all__ = ["PEOPLE", "absent", "people", "replaces_noun", "sexed", "share_words"]

#: A gender column's levels, as the reading writes them (Female, Male: :func:`segkit.kinds.customers.values.genders`),
#: said as the people they are.
PEOPLE = {"female": "women", "male": "men"}
#: A label of the gender of the rows themselves: "gender", "sex", or after a word for the person ("Customer gender");
#: not a partner's, a child's or an agent's.
_GENDER_LABEL = re.compile(r"(?i)^(?:(?:customer|client|member|user|person|respondent|buyer|shopper|guest|patient|"
                           r"policyholder|subscriber|cardholder|account holder)\s+)?(?:gender|sex)$")
#: How often the rows themselves come or buy, as a label writes it ("Visit frequency", "Frequency of purchases"), and
#: what that makes of them.
_FREQUENCY_LABEL = re.compile(r"(?i)^(?:(?P<what>visit|store visit|shopping|purchase|purchasing|buying|order|login|"
                              r"usage)s?\s+frequency|frequency of (?P<of>visits|shopping|purchases|orders|logins|use))$")
_FREQUENT = {"visit": "visitors", "shopping": "shoppers", "purchase": "buyers", "purchasing": "buyers", "buying": "buyers",
             "order": "buyers", "login": "users", "usage": "users", "use": "users"}
#: A frequency's level as the adjective of the people ("Rarely": "rare visitors"); other levels are said as they are.
_HOW_OFTEN = {"daily": "daily", "weekly": "weekly", "biweekly": "biweekly", "bi-weekly": "biweekly",
              "fortnightly": "fortnightly", "monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly",
              "annually": "yearly", "rarely": "rare", "seldom": "rare", "occasionally": "occasional",
              "sometimes": "occasional", "often": "frequent", "frequently": "frequent", "regularly": "regular"}
#: A label of the rows' own membership level ("Membership tier", "Loyalty status", "Tier"), and the levels that are
#: tiers of one: "Platinum members", not "(membership tier: Platinum)".
_TIER_LABEL = re.compile(r"(?i)^(?:(?:membership|loyalty|member|customer|club|rewards?|subscription)\s+"
                         r"(?:tier|level|grade|status)|tier|membership|loyalty)$")  # not a customer "type" or "class"
_TIERS = frozenset({"bronze", "silver", "gold", "platinum", "diamond", "titanium", "basic", "standard", "premium",
                    "elite", "vip", "classic", "plus"})


def sexed(who: str, entity: str | None) -> str:
    """``who`` (:func:`people`'s words) as the rows ``entity`` are: women and men for grown people (and rows not
    named), "female" or "male" and the rows' noun for others.

    >>> sexed("women", "customers"), sexed("men", "students"), sexed("women", "penguins"), sexed("VIP members", "pets")
    ('women', 'male students', 'female penguins', 'VIP members')
    """
    if who not in PEOPLE.values() or not entity or _GROWN.search(entity.strip()):
        return who
    return f"{'female' if who == PEOPLE['female'] else 'male'} {entity.strip().lower()}"


def people(label: str, level: Any) -> str | None:
    """The people a category level of the rows themselves stands for, in plain words: "women" for the Female of a
    column labelled gender or sex, "daily visitors" for the Daily of a visit frequency, "Platinum members" for the
    Platinum of a membership tier (a note in the label's brackets aside); None for any other level or column (the
    name says "(plan: Gold)", "more often Gold"), and for someone else's (a partner's gender, a child's).

    >>> people("gender", "Female"), people("Customer sex", "male"), people("Gender (self-reported)", "Female")
    ('women', 'men', 'women')
    >>> people("Visit frequency", "Daily"), people("Frequency of purchases", "Rarely"), people("Membership tier", "VIP")
    ('daily visitors', 'rare buyers', 'VIP members')
    >>> people("gender", "Other"), people("plan", "Male"), people("Partner gender", "Female"), people("tier", "Tier 2")
    (None, None, None, None)
    >>> people("smoker", "Yes"), people("Student", "no"), people("Is homeowner", "true"), people("Smoking", "Yes")
    ('smokers', 'non-students', 'homeowners', None)
    """
    said = _bare(str(label))
    word = str(level).strip()
    if _GENDER_LABEL.match(said):
        return PEOPLE.get(word.lower())
    how_often = _FREQUENCY_LABEL.match(said)
    if how_often and word.lower() in _HOW_OFTEN:
        what = (how_often.group("what") or how_often.group("of")).lower().split()[-1]  # "store visit": visit
        return f"{_HOW_OFTEN[word.lower()]} {_FREQUENT[what.removesuffix('s')]}"
    if _TIER_LABEL.match(said) and word.lower() in _TIERS:
        return f"{word.upper() if word.lower() == 'vip' else word.capitalize()} members"
    who = _WHO_LABEL.match(said)
    if who and word.lower() in _YES | _NO:  # Whickham's smoker: Yes and No are smokers and non-smokers
        many = plural(who.group("who").lower())
        return many if word.lower() in _YES else f"non-{many}"
    return None


#: The yes and no of a yes/no label that names the rows (:data:`~segkit.naming.words._WHO_LABEL`). (A 1 or a 0 is read
#: yes or no by the features, for a column of those two values only: a 1 of 0/1/2 is a code.)
_YES, _NO = frozenset(yes for yes, _ in YES_NO), frozenset(no for _, no in YES_NO)


def replaces_noun(who: str | None, entity: str | None = None) -> bool:
    """Whether :func:`people`'s words for a level are the rows' sex or a yes/no of what they are ("women",
    "non-smokers"): they replace a name's noun ("Older Women", "Young Smokers"), where others ("daily visitors",
    "Platinum members") follow it in brackets; a yes/no only where the rows (``entity``) are grown people: "Young
    Households (smokers)", not "Young Smokers" for households.

    >>> replaces_noun("women"), replaces_noun("non-smokers"), replaces_noun("daily visitors")
    (True, True, False)
    >>> replaces_noun("smokers", "households"), replaces_noun("smokers", "patients")
    (False, True)
    """
    if not who:
        return False
    word = who.lower().removeprefix("non-")
    flag = any(_WHO_LABEL.match(w) for w in (word, singular(word)))
    return who in PEOPLE.values() or flag and (not entity or bool(_GROWN.search(entity.strip())))


def share_words(label: str, level: Any, entity: str | None = None) -> str | None:
    """What a share of a category level is a share of, where the level says who the rows are or ranks them: "of
    women" (:func:`people`, as the rows ``entity`` are: :func:`sexed`), "in 3rd class" (:func:`ordinal`); None for
    any other level. The cards' sentences ("a share of women (index 284)") and the drivers ("a higher share in 3rd
    class (100% vs 54% overall)") say it alike.

    >>> share_words("Sex", "female", "customers"), share_words("Sex", "female", "penguins"), share_words("P class", "3rd")
    ('of women', 'of female penguins', 'in 3rd class')
    """
    who = people(label, level)
    if who:
        return f"of {sexed(who, entity)}"
    ranked = ordinal(label, level)
    return f"in {ranked}" if ranked else None


def absent(label: str, level: Any, levels) -> str | None:
    """The No (or None) of a category column of three or more levels said as the thing missing: "no internet service"
    for Telco's internet service of DSL, Fiber optic and No ("internet service: more often No" before); None for any
    other level, and for a yes/no column, whose No may be a person's ("no student" would be wrong).

    >>> absent("Internet service", "No", ["DSL", "Fiber optic", "No"]), absent("Student", "No", ["Yes", "No"])
    ('no internet service', None)
    >>> absent("Student", "No", ["Yes", "No", "(missing)"])  # a marker of missing values is no level
    """
    known = {str(v) for v in levels if not re.fullmatch(r"\(.*\)", str(v))}  # "(missing)" marks gaps
    if str(level).strip().lower() not in ("no", "none") or len(known) < 3:
        return None
    return "no " + _bare(phrase(label))
