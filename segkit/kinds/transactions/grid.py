"""The classic RFM score grid (``rfm_method: scores``): quintile scores mapped to named cells.

Each customer gets recency, frequency and monetary scores from 1 to 5 (customer-level quintiles, recency
reversed), FM is the mean of F and M rounded half up, and the cell ``grid[R][FM]`` of an editable data file
(``segkit/kinds/transactions/rfm_grid.yaml``; its header documents the rules, ties and few distinct values
included) names the customer's segment. Every name that holds customers is one segment, so the number of
segments comes from the grid, not from clustering criteria.

>>> from segkit.kinds.transactions.grid import load_rfm_grid
>>> load_rfm_grid().cell(5, 5)
'Champions'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone

from ...errors import ColumnError, ParamsError
from ...naming import SegmentName
from ...profile import QUINTILES, SegmentProfile

__all__ = ["GridSegment", "RfmGrid", "RfmScoreGrid", "load_rfm_grid", "quintile_scores", "fm_score",
           "score_customers", "name_grid_segments"]

SHIPPED = "kinds/transactions/rfm_grid.yaml"
ROLES = ("recency", "frequency", "monetary")
_TOP_KEYS = {"version", "grid", "segments"}
_SEGMENT_KEYS = {"name", "description", "action"}


@dataclass(frozen=True)
class GridSegment:
    """One named segment of the grid: its name and the texts of its card."""

    name: str
    description: str = ""
    action: str = ""


@dataclass(frozen=True)
class RfmGrid:
    """A validated grid: ``cells[r - 1][fm - 1]`` is the name of cell (R, FM); ``segments`` in file order."""

    cells: tuple[tuple[str, ...], ...]
    segments: tuple[GridSegment, ...]

    def cell(self, r: int, fm: int) -> str:
        """The name of the cell with recency score ``r`` and FM score ``fm`` (both 1 to 5)."""
        return self.cells[r - 1][fm - 1]

    def segment(self, name: str) -> GridSegment:
        return next(s for s in self.segments if s.name == name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.segments]

    def to_mapping(self) -> dict[str, Any]:
        """The grid as the data file writes it (plain types, for a saved model)."""
        return {"version": 1, "grid": {str(r): list(self.cells[r - 1]) for r in range(5, 0, -1)},
                "segments": [{"name": s.name, "description": s.description, "action": s.action}
                             for s in self.segments]}


def load_rfm_grid(grid: str | Path | Mapping[str, Any] | RfmGrid | None = None) -> RfmGrid:
    """Load and validate an RFM score grid.

    Parameters
    ----------
    grid : path, mapping, RfmGrid or None
        None for the grid shipped with segkit (``segkit/kinds/transactions/rfm_grid.yaml``), a YAML file in
        the same format, or the parsed mapping.

    Raises
    ------
    DataFileError
        The file is missing or is not valid YAML.
    ParamsError
        The grid lacks a row or a cell (every cell of the 5 x 5 R x FM grid must be named exactly once), a
        name in the grid has no entry under ``segments`` (or the other way round), or a key is unknown.
    """
    if isinstance(grid, RfmGrid):
        return grid
    from ...resources import read_data_yaml

    raw, path = read_data_yaml(grid, shipped=SHIPPED, what="RFM score grid")
    source = str(path) if path is not None else ("rfm_grid.yaml (shipped with segkit)" if grid is None
                                                 else "the RFM score grid")
    return _parse(raw, source)


def _parse(raw: Any, source: str) -> RfmGrid:
    fix = "compare with segkit/kinds/transactions/rfm_grid.yaml"
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{source} is not a mapping with grid and segments", fix=fix, key="grid")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ParamsError(f"{source} has unknown keys {unknown}", fix=f"use only {', '.join(sorted(_TOP_KEYS))}",
                          key=unknown[0])
    rows = raw.get("grid")
    if not isinstance(rows, Mapping) or sorted(map(str, rows)) != ["1", "2", "3", "4", "5"]:
        raise ParamsError(f"the grid of {source} must have one row for each recency score 1 to 5",
                          fix="write grid: with the rows 5, 4, 3, 2 and 1, " + fix, key="grid")
    cells = []
    for r in range(1, 6):
        row = rows.get(r, rows.get(str(r)))
        if (not isinstance(row, list) or len(row) != 5
                or not all(isinstance(n, str) and n.strip() for n in row)):
            raise ParamsError(f"row {r} of the grid of {source} must name the 5 cells FM = 1 to 5, got {row!r}",
                              fix="write e.g. 5: [New Customers, Potential Loyalist, Potential Loyalist, "
                                  "Champions, Champions]", key="grid")
        cells.append(tuple(n.strip() for n in row))
    segments = _segments(raw.get("segments"), source, fix)
    named, listed = {n for row in cells for n in row}, [s.name for s in segments]
    missing, unused = sorted(named - set(listed)), [n for n in listed if n not in named]
    if missing:
        raise ParamsError(f"the grid of {source} names {missing}, which segments does not describe",
                          fix="add a description and an action for each name under segments", key="segments")
    if unused:
        raise ParamsError(f"segments of {source} describes {unused}, which no cell of the grid names",
                          fix="put the name in a cell of the grid, or remove it from segments", key="segments")
    return RfmGrid(cells=tuple(cells), segments=segments)


def _segments(raw: Any, source: str, fix: str) -> tuple[GridSegment, ...]:
    if not isinstance(raw, list) or not raw:
        raise ParamsError(f"{source} has no list of segments", fix=fix, key="segments")
    out, seen = [], set()
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ParamsError(f"segment {n} of {source} has no name", fix=fix, key="segments")
        name = entry["name"].strip()
        bad = sorted(set(entry) - _SEGMENT_KEYS)
        if bad:
            raise ParamsError(f"segment {name!r} of {source} has unknown keys {bad}",
                              fix=f"use only {', '.join(sorted(_SEGMENT_KEYS))}", key=bad[0])
        if name in seen:
            raise ParamsError(f"segment {name!r} of {source} is described twice", fix="describe each name once",
                              key="segments")
        seen.add(name)
        out.append(GridSegment(name, str(entry.get("description", "")), str(entry.get("action", ""))))
    return tuple(out)


# ------------------------------------------------------------------------------------------ scores
def quintile_cuts(values: Sequence[float]) -> np.ndarray:
    """The customer-level quintile cut points (20th, 40th, 60th and 80th percentiles, linear interpolation)."""
    return np.quantile(np.asarray(values, dtype=float), QUINTILES)


def quintile_scores(values: Sequence[float], cuts: Sequence[float] | None = None, *,
                    reverse: bool = False) -> np.ndarray:
    """Scores 1 to 5: 1 + the number of cut points strictly below each value (``reverse``: 6 minus that).

    Equal values always share a score; a value equal to a cut point falls in the lower quintile, as in
    :func:`pandas.qcut`. With few distinct values some scores stay empty (see ``rfm_grid.yaml``).
    """
    v = np.asarray(values, dtype=float)
    c = quintile_cuts(v) if cuts is None else np.asarray(cuts, dtype=float)
    score = 1 + (v[:, None] > c[None, :]).sum(axis=1)
    return (6 - score) if reverse else score


def fm_score(f: Any, m: Any) -> np.ndarray:
    """The FM score: the mean of F and M rounded half up, ``(F + M + 1) // 2``."""
    return (np.asarray(f, dtype=int) + np.asarray(m, dtype=int) + 1) // 2


