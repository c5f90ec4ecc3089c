"""Write the quirks corpus: ``tests/data/quirks/``, one small file (or folder) per quirk of real tables.

Each file comes with a YAML sidecar of the same name (``dates_day_first.csv`` -> ``dates_day_first.yaml``):

- ``quirk``: what is odd about the file;
- ``params``: the params of a run on it (``data_path`` is the file itself);
- ``expect``: the known answers, written from the values the file was made from, not from segkit:
  ``read`` (columns, dtypes, values and notes of ``segkit.io.read_table``), ``clean`` (values, cleaning
  steps and how columns were read), ``features`` (entities, roles, notes) or ``error`` (the exact message
  that stops the run, ``{path}`` standing for the file).

No real data: every table is made up here. Run ``python tests/make_quirks.py`` to write them again (the
workbooks' internal timestamps change; nothing else does). ``tests/test_quirks.py`` reads the corpus.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import yaml

OUT = Path(__file__).resolve().parent / "data" / "quirks"
TX = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
QUIRKS: dict[str, tuple] = {}


def quirk(name: str, what: str, params: dict | None = None):
    """Register a writer: it writes the file at the path it is given and returns the expected answers."""
    def register(fn):
        QUIRKS[name] = (what, params or {}, fn)
        return fn
    return register


# ------------------------------------------------------------------------------------------ base tables
def orders() -> list[dict]:
    """36 invoice lines of 6 customers (3 invoices of 2 lines each), January to April 2011."""
    rows = []
    for c in range(6):
        for k in range(3):
            when = datetime(2011, 1, 3, 10 + k) + timedelta(days=7 * c + 20 * k)
            for code, qty, price in (("85123A", 2 + k, 2.55), ("22423", 1, 12.75)):
                rows.append({"InvoiceNo": str(540000 + 10 * c + k), "StockCode": code, "Quantity": qty,
                             "InvoiceDate": when, "UnitPrice": price, "CustomerID": 12345 + c,
                             "Country": "United Kingdom"})
    return rows


def people(n: int = 20) -> list[dict]:
    """A customer table: id, age, income, visits, city, signup date (every value known)."""
    return [{"customer_id": f"C{i:03d}", "age": 20 + (7 * i) % 50, "income": 15 + (13 * i) % 120 + 0.5 * (i % 2),
             "visits": 1 + i % 7, "city": ["New York", "Paris", "Los Angeles", "Rome"][i % 4],
             "signup": datetime(2012, 1, 1) + timedelta(days=17 * i)} for i in range(1, n + 1)]


def text(rows: list[dict], columns: list[str], fmt: dict | None = None, sep: str = ",", header: bool = True) -> str:
    fmt = fmt or {}
    lines = [sep.join(columns)] if header else []
    for row in rows:
        fields = [fmt.get(c, _plain)(row[c]) for c in columns]
        lines.append(sep.join(f'"{f}"' if sep in f and not f.startswith('"') else f for f in fields))
    return "\n".join(lines) + "\n"


def _plain(v) -> str:
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d %H:%M:%S}"
    return "" if v is None else str(v)


def iso(values, time: bool = False) -> list[str]:
    return [f"{v:%Y-%m-%d %H:%M}" if time else f"{v:%Y-%m-%d}" for v in values]


def tx_clean(rows, date_time: bool = True) -> dict:
    return {"customer_id": [str(r["CustomerID"]) for r in rows], "date": iso([r["InvoiceDate"] for r in rows],
                                                                            date_time)}


PEOPLE_COLUMNS = ["customer_id", "age", "income", "visits", "city", "signup"]
CUSTOMERS = {"data_kind": "customers", "id_col": "customer_id"}


# ----------------------------------------------------------------------------------------- files, dialects
@quirk("nul_bytes.csv", "a file of NUL bytes (an interrupted copy)")
def _(path):
    path.write_bytes(b"\x00" * 2048)
    return {"error": "{path} is filled with NUL bytes (zeros), not text: it is not a table (an interrupted copy or "
                     "download?). Fix: copy or export the file again"}


@quirk("empty.csv", "an empty file")
def _(path):
    path.write_bytes(b"\n\n")
    return {"error": "{path} is empty. Fix: export the table again with its header and rows"}


@quirk("header_only.csv", "a header and no rows")
def _(path):
    path.write_text(",".join(TX) + "\n")
    return {"error": "{path} has a header but no rows (7 columns: InvoiceNo, StockCode, Quantity, InvoiceDate, "
                     "UnitPrice, CustomerID, ...). Fix: export the rows too"}


@quirk("caret_delimiter.csv", "a delimiter no reader expects (^)")
def _(path):
    path.write_text(text(orders()[:4], TX, sep="^"))
    return {"error": "{path} was read as a single column 'InvoiceNo^StockCode^Quantity^InvoiceDate^UnitPrice^"
                     "CustomerID^Country': its delimiter looks like '^', which is not one of comma, semicolon, tab, "
                     "pipe or runs of spaces. Fix: save the file with comma separators, or set sep"}


@quirk("utf16_no_bom.csv", "UTF-16 (little-endian) text without a byte-order mark", CUSTOMERS)
def _(path):
    rows = people()
    path.write_bytes(text(rows, PEOPLE_COLUMNS).replace("Paris", "Zoë's Paris").encode("utf-16-le"))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["looks like UTF-16-LE text without a byte-order mark"],
                     "values": {"city": [r["city"].replace("Paris", "Zoë's Paris") for r in rows]}},
            "features": {"n": 20}}


@quirk("utf16_bom.csv", "UTF-16 text with a byte-order mark", CUSTOMERS)
def _(path):
    path.write_bytes(text(people(), PEOPLE_COLUMNS).encode("utf-16"))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["is UTF-16 text"]}, "features": {"n": 20}}


@quirk("utf8_bom.csv", "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')", CUSTOMERS)
def _(path):
    path.write_bytes(text(people(), PEOPLE_COLUMNS).encode("utf-8-sig"))
    return {"read": {"columns": PEOPLE_COLUMNS}, "features": {"n": 20}}


@quirk("cp1252.csv", "Windows-1252 text (a pound sign and accents)", CUSTOMERS)
def _(path):
    rows = people()
    for r in rows:
        r["city"] = r["city"].replace("Rome", "Málaga £")
    path.write_bytes(text(rows, PEOPLE_COLUMNS).encode("cp1252"))
    return {"read": {"notes": ["is not UTF-8; it was read as cp1252"], "values": {"city": [r["city"] for r in rows]}},
            "features": {"n": 20}}


@quirk("semicolon_decimal_comma.csv", "semicolons between fields, a decimal comma in the numbers", CUSTOMERS)
def _(path):
    rows = people()
    path.write_text(text(rows, PEOPLE_COLUMNS, {"income": lambda v: str(v).replace(".", ",")}, sep=";"))
    return {"read": {"dtypes": {"income": "float", "age": "int"}, "values": {"income": [r["income"] for r in rows]},
                     "notes": ["uses ';' as delimiter", "column 'income' read as numbers: decimal comma detected"]},
            "features": {"roles": {"income": "numeric", "signup": "date"}}}


@quirk("customers_double_export.csv", "a customer table with every fifth row exported twice: the copies are removed "
       "(the first kept), not refused as repeated ids", CUSTOMERS)
def _(path):
    rows = people()
    path.write_text(text(rows + rows[::5], PEOPLE_COLUMNS))
    return {"clean": {"steps": {"duplicates": {"rows_removed": 4}, "duplicate_ids": {"rows_removed": 0}}},
            "features": {"n": 20}, "check": {"findings": []}}


@quirk("customers_total_row.csv", "a customer table exported with a total row (id 'Total', the columns' sums) "
       "and a footer: the total row is removed, not segmented as a customer", CUSTOMERS)
def _(path):
    rows = people()
    total = {"customer_id": "Total", "age": "", "income": sum(r["income"] for r in rows),
             "visits": sum(r["visits"] for r in rows), "city": "", "signup": ""}
    path.write_text(text(rows + [total], PEOPLE_COLUMNS) + "Exported 2024-07-01,,,,,\n")
    return {"clean": {"steps": {"summary_rows": {"rows_removed": 1, "note": "Total"}}},
            "features": {"n": 20, "index": [f"C{i:03d}" for i in range(1, 21)]}}


@quirk("customers_churn_column.csv", "a customer table with its churn outcome (Churn: Yes/No) and a bank-style 0/1 "
       "y: outcomes, shown per segment and never used to build the segments", CUSTOMERS)
def _(path):
    rows = [{**r, "Churn": "Yes" if i % 4 == 0 else "No", "y": int(i % 5 == 0)} for i, r in enumerate(people())]
    path.write_text(text(rows, PEOPLE_COLUMNS + ["Churn", "y"]))
    return {"features": {"n": 20, "roles": {"Churn": "outcome", "y": "outcome", "age": "numeric"},
                         "notes": ["Churn says what happened to the customers (Yes: 25% of them)",
                                   "y says what happened to the customers (yes: 20% of them)"]}}


@quirk("customers_survey_answers.csv", "a survey's answers (Strongly disagree ... Strongly agree, written in mixed "
       "case, one question never answered 'Strongly disagree') and a tier (Bronze/Silver/Gold): the answers are "
       "scored 1-5 in their order, the same word the same score in every column; the tier stays a category", CUSTOMERS)
def _(path):
    scale = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    q2 = ["disagree", "NEUTRAL", "Agree", "strongly agree"]
    rows = [{**r, "q1_satisfied": scale[i % 5], "q2_recommend": q2[i % 4], "tier": ["Bronze", "Silver", "Gold"][i % 3]}
            for i, r in enumerate(people())]
    path.write_text(text(rows, PEOPLE_COLUMNS + ["q1_satisfied", "q2_recommend", "tier"]))
    return {"features": {"n": 20, "roles": {"q1_satisfied": "ordinal", "q2_recommend": "ordinal",
                                            "tier": "categorical"},
                         "notes": ["Answers on a scale are scored in their order: q1_satisfied, q2_recommend "
                                   "(1 = strongly disagree, 5 = strongly agree)."],
                         "values": {"q2_recommend": {f"C{i + 1:03d}": [2.0, 3.0, 4.0, 5.0][i % 4] for i in range(20)}}}}


@quirk("customers_percent_and_shares.csv", "a discount column written half as 12% and half as 0.12: read, and the "
       "check warns that two scales are mixed", CUSTOMERS)
def _(path):
    rows = [{**r, "discount": f"{5 + i}%" if i % 2 else f"{(5 + i) / 100:.2f}"} for i, r in enumerate(people())]
    path.write_text(text(rows, PEOPLE_COLUMNS + ["discount"]))
    return {"features": {"n": 20}, "check": {"findings": [["warning", "scales", "discount"]]}}


@quirk("customers_percent_signs.csv", "a CRM export's discount rate written with a percent sign (12%) and a payment "
       "rate (0.85) with none: read as 12 in percent and 0.85 as a share, shown as 12% and 85% (a bare 12 was shown)",
       CUSTOMERS)
def _(path):
    rows = [{**r, "Discount rate": f"{5 + (7 * i) % 10 * 2}%", "on_time_pct": f"{0.5 + (3 * i) % 20 / 50:.2f}"}
            for i, r in enumerate(people())]
    path.write_text(text(rows, PEOPLE_COLUMNS + ["Discount rate", "on_time_pct"]))
    return {"features": {"n": 20, "units": {"Discount rate": "%", "on_time_pct": "share", "age": "years"},
                         "values": {"Discount rate": {r["customer_id"]: float(5 + (7 * i) % 10 * 2)
                                                      for i, r in enumerate(people())}}},
            "check": {"findings": []}}


@quirk("sep_given_wrong.csv", "a semicolon file with decimal commas read with sep: ',': stopped with the delimiter "
       "the header holds, not split at the decimal commas", {**CUSTOMERS, "sep": ","})
def _(path):
    rows = people()
    path.write_text(text(rows, PEOPLE_COLUMNS, {"income": lambda v: str(v).replace(".", ",")}, sep=";"))
    return {"error": "{path}: its header line has no comma (the params' sep) but is split by semicolon: "
                     "'customer_id;age;income;visits;city;signup'. Fix: set sep: ';', or leave sep out to have it "
                     "detected"}


@quirk("customers_stray_text_in_numbers.csv", "a number column with a stray word in it ('unknown'): read as missing, "
       "and the check warns with the count and the fix", CUSTOMERS)
def _(path):
    rows = [{**r, "income": "unknown" if i == 3 else r["income"]} for i, r in enumerate(people())]
    path.write_text(text(rows, PEOPLE_COLUMNS))
    return {"features": {"n": 20, "roles": {"income": "numeric"}},
            "check": {"findings": [["warning", "type", "income"]]}}


@quirk("label_row.csv", "a second header line of labels under the column names (as data.census.gov writes them, "
       "'Estimate!!Total'): skipped with a note, the numbers read as numbers", CUSTOMERS)
def _(path):
    labels = {"customer_id": "Customer", "age": "Age in years", "income": "Income (k$)", "visits": "Visits per month",
              "city": "City", "signup": "Signed up on"}
    path.write_text(text([labels, *people()], PEOPLE_COLUMNS))
    return {"read": {"dtypes": {"age": "int", "income": "float"},
                     "notes": ["the line under the header holds labels, not values ('Customer', 'Age in years', ...)"]},
            "features": {"n": 20, "roles": {"age": "numeric", "income": "numeric"}}, "check": {"findings": []}}


@quirk("customers_conflicting_ids.csv", "a customer id on two rows with different values: refused, naming the id",
       CUSTOMERS)
def _(path):
    rows = people()
    path.write_text(text(rows + [{**rows[2], "age": 99}], PEOPLE_COLUMNS))
    return {"error": "the customers input fails its schema: column 'customer_id' (id_col) has 1 value on more "
                     "than one row with different values, e.g. "
                     "'C003'; the id becomes the index of the features, so it must be unique and present. Fix: keep "
                     "one row per id"}


@quirk("tab.tsv", "tab-separated", CUSTOMERS)
def _(path):
    path.write_text(text(people(), PEOPLE_COLUMNS, sep="\t"))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["uses tab as delimiter"]}, "features": {"n": 20}}


@quirk("pipe.csv", "pipe-separated", CUSTOMERS)
def _(path):
    path.write_text(text(people(), PEOPLE_COLUMNS, sep="|"))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["uses '|' as delimiter"]}, "features": {"n": 20}}


@quirk("quoted_commas_spaced_names.csv", "comma-separated, dates quoted with a comma inside (\"May 3, 2020\") and "
       "names with spaces: read as commas, not as columns aligned with spaces", CUSTOMERS)
def _(path):
    columns = ["customer_id", "age", "annual income", "visits", "home city", "signup"]
    rows = [dict(zip(columns, r.values()), **{"home city": ["Paris", "Rome", "Lima", "Oslo"][i % 4]})
            for i, r in enumerate(people())]  # no space in any value but the dates'
    path.write_text(text(rows, columns, fmt={"signup": lambda d: f"{d:%b} {d.day}, {d:%Y}"}))
    return {"read": {"columns": columns, "notes": []}, "features": {"n": 20}}


@quirk("repeated_column_names.csv", "two columns named age (a merge of two exports): the copy is read as 'age.1' "
       "and the check warns", CUSTOMERS)
def _(path):
    rows = [{**r, "age_again": r["visits"]} for r in people()]
    path.write_text(text(rows, PEOPLE_COLUMNS + ["age_again"]).replace("signup,age_again", "signup,age", 1))
    return {"read": {"columns": PEOPLE_COLUMNS + ["age.1"],
                     "notes": ["repeated_column_names.csv has repeated column names; the repeats were renamed age.1"]},
            "features": {"n": 20}, "check": {"findings": [["warning", "columns", "age.1"]]}}


@quirk("title_lines.csv", "a report saved as CSV: a title line and a blank line above the header", CUSTOMERS)
def _(path):
    path.write_text("Customer report Q1 2024\n\n" + text(people(), PEOPLE_COLUMNS))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["title_lines.csv has its header on line 3; the 2 lines "
                                                          "above it (a title, blank lines) were skipped"]},
            "features": {"n": 20}}


@quirk("title_lines_spreadsheet.csv", "a report sheet saved as CSV by a spreadsheet: the title line and the blank "
       "line carry the delimiters of the empty cells", CUSTOMERS)
def _(path):
    path.write_text("Customer report Q1 2024,,,,,\n,,,,,\n" + text(people(), PEOPLE_COLUMNS))
    return {"read": {"columns": PEOPLE_COLUMNS, "values": {"customer_id": [r["customer_id"] for r in people()]}},
            "features": {"n": 20}}


@quirk("summary_line_below.csv", "an export's summary line below the table, its count written with a thousands "
       "comma: one field too many, named as the last line", CUSTOMERS)
def _(path):
    path.write_text(text(people(), PEOPLE_COLUMNS) + "Rows: 1,020,,,,,\n")
    return {"error": "{path} line 22, the last line, has 7 fields where the rows have 6: 'Rows: 1,020,,,,,'. Fix: "
                     "remove that line if it is a summary below the table; otherwise quote the value that holds the "
                     "delimiter (\"Smith, J\"), or check the delimiter"}


@quirk("trailing_delimiters.csv", "every line ends with two empty fields", CUSTOMERS)
def _(path):
    path.write_text("".join(line + ",,\n" for line in text(people(), PEOPLE_COLUMNS).splitlines()))
    return {"read": {"columns": PEOPLE_COLUMNS, "notes": ["2 columns without a name and without values were "
                                                          "dropped"]}, "features": {"n": 20}}


WS_TX = {"customer_col": "customer", "invoice_col": None, "date_col": "day", "quantity_col": "items",
         "amount_col": "amount", "stock_code_col": None, "country_col": None, "k": 2, "k_min": 2, "k_max": 3}


@quirk("whitespace_aligned.txt", "columns aligned with runs of spaces; zero-padded ids, YYYYMMDD dates, no order "
       "id, a line amount", WS_TX)
def _(path):
    rows = [(f"{1 + i % 5:05d}", datetime(2012, 1, 2) + timedelta(days=9 * i), 1 + i % 3, round(4.5 * (1 + i % 4), 2))
            for i in range(30)]
    lines = [f"{'customer':<10}{'day':<10}{'items':>6}{'amount':>9}"]
    lines += [f"{c:<10}{d:%Y%m%d}  {q:>6}{a:>9.2f}" for c, d, q, a in rows]
    path.write_text("\n".join(lines) + "\n")
    return {"read": {"columns": ["customer", "day", "items", "amount"], "dtypes": {"customer": "text", "day": "int"},
                     "values": {"customer": [r[0] for r in rows]}, "notes": ["uses runs of spaces as delimiter"]},
            "clean": {"values": {"customer_id": [r[0] for r in rows], "date": iso([r[1] for r in rows])},
                      "readings": {"day": {"read as": "YYYYMMDD numbers"}},
                      "steps": {"orders": {"rows_removed": 0}}},
            "features": {"n": 5, "index": [f"{i:05d}" for i in range(1, 6)]}}


@quirk("whitespace_values_with_spaces.txt", "aligned columns whose values hold single spaces (New York)", CUSTOMERS)
def _(path):
    rows = people()
    lines = [f"{'customer_id':<14}{'age':>5}  {'income':>8}  {'visits':>6}  {'city':<14}signup"]
    lines += [f"{r['customer_id']:<14}{r['age']:>5}  {r['income']:>8}  {r['visits']:>6}  {r['city']:<14}"
              f"{r['signup']:%Y-%m-%d}" for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return {"read": {"columns": PEOPLE_COLUMNS, "values": {"city": [r["city"] for r in rows]}},
            "features": {"n": 20}}


@quirk("headerless.csv", "no header line; the params name the columns",
       {**CUSTOMERS, "header": False, "column_names": PEOPLE_COLUMNS})
def _(path):
    path.write_text(text(people(), PEOPLE_COLUMNS, header=False))
    return {"read": {"columns": PEOPLE_COLUMNS}, "features": {"n": 20}}


@quirk("headerless_detected.csv", "no header line and no column_names: detected, columns numbered",
       {"data_kind": "customers"})
def _(path):
    rows = [(i, 20 + (7 * i) % 50, 15.5 + (13 * i) % 120) for i in range(1, 21)]
    path.write_text("".join(f"{a},{b},{c}\n" for a, b, c in rows))
    return {"read": {"columns": ["column_1", "column_2", "column_3"], "notes": ["has no header line"],
                     "values": {"column_2": [r[1] for r in rows]}}}


# ------------------------------------------------------------------------------------------------ numbers
@quirk("thousands_currency_percent.csv", "money with a currency sign and thousands separators, a percent", CUSTOMERS)
def _(path):
    rows = people()
    for r in rows:
        r["income"], r["share"] = 1000 * r["income"], r["visits"] * 5
    columns = [*PEOPLE_COLUMNS, "share"]
    path.write_text(text(rows, columns, {"income": lambda v: f'"£{v:,.2f}"', "share": lambda v: f"{v}%"}))
    return {"read": {"dtypes": {"income": "float", "share": "float"}, "values": {
        "income": [r["income"] for r in rows], "share": [r["share"] for r in rows]},
        "notes": ["currency £ removed (20 values)", "thousands separators removed", "percent sign removed"]}}


@quirk("blanks_in_money.csv", "income written as text, blank for three new customers", CUSTOMERS)
def _(path):
    rows = people()
    for r in rows[-3:]:
        r["income"] = None
    path.write_text(text(rows, PEOPLE_COLUMNS, {"income": lambda v: " " if v is None else f'"{v:.2f}"'}))
    filled = sorted(r["income"] for r in rows if r["income"] is not None)
    median = (filled[len(filled) // 2 - 1] + filled[len(filled) // 2]) / 2 if len(filled) % 2 == 0 else \
        filled[len(filled) // 2]
    return {"read": {"dtypes": {"income": "float"}, "values": {"income": [r["income"] for r in rows]},
                     "notes": ["3 blank or NA values read as missing"]},
            "features": {"n": 20, "roles": {"income": "numeric"},
                         "notes": [f"income: 3 missing values filled with the median ({median:,.4g}); filled values "
                                   "never drive a segment's name."]}}


def subscribers(n: int = 24) -> list[dict]:
    """A telecom's subscribers: tenure in months, monthly and total charges; the 4 who joined this month (tenure 0)
    have no total yet, written as one space (as IBM's Telco churn table has it)."""
    rows = []
    for i in range(1, n + 1):
        tenure = 0 if i % 6 == 0 else 1 + (11 * i) % 70
        monthly = 20 + (17 * i) % 90 + 0.25 * (i % 4)
        rows.append({"customer_id": f"T{i:03d}", "tenure": tenure, "monthly_charges": monthly,
                     "total_charges": None if tenure == 0 else round(monthly * tenure, 2)})
    return rows


SUBSCRIBER_COLUMNS = ["customer_id", "tenure", "monthly_charges", "total_charges"]


@quirk("customers_blank_total_for_new.csv", "total charges blank (one space) for the subscribers of tenure 0, whose "
       "first bill is not yet sent: filled with the median, and the note says to set fill: {total_charges: 0}",
       CUSTOMERS)
def _(path):
    rows = subscribers()
    path.write_text(text(rows, SUBSCRIBER_COLUMNS, {"total_charges": lambda v: " " if v is None else str(v)}))
    return {"read": {"dtypes": {"total_charges": "float"}}, "clean": {"values": {
                "total_charges": [r["total_charges"] for r in rows]}},
            "features": {"n": 24, "notes": ["total_charges: 4 missing values filled with the median",
                                            "Every one is in a row where tenure is 0: if a blank means 0 there, set "
                                            "fill: {total_charges: 0}."]}}


@quirk("customers_blank_total_filled.csv", "the same blank totals, with fill: {total_charges: 0} in the params: "
       "they read as 0, a step of the cleaning log, and nothing is filled with the median",
       {**CUSTOMERS, "fill": {"total_charges": 0}})
def _(path):
    rows = subscribers()
    path.write_text(text(rows, SUBSCRIBER_COLUMNS, {"total_charges": lambda v: " " if v is None else str(v)}))
    return {"clean": {"values": {"total_charges": [0.0 if r["total_charges"] is None else r["total_charges"]
                                                   for r in rows]},
                      "steps": {"fill:total_charges": {"rows_removed": 0, "note": "4 values"}}},
            "features": {"n": 24, "values": {"total_charges": {r["customer_id"]: r["total_charges"] or 0.0
                                                               for r in rows}}}}


def people_with(path, column: str, values: list) -> list[dict]:
    """The customer table with one more column, its ``values`` in turn, written to ``path``; returns the rows."""
    rows = people()
    for i, r in enumerate(rows):
        r[column] = values[i % len(values)]
    path.write_text(text(rows, [*PEOPLE_COLUMNS, column]))
    return rows


@quirk("customers_levels_in_other_cases.csv", "a region column written 'North', 'NORTH', 'north ' and 'south' (a "
       "CRM's free entry): one level per region, spelt as most rows spell it, and a cleaning step names the spellings",
       CUSTOMERS)
def _(path):
    rows = people_with(path, "region", ["North", "NORTH", "North", "north ", "South", "south", "South", "South"])
    return {"clean": {"values": {"region": ["North" if r["region"].strip().lower() == "north" else "South"
                                            for r in rows]},
                      "steps": {"one_spelling": {"rows_removed": 0, "note": "region: 'NORTH', 'north' as 'North'; "
                                                 "region: 'south' as 'South'"}}},
            "features": {"n": 20, "roles": {"region": "categorical"}}}


@quirk("customers_gender_words.csv", "a German CRM's Geschlecht written F, w, Weiblich, FEMALE, m, Männlich, MALE "
       "and divers: Female and Male, divers as it is, and a cleaning step names the words read", CUSTOMERS)
def _(path):
    rows = people_with(path, "Geschlecht", ["F", "w", "Weiblich", "FEMALE", "m", "Männlich", "MALE", "divers"])
    read = {"F": "Female", "w": "Female", "Weiblich": "Female", "FEMALE": "Female", "m": "Male", "Männlich": "Male",
            "MALE": "Male", "divers": "divers"}
    return {"clean": {"values": {"Geschlecht": [read[r["Geschlecht"]] for r in rows]},
                      "steps": {"one_spelling": {"rows_removed": 0, "note": "Geschlecht: 'F', 'FEMALE', 'Weiblich', "
                                                 "'w' as 'Female'; Geschlecht: 'MALE', 'Männlich', 'm' as 'Male'"}}},
            "features": {"n": 20, "roles": {"Geschlecht": "categorical"}}}


@quirk("customers_gender_padded.csv", "ISLR's Credit table: Gender written ' Male' (a space before it) and 'Female': "
       "one level each, and the cleaning step says ' Male' was read as 'Male'", CUSTOMERS)
def _(path):
    rows = people_with(path, "Gender", [" Male", "Female"])
    return {"clean": {"values": {"Gender": [r["Gender"].strip() for r in rows]},
                      "steps": {"one_spelling": {"rows_removed": 0, "note": "Gender: ' Male' as 'Male'"}}},
            "features": {"n": 20, "roles": {"Gender": "categorical"}}}


@quirk("na_tokens.csv", "missing values written as NA, N/A, -, ?, null", CUSTOMERS)
def _(path):
    rows, tokens = people(), iter(["NA", "N/A", "-", "?", "null", "NA", "-", "?"])
    expected = [None if r["visits"] in (2, 3) else r["visits"] for r in rows]
    for r in rows:
        r["visits"] = next(tokens) if r["visits"] in (2, 3) else r["visits"]
    path.write_text(text(rows, PEOPLE_COLUMNS))
    return {"read": {"dtypes": {"visits": "float"}, "values": {"visits": expected}}, "features": {"n": 20}}


@quirk("na_region_code.csv", "'NA' as a code (North America) in a column of region codes, beside 'NA' for a "
       "missing city (R's write.csv): the code is kept, with a note, the city is missing", CUSTOMERS)
def _(path):
    rows = people()
    regions = ["EU", "NA", "APAC", "NA", "LATAM"]
    for i, r in enumerate(rows):
        r["region"] = regions[i % 5]
        r["city"] = "NA" if i in (4, 9) else r["city"]
    path.write_text(text(rows, [*PEOPLE_COLUMNS, "region"]))
    return {"read": {"values": {"region": [r["region"] for r in rows],
                                "city": [None if i in (4, 9) else r["city"] for i, r in enumerate(rows)]},
                     "notes": ["column 'region': 8 values 'NA' kept as a code (North America, Namibia)"]},
            "features": {"n": 20, "roles": {"region": "categorical"}}}


@quirk("customers_placeholder_999.csv", "999 for 'never contacted' in a days-since column (UCI bank marketing's "
       "pdays): the check warns that it looks like a code for 'none', with the valid_range that reads it as missing",
       CUSTOMERS)
def _(path):
    rows = people(40)
    for i, r in enumerate(rows):
        r["pdays"] = 3 + i % 12 if i % 5 == 0 else 999
    path.write_text(text(rows, [*PEOPLE_COLUMNS, "pdays"]))
    return {"features": {"n": 40}, "check": {"findings": [["warning", "placeholder", "pdays"]]}}


@quirk("numeric_with_junk.csv", "a number column with one spreadsheet error (#REF!) in 40 rows", CUSTOMERS)
def _(path):
    rows = people(40)
    rows[7]["income"] = "#REF!"
    path.write_text(text(rows, PEOPLE_COLUMNS))
    return {"read": {"dtypes": {"income": "text"}},
            "clean": {"readings": {"income": {"not read": 1, "why": "set missing"}}},
            "features": {"n": 40, "roles": {"income": "numeric"}}}


@quirk("email_ids_in_two_cases.csv", "customers known by e-mail address, two of them written in another case on "
       "some lines (Ana.Lima@Shop.com, ana.lima@shop.com): one customer each, the ids in lower case, and a log step")
def _(path):
    rows = orders()
    people = ["Ana.Lima@Shop.com", "bo@example.org", "Chen.Wei@Example.org", "dee@shop.com", "EVE@SHOP.COM", "fa@x.io"]
    for i, r in enumerate(rows):
        mail = people[r["CustomerID"] - 12345]
        r["CustomerID"] = mail.lower() if mail in ("Ana.Lima@Shop.com", "Chen.Wei@Example.org") and i % 2 else mail
    path.write_text(text(rows, TX))
    return {"clean": {"values": {"customer_id": [r["CustomerID"].lower() for r in rows]},
                      "steps": {"email_case": {"rows_removed": 0, "note": "2 ids written in another case joined "
                                               "their customer, e.g. 'Ana.Lima@Shop.com' and 'ana.lima@shop.com'"}}},
            "features": {"n": 6}}


@quirk("text_in_quantity.csv", "words in the quantity column")
def _(path):
    rows = orders()
    rows[3]["Quantity"], rows[8]["Quantity"] = "five", "six"
    path.write_text(text(rows, TX))
    return {"error": "the transactions input fails its schema: column 'Quantity' (quantity_col) has 2 values that "
                     "are not numbers, e.g. 'five', 'six'. Fix: point quantity_col at a numeric column, or fix those "
                     "values"}


@quirk("absurd_quantity.csv", "a quantity of 5e13 (an export error)")
def _(path):
    rows = orders()
    rows[5]["Quantity"] = "5e13"
    path.write_text(text(rows, TX))
    return {"error": "column 'Quantity' (quantity_col) has 1 infinite or absurdly large value (|x| >= 1e+12), e.g. "
                     "50000000000000.0. Fix: correct or remove those rows at the source: a single such line would "
                     "dominate every total"}


@quirk("blanks_in_price.csv", "two unit prices left blank")
def _(path):
    rows = orders()
    rows[4]["UnitPrice"] = rows[9]["UnitPrice"] = None
    path.write_text(text(rows, TX, {"UnitPrice": lambda v: " " if v is None else str(v)}))
    return {"read": {"dtypes": {"UnitPrice": "float"}, "notes": ["2 blank or NA values read as missing"]},
            "clean": {"steps": {"missing_values": {"rows_removed": 2, "note": "missing: price 2"}}}}


# -------------------------------------------------------------------------------------------------- dates
def _dated(path, fmt, rows=None, **extra):
    """Orders with their dates written by ``fmt``; the expected dates are the true ones."""
    rows = rows or orders()
    path.write_text(text(rows, TX, {"InvoiceDate": fmt}))
    return {"clean": {"values": tx_clean(rows, extra.pop("time", True)), **extra}}


@quirk("dates_iso.csv", "ISO 8601 dates and times")
def _(path):
    return _dated(path, lambda d: f"{d:%Y-%m-%dT%H:%M:%S}", readings={"InvoiceDate": {"read as": "ISO 8601"}})


@quirk("dates_day_first.csv", "day/month/year; days above 12 decide")
def _(path):
    return _dated(path, lambda d: f"{d:%d/%m/%Y %H:%M}", readings={"InvoiceDate": {
        "read as": "day first (DD/MM/YYYY)", "why": "a first field above 12"}})


@quirk("dates_month_first.csv", "month/day/year (US); days above 12 decide")
def _(path):
    return _dated(path, lambda d: f"{d:%m/%d/%Y %H:%M}", readings={"InvoiceDate": {
        "read as": "month first (MM/DD/YYYY)", "why": "a second field above 12"}})


def _ambiguous_orders() -> list[dict]:
    """The orders, every date with a day of 12 or less (2-7 January, April and July)."""
    rows = orders()
    for i, r in enumerate(rows):
        c, k = divmod(i // 2, 3)
        r["InvoiceDate"] = datetime(2011, 1 + 3 * k, 2 + c, 10 + k)
    return rows


@quirk("dates_orders_all_ambiguous.csv", "order dates written day first where no day is above 12: read month "
       "first, and segkit check warns (the order changes recency and churn)")
def _(path):
    rows = _ambiguous_orders()
    path.write_text(text(rows, TX, {"InvoiceDate": lambda d: f"{d:%d/%m/%Y %H:%M}"}))
    read = [{**r, "InvoiceDate": datetime(2011, r["InvoiceDate"].day, r["InvoiceDate"].month, r["InvoiceDate"].hour)}
            for r in rows]
    return {"clean": {"values": tx_clean(read), "readings": {"InvoiceDate": {
        "read as": "month first (MM/DD/YYYY)", "why": "no value decides; read month-first, the default"}}},
            "check": {"findings": [["warning", "dates", "InvoiceDate"]],
                      # 6 customers: too few for 2 segments of 5; churn: the data is too short
                      "warnings": [["dates", "InvoiceDate"], ["rows", None], ["stages", None]]}}


@quirk("dates_orders_all_ambiguous_dayfirst.csv", "the same orders with dayfirst: true: read day first, no warning",
       {"dayfirst": True})
def _(path):
    rows = _ambiguous_orders()
    path.write_text(text(rows, TX, {"InvoiceDate": lambda d: f"{d:%d/%m/%Y %H:%M}"}))
    return {"clean": {"values": tx_clean(rows), "readings": {"InvoiceDate": {
        "read as": "day first (DD/MM/YYYY)", "why": "no value decides; dayfirst from params"}}},
            "check": {"findings": []}}


@quirk("dates_month_names.csv", "dates with month names (3 Jan 2011, Jan 3, 2011)")
def _(path):
    fmts = [lambda d: f"{d.day} {d:%b %Y %H:%M}", lambda d: f"{d:%b} {d.day}, {d:%Y %H:%M}"]
    rows = orders()
    path.write_text(text([{**r, "InvoiceDate": fmts[i % 2](r["InvoiceDate"])} for i, r in enumerate(rows)], TX))
    return {"clean": {"values": tx_clean(rows), "readings": {"InvoiceDate": {"read as": "month names"}}}}


@quirk("dates_yyyymmdd_numbers.csv", "dates written as YYYYMMDD numbers")
def _(path):
    return _dated(path, lambda d: f"{d:%Y%m%d}", time=False, readings={"InvoiceDate": {"read as": "YYYYMMDD numbers"}})


@quirk("dates_excel_serials.csv", "dates as Excel serial numbers (days since 1899-12-30)")
def _(path):
    rows = [{**r, "InvoiceDate": r["InvoiceDate"].replace(hour=12)} for r in orders()]  # noon: a serial's .5
    return _dated(path, lambda d: repr((d - datetime(1899, 12, 30)).total_seconds() / 86400), rows,
                  readings={"InvoiceDate": {"read as": "Excel serial dates"}})


@quirk("dates_iso_timezones.csv", "ISO dates with time-zone offsets (+01:00, and -05:00 on an evening order), read at "
       "the local time written: the evening order stays on its day, as in the engines")
def _(path):
    rows = orders()
    rows[0]["InvoiceDate"] = rows[1]["InvoiceDate"] = datetime(2011, 1, 3, 21, 30)  # 02:30 UTC the next day
    out = _dated(path, lambda d: f"{d:%Y-%m-%dT%H:%M:%S}" + ("-05:00" if d.hour == 21 else "+01:00"), rows)
    out["clean"]["values"]["date"] = iso([r["InvoiceDate"] for r in rows], True)
    out["clean"]["readings"] = {"InvoiceDate": {"read as": "at the local time written"}}
    return out


@quirk("dates_future_10pct.csv", "ISO dates, 10% of them in 2099 (a typing error)")
def _(path):
    rows = orders()[:30]
    for r in rows[::10]:
        r["InvoiceDate"] = r["InvoiceDate"].replace(year=2099)
    path.write_text(text(rows, TX))
    kept = [r for r in rows if r["InvoiceDate"].year < 2099]
    last = max(r["InvoiceDate"] for r in kept).date() + timedelta(days=1)
    return {"clean": {"values": tx_clean(kept), "steps": {"future_dates": {"rows_removed": 3, "note": "2099-"}},
                      "readings": {"InvoiceDate": {"why": "3 after today"}}},
            "features": {"notes": [f"Recency and tenure are measured at {last:%d %B %Y} (the day after the last "
                                   "purchase)."]},
            "check": {"findings": [["warning", "range", "InvoiceDate"]]}}


@quirk("dates_after_the_period.csv", "a year of orders and one line dated 2019 (not in the future)")
def _(path):
    rows = orders()
    rows[-1]["InvoiceDate"] = datetime(2019, 6, 1, 12)
    path.write_text(text(rows, TX))
    return {"clean": {"values": tx_clean(rows), "readings": {"InvoiceDate": {
        "why": "1 line dated far after the data's period (e.g. 2019-06-01) is kept"}}},
            "features": {"notes": ["Recency and tenure are measured at 02 June 2019 (the day after the last "
                                   "purchase)."]}}


@quirk("not_dates.csv", "a word in the date column")
def _(path):
    rows = orders()
    rows[2]["InvoiceDate"] = "yesterday"
    path.write_text(text(rows, TX))
    return {"error": "the transactions input fails its schema: column 'InvoiceDate' (date_col) has 1 value that "
                     "is not dates, e.g. 'yesterday'. Fix: check that date_col names the date column and fix or "
                     "remove those rows, or set date_format (ISO dates such as 2011-12-09 08:30 always parse)"}


@quirk("dates_date_format.csv", "dates with dots, read with the params' date_format", {"date_format": "%d.%m.%Y %H:%M"})
def _(path):
    return _dated(path, lambda d: f"{d:%d.%m.%Y %H:%M}", readings={"InvoiceDate": {"read as": "date_format"}})


def _signups(path, fmt, dates, params_note=None, **expect):
    rows = people(len(dates))
    for r, d in zip(rows, dates):
        r["signup"] = d
    path.write_text(text(rows, PEOPLE_COLUMNS, {"signup": fmt}))
    return {"clean": {"values": {"signup": iso(dates)}, **expect}, "features": {"roles": {"signup": "date"}}}


@quirk("dates_day_first_40pct.csv", "day-month-year dates, 40% of them with a day of 12 or less", CUSTOMERS)
def _(path):
    dates = [datetime(2012, 9, d) for d in range(1, 31)]  # 12 of 30 days are 12 or less
    return _signups(path, lambda d: f"{d:%d-%m-%Y}", dates, readings={"signup": {
        "read as": "day first (DD-MM-YYYY)", "why": "a first field above 12 in 18 values decides"}})


@quirk("dates_all_ambiguous.csv", "day/month dates where no day is above 12: read month first, and said",
       CUSTOMERS)
def _(path):
    written = [datetime(2012, 1 + (5 * i) % 12, 1 + i % 12) for i in range(20)]  # written day first
    read = [datetime(d.year, d.day, d.month) for d in written]  # what a month-first reading gives
    return _signups(path, lambda d: f"{d:%d/%m/%Y}", written, readings={"signup": {
        "read as": "month first (MM/DD/YYYY)", "why": "no value decides; read month-first, the default"}}) | {
        "clean": {"values": {"signup": iso(read)}, "readings": {"signup": {
            "read as": "month first (MM/DD/YYYY)", "why": "no value decides; read month-first, the default"}}},
        "check": {"warnings": [["dates", "signup"]]}}


@quirk("dates_all_ambiguous_dayfirst.csv", "the same dates, with dayfirst: true in the params",
       {**CUSTOMERS, "dayfirst": True})
def _(path):
    written = [datetime(2012, 1 + (5 * i) % 12, 1 + i % 12) for i in range(20)]
    return _signups(path, lambda d: f"{d:%d/%m/%Y}", written, readings={"signup": {
        "read as": "day first (DD/MM/YYYY)", "why": "no value decides; dayfirst from params"}}) | {
        "check": {"warnings": []}}


@quirk("dates_five_formats.csv", "one date column in five layouts (ISO, 2012/09/05, 13/09/2012, 4 Sep 2012, "
       "Sep 6, 2012, 20120907)", CUSTOMERS)
def _(path):
    dates = [datetime(2012, 9, 1) + timedelta(days=i) for i in range(24)]
    fmts = [lambda d: f"{d:%Y-%m-%d}", lambda d: f"{d:%Y/%m/%d}", lambda d: f"{d:%d/%m/%Y}",
            lambda d: f"{d.day} {d:%b %Y}", lambda d: f"{d:%b} {d.day}, {d:%Y}", lambda d: f"{d:%Y%m%d}"]
    shown = {d: fmts[i % 6](d) for i, d in enumerate(dates)}
    return _signups(path, lambda d: shown[d], dates, readings={"signup": {"read as": "mixed layouts"}})


@quirk("customers_future_dates.csv", "sign-up dates with two in 2099: left out of the ages, not the reference",
       CUSTOMERS)
def _(path):
    dates = [datetime(2012, 1, 1) + timedelta(days=17 * i) for i in range(20)]
    dates[3], dates[11] = datetime(2099, 1, 1), datetime(2099, 5, 5)
    out = _signups(path, lambda d: f"{d:%Y-%m-%d}", dates, readings={"signup": {"why": "2 dates after today set "
                                                                                       "missing"}})
    out["clean"]["values"]["signup"] = [None if d.year == 2099 else f"{d:%Y-%m-%d}" for d in dates]
    out["features"]["notes"] = [f"Dates are measured at {max(d for d in dates if d.year < 2099):%d %B %Y}"]
    return out


# ---------------------------------------------------------------------------------------------------- ids
@quirk("zero_padded_ids.csv", "customer ids with leading zeros (00001)", CUSTOMERS)
def _(path):
    rows = people()
    for i, r in enumerate(rows, 1):
        r["customer_id"] = f"{i:05d}"
    path.write_text(text(rows, PEOPLE_COLUMNS))
    return {"read": {"dtypes": {"customer_id": "text"}, "values": {"customer_id": [r["customer_id"] for r in rows]}},
            "features": {"n": 20, "index": [r["customer_id"] for r in rows]}}


@quirk("big_ids.csv", "ids above 2**53, which a float would change", CUSTOMERS)
def _(path):
    rows = people()
    for i, r in enumerate(rows, 1):
        r["customer_id"] = str(2**53 + i)
    path.write_text(text(rows, PEOPLE_COLUMNS))
    return {"read": {"dtypes": {"customer_id": "text"}},
            "features": {"n": 20, "index": [r["customer_id"] for r in rows]}}


@quirk("folder_mixed_ids", "a folder of daily files: numeric invoice numbers in some, C-prefixed in one, stock codes "
       "all digits in one, an order without a customer in another")
def _(path):
    path.mkdir()
    rows = orders()
    rows[13]["InvoiceNo"], rows[13]["Quantity"] = "C" + rows[13]["InvoiceNo"], -rows[13]["Quantity"]
    rows[20]["CustomerID"] = rows[21]["CustomerID"] = None  # an order without a customer (a guest's)
    for r in rows[:12]:
        r["StockCode"] = "22423"
    for i, part in enumerate((rows[:12], rows[12:24], rows[24:])):
        (path / f"day{i + 1}.csv").write_text(text(part, TX))
    kept = [r for r in rows if r["CustomerID"] is not None]
    return {"read": {"dtypes": {"InvoiceNo": "text", "StockCode": "text", "CustomerID": "float"},
                     "values": {"InvoiceNo": [r["InvoiceNo"] for r in rows]}, "notes": ["3 files read from"]},
            "clean": {"values": {"invoice_id": [r["InvoiceNo"] for r in kept]}}, "features": {"n": 6}}


@quirk("folder_one_month_decimal_comma", "a folder of monthly files: one month exported from a German Excel, with "
       "semicolons and decimal commas (2,55), the others with a point (2.55)")
def _(path):
    path.mkdir()
    rows = orders()
    for r in rows:
        r["UnitPrice"] = r["UnitPrice"] + 1000 * (r["StockCode"] == "22423")  # 1012.75: thousands too (1.012,75)
    months = (rows[:12], rows[12:24], rows[24:])
    for i, part in enumerate(months):
        comma = i == 1
        fmt = {"UnitPrice": lambda v: f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")} if comma else {}
        (path / f"2011-0{i + 1}.csv").write_text(text(part, TX, fmt, sep=";" if comma else ","))
    return {"read": {"dtypes": {"UnitPrice": "float"}, "values": {"UnitPrice": [r["UnitPrice"] for r in rows]},
                     "notes": ["2011-02.csv: column 'UnitPrice' is written with a decimal comma (2,55) where the other "
                               "files use a point"]},
            "features": {"n": 6}}


def _months_with_bad_prices(path, bad: slice, total: bool) -> dict:
    """Three monthly files of :func:`orders` with '#REF!' prices in the rows ``bad`` (all in the second month), each
    file ending with a total line when ``total``; the error that names the second file."""
    path.mkdir()
    rows = orders()
    for r in rows[bad]:
        r["UnitPrice"] = "#REF!"
    last = [{**{c: "" for c in TX}, "CustomerID": "Total", "UnitPrice": "99.0"}] if total else []
    for i, part in enumerate((rows[:12], rows[12:24], rows[24:])):
        (path / f"2011-0{i + 1}.csv").write_text(text(part + last, TX))
    return {"error": f"the transactions input fails its schema: column 'UnitPrice' (price_col) has "
                     f"{len(rows[bad])} {'value' if len(rows[bad]) == 1 else 'values'} that are not numbers, e.g. '#REF!' (all in 2011-02.csv). Fix: point "
                     "price_col at a numeric column, or fix those values"}


@quirk("folder_text_in_one_files_prices", "a folder of monthly files, one of which has spreadsheet errors ('#REF!') "
       "for prices: the error names that file")
def _(path):
    return _months_with_bad_prices(path, slice(14, 17), total=False)


@quirk("folder_totals_and_text_in_one_file", "a folder of monthly files, each ending with a total line, one with "
       "'#REF!' prices: the error names that file, though the total lines were set aside before the check")
def _(path):
    return _months_with_bad_prices(path, slice(12, 14), total=True)


def _book(path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


@quirk("workbook_numeric_invoices.xlsx", "a workbook whose invoice numbers are numbers where they are numeric (as in "
       "the UCI workbook) and text where they start with C")
def _(path):
    rows = orders()
    for r in rows:
        r["InvoiceNo"] = int(r["InvoiceNo"])
    rows[7]["InvoiceNo"], rows[7]["Quantity"] = f"C{rows[7]['InvoiceNo']}", -1
    _book(path, {"Online Retail": pd.DataFrame(rows, columns=TX)})
    return {"read": {"dtypes": {"InvoiceNo": "text", "InvoiceDate": "datetime", "UnitPrice": "float"},
                     "values": {"InvoiceNo": [str(r["InvoiceNo"]) for r in rows]}},
            "clean": {"values": {"invoice_id": [str(r["InvoiceNo"]) for r in rows], **tx_clean(rows)}},
            "features": {"n": 6}}


@quirk("workbook_two_sheets.xlsx", "a workbook of two sheets with the same columns (one year each)")
def _(path):
    rows = orders()
    frame = pd.DataFrame(rows, columns=TX)
    _book(path, {"2011 Q1": frame.iloc[:20], "2011 Q2": frame.iloc[20:]})
    # invoice numbers stored as text cells of digits are typed as numbers, as a CSV of them would be
    return {"read": {"notes": ["its 2 sheets (2011 Q1, 2011 Q2) have the same columns and were read as one table"],
                     "values": {"InvoiceNo": [int(r["InvoiceNo"]) for r in rows]}},
            "clean": {"values": {"invoice_id": [r["InvoiceNo"] for r in rows]}},
            "features": {"n": 6}}


@quirk("workbook_title_rows.xlsx", "a report workbook: a title in A1 and a blank row above the header, on row 3",
       CUSTOMERS)
def _(path):
    rows = pd.DataFrame(people(), columns=PEOPLE_COLUMNS)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        rows.to_excel(writer, sheet_name="Customers", index=False, startrow=2)
        writer.sheets["Customers"]["A1"] = "Customer report Q1 2024"
    return {"read": {"columns": PEOPLE_COLUMNS, "values": {"customer_id": [r["customer_id"] for r in people()]},
                     "notes": ["sheet 'Customers' has its header on row 3; the 2 rows above it (a title, blank rows) "
                               "were skipped"]},
            "features": {"n": 20}}


@quirk("workbook_sheets_differ.xlsx", "a workbook with an 'About' sheet and the data, data_sheet not set")
def _(path):
    _book(path, {"About": pd.DataFrame({"note": ["exported 2011-12-10"]}), "Orders": pd.DataFrame(orders())})
    return {"error": "{path} has 2 sheets (About, Orders) and data_sheet is not set (their columns differ, so they "
                     "are not one table). Fix: set data_sheet to one of: About, Orders"}


# ------------------------------------------------------------------------------------- transaction shapes
@quirk("no_invoice_amount_only.csv", "no order id and a line amount instead of a unit price; zero amounts; a customer "
       "with free lines only", {"customer_col": "client", "invoice_col": None, "date_col": "date", "quantity_col": "qty",
                                "amount_col": "amount", "stock_code_col": None, "country_col": None})
def _(path):
    rows = [{"client": r["CustomerID"], "date": r["InvoiceDate"], "qty": r["Quantity"],
             "amount": round(r["Quantity"] * r["UnitPrice"], 2)} for r in orders()]
    rows[0]["amount"] = 0.0
    rows += [{"client": 99999, "date": datetime(2011, 2, 1, 9), "qty": 1, "amount": 0.0}]
    path.write_text(text(rows, ["client", "date", "qty", "amount"]))
    return {"clean": {"steps": {"orders": {"rows_removed": 0}, "non_positive_price": {
        "rows_removed": 2, "note": "2 lines with a zero amount"}, "lost_customers": {"note": "1 customer lost "
                                                                                                "all their lines"}},
                      "values": {"invoice_id": [f"{r['client']}|{r['date']:%Y-%m-%d}" for r in rows[1:-1]]}},
            "features": {"n": 6}}


@quirk("amount_only_with_invoice.csv", "a line amount and no unit price column (price_col keeps its default)",
       {"amount_col": "Amount"})
def _(path):
    rows = orders()
    for r in rows:
        r["Amount"] = round(r["Quantity"] * r["UnitPrice"], 2)
    path.write_text(text(rows, [c for c in TX if c != "UnitPrice"] + ["Amount"]))
    return {"clean": {"values": tx_clean(rows)}, "features": {"n": 6}, "check": {"findings": []}}


@quirk("till_total_line.csv", "a till export (line amounts, no order id) ending in its total line, customer id "
       "'Total' and a date: removed as a summary line, not segmented as a customer",
       {"amount_col": "Amount", "quantity_col": None, "invoice_col": None, "price_col": None})
def _(path):
    rows = orders()
    for r in rows:
        r["Amount"] = round(r["Quantity"] * r["UnitPrice"], 2)
    total = {**rows[-1], "CustomerID": "Total", "Amount": round(sum(r["Amount"] for r in rows), 2)}
    path.write_text(text(rows + [total], ["StockCode", "InvoiceDate", "CustomerID", "Country", "Amount"]))
    net = {}
    for r in rows:
        net[str(r["CustomerID"])] = round(net.get(str(r["CustomerID"]), 0) + r["Amount"], 2)
    return {"clean": {"steps": {"summary_lines": {"rows_removed": 1}}},
            "features": {"n": 6, "values": {"monetary": net}}, "check": {"findings": []}}


@quirk("till_title_and_labelled_total.csv", "a German till export: a title with a comma above a semicolon table "
       "(the comma is no delimiter), decimal commas, day-first dates, and a last line 'Summe;;;;' labelled in the "
       "date column with the customer blank: removed as a summary line, not refused as a date",
       {"amount_col": "Umsatz", "quantity_col": None, "invoice_col": "Bon", "price_col": None,
        "customer_col": "Kunde", "date_col": "Datum", "stock_code_col": None, "country_col": None})
def _(path):
    rows = orders()
    lines = ["Kassenbericht Filiale Köln, erstellt am 05.03.2024", "", "Datum;Kunde;Bon;Artikel;Umsatz"]
    amounts = [round(r["Quantity"] * r["UnitPrice"], 2) for r in rows]
    lines += [f"{r['InvoiceDate']:%d.%m.%Y};K{r['CustomerID']};{r['InvoiceNo']};Ware;{str(a).replace('.', ',')}"
              for r, a in zip(rows, amounts)]
    lines.append(f"Summe;;;;{str(round(sum(amounts), 2)).replace('.', ',')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    net = {}
    for r, a in zip(rows, amounts):
        net[f"K{r['CustomerID']}"] = round(net.get(f"K{r['CustomerID']}", 0) + a, 2)
    return {"read": {"columns": ["Datum", "Kunde", "Bon", "Artikel", "Umsatz"]},
            "clean": {"steps": {"summary_lines": {"rows_removed": 1}}},
            "features": {"n": 6, "values": {"monetary": net}}, "check": {"findings": []}}


@quirk("currencies_in_one_column.csv", "line amounts written with their currency, dollars and euros in one column: "
       "read, and the check warns that they would be added up", {"amount_col": "Amount", "price_col": None,
                                                                 "country_col": None})
def _(path):
    rows = orders()
    signs = ["$", "€"]
    lines = ["InvoiceNo,StockCode,Quantity,InvoiceDate,CustomerID,Amount"]
    lines += [f"{r['InvoiceNo']},{r['StockCode']},{r['Quantity']},{r['InvoiceDate']:%Y-%m-%d %H:%M},{r['CustomerID']},"
              f"{signs[i % 2]}{r['Quantity'] * r['UnitPrice']:.2f}" for i, r in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n")
    return {"features": {"n": 6}, "check": {"findings": [["warning", "currency", "Amount"]]}}


@quirk("one_currency_two_ways.csv", "line amounts in one currency written two ways, $12.50 and USD 12.50: read as "
       "the same money, without a warning", {"amount_col": "Amount", "price_col": None, "country_col": None,
                                              "currency": "$"})
def _(path):
    rows = orders()
    lines = ["InvoiceNo,StockCode,Quantity,InvoiceDate,CustomerID,Amount"]
    lines += [f"{r['InvoiceNo']},{r['StockCode']},{r['Quantity']},{r['InvoiceDate']:%Y-%m-%d %H:%M},{r['CustomerID']},"
              + (f"${r['Quantity'] * r['UnitPrice']:.2f}" if i % 2 else f"USD {r['Quantity'] * r['UnitPrice']:.2f}")
              for i, r in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n")
    return {"features": {"n": 6, "values": {"monetary": {str(12345 + c): 61.2 for c in range(6)}}},
            "check": {"findings": []}}


@quirk("currency_column.csv", "a Currency column with USD and EUR lines beside plain amounts: the check warns",
       {"amount_col": "Amount", "price_col": None, "country_col": None})
def _(path):
    rows = orders()
    for i, r in enumerate(rows):
        r["Amount"], r["Currency"] = round(r["Quantity"] * r["UnitPrice"], 2), ["USD", "EUR"][i % 2]
    path.write_text(text(rows, ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "CustomerID", "Amount",
                                "Currency"]))
    return {"features": {"n": 6}, "check": {"findings": [["warning", "currency", "Currency"]]}}


@quirk("order_total_first_line.csv", "an order export whose order total is on the first line of each order only, "
       "mapped as the line amount: the check warns that half the lines have no amount, with the fix",
       {"amount_col": "Total", "quantity_col": None, "price_col": None, "country_col": None})
def _(path):
    rows = orders()
    totals = {}
    for r in rows:
        totals[r["InvoiceNo"]] = round(totals.get(r["InvoiceNo"], 0) + r["Quantity"] * r["UnitPrice"], 2)
    seen = set()
    for r in rows:
        r["Total"] = "" if r["InvoiceNo"] in seen else totals[r["InvoiceNo"]]
        seen.add(r["InvoiceNo"])
    path.write_text(text(rows, ["InvoiceNo", "StockCode", "InvoiceDate", "CustomerID", "Total"]))
    return {"clean": {"steps": {"missing_values": {"rows_removed": 18}}},
            "check": {"findings": [["warning", "missing", "Total"]]}}


@quirk("refunded_orders.csv", "an order export with a status column on each order's first line (Shopify's Financial "
       "Status): the lines of refunded orders are removed; an order refunded in part is kept whole, with a warning "
       "that names refund_col",
       {"status_col": "Financial Status"})
def _(path):
    rows = orders()
    status = {"540010": "refunded", "540021": "Refunded", "540032": "partially_refunded"}
    seen = set()
    for r in rows:  # the order's status on its first line only, as Shopify exports it
        r["Financial Status"] = "" if r["InvoiceNo"] in seen else status.get(r["InvoiceNo"], "paid")
        seen.add(r["InvoiceNo"])
    path.write_text(text(rows, TX + ["Financial Status"]))
    net = {}
    for r in rows:
        if status.get(r["InvoiceNo"], "").lower() != "refunded":
            net[str(r["CustomerID"])] = round(net.get(str(r["CustomerID"]), 0) + r["Quantity"] * r["UnitPrice"], 2)
    return {"clean": {"steps": {"cancelled_orders": {"rows_removed": 4, "note": "4 lines of 2 orders"}}},
            "features": {"n": 6, "values": {"monetary": net}},
            "check": {"findings": [["warning", "refunds", "Financial Status"]]}}


@quirk("order_fields_on_first_line.csv", "an order export with the customer and the country on each order's first "
       "line only (Shopify's Email and Billing Country): the other lines take their order's; a guest order, and a "
       "line whose order names two customers, keep none and are set aside")
def _(path):
    rows, seen = orders(), set()
    for r in rows:
        if r["InvoiceNo"] in seen:
            r["CustomerID"], r["Country"] = "", ""
        seen.add(r["InvoiceNo"])
    when = datetime(2011, 4, 20, 12)
    line = {"StockCode": "22423", "Quantity": 1, "InvoiceDate": when, "UnitPrice": 12.75}
    rows += [{**line, "InvoiceNo": "540099", "CustomerID": "", "Country": "", "Quantity": q} for q in (1, 2)]  # a guest
    rows += [{**line, "InvoiceNo": "540100", "CustomerID": c, "Country": "France"} for c in (12345, 12346, "")]
    path.write_text(text(rows, TX))
    net = {str(12345 + c): 61.2 for c in range(6)}
    net.update({"12345": 73.95, "12346": 73.95})
    return {"clean": {"steps": {"order_customer": {"rows_removed": 0, "note": "18 lines given their order's customer"},
                                "missing_customer": {"rows_removed": 3}}},
            "features": {"n": 6, "values": {"monetary": net}},
            "check": {"findings": []}}


@quirk("refunded_in_part.csv", "an order export with the amount refunded on each order's first line (Shopify's "
       "Refunded Amount): a refund of an order kept is subtracted, one written with a minus sign too, one larger "
       "than the order (shipping) is cut to the order; a refunded order is removed whole",
       {"status_col": "Financial Status", "refund_col": "Refunded Amount"})
def _(path):
    rows = orders()
    status = {"540010": "refunded", "540032": "partially_refunded", "540041": "partially_refunded"}
    refund = {"540010": "17.85", "540032": "12.75", "540041": "-5.00", "540052": "100.00"}
    seen = set()
    for r in rows:  # order fields on the order's first line only, as Shopify exports them
        first = r["InvoiceNo"] not in seen
        r["Financial Status"] = status.get(r["InvoiceNo"], "paid") if first else ""
        r["Refunded Amount"] = refund.get(r["InvoiceNo"], "0.00") if first else ""
        seen.add(r["InvoiceNo"])
    path.write_text(text(rows, TX + ["Financial Status", "Refunded Amount"]))
    net = {str(12345 + c): 61.2 for c in range(6)}  # 17.85 + 20.40 + 22.95 per customer
    net.update({"12346": 43.35, "12348": 48.45, "12349": 56.2, "12350": 38.25})
    return {"clean": {"steps": {"cancelled_orders": {"rows_removed": 2},
                                "refunds": {"rows_removed": 0, "rows_after": 37, "rows_netted": 3,
                                            "note": "3 orders, 40.70 refunded in all; 1 cut to the order's "
                                                    "amount (not its shipping or taxes) or less what its return "
                                                    "lines net already"}}},
            "features": {"n": 6, "values": {"monetary": net}}, "check": {"findings": []}}


@quirk("amount_only_returns.csv", "line amounts only (no quantity or price column, no order id), returns as "
       "negative amounts: netted, not removed as write-offs", {"amount_col": "Amount", "quantity_col": None,
                                                              "invoice_col": None, "price_col": None})
def _(path):
    rows = orders()
    for r in rows:
        r["Amount"] = round(r["Quantity"] * r["UnitPrice"], 2)
    returns = [{**r, "Amount": -r["Amount"], "InvoiceDate": r["InvoiceDate"] + timedelta(days=2)} for r in rows[::6]]
    path.write_text(text(rows + returns, ["StockCode", "InvoiceDate", "CustomerID", "Country", "Amount"]))
    net = {}
    for r in rows + returns:
        net[str(r["CustomerID"])] = round(net.get(str(r["CustomerID"]), 0) + r["Amount"], 2)
    return {"clean": {"steps": {"items": {"rows_removed": 0}, "non_positive_price": {"rows_removed": 0},
                                "cancellations": {"note": "netted 6 cancellation lines"}},
                      "values": {"quantity": [1] * len(rows) + [-1] * len(returns),
                                 "amount": [r["Amount"] for r in rows + returns]}},
            "features": {"n": 6, "values": {"monetary": net}}, "check": {"findings": []}}


# ------------------------------------------------------------------------------------------------ writing
def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for name, (what, params, write) in QUIRKS.items():
        expect = write(OUT / name)
        sidecar = {"quirk": what, "params": params, "expect": expect}
        stem = name.rsplit(".", 1)[0] if "." in name else name
        (OUT / f"{stem}.yaml").write_text(yaml.safe_dump(sidecar, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None))
    print(f"{len(QUIRKS)} quirks written to {OUT}")


if __name__ == "__main__":
    main()
