"""Numbers and codes as a business reader sees them: one rule for each, used by every page.

- :func:`format_number`: a plain number with a sensible precision (``4,100``, ``12.3``, ``0.12``).
- :func:`format_value`: a number in its unit (``£4,100``, ``12 days``, ``24%``, ``18 months``); missing is ``–``.
- :func:`format_score`: a score of at most 1 (a silhouette, a correlation) with two decimals, as in a column of them.
- :func:`segment_codes`: the stable segment codes ``S01``, ``S02``, ... shared by cards, plots, files
  and scored output; :func:`model_segment_codes`: a saved model's codes, which may follow an earlier run.
- :func:`round_json`: the one rounding rule of the JSON artifacts (6 significant digits), so equal
  inputs give byte-equal files.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataValueError
from .parse.numbers import CURRENCY_CODES, CURRENCY_SIGNS

__all__ = ["example_value", "capitalised", "drawn", "joined", "horizon_label", "format_number", "format_share",
           "format_score", "format_value", "money_prefix", "segment_codes", "segment_code", "model_segment_codes",
           "round_json", "fold_table", "yes_no", "unit_in_words", "in_thousands", "axis_label", "index_text",
           "without_unit", "percent_band", "THOUSANDS", "MISSING_TEXT", "YES_NO"]

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


def model_segment_codes(metadata, n_segments: int) -> list[str]:
    """The code of each segment ``0 .. n_segments - 1`` of a saved model: its metadata's ``segment_codes``
    (segment -> code, as JSON keys; codes that follow an earlier run are not in segment order), else
    :func:`segment_codes`.

    Examples
    --------
    >>> model_segment_codes({"segment_codes": {"0": "S03", "1": "S01"}}, 2), model_segment_codes({}, 2)
    (['S03', 'S01'], ['S01', 'S02'])
    """
    saved = (metadata or {}).get("segment_codes") or {}
    codes = [saved.get(str(i)) or saved.get(i) for i in range(int(n_segments))]
    return [str(c) for c in codes] if all(codes) else segment_codes(int(n_segments))


def drawn(shown: int, total: int, what: str) -> str:
    """What a figure drawn from a sample of rows shows, for its caption: "all 4,334 customers", or "a random sample
    of 5,030 of the 12,000 customers".

    >>> drawn(4334, 4334, "customers")
    'all 4,334 customers'
    >>> drawn(5030, 12000, "customers")
    'a random sample of 5,030 of the 12,000 customers'
    """
    return f"all {total:,} {what}" if shown >= total else f"a random sample of {shown:,} of the {total:,} {what}"


def capitalised(text: str) -> str:
    """``text`` with a capital first letter and the rest as written: "US households", where ``str.capitalize`` gives
    "Us households".

    >>> capitalised("missing share"), capitalised("US households"), capitalised("")
    ('Missing share', 'US households', '')
    """
    return text[:1].upper() + text[1:]


def joined(items, last: str = "and") -> str:
    """Items in a sentence: "a", "a and b", "a, b and c" (``last`` "or": "a, b or c").

    >>> joined(["4"]), joined(["4", "5", "6"]), joined(["ward", "single"], "or")
    ('4', '4, 5 and 6', 'ward or single')
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def horizon_label(label: str, days: int | None) -> str:
    """A heading of the churn model's risk with its horizon, when known: the pages say "in the next 90 days".

    >>> horizon_label("Mean churn risk", 90), horizon_label("Churn risk", None)
    ('Mean churn risk (next 90 days)', 'Churn risk')
    """
    return f"{label} (next {days} days)" if days else label


def example_value(value: Any, *, amount: bool = False) -> str:
    """One value of a column as a message quotes it: dates as dates (with the time when there is one), not numpy's
    nanoseconds; a fraction to 6 digits; an amount of 1,000 or more with cents with its thousands separated; text,
    whole numbers (codes, years: the census's -666666666) and nan as Python writes them. With ``amount`` (the column
    holds amounts with cents), a whole number of 1,000 or more is an amount too, its thousands separated.

    >>> [example_value(v) for v in (-11062.06, np.float32(1234.57), -666666666.0, -0.20269775390625, 2034, "22423")]
    ['-11,062.06', '1,234.57', '-666666666', '-0.202698', '2034', "'22423'"]
    >>> example_value(np.datetime64("2034-03-28")), example_value(38970.0, amount=True)
    ('2034-03-28', '38,970')
    """
    if isinstance(value, (np.datetime64, datetime)):
        ts = pd.Timestamp(value)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
    if isinstance(value, np.floating):  # float32's -11062.06 as it reads, not as float64's -11062.0595703125
        value = float(np.format_float_positional(value, unique=True))
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and 1000 <= abs(value) < 1e16:  # an amount with cents; a whole number may be a code
        if value.is_integer():
            return f"{int(value):,}" if amount else str(int(value))
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    return f"{value:.6g}" if isinstance(value, float) and round(value, 6) != value else repr(value)


