"""Every engine gives the same run: pandas and DuckDB agree on the cleaning counts, the customers, the features
(to the cent) and the segments, on the bundled data and on generated data full of cancellations and duplicates;
bad input through DuckDB gives segkit errors (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
import pytest

from segkit import engine, kinds, pipeline, source
from segkit.cli import main
from segkit.source import input_columns, load_input
from segkit.config import load_params, params_from_mapping
from segkit.engine import duckdb as ddb
from segkit.errors import ColumnError, DataFileError, DataValueError, ParamsError, SegkitError
from segkit.kinds.transactions.synth import generate_transactions
from segkit.naming.words import counted

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT / "data" / "online_retail.parquet"
KIND = kinds.get("transactions")
LOG_FIELDS = ["rule", "rows_before", "rows_removed", "rows_after", "rows_netted"]


def _params(path, **values):
    return params_from_mapping({"data_kind": "transactions", "data_path": str(path), **values})


def run_pandas(raw: pd.DataFrame, p):
    cleaned, log = pipeline.clean_table(p, raw.copy())
    return log, pipeline.build_features(p, cleaned)


def run_duckdb(path, p, tmp_path: Path):
    with ddb.session(p) as con:
        log = KIND.module.engine_clean(con, ddb.source_sql(str(path)), p, tmp_path / "clean.parquet")
        fs = KIND.module.engine_features(con, ddb.source_sql(tmp_path / "clean.parquet"), p)
    return log, fs


def assert_same(a, b):
    """The cleaning logs count the same lines, rule by rule, and the feature tables agree to the cent."""
    (log_a, fs_a), (log_b, fs_b) = a, b
    pd.testing.assert_frame_equal(log_a.to_frame()[LOG_FIELDS], log_b.to_frame()[LOG_FIELDS])
    ta, tb = fs_a.table, fs_b.table
    assert ta.index.equals(tb.index), "not the same customers"
    assert list(ta.columns) == list(tb.columns) and ta.dtypes.equals(tb.dtypes)
    assert ta.attrs == tb.attrs
    for col in ta.columns:
        if col == "country":
            assert ta[col].equals(tb[col])
        else:
            np.testing.assert_allclose(ta[col].to_numpy(float), tb[col].to_numpy(float), rtol=0, atol=0.005,
                                       err_msg=col)
    assert fs_a.columns == fs_b.columns and fs_a.notes == fs_b.notes
    assert fs_a.extra == fs_b.extra  # the same stand-in gaps are left out of the profiles


def test_bundled_data_same_counts_customers_and_features(retail, tmp_path):
    p = _params(RETAIL)
    theirs, ours = run_pandas(retail, p), run_duckdb(RETAIL, p, tmp_path)
    assert_same(theirs, ours)
    gaps = ours[1].extra["imputed_rows"]  # 1,558 customers bought on one day, 869 on two (counted on the clean lines)
    assert (len(gaps["interpurchase_mean"]), len(gaps["interpurchase_std"])) == (1558, 1558 + 869)


def test_clean_parquet_written_by_duckdb_has_the_pandas_lines(retail, tmp_path):
    p = _params(RETAIL)
    cleaned, _ = pipeline.clean_table(p, retail.copy())
    run_duckdb(RETAIL, p, tmp_path)
    ours = pd.read_parquet(tmp_path / "clean.parquet")
    assert list(ours.columns) == list(cleaned.columns)
    key = ["customer_id", "invoice_id", "stock_code", "date", "quantity", "price"]
    a, b = cleaned.sort_values(key).reset_index(drop=True), ours.sort_values(key).reset_index(drop=True)
    for col in ("customer_id", "invoice_id", "quantity", "is_cancellation", "stock_code", "country"):
        assert (a[col].astype(str) == b[col].astype(str)).all(), col
    np.testing.assert_allclose(a["amount"], b["amount"], atol=1e-9)


def test_generated_data_with_cancellations_and_duplicates(generated, tmp_path):
    df, path = generated
    p = _params(path)
    log, fs = run_duckdb(path, p, tmp_path)
    assert log["duplicates"].rows_removed > 0 and log["cancellations"].rows_netted > 0
    assert log["non_product"].rows_removed > 0 and log["non_positive_price"].rows_removed > 0
    assert_same(run_pandas(df, p), (log, fs))


def test_email_ids_in_two_cases_are_one_customer_in_both_engines(generated, tmp_path):
    """A subscription export wrote 20 customers' e-mail addresses in two cases (Anna.0020@Hooli.Com on every other
    invoice): they were counted twice. Ids with an @ are read in lower case, by pandas and DuckDB alike."""
    df = generated[0].copy()
    ids = df["CustomerID"].astype("Int64").astype("string")
    df["CustomerID"] = ("Client." + ids + "@Example.com").where(ids.notna())
    shouting = df.index % 2 == 0  # every other line in another case
    df.loc[shouting, "CustomerID"] = df.loc[shouting, "CustomerID"].str.lower()
    path = tmp_path / "mails.parquet"
    df.to_parquet(path, index=False)
    p = _params(path)
    log, fs = run_duckdb(path, p, tmp_path)
    pandas = run_pandas(df, p)
    assert_same(pandas, (log, fs))
    mails = df["CustomerID"].dropna()
    spellings = mails.groupby(mails.str.lower()).nunique()  # a customer of one line has one spelling
    first = sorted(mails[mails.str.lower() == spellings[spellings > 1].index.min()].unique())
    assert log["email_case"].note == (f"{counted(int((spellings - 1).sum()), 'ids')} written in another case joined their "
                                      f"customer, e.g. {first[0]!r} and {first[-1]!r}")
    assert fs.table.index.str.islower().all() and len(fs.table) == len(run_pandas(generated[0], _params(path))[1].table)


@pytest.mark.parametrize("values", [
    {"drop_duplicates": False},
    {"snapshot_date": "2012-01-31", "features": ["recency", "frequency", "monetary", "tenure"]},
    {"non_product_codes": ["POST", "2000*"], "cancellation_prefix": "X"},
    {"invoice_col": None},
    {"stock_code_col": None, "country_col": None},
], ids=["duplicates-kept", "snapshot", "codes-prefix", "no-invoice", "no-codes-no-country"])
def test_params_variants_agree(generated, tmp_path, values):
    df, path = generated
    p = _params(path, **values)
    assert_same(run_pandas(df, p), run_duckdb(path, p, tmp_path))


def test_amount_column_and_future_dates_agree(generated, tmp_path):
    df = generated[0].assign(Amount=lambda d: d["Quantity"] * d["UnitPrice"]).drop(columns="UnitPrice")
    df.loc[df.index[:7], "InvoiceDate"] = pd.Timestamp("2099-01-01")
    path = tmp_path / "amount.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, amount_col="Amount")
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    assert ours[0]["future_dates"].rows_removed > 0
    assert_same(theirs, ours)


def test_line_amounts_only_agree(generated, tmp_path):
    """No quantity column (quantity_col: null): each line one item, a negative amount a return, netted, in both."""
    df = (generated[0].assign(Amount=lambda d: d["Quantity"] * d["UnitPrice"])
          .drop(columns=["UnitPrice", "Quantity"]))
    path = tmp_path / "amounts.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, amount_col="Amount", quantity_col=None)
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    assert ours[0]["items"].rows_removed == 0 and ours[0]["cancellations"].rows_netted > 0
    assert_same(theirs, ours)


def test_identical_lines_of_items_are_kept_and_double_exports_dropped_alike(generated, tmp_path):
    """Each line one item (no quantity column): two identical lines are two items bought, and a shop export lost
    one of each pair as "the same line recorded twice". Kept unless drop_duplicates says otherwise; with a quantity
    column an identical line is still a double export."""
    df = (generated[0].assign(Amount=lambda d: d["Quantity"] * d["UnitPrice"])
          .drop(columns=["UnitPrice", "Quantity"]))
    df = pd.concat([df, df.iloc[:40]], ignore_index=True)  # 40 items bought twice in the same order
    path = tmp_path / "items.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, amount_col="Amount", quantity_col=None)
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    assert_same(theirs, ours)
    step = theirs[0]["duplicates"]
    assert step.rows_removed == 0 and step.description.startswith("Identical lines were kept: with no quantity column")
    told = _params(path, amount_col="Amount", quantity_col=None, drop_duplicates=True)
    assert run_pandas(df, told)[0]["duplicates"].rows_removed >= 40
    assert_same(run_pandas(df, told), run_duckdb(path, told, tmp_path))
    assert run_pandas(generated[0], _params(path))[0]["duplicates"].rows_removed > 0  # quantity column: dropped


def test_summary_lines_agree(generated, tmp_path):
    """An export's total lines ("Total", "Grand total:", one with a blank date) are removed alike, are no lost
    customer, and take nothing from the customers' spend."""
    df = plain = generated[0].astype({"CustomerID": "string"})
    totals = df.iloc[:3].copy()
    totals["CustomerID"] = ["Total", " GRAND TOTAL: ", "Total"]
    totals["Quantity"], totals["UnitPrice"] = 1, df["Quantity"].mul(df["UnitPrice"]).sum()
    totals.loc[totals.index[2], "InvoiceDate"] = pd.NaT
    df = pd.concat([df, totals], ignore_index=True)
    path = tmp_path / "totals.parquet"
    df.to_parquet(path, index=False)
    p = _params(path)
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    assert ours[0]["summary_lines"].rows_removed == 3
    assert ours[0]["summary_lines"].note == theirs[0]["summary_lines"].note == "3 lines: 'GRAND TOTAL:', 'Total'"
    lost = [run[0].to_frame().set_index("rule").loc["lost_customers", "note"] for run in (ours, run_pandas(plain, p))]
    assert "Total" not in ours[1].table.index and lost[0] == lost[1]
    assert_same(theirs, ours)


