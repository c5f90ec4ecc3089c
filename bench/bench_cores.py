"""Study: how many cores a batch keeps busy, moment by moment (issue 18).

The batch is CPU-bound on two cores: its wall time is about its CPU seconds over two, plus every moment one core
waits. This samples the machine's busy cores from ``/proc/stat`` every ``--every`` seconds while one ``segkit run``
runs, and prints the batch's own progress lines beside the samples: a stretch of 1.0 is a core left idle (the
driver checking the input alone, say, while the kernels' fork server waited for its first request). Other work on
the machine counts too, so run it on a quiet machine and read it beside the run's own timings.

How to run (from the repository root)::

    .venv/bin/python bench/bench_cores.py params/online_retail.yaml
    .venv/bin/python bench/bench_cores.py params/acs_delaware.yaml --every 0.1
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu_times() -> tuple[int, int]:
    """(all, idle) jiffies of the machine since boot."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # idle and iowait


def sample(params: str, every: float) -> tuple[list[tuple[float, float]], list[str]]:
    """Busy cores per ``every`` seconds during ``segkit run params``, and the run's progress lines."""
    cores = len([line for line in open("/proc/stat", encoding="ascii") if line.startswith("cpu") and line[3].isdigit()])
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def watch() -> None:
        t0, before = time.perf_counter(), _cpu_times()
        while not done.is_set():
            time.sleep(every)
            now = _cpu_times()
            total, idle = now[0] - before[0], now[1] - before[1]
            samples.append((time.perf_counter() - t0, cores * (total - idle) / total if total else 0.0))
            before = now

    with tempfile.TemporaryDirectory() as out:
        watcher = threading.Thread(target=watch)
        watcher.start()
        run = subprocess.run([sys.executable, "-m", "segkit.cli", "run", params, "--force", "--out", out], cwd=ROOT,
                             capture_output=True, text=True, check=False)
        done.set()
        watcher.join()
    if run.returncode != 0:
        raise SystemExit(f"the run failed:\n{run.stdout}{run.stderr}")
    return samples, [line for line in run.stdout.splitlines() if " started" in line or " done (" in line]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("params", help="params file of the run")
    ap.add_argument("--every", type=float, default=0.25, help="seconds between samples (default 0.25)")
    args = ap.parse_args(argv)
    samples, lines = sample(args.params, args.every)
    print("\n".join(lines))
    print("seconds since the command started : busy cores")
    print(" ".join(f"{t:.2f}:{busy:.1f}" for t, busy in samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
