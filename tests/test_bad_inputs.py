"""Bad input gets a clear error: each case names the problem and the fix (issue #7).

The matrix: files (missing, empty, header only, delimiter, encoding, workbooks), columns (missing,
non-numeric, empty or constant), values (duplicated ids, dates, prices, infinite or absurd numbers),
size and k, and params. Each test checks the error's class and the words a user needs: what is wrong,
where (file, column, params key) and what to do ("Fix: ...").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import io, kinds, source
from segkit.kinds.transactions.clean import clean_transactions
from segkit.cli import main
from segkit.config import params_from_mapping
from segkit.errors import (ColumnError, DataFileError, DataValueError, ParamsError, SegkitError,
                           SegmentationError)
from segkit.kinds.transactions.features import behaviour_features
from segkit.pipeline import preflight

ROOT = Path(__file__).resolve().parents[1]
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
LINES = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536366,71053,WHITE METAL LANTERN,6,2010-12-02 09:00:00,3.39,17851.0,United Kingdom",
    "536367,84406B,CREAM CUPID HEARTS COAT HANGER,8,2010-12-03 10:00:00,2.75,17852.0,France",
    "536368,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,6,2010-12-05 11:00:00,3.39,17852.0,France",
]


def _csv(tmp_path: Path, text: str, name: str = "orders.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _orders(tmp_path: Path, lines=LINES, **kw) -> Path:
    return _csv(tmp_path, "\n".join([HEADER, *lines]) + "\n", **kw)


def _message(exc: SegkitError) -> str:
    assert "Fix:" in exc.message, f"no fix in: {exc.message}"
    return exc.message


# --------------------------------------------------------------------------------------------- files
def test_missing_file_names_the_key_and_nearby_files(tmp_path):
    _orders(tmp_path)
    with pytest.raises(DataFileError) as err:
        io.read_table(tmp_path / "order.csv")
    text = _message(err.value)
    assert "order.csv does not exist" in text and "set data_path" in text and "orders.csv" in text
    assert err.value.key == "data_path"


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    for read in (io.read_table, io.read_header):
        with pytest.raises(DataFileError, match="is empty") as err:
            read(path)
        assert "export the table again" in _message(err.value)


def test_header_without_rows(tmp_path):
    with pytest.raises(DataFileError) as err:
        io.read_table(_csv(tmp_path, HEADER + "\n"))
    text = _message(err.value)
    assert "has a header but no rows (8 columns: InvoiceNo, StockCode" in text and "export the rows too" in text


@pytest.mark.parametrize("delimiter, said", [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_other_delimiters_are_sniffed_and_noted(tmp_path, delimiter, said):
    text = "\n".join(line.replace(",", delimiter) for line in [HEADER, *LINES]) + "\n"
    df = io.read_table(_csv(tmp_path, text))
    assert list(df.columns) == HEADER.split(",") and len(df) == 4
    assert df["UnitPrice"].tolist() == [2.55, 3.39, 2.75, 3.39]
    assert any(f"uses {said} as delimiter" in n for n in df.attrs["read_notes"])
    assert io.read_header(tmp_path / "orders.csv") == HEADER.split(",")


def test_unsupported_delimiter_is_named(tmp_path):
    text = "\n".join(line.replace(",", "^") for line in [HEADER, *LINES]) + "\n"
    with pytest.raises(DataFileError) as err:
        io.read_table(_csv(tmp_path, text))
    text = _message(err.value)
    assert "read as a single column" in text and "delimiter looks like '^'" in text
    assert "save the file with comma separators" in text


def test_latin1_file_keeps_the_pound_sign(tmp_path):
    lines = [*LINES, "536369,GIFT_0001_10,Dotcomshop Gift Voucher £10.00,1,2010-12-06 12:00:00,8.5,17853.0,"
             "United Kingdom"]
    path = _orders(tmp_path, lines, encoding="iso-8859-1")
    assert "£".encode("utf-8") not in path.read_bytes()  # really not UTF-8
    df = io.read_table(path)
    assert df["Description"].iloc[-1] == "Dotcomshop Gift Voucher £10.00"
    assert df["Description"].iloc[0] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert any("is not UTF-8; it was read as cp1252" in n for n in df.attrs["read_notes"])
    assert io.read_header(path) == HEADER.split(",")


def test_binary_file_with_a_csv_name(tmp_path):
    book = tmp_path / "book.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(book, index=False)
    path = tmp_path / "orders.csv"
    path.write_bytes(book.read_bytes())
    for read in (io.read_table, io.read_header):
        with pytest.raises(DataFileError, match="is a zip archive .an .xlsx workbook.., not a CSV text file") as err:
            read(path)
        assert "give the file its real extension" in _message(err.value)


def test_rows_with_too_many_fields(tmp_path):
    with pytest.raises(DataFileError) as err:
        io.read_table(_orders(tmp_path, [*LINES[:2], LINES[2] + ",extra,fields", LINES[3]]))
    text = _message(err.value)
    assert "line 4 has 10 fields where the rows have 8: '" in text
    assert "quote the value that holds the delimiter" in text
    with pytest.raises(DataFileError) as err:  # every row longer: pandas alone would drop the values
        io.read_table(_orders(tmp_path, [line + ",x" for line in LINES]))
    text = _message(err.value)
    assert "line 2 has 9 fields but the header names 8 (extra values: 'x')" in text
    assert "check the delimiter and the quotes" in text


def test_rows_longer_than_the_header_never_shift_the_columns(tmp_path):
    # pandas' default would make the first two columns an index and shift every value left
    raw = io.read_table(_orders(tmp_path, [line + ",," for line in LINES]))
    assert list(raw.columns) == HEADER.split(",") and raw.index.equals(pd.RangeIndex(4))
    assert raw["InvoiceNo"].tolist() == [536365, 536366, 536367, 536368]
    assert raw["CustomerID"].tolist() == [17850.0, 17851.0, 17852.0, 17852.0]
    assert any("4 rows end with empty extra fields" in n for n in raw.attrs["read_notes"])


def test_workbook_with_several_sheets_needs_data_sheet(tmp_path):
    path = tmp_path / "export.xlsx"
    orders = pd.read_csv(_orders(tmp_path))
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["exported 2011-12-10"]}).to_excel(writer, sheet_name="About", index=False)
        orders.to_excel(writer, sheet_name="Orders", index=False)
    with pytest.raises(DataFileError) as err:
        io.read_table(path)
    text = _message(err.value)
    assert "has 2 sheets (About, Orders) and data_sheet is not set" in text
    assert "set data_sheet to one of: About, Orders" in text and err.value.key == "data_sheet"
    with pytest.raises(DataFileError, match="has no sheet 'orders'.*set data_sheet to one of: About, Orders"):
        io.read_table(path, sheet="orders")
    params = params_from_mapping({"data_path": str(path), "data_sheet": "Orders"})
    assert len(source.load_input(params)) == 4
    assert preflight(params, deep=False)["columns"] == HEADER.split(",")
    assert len(io.read_table(path, sheet=1)) == 4


# ------------------------------------------------------------------------------------------- columns
def test_mapped_columns_missing_are_listed_with_the_available_ones(tmp_path, capsys):
    data = _orders(tmp_path)
    params = tmp_path / "p.yaml"
    params.write_text(f"data_path: {data}\ncustomer_col: Customer\ndate_col: Date\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "customer_col='Customer' (did you mean 'CustomerID'?), date_col='Date'" in err
    assert "available columns: " + ", ".join(HEADER.split(",")) in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_non_numeric_prices_give_count_and_examples(tmp_path):
    lines = [LINES[0].replace(",2.55,", ",two,"), LINES[1].replace(",3.39,", ",ask,"), *LINES[2:]]
    raw = io.read_table(_orders(tmp_path, lines))
    with pytest.raises(ColumnError) as err:
        clean_transactions(raw)
    text = _message(err.value)
    assert "column 'UnitPrice' (price_col) has 2 values that are not numbers, e.g. 'two', 'ask'" in text
    assert "point price_col at a numeric column, or fix those values" in text
    assert err.value.key == "price_col" and err.value.column == "UnitPrice"


def test_prices_with_currency_signs_thousands_and_blanks_are_read(tmp_path):
    lines = [LINES[0].replace(",2.55,", ",£2.55,"), LINES[1].replace(",3.39,", ",\"1,339\","),
             LINES[2].replace(",2.75,", ", ,"), *LINES[3:]]
    raw = io.read_table(_orders(tmp_path, lines))  # typed once for the whole file: numbers, and one missing
    assert raw["UnitPrice"].tolist()[:2] == [2.55, 1339.0] and raw["UnitPrice"].isna().sum() == 1
    assert any("currency £ removed (1 value)" in n and "1 blank or NA value read as missing" in n
               for n in raw.attrs["read_notes"])
    clean, log = clean_transactions(raw)
    assert log["missing_values"].rows_removed == 1  # the blank price is missing, and its line set aside
    clean, log = clean_transactions(pd.read_csv(_orders(tmp_path, lines), dtype=str))  # text: read by the cleaning
    assert clean["price"].tolist()[:2] == [2.55, 1339.0] and log["missing_values"].rows_removed == 1
    assert any(r["column"] == "UnitPrice" and r["n_missing"] == 1 for r in log.readings)


def test_unnamed_empty_columns_are_dropped_with_a_note(tmp_path):
    text = "\n".join(line + ",," for line in [HEADER, *LINES]) + "\n"  # trailing delimiters everywhere
    raw = io.read_table(_csv(tmp_path, text))
    assert list(raw.columns) == HEADER.split(",")
    assert any("2 columns without a name and without values were dropped" in n for n in raw.attrs["read_notes"])


def test_empty_mapped_column_is_pointed_out(tmp_path):
    lines = [",".join(line.split(",")[:6] + ["", line.split(",")[7]]) for line in LINES]
    raw = io.read_table(_orders(tmp_path, lines))
    clean, log = clean_transactions(raw)
    assert "every remaining line was removed here: check the mapping of customer_col" in log["missing_customer"].note
    with pytest.raises(DataValueError) as err:
        behaviour_features(clean)
    assert "the transaction table is empty" in _message(err.value) and "cleaning log" in err.value.message


def test_empty_and_constant_customer_columns_are_left_out_with_a_note(mall_csv, tmp_path):
    df = pd.read_csv(mall_csv)
    df["Store"] = "Central"  # constant
    df["Loyalty"] = np.nan  # empty
    path = tmp_path / "mall.csv"
    df.to_csv(path, index=False)
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path)})
    kind = kinds.get("customers")
    fs = kind.features(kind.clean(io.read_table(path), params)[0], params)
    assert "Store" not in fs.columns and "Loyalty" not in fs.columns
    assert "Age" in fs.columns
    noted = " ".join(fs.notes)
    assert "Store" in noted and "Loyalty" in noted


# -------------------------------------------------------------------------------------------- values
def test_duplicated_ids(tmp_path, mall_csv):
    # transactions: exact duplicate lines are removed and counted
    raw = io.read_table(_orders(tmp_path, [LINES[0], *LINES]))
    _, log = clean_transactions(raw)
    assert log["duplicates"].rows_removed == 1
    # customer tables: a repeated id keeps its first row, and the log names it
    df = pd.read_csv(mall_csv, dtype={"CustomerID": str})
    df.loc[5, "CustomerID"] = df.loc[4, "CustomerID"]
    params = params_from_mapping({"data_kind": "customers", "id_col": "CustomerID"})
    cleaned, log = kinds.get("customers").clean(df, params)
    assert log["duplicate_ids"].rows_removed == 1 and "0005" in log["duplicate_ids"].note
    # area tables: repeated ids stop the run
    from segkit.kinds.demographics.acs import build_acs_features

    acs = pd.DataFrame({"zcta": [19701, 19701], "population": [100, 200]})
    with pytest.raises(DataValueError, match="area ids repeat in 'zcta': 19701.*keep one row per area"):
        build_acs_features(acs, id_col="zcta", min_groups=0)


def test_dates_in_mixed_formats_are_read(tmp_path):
    lines = [LINES[0], LINES[1].replace("2010-12-02 09:00:00", "12/02/2010 09:00"),
             LINES[2].replace("2010-12-03 10:00:00", "2010-12-03T10:00:00"),
             LINES[3].replace("2010-12-05 11:00:00", "5 Dec 2010 11:00")]
    clean, _ = clean_transactions(io.read_table(_orders(tmp_path, lines)))
    assert clean["date"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2010-12-01 08:26", "2010-12-02 09:00", "2010-12-03 10:00", "2010-12-05 11:00"]


@pytest.mark.parametrize("value, examples", [("not a date", "'not a date'"), ("0000-00-00", "'0000-00-00'"),
                                             ("0001-01-01", "'0001-01-01'"), ("9999-12-31", "'9999-12-31'")])
def test_dates_that_cannot_be_dates(tmp_path, value, examples):
    lines = [LINES[0], LINES[1].replace("2010-12-02 09:00:00", value), *LINES[2:]]
    with pytest.raises(DataValueError) as err:
        clean_transactions(io.read_table(_orders(tmp_path, lines)))
    text = _message(err.value)
    assert f"column 'InvoiceDate' (date_col) has 1 value that is not dates, e.g. {examples}" in text
    assert err.value.key == "date_col"


def test_numbers_in_the_date_column(tmp_path):
    raw = io.read_table(_orders(tmp_path)).assign(InvoiceDate=[20101201, 20101202, 20101203, 20101205])
    clean, log = clean_transactions(raw)  # YYYYMMDD numbers are dates
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2010-12-01", "2010-12-02", "2010-12-03", "2010-12-05"]
    assert log.readings[0]["reading"] == "YYYYMMDD numbers"
    raw = raw.assign(InvoiceDate=[123456789, 2, 3, 5])  # neither YYYYMMDD nor an Excel serial date: not dates
    with pytest.raises(DataValueError, match=r"'InvoiceDate' \(date_col\) has 1 value that is not dates, "
                                             r"e.g. '123456789'"):
        clean_transactions(raw)


def test_dates_in_the_future_are_removed_and_logged(tmp_path):
    lines = [*LINES, LINES[0].replace("2010-12-01", "2099-01-01").replace("536365", "536370")]
    clean, log = clean_transactions(io.read_table(_orders(tmp_path, lines)))
    step = log["future_dates"]
    assert step.rows_removed == 1 and "2099-01-01" in step.note and "correct the dates" in step.note
    assert clean["date"].max() == pd.Timestamp("2010-12-05 11:00")
    assert behaviour_features(clean)["recency"].min() == 1  # recency is not shifted by the bad date
    _, log = clean_transactions(io.read_table(_orders(tmp_path)))
    assert "future_dates" not in [s.rule for s in log.steps]  # logged only when there are any


def test_negative_and_zero_prices_are_removed_and_logged(tmp_path):
    lines = [LINES[0].replace(",2.55,", ",0,"), LINES[1].replace(",3.39,", ",-3.39,"), *LINES[2:]]
    clean, log = clean_transactions(io.read_table(_orders(tmp_path, lines)))
    assert log["non_positive_price"].rows_removed == 2 and len(clean) == 2
    everything = [line.replace(",2.55,", ",0,").replace(",3.39,", ",0,").replace(",2.75,", ",0,") for line in LINES]
    clean, log = clean_transactions(io.read_table(_orders(tmp_path, everything)))
    assert "check the mapping of price_col" in log["non_positive_price"].note
    with pytest.raises(DataValueError, match="transaction table is empty"):
        behaviour_features(clean)


@pytest.mark.parametrize("column, value, key", [("UnitPrice", "inf", "price_col"), ("Quantity", "1e309", "quantity_col"),
                                                ("UnitPrice", "-Infinity", "price_col"), ("Quantity", "5e13", "quantity_col")])
def test_infinite_or_absurd_values(tmp_path, column, value, key):
    raw = io.read_table(_orders(tmp_path)).astype({column: object})
    raw.loc[2, column] = value
    with pytest.raises(DataValueError) as err:
        clean_transactions(raw)
    text = _message(err.value)
    assert f"column '{column}' ({key}) has 1 infinite or absurdly large value" in text
    assert "correct or remove those rows" in text and err.value.key == key


# -------------------------------------------------------------------------------------------- size, k
@pytest.fixture
def features_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"recency": rng.gamma(2, 30, 12), "frequency": rng.integers(1, 9, 12).astype(float),
                         "monetary": rng.gamma(2, 200, 12)})


def test_fewer_rows_than_k(features_table):
    from segkit.cluster import SegmentModel
    from segkit.pipeline import k_bounds

    with pytest.raises(SegmentationError) as err:
        SegmentModel(5).fit(features_table.head(4))
    assert "k=5 segments need at least 5 rows, the data has 4" in _message(err.value)
    with pytest.raises(SegmentationError) as err:
        k_bounds(params_from_mapping({"k": 5}), 4)
    assert "k=5 segments asked for, but only 4 rows" in _message(err.value) and err.value.key == "k"


def test_k_below_two_is_refused_as_params():
    for values in ({"k": 1}, {"k_min": 1}, {"k": 0}):
        with pytest.raises(ParamsError) as err:
            params_from_mapping(values)
        assert "at least 2" in _message(err.value)


def test_k_range_larger_than_the_data():
    from segkit.pipeline import k_bounds

    assert k_bounds(params_from_mapping({"k_min": 2, "k_max": 10}), 6) == (2, 2)  # a segment per 5 rows, k_min 2
    assert k_bounds(params_from_mapping({"k_min": 2, "k_max": 10}), 17) == (2, 3)
    assert k_bounds(params_from_mapping({"k_min": 2, "k_max": 4}), 200) == (2, 4)
    assert k_bounds(params_from_mapping({"k_min": 3, "k_max": 10}), 7) == (3, 3)  # k_min asks for more
    with pytest.raises(SegmentationError) as err:
        k_bounds(params_from_mapping({"k_min": 8, "k_max": 10}), 6)
    assert "k_min=8 is not below the 6 rows to segment" in _message(err.value)
    with pytest.raises(SegmentationError, match="only 2 rows are left to segment"):
        k_bounds(params_from_mapping({}), 2)
    with pytest.raises(SegmentationError, match="only 3 rows to segment: 2 segments of them would hold one") as err:
        k_bounds(params_from_mapping({}), 3)
    assert err.value.key == "k_min"
    assert err.value.fix == "segment a larger table (at least 10 for 2 segments of 5 or more)"
    with pytest.raises(SegmentationError, match="only 7 rows to segment: 4 segments") as err:
        k_bounds(params_from_mapping({"k": 4}), 7)
    assert err.value.key == "k" and err.value.fix.endswith("or set k at most 3")
    with pytest.raises(SegmentationError, match="k=3 segments asked for, but only 3 customers") as err:
        k_bounds(params_from_mapping({"k": 3}), 3, "customers")
    assert err.value.fix == "segment a larger table"  # not k: 2 or k: auto, which 3 rows cannot hold either
    with pytest.raises(SegmentationError, match="k_min=6 is not below the 6 rows") as err:
        k_bounds(params_from_mapping({"k_min": 6}), 6)
    assert err.value.fix == "set k_min at most 3"
    assert k_bounds(params_from_mapping({"k": 8}), 30) == (2, 8)  # a fixed k stays in the range scored
    assert k_bounds(params_from_mapping({"data_kind": "demographics", "k": 25}), 40) == (2, 8)  # the kind caps k


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_segment_that_collapses_to_empty(features_table):
    from segkit.cluster import SegmentModel

    same = pd.concat([features_table.head(2)] * 5, ignore_index=True)  # 10 rows, 2 distinct points
    with pytest.raises(SegmentationError) as err:
        SegmentModel(3, algorithm="kmeans", random_state=0).fit(same)
    assert "came out empty" in _message(err.value)


# -------------------------------------------------------------------------------------------- params
@pytest.mark.parametrize("text, expected", [
    ("k: many\n", "(got 'many')"),
    ("features: recency\n", "'features' must be a list"),
    ("drop_duplicates: maybe\n", "'drop_duplicates' must be true or false"),
    ("seed: 1.5\n", "'seed' "),
])
def test_wrong_types_stop_the_cli_before_any_notebook(tmp_path, capsys, text, expected):
    params = tmp_path / "bad.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\n{text}")
    out = tmp_path / "reports"
    assert main(["run", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


# ------------------------------------------------------------------------------------------ tiny tables
def _tiny(tmp_path, n: int) -> Path:
    rng = np.random.default_rng(n)
    pd.DataFrame({"customer_id": range(1, n + 1), "age": rng.integers(18, 80, n),
                  "income": rng.integers(10, 200, n) * 1000}).to_csv(tmp_path / f"t{n}.csv", index=False)
    params = tmp_path / f"t{n}.yaml"
    params.write_text(f"data_kind: customers\ndata_path: t{n}.csv\nid_col: customer_id\n")
    return params


def test_a_table_of_three_customers_is_refused_by_check_and_run(tmp_path, capsys):
    """A trial's 3-row table completed with two "segments" of 2 and 1 customers, named as groups."""
    params, out = _tiny(tmp_path, 3), tmp_path / "reports"
    assert main(["check", str(params)]) == 2
    assert "only 3 customers to segment" in capsys.readouterr().err
    assert main(["run", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "only 3 customers to segment" in err and "Traceback" not in err and not out.exists()


def test_a_table_of_eight_customers_is_warned_about_and_gets_two_segments(tmp_path, capsys):
    params = _tiny(tmp_path, 8)
    assert main(["check", str(params)]) == 0
    assert "only 8 customers to segment: 2 segments of them hold 4 on average" in capsys.readouterr().out
    from segkit.config import load_params
    from segkit.pipeline import k_bounds

    assert k_bounds(load_params([params])[0], 8) == (2, 2)
    assert main(["check", str(_tiny(tmp_path, 12))]) == 0
    assert "to segment" not in capsys.readouterr().out
    from segkit.pipeline import select

    selection, k, _ = select(load_params([params])[0], np.random.default_rng(0).normal(size=(8, 2)))
    assert k == 2 and selection.notes[0].startswith("Numbers of segments were tried up to 2, not 10: at most one "
                                                    "segment per 5 customers")
    from segkit.stages.select_k import sampling_sentence

    assert sampling_sentence(selection).endswith(f" {selection.notes[0]}.")  # the k page says it


def test_the_rfm_grid_needs_no_k(tmp_path, capsys):
    """rfm_method: scores names one segment per grid cell that holds customers: three customers need no k."""
    params = tmp_path / "grid.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\ndata_path: {_orders(tmp_path)}\n"
                      "rfm_method: scores\n")
    assert main(["check", str(params)]) == 0
    assert "to segment" not in capsys.readouterr().out


def test_a_tiny_table_may_still_be_explored(tmp_path, capsys):
    """01_eda alone chooses no k: the check of a 3-row table for it passes."""
    params = _tiny(tmp_path, 3)
    assert main(["check", str(params), "--only", "01_eda"]) == 0
    assert "to segment" not in capsys.readouterr().out


# --------------------------------------------------------------------------------------- model files
@pytest.fixture
def saved_model(tmp_path, features_table):
    from segkit.cluster import SegmentModel
    from segkit.modelio import save_model

    return save_model(SegmentModel(2, random_state=0).fit(features_table), tmp_path / "model",
                      metadata={"input_hash": None})


def test_damaged_model_files_are_refused_with_a_fix(saved_model):
    import json

    from segkit.errors import ModelError
    from segkit.modelio import load_model

    meta_path = saved_model / "metadata.json"
    meta = json.loads(meta_path.read_text())
    (saved_model / "model.skops").write_bytes(b"not a zip archive")
    with pytest.raises(ModelError, match="does not match the hash recorded in metadata.json.*Fix: refit"):
        load_model(saved_model)
    meta["model_sha256"] = __import__("hashlib").sha256(b"not a zip archive").hexdigest()  # a consistent forgery
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="cannot be read as a skops file.*Fix: refit"):
        load_model(saved_model)
    meta_path.write_text("[1, 2]")
    with pytest.raises(DataFileError, match="is not a segkit model's metadata"):
        load_model(saved_model)


