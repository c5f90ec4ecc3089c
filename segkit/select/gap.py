"""The gap statistic (Tibshirani, Walther & Hastie 2001) on a seeded sample, with shared reference sets.

The reference distribution is theirs (b): uniform over the box aligned with the sample's principal
components (R's ``cluster::clusGap(spaceH0="scaledPCA")``). The B reference sets are drawn once and
reused for every k, and the sample and its B references are clustered together by one batched k-means
(:func:`~segkit.select.batch.batch_kmeans`), so the data and its references go through exactly the same
procedure (k-means++ seeds added one k at a time): the comparison Tibshirani et al. prescribe. W_k is the pooled
within-segment sum of squares; W_1 the total sum of squares.
"""

from __future__ import annotations

import math

import numpy as np

from .batch import batch_kmeans
from .criteria import _GAP_FIT, _GAP_REF, _seed, one_thread

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
    centres = None
    with one_thread():
        for k in range(1, max(ks) + 1):
            if k == 1:
                centred = stack - stack.mean(axis=1, keepdims=True)
                inertia = np.einsum("rmd,rmd->r", centred, centred)
                centres = stack.mean(axis=1, keepdims=True)
            else:
                centres, _, inertia = batch_kmeans(stack, k, seed=_seed(seed, _GAP_FIT, k), start=centres)
            if k in ks:
                out[k] = np.log(np.maximum(inertia, np.finfo(float).tiny))
    return out


def gap_row(log_w: np.ndarray) -> tuple[float, float]:
    """(Gap(k), s_k) from the log W_k of the sample (first) and its B references."""
    ref = log_w[1:]
    return float(ref.mean() - log_w[0]), float(ref.std() * math.sqrt(1 + 1 / ref.size))
