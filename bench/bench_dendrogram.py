"""Time and peak memory of the hierarchical step at 20k, 100k and 200k rows.

Each measurement runs in a fresh Python process, so its peak resident memory (``ru_maxrss``) is its own.
The data is the synthetic customer table (:func:`segkit.kinds.customers.synth.generate_customers`), encoded
to 12 dimensions: six numeric columns (age, log income, log spend, visits, basket size, tenure),
standardised after median imputation, and a one-hot preferred category.

Tasks:

- ``tree``: ``linkage_matrix(X, method="ward")`` with the default ``max_rows=20_000`` (one by one with
  fastcluster up to 20k rows, two-stage above);
- ``compare``: ``compare_linkages(X, 5, reference_labels=kmeans)``, the call of notebook 04: ward,
  complete, average and single at the default ``max_rows`` plus a 10,000-row silhouette. At 20k rows
  complete and average need the full pairwise distance matrix (1.6 GB).

Usage::

    python bench/bench_dendrogram.py                 # 20k, 100k, 200k rows, both tasks
    python bench/bench_dendrogram.py --sizes 20000   # one size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("tree", "compare")


def encoded_table(n: int, seed: int = 0) -> np.ndarray:
    """The synthetic customer table, encoded and standardised (n x 12)."""
    import pandas as pd

    from segkit.kinds.customers.synth import generate_customers

    df = generate_customers(n, seed=seed)
    tenure = (df["signup_date"].max() - df["signup_date"]).dt.days.astype(float)
    numeric = pd.DataFrame({
        "age": df["age"], "log_income": np.log1p(df["income"]), "log_spend": np.log1p(df["total_spend"]),
        "visits": df["visit_frequency"].astype(float), "basket": df["basket_size"], "tenure": tenure,
    })
    numeric = numeric.fillna(numeric.median())
    numeric = (numeric - numeric.mean()) / numeric.std()
    onehot = pd.get_dummies(df["preferred_category"], dtype=float)
    return np.ascontiguousarray(np.hstack([numeric.to_numpy(), onehot.to_numpy()]))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def worker(n: int, task: str) -> dict:
    """Run one task on n rows in this process and return its measurements."""
    from sklearn.cluster import KMeans

    from segkit.hierarchy import compare_linkages, linkage_matrix

    X = encoded_table(n)
    reference = KMeans(5, n_init="auto", random_state=0).fit_predict(X) if task == "compare" else None
    base = _rss_mb()
    start = time.perf_counter()
    if task == "tree":
        tree = linkage_matrix(X, method="ward")
        detail = {"two_stage": tree.two_stage, "n_leaves": tree.n_leaves,
                  "cophenetic": round(tree.cophenetic, 3), "segments": np.bincount(tree.assign(5)).tolist()}
    else:
        comp = compare_linkages(X, 5, reference_labels=reference)
        detail = {"best": comp.best, "scores": comp.table[["method", "silhouette", "balance", "ari"]]
                  .round(3).to_dict(orient="records")}
    seconds = time.perf_counter() - start
    return {"rows": n, "dims": X.shape[1], "task": task, "seconds": round(seconds, 2),
            "peak_rss_mb": round(_rss_mb(), 1), "baseline_rss_mb": round(base, 1), **detail}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 200_000])
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--worker", nargs=2, metavar=("ROWS", "TASK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), args.worker[1])))
        return 0
    print("| rows | task | seconds | peak RSS (MB) | RSS before the step (MB) | detail |")
    print("|---:|---|---:|---:|---:|---|")
    for n in args.sizes:
        for task in args.tasks:
            out = subprocess.run([sys.executable, __file__, "--worker", str(n), task], cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            detail = {k: v for k, v in r.items() if k not in ("rows", "task", "seconds", "peak_rss_mb",
                                                              "baseline_rss_mb")}
            print(f"| {n:,} | {task} | {r['seconds']} | {r['peak_rss_mb']:,} | {r['baseline_rss_mb']:,} "
                  f"| {json.dumps(detail)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
