"""segkit.hierarchy: trees that match scipy, two-stage trees that stay small, and the linkage comparison."""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import cophenet, fcluster, linkage, maxdists
from scipy.spatial.distance import pdist
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, silhouette_score

from segkit.errors import DataValueError, ParamsError, SegmentationError
from segkit.hierarchy import compare_linkages, linkage_matrix
from segkit.hierarchy.compare import _best
from segkit.hierarchy.tree import _weighted_linkage

REDUCIBLE = ["ward", "complete", "average", "single"]
CENTRES = [[0, 0], [20, 0], [0, 20], [20, 20]]


@pytest.fixture(scope="module")
def blobs():
    return make_blobs([1500, 1200, 900, 600], centers=CENTRES, cluster_std=1.0, random_state=0)


@pytest.fixture(scope="module")
def noisy_blobs():
    """Four blobs, a thin bridge between two of them, and scattered outliers."""
    rng = np.random.default_rng(0)
    X, y = make_blobs([300, 300, 300, 300], centers=CENTRES, cluster_std=1.0, random_state=0)
    bridge = np.column_stack([np.linspace(3, 17, 30), rng.normal(0, 0.2, 30)])
    noise = rng.uniform(-15, 35, size=(20, 2))
    return np.vstack([X, bridge, noise]), y


@pytest.mark.parametrize("method", REDUCIBLE)
def test_unit_weights_reproduce_scipy(method):
    X = np.random.default_rng(1).normal(size=(200, 3))
    ours, ref = _weighted_linkage(X, np.ones(200), method), linkage(X, method)
    np.testing.assert_allclose(ours[:, 2], ref[:, 2])
    np.testing.assert_array_equal(ours[:, 3], ref[:, 3])
    for k in (2, 5, 9):
        assert adjusted_rand_score(fcluster(ours, k, "maxclust"), fcluster(ref, k, "maxclust")) == 1.0


@pytest.mark.parametrize("method", REDUCIBLE)
def test_weights_equal_repeated_rows(method):
    """A leaf of weight w merges exactly like w identical rows (which scipy first merges at height 0)."""
    rng = np.random.default_rng(2)
    points, weights = rng.normal(size=(40, 2)), rng.integers(1, 6, 40)
    ours = _weighted_linkage(points, weights, method)
    ref = linkage(np.repeat(points, weights, axis=0), method)
    np.testing.assert_allclose(ours[:, 2], ref[-39:, 2])


def test_single_stage_matches_scipy_and_its_cophenetic():
    X = np.random.default_rng(3).normal(size=(300, 4))
    tree = linkage_matrix(X, method="average")
    ref = linkage(X, "average")
    assert not tree.two_stage and tree.n_leaves == 300 and tree.cophenetic_leaves == 300
    np.testing.assert_allclose(tree.Z[:, 2], ref[:, 2])
    assert tree.cophenetic == pytest.approx(cophenet(ref, pdist(X))[0])


def test_cophenetic_on_a_recorded_sample():
    X = np.random.default_rng(4).normal(size=(900, 3))
    full = linkage_matrix(X, method="ward")
    sampled = linkage_matrix(X, method="ward", cophenetic_sample=400)
    assert sampled.cophenetic_leaves == 400 and full.cophenetic_leaves == 900
    assert sampled.to_dict()["cophenetic_leaves"] == 400
    assert -1 <= sampled.cophenetic <= 1
    assert sampled.cophenetic == pytest.approx(full.cophenetic, abs=0.05)
    assert linkage_matrix(X, cophenetic_sample=400).cophenetic == sampled.cophenetic  # seeded


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single", "centroid", "median"])
def test_sampled_cophenetic_is_that_of_the_full_matrix_on_the_sample(method):
    """The sample's cophenetic distances come from the tree the merges induce on it: exactly the full n x n
    cophenetic matrix restricted to the sampled leaves, also for linkages whose heights are not monotone."""
    from scipy.spatial.distance import squareform

    from segkit.hierarchy.tree import _cophenetic_sample

    rng = np.random.default_rng(1)
    X = np.r_[rng.normal(0, 1, (500, 3)), rng.normal(4, 1, (400, 3))]
    Z = np.ascontiguousarray(linkage(X, method=method), dtype=np.float64)
    leaves = np.sort(rng.choice(len(X), 300, replace=False))
    full = squareform(cophenet(Z))[np.ix_(leaves, leaves)][np.triu_indices(300, 1)]
    assert _cophenetic_sample(Z, X, leaves) == float(np.corrcoef(full, pdist(X[leaves]))[0, 1])


