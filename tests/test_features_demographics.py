"""ACS features: sentinels, validation report, exclusion of small areas, shares, imputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.errors import ColumnError, DataFileError, DataValueError, SegmentationError
from segkit.kinds.demographics.acs import (CENSUS_SENTINELS, build_acs_features, format_area_ids,
                                          load_feature_groups, replace_sentinels, validate_acs_table)

from acs_tables import small_acs as shared_small_acs


def small_acs(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """An ACS-like table with six feature groups and two kinds of area (young renters, older owners)."""
    return shared_small_acs(n, seed).drop(columns=['household_total'])


def test_replace_sentinels_turns_every_census_code_into_nan():
    assert -333333333 in CENSUS_SENTINELS and len(CENSUS_SENTINELS) == 6  # the six codes of the Census API
    n = len(CENSUS_SENTINELS) + 1
    df = pd.DataFrame({"a": [1, *CENSUS_SENTINELS], "b": [2.5] * n, "name": ["x"] * n})
    clean, counts = replace_sentinels(df)
    assert counts == {"a": n - 1}
    assert clean["a"].tolist()[0] == 1 and clean["a"].isna().sum() == n - 1
    assert clean["b"].tolist() == [2.5] * n and clean["name"].tolist() == ["x"] * n
    assert df["a"].min() == -999999999  # the input is not modified


def test_format_area_ids_keeps_leading_zeros():
    assert format_area_ids(pd.Series([1001, 19701, 501])).tolist() == ["01001", "19701", "00501"]
    assert format_area_ids(pd.Series(["1001", " 02134"])).tolist() == ["01001", "02134"]
    with pytest.raises(DataValueError, match="missing or fractional"):
        format_area_ids(pd.Series([1001.0, np.nan], name="zcta"))


def test_shares_and_medians_have_known_values():
    df = small_acs()
    feats = build_acs_features(df, min_groups=3)
    row = df.iloc[3]
    got = feats.raw.loc["01021"]
    assert feats.raw.index[3] == "01021"
    assert got["share_renters"] == pytest.approx(row["renter_occupied"] / row["tenure_total"])
    assert got["share_age_75_plus"] == pytest.approx(row["age_75_plus"] / row["population"])
    assert got["log_median_household_income"] == pytest.approx(np.log(row["median_household_income"]))
    assert got["median_age"] == pytest.approx(row["median_age"])
    shares = feats.imputed.filter(like="share_")
    assert ((shares >= 0) & (shares <= 1)).all().all()
    assert feats.validation.used_groups == ["age", "vehicles", "poverty", "tenure", "median_age", "income",
                                            "housing_costs"]


def test_sentinels_become_missing_and_are_imputed_and_counted():
    df = small_acs()
    df.loc[[1, 2, 5], "median_household_income"] = [-666666666, -999999999, -222222222]
    df.loc[[4], "renter_occupied"] = -888888888
    df.loc[[6, 7], "median_age"] = -555555555
    feats = build_acs_features(df)
    assert feats.validation.sentinel_counts == {"renter_occupied": 1, "median_age": 2,
                                                "median_household_income": 3}
    counts = feats.imputation.counts
    assert counts["log_median_household_income"] == 3
    assert counts["share_renters"] == 1 and counts["median_age"] == 2
    assert counts["share_age_0_17"] == 0
    X = feats.imputed
    assert not X.isna().any().any()
    assert X.to_numpy().min() >= 0 and X["median_age"].min() > 20  # no sentinel leaked
    # the fill value is the median of the other areas
    others = np.log(df["median_household_income"].drop([1, 2, 5]))
    assert X["log_median_household_income"].iloc[1] == pytest.approx(others.median())


def test_small_areas_are_excluded_with_a_reason():
    df = small_acs()
    df.loc[0, ["population"] + [c for c in df if c.startswith("age_")]] = 0
    df.loc[1, "population"] = 50
    feats = build_acs_features(df, min_population=100)
    ex = feats.excluded.set_index("zcta")
    assert ex.loc["01000", "reason"] == "population is 0"
    assert ex.loc["01007", "reason"] == "population 50 is below min_population=100"
    assert len(feats.raw) == len(df) - 2 and "01000" not in feats.raw.index
    assert len(build_acs_features(df, min_population=0).excluded) == 1  # zero population is always out


def test_validation_names_missing_columns_and_skipped_groups():
    df = small_acs().drop(columns=["tenure_total", "no_vehicle"])
    report = validate_acs_table(df)
    assert "tenure_total" in report.missing_columns and "no_vehicle" in report.missing_columns
    assert report.skipped_groups["tenure"] == "universe column 'tenure_total' is missing"
    assert report.skipped_groups["vehicles"] == "no usable column among no_vehicle"
    assert report.dropped_features["share_no_vehicle"] == "missing column no_vehicle"
    assert "tenure" not in report.used_groups and "share_renters" not in report.features
    assert any("Group 'tenure' skipped" in line for line in report.summary())


def test_too_few_groups_and_areas_fail_clearly():
    df = small_acs()
    keep = ["zcta", "population", "age_0_17", "age_18_34", "age_35_54", "age_55_74", "age_75_plus",
            "median_age"]
    with pytest.raises(SegmentationError, match=r"only 2 feature groups are usable \(age, median_age\)"):
        build_acs_features(df[keep])
    with pytest.raises(DataValueError, match="only 10 area"):
        build_acs_features(small_acs(10))
    with pytest.raises(ColumnError, match="'population'"):
        build_acs_features(df.drop(columns="population"))
    dup = df.copy()
    dup.loc[1, "zcta"] = dup.loc[0, "zcta"]
    with pytest.raises(DataValueError, match="repeat"):
        build_acs_features(dup)


def test_groups_file_can_be_extended_without_code(tmp_path):
    groups = load_feature_groups()
    assert {g.name for g in groups} >= {"age", "race", "education", "households", "industry", "commute",
                                        "vehicles", "poverty"}
    extra = {"groups": [{"name": "tenure", "universe": "tenure_total",
                         "members": {"share_owners": "owner_occupied"}},
                        {"name": "age", "universe": "population", "members": {"share_kids": "age_0_17"}},
                        {"name": "money", "medians": {"log_rent": {"column": "median_gross_rent",
                                                                   "transform": "log"}}}]}
    df = small_acs()
    df["owner_occupied"] = df["tenure_total"] - df["renter_occupied"]
    feats = build_acs_features(df, load_feature_groups(extra))
    assert list(feats.raw.columns) == ["share_owners", "share_kids", "log_rent"]
    bad = tmp_path / "groups.yaml"
    bad.write_text("groups:\n  - name: x\n    universe: population\n")
    with pytest.raises(DataFileError, match="exactly one of 'members'"):
        load_feature_groups(bad)


def test_delaware_quirks(delaware_csv):
    df = pd.read_csv(delaware_csv)
    feats = build_acs_features(df)
    report = feats.validation
    assert report.sentinel_counts == {"median_age": 4, "gini_index": 6, "median_rent_as_pct_income": 13}
    assert report.unusable_columns == ["multigenerational_households"]
    assert report.dropped_features == {"share_multigenerational": "empty column multigenerational_households"}
    assert report.missing_columns == [] and report.skipped_groups == {}
    assert report.suspect_columns == {"industry_agriculture_forestry_fishing": "occupation_male_total"}
    assert set(feats.excluded["zcta"]) == {"19735", "19716", "19710", "19736", "19902"}
    zero = feats.excluded[feats.excluded["population"] == 0]
    assert sorted(zero["zcta"]) == ["19710", "19716", "19735"]
    assert len(feats.imputed) == 63 and feats.imputed.notna().all().all()
    # 19717 (university dorms) has people but no households: household shares are imputed
    assert feats.raw.loc["19717", "share_renters"] != feats.raw.loc["19717", "share_renters"]
    assert feats.imputation.counts["share_renters"] == 1
    assert feats.imputation.counts["log_median_gross_rent"] == 10


def _families(fathers: list[int], mothers: list[int]) -> pd.DataFrame:
    n = len(fathers)
    return pd.DataFrame({"household_total": [2000] * n, "married_couple_with_children": [400] * n,
                         "single_female_with_children": mothers, "single_male_with_children": fathers})


@pytest.mark.parametrize("fathers, mothers, warned", [
    ([0, 0, 8, 0, 0, 0, 0, 0, 0, 0], [120] * 10, True),  # 8 against 1,200: under a twentieth (Delaware's 327/31,799)
    ([15, 30, 25, 40, 20, 30, 35, 25, 30, 50], [120] * 10, False),  # about a quarter, as the census has it
    ([6] * 10, [120] * 10, False),  # exactly a twentieth: the rule's bound
    ([0] * 10, [0] * 10, False),  # no single parents at all: nothing to compare
])
def test_a_column_too_small_to_be_what_it_is_named_for_is_warned_of(fathers, mothers, warned):
    """Single fathers summing to under a twentieth of single mothers (about a quarter in the US) are some other line
    of ACS B11003: the two features built from them are understated, kept, and said so (``at_least``)."""
    from segkit.kinds.demographics.shifted import too_small, too_small_notes

    groups = load_feature_groups()
    labels = {"share_households_with_children": "Households with children",
              "share_single_parent": "Single-parent households"}
    found = too_small(groups, _families(fathers, mothers))
    notes = too_small_notes(found, labels, {"single_male_with_children": "B11003"})
    if not warned:
        assert notes == []
        return
    assert notes == [f"Warning: single_male_with_children sums to {sum(fathers):,} over the areas, "
                     f"{sum(fathers) / sum(mothers):.0%} of single_female_with_children ({sum(mothers):,}), whereas "
                     "single fathers are about a quarter of the single parents with children under 18 in the US: the "
                     "column looks like another line of ACS table B11003, so the shares of households with children "
                     "and single-parent households are understated."]
    # only the features used are named; none used, no warning; a table without the columns, none
    used = too_small_notes(too_small(groups, _families(fathers, mothers), used=["share_single_parent"]), labels, {})
    assert used[0].endswith("another line of its table, so the share of single-parent households is understated.")
    # 2 against 1,200: not "0%"
    few = too_small_notes(too_small(groups, _families([0] * 9 + [2], [120] * 10)), labels, {})
    assert "sums to 2 over the areas, under 1% of single_female_with_children (1,200)" in few[0]
    assert too_small_notes(too_small(groups, _families(fathers, mothers), used=["share_renters"]), labels, {}) == []
    without = _families(fathers, mothers).drop(columns="single_female_with_children")
    assert too_small_notes(too_small(groups, without), labels, {}) == []


@pytest.mark.parametrize("rule, problem", [
    ({"single_male_with_children": {"of": "single_female_with_children", "share": 1.5, "said": "x"}}, "share"),
    ({"single_male_with_children": {"of": "population", "share": 0.05, "said": "x"}}, "not a member"),
    ({"household_total": {"of": "single_female_with_children", "share": 0.05, "said": "x"}}, "the universe"),
    ({"single_male_with_children": {"of": "single_female_with_children", "share": 0.05}}, "no words"),
    ({"single_male_with_children": {"of": "single_male_with_children", "share": 0.05, "said": "x"}}, "itself"),
    ({"single_male_with_children": {"of": "single_female_with_children", "share": True, "said": "x"}}, "a bool"),
    (["single_male_with_children"], "a list"),
])
def test_a_groups_file_at_least_rule_is_checked(rule, problem):
    members = {"share_single_parent": ["single_female_with_children", "single_male_with_children"]}
    groups = {"groups": [{"name": "households", "universe": "household_total", "members": members, "at_least": rule}]}
    with pytest.raises(DataFileError, match="'at_least' must map a member column to"):
        load_feature_groups(groups)