def test_a_total_line_labelled_in_the_first_column_is_removed_alike(tmp_path):
    """A till export's last line "Summe;;;;367,2" (the label in the date column, the customer blank) was removed by
    pandas and refused as a date by DuckDB."""
    quirk = ROOT / "tests" / "data" / "quirks" / "till_title_and_labelled_total"
    spec = yaml.safe_load(quirk.with_suffix(".yaml").read_text())
    raw = pd.read_csv(quirk.with_suffix(".csv"), sep=";", decimal=",", skiprows=2, dtype=str)  # the table, as text
    raw["Umsatz"] = raw["Umsatz"].str.replace(",", ".").astype(float)  # the engines read no decimal comma
    path = tmp_path / "till.parquet"
    raw.to_parquet(path, index=False)
    p = _params(path, **{**spec["params"], "date_format": "%d.%m.%Y"})
    theirs, ours = run_pandas(raw, p), run_duckdb(path, p, tmp_path)
    assert ours[0]["summary_lines"].note == theirs[0]["summary_lines"].note == "1 line: 'Summe'"
    assert_same(theirs, ours)


def test_the_customer_and_country_on_an_orders_first_line_fill_its_other_lines_alike(generated, tmp_path):
    """Shopify writes the e-mail and the country on an order's first line only: every engine gives the other lines
    the order's, and sets aside an order without any and a blank line of an order that names two customers."""
    df = generated[0].copy()
    df.loc[df["InvoiceNo"].duplicated(), ["CustomerID", "Country"]] = None  # on an order's first line only
    two = df["InvoiceNo"].astype(str).unique()[:3]  # orders that name two customers: their blank lines stay blank
    first = df.index[df["InvoiceNo"].astype(str).isin(two) & df["CustomerID"].notna()]
    df = pd.concat([df, df.loc[first].assign(CustomerID=99999.0, Quantity=7)], ignore_index=True)
    path = tmp_path / "orders.parquet"
    df.to_parquet(path, index=False)
    p = _params(path)
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    filled = ours[0].to_frame().set_index("rule").loc["order_customer"]
    assert filled["note"] == theirs[0].to_frame().set_index("rule").loc["order_customer", "note"]
    named = df.groupby(df["InvoiceNo"].astype(str))["CustomerID"].transform("count").gt(0)  # not a guest's order
    blank = df["CustomerID"].isna() & ~df.duplicated() & named
    ambiguous = blank & df["InvoiceNo"].astype(str).isin(two)
    assert filled["note"] == f"{counted(int((blank & ~ambiguous).sum()), 'lines')} given their order's customer"
    guests = int((df["CustomerID"].isna() & ~df.duplicated() & ~named).sum())
    assert ours[0]["missing_customer"].rows_removed == guests + int(ambiguous.sum()) and ambiguous.any()
    assert_same(theirs, ours)


