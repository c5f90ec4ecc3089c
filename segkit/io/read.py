"""Reading input tables: text files of any dialect and encoding, folders of them, Parquet and Excel.

Input files are only ever read. Every problem a user can fix (a missing or empty file, a header with no
rows, an unexpected delimiter, a workbook with several sheets) is a :class:`~segkit.errors.DataFileError`
that names the file and the fix. The dialect of text files (encoding, delimiter, whitespace-aligned columns,
header line) is detected (:mod:`segkit.io.dialect`) unless the params set it (``encoding``, ``sep``,
``header`` and ``column_names``). Every input is read as text first and typed **once for the whole input**
(:mod:`segkit.io.columns`): the files of a folder and the sheets of a workbook are put together before any
column is typed, so a column is never numbers in one file and text in the next, and ids keep their leading
zeros. What was detected or done is said in :attr:`pandas.DataFrame.attrs` (``"read_notes"``).
"""

from __future__ import annotations

import csv
import errno
import glob as _glob
import hashlib
import io as _io
import os
import re
import stat
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from ..errors import ColumnError, DataFileError, describe_file_type
from .columns import (aligned_columns, concat_as_text, label_row, mangled, one_decimal_mark, other_columns,
                      renamed_repeats, type_columns)
from .dialect import (SNIFF_BYTES, WHITESPACE, decode, delimiter_name, first_line, likely_delimiter, long_line,
                      looks_like_data, refuse_binary, sample_lines, sniff_delimiter, split_line, title_lines,
                      title_note, whitespace_pattern)
from .excel import read_sheets, sheet_columns

__all__ = ["read_table", "read_header", "require_columns", "hash_path", "hash_input", "parse_synth", "has_scheme",
           "is_pattern", "pattern_files"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".dat"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
#: pandas' own text for missing values, read as missing in text columns as pandas' reader would, but for ``NA``,
#: which the typing of each column decides (North America or Namibia in a column of codes; :mod:`.columns`).
_PANDAS_NA = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
              "N/A", "NULL", "NaN", "None", "n/a", "nan", "null"]


# --------------------------------------------------------------------------------------- inputs
def _input_mode(path: Path, key: str) -> int | None:
    """``st_mode`` of an input path, ``None`` when it does not exist; a symlink loop or an unreadable path raises."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataFileError(f"input file {path} is a symbolic link loop (it points back to itself)",
                                f"set {key} to the real file or folder", key=key, path=path) from None
        raise DataFileError(f"input file {path} cannot be read ({exc.strerror})",
                            f"check {key} and the file's permissions", key=key, path=path) from None


def _check_exists(path: Path, key: str = "data_path") -> None:
    """Refuse a missing input, a symlink loop, and anything but a file or folder (a FIFO would block the read)."""
    mode = _input_mode(path, key)
    if mode is None:
        hint = _files_in(path.parent)
        what = "is a symbolic link to a missing file" if path.is_symlink() else "does not exist"
        where = "" if path.is_absolute() else f" (a relative path is read from {Path.cwd()})"  # a notebook's folder
        raise DataFileError(f"input file {path} {what}{where}", f"set {key} to an existing file or folder.{hint}",
                            key=key, path=path)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DataFileError(f"input file {path} is {describe_file_type(mode)}, not a file or folder of data",
                            f"set {key} to a CSV, Parquet or Excel file, or a folder of them", key=key, path=path)


def _read_bytes(path: Path, limit: int = -1) -> bytes:
    """The file's bytes (the first ``limit`` of them); unreadable, empty and binary files are refused."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit)
    except OSError as exc:
        raise DataFileError(f"{path} cannot be read ({exc.strerror or exc})", "check the file's permissions",
                            key="data_path", path=path) from None
    if not raw.strip():
        raise DataFileError(f"{path} is empty", "export the table again with its header and rows", path=path)
    refuse_binary(raw, path)
    return raw


def _opt(options: Mapping[str, Any] | None, key: str) -> Any:
    return (options or {}).get(key)


