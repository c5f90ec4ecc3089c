"""The DuckDB engine: an embedded, out-of-core SQL engine over Parquet and CSV files, folders and globs.

This module is generic (it names no data kind): it opens a connection with a memory limit and a spill folder
(:func:`connect`), turns a data path into a relation (:func:`source_sql`), runs queries with DuckDB's errors
turned into segkit errors (:func:`query`), and computes what a data-quality report needs of a big input
without loading it into pandas (:func:`profile_input`: counts, missing values, a seeded sample). The SQL of a
data kind lives in its own folder (``segkit/kinds/transactions/sql.py``).

>>> con = connect(memory_limit="1GB")                                    # doctest: +SKIP
>>> query(con, f"SELECT count(*) FROM {source_sql('data/online_retail.parquet')}").fetchone()  # doctest: +SKIP
(541909,)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ColumnError, DataFileError, DataValueError, ParamsError
from ..io import is_pattern, pattern_files
from .base import SQLEngine

__all__ = ["connect", "session", "source_sql", "source", "data_files", "query", "frame", "estimate_rows", "count",
           "profile_input", "quote", "literal", "column_types", "content_digest", "sample", "write_parquet",
           "DuckDBEngine", "check_setup"]

_PARQUET = {".parquet", ".pq"}
_TEXT = {".csv", ".txt", ".tsv"}
_LIMIT = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _duckdb():
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a pinned dependency
        raise ParamsError("the duckdb engine needs the duckdb package, which is not installed",
                          "pip install duckdb==2.0.0 (it is in segkit's requirements), or set engine: pandas",
                          key="engine") from None
    return duckdb


def check_setup() -> None:
    """Refuse early what would stop the engine (the engines' common signature): duckdb not importable."""
    _duckdb()


def quote(name: str) -> str:
    """A column name as a DuckDB identifier (``"Unit Price"``)."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: str) -> str:
    """A text value as a DuckDB string literal."""
    return "'" + str(value).replace("'", "''") + "'"


#: Share of the machine's memory a DuckDB session may use by default. A batch runs two notebooks at once, and both
#: may hold a session (``08_churn`` beside ``03_select_k``, or ``10_value`` beside ``04``), so each gets 35%: together
#: they leave 30% for Python, Arrow and the other kernels. At 70% each, 100M lines peaked at 18.4 GB of 24.
DEFAULT_MEMORY_SHARE = 0.35


def _memory_limit(value: str | None) -> str:
    """``memory_limit`` as DuckDB reads it; default: :data:`DEFAULT_MEMORY_SHARE` of the machine's memory."""
    if value is None:
        from . import machine_memory

        total = machine_memory()
        return "4GB" if total is None else f"{max(256, int(total * DEFAULT_MEMORY_SHARE / 2**20))}MB"
    if not _LIMIT.match(str(value)):
        raise ParamsError(f"memory_limit {value!r} is not a size", "write it like 4GB or 500MB", key="memory_limit")
    return str(value).replace(" ", "")


def connect(*, memory_limit: str | None = None, temp_directory: str | Path | None = None,
            threads: int | None = None, database: str | Path = ":memory:"):
    """A DuckDB connection that spills to ``temp_directory`` beyond ``memory_limit`` (default: 35% of the
    machine's memory, and a fresh folder under the system's temporary folder)."""
    duckdb = _duckdb()
    config: dict[str, Any] = {"memory_limit": _memory_limit(memory_limit), "preserve_insertion_order": False}
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    if threads:
        config["threads"] = int(threads)
    try:
        con = duckdb.connect(str(database), config=config)
        con.execute("SET enable_progress_bar = false")  # segkit.progress reports the steps
        con.execute("SET TimeZone = 'UTC'")  # a value typed with a zone is read in UTC, as pandas and Spark read it
        return con
    except duckdb.Error as exc:
        raise ParamsError(f"DuckDB could not start with memory_limit={config['memory_limit']} and "
                          f"temp_directory={temp_directory}: {_first_line(exc)}",
                          "check memory_limit and temp_directory (a folder you may write to)",
                          key="memory_limit") from None


@contextmanager
def session(params) -> Iterator[Any]:
    """A connection set up from the params (``memory_limit``, ``temp_directory``): an in-memory database that
    spills to a fresh folder under ``temp_directory`` (removed afterwards) beyond ``memory_limit``, so tables
    larger than memory can be built."""
    base = Path(params.temp_directory) if params.temp_directory else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="segkit-duckdb-", dir=base))
    con = connect(memory_limit=params.memory_limit, temp_directory=folder / "spill")
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def data_files(path: str) -> list[str]:
    """The data files of a path: the file, the Parquet/CSV files of a folder, or the matches of a glob."""
    if is_pattern(path):
        return [str(f) for f in pattern_files(path)]  # the files pandas would read, or the same error
    p = Path(path)
    if not p.exists():
        raise DataFileError(f"input file {p} does not exist", "set data_path to an existing file or folder",
                            key="data_path", path=p)
    if p.is_dir():
        found = sorted(str(f) for f in p.iterdir() if f.is_file() and f.suffix.lower() in _PARQUET | _TEXT)
        if not found:
            raise DataFileError(f"folder {p} holds no Parquet or CSV file", "put the data files in it, or set "
                                "data_path to a file", key="data_path", path=p)
        return found
    return [str(p)]


