"""Issue 16, Delaware: a column equal to another drives no card; the k cap note reaches the console."""

from __future__ import annotations

import json
import re

import pandas as pd

from segkit import kinds, pipeline
from segkit.config import params_from_mapping
from segkit.report.batch import Batch


def _params(**extra):
    return params_from_mapping({"data_kind": "demographics", "id_col": "zcta", "min_population": 500,
                                "bootstrap": 2, **extra})


def test_a_column_equal_to_another_is_left_out_of_what_sets_segments_apart(delaware_csv):
    p = _params()
    kind = kinds.get("demographics")
    cleaned, _ = kind.clean(pd.read_csv(delaware_csv), p)
    fs = pipeline.build_features(p, cleaned)
    # 02 flags industry_agriculture_forestry_fishing = occupation_male_total; the feature built from it is out
    assert "share_industry_agriculture" in fs.table.columns and "share_industry_agriculture" in fs.extra["left_out"]
    assert "share_industry_agriculture" not in pipeline.driver_columns(fs)
    # a log median is said as the median itself, in dollars ("$107,260 vs $90,996"), never "11.6 vs 11.4 (log)"
    drivers = pipeline.driver_columns(fs)
    assert "log_median_household_income" in fs.columns and "log_median_household_income" not in drivers
    assert {"median_household_income", "median_home_value", "median_gross_rent"} <= set(drivers)
    assert not any(c.startswith("log_") for c in drivers)
    assert "share_industry_agriculture" not in fs.columns
    seg = pipeline.fit_segments(p, fs, 5)
    assert not any("agricultur" in text.lower() for text in seg.drivers.values())
    # the sentences compare areas and say so ("typical area", never "typically")
    clauses = " ".join(seg.drivers.values())
    assert "typical area" in clauses and "typically" not in clauses and "on average" not in clauses
    # a key fact's index on the card ("Bachelor's degree or higher: 48% (index 136)", weighted by residents) once sat
    # under a description with the areas' index (158): both count each area once now, and say the same number
    source = cleaned.set_index(cleaned["zcta"].astype(str).str.zfill(5)).loc[seg.labels.index]
    strip = kind.module.area_key_facts(source, pd.Series(seg.labels.to_numpy(), index=source.index),
                                       seg.profile.codes, seg.profile.names)
    said = 0
    for card in strip["segments"]:
        text = seg.profile.descriptions[card["segment"]]
        for fact in card["facts"]:
            found = re.search(re.escape(fact["label"].lower().replace("degree or higher", "or higher").replace(
                "bachelor's", "adults with a bachelor's")) + r" \(index (\d+)\)", text.lower())
            if found and fact["index"] is not None:
                assert int(found[1]) == round(fact["index"]), (text, fact)
                said += 1
    assert said and re.search(r"\(index \d+\)", " ".join(seg.profile.descriptions.values()))


def test_the_k_cap_note_is_said_on_the_console_once(tmp_path):
    p = _params(k=25)
    k, note = kinds.get("demographics").choose_k(p, 58)
    (tmp_path / "artifacts").mkdir()
    said: list[str] = []
    batch = Batch(p, tmp_path, [], jobs=1, progress=said.append, meta_line="")
    batch._say_k()
    assert said == []  # 03 has not run yet
    (tmp_path / "artifacts" / "k_summary.json").write_text(json.dumps({"chosen_k": k, "rationale": note}))
    batch._say_k()
    batch._say_k()
    assert said == ["5 segments: 25 were asked for, but 58 areas support at most 5 (one segment per 10 areas); more "
                    "would be noise."]


