"""The known-structure study: does the consensus of `select_k` find the true number of groups?

Data sets with a known answer (blobs at several separations and seeds, anisotropic and unequal-size
clusters) and without one (uniform, a single Gaussian). For each scenario the table records how often
the consensus and each single criterion find the true k, and how often "no clear structure" is reported.
Run with ``-s`` to see the table. Small n and few references/replicates keep the file near 30 s on 2 cores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.select import CRITERIA, select_k

N = 240
K_MAX = 8
SETTINGS = dict(k_max=K_MAX, gap_references=5, bootstrap=8, n_jobs=1)


def _centres(rng: np.random.Generator, k: int, d: int, min_dist: float) -> np.ndarray:
    """k centres in a 20-wide box, at least ``min_dist`` apart (rejection sampling)."""
    while True:
        c = rng.uniform(-10, 10, size=(k, d))
        dist = np.linalg.norm(c[:, None] - c[None], axis=-1)
        if dist[np.triu_indices(k, 1)].min() >= min_dist:
            return c


def blobs(seed: int, *, k: int, d: int, std: float, sizes=None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sizes = sizes or [N // k] * k
    c = _centres(rng, k, d, 7.0)
    return np.vstack([rng.normal(c[i], std, size=(m, d)) for i, m in enumerate(sizes)])


def anisotropic(seed: int) -> np.ndarray:
    x = blobs(seed, k=3, d=2, std=0.6)
    return x @ np.array([[0.6, -0.6], [-0.4, 0.8]])


def scaled(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0)


SCENARIOS = {  # name: (true k or None, generator, seeds)
    "blobs k=4 d=2 well separated (sd 0.5)": (4, lambda s: blobs(s, k=4, d=2, std=0.5), range(20)),
    "blobs k=4 d=3 separated (sd 1.0)": (4, lambda s: blobs(s, k=4, d=3, std=1.0), range(8)),
    "blobs k=4 d=2 overlapping (sd 2.0)": (4, lambda s: blobs(s, k=4, d=2, std=2.0), range(8)),
    "blobs k=6 d=3 well separated (sd 0.5)": (6, lambda s: blobs(s, k=6, d=3, std=0.5), range(10)),
    "anisotropic k=3": (3, anisotropic, range(8)),
    "unequal sizes 160/60/20 k=3": (3, lambda s: blobs(s, k=3, d=2, std=0.7, sizes=[160, 60, 20]), range(8)),
    "uniform d=2 (no groups)": (None, lambda s: np.random.default_rng(s).uniform(size=(N, 2)), range(8)),
    "uniform d=4 (no groups)": (None, lambda s: np.random.default_rng(s).uniform(size=(N, 4)), range(5)),
    "one Gaussian d=3 (no groups)": (None, lambda s: np.random.default_rng(s).normal(size=(N, 3)), range(5)),
}


@pytest.fixture(scope="module")
def study() -> pd.DataFrame:
    rows = []
    for name, (true_k, make, seeds) in SCENARIOS.items():
        for seed in seeds:
            sel = select_k(scaled(make(seed)), seed=seed, **SETTINGS)
            row = {"scenario": name, "true_k": true_k, "seed": seed, "consensus": sel.recommended_k,
                   "structure": sel.structure}
            row.update(sel.preferred)
            rows.append(row)
    runs = pd.DataFrame(rows)
    table = []
    for name, group in runs.groupby("scenario", sort=False):
        true_k = group["true_k"].iloc[0]
        line = {"scenario": name, "runs": len(group)}
        no_structure = group["structure"].isin(["weak", "none"]).mean()
        if true_k is None or pd.isna(true_k):
            line.update({c: "" for c in ("consensus", *CRITERIA)})
            line["gap"] = f"{(group['gap'] == 1).mean():.0%} k=1"
        else:
            line.update({c: f"{(group[c] == true_k).mean():.0%}" for c in ("consensus", *CRITERIA)})
        line["no clear structure"] = f"{no_structure:.0%}"
        table.append(line)
    table = pd.DataFrame(table).set_index("scenario")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\nShare of runs finding the true k (no-group data: share reporting no clear structure)")
        print(table.to_string())
    table.attrs["runs"] = runs
    return table


def _rate(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_consensus_finds_k_on_well_separated_blobs(study):
    for name in ("blobs k=4 d=2 well separated (sd 0.5)", "blobs k=6 d=3 well separated (sd 0.5)"):
        assert _rate(study.at[name, "consensus"]) >= 0.9, name
        assert _rate(study.at[name, "no clear structure"]) == 0, name


def test_consensus_is_at_least_as_good_as_the_typical_criterion(study):
    known = study[study["consensus"] != ""]
    consensus = known["consensus"].map(_rate).mean()
    singles = [known[c].map(_rate).mean() for c in CRITERIA]
    assert consensus >= np.median(singles)


def test_no_group_data_reports_no_clear_structure(study):
    for name in ("uniform d=2 (no groups)", "uniform d=4 (no groups)", "one Gaussian d=3 (no groups)"):
        assert study.at[name, "no clear structure"] == "100%", name


def test_anisotropic_and_unequal_clusters_are_found_mostly(study):
    assert _rate(study.at["anisotropic k=3", "consensus"]) >= 0.6
    assert _rate(study.at["unequal sizes 160/60/20 k=3", "consensus"]) >= 0.6
