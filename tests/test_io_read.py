"""Reading real tables right (issue 12): dialects, one type per column for the whole input, read once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segkit import io, pipeline
from segkit.config import params_from_mapping
from segkit.errors import DataFileError
from segkit.io import excel as excel_module
from segkit.io import read as read_module
from segkit.source import load_input

HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


def _write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_a_folder_is_typed_once_not_file_by_file(tmp_path):
    folder = tmp_path / "days"
    folder.mkdir()
    _write(folder / "a.csv", HEADER + "\n536365,85123A,6,2010-12-01 08:26,2.55,17850.0,UK\n")
    _write(folder / "b.csv", HEADER + "\nC536379,D,-1,2010-12-01 09:41,27.5,,UK\n")  # text ids, no customer
    _write(folder / "c.csv", HEADER + "\n536400,00123,2,2010-12-02 10:00,\"1,500.5\",17851.0,UK\n")
    df = io.read_table(folder)
    assert df["InvoiceNo"].tolist() == ["536365", "C536379", "536400"]  # one type: text
    assert df["StockCode"].tolist() == ["85123A", "D", "00123"]
    assert df["UnitPrice"].tolist() == [2.55, 27.5, 1500.5]  # a thousands separator in one file: numbers all along
    assert df["CustomerID"].isna().tolist() == [False, True, False]
    assert "3 files read from days/" in df.attrs["read_notes"]
    assert io.read_header(folder) == HEADER.split(",")


def test_a_glob_reads_its_matches_as_one_table_in_path_order(tmp_path):
    exports = tmp_path / "exports"
    for sub, name, line in [("2024", "sales-12.csv", "536365,85123A,6,2010-12-01 08:26,2.55,17850.0,UK"),
                            ("2025", "sales-01.csv", "C536379,D,-1,2010-12-01 09:41,27.5,,UK"),
                            ("2025", "notes.csv", "not,a,sale")]:
        (exports / sub).mkdir(parents=True, exist_ok=True)
        _write(exports / sub / name, HEADER + "\n" + line + "\n")
    _write(exports / "2025" / "sales-02.txt.bak", "leftover")
    pattern = str(exports / "**" / "sales-*.csv")
    df = io.read_table(pattern)
    assert df["InvoiceNo"].tolist() == ["536365", "C536379"]  # 2024/ before 2025/, typed once: text
    assert df["Quantity"].tolist() == [6, -1] and df["CustomerID"].isna().tolist() == [False, True]
    assert f"2 files read matching {pattern}" in df.attrs["read_notes"]
    assert io.read_header(pattern) == HEADER.split(",")
    before = io.hash_path(pattern)
    _write(exports / "2025" / "sales-01.csv", HEADER + "\nC536379,D,-2,2010-12-01 09:41,27.5,,UK\n")
    assert io.hash_path(pattern) != before  # a changed match changes the input's digest
    assert not io.is_pattern("synth://customers?n=600&seed=3")  # a URI's "?" starts its options
    assert not io.is_pattern(Path("synth://customers?n=600")) and io.is_pattern("C:/exports/day?.csv")
    assert io.hash_input(pattern) == io.hash_path(pattern) and io.hash_input(str(exports / "*.parquet")) is None
    assert io.hash_input(exports / "gone.csv") is None  # removed: no hash, no error


def test_a_month_with_its_columns_in_another_case_or_order_is_matched_and_a_renamed_one_is_named(tmp_path):
    """A folder of monthly Shopify exports where September wrote 'Lineitem Price' for 'Lineitem price' was refused
    with "has different columns", naming neither column."""
    _write(tmp_path / "2023-01.csv", "Name,Lineitem price,Email\n#1001,2.50,a@x.com\n")
    _write(tmp_path / "2023-09.csv", "Email, Lineitem Price ,Name\nb@x.com,4.00,#1002\n")
    df = io.read_table(tmp_path)
    assert list(df.columns) == ["Name", "Lineitem price", "Email"]
    assert df["Lineitem price"].tolist() == [2.5, 4.0] and df["Name"].tolist() == ["#1001", "#1002"]
    assert any("2023-09.csv: the columns of 2023-01.csv in another order or another case" in n
               for n in df.attrs["read_notes"])
    _write(tmp_path / "2023-10.csv", "Name,Item price,Email\n#1003,1.00,c@x.com\n")
    with pytest.raises(DataFileError) as err:
        io.read_table(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / '2023-10.csv'} has column 'Item price' where 2023-01.csv has "
                                     "'Lineitem price'. Fix: rename 'Item price' to 'Lineitem price' in 2023-10.csv")


def test_a_glob_that_matches_nothing_or_two_tables_is_refused_with_the_fix(tmp_path):
    _write(tmp_path / "a.csv", HEADER + "\n536365,85123A,6,2010-12-01 08:26,2.55,17850.0,UK\n")
    _write(tmp_path / "b.csv", "id,age\n1,30\n")
    with pytest.raises(DataFileError) as err:
        io.read_table(str(tmp_path / "*.parquet"))
    assert "no CSV or Parquet file matches" in str(err.value) and "Files in" in str(err.value)
    assert "a.csv, b.csv" in str(err.value) and err.value.key == "data_path"
    with pytest.raises(DataFileError, match="b.csv has different columns from a.csv: without 'InvoiceNo'"):
        io.read_table(str(tmp_path / "?.csv"))
    p = params_from_mapping({"data_kind": "customers", "data_path": str(tmp_path / "[b].csv"), "id_col": "id"})
    assert load_input(p)["age"].tolist() == [30]


def test_a_workbook_with_numeric_invoice_numbers_and_several_sheets(tmp_path):
    path = tmp_path / "orders.xlsx"
    first = pd.DataFrame({"InvoiceNo": [536365, 536366], "CustomerID": [17850.0, None],
                          "InvoiceDate": pd.to_datetime(["2010-12-01 08:26", "2010-12-01 08:28"])})
    second = pd.DataFrame({"InvoiceNo": ["C536379", "536380"], "CustomerID": [17851.0, 17852.0],
                           "InvoiceDate": pd.to_datetime(["2010-12-01 09:41", "2010-12-02 10:00"])})
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="2010", index=False)
        second.to_excel(writer, sheet_name="2011", index=False)
    df = io.read_table(path)
    assert df["InvoiceNo"].tolist() == ["536365", "536366", "C536379", "536380"]
    assert str(df["InvoiceDate"].dtype).startswith("datetime64") and len(df) == 4
    assert any("its 2 sheets (2010, 2011) have the same columns" in n for n in df.attrs["read_notes"])
    assert io.read_header(path) == ["InvoiceNo", "CustomerID", "InvoiceDate"]
    assert io.read_table(path, sheet="2010")["InvoiceNo"].tolist() == [536365, 536366]


def test_a_workbook_is_opened_once_for_header_and_rows(tmp_path, monkeypatch):
    path = tmp_path / "orders.xlsx"
    pd.DataFrame({"InvoiceNo": [1, 2, 3], "CustomerID": ["a", "b", "c"]}).to_excel(path, index=False)
    opened = []
    real = pd.ExcelFile
    monkeypatch.setattr(read_module.pd, "ExcelFile", lambda p: opened.append(p) or real(p))
    excel_module._BOOK.clear()
    assert io.read_header(path) == ["InvoiceNo", "CustomerID"] and len(io.read_table(path)) == 3
    assert len(opened) == 1


@pytest.mark.parametrize("text, sep, expected", [
    ("id   amount  when\n007  12.50   20120904\n012   3.00   20121001\n", None, ["007", 12.5, 20120904]),
    ("Customer ID  Amount  City\n007  12,50  New York\n012  3,00  Paris\n", None, ["007", 12.5, "New York"]),
    ("007;12,5;x\n012;3;y\n", ";", ["007", 12.5, "x"]),
])
def test_dialects_whitespace_aligned_headerless_decimal_comma(tmp_path, text, sep, expected):
    path = _write(tmp_path / "t.txt", text)
    options = {"sep": sep, "header": False, "column_names": ["id", "amount", "other"]} if sep else None
    df = io.read_table(path, options=options)
    assert df.iloc[0].tolist() == expected
    assert io.read_header(path, options=options) == list(df.columns)


def test_a_headerless_file_is_detected_and_said(tmp_path):
    path = _write(tmp_path / "t.csv", "1,2012-09-04,12.5\n2,2012-09-05,7\n")
    df = io.read_table(path)
    assert list(df.columns) == ["column_1", "column_2", "column_3"] and len(df) == 2
    assert any("has no header line" in n and "column_names" in n for n in df.attrs["read_notes"])
    with pytest.raises(DataFileError, match="column_names lists 2 names but .* has 3 columns"):
        io.read_table(path, options={"column_names": ["a", "b"]})


def test_utf16_without_bom_is_read_with_a_hint_and_nul_bytes_are_refused(tmp_path):
    df = io.read_table(_write(tmp_path / "u.csv", "id,name\n1,Zoë\n2,Ana\n", "utf-16-le"))
    assert list(df.columns) == ["id", "name"] and df["name"].tolist() == ["Zoë", "Ana"]
    assert any("without a byte-order mark" in n and "set encoding" in n for n in df.attrs["read_notes"])
    (tmp_path / "z.csv").write_bytes(b"\x00" * 300)
    with pytest.raises(DataFileError, match="is filled with NUL bytes"):
        io.read_table(tmp_path / "z.csv")
    with pytest.raises(DataFileError, match="is not utf-8 text"):
        io.read_table(_write(tmp_path / "c.csv", "id,name\n1,Zoë\n", "cp1252"), options={"encoding": "utf-8"})


@pytest.mark.shared_data
def test_the_online_retail_folder_reads_like_the_bundled_parquet(online_retail_dir):
    """305 daily CSVs typed once (no Arrow error): the same 4,334 customers as data/online_retail.parquet."""
    params = params_from_mapping({"data_path": str(online_retail_dir)})
    raw = io.read_table(online_retail_dir)
    assert len(raw) == 541_909 and raw["InvoiceNo"].dtype == "str" and raw["CustomerID"].dtype == "float64"
    assert not [f for f in pipeline.check_input(params, raw) if f.severity == "error"]
    fs = pipeline.build_features(params, pipeline.clean_table(params, raw)[0])
    assert len(fs.table) == 4_334


@pytest.mark.slow
def test_a_whitespace_aligned_file_without_order_ids_runs_and_keeps_the_zeros(tmp_path):
    """Zero-padded ids, YYYYMMDD dates, no order id and a line amount, columns aligned with spaces, and neither a
    product code nor a country column (the params leave their keys unset): the whole batch runs as data_kind:
    transactions, and segments.csv keeps the ids as written."""
    import segkit

    lines = [f"{'customer':<10}{'day':<10}{'items':>6}{'amount':>10}"]
    for c in range(1, 121):
        for k in range(1 + c % 9):
            day = pd.Timestamp("2011-01-01") + pd.Timedelta(days=(37 * c + 23 * k) % 360)
            lines.append(f"{c:05d}     {day:%Y%m%d}  {1 + k % 4:>6}{(1 + k % 4) * (2.5 + c % 13):>10.2f}")
    (tmp_path / "orders.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "p.yaml").write_text("data_kind: transactions\ndata_path: orders.txt\ncustomer_col: customer\n"
                                     "invoice_col: null\ndate_col: day\nquantity_col: items\namount_col: amount\n")
    result = segkit.run(tmp_path / "p.yaml", out_dir=tmp_path / "reports", name="ws")
    assert result.ok, result.error
    segments = pd.read_csv(result.folder / "artifacts" / "segments.csv", dtype=str)
    assert len(segments) == 120 and segments["customer_id"].str.fullmatch(r"\d{5}").all()
    assert set(segments["customer_id"]) == {f"{c:05d}" for c in range(1, 121)}


def test_a_whitespace_aligned_file_is_split_by_one_pattern_found_once(tmp_path, monkeypatch):
    """lifetimes' CDNOW_master.txt (69,659 lines aligned with spaces) never finished reading: the pattern that splits
    the lines was looked for again over every line, for each line."""
    from segkit.io import dialect, read

    calls = []
    found = dialect.whitespace_pattern
    monkeypatch.setattr(read, "whitespace_pattern", lambda lines: calls.append(len(lines)) or found(lines))
    lines = [" customer_id  date number_of_cds  dollar_value"]
    lines += [f" {c:05d} 199701{1 + c % 28:02d}  {1 + c % 3}   {c % 50 + 0.77:.2f}" for c in range(1, 3_001)]
    df = io.read_table(_write(tmp_path / "CDNOW_master.txt", "\n".join(lines) + "\n"))
    assert df.columns.tolist() == ["customer_id", "date", "number_of_cds", "dollar_value"] and len(df) == 3_000
    assert df["customer_id"].iloc[[0, -1]].tolist() == ["00001", "03000"]  # ids as written
    assert len(calls) <= 2, calls  # the sniff's sample, and the whole text once


def test_a_short_first_row_of_data_is_not_skipped_as_a_title(tmp_path):
    """Lines above a header are skipped only when they are a title or blank: a first row of data with one value
    (a customer id and empty cells) stays a row of a headerless file."""
    path = _write(tmp_path / "short.csv", "1001,,,\n1002,3,4,5\n1003,4,5,6\n1004,5,6,7\n")
    df = io.read_table(path)
    assert df["column_1"].tolist() == [1001, 1002, 1003, 1004]
    titled = io.read_table(_write(tmp_path / "titled.csv", "Sales 2024\n\nid,a,b\n1001,3,4\n1002,4,5\n"))
    assert titled.columns.tolist() == ["id", "a", "b"] and titled["id"].tolist() == [1001, 1002]


def test_a_sheet_s_header_row_is_found_once_per_opening(tmp_path, monkeypatch):
    """The header row of a sheet (below a report's title) is looked for once, not again for its columns, the sheets'
    comparison and its rows."""
    path = tmp_path / "report.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"id": ["a", "b"], "x": [1, 2]}).to_excel(writer, sheet_name="S", index=False, startrow=2)
        writer.sheets["S"]["A1"] = "Report"
    looked = []
    real = excel_module.header_at
    monkeypatch.setattr(excel_module, "header_at", lambda rows: looked.append(1) or real(rows))
    excel_module._BOOK.clear()
    assert io.read_header(path) == ["id", "x"] and io.read_table(path)["id"].tolist() == ["a", "b"]
    assert len(looked) == 1


@pytest.mark.parametrize("values, kept", [
    (["EU", "NA", "APAC", "LATAM"], True),  # sales regions: North America
    (["DE", "NA", "ZA", "BW"], True),  # countries: Namibia
    (["TRUE", "NA", "FALSE", "TRUE"], False),  # R's logical column: missing
    (["YES", "NA", "NO", "YES"], False),
    (["NY", "NA", "TX", "FL"], False),  # US states: no state is NA
    (["USD", "NA", "EUR", "GBP"], False),  # currencies
])
def test_na_is_a_code_only_beside_country_or_region_codes(tmp_path, values, kept):
    path = _write(tmp_path / "t.csv", "id,v\n" + "".join(f"c{i},{v}\n" for i, v in enumerate(values)))
    read = io.read_table(path)["v"]
    assert (read.iloc[1] == "NA") if kept else pd.isna(read.iloc[1])


@pytest.mark.parametrize("text, columns", [
    # a title with a comma above a semicolon table: the comma is no delimiter
    ("Kassenbericht Filiale Köln, erstellt am 05.03.2024\n\nDatum;Kunde;Umsatz\n02.01.2023;K1;11,42\n"
     "03.01.2023;K2;9,10\n04.01.2023;K3;1,00\n", ["Datum", "Kunde", "Umsatz"]),
    # whitespace-aligned columns whose amounts hold one comma each: no title, no comma table
    ("customer_id   spend       visits\nC001          1,234.50    3\nC002          2,345.00    4\n"
     "C003          3,456.75    5\nC004          4,567.25    6\n", ["customer_id", "spend", "visits"]),
    # a quoted line break in the first row, semicolons in the text: still a comma table
    ('customer_id,spend,notes\nC1,10.5,"multi\nline; note"\nC2,11.5,a;b\nC3,12.5,c;d\nC4,13.5,e;f\n',
     ["customer_id", "spend", "notes"]),
])
def test_a_title_sets_no_delimiter_and_tables_without_one_are_read_as_before(tmp_path, text, columns):
    assert list(io.read_table(_write(tmp_path / "t.csv", text)).columns) == columns


@pytest.mark.parametrize("guess", ["mac_latin2", "cp850", "iso8859_9", "cp1250"])
def test_a_western_file_the_detector_takes_for_another_latin_code_page_is_read_as_cp1252(tmp_path, monkeypatch, guess):
    """A French till export in Windows-1252: the detector took its first 64 KB for Mac Central European and the
    header read "Nį client", while the whole read (256 KB) took cp1252; the mapping then failed on a name the user
    could not type. cp1252 is tried first whenever the detector names a Latin code page."""
    import charset_normalizer

    from segkit.io.read import read_header

    class Guess:
        def best(self):
            return type("Match", (), {"encoding": guess})()

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda raw: Guess())
    path = tmp_path / "caisse.csv"
    path.write_bytes("N° client;Date;Article;Montant TTC\r\nFID00027;02/01/2024;Café crème 250g;6,90\r\n"
                     "FID00034;02/01/2024;Pâtisserie – éclair;3,20\r\n".encode("cp1252"))
    assert read_header(path) == ["N° client", "Date", "Article", "Montant TTC"]
    table = io.read_table(path)
    assert table["Article"].tolist() == ["Café crème 250g", "Pâtisserie – éclair"]
    assert any("it was read as cp1252" in n for n in table.attrs["read_notes"])
