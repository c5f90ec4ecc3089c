"""segkit.kinds.transactions.churn: the churn set-up (no leakage), a known rule the model must learn, scoring and risk per segment."""

from __future__ import annotations

import json
from dataclasses import replace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from batch_fixtures import ROOT, smoke_run  # noqa: E402,F401  (pytest fixture)
from segkit import stages  # noqa: E402
from segkit.kinds.transactions import churn  # noqa: E402
from segkit.config import Params  # noqa: E402
from segkit.errors import ColumnError, DataValueError  # noqa: E402
from segkit.io import RunFolder  # noqa: E402
from segkit.stages import RunContext  # noqa: E402

START = pd.Timestamp("2011-01-01")
END = pd.Timestamp("2011-12-31")  # last day with transactions
CUTOFF = pd.Timestamp("2011-10-03")  # END + 1 day - 90 days: the default cutoff


def _line(customer, invoice, when, quantity=2, price=3.0, cancel=False, country="United Kingdom", code="A"):
    return {"customer_id": str(customer), "invoice_id": ("C" if cancel else "") + str(invoice), "date": when,
            "quantity": -quantity if cancel else quantity, "price": price,
            "amount": (-quantity if cancel else quantity) * price, "is_cancellation": cancel, "stock_code": code,
            "country": country}


