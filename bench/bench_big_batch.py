"""Benchmark: the whole default batch on transaction tables of growing size, per engine (issue 13).

For each size (the 541,909 real lines of the bundled Online Retail data, and ``synth://transactions`` tables of
1M, 10M, ... lines written once to Parquet under ``--data``) and each engine (``pandas``, ``duckdb``, ``auto``), it
runs ``segkit run`` as a user does, with the default params (``params/online_retail.yaml``) pointed at the table,
and records:

* the **wall time** of the whole command and each notebook's execute time (from the run's manifest);
* the **peak memory** of the driver plus all its kernels (the largest sum of resident memory, sampled every 0.1 s
  with psutil) and of the largest single process (:func:`bench_acs_national.run_batch`).

Sizes run in the order given, engines alternate within a size. A table is generated once and reused.

    .venv/bin/python bench/bench_big_batch.py --rows real 1000000 10000000 --engines pandas duckdb \\
        [--data /tmp/segkit-big] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_acs_national import run_batch  # noqa: E402  (the same subprocess and memory sampling)

NOTEBOOKS = ["01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile", "07_explain", "08_churn", "10_value"]


def table_for(rows: str, data: Path) -> tuple[Path, int]:
    """The Parquet file of a size: the bundled data for ``real``, else generated lines (written once)."""
    if rows == "real":
        path = ROOT / "data" / "online_retail.parquet"
    else:
        from segkit.kinds.transactions.synth import write_transactions

        path = data / f"transactions_{int(rows)}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            write_transactions(path, int(rows), seed=1)
            print(f"generated {int(rows):,} lines in {time.perf_counter() - t0:.0f} s: {path}", flush=True)
    import pyarrow.parquet as pq

    return path, pq.ParquetFile(path).metadata.num_rows


def one_run(path: Path, engine: str, work: Path) -> dict:
    """``segkit run`` of the default params on ``path`` with ``engine``; wall, peak memory, time per notebook."""
    params = work / f"big_{engine}.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\ndata_path: {path}\nengine: {engine}\n"
                      f"run_name: big_{engine}\n", encoding="utf-8")
    result = run_batch([str(params)], work / "reports")
    manifest = json.loads((work / "reports" / f"big_{engine}" / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest["timings"]["notebooks"]
    chosen = json.loads((work / "reports" / f"big_{engine}" / "artifacts" / "input.json").read_text())["engine"]
    return {"engine": engine, "ran_in": chosen, "wall_s": result["wall_s"], "peak_rss_mb": result["peak_rss_mb"],
            "peak_process_mb": result["peak_process_mb"],
            "notebooks": {nb: timings[nb]["execute_s"] for nb in NOTEBOOKS if nb in timings}}


def markdown(rows: list[dict]) -> str:
    head = "| lines | engine | wall | peak (all) | " + " | ".join(nb[:2] for nb in NOTEBOOKS) + " |"
    lines = [head, "|" + "---|" * (4 + len(NOTEBOOKS))]
    for r in rows:
        cells = [f"{r['lines']:,}", r["engine"] + (f" ({r['ran_in']})" if r["engine"] == "auto" else ""),
                 f"{r['wall_s']:.0f} s", f"{r['peak_rss_mb'] / 1024:.1f} GB"]
        cells += [f"{r['notebooks'].get(nb, float('nan')):.1f}" for nb in NOTEBOOKS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", nargs="+", default=["real", "1000000", "10000000"])
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "segkit-big")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    out = []
    for rows in args.rows:
        path, lines = table_for(rows, args.data)
        for engine in args.engines:
            with tempfile.TemporaryDirectory(prefix="segkit-bigbench-") as tmp:
                r = {"lines": lines, **one_run(path, engine, Path(tmp))}
            print(json.dumps(r), flush=True)
            out.append(r)
    print(markdown(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
