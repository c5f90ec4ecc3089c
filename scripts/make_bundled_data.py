"""Rebuild data/online_retail.parquet from the published per-day CSVs (../shared/data/online_retail).

The Parquet file holds every one of the 541,909 rows and the original eight columns unchanged in
content: only the encoding changes (CSV -> Parquet with zstd), and InvoiceDate is stored as a timestamp.

    .venv/bin/python scripts/make_bundled_data.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main(shared: Path) -> None:
    files = sorted((shared / "online_retail" / "by-day").glob("*.csv"))
    df = pd.concat([pd.read_csv(f, dtype={"InvoiceNo": str, "StockCode": str, "Description": str, "Country": str})
                    for f in files], ignore_index=True)
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    out = ROOT / "data" / "online_retail.parquet"
    df.to_parquet(out, compression="zstd", compression_level=19, index=False, row_group_size=200_000)
    print(f"{out}: {len(df):,} rows, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
