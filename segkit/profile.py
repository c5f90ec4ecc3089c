"""Per-segment statistics and the index against the whole (= 100).

A profile answers "how does each segment differ from the customer base as a whole?". It holds the
size of each segment, the mean, median, minimum and maximum of each feature per segment, the same
statistics for the whole, and two comparisons:

* **index**: 100 = the whole. A segment whose mean is twice the overall mean has index 200, half of it
  has index 50. The ratio of means is only meaningful when a feature is (mostly) positive, so each
  feature gets an *index basis*, recorded in :attr:`SegmentProfile.index_basis`:

  - ``"mean"``: ``100 * segment mean / overall mean``. Used when the overall mean is positive and the
    negative values (refunds, for instance) add up to at most 10% of the positive ones. This is the
    case for RFM features, census shares and counts.
  - ``"shifted"``: ``100 * (segment mean - overall min) / (overall mean - overall min)``. Used for
    features centred on zero or negative (standardised scores, net balances). Values are measured
    from the lowest value in the data, so the index never goes below 0 and 100 is still the whole.
  - ``"constant"``: the feature has one value everywhere; every index is 100.

* **zscores**: ``(segment mean - overall mean) / overall std`` (population std, ``ddof=0``; 0 for a
  constant feature). Comparable across features; lexicon naming and :meth:`SegmentProfile.key_facts`
  use them to pick the most distinctive features.

The profile also records customer-level quantiles of every feature (quintile cut points by
default), which RFM naming uses to score segments on the distribution of customers.

Segments are shown everywhere with a stable code from :func:`segment_codes`: "S01" is segment 0
(the largest, as the clustering module guarantees), "S02" segment 1, and so on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import ColumnError, DataValueError, SegmentationError
from .format import format_number, segment_codes
from .naming.base import SegmentName

__all__ = [
    "QUINTILES",
    "SegmentName",
    "SegmentProfile",
    "feature_quantiles",
    "profile_segments",
    "project_2d",
    "segment_codes",
]

#: Quantile levels recorded by default: the customer-level quintile cut points used for RFM scores.
QUINTILES: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)

#: Negative values may add up to at most this share of the positive ones for the ratio-of-means index.
NEGATIVE_TOLERANCE = 0.10

_STATS = ("mean", "median", "std", "min", "max")
_SIGNIFICANT = 6  # significant digits kept in to_dict(), so profiles.json is byte-stable


@dataclass
class SegmentProfile:
    """Per-segment statistics of a segmentation, and the comparison with the whole.

    Build one with :func:`profile_segments`. All tables are indexed by segment (the integer labels,
    in ascending order) and/or feature.

    Attributes
    ----------
    sizes : pandas.Series
        Number of entities (customers, areas) per segment.
    shares : pandas.Series
        ``sizes`` as a fraction of the total (0 to 1).
    stats : pandas.DataFrame
        Tidy table with columns ``segment, feature, mean, median, std, min, max``.
    means, medians : pandas.DataFrame
        Segment x feature tables of the segment means and medians.
    overall : pandas.DataFrame
        Feature x ``[mean, median, std, min, max]`` over all entities.
    index : pandas.DataFrame
        Segment x feature index against the whole (100 = the whole); see the module docstring.
    zscores : pandas.DataFrame
        Segment x feature: ``(segment mean - overall mean) / overall std``.
    quantiles : pandas.DataFrame
        Feature x quantile level: the entity-level quantiles (quintile cut points by default).
    index_basis : dict
        Feature -> ``"mean"``, ``"shifted"`` or ``"constant"``: how its index is computed.
    names, descriptions, actions : dict
        Segment -> text, filled by naming (:meth:`with_names`). Empty until then.
    """

    sizes: pd.Series
    shares: pd.Series
    stats: pd.DataFrame
    means: pd.DataFrame
    medians: pd.DataFrame
    overall: pd.DataFrame
    index: pd.DataFrame
    zscores: pd.DataFrame
    quantiles: pd.DataFrame
    index_basis: dict[str, str]
    names: dict[int, str] = field(default_factory=dict)
    descriptions: dict[int, str] = field(default_factory=dict)
    actions: dict[int, str] = field(default_factory=dict)

    # ----------------------------------------------------------------------------------- accessors
    @property
    def segments(self) -> list[int]:
        """The segment labels, in segment order."""
        return [int(s) for s in self.sizes.index]

    @property
    def features(self) -> list[str]:
        """The profiled features, in input order."""
        return [str(c) for c in self.means.columns]

    @property
    def codes(self) -> dict[int, str]:
        """Segment -> display code ("S01", ...)."""
        return dict(zip(self.segments, segment_codes(len(self.segments))))

    def display_names(self) -> dict[int, str]:
        """Segment -> "S01 Champions" (the code alone while the segment has no name)."""
        return {s: f"{c} {self.names[s]}" if self.names.get(s) else c for s, c in self.codes.items()}

    def with_names(self, named: Mapping[int, SegmentName | str]) -> SegmentProfile:
        """Return a copy with names (and descriptions and actions, from :class:`SegmentName`) set.

        Parameters
        ----------
        named : mapping of int to SegmentName or str
            As returned by :func:`segkit.naming.name_rfm_segments`. Segments not in it keep their
            current name.
        """
        unknown = sorted(set(int(s) for s in named) - set(self.segments))
        if unknown:
            raise DataValueError(f"names were given for segments {unknown}, which the profile does not have",
                                 fix=f"name only segments {self.segments}")
        names, descriptions, actions = dict(self.names), dict(self.descriptions), dict(self.actions)
        for seg, value in named.items():
            seg = int(seg)
            if isinstance(value, str):
                names[seg] = value
            else:
                names[seg], descriptions[seg], actions[seg] = value.name, value.description, value.action
        taken = [n for n in names.values() if n]
        if len(taken) != len(set(taken)):
            dup = sorted({n for n in taken if taken.count(n) > 1})
            raise SegmentationError(f"segment names must be unique, but {dup} is used more than once",
                                    fix="give each segment a different name")
        return replace(self, names=names, descriptions=descriptions, actions=actions)

    # ------------------------------------------------------------------------------------ displays
    def summary_table(self, *, labels: Mapping[str, str] | None = None, entity: str = "customers",
                      decimals: int = 1, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Return one row per segment for display: code, name, size, share, feature means and indexes.

        Parameters
        ----------
        labels : mapping of str to str, optional
            Plain-language feature labels ("recency" -> "Days since last purchase").
        entity : str, default "customers"
            What a segment counts, used in the size column header ("customers", "areas").
        decimals : int, default 1
            Decimals kept for means and shares; indexes are whole numbers.
        columns : sequence of str, optional
            The features to show (default: every profiled feature).

        Returns
        -------
        pandas.DataFrame
            Columns ``Segment, Name, <Entity>, Share %``, then ``<label> (mean)`` and
            ``<label> (index)`` for each feature.
        """
        labels = dict(labels or {})
        table = pd.DataFrame({
            "Segment": [self.codes[s] for s in self.segments],
            "Name": [self.names.get(s, "") for s in self.segments],
            entity.capitalize(): self.sizes.to_numpy(),
            "Share %": (100 * self.shares).round(decimals).to_numpy(),
        })
        for feat in (self.features if columns is None else [f for f in self.features if f in set(columns)]):
            label = labels.get(feat, feat)
            table[f"{label} (mean)"] = self.means[feat].round(decimals).to_numpy()
            table[f"{label} (index)"] = self.index[feat].round(0).astype("Int64").to_numpy()
        return table

    def key_facts(self, segment: int, n: int = 5, *, labels: Mapping[str, str] | None = None,
                  by: str = "index", columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Return the ``n`` most distinctive features of one segment, ready for a segment card.

        Parameters
        ----------
        segment : int
            The segment label.
        n : int, default 5
            How many facts (at most the number of features).
        labels : mapping of str to str, optional
            Plain-language feature labels; the feature name is used where none is given.
        by : {"index", "zscore"}, default "index"
            How distinctiveness is measured. "index": the ratio to the whole, either way
            (``|log(index / 100)|``, so index 50 and index 200 are equally distinctive), which is
            what the card shows and suits skewed money features. "zscore": distance from the overall
            mean in overall standard deviations, which suits shares and scores.
        columns : sequence of str, optional
            The features to choose from (default: every profiled feature).

        Returns
        -------
        list of dict
            Most distinctive first. Keys: ``feature, label, value`` (segment mean), ``overall``
            (overall mean), ``index``, ``zscore``, ``direction`` ("higher", "lower" or "same") and
            ``text`` ("Days since last purchase: 9 (index 25)").
        """
        if segment not in self.segments:
            raise DataValueError(f"segment {segment!r} is not in the profile",
                                 fix=f"use one of {self.segments}")
        if by not in ("index", "zscore"):
            raise DataValueError(f"by must be 'index' or 'zscore', not {by!r}", fix="use by='index'")
        labels = dict(labels or {})
        candidates = self.features if columns is None else [f for f in self.features if f in set(columns)]
        z, idx = self.zscores.loc[segment], self.index.loc[segment]
        if by == "index":
            score = {f: abs(math.log(max(float(idx[f]), 1.0) / 100.0)) for f in candidates}
        else:
            score = {f: abs(float(z[f])) for f in candidates}
        order = sorted(candidates, key=lambda f: (-round(score[f], 12), self.features.index(f)))
        facts = []
        for feat in order[:max(0, n)]:
            value, zf = float(self.means.at[segment, feat]), float(z[feat])
            label = labels.get(feat, feat)
            facts.append({
                "feature": feat, "label": label, "value": value,
                "overall": float(self.overall.at[feat, "mean"]), "index": float(idx[feat]), "zscore": zf,
                "direction": "higher" if zf > 0 else "lower" if zf < 0 else "same",
                "text": f"{label}: {format_number(value)} (index {float(idx[feat]):.0f})",
            })
        return facts

    # ------------------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the content of ``profiles.json``).

        Floats keep 6 significant digits, so identical inputs give identical files. Round trip with
        :meth:`from_dict`.
        """
        segs = []
        for seg, code in self.codes.items():
            entry: dict[str, Any] = {
                "segment": seg, "code": code, "name": self.names.get(seg, ""),
                "description": self.descriptions.get(seg, ""), "action": self.actions.get(seg, ""),
                "size": int(self.sizes[seg]), "share": _r(self.shares[seg]),
            }
            for stat in _STATS:
                table = self.stats[self.stats["segment"] == seg].set_index("feature")[stat]
                entry[stat] = {f: _r(table[f]) for f in self.features}
            entry["index"] = {f: _r(self.index.at[seg, f]) for f in self.features}
            entry["zscore"] = {f: _r(self.zscores.at[seg, f]) for f in self.features}
            segs.append(entry)
        return {
            "version": 1,
            "features": self.features,
            "index_basis": {f: self.index_basis[f] for f in self.features},
            "overall": {f: {s: _r(self.overall.at[f, s]) for s in _STATS} for f in self.features},
            "quantiles": {"levels": [_r(q) for q in self.quantiles.columns],
                          "values": {f: [_r(v) for v in self.quantiles.loc[f]] for f in self.features}},
            "segments": segs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentProfile:
        """Rebuild a profile from :meth:`to_dict` output (e.g. a loaded ``profiles.json``)."""
        try:
            features = list(data["features"])
            entries = list(data["segments"])
            segs = [int(e["segment"]) for e in entries]
            rows = [{"segment": int(e["segment"]), "feature": f, **{s: _f(e[s][f]) for s in _STATS}}
                    for e in entries for f in features]
            per_seg = {key: pd.DataFrame([[_f(e[key][f]) for f in features] for e in entries],
                                         index=pd.Index(segs, name="segment"),
                                         columns=pd.Index(features, name="feature"))
                       for key in ("mean", "median", "index", "zscore")}
            overall = pd.DataFrame([[_f(data["overall"][f][s]) for s in _STATS] for f in features],
                                   index=pd.Index(features, name="feature"), columns=list(_STATS))
            levels = [float(q) for q in data["quantiles"]["levels"]]
            quantiles = pd.DataFrame([[_f(v) for v in data["quantiles"]["values"][f]] for f in features],
                                     index=pd.Index(features, name="feature"), columns=levels)
            sizes = pd.Series([int(e["size"]) for e in entries], index=pd.Index(segs, name="segment"),
                              name="size")
            shares = pd.Series([float(e["share"]) for e in entries], index=sizes.index, name="share")
            basis = {f: str(data["index_basis"][f]) for f in features}
        except (KeyError, TypeError, ValueError) as exc:
            raise DataValueError(f"the profile data is incomplete or malformed ({exc!r})",
                                 fix="load a profiles.json written by SegmentProfile.to_dict") from exc
        return cls(
            sizes=sizes, shares=shares, stats=pd.DataFrame(rows, columns=["segment", "feature", *_STATS]),
            means=per_seg["mean"], medians=per_seg["median"], overall=overall, index=per_seg["index"],
            zscores=per_seg["zscore"], quantiles=quantiles, index_basis=basis,
            names={int(e["segment"]): e["name"] for e in entries if e.get("name")},
            descriptions={int(e["segment"]): e["description"] for e in entries if e.get("description")},
            actions={int(e["segment"]): e["action"] for e in entries if e.get("action")},
        )


# ------------------------------------------------------------------------------------- building
def profile_segments(features: pd.DataFrame, labels: Sequence[int] | np.ndarray | pd.Series, *,
                     columns: Sequence[str] | None = None,
                     names: Mapping[int, SegmentName | str] | None = None,
                     quantile_levels: Sequence[float] = QUINTILES) -> SegmentProfile:
    """Profile segments: sizes, statistics per feature, and the index against the whole.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per entity (index = customer or area id), the features as columns, in their
        natural units (not scaled), so that means and indexes read in business terms.
    labels : array-like of int or pandas.Series
        Segment of each row, ``0 .. k-1`` with every segment non-empty. A Series is aligned on the
        index of ``features``; an array must be in row order.
    columns : sequence of str, optional
        Numeric features to profile. Default: every numeric (or boolean) column.
    names : mapping of int to SegmentName or str, optional
        Names to attach right away (see :meth:`SegmentProfile.with_names`).
    quantile_levels : sequence of float, default :data:`QUINTILES`
        Entity-level quantiles to record per feature; RFM naming needs the quintile cut points.
        Profile all customers (not a sample) so these are customer-level quantiles.

    Returns
    -------
    SegmentProfile

    Raises
    ------
    DataValueError
        Empty data, misaligned labels, non-integer labels, missing or infinite values.
    ColumnError
        A requested column is missing or not numeric, or there is no numeric column.
    SegmentationError
        A segment in ``0 .. k-1`` has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"spend": [10.0, 30.0, 20.0, 20.0]})
    >>> p = profile_segments(f, [0, 0, 1, 1])
    >>> p.index["spend"].tolist()
    [100.0, 100.0]
    """
    data = _select_columns(features, columns)
    seg = _validate_labels(labels, features)
    data = data.astype(float)
    values = data.to_numpy()
    if not np.isfinite(values).all():
        bad = [c for c in data.columns if not np.isfinite(data[c].to_numpy()).all()]
        raise DataValueError(f"columns {bad} have missing or infinite values",
                             fix="impute or drop those rows before profiling (the features step should)")

    k = int(seg.max()) + 1
    counts = np.bincount(seg, minlength=k)
    empty = [i for i in range(k) if counts[i] == 0]
    if empty:
        raise SegmentationError(f"segments {empty} have no rows (labels run from 0 to {k - 1})",
                                fix="relabel segments as 0..k-1 without gaps, or fit fewer segments")

    seg_index = pd.Index(range(k), name="segment")
    feats = [str(c) for c in data.columns]
    data.columns = pd.Index(feats, name="feature")
    grouped = data.groupby(seg, sort=True)
    per = {"mean": grouped.mean(), "median": grouped.median(), "std": grouped.std(ddof=0),
           "min": grouped.min(), "max": grouped.max()}
    for table in per.values():
        table.index = seg_index
    overall = pd.DataFrame({"mean": data.mean(), "median": data.median(), "std": data.std(ddof=0),
                            "min": data.min(), "max": data.max()})
    overall.index.name = "feature"

    index = pd.DataFrame(100.0, index=seg_index, columns=data.columns)
    zscores = pd.DataFrame(0.0, index=seg_index, columns=data.columns)
    basis: dict[str, str] = {}
    for feat in feats:
        col = data[feat].to_numpy()
        basis[feat] = _index_basis(col)
        mean, lo, std = overall.at[feat, "mean"], overall.at[feat, "min"], overall.at[feat, "std"]
        if basis[feat] == "mean":
            index[feat] = 100.0 * per["mean"][feat] / mean
        elif basis[feat] == "shifted":
            index[feat] = 100.0 * (per["mean"][feat] - lo) / (mean - lo)
        if std > 0:
            zscores[feat] = (per["mean"][feat] - mean) / std

    levels = [float(q) for q in quantile_levels]
    if any(not 0.0 <= q <= 1.0 for q in levels):
        raise DataValueError(f"quantile levels must be between 0 and 1, got {levels}",
                             fix="pass levels such as (0.2, 0.4, 0.6, 0.8)")
    quantiles = feature_quantiles(data, levels=levels)

    stats = pd.concat({s: per[s].stack() for s in _STATS}, axis=1).reset_index()
    stats.columns = ["segment", "feature", *_STATS]
    stats["feature"] = pd.Categorical(stats["feature"], categories=feats)
    stats = stats.sort_values(["segment", "feature"]).reset_index(drop=True)
    stats["feature"] = stats["feature"].astype(str)

    sizes = pd.Series(counts, index=seg_index, name="size")
    profile = SegmentProfile(
        sizes=sizes, shares=(sizes / sizes.sum()).rename("share"), stats=stats,
        means=per["mean"], medians=per["median"], overall=overall, index=index, zscores=zscores,
        quantiles=quantiles, index_basis=basis)
    return profile.with_names(names) if names else profile


def feature_quantiles(features: pd.DataFrame, *, columns: Sequence[str] | None = None,
                      levels: Sequence[float] = QUINTILES) -> pd.DataFrame:
    """Return entity-level quantiles of each feature (feature x level).

    Use it to compute customer-level quintile cut points on all customers when the profile itself
    was built on a subset, and pass the result to :func:`segkit.naming.name_rfm_segments`.

    Examples
    --------
    >>> import pandas as pd
    >>> feature_quantiles(pd.DataFrame({"x": [1.0, 2, 3, 4, 5]}), levels=[0.5])
             0.5
    feature     
    x        3.0
    """
    data = _select_columns(features, columns).astype(float)
    table = data.quantile(list(levels)).T
    table.index = pd.Index([str(c) for c in table.index], name="feature")
    table.columns = [float(q) for q in levels]
    return table


def project_2d(X: pd.DataFrame | np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their first two principal components, for a 2-D segment map.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The matrix the clustering saw (already scaled), so that the map shows the same distances.
    seed : int, default 0
        Random state of the PCA solver (only used by the randomized solver on large inputs).

    Returns
    -------
    coords : ndarray of shape (n, 2)
        Map coordinates. With a single feature the second coordinate is 0.
    explained_variance_ratio : ndarray of shape (2,)
        Share of the variation each map axis shows (for axis labels).
    """
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise DataValueError(f"project_2d needs a 2-D table with at least 2 rows, got shape {arr.shape}",
                             fix="pass the scaled feature matrix (rows = entities, columns = features)")
    if not np.isfinite(arr).all():
        raise DataValueError("the matrix to project has missing or infinite values",
                             fix="impute or drop those rows first")
    from sklearn.decomposition import PCA  # imported here: keeps `import segkit.profile` light

    n_comp = min(2, arr.shape[1], arr.shape[0])
    pca = PCA(n_components=n_comp, random_state=seed).fit(arr)
    coords = np.zeros((arr.shape[0], 2))
    coords[:, :n_comp] = pca.transform(arr)
    ratio = np.zeros(2)
    ratio[:n_comp] = np.nan_to_num(pca.explained_variance_ratio_)
    return coords, ratio


# -------------------------------------------------------------------------------------- helpers
def _select_columns(features: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise DataValueError(f"features must be a pandas DataFrame, not {type(features).__name__}",
                             fix="pass the features table (one row per customer or area)")
    if len(features) == 0:
        raise DataValueError("the features table has no rows", fix="check the earlier steps of the run")
    if columns is None:
        cols = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
        if not cols:
            raise ColumnError("the features table has no numeric column to profile",
                              fix="pass columns= naming numeric features")
        return features[cols]
    cols = list(columns)
    if not cols:
        raise ColumnError("columns is empty", fix="name at least one numeric feature, or leave it out")
    for c in cols:
        if c not in features.columns:
            raise ColumnError(f"column {c!r} is not in the features",
                              fix=f"use columns from: {', '.join(map(str, features.columns))}", column=str(c))
        if not pd.api.types.is_numeric_dtype(features[c]):
            raise ColumnError(f"column {c!r} is not numeric ({features[c].dtype})",
                              fix="profile numeric features only (encode categories first)", column=str(c))
    return features[cols]


def _validate_labels(labels: Any, features: pd.DataFrame) -> np.ndarray:
    if isinstance(labels, pd.Series):
        if not labels.index.equals(features.index):
            if labels.index.has_duplicates or not labels.index.sort_values().equals(
                    features.index.sort_values()):
                raise DataValueError("the labels' index does not match the features' index",
                                     fix="pass labels for exactly the rows of features "
                                         "(or a plain array in the same row order)")
            labels = labels.reindex(features.index)
        labels = labels.to_numpy()
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != len(features):
        raise DataValueError(f"there are {arr.size} labels for {len(features)} rows of features",
                             fix="pass one segment label per row of features, in the same order")
    try:
        num = arr.astype(float)
    except (TypeError, ValueError):
        raise DataValueError("segment labels must be integers 0..k-1",
                             fix="pass the integer labels from the clustering step") from None
    if np.isnan(num).any():
        raise DataValueError(f"{int(np.isnan(num).sum())} rows have no segment label",
                             fix="assign every row to a segment before profiling")
    if (num != np.round(num)).any() or (num < 0).any():
        raise DataValueError("segment labels must be integers 0..k-1",
                             fix="pass the integer labels from the clustering step")
    return num.astype(np.int64)


def _index_basis(col: np.ndarray) -> str:
    lo, hi = col.min(), col.max()
    if lo == hi:
        return "constant"
    positive, negative = col[col > 0].sum(), -col[col < 0].sum()
    if col.mean() > 0 and negative <= NEGATIVE_TOLERANCE * positive:
        return "mean"
    return "shifted"


def _r(value: Any) -> float | None:
    """Round to 6 significant digits for byte-stable JSON; NaN becomes None."""
    v = float(value)
    if not math.isfinite(v):
        return None
    return float(f"{v:.{_SIGNIFICANT}g}")


def _f(value: Any) -> float:
    return float("nan") if value is None else float(value)
