"""How two runs were made: from the same input or not, with the same measures or not, with which settings.

What a comparison may say depends on it. Two runs of different data with the same measures and settings show
customers (or areas) moving between segments. Two runs of the **same input** show no customer changing: every
difference comes from how the segments were made (another seed, another k, a column left out), and the summary
says so instead of "became" and "stayed". Two runs built from **different measures** may give segments that
share a name without meaning the same thing, and the summary says that first.

- The input is the same when both runs read the same rows (:func:`~segkit.compare.runs.same_input`: the
  fingerprints of the rows read, else of the input file); unknown (None) when either run lacks both (a run
  folder made by hand). One file's bytes are not enough: two sheets of one workbook are two inputs.
- The measures are the features each run clustered on (``features_meta.json``'s ``columns``).
- The settings are the params that decide which segments a run finds (:data:`SHAPING`); the params that only
  change what the pages show, how fast a run goes, or where it reads and writes, are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..format import joined
from ..naming.words import singular
from .runs import RunSide, aligned_to, same_input, stale_alignment

__all__ = ["Setup", "SHAPING", "compare_setup"]

#: The params that change which segments a run finds, in the order a reader meets them.
SHAPING = ("features", "roles", "skew", "scaler", "valid_range", "out_of_range", "fill", "clip", "rare_min_frequency",
           "pca_components", "min_population", "clip_z", "snapshot_date", "drop_duplicates", "non_product_codes",
           "cancellation_prefix", "cancelled_statuses", "status_col", "refund_col", "rfm_method", "algorithm",
           "linkage", "k", "k_min", "k_max", "k_rule", "business_k_min", "business_k_max", "min_segment_share",
           "k_max_share", "n_init", "sample_size", "stability_sample_size", "gap_references", "bootstrap", "seed")


def _shown(value: Any) -> str:
    """A setting's value as a reader sees it: ``auto``, ``42``, ``{Genre: ignore}``, ``none`` for null."""
    if value is None:
        return "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}" if value else "none"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(x: Any, y: Any) -> bool:
    return json.dumps(x, sort_keys=True, default=str) == json.dumps(y, sort_keys=True, default=str)


