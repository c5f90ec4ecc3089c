"""Single-row scoring: one pass of the preprocessor (``SegmentModel.assign``) against three (``predict``,
``transform`` and ``confidence`` each transforming the row again), through the scorer ``segkit score`` and
``segkit serve`` share (:func:`segkit.kinds.customers.score.score_customers`).

A model is fitted on 2,000 generated customers (``synth://customers``, seed 1, k = 4); one row is scored
``--n`` times each way, alternated ``--rounds`` times, and the medians are printed. The two ways give
identical scored tables (checked on 300 rows).

    .venv/bin/python bench/bench_score_row.py [--n 60] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import segkit  # noqa: E402
from segkit.kinds.customers import model_roles  # noqa: E402
from segkit.kinds.customers.score import score_customers, scoring_metadata  # noqa: E402
from segkit.kinds.customers.synth import generate_customers  # noqa: E402


class ThreePasses:
    """The fitted model without ``assign``: the scorer falls back to predict, transform and confidence."""

    def __init__(self, model):
        self._model = model

    def __getattr__(self, name):
        if name == "assign":
            raise AttributeError(name)
        return getattr(self._model, name)


def _median_ms(model, metadata, row, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        score_customers(model, metadata, row)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    raw = generate_customers(2000, seed=1)
    result = segkit.segment_table(raw, data_kind="customers", k=4, seed=0)
    fs = result.features
    metadata = scoring_metadata(fs.clustering_table, model_roles(fs), id_col=fs.extra.get("id_col"))
    one, three = result.model, ThreePasses(result.model)
    same = score_customers(one, metadata, raw.head(300)).equals(score_customers(three, metadata, raw.head(300)))
    rounds = [(_median_ms(one, metadata, raw.head(1), args.n), _median_ms(three, metadata, raw.head(1), args.n))
              for _ in range(args.rounds)]
    fast, slow = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    print(f"identical scores: {same}")
    print(f"one row, median of {args.rounds} rounds x {args.n}: one pass {fast:.1f} ms, three passes {slow:.1f} ms, "
          f"{slow / fast:.2f}x")


if __name__ == "__main__":
    main()
