"""k when the data has no natural groups (issue 16), and the known answers that must not move (issue 18).

- Well-separated blobs, true k from 2 to 8: the vote finds the true k in at least 90% of the data sets of
  every k, the structure is "clear" (so the criteria decide, as before), and the gap statistic never
  prefers one group.
- Data without groups is never graded "clear".
- Generated tables without natural groups (correlated Gaussian and uniform clouds, 2,000-5,000 rows x
  4-8 columns) give 4-8 segments that all hold (Jaccard >= 0.75), none below 3%, with the plain rationale.
- The Mall and Ethiopian tables (shared data) give 4-8 segments with ``k: auto``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from segkit.errors import ParamsError
from segkit.select import STABLE, KSelection, choose_k, select_k

FAST = dict(gap_references=5, bootstrap=8, n_jobs=1)


def _scaled(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0)


def _blobs(seed: int, k: int, *, d: int = 3, per: int = 40, std: float = 0.5, min_dist: float = 7.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    while True:  # k centres in a 20-wide box, at least min_dist apart
        c = rng.uniform(-10, 10, size=(k, d))
        if np.linalg.norm(c[:, None] - c[None], axis=-1)[np.triu_indices(k, 1)].min() >= min_dist:
            break
    return _scaled(np.vstack([rng.normal(c[i], std, size=(per, d)) for i in range(k)]))


@pytest.fixture(scope="module")
def blob_study() -> dict[int, list]:
    return {k: [select_k(_blobs(seed, k), k_max=10, seed=seed, **FAST) for seed in range(10)] for k in range(2, 9)}


@pytest.mark.parametrize("true_k", range(2, 9))
def test_well_separated_blobs_recover_the_true_k(blob_study, true_k):
    runs = blob_study[true_k]
    found = np.mean([s.recommended_k == true_k for s in runs])
    assert found >= 0.9, [s.recommended_k for s in runs]
    assert all(s.structure == "clear" for s in runs)
    assert all(s.recommended_k == s.voted_k for s in runs)  # clear structure: the criteria decide


def test_gap_never_prefers_one_group_on_well_separated_blobs(blob_study):
    prefs = [s.preferred["gap"] for runs in blob_study.values() for s in runs]
    assert 1 not in prefs
    assert np.mean([s.preferred["gap"] == k for k, runs in blob_study.items() for s in runs]) >= 0.8


def test_gap_known_answer_four_blobs_on_a_square():
    """Four round blobs on the corners of a square: splitting them in two is no better than splitting
    uniform data (Gap(1) ~ Gap(2)), where Tibshirani's first-SE rule alone stopped at one group."""
    centres = np.array([[0, 0], [6, 0], [0, 6], [6, 6]], dtype=float)
    for seed in range(15):
        rng = np.random.default_rng(seed)
        X = _scaled(np.vstack([rng.normal(c, 0.5, size=(60, 2)) for c in centres]))
        sel = select_k(X, k_max=7, seed=seed, criteria=["gap"], gap_references=5)
        assert sel.preferred["gap"] == 4, (seed, sel.scores["gap"].round(3).tolist())


@pytest.mark.parametrize("make", [
    lambda rng: rng.uniform(size=(400, 2)), lambda rng: rng.normal(size=(400, 3)),
    lambda rng: rng.uniform(size=(2000, 4)), lambda rng: rng.normal(size=(2000, 6)),
], ids=["uniform 2-D", "Gaussian 3-D", "uniform 4-D", "Gaussian 6-D"])
def test_null_data_is_never_clear(make):
    for seed in range(3):
        sel = select_k(_scaled(make(np.random.default_rng(seed))), k_max=8, seed=seed, **FAST)
        assert sel.structure != "clear", seed


def _correlated(seed: int, n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(d, d)) * np.linspace(2.0, 0.3, d)  # correlated columns, unequal spread
    return _scaled(rng.normal(size=(n, d)) @ mix)


NO_GROUPS = {
    "correlated Gaussian 2000 x 4": lambda: _correlated(0, 2000, 4),
    "correlated Gaussian 3000 x 6": lambda: _correlated(1, 3000, 6),
    "correlated Gaussian 5000 x 8": lambda: _correlated(2, 5000, 8),
    "uniform 2000 x 4": lambda: _scaled(np.random.default_rng(0).uniform(size=(2000, 4))),
}


