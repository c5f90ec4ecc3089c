"""The Spark engine: the kinds' SQL in Spark SQL, on this machine (``local[*]``) or on a cluster.

Optional: ``pip install 'segkit[spark]'`` (pyspark) and Java 17 or later (Debian: ``openjdk-17-jre-headless``).
This module is generic (it names no data kind): it starts or reuses a Spark session from the params
(:func:`connect`: ``spark_master``, ``spark_conf``; no web UI, no progress bars, the JVM's own messages in
``segkit-spark-<pid>.log`` under the temporary folder, not in notebooks), turns a data
path into a temporary view (:func:`source`: Parquet or CSV files, folders, globs, put together by column name),
and implements :class:`~segkit.engine.base.SQLEngine` (:class:`SparkEngine`), so the kinds' SQL runs as it runs
in DuckDB. Spark's errors become segkit errors (problem + "Fix:"). Only the per-entity table (a seeded sample of
it above ``driver_max_customers``), a seeded sample of lines and counts come back to the driver; the cleaned lines
(and above ``driver_max_customers`` every entity's features and segment) are written by the executors and put
together into one Parquet file by the driver. :func:`map_parquet` has the executors apply a pandas function
(a fitted model's assignment) to every row of a Parquet file.

On a cluster, ``data_path`` and the reports folder must be on storage that the driver and every executor see
(a shared mount): the executors read the input and write the cleaned lines there.

>>> with session(params) as eng:                                           # doctest: +SKIP
...     eng.rows(f"SELECT count(*) FROM {source(eng, 'data/online_retail.parquet')}")
[(541909,)]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import SPARK_MASTER
from ..errors import ColumnError, DataFileError, DataValueError, DependencyError, ParamsError, SegkitError
from . import is_uri
from .base import SQLEngine
from .duckdb import data_files
from .spark_csv import read_csv

__all__ = ["SparkEngine", "connect", "session", "stop", "check_setup", "check_java", "source", "columns", "count",
           "profile_input", "content_digest", "sample", "map_parquet", "java_pattern", "REQUIRED_CONF"]

_PARQUET = {".parquet", ".pq"}
#: Settings the kinds' SQL relies on, whatever ``spark_conf`` says: TIMESTAMP is a date and time without zone,
#: and names keep their case (the cleaned lines hold ``Quantity`` beside ``quantity``).
REQUIRED_CONF = {"spark.sql.timestampType": "TIMESTAMP_NTZ", "spark.sql.caseSensitive": "true"}
#: Settings ``spark_conf`` may change: quiet, no web UI, dates read in UTC, few shuffle partitions in local mode.
_DEFAULT_CONF = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                 "spark.sql.session.timeZone": "UTC", "spark.sql.parquet.inferTimestampNTZ.enabled": "true"}
#: In local mode, Spark's one JVM does all the work: its heap is a quarter of the machine's memory (2 to 16 GB;
#: the batch's other kernel and DuckDB need the rest), and its shuffles use one partition per LINES_PER_PARTITION
#: input lines, at least 8. 100M lines with 8 partitions of 12M lines and a 2 GB heap ran out of memory in the
#: cleaning's DISTINCT (bench/README.md, "The whole batch by size and engine").
LINES_PER_PARTITION = 2_500_000
_LOCAL_HEAP = (0.25, 2, 16)  # share of the machine's memory, least and most GB
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""
_STRFTIME = {"Y": "yyyy", "y": "yy", "m": "MM", "d": "dd", "H": "HH", "I": "hh", "M": "mm", "S": "ss", "f": "SSSSSS",
             "p": "a", "b": "MMM", "B": "MMMM", "a": "EEE", "A": "EEEE", "j": "DDD", "z": "Z", "%": "%"}
_current: dict[str, Any] = {}  # the session segkit started in this process: {"master": ..., "spark": ...}


def _pyspark():
    try:
        with warnings.catch_warnings():  # pyspark warns on import that it does not yet vouch for pandas 3
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql import SparkSession
    except ImportError:
        raise DependencyError("the spark engine needs pyspark, which is not installed",
                              "pip install 'segkit[spark]' (and Java 17), or set engine: duckdb or pandas",
                              key="engine") from None
    return SparkSession


def _java_version(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def check_java() -> None:
    """Refuse to start Spark without Java 17 or later (``JAVA_HOME``, else ``java`` on the PATH)."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    fix = ("install Java 17 (Debian or Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME to a Java 17 "
           "installation; or set engine: duckdb, which needs no Java")
    if not java or not Path(java).is_file():
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on the PATH and JAVA_HOME is not set"
        raise DependencyError(f"the spark engine needs Java 17 or later: {where}", fix, key="engine")
    version = _java_version(java)
    if version is None or version < 17:
        raise DependencyError(f"the spark engine needs Java 17 or later; {java} is "
                              f"{'not a working Java' if version is None else f'Java {version}'}", fix, key="engine")


