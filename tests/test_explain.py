"""segkit.explain: the segment explainer (cross-validated forest, permutation importance, drivers)."""

from __future__ import annotations

import json
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from batch_fixtures import smoke_run  # noqa: E402,F401  (pytest fixture)
from segkit import explain, forest, stages  # noqa: E402
from segkit.config import Params  # noqa: E402
from segkit.errors import ColumnError, DataValueError, SegmentationError  # noqa: E402
from segkit.io import RunFolder  # noqa: E402
from segkit.stages import RunContext  # noqa: E402
from segkit.profile import profile_segments  # noqa: E402

UNITS = {"recency": "days", "frequency": "count", "monetary": "money", "noise": None}
LABELS = {"recency": "Days since last purchase", "frequency": "Orders", "monetary": "Net spend", "noise": "Noise",
          "country": "Country"}


def three_segments(n: int = 150, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Segment 0 differs only in recency, segment 1 only in frequency, segment 2 only in its country."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], n)
    recency = np.where(labels == 0, rng.normal(200, 10, 3 * n), rng.normal(30, 10, 3 * n))
    frequency = np.where(labels == 1, rng.normal(20, 1, 3 * n), rng.normal(3, 1, 3 * n))
    country = np.where(labels == 2, "France", "United Kingdom")
    table = pd.DataFrame({
        "recency": recency.round(), "frequency": frequency.round(1), "monetary": rng.lognormal(6, 1, 3 * n),
        "noise": rng.normal(0, 1, 3 * n), "country": pd.array(country, dtype="str")},
        index=pd.Index([f"C{i:04d}" for i in range(3 * n)], name="customer_id"))
    return table, labels


@pytest.fixture(scope="module")
def data():
    return three_segments()


@pytest.fixture(scope="module")
def explanation(data):
    table, labels = data
    return explain.explain_segments(table, labels, folds=3, seed=0, names={0: "S01 Sleepers", 1: "S02 Regulars",
                                                                          2: "S03 French"},
                                    labels_text=LABELS, units=UNITS)


# ------------------------------------------------------------------------------------------ matrix
def test_feature_matrix_types():
    table = pd.DataFrame({"n": [1, 2, None], "flag": [True, False, True], "when": pd.to_datetime(["2011-01-01", "2011-01-03", None]),
                          "shop": pd.array(["a", None, "b"], dtype="str"), "empty": [None, None, None]})
    X = forest.feature_matrix(table)
    assert list(X.columns) == ["n", "flag", "when", "shop"]
    assert X["flag"].tolist() == [1.0, 0.0, 1.0] and X["when"].iloc[1] == 2.0
    assert X["shop"].tolist() == ["a", "(missing)", "b"]
    with pytest.raises(ColumnError, match="not in the table: nope"):
        forest.feature_matrix(table, ["n", "nope"])


def test_forest_pipeline_handles_missing_and_unseen_categories(data):
    table, labels = data
    X = forest.feature_matrix(table)
    model = forest.forest_pipeline(X, seed=0, n_estimators=20).fit(X, labels)
    new = X.head(3).copy()
    new.loc[new.index[0], "country"] = "Atlantis"
    new.loc[new.index[1], "recency"] = np.nan
    assert model.predict(new).shape == (3,)


# -------------------------------------------------------------------------------------- full analysis
def test_well_separated_segments_score_high_with_spread(explanation):
    acc, acc_sd = explanation.accuracy
    f1, f1_sd = explanation.macro_f1
    assert acc > 0.95 and f1 > 0.95 and acc_sd >= 0 and f1_sd >= 0
    assert explanation.well_separated
    assert len(explanation.scores) == 3 and explanation.baseline_accuracy == pytest.approx(1 / 3)
    summary = explanation.summary()
    assert "±" in summary and "well separated" in summary and "Warning" not in summary
    assert explanation.scores_table().index[-2:].tolist() == ["Mean", "Standard deviation"]


def test_each_segment_is_driven_by_its_own_feature(explanation):
    top = explanation.segment_importance.idxmax()
    assert top.to_dict() == {0: "recency", 1: "frequency", 2: "country"}
    assert explanation.importance.index[-1] in {"noise", "monetary"}


def test_drivers_sentences_name_direction_and_typical_values(explanation):
    d = explanation.drivers
    assert re.match(r"Set apart mostly by more days since last purchase \(typically 20\d days vs \d\d days overall\)", d[0])
    assert re.match(r"Set apart mostly by more orders \(typically 20\.\d vs 3\.\d overall\)", d[1])
    assert d[2].startswith("Set apart mostly by country: more often France (100% vs 33% overall)")
    assert "Noise" not in d[0].split(",")[0]
    table = explanation.drivers_table()
    assert table.index.tolist() == ["S01 Sleepers", "S02 Regulars", "S03 French"]


def test_to_dict_is_json_and_complete(explanation):
    out = json.loads(json.dumps(explanation.to_dict()))
    assert {"accuracy_mean", "accuracy_std", "macro_f1_mean", "macro_f1_std", "importance", "segments",
            "well_separated", "summary"} <= set(out)
    assert out["segments"][0]["drivers"] == explanation.drivers[0]


def test_random_labels_are_reported_as_not_well_separated(data):
    table, _ = data
    labels = np.random.default_rng(1).integers(0, 3, len(table))
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=50)
    assert not result.well_separated
    assert "Warning" in result.summary() and "not well separated" in result.summary()


def test_folds_are_capped_by_the_smallest_segment(data):
    table, labels = data
    labels = labels.copy()
    labels[:144] = 1  # segment 0 keeps 6 members
    result = explain.explain_segments(table, labels, folds=10, seed=0, n_repeats=1, n_estimators=20)
    assert len(result.scores) == 6 and result.left_out == {}


def test_a_segment_of_fewer_than_five_is_too_few_to_test_not_an_f1_of_zero(data):
    table, labels = data
    labels = labels.copy()
    labels[:146] = 1  # segment 0 keeps 4 members: 3 per training fold, too few for leaves of two on bootstraps
    result = explain.explain_segments(table, labels, folds=5, seed=0, n_repeats=1, n_estimators=20)
    assert result.left_out == {0: 4} and result.f1(0) is None and len(result.scores) == 5