def test_cut_height_known_answer():
    tree = linkage_matrix(np.array([[0.0], [1.0], [10.0], [11.0]]), method="single")
    assert tree.cut_height(2) == 5.0
    assert tree.cut_height(4) == 0.5
    assert tree.cut_height(1) > 9.0
    assert tree.assign(2).tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("method", ["ward", "centroid"])
def test_cut_height_separates_exactly_k(method):
    X = np.random.default_rng(5).normal(size=(500, 3))
    tree = linkage_matrix(X, method=method)
    for k in (2, 3, 7, 12):
        # centroid trees have inversions: a line cuts the monotone (max over the subtree) heights,
        # and tied heights there can give fewer than k segments, for the line and for assign alike
        flat = fcluster(tree.Z, tree.cut_height(k), criterion="monocrit", monocrit=maxdists(tree.Z))
        assert adjusted_rand_score(flat, tree.assign(k)) == 1.0
        assert np.unique(flat).size == k or method == "centroid"


@pytest.mark.parametrize("method", REDUCIBLE)
def test_two_stage_recovers_blobs(blobs, method):
    X, y = blobs
    tree = linkage_matrix(X, method=method, max_rows=1_000, seed=0)
    assert tree.two_stage and tree.weighted
    assert tree.n_rows == len(X) and tree.n_leaves <= 1_000
    assert tree.leaf_sizes.sum() == len(X) and tree.node_rows()[-1] == len(X)
    labels = tree.assign(4)
    assert labels.shape == (len(X),)
    assert adjusted_rand_score(y, labels) == 1.0
    assert np.bincount(labels).tolist() == [1500, 1200, 900, 600]  # segment 0 = largest
    assert -1 <= tree.cophenetic <= 1


def test_two_stage_centroid_is_unweighted(blobs):
    X, y = blobs
    tree = linkage_matrix(X, method="centroid", max_rows=500)
    assert tree.two_stage and not tree.weighted
    assert adjusted_rand_score(y, tree.assign(4)) == 1.0


def test_two_stage_memory_is_bounded():
    """60,000 rows: a full distance matrix would be 14 GB; the two-stage tree stays within 100 MB."""
    X, y = make_blobs(60_000, n_features=8, centers=5, random_state=0)
    tracemalloc.start()
    try:
        tree = linkage_matrix(X, method="ward", max_rows=1_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20
    assert adjusted_rand_score(y, tree.assign(5)) > 0.99


def test_duplicate_rows_leave_no_empty_leaf():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]]), 400, axis=0)
    tree = linkage_matrix(X, max_rows=100)
    assert tree.n_leaves == 3 and tree.leaf_sizes.tolist() == [400, 400, 400]
    assert np.bincount(tree.assign(3)).tolist() == [400, 400, 400]


def test_rejections():
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ParamsError) as err:
        linkage_matrix(X, method="wards")
    assert err.value.key == "linkage"
    with pytest.raises(SegmentationError) as err:
        linkage_matrix(X).assign(51)
    assert err.value.key == "k"
    X[3, 1] = np.nan
    with pytest.raises(DataValueError, match="missing"):
        linkage_matrix(X)
    with pytest.raises(SegmentationError):
        linkage_matrix(np.ones((1, 2)))


# ---------------------------------------------------------------------------------- comparison
def test_comparison_table(noisy_blobs):
    X, _ = noisy_blobs
    reference = KMeans(4, n_init="auto", random_state=0).fit_predict(X)
    comp = compare_linkages(X, 4, reference_labels=reference, seed=0)
    assert comp.table["method"].tolist() == ["ward", "complete", "average", "single"]
    assert {"silhouette", "cophenetic", "balance", "smallest_share", "ari", "n_segments"} <= set(comp.table)
    assert set(comp.hierarchies) == {"ward", "complete", "average", "single"}
    t = comp.table.set_index("method")
    # single linkage chains through the bridge and isolates outliers: far less balanced than ward
    assert t.loc["single", "balance"] < t.loc["ward", "balance"] - 0.2
    assert t.loc["single", "smallest_share"] < 0.01 < t.loc["ward", "smallest_share"]
    assert t.loc["ward", "ari"] > 0.95
    assert comp.best == "ward"
    assert t["cophenetic"].between(-1, 1).all()


