"""The final segment model (preprocessing + clustering) and soft assignment of rows to segments.

:class:`SegmentModel` follows the scikit-learn estimator contract: ``__init__`` only stores its
arguments, :meth:`SegmentModel.fit` validates them and learns attributes ending in ``_``, and the
preprocessor passed in is cloned, never fitted in place.

Segments are numbered deterministically: segment 0 has the most rows, ties are broken by the
lexicographic order of the segment centres, so two fits with the same seed give the same numbers
whatever the number of threads.

Examples
--------
>>> import pandas as pd
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs([50, 30, 20], centers=[[0, 0], [9, 0], [0, 9]], random_state=0)
>>> df = pd.DataFrame(X, columns=["recency", "frequency"])
>>> model = SegmentModel(3).fit(df)
>>> model.segment_sizes_.tolist()
[50, 30, 20]
>>> (model.predict(df) == model.labels_).all()
np.True_
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .errors import DataValueError, ModelError, ParamsError, SegmentationError

__all__ = ["ALGORITHMS", "SegmentModel", "soft_assign"]

#: Algorithms that :class:`SegmentModel` accepts.
ALGORITHMS = ("kmeans", "agglomerative", "gmm")


def _softmax_neg(distances: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of ``-distances / temperature``; rows sum to at most 1 (never above by rounding)."""
    _check_temperature(temperature)
    z = -np.asarray(distances, dtype=np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)  # stable: the largest exponent is exp(0) = 1
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    # shrink by a few ulps, so that a row adds up to at most 1 in floating point whatever the order of
    # the additions (the rounding error of a k-term sum is below k ulps)
    return p * (1.0 - 4 * p.shape[1] * np.finfo(np.float64).eps)


def _check_temperature(temperature) -> None:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ParamsError(f"temperature={temperature!r} must be a positive number",
                          fix="use 1.0, or a smaller value for sharper scores", key="temperature")


def soft_assign(distances, *, temperature: float = 1.0, top_n: int = 5) -> pd.DataFrame:
    """Turn distances to segment centres into a long table of the top-N segments per row.

    Parameters
    ----------
    distances : array-like of shape (n_rows, n_segments)
        Distance of each row to each segment centre (:meth:`SegmentModel.transform`).
    temperature : float, default=1.0
        Softmax temperature, in the units of the distances: smaller is sharper.
    top_n : int, default=5
        Segments kept per row (at most the number of segments).

    Returns
    -------
    DataFrame
        Columns ``row`` (position of the row), ``segment``, ``score`` (softmax of
        ``-distance / temperature``, in [0, 1]; a row's scores sum to at most 1) and ``rank``
        (1 = nearest), ``top_n`` rows per input row, sorted by row then rank. Ties keep the lower
        segment first.

    Examples
    --------
    >>> soft_assign([[0.0, 1.0, 5.0]], top_n=2).round(3).to_dict("list")
    {'row': [0, 0], 'segment': [0, 1], 'score': [0.727, 0.268], 'rank': [1, 2]}
    """
    d = np.asarray(distances, dtype=np.float64)
    if d.ndim != 2 or d.shape[1] == 0:
        raise DataValueError(f"distances must be a 2-D table (rows x segments), got shape {d.shape}",
                             fix="pass SegmentModel.transform(X)")
    if not np.isfinite(d).all():
        raise DataValueError("distances contain missing or infinite values", fix="check the scored features")
    if isinstance(top_n, bool) or not isinstance(top_n, numbers.Integral) or top_n < 1:
        raise ParamsError(f"top_n={top_n!r} must be a positive integer", fix="use 1 to 5", key="top_n")
    n, k = d.shape
    top = min(int(top_n), k)
    p = _softmax_neg(d, temperature)
    order = np.argsort(-p, axis=1, kind="stable")[:, :top]
    return pd.DataFrame({
        "row": np.repeat(np.arange(n), top),
        "segment": order.ravel(),
        "score": np.take_along_axis(p, order, axis=1).ravel(),
        "rank": np.tile(np.arange(1, top + 1), n),
    })


def _pairwise(Z: np.ndarray, centres: np.ndarray) -> np.ndarray:
    from sklearn.metrics.pairwise import euclidean_distances

    return euclidean_distances(Z, centres)


