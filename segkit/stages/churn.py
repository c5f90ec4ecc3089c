"""``08_churn``: who is likely to stop buying, judged on held-out customers, then scored for everyone.

Runs for data kinds with the ``churn`` capability. ``build`` reads ``clean.parquet``; ``score`` writes
``churn.csv`` and ``churn_summary.json``.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..engine import duckdb as ddb
from ..format import format_share, percent_band
from ..plots.explain import churn_evaluation_figure, plot_importance, plot_risk_distribution
from ..report.cards import figure
from ..report.cards import table as shown_table
from . import engine as in_engine
from .context import RunContext
from .handover import features_handed_over

__all__ = ["build", "evaluate", "score", "evaluation_figure", "calibration_table", "importance_figure", "risk_figure"]


def _churn(ctx: RunContext):
    """The kind's churn model (the ``churn`` module a kind with the ``churn`` capability exposes)."""
    return ctx.kind.churn


def build(ctx: RunContext):
    """Features before the cutoff and the outcome after it, from ``clean.parquet`` (measured in DuckDB when the
    run's engine is ``duckdb`` or ``spark``: the lines never come into memory whole; only those of the sampled
    customers when ``02_features`` kept a sample of them). Every customer's features at the last date, which
    :func:`score` scores, are those the run's check built, where it built them (:mod:`segkit.stages.handover`)."""
    p = ctx.params
    engine_churn = getattr(ctx.kind.module, "engine_churn", None)
    if engine_churn is not None and in_engine.engine_of(ctx) != "pandas":  # spark runs too: DuckDB reads clean.parquet
        # 02's table is every customer's features at the default snapshot: read, not built again
        current = ctx.folder.read_parquet("features.parquet") if p.snapshot_date is None else None
        with ddb.session(p) as con:
            return engine_churn(con, in_engine.duckdb_lines(ctx), p, current)
    data = _churn(ctx).churn_dataset(ctx.cleaned(), cutoff=p.churn_cutoff, horizon_days=p.churn_horizon_days)
    if p.snapshot_date is None and features_handed_over(ctx, "08_churn"):  # every customer's, at the last date
        data.current = ctx.folder.read_parquet("features.parquet")  # its attrs say the snapshot, as built
    return data


def evaluate(ctx: RunContext, data):
    """Cross-validate the model (with the search when ``churn_search_iter`` > 0)."""
    p = ctx.params
    evaluation = _churn(ctx).evaluate_churn(data, folds=p.churn_folds, seed=p.seed, search_iter=p.churn_search_iter,
                                            search_folds=p.churn_search_folds)
    return replace(evaluation, entity=ctx.entity, threshold=p.churn_threshold,  # the figures' words: "Days as a member"
                   labels_text={c: ctx.speak(text) for c, text in evaluation.labels_text.items()})


def score(ctx: RunContext, data, evaluation):
    """Refit on every customer at the cutoff, score the customers at the last date.

    Writes ``churn.csv`` (``customer_id``, ``churn_probability``, ``high_risk``) and ``churn_summary.json``.
    """
    p, churn = ctx.params, _churn(ctx)
    clean = ctx.cleaned() if data.current is None else None
    scores = churn.refit_and_score(data, clean, current=data.current, seed=p.seed,
                                   threshold=p.churn_threshold, search_iter=p.churn_search_iter,
                                   search_folds=p.churn_search_folds)
    ctx.folder.write_csv("churn.csv", scores.table)
    ctx.folder.write_json("churn_summary.json", ctx.spoken(churn.churn_summary(data, evaluation, scores)))
    return replace(scores, entity=ctx.entity)


def evaluation_figure(evaluation):
    """ROC, precision-recall and calibration panels (:func:`segkit.plots.explain.churn_evaluation_figure`)."""
    fig = churn_evaluation_figure(evaluation.roc_curve(), evaluation.pr_curve(), evaluation.calibration_table(),
                                  roc_auc=evaluation.roc_auc, pr_auc=evaluation.pr_auc, base_rate=evaluation.base_rate,
                                  entity=evaluation.entity)
    return figure(fig, "Held-out predictions of all folds: ROC curve, precision against recall, and calibration "
                       "(predicted probability against the churn rate observed).")


def calibration_table(evaluation) -> pd.DataFrame:
    """The calibration in plain words: customers grouped by predicted churn risk (tenths), each group's mean
    prediction and the share of it that churned, in percent, and its customers."""
    table = evaluation.calibration_table()
    bands = pd.Index([percent_band(b) for b in table.index], name="Predicted churn risk")
    return shown_table(pd.DataFrame({"Mean predicted risk": [format_share(v) for v in table["mean_predicted"]],
                                     "Churned": [format_share(v) for v in table["observed"]],
                                     "Customers": [f"{int(v):,}" for v in table["count"]]}, index=bands))


def importance_figure(evaluation, *, top: int | None = 15):
    """Bars of the drop in ROC-AUC when each feature is shuffled."""
    ax = plot_importance(evaluation.importance, labels=evaluation.labels_text, top=top,
                         xlabel="Drop in ROC-AUC when the measure is shuffled", title="What the churn model relies on")
    return figure(ax, "Permutation importance: mean drop in ROC-AUC over folds and repeats, with one standard deviation.")


def risk_figure(scores):
    """Histogram of the churn probabilities with the threshold."""
    return figure(plot_risk_distribution(scores.table, threshold=scores.threshold, entity=scores.entity),
                  "Customers by churn probability; red bars are at high risk.")
