"""segkit.plots.profile: figures return their Axes/Figure with one artist per segment (no pixels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

from segkit.errors import ColumnError, DataValueError  # noqa: E402
from segkit.plots.profile import (sample_positions, feature_distributions_figure, plot_index_heatmap,  # noqa: E402
                                  plot_segment_map, plot_segment_sizes, segment_palette)
from segkit.profile import profile_segments  # noqa: E402

NAMES = {0: "Champions", 1: "New Customers", 2: "Lost"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    sizes = [500, 300, 20]
    labels = np.repeat([0, 1, 2], sizes)
    features = pd.DataFrame({
        "recency": rng.gamma(2, 10, labels.size) + labels * 50,
        "frequency": rng.poisson(3, labels.size) + 1.0,
        "monetary": rng.lognormal(6, 1, labels.size),
    })
    return features, labels


@pytest.fixture
def profile(data):
    features, labels = data
    return profile_segments(features, labels, names=NAMES)


def test_index_heatmap_annotates_every_cell(profile):
    _, ax = plt.subplots()
    out = plot_index_heatmap(profile, ax=ax, feature_labels={"recency": "Days since last purchase"})
    assert out is ax
    assert len(ax.texts) == 3 * 3  # segments x features
    assert [t.get_text() for t in ax.texts[:3]] == [f"{v:.0f}" for v in profile.index.loc[0]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["S01 Champions", "S02 New Customers", "S03 Lost"]
    assert ax.get_xticklabels()[0].get_text() == "Days since last purchase"
    mesh = ax.collections[0]
    assert mesh.norm.vcenter == 100.0  # diverging around the whole


def test_the_index_heatmap_says_above_and_below_in_the_cards_neutral_colours_not_red_and_green(profile):
    """A red "704" beside the card's green "index 704" (the Champions' spend): red and green are the cards' worse and
    better; the heatmap, of every measure, says only above (blue) and below (amber) the whole."""
    _, ax = plt.subplots()
    plot_index_heatmap(profile, ax=ax)
    mesh = ax.collections[0]
    values = np.asarray(mesh.get_array()).ravel()
    colours = mesh.get_facecolors()[:, :3]
    above, below = colours[values > 130], colours[values < 70]
    assert len(above) and len(below)
    assert (above[:, 2] > above[:, 0]).all()  # blue over red above the whole
    assert ((below[:, 0] > below[:, 2]) & (below[:, 1] > below[:, 2])).all()  # amber: red and green over blue
    plt.close("all")


def test_segment_sizes_one_bar_per_segment(profile):
    ax = plot_segment_sizes(profile)
    assert len(ax.patches) == 3
    assert [p.get_width() for p in ax.patches] == [500, 300, 20]
    assert [t.get_text() for t in ax.texts] == ["500 (61.0%)", "300 (36.6%)", "20 (2.4%)"]  # as the cards say them
    assert ax.get_yticklabels()[0].get_text() == "S01 Champions"
    assert ax.get_xlabel() == "Number of customers"
    assert ax.yaxis_inverted()  # the first segment at the top


def test_feature_distributions_figure(data):
    features, labels = data
    fig = feature_distributions_figure(features, labels, columns=["recency", "frequency", "monetary"],
                                     names=NAMES, sample=200, seed=0, log=["monetary"])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    for ax in axes:
        assert len(ax.patches) == 3  # one box per segment, small segment included despite the sample
    assert axes[2].get_xscale() == "log" and axes[0].get_xscale() == "linear"
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["S01 Champions", "S02 New Customers", "S03 Lost"]
    refunds = features.assign(monetary=features["monetary"] - 50)  # some negative net spend
    symlog = feature_distributions_figure(refunds, labels, columns=["monetary"], log=True)
    assert symlog.axes[0].get_xscale() == "symlog"
    # Delaware's incomes on a linear axis read "40000 ... 160000": in thousands, small numbers as they were
    income = features.assign(monetary=40_000 + 1_000 * features["frequency"])
    fig = feature_distributions_figure(income, labels, columns=["monetary", "frequency"])
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("k") or t == "0" for t in ticks), ticks
    assert not any(t.get_text().endswith("k") for t in fig.axes[1].get_xticklabels())
    # a value left out (filled in by the features step, shown as measured): still a log axis, not a symmetric one
    gaps = features.assign(monetary=features["monetary"].where(np.arange(len(features)) % 7 > 0))
    assert feature_distributions_figure(gaps, labels, columns=["monetary"], log=True).axes[0].get_xscale() == "log"
    violin = feature_distributions_figure(features, labels, columns=["recency", "frequency"], kind="violin", ncols=1)
    assert len([ax for ax in violin.axes if ax.get_visible()]) == 2
    with pytest.raises(ColumnError, match="'nope'"):
        feature_distributions_figure(features, labels, columns=["nope"])


def test_sample_is_seeded_and_keeps_small_segments(data):
    _, labels = data
    a = sample_positions(labels, 100, seed=3)
    assert np.array_equal(a, sample_positions(labels, 100, seed=3))
    assert not np.array_equal(a, sample_positions(labels, 100, seed=4))
    assert (labels[a] == 2).sum() == 20  # all 20 rows of the smallest segment (fewer than 30)
    assert len(sample_positions(labels, 10_000, seed=0)) == labels.size


def test_segment_map_points_centres_and_highlight(data):
    features, labels = data
    coords = np.column_stack([features["recency"], np.log(features["monetary"])])
    new = labels == 1
    new[np.flatnonzero(new)[5:]] = False  # five new customers
    ax = plot_segment_map(coords, labels, names=NAMES, highlight=new, sample=300, seed=0,
                          explained=[0.6, 0.3])
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 3 + 1  # one per segment, plus the highlighted points
    assert len(scatters[-1].get_offsets()) == 5
    assert scatters[-1].get_sizes()[0] > scatters[0].get_sizes()[0]
    assert np.allclose(scatters[-1].get_edgecolor()[0], [0, 0, 0, 1])
    assert sum(len(c.get_offsets()) for c in scatters[:3]) <= 300 + 30
    assert [t.get_text() for t in ax.texts] == ["S01", "S02", "S03"]
    assert ax.texts[0].get_position() == pytest.approx(tuple(coords[labels == 0].mean(axis=0)))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["S01 Champions", "S02 New Customers", "S03 Lost", "New customers"]
    # the new rows' legend marker is in no segment's colour: white, outlined in black (it took S02's)
    marker = ax.get_legend().legend_handles[-1]
    assert marker.get_markerfacecolor() == "white" and marker.get_markeredgecolor() == "black"
    # the segments' keys are solid though their dots are not (the Mall's pale pinks read alike)
    assert [h.get_alpha() for h in ax.get_legend().legend_handles[:3]] == [1.0] * 3 and scatters[0].get_alpha() == 0.5
    assert ax.get_xlabel() == "Map axis 1 (60% of the differences)"
    shown = plot_segment_map(coords, labels, names={0: "S01 Champions", 1: "S02 New Customers"})
    assert [t.get_text() for t in shown.get_legend().get_texts()] == ["S01 Champions", "S02 New Customers", "S03"]
    plain = plot_segment_map(coords, labels, highlight=[0, 1])
    assert len([c for c in plain.collections if isinstance(c, PathCollection)]) == 4
    # what a row is, in the title and the new rows' entry: an area map said "customers" (the stages set it after)
    areas = plot_segment_map(coords, labels, highlight=[0, 1], entity="areas")
    assert areas.get_title() == "Segment map: areas close together are alike"
    assert [t.get_text() for t in areas.get_legend().get_texts()][-1] == "New areas"
    with pytest.raises(DataValueError, match="2 columns"):
        plot_segment_map(coords[:, :1], labels)


def test_plots_leave_global_style_alone(profile, data):
    before = dict(plt.rcParams)
    plot_index_heatmap(profile)
    plot_segment_sizes(profile)
    feature_distributions_figure(*data, columns=["recency"])
    assert dict(plt.rcParams) == before
    assert segment_palette(3) == segment_palette(3) and len(segment_palette(12)) == 12


def test_data_text_with_dollar_signs_is_drawn_as_written():
    # a category level such as "$x^$" is not math text in a report figure (it made matplotlib raise)
    import matplotlib
    import matplotlib.pyplot as plt

    from segkit.kernel import REPORT_RC

    with matplotlib.rc_context(REPORT_RC):
        fig, ax = plt.subplots()
        ax.bar(["$x^$", "Spend ($) in $"], [1, 2])
        ax.set_title("Level $\\frac{a}{$")
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_xticklabels()]
        plt.close(fig)
    assert labels == ["$x^$", "Spend ($) in $"]
@pytest.mark.parametrize("values, linthresh, ticks", [
    ([0.0, 0.0, 0.0, 1.0, 3.0, 7.0], 1.0, [0.0, 1.0]),  # a mostly-zero count: 0 and 1 shown, as before
    ([-40.0, 0.5, 20.0, 90_000.0], 1.0, [-10.0, 0.0, 10.0, 100.0, 1000.0, 10000.0]),  # both sides: no ±1
    ([-5.0, -0.5, 0.0], 0.1, [-1.0, -0.1, 0.0]),  # one side only: its first decade stays
    ([np.nan, 0.0, 5.0], 1.0, [0.0, 1.0]),  # missing values are left out
    ([-3.0e6, 2.0, 8.0e7], 1.0, [-1.0e6, -1.0e4, -100.0, 0.0, 10.0, 1000.0, 1.0e5, 1.0e7]),  # at most four a side
])
def test_symlog_ticks(values, linthresh, ticks):
    from segkit.plots.profile import symlog_ticks

    assert symlog_ticks(np.array(values), linthresh) == ticks


def test_a_caption_counts_the_points_its_figure_draws():
    """The default run's map read "a random sample of 4,334" of 4,334 customers, and its box plots "(random
    sample)", while every customer was drawn; a sample topped up for a small segment drew more than it said."""
    from types import SimpleNamespace

    from segkit.featureset import FeatureSet
    from segkit.stages.profile import _drawn

    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(250, int), np.ones(40, int), np.full(10, 2)]
    coords = rng.normal(size=(len(labels), 2))
    features = FeatureSet(table=pd.DataFrame(index=range(len(labels))), columns=[], entity="customers")
    seg = SimpleNamespace(labels=pd.Series(labels), features=features)
    assert _drawn(seg, SimpleNamespace(plot_sample=5000, seed=0)) == "all 300 customers"
    caption = _drawn(seg, SimpleNamespace(plot_sample=50, seed=0))
    ax = plot_segment_map(coords, labels, sample=50, seed=0)
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert points > 50 and caption == f"a random sample of {points} of the 300 customers"
    # an engine gave the notebooks 300 of 10 million customers: the caption counts them all
    features.extra["driver_sample"] = {"entities": 10_000_000, "sample": 300, "seed": 0}
    sampled = _drawn(seg, SimpleNamespace(plot_sample=5000, seed=0))
    assert sampled == "a random sample of 300 of the 10,000,000 customers"


