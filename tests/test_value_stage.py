"""segkit.stages.value and segkit.kinds.transactions.lifetime: ``10_value`` on generated purchases with known
BG/NBD and Gamma-Gamma parameters, the value per segment (cards, ``segments.csv``, index) and the batch."""

from __future__ import annotations

import json
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from batch_fixtures import ROOT, smoke_run  # noqa: E402,F401  (pytest fixture)
from segkit import kinds, stages  # noqa: E402
from segkit.config import Params, params_from_mapping  # noqa: E402
from segkit.errors import DataValueError, ParamsError  # noqa: E402
from segkit.io import RunFolder  # noqa: E402
from segkit.kinds.transactions import lifetime, value  # noqa: E402
from segkit.kinds.transactions.value_synth import simulate_transactions  # noqa: E402
from segkit.report.cards import segment_cards  # noqa: E402
from segkit.report.index import value_column, write_index  # noqa: E402
from segkit.stages import RunContext  # noqa: E402

TRUE = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "v": 15.0}
SEGMENTS = {"S01": "Champions", "S02": "Regulars", "S03": "Dormant"}


def _context(folder, **params) -> RunContext:
    return RunContext(params=Params(seed=0, **params), folder=RunFolder(folder).ensure())


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return simulate_transactions(3000, **TRUE, random_state=1)


@pytest.fixture(scope="module")
def run(clean, tmp_path_factory):
    """``10_value``'s three steps on the generated purchases, in a fresh run folder."""
    ctx = _context(tmp_path_factory.mktemp("value_run"))
    ctx.folder.write_parquet("clean.parquet", clean)
    data = stages.value.build(ctx)
    holdout = stages.value.check(ctx, data)
    fit = stages.value.score(ctx, data, holdout)
    return SimpleNamespace(ctx=ctx, data=data, holdout=holdout, fit=fit)


def _assignments(per_customer: pd.DataFrame) -> pd.DataFrame:
    """Three segments by value: the top tenth, the next 40% and the rest (as segments.csv writes them)."""
    rank = per_customer["clv"].rank(ascending=False, method="first") / len(per_customer)
    codes = np.select([rank <= 0.1, rank <= 0.5], ["S01", "S02"], "S03")
    return pd.DataFrame({"customer_id": per_customer.index.astype(str), "segment_code": codes,
                         "segment_name": [SEGMENTS[c] for c in codes], "distance_to_centre": 0.5})


# ------------------------------------------------------------------------------------------ generator
def test_generated_purchases_look_cleaned_and_repeat_with_a_seed(clean):
    assert {"customer_id", "date", "amount", "is_cancellation"} <= set(clean.columns)
    assert (clean["amount"] > 0).all() and not clean["is_cancellation"].any()
    assert clean["customer_id"].nunique() == 3000 and clean["date"].is_monotonic_increasing
    again = simulate_transactions(3000, **TRUE, random_state=1)
    pd.testing.assert_frame_equal(clean, again)


# ------------------------------------------------------------------------------------------ the stage
def test_stage_recovers_the_known_parameters(run):
    b, g = run.fit.bgnbd, run.fit.gg
    assert run.data.unit == "W"
    # 3,000 customers: r and α within about 3 standard errors; a and b trade off, their mean much less
    assert b.r_ == pytest.approx(TRUE["r"], rel=0.3) and b.alpha_ == pytest.approx(TRUE["alpha"], rel=0.35)
    assert b.a_ / (b.a_ + b.b_) == pytest.approx(0.8 / 3.3, rel=0.3)
    assert g.p_ * g.v_ / (g.q_ - 1) == pytest.approx(6 * 15 / 3, rel=0.1)  # the mean value of a purchase


def test_a_forecast_far_off_says_so_as_the_check_does(run):
    """The caveat read "customers bought 26% more than forecast" under "the forecast is 26% below what happened"
    (3,300 forecast, 4,460 bought: 35% more); both now measure against what happened."""
    import dataclasses

    from segkit.kinds.transactions import lifetime

    doubled = dataclasses.replace(run.data, calibration=run.data.calibration.assign(
        frequency_holdout=lambda d: 2 * d["frequency_holdout"]))
    check = lifetime.check_holdout(doubled)
    share = f"{abs(100 * check.error_share):.0f}%"
    assert check.error_share < -0.15 and f"the forecast is {share} below what happened" in check.summary()
    assert any(f"the forecast was {share} below what customers bought" in note for note in check.notes), check.notes