def format_number(value: float) -> str:
    """Format a number for business readers: ``4100 -> "4,100"``, ``12.34 -> "12.3"``, ``0.123 -> "0.12"``.

    Never scientific notation, never a Python repr: ``51380.2 -> "51,380"``, ``0.00012 -> "0.00012"``.
    """
    if value is None:
        return MISSING_TEXT
    value = float(value)
    if not math.isfinite(value):
        return MISSING_TEXT
    a = abs(value)
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 10:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if 0 < a < 0.01:
        return np.format_float_positional(value, precision=2, unique=True, fractional=False, trim="-")
    return f"{value:.2f}".rstrip("0").rstrip(".") if a > 0 else "0"


def percent_band(label: str) -> str:
    """A band of shares written "low-high" in percent.

    >>> percent_band("0.4-0.5"), percent_band("0.0-0.1")
    ('40-50%', '0-10%')
    """
    lo, hi = (round(100 * float(b)) for b in str(label).split("-"))
    return f"{lo}-{hi}%"


def index_text(value) -> str:
    """An index (100 = the whole) as a card, a table or a sentence writes it: a whole number, its thousands separated
    (a hotel's days on the waiting list, "index 18,427"); "–" when there is none.

    >>> index_text(143.6), index_text(18427.2), index_text(float("nan")), index_text(None)
    ('144', '18,427', '–', '–')
    """
    return MISSING_TEXT if value is None or math.isnan(float(value)) else f"{float(value):,.0f}"


def without_unit(label: str, unit: str | None) -> str:
    """``label`` without the note of its ``unit`` in brackets, for a place whose values say the unit ("Body mass (g)"
    -> "Body mass" beside "3,361 g").

    >>> without_unit("Body mass (g)", "g"), without_unit("Net spend (£)", "money"), without_unit("Age", None)
    ('Body mass', 'Net spend (£)', 'Age')
    """
    return label.removesuffix(f" ({unit})") if unit else label


def format_share(share: float, decimals: int = 0) -> str:
    """A 0-1 share in percent for a business reader, never rounded to a certainty or a nothing it is not.

    >>> [format_share(s) for s in (0.47, 0.997, 0.003, 0.0, 1.0)]
    ['47%', 'over 99%', 'under 1%', '0%', '100%']
    >>> [format_share(s, 1) for s in (0.2494, 0.0002, 0.9996)]
    ['24.9%', 'under 0.1%', 'over 99.9%']
    """
    if share is None or not math.isfinite(float(share)):
        return MISSING_TEXT
    share, step = float(share), 10.0 ** -(decimals + 2)  # the smallest share written: 1% (0.1% with one decimal)
    if 0 < share < step / 2:
        return f"under {100 * step:.{decimals}f}%"
    if 1 - step / 2 <= share < 1:
        return f"over {100 * (1 - step):.{decimals}f}%"
    return f"{100 * share:.{decimals}f}%"


def format_score(value: float) -> str:
    """A score of at most 1 in size with two decimals, so that a column of them aligns: never "0.1" beside "0.67",
    nor "-0.00" for a tiny negative; missing is ``–``.

    >>> [format_score(v) for v in (0.1, 0.6666, -0.00046, -0.25, float("nan"))]
    ['0.10', '0.67', '0.00', '-0.25', '–']
    """
    value = float(value)
    return f"{round(value, 2) + 0.0:.2f}" if math.isfinite(value) else MISSING_TEXT  # + 0.0: no "-0.00"


_PLURAL_TIME = {"days", "weeks", "months", "years", "hours", "minutes"}
NOISE = 1e-9  #: a value this close to 0 is rounding noise of sums that cancel, and is shown as 0


def money_prefix(currency: str) -> str:
    """What goes before an amount: a sign as it is ("£", "$"), a code as a word ("ETB ", "CHF ").

    >>> money_prefix("£") + "12", money_prefix("ETB") + "1,234"
    ('£12', 'ETB 1,234')
    """
    return currency + " " if currency[-1:].isalpha() else currency