@pytest.mark.parametrize("chosen", ["pandas", "duckdb"])
def test_the_check_of_a_big_input_samples_whole_orders(generated, tmp_path, monkeypatch, chosen):
    """A sample of single lines left out most orders' first lines, which hold the customer: segkit check warned that
    half the lines had no customer, which the cleaning (over every line) then filled. Samples keep orders whole."""
    from segkit import preflight

    df = generated[0].iloc[:40_000].copy()
    df = df[df["CustomerID"].notna()]
    df.loc[df["InvoiceNo"].duplicated(), "CustomerID"] = None  # on an order's first line only
    path = tmp_path / "orders.parquet"
    df.to_parquet(path, index=False)
    monkeypatch.setattr(preflight, "ENGINE_SAMPLE", 5_000)
    monkeypatch.setattr(preflight, "CHECK_ROWS", 5_000)
    info = preflight.preflight(_params(path, engine=chosen))
    assert info["engine"] == chosen and info["checked_rows"] < len(df)
    assert not [f for f in info["findings"] if f.column == "CustomerID"], info["findings"]
    sample = preflight._sample(df, ["InvoiceNo"], 42) if chosen == "pandas" else None
    if sample is not None:  # every order drawn is whole
        drawn = df[df["InvoiceNo"].isin(sample["InvoiceNo"])]
        assert len(drawn) == len(sample) and abs(len(sample) - 5_000) < 500