def test_readme_states_the_model_trust_boundary():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "## Model files and trust" in (ROOT / "README.md").read_text(encoding="utf-8")
    for words in ("skops", "does not run code when it loads", "SHA-256", "refuses a mismatch",
                  "Only load model folders you or your team produced"):
        assert words in text, words


def test_clustering_on_two_of_rfm_still_names_the_segments():
    """features: [recency, monetary] passed the check, then 05 stopped: "the profile has no frequency column
    'frequency'. Fix: ... pass columns={'frequency': ...}" (a Python argument). The RFM names need all three."""
    from segkit import pipeline
    from segkit.source import load_input

    params = params_from_mapping({"data_path": "synth://transactions?rows=6000&seed=1", "features": ["recency",
                                                                                                  "monetary"]})
    fs = pipeline.build_features(params, pipeline.clean_table(params, load_input(params))[0])
    assert fs.columns == ["recency", "monetary"] and fs.profile_columns[:3] == ["recency", "monetary", "frequency"]
    seg = pipeline.fit_segments(params, fs, 3)
    assert len(set(seg.profile.names.values())) == 3 and not any("Group" in n for n in seg.profile.names.values())


def test_a_missing_relative_path_says_where_it_was_read_from(tmp_path, monkeypatch):
    """A trial typed data_path="data/customers.csv" in 01_eda, whose kernel runs in notebooks/."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataFileError) as err:
        source.load_input(params_from_mapping({"data_path": "data/customers.csv"}))
    assert f"input file data/customers.csv does not exist (a relative path is read from {tmp_path})" in err.value.message


def test_a_customer_table_read_as_transactions_suggests_the_data_kind(tmp_path, capsys):
    """A trial left data_kind at its default (transactions) for one row per customer: every fix named a column to
    map, none the data kind."""
    table = tmp_path / "people.csv"
    table.write_text("cust_id,age,income,region\n1,25,30000,N\n2,40,50000,S\n")
    params = tmp_path / "people.yaml"
    params.write_text(f"data_path: {table}\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "the input has no column for customer_col='CustomerID'" in err
    assert err.rstrip().endswith("or, if each row is one customer and not one purchase line, set data_kind: customers "
                                 "(demographics for census areas)")
    _orders(tmp_path)  # purchase lines with one key mapped wrong: the fix names the columns only
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\ndata_path: {tmp_path / 'orders.csv'}\n"
                      "customer_col: Customer\n")
    assert main(["check", str(params)]) == 2
    assert "data_kind" not in capsys.readouterr().err


def test_a_short_time_as_a_customer_is_not_coloured_as_bad_news():
    """The 05 cards said "Days as a customer: 99 days (index 44)" in red on New Customers, whose short tenure is
    what their name says. Tenure (and the weekend share) is neither good nor bad news: no colour; a short time since
    the last purchase is still green and little spend still red."""
    from segkit import pipeline
    from segkit.report.cards import _index_class
    from segkit.source import load_input

    params = params_from_mapping({"data_path": "synth://transactions?rows=6000&seed=1",
                                  "features": ["recency", "frequency", "monetary", "tenure"]})
    fs = pipeline.build_features(params, pipeline.clean_table(params, load_input(params))[0])
    assert "tenure" not in fs.better and "weekend_share" not in fs.better
    assert fs.better["recency"] is False and fs.better["monetary"] is True
    seg = pipeline.fit_segments(params, fs, 3)
    facts = [f for card in seg.cards(n_facts=5) for f in card["facts"]]
    tenure = [f for f in facts if f["feature"] == "tenure"]
    assert tenure and {_index_class(f["index"], f.get("higher_is_better")) for f in tenure} == {"sk-idx-low",
                                                                                              "sk-idx-high"}
    assert _index_class(44.0, fs.better.get("tenure")) == "sk-idx-low"  # the neutral colour of a low index
    assert _index_class(44.0, fs.better["monetary"]) == "sk-idx-bad"


def test_the_pages_of_eight_customers_say_they_are_too_few(tmp_path):
    """The "only 8 customers to segment" warning was on the terminal only: the run's page and the k page now say
    that its 2 segments of 4 on average are too few to describe as groups; a table of 12 says nothing of it."""
    from segkit import stages
    from segkit.stages.select_k import few_rows_note

    for n, said in ((8, True), (12, False)):
        ctx = stages.open_run(tmp_path / f"run{n}", data_kind="customers", data_path=str(tmp_path / f"t{n}.csv"),
                              id_col="customer_id")
        _tiny(tmp_path, n)
        stages.features.build_features(ctx, stages.eda.clean(ctx, stages.eda.load(ctx))[0])
        selection = stages.select_k.select(ctx)
        summary = ctx.folder.read_json("k_summary.json")
        page = str(stages.select_k.k_recommendation(ctx, selection).data)
        sentence = "Only 8 customers were segmented: the 2 segments hold 4 on average, too few to describe as groups"
        assert (sentence in summary["summary"]) is said and (sentence in page) is said
        assert ("few_rows" in summary) is said
    assert few_rows_note(3, 15, "areas") == "" and few_rows_note(3, 14, "areas").startswith("Only 14 areas")
    assert "the 20 segments hold 4.95 on average" in few_rows_note(20, 99, "customers")  # not "5", below 5


def test_the_k_page_says_the_data_has_no_natural_groups_once(tmp_path):
    """A credit table's k page: "... see the structure note. The data has no clear natural groups: the gap statistic
    finds ...": the rationale's pointer is for the terminal, where the structure note does not follow it."""
    from segkit import stages
    from segkit.select.search import STRUCTURE_POINTER

    ctx = stages.open_run(tmp_path / "run", data_kind="customers", data_path=str(tmp_path / "t.csv"), id_col="id")
    note = "The data has no clear natural groups: every silhouette is below 0.25 (best 0.21), so the segments overlap."
    for structure, times in (("weak", 1), ("clear", 1)):
        ctx.folder.write_json("k_summary.json", {"rationale": "5 segments, chosen automatically." + STRUCTURE_POINTER,
                                                 "structure": structure, "structure_note": note})
        page = str(stages.select_k.k_recommendation(ctx, None).data)
        assert page.count("The data has no clear natural groups") == times, page
        assert ("see the structure note" in page) is (structure == "clear")  # no note below it: the pointer stays


