"""The distributions chart: one filled histogram outline per numeric column, log axes for skewed columns."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

from segkit.plots.eda import distributions_figure  # noqa: E402


def test_each_column_is_one_histogram_of_its_rows_with_a_log_axis_when_skewed():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"spend": rng.lognormal(3, 1.5, 800), "age": rng.normal(40, 8, 800), "name": ["x"] * 800})
    fig = distributions_figure(df, clip=0.0)
    try:
        drawn = [ax for ax in fig.axes if ax.axison]
        assert [ax.get_title() for ax in drawn] == ["spend", "age"]  # numeric columns only
        for ax, col in zip(drawn, ["spend", "age"]):
            (outline,) = [p for p in ax.patches if isinstance(p, StepPatch)]
            counts, edges = outline.get_data().values, outline.get_data().edges
            assert counts.sum() == 800 and len(edges) >= 40  # every row, in about 40 bins
            assert np.array_equal(counts, np.histogram(df[col], bins=edges)[0])
        assert [ax.get_xscale() for ax in drawn] == ["log", "linear"]
    finally:
        plt.close(fig)


def test_a_log_axis_is_labelled_in_plain_numbers_not_math_text():
    # report figures do not parse math text (a "$" in a label is a dollar), so "10^3" would show as "$\mathdefault..."
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"spend": rng.lognormal(4, 1.5, 800)})
    with matplotlib.rc_context({"text.parse_math": False}):
        fig = distributions_figure(df, clip=0.0)
        try:
            ax = fig.axes[0]
            fig.canvas.draw()
            shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
            assert ax.get_xscale() == "log" and shown
            assert not any("$" in t or "mathdefault" in t for t in shown), shown
            assert {"10", "100", "1k", "10k"} <= set(shown)  # on an axis that reaches 10,000, "1k" as "10k"
        finally:
            plt.close(fig)


def test_a_log_axis_of_under_two_decades_has_numbers():
    """Delaware's home values, $174k to $968k, drew a log axis without a single number: no power of ten within."""
    values = np.geomspace(180_000, 950_000, 60)
    fig = distributions_figure(pd.DataFrame({"home_value": values}), log=["home_value"], clip=0.0)
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        lo, hi = ax.get_xlim()
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
        assert {"200k", "500k"} <= set(shown) and set(shown) <= {"200k", "500k", "1m"}, shown
    finally:
        plt.close(fig)


def test_the_histograms_count_what_a_row_is_and_show_shares_in_percent():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"share_renters": rng.uniform(0.05, 0.6, 200), "median_age": rng.normal(40, 8, 200)})
    fig = distributions_figure(df, counted="areas", shares=["share_renters"])
    try:
        share_ax, age_ax = fig.axes[:2]
        assert share_ax.get_ylabel() == "Areas" and share_ax.get_title() == "share_renters"  # no outlier: all drawn
        fig.canvas.draw()
        ticks = {t.get_position()[0]: t.get_text() for t in share_ax.get_xticklabels() if t.get_text()}
        assert ticks and all(text == f"{100 * v:.3g}%" for v, text in ticks.items()), ticks  # each tick as it is
        assert not any(t.get_text().endswith("%") for t in age_ax.get_xticklabels())
    finally:
        plt.close(fig)
    plain = distributions_figure(df)
    try:
        assert plain.axes[0].get_ylabel() == "Rows"
    finally:
        plt.close(plain)
    skewed = pd.DataFrame({"share_transit": rng.lognormal(-5, 1.2, 400).clip(max=1)})
    fig = distributions_figure(skewed, shares=["share_transit"], clip=0.0)
    try:
        fig.canvas.draw()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert fig.axes[0].get_xscale() == "log" and ticks and all(t.endswith("%") and t != "0%" for t in ticks), ticks
    finally:
        plt.close(fig)


def _inches(ax, renderer):
    return ax.get_tightbbox(renderer).transformed(ax.figure.dpi_scale_trans.inverted())


