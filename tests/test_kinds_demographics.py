"""The demographics data kind: what the generic stages get for census areas (ZCTAs)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import kinds, pipeline, stages
from segkit.config import params_from_mapping
from segkit.errors import ColumnError, ParamsError
from segkit.io import RunFolder
from segkit.kinds.demographics import LEXICON as ACS_LEXICON
from segkit.naming.lexicon import load_lexicon, name_segments_from_lexicon
from segkit.stages import RunContext
from segkit.profile import profile_segments

from acs_tables import small_acs as shared_small_acs

ROOT = Path(__file__).resolve().parents[1]
DELAWARE = ROOT / "data" / "acs_delaware.csv"
demo = kinds.get("demographics")


def params(**values):
    return params_from_mapping({"data_kind": "demographics", "id_col": "zcta", **values})


def small_acs(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Five usable feature groups, two kinds of area (young renters, older owners); ids below 10000."""
    return shared_small_acs(n, seed).drop(columns=['poverty_total', 'income_below_poverty', 'median_gross_rent'])


@pytest.fixture(scope="module")
def delaware() -> pd.DataFrame:
    return pd.read_csv(DELAWARE)


@pytest.fixture(scope="module")
def delaware_run(tmp_path_factory, delaware):
    """The stages 01-05 in plain Python on the bundled Delaware table (k from the kind's rule)."""
    p = params(data_path=str(DELAWARE), n_init=4, bootstrap=3, currency="$")
    nb = RunContext(params=p, folder=RunFolder(tmp_path_factory.mktemp("acs")).ensure())
    raw = stages.eda.load(nb)
    stages.eda.clean(nb, raw)
    fs = stages.features.build_features(nb)
    k, note = demo.choose_k(p, len(fs.table))
    seg = stages.profile.segment(nb, k=k)
    return nb, fs, seg, k, note


# ------------------------------------------------------------------------------------ preflight
def test_check_columns_names_what_is_missing(delaware):
    demo.check_columns(params(), list(delaware.columns))
    with pytest.raises(ColumnError) as err:
        demo.check_columns(params(id_col="zip"), list(delaware.columns))
    assert err.value.key == "id_col" and "zip" in err.value.message
    with pytest.raises(ColumnError, match="population"):
        demo.check_columns(params(), [c for c in delaware.columns if c != "population"])
    with pytest.raises(ColumnError, match="at least 3 are needed") as err:
        demo.check_columns(params(), ["zcta", "population", "age_0_17", "median_age"])
    assert "household_total" in err.value.message


# ---------------------------------------------------------------------------------------- clean
def test_clean_sets_sentinels_missing_and_lists_small_areas(tmp_path):
    df = small_acs()
    df.loc[1, "median_age"] = -666666666
    df.loc[[2, 3], "population"] = [0, 60]
    df.loc[4, "population"] = np.nan
    cleaned, log = demo.clean(df, params(min_population=100))
    assert log.rows_in == 40 and log.rows_out == 37
    assert log["census_sentinels"].rows_removed == 0 and "median_age: 1" in log["census_sentinels"].note
    assert log["no_population"].rows_removed == 2 and log["no_population"].note == "01014, 01028"
    assert log["small_population"].rows_removed == 1 and log["small_population"].note == "01021 (60)"
    assert cleaned["zcta"].tolist()[:2] == ["01000", "01007"] and cleaned["median_age"].isna().sum() == 1
    assert (cleaned["median_age"] > -1).sum() == 36
    excluded = json.loads(cleaned.attrs["excluded_areas"])
    assert [e["zcta"] for e in excluded] == ["01014", "01021", "01028"]
    assert [e["reason"] for e in excluded] == ["population is 0", "population 60 is below min_population=100",
                                              "population is missing"]
    # the list travels with clean.parquet to the features step
    folder = RunFolder(tmp_path).ensure()
    folder.write_parquet("clean.parquet", cleaned.reset_index(drop=True))
    assert json.loads(folder.read_parquet("clean.parquet").attrs["excluded_areas"]) == excluded


def test_areas_left_out_are_listed_by_the_names_the_table_gives_them():
    """A county download (GEO_ID, NAME): the notes listed "0500000US01001"; a reader knows "Autauga County, Alabama".
    Names that only restate the id (a ZCTA's "ZCTA5 01000") are not used."""
    df = small_acs(24)
    df.loc[[2, 3], "population"] = [0, 60]
    counties = df.assign(NAME=[f"County {i}, State" for i in range(24)])
    cleaned, log = demo.clean(counties, params(min_population=100))
    assert log["no_population"].note == "County 2, State" and log["small_population"].note == "County 3, State (60)"
    excluded = json.loads(cleaned.attrs["excluded_areas"])
    ids = [f"{z:05d}" for z in df["zcta"]]
    assert [(e["zcta"], e["name"]) for e in excluded] == [(ids[2], "County 2, State"), (ids[3], "County 3, State")]
    fs = demo.features(cleaned, params(min_population=100))
    assert any("2 areas were left out of the segmentation: 1 with no residents (County 2, State); 1 with fewer "
               "than 100 residents (County 3, State (60))." in n for n in fs.notes)
    zctas = df.assign(NAME=[f"ZCTA5 {z}" for z in ids])
    cleaned, log = demo.clean(zctas, params(min_population=100))
    assert log["no_population"].note == ids[2] and "name" not in json.loads(cleaned.attrs["excluded_areas"])[0]


