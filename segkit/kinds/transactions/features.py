"""Customer features from a cleaned transaction table: RFM and behaviour.

Input is the output of :func:`segkit.kinds.transactions.clean.clean_transactions` (its normalised columns
``customer_id``, ``invoice_id``, ``date``, ``quantity``, ``amount``, ``is_cancellation`` and,
optionally, ``stock_code`` and ``country``). Output has one row per customer, indexed by
``customer_id`` (str) in sorted order.

Conventions
-----------
* Days are calendar days: times of day are ignored. The *snapshot date* is the day the features are
  measured at; it defaults to the day after the last purchase in the data and must be after every
  purchase, so recency is at least 1. Returns and refunds dated after it (an export of the orders of a period
  with the returns processed since) still count against net spend: measured from the last such line, a shop
  export's every recency was 19 days too long and its churn overstated.
* *Purchases* are lines not flagged ``is_cancellation``. Recency, frequency, tenure and the
  purchase-date features use purchases only; ``monetary`` and the spend windows net cancellations.
* Customers with only cancellation lines (they returned goods bought before the data starts) have no
  purchase, so recency is undefined: they are dropped. Their ids are in
  ``features.attrs["dropped_customers"]``; ``features.attrs["snapshot_date"]`` records the snapshot.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError, ParamsError
from ...featureset import FrozenIds

__all__ = [
    "FEATURE_DESCRIPTIONS",
    "SHORT_LABELS",
    "UNITS",
    "RFM_FEATURES",
    "BEHAVIOUR_FEATURES",
    "SKEW_THRESHOLD",
    "rfm_features",
    "behaviour_features",
    "signed_log1p",
    "transform_features",
    "stand_in_gaps",
]

#: Plain-language meaning of every feature, for axis labels and reports.
FEATURE_DESCRIPTIONS: dict[str, str] = {
    "recency": "Days since the customer's last purchase (at the snapshot date)",
    "frequency": "Number of separate orders (invoices) placed, cancellations not counted",
    "monetary": "Total net spend: purchases minus cancellations and returns",
    "tenure": "Days since the customer's first purchase (at the snapshot date)",
    "avg_order_value": "Average value of an order: spend on purchases divided by number of orders",
    "distinct_products": "Number of different products bought",
    "basket_size": "Average number of items per order",
    "interpurchase_mean": "Average days between purchase days (for a customer with one purchase day, the days since "
                          "it; the profiles and sentences leave those out)",
    "interpurchase_std": "How irregular the gaps between purchase days are (standard deviation "
                         "in days; 0 with fewer than three purchase days, which the profiles and sentences leave out)",
    "returns_rate": "Share of the customer's order lines that were cancelled or returned",
    "weekend_share": "Share of orders placed on a Saturday or Sunday",
    "spend_30d": "Net spend in the 30 days before the snapshot date",
    "spend_90d": "Net spend in the 90 days before the snapshot date",
    "spend_before_90d": "Net spend more than 90 days before the snapshot date",
    "country": "The country the customer ordered from most often",
}

#: Short labels for tables, cards and axes (the descriptions above are for the feature glossary).
SHORT_LABELS: dict[str, str] = {
    "recency": "Days since last purchase", "frequency": "Orders", "monetary": "Net spend",
    "tenure": "Days as a customer", "avg_order_value": "Average order value",
    "distinct_products": "Different products", "basket_size": "Items per order",
    "interpurchase_mean": "Days between purchases", "interpurchase_std": "Spread of days between purchases",
    "returns_rate": "Lines returned", "weekend_share": "Weekend orders", "spend_30d": "Spend, last 30 days",
    "spend_90d": "Spend, last 90 days", "spend_before_90d": "Spend before the last 90 days", "country": "Country",
}

#: Without an order id one purchase is one customer-day: the features that count orders say so.
DAY_DESCRIPTIONS: dict[str, str] = {
    "frequency": "Number of days with a purchase (no order id: one purchase is one customer-day)",
    "avg_order_value": "Average spend per purchase day: spend on purchases divided by the days with a purchase",
    "basket_size": "Average number of items per purchase day",
    "weekend_share": "Share of purchase days that were a Saturday or Sunday",
}
DAY_SHORT_LABELS: dict[str, str] = {"frequency": "Purchase days", "avg_order_value": "Spend per purchase day",
                                    "basket_size": "Items per purchase day", "weekend_share": "Weekend purchase days"}

#: The unit of each feature, for formatting values in reports.
UNITS: dict[str, str] = {
    "recency": "days", "frequency": "count", "monetary": "money", "tenure": "days", "avg_order_value": "money",
    "distinct_products": "count", "basket_size": "count", "interpurchase_mean": "days", "interpurchase_std": "days",
    "returns_rate": "share", "weekend_share": "share", "spend_30d": "money", "spend_90d": "money",
    "spend_before_90d": "money",
}

#: Features where a lower value is better for the business (shown in green when below the whole).
LOWER_IS_BETTER: frozenset[str] = frozenset({"recency", "interpurchase_mean", "interpurchase_std", "returns_rate"})
#: Features that are neither good nor bad news in themselves, shown without a colour: a short time as a customer is
#: a new customer (what "New Customers" are named for), a long one a loyal customer; a weekend share is a habit.
NEUTRAL: frozenset[str] = frozenset({"tenure", "weekend_share"})

RFM_FEATURES: tuple[str, ...] = ("recency", "frequency", "monetary", "tenure", "avg_order_value")
BEHAVIOUR_FEATURES: tuple[str, ...] = RFM_FEATURES + (
    "distinct_products", "basket_size", "interpurchase_mean", "interpurchase_std", "returns_rate",
    "weekend_share", "spend_30d", "spend_90d", "spend_before_90d", "country",
)

def stand_in_gaps(table: pd.DataFrame) -> dict[str, list[int]]:
    """The positions of the gap values that stand in for gaps a customer never had, as ``imputed_rows`` records
    filled values: ``interpurchase_mean`` of a customer with one purchase day (the days since it: recency equals
    tenure) and ``interpurchase_std`` of one with fewer than three (0: the one gap, if any, spans first to last).
    The features keep them; the profile, the cards and the sentences leave them out, so that a till export's
    one-time buyers no longer read "narrower spread of days between purchases (typically 0 days vs 24 days)".

    >>> t = pd.DataFrame({"recency": [5, 3, 1], "tenure": [5, 13, 21], "interpurchase_mean": [5.0, 10.0, 5.0],
    ...                   "interpurchase_std": [0.0, 0.0, 1.0]})
    >>> stand_in_gaps(t)
    {'interpurchase_mean': [0], 'interpurchase_std': [0, 1]}
    """
    if not {"recency", "tenure", "interpurchase_mean"} <= set(table.columns):
        return {}
    span = (table["tenure"] - table["recency"]).to_numpy(dtype="float64")  # days from the first purchase to the last
    mean = table["interpurchase_mean"].to_numpy(dtype="float64")
    found = {"interpurchase_mean": np.abs(span) < 0.5, "interpurchase_std": mean >= span - 0.5}
    return {c: [int(i) for i in np.flatnonzero(rows)] for c, rows in found.items() if c in table.columns and rows.any()}


#: Columns whose sample skewness exceeds this get a (signed) log1p in :func:`transform_features`.
SKEW_THRESHOLD = 1.0

_REQUIRED = ("customer_id", "invoice_id", "date", "amount", "is_cancellation")


def _prepare(clean: pd.DataFrame, snapshot_date, extra: Sequence[str] = ()) -> dict:
    """Validate ``clean`` and compute the shared arrays (customer codes, days, masks)."""
    missing = [c for c in (*_REQUIRED, *extra) if c not in clean.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise ColumnError(
            f"the transaction table lacks the normalised {noun} {', '.join(missing)}",
            "pass the output of segkit.kinds.transactions.clean.clean_transactions (available columns: "
            f"{', '.join(map(str, clean.columns))})", column=missing[0])
    if len(clean) == 0:
        raise DataValueError("the transaction table is empty",
                             "check the cleaning log: every row was removed by some rule")
    dates = clean["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ColumnError("column 'date' is not a datetime column",
                          "pass the output of segkit.kinds.transactions.clean.clean_transactions", column="date")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    day = dates.to_numpy().astype("datetime64[D]").astype("int64")
    cancel = clean["is_cancellation"].to_numpy(dtype=bool)
    last_day = int(day[~cancel].max() if (~cancel).any() else day.max())  # the last purchase
    if snapshot_date is None:
        snap = last_day + 1
    else:
        snap = int(np.datetime64(pd.Timestamp(snapshot_date).date(), "D").astype("int64"))
        if snap <= last_day:
            last = np.datetime64(last_day, "D")
            raise DataValueError(
                f"snapshot_date {pd.Timestamp(snapshot_date).date()} is not after the last "
                f"purchase day {last}",
                f"use a snapshot date of {last + 1} or later, or filter the transactions first")
    codes, uniques = pd.factorize(clean["customer_id"].astype("str"), sort=True)
    invoice = _value_codes(clean["invoice_id"])
    amount = clean["amount"].to_numpy(dtype="float64")
    n_cust = len(uniques)
    has_purchase = np.bincount(codes[~cancel], minlength=n_cust) > 0
    return {"codes": codes, "ids": np.asarray(uniques, dtype=object), "day": day, "snap": snap,
            "cancel": cancel, "amount": amount, "n": n_cust, "keep": has_purchase, "invoice": invoice}


def _sum(codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``weights`` per code, as floats (numpy gives integers when no line is selected)."""
    return np.bincount(codes, weights=weights, minlength=n).astype("float64", copy=False)


