"""Choosing the number of segments with evidence: criteria, stability and the vote.

:mod:`~segkit.select.criteria` scores each candidate k (elbow, silhouette, Calinski-Harabasz,
Davies-Bouldin, gap), :mod:`~segkit.select.stability` measures bootstrap stability,
:mod:`~segkit.select.vote` turns the scores into a recommendation, :mod:`~segkit.select.business`
chooses a number a business can use when the data has no clear groups, and :mod:`~segkit.select.search` runs them
all (:func:`select_k`).
"""

from .criteria import CRITERIA, CRITERION_LABELS, SCORE_COLUMNS, find_knee
from .search import select_k
from .stability import STABLE, UNSTABLE, segment_stability, stability_label
from .vote import KSelection, choose_k

__all__ = ["CRITERIA", "CRITERION_LABELS", "SCORE_COLUMNS", "STABLE", "UNSTABLE", "KSelection", "find_knee",
           "select_k", "segment_stability", "stability_label", "choose_k"]
