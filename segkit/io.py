"""All reading and writing: input tables (CSV, folders of CSVs, Parquet, Excel, SQL) and run artifacts.

Input files are only ever read. Every problem a user can fix (a missing or empty file, a header with no
rows, an unexpected delimiter, a workbook with several sheets) is a :class:`~segkit.errors.DataFileError`
that names the file and the fix. Non-UTF-8 text is detected and decoded, and the encoding used is
reported in :attr:`pandas.DataFrame.attrs` (``"read_notes"``).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ColumnError, DataFileError, ParamsError

__all__ = [
    "read_table", "read_header", "read_sql", "read_synth", "parse_synth", "load_input", "input_columns", "hash_path",
    "RunFolder", "write_json", "read_json", "to_jsonable",
]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_SNIFF_BYTES = 64 * 1024


# --------------------------------------------------------------------------------------- inputs
def _check_exists(path: Path, key: str = "data_path") -> None:
    if not path.exists():
        parent = path.parent
        hint = ""
        if parent.is_dir():
            near = sorted(p.name for p in parent.iterdir())[:8]
            hint = f" Files in {parent}: {', '.join(near) or 'none'}"
        raise DataFileError(f"input file {path} does not exist", f"set {key} to an existing file or folder.{hint}",
                            key=key, path=path)


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
    if encoding.lower() in {"latin_1", "iso8859_1", "iso-8859-1", "cp1250", "iso8859_15"}:
        encoding = "cp1252"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        raise DataFileError(f"{path} is not UTF-8 text and its encoding could not be detected",
                            "re-export the file as UTF-8 CSV", path=path) from None


def _sniff_delimiter(sample: str, path: Path) -> str:
    first = sample.splitlines()[0] if sample else ""
    try:
        dialect = csv.Sniffer().sniff(sample[:_SNIFF_BYTES], delimiters=",;\t|")
        return dialect.delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataFileError(f"{path} is empty", "export the table again with its header and rows", path=path)
    text, encoding = _decode(raw, path)
    delimiter = _sniff_delimiter(text, path)
    try:
        df = pd.read_csv(_io.StringIO(text), sep=delimiter, low_memory=False)
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{path} could not be parsed as CSV with delimiter {delimiter!r}: {exc}",
                            "check that every row has the same number of fields", path=path) from None
    if df.empty:
        raise DataFileError(f"{path} has a header but no rows ({len(df.columns)} columns: "
                            f"{', '.join(map(str, df.columns[:6]))})", "export the rows too", path=path)
    if len(df.columns) == 1 and any(d in str(df.columns[0]) for d in ",;\t|"):
        raise DataFileError(f"{path} was read as a single column {df.columns[0]!r}: the delimiter is not one of , ; tab |",
                            "save the file with comma separators", path=path)
    notes = []
    if encoding != "utf-8":
        notes.append(f"{path.name} is not UTF-8; it was read as {encoding}")
    if delimiter != ",":
        notes.append(f"{path.name} uses {'tab' if delimiter == chr(9) else repr(delimiter)} as delimiter")
    df.attrs["read_notes"] = notes
    return df


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
    df = book.parse(sheet)
    if df.empty:
        raise DataFileError(f"sheet {sheet!r} of {path} has no rows", "choose the sheet with the data", path=path)
    return df


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read one input table: a CSV, Parquet or Excel file, or a folder of CSVs with one header each.

    Parameters
    ----------
    path : str or Path
        The file or folder. Folders are read in sorted file-name order and concatenated.
    sheet : str or int, optional
        The Excel sheet, required when a workbook has several.

    Returns
    -------
    DataFrame
        With ``attrs["read_notes"]``: a list of plain-language notes (encoding, delimiter, files read).
    """
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CSV_SUFFIXES | _PARQUET_SUFFIXES)
        if not files:
            raise DataFileError(f"folder {path} holds no CSV or Parquet files", "point data_path at the files' folder",
                                key="data_path", path=path)
        frames = [read_table(f) for f in files]
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


def read_header(path: str | Path, *, sheet: str | int | None = None) -> list[str]:
    """Return the column names of an input without reading all of it."""
    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CSV_SUFFIXES | _PARQUET_SUFFIXES)
        if not files:
            raise DataFileError(f"folder {path} holds no CSV or Parquet files", "point data_path at the files' folder",
                                key="data_path", path=path)
        return read_header(files[0])
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if suffix in _EXCEL_SUFFIXES:
        return [str(c) for c in _read_excel(path, sheet).columns]
    with path.open("rb") as fh:
        raw = fh.read(_SNIFF_BYTES)
    if not raw.strip():
        raise DataFileError(f"{path} is empty", "export the table again with its header and rows", path=path)
    text, _ = _decode(raw, path)
    delimiter = _sniff_delimiter(text, path)
    return next(csv.reader([text.splitlines()[0]], delimiter=delimiter))


def read_sql(url: str, query: str) -> pd.DataFrame:
    """Run ``query`` on the database at ``url`` (any SQLAlchemy URL) and return the table."""
    import sqlalchemy as sa

    from .config import resolve_env

    try:
        engine = sa.create_engine(resolve_env(url))
    except Exception as exc:
        raise ParamsError(f"sql_url is not a usable database URL ({type(exc).__name__})",
                          "write it as dialect://user:password@host/database", key="sql_url") from None
    try:
        with engine.connect() as conn:
            df = pd.read_sql_query(sa.text(query), conn)
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DataFileError(f"the SQL query failed: {detail}", "check sql_query and that the database is reachable",
                            key="sql_query") from None
    finally:
        engine.dispose()
    if df.empty:
        raise DataFileError("the SQL query returned no rows", "check sql_query", key="sql_query")
    df.attrs["read_notes"] = []
    return df


