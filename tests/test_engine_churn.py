"""08_churn and 10_value in the duckdb engine give the pandas data sets: the same cutoff, customers, features before it (to the
cent), outcomes, features at the last date, purchase summaries and errors, on the bundled and generated data; and the
engine's seeded sample (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import kinds, pipeline
from segkit.config import params_from_mapping
from segkit.engine import duckdb as ddb
from segkit.errors import DataValueError
from segkit.kinds.transactions import churn
from segkit.kinds.transactions.features import behaviour_features
from segkit.kinds.transactions.synth import generate_transactions

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT / "data" / "online_retail.parquet"
KIND = kinds.get("transactions")


def _params(path, **values):
    return params_from_mapping({"data_kind": "transactions", "data_path": str(path), **values})


def _same_features(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a.index.equals(b.index), "not the same customers"
    assert list(a.columns) == list(b.columns) and a.attrs == b.attrs
    for col in a.columns:
        if col == "country":
            assert a[col].equals(b[col])
        else:
            np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=0, atol=0.005, err_msg=col)


def _both(raw: pd.DataFrame, path, tmp_path: Path, **values):
    p = _params(path, **values)
    cleaned, _ = pipeline.clean_table(p, raw.copy())
    in_pandas = churn.churn_dataset(cleaned, cutoff=p.churn_cutoff, horizon_days=p.churn_horizon_days)
    with ddb.session(p) as con:
        KIND.module.engine_clean(con, ddb.source_sql(str(path)), p, tmp_path / "clean.parquet")
        in_duckdb = KIND.module.engine_churn(con, ddb.source_sql(tmp_path / "clean.parquet"), p)
    return cleaned, in_pandas, in_duckdb


@pytest.mark.parametrize("values", [{}, {"churn_cutoff": "2011-06-01", "churn_horizon_days": 60}])
def test_bundled_data_same_churn_data_set(tmp_path, values):
    cleaned, a, b = _both(pd.read_parquet(RETAIL), RETAIL, tmp_path, **values)
    assert (a.cutoff, a.horizon_days, a.last_date) == (b.cutoff, b.horizon_days, b.last_date)
    _same_features(a.features, b.features)
    pd.testing.assert_series_equal(a.churned, b.churned)
    _same_features(behaviour_features(cleaned), b.current)
    assert 0.2 < b.rate < 0.8


def test_generated_data_with_cancellations_same_churn_data_set(generated, tmp_path):
    raw, path = generated
    cleaned, a, b = _both(raw, path, tmp_path, customer_col="CustomerID")
    _same_features(a.features, b.features)
    pd.testing.assert_series_equal(a.churned, b.churned)
    _same_features(behaviour_features(cleaned), b.current)


def test_scores_from_engine_features_equal_the_pandas_scores(tmp_path):
    cleaned, a, b = _both(pd.read_parquet(RETAIL), RETAIL, tmp_path)
    from_lines = churn.refit_and_score(a, cleaned, seed=0, threshold=0.5)
    from_engine = churn.refit_and_score(b, current=b.current, seed=0, threshold=0.5)
    pd.testing.assert_frame_equal(from_lines.table, from_engine.table, atol=1e-9)


@pytest.mark.parametrize("cutoff, words", [("2012-06-01", "runs past the last purchase"),
                                           ("2010-01-01", "no transaction is dated before the churn cutoff")])
def test_a_bad_cutoff_is_the_same_error_in_either_engine(tmp_path, cutoff, words):
    p = _params(RETAIL, churn_cutoff=cutoff)
    with pytest.raises(DataValueError, match=words) as in_pandas:
        churn.churn_dataset(pipeline.clean_table(p, pd.read_parquet(RETAIL))[0], cutoff=cutoff)
    with ddb.session(p) as con:
        KIND.module.engine_clean(con, ddb.source_sql(str(RETAIL)), p, tmp_path / "clean.parquet")
        with pytest.raises(DataValueError, match=words) as in_duckdb:
            KIND.module.engine_churn(con, ddb.source_sql(tmp_path / "clean.parquet"), p)
    assert str(in_pandas.value) == str(in_duckdb.value) and in_duckdb.value.key == "churn_cutoff"


@pytest.mark.parametrize("values", [{}, {"clv_calibration_end": "2011-08-31"}])
def test_value_data_from_engine_equals_pandas(tmp_path, values):
    from segkit.kinds.transactions import lifetime

    p = _params(RETAIL, **values)
    cleaned, _ = pipeline.clean_table(p, pd.read_parquet(RETAIL))
    a = lifetime.value_data(cleaned, calibration_end=p.clv_calibration_end, churn_cutoff=p.churn_cutoff,
                            churn_horizon_days=p.churn_horizon_days)
    with ddb.session(p) as con:
        KIND.module.engine_clean(con, ddb.source_sql(str(RETAIL)), p, tmp_path / "clean.parquet")
        b = KIND.module.engine_value(con, ddb.source_sql(tmp_path / "clean.parquet"), p)
    assert (a.unit, a.first_day, a.calibration_end, a.last_day, a.lines, a.other_lines) == \
           (b.unit, b.first_day, b.calibration_end, b.last_day, b.lines, b.other_lines)
    assert a.other_lines > 0  # the returns the cleaning keeps, netted
    assert (a.full["kept_share"] < 1).sum() > 1000 and (a.full["kept_share"] == 0).any()
    for part in ("calibration", "full"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=False, atol=1e-6)
    assert len(b.full) > 4000 and a.describe() == b.describe()


def test_the_engine_sample_filtered_by_hash_is_the_full_sort(tmp_path):
    """ddb.sample sorts only the lines with the lowest hashes: the same lines as sorting all of them."""
    raw = generate_transactions(20_000, seed=3)
    path = tmp_path / "lines.parquet"
    raw.to_parquet(path, index=False)
    con = ddb.connect()
    source = ddb.source_sql(str(path))
    cols = ", ".join(ddb.quote(c) for c in ddb.column_types(con, source))
    for rows in (1, 500, 9_000, 25_000):
        full = con.execute(f"SELECT * FROM {source} ORDER BY hash({cols}, 7) LIMIT {rows}").df()
        pd.testing.assert_frame_equal(ddb.sample(con, source, rows, 7), full)


def test_preflight_raises_what_the_duckdb_engine_would_stop_on(tmp_path):
    """Decimal commas read fine in pandas but not in DuckDB: with engine duckdb, preflight (segkit check) stops
    with the engine's error before any notebook starts, instead of 01_eda failing later."""
    raw = generate_transactions(300, seed=2)
    raw["UnitPrice"] = raw["UnitPrice"].map(lambda v: f"{v:.2f}".replace(".", ","))
    path = tmp_path / "lines.csv"
    raw.to_csv(path, sep=";", index=False)
    p = _params(path, sep=";", decimal=",")
    assert pipeline.preflight(p)["rows"] == 300  # pandas reads it
    from segkit.errors import ColumnError

    with pytest.raises(ColumnError, match="does not read as numbers") as err:
        pipeline.preflight(_params(path, sep=";", decimal=",", engine="duckdb"))
    assert err.value.key == "price_col"


