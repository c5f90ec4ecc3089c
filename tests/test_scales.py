"""Answers on a scale (the ``ordinal`` role): found from the words, scored in their order, and scored the same way
from a raw table when new customers are assigned to saved segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import pipeline
from segkit.config import params_from_mapping
from segkit.errors import ParamsError
from segkit.format import segment_code
from segkit.kinds.customers.features import build_preprocessor, customer_features, detect_roles, role_table
from segkit.kinds.customers.scales import find_scale, numbered_scale, scale_of, scale_scores

AGREE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def survey(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """A CRM export with a survey: three questions on a five-point scale (missing answers), a plan tier, spend."""
    rng = np.random.default_rng(seed)
    happy = rng.random(n) < 0.5

    def answers():
        return [AGREE[int(np.clip(rng.normal(3.2 if h else 1.2, 0.7), 0, 4))] for h in happy]

    df = pd.DataFrame({"CustomerID": [f"C-{i:04d}" for i in range(n)],
                       "MonthlySpend": np.round(np.where(happy, 80, 30) + rng.normal(0, 5, n), 2),
                       "Q1_Satisfied": answers(), "Q2_WouldRecommend": answers(),
                       "Q3_PriceTooHigh": answers(), "Plan": rng.choice(["Basic", "Plus", "Premium"], n)})
    df.loc[::9, "Q2_WouldRecommend"] = None
    return df


def test_a_surveys_answers_are_ordinal_and_tiers_stay_categories():
    roles = role_table(survey()).set_index("column")
    assert roles.loc[["Q1_Satisfied", "Q2_WouldRecommend", "Q3_PriceTooHigh"], "role"].tolist() == ["ordinal"] * 3
    assert "Strongly disagree < Disagree < Neutral < Agree < Strongly agree" in roles.at["Q1_Satisfied", "reason"]
    assert roles.at["Plan", "role"] == "categorical" and "Basic < Plus < Premium" in roles.at["Plan", "reason"]
    # in words 01's table of columns can say to a reader: it read "encoded unordered (the role ordinal scores them)"
    assert roles.at["Plan", "reason"].endswith("its levels have an order (Basic < Plus < Premium) that the segments "
                                               "do not use (roles: {Plan: ordinal} in the params uses it)")
    two = pd.DataFrame({"id": [f"c{i}" for i in range(20)], "ok": ["Agree", "Disagree"] * 10})
    assert detect_roles(two)["ok"] == "categorical"  # two answers are no scale


@pytest.mark.parametrize("levels, scores", [
    (["Strongly disagree", "Neutral", "Strongly agree"], [1, 3, 5]),
    (["agree", "DISAGREE ", "neither agree nor disagree"], [4, 2, 3]),  # case, spaces, the long neutral
    (["Never", "Sometimes", "Often", "Always"], [1, 3, 4, 5]),
    (["Poor", "Fair", "Good", "Excellent"], [1, 2, 3, 5]),  # five points, poor .. excellent
    (["Very poor", "Poor", "Good", "Excellent"], [1, 2, 4, 6]),  # six, very poor .. excellent
    (["Agree", "Somewhat agree", "Strongly disagree"], [6, 5, 1]),  # seven: "somewhat" is a point of its own
    (["Agree", "Disagree", "Neutral", "Don't know", "N/A"], [4, 2, 3, np.nan, np.nan]),  # no answers
])
def test_each_answer_scores_its_place_on_the_whole_scale(levels, scores):
    scale = find_scale(levels)
    np.testing.assert_array_equal(scale_scores(pd.Series(levels), scale), scores)


def test_levels_numbered_in_their_text_are_scored_by_their_number():
    levels = ["3 - Good", "1 - Poor", "5: Excellent", "2 - Fair"]
    assert scale_scores(pd.Series(levels), numbered_scale(levels)).tolist() == [3, 1, 5, 2]
    assert numbered_scale(["1 - Poor", "Good"]) is None


def test_the_roles_can_make_a_tier_ordinal_but_not_words_without_an_order():
    df = survey()
    assert scale_of(df["Plan"].where(df["Plan"] != "Plus"), "Plan") is not None  # Basic, Premium: two are enough
    roles = detect_roles(df, overrides={"Plan": "ordinal"})
    table = customer_features(df, roles)
    assert dict(zip(df["Plan"], table["Plan"])) == {"Basic": 1.0, "Plus": 3.0, "Premium": 4.0}
    channel = df.assign(Channel=np.resize(["App", "Email", "Phone"], len(df)))
    with pytest.raises(ParamsError) as info:
        pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "CustomerID",
                                                     "roles": {"Channel": "ordinal"}}), channel)
    assert "'Channel'" in info.value.message and "no order" in info.value.message and info.value.key == "roles"


def test_the_features_say_what_the_scores_mean_and_are_never_money():
    df = survey()
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "CustomerID"}), df)
    assert fs.labels["Q1_Satisfied"] == "Q1 satisfied (1 = strongly disagree, 5 = strongly agree)"
    assert fs.short["Q3_PriceTooHigh"] == "Q3 price too high (1-5)" and "Q3_PriceTooHigh" not in fs.units
    assert "Answers on a scale are scored in their order: Q1_Satisfied, Q2_WouldRecommend, Q3_PriceTooHigh " \
           "(1 = strongly disagree, 5 = strongly agree)." in fs.notes
    expected = df.set_index("CustomerID")["Q1_Satisfied"].map({a: i + 1.0 for i, a in enumerate(AGREE)})
    assert fs.table["Q1_Satisfied"].equals(expected.rename("Q1_Satisfied"))
    assert fs.table["Q2_WouldRecommend"].notna().all()  # the missing answers filled (with the median)


def test_a_raw_table_is_scored_as_the_features_were_and_an_unknown_answer_is_said():
    from segkit.kinds.customers import preprocessor
    from segkit.kinds.customers.score import score_customers, scoring_metadata

    df = survey(300, seed=1)
    params = params_from_mapping({"data_kind": "customers", "id_col": "CustomerID"})
    fs = pipeline.build_features(params, df)
    encode = preprocessor(fs, params).fit(fs.clustering_table)
    raw = df.set_index("CustomerID")[fs.clustering_table.columns]
    answered = raw.dropna().index
    np.testing.assert_allclose(encode.transform(raw.loc[answered]), encode.transform(fs.clustering_table.loc[answered]))

    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline

    model = Pipeline([("pre", encode), ("kmeans", KMeans(3, n_init=4, random_state=0))]).fit(fs.clustering_table)
    meta = scoring_metadata(fs.clustering_table, {c: fs.extra["model_roles"][c] for c in fs.columns},
                            scales=fs.extra["scales"])
    new = df.copy()
    new.loc[0, "Q1_Satisfied"] = "Meh"
    scored = score_customers(model, meta, new)
    trained = model.named_steps["kmeans"].labels_
    assert len(set(trained)) == 3
    assert scored["segment_code"].iloc[1:].tolist() == [segment_code(x, 3) for x in trained[1:]]  # from the words
    assert scored.attrs["unseen_categories"] == {"Q1_Satisfied": ["Meh"]}
    assert "not on its scale" in scored.attrs["warnings"][0]


def test_a_column_of_scores_given_as_numbers_passes_as_it_is():
    encode = build_preprocessor({"q": "ordinal"}, scaler="robust")
    out = encode.fit_transform(pd.DataFrame({"q": [1, 2, 3, 4, 5]}))
    assert np.allclose(out.ravel(), [-1, -0.5, 0, 0.5, 1])


def test_a_score_on_a_scale_gets_no_ratio_index_and_names_say_what_was_answered():
    """"Q3 price too high (1-5): 1.96 (index 61)": a scale has no zero, so 1.96 is no 61% of 3.21."""
    params = params_from_mapping({"data_kind": "customers", "id_col": "CustomerID", "n_init": 2, "bootstrap": 2})
    fs = pipeline.build_features(params, survey())
    seg = pipeline.fit_segments(params, fs, 2)
    assert fs.extra["scales"].keys() == {"Q1_Satisfied", "Q2_WouldRecommend", "Q3_PriceTooHigh"}
    assert {seg.profile.index_basis[c] for c in fs.extra["scales"]} == {"shifted"}
    ratios = set(seg.profile.ratio_features)
    assert "MonthlySpend" in ratios and not set(fs.extra["scales"]) & ratios
    shown = [f["value_text"] for card in seg.cards() for f in card["facts"] if f["feature"] == "Q1_Satisfied"]
    assert shown and all("index" not in text for text in shown)
    # half answer high and spend more, half low: named by what they answered, not "Customers with low Q1 satisfied"
    happy = seg.labels[fs.table["Q1_Satisfied"] >= 4].mode()[0]
    assert seg.profile.names == {happy: "Advocates", 1 - happy: "Unhappy Customers"}


def test_no_answers_and_a_typo_keep_a_column_on_its_scale_and_are_said():
    """A survey export's "Don't know" and one typo had made the whole column six one-hot levels."""
    rng = np.random.default_rng(3)
    answers = list(rng.choice(AGREE, 189)) + ["Don't know"] * 10 + ["Agre"]
    df = pd.DataFrame({"id": [f"c{i}" for i in range(200)], "spend": rng.uniform(10, 90, 200), "q1": answers,
                       "q2": list(rng.choice(AGREE, 170)) + ["Agre"] * 30})  # 15% off the scale: no scale
    roles = role_table(df).set_index("column")
    assert roles.at["q1", "role"] == "ordinal"
    assert """"Don't know", 'Agre' count as no answer""" in roles.at["q1", "reason"]
    assert roles.at["q2", "role"] == "categorical"
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    assert "q1: 11 answers on no point of the scale count as no answer: \"Don't know\" (10), 'Agre' (1)." in fs.notes
    assert fs.table["q1"].notna().all() and set(fs.table.loc[[f"c{i}" for i in range(189)], "q1"]) <= {1, 2, 3, 4, 5}