@dataclass
class Setup:
    """How two runs differ in what they read and how they made their segments (see the module docstring).

    Attributes
    ----------
    same_input : bool or None
        Both runs read the same input (the same fingerprint); None when either fingerprint is unknown.
    only_earlier, only_later : list of str
        The measures (labels) only the earlier, or only the later, run clustered on.
    settings : list of (str, str, str)
        Each setting of :data:`SHAPING` that differs: its name, the earlier and the later value as shown.
    stale : bool
        The later run was aligned to an earlier version of the earlier run's folder (run again since).
    measured_at : (str or None, str or None)
        The day each run counted its time measures to (recency, tenure: ``features_meta.json``'s
        ``extra.measured_at``), when recorded.
    far : dict of str to int
        The later run applied the earlier's segments unchanged (``reference_mode: score``): how many of its rows
        lie far from every one of them, by the segment they were placed in (``reference.json``'s ``far``).
    """

    same_input: bool | None
    only_earlier: list[str] = field(default_factory=list)
    only_later: list[str] = field(default_factory=list)
    settings: list[tuple[str, str, str]] = field(default_factory=list)
    stale: bool = False
    far: dict[str, int] = field(default_factory=dict)
    measured_at: tuple[str | None, str | None] = (None, None)

    @property
    def same_measures(self) -> bool:
        return not self.only_earlier and not self.only_later

    def sentences(self, names: Sequence[str], entity: str) -> list[str]:
        """What the reader must know before the moves, in plain words (empty when nothing needs saying)."""
        settings = "; ".join(f"{key}: {then} → {now}" for key, then, now in self.settings)
        out = [f"{names[1]} was aligned to an earlier version of {names[0]}, which was run again since: its segment "
               f"codes may mean other segments of {names[0]} now, so segments are paired here by code, name and "
               "members instead."] if self.stale else []
        if self.same_input and not settings and self.same_measures:
            out.append(f"Both runs read the same input, with the same measures and settings: no {singular(entity)} "
                       "changed.")
        elif self.same_input:
            how = f" ({settings})" if settings else ""
            out.append(f"Both runs read the same input, so no {singular(entity)} changed: the differences below come "
                       f"only from how the segments were made{how}. A move below is a {singular(entity)} placed "
                       "differently, not a change in behaviour.")
        elif settings:
            out.append(f"The runs were also made with different settings ({settings}): differences between them may "
                       f"come from those settings, not only from the {entity}.")
        if not self.same_measures:
            parts = [f"only {name} uses {joined(only)}" for name, only in zip(names, (self.only_earlier, self.only_later))
                     if only]
            out.append(f"The runs build their segments from different measures: {'; '.join(parts)}. Segments with "
                       "the same name need not mean the same thing, and a profile shift may come from the measures "
                       "rather than from the segment.")
        then, now = self.measured_at
        if then and now and then != now:
            days = abs((pd.Timestamp(now) - pd.Timestamp(then)).days)
            out.append(f"The runs count time to different days ({pd.Timestamp(then):%d %B %Y} and "
                       f"{pd.Timestamp(now):%d %B %Y}): measures in days since an event (the last purchase, the first) "
                       f"are {days:,} days {'longer' if now > then else 'shorter'} for every {singular(entity)} who did "
                       "nothing new, so part of their drift below is the calendar.")
        if self.far:
            out.append(f"{sum(self.far.values()):,} {entity} of {names[1]} lie far from every segment of {names[0]}, "
                       f"whose segments {names[1]} applied unchanged: they are placed in the nearest segment, and the "
                       "size changes below leave them out.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"same_input": self.same_input, "stale_alignment": self.stale, "far": self.far,
                "measured_at": list(self.measured_at),
                "only_earlier": self.only_earlier,
                "only_later": self.only_later,
                "settings": [{"key": k, "earlier": a, "later": b} for k, a, b in self.settings]}


def _measures(side: RunSide) -> list[str]:
    return [str(c) for c in side.meta.get("columns") or []]


def _label(side: RunSide, column: str) -> str:
    labels = side.meta.get("labels") or {}
    words = str(labels.get(column) or column).split(" (")[0]  # "Genre (2 levels)" -> "Genre"
    return words.lower() if words.casefold() == column.casefold() else f"{words.lower()} ({column})"


def compare_setup(earlier: RunSide, later: RunSide) -> Setup:
    """How ``earlier`` and ``later`` differ in input, measures and settings."""
    same = same_input(earlier, later)
    a, b = _measures(earlier), _measures(later)
    settings = [(key, _shown(earlier.params.get(key)), _shown(later.params.get(key))) for key in SHAPING
                if key in earlier.params and key in later.params and not _same(earlier.params[key], later.params[key])]
    return Setup(same_input=same, only_earlier=[_label(earlier, c) for c in a if c not in b],
                 only_later=[_label(later, c) for c in b if c not in a], settings=settings,
                 stale=stale_alignment(later, earlier), far=_far(later, earlier),
                 measured_at=(_measured_at(earlier), _measured_at(later)))


def _measured_at(side: RunSide) -> str | None:
    extra = side.meta.get("extra") if isinstance(side.meta.get("extra"), dict) else {}
    return str(extra["measured_at"]) if extra.get("measured_at") else None


def _far(later: RunSide, earlier: RunSide) -> dict[str, int]:
    """The later run's rows far from every segment of the earlier run it applied unchanged (score mode), by the
    segment they were placed in (kept when the earlier run was run again since: they are the later run's rows)."""
    ref = later.reference or {}
    if ref.get("mode") != "score" or aligned_to(later, earlier) is None:
        return {}
    far = ref.get("far") if isinstance(ref.get("far"), dict) else {}
    by_code = {str(c): int(n) for c, n in (far.get("by_code") or {}).items() if int(n)}
    return by_code or ({"": int(far["count"])} if far.get("count") else {})
