"""Figures of hierarchical trees: a truncated dendrogram cut into k segments, and the linkage comparison.

Seaborn conventions: the precomputed result comes first (a :class:`~segkit.hierarchy.Hierarchy` or a
:class:`~segkit.hierarchy.LinkageComparison`), options are keyword-only, axes-level functions take
``ax=None`` (default: a new figure) and return the ``Axes``; :func:`linkage_comparison_figure`
returns a new ``Figure``. Nothing here shows, saves or changes matplotlib's global state: branch colours
go through scipy's ``link_color_func``, not ``set_link_color_palette``.

Branches below the cut take the colour of their segment, the same colour as in every other figure
(:func:`segkit.plots.profile.segment_palette`); branches above the cut are grey.

Examples
--------
>>> comparison = compare_linkages(X, 4, reference_labels=kmeans_labels)   # doctest: +SKIP
>>> plot_dendrogram(comparison.hierarchies["ward"], k=4)                    # doctest: +SKIP
>>> linkage_comparison_figure(comparison, k=4)                              # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import dendrogram

from ..hierarchy import Hierarchy, LinkageComparison
from ..format import format_score, format_share
from ._common import new_axes

__all__ = ["plot_dendrogram", "linkage_comparison_figure", "plot_linkage_scores", "SCORE_LABELS"]

ABOVE_CUT = "#9a9a9a"
CUT_COLOUR = "#333333"
#: Plain-language labels of the comparison's score columns.
SCORE_LABELS = {
    "silhouette": "Separation\n(silhouette)",
    "cophenetic": "Tree faithfulness\n(cophenetic)",
    "balance": "Size balance\n(1 = equal sizes)",
    "ari": "Agreement with\nk-means (ARI)",
}


def _palette(palette, k: int) -> list[str]:
    if palette is None:
        from .profile import segment_palette

        colours = segment_palette(k)
    else:  # no grey branch: the links above the cut are grey (Set2's eighth colour is, and Branch 8 read as them)
        colours = [c for c in sns.color_palette(palette) if max(c) - min(c) > 0.1][:k]
        for extra in sns.color_palette("tab10") + sns.color_palette("husl", k):  # more, each unlike the others
            if len(colours) < k and max(extra) - min(extra) > 0.1 and min(
                    (math.dist(extra, c) for c in colours), default=1.0) > 0.25:
                colours.append(extra)
        colours += sns.color_palette("husl", k)[len(colours):]  # never short of k
    return [to_hex(c) for c in colours]


def _segment_names(names, k: int) -> list[str]:
    default = [f"S{i + 1:02d}" for i in range(k)]
    if names is None:
        return default
    if isinstance(names, Mapping):
        return [str(names.get(i, names.get(str(i), default[i]))) for i in range(k)]
    names = list(names)
    return [str(names[i]) if i < len(names) else default[i] for i in range(k)]


def _node_segments(hierarchy: Hierarchy, k: int) -> np.ndarray:
    """Segment of every node (leaves, then merges); -1 for nodes above the cut."""
    L = hierarchy.n_leaves
    seg = np.concatenate([hierarchy.leaf_labels(k), np.full(L - 1, -1, dtype=np.int64)])
    for i, (a, b) in enumerate(hierarchy.Z[:, :2].astype(np.int64)):
        seg[L + i] = seg[a] if seg[a] == seg[b] else -1
    return seg


def plot_dendrogram(hierarchy: Hierarchy, *, k: int, truncate: int = 30, ax: Axes | None = None,
                    palette=None, names: Mapping[int, str] | Sequence[str] | None = None,
                    entity: str = "customers", legend: bool = True, groups: str = "segments",
                    left_to_right: bool = False) -> Axes:
    """Truncated dendrogram with a horizontal line where the tree is cut into `k` segments.

    Parameters
    ----------
    hierarchy : Hierarchy
        From :func:`segkit.hierarchy.linkage_matrix` or ``LinkageComparison.hierarchies``.
    k : int
        Number of segments: the cut line and the branch colours.
    truncate : int, default=30
        Groups shown at the bottom (scipy's ``truncate_mode="lastp"``); each is labelled with its
        number of rows.
    ax : matplotlib Axes, optional
    palette : seaborn palette, optional
        Segment colours; default: the colours segments have in every segkit figure.
    names : mapping or sequence, optional
        Segment names for the legend (default ``S01``, ``S02``, ...).
    entity : str, default="customers"
        What a row is ("customers", "areas"), for the labels.
    legend : bool, default=True
    groups : str, default="segments"
        What the cut makes, in the title and the cut's legend ("groups" for a tree beside other segments).
    left_to_right : bool, default=False
        Number the cut's groups (their colours and ``names``) as they stand from left to right, for a tree's own
        branches ("Branch 1" the leftmost); otherwise in the hierarchy's label order (a run's segments).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    cut = hierarchy.cut_height(k)
    seg = _node_segments(hierarchy, k)
    if left_to_right:  # renumber by first place among the drawn leaves: Branch 1 was drawn at the far right
        order = dendrogram(hierarchy.Z, p=int(truncate), truncate_mode="lastp", no_plot=True)["leaves"]
        first = list(dict.fromkeys(int(seg[node]) for node in order if seg[node] >= 0))
        rank = np.full(int(seg.max()) + 2, -1)
        rank[first] = np.arange(len(first))
        seg = np.where(seg >= 0, rank[seg], -1)
    colours = _palette(palette, max(k, int(seg.max()) + 1))
    rows = hierarchy.node_rows()

    def link_colour(node: int) -> str:
        return colours[seg[node]] if seg[node] >= 0 else ABOVE_CUT

    def leaf_label(node: int) -> str:
        return f"{int(rows[node]):,}"

    result = dendrogram(hierarchy.Z, p=int(truncate), truncate_mode="lastp", color_threshold=cut,
                        link_color_func=link_colour, leaf_label_func=leaf_label, leaf_rotation=90,
                        above_threshold_color=ABOVE_CUT, ax=ax)
    for tick, node in zip(ax.get_xticklabels(), result["leaves"]):
        if seg[node] >= 0:
            tick.set_color(colours[seg[node]])
    ax.tick_params(axis="x", labelsize=8)
    line = ax.axhline(cut, color=CUT_COLOUR, linestyle="--", linewidth=1.2, label=f"Cut into {k} {groups}")
    ax.set_xlabel(f"Groups of {entity} (number of {entity} in each)")
    ax.set_ylabel("Dissimilarity at which groups merge")
    stage = " (built on micro-clusters)" if hierarchy.two_stage else ""
    ax.set_title(f"{hierarchy.method.capitalize()} linkage cut into {k} {groups}{stage}")
    if legend:
        present = sorted(s for s in np.unique(seg[: hierarchy.n_leaves]) if s >= 0)
        labels = _segment_names(names, len(colours))
        handles = [Patch(color=colours[s], label=labels[s]) for s in present]
        handles.append(line)
        # beside the tree, not on it: inside, its text lay over the right-hand links (the Mall's 8 branches)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    sns.despine(ax=ax)
    return ax


