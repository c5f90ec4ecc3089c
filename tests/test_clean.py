"""Tests for segkit.kinds.transactions.clean: rules, log counts, column mapping and errors, on known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.kinds.transactions.clean import (
    DEFAULT_NON_PRODUCT_CODES,
    CleaningLog,
    TransactionColumns,
    clean_transactions,
)
from segkit.errors import ColumnError, DataValueError, ParamsError

COLUMNS = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
           "Country"]
# 21 raw lines. Comments give the rule that removes the line, or "kept". Product codes are real
# Online Retail codes (85123A, 22423, 71053, 21730); "B" alone would be the bad-debt code.
ROWS = [
    ("500001", "85123A", 10, "2011-01-03 10:00:00", 2.0, 10001.0, "United Kingdom"),    # kept
    ("500001", "85123A", 10, "2011-01-03 10:00:00", 2.0, 10001.0, "United Kingdom"),    # duplicates
    ("500001", "22423", 5, "2011-01-03 10:00:00", 4.0, 10001.0, "United Kingdom"),      # kept
    ("500002", "85123A", 4, "2011-01-10 11:00:00", 2.5, 10001.0, "United Kingdom"),     # kept
    ("500002", "POST", 1, "2011-01-10 11:00:00", 15.0, 10001.0, "United Kingdom"),  # non_product
    ("C500003", "85123A", -2, "2011-01-12 09:00:00", 2.0, 10001.0, "United Kingdom"),  # kept, cancel
    ("500004", "71053", 2, "2011-01-31 12:00:00", 5.0, 10001.0, "United Kingdom"),      # kept
    ("500005", "22423", 6, "2011-01-08 14:00:00", 1.0, 10002.0, "France"),              # kept
    ("500005", "21730", 3, "2011-01-08 14:00:00", 0.0, 10002.0, "France"),              # zero price
    ("500006", "22423", -1, "2011-01-20 10:00:00", 1.0, 10002.0, "Belgium"),  # kept, cancel
    ("C500007", "85123A", -1, "2011-01-15 10:00:00", 2.0, 10003.0, "Germany"),  # kept, cancel
    ("500008", "85123A", 1, "2011-01-20 10:00:00", 2.0, np.nan, "United Kingdom"),  # no customer
    ("A563185", "22423", 1, "2011-01-21 10:00:00", -11062.06, np.nan, "United Kingdom"),  # no customer
    ("500009", "85123A", 1, "2011-02-01 09:00:00", 3.0, 10004.0, "United Kingdom"),     # kept
    ("500010", "22423", 2, "2011-02-01 15:00:00", 1.5, 10004.0, "United Kingdom"),      # kept
    ("500010", "gift_0001_10", 1, "2011-02-01 15:00:00", 8.33, 10004.0, "United Kingdom"),  # n_p
    ("500011", "85123A", 1, "2010-11-01 10:00:00", 100.0, 10005.0, "Spain"),            # kept
    ("500012", "85123A", 2, "2010-12-20 10:00:00", 40.0, 10005.0, "Spain"),             # kept
    ("500012", "m", 1, "2010-12-20 10:00:00", 2.55, 10005.0, "Spain"),  # non_product
    ("500013", "22423", 3, "2011-01-24 10:00:00", 10.0, 10005.0, "Spain"),              # kept
    ("500014", "85123A", 1, "2011-01-25 10:00:00", -5.0, 10005.0, "Spain"),             # neg. price
]


@pytest.fixture
def raw() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def test_log_counts_rule_by_rule(raw):
    _, log = clean_transactions(raw)
    table = log.to_frame().set_index("rule")
    assert list(table.index) == ["duplicates", "missing_customer", "missing_values",
                                 "non_product", "non_positive_price", "cancellations", "returns_only"]
    # 21 -> 20 (one duplicate) -> 18 (two without customer, one is the "A" bad-debt line)
    # -> 18 -> 15 (POST, gift_0001_10, lower-case "m") -> 13 (price 0.0 and -5.0)
    # -> 13 with 3 cancellation lines netted (C500003, C500007, and 500006's negative quantity);
    # customer 10003 has C500007 only: no purchase, so no segment, and the log says so
    assert table["rows_before"].tolist() == [21, 20, 18, 18, 15, 13, 13]
    assert table["rows_removed"].tolist() == [1, 2, 0, 3, 2, 0, 0]
    assert table["rows_after"].tolist() == [20, 18, 18, 15, 13, 13, 13]
    assert table["rows_netted"].tolist() == [0, 0, 0, 0, 0, 3, 0]
    assert log["returns_only"].note == "1 customer"
    assert log.rows_in == 21 and log.rows_out == 13
    assert "netted 3 cancellation lines from 3 invoices" == log["cancellations"].note
    assert "POST (1)" in log["non_product"].note
    assert all(len(d) > 20 for d in table["description"])


def test_cleaned_rows_and_normalised_columns(raw):
    clean, _ = clean_transactions(raw)
    assert list(clean.columns[:9]) == ["customer_id", "invoice_id", "date", "quantity", "price",
                                       "amount", "is_cancellation", "stock_code", "country"]
    assert set(COLUMNS) <= set(clean.columns)  # originals kept
    assert clean.index.equals(pd.RangeIndex(13))
    assert clean["customer_id"].dtype == "str"
    assert sorted(clean["customer_id"].unique()) == ["10001", "10002", "10003", "10004", "10005"]
    assert clean["date"].dtype.kind == "M"
    assert clean["quantity"].dtype == "int64"
    assert clean["invoice_id"].tolist() == [
        "500001", "500001", "500002", "C500003", "500004", "500005", "500006", "C500007",
        "500009", "500010", "500011", "500012", "500013"]
    assert clean["amount"].tolist() == [20.0, 20.0, 10.0, -4.0, 10.0, 6.0, -1.0, -2.0, 3.0,
                                        3.0, 100.0, 80.0, 30.0]
    assert clean["is_cancellation"].tolist() == [False] * 3 + [True] + [False] * 2 + [True] * 2 \
        + [False] * 5
    assert clean["date"].iloc[0] == pd.Timestamp("2011-01-03 10:00")


def test_input_not_mutated(raw):
    before = raw.copy()
    clean_transactions(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_log_round_trips_through_json(raw):
    _, log = clean_transactions(raw)
    data = json.loads(json.dumps(log.to_dict()))
    assert data["rows_in"] == 21 and data["rows_out"] == 13
    again = CleaningLog.from_dict(data)
    assert again == log
    pd.testing.assert_frame_equal(again.to_frame(), log.to_frame())


def test_empty_log():
    log = CleaningLog()
    assert log.rows_in == 0 and log.rows_out == 0
    assert list(log.to_frame().columns) == ["rule", "description", "rows_before", "rows_removed",
                                            "rows_after", "rows_netted", "note"]


def test_duplicates_can_be_kept(raw):
    clean, log = clean_transactions(raw, drop_duplicates=False)
    assert log["duplicates"].rows_removed == 0
    assert "skipped" in log["duplicates"].note
    assert len(clean) == 14


def test_no_non_product_rule(raw):
    clean, log = clean_transactions(raw, non_product_codes=())
    assert log["non_product"].rows_removed == 0
    assert {"POST", "gift_0001_10", "m"} <= set(clean["stock_code"])


def test_default_codes_match_case_insensitively_and_by_prefix():
    df = pd.DataFrame({"InvoiceNo": ["1"] * 7, "StockCode": ["post", " Dot ", "DCGSSBOY",
                                                            "GIFT_0001_50", "85123A", "PADS", "M2"],
                       "Quantity": [1] * 7, "InvoiceDate": ["2011-01-01"] * 7,
                       "UnitPrice": [1.0] * 7, "CustomerID": [1.0] * 7, "Country": ["X"] * 7})
    clean, log = clean_transactions(df)
    assert log["non_product"].rows_removed == 5
    assert clean["stock_code"].tolist() == ["85123A", "M2"]
    assert "DCGS*" in DEFAULT_NON_PRODUCT_CODES


def test_cancellation_prefix_and_sign(raw):
    # without the prefix rule, C-invoices are still cancellations through their negative quantity
    clean, _ = clean_transactions(raw, cancellation_prefix=None)
    assert clean["is_cancellation"].sum() == 3
    # a refund recorded with a positive quantity under a prefix is flagged and made negative
    df = pd.DataFrame({"InvoiceNo": ["1", "R2"], "StockCode": ["A", "A"], "Quantity": [3, 1],
                       "InvoiceDate": ["2011-01-01", "2011-01-02"], "UnitPrice": [2.0, 2.0],
                       "CustomerID": ["17850", "17850"], "Country": ["UK", "UK"]})
    clean, log = clean_transactions(df, cancellation_prefix="R")
    assert clean["is_cancellation"].tolist() == [False, True]
    assert clean["quantity"].tolist() == [3, -1]
    assert clean["amount"].tolist() == [6.0, -2.0]
    assert log["cancellations"].rows_netted == 1


def test_customer_ids_are_clean_strings():
    df = pd.DataFrame({"InvoiceNo": [1, 2, 3, 4], "StockCode": ["A"] * 4, "Quantity": [1] * 4,
                       "InvoiceDate": ["2011-01-01"] * 4, "UnitPrice": [1.0] * 4,
                       "CustomerID": ["17850.0", " 12346 ", "", "AB-7"], "Country": ["UK"] * 4})
    clean, log = clean_transactions(df)
    assert clean["customer_id"].tolist() == ["17850", "12346", "AB-7"]
    assert clean["invoice_id"].tolist() == ["1", "2", "4"]
    assert log["missing_customer"].rows_removed == 1


def test_mixed_date_formats_and_dayfirst():
    df = pd.DataFrame({"InvoiceNo": ["1", "2"], "StockCode": ["A", "A"], "Quantity": [1, 1],
                       "InvoiceDate": ["2011-12-09 08:30:00", "01/02/2011 8:26"],
                       "UnitPrice": [1.0, 1.0], "CustomerID": [1.0, 2.0], "Country": ["X", "X"]})
    us, _ = clean_transactions(df)
    assert us["date"].tolist() == [pd.Timestamp("2011-12-09 08:30"), pd.Timestamp("2011-01-02 08:26")]
    eu, _ = clean_transactions(df, dayfirst=True)
    assert eu["date"].iloc[1] == pd.Timestamp("2011-02-01 08:26")


def test_bad_dates_raise_with_count_and_examples(raw):
    raw.loc[[0, 3], "InvoiceDate"] = ["not a date", "32/13/2011"]
    with pytest.raises(DataValueError) as err:
        clean_transactions(raw)
    text = str(err.value)
    assert "2 values that are not dates" in text
    assert "'not a date'" in text and "date_col" in text
    assert err.value.column == "InvoiceDate"


def test_missing_dates_are_dropped_and_logged(raw):
    raw.loc[0, "InvoiceDate"] = None
    _, log = clean_transactions(raw)
    assert log["missing_values"].rows_removed == 1


def test_non_numeric_quantity_raises_with_examples(raw):
    raw["Quantity"] = raw["Quantity"].astype(str)
    raw.loc[[2, 4, 6], "Quantity"] = ["five", "1,000", "six"]  # 1,000 is a number (segkit.parse)
    with pytest.raises(ColumnError) as err:
        clean_transactions(raw)
    text = str(err.value)
    assert "column 'Quantity' (quantity_col) has 2 values that are not numbers, e.g. 'five', 'six'" in text
    assert "'1,000'" not in text
    assert err.value.key == "quantity_col"


def test_numeric_strings_are_accepted(raw):
    raw["UnitPrice"] = raw["UnitPrice"].astype(str)
    clean, log = clean_transactions(raw)
    assert log.rows_out == 13
    assert clean["amount"].sum() == pytest.approx(275.0)


# --- column mapping -----------------------------------------------------------------------------

def _renamed() -> pd.DataFrame:
    return pd.DataFrame({
        "cust": ["a", "a", "b", "b"],
        "order": ["o1", "o2", "o3", "o3r"],
        "ts": ["2020-03-01", "2020-03-05", "2020-03-02", "2020-03-03"],
        "qty": [2, 1, 4, -1],
        "amount": [10.0, 7.5, 8.0, -2.0],
    })


def test_mapping_with_amount_and_no_price():
    cols = TransactionColumns(customer="cust", invoice="order", date="ts", quantity="qty",
                              price=None, amount="amount", stock_code=None, country=None)
    clean, log = clean_transactions(_renamed(), columns=cols)
    assert clean["price"].tolist() == [5.0, 7.5, 2.0, 2.0]  # amount / quantity
    assert clean["amount"].tolist() == [10.0, 7.5, 8.0, -2.0]
    assert clean["is_cancellation"].tolist() == [False, False, False, True]
    assert "stock_code" not in clean and "country" not in clean
    assert "skipped" in log["non_product"].note
    assert {"cust", "order", "ts", "qty"} <= set(clean.columns)


def test_from_params():
    params = {"customer_col": "cust", "invoice_col": "order", "date_col": "ts",
              "quantity_col": "qty", "price_col": None, "amount_col": "amount",
              "stock_code_col": None, "country_col": None, "n_clusters": 4}
    cols = TransactionColumns.from_params(params)
    assert cols == TransactionColumns("cust", "order", "ts", "qty", None, "amount", None, None)
    assert TransactionColumns.from_params({}) == TransactionColumns()
    # an amount column overrides the default price_col, as in a params file that sets only it
    cols = TransactionColumns.from_params({"price_col": "UnitPrice", "amount_col": "Sales"})
    assert cols.price is None and cols.amount == "Sales"


def test_missing_mapped_column_names_key_and_available_columns():
    cols = TransactionColumns(customer="customer", invoice="order", date="timestamp",
                              quantity="qty", price=None, amount="amount", stock_code=None,
                              country=None)
    with pytest.raises(ColumnError) as err:
        clean_transactions(_renamed(), columns=cols)
    text = str(err.value)
    assert "customer_col='customer'" in text and "date_col='timestamp'" in text
    assert "available columns: cust, order, ts, qty, amount" in text
    assert err.value.key == "customer_col" and err.value.column == "customer"


def test_invalid_mappings_raise_params_error():
    with pytest.raises(ParamsError, match="price_col"):
        TransactionColumns(price=None, amount=None)
    with pytest.raises(ParamsError, match="customer_col"):
        TransactionColumns.from_params({"customer_col": None})
    with pytest.raises(ParamsError, match="date_col"):
        TransactionColumns(date=3)


def test_optional_columns_named_by_default_only_are_left_out_when_the_input_lacks_them(tmp_path):
    """lifetimes' CDNOW file (customer_id, date, number_of_cds, dollar_value) stopped the check on the default
    StockCode and Country, which the params never named: they are optional, so the run reads the input without
    them and says so. A column the params name is still required."""
    from segkit import kinds
    from segkit.config import load_params
    from segkit.report.runner import plan

    kind = kinds.get("transactions")
    path = tmp_path / "cdnow.csv"
    path.write_text("customer_id,date,number_of_cds,dollar_value\n" + "".join(
        f"{c:05d},1997{1 + d % 12:02d}{1 + c % 28:02d},{1 + d % 3},{10 + c % 7 + d:.2f}\n"
        for c in range(1, 61) for d in range(1 + c % 5)))
    mapping = ("data_kind: transactions\ndata_path: cdnow.csv\ncustomer_col: customer_id\ninvoice_col: null\n"
               "date_col: date\nquantity_col: number_of_cds\namount_col: dollar_value\n")
    (tmp_path / "p.yaml").write_text(mapping)
    params, _ = load_params(tmp_path / "p.yaml")
    columns = ["customer_id", "date", "number_of_cds", "dollar_value"]
    adopted, notes = kind.unmapped(params, columns)
    assert (adopted.stock_code_col, adopted.country_col) == (None, None)
    assert notes == ["the input has no 'StockCode' column, so products per customer are not counted (set "
                     "stock_code_col to map one)",
                     "the input has no 'Country' column, so no country is shown (set country_col to map one)"]
    info = plan(params)[0]  # what segkit check and segkit run decide before the first notebook
    assert info["rows"] == sum(1 + c % 5 for c in range(1, 61)) and info["notes"][:2] == notes  # then the currency
    # present columns, and columns the params name, are never dropped
    assert kind.unmapped(params, [*columns, "StockCode", "Country"]) == (params, [])
    (tmp_path / "named.yaml").write_text(mapping + "stock_code_col: StockCode\n")
    named, _ = load_params(tmp_path / "named.yaml")
    assert kind.unmapped(named, columns)[0].stock_code_col == "StockCode"
    with pytest.raises(ColumnError, match="stock_code_col='StockCode'"):
        plan(named)


def test_dates_written_as_numbers_are_no_measure_on_the_data_quality_page():
    """CDNOW's dates (19970101) are whole numbers: the data-quality page drew their histogram and called 18% of the
    lines "unusually high above 19,973,762". Only the measures are drawn: not the ids, nor the date column."""
    from segkit import kinds
    from segkit.config import Params

    raw = pd.DataFrame({"customer_id": [1, 2, 3, 3], "date": [19970101, 19970112, 19970102, 19980630],
                        "number_of_cds": [1, 1, 2, 5], "dollar_value": [11.77, 12.0, 20.76, 77.0]})
    params = Params(customer_col="customer_id", invoice_col=None, date_col="date", quantity_col="number_of_cds",
                    amount_col="dollar_value", stock_code_col=None, country_col=None)
    shown = kinds.get("transactions").eda_frame(raw, params)
    assert shown.columns.tolist() == ["number_of_cds", "dollar_value"]
    assert shown["dollar_value"].tolist() == raw["dollar_value"].tolist()


# --- real data ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def online_retail(online_retail_dir: Path) -> pd.DataFrame:
    files = sorted(online_retail_dir.glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype={"InvoiceNo": str, "StockCode": str}) for f in files],
                     ignore_index=True)


def test_online_retail_cleaning_log(online_retail):
    raw = online_retail
    assert len(raw) == 541_909
    assert raw["CustomerID"].isna().sum() == 135_080          # SOURCE.md
    dup_without_customer = raw[raw.duplicated()]["CustomerID"].isna().sum()
    clean, log = clean_transactions(raw)
    steps = log.to_frame().set_index("rule")
    assert steps.loc["duplicates", "rows_removed"] == 5_268   # SOURCE.md: 5,268 exact duplicates
    # 135,080 raw missing ids minus the 43 that sat in duplicate rows already removed
    assert dup_without_customer == 43
    assert steps.loc["missing_customer", "rows_removed"] == 135_080 - 43 == 135_037
    assert steps.loc["missing_values", "rows_removed"] == 0
    # POST 1,196, M 460 (+ 1 "m" has no customer), C2 134, D 77, DOT 16, CRUK 16, BANK CHARGES 12,
    # PADS 4; DCGS*, gift vouchers, AMAZONFEE, S and B lines have no customer id.
    assert steps.loc["non_product", "rows_removed"] == 1_915
    # price 0 lines that have a customer; the 2 negative-price "A" bad-debt lines have none
    assert steps.loc["non_positive_price", "rows_removed"] == 33
    assert steps.loc["cancellations", "rows_netted"] == 8_506
    assert log.rows_out == len(clean) == 399_656
    # 4,372 customers in the raw data (SOURCE.md); 9 have only manual-adjustment (M) lines and
    # one (13256) only a price-0 line, so 4,362 remain.
    assert clean["customer_id"].nunique() == 4_362
    assert not clean["customer_id"].str.contains(r"\.").any()
    assert clean["date"].min() == pd.Timestamp("2010-12-01 08:26")
    assert clean["date"].max() == pd.Timestamp("2011-12-09 12:50")


def test_zero_quantity_with_amount_is_a_price_rule_drop():
    raw = pd.DataFrame({"cust": ["a", "a"], "order": ["o1", "o2"], "ts": ["2020-03-01"] * 2,
                        "qty": [2, 0], "amount": [10.0, 5.0]})
    cols = TransactionColumns.from_params({"customer_col": "cust", "invoice_col": "order",
                                           "date_col": "ts", "quantity_col": "qty",
                                           "amount_col": "amount", "stock_code_col": None,
                                           "country_col": None})
    clean, log = clean_transactions(raw, columns=cols)
    assert log["missing_values"].rows_removed == 0
    assert log["non_positive_price"].rows_removed == 1
    assert clean["invoice_id"].tolist() == ["o1"]


def test_the_date_reading_is_logged_with_why():
    df = pd.DataFrame({"InvoiceNo": ["1", "2", "3"], "StockCode": ["A"] * 3, "Quantity": [1, 1, 1],
                       "InvoiceDate": ["04/09/2011", "13/09/2011", "05/10/2011"], "UnitPrice": [1.0] * 3,
                       "CustomerID": ["007", "007", "012"], "Country": ["X"] * 3})
    clean, log = clean_transactions(df)
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2011-09-04", "2011-09-13", "2011-10-05"]
    reading = log.readings_frame().set_index("column").loc["InvoiceDate"]
    assert reading["read as"] == "day first (DD/MM/YYYY)" and "a first field above 12" in reading["why"]
    assert clean["customer_id"].tolist() == ["007", "007", "012"]  # ids as written, zeros kept


# ------------------------------------------------------------------ no order id, a line amount only (issue 12)
def _amount_only(invoice: bool = False) -> pd.DataFrame:
    return pd.DataFrame({"cust": ["007", "007", "007", "012", "012", "031"],
                         **({"order": ["o1", "o1", "o2", "o3", "o3", "o4"]} if invoice else {}),
                         "day": ["2020-03-01 10:00", "2020-03-01 15:00", "2020-03-04", "2020-03-02", "2020-03-02",
                                 "2020-03-05"],
                         "qty": [1, 2, -1, 1, 1, 3], "amount": [10.0, 5.0, -10.0, 0.0, 4.0, 0.0]})


def test_without_an_order_id_one_purchase_is_one_customer_day():
    from segkit.config import params_from_mapping
    from segkit import kinds

    params = params_from_mapping({"customer_col": "cust", "invoice_col": None, "date_col": "day",
                                  "quantity_col": "qty", "amount_col": "amount", "stock_code_col": None,
                                  "country_col": None, "cancellation_prefix": "0"})
    clean, log = kinds.get("transactions").clean(_amount_only(), params)
    assert log.steps[0].rule == "orders" and "one customer on one day are taken as one purchase" in \
        log["orders"].description
    assert clean["invoice_id"].tolist() == ["007|2020-03-01", "007|2020-03-01", "007|2020-03-04", "012|2020-03-02"]
    assert clean["is_cancellation"].tolist() == [False, False, True, False]  # the prefix needs an order id
    assert "customer-days" in log["cancellations"].note
    assert log["missing_values"].description == "Lines with no date, quantity or amount were removed."
    step = log["non_positive_price"]
    assert step.rows_removed == 2 and step.note == "2 lines with a zero amount"
    assert "an amount of zero or of the opposite sign" in step.description
    assert log["lost_customers"].note == "1 customer lost all their lines"  # 031 had one free line only
    assert clean["customer_id"].unique().tolist() == ["007", "012"]  # ids as written
    fs = kinds.get("transactions").features(clean, params)  # page 02 says what a purchase is, in its labels too
    assert any("one purchase is one customer-day" in n for n in fs.notes)
    assert fs.short["frequency"] == "Purchase days" and "purchase day" in fs.labels["avg_order_value"]
    assert fs.table.loc["007", "frequency"] == 1  # 1 March (two lines); 4 March was the cancellation


def test_amount_col_alone_is_what_check_and_the_schema_read():
    from segkit.config import params_from_mapping
    from segkit import kinds, pipeline

    params = params_from_mapping({"customer_col": "cust", "invoice_col": "order", "date_col": "day",
                                  "quantity_col": "qty", "amount_col": "amount", "stock_code_col": None,
                                  "country_col": None})  # price_col keeps its default, UnitPrice: not in the data
    raw = _amount_only(invoice=True)
    kinds.get("transactions").check_columns(params, list(raw.columns))
    findings = pipeline.check_input(params, raw)
    assert not [f for f in findings if f.severity == "error"]
    assert all(f.key != "price_col" for f in findings)


def test_the_params_default_cancelled_statuses_are_the_cleaning_s():
    """The params' cancelled_statuses and clean_transactions' default are one list (config does not import the
    kinds, so it is written twice)."""
    from segkit.config import Params
    from segkit.kinds.transactions.rules import CANCELLED_STATUSES

    assert Params().cancelled_statuses == list(CANCELLED_STATUSES)


def _shopify(refunds: list) -> pd.DataFrame:
    """Three orders of one line each, with Shopify's Financial Status and Refunded Amount."""
    return pd.DataFrame({"InvoiceNo": ["1", "2", "3"], "StockCode": ["A", "A", "A"], "Quantity": [2, 1, 1],
                         "InvoiceDate": ["2011-01-03 10:00"] * 3, "UnitPrice": [5.0, 10.0, 4.0],
                         "CustomerID": ["7", "7", "8"], "Country": ["UK"] * 3, "Extra": [1, 2, 3],
                         "Financial Status": ["paid", "Partially Refunded", "partially_refunded"],
                         "Refunded Amount": refunds})