def test_the_boxes_are_seaborns_drawn_in_one_call():
    """The box panels are drawn with matplotlib directly, as seaborn's boxplot draws them: the quartiles of each
    segment's values (1..9: 3, 5, 7), the palette's colours at 75% saturation, and the same picture, pixel for
    pixel, as seaborn's own boxplot of the same data."""
    import warnings

    import seaborn as sns
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from segkit.plots.profile import _boxes

    groups = [np.arange(1.0, 10.0), np.array([2.0, 4.0, 4.0, 4.0, 40.0, np.inf]), np.array([7.0, np.nan, 8.0])]
    names, colours = ["S01 A", "S02 B", "S03 C"], segment_palette(3)
    ours, theirs = (plt.subplots(figsize=(5, 3))[1] for _ in range(2))
    _boxes(ours, groups, names, colours)
    long = pd.DataFrame({"v": np.concatenate(groups), "Segment": np.repeat(names, [len(g) for g in groups])})
    long["Segment"] = pd.Categorical(long["Segment"], categories=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sns.boxplot(data=long, x="v", y="Segment", hue="Segment", palette=dict(zip(names, colours)), legend=False,
                    dodge=False, ax=theirs, fliersize=1.5)
    theirs.set_ylabel("")
    theirs.set_xlabel("")
    box = ours.patches[0].get_path().vertices
    assert (box[:, 0].min(), box[:, 0].max()) == (3.0, 7.0)
    assert ours.lines[4].get_xdata().tolist() == [5.0, 5.0]  # the first box's median (after 2 whiskers, 2 caps)
    assert np.allclose(ours.patches[0].get_facecolor()[:3], sns.desaturate(colours[0], 0.75))
    assert [t.get_text() for t in ours.get_yticklabels()] == names and ours.get_ylim() == (2.5, -0.5)
    pictures = []
    for ax in (ours, theirs):
        canvas = FigureCanvasAgg(ax.figure)
        canvas.draw()
        pictures.append(np.asarray(canvas.buffer_rgba()).copy())
    assert np.array_equal(pictures[0], pictures[1])


def test_a_long_tail_with_a_few_values_below_zero_is_drawn_on_a_log_axis():
    """The default run's net spend (4 of 4,334 customers below zero, after returns; up to £280,000) was drawn on a
    linear axis, every segment's box a sliver at zero, under a caption that said long tails are drawn on a log scale."""
    from segkit.stages.profile import _skewed

    rng = np.random.default_rng(0)
    spend = pd.Series(rng.lognormal(6.5, 1.3, 4000))
    assert _skewed(spend) and _skewed(pd.concat([spend, pd.Series([-141.5, -12.0, 0.0, 0.0])]))
    balance = pd.Series(np.r_[rng.lognormal(6.5, 1.3, 3000), -rng.lognormal(6.5, 1.3, 1000)])  # a quarter below 0
    assert not _skewed(balance)
    assert not _skewed(pd.Series(rng.normal(50, 10, 4000)))  # no long tail
    assert not _skewed(pd.Series([1.0, 1.0, 2.0] * 100))  # two values: no spread to draw


def test_segment_codes_on_the_map_never_cover_each_other():
    """The Mall's men and women Affluent Savers share a centre on the map: "S08" hid "S06"."""
    rng = np.random.default_rng(0)
    xy = np.r_[rng.normal(0, 1, (40, 2)), rng.normal(0, 1, (40, 2)), rng.normal(5, 1, (40, 2))]
    labels = np.repeat([0, 1, 2], 40)
    xy[40:80] += xy[:40].mean(axis=0) - xy[40:80].mean(axis=0)  # two segments, one centre
    ax = plot_segment_map(xy, labels)
    ax.figure.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts]
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    inside = ax.get_window_extent()
    assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1 for b in boxes)
    plt.close(ax.figure)
    # three segments sharing a centre at the top of the map: the edge pushes none back onto another
    top = np.r_[rng.normal(0, 1, (60, 2)), np.tile([[0.0, 9.0]], (30, 1))]
    edge = plot_segment_map(top, np.r_[np.zeros(60, int), np.repeat([1, 2, 3], 10)])
    edge.figure.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in edge.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    inside = edge.get_window_extent()
    assert all(inside.y0 <= b.y0 and b.y1 <= inside.y1 for b in boxes)
    plt.close(edge.figure)


