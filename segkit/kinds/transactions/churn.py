"""Churn: which customers will stop buying, learned from how customers behaved before a cutoff date.

The set-up (transactions only)
------------------------------
* A **cutoff** date splits the history. Features are :func:`~segkit.kinds.transactions.features.behaviour_features`
  computed from the transactions strictly *before* the cutoff, measured at the cutoff (recency is days
  before the cutoff, spend windows end at it). Nothing dated on or after the cutoff enters them.
* The **outcome** is read from the ``horizon_days`` days from the cutoff on: a customer who places no
  purchase (cancellations do not count) in ``[cutoff, cutoff + horizon)`` has *churned* (label 1).
  The horizon must end within the data, otherwise a customer could look churned for lack of data. By
  default the cutoff is ``horizon_days`` before the day after the last purchase, so the horizon is
  exactly the last ``horizon_days`` days of data.
* The **model** is a random forest with balanced class weights (the two outcomes weigh the same in
  training however rare churn is). Stratified k-fold cross-validation judges it: ROC-AUC (how often a
  churner is ranked above a non-churner) and PR-AUC (average precision; compare it with the churn rate),
  each with its spread across folds, plus a calibration table of the out-of-fold probabilities. An
  optional randomized hyperparameter search runs *inside* each training fold (nested), so the scores
  stay honest.
* Once judged, the model is **refit** on every customer at the cutoff (features before it, outcomes
  after it: all the data up to the last date) and applied to every customer's features measured at the
  last date. Those probabilities, written to ``churn.csv``, estimate who will not buy in the next
  ``horizon_days`` days.

Stage functions for ``08_churn``: :func:`build`, :func:`evaluate`, :func:`score`. For the profile
report: :func:`risk_by_segment` and :func:`segment_risk` (which adds the per-segment numbers to
``churn_summary.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, precision_recall_curve, roc_curve
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold

from ...errors import ColumnError, DataValueError
from ...format import fold_table, format_share, horizon_label, round_json
from ...forest import auc as _auc
from ...forest import feature_matrix, forest_pipeline, shuffled_predictions, stratified_rows
from ...progress import track
from .churn_data import ChurnData, assemble, check_churn, churn_cutoff, churn_dataset, cutoff_day
from .churn_notes import calibration_note, directions, flagged_note, importance_note
from .features import behaviour_features
from .risk_names import named_for_risk, not_by_this_model

__all__ = ["ChurnData", "ChurnEvaluation", "ChurnScores", "FOREST", "MAX_ROWS", "SEARCH_SPACE", "churn_cutoff",
           "cutoff_day", "assemble", "churn_dataset", "check_churn", "fit_churn_model", "evaluate_churn",
           "score_customers", "churn_probability", "risk_by_segment", "risk_sentences", "refit_and_score",
           "churn_summary", "segment_risk"]

#: Settings of the churn forest: balanced classes (both outcomes weigh the same) and leaves of at least 20
#: customers, since the outcome is noisy (the nested search on Online Retail mostly picks leaves of 20-40).
FOREST: dict[str, Any] = {"n_estimators": 100, "min_samples_leaf": 20, "class_weight": "balanced"}
#: The model is judged, and refit, on a sample of at most this many customers at the cutoff, stratified by
#: the outcome (all of them when fewer): the ROC-AUC of 10,000 held-out customers is known to about 0.01,
#: and the time stays flat as inputs grow. Every customer is still scored.
MAX_ROWS = 10_000
#: What the randomized search draws from (step ``forest`` of :func:`~segkit.explain.forest_pipeline`).
SEARCH_SPACE: dict[str, list] = {
    "forest__n_estimators": [100, 200, 300],
    "forest__max_depth": [None, 4, 6, 8, 12, 16],
    "forest__min_samples_leaf": [1, 2, 5, 10, 20, 40],
    "forest__max_features": ["sqrt", 0.3, 0.5, 0.8],
    "forest__max_samples": [None, 0.5, 0.8],
}
_DAY = pd.Timedelta(days=1)


# -------------------------------------------------------------------------------------------- model
def fit_churn_model(X: pd.DataFrame, y, *, seed: int = 0, search_iter: int = 0, search_folds: int = 3):
    """Fit the churn forest on ``X`` (a :func:`~segkit.explain.feature_matrix`), optionally tuned.

    With ``search_iter > 0`` a :class:`~sklearn.model_selection.RandomizedSearchCV` tries that many
    settings from :data:`SEARCH_SPACE` (ROC-AUC over ``search_folds`` stratified folds) and refits
    the best on all of ``X``.

    Returns
    -------
    model : Pipeline
        Fitted; ``predict_proba(X)[:, 1]`` is the churn probability.
    best : dict
        The chosen settings (empty without a search).
    """
    model = forest_pipeline(X, seed=seed, **FOREST)
    y = np.asarray(y)
    if search_iter <= 0:
        return _learned_rate(model.fit(X, y), y), {}
    folds = int(min(search_folds, np.bincount(y).min()))
    search = RandomizedSearchCV(model, SEARCH_SPACE, n_iter=search_iter, scoring="roc_auc", n_jobs=1,
                                cv=StratifiedKFold(folds, shuffle=True, random_state=seed), random_state=seed,
                                refit=True).fit(X, y)
    best = {k.removeprefix("forest__"): v for k, v in search.best_params_.items()}
    return _learned_rate(search.best_estimator_, y), best


def _learned_rate(model, y: np.ndarray):
    """``model`` with the churn rate of the customers it learned from (``churn_rate_``), which
    :func:`churn_probability` corrects its balanced probabilities back to."""
    model.churn_rate_ = float(np.mean(y))
    return model


def churn_probability(model, X: pd.DataFrame, rate: float | None = None) -> np.ndarray:
    """The churn probability of each row of ``X`` from a forest fitted with balanced class weights on customers of
    whom a share ``rate`` churned (default: the model's ``churn_rate_``, which :func:`fit_churn_model` sets): its
    probabilities corrected back to that rate (the prior correction of Saerens,
    Latinne & Decaestecker 2002). Balanced weights count both outcomes as half the customers, which scales a leaf's
    odds of churn by (1 - rate) / rate: at CDNOW's 86% churn rate the forest said 35% where 74% churned. The order
    of the customers, and so ROC-AUC and PR-AUC, is unchanged.

    >>> class Half:
    ...     def predict_proba(self, X): return np.tile([0.5, 0.5], (len(X), 1))
    >>> churn_probability(Half(), pd.DataFrame({"x": [1, 2]}), 0.86).round(2).tolist()
    [0.86, 0.86]
    """
    rate = model.churn_rate_ if rate is None else rate
    p = np.asarray(model.predict_proba(X)[:, 1], dtype=float)
    return p * rate / (p * rate + (1 - p) * (1 - rate))


@dataclass
class ChurnEvaluation:
    """Cross-validated scores of the churn model.

    Attributes
    ----------
    scores : DataFrame
        One row per fold: ``roc_auc``, ``pr_auc``, ``brier``, ``churn_rate`` and ``rows`` of the held-out part.
    probability : Series
        Out-of-fold churn probability of every customer at the cutoff.
    churned : Series
        The outcome.
    importance : DataFrame
        Index = feature; ``mean`` and ``std`` of the drop in ROC-AUC when it is shuffled (held-out folds).
    chosen : list of dict
        The settings the search chose in each fold (empty dicts without a search).
    """

    scores: pd.DataFrame
    probability: pd.Series
    churned: pd.Series
    importance: pd.DataFrame
    chosen: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    labels_text: dict[str, str] = field(default_factory=dict)
    entity: str = "customers"  #: what a row is, in the plural, for the figures
    threshold: float = 0.5  #: the chance from which a customer is at high risk (``churn_threshold``)

    def _ms(self, col: str) -> tuple[float, float]:
        return float(self.scores[col].mean()), float(self.scores[col].std(ddof=0))

    @property
    def roc_auc(self) -> tuple[float, float]:
        """Mean and standard deviation of the ROC-AUC across folds."""
        return self._ms("roc_auc")

    @property
    def pr_auc(self) -> tuple[float, float]:
        """Mean and standard deviation of the PR-AUC (average precision) across folds."""
        return self._ms("pr_auc")

    @property
    def base_rate(self) -> float:
        return float(self.churned.mean())

    def summary(self) -> str:
        (auc, auc_sd), (ap, ap_sd) = self.roc_auc, self.pr_auc
        quality = ("good" if auc >= 0.8 else "useful" if auc >= 0.7 else "weak" if auc >= 0.6 else "hardly better than chance")
        search = (f" Hyperparameters were tuned inside each training fold ({self.settings.get('search_iter')} settings "
                  "tried), so the scores are not inflated by the tuning." if self.settings.get("search_iter") else "")
        rows, total = self.settings.get("rows"), self.settings.get("rows_at_cutoff")
        sampled = (f" (on a sample of {rows:,} of the {total:,} customers, stratified by the outcome)"
                   if rows and total and rows < total else "")
        return (f"Cross-validated over {len(self.scores)} folds{sampled}, the model ranks a churner above a customer who stays "
                f"{100 * auc:.0f}% of the time: ROC-AUC {auc:.3f} ± {auc_sd:.3f} (mean ± standard deviation across "
                f"folds; 0.5 is chance), which is {quality}. Its PR-AUC is {ap:.3f} ± {ap_sd:.3f}, against a churn "
                f"rate of {100 * self.base_rate:.1f}% (what a random ranking would score).{flagged_note(self)}{search}")

    def calibration_note(self, min_customers: int = 30) -> str:
        """The calibration table's verdict (:func:`~.churn_notes.calibration_note`)."""
        return calibration_note(self, min_customers)

    def importance_note(self, top: int = 3) -> str:
        """What the ranking rests on, and which way (:func:`~.churn_notes.importance_note`)."""
        return importance_note(self, top)

    def search_note(self) -> str:
        """What the hyperparameter search did (or that it was off)."""
        n = self.settings.get("search_iter", 0)
        if not n:
            forest = self.settings.get("forest") or FOREST
            return ("No search for better settings of the forest was run (the params ask for none): it has its default "
                    f"settings, {forest['n_estimators']} trees with at least {forest['min_samples_leaf']} customers per "
                    "leaf and balanced class weights. A search of 10 or more settings (churn_search_iter) would run "
                    "inside each training fold, so the scores above would stay honest.")
        picks = "; ".join(f"fold {i + 1}: " + ", ".join(f"{k} {v}" for k, v in c.items()) for i, c in enumerate(self.chosen))
        return (f"A randomized search tried {n} settings in each training fold, scored by ROC-AUC over "
                f"{self.settings.get('search_folds')} inner folds. The settings it chose: {picks}.")

    def scores_table(self) -> pd.DataFrame:
        return fold_table(self.scores, {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "brier": "Brier score",
                                        "churn_rate": "Churn rate", "rows": "Held-out customers"})

    def roc_curve(self) -> pd.DataFrame:
        """The ROC curve of the out-of-fold probabilities (columns ``fpr``, ``tpr``)."""
        fpr, tpr, _ = roc_curve(self.churned, self.probability)
        return pd.DataFrame({"fpr": fpr, "tpr": tpr})

    def pr_curve(self) -> pd.DataFrame:
        """The precision-recall curve of the out-of-fold probabilities (columns ``recall``, ``precision``)."""
        precision, recall, _ = precision_recall_curve(self.churned, self.probability)
        return pd.DataFrame({"recall": recall, "precision": precision})

    def calibration_table(self, n_bins: int = 10) -> pd.DataFrame:
        """Customers binned by predicted probability: mean prediction, observed churn rate and count."""
        bins = np.clip((self.probability.to_numpy() * n_bins).astype(int), 0, n_bins - 1)
        df = pd.DataFrame({"bin": bins, "p": self.probability.to_numpy(), "y": self.churned.to_numpy()})
        out = df.groupby("bin").agg(mean_predicted=("p", "mean"), observed=("y", "mean"), count=("y", "size"))
        out.index = [f"{b / n_bins:.1f}-{(b + 1) / n_bins:.1f}" for b in out.index]
        out.index.name = "predicted"
        return out

    def to_dict(self) -> dict[str, Any]:
        (auc, auc_sd), (ap, ap_sd) = self.roc_auc, self.pr_auc
        return {"folds": len(self.scores), "roc_auc_mean": _r(auc), "roc_auc_std": _r(auc_sd),
                "pr_auc_mean": _r(ap), "pr_auc_std": _r(ap_sd), "brier": _r(self.scores["brier"].mean()),
                "churn_rate": _r(self.base_rate), "summary": self.summary(),
                "fold_scores": [{k: _r(v) for k, v in row.items()} for row in self.scores.to_dict("records")],
                "search": self.settings.get("search_iter", 0) or None, "chosen_per_fold": self.chosen}


_r = round_json


def _json(value):
    return value.item() if isinstance(value, np.generic) else value


def evaluate_churn(data: ChurnData, *, folds: int = 3, seed: int = 0, search_iter: int = 0, search_folds: int = 3,
                   n_repeats: int = 2, max_rows: int | None = MAX_ROWS) -> ChurnEvaluation:
    """Stratified k-fold ROC-AUC, PR-AUC and Brier score of the churn model, with importances.

    Everything that learns (the search too) sees only the training part of each fold. With more than
    ``max_rows`` customers, the folds split a sample of that many, stratified by the outcome.
    """
    from .features import SHORT_LABELS
    sample = stratified_rows(data.churned.to_numpy(), max_rows, seed)
    X, y = feature_matrix(data.features).iloc[sample], data.churned.to_numpy()[sample]
    n_folds = int(min(folds, np.bincount(y).min()))
    if n_folds < 2:
        raise DataValueError("fewer than two customers in one of the outcomes (churned or not), so the model "
                             "cannot be cross-validated", "choose another churn_cutoff or churn_horizon_days",
                             key="churn_cutoff")
    cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    rng = np.random.default_rng(seed)
    oof = np.zeros(len(y))
    rows, chosen, drops = [], [], []
    for train, test in track(cv.split(X, y), total=n_folds, what="fold"):
        model, best = fit_churn_model(X.iloc[train], y[train], seed=seed, search_iter=search_iter,
                                      search_folds=search_folds)
        p = churn_probability(model, X.iloc[test])
        oof[test] = p
        auc = _auc(y[test] == 1, p)
        rows.append({"roc_auc": auc, "pr_auc": average_precision_score(y[test], p),
                     "brier": brier_score_loss(y[test], p), "churn_rate": float(y[test].mean()),
                     "rows": float(len(test))})
        chosen.append({k: _json(v) for k, v in best.items()})
        shuffled = shuffled_predictions(model, X.iloc[test], n_repeats=n_repeats, rng=rng, method="predict_proba")
        drops.append(np.array([[auc - _auc(y[test] == 1, shuffled[j, r, :, 1]) for r in range(n_repeats)]
                               for j in range(X.shape[1])]))
    all_drops = np.concatenate(drops, axis=1)
    importance = pd.DataFrame({"mean": all_drops.mean(axis=1), "std": all_drops.std(axis=1),
                               # the way each measure moves the risk: its rank correlation with the held-out chances
                               "direction": directions(X, oof)},
                              index=X.columns)
    return ChurnEvaluation(
        scores=pd.DataFrame(rows), probability=pd.Series(oof, index=X.index, name="churn_probability"),
        churned=data.churned.iloc[sample], importance=importance.sort_values("mean", ascending=False, kind="stable"),
        labels_text={c: SHORT_LABELS.get(c, c) for c in X.columns},
        chosen=chosen, settings={"folds": n_folds, "seed": seed, "search_iter": search_iter,
                                 "search_folds": search_folds, "forest": dict(FOREST), "rows": int(len(y)),
                                 "rows_at_cutoff": int(len(data.churned))})


# ------------------------------------------------------------------------------------------ scoring
@dataclass
class ChurnScores:
    """Churn probabilities of the current customers, from the model refit on all labelled customers."""

    table: pd.DataFrame
    threshold: float
    scored_at: pd.Timestamp
    trained_on: int
    chosen: dict[str, Any] = field(default_factory=dict)
    at_cutoff: int = 0
    entity: str = "customers"  #: what a row is, in the plural, for the figures
    horizon_days: int = 0  #: the days after ``scored_at`` the probabilities are of (0: not said)
    learned: tuple[pd.Timestamp, pd.Timestamp] | None = None  #: the outcome window the model learned from [start, end)

    @property
    def high_risk(self) -> int:
        return int(self.table["high_risk"].sum())

    def summary(self) -> str:
        p = self.table["churn_probability"]
        if p.empty:
            return "No current customer was scored."
        tuned = (" with the settings the search chose on all of them (" + ", ".join(f"{k} {v}" for k, v in self.chosen.items())
                 + ")") if self.chosen else ""
        who = (f"a sample of {self.trained_on:,} of the {self.at_cutoff:,} customers at the cutoff (stratified by the "
               "outcome)" if self.trained_on < self.at_cutoff else f"all {self.trained_on:,} customers at the cutoff")
        return (f"After judging it, the model was refit{tuned} on {who} "
                f"(features before it and what they did after it: all the data up to the last date), then applied to "
                f"every customer's behaviour measured on {self.scored_at:%d %B %Y}, the day after the last "
                f"purchase. Across {len(p):,} current customers the mean churn probability is {100 * p.mean():.1f}%"
                f"{self._expected(p)}. {self.high_risk:,} ({100 * self.high_risk / len(p):.1f}%) are at high risk "
                f"(probability of {self.threshold:.2f} or more): the ones to turn to first, not a count of who will "
                f"stop (some of them will buy, and some below {self.threshold:.2f} will not).{self._season()}")

    def _expected(self, p: pd.Series) -> str:
        """", so about 1,710 of them are expected to buy nothing from 10 December 2011 to 08 March 2012": the sum of
        the chances, beside a count at high risk that a reader takes for it."""
        if not self.horizon_days:
            return ""
        end = self.scored_at + pd.Timedelta(days=self.horizon_days) - _DAY
        expected = float(p.sum())
        about = f"{round(expected, -1):,.0f}" if expected >= 1_000 else f"{expected:,.0f}"
        return (f", so about {about} of them are expected to buy nothing from {self.scored_at:%d %B %Y} to "
                f"{end:%d %B %Y}")

    def _season(self) -> str:
        """The weeks the model learned from beside those it scores, when they lie elsewhere in the year (not for a
        horizon of a year or more, nor a cutoff a whole number of years back, give or take a week)."""
        if self.learned is None or not self.horizon_days or self.horizon_days >= 365:
            return ""
        start, end = self.learned
        apart = (self.scored_at - start).days % 365
        if min(apart, 365 - apart) <= 7:
            return ""
        return (f" The model learned from what customers did from {start:%d %B %Y} to {end - _DAY:%d %B %Y}; the days "
                "it scores lie elsewhere in the year, and where buying follows the seasons (a holiday peak, a quiet "
                "month) more or fewer customers may buy than in the days it learned from.")


def score_customers(model, features: pd.DataFrame, columns, threshold: float = 0.5) -> pd.DataFrame:
    """Churn probability of each row of ``features`` with a model of :func:`fit_churn_model` fitted on ``columns``
    (:func:`churn_probability`)."""
    X = feature_matrix(features, list(columns))
    p = churn_probability(model, X)
    return pd.DataFrame({"customer_id": features.index.astype(str), "churn_probability": np.round(p, 6),
                         "high_risk": p >= threshold})


def risk_by_segment(churn_df: pd.DataFrame, segments_df: pd.DataFrame, threshold: float = 0.5) -> pd.DataFrame:
    """Mean churn probability and the number of customers at high risk, per segment.

    Parameters
    ----------
    churn_df : DataFrame
        ``churn.csv``: ``customer_id`` and ``churn_probability``.
    segments_df : DataFrame
        ``segments.csv``: the id in its first column, ``segment_code`` and optionally ``segment_name``.
    threshold : float
        Probability at or above which a customer is at high risk.

    Returns
    -------
    DataFrame
        Index ``segment_code`` (in code order); columns ``segment_name``, ``customers`` (in the segment),
        ``scored`` (with a probability), ``mean_risk``, ``high_risk`` (count) and ``high_risk_share``.
    """
    for col in ("customer_id", "churn_probability"):
        if col not in churn_df.columns:
            raise ColumnError(f"the churn table lacks the column {col!r}", "pass the content of artifacts/churn.csv",
                              column=col)
    if "segment_code" not in segments_df.columns:
        raise ColumnError("the segments table lacks the column 'segment_code'",
                          "pass the content of artifacts/segments.csv", column="segment_code")
    seg = segments_df.copy()
    seg["_id"] = seg[seg.columns[0]].astype(str)
    probability = churn_df.assign(_id=churn_df["customer_id"].astype(str)).set_index("_id")["churn_probability"]
    seg["p"] = seg["_id"].map(probability).astype("float64")
    seg["high"] = seg["p"] >= threshold
    if "segment_name" not in seg.columns:
        seg["segment_name"] = ""
    out = seg.groupby("segment_code", sort=True).agg(
        segment_name=("segment_name", "first"), customers=("_id", "size"), scored=("p", "count"),
        mean_risk=("p", "mean"), high_risk=("high", "sum"))
    out["high_risk"] = out["high_risk"].astype("int64")
    out["high_risk_share"] = out["high_risk"] / out["scored"].where(out["scored"] > 0)
    return out


def risk_sentences(table: pd.DataFrame, threshold: float = 0.5) -> dict[str, str]:
    """Segment code -> "Churn risk (next 90 days) 34% on average; 120 of 480 customers scored (25%) at high risk
    (probability 0.50 or more).": counted among the customers the model scored, which are a sample when the run
    segmented one; the horizon from ``table.attrs["horizon_days"]`` (:func:`segment_risk`), when it is known."""
    out = {}
    days = table.attrs.get("horizon_days")
    risk = horizon_label("Churn risk", days)
    for code, row in table.iterrows():
        if row["scored"] > 0:
            n, scored = int(row["high_risk"]), int(row["scored"])
            share = format_share(row["high_risk_share"] or 0)
            out[str(code)] = (f"{risk} {format_share(row['mean_risk'])} on average; {n:,} of {scored:,} customer"
                              f"{'' if scored == 1 else 's'} scored ({share}) at high risk (probability "
                              f"{threshold:.2f} or more).")
    # the run page's word on a segment named for risk that the model does not find the most at risk, on its card too
    scored = {str(code): {"name": row.get("segment_name") or "", "high_risk_share": float(row["high_risk_share"])}
              for code, row in table.iterrows() if row["scored"] > 0}
    for code, (c, top) in named_for_risk(scored).items():  # its own share is the sentence's before
        out[code] += " " + not_by_this_model(scored[code]["name"], f"{c} {top['name']}", top["high_risk_share"])
    return out


# ------------------------------------------------------------------------------- refit and scoring
def refit_and_score(data: ChurnData, clean: pd.DataFrame | None = None, *, seed: int, threshold: float,
                    search_iter: int = 0, search_folds: int = 3, current: pd.DataFrame | None = None) -> ChurnScores:
    """Refit on the customers at the cutoff (a stratified sample of :data:`MAX_ROWS` when there are more), then
    score every customer's behaviour at the last date: their
    :func:`~segkit.kinds.transactions.features.behaviour_features` from the cleaned lines ``clean``, or
    ``current`` when they were built already (by an engine, or by the run's check: ``ChurnData.current``)."""
    sample = stratified_rows(data.churned.to_numpy(), MAX_ROWS, seed)
    X = feature_matrix(data.features).iloc[sample]
    model, best = fit_churn_model(X, data.churned.iloc[sample], seed=seed, search_iter=search_iter,
                                  search_folds=search_folds)
    current = behaviour_features(clean) if current is None else current
    table = score_customers(model, current, X.columns, threshold)
    return ChurnScores(table=table, threshold=threshold, scored_at=pd.Timestamp(current.attrs["snapshot_date"]),
                       trained_on=len(X), chosen={k: _json(v) for k, v in best.items()}, at_cutoff=len(data.churned),
                       horizon_days=data.horizon_days, learned=(data.cutoff, data.horizon_end))


def churn_summary(data: ChurnData, evaluation: ChurnEvaluation, scores: ChurnScores) -> dict[str, Any]:
    """The content of ``churn_summary.json`` (``segments`` is filled in once the segments exist)."""
    table = scores.table
    return {
        "cutoff": f"{data.cutoff:%Y-%m-%d}", "horizon_days": data.horizon_days,
        "horizon_last_day": f"{data.horizon_end - _DAY:%Y-%m-%d}", "customers_at_cutoff": int(len(data.features)),
        "churn_rate": _r(data.rate), **{k: v for k, v in evaluation.to_dict().items() if k != "summary"},
        "evaluation": evaluation.summary(), "scored_at": f"{scores.scored_at:%Y-%m-%d}",
        "customers_scored": int(len(table)), "mean_probability": _r(table["churn_probability"].mean()),
        "threshold": scores.threshold, "high_risk": scores.high_risk,
        "high_risk_share": _r(scores.high_risk / max(len(table), 1)), "final_model": scores.chosen or dict(FOREST),
        "scoring": scores.summary(), "segments": [],
    }


def segment_risk(folder, threshold: float, segments_df: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Churn risk per segment from a run folder's ``churn.csv``, also written into ``churn_summary.json``.

    Returns None when the run has no churn scores (``08_churn`` not run).
    """
    if not (folder.has("churn.csv") and folder.has("churn_summary.json")):
        return None
    summary = folder.read_json("churn_summary.json")
    if segments_df is None:
        segments_df = folder.read_csv("segments.csv", dtype=str)
    churn_df = pd.read_csv(folder.artifact("churn.csv"), dtype={"customer_id": str})
    table = risk_by_segment(churn_df, segments_df, summary.get("threshold", threshold))
    summary["segments"] = [
        {"code": str(code), "name": str(row["segment_name"]), "customers": int(row["customers"]),
         "scored": int(row["scored"]), "mean_risk": None if pd.isna(row["mean_risk"]) else _r(row["mean_risk"]),
         "high_risk": int(row["high_risk"]),
         "high_risk_share": None if pd.isna(row["high_risk_share"]) else _r(row["high_risk_share"])}
        for code, row in table.iterrows()]
    folder.write_json("churn_summary.json", summary)
    table.attrs["threshold"] = threshold
    table.attrs["horizon_days"] = summary.get("horizon_days")
    return table