def test_a_partly_refunded_order_is_a_warning_unless_refunds_are_mapped_or_the_status_listed():
    from segkit.config import params_from_mapping
    from segkit import pipeline

    raw = _shopify(["0", "4.00", "1.50"])
    status = {"status_col": "Financial Status"}
    warned = [f for f in pipeline.check_input(params_from_mapping(status), raw) if f.rule == "refunds"]
    assert [(f.column, f.key, f.rows) for f in warned] == [("Financial Status", "status_col", 2)]
    assert "2 orders were refunded in part" in warned[0].message and "refund_col" in warned[0].fix
    quiet = [params_from_mapping({**status, "refund_col": "Refunded Amount"}),
             params_from_mapping({**status, "cancelled_statuses": ["refunded", "partially refunded",
                                                                   "Partially_Refunded "]})]
    assert all(f.rule != "refunds" for p in quiet for f in pipeline.check_input(p, raw))


def test_refunds_become_one_netted_line_per_order_kept():
    """Each kept order's refund (any sign, at most the order's amount) is one cancellation line of that order; the
    original columns of that line are empty; the log counts the lines added."""
    clean, log = clean_transactions(_shopify(["0", "-4.00", "9.99"]),
                                    columns=TransactionColumns(refund="Refunded Amount"))
    added = clean.iloc[3:]
    assert added[["customer_id", "invoice_id", "quantity", "amount", "is_cancellation"]].values.tolist() == [
        ["7", "2", -1, -4.0, True], ["8", "3", -1, -4.0, True]]
    assert added["Extra"].isna().all() and added["stock_code"].isna().all() and (added["country"] == "UK").all()
    assert clean.groupby("customer_id")["amount"].sum().to_dict() == {"7": 16.0, "8": 0.0}
    step = log["refunds"]
    assert (step.rows_before, step.rows_removed, step.rows_after, step.rows_netted) == (3, 0, 5, 2)
    assert step.note.startswith("2 orders, 8.00 refunded in all; 1 cut to the order's amount")
    assert log.rows_out == len(clean)