def test_the_final_segments_name_each_area_where_the_table_names_it(tmp_path):
    df = small_acs(40)
    df["NAME"] = [f"County {i}, State" for i in range(40)]
    df.to_csv(tmp_path / "counties.csv", index=False)
    nb = RunContext(params=params(data_path=str(tmp_path / "counties.csv"), n_init=2, bootstrap=2),
                    folder=RunFolder(tmp_path / "run").ensure())
    stages.eda.clean(nb, stages.eda.load(nb))
    stages.features.build_features(nb)
    seg = stages.profile.segment(nb, k=3)
    final = pd.read_csv(tmp_path / "run" / "artifacts" / "final_segments.csv", dtype={"zcta": str})
    assert list(final.columns[:2]) == ["zcta", "name"]
    assert final["zcta"].nunique() == 40  # every area, each with the name its row gave it
    named = {f"{z:05d}": f"County {i}, State" for i, z in enumerate(df["zcta"])}
    assert dict(zip(final["zcta"], final["name"])) == named
    # the cards name each segment's most typical areas the same way, the nearest its centre first
    cards = {c["code"]: c for c in seg.cards()}
    for code, group in seg.assignments.groupby("segment_code"):
        nearest = group.sort_values(["distance_to_centre", "zcta"], kind="stable")["zcta"].head(5)
        assert cards[code]["members_label"] == "Typical areas"
        assert cards[code]["facts_label"] == ""  # the census strip's facts say what they are in their labels
        assert cards[code]["members"].startswith("; ".join(named[z] for z in nearest) + " (")


def test_repeated_area_ids_are_refused():
    df = small_acs()
    df.loc[1, "zcta"] = df.loc[0, "zcta"]
    with pytest.raises(Exception, match="repeat"):
        demo.clean(df, params())


# ------------------------------------------------------------------------------------- features
def test_features_of_delaware(delaware):
    p = params()
    cleaned, _ = demo.clean(delaware, p)
    fs = demo.features(cleaned, p)
    assert fs.entity == "areas" and fs.table.index.name == "zcta" and len(fs.table) == 58
    assert all(isinstance(z, str) and len(z) == 5 for z in fs.table.index)
    assert len(fs.columns) == 30 and "share_multigenerational" not in fs.columns
    # "commuters who walk" are commute_total minus commute_time_total in every row: the home workers (13%)
    assert "share_commute_walked" not in fs.columns and fs.extra["left_out"]["share_commute_walked"] == (
        "its column commute_walked equals commute_total minus commute_time_total in every row: those who worked from "
        "home, not what its name says")
    # built from a column equal to another in every row: left out, with a note; kept when asked for. Its group's
    # other features too: the block is shifted (the male workers under "agriculture", mining equal to construction
    # in 57 of 68 areas), and its retail jobs named a segment "Affluent Professionals"
    assert not [c for c in fs.columns if c.startswith("share_industry_")]
    assert any("left out of the features" in n and "industry_agriculture_forestry_fishing" in n for n in fs.notes)
    assert fs.extra["left_out"]["share_industry_retail_hospitality"].endswith(
        "equals occupation_male_total in every row and its industry_mining repeats industry_construction in 77% of the "
        "areas: the industry columns look shifted in the export, so none is trusted")
    # one equal pair by chance (two sparse counts) leaves out the features built from it, not their groups
    chance = delaware.assign(race_pacific=delaware["commute_public_transit"].fillna(0))
    fs = demo.features(demo.clean(chance, p)[0], p)
    out = fs.extra["left_out"]
    assert {"share_other_race", "share_commute_transit"} <= set(out) or any("race_pacific" in w for w in out.values())
    assert not any("race columns look shifted" in w for w in out.values()) and "share_white" in fs.columns
    # the commute block is shifted for its own reason: its walkers' column holds the home workers beside a
    # worked_from_home of 6% (a "carpool" share of 0 in areas of 4,000 commuters), so none of it is trusted
    assert not [c for c in fs.columns if c.startswith("share_commute_") or c == "share_worked_from_home"]
    assert out["share_commute_carpool"] == (
        "the commute group's column commute_walked holds those who worked from home (commute_total minus "
        "commute_time_total in every row), whom another of its columns is named for: the commute columns look shifted "
        "in the export, so none is trusted")
    asked = demo.features(cleaned, params(features=["share_industry_agriculture", "share_age_18_34"]))
    assert asked.columns == ["share_industry_agriculture", "share_age_18_34"]
    # its single fathers are 327 against 31,750 single mothers (about a quarter in the US): said, on 02 and by the check
    assert fs.extra["too_small"] == [n for n in fs.notes if "single_male_with_children sums to 327" in n] != []
    assert "the shares of households with children and single-parent households are understated" in \
        fs.extra["too_small"][0]
    assert [f.message for f in demo.feature_findings(fs, p) if "sums to 327" in f.message]
    assert fs.extra["understated"] == ["share_households_with_children", "share_single_parent"]
    assert asked.extra["too_small"] == asked.extra["understated"] == []  # neither feature used
    # and 05, where the cards and tables show their values, says so in the reader's words
    from types import SimpleNamespace

    from segkit.stages import profile

    said = _text(profile.understated_note(SimpleNamespace(features=fs)))
    assert said.startswith("Households with children and single-parent households are understated in this data: ")
    assert "read their values as lower bounds" in said and "single_male" not in said
    assert profile.understated_note(SimpleNamespace(features=asked)) is None
    # where values were imputed is recorded, so naming can leave them out
    assert fs.extra["imputed_rows"]["log_median_gross_rent"] and "median_gross_rent" in fs.extra["imputed_rows"]
    assert all(c.startswith(("share_", "log_", "median_")) for c in fs.columns)
    assert not fs.clustering_table.isna().any().any()
    shares = [c for c in fs.columns if c.startswith("share_")]
    assert fs.table[shares].to_numpy().min() >= 0 and fs.table[shares].to_numpy().max() <= 1
    # natural-unit companions are profiled, never clustered
    assert {"median_household_income", "population"} <= set(fs.profiled) - set(fs.columns)
    np.testing.assert_allclose(np.log(fs.table["median_household_income"]), fs.table["log_median_household_income"])
    notes = " ".join(fs.notes)
    assert "19710, 19716, 19735" in notes and "19736 (13)" in notes and "19902 (53)" in notes
    assert "median rent (log) (6 areas)" in notes and "25 missing values" in notes
    assert "multigenerational_households" in notes and "median_age (4)" in notes
    assert "5 segments, as many as 58 areas support" in notes
    assert sorted(e["zcta"] for e in fs.extra["excluded_areas"]) == ["19710", "19716", "19732", "19733", "19735", "19736", "19902", "19931", "19936", "19955"]
    assert fs.units["share_renters"] == "share" and fs.units["median_household_income"] == "money"
    assert (fs.units["median_year_built"], fs.units["median_age"], fs.units["median_rent_as_pct_income"]) == \
        ("year", "years", "%")


