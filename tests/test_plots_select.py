"""Tests of segkit.plots.select: each function draws what it should and returns the Axes or Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

from segkit.plots.select import (  # noqa: E402
    criteria_figure,
    plot_criterion,
    plot_elbow,
    plot_gap,
    plot_stability,
)
from segkit.select import select_k  # noqa: E402


@pytest.fixture(scope="module")
def sel():
    X, _ = make_blobs(n_samples=300, centers=[[0, 0], [6, 0], [0, 6], [6, 6]], cluster_std=0.5, random_state=0)
    return select_k(X, k_max=7, gap_references=4, bootstrap=4)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_elbow_draws_candidates_and_marks_knee(sel, ax):
    out = plot_elbow(sel.scores, knee=sel.preferred["elbow"], ax=ax)
    assert out is ax
    curve, knee_point = ax.get_lines()[0], ax.get_lines()[-1]
    assert list(curve.get_xdata()) == sel.ks  # k=1 is not drawn
    assert list(knee_point.get_xdata()) == [4]
    assert ax.get_xlabel() == "Number of segments"
    assert "inertia" in ax.get_ylabel()
    assert len(ax.get_lines()) == 3  # curve, vertical line, ringed point


def test_elbow_without_knee_draws_only_the_curve(sel, ax):
    plot_elbow(sel.scores, ax=ax)
    assert len(ax.get_lines()) == 1


def test_criterion_marks_preferred_and_names_direction(sel, ax):
    plot_criterion(sel.scores, "davies_bouldin", preferred=sel.preferred["davies_bouldin"], ax=ax)
    assert len(ax.get_lines()) == 3
    assert list(ax.get_lines()[-1].get_xdata()) == [sel.preferred["davies_bouldin"]]
    assert "lower is better" in ax.get_ylabel()


def test_stability_criterion_has_threshold_lines(sel, ax):
    plot_criterion(sel.scores, "stability_min", ax=ax)
    ys = sorted(line.get_ydata()[0] for line in ax.get_lines()[1:])
    assert ys == [0.6, 0.75]


def test_criterion_refuses_unknown_column(sel, ax):
    with pytest.raises(KeyError, match="no column"):
        plot_criterion(sel.scores, "vibes", ax=ax)


def test_gap_has_error_bars_from_k1(sel, ax):
    plot_gap(sel.scores, preferred=sel.preferred["gap"], ax=ax)
    assert len(ax.containers) == 1  # one errorbar container
    data_line = ax.containers[0].lines[0]
    assert list(data_line.get_xdata()) == [1, *sel.ks]


def test_k1_beside_a_search_from_3_is_a_point_of_its_own(sel, ax):
    """The 03 page's gap curve ran straight from k=1 to k=3, across a k that was not scored."""
    scores = sel.scores.drop(index=2, errors="ignore")
    plot_gap(scores, preferred=None, ax=ax)
    runs = [list(c.lines[0].get_xdata()) for c in ax.containers]
    assert runs == [[1], [k for k in sel.ks if k != 2]], runs
    assert ax.get_legend_handles_labels()[1].count("Gap ± 1 SE") == 1  # one legend entry for both


def test_stability_per_k_points_and_weakest_line(sel, ax):
    plot_stability(sel, ax=ax)
    points = ax.collections[0].get_offsets()
    assert len(points) == sum(sel.ks)  # one point per segment per k
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx(sel.scores.loc[sel.ks, "stability_min"].to_numpy())


def test_stability_bars_for_final_segments(ax):
    plot_stability([0.9, 0.7, 0.4], names=["Loyal", "New", "Lapsed"], ax=ax)
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Loyal", "New", "Lapsed"]
    colours = [tuple(np.round(p.get_facecolor(), 3)) for p in ax.patches]
    assert len(set(colours)) == 3  # stable, moderate, unstable differ


def test_plots_draw_into_a_new_figure_when_none_given(sel):
    fig = plt.figure()  # a stale current figure must not be drawn into
    try:
        ax = plot_elbow(sel.scores)
        assert ax.figure is not fig and not fig.axes
    finally:
        plt.close("all")


def test_criteria_figure_has_one_panel_per_criterion(sel):
    fig = criteria_figure(sel)
    assert isinstance(fig, Figure)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 6
    assert all(isinstance(a, Axes) for a in visible)
    titles = [a.get_title() for a in visible]
    assert titles[0] == "Elbow: prefers 4"
    assert all(a.get_xlabel() == "Number of segments" for a in visible)
    rec = sel.recommended_k
    assert fig.get_suptitle() == f"Evidence for the number of segments: {rec} recommended"
    # a run that uses another number says so (Delaware's title read "4 recommended" above pages of 5 segments)
    assert criteria_figure(sel, used=rec + 1).get_suptitle().endswith(f"{rec} recommended, {rec + 1} used")
    assert criteria_figure(sel, used=rec).get_suptitle().endswith(f"{rec} recommended")
    assert plt.get_fignums() == []  # not registered with pyplot: shown once in a notebook


def test_criteria_figure_lies_within_its_edges(sel):
    """Every label fits the figure, so the reports draw it once instead of saving it again with a tight box
    (a long stability label reached below the figure and cost two more drawing passes)."""
    from segkit.report.cards import _drawn_once

    assert _drawn_once(criteria_figure(sel), 96) is not None


def test_criteria_figure_skips_criteria_not_computed(sel):
    small = select_k(np.random.default_rng(0).normal(size=(120, 2)), k_max=5, criteria=["silhouette", "elbow"])
    fig = criteria_figure(small)
    assert len([a for a in fig.axes if a.get_visible()]) == 4  # elbow, silhouette, CH, DB


def test_importing_plots_changes_no_rcparams():
    import importlib

    import segkit.plots.select as module

    before = dict(matplotlib.rcParams)
    importlib.reload(module)
    assert dict(matplotlib.rcParams) == before
