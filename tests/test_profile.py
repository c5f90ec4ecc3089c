"""segkit.profile: statistics, index against the whole, serialisation, 2-D projection."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segkit.errors import ColumnError, DataValueError, SegmentationError
from segkit.profile import (QUINTILES, SegmentName, SegmentProfile, feature_quantiles, profile_segments,
                            project_2d, segment_codes)


@pytest.fixture
def features() -> pd.DataFrame:
    # segment 0 (4 rows): spend mean 15, segment 1 (2 rows): mean 40, segment 2 (2 rows): mean 10;
    # overall spend mean 160 / 8 = 20. "score" is centred on 0 (shifted index), "flag" is constant.
    return pd.DataFrame({
        "spend": [5.0, 15, 15, 25, 30, 50, 5, 15],
        "score": [-2.0, -1, -1, 0, 2, 2, 0, 0],
        "flag": [1] * 8,
        "city": list("abcdefgh"),
    }, index=pd.Index([f"c{i}" for i in range(8)], name="customer"))


LABELS = [0, 0, 0, 0, 1, 1, 2, 2]


def test_segment_codes_are_stable_and_sortable():
    assert segment_codes(3) == ["S01", "S02", "S03"]
    assert segment_codes(0) == []
    codes = segment_codes(120)
    assert codes[0] == "S001" and codes[-1] == "S120" and codes == sorted(codes)


def test_sizes_shares_and_default_columns(features):
    p = profile_segments(features, LABELS)
    assert p.features == ["spend", "score", "flag"]  # numeric columns only, in input order
    assert p.segments == [0, 1, 2]
    assert p.sizes.tolist() == [4, 2, 2]
    assert p.shares.tolist() == [0.5, 0.25, 0.25]
    assert p.codes == {0: "S01", 1: "S02", 2: "S03"}


def test_stats_are_exact(features):
    p = profile_segments(features, LABELS, columns=["spend", "score"])
    spend = p.stats[p.stats["feature"] == "spend"].set_index("segment")
    assert spend["mean"].tolist() == [15.0, 40.0, 10.0]
    assert spend["median"].tolist() == [15.0, 40.0, 10.0]
    assert spend["min"].tolist() == [5.0, 30.0, 5.0]
    assert spend["max"].tolist() == [25.0, 50.0, 15.0]
    assert spend["std"].tolist() == pytest.approx([np.sqrt(50), 10.0, 5.0])  # population std
    assert list(p.stats.columns) == ["segment", "feature", "mean", "median", "std", "min", "max"]
    assert p.stats[["segment", "feature"]].values.tolist() == [
        [0, "spend"], [0, "score"], [1, "spend"], [1, "score"], [2, "spend"], [2, "score"]]
    assert p.means.loc[1, "score"] == 2.0 and p.medians.loc[0, "score"] == -1.0
    assert p.overall.loc["spend", "mean"] == 20.0 and p.overall.loc["spend", "median"] == 15.0
    assert p.overall.loc["score", "min"] == -2.0


def test_index_ratio_of_means_for_positive_features(features):
    p = profile_segments(features, LABELS)
    assert p.index_basis["spend"] == "mean"
    assert p.index["spend"].tolist() == pytest.approx([75.0, 200.0, 50.0])  # twice the whole = 200


def test_index_shifted_for_features_centred_on_zero(features):
    p = profile_segments(features, LABELS)
    assert p.index_basis["score"] == "shifted"
    # 100 * (mean - min) / (overall mean - min) = 50 * (mean + 2)
    assert p.index["score"].tolist() == pytest.approx([50.0, 200.0, 100.0])


def test_index_constant_feature_is_100_and_zscore_0(features):
    p = profile_segments(features, LABELS)
    assert p.index_basis["flag"] == "constant"
    assert p.index["flag"].tolist() == [100.0, 100.0, 100.0]
    assert p.zscores["flag"].tolist() == [0.0, 0.0, 0.0]


def test_small_refunds_keep_the_ratio_of_means():
    f = pd.DataFrame({"monetary": [100.0, 300.0, -20.0, 20.0]})  # refunds 20 <= 10% of 420
    p = profile_segments(f, [0, 0, 1, 1])
    assert p.index_basis["monetary"] == "mean"
    assert p.index["monetary"].tolist() == pytest.approx([200.0, 0.0])


def test_zscores_against_overall_std(features):
    p = profile_segments(features, LABELS)
    std = np.std(features["spend"].to_numpy())
    assert p.zscores["spend"].tolist() == pytest.approx([-5 / std, 20 / std, -10 / std])


def test_quantiles_are_customer_level(features):
    p = profile_segments(features, LABELS)
    assert list(p.quantiles.columns) == list(QUINTILES)
    expected = np.quantile(features["spend"], QUINTILES)
    assert p.quantiles.loc["spend"].tolist() == pytest.approx(expected.tolist())
    table = feature_quantiles(pd.DataFrame({"x": [1.0, 2, 3, 4, 5]}), levels=[0.5])
    assert table.loc["x", 0.5] == 3.0


def test_labels_series_is_aligned_on_the_index(features):
    shuffled = pd.Series(LABELS, index=features.index).iloc[[3, 7, 0, 5, 1, 6, 2, 4]]
    assert profile_segments(features, shuffled).means.equals(profile_segments(features, LABELS).means)


@pytest.mark.parametrize("labels, error, text", [
    ([0, 1, 2], DataValueError, "3 labels for 8 rows"),
    ([0, 0, 0, 0, 2, 2, 2, 2], SegmentationError, "segments [1] have no rows"),
    ([0, 0, 0, 0, 1, 1, 1.5, 2], DataValueError, "integers"),
    ([0, 0, 0, 0, 1, 1, None, 2], DataValueError, "1 rows have no segment label"),
    ([0, 0, 0, 0, 1, 1, -1, 2], DataValueError, "integers"),
])
def test_bad_labels_are_refused_with_a_fix(features, labels, error, text):
    with pytest.raises(error) as info:
        profile_segments(features, np.array(labels, dtype=object if None in labels else float))
    assert text in str(info.value) and "Fix:" in str(info.value)


def test_misaligned_series_is_refused(features):
    labels = pd.Series(LABELS, index=[f"x{i}" for i in range(8)])
    with pytest.raises(DataValueError, match="index does not match"):
        profile_segments(features, labels)


def test_bad_columns_and_values_are_refused(features):
    with pytest.raises(ColumnError, match="'nope' is not in the features"):
        profile_segments(features, LABELS, columns=["nope"])
    with pytest.raises(ColumnError, match="'city' is not numeric"):
        profile_segments(features, LABELS, columns=["city"])
    for bad in (features["spend"].replace(50.0, np.inf), features["spend"] * np.nan):
        with pytest.raises(DataValueError, match=r"columns \['spend'\] have infinite values, or no value at all"):
            profile_segments(features.assign(spend=bad), LABELS)
    with pytest.raises(DataValueError, match="no rows"):
        profile_segments(features.iloc[:0], [])


def test_summary_table(features):
    p = profile_segments(features, LABELS, columns=["spend"], names={0: "Core", 1: "Big", 2: "Small"})
    table = p.summary_table(labels={"spend": "Spend (£)"})
    assert list(table.columns) == ["Segment", "Name", "Customers", "Share %", "Spend (£) (mean)", "Spend (£) (index)"]
    assert table["Segment"].tolist() == ["S01", "S02", "S03"]
    assert table["Name"].tolist() == ["Core", "Big", "Small"]
    assert table["Share %"].tolist() == [50.0, 25.0, 25.0]
    assert table["Spend (£) (index)"].tolist() == [75, 200, 50]
    assert "Areas" in p.summary_table(entity="areas").columns


def test_key_facts_most_distinctive_first(features):
    p = profile_segments(features, LABELS)
    # segment 1: score z = 2 / sqrt(1.75) = 1.51 beats spend z = 20 / sqrt(193.75) = 1.44; flag z = 0
    facts = p.key_facts(1, n=5, labels={"spend": "Spend"}, by="zscore")
    assert [f["feature"] for f in facts] == ["score", "spend", "flag"]
    # by index: segment 2 has spend index 50 (|log 0.5|) and score z 0; "score" has no ratio index (centred on 0),
    # so it ranks by its z-score, 1.51 standard deviations weighing as an index of 165^1.51 (beyond spend's 200)
    assert [f["feature"] for f in p.key_facts(2, n=2)] == ["spend", "score"]
    assert [f["feature"] for f in p.key_facts(1)] == ["score", "spend", "flag"]
    spend = facts[1]
    assert spend["label"] == "Spend" and spend["value"] == 40.0 and spend["overall"] == 20.0
    assert spend["index"] == pytest.approx(200.0) and spend["direction"] == "higher"
    assert spend["text"] == "Spend: 40 (index 200)"
    assert facts[2]["direction"] == "same"
    assert len(p.key_facts(1, n=2)) == 2
    with pytest.raises(DataValueError, match="segment 7"):
        p.key_facts(7)


def test_key_facts_do_not_lead_with_the_zeros_of_a_measure_most_rows_hold_none_of():
    """hotel_rates' first card listed "Babies: 0 (index 0)", "Previous cancellations: 0 (index 0)" and "Days in waiting
    list: 0 days (index 0)" before its long stays: index 0 against a mean of 0.02 is as far from 100 as an index can
    go, though nearly every booking has no babies. For a measure whose median is 0 the index ranks no further than
    its z-score; a measure most rows hold some of (spend at index 40) keeps its index's rank."""
    rng = np.random.default_rng(0)
    n = 2_000
    labels = np.repeat([0, 1], n // 2)
    babies = np.where((labels == 1) & (rng.random(n) < 0.04), 1.0, 0.0)  # segment 0: none; 2% overall
    nights = np.where(labels == 0, 4.0, 2.0) + rng.normal(0, 1.0, n)  # segment 0: index 133, z +1
    spend = np.where(labels == 0, 40.0, 160.0) * rng.lognormal(0, 0.2, n)  # segment 0: index 40, z -0.9
    p = profile_segments(pd.DataFrame({"babies": babies, "nights": nights, "spend": spend}), labels)
    assert p.index.at[0, "babies"] == 0 and "babies" in p.ratio_features
    assert [f["feature"] for f in p.key_facts(0, n=3)] == ["spend", "nights", "babies"]
    assert p.key_facts(0, n=3)[2]["text"] == "babies: 0 (index 0)"  # shown as it is, when it is shown


def test_with_names_returns_a_named_copy(features):
    p = profile_segments(features, LABELS)
    named = p.with_names({0: SegmentName("Core", "Most customers.", "Keep in touch."), 2: "Small"})
    assert named.names == {0: "Core", 2: "Small"} and p.names == {}
    assert named.descriptions == {0: "Most customers."} and named.actions == {0: "Keep in touch."}
    assert named.display_names() == {0: "S01 Core", 1: "S02", 2: "S03 Small"}
    with pytest.raises(SegmentationError, match="unique"):
        p.with_names({0: "Same", 1: "Same"})
    with pytest.raises(DataValueError, match=r"segments \[5\]"):
        p.with_names({5: "Ghost"})


def test_to_dict_round_trip_and_byte_stability(features):
    names = {0: SegmentName("Core", "Most customers.", "Keep in touch."), 1: "Big", 2: "Small"}
    p = profile_segments(features, LABELS, names=names)
    d = p.to_dict()
    text = json.dumps(d, sort_keys=True)
    # identical input, built again from scratch: identical file
    again = profile_segments(features.copy(), list(LABELS), names=names)
    assert json.dumps(again.to_dict(), sort_keys=True) == text
    back = SegmentProfile.from_dict(json.loads(text))
    assert json.dumps(back.to_dict(), sort_keys=True) == text
    assert back.names == p.names and back.descriptions == p.descriptions and back.actions == p.actions
    assert back.sizes.tolist() == [4, 2, 2] and back.index_basis == p.index_basis
    pd.testing.assert_frame_equal(back.index, p.index, check_exact=False, rtol=1e-6)
    pd.testing.assert_frame_equal(back.means, p.means, check_exact=False, rtol=1e-6)
    pd.testing.assert_frame_equal(back.quantiles, p.quantiles, check_exact=False, rtol=1e-6)
    assert back.stats.equals(back.stats) and back.stats.shape == p.stats.shape
    assert d["segments"][1]["index"]["spend"] == 200.0
    assert d["segments"][0]["zscore"]["spend"] == round(-5 / np.std(features["spend"]), 6)  # 6 significant digits
    with pytest.raises(DataValueError, match="profiles.json"):
        SegmentProfile.from_dict({"features": ["x"]})


def test_project_2d_known_structure():
    t = np.linspace(-1, 1, 50)
    X = np.column_stack([t, 2 * t, -t])  # every point on one line: the first axis explains everything
    coords, ratio = project_2d(X, seed=0)
    assert coords.shape == (50, 2)
    assert ratio[0] == pytest.approx(1.0) and ratio[1] == pytest.approx(0.0, abs=1e-12)
    assert np.abs(coords[:, 0]).max() == pytest.approx(np.sqrt(6))  # length of (1, 2, -1)
    again, _ = project_2d(pd.DataFrame(X), seed=0)
    np.testing.assert_allclose(coords, again, atol=1e-12)
    one, ratio1 = project_2d(t[:, None])
    assert np.allclose(one[:, 1], 0) and ratio1.tolist() == [1.0, 0.0]
    with pytest.raises(DataValueError):
        project_2d(np.array([1.0, 2.0]))


def test_a_missing_value_is_left_out_of_every_figure(features):
    """A value not known (NaN, such as one the features step imputed) counts in no mean, median, minimum, maximum or
    index: segment 1's spend is its one observed value, 30, and the whole's mean is 110 / 7."""
    holes = features.assign(spend=features["spend"].where(features["spend"] != 50))
    p = profile_segments(holes, LABELS)
    assert p.means.loc[1, "spend"] == p.medians.loc[1, "spend"] == 30.0 and p.means.loc[0, "spend"] == 15.0
    assert p.overall.loc["spend", "mean"] == pytest.approx(110 / 7) and p.overall.loc["spend", "max"] == 30.0
    assert p.index.loc[1, "spend"] == pytest.approx(100 * 30 / (110 / 7))


def test_an_index_is_shown_only_where_it_reads_as_a_ratio():
    """A bank table's card read "Consumer price index: 94.1 (index 100)" beside a name that called it high, and
    "Employment variation rate: -3.36 (index 1)": a ratio to the mean says nothing of values far from zero that
    barely move, or of values below zero."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    data = pd.DataFrame({"spend": np.where(labels == 0, 100.0, 300.0) + rng.normal(0, 10, 100),
                         "cpi": np.where(labels == 0, 93.0, 94.5) + rng.normal(0, 0.1, 100),
                         "rate": np.where(labels == 0, -3.4, 1.1) + rng.normal(0, 0.1, 100)})
    p = profile_segments(data, labels)
    assert p.index_basis == {"spend": "mean", "cpi": "mean", "rate": "shifted"}
    assert p.ratio_features == ["spend"]
    facts = {f["feature"]: f for f in p.key_facts(1, n=3, labels={"cpi": "Consumer price index"})}
    assert facts["cpi"]["index"] is None
    assert facts["cpi"]["text"] == f"Consumer price index: {facts['cpi']['value']:.1f}"
    assert facts["spend"]["index"] == pytest.approx(p.index.at[1, "spend"])
    assert facts["cpi"]["zscore"] > 0.9  # still far above average in its own spread: the name may say high
    # ... and the card shows it: it ranks by its z-score, not by an index of 100.8 that ranked it last
    assert "cpi" in [f["feature"] for f in p.key_facts(1, n=2)]


def test_the_overview_gives_an_index_only_where_the_cards_do():
    """A census trial's table read "Median year built | 1970 (99)" and "1958 (99)": an index of a calendar year is
    100 in every segment. The overview gives one only for the ratio features, as the cards and sentences do."""
    from types import SimpleNamespace

    from segkit.stages.profile import segment_overview

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    table = pd.DataFrame({"income": np.where(labels == 0, 40_000.0, 90_000.0) + rng.normal(0, 5_000, 100),
                          "median_year_built": np.where(labels == 0, 1958.0, 1984.0) + rng.normal(0, 3, 100)})
    profile = profile_segments(table, labels)
    assert profile.ratio_features == ["income"]
    fs = SimpleNamespace(columns=list(table.columns), entity="areas", extra={}, units={"income": "money",
                         "median_year_built": "year"}, label_map=lambda: {"income": "Income",
                                                                          "median_year_built": "Median year built"})
    shown = segment_overview(SimpleNamespace(profile=profile, features=fs, currency="$", rare_columns={}), top=None)
    # in the corner of the one header row: as its own row it read "Mean (index)" above five empty cells
    assert shown.columns.name == "Mean (index, where it is a ratio)" and shown.index.name is None
    assert "<th>Mean (index, where it is a ratio)</th>" in shown.to_html().split("</tr>")[0]
    built = shown.loc["Median year built"].tolist()
    assert all(cell.isdigit() and 1950 < int(cell) < 1990 for cell in built)  # "1958", no "(99)"
    assert all(cell.endswith(")") and "(index" not in cell and "$" in cell for cell in shown.loc["Income"])


def test_an_index_of_thousands_is_written_as_thousands():
    """hotel_rates' waiting list read "(index 18427)" on a card beside "2,515 zero values" elsewhere: an index is a
    number like the others, its thousands separated, on the cards' facts, the overview table and in names."""
    from segkit.format import index_text
    from segkit.stages.profile import _index_text

    assert index_text(18_427.2) == "18,427" and _index_text(18_427.2) == "18,427" and _index_text(np.nan) == "–"
    big = profile_segments(pd.DataFrame({"waits": np.r_[np.zeros(990), np.full(10, 500.0)]}),
                           np.r_[np.zeros(990, int), np.ones(10, int)])
    assert big.key_facts(1)[0]["text"] == "waits: 500 (index 10,000)"


@pytest.mark.parametrize("actions, said", [
    (["Reward them", "", ""], "S02 Young Customers and S03 Older Women come with no suggested action (segkit "
                              "suggests one only where it knows what a segment&#x27;s leading measures call for): what "
                              "to do with them is for the reader to decide"),
    (["Reward them", "Win them back", ""], "S03 Older Women comes with no suggested action"),
    (["", "", ""], "No segment here comes with a suggested action"),
    (["Reward them", "Win them back", "Ask them"], None),
])
def test_the_cards_say_which_segments_come_without_an_action(actions, said):
    """The Mall's page gave five of its eight segments an action and said nothing of the three others."""
    from types import SimpleNamespace

    from segkit.stages.profile import cards

    names = ["Champions", "Young Customers", "Older Women"]
    shown = [{"code": f"S0{i + 1}", "name": name, "size": 10, "share": 1 / 3, "facts": [], "action": action}
             for i, (name, action) in enumerate(zip(names, actions))]
    seg = SimpleNamespace(extra={}, cards=lambda: shown, features=SimpleNamespace(entity="customers"))
    page = getattr(cards(seg), "data", "")
    notes = [n for n in page.split('class="sk-note"')[1:]]
    if said is None:
        assert not notes
    else:
        assert len(notes) == 1 and said in notes[0]


@pytest.mark.parametrize("structure, said", [
    ("moderate", "The customers form groups that overlap, not clearly separated ones, so a stable segment holds as "
                 "drawn, but the lines between segments are where they were drawn, not gaps in the data"),
    ("none", "The customers form no natural groups, so a stable segment holds as drawn"),
    ("clear", None), (None, None),
])
def test_the_cards_say_what_their_stability_means_where_the_groups_overlap(structure, said):
    """The Ethiopian supermarket's four cards read "Stability 1.00 (stable)" beside a page that says the customers do
    not fall into four groups by themselves."""
    from types import SimpleNamespace

    from segkit.stages.profile import cards

    shown = [{"code": f"S0{i}", "name": f"Segment {i}", "size": 10, "share": 0.5, "facts": [], "action": "Act",
              "stability": 1.0} for i in (1, 2)]
    seg = SimpleNamespace(extra={}, cards=lambda: shown, features=SimpleNamespace(entity="customers"),
                          explanation=SimpleNamespace(structure=structure))
    page = getattr(cards(seg), "data", "")
    if said is None:
        assert "sk-note" not in page
    else:
        assert "Stability on these cards is how well a segment keeps its customers when the segments are refitted " \
               "from their centres on resampled customers (1.00: every time)." in page and said in page


@pytest.mark.parametrize("k, floor", [(8, "0.125"), (4, "0.25"), (3, "0.333")])
def test_the_scoring_table_gives_the_confidence_floor_of_its_own_run(tmp_path, k, floor):
    """The Mall's 06 read "0.25 with four segments" beside a table of 8 segments whose confidences of 0.32-0.50 a
    reader then took for barely above the floor (0.125 with eight): the heading gives the run's own range."""
    from segkit import stages

    ctx = stages.open_run(tmp_path / "run", data_kind="customers")
    ctx.folder.write_json("segments_summary.json", {"segments": [
        {"code": f"S0{i + 1}", "name": f"Segment {i + 1}", "share": 1 / k} for i in range(k)]})
    scored = pd.DataFrame({"segment_code": ["S01", "S01", "S02"], "confidence": [0.3, 0.5, 0.6]})
    table = stages.score.scored_summary(ctx, scored)
    column = f"Mean confidence ({floor} to 1)"
    assert column in table.columns and table.loc["S01", column] == "0.40" and table.loc["S02", column] == "0.60"
    # a business table like the others: "Segment" above the codes in the one header row, counts with separators
    assert table.columns.name == "Segment" and table.index.name is None
    assert "S03" in table.index and table.loc["S03", column] == "–"


@pytest.mark.parametrize("structure, overlap", [("weak", True), ("clear", False), (None, False)])
def test_the_confidence_note_says_a_low_confidence_is_not_a_wrong_segment(tmp_path, structure, overlap):
    """The Mall's index said new customers "can be placed reliably" (a model placed 95.5% right) beside 06's mean
    confidences of 0.32-0.50: 06 says what the confidence measures, and the accuracy the index gives."""
    from segkit import explain, stages

    ctx = stages.open_run(tmp_path / "run", data_kind="customers")
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 60)
    table = pd.DataFrame({"x": np.where(labels == 0, rng.normal(0, 1, 120), rng.normal(12, 1, 120))})
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=20, entity="customers")
    assert result.accuracy[0] == 1.0  # two segments twelve standard deviations apart: every held-out row placed right
    if structure is not None:
        ctx.folder.write_json("k_summary.json", {"structure": structure})
    said = str(stages.score.confidence_note(ctx).data)
    assert "A record joins the segment whose centre is nearest, the rule that drew the segments." in said
    assert "a low confidence marks a record near a border, where a small change could move it to the next segment, " \
           "not a wrong segment." in said
    assert ("the groups overlap" in said) == overlap and "recognised" not in said
    ctx.folder.write_json("explain.json", result.to_dict())
    said = str(stages.score.confidence_note(ctx).data)
    assert "the run&#x27;s summary page reports that a model given only the measures recognised 100.0% of the " \
           "customers it had not seen." in said