def check_setup() -> None:
    """Refuse early what would stop Spark from starting: no pyspark, no Java 17 (a segkit error naming the fix)."""
    _pyspark()
    check_java()


def _local_conf(lines: int | None) -> dict[str, str]:
    """Heap and shuffle partitions of a local session for an input of ``lines`` lines (None: not known)."""
    from . import machine_memory

    share, least, most = _LOCAL_HEAP
    total = machine_memory()
    heap = least if total is None else min(most, max(least, int(share * total / 2**30)))
    partitions = max(8, -(-int(lines or 0) // LINES_PER_PARTITION))
    return {"spark.sql.shuffle.partitions": str(partitions), "spark.driver.memory": f"{heap}g"}


def _settings(master: str, conf: dict | None, lines: int | None = None) -> dict[str, str]:
    """Spark settings: segkit's defaults (in local mode, sized for ``lines`` input lines), then ``spark_conf``, then
    what the SQL requires; logs at ERROR."""
    out = {**_DEFAULT_CONF, **(_local_conf(lines) if master.startswith("local") else {})}
    out.update({str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in (conf or {}).items()})
    out.update(REQUIRED_CONF)
    log4j = Path(tempfile.gettempdir()) / "segkit-spark-log4j2.properties"
    if not log4j.exists():
        log4j.write_text(_LOG4J)
    quiet = f"-Dlog4j2.configurationFile=file:{log4j}"
    out["spark.driver.extraJavaOptions"] = (out.get("spark.driver.extraJavaOptions", "") + " " + quiet).strip()
    return out


def connect(master: str = "local[*]", conf: dict | None = None, lines: int | None = None):
    """The Spark session of this process for ``master`` (started once, then reused; a session with another master
    is stopped first). ``conf`` are Spark settings (``spark_conf``); settings Spark reads only at start-up
    (memory, cores) apply to a new session. ``lines``: the input's size, for a local session's defaults."""
    if not SPARK_MASTER.fullmatch(str(master)):
        raise ParamsError(f"spark_master {master!r} is not a Spark master URL",
                          "write local[*], local[4], spark://host:7077, yarn or k8s://https://host:443",
                          key="spark_master")
    SparkSession = _pyspark()
    settings = _settings(master, conf, lines)
    spark = _current.get("spark")
    if spark is not None and _current.get("master") == master and spark.sparkContext._jsc is not None:
        for key, value in settings.items():
            if key.startswith("spark.sql."):
                spark.conf.set(key, value)
        return spark
    stop()
    check_java()
    builder = SparkSession.builder.master(master).appName("segkit")
    for key, value in settings.items():
        builder = builder.config(key, value)
    log = Path(tempfile.gettempdir()) / f"segkit-spark-{os.getpid()}.log"
    try:
        with warnings.catch_warnings(), _jvm_output(log), _worker_python(master):
            warnings.simplefilter("ignore", FutureWarning)
            spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own errors and Py4J's; each becomes one message
        raise ParamsError(f"Spark did not start with spark_master {master}: {_first_line(exc)}",
                          "check spark_master (is the cluster up and reachable from here?) and spark_conf, or set "
                          f"engine: duckdb to run on this machine; Spark's own messages are in {log}",
                          key="spark_master") from None
    spark.sparkContext.setLogLevel("ERROR")
    _current.update(master=master, spark=spark)
    return spark


@contextmanager
def _jvm_output(log: Path) -> Iterator[None]:
    """While the JVM starts, this process's standard output and error go to ``log``, so the JVM inherits that file
    and its notices (start-up, log levels) stay out of notebooks and consoles; both are restored afterwards."""
    sys.stdout.flush()
    sys.stderr.flush()
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, target):
            os.close(fd)


@contextmanager
def _worker_python(master: str) -> Iterator[None]:
    """While a local session starts, ``PYSPARK_PYTHON`` names this Python (unless it is set), so the Python
    workers that run pandas functions (:func:`map_parquet`) have segkit and its packages, not the first ``python3``
    on the PATH; the variable is restored afterwards. On a cluster the executors' Python is the cluster's."""
    if not master.startswith("local") or os.environ.get("PYSPARK_PYTHON"):
        yield
        return
    os.environ["PYSPARK_PYTHON"] = sys.executable
    try:
        yield
    finally:
        os.environ.pop("PYSPARK_PYTHON", None)


def stop() -> None:
    """Stop the Spark session segkit started in this process, if any."""
    spark = _current.pop("spark", None)
    _current.pop("master", None)
    if spark is not None:
        spark.stop()


def columns(params) -> list[str]:
    """The column names of the Parquet a URI ``data_path`` points at, as Spark reads them (the session of
    ``spark_master``)."""
    with session(params) as eng:
        return list(eng.types(source(eng, params.data_path)))


def _input_lines(params) -> int | None:
    """The input's lines for a local session's size (:func:`segkit.engine.input_rows`); None when DuckDB cannot tell
    (a damaged file is then Spark's to report, as it reads it)."""
    from . import input_rows

    try:
        return input_rows(params)
    except SegkitError:
        return None


@contextmanager
def session(params) -> Iterator["SparkEngine"]:
    """A :class:`SparkEngine` on the session of ``spark_master`` / ``spark_conf``; the views and cached tables
    it made are dropped afterwards (the session stays up for the next stage of the same process)."""
    local = str(params.spark_master).startswith("local")  # a cluster's session is sized by its own settings
    eng = SparkEngine(connect(params.spark_master, params.spark_conf, _input_lines(params) if local else None))
    try:
        yield eng
    finally:
        eng.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("An error occurred while calling", "at ", "JVM stacktrace")):
            return line.lstrip(": ")[:400]
    return type(exc).__name__