def known_rule_transactions(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Transactions where churn follows a known rule.

    Every customer buys every ``gap`` days (5 to 25, with jitter) from a random start. Churners (40%)
    stop for good on a random day 40 to 200 days before the cutoff; the others keep buying to the end
    of the data, so they buy again within the 90-day horizon. Returns the clean table and the true label.
    """
    rng = np.random.default_rng(seed)
    rows, truth, invoice = [], {}, 0
    for c in range(n):
        churner = rng.random() < 0.4
        gap = int(rng.integers(5, 26))
        day = START + pd.Timedelta(days=int(rng.integers(0, 60)))
        stop = CUTOFF - pd.Timedelta(days=int(rng.integers(40, 201))) if churner else END
        cid = 10000 + c
        while day <= stop:
            invoice += 1
            for _ in range(int(rng.integers(1, 4))):
                rows.append(_line(cid, invoice, day + pd.Timedelta(hours=10), quantity=int(rng.integers(1, 10)),
                                  price=float(rng.choice([1.25, 2.5, 4.95])), code=str(rng.integers(0, 40))))
            day += pd.Timedelta(days=max(1, gap + int(rng.integers(-3, 4))))
        truth[str(cid)] = int(churner)
    rows.append(_line(99999, invoice + 1, END + pd.Timedelta(hours=9)))  # pins the last day of the data
    clean = pd.DataFrame(rows)
    clean["date"] = pd.to_datetime(clean["date"])
    return clean, pd.Series(truth, name="churned").sort_index()


@pytest.fixture(scope="module")
def known():
    return known_rule_transactions()


# ----------------------------------------------------------------------------------------- set-up
def test_default_cutoff_ends_the_horizon_with_the_data(known):
    clean, _ = known
    assert churn.churn_cutoff(clean) == CUTOFF
    assert churn.churn_cutoff(clean, horizon_days=30) == END + pd.Timedelta(days=1) - pd.Timedelta(days=30)
    assert churn.churn_cutoff(clean, "2011-06-01 15:30") == pd.Timestamp("2011-06-01")


def test_horizon_past_the_data_is_refused(known):
    clean, _ = known
    with pytest.raises(DataValueError, match="runs past the last purchase") as err:
        churn.churn_cutoff(clean, "2011-11-01")
    assert err.value.key == "churn_cutoff" and "2011-10-03 or earlier" in err.value.message
    with pytest.raises(DataValueError, match="no transaction is dated before"):
        churn.churn_cutoff(clean, "2010-06-01")


def test_labels_follow_purchases_in_the_horizon(known):
    clean, truth = known
    data = churn.churn_dataset(clean)
    assert data.cutoff == CUTOFF and data.horizon_end == END + pd.Timedelta(days=1)
    # customer 99999 first buys on the last day: not a customer at the cutoff
    assert "99999" not in data.features.index
    pd.testing.assert_series_equal(data.churned, truth.reindex(data.features.index), check_names=False,
                                   check_index_type=False)
    assert 0.3 < data.rate < 0.5 and "churned" in data.describe()


def test_a_cancellation_in_the_horizon_is_not_a_purchase():
    clean = pd.DataFrame([_line(1, 1, pd.Timestamp("2011-01-05")), _line(2, 2, pd.Timestamp("2011-01-06")),
                          _line(1, 3, pd.Timestamp("2011-03-01"), cancel=True),
                          _line(2, 4, pd.Timestamp("2011-03-02")), _line(3, 5, pd.Timestamp("2011-03-31"))])
    data = churn.churn_dataset(clean, cutoff="2011-02-01", horizon_days=30)
    assert data.churned.to_dict() == {"1": 1, "2": 0}


def test_nothing_to_learn_when_nobody_churns():
    clean = pd.DataFrame([_line(1, 1, pd.Timestamp("2011-01-05")), _line(1, 2, pd.Timestamp("2011-02-20")),
                          _line(1, 3, pd.Timestamp("2011-03-05"))])
    with pytest.raises(DataValueError, match="no customer churned"):
        churn.churn_dataset(clean, cutoff="2011-02-01", horizon_days=30)


def test_clean_table_without_dates_is_a_column_error():
    with pytest.raises(ColumnError, match="'date'"):
        churn.churn_cutoff(pd.DataFrame({"customer_id": ["1"]}))


# ---------------------------------------------------------------------------------- leakage guard
def test_leakage_guard_no_transaction_from_the_cutoff_on_enters_the_features(known):
    """An absurd purchase on the cutoff day (at midnight) or later changes no feature of any customer."""
    clean, _ = known
    before = churn.churn_dataset(clean)
    customer = before.features.index[0]
    absurd = [
        _line(customer, 900001, CUTOFF, quantity=10**6, price=10**6, country="Atlantis", code="ZZZ"),  # cutoff, 00:00
        _line(customer, 900002, CUTOFF + pd.Timedelta(days=30, hours=12), quantity=10**6, price=10**6),
        _line(customer, 900003, CUTOFF + pd.Timedelta(days=45), quantity=10**6, price=10**6, cancel=True),
        _line(customer, 900004, END + pd.Timedelta(hours=23), quantity=10**6, price=10**6),
        _line("NEW", 900005, CUTOFF + pd.Timedelta(days=2), quantity=10**6, price=10**6),
    ]
    leaked = pd.concat([clean, pd.DataFrame(absurd).astype({"date": "datetime64[us]"})], ignore_index=True)
    after = churn.churn_dataset(leaked)
    pd.testing.assert_frame_equal(after.features, before.features)
    assert after.features.attrs["snapshot_date"] == before.features.attrs["snapshot_date"] == "2011-10-03"
    assert after.churned[customer] == 0  # the horizon is used for the label, and only for it
    assert "NEW" not in after.features.index


def test_leakage_guard_the_day_before_the_cutoff_does_count(known):
    clean, _ = known
    before = churn.churn_dataset(clean)
    customer = before.features.index[0]
    extra = pd.DataFrame([_line(customer, 900001, CUTOFF - pd.Timedelta(minutes=1), quantity=1, price=1000.0)])
    after = churn.churn_dataset(pd.concat([clean, extra.astype({"date": "datetime64[us]"})], ignore_index=True))
    assert after.features.loc[customer, "recency"] == 1
    assert after.features.loc[customer, "monetary"] == pytest.approx(before.features.loc[customer, "monetary"] + 1000)


# ------------------------------------------------------------------------------------------ model
def test_the_model_learns_a_known_churn_rule(known):
    clean, _ = known
    evaluation = churn.evaluate_churn(churn.churn_dataset(clean), folds=3, seed=0)
    auc, auc_sd = evaluation.roc_auc
    assert auc >= 0.9, f"ROC-AUC {auc:.3f} on a rule the features capture"
    assert len(evaluation.scores) == 3 and auc_sd >= 0
    assert evaluation.pr_auc[0] > evaluation.base_rate
    assert evaluation.importance.index[0] in {"recency", "interpurchase_mean", "spend_30d", "spend_90d", "tenure"}
    assert "±" in evaluation.summary() and "ROC-AUC" in evaluation.summary()
    calibration = evaluation.calibration_table()
    assert calibration["count"].sum() == len(evaluation.churned)
    assert {"fpr", "tpr"} <= set(evaluation.roc_curve().columns)
    assert {"recall", "precision"} <= set(evaluation.pr_curve().columns)
    json.dumps(evaluation.to_dict())


def test_the_calibration_table_reads_in_plain_words_and_percent():
    probability = pd.Series([0.05, 0.08, 0.15, 0.12, 0.95, 0.999])
    evaluation = churn.ChurnEvaluation(scores=pd.DataFrame(), probability=probability,
                                       churned=pd.Series([0, 0, 0, 1, 1, 1]), importance=pd.DataFrame())
    shown = stages.churn.calibration_table(evaluation)
    assert shown.columns.name == "Predicted churn risk" and list(shown.index) == ["0-10%", "10-20%", "90-100%"]
    assert shown.to_dict("list") == {"Mean predicted risk": ["6%", "14%", "97%"], "Churned": ["0%", "50%", "100%"],
                                     "Customers": ["2", "2", "2"]}


def test_nested_search_records_its_choice_per_fold(known):
    clean, _ = known
    evaluation = churn.evaluate_churn(churn.churn_dataset(clean), folds=2, seed=1, search_iter=2, search_folds=2,
                                      n_repeats=1)
    assert len(evaluation.chosen) == 2
    assert set(evaluation.chosen[0]) == {k.removeprefix("forest__") for k in churn.SEARCH_SPACE}
    assert "tried" in evaluation.search_note() and evaluation.to_dict()["search"] == 2
    json.dumps(evaluation.to_dict())


def test_results_are_reproducible_with_a_seed(known):
    clean, _ = known
    data = churn.churn_dataset(clean)
    a = churn.evaluate_churn(data, folds=2, seed=3, n_repeats=1)
    b = churn.evaluate_churn(data, folds=2, seed=3, n_repeats=1)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_series_equal(a.probability, b.probability)


def test_large_inputs_are_judged_on_a_stratified_sample(known):
    clean, _ = known
    data = churn.churn_dataset(clean)
    n = len(data.churned)
    evaluation = churn.evaluate_churn(data, folds=2, seed=3, n_repeats=1, max_rows=n // 2)
    assert len(evaluation.probability) == len(evaluation.churned) == n // 2
    assert evaluation.probability.index.isin(data.features.index).all()
    assert abs(evaluation.base_rate - data.rate) <= 1 / (n // 2) + 1e-9  # stratified by the outcome
    assert f"on a sample of {n // 2:,} of the {n:,} customers" in evaluation.summary()
    assert churn.evaluate_churn(data, folds=2, seed=3, n_repeats=1, max_rows=n).settings["rows"] == n


def test_rank_auc_equals_sklearn_roc_auc():
    from sklearn.metrics import roc_auc_score

    from segkit.forest import auc

    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(5, 200))
        y = rng.random(n) < 0.4
        score = np.round(rng.random(n), int(rng.integers(1, 4)))  # ties
        if 0 < y.sum() < n:
            assert auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert np.isnan(auc(np.ones(4, bool), np.arange(4.0)))


# ------------------------------------------------------------------------------------ risk by segment
def test_risk_by_segment_means_counts_and_threshold_inclusive():
    churn_df = pd.DataFrame({"customer_id": ["1", "2", "3", "4", "5"],
                             "churn_probability": [0.1, 0.5, 0.9, 0.2, 0.49]})
    segments = pd.DataFrame({"customer_id": [1, 2, 3, 4, 6], "segment_code": ["S01", "S01", "S02", "S02", "S02"],
                             "segment_name": ["Loyal", "Loyal", "Lapsing", "Lapsing", "Lapsing"]})
    table = churn.risk_by_segment(churn_df, segments, threshold=0.5)
    assert table.index.tolist() == ["S01", "S02"]
    assert table.loc["S01", "mean_risk"] == pytest.approx(0.3) and table.loc["S01", "high_risk"] == 1
    assert table.loc["S02", "customers"] == 3 and table.loc["S02", "scored"] == 2  # customer 6 has no score
    assert table.loc["S02", "mean_risk"] == pytest.approx(0.55) and table.loc["S02", "high_risk_share"] == 0.5
    sentences = churn.risk_sentences(table, 0.5)
    assert sentences["S01"] == ("Churn risk 30% on average; 1 of 2 customers scored (50%) at high risk "
                                "(probability 0.50 or more).")
    many = pd.DataFrame({"scored": [1167, 315], "high_risk": [1164, 1], "high_risk_share": [1164 / 1167, 1 / 315],
                         "mean_risk": [0.70, 0.04]}, index=["S01", "S05"])
    said = churn.risk_sentences(many, 0.5)  # as the run's page says it: never 100% or 0% when it is not
    assert "1,164 of 1,167 customers scored (over 99%)" in said["S01"]
    assert "1 of 315 customers scored (under 1%)" in said["S05"]


def test_the_profile_pages_churn_table_says_its_horizon(tmp_path):
    """05's churn table read "makes no purchase in the next months" beside an index saying "in the next 90 days"."""
    from types import SimpleNamespace

    folder = RunFolder(tmp_path).ensure()
    folder.write_csv("churn.csv", pd.DataFrame({"customer_id": ["1", "2", "3"], "churn_probability": [0.1, 0.6, 0.8]}))
    folder.write_json("churn_summary.json", {"threshold": 0.5, "horizon_days": 60})
    folder.write_csv("segments.csv", pd.DataFrame({"customer_id": ["1", "2", "3"],
                                                   "segment_code": ["S01", "S02", "S02"],
                                                   "segment_name": ["Loyal", "Lapsing", "Lapsing"]}))
    risk = churn.segment_risk(folder, 0.5)
    assert risk.attrs["horizon_days"] == 60
    shown = stages.profile.churn_table(SimpleNamespace(risk=risk))
    assert shown.loc["S02", "Mean churn risk (next 60 days)"] == "70.0%"
    assert churn.risk_sentences(risk, 0.5)["S02"].startswith("Churn risk (next 60 days) 70% on average; 2 of 2")


def test_a_card_named_for_risk_says_what_the_run_page_says_of_it():
    """Online Retail's index said "S02 At Risk is named for how its customers bought, not by this model: fewer of them
    are at high risk (22%) than in S04 New Customers (38%)", and S02's card gave its 22% without a word of it."""
    from segkit.report.churn_words import churn_sentence

    table = pd.DataFrame({"segment_name": ["Lost", "At Risk", "New Customers", "Champions"],
                          "scored": [1167, 780, 867, 315], "high_risk": [1129, 172, 328, 0],
                          "mean_risk": [0.64, 0.375, 0.469, 0.03]}, index=["S01", "S02", "S04", "S05"])
    table["high_risk_share"] = table["high_risk"] / table["scored"]
    said = churn.risk_sentences(table, 0.5)
    assert said["S02"].endswith("(probability 0.50 or more). At Risk is named for how its customers bought, not by "
                                "this model: fewer of them are at high risk than in S04 New Customers (38%).")
    assert "named for" not in said["S01"] + said["S04"] + said["S05"]  # Lost is the most at risk: one story
    segments = {code: {"name": row.segment_name, "high_risk_share": row.high_risk_share}
                for code, row in table.iterrows()}
    assert ("S02 At Risk is named for how its customers bought, not by this model: fewer of them are at high risk "
            "(22%) than in S04 New Customers (38%).") in churn_sentence({"high_risk_share": 0.39, "segments": segments},
                                                                        "customers")
    # within 5 points, as the pages round them, there is no story to tell
    close = table.assign(high_risk=[1129, 290, 328, 0])
    close["high_risk_share"] = close["high_risk"] / close["scored"]
    assert "named for" not in churn.risk_sentences(close, 0.5)["S02"]


def test_risk_by_segment_names_missing_columns():
    with pytest.raises(ColumnError, match="churn_probability"):
        churn.risk_by_segment(pd.DataFrame({"customer_id": ["1"]}), pd.DataFrame({"id": ["1"], "segment_code": ["S01"]}))
    with pytest.raises(ColumnError, match="segment_code"):
        churn.risk_by_segment(pd.DataFrame({"customer_id": ["1"], "churn_probability": [0.2]}),
                              pd.DataFrame({"id": ["1"]}))


# ------------------------------------------------------------------------------------------- stages
def test_stages_write_churn_csv_and_summary_then_segment_risk(known, tmp_path):
    clean, _ = known
    nb = RunContext(params=Params(churn_folds=2, seed=0), folder=RunFolder(tmp_path).ensure())
    assert churn.segment_risk(nb.folder, nb.params.churn_threshold) is None  # nothing scored yet
    nb.folder.write_parquet("clean.parquet", clean)
    data = stages.churn.build(nb)
    evaluation = stages.churn.evaluate(nb, data)
    scores = stages.churn.score(nb, data, evaluation)
    table = pd.read_csv(nb.folder.artifact("churn.csv"), dtype={"customer_id": str})
    assert list(table.columns) == ["customer_id", "churn_probability", "high_risk"]
    assert "99999" in set(table["customer_id"])  # current customers are scored, the newest too
    assert table["churn_probability"].between(0, 1).all()
    summary = nb.folder.read_json("churn_summary.json")
    assert summary["cutoff"] == "2011-10-03" and summary["scored_at"] == "2012-01-01"
    assert summary["roc_auc_mean"] >= 0.9 and summary["folds"] == 2 and summary["segments"] == []
    assert summary["high_risk"] == int(table["high_risk"].sum()) == scores.high_risk
    assert "refit" in summary["scoring"] and "refit" in scores.summary()
    # the expected count (the sum of the chances) and its dates, beside the count at high risk a reader takes for it;
    # and the weeks the model learned from (from the cutoff, 90 days), which lie elsewhere in the year than the scored
    expected = table["churn_probability"].sum()
    assert f"so about {expected:,.0f} of them are expected to buy nothing from 01 January 2012 to 30 March 2012" \
        in summary["scoring"] and "not a count of who will stop" in summary["scoring"]
    assert "The model learned from what customers did from 03 October 2011 to 31 December 2011" in summary["scoring"]

    ids = table["customer_id"]
    segments = pd.DataFrame({"customer_id": ids, "segment_code": np.where(ids.str[-1].isin(list("01234")), "S01", "S02"),
                             "segment_name": "x"})
    nb.folder.write_csv("segments.csv", segments)
    by_segment = churn.segment_risk(nb.folder, nb.params.churn_threshold)
    assert by_segment["customers"].sum() == len(table)
    written = nb.folder.read_json("churn_summary.json")["segments"]
    assert [s["code"] for s in written] == ["S01", "S02"]
    assert {"code", "name", "customers", "scored", "mean_risk", "high_risk", "high_risk_share"} == set(written[0])


def test_plots_draw_into_axes_and_figures(known):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from segkit.plots.explain import churn_evaluation_figure, plot_importance, plot_risk_distribution

    clean, _ = known
    evaluation = churn.evaluate_churn(churn.churn_dataset(clean), folds=2, seed=0, n_repeats=1)
    fig = churn_evaluation_figure(evaluation.roc_curve(), evaluation.pr_curve(), evaluation.calibration_table(),
                                  roc_auc=evaluation.roc_auc, pr_auc=evaluation.pr_auc, base_rate=evaluation.base_rate)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    _, ax = plt.subplots()
    assert plot_importance(evaluation.importance, ax=ax) is ax
    scores = churn.ChurnScores(table=pd.DataFrame({"churn_probability": [0.1, 0.7, 0.9]}), threshold=0.5,
                               scored_at=END, trained_on=3)
    assert isinstance(plot_risk_distribution(scores.table, threshold=scores.threshold), Axes)
    for figure in (stages.churn.evaluation_figure, stages.churn.importance_figure):
        assert "<img" in figure(evaluation).data
    assert "<img" in stages.churn.risk_figure(scores).data
    plt.close("all")


# ----------------------------------------------------------------------------- the notebook in a batch
def test_08_churn_runs_beside_02_and_03_for_transactions_only():
    from segkit.report.runner import discover_notebooks

    notebooks = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "transactions")}
    # 02's sample of customers is read only in the duckdb or spark engine; in pandas 08 runs beside 02 as well
    assert notebooks["08_churn"].after == ["01_eda", "02_features"]
    assert notebooks["08_churn"].in_pandas().after == ["01_eda"]
    assert "08_churn" not in {nb.name for nb in discover_notebooks(ROOT / "notebooks", "customers")}


