"""Lifetime value in a run: the CLV models of :mod:`.value` on the cleaned transactions, checked, then per segment.

The set-up (transactions only)
------------------------------
* **Purchases** are the cleaned lines that are not cancellations and have a positive amount; the lines of
  one customer on one day are one purchase, of their summed amount (:func:`.value.rfm_summary`). Time is
  counted in weeks, or in days when the data span less than ten weeks.
* **Holdout check** (Fader, Hardie & Lee 2005, figure 4): BG/NBD is fitted on the purchases up to the
  calibration end (``clv_calibration_end``; by default the day before the churn cutoff, so the holdout is
  the churn horizon) and predicts each customer's repeat purchase days in the rest of the data; predicted
  and actual are compared by the customers' number of calibration purchases, and in total.
* **Value of today's customers**: both models are refit on the whole history and forecast the next
  ``clv_horizon_months`` months from the last day of data (:func:`.value.customer_lifetime_value`):
  ``value.csv`` (one row per customer) and ``value_summary.json``. A purchase is valued net of returns: at the
  share of what the customer bought that they kept (``kept_share``, :mod:`.returns`), so that the customers of
  Online Retail's two largest orders, both cancelled the same day, are worth nothing rather than being among the
  most valuable.
* **Against churn risk** (:func:`churn_relation`): when ``08_churn`` has scored the customers, the rank
  correlation of P(alive) with the churn probability and a table by risk band.
* **Per segment** (:func:`segment_value`, called by the kind's ``after_segment``): total and mean value,
  share of all expected value and mean P(alive), on the cards, in ``value_summary.json`` (for the index)
  and, per customer, as extra columns of ``segments.csv``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataValueError
from ...featureset import in_index
from ...format import format_share, money_prefix, round_json
from ...naming.words import plural
from .churn_data import check_value, naive_dates, purchases, purchases_and_span, value_periods  # noqa: F401
from .returns import kept_shares, returns_by_day
from .value_churn import ALIVE, RISK_BANDS, ChurnRelation, churn_relation  # noqa: F401
from .value import (R_MAX, BetaGeoModel, GammaGammaModel, HoldoutCheck, customer_lifetime_value, holdout_check,
                    rfm_summary)

__all__ = ["VALUE_COLUMNS", "RISK_BANDS", "ValueData", "ValueCheck", "ValueFit", "ChurnRelation", "purchases",
           "value_data_of_purchases", "value_data", "check_value", "check_holdout", "fit_value", "value_summary",
           "churn_relation", "segment_value", "value_by_segment", "value_sentence", "value_sentences",
           "ranking_sentence"]

#: The per-customer columns of ``value.csv`` (after ``customer_id``), also appended to ``segments.csv``.
VALUE_COLUMNS = ["expected_purchases", "p_alive", "expected_value", "clv", "kept_share"]
#: Below this mean chance of stopping after a purchase (BG/NBD's ``a / (a + b)``) the model sees almost no drop-out: the
#: value page says so, and the cards call a segment's expected value the most it could bring (Online Retail: 0.043%).
NO_DROPOUT = 0.01
_UNIT_WORDS = {"W": "weeks", "D": "days"}
_MODEL_NAMES = {"BetaGeoModel": "BG/NBD", "GammaGammaModel": "Gamma-Gamma"}
_DAY = pd.Timedelta(days=1)
#: A holdout forecast further than this share from what happened is a caveat, and said beside the forecast's total.
MISSED = 0.15


def _r(value) -> float | None:
    return round_json(value, 6)


def _money(value: float, currency: str) -> str:
    symbol = money_prefix(currency)
    return f"{symbol}{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"{symbol}{value:,.0f}"


# ------------------------------------------------------------------------------------------ data
@dataclass
class ValueData:
    """The CLV summaries of a run: calibration (with the holdout) and the whole history.

    Attributes
    ----------
    calibration : DataFrame
        :func:`.value.rfm_summary` up to ``calibration_end``, with ``frequency_holdout`` to ``last_day``.
    full : DataFrame
        The same up to ``last_day`` (no holdout), with each customer's ``kept_share`` (what they did not return of
        what they bought): what the forecast starts from.
    unit : {"W", "D"}
    first_day, calibration_end, last_day : Timestamp
    lines : int
        Purchase lines used.
    other_lines : int
        The cleaned table's other lines (returns, cancellations, refund lines), which are not purchases.
    """

    calibration: pd.DataFrame
    full: pd.DataFrame
    unit: str
    first_day: pd.Timestamp
    calibration_end: pd.Timestamp
    last_day: pd.Timestamp
    lines: int
    other_lines: int = 0

    @property
    def holdout_days(self) -> int:
        return int((self.last_day - self.calibration_end) / _DAY)

    def describe(self) -> str:
        """One paragraph on the data and the split, for the report."""
        days = int((self.full["frequency"] + 1).sum())
        n = self.other_lines
        one = "; the other cleaned line is a return, cancellation or refund, not a purchase"
        others = "" if not n else one if n == 1 else (f"; the other {n:,} cleaned lines are returns, cancellations or "
                                                      "refunds, not purchases")
        return (f"{len(self.full):,} customers made purchases on {days:,} customer-days ({self.lines:,} purchase "
                f"lines{others}) from {self.first_day:%d %B %Y} to {self.last_day:%d %B %Y}; time is counted in "
                f"{_UNIT_WORDS[self.unit]}. The check fits the model on the purchases before "  # as 08 says its cutoff
                f"{self.calibration_end + _DAY:%d %B %Y} ({len(self.calibration):,} customers by then) and predicts "
                f"the {self.holdout_days} days from it; the forecast then uses the whole history.{self._net()}")

    def _net(self) -> str:
        """The sentence on purchases valued net of returns ("" when no customer returned anything)."""
        some, none_kept = _returning(self.full)
        if not some:
            return ""
        whom = "the customer who returned part of their past purchases count" if some == 1 else \
            f"the {some:,} customers who returned part of their past purchases count"
        nothing = "" if not none_kept else (" (nothing, for the customer who returned all they bought or more)"
                                            if none_kept == 1 else f" (nothing, for the {none_kept:,} who returned "
                                            "all they bought or more)")
        return (f" A purchase is valued net of returns: the future purchases of {whom} only at the share they "
                f"kept{nothing}.")


def _returning(per: pd.DataFrame) -> tuple[int, int]:
    """(customers who kept less than all they bought, those who kept nothing): :mod:`.returns`' ``kept_share``."""
    kept = per["kept_share"] if "kept_share" in per else pd.Series(dtype=float)
    return int((kept < 1).sum()), int((kept == 0).sum())