def test_the_grid_leaves_room_for_every_label_without_measuring_them_first():
    """The panels are placed by fixed margins, not tight_layout: on 5,000-row counts, large and log-scaled values
    and titles as long as a panel, nothing reaches past the figure or into a neighbouring panel; a longer title
    lays the figure out by measuring after all (no overlap; its edges are left to the embedding's check)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rng = np.random.default_rng(1)
    n = 6000
    df = pd.DataFrame({f"Household income {i}": rng.lognormal(11, 0.2 + 0.3 * (i % 3), n) for i in range(12)})
    df["Constant-ish count"] = rng.integers(0, 3, n)  # one bin holds thousands: "4000" on the count axis
    df["Share of households with an income below the poverty level in the past year"] = rng.uniform(0, 1, n)
    # nearly the whole sample in one bar: "5,400" on the count axis (Online Retail's quantities: its label reached
    # 4.5 px past the left edge)
    df["Quantity"] = np.r_[np.ones(n - 10), rng.normal(50, 20, 10)]
    cases = ((list(df.columns)[:12], "customers", True), (list(df.columns)[-4:-2], "areas", True),
             (list(df.columns)[-4:-3], "rows", True), (list(df.columns)[10:-1], "areas", False),
             (["Quantity", "Household income 0"], "customers", True))
    for columns, counted, fits in cases:
        fig = distributions_figure(df, columns=columns, counted=counted)
        try:
            renderer = FigureCanvasAgg(fig).get_renderer()
            boxes = [_inches(ax, renderer) for ax in fig.axes if ax.axison]
            width, height = fig.get_size_inches()
            for box in boxes if fits else ():
                assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (columns, box)
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert not a.overlaps(b), (columns, a, b)
            assert max(box.y1 for box in boxes) > height - 0.4 and min(box.x0 for box in boxes) < 0.4  # not wasteful
        finally:
            plt.close(fig)
    # a column with no values keeps a title over a panel without axes: measured too (it reached past the edge)
    empty = pd.DataFrame({"Household income": rng.lognormal(11, 0.5, 50),
                          "Median gross rent as a share of income, past year": np.nan, "Age": rng.normal(40, 9, 50)})
    fig, measured = distributions_figure(empty), distributions_figure(empty)
    try:
        renderer = FigureCanvasAgg(fig).get_renderer()
        title = fig.axes[1].title.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
        assert title.width > 3.5  # wider than a panel of the fixed grid: laid out as tight_layout lays it out
        measured.tight_layout()
        assert np.allclose([ax.get_position().bounds for ax in fig.axes],
                           [ax.get_position().bounds for ax in measured.axes])
    finally:
        plt.close(fig)
        plt.close(measured)


def test_histogram_counts_tick_at_whole_numbers():
    """The Mall table's spending-score histogram showed 2.5, 7.5 and 12.5 customers on its axis."""
    score = np.r_[np.full(13, 42.0), np.linspace(1, 99, 40)]  # a peak of 14 customers: ticks of 2.5 by default
    fig = distributions_figure(pd.DataFrame({"age": score, "income": score, "score": score}), counted="customers",
                               clip=0.0)
    fig.canvas.draw()
    ticks = fig.axes[2].get_yticks()
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks
    plt.close(fig)


def test_every_axis_of_counts_ticks_at_whole_numbers():
    """The churn histogram's customers and the sizes chart's areas, as the histograms': a chart of 5 areas drew 2.5."""
    from segkit.plots.explain import plot_risk_distribution
    from segkit.plots.profile import plot_segment_sizes
    from segkit.profile import profile_segments

    risk = plot_risk_distribution(pd.DataFrame({"churn_probability": np.r_[np.full(3, 0.42), np.linspace(0, 1, 20)]}))
    profile = profile_segments(pd.DataFrame({"x": np.arange(5.0)}), np.r_[np.zeros(3, int), np.ones(2, int)])
    sizes = plot_segment_sizes(profile, entity="areas")
    for axis in (risk.yaxis, sizes.xaxis):
        axis.figure.canvas.draw()
        ticks = axis.get_ticklocs()
        assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks
    plt.close("all")
    # a thousand and more with a separator, as the bars' labels ("1,167"): Online Retail's axis read "1050 1200 1350"
    big = profile_segments(pd.DataFrame({"x": np.arange(2_500.0)}), np.r_[np.zeros(1_350, int), np.ones(1_150, int)])
    axis = plot_segment_sizes(big, entity="customers").xaxis
    axis.figure.canvas.draw()
    shown = [t.get_text() for t in axis.get_ticklabels() if t.get_text() and float(t.get_text().replace(",", "")) >= 1_000]
    assert shown and all(re.fullmatch(r"\d,\d{3}", t) for t in shown), shown
    plt.close("all")


def test_an_axis_of_counts_under_one_repeats_no_label():
    """A range under one (nothing counted) fell back to ticks of 0.005 written "0 0 0 ... 0"."""
    from segkit.plots._common import count_ticks

    fig, ax = plt.subplots()
    for low, high in [(0.0, 0.05), (-0.05, 0.05), (0.0, 1.0)]:
        ax.set_ylim(low, high)
        count_ticks(ax.yaxis)
        fig.canvas.draw()
        ticks = [t for t in ax.get_yticks() if low <= t <= high]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks and all(float(t).is_integer() for t in ticks), (low, high, ticks)
        assert len(labels) == len(set(labels)), (low, high, labels)
    plt.close(fig)


def test_a_horizontal_axis_of_counts_leaves_room_for_its_labels():
    """Telco's segment sizes beside long names: "0 250 500 750 1,000 ... 2,500" written into one another on an axis
    two inches wide. A horizontal count axis ticks as often as its widest label allows; a wide one keeps many."""
    import dataclasses

    from segkit.plots.profile import plot_segment_sizes
    from segkit.profile import profile_segments

    profile = profile_segments(pd.DataFrame({"x": np.arange(7043.0)}), np.repeat([0, 1, 2, 3], [1985, 1878, 1654, 1526]))
    names = {0: "Long-Standing Customers", 1: "Newcomers (internet service: Fiber optic)",
             2: "Customers with low total charges (internet service: DSL)",
             3: "Customers with low monthly charges (no internet service)"}
    for shown, fewest in ((dataclasses.replace(profile, names=names), 2), (profile, 5)):
        ax = plot_segment_sizes(shown, entity="customers")
        fig = ax.figure
        fig.canvas.draw()
        low, high = ax.get_xlim()
        labels = [t for t, x in zip(ax.get_xticklabels(), ax.get_xticks()) if low <= x <= high and t.get_text()]
        boxes = [t.get_window_extent() for t in labels]
        assert len(boxes) >= fewest, [t.get_text() for t in labels]
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), [t.get_text() for t in labels]  # no overlap
        plt.close(fig)


