"""Small helpers shared by the plotting modules."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 4.5)) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` (never the current, possibly stale, axes)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


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
    """A log axis tick as plain text ("0.01", "1,000"): report figures do not parse math text, in which
    matplotlib's own log labels ("10^3") are written."""
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


def plain_log_ticks(axis) -> None:
    """Label a log (or symmetric log) ``axis`` (``ax.xaxis``) in plain numbers, the minor ticks unlabelled."""
    axis.set_major_formatter(FuncFormatter(plain_tick))
    axis.set_minor_formatter(NullFormatter())
