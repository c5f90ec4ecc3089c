"""``01_eda`` and ``02_features`` in the ``duckdb`` engine: the input is read, cleaned and turned into one row
per entity by DuckDB, out of core; pandas sees a seeded sample of the input (for the data-quality tables and
plots) and the per-entity table.

The engine of a run is chosen once, by ``01_eda`` (:func:`segkit.engine.choose`), and recorded in
``input.json``; the later notebooks follow that record.
"""

from __future__ import annotations

import pandas as pd

from .. import engine
from ..cleaning import CleaningLog
from ..engine import duckdb as ddb
from ..featureset import FeatureSet
from ..pipeline import ENGINE_SAMPLE
from ..source import engine_path
from .context import RunContext

__all__ = ["engine_of", "load", "clean", "features", "EDA_SAMPLE"]

#: Input lines drawn (seeded) for the data-quality tables, the schema checks and the plots of a big input: the
#: sample :func:`segkit.pipeline.preflight` checks.
EDA_SAMPLE = ENGINE_SAMPLE


def engine_of(ctx: RunContext) -> str:
    """The run's engine: the one ``01_eda`` recorded in ``input.json``, else the params' choice."""
    if ctx.folder.has("input.json"):
        recorded = ctx.folder.read_json("input.json").get("engine")
        if recorded:
            return recorded
    return engine.choose(ctx.params, ctx.kind.module)


def load(ctx: RunContext) -> tuple[pd.DataFrame, dict]:
    """A seeded sample of the input, and what ``input.json`` records of the whole input (lines, columns, a digest
    of the rows, the missing values per column), computed in DuckDB."""
    p = ctx.params
    source = ddb.source_sql(engine_path(p))
    with ddb.session(p) as con:
        prof = ddb.profile_input(con, source, sample_rows=EDA_SAMPLE, seed=p.seed)
        digest = ddb.content_digest(con, source)
    raw = prof["sample"]
    notes = [f"read by the duckdb engine: {prof['rows']:,} lines"
             + (f"; the tables and plots below use a random sample of {len(raw):,} of them" if len(raw) < prof["rows"]
                else "")]
    raw.attrs.update(read_notes=notes, engine_rows=prof["rows"], engine_missing=prof["missing"])
    record = {"rows": prof["rows"], "columns": list(prof["types"]), "content_hash": digest, "read_notes": notes,
              "engine": "duckdb", "sample_rows": int(len(raw)), "missing": prof["missing"]}
    return raw, record


def clean(ctx: RunContext) -> tuple[pd.DataFrame, CleaningLog]:
    """The kind's cleaning rules over the whole input in DuckDB; ``clean.parquet`` is written by DuckDB. Returns a
    seeded sample of the cleaned lines (for display) and the cleaning log."""
    p = ctx.params
    out = ctx.folder.artifact("clean.parquet")
    with ddb.session(p) as con:
        log = ctx.kind.module.engine_clean(con, ddb.source_sql(engine_path(p)), p, out)
        cleaned = ddb.sample(con, ddb.source_sql(out), EDA_SAMPLE, p.seed)
    return cleaned, log


def features(ctx: RunContext) -> FeatureSet:
    """The kind's per-entity table, computed in DuckDB from ``clean.parquet``."""
    with ddb.session(ctx.params) as con:
        return ctx.kind.module.engine_features(con, ddb.source_sql(ctx.folder.artifact("clean.parquet")), ctx.params)
