"""What the readings of :mod:`segkit.parse` share: the NA tokens, the text of a column, examples, the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NA_TOKENS", "is_na_token"]

#: Text that means "missing", compared after stripping spaces and NUL characters, ignoring case.
NA_TOKENS = frozenset({"", "na", "n/a", "#n/a", "null", "none", "nan", "nat", "-", "?", "."})

_NBSP = str.maketrans({c: " " for c in "\u00a0\u202f\u2007"})  # no-break spaces: thousands separators
_NAT = np.datetime64("NaT", "ns")


def is_na_token(value: Any) -> Any:
    """True for a missing value or text that means missing (:data:`NA_TOKENS`); element-wise for a list.

    >>> is_na_token(" N/A "), is_na_token("0"), is_na_token(None), is_na_token(["", "x", "\\x00"]).tolist()
    (True, False, True, [True, False, True])
    """
    if isinstance(value, str):
        return value.replace("\x00", "").strip().lower() in NA_TOKENS
    return _text(_series(value))[1] if pd.api.types.is_list_like(value) else bool(pd.isna(value))


def _series(values: Any) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(values)


def _text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text of ``s`` (NaN where missing) and the mask of missing values (NA tokens included)."""
    text = s.astype("str").str.replace("\x00", "", regex=False).str.strip()
    missing = text.isna() | ((text.str.len() <= 4) & text.str.lower().isin(list(NA_TOKENS))).fillna(False)
    return text.mask(missing), missing


def _examples(raw: pd.Series, mask: Any, n: int = 3) -> tuple[str, ...]:
    return tuple(str(v) for v in pd.unique(raw[np.asarray(mask, bool)].head(1000))[:n])


@dataclass(frozen=True, eq=False)
class _Reading:
    values: pd.Series
    n_missing: int = 0
    n_unparsed: int = 0
    unparsed_examples: tuple[str, ...] = ()
    column: str = ""
    _what, _error, _fix = "", ValueError, ""

    def to_dict(self) -> dict[str, Any]:
        """Every field but ``values``, JSON-ready, and ``n_values``, the number of values read."""
        out = {f: list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, dict) else v
               for f in self.__dataclass_fields__ if f != "values" for v in [getattr(self, f)]}
        return {**out, "n_values": int(self.values.notna().sum())}

    def problem(self, key: str | None = None) -> tuple[str, str]:
        """The message and the fix for the values that were not read (what :meth:`check` raises)."""
        where = f"column {self.column!r}" + (f" ({key})" if key else "")
        return (f"{where} has {self.n_unparsed:,} {'value' if self.n_unparsed == 1 else 'values'} that "
                f"{'is' if self.n_unparsed == 1 else 'are'} not "
                f"{self._what}, e.g. "
                f"{', '.join(map(repr, self.unparsed_examples))}", self._fix.format(key=key or "the column"))

    def check(self, *, key: str | None = None):
        """Return ``self``; an error naming the column, the count and examples when some values are unread:
        :class:`~segkit.errors.DataValueError` for dates, :class:`~segkit.errors.ColumnError` for numbers."""
        if self.n_unparsed:
            raise self._error(*self.problem(key), key=key, column=self.column or None)
        return self
