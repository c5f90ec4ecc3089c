"""Customer tables: role detection rules, overrides, the ColumnTransformer, features and profiles."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from segkit.errors import ColumnError, DataValueError, ParamsError
from segkit.kinds.customers.features import (
    ROLES, DateAgeTransformer, SkewTransformer, build_preprocessor, categorical_profile, customer_features,
    detect_roles, feature_roles, role_table,
)
from segkit.kinds.customers.roles import _numeric_role


@pytest.fixture
def table() -> pd.DataFrame:
    """A small mixed table exercising every role."""
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame({
        "client_no": np.arange(1001, 1001 + n),
        "age": rng.integers(18, 80, n).astype(float),
        "income": np.round(rng.lognormal(10.5, 0.8, n), -2),
        "rating": rng.integers(1, 6, n),
        "store_code": rng.choice([10, 20, 35, 99], n),
        "has_app": rng.integers(0, 2, n),
        "newsletter": rng.choice(["yes", "no"], n),
        "vip": rng.random(n) < 0.2,
        "gender": rng.choice(["Female", "Male"], n),
        "tier": rng.choice(["Bronze", "Silver", "Gold"], n),
        "signup": pd.date_range("2020-01-01", periods=n, freq="7D").strftime("%Y-%m-%d"),
        "last_visit": pd.date_range("2024-01-01", periods=n, freq="D"),
        "comment": [f"customer number {i} wrote a rather long comment here" for i in range(n)],
        "email": [f"user{i}@example.com" for i in range(n)],
        "country": "Ethiopia",
        "empty": np.nan,
        "churned": rng.integers(0, 2, n),
    })


EXPECTED = {
    "client_no": "id", "age": "numeric", "income": "numeric", "rating": "numeric", "store_code": "categorical",
    "has_app": "boolean", "newsletter": "boolean", "vip": "boolean", "gender": "categorical",
    "tier": "categorical", "signup": "date", "last_visit": "date", "comment": "text", "email": "near_unique",
    "country": "constant", "empty": "constant", "churned": "outcome",
}


def test_every_rule(table):
    assert detect_roles(table) == EXPECTED


def test_reasons_are_plain_words(table):
    reasons = role_table(table).set_index("column")["reason"]
    assert reasons["client_no"] == "integer values 1001..1200, all distinct, name 'client_no' looks like an id -> id"
    assert "small dense range" in reasons["rating"]
    assert "codes" in reasons["store_code"]
    assert "excluded" in reasons["country"] and "excluded" in reasons["comment"]


@pytest.mark.parametrize("name, counts", [
    ("naffairs", True), ("n_visits", True), ("num_orders", True), ("number_of_children", True), ("nb_enfants", True),
    ("nChildren", True), ("NumChildren", True), ("visit_count", True), ("N_KIDS", True), ("No of kids", True),
    ("store_code", False), ("occupation", False), ("nation", False), ("numeracy_level", False), ("income_band", False),
    ("ncode", False), ("count", False)])
def test_few_whole_numbers_over_a_wide_range_are_a_count_where_the_name_says_so(name, counts):
    # COUNT's affairs: 0, 1, 2, 3, 7 and 12 affairs (six levels over 13 values) read as codes, "naffairs: 12"
    values = np.repeat([0, 1, 2, 3, 7, 12], [451, 34, 17, 19, 42, 38])
    role, reason = _numeric_role(values.astype(float), name, 0)
    assert role == ("numeric" if counts else "categorical")
    assert (f"name '{name}' says a count" in reason) == counts


def test_single_id_wins_others_near_unique():
    df = pd.DataFrame({"row": np.arange(1, 51), "customer_id": [f"K{i:03d}" for i in range(50)],
                       "x": np.linspace(0, 1, 50)})
    roles = detect_roles(df)
    assert roles == {"row": "near_unique", "customer_id": "id", "x": "numeric"}
    assert detect_roles(df, id_col="row")["customer_id"] == "near_unique"


def test_identifying_numbers_are_left_out_but_measures_kept():
    """A phone or account number (whole numbers, nearly all distinct) identifies a customer; it must not become a
    feature ("customers with high phone"). Whole-dollar incomes, also all distinct, are a measure."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"customer_id": [f"K{i:03d}" for i in range(60)],
                       "phone": 2_000_000_000 + 7_919 * rng.permutation(10**6)[:60],
                       "account_number": 1_000 + rng.permutation(90_000)[:60],
                       "account_balance": 1_000 + rng.permutation(90_000)[:60],
                       "income": 20_000 + rng.permutation(180_000)[:60],
                       "income_jpy": 3_000_000 + 997 * rng.permutation(12_000)[:60],  # 7 and 8 digits
                       "minutes_mobile": 280 + rng.permutation(34_000)[:60],
                       "orders": rng.integers(0, 30, 60)})
    roles = detect_roles(df)
    assert roles == {"customer_id": "id", "phone": "near_unique", "account_number": "near_unique",
                     "account_balance": "numeric", "income": "numeric", "income_jpy": "numeric",
                     "minutes_mobile": "numeric", "orders": "numeric"}


