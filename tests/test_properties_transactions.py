"""Property-based tests: cleaning + features on generated valid transactions.

Prices are multiples of 0.25 and quantities small integers, so every line amount and every sum
of them is exact in binary floating point: monetary can be compared with ``==``, and shuffling
rows must give bit-identical features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit.kinds.transactions.clean import clean_transactions
from segkit.kinds.transactions.features import behaviour_features, rfm_features

BASE = pd.Timestamp("2011-01-01")


@st.composite
def transactions(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        invoice = draw(st.integers(0, 15))
        cancelled = draw(st.booleans())
        quantity = draw(st.integers(1, 12))
        if not cancelled and draw(st.integers(0, 9)) == 0:
            quantity = -quantity  # a return without the "C" prefix
        rows.append({
            "InvoiceNo": ("C" if cancelled else "") + str(536000 + invoice),
            "StockCode": draw(st.sampled_from(["85123A", "22423", "71053", "POST"])),
            "Quantity": -quantity if cancelled else quantity,
            # each invoice number has one date, as in real data; two hours apart per day offset
            "InvoiceDate": BASE + pd.Timedelta(days=invoice * 11 % 97, hours=8 + invoice % 9),
            "UnitPrice": draw(st.integers(0, 400)) / 4,  # 0.0 is removed by the price rule
            "CustomerID": draw(st.sampled_from([12346.0, 12347.0, 17850.0, np.nan])),
            "Country": draw(st.sampled_from(["United Kingdom", "France"])),
        })
    return pd.DataFrame(rows)


def _reference_monetary(raw: pd.DataFrame) -> pd.Series:
    """Net amount per customer straight from the raw rows, by the documented rules (a line without a customer takes
    its order's, when the order's other lines name one customer)."""
    df = raw.drop_duplicates().copy()
    named = raw.dropna(subset=["CustomerID"]).groupby("InvoiceNo")["CustomerID"]
    one = named.agg(lambda s: s.iloc[0] if s.nunique() == 1 else np.nan)
    df["CustomerID"] = df["CustomerID"].fillna(df["InvoiceNo"].map(one))
    df = df[df["CustomerID"].notna() & (df["StockCode"] != "POST") & (df["UnitPrice"] > 0)]
    cancel = df["InvoiceNo"].str.startswith("C") | (df["Quantity"] < 0)
    amount = df["Quantity"].abs() * df["UnitPrice"] * np.where(cancel, -1, 1)
    ids = df["CustomerID"].astype("int64").astype("str")
    has_purchase = (~cancel).groupby(ids).any()
    return amount.groupby(ids).sum()[has_purchase]


@settings(max_examples=50, deadline=None)
@given(transactions())
def test_features_are_well_defined(raw):
    clean, log = clean_transactions(raw)
    assert log.rows_out == len(clean)
    expected = _reference_monetary(raw)
    if expected.empty:
        return
    f = behaviour_features(clean)
    assert f.index.tolist() == sorted(expected.index)
    # the snapshot is the day after the last purchase, so recency is at least one day
    assert (f["recency"] >= 1).all() and (f["frequency"] >= 1).all()
    assert (f["tenure"] >= f["recency"]).all()
    assert (f["interpurchase_mean"] > 0).all() and (f["interpurchase_std"] >= 0).all()
    assert f["returns_rate"].between(0, 1).all() and f["weekend_share"].between(0, 1).all()
    assert not f.isna().any().any()
    # monetary is the sum of net line amounts per customer, exactly
    assert f["monetary"].tolist() == expected.loc[f.index].tolist()
    assert (f["spend_90d"] + f["spend_before_90d"]).tolist() == f["monetary"].tolist()


@settings(max_examples=50, deadline=None)
@given(transactions(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(raw, rnd):
    order = list(range(len(raw)))
    rnd.shuffle(order)
    shuffled = raw.iloc[order]
    clean_a, log_a = clean_transactions(raw)
    clean_b, log_b = clean_transactions(shuffled)
    assert log_a == log_b
    if clean_a["is_cancellation"].all():
        return
    pd.testing.assert_frame_equal(behaviour_features(clean_a), behaviour_features(clean_b),
                                  check_exact=True)
    pd.testing.assert_frame_equal(rfm_features(clean_a), rfm_features(clean_b), check_exact=True)