def test_a_refund_less_what_the_orders_returns_net_already():
    """An order of 2 x 10 with one item returned (-10) and 15 refunded: the return line and the refund of that item
    are one refund, so 5 more is added (the order nets 5, not -5 or 0)."""
    raw = pd.DataFrame({"InvoiceNo": ["1", "1"], "StockCode": ["A", "A"], "Quantity": [2, -1],
                        "InvoiceDate": ["2011-01-03 10:00"] * 2, "UnitPrice": [10.0, 10.0], "CustomerID": ["7", "7"],
                        "Country": ["UK", 3], "Refunded Amount": ["15", None]})  # a country column of mixed cells
    clean, log = clean_transactions(raw, columns=TransactionColumns(refund="Refunded Amount"))
    assert clean["amount"].tolist() == [20.0, -10.0, -5.0]
    assert log["refunds"].note == ("1 order, 5.00 refunded in all; 1 cut to the order's amount (not its shipping "
                                   "or taxes) or less what its return lines net already")


def test_the_cleaning_table_has_an_added_column_only_when_a_rule_added_rows():
    from segkit.stages.eda import cleaning_table

    raw = _shopify(["0", "-4.00", "9.99"])
    with_refunds = cleaning_table(clean_transactions(raw, columns=TransactionColumns(refund="Refunded Amount"))[1])
    counts = with_refunds.loc["Refunds", ["Rows before", "Removed", "Added", "Rows after"]].tolist()
    assert counts == ["3", "0", "2", "5"]
    assert "Added" not in cleaning_table(clean_transactions(raw)[1]).columns


