"""Customer lifetime value of non-contractual customers (who may stop buying without saying so).

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a customer
  buys at a Poisson rate λ ~ Gamma(r, α); after each repeat purchase they drop out with probability
  p ~ Beta(a, b). It gives P(alive) and the expected number of purchases in the next t time units.
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"): the values of a
  customer's purchases are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers (``v_`` is γ). It shrinks
  each customer's mean repeat purchase value towards the population mean, the more so the fewer purchases.
* **CLV** = sum over coming months of expected purchases x expected value x margin / (1 + d)^month
  (the convention of the ``lifetimes`` package). Both models describe purchases; with a ``kept_share`` per
  customer (:mod:`.returns`: the share of what they bought that they did not return) a purchase is valued net
  of returns, so a customer who returned everything is worth nothing.

Maximum likelihood on the published closed-form log-likelihoods (``scipy.special`` in log space, analytic
gradients, BFGS on log-parameters from a few seeded starts). ``docs/clv.md`` says why no CLV library
is used and reports the CDNOW check; :mod:`segkit.kinds.transactions.value_synth` draws data from both models.
"""

from __future__ import annotations

import inspect
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from ...errors import ColumnError, DataValueError, ModelError

__all__ = ["UNIT_DAYS", "rfm_summary", "BetaGeoModel", "GammaGammaModel", "customer_lifetime_value", "HoldoutCheck",
           "holdout_check"]

#: Length of each time unit in days; a month is 365.25 / 12 days.
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
_BOUND = 20.0  # bound of each log-parameter: exp(±20), far beyond any sensible value on scaled data
#: Largest shape of BG/NBD's Gamma of purchase rates. Beyond it the customers' rates are one rate (their spread is
#: under 1% of their mean), so the likelihood no longer changes, and beyond 1e5 scipy's hypergeometric function,
#: which the forecast needs, returns NaN. Subscribers billed every month drive the fit there.
R_MAX = 1e4


def _unit_days(unit: str) -> float:
    if unit not in UNIT_DAYS:
        raise DataValueError(f"unit {unit!r} is not a known time unit",
                             "pass unit='W' (weeks), 'D' (days) or 'M' (months of 30.44 days)")
    return UNIT_DAYS[unit]


