"""A comparison of two runs: every table, labelled with each run's own segment codes and names.

:func:`compare_runs` reads the two run folders (only reads them) and computes everything ``09_compare`` and
``segkit compare`` show; :class:`Comparison` holds it, gives the tables with readable labels, and
:meth:`Comparison.to_dict` is ``artifacts/compare/summary.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..format import round_json
from .drift import feature_drift
from .runs import RunSide, check_comparable, match_segments, read_run
from .setup import Setup, compare_setup
from .summary import summarise
from .tables import Migration, migration, profile_shifts, size_changes

__all__ = ["Comparison", "compare_runs"]


@dataclass
class Comparison:
    """Two runs compared (see :func:`compare_runs`).

    Attributes
    ----------
    earlier, later : RunSide
    matches : DataFrame
        :func:`~segkit.compare.runs.match_segments`.
    migration : Migration
        By segment code.
    sizes, shifts, drift : DataFrame
        :func:`~.tables.size_changes`, :func:`~.tables.profile_shifts`, :func:`~.drift.feature_drift`.
    summary : list of str
        :func:`~.summary.summarise`.
    setup : Setup
        How the runs differ in input, measures and settings (:func:`~.setup.compare_setup`).
    """

    earlier: RunSide
    later: RunSide
    matches: pd.DataFrame
    migration: Migration
    sizes: pd.DataFrame
    shifts: pd.DataFrame
    drift: pd.DataFrame
    summary: list[str]
    setup: Setup

    @property
    def entity(self) -> str:
        return self.later.entity

    def migration_table(self, *, shares: bool = False) -> pd.DataFrame:
        """The matrix with each run's segment labels ("S01 Champions"); rows are the earlier run's segments."""
        table = (self.migration.shares if shares else self.migration.counts).copy()
        table.index = [self.earlier.labels[c] for c in table.index]
        table.columns = [self.later.labels[c] for c in table.columns]
        table.index.name = f"Segment in {self.earlier.name}"
        table.columns.name = f"Segment in {self.later.name}"
        return table

    def sizes_table(self) -> pd.DataFrame:
        """:attr:`sizes` with the segments' labels instead of their codes."""
        out = self.sizes.copy()
        out["earlier"] = out["earlier"].map(self.earlier.labels)
        out["later"] = out["later"].map(self.later.labels)
        return out

    def shifts_table(self) -> pd.DataFrame:
        """:attr:`shifts` with segment labels and the features' short labels (``key``: the feature's name)."""
        out = self.shifts.copy()
        out.insert(3, "key", out["feature"])
        out["earlier"] = out["earlier"].map(self.earlier.labels)
        out["later"] = out["later"].map(self.later.labels)
        out["feature"] = out["feature"].map(lambda f: _short_labels(self.earlier).get(f, f))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON (numbers rounded as every artifact is)."""
        def run(side: RunSide) -> dict[str, Any]:
            return {"name": side.name, "path": str(side.path), "data_kind": side.data_kind,
                    "entities": int(len(side.assignments)), "segments": side.segments["label"].tolist()}

        counts = self.migration_table()
        return {"version": 1, "earlier": run(self.earlier), "later": run(self.later),
                "entities": {"both": self.migration.n_both, "new": self.migration.n_new, "lost": self.migration.n_lost},
                "summary": self.summary, "matches": self.matches.to_dict(orient="records"),
                "setup": {**self.setup.to_dict(),  # the summary's first sentences are the setup's
                          "sentences": len(self.setup.sentences((self.earlier.name, self.later.name), self.entity))},
                "migration": {"rows": list(counts.index), "columns": list(counts.columns),
                              "counts": counts.to_numpy().tolist(),
                              "new": self.migration.new.rename(self.later.labels).to_dict(),
                              "lost": self.migration.lost.rename(self.earlier.labels).to_dict()},
                "drift": [{k: round_json(v) if isinstance(v, float) else v for k, v in row.items()}
                          for row in self.drift.to_dict(orient="records")]}


def _short_labels(side: RunSide) -> dict[str, str]:
    meta = side.meta
    return {**{k: str(v) for k, v in (meta.get("labels") or {}).items()},
            **{k: str(v) for k, v in (meta.get("short") or {}).items()}}


def _drift_columns(earlier: RunSide, later: RunSide) -> list[str]:
    """The features both runs hold: the clustering features first, then the others, in the earlier run's order."""
    first = [c for c in earlier.meta.get("columns") or [] if c in earlier.features.columns]
    rest = [c for c in earlier.features.columns if c not in first]
    return [c for c in [*first, *rest] if c in later.features.columns]


def compare_runs(earlier: str | Path | RunSide, later: str | Path | RunSide) -> Comparison:
    """Compare two run folders of the same data kind: ``earlier`` (A) with ``later`` (B).

    Raises
    ------
    DataFileError
        A folder, or an artifact the comparison reads, is missing (the message names the run).
    DataValueError
        The runs segment different data kinds.
    """
    a = earlier if isinstance(earlier, RunSide) else read_run(earlier, role="earlier")
    b = later if isinstance(later, RunSide) else read_run(later, role="later")
    check_comparable(a, b)
    matches = match_segments(a, b)
    mig = migration(a.assignments, b.assignments, earlier_order=list(a.segments["code"]),
                    later_order=list(b.segments["code"]))
    sizes = size_changes(a, b, matches)
    drift = feature_drift(a.features, b.features, columns=_drift_columns(a, b), labels=_short_labels(a))
    pairs = dict(zip(matches["earlier"], matches["later"]))
    setup = compare_setup(a, b)
    summary = summarise(mig, sizes, drift, earlier=a.names, later=b.names, entity=b.entity,
                        run_names=(a.name, b.name), pairs=pairs, setup=setup,
                        ids=(a.assignments.index, b.assignments.index))
    return Comparison(earlier=a, later=b, matches=matches, migration=mig, sizes=sizes,
                      shifts=profile_shifts(a, b, matches), drift=drift, summary=summary, setup=setup)
