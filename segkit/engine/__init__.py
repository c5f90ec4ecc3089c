"""Where reading, cleaning and feature building run: the ``engine`` param (``auto``, ``pandas``, ``duckdb``, ``spark``).

An engine is one module with one job; this package names no data kind. A kind that can run in an engine
offers hooks for it (the transactions kind: ``engine_clean`` and ``engine_features``, its SQL in
``segkit/kinds/transactions/sql.py``); :func:`choose` picks the engine of a run:

- ``pandas``: everything in memory, in pandas (every input, every kind);
- ``duckdb``: the input is read, cleaned and turned into one row per entity by DuckDB, out of core
  (``memory_limit``, ``temp_directory``), from Parquet or CSV files, folders and globs; only the per-entity
  table comes back to pandas (:mod:`segkit.engine.duckdb`);
- ``spark``: the same SQL in Spark SQL, on this machine (``spark_master: local[*]``) or a cluster, from the same
  inputs; the kind's hooks ``spark_clean`` and ``spark_features`` (:mod:`segkit.engine.spark`, optional:
  ``pip install 'segkit[spark]'`` and Java 17);
- ``auto``: DuckDB when the input has more than :data:`AUTO_ROWS` lines and the kind has DuckDB hooks,
  pandas otherwise (never Spark: a cluster is asked for by name). The threshold is measured:
  ``bench/bench_engines.py`` (``bench/README.md``).

pandas holds every line in memory, several times over at its peak. Before a run reads an input of
:data:`SIZE_CHECK_ROWS` lines or more in pandas, :func:`choose` estimates that peak (:func:`pandas_need`); when it
exceeds :data:`PANDAS_SHARE` of the machine's memory, ``auto`` takes DuckDB and ``engine: pandas`` stops with the
estimate and the fix, instead of the operating system killing the kernel with no message.

Every engine module offers the same functions: ``check_setup()``, ``session(params)`` (a context manager
yielding its connection), ``source(connection, path)``, ``count``, ``profile_input``, ``content_digest`` and
``sample``.
An engine module that also offers ``map_parquet`` (Spark) applies a pandas function to every row of a Parquet file
in its executors: with it, more entities than ``driver_max_customers`` stay in the engine, the driver gets a
seeded sample, and every entity is assigned to its segment there (:mod:`segkit.stages.engine`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ParamsError
from ..io import has_scheme, is_pattern, parse_synth

__all__ = ["ENGINES", "AUTO_ROWS", "HOOKS", "ALL_SEGMENTS", "ALL_SIZES", "PANDAS_PEAK", "PANDAS_SHARE",
           "SIZE_CHECK_ROWS", "check_uri", "choose", "input_rows", "engine_input", "is_uri", "machine_memory", "module",
           "offers", "pandas_need", "sample_sentence", "sizes_by_code"]

#: The engines a run can use.
ENGINES = ("pandas", "duckdb", "spark")
#: ``engine: auto`` runs DuckDB above this many input lines (measured: bench/README.md, "Engines").
AUTO_ROWS = 2_000_000
#: pandas' peak memory in a run over the input's size in memory (Arrow's bytes of its lines): the raw lines, the
#: cleaned copy and the features held at once. Measured: 467 bytes a line of the whole batch's peak against 86 in
#: Arrow for the transactions generator's lines, from 1M to 10M lines (bench/README.md, "pandas' memory").
PANDAS_PEAK = 5.5
#: Share of the machine's memory a pandas run may take: the other kernel, the driver and the system need the rest.
PANDAS_SHARE = 0.8
#: Inputs of fewer lines are not sized: they would need lines of kilobytes (hundreds of columns) not to fit.
SIZE_CHECK_ROWS = 1_000_000
_SIZE_SAMPLE = 2_000  # lines read to measure a line's size
#: What a kind offers to run in an engine: module attributes (hooks) it must define, (clean, features).
HOOKS = {"duckdb": ("engine_clean", "engine_features"), "spark": ("spark_clean", "spark_features")}
DUCKDB_HOOKS = HOOKS["duckdb"]
_ENGINE_SUFFIXES = {".parquet", ".pq", ".csv", ".txt", ".tsv"}
#: With more entities than ``driver_max_customers``: every entity's segment (the columns of ``segments.csv``), and
#: the sizes of the segments over every entity (:func:`segkit.stages.engine.assign_all` writes both).
ALL_SEGMENTS, ALL_SIZES = "segments.parquet", "segments_all.json"


def sizes_by_code(sizes) -> dict[str, tuple[int, float]]:
    """Each segment code's size and share over every entity, from :data:`ALL_SIZES` as
    :func:`segkit.stages.engine.assign_all` writes it ({} without it; entities in no segment are left out)."""
    if not sizes:
        return {}
    return {s["code"]: (int(s["size"]), float(s["share"])) for s in sizes["segments"]
            if isinstance(s, dict) and s.get("code")}


def sample_sentence(sizes, entity: str) -> str:
    """How the segments of a run with more entities than ``driver_max_customers`` came about, from
    :data:`ALL_SIZES` as :func:`segkit.stages.engine.assign_all` writes it: the words the segments page and the
    run's page both use."""
    return (f"The segments were found on a random sample of {int(sizes['sample']):,} of the "
            f"{int(sizes['n_entities']):,} {entity}; each of them was then assigned to its segment by the "
            f"{sizes['engine']} engine")