@pytest.mark.parametrize("name", list(NO_GROUPS))
def test_tables_without_groups_get_four_to_eight_segments_that_hold(name):
    sel = select_k(NO_GROUPS[name](), k_max=8, seed=0, entity="customers")
    k = sel.recommended_k
    assert sel.structure in ("weak", "none", "moderate")
    assert 4 <= k <= 8, sel.rationale
    assert min(sel.per_segment_hold[k]) >= STABLE
    assert min(sel.segment_shares[k]) >= 0.03
    assert min(sel.per_segment_silhouette[k]) > 0
    assert f"{k} stable segments that split the customers usefully" in sel.rationale
    if sel.structure != "moderate":
        assert "no natural groups" in sel.rationale
    assert f"The {k} segments" in sel.structure_note_for(k)
    assert choose_k(sel) == (k, f"{k} segments, chosen automatically: " + sel.rationale.removeprefix(f"{k} segments: "))
    # "stable" is the segments refitted from their centres; the criteria table's stability is k-means refitted from
    # scratch: when that is below 0.75 at k, the rationale says so with the table's number, so the page agrees
    scratch = sel.scores.at[k, "stability_min"]
    said = f"Refitted from scratch, k-means draws other boundaries (weakest segment's Jaccard {scratch:.2f}"
    assert (said in sel.rationale) == (scratch < STABLE), (scratch, sel.rationale)
    table = sel.consensus_table()
    assert table.at["Stability refitted from scratch (weakest segment)", k].startswith(f"{scratch:.3g}")
    votes = table.at["Votes", "Preferred k"]
    assert votes == (str(k) if sel.voted_k == k else f"{sel.voted_k} ({k} chosen)")


def test_vote_rule_and_a_fixed_k_keep_the_plain_vote():
    X = NO_GROUPS["correlated Gaussian 2000 x 4"]()
    auto = select_k(X, k_max=8, seed=0)
    vote = select_k(X, k_max=8, seed=0, k_rule="vote")
    assert vote.recommended_k == vote.voted_k == auto.voted_k
    # only the voted k's hold (the stability its rationale states), no business range
    assert set(vote.per_segment_hold) == {vote.voted_k} and "stable segments that split" not in vote.rationale
    assert choose_k(auto, 3) == (3, f"The run was set to 3 segments; the criteria recommended {auto.recommended_k}.")


def test_business_range_outside_the_k_range_falls_back_to_the_vote_and_says_so():
    sel = select_k(NO_GROUPS["uniform 2000 x 4"](), k_min=2, k_max=3, seed=0, **FAST)
    assert sel.recommended_k == sel.voted_k
    assert "no k in the business range 4-8" in sel.rationale


def _three_groups(seed: int, sep: float = 4.5) -> np.ndarray:
    """Three overlapping groups of 300, 250 and 200 rows at the corners of a triangle (a third column of noise)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [sep, 0, 0], [sep / 2, sep * 0.87, 0]])
    return _scaled(np.vstack([rng.normal(c, 1, size=(n, 3)) for c, n in zip(centres, (300, 250, 200))]))


def test_groups_two_thirds_of_the_criteria_find_win_over_the_business_range():
    """A German table's three planted groups, preferred by 4 or 5 of 6 criteria, were cut into 4 or 5 segments, from
    the business range. Now two thirds of the criteria, bootstrap stability among them, decide a k of 3 or more even
    below the range; with fewer, or without stability, the business range still does (and a vote for 2 never
    overrules it: the Mall and Ethiopian tables below)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    truth = np.repeat([0, 1, 2], [300, 250, 200])
    for seed, sep, backers in ((1, 4.5, 5), (1, 4.0, 4)):
        own = select_k(_three_groups(seed, sep), k_max=8, seed=0, entity="customers")
        assert own.structure == "moderate" and own.voted_k == 3 and len(own.votes[3]) == backers
        assert own.recommended_k == 3 and own.held and "stability" in own.votes[3]
        assert own.rationale.startswith("3 segments (outside the business range 4-8): the customers fall into 3")
        fitted = KMeans(3, n_init=10, random_state=0).fit_predict(_three_groups(seed, sep))
        assert adjusted_rand_score(truth, fitted) > 0.8
    split = select_k(_three_groups(0, 4.0), k_max=8, seed=0, entity="customers")
    assert split.voted_k == 3 and "stability" not in split.votes[3] and 4 <= split.recommended_k <= 8


