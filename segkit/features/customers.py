"""Customer tables: what each column is, and how it is encoded for clustering.

1. :func:`role_table` decides a *role* for every column and says why, in plain words: ``id``,
   ``numeric``, ``categorical``, ``boolean``, ``date`` (features) or ``text``, ``constant``,
   ``near_unique`` (excluded, like the id). Params override any decision (``ignore`` drops a column).
2. :func:`customer_features` makes the table the rest of the pipeline uses: indexed by the id, dates
   as ages in real units, categories kept as categories (profiled by :func:`categorical_profile`).
3. :func:`build_preprocessor` builds one scikit-learn ``ColumnTransformer`` from the roles: median
   imputation, optional skew transform and scaling for numbers; most-frequent imputation and one-hot
   encoding with rare levels grouped for categories; ages for dates.

The detection rules, in order, for each column:

- no values, or a single value -> ``constant``;
- ``bool`` dtype, two repeated integer values, or two yes/no-like words -> ``boolean``;
- datetime dtype, or text of which 95% parses as dates -> ``date``;
- all distinct, nothing missing, and either an id-like name (``CustomerID``, ``customer_id``,
  ``client_no``), zero-padded digits, consecutive integers, or same-length codes (``C000123``) -> ``id``.
  Only one column is the id: the one with an id-like name, else the leftmost; others -> ``near_unique``;
- numbers (or numbers stored as text): integers with at most 10 levels, each seen 3+ times on
  average, are ``numeric`` when the range is dense (``max - min + 1 <= 2 * levels``: counts and
  ratings such as 1..5) and ``categorical`` otherwise (codes such as 10, 20, 99); every other
  number -> ``numeric``;
- text: mostly distinct values averaging 20+ characters and 3+ words -> ``text``; at least 90%
  distinct (and more than 10 levels) -> ``near_unique``; otherwise ``categorical``. The reason notes
  levels that look ordered (Bronze < Silver < Gold) and columns that look like gender.
"""

from __future__ import annotations

import re
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

from ..errors import ColumnError, DataValueError, ParamsError

__all__ = [
    "ROLES", "FEATURE_ROLES", "EXCLUDED_ROLES", "role_table", "detect_roles", "feature_roles",
    "build_preprocessor", "customer_features", "categorical_profile", "check_numeric", "level_text", "levels_as_text",
    "DateAgeTransformer", "SkewTransformer",
]

#: Every role a column can have.
ROLES = ("id", "numeric", "categorical", "boolean", "date", "text", "constant", "near_unique", "ignore")
#: Roles that feed the segments.
FEATURE_ROLES = ("numeric", "categorical", "boolean", "date")
#: Roles left out of the features (the id becomes the index; ``ignore`` is only set by overrides).
EXCLUDED_ROLES = ("id", "text", "constant", "near_unique", "ignore")

MAX_LEVELS = 10  # integer columns with at most this many levels are checked for codes
NEAR_UNIQUE_SHARE = 0.9  # text columns at least this distinct are near-unique
TEXT_MIN_CHARS = 20  # mean length of free text
DATE_PARSE_SHARE = 0.95  # share of text values that must parse as dates
SKEW_METHODS = ("log", "yeo-johnson", "none")
SCALERS = ("standard", "robust")

_ID_NAME = re.compile(r"(?:^|[_\s.\-])(?:id|key|code|no|num|number)$", re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z](?:ID|Id)$")
_DATE_TEXT = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
                        re.IGNORECASE)
_BOOL_WORDS = [{"yes", "no"}, {"y", "n"}, {"true", "false"}, {"t", "f"}]
_GENDER_WORDS = {"male", "female", "m", "f", "other", "non-binary", "nonbinary", "man", "woman", "unknown"}
_ORDERED = [["bronze", "silver", "gold", "platinum", "diamond"], ["basic", "standard", "plus", "premium", "vip"],
            ["low", "medium", "high"], ["small", "medium", "large"],
            ["never", "rarely", "sometimes", "often", "always"], ["yearly", "quarterly", "monthly", "weekly", "daily"]]


