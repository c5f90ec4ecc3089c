"""Tests for segkit.kinds.transactions.features: RFM and behaviour features with hand-computed answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

from segkit.kinds.transactions.clean import TransactionColumns, clean_transactions
from segkit.errors import ColumnError, DataValueError, ParamsError
from segkit.kinds.transactions.features import (
    BEHAVIOUR_FEATURES,
    FEATURE_DESCRIPTIONS,
    behaviour_features,
    rfm_features,
    signed_log1p,
    stand_in_gaps,
    transform_features,
)

COLUMNS = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
           "Country"]
UK = "United Kingdom"
# The same table as tests/test_clean.py, except that customer 10005's second order is on Sunday
# 2010-12-19. Cleaning removes the duplicate, the two lines without customer, POST, gift_0001_10,
# "m", and the price 0.0 and -5.0 lines; cancellations are C500003, C500007 and 500006 (qty -1).
ROWS = [
    ("500001", "85123A", 10, "2011-01-03 10:00", 2.0, 10001.0, UK),     # Mon, 20.0
    ("500001", "85123A", 10, "2011-01-03 10:00", 2.0, 10001.0, UK),     # duplicate
    ("500001", "22423", 5, "2011-01-03 10:00", 4.0, 10001.0, UK),       # 20.0
    ("500002", "85123A", 4, "2011-01-10 11:00", 2.5, 10001.0, UK),      # Mon, 10.0
    ("500002", "POST", 1, "2011-01-10 11:00", 15.0, 10001.0, UK),       # non-product
    ("C500003", "85123A", -2, "2011-01-12 09:00", 2.0, 10001.0, UK),    # -4.0
    ("500004", "71053", 2, "2011-01-31 12:00", 5.0, 10001.0, UK),       # Mon, 10.0
    ("500005", "22423", 6, "2011-01-08 14:00", 1.0, 10002.0, "France"),   # Sat, 6.0
    ("500005", "21730", 3, "2011-01-08 14:00", 0.0, 10002.0, "France"),   # price 0
    ("500006", "22423", -1, "2011-01-20 10:00", 1.0, 10002.0, "Belgium"),  # -1.0
    ("C500007", "85123A", -1, "2011-01-15 10:00", 2.0, 10003.0, "Germany"),  # only a cancel
    ("500008", "85123A", 1, "2011-01-20 10:00", 2.0, np.nan, UK),       # no customer
    ("A563185", "B", 1, "2011-01-21 10:00", -11062.06, np.nan, UK),     # no customer
    ("500009", "85123A", 1, "2011-02-01 09:00", 3.0, 10004.0, UK),      # Tue, 3.0 (last date)
    ("500010", "22423", 2, "2011-02-01 15:00", 1.5, 10004.0, UK),       # Tue, 3.0
    ("500010", "gift_0001_10", 1, "2011-02-01 15:00", 8.33, 10004.0, UK),  # non-product
    ("500011", "85123A", 1, "2010-11-01 10:00", 100.0, 10005.0, "Spain"),  # Mon, 100.0
    ("500012", "85123A", 2, "2010-12-19 10:00", 40.0, 10005.0, "Spain"),   # Sun, 80.0
    ("500012", "m", 1, "2010-12-19 10:00", 2.55, 10005.0, "Spain"),        # non-product
    ("500013", "22423", 3, "2011-01-24 10:00", 10.0, 10005.0, "Spain"),    # Mon, 30.0
    ("500014", "85123A", 1, "2011-01-25 10:00", -5.0, 10005.0, "Spain"),   # negative price
]

# Snapshot = day after the last date (2011-02-01) = 2011-02-02.
# 10001: purchases 01-03, 01-10, 01-31 -> recency 2, tenure 30, frequency 3,
#        monetary 20+20+10-4+10 = 56, purchase spend 60 -> aov 20, products {85123A, 22423, 71053},
#        items 10+5+4+2 = 21 -> basket 7, gaps 7 and 21 -> mean 14, std 7, 1 of 5 lines cancelled,
#        all lines within 30 days (01-03 is exactly 30 days before the snapshot).
# 10002: purchase 01-08 (Saturday), cancel 01-20 -> recency 25 = tenure, frequency 1, monetary 5,
#        aov 6, basket 6, one purchase day -> gap mean = tenure 25, std 0, returns 1/2,
#        weekend 1/1, country tie France/Belgium -> Belgium (alphabetical).
# 10003: only a cancellation -> dropped.
# 10004: two invoices on 02-01 -> recency 1 = tenure, frequency 2, monetary 6, aov 3, basket 1.5,
#        one purchase day -> gap mean = tenure 1.
# 10005: 11-01 (93 days before), 12-19 Sunday (45 days), 01-24 (9 days) -> recency 9, tenure 93,
#        monetary 210, aov 70, basket (1+2+3)/3 = 2, gaps 48 and 36 -> mean 42, std 6,
#        weekend 1/3, spend_30d 30, spend_90d 30+80 = 110, spend_before_90d 100.
EXPECTED = pd.DataFrame(
    {
        "recency": [2, 25, 1, 9],
        "frequency": [3, 1, 2, 3],
        "monetary": [56.0, 5.0, 6.0, 210.0],
        "tenure": [30, 25, 1, 93],
        "avg_order_value": [20.0, 6.0, 3.0, 70.0],
        "distinct_products": [3, 1, 2, 2],
        "basket_size": [7.0, 6.0, 1.5, 2.0],
        "interpurchase_mean": [14.0, 25.0, 1.0, 42.0],
        "interpurchase_std": [7.0, 0.0, 0.0, 6.0],
        "returns_rate": [0.2, 0.5, 0.0, 0.0],
        "weekend_share": [0.0, 1.0, 0.0, 1 / 3],
        "spend_30d": [56.0, 5.0, 6.0, 30.0],
        "spend_90d": [56.0, 5.0, 6.0, 110.0],
        "spend_before_90d": [0.0, 0.0, 0.0, 100.0],
        "country": pd.array([UK, "Belgium", UK, "Spain"], dtype="str"),
    },
    index=pd.Index(["10001", "10002", "10004", "10005"], name="customer_id", dtype="str"),
)


@pytest.fixture
def clean() -> pd.DataFrame:
    return clean_transactions(pd.DataFrame(ROWS, columns=COLUMNS))[0]


def test_rfm_known_values(clean):
    rfm = rfm_features(clean)
    pd.testing.assert_frame_equal(rfm, EXPECTED[list(rfm.columns)], check_exact=False, rtol=1e-12)
    assert list(rfm.columns) == ["recency", "frequency", "monetary", "tenure", "avg_order_value"]
    assert [str(rfm[c].dtype) for c in ("recency", "frequency", "tenure")] == ["int64"] * 3
    assert rfm.attrs["snapshot_date"] == "2011-02-02"
    assert rfm.attrs["dropped_customers"] == ("10003",)


def test_behaviour_known_values(clean):
    features = behaviour_features(clean)
    assert list(features.columns) == list(BEHAVIOUR_FEATURES)
    pd.testing.assert_frame_equal(features, EXPECTED, check_exact=False, rtol=1e-12)
    assert features["distinct_products"].dtype == "int64"
    assert not features.isna().any().any()


def test_stand_in_gaps_are_those_of_customers_with_too_few_purchase_days(clean):
    """10002 and 10004 bought on one day: their mean gap is the days since it and their spread 0, stand-ins the
    profiles leave out (a till export's one-time buyers read "narrower spread of days between purchases (typically 0
    days vs 24 days overall)"). Without 10005's first purchase, 10005 has two purchase days: one gap, no spread."""
    assert stand_in_gaps(behaviour_features(clean)) == {"interpurchase_mean": [1, 2], "interpurchase_std": [1, 2]}
    two_days = clean[~((clean["customer_id"] == "10005") & (clean["date"] < "2010-12-01"))]
    features = behaviour_features(two_days)
    assert features.loc["10005", "interpurchase_mean"] == 36.0 and features.loc["10005", "interpurchase_std"] == 0
    assert stand_in_gaps(features) == {"interpurchase_mean": [1, 2], "interpurchase_std": [1, 2, 3]}


