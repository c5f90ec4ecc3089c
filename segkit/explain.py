"""Explain the segments: how well the features predict them, and which features set each one apart.

A random forest learns to predict each entity's segment from its features (all of them, not only those
that fed the clustering). Two questions follow:

* **Are the segments well separated?** Stratified k-fold cross-validation gives the accuracy and the
  macro-F1 (the mean of the per-segment F1 scores, so a small segment counts as much as a large one),
  with their spread across folds, and the out-of-fold confusion matrix (which segments get mixed up).
  A macro-F1 below ``min_score`` is reported as a warning.
* **What drives each segment?** Permutation importance, measured on held-out rows: the drop in a score
  when one feature's values are shuffled. Overall, the score is the accuracy. Per segment (one against
  the rest), it is the ROC-AUC of the segment's predicted probability against membership of the
  segment: the features whose shuffling most blurs *that* segment from all the others are its drivers.
  All these scores come from the same predictions, so the per-segment importances cost nothing beyond
  the overall ones.

Correlated features share their importance (shuffling one leaves the other to carry the information),
so a segment the forest recognises well may have no single decisive feature: its sentence then names
the measures it differs most in. Segments with fewer than :data:`~segkit.separability.MIN_MEMBERS`
members are left out of the forest with a note (and described from their values alone).

:func:`explain_segments` is the one computation of this in a run (``05_profile`` writes it to
``explain.json``; the cards, the index and ``07_explain`` read it: :mod:`segkit.separability`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> table = pd.DataFrame({"spend": np.r_[rng.normal(10, 1, 60), rng.normal(30, 1, 60)],
...                       "noise": rng.normal(0, 1, 120)})
>>> labels = np.repeat([0, 1], 60)
>>> explain_segments(table, labels, folds=3, seed=0).drivers[1]
'Set apart mostly by higher spend (typically 30.1 vs 19.9 overall).'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold

from .drivers import _aligned, _Sentences, driver_sentence
from .errors import DataValueError, SegmentationError
from .forest import feature_matrix, forest_pipeline, stratified_rows
from .forest import permutation_drops as _permutation_drops
from .progress import track
from .separability import MIN_MEMBERS, MIN_SCORE, SegmentExplanation

__all__ = ["SegmentExplanation", "explain_segments", "driver_sentence", "MIN_SCORE", "MAX_ROWS"]

#: :func:`explain_segments` cross-validates on a stratified sample of at most this many rows: the accuracy
#: of 10,000 held-out predictions is known to within about a point, and the time stays flat as inputs grow.
MAX_ROWS = 10_000
#: A segment the model recognises with at least this F1 is set apart, even when no one measure is needed for it.
DISTINCT_F1 = 0.9


def _labels(table: pd.DataFrame, labels) -> np.ndarray:
    y = np.asarray(_aligned(table, labels))
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


#: A measure drives a segment when shuffling it blurs the segment by at least this share of what its strongest
#: driver does: the Mall's "set apart mostly by younger age and a higher share of women" named gender at 0.003 beside
#: age at 0.268, 1% of it (the sentence goes down the ranking past the measures the segment does not visibly differ
#: in). A measure another one mostly stands in for still counts: NHEFS-like sex at 8% of age's, all of one sex.
MIN_DRIVER_SHARE = 0.05


def ranked_drivers(importance: pd.Series) -> list[str]:
    """The segment's drivers, strongest first: the measures whose shuffling blurs it, by at least
    :data:`MIN_DRIVER_SHARE` of the strongest."""
    top = importance.max() if len(importance) else 0.0
    ranked = importance[(importance > 0) & (importance >= MIN_DRIVER_SHARE * top)]
    return [str(c) for c in ranked.sort_values(ascending=False, kind="stable").index]


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------------------------ full analysis
def _cross_validate(X: pd.DataFrame, y: np.ndarray, classes: list, *, folds: int, seed: int, n_repeats: int,
                    n_estimators: int) -> dict[str, Any]:
    """Stratified k-fold forests on ``X``, ``y`` (every class has at least two rows): scores per fold,
    out-of-fold predictions and the permutation drops on each held-out fold."""
    n_folds = int(min(folds, pd.Series(y).value_counts().min()))
    rng = np.random.default_rng(seed)
    cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    oof = np.empty(len(y), dtype=y.dtype)
    rows, overall, per_class = [], [], []
    labels = np.asarray(classes, dtype=y.dtype)
    for train, test in track(cv.split(X, y), total=n_folds, what="fold"):
        model = forest_pipeline(X, seed=seed, n_estimators=n_estimators, min_samples_leaf=2)
        model.fit(X.iloc[train], y[train])
        pred = model.predict(X.iloc[test])
        oof[test] = pred
        rows.append({"accuracy": float(np.mean(pred == y[test])),
                     "macro_f1": float(f1_score(y[test], pred, labels=labels, average="macro", zero_division=0)),
                     "rows": float(len(test))})
        o, p = _permutation_drops(model, X.iloc[test], y[test], labels, n_repeats=n_repeats, rng=rng)
        overall.append(o)
        per_class.append(p)
    overall_all = np.concatenate(overall, axis=1)
    importance = pd.DataFrame({"mean": overall_all.mean(axis=1), "std": overall_all.std(axis=1)}, index=X.columns)
    return {
        "scores": pd.DataFrame(rows), "folds": n_folds,
        "importance": importance.sort_values("mean", ascending=False, kind="stable"),
        "segment_importance": pd.DataFrame(np.concatenate(per_class, axis=2).mean(axis=2), index=X.columns,
                                           columns=classes),
        "segment_f1": pd.Series(f1_score(y, oof, labels=labels, average=None, zero_division=0), index=classes),
        "confusion": pd.DataFrame(confusion_matrix(y, oof, labels=labels), index=classes, columns=classes),
    }


def _not_measured(X: pd.DataFrame) -> dict[str, Any]:
    """The empty result when fewer than two segments can be cross-validated."""
    return {"scores": pd.DataFrame(columns=["accuracy", "macro_f1", "rows"], dtype=float), "folds": 0,
            "importance": pd.DataFrame(columns=["mean", "std"], dtype=float),
            "segment_importance": pd.DataFrame(index=X.columns, dtype=float), "segment_f1": pd.Series(dtype=float),
            "confusion": pd.DataFrame(dtype=int)}


def explain_segments(table: pd.DataFrame, labels, *, columns: Sequence[str] | None = None, folds: int = 3,
                     seed: int = 0, n_repeats: int = 3, n_estimators: int = 100, n_top: int = 3,
                     min_score: float = MIN_SCORE, names: Mapping[Any, str] | None = None,
                     codes: Mapping[Any, str] | None = None, labels_text: Mapping[str, str] | None = None,
                     units: Mapping[str, str] | None = None, currency: str = "£", max_rows: int | None = MAX_ROWS,
                     structure: str | None = None, described: pd.DataFrame | None = None,
                     per: str | None = None, entity: str | None = None,
                     coded: Collection[str] = ()) -> SegmentExplanation:
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
    names, codes, labels_text, units, currency
        Display names and codes of segments, plain labels and units of features (for sentences and figures).
    max_rows : int, optional
        Cross-validate on a stratified sample of at most this many rows (the sentences' typical values
        use every row).
    structure : str, optional
        The natural structure ``03_select_k`` found, so that the verdict speaks in its terms.
    described : DataFrame, optional
        The values the sentences describe, row for row with ``table`` (default: ``table``): the run leaves out
        what the features step filled in, as the profile does.
    per : str, optional
        What a row is ("area") where a row is not a person: the sentences then compare "the typical area" and "the
        average area" (see :func:`~segkit.drivers.driver_sentence`).
    entity : str, optional
        What a row is, in the plural ("customers"): the cards and the index say the model placed customers "it had
        not seen" (default "rows").
    coded : collection of str, optional
        Category columns whose levels are codes, said as written (a sex coded 0/1 reads "sex: more often 1"); the
        levels of any other 0/1 or true/false column read yes and no.

    Returns
    -------
    SegmentExplanation
        Segments with fewer than :data:`~segkit.separability.MIN_MEMBERS` rows in the sample are left out
        of the forest (``left_out``) and described from their values; with fewer than two segments left
        nothing is cross-validated (``measured`` is False). Neither raises.

    Raises
    ------
    SegmentationError
        Only one segment.
    """
    y_all = _labels(table, labels)
    rows = stratified_rows(y_all, max_rows, seed)
    X, y = feature_matrix(table, columns).iloc[rows], y_all[rows]
    classes = [_plain(c) for c in np.unique(y_all)]
    counts = pd.Series(y).value_counts()
    counts.index = [_plain(c) for c in counts.index]
    counts = counts.reindex(classes, fill_value=0)
    left_out = {c: int(np.sum(y_all == c)) for c in classes if counts[c] < MIN_MEMBERS}
    kept = [c for c in classes if c not in left_out]
    keep = np.isin(y, kept)
    result = (_cross_validate(X[keep], y[keep], kept, folds=folds, seed=seed, n_repeats=n_repeats,
                              n_estimators=n_estimators) if len(kept) >= 2 else _not_measured(X))
    seg_imp = result["segment_importance"]
    words = _Sentences(table if described is None else described, y_all, labels_text=labels_text, units=units,
                       currency=currency, n_top=n_top, per=per, coded=coded, entity=entity)
    f1 = result["segment_f1"]
    drivers = {seg: words.sentence(seg, ranked_drivers(seg_imp[seg]) if seg in seg_imp.columns else None,
                                   distinct=bool(f1.get(seg, 0.0) >= DISTINCT_F1)) for seg in classes}
    return SegmentExplanation(
        scores=result["scores"], importance=result["importance"], segment_importance=seg_imp,
        segment_f1=result["segment_f1"], confusion=result["confusion"], drivers=drivers, names=dict(names or {}),
        codes=dict(codes or {}), labels_text=dict(labels_text or {}),
        baseline_accuracy=float(counts[kept].max() / counts[kept].sum()) if kept else float("nan"),
        min_score=min_score, left_out=left_out, structure=structure,
        settings={"folds": result["folds"], "folds_asked": folds, "n_repeats": n_repeats, "n_estimators": n_estimators,
                  "seed": seed, "per": per, "entity": entity, "features": [str(c) for c in X.columns],
                  "rows": int(keep.sum()), "rows_in_table": int(len(y_all))})