def test_holdout_check_follows_the_churn_cutoff_and_is_close_on_model_data(run, clean):
    cutoff = kinds.get("transactions").churn.churn_cutoff(clean, None, 90)
    assert run.data.calibration_end == cutoff - pd.Timedelta(days=1) and run.data.holdout_days == 90
    h = run.holdout.holdout
    assert list(h.by_frequency.index[:2]) == ["0", "1"] and h.by_frequency.index[-1] == "7+"
    assert h.by_frequency["customers"].sum() == len(run.data.calibration)
    assert abs(run.holdout.error_share) < 0.15  # the data follow the model: no season, no drift
    assert "days after it" in run.holdout.summary() and not run.holdout.notes


def test_value_csv_and_summary_are_written(run, clean):
    table = pd.read_csv(run.ctx.folder.artifact("value.csv"), dtype={"customer_id": str})
    assert list(table.columns) == ["customer_id", *lifetime.VALUE_COLUMNS]
    assert set(table["customer_id"]) == set(clean["customer_id"])
    assert table["p_alive"].between(0, 1).all() and (table["clv"] > 0).all()
    assert (table["expected_value"] > 0).all() and (table["expected_purchases"] >= 0).all()
    summary = run.ctx.folder.read_json("value_summary.json")
    assert summary["horizon_months"] == 12 and summary["margin"] == 1.0 and summary["unit"] == "W"
    assert summary["clv_total"] == pytest.approx(table["clv"].sum(), rel=1e-4)
    assert summary["holdout"]["days"] == 90 and len(summary["holdout"]["by_calibration_purchases"]) == 8
    assert summary["segments"] == [] and summary["churn"] is None and summary["ranking"] is None
    assert "Gamma-Gamma assumes" in " ".join(summary["notes"])
    # an assumption that holds is a plain note on the page, a caveat a warning ("Caveats" was red when all held)
    page = stages.value.notes(run.holdout, run.fit).data
    holds = abs(run.fit.gg.frequency_value_corr_) < 0.3
    gg_text = next(t for t in run.fit.notes + run.fit.checked if t.startswith("Gamma-Gamma assumes"))
    assert (gg_text in run.fit.checked) == holds and (gg_text in run.fit.notes) != holds
    assert page.count('class="sk-warn"') == len(run.holdout.notes) + len(run.fit.notes)
    assert page.count('class="sk-note"') == len(run.fit.checked)


def test_margin_and_discount_scale_the_value(run):
    base = run.fit.per_customer["clv"]
    half = lifetime.fit_value(run.data, horizon=12, margin=0.5, discount_rate=0.01).per_customer["clv"]
    undiscounted = lifetime.fit_value(run.data, horizon=12, margin=1.0, discount_rate=0.0).per_customer["clv"]
    np.testing.assert_allclose(half, base / 2, rtol=1e-9)
    assert (undiscounted > base).all()


def test_explicit_calibration_end_and_a_bad_one(clean):
    data = lifetime.value_data(clean, calibration_end="2011-09-30")
    assert data.calibration_end == pd.Timestamp("2011-09-30") and data.calibration["T"].max() <= 39
    with pytest.raises(DataValueError, match="clv_calibration_end") as info:
        lifetime.value_data(clean, calibration_end="2013-01-01")
    assert info.value.key == "clv_calibration_end"
    with pytest.raises(DataValueError, match="no purchase"):
        lifetime.value_data(clean.assign(amount=-1.0))


def test_the_value_page_counts_the_lines_the_index_counts():
    """A Shopify trial's index read "Rows after cleaning 19,150" and its value page "18,749 purchase lines": the 401
    refund lines added by the cleaning were in one count and not the other, unexplained."""
    bought = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
                           "date": pd.to_datetime(["2023-01-05", "2023-03-01", "2023-01-10", "2023-06-01",
                                                   "2023-02-01"]),
                           "amount": [20.0, 35.0, 12.0, 18.0, 40.0], "is_cancellation": False})
    returns = pd.DataFrame({"customer_id": ["a", "c"], "date": pd.to_datetime(["2023-03-05", "2023-02-03"]),
                            "amount": [-10.0, -40.0], "is_cancellation": True})
    clean_lines = pd.concat([bought, returns], ignore_index=True)
    data = lifetime.value_data(clean_lines, calibration_end="2023-03-31")
    assert (data.lines, data.other_lines) == (5, 2) and data.lines + data.other_lines == len(clean_lines)
    assert "(5 purchase lines; the other 2 cleaned lines are returns, cancellations or refunds, not purchases)" \
        in data.describe()
    one = lifetime.value_data(clean_lines.iloc[:-1], calibration_end="2023-03-31").describe()
    assert "(5 purchase lines; the other cleaned line is a return, cancellation or refund, not a purchase)" in one
    assert "purchase lines)" in lifetime.value_data(bought, calibration_end="2023-03-31").describe()


