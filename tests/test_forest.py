"""The shared forest grows its trees on every core and predicts in one thread, in tree order."""

from __future__ import annotations

import numpy as np
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