def value_data(clean: pd.DataFrame, *, calibration_end=None, churn_cutoff=None, churn_horizon_days: int = 90
               ) -> ValueData:
    """Calibration and full summaries of the purchases of a cleaned transaction table.

    Parameters
    ----------
    clean : DataFrame
        ``clean.parquet``: ``customer_id``, ``date``, ``amount`` and ``is_cancellation``.
    calibration_end : date-like, optional
        Last day of the calibration period; default: the day before the churn cutoff
        (:func:`.churn.churn_cutoff` with ``churn_cutoff`` and ``churn_horizon_days``).
    """
    bought, span = purchases_and_span(clean)
    return value_data_of_purchases(bought, span, lines=len(bought), other_lines=len(clean) - len(bought),
                                   returns=returns_by_day(clean), calibration_end=calibration_end,
                                   churn_cutoff=churn_cutoff, churn_horizon_days=churn_horizon_days)


def value_data_of_purchases(bought: pd.DataFrame, span: tuple, *, lines: int, other_lines: int = 0,
                            returns: pd.DataFrame | None = None, calibration_end=None, churn_cutoff=None,
                            churn_horizon_days: int = 90) -> ValueData:
    """:func:`value_data` from the purchases (``customer_id``, ``date``, ``amount``; lines, or already summed per
    customer and day by an engine), the first date of the cleaned lines and their last purchase (``span``,
    :func:`.churn_data.data_span`, for the churn cutoff), the number of purchase lines and of the cleaned table's
    other lines, and what each customer returned per day (:func:`.returns.returns_by_day`; None: nothing)."""
    first, last, end = value_periods(bought, span, calibration_end, churn_cutoff, churn_horizon_days)
    unit = "W" if last - first >= pd.Timedelta(weeks=10) else "D"
    common = {"customer_col": "customer_id", "date_col": "date", "amount_col": "amount", "unit": unit}
    calibration = rfm_summary(bought, calibration_end=end, observation_end=last, **common)
    full = rfm_summary(bought, calibration_end=last, **common)
    first_day = naive_dates(bought).groupby(bought["customer_id"]).min().dt.floor("D")
    full["kept_share"] = kept_shares(full, first_day, returns)
    return ValueData(calibration=calibration, full=full, unit=unit, first_day=first, calibration_end=end,
                     last_day=last, lines=int(lines), other_lines=int(other_lines))