def test_a_map_of_one_measure_gives_each_segment_a_row():
    """Stat2Data's LosingSleep (students' ages the one measure): every dot and code lay on one line, axis 2 all 0."""
    rng = np.random.default_rng(0)
    ages = np.r_[rng.choice([14, 15], 60), np.full(50, 16), np.full(40, 17), np.full(30, 18)].astype(float)
    labels = np.repeat([0, 1, 2, 3], [60, 50, 40, 30])
    ax = plot_segment_map(np.column_stack([ages, np.zeros(len(ages))]), labels, x_label="Age (years)")
    rows = [coll.get_offsets()[:, 1] for coll in ax.collections]
    assert [round(float(np.mean(r))) for r in rows] == [3, 2, 1, 0]  # the first segment on top
    assert all(np.ptp(r) <= 0.6 and np.ptp(r) > 0 for r in rows)  # spread up and down within its row
    assert [t.get_text() for t in ax.get_yticklabels()] == ["S01", "S02", "S03", "S04"]
    assert ax.get_xlabel() == "Age (years)" and ax.get_ylabel() == "Segment"
    ax.figure.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts]
    inside = ax.get_window_extent()
    assert len(boxes) == 4 and not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(inside.y0 <= b.y0 and b.y1 <= inside.y1 for b in boxes)
    plt.close(ax.figure)