# ------------------------------------------------------------------------------------------ summary
def _purchase_days(transactions: pd.DataFrame, customer_col, date_col, amount_col) -> pd.DataFrame:
    """One row per customer and purchase day (amounts summed), sorted by customer then day."""
    for col in [customer_col, date_col] + ([amount_col] if amount_col is not None else []):
        if col not in transactions.columns:
            raise ColumnError(f"column {col!r} is not in the transactions",
                              f"pass one of: {', '.join(map(str, transactions.columns[:12]))}", column=col)
    dates = pd.to_datetime(transactions[date_col], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    amounts = pd.Series(0.0, index=transactions.index) if amount_col is None else transactions[amount_col].astype(float)
    bad = dates.isna() | transactions[customer_col].isna() | ~np.isfinite(amounts)
    if bad.any():
        raise DataValueError(f"{int(bad.sum())} transactions have no customer, no valid date or no finite amount",
                             "drop or fix those rows before the summary (segkit.clean does it)")
    frame = pd.DataFrame({"customer": transactions[customer_col].to_numpy(),
                          "day": dates.dt.floor("D").to_numpy(), "amount": amounts.to_numpy()})
    return frame.groupby(["customer", "day"], sort=True)["amount"].sum().reset_index()


def _period_ends(daily: pd.DataFrame, calibration_end, observation_end) -> tuple[pd.Timestamp, pd.Timestamp]:
    cal_end = daily["day"].max() if calibration_end is None else pd.Timestamp(calibration_end).floor("D")
    obs_end = cal_end if observation_end is None else pd.Timestamp(observation_end).floor("D")
    if obs_end < cal_end:
        raise DataValueError(f"observation_end {obs_end.date()} is before calibration_end {cal_end.date()}",
                             "pass an observation_end on or after calibration_end")
    if not (daily["day"] <= cal_end).any():
        raise DataValueError(f"no purchase on or before calibration_end {cal_end.date()}",
                             "pass a later calibration_end")
    return cal_end, obs_end


def rfm_summary(transactions: pd.DataFrame, *, customer_col: str, date_col: str, amount_col: str | None = None,
                calibration_end=None, observation_end=None, unit: str = "W") -> pd.DataFrame:
    """Frequency, recency, age and mean repeat value per customer, the input of the CLV models.

    Purchases are counted on distinct days: several transactions on one day are one purchase, of their
    summed amount. Only customers whose first purchase is on or before ``calibration_end`` are included.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (or line).
    customer_col, date_col, amount_col : str
        Customer id, date and value columns; without ``amount_col`` there is no ``monetary_value``.
    calibration_end, observation_end : date-like, optional
        Last days (inclusive) of the calibration and holdout periods. Default: the last transaction day,
        and ``calibration_end`` (no holdout).
    unit : {"W", "D", "M"}
        Time unit of ``recency``, ``T`` and ``duration_holdout``: weeks, days or months (30.44 days).

    Returns
    -------
    DataFrame
        Indexed by customer: ``frequency`` (repeat purchases = purchase days - 1), ``recency`` (first to
        last purchase), ``T`` (first purchase to ``calibration_end``), ``monetary_value`` (mean value of
        the repeat purchases, 0 without any; the Fader-Hardie convention) and ``first_value`` (the value of the
        first purchase), with a holdout ``frequency_holdout``
        (purchase days after ``calibration_end``) and ``duration_holdout``; ``attrs["unit"]`` is the unit.
    """
    step = pd.Timedelta(days=_unit_days(unit))
    daily = _purchase_days(transactions, customer_col, date_col, amount_col)
    cal_end, obs_end = _period_ends(daily, calibration_end, observation_end)
    cal = daily[daily["day"] <= cal_end]
    grouped = cal.groupby("customer", sort=True)
    first, last = grouped["day"].min(), grouped["day"].max()
    out = pd.DataFrame({"frequency": grouped.size() - 1, "recency": (last - first) / step,
                        "T": (cal_end - first) / step})
    if amount_col is not None:
        repeat = cal["amount"].where(cal["customer"].duplicated())  # the first day of each customer is NaN
        out["monetary_value"] = repeat.groupby(cal["customer"]).mean().fillna(0.0)
        out["first_value"] = grouped["amount"].first()
    if obs_end > cal_end:
        hold = daily[(daily["day"] > cal_end) & (daily["day"] <= obs_end)]
        out["frequency_holdout"] = hold.groupby("customer").size().reindex(out.index, fill_value=0)
        out["duration_holdout"] = (obs_end - cal_end) / step
    out.index.name = customer_col
    out.attrs["unit"] = unit
    return out


# ------------------------------------------------------------------------------------------ fitting
def _columns(X, names: tuple[str, ...]) -> list[np.ndarray]:
    """The named columns of a summary table (or the columns of a 2-D array, in that order), as floats."""
    if isinstance(X, pd.DataFrame):
        missing = [c for c in names if c not in X.columns]
        if missing:
            raise ColumnError(f"the summary lacks {'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}",
                              "pass the output of segkit.kinds.transactions.value.rfm_summary", column=missing[0])
        arr = X[list(names)].to_numpy(dtype=float)
    else:
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != len(names):
            raise DataValueError(f"expected a table with the columns {', '.join(names)}",
                                 "pass the output of segkit.kinds.transactions.value.rfm_summary")
    if arr.shape[0] == 0 or not np.isfinite(arr).all():
        raise DataValueError(f"the summary is empty or has missing or infinite {', '.join(names)}",
                             "pass a summary with at least one customer, and drop or fix incomplete ones")
    return [arr[:, i] for i in range(len(names))]


def _minimize(fun, n_params: int, *, n_starts: int, max_iter: int, max_time: float, random_state, upper=_BOUND):
    """BFGS from the origin and up to ``n_starts - 1`` seeded random starts; stops once two converged starts
    agree (to 1e-7 in mean log-likelihood). BFGS runs in numpy (L-BFGS-B calls scipy's threaded BLAS: 30x
    slower on a busy machine); log-parameters below -_BOUND or above ``upper`` (one bound, or one per parameter)
    are clipped with a quadratic penalty."""
    def bounded(p):
        inside = np.clip(p, -_BOUND, upper)
        value, grad = fun(inside)
        return value + 0.5 * ((p - inside) ** 2).sum(), np.where(p == inside, grad, p - inside)

    rng = np.random.default_rng(random_state)
    starts = [np.zeros(n_params)] + [rng.normal(0.0, 1.0, n_params) for _ in range(max(n_starts, 1) - 1)]
    deadline = time.perf_counter() + max_time

    def stop(intermediate_result):  # scipy ends the run when the callback raises StopIteration
        if time.perf_counter() > deadline:
            raise StopIteration

    best = None
    with np.errstate(all="ignore"):
        for x0 in starts:
            res = optimize.minimize(bounded, x0, jac=True, method="BFGS", callback=stop,
                                    options={"maxiter": max_iter, "gtol": 1e-7})
            if not np.isfinite(res.fun):
                continue
            agree = best is not None and res.success and best.success and abs(res.fun - best.fun) < 1e-7
            best = res if best is None or res.fun < best.fun else best
            if agree or time.perf_counter() > deadline:
                break
    if best is None:
        raise DataValueError("the likelihood is not finite at any starting point",
                             "check the summary for extreme values")
    return best


class _Estimator:
    """The scikit-learn estimator protocol (``__init__`` stores, ``get_params``/``set_params``) for ``clone``."""

    def __init__(self, n_starts: int = 4, max_iter: int = 500, max_time: float = 30.0, random_state=0):
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.max_time = max_time
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params):
        if set(params) - set(self.get_params()):
            raise ValueError(f"invalid parameters {sorted(set(params) - set(self.get_params()))} for {type(self)}")
        self.__dict__.update(params)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    def _fitted(self, names: str) -> list[float]:
        if not hasattr(self, names.split()[0] + "_"):
            raise ModelError(f"this {type(self).__name__} is not fitted yet", "call fit(summary) first")
        return [getattr(self, n + "_") for n in names.split()]

    def _store(self, res, names: str, scale_index: int, scale: float, log_lik: float) -> None:
        for i, name in enumerate(names.split()):
            setattr(self, name + "_", float(np.exp(res.x[i]) * (scale if i == scale_index else 1.0)))
        self.log_likelihood_ = float(log_lik)
        self.n_iter_ = int(res.nit)
        self.converged_ = bool(res.success) and bool((np.abs(res.x) < _BOUND - 1e-6).all())
        if not self.converged_:
            warnings.warn(f"{type(self).__name__} did not converge ({res.message}); the parameters are the best "
                          "found on a flat likelihood (in BG/NBD, a_ near 0 means the data show no drop-out). Raise "
                          "max_iter or max_time, or check the data", RuntimeWarning, stacklevel=3)