def test_silhouette_matches_sklearn_on_all_rows(noisy_blobs):
    X, _ = noisy_blobs
    comp = compare_linkages(X, 4, methods=("ward", "single"), silhouette_sample=10_000)
    assert comp.silhouette_rows == len(X) and not comp.has_reference
    for method in ("ward", "single"):
        labels = comp.hierarchies[method].assign(4)
        expected = silhouette_score(X, labels)
        assert comp.table.set_index("method").loc[method, "silhouette"] == pytest.approx(expected)
    assert comp.table["ari"].isna().all()


def test_best_needs_a_real_smallest_segment():
    table = pd.DataFrame({"method": ["ward", "complete", "single"], "silhouette": [0.24, 0.10, 0.38],
                          "smallest_share": [0.14, 0.05, 0.00005], "balance": [0.8, 0.7, 0.25]})
    assert _best(table, 0.01) == "ward"  # single "wins" by isolating outliers: not eligible
    assert _best(table, 0.0) == "single"
    # nobody eligible (Delaware's campus is an area of its own in every tree): the most even cut, not average
    # linkage's 53, 2, 1, 1 and 1 areas
    assert _best(table.assign(smallest_share=0.0), 0.01) == "ward"
    assert _best(table.assign(smallest_share=0.0, balance=[0.5, 0.9, 0.2]), 0.01) == "complete"
    assert _best(table.assign(silhouette=[0.3, 0.3, np.nan]), 0.01) == "ward"


def test_ties_go_to_ward(blobs):
    X, _ = blobs
    comp = compare_linkages(X, 4, methods=("complete", "average", "ward"), max_rows=500, silhouette_sample=1_000)
    assert comp.table["silhouette"].nunique() == 1  # the same four blobs every time
    assert comp.best == "ward"


def test_two_stage_comparison_to_dict(blobs):
    X, y = blobs
    comp = compare_linkages(X, 4, reference_labels=y, max_rows=500, silhouette_sample=2_000, seed=7)
    d = comp.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert len(text) < 5_000  # summaries only, no linkage matrices
    assert d["k"] == 4 and d["best"] in d["hierarchies"] and d["silhouette_rows"] == 2_000
    assert [row["method"] for row in d["scores"]] == ["ward", "complete", "average", "single"]
    assert all(h["two_stage"] and h["n_leaves"] <= 500 for h in d["hierarchies"].values())
    assert compare_linkages(X, 4, reference_labels=y, max_rows=500, silhouette_sample=2_000,
                            seed=7).to_dict() == d  # seeded
    with pytest.raises(DataValueError):
        compare_linkages(X, 4, reference_labels=y[:10])
    with pytest.raises(SegmentationError):
        compare_linkages(X, 1)


def test_micro_clusters_of_many_rows_are_fitted_on_a_sample_and_cover_every_row(monkeypatch):
    """Above _MICRO_FIT_ROWS rows the micro-clusters are fitted on a seeded sample, then every row joins one:
    sizes sum to the rows, centres are the exact means of their members, no micro-cluster mixes two blobs."""
    from segkit.hierarchy import tree

    monkeypatch.setattr(tree, "_MICRO_FIT_ROWS", 300)
    rng = np.random.default_rng(0)
    blob = np.repeat(np.arange(3), 1000)
    X = rng.normal(scale=0.3, size=(3000, 2)) + np.array([[0, 0], [20, 0], [0, 20]])[blob]
    leaf, centres, sizes = tree._micro_clusters(X, 30, seed=1)
    assert sizes.sum() == 3000 and leaf.min() == 0 and leaf.max() == len(sizes) - 1
    for m in range(len(sizes)):
        members = leaf == m
        np.testing.assert_allclose(centres[m], X[members].mean(axis=0))
        assert len(np.unique(blob[members])) == 1
    again = tree._micro_clusters(X, 30, seed=1)
    np.testing.assert_array_equal(leaf, again[0])