def test_every_feature_is_described(clean):
    features = behaviour_features(clean)
    assert set(features.columns) == set(FEATURE_DESCRIPTIONS)
    assert all(len(text) > 15 for text in FEATURE_DESCRIPTIONS.values())


def test_spend_windows_add_up_to_monetary(clean):
    f = behaviour_features(clean)
    assert np.allclose(f["spend_90d"] + f["spend_before_90d"], f["monetary"])


def test_explicit_snapshot_date(clean):
    # 2011-03-01 is 27 days after the default snapshot 2011-02-02
    rfm = rfm_features(clean, snapshot_date="2011-03-01 17:30")
    assert rfm["recency"].tolist() == [29, 52, 28, 36]
    assert rfm["tenure"].tolist() == [57, 52, 28, 120]
    assert rfm.attrs["snapshot_date"] == "2011-03-01"
    b = behaviour_features(clean, snapshot_date=pd.Timestamp("2011-03-01"))
    assert b["spend_30d"].tolist() == [10.0, 0.0, 6.0, 0.0]  # only 10001's 01-31 order and 10004


def test_snapshot_not_after_data_raises(clean):
    with pytest.raises(DataValueError, match="2011-02-02 or later"):
        rfm_features(clean, snapshot_date="2011-02-01")


def test_row_order_does_not_matter(clean):
    shuffled = clean.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(behaviour_features(shuffled), behaviour_features(clean))