def test_a_one_member_segment_is_left_out_with_a_note_and_described_from_its_values(data):
    table, labels = data
    labels = labels.copy()
    labels[1:150] = 1  # segment 0 keeps one member (recency about 200 against about 30)
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=20,
                                      names={0: "S01 Lone", 1: "S02 Regulars", 2: "S03 French"},
                                      labels_text=LABELS, units=UNITS)
    assert result.left_out == {0: 1} and result.measured and len(result.scores) == 3
    assert result.f1(0) is None and result.f1(1) > 0.9
    assert 0 not in result.confusion.index
    assert result.drivers[0].startswith("Too few members for the model to test; it differs most in ")
    assert "more days since last purchase (typically 201 days vs 35 days overall)" in result.drivers[0]
    assert "S01 Lone (1 row); its card describes it" in result.summary() and "too small to test" in result.summary()
    assert result.distinctness(0).startswith("too few members (1)")
    # the baseline is the largest tested segment's share of the tested rows, and the index says so (a census trial
    # read "guessing the largest segment: 55%" under a table whose largest segment was 49%)
    tested = int(result.scores["rows"].sum())
    largest = max(np.bincount(labels)[1:]) / tested
    assert tested == len(table) - 1 and result.baseline_accuracy == pytest.approx(largest)
    assert (f"in their own segment, among the {tested:,} in segments large enough to test (always guessing the "
            f"largest of those segments: {100 * largest:.1f}%)") in result.plain_summary()
    assert "always guessing the largest segment tested would be right" in result.summary()
    back = explain.SegmentExplanation.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back.left_out == {0: 1} and back.drivers == result.drivers and back.summary() == result.summary()


def test_with_a_single_segment_left_to_test_nothing_is_measured_and_nothing_fails(data):
    table, _ = data
    labels = np.r_[0, 1, np.full(len(table) - 2, 2)]
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=20)
    assert not result.measured and not result.well_separated and set(result.left_out) == {0, 1}
    assert result.summary().startswith("The segments could not be cross-validated")
    assert set(result.drivers) == {0, 1, 2}
    assert stages.explain.drivers_figure(result) is None and stages.explain.confusion_figure(result) is None


@pytest.mark.parametrize("labels, error, match", [
    (np.zeros(450, dtype=int), SegmentationError, "only one segment"),
    (np.zeros(10, dtype=int), DataValueError, "10 segment labels for 450 rows"),
    (np.r_[np.zeros(449), np.nan], DataValueError, "no segment label"),
])
def test_bad_labels_are_refused(data, labels, error, match):
    with pytest.raises(error, match=match):
        explain.explain_segments(data[0], labels, folds=2)


def test_reproducible_with_a_seed(data):
    table, labels = data
    a = explain.explain_segments(table, labels, folds=2, seed=5, n_repeats=1, n_estimators=20)
    b = explain.explain_segments(table, labels, folds=2, seed=5, n_repeats=1, n_estimators=20)
    pd.testing.assert_frame_equal(a.importance, b.importance)
    assert a.drivers == b.drivers


# --------------------------------------------------------------------------------------- the words
def test_sentences_align_a_series_and_respect_columns(data):
    table, labels = data
    shuffled = pd.Series(labels, index=table.index).sample(frac=1, random_state=0)  # aligned on the index
    result = explain.explain_segments(table, shuffled, columns=["recency", "frequency", "country"], folds=2, seed=0,
                                      n_repeats=1, n_estimators=20, labels_text=LABELS, units=UNITS)
    assert set(result.drivers) == {0, 1, 2} and all(isinstance(k, int) for k in result.drivers)
    assert "days since last purchase" in result.drivers[0].split("(")[0]
    assert result.drivers[2].startswith("Set apart mostly by country: more often France")
    assert result.settings["features"] == ["recency", "frequency", "country"]


def test_no_driver_sentence_claims_the_model_cannot_tell_a_segment():
    table = pd.DataFrame({"a": [1.0, 2.0, 10.0, 11.0], "b": [5.0, 5.0, 5.0, 5.0]})
    text = explain.driver_sentence(table, [0, 0, 1, 1], 1, [])
    assert text == "No single measure sets it apart on its own; it differs most in higher a (typically 10.5 vs 6 overall)."
    flat = explain.driver_sentence(table[["b"]], [0, 0, 1, 1], 1, ["b"])
    assert flat == "No single measure sets it apart on its own; it is close to the average on every measure."
    # recognised all the same: measures that tell one story, none needed alone (a trial's wholesale buyers at 65x the
    # average spend read "No single measure sets it apart")
    several = explain.driver_sentence(table, [0, 0, 1, 1], 1, [], distinct=True)
    assert several == ("Set apart by several measures at once; it differs most in higher a (typically 10.5 vs 6 "
                       "overall).")
    assert explain.driver_sentence(table, [0, 0, 1, 1], 1, None, distinct=True).startswith("Too few members")


def test_the_clearest_difference_is_listed_first_not_the_one_on_the_narrowest_scale():
    """A trial's Champions "differed most in more lines returned (1.92% vs 1.68% overall)", a share whose middle
    half is narrow, before "more orders (17.8 vs 10.7)". Differences are listed by how cleanly the segment's values
    stand apart from the others' (rank-biserial), not by the gap over the middle half."""
    rng = np.random.default_rng(1)
    members = np.r_[np.ones(50, int), np.zeros(150, int)]
    table = pd.DataFrame({"returns_rate": np.r_[rng.normal(1.92, 1.0, 50), rng.normal(1.68, 0.05, 150)],
                          "orders": np.r_[rng.normal(18, 2, 50), rng.normal(10, 3, 150)]})
    text = explain.driver_sentence(table, members, 1, [], distinct=True)
    assert text.startswith("Set apart by several measures at once; it differs most in more orders (typically 17.4 vs")
    assert "returns rate" in text.split("more orders")[1]  # still named, after


