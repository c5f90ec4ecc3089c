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

__all__ = ["SURVEY_SCALES", "TIERS", "NON_ANSWERS", "answer_key", "find_scale", "answer_scale", "scale_of",
           "scale_scores",
           "scale_ends", "scale_range", "in_order", "off_scale", "numbered_scale", "scale_json"]


def _points(*levels: str | tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(level if isinstance(level, tuple) else (level,) for level in levels)


_NEUTRAL = ("neutral", "neither agree nor disagree", "undecided")
#: Scales whose answers are scored in order by default. Each level lists the ways it is written (lower case). A
#: table is read on the first scale that holds all its answers, each on a level of its own: five points before seven
#: (a table with both "agree" and "somewhat agree" is on the seven-point scale).
SURVEY_SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    _points("strongly disagree", ("disagree", "somewhat disagree", "tend to disagree"), _NEUTRAL,
            ("agree", "somewhat agree", "tend to agree"), "strongly agree"),
    _points("strongly disagree", "disagree", "somewhat disagree", _NEUTRAL, "somewhat agree", "agree",
            "strongly agree"),
    _points("very dissatisfied", ("dissatisfied", "somewhat dissatisfied"),
            ("neutral", "neither satisfied nor dissatisfied"), ("satisfied", "somewhat satisfied"), "very satisfied"),
    _points("very dissatisfied", "dissatisfied", "somewhat dissatisfied",
            ("neutral", "neither satisfied nor dissatisfied"), "somewhat satisfied", "satisfied", "very satisfied"),
    _points("very unlikely", ("unlikely", "somewhat unlikely"), ("neutral", "neither likely nor unlikely"),
            ("likely", "somewhat likely"), "very likely"),
    _points("very unlikely", "unlikely", "somewhat unlikely", ("neutral", "neither likely nor unlikely"),
            "somewhat likely", "likely", "very likely"),
    _points("poor", ("fair", "average"), "good", "very good", "excellent"),
    _points("very poor", "poor", ("fair", "average"), "good", "very good"),
    _points("very poor", "poor", ("fair", "average"), "good", "very good", "excellent"),
    _points("never", ("rarely", "seldom"), ("sometimes", "occasionally"), ("often", "frequently"), "always"),
    _points("not at all important", "slightly important", "moderately important", "very important",
            "extremely important"),
)
#: Levels in an order the words say, which stay categories unless the roles say ``ordinal``.
TIERS: tuple[tuple[tuple[str, ...], ...], ...] = tuple(_points(*words) for words in (
    ["bronze", "silver", "gold", "platinum", "diamond"], ["basic", "standard", "plus", "premium", "vip"],
    ["low", "medium", "high"], ["small", "medium", "large"], ["yearly", "quarterly", "monthly", "weekly", "daily"]))
#: Answers that are no answer: scored as missing, never as a level.
NON_ANSWERS = frozenset({"don't know", "dont know", "do not know", "n/a", "na", "not applicable", "prefer not to say",
                         "no opinion", "no answer", "not sure", "unsure", "refused", "-"})
#: Answers off the scale (a typo) tolerated in a column read as a scale, as a share of its answers: they are missing.
OFF_SCALE_SHARE = 0.02
#: A level numbered in its text: "1 - Poor", "5: Excellent", "2) Rarely", "10 – Extremely likely", "10".
_NUMBERED = re.compile(r"\s*(\d{1,2})(?:\s*[-–—:.)=]\s*|\s+|$)")


def answer_key(value) -> str:
    """How a written answer is compared: lower case, one space between words ("Strongly  Agree " is "strongly
    agree"); curly apostrophes as straight ones."""
    return " ".join(str(value).replace("’", "'").strip().lower().split())


def _places(scale) -> dict[str, int]:
    """Each way of writing a level of ``scale`` -> the level's place (0 for the first)."""
    return {w: i for i, level in enumerate(scale) for w in level}


def _by_answer(values: pd.Series, score) -> pd.Series:
    """``score`` of each value's key, computed once per distinct value (a column of 100,000 answers has five)."""
    known = values.dropna()
    uniq = pd.unique(known)
    return known.map(dict(zip(uniq, (score(answer_key(u)) for u in uniq))))


def find_scale(levels: Iterable, scales: Sequence = SURVEY_SCALES, *, least: int = 3):
    """The first of ``scales`` whose words hold every one of ``levels`` (case and spacing aside; non-answers such as
    "Don't know" left out), each on a level of its own, when they fill at least ``least`` of its levels; else None.

    >>> len(find_scale(["Agree", "Strongly agree", "Neutral", "Don't know"]))
    5
    >>> len(find_scale(["Agree", "Somewhat agree", "Neutral"])), len(find_scale(["Good", "Poor", "Excellent"]))
    (7, 5)
    >>> find_scale(["Gold", "Silver"]) is None, find_scale(["Agree", "Gold", "Neutral"]) is None
    (True, True)
    """
    keys = {answer_key(v) for v in levels if not pd.isna(v)} - NON_ANSWERS
    for scale in scales:
        place = _places(scale)
        if keys and keys <= set(place) and len({place[k] for k in keys}) == len(keys) >= least:
            return scale
    return None


def answer_scale(values: pd.Series, scales: Sequence = SURVEY_SCALES, *, least: int = 3):
    """:func:`find_scale` of a column's answers, tolerating a few off every scale (a typo: at most
    :data:`OFF_SCALE_SHARE` of the answers), which are then scored as missing."""
    counts = values.dropna().astype(str).value_counts()  # the keys of the distinct answers, not of every row
    counts = counts.groupby(counts.index.map(answer_key)).sum()
    counts = counts[~counts.index.isin(NON_ANSWERS)]
    if counts.empty:
        return None
    for scale in scales:
        on = counts.index.isin(list(_places(scale)))
        if counts[~on].sum() <= OFF_SCALE_SHARE * counts.sum() and find_scale(counts.index[on], [scale], least=least):
            return scale
    return None


