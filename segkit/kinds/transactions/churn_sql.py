"""``08_churn`` in the ``duckdb`` engine: the churn set-up of :mod:`.churn` measured in DuckDB over the cleaned
lines, so that a big input never comes into pandas whole.

The cutoff, the features before it (measured at it), the customers who bought in the horizon and the features at
the last date are the same as :func:`.churn.churn_dataset` and :func:`.churn.refit_and_score` compute in pandas
(``tests/test_engine_equivalence.py``); only per-customer tables come back.
"""

from __future__ import annotations

import pandas as pd

from ...engine.duckdb import literal, query
from ...errors import DataValueError
from .churn_data import ChurnData, assemble, cutoff_day
from .sql import features_in_duckdb

__all__ = ["churn_dataset_in_duckdb"]


def churn_dataset_in_duckdb(con, relation: str, params) -> ChurnData:
    """:func:`.churn.churn_dataset` of the cleaned lines in ``relation``, with ``current`` (the features at the last
    date) filled in; ``params`` gives ``churn_cutoff`` and ``churn_horizon_days``."""
    first, last = query(con, f"SELECT min(CAST(date AS DATE)), max(CAST(date AS DATE)) FROM {relation}",
                        "measuring the churn horizon").fetchone()
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
    data.current = features_in_duckdb(con, relation, params.model_copy(update={"snapshot_date": None}))
    return data
