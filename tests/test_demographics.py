"""segment_areas: k cap, key facts, soft assignment, names, reports, on small tables and on Delaware."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segkit.demographics as demo
from segkit.demographics import cap_k, segment_areas
from segkit.errors import ParamsError, SegmentationError

from acs_tables import small_acs

COMMUTE = ["commute_total", "commute_drove_alone", "commute_carpool", "commute_public_transit",
           "commute_walked", "worked_from_home"]


@pytest.fixture(scope="module")
def delaware(delaware_csv):
    df = pd.read_csv(delaware_csv)
    return df, segment_areas(df)


# ------------------------------------------------------------------------------------------ rules
def test_cap_k_rule_and_note():
    assert cap_k(25, 68) == (6, "25 segments over 68 areas would be noise; capped at 6 "
                                "(at most one segment per 10 areas).")
    assert cap_k("auto", 63)[0] == 6
    assert cap_k(25, 15)[0] == 2  # floor of 2
    assert cap_k(3, 100) == (3, "3 segments over 100 areas (asked for 3; the cap is 10).")
    assert cap_k("auto", 33_000) == (25, "25 segments over 33,000 areas (k=auto asks for 25; the cap is 3300).")
    assert cap_k(25, 68, k_max_share=0.2)[0] == 13


def test_soft_scores_have_known_values():
    # the scoring segment_areas relies on: softmax of -distance / temperature, top-N per area
    d = np.array([[0.0, np.log(2), np.log(4)], [np.log(4), 0.0, np.log(2)]])
    soft = demo.soft_assign(d, temperature=1.0, top_n=2)
    assert soft["segment"].tolist() == [0, 1, 1, 2]
    assert soft["rank"].tolist() == [1, 2, 1, 2]
    np.testing.assert_allclose(soft["score"], [4 / 7, 2 / 7, 4 / 7, 2 / 7])
    flat = demo.soft_assign(d, temperature=10.0, top_n=3)
    assert flat["score"].iloc[0] < 4 / 7 and flat.groupby("row")["score"].sum().tolist() == pytest.approx([1, 1])


def test_temperature_flattens_area_scores(delaware):
    df, sharp = delaware
    flat = segment_areas(df, temperature=5.0)
    top = lambda r: r.assignments.loc[r.assignments["rank"] == 1, "score"].mean()  # noqa: E731
    assert top(flat) < top(sharp)
    pd.testing.assert_series_equal(flat.labels, sharp.labels)  # scores change, segments do not


# ------------------------------------------------------------------------------------ small tables
def test_sentinels_never_reach_the_scaler(monkeypatch):
    seen = []

    class Spy(demo.StandardScaler):
        def fit_transform(self, X, y=None, **kw):
            seen.append(np.array(X, dtype=float))
            return super().fit_transform(X, y, **kw)

    monkeypatch.setattr(demo, "StandardScaler", Spy)
    df = small_acs()
    df.loc[[1, 2], "median_household_income"] = [-666666666, -999999999]
    df.loc[3, "median_age"] = -888888888
    df.loc[4, "no_vehicle"] = -222222222
    df.loc[5, "median_gross_rent"] = -555555555
    result = segment_areas(df, k=2)
    (X,) = seen
    assert np.isfinite(X).all() and X.min() >= 0 and X.max() < 1e3
    assert result.validation.sentinel_counts == {"no_vehicle": 1, "median_age": 1, "median_household_income": 2,
                                                 "median_gross_rent": 1}
    counts = result.imputation.counts
    assert (counts["log_median_household_income"], counts["median_age"], counts["share_no_vehicle"],
            counts["log_median_gross_rent"]) == (2, 1, 1, 1)


def test_small_table_recovers_the_two_kinds_and_ids_keep_zeros():
    df = small_acs()
    result = segment_areas(df, k=2, seed=3)
    young = (np.arange(len(df)) % 2 == 0)
    labels = result.labels.to_numpy()
    assert len(set(labels[young])) == 1 and len(set(labels[~young])) == 1 and labels[0] != labels[1]
    assert result.labels.index[0] == "01000"
    names = result.profiles["segment_name"].tolist()
    assert len(set(names)) == 2 and not any(ch.isdigit() for n in names for ch in n)
    # top_n larger than k lists every segment once
    assert len(result.assignments) == len(df) * 2
    assert result.assignments["zcta"].str.len().eq(5).all()


def test_params_are_checked():
    df = small_acs()
    with pytest.raises(ParamsError, match="did you mean 'top_n'"):
        segment_areas(df, top_m=3)
    with pytest.raises(ParamsError, match="k must be"):
        segment_areas(df, k=1)
    with pytest.raises(ParamsError, match="temperature must be"):
        segment_areas(df, {"temperature": 0})
    # keys of the whole segkit params file belong to other steps and are ignored
    out = segment_areas(df, {"k": 2, "customer_col": "CustomerID", "id_col": None})
    assert out.k == 2 and out.params["id_col"] == "zcta"


def test_dropping_commute_columns_skips_the_group_but_runs(delaware_csv):
    df = pd.read_csv(delaware_csv).drop(columns=COMMUTE)
    result = segment_areas(df)
    report = result.validation
    assert report.missing_columns == COMMUTE
    assert report.skipped_groups == {"commute": "universe column 'commute_total' is missing"}
    assert not any(f.startswith("share_commute") for f in result.zscores.columns)
    assert result.k == 6 and result.profiles["segment_name"].is_unique


def test_removing_almost_everything_is_a_clear_error(delaware_csv):
    df = pd.read_csv(delaware_csv)[["zcta", "population", "median_age", "median_household_income"]]
    with pytest.raises(SegmentationError) as err:
        segment_areas(df)
    text = str(err.value)
    assert "only 2 feature group(s) are usable (median_age, income)" in text
    assert "race_total" in text and "Fix: supply the ACS columns" in text


# ----------------------------------------------------------------------------------------- Delaware
def test_delaware_excluded_areas_and_k_cap(delaware):
    _, result = delaware
    zero = result.excluded[result.excluded["reason"] == "population is 0"]
    assert sorted(zero["zcta"]) == ["19710", "19716", "19735"]
    assert len(result.excluded) == 5 and len(result.labels) == 63
    assert "multigenerational_households" in result.validation.unusable_columns
    assert result.k == 6 and result.k_requested == 25
    assert result.k_note == ("25 segments over 63 areas would be noise; capped at 6 "
                             "(at most one segment per 10 areas).")


def test_delaware_segments_have_unique_names_codes_and_key_facts(delaware):
    _, result = delaware
    prof = result.profiles
    assert prof["segment_code"].tolist() == ["S01", "S02", "S03", "S04", "S05", "S06"]
    assert prof["segment_name"].is_unique and prof["description"].str.endswith(".").all()
    assert prof["areas"].iloc[0] == prof["areas"].max()  # segment 0 is the largest
    facts = ["areas", "population", "median_age", "median_household_income", "share_bachelors_plus"]
    assert prof[facts + [f + "_index" for f in facts]].notna().all().all()
    assert prof["areas"].sum() == 63 and prof["areas_index"].sum() == pytest.approx(600)
    # Resort & Second Homes: the beach towns (Rehoboth, Bethany, Lewes) and no town in New Castle County
    beach = result.labels[["19971", "19930", "19958"]]
    assert beach.nunique() == 1
    assert prof.loc[beach.iloc[0], "segment_name"] == "Resort & Second Homes"
    assert prof.loc[beach.iloc[0], "median_age_index"] > 130


def test_delaware_key_facts_are_honest_aggregates(delaware):
    df, result = delaware
    used = df[df["zcta"].astype(str).str.zfill(5).isin(result.labels.index)]
    whole = result.whole
    assert whole["population"] == used["population"].sum()
    grads = used[["bachelors_complete", "masters", "professional", "doctorate"]].sum(axis=1).sum()
    assert whole["share_bachelors_plus"] == pytest.approx(grads / used["total_education_population"].sum())
    assert whole["median_age"] == pytest.approx(np.average(used["median_age"], weights=used["population"]))
    seg = result.profiles.iloc[1]
    assert seg["median_age_index"] == pytest.approx(100 * seg["median_age"] / whole["median_age"])
    per_area = seg["population"] / seg["areas"] / (whole["population"] / whole["areas"])
    assert seg["population_index"] == pytest.approx(100 * per_area)


def test_delaware_top_n_table(delaware, tmp_path):
    _, result = delaware
    a = result.assignments
    assert list(a.columns) == ["zcta", "segment_code", "segment_name", "score", "rank"]
    assert len(a) == 63 * 5 and a["zcta"].str.len().eq(5).all()
    assert a["score"].between(0, 1).all()
    by_area = a.groupby("zcta")
    assert (by_area["score"].sum() <= 1 + 1e-12).all()
    assert by_area["rank"].apply(list).map(lambda r: r == [1, 2, 3, 4, 5]).all()
    assert by_area["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    own = a[a["rank"] == 1].set_index("zcta")["segment_code"]
    codes = result.profiles["segment_code"]
    assert (own == codes.loc[result.labels].set_axis(result.labels.index)).all()
    path = result.write_final_segments(tmp_path / "final_segments.csv")
    back = pd.read_csv(path, dtype={"zcta": str})
    pd.testing.assert_frame_equal(back, a)


def test_delaware_is_deterministic_for_a_seed(delaware):
    df, result = delaware
    again = segment_areas(df)
    pd.testing.assert_frame_equal(again.assignments, result.assignments)
    pd.testing.assert_frame_equal(again.profiles, result.profiles)