def test_a_segment_recognised_without_one_needed_measure_is_set_apart_by_several():
    """Two segments far apart on three measures that move together: shuffling one leaves the other two, so no
    measure is a driver, but the model recognises both: "several measures at once", never "no single measure"."""
    rng = np.random.default_rng(0)
    base = np.r_[rng.normal(0, 1, 150), rng.normal(8, 1, 150)]
    table = pd.DataFrame({"x": base, "y": base + rng.normal(0, 0.1, 300), "z": base + rng.normal(0, 0.1, 300)})
    labels = np.r_[np.zeros(150, int), np.ones(150, int)]
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=30)
    assert (result.segment_f1 > 0.99).all()
    assert all(text.startswith(("Set apart mostly by", "Set apart by several measures at once"))
               for text in result.drivers.values())
    assert any(text.startswith("Set apart by several measures at once") for text in result.drivers.values())


def test_a_sentence_never_compares_values_that_read_the_same():
    # medians 11 and 11 (shown equal): the means (12.3 vs 11.3), with the median once; a measure equal either way is
    # skipped
    table = pd.DataFrame({"orders": [11.0, 11.0, 15.0, 11.0, 11.0, 9.0], "same": [3.0] * 6})
    text = explain.driver_sentence(table, [1, 1, 1, 0, 0, 0], 1, ["same", "orders"], units={"orders": "count"},
                                   labels_text={"orders": "Orders"})
    assert text == ("Set apart mostly by more orders on average (12.3 vs 11.3 overall), though typically the same "
                    "(11).")


def test_rates_read_higher_or_lower_not_more_or_fewer():
    table = pd.DataFrame({"visit_frequency": [1.0, 2.0, 8.0, 9.0], "basket_size": [1.0, 2.0, 8.0, 9.0]})
    text = explain.driver_sentence(table, [0, 0, 1, 1], 0, ["visit_frequency", "basket_size"],
                                   labels_text={"visit_frequency": "Visit frequency", "basket_size": "Basket size"})
    assert "lower visit frequency" in text and "lower basket size" in text and "fewer" not in text


def test_a_date_column_reads_as_earlier_or_later_dates_not_as_levels():
    """A customer table's signup date (the model reads it as days since) was described as a level: "more often
    2023-10-03 00:00:00 (1% vs 0% overall)"."""
    signup = pd.to_datetime(["2023-01-10", "2023-02-01", "2023-02-20", "2023-09-01", "2023-10-03", "2023-11-15"])
    table = pd.DataFrame({"signup_date": signup, "orders": [9.0, 8.0, 9.0, 2.0, 1.0, 2.0]})
    text = explain.driver_sentence(table, [0, 0, 0, 1, 1, 1], 1, ["signup_date", "orders"], units={"orders": "count"},
                                   labels_text={"signup_date": "Signup date (as days since)", "orders": "Orders"})
    assert text == ("Set apart mostly by later signup date (typically 3 Oct 2023 vs 27 May 2023 overall) and fewer "
                    "orders (typically 2 vs 5 overall).")
    assert "00:00:00" not in text and "more often" not in text
    # the days since that date, a measure of its own in a customer table, is the same fact: said once
    table["days_since_signup_date"] = (signup.max() - signup).days.astype(float)
    twice = explain.driver_sentence(table, [0, 0, 0, 1, 1, 1], 1, ["signup_date", "days_since_signup_date", "orders"],
                                    units={"orders": "count", "days_since_signup_date": "days"},
                                    labels_text={"signup_date": "Signup date (as days since)", "orders": "Orders",
                                                 "days_since_signup_date": "Days since signup date"})
    assert twice == text
    first = explain.driver_sentence(table, [0, 0, 0, 1, 1, 1], 1, ["days_since_signup_date", "signup_date", "orders"],
                                    units={"orders": "count", "days_since_signup_date": "days"},
                                    labels_text={"signup_date": "Signup date (as days since)", "orders": "Orders",
                                                 "days_since_signup_date": "Days since signup date"})
    assert "days since signup date" in first and "later signup date" not in first and "orders" in first


# --------------------------------------------------------------------------------------------- stage
def test_analyse_stage_reads_artifacts_and_writes_explain_json(data, tmp_path):
    table, labels = data
    nb = RunContext(params=Params(explain_folds=2, seed=0), folder=RunFolder(tmp_path).ensure())
    nb.folder.write_parquet("features.parquet", table)
    nb.folder.write_json("features_meta.json", {"columns": ["recency", "frequency"], "labels": {}, "short": LABELS,
                                                "units": UNITS, "entity": "customers"})
    profile = profile_segments(table, labels, columns=["recency", "frequency", "monetary"]).with_names(
        {0: "Sleepers", 1: "Regulars", 2: "French"})
    nb.folder.write_json("profiles.json", profile.to_dict())
    order = np.random.default_rng(0).permutation(len(table))  # segments.csv in another order
    nb.folder.write_csv("segments.csv", pd.DataFrame({
        "customer_id": table.index[order], "segment_code": [profile.codes[s] for s in labels[order]],
        "segment_name": "x", "distance_to_centre": 0.0}))
    result = stages.explain.analyse(nb)
    assert result.name(0) == "S01 Sleepers"
    written = nb.folder.read_json("explain.json")
    assert [s["code"] for s in written["segments"]] == ["S01", "S02", "S03"]
    assert written["segments"][0]["drivers"].startswith("Set apart mostly by more days since last purchase")
    assert written["accuracy_mean"] > 0.9


def test_analyse_refuses_features_without_segments(data, tmp_path):
    table, labels = data
    nb = RunContext(params=Params(explain_folds=2), folder=RunFolder(tmp_path).ensure())
    nb.folder.write_parquet("features.parquet", table)
    nb.folder.write_json("features_meta.json", {"columns": ["recency"]})
    profile = profile_segments(table, labels, columns=["recency"])
    nb.folder.write_json("profiles.json", profile.to_dict())
    nb.folder.write_csv("segments.csv", pd.DataFrame({"customer_id": table.index[:10], "segment_code": "S01"}))
    with pytest.raises(DataValueError, match="440 rows of the features have no segment"):
        stages.explain.analyse(nb)


# --------------------------------------------------------------------------------------------- plots
def test_plots_return_axes(explanation):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from segkit.plots import explain as plots

    drawn = [(plots.plot_importance, explanation.importance, {}),
             (plots.plot_segment_drivers, explanation.segment_importance, {"names": explanation.names}),
             (plots.plot_confusion, explanation.confusion, {"names": explanation.names})]
    for draw, table, options in drawn:
        _, ax = plt.subplots()
        assert draw(table, ax=ax, **options) is ax
    for figure in (stages.explain.drivers_figure, stages.explain.importance_figure, stages.explain.confusion_figure):
        assert "<img" in figure(explanation).data
    assert isinstance(plots.plot_importance(explanation.importance, top=2), Axes)
    with pytest.raises(ColumnError, match="mean"):
        plots.plot_importance(pd.DataFrame({"x": [1]}))
    plt.close("all")