def test_a_day_of_the_month_is_part_of_a_date_not_a_measure():
    """The bank marketing table's "day" (of the last contact, 1..31) split clients into "Clients with high day" and
    "Clients with low day". A column named as a day of the month with 20 or more of its days is left out; the role
    override keeps it; a count of days, a birthday or a day with few values stays a number."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"customer_id": [f"K{i:03d}" for i in range(300)], "day": rng.integers(1, 32, 300),
                       "Contact Day": rng.integers(1, 32, 300), "days": rng.integers(1, 32, 300),
                       "birthday": rng.integers(1, 32, 300), "delivery_day": rng.integers(1, 6, 300),
                       "balance": rng.normal(1_000, 300, 300)})
    roles, why = detect_roles(df), role_table(df).set_index("column")["reason"]
    assert roles == {"customer_id": "id", "day": "ignore", "Contact Day": "ignore", "days": "numeric",
                     "birthday": "numeric", "delivery_day": "numeric", "balance": "numeric"}
    assert why["day"].endswith("name 'day' says a day of the month: part of a date, not a measure of a customer -> "
                               "ignore (roles: {day: numeric} keeps it)")
    assert detect_roles(df, overrides={"day": "numeric"})["day"] == "numeric"


def test_numbers_stored_as_text_and_category_dtype():
    df = pd.DataFrame({"spend": ["12.5", "3", "40.25", None] * 5,
                       "band": pd.Categorical(["a", "b", "c", "a"] * 5, categories=["a", "b", "c"], ordered=True)})
    table = role_table(df).set_index("column")
    assert table.loc["spend", "role"] == "numeric" and "stored as text" in table.loc["spend", "reason"]
    assert table.loc["band", "role"] == "categorical" and "ordered categorical" in table.loc["band", "reason"]
    assert table.loc["spend", "missing_share"] == 0.25


def test_override_wins_and_is_explained(table):
    table_ = role_table(table, overrides={"rating": "categorical", "email": "text"}).set_index("column")
    assert table_.loc["rating", "role"] == "categorical"
    assert table_.loc["rating", "reason"].startswith("set by the roles override (detected: numeric")
    assert table_.loc["email", "role"] == "text"


def test_override_unknown_column_names_it_and_lists_columns(table):
    with pytest.raises(ColumnError) as info:
        detect_roles(table, overrides={"Gender": "categorical"})
    assert "'Gender'" in str(info.value) and "client_no, age, income" in str(info.value)
    assert info.value.column == "Gender"


def test_override_unknown_role_lists_roles(table):
    with pytest.raises(ParamsError) as info:
        detect_roles(table, overrides={"age": "ranked"})
    assert "'ranked'" in str(info.value) and ", ".join(ROLES) in str(info.value)
    assert info.value.key == "roles"


def test_ignore_role_drops_a_column(table):
    roles = detect_roles(table, overrides={"income": "ignore"})
    assert roles["income"] == "ignore"
    assert "income" not in customer_features(table, roles).columns
    assert not any("income" in c for c in build_preprocessor(roles).fit(table).get_feature_names_out())


def test_override_two_ids_fails(table):
    with pytest.raises(ParamsError, match="mark 2 columns as id"):
        detect_roles(table, overrides={"client_no": "id", "email": "id"})


def test_id_col_must_exist(table):
    with pytest.raises(ColumnError, match="'cust'"):
        detect_roles(table, id_col="cust")


# --- the ColumnTransformer -------------------------------------------------------------------

def _encoded(df, roles, **kw):
    pre = build_preprocessor(roles, **kw).set_output(transform="pandas")
    return pre, pre.fit_transform(df)


def test_preprocessor_no_nan_and_named(table):
    df = table.copy()
    df.loc[::7, "age"] = np.nan
    df.loc[::11, "gender"] = None
    df.loc[::13, "signup"] = None
    roles = detect_roles(df)
    pre, out = _encoded(df, roles)
    assert not out.isna().any().any()
    names = list(pre.get_feature_names_out())
    assert names == list(out.columns)
    assert {"numeric__age", "numeric__income", "categorical__gender_Female", "boolean__newsletter_yes",
            "boolean__vip_True", "date__days_since_signup", "date__days_since_last_visit"} <= set(names)
    assert not any(c.startswith(("numeric__client_no", "numeric__comment")) for c in names)
    assert not any("email" in c or "country" in c or "empty" in c for c in names)


def test_rare_level_is_grouped():
    df = pd.DataFrame({"colour": ["red"] * 120 + ["blue"] * 79 + ["mauve"], "x": np.arange(200.0)})
    pre, out = _encoded(df, {"colour": "categorical", "x": "numeric"}, rare_min_frequency=0.01)
    assert "categorical__colour_infrequent_sklearn" in out.columns
    assert "categorical__colour_mauve" not in out.columns
    assert out["categorical__colour_infrequent_sklearn"].sum() == 1
    # an unseen level goes to the infrequent column
    new = pd.DataFrame({"colour": ["green", "red"], "x": [1.0, 2.0]})
    got = pre.transform(new)
    assert got.loc[0, "categorical__colour_infrequent_sklearn"] == 1 and got.loc[1, "categorical__colour_red"] == 1


def test_unseen_category_without_rare_levels_does_not_crash(table):
    roles = detect_roles(table)
    pre = build_preprocessor(roles).set_output(transform="pandas").fit(table)
    new = table.head(3).copy()
    new["tier"] = ["Diamond", "Gold", None]
    new["newsletter"] = ["maybe", "yes", "no"]
    out = pre.transform(new)
    assert out.shape == (3, len(pre.get_feature_names_out()))
    tier = out.filter(like="categorical__tier_")
    assert tier.iloc[0].sum() == 0 and tier.iloc[1].sum() == 1 and tier.iloc[2].sum() == 1


def test_skew_transform_only_on_skewed_columns():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"spend": rng.lognormal(3, 1.0, 2000), "age": rng.normal(45, 10, 2000),
                       "delta": -rng.lognormal(0, 1.0, 2000)})
    roles = dict.fromkeys(df.columns, "numeric")
    pre, out = _encoded(df, roles, skew="log")
    skew = pre.named_transformers_["numeric"].named_steps["skew"]
    assert skew.transformed_.tolist() == [True, False, False]  # delta is skewed but negative: no log
    expected = np.log1p(df["spend"])
    np.testing.assert_allclose(out["numeric__spend"], (expected - expected.mean()) / expected.std(ddof=0))
    np.testing.assert_allclose(out["numeric__age"], (df.age - df.age.mean()) / df.age.std(ddof=0))
    pre, out = _encoded(df, roles, skew="yeo-johnson")
    assert pre.named_transformers_["numeric"].named_steps["skew"].transformed_.tolist() == [True, False, True]
    assert abs(out["numeric__spend"].skew()) < 0.2 and abs(out["numeric__delta"].skew()) < 0.2
    pre, out = _encoded(df, roles, skew="none")
    assert not pre.named_transformers_["numeric"].named_steps["skew"].transformed_.any()


def test_robust_scaler():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    _, out = _encoded(df, {"x": "numeric"}, scaler="robust", skew="none")
    np.testing.assert_allclose(out["numeric__x"], [-1.0, -0.5, 0.0, 0.5, 1.0])  # (x - median 3) / IQR 2


def test_extreme_values_are_capped_at_the_fence_before_scaling():
    # 1..8 and 100: the skewness is above 0.25 and every value is positive, so the fence is on log1p:
    # Q1 = log1p(3) = 1.386, Q3 = log1p(7) = 2.079, upper fence expm1(2.079 + 3 * 0.693) = 63.0
    df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 100]})
    pre, out = _encoded(df, {"x": "numeric"}, scaler="robust", skew="none")
    clipper = pre.named_transformers_["numeric"].named_steps["fences"]
    assert clipper.upper_[0] == pytest.approx(63.0) and clipper.lower_[0] == -np.inf
    np.testing.assert_allclose(out["numeric__x"], (np.array([1, 2, 3, 4, 5, 6, 7, 8, 63.0]) - 5) / 4)
    flag = pd.DataFrame({"f": [0.0] * 8 + [1.0]})  # a 0/1 column has no fences
    pre, out = _encoded(flag, {"f": "numeric"}, scaler="robust", skew="none")
    assert np.isinf(pre.named_transformers_["numeric"].named_steps["fences"].upper_[0])


@pytest.mark.parametrize("kw,key", [({"skew": "boxcox"}, "skew"), ({"scaler": "minmax"}, "scaler"),
                                    ({"date_unit": "weeks"}, "date_unit")])
def test_bad_options(kw, key):
    with pytest.raises(ParamsError) as info:
        build_preprocessor({"x": "numeric"}, **kw)
    assert info.value.key == key


def test_no_feature_column():
    with pytest.raises(ParamsError, match="no column has a feature role"):
        build_preprocessor({"id": "id", "note": "text"})


def test_date_transformer():
    X = pd.DataFrame({"signup": ["2024-01-01", "2023-01-01", None]})
    t = DateAgeTransformer().fit(X)
    assert t.reference_ == pd.Timestamp("2024-01-01")
    np.testing.assert_allclose(t.transform(X).ravel(), [0.0, 365.0, np.nan])
    assert t.get_feature_names_out().tolist() == ["days_since_signup"]
    years = DateAgeTransformer(reference_date="2025-01-01", unit="years").fit(X)
    np.testing.assert_allclose(years.transform(X)[:2, 0], [366 / 365.25, 731 / 365.25])
    assert years.get_feature_names_out().tolist() == ["years_since_signup"]
    assert clone(years).get_params() == {"reference_date": "2025-01-01", "unit": "years"}
    with pytest.raises(DataValueError, match="no parseable dates"):
        DateAgeTransformer().fit(pd.DataFrame({"d": [None, None]}))


@pytest.mark.parametrize("reference, unit", [(None, "days"), ("2025-03-01", "years")])
def test_the_features_measure_ages_as_the_encodings_date_transformer_does(reference, unit):
    # customer_features computes ages without scikit-learn (so that checking an input does not load it); the model's
    # DateAgeTransformer must give the same numbers, from the same reference date
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "x": [1.0, 2.0, 3.0, 4.0],
                       "signup": ["2024-01-31", "2023-06-15 10:30", None, "2024-02-29"],
                       "renewal": ["01/03/2024", "15/01/2024", "28/02/2024", None]})
    roles = {"id": "id", "x": "numeric", "signup": "date", "renewal": "date"}
    f = customer_features(df, roles, reference_date=reference, date_unit=unit)
    t = DateAgeTransformer(reference_date=reference, unit=unit).fit(df[["signup", "renewal"]])
    expected = t.transform(df[["signup", "renewal"]])
    np.testing.assert_array_equal(f[[f"{unit}_since_signup", f"{unit}_since_renewal"]].to_numpy(), expected)
    assert f.attrs["reference_date"] == f"{t.reference_:%Y-%m-%d}"


def test_skew_transformer_contract():
    X = np.random.default_rng(0).lognormal(0, 1, (100, 2))
    t = SkewTransformer(threshold=0.5)
    assert t.fit(X) is t and t.n_features_in_ == 2
    assert t.get_feature_names_out().tolist() == ["x0", "x1"]
    np.testing.assert_allclose(t.transform(X), np.log1p(X))


def test_fitted_preprocessor_pickles(table):
    pre = build_preprocessor(detect_roles(table)).fit(table)
    again = pickle.loads(pickle.dumps(pre))
    np.testing.assert_allclose(again.transform(table), pre.transform(table))


# --- the features table and profiles ---------------------------------------------------------

def test_customer_features(table):
    roles = detect_roles(table)
    f = customer_features(table, roles)
    assert f.index.name == "client_no" and f.index[0] == "1001"
    assert list(f.columns) == ["age", "income", "rating", "store_code", "has_app", "newsletter", "vip", "gender",
                               "tier", "days_since_signup", "days_since_last_visit", "churned"]
    assert f.attrs["outcomes"] == {"churned": "1"} and f["churned"].isin([0.0, 1.0]).all()
    assert isinstance(f["gender"].dtype, pd.CategoricalDtype) and list(f["store_code"].cat.categories) == [
        "10", "20", "35", "99"]
    # reference = latest date of all date columns: 2024-01-01 + 199 days
    assert f.attrs["reference_date"] == "2024-07-18"
    assert f["days_since_last_visit"].min() == 0.0
    assert f["days_since_signup"].iloc[0] == (pd.Timestamp("2024-07-18") - pd.Timestamp("2020-01-01")).days
    assert f.attrs["roles"] == feature_roles(roles)
    assert f.attrs["roles"]["days_since_signup"] == "numeric"
    assert any("excluded" in note and "comment (text)" in note for note in f.attrs["notes"])


def test_customer_features_without_id_and_reference_date():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "when": ["2024-01-01", "2024-01-11", None]})
    f = customer_features(df, {"x": "numeric", "when": "date"}, reference_date="2024-01-31", date_unit="days")
    assert list(f.index) == ["row_0001", "row_0002", "row_0003"]
    assert any("no id column" in n for n in f.attrs["notes"])
    assert f["days_since_when"].tolist()[:2] == [30.0, 20.0] and np.isnan(f["days_since_when"].iloc[2])


def test_customer_features_errors():
    df = pd.DataFrame({"id": ["a", "b", "b"], "x": ["1", "two", "3"]})
    with pytest.raises(ColumnError) as info:
        customer_features(df, {"x": "numeric"})
    assert "1 value is text" in str(info.value) and "'two'" in str(info.value)
    with pytest.raises(DataValueError, match="duplicate"):
        customer_features(df, {"id": "id"})
    with pytest.raises(ColumnError, match="not in the data: 'y'"):
        customer_features(df, {"y": "numeric"})


def test_categorical_profile_known_answer():
    f = pd.DataFrame({"tier": ["Gold", "Gold", "Silver", "Silver", "Silver", None]})
    prof = categorical_profile(f, [0, 0, 0, 1, 1, 1], ["tier"]).set_index(["segment", "level"])
    # overall: Gold 2/6, Silver 3/6, missing 1/6
    assert prof.loc[(0, "Gold"), "share"] == pytest.approx(2 / 3)
    assert prof.loc[(0, "Gold"), "index"] == pytest.approx(200.0)
    assert prof.loc[(1, "Silver"), "index"] == pytest.approx((2 / 3) / 0.5 * 100)
    assert prof.loc[(1, "(missing)"), "count"] == 1
    assert prof.loc[(1, "Gold"), "share"] == 0.0 and prof.loc[(1, "Gold"), "index"] == 0.0
    shares = prof.groupby("segment")["share"].sum()
    np.testing.assert_allclose(shares, 1.0)
    with pytest.raises(DataValueError):
        categorical_profile(f, [0, 1], ["tier"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_skew_transformer_passes_sklearn_checks():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(SkewTransformer())


def test_few_levels_only_count_when_values_repeat():
    few_rows = pd.DataFrame({"age": [19, 35, 64, 41], "flag": [0, 1, 1, 0]})
    assert detect_roles(few_rows) == {"age": "numeric", "flag": "numeric"}
    many_rows = pd.concat([few_rows] * 3, ignore_index=True)
    assert detect_roles(many_rows) == {"age": "categorical", "flag": "boolean"}


def test_aged_dates_gives_the_reference_and_the_ages_of_reading_the_dates_once():
    from segkit.kinds.customers.values import aged_dates, date_ages, reference_date_of

    X = pd.DataFrame({"joined": ["2024-01-01", "2024-03-01", None], "last": ["2024-06-30", "bad", "2024-07-10"]})
    reference, ages = aged_dates(X)
    assert reference == pd.Timestamp("2024-07-10") == reference_date_of(X)  # the latest date of any column
    np.testing.assert_array_equal(ages, date_ages(X, reference))
    np.testing.assert_array_equal(ages[:, 0], [191.0, 131.0, np.nan])
    np.testing.assert_array_equal(ages[:, 1], [10.0, np.nan, 0.0])
    given, years = aged_dates(X, pd.Timestamp("2025-07-10"), "years")  # a given reference, another unit
    assert given == pd.Timestamp("2025-07-10") and years[2, 1] == 365 / 365.25


@pytest.mark.parametrize("name", ["ZIP", "zip_code", "Billing Zip", "PostalCode", "Postcode", "PLZ", "Código Postal"])
def test_a_postal_code_is_personal_data_and_builds_no_segments(name):
    """A CRM export's ZIP column (10 codes, leading zeros) was one-hot encoded and split a planted group of big
    spenders; as numbers (90210) it would be a "measure". A column named as a postal code is left out unless the
    params' roles name it; a zipper size, a postal region or a yes/no column are not postal codes."""
    rng = np.random.default_rng(1)
    zips = rng.choice([f"{z:05d}" for z in range(1002, 1012)], 300)
    df = pd.DataFrame({"customer_id": [f"K{i:03d}" for i in range(300)], name: zips,
                       "as_number": zips.astype(int), "zipper_size": rng.choice(["S", "M", "L"], 300),
                       "postal_region": rng.choice(["North", "South", "East"], 300),
                       "zip_known": rng.choice(["yes", "no"], 300), "spend": rng.gamma(2, 50, 300)})
    roles = detect_roles(df.rename(columns={"as_number": f"{name} "}))  # the same codes read as numbers
    assert roles[name] == roles[f"{name} "] == "personal"
    assert {c: roles[c] for c in ("zipper_size", "postal_region", "zip_known", "spend")} == {
        "zipper_size": "categorical", "postal_region": "categorical", "zip_known": "boolean", "spend": "numeric"}
    assert detect_roles(df, overrides={name: "categorical"})[name] == "categorical"
    table = role_table(df)
    assert "a postal code: personal data" in table.set_index("column").at[name, "reason"]


