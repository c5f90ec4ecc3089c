"""Tests for segkit.eda: generic EDA tables with hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import eda
from segkit.errors import ColumnError, ParamsError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame({
        "CustomerID": [17850.0, 12346.0, np.nan, 12346.0, 12346.0],
        "Quantity": [6, 1, 2, 1, 1],
        "UnitPrice": [2.5, 1.0, 3.0, 1.0, 1.0],
        "Country": ["United Kingdom", None, "France", None, None],
        "promo": [True, False, False, False, False],
    })


def test_schema_table(df):
    table = eda.schema_table(df)
    assert list(table.columns) == ["column", "dtype", "non_null", "missing_share", "distinct",
                                   "example"]
    assert table["column"].tolist() == ["CustomerID", "Quantity", "UnitPrice", "Country", "promo"]
    assert table["non_null"].tolist() == [4, 5, 5, 2, 5]
    assert table["missing_share"].tolist() == [0.2, 0.0, 0.0, 0.6, 0.0]
    assert table["distinct"].tolist() == [2, 3, 3, 2, 2]
    # the customer id is redacted automatically; other columns show their first non-missing value
    assert table["example"].tolist() == ["(redacted)", "6", "2.5", "United Kingdom", "True"]
    assert table["dtype"].tolist()[:3] == ["float64", "int64", "float64"]


def test_an_example_of_a_float_column_of_whole_numbers_has_no_decimals():
    """Delaware's has_census_data, a 0/1 flag read as floats (missing values), showed "1.0"."""
    table = eda.schema_table(pd.DataFrame({"flag": [None, 1.0, 0.0], "price": [2.5, None, 1.0]})).set_index("column")
    assert table.loc["flag", "example"] == "1" and table.loc["price", "example"] == "2.5"


def test_schema_table_redaction_options(df):
    explicit = eda.schema_table(df, redact=["Country", "not_a_column"])
    assert explicit["example"].tolist() == ["(redacted)", "6", "2.5", "(redacted)", "True"]
    none = eda.schema_table(df, redact=[], auto_redact=False)
    assert none["example"].iloc[0] == "17850"  # a float id of a whole number, as it is meant


def test_schema_table_truncates_long_examples():
    table = eda.schema_table(pd.DataFrame({"Description": ["x" * 100]}))
    assert table["example"].iloc[0] == "x" * 39 + "…"


@pytest.mark.parametrize("name, expected", [
    ("CustomerID", True), ("customer_id", True), ("Customer ID", True), ("cust", True),
    ("client_no", True), ("email", True), ("InvoiceNo", False), ("StockCode", False),
    ("Country", False), ("customer_segment", False),
])
def test_looks_like_identifier(name, expected):
    assert eda.looks_like_identifier(name) is expected


def test_missing_table(df):
    table = eda.missing_table(df)
    assert table["missing"].tolist() == [1, 0, 0, 3, 0]
    assert table["missing_share"].tolist() == [0.2, 0.0, 0.0, 0.6, 0.0]
    only = eda.missing_table(df, only_missing=True)
    assert only["column"].tolist() == ["CustomerID", "Country"]


def test_numeric_summary(df):
    table = eda.numeric_summary(df, percentiles=(0.25, 0.5, 0.75))
    assert list(table.columns) == ["column", "count", "mean", "std", "min", "p25", "p50", "p75",
                                   "max"]
    assert table["column"].tolist() == ["CustomerID", "Quantity", "UnitPrice"]  # no bool column
    q = table.set_index("column").loc["Quantity"]
    # Quantity 6, 1, 2, 1, 1: mean 11/5, squared deviations 14.44+3*1.44+0.04 = 18.8 -> var 4.7
    assert q["count"] == 5 and q["mean"] == pytest.approx(2.2)
    assert q["std"] == pytest.approx(np.sqrt(4.7))
    assert [q["min"], q["p25"], q["p50"], q["p75"], q["max"]] == [1, 1, 1, 2, 6]
    assert table.set_index("column").loc["CustomerID", "count"] == 4  # NaN ignored


