"""Report views: the small tables, sentences and figures the notebooks display.

Each function turns a result of :mod:`segkit.pipeline` into something a business reader can take in at
a glance, so notebook cells stay one line long. Nothing here computes a segmentation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .config import Params

__all__ = [
    "id_columns", "column_roles", "schema_findings", "numeric_columns", "eda_frame", "feature_overview", "feature_columns", "transformed_features", "notes", "k_recommendation",
    "sampling_sentence", "hierarchy_sentence", "segment_map", "segment_table", "churn_table", "stats_table",
]


def id_columns(params: Params) -> list[str]:
    """The identifier columns of the input, which reports never show."""
    if params.data_kind == "transactions":
        return [c for c in (params.customer_col, params.invoice_col) if c]
    ids = [params.id_col or ("zcta" if params.data_kind == "demographics" else None)]
    ids += [c for c, role in (params.roles or {}).items() if role == "id"]
    return [c for c in ids if c]


def column_roles(nb, raw: pd.DataFrame) -> pd.DataFrame:
    """How each input column is used by this data kind (mapping, detected roles or feature groups)."""
    from . import kinds

    return kinds.get(nb.params.data_kind).column_roles(raw, nb.params)


def schema_findings(nb):
    """What the check against the expected schema found (written by :func:`segkit.pipeline.load`)."""
    from .report.cards import note

    findings = nb.folder.read_json("schema_findings.json") if nb.folder.has("schema_findings.json") else []
    if not findings:
        return note("The input has every expected column, with the expected types and ranges.")
    table = pd.DataFrame(findings)
    keep = [c for c in ("severity", "column", "message", "rows", "fix") if c in table.columns]
    return table[keep].set_index(keep[0]) if keep else table


def numeric_columns(df: pd.DataFrame, *, exclude: Sequence[str] = ()) -> list[str]:
    """Numeric, non-boolean columns of ``df`` that are not identifiers."""
    from .eda import looks_like_identifier

    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            and c not in exclude and not looks_like_identifier(c)]


def eda_frame(nb, raw: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns worth a histogram and an outlier count (a data kind may choose them)."""
    from . import kinds

    hook = getattr(kinds.get(nb.params.data_kind), "eda_frame", None)
    if hook is not None:
        return hook(raw, nb.params)
    return raw[numeric_columns(raw, exclude=id_columns(nb.params))]


def feature_overview(fs) -> pd.DataFrame:
    """One row per feature: its meaning, and whether it feeds the clustering."""
    rows = [{"feature": c, "meaning": fs.labels.get(c, ""), "used for segments": "yes" if c in fs.columns else "profile only"}
            for c in fs.table.columns]
    out = pd.DataFrame(rows).set_index("feature")
    out.attrs["caption"] = f"{len(fs.table):,} {fs.entity}"
    out.index.name = f"{len(fs.table):,} {fs.entity}"
    return out


def feature_columns(fs) -> list[str]:
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


