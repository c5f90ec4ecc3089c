"""Synthetic invoice lines shaped like the UCI Online Retail data, of any size, in bounded memory.

``synth://transactions?rows=N&seed=S`` (and :func:`generate_transactions`, :func:`write_transactions`) draw
line-level transactions with the Online Retail column names (``InvoiceNo``, ``StockCode``, ``Description``,
``Quantity``, ``InvoiceDate``, ``UnitPrice``, ``CustomerID``, ``Country``) and the mess the cleaning rules are
there for:

- customers place a gamma-Poisson number of orders (a few loyal customers, many one-off buyers) of a geometric
  number of lines each, about :data:`LINES_PER_CUSTOMER` lines per customer in all;
- products are drawn from a Zipf law over a catalogue with log-normal unit prices;
- some orders are cancellations (invoice ``C...``, negative quantities), some have no customer id (guest
  orders), some lines are exact duplicates, some carry a non-product stock code (``POST``, ``M``, ...) and
  some a zero unit price (:data:`QUIRKS` gives each share).

The lines are drawn in blocks of :data:`BLOCK_ROWS` lines, each from its own seeded generator
(``numpy.random.default_rng([seed, block])``), so the table depends only on ``rows`` and ``seed``: the same
blocks make the in-memory table and the Parquet file, whatever the chunk size of the write, and memory stays
bounded by a block.

>>> df = generate_transactions(1_000, seed=1)
>>> df.shape, list(df.columns)[:3]
((1000, 8), ['InvoiceNo', 'StockCode', 'Description'])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import ParamsError

__all__ = ["generate_transactions", "iter_transactions", "write_transactions", "BLOCK_ROWS", "QUIRKS",
           "LINES_PER_CUSTOMER", "COLUMNS"]

#: Lines drawn per block: each block has its own customers, orders and seeded generator.
BLOCK_ROWS = 100_000
#: Mean invoice lines per customer (measured on the bundled Online Retail data with ids: ~33 per customer-year
#: for the typical customer once the heaviest wholesale buyers are set aside).
LINES_PER_CUSTOMER = 33
#: Share of orders or lines carrying each quirk the cleaning removes or nets.
QUIRKS = {"cancelled_orders": 0.03, "guest_orders": 0.20, "duplicate_lines": 0.01, "non_product_lines": 0.005,
          "zero_price_lines": 0.003}
COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
NON_PRODUCT = np.array(["POST", "M", "DOT", "C2", "BANK CHARGES", "AMAZONFEE"], dtype=object)
COUNTRIES = np.array(["United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium",
                      "Switzerland", "Portugal", "Australia"], dtype=object)
COUNTRY_SHARE = np.array([0.89, 0.025, 0.022, 0.018, 0.01, 0.01, 0.008, 0.007, 0.005, 0.005])
START = np.datetime64("2010-12-01T08:00", "m")
DAYS = 374  # 2010-12-01 to 2011-12-09, as in Online Retail
CATALOGUE = 4_000
ZIPF_EXPONENT = 1.1
_ORDERS_SHAPE, _ORDERS_MEAN, _LINES_PER_ORDER = 0.7, 3.0, LINES_PER_CUSTOMER / 4.0


def _catalogue(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stock codes, descriptions, unit prices (log-normal) and Zipf probabilities of the products."""
    rng = np.random.default_rng([seed, 2**31 - 1])
    rank = np.arange(1, CATALOGUE + 1)
    suffix = np.where(rng.random(CATALOGUE) < 0.15, np.array(list("ABCDEFG"))[rng.integers(0, 7, CATALOGUE)], "")
    codes = np.char.add((20_000 + rng.permutation(CATALOGUE)).astype(str), suffix).astype(object)
    descriptions = np.char.add("PRODUCT ", codes.astype(str)).astype(object)
    prices = np.round(rng.lognormal(np.log(2.5), 0.9, CATALOGUE), 2).clip(0.05, None)
    weights = 1.0 / rank**ZIPF_EXPONENT
    return codes, descriptions, prices, weights / weights.sum()