#: The types DuckDB's CSV reader may give a column: its own but TIMESTAMPTZ, which would turn a time written with an
#: offset into UTC (pandas and Spark read such text at the local time written).
_CSV_TYPES = "['BOOLEAN', 'BIGINT', 'HUGEINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP', 'VARCHAR']"


def source_sql(path: str | Path) -> str:
    """A DuckDB table expression reading every file of ``path`` (a Parquet or CSV file, a folder, a glob); files
    are put together by column name. Parquet and text files are not mixed."""
    files = data_files(str(path))
    kinds = {"parquet" if Path(f).suffix.lower() in _PARQUET else "csv" for f in files}
    if len(kinds) > 1:
        raise DataFileError(f"{path} mixes Parquet and text files", "keep one format per folder", key="data_path",
                            path=str(path))
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    if kinds == {"parquet"}:
        return f"read_parquet({listed}, union_by_name = true)"
    return (f"read_csv({listed}, union_by_name = true, header = true, sample_size = 100000, "  # no TIMESTAMPTZ:
            f"auto_type_candidates = {_CSV_TYPES})")  # "21:30 -05:00" stays text, read at 21:30, as pandas reads it


def source(con, path: str | Path) -> str:
    """The relation of a data path in this engine (the engines' common signature: :func:`source_sql`)."""
    return source_sql(path)


def _translate(exc: BaseException, what: str) -> Exception:
    """A segkit error for a DuckDB error: problem (what was being done, DuckDB's first line) and fix."""
    duckdb = _duckdb()
    text = _first_line(exc)
    if isinstance(exc, duckdb.OutOfMemoryException):
        return DataValueError(f"{what} ran out of memory in DuckDB: {text}",
                              "raise memory_limit, or set temp_directory to a disk with free space for spilling")
    if isinstance(exc, duckdb.IOException):
        return DataFileError(f"{what}: the input could not be read by DuckDB: {text}",
                             "check that data_path holds readable Parquet or CSV files (or set engine: pandas)",
                             key="data_path")
    if isinstance(exc, (duckdb.ConversionException, duckdb.InvalidInputException)):
        return DataValueError(f"{what}: DuckDB could not read a value: {text}",
                              "correct the value at the source, or set engine: pandas, whose readers accept more "
                              "layouts of numbers and dates")
    if isinstance(exc, duckdb.BinderException):
        return ColumnError(f"{what}: {text}", "check the column mapping of the params against the input's columns")
    return DataValueError(f"{what} failed in DuckDB: {text}", "set engine: pandas to run this input in memory, "
                          "and report the input's shape with this message")


def query(con, sql: str, what: str = "reading the input"):
    """Run ``sql``; a DuckDB error becomes a segkit error (:func:`_translate`)."""
    duckdb = _duckdb()
    try:
        return con.execute(sql)
    except duckdb.Error as exc:
        raise _translate(exc, what) from None


def frame(con, sql: str, what: str = "reading the input") -> pd.DataFrame:
    """The result of ``sql`` as a pandas DataFrame."""
    duckdb = _duckdb()
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise _translate(exc, what) from None