def test_dates_with_offsets_are_read_at_their_local_time_alike(tmp_path):
    """"2011-01-03T21:30:00-05:00" is an evening order of 3 January in pandas as in DuckDB (pandas read it in UTC, on
    4 January, while DuckDB kept the time written)."""
    path = ROOT / "tests" / "data" / "quirks" / "dates_iso_timezones.csv"
    p = _params(path)
    raw = source.load_input(p)
    theirs, ours = run_pandas(raw, p), run_duckdb(path, p, tmp_path)
    cleaned, _ = pipeline.clean_table(p, raw.copy())
    engine = pd.read_parquet(tmp_path / "clean.parquet")
    assert cleaned["date"].iloc[0] == engine["date"].min() == pd.Timestamp("2011-01-03 21:30")
    assert_same(theirs, ours)


def test_refunded_orders_agree(generated, tmp_path):
    """With a status column, the lines of refunded or voided orders are removed alike (any case, spaces around, the
    status on an order's first line only), and a status the params do not list ("partially_refunded") is kept."""
    df = generated[0].copy()
    invoices = df["InvoiceNo"].astype(str).unique()
    status = dict(zip(invoices, np.random.default_rng(3).choice(
        ["paid", "paid", "paid", " Refunded", "VOIDED", "partially_refunded"], len(invoices))))
    df["Financial Status"] = df["InvoiceNo"].astype(str).map(status)
    gone = df["Financial Status"].str.strip().str.lower().isin(["refunded", "voided"])
    df.loc[df["InvoiceNo"].duplicated(), "Financial Status"] = None  # on an order's first line only, as Shopify
    path = tmp_path / "status.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, status_col="Financial Status")
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    removed = ours[0].to_frame().set_index("rule").loc["cancelled_orders"]
    reached = ~df.duplicated() & df["CustomerID"].notna()  # the lines the rule sees
    assert removed["rows_removed"] == int((gone & reached).sum()) > 0
    assert removed["note"] == theirs[0].to_frame().set_index("rule").loc["cancelled_orders", "note"]
    assert_same(theirs, ours)


