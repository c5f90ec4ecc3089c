"""Study: BG/NBD (what ``10_value`` fits) against the modified BG/NBD (MBG/NBD) on a run's purchases.

BG/NBD (Fader, Hardie & Lee 2005) lets a customer drop out only after a repeat purchase, so every one-time buyer
is alive (P(alive) = 1). On Online Retail the fit finds almost no drop-out at all (0.043% a purchase), and the Lost
segment (213 days since its last purchase) is forecast to spend more next year than it ever has. MBG/NBD (Batislam,
Denizel & Filiztekin 2007; Wagner & Hoppe 2008) lets a customer drop out at the first purchase too. This script
fits both on the same calibration period, compares their forecasts of the holdout with what customers bought, then
refits both on the whole history and gives each segment's mean P(alive) and expected purchases in the next 12
months. Nothing in ``segkit`` changes: MBG/NBD is written here from the published likelihood and expectations.

How to run (from the repository root), on a finished run of ``params/online_retail.yaml``::

    .venv/bin/python -m segkit.cli run params/online_retail.yaml --name clv --force --out /tmp/clv
    .venv/bin/python bench/clv_model_study.py --run /tmp/clv/clv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segkit.kinds.transactions.lifetime import value_data  # noqa: E402
from segkit.kinds.transactions.value import UNIT_DAYS, BetaGeoModel  # noqa: E402


def mbg_nll(log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    """Mean negative MBG/NBD log-likelihood (Batislam et al. 2007, eq. 3) of the histories (x, t_x, T) of weight w."""
    r, alpha, a, b = np.exp(log_params)
    gl = special.gammaln
    base = gl(r + x) - gl(r) + r * np.log(alpha) + gl(a + b) + gl(b + x + 1) - gl(b) - gl(a + b + x + 1)
    stay = -(r + x) * np.log(alpha + T)  # alive at T
    gone = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + tx)  # dropped out at the last purchase
    return float(-(w * (base + np.logaddexp(stay, gone))).sum() / w.sum())


class MBGNBD:
    """MBG/NBD fitted by maximum likelihood on log-parameters (Nelder-Mead from a few seeded starts)."""

    def fit(self, summary: pd.DataFrame, seed: int = 0) -> MBGNBD:
        rows, w = np.unique(summary[["frequency", "recency", "T"]].to_numpy(float), axis=0, return_counts=True)
        scale = float(summary["T"].mean())
        x, tx, T = rows[:, 0], rows[:, 1] / scale, rows[:, 2] / scale
        rng = np.random.default_rng(seed)
        best = None
        for x0 in [np.zeros(4), *(rng.normal(0, 1, 4) for _ in range(3))]:
            res = optimize.minimize(mbg_nll, x0, args=(x, tx, T, w.astype(float)), method="Nelder-Mead",
                                    options={"maxiter": 20_000, "xatol": 1e-8, "fatol": 1e-10})
            best = res if best is None or res.fun < best.fun else best
        self.r, self.alpha, self.a, self.b = np.exp(best.x) * np.array([1.0, scale, 1.0, 1.0])
        return self

    def probability_alive(self, x, tx, T) -> np.ndarray:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        return 1.0 / (1.0 + a / (b + x) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx))))

    def expected_purchases(self, t, x, tx, T) -> np.ndarray:
        """Expected purchases in the next ``t`` time units (Wagner & Hoppe 2008, the erratum's eq. for MBG/NBD); where
        the fit finds no drop-out (a / (a + b) under 1e-9, where the closed form loses every digit), its limit: the
        NBD's (r + x) / (alpha + T) purchases per time unit."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        if a / (a + b) < 1e-9:
            return (r + x) / (alpha + T) * t * self.probability_alive(x, tx, T)
        z = t / (alpha + T + t)
        future = (a + b + x) / (a - 1) * (1 - special.hyp2f1(r + x, b + x + 1, a + b + x, z)
                                          * np.exp((r + x) * np.log1p(-z)))
        return future * self.probability_alive(x, tx, T)


def holdout(model, cal: pd.DataFrame) -> dict:
    x, tx, T = (cal[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    predicted = model.expected_purchases(cal["duration_holdout"].to_numpy(float), x, tx, T)
    actual = cal["frequency_holdout"].to_numpy(float)
    groups = pd.Series(np.minimum(x, 3).astype(int)).map(lambda g: "3+" if g == 3 else str(g))
    by = pd.DataFrame({"group": groups, "predicted": predicted, "actual": actual}).groupby("group").mean()
    return {"predicted": predicted.sum(), "actual": actual.sum(), "mae": np.abs(predicted - actual).mean(), "by": by}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, required=True, help="a finished run folder of a transactions table")
    args = ap.parse_args(argv)
    art = args.run / "artifacts"
    data = value_data(pd.read_parquet(art / "clean.parquet"))
    cal, full = data.calibration, data.full
    print(f"{len(full):,} customers; calibration to {data.calibration_end:%d %b %Y}, holdout {data.holdout_days} days; "
          f"time in {data.unit}\n")
    bg, mbg = BetaGeoModel().fit(cal), MBGNBD().fit(cal)
    print("| model | r | alpha | a | b | mean drop-out a/(a+b) | holdout forecast | bought | error | MAE |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    checks = {}
    for name, m in (("BG/NBD", bg), ("MBG/NBD", mbg)):
        r, alpha, a, b = (m.r_, m.alpha_, m.a_, m.b_) if name == "BG/NBD" else (m.r, m.alpha, m.a, m.b)
        h = checks[name] = holdout(m, cal)
        print(f"| {name} (calibration) | {r:.3f} | {alpha:.2f} | {a:.4g} | {b:.4g} | {a / (a + b):.2%} | "
              f"{h['predicted']:,.0f} | {h['actual']:,.0f} | {h['predicted'] / h['actual'] - 1:+.0%} | {h['mae']:.3f} |")
    print("\nHoldout purchases per customer by calibration repeat purchases (actual / BG/NBD / MBG/NBD):")
    by = pd.concat({k: v["by"] for k, v in checks.items()}, axis=1)
    print(by.round(3).to_string())

    horizon = 12 * UNIT_DAYS["M"] / UNIT_DAYS[data.unit]
    bg, mbg = BetaGeoModel().fit(full), MBGNBD().fit(full)
    x, tx, T = (full[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    seg = pd.read_csv(art / "segments.csv", dtype={"customer_id": str}).set_index("customer_id")
    per = pd.DataFrame({"BG/NBD P(alive)": bg.probability_alive(x, tx, T),
                        "MBG/NBD P(alive)": mbg.probability_alive(x, tx, T),
                        "BG/NBD purchases, 12 months": bg.expected_purchases(horizon, x, tx, T),
                        "MBG/NBD purchases, 12 months": mbg.expected_purchases(horizon, x, tx, T)},
                       index=full.index.astype(str))
    named = per.join((seg["segment_code"] + " " + seg["segment_name"]).rename("segment"))
    print(f"\nWhole history: MBG/NBD r {mbg.r:.3f}, alpha {mbg.alpha:.2f}, a {mbg.a:.4g}, b {mbg.b:.4g}; "
          f"BG/NBD a/(a+b) {bg.a_ / (bg.a_ + bg.b_):.3%}\n")
    print(named.groupby("segment").mean().round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
