"""``04_dendrogram``: ward, complete, average and single linkage compared at the chosen k.

``hierarchy`` reads the features and ``k_summary.json`` and writes ``hierarchy.json``.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

from ..format import format_score, format_share, joined
from ..hierarchy import LinkageComparison, by_balance, compare_linkages
from ..plots import linkage_comparison_figure, plot_dendrogram
from ..report.cards import figure, table
from ..select.vote import groups_phrase
from .context import RunContext
from .select_k import chosen_k, clustering_matrix, k_structure, without_clear_groups

__all__ = ["hierarchy", "hierarchy_sentence", "agreement_words", "comparison_table", "comparison_figure",
           "dendrogram_figure"]


#: The palette of the tree's own groups, apart from the segments' colours: a reader took the tree's blue "S01" of
#: 940 workers for the segment S01 of 737.
BRANCH_PALETTE = "Set2"
#: The agreement (adjusted Rand index) from which another method "finds much the same segments": the Mall's 0.71 was a
#: tree that merged two of its 8 segments and split a third.
SAME = 0.8


def hierarchy(ctx: RunContext, X: np.ndarray | None = None, k: int | None = None) -> LinkageComparison:
    """Compare ward, complete, average and single linkage at the chosen k; write ``hierarchy.json``."""
    p = ctx.params
    X = clustering_matrix(ctx) if X is None else X
    k = k or chosen_k(ctx)
    # the same fit as the final k-means segments (segkit.cluster.SegmentModel) and the k-selection
    reference = KMeans(n_clusters=k, n_init=p.n_init, random_state=p.seed).fit_predict(X)
    # a tiny segment as the profile page calls one (min_segment_share), not a threshold of its own
    comparison = compare_linkages(X, k, reference_labels=reference, seed=p.seed, max_rows=p.max_hierarchy_rows,
                                  silhouette_sample=p.sample_size, min_segment_share=p.min_segment_share)
    ctx.folder.write_json("hierarchy.json", comparison.to_dict())
    return comparison


def hierarchy_sentence(ctx: RunContext, comparison: LinkageComparison, structure: str | None = None) -> str:
    """One sentence on the linkage comparison; with the k selection's ``structure`` (``k_summary.json``), what an
    agreement with the segments does not say of data without clearly separated groups."""
    table = comparison.table
    best = comparison.best
    row = table.loc[best] if best in table.index else table[table.iloc[:, 0] == best].iloc[0]
    ari = row.get("ari", row.get("ari_vs_kmeans", np.nan))
    two_stage = any(getattr(h, "two_stage", False) for h in comparison.hierarchies.values())
    # a linkage that scores higher by splitting off a handful of rows is not chosen: say so, or the table contradicts
    higher = table[(table["silhouette"] > row["silhouette"]) & (table["smallest_share"] < comparison.min_segment_share)]
    if by_balance(table, comparison.min_segment_share):  # the most even cut was taken
        text = (f"Every linkage splits off a tiny group (under {100 * comparison.min_segment_share:g}% of the "
                f"{ctx.entity}), so the one whose groups are the most even is taken: {best.capitalize()} linkage's "
                f"(size balance {format_score(row['balance'])}; 1 = equal sizes). ")
    elif len(higher):
        methods = list(higher["method"])
        score = "scores" if len(methods) == 1 else "score"
        # the smallest segments as the table shows them ("under 0.1%"), beside the share a segment needs
        small = list(dict.fromkeys(format_share(s, 1) for s in sorted(higher["smallest_share"])))
        each = " each" if len(methods) > 1 and len(small) == 1 else ""
        # "at most 0.1%", not "under 0.1% to 0.1%"
        sizes = small[0] if len(small) == 1 else f"at most {small[-1]}" if small[0].startswith("under") else \
            f"{small[0]} to {small[-1]}"
        text = (f"{best.capitalize()} linkage separates the groups best of those that leave no tiny group: "
                f"{joined(methods)} {score} a higher silhouette only by splitting off a tiny group "
                f"({sizes} of the {ctx.entity}{each}; a "
                f"group needs at least {100 * comparison.min_segment_share:g}%). ")
    else:
        text = f"{best.capitalize()} linkage separates the groups best. "
    text += (f"Its groups' agreement with the k-means segments is {ari:.2f} on the adjusted Rand index (1 = the same "
             f"grouping): {agreement_words(ari)}.")
    if np.isfinite(ari) and ari >= SAME and without_clear_groups(structure):
        # beside 03's "the customers do not fall into 4 groups by themselves", "much the same segments" read as proof
        # of natural groups (the Ethiopian supermarket: 1.00)
        text += (" The two methods agree on where to draw the boundaries; as the page \"How many segments?\" says, "
                 f"the {ctx.entity} form {groups_phrase(structure)}, so that agreement does not make them separate "
                 "groups.")
    if two_stage:
        text += (f" With more than {ctx.params.max_hierarchy_rows:,} rows, the trees were built on k-means "
                 "micro-clusters to keep memory bounded.")
    return text


def agreement_words(ari: float) -> str:
    """What an agreement between the tree's cut and the segments (adjusted Rand index) says of the segments.

    >>> agreement_words(0.85)
    'another method finds much the same segments'
    >>> agreement_words(0.23)[:39]
    'the tree draws other groups: the segmen'
    """
    if not np.isfinite(ari):
        return "not measured"
    if ari >= SAME:
        return "another method finds much the same segments"
    if ari >= 0.4:
        return "another method finds the same segments in part"
    return ("the tree draws other groups: the segments are one useful split of the data, not the only one, and "
            "their boundaries are where they were drawn")


def comparison_figure(ctx: RunContext, comparison: LinkageComparison):
    """The linkages' scores side by side, with the sentence that says which separates best; their trees in the
    branches' colours, as :func:`dendrogram_figure` draws them."""
    # each tree's cut makes groups of its own (the run's segments are at most one of them), as the table says
    own = _own_tree(ctx, comparison)  # the trees' own branches: coloured left to right, as dendrogram_figure's
    return figure(linkage_comparison_figure(comparison, k=chosen_k(ctx), entity=ctx.entity, groups="groups",
                                            palette=None if own else BRANCH_PALETTE, left_to_right=not own),
                  hierarchy_sentence(ctx, comparison, k_structure(ctx)))