def test_numeric_summary_without_numeric_columns():
    table = eda.numeric_summary(pd.DataFrame({"a": ["x", "y"]}))
    assert table.empty and "mean" in table.columns


def test_outlier_table_iqr():
    df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 100, -50], "y": np.arange(10.0)})
    table = eda.outlier_table(df, ["x"], factor=3).set_index("column")
    # sorted x: -50, 1, 2, 3, 4, 5, 6, 7, 8, 100; linear quantiles at positions 2.25 and 6.75:
    # Q1 = 2.25, Q3 = 6.75, IQR = 4.5 -> bounds 2.25 - 13.5 = -11.25 and 6.75 + 13.5 = 20.25
    row = table.loc["x"]
    assert row["lower"] == pytest.approx(-11.25) and row["upper"] == pytest.approx(20.25)
    assert (row["below"], row["above"], row["outliers"], row["n"]) == (1, 1, 2, 10)
    assert row["outlier_share"] == pytest.approx(0.2)
    everything = eda.outlier_table(df)
    assert everything["column"].tolist() == ["x", "y"]
    assert everything.set_index("column").loc["y", "outliers"] == 0


def test_outlier_table_zscore():
    df = pd.DataFrame({"x": [0.0] * 8 + [1.0, 10.0]})
    # mean 1.1, sample std sqrt(88.9 / 9) = 3.143: 10 is 2.83 std above the mean
    assert eda.outlier_table(df, method="zscore", factor=2)["above"].iloc[0] == 1
    assert eda.outlier_table(df, method="zscore", factor=3)["above"].iloc[0] == 0


def test_outlier_table_leaves_out_binary_and_flat_columns():
    # a 0/1 flag (90% zeros: Q1 = Q3 = 0) and a column whose quartiles are equal have no outliers to show
    df = pd.DataFrame({"flag": [0] * 9 + [1], "flat": [5.0] * 8 + [6.0, 50.0], "x": np.arange(10.0)})
    assert eda.outlier_table(df)["column"].tolist() == ["x"]
    assert eda.outlier_table(df, ["flag"]).empty
    x = pd.DataFrame({"x": np.r_[np.arange(10.0), np.inf]})  # inf is not counted as an outlier (nor as a value)
    assert eda.outlier_table(x)[["n", "outliers"]].values.tolist() == [[10, 0]]


def test_outlier_table_errors(df):
    with pytest.raises(ColumnError, match="not numeric: Country"):
        eda.outlier_table(df, ["Country"])
    with pytest.raises(ColumnError, match="choose from: CustomerID, Quantity"):
        eda.outlier_table(df, ["Sales"])
    with pytest.raises(ParamsError, match="iqr"):
        eda.outlier_table(df, method="mad")


def test_duplicate_summary(df):
    # rows 1, 3 and 4 are identical: two rows repeat an earlier one, in one group
    row = eda.duplicate_summary(df).iloc[0]
    assert (row["rows"], row["duplicate_rows"], row["duplicated_groups"]) == (5, 2, 1)
    assert row["duplicate_share"] == pytest.approx(0.4)
    assert row["subset"] == "all columns"
    by_id = eda.duplicate_summary(df, subset=["CustomerID"]).iloc[0]
    assert by_id["duplicate_rows"] == 2 and by_id["subset"] == "CustomerID"
    assert eda.duplicate_summary(df.iloc[:0]).iloc[0]["duplicate_rows"] == 0


def test_numeric_columns(df):
    assert eda.numeric_columns(df) == ["CustomerID", "Quantity", "UnitPrice"]
    assert eda.numeric_columns(df, exclude=["CustomerID"]) == ["Quantity", "UnitPrice"]