def test_the_summary_of_each_measure_is_in_its_units(delaware_run):
    # median year built read "1,984", incomes had no "$", shares were fractions, in 02's summary
    nb, fs, *_ = delaware_run
    from segkit.naming.masking import observed

    summary = stages.features.summary_table(nb, fs)
    measured = observed(fs.table, fs.extra.get("imputed_rows"))  # what was filled in is left out, as in the profiles
    built = summary.loc["Median year built"]
    assert built["Min"] == f"{measured['median_year_built'].min():.0f}" and "," not in built["Median"]
    assert built["Standard deviation"] == f"{measured['median_year_built'].std():.1f}"  # years apart
    income = measured["median_household_income"]
    assert summary.loc["Median household income", "Max"] == f"${income.max():,.0f}"
    assert summary.loc["Median age (years)", "Median"] == f"{measured['median_age'].median():.1f}"
    assert summary.loc["Median age (years)", "Values"] == f"{measured['median_age'].notna().sum()}"
    assert summary.loc["Renting households", "Max"] == f"{100 * measured['share_renters'].max():.0f}%"
    assert summary.loc["Rent as a share of income", "Max"].endswith("%")
    assert summary.loc["Population", "Values"] == "58"
    # no numbers for columns the notes distrust ("Jobs in agriculture" 54%: the industry columns are shifted), and a
    # log median as the median itself, its own row ("Household income (log) 11.3" before)
    assert not summary.index.str.contains(r"Jobs in|Commuters who walk|\(log\)").any(), list(summary.index)
    used = stages.features.feature_overview(fs).set_index("Column")["Used for segments"]
    assert used["share_industry_agriculture"] == "no: not trusted (see the notes)" and used["share_renters"] == "yes"
    assert used["population"] == "profile only"


def test_features_on_a_raw_table_do_the_cleaning_themselves(delaware):
    fs = demo.features(delaware, params())
    assert len(fs.table) == 58 and len(fs.extra["excluded_areas"]) == 10
    assert fs.extra["validation"]["sentinel_counts"]["median_rent_as_pct_income"] == 13


def test_missing_groups_are_reported_not_fatal(delaware):
    commute = [c for c in delaware.columns if c.startswith("commute_")] + ["worked_from_home"]
    df = delaware.drop(columns=commute)
    roles = demo.column_roles(df, params())
    assert roles.loc["commute", "status"] == "skipped"
    assert "commute_total" in roles.loc["commute", "detail"]
    assert roles.loc["age", "status"] == "used" and roles.loc["households", "status"] == "partly used"
    assert "industry_agriculture_forestry_fishing equals occupation_male_total" in roles.loc["industry", "detail"]
    assert roles.loc["not used", "status"] == "not used"
    fs = demo.features(demo.clean(df, params())[0], params())
    assert not any(c.startswith("share_commute") for c in fs.columns)
    assert any("Group 'commute' skipped" in n for n in fs.notes)


def test_eda_frame_shows_sentinels_as_missing(delaware):
    frame = demo.eda_frame(delaware, params())
    assert list(frame.columns[:2]) == ["population", "household_total"] and "median_year_built" in frame
    assert frame["median_age"].isna().sum() == 4 and frame.to_numpy(dtype=float)[~np.isnan(frame.to_numpy(dtype=float))].min() >= 0


