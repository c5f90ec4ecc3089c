"""Customer tables: what each column is, and how it is encoded for clustering.

1. :func:`role_table` decides a *role* for every column and says why, in plain words: ``id``,
   ``numeric``, ``categorical``, ``boolean``, ``date`` (features) or ``text``, ``constant``,
   ``near_unique`` (excluded, like the id). Params override any decision (``ignore`` drops a column).
2. :func:`customer_features` makes the table the rest of the pipeline uses: indexed by the id, dates
   as ages in real units, categories kept as categories (profiled by :func:`categorical_profile`).
3. :func:`build_preprocessor` builds one scikit-learn ``ColumnTransformer`` from the roles: median
   imputation, optional skew transform and scaling for numbers; most-frequent imputation and one-hot
   encoding with rare levels grouped for categories; ages for dates.

Role detection lives in :mod:`segkit.kinds.customers.roles`; its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import skew as _skewness
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, PowerTransformer, RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from ...errors import ColumnError, DataValueError, ParamsError
from ...parse import read_dates, read_numbers
from ...quality import fences
from .roles import (EXCLUDED_ROLES, FEATURE_ROLES, ROLES, _check_roles, _choice, _one_id,  # noqa: F401
                    _require_columns, detect_roles, find_id_column, role_table)

__all__ = [
    "ROLES", "FEATURE_ROLES", "EXCLUDED_ROLES", "role_table", "detect_roles", "feature_roles",
    "build_preprocessor", "customer_features", "categorical_profile", "check_numeric", "level_text", "levels_as_text",
    "DateAgeTransformer", "FenceClipper", "SkewTransformer", "find_id_column",
]

SKEW_METHODS = ("log", "yeo-johnson", "none")
SCALERS = ("standard", "robust")


# --- roles of the features table ------------------------------------------------------------------

def _date_name(col: str, unit: str) -> str:
    return f"{unit}_since_{col}"


def feature_roles(roles: Mapping[str, str], *, date_unit: str = "days") -> dict[str, str]:
    """Roles of :func:`customer_features`' columns (dates become numeric ages), for :func:`build_preprocessor`."""
    _check_roles(roles)
    return {(_date_name(c, date_unit) if r == "date" else c): ("numeric" if r == "date" else r)
            for c, r in roles.items() if r in FEATURE_ROLES}


# --- values ---------------------------------------------------------------------------------------