def test_drivers_heatmap_of_few_measures_lies_within_its_edges():
    """Three measures make a short figure; its colour bar's label still fits, so the reports draw it once
    (the label, on one line, reached above the figure and cost two more drawing passes)."""
    from segkit.plots.explain import plot_segment_drivers
    from segkit.report.cards import _drawn_once

    drops = pd.DataFrame(np.random.default_rng(0).random((3, 5)), index=["age", "income", "spending score"])
    ax = plot_segment_drivers(drops, names={s: f"Segment named at length {s}" for s in range(5)})
    assert _drawn_once(ax.figure, 96) is not None


# ------------------------------------------------------------------------------ the notebook in a batch
@pytest.mark.slow
def test_07_explain_in_the_smoke_batch(smoke_run):
    import html

    import nbformat

    nb = nbformat.read(smoke_run / "07_explain.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
    out = json.loads((smoke_run / "artifacts" / "explain.json").read_text())
    codes = sorted(pd.read_csv(smoke_run / "artifacts" / "segments.csv")["segment_code"].unique())
    assert [s["code"] for s in out["segments"]] == codes
    assert 0 < out["accuracy_mean"] <= 1 and out["accuracy_std"] >= 0 and out["macro_f1_std"] >= 0
    page = (smoke_run / "07_explain.html").read_text()
    assert "cross-validated accuracy of" in page and "±" in page
    for seg in out["segments"]:
        assert seg["drivers"].startswith("Set apart mostly by") and html.escape(seg["drivers"]) in page


def test_large_tables_are_sampled_for_the_forest_but_described_in_full(data):
    table, labels = data
    result = explain.explain_segments(table, labels, folds=2, seed=0, n_repeats=1, n_estimators=20, max_rows=90)
    assert result.settings["rows"] == 90 and result.settings["rows_in_table"] == len(table)
    assert result.scores["rows"].sum() == 90


def test_shuffled_predictions_in_chunks_match_one_call(data, monkeypatch):
    table, labels = data
    X = forest.feature_matrix(table)
    model = forest.forest_pipeline(X, seed=0, n_estimators=10).fit(X, labels)
    one = forest.shuffled_predictions(model, X, n_repeats=2, rng=np.random.default_rng(0))
    monkeypatch.setattr(forest, "_STACK_CELLS", 1)  # one feature per call
    chunked = forest.shuffled_predictions(model, X, n_repeats=2, rng=np.random.default_rng(0))
    assert one.shape == (X.shape[1], 2, len(X)) and (one == chunked).all()


def test_a_driver_the_segment_barely_differs_in_is_not_named():
    from scipy.stats import norm

    labels = np.repeat([0, 1], 200)
    ages = norm.ppf(np.linspace(0.005, 0.995, 200), loc=40, scale=15)  # the same spread in both segments
    table = pd.DataFrame({"age": np.r_[ages, ages - 1], "spend": np.where(labels == 1, 900.0, 100.0)})
    # 1 year below in mean and median: 0.07 standard deviations, a tenth of the middle half's spread is 1.5 years
    text = explain.driver_sentence(table, labels, 1, ["age", "spend"], labels_text={"age": "Age", "spend": "Spend"})
    assert text.startswith("Set apart mostly by higher spend") and "age" not in text


def test_money_reads_higher_or_lower_whatever_its_label_counts():
    table = pd.DataFrame({"spend_30d": [0.0, 0.0, 300.0, 320.0]})
    text = explain.driver_sentence(table, [0, 0, 1, 1], 0, ["spend_30d"], units={"spend_30d": "money"},
                                   labels_text={"spend_30d": "Spend, last 30 days"})
    assert text.startswith("Set apart mostly by lower spend, last 30 days (") and "fewer" not in text


def test_scores_table_counts_are_whole_numbers():
    """The held-out rows per fold read as counts ("867"), not "867.00"; their spread is not shown (not a result)."""
    from segkit.separability import SegmentExplanation

    table, labels = three_segments(60)
    explanation = explain.explain_segments(table, labels, folds=3, seed=0)
    rows = explanation.scores_table()["Held-out rows"]
    assert all("." not in v for v in rows.drop("Standard deviation"))
    assert rows["Standard deviation"] == "–" and rows["Fold 1"] == f"{int(explanation.scores['rows'].iloc[0])}"
    assert isinstance(explanation, SegmentExplanation)


def test_a_segment_split_on_a_measure_gets_both_statistics_when_nothing_else_sets_it_apart():
    """A segment of steady buyers well above the median customer but below the mean that a few big spenders set:
    "higher net spend (typically ...)" beside its index below 100 misled, and so did "lower net spend (on average
    ...)" alone, so the sentence gives both."""
    spend = [1500.0, 1600.0, 1700.0, 1800.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 30_000.0, 40_000.0]
    labels = [1] * 4 + [0] * 8
    text = explain.driver_sentence(pd.DataFrame({"spend": spend}), labels, 1, ["spend"], units={"spend": "money"},
                                   currency="€", labels_text={"spend": "Net spend"})
    assert np.median(spend[:4]) > np.median(spend) and np.mean(spend[:4]) < np.mean(spend)
    assert text == ("Set apart mostly by higher net spend than typical (€1,650 vs €1,100) but lower on average (€1,650 "
                    "vs €6,608 overall).")


def test_a_segment_at_the_typical_value_far_below_the_average_gets_both_statistics():
    """A new user's card said "Net spend: €1,189 (index 22)" and "higher net spend (typically €658 vs €566
    overall)": the segment sits at about the median customer's spend (a difference of under a tenth of the middle
    half's spread), far below the mean that a few big spenders set. The mean alone would bring a second overall
    value onto a page of medians, so the median is said too."""
    spend = [800.0, 850.0, 900.0, 850.0, 300.0, 400.0, 500.0, 600.0, 20_000.0, 25_000.0]
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    text = explain.driver_sentence(pd.DataFrame({"spend": spend}), labels, 1, ["spend"], units={"spend": "money"},
                                   currency="€", labels_text={"spend": "Net spend"})
    assert text == ("Set apart mostly by lower net spend on average (€850 vs €5,020 overall), though close to typical "
                    "(€850 vs €825).")


def test_census_sentences_say_they_compare_areas():
    """A census card's sentences compare areas ("typically 22% vs 29% overall" read as if of residents, beside key
    facts then weighted by residents). With ``per="area"`` every statistic says whose it is, the fallbacks too."""
    share = pd.DataFrame({"bachelors": [0.20, 0.22, 0.24, 0.30, 0.32, 0.34]})
    text = explain.driver_sentence(share, [1, 1, 1, 0, 0, 0], 1, ["bachelors"], units={"bachelors": "share"},
                                   labels_text={"bachelors": "Adults with a bachelor's or higher"}, per="area")
    assert text == ("Set apart mostly by fewer adults with a bachelor's or higher (typical area 22% vs 27% overall).")
    spend = pd.DataFrame({"income": [1500.0, 1600.0, 1700.0, 1800.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0,
                                     30_000.0, 40_000.0]})
    split = explain.driver_sentence(spend, [1] * 4 + [0] * 8, 1, ["income"], units={"income": "money"},
                                    currency="$", labels_text={"income": "Income"}, per="area")
    assert split == ("Set apart mostly by higher income than in the typical area ($1,650 vs $1,100) but lower in the "
                     "average area ($1,650 vs $6,608 overall).")
    near = pd.DataFrame({"income": [800.0, 850.0, 900.0, 850.0, 300.0, 400.0, 500.0, 600.0, 20_000.0, 25_000.0]})
    close = explain.driver_sentence(near, [1] * 4 + [0] * 6, 1, ["income"], units={"income": "money"},
                                    currency="$", labels_text={"income": "Income"}, per="area")
    assert close == ("Set apart mostly by lower income in the average area ($850 vs $5,020 overall), though close to "
                     "the typical area ($850 vs $825).")


def test_the_explain_page_says_once_that_census_sentences_compare_areas():
    """Said in the 07 notebook's text, the line reached every kind's page ("key facts count residents" on a retail
    run); the stage says it where the sentences compare areas, and is silent elsewhere."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"renters": np.r_[rng.normal(0.2, 0.02, 30), rng.normal(0.6, 0.02, 30)]})
    labels = np.repeat([0, 1], 30)
    areas = stages.explain.drivers_notes(explain.explain_segments(table, labels, folds=3, per="area")).data
    rows = stages.explain.drivers_notes(explain.explain_segments(table, labels, folds=3)).data
    assert areas.count("These sentences compare areas") == 1 and "typical area" in areas
    assert "These sentences" not in rows and "typically" in rows


def test_a_label_note_shares_the_bracket_of_the_numbers():
    """The Mall cards read "higher annual income (k$) (typically 79 vs 61.5 overall)": two brackets in a row."""
    table = pd.DataFrame({"income": [20.0, 25.0, 30.0, 70.0, 80.0, 90.0]})
    text = explain.driver_sentence(table, [0, 0, 0, 1, 1, 1], 1, ["income"],
                                   labels_text={"income": "Annual income (k$)"})
    assert text == "Set apart mostly by higher annual income (k$; typically 80 vs 50 overall)."
    spend = pd.DataFrame({"income": [1500.0, 1600.0, 1700.0, 1800.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0,
                                     30_000.0, 40_000.0]})
    split = explain.driver_sentence(spend, [1] * 4 + [0] * 8, 1, ["income"],
                                    labels_text={"income": "Annual income (k$)"})
    assert split == ("Set apart mostly by higher annual income than typical (k$; 1,650 vs 1,100) but lower on average "
                     "(1,650 vs 6,608 overall).")


def test_a_median_that_barely_differs_names_nothing():
    """A till export's Loyal Customers were "fewer days between purchases (typically 51 days vs 53 days overall)":
    the median two days off, under a tenth of the spread of the middle half, although the mean differs."""
    others = np.arange(10, 101, dtype=float)
    seg = np.array([5, 10, 15, 54, 54, 55, 56, 56, 57, 58], dtype=float)
    days = np.r_[seg, others]
    spread = np.r_[np.full(10, 40.0), np.full(len(others), 10.0)] + np.arange(len(days)) % 3
    labels = np.r_[np.ones(10, int), np.zeros(len(others), int)]
    table = pd.DataFrame({"gap": days, "spread": spread})
    text = explain.driver_sentence(table, labels, 1, ["gap", "spread"], units={"gap": "days", "spread": "days"},
                                   labels_text={"gap": "Days between purchases",
                                                "spread": "Spread of days between purchases"})
    q1, q3 = np.quantile(days, [0.25, 0.75])
    assert abs(np.median(seg) - np.median(days)) < 0.1 * (q3 - q1) / 1.349
    assert seg.mean() < days.mean() - 0.1 * days.std()
    assert text == "Set apart mostly by wider spread of days between purchases (on average 41 days vs 14 days overall)."


def test_a_tiny_or_filled_in_segment_does_not_switch_a_page_to_means():
    """A census page compared 11 of its 14 measures by their means because of one area, a segment of its own whose
    missing values had been filled with the medians: a filled row sits at the median by construction. Only a
    segment of at least five observed values may switch a measure to its mean."""
    rng = np.random.default_rng(0)
    income = np.r_[rng.lognormal(10.8, 0.3, 60), rng.lognormal(11.4, 0.3, 60)]
    table = pd.DataFrame({"income": np.r_[income, np.median(income)]})
    labels = np.r_[np.zeros(60, int), np.ones(60, int), 2]
    words = {"units": {"income": "$"}, "currency": "$", "labels_text": {"income": "Median household income"}}
    sentences = [explain.driver_sentence(table, labels, s, ["income"], **words) for s in (0, 1)]
    assert all("(typically $" in s and "on average" not in s for s in sentences), sentences
    # the filled value, once left out of what the sentences describe, switches nothing either
    described = table.assign(income=table["income"].where(labels != 2))
    explained = explain.explain_segments(table, labels, folds=2, seed=0, described=described, **words)
    assert "(typically $" in explained.drivers[0]


def test_one_overall_value_per_measure_on_a_page_with_a_segment_near_the_typical_value():
    """The review's case: a segment at the median, far below the mean, beside others far from both. Every
    sentence that compares the measure gives the same overall median; the segment near it gives both statistics."""
    spend = np.r_[np.linspace(800, 900, 8), np.linspace(100, 600, 8), np.linspace(9000, 11000, 8), [60_000, 80_000]]
    labels = np.r_[np.zeros(8, int), np.ones(8, int), np.full(8, 2), [3, 3]]
    words = {"units": {"spend": "money"}, "currency": "€", "labels_text": {"spend": "Net spend"}}
    table = pd.DataFrame({"spend": spend})
    sentences = [explain.driver_sentence(table, labels, s, ["spend"], **words) for s in range(4)]
    pattern = r"typically €[\d,]+ vs (€[\d,]+)|typical \(€[\d,]+ vs (€[\d,]+)"
    medians = {v for s in sentences for pair in re.findall(pattern, s) for v in pair if v}
    assert medians == {f"€{np.median(spend):,.0f}"}, sentences
    assert sentences[0] == ("Set apart mostly by lower net spend on average (€850 vs €8,831 overall), though close to "
                            "typical (€850 vs €864).")
    assert sentences[1] == "Set apart mostly by lower net spend (typically €350 vs €864 overall)."
    assert sentences[2] == "Set apart mostly by higher net spend (typically €10,000 vs €864 overall)."  # mean: 0.07 sd


def test_a_segment_too_small_to_test_is_described_by_the_category_it_differs_in():
    """A segment of four members, all on the Gold plan that 1% of the customers hold, read "close to the average on
    every measure" while its name showed the plan."""
    n = 400
    plan = np.where(np.arange(n) < 4, "Gold", np.where(np.arange(n) % 2, "Basic", "Plus"))
    table = pd.DataFrame({"age": np.where(np.arange(n) < 4, 43, 40 + np.arange(n) % 7), "plan": pd.Categorical(plan)})
    labels = np.where(np.arange(n) < 4, 2, np.arange(n) % 2)
    text = explain.driver_sentence(table, labels, 2, None, labels_text={"plan": "Plan", "age": "Age"})
    assert text == ("Too few members for the model to test; it differs most in plan: more often Gold (100% vs 1% "
                    "overall).")


def test_a_date_and_its_days_since_are_one_fact_in_the_fallback_too():
    base = pd.Timestamp("2022-01-01")
    offsets = np.r_[np.arange(0, 200, 2), np.full(70, 150), np.full(30, -3000)]
    dates = pd.Series(base + pd.to_timedelta(offsets, unit="D"))
    table = pd.DataFrame({"signup_date": dates, "days_since_signup_date": (pd.Timestamp("2023-01-01") - dates).dt.days})
    seg = np.r_[np.zeros(100, int), np.ones(100, int)]
    text = explain.driver_sentence(table, seg, 1, ["signup_date", "days_since_signup_date"],
                                   labels_text={"signup_date": "Signup date",
                                                "days_since_signup_date": "Days since signup"})
    assert text.count(" than typical ") == 1 and "days since" not in text


def test_a_measure_few_members_have_a_value_of_names_nothing():
    """A till export's Lost customers, mostly one-time buyers, read "wider spread of days between purchases
    (typically 36 days vs 31 days overall)" from the 10% of them who bought on three days or more."""
    n = 60
    spread = np.r_[[36.0] * 3 + [np.nan] * 27, np.full(n - 30, 31.0) + np.arange(n - 30) % 3]
    table = pd.DataFrame({"spread": spread, "spend": np.r_[np.full(30, 20.0), np.full(30, 120.0)]})
    labels = np.repeat([1, 0], 30)
    text = explain.driver_sentence(table, labels, 1, ["spread", "spend"], units={"spend": "money"},
                                   labels_text={"spread": "Spread of days between purchases", "spend": "Net spend"})
    assert text == "Set apart mostly by lower net spend (typically £20 vs £70 overall)."


def test_labels_given_as_a_series_are_aligned_by_the_entity_ids():
    table = pd.DataFrame({"x": [1.0, 2, 3, 10, 11, 12]}, index=pd.Index(list("abcdef"), name="customer_id"))
    labels = pd.Series([1, 1, 1, 0, 0, 0], index=list("abcdef"))[::-1]  # in another order than the table's rows
    assert explain.driver_sentence(table, labels, 1, ["x"]).startswith("Set apart mostly by lower x (typically 2 vs")


def test_an_infinite_value_does_not_silence_a_measure():
    table = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, np.inf]})
    text = explain.driver_sentence(table, [0] * 5 + [1] * 5, 1, ["x"])
    assert text == "Set apart mostly by higher x (typically 7.5 vs 5 overall)."  # the infinite value is not read