def test_a_purchase_is_valued_net_of_what_the_customer_returned(run, clean):
    """Online Retail's two largest orders were cancelled the same day, and their customers were valued second and
    25th of 4,334 (£186,018 over 12 months for one who kept nothing): the value models saw the purchases only."""
    full = run.data.full
    first = clean.groupby("customer_id")["date"].min().dt.floor("D")
    once, repeat = full.index[full["frequency"] == 0], full.index[full["frequency"] >= 2]
    gone, part, first_day_only = once[0], repeat[0], repeat[1]
    repeat_spend = full.loc[part, "monetary_value"] * full.loc[part, "frequency"] + full.loc[part, "first_value"]
    back = pd.DataFrame({
        "customer_id": [gone, part, part, first_day_only],
        "date": [first[gone] + pd.Timedelta(days=2), first[part] + pd.Timedelta(days=30),
                 first[part] + pd.Timedelta(days=31), first[first_day_only] + pd.Timedelta(hours=3)],
        # more back than bought; a quarter of all the purchases; a cancellation on the first purchase day of part
        # of it (the first purchase is not undone, so it counts against all the purchases)
        "amount": [-full.loc[gone, "first_value"] * 1.5, -repeat_spend * 0.1, -repeat_spend * 0.15, -5.0],
        "is_cancellation": True})
    data = lifetime.value_data(pd.concat([clean, back], ignore_index=True).sort_values("date", kind="stable"))
    kept = data.full["kept_share"]
    spent = full.loc[first_day_only, "first_value"] + full.loc[first_day_only, "monetary_value"] * full.loc[
        first_day_only, "frequency"]
    assert kept[gone] == 0.0 and kept[part] == pytest.approx(0.75)
    assert kept[first_day_only] == pytest.approx(1 - 5.0 / spent)
    assert (kept.drop([gone, part, first_day_only]) == 1.0).all()
    net = lifetime.fit_value(data).per_customer
    gross = lifetime.fit_value(run.data).per_customer  # the same purchases without the returns
    assert net.loc[str(gone), ["expected_value", "clv"]].tolist() == [0.0, 0.0]
    assert net.loc[str(part), "clv"] == pytest.approx(0.75 * gross.loc[str(part), "clv"], rel=1e-6)
    assert net.loc[str(first_day_only), "clv"] == pytest.approx(
        kept[first_day_only] * gross.loc[str(first_day_only), "clv"], rel=1e-6)
    assert net.loc[str(part), "kept_share"] == pytest.approx(0.75)
    assert ("A purchase is valued net of returns: the future purchases of the 3 customers who returned part of their "
            "past purchases count only at the share they kept (nothing, for the customer who returned all they bought "
            "or more).") in " ".join(data.describe().split())
    assert ", net of returns (in sales: no profit margin applied" in lifetime.fit_value(data).summary()
    assert "net of returns" not in run.data.describe() + run.fit.summary()
    assert (run.fit.per_customer["kept_share"] == 1).all()


