"""Census areas through the public in-memory API: ``segment_table(df, data_kind="demographics")`` and the
kind's own functions (k cap, key facts, soft scores and the top-N table, names), on small tables and on
Delaware.

These are the tests of the removed ``segkit.demographics.segment_areas``, ported to the one pipeline the
batch runs. Its defaults differ from the removed ones (seed 42 instead of 0, ``n_init: auto`` instead of
10), so the Delaware segments differ (23/13/12/11/3/1 areas instead of 18/15/10/9/8/3), but every known
answer below holds under both: no number had to change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.preprocessing

import segkit
from segkit.cluster import soft_assign
from segkit.config import params_from_mapping
from segkit.errors import ColumnError, ParamsError, SegmentationError
from segkit.kinds import demographics as demo
from segkit.kinds.demographics.acs import format_area_ids, load_feature_groups
from segkit.kinds.demographics.facts import FACTS, cap_k, key_facts
from segkit.kinds.demographics.groups import FeatureGroup, FeatureSpec

from acs_tables import small_acs

COMMUTE = ["commute_total", "commute_drove_alone", "commute_carpool", "commute_public_transit",
           "commute_walked", "worked_from_home"]


def params(**values):
    return params_from_mapping({"data_kind": "demographics", **values})


def segment(df: pd.DataFrame, **values) -> segkit.Segmentation:
    return segkit.segment_table(df, data_kind="demographics", **values)


def k_of(seg) -> int:
    return len(seg.profile.segments)


def used_source(df: pd.DataFrame, seg) -> pd.DataFrame:
    """The cleaned source rows of the areas segmented, indexed by their 5-character id, in label order."""
    cleaned, _ = demo.clean(df, params())
    source = cleaned.set_index(pd.Index(format_area_ids(cleaned["zcta"]).to_numpy(), name="zcta"))
    return source.loc[seg.labels.index.astype(str)]


@pytest.fixture(scope="module")
def delaware(delaware_csv):
    df = pd.read_csv(delaware_csv)
    return df, segment(df)


@pytest.fixture(scope="module")
def delaware_facts(delaware):
    """Key facts of the Delaware segments (segment x fact and fact_index) and of the whole."""
    df, seg = delaware
    source = used_source(df, seg)
    return key_facts(source, pd.Series(seg.labels.to_numpy(), index=source.index), load_feature_groups())


# ------------------------------------------------------------------------------------------ rules
def test_key_facts_count_each_area_once_as_the_sentences_do():
    """A county table's card read "Median age: 55.0 years (index 155)" beside "55 years vs 43.6 years overall": the
    strip weighed areas by residents (large young counties pulled the whole to 35.5), the sentence counted each area
    once. Every key fact but the population's total now is the mean over the areas."""
    table = pd.DataFrame({"population": [1_000.0, 3_000.0, 100_000.0], "median_age": [60.0, 50.0, 30.0],
                          "median_household_income": [40_000.0, 80_000.0, 90_000.0],
                          "grads": [10.0, 300.0, 0.0], "adults": [100.0, 1_000.0, 0.0]})
    facts, whole = key_facts(table, pd.Series([0, 0, 1]), [FeatureGroup("education", "shares", (
        FeatureSpec("share_bachelors_plus", ("grads",)),), "adults")])
    assert whole["median_age"] == pytest.approx(140 / 3) and whole["median_household_income"] == pytest.approx(70_000)
    assert whole["share_bachelors_plus"] == pytest.approx(0.2)  # (10% + 30%) / 2: an area of no adults has no share
    assert facts.loc[0, "median_age"] == 55 and facts.loc[0, "median_age_index"] == pytest.approx(100 * 55 / (140 / 3))
    assert whole["population"] == 104_000 and facts.loc[0, "population_index"] == pytest.approx(
        100 * 2_000 / (104_000 / 3))


def test_cap_k_rule_and_note():
    assert cap_k(25, 68) == (6, "6 segments: 25 were asked for, but 68 areas support at most 6 (one segment per 10 "
                                "areas); more would be noise.")
    assert cap_k("auto", 63)[0] == 6
    assert cap_k(25, 15)[0] == 2  # floor of 2
    assert cap_k(3, 100) == (3, "3 segments over 100 areas (as asked; at most 10 would fit).")
    assert cap_k("auto", 33_000) == (25, "25 segments over 33,000 areas (the size an area profile aims at; at most "
                                         "3,300 would fit).")
    assert cap_k(25, 68, k_max_share=0.2)[0] == 13


