"""Purchases net of returns, for the lifetime value: what each customer keeps of what they buy.

The value models (:mod:`.value`) describe purchases, and a purchase the customer returns is worth nothing to the
shop: Online Retail's two largest orders, each cancelled the same day, made their customers the 2nd and 25th most
valuable of 4,334. :func:`.value.customer_lifetime_value` multiplies each customer's expected value of a purchase by
their ``kept_share`` (:func:`kept_shares`): of all they bought, the share they did not return, cancel or have
refunded. A return cannot be matched to the order it undoes (a cancellation names no order), so its date decides
only two things:

* a return dated before the customer's first purchase undoes a purchase made before the data began, and counts for
  no one;
* a repeat buyer whose returns on their first purchase day undo all of it (an order cancelled the same day) is
  valued from the repeat purchases alone, as Gamma-Gamma values them, so that day counts neither way.

Otherwise the share is over the whole history: a large order returned months later lowers the value of the
customer's other purchases too. Measuring it on the repeat purchases alone (what Gamma-Gamma's ``monetary_value``
averages) was tried, and it valued 13 of Online Retail's customers who kept 14-95% of what they bought at
nothing: the later return of a first order counted against their small repeat purchases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .churn_data import naive_dates

__all__ = ["returns_by_day", "kept_share", "kept_shares"]


def returns_by_day(clean: pd.DataFrame) -> pd.DataFrame:
    """What each customer of a cleaned transaction table returned, cancelled or was refunded, per day: their lines'
    negative amounts summed per ``customer_id`` and ``date`` (the day), as positive ``amount``."""
    back = clean.loc[clean["amount"] < 0, ["customer_id", "amount"]]
    days = naive_dates(clean).loc[back.index].dt.floor("D")
    summed = (-back["amount"]).groupby([back["customer_id"], days.rename("date")], sort=True).sum()
    return summed.reset_index()


def kept_share(bought: pd.Series, returned: pd.Series) -> pd.Series:
    """Share of what each customer bought that they kept: ``1 - returned / bought``, between 0 and 1.

    Parameters
    ----------
    bought : Series
        What each customer bought (their purchases' summed value), indexed by customer.
    returned : Series
        What each customer returned, cancelled or was refunded, as positive amounts, indexed by customer (ids
        compared as text: ``12346`` and ``"12346"`` are one customer); a customer it does not hold returned
        nothing, and one it holds that ``bought`` does not is left out.

    Returns
    -------
    Series
        Indexed like ``bought``, to 12 decimals. Returns of purchases made before the data began can exceed what a
        customer bought in it: the share is then 0, not negative. A customer who bought nothing of value keeps 1 when
        they returned nothing, else 0.

    Examples
    --------
    >>> kept_share(pd.Series({"A": 100.0, "B": 50.0, "C": 80.0}), pd.Series({"A": 10.0, "C": 120.0, "D": 5.0}))
    A    0.9
    B    1.0
    C    0.0
    dtype: float64
    """
    key = bought.index.astype(str)
    back = returned.groupby(returned.index.astype(str)).sum().reindex(key, fill_value=0.0).to_numpy(dtype=float)
    spent = bought.to_numpy(dtype=float)
    share = np.divide(spent - back, spent, out=np.where(back > 0, 0.0, 1.0), where=spent > 0)
    # rounded: sums of the same lines in another order (an engine's) differ in the last digits, and a customer who
    # returned everything keeps 0, not 1e-16
    return pd.Series(np.clip(np.round(share, 12), 0.0, 1.0) + 0.0, index=bought.index)


def kept_shares(summary: pd.DataFrame, first_day: pd.Series, returns: pd.DataFrame | None) -> pd.Series:
    """Each customer's share kept of what they bought (the module's rule).

    Parameters
    ----------
    summary : DataFrame
        :func:`.value.rfm_summary` of the whole history, indexed by customer: ``frequency``, ``monetary_value``
        (the mean of the repeat purchase days) and ``first_value`` (the first purchase day's sum).
    first_day : Series
        Each customer's first purchase day.
    returns : DataFrame or None
        :func:`returns_by_day` (``customer_id``, ``date``, positive ``amount``); None: no returns.
    """
    first_value = summary["first_value"].to_numpy(dtype=float)
    repeat_value = (summary["monetary_value"] * summary["frequency"]).to_numpy(dtype=float)
    if returns is None or returns.empty:
        return kept_share(pd.Series(first_value + repeat_value, index=summary.index), pd.Series(dtype=float))
    first = returns["customer_id"].map(first_day)
    day = pd.to_datetime(returns["date"]).dt.floor("D")
    on_first, later = (returns.loc[mask].groupby("customer_id")["amount"].sum().reindex(summary.index, fill_value=0.0)
                       .to_numpy(dtype=float) for mask in (day == first, day > first))
    undone = (repeat_value > 0) & (on_first >= first_value * (1 - 1e-9))  # sums in another order: last digits
    bought = np.where(undone, repeat_value, first_value + repeat_value)
    return kept_share(pd.Series(bought, index=summary.index),
                      pd.Series(np.where(undone, later, on_first + later), index=summary.index))
