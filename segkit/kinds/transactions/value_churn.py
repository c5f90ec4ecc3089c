"""The CLV forecast against the churn model's risk (``10_value``): P(alive), expected purchases and value by churn risk
band, and whether the two models rank the customers alike, said in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataValueError
from ...format import horizon_label, round_json

__all__ = ["RISK_BANDS", "ChurnRelation", "churn_relation", "agreement"]

#: Churn probability bands of the comparison with P(alive): [0, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75, 1].
RISK_BANDS = (0.0, 0.25, 0.5, 0.75, 1.0)


def agreement(rho: float) -> str:
    """The rank correlation of P(alive) with churn risk as a conclusion: the models agree when it is -0.5 or below,
    rank the customers the opposite way above 0.2 (Online Retail's 0.38: the one-time buyers BG/NBD counts alive are
    those the churn model rates at risk), and differently between.

    >>> [agreement(r) for r in (-0.69, 0.0, 0.38)]
    ['agree on who is more at risk', 'rank them differently', 'rank them the opposite way']
    """
    return ("agree on who is more at risk" if rho <= -0.5 else "rank them the opposite way" if rho > 0.2
            else "rank them differently")


#: A mean P(alive) at or above this in every risk band says nothing about the bands.
NEAR_ONE = 0.99


def _opposite(rho: float) -> str:
    """The agreement the page gives for a rank correlation of P(alive) with the risk: its opposite, to two decimals,
    never "-0.00"."""
    return f"{round(-rho, 2) + 0.0:.2f}"


#: The risk bands' column of P(alive): among the repeat buyers, since BG/NBD holds every one-time buyer alive.
ALIVE = "Mean P(alive), repeat buyers"


@dataclass
class ChurnRelation:
    """P(alive) and the forecast against the churn model's risk, per customer scored by both."""

    table: pd.DataFrame
    spearman: float
    spearman_repeat: float
    customers: int
    repeat_customers: int
    horizon: int  #: months ahead of the expected purchases (the fit's ``horizon``)
    churn_days: int | None = None  #: the churn model's horizon, as ``churn_summary.json`` gives it

    def summary(self) -> str:
        t = self.table[self.table["Customers"] > 0]
        low, high = t.iloc[0], t.iloc[-1]
        purchases = f"Expected purchases ({self.horizon} months)"
        repeat = (f"Among the {self.repeat_customers:,} repeat buyers scored by both models, the two "
                  f"{agreement(self.spearman_repeat)} (agreement {_opposite(self.spearman_repeat)}: 1 if the two rank "
                  f"customers exactly alike, 0 if not at all, -1 the opposite way; the rank correlation of the churn "
                  f"risk with the chance of having stopped, 1 - P(alive)); across all {self.customers:,} customers "
                  f"they {agreement(self.spearman)} ({_opposite(self.spearman)}), one-time buyers counted alive."
                  if np.isfinite(self.spearman_repeat) and np.isfinite(self.spearman) else
                  "Too few customers were scored by both models, or their scores do not vary, to compare how they "
                  "rank them.")  # no number to read: not "they rank them differently (nan)"
        # a band of one-time buyers only has no P(alive) among repeat buyers: the table's "–", said
        one_time = " ".join(f"The {band} band has no repeat buyer (its P(alive) shows –): its "
                            f"{int(row['Customers']):,} customers have bought once."
                            for band, row in t.iterrows() if pd.isna(row[ALIVE]))
        alive = t[ALIVE].dropna()
        # Online Retail: "over 99.9%", 99.8% and 99.7% beside churn risks of 12% to 61% read as a contradiction
        flat = (f" The repeat buyers' mean P(alive) is {NEAR_ONE:.0%} or more in every band that has any (the model "
                "finds almost no customer who stopped for good: see the caveats), so compare the bands by their "
                "expected purchases, not by it."
                if len(alive) > 1 and (alive >= NEAR_ONE).all() else "")
        return (f"BG/NBD lets a customer drop out only after a repeat purchase, so P(alive) is 1 for everyone who has "
                f"bought once. {repeat} Expected purchases in the next {self.horizon} months average "
                f"{low[purchases]:.1f} in the lowest risk band and {high[purchases]:.1f} in the highest.{flat}" +
                (f" {one_time}" if one_time else ""))

    def to_dict(self) -> dict[str, Any]:
        return {"customers": self.customers, "spearman": round_json(self.spearman), "repeat_customers": self.repeat_customers,
                "spearman_repeat": round_json(self.spearman_repeat)}


def churn_relation(per_customer: pd.DataFrame, churn_df: pd.DataFrame, horizon: int,
                   churn_days: int | None = None) -> ChurnRelation:
    """Rank correlation of P(alive) with ``churn_probability`` (``churn.csv``), over all customers and over the
    repeat buyers (``frequency`` > 0 in ``per_customer``), and a table by risk band; ``horizon``: the months ahead
    of ``per_customer``'s expected purchases; ``churn_days``: the churn model's horizon, for the table's heading."""
    risk = churn_df.assign(customer_id=churn_df["customer_id"].astype(str)).set_index("customer_id")
    both = per_customer.join(risk["churn_probability"], how="inner")
    if both.empty:
        raise DataValueError("no customer of value.csv is in churn.csv", "run 08_churn and 10_value on the same run")
    band = pd.cut(both["churn_probability"], list(RISK_BANDS[:-1]) + [np.inf], right=False,
                  labels=[f"{100 * a:.0f}-{100 * b:.0f}%" for a, b in zip(RISK_BANDS, RISK_BANDS[1:])])
    repeat = both[both["frequency"] > 0]
    # P(alive) among the repeat buyers: a one-time buyer's is 1 by the model's design, which made CDNOW's band at
    # highest risk (most of them one-time buyers) the "most alive"
    alive = repeat.groupby(band[repeat.index], observed=False)["p_alive"].mean()
    table = both.groupby(band, observed=False).agg(
        customers=("clv", "size"), risk=("churn_probability", "mean"),
        purchases=("expected_purchases", "mean"), clv=("clv", "mean"))
    table.insert(2, "alive", alive.reindex(table.index))
    table.columns = ["Customers", horizon_label("Mean churn risk", churn_days), ALIVE,
                     f"Expected purchases ({horizon} months)", "Mean CLV"]
    rho, rho_repeat = (float(d["p_alive"].rank().corr(d["churn_probability"].rank())) for d in (both, repeat))
    return ChurnRelation(table=table.rename_axis("Churn risk band"), spearman=rho, spearman_repeat=rho_repeat,
                         customers=int(len(both)), repeat_customers=int(len(repeat)), horizon=int(horizon),
                         churn_days=churn_days)