def test_soft_scores_have_known_values():
    # the scoring final_segments relies on: softmax of -distance / temperature, top-N per area
    d = np.array([[0.0, np.log(2), np.log(4)], [np.log(4), 0.0, np.log(2)]])
    soft = soft_assign(d, temperature=1.0, top_n=2)
    assert soft["segment"].tolist() == [0, 1, 1, 2]
    assert soft["rank"].tolist() == [1, 2, 1, 2]
    np.testing.assert_allclose(soft["score"], [4 / 7, 2 / 7, 4 / 7, 2 / 7])
    flat = soft_assign(d, temperature=10.0, top_n=3)
    assert flat["score"].iloc[0] < 4 / 7 and flat.groupby("row")["score"].sum().tolist() == pytest.approx([1, 1])


def test_temperature_flattens_area_scores(delaware):
    df, sharp = delaware
    flat = segment(df, temperature=5.0)
    top = lambda seg, p: demo.final_segments(seg, p).query("rank == 1")["score"].mean()  # noqa: E731
    assert top(flat, params(temperature=5.0)) < top(sharp, params())
    pd.testing.assert_series_equal(flat.labels, sharp.labels)  # scores change, segments do not


# ------------------------------------------------------------------------------------ small tables
def test_sentinels_never_reach_the_scaler(monkeypatch):
    seen = []

    class Spy(sklearn.preprocessing.StandardScaler):
        def fit(self, X, y=None, **kw):
            seen.append(np.array(X, dtype=float))
            return super().fit(X, y, **kw)

    # the kind's preprocessor imports StandardScaler when called, so the spy replaces it in every fit
    monkeypatch.setattr(sklearn.preprocessing, "StandardScaler", Spy)
    df = small_acs()
    df.loc[[1, 2], "median_household_income"] = [-666666666, -999999999]
    df.loc[3, "median_age"] = -888888888
    df.loc[4, "no_vehicle"] = -222222222
    df.loc[5, "median_gross_rent"] = -555555555
    df.loc[6, "median_home_value"] = -333333333  # "too few sample observations" (a margin's code, also estimates')
    seg = segment(df, k=2)
    # segment_table fits the preprocessor more than once (k scores, then the final model): every fit counts
    assert seen
    for X in seen:
        assert np.isfinite(X).all() and X.min() >= 0 and X.max() < 1e3
    validation = seg.features.extra["validation"]
    assert validation["sentinel_counts"] == {"no_vehicle": 1, "median_age": 1, "median_household_income": 2,
                                             "median_gross_rent": 1, "median_home_value": 1}
    counts = seg.features.extra["imputed"]
    assert (counts["log_median_household_income"], counts["median_age"], counts["share_no_vehicle"],
            counts["log_median_gross_rent"]) == (2, 1, 1, 1)


def test_small_table_recovers_the_two_kinds_and_ids_keep_zeros():
    df = small_acs()
    seg = segment(df, k=2, seed=3)
    young = (np.arange(len(df)) % 2 == 0)
    labels = seg.labels.to_numpy()
    assert len(set(labels[young])) == 1 and len(set(labels[~young])) == 1 and labels[0] != labels[1]
    assert seg.labels.index[0] == "01000"
    names = list(seg.profile.names.values())
    assert len(set(names)) == 2 and not any(ch.isdigit() for n in names for ch in n)
    # top_n larger than k lists every segment once
    top = demo.final_segments(seg, params(top_n=5))
    assert len(top) == len(df) * 2
    assert top["zcta"].str.len().eq(5).all()
    assert seg.assignments["zcta"].str.len().eq(5).all()


def test_params_are_checked():
    df = small_acs()
    with pytest.raises(ParamsError, match="did you mean 'top_n'"):
        segment(df, top_m=3)
    with pytest.raises(ParamsError, match="k must be"):
        segment(df, k=1)
    # the message names the key in quotes now (segment_areas said "temperature must be")
    with pytest.raises(ParamsError, match="'temperature' must be above 0"):
        segment(df, temperature=0)
    # keys of the whole segkit params file belong to other steps and are ignored; id_col None means zcta
    seg = segment(df, k=2, customer_col="CustomerID", id_col=None)
    assert k_of(seg) == 2 and seg.features.table.index.name == "zcta"
    assert list(seg.assignments.columns)[0] == "zcta"


