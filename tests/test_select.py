"""Tests of segkit.select: knee finding, the criteria against known answers, consensus, validation."""

from __future__ import annotations

import dataclasses

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_samples

from segkit.errors import ParamsError, SegmentationError
from segkit.select import (
    CRITERIA,
    SCORE_COLUMNS,
    KSelection,
    choose_k,
    find_knee,
    segment_stability,
    select_k,
    stability_label,
)
from segkit.select.criteria import _gap_choice  # the two rules, checked on hand-made numbers:
from segkit.select.stability import _jaccard_matched  # the gap's 1-SE rule and the Jaccard matching

FAST = dict(gap_references=5, bootstrap=5)


@pytest.fixture(scope="module")
def blobs4():
    centres = np.array([[0, 0], [8, 0], [0, 8], [8, 8]], dtype=float)
    X, y = make_blobs(n_samples=400, centers=centres, cluster_std=0.6, random_state=1)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.fixture(scope="module")
def sel4(blobs4):
    return select_k(blobs4[0], k_max=7, **FAST)


# ------------------------------------------------------------------------------------ find_knee
def test_knee_of_piecewise_linear_curve_is_the_break():
    ks = np.arange(1, 11)
    values = np.where(ks <= 4, 100 - 20 * (ks - 1), 40 - 2 * (ks - 4))
    assert find_knee(ks, values) == 4
    assert find_knee(ks[1:], values[1:]) == 4  # same break seen from k=2


def test_knee_of_noisy_one_over_k():
    ks = np.arange(1, 13)
    assert find_knee(ks, 1 / ks) == 4
    rng = np.random.default_rng(0)
    knees = [find_knee(ks, (1 / ks) * (1 + rng.normal(0, 0.02, ks.size))) for _ in range(10)]
    assert set(knees) <= {3, 4}


def test_knee_of_increasing_concave_curve():
    ks = np.arange(1, 11)
    assert find_knee(ks, -np.where(ks <= 4, 100 - 20 * (ks - 1), 40 - 2 * (ks - 4)),
                     curve="concave", direction="increasing") == 4


def test_no_knee_on_a_straight_line_or_too_few_points():
    assert find_knee([1, 2, 3, 4, 5], [10, 8, 6, 4, 2]) is None
    assert find_knee([2, 3], [5, 1]) is None
    assert find_knee([2, 3, 4], [1, 1, 1]) is None