def refunded_in_part(df: pd.DataFrame, seed: int = 4) -> pd.DataFrame:
    """``df`` with Shopify's order fields on each order's first line: a status and the amount refunded, some refunds
    written with a minus sign, some above the order's amount, some of orders refunded whole."""
    rng = np.random.default_rng(seed)
    invoices = df["InvoiceNo"].astype(str)
    totals = (df["Quantity"] * df["UnitPrice"]).groupby(invoices).sum()
    share = rng.choice([0.0, 0.0, 0.3, -0.5, 2.0], len(totals))  # none, in part, in part (minus sign), above the order
    status = np.where(rng.random(len(totals)) < 0.1, "refunded", np.where(share != 0, "partially_refunded", "paid"))
    out = df.assign(**{"Financial Status": invoices.map(dict(zip(totals.index, status))),
                       "Refunded Amount": invoices.map(dict(zip(totals.index, (share * totals).round(2))))})
    first = ~invoices.duplicated()
    out.loc[~first, ["Financial Status", "Refunded Amount"]] = None
    return out


def test_refunds_agree(generated, tmp_path):
    """With a refund column, one refund line per kept order (the refund, any sign, at most the order's amount) is
    added and netted alike; the refunds of orders removed whole are not."""
    df = refunded_in_part(generated[0])
    path = tmp_path / "refunds.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, status_col="Financial Status", refund_col="Refunded Amount")
    theirs, ours = run_pandas(df, p), run_duckdb(path, p, tmp_path)
    step = ours[0]["refunds"]
    assert step.rows_netted > 0 and step.rows_after == step.rows_before + step.rows_netted and "cut to" in step.note
    assert step.note == theirs[0]["refunds"].note
    assert_same(theirs, ours)
    plain = run_pandas(df, _params(path, status_col="Financial Status"))[1].table["monetary"]
    assert (theirs[1].table["monetary"] <= plain + 1e-9).all() and (theirs[1].table["monetary"] < plain).any()


def test_raw_columns_named_status_and_refund_are_kept_by_either_engine(tmp_path):
    """Shopify-like columns literally named "status" and "refund" stay in the cleaned lines, in DuckDB as in pandas
    (the engine's own order fields are named apart from them); the refund lines have them empty."""
    raw = pd.read_csv(ROOT / "tests" / "data" / "quirks" / "refunded_in_part.csv", dtype={"InvoiceNo": str})
    raw = raw.rename(columns={"Financial Status": "status", "Refunded Amount": "refund"})
    path = tmp_path / "named.parquet"
    raw.to_parquet(path, index=False)
    p = _params(path, status_col="status", refund_col="refund")
    cleaned, _ = pipeline.clean_table(p, raw.copy())
    run_duckdb(path, p, tmp_path)
    ours = pd.read_parquet(tmp_path / "clean.parquet")
    assert list(ours.columns) == list(cleaned.columns) and {"status", "refund"} <= set(ours.columns)
    assert len(ours) == len(cleaned) == 37 and ours["refund"].isna().sum() == cleaned["refund"].isna().sum()


def test_csv_folder_and_glob_read_as_the_table(generated, tmp_path):
    df = generated[0]
    folder = tmp_path / "parts"
    folder.mkdir()
    df.iloc[:30_000].to_csv(folder / "a.csv", index=False)
    df.iloc[30_000:].to_csv(folder / "b.csv", index=False)
    p = _params(folder)
    expected = run_pandas(df, p)
    assert_same(expected, run_duckdb(folder, p, tmp_path))
    assert_same(expected, run_duckdb(str(folder / "*.csv"), _params(str(folder / "*.csv")), tmp_path))
    glob = _params(str(folder / "[ab].csv"))
    assert engine.choose(glob, KIND.module) == "pandas"  # 60,000 lines: a glob follows the size rule too
    assert_same(expected, run_pandas(load_input(glob), glob))  # pandas reads the glob's files as DuckDB does