@pytest.mark.parametrize("history, kept", [
    # (first-day purchase, later purchases, returns as (days after the first purchase, amount)), share kept
    ((9000.0, [100.0] * 10, [(0, 9000.0)]), 1.0),  # a big first order cancelled the same day: valued on the repeats
    ((9000.0, [100.0] * 10, [(7, 9000.0)]), 0.1),  # ... returned a week later: no order named, so over all purchases
    ((10_000.0, [100.0] * 10, [(40, 1000.0)]), 10 / 11),
    ((650.0, [6.0] * 10, [(30, 62.5)]), 1 - 62.5 / 710),  # not 0: the return is not set against the small repeats
    ((77_183.6, [], [(0, 77_183.6)]), 0.0),  # Online Retail's customer 12346
    ((50.0, [], [(-3, 20.0), (1, 10.0)]), 0.8),  # a return dated before the first purchase undoes an earlier one
    ((50.0, [], []), 1.0),
])
def test_the_share_kept_is_of_all_purchases_but_a_first_order_cancelled_the_same_day(history, kept):
    from segkit.kinds.transactions.returns import kept_shares, returns_by_day

    first, later, returned = history
    start = pd.Timestamp("2023-01-02 10:00")
    lines = pd.DataFrame({"customer_id": "c", "date": [start + pd.Timedelta(days=7 * i) for i in range(len(later) + 1)],
                          "amount": [first, *later]})
    back = pd.DataFrame({"customer_id": "c", "date": [start + pd.Timedelta(days=d, hours=1) for d, _ in returned],
                         "amount": [-a for _, a in returned]})
    lines = pd.concat([lines, back], ignore_index=True) if returned else lines
    summary = value.rfm_summary(lines[lines["amount"] > 0], customer_col="customer_id", date_col="date",
                                amount_col="amount")
    first_day = pd.Series({"c": start.floor("D")})
    assert kept_shares(summary, first_day, returns_by_day(lines))["c"] == pytest.approx(kept)
    assert kept_shares(summary, first_day, None)["c"] == 1.0


def test_kept_share_reads_ids_as_text_and_a_customer_without_spend():
    from segkit.kinds.transactions.returns import kept_share

    shares = kept_share(pd.Series([100.0, 0.0, 0.0, 40.0], index=[12346, 12347, 12348, 12349]),
                        pd.Series({"12346": 25.0, "12348": 3.0, "99999": 8.0}))
    assert shares.tolist() == [0.75, 1.0, 0.0, 1.0] and list(shares.index) == [12346, 12347, 12348, 12349]


def test_params_are_validated():
    p = Params()
    assert (p.clv_horizon_months, p.clv_margin, p.clv_discount_rate, p.clv_calibration_end) == (12, 1.0, 0.01, None)
    for bad in ({"clv_margin": 0}, {"clv_margin": 1.5}, {"clv_discount_rate": -0.1}, {"clv_horizon_months": 0},
                {"clv_calibration_end": "2011/09/30"}):
        with pytest.raises(ParamsError, match=next(iter(bad))):
            params_from_mapping(bad)


# ------------------------------------------------------------------------------------------ churn risk
def test_churn_comparison_by_risk_band(run, tmp_path):
    ctx = _context(tmp_path)
    assert stages.value.churn_comparison(ctx, run.fit) is None  # 08_churn did not run
    assert stages.value.churn_note(None) is None and stages.value.churn_table(ctx, None) is None
    per = run.fit.per_customer
    rng = np.random.default_rng(0)
    risk = 1 / (1 + np.exp(4 * (per["p_alive"] - 0.5) + rng.normal(0, 0.5, len(per))))  # high when likely gone
    ctx.folder.write_csv("churn.csv", pd.DataFrame({"customer_id": per.index, "churn_probability": risk.to_numpy()}))
    ctx.folder.write_json("value_summary.json", {"churn": None})
    ctx.folder.write_json("churn_summary.json", {"horizon_days": 45})  # the churn model's: the heading says it
    relation = stages.value.churn_comparison(ctx, run.fit)
    assert relation.customers == len(per) and relation.repeat_customers == (per["frequency"] > 0).sum()
    assert relation.spearman_repeat < -0.5 and relation.spearman < 0
    table = relation.table
    assert list(table.index) == ["0-25%", "25-50%", "50-75%", "75-100%"] and table["Customers"].sum() == len(per)
    alive = table.loc[table["Customers"] > 0, "Mean P(alive), repeat buyers"]
    assert alive.dropna().is_monotonic_decreasing and "repeat buyers" in relation.summary()
    # among the repeat buyers only: a one-time buyer's P(alive) is 1, which made CDNOW's riskiest band the most alive
    repeat = per[per["frequency"] > 0]
    low = repeat[risk.loc[repeat.index] < 0.25]["p_alive"].mean()
    assert table.loc["0-25%", "Mean P(alive), repeat buyers"] == pytest.approx(low)
    assert f"in the next {run.fit.horizon} months average" in relation.summary()  # not "in the next months"
    # a conclusion in words: Online Retail read "-0.69 (across all 4,334 customers: 0.38)" and left the reader there
    assert "repeat buyers scored by both models, the two agree on who is more at risk" in relation.summary()
    from dataclasses import replace
    apart = replace(relation, spearman=0.38).summary()
    assert f"across all {len(per):,} customers they rank them the opposite way (-0.38), one-time buyers counted alive" \
        in apart
    # a band of one-time buyers only: its P(alive) "–" said (Online Retail's 75-100%, 102 customers, unexplained)
    bare = table.copy()
    bare.loc["75-100%", ["Customers", "Mean P(alive), repeat buyers"]] = [102, np.nan]
    said = replace(relation, table=bare).summary()
    assert said.endswith(" The 75-100% band has no repeat buyer (its P(alive) shows –): its 102 customers have bought "
                         "once."), said
    assert "has no repeat buyer" not in relation.summary() or table["Mean P(alive), repeat buyers"].isna().any()
    unknown = replace(relation, spearman=float("nan"), spearman_repeat=float("nan")).summary()  # no repeat buyers
    assert "Too few customers were scored by both models" in unknown and "nan" not in unknown
    assert ctx.folder.read_json("value_summary.json")["churn"]["customers"] == len(per)
    shown = stages.value.churn_table(ctx, relation)
    currency = ctx.params.currency
    assert list(shown.columns) == ["Customers", "Mean churn risk (next 45 days)", "Mean P(alive), repeat buyers",
                                   f"Expected purchases ({run.fit.horizon} months)", f"Mean CLV ({currency})"]
    row = table.loc["0-25%"]
    assert shown.loc["0-25%"].tolist()[:3] == [f"{int(row['Customers']):,}",
                                               f"{row['Mean churn risk (next 45 days)']:.1%}",
                                               f"{row['Mean P(alive), repeat buyers']:.1%}"]