def test_a_measure_a_segment_is_split_on_gives_way_to_its_next_driver():
    """The default run's "At Risk" customers (median 3 orders against 2 overall, mean 3.1 against 4.2) read "Used to
    buy often" above "Set apart mostly by ... fewer orders (on average 3.1 vs 4.2 overall)"; a trial's census segment
    was "higher median household income (on average $88,339 vs $79,064 overall)" while 7 of its 8 areas were below
    the overall median, one top-coded area lifting its mean. Neither statistic alone tells how such a segment
    compares: its sentence names its other drivers."""
    income = [50_000.0, 55_000.0, 60_000.0, 250_001.0,  # the segment: 3 below the overall median, one top code
              62_000.0, 64_000.0, 66_000.0, 70_000.0, 75_000.0, 80_000.0, 90_000.0, 95_000.0]
    renters = [0.6, 0.62, 0.58, 0.61] + [0.20, 0.22, 0.24, 0.26, 0.28, 0.30, 0.32, 0.34]
    table = pd.DataFrame({"median_household_income": income, "renters": renters})
    labels = [1] * 4 + [0] * 8
    text = explain.driver_sentence(table, labels, 1, ["median_household_income", "renters"],
                                   units={"median_household_income": "$", "renters": "share"}, currency="$",
                                   labels_text={"median_household_income": "Median household income",
                                                "renters": "Renting households"})
    assert np.median(income[:4]) < np.median(income) and np.mean(income[:4]) > np.mean(income)
    # the split measure, which a figure of the drivers may rank first, is named without numbers (Online Retail's At
    # Risk read as if net spend and orders, its model's second and third drivers, did not matter)
    assert text == ("Set apart mostly by more renting households (typically 60% vs 31% overall). Median household "
                    "income sets it apart too, below the typical (median) value but above the average, which a few "
                    "large values of its own raise.")