def test_the_cleaning_rule_of_customers_left_without_lines_is_not_called_lost():
    """Online Retail's cleaning log listed "Lost customers" on the page before a segment named "Lost"."""
    from segkit.stages.eda import cleaning_table

    raw = pd.DataFrame({"InvoiceNo": ["1", "2"], "StockCode": ["A", "POST"], "Quantity": [2, 1],
                        "InvoiceDate": ["2011-01-03 10:00"] * 2, "UnitPrice": [10.0, 5.0], "CustomerID": ["7", "8"],
                        "Country": ["UK", "UK"]})
    shown = cleaning_table(clean_transactions(raw)[1])
    assert "Customers with no lines left" in shown.index and not shown.index.str.contains("Lost").any()


@pytest.mark.parametrize("ids, found, lines", [
    (["TEST", "TEST", "7", "8"], "'TEST' (2 lines)", 2),
    (["test_01", "Demo 2", "dummy@shop.de", "8"], "'test_01' (1 line)", 3),
    (["testuser@shop.de", "TestCustomer", "testkunde", "8"], "'TestCustomer' (1 line)", 3),
    (["test-account-3", "Demo Kunde 7", "7", "8"], "'Demo Kunde 7' (1 line)", 2),
    (["test+1@shop.de", "test.user+2@shop.de", "TEST-DE-01", "8"], "'TEST-DE-01' (1 line)", 3),
    (["Test Customer A", "7", "8", "9"], "'Test Customer A' (1 line)", 1),
    (["test_2024_01", "test_2024_01", "7", "8"], "'test_2024_01' (2 lines)", 2),
    (["Testa", "Demos", "contest", "7"], None, 0),  # names and words that only contain the letters
    (["Test Kitchen Ltd", "Demo Films GmbH", "testing.ltd@shop.de", "7"], None, 0),  # customers named so
])
def test_customer_ids_of_test_accounts_are_warned_of(ids, found, lines):
    """A shop export's 25 lines of customer "TEST" were segmented: the test account placed the most orders of its
    "Loyal Customers", and neither segkit check nor the run said anything."""
    from segkit import pipeline
    from segkit.config import params_from_mapping

    raw = pd.DataFrame({"InvoiceNo": ["1", "2", "3", "4"], "StockCode": ["A"] * 4, "Quantity": [1] * 4,
                        "InvoiceDate": ["2011-01-03 10:00"] * 4, "UnitPrice": [0.01, 1.0, 5.0, 4.0],
                        "CustomerID": ids, "Country": ["UK"] * 4})
    warned = [f for f in pipeline.check_input(params_from_mapping({}), raw) if f.rule == "test_ids"]
    if found is None:
        assert warned == []
    else:
        assert len(warned) == 1 and found in warned[0].message and warned[0].key == "customer_col"
        assert warned[0].rows == lines