class SegmentModel(ClusterMixin, BaseEstimator):
    """Preprocessing plus clustering into `n_segments` segments, with nearest-centre scoring.

    Parameters
    ----------
    n_segments : int, default=5
        Number of segments, k (at least 2).
    algorithm : {"kmeans", "agglomerative", "gmm"}, default="kmeans"
        ``kmeans``: Lloyd k-means. ``agglomerative``: a hierarchical tree (see :mod:`segkit.hierarchy`)
        cut into k segments; two-stage above `max_hierarchy_rows`. ``gmm``: a Gaussian mixture with
        full covariances.
    linkage : str, default="ward"
        Linkage method of the agglomerative tree.
    preprocessor : scikit-learn transformer, optional
        Cloned, then fitted on the features (None: the features are used as they are, and must be numeric).
    n_init : "auto" or int, default="auto"
        Initialisations of k-means (``"auto"``) and of the mixture (``"auto"`` means 1).
    random_state : int, RandomState or None, default=0
    max_hierarchy_rows : int, default=20_000
        Largest number of rows the agglomerative tree is built on row by row.

    Attributes
    ----------
    preprocessor_ : transformer or None
        The fitted clone of `preprocessor`.
    estimator_ : estimator
        ``KMeans``, ``GaussianMixture``, or (agglomerative) a ``NearestCentroid`` fitted on the cut
        labels: the rule :meth:`predict` applies.
    labels_ : ndarray of shape (n_rows,)
        Segment of each training row, 0 = largest.
    cluster_centers_ : ndarray of shape (n_segments, n_transformed_features)
        Segment centres in the transformed space (for gmm and agglomerative: the mean of each segment's
        rows; for k-means: the k-means centres, which are those means at convergence).
    segment_sizes_ : ndarray of shape (n_segments,)
        Rows per segment in the training data.
    inertia_ : float
        Sum of squared distances of the training rows to their segment centre.
    two_stage_ : bool
        True when the agglomerative tree was built on k-means micro-clusters.
    train_agreement_ : float
        Share of training rows for which :meth:`predict` gives ``labels_`` (1.0 for kmeans and gmm; a
        tree cut is not a nearest-centre partition, so it can be slightly below 1 for agglomerative).
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = SegmentModel(4, algorithm="agglomerative", preprocessor=StandardScaler())
    """

    def __init__(self, n_segments=5, *, algorithm="kmeans", linkage="ward", preprocessor=None,
                 n_init="auto", random_state=0, max_hierarchy_rows=20_000):
        self.n_segments = n_segments
        self.algorithm = algorithm
        self.linkage = linkage
        self.preprocessor = preprocessor
        self.n_init = n_init
        self.random_state = random_state
        self.max_hierarchy_rows = max_hierarchy_rows

    # ------------------------------------------------------------------ validation
    def _validate_params(self) -> int:
        k = self.n_segments
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 2:
            raise ParamsError(f"k={k!r} must be an integer of at least 2", fix="set k to 2 or more", key="k")
        if self.algorithm not in ALGORITHMS:
            raise ParamsError(f"algorithm {self.algorithm!r} is not supported",
                              fix="use one of: " + ", ".join(ALGORITHMS), key="algorithm")
        from .hierarchy import METHODS

        if self.algorithm == "agglomerative" and self.linkage not in METHODS:
            raise ParamsError(f"linkage {self.linkage!r} is not supported",
                              fix="use one of: " + ", ".join(METHODS), key="linkage")
        if not (self.n_init == "auto" or (isinstance(self.n_init, numbers.Integral)
                                          and not isinstance(self.n_init, bool) and self.n_init >= 1)):
            raise ParamsError(f"n_init={self.n_init!r} must be 'auto' or a positive integer",
                              fix="use 'auto'", key="n_init")
        m = self.max_hierarchy_rows
        if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 2:
            raise ParamsError(f"max_hierarchy_rows={m!r} must be an integer of at least 2",
                              fix="use 20000", key="max_hierarchy_rows")
        return int(k)

    def _transform_features(self, X: pd.DataFrame) -> np.ndarray:
        Z = X if self.preprocessor_ is None else self.preprocessor_.transform(X)
        if hasattr(Z, "toarray"):
            Z = Z.toarray()
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or not np.isfinite(Z).all():
            raise DataValueError("the preprocessed features contain missing or infinite values",
                                 fix="impute or drop them in the features step, or add an imputer to the "
                                     "preprocessor")
        return Z

    def _check_frame(self, X, method: str) -> pd.DataFrame:
        check_is_fitted(self, "cluster_centers_")
        if not isinstance(X, pd.DataFrame):
            raise ModelError(f"SegmentModel.{method} needs a pandas DataFrame, got {type(X).__name__}",
                             fix="pass a DataFrame with the columns the model was fitted on: "
                                 + ", ".join(self.feature_names_in_))
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ModelError(f"the data lacks the model's feature columns: {', '.join(missing)}",
                             fix="compute the same features as the training data (see metadata.json)",
                             column=", ".join(missing))
        return X.loc[:, list(self.feature_names_in_)]

    # ------------------------------------------------------------------ fitting
    def _check_fit_frame(self, X, k: int) -> list[str]:
        """The feature names of the training frame `X`, after checking it can be fitted into `k` segments."""
        if not isinstance(X, pd.DataFrame):
            raise DataValueError(f"SegmentModel.fit needs a pandas DataFrame of features, got {type(X).__name__}",
                                 fix="pass the features table (features.parquet) without the id column")
        names = [str(c) for c in X.columns]
        if len(set(names)) != len(names) or not all(isinstance(c, str) for c in X.columns):
            raise DataValueError("feature column names must be unique strings",
                                 fix="rename the columns of the features table")
        if self.preprocessor is None:
            bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
            if bad:
                raise DataValueError(f"columns {bad} are not numeric",
                                     fix="encode them in the features step or pass a preprocessor")
        n = len(X)
        if n < k:
            raise SegmentationError(f"k={k} segments need at least {k} rows, the data has {n}",
                                    fix="lower k or use more data", key="k")
        return names

    def _fit_kmeans(self, Z: np.ndarray, k: int, seed: int):
        """(labels, centres, fitted KMeans) of Lloyd k-means on the transformed features."""
        from sklearn.cluster import KMeans

        est = KMeans(n_clusters=k, n_init=self.n_init, random_state=seed).fit(Z)
        return est.labels_, est.cluster_centers_, est

    def _fit_gmm(self, Z: np.ndarray, k: int, seed: int):
        """(labels, None, fitted GaussianMixture): each row in its most probable component."""
        from sklearn.mixture import GaussianMixture

        n_init = 1 if self.n_init == "auto" else int(self.n_init)
        est = GaussianMixture(n_components=k, covariance_type="full", n_init=n_init,
                              random_state=seed).fit(Z)
        proba = est.predict_proba(Z)
        return proba.argmax(axis=1), None, est

    def _fit_agglomerative(self, Z: np.ndarray, k: int, seed: int):
        """(labels, None, None) of the tree cut into `k`; sets ``two_stage_``."""
        from .hierarchy import linkage_matrix

        tree = linkage_matrix(Z, method=self.linkage, max_rows=int(self.max_hierarchy_rows), seed=seed)
        labels = tree.assign(k)
        self.two_stage_ = tree.two_stage
        return labels, None, None

    def fit(self, X, y=None):
        """Fit the preprocessor and the segments on a DataFrame of features.

        Parameters
        ----------
        X : DataFrame of shape (n_rows, n_features)
            One row per entity; every column is a feature (drop the id column first).
        y : ignored

        Returns
        -------
        self
        """
        k = self._validate_params()
        names = self._check_fit_frame(X, k)
        n = len(X)
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.preprocessor_ = None if self.preprocessor is None else clone(self.preprocessor).fit(X)
        Z = self._transform_features(X)
        rng = check_random_state(self.random_state)
        seed = self.random_state if isinstance(self.random_state, numbers.Integral) else \
            int(rng.randint(np.iinfo(np.int32).max))
        self.two_stage_ = False
        if self.algorithm == "kmeans":
            labels, centres, est = self._fit_kmeans(Z, k, seed)
        elif self.algorithm == "gmm":
            labels, centres, est = self._fit_gmm(Z, k, seed)
        else:
            labels, centres, est = self._fit_agglomerative(Z, k, seed)
        sizes = np.bincount(labels, minlength=k)
        if (sizes == 0).any() or sizes.size > k:
            raise SegmentationError(
                f"{int((sizes == 0).sum())} of the k={k} segments came out empty "
                f"({self.algorithm} on {n} rows)", fix="choose a smaller k", key="k")
        if centres is None:
            centres = np.zeros((k, Z.shape[1]))
            np.add.at(centres, labels, Z)
            centres /= sizes[:, None]
        # segment 0 = largest; ties by the lexicographic order of the (rounded) centres
        keys = [np.round(centres[:, j], 9) for j in reversed(range(centres.shape[1]))] + [-sizes]
        order = np.lexsort(keys)  # order[new] = old
        inverse = np.empty(k, dtype=np.int64)
        inverse[order] = np.arange(k)
        self.component_order_ = order
        self.labels_ = inverse[labels]
        self.cluster_centers_ = centres[order]
        self.segment_sizes_ = sizes[order]
        if est is None:
            import warnings

            from sklearn.neighbors import NearestCentroid

            with warnings.catch_warnings():  # about a per-class spread statistic that is not used here
                warnings.filterwarnings("ignore", message=".*within_class_std_dev_.*")
                est = NearestCentroid().fit(Z, self.labels_)
        self.estimator_ = est
        self.inertia_ = float(((Z - self.cluster_centers_[self.labels_]) ** 2).sum())
        self.train_agreement_ = float((self._predict_transformed(Z) == self.labels_).mean())
        return self

    # ------------------------------------------------------------------ scoring
    def _predict_transformed(self, Z: np.ndarray) -> np.ndarray:
        if self.algorithm == "gmm":
            return self.estimator_.predict_proba(Z)[:, self.component_order_].argmax(axis=1)
        return _pairwise(Z, self.cluster_centers_).argmin(axis=1)

    def predict(self, X) -> np.ndarray:
        """Segment of each row: nearest centre (gmm: most probable component).

        Parameters
        ----------
        X : DataFrame
            Must contain the fitted feature columns; extra columns are ignored.

        Returns
        -------
        ndarray of shape (n_rows,)
        """
        return self._predict_transformed(self._transform_features(self._check_frame(X, "predict")))

    def transform(self, X) -> np.ndarray:
        """Euclidean distance of each row to each segment centre, in the transformed space.

        Returns
        -------
        ndarray of shape (n_rows, n_segments)
        """
        return _pairwise(self._transform_features(self._check_frame(X, "transform")), self.cluster_centers_)

    def embed(self, X) -> np.ndarray:
        """The rows of ``X`` in the space of the segment centres: the fitted preprocessor applied to the model's
        feature columns (what :meth:`transform` measures distances in).

        Returns
        -------
        ndarray of shape (n_rows, n_transformed_features)
        """
        return self._transform_features(self._check_frame(X, "embed"))

    def distance_to_centre(self, X) -> np.ndarray:
        """Distance of each row to the centre of its predicted segment.

        Returns
        -------
        ndarray of shape (n_rows,)
        """
        Z = self._transform_features(self._check_frame(X, "distance_to_centre"))
        labels = self._predict_transformed(Z)
        return np.linalg.norm(Z - self.cluster_centers_[labels], axis=1)

    def predict_proba(self, X, temperature: float = 1.0) -> np.ndarray:
        """Soft membership of each row in each segment.

        kmeans and agglomerative: softmax of ``-distance / temperature``. gmm: the mixture's own
        posterior probabilities, sharpened as ``p ** (1 / temperature)`` and renormalised (unchanged at
        temperature 1).

        Returns
        -------
        ndarray of shape (n_rows, n_segments)
            Each row sums to 1 (at most 1 after rounding).
        """
        _check_temperature(temperature)
        Z = self._transform_features(self._check_frame(X, "predict_proba"))
        if self.algorithm == "gmm":
            p = self.estimator_.predict_proba(Z)[:, self.component_order_]
            if temperature == 1:
                return p
            with np.errstate(divide="ignore"):
                return _softmax_neg(-np.log(p), temperature)
        return _softmax_neg(_pairwise(Z, self.cluster_centers_), temperature)

    def assign(self, X, temperature: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(labels, distances, confidence)`` of each row from one pass of the preprocessor: what
        :meth:`predict`, :meth:`transform` and :meth:`confidence` give, for a scorer that needs all three.

        Returns
        -------
        labels : ndarray of shape (n_rows,)
        distances : ndarray of shape (n_rows, n_segments)
        confidence : ndarray of shape (n_rows,)
        """
        _check_temperature(temperature)
        Z = self._transform_features(self._check_frame(X, "assign"))
        distances = _pairwise(Z, self.cluster_centers_)
        if self.algorithm == "gmm":
            p = self.estimator_.predict_proba(Z)[:, self.component_order_]
            labels = p.argmax(axis=1)
            if temperature != 1:
                with np.errstate(divide="ignore"):
                    p = _softmax_neg(-np.log(p), temperature)
            return labels, distances, p.max(axis=1)
        return distances.argmin(axis=1), distances, _softmax_neg(distances, temperature).max(axis=1)

    def confidence(self, X, temperature: float = 1.0) -> np.ndarray:
        """Highest membership probability of each row (see :meth:`predict_proba`)."""
        return self.predict_proba(X, temperature=temperature).max(axis=1)