def _own_tree(ctx: RunContext, comparison: LinkageComparison) -> bool:
    """Whether the run's segments are the best tree's cut (``algorithm: agglomerative`` with its linkage)."""
    return ctx.params.algorithm == "agglomerative" and ctx.params.linkage == comparison.best


def dendrogram_figure(ctx: RunContext, comparison: LinkageComparison):
    """The best linkage's tree, truncated to its top branches, cut into as many groups as the run has segments.

    The groups are the tree's own, named Branch 1, 2, ... in colours of their own, unless the run's segments are this
    tree's cut (``algorithm: agglomerative`` with the same linkage), which keep their codes and colours."""
    k, leaves = chosen_k(ctx), ctx.params.dendrogram_leaves
    own = _own_tree(ctx, comparison)
    groups = "segments" if own else "groups"
    return figure(plot_dendrogram(comparison.hierarchies[comparison.best], k=k, truncate=leaves, entity=ctx.entity,
                                  names=None if own else [f"Branch {i + 1}" for i in range(k)],
                                  palette=None if own else BRANCH_PALETTE, groups=groups, left_to_right=not own),
                  f"Dendrogram ({comparison.best} linkage), truncated to its top {leaves} branches; the dashed line "
                  f"is the cut into {k} {groups}" + ("" if own else " (the tree's own, not the segments of the other "
                                                    "pages)") + ".")


def comparison_table(comparison: LinkageComparison):
    """The linkage methods side by side (``comparison.table``), in words: silhouette, cophenetic correlation,
    balance, the smallest group's share, agreement with k-means (adjusted Rand index) and the tree's size. Each
    tree's cut makes groups, not the run's segments (the figures say so too)."""
    scores = {c: [format_score(v) for v in comparison.table[c]] for c in ("silhouette", "cophenetic", "balance", "ari")}
    return table(comparison.table.assign(**scores),
                 {"cophenetic": "Cophenetic correlation", "smallest_share": "Smallest group",
                  "ari": "Agreement with k-means (ARI)", "n_segments": "Groups",
                  "two_stage": "Built in two stages", "n_leaves": "Leaves of the tree"},
                 index="method", percent=["smallest_share"], whole=["n_segments", "n_leaves"], label_words=True)

