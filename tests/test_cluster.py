"""segkit.cluster: SegmentModel recovers known blobs with every algorithm; soft_assign is a bounded softmax."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from segkit.cluster import SegmentModel, soft_assign
from segkit.errors import DataValueError, ModelError, ParamsError, SegmentationError

ALGORITHMS = ["kmeans", "agglomerative", "gmm"]
SIZES = [400, 300, 200, 100]
CENTRES = [[0, 0, 0], [12, 0, 0], [0, 12, 0], [0, 0, 12]]


@pytest.fixture(scope="module")
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_blobs(SIZES, centers=CENTRES, cluster_std=0.6, random_state=0)
    return pd.DataFrame(X, columns=["recency", "frequency", "monetary"]), y


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_recovers_blobs_and_predict_reproduces_labels(blobs, algorithm):
    df, truth = blobs
    model = SegmentModel(4, algorithm=algorithm, preprocessor=StandardScaler()).fit(df)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    np.testing.assert_array_equal(model.predict(df), model.labels_)
    assert model.train_agreement_ == 1.0
    # segment 0 is the largest: the blobs come out in size order
    assert model.segment_sizes_.tolist() == SIZES
    np.testing.assert_array_equal(np.bincount(model.labels_), SIZES)
    assert model.cluster_centers_.shape == (4, 3)
    assert list(model.feature_names_in_) == ["recency", "frequency", "monetary"]
    assert model.n_features_in_ == 3


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_same_seed_same_labels_and_centres(blobs, algorithm):
    df, _ = blobs
    a = SegmentModel(4, algorithm=algorithm, random_state=3).fit(df)
    b = SegmentModel(4, algorithm=algorithm, random_state=3).fit(df)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)


def test_centres_are_segment_means_in_transformed_space(blobs):
    df, _ = blobs
    model = SegmentModel(4, algorithm="agglomerative", preprocessor=StandardScaler()).fit(df)
    Z = model.preprocessor_.transform(df)
    for seg in range(4):
        np.testing.assert_allclose(model.cluster_centers_[seg], Z[model.labels_ == seg].mean(axis=0))
    expected = sum(((Z[model.labels_ == s] - model.cluster_centers_[s]) ** 2).sum() for s in range(4))
    assert model.inertia_ == pytest.approx(expected)


def test_equal_sizes_are_ordered_by_centre():
    X, _ = make_blobs([100, 100, 100], centers=[[10, 0], [5, 10], [0, 0]], cluster_std=0.3, random_state=1)
    df = pd.DataFrame(X, columns=["a", "b"])
    for algorithm in ALGORITHMS:
        model = SegmentModel(3, algorithm=algorithm).fit(df)
        # ties in size -> lexicographic order of the centres: (0, 0), (5, 10), (10, 0)
        np.testing.assert_allclose(model.cluster_centers_, [[0, 0], [5, 10], [10, 0]], atol=0.2)


def test_two_stage_agglomerative(blobs):
    df, truth = blobs
    model = SegmentModel(4, algorithm="agglomerative", max_hierarchy_rows=300).fit(df)
    assert model.two_stage_
    assert adjusted_rand_score(truth, model.labels_) == 1.0


def test_preprocessor_is_cloned_not_fitted_in_place(blobs):
    df, _ = blobs
    scaler = StandardScaler()
    model = SegmentModel(4, preprocessor=scaler).fit(df)
    assert not hasattr(scaler, "mean_")
    assert model.preprocessor_ is not scaler
    assert clone(model).get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert repr(clone(model)) == repr(model)
    assert not hasattr(SegmentModel(4), "labels_")  # __init__ learns nothing


def test_predict_checks_columns(blobs):
    df, _ = blobs
    model = SegmentModel(4).fit(df)
    with pytest.raises(ModelError, match="monetary") as err:
        model.predict(df.drop(columns="monetary"))
    assert err.value.column == "monetary"
    with pytest.raises(ModelError, match="DataFrame"):
        model.predict(df.to_numpy())
    shuffled = df[["monetary", "recency", "frequency"]].assign(extra=1.0)
    np.testing.assert_array_equal(model.predict(shuffled), model.labels_)


def test_fewer_rows_than_k():
    df = pd.DataFrame({"a": [0.0, 1.0, 2.0]})
    with pytest.raises(SegmentationError, match="k=5") as err:
        SegmentModel(5).fit(df)
    assert err.value.key == "k"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative"])
def test_empty_segment_suggests_smaller_k(algorithm):
    df = pd.DataFrame({"a": [0.0] * 10 + [5.0] * 10})  # two distinct points, three segments asked
    with pytest.raises(SegmentationError, match="smaller k"):
        SegmentModel(3, algorithm=algorithm).fit(df)


def test_bad_params_and_inputs(blobs):
    df, _ = blobs
    with pytest.raises(ParamsError, match="dbscan") as err:
        SegmentModel(4, algorithm="dbscan").fit(df)
    assert err.value.key == "algorithm"
    with pytest.raises(ParamsError) as err:
        SegmentModel(1).fit(df)
    assert err.value.key == "k"
    with pytest.raises(DataValueError, match="region"):
        SegmentModel(4).fit(df.assign(region="North"))
    holed = df.copy()
    holed.iloc[0, 0] = np.nan
    with pytest.raises(DataValueError, match="missing"):
        SegmentModel(4).fit(holed)
    with pytest.raises(DataValueError, match="DataFrame"):
        SegmentModel(4).fit(df.to_numpy())


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_scoring_methods_agree(blobs, algorithm):
    df, _ = blobs
    model = SegmentModel(4, algorithm=algorithm).fit(df)
    d = model.transform(df)
    labels = model.predict(df)
    assert d.shape == (len(df), 4)
    np.testing.assert_allclose(model.distance_to_centre(df), d[np.arange(len(df)), labels])
    p = model.predict_proba(df)
    assert p.shape == (len(df), 4)
    assert (p >= 0).all() and (p.sum(axis=1) <= 1).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(p.argmax(axis=1), labels)
    np.testing.assert_allclose(model.confidence(df), p.max(axis=1))
    # a lower temperature sharpens the scores
    assert (model.confidence(df, temperature=0.1) >= model.confidence(df, temperature=10.0) - 1e-12).all()
    with pytest.raises(ParamsError) as err:
        model.predict_proba(df, temperature=0)
    assert err.value.key == "temperature"


def test_gmm_probabilities_are_the_mixtures(blobs):
    df, _ = blobs
    model = SegmentModel(4, algorithm="gmm").fit(df)
    own = model.estimator_.predict_proba(df.to_numpy())[:, model.component_order_]
    np.testing.assert_allclose(model.predict_proba(df), own)


def test_kmeans_probabilities_are_softmax_of_distances(blobs):
    df, _ = blobs
    model = SegmentModel(4).fit(df)
    d = model.transform(df.iloc[:5])
    e = np.exp(-d / 2.0)
    np.testing.assert_allclose(model.predict_proba(df.iloc[:5], temperature=2.0), e / e.sum(axis=1, keepdims=True))


# ---------------------------------------------------------------------------------- soft_assign
def test_soft_assign_known_answer():
    table = soft_assign([[0.0, 1.0, 5.0]], top_n=2)
    assert list(table.columns) == ["row", "segment", "score", "rank"]
    z = np.exp([0.0, -1.0, -5.0])
    np.testing.assert_allclose(table["score"], z[:2] / z.sum())
    assert table["segment"].tolist() == [0, 1]
    assert table["rank"].tolist() == [1, 2]


def test_soft_assign_bounds_and_ranks():
    rng = np.random.default_rng(0)
    d = rng.uniform(0, 3, size=(2_000, 7))
    table = soft_assign(d, top_n=7, temperature=0.7)
    assert table["score"].between(0, 1).all()
    assert (table.groupby("row")["score"].sum() <= 1.0).all()  # never above 1, even by rounding
    assert (table.groupby("row")["rank"].apply(list) == [list(range(1, 8))] * 2_000).all()
    assert (table.groupby("row")["score"].diff().dropna() <= 0).all()  # sorted by rank
    assert len(soft_assign(d, top_n=10)) == 2_000 * 7  # top_n capped at k
    assert (soft_assign(d, top_n=3).groupby("row")["score"].sum() < 1).all()


def test_soft_assign_is_stable_for_large_distances():
    table = soft_assign([[1_000.0, 1_001.0]], top_n=2)
    np.testing.assert_allclose(table["score"], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1))])


def test_point_on_a_centre_ranks_that_segment_first(blobs):
    df, _ = blobs
    model = SegmentModel(4).fit(df)
    centres = pd.DataFrame(model.cluster_centers_, columns=model.feature_names_in_)
    table = soft_assign(model.transform(centres), top_n=2)
    first = table[table["rank"] == 1]
    assert first["segment"].tolist() == [0, 1, 2, 3]
    assert (first["score"] > 0.99).all()


def test_soft_assign_rejects_bad_input():
    with pytest.raises(ParamsError):
        soft_assign([[0.0, 1.0]], top_n=0)
    with pytest.raises(ParamsError):
        soft_assign([[0.0, 1.0]], temperature=-1.0)
    with pytest.raises(DataValueError):
        soft_assign([0.0, 1.0])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_assign_is_predict_transform_and_confidence_in_one_pass(blobs, algorithm, temperature):
    df, _ = blobs
    model = SegmentModel(4, algorithm=algorithm, preprocessor=StandardScaler()).fit(df)
    noisy = df + np.random.default_rng(0).normal(0, 0.8, df.shape)  # rows between blobs: soft memberships
    labels, distances, confidence = model.assign(noisy, temperature=temperature)
    np.testing.assert_array_equal(labels, model.predict(noisy))
    np.testing.assert_allclose(distances, model.transform(noisy))
    np.testing.assert_allclose(confidence, model.confidence(noisy, temperature=temperature))