def test_identical_item_lines_kept_are_warned_of_until_drop_duplicates_is_set():
    """Each line one item (no quantity column): identical lines are kept as items bought again, which doubles the
    spend of an export that repeats itself; the check says how many, until drop_duplicates decides."""
    from segkit import pipeline
    from segkit.config import params_from_mapping

    raw = pd.DataFrame({"InvoiceNo": ["1", "1", "2", "3"], "InvoiceDate": ["2011-01-03 10:00"] * 4,
                        "Amount": [8.14, 8.14, 5.0, 4.0], "CustomerID": ["7", "7", "8", "9"]})
    items = {"amount_col": "Amount", "quantity_col": None, "price_col": None, "stock_code_col": None,
             "country_col": None}
    warned = [f for f in pipeline.check_input(params_from_mapping(items), raw) if f.rule == "duplicates"]
    assert [(f.key, f.rows) for f in warned] == [("drop_duplicates", 1)] and "1 line (25.0%)" in warned[0].message
    for decided in (True, False):
        quiet = pipeline.check_input(params_from_mapping({**items, "drop_duplicates": decided}), raw)
        assert not [f for f in quiet if f.rule == "duplicates"]


@pytest.mark.parametrize("extra, zero, summary", [
    (0, "1 line with a zero amount", "1 line: 'Total'"),
    (1, "2 lines with a zero amount", "2 lines: 'Grand total', 'Total'")])
def test_log_notes_count_lines_in_the_right_number(extra, zero, summary):
    """The cleaning log's notes say "1 line" and "2 lines", not "line(s)"."""
    total = ("500099", "22423", 1, "2011-01-31 18:00:00", 99.0, "Total", "United Kingdom")
    rows = [tuple(str(v) if i == 5 and v == v else v for i, v in enumerate(row)) for row in ROWS] + [total]
    rows += [("500098", "21730", 4, "2011-01-09 14:00:00", 0.0, "10002.0", "France"),
             ("500099", "22423", 1, "2011-01-31 18:00:00", 99.0, "Grand total", "United Kingdom")] * extra
    _, log = clean_transactions(pd.DataFrame(rows, columns=COLUMNS))
    assert log["non_positive_price"].note == zero
    assert log["summary_lines"].note == summary
