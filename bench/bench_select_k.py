"""Benchmark: ``segkit.select.select_k`` against yellowbrick's ``KElbowVisualizer`` on Online Retail RFM.

Both choose k in 2..10 with ``KMeans(n_init="auto")`` on the same matrix: the Online Retail customers'
recency, frequency and monetary value, log1p-transformed and standardised. yellowbrick computes one
criterion (the distortion elbow, located with kneed); ``select_k`` computes six (elbow, silhouette,
Calinski-Harabasz, Davies-Bouldin, gap statistic with B references, bootstrap stability) plus the
consensus. yellowbrick 1.5 runs in its own virtual environment, in a subprocess, because it restyles
matplotlib on import and rejects scikit-learn 1.9's ``KMeans`` unless a subclass declares
``_estimator_type = "clusterer"``.

How to run (from the repository root)::

    python3 -m venv /tmp/ybvenv
    /tmp/ybvenv/bin/pip install yellowbrick==1.5 numpy==2.4.6 scikit-learn==1.9.1 pandas==3.1.1 \\
        scipy==1.17.1 matplotlib==3.11.2 threadpoolctl==3.8.0 joblib==1.6.0
    .venv/bin/python bench/bench_select_k.py                     # data: ../shared/data/online_retail/by-day
    .venv/bin/python bench/bench_select_k.py --repeats 5 --data DIR --yb-python /tmp/ybvenv/bin/python

Timings are the median and best of ``--repeats`` runs after one warm-up run (the warm-up, which includes starting
joblib's worker processes, is reported as "first call"). Imports are excluded from both sides.
yellowbrick runs twice: with scikit-learn's default OpenMP threads (one per core) and with one thread,
since on a busy 2-core machine spinning OpenMP threads can make the default much slower.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

K_MIN, K_MAX = 2, 10

YB_SCRIPT = r"""
import json, sys, time
import numpy as np
X = np.load(sys.argv[1]); repeats = int(sys.argv[2])
t = time.perf_counter()
from sklearn.cluster import KMeans
from yellowbrick.cluster import KElbowVisualizer
import matplotlib.pyplot as plt
import_s = time.perf_counter() - t

class ClusterKMeans(KMeans):  # yellowbrick 1.5 does not recognise scikit-learn 1.9's KMeans
    _estimator_type = "clusterer"

def run():
    fig, ax = plt.subplots()
    viz = KElbowVisualizer(ClusterKMeans(n_init="auto", random_state=0), k=(%(k_min)d, %(k_max)d + 1),
                           metric="distortion", timings=False, locate_elbow=True, ax=ax)
    t = time.perf_counter()
    viz.fit(X)
    elapsed = time.perf_counter() - t
    plt.close(fig)
    return elapsed, viz

first, viz = run()
times = [run()[0] for _ in range(repeats)]
print(json.dumps({"import_s": import_s, "first_s": first, "times_s": times,
                  "elbow": None if viz.elbow_value_ is None else int(viz.elbow_value_),
                  "scores": [float(s) for s in viz.k_scores_]}))
""" % {"k_min": K_MIN, "k_max": K_MAX}


def rfm_matrix(folder: Path) -> tuple[np.ndarray, dict]:
    """Online Retail customers' log1p RFM, standardised; and facts about the build."""
    t = time.perf_counter()
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {folder}: pass --data with the by-day folder of Online Retail")
    raw = pd.concat((pd.read_csv(f, dtype={"InvoiceNo": str, "StockCode": str}) for f in files), ignore_index=True)
    df = raw.dropna(subset=["CustomerID"])
    df = df[~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)].copy()
    df["date"] = pd.to_datetime(df["InvoiceDate"])
    df["amount"] = df["Quantity"] * df["UnitPrice"]
    snapshot = df["date"].max().normalize() + pd.Timedelta(days=1)
    g = df.groupby("CustomerID")
    rfm = pd.DataFrame({
        "recency": (snapshot - g["date"].max().dt.normalize()).dt.days,
        "frequency": g["InvoiceNo"].nunique(),
        "monetary": g["amount"].sum(),
    })
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(np.log1p(rfm.to_numpy(dtype=float)))
    return X, {"files": len(files), "lines": len(raw), "lines_kept": len(df), "customers": len(rfm),
               "build_s": time.perf_counter() - t}


