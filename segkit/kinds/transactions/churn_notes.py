"""The churn page's findings in a reader's words, from a :class:`~.churn.ChurnEvaluation`: what the model's high-risk
list holds (:func:`flagged_note`), whether a risk reads as a share (:func:`calibration_note`), what the ranking rests on
and which way each measure moves the risk (:func:`importance_note`, with :func:`directions`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...explain import ranked_drivers
from ...format import format_share, joined, percent_band
from ...naming.words import counted, phrase

__all__ = ["calibration_note", "directions", "flagged_note", "importance_note"]


def flagged_note(evaluation) -> str:
    """The ranking in a reader's words: how many of those it put at high risk bought nothing, against everyone, and
    how many of those who bought nothing it put there (precision and recall at the run's threshold)."""
    e = evaluation
    flagged, churned = e.probability.to_numpy() >= e.threshold, e.churned.to_numpy() == 1
    if not flagged.any() or not churned.any():
        return ""
    hits = int((flagged & churned).sum())  # counts beside the two shares, which can be equal (62% and 62%)
    return (f" Put plainly: of the {counted(int(flagged.sum()), e.entity)} it had not seen and put at high risk (a "
            f"chance of {e.threshold:.2f} or more), {hits:,} ({format_share(churned[flagged].mean())}) bought nothing, "
            f"against {100 * e.base_rate:.1f}% of all of them; those {hits:,} are "
            f"{format_share(flagged[churned].mean())} of the {int(churned.sum()):,} who bought nothing.")


def calibration_note(evaluation, min_customers: int = 30) -> str:
    """The calibration table's verdict: how far the share who churned lies from the risk predicted, in the groups
    of ``min_customers`` or more (smaller groups vary by chance), and whether a risk reads as a share."""
    table = evaluation.calibration_table()
    big = table[table["count"] >= min_customers]
    if big.empty:
        return ""
    # in the table's whole percent, so that "within 6 points" is what a reader finds between 45% and 51%
    gap = ((100 * big["observed"]).round() - (100 * big["mean_predicted"]).round()).abs()
    worst = big.loc[gap.idxmax()]
    small = int((table["count"] < min_customers).sum())
    verdict = ("so a predicted risk can be read as the share of such customers who stop" if gap.max() <= 10 else
               "so read the risks as a ranking more than as shares")
    found = ("matches the risk predicted in each of them" if gap.max() == 0 else
             f"lies within {gap.max():.0f} points of the risk predicted (the widest: {format_share(worst['observed'])} "
             f"churned at a predicted {format_share(worst['mean_predicted'])}, in the {percent_band(gap.idxmax())} "
             "group)")
    return (f"In the groups of {min_customers} {evaluation.entity} or more, the share who churned {found}, {verdict}."
            + (f" {small} smaller {'group varies' if small == 1 else 'groups vary'} by chance." if small else ""))


def importance_note(evaluation, top: int = 3) -> str:
    """The measures the ranking rests on most, each with the way it moves the risk, and those that made no
    difference (a bar at or below zero: shuffling them did not lower the ranking)."""
    imp = evaluation.importance
    if imp.empty or "direction" not in imp or imp["mean"].isna().all():
        return ""  # not measured: no finding either way
    way = {1: "the more, the higher the risk", -1: "the more, the lower the risk", 0: "in no one direction"}
    said = [phrase(evaluation.labels_text.get(c, c)) + ("" if pd.isna(d) else  # a category has no direction
                                                         f" ({way[int(np.sign(d)) if abs(d) >= 0.1 else 0]})")
            for c, d in imp.loc[ranked_drivers(imp["mean"])[:top], "direction"].items()]
    idle = [phrase(evaluation.labels_text.get(c, c)) + ("" if pd.isna(d) or abs(d) < 0.1 else
                                                        f" (on its own, {way[int(np.sign(d))]})")
            for c, d in imp.loc[imp["mean"] <= 0, "direction"].items()]
    # a measure that moves with the risk on its own adds nothing once the others are known: not "no difference"
    return ((f"The ranking rests most on {joined(said)}." if said else "No measure sets churners apart.")
            + (f" Shuffling {joined(idle)} did not lower it: what {'it tells' if len(idle) == 1 else 'they tell'}, "
               "the other measures already tell, or nothing (a bar at or below zero is chance)." if idle else ""))


def directions(X: pd.DataFrame, probability: np.ndarray) -> pd.Series:
    """The way each numeric measure moves the risk: its rank correlation with the held-out chances (NaN for a
    category, or a measure or chances that do not vary)."""
    numeric = X.select_dtypes("number")
    varied = numeric.loc[:, numeric.nunique() > 1] if np.ptp(probability) > 0 else numeric.iloc[:, :0]
    return varied.corrwith(pd.Series(probability, index=X.index), method="spearman").reindex(X.columns)
