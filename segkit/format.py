"""Numbers and codes as a business reader sees them: one rule for each, used by every page.

- :func:`format_number`: a plain number with a sensible precision (``4,100``, ``12.3``, ``0.12``).
- :func:`format_value`: a number in its unit (``£4,100``, ``12 days``, ``24%``); missing is ``–``.
- :func:`segment_codes`: the stable segment codes ``S01``, ``S02``, ... shared by cards, plots, files
  and scored output.
- :func:`round_json`: the one rounding rule of the JSON artifacts (6 significant digits), so equal
  inputs give byte-equal files.
"""

from __future__ import annotations

import math

from .errors import DataValueError

__all__ = ["format_number", "format_value", "segment_codes", "segment_code", "round_json", "MISSING_TEXT"]

#: How a missing number is shown.
MISSING_TEXT = "–"


def segment_codes(n: int) -> list[str]:
    """Return the stable display codes of ``n`` segments: ``["S01", "S02", ...]``.

    Code ``i`` belongs to the ``i``-th segment in segment order (segment 0, the largest, is "S01").
    Codes have at least two digits, and more when ``n`` needs them, so they sort as text.

    Examples
    --------
    >>> segment_codes(3)
    ['S01', 'S02', 'S03']
    """
    if n < 0:
        raise DataValueError(f"the number of segments must be 0 or more, not {n}")
    width = max(2, len(str(n)))
    return [f"S{i + 1:0{width}d}" for i in range(n)]


def segment_code(label: int, n_segments: int) -> str:
    """The code of segment ``label`` among ``n_segments`` (the same as :func:`segment_codes` gives)."""
    return segment_codes(max(int(n_segments), int(label) + 1))[int(label)]


def format_number(value: float) -> str:
    """Format a number for business readers: ``4100 -> "4,100"``, ``12.34 -> "12.3"``, ``0.123 -> "0.12"``."""
    if value is None or not math.isfinite(value):
        return MISSING_TEXT
    a = abs(value)
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 10:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".") if a > 0 else "0"


def format_value(value: float, unit: str | None, currency: str = "£") -> str:
    """Format a value in its unit for a business reader: £4,100, 12 days, 3.5 orders, 24%."""
    if value is None or value != value:
        return MISSING_TEXT
    if unit == "money":
        return f"{'-' if value < 0 else ''}{currency}{abs(value):,.0f}"
    if unit == "days":
        return f"{value:,.0f} days"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "count":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"


def round_json(value: float | None, digits: int = 6) -> float | None:
    """A float for a JSON artifact: ``digits`` significant digits, None for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")
