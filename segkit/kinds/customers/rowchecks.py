"""Rows that cannot be scored honestly, and values far from anything a model was trained on.

:func:`~segkit.kinds.customers.score.score_customers` runs these checks on the new rows before it
predicts anything:

- **true/false in a numeric column** is refused (:class:`~segkit.errors.ColumnError` naming the
  column): a boolean is not an age or an income, and reading it as 0/1 would score nonsense;
- **every feature missing**: the row is not scored (the imputer would give it the training medians and
  a confident segment that says nothing about the customer); ``not_scored`` says why;
- **an infinite or absurd value** (size at least :data:`segkit.quality.ABSURD_VALUE`, as in training, where
  such values are missing) in a numeric column: the row is not scored; ``not_scored`` names the column and
  says which ("infinite value in age", "value of impossible size in income (1e+300)");
- **most features blank**: the row is scored, its blanks filled as in training, and ``filled_features``
  counts them; more than half of the features blank is said in a warning, since the segment then says more
  about the training's typical customer than about this one;
- **a negative value in a column that had none in training** (an age of -5): flagged in
  ``outside_training_range`` like a far value, whatever its distance;
- **far outside the training range**: a numeric value is *far* when it lies beyond the training minimum
  or maximum by more than the training range itself (below ``min - (max - min)`` or above
  ``max + (max - min)``; for a column that was constant in training, any other value). The row is
  scored, since the model gives it a segment, but flagged in ``outside_training_range``, because that
  segment is an extrapolation. Date columns are not checked.

Each finding is also a plain sentence in the result's ``attrs["warnings"]`` (counts and example values,
never ids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import ColumnError
from ...naming.words import counted
from ...quality import ABSURD_VALUE

__all__ = ["FAR_RULE", "training_ranges", "refuse_booleans", "RowFlags", "row_flags"]

#: How "far outside the training range" is defined, in words (for documentation and messages).
FAR_RULE = "beyond the training minimum or maximum by more than the training range (max - min)"


def training_ranges(features: pd.DataFrame, roles: Mapping[str, str]) -> dict[str, list[float]]:
    """``[min, max]`` of the finite values of each numeric (or ordinal: scores) column of the training features."""
    out = {}
    for col in [c for c in features.columns if roles.get(c) in ("numeric", "ordinal")]:
        values = pd.to_numeric(features[col], errors="coerce").astype(float)
        values = values[np.isfinite(values)]
        if len(values):
            out[str(col)] = [float(values.min()), float(values.max())]
    return out


def number(value: float) -> str:
    """A value for a message: six significant digits, so that 1e308 stays short."""
    return f"{value:,.6g}"


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def refuse_booleans(df: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise :class:`ColumnError` when a numeric column holds true/false values."""
    for col in columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            count = int(s.notna().sum())
        elif s.dtype == object:
            count = int(s.map(_is_bool).sum())
        else:
            continue
        if count:
            raise ColumnError(f"column {col!r} should hold numbers but {counted(count, 'values')} "
                              f"{'is' if count == 1 else 'are'} true/false",
                              f"give {col!r} numbers (a boolean is not a {col}), or leave those cells empty",
                              column=str(col))


class RowFlags:
    """What the checks found: ``not_scored`` (reason or ""), ``outside`` (bool), ``filled`` (blank features per
    row) and ``warnings``."""

    def __init__(self, index: pd.Index):
        self.not_scored = pd.Series("", index=index, dtype=object)
        self.outside = pd.Series(False, index=index, dtype=bool)
        self.filled = pd.Series(0, index=index, dtype="int64")
        self.warnings: list[str] = []

    @property
    def scorable(self) -> pd.Series:
        return self.not_scored.eq("")


