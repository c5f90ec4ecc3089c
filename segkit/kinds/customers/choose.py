"""Which of a customer table's columns feed the segments, and the notes that say why: a column that says what another
says (:func:`twins`), one mostly empty (:func:`filled_enough`), one that one value fills (:func:`near_constant`), and
what the scores of answers on a scale mean (:func:`scored_in_order`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...format import format_number, format_share
from ...naming.words import counted
from .scales import off_scale, scale_ends, scale_range
from .units import logged

__all__ = ["TWIN_CORRELATION", "MAX_MISSING_SHARE", "NEAR_CONSTANT", "twins", "filled_enough", "scored_in_order",
           "near_constant"]


#: Two numeric features whose ranks correlate at least this much say one thing (tenure in months beside the days
#: since signup): the later one is left out, so that it does not count twice in the distances. Ranks, so that a few
#: extreme customers in two unrelated columns do not make them look alike.
TWIN_CORRELATION = 0.995


def twins(table: pd.DataFrame, measured: Mapping[str, str]) -> dict[str, tuple[str, float | None]]:
    """Features that say what an earlier one says: feature -> (the earlier feature, the rank correlation of their
    values, None when they are equal in every row). ``measured`` maps each feature to the numeric column of its
    values (a date's days since), whose gaps are filled by then. "Earlier" is in the table's order, a column whose
    name says it is a logarithm after the others (:func:`~.units.logged`)."""
    cols = [c for c, v in measured.items() if v in table.columns and pd.api.types.is_numeric_dtype(table[v])]
    cols.sort(key=logged)  # a value before its logarithm (ISLR's wage before logwage): the pages show the value
    if len(cols) < 2:
        return {}
    values = table[[measured[c] for c in cols]].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant column correlates with nothing (NaN)
        r = np.corrcoef(values.rank().to_numpy(), rowvar=False)
    out: dict[str, tuple[str, float | None]] = {}
    kept: list[int] = []
    for j, col in enumerate(cols):
        i = next((i for i in kept if abs(r[i, j]) >= TWIN_CORRELATION), None)
        if i is None:
            kept.append(j)
        else:
            same = np.array_equal(values.iloc[:, i].to_numpy(), values.iloc[:, j].to_numpy())
            out[col] = (cols[i], None if same else float(r[i, j]))
    return out


#: A column of at most this many levels may be another's in other words (0/1 beside no/yes; 1-3 beside low-high)
RECODE_LEVELS = 30
#: ... and each of its levels on at least this many rows
RECODE_ROWS = 10


def recodes(table: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """Columns whose every value stands for one value of an earlier column, and the reverse, row by row, gaps in the
    same rows (HELPrct's ``link``, yes/no, beside ``linkstatus``, 0/1; ``sex`` beside ``female``): column -> the
    earlier column. Both read in order of first appearance give the same codes exactly then."""
    first: dict[bytes, str] = {}
    out: dict[str, str] = {}
    for col in sorted(columns, key=logged):
        s = table[col]
        counts = s.value_counts()  # every level on ten rows at least: two flags' rare yeses on the same rows are chance
        if not 2 <= len(counts) <= RECODE_LEVELS or counts.min() < RECODE_ROWS:
            continue
        key = hashlib.blake2b(pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64).tobytes()).digest()
        if key in first:
            out[col] = first[key]
        else:
            first[key] = col
    return out


#: A column emptier than this share is left out of the features unless ``features`` names it (the schema's
#: ``max_missing_share`` warns of it with the same share).
MAX_MISSING_SHARE = 0.5


def filled_enough(cleaned: pd.DataFrame, columns: list[str], notes: list[str]) -> list[str]:
    """``columns`` without those more than :data:`MAX_MISSING_SHARE` empty (with a note each), unless that would leave
    none: a column filled for a few customers would split the rest by the median or the most common level."""
    empty = cleaned[columns].isna().mean()
    sparse = [c for c in columns if empty[c] > MAX_MISSING_SHARE]
    if not sparse or len(sparse) == len(columns):
        return columns
    notes += [f"{c} is {empty[c]:.0%} empty: left out of the features (name it in features to keep it)."
              for c in sparse]
    return [c for c in columns if c not in sparse]


def scored_in_order(scales: Mapping[str, list], cleaned: pd.DataFrame, notes: list[str]) -> dict[str, list[str]]:
    """What the scores of answers on a scale mean: a note added to ``notes`` (which also names the answers scored as
    no answer, such as "Don't know" or a typo); returned, for each column, the words its labels end with
    (``extra["label_notes"]``: "1 = strongly disagree, 5 = strongly agree" and "1-5")."""
    ends = {c: scale_ends(scale, pd.unique(cleaned[c].dropna())) for c, scale in scales.items()}
    if not ends:
        return {}
    said = {c: [e, "-".join(map(str, scale_range(scales[c])))] for c, e in ends.items()}
    shared = next(iter(ends.values())) if len(set(ends.values())) == 1 else None
    listed = ", ".join(ends) if shared else "; ".join(f"{c}: {e}" for c, e in ends.items())
    notes.append(f"Answers on a scale are scored in their order: {listed}" + (f" ({shared})." if shared else "."))
    for col, scale in scales.items():
        off = off_scale(cleaned[col], scale)
        if len(off):
            shown = ", ".join(f"{v!r} ({n:,})" for v, n in off.head(5).items())
            notes.append(f"{col}: {counted(int(off.sum()), 'answers')} on no point of the scale "
                         f"{'counts' if int(off.sum()) == 1 else 'count'} as no answer: {shown}.")
    return said


#: A feature whose one value this share of the rows hold sets apart at most a small group, and a note says so.
NEAR_CONSTANT = 0.95


def near_constant(observed: pd.DataFrame, columns: list[str], entity: str) -> list[str]:
    """A note for each of ``columns`` whose one value :data:`NEAR_CONSTANT` of the rows with a value hold or more:
    "Country: 98.6% of customers have 'US'; it can set apart only a small group, or none." ``observed`` holds the
    values as read (before gaps are filled): the answer "Agree", not its score 4."""
    notes = []
    for col in [c for c in columns if c in observed.columns]:
        values = observed[col].dropna()
        shares = values.astype(str).str.strip().value_counts(normalize=True) if values.dtype == object \
            else values.value_counts(normalize=True)
        if len(shares) > 1 and shares.iloc[0] >= NEAR_CONSTANT:
            value = shares.index[0]
            said = repr(value) if isinstance(value, str) else format_number(float(value))
            known = f" of the {len(values):,} with a value" if len(values) < len(observed) else ""
            notes.append(f"{col}: {format_share(shares.iloc[0], 1)} of {entity}{known} have {said}; it can set apart "
                         "only a small group, or none.")
    return notes