def test_a_segment_of_one_row_has_its_code_above_its_dot():
    """Delaware's campus, a segment of one area: the box of its code, at its centre, covered its only dot."""
    from matplotlib.text import Annotation

    rng = np.random.default_rng(0)
    coords = np.r_[rng.normal(0, 1, (40, 2)), rng.normal(5, 1, (40, 2)), [[10.0, 10.0]]]
    labels = np.r_[np.zeros(40, int), np.ones(40, int), [2]]
    ax = plot_segment_map(coords, labels)
    try:
        lone = [t for t in ax.texts if t.get_text() == "S03"][0]
        assert isinstance(lone, Annotation) and lone.xy == (10.0, 10.0) and lone.get_va() == "bottom"
        assert lone.xyann == (0, 9)  # points above the dot
        others = [t for t in ax.texts if t.get_text() != "S03"]
        assert not any(isinstance(t, Annotation) for t in others) and {t.get_va() for t in others} == {"center"}
    finally:
        plt.close("all")


def test_a_heatmap_is_laid_out_once_when_it_is_saved(profile, monkeypatch):
    """seaborn drew the whole figure inside ``heatmap`` to check its tick labels for overlap, and the report drew it
    again to save it: the figure's layout twice. ``plots._common.heatmap`` skips seaborn's draw; the labels are turned
    as ``finish_heatmap`` says (columns slanted right-aligned, rows level) and the annotations are all there."""
    from matplotlib.figure import Figure

    from segkit.report.cards import figure_png

    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(1), real(self, renderer))[1])
    ax = plot_index_heatmap(profile)
    assert draws == []  # not drawn while it was made
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {30.0}
    assert {t.get_horizontalalignment() for t in ax.get_xticklabels()} == {"right"}
    assert {t.get_rotation() for t in ax.get_yticklabels()} == {0.0}
    assert len(ax.texts) == 3 * 3  # one annotation per segment and measure
    assert figure_png(ax)[:4] == b"\x89PNG" and len(draws) == 1  # drawn once, to be saved
