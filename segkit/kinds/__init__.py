"""Data kinds: what differs between transactions, customer tables and census areas.

Each kind is a module with the same five functions, which :mod:`segkit.pipeline` dispatches to:

``check_columns(params, columns)``
    Refuse, before any notebook runs, a params file whose mapped columns are not in the input.
``clean(raw, params) -> (clean, CleaningLog)``
    The kind's cleaning rules, each logged with the rows it removed.
``features(clean, params) -> FeatureSet``
    One row per entity, with labels, units and the columns that feed the clustering.
``preprocessor(fs, params)``
    The unfitted scikit-learn transformer from the clustering features to the matrix k-means sees.
``name_segments(profile, fs, params, labels=None) -> dict[int, SegmentName]``
    Human-readable names from the profile (never from cluster numbers); ``labels`` (the segment of each
    row) lets a kind use what the profile does not hold, such as category shares.
``column_roles(raw, params) -> DataFrame``
    How each input column is used, for the data-quality report (plain language).

Optional:

``after_segment(nb, seg)``
    Kind-specific outputs of the final segmentation (e.g. the per-area top-N table, the key-facts strip
    set on ``seg.facts``).
``choose_k(params, n_rows, selection) -> (k, sentence)``
    The kind's own rule for the number of segments (demographics: 25 by default, capped by the areas).
``eda_frame(raw, params) -> DataFrame``
    The numeric columns worth a histogram in the data-quality report (with sentinels set to missing).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["get", "KINDS"]

KINDS = ("transactions", "customers", "demographics")


def get(kind: str) -> ModuleType:
    """The module implementing data kind ``kind``."""
    if kind not in KINDS:
        from ..errors import ParamsError

        raise ParamsError(f"unknown data_kind {kind!r}", f"use one of: {', '.join(KINDS)}", key="data_kind")
    return import_module(f"{__name__}.{kind}")