def test_online_retail_tables(online_retail_dir):
    files = sorted(online_retail_dir.glob("*.csv"))
    raw = pd.concat([pd.read_csv(f, dtype={"InvoiceNo": str, "StockCode": str}) for f in files],
                    ignore_index=True)
    schema = eda.schema_table(raw).set_index("column")
    assert schema.loc["CustomerID", "non_null"] == 541_909 - 135_080  # SOURCE.md
    assert schema.loc["CustomerID", "distinct"] == 4_372
    assert schema.loc["CustomerID", "example"] == "(redacted)"
    assert schema.loc["InvoiceNo", "distinct"] == 25_900
    assert schema.loc["Country", "distinct"] == 38
    assert eda.missing_table(raw).set_index("column").loc["Description", "missing"] == 1_454
    assert eda.duplicate_summary(raw)["duplicate_rows"].iloc[0] == 5_268
    out = eda.outlier_table(raw, ["Quantity", "UnitPrice"]).set_index("column")
    assert (out["outliers"] > 0).all()


def test_missing_chart_labels_bars_by_column_name():
    from segkit.eda import missing_table
    from segkit.plots import plot_missing

    df = pd.DataFrame({"CustomerID": [1.0, None, None, 4.0], "Description": ["a", None, "c", "d"], "x": [1, 2, 3, 4]})
    ax = plot_missing(missing_table(df))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Description", "CustomerID"]


def test_schema_findings_show_no_python_none(tmp_path):
    from segkit import stages

    ctx = stages.open_run(tmp_path / "run")
    ctx.folder.write_json("schema_findings.json", [
        {"severity": "warning", "column": "UnitPrice", "message": "2 values below 0", "rows": 2, "fix": None},
        {"severity": "warning", "column": "Qty", "message": "odd", "rows": 1, "fix": "check the export"}])
    table = stages.eda.schema_findings(ctx)
    assert table["Fix"].tolist() == ["", "check the export"]
    assert list(table.columns) == ["Column", "Finding", "Rows", "Fix"] and list(table.index) == ["Warning", "Warning"]


def test_schema_findings_say_what_was_found_beside_the_column_without_the_terminal_prefix(tmp_path):
    """The default run's findings read "column 'CustomerID' (customer_col): 135,080 of ..." in a table whose Column
    cell says CustomerID, beside a Fix column of blanks: the table now says the finding alone and drops the blanks."""
    from segkit import stages

    ctx = stages.open_run(tmp_path / "run")
    ctx.folder.write_json("schema_findings.json", [
        {"severity": "warning", "column": "CustomerID", "rows": 135080, "fix": None,
         "message": "column 'CustomerID' (customer_col): 135,080 of 541,909 rows (24.9%) have no value"},
        {"severity": "warning", "column": "UnitPrice", "rows": 2, "fix": "",
         "message": "column 'UnitPrice' (price_col) has 2 values below 0, e.g. -11,062.06"},
        {"severity": "info", "column": "age", "rows": 0, "fix": None, "message": "column 'age' has no values at all"},
        {"severity": "warning", "column": "Qty", "rows": 1, "fix": None, "message": "column 'Other' has 3 values"},
        {"severity": "warning", "column": "Qty", "rows": 1, "fix": None, "message": "column 'Qty'"}])
    table = stages.eda.schema_findings(ctx)
    assert list(table.columns) == ["Column", "Finding", "Rows"]
    assert table["Finding"].tolist() == ["135,080 of 541,909 rows (24.9%) have no value",
                                         "2 values below 0, e.g. -11,062.06", "No values at all",
                                         "column 'Other' has 3 values", "column 'Qty'"]  # another column's, or nothing left


def test_the_input_table_counts_the_census_not_available_codes_as_missing(tmp_path):
    """Delaware's median age read "0.0%" missing in the input table beside a check that found 4 'not available'
    codes (-666666666): the table now counts them as the check does."""
    from segkit import stages

    ctx = stages.open_run(tmp_path / "run", data_kind="demographics", data_path="acs.csv")
    raw = pd.DataFrame({"zcta": ["19701", "19702", "19703", "19706"], "median_age": [41.0, -666666666, 38.5, np.nan],
                        "name": ["a", "b", "c", "d"]})
    shown = stages.eda.input_table(ctx, raw)
    assert shown.loc["median_age", "Values"] == "2" and shown.loc["median_age", "Missing"] == "50.0%"
    assert shown.loc["zcta", "Missing"] == "0.0%" and shown.loc["name", "Values"] == "4"
    plain = stages.eda.input_table(stages.open_run(tmp_path / "tx"), raw)  # a kind without such codes: as read
    assert plain.loc["median_age", "Values"] == "3"
    # and so does the chart of missing values: Delaware's left out three columns the table showed with gaps
    coded = raw.assign(median_age=[41.0, -666666666, 38.5, 40.0])  # no NaN: the code is its only gap
    assert "<img" in stages.eda.missing_figure(coded, ctx).data
    assert "No column has a missing value" in stages.eda.missing_figure(coded, stages.open_run(tmp_path / "t2")).data
    assert stages.eda._coded(ctx, coded) == {"median_age": 1}


