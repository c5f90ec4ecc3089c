"""The churn data set (see :mod:`.churn`): features before a cutoff, measured at it, and the outcome in the
horizon after it; the cutoff rules shared by every engine (:func:`cutoff_day`); and the periods of the value check
(:mod:`.lifetime`), whose calibration ends the day before the churn cutoff by default. What would stop ``08_churn``
and ``10_value`` is checked here without building their data (:func:`check_churn`, :func:`check_value`), so that
``segkit check`` needs none of the modelling libraries."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError
from .features import behaviour_features

__all__ = ["ChurnData", "naive_dates", "data_span", "churn_cutoff", "cutoff_day", "churn_dataset", "check_churn",
           "assemble", "purchases", "check_value"]

_DAY = pd.Timedelta(days=1)


def naive_dates(clean: pd.DataFrame) -> pd.Series:
    if "date" not in clean.columns:
        raise ColumnError("the transaction table lacks the normalised column 'date'",
                          "pass the output of segkit.kinds.transactions.clean.clean_transactions", column="date")
    dates = clean["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ColumnError("column 'date' is not a datetime column", "pass the output of segkit.kinds.transactions.clean.clean_transactions",
                          column="date")
    return dates.dt.tz_localize(None) if getattr(dates.dt, "tz", None) is not None else dates


# ------------------------------------------------------------------------------------------ dataset
@dataclass
class ChurnData:
    """Features at the cutoff and the outcome in the horizon after it.

    Attributes
    ----------
    features : DataFrame
        Behaviour features from the transactions before ``cutoff``, measured at ``cutoff`` (index
        ``customer_id``): every customer with a purchase before the cutoff.
    churned : Series
        1 when the customer made no purchase in ``[cutoff, cutoff + horizon_days)``, else 0.
    cutoff : Timestamp
        The first day of the horizon (midnight); features use dates strictly before it.
    horizon_days : int
    last_date : Timestamp
        The day of the last purchase in the data (:func:`data_span`).
    current : DataFrame or None
        The customers' features at the last date, when they were built already: by an engine beside the data set,
        or by the run's check of the input (``02_features``' table, :func:`segkit.stages.churn.build`); else
        :func:`refit_and_score` builds them from the cleaned lines.
    """

    features: pd.DataFrame
    churned: pd.Series
    cutoff: pd.Timestamp
    horizon_days: int
    last_date: pd.Timestamp
    current: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def horizon_end(self) -> pd.Timestamp:
        """The day after the horizon (exclusive end)."""
        return self.cutoff + pd.Timedelta(days=self.horizon_days)

    @property
    def rate(self) -> float:
        """Share of customers who churned."""
        return float(self.churned.mean())

    def describe(self) -> str:
        """One sentence on the set-up, for the report."""
        last = self.horizon_end - _DAY
        return (f"Customers are described by their behaviour before {self.cutoff:%d %B %Y} "
                f"({len(self.features):,} customers with a purchase by then). A customer counts as churned "
                f"when they bought nothing from {self.cutoff:%d %B %Y} to {last:%d %B %Y} "
                f"({self.horizon_days} days): {100 * self.rate:.1f}% did ({int(self.churned.sum()):,} customers).")


def data_span(clean: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first date of a cleaned transaction table and its last purchase (a line that is not a cancellation; the
    last line when there is none): where the data end for recency, churn and value. Returns and refunds dated after
    the last purchase (an export of a period's orders with the returns processed since) do not extend it: no one
    could be seen buying then, and a horizon that ran into those days called buyers churned."""
    dates = naive_dates(clean)
    if len(dates.dropna()) == 0:
        raise DataValueError("the transaction table has no dates", "check the cleaning log: every row was removed")
    bought = dates[~clean["is_cancellation"].to_numpy(dtype=bool)] if "is_cancellation" in clean else dates
    return dates.min(), (bought if bought.notna().any() else dates).max()