def test_a_one_member_segment_is_left_out_of_the_explainer_with_a_note(tmp_path):
    import numpy as np

    from segkit import stages
    from segkit.config import Params
    from segkit.io import RunFolder
    from segkit.profile import profile_segments
    from segkit.stages import RunContext
    from test_explain import three_segments

    table, labels = three_segments(60)
    labels = labels.copy()
    labels[0] = 3  # a segment of one customer: it cannot be cross-validated
    ctx = RunContext(params=Params(explain_folds=3, seed=0), folder=RunFolder(tmp_path).ensure())
    ctx.folder.write_parquet("features.parquet", table)
    ctx.folder.write_json("features_meta.json", {"columns": ["recency", "frequency"], "entity": "customers"})
    profile = profile_segments(table, labels, columns=["recency", "frequency"]).with_names(
        {0: "Sleepers", 1: "Regulars", 2: "French", 3: "Loner"})
    ctx.folder.write_json("profiles.json", profile.to_dict())
    ctx.folder.write_csv("segments.csv", pd.DataFrame({
        "customer_id": table.index, "segment_code": [profile.codes[s] for s in labels], "segment_name": "x"}))
    explanation = stages.explain.analyse(ctx)
    loner = next(s for s, n in profile.names.items() if n == "Loner")
    assert loner not in explanation.segment_f1.index and len(explanation.segment_f1) == 3
    assert explanation.left_out == {loner: 1}
    assert (f"{profile.codes[loner]} Loner (1 customer); its card describes it from its values alone."
            in explanation.summary()), explanation.summary()
    assert np.isfinite(explanation.scores["macro_f1"]).all()


def test_tiny_segments_are_reported_on_the_profile_page():
    from types import SimpleNamespace

    import numpy as np

    from segkit import stages
    from segkit.config import Params
    from segkit.profile import profile_segments

    labels = np.array([0] * 60 + [1] * 38 + [2] * 1 + [3] * 1)  # 100 areas: two of one area each (1% < 3%)
    table = pd.DataFrame({"x": np.arange(100.0)}, index=pd.Index([str(i) for i in range(100)], name="zcta"))
    profile = profile_segments(table, labels, columns=["x"]).with_names({0: "A", 1: "B", 2: "Campus", 3: "Base"})
    seg = SimpleNamespace(profile=profile, features=SimpleNamespace(entity="areas"))
    ctx = SimpleNamespace(params=Params())
    text = str(stages.profile.tiny_note(ctx, seg).data)
    codes = {n: c for c, n in zip(profile.codes.values(), (profile.names[s] for s in profile.codes))}
    assert "2 of the 4 segments are tiny" in text
    assert f"{codes['Campus']} Campus (1 area)" in text and f"{codes['Base']} Base (1 area)" in text
    seg.profile = profile_segments(table, labels.clip(0, 2), columns=["x"]).with_names({0: "A", 1: "B", 2: "Campus"})
    one = str(stages.profile.tiny_note(ctx, seg).data)  # "1 of the 5 segments are tiny" before
    assert "1 of the 3 segments is tiny" in one and "Read it as individual cases rather than a group" in one
    assert "would merge it into larger ones" in one
    seg.profile = profile_segments(table, np.r_[labels[:98], 1, 2], columns=["x"])  # one area alone
    assert "Read it as a single area rather than a group" in str(stages.profile.tiny_note(ctx, seg).data)
    seg.profile = profile_segments(table, labels.clip(0, 1), columns=["x"])
    assert stages.profile.tiny_note(ctx, seg) is None


def _with_campus(n_campus: int = 6) -> pd.DataFrame:
    """``small_acs`` (young renters and older owners) plus campus areas: nearly everyone 18-34 and in college,
    no households (so every household, housing and income value is missing and filled with the median)."""
    import numpy as np

    from acs_tables import small_acs

    base = small_acs(40, seed=1)
    base["school_enrollment_total"] = (base["population"] * 0.25).astype(int)
    base["college_undergraduate_enrollment"] = (base["school_enrollment_total"] * 0.05).astype(int)
    base["college_graduate_enrollment"] = 0
    pop = np.full(n_campus, 5000)
    campus = pd.DataFrame({
        "zcta": 9000 + np.arange(n_campus), "population": pop, "household_total": 0,
        "age_0_17": 100, "age_18_34": 4750, "age_35_54": 100, "age_55_74": 50, "age_75_plus": 0,
        "tenure_total": 0, "renter_occupied": 0, "vehicles_available_total": 0, "no_vehicle": 0,
        "poverty_total": pop, "income_below_poverty": 1500, "median_age": 20.0 + np.arange(n_campus) / 10,
        "median_household_income": np.nan, "median_home_value": np.nan, "median_gross_rent": np.nan,
        "school_enrollment_total": 4800, "college_undergraduate_enrollment": 4300, "college_graduate_enrollment": 200,
    })
    return pd.concat([base, campus], ignore_index=True)