def _bgnbd_nll(log_params, x, tx, T, w, xu, inv, wu):
    """Mean negative BG/NBD log-likelihood (Fader et al. 2005, eq. 6) and its gradient in log-parameters.
    Terms of x alone are summed once per distinct x: ``x = xu[inv]``, ``wu`` = weight of each ``xu``."""
    r, alpha, a, b = np.exp(log_params)
    gl, dg, n = special.gammaln, special.digamma, wu.sum()
    log_aT, log_atx, bx = np.log(alpha + T), np.log(alpha + tx), b + np.maximum(xu, 1.0) - 1
    a3 = -(r + x) * log_aT
    a4 = np.where(x > 0, np.log(a) - np.log(bx)[inv] - (r + x) * log_atx, -np.inf)
    share = special.expit(a4 - a3)  # weight of "dropped out after the last purchase"; 0 when x = 0
    ll = ((wu * (gl(r + xu) + gl(b + xu) - gl(a + b + xu))).sum() + (w * np.logaddexp(a3, a4)).sum()
          + n * (gl(a + b) - gl(r) - gl(b) + r * np.log(alpha)))
    d_ab = dg(a + b) - dg(a + b + xu)
    grad = np.array([
        (wu * (dg(r + xu) - dg(r) + np.log(alpha))).sum() - (w * ((1 - share) * log_aT + share * log_atx)).sum(),
        n * r / alpha - (w * (r + x) * ((1 - share) / (alpha + T) + share / (alpha + tx))).sum(),
        (wu * d_ab).sum() + (w * share).sum() / a,
        (wu * (d_ab + dg(b + xu) - dg(b))).sum() - (w * share / bx[inv]).sum(),
    ]) * np.array([r, alpha, a, b])
    return -ll / n, -grad / n