def in_currency(label: str, currency: str) -> str:
    """A column heading with the run's currency, or without it when the run shows plain numbers.

    >>> in_currency("Mean CLV", "£"), in_currency("Mean CLV", "")
    ('Mean CLV (£)', 'Mean CLV')
    """
    return f"{label} ({currency})" if currency else label


#: Yes and no, as (yes, no) pairs, in English: the one list of them that the kinds (their other languages added) and the
#: names read.
YES_NO = (("yes", "no"), ("y", "n"), ("true", "false"), ("t", "f"))
#: The values of a 0/1 or true/false column, as :func:`yes_no` says them.
_YES_NO = {"1": "yes", "0": "no", "1.0": "yes", "0.0": "no", "true": "yes", "false": "no"}


def yes_no(levels, *, keep=()) -> dict | None:
    """The levels of a 0/1 or true/false column as a reader says them: ``{level: "yes" or "no"}``, the levels in
    ``keep`` (a missing marker) as they are; None when some other level is present (the levels stay as written).

    >>> yes_no([1, 0]), yes_no(["True", "False", "(missing)"], keep={"(missing)"}), yes_no(["a", "1"])
    ({1: 'yes', 0: 'no'}, {'True': 'yes', 'False': 'no', '(missing)': '(missing)'}, None)
    """
    words = {v: v if v in keep else _YES_NO.get(str(v).strip().lower()) for v in levels}
    return words if all(w is not None for w in words.values()) else None


def format_value(value: float, unit: str | None, currency: str = "£") -> str:
    """Format a value in its unit for a business reader: £4,100, 12 days, 3.5, 24%, 18 months.

    ``unit`` is "money" (the ``currency``), a currency symbol, money in thousands (:func:`in_thousands`: "kmoney"
    in the ``currency``, or "k" and another currency: "k$", "kEUR"), "share" (a 0-1 fraction shown as %),
    "%" (already in percent), "count" or None (a plain number), "year" (a calendar year: 1984, never "1,984"), or
    any word written after the number ("months", "kg").

    >>> format_value(1984.4, "year"), format_value(0.287, "share"), format_value(28.6, "%"), format_value(44.9, "years")
    ('1984', '29%', '28.6%', '44.9 years')
    >>> format_value(2.0, "count"), format_value(4.25, "count"), format_value(1250.0, "count")
    ('2', '4.2', '1,250')
    >>> format_value(86.5, "kmoney", "$"), format_value(1250, "k€"), format_value(61.54, "kCHF")
    ('$86.5k', '€1,250k', 'CHF 61.5k')
    >>> format_value(3, "kmoney", "")  # a run of plain numbers
    '3k'
    """
    if value is None:
        return MISSING_TEXT
    value = float(value)
    if value != value:
        return MISSING_TEXT
    if abs(value) < NOISE:  # a net of sums that cancel (spend minus returns): 2.7e-14 is nothing, not "£0.000...027"
        value = 0.0
    if unit == "money" or unit in CURRENCY_SIGNS:
        symbol = money_prefix(currency if unit == "money" else unit)
        return f"{'-' if value < 0 else ''}{symbol}{format_number(abs(value)) if abs(value) < 10 else f'{abs(value):,.0f}'}"
    if in_thousands(unit):  # "Annual Income (k$)": $86.5k, never a bare 86.5 a reader takes for dollars
        number = format_number(abs(value)) if abs(value) < 100 else f"{abs(value):,.0f}"
        return f"{'-' if value < 0 else ''}{_thousands_prefix(unit, currency)}{number}k"
    if unit == "share":
        return f"{format_number(100 * value) if abs(value) < 0.1 else f'{100 * value:.0f}'}%"
    if unit == "%":
        return f"{format_number(value)}%"
    if unit == "count":  # a whole count as it is ("typically 1 vs 2 orders"), an average with its decimal
        return f"{value:,.1f}" if abs(value) < 100 and not value.is_integer() else f"{value:,.0f}"
    if unit == "year":
        return f"{value:.0f}"
    if unit == "days":
        return _counted(f"{value:,.0f}", "days")
    if unit in (None, ""):
        return format_number(value)
    return _counted(format_number(value), unit)


#: The unit of money counted in thousands in the run's currency ("Annual Income (k$)" in a run in dollars).
THOUSANDS = "kmoney"


