"""k-means on many small data sets at once: the gap statistic's sample and its reference sets.

The gap statistic refits k-means on the sample and on B uniform reference sets of the same shape, for
every k. Fitted one by one, each small fit pays scikit-learn's set-up (validation, thread pools) for a
few milliseconds of arithmetic. Here the data sets are stacked into one ``(R, m, d)`` array and fitted together: k-means++ seeding (Arthur &
Vassilvitskii 2007, one candidate per step) and Lloyd iterations, vectorised over the data sets. Each
data set is fitted exactly as if alone; the random draws come from one seeded generator, so the same
seed gives the same fits.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = np.stack([np.r_[rng.normal(0, .1, (20, 2)), rng.normal(5, .1, (20, 2))] for _ in range(3)])
>>> centres, labels, inertia = batch_kmeans(X, 2, seed=0)
>>> labels.shape, bool((inertia < 2).all())
((3, 40), True)
"""

from __future__ import annotations

import numpy as np

__all__ = ["batch_kmeans"]

MAX_ITER = 100
TOL = 1e-4
_DIRECT_DIMS = 8


def _sq_dist(X: np.ndarray, C: np.ndarray, xx: np.ndarray) -> np.ndarray:
    """Squared distances (R, m, k) of the rows of each data set to its centres, never below 0."""
    if X.shape[2] <= _DIRECT_DIMS:  # few columns: differences, exact and faster than a thin matrix product
        d = (X[:, :, None, 0] - C[:, None, :, 0]) ** 2
        for j in range(1, X.shape[2]):
            d += (X[:, :, None, j] - C[:, None, :, j]) ** 2
        return d
    d = xx[:, :, None] - 2.0 * np.matmul(X, C.transpose(0, 2, 1)) + np.einsum("rkd,rkd->rk", C, C)[:, None, :]
    return np.maximum(d, 0.0, out=d)


def _plusplus(X: np.ndarray, k: int, rng: np.random.Generator, xx: np.ndarray,
              start: np.ndarray | None) -> np.ndarray:
    """Greedy k-means++ seeds for each data set, as scikit-learn's: at each step 2 + log(k) candidates
    drawn in proportion to the squared distance to the nearest seed, and the one that lowers the
    potential most is kept. Continues from ``start`` centres (R, j, d) when given."""
    R, m, d = X.shape
    rows = np.arange(R)
    trials = 2 + int(np.log(k))
    C = X[rows, rng.integers(0, m, size=R)][:, None, :] if start is None else start
    closest = _sq_dist(X, C, xx).min(axis=2)
    while C.shape[1] < k:
        cum = np.cumsum(closest, axis=1)
        u = rng.random((R, trials)) * cum[:, -1:]
        picks = np.minimum((cum[:, None, :] < u[:, :, None]).sum(axis=2), m - 1)  # (R, trials)
        cand = np.take_along_axis(X, picks[:, :, None], axis=1)  # (R, trials, d)
        dist = np.minimum(closest[:, :, None], _sq_dist(X, cand, xx))  # (R, m, trials)
        best = dist.sum(axis=1).argmin(axis=1)
        C = np.concatenate([C, cand[rows, best][:, None, :]], axis=1)
        closest = dist[rows, :, best]
    return C


def _update(X: np.ndarray, labels: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Centres as the means of their members; an empty segment keeps its centre."""
    R, m, d = X.shape
    k = C.shape[1]
    flat = (labels + np.arange(R)[:, None] * k).ravel()
    counts = np.bincount(flat, minlength=R * k).reshape(R, k)
    sums = np.stack([np.bincount(flat, weights=X[:, :, j].ravel(), minlength=R * k) for j in range(d)],
                    axis=1).reshape(R, k, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts[:, :, None]
    return np.where(counts[:, :, None] > 0, means, C)


def batch_kmeans(X: np.ndarray, k: int, *, seed: int, start: np.ndarray | None = None,
                 max_iter: int = MAX_ITER) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit k-means with ``k`` centres to each of R data sets of the same shape.

    Parameters
    ----------
    X : ndarray of shape (R, m, d)
        The data sets.
    k : int
        Number of centres (k >= 1).
    seed : int
        Seed of the k-means++ draws.
    start : ndarray of shape (R, j, d), optional
        Centres to keep and extend with k-means++ (e.g. the fit for k - 1: a warm start).
    max_iter : int
        Lloyd iterations at most.

    Returns
    -------
    centres : ndarray (R, k, d)
    labels : ndarray (R, m) of int
    inertia : ndarray (R,)
        Within-segment sum of squares of each data set.
    """
    rng = np.random.default_rng(seed)
    xx = np.einsum("rmd,rmd->rm", X, X)
    C = _plusplus(X, k, rng, xx, start)
    tol = TOL * X.var(axis=1).mean(axis=1)  # scikit-learn's rule: stop when the centres move less than this
    labels = _sq_dist(X, C, xx).argmin(axis=2)
    active = np.arange(len(X))  # data sets still moving
    for _ in range(max_iter):
        Xa, Ca = X[active], C[active]
        Cn = _update(Xa, labels[active], Ca)
        new = _sq_dist(Xa, Cn, xx[active]).argmin(axis=2)
        moving = ((new != labels[active]).any(axis=1) & (((Cn - Ca) ** 2).sum(axis=(1, 2)) > tol[active]))
        C[active], labels[active] = Cn, new
        active = active[moving]
        if active.size == 0:
            break
    resid = X - np.take_along_axis(C, labels[:, :, None], axis=1)
    return C, labels, np.einsum("rmd,rmd->r", resid, resid)
