"""The synthetic customer table: determinism, types, ranges, missing values and findable segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from segkit.errors import ParamsError
from segkit.kinds.customers.features import build_preprocessor, customer_features, detect_roles
from segkit.kinds.customers.synth import CATEGORIES, REGIONS, generate_customers

COLUMNS = ["customer_id", "age", "gender", "region", "income", "total_spend", "visit_frequency", "basket_size",
           "preferred_category", "signup_date"]


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_customers(20_000, seed=0)


def test_deterministic_for_a_seed():
    a, b = generate_customers(2_000, seed=7), generate_customers(2_000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(generate_customers(2_000, seed=8))


def test_columns_and_dtypes(customers):
    assert list(customers.columns) == COLUMNS
    for col in ("age", "income", "total_spend", "basket_size"):
        assert customers[col].dtype == np.float64
    assert customers["visit_frequency"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(customers["signup_date"])
    for col in ("customer_id", "gender", "region", "preferred_category"):
        assert pd.api.types.is_string_dtype(customers[col])


def test_ranges(customers):
    c = customers
    assert c["customer_id"].iloc[0] == "C000001" and c["customer_id"].iloc[-1] == "C020000"
    assert c["customer_id"].is_unique
    age = c["age"].dropna()
    assert age.between(18, 90).all() and (age % 1 == 0).all() and age.skew() > 0.2
    assert set(c["gender"]) == {"Female", "Male", "Other"}
    shares = c["gender"].value_counts(normalize=True)
    assert 0.45 < shares["Female"] < 0.6 and 0.4 < shares["Male"] < 0.55 and 0.005 < shares["Other"] < 0.05
    regions = c["region"].value_counts(normalize=True)
    assert set(regions.index) == set(REGIONS) and regions.max() > 3 * regions.min()
    assert set(c["preferred_category"]) == set(CATEGORIES)
    assert (c["income"].dropna() > 0).all() and c["income"].skew() > 1
    assert (c["total_spend"] >= 0).all() and c["total_spend"].skew() > 2  # heavy tail
    assert (c["visit_frequency"] >= 0).all() and (c["basket_size"] >= 1).all()
    years = (c["signup_date"].max() - c["signup_date"].min()).days / 365.25
    assert 5 < years <= 6.01


def test_correlations(customers):
    c = customers
    assert np.log(c["total_spend"] + 1).corr(np.log(c["income"])) > 0.2
    assert c["total_spend"].corr(c["visit_frequency"], method="spearman") > 0.4
    by_region = c.groupby("region")["income"].median()
    assert by_region["Metro"] > 1.2 * by_region["Highlands"]


def test_missing_rates(customers):
    missing = customers.isna().mean()
    assert 0.008 < missing["age"] < 0.02 and 0.01 < missing["income"] < 0.02
    assert missing.drop(["age", "income"]).eq(0).all()


def test_roles_of_the_generated_table(customers):
    assert detect_roles(customers) == {
        "customer_id": "id", "age": "numeric", "gender": "categorical", "region": "categorical",
        "income": "numeric", "total_spend": "numeric", "visit_frequency": "numeric", "basket_size": "numeric",
        "preferred_category": "categorical", "signup_date": "date",
    }


def test_kmeans_finds_structure():
    df, personas = generate_customers(6_000, seed=3, return_personas=True)
    numeric = ["age", "income", "total_spend", "visit_frequency", "basket_size"]
    X = build_preprocessor(dict.fromkeys(numeric, "numeric")).fit_transform(df)
    labels = KMeans(5, n_init=4, random_state=0).fit_predict(X)
    rng = np.random.default_rng(0)
    shuffled = np.column_stack([rng.permutation(X[:, j]) for j in range(X.shape[1])])
    shuffled_labels = KMeans(5, n_init=4, random_state=0).fit_predict(shuffled)
    real = silhouette_score(X, labels, sample_size=3_000, random_state=0)
    null = silhouette_score(shuffled, shuffled_labels, sample_size=3_000, random_state=0)
    assert real > null + 0.1
    assert adjusted_rand_score(personas, labels) > 0.5


def test_full_pipeline_encodes_without_nan(customers):
    f = customer_features(customers, detect_roles(customers))
    assert f.index.name == "customer_id" and "days_since_signup_date" in f.columns
    out = build_preprocessor(f.attrs["roles"]).fit_transform(f)
    assert not np.isnan(out).any()


@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_bad_n(n):
    with pytest.raises(ParamsError):
        generate_customers(n)


def test_tiny_and_wide_ids():
    assert generate_customers(1).shape == (1, 10)
    assert generate_customers(3, seed=1)["customer_id"].tolist() == ["C000001", "C000002", "C000003"]


def test_200k_rows_are_fast():
    import time

    start = time.perf_counter()
    df = generate_customers(200_000, seed=5)
    assert len(df) == 200_000 and df["customer_id"].iloc[-1] == "C200000"
    assert time.perf_counter() - start < 10  # about 0.4 s on 2 cores; generous to stay unflaky
