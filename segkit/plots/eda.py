"""Figures for the data-quality report (01_eda)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["plot_missing", "distributions_figure"]


def plot_missing(missing: pd.DataFrame, *, ax=None, top: int = 20):
    """Bar chart of the share of missing values per column (the columns that have any).

    Parameters
    ----------
    missing : DataFrame
        :func:`segkit.eda.missing_table` output: one row per column with a ``missing_share`` column.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    share = missing["missing_share"] if "missing_share" in missing else missing.iloc[:, -1]
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


def distributions_figure(df: pd.DataFrame, *, columns: Sequence[str], sample: int = 5000, seed: int = 0,
                         log: Sequence[str] = (), labels: dict | None = None):
    """One histogram per numeric column, drawn from a seeded sample of rows; returns the Figure."""
    columns = [c for c in columns if c in df.columns]
    n = max(1, len(columns))
    ncols = min(3, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.8 * nrows), squeeze=False)
    data = df.sample(n=min(sample, len(df)), random_state=seed) if len(df) > sample else df
    for ax, col in zip(axes.flat, columns):
        values = pd.to_numeric(data[col], errors="coerce").dropna().to_numpy(dtype=float)
        if col in log:
            values = np.sign(values) * np.log10(1 + np.abs(values))
        ax.hist(values, bins=40, color="#1f5f8b", alpha=0.85)
        label = (labels or {}).get(col, col)
        ax.set_title(str(label) + (" (log scale)" if col in log else ""), fontsize=10)
        ax.set_ylabel("Rows" if ax in axes[:, 0] else "")
    for ax in list(axes.flat)[len(columns):]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
