"""Answers on a scale: levels whose words say their order (Strongly disagree < Disagree < ... < Strongly agree).

A survey's answers are scored in their order (the ``ordinal`` role): 1 for the scale's first level, 5 for the fifth
of a five-point scale, whichever of its levels a table holds, so that a table that has no "Strongly disagree" scores
"Agree" 4 as the others do. One-hot encoded instead, the five answers to each of three questions would be fifteen
yes/no columns beside a few numbers, and would build the segments almost alone.

Tiers, plans and sizes (Bronze < Silver < Gold) also have an order, but a reader acts on them as groups ("more often
Gold"): they stay categories unless the roles make them ``ordinal``. Levels numbered in their text ("1 - Poor",
"5 - Excellent") are scored by their number when the roles make them ``ordinal``.

This module needs only pandas: checking an input does not load scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ...errors import ParamsError

__all__ = ["SURVEY_SCALES", "TIERS", "find_scale", "scale_of", "scale_scores", "scale_ends", "numbered_scale"]

#: Scales whose answers are scored in order by default. Each level lists the ways it is written (lower case).
SURVEY_SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("strongly disagree",), ("disagree", "somewhat disagree", "tend to disagree"),
     ("neutral", "neither agree nor disagree", "undecided"), ("agree", "somewhat agree", "tend to agree"),
     ("strongly agree",)),
    (("very dissatisfied",), ("dissatisfied", "somewhat dissatisfied"),
     ("neutral", "neither satisfied nor dissatisfied"), ("satisfied", "somewhat satisfied"), ("very satisfied",)),
    (("very unlikely",), ("unlikely", "somewhat unlikely"), ("neutral", "neither likely nor unlikely"),
     ("likely", "somewhat likely"), ("very likely",)),
    (("very poor",), ("poor",), ("fair", "average"), ("good",), ("very good",), ("excellent",)),
    (("never",), ("rarely", "seldom"), ("sometimes", "occasionally"), ("often", "frequently"), ("always",)),
    (("not at all important",), ("slightly important",), ("moderately important",), ("very important",),
     ("extremely important",)),
)
#: Levels in an order the words say, which stay categories unless the roles say ``ordinal``.
TIERS: tuple[tuple[tuple[str, ...], ...], ...] = tuple(
    tuple((w,) for w in words) for words in (
        ["bronze", "silver", "gold", "platinum", "diamond"], ["basic", "standard", "plus", "premium", "vip"],
        ["low", "medium", "high"], ["small", "medium", "large"], ["yearly", "quarterly", "monthly", "weekly", "daily"]))
#: A level numbered in its text: "1 - Poor", "5: Excellent", "2) Rarely", "10".
_NUMBERED = re.compile(r"\s*(\d{1,2})(?:\s*[-:.)=]\s*|\s+|$)")


def _key(value) -> str:
    return " ".join(str(value).strip().lower().split())


def find_scale(levels: Iterable, scales: Sequence = SURVEY_SCALES, *, least: int = 3):
    """The first of ``scales`` whose words hold every one of ``levels`` (case and spacing aside), when they fill at
    least ``least`` of its levels; else None.

    >>> len(find_scale(["Agree", "Strongly agree", "Neutral"]))
    5
    >>> find_scale(["Gold", "Silver"]) is None, find_scale(["Agree", "Gold", "Neutral"]) is None
    (True, True)
    """
    keys = {_key(v) for v in levels if not pd.isna(v)}
    for scale in scales:
        words = {w: i for i, level in enumerate(scale) for w in level}
        if keys and keys <= set(words) and len({words[k] for k in keys}) >= least:
            return scale
    return None


def scale_of(values: pd.Series, column: str):
    """The scale of an ``ordinal`` column: a survey's, a tier's (two levels are enough: a role the params set) or the
    numbers in its levels' text; None for a column of numbers, which are scores already.

    Raises
    ------
    ParamsError
        The levels have no order segkit knows (the roles made the column ``ordinal``).
    """
    if pd.api.types.is_numeric_dtype(values):
        return None
    levels = pd.unique(values.dropna())
    scale = find_scale(levels, SURVEY_SCALES + TIERS, least=1) or numbered_scale(levels)
    if scale is None:
        shown = ", ".join(map(repr, sorted(map(str, levels))[:6]))
        raise ParamsError(f"column {column!r} has the role ordinal, but its levels ({shown}) have no order segkit "
                          "knows", fix="set its role to categorical, or number its levels in their order "
                          "('1 - Poor', '2 - Fair', ...)", key="roles")
    return scale


def numbered_scale(levels: Iterable):
    """The scale of levels numbered in their text ("1 - Poor" ... "5 - Excellent"): one level per number from 1 to the
    highest, each written as the table writes it (the number alone where the table has no such level); None when a
    level has no number.

    >>> numbered_scale(["1 - Poor", "3 - Good", "2 - Fair"])
    (('1 - poor',), ('2 - fair',), ('3 - good',))
    """
    keys = {_key(v) for v in levels if not pd.isna(v)}
    numbers = {k: _NUMBERED.match(k) for k in keys}
    if not keys or not all(numbers.values()):
        return None
    by_number = {int(m.group(1)): k for k, m in numbers.items()}
    if len(by_number) < len(keys) or min(by_number) < 0:
        return None
    return tuple((by_number.get(i, str(i)),) for i in range(1, max(by_number) + 1))


def scale_scores(values: pd.Series, scale) -> np.ndarray:
    """Each value's place on ``scale``, counted from 1 (missing where the value is missing or not on the scale);
    numbers stay as they are (a table that stores the scores already).

    >>> scale_scores(pd.Series(["Agree", None, "strongly agree ", "n/a"]), find_scale(["agree", "neutral", "disagree"]))
    array([ 4., nan,  5., nan])
    """
    if pd.api.types.is_numeric_dtype(values) or scale is None:
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    place = {w: float(i + 1) for i, level in enumerate(scale) for w in level}
    return np.array([np.nan if pd.isna(v) else place.get(_key(v), np.nan) for v in values], dtype=float)


def scale_ends(scale, written: Iterable = ()) -> str:
    """What the scores mean, for a label: "1 = strongly disagree, 5 = strongly agree", each end as ``written`` has it
    (the table's own spelling) or as the scale's first way to write it.

    >>> scale_ends(find_scale(["Agree", "Neutral", "Disagree"]), ["Agree", "Neutral", "Disagree"])
    '1 = strongly disagree, 5 = strongly agree'
    >>> scale_ends(numbered_scale(["1 - Poor", "5 - Excellent"]), ["1 - Poor", "5 - Excellent"])
    '1 = poor, 5 = excellent'
    """
    spelt = {_key(v): str(v).strip() for v in written if not pd.isna(v)}
    ends = []
    for level in (scale[0], scale[-1]):
        word = _NUMBERED.sub("", next((spelt[w] for w in level if w in spelt), level[0]), count=1) or level[0]
        ends.append(word[:1].lower() + word[1:])
    return f"1 = {ends[0]}, {len(scale)} = {ends[1]}"
