"""Bootstrap stability of segments, as R's ``fpc::clusterboot``: the mean Jaccard of each segment with its
match in clusterings refitted on resampled rows, and how to read it (:data:`STABLE`, :data:`UNSTABLE`)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..errors import ParamsError, SegmentationError
from .criteria import (_BOOT, _BOOT_FIT, _REFIT_SAMPLE, _check_common, _check_int, _check_X, _kmeans, _run,
                       _sample, _seed, one_thread)

__all__ = ["STABLE", "UNSTABLE", "segment_stability", "stability_label"]

STABLE = 0.75  #: clusterboot: a segment with mean Jaccard at or above this is stable
UNSTABLE = 0.6  #: clusterboot: below this a segment is unstable
ROUND = 3  #: bootstrap replicates per round; resampling stops after a round once the question is settled


def _jaccard_matched(ref: np.ndarray, boot: np.ndarray, k: int) -> np.ndarray:
    """Jaccard of each reference segment with its Hungarian-matched bootstrap segment (NaN if absent)."""
    counts = np.bincount(ref * k + boot, minlength=k * k).reshape(k, k).astype(float)
    sizes_ref, sizes_boot = counts.sum(axis=1), counts.sum(axis=0)
    union = sizes_ref[:, None] + sizes_boot[None, :] - counts
    jac = np.divide(counts, union, out=np.zeros_like(counts), where=union > 0)
    rows, cols = linear_sum_assignment(-jac)
    out = np.full(k, np.nan)
    out[rows] = jac[rows, cols]
    return np.where(sizes_ref == 0, np.nan, out)


def _boot_round(Xs: np.ndarray, ref: np.ndarray, k: int, bs: range, seed: int, warm: bool) -> np.ndarray:
    """Replicates ``bs``: resample the rows, refit k-means (from scratch with k-means++, as clusterboot; or
    with ``warm``, from the centres of the segments ``ref``), and match the refitted segments to ``ref`` on
    the rows drawn. Jaccard per segment (columns) in each replicate (rows)."""
    m = len(Xs)
    init: Any = "k-means++"
    if warm:
        sizes = np.bincount(ref, minlength=k).astype(float)
        centres = np.stack([np.bincount(ref, weights=Xs[:, j], minlength=k) for j in range(Xs.shape[1])], axis=1)
        init = centres / np.maximum(sizes, 1)[:, None]
    out = []
    with one_thread():
        for b in bs:
            idx = np.random.default_rng(_seed(seed, _BOOT, b)).integers(0, m, size=m)
            labels = _kmeans(Xs[idx], k, 1, _seed(seed, _BOOT_FIT, k, b), init=init).labels_
            drawn, first = np.unique(idx, return_index=True)
            out.append(_jaccard_matched(ref[drawn], labels[first], k))
    return np.vstack(out)


def _decided(rows: np.ndarray) -> bool:
    """Whether the replicates so far settle the question the stability answers: is every segment stable
    (Jaccard >= :data:`STABLE`)? Settled when every segment's mean is 2 standard errors above it, or some
    segment's mean is 2 standard errors below it."""
    count = np.isfinite(rows).sum(axis=0)
    if len(rows) < 2 or (count < 2).any():
        return False
    mean = _nanmean(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        se = np.nanstd(rows, axis=0, ddof=1) / np.sqrt(count)
    return bool((mean - 2 * se >= STABLE).all() or (mean + 2 * se < STABLE).any())


def _boot_rows(Xs: np.ndarray, ref: np.ndarray, k: int, n_boot: int, seed: int, warm: bool = False) -> np.ndarray:
    """Jaccard per segment (columns) in the bootstrap replicates (rows): rounds of :data:`ROUND` replicates
    until :func:`_decided` or ``n_boot`` replicates."""
    rows = np.empty((0, k))
    while len(rows) < n_boot:
        bs = range(len(rows), min(len(rows) + ROUND, n_boot))
        rows = np.vstack([rows, _boot_round(Xs, ref, k, bs, seed, warm)])
        if _decided(rows):
            break
    return rows


def _nanmean(rows: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a segment never drawn: NaN, not a warning
        return np.nanmean(rows, axis=0)


# ---------------------------------------------------------------------------- final segments
def segment_stability(X: Any, labels_or_k: Any, *, n_boot: int = 20, seed: int = 0, sample_size: int = 5_000,
                      n_init: int | str = "auto", n_jobs: int | None = None, refit: str = "scratch") -> np.ndarray:
    """Bootstrap stability of each final segment: mean Jaccard with its match in refitted clusterings.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The scaled features the segments were fitted on.
    labels_or_k : array-like of shape (n,) or int
        The final segment of each row, or a number of segments (then
        ``KMeans(n_clusters=k, n_init=n_init, random_state=seed)`` gives the segments).
    n_boot : int
        Bootstrap replicates at most: they are drawn in rounds of :data:`ROUND` and stop once every
        segment is clearly stable or one is clearly not (2 standard errors from 0.75).
    seed, n_init, n_jobs
        As in :func:`select_k` (``n_init`` applies to the fit of ``k`` segments; refits start once).
    sample_size : int
        Rows of the seeded sample the replicates are drawn from (``stability_sample_size`` of :func:`select_k`).
    refit : {"scratch", "centres"}
        "scratch": each replicate refits k-means from k-means++ seeds, as clusterboot (a segment that
        only splits a round group in two is unstable). "centres": each replicate refits from the
        centres of the segments, so only the rows' resampling moves them: whether these segments hold
        (what the business choice of k asks of a partition of data without natural groups).

    Returns
    -------
    numpy.ndarray
        One mean Jaccard per segment, in the order of ``np.unique(labels)``; read it with
        :func:`stability_label`.
    """
    _check_common(seed, n_init, sample_size, n_jobs)
    n_boot = _check_int(n_boot, "n_boot", 1, "use at least 1 bootstrap replicate (20 is usual)")
    X = _check_X(X)
    if np.ndim(labels_or_k) == 0:
        k = _check_int(labels_or_k, "k", 2, "set k to 2 or more")
        if len(X) < k + 1:
            raise SegmentationError(f"{len(X)} rows are too few for k={k} segments", fix="lower k", key="k")
        with one_thread():
            codes = _kmeans(X, k, n_init, seed).labels_.astype(np.int64)
    else:
        labels = np.asarray(labels_or_k)
        if labels.shape != (len(X),):
            raise SegmentationError(f"got {labels.size} labels for {len(X)} rows", fix="pass one label per row of X")
        _, codes = np.unique(labels, return_inverse=True)
        k = int(codes.max()) + 1
        if k < 2:
            raise SegmentationError("all rows are in one segment", fix="pass labels with at least 2 segments")
    idx = _sample(len(X), sample_size, seed, _REFIT_SAMPLE)
    Xs, ref = (X, codes) if idx is None else (X[idx], codes[idx])
    if refit not in ("scratch", "centres"):
        raise ParamsError(f"refit={refit!r} is not a way to refit", fix='use "scratch" or "centres"', key="refit")
    return _nanmean(_run([(_boot_rows, (Xs, ref, k, n_boot, seed, refit == "centres"))], n_jobs)[0])


def stability_label(jaccard: float) -> str:
    """Read a segment's mean bootstrap Jaccard as clusterboot suggests.

    Returns "stable" (>= 0.75), "moderate" (0.6 to 0.75: a real pattern whose members are uncertain),
    "unstable" (< 0.6) or "unknown" (NaN).

    Examples
    --------
    >>> [stability_label(j) for j in (0.9, 0.7, 0.4)]
    ['stable', 'moderate', 'unstable']
    """
    j = float(jaccard)
    if not math.isfinite(j):
        return "unknown"
    return "stable" if j >= STABLE else "unstable" if j < UNSTABLE else "moderate"


def _stability_phrase(values: list[float]) -> str:
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return ""
    low = float(vals.min())
    if low >= STABLE:
        return f"every segment stable (Jaccard at least {STABLE:.2f})"  # the threshold: the cards show each value
    n_unstable, n_moderate = int((vals < UNSTABLE).sum()), int(((vals >= UNSTABLE) & (vals < STABLE)).sum())
    parts = [f"{n_unstable} of {len(values)} segments unstable (Jaccard below {UNSTABLE}): use with caution"
             if n_unstable else "",
             f"{n_moderate} of {len(values)} only moderately stable (Jaccard {UNSTABLE}-{STABLE})"
             if n_moderate else ""]
    return "; ".join(p for p in parts if p)
