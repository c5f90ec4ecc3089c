"""Every figure of the reports.

Axes-level functions take precomputed results (a profile, the scores per k, a hierarchy) plus ``ax=None``
and return the ``Axes`` (``ax=None`` draws into a new figure, never the current axes); figure-level
functions return the ``Figure`` and are named ``..._figure``. The library never calls ``plt.show()`` or ``savefig`` and never changes matplotlib's global style on import.
"""

from .compare import plot_drift, plot_migration
from .eda import distributions_figure, plot_explained_variance, plot_missing
from .hierarchy import linkage_comparison_figure, plot_dendrogram, plot_linkage_scores
from .profile import (feature_distributions_figure, plot_index_heatmap, plot_segment_map, plot_segment_sizes,
                      segment_palette)
from .value import plot_holdout
from .select import criteria_figure, plot_criterion, plot_elbow, plot_gap, plot_stability

__all__ = [
    "plot_missing", "distributions_figure", "plot_explained_variance",
    "plot_elbow", "plot_criterion", "plot_gap", "plot_stability", "criteria_figure",
    "plot_dendrogram", "plot_linkage_scores", "linkage_comparison_figure",
    "plot_holdout", "plot_migration", "plot_drift", "plot_index_heatmap", "plot_segment_sizes", "feature_distributions_figure", "plot_segment_map", "segment_palette",
]
