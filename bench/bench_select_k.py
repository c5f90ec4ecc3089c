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
    .venv/bin/python bench/bench_select_k.py --n-init 10        # the issue's setting: 10 restarts on both sides

Every configuration runs once as a warm-up (imports, joblib's worker processes), then the configurations
alternate for ``--repeats`` rounds, so load on a shared machine falls on all of them alike; the table gives
the median and best. Imports are excluded from both sides (yellowbrick times ``fit`` inside its process).
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
X = np.load(sys.argv[1]); repeats = int(sys.argv[2]); n_init = sys.argv[3] if sys.argv[3] == "auto" else int(sys.argv[3])
t = time.perf_counter()
from sklearn.cluster import KMeans
from yellowbrick.cluster import KElbowVisualizer
import matplotlib.pyplot as plt
import_s = time.perf_counter() - t

class ClusterKMeans(KMeans):  # yellowbrick 1.5 does not recognise scikit-learn 1.9's KMeans
    _estimator_type = "clusterer"

def run():
    fig, ax = plt.subplots()
    viz = KElbowVisualizer(ClusterKMeans(n_init=n_init, random_state=0), k=(%(k_min)d, %(k_max)d + 1),
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


def time_segkit(X: np.ndarray, n_init, **kwargs) -> tuple[float, object]:
    from segkit.select import select_k

    t = time.perf_counter()
    sel = select_k(X, k_min=K_MIN, k_max=K_MAX, seed=0, n_init=n_init, **kwargs)
    return time.perf_counter() - t, sel


def time_yellowbrick(X: np.ndarray, python: str, n_init, threads: int | None = None) -> dict:
    """One warm-up fit and one timed fit of ``KElbowVisualizer`` in a fresh process (imports excluded)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "X.npy"
        np.save(path, X)
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}
        if threads:  # OpenMP threads of scikit-learn's k-means (default: one per core)
            env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        done = subprocess.run([python, "-c", YB_SCRIPT, str(path), "1", str(n_init)], capture_output=True, text=True,
                              env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"yellowbrick run failed (is {python} set up? see the top of this file):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


FOUR = ["elbow", "silhouette", "calinski_harabasz", "davies_bouldin"]


def alternate(runs: dict, repeats: int) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Every run once as a warm-up (imports, joblib's workers), then ``repeats`` rounds of every run in turn, so load on
    a shared machine falls on all alike: the seconds of each (yellowbrick's ``fit``, timed in its process, or
    ``select_k``'s) and its last result (yellowbrick's JSON, or the ``KSelection``)."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    last: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            out = run()
            times[name].append(out["times_s"][0] if isinstance(out, dict) else out[0])
            last[name] = out if isinstance(out, dict) else out[1]
    return times, last


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--yb-python", default="/tmp/ybvenv/bin/python")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-init", default="auto", help='k-means restarts on both sides: "auto" (the default) or a number')
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    n_init = args.n_init if args.n_init == "auto" else int(args.n_init)

    X, facts = rfm_matrix(args.data)
    print(f"Online Retail RFM: {facts['customers']:,} customers x 3 features from {facts['lines_kept']:,} of "
          f"{facts['lines']:,} lines in {facts['files']} files (built in {facts['build_s']:.1f} s); n_init={n_init}\n")
    runs = {
        "yellowbrick 1.5 KElbowVisualizer, default threads": lambda: time_yellowbrick(X, args.yb_python, n_init),
        "yellowbrick, OMP_NUM_THREADS=1": lambda: time_yellowbrick(X, args.yb_python, n_init, threads=1),
        "segkit select_k, 6 criteria, n_jobs=1": lambda: time_segkit(X, n_init, n_jobs=1),
        "segkit select_k, 6 criteria, n_jobs=2": lambda: time_segkit(X, n_init, n_jobs=2),
        "segkit select_k, 4 criteria (no gap, stability), n_jobs=1": lambda: time_segkit(X, n_init, n_jobs=1,
                                                                                          criteria=FOUR),
    }
    times, last = alternate(runs, args.repeats)
    found: dict[str, object] = {}
    for name, out in last.items():
        if isinstance(out, dict):
            found[name] = f"elbow {out['elbow']}"
        else:
            found[name] = f"elbow {out.preferred.get('elbow')}, recommended {out.recommended_k}"
            found[name + " selection"] = out
    yb = statistics.median(times["yellowbrick 1.5 KElbowVisualizer, default threads"])
    yb1 = statistics.median(times["yellowbrick, OMP_NUM_THREADS=1"])
    print("| run | median (s) | best (s) | median / yellowbrick default | median / yellowbrick 1 thread | k found |")
    print("|---|---:|---:|---:|---:|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.3f} | {min(ts):.3f} | {med / yb:.2f} | {med / yb1:.2f} | {found[name]} |")
    full = found["segkit select_k, 6 criteria, n_jobs=1 selection"]
    print(f"\nsegkit preferred per criterion: {full.preferred}")
    print(f"segkit rationale: {full.rationale}")
    print(f"segkit structure: {full.structure}: {full.structure_note}")
    if args.json:
        args.json.write_text(json.dumps({"data": facts, "n_init": n_init, "times_s": times,
                                         "selection": full.to_dict()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
