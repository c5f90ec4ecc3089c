"""Reading input tables: CSV (any dialect and encoding), folders of CSVs, Parquet and Excel.

Input files are only ever read. Every problem a user can fix (a missing or empty file, a header with no
rows, an unexpected delimiter, a workbook with several sheets) is a :class:`~segkit.errors.DataFileError`
that names the file and the fix. Non-UTF-8 text is detected and decoded, and the encoding used is
reported in :attr:`pandas.DataFrame.attrs` (``"read_notes"``).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io as _io
import os
import re
import stat
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from ..errors import ColumnError, DataFileError, describe_file_type

__all__ = ["read_table", "read_header", "require_columns", "hash_path"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_SNIFF_BYTES = 64 * 1024


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
        parent = path.parent
        hint = ""
        if parent.is_dir():
            near = sorted(p.name for p in parent.iterdir())[:8]
            hint = f" Files in {parent}: {', '.join(near) or 'none'}"
        what = "is a symbolic link to a missing file" if path.is_symlink() else "does not exist"
        raise DataFileError(f"input file {path} {what}", f"set {key} to an existing file or folder.{hint}",
                            key=key, path=path)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DataFileError(f"input file {path} is {describe_file_type(mode)}, not a file or folder of data",
                            f"set {key} to a CSV, Parquet or Excel file, or a folder of them", key=key, path=path)


_MAGIC = {b"PK\x03\x04": "a zip archive (an .xlsx workbook?)", b"PAR1": "a Parquet file",
          b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Office file", b"%PDF": "a PDF document",
          b"\x1f\x8b": "a gzip archive"}


def _refuse_binary(raw: bytes, path: Path) -> None:
    """A CSV name on a binary file (a workbook, an archive) is a clear user error: say what it is."""
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise DataFileError(f"{path} is {what}, not a CSV text file",
                                "give the file its real extension (.xlsx, .parquet, ...) or export it as CSV",
                                key="data_path", path=path)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8, or as the detected encoding; return (text, encoding)."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 4 * _SNIFF_BYTES]).best()
    encoding = best.encoding if best is not None else "cp1252"
    # Western exports are nearly always cp1252/latin-1; prefer cp1252, which is a superset for £ and €.
    candidates = [encoding]
    if encoding.lower() in {"latin_1", "iso8859_1", "iso-8859-1", "cp1250", "iso8859_15"}:
        candidates = ["cp1252", encoding]
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:  # NUL characters: binary data, or a wrong guess of a UTF-16/32 text
            break
        return text, candidate
    raise DataFileError(f"{path} is not UTF-8 text and its encoding could not be detected"
                        + (" (it holds NUL bytes: is it a binary file?)" if b"\x00" in raw else ""),
                        "re-export the file as UTF-8 CSV", path=path)


def _first_line(text: str) -> str:
    """The header line: the first line that is not blank (pandas skips leading blank lines too)."""
    return next((line for line in text.splitlines() if line.strip()), "")


def _sniff_delimiter(sample: str, path: Path) -> str:
    first = _first_line(sample)
    try:
        dialect = csv.Sniffer().sniff(sample[:_SNIFF_BYTES], delimiters=",;\t|")
        return dialect.delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _likely_delimiter(header: str) -> str | None:
    """The punctuation character that splits ``header`` most often (to name an unsupported delimiter)."""
    counts = {ch: header.count(ch) for ch in set(header) if not ch.isalnum() and ch not in " _-.'\"()[]$%/&"}
    return max(sorted(counts), key=counts.get) if counts else None


def _delimiter_name(d: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(d, repr(d))


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
    _refuse_binary(raw, path)
    return raw


def _read_csv(path: Path) -> pd.DataFrame:
    raw = _read_bytes(path)
    text, encoding = _decode(raw, path)
    if not text.strip().strip("\ufeff"):
        raise DataFileError(f"{path} is empty (it holds only blank characters)",
                            "export the table again with its header and rows", path=path)
    delimiter = _sniff_delimiter(text, path)
    try:
        # index_col=False: rows longer than the header must never turn the first columns into an index
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            df = pd.read_csv(_io.StringIO(text), sep=delimiter, low_memory=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path} has no header line", "export the table again with its header and rows",
                            path=path) from None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise DataFileError(f"{path} could not be parsed as CSV with {_delimiter_name(delimiter)} as delimiter: "
                            f"{detail}", "check that every row has the same number of fields and that quotes are "
                            "closed", path=path) from None
    if df.empty:
        raise DataFileError(f"{path} has a header but no rows ({len(df.columns)} columns: "
                            f"{', '.join(map(str, df.columns[:6]))})", "export the rows too", path=path)
    if len(df.columns) == 1:
        found = _likely_delimiter(str(df.columns[0]))
        if found is not None and found in str(df.iloc[0, 0]):
            raise DataFileError(f"{path} was read as a single column {str(df.columns[0])[:80]!r}: its delimiter "
                                f"looks like {_delimiter_name(found)}, which is not one of comma, semicolon, tab or pipe",
                                "save the file with comma separators", path=path)
    notes = []
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        notes += _check_long_rows(text, delimiter, len(df.columns), path)
    if encoding != "utf-8":
        notes.append(f"{path.name} is not UTF-8; it was read as {encoding}")
    if delimiter != ",":
        notes.append(f"{path.name} uses {'tab' if delimiter == chr(9) else repr(delimiter)} as delimiter")
    df, dropped = _drop_unnamed_empty(df)
    if dropped:
        notes.append(f"{path.name}: {len(dropped)} column(s) without a name and without values were dropped "
                     "(trailing delimiters)")
    renamed = _renamed_duplicates(df.columns)
    if renamed:
        notes.append(f"{path.name} has repeated column names; the repeats were renamed {', '.join(renamed)}")
    df.attrs["read_notes"] = notes
    return df


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
    return [f"{path.name}: {long_rows:,} row(s) end with empty extra fields (trailing delimiters); they were ignored"]


def _drop_unnamed_empty(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns pandas named ``Unnamed: N`` (no header) that hold no value at all."""
    dropped = [c for c in df.columns if isinstance(c, str) and c.startswith("Unnamed: ") and df[c].isna().all()]
    return (df.drop(columns=dropped) if dropped else df), dropped