def _scores(comparison: LinkageComparison | pd.DataFrame) -> pd.DataFrame:
    table = comparison.table if isinstance(comparison, LinkageComparison) else comparison
    if "method" not in table.columns:
        table = table.rename_axis("method").reset_index()
    return table


def plot_linkage_scores(comparison: LinkageComparison | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Grouped bars of the linkage comparison's scores: one group per score, one bar per method.

    Parameters
    ----------
    comparison : LinkageComparison or its ``table``
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Scores without a value (no reference labels) are left out.
    """
    ax = new_axes(ax)
    table = _scores(comparison)
    metrics = [m for m in SCORE_LABELS if m in table.columns and table[m].notna().any()]
    long = table.melt(id_vars="method", value_vars=metrics, var_name="score", value_name="value")
    long["score"] = long["score"].map(SCORE_LABELS)
    sns.barplot(data=long, x="score", y="value", hue="method", ax=ax, errorbar=None,
                order=[SCORE_LABELS[m] for m in metrics])
    ax.axhline(0, color=CUT_COLOUR, linewidth=0.8)
    ax.set_xlabel("")
    ax.set_ylabel("Score (higher is better)")
    ax.set_title("How the linkage methods compare")
    ax.legend(title="Linkage", fontsize=8, title_fontsize=8, frameon=False)
    sns.despine(ax=ax)
    return ax


def linkage_comparison_figure(comparison: LinkageComparison, *, k: int | None = None, truncate: int = 20,
                              palette=None, entity: str = "customers", groups: str = "segments",
                              left_to_right: bool = False) -> Figure:
    """One dendrogram per linkage method, cut at the same `k`, in a grid of two columns.

    Parameters
    ----------
    comparison : LinkageComparison
    k : int, optional
        Number of segments (default: the comparison's own k).
    truncate : int, default=20
        Groups shown at the bottom of each dendrogram.
    palette : seaborn palette, optional
    entity : str, default="customers"
    groups : str, default="segments"
        What the cuts make, in the titles ("groups" for trees beside the run's own segments).
    left_to_right : bool, default=False
        Colour each tree's groups in the order they stand from left to right, as :func:`plot_dendrogram` numbers a
        tree's own branches (the same tree then has the same colours in both figures).

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's title gives the method's silhouette and the share of rows in its smallest segment.
    """
    import matplotlib.pyplot as plt

    k = comparison.k if k is None else int(k)
    methods = list(comparison.hierarchies)
    ncols = min(2, len(methods))
    nrows = math.ceil(len(methods) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.5 * ncols, 4.2 * nrows), squeeze=False)
    table = _scores(comparison).set_index("method")
    for ax, method in zip(axes.ravel(), methods):
        plot_dendrogram(comparison.hierarchies[method], k=k, truncate=truncate, ax=ax, palette=palette,
                        entity=entity, legend=False, groups=groups, left_to_right=left_to_right)
        row = table.loc[method]
        sil = format_score(row["silhouette"])  # "0.00" as the table writes it, not "-0.00"
        best = " (best)" if method == comparison.best else ""
        share = row["smallest_share"]
        smallest = format_share(share, 1)
        ax.set_title(f"{method.capitalize()}{best}: silhouette {sil}, smallest {groups[:-1]} {smallest}", fontsize=10)
        ax.set_xlabel(f"Groups of {entity}", fontsize=9)
    for ax in axes.ravel()[len(methods):]:
        ax.set_visible(False)
    fig.suptitle(f"Four ways to build the tree, each cut into {k} {groups}" if len(methods) == 4 else
                 f"Linkage methods, each cut into {k} {groups}")
    fig.tight_layout()
    return fig