def test_a_campus_with_filled_incomes_is_named_for_its_students():
    import segkit

    seg = segkit.segment_table(_with_campus(), data_kind="demographics", id_col="zcta", k=3, k_max_share=1.0,
                               min_population=100, bootstrap=2, seed=0)
    labels = seg.labels.copy()
    labels.index = labels.index.astype(str)
    campus = {int(labels.loc[f"{9000 + i:05d}"]) for i in range(6)}
    assert len(campus) == 1 and (labels == campus.pop()).sum() == 6  # the campus areas are a segment of their own
    name = seg.profile.names[int(labels.loc["09000"])]
    assert name in ("Students & Young Adults", "College Neighbourhoods", "College-Town Singles")
    others = [n for s, n in seg.profile.names.items() if s != int(labels.loc["09000"])]
    assert not any("Student" in n or "College" in n for n in others)


def test_with_the_shipped_params_the_campus_ranks_first_in_a_segment_named_for_students(delaware_csv):
    """Done when (issue 16): with params/acs_delaware.yaml as shipped (k: auto, capped at 5), ZCTA 19717 (the
    university campus: 98% aged 18-34, no households) is a segment of its own, and its rank-1 segment in
    final_segments.csv is named for students. Clipping at 3 sd (the old default) put it among other areas."""
    from pathlib import Path

    import yaml

    shipped = yaml.safe_load((Path(__file__).parents[1] / "params" / "acs_delaware.yaml").read_text())
    shipped.pop("data_path")
    assert "clip_z" not in shipped
    p = params_from_mapping({**shipped, "bootstrap": 2})
    cleaned, _ = kinds.get("demographics").clean(pd.read_csv(delaware_csv), p)
    fs = pipeline.build_features(p, cleaned)
    k, _ = kinds.get("demographics").choose_k(p, len(fs.table))
    seg = pipeline.fit_segments(p, fs, k)
    final = kinds.get("demographics").final_segments(seg, p)
    first = final[(final["zcta"] == "19717") & (final["rank"] == 1)].iloc[0]
    assert first["segment_name"] in ("Students & Young Adults", "College Neighbourhoods", "College-Town Singles")
    assert (seg.labels == seg.labels.loc["19717"]).sum() == 1
    # no other segment is named for students, and clipping (clip_z: 3) would have hidden the campus
    assert sum("Student" in n or "College" in n for n in seg.profile.names.values()) == 1
    clipped = pipeline.fit_segments(params_from_mapping({**shipped, "bootstrap": 2, "clip_z": 3}), fs, k)
    assert (clipped.labels == clipped.labels.loc["19717"]).sum() > 1