def test_the_churn_histograms_legend_lies_clear_of_its_bars_and_threshold():
    """Online Retail's legend sat on the tallest bars, the 0.50 line through its text."""
    from segkit.plots.explain import plot_risk_distribution

    p = np.r_[np.full(370, 0.02), np.linspace(0, 0.99, 3_964)]
    ax = plot_risk_distribution(pd.DataFrame({"churn_probability": p}), threshold=0.5)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    drawn = [*ax.patches, *ax.lines]
    assert drawn and not any(legend.overlaps(a.get_window_extent(renderer)) for a in drawn)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1  # above the plot area
    plt.close("all")


def test_a_small_table_is_drawn_whole_and_a_larger_one_says_it_leaves_its_tails_out():
    # 50 customers: interpolated 0.5% quantiles left out the youngest and the oldest under "Histograms of all 50
    # rows"; the Mall's 200 spending scores (1-100) lost their 99. A tail is left out only where it lies far out.
    ages = np.arange(22, 72, dtype=float)  # 50 distinct ages, 22 to 71
    scores = np.resize(np.arange(1, 100, dtype=float), 200)  # 1 to 99, evenly: no outlier
    rng = np.random.default_rng(3)
    for values in (ages, scores, rng.normal(40, 8, 1000)):
        fig = distributions_figure(pd.DataFrame({"age": values}), counted="customers")
        try:
            ax = fig.axes[0]
            assert ax.get_title() == "age" and sum(p.get_data().values.sum() for p in ax.patches) == len(values)
        finally:
            plt.close(fig)
    spend = rng.lognormal(5, 1.5, 1000)  # a few big spenders far beyond the rest
    fig = distributions_figure(pd.DataFrame({"spend": spend}), counted="customers", log=[])
    try:
        ax = fig.axes[0]
        drawn_rows = sum(p.get_data().values.sum() for p in ax.patches)
        assert ax.get_title() == f"spend ({1000 - drawn_rows:.0f} values off the chart)"
        assert 990 <= drawn_rows < 1000
    finally:
        plt.close(fig)


def test_the_outlier_tables_limits_are_drawn_on_its_histograms():
    """Online Retail's 01 titled a histogram "Quantity (without the 37 farthest out)" beside a table whose limit was
    "unusually high above 37": two measures of an unusual value, and the same number for both. The histogram now
    says how many values it leaves out in other words, and draws the table's limits where they fall in its range."""
    from pathlib import Path

    from segkit import stages
    from segkit.config import load_params
    from segkit.format import format_number
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    rng = np.random.default_rng(0)
    data = pd.DataFrame({"quantity": np.r_[rng.integers(1, 13, 990), [-40, 60, 80, 95, 120, 150, 200, 400, 800, 80995]],
                         "even": rng.normal(0, 1, 1000)})  # no value beyond its limits: no line
    limits = stages.eda._limits(data)
    table = stages.eda.outliers(data)
    lower, upper = limits["quantity"]
    assert np.isfinite(upper) and np.isnan(limits["even"][0]) and np.isnan(limits["even"][1])
    assert table.loc["quantity", "Unusually high above"] == format_number(upper)
    fig = distributions_figure(data, limits=limits)
    try:
        ax = fig.axes[0]
        drawn = [line.get_xdata()[0] for line in ax.lines]
        kept = sum(p.get_data().values.sum() for p in ax.patches)
        assert (lower, upper) == (-14.0, 28.0)  # quartiles 4 and 10, three interquartile ranges out
        assert drawn == [upper]  # -14 lies left of every drawn value (-40, far out, is not drawn): no line for it
        assert ax.get_title() == f"quantity ({1000 - kept:.0f} values off the chart)"
        assert len(fig.axes[1].lines) == 0
    finally:
        plt.close(fig)
    params = load_params([Path(__file__).resolve().parents[1] / "params" / "online_retail.yaml"])[0]
    # the caption says what they are
    said = stages.eda.distributions(RunContext(params, RunFolder("unused")), data).data
    assert "the dashed lines are the limits of the outlier table below, beyond which a value is unusual." in said
    # a limit beyond every drawn value draws no line, and the caption does not promise one (a review found it did)
    far = pd.DataFrame({"quantity": np.r_[np.resize(np.arange(1.0, 10.0), 996), [1000.0] * 4]})  # 4: not drawn
    assert round(stages.eda._limits(far)["quantity"][1]) == 63  # on a log scale (skewed, never negative): past 9
    said = stages.eda.distributions(RunContext(params, RunFolder("unused")), far).data
    assert "dashed" not in said and "Histograms of all 1,000 rows." in said
