"""Benchmark: reading the 305 daily CSVs of Online Retail as one table, this checkout against another (issue 12).

``segkit.io.read.read_table`` on ``../shared/data/online_retail/by-day/`` in a fresh process per run (imports not
timed), the two checkouts alternated (A B B A ...), medians. Measures what a folder's per-file checks (decimal marks,
``io.columns.one_decimal_mark``) add to the read. Usage (the other checkout e.g. ``git worktree add /tmp/prev REV``)::

    .venv/bin/python bench/bench_folder_read.py --other /tmp/prev --pairs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT.parent / "shared" / "data" / "online_retail" / "by-day"
_TIMED = ("import sys, time; from segkit.io.read import read_table; t = time.perf_counter(); "
          "df = read_table(sys.argv[1]); print(time.perf_counter() - t, len(df))")


def read_once(code: Path) -> float:
    """Seconds of one ``read_table`` of the folder with the code of ``code``."""
    out = subprocess.run([sys.executable, "-c", _TIMED, str(FOLDER)], env=dict(os.environ, PYTHONPATH=str(code)),
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other", type=Path, required=True, help="the checkout to compare with")
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    times: dict[str, list[float]] = {"this": [], "other": []}
    for i in range(args.pairs):
        for name in (("this", "other") if i % 2 == 0 else ("other", "this")):
            times[name].append(read_once(ROOT if name == "this" else args.other.resolve()))
            print(f"pair {i + 1} {name}: {times[name][-1]:.2f} s", flush=True)
    this, other = statistics.median(times["this"]), statistics.median(times["other"])
    print(f"this: median {this:.2f} s; other: median {other:.2f} s; this / other: {this / other:.3f}")


if __name__ == "__main__":
    main()