def test_a_numbered_scale_from_0_scores_each_answer_its_number():
    """An NPS question written "0 - Not at all likely" ... "10 - Extremely likely": the 0s were scored as missing."""
    levels = ["0 - Not at all likely"] + [str(i) for i in range(1, 10)] + ["10 - Extremely likely"]
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(110)], "spend": rng.uniform(10, 90, 110),
                       "nps": [levels[i % 11] for i in range(110)]})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "roles": {"nps": "ordinal"}})
    fs = pipeline.build_features(params, df)
    assert fs.table["nps"].tolist() == [float(i % 11) for i in range(110)]
    assert fs.labels["nps"].endswith("(0 = not at all likely, 10 = extremely likely)")
    assert fs.short["nps"].endswith("(0-10)")
    assert not any(n.startswith("nps:") for n in fs.notes)  # nothing missing, nothing off the scale
    assert scale_scores(pd.Series(["7-likely", "10 \u2013 Extremely likely", "7", "11"]), fs.extra["scales"]["nps"]) \
        .tolist()[:3] == [7.0, 10.0, 7.0]


def test_scores_given_as_numbers_are_checked_as_numbers_when_new_rows_are_scored():
    from segkit.errors import ColumnError
    from segkit.kinds.customers.score import score_customers, scoring_metadata
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline

    rng = np.random.default_rng(5)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(100)], "spend": rng.uniform(10, 90, 100),
                       "sat": rng.integers(1, 6, 100)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "roles": {"sat": "ordinal"}})
    fs = pipeline.build_features(params, df)
    model = Pipeline([("pre", build_preprocessor(fs.extra["model_roles"], scales=fs.extra["scales"])),
                      ("kmeans", KMeans(2, n_init=2, random_state=0))]).fit(fs.clustering_table)
    meta = scoring_metadata(fs.clustering_table, fs.extra["model_roles"], scales=fs.extra["scales"])
    assert meta["ranges"]["sat"] == [1.0, 5.0]
    with pytest.raises(ColumnError, match="sat"):
        score_customers(model, meta, df.assign(sat=["Agree"] * 50 + list(df["sat"][50:])))
    far = score_customers(model, meta, df.assign(sat=[50] + list(df["sat"][1:])))
    assert far["outside_training_range"].tolist() == [True] + [False] * 99