def test_dropping_commute_columns_skips_the_group_but_runs(delaware_csv):
    df = pd.read_csv(delaware_csv).drop(columns=COMMUTE)
    seg = segment(df)
    report = seg.features.extra["validation"]
    assert report["missing_columns"] == COMMUTE
    assert report["skipped_groups"] == {"commute": "universe column 'commute_total' is missing"}
    assert not any(f.startswith("share_commute") for f in seg.profile.zscores.columns)
    assert not any(f.startswith("share_commute") for f in seg.features.columns)
    names = list(seg.profile.names.values())
    assert k_of(seg) == 5 and len(set(names)) == len(names)


def test_removing_almost_everything_is_a_clear_error(delaware_csv):
    df = pd.read_csv(delaware_csv)[["zcta", "population", "median_age", "median_household_income"]]
    # segment_table refuses the header before any work (segment_areas raised SegmentationError while
    # building features; the preflight of the batch now names the groups as a ColumnError)
    with pytest.raises(ColumnError) as err:
        segment(df)
    text = str(err.value)
    assert "only 2 ACS feature groups can be built from the input (median_age, income)" in text
    assert "race_total" in text and "Fix: supply the ACS columns" in text
    # the kind's features step, called without the preflight, still says the same
    p = params()
    with pytest.raises(SegmentationError) as err:
        demo.features(demo.clean(df, p)[0], p)
    text = str(err.value)
    assert "only 2 feature groups are usable (median_age, income)" in text
    assert "race_total" in text and "Fix: supply the ACS columns" in text


# ----------------------------------------------------------------------------------------- Delaware
def test_delaware_excluded_areas_and_k_cap(delaware):
    _, seg = delaware
    excluded = pd.DataFrame(seg.features.extra["excluded_areas"])
    zero = excluded[excluded["reason"] == "population is 0"]
    assert sorted(zero["zcta"]) == ["19710", "19716", "19735"]
    # and the 7 with fewer than 500 residents (the default min_population): ACS estimates there are mostly noise
    assert len(excluded) == 10 and len(seg.labels) == 58
    assert "multigenerational_households" in seg.features.extra["validation"]["unusable_columns"]
    note = ("5 segments, as many as 58 areas support (one segment per 10 areas; an area profile uses up to 25, the "
            "size of a national system).")
    # k_requested == 25 of segment_areas: the sentence says what was asked for
    assert k_of(seg) == 5 and seg.features.extra["k_note"] == note
    assert seg.extra["k_rationale"].startswith(note)  # then the criteria's vote, for reference


def test_delaware_segments_have_unique_names_codes_and_key_facts(delaware, delaware_facts):
    df, seg = delaware
    prof = seg.profile
    assert [prof.codes[s] for s in prof.segments] == ["S01", "S02", "S03", "S04", "S05"]
    names = [prof.names[s] for s in prof.segments]
    assert len(set(names)) == len(names) and all(prof.descriptions[s].endswith(".") for s in prof.segments)
    facts, _ = delaware_facts
    assert facts["areas"].iloc[0] == facts["areas"].max()  # segment 0 is the largest
    assert prof.sizes[0] == max(prof.sizes[s] for s in prof.segments)
    # every fact is known but the campus's (19717, a segment of its own: residents, no households, so no household
    # income and no adults 25+ counted)
    campus = seg.labels.loc["19717"]
    assert (seg.labels == campus).sum() == 1
    known = facts.drop(index=campus)[list(FACTS) + [f + "_index" for f in FACTS]]
    assert known.notna().all().all()
    assert facts.loc[campus, ["median_household_income", "share_bachelors_plus"]].isna().all()
    assert facts["areas"].sum() == 58 and facts["areas_index"].sum() == pytest.approx(500)
    # the strip the batch writes to area_key_facts.json holds the same numbers
    source = used_source(df, seg)
    strips = demo.area_key_facts(source, pd.Series(seg.labels.to_numpy(), index=source.index), prof.codes,
                                 prof.names)
    assert [e["code"] for e in strips["segments"]] == ["S01", "S02", "S03", "S04", "S05"]
    for entry in strips["segments"]:
        row = facts.loc[entry["segment"]]
        assert [f["feature"] for f in entry["facts"]] == list(FACTS)
        assert [f["value"] for f in entry["facts"]] == pytest.approx([row[f] for f in FACTS], nan_ok=True)
        assert [np.nan if f["index"] is None else f["index"] for f in entry["facts"]] == pytest.approx(
            [row[f + "_index"] for f in FACTS], nan_ok=True)
    # the beach towns (Rehoboth, Bethany, Lewes) together, older residents (with the export's shifted industry and
    # commute blocks left out; "Affluent Retirees" while the home workers' 13% counted as walkers, "Resort & Second
    # Homes" while its shifted commute shares counted, two of its areas with no empty home)
    beach = seg.labels[["19971", "19930", "19958"]]
    assert beach.nunique() == 1
    assert prof.names[beach.iloc[0]] == "Retirement Communities"
    assert facts.loc[beach.iloc[0], "median_age_index"] > 130


