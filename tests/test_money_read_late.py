"""Amounts written as text that the reader does not type: a database's text columns (``sql_url``) and a Parquet
file's string columns are read as numbers by the cleaning, and what their currency signs say reaches the reports
as it does for a CSV's ("52.000,00 €" is money in euros; "$6.42" beside "14,01 €" is a warning)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from segkit import kinds
from segkit.config import params_from_mapping
from segkit.preflight import adopt_currency, preflight
from segkit.source import load_input

TRANSACTIONS = {"data_kind": "transactions", "customer_col": "customer", "invoice_col": "invoice", "date_col": "date",
                "quantity_col": "quantity", "price_col": "price", "stock_code_col": None, "country_col": None, "k": 3}


def _euros(values) -> list[str]:
    """German notation: 52.000,00 €."""
    return [f"{v:,.2f} €".replace(",", "_").replace(".", ",").replace("_", ".") for v in values]


def _customers(n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    group = rng.integers(0, 3, n)
    income = np.array([30_000, 60_000, 120_000])[group] * rng.uniform(0.9, 1.1, n)
    return pd.DataFrame({"kunde": np.arange(1, n + 1), "alter": (np.array([25, 45, 65])[group]
                                                                  + rng.normal(0, 3, n)).round().astype(int),
                         "jahreseinkommen": _euros(income)})


def _lines(n: int = 600, mixed: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    prices = [f"{v:.2f} €".replace(".", ",") for v in rng.uniform(1, 30, n)]
    if mixed:  # every other line in dollars, all with a decimal point
        prices = [f"${p[:-2].replace(',', '.')}" if i % 2 else p.replace(",", ".") for i, p in enumerate(prices)]
    return pd.DataFrame({"invoice": [f"A{i // 3}" for i in range(n)], "customer": rng.integers(1, 80, n).astype(str),
                         "date": pd.date_range("2024-01-01", periods=n, freq="11h").strftime("%Y-%m-%d %H:%M"),
                         "quantity": rng.integers(1, 5, n), "price": prices})


def _database(tmp_path, table: pd.DataFrame, name: str) -> str:
    path = tmp_path / f"{name}.db"
    with sqlite3.connect(path) as con:
        table.to_sql(name, con, index=False)
    return f"sqlite:///{path}"


def _adopted(values: dict):
    params = params_from_mapping(values)
    return adopt_currency(params, preflight(params))


def test_a_databases_text_amounts_in_euros_are_shown_in_euros(tmp_path):
    url = _database(tmp_path, _customers(), "kunden")
    params, info = _adopted({"data_kind": "customers", "sql_url": url, "sql_query": "SELECT * FROM kunden",
                             "id_col": "kunde", "k": 3})
    assert params.currency == "€" and "'jahreseinkommen'" in info["currency_note"]
    cleaned, _ = kinds.get("customers").clean(load_input(params), params)
    assert cleaned.attrs["currency_of"] == {"jahreseinkommen": "€"}  # the profiles' unit: money, in euros
    assert cleaned["jahreseinkommen"].between(25_000, 135_000).all()


@pytest.mark.parametrize("where", ["sql", "parquet"])
def test_text_prices_read_by_the_cleaning_name_their_currency(tmp_path, where):
    lines = _lines()
    if where == "sql":
        values = {"sql_url": _database(tmp_path, lines, "sales"), "sql_query": "SELECT * FROM sales"}
    else:
        lines.to_parquet(tmp_path / "sales.parquet")
        values = {"data_path": str(tmp_path / "sales.parquet")}
    assert pd.api.types.is_string_dtype(load_input(params_from_mapping({**TRANSACTIONS, **values})).price)
    params, info = _adopted({**TRANSACTIONS, **values})
    assert params.currency == "€" and info["currency_note"].startswith("the reports show money in €")


def test_a_databases_amounts_in_two_currencies_are_a_warning(tmp_path):
    url = _database(tmp_path, _lines(mixed=True), "sales")
    params, info = _adopted({**TRANSACTIONS, "sql_url": url, "sql_query": "SELECT * FROM sales"})
    said = [f for f in info["findings"] if f.rule == "currency"]
    assert [(f.severity, f.column) for f in said] == [("warning", "price")]
    assert "several currencies (€, $)" in said[0].message and said[0].rows == 600
    assert params.currency == "" and "several currencies" in info["currency_note"]


def test_a_customer_databases_column_in_two_currencies_is_a_warning(tmp_path):
    table = _customers()
    table.loc[::2, "jahreseinkommen"] = [f"${v}" for v in range(len(table.loc[::2]))]
    url = _database(tmp_path, table, "kunden")
    params, info = _adopted({"data_kind": "customers", "sql_url": url, "sql_query": "SELECT * FROM kunden",
                             "id_col": "kunde", "k": 3})
    said = [f for f in info["findings"] if f.rule == "currency"]
    assert [(f.severity, f.column) for f in said] == [("warning", "jahreseinkommen")]
    assert params.currency == "" and "several currencies" in info["currency_note"]