def row_flags(X: pd.DataFrame, metadata: Mapping) -> RowFlags:
    """Flag the rows of the checked features ``X`` that cannot be scored or lie far outside training."""
    flags = RowFlags(X.index)
    roles = metadata.get("roles") or {}
    empty = X.isna().all(axis=1)
    if empty.any():
        flags.not_scored[empty] = "every feature is missing"
        one = int(empty.sum()) == 1
        flags.warnings.append(f"{counted(int(empty.sum()), 'rows')} {'has' if one else 'have'} every feature missing "
                              f"and {'was' if one else 'were'} not scored")
    numeric = [c for c in X.columns if roles.get(c) in ("numeric", "ordinal") and pd.api.types.is_numeric_dtype(X[c])]
    for col in numeric:
        _too_large(flags, col, X[col].to_numpy(dtype=float))
    _mostly_blank(flags, X)
    ranges = metadata.get("ranges") or {}
    for col in [c for c in numeric if c in ranges]:
        lo, hi = (float(v) for v in ranges[col])
        values = X[col].to_numpy(dtype=float)
        span = hi - lo
        with np.errstate(invalid="ignore"):
            scored = flags.scorable.to_numpy() & np.isfinite(values)
            far = scored & ((values < lo - span) | (values > hi + span))
            negative = scored & ~far & (values < 0) & (lo >= 0)
        _flag(flags, col, values, far, "values", f"far outside the training range {number(lo)} to {number(hi)}")
        _flag(flags, col, values, negative, "negative values", f"though training's lowest was {number(lo)}")
    flags.outside &= flags.scorable
    return flags


def _flag(flags: RowFlags, col: str, values: np.ndarray, mask: np.ndarray, noun: str, what: str) -> None:
    """Flag the rows of ``mask`` in ``outside_training_range``, with a warning saying how many ``noun`` (plural:
    "values"), ``what`` and examples."""
    if not mask.any():
        return
    flags.outside |= pd.Series(mask, index=flags.outside.index)
    examples = ", ".join(number(v) for v in pd.unique(values[mask])[:3])
    flags.warnings.append(f"column {col!r} has {counted(int(mask.sum()), noun)} {what} (e.g. {examples}); those rows "
                          "are scored but flagged in outside_training_range")


def _too_large(flags: RowFlags, col: str, values: np.ndarray) -> None:
    """Rows with an infinite or absurdly large value in ``col`` are not scored, each said as what it is."""
    with np.errstate(invalid="ignore"):
        mask = np.abs(values) >= ABSURD_VALUE
    if not mask.any():
        return
    hit = pd.Series(mask, index=flags.not_scored.index) & flags.scorable
    if not hit.any():  # every such row is already not scored, for another column
        return
    infinite, at = np.isinf(values), hit.to_numpy()
    reasons = [f"infinite value in {col}" if inf else f"value of impossible size in {col} ({number(v)})"
               for v, inf in zip(values[at], infinite[at])]
    flags.not_scored[hit] = reasons
    n_inf, n_large = int(infinite[at].sum()), int((~infinite[at]).sum())
    parts = [counted(n_inf, "infinite values")] * bool(n_inf) + \
        [f"{counted(n_large, 'values')} of impossible size (at least {ABSURD_VALUE:,.0f} either side of zero)"] \
        * bool(n_large)
    flags.warnings.append(f"column {col!r} holds {' and '.join(parts)}; those rows were not scored")


def _mostly_blank(flags: RowFlags, X: pd.DataFrame) -> None:
    """Count each row's blank features; a warning for the scored rows with more than half of them blank."""
    flags.filled = X.isna().sum(axis=1).astype("int64")
    most = flags.scorable & (flags.filled * 2 > X.shape[1])
    if most.any():
        one = int(most.sum()) == 1
        flags.warnings.append(f"{counted(int(most.sum()), 'scored rows')} {'has' if one else 'have'} more than half of "
                              f"the model's {X.shape[1]} features blank, filled as in training (see filled_features): "
                              f"{'its' if one else 'their'} segment says little about {'it' if one else 'them'}")
