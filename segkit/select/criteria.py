"""The criteria that score each candidate number of segments, and the k-means fits behind them.

The elbow of the inertia (:func:`find_knee`, Kneedle), silhouette, Calinski-Harabasz, Davies-Bouldin and
the gap statistic (Tibshirani, Walther & Hastie 2001, with its 1-SE rule). Also the pieces every part of
:mod:`segkit.select` shares: derived seeds (so results do not depend on ``n_jobs``), the seeded sample,
the joblib runner and the checks of the inputs.

>>> find_knee([1, 2, 3, 4, 5, 6, 7], [100, 80, 60, 40, 38, 36, 34])
4
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np
from joblib import Parallel, delayed
from sklearn import config_context
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics.pairwise import euclidean_distances
from threadpoolctl import ThreadpoolController

from ..errors import ParamsError, SegmentationError
from ..progress import track

__all__ = ["CRITERIA", "CRITERION_LABELS", "SCORE_COLUMNS", "find_knee"]

CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "stability")
CRITERION_LABELS = {"elbow": "Elbow (within-segment spread)", "silhouette": "Separation (silhouette)",
                    "calinski_harabasz": "Calinski-Harabasz", "davies_bouldin": "Davies-Bouldin (overlap)",
                    "gap": "Gap statistic", "stability": "Stability refitted from scratch (weakest segment)"}
_SCORE_OF = {"elbow": "inertia", "silhouette": "silhouette", "calinski_harabasz": "calinski_harabasz",
             "davies_bouldin": "davies_bouldin", "gap": "gap", "stability": "stability_min"}
SCORE_COLUMNS = ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "gap_se",
                 "stability_min", "stability_mean")
GAP_CLEAR = 0.1  #: a gap this far above Gap(1) (log W 10% below the reference's) refuses one group
# Tags that keep the seed streams of the different random steps apart.
_SAMPLE, _FIT_SAMPLE, _GAP_REF, _GAP_FIT, _GAP_DATA, _BOOT, _BOOT_FIT, _REFIT_SAMPLE = range(1, 9)


# --------------------------------------------------------------------------------------------- knee
def find_knee(ks: Sequence[float], values: Sequence[float], *, curve: str = "convex",
              direction: str = "decreasing", sensitivity: float = 1.0) -> int | None:
    """Locate the elbow (knee) of a curve with the Kneedle algorithm (Satopää et al. 2011).

    The same offline rule as ``kneed.KneeLocator`` (the first knee whose difference curve then falls
    below its threshold), without importing kneed, which imports matplotlib.

    Parameters
    ----------
    ks, values : sequence of float
        The curve, e.g. the number of segments and the inertia; non-finite points are ignored.
    curve : {"convex", "concave"}
        An inertia curve is convex and decreasing.
    direction : {"decreasing", "increasing"}
    sensitivity : float
        Kneedle's ``S``: larger values need a sharper bend.

    Returns
    -------
    int or None
        The k at the knee, or None when the curve has no knee (fewer than 3 points, flat or straight).

    Examples
    --------
    >>> find_knee([1, 2, 3, 4, 5, 6, 7], [100, 80, 60, 40, 38, 36, 34])
    4
    """
    if curve not in ("convex", "concave"):
        raise ParamsError(f"curve={curve!r} is not a curve shape", fix='use "convex" or "concave"')
    if direction not in ("decreasing", "increasing"):
        raise ParamsError(f"direction={direction!r} is not a direction", fix='use "decreasing" or "increasing"')
    x, y = np.asarray(ks, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape:
        raise ParamsError(f"ks has {x.size} values but values has {y.size}", fix="pass one value per k")
    keep = np.isfinite(x) & np.isfinite(y)
    order = np.argsort(x[keep], kind="stable")
    x, y = x[keep][order], y[keep][order]
    if x.size < 3 or np.ptp(y) == 0 or np.ptp(x) == 0:
        return None
    xn, yn = (x - x.min()) / np.ptp(x), (y - y.min()) / np.ptp(y)
    if direction == "decreasing":  # turn the curve into a concave, increasing one
        yn = np.flip(yn) if curve == "concave" else yn.max() - yn
    elif curve == "convex":
        yn = np.flip(yn.max() - yn)
    mirrored = (direction, curve) in (("decreasing", "concave"), ("increasing", "convex"))
    if mirrored:
        xn = np.flip(1 - xn)
    diff = yn - xn
    before, after = np.r_[diff[0], diff[:-1]], np.r_[diff[1:], diff[-1]]
    maxima = np.flatnonzero((diff >= before) & (diff >= after))
    minima = set(np.flatnonzero((diff <= before) & (diff <= after)).tolist())
    if maxima.size == 0:
        return None
    thresholds = diff[maxima] - sensitivity * abs(np.diff(xn).mean())
    threshold, at, active, seen = 0.0, 0, True, 0
    for i in range(int(maxima[0]), x.size - 1):
        if i in maxima:
            threshold, at, active, seen = thresholds[seen], i, True, seen + 1
        if i in minima:
            threshold, active = 0.0, False
        if active and diff[i + 1] < threshold:
            return int(round(x[x.size - 1 - at] if mirrored else x[at]))
    return None


# ------------------------------------------------------------------------------------- helpers
def _seed(*parts: int) -> int:
    """A 32-bit seed derived deterministically from ``parts`` (seed, tag, k, b...)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


