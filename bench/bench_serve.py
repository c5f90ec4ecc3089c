"""Load test of ``segkit serve`` on loopback (issue 14): single rows from concurrent clients, then batches.

The service runs as the real command (``segkit serve RUN --port P``, one uvicorn process) in a subprocess.
The model is a customer model fitted by the pipeline stages on generated customers (``--train`` rows,
seed 11, k=4), unless ``--run`` names an existing run folder of a customer table. The rows sent are other
generated customers (seed 12), as JSON objects with every column of the table.

Two phases, each timed from the first request sent to the last answer received:

* ``--requests`` (default 10,000) ``POST /score`` of one row each, from ``--clients`` (default 8) threads,
  each with its own keep-alive HTTP connection;
* ``--batches`` (default 40) ``POST /score`` of ``--batch-rows`` (default 1,000) rows each, from the same
  number of clients.

Printed as a markdown table: requests, rows, wall time, requests and rows per second, p50 / p99 latency and
the error count (any answer but 200, or a connection error). The script exits 1 when there is an error.

How to run (from the repository root)::

    .venv/bin/python bench/bench_serve.py
    .venv/bin/python bench/bench_serve.py --requests 10000 --clients 8 --batches 40 --batch-rows 1000
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fit_run(root: Path, rows: int) -> Path:
    """A customer run folder (artifacts, model, segments.csv) fitted by the stages on generated customers."""
    from segkit import stages
    from segkit.config import params_from_mapping
    from segkit.io import RunFolder

    folder = RunFolder(root / "bench_run").ensure()
    p = params_from_mapping({"data_kind": "customers", "data_path": f"synth://customers?n={rows}&seed=11", "k": 4,
                             "bootstrap": 2, "sample_size": min(rows, 2000)})
    ctx = stages.RunContext(p, folder)
    folder.path.joinpath("params.json").write_text(json.dumps(p.model_dump()))
    stages.eda.clean(ctx, stages.eda.load(ctx))
    stages.features.build_features(ctx)
    stages.profile.segment(ctx)
    return folder.path


def new_rows(n: int) -> list[dict]:
    from segkit.kinds.customers.synth import generate_customers

    table = generate_customers(n, seed=12)
    return json.loads(table.to_json(orient="records", date_format="iso"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(run: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("segkit")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "segkit.cli"]
    proc = subprocess.Popen([*cmd, "serve", str(run), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"segkit serve exited: {proc.stdout.read()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("segkit serve did not answer /health within 120 s")


def load(url: str, bodies: list, clients: int) -> dict:
    """Send ``bodies`` to ``url`` from ``clients`` threads; latencies in seconds and the error count."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_item = iter(range(len(bodies)))

    def worker():
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    i = next(next_item, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    ok = client.post(url, json=bodies[i]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {"requests": len(bodies), "rows": sum(len(b) for b in bodies), "wall": wall,
            "p50": statistics.median(latencies), "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "errors": errors[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", type=Path, help="an existing run folder of a customer table (default: fit one)")
    ap.add_argument("--train", type=int, default=2000, help="generated customers to fit on (default 2,000)")
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--batch-rows", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = args.run or fit_run(Path(tmp), args.train)
        rows = new_rows(max(args.batch_rows, 5000))
        port = free_port()
        server = start_server(run, port)
        try:
            url = f"http://127.0.0.1:{port}/score"
            single = load(url, [[rows[i % len(rows)]] for i in range(args.requests)], args.clients)
            batches = load(url, [[rows[(b * 7 + j) % len(rows)] for j in range(args.batch_rows)]
                                 for b in range(args.batches)], args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nsegkit serve on 127.0.0.1, {args.clients} concurrent clients, load average "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print("| phase | requests | rows | wall | requests/s | rows/s | p50 latency | p99 latency | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in (("single rows", single), (f"batches of {args.batch_rows:,} rows", batches)):
        print(f"| {name} | {r['requests']:,} | {r['rows']:,} | {r['wall']:.1f} s | {r['requests'] / r['wall']:,.1f} | "
              f"{r['rows'] / r['wall']:,.0f} | {1000 * r['p50']:,.0f} ms | {1000 * r['p99']:,.0f} ms | {r['errors']} |")
    return 1 if single["errors"] or batches["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
