"""Explain the segments: how well the features predict them, and which features set each one apart.

A random forest learns to predict each entity's segment from its features (all of them, not only those
that fed the clustering). Two questions follow:

* **Are the segments well separated?** Stratified k-fold cross-validation gives the accuracy and the
  macro-F1 (the mean of the per-segment F1 scores, so a small segment counts as much as a large one),
  with their spread across folds. A macro-F1 below ``min_score`` is reported as a warning: the
  boundaries between segments are fuzzy, and the forest cannot tell some of them apart.
* **What drives each segment?** Permutation importance, measured on held-out rows: the drop in a score
  when one feature's values are shuffled. Overall, the score is the accuracy. Per segment (one against
  the rest), it is the ROC-AUC of the segment's predicted probability against membership of the
  segment: the features whose shuffling most blurs *that* segment from all the others are its drivers.
  All these scores come from the same predictions, so the per-segment importances cost nothing beyond
  the overall ones.

Correlated features share their importance (shuffling one leaves the other to carry the information),
so a feature with a low importance may still differ strongly between segments.

:func:`segment_drivers` is the fast version for the profile report (one split, a smaller forest; a few
seconds on thousands of rows, writes nothing). :func:`explain_segments` does the full cross-validated
analysis (the ``07_explain`` stage, :func:`segkit.stages.explain.analyse`, writes it to ``explain.json``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> table = pd.DataFrame({"spend": np.r_[rng.normal(10, 1, 60), rng.normal(30, 1, 60)],
...                       "noise": rng.normal(0, 1, 120)})
>>> labels = np.repeat([0, 1], 60)
>>> drivers = segment_drivers(table, labels, seed=0)
>>> drivers[1]
'Set apart mostly by higher spend (typically 30.1 vs 19.9 overall).'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from .errors import DataValueError, SegmentationError
from .format import format_value, round_json
from .forest import _MISSING, feature_matrix, forest_jobs, forest_pipeline, stratified_rows
from .forest import permutation_drops as _permutation_drops
from .progress import track

__all__ = [
    "SegmentExplanation", "segment_drivers", "explain_segments", "driver_sentence", "MIN_SCORE", "MAX_ROWS",
]

#: Default macro-F1 below which the segments are reported as not well separated.
MIN_SCORE = 0.8
#: :func:`explain_segments` cross-validates on a stratified sample of at most this many rows: the accuracy
#: of 10,000 held-out predictions is known to within about a point, and the time stays flat as inputs grow.
MAX_ROWS = 10_000
_MORE_FEWER = {"days", "count", "share"}  # units read as "more/fewer ..."; others "higher/lower ..."


def _labels(table: pd.DataFrame, labels) -> np.ndarray:
    if isinstance(labels, pd.Series) and len(labels) == len(table) and labels.index.is_unique \
            and labels.index.isin(table.index).all():
        labels = labels.reindex(table.index)  # align a Series indexed by the entity ids
    y = np.asarray(labels)
    if len(y) != len(table):
        raise DataValueError(f"{len(y):,} segment labels for {len(table):,} rows of features",
                             "pass one label per row of the feature table, in the same order")
    if pd.isna(y).any():
        raise DataValueError("some rows have no segment label",
                             "pass the labels of the final segmentation (every row has a segment)")
    if len(np.unique(y)) < 2:
        raise SegmentationError("there is only one segment, so there is nothing to tell apart",
                                "segment into two or more segments (k)", key="k")
    return y


# ------------------------------------------------------------------------------------------- words
def _phrase(label: str) -> str:
    """'Days since last purchase' -> 'days since last purchase' (acronyms such as 'RFM' kept)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _feature_clause(table: pd.DataFrame, in_seg: np.ndarray, feature: str, label: str, unit: str | None,
                    currency: str) -> str:
    s = table[feature]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        text = s.astype("object").where(s.notna(), _MISSING)
        top = text[in_seg].value_counts()
        if top.empty:
            return _phrase(label)
        level = top.index[0]
        share_seg, share_all = float(top.iloc[0] / in_seg.sum()), float((text == level).mean())
        word = "more often" if share_seg >= share_all else "less often"
        return f"{_phrase(label)}: {word} {level} ({100 * share_seg:.0f}% vs {100 * share_all:.0f}% overall)"
    values = s.astype("float64")
    seg_v, all_v, how = values[in_seg].median(), values.median(), "typically"
    if np.isclose(seg_v, all_v) or pd.isna(seg_v) or pd.isna(all_v):
        seg_v, all_v, how = values[in_seg].mean(), values.mean(), "on average"
    more = seg_v >= all_v
    word = ("more" if more else "fewer") if unit in _MORE_FEWER else ("higher" if more else "lower")
    return (f"{word} {_phrase(label)} ({how} {format_value(seg_v, unit, currency)} vs "
            f"{format_value(all_v, unit, currency)} overall)")


