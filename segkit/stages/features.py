"""``02_features``: one row per entity, what each feature means, and what the clustering compares.

``build_features`` reads ``clean.parquet`` and writes ``features.parquet`` and ``features_meta.json`` (in a batch whose
check read and cleaned the whole input in pandas, the check wrote them already: :mod:`segkit.stages.handover`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from .. import eda, pipeline
from ..featureset import FeatureSet
from ..format import axis_label, drawn, format_value, joined, unit_in_words
from ..naming.masking import observed
from ..naming.words import phrase
from ..plots import distributions_figure, plot_explained_variance
from ..plots.eda import MAX_PANELS
from ..report.cards import figure, table
from . import engine as in_engine
from .context import RunContext
from .handover import features_handed_over

__all__ = ["build_features", "load_features", "feature_overview", "feature_columns", "transformed_features",
           "summary_table", "notes", "pca_variance", "distributions", "transformed_distributions"]


def build_features(ctx: RunContext, cleaned: pd.DataFrame | None = None) -> FeatureSet:
    """Turn the cleaned table into one row per entity; write ``features.parquet`` and its metadata. In a run whose
    check built them from the same cleaned table (:mod:`segkit.stages.handover`), they are read instead."""
    if cleaned is None and features_handed_over(ctx, "02_features"):
        return ctx.folder.read_features()
    if cleaned is None and in_engine.engine_of(ctx) != "pandas":  # one row per entity computed in the engine
        fs = pipeline.check_features(ctx.params, in_engine.features(ctx))
    else:
        cleaned = ctx.cleaned() if cleaned is None else cleaned
        fs = pipeline.build_features(ctx.params, cleaned)
    ctx.folder.write_features(fs)
    return fs


def load_features(ctx: RunContext) -> FeatureSet:
    """Read the feature table and its metadata written by :func:`build_features`."""
    return ctx.folder.read_features()


def feature_overview(fs: FeatureSet, currency: str = "") -> pd.DataFrame:
    """One row per feature, by its label: its meaning, whether it feeds the clustering, and its column in
    ``features.parquet``. A meaning that only repeats the label says the unit (``currency``: the run's), as the
    axes do: the Mall's "Annual income" meant "Annual income ($ thousands)"."""
    distrusted = fs.extra.get("left_out") or {}  # a mislabelled or shifted column: on no page but this one
    twins = fs.extra.get("twins") or {}  # a column that says what another says: that one is shown

    def used(c) -> str:
        if c in fs.columns:
            return "yes"
        if c in distrusted:
            return "no: not trusted (see the notes)"
        return f"no: {fs.labels.get(twins[c], twins[c])} says the same" if c in twins else "profile only"

    # by the label the other pages use ("Days since last purchase"), the column of features.parquet last (not
    # "interpurchase_mean" first on a business page)
    def meaning(c) -> str:
        said, unit = fs.labels.get(c, ""), fs.units.get(c)
        if said != fs.label(c) or not unit:
            return said
        return f"{said} ({unit})" if unit_in_words(unit) else axis_label(said, unit, currency)

    rows = [{"feature": fs.label(c), "Meaning": meaning(c), "Used for segments": used(c), "Column": c}
            for c in fs.table.columns]
    out = pd.DataFrame(rows).set_index("feature")
    out.attrs["caption"] = f"{len(fs.table):,} {fs.entity}"
    out.index.name = None  # in the corner of the one header row, not on a row of its own above empty cells
    out.columns.name = f"Measure ({len(fs.table):,} {fs.entity})"
    return out


def feature_columns(fs: FeatureSet) -> list[str]:
    """The clustering features that can be drawn as numbers: numeric ones as they are, dates as their
    ``days_since_`` companions; categories are left out (they have their own table)."""
    out = []
    for col in fs.columns:
        s = fs.table[col] if col in fs.table.columns else None
        if s is None:
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            if f"days_since_{col}" in fs.table.columns:
                out.append(f"days_since_{col}")
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out.append(col)
    return out


def transformed_features(ctx: RunContext, fs: FeatureSet) -> pd.DataFrame:
    """The clustering matrix with readable column names: numeric features under their own names
    (``age``, ``days_since_signup_date``), one-hot levels as the encoder names them (``region_North``), PCA
    components as ``component 1``..."""
    return _transformed(ctx, fs)[0]


def _transformed(ctx: RunContext, fs: FeatureSet) -> tuple[pd.DataFrame, object]:
    """:func:`transformed_features` and the fitted transformer that made it."""
    transformer = clone(pipeline.preprocessor(ctx.params, fs))
    X = np.asarray(transformer.fit_transform(fs.clustering_table), dtype=float)
    try:
        names = [str(n).split("__", 1)[-1] for n in transformer.get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = list(fs.columns) if X.shape[1] == len(fs.columns) else []
    if len(names) != X.shape[1] or len(set(names)) != len(names) or names[0].startswith("pca"):
        names = list(fs.columns) if X.shape[1] == len(fs.columns) and ctx.params.pca_components is None \
            else [f"component {i + 1}" for i in range(X.shape[1])]
    return pd.DataFrame(X, index=fs.table.index, columns=names), transformer


def summary_table(ctx: RunContext, fs: FeatureSet) -> pd.DataFrame:
    """How each numeric measure is spread over the entities (:func:`segkit.eda.numeric_summary`), in words and in
    each measure's unit ("£1,352", "29%", "1984"), each measure by its label (the table above gives the column
    behind it). A unit in words goes after the label, once ("Median age (years)"), so that the cells stay numbers.
    Measures whose columns are not trusted (the notes say why) have no numbers here, and a log median is shown as the
    median itself, the row of its natural twin ("Median household income $79,100", not "Household income (log) 11.3").
    The values the features step filled in are left out, as the profiles and the histograms leave them out, and
    ``Values`` counts those measured: CDNOW's days between purchases read "median 465" here, the one-time buyers'
    stand-ins included, beside cards that say customers typically buy again within 82 days."""
    hidden = {*(fs.extra.get("left_out") or {}), *fs.shown_as}
    measured = observed(fs.table, fs.extra.get("imputed_rows"))
    summary = eda.numeric_summary(measured.drop(columns=[c for c in fs.table.columns if c in hidden]))
    units = [fs.units.get(c) for c in summary["column"]]
    cells = [None if unit_in_words(u) or u == "count" else u for u in units]  # a count's percentiles: 1, not "1.0"
    for col in summary.columns.drop(["column", "count"]):
        summary[col] = [format_value(v, None if col == "std" and u == "year" else u, ctx.params.currency)
                        for v, u in zip(summary[col], cells)]  # a spread of years is a number of years
    summary["column"] = [_with_unit(fs.label(c), u) for c, u in zip(summary["column"], units)]
    return table(summary, _SUMMARY_WORDS, index="column", whole=["count"])


def _with_unit(label: str, unit: str | None) -> str:
    """``label`` with a unit in words after it, unless it says one already: "Median age (years)", but "Days since
    last purchase" and "Annual income (k$)" as they are.

    >>> _with_unit("Median age", "years"), _with_unit("Days since last purchase", "days")
    ('Median age (years)', 'Days since last purchase')
    >>> _with_unit("Net spend", "money"), _with_unit("Annual income (k$)", "k$")
    ('Net spend', 'Annual income (k$)')
    """
    if not unit_in_words(unit) or label.endswith(")") or unit.rstrip("s").lower() in label.lower():
        return label
    return f"{label} ({unit})"


_SUMMARY_WORDS = {"count": "Values", "std": "Standard deviation", "p1": "1st percentile", "p25": "25th percentile",
                  "p50": "Median", "p75": "75th percentile", "p99": "99th percentile"}


def notes(fs: FeatureSet) -> pd.DataFrame:
    """The plain-language notes of the features step, as a table (empty when there are none)."""
    return table(pd.DataFrame({"Note": fs.notes or ["No rows or features needed special handling."]}))


def pca_variance(ctx: RunContext, fs: FeatureSet):
    """The explained-variance plot of the encoded table, for kinds that offer principal components
    (``pca_variance`` in the kind); None for the others, so the cell shows nothing."""
    variance = getattr(ctx.kind.module, "pca_variance", None)
    if variance is None:
        return None
    table = variance(fs, ctx.params)
    kept = table.attrs.get("kept")
    ax = plot_explained_variance(table, kept=kept)
    if kept:
        text = (f"The clustering keeps the first {kept} of {len(table)} components "
                f"({100 * table['cumulative'].iloc[kept - 1]:.0f}% of the variation).")
    else:
        text = ("Principal components are not used (the params ask for none); the plot shows how much of the "
                f"variation the first components of the {len(table)} encoded columns would keep.")
    return figure(ax, text)



def _filled(ctx: RunContext, fs: FeatureSet) -> tuple[dict[str, list[int]], int]:
    """The positions of the values the features step filled in, per shown measure, and how many of them lie in the
    rows the histograms draw (:func:`~segkit.plots.distributions_figure`'s seeded sample: the same rows)."""
    columns, n, sample = feature_columns(fs), len(fs.table), ctx.params.plot_sample
    filled = {c: rows for c, rows in (fs.extra.get("imputed_rows") or {}).items() if c in columns and rows}
    drawn_rows = np.arange(n) if n <= sample else \
        pd.Series(np.arange(n)).sample(n=sample, random_state=ctx.params.seed).to_numpy()
    return filled, int(sum(np.isin(rows, drawn_rows).sum() for rows in filled.values()))


def distributions(ctx: RunContext, fs: FeatureSet):
    """Each clustering measure as measured, from a seeded sample: the values the features step filled in are left
    out (the median given to 300 customers without an age drew a spike at 45 that no one had)."""
    p = ctx.params
    filled, in_drawn = _filled(ctx, fs)
    shown = drawn(min(p.plot_sample, len(fs.table)), in_engine.entities(fs), fs.entity)
    whose = " of the sample" if len(fs.table) > p.plot_sample else ""  # 6 of them, beside the notes' 11 in all
    left_out = "" if not in_drawn else (
        f"; {'the value' if in_drawn == 1 else f'the {in_drawn:,} values'}{whose} filled in where one was missing "
        f"{'is' if in_drawn == 1 else 'are'} left out")
    values = observed(fs.table, filled) if filled else fs.table
    return figure(distributions_figure(values, columns=feature_columns(fs), sample=p.plot_sample, seed=p.seed,
                                       labels=fs.axis_labels(p.currency), counted=fs.entity,
                                       shares=[c for c, u in fs.units.items() if u == "share"]),
                  f"Each measure as measured, over {shown}{left_out}.{_panels_said(len(feature_columns(fs)))}")


def transformed_distributions(ctx: RunContext, fs: FeatureSet):
    """The same measures as the clustering compares them, with a caption that says what was done to them (read from
    the fitted transformer: Delaware's said "after the skew transform and scaling" of measures only scaled, and the
    Mall's promised the transform without naming it); a category level's column is "Gender: Female", not
    "Genre_Female"."""
    p = ctx.params
    data, fitted = _transformed(ctx, fs)
    levels = {}
    for name in (n for n in data.columns if n not in fs.short):  # the longest column a level's name starts with
        col = max((c for c in fs.clustering_table.columns if name.startswith(f"{c}_")), key=len, default=None)
        if col is not None:
            levels[name] = f"{fs.short.get(col, col)}: {name[len(col) + 1:]}"
    return figure(distributions_figure(data, sample=p.plot_sample, seed=p.seed, labels={**fs.short, **levels}, log=[],
                                       counted=fs.entity),
                  f"The same measures as the clustering compares them: {_how_transformed(fitted, fs, bool(levels))}"
                  + (", the values filled in where one was missing included." if _filled(ctx, fs)[1] else ".")
                  + _panels_said(data.shape[1], "columns", ""))


def _panels_said(n: int, what: str = "measures", rest: str = " (features.parquet holds them all)") -> str:
    """The sentence a histogram figure's caption adds when it draws only the first :data:`MAX_PANELS` of ``n``
    (Delaware's 02 drew 12 of its 30 measures under "Each measure as measured")."""
    return "" if n <= MAX_PANELS else f" The first {MAX_PANELS} of the {n} {what} are drawn{rest}."


def _parts(est, columns: list | None = None):
    """Every estimator in a fitted transformer, with the input columns of the column transformer entry it is in."""
    yield est, columns
    for _, step in getattr(est, "steps", []):
        yield from _parts(step, columns)
    for _, inner, cols in getattr(est, "transformers_", []):
        if not isinstance(inner, str):  # "drop", "passthrough"
            yield from _parts(inner, list(cols) if not isinstance(cols, str) else [cols])


def _how_transformed(fitted, fs: FeatureSet, levels: bool) -> str:
    """What a fitted transformer does to the measures, in words: "days since last purchase, orders and net spend
    on a log scale, then each measure standardised (mean 0, standard deviation 1)"."""
    from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler, StandardScaler

    logged, power, scaled = [], False, None
    for est, cols in _parts(fitted):
        if isinstance(est, FunctionTransformer) and "log" in getattr(est.func, "__name__", "") and cols:
            logged += cols
        elif hasattr(est, "transformed_") and cols:  # the customers kind's skew transform: its chosen columns
            logged += [c for c, chosen in zip(cols, est.transformed_) if chosen]
            power = power or getattr(est, "power_", None) is not None
        elif isinstance(est, (StandardScaler, RobustScaler, MinMaxScaler)) and scaled is None:
            scaled = {StandardScaler: "standardised (mean 0, standard deviation 1)",
                      RobustScaler: "centred on its median and divided by the spread of its middle half",
                      MinMaxScaler: "scaled to run from 0 to 1"}[type(est)]
    said = [f"{joined([phrase(fs.short.get(c, c)) for c in dict.fromkeys(logged)])} "
            f"{'power-transformed (Yeo-Johnson) to tame their skew' if power else 'on a log scale'}"] if logged else []
    if scaled:
        said.append(f"{'then ' if said else ''}each measure {scaled}")
    said = [", ".join(said)] if said else []
    if levels:
        said.append("each category level a column of 0 and 1")
    return "; ".join(said) if said else "as they are"