def _orders(rng: np.random.Generator, n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """Per order: its customer (0-based in the block) and its number of lines, summing to ``n_lines``."""
    n_cust = max(1, int(n_lines / LINES_PER_CUSTOMER * 1.5) + 10)
    rate = rng.gamma(_ORDERS_SHAPE, _ORDERS_MEAN / _ORDERS_SHAPE, n_cust)
    orders = 1 + rng.poisson(rate)
    customer = np.repeat(np.arange(n_cust), orders)
    lines = rng.geometric(1.0 / _LINES_PER_ORDER, len(customer))
    ends = np.cumsum(lines)
    keep = int(np.searchsorted(ends, n_lines)) + 1  # enough orders to cover the lines
    if keep > len(lines):
        raise RuntimeError("a block drew too few orders")  # cannot happen with 1.5 x the expected customers
    lines = lines[:keep].copy()
    lines[-1] -= int(ends[keep - 1] - n_lines)  # the last order is cut to the block's size
    return customer[:keep], lines


def _block(seed: int, block: int, n_lines: int, catalogue) -> pd.DataFrame:
    """The ``block``-th block of ``n_lines`` lines (duplicates included)."""
    codes, descriptions, prices, probs = catalogue
    rng = np.random.default_rng([seed, block])
    n_dup = int(round(n_lines * QUIRKS["duplicate_lines"]))
    customer, lines = _orders(rng, n_lines - n_dup)
    n_orders, n_cust = len(lines), int(customer.max()) + 1
    first = rng.integers(0, DAYS, n_cust)
    order_day = first[customer] + (rng.random(n_orders) * (DAYS - first[customer])).astype(np.int64)
    when = START + (order_day * 1440 + rng.integers(0, 12 * 60, n_orders)).astype("timedelta64[m]")
    cancelled = rng.random(n_orders) < QUIRKS["cancelled_orders"]
    guest = rng.random(n_orders) < QUIRKS["guest_orders"]
    ids = (10_000 + block * 100_000 + np.arange(n_cust)).astype(np.float64)
    invoice = (500_000 + block * BLOCK_ROWS + np.arange(n_orders)).astype(str).astype(object)
    invoice[cancelled] = "C" + invoice[cancelled]
    country = COUNTRIES[rng.choice(len(COUNTRIES), n_cust, p=COUNTRY_SHARE)]
    order = np.repeat(np.arange(n_orders), lines)
    n = len(order)
    product = rng.choice(CATALOGUE, n, p=probs)
    quantity = rng.geometric(0.12, n).astype(np.int64)
    quantity[cancelled[order]] *= -1
    price = prices[product].copy()
    stock, desc = codes[product].copy(), descriptions[product].copy()
    odd = rng.random(n) < QUIRKS["non_product_lines"]
    stock[odd] = NON_PRODUCT[rng.integers(0, len(NON_PRODUCT), int(odd.sum()))]
    desc[odd] = "Manual"
    price[odd] = np.round(rng.lognormal(np.log(15.0), 1.0, int(odd.sum())), 2)
    price[rng.random(n) < QUIRKS["zero_price_lines"]] = 0.0
    frame = pd.DataFrame({
        "InvoiceNo": invoice[order], "StockCode": stock, "Description": desc, "Quantity": quantity,
        "InvoiceDate": when[order].astype("datetime64[us]"), "UnitPrice": price,
        "CustomerID": np.where(guest[order], np.nan, ids[customer][order]), "Country": country[customer][order]})
    copies = np.sort(rng.choice(n, n_dup, replace=False)) if n_dup else np.array([], dtype=np.int64)
    at = np.sort(np.concatenate([np.arange(n), copies]), kind="stable")  # each copy right after its original
    return frame.iloc[at].reset_index(drop=True).astype({c: "str" for c in ("InvoiceNo", "StockCode",
                                                                         "Description", "Country")})


def _check(rows, seed) -> None:
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise ParamsError(f"number of transaction lines must be a positive integer, got {rows!r}",
                          "write synth://transactions?rows=N with N >= 1", key="data_path")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParamsError(f"seed must be a non-negative integer, got {seed!r}",
                          "write synth://transactions?rows=N&seed=S with S >= 0", key="data_path")


def iter_transactions(rows: int, *, seed: int = 0) -> Iterator[pd.DataFrame]:
    """The table of :func:`generate_transactions`, block by block (:data:`BLOCK_ROWS` lines each, the last
    one shorter): concatenated, the blocks are the whole table."""
    _check(rows, seed)
    catalogue = _catalogue(seed)
    for block, start in enumerate(range(0, rows, BLOCK_ROWS)):
        yield _block(seed, block, min(BLOCK_ROWS, rows - start), catalogue)


def generate_transactions(rows: int = 100_000, *, seed: int = 0) -> pd.DataFrame:
    """Generate ``rows`` invoice lines in memory (see the module docstring); the same ``rows`` and ``seed``
    give the same table as :func:`write_transactions` writes.

    Parameters
    ----------
    rows : int, default=100_000
        Number of invoice lines, duplicates included.
    seed : int, default=0
        Seed of every draw.

    Returns
    -------
    DataFrame
        The Online Retail columns (:data:`COLUMNS`), one row per line; ``CustomerID`` is a float with NaN for
        guest orders, as in the UCI file.
    """
    return pd.concat(list(iter_transactions(rows, seed=seed)), ignore_index=True)


def write_transactions(path: str | Path, rows: int, *, seed: int = 0, chunk_rows: int = 1_000_000) -> Path:
    """Write ``rows`` invoice lines to a Parquet file, a block at a time (bounded memory: 100M lines take the
    memory of :data:`BLOCK_ROWS` lines plus a row group of about ``chunk_rows``).

    Parameters
    ----------
    path : str or Path
        The Parquet file to write (its folder must exist; an existing file is replaced).
    rows, seed : int
        As in :func:`generate_transactions`: the file holds exactly that table.
    chunk_rows : int, default=1_000_000
        Lines buffered per Parquet row group (rounded up to whole blocks).

    Returns
    -------
    Path
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    writer, buffered = None, []
    try:
        for block in iter_transactions(rows, seed=seed):
            buffered.append(pa.Table.from_pandas(block, preserve_index=False))
            if sum(t.num_rows for t in buffered) >= chunk_rows:
                writer = writer or pq.ParquetWriter(path, buffered[0].schema)
                writer.write_table(pa.concat_tables(buffered))
                buffered = []
        if buffered:
            writer = writer or pq.ParquetWriter(path, buffered[0].schema)
            writer.write_table(pa.concat_tables(buffered))
    finally:
        if writer is not None:
            writer.close()
    return path


def synth_transactions(options: Mapping) -> pd.DataFrame:
    """``synth://transactions?rows=N&seed=S`` (``n`` is accepted for ``rows``)."""
    return generate_transactions(options.get("rows", options.get("n", 100_000)), seed=options.get("seed", 0))


def write_synth_transactions(path, options: Mapping) -> Path:
    """``synth://transactions?rows=N&seed=S`` written to the Parquet file ``path`` (:func:`write_transactions`)."""
    return write_transactions(path, options.get("rows", options.get("n", 100_000)), seed=options.get("seed", 0))
