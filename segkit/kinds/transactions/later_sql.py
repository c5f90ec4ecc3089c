"""``08_churn`` and ``10_value`` in the ``duckdb`` engine: what they need of the cleaned lines, measured in DuckDB
so that a big input never comes into pandas whole.

* churn: the cutoff, the features before it (measured at it), the customers who bought in the horizon and the
  features at the last date, the same as :func:`.churn.churn_dataset` and :func:`.churn.refit_and_score` compute
  in pandas;
* value: the purchases and the returns summed per customer and day, the input of
  :func:`.lifetime.value_data_of_purchases`.

Only per-customer (or per customer-day) tables come back; ``tests/test_engine_churn.py`` checks both against
pandas.
"""

from __future__ import annotations

import pandas as pd

from ...engine.duckdb import frame, literal, query
from ...errors import DataValueError
from .churn_data import ChurnData, assemble, cutoff_day
from .lifetime import ValueData, value_data_of_purchases
from .sql import features_in_duckdb, last_purchase

__all__ = ["churn_dataset_in_duckdb", "value_data_in_duckdb"]

#: The first date of the cleaned lines and the last purchase, as :func:`.churn_data.data_span`.
_SPAN = f"min(CAST(date AS DATE)), {last_purchase('CAST(date AS DATE)')}"


def churn_dataset_in_duckdb(con, relation: str, params, current: pd.DataFrame | None = None) -> ChurnData:
    """:func:`.churn.churn_dataset` of the cleaned lines in ``relation``, with ``current`` (the features at the last
    date) filled in; ``params`` gives ``churn_cutoff`` and ``churn_horizon_days``. Pass ``current`` when the run
    has them already (``02_features``' table at the default snapshot) to save a pass over the lines."""
    first, last = query(con, f"SELECT {_SPAN} FROM {relation}", "measuring the churn horizon").fetchone()
    if first is None:
        raise DataValueError("the transaction table has no dates", "check the cleaning log: every row was removed")
    horizon = int(params.churn_horizon_days)
    day = cutoff_day(first, last, params.churn_cutoff, horizon)
    start, end = (literal(f"{d:%Y-%m-%d}") for d in (day, day + pd.Timedelta(days=horizon)))
    before = f"(SELECT * FROM {relation} WHERE CAST(date AS DATE) < CAST({start} AS DATE))"
    features = features_in_duckdb(con, before, params.model_copy(update={"snapshot_date": day}))
    bought = [r[0] for r in query(
        con, f"""SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM {relation} WHERE NOT is_cancellation
                 AND CAST(date AS DATE) >= CAST({start} AS DATE) AND CAST(date AS DATE) < CAST({end} AS DATE)""",
        "finding who bought in the churn horizon").fetchall()]
    data = assemble(features, bought, day, horizon, last)
    if current is None:
        current = features_in_duckdb(con, relation, params.model_copy(update={"snapshot_date": None}))
    else:  # the features' table at the default snapshot, the day after the last purchase
        current = current.copy()
        current.attrs["snapshot_date"] = f"{pd.Timestamp(last) + pd.Timedelta(days=1):%Y-%m-%d}"
    data.current = current
    return data


def value_data_in_duckdb(con, relation: str, params) -> ValueData:
    """:func:`.lifetime.value_data` of the cleaned lines in ``relation``: purchases (no cancellation, a positive
    amount) summed per customer and day in DuckDB; ``params`` gives the calibration end and the churn cutoff."""
    first, last, cleaned = query(con, f"SELECT {_SPAN}, count(*) FROM {relation}",
                                 "measuring the purchase period").fetchone()
    daily = frame(con, f"""SELECT customer_id, CAST(CAST(date AS DATE) AS TIMESTAMP) AS date, sum(amount) AS amount,
                          count(*) AS lines FROM {relation} WHERE amount > 0 AND NOT is_cancellation GROUP BY ALL
                          ORDER BY customer_id, date""", "summing the purchases per customer and day")
    returns = frame(con, f"""SELECT customer_id, CAST(CAST(date AS DATE) AS TIMESTAMP) AS date, -sum(amount) AS amount
                            FROM {relation} WHERE amount < 0 GROUP BY ALL ORDER BY customer_id, date""",
                    "summing the returns per customer and day")
    lines = int(daily["lines"].sum())
    return value_data_of_purchases(daily[["customer_id", "date", "amount"]], (first, last), lines=lines,
                                   other_lines=int(cleaned) - lines, returns=returns,
                                   calibration_end=params.clv_calibration_end, churn_cutoff=params.churn_cutoff,
                                   churn_horizon_days=params.churn_horizon_days)
