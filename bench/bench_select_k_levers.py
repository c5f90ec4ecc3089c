"""Study: how fast six-criterion k selection gets with the levers that keep its criteria, against yellowbrick.

Issue 18 asks ``select_k``'s six criteria to be no slower than yellowbrick's ``KElbowVisualizer`` alone on the
Online Retail RFM matrix (k = 2..10, the same ``n_init``). The levers its parameters already offer, each a change of
what the criteria rest on: fewer gap references (``gap_references``, 5 as shipped), fewer bootstrap replicates at most
(``bootstrap``, 20; resampling already stops once settled), and stability on fewer rows (``stability_sample_size``,
5,000: ``bench_stability_rows.py`` shows what fewer rows do to the Jaccard it reads). This script times each, and
their combinations, against yellowbrick in one run (alternated rounds, medians), and prints what each changes in
the selection: the k each criterion prefers and the k recommended.

How to run (from the repository root; yellowbrick's environment as in ``bench_select_k.py``)::

    .venv/bin/python bench/bench_select_k_levers.py --yb-python /tmp/ybvenv/bin/python --n-init 10 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_select_k import ROOT, alternate, rfm_matrix, time_segkit, time_yellowbrick  # noqa: E402

#: name -> select_k keyword arguments (two processes, as the batch runs it)
LEVERS = {
    "as shipped (5 gap references, up to 20 replicates)": {},
    "3 gap references": {"gap_references": 3},
    "up to 10 replicates": {"bootstrap": 10},
    "3 references, up to 10 replicates": {"gap_references": 3, "bootstrap": 10},
    "3 references, up to 10 replicates, stability on 2,000 rows": {"gap_references": 3, "bootstrap": 10,
                                                                   "stability_sample_size": 2_000},
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail" / "by-day")
    ap.add_argument("--yb-python", default="/tmp/ybvenv/bin/python")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-init", default="10", help='k-means restarts on both sides: "auto" or a number')
    args = ap.parse_args(argv)
    n_init = args.n_init if args.n_init == "auto" else int(args.n_init)
    X, facts = rfm_matrix(args.data)
    print(f"Online Retail RFM: {facts['customers']:,} customers x 3 features; n_init={n_init}; two processes\n")
    runs = {"yellowbrick 1.5 KElbowVisualizer, default threads": lambda: time_yellowbrick(X, args.yb_python, n_init)}
    runs.update({name: (lambda kw=kw: time_segkit(X, n_init, n_jobs=2, **kw)) for name, kw in LEVERS.items()})
    times, found = alternate(runs, args.repeats)
    yb = statistics.median(times["yellowbrick 1.5 KElbowVisualizer, default threads"])
    print("| run | median (s) | / yellowbrick | preferred k per criterion | recommended |")
    print("|---|---:|---:|---|---:|")
    for name, ts in times.items():
        sel = found[name]
        prefs = (f"elbow {sel['elbow']}" if isinstance(sel, dict) else
                 ", ".join(f"{c} {k}" for c, k in sel.preferred.items()))
        rec = "" if isinstance(sel, dict) else str(sel.recommended_k)
        print(f"| {name} | {statistics.median(ts):.3f} | {statistics.median(ts) / yb:.2f} | {prefs} | {rec} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