_CONTROLLER: list = []


def one_thread():
    """A context in which BLAS and OpenMP use one thread. The thread-pool controller is built once per
    process: building it (reading the loaded libraries) costs more than a small k-means fit."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def _kmeans(X: np.ndarray, k: int, n_init: int | str, random_state: int, init: Any = "k-means++") -> KMeans:
    """``KMeans(k, n_init, random_state, init).fit(X)`` on rows :func:`_check_X` has checked already: scikit-learn
    neither checks its parameters nor looks for missing values again (about half a millisecond a fit, on a few
    hundred small fits)."""
    with warnings.catch_warnings(), config_context(assume_finite=True, skip_parameter_validation=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=random_state, init=init).fit(X)


def _full_fit(k: int, X_fit: np.ndarray, places: list[tuple[np.ndarray, Any]], n_init: int | str, seed: int) -> dict:
    """The fit of one k on the data (``KMeans(k, n_init, random_state=seed)``), the scores that use every row,
    and the labels of each sample in ``places``: (sample, rows) where rows is None (the sample is
    ``X_fit``), row indices into ``X_fit``, or "predict" (nearest centre)."""
    with one_thread():
        km = _kmeans(X_fit, k, n_init, seed)
        labels = [km.labels_ if rows is None else km.predict(part) if isinstance(rows, str) else km.labels_[rows]
                  for part, rows in places]
    ch, db, sizes = _ch_db(X_fit, km.labels_, k)
    return {"k": k, "inertia": float(km.inertia_), "calinski_harabasz": ch, "davies_bouldin": db,
            "shares": (sizes / sizes.sum()).tolist(), "labels": [np.asarray(v, dtype=np.int64) for v in labels]}


def _ch_db(X: np.ndarray, labels: np.ndarray, k: int) -> tuple[float, float, np.ndarray]:
    """Calinski-Harabasz and Davies-Bouldin of a labelling (as scikit-learn's, in one pass), and segment sizes."""
    n, d = X.shape
    sizes = np.bincount(labels, minlength=k).astype(float)
    sums = np.stack([np.bincount(labels, weights=X[:, j], minlength=k) for j in range(d)], axis=1)
    present = sizes > 0
    means = sums[present] / sizes[present, None]
    resid = X - (sums / np.maximum(sizes, 1)[:, None])[labels]
    within = float(np.einsum("ij,ij->", resid, resid))
    between = float((sizes[present] * ((means - X.mean(axis=0)) ** 2).sum(axis=1)).sum())
    m = int(present.sum())
    if m < 2:
        return math.nan, math.nan, sizes
    ch = 1.0 if within == 0 else between * (n - m) / (within * (m - 1))
    spread = np.bincount(labels, weights=np.sqrt(np.einsum("ij,ij->i", resid, resid)), minlength=k)[present]
    spread = spread / sizes[present]
    gaps = np.sqrt(((means[:, None, :] - means[None, :, :]) ** 2).sum(axis=2))
    if np.allclose(spread, 0) or np.allclose(gaps, 0):
        return ch, 0.0, sizes
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (spread[:, None] + spread[None, :]) / gaps
    ratio[~np.isfinite(ratio)] = 0.0
    np.fill_diagonal(ratio, 0.0)
    return ch, float(ratio.max(axis=1).mean()), sizes


def _silhouette_rows(Xs: np.ndarray, start: int, stop: int, codes: np.ndarray) -> np.ndarray:
    """Silhouette of rows ``start:stop`` under every labelling (columns of ``codes``) from one block of
    distances: the per-segment distance sums of all the labellings are a single matrix product."""
    n, m = codes.shape
    ks = codes.max(axis=0) + 1
    offsets = np.r_[0, np.cumsum(ks)]
    onehot = np.zeros((n, offsets[-1]))
    for j in range(m):
        onehot[np.arange(n), offsets[j] + codes[:, j]] = 1.0
    with one_thread():
        dist = euclidean_distances(Xs[start:stop], Xs)
        dist[np.arange(stop - start), np.arange(start, stop)] = 0.0  # as sklearn: no self-distance noise
        sums = dist @ onehot
    rows, out = np.arange(stop - start), np.zeros((stop - start, m))
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(m):
            size, own = onehot[:, offsets[j]:offsets[j + 1]].sum(axis=0), codes[start:stop, j]
            block = sums[:, offsets[j]:offsets[j + 1]]
            a = block[rows, own] / np.maximum(size[own] - 1, 1)
            other = np.where(size > 0, block / size, np.inf)
            other[rows, own] = np.inf
            b = other.min(axis=1)
            out[:, j] = np.nan_to_num(np.where(size[own] > 1, (b - a) / np.maximum(a, b), 0.0))
    return out


def _first_se(ks: list[int], gap: np.ndarray, se: np.ndarray) -> int:
    for i in range(len(ks) - 1):
        if gap[i] >= gap[i + 1] - se[i + 1]:
            return ks[i]
    return ks[-1]


def _gap_choice(ks: list[int], gap: np.ndarray, se: np.ndarray) -> int:
    """Tibshirani's 1-SE rule (the smallest k with Gap(k) >= Gap(k+1) - s_k+1), except that one group
    is refused when the largest gap is clearly above Gap(1): by more than :data:`GAP_CLEAR` and more than
    three standard errors of the difference. The rule then starts at k=2.

    Tibshirani's rule alone stops at k=1 on clearly separated groups whenever splitting them in two is
    no better than splitting uniform data (four blobs on a square: Gap(1) ~ Gap(2)), although Gap(4)
    is far above both (the same failure that R's ``cluster::maxSE(method="globalSEmax")``, after
    Dudoit & Fridlyand, avoids). The margin keeps the noise of the largest of several gaps on data
    without groups from refusing one group there."""
    first = _first_se(ks, gap, se)
    best = int(np.nanargmax(gap))
    lead = gap[best] - gap[0]
    if first == ks[0] == 1 and len(ks) > 1 and lead > GAP_CLEAR and lead > 3 * math.hypot(se[best], se[0]):
        return _first_se(ks[1:], gap[1:], se[1:])
    return first


# ------------------------------------------------------------------------------------- running
def _run(tasks: list, n_jobs: int | None, what: str | None = None, untracked: int = 0) -> list:
    """``fn(*args)`` of every task, in order; with ``what``, progress as "{what} i of n" (:mod:`segkit.progress`)
    over the tasks after the first ``untracked``."""
    if n_jobs in (None, 1) or len(tasks) == 1:
        results = (fn(*args) for fn, args in tasks)
    else:  # in order either way: the same results, whatever n_jobs
        results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(*args) for fn, args in tasks)
    if what is None:
        return list(results)
    first = [next(results) for _ in range(untracked)]
    return first + list(track(results, total=len(tasks) - untracked, what=what))


