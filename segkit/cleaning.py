"""What every data kind's cleaning shares: the cleaning log, the examples in messages, date parsing.

A kind's ``clean`` applies its own rules in order and records each in a :class:`CleaningLog`, which the
data-quality report shows rule by rule and the manifest keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CleaningStep", "CleaningLog", "examples", "parse_dates"]


@dataclass(frozen=True)
class CleaningStep:
    """One applied rule: what it does and how many rows it removed (or netted)."""

    rule: str
    description: str
    rows_before: int
    rows_removed: int
    rows_after: int
    rows_netted: int = 0
    note: str = ""


@dataclass
class CleaningLog:
    """Ordered record of the cleaning rules applied, for reports and run metadata.

    Attributes
    ----------
    steps : list of CleaningStep
    """

    steps: list[CleaningStep] = field(default_factory=list)

    def add(self, rule: str, description: str, rows_before: int, rows_removed: int,
            *, rows_netted: int = 0, note: str = "") -> None:
        """Append a step; ``rows_after`` is computed."""
        self.steps.append(CleaningStep(rule, description, int(rows_before), int(rows_removed),
                                       int(rows_before) - int(rows_removed), int(rows_netted),
                                       note))

    @property
    def rows_in(self) -> int:
        """Rows before the first rule (0 for an empty log)."""
        return self.steps[0].rows_before if self.steps else 0

    @property
    def rows_out(self) -> int:
        """Rows after the last rule (0 for an empty log)."""
        return self.steps[-1].rows_after if self.steps else 0

    def __getitem__(self, rule: str) -> CleaningStep:
        for step in self.steps:
            if step.rule == rule:
                return step
        raise KeyError(f"no cleaning rule {rule!r}; rules: {[s.rule for s in self.steps]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per rule, in order, with the step fields as columns."""
        names = [f.name for f in fields(CleaningStep)]
        return pd.DataFrame([asdict(s) for s in self.steps], columns=names)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (plain ints and strings)."""
        return {"rows_in": self.rows_in, "rows_out": self.rows_out,
                "steps": [asdict(s) for s in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CleaningLog:
        """Inverse of :meth:`to_dict`."""
        return cls([CleaningStep(**step) for step in data["steps"]])


def examples(values, n: int = 3, *, quote: bool = True, count_rest: bool = False) -> str:
    """Up to ``n`` distinct values of ``values`` for a message naming examples.

    Values are shown as reprs (``quote``) or as plain text; with ``count_rest`` the number of distinct
    values not shown follows (``"a, b and 3 more"``).

    >>> examples(pd.Series(["x", "y", "x", "z"]), 2)
    "'x', 'y'"
    >>> examples(["17850", "12583", "13047"], 2, quote=False, count_rest=True)
    '17850, 12583 and 1 more'
    """
    distinct = pd.unique(pd.Series(list(values), dtype=object))
    shown = [v.item() if isinstance(v, np.generic) else v for v in distinct[:n]]
    text = ", ".join(repr(v) if quote else str(v) for v in shown)
    rest = len(distinct) - len(shown)
    return text + (f" and {rest:,} more" if count_rest and rest > 0 else "")


def parse_dates(s: pd.Series, *, dayfirst: bool = False, nanoseconds: bool = True) -> pd.Series:
    """Parse text dates: ISO 8601 first, then any other common format for what is left.

    Never raises: values that are not dates become NaT, and time zones are converted to UTC and
    dropped. With ``nanoseconds`` (the cleaning rules) every value gets one resolution and years
    outside 1678..2261 become NaT too; without it (the schema check) such years stay dates, so they
    can be reported as implausible rather than unreadable.
    """
    text = s.astype(object).where(s.notna(), None)
    parsed = _parse_dates(text, nanoseconds, format="ISO8601")
    retry = s.notna() & parsed.isna()
    if retry.any():
        parsed = parsed.astype(object) if not nanoseconds else parsed.copy()
        parsed[retry] = _parse_dates(text[retry], nanoseconds, format="mixed", dayfirst=dayfirst)
        parsed = pd.to_datetime(parsed)
    return parsed


def _parse_dates(values: pd.Series, nanoseconds: bool = True, **kwargs) -> pd.Series:
    """``pd.to_datetime`` value by value where the column as a whole cannot be parsed (mixed time zones,
    out-of-range years): unparseable values become NaT, the caller reports them."""
    try:
        out = pd.to_datetime(values, errors="coerce", **kwargs)
    except (ValueError, TypeError, OverflowError):
        out = None
    if out is None or not pd.api.types.is_datetime64_any_dtype(out):
        out = pd.Series([_one_date(v, **kwargs) for v in values], index=values.index, dtype="datetime64[ns]")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    if not nanoseconds:
        return out
    # one resolution for every value; years outside 1678..2261 (0001-01-01, 9999-12-31) become NaT,
    # so the caller reports them with the values that are not dates
    inside = (out > pd.Timestamp.min.ceil("D")) & (out < pd.Timestamp.max.floor("D"))
    return out.where(inside).astype("datetime64[ns]")


def _one_date(value, **kwargs):
    try:
        ts = pd.to_datetime(value, errors="coerce", **{k: v for k, v in kwargs.items() if k == "dayfirst"})
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if ts is pd.NaT or not isinstance(ts, pd.Timestamp):
        return pd.NaT
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    try:
        return ts.as_unit("ns")
    except (ValueError, OverflowError):  # outside the years 1677..2262
        return pd.NaT
