"""How a column's levels read, from its name: a gender's words (Female and Male in seven languages) and the codes
of a trait of several kinds (a sex or a race coded 0 and 1, which the data does not say how to read)."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["coded_name", "gender_label", "gender_words"]

#: How a gender column writes female and male in English, German, French, Spanish, Portuguese, Italian and Dutch.
_FEMALE = {"f", "female", "woman", "w", "weiblich", "frau", "femme", "féminin", "feminin", "mujer", "femenino",
           "feminino", "donna", "femmina", "vrouw", "vrouwelijk", "v"}
_MALE = {"m", "male", "man", "männlich", "maennlich", "mann", "homme", "masculin", "hombre", "masculino", "uomo",
         "maschio", "mannelijk"}
_GENDER_NAME = re.compile(r"(?i)^(?:.*[_\s])?(?:gender|sex|geschlecht|sexe|sexo|genere|sesso|geslacht|genre|g[eé]nero|"
                          r"gênero)$")
#: A name that says a trait of several kinds (a sex, a race, a region): its two values 0 and 1 are two codes, not no
#: and yes (NHEFS's sex and race: segments named "(sex: no)"), whatever the role (:func:`coded_name`).
_CODE_NAME = re.compile(r"(?i)^(?:.*[_\s])?(?:race|ethnicity|ethnic[_\s]?group|region|religion|nationality|language)$")
#: ... unless the name says a yes or no of it: "same_region", "mixed_race", "native_language" are flags.
_FLAG_OF = re.compile(r"(?i)(?:^|[_\s])(?:same|mixed|multi|foreign|native|other|second|different|is|has|any|new)"
                      r"[_\s]?[a-z]+$")


def coded_name(name) -> bool:
    """Whether a column's name says a trait of several kinds (a sex, a race), whose 0 and 1 are two codes."""
    name = str(name).strip()
    return bool((_GENDER_NAME.match(name) or _CODE_NAME.match(name)) and not _FLAG_OF.search(name))


def gender_label(levels: pd.Series, name: str) -> str | None:
    """"Gender" for a gender column (:func:`~segkit.kinds.customers.values.genders`) whose name says so in another
    language or in one of those words' other senses: the Mall customers' "Genre" of Male and Female read "genre: more
    often Female" in the sentences (now "a higher share of women": :func:`~segkit.naming.people.people`). None for any
    other column, and for one named in English ("gender", "sex").
    ``levels``: the column's values as text (:func:`~segkit.kinds.customers.values.level_text`)."""
    if re.search(r"(?i)gender|\bsex\b|(?:^|_)sex(?:_|$)", name) or gender_words(levels, name) is None:
        return None
    return "Gender"


def gender_words(levels: pd.Series, name: str) -> pd.Series | None:
    """"Female", "Male" or NaN for each value (``levels``, as text) of a column whose name says gender and whose
    values are mostly a gender's words (:data:`_FEMALE`, :data:`_MALE`); None for any other column."""
    if not _GENDER_NAME.match(name.strip()):
        return None
    key = levels.str.casefold()
    word = key.map(lambda v: "Female" if v in _FEMALE else "Male" if v in _MALE else None)
    return None if word.notna().sum() < 0.8 * key.notna().sum() else word