@pytest.mark.parametrize("kwargs, key", [(dict(k_rule="best"), "k_rule"), (dict(business_k=(5, 3)), "business_k"),
                                         (dict(min_share=0.7), "min_segment_share"),
                                         (dict(stability_sample_size=10), "stability_sample_size")])
def test_bad_rule_params_name_the_key(kwargs, key):
    with pytest.raises(ParamsError) as info:
        select_k(np.random.default_rng(0).normal(size=(60, 2)), **kwargs)
    assert info.value.key == key and "Fix:" in str(info.value)


def test_same_params_and_seed_give_the_same_selection():
    X = NO_GROUPS["correlated Gaussian 2000 x 4"]()
    assert select_k(X, k_max=6, seed=3).to_dict() == select_k(X, k_max=6, seed=3, n_jobs=2).to_dict()


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["mall_customers", "ethiopian_supermarket"])
def test_shared_customer_tables_get_four_to_eight_segments(shared_data, name):
    from pathlib import Path

    from segkit import pipeline
    from segkit.config import load_params
    from segkit.source import load_input

    shared_data({"mall_customers": "mall_customers/Mall_Customers.csv",
                 "ethiopian_supermarket": "ethiopian_supermarket/ethiopian_supermarket_customers.csv"}[name])
    params, _ = load_params(Path(__file__).resolve().parents[1] / "params" / f"{name}.yaml")
    cleaned, _ = pipeline.clean_table(params, load_input(params))
    X = pipeline.clustering_matrix(params, pipeline.build_features(params, cleaned))
    sel, k, sentence = pipeline.select(params, X)
    assert 4 <= k <= 8, sentence
    assert min(sel.per_segment_hold[k]) >= STABLE
    assert "stable segments that split the customers usefully" in sentence


def test_the_index_summary_says_how_k_was_chosen_in_plain_words():
    """stages.select_k.plain_summary: the business choice (segments that hold), the vote (with what the structure
    means), a k set in the params (its own sentence); never a criterion by name."""
    from segkit.stages.select_k import plain_summary

    held = select_k(NO_GROUPS["correlated Gaussian 3000 x 6"](), k_max=8, seed=0, entity="customers")
    assert held.held and KSelection.from_dict(held.to_dict()).held
    k = held.recommended_k
    text = plain_summary(held, k, "unused", "customers")
    assert text.startswith(f"{k} segments. The customers form ") and "useful split" in text
    # Mall's index said "each keeps its members when the data is resampled" beside the k page's 0.32 from scratch:
    # it says how they were refitted, and that from scratch k-means draws others when it does
    scratch = held.scores.at[k, "stability_min"]
    assert "keeps its members when the segments are refitted from their centres on resampled data" in text
    # in plain words on the run's page: "k-means draws other boundaries" is the k page's, for the analyst
    assert ("(though a fit from scratch draws other lines between them)" in text) == (scratch < STABLE), (scratch, text)
    voted = select_k(_blobs(0, 4), k_max=8, seed=0, entity="customers", **FAST)
    assert not voted.held and voted.structure == "clear"
    assert plain_summary(voted, 4, "unused", "customers") == (
        f"4 segments: {len(voted.votes[4])} of the {len(voted.preferred)} measures of how well the customers split "
        "into groups prefer 4 (the page \"How many segments?\" says how k was chosen).")
    assert plain_summary(voted, 6, "k=6 was set in the params.", "customers") == "k=6 was set in the params."
    own = KSelection.from_dict(select_k(_three_groups(1), k_max=8, seed=0, entity="customers").to_dict())
    assert plain_summary(own, 3, "unused", "customers").startswith(  # the data's own groups, as the k page says
        "3 segments. The customers fall into 3 groups of their own, though the groups overlap: each keeps its members")
    for text in (plain_summary(held, k, "", "customers"), plain_summary(voted, 4, "", "customers")):
        assert not re.search(r"Calinski|Davies|silhouette|gap statistic|Jaccard", text)