def score_customers(table: pd.DataFrame, grid: RfmGrid, cuts: Mapping[str, Sequence[float]] | None = None,
                    columns: Sequence[str] = ROLES) -> pd.DataFrame:
    """Each customer's ``r``, ``f``, ``m``, ``fm`` scores and ``cell`` name (``cuts``: per column, default the
    table's own quintiles)."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ColumnError(f"the RFM score grid needs the feature {missing[0]!r}, which the features lack",
                          fix="keep recency, frequency and monetary in the features (rfm_method: scores)",
                          column=missing[0])
    out = {}
    for col, letter in zip(columns, "rfm"):
        values = table[col].to_numpy(dtype=float)
        out[letter] = quintile_scores(values, None if cuts is None else cuts[col], reverse=letter == "r")
    out["fm"] = fm_score(out["f"], out["m"])
    names = np.array(grid.cells, dtype=object)
    out["cell"] = names[out["r"] - 1, out["fm"] - 1]
    return pd.DataFrame(out, index=table.index)


# ------------------------------------------------------------------------------------------ estimator
class RfmScoreGrid(ClusterMixin, BaseEstimator):
    """Segments from the RFM score grid, with the scikit-learn estimator contract of :class:`SegmentModel`.

    Parameters
    ----------
    grid : mapping or None
        The grid as its data file writes it (:meth:`RfmGrid.to_mapping`); None = the shipped grid.
    columns : sequence of str
        The recency, frequency and monetary columns, in that order.
    preprocessor : scikit-learn transformer, optional
        The clustering preprocessor: it places customers for the distances to segment centres and the map.

    Attributes
    ----------
    cut_points_ : dict
        Column -> its four quintile cut points on the training customers.
    segment_names_ : list of str
        The name of segment 0, 1, ...: the grid's names that hold customers, in the order of the file.
    labels_ : ndarray
        Segment of each training customer.
    cluster_centers_ : ndarray
        Each segment's mean in the preprocessed space (for distances).
    segment_sizes_ : ndarray
    cell_counts_ : list of list of int
        Training customers in cell (R, FM) at ``[R - 1][FM - 1]``.
    """

    def __init__(self, grid=None, *, columns=ROLES, preprocessor=None):
        self.grid = grid
        self.columns = columns
        self.preprocessor = preprocessor

    def fit(self, X, y=None):
        grid = load_rfm_grid(self.grid)
        X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.grid_ = grid.to_mapping()
        scores = score_customers(X, grid, columns=self.columns)
        self.cut_points_ = {c: [float(v) for v in quintile_cuts(X[c].to_numpy(dtype=float))] for c in self.columns}
        counts = scores.groupby(["r", "fm"]).size()
        self.cell_counts_ = [[int(counts.get((r, fm), 0)) for fm in range(1, 6)] for r in range(1, 6)]
        present = set(scores["cell"])
        self.segment_names_ = [n for n in grid.names if n in present]
        codes = {n: i for i, n in enumerate(self.segment_names_)}
        self.labels_ = scores["cell"].map(codes).to_numpy(dtype=np.int64)
        self.preprocessor_ = None if self.preprocessor is None else clone(self.preprocessor).fit(X)
        Z = self._z(X)
        k = len(self.segment_names_)
        self.segment_sizes_ = np.bincount(self.labels_, minlength=k)
        centres = np.zeros((k, Z.shape[1]))
        np.add.at(centres, self.labels_, Z)
        self.cluster_centers_ = centres / self.segment_sizes_[:, None]
        return self

    def _z(self, X) -> np.ndarray:
        X = X[list(self.feature_names_in_)] if isinstance(X, pd.DataFrame) else X
        return np.asarray(X if self.preprocessor_ is None else self.preprocessor_.transform(X), dtype=float)

    def scores(self, X) -> pd.DataFrame:
        """Each row's R, F, M and FM scores and cell, with the training customers' cut points."""
        return score_customers(X, load_rfm_grid(self.grid_), self.cut_points_, self.columns)

    def predict(self, X) -> np.ndarray:
        """Segment of each row; -1 for a cell whose name held no training customer."""
        codes = {n: i for i, n in enumerate(self.segment_names_)}
        return self.scores(X)["cell"].map(lambda n: codes.get(n, -1)).to_numpy(dtype=np.int64)

    def transform(self, X) -> np.ndarray:
        """Euclidean distance of each row to each segment's mean, in the preprocessed space."""
        Z = self._z(X)
        return np.sqrt(((Z[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2))

    def stability(self, X, *, n_boot: int = 20, seed: int = 0, sample_size: int = 5_000) -> list[float]:
        """Bootstrap stability of each segment: the mean Jaccard between its customers and those the grid gives
        the same name when the quintiles are taken from a resample of the customers (on a seeded sample of at
        most ``sample_size`` rows)."""
        rng = np.random.default_rng(seed)
        n = len(X)
        rows = np.sort(rng.choice(n, size=sample_size, replace=False)) if n > sample_size else np.arange(n)
        Xs, ref = X.iloc[rows], self.labels_[rows]
        grid, codes = load_rfm_grid(self.grid_), {m: i for i, m in enumerate(self.segment_names_)}
        totals = np.zeros(len(self.segment_names_))
        for _ in range(n_boot):
            boot = rng.integers(0, len(rows), size=len(rows))
            cuts = {c: quintile_cuts(Xs[c].to_numpy(dtype=float)[boot]) for c in self.columns}
            again = score_customers(Xs, grid, cuts, self.columns)["cell"].map(lambda m: codes.get(m, -1)).to_numpy()
            for j in range(len(totals)):
                a, b = ref == j, again == j
                union = (a | b).sum()
                totals[j] += (a & b).sum() / union if union else 1.0
        return [float(t / n_boot) for t in totals]

    def rationale(self) -> str:
        """The k page's sentence: where the segments come from."""
        k, total = len(self.segment_names_), len(load_rfm_grid(self.grid_).names)
        held = "every one" if k == total else f"{k} of them"
        return (f"The {k} segments come from the RFM score grid (rfm_method: scores), not from clustering criteria: "
                "each customer scores 1 to 5 on recency, frequency and spend (quintiles of all customers), and the "
                f"grid's {total} named cells are the segments; {held} holds customers.")

    def grid_table(self) -> pd.DataFrame:
        """The grid with each cell's name and number of training customers (rows: R 5 to 1; columns: FM 1 to 5)."""
        grid = load_rfm_grid(self.grid_)
        return pd.DataFrame([[f"{grid.cell(r, fm)} ({self.cell_counts_[r - 1][fm - 1]:,})" for fm in range(1, 6)]
                             for r in range(5, 0, -1)],
                            index=pd.Index([f"R = {r}" for r in range(5, 0, -1)], name="Recency score"),
                            columns=[f"FM = {fm}" for fm in range(1, 6)])


def name_grid_segments(profile: SegmentProfile, labels: pd.Series, table: pd.DataFrame, grid: RfmGrid, *,
                       fill) -> dict[int, SegmentName]:
    """Each segment's name, description and action from its grid cell (``fill(segment, template, name, what)``
    formats the placeholders)."""
    scores = score_customers(table.loc[labels.index], grid)
    named = {}
    for s in profile.segments:
        cells = scores.loc[labels.to_numpy() == s, "cell"].unique()
        if len(cells) != 1:
            raise ParamsError(f"segment {s} holds customers of {len(cells)} grid names, not one",
                              fix="with rfm_method: scores, the segments must come from the grid", key="rfm_method")
        entry = grid.segment(str(cells[0]))
        named[s] = SegmentName(entry.name, fill(s, entry.description, entry.name, "description"),
                               fill(s, entry.action, entry.name, "action"))
    return named