def _gg_nll(log_params, x, m, w):
    """Mean negative Gamma-Gamma log-likelihood of the mean repeat values, and its gradient."""
    p, q, v = np.exp(log_params)
    px, log_vxm = p * x, np.log(v + x * m)
    ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
          + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_vxm)
    psi = special.digamma(px + q)
    grad = np.array([  # weighted sums without BLAS, whose threaded dot can change the last digits
        (w * x * (psi - special.digamma(px) + np.log(m) + np.log(x) - log_vxm)).sum(),
        (w * (psi - special.digamma(q) + np.log(v) - log_vxm)).sum(),
        (w * (q / v - (px + q) / (v + x * m))).sum(),
    ]) * np.array([p, q, v])
    return -(w * ll).sum() / w.sum(), -grad / w.sum()


class BetaGeoModel(_Estimator):
    """BG/NBD model of repeat purchases and drop-out (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    n_starts : int, default=4
        Optimiser starts: the origin in log-parameters and ``n_starts - 1`` seeded random ones.
    max_iter, max_time : int and float, default=500 and 30.0
        Iterations per start, and seconds for the whole fit (then the best result so far is kept).
    random_state : int, Generator or None, default=0
        Seed of the random starts.

    Attributes
    ----------
    r_, alpha_, a_, b_ : float
        λ ~ Gamma(shape r, rate α) in purchases per time unit of the summary; p ~ Beta(a, b). ``r_`` is at most
        :data:`R_MAX`: there, the customers buy at one rate, ``r_ / alpha_``.
    log_likelihood_ : float
    n_customers_, n_iter_ : int
    converged_ : bool

    Examples
    --------
    >>> from segkit.kinds.transactions.value_synth import simulate_bgnbd
    >>> model = BetaGeoModel().fit(simulate_bgnbd(5000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0))
    >>> float(model.expected_purchases(39, 2, 30.43, 38.86)) > 0
    True
    """

    def fit(self, X, y=None):
        """Fit to a summary table with columns ``frequency``, ``recency`` and ``T``; returns ``self``."""
        x, tx, T = _columns(X, ("frequency", "recency", "T"))
        if (x < 0).any() or (x != np.round(x)).any() or (tx < 0).any() or (tx > T * (1 + 1e-9) + 1e-12).any():
            raise DataValueError("frequency must be a whole number >= 0 and recency lie between 0 and T (the age)",
                                 "pass the output of segkit.kinds.transactions.value.rfm_summary")
        if not (x > 0).any():
            raise DataValueError("no customer made a repeat purchase, so drop-out cannot be estimated",
                                 "use a longer calibration period or more customers")
        rows, w = np.unique(np.column_stack([x, tx, T]), axis=0, return_counts=True)  # identical histories once
        scale, w = float(np.mean(T)) or 1.0, w.astype(float)  # α is a time scale: fit on T / scale, rescale α
        xu, inv = np.unique(rows[:, 0], return_inverse=True)
        data = (rows[:, 0], rows[:, 1] / scale, rows[:, 2] / scale, w, xu, inv, np.bincount(inv, weights=w))
        res = _minimize(lambda p: _bgnbd_nll(p, *data), 4, n_starts=self.n_starts, max_iter=self.max_iter,
                        max_time=self.max_time, random_state=self.random_state,
                        upper=np.array([np.log(R_MAX), _BOUND, _BOUND, _BOUND]))
        log_lik = -res.fun * w.sum() - np.log(scale) * (w * rows[:, 0]).sum()
        self._store(res, "r alpha a b", 1, scale, log_lik)
        self.n_customers_ = int(len(x))
        return self

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(the customer is still active | history); 1 for customers without a repeat purchase."""
        r, alpha, a, b = self._fitted("r alpha a b")
        x, tx, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (frequency, recency, T)))
        log_odds = (np.log(a) - np.log(b + np.maximum(x, 1.0) - 1)
                    + (r + x) * np.log1p((T - tx) / (alpha + tx)))  # log P(dead) / P(alive), overflow-free
        return np.where(x > 0, special.expit(-log_odds), 1.0)

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected repeat purchases in the next ``t`` time units given the history (the paper's eq. 10).

        Computed with Euler's transform of the hypergeometric term, 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
        parameters stay small at any frequency, so large frequencies neither overflow nor lose precision. Where a
        is large too (a drop-out chance that hardly differs between customers, a = 1e7 on a small shop's data),
        scipy cannot evaluate that form, and the paper's own, 2F1(r+x, b+x; a+b+x-1; z), is used: the two agree
        wherever both can be evaluated.
        """
        r, alpha, a, b = self._fitted("r alpha a b")
        a = a if abs(a - 1) > 1e-8 else 1 + 1e-8  # the formula's removable singularity at a = 1
        t, x, tx, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, frequency, recency, T)))
        shape, (t, x, tx, T) = t.shape, (v.ravel() for v in (t, x, tx, T))
        z = t / (alpha + T + t)
        with np.errstate(invalid="ignore", over="ignore"):
            future = (a + b + x - 1) / (a - 1) * (1 - np.exp((a - 1) * np.log1p(-z))
                                                  * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z))
            bad = ~np.isfinite(future)
            if bad.any():
                x_, z_ = x[bad], z[bad]
                decay = np.exp((r + x_) * np.log1p(-z_))  # ((alpha + T) / (alpha + T + t)) ** (r + x)
                future[bad] = (a + b + x_ - 1) / (a - 1) * (1 - decay * special.hyp2f1(r + x_, b + x_, a + b + x_ - 1,
                                                                                       z_))
        return (future * self.probability_alive(x, tx, T)).reshape(shape)