def _translate(exc: BaseException, what: str) -> Exception:
    """A segkit error for a Spark error: problem (what was being done, Spark's first line) and fix."""
    text, name = _first_line(exc), type(exc).__name__
    if name == "PythonException":  # a pandas function in the executors (map_parquet): its own last line
        return _python_error(str(exc), what)
    if "OutOfMemory" in str(exc) or "Java heap space" in str(exc):
        return DataValueError(f"{what} ran out of memory in Spark: {text}", "raise spark.driver.memory (local mode) "
                              "or spark.executor.memory in spark_conf, or run on more executors")
    if any(k in str(exc) for k in ("PATH_NOT_FOUND", "FAILED_READ_FILE", "CANNOT_READ_FILE", "is not a Parquet file",
                                   "UNABLE_TO_INFER_SCHEMA", "FileNotFoundException")):
        return DataFileError(f"{what}: the input could not be read by Spark: {text}",
                             "check that data_path holds readable Parquet or CSV files that every executor can reach",
                             key="data_path")
    if name == "AnalysisException":
        return ColumnError(f"{what}: {text}", "check the column mapping of the params against the input's columns")
    if any(k in str(exc) for k in ("CAST_INVALID_INPUT", "ARITHMETIC_OVERFLOW", "DIVIDE_BY_ZERO", "NumberFormat")):
        return DataValueError(f"{what}: Spark could not read a value: {text}",
                              "correct the value at the source, or set engine: pandas, whose readers accept more "
                              "layouts of numbers and dates")
    return DataValueError(f"{what} failed in Spark: {text}", "set engine: duckdb to run this input on one machine, "
                          "and report the input's shape with this message")


def _python_error(text: str, what: str) -> Exception:
    """A segkit error for an error raised in the executors' Python: a missing module names ``PYSPARK_PYTHON``."""
    last = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "an error")
    if last.startswith(("ModuleNotFoundError", "ImportError")):
        return DependencyError(f"{what}: the executors' Python cannot import what segkit needs: {last}",
                               "install segkit in the Python the executors run and point PYSPARK_PYTHON at it (local "
                               "mode uses this Python unless PYSPARK_PYTHON says otherwise)", key="spark_master")
    return DataValueError(f"{what} failed in Spark's Python workers: {last}",
                          "set engine: duckdb to run this input on one machine, and report this message")


def java_pattern(date_format: str) -> str:
    """A ``strptime`` format as a Spark datetime pattern (``%d/%m/%Y %H:%M`` -> ``dd/MM/yyyy HH:mm``)."""
    out, i = [], 0
    while i < len(date_format):
        ch = date_format[i]
        if ch == "%":
            code = date_format[i + 1:i + 2]
            if code not in _STRFTIME:
                raise ParamsError(f"date_format {date_format!r}: the spark engine does not read %{code}",
                                  "use %Y %m %d %H %M %S %f %b %B %p, or set engine: duckdb or pandas",
                                  key="date_format")
            out.append(_STRFTIME[code])
            i += 2
            continue
        out.append(f"'{ch}'" if ch.isalpha() else "''" if ch == "'" else ch)
        i += 1
    return "".join(out)