# -------------------------------------------------------------------------------- preprocessing
def test_preprocessor_clips_only_when_asked():
    p = params(clip_z=3)
    fs = demo.features(small_acs(), p)
    table = fs.clustering_table.copy()
    table.iloc[0, 0] = 1.0  # one extreme share
    clipped = demo.preprocessor(fs, p).fit_transform(table)
    free = demo.preprocessor(fs, params()).fit_transform(table)
    assert np.abs(clipped).max() == pytest.approx(3.0) and np.abs(free).max() > 3.0
    assert [name for name, _ in demo.preprocessor(fs, params()).steps] == ["impute", "scale"]  # the default


# -------------------------------------------------------------------------------------------- k
def test_k_auto_is_25_capped_by_the_areas():
    # in words a business reader follows: no "k=auto" or "k_min to k_max" on its pages
    # the number used comes first (a reader was told 4, the vote's choice, and shown 5)
    assert demo.choose_k(params(), 63) == (6, "6 segments, as many as 63 areas support (one segment per 10 areas; an "
                                              "area profile uses up to 25, the size of a national system).")
    # a k the user asked for is not described as the profile's own size (issue 16)
    assert demo.choose_k(params(k=25), 63)[1].startswith("6 segments: 25 were asked for, but 63 areas support at most 6")
    assert demo.choose_k(params(), 33_000)[0] == 25
    # the criteria's vote says how to use it: a trial set k_max: 10, got 24 segments and read k_max as a bound
    from types import SimpleNamespace
    k, note = demo.choose_k(params(), 247, SimpleNamespace(ks=range(2, 11), recommended_k=3, voted_k=None, params={}))
    assert k == 24 and note.endswith("The usual criteria for a number of segments, scored over 2 to 10, favour 3; an "
                                     "area profile keeps more, smaller segments that can each be named, so their vote "
                                     "is for reference only (a run with the number of segments set to 3 uses it).")
    # a weak structure's vote and the business range's choice are two numbers (Delaware: "favour 4" under a vote of 2)
    held = SimpleNamespace(ks=range(2, 11), recommended_k=4, voted_k=2, params={"business_k": [4, 8]})
    assert demo.choose_k(params(), 58, held)[1].endswith(
        "The usual criteria for a number of segments, scored over 2 to 10, vote for 2, and choose 4 within 4 to 8 (the "
        "usual range of a business segmentation; each of its segments stable and large enough); an area profile keeps "
        "more, smaller segments that can each be named, so these numbers are for reference only (a run with the "
        "number of segments set to 4 uses that choice).")
    # the range's choice is the number used: no "for reference only" beside it
    same = SimpleNamespace(ks=range(2, 11), recommended_k=5, voted_k=2, params={"business_k": [4, 8]})
    k, note = demo.choose_k(params(), 58, same)
    assert k == 5 and note.endswith("vote for 2, and choose 5 within 4 to 8 (the usual range of a business "
                                    "segmentation; each of its segments stable and large enough): the number used "
                                    "here.")
    # a run set to fewer segments than the business range's choice keeps no "more, smaller segments"
    fewer = demo.choose_k(params(k=3), 58, held)[1]
    assert "keeps more" not in fewer and fewer.endswith("8 (the usual range of a business segmentation; each of its "
                                                        "segments stable and large enough); these numbers are for "
                                                        "reference only (a run with the number of segments set to 4 "
                                                        "uses that choice).")
    # none of 4 to 8 qualified, nor the vote's 9: the range's choice is no stable one (select.business.business_choice)
    fallback = SimpleNamespace(ks=range(2, 11), recommended_k=4, voted_k=9, params={"business_k": [4, 8]}, held=False)
    assert "choose 4 within 4 to 8 (the usual range of a business segmentation; though none there gave segments all " \
           "stable and large enough)" in demo.choose_k(params(), 58, fallback)[1]
    assert demo.choose_k(params(k=8), 63)[0] == 6 and demo.choose_k(params(k=4), 63)[0] == 4
    # a vote above what the areas allow is no advice: a run asking for 8 over 58 areas is capped at 5 again
    high = SimpleNamespace(ks=range(2, 11), recommended_k=8, voted_k=None, params={})
    assert demo.choose_k(params(), 58, high)[1].endswith("for reference only (8 segments are more than 58 areas "
                                                        "allow).")
    assert demo.choose_k(params(k_max_share=0.2), 63)[0] == 12

    class Selection:
        ks, recommended_k = [2, 3, 4, 5, 6], 3
        voted_k, params = None, {}

    k, sentence = demo.choose_k(params(), 63, Selection())
    assert k == 6 and "favour 3" in sentence and "2 to 6" in sentence
    # areas in clearly separated groups: k=auto takes them (a trial's 3 planted area types came out as 25 segments
    # named by noise); a k the user set, or groups more than the cap allows, still decide
    Selection.structure = "clear"
    Selection.scores = pd.DataFrame({"silhouette": [0.45, 0.62, 0.5, 0.4, 0.3]}, index=[2, 3, 4, 5, 6])
    Selection.segment_shares = {3: [0.35, 0.35, 0.3], 4: [0.5, 0.3, 0.18, 0.02]}
    assert demo.choose_k(params(), 340, Selection()) == (3, "3 segments: the areas fall into 3 clearly separated "
                                                            "groups, which the criteria, scored over 2 to 6 segments, "
                                                            "favour; the run follows them (an area profile aims at 25 "
                                                            "segments, the size of a national system, only where the "
                                                            "areas form no such groups; a number of segments set in "
                                                            "the params overrides both).")
    assert demo.choose_k(params(k=8), 340, Selection())[0] == 8
    Selection.recommended_k = 9
    assert demo.choose_k(params(), 63, Selection())[0] == 6
    # clear elsewhere, not at the k favoured, or a group of a few areas (2%): no clear groups of that k
    Selection.recommended_k = 4
    assert demo.choose_k(params(), 340, Selection())[0] == 25
    Selection.scores.loc[4, "silhouette"] = 0.3
    Selection.segment_shares[4] = [0.4, 0.3, 0.2, 0.1]
    assert demo.choose_k(params(), 340, Selection())[0] == 25
    Selection.scores.loc[4, "silhouette"] = 0.55
    assert demo.choose_k(params(), 340, Selection())[0] == 4


