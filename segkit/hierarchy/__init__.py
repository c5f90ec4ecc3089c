"""Hierarchical clustering that stays within memory: linkage matrices, two-stage trees, comparisons.

:mod:`~segkit.hierarchy.tree` builds the trees (:func:`linkage_matrix`, :class:`Hierarchy`);
:mod:`~segkit.hierarchy.compare` scores several linkage methods cut at the same k
(:func:`compare_linkages`, :class:`LinkageComparison`).

Up to ``max_rows`` rows, the tree is built on every row with :mod:`fastcluster`:
``fastcluster.linkage_vector`` for ward, single, centroid and median (memory O(n·d)), and
``fastcluster.linkage`` for complete and average (these need the n·(n-1)/2 pairwise distances: the
process peaks at about 3.1 GB at 20,000 rows, 0.8 GB at 10,000; lower ``max_rows`` to bound it).

Above ``max_rows``, the tree is built in two stages, so that memory grows with n·d, not n²:

1. Lloyd k-means (random initial centres drawn from the rows, 20 iterations, seeded) compresses the
   rows into at most ``max_micro`` micro-clusters. This is a compression, not a final clustering.
2. The micro-clusters become the leaves of the tree. For ward, complete, average and single linkage, the
   tree is built with the micro-cluster sizes as weights, by the nearest-neighbour chain algorithm on
   the Lance-Williams updates started from those sizes:

   - ward: the distance between two micro-clusters A and B is ``sqrt(2|A||B|/(|A|+|B|)) * ||cA - cB||``,
     the scipy convention. The result is exactly Ward's tree on the rows, started from the partition
     into micro-clusters instead of from single rows: every merge height is ``sqrt(2 * ΔSSE)``, the
     increase in the within-segment sum of squares over the rows;
   - average: the distance between two groups is the size-weighted mean of the distances between their
     micro-cluster centres, i.e. each micro-cluster counts as that many rows placed at its centre;
   - complete and single: maximum and minimum over centre distances (sizes do not enter these rules).

   Centroid and median linkage have no weighted form here: they run on the unweighted centres, and the
   :class:`Hierarchy` records ``weighted=False``.

The linkage matrix ``Z`` follows scipy's format, with leaves numbered ``0..n_leaves-1``, so it works
with :func:`scipy.cluster.hierarchy.fcluster` and :func:`~scipy.cluster.hierarchy.dendrogram`;
``Z[:, 3]`` counts leaves (scipy requires it), and :meth:`Hierarchy.node_rows` counts rows.

Examples
--------
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(3_000, centers=4, random_state=0)
>>> tree = linkage_matrix(X, method="ward", max_rows=1_000)
>>> tree.two_stage, tree.n_leaves, len(tree.assign(4))
(True, 1000, 3000)
"""

from .compare import LinkageComparison, by_balance, compare_linkages
from .tree import METHODS, Hierarchy, linkage_matrix

__all__ = ["METHODS", "Hierarchy", "LinkageComparison", "by_balance", "linkage_matrix", "compare_linkages"]
