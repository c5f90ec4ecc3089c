"""Time the batch against two floors, in the same run, and measure peak memory.

* **batch**: ``segkit run PARAMS`` as a user runs it (papermill kernels, business and analyst HTML, index
  and manifest).
* **notebooks' floor**: the code cells of the same notebooks, with the same parameters, executed in order
  in one plain Python process with ``exec`` (no kernels, no papermill, no HTML); figures are still drawn.
* **bare floor**: what a peer's training script does, in one plain Python process: read the input, clean
  it, build the features, fit one k-means with the k the batch chose, write the profile table (mean of
  every numeric feature per segment) as CSV. No plots, no reports. It uses segkit's own reader, cleaning
  and features (``segkit.pipeline``), so it is the floor of *this* code's data path.

Both floors take memory as the batch's processes do (``segkit/report/allocator.py``), so that they differ from the
batch in their work only.

Each repeat runs the three one after the other (alternated), so load from other work hits them alike;
the summary gives medians and the ratios batch / floor, and the batch's system CPU and page faults (memory the
processes take from the system: ``docs/architecture.md`` item 14). Peak memory of the batch is the largest sum of
resident memory over the driver, the fork server and all the kernels, sampled every 0.1 s: of their RSS (pages
the kernels share with the server count once per kernel) in the timed runs and, on Linux, of their PSS (each
shared page once) in one more batch run after them, which is not timed: reading ``smaps_rollup`` walks a process's
page tables under its memory lock, and sampling it every 0.1 s made the batch about 1.1 s (11%) slower.

    .venv/bin/python bench/bench_batch.py [PARAMS.yaml ...] [--repeat 3] [--code DIR] [--json out.json]

``--code DIR`` benchmarks the segkit checkout in DIR (its ``segkit`` package and ``notebooks``), e.g. the
main branch against a work tree, with this interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tree_memory(proc, *, pss: bool) -> tuple[int, int]:
    """Bytes resident in ``proc`` and its descendants: the sum of their RSS (a page two processes share counts
    twice) and with ``pss``, of their PSS (each shared page split between its sharers, so the sum counts it once;
    Linux only, else 0)."""
    import psutil

    rss = total_pss = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            rss += p.memory_info().rss
        except psutil.Error:
            continue
        total_pss += _pss(p.pid) if pss else 0
    return rss, total_pss


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def _children_usage() -> tuple[float, float, int]:
    """CPU seconds (user + system), system seconds and minor page faults of the finished child processes so far,
    grandchildren included."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_stime, ru.ru_minflt


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far, grandchildren included."""
    return _children_usage()[0]


def _env(code: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(code), MPLBACKEND="Agg")


def run_batch(params: list[str], out: Path, code: Path, *, pss: bool = False) -> dict:
    """One ``segkit run``: wall and CPU seconds, peak RSS sum (and with ``pss``, the peak PSS sum; the run is then
    slowed by the sampling, so its times are not the batch's)."""
    import psutil

    cmd = [sys.executable, "-m", "segkit.cli", "run", *params, "--out", str(out), "--force"]
    t0, before = time.perf_counter(), _children_usage()
    env = _env(code)
    env.pop("MPLBACKEND")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=code, env=env)
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0
    while proc.poll() is None:
        rss, shared_once = _tree_memory(ps, pss=pss)
        peak, peak_pss = max(peak, rss), max(peak_pss, shared_once)
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    cpu, system, faults = (now - then for now, then in zip(_children_usage(), before))
    output = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed:\n{output}")
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text())
    per_nb = manifest["timings"]["notebooks"]
    k = len({line.split(",")[1] for line in next(out.glob("*/artifacts/segments.csv")).read_text().splitlines()[1:]})
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "system_s": round(system, 2),
            "page_faults": faults, "peak_rss_mb": round(peak / 2**20),
            **({"peak_pss_mb": round(peak_pss / 2**20)} if pss else {}), "k": k,
            "execute_s": round(sum(t["execute_s"] for t in per_nb.values()), 2),
            "render_s": round(sum(t.get("render_s", 0) for t in per_nb.values()), 2),
            "per_notebook": per_nb, "log": output.splitlines()}


#: First in both floors' scripts: the allocators' settings of the batch's processes, so that the floors differ from
#: the batch in their work only.
_ALLOCATORS = '''
try:
    from segkit.report.allocator import own_process
    own_process()
except ImportError:  # a checkout from before them
    pass
'''

FLOOR = _ALLOCATORS + r'''
import json, sys, time, resource, os
from pathlib import Path
import nbformat
from segkit.config import load_params
from segkit.report.runner import discover_notebooks, notebook_parameters, _kernel_params
from segkit.io import write_json

params_files, run_dir = json.loads(sys.argv[1]), Path(sys.argv[2])
params, _ = load_params(params_files)
run_dir.mkdir(parents=True, exist_ok=True)
write_json(run_dir / "params.json", params.model_dump())
notebooks = discover_notebooks(Path(sys.argv[3]), params.data_kind, params)
done, order = set(), []  # the batch's order: a notebook after those it (or one of its cells) waits for
while len(order) < len(notebooks):
    nb = next(nb for nb in notebooks if nb.name not in done and set(nb.after + getattr(nb, "cells_after", [])) <= done)
    order.append(nb)
    done.add(nb.name)
# read before the clock starts: nbformat validates with jsonschema, whose import builds rfc3987-syntax's grammars
# (about 1.9 s) in this process only; kernels never import it
books = {nb.name: nbformat.read(str(nb.path), as_version=4) for nb in order}
declared = {nb.name: _kernel_params(params, notebook_parameters(nb.path), run_dir) for nb in order}
t0 = time.perf_counter()
for nb in order:
    values = declared[nb.name]
    cells = [c for c in books[nb.name].cells if c.cell_type == "code"]
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

BARE = _ALLOCATORS + r'''
import json, sys, time, resource
t0 = time.perf_counter()
from pathlib import Path
import numpy as np
from sklearn.cluster import KMeans
from segkit.config import load_params
from segkit.pipeline import build_features, clean_table, clustering_matrix
from segkit.source import load_input