def test_churn_scores_from_the_features_file_equal_the_scores_from_the_lines(tmp_path):
    """A duckdb run's 08 reads 02's features.parquet as the customers' features at the last date: the same scores
    and scoring date as building them again from the lines."""
    from segkit.io.runfolder import RunFolder

    p = _params(RETAIL)
    folder = RunFolder(tmp_path)
    with ddb.session(p) as con:
        KIND.module.engine_clean(con, ddb.source_sql(str(RETAIL)), p, tmp_path / "clean.parquet")
        clean = ddb.source_sql(tmp_path / "clean.parquet")
        folder.write_features(pipeline.check_features(p, KIND.module.engine_features(con, clean, p)))
        rebuilt = KIND.module.engine_churn(con, clean, p)
        reread = KIND.module.engine_churn(con, clean, p, folder.read_parquet("features.parquet"))
    a = churn.refit_and_score(rebuilt, current=rebuilt.current, seed=0, threshold=0.5)
    b = churn.refit_and_score(reread, current=reread.current, seed=0, threshold=0.5)
    assert a.scored_at == b.scored_at
    pd.testing.assert_frame_equal(a.table, b.table)


def test_ids_in_attrs_are_shared_not_copied_at_every_step(tmp_path):
    """The customers left out of the features ride in attrs as FrozenIds: pandas' deep copy after each operation
    shares them (it copied thousands of ids per step), also once read back from features.parquet."""
    import copy

    from segkit.featureset import FrozenIds
    from segkit.io.runfolder import RunFolder

    raw = generate_transactions(5_000, seed=4)
    p = _params(tmp_path / "unused.parquet")
    fs = pipeline.build_features(p, pipeline.clean_table(p, raw)[0])
    dropped = fs.table.attrs["dropped_customers"]
    assert isinstance(dropped, FrozenIds) and len(dropped) > 0 and copy.deepcopy(dropped) is dropped
    assert (fs.table * 1).attrs["dropped_customers"] is dropped
    folder = RunFolder(tmp_path)
    folder.write_features(fs)
    back = folder.read_features().table.attrs["dropped_customers"]
    assert isinstance(back, FrozenIds) and back == dropped


@pytest.mark.parametrize("index", [["b", "a", "c"], ["b", "a", "b"]])
def test_in_index_is_isin(index):
    from segkit.featureset import in_index

    values = pd.Index(["a", "x", "c", "a", None], dtype="str")
    expected = np.asarray(values.isin(pd.Index(index, dtype="str")))
    np.testing.assert_array_equal(in_index(values, pd.Index(index, dtype="str")), expected)
    np.testing.assert_array_equal(in_index(values, pd.Index(index, dtype=object)), expected)


def test_returns_after_the_last_purchase_end_the_data_at_it_in_either_engine(generated, tmp_path):
    """Returns dated 18 days after the last purchase moved the end of the data in both engines; now neither."""
    raw, _ = generated
    raw = raw.copy()
    last = pd.to_datetime(raw["InvoiceDate"]).max()
    cancels = raw[raw["InvoiceNo"].astype(str).str.startswith("C") & raw["CustomerID"].notna()].head(3)
    late = cancels.assign(InvoiceDate=[last + pd.Timedelta(days=d) for d in (3, 10, 18)],
                          InvoiceNo=[f"C9{i:05d}" for i in range(3)])
    raw = pd.concat([raw, late.astype(raw.dtypes.to_dict())], ignore_index=True)
    path = tmp_path / "late.parquet"
    raw.to_parquet(path, index=False)
    cleaned, a, b = _both(raw, path, tmp_path, customer_col="CustomerID")
    assert (a.cutoff, a.last_date) == (b.cutoff, b.last_date) and a.last_date == last.normalize()
    _same_features(a.features, b.features)
    pd.testing.assert_series_equal(a.churned, b.churned)
    current = behaviour_features(cleaned)
    _same_features(current, b.current)
    assert current.attrs["snapshot_date"] == f"{last + pd.Timedelta(days=1):%Y-%m-%d}"
