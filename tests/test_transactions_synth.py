"""The transactions generator: deterministic, quirks in known proportions, chunked write equal to memory."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit.errors import ParamsError
from segkit.kinds.transactions.clean import DEFAULT_NON_PRODUCT_CODES
from segkit.kinds.transactions.synth import (BLOCK_ROWS, COLUMNS, QUIRKS, generate_transactions, iter_transactions,
                                             write_transactions)
from segkit.source import input_columns, read_synth
from segkit.config import params_from_mapping


@pytest.fixture(scope="module")
def table():
    return generate_transactions(250_000, seed=7)


def test_same_seed_same_table_other_seed_other_table():
    a, b = generate_transactions(5_000, seed=3), generate_transactions(5_000, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not generate_transactions(5_000, seed=4).equals(a)


def test_columns_and_size_are_those_of_online_retail(table):
    assert list(table.columns) == COLUMNS and len(table) == 250_000
    assert table["InvoiceDate"].between("2010-12-01", "2011-12-10").all()


def test_quirks_are_present_in_known_proportions(table):
    cancel = table["InvoiceNo"].str.startswith("C")
    assert (table.loc[cancel, "Quantity"] < 0).all() and (table.loc[~cancel, "Quantity"] > 0).all()
    assert cancel.mean() == pytest.approx(QUIRKS["cancelled_orders"], rel=0.3)
    assert table["CustomerID"].isna().mean() == pytest.approx(QUIRKS["guest_orders"], rel=0.2)
    assert table.duplicated().mean() >= QUIRKS["duplicate_lines"]  # planted copies, plus repeats within an order
    odd = table["StockCode"].str.upper().isin([c for c in DEFAULT_NON_PRODUCT_CODES if not c.endswith("*")])
    assert odd.mean() == pytest.approx(QUIRKS["non_product_lines"], rel=0.3)
    assert (table["UnitPrice"] == 0).mean() == pytest.approx(QUIRKS["zero_price_lines"], rel=0.4)
    per_customer = len(table) / table["CustomerID"].nunique() * (1 - QUIRKS["guest_orders"])
    assert 20 < per_customer < 45


def test_chunked_write_equals_the_table_in_memory(tmp_path):
    rows = 2 * BLOCK_ROWS + 1234
    path = write_transactions(tmp_path / "t.parquet", rows, seed=5, chunk_rows=BLOCK_ROWS)
    pd.testing.assert_frame_equal(pd.read_parquet(path), generate_transactions(rows, seed=5))
    assert sum(len(b) for b in iter_transactions(rows, seed=5)) == rows


def test_synth_uri_and_its_columns():
    assert read_synth("synth://transactions?rows=2000&seed=1").shape == (2000, 8)
    p = params_from_mapping({"data_kind": "transactions", "data_path": "synth://transactions?rows=100000000"})
    assert input_columns(p) == COLUMNS  # 50 rows, not 100M


@pytest.mark.parametrize("rows", [0, -5, "many"])
def test_bad_sizes_are_params_errors(rows):
    with pytest.raises(ParamsError, match="Fix:"):
        generate_transactions(rows)