@pytest.mark.slow
def test_same_segments_from_either_engine(retail, tmp_path):
    p, _ = load_params(ROOT / "params" / "smoke.yaml")
    segments = []
    for _, fs in (run_pandas(retail, p), run_duckdb(RETAIL, p, tmp_path)):
        _, k, _ = pipeline.select(p, pipeline.clustering_matrix(p, fs))
        segments.append(pipeline.fit_segments(p, fs, k).assignments)
    pd.testing.assert_frame_equal(*segments)


# ---------------------------------------------------------------------------------------------- choosing


def test_auto_picks_pandas_for_small_inputs_and_duckdb_above_the_threshold(generated, monkeypatch):
    p = _params(generated[1])
    assert engine.choose(p, KIND.module) == "pandas"
    monkeypatch.setattr(engine, "AUTO_ROWS", 59_999)
    assert engine.choose(p, KIND.module) == "duckdb"
    assert engine.choose(_params(generated[1], engine="pandas"), KIND.module) == "pandas"


def test_auto_estimates_text_files(generated, tmp_path):
    generated[0].to_csv(tmp_path / "t.csv", index=False)
    assert engine.input_rows(_params(tmp_path / "t.csv")) == pytest.approx(60_000, rel=0.1)
    assert engine.input_rows(_params("synth://transactions?rows=5000000")) == 5_000_000


def test_an_input_too_big_for_pandas_goes_to_duckdb_or_stops_with_the_estimate(generated, monkeypatch, tmp_path,
                                                                                   capsys):
    # 60,000 lines of about 85 bytes in Arrow: about 28 MB at pandas' peak (5.5 times); a "machine" of 20 MB
    monkeypatch.setattr(engine, "SIZE_CHECK_ROWS", 10_000)
    need = engine.pandas_need(_params(generated[1]), 60_000)
    assert 60_000 * 70 * engine.PANDAS_PEAK < need < 60_000 * 110 * engine.PANDAS_PEAK
    monkeypatch.setattr(engine, "machine_memory", lambda: 20 * 2**20)
    assert engine.choose(_params(generated[1]), KIND.module) == "duckdb"  # auto: out of core
    with pytest.raises(ParamsError) as err:
        engine.choose(_params(generated[1], engine="pandas"), KIND.module)
    text = str(err.value)
    assert re.search(r"the input has 60,000 lines: pandas would hold about 2\d MB at its peak, more than 80% of "
                     r"this machine's 20 MB", text), text
    assert "set engine: duckdb (or auto)" in text and err.value.key == "engine"
    params = tmp_path / "big.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'online_retail.yaml'}\ndata_path: {generated[1]}\n"
                      "engine: pandas\n", encoding="utf-8")
    assert main(["check", str(params)]) == 2  # before reading a line
    assert "pandas would hold about" in capsys.readouterr().err
    customers = params_from_mapping({"data_kind": "customers", "data_path": str(generated[1])})
    with pytest.raises(ParamsError, match="segment a sample of the rows.*runs in pandas only"):
        engine.choose(customers, kinds.get("customers").module)
    synth = _params("synth://transactions?rows=60000&seed=3", engine="pandas")
    with pytest.raises(ParamsError, match="the input has 60,000 lines"):
        engine.choose(synth, KIND.module)
    monkeypatch.setattr(engine, "machine_memory", lambda: 2**40)
    assert engine.choose(_params(generated[1], engine="pandas"), KIND.module) == "pandas"


def test_inputs_below_the_size_check_are_not_sized(generated, monkeypatch):
    def refuse(*args):
        raise AssertionError("a small input was sized")

    monkeypatch.setattr(ddb, "line_bytes", refuse)
    monkeypatch.setattr(engine, "machine_memory", lambda: 1)
    assert engine.choose(_params(generated[1], engine="pandas"), KIND.module) == "pandas"  # 60,000 < 1M lines
    assert engine.pandas_need(_params(generated[1]), None) is None