# ------------------------------------------------------------------------------------------ segments
@pytest.fixture(scope="module")
def segmented(run):
    """The transactions kind's ``after_segment`` on three segments, as ``05_profile`` calls it."""
    assignments = _assignments(run.fit.per_customer)
    run.ctx.folder.write_csv("segments.csv", assignments)
    seg = SimpleNamespace(assignments=assignments, extra={}, risk=None, currency="£")
    kinds.get("transactions").after_segment(run.ctx, seg)
    return seg


def test_segment_shares_sum_to_one_and_the_sentence_names_the_top_segment(segmented, run):
    table = segmented.extra["value"]
    assert table["clv_share"].sum() == pytest.approx(1.0) and table["customer_share"].sum() == pytest.approx(1.0)
    assert list(table.index) == ["S01", "S02", "S03"] and table["customers"].sum() == len(run.fit.per_customer)
    ranking = segmented.extra["value_ranking"]
    share = table.loc["S01"]
    assert ranking.startswith(f"Champions are {100 * share['customer_share']:.1f}% of customers and "
                              f"{100 * share['clv_share']:.1f}% of expected value.")
    assert "Champions" in ranking and ranking.index("Champions") < ranking.index("Regulars") < ranking.index("Dormant")
    assert set(segmented.extra["value_sentences"]) == set(SEGMENTS)
    assert "expected per customer over 12 months" in segmented.extra["value_sentences"]["S01"]
    fitted = run.ctx.folder.read_json("value_summary.json")["bgnbd"]  # the caveat follows the fit's drop-out
    stays = fitted["a"] / (fitted["a"] + fitted["b"]) < lifetime.NO_DROPOUT
    assert ("almost no customer who stopped" in segmented.extra["value_sentences"]["S01"]) == stays
    shown = stages.value.segment_table(segmented)
    assert sum(float(v.rstrip("%")) for v in shown["Share of expected value"]) == pytest.approx(100, abs=0.2)
    # no mean P(alive) beside the profile page's churn risk: "over 99.9%" for a Lost segment 99% at high risk
    assert list(shown.columns) == ["Segment", "Customers", "Share of customers", "Expected value (£)",
                                   "Per customer (£)", "Share of expected value"]
    assert shown.columns.name == "Code"
    assert "Champions" in stages.value.ranking_note(segmented).data


def test_the_cards_of_a_fit_without_drop_out_say_so(run, tmp_path):
    """The caveat follows the fit that ``value_summary.json`` records (the fixture's own drop-out is 24% a purchase)."""
    folder = RunFolder(tmp_path).ensure()
    folder.write_csv("value.csv", pd.read_csv(run.ctx.folder.artifact("value.csv"), dtype={"customer_id": str}))
    summary = run.ctx.folder.read_json("value_summary.json")
    for a, says in ((0.001, True), (summary["bgnbd"]["a"], False)):
        folder.write_json("value_summary.json", {**summary, "bgnbd": {**summary["bgnbd"], "a": a, "b": 2.0}})
        found = lifetime.segment_value(folder, _assignments(run.fit.per_customer))
        assert all(("almost no customer who stopped" in v) == says for v in found["value_sentences"].values())


