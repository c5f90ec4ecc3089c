"""segkit.kinds.transactions.value: known answers for the CLV models.

* Data drawn from BG/NBD and Gamma-Gamma with known parameters give them back, within about 4 standard
  errors (the standard errors, from the observed information at these sample sizes, are in the comments).
* The CDNOW sample reproduces the published estimates (Fader, Hardie & Lee 2005).
* P(alive) and the conditional expectation match the paper's worked customer and a direct evaluation
  of the paper's formula with a plain power series for the hypergeometric function.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.errors import ColumnError, DataValueError, ModelError
from segkit.kinds.transactions.lifetime import value_by_segment, value_sentence
from segkit.kinds.transactions.value import (R_MAX, BetaGeoModel, GammaGammaModel, customer_lifetime_value,
                                             holdout_check, rfm_summary)
from segkit.kinds.transactions.value_synth import simulate_bgnbd, simulate_gamma_gamma

CDNOW = Path(__file__).parent / "data" / "cdnow" / "CDNOW_sample.txt"
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # BG/NBD on CDNOW, 39 weeks
PAPER_GG = {"p": 6.25, "q": 3.74, "v": 15.44}  # Gamma-Gamma, the same customers with a repeat purchase


def _with_params(**params) -> BetaGeoModel:
    model = BetaGeoModel()
    for name, value in params.items():
        setattr(model, name + "_", value)
    return model


def _sig2(value: float) -> float:
    return float(f"{value:.2g}")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    tx = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master_id", "customer", "date", "cds", "value"],
                     dtype={"date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    # The paper's calibration period: 39 weeks from 1997-01-01 (to 1997-09-30); the holdout: the next 39 weeks.
    return rfm_summary(tx, customer_col="customer", date_col="date", amount_col="value",
                       calibration_end="1997-09-30", observation_end="1998-06-30", unit="W")


# ------------------------------------------------------------------------------------------ summary
def _hand_transactions() -> pd.DataFrame:
    rows = [("A", "2024-01-01 09:00", 10.0), ("A", "2024-01-01 17:00", 5.0),  # one purchase day: 15
            ("A", "2024-01-15 18:30", 30.0), ("A", "2024-01-29", 20.0),
            ("A", "2024-02-10", 7.0), ("A", "2024-02-10", 3.0),  # holdout: one purchase day
            ("A", "2024-03-10", 99.0),  # after observation_end: ignored
            ("B", "2024-01-22", 40.0), ("B", "2024-02-20", 1.0), ("B", "2024-02-27", 1.0),
            ("C", "2024-02-12", 50.0)]  # first purchase after calibration_end: not a calibration customer
    return pd.DataFrame(rows, columns=["cust", "when", "amount"]).assign(
        when=lambda d: pd.to_datetime(d["when"], format="ISO8601"))


def test_rfm_summary_on_a_hand_made_table():
    s = rfm_summary(_hand_transactions(), customer_col="cust", date_col="when", amount_col="amount",
                    calibration_end="2024-02-05", observation_end="2024-03-04", unit="W")
    assert list(s.index) == ["A", "B"] and s.index.name == "cust" and s.attrs["unit"] == "W"
    # A: purchase days Jan 1, 15, 29 -> 2 repeats, recency 28 days, age 35 days, mean repeat value (30 + 20) / 2
    # B: one purchase on Jan 22 -> no repeat, age 14 days, two holdout purchase days
    # first_value: the first purchase day's sum (A: 10 + 5 on Jan 1; B: 40)
    expected = pd.DataFrame({"frequency": [2, 0], "recency": [4.0, 0.0], "T": [5.0, 2.0],
                             "monetary_value": [25.0, 0.0], "first_value": [15.0, 40.0], "frequency_holdout": [1, 2],
                             "duration_holdout": [4.0, 4.0]}, index=pd.Index(["A", "B"], name="cust"))
    pd.testing.assert_frame_equal(s, expected, check_dtype=False)

    days = rfm_summary(_hand_transactions(), customer_col="cust", date_col="when", calibration_end="2024-02-05",
                       unit="D")
    assert days.loc["A", "recency"] == 28 and days.loc["A", "T"] == 35
    assert "monetary_value" not in days and "frequency_holdout" not in days


def test_rfm_summary_errors():
    tx = _hand_transactions()
    with pytest.raises(ColumnError, match="'customer'"):
        rfm_summary(tx, customer_col="customer", date_col="when")
    with pytest.raises(DataValueError, match="before calibration_end"):
        rfm_summary(tx, customer_col="cust", date_col="when", calibration_end="2024-02-05",
                    observation_end="2024-01-31")
    with pytest.raises(DataValueError, match="unit"):
        rfm_summary(tx, customer_col="cust", date_col="when", unit="Y")
    with pytest.raises(DataValueError, match="no customer, no valid date"):
        rfm_summary(tx.assign(when=tx["when"].where(tx.index != 3)), customer_col="cust", date_col="when")


# ------------------------------------------------------------------------------------------ CDNOW
def test_cdnow_summary_has_the_papers_cohort(cdnow):
    assert len(cdnow) == 2357 and (cdnow["frequency"] > 0).sum() == 946
    assert cdnow["T"].max() == pytest.approx(272 / 7)  # first purchase 1997-01-01, calibration end 1997-09-30
    assert (cdnow["duration_holdout"] == 39).all()


def test_cdnow_bgnbd_reproduces_the_published_estimates(cdnow):
    model = BetaGeoModel().fit(cdnow)
    fitted = {"r": model.r_, "alpha": model.alpha_, "a": model.a_, "b": model.b_}
    assert {k: _sig2(v) for k, v in fitted.items()} == {k: _sig2(v) for k, v in PAPER.items()}
    assert fitted == pytest.approx(PAPER, rel=2e-3)  # the paper rounds to 3 decimals
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)  # the paper's LL
    assert model.converged_ and model.n_customers_ == 2357


def test_cdnow_gamma_gamma_reproduces_the_published_estimates(cdnow):
    # monetary_value = mean value of the repeat purchase days in calibration (lifetimes' convention).
    model = GammaGammaModel().fit(cdnow)
    fitted = {"p": model.p_, "q": model.q_, "v": model.v_}
    assert {k: _sig2(v) for k, v in fitted.items()} == {k: _sig2(v) for k, v in PAPER_GG.items()}
    assert fitted == pytest.approx(PAPER_GG, rel=2e-3)
    assert model.n_customers_ == 946 and model.converged_


def test_cdnow_holdout_check(cdnow):
    model = _with_params(**PAPER)
    check = holdout_check(model, cdnow)
    table = check.by_frequency
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    zero = cdnow[cdnow["frequency"] == 0]
    assert table.loc["0", "actual"] == pytest.approx(zero["frequency_holdout"].mean())
    assert check.actual_total == cdnow["frequency_holdout"].sum() == 1882  # purchase days in weeks 40-78
    predicted = model.expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert check.predicted_total == pytest.approx(predicted.sum())
    assert check.mae == pytest.approx(np.abs(predicted - cdnow["frequency_holdout"]).mean())


# ------------------------------------------------------------------------------------------ formulas
def _hyp2f1_series(a, b, c, z, terms=4000):
    total, term = 1.0, 1.0
    for k in range(terms):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    return total


def _expected_by_hand(t, x, tx, T, r, alpha, a, b):
    """The paper's eq. 10, written out with the original hypergeometric term."""
    z = t / (alpha + T + t)
    hyp = _hyp2f1_series(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return numerator / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def test_papers_worked_customer():
    model = _with_params(**PAPER)
    # Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in the next 39 weeks.
    assert float(model.expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)
    r, alpha, a, b = PAPER.values()
    p_alive = 1 / (1 + a / (b + 2 - 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2))
    assert float(model.probability_alive(2, 30.43, 38.86)) == pytest.approx(p_alive, rel=1e-12)
    assert p_alive == pytest.approx(0.7266, abs=1e-4)
    assert float(model.probability_alive(0, 0, 38.86)) == 1.0


@pytest.mark.parametrize("t, x, tx, T", [(39, 0, 0, 38.86), (39, 1, 5.0, 38.86), (10, 7, 30.0, 32.0),
                                         (52, 25, 38.0, 38.86), (1, 3, 2.0, 20.0), (78, 2, 30.43, 38.86)])
def test_expected_purchases_against_the_formula_by_hand(t, x, tx, T):
    model = _with_params(**PAPER)
    assert float(model.expected_purchases(t, x, tx, T)) == pytest.approx(
        _expected_by_hand(t, x, tx, T, *PAPER.values()), rel=1e-9)


def test_large_frequencies_neither_overflow_nor_lose_precision():
    model = _with_params(**PAPER)
    r, alpha, a, b = PAPER.values()
    x = np.array([10.0, 1e2, 1e3, 1e4, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value warning fails the test
        expected = model.expected_purchases(39, x, 38.86, 38.86)
        dead = model.probability_alive(x, 30.0, 38.86)
    # Just bought (t_x = T): for large x the expectation tends to x (1 - (1 - z)^(a-1)) / (a - 1).
    z = 39 / (alpha + 38.86 + 39)
    limit = x * (1 - (1 - z) ** (a - 1)) / (a - 1)
    assert np.all(np.isfinite(expected)) and np.all(np.diff(expected) > 0)
    assert expected[-1] == pytest.approx(limit[-1], rel=1e-3)
    assert float(model.expected_purchases(39, 50, 38.86, 38.86)) == pytest.approx(
        _expected_by_hand(39, 50, 38.86, 38.86, r, alpha, a, b), rel=1e-9)
    # A long silence after many purchases: surely gone, without overflow.
    assert dead[-1] == 0.0 and np.all((dead >= 0) & (dead <= 1))


# ------------------------------------------------------------------------------------------ simulated
def test_bgnbd_recovers_simulated_parameters():
    true = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(0)
    summary = simulate_bgnbd(50_000, **true, T=rng.uniform(20, 60, 50_000), random_state=0)
    model = BetaGeoModel().fit(summary)
    # Standard errors at n = 50,000: r 1.0%, alpha 1.7%, a 4.1%, b 5.3% (a and b trade off along a ridge).
    tolerance = {"r": 0.05, "alpha": 0.08, "a": 0.15, "b": 0.20}
    for name, value in true.items():
        assert getattr(model, name + "_") == pytest.approx(value, rel=tolerance[name]), name
    mean_dropout = model.a_ / (model.a_ + model.b_)
    assert mean_dropout == pytest.approx(0.8 / 3.3, rel=0.05)


def test_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(1)
    frequency = rng.integers(1, 11, 40_000)
    summary = pd.DataFrame({"frequency": frequency,
                            "monetary_value": simulate_gamma_gamma(frequency, p=6.0, q=4.0, v=15.0, random_state=1)})
    model = GammaGammaModel().fit(summary)
    # Standard errors at n = 40,000: p 4.1%, q 1.0%, v 5.0%; the mean value p v / (q - 1) is much tighter.
    assert model.p_ == pytest.approx(6.0, rel=0.15)
    assert model.q_ == pytest.approx(4.0, rel=0.05)
    assert model.v_ == pytest.approx(15.0, rel=0.18)
    assert model.p_ * model.v_ / (model.q_ - 1) == pytest.approx(30.0, rel=0.02)
    assert abs(model.frequency_value_corr_) < 0.05  # independent by construction


def test_conditional_expectation_matches_simulated_holdout():
    true = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(2)
    summary = simulate_bgnbd(40_000, **true, T=rng.uniform(20, 60, 40_000), holdout=39.0, random_state=2)
    check = holdout_check(_with_params(**true), summary)
    # The total is a sum of 40,000 independent counts: its relative standard error is about 1%.
    assert check.predicted_total == pytest.approx(check.actual_total, rel=0.04)
    table = check.by_frequency
    assert np.allclose(table["predicted"], table["actual"], rtol=0.15, atol=0.03)


# ------------------------------------------------------------------------------------------ value
def _fitted_pair() -> tuple[BetaGeoModel, GammaGammaModel]:
    gg = GammaGammaModel()
    gg.p_, gg.q_, gg.v_ = PAPER_GG.values()
    return _with_params(**PAPER), gg


def _small_summary(unit: str = "W") -> pd.DataFrame:
    s = pd.DataFrame({"frequency": [0, 2, 10], "recency": [0.0, 30.43, 36.0], "T": [38.86, 38.86, 38.86],
                      "monetary_value": [0.0, 22.0, 40.0]}, index=pd.Index(["a", "b", "c"], name="customer"))
    s.attrs["unit"] = unit
    return s


def test_customer_lifetime_value_by_hand():
    bgnbd, gg = _fitted_pair()
    s = _small_summary()
    month = 365.25 / 12 / 7  # weeks
    value = gg.expected_value(s["frequency"], s["monetary_value"])
    p, q, v = PAPER_GG.values()
    assert value[0] == pytest.approx(p * v / (q - 1))  # no repeat purchase: the population mean
    assert value[1] == pytest.approx(p * (v + 2 * 22.0) / (2 * p + q - 1))

    undiscounted = customer_lifetime_value(bgnbd, gg, s, horizon=12, discount_rate=0.0)
    in_a_year = bgnbd.expected_purchases(12 * month, s["frequency"], s["recency"], s["T"])
    assert np.allclose(undiscounted["clv"], in_a_year * value, rtol=1e-12)  # the monthly increments add up
    assert np.allclose(undiscounted["expected_purchases"], in_a_year)

    one_month = customer_lifetime_value(bgnbd, gg, s, horizon=1, discount_rate=0.05, margin=0.3)
    first = bgnbd.expected_purchases(month, s["frequency"], s["recency"], s["T"])
    assert np.allclose(one_month["clv"], first * value * 0.3 / 1.05, rtol=1e-12)
    assert list(one_month.columns) == ["expected_purchases", "p_alive", "expected_value", "clv"]
    assert np.allclose(one_month["p_alive"], bgnbd.probability_alive(s["frequency"], s["recency"], s["T"]))

    # with the first purchases, the customer without a repeat is valued from theirs, shrunk as one purchase is
    firsts = s.assign(first_value=[12.0, 30.0, 35.0])
    valued = gg.expected_value(firsts["frequency"], firsts["monetary_value"], firsts["first_value"])
    assert valued[0] == pytest.approx(p * (v + 12.0) / (p + q - 1)) and np.allclose(valued[1:], value[1:])
    year = customer_lifetime_value(bgnbd, gg, firsts, horizon=12, discount_rate=0.0)
    assert np.allclose(year["clv"], in_a_year * valued, rtol=1e-12)

    days = _small_summary("D")
    days[["recency", "T"]] *= 7
    assert np.allclose(customer_lifetime_value(_with_params(**{**PAPER, "alpha": PAPER["alpha"] * 7}), gg,
                                               days)["clv"], customer_lifetime_value(bgnbd, gg, s)["clv"])
    with pytest.raises(DataValueError, match="time unit"):
        customer_lifetime_value(bgnbd, gg, s, unit="D")


def _subscriptions() -> pd.DataFrame:
    """300 subscribers billed every 28 days from a start in the first 40 weeks of 2023; a third cancel after 4 to
    12 bills. Every subscriber pays at one rate: the case BG/NBD's Gamma of rates cannot spread."""
    rows, end = [], pd.Timestamp("2024-12-31")
    for i in range(300):
        start, stops = pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=i % 40), 4 + i % 9 if i % 3 == 0 else 99
        days = [start + pd.Timedelta(days=28 * k) for k in range(stops)]
        rows += [{"customer": f"S{i:03d}", "date": d, "amount": 49.0 if i % 2 else 99.0} for d in days if d <= end]
    return rfm_summary(pd.DataFrame(rows), customer_col="customer", date_col="date", amount_col="amount",
                       observation_end=end)


def test_subscribers_billed_every_month_get_their_bills_not_nothing():
    """A new user's subscription export drove r to 6e7, where the forecast's hypergeometric term is NaN, and the
    page said the customers were "expected to make 0 purchases, worth £0". r stops at R_MAX: one rate."""
    s = _subscriptions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a flat likelihood at the bound, said on the page
        bgnbd, gg = BetaGeoModel().fit(s), GammaGammaModel().fit(s[s["frequency"] > 0])
    assert bgnbd.r_ == pytest.approx(R_MAX) and 28 * 4 * bgnbd.r_ / bgnbd.alpha_ / 7 == pytest.approx(4, rel=0.02)
    year = customer_lifetime_value(bgnbd, gg, s, discount_rate=0.0)
    assert np.isfinite(year.to_numpy()).all()
    staying = [f"S{i:03d}" for i in range(300) if i % 3 and i >= 260]  # billed until the end: 13.04 bills a year
    cancelled = [f"S{i:03d}" for i in range(0, 300, 3)]
    assert year.loc[staying, "expected_purchases"].between(11.5, 13.05).all()
    assert (year.loc[staying, "p_alive"] > 0.95).all() and (year.loc[cancelled, "p_alive"] < 0.05).all()
    price = [49.0 if int(c[1:]) % 2 else 99.0 for c in staying]  # every bill the same: valued at its price
    assert np.allclose(year.loc[staying, "expected_value"], price, rtol=0.01)
    assert np.allclose(year.loc[staying, "clv"], year.loc[staying, "expected_purchases"] * price, rtol=0.01)


@pytest.mark.parametrize("scale", [1e3, 1e4, 1e7])
def test_a_drop_out_chance_that_hardly_differs_gives_the_constant_chance_forecast(scale):
    """A whitespace-aligned till export fitted a = 1e7, b = 7.7e7: Euler's form of the hypergeometric term is then
    NaN in scipy, and every forecast was. The paper's form takes over; as a and b grow, the forecast tends to that of
    one drop-out chance p = a / (a + b) for all: (1 - ((α+T) / (α+T+pt))^(r+x)) / p while alive."""
    r, alpha, a, b = 3.929, 22.92, 1.037 * scale, 7.689 * scale
    t, x = np.full(4, 52.0), np.array([0.0, 2, 17, 200])
    tx, T = np.array([0.0, 30, 60, 69]), np.array([5.0, 70, 70, 70])
    model = _with_params(r=r, alpha=alpha, a=a, b=b)
    got = model.expected_purchases(t, x, tx, T)
    p = a / (a + b)
    limit = (1 - ((alpha + T) / (alpha + T + p * t)) ** (r + x)) / p * model.probability_alive(x, tx, T)
    assert np.isfinite(got).all() and np.allclose(got, limit, rtol=30 / scale)  # O(1 / a) apart
    assert float(model.expected_purchases(52.0, 2, 30.0, 70.0)) == pytest.approx(got[1])  # one customer alike


def test_a_forecast_that_is_not_a_number_stops_with_the_parameters():
    """Never a sum that skips what could not be computed (it read as "worth £0"): a ModelError with the fit."""
    bgnbd, gg = _with_params(r=1e6, alpha=4.6e6, a=0.7, b=14.0), _fitted_pair()[1]
    with pytest.raises(ModelError, match=r"no finite forecast for 3 of 3 customers \(BG/NBD r=1e\+06"):
        customer_lifetime_value(bgnbd, gg, _small_summary())


def test_value_by_segment_shares_and_sentence():
    per_customer = pd.DataFrame({"clv": [61 / 17] * 17 + [39 / 83] * 83, "p_alive": [0.9] * 17 + [0.5] * 83},
                                index=range(100))
    segments = pd.Series(["Champions"] * 17 + ["Others"] * 83 + ["Unused"], index=range(101))
    table = value_by_segment(per_customer, segments)
    assert list(table.index) == ["Champions", "Others"]  # largest value first; id 100 has no CLV row
    assert table["clv_share"].sum() == pytest.approx(1.0) and table["customer_share"].sum() == pytest.approx(1.0)
    assert table.loc["Champions", "customers"] == 17
    assert table.loc["Champions", "clv_total"] == pytest.approx(61.0)
    assert table.loc["Others", "p_alive_mean"] == pytest.approx(0.5)
    assert value_sentence(table, "Champions") == "Champions are 17.0% of customers and 61.0% of expected value."
    with pytest.raises(DataValueError, match="no segment"):
        value_by_segment(per_customer, segments.iloc[:50])


def test_value_by_segment_on_fitted_cdnow(cdnow):
    bgnbd, gg = _fitted_pair()
    clv = customer_lifetime_value(bgnbd, gg, cdnow)
    segments = pd.Series(np.where(cdnow["frequency"] > 0, "Repeat buyers", "One-time buyers"), index=cdnow.index)
    table = value_by_segment(clv, segments)
    assert table["clv_share"].sum() == pytest.approx(1.0)
    assert table["customers"].sum() == 2357 and table.loc["Repeat buyers", "customers"] == 946
    assert table["clv_total"].sum() == pytest.approx(clv["clv"].sum())


# ------------------------------------------------------------------------------------------ contract
def test_estimator_contract_and_determinism(cdnow):
    from sklearn.base import clone

    model = BetaGeoModel(n_starts=3, random_state=7)
    assert model.get_params() == {"n_starts": 3, "max_iter": 500, "max_time": 30.0, "random_state": 7}
    assert not hasattr(model, "r_")
    assert model.fit(cdnow) is model
    twin = clone(model)
    assert twin.get_params() == model.get_params() and not hasattr(twin, "r_")
    twin.fit(cdnow)
    assert (twin.r_, twin.alpha_, twin.a_, twin.b_) == (model.r_, model.alpha_, model.a_, model.b_)
    assert repr(model).startswith("BetaGeoModel(n_starts=3")
    with pytest.raises(ValueError, match="invalid"):
        model.set_params(n_start=2)


def test_unusable_data_give_clear_errors():
    no_repeat = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 9.0],
                              "monetary_value": [0.0, 0.0]})
    with pytest.raises(DataValueError, match="no customer made a repeat purchase"):
        BetaGeoModel().fit(no_repeat)
    with pytest.raises(DataValueError, match="no customer made a repeat purchase"):
        GammaGammaModel().fit(no_repeat)
    with pytest.raises(DataValueError, match="0 or less"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [10.0, -3.0]}))
    with pytest.raises(DataValueError, match="recency"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1], "recency": [9.0], "T": [5.0]}))
    with pytest.raises(DataValueError, match="missing or infinite"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1, 2], "recency": [1.0, math.nan], "T": [5.0, 6.0]}))
    with pytest.raises(ColumnError, match="recency"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1], "T": [5.0]}))
    with pytest.raises(ModelError, match="not fitted"):
        BetaGeoModel().probability_alive(1, 1.0, 2.0)


