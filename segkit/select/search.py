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
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from sklearn.metrics.pairwise import euclidean_distances
from threadpoolctl import threadpool_limits

from segkit.errors import ParamsError, SegmentationError

__all__ = ["CRITERIA", "CRITERION_LABELS", "SCORE_COLUMNS", "STABLE", "UNSTABLE", "KSelection", "find_knee",
           "select_k", "segment_stability", "stability_label", "choose_k"]

CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "stability")
CRITERION_LABELS = {"elbow": "Elbow (within-segment spread)", "silhouette": "Separation (silhouette)",
                    "calinski_harabasz": "Calinski-Harabasz", "davies_bouldin": "Davies-Bouldin (overlap)",
                    "gap": "Gap statistic", "stability": "Stability (bootstrap Jaccard)"}
_SCORE_OF = {"elbow": "inertia", "silhouette": "silhouette", "calinski_harabasz": "calinski_harabasz",
             "davies_bouldin": "davies_bouldin", "gap": "gap", "stability": "stability_min"}
SCORE_COLUMNS = ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "gap_se",
                 "stability_min", "stability_mean")
STABLE = 0.75  #: clusterboot: a segment with mean Jaccard at or above this is stable
UNSTABLE = 0.6  #: clusterboot: below this a segment is unstable
WEAK_SILHOUETTE = 0.25  #: Kaufman & Rousseeuw: below this, no substantial structure
CLEAR_SILHOUETTE = 0.5  #: at or above this, reasonable to strong structure
FULL_FIT_MAX_ROWS = 500_000  #: above this many rows, the inertia fits use a seeded sample of this size
_SILHOUETTE_CELLS = 4_000_000  # distances held at once by one silhouette task (32 MB)
_FORMAT = "segkit.k_selection/1"
# Tags that keep the seed streams of the different random steps apart.
_SAMPLE, _FIT_SAMPLE, _GAP_REF, _GAP_FIT, _GAP_DATA, _BOOT, _BOOT_FIT = range(1, 8)


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


def _kmeans(X: np.ndarray, k: int, n_init: int | str, random_state: int) -> KMeans:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(X)


def _wss(X: np.ndarray, k: int, n_init: int | str, random_state: int) -> float:
    """Pooled within-segment sum of squares W_k (k=1: total sum of squares)."""
    if k == 1:
        centred = X - X.mean(axis=0)
        return float(np.einsum("ij,ij->", centred, centred))
    return float(_kmeans(X, k, n_init, random_state).inertia_)


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


def _bootstrap_jaccard(Xs: np.ndarray, ref: np.ndarray, k: int, b: int, seed: int,
                       n_init: int | str) -> np.ndarray:
    """One clusterboot replicate: resample, refit, match to ``ref`` on the points drawn."""
    idx = np.random.default_rng(_seed(seed, _BOOT, b)).integers(0, len(Xs), size=len(Xs))
    labels = _kmeans(Xs[idx], k, n_init, _seed(seed, _BOOT_FIT, k, b)).labels_
    drawn, first = np.unique(idx, return_index=True)
    return _jaccard_matched(ref[drawn], labels[first], k)


def _reference(box: dict, seed: int, b: int) -> np.ndarray:
    """Reference data set b: uniform over the principal-component-aligned box of the sample."""
    rng = np.random.default_rng(_seed(seed, _GAP_REF, b))
    z = rng.uniform(box["low"], box["high"], size=(box["n"], box["low"].size))
    return z @ box["rotation"].T + box["mean"]


