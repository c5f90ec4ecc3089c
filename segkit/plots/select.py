"""Figures for choosing the number of segments.

Every function takes the precomputed scores (``KSelection.scores``, a DataFrame indexed by k) or the
selection itself, draws into ``ax`` (default: the current Axes) and returns it;
:func:`criteria_figure` draws one panel per criterion and returns a new ``Figure``. Nothing here calls
``plt.show``/``savefig`` or changes rcParams; colours come from the active style's cycle.

Examples
--------
>>> sel = select_k(X)                                   # doctest: +SKIP
>>> plot_elbow(sel.scores, knee=sel.preferred["elbow"])  # doctest: +SKIP
>>> criteria_figure(sel)                                 # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._common import new_axes
from ..select import STABLE, UNSTABLE, KSelection, stability_label

__all__ = ["plot_elbow", "plot_criterion", "plot_gap", "plot_stability", "criteria_figure", "AXIS_LABELS"]

K_LABEL = "Number of segments"
AXIS_LABELS = {
    "inertia": "Within-segment spread (inertia)",
    "silhouette": "Separation (silhouette)",
    "calinski_harabasz": "Separation vs spread (CH)",
    "davies_bouldin": "Overlap (Davies-Bouldin)",
    "gap": "Structure beyond random (gap)",
    "stability_min": "Weakest segment's stability,\nrefitted from scratch",
    "stability_mean": "Mean segment stability",
}
#: How each criterion's curve is read. The gap statistic's choice is Tibshirani's: the smallest k whose gap the next
#: k's does not beat by more than its standard error, not the highest gap ("higher is better" read wrong beside a
#: mark at 2 under a peak at 4).
_BETTER = {"silhouette": "higher is better", "calinski_harabasz": "higher is better",
           "davies_bouldin": "lower is better", "gap": "first k not beaten by the next",
           "stability_min": "higher is better",
           "stability_mean": "higher is better", "inertia": "look for the bend"}
_PANELS = [("elbow", "inertia"), ("silhouette", "silhouette"), ("calinski_harabasz", "calinski_harabasz"),
           ("davies_bouldin", "davies_bouldin"), ("gap", "gap"), ("stability", "stability_min")]
_SHORT = {"elbow": "Elbow", "silhouette": "Silhouette", "calinski_harabasz": "Calinski-Harabasz",
          "davies_bouldin": "Davies-Bouldin", "gap": "Gap statistic", "stability": "Stability"}
_PICK = "C3"


def _axes(ax: Axes | None) -> Axes:
    return new_axes(ax, (6.0, 4.0))


def _candidates(scores: pd.DataFrame, column: str) -> pd.Series:
    if column not in scores:
        raise KeyError(f"scores has no column {column!r}; columns are {list(scores.columns)}")
    series = scores[column]
    return series[(series.index >= 2) & series.notna()]


def _mark(ax: Axes, series: pd.Series, k: int | None, label: str) -> None:
    """Mark the preferred k: a ringed point on the curve and a dotted vertical line."""
    if k is None or k not in series.index:
        return
    ax.axvline(k, color=_PICK, linestyle=":", linewidth=1)
    ax.plot([k], [series.loc[k]], marker="o", markersize=10, markerfacecolor="none", markeredgecolor=_PICK,
            markeredgewidth=2, linestyle="none", label=label)


def _finish(ax: Axes, ylabel: str, ks: Sequence[int]) -> Axes:
    ax.set_xlabel(K_LABEL)
    ax.set_ylabel(ylabel)
    if len(ks):
        ax.set_xticks(list(ks))
    return ax


def plot_elbow(scores: pd.DataFrame, *, knee: int | None = None, ax: Axes | None = None) -> Axes:
    """Within-segment spread (inertia) against the number of segments, with the knee marked.

    Parameters
    ----------
    scores : pandas.DataFrame
        Indexed by k with an ``inertia`` column (``KSelection.scores``); the k=1 row is not drawn.
    knee : int, optional
        The elbow to mark (``KSelection.preferred["elbow"]``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    series = _candidates(scores, "inertia")
    ax.plot(series.index, series.to_numpy(), marker="o", label="Inertia")
    _mark(ax, series, knee, f"Elbow: {knee} segments")
    return _finish(ax, AXIS_LABELS["inertia"], series.index)


def plot_criterion(scores: pd.DataFrame, criterion: str, *, preferred: int | None = None,
                   ax: Axes | None = None) -> Axes:
    """One criterion against the number of segments, with its preferred k marked.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``KSelection.scores``.
    criterion : str
        A column of ``scores``: "silhouette", "calinski_harabasz", "davies_bouldin", "stability_min",
        "stability_mean", "inertia" or "gap".
    preferred : int, optional
        The k to mark.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    series = _candidates(scores, criterion)
    ax.plot(series.index, series.to_numpy(), marker="o", label=AXIS_LABELS.get(criterion, criterion))
    if criterion.startswith("stability"):
        _thresholds(ax)
        # the two lines in words (a reader asked what the dotted 0.6 was); lower left, where stability, falling with
        # the number of segments, seldom is
        ax.legend(handles=ax.get_lines()[-2:], loc="lower left", fontsize="x-small", frameon=False)
    _mark(ax, series, preferred, f"Preferred: {preferred} segments")
    ylabel = AXIS_LABELS.get(criterion, criterion)
    if criterion in _BETTER:
        ylabel += f"\n({_BETTER[criterion]})"
    return _finish(ax, ylabel, series.index)


def plot_gap(scores: pd.DataFrame, *, preferred: int | None = None, ax: Axes | None = None) -> Axes:
    """Gap statistic with one-standard-error bars, k=1 (no structure) included.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``KSelection.scores`` with ``gap`` and ``gap_se``.
    preferred : int, optional
        The k chosen by the 1-SE rule (``KSelection.preferred["gap"]``), 1 meaning "no structure".
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    if "gap" not in scores or scores["gap"].isna().all():
        raise ValueError("scores has no gap statistic; run select_k with 'gap' among the criteria")
    data = scores[scores["gap"].notna()]
    ks = np.asarray(data.index, dtype=int)
    # one line per run of consecutive k: k=1 (no structure) beside a search from 3 is a point of its own, not a line
    # drawn across a k that was not scored
    for i, run in enumerate(np.split(np.arange(len(ks)), np.flatnonzero(np.diff(ks) > 1) + 1)):
        part = data.iloc[run]
        ax.errorbar(part.index, part["gap"].to_numpy(), yerr=part["gap_se"].to_numpy(), marker="o", capsize=3,
                    color="C0", label=None if i else "Gap ± 1 SE")
    _mark(ax, data["gap"], preferred,
          "Preferred: no structure (1)" if preferred == 1 else f"Preferred: {preferred} segments")
    return _finish(ax, AXIS_LABELS["gap"] + f"\n({_BETTER['gap']})", data.index)


def _thresholds(ax: Axes) -> None:
    ax.axhline(STABLE, color="0.4", linestyle="--", linewidth=1, label=f"Stable (≥ {STABLE})")
    ax.axhline(UNSTABLE, color="0.6", linestyle=":", linewidth=1, label=f"Unstable (< {UNSTABLE})")


def plot_stability(values: KSelection | Mapping[int, Sequence[float]] | Sequence[float], *,
                   names: Sequence[str] | None = None, ax: Axes | None = None) -> Axes:
    """Bootstrap stability (mean Jaccard) of segments, against the clusterboot thresholds.

    Parameters
    ----------
    values : KSelection, dict of int to list of float, or sequence of float
        A selection (or its ``per_segment_stability``): each segment's Jaccard drawn as a point above
        its k, the weakest segment joined by a line. A flat sequence (``segment_stability`` output for
        the final segments): one bar per segment.
    names : sequence of str, optional
        Segment names for the bars (flat sequence only).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    per_k = values.per_segment_stability if isinstance(values, KSelection) else values
    if isinstance(per_k, Mapping):
        if not per_k:
            raise ValueError("no stability values; run select_k with 'stability' among the criteria")
        ks = sorted(int(k) for k in per_k)
        xs = np.concatenate([[k] * len(per_k[k]) for k in ks])
        ys = np.concatenate([np.asarray(per_k[k], dtype=float) for k in ks])
        ax.scatter(xs, ys, alpha=0.6, label="One segment")
        ax.plot(ks, [np.nanmin(per_k[k]) for k in ks], marker="o", label="Weakest segment")
        _thresholds(ax)
        _finish(ax, "Stability (Jaccard)", ks)
    else:
        vals = np.asarray(per_k, dtype=float)
        labels = list(names) if names is not None else [str(i) for i in range(len(vals))]
        palette = {"stable": "C2", "moderate": "C1", "unstable": "C3", "unknown": "0.7"}
        ax.bar(labels, vals, color=[palette[stability_label(v)] for v in vals])
        _thresholds(ax)
        ax.set_xlabel("Segment")
        ax.set_ylabel("Stability (Jaccard)")
    ax.set_ylim(0, 1.05)
    return ax


def criteria_figure(selection: KSelection, *, ncols: int = 3, panel_size: tuple[float, float] = (4.0, 3.0),
                    used: int | None = None) -> Figure:
    """One panel per computed criterion, each with its preferred k marked.

    Parameters
    ----------
    selection : KSelection
    ncols : int
        Panels per row.
    panel_size : (float, float)
        Width and height of one panel, in inches.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure, not registered with pyplot (so a notebook shows it once, as the cell's value).
    """
    panels = [(c, col) for c, col in _PANELS
              if col in selection.scores and selection.scores[col].notna().any()]
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (crit, col) in zip(axes, panels):
        pick = selection.preferred.get(crit)
        if crit == "elbow":
            plot_elbow(selection.scores, knee=pick, ax=ax)
        elif crit == "gap":
            plot_gap(selection.scores, preferred=pick, ax=ax)
        else:
            plot_criterion(selection.scores, col, preferred=pick, ax=ax)
        ax.set_title(_title(crit, pick))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    # the number the run uses, where it is another (a census run's cap, a k the params fix): the title said "4
    # recommended" above pages of 5 segments
    also = f", {used} used" if used is not None and used != selection.recommended_k else ""
    fig.suptitle(f"Evidence for the number of segments: {selection.recommended_k} recommended{also}")
    return fig


def _title(crit: str, pick: Any) -> str:
    text = "no preference" if pick is None else "no structure" if pick == 1 else f"prefers {pick}"
    return f"{_SHORT[crit]}: {text}"
