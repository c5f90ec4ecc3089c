"""Study: bootstrap stability from scratch on fewer rows, against every row (issue 18, k selection's cost).

Bootstrap stability is half of ``select_k``'s work on the default RFM matrix (its refits from scratch). The issue
suggests running fits "on a seeded sample where the criterion allows it". This study asks whether stability allows
it: for each k, the segments of the full fit (``KMeans(k, n_init=10)``) are refitted from scratch on bootstrap
resamples of every row and of seeded samples of 3,000, 2,000 and 1,000 rows (``_boot_round``, as ``select_k`` does,
20 replicates), over three seeds; it reports the weakest segment's mean Jaccard (the criterion's number: at least 0.75
is stable) and the time of one refit, all in the same run.

How to run (from the repository root)::

    .venv/bin/python bench/bench_stability_rows.py                   # data: ../shared/data/online_retail/by-day
    .venv/bin/python bench/bench_stability_rows.py --seeds 3 --replicates 20 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SIZES = (None, 3_000, 2_000, 1_000)  #: rows the replicates resample (None: every row)


def study(X: np.ndarray, seeds: int, replicates: int) -> list[dict]:
    from segkit.select.criteria import _REFIT_SAMPLE, _kmeans, _sample, one_thread
    from segkit.select.stability import _boot_round, _nanmean

    rows = []
    for k in range(2, 11):
        with one_thread():
            ref = _kmeans(X, k, 10, 0).labels_
        for size in SIZES:
            weakest, seconds = [], []
            for seed in range(seeds):
                idx = None if size is None else _sample(len(X), size, seed, _REFIT_SAMPLE)
                Xs, labels = (X, ref) if idx is None else (X[idx], ref[idx])
                t = time.perf_counter()
                jaccard = _boot_round(Xs, labels, k, range(replicates), seed, False)
                seconds.append((time.perf_counter() - t) / replicates)
                weakest.append(float(np.nanmin(_nanmean(jaccard))))
            rows.append({"k": k, "rows": size or len(X), "weakest_mean": float(np.mean(weakest)),
                         "weakest_sd": float(np.std(weakest)), "refit_ms": 1000 * float(np.median(seconds))})
    return rows


def main(argv: list[str] | None = None) -> int:
    from bench_select_k import rfm_matrix

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    X, facts = rfm_matrix(args.data)
    rows = study(X, args.seeds, args.replicates)
    sizes = [size or len(X) for size in SIZES]
    print(f"Online Retail RFM, {len(X):,} customers; weakest segment's mean Jaccard (sd over {args.seeds} seeds) and "
          f"ms per refit, {args.replicates} replicates from scratch\n")
    print("| k | " + " | ".join(f"{n:,} rows" for n in sizes) + " |")
    print("|---:|" + "---:|" * len(sizes))
    for k in range(2, 11):
        cells = [next(r for r in rows if r["k"] == k and r["rows"] == n) for n in sizes]
        print(f"| {k} | " + " | ".join(f"{c['weakest_mean']:.2f} ({c['weakest_sd']:.2f}), {c['refit_ms']:.1f} ms"
                                       for c in cells) + " |")
    if args.json:
        args.json.write_text(json.dumps({"data": facts, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