class _Dialect(NamedTuple):
    delimiter: str
    pattern: str | None  #: the split pattern of whitespace-aligned columns
    fields: list[str]  #: the header line's fields
    header: bool  #: whether the first line is a header
    text: str  #: the text, with the lines above the header blanked (so that line numbers stay the file's)
    skipped: int  #: lines above the header: a title, blank lines (:func:`~segkit.io.dialect.title_lines`)


def _dialect(text: str, path: Path, options: Mapping[str, Any] | None) -> _Dialect:
    """How a text is written: its delimiter, its header line, and the lines above that header."""
    if not text.strip().strip("\ufeff"):
        raise DataFileError(f"{path} is empty (it holds only blank characters)",
                            "export the table again with its header and rows", path=path)
    delimiter = sniff_delimiter(text, _opt(options, "sep"))
    if _opt(options, "sep") not in (None, WHITESPACE) and delimiter not in first_line(text):
        _check_given_sep(text, path, delimiter)
    skip = title_lines(text, delimiter) if _opt(options, "header") is not False else 0
    if skip:
        lines = text.splitlines(keepends=True)
        text = "\n" * skip + "".join(lines[skip:])
        delimiter = sniff_delimiter(text, _opt(options, "sep"))
    pattern = whitespace_pattern(sample_lines(text)) or r"\s+" if delimiter == WHITESPACE else None
    fields = split_line(first_line(text), delimiter, pattern)
    header = _opt(options, "header")
    return _Dialect(delimiter, pattern, fields, (not looks_like_data(fields)) if header is None else bool(header),
                    text, skip)


def _check_given_sep(text: str, path: Path, sep: str) -> None:
    """The error for a ``sep`` the header line does not hold while another delimiter splits it (``sep: ','`` on a
    semicolon file, whose decimal commas would split the rows into wrong columns)."""
    found = sniff_delimiter(text)
    if found not in (sep, WHITESPACE) and len(split_line(first_line(text), found)) > 2:
        raise DataFileError(f"{path}: its header line has no {delimiter_name(sep)} (the params' sep) but is split by "
                            f"{delimiter_name(found)}: {first_line(text)[:80]!r}",
                            f"set sep: {found!r}, or leave sep out to have it detected", key="sep", path=path)


def _whitespace_frame(text: str, pattern: str, path: Path, header: bool) -> pd.DataFrame:
    """A whitespace-aligned text (columns separated by runs of spaces) as a table of text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    split = re.compile(whitespace_pattern(lines) or pattern).split  # the whole text's pattern, found once
    rows = [split(line) for line in lines]
    width = len(rows[0])
    bad = next((i for i, row in enumerate(rows) if len(row) != width), None)
    if bad is not None:
        raise DataFileError(f"{path} line {bad + 1} has {len(rows[bad])} fields separated by spaces, but the first "
                            f"line has {width}", "check that line, or save the file with comma separators (or set "
                            "sep)", key="sep", path=path)
    df = pd.DataFrame(rows[1:] if header else rows, columns=rows[0] if header else None, dtype="str")
    return df.mask(df.isin(_PANDAS_NA))


def _parse_text(text: str, path: Path, delimiter: str, pattern: str | None, header: bool) -> tuple[pd.DataFrame, list]:
    """The rows of a text as text, and the parser's warnings (rows longer than the header)."""
    if delimiter == WHITESPACE:
        return _whitespace_frame(text, pattern, path, header), []
    try:
        # index_col=False: rows longer than the header must never turn the first columns into an index
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            df = pd.read_csv(_io.StringIO(text), sep=delimiter, header=0 if header else None, dtype="str",
                             index_col=False, low_memory=False, keep_default_na=False, na_values=_PANDAS_NA)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path} has no header line", "export the table again with its header and rows",
                            path=path) from None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        detail = " ".join(str(exc).split())[:200]
        bad = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
        if bad:
            raise long_line(text, path, *map(int, bad.groups())) from None
        raise DataFileError(f"{path} could not be parsed as CSV with {delimiter_name(delimiter)} as delimiter: "
                            f"{detail}", "check that every row has the same number of fields and that quotes are "
                            "closed", path=path) from None
    return df, [w for w in caught if issubclass(w.category, pd.errors.ParserWarning)]