def test_every_sentence_of_a_page_gives_one_overall_value_per_measure():
    """The default run's page read "lower spend, last 30 days (on average £9.79 vs £256 overall)" on one card and
    "higher spend, last 30 days (typically £308 vs £0 overall)" on another: two overall values for one measure.
    Where some segment's median reads the same as the whole's (most customers spent nothing), every sentence
    compares the means."""
    spend = np.r_[np.zeros(20), np.r_[np.zeros(15), np.full(5, 40.0)], np.full(20, 300.0)]
    days = np.r_[np.full(20, 200.0), np.full(20, 90.0), np.full(20, 10.0)]
    table = pd.DataFrame({"spend_30d": spend, "days": days})
    labels = np.repeat([0, 1, 2], 20)
    words = {"units": {"spend_30d": "money", "days": "days"}, "currency": "£",
             "labels_text": {"spend_30d": "Spend, last 30 days", "days": "Days since last purchase"}}
    quiet = explain.driver_sentence(table, labels, 1, ["spend_30d"], **words)
    busy = explain.driver_sentence(table, labels, 2, ["spend_30d"], **words)
    assert np.median(spend[20:40]) == np.median(spend) == 0
    assert quiet == "Set apart mostly by lower spend, last 30 days (on average £10 vs £103 overall)."
    assert busy == "Set apart mostly by higher spend, last 30 days (on average £300 vs £103 overall)."
    # a measure whose medians tell every segment apart stays "typically" on every card
    two = explain.driver_sentence(table.iloc[20:], labels[20:], 2, ["days"], **words)
    assert two == "Set apart mostly by fewer days since last purchase (typically 10 days vs 50 days overall)."