class GammaGammaModel(_Estimator):
    """Gamma-Gamma model of the value per purchase (Fader, Hardie & Lee 2005).

    Fitted on the customers with repeat purchases (``frequency > 0``) from their number and mean value. It
    assumes value and frequency independent: ``frequency_value_corr_`` is their correlation, to show.

    Parameters
    ----------
    n_starts, max_iter, max_time, random_state
        As in :class:`BetaGeoModel`.

    Attributes
    ----------
    p_, q_, v_ : float
        Purchase value ~ Gamma(shape p, rate ν), ν ~ Gamma(shape q, rate v); the mean value of a
        purchase across customers is ``p_ * v_ / (q_ - 1)`` (finite when ``q_ > 1``).
    frequency_value_corr_, mean_value_ : float
        Value and frequency's correlation; the repeat buyers' mean value per purchase (see :attr:`unbounded_`).
    log_likelihood_, n_customers_, n_iter_, converged_ : as in :class:`BetaGeoModel`
    """

    def fit(self, X, y=None):
        """Fit to a summary with ``frequency`` and ``monetary_value``; customers with frequency 0 are left out."""
        x, m = _columns(X, ("frequency", "monetary_value"))
        keep = x > 0
        if not keep.any():
            raise DataValueError("no customer made a repeat purchase, so the value per purchase cannot be modelled",
                                 "use a longer calibration period or more customers")
        x, m = x[keep], m[keep]
        if (m <= 0).any():
            raise DataValueError(f"{int((m <= 0).sum())} repeat buyers have a mean repeat value of 0 or less",
                                 "drop returns and cancellations, or those customers, before fitting")
        rows, w = np.unique(np.column_stack([x, m]), axis=0, return_counts=True)
        scale, w = float(np.mean(m)), w.astype(float)  # v is a money scale: fit on m / scale, then rescale v
        res = _minimize(lambda p: _gg_nll(p, rows[:, 0], rows[:, 1] / scale, w), 3, n_starts=self.n_starts,
                        max_iter=self.max_iter, max_time=self.max_time, random_state=self.random_state)
        self._store(res, "p q v", 2, scale, -res.fun * w.sum() - np.log(scale) * w.sum())
        self.n_customers_ = int(len(x))
        self.mean_value_ = float(np.sum(x * m) / np.sum(x))
        self.frequency_value_corr_ = float(np.corrcoef(x, m)[0, 1]) if np.ptp(x) and np.ptp(m) else float("nan")
        return self

    def expected_value(self, frequency, monetary_value, first_value=None) -> np.ndarray:
        """Expected value of a customer's future purchases: their mean repeat value shrunk to the population's,
        ``p (v + x m) / (p x + q - 1)``. Without a repeat purchase (x = 0): the population mean ``p v / (q - 1)``
        (Fader-Hardie), or given ``first_value`` (the first purchase, which the fit leaves out) that purchase shrunk
        as a history of one. The population mean rests on the fitted tail, which a few very large purchases make
        unbounded (:attr:`unbounded_`); then the own mean or first purchase counts, else :attr:`mean_value_`.
        """
        p, q, v = self._fitted("p q v")
        x = np.asarray(frequency, dtype=float)
        m = np.where(x > 0, np.asarray(monetary_value, dtype=float), 0.0)
        if first_value is not None:
            first = np.broadcast_to(np.asarray(first_value, dtype=float), x.shape)
            use_first = (x == 0) & np.isfinite(first) & (first > 0)
            x, m = np.where(use_first, 1.0, x), np.where(use_first, first, m)
        if self.unbounded_:
            return np.where(x > 0, m, getattr(self, "mean_value_", np.nan))
        return p * (v + x * m) / (p * x + q - 1)

    @property
    def unbounded_(self) -> bool:
        """No usable mean: ``q <= 1``, or ``p v / (q - 1)`` over twice :attr:`mean_value_` (spends in tiers)."""
        p, q, v = self._fitted("p q v")
        mean = getattr(self, "mean_value_", None)  # parameters set by hand come without it: only q decides
        return bool(q <= 1 or (mean is not None and p * v / (q - 1) > 2 * mean))