def test_a_card_calls_the_value_the_most_a_segment_could_bring_when_no_one_drops_out():
    """Online Retail's Lost customers (213 days since a purchase, £262 spent) read "£391 expected per customer over
    12 months": BG/NBD found almost no drop-out (0.043% a purchase), so it expects them to keep buying."""
    table = pd.DataFrame({"clv_mean": [391.0], "clv_share": [0.03]}, index=["S01"])
    lost = lifetime.value_sentences(table, horizon=12, dropout=0.00043)["S01"]
    # "up to £391" read as a cap on each customer, and "at their past rate" was not so: the model pulls a one-time
    # buyer's rate towards everyone's; nor is it an upper estimate (the holdout runs 26% under what was bought)
    assert lost == ("£391 expected per customer over 12 months, 3.0% of all expected value, if every customer keeps "
                    "buying: the model finds almost no customer who stopped for good (see \"What each customer is worth\").")
    assert lifetime.value_sentences(table, horizon=12, dropout=0.2)["S01"] == ("£391 expected per customer over 12 "
                                                                             "months, 3.0% of all expected value.")


def test_segments_csv_and_value_summary_get_the_value(segmented, run):
    segments = pd.read_csv(run.ctx.folder.artifact("segments.csv"), dtype={"customer_id": str})
    assert list(segments.columns) == ["customer_id", "segment_code", "segment_name", "distance_to_centre",
                                      *lifetime.VALUE_COLUMNS]
    values = pd.read_csv(run.ctx.folder.artifact("value.csv"), dtype={"customer_id": str})
    pd.testing.assert_series_equal(segments["clv"], values.set_index("customer_id")["clv"]
                                   .reindex(segments["customer_id"]).reset_index(drop=True))
    summary = run.ctx.folder.read_json("value_summary.json")
    assert [s["code"] for s in summary["segments"]] == ["S01", "S02", "S03"]
    assert sum(s["clv_share"] for s in summary["segments"]) == pytest.approx(1.0, abs=1e-5)
    assert summary["ranking"] == segmented.extra["value_ranking"]


def test_a_value_csv_of_an_earlier_segkit_still_joins_segments_csv(run, tmp_path):
    """A run folder whose 10_value ran before kept_share: re-running 05_profile stopped on a pandas KeyError."""
    folder = RunFolder(tmp_path).ensure()
    older = pd.read_csv(run.ctx.folder.artifact("value.csv"), dtype={"customer_id": str}).drop(columns="kept_share")
    folder.write_csv("value.csv", older)
    folder.write_json("value_summary.json", run.ctx.folder.read_json("value_summary.json"))
    ctx = SimpleNamespace(folder=folder, params=Params(), entity="customers")  # a RunContext stand-in
    seg = SimpleNamespace(assignments=_assignments(run.fit.per_customer), extra={}, risk=None, currency="£")
    kinds.get("transactions").after_segment(ctx, seg)
    segments = pd.read_csv(folder.artifact("segments.csv"), dtype={"customer_id": str})
    assert list(segments.columns[-4:]) == ["expected_purchases", "p_alive", "expected_value", "clv"]
    assert seg.extra["value_sentences"]


def test_no_value_without_10_value(tmp_path):
    seg = SimpleNamespace(assignments=pd.DataFrame({"customer_id": ["1"], "segment_code": ["S01"],
                                                    "segment_name": ["A"]}), extra={}, risk=None, currency="£")
    kinds.get("transactions").after_segment(_context(tmp_path), seg)
    assert seg.extra == {} and stages.value.segment_table(seg) is None and stages.value.ranking_note(seg) is None
    assert value_column(tmp_path) == ({}, "", {})