def _duck_type(spark_type: str) -> str:
    """A Spark type name as DuckDB writes it (what the kinds' SQL tests: BIGINT, DOUBLE, VARCHAR, TIMESTAMP)."""
    t = spark_type.upper()
    names = {"INT": "INTEGER", "STRING": "VARCHAR", "TIMESTAMP_NTZ": "TIMESTAMP",
             "TIMESTAMP": "TIMESTAMP WITH TIME ZONE"}
    return names.get(t, t)


class SparkEngine(SQLEngine):
    """A Spark session as the kinds' SQL sees it (:class:`segkit.engine.base.SQLEngine`)."""

    name = "spark"

    def __init__(self, spark):
        self.spark = spark
        self._views: list[str] = []
        self._cached: list[Any] = []

    def quote(self, name: str) -> str:
        return "`" + str(name).replace("`", "``") + "`"

    def literal(self, value: str) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    def day_number(self, expr: str) -> str:
        return f"unix_date(CAST({expr} AS DATE))"

    def parse_timestamp(self, text: str, date_format: str | None) -> str:
        if not date_format:  # NTZ: "21:30 -05:00" at 21:30, as pandas and DuckDB read text (not 02:30 UTC)
            return f"try_cast({text} AS TIMESTAMP_NTZ)"
        return f"try_to_timestamp({text}, {self.literal(java_pattern(date_format))})"

    def seeded_hash(self, expr: str, seed: int) -> str:
        return f"xxhash64({expr}, {int(seed)})"

    def _run(self, action, what: str):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                return action()
        except Exception as exc:  # Spark's errors (Py4J and pyspark classes) become segkit errors
            raise _translate(exc, what) from None

    def types(self, source: str) -> dict[str, str]:
        fields = self._run(lambda: self.spark.sql(f"SELECT * FROM {source}").dtypes, "reading the input")
        return {name: _duck_type(kind) for name, kind in fields}

    def rows(self, sql: str, what: str = "reading the input") -> list[tuple]:
        return [tuple(r) for r in self._run(lambda: self.spark.sql(sql).collect(), what)]

    def frame(self, sql: str, what: str = "reading the input") -> pd.DataFrame:
        return self._run(lambda: self.spark.sql(sql).toArrow().to_pandas(), what)

    def table(self, name: str, sql: str, what: str = "reading the input") -> None:
        df = self._run(lambda: self.spark.sql(sql).persist(), what)  # memory, then local disk
        self._cached.append(df)
        self._register(name, df)

    def view(self, name: str, sql: str, what: str = "reading the input") -> None:
        self._register(name, self._run(lambda: self.spark.sql(sql), what))

    def _register(self, name: str, df) -> str:
        df.createOrReplaceTempView(name)
        if name not in self._views:
            self._views.append(name)
        return name

    def write_parquet(self, sql: str, path: str | Path, names: dict[str, str] | None = None) -> Path:
        """The executors write part files beside ``path``; the driver puts them together into ``path``, a batch at
        a time, renaming the columns of ``names``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path, names = Path(path), names or {}
        staging = path.parent / f".{path.name}.spark-{os.getpid()}"
        try:
            df = self._run(lambda: self.spark.sql(sql), "writing " + path.name)
            self._run(lambda: df.write.mode("overwrite").parquet("file://" + str(staging.resolve())),
                      "writing " + path.name)
            parts = sorted(staging.glob("part-*.parquet"))
            first = pq.read_schema(parts[0]) if parts else self._run(lambda: df.limit(0).toArrow().schema, "writing")
            schema = pa.schema([f.with_name(names.get(f.name, f.name)) for f in first]).remove_metadata()
            with pq.ParquetWriter(str(path), schema) as writer:
                for part in parts:
                    for batch in pq.ParquetFile(part).iter_batches(batch_size=1_000_000):
                        writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return path

    def close(self) -> None:
        """Drop the views and cached tables this engine made."""
        for df in self._cached:
            df.unpersist()
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._cached, self._views = [], []


def _each_batch(fn, batches):
    """``mapInPandas``' function: ``fn`` applied to every batch of rows (at module level, so executors import it)."""
    for batch in batches:
        yield fn(batch)