def _phase_fit(k: int, X_fit: np.ndarray, Xs: np.ndarray, rows: np.ndarray | str | None, box: dict | None,
               B: int, seed: int, n_init: int | str) -> dict:
    """The fits for one k that need nothing else: the full fit, and the gap fits. ``rows`` places the
    sample ``Xs`` in ``X_fit``: None (it is ``X_fit``), row indices, or "predict" (nearest centre)."""
    out: dict[str, Any] = {"k": k}
    with threadpool_limits(limits=1):
        if k > 1:
            km = _kmeans(X_fit, k, n_init, seed)
            out["inertia"] = float(km.inertia_)
            out["calinski_harabasz"] = float(calinski_harabasz_score(X_fit, km.labels_))
            out["davies_bouldin"] = float(davies_bouldin_score(X_fit, km.labels_))
            labels = (km.labels_ if rows is None else km.predict(Xs) if isinstance(rows, str) else km.labels_[rows])
            out["labels_sample"] = np.asarray(labels, dtype=np.int64)
        else:
            out["inertia"] = _wss(X_fit, 1, n_init, seed)
        if box is not None:
            w = out["inertia"] if rows is None else _wss(Xs, k, n_init, _seed(seed, _GAP_DATA, k))
            out["log_w"] = math.log(w)
            out["log_w_ref"] = [math.log(_wss(_reference(box, seed, b), k, n_init, _seed(seed, _GAP_FIT, k, b)))
                                for b in range(B)]
    return out


def _silhouette_rows(Xs: np.ndarray, start: int, stop: int, codes: np.ndarray) -> np.ndarray:
    """Silhouette of rows ``start:stop`` under every labelling (columns of ``codes``) from one block of
    distances: the per-segment distance sums of all the labellings are a single matrix product."""
    n, m = codes.shape
    ks = codes.max(axis=0) + 1
    offsets = np.r_[0, np.cumsum(ks)]
    onehot = np.zeros((n, offsets[-1]))
    for j in range(m):
        onehot[np.arange(n), offsets[j] + codes[:, j]] = 1.0
    with threadpool_limits(limits=1):
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


def _boot_rows(Xs: np.ndarray, ref: np.ndarray, k: int, bs: Sequence[int], seed: int,
               n_init: int | str) -> np.ndarray:
    """Jaccard per segment (columns) in bootstrap replicates ``bs`` (rows)."""
    with threadpool_limits(limits=1):
        return np.vstack([_bootstrap_jaccard(Xs, ref, k, int(b), seed, n_init) for b in bs])


