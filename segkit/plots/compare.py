"""Figures of a comparison of two runs: the migration matrix and the drift of each feature.

Both take the computed tables (:mod:`segkit.compare`) and ``ax=None``, and return the ``Axes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..format import format_number, format_share
from ._common import heatmap, new_axes

__all__ = ["plot_migration", "plot_drift"]


def plot_migration(counts: pd.DataFrame, shares: pd.DataFrame, *, ax: Axes | None = None, entity: str = "customers") -> Axes:
    """Heatmap of where each earlier segment's members are now: colour = share of the row, text = count and share.

    Parameters
    ----------
    counts, shares : DataFrame
        Earlier segments (rows) x later segments (columns), with readable labels
        (:meth:`segkit.compare.Comparison.migration_table`).
    """
    ax = new_axes(ax, (max(6.5, 1.7 * counts.shape[1] + 3.5), 0.6 * counts.shape[0] + 1.8))
    text = np.array([[f"{format_number(c)}\n{format_share(s)}" if c else "" for c, s in zip(rc, rs)]
                     for rc, rs in zip(counts.to_numpy(), np.nan_to_num(shares.to_numpy()))], dtype=object)
    heatmap(100 * shares.fillna(0.0), f"Where each segment's {entity} are now", ax=ax, annot=text, fmt="",
            cmap="Blues", vmin=0, vmax=100, linewidths=0.5, cbar_kws={"label": "Share of the row (%)"},
            annot_kws={"fontsize": 9})
    ax.set_ylabel(str(counts.index.name or ""))
    ax.set_xlabel(str(counts.columns.name or ""))
    return ax


def plot_drift(drift: pd.DataFrame, *, ax: Axes | None = None, moderate: float = 0.1, significant: float = 0.25) -> Axes:
    """Horizontal bars of each feature's population stability index, with the two usual thresholds.

    Parameters
    ----------
    drift : DataFrame
        ``label`` and ``psi`` per feature (:func:`segkit.compare.feature_drift`).
    """
    ax = new_axes(ax, (8.0, 0.32 * len(drift) + 1.5))
    data = drift.iloc[::-1]
    colours = ["#c0392b" if v > significant else "#e67e22" if v >= moderate else "#7f8c8d" for v in data["psi"]]
    ax.barh(data["label"], data["psi"], color=colours)
    for y, value in enumerate(data["psi"]):
        ax.text(value, y, f" {format_number(value)}", va="center", fontsize=8)
    for x, word, style in ((moderate, "moderate", ":"), (significant, "significant", "--")):
        ax.axvline(x, color="#5b6770", linestyle=style, linewidth=0.9, label=f"{format_number(x)}: {word} shift")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_xlabel("Population stability index (0 = unchanged)")
    ax.set_xlim(0, max(0.3, 1.15 * float(drift["psi"].max() if len(drift) else 0)))
    ax.set_title("How much each measure's distribution shifted")
    return ax