def test_the_business_choice_says_why_it_took_its_k_of_those_that_qualify():
    """The Ethiopian table's page said "k=4 is the one the criteria prefer most of 4, 5, which all qualify" beside a
    vote table where no criterion preferred 4 (4 of 6 preferred 2): it was the better separated of the two."""
    from segkit.select.business import _among

    # "Of 4, 5, which all qualify, no criterion prefers any; k=4 separates the customers best" read ungrammatical, and
    # "best" beside a table where 2 separated them better still
    assert _among(4, [4, 5], {2: ["a", "b", "c", "d"]}, "customers") == (
        " Of 4 and 5, which both qualify, no criterion prefers either; of these, 4 separates the customers better "
        "(its segments' silhouettes).")
    assert _among(4, [4, 5, 6], {2: ["a"]}, "areas") == (
        " Of 4, 5 and 6, which all qualify, no criterion prefers any of them; of these, 4 separates the areas best "
        "(its segments' silhouettes).")
    assert _among(5, [4, 5, 6], {5: ["a", "b"], 4: ["c"]}, "customers") == (
        " Of 4, 5 and 6, which all qualify, 5 is preferred by more criteria than any other (2 criteria).")
    assert _among(4, [4, 5, 6], {5: ["a"], 4: ["c"]}, "areas") == (
        " Of 4, 5 and 6, which all qualify, 4 and 5 are each preferred by 1 criterion; 4 separates the areas better "
        "(its segments' silhouettes).")  # of those two: 6, preferred by none, may separate better still
    assert _among(6, [4, 5, 6, 7], {4: ["a", "b"], 5: ["c", "d"], 6: ["e", "f"]}, "areas").startswith(
        " Of 4, 5, 6 and 7, which all qualify, 4, 5 and 6 are each preferred by 2 criteria; 6 separates")


def test_a_criterion_without_a_preference_is_not_said_to_point_somewhere():
    """The Ethiopian page read "others point to no preference (elbow), 3 (gap statistic)"."""
    from segkit.select.vote import _consensus

    pref = {"elbow": None, "silhouette": 2, "calinski_harabasz": 2, "gap": 3}
    text = _consensus(pref, [2, 3, 4], {})[2]
    assert "others point to 3 (gap statistic); the elbow has no preference" in text, text
    assert "point to no preference" not in text


def test_an_automatic_number_of_segments_is_said_once():
    """"5 segments, chosen automatically. 5 segments (outside the business range ...)" said the number twice."""
    from types import SimpleNamespace

    from segkit.select.vote import choose_k

    for why, said in (("5 segments (outside the business range, as 4 of 6 criteria prefer).",
                       "5 segments, chosen automatically (outside the business range, as 4 of 6 criteria prefer)."),
                      ("5 segments: the customers form groups.", "5 segments, chosen automatically: the customers form "
                                                                  "groups."),
                      ("The data has too few rows.", "5 segments, chosen automatically. The data has too few rows.")):
        selection = SimpleNamespace(recommended_k=5, rationale=why, ks=[2, 3, 4, 5, 6])
        assert choose_k(selection) == (5, said)


def test_the_best_silhouette_is_never_written_as_the_threshold_it_is_below():
    """Telco's k page: "every silhouette is below 0.25 (best 0.25)"; the best was 0.249."""
    import pandas as pd

    from segkit.select.vote import _structure

    for best, said in [(0.2493, "below 0.25 (best 0.249)"), (0.21, "below 0.25 (best 0.21)"),
                       (0.4996, "best silhouette 0.4996;")]:
        scores = pd.DataFrame({"silhouette": [best - 0.05, best]}, index=[2, 3])
        note = _structure(scores, [2, 3], {"gap": 3}, 3)[1]
        assert said in note, note