def test_the_transformed_measures_caption_says_what_the_fitted_transformer_did(tmp_path, monkeypatch):
    """02's second figure said "after the skew transform and scaling" of Delaware's measures, which are only scaled,
    and promised the Mall's transform without naming it; its panels read "Genre_Female"."""
    import matplotlib.pyplot as plt

    from segkit import pipeline, stages
    from segkit.config import params_from_mapping
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "age": rng.normal(40, 10, n).round(),
                       "spend": rng.lognormal(5, 1.2, n).round(2), "Genre": rng.choice(["Female", "Male"], n)})
    folder = RunFolder(tmp_path).ensure()
    for skew, said in [("log", "spend on a log scale, then each measure standardised (mean 0, standard deviation 1); "
                                "each category level a column of 0 and 1."),
                       ("none", "each measure standardised (mean 0, standard deviation 1); each category level a "
                                "column of 0 and 1.")]:
        params = params_from_mapping({"data_kind": "customers", "id_col": "id", "skew": skew,
                                      "labels": {"Genre": "Gender"}})
        fs = pipeline.build_features(params, pipeline.clean_table(params, df)[0])
        shown = stages.features.transformed_distributions(RunContext(params, folder), fs).data
        assert f"The same measures as the clustering compares them: {said}" in shown, shown
    robust = params.model_copy(update={"scaler": "robust"})
    data, fitted = stages.features._transformed(RunContext(robust, folder), fs)
    assert stages.features._how_transformed(fitted, fs, False) == (
        "each measure centred on its median and divided by the spread of its middle half")
    assert {"Genre_Female", "Genre_Male"} <= set(data.columns)
    plt.close("all")
    seen = {}
    monkeypatch.setattr(stages.features, "distributions_figure", lambda table, **kw: seen.update(kw) or plt.figure())
    stages.features.transformed_distributions(RunContext(params, folder), fs)
    assert seen["labels"]["Genre_Female"] == "Gender: Female" and seen["labels"]["Genre_Male"] == "Gender: Male"
    plt.close("all")