def level_text(s: pd.Series) -> pd.Series:
    """Category levels as text, the way the encoder and the scoring checks see them.

    Whole numbers print without a decimal point (``1.0`` -> ``"1"``), missing values stay missing,
    and the result has object dtype.
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.astype(float).to_numpy()
        s = s.astype("Int64") if np.all(np.mod(num[~np.isnan(num)], 1) == 0) else s
    return s.astype(str).str.strip().astype(object).where(s.notna(), np.nan)


def levels_as_text(X):
    """Every column through :func:`level_text` (the first step of the category encoder)."""
    X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    return pd.DataFrame({c: level_text(X[c]) for c in X.columns}, index=X.index)


def check_numeric(df: pd.DataFrame, columns: Sequence[str], *, decimal: str | None = None,
                  thousands: str | None = None) -> pd.DataFrame:
    """Return ``df`` with ``columns`` as numbers; text that is not a number is a :class:`ColumnError`.

    Numbers stored as text are read by :func:`segkit.parse.read_numbers` (``"42"``, ``"101,5"``, ``"£1,200"``,
    ``"12%"``); blanks and ``NA``, ``-``, ``?`` are missing values. The error gives the count of bad values
    and up to three examples.
    """
    out = df.copy()
    for col in columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        reading = read_numbers(s, column=str(col), decimal=decimal, thousands=thousands)
        if reading.n_unparsed:
            raise ColumnError(f"column {col!r} should hold numbers but {reading.n_unparsed} value(s) are text "
                              f"(examples: {', '.join(map(repr, reading.unparsed_examples))})", column=str(col),
                              fix=f"clean or drop those rows, or give {col!r} the categorical role in the roles params")
        out[col] = reading.values
    return out


def _to_datetime(s: pd.Series, *, date_format: str | None = None, dayfirst: bool | None = None) -> pd.Series:
    """Dates of one column, one layout for the whole column (:func:`segkit.parse.read_dates`); NaT where a value
    is missing or not a date."""
    return read_dates(s, date_format=date_format, dayfirst=dayfirst).values


_UNIT_DAYS = {"days": 1.0, "years": 365.25}


def _age(dates: pd.Series, reference: pd.Timestamp, unit: str) -> np.ndarray:
    return (reference - dates).dt.total_seconds().to_numpy(float) / 86400.0 / _UNIT_DAYS[unit]


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

    @staticmethod
    def _dates(X) -> list[pd.Series]:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
        return [_to_datetime(frame.iloc[:, i]) for i in range(frame.shape[1])]

    def fit(self, X, y=None):
        """Learn the reference date (the latest date in ``X`` unless one is given)."""
        _choice(self.unit, tuple(_UNIT_DAYS), "date_unit", "date unit")
        validate_data(self, X, skip_check_array=True, reset=True)
        self.n_features_in_ = np.shape(X)[1]
        latest = self.reference_date if self.reference_date is not None else max(
            (d.max() for d in self._dates(X) if d.notna().any()), default=None)
        if latest is None:
            raise DataValueError("the date columns hold no parseable dates",
                                 fix="check the date format, or set their role to categorical or constant")
        self.reference_iso_ = pd.Timestamp(latest).isoformat()
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
        ages = [_age(d, self.reference_, self.unit) for d in self._dates(X)]
        return np.column_stack(ages) if ages else np.empty((len(X), 0))

    def get_feature_names_out(self, input_features=None):
        """Names such as ``days_since_signup_date``."""
        check_is_fitted(self, "reference_iso_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([_date_name(str(c), self.unit) for c in input_features], dtype=object)


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
                       reference_date=None, date_unit: str = "days") -> ColumnTransformer:
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
    for role in ("categorical", "boolean"):
        if by_role[role]:
            steps.append((role, _encoder(rare_min_frequency), by_role[role]))
    if by_role["date"]:
        steps.append(("date", Pipeline([("age", DateAgeTransformer(reference_date, date_unit)),
                                        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                                        ("scale", _scaler(scaler))]), by_role["date"]))
    if not steps:
        raise ParamsError("no column has a feature role (numeric, categorical, boolean or date)",
                          fix="set at least one column's role in the roles params", key="roles")
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


# --- the features table and categorical profiles --------------------------------------------------

def customer_features(df: pd.DataFrame, roles: Mapping[str, str], *, reference_date=None,
                      date_unit: str = "days") -> pd.DataFrame:
    """The features table: one row per customer, indexed by the id, in real units.

    Parameters
    ----------
    df : DataFrame
        The customer table.
    roles : mapping of str to str
        Column -> role (from :func:`detect_roles`); columns without a role are left out.
    reference_date : str or Timestamp, optional
        Date ages are measured at; default the latest date across the date columns.
    date_unit : {"days", "years"}, default="days"

    Returns
    -------
    DataFrame
        Index: the id column as text (or ``row_0001``, ... when there is none). Columns: the
        numeric columns as numbers, categorical and boolean columns as ``category`` dtype (levels as
        text, see :func:`level_text`), each date column ``c`` as ``days_since_c``. ``attrs`` holds
        ``roles`` (roles of the returned columns, for :func:`build_preprocessor`), ``notes`` (list of
        str) and ``reference_date``.

    Raises
    ------
    ColumnError
        A role names a missing column, or text sits in a numeric column.
    ParamsError, DataValueError
        Unknown role or several id columns; missing or duplicate ids.
    """
    _check_roles(roles)
    _choice(date_unit, tuple(_UNIT_DAYS), "date_unit", "date unit")
    _require_columns(roles, df, "the roles name column(s)")
    notes, ids = [], _one_id(roles)
    if ids:
        index = level_text(df[ids[0]])
        bad = index[index.isna() | index.duplicated()]
        if len(bad):
            raise DataValueError(f"id column {ids[0]!r} has {len(bad)} missing or duplicate value(s) (examples: "
                                 f"{', '.join(map(str, pd.unique(bad)[:5]))})",
                                 fix="drop or fix those customers in cleaning, or choose another id_col", column=ids[0])
        index = pd.Index(index.to_numpy(dtype=object).astype(str), name=str(ids[0]))
    else:
        width = max(4, len(str(len(df))))
        index = pd.Index([f"row_{i:0{width}d}" for i in range(1, len(df) + 1)], name="row_id")
        notes.append("no id column: rows are named row_0001, row_0002, ... in table order")
    for what, cols in [("columns without a role are left out", [str(c) for c in df.columns if c not in roles]),
                       ("excluded from the features", [f"{c} ({r})" for c, r in roles.items()
                                                       if r in EXCLUDED_ROLES and r != "id"])]:
        notes += [f"{what}: {', '.join(cols)}"] if cols else []
    numeric = [c for c, r in roles.items() if r == "numeric"]
    data = check_numeric(df[numeric], numeric) if numeric else df[[]]
    out, ref = {}, None
    dates = [c for c, r in roles.items() if r == "date"]
    if dates:
        ages = DateAgeTransformer(reference_date, date_unit).fit(df[dates])
        ref = ages.reference_
        notes.append(f"dates are measured at {ref:%Y-%m-%d}" + ("" if reference_date else ", the latest in the data"))
        aged = dict(zip(dates, ages.transform(df[dates]).T))
    for col, role in roles.items():
        if role == "numeric":
            out[col] = data[col].to_numpy()
        elif role in ("categorical", "boolean"):
            out[col] = pd.Categorical(level_text(df[col]))
        elif role == "date":
            out[_date_name(col, date_unit)] = aged[col]
    features = pd.DataFrame(out, index=index)
    features.attrs.update(roles=feature_roles(roles, date_unit=date_unit), notes=notes,
                          reference_date=None if ref is None else f"{ref:%Y-%m-%d}")
    return features


def categorical_profile(features: pd.DataFrame, labels, columns: Sequence[str]) -> pd.DataFrame:
    """Share of each level per segment, with its index against the whole table (= 100).

    Parameters
    ----------
    features : DataFrame
        The features table (or any table with ``columns``).
    labels : array-like of shape (n_rows,)
        Segment of each row.
    columns : sequence of str
        Categorical (or boolean) columns to profile. Missing values count as the level ``(missing)``.

    Returns
    -------
    DataFrame
        Long table, one row per segment, column and level: ``segment``, ``column``, ``level``,
        ``count``, ``share`` (within the segment), ``overall_share`` and ``index``
        (``100 * share / overall_share``; 120 means 20% more common in the segment than overall).
    """
    labels = np.asarray(labels)
    if len(labels) != len(features):
        raise DataValueError(f"{len(labels)} labels for {len(features)} rows",
                             fix="pass one segment label per row of the features table")
    _require_columns(columns, features, "profile column(s)")
    parts = []
    for col in columns:
        level = level_text(features[col]).fillna("(missing)").to_numpy(dtype=object)
        counts = pd.crosstab(pd.Series(labels, name="segment"), pd.Series(level, name="level"))
        long = counts.stack().rename("count").reset_index()
        long["share"] = long["count"] / long.groupby("segment")["count"].transform("sum")
        long["overall_share"] = long["level"].map(counts.sum() / counts.to_numpy().sum()).astype(float)
        long["index"] = 100.0 * long["share"] / long["overall_share"]
        long.insert(1, "column", col)
        parts.append(long)
    cols = ["segment", "column", "level", "count", "share", "overall_share", "index"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
