"""One type per column for the whole input: text files, every file of a folder and every sheet of a workbook
are read as text, put together, and only then typed, column by column, with :mod:`segkit.parse`.

A column becomes numbers only when **every** value of the whole input reads as a number (a decimal comma,
thousands separators, a currency or percent sign included; blanks and ``NA``, ``-``, ``?`` are missing
values); ``true``/``false`` columns become booleans; anything else stays text, exactly as written. Codes
with leading zeros (``007``) and integers of 16 digits or more (ids above 2**53) stay text, so ids are never
changed by a float. Dates stay as written: the cleaning reads them with one layout per column (and says
which), where the params ``date_format`` and ``dayfirst`` apply.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFileError
from ..parse import NumberReading, read_numbers
from ..parse.numbers import AMBIGUOUS, numbers_share, unread_text

__all__ = ["type_columns", "cells_as_text", "concat_as_text", "table_from_records", "renamed_repeats", "mangled",
           "aligned_columns", "other_columns", "one_decimal_mark", "in_files", "other_marks", "name_key",
           "NAME_ALIKE"]

#: What :func:`name_key` leaves aside, in words, for messages.
NAME_ALIKE = "case, spaces, underscores or hyphens"


def name_key(name) -> str:
    """A column name as a person reads it: any case, spaces, underscores and hyphens alike ("Avg basket",
    "avg_basket" and "AVG-BASKET" are one name). Scoring and a run that follows a reference match names by it.

    >>> name_key(" Avg basket") == name_key("avg_basket") == name_key("AVG-BASKET")
    True
    """
    return re.sub(r"[\s_\-]+", " ", str(name).strip().casefold())


def renamed_repeats(columns) -> dict[str, str]:
    """The columns pandas renamed because their name repeats an earlier one, each with that name: a second "Age"
    is read as "Age.1" (``{"Age.1": "Age"}``).

    >>> renamed_repeats(["id", "Age", "Age.1", "v2.0", "sales", "sales.2023"])
    {'Age.1': 'Age'}
    """
    names = [str(c) for c in columns]
    return {n: n.rsplit(".", 1)[0] for n in names if re.fullmatch(r".+\.[1-9]\d?", n) and n.rsplit(".", 1)[0] in names}

def mangled(names) -> list[str]:
    """Column names as the reader gives them when one repeats ("Age", "Age.1"), the inverse of
    :func:`renamed_repeats`.

    >>> mangled(["id", "Age", "Age", "Age"])
    ['id', 'Age', 'Age.1', 'Age.2']
    """
    out, seen = [], {}
    for name in map(str, names):
        out.append(f"{name}.{seen[name]}" if seen.get(name) else name)
        seen[name] = seen.get(name, 0) + 1
    return out


_KEEP_TEXT = r"[+\-]?0\d+(?:\.0+)?|[+\-]?\d{16,}"  # zero-padded codes, ids beyond float precision
_BOOL = {"true": True, "false": False}
#: Codes beside which ``NA`` is North America or Namibia: ISO 3166 countries (and territories) and sales regions. Not
#: US states (FL, NY, TX are none of them), currencies or yes/no words: beside those, NA is R's missing value.
_PLACE_CODES = frozenset("""
AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CQ CR CU CV CW CX CY CZ DE DG DJ DK DM DO DZ EA EC EE EG EH ER
ES ET EU EZ FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU IC
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR
SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN
VU WF WS XK YE YT ZA ZM ZW UK EMEA APAC LATAM AMER NAM NORAM MEA ANZ APJ CEE DACH""".split())
_SAMPLE = 1000


def _as_text(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_string_dtype(s) else s.astype("str").where(s.notna())


def _na_or_code(text: pd.Series) -> tuple[pd.Series, str]:
    """``NA`` as missing, as pandas reads it, except in a column of country or region codes (``EU``, ``APAC``, ``NA``;
    ``US``, ``DE``, ``NA``: :data:`_PLACE_CODES`), where it is North America or Namibia: kept, with a note.

    >>> _na_or_code(pd.Series(["EU", "NA", "APAC"], name="region"))[0].tolist()
    ['EU', 'NA', 'APAC']
    >>> _na_or_code(pd.Series(["Paris", "NA", "Rome"], name="city"))[0].tolist()
    ['Paris', nan, 'Rome']
    >>> _na_or_code(pd.Series(["TRUE", "NA", "FALSE"], name="churn"))[0].tolist()  # R's logical column
    ['TRUE', nan, 'FALSE']
    """
    stripped = text.str.strip()
    is_na = (stripped == "NA").fillna(False).to_numpy()
    if not is_na.any():
        return text, ""
    others = pd.Series(pd.unique(stripped[~is_na].dropna()))
    if len(others) < 2 or not others.isin(_PLACE_CODES).all():
        return text.mask(is_na), ""
    shown = ", ".join(others.head(4))
    n = int(is_na.sum())
    return text, (f"column {str(text.name)!r}: {n:,} {'value' if n == 1 else 'values'} 'NA' kept as a code "
                  f"(North America, Namibia), as every other value is a code ({shown}); leave those cells blank to "
                  "have them missing")


def _type_column(s: pd.Series, decimal: str | None, thousands: str | None,
                 census: bool = False) -> tuple[pd.Series, str, NumberReading | None]:
    """One text column typed for the whole input, a note when reading it needed more than pandas would do, and the
    reading of its numbers when they were written as text (``census``: :func:`~segkit.parse.read_numbers`' census
    codes)."""
    text, code_note = _na_or_code(_as_text(s))
    if code_note:
        return text, code_note, None
    filled = text.dropna()
    if filled.empty:
        return pd.Series(np.nan, index=s.index, name=s.name), "", None
    stripped = filled.str.strip()
    if stripped.str.fullmatch(_KEEP_TEXT).any():
        return text, "", None
    lower = stripped.str.lower()
    if lower.isin(list(_BOOL)).all():
        values = text.str.strip().str.lower().map(_BOOL)
        return (values.astype(bool) if values.notna().all() else values.astype(object)), "", None
    if decimal is None and thousands is None:
        try:
            return pd.to_numeric(text), "", None
        except (ValueError, TypeError):
            pass
    uniq = pd.Series(pd.unique(filled)[:_SAMPLE])
    if read_numbers(uniq, decimal=decimal, thousands=thousands, census=census).n_unparsed:  # a cheap look first
        return text, "", None
    reading = read_numbers(text, column=str(s.name), decimal=decimal, thousands=thousands, census=census)
    if reading.n_unparsed or not reading.values.notna().any():
        return text, "", None
    values = reading.values
    whole = values.dropna()
    if values.notna().all() and (whole == np.floor(whole)).all() and not reading.notes:
        values = values.astype("int64")
    blank = reading.n_missing - int(text.isna().sum())
    notes = list(reading.notes) + ([f"{blank:,} blank or NA {'value' if blank == 1 else 'values'} read as missing"]
                                   if blank > 0 else [])
    note = f"column {str(s.name)!r} read as numbers: {'; '.join(notes)}" if notes else ""
    return values.rename(s.name), note, reading


def label_row(df: pd.DataFrame, sample: int = 200, census: bool = False) -> bool:
    """Whether the first row of a text table is a second header line (data.census.gov's labels under its codes,
    "Estimate!!Total"; a row of units): text that is no number and no missing token, in at least two columns and in
    most of the columns whose other rows (a sample of them) are nearly all numbers, as
    :func:`~segkit.parse.read_numbers` reads them (``census``: with a census table's codes).

    >>> label_row(pd.DataFrame({"B01_E": ["Estimate!!Total", "120", "80"], "B02_E": ["Estimate!!Male", "60", "41"]}))
    True
    >>> label_row(pd.DataFrame({"city": ["Paris", "Rome", "Oslo"], "n": ["n/a", "60", "41"]}))
    False
    """
    if len(df) < 3:
        return False
    first, rest = df.iloc[0], df.iloc[1:sample + 1]
    numeric = texts = 0
    for col in df.columns:
        read, unread = numbers_share(rest[col], census=census)
        if read == 0 or unread > 0.05 * len(rest):
            continue
        numeric += 1
        texts += unread_text(first[col], census=census)
    return texts >= 2 and texts >= 0.8 * numeric


def type_columns(df: pd.DataFrame, *, decimal: str | None = None, thousands: str | None = None,
                 columns: Sequence | None = None, census: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Type the text columns of ``df`` (all of them, or ``columns``) for the whole table (``census``: a census table,
    whose codes such as ``2,500-`` and ``(X)`` :func:`~segkit.parse.read_numbers` reads with ``census``).

    Returns the typed table and plain-language notes (decimal comma, currency signs, blanks read as missing).

    >>> df, notes = type_columns(pd.DataFrame({"id": ["007", "012"], "income": ["101,5", " "], "n": ["1", "2"]}))
    >>> df["id"].tolist(), df["income"].tolist(), str(df["n"].dtype)
    (['007', '012'], [101.5, nan], 'int64')
    >>> notes
    ["column 'income' read as numbers: decimal comma detected (1 value); 1 blank or NA value read as missing"]
    """
    out, notes, mixed = {}, [], {}
    for name in df.columns:
        s = df[name]
        if (columns is None or name in columns) and (pd.api.types.is_string_dtype(s) or s.dtype == object):
            s, note, reading = _type_column(s, decimal, thousands, census)
            notes += [note] if note else []
            if reading is not None and len(reading.currencies) > 1:
                mixed.setdefault("currencies", {})[str(name)] = list(reading.currencies)
            elif reading is not None and reading.currencies:  # one currency: the reports should show it
                mixed.setdefault("currency_of", {})[str(name)] = reading.currencies[0]
            elif reading is not None and reading.unit == "%":  # "12%": the reports show 12%, not a bare 12
                mixed.setdefault("percent_of", []).append(str(name))
            if reading is not None and reading.mixed_scales:
                mixed.setdefault("mixed_scales", {})[str(name)] = list(reading.mixed_scales)
        out[name] = s
    typed = pd.DataFrame(out, index=df.index)
    typed.columns = df.columns
    typed.attrs.update(mixed)  # currencies, shares beside percents: segkit.schema.validate warns
    return typed, notes


def _cell_text(v) -> object:
    """One cell of a workbook (or of a column whose type differs between files) as the text it shows."""
    if v is None or v is pd.NaT or isinstance(v, float) and np.isnan(v):
        return np.nan
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() and abs(v) < 2**53 else repr(float(v))
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        ts = pd.Timestamp(v)
        return ts.isoformat(sep=" ") if ts != ts.normalize() else f"{ts:%Y-%m-%d}"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def cells_as_text(s: pd.Series) -> pd.Series:
    """A column of mixed cells (numbers, text, dates) as text, the way a spreadsheet shows them."""
    return pd.Series([_cell_text(v) for v in s.to_numpy(dtype=object)], index=s.index, name=s.name, dtype="str")


def _family(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    return "date" if pd.api.types.is_datetime64_any_dtype(s) else "text"


def concat_as_text(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, list]:
    """Frames of one table (files of a folder, sheets of a workbook) put together. A column keeps its type when
    it has one type everywhere (numbers, dates or booleans); otherwise every cell becomes text, to be typed
    once for the whole input (:func:`type_columns`). Returns the table and the columns made text.

    >>> a, b = pd.DataFrame({"inv": [536365, 536366]}), pd.DataFrame({"inv": ["C536379"]})
    >>> df, mixed = concat_as_text([a, b])
    >>> df["inv"].tolist(), mixed
    (['536365', '536366', 'C536379'], ['inv'])
    """
    out, mixed = {}, []
    for i, name in enumerate(frames[0].columns):
        parts = [f.iloc[:, i] for f in frames]
        families = {_family(p) for p in parts if not p.isna().all()} or {"text"}
        if len(families) == 1 and families != {"text"}:
            out[i] = pd.concat(parts, ignore_index=True).infer_objects()  # empty parts may be of another dtype
            continue
        texts = [p if pd.api.types.is_string_dtype(p) else cells_as_text(p) for p in parts]
        mixed += [name] * any(t is not p for t, p in zip(texts, parts))
        out[i] = pd.concat(texts, ignore_index=True)
    df = pd.DataFrame(out)
    df.columns = frames[0].columns
    return df, mixed


#: Numbers as a decimal comma writes them (12,50; 1.234,50) and as a decimal point does (12.50; 1,234.50); whole numbers.
_COMMA = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")
_POINT = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+")
_WHOLE = re.compile(r"[-+]?\d+")
#: 007,5 or 0012: a code with leading zeros, never rewritten as a number.
_LEADING_ZERO = re.compile(r"[-+]?0\d")


def one_decimal_mark(df: pd.DataFrame, sizes: Sequence[int], names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """A table put together from files (``names``, of ``sizes`` rows each, in order) where a column's numbers are
    written with a decimal comma in some files and a point in the others (one month exported from a German Excel):
    that column's rows of the comma files rewritten as their numbers read there (``32,74`` -> ``32.74``), so that the
    whole input reads as one; with a note each. Columns whose files agree, or that are not plain numbers in every
    file, are left as they are.

    >>> df = pd.DataFrame({"price": ["8.51", "12", "32,74", "1.234,5"]})
    >>> df, notes = one_decimal_mark(df, [2, 2], ["may.csv", "june.csv"])
    >>> df["price"].tolist(), notes[0][:63]
    (['8.51', '12', '32.74', '1234.5'], "june.csv: column 'price' is written with a decimal comma (32,74")
    """
    notes, bounds = [], np.cumsum([0, *sizes])
    for i, name in enumerate(df.columns):
        if not pd.api.types.is_string_dtype(df.iloc[:, i]) or _decimal_mark(df.iloc[:, i]) != "both":
            continue  # one pass over the column's distinct values first: most columns end here
        parts = [df.iloc[lo:hi, i] for lo, hi in zip(bounds[:-1], bounds[1:])]
        marks = [_decimal_mark(p) for p in parts]
        for j in (j for j, mark in enumerate(marks) if mark == ","):
            values = read_numbers(parts[j], decimal=",").values
            df.iloc[bounds[j]:bounds[j + 1], i] = [None if v != v else repr(v) for v in values]
            notes.append(f"{names[j]}: column {str(name)!r} is written with a decimal comma "
                         f"({parts[j].dropna().iloc[0]}) where the other files use a point: each file was read with "
                         "its own mark")
    return df, notes


def _numbers(values: pd.Series) -> bool:
    """Whether every value is a plain number (whole, or with a decimal comma or point)."""
    text = values.astype("string").str.strip()
    return bool((text.str.fullmatch(_COMMA) | text.str.fullmatch(_POINT) | text.str.fullmatch(_WHOLE)).all())


def _decimal_mark(part: pd.Series) -> str | None:
    """"," or "." when every filled value of a text column is a plain number and those with decimals all use that mark,
    "both" when some use each; None otherwise (other text, codes with leading zeros, or no decimals: "1,200" and
    "1.234" may be thousands, so they say nothing of the mark)."""
    filled = part.dropna()
    if not _numbers(filled.head(50)):  # text, told at once
        return None
    uniq = pd.Series(pd.unique(filled), dtype="string").str.strip()
    if uniq.empty or not _numbers(uniq) or uniq.str.match(_LEADING_ZERO).any():
        return None
    comma, point = uniq.str.fullmatch(_COMMA), uniq.str.fullmatch(_POINT)
    either = uniq.str.lstrip("+-").str.fullmatch(AMBIGUOUS)  # 1,200 may be thousands: it backs neither mark
    marks = ("," if (comma & ~either).any() else "") + ("." if (point & ~either).any() else "")
    return {",": ",", ".": ".", ",.": "both"}.get(marks)


def in_files(attrs: Mapping, rows) -> str:
    """Which files of a table read from a folder (``attrs["sources"]``: each file's name and rows, in order) hold the
    rows at positions ``rows``, for a message: " (all in june.csv)", " (in june.csv: 2,810; may.csv: 3)"; "" for a
    table of one file.

    >>> in_files({"sources": [["may.csv", 4], ["june.csv", 3]]}, [4, 6]), in_files({}, [1])
    (' (all in june.csv)', '')
    """
    sources, rows = attrs.get("sources") or [], np.asarray(rows, dtype=np.int64)
    if len(sources) < 2 or not rows.size:
        return ""
    which = np.searchsorted(np.cumsum([n for _, n in sources]), rows, side="right")
    held = [(sources[i][0], int(c)) for i, c in enumerate(np.bincount(which, minlength=len(sources))) if c]
    if len(held) == 1:
        return f" (all in {held[0][0]})"
    return " (in " + "; ".join(f"{name}: {c:,}" for name, c in held[:3]) + ("; ..." if len(held) > 3 else "") + ")"


def other_marks(column: pd.Series, unread, decimal: str | None, thousands: str | None, attrs: Mapping) -> str:
    """The fix for a ``column`` whose ``unread`` values (a mask) the params' ``decimal`` or ``thousands`` leave
    unread, when the reader's own rule reads them ("2.55" with ``decimal: ","``); "" when the params set neither, or
    when values stay unread. Of a table read from several files the unread values are enough (each file is read with
    its own mark when both are unset); of one file, the whole column must read (a stray "3.25" among "3,25" is an
    error to correct, not another mark).

    >>> two = {"sources": [["a.csv", 2], ["b.csv", 2]]}
    >>> other_marks(pd.Series(["2,5", "3,5", "2.55", "1012.75"]), [False, False, True, True], ",", None, two)[:52]
    "those are numbers, but not written with decimal: ','"
    """
    several = len(attrs.get("sources") or []) > 1
    values = column[np.asarray(unread, dtype=bool)] if several else column
    if not (decimal or thousands) or not len(values) or read_numbers(values).n_unparsed:
        return ""
    said = " and ".join(f"{k}: {v!r}" for k, v in (("decimal", decimal), ("thousands", thousands)) if v)
    fix = ("leave decimal and thousands unset, which reads each file with its own mark" if several else
           "leave decimal and thousands unset (the reader finds the marks), or set the file's")
    return f"those are numbers, but not written with {said}: {fix}"


def table_from_records(records: Sequence[dict]) -> pd.DataFrame:
    """Rows given as mappings (a JSON list of objects) as a table typed like a file of the same rows.

    Every cell is first written as a spreadsheet shows it (:func:`cells_as_text`), then each column is typed
    once for all the rows (:func:`type_columns`), so ``{"age": 42}`` and ``{"age": "42"}`` read alike, and
    the rows score exactly as a CSV of them would. A key missing from a row is a missing value.

    >>> df = table_from_records([{"id": "007", "age": 42, "vip": True}, {"id": "012", "age": "39.5"}])
    >>> df["id"].tolist(), df["age"].tolist(), df["vip"].tolist()
    (['007', '012'], [42.0, 39.5], [True, nan])
    """
    raw = pd.DataFrame.from_records(list(records))
    text = pd.DataFrame({i: cells_as_text(raw.iloc[:, i]) for i in range(raw.shape[1])}, index=raw.index)
    text.columns = raw.columns
    return type_columns(text)[0]


def aligned_columns(frame: pd.DataFrame, expected: list) -> pd.DataFrame | None:
    """``frame`` with its columns named and ordered as ``expected`` when they are the same names in another order or
    another case (spaces around them aside), one for one; else None."""
    key = lambda c: str(c).strip().casefold()  # noqa: E731
    have = {key(c): c for c in frame.columns}
    if len(have) != len(frame.columns) or len({key(c) for c in expected}) != len(expected) \
            or set(have) != {key(c) for c in expected}:
        return None
    out = frame[[have[key(c)] for c in expected]]
    out.columns = expected
    out.attrs = dict(frame.attrs)
    return out


def other_columns(path: Path, columns: list, first: str, expected: list) -> DataFileError:
    """The error for a file of a folder whose columns are not the first file's: which are missing and which are new
    (a month's export with one column renamed), or the order."""
    lost, new = [c for c in expected if c not in columns], [c for c in columns if c not in expected]
    names = lambda cols: ", ".join(repr(str(c)) for c in cols[:5]) + (" ..." if len(cols) > 5 else "")  # noqa: E731
    if len(lost) == len(new) == 1:
        return DataFileError(f"{path} has column {str(new[0])!r} where {first} has {str(lost[0])!r}",
                             f"rename {str(new[0])!r} to {str(lost[0])!r} in {path.name} (the files of a folder are "
                             "one table)", path=path)
    if lost or new:
        return DataFileError(f"{path} has different columns from {first}: "
                             + "; ".join(p for p in (f"without {names(lost)}" if lost else "",
                                                     f"with {names(new)}" if new else "") if p),
                             "give every file the same columns, or put only files of one table in the folder (or "
                             "the pattern's matches)", path=path)
    return DataFileError(f"{path} has the columns of {first} twice or more", "give each column one name", path=path)
