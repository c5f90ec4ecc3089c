"""Exact draws from the CLV models of :mod:`segkit.kinds.transactions.value`, for tests and benchmarks with known answers.

- :func:`simulate_bgnbd`: a summary table (``frequency``, ``recency``, ``T``, optionally a holdout) drawn
  from the BG/NBD model with given parameters.
- :func:`simulate_gamma_gamma`: mean repeat purchase values drawn from the Gamma-Gamma model.
- :func:`simulate_transactions`: dated purchases of both models, shaped like the cleaned transactions
  (``clean.parquet``), for the ``10_value`` stage.

>>> summary = simulate_bgnbd(3, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, holdout=39.0)
>>> list(summary.columns)
['frequency', 'recency', 'T', 'frequency_holdout', 'duration_holdout']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma", "simulate_transactions"]


def simulate_bgnbd(n: int, *, r: float, alpha: float, a: float, b: float, T, holdout: float = 0.0,
                   random_state=0) -> pd.DataFrame:
    """Draw a summary table from the BG/NBD model, exactly (no time grid).

    Customer i buys at rate λ ~ Gamma(r, α) and drops out after repeat purchase K ~ Geometric(p),
    p ~ Beta(a, b). Given N purchases in (0, T], the x-th purchase time is T x Beta(x, N - x + 1).

    Parameters
    ----------
    n : int
    r, alpha, a, b : float
    T : float or array of n floats
        Each customer's age at the end of calibration.
    holdout : float, default=0.0
        When positive, adds ``frequency_holdout`` over that many time units and ``duration_holdout``.
    random_state : int, Generator or None, default=0

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T`` (and the holdout columns), index 0..n-1.
    """
    rng = np.random.default_rng(random_state)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.geometric(np.clip(rng.beta(a, b, n), 1e-12, 1.0))  # the repeat purchase after which they stop
    purchases = rng.poisson(lam * T)
    x = np.minimum(purchases, drop)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), purchases - x + 1), 0.0)
    out = pd.DataFrame({"frequency": x, "recency": tx, "T": T})
    if holdout > 0:
        alive = drop > purchases
        out["frequency_holdout"] = np.where(alive, np.minimum(rng.poisson(lam * holdout), drop - purchases), 0)
        out["duration_holdout"] = float(holdout)
    return out


def simulate_gamma_gamma(frequency, *, p: float, q: float, v: float, random_state=0) -> np.ndarray:
    """Mean repeat purchase value per customer drawn from the Gamma-Gamma model (0 where frequency is 0)."""
    rng = np.random.default_rng(random_state)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / v, x.shape)
    mean = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / (nu * np.maximum(x, 1.0)))  # mean of x Gamma(p, ν) values
    return np.where(x > 0, mean, 0.0)


def simulate_transactions(n: int, *, r: float, alpha: float, a: float, b: float, p: float, q: float, v: float,
                          days: int = 364, start: str = "2011-01-03", random_state=0) -> pd.DataFrame:
    """Purchases drawn from BG/NBD (time in weeks) and Gamma-Gamma, one line per purchase, as cleaned data.

    Customer i makes a first purchase on a day drawn uniformly from the first half of the ``days``, then buys
    at rate λ ~ Gamma(r, α) per week and, after each repeat purchase, drops out with probability
    p ~ Beta(a, b); each purchase is worth Gamma(p, ν), ν ~ Gamma(q, v). Purchase times are kept to the
    minute, so two purchases rarely share a day (the models count purchase days).

    Returns
    -------
    DataFrame
        ``customer_id``, ``invoice_id``, ``date``, ``quantity`` (1), ``price`` and ``amount`` (the value),
        ``is_cancellation`` (False), ``stock_code`` and ``country``; sorted by date.
    """
    rng = np.random.default_rng(random_state)
    weeks = days / 7.0
    lam, drop = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    nu = rng.gamma(q, 1.0 / v, n)
    birth = rng.uniform(0.0, weeks / 2, n)
    who, when = [], []
    for i in range(n):
        t = birth[i]
        while t < weeks:
            who.append(i)
            when.append(t)
            if len(who) > 1 and who[-2] == i and rng.random() < drop[i]:
                break  # dropped out right after this repeat purchase
            t += rng.exponential(1.0 / lam[i])
    who, when = np.asarray(who), np.asarray(when)
    amount = np.round(rng.gamma(p, 1.0 / nu[who]), 2)
    dates = pd.Timestamp(start) + pd.to_timedelta(np.round(when * 7 * 24 * 60), unit="min")
    out = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in who], "invoice_id": [f"{k + 1:06d}" for k in range(len(who))],
                        "date": dates, "quantity": 1, "price": amount, "amount": amount, "is_cancellation": False,
                        "stock_code": "A", "country": "United Kingdom"})
    return out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
