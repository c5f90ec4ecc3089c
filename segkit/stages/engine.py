"""``01_eda`` and ``02_features`` in an engine (``duckdb`` or ``spark``): the input is read, cleaned and turned into
one row per entity by the engine, out of core or on a cluster; pandas sees a seeded sample of the input (for the
data-quality tables and plots) and the per-entity table.

The engine of a run is chosen once, by ``01_eda`` (:func:`segkit.engine.choose`), and recorded in
``input.json``; the later notebooks follow that record.

An engine that can apply a function to every entity itself (Spark: ``map_parquet``) keeps the entities when they
are more than ``driver_max_customers``: ``02_features`` writes every entity's features to
:data:`ALL_FEATURES` and the driver gets a seeded sample of them (the note of the features says so), on which k,
the model, the profiles and the later pages are computed; ``05_profile`` then assigns every entity with the
fitted model in the engine (:func:`assign_all`: ``segments.parquet`` and :data:`ALL_SIZES`), and ``08_churn`` and
``10_value`` read the lines of the sampled entities only (:func:`duckdb_lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import engine
from ..cleaning import CleaningLog
from ..engine import ALL_SEGMENTS, ALL_SIZES, sample_sentence  # noqa: F401  (the stages' names for them)
from ..featureset import FeatureSet
from ..preflight import ENGINE_SAMPLE, sample_by
from ..source import engine_path
from .context import RunContext

if TYPE_CHECKING:
    from ..pipeline import Segmentation

__all__ = ["engine_of", "load", "clean", "features", "sample_of", "entities", "assign_all", "sample_sentence", "duckdb_lines",
           "EDA_SAMPLE",
           "ALL_FEATURES", "ALL_SEGMENTS", "ALL_SIZES"]

#: Input lines drawn (seeded) for the data-quality tables, the schema checks and the plots of a big input: the
#: sample :func:`segkit.pipeline.preflight` checks.
EDA_SAMPLE = ENGINE_SAMPLE
#: Every entity's features, written by the engine when the driver gets a sample of them (artifacts).
ALL_FEATURES = "features_all.parquet"
#: Where ``features_meta.json`` records the sample (``FeatureSet.extra``).
_SAMPLE_KEY = "driver_sample"


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
        prof = mod.profile_input(con, source, sample_rows=EDA_SAMPLE, seed=p.seed, by=sample_by(p))
        digest = mod.content_digest(con, source)
    raw = prof["sample"]
    notes = [f"read by the {name} engine: {prof['rows']:,} lines"
             + (f"; the data-quality page's schema checks, distributions, outliers and duplicates use a random sample "
                f"of {len(raw):,} of them" if len(raw) < prof["rows"]
                else "")]
    raw.attrs.update(read_notes=notes, engine_rows=prof["rows"], engine_missing=prof["missing"], engine=name)
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
    """The kind's per-entity table, computed in the run's engine from ``clean.parquet``: every entity, or above
    ``driver_max_customers`` in an engine that can assign them all, a seeded sample (every entity's features in
    :data:`ALL_FEATURES`; ``extra["driver_sample"]`` and a note say so)."""
    name, p, out = engine_of(ctx), ctx.params, ctx.folder.artifact(ALL_FEATURES)
    mod = engine.module(name)
    keeps = hasattr(mod, "map_parquet")  # the engine assigns every entity itself in 05
    with mod.session(p) as con:
        source = mod.source(con, ctx.folder.artifact("clean.parquet"))
        fs = _hook(ctx, name, 1)(con, source, p, out) if keeps else _hook(ctx, name, 1)(con, source, p)
    total = fs.table.attrs.get("entities_total")
    if total is None:
        out.unlink(missing_ok=True)  # an earlier run's, in this folder
        return fs
    n, entity = len(fs.table), fs.entity
    fs.extra[_SAMPLE_KEY] = {"entities": int(total), "sample": n, "seed": p.seed, "features": ALL_FEATURES}
    fs.notes.append(f"There are {total:,} {entity}, more than the {p.driver_max_customers:,} that the {name} engine "
                    "brings back to this machine (driver_max_customers): the choice of k, the segments' model, their "
                    f"profiles and names, and the later pages use a random sample of {n:,} of them (the same sample "
                    f"for the same seed). The features of all of them are in {ALL_FEATURES}, and 05_profile assigns "
                    f"each of them to a segment by the {name} engine ({ALL_SEGMENTS}).")
    return fs


def sample_of(fs: FeatureSet | Mapping[str, Any]) -> dict[str, Any] | None:
    """What ``02_features`` recorded of the sample of the entities (``entities``, ``sample``, ``seed``), or None
    when the features hold every entity; from a feature set or from ``features_meta.json`` as read."""
    extra = fs.extra if isinstance(fs, FeatureSet) else (fs.get("extra") or {})
    return extra.get(_SAMPLE_KEY)


def entities(fs: FeatureSet) -> int:
    """How many entities the run segments: the features' rows, or all of them behind an engine's sample."""
    sample = sample_of(fs)
    return int(sample["entities"]) if sample else len(fs.table)


def assign_all(ctx: RunContext, seg: Segmentation, codes: dict, names: dict) -> dict[str, Any] | None:
    """Every entity of :data:`ALL_FEATURES` in the segment of the fitted model (:func:`segkit.pipeline.assign_rows`,
    applied by the engine's executors), with the model's segment codes and names; writes :data:`ALL_SEGMENTS` and
    the sizes over every entity, :data:`ALL_SIZES`, and returns the latter. None (and no such files) when the
    features hold every entity."""
    from .. import pipeline  # the model's assignment: loaded by the stage that has a model

    sample = sample_of(seg.features)
    if sample is None:
        for stale in (ALL_SEGMENTS, ALL_SIZES):  # an earlier run's, in this folder
            ctx.folder.artifact(stale).unlink(missing_ok=True)
        return None
    id_name, name = seg.features.table.index.name or "id", engine_of(ctx)
    mod, what = engine.module(name), "assigning every entity"
    fn = partial(pipeline.assign_rows, model=seg.model, codes=codes, names=names, id_name=id_name)
    with mod.session(ctx.params) as con:
        schema = f"{con.quote(id_name)} STRING, segment_code STRING, segment_name STRING, distance_to_centre DOUBLE"
        mapped = mod.map_parquet(con, ctx.folder.artifact(sample["features"]), fn, schema, what)
        con.table("segkit_assigned", f"SELECT * FROM {mapped}", what)  # computed once: written, then counted
        con.write_parquet("SELECT * FROM segkit_assigned", ctx.folder.artifact(ALL_SEGMENTS))
        counts = con.rows("SELECT segment_code, segment_name, count(*) FROM segkit_assigned GROUP BY ALL "
                          "ORDER BY segment_code NULLS LAST", "counting the segments")
    labels, _ = pipeline.nearest_segments(seg.model, seg.features.clustering_table)
    total = sum(int(n) for *_, n in counts)
    sizes = {"n_entities": total, "sample": sample["sample"], "engine": name, "file": ALL_SEGMENTS,
             "sample_agreement": round(float((labels == seg.labels.to_numpy()).mean()), 6),
             "segments": [{"code": c, "name": s, "size": int(n), "share": round(int(n) / total, 6)}
                          for c, s, n in counts]}
    ctx.folder.write_json(ALL_SIZES, sizes)
    return sizes


def duckdb_lines(ctx: RunContext) -> str:
    """The DuckDB relation of ``clean.parquet`` that ``08_churn`` and ``10_value`` read (whatever the engine): every
    line, or when ``02_features`` kept a sample of the entities, the lines of those entities (the cleaned lines
    name the entity id as the features' index does)."""
    from ..engine import duckdb as ddb

    lines = ddb.source_sql(ctx.folder.artifact("clean.parquet"))
    meta = ctx.folder.read_json("features_meta.json") if ctx.folder.has("features_meta.json") else {}
    if not sample_of(meta):
        return lines
    key, sampled = ddb.quote(meta["id"]), ddb.source_sql(ctx.folder.artifact("features.parquet"))
    return f"(SELECT * FROM {lines} WHERE {key} IN (SELECT {key} FROM {sampled}))"