# --- roles ----------------------------------------------------------------------------------------

def _choice(value, choices, key: str, what: str) -> None:
    if value not in choices:
        raise ParamsError(f"{what} is {value!r}, which is unknown", fix="use one of: " + ", ".join(choices), key=key)


def _require_columns(columns, table: pd.DataFrame, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ColumnError(f"{what} not in the data: {', '.join(repr(str(c)) for c in missing)}",
                          fix="use columns from: " + ", ".join(map(str, table.columns)), column=str(missing[0]))


def _id_name(name: str) -> bool:
    return bool(_ID_NAME.search(name) or _ID_CAMEL.search(name))


def _ordered_levels(levels) -> list[str] | None:
    lower = {str(v).strip().lower(): str(v) for v in levels}
    for scale in _ORDERED:
        if len(lower) >= 3 and set(lower) <= set(scale):
            return [lower[w] for w in scale if w in lower]
    return None


def _numeric_role(vals: np.ndarray, name: str, n_missing: int, prefix: str = "") -> tuple[str, str]:
    integral = bool(np.all(np.mod(vals, 1) == 0))
    uniq = np.unique(vals)
    lo, hi, k = vals.min(), vals.max(), len(uniq)
    kind = "integer" if integral else "decimal"
    base = f"{prefix}{kind} values {lo:.10g}..{hi:.10g}"
    if integral and k == len(vals) and n_missing == 0 and k > 2:
        if _id_name(name):
            return "id", f"{base}, all distinct, name '{name}' looks like an id -> id"
        if hi - lo + 1 == k:
            return "id", f"{base}, all distinct and consecutive (a row number) -> id"
    repeated = len(vals) >= 3 * k  # few levels only mean something when values repeat
    if integral and k == 2 and repeated:
        return "boolean", f"{prefix}only two values ({lo:.10g}, {hi:.10g}) -> boolean"
    if integral and k <= MAX_LEVELS and repeated:
        if hi - lo + 1 <= 2 * k:
            return "numeric", f"{base}, {k} levels over a small dense range (a count or rating) -> numeric"
        return "categorical", f"{base}, {k} levels spread over a wide range (codes) -> categorical"
    note = f", name '{name}' looks like an id but values repeat" if _id_name(name) else ""
    return "numeric", f"{base}, {k} distinct{note} -> numeric"


def _text_role(s: pd.Series, name: str, n_missing: int) -> tuple[str, str]:
    text = s.astype(str).str.strip()
    uniq = pd.unique(text)
    k, n = len(uniq), len(text)
    as_num = pd.to_numeric(pd.Series(uniq[:1000]), errors="coerce")  # a cheap look first
    if as_num.notna().all() and (as_num := pd.to_numeric(text, errors="coerce")).notna().all():
        if text.str.fullmatch(r"0\d+").any():
            if k == n and n_missing == 0:
                return "id", f"zero-padded codes {text.min()}..{text.max()}, all distinct -> id"
            return "categorical", f"zero-padded codes, {k} levels -> categorical"
        return _numeric_role(as_num.to_numpy(float), name, n_missing, "numbers stored as text: ")
    sample = pd.Series(uniq[:500])
    if sample.str.contains(_DATE_TEXT).mean() >= DATE_PARSE_SHARE:
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
        if parsed.notna().mean() >= DATE_PARSE_SHARE:
            return "date", (f"text dates from {parsed.min():%Y-%m-%d} to {parsed.max():%Y-%m-%d} "
                            "-> date (as days since)")
    lower = {u.lower() for u in uniq} if k <= 50 else set()
    if k == 2 and any(lower == words for words in _BOOL_WORDS):
        return "boolean", f"two values ({', '.join(sorted(uniq))}) -> boolean"
    if k == n and n_missing == 0:
        codes = text.str.len().nunique() == 1 and text.str.fullmatch(r"[A-Za-z0-9_\-]+").all()
        if _id_name(name) or codes:
            why = f"name '{name}' looks like an id" if _id_name(name) else "same-length codes"
            return "id", f"text codes such as '{uniq[0]}', all distinct, {why} -> id"
    share = k / n
    mean_len = text.str.len().mean()
    if share >= 0.5 and k > MAX_LEVELS and mean_len >= TEXT_MIN_CHARS and text.str.split().str.len().median() >= 3:
        return "text", f"free text: {k} distinct values averaging {mean_len:.0f} characters -> text (excluded)"
    if share >= NEAR_UNIQUE_SHARE and k > MAX_LEVELS:
        return "near_unique", f"{k} distinct values in {n} rows ({share:.0%}) -> near_unique (excluded)"
    shown = sorted(uniq)[:6]
    reason = f"text with {k} levels ({', '.join(shown)}{', ...' if k > 6 else ''}) -> categorical"
    if lower and lower <= _GENDER_WORDS and not re.search(r"gender|sex", name, re.IGNORECASE):
        reason += f"; '{name}' looks like gender (kept under its own name)"
    order = _ordered_levels(uniq)
    if order:
        reason += f"; levels look ordered ({' < '.join(order)}), encoded unordered"
    if k > 50:
        reason += "; many levels, rare ones are grouped"
    return "categorical", reason


def _detect(s: pd.Series, name: str) -> tuple[str, str]:
    nonnull = s.dropna()
    n_missing = len(s) - len(nonnull)
    if nonnull.empty:
        return "constant", "all values missing -> constant (excluded)"
    if nonnull.nunique() == 1:
        return "constant", f"the single value {nonnull.iloc[0]!r} in every filled row -> constant (excluded)"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date", f"dates from {nonnull.min():%Y-%m-%d} to {nonnull.max():%Y-%m-%d} -> date (as days since)"
    if pd.api.types.is_bool_dtype(s) or s.dtype == object and set(pd.unique(nonnull)) <= {True, False}:
        return "boolean", "true/false values -> boolean"
    if pd.api.types.is_numeric_dtype(s):
        return _numeric_role(nonnull.to_numpy(dtype=float), name, n_missing)
    role, reason = _text_role(nonnull, name, n_missing)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered and role == "categorical":
        reason += "; ordered categorical dtype"
    return role, reason


def _check_override(df: pd.DataFrame, overrides: Mapping[str, str] | None) -> dict[str, str]:
    overrides = dict(overrides or {})
    _require_columns(overrides, df, "the roles override names column(s)")
    for col, role in overrides.items():
        _choice(role, ROLES, "roles", f"the role of column {col!r} in the roles override")
    _one_id(overrides)
    return overrides


def _one_id(roles: Mapping[str, str]) -> list[str]:
    ids = [c for c, r in roles.items() if r == "id"]
    if len(ids) > 1:
        raise ParamsError(f"the roles mark {len(ids)} columns as id ({', '.join(map(str, ids))})",
                          fix="a customer table has one id column: keep one and mark the others near_unique",
                          key="roles")
    return ids


def role_table(df: pd.DataFrame, *, overrides: Mapping[str, str] | None = None,
               id_col: str | None = None) -> pd.DataFrame:
    """Decide the role of every column of a customer table, and say why.

    Parameters
    ----------
    df : DataFrame
        The customer table, one row per customer.
    overrides : mapping of str to str, optional
        Column -> role, from the ``roles`` params key; wins over detection.
    id_col : str, optional
        The id column (params ``id_col``); same as overriding its role to ``"id"``.

    Returns
    -------
    DataFrame
        One row per column, in the table's order: ``column``, ``dtype``, ``n_distinct``,
        ``distinct_share`` (of filled rows), ``missing_share``, ``role``, ``reason``.

    Raises
    ------
    ColumnError
        An override or ``id_col`` names a column that is not in the table.
    ParamsError
        An override uses an unknown role, or marks several id columns.

    Examples
    --------
    >>> df = pd.DataFrame({"CustomerID": [1, 2, 3, 4], "Genre": ["Male", "Female", "Female", "Male"],
    ...                    "Age": [19, 35, 64, 41]})
    >>> role_table(df)[["column", "role"]].values.tolist()
    [['CustomerID', 'id'], ['Genre', 'categorical'], ['Age', 'numeric']]
    """
    overrides = _check_override(df, overrides)
    if id_col is not None:
        _require_columns([id_col], df, "id_col names a column")
        overrides = _check_override(df, {**{c: r for c, r in overrides.items() if r != "id"}, id_col: "id"})
    rows = []
    for col in df.columns:
        s = df[col]
        n_filled, n_distinct = int(s.notna().sum()), int(s.nunique())
        rows.append((col, str(s.dtype), n_distinct, n_distinct / max(n_filled, 1), 1 - n_filled / max(len(s), 1),
                     *_detect(s, str(col))))
    table = pd.DataFrame(rows, columns=["column", "dtype", "n_distinct", "distinct_share", "missing_share",
                                        "role", "reason"])
    forced = [c for c, r in overrides.items() if r == "id"]
    candidates = [c for c in table.loc[table.role == "id", "column"] if c not in overrides]
    keep = forced[0] if forced else next((c for c in candidates if _id_name(str(c))), None)
    keep = keep if keep is not None else (candidates[0] if candidates else None)
    for i, col in enumerate(table.column):
        if col in overrides:
            detected = table.at[i, "reason"]
            table.at[i, "reason"] = f"set by the roles override (detected: {table.at[i, 'role']}, {detected})"
            table.at[i, "role"] = overrides[col]
        elif table.at[i, "role"] == "id" and col != keep:
            table.at[i, "role"] = "near_unique"
            table.at[i, "reason"] += f", but {keep!r} is the id -> near_unique (excluded)"
    return table


def detect_roles(df: pd.DataFrame, *, overrides: Mapping[str, str] | None = None,
                 id_col: str | None = None) -> dict[str, str]:
    """Return column -> role, as decided by :func:`role_table` (same parameters)."""
    table = role_table(df, overrides=overrides, id_col=id_col)
    return dict(zip(table["column"], table["role"]))


def _check_roles(roles: Mapping[str, str]) -> None:
    for col, role in roles.items():
        _choice(role, ROLES, "roles", f"the role of column {col!r}")


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


def check_numeric(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``df`` with ``columns`` as numbers; text that is not a number is a :class:`ColumnError`.

    Numbers stored as text (``"42"``) are converted. The error gives the count of bad values and up
    to five examples.
    """
    out = df.copy()
    for col in columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        num = pd.to_numeric(s.astype(object).where(s.notna(), np.nan), errors="coerce")
        bad = s[s.notna() & num.isna()]
        if len(bad):
            raise ColumnError(f"column {col!r} should hold numbers but {len(bad)} value(s) are text (examples: "
                              f"{', '.join(repr(str(v)) for v in pd.unique(bad)[:5])})", column=str(col),
                              fix=f"clean or drop those rows, or give {col!r} the categorical role in the roles params")
        out[col] = num.astype(float)
    return out


def _to_datetime(s: pd.Series) -> pd.Series:
    out = s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(
        s.astype(object).where(s.notna(), None), errors="coerce", format="mixed")
    return out.dt.tz_convert(None) if getattr(out.dt, "tz", None) is not None else out


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
        The reference date used. ``n_features_in_`` and ``feature_names_in_`` as usual.

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
        self.reference_ = pd.Timestamp(latest)
        return self

    def transform(self, X):
        """Return the ages as a float array (missing dates stay NaN)."""
        check_is_fitted(self, "reference_")
        validate_data(self, X, skip_check_array=True, reset=False)
        ages = [_age(d, self.reference_, self.unit) for d in self._dates(X)]
        return np.column_stack(ages) if ages else np.empty((len(X), 0))

    def get_feature_names_out(self, input_features=None):
        """Names such as ``days_since_signup_date``."""
        check_is_fitted(self, "reference_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([_date_name(str(c), self.unit) for c in input_features], dtype=object)


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
