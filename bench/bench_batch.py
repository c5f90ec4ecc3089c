"""Time the default batch against its floor, and measure peak memory.

* **batch**: ``segkit run params/online_retail.yaml`` as a user runs it (papermill kernels, two at a
  time, business and analyst HTML, index and manifest), on the full Online Retail data.
* **floor**: the same computations in one plain Python process: the code cells of the same notebooks,
  with the same parameters, executed in order with ``exec`` — no kernels, no papermill, no HTML.
  Figures are still drawn and encoded as PNG, as in the reports.

Peak memory of the batch is the largest sum of resident memory over the driver and all its kernels,
sampled every 0.1 s with psutil; the floor's is its own peak RSS.

    .venv/bin/python bench/bench_batch.py [PARAMS.yaml ...] [--repeat N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_batch(params: list[str], out: Path) -> dict:
    import psutil

    cmd = [str(ROOT / ".venv" / "bin" / "segkit"), "run", *params, "--out", str(out), "--force"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(ps))
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    output = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed:\n{output}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(peak / 2**20), "log": output.splitlines()[-8:]}


FLOOR = r'''
import json, sys, time, resource, os
from pathlib import Path
import nbformat
from segkit.config import load_params
from segkit.report.runner import discover_notebooks, notebook_parameters, _kernel_params, default_notebooks_dir
from segkit.io import write_json

params_files, run_dir = json.loads(sys.argv[1]), Path(sys.argv[2])
params, _ = load_params(params_files)
run_dir.mkdir(parents=True, exist_ok=True)
write_json(run_dir / "params.json", params.model_dump())
notebooks = discover_notebooks(Path(sys.argv[3]), params.data_kind)
t0 = time.perf_counter()
for nb in notebooks:
    values = _kernel_params(params, notebook_parameters(nb.path), run_dir)
    cells = [c for c in nbformat.read(str(nb.path), as_version=4).cells if c.cell_type == "code"]
    ns = {"__name__": "__main__"}
    for cell in cells:
        exec(compile(cell.source, f"{nb.name}", "exec"), ns)
        if "parameters" in cell.metadata.get("tags", []):
            ns.update(values)
    import matplotlib.pyplot as plt
    plt.close("all")
print(json.dumps({"wall_s": round(time.perf_counter() - t0, 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
'''


def run_floor(params: list[str], out: Path) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", FLOOR, json.dumps(params), str(out / "floor"),
                          str(ROOT / "notebooks")], capture_output=True, text=True, cwd=ROOT / "notebooks", env=env)
    if res.returncode != 0:
        raise SystemExit(f"floor failed:\n{res.stderr[-3000:]}")
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["wall_with_startup_s"] = round(time.perf_counter() - t0, 2)
    return data


def kernel_startup(out: Path, repeat: int = 3) -> float:
    """Seconds papermill needs for a one-cell notebook: kernel start, import of segkit, shutdown."""
    import nbformat
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import segkit")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = out / "startup.ipynb"
    nbformat.write(nb, src)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        pm.execute_notebook(str(src), str(out / "startup.out.ipynb"), kernel_name="python3", progress_bar=False)
        times.append(time.perf_counter() - t0)
    return round(sorted(times)[len(times) // 2], 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", nargs="*", default=["params/online_retail.yaml"])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.params = [str(Path(p).resolve()) for p in args.params]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            batch = run_batch(args.params, Path(tmp) / f"b{i}")
            floor = run_floor(args.params, Path(tmp) / f"f{i}")
            ratio = batch["wall_s"] / floor["wall_with_startup_s"]
            manifest = json.loads(next((Path(tmp) / f"b{i}").glob("*/manifest.json")).read_text())
            per_nb = manifest["timings"]["notebooks"]
            batch["execute_s"] = round(sum(t["execute_s"] for t in per_nb.values()), 2)
            batch["render_s"] = round(sum(t["render_s"] for t in per_nb.values()), 2)
            batch["per_notebook"] = per_nb
            results.append({"batch": batch, "floor": floor, "ratio": round(ratio, 2)})
            print(f"run {i + 1}: batch {batch['wall_s']:.1f}s (peak {batch['peak_rss_mb']} MB), "
                  f"floor {floor['wall_with_startup_s']:.1f}s (peak {floor['peak_rss_mb']} MB), ratio {ratio:.2f}")
        startup = kernel_startup(Path(tmp))
        print(f"kernel start-up + import segkit + shutdown, per notebook: {startup:.2f}s (median of 3)")
    summary = {"params": args.params, "cpus": os.cpu_count(), "kernel_startup_s": startup, "runs": results}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}))


if __name__ == "__main__":
    main()