def is_uri(path) -> bool:
    """True for a data path with a scheme (``s3a://``, ``hdfs://``, ``gs://``, ``abfss://``, ``file://``): storage
    only Spark reads, as Parquet. ``synth://`` tables are segkit's own."""
    return has_scheme(path or "") and not _is_synth_path(path)


def check_uri(params) -> None:
    """Refuse a URI ``data_path`` unless the spark engine reads it (a :class:`~segkit.errors.ParamsError`)."""
    if params.source == "file" and is_uri(params.data_path) and params.engine != "spark":
        raise ParamsError(f"data_path {params.data_path} is a URI: only the spark engine reads those (Parquet files, "
                          "folders or globs)", "set engine: spark, or copy the data to a folder on this machine",
                          key="data_path")


def engine_input(params) -> str | None:
    """The data path an engine can read (a Parquet or CSV file, a folder of them, a glob, or for Spark a URI), else
    None (SQL queries, Excel workbooks and ``synth://`` tables are read by pandas)."""
    path = params.data_path
    if params.source != "file" or not path or _is_synth_path(path):
        return None
    if is_uri(path) or is_pattern(path):
        return str(path)
    p = Path(path)
    if p.is_dir():
        return str(p) if any(f.suffix.lower() in _ENGINE_SUFFIXES for f in p.iterdir() if f.is_file()) else None
    return str(p) if p.suffix.lower() in _ENGINE_SUFFIXES else None


def input_rows(params) -> int | None:
    """The number of input lines, cheaply: ``synth://`` from its size option, Parquet from its metadata, text
    files estimated from their size and the length of their first lines; None when it cannot be told."""
    if _is_synth(params):
        return _synth_rows(params)
    source = engine_input(params)
    if source is None or is_uri(source):  # a URI's lines are Spark's to count
        return None
    from . import duckdb as ddb  # the engine is imported only when an input could go to it
    return ddb.estimate_rows(source)


def module(name: str):
    """The module of an engine other than pandas (imported on first use: pyspark is optional)."""
    if name == "spark":
        from . import spark
        return spark
    from . import duckdb
    return duckdb


def offers(kind_module, name: str) -> bool:
    """True when the data kind defines the hooks of the engine ``name``."""
    return all(callable(getattr(kind_module, hook, None)) for hook in HOOKS[name])


def _writes_synth(params, kind_module) -> bool:
    """True when the input is a ``synth://`` table the kind can write to Parquet (``SYNTH_WRITERS``)."""
    return (_is_synth_path(params.data_path)
            and parse_synth(str(params.data_path))[0] in getattr(kind_module, "SYNTH_WRITERS", {}))


