"""Figures for the data-quality report (01_eda)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ._common import count_ticks, fixed_grid, grouped_ticks, new_axes, plain_log_ticks

__all__ = ["plot_missing", "distributions_figure", "plot_explained_variance"]


def plot_missing(missing: pd.DataFrame, *, ax=None, top: int = 20):
    """Bar chart of the share of missing values per column (the columns that have any).

    Parameters
    ----------
    missing : DataFrame
        :func:`segkit.eda.missing_table` output: one row per column with a ``missing_share`` column.
    """
    ax = new_axes(ax, (8, 3.5))
    share = missing["missing_share"] if "missing_share" in missing else missing.iloc[:, -1]
    if "column" in missing:  # label the bars by column name, not by row number
        share = pd.Series(share.to_numpy(), index=missing["column"].astype(str).to_numpy())
    share = share[share > 0].sort_values(ascending=True).tail(top)
    if share.empty:
        ax.text(0.5, 0.5, "No missing values in any column", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    ax.barh([str(i) for i in share.index], 100 * share.to_numpy(), color="#1f5f8b")
    for y, v in enumerate(share.to_numpy()):
        ax.text(100 * v, y, f" {100 * v:.1f}%", va="center", fontsize=8)
    ax.set_xlabel("Rows with the value missing (%)")
    ax.set_ylabel("")
    ax.set_xlim(0, min(100, 100 * share.max() * 1.25 + 1))
    return ax


#: Histograms one figure draws at most (its caption says how many of how many measures it shows).
MAX_PANELS = 12

#: The colour of the outlier table's limits on a histogram (dashed lines).
LIMIT_COLOUR = "#b5651d"

#: A tail value is left out of a histogram only beyond this many interquartile ranges from the quartiles
#: (Tukey's far fences): a few extreme rows squash a chart, a uniform score's highest value does not.
FAR = 3.0


def _drawn_range(values: np.ndarray, clip: float) -> tuple[float, float]:
    """The values a histogram draws: all of them, but the ``clip`` tails that lie beyond the far fences (:data:`FAR`).
    The Mall's spending score (1-100) lost its 99 under "Histograms of all 200 rows" to its 99.5% quantile, and 50
    customers their youngest and oldest to interpolated quantiles; quantiles that are values keep a tail of less
    than one row."""
    if not clip:
        return float(values.min()), float(values.max())
    lo, hi = np.quantile(values, [clip, 1 - clip], method="inverted_cdf")
    q1, q3 = np.quantile(values, [0.25, 0.75])
    return float(min(lo, q1 - FAR * (q3 - q1))), float(max(hi, q3 + FAR * (q3 - q1)))


def distributions_figure(df: pd.DataFrame, *, columns: Sequence[str] | None = None, sample: int = 5000,
                         seed: int = 0, log: Sequence[str] | None = None, labels: dict | None = None,
                         clip: float = 0.005, max_panels: int = MAX_PANELS, counted: str = "rows",
                         shares: Sequence[str] = (), limits: Mapping[str, tuple[float, float]] | None = None):
    """One histogram per numeric column from a seeded sample of rows; returns the Figure.

    ``counted`` says what a row is ("customers", "areas") on the count axis and in the titles; the ``shares``
    columns (0-1 fractions) get a percent axis. ``limits`` (column -> lower, upper; NaN or infinite for none) are
    drawn as dashed lines where they fall on the axis: the outlier table's limits, on its histogram.

    Values outside the ``clip`` and ``1 - clip`` quantiles that are also far out (:data:`FAR`) are left out so
    that a few extreme rows do not squash the chart (the title says so), and heavily skewed columns (skewness above
    2, all values positive) get a log axis unless ``log`` lists the columns explicitly. ``columns=None`` draws every
    numeric column, at most ``max_panels`` of them.
    """
    if columns is None:
        columns = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    columns = [c for c in columns if c in df.columns][:max_panels]
    n = max(1, len(columns))
    ncols = min(3, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), squeeze=False)
    data = df.sample(n=min(sample, len(df)), random_state=seed) if len(df) > sample else df
    for ax, col in zip(axes.flat, columns):
        values = pd.to_numeric(data[col], errors="coerce").dropna().to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        label = str((labels or {}).get(col, col))
        if values.size == 0:
            ax.set_title(f"{label}: no values", fontsize=10)
            ax.set_axis_off()
            continue
        lo, hi = _drawn_range(values, clip)
        kept = values[(values >= lo) & (values <= hi)]
        skewed = pd.Series(kept).skew() > 2 and kept.min() > 0 if kept.size > 2 else False
        use_log = (col in log) if log is not None else skewed
        bins = np.geomspace(kept.min(), kept.max(), 40) if use_log and kept.min() > 0 and kept.max() > kept.min() else 40
        counts, edges = np.histogram(kept, bins=bins)  # one filled outline: it draws far faster than 40 bars
        ax.stairs(counts, edges, fill=True, color="#1f5f8b", alpha=0.85)
        count_ticks(ax.yaxis)
        if use_log:
            ax.set_xscale("log")
            plain_log_ticks(ax.xaxis)  # "1,000", not matplotlib's math text, which report figures do not parse
        elif col not in shares:
            grouped_ticks(ax.xaxis, kept)  # "40k", never "40000"
        if col in shares:  # each tick as it is: "2.5%", "10%" ("0.1%" on a log axis), never "2%" for 2.5%
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.3g}%"))
        left = values.size - kept.size  # "without the 37 farthest out" read as the table's limit of 37 beside it
        note = f" ({left:,} value{'' if left == 1 else 's'} off the chart)" if left else ""
        ax.set_title(label + note, fontsize=10)
        low, high = ax.get_xlim()
        for bound in (limits or {}).get(col, ()):
            if np.isfinite(bound) and low <= bound <= high:  # on the axis: Quantity's -26 lay left of every bar
                ax.axvline(bound, color=LIMIT_COLOUR, linestyle="--", linewidth=1.1)
        ax.set_xlabel(label + (" (log scale)" if use_log else ""), fontsize=9)
        ax.set_ylabel(counted.capitalize() if ax in axes[:, 0] else "")
    for ax in list(axes.flat)[len(columns):]:
        ax.set_axis_off()
    # room for a one-line title, tick labels of counts (up to "5,400" of a 5,000-row sample in one bar: at 0.62 in the
    # count axis's label reached past the left edge and the figure was drawn twice) and plain numbers, and one-line
    # axis labels
    fixed_grid(fig, left=0.70, right=0.3, top=0.3, bottom=0.5, wgap=0.65, hgap=0.8)
    return fig


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
    ax = new_axes(ax, figsize=(7, 3.8))
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