def test_raw_table_is_rejected():
    raw = pd.DataFrame(ROWS, columns=COLUMNS)
    with pytest.raises(ColumnError, match="clean_transactions"):
        rfm_features(raw)


def test_empty_table_raises(clean):
    with pytest.raises(DataValueError, match="empty"):
        rfm_features(clean.iloc[:0])


def test_renamed_columns_with_amount():
    raw = pd.DataFrame({
        "cust": ["a", "a", "b", "b"],
        "order": ["o1", "o2", "o3", "o3r"],
        "ts": ["2020-03-01", "2020-03-05", "2020-03-02", "2020-03-03"],
        "qty": [2, 1, 4, -1],
        "amount": [10.0, 7.5, 8.0, -2.0],
    })
    cols = TransactionColumns.from_params({"customer_col": "cust", "invoice_col": "order",
                                           "date_col": "ts", "quantity_col": "qty",
                                           "amount_col": "amount", "stock_code_col": None,
                                           "country_col": None})
    clean, _ = clean_transactions(raw, columns=cols)
    f = behaviour_features(clean)
    # snapshot 2020-03-06: a last bought 03-05, first 03-01; b bought 03-02, cancelled 2.0 on 03-03
    assert f.index.tolist() == ["a", "b"]
    assert f["recency"].tolist() == [1, 4]
    assert f["frequency"].tolist() == [2, 1]
    assert f["monetary"].tolist() == [17.5, 6.0]
    assert f["tenure"].tolist() == [5, 4]
    assert f["avg_order_value"].tolist() == [8.75, 8.0]
    assert "distinct_products" not in f and "country" not in f


# --- transform_features ---------------------------------------------------------------------------

def test_signed_log1p():
    x = np.array([0.0, np.e - 1, -(np.e - 1)])
    assert np.allclose(signed_log1p(x), [0.0, 1.0, -1.0])