def test_delaware_key_facts_are_honest_aggregates(delaware, delaware_facts):
    df, seg = delaware
    facts, whole = delaware_facts
    used = df[df["zcta"].astype(str).str.zfill(5).isin(seg.labels.index)]
    assert whole["population"] == used["population"].sum()
    grads = used[["bachelors_complete", "masters", "professional", "doctorate"]].sum(axis=1)
    assert whole["share_bachelors_plus"] == pytest.approx((grads / used["total_education_population"]).mean())
    assert whole["median_age"] == pytest.approx(used["median_age"].mean())  # each area once, as the sentences
    one = facts.loc[1]
    assert one["median_age_index"] == pytest.approx(100 * one["median_age"] / whole["median_age"])
    per_area = one["population"] / one["areas"] / (whole["population"] / whole["areas"])
    assert one["population_index"] == pytest.approx(100 * per_area)


def test_delaware_top_n_table(delaware, tmp_path):
    _, seg = delaware
    a = demo.final_segments(seg, params())
    assert list(a.columns) == ["zcta", "segment_code", "segment_name", "score", "rank"]
    assert len(a) == 58 * 5 and a["zcta"].str.len().eq(5).all()
    assert a["score"].between(0, 1).all()
    by_area = a.groupby("zcta")
    assert (by_area["score"].sum() <= 1 + 1e-12).all()
    assert by_area["rank"].apply(list).map(lambda r: r == [1, 2, 3, 4, 5]).all()
    assert by_area["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    own = a[a["rank"] == 1].set_index("zcta")["segment_code"]
    codes = pd.Series(seg.profile.codes)
    assert (own == codes.loc[seg.labels].set_axis(seg.labels.index)).all()
    hard = seg.assignments.set_index("zcta")["segment_code"]
    pd.testing.assert_series_equal(own, hard, check_names=False)
    # written as CSV, ids stay 5-character text and nothing else changes
    path = tmp_path / "final_segments.csv"
    a.to_csv(path, index=False)
    back = pd.read_csv(path, dtype={"zcta": str})
    pd.testing.assert_frame_equal(back, a)


def test_delaware_is_deterministic_for_a_seed(delaware):
    df, seg = delaware
    again = segment(df)
    pd.testing.assert_frame_equal(again.assignments, seg.assignments)
    pd.testing.assert_frame_equal(demo.final_segments(again, params()), demo.final_segments(seg, params()))
    assert again.profile.names == seg.profile.names and again.profile.descriptions == seg.profile.descriptions
    pd.testing.assert_frame_equal(again.profile.zscores, seg.profile.zscores)


def test_county_segments_are_named_counties_not_neighbourhoods():
    """A county table's segments were "Retiree Neighbourhoods" and "Low-Income Affordable Neighbourhoods": areas of a
    Census summary level larger than a neighbourhood (GEO_ID 0500000US...) are called what they are; ZCTAs are not."""
    from segkit.kinds.demographics.notes import in_own_words
    from segkit.naming.base import SegmentName

    names = {0: SegmentName("Retiree Neighbourhoods", "Quiet neighbourhoods with older residents", "Invite them"),
             1: SegmentName("Young Urban Renters", "Young adults renting in town", "")}
    counties = in_own_words(names, ["0500000US17031", "0500000US06037"])
    assert [n.name for n in counties.values()] == ["Retiree Counties", "Young Urban Renters"]
    assert counties[0].description == "Quiet counties with older residents" and counties[0].action == "Invite them"
    assert in_own_words(names, ["8600000US19701", "8600000US19702"]) == names  # ZCTAs: neighbourhoods indeed
    assert in_own_words(names, ["0500000US17031", "8600000US19701"]) == names  # mixed levels: as the lexicon says
    assert in_own_words(names, ["17031", "06037"]) == names  # FIPS codes say no level
