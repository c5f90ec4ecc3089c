"""Choosing the number of segments with evidence: criteria, stability and the vote."""

from .search import (CRITERIA, CRITERION_LABELS, SCORE_COLUMNS, STABLE, UNSTABLE, KSelection, choose_k, find_knee,
                     segment_stability, select_k, stability_label)

__all__ = ["CRITERIA", "CRITERION_LABELS", "SCORE_COLUMNS", "STABLE", "UNSTABLE", "KSelection", "find_knee",
           "select_k", "segment_stability", "stability_label", "choose_k"]