def test_transform_features_logs_skewed_columns_and_scales():
    features = pd.DataFrame({"monetary": [-5.0, 1.0, 2.0, 3.0, 1000.0],
                             "recency": [1, 2, 3, 4, 5], "country": list("abcde")},
                            index=pd.Index(list("vwxyz"), name="customer_id"))
    tr = transform_features(features, columns=["recency", "monetary"])
    assert isinstance(tr, Pipeline)
    with pytest.raises(NotFittedError):
        check_is_fitted(tr)
    kinds = {name: t for name, t, _ in tr.named_steps["skew"].transformers}
    assert isinstance(kinds["monetary"], FunctionTransformer)  # skewness 2.2 > 1
    assert kinds["recency"] == "passthrough"                   # skewness 0
    out = tr.set_output(transform="pandas").fit_transform(features)
    assert list(out.columns) == ["recency", "monetary"]
    assert out.index.equals(features.index)
    logged = signed_log1p(features["monetary"].to_numpy())
    expected = (logged - logged.mean()) / logged.std()
    assert np.allclose(out["monetary"], expected)
    assert out["monetary"].iloc[0] < out["monetary"].iloc[1]  # the net-refund customer stays lowest
    assert np.allclose(out["recency"], (np.arange(1, 6) - 3) / np.sqrt(2))


def test_transform_features_options():
    features = pd.DataFrame({"a": [1.0, 1.0, 1.0, 1.0, 100.0], "b": [1.0, 2.0, 3.0, 4.0, 5.0]})
    plain = transform_features(features, skew="none", scaler="robust")
    assert all(t == "passthrough" for _, t, _ in plain.named_steps["skew"].transformers)
    out = plain.set_output(transform="pandas").fit_transform(features)
    assert out["b"].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]  # (x - median 3) / IQR 2
    forced = transform_features(features, log_columns=["b"])
    kinds = {name: t for name, t, _ in forced.named_steps["skew"].transformers}
    assert kinds["a"] == "passthrough" and isinstance(kinds["b"], FunctionTransformer)


def test_transform_features_errors():
    features = pd.DataFrame({"a": [1.0, 2.0], "country": ["x", "y"]})
    with pytest.raises(ColumnError, match="not numeric: country"):
        transform_features(features, columns=["a", "country"])
    with pytest.raises(ColumnError, match="choose from: a, country"):
        transform_features(features, columns=["monetary"])
    with pytest.raises(ParamsError, match="scaler"):
        transform_features(features, scaler="zscore")
    with pytest.raises(ParamsError, match="skew"):
        transform_features(features, skew="boxcox")


# --- real data --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def online_retail_clean(online_retail_dir: Path) -> pd.DataFrame:
    files = sorted(online_retail_dir.glob("*.csv"))
    raw = pd.concat([pd.read_csv(f, dtype={"InvoiceNo": str, "StockCode": str}) for f in files],
                    ignore_index=True)
    return clean_transactions(raw)[0]


def test_online_retail_features(online_retail_clean):
    clean = online_retail_clean
    f = behaviour_features(clean)
    # 4,362 customers after cleaning; 28 of them have only cancellation lines and are dropped.
    # 4,334 = the 4,338 of the common "quantity > 0 and price > 0" analyses minus 4 customers
    # whose only purchases were manual (M) or bank-charge lines, which the non-product rule drops.
    assert len(f) == 4_334
    assert len(f.attrs["dropped_customers"]) == 28
    assert f.attrs["snapshot_date"] == "2011-12-10"
    assert f.index.is_monotonic_increasing and f.index.is_unique
    assert not f.drop(columns="country").isna().any().any()
    assert (f["recency"] >= 1).all() and (f["frequency"] >= 1).all()
    assert (f["tenure"] >= f["recency"]).all()
    # 12346 bought 74,215 of one item on 2011-01-18 and cancelled the same line the same day
    assert f.loc["12346", ["recency", "frequency", "monetary"]].tolist() == [326, 1, 0.0]
    assert f.loc["12347", "country"] == "Iceland"
    # cross-check against a plain pandas groupby on the cleaned table
    buy = clean[~clean["is_cancellation"]]
    ref = pd.DataFrame({
        "frequency": buy.groupby("customer_id")["invoice_id"].nunique(),
        "last": buy.groupby("customer_id")["date"].max().dt.normalize(),
        "monetary": clean.groupby("customer_id")["amount"].sum(),
    }).dropna()
    ref = ref.loc[f.index]
    assert (f["frequency"] == ref["frequency"]).all()
    assert ((pd.Timestamp("2011-12-10") - ref["last"]).dt.days == f["recency"]).all()
    assert np.allclose(f["monetary"], ref["monetary"], rtol=1e-9)