def churn_cutoff(clean: pd.DataFrame, cutoff=None, horizon_days: int = 90) -> pd.Timestamp:
    """The cutoff day: ``cutoff`` (a date), or ``horizon_days`` before the day after the last purchase
    (:func:`data_span`).

    Raises
    ------
    DataValueError
        The horizon would run past the last purchase, or no transaction is dated before the cutoff.
    """
    return cutoff_day(*data_span(clean), cutoff, horizon_days)


def cutoff_day(first, last, cutoff=None, horizon_days: int = 90) -> pd.Timestamp:
    """:func:`churn_cutoff` from the first date and the last purchase (for engines that measure them in place)."""
    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    latest = last + _DAY - pd.Timedelta(days=horizon_days)
    day = latest if cutoff is None else pd.Timestamp(cutoff).normalize()
    if day > latest:
        raise DataValueError(
            f"the churn horizon of {horizon_days} days from the cutoff {day.date()} runs past the last "
            f"purchase ({last.date()}), so churn cannot be observed for the whole horizon",
            f"set churn_cutoff to {latest.date()} or earlier, or shorten churn_horizon_days", key="churn_cutoff")
    if day <= first:
        days = (last - first).days + 1
        problem = (f"no transaction is dated before the churn cutoff {day.date()} (the data start on {first.date()})"
                   if cutoff is not None else
                   f"the data cover {days} day{'s' if days > 1 else ''} ({first.date()} to {last.date()}), too few to "
                   f"see who stops buying over a churn horizon of {horizon_days} days with purchases before it")
        raise DataValueError(problem, _short_history_fix(first, last, latest, cutoff is None),
                             key="churn_horizon_days" if cutoff is None else "churn_cutoff")
    return day


def _short_history_fix(first: pd.Timestamp, last: pd.Timestamp, latest: pd.Timestamp, default_cutoff: bool) -> str:
    """How to leave history before the cutoff, with the numbers of this data."""
    days = (last - first).days + 1
    if days < 2:
        return "churn needs purchases on at least two days, before and after a cutoff: use a longer history"
    if default_cutoff:
        return f"set churn_horizon_days to {days // 2} or less"
    if latest > first:
        return f"set churn_cutoff between {(first + _DAY).date()} and {latest.date()}, or leave it empty"
    return f"set churn_horizon_days to {days // 2} or less and churn_cutoff later, or leave churn_cutoff empty"


def churn_dataset(clean: pd.DataFrame, *, cutoff=None, horizon_days: int = 90) -> ChurnData:
    """Features before the cutoff and the outcome after it (see the module docstring).

    Parameters
    ----------
    clean : DataFrame
        Output of :func:`segkit.kinds.transactions.clean.clean_transactions`.
    cutoff : date-like, optional
        First day of the horizon (default: see :func:`churn_cutoff`).
    horizon_days : int
        Length of the horizon in days.
    """
    day = churn_cutoff(clean, cutoff, horizon_days)
    dates = naive_dates(clean)
    features = behaviour_features(clean[(dates < day).to_numpy()], snapshot_date=day)
    return assemble(features, _buyers(clean, _horizon(dates, day, horizon_days)), day, horizon_days,
                    data_span(clean)[1])


def check_churn(clean: pd.DataFrame, *, cutoff=None, horizon_days: int = 90) -> None:
    """Raise what :func:`churn_dataset` would stop on, without building the features (for ``segkit check``)."""
    day = churn_cutoff(clean, cutoff, horizon_days)
    dates = naive_dates(clean)
    customers = pd.Index(_buyers(clean, (dates < day).to_numpy()))
    _check_outcome(pd.Series(~customers.isin(_buyers(clean, _horizon(dates, day, horizon_days)))), day, horizon_days)


def _horizon(dates: pd.Series, day: pd.Timestamp, horizon_days: int) -> np.ndarray:
    return ((dates >= day) & (dates < day + pd.Timedelta(days=horizon_days))).to_numpy()


def _buyers(clean: pd.DataFrame, where: np.ndarray) -> np.ndarray:
    """The customers with a purchase (a line that is not a cancellation) among the lines ``where``."""
    return clean["customer_id"][where & ~clean["is_cancellation"].to_numpy(dtype=bool)].astype(str).unique()


