"""What moved between two runs: the migration matrix, segment sizes and profile shifts.

- :func:`migration`: of the entities present in both runs, how many went from each segment of the earlier
  run (rows) to each segment of the later one (columns), as counts and as row shares (each row sums to 1:
  where the members of that earlier segment are now); the entities of only one run are counted apart, per
  segment, as new (later run only) or lost (earlier run only).
- :func:`size_changes`: each segment's size and share in both runs, paired as :func:`~.runs.match_segments`
  pairs them; a segment of one run only is listed with the other side empty.
- :func:`profile_shifts`: for each pair, each feature's index against the whole (100 = the average of the
  run) then and now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .runs import RunSide

__all__ = ["Migration", "migration", "size_changes", "profile_shifts"]


@dataclass
class Migration:
    """The migration matrix of the entities present in both runs.

    Attributes
    ----------
    counts : DataFrame
        Earlier segment (rows) x later segment (columns): entities; every segment of each run is a row or a
        column, empty ones included. Its total is :attr:`n_both`.
    shares : DataFrame
        ``counts`` divided by its row totals (NaN for a row with no entity in both runs).
    new : Series
        Later segment -> entities of the later run only.
    lost : Series
        Earlier segment -> entities of the earlier run only.
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    new: pd.Series
    lost: pd.Series

    @property
    def n_both(self) -> int:
        return int(self.counts.to_numpy().sum())

    @property
    def n_new(self) -> int:
        return int(self.new.sum())

    @property
    def n_lost(self) -> int:
        return int(self.lost.sum())

    def moves(self, pairs: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Every non-empty cell as ``earlier``, ``later``, ``count`` and ``share`` (of the earlier segment), largest
        first; ``stayed`` is True where ``pairs`` (earlier -> later segment) says the two mean the same thing."""
        pairs = dict(pairs or {})
        long = self.counts.stack().rename("count").reset_index()
        long.columns = ["earlier", "later", "count"]
        long["share"] = self.shares.stack().to_numpy()
        long["stayed"] = [pairs.get(a) == b for a, b in zip(long["earlier"], long["later"])]
        long = long[long["count"] > 0]
        return long.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def migration(earlier: pd.Series, later: pd.Series, *, earlier_order: Sequence[str] | None = None,
              later_order: Sequence[str] | None = None) -> Migration:
    """The migration matrix of two assignments (entity id -> segment), each with unique ids.

    ``earlier_order`` and ``later_order`` are the rows and columns, in this order (default: the segments seen,
    sorted); a segment not in them is added at the end.
    """
    earlier, later = pd.Series(earlier), pd.Series(later)
    both = earlier.index.intersection(later.index, sort=False)
    rows = list(dict.fromkeys([*(earlier_order or []), *sorted(earlier.unique())]))
    cols = list(dict.fromkeys([*(later_order or []), *sorted(later.unique())]))
    pairs = pd.DataFrame({"earlier": earlier.loc[both].to_numpy(), "later": later.loc[both].to_numpy()})
    counts = pd.crosstab(pairs["earlier"], pairs["later"]).reindex(index=rows, columns=cols, fill_value=0)
    counts = counts.astype("int64")
    counts.index.name, counts.columns.name = "earlier", "later"
    totals = counts.sum(axis=1).to_numpy(dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = pd.DataFrame(np.where(totals > 0, counts.to_numpy() / np.where(totals > 0, totals, 1), np.nan),
                              index=counts.index, columns=counts.columns)
    new = later.loc[later.index.difference(earlier.index, sort=False)].value_counts().reindex(cols, fill_value=0)
    lost = earlier.loc[earlier.index.difference(later.index, sort=False)].value_counts().reindex(rows, fill_value=0)
    return Migration(counts=counts, shares=shares, new=new.astype("int64").rename("new"),
                     lost=lost.astype("int64").rename("lost"))


def _pct_change(then: float, now: float) -> float | None:
    return None if not then else (now - then) / then


def size_changes(earlier: RunSide, later: RunSide, matches: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of matched segments, then the earlier run's unpaired segments, then the later run's.

    Columns: ``earlier`` and ``later`` (codes; None for the side without the segment), ``size_earlier``,
    ``size_later``, ``share_earlier``, ``share_later`` (0-1), ``change`` (relative change in size, None
    without both sizes) and ``status`` ("matched", "gone", "new").
    """
    a = earlier.segments.set_index("code")
    b = later.segments.set_index("code")
    rows = []
    for then, now in zip(matches["earlier"], matches["later"]):
        rows.append({"earlier": then, "later": now, "size_earlier": int(a.at[then, "size"]),
                     "size_later": int(b.at[now, "size"]), "share_earlier": float(a.at[then, "share"]),
                     "share_later": float(b.at[now, "share"]), "status": "matched",
                     "change": _pct_change(a.at[then, "size"], b.at[now, "size"])})
    for code in [c for c in a.index if c not in set(matches["earlier"])]:
        rows.append({"earlier": code, "later": None, "size_earlier": int(a.at[code, "size"]), "size_later": None,
                     "share_earlier": float(a.at[code, "share"]), "share_later": None, "status": "gone", "change": None})
    for code in [c for c in b.index if c not in set(matches["later"])]:
        rows.append({"earlier": None, "later": code, "size_earlier": None, "size_later": int(b.at[code, "size"]),
                     "share_earlier": None, "share_later": float(b.at[code, "share"]), "status": "new", "change": None})
    columns = ["earlier", "later", "size_earlier", "size_later", "share_earlier", "share_later", "change", "status"]
    return pd.DataFrame(rows, columns=columns)


def profile_shifts(earlier: RunSide, later: RunSide, matches: pd.DataFrame,
                   features: Sequence[str] | None = None) -> pd.DataFrame:
    """Each matched pair's index against the whole, feature by feature, in both runs.

    Columns: ``earlier``, ``later`` (codes), ``feature``, ``index_earlier``, ``index_later``, ``change``
    (points), and ``mean_earlier`` and ``mean_later`` (the segment's own mean, NaN when a profile lacks it): an
    index moves when the whole moves too, while the segment's mean says whether the segment itself changed.
    ``features`` default to those both profiles hold, in the earlier run's order (the clustering features first).
    """
    a = earlier.segments.set_index("code")["index"]
    b = later.segments.set_index("code")["index"]
    means = (earlier.segments.set_index("code").get("mean"), later.segments.set_index("code").get("mean"))
    rows = []
    for then, now in zip(matches["earlier"], matches["later"]):
        idx_a, idx_b = a[then], b[now]
        wanted = features if features is not None else [f for f in earlier.profiled or list(idx_a) if f in idx_b]
        for feature in wanted:
            x, y = idx_a.get(feature), idx_b.get(feature)
            if x is None or y is None:
                continue
            rows.append({"earlier": then, "later": now, "feature": feature, "index_earlier": float(x),
                         "index_later": float(y), "change": float(y) - float(x),
                         "mean_earlier": _mean(means[0], then, feature), "mean_later": _mean(means[1], now, feature)})
    return pd.DataFrame(rows, columns=["earlier", "later", "feature", "index_earlier", "index_later", "change",
                                       "mean_earlier", "mean_later"])


def _mean(means: pd.Series | None, code: str, feature: str) -> float:
    value = (means[code] or {}).get(feature) if means is not None and isinstance(means.get(code), dict) else None
    return float(value) if isinstance(value, (int, float)) else float("nan")
