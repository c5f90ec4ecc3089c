"""segkit.plots.hierarchy: dendrograms and comparison figures return their Axes/Figure (no pixels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

from segkit.hierarchy import compare_linkages, linkage_matrix  # noqa: E402
from segkit.plots.hierarchy import (ABOVE_CUT, linkage_comparison_figure, plot_dendrogram,  # noqa: E402
                                    plot_linkage_scores)
from segkit.plots.profile import segment_palette  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    return make_blobs([500, 300, 200], centers=[[0, 0], [10, 0], [0, 10]], random_state=0)[0]


@pytest.fixture(scope="module")
def comparison(X):
    return compare_linkages(X, 3, reference_labels=np.repeat([0, 1, 2], [500, 300, 200]), max_rows=400)


def _horizontal_lines(ax: Axes) -> list[float]:
    return [line.get_ydata()[0] for line in ax.lines if len(set(line.get_ydata())) == 1]


def test_dendrogram_has_the_cut_line_and_segment_colours(X):
    tree = linkage_matrix(X, method="ward")
    fig, ax = plt.subplots()
    rc_before = dict(plt.rcParams)
    out = plot_dendrogram(tree, k=3, truncate=12, ax=ax)
    assert out is ax
    assert _horizontal_lines(ax) == [pytest.approx(tree.cut_height(3))]
    # 12 groups at the bottom, each labelled with its number of rows; together they cover every row
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 12 and sum(int(t.replace(",", "")) for t in labels) == len(X)
    # branches below the cut in the three segment colours, the rest grey
    colours = {to_hex(c) for coll in ax.collections for c in coll.get_colors()}
    assert colours == {to_hex(c) for c in segment_palette(3)} | {ABOVE_CUT}
    assert "customers" in ax.get_xlabel()
    assert dict(plt.rcParams) == rc_before  # no global state changed


def test_dendrogram_of_a_two_stage_tree_counts_rows(X):
    tree = linkage_matrix(X, method="average", max_rows=300)
    ax = plot_dendrogram(tree, k=3, truncate=5, entity="areas")
    assert isinstance(ax, Axes) and "micro-clusters" in ax.get_title() and "areas" in ax.get_xlabel()
    assert sum(int(t.get_text().replace(",", "")) for t in ax.get_xticklabels()) == len(X)
    assert _horizontal_lines(ax) == [pytest.approx(tree.cut_height(3))]


def test_linkage_comparison_figure(comparison):
    fig = linkage_comparison_figure(comparison, k=3)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4
    for ax, (method, tree) in zip(panels, comparison.hierarchies.items()):
        assert ax.get_title().lower().startswith(method)
        assert _horizontal_lines(ax) == [pytest.approx(tree.cut_height(3))]


def test_trees_beside_the_runs_own_segments_are_cut_into_groups_not_segments(comparison):
    """04's figure said "each cut into 5 segments", "smallest segment 5.3%" while its text said the tree's groups are
    not the segments of the other pages."""
    fig = linkage_comparison_figure(comparison, k=3, groups="groups")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert fig._suptitle.get_text().endswith("each cut into 3 groups")
    assert titles and all("smallest group " in t and "segment" not in t for t in titles), titles
    assert all(line.get_label() != "Cut into 3 segments" for ax in fig.axes for line in ax.lines)
    plt.close(fig)
    fig = linkage_comparison_figure(comparison, k=3)  # the run's segments are the tree's cut: segments
    assert fig._suptitle.get_text().endswith("each cut into 3 segments")
    plt.close(fig)


def test_linkage_scores_bars(comparison):
    fig, ax = plt.subplots()
    assert plot_linkage_scores(comparison, ax=ax) is ax
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if p.get_width() > 0 and p.get_height() != 0)
    table = comparison.table
    expected = sorted(round(v, 6) for col in ("silhouette", "cophenetic", "balance", "ari") for v in table[col]
                      if v != 0)
    assert heights == expected  # one bar per method and score
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(table["method"])


def test_a_trees_own_branches_are_numbered_from_left_to_right(X):
    """04's legend read Branch 1 teal, 2 orange, ... over branches drawn orange, pink, green, blue, teal."""
    tree = linkage_matrix(X, method="ward")
    _, ax = plt.subplots()
    plot_dendrogram(tree, k=4, truncate=20, ax=ax, names=[f"Branch {i + 1}" for i in range(4)], left_to_right=True)
    colour_of = {h.get_label(): tuple(np.round(h.get_facecolor()[:3], 3)) for h in ax.get_legend().legend_handles
                 if h.get_label().startswith("Branch")}
    drawn = [tuple(np.round(matplotlib.colors.to_rgb(t.get_color()), 3)) for t in ax.get_xticklabels()]
    firsts = list(dict.fromkeys(c for c in drawn if c in colour_of.values()))
    assert firsts == [colour_of[f"Branch {i + 1}"] for i in range(len(firsts))] and len(firsts) == 4
    plt.close("all")


def test_a_tree_has_the_same_colours_in_the_comparison_as_in_its_own_figure(comparison):
    """04 drew the ward tree orange, pink, green, blue, teal in the comparison and teal, orange, blue, pink, green in
    the figure below it once that numbered its branches from left to right."""
    def colours(ax):
        return [tuple(np.round(matplotlib.colors.to_rgb(t.get_color()), 3)) for t in ax.get_xticklabels()]

    fig = linkage_comparison_figure(comparison, k=3, truncate=20, left_to_right=True)
    _, ax = plt.subplots()
    plot_dendrogram(comparison.hierarchies["ward"], k=3, truncate=20, ax=ax, left_to_right=True)
    assert colours(fig.axes[list(comparison.hierarchies).index("ward")]) == colours(ax)
    plt.close("all")