params, _ = load_params(json.loads(sys.argv[1]))
k, out = int(sys.argv[2]), Path(sys.argv[3])
fs = build_features(params, clean_table(params, load_input(params))[0])
X = clustering_matrix(params, fs)
labels = KMeans(n_clusters=k, n_init=params.n_init, random_state=params.seed).fit_predict(X)
out.mkdir(parents=True, exist_ok=True)
numeric = fs.table.select_dtypes("number")
numeric.groupby(labels).agg(["mean", "median"]).assign(size=np.bincount(labels)).to_csv(out / "profile.csv")
print(json.dumps({"wall_s": round(time.perf_counter() - t0, 2), "rows": len(fs.table),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
'''


def _python(script: str, args: list[str], cwd: Path, code: Path, what: str) -> dict:
    t0, cpu0 = time.perf_counter(), _children_cpu()
    res = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd,
                         env=_env(code))
    if res.returncode != 0:
        raise SystemExit(f"{what} failed:\n{res.stderr[-3000:]}")
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["wall_with_startup_s"] = round(time.perf_counter() - t0, 2)
    data["cpu_s"] = round(_children_cpu() - cpu0, 2)
    return data


def run_floor(params: list[str], out: Path, code: Path) -> dict:
    """The notebooks' own code in one process (interpreter start-up and imports included)."""
    return _python(FLOOR, [json.dumps(params), str(out / "floor"), str(code / "notebooks")], code / "notebooks",
                   code, "floor")


def run_bare(params: list[str], out: Path, code: Path, k: int) -> dict:
    """Read, clean, features, one k-means with the batch's k, a profile table (start-up included)."""
    return _python(BARE, [json.dumps(params), str(k), str(out / "bare")], code, code, "bare floor")


def kernel_startup(out: Path, code: Path, repeat: int = 3) -> float:
    """Seconds papermill needs for a one-cell notebook: kernel start, import of segkit, shutdown."""
    import nbformat
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import segkit, segkit.stages, segkit.report.cards")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = out / "startup.ipynb"
    nbformat.write(nb, src)
    times = []
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(code)
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            pm.execute_notebook(str(src), str(out / "startup.out.ipynb"), kernel_name="python3", progress_bar=False)
            times.append(time.perf_counter() - t0)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return round(statistics.median(times), 2)


def _median(runs: list[dict], *path: str) -> float:
    values = []
    for r in runs:
        for p in path:
            r = r[p]
        values.append(r)
    return round(statistics.median(values), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", nargs="*", default=["params/online_retail.yaml"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--startup", action="store_true", help="also time a kernel start with import segkit")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    code = args.code.resolve()
    params = [str(Path(p).resolve()) for p in args.params]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            batch = run_batch(params, Path(tmp) / f"b{i}", code)
            floor = run_floor(params, Path(tmp) / f"f{i}", code)
            bare = run_bare(params, Path(tmp) / f"f{i}", code, batch["k"])
            runs.append({"batch": batch, "floor": floor, "bare": bare})
            print(f"run {i + 1}: batch {batch['wall_s']:.1f}s (cpu {batch['cpu_s']:.1f}s, of which system "
                  f"{batch['system_s']:.1f}s, {batch['page_faults'] / 1e6:.2f} million page faults, peak RSS sum "
                  f"{batch['peak_rss_mb']} MB, k={batch['k']}), notebooks' floor {floor['wall_with_startup_s']:.1f}s "
                  f"(cpu {floor['cpu_s']:.1f}s), "
                  f"bare floor {bare['wall_with_startup_s']:.1f}s (cpu {bare['cpu_s']:.1f}s)", flush=True)
        memory = run_batch(params, Path(tmp) / "memory", code, pss=True)
        print(f"memory run (not timed): peak RSS sum {memory['peak_rss_mb']} MB, PSS sum {memory['peak_pss_mb']} MB",
              flush=True)
        startup = kernel_startup(Path(tmp), code) if args.startup else None
    b, f, z = (_median(runs, "batch", "wall_s"), _median(runs, "floor", "wall_with_startup_s"),
               _median(runs, "bare", "wall_with_startup_s"))
    summary = {"params": params, "code": str(code), "cpus": os.cpu_count(), "repeat": args.repeat,
               "median_batch_s": b, "median_notebooks_floor_s": f, "median_bare_floor_s": z,
               "batch_over_notebooks_floor": round(b / f, 2), "batch_over_bare_floor": round(b / z, 2),
               "median_cpu_s": {w: _median(runs, w, "cpu_s") for w in ("batch", "floor", "bare")},
               "median_batch_system_s": _median(runs, "batch", "system_s"),
               "median_batch_page_faults": _median(runs, "batch", "page_faults"),
               "median_peak_rss_mb": _median(runs, "batch", "peak_rss_mb"),
               "peak_pss_mb": memory["peak_pss_mb"], "kernel_startup_s": startup,
               "per_notebook_last_run": runs[-1]["batch"]["per_notebook"]}
    if args.json:
        args.json.write_text(json.dumps({**summary, "runs": runs}, indent=2))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
