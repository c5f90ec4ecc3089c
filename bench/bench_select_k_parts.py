"""Study: where ``select_k``'s CPU goes on the default RFM matrix, and one lever on its largest part (issue 18).

Part 1 runs ``select_k(X, k 2..10, n_init=10)`` on one process, as the criteria's benchmark does, and adds up the
CPU seconds of each kind of task: the full fits (what yellowbrick's elbow also does), the gap statistic's batched
fits, the silhouettes, the bootstrap from scratch (the stability criterion) and the bootstrap from the segments'
centres (the business choice's hold). It also lists how many replicates each k's bootstrap took before it settled.

Part 2 times the stability criterion's refits two ways, alternated, on the same references (the full fits'
segments), and gives the weakest segment's mean Jaccard each way:

* **as shipped**: each replicate refits k-means on the m resampled rows, duplicates and all;
* **weighted**: each replicate refits on the distinct rows drawn, each weighted by how often it was drawn. Lloyd's
  steps and scikit-learn's k-means++ seeding (weights times squared distances) are then the same as on the
  duplicated rows, so the estimate is the same in distribution; the random draws, and so the numbers, differ.

How to run (from the repository root)::

    .venv/bin/python bench/bench_select_k_parts.py                   # data: ../shared/data/online_retail/by-day
    .venv/bin/python bench/bench_select_k_parts.py --replicates 40 --repeats 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PARTS = {"_full_fit": "full fits", "gap_log_w": "gap statistic", "_silhouette_rows": "silhouettes"}


def parts(X: np.ndarray, repeats: int) -> dict:
    """CPU seconds of each part of one-process ``select_k`` (median of ``repeats``), and replicates per k."""
    import segkit.select.search as search
    from segkit.select import select_k

    spent: dict[str, float] = {}
    replicates: dict[str, int] = {}

    def timed(name, fn):
        def run(*args):
            t = time.process_time()
            out = fn(*args)
            key = PARTS.get(name) or ("bootstrap from the centres" if len(args) > 5 and args[5]
                                      else "bootstrap from scratch")
            spent[key] = spent.get(key, 0.0) + time.process_time() - t
            if name == "_boot_rows":
                replicates[f"k={args[2]}{' (centres)' if key.endswith('centres') else ''}"] = len(out)
            return out
        return run

    originals = {name: getattr(search, name) for name in [*PARTS, "_boot_rows"]}
    for name, fn in originals.items():
        setattr(search, name, timed(name, fn))
    runs = []
    try:
        for _ in range(repeats):
            spent.clear()
            t = time.process_time()
            select_k(X, k_min=2, k_max=10, seed=0, n_init=10, n_jobs=1)
            runs.append({"total": time.process_time() - t, **spent})
    finally:
        for name, fn in originals.items():
            setattr(search, name, fn)
    return {"cpu_s": {key: round(statistics.median(r.get(key, 0.0) for r in runs), 3) for key in runs[0]},
            "replicates": replicates}


def weighted_round(Xs: np.ndarray, ref: np.ndarray, k: int, bs: range, seed: int) -> np.ndarray:
    """``stability._boot_round`` from scratch, refitting on the distinct rows drawn, weighted by their counts."""
    from sklearn import config_context
    from sklearn.cluster import KMeans

    from segkit.select.criteria import _BOOT, _BOOT_FIT, _seed, one_thread
    from segkit.select.stability import _jaccard_matched

    out = []
    with one_thread(), warnings.catch_warnings(), config_context(assume_finite=True, skip_parameter_validation=True):
        warnings.simplefilter("ignore")
        for b in bs:
            idx = np.random.default_rng(_seed(seed, _BOOT, b)).integers(0, len(Xs), size=len(Xs))
            drawn, counts = np.unique(idx, return_counts=True)
            km = KMeans(n_clusters=k, n_init=1, random_state=_seed(seed, _BOOT_FIT, k, b))
            labels = km.fit(Xs[drawn], sample_weight=counts.astype(float)).labels_
            out.append(_jaccard_matched(ref[drawn], labels, k))
    return np.vstack(out)


def refits(X: np.ndarray, replicates: int, repeats: int) -> dict:
    """The stability criterion's refits as shipped and weighted, alternated: CPU seconds for every k, and the
    weakest segment's mean Jaccard per k."""
    from segkit.select.criteria import _kmeans, one_thread
    from segkit.select.stability import _boot_round, _nanmean

    with one_thread():
        refs = {k: _kmeans(X, k, 10, 0).labels_.astype(np.int64) for k in range(2, 11)}
    ways = {"as shipped": lambda k: _boot_round(X, refs[k], k, range(replicates), 0, False),
            "weighted": lambda k: weighted_round(X, refs[k], k, range(replicates), 0)}
    cpu: dict[str, list[float]] = {w: [] for w in ways}
    weakest: dict[str, dict[int, float]] = {}
    for i in range(repeats):
        for way in (list(ways) if i % 2 == 0 else list(reversed(ways))):
            t = time.process_time()
            jaccard = {k: _nanmean(ways[way](k)) for k in refs}
            cpu[way].append(time.process_time() - t)
            weakest[way] = {k: round(float(np.nanmin(v)), 3) for k, v in jaccard.items()}
    median = {w: statistics.median(v) for w, v in cpu.items()}
    return {"replicates_per_k": replicates, "cpu_s": {w: round(v, 3) for w, v in median.items()},
            "weighted_over_shipped": round(median["weighted"] / median["as shipped"], 2), "weakest_jaccard": weakest}


def main(argv: list[str] | None = None) -> int:
    from bench_select_k import rfm_matrix

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--replicates", type=int, default=40, help="bootstrap replicates per k in part 2")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    X, _ = rfm_matrix(args.data)
    result = {"rows": len(X), "parts": parts(X, args.repeats), "refits": refits(X, args.replicates, args.repeats)}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
