"""Benchmark: the same batch from two checkouts, alternated run by run (issue 18).

On a shared, noisy machine a change is measured against the code before it by running both in one loop: A, B,
B, A, A, B, ... (each pair in the other order than the one before), each ``segkit run PARAMS --out <fresh folder>
--force`` with its checkout first on ``PYTHONPATH`` and the checkout as the working folder (so relative params
paths are the checkout's own). Prints each run's wall and CPU seconds (the command and all its children: driver,
fork server, kernels) and the medians, and how many pairs each side won.

How to run (from the repository root; the other checkout e.g. ``git worktree add /tmp/prev <commit>``, with
``../shared`` reachable from it the way it is from here)::

    .venv/bin/python bench/bench_pairs.py params/online_retail.yaml --other /tmp/prev --pairs 6
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_batch import _children_cpu  # this folder is on sys.path when a script of it runs

ROOT = Path(__file__).resolve().parents[1]


def run_once(params: str, code: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``segkit run`` of ``params`` with the code of ``code``."""
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, PYTHONPATH=str(code))
        t0, cpu0 = time.perf_counter(), _children_cpu()
        done = subprocess.run([sys.executable, "-m", "segkit.cli", "run", params, "--out", out, "--force"], cwd=code,
                              env=env, capture_output=True, text=True, check=False)
        wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"the run with {code} failed:\n{done.stdout}{done.stderr}")
    return round(wall, 2), round(cpu, 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("params", help="params file, relative to each checkout")
    ap.add_argument("--other", type=Path, required=True, help="the checkout to compare with (e.g. the code before)")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout measured (default: this one)")
    ap.add_argument("--pairs", type=int, default=6)
    args = ap.parse_args(argv)
    sides = {"this": args.code.resolve(), "other": args.other.resolve()}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for i in range(args.pairs):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            runs[name].append(run_once(args.params, sides[name]))
            print(f"pair {i + 1} {name}: {runs[name][-1][0]:.2f} s wall, {runs[name][-1][1]:.2f} CPU s", flush=True)
    wins = sum(a[0] < b[0] for a, b in zip(runs["this"], runs["other"]))
    for name, code in sides.items():
        walls, cpus = [r[0] for r in runs[name]], [r[1] for r in runs[name]]
        print(f"{name} ({code}): median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} CPU s")
    this, other = (statistics.median(r[0] for r in runs[n]) for n in sides)
    print(f"this / other: {this / other:.3f}; this was faster in {wins} of {args.pairs} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