def choose(params, kind_module) -> str:
    """The engine of a run: the ``engine`` param, with ``auto`` decided by the input's size (:data:`AUTO_ROWS`).

    Raises :class:`~segkit.errors.ParamsError` when ``engine: duckdb`` or ``spark`` is asked of an input or a
    kind it cannot run (an SQL query, an Excel workbook, a kind without the engine's hooks), and when the input
    would not fit in memory in pandas (:func:`pandas_need`) and DuckDB is not the answer or not asked for.
    """
    asked = params.engine
    check_uri(params)
    if asked in HOOKS:
        if not offers(kind_module, asked):
            raise ParamsError(f"the {params.data_kind} data kind cannot run in the {asked} engine",
                              "set engine to pandas (or auto)", key="engine")
        if engine_input(params) is None and not _writes_synth(params, kind_module):
            raise ParamsError(f"the {asked} engine reads Parquet or CSV files, folders of them or globs, not "
                              f"{params.data_path or 'an SQL query'}",
                              "convert the input to Parquet, or set engine to pandas (or auto)", key="engine")
        return asked
    offers_duckdb = asked == "auto" and offers(kind_module, "duckdb")
    readable = engine_input(params) is not None or _writes_synth(params, kind_module)
    rows = input_rows(params)
    if offers_duckdb and readable and rows is not None and rows > AUTO_ROWS:
        return "duckdb"
    need = pandas_need(params, rows, kind_module)
    total = machine_memory()
    if need is None or total is None or need <= PANDAS_SHARE * total:
        return "pandas"
    if offers_duckdb and readable:
        return "duckdb"
    fix = ("set engine: duckdb (or auto): DuckDB reads it out of core" if offers(kind_module, "duckdb") and readable
           else f"segment a sample of the rows, or run on a machine with more memory (the {params.data_kind} data "
                "kind runs in pandas only)")
    raise ParamsError(f"the input has {rows:,} lines: pandas would hold about {_size(need)} at its peak, more than "
                      f"{PANDAS_SHARE:.0%} of this machine's {_size(total)}", fix, key="engine")


def _size(n: int) -> str:
    return f"{n / 2**30:,.0f} GB" if n >= 2**30 else f"{n / 2**20:,.0f} MB"


def machine_memory() -> int | None:
    """Bytes of memory this process may use: the machine's, or its control group's limit when lower (a container);
    None when it cannot be told."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def pandas_need(params, rows: int | None, kind_module=None) -> int | None:
    """Bytes pandas would hold at its peak for the input: ``rows`` times the size in memory of its first lines
    times :data:`PANDAS_PEAK` (for a ``synth://`` table, lines the kind's ``SYNTH_WRITERS`` write). None below
    :data:`SIZE_CHECK_ROWS` lines, or when the lines cannot be counted or generated."""
    if rows is None or rows < SIZE_CHECK_ROWS:
        return None
    from . import duckdb as ddb
    if not _is_synth(params):
        return int(rows * ddb.line_bytes(engine_input(params), _SIZE_SAMPLE) * PANDAS_PEAK)
    import tempfile

    name, options = parse_synth(str(params.data_path))
    writer = getattr(kind_module, "SYNTH_WRITERS", {}).get(name)
    if writer is None:
        return None
    with tempfile.TemporaryDirectory(prefix="segkit-size-") as tmp:
        per_line = ddb.line_bytes(str(writer(Path(tmp) / "lines.parquet", {**options, "rows": _SIZE_SAMPLE})),
                                  _SIZE_SAMPLE)
    return int(rows * per_line * PANDAS_PEAK)


def _is_synth(params) -> bool:
    return params.source == "file" and _is_synth_path(params.data_path)


def _is_synth_path(path) -> bool:
    return str(path or "").startswith("synth:/")  # "synth://", or "synth:/" once Path() joined the slashes


def _synth_rows(params) -> int | None:
    """The size option of a ``synth://`` input (``rows`` or ``n``), None when it has none."""
    options = parse_synth(str(params.data_path))[1]
    size = options.get("rows", options.get("n"))
    return size if isinstance(size, int) else None