def _check_outcome(churned: pd.Series, cutoff: pd.Timestamp, horizon_days: int) -> None:
    """Refuse an outcome there is nothing to learn from: no customer, or every or no customer churned."""
    if churned.empty:
        raise DataValueError(f"no customer made a purchase before the churn cutoff {cutoff.date()}",
                             "set churn_cutoff later, or shorten churn_horizon_days", key="churn_cutoff")
    if churned.nunique() < 2:
        what = "every" if churned.iloc[0] == 1 else "no"
        end = cutoff + pd.Timedelta(days=horizon_days)
        raise DataValueError(f"{what} customer churned between {cutoff.date()} and {(end - _DAY).date()}, so there "
                             "is nothing to learn", "choose another churn_cutoff or churn_horizon_days",
                             key="churn_horizon_days")


def assemble(features: pd.DataFrame, bought, cutoff: pd.Timestamp, horizon_days: int, last) -> ChurnData:
    """The :class:`ChurnData` of ``features`` at the cutoff, given the ids of the customers who bought in the
    horizon (``bought``). Raises when everyone or no one churned."""
    churned = pd.Series((~features.index.isin(bought)).astype("int64"), index=features.index, name="churned")
    _check_outcome(churned, cutoff, horizon_days)
    return ChurnData(features=features, churned=churned, cutoff=cutoff, horizon_days=int(horizon_days),
                     last_date=pd.Timestamp(last).normalize())


# ------------------------------------------------------------------------------ the value check's periods
def purchases(clean: pd.DataFrame) -> pd.DataFrame:
    """The purchase lines of a cleaned transaction table: no cancellation, a positive amount."""
    keep = clean["amount"] > 0
    if "is_cancellation" in clean.columns:
        keep &= ~clean["is_cancellation"].astype(bool)
    return clean.loc[keep, ["customer_id", "date", "amount"]]


def _calibration_end(span: tuple, first: pd.Timestamp, last: pd.Timestamp, explicit, churn_cut,
                     churn_horizon_days: int) -> pd.Timestamp:
    if explicit is None:
        return cutoff_day(*span, churn_cut, churn_horizon_days) - _DAY
    end = pd.Timestamp(explicit).normalize()
    if not first <= end < last:
        raise DataValueError(f"clv_calibration_end {end.date()} leaves no calibration or no holdout period (the "
                             f"purchases run from {first.date()} to {last.date()})",
                             f"set clv_calibration_end between {first.date()} and {(last - _DAY).date()}, or "
                             "leave it empty (the day before the churn cutoff)", key="clv_calibration_end")
    return end


def check_value(clean: pd.DataFrame, *, calibration_end=None, churn_cutoff=None, churn_horizon_days: int = 90) -> None:
    """Raise what :func:`value_data` would stop on (no purchase, no calibration or holdout period), without
    summing the purchases (for ``segkit check``)."""
    value_periods(*purchases_and_span(clean), calibration_end, churn_cutoff, churn_horizon_days)


def purchases_and_span(clean: pd.DataFrame) -> tuple[pd.DataFrame, tuple]:
    """The purchase lines and :func:`data_span` (None, None without a purchase)."""
    bought = purchases(clean)
    if bought.empty:
        return bought, (None, None)
    return bought, data_span(clean)


def value_periods(bought: pd.DataFrame, span: tuple, calibration_end, churn_cutoff, churn_horizon_days: int) -> tuple:
    """The first and last purchase day and the calibration end; raises when there is no purchase or no period."""
    if bought.empty:
        raise DataValueError("the cleaned transactions hold no purchase (every line is a cancellation or free)",
                             "check the cleaning log and the amount or price column")
    dates = pd.to_datetime(bought["date"])
    first, last = dates.min().normalize(), dates.max().normalize()
    return first, last, _calibration_end(span, first, last, calibration_end, churn_cutoff, churn_horizon_days)
