"""``01_eda`` and ``02_features`` in an engine (``duckdb`` or ``spark``): the input is read, cleaned and turned into
one row per entity by the engine, out of core or on a cluster; pandas sees a seeded sample of the input (for the
data-quality tables and plots) and the per-entity table.

The engine of a run is chosen once, by ``01_eda`` (:func:`segkit.engine.choose`), and recorded in
``input.json``; the later notebooks follow that record.
"""

from __future__ import annotations

import pandas as pd

from .. import engine
from ..cleaning import CleaningLog
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


def _hook(ctx: RunContext, name: str, step: int):
    """The kind's hook for the engine ``name``: 0 cleaning, 1 features (:data:`segkit.engine.HOOKS`)."""
    return getattr(ctx.kind.module, engine.HOOKS[name][step])


def load(ctx: RunContext) -> tuple[pd.DataFrame, dict]:
    """A seeded sample of the input, and what ``input.json`` records of the whole input (lines, columns, a digest
    of the rows, the missing values per column), computed in the run's engine."""
    p, name = ctx.params, engine_of(ctx)
    mod = engine.module(name)
    with mod.session(p) as con:
        source = mod.source(con, engine_path(p))
        prof = mod.profile_input(con, source, sample_rows=EDA_SAMPLE, seed=p.seed)
        digest = mod.content_digest(con, source)
    raw = prof["sample"]
    notes = [f"read by the {name} engine: {prof['rows']:,} lines"
             + (f"; the tables and plots below use a random sample of {len(raw):,} of them" if len(raw) < prof["rows"]
                else "")]
    raw.attrs.update(read_notes=notes, engine_rows=prof["rows"], engine_missing=prof["missing"])
    record = {"rows": prof["rows"], "columns": list(prof["types"]), "content_hash": digest, "read_notes": notes,
              "engine": name, "sample_rows": int(len(raw)), "missing": prof["missing"]}
    return raw, record


def clean(ctx: RunContext) -> tuple[pd.DataFrame, CleaningLog]:
    """The kind's cleaning rules over the whole input in the run's engine, which writes ``clean.parquet``. Returns
    a seeded sample of the cleaned lines (for display) and the cleaning log."""
    p, name = ctx.params, engine_of(ctx)
    mod, out = engine.module(name), ctx.folder.artifact("clean.parquet")
    with mod.session(p) as con:
        log = _hook(ctx, name, 0)(con, mod.source(con, engine_path(p)), p, out)
        cleaned = mod.sample(con, mod.source(con, out), EDA_SAMPLE, p.seed)
    return cleaned, log


def features(ctx: RunContext) -> FeatureSet:
    """The kind's per-entity table, computed in the run's engine from ``clean.parquet``."""
    name = engine_of(ctx)
    mod = engine.module(name)
    with mod.session(ctx.params) as con:
        return _hook(ctx, name, 1)(con, mod.source(con, ctx.folder.artifact("clean.parquet")), ctx.params)