def parse_synth(uri: str) -> tuple[str, dict[str, Any]]:
    """Split ``synth://customers?n=5000&seed=1`` into ("customers", {"n": 5000, "seed": 1})."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(uri)
    options: dict[str, Any] = {}
    for key, value in parse_qsl(parts.query):
        options[key] = int(value) if value.lstrip("-").isdigit() else value
    return parts.netloc, options


def read_synth(uri: str) -> pd.DataFrame:
    """Generate a seeded synthetic table: ``synth://customers?n=..&seed=..`` or
    ``synth://acs?n=..&seed=..&source=PATH`` (ACS rows resampled from a real table)."""
    from . import synth

    name, options = parse_synth(uri)
    if name == "customers":
        df = synth.generate_customers(options.get("n", 10_000), seed=options.get("seed", 0))
    elif name == "acs":
        source = options.get("source")
        if not source:
            raise ParamsError(f"{uri}: synth://acs needs source=PATH (a real ACS table to resample)",
                              "add &source=../data/acs_delaware.csv", key="data_path")
        df = synth.generate_acs_table(options.get("n", 33_000), source=read_table(source), seed=options.get("seed", 0))
    else:
        raise ParamsError(f"unknown synthetic table {name!r} in {uri}", "use synth://customers or synth://acs",
                          key="data_path")
    df.attrs["read_notes"] = [f"synthetic table generated by {uri}"]
    return df


def load_input(params) -> pd.DataFrame:
    """Read the input table a :class:`~segkit.config.Params` points at (file, SQL or ``synth://``)."""
    if params.source == "sql":
        return read_sql(params.sql_url, params.sql_query)
    if params.data_path and str(params.data_path).startswith("synth://"):
        return read_synth(params.data_path)
    if not params.data_path:
        raise ParamsError("no input: neither data_path nor sql_url is set", "set data_path to a file", key="data_path")
    return read_table(params.data_path, sheet=params.data_sheet)


def input_columns(params) -> list[str]:
    """Column names of the input, read cheaply (header only, or ``LIMIT 0`` for SQL)."""
    if params.source == "sql":
        query = f"SELECT * FROM ({params.sql_query.rstrip().rstrip(';')}) AS segkit_probe LIMIT 0"
        import sqlalchemy as sa

        from .config import resolve_env

        engine = sa.create_engine(resolve_env(params.sql_url))
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(query)).keys())
        except sa.exc.SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise DataFileError(f"the SQL query failed: {detail}", "check sql_query and sql_url", key="sql_query") from None
        finally:
            engine.dispose()
    if not params.data_path:
        raise ParamsError("no input: neither data_path nor sql_url is set", "set data_path to a file", key="data_path")
    if str(params.data_path).startswith("synth://"):
        name, options = parse_synth(params.data_path)  # a few rows are enough to know the columns
        small = f"synth://{name}?" + "&".join(f"{k}={min(v, 50) if k == 'n' else v}" for k, v in {"n": 50, **options}.items())
        return [str(c) for c in read_synth(small).columns]
    return read_header(params.data_path, sheet=params.data_sheet)


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


# ------------------------------------------------------------------------------------ artifacts
def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types (NaN becomes null)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)) or (isinstance(value, np.ndarray)):
        return [to_jsonable(v) for v in (sorted(value) if isinstance(value, set) else value)]
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as stable, pretty JSON (sorted keys) so equal inputs give equal bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json(path: str | Path) -> Any:
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path} does not exist", "run the notebook that writes it first (see the run order in README)",
                            path=path)
    return json.loads(path.read_text(encoding="utf-8"))


class RunFolder:
    """Paths and artifact I/O of one run folder (``reports/<run>/``).

    A notebook reads what earlier notebooks wrote under ``artifacts/`` and writes its own there.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.artifacts = self.path / "artifacts"

    def ensure(self) -> "RunFolder":
        self.artifacts.mkdir(parents=True, exist_ok=True)
        return self

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def artifact(self, name: str) -> Path:
        return self.artifacts / name

    def has(self, name: str) -> bool:
        return self.artifact(name).exists()

    def write_json(self, name: str, data: Any) -> Path:
        return write_json(self.artifact(name), data)

    def read_json(self, name: str) -> Any:
        return read_json(self.artifact(name))

    def write_parquet(self, name: str, df: pd.DataFrame) -> Path:
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_parquet(path, compression="zstd", index=True)
        return path

    def read_parquet(self, name: str) -> pd.DataFrame:
        path = self.artifact(name)
        if not path.is_file():
            raise DataFileError(f"{path} does not exist", "run the notebook that writes it first", path=path)
        return pd.read_parquet(path)

    def write_csv(self, name: str, df: pd.DataFrame, *, index: bool = False) -> Path:
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=index, lineterminator="\n", float_format="%.6g")
        return path

    def save_figure(self, name: str, figure) -> Path:
        """Save a matplotlib figure as PNG (no timestamps in the file, so equal figures give equal bytes)."""
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=96, bbox_inches="tight", metadata={"Software": None})
        return path

    def read_params(self) -> dict[str, Any] | None:
        path = self.path / "params.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