# ------------------------------------------------------------------------------------------ value
def customer_lifetime_value(bgnbd: BetaGeoModel, gg: GammaGammaModel, summary: pd.DataFrame, *, horizon: int = 12,
                            unit: str | None = None, margin: float = 1.0, discount_rate: float = 0.01) -> pd.DataFrame:
    """Discounted expected value of each customer's purchases over the next ``horizon`` months.

    CLV = sum over months k = 1..horizon of [E(purchases by month k) - E(purchases by month k-1)] x
    expected value per purchase x ``margin`` / (1 + ``discount_rate``)^k. A month is 30.44 days
    (4.35 weeks); ``lifetimes`` uses 30 days or 4.345 weeks.

    Parameters
    ----------
    bgnbd, gg : BetaGeoModel, GammaGammaModel
        Fitted models.
    summary : DataFrame
        ``frequency``, ``recency``, ``T`` and ``monetary_value`` per customer (:func:`rfm_summary`). With its
        ``first_value``, a customer without a repeat purchase is valued from their first purchase
        (:meth:`GammaGammaModel.expected_value`). With its ``kept_share`` (:mod:`.returns`), each
        customer's expected value of a purchase is net of what they return.
    horizon : int, default=12
        Months ahead.
    unit : {"W", "D", "M"}, optional
        Time unit of the summary; default ``summary.attrs["unit"]``, which :func:`rfm_summary` sets.
    margin, discount_rate : float, default=1.0 and 0.01
        Share of the purchase value that is profit; discount rate per month.

    Returns
    -------
    DataFrame
        Indexed like ``summary``: ``expected_purchases`` (in the horizon), ``p_alive``, ``expected_value`` (of one
        purchase) and ``clv``.
    """
    recorded = summary.attrs.get("unit")
    if (unit or recorded) is None or (unit and recorded and unit != recorded):
        raise DataValueError(f"the summary's time unit is {recorded!r} but unit={unit!r} was passed",
                             "pass the unit the summary was built with (rfm_summary's unit)")
    if int(horizon) != horizon or horizon < 1 or not discount_rate > -1 or not np.isfinite(margin):
        raise DataValueError("horizon must be a whole number of months >= 1, discount_rate > -1, margin finite")
    step = UNIT_DAYS["M"] / _unit_days(unit or recorded)
    x, tx, T, m = _columns(summary, ("frequency", "recency", "T", "monetary_value"))
    value = gg.expected_value(x, m, summary["first_value"].to_numpy() if "first_value" in summary else None)
    if "kept_share" in summary:
        value = value * summary["kept_share"].to_numpy(dtype=float)
    previous, clv = np.zeros(len(x)), np.zeros(len(x))
    for month in range(1, int(horizon) + 1):
        cumulative = bgnbd.expected_purchases(month * step, x, tx, T)
        clv += (cumulative - previous) * value * margin / (1 + discount_rate) ** month
        previous = cumulative
    lost = ~np.isfinite(clv)
    if lost.any():  # never a sum that skips them: a forecast of nothing would read as "worth nothing"
        raise ModelError(f"the value models give no finite forecast for {int(lost.sum()):,} of {len(x):,} customers "
                         f"(BG/NBD r={bgnbd.r_:.4g}, alpha={bgnbd.alpha_:.4g}, a={bgnbd.a_:.4g}, b={bgnbd.b_:.4g}; "
                         f"Gamma-Gamma p={gg.p_:.4g}, q={gg.q_:.4g}, v={gg.v_:.4g})",
                         "leave 10_value out (--only without it) and report the issue with these parameters")
    return pd.DataFrame({"expected_purchases": previous, "p_alive": bgnbd.probability_alive(x, tx, T),
                         "expected_value": value, "clv": clv}, index=summary.index)