def test_bounded_fits_warn_and_keep_the_best_found(cdnow):
    with pytest.warns(RuntimeWarning, match="did not converge"):
        model = BetaGeoModel(max_iter=2).fit(cdnow)
    assert not model.converged_ and np.isfinite(model.log_likelihood_)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        model = GammaGammaModel(max_time=0.0).fit(cdnow)
    assert not model.converged_ and model.n_iter_ <= 1


def test_a_customer_without_a_repeat_purchase_is_valued_in_their_own_range_when_q_is_near_1():
    """The new-user case: a few very expensive purchases gave q = 1.07, so the population mean per purchase
    p v / (q - 1) is 1,395 while repeat buyers spend about 73; a customer who spent 18 once was valued at 1,395."""
    gg = GammaGammaModel()
    gg.p_, gg.q_, gg.v_ = 2.19736, 1.07084, 44.9703
    population = gg.p_ * gg.v_ / (gg.q_ - 1)
    assert gg.expected_value([0], [0.0])[0] == pytest.approx(population) and population > 1_390
    own = gg.expected_value([0, 0, 3], [0.0, 0.0, 80.0], first_value=[18.0, np.nan, 500.0])
    assert own[0] == pytest.approx(2.19736 * (44.9703 + 18.0) / (2.19736 + 0.07084))  # about 61
    assert 18 < own[0] < 73
    assert own[1] == pytest.approx(population)  # no first purchase known: the convention
    assert own[2] == pytest.approx(gg.expected_value([3], [80.0])[0])  # repeat buyers: the first is not used


