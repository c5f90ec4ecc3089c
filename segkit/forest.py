"""The random forest that the explainer and the churn model share: the feature matrix, the pipeline,
and permutation importance computed from stacked shuffled copies (one predict call per chunk).

The forest grows its trees on every core (:class:`ThreadedForest`: the trees are the same with one thread or
many) and predicts on every core by splitting the rows, adding each row's tree predictions up in tree order, so
the results do not change in the last digits from run to run; the ROC-AUCs of the permutation importance are
computed from ranks (:func:`auc`) instead of hundreds of validated ``roc_auc_score`` calls.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from scipy.stats import rankdata
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from .errors import ColumnError

__all__ = ["feature_matrix", "forest_pipeline", "shuffled_predictions", "auc", "ovr_auc", "permutation_drops",
           "ThreadedForest", "stratified_rows", "threads", "MAX_LEVELS"]

#: Categorical features keep at most this many levels (the rarest are grouped) in the forest.
MAX_LEVELS = 30
_MISSING = "(missing)"
_STACK_CELLS = 4_000_000  # values stacked into one predict call by shuffled_predictions (about 32 MB)


def feature_matrix(table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The columns of ``table`` a forest can use, as numbers (float) or categories (text).

    Numeric and boolean columns become float (missing values stay missing; the pipeline imputes them);
    text and category columns become text with missing values as ``"(missing)"``; datetime columns
    become days since the earliest date. Columns with no value at all are left out.

    Raises
    ------
    ColumnError
        ``columns`` names a column that is not in ``table``, or no usable column is left.
    """
    columns = list(table.columns if columns is None else columns)
    absent = [c for c in columns if c not in table.columns]
    if absent:
        noun = "column" if len(absent) == 1 else "columns"
        raise ColumnError(f"feature {noun} not in the table: {', '.join(map(str, absent))}",
                          f"choose from: {', '.join(map(str, table.columns))}", column=str(absent[0]))
    out = {}
    for c in columns:
        s = table[c]
        if s.isna().all():
            continue
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[c] = s.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[c] = ((s - s.min()).dt.total_seconds() / 86400.0).astype("float64")
        else:
            out[c] = s.astype("object").where(s.notna(), _MISSING).astype(str).astype(object)
    if not out:
        raise ColumnError("no usable feature column for the explainer (every column is empty)",
                          "check the features step: the feature table has no values")
    return pd.DataFrame(out, index=table.index)


def _categorical(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if X[c].dtype == object]