def test_a_table_of_shares_shows_the_measures_its_names_come_from():
    """Delaware's heatmap of "the 12 measures that set the segments apart most" showed transit commuters (0.0066%
    against 0.12% overall: index 6) and left out the college enrolment of index 1016 that named a segment: the index
    of a share near zero is extreme by chance. A table of shares ranks by the z-score, as its names do."""
    from types import SimpleNamespace

    import numpy as np

    from segkit import stages
    from segkit.profile import profile_segments

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    table = pd.DataFrame({"share_transit": np.r_[rng.uniform(0, 0.00015, 50), rng.uniform(0, 0.004, 50)],
                          "share_college": np.r_[rng.uniform(0.02, 0.06, 50), rng.uniform(0.3, 0.6, 50)],
                          "share_renters": np.r_[rng.uniform(0.2, 0.4, 50), rng.uniform(0.5, 0.7, 50)]})
    profile = profile_segments(table, labels)
    shares = SimpleNamespace(columns=list(table.columns), units={c: "share" for c in table.columns}, extra={})
    seg = SimpleNamespace(profile=profile, features=shares, rare_columns={})
    assert profile.distinctive_features(1, by="index") == ["share_transit"]  # index about 4 against 100
    assert stages.profile.shown_features(seg, 1) == ["share_college"]  # z-scores: college far, transit not
    money = SimpleNamespace(columns=list(table.columns), units={}, extra={})  # other measures rank by the index
    assert stages.profile.shown_features(SimpleNamespace(profile=profile, features=money, rare_columns={}),
                                         1) == ["share_transit"]


def test_a_log_median_is_shown_as_the_median_itself():
    """Delaware's profile page showed "Household income (log) | 11.2 | 11.4" and an index of 103 for the segment
    whose cards said income index 135: the page shows the median in dollars the log was taken of."""
    from types import SimpleNamespace

    import numpy as np

    from segkit import stages
    from segkit.profile import profile_segments

    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 40)
    income = np.r_[rng.uniform(50_000, 70_000, 40), rng.uniform(100_000, 140_000, 40)]
    table = pd.DataFrame({"log_median_household_income": np.log(income), "median_household_income": income,
                          "share_renters": rng.uniform(0.2, 0.4, 80)})
    profile = profile_segments(table, labels)
    fs = SimpleNamespace(columns=["log_median_household_income", "share_renters"], units={"share_renters": "share"},
                         extra={"shown_as": {"log_median_household_income": "median_household_income"}})
    shown = stages.profile.shown_features(SimpleNamespace(profile=profile, features=fs, rare_columns={}), None)
    assert shown[0] == "median_household_income" and "log_median_household_income" not in shown
    assert profile.index.at[1, "median_household_income"] > 125 > 110 > profile.index.at[1, "log_median_household_income"]


def test_a_segment_with_few_measured_values_has_no_box(monkeypatch):
    """A segment of 8 whose rent was measured in 1 area drew a box of that one value while its card said "–" (the
    cards need a quarter of the members measured); the other segment keeps its box."""
    from types import SimpleNamespace

    import numpy as np

    from segkit import stages
    from segkit.config import Params
    from segkit.featureset import FeatureSet
    from segkit.profile import profile_segments

    labels = pd.Series(np.repeat([0, 1], [12, 8]), index=[f"a{i}" for i in range(20)])
    table = pd.DataFrame({"rent": np.linspace(900, 1900, 20), "age": np.linspace(30, 60, 20)}, index=labels.index)
    fs = FeatureSet(table, columns=["rent", "age"], entity="areas",
                    extra={"imputed_rows": {"rent": list(range(13, 20)) + [0]}})  # 1 of segment 1's 8 measured
    seg = SimpleNamespace(features=fs, labels=labels, profile=profile_segments(table, labels.to_numpy()), rare_columns={})
    drawn = {}

    def capture(values, *args, **kwargs):
        drawn["values"] = values
        return None

    monkeypatch.setattr(stages.profile, "feature_distributions_figure", capture)
    monkeypatch.setattr(stages.profile, "figure", lambda ax, text: text)
    caption = stages.profile.distributions(SimpleNamespace(params=Params()), seg)
    values = drawn["values"]
    assert values.loc[labels == 1, "rent"].isna().all() and values.loc[labels == 1, "age"].notna().all()
    assert values.loc[labels == 0, "rent"].notna().sum() == 11  # segment 0: one filled value left out, 11 measured
    assert "a segment with under 25% of its members measured has no box" in caption