def test_the_sentence_says_why_a_linkage_with_a_higher_silhouette_was_not_chosen():
    """The default run's page said "Ward linkage separates the segments best" above a table where ward had the lowest
    silhouette (0.25 against 0.30-0.55): the others scored higher by cutting off segments of one or two customers."""
    from types import SimpleNamespace

    from segkit.format import format_share
    from segkit.stages.dendrogram import hierarchy_sentence

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (300, 2)), rng.normal([6, 0], 1, (300, 2)), [[40, 40]], [[-40, 40]]]
    ref = KMeans(2, n_init=10, random_state=0).fit_predict(X)
    comparison = compare_linkages(X, 2, reference_labels=ref, seed=0)
    table = comparison.table.set_index("method")
    assert comparison.best == "ward" and table.loc["single", "silhouette"] > table.loc["ward", "silhouette"]
    ctx = SimpleNamespace(entity="customers", params=SimpleNamespace(max_hierarchy_rows=20_000))
    text = hierarchy_sentence(ctx, comparison)
    beaten = [m for m in REDUCIBLE if table.loc[m, "silhouette"] > table.loc["ward", "silhouette"]]
    assert text.startswith("Ward linkage separates the groups best of those that leave no tiny group: ")
    assert all(m in text.split(":")[1] for m in beaten) and "a group needs at least 1%" in text
    # the smallest segments as the table writes them (the caption said "under 1.0%" beside a table of "under 0.1%")
    small = sorted(table.loc[beaten, "smallest_share"])
    assert f"only by splitting off a tiny group ({format_share(small[0], 1)}" in text
    even = compare_linkages(X[:600], 2, reference_labels=ref[:600], seed=0)  # no outliers: nothing to explain
    assert hierarchy_sentence(ctx, even).startswith(f"{even.best.capitalize()} linkage separates the groups best. ")


def test_one_linkage_beaten_scores_in_the_singular_and_a_small_threshold_is_not_zero():
    from types import SimpleNamespace

    from segkit.hierarchy.compare import LinkageComparison
    from segkit.stages.dendrogram import hierarchy_sentence

    table = pd.DataFrame({"method": ["ward", "single"], "silhouette": [0.25, 0.55], "smallest_share": [0.05, 0.0002],
                          "ari": [0.6, 0.0]})
    comparison = LinkageComparison(k=5, table=table, hierarchies={}, best="ward", seed=0, silhouette_rows=100,
                                   has_reference=True, min_segment_share=0.005)
    ctx = SimpleNamespace(entity="customers", params=SimpleNamespace(max_hierarchy_rows=20_000))
    text = hierarchy_sentence(ctx, comparison)
    assert ("single scores a higher silhouette only by splitting off a tiny group (under 0.1% of the customers; a "
            "group needs at least 0.5%)") in text
    # a credit table's caption: "under 0.1% to 0.1% of the customers"
    table = pd.DataFrame({"method": ["ward", "single", "average"], "silhouette": [0.25, 0.55, 0.5],
                          "smallest_share": [0.05, 0.0002, 0.0009], "ari": [0.6, 0.0, 0.1]})
    text = hierarchy_sentence(ctx, replace(comparison, table=table))
    assert "only by splitting off a tiny group (at most 0.1% of the customers; a group needs" in text
    wider = table.assign(smallest_share=[0.05, 0.0012, 0.0031])
    assert "tiny group (0.1% to 0.3% of the customers" in hierarchy_sentence(ctx, replace(comparison, table=wider))