def test_knee_agrees_with_kneed_on_random_curves():
    import warnings

    from kneed import KneeLocator

    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(3, 13))
        ks, y = np.arange(2, n + 2), np.sort(rng.exponential(size=n))[::-1] * (1 + rng.normal(0, 0.05, n))
        for curve in ("convex", "concave"):
            for direction in ("decreasing", "increasing"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs = KneeLocator(ks, y, curve=curve, direction=direction).knee
                assert find_knee(ks, y, curve=curve, direction=direction) == (None if theirs is None else int(theirs))


def test_knee_rejects_unknown_shape():
    with pytest.raises(ParamsError, match="curve"):
        find_knee([1, 2, 3], [3, 2, 1], curve="wiggly")


# ----------------------------------------------------------------------------- criteria values
def test_recommends_four_on_four_blobs(sel4):
    assert sel4.recommended_k == 4
    assert sel4.structure == "clear"
    assert sel4.rationale.startswith("4 segments: preferred by ")
    assert "every segment stable" in sel4.rationale
    assert {c for c, k in sel4.preferred.items() if k == 4} >= {"elbow", "silhouette", "calinski_harabasz",
                                                                 "davies_bouldin", "stability"}
    assert sorted(sel4.votes[4]) == sorted(c for c, k in sel4.preferred.items() if k == 4)


def test_scores_table_shape(sel4):
    assert list(sel4.scores.columns) == list(SCORE_COLUMNS)
    assert list(sel4.scores.index) == [1, 2, 3, 4, 5, 6, 7]
    assert sel4.ks == [2, 3, 4, 5, 6, 7]
    assert sel4.scores.loc[1, ["silhouette", "calinski_harabasz", "stability_min"]].isna().all()
    assert all(len(sel4.per_segment_silhouette[k]) == k for k in sel4.ks)
    assert all(len(sel4.per_segment_stability[k]) == k for k in sel4.ks)
    assert sel4.n_rows == 400 and sel4.sample_size == 400


def test_scores_match_sklearn_on_the_same_fit(blobs4, sel4):
    X = blobs4[0]
    for k in (3, 4):
        km = KMeans(n_clusters=k, n_init="auto", random_state=0).fit(X)
        assert sel4.scores.loc[k, "inertia"] == pytest.approx(km.inertia_)
        assert sel4.scores.loc[k, "calinski_harabasz"] == pytest.approx(calinski_harabasz_score(X, km.labels_))
        assert sel4.scores.loc[k, "davies_bouldin"] == pytest.approx(davies_bouldin_score(X, km.labels_))
        s = silhouette_samples(X, km.labels_)
        assert sel4.scores.loc[k, "silhouette"] == pytest.approx(s.mean())
        assert sel4.per_segment_silhouette[k] == pytest.approx([s[km.labels_ == c].mean() for c in range(k)])
    assert sel4.scores.loc[1, "inertia"] == pytest.approx(((X - X.mean(axis=0)) ** 2).sum())


def test_silhouette_in_row_chunks_matches_sklearn(blobs4, monkeypatch):
    import segkit.select.search as select

    monkeypatch.setattr(select, "_SILHOUETTE_CELLS", 400 * 70)  # 70-row chunks: 6 of them
    X = blobs4[0]
    sel = select_k(X, k_max=5, criteria=["silhouette"])
    for k in (2, 5):
        labels = KMeans(n_clusters=k, n_init="auto", random_state=0).fit(X).labels_
        assert sel.scores.loc[k, "silhouette"] == pytest.approx(silhouette_samples(X, labels).mean(), abs=1e-12)


def test_stability_is_perfect_at_true_k_and_poor_when_a_blob_is_split(sel4):
    assert sel4.scores.loc[4, "stability_min"] > 0.95
    assert sel4.scores.loc[5, "stability_min"] < 0.75  # one round blob cut in two: the cut moves


def test_gap_peaks_at_true_k(sel4):
    gap = sel4.scores["gap"]
    assert gap.idxmax() == 4
    assert (sel4.scores["gap_se"].dropna() > 0).all()


def test_gap_one_se_rule_on_known_numbers():
    ks = [1, 2, 3, 4, 5]
    assert _gap_choice(ks, np.array([0.1, 0.5, 0.9, 0.88, 0.95]), np.full(5, 0.05)) == 3
    # Tibshirani's rule alone stops at 1 here (Gap(1) >= Gap(2) - s2), but Gap(5) is far above Gap(1):
    # one group is refused and the rule starts again at k=2 (the fix of the k=1 failure on blobs)
    assert _gap_choice(ks, np.array([0.1, 0.08, 0.9, 1.0, 1.1]), np.full(5, 0.05)) == 5
    assert _gap_choice(ks, np.array([0.1, 0.08, 0.9, 0.88, 0.8]), np.full(5, 0.05)) == 3
    assert _gap_choice(ks, np.array([0.1, 0.08, 0.11, 0.09, 0.12]), np.full(5, 0.05)) == 1  # flat: one group
    assert _gap_choice(ks, np.arange(5.0), np.full(5, 0.05)) == 5  # never levels off: largest k


def test_jaccard_matching_on_known_partitions():
    ref = np.array([0, 0, 0, 1, 1, 1])
    assert _jaccard_matched(ref, np.array([1, 1, 1, 0, 0, 0]), 2) == pytest.approx([1, 1])  # renamed only
    assert _jaccard_matched(ref, np.array([1, 1, 0, 0, 0, 0]), 2) == pytest.approx([2 / 3, 3 / 4])


def test_uniform_data_is_reported_as_weak_structure():
    X = np.random.default_rng(3).uniform(size=(300, 2))
    sel = select_k(X, k_max=6, **FAST)
    assert sel.preferred["gap"] == 1
    assert sel.structure in ("weak", "none")
    assert "no clear natural groups" in sel.structure_note
    assert "convenient partition" in sel.structure_note
    assert "no clear natural groups" in sel.rationale


def test_criteria_subset_skips_gap_and_stability(blobs4):
    sel = select_k(blobs4[0], k_max=6, criteria=["silhouette", "davies_bouldin"])
    assert set(sel.preferred) == {"silhouette", "davies_bouldin"}
    assert sel.scores[["gap", "gap_se", "stability_min"]].isna().all().all()
    assert list(sel.scores.index) == [2, 3, 4, 5, 6] and sel.per_segment_stability == {}
    assert sel.recommended_k == 4 and "2 of 2 criteria" in sel.rationale


def test_ties_go_to_fewer_segments():
    from segkit.select.vote import _consensus

    votes, k, text, _ = _consensus({"silhouette": 5, "calinski_harabasz": 3}, [2, 3, 4, 5], {})
    assert k == 3 and "tied with 5 (silhouette)" in text


# ------------------------------------------------------------------------- determinism, sampling
def test_identical_results_whatever_n_jobs(blobs4):
    X = blobs4[0][:200]
    one = select_k(X, k_max=5, seed=7, n_jobs=1, **FAST)
    two = select_k(X, k_max=5, seed=7, n_jobs=2, **FAST)
    pd.testing.assert_frame_equal(one.scores, two.scores, check_exact=True)
    assert one.to_dict() == two.to_dict()


def test_seed_changes_sampled_criteria_only_within_noise(blobs4):
    a = select_k(blobs4[0], k_max=5, seed=0, **FAST)
    b = select_k(blobs4[0], k_max=5, seed=1, **FAST)
    assert a.recommended_k == b.recommended_k == 4
    assert not np.allclose(a.scores["gap"], b.scores["gap"])


def test_sample_is_used_and_recorded_when_data_is_larger():
    X, _ = make_blobs(n_samples=1500, centers=3, cluster_std=0.5, random_state=0)
    sel = select_k(X, k_max=5, sample_size=300, **FAST)
    assert sel.sample_size == 300 and sel.n_rows == 1500
    assert sel.params["sample_size"] == 300 and sel.params["inertia_rows"] == 1500
    assert sel.recommended_k == 3


# ---------------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, key", [
    (dict(k_min=1), "k_min"), (dict(k_min=2.5), "k_min"), (dict(k_min=5, k_max=4), "k_max"),
    (dict(sample_size=10), "sample_size"), (dict(gap_references=1), "gap_references"),
    (dict(bootstrap=0), "bootstrap"), (dict(n_init="many"), "n_init"), (dict(seed=-1), "seed"),
    (dict(criteria=["elbow", "vibes"]), "criteria"), (dict(n_jobs=0), "n_jobs"),
])
def test_bad_params_name_the_key_and_the_fix(kwargs, key):
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ParamsError) as info:
        select_k(X, **kwargs)
    assert info.value.key == key and key in str(info.value) and "Fix:" in str(info.value)