# ------------------------------------------------------------------------------------------ checks
@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted against actual holdout repeat purchases: ``by_frequency`` per number of calibration repeat purchases
    (``"0"`` .. ``"7+"``: ``customers``, the mean ``actual`` and ``predicted`` holdout purchases, the paper's
    conditional-expectation figure); all customers' ``predicted_total`` and ``actual_total``; ``mae`` per customer.
    """

    by_frequency: pd.DataFrame
    predicted_total: float
    actual_total: float
    mae: float


def holdout_check(bgnbd: BetaGeoModel, summary: pd.DataFrame, *, max_frequency: int = 7) -> HoldoutCheck:
    """Compare the model's expected holdout purchases with the actual ones (summary with a holdout)."""
    x, tx, T, actual, duration = _columns(summary, ("frequency", "recency", "T", "frequency_holdout",
                                                    "duration_holdout"))
    predicted = bgnbd.expected_purchases(duration, x, tx, T)
    group = np.minimum(x, max_frequency).astype(int)
    table = (pd.DataFrame({"group": group, "actual": actual, "predicted": predicted})
             .groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                   predicted=("predicted", "mean")))
    table.index = pd.Index([f"{g}+" if g == max_frequency else str(g) for g in table.index],
                           name="calibration_purchases")
    return HoldoutCheck(table, float(predicted.sum()), float(actual.sum()), float(np.abs(predicted - actual).mean()))
