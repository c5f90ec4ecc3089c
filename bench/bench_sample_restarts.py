"""Study: k-means restarts on a seeded sample, the best refined on every row, against ``n_init`` restarts on every row.

Issue 18 asks for six-criterion k selection no slower than yellowbrick's elbow, and suggests running fits on a
seeded sample where the criterion allows it. The nine full fits behind the elbow, Calinski-Harabasz and
Davies-Bouldin (k = 2..10, ``n_init`` restarts each) are yellowbrick's own work; this measures what restarting on a
sample would save and what it would cost in inertia, alternated in one process, one thread.

How to run (from the repository root; the matrix is the Online Retail customers' log1p RFM, standardised, as
``bench_select_k.py`` builds it)::

    .venv/bin/python bench/bench_sample_restarts.py                     # data: ../shared/data/online_retail/by-day
    .venv/bin/python bench/bench_sample_restarts.py --repeats 5 --n-init 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_select_k import K_MAX, K_MIN, rfm_matrix  # noqa: E402
from segkit.select.criteria import one_thread  # noqa: E402


def full_fits(X: np.ndarray, n_init: int) -> dict[int, float]:
    """Inertia per k of ``KMeans(k, n_init)`` on every row (what yellowbrick and ``select_k`` fit)."""
    return {k: KMeans(k, n_init=n_init, random_state=0).fit(X).inertia_ for k in range(K_MIN, K_MAX + 1)}


def sampled_fits(X: np.ndarray, n_init: int, rows: int, top: int) -> dict[int, float]:
    """Inertia per k of ``n_init`` restarts on a seeded sample of ``rows`` rows, the ``top`` best refined on every
    row from their centres (one Lloyd run each)."""
    out = {}
    for k in range(K_MIN, K_MAX + 1):
        sample = X[np.sort(np.random.default_rng(k).choice(len(X), rows, replace=False))]
        fits = sorted((KMeans(k, n_init=1, random_state=1000 * k + r).fit(sample) for r in range(n_init)),
                      key=lambda f: f.inertia_)
        out[k] = min(KMeans(k, n_init=1, init=f.cluster_centers_).fit(X).inertia_ for f in fits[:top])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-init", type=int, default=10)
    args = ap.parse_args(argv)
    X, facts = rfm_matrix(args.data)
    print(f"Online Retail RFM: {facts['customers']:,} customers x 3 features; k = {K_MIN}..{K_MAX}, "
          f"n_init={args.n_init}, one thread, medians of {args.repeats} alternated rounds\n")
    configs = {"every row (as today)": lambda: full_fits(X, args.n_init)}
    for rows in (1000, 2000):
        for top in (1, 3):
            configs[f"{rows:,}-row sample, best {top} refined"] = (
                lambda rows=rows, top=top: sampled_fits(X, args.n_init, rows, top))
    times: dict[str, list[float]] = {name: [] for name in configs}
    found: dict[str, dict[int, float]] = {}
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")
        for run in configs.values():  # warm-up
            run()
        for _ in range(args.repeats):
            for name, run in configs.items():
                start = time.perf_counter()
                found[name] = run()
                times[name].append(time.perf_counter() - start)
    reference = found["every row (as today)"]
    print("| restarts | median (s) | against every row | worst inertia excess | inertia excess per k (%) |")
    print("|---|---:|---:|---:|---|")
    base = statistics.median(times["every row (as today)"])
    for name, ts in times.items():
        excess = {k: 100 * (found[name][k] / reference[k] - 1) for k in reference}
        print(f"| {name} | {statistics.median(ts):.3f} | {statistics.median(ts) / base:.2f} | "
              f"{max(excess.values()):.2f}% | {', '.join(f'{v:.2f}' for v in excess.values())} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