def time_segkit(X: np.ndarray, repeats: int, **kwargs) -> dict:
    from segkit.select import select_k

    t = time.perf_counter()
    sel = select_k(X, k_min=K_MIN, k_max=K_MAX, seed=0, n_init="auto", **kwargs)
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        again = select_k(X, k_min=K_MIN, k_max=K_MAX, seed=0, n_init="auto", **kwargs)
        times.append(time.perf_counter() - t)
    assert again.to_dict() == sel.to_dict(), "select_k is not deterministic"
    return {"first_s": first, "times_s": times, "selection": sel}


def time_yellowbrick(X: np.ndarray, python: str, repeats: int, threads: int | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "X.npy"
        np.save(path, X)
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}
        if threads:  # OpenMP threads of scikit-learn's k-means (default: one per core)
            env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        done = subprocess.run([python, "-c", YB_SCRIPT, str(path), str(repeats)], capture_output=True, text=True,
                              env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"yellowbrick run failed (is {python} set up? see the top of this file):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--yb-python", default="/tmp/ybvenv/bin/python")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    X, facts = rfm_matrix(args.data)
    print(f"Online Retail RFM: {facts['customers']:,} customers x 3 features from {facts['lines_kept']:,} of "
          f"{facts['lines']:,} lines in {facts['files']} files (built in {facts['build_s']:.1f} s)\n")
    yb = time_yellowbrick(X, args.yb_python, args.repeats)
    yb1 = time_yellowbrick(X, args.yb_python, args.repeats, threads=1)
    runs = {
        "segkit select_k, all 6 criteria, n_jobs=1": time_segkit(X, args.repeats, n_jobs=1),
        "segkit select_k, all 6 criteria, n_jobs=2": time_segkit(X, args.repeats, n_jobs=2),
        "segkit select_k, elbow/silhouette/CH/DB only, n_jobs=1": time_segkit(
            X, args.repeats, n_jobs=1, criteria=["elbow", "silhouette", "calinski_harabasz", "davies_bouldin"]),
    }
    yb_median, yb1_median = statistics.median(yb["times_s"]), statistics.median(yb1["times_s"])
    print("| run | criteria | median wall (s) | best (s) | first call (s) | median / yellowbrick 1-thread "
          "median | k found |")
    print("|---|---|---|---|---|---|---|")
    print(f"| yellowbrick 1.5 KElbowVisualizer (distortion), default threads | elbow | {yb_median:.2f} "
          f"| {min(yb['times_s']):.2f} | {yb['first_s']:.2f} | {yb_median / yb1_median:.1f} | elbow {yb['elbow']} |")
    print(f"| yellowbrick, OMP_NUM_THREADS=1 | elbow | {yb1_median:.2f} | {min(yb1['times_s']):.2f} "
          f"| {yb1['first_s']:.2f} | 1.0 | elbow {yb1['elbow']} |")
    results = {"data": facts, "yellowbrick": {**yb, "median_s": yb_median},
               "yellowbrick_1_thread": {**yb1, "median_s": yb1_median}, "segkit": {}}
    for name, r in runs.items():
        sel, median = r["selection"], statistics.median(r["times_s"])
        crit = ", ".join(sel.params["criteria"])
        print(f"| {name} | {crit} | {median:.2f} | {min(r['times_s']):.2f} | {r['first_s']:.2f} "
              f"| {median / yb1_median:.1f} | elbow {sel.preferred.get('elbow')}, recommended {sel.recommended_k} |")
        results["segkit"][name] = {"median_s": median, "first_s": r["first_s"], "times_s": r["times_s"],
                                   "selection": sel.to_dict()}
    full = runs["segkit select_k, all 6 criteria, n_jobs=1"]["selection"]
    same = yb["elbow"] == full.preferred["elbow"]
    print(f"\nyellowbrick import: {yb['import_s']:.2f} s (excluded). Same elbow: {same} "
          f"(yellowbrick {yb['elbow']}, segkit {full.preferred['elbow']}).")
    print(f"segkit preferred per criterion: {full.preferred}")
    print(f"segkit rationale: {full.rationale}")
    print(f"segkit structure: {full.structure}: {full.structure_note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
