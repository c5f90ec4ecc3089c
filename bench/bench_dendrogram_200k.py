"""Peak memory of notebook 04 (the dendrogram) on a generated customer table of 200,000 rows.

The issue's target: the customers kind runs the dendrogram notebook on 200k generated customers with a
peak resident memory under 8 GB. This measures exactly what notebook 04 computes, through the same
pipeline calls, in one fresh Python process (so ``ru_maxrss`` is its own):

1. the stages before it: ``load`` (``synth://customers?n=200000``), ``clean``, ``build_features``
   (roles detected, dates as ages, categories kept), with k fixed (``k: 5``) instead of notebook 03;
2. ``pipeline.hierarchy``: the customers preprocessor (median imputation, log of skewed numbers,
   scaling, one-hot categories: 24 columns), a k-means reference, and ward, complete, average and
   single linkage compared at the default ``max_hierarchy_rows`` (two-stage above 20,000 rows) with a
   10,000-row silhouette;
3. the notebook's two figures: the linkage comparison and the truncated dendrogram.

The peak is reported after each step, with the time taken. Usage::

    python bench/bench_dendrogram_200k.py                  # 200,000 rows
    python bench/bench_dendrogram_200k.py --rows 50000     # another size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 8 * 1024


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def worker(rows: int) -> dict:
    """Run the notebook-04 computations on ``rows`` generated customers; return the measurements."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from segkit import pipeline, plots, stages
    from segkit.config import params_from_mapping
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    steps, t0 = [], time.perf_counter()

    def mark(step: str, **detail) -> None:
        nonlocal t0
        now = time.perf_counter()
        steps.append({"step": step, "seconds": round(now - t0, 1), "peak_rss_mb": round(_rss_mb(), 1), **detail})
        t0 = now

    mark("import")
    with tempfile.TemporaryDirectory() as tmp:
        params = params_from_mapping({"data_kind": "customers", "data_path": f"synth://customers?n={rows}&seed=7",
                                      "k": 5, "seed": 42})
        nb = RunContext(params, RunFolder(tmp).ensure())
        cleaned, _ = stages.eda.clean(nb, stages.eda.load(nb))
        fs = stages.features.build_features(nb, cleaned)
        del cleaned
        mark("load, clean, features", rows=len(fs.table), columns=len(fs.columns))
        X = stages.select_k.clustering_matrix(nb, fs)
        mark("clustering matrix", dims=int(X.shape[1]))
        comparison = stages.dendrogram.hierarchy(nb, X)
        two_stage = any(getattr(h, "two_stage", False) for h in comparison.hierarchies.values())
        mark("hierarchy (4 linkages)", best=comparison.best, two_stage=two_stage)
        fig = plots.linkage_comparison_figure(comparison, k=5)
        plt.close(fig)
        ax = plots.plot_dendrogram(comparison.hierarchies[comparison.best], k=5, truncate=params.dendrogram_leaves)
        plt.close(ax.figure)
        mark("figures")
    return {"rows": rows, "peak_rss_mb": round(_rss_mb(), 1), "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--worker", str(args.rows)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"notebook 04 computations on {result['rows']:,} generated customers "
          f"({time.perf_counter() - start:.0f} s in all, including start-up)")
    print("| step | seconds | peak RSS so far (MB) | detail |")
    print("|---|---:|---:|---|")
    for s in result["steps"]:
        detail = {k: v for k, v in s.items() if k not in ("step", "seconds", "peak_rss_mb")}
        print(f"| {s['step']} | {s['seconds']} | {s['peak_rss_mb']:,} | {json.dumps(detail) if detail else ''} |")
    peak = result["peak_rss_mb"]
    verdict = "under" if peak < LIMIT_MB else "OVER"
    print(f"peak resident memory: {peak:,.0f} MB ({peak / 1024:.2f} GB), {verdict} the 8 GB limit")
    return 0 if peak < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