def test_cards_and_index_show_the_value(segmented, run):
    card = {"code": "S01", "name": "Champions", "size": 10, "share": 0.1,
            "value": segmented.extra["value_sentences"]["S01"]}
    assert "<strong>Value:</strong> £" in segment_cards([card]).data
    folder = run.ctx.folder
    folder.write_json("segments_summary.json", {"segments": [
        {"code": c, "name": n, "size": 1, "share": 1 / 3, "extra": ""} for c, n in SEGMENTS.items()]})
    manifest = {"status": "ok", "timings": {"started_at": "2024-01-01T00:00:00", "notebooks": {}},
                "input": {"path": None}, "row_counts": {}}
    page = write_index(folder.path, params=Params(), manifest=manifest, notebooks=[]).read_text()
    cells, sentence, terms = value_column(folder.path)
    assert "<th>Share of expected value</th>" in page and f">{cells['S01']}</td>" in page
    assert sentence == segmented.extra["value_ranking"] and sentence.split(" are ")[0] in page
    # the line under the table says the value page's horizon and that it is sales (the run page said "the coming
    # months" beside a value page of 12 months' sales, no margin applied)
    summary = json.loads(folder.artifact("value_summary.json").read_text())
    assert terms == {"horizon_months": summary["horizon_months"], "margin": 1.0} and summary["margin"] == 1.0
    assert (f"its part of what all entities are expected to spend over the next {summary['horizon_months']} months "
            "(sales: no profit margin applied)") in page  # entities: no features_meta.json in this folder


# ------------------------------------------------------------------------------------------ notebooks
def test_10_value_runs_for_kinds_with_the_value_capability():
    from segkit.report.runner import discover_notebooks

    notebooks = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "transactions")}
    assert notebooks["10_value"].after == ["01_eda", "08_churn", "02_features"]
    assert notebooks["10_value"].needs == "value"
    assert notebooks["10_value"].in_pandas().after == ["01_eda", "08_churn"]  # 02's sample: duckdb or spark only
    assert "10_value" in notebooks["05_profile"].cells_after  # the cell that adds value per segment waits for it
    customers = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "customers")}
    assert "10_value" not in customers and "10_value" not in customers["05_profile"].cells_after


