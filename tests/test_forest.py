"""The shared forest grows its trees on every core and predicts on every core by rows, adding up in tree order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from segkit.forest import ThreadedForest


def _data(n: int = 3000, seed: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.8, size=n) > 0.4).astype(int)
    return X, y


def test_threaded_forest_gives_exactly_the_one_thread_forests_probabilities():
    X, y = _data()
    threaded = ThreadedForest(n_estimators=60, n_jobs=2, random_state=7).fit(X[:2000], y[:2000])
    single = RandomForestClassifier(n_estimators=60, n_jobs=1, random_state=7).fit(X[:2000], y[:2000])
    # bit for bit: the same trees, and their probabilities added up in the same order
    assert np.array_equal(threaded.predict_proba(X[2000:]), single.predict_proba(X[2000:]))
    assert np.array_equal(threaded.predict(X[2000:]), single.predict(X[2000:]))
    assert threaded.n_jobs == 2  # still grows on two threads when refitted


def test_threaded_forest_predictions_repeat_exactly():
    X, y = _data(seed=5)
    runs = [ThreadedForest(n_estimators=40, n_jobs=-1, random_state=1).fit(X, y).predict_proba(X) for _ in range(3)]
    assert all(np.array_equal(runs[0], r) for r in runs[1:])


def test_threaded_forest_predicts_blocks_of_rows_on_threads_exactly_as_one_thread():
    X, y = _data(n=9000, seed=11)
    threaded = ThreadedForest(n_estimators=30, n_jobs=2, random_state=4).fit(X[:3000], y[:3000])
    single = RandomForestClassifier(n_estimators=30, n_jobs=1, random_state=4).fit(X[:3000], y[:3000])
    rest = X[3000:]  # 6,000 rows: three blocks of rows or more on two threads
    assert np.array_equal(threaded.predict_proba(rest), single.predict_proba(rest))
    frame = pd.DataFrame(rest, columns=[f"x{i}" for i in range(6)])
    named = ThreadedForest(n_estimators=30, n_jobs=2, random_state=4).fit(frame.iloc[:3000], y[3000:6000])
    reference = RandomForestClassifier(n_estimators=30, n_jobs=1, random_state=4).fit(frame.iloc[:3000], y[3000:6000])
    assert np.array_equal(named.predict_proba(frame), reference.predict_proba(frame))
    assert threaded.n_jobs == 2 and named.n_jobs == 2


def test_threaded_forest_makes_the_trees_scikit_learn_would():
    X, y = _data(n=600, seed=2)
    settings = {"n_estimators": 12, "min_samples_leaf": 3, "max_features": 0.5, "max_depth": 7, "random_state": 9}
    ours, theirs = ThreadedForest(**settings).fit(X, y), RandomForestClassifier(**settings).fit(X, y)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        assert type(a) is type(b) and a.get_params() == b.get_params()
        assert np.array_equal(a.tree_.feature, b.tree_.feature) and np.array_equal(a.tree_.threshold, b.tree_.threshold)
    grown = ThreadedForest(n_estimators=5, warm_start=True, random_state=9).fit(X, y)
    grown.set_params(n_estimators=12).fit(X, y)  # more trees on a warm start: the seeds go on from the same draws
    assert [t.random_state for t in grown.estimators_] == [t.random_state for t in theirs.estimators_]


def test_each_segments_auc_is_the_one_column_auc_bit_for_bit():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 900)
    proba = rng.random((900, 4))
    proba[:40] = 0.5  # ties count half
    from sklearn.metrics import roc_auc_score

    from segkit.forest import auc, ovr_auc

    columns = ovr_auc(y, proba, np.arange(4))
    assert np.array_equal(columns, [auc(y == c, proba[:, c]) for c in range(4)])
    assert np.allclose(columns, [roc_auc_score(y == c, proba[:, c]) for c in range(4)])


@pytest.mark.parametrize("value, expected", [("1", 1), ("2", 2), ("", -1), ("0", -1), ("many", -1), (None, -1)])
def test_a_forest_takes_the_threads_the_batch_gives_each_kernel(monkeypatch, value, expected):
    """A batch runs two notebooks on two cores with OMP_NUM_THREADS=1 each: a forest's second thread there only takes
    turns with the other kernel, at a cost in CPU. Unset (JupyterLab, the API), a forest uses every core."""
    from segkit.forest import feature_matrix, forest_pipeline, threads

    if value is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert threads() == expected
    X = feature_matrix(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}))
    assert forest_pipeline(X)[-1].n_jobs == expected
    assert forest_pipeline(X, n_jobs=3)[-1].n_jobs == 3  # asked for: as asked
