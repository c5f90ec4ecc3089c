"""Every figure of the reports.

Axes-level functions take precomputed results (a profile, the scores per k, a hierarchy) plus ``ax=None``
and return the ``Axes`` (``ax=None`` draws into a new figure, never the current axes); figure-level
functions return the ``Figure`` and are named ``..._figure``. The library never calls ``plt.show()`` or ``savefig`` and never changes matplotlib's global style on import.
"""

import importlib

#: Where each figure lives: a module loads when one of its figures is first asked for, so that a page loads only
#: what it draws with (``01_eda``'s histograms need neither seaborn nor scikit-learn).
_WHERE = {
    "plot_drift": "compare", "plot_migration": "compare",
    "distributions_figure": "eda", "plot_explained_variance": "eda", "plot_missing": "eda",
    "linkage_comparison_figure": "hierarchy", "plot_dendrogram": "hierarchy", "plot_linkage_scores": "hierarchy",
    "feature_distributions_figure": "profile", "plot_index_heatmap": "profile", "plot_segment_map": "profile",
    "plot_segment_sizes": "profile", "sample_positions": "profile", "segment_palette": "profile",
    "plot_holdout": "value",
    "criteria_figure": "select", "plot_criterion": "select", "plot_elbow": "select", "plot_gap": "select",
    "plot_stability": "select",
}

__all__ = [
    "plot_missing", "distributions_figure", "plot_explained_variance",
    "plot_elbow", "plot_criterion", "plot_gap", "plot_stability", "criteria_figure",
    "plot_dendrogram", "plot_linkage_scores", "linkage_comparison_figure",
    "plot_holdout", "plot_migration", "plot_drift", "plot_index_heatmap", "plot_segment_sizes", "feature_distributions_figure", "plot_segment_map", "segment_palette",
    "sample_positions",
]


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
