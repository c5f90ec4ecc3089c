"""Benchmark: the whole demographics batch on a national-size table of 33,000 generated ZCTAs.

``segkit run params/acs_national_synth.yaml`` as a user runs it: the table is generated from the bundled
Delaware ACS rows (``synth://acs?n=33000&seed=0``), then the five notebooks run in papermill kernels
(two at a time), each rendered to business and analyst HTML, plus the index and the manifest.

Measured:

* **wall time** of the whole command, and each notebook's execute/render time from the manifest;
* **peak memory**: the largest sum of resident memory over the driver and all its kernels, sampled
  every 0.1 s with psutil (``peak_rss_mb``), and the largest single process (``peak_process_mb``);
* the time to generate the table alone (``generate_s``, in this process), for reference.

    .venv/bin/python bench/bench_acs_national.py [--params FILE ...] [--out DIR] [--notebooks DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PARAMS = ROOT / "params" / "acs_national_synth.yaml"


def _rss(proc) -> tuple[int, int]:
    """Sum and maximum of resident memory over ``proc`` and its descendants."""
    import psutil

    values = []
    for p in [proc, *proc.children(recursive=True)]:
        try:
            values.append(p.memory_info().rss)
        except psutil.Error:
            pass
    return sum(values), max(values, default=0)


def run_batch(params: list[str], out: Path, notebooks: str | None = None) -> dict:
    """Run the batch in a subprocess; return wall time, peak memory and the progress lines."""
    import psutil

    cmd = [str(Path(sys.executable).with_name("segkit")), "run", *params, "--out", str(out), "--force"]
    if notebooks:
        cmd += ["--notebooks", notebooks]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak_sum = peak_one = 0
    while proc.poll() is None:
        total, largest = _rss(ps)
        peak_sum, peak_one = max(peak_sum, total), max(peak_one, largest)
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    lines = proc.stdout.read().splitlines()
    if proc.returncode != 0:
        raise SystemExit("batch failed:\n" + "\n".join(lines))
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(peak_sum / 2**20), "peak_process_mb": round(peak_one / 2**20),
            "progress": [line for line in lines if line.startswith("[")]}


def generate_seconds(params_file: Path) -> tuple[float, int, str]:
    """Time generating the synthetic table alone (what the load step of 01 does); also the run's name."""
    sys.path.insert(0, str(ROOT))
    from segkit.config import load_params
    from segkit.io import read_synth

    params, _ = load_params(params_file)
    t0 = time.perf_counter()
    table = read_synth(params.data_path)
    return round(time.perf_counter() - t0, 2), len(table), params.run_name


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--params", nargs="+", default=[str(DEFAULT_PARAMS)], help="params files (default: %(default)s)")
    ap.add_argument("--out", default=None, help="folder for the run (default: a temporary folder)")
    ap.add_argument("--notebooks", default=None, help="folder of the report notebooks (default: the repository's)")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args(argv)

    gen_s, n_rows, run_name = generate_seconds(Path(args.params[-1]))
    with tempfile.TemporaryDirectory(prefix="bench-acs-") as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        result = run_batch(args.params, out, args.notebooks)
        run_dir = out / run_name
        manifest = json.loads((run_dir / "manifest.json").read_text())
        k = json.loads((run_dir / "artifacts" / "k_summary.json").read_text())["chosen_k"]
        final_rows = sum(1 for _ in (run_dir / "artifacts" / "final_segments.csv").open()) - 1
    result.update({"rows": n_rows, "generate_s": gen_s, "chosen_k": k, "final_segments_rows": final_rows,
                   "notebooks": manifest.get("timings") or manifest.get("notebooks")})
    print(f"{n_rows:,} areas: wall {result['wall_s']} s, peak memory {result['peak_rss_mb']} MB (driver + kernels; "
          f"largest process {result['peak_process_mb']} MB), k={k}, final_segments.csv {final_rows:,} rows; "
          f"generating the table alone {gen_s} s")
    for line in result["progress"]:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
