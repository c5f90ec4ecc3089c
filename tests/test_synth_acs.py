"""generate_acs_table: national-size ACS tables with the schema of a real sample, and segment_table on one."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import segkit
import segkit.pipeline
from segkit.config import params_from_mapping
from segkit.errors import ColumnError, ParamsError
from segkit.kinds import demographics as demo
from segkit.kinds.demographics.acs import CENSUS_SENTINELS, build_acs_features, format_area_ids, load_feature_groups
from segkit.kinds.demographics.synth import generate_acs_table

AGES = ["age_0_17", "age_18_34", "age_35_54", "age_55_74", "age_75_plus"]
RACES = ["race_white", "race_black", "race_native", "race_asian", "race_pacific", "race_other", "race_two_or_more"]


@pytest.fixture(scope="module")
def source(delaware_csv):
    return pd.read_csv(delaware_csv)


@pytest.fixture(scope="module")
def big(source):
    start = time.perf_counter()
    table = generate_acs_table(33_000, source=source, seed=0)
    return table, time.perf_counter() - start


def test_schema_and_size(big, source):
    table, seconds = big
    print(f"\ngenerate_acs_table: 33,000 areas in {seconds:.1f} s")  # a number to watch, not a test
    assert table.shape == (33_000, 201)
    assert list(table.columns) == list(source.columns)
    assert table.dtypes.to_dict() == source.dtypes.to_dict()
    zcta = table["zcta"].astype(str).str.zfill(5)
    assert zcta.is_unique and zcta.str.len().eq(5).all()
    assert (table["zcta"] < 10_000).sum() > 1_000  # codes that need their leading zero
    assert (table["fips"] == table["zcta"]).all() and (table["geo_id"] == "860Z200US" + zcta).all()
    assert table["id"].tolist() == list(range(1, 33_001))


def test_deterministic_for_a_seed(source):
    a = generate_acs_table(500, source=source, seed=7)
    pd.testing.assert_frame_equal(a, generate_acs_table(500, source=source, seed=7))
    assert not a["population"].equals(generate_acs_table(500, source=source, seed=8)["population"])


def test_counts_stay_consistent(big):
    table, _ = big
    assert (table[AGES].sum(axis=1) == table["population"]).all()
    assert (table[RACES].sum(axis=1) == table["race_total"]).all()
    assert (table["race_total"] == table["population"]).all()  # equal columns stay equal
    assert table["population"].max() <= 130_000
    for group in load_feature_groups():
        if group.kind != "shares":
            continue
        universe = table[group.universe]
        for spec in group.features:
            cols = [c for c in spec.columns if pd.api.types.is_integer_dtype(table[c])]
            assert (table[cols].sum(axis=1) <= universe).all(), spec.name
    # realistic spread: a typical area is a few thousand people, not a Delaware-sized one
    assert 2_000 < table["population"].median() < 6_000


def test_medians_sentinels_and_empty_areas(big, source):
    table, _ = big
    for col in ["median_household_income", "median_home_value", "median_gross_rent", "median_age"]:
        values = table[col][~table[col].isin(CENSUS_SENTINELS)].dropna()
        assert (values > 0).all(), col
    assert table["median_household_income"].max() <= 250_001
    sentinel_rate = table["median_age"].isin(CENSUS_SENTINELS).mean()
    source_rate = source["median_age"].isin(CENSUS_SENTINELS).mean()
    assert abs(sentinel_rate - source_rate) < 0.02
    zero_rate = (table["population"] == 0).mean()
    assert abs(zero_rate - (source["population"] == 0).mean()) < 0.02 and zero_rate > 0
    assert table["multigenerational_households"].isna().all()  # empty stays empty
    assert table["median_household_income"].std() > source["median_household_income"].std()  # not copies


def test_shares_within_unit_interval_after_features(big):
    table, _ = big
    feats = build_acs_features(table)
    shares = feats.raw.filter(like="share_")
    assert ((shares.dropna(how="all") >= 0) | shares.dropna(how="all").isna()).all().all()
    assert (shares.max() <= 1).all()
    assert (feats.imputation.clipped == 0).all()  # nothing had to be clipped
    assert set(feats.excluded["reason"].str.split().str[:3].str.join(" ")) <= {
        "population is 0", *{f"population {p} is" for p in range(1, 100)}}


def test_text_ids_in_the_source_stay_text(source):
    text = source.assign(zcta=source["zcta"].astype(str), fips=source["fips"].astype(str))
    table = generate_acs_table(2_000, source=text, seed=1)
    assert table["zcta"].dtype == text["zcta"].dtype
    assert table["zcta"].str.fullmatch(r"\d{5}").all() and table["zcta"].str.startswith("0").any()


def test_bad_arguments(source):
    with pytest.raises(ParamsError, match="n_areas"):
        generate_acs_table(0, source=source)
    with pytest.raises(ColumnError, match="population"):
        generate_acs_table(10, source=source.drop(columns="population"))


@pytest.mark.slow
def test_segment_table_runs_on_33k_areas(big, monkeypatch):
    table, _ = big
    # Kept fast on the batch's own code path: the forest behind the segments' "set apart by" sentences
    # (pipeline.explain, asserted nowhere here) takes about 50 s at 25 segments x 45 features on
    # 33k areas, so it is stubbed; k_max, bootstrap and gap_references only shrink the criteria's scores,
    # which the demographics kind shows for reference while its own rule fixes k.
    monkeypatch.setattr(segkit.pipeline, "explain", lambda *args, **kwargs: None)
    start = time.perf_counter()
    seg = segkit.segment_table(table, data_kind="demographics", k=25, k_max=3, bootstrap=1, gap_references=2)
    final = demo.final_segments(seg, params_from_mapping({"data_kind": "demographics"}))
    seconds = time.perf_counter() - start
    n = len(seg.labels)
    excluded = seg.features.extra["excluded_areas"]
    assert len(seg.profile.segments) == 25 and "would fit" in seg.extra["k_rationale"]
    names = [seg.profile.names[s] for s in seg.profile.segments]
    assert len(set(names)) == len(names) == 25
    # every area is either segmented (with its top 5) or listed as excluded with a reason
    assert len(final) == n * 5 and n == 33_000 - len(excluded)
    assert final["zcta"].nunique() == n and final.groupby("zcta")["rank"].min().eq(1).all()
    assert set(final["zcta"]) | {e["zcta"] for e in excluded} == set(format_area_ids(table["zcta"]))
    assert final["score"].between(0, 1).all()
    print(f"\nsegment_table (drivers stubbed) + final_segments on {n:,} areas, k=25: {seconds:.1f} s")
