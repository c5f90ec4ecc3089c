"""Figures for the lifetime-value report (10_value)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..naming.words import singular
from ._common import new_axes

__all__ = ["plot_holdout"]


def plot_holdout(table: pd.DataFrame, *, ax=None, entity: str = "customers",
                 periods: tuple[str, str] = ("in the calibration period", "in the holdout")):
    """Mean actual and predicted holdout purchases per customer (``entity``: what a row is, in the plural), by repeat
    purchases in calibration; ``periods``: the two periods in words for the axes ("before 11 Sep 2011", "11 Sep to
    09 Dec 2011"), which a reader finds nowhere as "the holdout".

    ``table`` is :attr:`segkit.kinds.transactions.value.HoldoutCheck.by_frequency`; returns the ``Axes``.
    """
    ax = new_axes(ax, (7, 3.8))
    x = np.arange(len(table))
    ax.plot(x, table["actual"].to_numpy(), marker="o", color="#14334a", label="Actual")
    ax.plot(x, table["predicted"].to_numpy(), marker="s", linestyle="--", color="#d1495b", label="Predicted (BG/NBD)")
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel(f"Repeat purchases {periods[0]}")
    ax.set_ylabel(f"Purchases, {periods[1]}\n(mean per {singular(entity)})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    return ax
