"""Exploratory tables for the 01_eda report: computation only, no plotting.

Every function takes any DataFrame (transactions, demographics, customer features) and returns a
small table with a ``column`` column naming the input column it describes and a fresh RangeIndex,
ready to render. No function returns raw rows: :func:`schema_table` shows one example value per
column, and redacts identifier columns.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"CustomerID": [1.0, 2.0, None], "Spend": [10.0, 20.0, 30.0]})
>>> schema_table(df)[["column", "non_null", "example"]]
       column  non_null     example
0  CustomerID         2  (redacted)
1       Spend         3          10
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import ColumnError, ParamsError
from .quality import fences

__all__ = [
    "REDACTED",
    "looks_like_identifier",
    "numeric_columns",
    "measure_columns",
    "schema_table",
    "missing_table",
    "numeric_summary",
    "outlier_table",
    "duplicate_summary",
]

REDACTED = "(redacted)"
_ID_NAME = re.compile(r"^(customer|cust|client|user|member|account|person)[\W_]*"
                      r"(id|no|number|nr|key|code)?$|^(email|e[\W_]*mail|phone|name|full[\W_]*name)$")


def looks_like_identifier(name: object) -> bool:
    """True for column names like ``CustomerID``, ``customer_id``, ``cust``, ``email``, ``name``."""
    return bool(_ID_NAME.match(str(name).strip().lower()))


def _check_columns(df: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    columns = list(columns)
    absent = [c for c in columns if c not in df.columns]
    if absent:
        noun = "column" if len(absent) == 1 else "columns"
        raise ColumnError(f"{noun} not in the table: {', '.join(map(str, absent))}",
                          f"choose from: {', '.join(map(str, df.columns))}", column=str(absent[0]))
    return columns


def _numeric_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def numeric_columns(df: pd.DataFrame, *, exclude: Iterable[str] = ()) -> list:
    """Names of the numeric, non-boolean columns of ``df``, minus ``exclude`` (e.g. id columns)."""
    exclude = set(exclude or ())
    return [c for c in _numeric_columns(df) if c not in exclude]


def measure_columns(df: pd.DataFrame, *, exclude: Iterable[str] = ()) -> list:
    """:func:`numeric_columns` without those named like identifiers (:func:`looks_like_identifier`): the columns
    worth a histogram."""
    return [c for c in numeric_columns(df, exclude=exclude) if not looks_like_identifier(c)]


def _example(s: pd.Series, width: int = 40) -> str:
    valid = s.dropna()
    if valid.empty:
        return ""
    first = valid.iloc[0]
    whole = isinstance(first, (float, np.floating)) and float(first).is_integer()  # "1", not "1.0" of a float column
    text = str(int(first)) if whole else str(first)
    return text if len(text) <= width else text[: width - 1] + "…"


def schema_table(df: pd.DataFrame, *, redact: Iterable[str] | None = None,
                 auto_redact: bool = True) -> pd.DataFrame:
    """One row per column: dtype, non-null count, missing share, distinct count, an example value.

    Parameters
    ----------
    df : DataFrame
    redact : iterable of str, optional
        Columns whose example value is replaced by ``"(redacted)"`` (names not in ``df`` are
        ignored, so a mapping for another data kind does no harm).
    auto_redact : bool
        Also redact columns whose name looks like a customer identifier or contact detail (see
        :func:`looks_like_identifier`). Set False, with ``redact=[]``, to redact nothing.

    Returns
    -------
    DataFrame
        Columns ``column``, ``dtype``, ``non_null``, ``missing_share`` (0-1), ``distinct``
        (non-missing distinct values), ``example`` (the first non-missing value as text, at most
        40 characters).
    """
    redact = set(redact or ())
    if auto_redact:
        redact |= {c for c in df.columns if looks_like_identifier(c)}
    n = len(df)
    rows = []
    for col in df.columns:
        s = df[col]
        non_null = int(s.notna().sum())
        try:
            distinct = int(s.nunique(dropna=True))
        except TypeError:  # unhashable cells (lists, dicts)
            distinct = int(s.astype("str").nunique(dropna=True))
        rows.append({"column": str(col), "dtype": str(s.dtype), "non_null": non_null,
                     "missing_share": (n - non_null) / n if n else 0.0, "distinct": distinct,
                     "example": REDACTED if col in redact else _example(s)})
    return pd.DataFrame(rows, columns=["column", "dtype", "non_null", "missing_share",
                                       "distinct", "example"])


def missing_table(df: pd.DataFrame, *, only_missing: bool = False) -> pd.DataFrame:
    """Missing values per column.

    Parameters
    ----------
    df : DataFrame
    only_missing : bool
        Keep only columns with at least one missing value.

    Returns
    -------
    DataFrame
        Columns ``column``, ``missing`` (count), ``missing_share`` (0-1), in the column order of
        ``df``.
    """
    missing = df.isna().sum()
    out = pd.DataFrame({"column": [str(c) for c in df.columns],
                        "missing": missing.to_numpy(dtype="int64"),
                        "missing_share": missing.to_numpy(dtype="float64") / len(df)
                        if len(df) else 0.0})
    if only_missing:
        out = out[out["missing"] > 0].reset_index(drop=True)
    return out


def numeric_summary(df: pd.DataFrame, *,
                    percentiles: Sequence[float] = (0.01, 0.25, 0.5, 0.75, 0.99)) -> pd.DataFrame:
    """Count, mean, std, min, quantiles and max of every numeric (non-boolean) column.

    Returns
    -------
    DataFrame
        Columns ``column``, ``count``, ``mean``, ``std`` (ddof=1), ``min``, one column per
        percentile named like ``p25``, ``max``. Missing values are ignored.
    """
    cols = _numeric_columns(df)
    qnames = [f"p{100 * q:g}" for q in percentiles]
    header = ["column", "count", "mean", "std", "min", *qnames, "max"]
    if not cols:
        return pd.DataFrame(columns=header)
    num = df[cols].astype("float64").replace([np.inf, -np.inf], np.nan)  # infinite values are a finding of their own
    q = num.quantile(list(percentiles)).T
    q.columns = qnames
    out = pd.concat([num.count().rename("count"), num.mean().rename("mean"),
                     num.std().rename("std"), num.min().rename("min"), q,
                     num.max().rename("max")], axis=1)
    out.insert(0, "column", [str(c) for c in cols])
    return out.reset_index(drop=True)[header]


def outlier_table(df: pd.DataFrame, columns: Iterable[str] | None = None, *,
                  method: str = "iqr", factor: float = 3.0) -> pd.DataFrame:
    """Count and share of outlying values per numeric column, with the bounds used.

    Parameters
    ----------
    df : DataFrame
    columns : iterable of str, optional
        Numeric columns to check (default: all numeric, non-boolean columns).
    method : {"iqr", "zscore"}
        "iqr": outside ``[Q1 - factor * IQR, Q3 + factor * IQR]``, measured on ``log1p`` (upper side only)
        for skewed columns of non-negative values, as :func:`segkit.quality.fences`. "zscore": outside
        ``mean +- factor * std`` (ddof=1).
    factor : float
        Width of the accepted band (3 = "far out" for IQR, 3 standard deviations for zscore).

    Returns
    -------
    DataFrame
        Columns ``column``, ``n`` (non-missing values), ``lower``, ``upper``, ``below``, ``above``,
        ``outliers`` (below + above), ``outlier_share`` (outliers / n). Binary and near-constant columns
        (two values or fewer, or no spread between the quartiles for "iqr") are left out: a 1 in a column of
        0s and 1s is not an outlier.
    """
    if method not in ("iqr", "zscore"):
        raise ParamsError(f"unknown outlier method {method!r}", "use 'iqr' or 'zscore'")
    if not factor > 0:
        raise ParamsError(f"outlier factor must be positive, got {factor!r}",
                          "use a positive number such as 1.5 or 3")
    numeric = _numeric_columns(df)
    cols = numeric if columns is None else _check_columns(df, columns)
    wrong = [c for c in cols if c not in numeric]
    if wrong:
        raise ColumnError(f"{'column' if len(wrong) == 1 else 'columns'} not numeric: {', '.join(map(str, wrong))}",
                          f"check only numeric columns: {', '.join(map(str, numeric))}",
                          column=str(wrong[0]))
    header = ["column", "n", "lower", "upper", "below", "above", "outliers", "outlier_share"]
    if not cols:
        return pd.DataFrame(columns=header)
    num = df[cols].astype("float64").replace([np.inf, -np.inf], np.nan)  # infinite values are a finding of their own
    cols = [c for c in cols if num[c].nunique() > 2]
    if method == "iqr":  # the data-quality findings' fences: on log1p for skewed non-negative columns
        bounds = pd.DataFrame([fences(num[c], factor)[:2] for c in cols], index=cols, columns=["lower", "upper"])
        cols = [c for c in cols if np.isfinite(bounds.loc[c]).any()]  # none: no spread between the quartiles
        lower, upper = bounds.loc[cols, "lower"], bounds.loc[cols, "upper"]
    num = num[cols]
    if not cols:
        return pd.DataFrame(columns=header)
    if method != "iqr":
        mean, std = num.mean(), num.std()
        lower, upper = mean - factor * std, mean + factor * std
    below = num.lt(lower, axis=1).sum()
    above = num.gt(upper, axis=1).sum()
    n = num.count()
    out = pd.DataFrame({"column": [str(c) for c in cols], "n": n.to_numpy(dtype="int64"),
                        "lower": lower.to_numpy(), "upper": upper.to_numpy(),
                        "below": below.to_numpy(dtype="int64"),
                        "above": above.to_numpy(dtype="int64")})
    out["outliers"] = out["below"] + out["above"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["outlier_share"] = np.where(out["n"] > 0, out["outliers"] / out["n"].clip(lower=1),
                                        0.0)
    return out[header]


def duplicate_summary(df: pd.DataFrame, *, subset: Sequence[str] | None = None) -> pd.DataFrame:
    """How many rows repeat an earlier row exactly (or on ``subset``, e.g. a customer id).

    Returns
    -------
    DataFrame
        One row: ``rows``, ``duplicate_rows`` (rows identical to an earlier row, i.e. what
        dropping duplicates would remove), ``duplicate_share``, ``duplicated_groups`` (distinct
        rows that occur more than once), ``subset`` ("all columns" or the column names).
    """
    cols = None if subset is None else _check_columns(df, subset)
    n = len(df)
    if n == 0:
        dup_rows, groups = 0, 0
    else:
        first_dup = df.duplicated(subset=cols, keep="first")
        dup_rows = int(first_dup.sum())
        # the rows that occur more than once: the distinct ones among the repeats (one pass over the repeats only)
        groups = int((~df[first_dup.to_numpy()].duplicated(subset=cols, keep="first")).sum())
    return pd.DataFrame([{"rows": n, "duplicate_rows": dup_rows,
                          "duplicate_share": dup_rows / n if n else 0.0,
                          "duplicated_groups": groups,
                          "subset": "all columns" if cols is None else ", ".join(map(str, cols))}])