def _tiers(high: float, spread: float) -> tuple[GammaGammaModel, np.ndarray, np.ndarray]:
    """Gamma-Gamma fitted to 150 repeat buyers: 100 spending about 20 a purchase, 50 about ``high`` (times 1 +- spread)."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, 8, 150).astype(float)
    m = np.where(np.arange(150) < 100, 20.0, high) * rng.uniform(1 - spread, 1 + spread, 150)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return GammaGammaModel(random_state=0).fit(pd.DataFrame({"frequency": x, "monetary_value": m})), x, m


def test_spends_in_separate_tiers_value_each_customer_by_their_own_purchases():
    """Two clean tiers of spend (about 20 and about 400) fit a Gamma-Gamma with q <= 1, whose mean is infinite:
    the run stopped with "check for extreme outliers" when there were none. Each customer is now valued at their
    own mean purchase, and one with no purchase to go by at the repeat buyers' mean per purchase."""
    gg, x, m = _tiers(400.0, 0.05)
    assert gg.q_ <= 1 and gg.mean_value_ == pytest.approx(np.sum(x * m) / np.sum(x))
    value = gg.expected_value(np.array([3.0, 2.0, 0.0, 0.0]), np.array([400.0, 21.0, 0.0, 0.0]),
                              first_value=np.array([np.nan, np.nan, 35.0, np.nan]))
    assert value.tolist() == pytest.approx([400.0, 21.0, 35.0, gg.mean_value_])


def test_a_mean_resting_on_the_tail_just_above_q_1_is_not_used_either():
    """Tiers of 20 and 200 with wide spread fit q = 1.09: the population mean (308) is above almost every purchase
    (the repeat buyers average 87), so it is not the value of a customer without purchases to go by."""
    gg, _, _ = _tiers(200.0, 0.7)
    assert 1 < gg.q_ < 1.2 and gg.p_ * gg.v_ / (gg.q_ - 1) > 2 * gg.mean_value_ and gg.unbounded_
    assert gg.expected_value(np.array([0.0]), np.array([0.0])).tolist() == pytest.approx([gg.mean_value_])