def _renamed_duplicates(columns: Iterable) -> list[str]:
    names = [str(c) for c in columns]
    return [n for n in names if re.fullmatch(r".+\.\d+", n) and n.rsplit(".", 1)[0] in names]


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # openpyxl raises several types for corrupt files
        raise DataFileError(f"{path} could not be opened as an Excel workbook ({exc})",
                            "save it again as .xlsx, or export it as CSV", path=path) from None
    names = book.sheet_names
    if sheet is None:
        if len(names) > 1:
            raise DataFileError(f"{path} has {len(names)} sheets ({', '.join(names)}) and data_sheet is not set",
                                f"set data_sheet to one of: {', '.join(names)}", key="data_sheet", path=path)
        sheet = names[0]
    if isinstance(sheet, str) and sheet not in names:
        raise DataFileError(f"{path} has no sheet {sheet!r}", f"set data_sheet to one of: {', '.join(names)}",
                            key="data_sheet", path=path)
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise DataFileError(f"{path} has no sheet number {sheet} (it has {len(names)})",
                            f"set data_sheet to 0..{len(names) - 1} or a name: {', '.join(names)}",
                            key="data_sheet", path=path)
    try:
        df = pd.read_excel(book, sheet_name=sheet)
    except Exception as exc:  # damaged cells or XML inside the workbook
        raise DataFileError(f"sheet {sheet!r} of {path} could not be read ({exc})",
                            "save the workbook again, or export the sheet as CSV", path=path) from None
    if df.empty:
        raise DataFileError(f"sheet {sheet!r} of {path} has no rows", "choose the sheet with the data", path=path)
    return df


