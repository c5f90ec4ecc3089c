"""The segkit command: bad params stop before any notebook runs, with one clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from segkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _params(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\n" + text)
    return path


@pytest.mark.parametrize("text, expected", [
    ("k_maxx: 4\n", "unknown key 'k_maxx' (did you mean 'k_max'?)"),
    # a column's role written as a key of its own (a trial of a student table): where it goes instead
    ("outcome: prog\n", "unknown key 'outcome' (set a column's role in roles: {prog: outcome})"),
    ("ignore: [name, email]\n", "unknown key 'ignore' (set a column's role in roles: {name: ignore, email: ignore})"),
    ("data_path: missing.csv\n", "input file"),
    ("customer_col: Customer\n", "customer_col='Customer'"),
])
def test_bad_params_stop_before_any_notebook(tmp_path, capsys, text, expected):
    out = tmp_path / "reports"
    code = main(["run", str(_params(tmp_path, text)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1, f"want one message, got: {err!r}"
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir()), "no run folder may be created"


def test_missing_column_lists_available_columns(tmp_path, capsys):
    main(["check", str(_params(tmp_path, "customer_col: Customer\n"))])
    err = capsys.readouterr().err
    assert "CustomerID" in err and "Fix:" in err
    # a column written in another case, or nearly so, is suggested (a student table's id_col: ID for its "id")
    assert "customer_col='Customer' (did you mean 'CustomerID'?)" in err
    main(["check", str(_params(tmp_path, "customer_col: customerid\n"))])
    assert "customer_col='customerid' (did you mean 'CustomerID'?)" in capsys.readouterr().err


def test_check_accepts_default_params(capsys):
    assert main(["check", str(ROOT / "params" / "online_retail.yaml")]) == 0
    assert "params ok" in capsys.readouterr().out


def test_check_says_what_the_cleaning_sets_aside(tmp_path, capsys):
    """A till export's repeat scans (the same line twice) were dropped as duplicates with "0 warning(s)" at the
    check: it says how many rows each rule sets aside, and how to keep duplicates."""
    lines = ["InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
    lines += [f"{540000 + i},A,1,2011-01-{1 + i % 28:02d} 10:00,2.50,{12345 + i % 5},UK" for i in range(40)]
    lines += lines[1:4] + ["540099,A,1,2011-02-01 10:00,2.50,,UK"]  # 3 lines again, 1 without a customer
    lines += ["540100,POST,1,2011-02-01 10:00,18.00,12345,UK"]  # postage: not a product
    data = tmp_path / "till.csv"
    data.write_text("\n".join(lines) + "\n")
    params = tmp_path / "till.yaml"
    params.write_text(f"data_kind: transactions\ndata_path: {data}\nstock_code_col: StockCode\n")
    assert main(["check", str(params)]) == 0
    out = capsys.readouterr().out
    assert ("the cleaning sets aside 5 of the 45 rows (11.1%): 3 duplicates (drop_duplicates: false keeps them), "
            "1 missing customer, 1 non product (non_product_codes: [] keeps them)") in out


@pytest.mark.parametrize("command", ["check", "runs"])
def test_check_and_runs_do_not_compile_the_iri_grammars(command, tmp_path):
    # jsonschema, under nbformat, would import rfc3987-syntax and compile its grammars (about 1.4 s)
    args = [str(ROOT / "params" / "smoke.yaml")] if command == "check" else ["--out", str(tmp_path)]
    code = ("import sys; from segkit.cli import main; code = main(sys.argv[1:]); "
            "print('nbformat' in sys.modules, 'lark' in sys.modules, code)")
    res = subprocess.run([sys.executable, "-c", code, command, *args], capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.strip().splitlines()[-1] == "True False 0", res.stderr


def test_params_lists_every_key(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "k_max" in out and "largest number of segments" in out


def test_console_script_exit_status_and_debug(tmp_path):
    bad = _params(tmp_path, "k_maxx: 4\n")
    exe = Path(sys.executable).with_name("segkit")
    res = subprocess.run([str(exe), "check", str(bad)], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    res = subprocess.run([str(exe), "--debug", "check", str(bad)], capture_output=True, text=True)
    assert res.returncode != 0 and "Traceback" in res.stderr


_CONSOLE = """
import atexit, sys
from pathlib import Path
from segkit import cli
folder, how = Path(sys.argv[1]), sys.argv[2]
real = cli.main


