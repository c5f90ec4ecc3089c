"""One reader for the numbers, dates and ids in a user's table.

A reading never raises for bad values: it returns what it could read, says how and why, and counts what
it could not read, with up to three examples as written; the caller reports them or stops (``check``).

Dates: ``date_format`` wins when given; otherwise one layout is decided for the **whole column**. A column
may mix layouts that cannot be misread (ISO 8601, ``YYYY/MM/DD``, month names, ``YYYYMMDD``), but its
day-month values are read in **one** order: a first field above 12 in any value means day first, a
second field above 12 month first. If both appear the column is inconsistent: it is read in the
majority's order and the values that contradict it are unparsed. If no value decides, ``dayfirst``
decides, else month first, and ``ambiguous`` says so. Time zones: text with an offset is read at the local time
written ("21:33 -05:00" is 21:33 on its own day, as DuckDB and Spark read text; a shop's evening order stays on its
day), values typed with a zone are converted to UTC; either way results are naive ``datetime64[ns]``.
Numbers are ``YYYYMMDD`` or Excel serials (1..80000, origin 1899-12-30; serial 60, Excel's 29 February
1900, is unparsed), whichever most values are. Two-digit years: 69..99 are 19xx, 00..68 are 20xx.

Numbers are float64: currency, ``+``, thousands separators and ``%`` are removed (``12%`` reads 12, unit
``%``), ``(12.50)`` and ``12,50-`` (SAP) are negative, one decimal mark is decided for the column, infinities are
set missing and counted, true/false is not a number. Ids (:func:`read_ids`) are text exactly as written.
"""

from __future__ import annotations

from ._common import NA_TOKENS, is_na_token
from .dates import DateReading, after_period, read_dates
from .numbers import NumberReading, read_ids, read_numbers

__all__ = ["NA_TOKENS", "is_na_token", "DateReading", "read_dates", "after_period", "NumberReading", "read_numbers",
           "read_ids"]