def test_new_params_are_checked():
    with pytest.raises(ParamsError, match="k_max_share"):
        params(k_max_share=0)
    with pytest.raises(ParamsError, match="k_max_share"):
        params(k_max_share=1.5)
    with pytest.raises(ParamsError, match="clip_z"):
        params(clip_z=-1)


# ---------------------------------------------------------------------------------------- names
def test_changing_a_segments_profile_changes_its_name():
    p = params()
    fs = demo.features(small_acs(), p)
    labels = pd.Series(np.arange(len(fs.table)) % 2, index=fs.table.index)
    before = demo.name_segments(profile_segments(fs.table, labels, columns=fs.profiled), fs, p)
    table = fs.table.copy()
    old = (labels == 0).to_numpy()
    # segment 0 (young renters) becomes old owners in valuable homes
    table.loc[old, ["share_age_75_plus", "share_age_18_34", "share_renters"]] = [0.6, 0.05, 0.05]
    table.loc[old, "log_median_home_value"] = np.log(2_000_000)
    fs.table = table
    after = demo.name_segments(profile_segments(fs.table, labels, columns=fs.profiled), fs, p)
    assert before[0].name != after[0].name == "Affluent Retirees"
    assert after[0].description.startswith("Older owners in valuable homes:")
    assert len({n.name for n in after.values()}) == 2


def test_fallback_names_never_repeat_a_word():
    features = list(load_lexicon(ACS_LEXICON).features)
    z = pd.DataFrame(0.0, index=[0, 1], columns=features)
    z.loc[0, ["median_age", "share_age_55_74"]] = [-0.9, -0.7]  # matches no entry: a fallback name
    z.loc[1, "median_age"] = 0.9
    name = name_segments_from_lexicon(z, ACS_LEXICON)[0].name
    words = name.lower().replace("-", " ").split()
    assert len(words) == len(set(words)), name


def test_fallback_names_lead_with_a_feature_that_has_words():
    features = list(load_lexicon(ACS_LEXICON).features)
    z = pd.DataFrame(0.0, index=[0, 1], columns=features)
    z.loc[0, ["share_industry_public_admin", "share_units_detached"]] = [-1.1, 0.9]  # "low" has no words
    z.loc[1, "median_age"] = 0.9
    assert name_segments_from_lexicon(z, ACS_LEXICON)[0].name == "Suburban Neighbourhoods"
    z.loc[0, "share_industry_public_admin"] = -2.0  # far stronger than any feature with words: plain words lead
    assert name_segments_from_lexicon(z, ACS_LEXICON)[0].name == "Neighbourhoods with few jobs in public administration"


