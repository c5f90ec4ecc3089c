"""Dates: one layout decided for the whole column (the rules are in :mod:`segkit.parse`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataValueError
from ._common import _NAT, _Reading, _examples, _series, _text

__all__ = ["DateReading", "read_dates", "after_period"]


@dataclass(frozen=True, eq=False)
class DateReading(_Reading):
    """How a column was read as dates: ``values`` (naive ``datetime64[ns]``, the input's index, NaT where
    missing or unparsed), and what could not be read.

    Attributes
    ----------
    reading, why, ambiguous : str, str, bool
        The layout in plain English, what decided it, and whether no value decided the day-month order.
    n_missing, n_unparsed, n_future : int
        Values missing in the input (NA tokens included), not dates, and after ``today``;
        ``unparsed_examples`` and ``future_examples`` show up to three, as written.
    formats : dict
        Values read in each layout.
    """

    reading: str = ""
    why: str = ""
    ambiguous: bool = False
    n_future: int = 0
    future_examples: tuple[str, ...] = ()
    formats: dict = field(default_factory=dict)

    _what, _error = "dates", DataValueError
    _fix = ("check that {key} names the date column and fix or remove those rows, or set date_format (ISO "
            "dates such as 2011-12-09 08:30 always parse)")


_TIME = r"(?:(?P<tsep>T|\s+)(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?P<ampm>\s*[AaPp][Mm])?)?"
_SHAPES = [(kind, label, re.compile(pattern)) for kind, label, pattern in [  # dm: day-month, order decided later
    ("iso", "ISO 8601",
     r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?"),
    ("ymd", "year first (YYYY{s}MM{s}DD)", r"\d{4}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{1,2}" + _TIME),
    ("ymd8", "YYYYMMDD", r"(?:19\d\d|20\d\d|2100)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"),
    ("dm", "{s}", r"\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)(?P<y>\d{4}|\d{2})" + _TIME),
    ("dmon", "month names (4 Sep 2012)",
     r"\d{1,2}(?P<sep>[-/. ])(?P<mon>[A-Za-z]{3,9})(?P=sep)(?P<y>\d{4}|\d{2})" + _TIME),
    ("mond", "month names (Sep 4, 2012)", r"(?P<mon>[A-Za-z]{3,9})(?P<dot>\.?) \d{1,2}(?P<comma>,?) \d{4}" + _TIME),
    ("number", "", r"[+-]?\d+(?:\.\d+)?")]]
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_SAMPLE = 10000  # distinct values whose layouts are looked at first; the others only where those fail
_EXCEL_MAX = 80000


def _shape(value: str) -> tuple | None:
    """``(kind, label, format, month-first format)`` of one text date, or None."""
    kind, label, m = next(((k, lab, m) for k, lab, p in _SHAPES if (m := p.fullmatch(value))), (0, 0, None))
    g = m.groupdict() if m else {}
    if m is None or "mon" in g and g["mon"].lower() not in [m[:3] if len(g["mon"]) == 3 else m for m in _MONTH_NAMES]:
        return None
    t = ""
    if g.get("time"):
        t = g["tsep"] + ("%I" if g["ampm"] else "%H") + ":%M" + (":%S" if g["time"].count(":") == 2 else "")
        t += (".%f" if "." in g["time"] else "") + (g["ampm"][:-2] + "%p" if g["ampm"] else "")
    y, s = "%Y" if len(g.get("y") or "yyyy") == 4 else "%y", g.get("sep", "")
    mon = "%b" if len(g.get("mon") or "mon") == 3 else "%B"
    fmt = {"iso": "ISO8601", "ymd": f"%Y{s}%m{s}%d{t}", "ymd8": "%Y%m%d", "number": None, "dm": f"%d{s}%m{s}{y}{t}",
           "dmon": f"%d{s}{mon}{s}{y}{t}", "mond": f"{mon}{g.get('dot')} %d{g.get('comma')} %Y{t}"}[kind]
    return kind, label.format(s=s), fmt, f"%m{s}%d{s}{y}{t}" if kind == "dm" else None


#: A time-zone offset after a time of day: "10:00:00+02:00", "21:33 -0500".
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([+-])(\d\d)(?::?(\d\d))?\s*$")


def _parse(text: pd.Series, fmt: str | None, utc: bool = False) -> tuple[pd.Series, bool]:
    """``text`` parsed with one format (NaT where it does not fit); aware values as the local time written when
    ``text`` is text ("21:33 -05:00" is 21:33, on the day written, as the engines read it), else as naive UTC."""
    if fmt == "ISO8601":  # pandas' ISO reader also takes 2012, 2012-09 and 20120904: not here
        text = text.where((text.str.len() >= 10) & (text.str.slice(4, 5) == "-") & (text.str.slice(7, 8) == "-"))
    elif fmt == "%Y%m%d":  # strptime reads 2012094 as 2012-09-04
        text = text.where(text.str.len() == 8)
    try:
        out = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    except ValueError:  # mixed offsets, or aware and naive values together
        out = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    if aware := getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_string_dtype(text):  # back to the clock of each value's own offset (Z or none: UTC)
            sign, hours, minutes = (text.str.extract(_OFFSET)[i] for i in range(3))
            shift = (hours.astype(float) * 60 + minutes.astype(float).fillna(0)) * sign.map({"+": 1.0, "-": -1.0})
            out = out + pd.to_timedelta(shift.fillna(0), unit="min")
    inside = (out >= pd.Timestamp.min.ceil("s")) & (out <= pd.Timestamp.max.floor("s"))
    return out.where(inside).astype("datetime64[ns]"), aware


def _swap(day_first: pd.Series) -> np.ndarray:
    """Day-first dates read month first instead; NaT where the day is above 12."""
    d = day_first.where(day_first.dt.day <= 12)
    parts = pd.DataFrame({"year": d.dt.year, "month": d.dt.day, "day": d.dt.month})
    return (pd.to_datetime(parts, errors="coerce") + (d - d.dt.normalize())).to_numpy("M8[ns]", copy=True)


class _Pass:
    """One reading of text dates: what is read so far, and both readings of the day-month values."""

    def __init__(self, text: pd.Series):
        self.text = text.reset_index(drop=True)
        self.out, self.day, self.month = (np.full(len(text), _NAT) for _ in range(3))
        self.counts, self.done, self.sep = {}, set(), None

    def todo(self) -> np.ndarray:
        return self.text.notna().to_numpy() & np.isnat(self.out) & np.isnat(self.day) & np.isnat(self.month)

    def apply(self, shapes: list[tuple]) -> None:
        """Read the values not read yet with each new shape: fixed layouts first, then day-month ones."""
        for kind, label, fmt, alt in sorted(shapes, key=lambda sh: sh[0] == "dm"):
            pos = np.flatnonzero(self.todo())
            if fmt is None or (fmt, alt) in self.done or not len(pos):
                continue
            self.done.add((fmt, alt))
            got, aware = _parse(self.text.iloc[pos], fmt)
            if kind == "dm":
                self.sep = self.sep or label
                self.day[pos], month, failed = got.to_numpy(), _swap(got), got.isna().to_numpy()
                month[failed] = _parse(self.text.iloc[pos[failed]], alt)[0].to_numpy()
                self.month[pos] = month
                continue
            got = got.to_numpy(copy=True)
            if kind == "ymd8":  # plausible years only
                got[(got < np.datetime64("1900-01-01")) | (got >= np.datetime64("2101-01-01"))] = _NAT
            self.out[pos] = got
            label = "ISO 8601 with time zone, each at the local time written" if aware else label
            self.counts[label] = self.counts.get(label, 0) + int((~np.isnat(got)).sum())

    @staticmethod
    def discover(values: pd.Series) -> list[tuple]:
        """Shapes of the distinct values, most common first."""
        counts = values.value_counts()
        order: dict[tuple, int] = {}
        for v, n in zip(counts.index[:_SAMPLE], counts.to_numpy()):
            if (sh := _shape(v)) is not None:
                order[sh] = order.get(sh, 0) + int(n)
        return sorted(order, key=order.get, reverse=True)


def _decide_order(p: _Pass, raw: pd.Series, dayfirst: bool | None) -> tuple[str, bool]:
    """Read the day-month values in one order; return why, and whether no value decided."""
    only_day, only_month = ~np.isnat(p.day) & np.isnat(p.month), ~np.isnat(p.month) & np.isnat(p.day)
    n_day, n_month = int(only_day.sum()), int(only_month.sum())
    ex_day, ex_month = (", ".join(map(repr, _examples(raw, m, 2))) for m in (only_day, only_month))
    if n_day and n_month:
        first = n_day > n_month or (n_day == n_month and bool(dayfirst))
        why = (f"inconsistent: a first field above 12 in {n_day:,} {'value' if n_day == 1 else 'values'} "
               f"(e.g. {ex_day}) but a second field above 12 in {n_month:,} (e.g. {ex_month}); read "
               f"{'day' if first else 'month'} first "
               f"by the majority, the {n_month if first else n_day:,} others are unparsed")
    elif n_day or n_month:
        first = bool(n_day)
        n = n_day or n_month
        why = (f"a {'first' if first else 'second'} field above 12 in {n:,} {'value' if n == 1 else 'values'} decides "
               f"(e.g. {ex_day or ex_month})")
        if dayfirst is not None and dayfirst != first:
            why += f"; this overrides dayfirst={dayfirst} in the params"
    elif dayfirst is not None:
        first, why = bool(dayfirst), "no value decides; dayfirst from params"
    else:
        first, why = False, ("no value decides; read month-first, the default — set dayfirst or date_format "
                             "to change it")
    chosen = p.day if first else p.month
    read, s = ~np.isnat(chosen), p.sep
    p.out[read] = chosen[read]
    p.counts[f"day first (DD{s}MM{s}YYYY)" if first else f"month first (MM{s}DD{s}YYYY)"] = int(read.sum())
    return why, not (n_day or n_month)


def _numeric_dates(num: pd.Series) -> tuple[pd.Series, str, str]:
    """Numbers in a date column: YYYYMMDD or Excel serials, whichever most values are."""
    x = num.astype("float64")
    ymd = (x == np.floor(x)) & (x >= 19000101) & (x <= 21001231)
    serial = (x >= 1) & (x < _EXCEL_MAX)
    if ymd.sum() >= serial.sum() and ymd.any():
        return (_parse(x.where(ymd).astype("Int64").astype("str"), "%Y%m%d")[0], "YYYYMMDD numbers",
                f"{int(ymd.sum()):,} whole numbers 19000101..21001231, read as YYYYMMDD")
    if not serial.any():
        return (pd.Series(_NAT, index=x.index), "numbers, not dates",
                f"no number is a YYYYMMDD date or an Excel serial date (1..{_EXCEL_MAX})")
    days = x.where(serial & (x != 60))
    days = days + (days < 60)  # Excel counts a 29 February 1900 that never was
    return (pd.to_datetime(days, unit="D", origin=pd.Timestamp("1899-12-30")), "Excel serial dates",
            f"{int(serial.sum()):,} numbers 1..{_EXCEL_MAX} in a date column: Excel's 1900 date system "
            "(origin 1899-12-30)")


def _text_dates(text: pd.Series, raw: pd.Series, dayfirst: bool | None) -> tuple:
    """``(values, reading, why, ambiguous, formats)`` for text dates."""
    p = _Pass(text)
    filled = p.text.dropna()
    shapes = p.discover(filled if len(filled) <= _SAMPLE else filled.sample(_SAMPLE, random_state=0))
    if shapes and all(sh[0] == "number" for sh in shapes):  # numbers written as text
        return (*_numeric_dates(pd.to_numeric(text, errors="coerce")), False, {})
    p.apply(shapes)
    if p.todo().any():  # layouts the sample missed
        p.apply(p.discover(p.text[p.todo()]))
    why, ambiguous = "every layout found is year first or has month names, so none can be misread", False
    if (~np.isnat(p.day) | ~np.isnat(p.month)).any():
        why, ambiguous = _decide_order(p, raw.reset_index(drop=True), dayfirst)
    counts = {k: v for k, v in sorted(p.counts.items(), key=lambda kv: -kv[1]) if v}
    reading = "mixed layouts: " + ", ".join(counts) if len(counts) > 1 else next(iter(counts), "no dates")
    why = why if counts else "no value has a date layout"
    return pd.Series(p.out, index=text.index), reading, why, ambiguous, counts


def read_dates(values, *, column: str = "", date_format: str | None = None, dayfirst: bool | None = None,
               today=None) -> DateReading:
    """Read a column as dates, deciding one layout for the whole column (see the module's rules).

    Parameters
    ----------
    values : Series, list or array
        Text, numbers (YYYYMMDD or Excel serials), or dates already.
    column : str, optional
        The column's name, for messages (default: the Series name).
    date_format : str, optional
        A ``strptime`` format (or ``"ISO8601"``) that overrides the detection.
    dayfirst : bool, optional
        The order of day and month when no value decides it.
    today : date-like, optional
        Dates after this day are counted as future (default: the real today).

    Returns
    -------
    DateReading

    Examples
    --------
    >>> r = read_dates(["04/09/2012", "05/09/2012"])
    >>> r.reading, r.ambiguous, str(r.values[0].date())
    ('month first (MM/DD/YYYY)', True, '2012-04-09')
    """
    raw = _series(values)
    missing, ambiguous, formats, inferred = raw.isna(), False, {}, pd.api.types.infer_dtype(raw, skipna=True)
    if pd.api.types.is_bool_dtype(raw) or inferred == "boolean":
        out, reading, why = pd.Series(_NAT, index=raw.index), "true/false values", "true/false is not a date"
    elif pd.api.types.is_datetime64_any_dtype(raw) or inferred in ("datetime", "datetime64", "date"):
        aware = isinstance(raw.dtype, pd.DatetimeTZDtype) or raw.dtype == object and any(
            getattr(v, "tzinfo", None) is not None for v in raw)  # pandas drops aware objects beside naive ones
        out = _parse(raw, None, utc=aware)[0]
        reading, why = f"dates{' with time zone, converted to UTC' if aware else ' already'}", "they are dates"
    elif pd.api.types.is_numeric_dtype(raw) and date_format is None:
        out, reading, why = _numeric_dates(raw)
    else:
        text, missing = _text(raw)
        if date_format is not None:
            out, aware = _parse(text, date_format)
            reading, why = (f"date_format {date_format!r}{', each at the local time written' * aware}",
                            "date_format from params")
        else:
            out, reading, why, ambiguous, formats = _text_dates(text, raw, dayfirst)
    out = pd.Series(out.to_numpy(), index=raw.index, name=raw.name).astype("datetime64[ns]")
    missing = np.asarray(missing, bool)
    if missing.all():
        reading, why, formats = "no values", "every value is missing", {}
    formats = formats or ({reading: int(out.notna().sum())} if out.notna().any() else {})
    unparsed = ~missing & out.isna().to_numpy()
    limit = (pd.Timestamp.now() if today is None else pd.Timestamp(today)).normalize() + pd.Timedelta(days=1)
    future = (out >= limit).to_numpy()
    return DateReading(out, int(missing.sum()), int(unparsed.sum()), _examples(raw, unparsed),
                       column or ("" if raw.name is None else str(raw.name)), reading, why, ambiguous,
                       int(future.sum()), _examples(raw, future), formats)



def after_period(dates: pd.Series, *, min_values: int = 20) -> pd.Series:
    """True for dates far after the data's period: later than its 95th percentile by more than the span from
    the 1st to the 95th percentile (at least 30 days). A few such dates (a typing error, 2031 for 2013) would
    otherwise decide the snapshot date and every recency or age measured from it.

    >>> d = pd.Series(pd.to_datetime(["2011-01-01"] * 10 + ["2011-12-01"] * 30 + ["2019-05-01"]))
    >>> after_period(d).sum()
    np.int64(1)
    """
    values = pd.Series(dates)
    known = values.dropna()
    if len(known) < min_values:
        return pd.Series(False, index=values.index)
    lo, hi = known.quantile(0.01), known.quantile(0.95)
    return (values > hi + max(hi - lo, pd.Timedelta(days=30))).fillna(False).astype(bool)