def driver_sentence(table: pd.DataFrame, labels, segment, ranked: Sequence[str], *,
                    labels_text: Mapping[str, str] | None = None, units: Mapping[str, str] | None = None,
                    currency: str = "£") -> str:
    """One sentence naming a segment's drivers, in ranked order, with the segment's typical value.

    Numeric drivers read "more orders (typically 5.0 vs 2.0 overall)": the segment median against the
    overall median (the means when the medians are equal). Categorical drivers name the segment's most
    common level and its share in the segment and overall.
    """
    if not ranked:
        return "No single measure sets this segment apart: the forest cannot tell it well from the others."
    labels_text, units = dict(labels_text or {}), dict(units or {})
    in_seg = np.asarray(labels) == segment
    clauses = [_feature_clause(table, in_seg, f, labels_text.get(f, str(f).replace("_", " ")), units.get(f), currency)
               for f in ranked]
    listed = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return f"Set apart mostly by {listed}."


def _ranked(importance: pd.Series, n_top: int) -> list[str]:
    ranked = importance[importance > 0].sort_values(ascending=False, kind="stable")
    return [str(c) for c in ranked.index[:n_top]]


def segment_drivers(features_table: pd.DataFrame, labels, columns: Sequence[str] | None = None,
                    labels_text: Mapping[str, str] | None = None, seed: int = 0, *,
                    units: Mapping[str, str] | None = None, currency: str = "£", n_top: int = 3,
                    n_repeats: int = 3, n_estimators: int = 100, test_size: float = 0.3,
                    max_rows: int | None = 10_000) -> dict[Any, str]:
    """A "top drivers" sentence for each segment, fast enough for the profile report.

    One stratified split (``test_size`` held out), one forest of ``n_estimators`` trees, and per-segment
    permutation importance on the held-out rows (the drop in that segment's one-against-the-rest ROC-AUC
    when a feature is shuffled, ``n_repeats`` times). Writes nothing. :func:`explain_segments` is the cross-validated
    version.

    Parameters
    ----------
    features_table : DataFrame
        One row per entity (the features Parquet): numeric and categorical columns.
    labels : array-like or Series
        The segment of each row (a Series indexed like the table is aligned to it).
    columns : sequence of str, optional
        The features the forest may use (default: every column of the table).
    labels_text : mapping, optional
        Feature -> plain-language label (e.g. ``FeatureSet.short``).
    seed : int
        Random state of the split, the forest and the shuffles.
    units : mapping, optional
        Feature -> unit ("money", "days", "count", "share") for formatting values.
    max_rows : int, optional
        The forest learns from a stratified sample of at most this many rows (the sentences' typical
        values use every row).

    Returns
    -------
    dict
        Segment label -> sentence, e.g. ``"Set apart mostly by fewer days since last purchase
        (typically 18 days vs 51 days overall), more orders (...) and higher net spend (...)."``
    """
    y_all = _labels(features_table, labels)
    rows = _sample(y_all, max_rows, seed)
    X, y = feature_matrix(features_table, columns).iloc[rows], y_all[rows]
    classes = np.unique(y_all)
    counts = pd.Series(y).value_counts()
    stratify = y if counts.min() >= 2 and int(len(y) * test_size) >= len(classes) else None
    if len(y) >= 10:
        X_fit, X_test, y_fit, y_test = train_test_split(X, y, test_size=test_size, random_state=seed,
                                                        stratify=stratify)
    else:  # too few rows to hold any out: importance on the training rows
        X_fit, X_test, y_fit, y_test = X, X, y, y
    model = forest_pipeline(X, seed=seed, n_estimators=n_estimators, min_samples_leaf=2,
                            n_jobs=forest_jobs(len(y_fit))).fit(X_fit, y_fit)
    _, per_class = _permutation_drops(model, X_test, y_test, classes, n_repeats=n_repeats,
                                      rng=np.random.default_rng(seed))
    importance = pd.DataFrame(per_class.mean(axis=2), index=X.columns, columns=classes)
    return {_plain(seg): driver_sentence(features_table, y_all, seg, _ranked(importance[seg], n_top),
                                         labels_text=labels_text, units=units, currency=currency)
            for seg in classes}