def test_a_uri_is_for_spark_alone_and_synth_is_not_a_uri():
    assert engine.is_uri("s3a://lake/sales/*.parquet") and engine.is_uri("HDFS://nn/sales")
    assert not engine.is_uri("synth://transactions?rows=5") and not engine.is_uri("C:/data/sales.csv")
    for asked in ("pandas", "duckdb", "auto"):  # refused before any reading, without Spark installed
        with pytest.raises(ParamsError, match="is a URI: only the spark engine reads those") as err:
            engine.choose(_params("s3a://lake/sales/*.parquet", engine=asked), KIND.module)
        assert err.value.key == "data_path"
    with pytest.raises(ParamsError, match="only the spark engine"):
        input_columns(_params("gs://lake/sales/", engine="pandas"))


@pytest.mark.parametrize("data_path", ["synth://customers?n=100", "x.xlsx"])
def test_duckdb_refuses_inputs_it_cannot_read(data_path):
    with pytest.raises(ParamsError, match="Fix:.*engine"):
        engine.choose(_params(data_path, engine="duckdb"), KIND.module)


def test_duckdb_refuses_a_kind_without_hooks():
    p = params_from_mapping({"data_kind": "customers", "data_path": str(RETAIL), "engine": "duckdb"})
    with pytest.raises(ParamsError, match="cannot run in the duckdb engine"):
        engine.choose(p, kinds.get("customers").module)
    assert engine.choose(p.model_copy(update={"engine": "auto"}), kinds.get("customers").module) == "pandas"


# ---------------------------------------------------------------------------------------------- bad input


def _bad(tmp_path, text: str, **values):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SegkitError) as err:
        run_duckdb(path, _params(path, **values), tmp_path)
    assert "Fix:" in str(err.value) and "duckdb." not in type(err.value).__module__
    return err.value


HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def test_text_in_a_number_column_is_a_column_error(tmp_path):
    err = _bad(tmp_path, HEADER + "1,A,x,2,2011-01-03 10:00,1.5,17850,UK\n2,A,x,lots,2011-01-03 10:00,1.5,17850,UK\n")
    assert isinstance(err, ColumnError) and "lots" in str(err) and err.key == "quantity_col"


def test_unreadable_dates_are_a_data_value_error(tmp_path):
    err = _bad(tmp_path, HEADER + "1,A,x,2,someday,1.5,17850,UK\n2,A,x,2,2011-01-03,1.5,17850,UK\n")
    assert isinstance(err, DataValueError) and "someday" in str(err) and "date_format" in str(err)


def test_a_missing_mapped_column_is_a_column_error(tmp_path):
    err = _bad(tmp_path, HEADER.replace("UnitPrice", "Price") + "1,A,x,2,2011-01-03 10:00,1.5,17850,UK\n")
    assert isinstance(err, ColumnError) and "price_col" in str(err)


def test_missing_input_and_snapshot_before_the_data(tmp_path, generated):
    with pytest.raises(DataFileError, match="does not exist.*Fix:"):
        ddb.source_sql(tmp_path / "nowhere.parquet")
    with pytest.raises(DataFileError, match="no CSV or Parquet file matches"):
        ddb.source_sql(str(tmp_path / "*.parquet"))
    with pytest.raises(DataValueError, match="snapshot_date 2011-01-01 is not after"):
        run_duckdb(generated[1], _params(generated[1], snapshot_date="2011-01-01"), tmp_path)