def test_the_input_table_redacts_ids_of_people_and_shows_public_area_codes(tmp_path):
    """Delaware's input table redacted its ZCTAs ("The examples of the id columns are not shown") while fips and
    geo_id showed the same codes beside them and the later pages list each segment's areas by ZCTA: a census area's
    code is public. A customer's id still is not shown, and the note under the table says which columns it hides."""
    from segkit import stages

    areas = stages.open_run(tmp_path / "acs", data_kind="demographics", data_path="acs.csv")
    raw = pd.DataFrame({"zcta": [19701, 19702], "geo_id": ["860Z200US19701", "860Z200US19702"],
                        "population": [44801, 2000]})
    assert stages.eda.input_table(areas, raw).loc["zcta", "Example"] == "19701"
    assert stages.eda.redaction_note(areas, raw) is None
    shop = stages.open_run(tmp_path / "tx")  # transactions: CustomerID and InvoiceNo
    lines = pd.DataFrame({"InvoiceNo": ["536365"], "StockCode": ["85123A"], "CustomerID": [17850.0],
                          "Quantity": [6]})
    shown = stages.eda.input_table(shop, lines)
    assert shown.loc["CustomerID", "Example"] == shown.loc["InvoiceNo", "Example"] == "(redacted)"
    assert shown.loc["StockCode", "Example"] == "85123A"
    assert ("The examples of InvoiceNo and CustomerID are not shown: they identify individual records."
            in stages.eda.redaction_note(shop, lines).data)
    one = stages.eda.redaction_note(shop, lines.drop(columns="InvoiceNo")).data
    assert "The examples of CustomerID are not shown: it identifies individual records." in one
    # a column whose name says an identifier or a contact detail is hidden where rows are people, and said so; a
    # census table's NAME (an area's name) is shown
    people = stages.open_run(tmp_path / "cu", data_kind="customers")
    contacts = pd.DataFrame({"customer_id": ["c1"], "email": ["a@b.example"], "age": [31]})
    shown = stages.eda.input_table(people, contacts)
    assert shown.loc["customer_id", "Example"] == shown.loc["email", "Example"] == "(redacted)"
    assert shown.loc["age", "Example"] == "31"
    assert "The examples of customer_id and email are not shown" in stages.eda.redaction_note(people, contacts).data
    named = raw.assign(NAME=["ZCTA5 19701", "ZCTA5 19702"])
    assert stages.eda.input_table(areas, named).loc["NAME", "Example"] == "ZCTA5 19701"


def test_missing_values_section_is_a_note_when_nothing_is_missing():
    """A table with no gap gets a sentence, not a blank chart that says so in its middle; gaps get the chart."""
    from segkit import stages

    full = pd.DataFrame({"id": ["a", "b"], "x": [1.0, 2.0]})
    shown = stages.eda.missing_figure(full).data
    assert "No column has a missing value" in shown and "<img" not in shown
    assert "<img" in stages.eda.missing_figure(full.assign(x=[1.0, np.nan])).data


def test_measure_columns_are_the_numbers_not_named_as_ids():
    df = pd.DataFrame({"CustomerID": [1, 2], "rownames": [1, 2], "spend": [3.5, 4.0], "vip": [True, False],
                       "city": ["a", "b"], "visits": [1, 2]})
    assert eda.measure_columns(df) == ["rownames", "spend", "visits"]
    assert eda.measure_columns(df, exclude=["visits"]) == ["rownames", "spend"]
