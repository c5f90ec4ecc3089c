"""segkit.schema: the YAML schemas per data kind and validate()."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segkit.errors import ColumnError, DataValueError, ParamsError
from segkit import kinds
from segkit.findings import Finding, findings_table
from segkit.schema import validate

QUIRKS = Path(__file__).parent / "data" / "quirks"


def _schema(kind):
    return kinds.get(kind).schema()


def _transactions(**changes) -> pd.DataFrame:
    df = pd.DataFrame({
        "InvoiceNo": ["1", "1", "2", "C3"], "StockCode": ["A", "B", "A", "A"], "Quantity": [2, 1, 5, -1],
        "InvoiceDate": ["2011-01-03 10:00", "2011-01-03 10:00", "2011-02-01 09:00", "2011-02-02 12:00"],
        "UnitPrice": [1.5, 2.0, 1.5, 1.5], "CustomerID": [17850.0, 17850.0, 12346.0, 12346.0],
        "Country": ["United Kingdom"] * 4})
    for col, values in changes.items():
        df[col] = values
    return df


def _rules(findings):
    return [(f.severity, f.rule, f.column) for f in findings]


@pytest.mark.parametrize("kind", ["transactions", "customers", "demographics"])
def test_every_kind_has_a_schema(kind):
    schema = _schema(kind)
    assert schema["kind"] == kind
    schema["kind"] = "changed"  # a copy: the cached schema is untouched
    assert _schema(kind)["kind"] == kind


def test_unknown_kind_is_a_params_error():
    with pytest.raises(ParamsError, match="unknown data_kind 'shops'"):
        validate(pd.DataFrame({"a": [1]}), _schema("shops"))


def test_clean_transactions_have_no_findings():
    assert validate(_transactions(), _schema("transactions")) == []


def test_columns_follow_the_params_mapping():
    df = _transactions().rename(columns={"CustomerID": "client"})
    with pytest.raises(ColumnError, match=r"column 'CustomerID' \(customer_col\) is not in the data") as err:
        validate(df, _schema("transactions"))
    assert err.value.key == "customer_col" and "set customer_col to one of" in err.value.message
    assert validate(df, _schema("transactions"), {"customer_col": "client"}) == []


def test_optional_mapped_column_absent_is_refused_unless_unset():
    df = _transactions().drop(columns="Country")
    with pytest.raises(ColumnError, match="country_col: null"):
        validate(df, _schema("transactions"))
    assert validate(df, _schema("transactions"), {"country_col": None}) == []


def test_amount_col_replaces_price_col():
    df = _transactions().drop(columns="UnitPrice").assign(Amount=[3.0, 2.0, 7.5, -1.5])
    assert validate(df, _schema("transactions"), {"amount_col": "Amount", "price_col": None}) == []


def test_unparsable_numbers_and_dates_are_hard_failures():
    with pytest.raises(ColumnError, match=r"'Quantity' \(quantity_col\) has 1 value that is not numbers, e.g. 'two'"):
        validate(_transactions(Quantity=["2", "two", "5", "-1"]), _schema("transactions"))
    with pytest.raises(ColumnError, match="not dates, e.g. 'yesterday'"):
        validate(_transactions(InvoiceDate=["2011-01-03", "yesterday", "2011-02-01", "2011-02-02"]), _schema("transactions"))


def test_all_hard_failures_are_named_in_one_message():
    df = _transactions(Quantity=["x"] * 4).drop(columns="InvoiceNo")
    with pytest.raises(ColumnError) as err:
        validate(df, _schema("transactions"))
    assert "InvoiceNo" in err.value.message and "Quantity" in err.value.message


def test_soft_problems_are_warnings_with_counts():
    df = _transactions(UnitPrice=[1.5, -2.0, 0.0, 1.5], Quantity=[2, 0, 5, -1],
                       CustomerID=[17850.0, None, None, None])
    findings = validate(df, _schema("transactions"))
    assert _rules(findings) == [("warning", "missing", "CustomerID"), ("warning", "nonzero", "Quantity"),
                                ("warning", "range", "UnitPrice"), ("warning", "nonzero", "UnitPrice")]
    missing = findings[0]
    assert missing.rows == 3 and missing.key == "customer_col" and "75.0%" in missing.message
    assert "below 0, e.g. -2.0" in findings[2].message
    # an amount of 1,000 or more reads as one, with its thousands separated (Online Retail's write-off of -11062.06);
    # two examples, told apart by "and": "-11,062.06, -1,200.5" read as one number of four groups, and a semicolon
    # between them as the end of the list
    big = validate(_transactions(UnitPrice=[-11062.06, -1200.5, -3.0, 1.5]), _schema("transactions"))
    assert "3 values below 0, e.g. -11,062.06 and -1,200.5; lines" in [f for f in big if f.rule == "range"][0].message
    # a whole amount among them is an amount too (Online Retail's prices above 1,000 read "38970 and 17,836.46")
    whole = validate(_transactions(UnitPrice=[-38970.0, -17836.46, 1.5, 2.0]), _schema("transactions"))
    assert "e.g. -38,970 and -17,836.46; lines" in [f for f in whole if f.rule == "range"][0].message
    # without a thousands separator among them (the farthest out first), a comma stays the separator
    small = validate(_transactions(UnitPrice=[1.5, -2.0, -3.25, 1.5]), _schema("transactions"))
    assert "e.g. -3.25, -2.0;" in [f for f in small if f.rule == "range"][0].message


def test_dates_in_the_future_are_flagged():
    findings = validate(_transactions(InvoiceDate=["2011-01-03", "2011-01-03", "2011-02-01", "2099-01-01"]),
                        _schema("transactions"))
    assert _rules(findings) == [("warning", "range", "InvoiceDate")]
    # the examples are dates, as the data has them, and the note says what the run does with them
    assert "e.g. 2099-01-01; the cleaning removes lines dated after today" in findings[0].message
    timed = validate(_transactions(InvoiceDate=["2011-01-03", "2011-01-03", "2011-02-01", "2099-01-01 14:05"]),
                     _schema("transactions"))
    assert "e.g. 2099-01-01 14:05;" in timed[0].message
    # a year no datetime can hold is not a date, here as in the cleaning (segkit.parse)
    with pytest.raises(ColumnError, match="1 value that is not dates, e.g. '2999-01-01'"):
        validate(_transactions(InvoiceDate=["2011-01-03", "2011-01-03", "2011-02-01", "2999-01-01"]),
                 _schema("transactions"))


def test_raise_errors_false_returns_errors_first():
    findings = validate(_transactions(Quantity=["x", "1", "2", "3"], UnitPrice=[-1.0, 1, 1, 1]), _schema("transactions"),
                        raise_errors=False)
    assert findings[0].severity == "error" and findings[0].rule == "type"
    table = findings_table(findings)
    assert list(table.columns) == ["severity", "rule", "column", "rows", "message"] and len(table) == len(findings)
    assert isinstance(findings[0], Finding) and findings[0].to_dict()["column"] == "Quantity"


def test_empty_input_is_a_data_value_error():
    with pytest.raises(DataValueError, match="at least 1 are needed"):
        validate(_transactions().iloc[:0], _schema("transactions"))


def test_required_column_without_values_is_a_data_value_error():
    with pytest.raises(DataValueError, match="'CustomerID' \\(customer_col\\) has no values at all"):
        validate(_transactions(CustomerID=[None] * 4), _schema("transactions"))
    # the order id is optional (invoice_col: null makes one purchase one customer-day): an empty one is a warning
    findings = validate(_transactions(InvoiceNo=[None] * 4), _schema("transactions"))
    assert ("warning", "empty", "InvoiceNo") in _rules(findings)


# ----------------------------------------------------------------------------------------- customers
def _customers(**changes) -> pd.DataFrame:
    df = pd.DataFrame({"CustomerID": [1, 2, 3, 4], "Age": [19, 35, 64, 41], "Annual Income": [15, 40, 80, 55],
                       "Gender": ["Male", "Female", "Female", "Male"]})
    return df.assign(**changes)



@pytest.mark.parametrize("prices, quantities, below, zeros", [
    ([1.5, -2.0, 0.0, 1.5], [2, 0, 5, -1], "1 value below 0, e.g. -2.0", "1 zero value"),
    ([-1.5, -2.0, 0.0, 1.5], [0, 0, 5, -1], "2 values below 0, e.g. -2.0, -1.5", "2 zero values")])
def test_warnings_count_in_the_right_number(prices, quantities, below, zeros):
    """One value is "1 value", more are "2 values": no "value(s)" on the data-quality page."""
    findings = validate(_transactions(UnitPrice=prices, Quantity=quantities), _schema("transactions"))
    said = {(f.rule, f.column): f.message for f in findings}
    assert said[("range", "UnitPrice")].startswith(f"column 'UnitPrice' (price_col) has {below}")
    assert said[("nonzero", "Quantity")].startswith(f"column 'Quantity' (quantity_col) has {zeros}")
    assert not any("(s)" in f.message for f in findings)

def test_customers_pass_and_ranges_apply_by_name():
    assert validate(_customers(), _schema("customers"), {"id_col": "CustomerID"}) == []
    findings = validate(_customers(Age=[19, 35, 164, -1]), _schema("customers"), {"id_col": "CustomerID"})
    assert _rules(findings) == [("warning", "range", "Age"), ("warning", "range", "Age")]
    # each says how to have them read as missing; once the params say so, the check has nothing left to say
    assert findings[0].fix.startswith('set valid_range: {"Age": [0, 120]} in the params to read them as missing')
    import yaml  # the fix is params a user can paste, whatever the column's name
    assert yaml.safe_load(findings[0].fix.split("set ")[1].split(" in the")[0]) == {"valid_range": {"Age": [0, 120]}}
    assert validate(_customers(Age=[19, 35, 164, -1]), _schema("customers"),
                    {"id_col": "CustomerID", "valid_range": {"Age": [0, 120]}}) == []


def test_customers_duplicate_ids_are_hard_failures():
    with pytest.raises(DataValueError, match="'CustomerID' \\(id_col\\) has 1 value on more than one row "
                                             "with different values, e.g. 1;"):
        validate(_customers(CustomerID=[1, 1, 3, 4]), _schema("customers"), {"id_col": "CustomerID"})


def test_customers_exact_copies_of_a_row_are_not_repeated_ids():
    """A double export repeats whole rows: the cleaning removes them (the first copy kept), so the check does not
    refuse the table; an id on two different rows still stops it."""
    table = _customers()
    copied = pd.concat([table, table.iloc[[0, 2]]], ignore_index=True)
    assert validate(copied, _schema("customers"), {"id_col": "CustomerID"}) == []
    conflict = pd.concat([copied, table.iloc[[1]].assign(Age=99)], ignore_index=True)
    with pytest.raises(DataValueError, match="1 value on more than one row with different values"):
        validate(conflict, _schema("customers"), {"id_col": "CustomerID"})


def test_customers_personal_constant_and_empty_columns():
    df = _customers(Email=["a@x", "b@x", "c@x", "d@x"], Shop=["one"] * 4, Notes=[None] * 4)
    findings = validate(df, _schema("customers"), {"id_col": "CustomerID"})
    assert ("warning", "personal", "Email") in _rules(findings)
    assert ("warning", "constant", "Shop") in _rules(findings)
    assert ("warning", "empty", "Notes") in _rules(findings)
    personal = next(f for f in findings if f.rule == "personal")
    assert "roles" in personal.fix
    # a person's email says nothing of postal codes (dplyr's starwars: "name ... (a postal code builds no segments")
    assert personal.message == "column 'Email' looks like personal data; keep it out of the reports"
    zipped = validate(_customers(zip_code=["01001", "01002", "01003", "01004"]), _schema("customers"),
                      {"id_col": "CustomerID"})
    assert next(f for f in zipped if f.rule == "personal").message.endswith("(a postal code builds no segments unless "
                                                                           "the params' roles name it)")
    assert validate(df, _schema("customers"), {"id_col": "CustomerID", "roles": {"Email": "ignore", "Shop": "ignore",
                                                                         "Notes": "ignore"}}) == []


def test_customers_single_column_suggests_the_delimiter():
    with pytest.raises(DataValueError, match="delimiter"):
        validate(pd.DataFrame({"a;b;c": ["1;2;3"] * 5}), _schema("customers"))


# -------------------------------------------------------------------------------------- demographics
def _areas(**changes) -> pd.DataFrame:
    df = pd.DataFrame({"zcta": [19701, 19702, 19703], "population": [44801, 56049, 120],
                       "median_age": [41.1, 36.8, -666666666], "median_household_income": [90000, 80000, 70000],
                       "age_0_17": [9000, 14000, 20]})
    return df.assign(**changes)


def test_demographics_missing_codes_are_noted_not_range_errors():
    findings = validate(_areas(), _schema("demographics"), {"id_col": "zcta"})
    assert _rules(findings) == [("info", "missing_codes", "median_age")]


def test_demographics_negative_counts_and_bad_ids():
    findings = validate(_areas(age_0_17=[9000, -5, 20], zcta=["19701", "19702", "1970X"]), _schema("demographics"),
                        {"id_col": "zcta"})
    assert ("warning", "range", "age_0_17") in _rules(findings)
    assert ("warning", "pattern", "zcta") in _rules(findings)


def test_demographics_negative_population_is_a_hard_failure():
    with pytest.raises(DataValueError, match="population"):
        validate(_areas(population=[-1, 10, 10]), _schema("demographics"), {"id_col": "zcta"})


def test_demographics_default_id_column_and_missing_population():
    with pytest.raises(ColumnError, match="'population' is not in the data"):
        validate(_areas().drop(columns="population"), _schema("demographics"))


def test_a_warning_says_its_fix_once():
    assert Finding("warning", "range", "Age", "column 'Age' has 1 value below 0", fix="set valid_range").said() == \
        "column 'Age' has 1 value below 0. Fix: set valid_range"
    already = Finding("warning", "stages", None, "churn: too short (to keep it: set churn_horizon_days)",
                      fix="set churn_horizon_days")
    assert already.said() == already.message and Finding("warning", "missing", "x", "gaps").said() == "gaps"


def test_amounts_in_several_currencies_warn_whatever_the_column_is_called():
    """The reader records the currencies of each column it reads; the check warns from that record, so a column
    name with a quote in it ("Customer's amount") is warned of too."""
    from segkit.io.columns import type_columns

    raw, _ = type_columns(pd.DataFrame({"id": ["a", "b", "c"], "Customer's amount": ["$1.50", "€2", "£3"],
                                        "fee": ["$1", "$2", "$3"]}))
    found = [f for f in validate(raw, kinds.get("customers").schema(), {"currency": "$"}) if f.rule == "currency"]
    assert [(f.column, f.severity) for f in found] == [("Customer's amount", "warning")]
    assert "several currencies ($, €, £)" in found[0].message and found[0].rows == 3


def test_amounts_in_one_currency_that_the_reports_would_not_show_warn():
    """A German shop's amounts ("€ 8,14", "7,55 €") read without a currency in the params: every page said £. The
    reader records each column's one currency; the check warns when the params' currency is another one."""
    from segkit.io.columns import type_columns

    raw, _ = type_columns(pd.DataFrame({"id": ["a", "b", "c"], "Betrag": ["€ 8,14", "7,55 €", "3,10"],
                                        "fee": ["$1", "USD 2", "3"]}))
    assert raw.attrs["currency_of"] == {"Betrag": "€", "fee": "$"}
    schema = kinds.get("customers").schema()
    found = [f for f in validate(raw, schema, {"currency": "$"}) if f.rule == "currency"]
    assert [(f.column, f.key) for f in found] == [("Betrag", "currency")]
    assert found[0].said() == ("column 'Betrag' holds amounts in €, but the reports would show money in $ (currency). "
                               "Fix: set currency: \"€\" in the params")
    assert [f.column for f in validate(raw, schema, None) if f.rule == "currency"] == ["Betrag", "fee"]  # £ default
    # a column the roles leave out says nothing of the money shown, nor does one a transactions table does not map
    assert [f.column for f in validate(raw, schema, {"currency": "€", "roles": {"fee": "ignore"}})
            if f.rule == "currency"] == []
    from segkit.config import params_from_mapping
    from segkit.schema import money_currencies

    lines, _ = type_columns(pd.DataFrame({"Amount": ["8,14", "7,55"], "Shipping": ["$4", "$5"]}))
    mapped = params_from_mapping({"data_kind": "transactions", "amount_col": "Amount", "price_col": None})
    assert lines.attrs["currency_of"] == {"Shipping": "$"} and money_currencies(lines, mapped) == {}


@pytest.mark.parametrize("files, expected, noted", [
    # a file written with a decimal comma beside files with a point: each with its own mark
    ((["32,74", "1.012,75"], ["8.51", "1012.75"]), ["32.74", "1012.75", "8.51", "1012.75"], True),
    # 1,200 and 1.234 may be thousands: they back neither mark (a consistent US or German folder lost a factor 1000)
    ((["1,200", "2,500", "950"], ["12.5", "3"]), ["1,200", "2,500", "950", "12.5", "3"], False),
    ((["1.234", "2.500"], ["12,5", "3,75"]), ["1.234", "2.500", "12,5", "3,75"], False),
    # codes with leading zeros are never rewritten as numbers
    ((["1,10", "1,1", "007,5"], ["1.5", "2.25"]), ["1,10", "1,1", "007,5", "1.5", "2.25"], False),
    # files that agree, and text, are left as they are
    ((["1,5", "2,25"], ["3,5"]), ["1,5", "2,25", "3,5"], False),
    ((["12.5", "abc"], ["3,5"]), ["12.5", "abc", "3,5"], False),
])
def test_one_decimal_mark_per_file(files, expected, noted):
    from segkit.io.columns import one_decimal_mark

    df = pd.DataFrame({"v": pd.Series([v for f in files for v in f], dtype="string")})
    out, notes = one_decimal_mark(df, [len(f) for f in files], [f"f{i}.csv" for i in range(len(files))])
    assert out["v"].tolist() == expected and bool(notes) == noted


@pytest.mark.parametrize("path, decimal, fix", [
    ("folder_one_month_decimal_comma", ",", "leave decimal and thousands unset, which reads each file with its own mark"),
    ("folder_one_month_decimal_comma/2011-01.csv", ",", "leave decimal and thousands unset (the reader finds the marks)"),
    ("folder_one_month_decimal_comma/2011-02.csv", ".", "leave decimal and thousands unset (the reader finds the marks)"),
])
def test_a_decimal_mark_the_files_do_not_use_is_named_in_the_fix(path, decimal, fix):
    """decimal: "," on files written with a point: the error says the values are numbers and how to read them."""
    from segkit.config import params_from_mapping
    from segkit.preflight import preflight

    params = params_from_mapping({"data_kind": "transactions", "data_path": str(QUIRKS / path), "decimal": decimal})
    with pytest.raises(ColumnError) as err:
        preflight(params)
    assert f"those are numbers, but not written with decimal: {decimal!r}: {fix}" in str(err.value)
    assert "that are not numbers, e.g. " + ("'2.55'" if decimal == "," else "'2,55'") in str(err.value)


def test_values_no_mark_reads_keep_the_plain_fix():
    from segkit.io.columns import other_marks

    assert other_marks(pd.Series(["2.55", "n/a?"]), [True, True], ",", None, {}) == ""  # one is no number under any mark
    assert other_marks(pd.Series(["2.55"]), [True], None, None, {}) == ""  # the params set no mark


@pytest.mark.parametrize("n, said", [(1, "1 value that is not whole numbers"),
                                     (2, "2 values that are not whole numbers")])
def test_verbs_agree_with_the_count(n, said):
    """"1 value that is not", "2 lines are identical": the verb after a count is in the count's number."""
    from segkit.config import params_from_mapping
    quantities = [2.5, 1.5, 5, -1][:n] + [2, 1, 5, -1][n:]
    findings = validate(_transactions(Quantity=quantities), _schema("transactions"))
    assert f"column 'Quantity' (quantity_col) has {said}" in {f.rule: f.message for f in findings}["integer"]
    raw = _transactions().drop(columns="Quantity")
    raw = pd.concat([raw, raw.head(n)], ignore_index=True)
    params = params_from_mapping({"data_kind": "transactions", "quantity_col": None,
                                  "amount_col": "UnitPrice"})
    found = {f.rule: f.message for f in kinds.get("transactions").module.input_findings(raw, params)}
    lines = "1 line (20.0%) is identical to an earlier line and is kept" if n == 1 else \
        "2 lines (33.3%) are identical to an earlier line and are kept"
    assert found["duplicates"].startswith(lines)


def test_the_missing_id_finding_says_why_the_cleaning_log_can_count_fewer():
    """Online Retail's 01 said "135,080 rows have no value" beside a cleaning log that removed 135,037 lines without
    an id: the other 43 were exact duplicates, removed first. The finding says so; the counts are those of the data."""
    from segkit.kinds.transactions.clean import clean_transactions

    df = _transactions(CustomerID=[17850.0, None, None, 12346.0], InvoiceNo=["1", "2", "2", "C3"],
                       StockCode=["A", "B", "B", "A"], Quantity=[2, 1, 1, -1], UnitPrice=[1.5, 2.0, 2.0, 1.5],
                       InvoiceDate=["2011-01-03 10:00", "2011-02-01 09:00", "2011-02-01 09:00", "2011-02-02 12:00"])
    finding = [f for f in validate(df, _schema("transactions")) if f.rule == "missing"][0]
    assert finding.rows == 2 and "its log counts those left once exact duplicate lines are removed" in finding.message
    _, log = clean_transactions(df)
    assert log["duplicates"].rows_removed == 1 and log["missing_customer"].rows_removed == 1
