"""The sampled cophenetic correlation of ``04_dendrogram``: the tree the merges induce on the sample (now) against
filling the sample's matrix merge by merge (before), on the same linkages, alternated.

``linkage_matrix`` measures how faithfully each linkage's tree keeps the distances (the cophenetic correlation) on
a seeded sample of at most 2,000 leaves. Both ways give exactly the same number (checked here on every linkage);
this times them side by side: medians of alternated repeats, on the default run's features (the Online Retail
customers' log1p-scaled RFM, 4,334 rows; the bundled data) and on 20,000 rows of the synthetic customer table (the
largest tree built one row at a time).

Usage::

    python bench/bench_cophenetic.py --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from scipy.spatial.distance import pdist
from sklearn.preprocessing import StandardScaler

from segkit.hierarchy.tree import _COPHENETIC_SAMPLE, _cophenetic_sample, linkage_matrix

ROOT = Path(__file__).resolve().parents[1]


def before(Z: np.ndarray, coords: np.ndarray, leaves: np.ndarray) -> float:
    """The code before: the sample's m x m matrix filled at each merge of two parts that hold sampled leaves."""
    n_leaves, m = Z.shape[0] + 1, leaves.size
    pos = np.full(n_leaves, -1, dtype=np.int64)
    pos[leaves] = np.arange(m)
    coph, members = np.zeros((m, m)), {}
    ids = Z[:, :2].astype(np.int64)
    for i in range(n_leaves - 1):
        groups = []
        for child in ids[i]:
            if child >= n_leaves:
                groups.append(members.pop(int(child), []))
            else:
                groups.append([int(pos[child])] if pos[child] >= 0 else [])
        left, right = groups
        if left and right:
            coph[np.ix_(left, right)] = Z[i, 2]
            coph[np.ix_(right, left)] = Z[i, 2]
        if len(left) < len(right):
            left, right = right, left
        left.extend(right)
        if left:
            members[n_leaves + i] = left
    c, d = coph[np.triu_indices(m, 1)], pdist(coords[leaves])
    return float("nan") if c.std() == 0 or d.std() == 0 else float(np.corrcoef(c, d)[0, 1])


def rfm_matrix() -> np.ndarray:
    import pandas as pd

    from segkit.config import load_params
    from segkit.pipeline import build_features, clean_table
    from segkit.source import load_input

    params, _ = load_params([str(ROOT / "params" / "online_retail.yaml")])
    fs = build_features(params, clean_table(params, load_input(params))[0])
    rfm = fs.table[["recency", "frequency", "monetary"]].clip(lower=0)
    return StandardScaler().fit_transform(np.log1p(pd.DataFrame(rfm).to_numpy(float)))


def synthetic_matrix(n: int) -> np.ndarray:
    from segkit.kinds.customers.synth import generate_customers

    table = generate_customers(n, seed=0).select_dtypes("number").fillna(0)
    return StandardScaler().fit_transform(table.to_numpy(float))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for name, X in (("Online Retail RFM", rfm_matrix()), ("synthetic customers", synthetic_matrix(20_000))):
        for method in ("ward", "complete", "average", "single"):
            Z = linkage_matrix(X, method=method).Z
            rng = np.random.default_rng(0)
            leaves = np.sort(rng.choice(len(X), size=min(_COPHENETIC_SAMPLE, len(X)), replace=False))
            assert before(Z, X, leaves) == _cophenetic_sample(Z, X, leaves)
            times: dict[str, list[float]] = {"before": [], "now": []}
            for r in range(args.repeat):
                for label in (("before", "now") if r % 2 == 0 else ("now", "before")):
                    fn = before if label == "before" else _cophenetic_sample
                    t0 = time.perf_counter()
                    fn(Z, X, leaves)
                    times[label].append(time.perf_counter() - t0)
            b, n = statistics.median(times["before"]), statistics.median(times["now"])
            print(f"{name:20s} {len(X):>6,} rows {method:8s} before {b * 1000:7.1f} ms  now {n * 1000:6.1f} ms  "
                  f"x{b / n:4.1f}")


if __name__ == "__main__":
    main()
