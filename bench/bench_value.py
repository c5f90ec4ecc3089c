"""Benchmark: fit time of the CLV layer (``segkit.kinds.transactions.value``): BG/NBD, Gamma-Gamma and the 12-month CLV.

Two inputs:

* the bundled Online Retail data (``data/online_retail.parquet``, 541,909 lines), cleaned here the simple
  way: lines without a customer, cancellations (InvoiceNo starting with ``C``) and lines with a
  non-positive quantity or price are dropped; amount = Quantity x UnitPrice. The summary is in weeks with
  the last transaction day as calibration end;
* a generated summary of ``--customers`` customers (default 300,000, about the customer count of a
  10-million-line transaction table), drawn from BG/NBD (r=0.25, alpha=4, a=0.8, b=2.5; ages of 1 to 364
  days, in weeks) and Gamma-Gamma (p=6, q=4, v=15) by :mod:`segkit.kinds.transactions.value_synth`.

* with ``--lines N`` (repeatable), N generated transaction lines (``synth://transactions?rows=N&seed=0``,
  written once to Parquet under ``--cache``, the same files ``bench_engines.py`` makes), cleaned the same simple
  way as Online Retail: the summary and the fits see real lines, not a drawn summary.

Each step is timed ``--repeats`` times (default 3) and the median is printed, as a markdown table.
Imports and data loading are excluded; the summary step is timed for Online Retail only.

How to run (from the repository root)::

    .venv/bin/python bench/bench_value.py
    .venv/bin/python bench/bench_value.py --customers 300000 --repeats 3 --data data/online_retail.parquet
    .venv/bin/python bench/bench_value.py --lines 10000000 --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segkit.kinds.transactions.value import BetaGeoModel, GammaGammaModel, customer_lifetime_value, rfm_summary  # noqa: E402
from segkit.kinds.transactions.value_synth import simulate_bgnbd, simulate_gamma_gamma  # noqa: E402


def online_retail_transactions(path: Path) -> pd.DataFrame:
    """The bench's simple cleaning of the Online Retail lines."""
    raw = pd.read_parquet(path, columns=["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])
    keep = (raw["CustomerID"].notna() & ~raw["InvoiceNo"].str.startswith("C")
            & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0))
    clean = raw[keep]
    return pd.DataFrame({"customer": clean["CustomerID"].astype("int64"), "date": clean["InvoiceDate"],
                         "amount": clean["Quantity"] * clean["UnitPrice"]})


def generated_lines(n: int, cache: Path) -> Path:
    """N generated Online Retail-shaped lines as Parquet (written once, in bounded memory)."""
    from segkit.kinds.transactions.synth import write_transactions

    path = cache / f"transactions_{n}.parquet"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        write_transactions(path, n, seed=0)
    return path


def generated_summary(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    summary = simulate_bgnbd(n, r=0.25, alpha=4.0, a=0.8, b=2.5, T=rng.integers(1, 365, n) / 7,
                             random_state=seed)
    summary["monetary_value"] = simulate_gamma_gamma(summary["frequency"], p=6.0, q=4.0, v=15.0,
                                                     random_state=seed)
    summary.attrs["unit"] = "W"
    return summary


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run_once(summary_fn) -> tuple[dict, tuple]:
    summary, t_summary = timed(summary_fn)
    bgnbd, t_bg = timed(lambda: BetaGeoModel().fit(summary))
    gg, t_gg = timed(lambda: GammaGammaModel().fit(summary))
    clv, t_clv = timed(lambda: customer_lifetime_value(bgnbd, gg, summary, horizon=12))
    times = {"summary": t_summary, "bgnbd": t_bg, "gamma_gamma": t_gg, "clv": t_clv}
    return times, (summary, bgnbd, gg, clv)


def bench(label: str, summary_fn, repeats: int, time_summary: bool) -> str:
    runs, last = [], None
    for _ in range(repeats):
        times, last = run_once(summary_fn)
        runs.append(times)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    summary, bgnbd, gg, clv = last
    fits = median["bgnbd"] + median["gamma_gamma"] + median["clv"]
    print(f"{label}: r={bgnbd.r_:.3f} alpha={bgnbd.alpha_:.3f} a={bgnbd.a_:.3f} b={bgnbd.b_:.3f} | "
          f"p={gg.p_:.2f} q={gg.q_:.2f} v={gg.v_:.2f} | total 12-month CLV {clv['clv'].sum():,.0f}",
          file=sys.stderr)
    summary_cell = f"{median['summary']:.2f} s" if time_summary else "-"
    return (f"| {label} | {len(summary):,} | {int((summary['frequency'] > 0).sum()):,} | {summary_cell} | "
            f"{median['bgnbd']:.2f} s | {median['gamma_gamma']:.2f} s | {median['clv']:.2f} s | {fits:.2f} s |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "online_retail.parquet")
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lines", type=int, action="append", default=[],
                        help="also bench on this many generated transaction lines (repeatable)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/segkit-bench"),
                        help="folder for the generated lines' Parquet files")
    args = parser.parse_args(argv)

    transactions = online_retail_transactions(args.data)
    rows = [
        bench(f"Online Retail ({len(transactions):,} clean lines)",
              lambda: rfm_summary(transactions, customer_col="customer", date_col="date", amount_col="amount",
                                  unit="W"), args.repeats, time_summary=True),
    ]
    for n in args.lines:
        lines = online_retail_transactions(generated_lines(n, args.cache))
        rows.append(bench(f"generated lines: {n:,} ({len(lines):,} clean)",
                          lambda lines=lines: rfm_summary(lines, customer_col="customer", date_col="date",
                                                          amount_col="amount", unit="W"),
                          args.repeats, time_summary=True))
        del lines
    generated = generated_summary(args.customers)
    rows.append(bench("generated BG/NBD summary", lambda: generated, args.repeats, time_summary=False))
    print(f"Median of {args.repeats} runs; fit = BG/NBD + Gamma-Gamma + 12-month CLV.\n")
    print("| data | customers | repeat buyers | summary | BG/NBD fit | Gamma-Gamma fit | CLV | fit total |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