def test_a_level_reads_as_what_the_segment_holds_more_often_and_0_1_as_yes_no():
    """'is active member: more often 1 (87% vs 50%)' and 'churn: less often No (55% vs 75%)' before; then 'is active
    member: more often yes' where the names said 'who are active members'."""
    active = pd.Categorical([1, 1, 1, 0, 0, 0, 0, 1])
    churn = pd.Categorical(["No", "No", "Yes", "No", "No", "No", "No", "No"])
    table = pd.DataFrame({"is_active_member": active, "churn": churn})
    labels = [1, 1, 1, 0, 0, 0, 0, 0]
    text = explain.driver_sentence(table, labels, 1, ["is_active_member", "churn"],
                                   labels_text={"is_active_member": "Is active member", "churn": "Churn"})
    assert text == ("Set apart mostly by a higher share who are active members (100% vs 50% overall) and a higher "
                    "share with churn (33% vs 12% overall).")
    # codes are said as written, and a column of three levels as before
    plan = pd.Categorical(["Yes"] * 3 + ["No", "Maybe"] * 2 + ["No"])
    table = pd.DataFrame({"sex": pd.Categorical(active), "plan": plan})
    text = explain.driver_sentence(table, labels, 1, ["sex", "plan"], coded={"sex"})
    assert text == ("Set apart mostly by sex: more often 1 (100% vs 50% overall) and plan: more often Yes (100% vs 38% "
                    "overall).")


def test_a_level_that_barely_differs_is_not_a_driver():
    """A telco card read "Set apart mostly by gender: more often Female (52% vs 50% overall)": two points on a
    level held by half the customers (0.04 standard deviations of its indicator) set nothing apart."""
    gender = ["Female"] * 26 + ["Male"] * 24 + ["Female"] * 24 + ["Male"] * 26
    contract = ["Month-to-month"] * 40 + ["Two year"] * 10 + ["Month-to-month"] * 10 + ["Two year"] * 40
    table = pd.DataFrame({"gender": pd.Categorical(gender), "contract": pd.Categorical(contract)})
    labels = [1] * 50 + [0] * 50
    text = explain.driver_sentence(table, labels, 1, ["gender", "contract"],
                                   labels_text={"gender": "Gender", "contract": "Contract"})
    assert text == "Set apart mostly by contract: more often Month-to-month (80% vs 50% overall)."


def test_a_date_that_barely_differs_is_not_a_driver_and_a_skewed_one_gets_both_statistics():
    base = pd.Timestamp("2022-01-01")
    near = pd.Series(base + pd.to_timedelta(np.r_[np.arange(100), np.arange(1, 101)], unit="D"))
    labels = np.r_[np.zeros(100, int), np.ones(100, int)]
    table = pd.DataFrame({"signup_date": near, "orders": np.r_[np.full(100, 2.0), np.full(100, 9.0)]})
    text = explain.driver_sentence(table, labels, 1, ["signup_date", "orders"], units={"orders": "count"},
                                   labels_text={"signup_date": "Signup date (as days since)", "orders": "Orders"})
    assert "signup date" not in text  # one day later on average: 0.03 standard deviations
    # most of the segment signed up a little later than the median, a few far earlier: both statistics
    offsets = np.r_[np.arange(0, 200, 2), np.full(70, 150), np.full(30, -3000)]
    table = pd.DataFrame({"signup_date": pd.Series(base + pd.to_timedelta(offsets, unit="D"))})
    seg = np.r_[np.zeros(100, bool), np.ones(100, bool)]
    text = explain.driver_sentence(table, seg.astype(int), 1, ["signup_date"],
                                   labels_text={"signup_date": "Signup date (as days since)"})
    assert text == ("Set apart mostly by later signup date than typical (31 May 2022 vs 20 May 2022) but earlier on "
                    "average (29 Oct 2019 vs 18 Jan 2021 overall).")


