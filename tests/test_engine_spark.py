"""The Spark engine gives the same run as pandas and DuckDB: cleaning counts, customers, features to the cent and
segments, on the bundled data and on generated data full of cancellations and duplicates; bad input and a bad
Spark setup give segkit errors (issue 13).

Spark runs in local mode (``local[2]``), one session for the whole module. The tests that need it skip, saying
why, only where Java 17 or pyspark is missing (``make test`` installs both where it can).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_engine_equivalence import HEADER, KIND, RETAIL, assert_same, refunded_in_part, run_duckdb, run_pandas

from segkit import cli, engine, kinds, pipeline, source
from segkit.config import load_params, params_from_mapping
from segkit.engine import spark as sp
from segkit.preflight import ENGINE_SAMPLE, _engine_sample
from segkit.source import input_columns
from segkit.errors import ColumnError, DataFileError, DataValueError, DependencyError, ParamsError, SegkitError

MASTER = "local[2]"


def _params(path, **values):
    return params_from_mapping({"data_kind": "transactions", "data_path": str(path), "engine": "spark",
                                "spark_master": MASTER, **values})


def _why_no_spark() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'segkit[spark]'; make test installs it)"
    try:
        sp.check_java()
    except DependencyError as exc:
        return f"no Java 17 here ({exc.problem}); make test installs openjdk-17-jre-headless where it can"
    return None


@pytest.fixture(scope="module")
def spark():
    why = _why_no_spark()
    if why:
        pytest.skip(why)
    session = sp.connect(MASTER)
    yield session
    sp.stop()


def run_spark(path, p, tmp_path: Path):
    with sp.session(p) as eng:
        log = KIND.module.spark_clean(eng, sp.source(eng, path), p, tmp_path / "clean.parquet")
        fs = KIND.module.spark_features(eng, sp.source(eng, tmp_path / "clean.parquet"), p)
    return log, fs


def _smoke():
    p, _ = load_params(Path(__file__).resolve().parents[1] / "params" / "smoke.yaml")
    return p.model_copy(update={"engine": "spark", "spark_master": MASTER})


@pytest.fixture(scope="module")
def retail_runs(spark, retail, tmp_path_factory):
    """The bundled data through each engine once (``params/smoke.yaml``: the default run's cleaning and features)."""
    tmp, p = tmp_path_factory.mktemp("retail"), _smoke()
    return {"pandas": run_pandas(retail, p), "duckdb": run_duckdb(RETAIL, p, tmp_path_factory.mktemp("duckdb")),
            "spark": run_spark(RETAIL, p, tmp), "clean": tmp / "clean.parquet"}


def test_bundled_data_three_engines_agree(retail_runs):
    log, fs = retail_runs["spark"]
    assert log["duplicates"].rows_removed == 5268 and len(fs.table) == 4334
    assert_same(retail_runs["pandas"], retail_runs["spark"])
    assert_same(retail_runs["duckdb"], retail_runs["spark"])


def test_clean_parquet_written_by_spark_has_the_pandas_lines(retail_runs, retail):
    cleaned, _ = pipeline.clean_table(_smoke(), retail.copy())
    ours = pd.read_parquet(retail_runs["clean"])
    assert list(ours.columns) == list(cleaned.columns)  # Quantity beside quantity: the names keep their case
    assert not list(retail_runs["clean"].parent.glob(".clean.parquet.spark-*"))  # part files put together, then gone
    key = ["customer_id", "invoice_id", "stock_code", "date", "quantity", "price"]
    a, b = cleaned.sort_values(key).reset_index(drop=True), ours.sort_values(key).reset_index(drop=True)
    for col in ("customer_id", "invoice_id", "quantity", "is_cancellation", "stock_code", "country"):
        assert (a[col].astype(str) == b[col].astype(str)).all(), col
    assert (a["date"] == b["date"]).all() and sorted(a["Description"]) == sorted(b["Description"])
    pd.testing.assert_series_equal(a["amount"], b["amount"], check_exact=False, atol=1e-9)


def test_generated_data_with_cancellations_and_duplicates(spark, generated, tmp_path):
    df, path = generated
    p = _params(path)
    log, fs = run_spark(path, p, tmp_path)
    assert log["duplicates"].rows_removed > 0 and log["cancellations"].rows_netted > 0
    assert log["non_product"].rows_removed > 0 and log["non_positive_price"].rows_removed > 0
    assert_same(run_pandas(df, p), (log, fs))
    assert_same(run_duckdb(path, p, tmp_path), (log, fs))


@pytest.mark.parametrize("values", [
    {"drop_duplicates": False, "non_product_codes": ["POST", "2000*"], "cancellation_prefix": "X"},
    {"invoice_col": None, "snapshot_date": "2012-01-31"},
    {"stock_code_col": None, "country_col": None, "features": ["recency", "frequency", "monetary", "tenure"]},
], ids=["duplicates-kept-codes-prefix", "no-invoice-snapshot", "no-codes-no-country"])
def test_params_variants_agree(spark, generated, tmp_path, values):
    df, path = generated
    p = _params(path, **values)
    assert_same(run_pandas(df, p), run_spark(path, p, tmp_path))


def test_amount_column_future_dates_and_text_dates_agree(spark, generated, tmp_path):
    df = generated[0].assign(Amount=lambda d: d["Quantity"] * d["UnitPrice"]).drop(columns="UnitPrice")
    df.loc[df.index[:7], "InvoiceDate"] = pd.Timestamp("2099-01-01")
    path = tmp_path / "amount.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, amount_col="Amount")
    ours = run_spark(path, p, tmp_path)
    assert ours[0]["future_dates"].rows_removed == 7
    assert_same(run_pandas(df, p), ours)
    text = generated[0].iloc[:5000].assign(InvoiceDate=lambda d: d["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M"))
    text.to_csv(tmp_path / "dayfirst.csv", index=False)
    p = _params(tmp_path / "dayfirst.csv", date_format="%d/%m/%Y %H:%M")
    assert_same(run_pandas(pd.read_csv(tmp_path / "dayfirst.csv"), p), run_spark(tmp_path / "dayfirst.csv", p, tmp_path))


def test_dates_with_offsets_are_read_at_their_local_time_by_every_engine(spark, tmp_path):
    """"2011-01-03T21:30:00-05:00" (and Shopify's "2023-02-23 20:33:00 -0500") is read at the time written: Spark's
    CSV inference made it 02:30 UTC the next day, DuckDB's too for the ISO form only."""
    quirk = Path(__file__).parent / "data" / "quirks" / "dates_iso_timezones.csv"
    shopify = pd.read_csv(quirk, dtype=str).assign(
        InvoiceDate=lambda d: pd.to_datetime(d["InvoiceDate"].str[:19]).dt.strftime("%Y-%m-%d %H:%M:%S -0500"))
    shopify.to_csv(tmp_path / "shopify.csv", index=False)
    for path in (quirk, tmp_path / "shopify.csv"):
        p = _params(path)
        raw = source.load_input(p)
        ours = run_spark(path, p, tmp_path)
        assert pd.read_parquet(tmp_path / "clean.parquet")["date"].min() == pd.Timestamp("2011-01-03 21:30")
        assert_same(run_pandas(raw, p), ours)
        (tmp_path / "duckdb").mkdir(exist_ok=True)
        assert_same(run_duckdb(path, p, tmp_path / "duckdb"), ours)


def test_the_customer_and_country_on_an_orders_first_line_fill_its_other_lines_in_spark(spark, generated, tmp_path):
    """Shopify's e-mail and billing country on an order's first line only: Spark fills the other lines as pandas."""
    df = generated[0].iloc[:20_000].copy()
    df.loc[df["InvoiceNo"].duplicated(), ["CustomerID", "Country"]] = None
    path = tmp_path / "orders.parquet"
    df.to_parquet(path, index=False)
    p = _params(path)
    theirs, ours = run_pandas(df, p), run_spark(path, p, tmp_path)
    assert ours[0]["order_customer"].note == theirs[0]["order_customer"].note != ""
    assert_same(theirs, ours)


def test_summary_lines_and_refunded_orders_agree(spark, generated, tmp_path):
    """An export's 'Total' line and the lines of refunded orders (status on each order's first line) are removed in
    Spark as in pandas."""
    df = generated[0].astype({"CustomerID": "string"})
    refunded = set(df["InvoiceNo"].astype(str).unique()[::7])
    df["Status"] = np.where(df["InvoiceNo"].astype(str).isin(refunded), "Refunded", "paid")
    df.loc[df["InvoiceNo"].duplicated(), "Status"] = None
    df.loc[df.index[-1], "CustomerID"] = "Grand total:"
    path = tmp_path / "status.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, status_col="Status")
    ours = run_spark(path, p, tmp_path)
    assert ours[0]["cancelled_orders"].rows_removed > 0 and ours[0]["summary_lines"].rows_removed == 1
    assert_same(run_pandas(df, p), ours)


def test_email_ids_in_two_cases_agree(spark, generated, tmp_path):
    """E-mail ids written in two cases are one customer in Spark as in pandas, with the same cleaning step."""
    df = generated[0].copy()
    ids = df["CustomerID"].astype("Int64").astype("string")
    df["CustomerID"] = ("Client." + ids + "@Example.com").where(ids.notna())
    df.loc[df.index % 2 == 0, "CustomerID"] = df.loc[df.index % 2 == 0, "CustomerID"].str.lower()
    path = tmp_path / "mails.parquet"
    df.to_parquet(path, index=False)
    p = _params(path)
    ours, theirs = run_spark(path, p, tmp_path), run_pandas(df, p)
    assert ours[0]["email_case"].note == theirs[0]["email_case"].note  # the count and the pair of spellings
    assert_same(theirs, ours)


def test_refunds_agree(spark, generated, tmp_path):
    """Refunds of orders kept become one netted line per order in Spark as in pandas."""
    df = refunded_in_part(generated[0])
    path = tmp_path / "refunds.parquet"
    df.to_parquet(path, index=False)
    p = _params(path, status_col="Financial Status", refund_col="Refunded Amount")
    ours = run_spark(path, p, tmp_path)
    assert ours[0]["refunds"].rows_netted > 0
    assert_same(run_pandas(df, p), ours)


def test_csv_folder_and_glob_read_as_the_table(spark, generated, tmp_path):
    df = generated[0]
    folder = tmp_path / "parts"
    folder.mkdir()
    df.iloc[:30_000].to_csv(folder / "a.csv", index=False)
    df.iloc[30_000:, ::-1].to_csv(folder / "b.csv", index=False)  # the same columns in another order
    expected = run_pandas(df, _params(folder))
    assert_same(expected, run_spark(folder, _params(folder), tmp_path))
    glob = str(folder / "*.csv")
    assert_same(expected, run_spark(glob, _params(glob), tmp_path))


def test_a_uri_is_read_by_spark_alone_as_the_same_table(spark, generated, tmp_path):
    # file:// stands in for s3a:// or hdfs://: storage segkit does not list or open itself, only Spark reads it
    df, path = generated
    folder = tmp_path / "lake"
    folder.mkdir()
    shutil.copy(path, folder / "part-0.parquet")
    uri = (folder.resolve() / "*.parquet").as_uri().replace("%2A", "*")
    p = _params(uri)
    assert engine.is_uri(uri) and engine.choose(p, KIND.module) == "spark"
    assert input_columns(p) == list(df.columns)
    assert_same(run_pandas(df, _params(path)), run_spark(uri, p, tmp_path))
    sample, rows = _engine_sample(p.model_copy(update={"seed": 3}))  # what segkit check looks at
    assert rows == len(df) and len(sample) == min(len(df), ENGINE_SAMPLE) and list(sample.columns) == list(df.columns)
    for other in ("pandas", "duckdb", "auto"):
        with pytest.raises(ParamsError, match="is a URI: only the spark engine reads those") as err:
            engine.choose(_params(uri, engine=other), KIND.module)
        assert err.value.key == "data_path" and "set engine: spark" in str(err.value)
    with pytest.raises(ParamsError, match="only the spark engine"):
        input_columns(_params("s3a://sales/2025/*.parquet", engine="pandas"))
    with sp.session(p) as eng, pytest.raises(DataFileError, match="is text: Spark reads a URI as Parquet"):
        sp.source(eng, "hdfs://namenode/sales/day-1.csv")


@pytest.mark.slow
def test_same_segments_from_every_engine(retail_runs):
    p, segments = _smoke(), []
    for name in ("pandas", "duckdb", "spark"):
        fs = retail_runs[name][1]
        _, k, _ = pipeline.select(p, pipeline.clustering_matrix(p, fs))
        segments.append(pipeline.fit_segments(p, fs, k).assignments)
    pd.testing.assert_frame_equal(segments[0], segments[1])
    pd.testing.assert_frame_equal(segments[0], segments[2])


def _stages(run_dir: Path, path, engine_name: str):
    from segkit import stages

    ctx = stages.open_run(run_dir, data_kind="transactions", data_path=str(path), engine=engine_name,
                          spark_master=MASTER)
    raw = stages.eda.load(ctx)
    _, log = stages.eda.clean(ctx, raw)
    stages.eda.missing_figure(raw)
    return ctx, raw, log, stages.features.build_features(stages.open_run(run_dir))


def test_stages_01_and_02_follow_the_spark_engine(spark, generated, tmp_path):
    pandas_run = _stages(tmp_path / "p", generated[1], "pandas")
    ctx, raw, log, fs = _stages(tmp_path / "s", generated[1], "spark")
    record = ctx.folder.read_json("input.json")
    assert record["engine"] == "spark" and record["rows"] == 60_000 and record["content_hash"].startswith("rows-xor-spark:")
    assert raw.attrs["engine_rows"] == 60_000 and sum(record["missing"].values()) == int(pandas_run[1].isna().sum().sum())
    assert_same((pandas_run[2], pandas_run[3]), (log, fs))
    assert ctx.folder.read_features().table.index.equals(pandas_run[0].folder.read_features().table.index)
    assert not ctx.folder.has("features_all.parquet") and "driver_sample" not in fs.extra  # all fit the driver


def test_the_spark_sample_is_seeded(spark, generated):
    p = _params(generated[1])
    with sp.session(p) as eng:
        source = sp.source(eng, generated[1])
        a, b = sp.sample(eng, source, 500, 7), sp.sample(eng, source, 500, 7)
        other, everything = sp.sample(eng, source, 500, 8), sp.sample(eng, source, 10**6, 7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 500 and not a.equals(other) and len(everything) == 60_000


# ---------------------------------------------------------------------------------- more customers than the driver


SAMPLE = 50  # driver_max_customers of these tests: about a third of the generated customers


@pytest.fixture(scope="module")
def big_run(spark, tmp_path_factory):
    """6,000 generated lines (164 customers) through 01, 02 and 05 with the spark engine and driver_max_customers 50,
    and every customer's features from the pandas path."""
    from segkit import stages
    from segkit.kinds.transactions.synth import generate_transactions

    tmp = tmp_path_factory.mktemp("big")
    df = generate_transactions(6_000, seed=3)
    df.to_parquet(tmp / "lines.parquet", index=False)
    values = {"data_kind": "transactions", "data_path": str(tmp / "lines.parquet"), "engine": "spark",
              "spark_master": MASTER, "driver_max_customers": SAMPLE, "k": 3}
    ctx = stages.open_run(tmp / "run", **values)
    stages.eda.clean(ctx, stages.eda.load(ctx))
    fs = stages.features.build_features(ctx)
    seg = stages.profile.segment(ctx, fs)
    everyone = run_pandas(df, _params(tmp / "lines.parquet"))[1].table
    return {"ctx": ctx, "fs": fs, "seg": seg, "everyone": everyone,
            "all": pd.read_parquet(ctx.folder.artifact("segments.parquet"))}


def _sampled_features(ctx, seed: int, out: Path):
    p = ctx.params.model_copy(update={"seed": seed})
    with sp.session(p) as eng:
        return KIND.module.spark_features(eng, sp.source(eng, ctx.folder.artifact("clean.parquet")), p, out).table


def test_the_driver_gets_a_seeded_sample_of_the_customers(big_run, tmp_path):
    ctx, everyone = big_run["ctx"], big_run["everyone"]
    a, b = _sampled_features(ctx, 42, tmp_path / "a.parquet"), _sampled_features(ctx, 42, tmp_path / "b.parquet")
    other = _sampled_features(ctx, 7, tmp_path / "c.parquet")
    assert a.index.equals(b.index) and a.index.equals(big_run["fs"].table.index)  # the run's sample: seed 42
    assert len(a) == len(other) == SAMPLE and len(a.index.intersection(other.index)) < SAMPLE
    assert a.index.is_monotonic_increasing and a.attrs["entities_total"] == len(everyone) == 164
    written = pd.read_parquet(tmp_path / "a.parquet").set_index("customer_id")
    for table in (a, written):  # the sample and every customer's features: those of the pandas path, to the cent
        expected = everyone.loc[table.index]
        assert list(table.columns) == list(expected.columns) and table.dtypes.equals(expected.dtypes)
        pd.testing.assert_frame_equal(table.drop(columns="country"), expected.drop(columns="country"),
                                      check_exact=False, atol=0.005)
    assert written.index.equals(everyone.index)
    assert "random sample of 50 of them" in big_run["fs"].notes[-1] and "164 customers" in big_run["fs"].notes[-1]


def test_every_customer_is_assigned_once_and_counted(big_run):
    from segkit import stages

    ctx, every, everyone = big_run["ctx"], big_run["all"], big_run["everyone"]
    assert list(every.columns) == ["customer_id", "segment_code", "segment_name", "distance_to_centre"]
    assert every["customer_id"].is_unique and sorted(every["customer_id"]) == sorted(everyone.index)
    sizes = ctx.folder.read_json("segments_all.json")
    counted = every["segment_code"].value_counts()
    assert sizes["n_entities"] == sum(s["size"] for s in sizes["segments"]) == 164 and sizes["sample"] == SAMPLE
    assert {s["code"]: s["size"] for s in sizes["segments"]} == counted.to_dict() and len(counted) == 3
    note = stages.profile.all_entities_note(big_run["seg"]).data
    assert "random sample of 50 of the 164 customers" in note and "by the spark engine" in note


def test_the_sampled_customers_keep_their_segments(big_run):
    ctx = big_run["ctx"]
    run = pd.read_csv(ctx.folder.artifact("segments.csv"), dtype={"customer_id": str})
    both = run.merge(big_run["all"], on="customer_id", suffixes=("", "_spark"))
    assert len(both) == len(run) == SAMPLE
    assert (both["segment_code"] == both["segment_code_spark"]).all()
    assert (both["segment_name"] == both["segment_name_spark"]).all()
    np.testing.assert_allclose(both["distance_to_centre"], both["distance_to_centre_spark"], rtol=1e-5)
    assert ctx.folder.read_json("segments_all.json")["sample_agreement"] == 1.0


def test_the_spark_assignment_is_the_model_applied_in_pandas(big_run):
    ctx, seg = big_run["ctx"], big_run["seg"]
    table = pd.read_parquet(ctx.folder.artifact("features_all.parquet")).set_index("customer_id")
    labels, distances, _ = seg.model.assign(table)
    every = big_run["all"].set_index("customer_id").loc[table.index]
    assert every["segment_code"].tolist() == [seg.profile.codes[s] for s in labels]
    np.testing.assert_allclose(every["distance_to_centre"], distances[np.arange(len(labels)), labels], atol=1e-6)


def test_churn_and_value_read_the_lines_of_the_sampled_customers(big_run):
    from segkit.engine import duckdb as ddb
    from segkit.stages import engine as in_engine

    ctx = big_run["ctx"]
    with ddb.session(ctx.params) as con:
        ids = ddb.query(con, f"SELECT DISTINCT customer_id FROM {in_engine.duckdb_lines(ctx)}").fetchall()
        lines = ddb.query(con, f"SELECT count(*) FROM {in_engine.duckdb_lines(ctx)}").fetchone()[0]
        every = ddb.query(con, f"SELECT count(*) FROM {ddb.source_sql(ctx.folder.artifact('clean.parquet'))}"
                          ).fetchone()[0]
    assert sorted(i for (i,) in ids) == sorted(big_run["fs"].table.index) and 0 < lines < every


def test_an_executor_python_without_a_module_is_a_dependency_error(big_run):
    def needs_a_missing_module(rows):  # nested: pickled by value, so the executors need not import this file
        import segkit_not_installed  # noqa: F401  (what an executor without segkit meets)

    ctx = big_run["ctx"]
    with sp.session(ctx.params) as eng:
        view = sp.map_parquet(eng, ctx.folder.artifact("features_all.parquet"), needs_a_missing_module,
                              "customer_id STRING", "assigning every entity")
        with pytest.raises(DependencyError, match="assigning every entity.*segkit_not_installed.*Fix:.*PYSPARK_PYTHON"):
            eng.rows(f"SELECT * FROM {view}", "assigning every entity")


def test_the_pages_count_every_customer_and_say_what_the_sample_measures(big_run):
    import re

    from segkit import stages
    from segkit.report.index import _all_entities_note, _all_sizes, _counted_over_all

    ctx, seg = big_run["ctx"], big_run["seg"]
    sizes = _all_sizes(ctx.folder.path)
    text = _all_entities_note(sizes, "customers")
    assert "random sample of 50 of the 164 customers" in text and "segments.parquet" in text
    assert "The customers and shares above count all 164 of them" in text
    assert _all_sizes(ctx.folder.path.parent) is None and _all_entities_note(None, "customers") == ""  # no such file
    summary = ctx.folder.read_json("segments_summary.json")
    counted = _counted_over_all(summary, sizes)
    assert sum(s["size"] for s in summary["segments"]) == 50 and sum(s["size"] for s in counted["segments"]) == 164
    assigned = big_run["all"]["segment_code"].value_counts().to_dict()
    assert {s["code"]: s["size"] for s in counted["segments"]} == assigned
    # 05's cards count every customer too, and its note says which numbers describe the sample
    cards = stages.profile.cards(seg).data
    shown = [int(n.replace(",", "")) for n in re.findall(r'class="sk-size">([\d,]+) customers', cards)]
    assert sorted(shown) == sorted(s["size"] for s in counted["segments"])
    assert "The cards and the sizes below count all 164 customers" in stages.profile.all_entities_note(seg).data


# ---------------------------------------------------------------------------------------------- bad input


def _bad(tmp_path, text: str, **values):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SegkitError) as err:
        run_spark(path, _params(path, **values), tmp_path)
    assert "Fix:" in str(err.value) and "py4j" not in str(err.value)
    return err.value


def test_text_in_a_number_column_is_a_column_error(spark, tmp_path):
    err = _bad(tmp_path, HEADER + "1,A,x,2,2011-01-03 10:00,1.5,17850,UK\n2,A,x,lots,2011-01-03 10:00,1.5,17850,UK\n")
    assert isinstance(err, ColumnError) and "lots" in str(err) and err.key == "quantity_col"


def test_unreadable_dates_and_a_missing_column(spark, tmp_path):
    err = _bad(tmp_path, HEADER + "1,A,x,2,someday,1.5,17850,UK\n2,A,x,2,2011-01-03,1.5,17850,UK\n")
    assert isinstance(err, DataValueError) and "someday" in str(err) and "spark engine" in str(err)
    err = _bad(tmp_path, HEADER.replace("UnitPrice", "Price") + "1,A,x,2,2011-01-03 10:00,1.5,17850,UK\n")
    assert isinstance(err, ColumnError) and "price_col" in str(err)


def test_a_corrupt_parquet_file_is_a_data_file_error(spark, tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(DataFileError, match="could not be read by Spark.*Fix:"):
        run_spark(path, _params(path), tmp_path)


def test_snapshot_before_the_data(spark, generated, tmp_path):
    with pytest.raises(DataValueError, match="snapshot_date 2011-01-01 is not after"):
        run_spark(generated[1], _params(generated[1], snapshot_date="2011-01-01"), tmp_path)


# ---------------------------------------------------------------------------------------------- setup (no Spark)


def test_no_java_is_a_dependency_error_naming_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(DependencyError, match="JAVA_HOME=.* has no bin/java.*Fix: install Java 17.*openjdk-17-jre"):
        sp.check_java()
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DependencyError, match="no java on the PATH"):
        sp.check_java()
    old = tmp_path / "bin" / "java"
    old.parent.mkdir()
    old.write_text('#!/bin/sh\necho \'java version "1.8.0_392"\' >&2\n')
    old.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(DependencyError, match="is Java 8"):
        sp.check_java()


def test_segkit_check_stops_without_java_with_exit_2(monkeypatch, tmp_path, capsys):
    pytest.importorskip("pyspark", reason="without pyspark, segkit check stops at pyspark first")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    params = tmp_path / "p.yaml"
    params.write_text(f"data_path: {RETAIL}\nengine: spark\n")
    assert cli.main(["check", str(params)]) == 2
    assert "needs Java 17" in capsys.readouterr().err


def test_no_pyspark_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    monkeypatch.setattr(sp, "_current", {})
    with pytest.raises(DependencyError, match=r"needs pyspark.*Fix: pip install 'segkit\[spark\]'"):
        sp.connect("local[1]")


def test_a_bad_master_url_stops_at_the_params_with_exit_2(tmp_path, capsys):
    with pytest.raises(ParamsError, match="spark_master.*not a Spark master URL"):
        _params(RETAIL, spark_master="spark//host")
    with pytest.raises(ParamsError, match="not a Spark master URL"):
        sp.connect("localhost")
    params = tmp_path / "p.yaml"
    params.write_text(f"data_path: {RETAIL}\nengine: spark\nspark_master: cluster-1\n")
    assert cli.main(["check", str(params)]) == 2
    assert "spark_master" in capsys.readouterr().err


def test_spark_settings_keep_what_the_sql_needs():
    conf = sp._settings("local[2]", {"spark.sql.timestampType": "TIMESTAMP_LTZ", "spark.driver.memory": "3g",
                                      "spark.sql.adaptive.enabled": False})
    assert conf["spark.sql.timestampType"] == "TIMESTAMP_NTZ" and conf["spark.driver.memory"] == "3g"
    assert conf["spark.sql.adaptive.enabled"] == "false" and "log4j2" in conf["spark.driver.extraJavaOptions"]
    assert "spark.driver.memory" not in sp._settings("yarn", None)  # a cluster's own defaults stand


def test_a_local_session_is_sized_for_the_machine_and_the_input(monkeypatch):
    monkeypatch.setattr(engine, "machine_memory", lambda: 24 * 2**30)
    small, big = sp._settings("local[2]", None, 541_909), sp._settings("local[2]", None, 100_000_000)
    assert small["spark.sql.shuffle.partitions"] == "8" and big["spark.sql.shuffle.partitions"] == "40"
    assert small["spark.driver.memory"] == big["spark.driver.memory"] == "6g"  # a quarter of 24 GB
    monkeypatch.setattr(engine, "machine_memory", lambda: 4 * 2**30)
    assert sp._settings("local[*]", None)["spark.driver.memory"] == "2g"  # never less than 2 GB
    monkeypatch.setattr(engine, "machine_memory", lambda: 256 * 2**30)
    assert sp._settings("local[*]", {"spark.driver.memory": "40g"}, 10)["spark.driver.memory"] == "40g"
    assert sp._settings("local[*]", None)["spark.driver.memory"] == "16g"


def test_strptime_formats_become_spark_patterns():
    assert sp.java_pattern("%d/%m/%Y %H:%M") == "dd/MM/yyyy HH:mm"
    assert sp.java_pattern("%Y-%m-%dT%H:%M:%S.%f") == "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"
    with pytest.raises(ParamsError, match="date_format.*%U"):
        sp.java_pattern("%Y week %U")


def test_choosing_spark(generated):
    assert engine.choose(_params(generated[1]), KIND.module) == "spark"
    assert engine.choose(_params(generated[1], engine="auto"), KIND.module) == "pandas"  # auto never picks a cluster
    assert engine.choose(_params("synth://transactions?rows=100"), KIND.module) == "spark"
    for path in ("synth://customers?n=100", "x.xlsx"):
        with pytest.raises(ParamsError, match="spark engine reads Parquet or CSV"):
            engine.choose(_params(path), KIND.module)
    p = params_from_mapping({"data_kind": "customers", "data_path": str(RETAIL), "engine": "spark"})
    with pytest.raises(ParamsError, match="cannot run in the spark engine"):
        engine.choose(p, kinds.get("customers").module)