def transformed_features(nb, fs) -> pd.DataFrame:
    """The clustering matrix with readable column names: numeric features under their own names
    (``age``, ``days_since_signup_date``), one-hot levels as ``region=North``, PCA components as
    ``component 1``..."""
    from sklearn.base import clone

    from .pipeline import preprocessor

    transformer = clone(preprocessor(nb.params, fs))
    X = np.asarray(transformer.fit_transform(fs.clustering_table), dtype=float)
    try:
        names = [str(n).split("__", 1)[-1] for n in transformer.get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = list(fs.columns) if X.shape[1] == len(fs.columns) else []
    if len(names) != X.shape[1] or len(set(names)) != len(names) or names[0].startswith("pca"):
        names = list(fs.columns) if X.shape[1] == len(fs.columns) and nb.params.pca_components is None \
            else [f"component {i + 1}" for i in range(X.shape[1])]
    return pd.DataFrame(X, index=fs.table.index, columns=names)


def notes(fs) -> pd.DataFrame:
    """The plain-language notes of the features step, as a table (empty when there are none)."""
    return pd.DataFrame({"note": fs.notes or ["No rows or features needed special handling."]})


def k_recommendation(nb, selection):
    """The chosen number of segments with its rationale, and an honest note on weak structure."""
    from .report.cards import _html, note_html

    summary = nb.folder.read_json("k_summary.json")
    parts = [note_html(summary["rationale"])]
    if summary.get("structure") not in (None, "clear", "strong"):
        text = summary.get("structure_note") or "The data shows no clear natural groups."
        parts.append(note_html(text, kind="warn"))
    return _html("".join(parts))


def sampling_sentence(selection) -> str:
    """Say on how many rows the costly criteria were computed."""
    n, sample = selection.n_rows, selection.sample_size
    if sample and sample < n:
        return (f"Separation, gap and stability were computed on a random sample of {sample:,} of the {n:,} rows; "
                "the elbow and the other scores use every row.")
    return f"Every criterion was computed on all {n:,} rows."


def hierarchy_sentence(nb, comparison) -> str:
    """One sentence on the linkage comparison."""
    table = comparison.table
    best = comparison.best
    row = table.loc[best] if best in table.index else table[table.iloc[:, 0] == best].iloc[0]
    ari = row.get("ari", row.get("ari_vs_kmeans", np.nan))
    two_stage = any(getattr(h, "two_stage", False) for h in comparison.hierarchies.values())
    text = (f"{best.capitalize()} linkage separates the segments best; its agreement with the k-means segments is "
            f"{ari:.2f} on the adjusted Rand index (1 = the same segments).")
    if two_stage:
        text += (f" With more than {nb.params.max_hierarchy_rows:,} rows, the trees were built on k-means "
                 "micro-clusters to keep memory bounded.")
    return text


def segment_map(nb, seg):
    """Draw the 2-D segment map and save it as ``artifacts/segment_map.png`` for the index page."""
    from . import plots

    from .report.cards import figure

    ax = plots.plot_segment_map(seg.coords, seg.labels.to_numpy(), names=seg.profile.display_names(),
                                sample=nb.params.plot_sample, seed=nb.params.seed)
    nb.folder.save_figure("segment_map.png", ax.figure)
    return figure(ax, f"Segment map: each dot is one of the {seg.features.entity} (a random sample of "
                      f"{min(nb.params.plot_sample, len(seg.labels)):,}), placed by the two main directions in which they differ; "
                      "nearby dots are similar.")


def segment_table(seg) -> pd.DataFrame:
    """One row per segment: code, name, size, share, and each clustering feature's mean and index."""
    fs = seg.features
    return seg.profile.summary_table(labels=fs.label_map(), entity=fs.entity,
                                     columns=fs.columns).set_index("Segment")


def churn_table(seg):
    """Churn risk per segment (transactions), or a note saying why there is none."""
    from .report.cards import note

    if seg.risk is None:
        return note("Churn risk is estimated for transaction data only, from the churn report.")
    table = seg.risk.copy()
    table["mean_risk"] = (100 * table["mean_risk"]).round(0)
    table["high_risk_share"] = (100 * table["high_risk_share"]).round(0)
    return table.rename(columns={"segment_name": "Segment", "customers": "Customers", "scored": "Scored",
                                 "mean_risk": "Mean churn risk %", "high_risk": "At high risk",
                                 "high_risk_share": "At high risk %"})


def stats_table(seg) -> pd.DataFrame:
    """Mean, median, min and max of each clustering feature per segment, with segment names."""
    stats = seg.profile.stats
    stats = stats[stats["feature"].isin(seg.features.columns)].copy()
    names = seg.profile.display_names()
    stats["segment"] = stats["segment"].map(names)
    stats["feature"] = stats["feature"].map(seg.features.label)
    return stats.set_index(["segment", "feature"])[["mean", "median", "min", "max"]]