class Teardown:  # freed by Python's own exit, not by the quick one
    def __del__(self):
        (folder / "teardown.txt").write_text("freed")


kept = Teardown()
if how == "early":  # a hook loaded before the command (coverage, a profiler) must still run, after it
    atexit.register((folder / "early.txt").write_text, "ran")


def main(argv=None):  # registered while the command runs, as a library it loads would
    atexit.register((folder / "handler.txt").write_text, "ran")
    if how == "raise":
        raise RuntimeError("not a segkit error")
    print("x" * 100_000)  # larger than the buffer: written at once
    (folder / "empty").mkdir()
    return real(["runs", "--out", str(folder / "empty")])  # its last line stays in the buffer until the exit


cli.main = main
sys.argv = ["segkit"]
cli.console()
"""


def _console(folder: Path, how: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as a terminal's pipe is
    return subprocess.run([sys.executable, "-c", _CONSOLE, str(folder), how], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("how", ["ok", "raise", "early"])
def test_the_command_ends_quickly_after_every_exit_handler_with_its_status_and_all_its_output(tmp_path, how):
    res = _console(tmp_path, how)
    ran = {p.name for p in tmp_path.glob("*.txt")}
    if how == "raise":  # as Python ends it: its status and traceback, then its teardown
        assert res.returncode == 1 and "RuntimeError: not a segkit error" in res.stderr
        assert ran == {"handler.txt", "teardown.txt"}
        return
    assert res.returncode == 0, res.stderr
    assert res.stdout == "x" * 100_000 + "\nno runs here yet\n"
    if how == "ok":  # the handler registered during the command ran; Python's teardown did not
        assert ran == {"handler.txt"}
    else:  # a handler registered before the command: Python's own exit, so that it still runs last
        assert ran == {"handler.txt", "early.txt", "teardown.txt"}


def test_the_command_exit_status_for_an_error_and_for_help(tmp_path):
    res = subprocess.run([sys.executable, "-m", "segkit.cli", "check", str(tmp_path / "missing.yaml")],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and res.stderr.startswith("segkit: ") and "Traceback" not in res.stderr
    res = subprocess.run([sys.executable, "-m", "segkit.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and "usage: segkit" in res.stdout


@pytest.mark.parametrize("cell, expected", [
    ("yesterday", "column 'InvoiceDate' (date_col) has 1 value that is not dates, e.g. 'yesterday'"),
    ("2010-12-01 08:26:00|five", "column 'Quantity' (quantity_col) has 1 value that is not numbers, e.g. 'five'"),
])
def test_check_and_run_stop_on_what_would_stop_a_notebook_with_its_message(tmp_path, capsys, cell, expected):
    from segkit import pipeline
    from segkit.config import load_params
    from segkit.source import load_input

    date, _, quantity = cell.partition("|")
    rows = [f"5363{i},85123A,{quantity if i == 1 and quantity else 6},{date if i == 1 else '2010-12-01 08:26:00'},"
            f"2.55,1785{i}.0,United Kingdom" for i in range(5)]
    data = tmp_path / "orders.csv"
    data.write_text("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" + "\n".join(rows) + "\n")
    params = _params(tmp_path, f"data_path: {data}\n")
    with pytest.raises(Exception) as notebook:  # what 01_eda does: load, check against the schema, clean
        p = load_params(params)[0]
        raw = load_input(p)
        pipeline.check_input(p, raw)
        pipeline.clean_table(p, raw)
    assert expected in str(notebook.value)
    assert main(["check", str(params)]) == 2
    assert capsys.readouterr().err == f"segkit: {notebook.value.message}\n"
    out = tmp_path / "reports"
    assert main(["run", str(params), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"segkit: {notebook.value.message}\n"
    assert not out.exists() or not any(out.iterdir()), "no notebook may start"


def test_a_run_says_the_checks_warnings_before_its_notebooks(tmp_path, monkeypatch):
    """Dates where no day is above 12 are read month first: the run says so on the terminal, as segkit check does,
    not only on the data-quality page."""
    from segkit.report import runner

    quirks = ROOT / "tests" / "data" / "quirks"
    params = tmp_path / "orders.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\n"
                      f"data_path: {quirks / 'dates_orders_all_ambiguous.csv'}\n")
    monkeypatch.setattr(runner, "run_notebooks", lambda *a, **kw: None)  # the lines before the first notebook
    said: list[str] = []
    runner.run(params, out_dir=tmp_path / "reports", say=said.append)
    warned = [line for line in said if "warning: column 'InvoiceDate' (date_col) read month first" in line]
    assert len(warned) == 1 and "no value decides" in warned[0], said


@pytest.mark.parametrize("extra, code, expected", [
    ("k: 25\n", 2, "segkit: k=25 segments asked for, but only 20 customers to segment. Fix: set k at most 10, or "
                    "k: auto"),
    ("labels: {agee: Age in years}\n", 0, "warning: labels names ['agee'], which the customers features do not "
                                         "include: those words show nowhere. Fix: check the spelling"),
    ("units: {incme: k$}\n", 0, "warning: units names ['incme'], which the customers features do not include"),
])
def test_check_stops_on_a_k_the_rows_cannot_hold_and_warns_of_words_shown_nowhere(tmp_path, capsys, extra, code,
                                                                                  expected):
    """A fixed k above the rows stops the check as it would stop 03_select_k; a label or unit for a column the
    features do not have (a typo) is a warning: the run would not stop, but the words would show nowhere."""
    quirks = ROOT / "tests" / "data" / "quirks"
    params = tmp_path / "people.yaml"
    params.write_text(f"data_kind: customers\nid_col: customer_id\ndata_path: {quirks / 'tab.tsv'}\n{extra}")
    assert main(["check", str(params)]) == code
    said = capsys.readouterr()
    assert expected in (said.err if code else said.out)


@pytest.mark.parametrize("fill,warned", [("", True), ("fill: {total_charges: 0}\n", False)])
def test_check_warns_of_blanks_that_likely_mean_zero(tmp_path, capsys, fill, warned):
    """A telecom's total charges are blank exactly where tenure is 0: the check says the run would fill them with
    the median and names the key that reads them as 0; with that key, no warning."""
    quirk = ROOT / "tests" / "data" / "quirks" / "customers_blank_total_for_new.csv"
    params = tmp_path / "telco.yaml"
    params.write_text(f"data_kind: customers\nid_col: customer_id\ndata_path: {quirk}\n{fill}")
    assert main(["check", str(params)]) == 0
    said = capsys.readouterr().out
    warning = ("warning: column 'total_charges' is blank in 4 rows, every one where 'tenure' is 0: the run fills them "
               "with the median (1,664). Fix: set fill: {total_charges: 0} if a blank means 0 there")
    assert (warning in said) is warned and ("1 warning" if warned else "0 warnings") in said


def _euro_shop(tmp_path: Path, currency: str | None) -> Path:
    """A German shop's export: amounts with decimal commas and a euro sign on some, no currency in the params."""
    lines = ["Bestellnr;Datum;Kunde;Betrag"]
    for i in range(60):
        amount = f"{10 + i % 7},{i % 10}5"
        lines.append(f"B-{i // 2};{1 + i % 28:02d}.{1 + i % 12:02d}.2023 10:00;K{i % 12};"
                     + (f"€ {amount}" if i % 3 == 0 else f"{amount} €" if i % 3 == 1 else amount))
    (tmp_path / "shop.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "shop.yaml"
    path.write_text("data_kind: transactions\ndata_path: shop.csv\ncustomer_col: Kunde\ninvoice_col: Bestellnr\n"
                    "date_col: Datum\namount_col: Betrag\nquantity_col: null\nprice_col: null\nstock_code_col: null\n"
                    "country_col: null\ndayfirst: true\nk: 3\n" + (f"currency: \"{currency}\"\n" if currency else ""))
    return path


def test_a_run_shows_money_in_the_currency_of_the_amounts_when_the_params_name_none(tmp_path, capsys):
    from segkit.config import load_params
    from segkit.report.runner import _discovered, _planned

    assert main(["check", str(_euro_shop(tmp_path, None))]) == 0
    out = capsys.readouterr().out
    assert "the reports show money in €, the currency of the amounts in 'Betrag'" in out and "currency)" not in out
    params, _ = load_params([str(tmp_path / "shop.yaml")])
    assert params.currency == "£" and _planned(params, _discovered(params, None, None), None)[0].currency == "€"
    # a currency the params name is kept, and the amounts in another one are warned of
    assert main(["check", str(_euro_shop(tmp_path, "$"))]) == 0
    out = capsys.readouterr().out
    assert "warning: column 'Betrag' holds amounts in €, but the reports would show money in $ (currency)" in out
    assert "the reports show money in" not in out


def test_amounts_in_several_currencies_choose_no_currency():
    from segkit.config import Params
    from segkit.preflight import adopt_currency

    params = Params(data_kind="customers")
    info = {"findings": [], "currency_of": {"fee": "$", "Betrag": "€"}}
    plain, said = adopt_currency(params, info)
    assert plain.currency == "" and said["currency_note"] == ("the reports show money as plain numbers: the amounts "
                                                              "are in several currencies (set currency, e.g. currency: "
                                                              "\"$\", to show a sign)")
    assert adopt_currency(params, {"findings": [], "currency_of": {"fee": "$", "paid": "USD"}})[0].currency == "$"
    assert adopt_currency(params, {"findings": [], "currency_of": {"paid": "GBP"}})[0] is params  # £ already
    set_ = Params(data_kind="customers", currency="£")
    assert adopt_currency(set_, info) == (set_, info)  # the params' currency is never replaced


@pytest.mark.parametrize("kind,signs,codes,shown,why", [
    ("transactions", {}, {"currency": ["USD"]}, "USD", "the currency that column 'currency' names"),
    ("transactions", {}, {"currency": ["EUR", "USD"]}, "", "the amounts are in several currencies"),
    ("transactions", {}, {}, "", "the input names no currency"),
    ("customers", {"income": "€"}, {"ccy": ["EUR", "USD"]}, "€", "the currency of the amounts in 'income'"),
    ("demographics", {}, {}, "$", "as ACS tables give money"),
])
def test_money_is_shown_in_the_currency_the_input_says_or_as_plain_numbers(kind, signs, codes, shown, why):
    """A subscription export's amounts in USD and EUR (a currency column) were all shown as £, the bundled shop's
    currency: the reports now show what the input says, census tables dollars, and otherwise plain numbers."""
    from segkit.config import Params
    from segkit.preflight import adopt_currency

    params, info = adopt_currency(Params(data_kind=kind), {"findings": [], "currency_of": signs,
                                                           "currency_codes": codes})
    assert params.currency == shown and why in info["currency_note"]


def test_a_table_with_no_money_gets_no_note_on_its_sign():
    """hsb2's students (test scores) and a survey were told "the reports show money as plain numbers" on the
    terminal: a customer table none of whose columns is money says nothing of a currency."""
    import pandas as pd
    from segkit.cleaning import CleaningLog
    from segkit.config import Params
    from segkit.preflight import adopt_currency, money_info

    params = Params(data_kind="customers")
    scores = pd.DataFrame({"id": range(10), "read": range(40, 50), "write": range(50, 60), "prog": ["general"] * 10})
    info = money_info(params, scores, CleaningLog(), [])
    assert info["money_columns"] == [] and adopt_currency(params, info)[1]["currency_note"] == ""
    spend = scores.assign(total_spend=[12.5 * i for i in range(10)])
    info = money_info(params, spend, CleaningLog(), [])
    assert info["money_columns"] == ["total_spend"]
    assert adopt_currency(params, info)[1]["currency_note"].startswith("the reports show money as plain numbers")
