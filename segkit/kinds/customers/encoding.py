"""The encoding of a customer table for clustering: one scikit-learn ``ColumnTransformer`` built from the
columns' roles (:func:`build_preprocessor`), with segkit's own transformers for dates (ages), outliers (fences)
and skewed numbers.

Kept apart from :mod:`segkit.kinds.customers.features` (which gives these names too, loading them on first use)
because it imports scikit-learn and SciPy: checking an input does not need them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import skew as _skewness
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, PowerTransformer, RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from ...errors import ParamsError
from ...quality import fences
from .roles import FEATURE_ROLES, _check_roles, _choice
from .scales import scale_scores
from .values import _UNIT_DAYS, _date_name, date_ages, levels_as_text, reference_date_of

__all__ = ["build_preprocessor", "DateAgeTransformer", "FenceClipper", "ScaleScorer", "SkewTransformer", "SKEW_METHODS",
           "SCALERS"]

SKEW_METHODS = ("log", "yeo-johnson", "none")
SCALERS = ("standard", "robust")


# --- transformers ---------------------------------------------------------------------------------

class DateAgeTransformer(TransformerMixin, BaseEstimator):
    """Turn date columns into their age at a reference date (days or years since).

    Parameters
    ----------
    reference_date : str or Timestamp, optional
        The date ages are measured at. By default the latest date seen in ``fit``, so results
        depend on the data only, never on the day the code runs.
    unit : {"days", "years"}, default="days"
        Unit of the ages.

    Attributes
    ----------
    reference_ : Timestamp
        The reference date used (kept as ISO text in ``reference_iso_``, which skops model files can
        hold). ``n_features_in_`` and ``feature_names_in_`` as usual.

    Examples
    --------
    >>> X = pd.DataFrame({"signup": ["2024-01-01", "2024-01-31"]})
    >>> DateAgeTransformer().fit_transform(X).ravel().tolist()
    [30.0, 0.0]
    """

    def __init__(self, reference_date=None, unit: str = "days"):
        self.reference_date = reference_date
        self.unit = unit

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = tags.input_tags.string = True
        return tags

    def fit(self, X, y=None):
        """Learn the reference date (the latest date in ``X`` unless one is given)."""
        _choice(self.unit, tuple(_UNIT_DAYS), "date_unit", "date unit")
        validate_data(self, X, skip_check_array=True, reset=True)
        self.n_features_in_ = np.shape(X)[1]
        self.reference_iso_ = reference_date_of(X, self.reference_date).isoformat()
        return self

    @property
    def reference_(self) -> pd.Timestamp:
        """The date ages are measured at (fitted)."""
        if not hasattr(self, "reference_iso_"):
            raise AttributeError("reference_ is set by fit")
        return pd.Timestamp(self.reference_iso_)

    def transform(self, X):
        """Return the ages as a float array (missing dates stay NaN)."""
        check_is_fitted(self, "reference_iso_")
        validate_data(self, X, skip_check_array=True, reset=False)
        return date_ages(X, self.reference_, self.unit)

    def get_feature_names_out(self, input_features=None):
        """Names such as ``days_since_signup_date``."""
        check_is_fitted(self, "reference_iso_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([_date_name(str(c), self.unit) for c in input_features], dtype=object)


class ScaleScorer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Score answers on a scale in their order (:func:`segkit.kinds.customers.scales.scale_scores`): the features
    table's scores pass as they are, a raw table's words ("Agree") become their place on the column's scale, and a
    word the scale does not have is missing (imputed next).

    Parameters
    ----------
    scales : dict, optional
        Column -> its scale's levels, each a list of the ways it is written (lower case), as
        :func:`~segkit.kinds.customers.features.customer_features` records them in ``attrs["scales"]``; a column
        without one takes numbers only.

    Examples
    --------
    >>> scorer = ScaleScorer({"q1": [["disagree"], ["neutral"], ["agree"]]})
    >>> scorer.fit_transform(pd.DataFrame({"q1": ["Agree", "Neutral", "maybe"]})).ravel().tolist()
    [3.0, 2.0, nan]
    """

    def __init__(self, scales=None):
        self.scales = scales

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = tags.input_tags.string = True
        return tags

    def fit(self, X, y=None):
        """Only record the columns (the scales are given)."""
        validate_data(self, X, skip_check_array=True, reset=True)
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X):
        """Return the scores as a float array."""
        check_is_fitted(self, "n_features_in_")
        validate_data(self, X, skip_check_array=True, reset=False)
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
        names = getattr(self, "feature_names_in_", list(frame.columns))
        scales = self.scales or {}
        return np.column_stack([scale_scores(frame.iloc[:, j], scales.get(str(name)))
                                for j, name in enumerate(names)]).astype(float)


class FenceClipper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Cap each column at its extreme-outlier fences (:func:`segkit.quality.fences`), so that a handful of
    extreme values keep their rows but do not dominate the scaling.

    Attributes
    ----------
    lower_, upper_ : ndarray of shape (n_features,)
        The fences in the column's units (infinite where a column has none: binary, near-constant, or the low
        side of a skewed column).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None):
        """Measure the fences of each column."""
        X = validate_data(self, X, dtype=float, ensure_all_finite="allow-nan", reset=True)
        bounds = np.array([fences(X[:, j])[:2] for j in range(X.shape[1])], dtype=float).reshape(-1, 2)
        self.lower_, self.upper_ = bounds[:, 0], bounds[:, 1]
        return self

    def transform(self, X):
        """Values beyond a fence become the fence."""
        check_is_fitted(self, "upper_")
        X = validate_data(self, X, dtype=float, ensure_all_finite="allow-nan", reset=False, copy=True)
        return np.clip(X, self.lower_, self.upper_)


class SkewTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Transform only the columns whose skewness is beyond a threshold.

    Parameters
    ----------
    method : {"none", "log", "yeo-johnson"}, default="log"
        ``log`` applies ``log1p`` and only to columns with no negative values (skewed columns with
        negatives are left as they are); ``yeo-johnson`` fits a power transform (no standardising).
    threshold : float, default=1.0
        Columns with ``|skewness| > threshold`` are transformed.

    Attributes
    ----------
    skewness_ : ndarray of shape (n_features,)
    transformed_ : ndarray of bool, shape (n_features,)
        Which columns are transformed.
    power_ : PowerTransformer or None
        The Yeo-Johnson transform of those columns.
    """

    def __init__(self, method: str = "log", threshold: float = 1.0):
        self.method = method
        self.threshold = threshold

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None):
        """Measure the skewness of each column and choose the ones to transform."""
        _choice(self.method, SKEW_METHODS, "skew", "skew transform")
        X = validate_data(self, X, dtype=float, ensure_all_finite="allow-nan", reset=True)
        with np.errstate(all="ignore"):
            self.skewness_ = np.nan_to_num(np.asarray(_skewness(X, axis=0, nan_policy="omit"), dtype=float))
        chosen = (np.abs(self.skewness_) > self.threshold) & (self.method != "none")
        if self.method == "log":
            chosen &= np.nanmin(X, axis=0, initial=np.inf) >= 0
        self.transformed_ = chosen
        self.power_ = (PowerTransformer(method="yeo-johnson", standardize=False).fit(X[:, chosen])
                       if self.method == "yeo-johnson" and chosen.any() else None)
        return self

    def transform(self, X):
        """Apply the transform to the chosen columns; new negative values in a log column count as 0."""
        check_is_fitted(self, "transformed_")
        X = validate_data(self, X, dtype=float, ensure_all_finite="allow-nan", reset=False, copy=True)
        cols = self.transformed_
        if cols.any():
            X[:, cols] = (np.log1p(np.clip(X[:, cols], 0, None)) if self.power_ is None
                          else self.power_.transform(X[:, cols]))
        return X


# --- preprocessor ---------------------------------------------------------------------------------

def _scaler(scaler: str):
    _choice(scaler, SCALERS, "scaler", "scaler")
    return StandardScaler() if scaler == "standard" else RobustScaler()


def _encoder(rare_min_frequency) -> Pipeline:
    return Pipeline([("text", FunctionTransformer(levels_as_text, feature_names_out="one-to-one")),
                     ("impute", SimpleImputer(strategy="most_frequent")),
                     ("onehot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=rare_min_frequency,
                                              sparse_output=False))])


def build_preprocessor(roles: Mapping[str, str], *, skew: str = "log", scaler: str = "standard",
                       rare_min_frequency: float | int = 0.01, skew_threshold: float = 1.0,
                       reference_date=None, date_unit: str = "days", scales=None) -> ColumnTransformer:
    """Build the (unfitted) encoding of a customer table from its roles.

    Parameters
    ----------
    roles : mapping of str to str
        Column -> role, e.g. from :func:`detect_roles` or :func:`feature_roles`. Columns with an
        excluded role (id, text, constant, near_unique) are dropped.
    skew : {"log", "yeo-johnson", "none"}, default="log"
        Transform of numeric columns with ``|skewness| > skew_threshold`` (see :class:`SkewTransformer`).
    scaler : {"standard", "robust"}, default="standard"
        Scaling of numeric columns and date ages.
    rare_min_frequency : float or int, default=0.01
        Category levels rarer than this (share of rows if float, count if int) are grouped into one
        ``infrequent`` column; unseen levels at transform time go there too.
    skew_threshold : float, default=1.0
    reference_date : str or Timestamp, optional
        Date ages are measured at (default: the latest date seen when fitting).
    date_unit : {"days", "years"}, default="days"
    scales : dict, optional
        Ordinal column -> its scale (:class:`ScaleScorer`).

    Returns
    -------
    ColumnTransformer
        Dense output, named features (``numeric__age``, ``categorical__region_North``,
        ``categorical__region_infrequent_sklearn``, ``date__days_since_signup_date``); supports
        ``set_output(transform="pandas")``.

    Raises
    ------
    ParamsError
        Unknown role, skew, scaler or date unit, or no feature column at all.
    """
    _check_roles(roles)
    _scaler(scaler)
    _choice(date_unit, tuple(_UNIT_DAYS), "date_unit", "date unit")
    _choice(skew, SKEW_METHODS, "skew", "skew transform")
    by_role = {r: [c for c, role in roles.items() if role == r] for r in FEATURE_ROLES}
    steps = []
    if by_role["numeric"]:
        steps.append(("numeric", Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                                           ("fences", FenceClipper()),
                                           ("skew", SkewTransformer(skew, skew_threshold)),
                                           ("scale", _scaler(scaler))]), by_role["numeric"]))
    if by_role["ordinal"]:  # scores 1..5: nothing to clip or unskew
        steps.append(("ordinal", Pipeline([("score", ScaleScorer(scales)),
                                           ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                                           ("scale", _scaler(scaler))]), by_role["ordinal"]))
    for role in ("categorical", "boolean"):
        if by_role[role]:
            steps.append((role, _encoder(rare_min_frequency), by_role[role]))
    if by_role["date"]:
        steps.append(("date", Pipeline([("age", DateAgeTransformer(reference_date, date_unit)),
                                        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                                        ("scale", _scaler(scaler))]), by_role["date"]))
    if not steps:
        raise ParamsError("no column has a feature role (numeric, ordinal, categorical, boolean or date)",
                          fix="set at least one column's role in the roles params", key="roles")
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