def test_an_agreement_with_the_segments_is_no_proof_of_groups_the_k_page_did_not_find():
    """The Ethiopian supermarket's 04 said "another method finds much the same segments" (1.00) beside 03's "the
    customers do not fall into 4 groups by themselves"."""
    from types import SimpleNamespace

    from segkit.hierarchy.compare import LinkageComparison
    from segkit.stages.dendrogram import hierarchy_sentence

    table = pd.DataFrame({"method": ["ward", "single"], "silhouette": [0.3, 0.2], "smallest_share": [0.2, 0.1],
                          "ari": [1.0, 0.2]})
    comparison = LinkageComparison(k=4, table=table, hierarchies={}, best="ward", seed=0, silhouette_rows=50,
                                   has_reference=True, min_segment_share=0.03)
    ctx = SimpleNamespace(entity="customers", params=SimpleNamespace(max_hierarchy_rows=20_000))
    agree = "another method finds much the same segments."
    assert hierarchy_sentence(ctx, comparison).endswith(agree)
    assert hierarchy_sentence(ctx, comparison, "clear").endswith(agree)
    assert hierarchy_sentence(ctx, comparison, "moderate").endswith(
        f"{agree} The two methods agree on where to draw the boundaries; as the page \"How many segments?\" says, the "
        "customers form groups that overlap, not clearly separated ones, so that agreement does not make them "
        "separate groups.")
    assert "the customers form no natural groups, so" in hierarchy_sentence(ctx, comparison, "weak")
    for ari in (0.2, 0.57):  # other groups, or the same in part: the sentence says so itself, and claims no agreement
        apart = replace(comparison, table=table.assign(ari=[ari, 0.1]))
        assert "agree on where" not in hierarchy_sentence(ctx, apart, "weak")


def test_the_trees_say_what_a_row_is(monkeypatch):
    """Delaware's trees read "Groups of customers (number of customers in each)" under branches of areas."""
    from types import SimpleNamespace

    from segkit import stages

    X, _ = make_blobs(n_samples=60, centers=3, random_state=0)
    comparison = compare_linkages(X, 3, seed=0)
    said = []
    monkeypatch.setattr(stages.dendrogram, "chosen_k", lambda ctx: 3)
    monkeypatch.setattr(stages.dendrogram, "figure", lambda drawn, text: drawn)
    for name in ("plot_dendrogram", "linkage_comparison_figure"):
        monkeypatch.setattr(stages.dendrogram, name, lambda *args, **kwargs: said.append(kwargs["entity"]))
    ctx = SimpleNamespace(entity="areas", params=SimpleNamespace(dendrogram_leaves=10, max_hierarchy_rows=20_000,
                                                                 algorithm="kmeans", linkage="ward"))
    monkeypatch.setattr(stages.dendrogram, "hierarchy_sentence", lambda ctx, comparison, structure: "")
    monkeypatch.setattr(stages.dendrogram, "k_structure", lambda ctx: None)  # no run folder here
    stages.dendrogram.dendrogram_figure(ctx, comparison)
    stages.dendrogram.comparison_figure(ctx, comparison)
    assert said == ["areas", "areas"]