def in_thousands(unit: str | None) -> bool:
    """Whether ``unit`` is money counted in thousands: :data:`THOUSANDS` (the run's currency), or "k" and a currency
    sign or code the reader knows ("k$", "kEUR", from a column named "Umsatz (kEUR)" in a run in pounds).

    >>> in_thousands("kmoney"), in_thousands("k$"), in_thousands("kEUR"), in_thousands("kBTU"), in_thousands("kg")
    (True, True, True, False, False)
    """
    return isinstance(unit, str) and (unit == THOUSANDS or (unit[:1] == "k" and (
        unit[1:] in CURRENCY_SIGNS or unit[1:] in CURRENCY_CODES or unit[1:] == "Rs")))


def _thousands_prefix(unit: str, currency: str) -> str:
    """What goes before an amount in thousands: the run's ``currency`` for :data:`THOUSANDS` (nothing in a run of
    plain numbers), else the unit's own."""
    return money_prefix(currency if unit == THOUSANDS else unit[1:]) if currency or unit != THOUSANDS else ""


def axis_label(label: str, unit: str | None, currency: str = "") -> str:
    """A plot's label for a measure in ``unit``, whose axis shows the plain numbers: money says its currency ("Net
    spend (£)"), money in thousands says so ("Annual income ($ thousands)"); any other label as it is (a share's
    axis writes "%", a label of days says days).

    >>> axis_label("Annual income", "kmoney", "$"), axis_label("Revenue", "kmoney", ""), axis_label("Net spend", "money", "£")
    ('Annual income ($ thousands)', 'Revenue (thousands)', 'Net spend (£)')
    >>> axis_label("Balance", "€", "£"), axis_label("Net spend", "money", ""), axis_label("Age", "years", "£")
    ('Balance (€)', 'Net spend', 'Age')
    """
    if in_thousands(unit):
        sign = _thousands_prefix(unit, currency).strip()  # none in a run of plain numbers
        return f"{label} ({sign + ' ' if sign else ''}thousands)"
    sign = currency if unit == "money" else unit if unit in CURRENCY_SIGNS else ""
    return f"{label} ({sign})" if sign else label


def unit_in_words(unit: str | None) -> bool:
    """Whether :func:`format_value` writes ``unit`` as a word after the number ("12 days", "3 kg"), not as a sign
    ("£4,100", "24%"), a calendar year or a plain number.

    >>> [unit_in_words(u) for u in ("years", "kg", "money", "share", "%", "year", "count", "k$", None)]
    [True, True, False, False, False, False, False, False, False]
    """
    return bool(unit) and unit not in ("money", "share", "%", "count", "year") and unit not in CURRENCY_SIGNS \
        and unit[-1:].isalpha() and not in_thousands(unit)


def _counted(number: str, unit: str) -> str:
    """``number unit``, the unit of time in the singular for one ("1 day", "1 month", never "1 days")."""
    if number in ("1", "-1") and unit in _PLURAL_TIME:
        unit = unit[:-1]
    return f"{number} {unit}"


def fold_table(scores, names: dict[str, str]):
    """Scores per cross-validation fold (rows "Fold 1", "Fold 2", ...), then their mean and standard deviation, with
    the held-out counts (column ``rows``) as whole numbers ("867", not "867.00"; their mean "16.7", not "17") and no
    spread (the folds' sizes differ by one row at most, by design: not a result), the scores to three decimals (the
    page says "94.7% ± 0.3 points": its table's spread is 0.003, not "0.00"), and the columns renamed by ``names``.
    An empty ``scores`` (nothing cross-validated) stays empty."""
    table = scores.copy()
    table.index = [f"Fold {i + 1}" for i in range(len(table))]
    if len(scores):
        table.loc["Mean"] = scores.mean()
        table.loc["Standard deviation"] = scores.std(ddof=0)
        if "rows" in table:
            table["rows"] = [MISSING_TEXT if row == "Standard deviation" else f"{v:,.0f}" if float(v).is_integer()
                             else f"{v:,.1f}" for row, v in table["rows"].items()]  # a mean of 17, 17, 16: 16.7
        for col in (c for c in scores.columns if c != "rows"):  # three decimals: a spread of 0.003 is not "0.00"
            table[col] = [MISSING_TEXT if not np.isfinite(v) else f"{v:.3f}" for v in table[col].astype(float)]
    return table.rename(columns=names)


def round_json(value: float | None, digits: int = 6) -> float | None:
    """A float for a JSON artifact: ``digits`` significant digits, None for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")