def numbered_scale(levels: Iterable):
    """The scale of levels numbered in their text ("0 - Not at all likely" ... "10 - Extremely likely"): one level
    per number from the lowest to the highest, each its number and the text the table gives it; None when a level
    has no number or two levels the same one. Its answers score their number.

    >>> numbered_scale(["1 - Poor", "3 - Good", "2 - Fair"])
    (('1', '1 - poor'), ('2', '2 - fair'), ('3', '3 - good'))
    """
    keys = {answer_key(v) for v in levels if not pd.isna(v)} - NON_ANSWERS
    numbers = {k: _NUMBERED.match(k) for k in keys}
    if not keys or not all(numbers.values()):
        return None
    by_number = {int(m.group(1)): k for k, m in numbers.items()}
    if len(by_number) < len(keys):
        return None
    lo, hi = min(by_number), max(by_number)
    return tuple((str(n),) + ((by_number[n],) if by_number.get(n, str(n)) != str(n) else ()) for n in range(lo, hi + 1))


def _is_numbered(scale) -> bool:
    return all(level[0].isdigit() for level in scale)


def scale_range(scale) -> tuple[int, int]:
    """The scores of a scale's first and last levels: 1 and its length, or a numbered scale's own numbers.

    >>> scale_range(find_scale(["Agree", "Neutral", "Disagree"])), scale_range(numbered_scale(["0", "10 - Likely"]))
    ((1, 5), (0, 10))
    """
    return (int(scale[0][0]), int(scale[-1][0])) if _is_numbered(scale) else (1, len(scale))


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
    scale = answer_scale(values, SURVEY_SCALES + TIERS, least=1) or numbered_scale(pd.unique(values.dropna()))
    if scale is None:
        shown = ", ".join(map(repr, sorted(map(str, pd.unique(values.dropna())))[:6]))
        raise ParamsError(f"column {column!r} has the role ordinal, but its levels ({shown}) have no order segkit "
                          "knows", fix="set its role to categorical, or number its levels in their order "
                          "('1 - Poor', '2 - Fair', ...)", key="roles")
    return scale


def scale_scores(values: pd.Series, scale) -> np.ndarray:
    """Each value's score on ``scale``: its place counted from 1, or a numbered level's number ("7 - Likely",
    "7-likely" and "7" all score 7); missing where the value is missing, a non-answer or off the scale. Numbers stay
    as they are (a table that stores the scores already).

    >>> agree = find_scale(["agree", "neutral", "disagree"])
    >>> scale_scores(pd.Series(["Agree", None, "strongly agree ", "Don't know"]), agree)
    array([ 4., nan,  5., nan])
    >>> scale_scores(pd.Series(["0 - Not likely", "7", "10–Very likely", "11"]), numbered_scale(["0", "10"]))
    array([ 0.,  7., 10., nan])
    """
    if pd.api.types.is_numeric_dtype(values) or scale is None:
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    values = pd.Series(values).reset_index(drop=True)
    if _is_numbered(scale):
        lo, hi = scale_range(scale)

        def score(key: str) -> float:
            m = _NUMBERED.match(key)
            return float(m.group(1)) if m and lo <= int(m.group(1)) <= hi else np.nan
    else:
        place = _places(scale)

        def score(key: str) -> float:
            return float(place[key] + 1) if key in place else np.nan
    return _by_answer(values, score).reindex(values.index).to_numpy(dtype=float)


def in_order(levels: Iterable, scale) -> list[str]:
    """The ``levels`` on ``scale``, in its order (the others left out).

    >>> in_order(["Agree", "Don't know", "Disagree"], find_scale(["agree", "neutral", "disagree"]))
    ['Disagree', 'Agree']
    """
    place = _places(scale)
    return sorted((str(v) for v in levels if answer_key(v) in place), key=lambda v: place[answer_key(v)])


def off_scale(values: pd.Series, scale) -> pd.Series:
    """The answers of a word column that ``scale`` does not score (non-answers, typos), with their counts."""
    if scale is None or pd.api.types.is_numeric_dtype(values):
        return pd.Series(dtype=int)
    text = values.dropna().astype(str).str.strip()
    return text[np.isnan(scale_scores(text, scale))].value_counts()


def scale_ends(scale, written: Iterable = ()) -> str:
    """What the scores mean, for a label: "1 = strongly disagree, 5 = strongly agree", each end as ``written`` has it
    (the table's own spelling) or as the scale's first way to write it.

    >>> scale_ends(find_scale(["Agree", "Neutral", "Disagree"]), ["Agree", "Neutral", "Disagree"])
    '1 = strongly disagree, 5 = strongly agree'
    >>> scale_ends(numbered_scale(["0 - Not at all likely", "10 - Extremely likely"]))
    '0 = not at all likely, 10 = extremely likely'
    """
    spelt = {answer_key(v): str(v).strip() for v in written if not pd.isna(v)}
    ends = []
    for level in (scale[0], scale[-1]):
        word = next((spelt[w] for w in level[::-1] if w in spelt), level[-1])
        word = _NUMBERED.sub("", word, count=1) or word
        ends.append(word[:1].lower() + word[1:])
    lo, hi = scale_range(scale)
    return f"{lo} = {ends[0]}, {hi} = {ends[1]}"


def scale_json(scale) -> list[list[str]]:
    """A scale as JSON keeps it (in ``attrs``, a model's metadata): a list of each level's ways to write it."""
    return [list(level) for level in scale]
