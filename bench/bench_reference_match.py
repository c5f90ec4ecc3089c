"""How far matched and unmatched segment centres lie from a reference, in units of the reference's centre
spacing: the measurements behind :data:`segkit.lineage.MATCH_RATIO` (0.5).

The reference is the smoke params' model on the bundled Online Retail data (RFM features, k = 3 as the smoke
run chooses). Each scenario refits from scratch and matches with :func:`segkit.lineage.align`; the printed
ratio is distance / spacing of each new segment to the reference centre it matched, or, for a segment left
unmatched, to its nearest reference centre.

- ``bootstrap``: the customers resampled with replacement, 20 times (seeds 1..20), k = 3;
- ``shifted``: one segment's customers spend 1.5 or 3 times as much (monetary x 1.5, x 3), k = 3, for each segment;
- ``removed``: one segment's customers removed, k = 2, for each segment;
- ``k+1``: the same customers with k = 4 (the extra segment should be new).

    .venv/bin/python bench/bench_reference_match.py [--boot 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from segkit import lineage, pipeline  # noqa: E402
from segkit.cluster import SegmentModel  # noqa: E402
from segkit.config import load_params  # noqa: E402
from segkit.source import load_input  # noqa: E402


def _fit(params, fs, table, k, seed):
    model = SegmentModel(k, preprocessor=pipeline.preprocessor(params, fs), random_state=seed)
    return model.fit(table[fs.columns])


def _ratios(ref, table, labels, names=None):
    found = lineage.align(ref, table, labels, names or {})
    return ([round(m["ratio"], 3) for m in found.matches], [round(n["ratio"], 3) for n in found.new],
            [v["code"] for v in found.vanished])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boot", type=int, default=20)
    args = parser.parse_args()
    params, _ = load_params(ROOT / "params" / "smoke.yaml")
    cleaned, _ = pipeline.clean_table(params, load_input(params))
    fs = pipeline.build_features(params, cleaned)
    table = fs.table
    model = _fit(params, fs, table, 3, params.seed)
    ref = lineage.Reference(path=Path("reference"), model_dir=Path("reference/artifacts/model"), model=model,
                            metadata={"feature_names": list(fs.columns), "data_kind": params.data_kind})
    print(f"reference: k=3 on {len(table):,} customers, spacing {np.round(lineage.spacings(model.cluster_centers_), 3)}")
    boot = []
    for seed in range(1, args.boot + 1):
        sample = table.sample(frac=1.0, replace=True, random_state=seed)
        matched, new, gone = _ratios(ref, sample, _fit(params, fs, sample, 3, seed).labels_)
        boot += matched
        if new or gone:
            print(f"bootstrap {seed}: unmatched {new}, vanished {gone}")
    print(f"bootstrap ({args.boot} refits): matched ratios {min(boot):.3f} to {max(boot):.3f}")
    for factor in (1.5, 3):
        for s in range(3):
            shifted = table.copy()
            rows = model.labels_ == s
            shifted.loc[rows, "monetary"] = shifted.loc[rows, "monetary"] * factor
            found = _ratios(ref, shifted, _fit(params, fs, shifted, 3, 1).labels_)
            print(f"segment {s} monetary x {factor}: matched, new, vanished = {found}")
    for s in range(3):
        kept = table[model.labels_ != s]
        print(f"segment {s} removed, k=2: matched, new, vanished = {_ratios(ref, kept, _fit(params, fs, kept, 2, 1).labels_)}")
    print(f"k=4: matched, new, vanished = {_ratios(ref, table, _fit(params, fs, table, 4, 1).labels_)}")


if __name__ == "__main__":
    main()