# ------------------------------------------------------------------------------ the whole stages
def test_final_segments_invariants(delaware_run):
    nb, fs, seg, k, _ = delaware_run
    assert k == 5
    final = pd.read_csv(nb.folder.artifact("final_segments.csv"), dtype={"zcta": str})
    assert list(final.columns) == ["zcta", "segment_code", "segment_name", "score", "rank"]
    assert len(final) == 58 * 5 and final["zcta"].str.fullmatch(r"\d{5}").all()
    assert final["score"].between(0, 1).all() and (final.groupby("zcta")["score"].sum() <= 1).all()
    assert all(ranks == [1, 2, 3, 4, 5] for ranks in final.groupby("zcta")["rank"].apply(list))
    assert (final.groupby("zcta")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    own = final[final["rank"] == 1].set_index("zcta")["segment_code"]
    hard = pd.read_csv(nb.folder.artifact("segments.csv"), dtype=str).set_index("zcta")["segment_code"]
    pd.testing.assert_series_equal(own.sort_index(), hard.sort_index(), check_names=False)


def test_final_segments_follow_temperature_and_top_n(delaware_run):
    nb, fs, seg, k, _ = delaware_run
    sharp = demo.final_segments(seg, params(top_n=3))
    flat = demo.final_segments(seg, params(top_n=3, temperature=5.0))
    assert len(sharp) == 58 * 3 and sharp["rank"].max() == 3
    assert flat.loc[flat["rank"] == 1, "score"].mean() < sharp.loc[sharp["rank"] == 1, "score"].mean()
    assert len(demo.final_segments(seg, params(top_n=50))) == 58 * k  # at most every segment once


def test_names_cards_and_key_facts(delaware_run):
    nb, fs, seg, k, _ = delaware_run
    names = [seg.profile.names[s] for s in seg.profile.segments]
    assert len(names) == k == len(set(names)) and not any(ch.isdigit() for n in names for ch in n)
    assert all(seg.profile.descriptions[s].endswith(".") for s in seg.profile.segments)
    strips = json.loads(nb.folder.artifact("area_key_facts.json").read_text())
    assert [e["code"] for e in strips["segments"]] == ["S01", "S02", "S03", "S04", "S05"]
    for entry in strips["segments"]:
        assert [f["feature"] for f in entry["facts"]] == ["areas", "population", "median_age",
                                                         "median_household_income", "share_bachelors_plus"]
        known = [f for f in entry["facts"] if f["value"] is not None]  # NaN is written as null
        assert all(f["index"] is not None and f["index"] >= 0 for f in known)
        assert all(f["index"] is None and f["value_text"] == "–" for f in entry["facts"] if f not in known)
        # only the campus (19717: residents but no households, so no household income and no adults 25+
        # counted) lacks facts; it is a segment of its own
        unknown = {f["feature"] for f in entry["facts"] if f not in known}
        campus = entry["segment"] == int(seg.labels.loc["19717"])
        assert unknown == ({"median_household_income", "share_bachelors_plus"} if campus else set())
    assert int((seg.labels == seg.labels.loc["19717"]).sum()) == 1
    assert sum(f["value"] for e in strips["segments"] for f in e["facts"] if f["feature"] == "areas") == 58
    assert all(f["index"] == 100 for f in strips["whole"]["facts"])
    assert strips["segments"][0]["facts"][3]["value_text"].startswith("$")
    population = strips["segments"][0]["facts"][1]  # the index compares residents per area: the text says them too
    per_area = population["value"] / strips["segments"][0]["facts"][0]["value"]
    assert population["value_text"] == f"{population['value']:,.0f} · {per_area:,.0f} per area"
    # the strip the segment cards show, without the count of areas their size line gives
    assert seg.facts[0] == strips["segments"][0]["facts"][1:] and strips["segments"][0]["facts"][0]["feature"] == "areas"
    # and under the cards, what those facts are: a card's "Median household income: $100,335" is the average area's,
    # beside a sentence's "typical area $95,288", which a reader took for a second median of the same segment
    clean = nb.folder.read_parquet("clean.parquet")
    incomes = clean.set_index(demo.format_area_ids(clean["zcta"]))["median_household_income"]
    members = seg.labels.index[seg.labels.to_numpy() == 0].astype(str)
    assert strips["segments"][0]["facts"][3]["value"] == pytest.approx(float(incomes.loc[members].mean()))
    cards = stages.profile.cards(seg).data
    assert "are the average area's: each area's own figure, averaged over the segment's areas" in html.unescape(cards)
    # a table without education columns shows no graduates on its cards, and its note names none
    without = demo.facts_note({"areas", "population", "median_age", "median_household_income"})
    assert "bachelor" not in without and without.startswith("On the cards, median age and median household income are")
    excluded = pd.read_csv(nb.folder.artifact("excluded_areas.csv"), dtype={"zcta": str})
    assert sorted(excluded["zcta"]) == ["19710", "19716", "19732", "19733", "19735", "19736", "19902", "19931", "19936", "19955"]
    assert excluded.set_index("zcta").loc["19902", "reason"] == "population 53 is below min_population=500"


def test_column_roles_and_notes_reach_the_artifacts(delaware_run):
    nb, *_ = delaware_run
    meta = nb.folder.read_json("features_meta.json")
    assert meta["entity"] == "areas" and meta["id"] == "zcta"
    assert any("as many as 58 areas support" in n for n in meta["notes"])
    log = nb.folder.read_json("cleaning_log.json")
    assert [s["rule"] for s in log["steps"]] == ["census_sentinels", "non_finite", "no_population", "small_population"]
    assert log["rows_in"] == 68 and log["rows_out"] == 58


def test_delaware_campus_is_named_for_students_and_no_name_rests_on_a_duplicate_column(delaware):
    """ZCTA 19717 (the university campus: nearly all residents 18-34 and in college; its income is missing and
    filled with the median) is named for its students once the areas have room for it, never for its filled
    income; the agriculture share, built from a column equal to another, names no segment."""
    import segkit

    seg = segkit.segment_table(delaware, data_kind="demographics", id_col="zcta", min_population=500, k=12,
                               k_max_share=1.0, n_init=10, seed=42, bootstrap=2)
    campus = seg.labels.loc["19717"]
    assert seg.profile.names[campus] in ("Students & Young Adults", "College Neighbourhoods", "College-Town Singles")
    assert "share_industry_agriculture" not in seg.features.columns
    assert not any("agriculture" in n.lower() for n in seg.profile.names.values())
    assert not any("Farming" in n for n in seg.profile.names.values())
    assert not any(" sd" in d for d in seg.profile.descriptions.values())


def test_check_warns_of_feature_groups_left_out_and_names_the_tables(tmp_path, capsys, delaware):
    """A county table without its industry and commute columns: the check said "0 warning(s)" while two of the
    groups were left out, which only 01_eda said."""
    from segkit.cli import main

    raw = delaware.drop(columns=[c for c in delaware.columns if c.startswith(("industry_", "commute_"))])
    raw.to_csv(tmp_path / "counties.csv", index=False)
    (tmp_path / "counties.yaml").write_text("data_kind: demographics\ndata_path: counties.csv\nid_col: zcta\n")
    assert main(["check", str(tmp_path / "counties.yaml")]) == 0
    said = capsys.readouterr().out
    assert "warning: 2 of 18 ACS feature groups are left out, their columns missing or empty: industry, commute. " \
           "Fix: add ACS tables B08301, C24030 to the download to use them" in said
    fs = pipeline.build_features(params(), pipeline.clean_table(params(), delaware.copy())[0])
    # the whole table: no group left out, but what 02 does not trust, the enrolment block one line off and the single
    # fathers too few to be theirs, which the check did not mention
    found = demo.module.feature_findings(fs, params())
    assert {f.rule for f in found} == {"columns"} and len(found) == 6
    said = " ".join(f.message for f in found)
    assert "the industry columns look shifted" in said and "the commute columns look shifted" in said
    assert "the enrollment columns are one line off" in said and not said.count("Warning")
    assert "single_male_with_children sums to 327 over the areas, 1% of single_female_with_children" in said


@pytest.mark.parametrize("walked, home, left_out", [
    ("rest", None, {"share_commute_walked"}),  # the walkers' column holds the home workers, and no other claims them
    # Delaware's export: the walkers' column holds the home workers beside a worked_from_home of its own: the block
    # is shifted (its "carpool" was zero in areas of 4,000 commuters), none is trusted
    ("rest", "walkers", {"share_commute_walked", "share_worked_from_home", "share_commute_drove_alone",
                         "share_commute_carpool", "share_commute_transit"}),
    ("walkers", "rest", set()),  # the Census Bureau's lines: walkers are walkers, the rest is worked_from_home
    ("walkers", None, set()),
])
def test_a_member_equal_to_what_another_total_leaves_out_is_left_out(walked, home, left_out):
    from segkit.kinds.demographics.groups import load_feature_groups, suspect_features

    rng = np.random.default_rng(0)
    total = rng.integers(500, 5_000, 30)
    timed = total - rng.integers(20, 400, 30)  # workers with a commute time: all but the home workers
    columns = {"rest": total - timed, "walkers": rng.integers(0, 60, 30)}
    table = pd.DataFrame({"commute_total": total, "commute_time_total": timed, "commute_drove_alone": timed - 80,
                          "commute_walked": columns[walked]})
    if home:
        table["worked_from_home"] = columns[home]
    commute = [g for g in load_feature_groups() if g.name == "commute"]
    out = suspect_features(commute, {}, pd.Series(dtype=float), len(table), table)
    assert set(out) == left_out, out


def test_feature_groups_stay_hashable_and_their_rests_totals_count_as_read():
    from segkit.kinds.demographics.groups import load_feature_groups

    groups = load_feature_groups()
    assert len({hash(g) for g in groups}) == len(groups)  # a frozen dataclass with a mapping field: hash=False


def test_a_groups_rests_must_name_one_of_its_features():
    from segkit.errors import DataFileError
    from segkit.kinds.demographics.groups import load_feature_groups

    medians = {"groups": [{"name": "income", "medians": {"log_income": {"column": "income", "transform": "log"}},
                           "rests": {"commute_time_total": "log_income"}}]}
    with pytest.raises(DataFileError, match="'rests' and 'parts' belong to a group of shares"):
        load_feature_groups(medians)
    one = {"groups": [{"name": "enrollment", "universe": "total", "members": {"share_college": "college"},
                       "parts": ["nursery"]}]}
    with pytest.raises(DataFileError, match="'parts' must list two or more columns"):
        load_feature_groups(one)

    groups = {"groups": [{"name": "commute", "universe": "commute_total", "members": {"share_walked": "walked"},
                          "rests": {"commute_time_total": "share_worked_from_home"}}]}
    with pytest.raises(DataFileError, match="'rests' must map a total column to one of the group's features"):
        load_feature_groups(groups)


def test_the_features_of_a_shifted_group_are_left_out_in_one_note():
    from segkit.kinds.demographics.groups import left_out_notes

    notes = left_out_notes({"a": "why 1", "b": "why 2", "c": "why 2", "d": "why 2"}, {"a": "A", "b": "B", "c": "C"})
    assert notes == ["A is left out of the features: why 1 (name it in features to keep it).",
                     "B, C and d are left out of the features: why 2 (name them in features to keep them)."]


def test_a_comparison_of_census_runs_shows_log_medians_as_the_medians(delaware_run):
    """`segkit compare` listed "Household income (log)" with an index of about 102 beside the median in dollars."""
    from segkit.compare.runs import read_run

    nb, fs, _, _, _ = delaware_run
    side = read_run(nb.folder.path)
    assert "median_household_income" in side.profiled
    assert not [f for f in side.profiled if f.startswith("log_median_")]
    assert side.profiled.index("median_household_income") < side.profiled.index("median_year_built")  # clustered first


def test_the_data_quality_page_leaves_out_what_the_features_page_does_not_trust(delaware_run, delaware):
    """Delaware's data-quality page said the industry group was "used | 6 features" and commute's walkers too, while
    the features page marked them "no: not trusted" (shifted and mislabelled columns): the two pages now agree."""
    nb, fs, *_ = delaware_run
    roles = demo.column_roles(delaware, nb.params)
    overview = stages.features.feature_overview(fs)
    untrusted = set(overview["Column"][overview["Used for segments"].str.startswith("no: not trusted")])
    assert {"share_commute_walked", "share_industry_knowledge"} <= untrusted
    assert roles.at["industry", "status"] == "not used" and roles.at["industry", "detail"].startswith("no feature")
    # its walkers' column holds the home workers beside a worked_from_home of its own: shifted, none trusted
    assert roles.at["commute", "status"] == "not used"
    left_out = {f for d in roles["detail"] if "not trusted" in d for f in d.split("say why): ")[1].split("; ")[0].split(", ")}
    assert left_out == untrusted


def test_an_enrolment_block_one_line_off_is_read_one_line_down_and_said(delaware):
    """Delaware's "nursery and preschool" column holds everyone enrolled (B14001_002): as many as the six lines after
    it together in every row, so its "undergraduate" column holds the high-school students and "graduate" the
    undergraduates. College enrolment counted the high-school students too (some 4% of every area); it is read one line
    down (the undergraduates; graduate students are not in the export) and the features page says so. The Census
    Bureau's own lines are read as named."""
    from segkit.kinds.demographics.groups import load_feature_groups
    from segkit.kinds.demographics.shifted import read_down, read_down_notes

    groups = [g for g in load_feature_groups() if g.name == "enrollment"]
    cleaned, _ = demo.clean(delaware, params())
    down = read_down(groups, cleaned)
    assert [s.columns for s in down[0].features] == [("college_graduate_enrollment",)]
    said = read_down_notes(down, {"share_enrolled_college": "College enrolment"})
    assert said == ["Warning: the enrollment columns are one line off in the export: "
                    "school_enrollment_nursery_preschool holds as many as its 6 other lines together in every row "
                    "(their total), so each line is read from the column after its name: college enrolment from "
                    "college_graduate_enrollment (without the line college_graduate_enrollment is named for, which the "
                    "export does not have)."]
    assert read_down_notes(down, {}, used=["share_age_0_17"]) == []  # a run without the feature is not told
    fs = demo.features(cleaned, params())
    assert any(n.startswith("Warning: the enrollment columns are one line off") for n in fs.notes)
    row = delaware.set_index(delaware["zcta"].astype(str).str.zfill(5))
    for zcta in ("19717", "19711"):  # the campus: 6,499 undergraduates of 6,522 residents; Newark: 7,145 of 47,801
        expected = row.at[zcta, "college_graduate_enrollment"] / row.at[zcta, "school_enrollment_total"]
        assert fs.table.at[zcta, "share_enrolled_college"] == pytest.approx(expected)
    parts = list(groups[0].parts)
    honest = cleaned.copy()
    honest[parts[0]] = (honest[parts[1:]].sum(axis=1) * 0.07).round()  # a nursery line of about 6% of the enrolled
    assert read_down(groups, honest) == groups and read_down_notes(read_down(groups, honest), {}) == []


def test_a_table_is_read_down_only_where_it_cannot_contradict_the_shift():
    """A model's ``read_down`` is applied to a scored table only when the table is too small to tell AND each of its
    rows is as a shift would have it: a download by variable code (no lines below college) or rows whose first line
    is smaller than the others are read as named; a group without parts is never read down."""
    from segkit.kinds.demographics.groups import FeatureGroup, FeatureSpec
    from segkit.kinds.demographics.shifted import read_down, read_down_notes

    group = FeatureGroup("enrol", "shares", (FeatureSpec("f_college", ("c", "d")), FeatureSpec("f_last", ("d",))),
                         universe="n", parts=("a", "b", "c", "d"))
    shifted = pd.DataFrame({"n": [100.0] * 3, "a": [30.0] * 3, "b": [10.0] * 3, "c": [12.0] * 3, "d": [8.0] * 3})
    honest = shifted.assign(a=[2.0] * 3)  # a first line smaller than the rest: not the total
    bare = shifted.drop(columns=["a", "b"])  # the parts are not all there
    assert read_down([group], shifted) == [group]  # three rows cannot tell on their own
    down = read_down([group], shifted, assume=["enrol"])[0]
    assert [s.columns for s in down.features] == [("d",)] and down.lost == {"f_college": ("d",), "f_last": ("d",)}
    assert read_down([group], honest, assume=["enrol"]) == [group] == read_down([group], bare, assume=["enrol"])
    no_parts = FeatureGroup("age", "shares", (FeatureSpec("f_young", ("y",)),), universe="n")
    assert read_down([no_parts], shifted.assign(y=1.0), assume=["age"]) == [no_parts]  # old or edited metadata
    # a feature whose only column was the last line is said to be left out, not dropped without a word
    said = read_down_notes([down], {"f_college": "College", "f_last": "Graduate school"})[0]
    assert "college from d (without the line d is named for" in said
    assert "graduate school is left out (its line, d, is not in the export)" in said
    many = pd.concat([shifted] * 4, ignore_index=True)  # twelve rows tell for themselves
    assert read_down([group], many)[0].moved == {"c": "d", "d": ""}


def _text(block) -> str:
    """The words of an HTML block a stage returns (a note), without its tags."""
    import re

    return re.sub(r"<[^>]+>", "", block.data if hasattr(block, "data") else str(block)).strip()
