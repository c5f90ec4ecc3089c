"""Figures for the lifetime-value report (10_value)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..naming.words import singular
from ._common import new_axes

__all__ = ["plot_holdout"]


def plot_holdout(table: pd.DataFrame, *, ax=None, entity: str = "customers"):
    """Mean actual and predicted holdout purchases per customer (``entity``: what a row is, in the plural), by repeat
    purchases in calibration.

    ``table`` is :attr:`segkit.kinds.transactions.value.HoldoutCheck.by_frequency`; returns the ``Axes``.
    """
    ax = new_axes(ax, (7, 3.8))
    x = np.arange(len(table))
    ax.plot(x, table["actual"].to_numpy(), marker="o", color="#14334a", label="Actual")
    ax.plot(x, table["predicted"].to_numpy(), marker="s", linestyle="--", color="#d1495b", label="Predicted (BG/NBD)")
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel("Repeat purchases in the calibration period")
    ax.set_ylabel(f"Purchases in the holdout\n(mean per {singular(entity)})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    return ax