def read_table(path: str | Path, *, sheet: str | int | None = None, key: str = "data_path") -> pd.DataFrame:
    """Read one input table: a CSV, Parquet or Excel file, or a folder of CSVs with one header each.

    Parameters
    ----------
    path : str or Path
        The file or folder. Folders are read in sorted file-name order and concatenated.
    sheet : str or int, optional
        The Excel sheet, required when a workbook has several.
    key : str, default "data_path"
        The params key the path came from, named in messages.

    Returns
    -------
    DataFrame
        With ``attrs["read_notes"]``: a list of plain-language notes (encoding, delimiter, files read).
    """
    path = Path(path)
    _check_exists(path, key)
    if path.is_dir():
        files = _folder_files(path)
        frames = [read_table(f, key=key) for f in files]
        columns = frames[0].columns
        for f, frame in zip(files, frames):
            if list(frame.columns) != list(columns):
                raise DataFileError(f"{f} has different columns from {files[0].name}",
                                    "put only files of one table in the folder", path=f)
        df = pd.concat(frames, ignore_index=True)
        df.attrs["read_notes"] = [f"{len(files)} files read from {path.name}/"] + sorted(
            {n for fr in frames for n in fr.attrs.get("read_notes", [])})
        return df
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        try:
            df = pd.read_parquet(path)
        except Exception as exc:
            raise DataFileError(f"{path} could not be read as Parquet ({exc})", "write the file again", path=path) from None
        if df.empty:
            raise DataFileError(f"{path} has no rows", "check the export", path=path)
        df.attrs["read_notes"] = []
        return df
    if suffix in _EXCEL_SUFFIXES:
        df = _read_excel(path, sheet)
        df.attrs["read_notes"] = []
        return df
    if suffix in _CSV_SUFFIXES or suffix == "":
        return _read_csv(path)
    raise DataFileError(f"{path} has an unsupported type {suffix!r}",
                        "use a .csv, .parquet or .xlsx file, or a folder of CSVs", path=path)


def _folder_files(path: Path) -> list[Path]:
    """The table files of a folder input, in name order (a folder without any is an error)."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CSV_SUFFIXES | _PARQUET_SUFFIXES)
    if not files:
        raise DataFileError(f"folder {path} holds no CSV or Parquet files", "point data_path at the files' folder",
                            key="data_path", path=path)
    return files


def read_header(path: str | Path, *, sheet: str | int | None = None) -> list[str]:
    """Return the column names of an input without reading all of it."""
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        files = _folder_files(path)
        return read_header(files[0])
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            return [n for n in pq.read_schema(path).names if n != "__index_level_0__"]
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
            raise DataFileError(f"{path} could not be read as Parquet ({exc})", "write the file again",
                                path=path) from None
    if suffix in _EXCEL_SUFFIXES:
        return [str(c) for c in _read_excel(path, sheet).columns]
    raw = _read_bytes(path, _SNIFF_BYTES)
    if len(raw) == _SNIFF_BYTES and b"\n" in raw:  # do not cut a character in two
        raw = raw[: raw.rfind(b"\n") + 1]
    text, _ = _decode(raw, path)
    header = _first_line(text)
    if not header.strip().strip("\ufeff"):
        raise DataFileError(f"{path} is empty (it holds only blank characters)",
                            "export the table again with its header and rows", path=path)
    delimiter = _sniff_delimiter(text, path)
    try:
        return next(csv.reader([header], delimiter=delimiter))
    except csv.Error as exc:
        raise DataFileError(f"{path}: the header line cannot be read ({exc})", "check the quotes in the first line",
                            path=path) from None


def require_columns(available: Iterable[str], wanted: Mapping[str, str | None], *, source: str = "the input") -> None:
    """Raise :class:`ColumnError` naming every params key whose column is missing from ``available``."""
    available = [str(c) for c in available]
    missing = {key: col for key, col in wanted.items() if col is not None and col not in available}
    if missing:
        listed = ", ".join(f"{key}={col!r}" for key, col in missing.items())
        raise ColumnError(f"{source} has no column for {listed}",
                          f"map each key to one of the available columns: {', '.join(available)}",
                          key=next(iter(missing)), column=next(iter(missing.values())))


def hash_path(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files in sorted order (names and bytes)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            digest.update(str(f.relative_to(path)).encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
