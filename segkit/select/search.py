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
from .business import business_choice, from_scratch
from .criteria import (_FIT_SAMPLE, _REFIT_SAMPLE, _SAMPLE, CRITERIA, SCORE_COLUMNS, _check_common, _check_int,
                       _check_X, _full_fit, _run, _sample, _silhouette_rows)
from .gap import gap_log_w, gap_references, gap_row
from .stability import STABLE, _boot_rows, _nanmean
from .vote import KSelection, _consensus, _preferences, _structure

__all__ = ["select_k"]

FULL_FIT_MAX_ROWS = 500_000  #: above this many rows, the inertia fits use a seeded sample of this size
#: The rationale's pointer to the structure note, for a reader who sees the rationale alone (the terminal)
STRUCTURE_POINTER = " The data has no clear natural groups: see the structure note."
_SILHOUETTE_CELLS = 4_000_000  # distances held at once by one silhouette task (32 MB)


def select_k(X: Any, *, k_min: int = 2, k_max: int = 10, seed: int = 0, n_init: int | str = "auto",
             sample_size: int = 2_000, stability_sample_size: int = 5_000, gap_references: int = 5,
             bootstrap: int = 20, n_jobs: int | None = None, criteria: Sequence[str] | None = None,
             k_rule: str = "auto", business_k: tuple[int, int] = (4, 8), min_share: float = 0.03,
             entity: str = "rows") -> KSelection:
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
        k-means restarts of the full-data fits (the refits of gap and stability start once each, from
        scikit-learn's greedy k-means++ seeding).
    sample_size : int
        Rows of the seeded sample that the silhouette (quadratic in rows) and the gap statistic use.
    stability_sample_size : int
        Rows of the seeded sample that bootstrap stability resamples. Stability depends on the rows
        (fewer rows, noisier refits), so this is larger than ``sample_size``.
    gap_references : int
        Uniform reference data sets B for the gap statistic (>= 2), drawn once and shared by every k.
    bootstrap : int
        Bootstrap replicates for stability at most (>= 1); resampling stops once settled.
    n_jobs : int or None
        joblib processes for the independent fits (None: one). Results do not depend on it.
    criteria : sequence of str, optional
        Criteria that vote, from :data:`CRITERIA` (default: all). Gap and stability are computed only
        when they vote; inertia, silhouette, Calinski-Harabasz and Davies-Bouldin are always computed.
    k_rule : {"auto", "vote"}
        "vote": the k most criteria prefer. "auto": the same when the structure is clear; otherwise the
        business choice (:func:`~segkit.select.business.business_choice`) within ``business_k``.
    business_k : (int, int)
        The business range of segments for ``k_rule="auto"`` (within k_min..k_max).
    min_share : float
        Smallest share of rows a segment may hold in the business choice.
    entity : str
        What a row is, in the rationale ("customers", "areas").

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
    rule = _check_rule(k_rule, business_k, min_share, stability_sample_size)
    X = _check_X(X)
    n = len(X)
    notes: list[str] = []
    k_max = _cap_k_max(X, k_min, k_max, notes)
    ks = list(range(k_min, k_max + 1))

    fit_idx, sample_idx = _sample(n, FULL_FIT_MAX_ROWS, seed, _FIT_SAMPLE), _sample(n, sample_size, seed, _SAMPLE)
    refit_idx = _sample(n, stability_sample_size, seed, _REFIT_SAMPLE)
    X_fit = X if fit_idx is None else X[fit_idx]
    Xs, Xr = (X if sample_idx is None else X[sample_idx]), (X if refit_idx is None else X[refit_idx])
    if fit_idx is not None:
        notes.append(f"inertia, Calinski-Harabasz and Davies-Bouldin use a seeded sample of {len(X_fit):,} rows")

    lo, hi = rule["business_k"]
    hold_ks = [k for k in ks if lo <= k <= hi] if rule["k_rule"] == "auto" else []
    n_hold = _check_int(bootstrap, "bootstrap", 1, "use at least 1 bootstrap replicate (20 is usual)")
    fits, sil, gap, stab, hold = _fit_all(X_fit, (Xs, sample_idx), (Xr, refit_idx), fit_idx, ks, B, n_boot, seed,
                                          n_init, n_jobs, (hold_ks, n_hold))
    scores, per_sil = _score_table(fits, ks, sil, gap, stab, len(Xs), n_boot)
    per_stab = {k: [float(v) for v in stab[k]] for k in ks} if n_boot else {}
    per_hold = {k: [float(v) for v in hold[k]] for k in hold_ks}
    shares = {k: [float(v) for v in fits[k]["shares"]] for k in ks}

    pref = _preferences(scores, ks, crit)
    voted = _consensus(pref, ks, {})[1]
    if voted not in per_hold:  # the rationale states the stability the cards show: the segments' hold
        rows = _run([(_boot_rows, (Xr, fits[voted]["labels"][1], voted, n_hold, seed, True))], n_jobs)[0]
        per_hold[voted] = [float(v) for v in _nanmean(rows)]
    votes, voted, rationale, more = _consensus(pref, ks, per_hold)
    notes += more
    structure, _ = _structure(scores, ks, pref, voted)
    rec, held = voted, False
    if rule["k_rule"] == "auto" and structure != "clear":
        rec, rationale, held = business_choice(voted, rationale, structure, ks, votes, per_hold, per_sil, shares,
                                               rule, entity, len(pref))
    hold = [v for v in per_hold.get(rec, []) if math.isfinite(v)]
    if held or (hold and min(hold) >= STABLE):  # "every segment stable" (from the centres) beside the table's scratch
        rationale += from_scratch(scores, rec, entity)
    note = _structure(scores, ks, pref, rec)[1]
    if held:  # the business rule chose (rec may equal the vote's k)
        note += (f" The {rec} segments were chosen to be used: each is stable, holds at least "
                 f"{rule['min_share']:.0%} of the {entity} and is distinct from the others on average.")
    if structure in ("weak", "none") and rec == voted:
        rationale += STRUCTURE_POINTER
    params = {"k_min": k_min, "k_max": k_max, "seed": int(seed), "n_init": n_init, "sample_size": int(sample_size),
              "stability_sample_size": int(stability_sample_size), "gap_references": B, "bootstrap": n_boot,
              "criteria": crit, "inertia_rows": len(X_fit), **rule}
    return KSelection(scores=scores, per_segment_silhouette=per_sil, per_segment_stability=per_stab,
                      preferred=pref, votes=votes, recommended_k=rec, rationale=rationale, structure=structure,
                      structure_note=note, sample_size=len(Xs), n_rows=n, params=params, notes=notes,
                      segment_shares=shares, per_segment_hold=per_hold, voted_k=voted,
                      stability_rows=len(Xr), held=held)


# ---------------------------------------------------------------------------------- the steps
def _check_rule(k_rule: Any, business_k: Any, min_share: Any, stability_sample_size: Any) -> dict:
    if k_rule not in ("auto", "vote"):
        raise ParamsError(f"k_rule={k_rule!r} is not a rule", key="k_rule",
                          fix='use "auto" (a business range when the data has no clear groups) or "vote"')
    try:
        lo, hi = (int(v) for v in business_k)
    except (TypeError, ValueError):
        raise ParamsError(f"business_k={business_k!r} is not a range", fix="give two whole numbers, e.g. [4, 8]",
                          key="business_k") from None
    if not 2 <= lo <= hi:
        raise ParamsError(f"business_k={[lo, hi]} is not a range of 2 or more segments", key="business_k",
                          fix="give the smallest and largest number of segments, e.g. [4, 8]")
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0 <= min_share < 0.5:
        raise ParamsError(f"min_share={min_share!r} is not a share", fix="use a share between 0 and 0.5, e.g. 0.03",
                          key="min_segment_share")
    _check_int(stability_sample_size, "stability_sample_size", 50,
               "set stability_sample_size to at least 50 rows (5,000 is usual)")
    return {"k_rule": k_rule, "business_k": [lo, hi], "min_share": float(min_share)}


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


def _fit_all(X_fit: np.ndarray, sample: tuple, refit: tuple, fit_idx: np.ndarray | None, ks: list[int], B: int,
             n_boot: int, seed: int, n_init: int | str, n_jobs: int | None,
             hold: tuple[list[int], int]) -> tuple[dict, np.ndarray, dict, dict, dict]:
    """Every fit, in two parallel phases: the full fits per k beside the gap statistic's batched fits (the
    sample and its B references, for k = 1 and every candidate), which need none of them; then the silhouettes,
    the bootstrap from scratch, and for the ks of ``hold`` (ks, replicates) the bootstrap from the segments'
    centres. Returns (fits per k, silhouette per sample row and k, log W per k, Jaccard per k, Jaccard from the
    centres per k of ``hold``)."""
    places = [(part, "predict" if fit_idx is not None else rows) for part, rows in (sample, refit)]
    Xs, Xr = sample[0], refit[0]
    # the gap statistic needs no full fit: it runs beside them, first, so that it does not end the phase alone
    gap_task = [(gap_log_w, (gap_references(Xs, B, seed), [1, *ks], seed))] if B else []
    out = _run(gap_task + [(_full_fit, (k, X_fit, places, n_init, seed)) for k in reversed(ks)], n_jobs, what="k",
               untracked=len(gap_task))
    gap = out.pop(0) if B else {}
    fits = {r["k"]: r for r in out}
    codes = np.column_stack([fits[k]["labels"][0] for k in ks])
    step = max(64, _SILHOUETTE_CELLS // len(Xs))  # fixed by the sample, not by n_jobs: same sums either way
    chunks = [(i, min(i + step, len(Xs))) for i in range(0, len(Xs), step)]
    tasks: list = [(_silhouette_rows, (Xs, a, b, codes)) for a, b in chunks]
    tasks += [(_boot_rows, (Xr, fits[k]["labels"][1], k, n_boot, seed)) for k in ks if n_boot]
    hold_ks, n_hold = hold
    tasks += [(_boot_rows, (Xr, fits[k]["labels"][1], k, n_hold, seed, True)) for k in hold_ks]
    out = _run(tasks, n_jobs, what="silhouette and stability, part")
    sil = np.vstack(out[:len(chunks)])
    stab = {k: _nanmean(rows) for k, rows in zip(ks, out[len(chunks):len(chunks) + (len(ks) if n_boot else 0)])}
    hold = {k: _nanmean(rows) for k, rows in zip(hold_ks, out[len(out) - len(hold_ks):])}
    if B:
        centred = X_fit - X_fit.mean(axis=0)
        fits[1] = {"inertia": float(np.einsum("ij,ij->", centred, centred))}
    return fits, sil, gap, stab, hold


def _score_table(fits: dict, ks: list[int], sil: np.ndarray, gap: dict, stab: dict, n_sample: int,
                 n_boot: int) -> tuple[pd.DataFrame, dict[int, list[float]]]:
    """The scores (k by :data:`SCORE_COLUMNS`) and the silhouette of each segment for every candidate k."""
    rows, per_sil = {}, {}
    for k in sorted(fits):
        f = fits[k]
        row = {c: math.nan for c in SCORE_COLUMNS}
        row["inertia"] = f["inertia"]
        if k > 1:
            i, lab = ks.index(k), f["labels"][0]
            valid = 2 <= np.unique(lab).size <= n_sample - 1
            row.update(silhouette=float(sil[:, i].mean()) if valid else math.nan,
                       calinski_harabasz=f["calinski_harabasz"], davies_bouldin=f["davies_bouldin"])
            per_sil[k] = [float(sil[lab == c, i].mean()) if valid and np.any(lab == c) else math.nan
                          for c in range(k)]
            if n_boot:
                row.update(stability_min=float(np.nanmin(stab[k])), stability_mean=float(np.nanmean(stab[k])))
        if k in gap:
            row["gap"], row["gap_se"] = gap_row(gap[k])
        rows[k] = row
    scores = pd.DataFrame.from_dict(rows, orient="index")[list(SCORE_COLUMNS)].astype(float)
    scores.index = pd.Index([int(k) for k in scores.index], name="k")
    return scores, per_sil
