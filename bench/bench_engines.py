"""Read + clean + features of transaction lines in each engine: wall time and peak memory (issue 13).

Each measurement runs in a fresh Python process, so its peak resident memory (``ru_maxrss``, DuckDB's own
buffers included: it runs in the process) belongs to that engine and size alone. Spark runs in a JVM that the
process starts: its peak is the largest sum of the process's and the JVM's resident memory, sampled every 0.2 s
(``peak_mb``), Spark's start-up is timed apart (``start_s``) and included in the wall time. ``541909`` lines are the
bundled Online Retail data; other sizes are generated once by ``synth://transactions`` (seed 0) into
``--data-dir`` as Parquet, in bounded memory.

What each engine does is what ``01_eda`` + ``02_features`` do in a run:

- pandas: ``load_input`` (segkit's reader), the kind's cleaning, ``clean.parquet`` written, the features;
- duckdb: the cleaning rules in DuckDB over the Parquet file, ``clean.parquet`` written by DuckDB, the
  per-customer features in DuckDB over ``clean.parquet``, back to pandas;
- spark: the same SQL in Spark local mode (``--spark-master``, default ``local[*]``; ``--spark-conf k=v``),
  ``clean.parquet`` written by Spark and put together by the driver, the features in Spark, back to pandas.

Usage::

    python bench/bench_engines.py --rows 541909 1000000 10000000 --engines pandas duckdb
    python bench/bench_engines.py --rows 100000000 --engines duckdb --memory-limit 8GB
    python bench/bench_engines.py --rows 541909 1000000 --engines spark --spark-conf spark.driver.memory=4g

Prints one Markdown table row per (rows, engine) and a JSON line per measurement on stderr.
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
REAL = ROOT / "data" / "online_retail.parquet"
REAL_ROWS = 541_909


class _TreeMemory:
    """The largest resident memory of this process plus its children (Spark's JVM), sampled every 0.2 s."""

    def __init__(self):
        import threading

        import psutil

        self.me, self.peak, self.done = psutil.Process(), 0, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self):
        import psutil

        while not self.done.wait(0.2):
            total = 0
            for proc in [self.me, *self.me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak / 2**20


def _spark_run(module, p, path: str, out: Path) -> tuple:
    """Spark: the session started (timed apart), the cleaning and the features in it."""
    from segkit.engine import spark as sp

    start = time.perf_counter()
    sp.connect(p.spark_master, p.spark_conf)
    started = time.perf_counter() - start
    with sp.session(p) as eng:
        log = module.spark_clean(eng, sp.source(eng, path), p, out)
        print(json.dumps({"stage": "clean", "wall_s": round(time.perf_counter() - start, 1)}), file=sys.stderr,
              flush=True)
        fs = module.spark_features(eng, sp.source(eng, out), p)
    return log, fs, started


def _child(engine: str, path: str, memory_limit: str | None, spark: dict | None = None) -> dict:
    """One measurement, in this process: read + clean + clean.parquet + features."""
    sys.path.insert(0, str(ROOT))
    from segkit import kinds, pipeline
    from segkit.config import params_from_mapping
    from segkit.engine import duckdb as ddb
    from segkit.source import load_input

    p = params_from_mapping({"data_kind": "transactions", "data_path": path, "engine": engine,
                             "memory_limit": memory_limit, **(spark or {})})
    module = kinds.get("transactions").module
    memory, started = _TreeMemory(), None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clean.parquet"
        start = time.perf_counter()
        if engine == "spark":
            log, fs, started = _spark_run(module, p, path, out)
        elif engine == "pandas":
            cleaned, log = pipeline.clean_table(p, load_input(p))
            cleaned.to_parquet(out, index=False)
            fs = pipeline.build_features(p, cleaned)
        else:
            with ddb.session(p) as con:
                log = module.engine_clean(con, ddb.source_sql(path), p, out)
            print(json.dumps({"stage": "clean", "wall_s": round(time.perf_counter() - start, 1)}), file=sys.stderr,
                  flush=True)
            with ddb.session(p) as con:
                fs = module.engine_features(con, ddb.source_sql(out), p)
        wall = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, memory.stop())
    return {"engine": engine, "rows": log.rows_in, "clean_rows": log.rows_out, "customers": len(fs.table),
            "wall_s": round(wall, 2), "peak_mb": round(peak), "start_s": started and round(started, 1)}


def _data(rows: int, folder: Path) -> tuple[Path, float | None]:
    """The input of ``rows`` lines (generated once), and the seconds its generation took (None: reused)."""
    if rows == REAL_ROWS:
        return REAL, None
    path = folder / f"transactions_{rows}.parquet"
    if path.exists():
        return path, None
    sys.path.insert(0, str(ROOT))
    from segkit.kinds.transactions.synth import write_transactions

    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_transactions(path, rows, seed=0)
    return path, time.perf_counter() - start


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[REAL_ROWS, 1_000_000, 10_000_000])
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"], choices=["pandas", "duckdb", "spark"])
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "segkit-bench")
    ap.add_argument("--memory-limit", default=None, help="duckdb memory_limit (default: 70%% of the machine)")
    ap.add_argument("--spark-master", default="local[*]", help="spark engine: spark_master (default local[*])")
    ap.add_argument("--spark-conf", nargs="*", default=[], metavar="KEY=VALUE", help="spark engine: spark_conf")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    spark = {"spark_master": args.spark_master, "spark_conf": dict(kv.split("=", 1) for kv in args.spark_conf)}
    if args.child:
        print(json.dumps(_child(*args.child, args.memory_limit, spark)))
        return
    print("| lines | engine | customers | read + clean + features | peak memory |")
    print("|---:|---|---:|---:|---:|")
    for rows in args.rows:
        path, made = _data(rows, args.data_dir)
        if made is not None:
            print(f"generated {rows:,} lines in {made:.1f} s: {path}", file=sys.stderr)
        for engine in args.engines:
            cmd = [sys.executable, __file__, "--child", engine, str(path)]
            cmd += ["--memory-limit", args.memory_limit] if args.memory_limit else []
            cmd += ["--spark-master", args.spark_master] + (["--spark-conf", *args.spark_conf] if args.spark_conf else [])
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                print(f"| {rows:,} | {engine} | failed: {done.stderr.strip().splitlines()[-1]} | | |")
                continue
            m = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(m), file=sys.stderr)
            started = f" (start-up {m['start_s']:.1f} s)" if m.get("start_s") is not None else ""
            print(f"| {m['rows']:,} | {engine} | {m['customers']:,} | {m['wall_s']:.1f} s{started} | {m['peak_mb']:,} MB |",
                  flush=True)


if __name__ == "__main__":
    main()