def test_the_vote_table_shows_the_stability_the_business_choice_reads():
    """Telco's k page: "4, 5, 6, 7 and 8, which all qualify" as stable, beside a table whose only stability row (refitted
    from scratch) read 0 at k = 6. The table shows the stability the choice reads, each segment refitted from its
    centres, for the numbers it weighed."""
    from sklearn.datasets import make_blobs

    from segkit.select import select_k
    from segkit.select.vote import HOLD_LABEL

    X = np.random.default_rng(0).normal(size=(600, 3))  # no natural groups: the business range decides
    sel = select_k(X, k_min=2, k_max=8, seed=0, business_k=(4, 6), bootstrap=6)
    assert sel.held
    row = sel.consensus_table().loc[HOLD_LABEL]
    weakest = {k: min(sel.per_segment_hold[k]) for k in (4, 5, 6)}
    decimals = max(0, min(3, 2 - int(np.floor(np.log10(min(weakest.values()))))))  # one number of decimals
    for k in (4, 5, 6):
        assert row[k] == f"{weakest[k]:.{decimals}f}" + (" *" if k == sel.recommended_k else "")
    assert row[8] == "–" and row["Preferred k"] == f"{sel.recommended_k} chosen"  # not measured there: said so
    # the line under the table says what both stability rows rest on (the Mall's 0.000 came from 3 refits, its
    # centres row left k = 3 blank)
    from segkit.stages.select_k import vote_note

    measured = sorted(k for k in sel.per_segment_hold if not 4 <= k <= 6)
    said = vote_note(sel).data
    assert "the mean over 3 to 6 refits for each number of segments: refitting stops once they settle" in said
    assert ("measured for 4 to 6 segments (the range the choice is made in)" + (
        f" and {measured[0]}, the vote&#x27;s" if measured else "") + "; – where it was not measured.") in said
    narrow = select_k(X, k_min=2, k_max=4, seed=0, business_k=(4, 8), bootstrap=2)
    assert narrow.held and "measured for 4 segments (the range the choice is made in); –" in vote_note(narrow).data
    assert "mean over 2 refits for each" in vote_note(narrow).data
    blobs, _ = make_blobs(n_samples=400, centers=3, cluster_std=0.4, random_state=0)  # clear groups: the vote decides
    clear = select_k(blobs, k_max=6, seed=0, bootstrap=6)
    assert not clear.held and HOLD_LABEL not in clear.consensus_table().index


def test_the_vote_says_too_when_its_stable_segments_are_not_stable_from_scratch():
    """A hotel bookings table: "so the vote decides. 9 segments ... every segment stable (Jaccard at least 0.75)" beside
    the criteria table's 0.333 refitted from scratch. The vote's "stable" is the segments refitted from their centres
    too, so its rationale squares the two as the business choice's does."""
    sel = select_k(NO_GROUPS["uniform 2000 x 4"](), k_max=8, seed=0, k_rule="vote")
    k, scratch = sel.recommended_k, sel.scores.at[sel.recommended_k, "stability_min"]
    assert "every segment stable" in sel.rationale and scratch < STABLE
    assert f"Refitted from scratch, k-means draws other boundaries (weakest segment's Jaccard {scratch:.2f}" \
        in sel.rationale


