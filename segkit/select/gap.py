"""The gap statistic (Tibshirani, Walther & Hastie 2001) on a seeded sample, with shared reference sets.

The reference distribution is theirs (b): uniform over the box aligned with the sample's principal
components (R's ``cluster::clusGap(spaceH0="scaledPCA")``). The B reference sets are drawn once and
reused for every k, and the sample and its B references go through exactly the same procedure: the fit
for k starts from the fit for k - 1 plus one greedy k-means++ seed (drawn for all of them at once), and
scikit-learn's Lloyd iterations refine it. That is the comparison Tibshirani et al. prescribe. W_k is the
pooled within-segment sum of squares; W_1 the total sum of squares.
"""

from __future__ import annotations

import math

import numpy as np

from .criteria import _GAP_FIT, _GAP_REF, _kmeans, _seed, one_thread

__all__: list[str] = []


def gap_references(Xg: np.ndarray, B: int, seed: int) -> np.ndarray:
    """The sample stacked with its B uniform reference sets, shape (B + 1, m, d): index 0 is the sample."""
    mean = Xg.mean(axis=0)
    rot = np.linalg.svd(Xg - mean, full_matrices=False)[2].T
    proj = (Xg - mean) @ rot
    low, high = proj.min(axis=0), proj.max(axis=0)
    refs = [np.random.default_rng(_seed(seed, _GAP_REF, b)).uniform(low, high, size=proj.shape) @ rot.T + mean
            for b in range(B)]
    return np.stack([Xg, *refs])


def gap_log_w(stack: np.ndarray, ks: list[int], seed: int) -> dict[int, np.ndarray]:
    """log W_k of the sample and of each reference set (B + 1 values) for every k in ``ks`` (ascending).
    Each k starts from the centres of the previous k plus one k-means++ seed (a warm start): the data and
    its references go through the same steps, so the comparison stays fair, with far fewer iterations."""
    out: dict[int, np.ndarray] = {}
    centres = stack.mean(axis=1, keepdims=True)
    centred = stack - centres
    inertia = np.einsum("rmd,rmd->r", centred, centred)
    sq_norms = np.einsum("rmd,rmd->rm", stack, stack)
    with one_thread():
        for k in range(1, max(ks) + 1):
            if k > 1:
                start = _next_seed(stack, centres, np.random.default_rng(_seed(seed, _GAP_FIT, k)), sq_norms)
                fits = [_kmeans(data, k, 1, 0, init=init) for data, init in zip(stack, start)]
                centres = np.stack([f.cluster_centers_ for f in fits])
                inertia = np.array([f.inertia_ for f in fits])
            if k in ks:
                out[k] = np.log(np.maximum(inertia, np.finfo(float).tiny))
    return out


def _sq_dist(X: np.ndarray, C: np.ndarray, sq_norms: np.ndarray) -> np.ndarray:
    """Squared distances (R, m, j) of the rows of each data set (R, m, d) to its centres (R, j, d), never below 0."""
    if X.shape[2] <= 8:  # few columns: differences, exact and faster than a thin matrix product
        d = (X[:, :, None, 0] - C[:, None, :, 0]) ** 2
        for j in range(1, X.shape[2]):
            d += (X[:, :, None, j] - C[:, None, :, j]) ** 2
        return d
    d = sq_norms[:, :, None] - 2.0 * np.matmul(X, C.transpose(0, 2, 1)) + np.einsum("rkd,rkd->rk", C, C)[:, None, :]
    return np.maximum(d, 0.0, out=d)


def _next_seed(X: np.ndarray, C: np.ndarray, rng: np.random.Generator, sq_norms: np.ndarray) -> np.ndarray:
    """``C`` (R, j, d) with one more greedy k-means++ seed per data set of ``X`` (R, m, d), as scikit-learn draws
    them: 2 + log(j + 1) candidates in proportion to the squared distance to the nearest centre, the one that
    lowers the potential most kept. scikit-learn's seeding cannot continue from given centres."""
    R, m, _ = X.shape
    rows = np.arange(R)
    closest = _sq_dist(X, C, sq_norms).min(axis=2)
    cum = np.cumsum(closest, axis=1)
    u = rng.random((R, 2 + int(np.log(C.shape[1] + 1)))) * cum[:, -1:]
    picks = np.minimum((cum[:, None, :] < u[:, :, None]).sum(axis=2), m - 1)  # (R, trials)
    cand = np.take_along_axis(X, picks[:, :, None], axis=1)  # (R, trials, d)
    best = np.minimum(closest[:, :, None], _sq_dist(X, cand, sq_norms)).sum(axis=1).argmin(axis=1)
    return np.concatenate([C, cand[rows, best][:, None, :]], axis=1)


def gap_row(log_w: np.ndarray) -> tuple[float, float]:
    """(Gap(k), s_k) from the log W_k of the sample (first) and its B references."""
    ref = log_w[1:]
    return float(ref.mean() - log_w[0]), float(ref.std() * math.sqrt(1 + 1 / ref.size))