def test_a_label_the_params_give_a_score_keeps_what_its_numbers_mean():
    params = params_from_mapping({"data_kind": "customers", "id_col": "CustomerID",
                                  "labels": {"Q1_Satisfied": "Satisfaction", "MonthlySpend": "Spend"}})
    fs = pipeline.build_features(params, survey())
    assert fs.labels["Q1_Satisfied"] == "Satisfaction (1 = strongly disagree, 5 = strongly agree)"
    assert fs.short["Q1_Satisfied"] == "Satisfaction (1-5)"
    assert fs.labels["MonthlySpend"] == fs.short["MonthlySpend"] == "Spend"  # the params' words, as they are


def test_a_label_is_set_with_what_its_numbers_mean():
    from segkit.featureset import FeatureSet

    fs = FeatureSet(table=pd.DataFrame({"q1": [1.0, 5.0], "spend": [3.0, 4.0]}), columns=["q1", "spend"],
                    labels={"q1": "Q1 satisfied", "spend": "Spend"}, short={"q1": "Q1 satisfied"},
                    extra={"label_notes": {"q1": ["1 = strongly disagree, 5 = strongly agree", "1-5"]}})
    fs.set_label("q1")
    assert (fs.labels["q1"], fs.short["q1"]) == ("Q1 satisfied (1 = strongly disagree, 5 = strongly agree)",
                                                 "Q1 satisfied (1-5)")
    fs.set_label("q1", "Satisfaction")
    fs.set_label("spend", "Net spend")
    assert (fs.short["q1"], fs.labels["spend"], fs.short["spend"]) == ("Satisfaction (1-5)", "Net spend", "Net spend")
