"""``10_value``: what each customer is worth, checked on a holdout period, then per segment in ``05_profile``.

Runs for data kinds with the ``value`` capability (the kind's ``lifetime`` module, see
:mod:`segkit.kinds.transactions.lifetime`). ``build`` reads ``clean.parquet``; ``check`` fits on the
calibration period and predicts the holdout; ``score`` refits on the whole history and writes ``value.csv``
and ``value_summary.json``; ``churn_comparison`` reads ``churn.csv`` when ``08_churn`` ran. For
``05_profile``: :func:`ranking_note` and :func:`segment_table` (from what the kind's ``after_segment`` added).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..format import horizon_label, in_currency
from ..engine import duckdb as ddb
from ..plots.value import plot_holdout
from ..report.cards import figure, html_block, note, note_html, table
from . import engine as in_engine
from .context import RunContext

__all__ = ["build", "check", "score", "plot_holdout", "holdout_figure", "notes", "churn_comparison", "churn_note",
           "churn_table", "holdout_table", "ranking_note", "segment_table"]


def _lifetime(ctx: RunContext):
    """The kind's lifetime-value module (the ``lifetime`` module a kind with the ``value`` capability exposes)."""
    return ctx.kind.lifetime


def build(ctx: RunContext):
    """Calibration and full CLV summaries of the purchases in ``clean.parquet`` (summed per customer and day in
    DuckDB when the run's engine is ``duckdb`` or ``spark``; only the sampled customers' when ``02_features`` kept
    a sample of them)."""
    p = ctx.params
    engine_value = getattr(ctx.kind.module, "engine_value", None)
    if engine_value is not None and in_engine.engine_of(ctx) != "pandas":  # spark runs too: DuckDB reads clean.parquet
        with ddb.session(p) as con:
            return engine_value(con, in_engine.duckdb_lines(ctx), p)
    return _lifetime(ctx).value_data(ctx.cleaned(), calibration_end=p.clv_calibration_end,
                                     churn_cutoff=p.churn_cutoff, churn_horizon_days=p.churn_horizon_days)


def check(ctx: RunContext, data):
    """Fit BG/NBD on the calibration period and compare its holdout predictions with the actual purchases."""
    return replace(_lifetime(ctx).check_holdout(data, seed=ctx.params.seed), entity=ctx.entity)


def score(ctx: RunContext, data, holdout):
    """Refit both models on the whole history and forecast every customer.

    Writes ``value.csv`` (``customer_id``, ``expected_purchases``, ``p_alive``, ``expected_value``, ``clv``,
    ``kept_share``) and ``value_summary.json``.
    """
    p, lifetime = ctx.params, _lifetime(ctx)
    fit = lifetime.fit_value(data, horizon=p.clv_horizon_months, margin=p.clv_margin,
                             discount_rate=p.clv_discount_rate, seed=p.seed)
    ctx.folder.write_csv("value.csv", fit.table())
    ctx.folder.write_json("value_summary.json", ctx.spoken(lifetime.value_summary(data, holdout, fit, p.currency)))
    return fit


def holdout_figure(holdout):
    """The paper's conditional-expectation check as a captioned figure."""
    return figure(plot_holdout(holdout.holdout.by_frequency, entity=holdout.entity, periods=holdout.periods()),
                  f"Customers grouped by their repeat purchases in the calibration period: the purchases they made in "
                  f"the {holdout.holdout_days} days after it, against what the model fitted on the calibration period "
                  "predicted.")


def notes(holdout, fit):
    """The caveats of the fits (fits that stopped early, season, drop-out, the value assumption when it fails), one
    warning each; then the assumptions checked and found to hold, as plain notes."""
    return html_block("".join(note_html(text, kind="warn") for text in holdout.notes + fit.notes)
                      + "".join(note_html(text) for text in fit.checked))


def churn_comparison(ctx: RunContext, fit):
    """P(alive) against the churn risk of ``churn.csv`` (added to ``value_summary.json``); None without churn scores."""
    if not ctx.folder.has("churn.csv"):
        return None
    churn_df = pd.read_csv(ctx.folder.artifact("churn.csv"), dtype={"customer_id": str})
    days = (ctx.folder.read_json("churn_summary.json") if ctx.folder.has("churn_summary.json") else {}).get(
        "horizon_days")
    relation = _lifetime(ctx).churn_relation(fit.per_customer, churn_df, horizon=fit.horizon, churn_days=days)
    summary = ctx.folder.read_json("value_summary.json")
    summary["churn"] = ctx.spoken(relation.to_dict())
    ctx.folder.write_json("value_summary.json", summary)
    return relation


def churn_note(relation):
    """The comparison in a sentence (None without churn scores)."""
    return None if relation is None else note(relation.summary())


def churn_table(ctx: RunContext, relation):
    """Customers by churn risk band: mean risk, P(alive), expected purchases and value in the run's currency (None
    without churn scores)."""
    if relation is None:
        return None
    clv = in_currency("Mean CLV", ctx.params.currency)
    risk = horizon_label("Mean churn risk", relation.churn_days)  # as churn_relation heads it
    return table(relation.table.rename(columns={"Mean CLV": clv}), percent=[risk, _lifetime(ctx).ALIVE],
                 whole=["Customers", clv], aligned=[f"Expected purchases ({relation.horizon} months)"])


def holdout_table(holdout):
    """Predicted against actual purchases in the holdout, by repeat purchases in the calibration period."""
    return table(holdout.table(), whole=["Customers"], aligned=["Actual (mean)", "Predicted (mean)"])


def ranking_note(seg):
    """The executive-summary sentence ranking the segments by expected value (None when no value was computed)."""
    text = seg.extra.get("value_ranking")
    return None if not text else note(text)


def segment_table(seg):
    """Customers and expected value (total, mean, share) per segment, largest value first. Not the mean P(alive):
    beside the profile page's churn risk it read "over 99.9%" for the Lost customers, of whom 99% were at high risk
    (BG/NBD gives everyone who bought once a P(alive) of 1); ``10_value`` shows it with the churn risk and says why."""
    values = seg.extra.get("value")
    if values is None:
        return None
    total, mean = in_currency("Expected value", seg.currency), in_currency("Per customer", seg.currency)
    out = pd.DataFrame({
        "Segment": values["segment_name"], "Customers": values["customers"],
        "Share of customers": values["customer_share"], total: values["clv_total"], mean: values["clv_mean"],
        "Share of expected value": values["clv_share"]}).rename_axis("Code")
    return table(out, percent=["Share of customers", "Share of expected value"],
                 whole=["Customers", total, mean])