def test_non_finite_values_are_refused():
    X = np.random.default_rng(0).normal(size=(50, 3))
    X[4, 1], X[9, 2] = np.nan, np.inf
    with pytest.raises(SegmentationError, match=r"2 missing or infinite values \(in columns \[1, 2\]\).*Fix:"):
        select_k(X)


def test_shape_and_type_are_checked():
    with pytest.raises(SegmentationError, match="2-D"):
        select_k(np.arange(20.0))
    with pytest.raises(SegmentationError, match="not numeric"):
        select_k(np.array([["a", "b"]] * 20))


def test_k_max_is_capped_to_the_distinct_rows_with_a_note():
    X = np.repeat(np.arange(6.0)[:, None] * [1.0, 2.0], 5, axis=0)  # 30 rows, 6 distinct
    sel = select_k(X, k_max=10, **FAST)
    assert sel.ks == [2, 3, 4, 5] and sel.params["k_max"] == 5
    assert any("k_max lowered from 10 to 5" in note for note in sel.notes)


def test_too_few_rows_for_k_min():
    with pytest.raises(SegmentationError, match="k_min=3") as info:
        select_k(np.array([[0.0, 0], [1, 1], [2, 2]]), k_min=3, k_max=4)
    assert info.value.key == "k_min"


# ------------------------------------------------------------------------------- serialisation
def test_round_trip_through_json(sel4):
    text = json.dumps(sel4.to_dict(), allow_nan=False)
    back = KSelection.from_dict(json.loads(text))
    pd.testing.assert_frame_equal(back.scores, sel4.scores)
    assert back.per_segment_stability == sel4.per_segment_stability
    assert (back.recommended_k, back.rationale, back.structure, back.preferred, back.votes) == (
        sel4.recommended_k, sel4.rationale, sel4.structure, sel4.preferred, sel4.votes)
    assert back.ks == sel4.ks


