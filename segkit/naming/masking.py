"""What sets a segment apart, measured without imputed values.

A value filled with the median (a missing income, a census sentinel) says nothing about its entity, so it
must never drive a segment's name: an area whose income was imputed is not "prosperous". The features
step records where it filled values (``FeatureSet.extra["imputed_rows"]``: feature -> row positions);
:func:`masked_scores` recomputes the z-scores and indexes of those features from the observed values
only. A segment with too few observed values of a feature (fewer than :data:`MIN_OBSERVED_SHARE` of its members)
gets no score on it (NaN), so the feature cannot name it: one customer of 302 with a value is no trait of the 302.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["masked_scores", "imputed_rows", "observed", "thinly_observed", "few_off_the_rule", "MIN_OBSERVED_SHARE"]

#: A segment's score on a feature needs at least this share of its members observed (not filled in).
MIN_OBSERVED_SHARE = 0.25
#: A feature whose one value this share of the rows hold ...
DOMINANT_SHARE = 0.95
#: ... gives a segment a card fact only from this many of its members off that value.
MIN_RARE_ROWS = 10


def imputed_rows(missing: pd.DataFrame) -> dict[str, list[int]]:
    """Feature -> positions of the rows whose value was missing (and filled), from a boolean table."""
    return {str(c): [int(i) for i in np.flatnonzero(missing[c].to_numpy())] for c in missing.columns
            if missing[c].any()}


def observed(table: pd.DataFrame, imputed: Mapping[str, Sequence[int]] | None) -> pd.DataFrame:
    """``table`` with the values the features step imputed (``imputed``: feature -> row positions) missing again, so
    that a profile of it describes what was observed.

    >>> observed(pd.DataFrame({"a": [1.0, 5.0, 3.0]}), {"a": [1]})["a"].tolist()
    [1.0, nan, 3.0]
    """
    out = table.copy()
    for feat, rows in (imputed or {}).items():
        if feat in out.columns and len(rows):
            out.iloc[np.asarray(rows, dtype=int), out.columns.get_loc(feat)] = np.nan
    return out


def thinly_observed(labels, imputed: Mapping[str, Sequence[int]] | None, segment) -> set[str]:
    """The features fewer than :data:`MIN_OBSERVED_SHARE` of ``segment``'s members have an observed value of: no name
    and no card fact of the segment comes from them.

    >>> sorted(thinly_observed([0, 0, 0, 0, 1], {"pdays": [0, 1, 2, 3], "age": [4]}, 0))
    ['pdays']
    """
    members = np.asarray(labels) == segment
    size = int(members.sum())
    filled = {f: int(members[np.asarray(rows, dtype=int)].sum()) for f, rows in (imputed or {}).items() if len(rows)}
    return {f for f, n in filled.items() if size and (size - n) / size < MIN_OBSERVED_SHARE}


def few_off_the_rule(table: pd.DataFrame, labels, columns: Sequence[str], *, min_rows: int = MIN_RARE_ROWS,
                     dominant: float = DOMINANT_SHARE) -> dict[int, set[str]]:
    """Segment -> the ``columns`` where one value holds ``dominant`` of all rows or more (a delinquent amount, 0 for
    99.5% of loans) and the segment's members hold any other value too seldom to say anything. That is: fewer than
    ``min_rows`` of them do (a fifth of all such rows when there are fewer than 50, at least 5: a small table's 9 of
    200 can all be one segment's trait), as lending club's "Delinq amnt 29.4 (index 242)" was 6 loans of 1,700, unless
    the other segments' rate would give it that many and its mean is lower too (a segment of thousands with no fraud
    where the others have many keeps the fact); or they do as often as the other segments' members, within a factor
    of 2 (its "Delinq amnt 0.63 (index 5)": 0.4% of the segment's loans against 0.5%, of smaller amounts). Such a mean
    is a few rows' amounts, no card fact.

    >>> t = pd.DataFrame({"fee": [0.0] * 97 + [5.0, 9.0, 7.0], "age": range(100)})
    >>> few_off_the_rule(t, [0] * 50 + [1] * 50, ["fee", "age"])
    {0: {'fee'}, 1: {'fee'}}
    """
    labels = np.asarray(labels)
    out: dict[int, set[str]] = {int(s): set() for s in np.unique(labels)}
    for col in [c for c in columns if c in table.columns]:
        values = table[col]
        top = values.value_counts(normalize=True)
        if len(top) < 2 or top.iloc[0] < dominant:
            continue
        per = pd.DataFrame({"off": (values.notna() & values.ne(top.index[0])).to_numpy(),
                            "value": values.fillna(0).to_numpy(dtype=float)}).groupby(labels)
        off, size, total = per["off"].sum(), per.size(), per["value"].sum()
        others = (len(labels) - size).clip(lower=1)
        rest = (off.sum() - off) / others  # the other segments' rate
        ratio = (off / size) / rest.where(rest > 0)  # NaN without any elsewhere: a trait
        lower = total / size < (total.sum() - total) / others
        floor = min(min_rows, max(5, int(np.ceil(0.2 * off.sum()))))
        # a few rows off the value: no fact, unless far fewer than the others' rate would give, and a lower mean too
        few = (off < floor) & ~((ratio < 0.5) & lower & (rest * size >= floor))
        for seg in off.index[few | ((ratio > 0.5) & (ratio < 2))]:
            out[int(seg)].add(col)
    return out


def masked_scores(table: pd.DataFrame, labels, zscores: pd.DataFrame, index: pd.DataFrame,
                  imputed: Mapping[str, Sequence[int]] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The z-scores and indexes of a profile with every imputed value left out.

    Parameters
    ----------
    table : DataFrame
        One row per entity, in the order of ``labels`` and of the recorded positions.
    labels : array-like of int
        The segment of each row.
    zscores, index : DataFrame
        The profile's segment x feature tables (returned as they are for features without imputation).
    imputed : mapping of str to list of int
        Feature -> positions of the rows whose value was imputed.

    Returns
    -------
    (DataFrame, DataFrame)
        Copies of ``zscores`` and ``index`` with the imputed features recomputed from observed values.
    """
    z, idx = zscores.copy(), index.copy()
    seg = np.asarray(labels)
    for feat, rows in (imputed or {}).items():
        if feat not in z.columns or feat not in table.columns or not len(rows):
            continue
        values = table[feat].to_numpy(dtype=float, copy=True)
        values[np.asarray(rows, dtype=int)] = np.nan
        observed = values[np.isfinite(values)]
        if observed.size < 2:
            z[feat], idx[feat] = np.nan, np.nan
            continue
        by_segment = pd.Series(values).groupby(seg)
        seen = by_segment.count() / by_segment.size()
        means = by_segment.mean().where(seen >= MIN_OBSERVED_SHARE).reindex(z.index)
        mean, std, low = observed.mean(), observed.std(), observed.min()
        z[feat] = (means - mean) / std if std > 0 else 0.0
        if low >= 0 and mean > 0:
            idx[feat] = 100.0 * means / mean
        elif mean > low:
            idx[feat] = 100.0 * (means - low) / (mean - low)
    return z, idx