def _unique_sorted(x: np.ndarray) -> np.ndarray:
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def _value_codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values`` (missing values get a code of their own)."""
    return pd.factorize(values, use_na_sentinel=False)[0].astype("int64")


def _n_distinct(codes: np.ndarray, vcodes: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct value codes per customer code."""
    width = int(vcodes.max()) + 1 if len(vcodes) else 1
    pairs = _unique_sorted(codes.astype("int64") * width + vcodes)
    return np.bincount(pairs // width, minlength=n)


def _rfm(clean: pd.DataFrame, p: dict) -> dict[str, np.ndarray]:
    codes, day, cancel, amount, n = p["codes"], p["day"], p["cancel"], p["amount"], p["n"]
    buy = ~cancel
    last = np.full(n, day.min())  # customers without purchases are dropped later
    np.maximum.at(last, codes[buy], day[buy])
    first = np.full(n, day.max())
    np.minimum.at(first, codes[buy], day[buy])
    frequency = _n_distinct(codes[buy], p["invoice"][buy], n)
    purchase_spend = _sum(codes[buy], amount[buy], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        aov = purchase_spend / frequency
    return {
        "recency": p["snap"] - last,
        "frequency": frequency.astype("int64"),
        "monetary": _sum(codes, amount, n),
        "tenure": p["snap"] - first,
        "avg_order_value": aov,
    }


def _frame(cols: dict[str, np.ndarray], p: dict) -> pd.DataFrame:
    keep = p["keep"]
    index = pd.Index(p["ids"][keep], name="customer_id", dtype="str")
    out = pd.DataFrame({k: v[keep] for k, v in cols.items()}, index=index)
    out.attrs["snapshot_date"] = str(np.datetime64(p["snap"], "D"))
    out.attrs["dropped_customers"] = FrozenIds(str(x) for x in p["ids"][~keep])
    return out


def rfm_features(clean: pd.DataFrame, *, snapshot_date=None) -> pd.DataFrame:
    """Recency, frequency, monetary value, tenure and average order value per customer.

    Parameters
    ----------
    clean : DataFrame
        Output of :func:`segkit.kinds.transactions.clean.clean_transactions`.
    snapshot_date : date-like, optional
        The day features are measured at (times ignored). Default: the day after the last purchase
        in the data. Must be after every purchase (returns dated after it count against net spend).

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str, sorted); columns

        - ``recency`` (int): snapshot day minus the day of the last purchase (>= 1);
        - ``frequency`` (int): distinct purchase (non-cancelled) invoices (>= 1);
        - ``monetary`` (float): sum of all line amounts, cancellation lines (negative) included;
          negative for customers who returned more than they bought in the period;
        - ``tenure`` (int): snapshot day minus the day of the first purchase (>= recency);
        - ``avg_order_value`` (float): sum of purchase-line amounts (cancellations excluded)
          divided by ``frequency``, i.e. the mean value of an order as placed.

        Customers with only cancellation lines are dropped; ``attrs["dropped_customers"]`` lists
        them and ``attrs["snapshot_date"]`` holds the snapshot day (ISO string).

    Raises
    ------
    ColumnError
        ``clean`` lacks a normalised column.
    DataValueError
        The table is empty, or ``snapshot_date`` is not after the last purchase day.
    """
    p = _prepare(clean, snapshot_date)
    return _frame(_rfm(clean, p), p)


def behaviour_features(clean: pd.DataFrame, *, snapshot_date=None) -> pd.DataFrame:
    """RFM plus purchase-behaviour features per customer (see :data:`FEATURE_DESCRIPTIONS`).

    Parameters
    ----------
    clean : DataFrame
        Output of :func:`segkit.kinds.transactions.clean.clean_transactions` (needs ``quantity`` too).
    snapshot_date : date-like, optional
        As in :func:`rfm_features`.

    Returns
    -------
    DataFrame
        The :func:`rfm_features` columns, then

        - ``distinct_products`` (int): distinct stock codes among purchase lines (only when the
          table has ``stock_code``);
        - ``basket_size`` (float): purchased quantity divided by ``frequency``;
        - ``interpurchase_mean`` (float): mean gap in days between consecutive distinct purchase
          days; with a single purchase day it is the days since that day (= ``tenure``), a lower
          bound of the gap to the next purchase;
        - ``interpurchase_std`` (float): population standard deviation (ddof=0) of those gaps; 0
          with fewer than two gaps;
        - ``returns_rate`` (float): cancellation lines divided by all lines of the customer;
        - ``weekend_share`` (float): share of purchase invoices dated Saturday or Sunday;
        - ``spend_30d``, ``spend_90d`` (float): net line amounts dated 1 to 30 (90) days before
          the snapshot day; ``spend_before_90d``: more than 90 days before, so
          ``spend_90d + spend_before_90d == monetary``;
        - ``country`` (str): the customer's most frequent country over all lines, ties broken
          alphabetically (only when the table has ``country``).

        Same rows, order and ``attrs`` as :func:`rfm_features`.
    """
    p = _prepare(clean, snapshot_date, extra=("quantity",))
    codes, cancel, n = p["codes"], p["cancel"], p["n"]
    buy = ~cancel
    cols = _rfm(clean, p)
    freq = cols["frequency"]

    if "stock_code" in clean.columns:
        cols["distinct_products"] = _n_distinct(
            codes[buy], _value_codes(clean["stock_code"])[buy], n).astype("int64")
    qty = clean["quantity"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        cols["basket_size"] = _sum(codes[buy], qty[buy], n) / freq
    cols["interpurchase_mean"], cols["interpurchase_std"] = _purchase_gaps(p, buy, cols["tenure"])
    n_lines = np.bincount(codes, minlength=n)
    cols["returns_rate"] = np.bincount(codes[cancel], minlength=n) / np.maximum(n_lines, 1)
    cols["weekend_share"] = _weekend_share(p, buy, freq)
    cols.update(_spend_windows(p))

    out = _frame(cols, p)
    if "country" in clean.columns:
        out["country"] = _top_country(clean, p)
    return out


def _purchase_gaps(p: dict, buy: np.ndarray, tenure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population standard deviation of the gaps between distinct purchase days, per customer
    (one purchase day: the mean is ``tenure``, the deviation 0)."""
    codes, day, n = p["codes"], p["day"], p["n"]
    span = day.max() - day.min() + 1
    base = day.min()
    cd = _unique_sorted(codes[buy].astype("int64") * span + (day[buy] - base))
    c_of, d_of = cd // span, cd % span
    same = c_of[1:] == c_of[:-1]
    gaps = (d_of[1:] - d_of[:-1])[same].astype("float64")
    gcode = c_of[1:][same]
    n_gaps = np.bincount(gcode, minlength=n)
    g_sum = _sum(gcode, gaps, n)
    g_sq = _sum(gcode, gaps**2, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = g_sum / n_gaps
        var = np.maximum(g_sq / n_gaps - mean**2, 0.0)
    return np.where(n_gaps > 0, mean, tenure.astype("float64")), np.where(n_gaps > 1, np.sqrt(var), 0.0)


def _weekend_share(p: dict, buy: np.ndarray, freq: np.ndarray) -> np.ndarray:
    """Share of each customer's distinct purchase invoices dated (by their earliest line) on a weekend."""
    codes, day, n = p["codes"], p["day"], p["n"]
    width = int(p["invoice"].max()) + 1
    key = codes[buy].astype("int64") * width + p["invoice"][buy]
    uniq, inverse = np.unique(key, return_inverse=True)
    inv_day = np.full(len(uniq), day.max())
    np.minimum.at(inv_day, inverse, day[buy])
    inv_code = uniq // width
    weekday = (inv_day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    weekend = np.bincount(inv_code, weights=(weekday >= 5).astype(float), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return weekend / freq


def _spend_windows(p: dict) -> dict[str, np.ndarray]:
    """Net spend 1 to 30 and 1 to 90 days before the snapshot day, and more than 90 days before."""
    codes, amount, n = p["codes"], p["amount"], p["n"]
    age = p["snap"] - p["day"]
    return {"spend_30d": _sum(codes[age <= 30], amount[age <= 30], n),
            "spend_90d": _sum(codes[age <= 90], amount[age <= 90], n),
            "spend_before_90d": _sum(codes[age > 90], amount[age > 90], n)}


def _top_country(clean: pd.DataFrame, p: dict):
    """Each kept customer's most frequent country over all lines, ties broken alphabetically (str array)."""
    codes = p["codes"]
    kcodes, names = pd.factorize(clean["country"].astype("str"), sort=True)
    ok = kcodes >= 0
    width = len(names) + 1
    pair, count = np.unique(codes[ok].astype("int64") * width + kcodes[ok], return_counts=True)
    counts = pd.DataFrame({"c": pair // width, "k": pair % width, "n": count})
    counts = counts.sort_values(["c", "n", "k"], ascending=[True, False, True])
    top = counts.drop_duplicates("c").set_index("c")["k"]
    top = top.reindex(np.flatnonzero(p["keep"]))
    # customers with no country point past the names, at the trailing None
    values = np.asarray([*names, None], dtype=object)[top.fillna(len(names)).astype("int64").to_numpy()]
    return pd.array(np.where(top.notna(), values, None), dtype="str")


# --------------------------------------------------------------------------------------------------


def signed_log1p(x):
    """``sign(x) * log1p(|x|)``: log1p for non-negative values, mirrored for negative ones."""
    return np.sign(x) * np.log1p(np.abs(x))


#: The ``scaler`` param -> its class in sklearn.preprocessing.
_SCALERS = {"standard": "StandardScaler", "robust": "RobustScaler", "minmax": "MinMaxScaler"}


def transform_features(
    features: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    skew: str = "log",
    scaler: str = "standard",
    log_columns: Iterable[str] | None = None,
) -> "Pipeline":
    """Build an unfitted transformer: (signed) log of skewed columns, then scaling.

    Parameters
    ----------
    features : DataFrame
        The customer features; used only to choose the skewed columns and check types.
    columns : iterable of str, optional
        Numeric columns to transform, in output order (default: every numeric column). Other
        columns are dropped.
    skew : {"log", "none"}
        "log": columns whose sample skewness exceeds :data:`SKEW_THRESHOLD` get
        :func:`signed_log1p`, which equals ``log1p`` on non-negative values and keeps negative
        ones (net-refund ``monetary``) negative instead of clipping them. "none": no log.
    scaler : {"standard", "robust", "minmax"}
        The scikit-learn scaler applied to every column afterwards.
    log_columns : iterable of str, optional
        Columns to log regardless of skewness (overrides the automatic choice when ``skew="log"``).

    Returns
    -------
    Pipeline
        Steps ``skew`` (a ColumnTransformer, one entry per column, keeping column names and order)
        and ``scale``. Unfitted; works with ``set_output(transform="pandas")``.

    Raises
    ------
    ColumnError
        A column is missing or not numeric.
    ParamsError
        Unknown ``skew`` or ``scaler``.
    """
    if skew not in ("log", "none"):
        raise ParamsError(f"unknown skew option {skew!r}", "use 'log' or 'none'", key="skew")
    if scaler not in _SCALERS:
        raise ParamsError(f"unknown scaler {scaler!r}", f"use one of: {', '.join(_SCALERS)}",
                          key="scaler")
    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])
               and not pd.api.types.is_bool_dtype(features[c])]
    columns = list(numeric if columns is None else columns)
    absent = [c for c in columns if c not in features.columns]
    if absent:
        noun = "column" if len(absent) == 1 else "columns"
        raise ColumnError(f"feature {noun} not in the table: {', '.join(absent)}",
                          f"choose from: {', '.join(map(str, features.columns))}",
                          column=absent[0])
    wrong = [c for c in columns if c not in numeric]
    if wrong:
        raise ColumnError(f"feature {'column' if len(wrong) == 1 else 'columns'} not numeric: {', '.join(wrong)}",
                          f"leave them out of the clustering columns (numeric: "
                          f"{', '.join(numeric)})", column=wrong[0])
    if not columns:
        raise ColumnError("no numeric feature columns to transform",
                          "pass columns=[...] naming numeric features")
    if skew == "none":
        logged: set[str] = set()
    elif log_columns is not None:
        logged = set(log_columns)
    else:
        skewness = features[columns].astype("float64").skew()
        logged = set(skewness[skewness > SKEW_THRESHOLD].index)
    from sklearn import preprocessing  # here, not on import: checking an input needs no scikit-learn
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    parts = [(c, preprocessing.FunctionTransformer(signed_log1p, feature_names_out="one-to-one")
              if c in logged else "passthrough", [c]) for c in columns]
    ct = ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)
    return Pipeline([("skew", ct), ("scale", getattr(preprocessing, _SCALERS[scaler])())])