@pytest.mark.slow
def test_08_churn_in_the_smoke_batch(smoke_run):
    import nbformat

    nb = nbformat.read(smoke_run / "08_churn.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
    scores = pd.read_csv(smoke_run / "artifacts" / "churn.csv", dtype={"customer_id": str})
    features = pd.read_parquet(smoke_run / "artifacts" / "features.parquet")
    assert set(scores["customer_id"]) == set(features.index.astype(str))
    summary = json.loads((smoke_run / "artifacts" / "churn_summary.json").read_text())
    assert 0.6 < summary["roc_auc_mean"] < 0.95 and summary["roc_auc_std"] > 0 and summary["folds"] == 3
    page = (smoke_run / "08_churn.html").read_text()
    assert f"ROC-AUC {summary['roc_auc_mean']:.3f} ± {summary['roc_auc_std']:.3f}" in page
    assert "refit" in page


def test_churn_probabilities_are_brought_back_to_the_churn_rate_learned_from():
    """CDNOW (86% churned): the forest's balanced class weights said 35% where 74% churned, and the run's page put
    73% of customers at high risk. Corrected to the rate learned from, the probabilities average that rate, in the
    cross-validation and when scoring, and rank the customers as before."""
    from segkit.explain import feature_matrix

    rng = np.random.default_rng(0)
    n = 3_000
    signal = rng.normal(size=n)
    churned = (rng.random(n) < 1 / (1 + np.exp(-(1.9 + 0.8 * signal)))).astype(int)  # about 85% churn
    X = feature_matrix(pd.DataFrame({"signal": signal + rng.normal(0, 0.5, n), "noise": rng.normal(size=n)}))
    model, _ = churn.fit_churn_model(X, churned, seed=0)
    raw = model.predict_proba(X)[:, 1]
    fixed = churn.churn_probability(model, X, float(churned.mean()))
    assert 0.8 < churned.mean() < 0.9 and raw.mean() < 0.7  # balanced weights pull toward the middle
    assert abs(fixed.mean() - churned.mean()) < 0.03, (fixed.mean(), churned.mean())
    assert (np.argsort(fixed, kind="stable") == np.argsort(raw, kind="stable")).all()  # the same order
    assert np.allclose(churn.churn_probability(model, X, 0.5), raw)  # a balanced rate changes nothing
    # by band, as the calibration table reads them: when it says 90%, about 90% churn
    band = fixed >= 0.9
    assert abs(churned[band].mean() - fixed[band].mean()) < 0.05


def test_the_evaluation_says_in_words_how_many_it_flags_bought_nothing():
    """ROC-AUC and PR-AUC are a statistician's numbers; a reader acts on the customers put at high risk: how many of
    them bought nothing, against everyone, and how many of those who bought nothing were flagged."""
    index = pd.Index(list("abcde"), name="customer_id")
    scores = pd.DataFrame({"roc_auc": [0.8], "pr_auc": [0.7], "brier": [0.2], "churn_rate": [0.6], "rows": [5.0]})
    evaluation = churn.ChurnEvaluation(scores=scores, probability=pd.Series([0.9, 0.8, 0.6, 0.2, 0.1], index=index),
                                       churned=pd.Series([1, 1, 0, 1, 0], index=index), importance=pd.DataFrame())
    said = evaluation.summary()
    # counts beside the shares, which were equal on Online Retail (62% and 62%) and read as a copying error
    assert ("of the 3 customers it had not seen and put at high risk (a chance of 0.50 or more), 2 (67%) bought "
            "nothing, against 60.0% of all of them; those 2 are 67% of the 3 who bought nothing.") in said
    strict = replace(evaluation, threshold=0.85, entity="members")  # the run's churn_threshold and entity
    assert "of the 1 member it had not seen and put at high risk (a chance of 0.85 or more), 1 (100%) bought " \
        "nothing" in strict.summary() and "those 1 are 33% of the 3 who bought nothing" in strict.summary()
    assert "Put plainly" not in replace(evaluation, threshold=0.95).summary()  # no one flagged: nothing to say


def test_the_importance_note_names_what_the_ranking_rests_on_and_which_way_it_moves_the_risk():
    """A chart of drops in ROC-AUC said neither which way a measure moves the risk nor why some bars sit below zero."""
    importance = pd.DataFrame({"mean": [0.01, 0.005, 0.0001, -0.001, 0.002], "std": [0.001] * 5,
                               "direction": [0.5, -0.4, 0.3, 0.2, np.nan]},
                              index=["recency", "frequency", "aov", "tenure", "top_country"])
    labels = {"recency": "Days since last purchase", "frequency": "Orders", "tenure": "Days as a customer",
              "top_country": "Country"}
    evaluation = churn.ChurnEvaluation(scores=pd.DataFrame(), probability=pd.Series(dtype=float),
                                       churned=pd.Series(dtype=int), importance=importance, labels_text=labels)
    # aov's 1% of the top drop is below explain's 5% share; a category (no direction) is named without one
    assert evaluation.importance_note() == (
        "The ranking rests most on days since last purchase (the more, the higher the risk), orders (the more, the "
        "lower the risk) and country. Shuffling days as a customer (on its own, the more, the higher the risk) did "
        "not lower it: what it tells, the other measures already tell, or nothing (a bar at or below zero is chance).")
    assert replace(evaluation, importance=importance.assign(mean=-0.001)).importance_note().startswith(
        "No measure sets churners apart.")
    assert replace(evaluation, importance=importance.assign(mean=np.nan)).importance_note() == ""  # not measured


def test_the_calibration_note_gives_the_widest_gap_in_the_tables_own_percent():
    """The calibration table asked "when the model says 70%, do about 70% churn?" and never answered."""
    p = np.r_[np.full(100, 0.15), np.full(100, 0.45), np.full(10, 0.85)]
    y = np.r_[np.ones(15), np.zeros(85), np.ones(51), np.zeros(49), np.ones(3), np.zeros(7)].astype(int)
    index = pd.RangeIndex(len(p))
    evaluation = churn.ChurnEvaluation(scores=pd.DataFrame(), probability=pd.Series(p, index=index),
                                       churned=pd.Series(y, index=index),
                                       importance=pd.DataFrame())
    assert evaluation.calibration_note() == (
        "In the groups of 30 customers or more, the share who churned lies within 6 points of the risk predicted (the "
        "widest: 51% churned at a predicted 45%, in the 40-50% group), so a predicted risk can be read as the share "
        "of such customers who stop. 1 smaller group varies by chance.")
    off = replace(evaluation, churned=pd.Series(np.r_[np.ones(40), np.zeros(60), y[100:]].astype(int), index=index))
    assert "within 25 points" in off.calibration_note() and "as a ranking more than as shares" in off.calibration_note()


@pytest.mark.parametrize("horizon, scored, said", [
    (90, "2012-01-01", True),  # the 90 days after the data: other weeks of the year than those it learned from
    (365, "2012-10-03", False),  # a year's horizon covers every season
    (90, "2012-10-06", False),  # a cutoff a year back (give or take a week): the same weeks
])
def test_the_season_caveat_only_where_the_scored_weeks_lie_elsewhere_in_the_year(horizon, scored, said):
    start = pd.Timestamp("2011-10-03")
    scores = churn.ChurnScores(table=pd.DataFrame({"churn_probability": [0.2, 0.6], "high_risk": [False, True]}),
                               threshold=0.5,
                               scored_at=pd.Timestamp(scored), trained_on=2, at_cutoff=2, horizon_days=horizon,
                               learned=(start, start + pd.Timedelta(days=horizon)))
    assert ("lie elsewhere in the year" in scores.summary()) == said
    assert not said or "from 03 October 2011 to 31 December 2011" in scores.summary()  # the start's year too
    assert churn.ChurnScores(table=pd.DataFrame({"churn_probability": [], "high_risk": []}), threshold=0.5,
                             scored_at=start, trained_on=0).summary() == "No current customer was scored."


def test_a_calibration_that_matches_says_so_and_an_empty_note_draws_no_box():
    from segkit.report.cards import note

    p, y = np.r_[np.full(100, 0.15), np.full(100, 0.45)], np.r_[np.ones(15), np.zeros(85), np.ones(45), np.zeros(55)]
    evaluation = churn.ChurnEvaluation(scores=pd.DataFrame(), probability=pd.Series(p), churned=pd.Series(y.astype(int)),
                                       importance=pd.DataFrame())
    assert evaluation.calibration_note().startswith("In the groups of 30 customers or more, the share who churned "
                                                    "matches the risk predicted in each of them, so a predicted risk")
    few = replace(evaluation, probability=pd.Series(p[:20]), churned=pd.Series(y[:20].astype(int)))
    assert few.calibration_note() == "" and note(few.calibration_note()).data == ""  # no group of 30: no empty box
    assert "sk-note" in note("said").data


def test_a_json_artifacts_sentences_are_said_of_the_runs_entity(tmp_path):
    """``RunContext.spoken``: churn_summary.json said "a churner above a customer who stays" of a run of members. Its
    sentences at any depth are reworded; keys, single words (column names) and numbers are kept; a run of customers is
    left as it is."""
    data = {"scoring": "a churner above a customer who stays", "customer_id": "customers",
            "segments": [1, {"note": "the customers at the cutoff", "col": "customers"}]}
    members = RunContext(params=Params(entity="members"), folder=RunFolder(tmp_path / "m").ensure())
    assert members.spoken(data) == {"scoring": "a churner above a member who stays", "customer_id": "customers",
                                    "segments": [1, {"note": "the members at the cutoff", "col": "customers"}]}
    assert RunContext(params=Params(), folder=RunFolder(tmp_path / "c").ensure()).spoken(data) == data