@pytest.mark.parametrize("structure", [None, "weak"])
def test_each_segment_is_not_said_to_be_clearly_defined_when_two_are_mixed_up(data, structure):
    """An Ethiopian trial's page said "Each segment is clearly defined by the measures, so new customers can be placed
    reliably" and then "33% of S03 Careful Spenders are taken for S04": the verdict now says "on the whole"."""
    table, labels = data
    mixed = labels.copy()
    mixed[np.flatnonzero(labels == 2)[:25]] = 1  # 25 French customers called Regulars: 1 in 7 of them look French
    names = {0: "S01 Sleepers", 1: "S02 Regulars", 2: "S03 French"}
    result = explain.explain_segments(table, mixed, folds=3, seed=0, n_repeats=1, n_estimators=50, names=names,
                                      structure=structure)
    assert result.well_separated and result.confused_pairs()[0][:2] == (1, 2)
    summary = result.summary()
    share = result.confused_pairs()[0][2]
    assert "Each segment" not in summary and f"Mixed up most often: {100 * share:.0f}% of S02 Regulars are taken for " \
                                              "S03 French." in summary and share >= 0.1
    if structure is None:
        assert "well separated on the whole: their boundaries can be told from the data, apart from the segments " \
               "named as mixed up." in summary
    else:
        assert "clearly defined by the measures on the whole, so most new rows can be placed reliably, apart from " \
               "the segments named as mixed up; as the page \"How many segments?\" says" in summary
    clean = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=50, names=names,
                                     structure=structure)
    assert ("on the whole" in clean.summary()) is False and ("Each segment" in clean.summary()) == (structure == "weak")


def test_a_difference_too_small_to_matter_on_a_narrow_spread_is_not_a_driver():
    """Delaware's Rural Working Towns were "set apart" by "more adults aged 18-34 (typical area 20% vs 19% overall)",
    a small step on a narrow spread, beside a heatmap index of 100."""
    young = np.r_[np.linspace(0.12, 0.26, 80), np.linspace(0.198, 0.202, 12)]  # on average 20% vs 19% overall
    table = pd.DataFrame({"young": young})
    labels = np.r_[np.zeros(80, int), np.ones(12, int)]
    text = explain.driver_sentence(table, labels, 1, ["young"], units={"young": "share"},
                                   labels_text={"young": "Adults aged 18-34"})
    assert text == "No single measure sets it apart on its own; it is close to the average on every measure.", text
    far = explain.driver_sentence(table.assign(young=np.r_[young[:80], young[80:] + 0.06]), labels, 1, ["young"],
                                  units={"young": "share"}, labels_text={"young": "Adults aged 18-34"})
    assert far.startswith("Set apart mostly by more adults aged 18-34"), far


def test_a_date_and_its_days_since_are_one_fact_in_the_tail_too():
    """A split date and the days since it were said twice, in opposite directions: "Days since last sets it apart
    too, above typical but below average. Last sets it apart too, below typical but above average."."""
    rng = np.random.default_rng(0)
    labels = np.array([0] * 100 + [1] * 300)  # segment 0 above the typical row, below the average a few big ones set
    days = np.r_[rng.normal(60, 3, 100), rng.normal(30, 5, 270), rng.normal(600, 50, 30)]
    table = pd.DataFrame({"recency": np.r_[rng.normal(200, 10, 100), rng.normal(50, 10, 300)],
                          "days_since_last": days, "last": pd.Timestamp("2024-01-01") - pd.to_timedelta(days, unit="D")})
    text = explain.driver_sentence(table, labels, 0, ["recency", "days_since_last", "last"])
    assert text.startswith("Set apart mostly by higher recency"), text
    assert text.count("sets it apart too") == 1, text


def test_the_fold_table_gives_the_spread_the_sentence_gives():
    """07's sentence said "94.7% ± 0.3 points" beside a fold table whose standard deviation read "0.00"."""
    from segkit.format import fold_table
    scores = pd.DataFrame({"accuracy": [0.944, 0.947, 0.950], "rows": [1445.0, 1445.0, 1444.0]})
    table = fold_table(scores, {"accuracy": "Accuracy", "rows": "Held-out rows"})
    assert table.loc["Standard deviation", "Accuracy"] == "0.002" and table.loc["Mean", "Accuracy"] == "0.947"
    assert table.loc["Fold 1", "Held-out rows"] == "1,445"
    # the Ethiopian supermarket's folds of 17, 17 and 16 rows had a mean of "17"
    assert table.loc["Mean", "Held-out rows"] == "1,444.7" and table.loc["Standard deviation", "Held-out rows"] == "–"
    even = fold_table(scores.assign(rows=[17.0, 17.0, 17.0]), {"rows": "Held-out rows"})
    assert even.loc["Mean", "Held-out rows"] == "17"


def test_the_held_out_predictions_name_segments_down_and_give_codes_across():
    # four names side by side, tilted, ran into each other on the Ethiopian supermarket's 07 page
    import matplotlib.pyplot as plt

    from segkit.plots.explain import plot_confusion

    names = {0: "S01 Young High Spenders (daily visitors)", 1: "S02 Lower-Income Young Customers (weekly visitors)",
             2: "S03 Careful Spenders (men)"}
    confusion = pd.DataFrame([[11, 1, 0], [0, 12, 0], [0, 1, 11]], index=[0, 1, 2], columns=[0, 1, 2])
    ax = plot_confusion(confusion, names=names)
    try:
        assert [t.get_text() for t in ax.get_yticklabels()] == list(names.values())
        assert [t.get_text() for t in ax.get_xticklabels()] == ["S01", "S02", "S03"]
        assert {t.get_rotation() for t in ax.get_xticklabels()} == {0}
        assert [t.get_text() for t in ax.texts][:3] == ["92%", "8%", "0%"]
    finally:
        plt.close("all")


def test_a_measure_the_model_hardly_needs_is_not_said_to_set_a_segment_apart():
    """The Mall's "set apart mostly by younger age (...) and a higher share of women (64% vs 56% overall)" named gender
    at a drop of 0.003 beside age at 0.268: below 5% of the strongest driver, a measure is no driver."""
    from segkit.explain import MIN_DRIVER_SHARE, ranked_drivers

    importance = pd.Series({"age": 0.268, "spending": 0.092, "income": 0.045, "gender": 0.003, "noise": -0.002})
    assert ranked_drivers(importance) == ["age", "spending", "income"] and MIN_DRIVER_SHARE == 0.05
    assert ranked_drivers(pd.Series({"age": 0.31, "smoker": 0.19, "sex": 0.026})) == ["age", "smoker", "sex"]  # 8%: kept
    assert ranked_drivers(pd.Series({"age": 0.0, "income": -0.01})) == []