def test_when_no_k_qualifies_the_vote_outside_the_range_must_qualify_or_the_range_decides():
    """hotel_rates: every k of 4-8 had a segment under 1% of the bookings, so "the vote of the criteria decides" took 9
    (2 of 6 criteria), outside the range and with two segments under 3% itself, which 05 then called tiny. Now the
    range decides, and the rationale says what both fall short in; a vote's k inside the range, or one that
    qualifies, still decides."""
    from segkit.select.business import business_choice
    from segkit.stages.select_k import plain_summary

    ks = list(range(2, 11))
    votes = {9: ["silhouette", "davies_bouldin"], 2: ["calinski_harabasz"], 3: ["stability"]}
    stab = {k: [0.95, 0.9, 0.81] for k in ks}
    sil = {k: [0.2, 0.1, 0.05 + k / 100] for k in ks}  # 8 separates best of 4-8
    shares = {k: [0.006, 0.5, 0.494] for k in ks}
    rule = {"k_rule": "auto", "business_k": [4, 8], "min_share": 0.03}
    rationale = "9 segments: preferred by 2 of 6 criteria (silhouette, Davies-Bouldin)."
    k, text, held = business_choice(9, rationale, "none", ks, votes, stab, sil, shares, rule, "bookings", 6)
    assert (k, held) == (8, False)
    assert text.startswith("8 segments: the data has no natural groups, and no k in the business range 4-8 gave")
    assert ("nor did 9, the number the vote of the criteria gives, which lies outside the range (its smallest segment "
            "holds 0.6% of the bookings)") in text
    assert "8 is the one of 4-8 that separates the bookings best" in text
    assert "The vote of the criteria alone gives 9" in text
    one = business_choice(9, rationale, "none", ks, {**votes, 5: ["elbow"]}, stab, sil, shares, rule, "bookings", 6)
    assert one[0] == 5 and "5 is the number more criteria prefer than any other of 4-8 (1 of 6)" in one[1]
    unknown = {**sil, 9: [0.2, 0.1, float("nan")]}  # a segment the silhouette's sample missed: no crash, said
    said = business_choice(9, rationale, "none", ks, votes, stab, unknown, {**shares, 9: [.3, .4, .3]}, rule,
                           "bookings", 6)[1]
    assert "(a segment is not distinct from the next)" in said
    shares_9 = {**shares, 9: [0.3, 0.4, 0.3]}  # the vote's 9 qualifies: it decides, as before
    assert business_choice(9, rationale, "none", ks, votes, stab, sil, shares_9, rule, "bookings", 6)[0] == 9
    assert business_choice(6, rationale, "none", ks, {6: ["gap"]}, stab, sil, shares, rule, "bookings", 6)[0] == 6
    sel = KSelection(scores=None, per_segment_silhouette=sil, per_segment_stability={}, preferred={c: None for c in
                     "abcdef"}, votes=votes, recommended_k=8, rationale=text, structure="none", structure_note="",
                     sample_size=100, n_rows=100, params=rule, voted_k=9, held=False)
    summary = plain_summary(sel, 8, "", "bookings")
    assert summary.startswith("8 segments: no number of segments from 4 to 8 gave segments that all keep their "
                              "members, each hold at least 3% of the bookings and are distinct, and neither did 9, "
                              "which 2 of the 6 measures of how well the bookings split into groups prefer; of 4 to 8, "
                              "8 separates the bookings best")


def test_the_business_choice_says_why_the_votes_k_was_not_used():
    """The Ethiopian table's page chose 4 "of 4 and 5" beside a vote of 2 and never said that 2 lay below the range
    the choice is made in; a vote inside the range whose segments fall short says what they fall short in."""
    from segkit.select.business import business_choice

    ks = [2, 3, 4, 5, 6]
    stab = {2: [0.98, 0.97], 3: [0.9, 0.8, 0.9], 4: [0.9] * 4, 5: [0.8] * 5, 6: [0.9] * 5 + [0.5]}
    sil = {k: [0.3] * k for k in ks}
    shares = {k: [1 / k] * k for k in ks}
    rule = {"business_k": [4, 8], "min_share": 0.03}
    rationale = "2 segments: preferred by 4 of 6 criteria (silhouette, Calinski-Harabasz, Davies-Bouldin, stability)."
    k, text, held = business_choice(2, rationale, "moderate", ks, {2: list("abcd"), 3: ["gap"]}, stab, sil, shares,
                                    rule, "customers", 6)
    assert (k, held) == (4, True)
    assert text.endswith(" The vote of the criteria alone gives 2: preferred by 4 of 6 criteria (silhouette, "
                         "Calinski-Harabasz, Davies-Bouldin, stability). 2 lies below the range the choice is made "
                         "in, 4 to 8 segments (the usual range of a business segmentation: business_k_min and "
                         "business_k_max in the params), of which 4 to 6 were tried here.")
    # the page said "4 to 8" beside a table that stops at 5: it says which of them were tried
    for tried, said in (([2, 3, 4, 5], ", of which 4 and 5 were tried here."), ([2, 3, 4], ", of which only 4 was "
                        "tried here."), ([2, 3, 4, 5, 6, 7, 8, 9], "in the params).")):
        sub = {k: v for k, v in stab.items() if k in tried} | {k: [0.9] * k for k in tried if k not in stab}
        sil_, shares_ = {k: [0.3] * k for k in tried}, {k: [1 / k] * k for k in tried}
        k, text, _ = business_choice(2, rationale, "moderate", tried, {2: list("abcd")}, sub, sil_, shares_, rule,
                                     "customers", 6)
        assert text.endswith(said), text
    six = "6 segments: preferred by 4 of 6 criteria (silhouette, Calinski-Harabasz, Davies-Bouldin, stability)."
    k, text, _ = business_choice(6, six, "moderate", ks, {6: list("abcd")}, stab, sil, shares, rule, "customers", 6)
    assert k == 4 and text.endswith("stability). 6 falls short: a segment does not keep its members when the "
                                    "segments are refitted (Jaccard 0.50).")