def _nanmean(rows: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a segment never drawn: NaN, not a warning
        return np.nanmean(rows, axis=0)


def _run(tasks: list, n_jobs: int | None) -> list:
    if n_jobs in (None, 1) or len(tasks) == 1:
        return [fn(*args) for fn, args in tasks]
    return Parallel(n_jobs=n_jobs)(delayed(fn)(*args) for fn, args in tasks)


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


# ----------------------------------------------------------------------------------- selection
@dataclass
class KSelection:
    """The evidence for each candidate number of segments, and the recommendation.

    Attributes
    ----------
    scores : pandas.DataFrame
        Indexed by k, columns :data:`SCORE_COLUMNS`. Row k=1 is the no-structure reference: only
        ``inertia``, ``gap`` and ``gap_se`` are defined there. Candidate ks are :attr:`ks`.
    per_segment_silhouette, per_segment_stability : dict of int to list of float
        For each candidate k, one value per segment, in the order of the k-means labels
        (``KMeans(n_clusters=k, n_init=n_init, random_state=seed)`` on the same data).
    preferred : dict of str to int or None
        Each criterion's preferred k (None: no preference, e.g. no knee). Gap may prefer 1.
    votes : dict of int to list of str
        For each candidate k, the criteria that prefer it.
    recommended_k : int
        The most preferred candidate k; ties go to fewer segments.
    rationale : str
        One or two sentences for a business reader.
    structure : {"clear", "moderate", "weak", "none"}
        "none": gap prefers a single group and every silhouette is below 0.25; "weak": one of the two
        (gap's k=1 counts only while the best silhouette is below 0.5); "moderate": best silhouette
        below 0.5; "clear" otherwise.
    structure_note : str
        What ``structure`` means for the segments, in plain words.
    sample_size : int
        Rows used for silhouette, gap and stability.
    n_rows : int
        Rows in the data.
    params : dict
        The parameters used (after any capping of k_max), and ``inertia_rows``.
    notes : list of str
        Adjustments made (k_max capped, ...).
    """

    scores: pd.DataFrame
    per_segment_silhouette: dict[int, list[float]]
    per_segment_stability: dict[int, list[float]]
    preferred: dict[str, int | None]
    votes: dict[int, list[str]]
    recommended_k: int
    rationale: str
    structure: str
    structure_note: str
    sample_size: int
    n_rows: int
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def ks(self) -> list[int]:
        """The candidate numbers of segments (k_min..k_max)."""
        return [int(k) for k in self.scores.index if k >= self.params["k_min"]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN written as null), as stored in ``artifacts/k_selection.json``."""
        def clean(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

        scores = {"k": [int(k) for k in self.scores.index]}
        scores.update({c: [clean(float(v)) for v in self.scores[c]] for c in SCORE_COLUMNS})
        per_k = {name: {str(k): [clean(float(v)) for v in vs] for k, vs in getattr(self, name).items()}
                 for name in ("per_segment_silhouette", "per_segment_stability")}
        return {"format": _FORMAT, "scores": scores, **per_k, "preferred": dict(self.preferred),
                "votes": {str(k): list(v) for k, v in self.votes.items()}, "recommended_k": int(self.recommended_k),
                "rationale": self.rationale, "structure": self.structure, "structure_note": self.structure_note,
                "sample_size": int(self.sample_size), "n_rows": int(self.n_rows), "params": dict(self.params),
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KSelection:
        """Rebuild a selection from :meth:`to_dict` output (e.g. read back from JSON)."""
        if data.get("format") != _FORMAT:
            raise SegmentationError(f"this k selection has format {data.get('format')!r}, expected {_FORMAT!r}",
                                    fix="re-run the 03_select_k step with this version of segkit")
        raw = data["scores"]
        scores = pd.DataFrame({c: [math.nan if v is None else v for v in raw[c]] for c in SCORE_COLUMNS},
                              index=pd.Index(raw["k"], name="k"), dtype=float)

        def floats(d):
            return {int(k): [math.nan if v is None else float(v) for v in vs] for k, vs in d.items()}

        return cls(scores=scores, per_segment_silhouette=floats(data["per_segment_silhouette"]),
                   per_segment_stability=floats(data["per_segment_stability"]),
                   preferred=dict(data["preferred"]), votes={int(k): list(v) for k, v in data["votes"].items()},
                   recommended_k=int(data["recommended_k"]), rationale=data["rationale"],
                   structure=data["structure"], structure_note=data["structure_note"],
                   sample_size=int(data["sample_size"]), n_rows=int(data["n_rows"]),
                   params=dict(data["params"]), notes=list(data.get("notes", [])))

    def consensus_table(self, *, mark: str = " *", numeric: bool = False) -> pd.DataFrame:
        """Criteria (rows, :data:`CRITERION_LABELS`) by candidate k (columns) for a report.

        Each criterion's preferred cell ends with ``mark``; a "Preferred k" column and a "Votes" row
        (criteria per k, and the recommendation) are added. ``numeric=True`` returns the raw scores only.
        """
        ks = self.ks
        crits = [c for c in CRITERIA if c in self.preferred]
        table = pd.DataFrame({CRITERION_LABELS[c]: self.scores.loc[ks, _SCORE_OF[c]] for c in crits}).T
        table.columns = pd.Index(ks, name="k")
        if numeric:
            return table
        out = pd.DataFrame(index=table.index, columns=[*ks, "Preferred k"], dtype=object)
        for c, label in zip(crits, table.index):
            pick = self.preferred[c]
            for k in ks:
                v = table.at[label, k]
                cell = "" if not math.isfinite(v) else (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}")
                out.at[label, k] = cell + (mark if pick == k else "")
            out.at[label, "Preferred k"] = ("none" if pick is None else
                                            "1 (no structure)" if pick == 1 else str(pick))
        out.loc["Votes"] = [str(len(self.votes.get(k, []))) for k in ks] + [str(self.recommended_k)]
        return out


def _gap_choice(ks: list[int], gap: np.ndarray, se: np.ndarray) -> int:
    """Tibshirani's 1-SE rule: the smallest k with Gap(k) >= Gap(k') - s_k' for the next k'."""
    for i in range(len(ks) - 1):
        if gap[i] >= gap[i + 1] - se[i + 1]:
            return ks[i]
    return ks[-1]


def _preferences(scores: pd.DataFrame, ks: list[int], criteria: list[str]) -> dict[str, int | None]:
    cand = scores.loc[ks]
    pref: dict[str, int | None] = {}
    for c in criteria:
        if c == "elbow":
            pref[c] = find_knee(ks, cand["inertia"].to_numpy())
        elif c in ("silhouette", "calinski_harabasz"):
            col = cand[c]
            pref[c] = None if col.isna().all() else int(col.idxmax())
        elif c == "davies_bouldin":
            pref[c] = None if cand[c].isna().all() else int(cand[c].idxmin())
        elif c == "gap":
            g = scores["gap"].dropna()
            pref[c] = _gap_choice([int(k) for k in g.index], g.to_numpy(), scores.loc[g.index, "gap_se"].to_numpy())
        elif c == "stability":
            smin = cand["stability_min"]
            stable = smin[smin >= STABLE]
            pref[c] = (int(stable.index.max()) if len(stable) else
                       None if smin.isna().all() else int(smin.idxmax()))
    return pref


def _stability_phrase(values: list[float]) -> str:
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return ""
    low = float(vals.min())
    if low >= STABLE:
        return f"every segment stable (Jaccard >= {math.floor(low * 100) / 100:.2f})"
    n_unstable, n_moderate = int((vals < UNSTABLE).sum()), int(((vals >= UNSTABLE) & (vals < STABLE)).sum())
    parts = [f"{n_unstable} of {len(values)} segments unstable (Jaccard below {UNSTABLE}): use with caution"
             if n_unstable else "",
             f"{n_moderate} of {len(values)} only moderately stable (Jaccard {UNSTABLE}-{STABLE})"
             if n_moderate else ""]
    return "; ".join(p for p in parts if p)


def _structure(scores: pd.DataFrame, ks: list[int], pref: dict, k: int) -> tuple[str, str]:
    """Grade the natural structure. Gap preferring k=1 counts only when the best silhouette is below 0.5:
    Tibshirani's rule also stops at k=1 on some clearly separated blobs, when splitting them in two is no
    better than splitting uniform data (Gap(1) ~ Gap(2)); the silhouette then contradicts it."""
    sil = scores.loc[ks, "silhouette"]
    best = float(sil.max()) if sil.notna().any() else math.nan
    known = math.isfinite(best)
    gap_one = pref.get("gap") == 1 and not (known and best >= CLEAR_SILHOUETTE)
    low = known and best < WEAK_SILHOUETTE
    partition = (f"The {k} segments are a convenient partition of the data, not natural clusters: "
                 "rows near a boundary could as well sit in the next segment.")
    uniform = "the gap statistic finds no more structure than in uniformly scattered data of the same shape"
    if gap_one and low:
        return "none", (f"The data has no clear natural groups: {uniform}, and every silhouette is below "
                        f"{WEAK_SILHOUETTE} (best {best:.2f}). " + partition)
    if gap_one:
        return "weak", (f"The data has no clear natural groups: {uniform} (it prefers a single group), and the "
                        f"best silhouette is only {best:.2f}. " + partition)
    if low:
        return "weak", (f"The data has no clear natural groups: every silhouette is below {WEAK_SILHOUETTE} "
                        f"(best {best:.2f}), so the segments overlap heavily. " + partition)
    if not known:
        return "moderate", "The separation of the segments could not be measured."
    aside = " (the gap statistic prefers a single group, but the separation contradicts it)" \
        if pref.get("gap") == 1 else ""
    if best < CLEAR_SILHOUETTE:
        return "moderate", (f"The data has groups, but they overlap (best silhouette {best:.2f}; 0.5 or more would "
                            "mean clearly separated groups): segment boundaries are soft.")
    return "clear", f"The data has clearly separated natural groups (best silhouette {best:.2f}){aside}."


_NAMES = {"elbow": "elbow", "silhouette": "silhouette", "calinski_harabasz": "Calinski-Harabasz",
          "davies_bouldin": "Davies-Bouldin", "gap": "gap statistic", "stability": "bootstrap stability"}


def _consensus(pref: dict, ks: list[int], stab: dict[int, list[float]]) -> tuple[dict, int, str, list[str]]:
    votes = {k: [c for c, p in pref.items() if p == k] for k in ks}
    notes: list[str] = []
    top = max((len(v) for v in votes.values()), default=0)
    if top == 0:
        k = ks[0]
        notes.append(f"no criterion expressed a preference within k={ks[0]}..{ks[-1]}; k_min was used")
        return votes, k, f"{k} segments: no criterion expressed a preference, so the smallest k tried was used.", notes
    tied = [k for k in ks if len(votes[k]) == top]
    k = tied[0]  # mode; ties broken toward fewer segments

    def who(k_: int) -> str:
        return ", ".join(_NAMES[c] for c in votes[k_])

    text = f"{k} segments: preferred by {top} of {len(pref)} criteria ({who(k)})"
    if len(tied) > 1:
        text += "; tied with " + " and ".join(f"{t} ({who(t)})" for t in tied[1:]) + ", so the fewer segments won"
    others = [f"{'no preference' if p is None else 'a single group' if p == 1 else p} ({_NAMES[c]})"
              for c, p in pref.items() if p not in tied]
    if others:
        text += "; others point to " + ", ".join(others)
    phrase = _stability_phrase(stab.get(k, []))
    return votes, k, text + ("; " + phrase if phrase else "") + ".", notes


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
    X = _check_X(X)
    n = len(X)
    notes: list[str] = []
    distinct = len(np.unique(X, axis=0)) if n <= 100_000 else n
    if distinct < k_min + 1:
        raise SegmentationError(f"the data has {distinct} distinct rows, too few for k_min={k_min} segments "
                                f"(it needs at least {k_min + 1})",
                                fix="lower k_min, or use more rows or more features", key="k_min")
    if distinct < k_max + 1:
        notes.append(f"k_max lowered from {k_max} to {distinct - 1}: the data has only {distinct} distinct rows")
        k_max = distinct - 1
    ks = list(range(k_min, k_max + 1))

    fit_idx, sample_idx = _sample(n, FULL_FIT_MAX_ROWS, seed, _FIT_SAMPLE), _sample(n, sample_size, seed, _SAMPLE)
    X_fit = X if fit_idx is None else X[fit_idx]
    Xs = X if sample_idx is None else X[sample_idx]
    where: np.ndarray | str | None = sample_idx if fit_idx is None else "predict"
    if fit_idx is not None:
        notes.append(f"inertia, Calinski-Harabasz and Davies-Bouldin use a seeded sample of {len(X_fit):,} rows")
    box = None
    if B:  # Tibshirani et al.'s reference (b): the box aligned with the sample's principal components
        mean = Xs.mean(axis=0)
        rot = np.linalg.svd(Xs - mean, full_matrices=False)[2].T
        proj = (Xs - mean) @ rot
        box = {"low": proj.min(axis=0), "high": proj.max(axis=0), "rotation": rot, "mean": mean, "n": len(Xs)}

    fit_ks = ([1] if B else []) + ks
    phase_a = _run([(_phase_fit, (k, X_fit, Xs, where, box, B, seed, n_init)) for k in fit_ks], n_jobs)
    fits = {r["k"]: r for r in phase_a}
    codes = np.column_stack([fits[k]["labels_sample"] for k in ks])
    step = max(64, _SILHOUETTE_CELLS // len(Xs))  # fixed by the sample, not by n_jobs: same sums either way
    chunks = [(i, min(i + step, len(Xs))) for i in range(0, len(Xs), step)]
    phase_b = _run([(_silhouette_rows, (Xs, a, b, codes)) for a, b in chunks]
                   + [(_boot_rows, (Xs, codes[:, i], k, range(n_boot), seed, n_init))
                      for i, k in enumerate(ks) if n_boot],
                   n_jobs)
    sil = np.vstack(phase_b[:len(chunks)])
    stab = {k: _nanmean(rows) for k, rows in zip(ks, phase_b[len(chunks):])}

    rows, per_sil = {}, {}
    for k in fit_ks:
        f = fits[k]
        row = {c: math.nan for c in SCORE_COLUMNS}
        row["inertia"] = f["inertia"]
        if k > 1:
            i, lab = ks.index(k), fits[k]["labels_sample"]
            valid = 2 <= np.unique(lab).size <= len(Xs) - 1
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


# ---------------------------------------------------------------------------- final segments
def segment_stability(X: Any, labels_or_k: Any, *, n_boot: int = 20, seed: int = 0, sample_size: int = 10_000,
                      n_init: int | str = "auto", n_jobs: int | None = None) -> np.ndarray:
    """Bootstrap stability of each final segment: mean Jaccard with its match in refitted clusterings.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The scaled features the segments were fitted on.
    labels_or_k : array-like of shape (n,) or int
        The final segment of each row, or a number of segments (then
        ``KMeans(n_clusters=k, n_init=n_init, random_state=seed)`` gives the segments).
    n_boot : int
        Bootstrap replicates.
    seed, sample_size, n_init, n_jobs
        As in :func:`select_k`.

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
        with threadpool_limits(limits=1):
            codes = _kmeans(X, k, n_init, seed).labels_.astype(np.int64)
    else:
        labels = np.asarray(labels_or_k)
        if labels.shape != (len(X),):
            raise SegmentationError(f"got {labels.size} labels for {len(X)} rows", fix="pass one label per row of X")
        _, codes = np.unique(labels, return_inverse=True)
        k = int(codes.max()) + 1
        if k < 2:
            raise SegmentationError("all rows are in one segment", fix="pass labels with at least 2 segments")
    idx = _sample(len(X), sample_size, seed, _SAMPLE)
    Xs, ref = (X, codes) if idx is None else (X[idx], codes[idx])
    chunks = np.array_split(np.arange(n_boot), min(n_boot, 2 if n_jobs not in (None, 1) else 1))

    return _nanmean(np.vstack(_run([(_boot_rows, (Xs, ref, k, c, seed, n_init)) for c in chunks], n_jobs)))


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


