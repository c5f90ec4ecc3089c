"""Figures of the segment explainer and the churn model.

Seaborn conventions: the precomputed table comes first, every option is keyword-only, axes-level
functions take ``ax=None`` and return the ``Axes``; :func:`churn_evaluation_figure`, which draws three
panels, returns the ``Figure``. Nothing here shows, saves or restyles globally.

==============================  ================================================================
function                        table it draws
==============================  ================================================================
:func:`plot_importance`         ``mean``/``std`` of a permutation importance, index = feature
:func:`plot_segment_drivers`    features x segments: importance for each segment (one vs rest)
:func:`plot_confusion`          true x predicted segment counts
:func:`plot_roc`                ``fpr``/``tpr``
:func:`plot_precision_recall`   ``recall``/``precision``
:func:`plot_calibration`        ``mean_predicted``/``observed``/``count`` per probability bin
:func:`plot_risk_distribution`  ``churn_probability`` per customer
==============================  ================================================================
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..errors import ColumnError
from ..format import capitalised
from ..naming.words import counted, plural
from ._common import count_ticks, heatmap, new_axes

__all__ = [
    "plot_importance", "plot_segment_drivers", "plot_confusion", "plot_roc", "plot_precision_recall",
    "plot_calibration", "plot_risk_distribution", "churn_evaluation_figure",
]

_BAR = "#1f77b4"
_ACCENT = "#d62728"


def _need(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise ColumnError(f"the {what} table lacks the {noun} {', '.join(missing)}",
                          f"pass the table computed by segkit ({what}); it has {', '.join(map(str, table.columns))}",
                          column=missing[0])


def plot_importance(importance: pd.DataFrame, *, ax: Axes | None = None, labels: Mapping[str, str] | None = None,
                    top: int | None = 15, xlabel: str = "Drop in accuracy when the feature is shuffled",
                    title: str | None = "What the model relies on") -> Axes:
    """Horizontal bars of a permutation importance with its spread (one standard deviation).

    Parameters
    ----------
    importance : DataFrame
        Index = feature; columns ``mean`` and ``std``.
    labels : mapping, optional
        Feature -> plain-language label.
    top : int, optional
        Show only the ``top`` largest (default 15; None for all).
    """
    _need(importance, ("mean", "std"), "importance")
    data = importance.sort_values("mean", ascending=False, kind="stable")
    if top is not None:
        data = data.head(top)
    names = [dict(labels or {}).get(f, str(f)) for f in data.index]
    ax = new_axes(ax, (7.5, 0.35 * len(data) + 1.2))
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["mean"].to_numpy(), xerr=data["std"].to_numpy(), color=_BAR, ecolor="#5b6770", capsize=2)
    ax.set_yticks(y, names)
    ax.axvline(0, color="#5b6770", linewidth=0.8)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax


def plot_segment_drivers(segment_importance: pd.DataFrame, *, ax: Axes | None = None,
                         labels: Mapping[str, str] | None = None, names: Mapping | None = None,
                         top: int | None = 12, cmap: str = "Blues") -> Axes:
    """Heatmap of the importance of each feature for each segment (one against the rest).

    Parameters
    ----------
    segment_importance : DataFrame
        Index = feature, columns = segments; values are the drop in the segment's one-against-the-rest
        ROC-AUC when the feature is shuffled. Each column is scaled to its own largest value, so the cells read "how much of this
        segment's strongest driver"; annotations show the raw drop.
    names : mapping, optional
        Segment -> display name.
    top : int, optional
        Features kept: each segment's strongest driver, then each one's second, and so on.
    """
    data = segment_importance.copy()
    ranked = {c: data[c][data[c] > 0].sort_values(ascending=False, kind="stable").index.tolist() for c in data.columns}
    order: list = []
    for rank in range(len(data)):  # each segment's strongest driver first, then each one's second, ...
        order += [feats[rank] for feats in ranked.values() if rank < len(feats)]
    order = list(dict.fromkeys(order + data.max(axis=1).sort_values(ascending=False, kind="stable").index.tolist()))
    data = data.loc[order[:top] if top is not None else order]
    scaled = data.clip(lower=0) / data.clip(lower=0).max(axis=0).replace(0, np.nan)
    scaled = scaled.fillna(0.0)
    scaled.index = [dict(labels or {}).get(f, str(f)) for f in data.index]
    scaled.columns = [str(dict(names or {}).get(s, s)) for s in data.columns]
    ax = new_axes(ax, (1.3 * len(data.columns) + 4.5, 0.42 * len(data) + 1.5))
    raw = data.to_numpy(dtype=float)
    annot = np.where(np.abs(raw) < 0.0005, 0.0, raw)  # no "-0.000" for noise around zero
    return heatmap(scaled, "Drivers of each segment: how much worse it is told from the rest\nwhen the measure is "
                   "shuffled", ax=ax, cmap=cmap, vmin=0, vmax=1, annot=annot, fmt=".3f", linewidths=0.5,
                   cbar_kws={"label": "Share of the segment's\ntop driver"})


def plot_confusion(confusion: pd.DataFrame, *, ax: Axes | None = None, names: Mapping | None = None,
                   normalize: bool = True, cmap: str = "Blues") -> Axes:
    """Heatmap of true (rows) against predicted (columns) segments; rows as shares when ``normalize``. The rows
    say each segment's name ("S02 Lower-Income Young Customers (weekly visitors)"), the columns its code alone:
    four names side by side, tilted, ran into each other."""
    data = confusion.astype(float)
    if normalize:
        data = data.div(data.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    data.index = [str(dict(names or {}).get(s, s)) for s in confusion.index]
    data.columns = [str(dict(names or {}).get(s, s)).split(" ", 1)[0] for s in confusion.columns]
    ax = new_axes(ax, (1.1 * len(data) + 4, 0.6 * len(data) + 2))
    sns.heatmap(data, ax=ax, cmap=cmap, annot=True, fmt=".0%" if normalize else ",.0f", linewidths=0.5,
                vmin=0, vmax=1 if normalize else None, cbar=False)
    ax.set_xlabel("Predicted segment")
    ax.set_ylabel("Segment")
    ax.set_title("Held-out predictions" + (" (share of each segment)" if normalize else ""))
    ax.tick_params(axis="x", rotation=0)
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_roc(curve: pd.DataFrame, *, ax: Axes | None = None, auc: tuple[float, float] | float | None = None,
             entity: str = "customers") -> Axes:
    """ROC curve (``fpr``, ``tpr``) with the chance diagonal; ``auc`` (mean, sd) goes in the legend; ``entity`` is
    what a row is, in the plural, on the axis."""
    _need(curve, ("fpr", "tpr"), "ROC curve")
    ax = new_axes(ax, (4.5, 4.5))
    ax.plot(curve["fpr"], curve["tpr"], color=_BAR, label=_auc_label("ROC-AUC", auc))
    ax.plot([0, 1], [0, 1], linestyle="--", color="#5b6770", linewidth=0.8, label="Chance")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel(f"Share of staying {plural(entity)} flagged")
    ax.set_ylabel("Share of churners flagged")
    ax.set_title("ROC curve")
    ax.legend(loc="lower right", frameon=False)
    return ax


def plot_precision_recall(curve: pd.DataFrame, *, ax: Axes | None = None, base_rate: float | None = None,
                          auc: tuple[float, float] | float | None = None) -> Axes:
    """Precision against recall; ``base_rate`` (the churn rate) is drawn as the chance line."""
    _need(curve, ("recall", "precision"), "precision-recall curve")
    ax = new_axes(ax, (4.5, 4.5))
    ax.plot(curve["recall"], curve["precision"], color=_BAR, label=_auc_label("PR-AUC", auc))
    if base_rate is not None:
        ax.axhline(base_rate, linestyle="--", color="#5b6770", linewidth=0.8, label=f"Churn rate {100 * base_rate:.0f}%")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("Share of churners found (recall)")
    ax.set_ylabel("Share of flagged who churn (precision)")
    ax.set_title("Precision and recall")
    ax.legend(loc="lower left", frameon=False)
    return ax


def plot_calibration(table: pd.DataFrame, *, ax: Axes | None = None, entity: str = "customers") -> Axes:
    """Observed churn rate against the mean predicted probability, per bin; dot size = ``entity`` (rows)."""
    _need(table, ("mean_predicted", "observed", "count"), "calibration")
    ax = new_axes(ax, (4.5, 4.5))
    sizes = 20 + 280 * table["count"].to_numpy() / max(float(table["count"].max()), 1.0)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#5b6770", linewidth=0.8, label="Perfectly calibrated")
    ax.plot(table["mean_predicted"], table["observed"], color=_BAR, linewidth=1)
    ax.scatter(table["mean_predicted"], table["observed"], s=sizes, color=_BAR, alpha=0.8, zorder=3,
               label=f"{capitalised(plural(entity))} (dot size = count)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Predicted churn probability")
    ax.set_ylabel("Observed churn rate")
    ax.set_title("Calibration")
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_risk_distribution(table: pd.DataFrame, *, threshold: float = 0.5, ax: Axes | None = None,
                           bins: int = 20, entity: str = "customers") -> Axes:
    """Histogram of the churn probabilities of ``entity`` (rows), with the high-risk threshold marked."""
    _need(table, ("churn_probability",), "churn")
    ax = new_axes(ax, (7, 3.5))
    p = table["churn_probability"].to_numpy(dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    counts, _ = np.histogram(p, bins=edges)
    colours = [_ACCENT if left >= threshold - 1e-12 else _BAR for left in edges[:-1]]
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=colours, edgecolor="white")
    ax.axvline(threshold, color=_ACCENT, linestyle="--", linewidth=1,
               label=f"High risk: {threshold:.2f} or more ({counted(int((p >= threshold).sum()), entity)})")
    ax.set_xlim(0, 1)
    ax.set_xlabel("Churn probability")
    ax.set_ylabel(capitalised(plural(entity)))
    count_ticks(ax.yaxis)
    # above the bars: inside, the threshold line ran through its text and it sat on the tallest bars
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), frameon=False, borderaxespad=0.2)
    return ax


def churn_evaluation_figure(roc: pd.DataFrame, pr: pd.DataFrame, calibration: pd.DataFrame, *,
                            roc_auc: tuple[float, float] | float | None = None,
                            pr_auc: tuple[float, float] | float | None = None,
                            base_rate: float | None = None, entity: str = "customers") -> Figure:
    """Three panels: ROC curve, precision-recall curve and calibration of the out-of-fold probabilities of
    ``entity`` (what a row is, in the plural)."""
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.5), constrained_layout=True)
    plot_roc(roc, ax=axes[0], auc=roc_auc, entity=entity)
    plot_precision_recall(pr, ax=axes[1], base_rate=base_rate, auc=pr_auc)
    plot_calibration(calibration, ax=axes[2], entity=entity)
    return fig


def _auc_label(name: str, auc) -> str:
    if auc is None:
        return "Model"
    if isinstance(auc, tuple):
        return f"Model ({name} {auc[0]:.3f} ± {auc[1]:.3f})"
    return f"Model ({name} {float(auc):.3f})"