# ---------------------------------------------------------------------------------- validation
def _check_int(value: Any, key: str, minimum: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParamsError(f"{key} must be a whole number, got {value!r}", fix=fix, key=key)
    if value < minimum:
        raise ParamsError(f"{key}={value} is below the minimum of {minimum}", fix=fix, key=key)
    return int(value)


def _check_common(seed: Any, n_init: Any, sample_size: Any, n_jobs: Any) -> None:
    _check_int(seed, "seed", 0, "set seed to a non-negative whole number, e.g. 0")
    if not (n_init == "auto" or (not isinstance(n_init, bool) and isinstance(n_init, (int, np.integer))
                                 and n_init >= 1)):
        raise ParamsError(f"n_init={n_init!r} is not valid", fix='set n_init to "auto" or a whole number >= 1',
                          key="n_init")
    _check_int(sample_size, "sample_size", 50,
               "set sample_size to at least 50 rows (10,000 keeps the silhouette within about 0.002)")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0):
        raise ParamsError(f"n_jobs={n_jobs!r} is not valid", key="n_jobs",
                          fix="set n_jobs to None (one process), a positive number of processes, or -1 (all cores)")


def _check_X(X: Any) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SegmentationError(f"the feature matrix is not numeric ({exc})",
                                fix="encode or drop non-numeric columns in the features step") from None
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise SegmentationError(f"the feature matrix must be 2-D (rows x features), got shape {arr.shape}",
                                fix="pass a rows x features array; reshape one feature with X.reshape(-1, 1)")
    bad = ~np.isfinite(arr)
    if bad.any():
        cols = sorted(set(np.nonzero(bad)[1].tolist()))
        raise SegmentationError(
            f"the feature matrix has {int(bad.sum())} missing or infinite values (in columns {cols[:10]})",
            fix="impute or drop those rows in the features step before choosing k")
    return arr


def _sample(n: int, size: int, seed: int, tag: int) -> np.ndarray | None:
    if n <= size:
        return None
    return np.sort(np.random.default_rng(_seed(seed, tag)).choice(n, size=size, replace=False))