def choose_k(selection: KSelection, k: int | str = "auto") -> tuple[int, str]:
    """The number of segments to use, and the sentence that explains it.

    Parameters
    ----------
    selection : KSelection
        The evidence from :func:`select_k` (or ``KSelection.from_dict``).
    k : "auto" or int
        "auto" takes the recommendation; a whole number >= 2 overrides it.

    Returns
    -------
    (int, str)
        E.g. ``(6, "k=6 was set in the params; the criteria recommended 5.")``.
    """
    rec = int(selection.recommended_k)
    if isinstance(k, str):
        if k.strip().lower() != "auto":
            raise ParamsError(f"k={k!r} is not valid", fix='set k to "auto" or a whole number of segments >= 2',
                              key="k")
        return rec, f"k={rec} was chosen automatically. " + selection.rationale
    k = _check_int(k, "k", 2, 'set k to "auto" or a whole number of segments >= 2')
    if k == rec:
        return k, f"k={k} was set in the params, which matches the criteria's recommendation."
    text = f"k={k} was set in the params; the criteria recommended {rec}."
    ks = selection.ks
    if ks and not ks[0] <= k <= ks[-1]:
        text += f" k={k} is outside the range evaluated ({ks[0]}-{ks[-1]}), so it has no scores there."
    return k, text