def test_records_drawn_from_the_input_are_checked_against_their_training_segments(tmp_path):
    """The Mall's 06 scored 25 of its own customers "to show the segment each would get if it were new", and left the
    reader to wonder whether that was their own: the checks say how many got the segment they have in training."""
    from segkit import stages
    from segkit.stages.score import FROM_INPUT

    def drawn(ids, codes, *, from_input=True):
        frame = pd.DataFrame({"CustomerID": ids, "segment_code": codes})
        frame.attrs[FROM_INPUT] = from_input
        return str(stages.score.scoring_notes(ctx, frame).data)

    ctx = stages.open_run(tmp_path / "run", data_kind="customers")
    # 0004 was left out of the segments (no code), 0005 is not in the file at all
    ctx.folder.write_csv("segments.csv", pd.DataFrame({"CustomerID": ["0001", "0002", "0003", "0004"],
                                                       "segment_code": ["S01", "S02", "S01", None]}))
    said = drawn(["0003", "0001"], ["S01", "S01"])
    assert "All 2 rows were scored" in said and "sk-note" in said
    assert "Each of the 2 customers drawn from the input got the segment they have in training (segments.csv)." in said
    said = drawn(["0003", "0001", "0002"], ["S02", "S01", "S01"])
    assert "1 of the 3 customers drawn from the input got the segment they have in training (segments.csv); 2 " \
           "customers lie nearer another segment&#x27;s centre than that of their own, so scoring places them " \
           "there." in said and "sk-warn" in said
    assert "1 customer lies nearer another segment&#x27;s centre than that of its own, so scoring places it there." \
        in drawn(["0003", "0001"], ["S02", "S01"])
    assert "The customer drawn from the input got the segment it has in training (segments.csv)." in drawn(["0003"],
                                                                                                          ["S01"])
    assert "The customer drawn from the input lies nearer another segment&#x27;s centre than that of the segment it " \
           "has in training" in drawn(["0003"], ["S02"])
    # a customer without a training segment is not a disagreement: it is said apart
    said = drawn(["0001", "0003", "0004", "0005"], ["S01", "S01", "S02", "S01"])
    assert "Each of the 2 customers drawn from the input got the segment they have in training (segments.csv). The " \
           "other 2 customers drawn have no segment in training." in said and "sk-note" in said
    assert "One customer drawn from the input got the segment it has in training (segments.csv). The other 1 " \
           "customer drawn has no segment in training." in drawn(["0001", "0005"], ["S01", "S02"])
    # new customers have no training segment, nor rows without the id the segments are listed by: nothing is said
    assert "training" not in drawn(["0003"], ["S01"], from_input=False)
    nameless = pd.DataFrame({"row": ["0", "1"], "segment_code": ["S01", "S01"]})
    nameless.attrs[FROM_INPUT] = True
    assert "training" not in str(stages.score.scoring_notes(ctx, nameless).data)