def _fit(model, summary: pd.DataFrame, what: str) -> tuple[Any, list[str]]:
    """Fit ``model``; a fit that stops early becomes a note for the report instead of a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(summary)
    notes = [] if model.converged_ else [
        f"The {_MODEL_NAMES[type(model).__name__]} fit on {what} stopped where many nearby parameter values "
        "describe the data about as well (a flat likelihood); it keeps the best it found."]
    return model, notes


# ------------------------------------------------------------------------------------------ holdout
@dataclass
class ValueCheck:
    """BG/NBD fitted on the calibration period and its predictions for the holdout."""

    model: BetaGeoModel
    holdout: HoldoutCheck
    holdout_days: int
    notes: list[str] = field(default_factory=list)
    entity: str = "customers"  #: what a row is, in the plural, for the figure
    calibration_end: pd.Timestamp | None = None  #: the last day of the calibration period
    last_day: pd.Timestamp | None = None  #: the last day of the holdout (of the data)

    @property
    def _customers(self) -> int:
        """The customers of the calibration period, whom the holdout check predicts."""
        return int(self.holdout.by_frequency["customers"].sum())

    def periods(self, long: bool = False) -> tuple[str, str]:
        """The calibration period and the holdout in words, for the figure's axes: ("before 11 Sep 2011", "11 Sep to
        09 Dec 2011"); ``long``: the months in full, for a sentence."""
        if self.calibration_end is None or self.last_day is None:
            return "in the calibration period", "in the holdout"
        start, month = self.calibration_end + _DAY, "%B" if long else "%b"
        return f"before {start:%d {month} %Y}", f"{start:%d {month}} to {self.last_day:%d {month} %Y}"

    @property
    def error_share(self) -> float:
        """(predicted - actual) / actual holdout repeat purchase days."""
        return (self.holdout.predicted_total - self.holdout.actual_total) / max(self.holdout.actual_total, 1e-12)

    @property
    def off_by(self) -> str:
        """The holdout's miss in words, as the page says it: "26% below" (the share of what happened)."""
        return f"{abs(100 * self.error_share):.0f}% {'below' if self.error_share < 0 else 'above'}"

    @property
    def far_off(self) -> bool:
        """Whether the holdout forecast missed by more than :data:`MISSED`: a caveat, and said beside the total."""
        return abs(self.error_share) > MISSED

    def summary(self) -> str:
        h, made = self.holdout, self.holdout.actual_total / max(self._customers, 1)
        return (f"Fitted on the calibration period, the model expects {h.predicted_total:,.0f} repeat purchase days in "
                f"the {self.holdout_days} days after it; customers made {h.actual_total:,.0f}, so the forecast is "
                f"{self.off_by} what happened. Customer by customer, the forecast is off by {h.mae:.2f} purchases on "
                f"average (either way: the mean absolute error), against {made:.2f} purchases a customer made.")

    def table(self) -> pd.DataFrame:
        """Predicted against actual holdout purchases per customer, by calibration repeat purchases."""
        return self.holdout.by_frequency.rename(columns={
            "customers": "Customers", "actual": "Actual (mean)", "predicted": "Predicted (mean)"}).rename_axis(
            "Repeat purchases in calibration")


