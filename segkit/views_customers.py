"""Report views for customer tables: the PCA plot, category profiles and scoring new customers.

Like :mod:`segkit.views`, each function turns results into something a notebook cell shows in one call;
the computations live in :mod:`segkit.kinds.customers` and :mod:`segkit.score`. The feature helpers
(:func:`pca_variance`, :func:`categorical_profile`)
work for every data kind, so notebooks 02 and 05 can call them whatever the data: for transactions and
areas they give what those kinds had before, or a one-line note.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "plot_explained_variance", "pca_variance", "categorical_profile",
    "new_customers", "score_new", "scored_summary", "scoring_notes", "scored_map",
]

SCORED_FILE = "scored.csv"


def _note(text: str, kind: str = "note"):
    from .report.cards import note

    return note(text, kind=kind)


# ------------------------------------------------------------------------------------- features
def plot_explained_variance(table: pd.DataFrame, *, kept: int | None = None, ax=None):
    """Bars of each principal component's share of the variation, the cumulative share as a line.

    Parameters
    ----------
    table : DataFrame
        From :func:`segkit.kinds.customers.pca_variance` (``component``, ``explained``, ``cumulative``).
    kept : int, optional
        Components kept by the params, marked with a dashed line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    x = table["component"].to_numpy()
    ax.bar(x, 100 * table["explained"].to_numpy(), color="#1f5f8b", alpha=0.85, label="Each component")
    ax.plot(x, 100 * table["cumulative"].to_numpy(), color="#c0392b", marker="o", markersize=3,
            label="Cumulative")
    if kept:
        ax.axvline(kept + 0.5, color="black", linestyle="--", linewidth=1)
        ax.text(kept + 0.6, 50, f"{kept} kept", va="center", fontsize=9)
    ax.set_xlabel("Principal component")
    ax.set_ylabel("Share of the variation (%)")
    ax.set_ylim(0, 105)
    ax.set_xticks(x if len(x) <= 30 else x[:: max(1, len(x) // 15)])
    ax.legend(loc="center right", fontsize="small")
    return ax


def pca_variance(nb, fs):
    """The explained-variance plot of the encoded customer table, or a note for other data kinds."""
    from .report.cards import figure

    if nb.params.data_kind != "customers":
        return _note("Principal components are only used for customer tables.")
    from .kinds.customers import pca_variance as variance

    table = variance(fs, nb.params)
    kept = table.attrs.get("kept")
    ax = plot_explained_variance(table, kept=kept)
    if kept:
        text = (f"The clustering keeps the first {kept} of {len(table)} components "
                f"({100 * table['cumulative'].iloc[kept - 1]:.0f}% of the variation).")
    else:
        text = ("Principal components are not used (pca_components is not set); the plot shows how much of the "
                f"variation the first components of the {len(table)} encoded columns would keep.")
    return figure(ax, text)


# ------------------------------------------------------------------------------------ categories
def categorical_profile(nb, seg, *, min_share: float = 0.0):
    """Share of each category level in each segment (%), with the whole table; a note when the
    features have no categories.

    Parameters
    ----------
    nb : NotebookRun
    seg : Segmentation
        From :func:`segkit.pipeline.segment` (or anything with ``features``, ``labels`` and ``profile``).
    min_share : float, default 0
        Levels below this share overall are left out of the table.
    """
    if nb.params.data_kind != "customers":
        return _note("The segments are built from numbers only: there are no categories to profile.")
    from .kinds.customers import categorical_table

    prof = seg.profile
    names = prof.display_names()
    long = categorical_table(seg.features, seg.labels.to_numpy(), prof.codes, names)
    if long.empty:
        return _note("The features have no categorical columns.")
    long = long[long["overall_share"] >= min_share]
    wide = long.pivot_table(index=["column", "level"], columns="segment", values="share", sort=False)
    wide = (100 * wide).round(1)
    wide.columns = [names.get(s, prof.codes[s]) for s in wide.columns]
    overall = long.drop_duplicates(["column", "level"]).set_index(["column", "level"])["overall_share"]
    wide.insert(0, "All customers", (100 * overall.reindex(wide.index)).round(1).to_numpy())
    wide.index.names = ["Column", "Level"]
    return wide


# ---------------------------------------------------------------------------------------- scoring
def _model(nb):
    from .modelio import load_model

    return load_model(nb.folder.artifact("model"))


def new_customers(nb) -> pd.DataFrame:
    """The customers to score: ``score_path``, else fresh generated customers (when the input is
    generated), else a seeded sample of the input's customers (to show what scoring gives).

    ``attrs["source"]`` says in a sentence where they come from.
    """
    from . import io
    from .errors import ParamsError

    p = nb.params
    if p.score_rows < 1:
        raise ParamsError(f"score_rows={p.score_rows} must be at least 1", "use e.g. 25", key="score_rows")
    if p.score_path:
        new = io.read_table(p.score_path)
        new.attrs["source"] = f"{len(new):,} new customers read from {str(p.score_path).rsplit('/', 1)[-1]}."
        return new
    if str(p.data_path or "").startswith("synth://customers"):
        from .synth.customers import generate_customers

        _, options = io.parse_synth(p.data_path)
        new = generate_customers(p.score_rows, seed=int(options.get("seed", 0)) + 1_000_003)
        new["customer_id"] = [f"N{i:06d}" for i in range(1, len(new) + 1)]
        new.attrs["source"] = (f"{len(new):,} newly generated customers (score_path is not set, and the input is "
                               "generated, so fresh customers are drawn from the same personas).")
        return new
    cleaned = nb.folder.read_parquet("clean.parquet")
    new = cleaned.sample(n=min(p.score_rows, len(cleaned)), random_state=p.seed).reset_index(drop=True)
    new.attrs["source"] = (f"{len(new):,} customers drawn at random from the input (score_path is not set): "
                           "scoring them shows the segment each would get as a new customer.")
    return new


def score_new(nb, new: pd.DataFrame) -> pd.DataFrame:
    """Score ``new`` with the run's saved model and write ``artifacts/scored.csv``.

    Returns the scored rows (``id``, ``segment_code``, ``segment_name``, ``confidence``,
    ``distance_to_centre``) with the warnings of :func:`segkit.score.score_customers` in ``attrs``.
    """
    from .score import score_customers

    model, metadata = _model(nb)
    scored = score_customers(model, metadata, new)
    nb.folder.write_csv(SCORED_FILE, scored)
    return scored


def scored_summary(nb, scored: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: how many of the new customers it takes, and how sure the assignments are."""
    segments = nb.folder.read_json("segments_summary.json")["segments"]
    rows = []
    for s in segments:
        mine = scored[scored["segment_code"] == s["code"]]
        rows.append({"Segment": s["code"], "Name": s["name"], "New customers": len(mine),
                     "Share %": round(100 * len(mine) / max(len(scored), 1), 1),
                     "Mean confidence": f"{float(mine['confidence'].astype(float).mean()):.2f}" if len(mine) else "–",
                     "Training share %": round(100 * float(s["share"]), 1)})
    return pd.DataFrame(rows).set_index("Segment")


def scoring_notes(scored: pd.DataFrame):
    """The warnings of scoring (values the model never saw) as a note, or a line saying all was known."""
    warnings = list(scored.attrs.get("warnings") or [])
    if not warnings:
        return _note(f"All {len(scored):,} customers were scored; every category value was known to the model.")
    return _note("; ".join(warnings) + ".", kind="warn")


def scored_map(nb, new: pd.DataFrame, scored: pd.DataFrame):
    """The segment map with the new customers drawn as larger points with a black edge."""
    from . import plots
    from .pipeline import load_features
    from .report.cards import figure
    from .score import check_new_rows

    model, metadata = _model(nb)
    fs = load_features(nb)
    train = np.asarray(model.preprocessor_.transform(fs.clustering_table), dtype=float)
    fresh = np.asarray(model.preprocessor_.transform(check_new_rows(new, metadata)), dtype=float)
    coords, explained = _project(train, fresh, seed=nb.params.seed)
    labels = np.concatenate([model.labels_, model.predict(check_new_rows(new, metadata))])
    highlight = np.r_[np.zeros(len(train), bool), np.ones(len(fresh), bool)]
    names = {i: n for i, n in enumerate(_names(metadata, model.n_segments))}
    ax = plots.plot_segment_map(coords, labels, names=names, highlight=highlight, sample=nb.params.plot_sample,
                                seed=nb.params.seed, explained=explained)
    return figure(ax, f"Segment map of the training customers (a sample of up to {nb.params.plot_sample:,}), with "
                      f"the {len(fresh):,} scored customers as larger points outlined in black, coloured by the "
                      "segment they were given.")


def _project(train: np.ndarray, fresh: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """New rows on the map of :func:`segkit.profile.project_2d` (same PCA, fitted on the training rows)."""
    from sklearn.decomposition import PCA

    n_comp = min(2, train.shape[1], train.shape[0])
    pca = PCA(n_components=n_comp, random_state=seed).fit(train)
    coords = np.zeros((len(train) + len(fresh), 2))
    coords[:, :n_comp] = pca.transform(np.vstack([train, fresh]))
    ratio = np.zeros(2)
    ratio[:n_comp] = pca.explained_variance_ratio_
    return coords, ratio


def _names(metadata, k: int) -> Sequence[str]:
    from .score import segment_code

    names = metadata.get("names") or {}
    return [f"{segment_code(i)} {names.get(segment_code(i), '')}".strip() for i in range(k)]