def _name_columns(df: pd.DataFrame, header: bool, path: Path, options) -> tuple[pd.DataFrame, list[str]]:
    """Name the columns ``column_names`` when set (``column_1`` .. when the file has no header line)."""
    names, notes = _opt(options, "column_names"), []
    if names is not None:
        if len(names) != df.shape[1]:
            raise DataFileError(f"column_names lists {len(names)} {'name' if len(names) == 1 else 'names'} but {path} "
                                f"has {df.shape[1]} {'column' if df.shape[1] == 1 else 'columns'}",
                                f"list {df.shape[1]} names in column_names, in the order of the columns",
                                key="column_names", path=path)
        df.columns = list(names)
    elif not header:
        df.columns = [f"column_{i}" for i in range(1, df.shape[1] + 1)]
        notes.append(f"{path.name} has no header line (its first line holds numbers or dates): the columns are named "
                     f"column_1 .. column_{df.shape[1]}; set column_names to name them (header: true if it has one)")
    return df, notes


def _text_frame(path: Path, options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One text file as a table of text (no column typed yet), with ``attrs["read_notes"]``."""
    text, encoding, notes = decode(_read_bytes(path), path, _opt(options, "encoding"))
    delimiter, pattern, _, header, text, skipped = _dialect(text, path, options)
    if skipped:
        notes.append(title_note(path.name, skipped, "line"))
    df, caught = _parse_text(text, path, delimiter, pattern, header)
    if df.empty:
        raise DataFileError(f"{path} has a header but no rows ({len(df.columns)} columns: "
                            f"{', '.join(map(str, df.columns[:6]))}{', ...' if len(df.columns) > 6 else ''})",
                            "export the rows too", path=path)
    df, named = _name_columns(df, header, path, options)
    _refuse_one_column(list(df.columns), str(df.iloc[0, 0]), path)
    if caught:
        notes += _check_long_rows(text, delimiter, df.shape[1], path)
    if delimiter != ",":
        shown = repr(delimiter) if delimiter in ";|" else delimiter_name(delimiter)
        notes.append(f"{path.name} uses {shown} as delimiter")
    df, dropped = _drop_unnamed_empty(df)
    if dropped:
        notes.append(f"{path.name}: {len(dropped)} {'column' if len(dropped) == 1 else 'columns'} without a name and "
                     f"without values {'was' if len(dropped) == 1 else 'were'} dropped (trailing delimiters)")
    renamed = list(renamed_repeats(df.columns))
    if renamed:
        notes.append(f"{path.name} has repeated column names; the repeats were renamed {', '.join(renamed)}")
    df.attrs["read_notes"] = notes + named
    return df


def _refuse_one_column(columns: list, first_value: str, path: Path) -> None:
    """One column whose name and first value share a punctuation mark: the file's delimiter is not supported."""
    found = likely_delimiter(str(columns[0])) if len(columns) == 1 else None
    if found is not None and found in first_value:
        raise DataFileError(f"{path} was read as a single column {str(columns[0])[:80]!r}: its delimiter looks like "
                            f"{delimiter_name(found)}, which is not one of comma, semicolon, tab, pipe or runs of "
                            "spaces", "save the file with comma separators, or set sep", key="sep", path=path)


def _typed(df: pd.DataFrame, notes: list[str], options: Mapping[str, Any] | None) -> pd.DataFrame:
    """``df`` with its text columns typed once for the whole table (without a second header line of labels), and
    every note."""
    census = bool(_opt(options, "census"))
    if _opt(options, "header") is not False and label_row(df, census=census):
        shown = ", ".join(repr(str(v))[:40] for v in df.iloc[0].dropna().head(2))
        notes = [*notes, f"the line under the header holds labels, not values ({shown}, ...): skipped as a second "
                         "header line"]
        df = df.iloc[1:].reset_index(drop=True)
    typed, more = type_columns(df, decimal=_opt(options, "decimal"), thousands=_opt(options, "thousands"),
                               census=census)
    typed.attrs["read_notes"] = list(notes) + more
    return typed


def _check_long_rows(text: str, delimiter: str, width: int, path: Path) -> list[str]:
    """Rows with more fields than the header: empty extras (trailing delimiters) are noted, values refused."""
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    long_rows = 0
    try:
        next((row for row in reader if row), None)  # the header
        for row in reader:
            if len(row) > width:
                extra = [v for v in row[width:] if v.strip()]
                if extra:
                    raise DataFileError(f"{path} line {reader.line_num} has {len(row)} fields but the header names "
                                        f"{width} (extra values: {', '.join(map(repr, extra[:3]))})",
                                        "check the delimiter and the quotes in that line, or add the missing column "
                                        "names to the header", path=path)
                long_rows += 1
    except csv.Error as exc:
        raise DataFileError(f"{path} could not be parsed as CSV: {exc}", "check the quotes in the file",
                            path=path) from None
    if not long_rows:
        return []
    one = long_rows == 1
    return [f"{path.name}: {long_rows:,} {'row' if one else 'rows'} {'ends' if one else 'end'} with empty extra fields "
            f"(trailing delimiters); {'it was' if one else 'they were'} ignored"]


def _drop_unnamed_empty(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns pandas named ``Unnamed: N`` (no header) that hold no value at all."""
    dropped = [c for c in df.columns if isinstance(c, str) and c.startswith("Unnamed: ") and df[c].isna().all()]
    return (df.drop(columns=dropped) if dropped else df), dropped


def _read_excel(path: Path, sheet: str | int | None, options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The chosen sheet (or every sheet, when they share one header) read once, put together, then typed once:
    a column of numbers with a few text cells (invoice numbers, C536379) becomes text, never a mix."""
    frames, notes, sheets = read_sheets(path, sheet)
    df = concat_as_text(frames)[0]
    if df.empty:
        raise DataFileError(f"sheet {sheets[0]!r} of {path} has no rows", "choose the sheet with the data", path=path)
    notes += [f"{path.name}: its {len(sheets)} sheets ({', '.join(map(str, sheets))}) have the same columns and were "
              "read as one table"] if len(sheets) > 1 else []
    return _typed(df, notes, options)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise DataFileError(f"{path} could not be read as Parquet ({exc})", "write the file again", path=path) from None
    if df.empty:
        raise DataFileError(f"{path} has no rows", "check the export", path=path)
    df.attrs["read_notes"] = []
    return df


def _read_files(files: list[Path], where: str, options: Mapping[str, Any] | None) -> pd.DataFrame:
    """The files of one table (a folder's, or a glob's matches ``where``), read as text (Parquet as it is), put
    together, then typed once."""
    frames = [_read_parquet(f) if f.suffix.lower() in _PARQUET_SUFFIXES else _text_frame(f, options) for f in files]
    aligned = []
    for i, (f, frame) in enumerate(zip(files, frames)):
        if list(frame.columns) != list(frames[0].columns):
            frames[i] = aligned_columns(frame, list(frames[0].columns))
            if frames[i] is None:
                raise other_columns(f, list(frame.columns), files[0].name, list(frames[0].columns))
            aligned.append(f.name)
    df, mixed = concat_as_text(frames)
    marks = []
    if _opt(options, "decimal") is None and _opt(options, "thousands") is None:
        df, marks = one_decimal_mark(df, [len(f) for f in frames], [f.name for f in files])
    notes = [f"{len(files)} files read {where}", *marks]
    if aligned:
        notes.append(f"{', '.join(aligned[:3])}{' ...' if len(aligned) > 3 else ''}: the columns of {files[0].name} "
                     "in another order or another case, matched by name")
    notes += sorted({n for fr in frames for n in fr.attrs["read_notes"]})
    text = any(f.suffix.lower() not in _PARQUET_SUFFIXES for f in files)
    typed, more = type_columns(df, decimal=_opt(options, "decimal"), thousands=_opt(options, "thousands"),
                               columns=None if text else mixed, census=bool(_opt(options, "census")))
    typed.attrs["read_notes"] = notes + more
    typed.attrs["sources"] = [[f.name, len(frame)] for f, frame in zip(files, frames)]  # which file a row came from
    return typed


def read_table(path: str | Path, *, sheet: str | int | None = None, key: str = "data_path",
               options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Read one input table: a text (CSV), Parquet or Excel file, or a folder or glob of CSV or Parquet files.

    Parameters
    ----------
    path : str or Path
        The file, folder or glob (``sales/2024-*.csv``, ``exports/**/*.parquet``). The files of a folder or a
        glob are read in sorted path order and concatenated.
    sheet : str or int, optional
        The Excel sheet; when not set, every sheet of a workbook whose sheets share one header, or its only one.
    key : str, default "data_path"
        The params key the path came from, named in messages.
    options : mapping, optional
        How to read text files when detection is not enough: ``sep``, ``header``, ``column_names``,
        ``encoding``, ``decimal``, ``thousands`` (the params of :class:`~segkit.parse.options.ReadOptions`); and
        ``census``, to read a census table's codes (``2,500-``, ``(X)``: :func:`~segkit.parse.read_numbers`).

    Returns
    -------
    DataFrame
        Columns typed once for the whole input (:mod:`segkit.io.columns`), with ``attrs["read_notes"]``: a list
        of plain-language notes (encoding, delimiter, header, files read, numbers read from text).
    """
    if is_pattern(path):
        return _read_files(pattern_files(path, key), f"matching {path}", options)
    path = Path(path)
    _check_exists(path, key)
    if path.is_dir():
        return _read_files(_folder_files(path), f"from {path.name}/", options)
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        return _read_parquet(path)
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, sheet, options)
    if suffix in _CSV_SUFFIXES or suffix == "":
        df = _text_frame(path, options)
        return _typed(df, df.attrs["read_notes"], options)
    raise DataFileError(f"{path} has an unsupported type {suffix!r}",
                        "use a .csv, .parquet or .xlsx file, or a folder of CSVs", path=path)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+:/", re.IGNORECASE)  # s3a://, or synth:/ once Path() joined "//"; not C:/


def has_scheme(path: str | Path) -> bool:
    """True when a data path is a URI (``synth://``, ``s3a://``, ...) rather than a path on this machine."""
    return bool(_SCHEME.match(str(path)))


def is_pattern(path: str | Path) -> bool:
    """True when a data path is a glob (it has ``*``, ``?`` or ``[``) rather than a file or folder; a URI such as
    ``synth://customers?n=500`` is not (its ``?`` starts the options)."""
    return not has_scheme(path) and any(ch in str(path) for ch in "*?[")


def pattern_files(pattern: str | Path, key: str = "data_path") -> list[Path]:
    """The CSV and Parquet files a glob matches, in path order (``**`` matches folders at any depth); none is an
    error naming the pattern and what its folder holds."""
    pattern = str(pattern)
    found = sorted(Path(p) for p in _glob.glob(pattern, recursive=True)
                   if Path(p).is_file() and Path(p).suffix.lower() in _CSV_SUFFIXES | _PARQUET_SUFFIXES)
    if found:
        return found
    base = Path(re.split(r"[*?\[]", pattern, maxsplit=1)[0])
    raise DataFileError(f"no CSV or Parquet file matches {pattern}",
                        f"check the pattern in {key}.{_files_in(base if base.is_dir() else base.parent)}", key=key,
                        path=pattern)


def _files_in(folder: Path) -> str:
    """" Files in FOLDER: a, b, ..." (the first 8 names), to help fix a path; empty when it is not a folder."""
    if not folder.is_dir():
        return ""
    return f" Files in {folder}: {', '.join(sorted(p.name for p in folder.iterdir())[:8]) or 'none'}"


def _folder_files(path: Path) -> list[Path]:
    """The table files of a folder input, in name order (a folder without any is an error)."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CSV_SUFFIXES | _PARQUET_SUFFIXES)
    if not files:
        raise DataFileError(f"folder {path} holds no CSV or Parquet files", "point data_path at the files' folder",
                            key="data_path", path=path)
    return files


def read_header(path: str | Path, *, sheet: str | int | None = None,
                options: Mapping[str, Any] | None = None) -> list[str]:
    """Return the column names of an input without reading all of it (the names :func:`read_table` gives)."""
    if is_pattern(path):
        return read_header(pattern_files(path)[0], options=options)
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        return read_header(_folder_files(path)[0], options=options)
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            return [n for n in pq.read_schema(path).names if n != "__index_level_0__"]
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
            raise DataFileError(f"{path} could not be read as Parquet ({exc})", "write the file again",
                                path=path) from None
    if suffix in _EXCEL_SUFFIXES:
        return sheet_columns(path, sheet)
    raw = _read_bytes(path, SNIFF_BYTES)
    if len(raw) == SNIFF_BYTES and b"\n" in raw:  # do not cut a character in two
        raw = raw[: raw.rfind(b"\n") + 1]
    text, _, _ = decode(raw, path, _opt(options, "encoding"))
    _, _, fields, header, text, _ = _dialect(text, path, options)
    lines = [line for line in text.splitlines() if line.strip()]
    _refuse_one_column(fields, lines[1] if header and len(lines) > 1 else "", path)
    if _opt(options, "column_names") is not None:
        return list(_opt(options, "column_names"))
    return mangled(fields) if header else [f"column_{i}" for i in range(1, len(fields) + 1)]


def require_columns(available: Iterable[str], wanted: Mapping[str, str | None], *, source: str = "the input") -> None:
    """Raise :class:`ColumnError` naming every params key whose column is missing from ``available``."""
    available = [str(c) for c in available]
    missing = {key: col for key, col in wanted.items() if col is not None and col not in available}
    if missing:
        listed = ", ".join(f"{key}={col!r}{_close(col, available)}" for key, col in missing.items())
        raise ColumnError(f"{source} has no column for {listed}",
                          f"map each key to one of the available columns: {', '.join(available)}",
                          key=next(iter(missing)), column=next(iter(missing.values())))


def _close(name: str, available: list[str]) -> str:
    """" (did you mean 'id'?)" for a column written in another case or nearly so (``ID`` for ``id``), else ""."""
    import difflib

    same = [c for c in available if c.casefold() == str(name).casefold()]
    close = same or difflib.get_close_matches(str(name), available, n=1, cutoff=0.8)
    return f" (did you mean {close[0]!r}?)" if close else ""


def hash_input(path: str | Path) -> str | None:
    """:func:`hash_path` of an input file, folder or glob; None when it is not there (removed, unreadable, not a file
    or folder, or a glob that matches nothing now)."""
    try:
        return hash_path(path) if is_pattern(path) or Path(path).is_file() or Path(path).is_dir() else None
    except (OSError, DataFileError):
        return None


def hash_path(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files or a glob's matches in sorted order (names and bytes)."""
    pattern = is_pattern(path)
    path = Path(path)
    digest = hashlib.sha256()
    files = (pattern_files(path) if pattern else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir()
             else [path])
    for f in files:
        if pattern or path.is_dir():
            digest.update(str(f if pattern else f.relative_to(path)).encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def parse_synth(uri: str) -> tuple[str, dict[str, Any]]:
    """Split ``synth://customers?n=5000&seed=1`` into ("customers", {"n": 5000, "seed": 1})."""
    parts = urlsplit(uri)
    options: dict[str, Any] = {}
    for key, value in parse_qsl(parts.query):
        options[key] = int(value) if value.lstrip("-").isdigit() else value
    return parts.netloc, options