def test_the_k_page_opens_with_the_index_s_plain_words_then_the_criteria(tmp_path):
    """The Mall's 03 opened on the criteria by name (Jaccard, Calinski-Harabasz, params keys), which a business reader
    reads first; the run's page had the plain sentence. 03 gives it first now, without its pointer to 03 itself."""
    from segkit import stages
    from segkit.stages.select_k import POINTER

    ctx = stages.open_run(tmp_path / "run")
    plain = "8 segments. The customers form groups that overlap, not clearly separated ones."
    detail = "8 segments, chosen automatically: ... (Jaccard at least 0.75) ..."
    ctx.folder.write_json("k_summary.json", {"chosen_k": 8, "rationale": detail, "structure": "clear",
                                             "summary": f"{plain[:-1]} {POINTER}."})
    page = stages.select_k.k_recommendation(ctx, None).data
    assert page.startswith(f"<p><strong>In short:</strong> {plain}</p><p>In detail:</p>") and detail in page
    assert "How many segments?" not in page
    ctx.folder.write_json("k_summary.json", {"chosen_k": 5, "rationale": detail, "structure": "clear"})
    assert "In short" not in stages.select_k.k_recommendation(ctx, None).data  # a rule's own sentence: one only


def test_the_vote_note_says_which_criteria_prefer_an_end_of_the_range():
    """The Mall's silhouette and Davies-Bouldin preferred 8, its k_max, and the page did not say that more segments
    might suit them better: the note under the vote table says which criteria prefer the fewest or the most tried."""
    from sklearn.datasets import make_blobs

    from segkit.stages.select_k import vote_note

    X, _ = make_blobs(n_samples=600, centers=8, cluster_std=0.3, random_state=1)  # eight groups, at most five tried
    sel = select_k(X, k_min=2, k_max=5, seed=0, bootstrap=3, gap_references=3)
    assert sel.preferred == {"elbow": None, "silhouette": 5, "calinski_harabasz": 5, "davies_bouldin": 4, "gap": 5,
                             "stability": 5}
    assert vote_note(sel).data.endswith("Silhouette, Calinski-Harabasz, gap statistic and stability refitted from "
                                        "scratch prefer 5, the most segments tried; had more been tried, they might "
                                        "have preferred more.</p>")
    two, _ = make_blobs(n_samples=300, centers=2, cluster_std=0.3, random_state=0)  # two groups, three the fewest tried
    fewest = select_k(two, k_min=3, k_max=6, seed=0, bootstrap=3, gap_references=3, criteria=["silhouette", "gap"])
    assert fewest.preferred == {"silhouette": 3, "gap": 3}
    assert ">Silhouette and gap statistic prefer 3, the fewest segments tried; had fewer been tried, they might have " \
           "preferred fewer.</p>" in vote_note(fewest).data
    inside = select_k(two, k_min=2, k_max=6, seed=0, bootstrap=3, gap_references=3, criteria=["silhouette"])
    assert inside.preferred == {"silhouette": 2} and vote_note(inside) is None  # fewer than 2 is no segmentation
    three, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.3, random_state=0)
    middle = select_k(three, k_min=2, k_max=6, seed=0, bootstrap=3, gap_references=3, criteria=["silhouette"])
    assert middle.preferred == {"silhouette": 3} and vote_note(middle) is None
