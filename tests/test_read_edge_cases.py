"""Inputs an independent review of the reading changes found wrong: 20-digit ids in DuckDB, an order's fields in a
Parquet file's categories, offsets of whole hours, percents below 1%, a date format with %z in DuckDB, a zone-typed
Parquet column in DuckDB, a stray decimal mark, a groups file without a universe, letters with no accent to drop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import pipeline
from segkit.config import params_from_mapping
from segkit.engine import duckdb as ddb
from segkit.errors import ColumnError
from segkit.kinds.customers.units import unit
from segkit.kinds.demographics.facts import key_facts
from segkit.kinds.demographics.groups import FeatureGroup, FeatureSpec
from segkit.kinds.transactions.rules import from_order
from segkit.parse import read_dates
from segkit.preflight import preflight
from segkit.runname import run_name_from_file

from test_engine_equivalence import run_duckdb, run_pandas

LINES = ("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
         "1,A,1,2011-01-01 10:00,2.5,{a},UK\n2,A,2,2011-01-02 10:00,2.5,{b},UK\n3,A,3,2011-01-03 10:00,2.5,{c},UK\n")


def _params(path, **values):
    return params_from_mapping({"data_kind": "transactions", "data_path": str(path), **values})


def test_ids_above_two_to_the_63_stay_three_customers_in_duckdb(tmp_path):
    """Without HUGEINT among the CSV types, DuckDB typed 12345678901234567890 as DOUBLE: three customers became one."""
    path = tmp_path / "big_ids.csv"
    path.write_text(LINES.format(a="12345678901234567890", b="12345678901234567891", c="12345678901234567892"))
    p = _params(path)
    theirs, ours = run_pandas(pd.read_csv(path, dtype={"CustomerID": str}), p), run_duckdb(path, p, tmp_path)
    assert len(ours[1].table) == len(theirs[1].table) == 3
    assert sorted(ours[1].table.index) == ["12345678901234567890", "12345678901234567891", "12345678901234567892"]


def test_an_orders_fields_in_categories_are_filled():
    """A Parquet file written from pandas keeps its categories; min over an unordered category raised."""
    country = pd.Series(["UK", None, "FR", None, None], dtype="category")
    filled, which = from_order(country, pd.Series(["1", "1", "2", "2", "3"]))
    assert filled.tolist()[:4] == ["UK", "UK", "FR", "FR"] and pd.isna(filled.iloc[4])
    assert which.tolist() == [False, True, False, True, False]


@pytest.mark.parametrize("text, expected", [
    (["2023-02-23 20:33:00-05", "2023-02-24 10:00:00+02"], ["2023-02-23 20:33:00", "2023-02-24 10:00:00"]),
    (["2023-02-23T20:33:00+05:30"], ["2023-02-23 20:33:00"]),
])
def test_offsets_of_whole_hours_are_read_at_the_local_time_written(text, expected):
    """PostgreSQL's text form writes "-05": it was moved to UTC (the minutes were required)."""
    assert read_dates(text).values.astype(str).tolist() == expected


def test_duckdb_reads_a_format_with_an_offset_and_a_zone_typed_column_as_pandas_does(tmp_path):
    """With date_format '%z' DuckDB's strptime gave a TIMESTAMPTZ, cast in the session's zone; a Parquet column
    typed with a zone was read in the machine's zone. The offset is dropped before strptime, and the session is
    in UTC, as pandas and Spark read a typed zone."""
    con = ddb.connect()
    eng = ddb.DuckDBEngine(con)
    sql = eng.parse_timestamp("'2023-02-23 20:33:00 -0500'", "%Y-%m-%d %H:%M:%S %z")
    assert con.execute(f"SELECT CAST({sql} AS TIMESTAMP)").fetchone()[0] == pd.Timestamp("2023-02-23 20:33")
    assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    typed = pd.DataFrame({"InvoiceNo": ["1", "2"], "StockCode": ["A", "A"], "Quantity": [1, 2],
                          "InvoiceDate": pd.to_datetime(["2011-01-01 21:30", "2011-01-02 10:00"]).tz_localize(
                              "America/New_York"), "UnitPrice": [2.5, 2.5], "CustomerID": ["1", "2"],
                          "Country": ["UK", "UK"]})
    path = tmp_path / "zoned.parquet"
    typed.to_parquet(path, index=False)
    run_duckdb(path, _params(path), tmp_path)
    cleaned, _ = pipeline.clean_table(_params(path), typed)
    engine_dates = pd.read_parquet(tmp_path / "clean.parquet")["date"].sort_values().tolist()
    assert engine_dates == cleaned["date"].sort_values().tolist() == [pd.Timestamp("2011-01-02 02:30"),
                                                                     pd.Timestamp("2011-01-02 15:00")]


def test_percents_below_one_percent_are_shown_in_percent():
    """"0.10%" is kept as 0.1 by the reader: shown as a share it read "10%", a hundred times too large."""
    params = params_from_mapping({"data_kind": "customers"})
    assert unit("Click rate", params, pd.Series([0.1, 0.5, 0.9]), "%") == "%"
    assert unit("on_time_pct", params, pd.Series([0.1, 0.5, 0.9])) == "share"


def test_a_stray_point_among_decimal_commas_is_not_called_another_mark(tmp_path):
    """decimal: ',' is right for this file: its one '3.25' is an error to correct, not a reason to unset decimal."""
    path = tmp_path / "stray.csv"
    path.write_text(LINES.format(a="1", b="2", c="3").replace("2.5,1,", '"3,25",1,').replace("2.5,2,", '"4,50",2,')
                    .replace("2.5,3,", "3.25,3,"))
    with pytest.raises(ColumnError) as err:
        preflight(_params(path, decimal=","))
    assert "'3.25'" in str(err.value) and "not written with decimal" not in str(err.value)


def test_a_groups_file_without_a_universe_gives_no_graduates_share():
    table = pd.DataFrame({"population": [100.0, 200.0], "grads": [10.0, 30.0]})
    group = FeatureGroup("education", "shares", (FeatureSpec("share_bachelors_plus", ("grads",)),), None)
    facts, whole = key_facts(table, pd.Series([0, 0]), [group])
    assert np.isnan(whole["share_bachelors_plus"]) and whole["population"] == 300


def test_letters_without_an_accent_to_drop_stay_in_run_names():
    assert [run_name_from_file(Path(f"{n}.yaml")) for n in ("Straße", "København", "résumé")] == [
        "Stra_e", "K_benhavn", "resume"]
