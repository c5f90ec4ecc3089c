"""Shared fixtures. Tests that need ../shared/data skip with a clear reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEGKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _shared(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs the shared datasets: {path} is absent (set SEGKIT_SHARED_DATA to their folder)")
    return path


@pytest.fixture
def shared_data():
    """Return a function mapping a path under ../shared/data to a Path, skipping when it is absent."""
    return _shared


@pytest.fixture(scope="session")
def online_retail_dir() -> Path:
    return _shared("online_retail/by-day")


@pytest.fixture(scope="module")
def retail_input(online_retail_dir, tmp_path_factory) -> Path:
    """Twelve days of the real Online Retail data (about 1,000 customers), as a folder of CSVs."""
    import shutil

    folder = tmp_path_factory.mktemp("input") / "orders"
    folder.mkdir()
    for f in sorted(online_retail_dir.glob("*.csv"))[:12]:
        shutil.copy2(f, folder / f.name)
    return folder


@pytest.fixture(scope="session")
def delaware_csv() -> Path:
    return _shared("opensegments_delaware/delaware.csv")


@pytest.fixture(scope="session")
def mall_csv() -> Path:
    return _shared("mall_customers/Mall_Customers.csv")


@pytest.fixture(scope="session")
def ethiopian_csv() -> Path:
    return _shared("ethiopian_supermarket/ethiopian_supermarket_customers.csv")


# --------------------------------------------------------------------- transaction lines for the engine tests
@pytest.fixture(scope="session")
def retail():
    """The bundled Online Retail lines as read from Parquet (the engine-equivalence tests compare engines on them)."""
    import pandas as pd

    return pd.read_parquet(Path(__file__).resolve().parents[1] / "data" / "online_retail.parquet")


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """60,000 generated lines (cancellations, guests, duplicates, non-product codes, zero prices) as Parquet."""
    from segkit.kinds.transactions.synth import generate_transactions

    df = generate_transactions(60_000, seed=11)
    path = tmp_path_factory.mktemp("gen") / "lines.parquet"
    df.to_parquet(path, index=False)
    return df, path