def test_from_dict_refuses_other_formats():
    with pytest.raises(SegmentationError, match="format"):
        KSelection.from_dict({"format": "something/else"})


def test_consensus_table_marks_each_preferred_k(sel4):
    table = sel4.consensus_table()
    assert list(table.columns) == [2, 3, 4, 5, 6, 7, "Preferred k"]
    assert len(table) == len(CRITERIA) + 1 and table.index[-1] == "Votes"
    assert table.loc["Separation (silhouette)", 4].endswith(" *")
    assert sum(str(v).endswith(" *") for v in table.loc["Separation (silhouette)"]) == 1
    assert table.loc["Votes", 4] == str(len(sel4.votes[4]))
    numeric = sel4.consensus_table(numeric=True)
    assert numeric.loc["Separation (silhouette)", 4] == pytest.approx(sel4.scores.loc[4, "silhouette"])
    # the k the run uses, when another (a k the params fix, a census run's cap): Delaware's "2 (4 chosen)" of 5 segments
    rec = sel4.recommended_k
    assert sel4.consensus_table(used=rec).loc["Votes", "Preferred k"] == table.loc["Votes", "Preferred k"]
    assert sel4.consensus_table(used=rec + 1).loc["Votes", "Preferred k"] == f"{rec} ({rec + 1} used)"
    held = dataclasses.replace(sel4, voted_k=2)
    assert held.consensus_table(used=rec + 1).loc["Votes", "Preferred k"] == f"2 ({rec} chosen, {rec + 1} used)"
    assert held.consensus_table().loc["Votes", "Preferred k"] == f"2 ({rec} chosen)"


# ----------------------------------------------------------------------- final segments, choose_k
def test_segment_stability_of_true_segments_and_of_a_bad_split(blobs4):
    X, y = blobs4
    names = np.array(["north", "east", "south", "west"])[y]
    good = segment_stability(X, names, n_boot=8)
    assert good.shape == (4,) and (good > 0.95).all()
    assert [stability_label(j) for j in good] == ["stable"] * 4
    split = segment_stability(X, 5, n_boot=8)
    assert split.shape == (5,) and split.min() < 0.75


def test_segment_stability_of_k_repeats_select_k(blobs4, sel4):
    assert segment_stability(blobs4[0], 5, n_boot=5) == pytest.approx(sel4.per_segment_stability[5], abs=1e-12)


def test_segment_stability_same_whatever_n_jobs(blobs4):
    X = blobs4[0]
    assert np.array_equal(segment_stability(X, 4, n_boot=4, n_jobs=1), segment_stability(X, 4, n_boot=4, n_jobs=2))


def test_stability_labels_follow_clusterboot():
    assert [stability_label(j) for j in (0.9, 0.75, 0.74, 0.6, 0.59, float("nan"))] == [
        "stable", "stable", "moderate", "moderate", "unstable", "unknown"]


def test_choose_k(sel4):
    assert choose_k(sel4)[1] in ("4 segments, chosen automatically: " + sel4.rationale.removeprefix("4 segments: "),
                                "4 segments, chosen automatically. " + sel4.rationale)
    assert choose_k(sel4, 6) == (6, "The run was set to 6 segments; the criteria recommended 4.")
    assert choose_k(sel4, 4)[1] == "The run was set to 4 segments, the number the criteria recommend."
    assert "outside the range evaluated (2-7)" in choose_k(sel4, 12)[1]
    for bad in ("six", 1, 2.0):
        with pytest.raises(ParamsError, match="k"):
            choose_k(sel4, bad)


def test_structure_note_describes_the_k_actually_used():
    X = np.random.default_rng(3).normal(size=(300, 2))  # no natural groups: a "convenient partition"
    sel = select_k(X, k_min=2, k_max=6, seed=0, gap_references=3, bootstrap=3)
    assert sel.structure in ("weak", "none")
    used = 6 if sel.recommended_k != 6 else 5
    assert f"The {sel.recommended_k} segments" in sel.structure_note_for(sel.recommended_k)
    assert f"The {used} segments" in sel.structure_note_for(used)