def test_a_meaning_that_only_repeats_the_label_says_the_unit():
    """The Mall's features table said "Annual income" means "Annual income", of a column in thousands of dollars."""
    from segkit import pipeline
    from segkit.config import params_from_mapping
    from segkit.stages.features import feature_overview

    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"CustomerID": range(1, 61), "Age": rng.integers(18, 70, 60),
                        "Annual Income (k$)": rng.integers(15, 140, 60),
                        "Spending Score (1-100)": rng.integers(1, 100, 60)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "CustomerID", "currency": "$"})
    fs = pipeline.build_features(params, pipeline.clean_table(params, raw)[0])
    meaning = feature_overview(fs, "$").set_index("Column")["Meaning"]
    assert meaning["Annual Income (k$)"] == "Annual income ($ thousands)" and meaning["Age"] == "Age (years)"
    assert meaning["Spending Score (1-100)"] == "Spending score (1-100)"  # a score: its range is its unit
    assert feature_overview(fs).set_index("Column").at["Annual Income (k$)", "Meaning"] == "Annual income (thousands)"


def test_a_histogram_figure_says_when_it_draws_only_the_first_measures():
    """Delaware's 02 drew 12 of its 30 measures under "Each measure as measured, over all 58 areas"."""
    from segkit.plots.eda import MAX_PANELS
    from segkit.stages.features import _panels_said

    assert _panels_said(MAX_PANELS) == "" and MAX_PANELS == 12
    assert _panels_said(30) == " The first 12 of the 30 measures are drawn (features.parquet holds them all)."
    assert _panels_said(14, "columns", "") == " The first 12 of the 14 columns are drawn."