def check_holdout(data: ValueData, *, seed: int = 0) -> ValueCheck:
    """Fit BG/NBD on the calibration period and compare its holdout predictions with what happened."""
    model, notes = _fit(BetaGeoModel(random_state=seed), data.calibration, "the calibration period")
    check = ValueCheck(model=model, holdout=holdout_check(model, data.calibration), holdout_days=data.holdout_days,
                       notes=notes, calibration_end=data.calibration_end, last_day=data.last_day)
    if check.far_off:
        check.notes.append(
            # as the check's own sentence says it, against what happened: 3,300 forecast for 4,460 bought is 26% below
            # (customers bought 35% more than forecast, never "26% more")
            f"In the holdout ({data.calibration_end + _DAY:%d %B} to {data.last_day:%d %B %Y}) the forecast was "
            f"{check.off_by} what customers bought. The model assumes a steady purchase rate, so a season (such as "
            "the weeks before Christmas) moves purchases away from it; forecasts that cross a season carry the same "
            "error.")
    return check


# ------------------------------------------------------------------------------------------ forecast
@dataclass
class ValueFit:
    """Both models refit on the whole history, and the forecast per customer (index ``customer_id``:
    :data:`VALUE_COLUMNS` and the repeat purchases, ``frequency``)."""

    bgnbd: BetaGeoModel
    gg: GammaGammaModel
    per_customer: pd.DataFrame
    horizon: int
    margin: float
    discount_rate: float
    notes: list[str] = field(default_factory=list)  #: caveats: what makes the forecast less reliable
    checked: list[str] = field(default_factory=list)  #: assumptions checked and found to hold

    @property
    def top_decile_share(self) -> float:
        """Share of all expected value held by the tenth of customers worth most."""
        clv = np.sort(self.per_customer["clv"].to_numpy())[::-1]
        return float(clv[: int(np.ceil(len(clv) / 10))].sum() / clv.sum())

    def summary(self, currency: str = "£", check: ValueCheck | None = None) -> str:
        """The forecast in one paragraph; with the holdout ``check``, how far the same model missed the last days of
        the data when that is more than :data:`MISSED` (the caveat's bar), so a total is not read as a promise."""
        per, total = self.per_customer, float(self.per_customer["clv"].sum())
        missed = (f" Read it as an estimate: the same method, fitted on the purchases {check.periods(long=True)[0]}, "
                  f"forecast {abs(100 * check.error_share):.0f}% {'fewer' if check.error_share < 0 else 'more'} repeat "
                  f"purchases (their number, not their value) in the {check.holdout_days} days after than customers "
                  "made (see the caveats)." if check is not None and check.far_off else "")
        return (f"Over the next {self.horizon} months, the {len(per):,} customers are expected to make "
                f"{per['expected_purchases'].sum():,.0f} purchases, worth {_money(total, currency)} today"
                f"{', net of returns' if _returning(per)[0] else ''} ("  # sales, unless a margin makes it profit
                f"{'in sales: no profit margin applied' if self.margin == 1 else f'margin {100 * self.margin:.0f}%'}, "
                f"discount {100 * self.discount_rate:.1f}% a month): "
                f"{_money(total / len(per), currency)} per customer on average. The 10% of customers worth most "
                f"hold {100 * self.top_decile_share:.0f}% of that value.{missed}")

    def table(self) -> pd.DataFrame:
        """The content of ``value.csv``: ``customer_id`` and :data:`VALUE_COLUMNS`."""
        return self.per_customer[VALUE_COLUMNS].rename_axis("customer_id").reset_index()

    def parameters(self) -> pd.DataFrame:
        """The fitted parameters, for analysts."""
        b, g = self.bgnbd, self.gg
        rows = [("BG/NBD", "r", b.r_, "shape of the purchase rates"), ("BG/NBD", "α", b.alpha_, "scale of the purchase rates"),
                ("BG/NBD", "a", b.a_, "drop-out: Beta(a, b)"), ("BG/NBD", "b", b.b_, "drop-out: Beta(a, b)"),
                ("Gamma-Gamma", "p", g.p_, "shape of a purchase's value"), ("Gamma-Gamma", "q", g.q_,
                 "shape of the value rates"), ("Gamma-Gamma", "γ", g.v_, "scale of the value rates")]
        rows = [(model, name, f"{value:.4g}", meaning) for model, name, value, meaning in rows]  # 4 significant digits
        return pd.DataFrame(rows, columns=["Model", "Parameter", "Estimate", "Meaning"]).set_index(["Model", "Parameter"])


