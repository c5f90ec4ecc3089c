"""Time ``segkit check`` on the real Online Retail data in three shapes (issue 12).

1. ``data/online_retail.parquet`` (the bundled file);
2. ``../shared/data/online_retail/by-day/`` (305 daily CSVs, typed once for the whole folder);
3. an ``.xlsx`` workbook written from that folder, all-digit invoice numbers stored as numbers (as in the
   original UCI workbook); written once to ``--workbook`` (default ``/tmp/online_retail.xlsx``).

Each check runs in a fresh process (``python -m segkit.cli check``), so the time includes start-up and
imports; the workbook's reader is counted (it must be opened once). Usage::

    PYTHONPATH=. python bench/bench_read.py [--repeat 2] [--workbook /tmp/online_retail.xlsx]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT.parent / "shared" / "data" / "online_retail" / "by-day"


def write_workbook(path: Path) -> float:
    """The folder as one workbook; invoice numbers that are all digits become numbers. Returns seconds."""
    import pandas as pd

    start = time.perf_counter()
    df = pd.concat([pd.read_csv(f, dtype=str) for f in sorted(FOLDER.glob("*.csv"))], ignore_index=True)
    digits = df["InvoiceNo"].str.fullmatch(r"\d+")
    df["InvoiceNo"] = df["InvoiceNo"].astype(object).where(~digits, pd.to_numeric(df["InvoiceNo"], errors="coerce"))
    for col in ("Quantity", "UnitPrice", "CustomerID"):
        df[col] = pd.to_numeric(df[col])
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df.to_excel(path, sheet_name="Online Retail", index=False, engine="openpyxl")
    return time.perf_counter() - start


def check(data_path: Path, repeat: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(tmp) / "p.yaml"
        params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\ndata_path: {data_path}\n")
        for _ in range(repeat):
            start = time.perf_counter()
            res = subprocess.run([sys.executable, "-m", "segkit.cli", "check", str(params)], capture_output=True,
                                 text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
            times.append(time.perf_counter() - start)
            print(res.stdout.strip() or res.stderr.strip(), flush=True)
            if res.returncode:
                raise SystemExit(f"check failed on {data_path}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workbook", type=Path, default=Path("/tmp/online_retail.xlsx"))
    args = parser.parse_args()
    if not args.workbook.exists():
        print(f"writing {args.workbook}: {write_workbook(args.workbook):.0f} s", flush=True)
    rows = []
    for name, path in (("bundled Parquet", ROOT / "data" / "online_retail.parquet"), ("by-day folder", FOLDER),
                       ("workbook", args.workbook)):
        times = check(path, args.repeat)
        rows.append(f"| {name} | {' / '.join(f'{t:.1f} s' for t in times)} |")
    print("| input | `segkit check` wall time (each run) |\n|---|---|\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