class ThreadedForest(RandomForestClassifier):
    """A random forest that grows its trees on ``n_jobs`` threads and predicts on ``n_jobs`` threads by rows.

    Growing gives the same trees with any number of threads (each tree has its own seed). scikit-learn
    predicts on several threads by trees, adding their probabilities up in the order the threads finish,
    which changes the last digits of the results from run to run; here each thread predicts a block of rows
    with every tree in tree order, so the results are those of one thread, bit for bit.

    The trees are also made without ``clone``: scikit-learn clones the template tree and sets its
    parameters and seed through ``get_params``, which reads each class's signature every time (about half
    a millisecond per tree, on the main thread, before any tree grows). :meth:`_make_estimator` builds the
    same trees with the same seeds directly; ``tests/test_forest.py`` checks that they equal scikit-learn's.
    """

    def _make_estimator(self, append=True, random_state=None):
        template = self.estimator_
        params = {**_defaults(type(template)), **{p: getattr(self, p) for p in self.estimator_params}}
        if random_state is not None:  # as scikit-learn's ``_set_random_states``: a tree has one random_state
            params["random_state"] = random_state.randint(np.iinfo(np.int32).max)
        tree = type(template)(**params)
        if append:
            self.estimators_.append(tree)
        return tree

    def predict_proba(self, X):
        rows = X.shape[0]
        threads = min(effective_n_jobs(self.n_jobs), rows // _ROWS_PER_THREAD)
        jobs, self.n_jobs = self.n_jobs, 1
        try:
            if threads <= 1:
                return super().predict_proba(X)
            cuts = np.linspace(0, rows, threads + 1).astype(int)
            blocks = [X.iloc[a:b] if hasattr(X, "iloc") else X[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
            with ThreadPoolExecutor(threads) as pool:
                return np.concatenate(list(pool.map(super().predict_proba, blocks)))
        finally:
            self.n_jobs = jobs


_ROWS_PER_THREAD = 1_000  # fewer rows are predicted on one thread: starting threads costs more


@lru_cache(maxsize=None)
def _defaults(tree_class: type) -> dict[str, Any]:
    """The constructor's default parameters of a tree class (the forest's template tree has them)."""
    return tree_class().get_params(deep=False)


def threads() -> int:
    """The threads a forest grows and predicts on: every core (-1), or ``OMP_NUM_THREADS`` when it is set. A batch sets
    it to 1 for each kernel (:func:`segkit.report.batch.kernel_environment`): two notebooks run side by side on two
    cores, so a second thread in one kernel only takes turns with the other kernel, and its hand-offs cost CPU (the
    explainer of ``05_profile`` and the churn model of ``08_churn`` took 12% and 20% more CPU seconds on two threads
    than on one, for the same trees: ``bench/README.md``)."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else -1


def forest_pipeline(X: pd.DataFrame, *, seed: int = 0, **forest: Any) -> Pipeline:
    """An unfitted pipeline for :func:`feature_matrix` output: imputation, category codes, random forest.

    Numeric columns get median imputation; categorical columns ordinal codes (levels beyond
    :data:`MAX_LEVELS` grouped, unseen levels coded -1). ``forest`` is passed to
    :class:`ThreadedForest` (default 100 trees, grown on :func:`threads` threads).
    """
    cats = _categorical(X)
    nums = [c for c in X.columns if c not in cats]
    parts = []
    if nums:
        parts.append(("num", SimpleImputer(strategy="median", keep_empty_features=True), nums))
    if cats:
        parts.append(("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                            max_categories=MAX_LEVELS), cats))
    settings = {"n_estimators": 100, "n_jobs": threads(), **forest, "random_state": seed}
    return Pipeline([("prepare", ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)),
                     ("forest", ThreadedForest(**settings))])


def shuffled_predictions(model, X: pd.DataFrame, *, n_repeats: int, rng: np.random.Generator,
                         method: str = "predict") -> np.ndarray:
    """Predictions of ``model`` (a :func:`forest_pipeline`) with each feature of ``X`` shuffled in turn.

    The rows are prepared once, every (feature, repeat) copy with one column permuted is stacked, and
    the forest predicts them all in one call (far faster than one call per copy). Returns an array of
    shape (features, repeats, rows) for ``predict`` or (features, repeats, rows, classes) for
    ``predict_proba``.
    """
    prepare, forest = model[:-1], model[-1]
    Xt = np.asarray(prepare.transform(X), dtype=float)
    names = list(prepare.get_feature_names_out())
    n, n_features = Xt.shape[0], X.shape[1]
    per_call = max(1, _STACK_CELLS // max(1, n * n_repeats * Xt.shape[1]))  # features per predict call
    parts = []
    for first in range(0, n_features, per_call):
        chunk = list(X.columns[first:first + per_call])
        stacked = np.tile(Xt, (len(chunk) * n_repeats, 1))
        for j, col in enumerate(chunk):
            k = names.index(str(col))
            for r in range(n_repeats):
                block = (j * n_repeats + r) * n
                stacked[block:block + n, k] = Xt[rng.permutation(n), k]
        parts.append(getattr(forest, method)(stacked))
    out = np.concatenate(parts)
    return out.reshape((n_features, n_repeats, n) + out.shape[1:])


def stratified_rows(y: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded sample of at most ``max_rows`` rows, stratified by ``y`` (all rows
    when there are fewer; a plain random sample when a class has a single row)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    if max_rows is None or len(y) <= max_rows:
        return idx
    stratify = y if pd.Series(y).value_counts().min() >= 2 else None
    return np.sort(train_test_split(idx, train_size=max_rows, stratify=stratify, random_state=seed)[0])


def auc(positive: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC of ``score`` for the boolean ``positive``: the Mann-Whitney statistic from average ranks.

    The same value as :func:`sklearn.metrics.roc_auc_score` (ties count half), without its input
    validation, which dominates when it is called for every shuffled feature. nan when one class is absent.
    """
    return _auc_from_ranks(np.asarray(positive, dtype=bool), rankdata(score))


def _auc_from_ranks(positive: np.ndarray, ranks: np.ndarray) -> float:
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ovr_auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """ROC-AUC of each class's probability against membership of that class (nan when undefined): :func:`auc`
    for each column, with the columns ranked in one call."""
    ranks = rankdata(proba, axis=0)
    return np.array([_auc_from_ranks(y == c, ranks[:, i]) for i, c in enumerate(classes)], dtype=float)


def permutation_drops(model, X: pd.DataFrame, y: np.ndarray, classes: np.ndarray, *, n_repeats: int,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Drops in accuracy (features x repeats) and in each segment's one-against-the-rest ROC-AUC
    (features x segments x repeats) when each feature is shuffled."""
    known = list(model.classes_)
    columns = [known.index(c) if c in known else None for c in classes]  # predict_proba in ``classes`` order

    def aligned(p: np.ndarray) -> np.ndarray:
        return np.stack([p[..., i] if i is not None else np.zeros(p.shape[:-1]) for i in columns], axis=-1)

    base_p = aligned(model.predict_proba(X))
    base_acc = float(np.mean(classes[base_p.argmax(axis=1)] == y))
    base_auc = ovr_auc(y, base_p, classes)
    proba = aligned(shuffled_predictions(model, X, n_repeats=n_repeats, rng=rng, method="predict_proba"))
    overall = np.zeros((X.shape[1], n_repeats))
    per_class = np.zeros((X.shape[1], len(classes), n_repeats))
    for j in range(X.shape[1]):
        for r in range(n_repeats):
            p = proba[j, r]
            overall[j, r] = base_acc - float(np.mean(classes[p.argmax(axis=1)] == y))
            per_class[j, :, r] = np.nan_to_num(base_auc - ovr_auc(y, p, classes))
    return overall, per_class