def column_types(con, source: str) -> dict[str, str]:
    """Column name -> DuckDB type of a relation."""
    rows = query(con, f"DESCRIBE SELECT * FROM {source}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def estimate_rows(path: str) -> int:
    """Lines of a data path: exact for Parquet (its metadata), estimated for text (bytes over the mean length
    of the first lines)."""
    files = data_files(path)
    if all(Path(f).suffix.lower() in _PARQUET for f in files):
        con = connect(memory_limit="512MB")
        try:
            listed = "[" + ", ".join(literal(f) for f in files) + "]"
            return int(query(con, f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({listed})")
                       .fetchone()[0])
        finally:
            con.close()
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            head = fh.read(1 << 16)
        lines = max(1, head.count(b"\n"))
        total += int(os.path.getsize(f) / (len(head) / lines)) if head else 0
    return total


def line_bytes(path: str, rows: int) -> float:
    """Bytes a line of a data path takes in memory (Arrow's size of its first ``rows`` lines, per line)."""
    con = connect(memory_limit="512MB")
    try:
        table = con.sql(f"SELECT * FROM {source_sql(path)} LIMIT {int(rows)}").to_arrow_table()
    except _duckdb().Error as exc:
        raise _translate(exc, "reading the first lines") from None
    finally:
        con.close()
    return table.nbytes / max(1, table.num_rows)


def profile_input(con, source: str, *, sample_rows: int, seed: int, by: Sequence[str] = ()) -> dict[str, Any]:
    """What the data-quality report needs of an input, computed in DuckDB: the number of lines, the missing
    values per column and a seeded sample of ``sample_rows`` lines (a pandas DataFrame, in input order; whole groups
    of the columns ``by``, :func:`sample`)."""
    types = column_types(con, source)
    missing = ", ".join(f"count(*) - count({quote(c)})" for c in types)
    counts = query(con, f"SELECT count(*), {missing} FROM {source}").fetchone()
    drawn = sample(con, source, sample_rows, seed, by)
    return {"rows": int(counts[0]), "missing": dict(zip(types, map(int, counts[1:]))), "types": types,
            "sample": drawn}


def content_digest(con, source: str) -> str:
    """A digest of the rows of a relation, whatever their order (the xor of DuckDB's row hashes)."""
    columns = ", ".join(quote(c) for c in column_types(con, source))
    value = query(con, f"SELECT bit_xor(hash({columns})) FROM {source}").fetchone()[0]
    return f"rows-xor-duckdb:{int(value or 0):016x}"


def count(con, source: str) -> int:
    """The number of lines of a relation."""
    return int(query(con, f"SELECT count(*) FROM {source}").fetchone()[0])


def sample(con, source: str, rows: int, seed: int, by: Sequence[str] = ()) -> pd.DataFrame:
    """A seeded sample of ``rows`` lines of a relation (every line when it has fewer): the lines with the smallest
    hash of their values and the seed, or of the columns ``by`` (an order's id: whole orders, so that a field on
    an order's first line only is in the sample with the order's other lines). Unlike ``USING SAMPLE``, it is the
    same whatever the number of threads.

    Only lines whose hash is in the lowest ``2 * rows / lines`` of its range are sorted (about twice the lines
    wanted; all of them again in the astronomically rare case that fewer pass): the same sample, about 3x faster
    on 10M lines than sorting every line."""
    every = f"hash({', '.join(quote(c) for c in column_types(con, source))}, {int(seed)})"
    key = f"hash({', '.join(quote(c) for c in by)}, {int(seed)})" if by else every
    order = f"{key}, {every}" if by else key
    total = count(con, source)
    if total > 2 * rows:
        bound = int(2 * rows / total * (2**64 - 1))
        drawn = frame(con, f"SELECT * FROM {source} WHERE {key} <= {bound}::UBIGINT ORDER BY {order} LIMIT {int(rows)}")
        if len(drawn) == rows:
            return drawn
    return frame(con, f"SELECT * FROM {source} ORDER BY {order} LIMIT {int(rows)}")


def write_parquet(con, sql: str, path: str | Path, *, batch_rows: int = 1_000_000,
                  names: dict[str, str] | None = None) -> Path:
    """Write the result of ``sql`` to a Parquet file, a batch at a time, with the result's column names as they
    are, or as ``names`` renames them (``COPY`` would rename ``Quantity`` beside ``quantity``: DuckDB's names
    ignore case)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    duckdb, writer, names = _duckdb(), None, names or {}
    try:
        with con.sql(sql).to_arrow_reader(batch_size=batch_rows) as reader:  # a relation's reader streams
            schema = pa.schema([f.with_name(names.get(f.name, f.name)) for f in reader.schema])
            writer = pq.ParquetWriter(str(path), schema)
            for batch in reader:
                writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
    except duckdb.Error as exc:
        raise _translate(exc, "writing " + Path(path).name) from None
    finally:
        if writer is not None:
            writer.close()
    return Path(path)


class DuckDBEngine(SQLEngine):
    """A DuckDB connection as the kinds' SQL sees it (:class:`segkit.engine.base.SQLEngine`)."""

    name = "duckdb"

    def __init__(self, con):
        self.con = con

    def quote(self, name: str) -> str:
        return quote(name)

    def literal(self, value: str) -> str:
        return literal(value)

    def day_number(self, expr: str) -> str:
        return f"(CAST({expr} AS DATE) - DATE '1970-01-01')"

    def parse_timestamp(self, text: str, date_format: str | None) -> str:
        if not date_format:  # "21:30 -05:00" at 21:30: the local time written, its offset dropped
            return f"try_cast({text} AS TIMESTAMP)"
        if "%z" in date_format:  # the same with a format: the offset dropped before strptime reads the rest
            text = rf"regexp_replace({text}, '\s*(Z|[+-]\d\d(:?\d\d)?)$', '')"
            date_format = date_format.replace("%z", "").rstrip()
        return f"try_strptime({text}, {literal(date_format)})"

    def seeded_hash(self, expr: str, seed: int) -> str:
        return f"hash({expr}, {int(seed)})"

    def types(self, source: str) -> dict[str, str]:
        return column_types(self.con, source)

    def rows(self, sql: str, what: str = "reading the input") -> list[tuple]:
        return query(self.con, sql, what).fetchall()

    def frame(self, sql: str, what: str = "reading the input") -> pd.DataFrame:
        return frame(self.con, sql, what)

    def table(self, name: str, sql: str, what: str = "reading the input") -> None:
        query(self.con, f"CREATE OR REPLACE TABLE {name} AS {sql}", what)

    def view(self, name: str, sql: str, what: str = "reading the input") -> None:
        query(self.con, f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}", what)

    def write_parquet(self, sql: str, path: str | Path, names: dict[str, str] | None = None) -> Path:
        return write_parquet(self.con, sql, path, names=names)
