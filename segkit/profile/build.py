"""Building a :class:`~segkit.profile.SegmentProfile` from features and labels (:func:`profile_segments`),
entity-level quantiles, and the 2-D map of the rows (:func:`project_2d`). See :mod:`segkit.profile` for
what the index and the z-scores mean."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ColumnError, DataValueError, SegmentationError
from ..naming.base import SegmentName
from .result import _STATS, SegmentProfile

__all__ = ["QUINTILES", "feature_quantiles", "profile_segments", "project_2d"]

#: Quantile levels recorded by default: the customer-level quintile cut points used for RFM scores.
QUINTILES: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)

#: Negative values may add up to at most this share of the positive ones for the ratio-of-means index.
NEGATIVE_TOLERANCE = 0.10


# ------------------------------------------------------------------------------------- building
def profile_segments(features: pd.DataFrame, labels: Sequence[int] | np.ndarray | pd.Series, *,
                     columns: Sequence[str] | None = None,
                     names: Mapping[int, SegmentName | str] | None = None,
                     quantile_levels: Sequence[float] = QUINTILES, scores: Sequence[str] = ()) -> SegmentProfile:
    """Profile segments: sizes, statistics per feature, and the index against the whole.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per entity (index = customer or area id), the features as columns, in their
        natural units (not scaled), so that means and indexes read in business terms. A missing value (NaN: not
        known, such as one the features step imputed) is left out of every statistic.
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
    scores : sequence of str, optional
        Features that score answers on a scale (1 to 5) or hold a logarithm: their index is ``"shifted"``, never a
        ratio, since neither has a zero ("Q1 satisfied: 1.96" is no 61% of 3.21, a log 7.31 no 139% of 5.26).

    Returns
    -------
    SegmentProfile

    Raises
    ------
    DataValueError
        Empty data, misaligned labels, non-integer labels, infinite values, a column without any value.
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
    if np.isinf(values).any() or np.isnan(values).all(axis=0).any():
        bad = [c for c in data.columns if np.isinf(data[c].to_numpy()).any() or data[c].isna().all()]
        raise DataValueError(f"columns {bad} have infinite values, or no value at all",
                             fix="drop those rows or columns before profiling (the features step should)")

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

    index, zscores, basis = _index_and_zscores(data, per["mean"], overall, scores)

    levels = [float(q) for q in quantile_levels]
    if any(not 0.0 <= q <= 1.0 for q in levels):
        raise DataValueError(f"quantile levels must be between 0 and 1, got {levels}",
                             fix="pass levels such as (0.2, 0.4, 0.6, 0.8)")
    quantiles = feature_quantiles(data, levels=levels)

    stats = _tidy_stats(per, feats)
    sizes = pd.Series(counts, index=seg_index, name="size")
    profile = SegmentProfile(
        sizes=sizes, shares=(sizes / sizes.sum()).rename("share"), stats=stats,
        means=per["mean"], medians=per["median"], overall=overall, index=index, zscores=zscores,
        quantiles=quantiles, index_basis=basis)
    return profile.with_names(names) if names else profile


def _index_and_zscores(data: pd.DataFrame, means: pd.DataFrame, overall: pd.DataFrame,
                       scores: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Segment x feature index (100 = the whole) and z-scores, and each feature's index basis."""
    index = pd.DataFrame(100.0, index=means.index, columns=data.columns)
    zscores = pd.DataFrame(0.0, index=means.index, columns=data.columns)
    basis: dict[str, str] = {}
    for feat in data.columns:
        col = data[feat].to_numpy()
        basis[feat] = _index_basis(col)
        if feat in scores and basis[feat] == "mean":
            basis[feat] = "shifted"
        mean, lo, std = overall.at[feat, "mean"], overall.at[feat, "min"], overall.at[feat, "std"]
        if basis[feat] == "mean":
            index[feat] = 100.0 * means[feat] / mean
        elif basis[feat] == "shifted":
            index[feat] = 100.0 * (means[feat] - lo) / (mean - lo)
        if std > 0:
            zscores[feat] = (means[feat] - mean) / std
    return index, zscores, basis


def _tidy_stats(per: Mapping[str, pd.DataFrame], feats: list[str]) -> pd.DataFrame:
    """The segment x feature tables of each statistic as one tidy table, by segment then feature."""
    stats = pd.concat({s: per[s].stack() for s in _STATS}, axis=1).reset_index()
    stats.columns = ["segment", "feature", *_STATS]
    stats["feature"] = pd.Categorical(stats["feature"], categories=feats)
    stats = stats.sort_values(["segment", "feature"]).reset_index(drop=True)
    stats["feature"] = stats["feature"].astype(str)
    return stats


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
    col = col[np.isfinite(col)]  # the values observed (a value left out, such as one imputed, is NaN)
    lo, hi = col.min(), col.max()
    if lo == hi:
        return "constant"
    positive, negative = col[col > 0].sum(), -col[col < 0].sum()
    if col.mean() > 0 and negative <= NEGATIVE_TOLERANCE * positive:
        return "mean"
    return "shifted"