def test_the_features_summary_leaves_out_what_was_filled_in(tmp_path):
    """CDNOW's features page: "Days between purchases ... median 465", the one-time buyers' stand-ins (the days
    since their one purchase) included, beside cards whose customers typically buy again within 82 days. The summary
    describes what was measured, as the profiles do, and counts it."""
    from segkit import stages
    from segkit.naming.masking import observed

    ctx = stages.open_run(tmp_path / "run", data_kind="transactions", data_path="synth://transactions?rows=4000&seed=3")
    fs = stages.features.build_features(ctx, stages.eda.clean(ctx, stages.eda.load(ctx))[0])
    stand_ins = fs.extra["imputed_rows"]["interpurchase_mean"]
    assert 0 < len(stand_ins) < len(fs.table)
    summary = stages.features.summary_table(ctx, fs)
    row = summary.loc[fs.label("interpurchase_mean")]
    gaps = observed(fs.table, fs.extra["imputed_rows"])["interpurchase_mean"].dropna()
    assert row["Values"] == f"{len(fs.table) - len(stand_ins):,}" == f"{len(gaps):,}"
    assert float(row["Median"].replace(",", "")) == pytest.approx(gaps.median(), abs=0.05), row
    assert summary.loc[fs.label("recency"), "Values"] == f"{len(fs.table):,}"  # nothing filled: every customer