def _caveats(bgnbd: BetaGeoModel, gg: GammaGammaModel, per: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(caveats, assumptions that hold) of the fits."""
    notes = [] if bgnbd.r_ < 0.999 * R_MAX else [
        "Every customer buys at about the same steady pace, as subscribers billed every month do. The model is made "
        "for customers who buy when they choose: read its forecast as the purchases still to come from those who "
        "stay, at that pace."]
    dropout = bgnbd.a_ / (bgnbd.a_ + bgnbd.b_)
    if dropout < NO_DROPOUT:
        notes.append(f"The model finds almost no drop-out (a customer stops after a purchase with probability "
                     f"{100 * dropout:.2g}% on average), so P(alive) is close to 1 for nearly everyone "
                     f"({format_share((per['p_alive'] > 0.95).mean())} above 0.95): read it as a ranking at most; "
                     "expected purchases and churn risk say more.")
    if getattr(gg, "unbounded_", gg.q_ <= 1):
        notes.append(f"What customers spend per purchase falls in groups too far apart for the Gamma-Gamma model (its "
                     f"fitted q is {gg.q_:.2f}: its average purchase rests on a few very large ones, or is infinite). "
                     "Each customer's value per purchase is therefore their own average (or first purchase), not drawn "
                     "toward the others'; one with neither is valued at the repeat buyers' average purchase.")
    corr, n = gg.frequency_value_corr_, gg.n_customers_
    holds = abs(corr) < 0.3
    verdict = "small, as the model assumes" if holds else "large enough to make expected values less reliable"
    text = (f"Gamma-Gamma assumes that what a customer spends per purchase is unrelated to how often they buy: "
            f"among the {n:,} repeat buyers the correlation is {corr:.2f}, {verdict}.")
    return (notes, [text]) if holds else (notes + [text], [])


def fit_value(data: ValueData, *, horizon: int = 12, margin: float = 1.0, discount_rate: float = 0.01,
              seed: int = 0) -> ValueFit:
    """Refit BG/NBD and Gamma-Gamma on the whole history and forecast each customer's next ``horizon`` months."""
    bgnbd, notes = _fit(BetaGeoModel(random_state=seed), data.full, "the whole history")
    gg, more = _fit(GammaGammaModel(random_state=seed), data.full, "the repeat buyers")
    per = customer_lifetime_value(bgnbd, gg, data.full, horizon=horizon, margin=margin, discount_rate=discount_rate)
    per["kept_share"] = data.full["kept_share"].to_numpy() if "kept_share" in data.full else 1.0
    per["frequency"] = data.full["frequency"].to_numpy()  # for the comparison with churn; not in value.csv
    per.index = per.index.astype(str).rename("customer_id")
    caveats, checked = _caveats(bgnbd, gg, per)
    return ValueFit(bgnbd=bgnbd, gg=gg, per_customer=per, horizon=int(horizon), margin=float(margin),
                    discount_rate=float(discount_rate), notes=notes + more + caveats, checked=checked)


def value_summary(data: ValueData, check: ValueCheck, fit: ValueFit, currency: str = "£") -> dict[str, Any]:
    """The content of ``value_summary.json`` (``churn``, ``segments`` and ``ranking`` are filled in later)."""
    b, g, c, per = fit.bgnbd, fit.gg, check.model, fit.per_customer
    by = check.holdout.by_frequency.reset_index()
    return {
        "unit": data.unit, "first_day": f"{data.first_day:%Y-%m-%d}", "calibration_end": f"{data.calibration_end:%Y-%m-%d}",
        "last_day": f"{data.last_day:%Y-%m-%d}", "horizon_months": fit.horizon, "margin": fit.margin,
        "discount_rate": fit.discount_rate, "customers": int(len(per)), "purchase_lines": data.lines,
        "bgnbd": {"r": _r(b.r_), "alpha": _r(b.alpha_), "a": _r(b.a_), "b": _r(b.b_), "converged": b.converged_},
        "gamma_gamma": {"p": _r(g.p_), "q": _r(g.q_), "v": _r(g.v_), "repeat_buyers": g.n_customers_,
                        "frequency_value_corr": _r(g.frequency_value_corr_), "converged": g.converged_},
        "holdout": {"days": data.holdout_days, "customers": int(len(data.calibration)),
                    "bgnbd": {"r": _r(c.r_), "alpha": _r(c.alpha_), "a": _r(c.a_), "b": _r(c.b_)},
                    "predicted_total": _r(check.holdout.predicted_total), "actual_total": _r(check.holdout.actual_total),
                    "error_share": _r(check.error_share), "mae": _r(check.holdout.mae),
                    "by_calibration_purchases": [{k: (_r(v) if isinstance(v, float) else v) for k, v in row.items()}
                                                 for row in by.to_dict("records")]},
        "expected_purchases_total": _r(per["expected_purchases"].sum()), "clv_total": _r(per["clv"].sum()),
        "clv_mean": _r(per["clv"].mean()), "p_alive_mean": _r(per["p_alive"].mean()),
        "top_decile_share": _r(fit.top_decile_share), "summary": fit.summary(currency, check), "check": check.summary(),
        "returns": dict(zip(("customers_returning", "customers_keeping_nothing"), _returning(per))),
        "notes": check.notes + fit.notes + fit.checked, "churn": None, "segments": [], "ranking": None}


# ------------------------------------------------------------------------------------------ segments
def value_by_segment(per_customer: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Customers, expected value (CLV) and P(alive) per segment, largest total value first.

    Parameters
    ----------
    per_customer : DataFrame
        Output of :func:`.value.customer_lifetime_value`.
    segments : Series
        Segment label per customer id; every customer of ``per_customer`` needs one (extra ids are ignored).

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``customer_share``, ``clv_total``, ``clv_mean``, ``clv_share``
        (of all expected value; the shares sum to 1) and ``p_alive_mean``.
    """
    labels = pd.Series(segments).reindex(per_customer.index)
    if labels.isna().any():
        raise DataValueError(f"{int(labels.isna().sum())} customers of the CLV table have no segment",
                             "pass segments indexed by the same customer ids as the summary")
    grouped = per_customer.groupby(labels.to_numpy(), sort=True)
    table = pd.DataFrame({"customers": grouped.size(), "clv_total": grouped["clv"].sum(),
                          "clv_mean": grouped["clv"].mean(), "p_alive_mean": grouped["p_alive"].mean()})
    total = table["clv_total"].sum()
    if not total > 0:
        raise DataValueError("the total expected value is not positive, so shares are undefined", "check the values")
    table.insert(1, "customer_share", table["customers"] / table["customers"].sum())
    table.insert(4, "clv_share", table["clv_total"] / total)
    return table.rename_axis("segment").sort_values("clv_total", ascending=False)


def value_sentence(table: pd.DataFrame, segment, entity: str = "customer") -> str:
    """One sentence for an executive summary from :func:`value_by_segment`'s ``table``; ``entity`` is what a
    customer is called, in the singular.

    >>> value_sentence(pd.DataFrame({"customer_share": [0.17], "clv_share": [0.61]}, index=["Champions"]),
    ...                "Champions", "subscriber")
    'Champions are 17.0% of subscribers and 61.0% of expected value.'

    Shares have one decimal, as the segment tables beside the sentence (the index, 05, 10) write them.
    """
    if segment not in table.index:
        raise DataValueError(f"segment {segment!r} is not in the table", f"pass one of: {list(table.index)}")
    row = table.loc[segment]
    return (f"{segment} are {format_share(row['customer_share'], 1)} of {plural(entity)} and "
            f"{format_share(row['clv_share'], 1)} of expected value.")


def value_sentences(table: pd.DataFrame, *, horizon: int, currency: str = "£", entity: str = "customer",
                    dropout: float | None = None) -> dict[str, str]:
    """Segment code -> the "Value:" line of its card, from :func:`segment_value`'s table; ``dropout``: BG/NBD's mean
    chance that a customer stops after a purchase (``a / (a + b)``), below :data:`NO_DROPOUT` said on the card."""
    # no P(alive) here (BG/NBD calls every one-time buyer alive); without drop-out, the value is a ceiling: say why
    ceiling = dropout is not None and dropout < NO_DROPOUT
    # nor does MBG/NBD, nor the holdout: not "an upper estimate" (bench/README.md)
    caveat = ", if every customer keeps buying: the model finds almost no customer who stopped for good (see \"What " \
        "each customer is worth\")" if ceiling else ""
    return {str(code): (f"{_money(row['clv_mean'], currency)} expected per {entity} over "
                        f"{horizon} months, {format_share(row['clv_share'], 1)} of all expected value{caveat}.")
            for code, row in table.iterrows()}


def ranking_sentence(table: pd.DataFrame, *, horizon: int, entity: str = "customer") -> str:
    """"Champions are 17.0% of customers and 61.0% of expected value." followed by the segments ranked by value."""
    names = table["segment_name"].astype(str)
    labels = names if names.is_unique else pd.Series(table.index.astype(str), index=table.index)
    ranked = table.set_index(labels.to_numpy())
    ranking = ", ".join(f"{label} {format_share(share, 1)}" for label, share in ranked["clv_share"].items())
    return (f"{value_sentence(ranked, ranked.index[0], entity)} Share of the value expected in the next {horizon} "
            f"months: {ranking}.")


def segment_value(folder, assignments: pd.DataFrame, *, currency: str = "£", entity: str = "customer"
                  ) -> dict[str, Any]:
    """Lifetime value per segment from a run folder's ``value.csv`` (``10_value``), for ``Segmentation.extra``
    (``entity``: what a customer is called, in the singular).

    Also writes the per-segment numbers and the ranking into ``value_summary.json`` and appends each
    customer's :data:`VALUE_COLUMNS` to ``segments.csv`` (empty for a segmented customer without a purchase; those
    ``value.csv`` has, when an earlier version of segkit wrote it).
    Returns ``{}`` when the run has no value (``10_value`` not run), else ``value`` (the table by segment
    code, largest value first), ``value_sentences`` (per code) and ``value_ranking``.
    """
    if not (folder.has("value.csv") and folder.has("value_summary.json")):
        return {}
    summary = folder.read_json("value_summary.json")
    per = pd.read_csv(folder.artifact("value.csv"), dtype={"customer_id": str}).set_index("customer_id")
    ids = assignments.iloc[:, 0].astype(str)
    codes = pd.Series(assignments["segment_code"].to_numpy(), index=ids.to_numpy())
    written = [c for c in VALUE_COLUMNS if c in per.columns]  # a value.csv of an earlier segkit has no kept_share
    folder.write_csv("segments.csv", assignments.join(per[written], on=assignments.columns[0]))
    segmented = per[in_index(per.index, codes.index)]
    if not segmented["clv"].sum() > 0:  # e.g. no customer bought twice: nothing to share among the segments
        summary["segments"], summary["ranking"] = [], (
            "No expected value to compare across segments: the models expect no further purchases.")
        folder.write_json("value_summary.json", summary)
        return {"value_ranking": summary["ranking"]}
    table = value_by_segment(segmented, codes)
    names = dict(zip(assignments["segment_code"], assignments["segment_name"]))
    table.insert(0, "segment_name", [names.get(c, c) for c in table.index])
    horizon = int(summary.get("horizon_months", 12))
    ranking = ranking_sentence(table, horizon=horizon, entity=entity)
    summary["segments"] = [{"code": str(code), "name": str(row["segment_name"]),
                            **{k: (int(v) if k == "customers" else _r(v)) for k, v in row.drop("segment_name").items()}}
                           for code, row in table.iterrows()]
    summary["ranking"] = ranking
    folder.write_json("value_summary.json", summary)
    a, b = ((summary.get("bgnbd") or {}).get(key) for key in ("a", "b"))
    dropout = a / (a + b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a + b > 0 else None
    return {"value": table, "value_sentences": value_sentences(table, horizon=horizon, currency=currency,
                                                               entity=entity, dropout=dropout),
            "value_ranking": ranking}
