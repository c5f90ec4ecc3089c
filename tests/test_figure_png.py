"""segkit.report.cards.figure_png: a figure drawn once at its own size, widened only when something reaches past it."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from segkit.report.cards import figure_png  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bars(fig_and_ax=None, *, legend_outside: bool = False):
    fig, ax = fig_and_ax or plt.subplots(figsize=(4, 3), layout=None if legend_outside else "constrained")
    ax.barh(["S01 Champions", "S02 At Risk", "S03 Lost"], [3, 2, 1], label="customers in the segment")
    ax.set_title("Customers per segment")
    if legend_outside:  # anchored past the right edge, with no layout engine to make room for it
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_a_figure_within_its_edges_is_saved_at_its_own_size_as_matplotlib_would():
    png = figure_png(_bars(), dpi=96)
    assert Image.open(io.BytesIO(png)).size == (4 * 96, 3 * 96)
    same = io.BytesIO()
    _bars().savefig(same, format="png", dpi=96, metadata={"Software": None})  # matplotlib's own, untrimmed
    assert png == same.getvalue()


def test_a_figure_reaching_past_its_edges_is_widened_to_hold_all_of_it():
    png = figure_png(_bars(legend_outside=True), dpi=96)
    width, height = Image.open(io.BytesIO(png)).size
    assert width > 4 * 96 + 50  # the legend's width was added
    beyond = _pixels(png)[:, 4 * 96:]
    assert (beyond < 200).any(), "the legend was cut off"


def test_the_figure_is_closed_and_a_figure_outside_pyplot_keeps_its_canvas():
    fig = _bars()
    figure_png(fig)
    assert fig.number not in plt.get_fignums()
    loose = Figure(figsize=(4, 3), layout="constrained")
    canvas = loose.canvas
    _bars((loose, loose.subplots()))
    first = figure_png(loose)
    assert loose.canvas is canvas
    assert figure_png(loose) == first  # the same figure, the same bytes


def test_the_dpi_asked_for_sets_the_size_in_pixels_and_the_figure_keeps_its_own():
    assert Image.open(io.BytesIO(figure_png(_bars(), dpi=50))).size == (200, 150)
    loose = Figure(figsize=(4, 3), dpi=100, layout="constrained")
    _bars((loose, loose.subplots()))
    figure_png(loose, dpi=50)
    assert loose.dpi == 100


@pytest.mark.parametrize("style, corner", [({"savefig.facecolor": "lightgray"}, (211, 211, 211, 255)),
                                           ({"savefig.transparent": True}, (255, 255, 255, 0))])
def test_a_style_that_colours_saved_figures_is_applied_as_savefig_applies_it(style, corner):
    with matplotlib.rc_context(style):
        png = figure_png(_bars())
    assert tuple(np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[0, 0]) == corner


def test_an_artist_drawn_only_when_saving_is_drawn():
    fig = _bars()
    fig.axes[0].axvline(2.5, color="red", lw=6, animated=True)  # animated: left out of screen draws, saved
    assert (_pixels(figure_png(fig)) != _pixels(figure_png(_bars()))).any()
