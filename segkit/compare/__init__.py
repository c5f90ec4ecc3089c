"""Comparing two runs of the same data kind: what moved between them.

- :mod:`.runs`: a run folder as a comparison reads it (:func:`read_run`), and which segments of two runs mean
  the same thing (:func:`match_segments`, through the later run's ``reference.json`` when it has one);
- :mod:`.tables`: the migration matrix (:func:`migration`), sizes (:func:`size_changes`) and profile shifts
  (:func:`profile_shifts`);
- :mod:`.drift`: the population stability index of each feature (:func:`psi`, :func:`feature_drift`);
- :mod:`.summary`: the executive summary in plain words (:func:`summarise`);
- :mod:`.result`: all of it for two run folders (:func:`compare_runs` -> :class:`Comparison`).

``09_compare`` (through :mod:`segkit.stages.compare`) and ``segkit compare`` show the same comparison.
"""

from .drift import PSI_BINS, PSI_EPSILON, PSI_MODERATE, PSI_SIGNIFICANT, feature_drift, psi, psi_edges, psi_verdict
from .result import Comparison, compare_runs
from .runs import RunSide, check_comparable, match_segments, read_run
from .summary import summarise
from .tables import Migration, migration, profile_shifts, size_changes

__all__ = ["Comparison", "compare_runs", "RunSide", "read_run", "check_comparable", "match_segments", "Migration",
           "migration", "size_changes", "profile_shifts", "psi", "psi_edges", "psi_verdict", "feature_drift",
           "summarise", "PSI_BINS", "PSI_EPSILON", "PSI_MODERATE", "PSI_SIGNIFICANT"]