def _sample(y: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray:
    """Row positions of a stratified sample of at most ``max_rows`` rows (all rows when fewer)."""
    return stratified_rows(y, max_rows, seed)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _r(value) -> float | None:
    return round_json(value)


# ------------------------------------------------------------------------------------ full analysis
@dataclass
class SegmentExplanation:
    """The cross-validated explainer: scores per fold, importances overall and per segment, drivers.

    Attributes
    ----------
    scores : DataFrame
        One row per fold: ``accuracy``, ``macro_f1`` and ``rows`` (held-out rows).
    importance : DataFrame
        Index = feature; ``mean`` and ``std`` of the accuracy drop over folds and repeats, largest first.
    segment_importance : DataFrame
        Features x segments: the mean drop in the segment's one-against-the-rest ROC-AUC.
    segment_f1 : Series
        Cross-validated F1 of each segment (from the out-of-fold predictions).
    confusion : DataFrame
        Out-of-fold confusion matrix (rows = true segment, columns = predicted).
    drivers : dict
        Segment -> "top drivers" sentence.
    names : dict
        Segment -> display name ("S01 Champions").
    baseline_accuracy : float
        Accuracy of always predicting the largest segment.
    min_score : float
        Macro-F1 below which the segments are reported as not well separated.
    """

    scores: pd.DataFrame
    importance: pd.DataFrame
    segment_importance: pd.DataFrame
    segment_f1: pd.Series
    confusion: pd.DataFrame
    drivers: dict[Any, str]
    names: dict[Any, str] = field(default_factory=dict)
    labels_text: dict[str, str] = field(default_factory=dict)
    baseline_accuracy: float = float("nan")
    min_score: float = MIN_SCORE
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def accuracy(self) -> tuple[float, float]:
        """Mean and standard deviation of the accuracy across folds."""
        return float(self.scores["accuracy"].mean()), float(self.scores["accuracy"].std(ddof=0))

    @property
    def macro_f1(self) -> tuple[float, float]:
        """Mean and standard deviation of the macro-F1 across folds."""
        return float(self.scores["macro_f1"].mean()), float(self.scores["macro_f1"].std(ddof=0))

    @property
    def well_separated(self) -> bool:
        return self.macro_f1[0] >= self.min_score

    def name(self, segment) -> str:
        return self.names.get(segment, str(segment))

    def summary(self) -> str:
        """The headline sentence, including the warning when the segments are not well separated."""
        (acc, acc_sd), (f1, f1_sd) = self.accuracy, self.macro_f1
        folds = len(self.scores)
        text = (f"A random forest predicts the segment from the features with a cross-validated accuracy of "
                f"{100 * acc:.1f}% ± {100 * acc_sd:.1f} points and a macro-F1 of {f1:.3f} ± {f1_sd:.3f} "
                f"(mean ± standard deviation over {folds} folds; always guessing the largest segment would be "
                f"right {100 * self.baseline_accuracy:.0f}% of the time).")
        if self.well_separated:
            return text + " The segments are well separated: their boundaries can be told from the data."
        worst = self.segment_f1.idxmin()
        return (text + f" Warning: the macro-F1 is below {self.min_score:.2f}, so the segments are not well "
                f"separated; {self.name(worst)} is the hardest to recognise (F1 {self.segment_f1[worst]:.2f}). "
                "Treat the boundaries between segments as fuzzy, or try fewer segments.")

    def scores_table(self) -> pd.DataFrame:
        """Scores per fold, then the mean and standard deviation."""
        table = self.scores.copy()
        table.index = [f"Fold {i + 1}" for i in range(len(table))]
        table.loc["Mean"] = self.scores.mean()
        table.loc["Standard deviation"] = self.scores.std(ddof=0)
        table["rows"] = table["rows"].round(0)
        return table.rename(columns={"accuracy": "Accuracy", "macro_f1": "Macro-F1", "rows": "Held-out rows"})

    def drivers_table(self) -> pd.DataFrame:
        """Segment, its cross-validated F1 and its drivers sentence."""
        return pd.DataFrame({"Segment": [self.name(s) for s in self.drivers],
                             "F1 (one against the rest)": [round(float(self.segment_f1[s]), 3) for s in self.drivers],
                             "Top drivers": list(self.drivers.values())}).set_index("Segment")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (the content of ``explain.json``)."""
        (acc, acc_sd), (f1, f1_sd) = self.accuracy, self.macro_f1
        return {
            "accuracy_mean": _r(acc), "accuracy_std": _r(acc_sd), "macro_f1_mean": _r(f1), "macro_f1_std": _r(f1_sd),
            "baseline_accuracy": _r(self.baseline_accuracy), "folds": len(self.scores),
            "well_separated": bool(self.well_separated), "min_score": self.min_score, "summary": self.summary(),
            "fold_scores": [{k: _r(v) for k, v in row.items()} for row in self.scores.to_dict("records")],
            "importance": [{"feature": str(f), "mean": _r(row["mean"]), "std": _r(row["std"])}
                           for f, row in self.importance.iterrows()],
            "segments": [{"segment": str(s), "name": self.name(s), "f1": _r(self.segment_f1[s]),
                          "drivers": self.drivers[s],
                          "importance": {str(f): _r(v) for f, v in self.segment_importance[s].items()}}
                         for s in self.drivers],
            "settings": self.settings,
        }


def explain_segments(table: pd.DataFrame, labels, *, columns: Sequence[str] | None = None, folds: int = 5,
                     seed: int = 0, n_repeats: int = 3, n_estimators: int = 100, n_top: int = 3,
                     min_score: float = MIN_SCORE, names: Mapping[Any, str] | None = None,
                     labels_text: Mapping[str, str] | None = None, units: Mapping[str, str] | None = None,
                     currency: str = "£", max_rows: int | None = MAX_ROWS) -> SegmentExplanation:
    """Cross-validate a forest that predicts the segment; permutation importance on every held-out fold.

    Parameters
    ----------
    table : DataFrame
        One row per entity; every usable column is a candidate feature (see :func:`feature_matrix`).
    labels : array-like or Series
        The segment of each row.
    folds : int
        Stratified folds (lowered to the size of the smallest segment when that is smaller).
    n_repeats : int
        Shuffles per feature and fold for the permutation importance.
    min_score : float
        Macro-F1 below which :meth:`SegmentExplanation.summary` warns that segments are not well separated.
    names, labels_text, units, currency
        Display names of segments, plain labels and units of features (for sentences and figures).
    max_rows : int, optional
        Cross-validate on a stratified sample of at most this many rows (the sentences' typical values
        use every row).

    Raises
    ------
    SegmentationError
        Only one segment, or a segment with a single member (it cannot be cross-validated).
    """
    y_all = _labels(table, labels)
    rows = _sample(y_all, max_rows, seed)
    X, y = feature_matrix(table, columns).iloc[rows], y_all[rows]
    classes = np.unique(y_all)
    counts = pd.Series(y).value_counts().reindex(classes, fill_value=0)
    if counts.min() < 2:
        small = counts.idxmin()
        name = dict(names or {}).get(_plain(small), small)
        raise SegmentationError(f"segment {name} has a single member, so it cannot be cross-validated",
                                "choose fewer segments (k) so that every segment has at least two members", key="k")
    n_folds = int(min(folds, counts.min()))
    rng = np.random.default_rng(seed)
    cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    oof = np.empty(len(y), dtype=y.dtype)
    rows, overall, per_class = [], [], []
    for train, test in track(cv.split(X, y), total=n_folds, what="fold"):
        model = forest_pipeline(X, seed=seed, n_estimators=n_estimators, min_samples_leaf=2,
                                n_jobs=forest_jobs(len(train)))
        model.fit(X.iloc[train], y[train])
        pred = model.predict(X.iloc[test])
        oof[test] = pred
        rows.append({"accuracy": float(np.mean(pred == y[test])),
                     "macro_f1": float(f1_score(y[test], pred, labels=classes, average="macro", zero_division=0)),
                     "rows": float(len(test))})
        o, p = _permutation_drops(model, X.iloc[test], y[test], classes, n_repeats=n_repeats, rng=rng)
        overall.append(o)
        per_class.append(p)
    overall_all = np.concatenate(overall, axis=1)
    importance = pd.DataFrame({"mean": overall_all.mean(axis=1), "std": overall_all.std(axis=1)}, index=X.columns)
    importance = importance.sort_values("mean", ascending=False, kind="stable")
    seg_imp = pd.DataFrame(np.concatenate(per_class, axis=2).mean(axis=2), index=X.columns,
                           columns=[_plain(c) for c in classes])
    seg_f1 = pd.Series(f1_score(y, oof, labels=classes, average=None, zero_division=0),
                       index=[_plain(c) for c in classes])
    confusion = pd.DataFrame(confusion_matrix(y, oof, labels=classes), index=[_plain(c) for c in classes],
                             columns=[_plain(c) for c in classes])
    drivers = {_plain(seg): driver_sentence(table, y_all, seg, _ranked(seg_imp[_plain(seg)], n_top),
                                            labels_text=labels_text, units=units, currency=currency)
               for seg in classes}
    return SegmentExplanation(
        scores=pd.DataFrame(rows), importance=importance, segment_importance=seg_imp, segment_f1=seg_f1,
        confusion=confusion, drivers=drivers, names=dict(names or {}), labels_text=dict(labels_text or {}),
        baseline_accuracy=float(counts.max() / len(y)), min_score=min_score,
        settings={"folds": n_folds, "n_repeats": n_repeats, "n_estimators": n_estimators, "seed": seed,
                  "features": [str(c) for c in X.columns], "rows": int(len(y)), "rows_in_table": int(len(y_all))})