def test_a_corrupt_parquet_file_is_a_data_file_error(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(SegkitError, match="Fix:") as caught:
        run_duckdb(path, _params(path), tmp_path)
    assert isinstance(caught.value, (DataFileError, DataValueError))


def test_memory_limit_must_be_a_size():
    with pytest.raises(ParamsError, match="memory_limit"):
        ddb.connect(memory_limit="lots")


# ---------------------------------------------------------------------------------------------- the stages


def _stages(run_dir: Path, path, engine_name: str):
    from segkit import stages

    ctx = stages.open_run(run_dir, data_kind="transactions", data_path=str(path), engine=engine_name)
    raw = stages.eda.load(ctx)
    _, log = stages.eda.clean(ctx, raw)
    stages.eda.missing_figure(raw)
    return ctx, raw, log, stages.features.build_features(stages.open_run(run_dir))


def test_stages_01_and_02_follow_the_engine(generated, tmp_path):
    pandas_run = _stages(tmp_path / "p", generated[1], "pandas")
    duck_run = _stages(tmp_path / "d", generated[1], "duckdb")
    assert duck_run[0].folder.read_json("input.json")["engine"] == "duckdb"
    assert pandas_run[0].folder.read_json("input.json")["engine"] == "pandas"
    assert duck_run[0].folder.read_json("input.json")["rows"] == len(pandas_run[1]) == 60_000
    assert duck_run[1].attrs["engine_rows"] == 60_000  # the sample knows the whole input's size
    assert_same((pandas_run[2], pandas_run[3]), (duck_run[2], duck_run[3]))
    written = duck_run[0].folder.read_features().table
    assert written.index.equals(pandas_run[0].folder.read_features().table.index)


def test_a_generated_table_goes_to_duckdb_through_a_parquet_file(tmp_path):
    from segkit.source import engine_path

    uri = "synth://transactions?rows=3000&seed=4"
    p = _params(uri, engine="duckdb", temp_directory=str(tmp_path))
    assert engine.choose(p, KIND.module) == "duckdb"
    path = engine_path(p)
    assert Path(path).parent == tmp_path / "segkit-synth" and engine_path(p) == path  # written once
    pd.testing.assert_frame_equal(pd.read_parquet(path), generate_transactions(3000, seed=4))
    assert_same(run_pandas(generate_transactions(3000, seed=4), p), run_duckdb(path, p, tmp_path))


def test_the_engine_sample_is_seeded(generated):
    con = ddb.connect(memory_limit="1GB", threads=2)
    source = ddb.source_sql(generated[1])
    a, b = ddb.sample(con, source, 500, 7), ddb.sample(con, source, 500, 7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 500 and not a.equals(ddb.sample(con, source, 500, 8))
    assert len(ddb.sample(con, source, 10**6, 7)) == 60_000


def test_the_input_table_counts_every_line_when_the_page_sees_a_sample(generated, tmp_path, monkeypatch):
    from segkit import stages
    from segkit.stages import engine as in_engine

    monkeypatch.setattr(in_engine, "EDA_SAMPLE", 5_000)  # the page sees 5,000 of the 60,000 lines
    pandas_ctx = stages.open_run(tmp_path / "p", data_kind="transactions", data_path=str(generated[1]))
    duck_ctx = stages.open_run(tmp_path / "d", data_kind="transactions", data_path=str(generated[1]), engine="duckdb")
    whole, sample = stages.eda.load(pandas_ctx), stages.eda.load(duck_ctx)
    assert len(sample) == 5_000 and stages.eda.sample_note(whole) is None
    expected, shown = stages.eda.input_table(pandas_ctx, whole), stages.eda.input_table(duck_ctx, sample)
    assert shown["Values"].tolist() == expected["Values"].tolist() and "60,000" in expected["Values"].tolist()
    assert shown["Missing"].tolist() == expected["Missing"].tolist()
    assert "Distinct values (in the 5,000 sampled lines)" in shown.columns
    note = stages.eda.sample_note(sample).data
    assert "The input has 60,000 lines, read by the duckdb engine" in note and "random sample of 5,000 lines" in note


@pytest.mark.parametrize("text, summary", [
    ("Total", True), (" Grand total: ", True), ("Summe", True), ("Total geral", True), ("TOTAL GENERAL:", True),
    ("Totaal", True), ("Total général", True), ("Totale generale", True),
    ("Suma", False), ("Summa", False), ("Totale", False),  # given names and surnames too: a customer's id may be one
    ("Total Gym Ltd", False), ("TotalEnergies", False), ("Summit", False), ("SUM", False), ("12345", False),
])
def test_the_summary_words_of_exports_in_several_languages(text, summary):
    """A Brazilian shop export ended with "Total geral;...;R$ 22.821.845,67", counted as a line of the input."""
    from segkit.cleaning import is_summary_id

    assert is_summary_id(pd.Series([text, "C1"])).tolist() == [summary, False]
