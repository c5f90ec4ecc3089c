"""Small helpers shared by the plotting modules."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import Formatter, FuncFormatter, LogLocator, MaxNLocator, NullFormatter


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 4.5)) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` (never the current, possibly stale, axes)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def fixed_grid(fig, *, left: float, right: float, top: float, bottom: float, wgap: float, hgap: float) -> None:
    """Place ``fig``'s grid of axes with margins and gaps given in inches, for labels of known size.

    In place of ``tight_layout``, which measures every tick label of every panel once more before the figure is
    drawn (about a quarter of a 12-panel figure's time). The margins hold short numbers on the ticks and one-line
    titles and axis labels; a title or axis label wider than its panel (a long column name) would run into the
    next panel, so then the figure is laid out by ``tight_layout`` after all. Anything that still reaches past the
    figure's edges is caught when the figure is embedded (:func:`segkit.report.cards.figure_png`).
    """
    width, height = fig.get_size_inches()
    nrows, ncols = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
    axes_w = (width - left - right - (ncols - 1) * wgap) / ncols
    axes_h = (height - top - bottom - (nrows - 1) * hgap) / nrows
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=wgap / axes_w, hspace=hgap / axes_h)
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        fig.tight_layout()
        return
    room = (axes_w + wgap * 0.8) * fig.dpi  # a label may reach a little past its panel, not into the next one
    for ax in fig.axes:
        labels = (ax.title, ax.xaxis.label) if ax.axison else (ax.title,)  # a panel without axes keeps its title
        if any(t.get_text() and t.get_window_extent(renderer).width > room for t in labels):
            fig.tight_layout()
            return


def heatmap(data, title: str, *, ax: Axes, **kws) -> Axes:
    """seaborn's heatmap of ``data`` on ``ax`` (``kws`` as for :func:`seaborn.heatmap`), titled, with readable labels
    (:func:`finish_heatmap`). seaborn draws the whole figure inside ``heatmap`` to see whether its tick labels
    overlap, and turns them if so; :func:`finish_heatmap` turns them its own way afterwards, so here that draw, the
    figure's layout included, is skipped: the same picture (laid out once, not twice: a pixel may move), 0.1 CPU s
    less a heatmap (``tests/test_plots_profile.py``)."""
    import seaborn as sns
    from seaborn import matrix

    draw = getattr(matrix, "_draw_figure", None)  # absent from another seaborn: it then draws as it likes
    if draw is not None:
        matrix._draw_figure = lambda fig: None
    try:
        sns.heatmap(data, ax=ax, **kws)
    finally:
        if draw is not None:
            matrix._draw_figure = draw
    return finish_heatmap(ax, title)


def finish_heatmap(ax: Axes, title: str) -> Axes:
    """Title a heatmap and make its labels readable: no axis names, slanted right-aligned column labels."""
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
    ax.tick_params(axis="y", rotation=0)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


def plain_tick(value: float, _pos=None) -> str:
    """A log axis tick as plain text ("0.01", "1,000", "200k"): report figures do not parse math text, in which
    matplotlib's own log labels ("10^3") are written.

    >>> [plain_tick(v) for v in (0, 0.05, 1_000, 200_000, 1_000_000)]
    ['0', '0.05', '1,000', '200k', '1m']
    """
    if value == 0:
        return "0"
    if abs(value) >= 10_000:
        return short_tick(value)
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


class _ShortLogLocator(LogLocator):
    """Powers of ten; and 1, 2 and 5 of each decade where the view spans less than two, which may hold no power of
    ten at all: Delaware's home values, $174k to $968k, had an axis without a number."""

    def __call__(self):
        lo, hi = self.axis.get_view_interval()
        self.set_params(subs=(1.0, 2.0, 5.0) if 0 < lo < hi < 100 * lo else (1.0,))
        return super().__call__()


class _PlainFormatter(Formatter):
    """:func:`plain_tick`; on an axis that reaches 10,000, thousands as "k" from 1,000 ("1k 2k 5k 10k", not "1,000
    2,000 5,000 10k")."""

    def __call__(self, x, pos=None):
        big = len(self.locs) and np.abs(self.locs).max() >= 10_000
        return short_tick(x) if big and abs(x) >= 1_000 else plain_tick(x)


def plain_log_ticks(axis) -> None:
    """Label a log (or symmetric log) ``axis`` (``ax.xaxis``) in plain numbers, the minor ticks unlabelled; a log
    axis of under two decades ticks at 2 and 5 of each decade too (:class:`_ShortLogLocator`)."""
    if axis.get_scale() == "log":
        axis.set_major_locator(_ShortLogLocator(base=10))
    axis.set_major_formatter(_PlainFormatter())
    axis.set_minor_formatter(NullFormatter())


def short_tick(value: float, _pos=None) -> str:
    """A tick of large numbers in thousands or millions ("40k", "1.5m"): "100,000120,000" ran together on a narrow
    panel.

    >>> [short_tick(v) for v in (0, 40_000, 125_000, 1_500_000, -20_000, 500)]
    ['0', '40k', '125k', '1.5m', '-20k', '500']
    """
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.4g}m"
    return f"{value / 1_000:.4g}k" if size >= 1_000 else f"{value:.4g}"


def grouped_ticks(axis, values) -> None:
    """Ticks in thousands or millions (:func:`short_tick`) on a linear ``axis`` whose ``values`` reach 10,000
    ("40k", not "40000"); smaller numbers as matplotlib writes them."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.max() >= 10_000:
        axis.set_major_formatter(FuncFormatter(short_tick))


class _CountLocator(MaxNLocator):
    """Whole-number ticks (one at least) that leave room for their labels on a horizontal axis: matplotlib allows a
    tick three font sizes, and Telco's segment sizes, beside long names, wrote "0 250 500 ... 2,500" into one another.
    A vertical axis's labels stack, and keep matplotlib's count."""

    def __init__(self):
        super().__init__(integer=True, min_n_ticks=1)

    def tick_values(self, vmin, vmax):
        axis = self.axis
        if axis is not None and axis.axis_name == "x" and axis.axes is not None:
            width = axis.axes.bbox.width * 72 / axis.axes.figure.dpi  # points
            size = FontProperties(size=plt.rcParams["xtick.labelsize"]).get_size_in_points()
            chars = len(f"{max(abs(vmin), abs(vmax)):,.0f}") + 2  # the widest label, and a gap
            self.set_params(nbins=max(1, int(width // (chars * 0.6 * size))))
        return super().tick_values(vmin, vmax)


def count_ticks(axis) -> None:
    """Ticks at whole numbers on an axis of counts (customers, rows), with a thousands separator as the bars' labels
    have: never a tick at 2.5 customers, nor "1050 1200" beside a bar of "1,167", nor "0 0 0 1" on an axis whose
    range is under one (an empty histogram): one whole tick is enough there."""
    axis.set_major_locator(_CountLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _pos=None: f"{value:,.0f}"))