def test_the_trees_groups_are_named_apart_from_the_segments(monkeypatch):
    """A reader took the tree's blue "S01" (940 workers) for the segment S01 (737): its groups are Branch 1, 2, ... in
    colours of their own, unless the segments are this tree's cut; and its agreement with them has a verdict."""
    from types import SimpleNamespace

    from segkit import stages

    X, _ = make_blobs(n_samples=60, centers=3, random_state=0)
    comparison = compare_linkages(X, 3, seed=0)
    calls = []
    monkeypatch.setattr(stages.dendrogram, "chosen_k", lambda ctx: 3)
    monkeypatch.setattr(stages.dendrogram, "figure", lambda drawn, text: text)
    monkeypatch.setattr(stages.dendrogram, "plot_dendrogram", lambda *args, **kwargs: calls.append(kwargs))
    params = SimpleNamespace(dendrogram_leaves=10, algorithm="kmeans", linkage="ward")
    caption = stages.dendrogram.dendrogram_figure(SimpleNamespace(entity="workers", params=params), comparison)
    assert calls[-1]["names"] == ["Branch 1", "Branch 2", "Branch 3"] and calls[-1]["palette"] == "Set2"
    assert calls[-1]["groups"] == "groups"
    assert caption.endswith("the cut into 3 groups (the tree's own, not the segments of the other pages).")
    own = SimpleNamespace(dendrogram_leaves=10, algorithm="agglomerative", linkage=comparison.best)
    caption = stages.dendrogram.dendrogram_figure(SimpleNamespace(entity="workers", params=own), comparison)
    assert calls[-1]["names"] is None and calls[-1]["palette"] is None and caption.endswith("into 3 segments.")
    monkeypatch.setattr(stages.dendrogram, "linkage_comparison_figure", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(stages.dendrogram, "hierarchy_sentence", lambda ctx, comparison, structure: "")
    monkeypatch.setattr(stages.dendrogram, "k_structure", lambda ctx: None)  # no run folder here
    stages.dendrogram.comparison_figure(SimpleNamespace(entity="workers", params=params), comparison)
    assert calls[-1]["palette"] == "Set2"  # the four trees in the branches' colours too
    stages.dendrogram.comparison_figure(SimpleNamespace(entity="workers", params=own), comparison)
    assert calls[-1]["palette"] is None
    words = stages.dendrogram.agreement_words
    assert words(0.23).startswith("the tree draws other groups") and words(0.9).endswith("much the same segments")
    assert words(0.71) == "another method finds the same segments in part"  # the Mall: 3 of 8 segments not found
    assert words(float("nan")) == "not measured"


def test_a_tree_of_eight_branches_has_no_grey_branch():
    """The Mall's Branch 8 was drawn in Set2's eighth colour, grey, as the links above the cut are."""
    from matplotlib.colors import to_rgb

    from segkit.plots.hierarchy import ABOVE_CUT, _palette

    for k in (5, 8, 10):
        colours = [to_rgb(c) for c in _palette("Set2", k)]
        assert len(set(colours)) == k and all(max(c) - min(c) > 0.1 for c in colours), k  # none grey, all apart
        assert to_rgb(ABOVE_CUT) not in colours
    assert _palette("Set2", 5) == _palette("Set2", 8)[:5]  # the first branches keep their colours


def test_when_every_linkage_splits_off_a_tiny_group_the_page_says_the_most_even_was_taken():
    from types import SimpleNamespace

    from segkit.hierarchy.compare import LinkageComparison
    from segkit.stages.dendrogram import hierarchy_sentence

    table = pd.DataFrame({"method": ["ward", "average"], "silhouette": [0.15, 0.26], "smallest_share": [0.017, 0.017],
                          "balance": [0.80, 0.25], "ari": [0.32, 0.12]})
    comparison = LinkageComparison(k=5, table=table, hierarchies={}, best=_best(table, 0.03), seed=0,
                                   silhouette_rows=58, has_reference=True, min_segment_share=0.03)
    ctx = SimpleNamespace(entity="areas", params=SimpleNamespace(max_hierarchy_rows=20_000))
    assert hierarchy_sentence(ctx, comparison).startswith(
        "Every linkage splits off a tiny group (under 3% of the areas), so the one whose groups are the most even is "
        "taken: Ward linkage's (size balance 0.80; 1 = equal sizes). Its groups' agreement with the k-means segments "
        "is 0.32")


def test_a_trees_legend_lies_beside_it_not_over_its_links(blobs):
    """The Mall's 8 branches: the legend's text, inside the axes, lay over the right-hand links of the tree."""
    import matplotlib.pyplot as plt

    from segkit.plots.hierarchy import plot_dendrogram

    X, _ = blobs
    ax = plot_dendrogram(compare_linkages(X[:200], 4, methods=("ward",)).hierarchies["ward"], k=4)
    try:
        fig = ax.figure
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= ax.get_window_extent().x1  # right of the axes
    finally:
        plt.close("all")


def test_the_k_selections_structure_is_read_in_one_place(tmp_path):
    from segkit import stages

    ctx = stages.open_run(tmp_path / "run")
    assert stages.select_k.k_structure(ctx) is None  # no k selection yet
    ctx.folder.write_json("k_summary.json", {"chosen_k": 4, "structure": "moderate"})
    assert stages.select_k.k_structure(ctx) == "moderate"


def test_the_page_reads_the_balanced_choice_from_the_rule_that_makes_it():
    """04's sentence said "the most even cut" by its own test (every method's smallest segment too small); the choice
    looks only at methods with a silhouette. One rule now (``by_balance``), read by both."""
    from segkit.hierarchy import by_balance

    table = pd.DataFrame({"method": ["ward", "average", "single"], "silhouette": [0.3, 0.4, np.nan],
                          "smallest_share": [0.005, 0.002, 0.2], "balance": [0.8, 0.3, 0.9]})
    assert by_balance(table, 0.01) and _best(table, 0.01) == "ward"  # the unscored single does not count
    assert not by_balance(table.assign(smallest_share=[0.05, 0.002, 0.2]), 0.01)
    assert not by_balance(table.assign(silhouette=np.nan), 0.01)
