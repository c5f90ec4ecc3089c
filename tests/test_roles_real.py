"""Role detection on the two real customer tables (shared data; skipped when absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.kinds.customers.features import build_preprocessor, customer_features, detect_roles, role_table

pytestmark = pytest.mark.shared_data

MALL_ROLES = {
    "CustomerID": "id",
    "Genre": "categorical",
    "Age": "numeric",
    "Annual Income (k$)": "numeric",
    "Spending Score (1-100)": "numeric",
}

ETHIOPIAN_ROLES = {
    "customer_id": "id",
    "age": "numeric",
    "annual_income": "numeric",
    "spending_score": "numeric",
    "gender": "categorical",
    "region": "categorical",
    "membership_tier": "categorical",
    "visit_frequency": "categorical",
}


def test_mall_roles(mall_csv):
    df = pd.read_csv(mall_csv)
    assert detect_roles(df) == MALL_ROLES


def test_mall_id_read_as_text_is_still_the_id(mall_csv):
    df = pd.read_csv(mall_csv, dtype={"CustomerID": str})
    table = role_table(df).set_index("column")
    assert table.loc["CustomerID", "role"] == "id"
    assert "zero-padded" in table.loc["CustomerID", "reason"]


def test_mall_genre_is_noted_as_gender_but_not_renamed(mall_csv):
    df = pd.read_csv(mall_csv)
    table = role_table(df).set_index("column")
    assert "looks like gender (kept under its own name; the reports call it gender)" in table.loc["Genre", "reason"]
    features = customer_features(df, detect_roles(df))
    assert "Genre" in features.columns and "Gender" not in features.columns


def test_mall_role_table_shape(mall_csv):
    table = role_table(pd.read_csv(mall_csv))
    assert list(table.columns) == ["column", "dtype", "n_distinct", "distinct_share", "missing_share", "role",
                                   "reason"]
    row = table.set_index("column").loc["CustomerID"]
    assert row["n_distinct"] == 200 and row["distinct_share"] == 1.0 and row["missing_share"] == 0.0
    assert "1..200" in row["reason"] and "-> id" in row["reason"]


def test_ethiopian_roles(ethiopian_csv):
    df = pd.read_csv(ethiopian_csv)
    assert detect_roles(df) == ETHIOPIAN_ROLES


def test_ethiopian_ordered_levels_are_noted(ethiopian_csv):
    table = role_table(pd.read_csv(ethiopian_csv)).set_index("column")
    assert "Bronze < Silver < Gold < Platinum" in table.loc["membership_tier", "reason"]
    assert "Monthly < Weekly < Daily" in table.loc["visit_frequency", "reason"]
    assert "looks like gender" not in table.loc["gender", "reason"]  # the name already says so


@pytest.mark.parametrize("fixture", ["mall_csv", "ethiopian_csv"])
def test_real_tables_encode_without_nan(fixture, request):
    df = pd.read_csv(request.getfixturevalue(fixture))
    features = customer_features(df, detect_roles(df))
    assert features.index.is_unique and all(isinstance(i, str) for i in features.index)
    pre = build_preprocessor(features.attrs["roles"]).set_output(transform="pandas")
    out = pre.fit_transform(features)
    assert not out.isna().any().any()
    assert np.isfinite(out.to_numpy()).all()