def test_returns_dated_after_the_last_purchase_do_not_move_the_end_of_the_data(clean):
    """A shop export's refunds ran 18 days past its last purchase: the snapshot followed them, so every recency was
    at least 19 days, the churn horizon ran into days no one could be seen buying (churn 77.8%) and the value page's
    holdout ended 18 days earlier than the churn page's. The data now end at the last purchase for all three."""
    from segkit import kinds
    from segkit.config import params_from_mapping
    from segkit.kinds.transactions.churn_data import churn_dataset, data_span
    from segkit.kinds.transactions.lifetime import value_data

    params = params_from_mapping({"data_kind": "transactions"})
    kind = kinds.get("transactions")
    late_return = clean[clean["is_cancellation"]].head(1).assign(date=pd.Timestamp("2011-02-20"))
    late = pd.concat([clean, late_return], ignore_index=True)
    before, after = behaviour_features(clean), behaviour_features(late)
    assert before.attrs["snapshot_date"] == after.attrs["snapshot_date"] == "2011-02-02"
    pd.testing.assert_series_equal(before["recency"], after["recency"])
    who = str(late_return["customer_id"].iloc[0])
    assert after.at[who, "monetary"] == pytest.approx(before.at[who, "monetary"] + late_return["amount"].iloc[0])
    assert after.at[who, "spend_30d"] == pytest.approx(before.at[who, "spend_30d"] + late_return["amount"].iloc[0])
    assert data_span(late) == data_span(clean) and data_span(late)[1].normalize() == pd.Timestamp("2011-02-01")
    short = {"cutoff": None, "horizon_days": 10}
    assert churn_dataset(late, **short).cutoff == churn_dataset(clean, **short).cutoff == pd.Timestamp("2011-01-23")
    assert value_data(late, churn_horizon_days=10).last_day == pd.Timestamp("2011-02-01")
    notes = " ".join(kind.features(late, params).notes)
    assert "Recency and tenure are measured at 02 February 2011 (the day after the last purchase)." in notes
    # a snapshot of the user's own between the last purchase and the late return is one the data can take
    given = params_from_mapping({"data_kind": "transactions", "snapshot_date": "2011-02-10"})
    assert kind.features(late, given).table.attrs["snapshot_date"] == "2011-02-10"
    with pytest.raises(DataValueError, match="not after the last purchase day 2011-02-01"):
        behaviour_features(late, snapshot_date="2011-02-01")


def test_the_column_table_shows_only_the_columns_the_cleaning_reads():
    """A till export with amount_col and no price column listed "UnitPrice | price_col | unit price", the default
    price_col, which the cleaning ignores beside an amount, as if the file had it."""
    from segkit.config import params_from_mapping
    from segkit.kinds.transactions import column_roles

    params = params_from_mapping({"data_kind": "transactions", "customer_col": "client", "invoice_col": None,
                                  "date_col": "day", "amount_col": "amount", "quantity_col": None,
                                  "stock_code_col": None, "country_col": None})
    table = column_roles(pd.DataFrame(columns=["client", "day", "amount", "till"]), params)
    assert table["params key"].to_dict() == {"client": "customer_col", "day": "date_col", "amount": "amount_col",
                                             "till": ""}
