"""Choosing the number of segments with evidence.

:func:`select_k` scores k-means for every candidate k with six criteria: the elbow of the inertia,
silhouette, Calinski-Harabasz, Davies-Bouldin, the gap statistic (Tibshirani, Walther & Hastie 2001)
and bootstrap stability (mean Jaccard per segment, as R's ``fpc::clusterboot``). The recommendation is
the k most criteria prefer (ties go to fewer segments), with a rationale and an honest note on whether
the data has natural groups at all. Inertia, Calinski-Harabasz and Davies-Bouldin use the full data (up
to :data:`FULL_FIT_MAX_ROWS` rows); silhouette, gap and bootstrap use one seeded sample of
``sample_size`` rows. Fits run in parallel (joblib, one BLAS thread each) with seeds derived from
``(seed, k, b)``, so results do not depend on ``n_jobs``.

>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(n_samples=400, centers=4, cluster_std=0.5, random_state=0)
>>> select_k(X, k_max=7, gap_references=5, bootstrap=5).recommended_k
4
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParamsError, SegmentationError
from .criteria import (_FIT_SAMPLE, _SAMPLE, CRITERIA, SCORE_COLUMNS, _check_common, _check_int, _check_X,
                       _phase_fit, _run, _sample, _silhouette_rows)
from .stability import _boot_rows, _nanmean
from .vote import KSelection, _consensus, _preferences, _structure

__all__ = ["select_k"]

FULL_FIT_MAX_ROWS = 500_000  #: above this many rows, the inertia fits use a seeded sample of this size
_SILHOUETTE_CELLS = 4_000_000  # distances held at once by one silhouette task (32 MB)


def select_k(X: Any, *, k_min: int = 2, k_max: int = 10, seed: int = 0, n_init: int | str = "auto",
             sample_size: int = 10_000, gap_references: int = 10, bootstrap: int = 20,
             n_jobs: int | None = None, criteria: Sequence[str] | None = None) -> KSelection:
    """Score every candidate number of segments and recommend one.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Scaled numeric features, all finite.
    k_min, k_max : int
        Candidate range; ``2 <= k_min <= k_max``. k_max is lowered (with a note) when the data has
        fewer distinct rows than ``k_max + 1``.
    seed : int
        Seed of every random step. The full-data fit for k is
        ``KMeans(n_clusters=k, n_init=n_init, random_state=seed)``; other fits use seeds derived from
        ``(seed, k, b)``.
    n_init : "auto" or int
        k-means restarts per fit.
    sample_size : int
        Rows of the seeded sample used for silhouette, gap and stability when n is larger.
    gap_references : int
        Uniform reference data sets B for the gap statistic (>= 2).
    bootstrap : int
        Bootstrap replicates for stability (>= 1).
    n_jobs : int or None
        joblib processes for the independent fits (None: one). Results do not depend on it.
    criteria : sequence of str, optional
        Criteria that vote, from :data:`CRITERIA` (default: all). Gap and stability are computed only
        when they vote; inertia, silhouette, Calinski-Harabasz and Davies-Bouldin are always computed.

    Returns
    -------
    KSelection

    Raises
    ------
    ParamsError
        A parameter is out of range (the message names it and the fix).
    SegmentationError
        X is not a finite numeric matrix, or has fewer distinct rows than ``k_min + 1``.
    """
    k_min, k_max, crit, B, n_boot = _check_params(k_min, k_max, seed, n_init, sample_size, gap_references,
                                                  bootstrap, n_jobs, criteria)
    X = _check_X(X)
    n = len(X)
    notes: list[str] = []
    k_max = _cap_k_max(X, k_min, k_max, notes)
    ks = list(range(k_min, k_max + 1))

    fit_idx, sample_idx = _sample(n, FULL_FIT_MAX_ROWS, seed, _FIT_SAMPLE), _sample(n, sample_size, seed, _SAMPLE)
    X_fit = X if fit_idx is None else X[fit_idx]
    Xs = X if sample_idx is None else X[sample_idx]
    where: np.ndarray | str | None = sample_idx if fit_idx is None else "predict"
    if fit_idx is not None:
        notes.append(f"inertia, Calinski-Harabasz and Davies-Bouldin use a seeded sample of {len(X_fit):,} rows")
    box = _gap_box(Xs) if B else None

    fit_ks = ([1] if B else []) + ks
    fits, sil, stab = _fit_all(X_fit, Xs, where, box, fit_ks, ks, B, n_boot, seed, n_init, n_jobs)
    scores, per_sil = _score_table(fits, fit_ks, ks, sil, stab, len(Xs), B, n_boot)
    per_stab = {k: [float(v) for v in stab[k]] for k in ks} if n_boot else {}

    pref = _preferences(scores, ks, crit)
    votes, rec, rationale, more = _consensus(pref, ks, per_stab)
    notes += more
    structure, note = _structure(scores, ks, pref, rec)
    if structure in ("weak", "none"):
        rationale += " The data has no clear natural groups: see the structure note."
    params = {"k_min": k_min, "k_max": k_max, "seed": int(seed), "n_init": n_init, "sample_size": int(sample_size),
              "gap_references": B, "bootstrap": n_boot, "criteria": crit, "inertia_rows": len(X_fit)}
    return KSelection(scores=scores, per_segment_silhouette=per_sil, per_segment_stability=per_stab,
                      preferred=pref, votes=votes, recommended_k=rec, rationale=rationale, structure=structure,
                      structure_note=note, sample_size=len(Xs), n_rows=n, params=params, notes=notes)


# ---------------------------------------------------------------------------------- the steps
def _check_params(k_min: Any, k_max: Any, seed: Any, n_init: Any, sample_size: Any, gap_references: Any,
                  bootstrap: Any, n_jobs: Any, criteria: Sequence[str] | None) -> tuple[int, int, list[str], int, int]:
    """The checked parameters of :func:`select_k`: (k_min, k_max, criteria in order, B, bootstrap replicates)."""
    k_min = _check_int(k_min, "k_min", 2, "set k_min to 2 or more: one segment is not a segmentation")
    k_max = _check_int(k_max, "k_max", k_min, f"set k_max to at least k_min ({k_min})")
    _check_common(seed, n_init, sample_size, n_jobs)
    crit = list(CRITERIA if criteria is None else criteria)
    unknown = [c for c in crit if c not in CRITERIA]
    if unknown or not crit:
        raise ParamsError(f"unknown or empty criteria: {unknown or crit}", fix=f"choose from {list(CRITERIA)}",
                          key="criteria")
    crit = [c for c in CRITERIA if c in crit]
    B = _check_int(gap_references, "gap_references", 2, "use at least 2 reference data sets (10 is usual)") \
        if "gap" in crit else 0
    n_boot = _check_int(bootstrap, "bootstrap", 1, "use at least 1 bootstrap replicate (20 is usual)") \
        if "stability" in crit else 0
    return k_min, k_max, crit, B, n_boot


def _cap_k_max(X: np.ndarray, k_min: int, k_max: int, notes: list[str]) -> int:
    """k_max lowered to the distinct rows minus one (with a note); an error when k_min is out of reach."""
    n = len(X)
    distinct = len(np.unique(X, axis=0)) if n <= 100_000 else n
    if distinct < k_min + 1:
        raise SegmentationError(f"the data has {distinct} distinct rows, too few for k_min={k_min} segments "
                                f"(it needs at least {k_min + 1})",
                                fix="lower k_min, or use more rows or more features", key="k_min")
    if distinct < k_max + 1:
        notes.append(f"k_max lowered from {k_max} to {distinct - 1}: the data has only {distinct} distinct rows")
        k_max = distinct - 1
    return k_max


def _gap_box(Xs: np.ndarray) -> dict:
    """Tibshirani et al.'s reference (b): the box aligned with the sample's principal components."""
    mean = Xs.mean(axis=0)
    rot = np.linalg.svd(Xs - mean, full_matrices=False)[2].T
    proj = (Xs - mean) @ rot
    return {"low": proj.min(axis=0), "high": proj.max(axis=0), "rotation": rot, "mean": mean, "n": len(Xs)}


def _fit_all(X_fit: np.ndarray, Xs: np.ndarray, where: np.ndarray | str | None, box: dict | None,
             fit_ks: list[int], ks: list[int], B: int, n_boot: int, seed: int, n_init: int | str,
             n_jobs: int | None) -> tuple[dict, np.ndarray, dict]:
    """Every fit, in two parallel phases: (fits per k, silhouette per sample row and k, Jaccard per k)."""
    phase_a = _run([(_phase_fit, (k, X_fit, Xs, where, box, B, seed, n_init)) for k in fit_ks], n_jobs,
                   what="k")
    fits = {r["k"]: r for r in phase_a}
    codes = np.column_stack([fits[k]["labels_sample"] for k in ks])
    step = max(64, _SILHOUETTE_CELLS // len(Xs))  # fixed by the sample, not by n_jobs: same sums either way
    chunks = [(i, min(i + step, len(Xs))) for i in range(0, len(Xs), step)]
    phase_b = _run([(_silhouette_rows, (Xs, a, b, codes)) for a, b in chunks]
                   + [(_boot_rows, (Xs, codes[:, i], k, range(n_boot), seed, n_init))
                      for i, k in enumerate(ks) if n_boot],
                   n_jobs, what="silhouette and stability, part")
    sil = np.vstack(phase_b[:len(chunks)])
    stab = {k: _nanmean(rows) for k, rows in zip(ks, phase_b[len(chunks):])}
    return fits, sil, stab


def _score_table(fits: dict, fit_ks: list[int], ks: list[int], sil: np.ndarray, stab: dict, n_sample: int,
                 B: int, n_boot: int) -> tuple[pd.DataFrame, dict[int, list[float]]]:
    """The scores (k by :data:`SCORE_COLUMNS`) and the silhouette of each segment for every candidate k."""
    rows, per_sil = {}, {}
    for k in fit_ks:
        f = fits[k]
        row = {c: math.nan for c in SCORE_COLUMNS}
        row["inertia"] = f["inertia"]
        if k > 1:
            i, lab = ks.index(k), fits[k]["labels_sample"]
            valid = 2 <= np.unique(lab).size <= n_sample - 1
            row.update(silhouette=float(sil[:, i].mean()) if valid else math.nan,
                       calinski_harabasz=f["calinski_harabasz"], davies_bouldin=f["davies_bouldin"])
            per_sil[k] = [float(sil[lab == c, i].mean()) if valid and np.any(lab == c) else math.nan
                          for c in range(k)]
            if n_boot:
                row.update(stability_min=float(np.nanmin(stab[k])), stability_mean=float(np.nanmean(stab[k])))
        if B:
            ref = np.asarray(f["log_w_ref"])
            row["gap"] = float(ref.mean() - f["log_w"])
            row["gap_se"] = float(ref.std() * math.sqrt(1 + 1 / B))
        rows[k] = row
    scores = pd.DataFrame.from_dict(rows, orient="index")[list(SCORE_COLUMNS)].astype(float)
    scores.index = pd.Index([int(k) for k in scores.index], name="k")
    return scores, per_sil