@pytest.mark.slow
def test_10_value_in_the_smoke_batch(smoke_run):
    import nbformat

    nb = nbformat.read(smoke_run / "10_value.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
    art = smoke_run / "artifacts"
    values = pd.read_csv(art / "value.csv", dtype={"customer_id": str})
    segments = pd.read_csv(art / "segments.csv", dtype={"customer_id": str})
    assert set(values["customer_id"]) == set(segments["customer_id"]) and segments["clv"].notna().all()
    summary = json.loads((art / "value_summary.json").read_text())
    assert sum(s["clv_share"] for s in summary["segments"]) == pytest.approx(1.0, abs=1e-5)
    assert summary["churn"]["customers"] == len(values) and summary["holdout"]["days"] == 90
    profile = (smoke_run / "05_profile.html").read_text()
    assert profile.count("<strong>Value:</strong>") == len(summary["segments"])
    assert "Expected value by segment" in profile and summary["ranking"].split(".")[0] in profile
    index = (smoke_run / "index.html").read_text()
    assert "<th>Share of expected value</th>" in index and summary["ranking"].split(" are ")[0] in index
    page = (smoke_run / "10_value.html").read_text()
    assert "Repeat purchases in calibration" in page and "<img" in page
    assert "agreement" in page and "rank correlation" in page


@pytest.mark.parametrize("corr, holds", [(0.12, True), (-0.45, False)])
def test_the_value_assumption_is_a_note_when_it_holds_and_a_caveat_when_it_does_not(corr, holds):
    bgnbd = SimpleNamespace(r_=0.8, a_=0.5, b_=2.0)  # drop-out well above 1%, rates that differ: no caveat
    gg = SimpleNamespace(frequency_value_corr_=corr, n_customers_=700, q_=3.0)
    caveats, checked = lifetime._caveats(bgnbd, gg, pd.DataFrame({"p_alive": [0.5, 0.9]}))
    assert len(checked) == int(holds) and len(caveats) == int(not holds)
    text = (checked + caveats)[0]
    assert f"the correlation is {corr:.2f}" in text and ("as the model assumes" in text) == holds
    one_pace = lifetime._caveats(SimpleNamespace(r_=lifetime.R_MAX, a_=0.5, b_=2.0), gg,
                                 pd.DataFrame({"p_alive": [0.5, 0.9]}))[0]
    assert one_pace[0].startswith("Every customer buys at about the same steady pace, as subscribers billed every")
    tiers = lifetime._caveats(bgnbd, SimpleNamespace(frequency_value_corr_=corr, n_customers_=700, q_=0.94),
                              pd.DataFrame({"p_alive": [0.5, 0.9]}))[0]
    assert tiers[0].startswith("What customers spend per purchase falls in groups too far apart for the Gamma-Gamma "
                               "model (its fitted q is 0.94")


def test_the_index_says_the_runs_own_churn_threshold_and_horizon():
    """The line under the index's table wrote 0.50 whatever churn_threshold the run used."""
    from segkit.report.index_table import _columns_said

    said = _columns_said("", "customers", True, None, False, {"horizon_days": 60, "threshold": 0.35})
    assert "predicted chance of not buying again in the next 60 days is 0.35 or more" in said
    assert "is 0.50 or more" in _columns_said("", "customers", True, None, False)


def test_the_forecast_total_says_how_far_the_same_model_missed_the_holdout(run):
    """"Worth £8.2m today" read as a promise beside a check, higher up the page, that the same model forecast the last
    90 days 26% below what customers bought; the total now says so, beyond the caveat's bar of 15%."""
    from dataclasses import replace

    missed = abs(100 * run.holdout.error_share)
    said = run.fit.summary("£", run.holdout)
    assert (f"forecast {missed:.0f}% {'fewer' if run.holdout.error_share < 0 else 'more'} repeat purchases" in said) \
        == (missed > 15)
    actual = run.holdout.holdout.actual_total
    close = replace(run.holdout, holdout=replace(run.holdout.holdout, predicted_total=actual * 0.9))
    far = replace(run.holdout, holdout=replace(run.holdout.holdout, predicted_total=actual * 0.7))
    assert "Read it as an estimate" not in run.fit.summary("£", close)
    start = run.holdout.calibration_end + pd.Timedelta(days=1)  # a fit of its own, on the purchases before then
    assert (f"the same method, fitted on the purchases before {start:%d %B %Y}, forecast 30% fewer repeat purchases "
            f"(their number, not their value) in the {run.holdout.holdout_days} days after than customers made (see "
            "the caveats).") in run.fit.summary("£", far)


def test_an_agreement_of_nothing_reads_0_00_not_minus_0_00():
    from segkit.kinds.transactions.value_churn import _opposite

    assert [_opposite(r) for r in (0.0, 0.001, -0.69, 0.38)] == ["0.00", "0.00", "0.69", "-0.38"]


def test_a_p_alive_near_one_in_every_band_is_said_to_tell_the_bands_nothing(run):
    """Online Retail's bands read "over 99.9%", 99.8% and 99.7% of P(alive) beside churn risks of 12% to 61%."""
    from dataclasses import replace

    from segkit.kinds.transactions.value_churn import ALIVE, churn_relation

    per = run.fit.per_customer
    churn_df = pd.DataFrame({"customer_id": per.index.astype(str), "churn_probability": 1 - per["p_alive"]})
    relation = churn_relation(per, churn_df, horizon=run.fit.horizon)
    table = relation.table
    flat = table.assign(**{ALIVE: [0.9995, 0.998, 0.997, np.nan][:len(table)]})
    said = replace(relation, table=flat).summary()
    assert "P(alive) is 99% or more in every band" in said and "compare the bands by their expected purchases" in said
    spread = table.assign(**{ALIVE: [0.99, 0.8, 0.6, 0.4][:len(table)]})
    assert "in every band" not in replace(relation, table=spread).summary()


def test_the_holdout_figure_says_its_periods_as_dates(run):
    """Its axes read "in the holdout" and "in the calibration period", words the page's reader finds nowhere."""
    from dataclasses import replace

    start = run.data.calibration_end + pd.Timedelta(days=1)
    assert run.holdout.periods() == (f"before {start:%d %b %Y}", f"{start:%d %b} to {run.data.last_day:%d %b %Y}")
    assert replace(run.holdout, calibration_end=None).periods() == ("in the calibration period", "in the holdout")
    import matplotlib.pyplot

    from segkit.plots.value import plot_holdout

    ax = plot_holdout(run.holdout.holdout.by_frequency, periods=run.holdout.periods())
    assert ax.get_xlabel() == f"Repeat purchases before {start:%d %b %Y}"
    assert ax.get_ylabel().startswith(f"Purchases, {start:%d %b} to {run.data.last_day:%d %b %Y}")
    matplotlib.pyplot.close(ax.figure)


def test_the_holdout_error_has_a_yardstick(run):
    """"Off by 0.94 purchases a customer on average" sounded small beside nothing: customers made 1.3 each."""
    h = run.holdout.holdout
    made = h.actual_total / h.by_frequency["customers"].sum()
    assert f"off by {h.mae:.2f} purchases on average (either way: the mean absolute error), against {made:.2f} " \
           "purchases a customer made." in run.holdout.summary()
