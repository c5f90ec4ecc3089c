"""Customer tables: what each column is, and how it is encoded for clustering.

1. :func:`role_table` decides a *role* for every column and says why, in plain words: ``id``,
   ``numeric``, ``categorical``, ``boolean``, ``date`` (features) or ``text``, ``constant``,
   ``near_unique`` (excluded, like the id). Params override any decision (``ignore`` drops a column).
2. :func:`customer_features` makes the table the rest of the pipeline uses: indexed by the id, dates
   as ages in real units, categories kept as categories (profiled by :func:`categorical_profile`).
3. :func:`~segkit.kinds.customers.encoding.build_preprocessor` builds one scikit-learn ``ColumnTransformer``
   from the roles: median imputation, optional skew transform and scaling for numbers; most-frequent
   imputation and one-hot encoding with rare levels grouped for categories; ages for dates.

Role detection lives in :mod:`segkit.kinds.customers.roles` and the encoding (with its transformers) in
:mod:`segkit.kinds.customers.encoding`; their names are re-exported here. This module does not import
scikit-learn or SciPy, so that checking an input (``segkit check``, the start of ``segkit run``) does not
load them: the encoding's names load them when first used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError
from ...format import YES_NO
from ...naming.words import counted
from ...parse import read_numbers
# the readings of values are given here too, as before they moved (a model saved until 1 December 2026 names
# segkit.kinds.customers.features.levels_as_text)
from .values import (_UNIT_DAYS, _date_name, _to_datetime, aged_dates, date_ages, level_text,  # noqa: F401
                     levels_as_text, reference_date_of)
from .scales import scale_json, scale_of, scale_scores
from .roles import (EXCLUDED_ROLES, FEATURE_ROLES, ROLES, YES_NO_ABROAD, _check_roles, _choice,  # noqa: F401
                    _one_id, _require_columns, detect_roles, find_id_column, role_table)

__all__ = [
    "ROLES", "FEATURE_ROLES", "EXCLUDED_ROLES", "role_table", "detect_roles", "feature_roles",
    "build_preprocessor", "customer_features", "categorical_profile", "check_numeric", "level_text", "levels_as_text",
    "DateAgeTransformer", "FenceClipper", "SkewTransformer", "find_id_column", "reference_date_of", "date_ages",
]

#: Names of :mod:`segkit.kinds.customers.encoding` that this module gives too (loaded on first use).
_ENCODING = ("build_preprocessor", "DateAgeTransformer", "FenceClipper", "SkewTransformer", "SKEW_METHODS", "SCALERS")


def __getattr__(name: str):
    if name in _ENCODING:
        from . import encoding

        return getattr(encoding, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- roles of the features table ------------------------------------------------------------------

def feature_roles(roles: Mapping[str, str], *, date_unit: str = "days") -> dict[str, str]:
    """Roles of :func:`customer_features`' columns (dates become numeric ages), for :func:`build_preprocessor`."""
    _check_roles(roles)
    return {(_date_name(c, date_unit) if r == "date" else c): ("numeric" if r == "date" else r)
            for c, r in roles.items() if r in FEATURE_ROLES}


# --- values ---------------------------------------------------------------------------------------

def check_numeric(df: pd.DataFrame, columns: Sequence[str], *, decimal: str | None = None,
                  thousands: str | None = None, fix: str | None = None) -> pd.DataFrame:
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
            raise ColumnError(f"column {col!r} should hold numbers but {counted(reading.n_unparsed, 'values')} "
                              f"{'is' if reading.n_unparsed == 1 else 'are'} text "
                              f"(examples: {', '.join(map(repr, reading.unparsed_examples))})", column=str(col),
                              fix=(fix or "clean or drop those rows, or give {column} the categorical role in the "
                                   "roles params").format(column=repr(col)))
        out[col] = reading.values
    return out


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
        numeric columns as numbers, ordinal columns as their scores (1 for the scale's first level;
        :mod:`~segkit.kinds.customers.scales`), categorical and boolean columns as ``category`` dtype (levels as
        text, see :func:`level_text`), each date column ``c`` as ``days_since_c``, each outcome column as 1.0 where it
        happened (:func:`outcome_share`). ``attrs`` holds ``roles`` (roles of the returned columns, for
        :func:`build_preprocessor`), ``notes`` (list of str), ``reference_date``, ``outcomes`` (outcome column ->
        the level that means it happened) and ``scales`` (ordinal column -> its scale's levels, each a list of the
        ways it is written).

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
            raise DataValueError(f"id column {ids[0]!r} has {counted(len(bad), 'missing or duplicate values')} "
                                 f"(examples: {', '.join(map(str, pd.unique(bad)[:5]))})",
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
    out, ref, outcomes, levels_of = {}, None, {}, {}
    dates = [c for c, r in roles.items() if r == "date"]
    if dates:  # as DateAgeTransformer measures them, without loading scikit-learn
        ref, ages = aged_dates(df[dates], reference_date, date_unit)
        notes.append(f"Dates are measured at {ref:%d %B %Y}" + ("" if reference_date else ", the latest in the data") + ".")
        aged = dict(zip(dates, ages.T))
    scales = {c: scale_of(df[c], c) for c, r in roles.items() if r == "ordinal"}
    for col, role in roles.items():
        if role == "numeric":
            out[col] = data[col].to_numpy()
        elif role == "ordinal":
            out[col] = scale_scores(df[col], scales[col])
        elif role in ("categorical", "boolean"):
            out[col] = pd.Categorical(level_text(df[col]))
        elif role == "date":
            out[_date_name(col, date_unit)] = aged[col]
        elif role == "outcome":
            out[col], outcomes[col] = outcome_share(df[col])
            levels_of[col] = sorted(map(str, level_text(df[col]).dropna().unique()), key=_in_order)
    features = pd.DataFrame(out, index=index)
    features.attrs.update(roles=feature_roles(roles, date_unit=date_unit), notes=notes,
                          reference_date=None if ref is None else f"{ref:%Y-%m-%d}", outcomes=outcomes,
                          outcome_levels=levels_of,
                          scales={c: scale_json(s) for c, s in scales.items() if s is not None})
    return features


def _in_order(level: str) -> tuple:
    """Numbers by their value ("2" before "10"), then words."""
    try:
        return (0, float(level), level)
    except ValueError:
        return (1, 0.0, level)


#: Levels that say an outcome happened: the yes of every yes/no pair roles reads, and 1.
_HAPPENED = frozenset({yes for yes, _ in YES_NO + YES_NO_ABROAD} | {"1"})


def outcome_share(values: pd.Series) -> tuple[np.ndarray, str]:
    """An outcome column as 1.0 where it happened, 0.0 where not (NaN where not known), and the level that means it
    happened: the yes of yes/no, true/false or 1/0, else the rarer level (churn is the exception, not the rule).

    >>> outcome_share(pd.Series(["No", "Yes", None, "No"]))
    (array([ 0.,  1., nan,  0.]), 'Yes')
    >>> outcome_share(pd.Series(["Existing", "Attrited", "Existing"]))[1]
    'Attrited'
    """
    text = level_text(values)
    counts = text.value_counts()
    yes = [level for level in counts.index if str(level).strip().lower() in _HAPPENED]
    level = yes[0] if yes else sorted(counts.index, key=lambda v: (counts[v], str(v)))[0]
    return np.where(text.isna(), np.nan, (text == level).to_numpy(dtype=float)), str(level)


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