def map_parquet(eng: SparkEngine, path: str | Path, fn, schema: str, what: str) -> str:
    """A temporary view of ``fn`` applied by the executors to the rows of the Parquet file ``path``, a batch at a
    time (``mapInPandas``: a pandas DataFrame in, one out); ``schema`` is the DDL of what ``fn`` returns
    (```id` STRING, d DOUBLE``). ``fn`` goes to the executors pickled, with what it holds (a fitted model): their
    Python needs segkit, which in local mode is this Python. Returns the view's name; errors surface when it is
    read, as segkit errors naming ``what``."""
    uri = "file://" + str(Path(path).resolve())
    df = eng._run(lambda: eng.spark.read.parquet(uri).mapInPandas(partial(_each_batch, fn), schema), what)
    return eng._register(f"segkit_mapped_{len(eng._views)}", df)


def source(eng: SparkEngine, path: str | Path) -> str:
    """A temporary view reading every file of ``path`` (a Parquet or CSV file, a folder, a glob), files put together
    by column name; returns its name. Parquet and text files are not mixed."""
    if is_uri(path):  # storage only Spark sees (s3a://, hdfs://, ...): Spark lists the folder or glob itself
        if Path(str(path).rstrip("/")).suffix.lower() in {".csv", ".txt", ".tsv"}:
            raise DataFileError(f"{path} is text: Spark reads a URI as Parquet", "write the table as Parquet, or copy "
                                "the CSV files to a folder this machine and the executors can see", key="data_path",
                                path=str(path))
        df = eng._run(lambda: eng.spark.read.option("mergeSchema", "true").parquet(str(path)), "reading the input")
        return eng._register(f"segkit_source_{len(eng._views)}", df)
    files = data_files(str(path))
    parquet = {Path(f).suffix.lower() in _PARQUET for f in files}
    if len(parquet) > 1:
        raise DataFileError(f"{path} mixes Parquet and text files", "keep one format per folder", key="data_path",
                            path=str(path))
    if parquet == {True}:
        uris = ["file://" + str(Path(f).resolve()) for f in files]
        df = eng._run(lambda: eng.spark.read.option("mergeSchema", "true").parquet(*uris), "reading the input")
    else:
        df = eng._run(lambda: read_csv(eng.spark, files), "reading the input")
    return eng._register(f"segkit_source_{len(eng._views)}", df)


def _columns(eng: SparkEngine, source_name: str) -> str:
    return ", ".join(eng.quote(c) for c in eng.types(source_name))


def profile_input(eng: SparkEngine, source_name: str, *, sample_rows: int, seed: int,
                  by: Sequence[str] = ()) -> dict[str, Any]:
    """The number of lines, the missing values per column and a seeded sample (whole groups of ``by``), in Spark."""
    types = eng.types(source_name)
    missing = ", ".join(f"count(*) - count({eng.quote(c)})" for c in types)
    counts = eng.one(f"SELECT count(*), {missing} FROM {source_name}")
    return {"rows": int(counts[0]), "missing": dict(zip(types, map(int, counts[1:]))), "types": types,
            "sample": sample(eng, source_name, sample_rows, seed, by)}


def content_digest(eng: SparkEngine, source_name: str) -> str:
    """A digest of the rows of a relation, whatever their order (the xor of Spark's 64-bit row hashes)."""
    value = eng.one(f"SELECT bit_xor(xxhash64({_columns(eng, source_name)})) FROM {source_name}")[0]
    return f"rows-xor-spark:{int(value or 0) & (2**64 - 1):016x}"


def count(eng: SparkEngine, source_name: str) -> int:
    """The number of lines of a view."""
    return int(eng.one(f"SELECT count(*) FROM {source_name}")[0])


def sample(eng: SparkEngine, source_name: str, rows: int, seed: int, by: Sequence[str] = ()) -> pd.DataFrame:
    """A seeded sample of ``rows`` lines (every line when there are fewer): the lines with the smallest hash of
    their values and the seed (of the columns ``by`` first: whole orders), the same whatever the number of
    executors."""
    every = f"xxhash64({_columns(eng, source_name)}, {int(seed)})"
    order = f"xxhash64({', '.join(eng.quote(c) for c in by)}, {int(seed)}), {every}" if by else every
    return eng.frame(f"SELECT * FROM {source_name} ORDER BY {order} LIMIT {int(rows)}")
