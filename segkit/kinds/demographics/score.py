"""Score raw ACS rows with a saved area model (``segkit score MODEL_DIR areas.csv``).

A demographics model is fitted on derived features (shares of their universe, log medians), but the rows to
score are what the Census Bureau publishes: the same ACS columns as the training table. :func:`score_rows`
therefore runs the kind's own feature builder first (sentinels to missing, shares, log medians, with the
training's ``id_col`` and ``min_population`` from the model metadata), then the saved model, whose imputer
fills a missing feature with the *training* median:

- an area whose population is missing, 0 or below the training ``min_population`` is not scored
  (``not_scored`` says why), as in training;
- an area with every feature missing is not scored;
- a feature the new table cannot provide at all (its ACS columns are absent) is an error naming the columns.

The result has the area id (as the training wrote it), ``segment_code``, ``segment_name``, ``confidence``
(the model's membership of the segment given), ``distance_to_centre``, ``outside_training_range`` (False: ACS
shares lie in [0, 1]), ``not_scored`` and ``filled_features`` (blank features of a scored area, filled as in
training); warnings in ``attrs["warnings"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import ColumnError, ModelError
from ...format import model_segment_codes
from ...naming.words import counted
from .acs import build_acs_features, format_area_ids
from .codes import name_columns
from .groups import load_feature_groups

__all__ = ["score_rows"]

RESULT_COLUMNS = ["segment_code", "segment_name", "confidence", "distance_to_centre", "outside_training_range",
                  "not_scored", "filled_features"]


def _features(raw: pd.DataFrame, features: list[str], id_col: str, min_population: float,
              read_down: Sequence[str] = ()) -> pd.DataFrame:
    """The model's features of every area of ``raw`` that has enough residents (missing values kept); a group the
    training table had one line off (``read_down``) is read so where ``raw`` has too few rows to tell."""
    groups = load_feature_groups()
    raw = name_columns(raw)  # new areas downloaded as the run's input was: by variable code
    feats = build_acs_features(raw, groups, id_col=id_col, min_population=min_population, min_groups=1,
                               min_areas=1, read_down_groups=read_down)
    absent = [f for f in features if f not in feats.raw.columns]
    if absent:
        needs = sorted({c for g in groups for spec in g.features if spec.name in absent for c in spec.columns})
        missing = [c for c in needs if c not in raw.columns]
        if missing:
            noun = "column" if len(missing) == 1 else "columns"
            raise ColumnError(f"the areas to score lack the ACS {noun} the model's features {', '.join(absent)} "
                              f"are built from: {', '.join(missing)}", "score a table with the same ACS columns as "
                              "the one the model was trained on", column=missing[0])
    return feats.raw.reindex(columns=features)


def score_rows(model, metadata: Mapping, raw: pd.DataFrame) -> pd.DataFrame:
    """Assign each area of a raw ACS table to a segment of ``model`` (see the module)."""
    features = [str(c) for c in metadata.get("features") or []]
    if not features:
        raise ModelError("the model metadata lists no feature columns (no 'features' entry)",
                         "score with a model folder written by a segkit run")
    params = metadata.get("params") or {}
    id_col = params.get("id_col") or "zcta"
    if id_col not in raw.columns:
        raise ColumnError(f"the areas to score have no id column {id_col!r} (the model's id_col)",
                          f"add the area id as a column named {id_col!r}", column=id_col)
    X = _features(raw, features, id_col, float(params.get("min_population", 100)), metadata.get("read_down") or ())
    ids = format_area_ids(raw[id_col])
    out = pd.DataFrame({id_col: ids.to_numpy(dtype=object)}, index=raw.index)
    for col, fill in zip(RESULT_COLUMNS, (None, None, np.nan, np.nan, False, "", 0)):
        out[col] = pd.Series([fill] * len(out), index=out.index, dtype=object if fill is None else None)
    position = pd.Series(np.arange(len(raw)), index=ids.to_numpy())
    small = ~ids.isin(X.index).to_numpy()
    out.loc[small, "not_scored"] = f"population missing, 0 or below min_population={params.get('min_population', 100)}"
    empty = X.isna().all(axis=1)
    out.iloc[position[X.index[empty]].to_numpy(), out.columns.get_loc("not_scored")] = "every feature is missing"
    X = X.loc[~empty]
    warnings = [f"{counted(n, 'areas')} {'has' if n == 1 else 'have'} too few residents and "
                 f"{'was' if n == 1 else 'were'} not scored" for n in [int(small.sum())] if n]
    warnings += [f"{counted(n, 'areas')} {'has' if n == 1 else 'have'} every feature missing and "
                 f"{'was' if n == 1 else 'were'} not scored" for n in [int(empty.sum())] if n]
    if len(X):
        _assign(out, position[X.index].to_numpy(), model, X, metadata)
        out.iloc[position[X.index].to_numpy(), out.columns.get_loc("filled_features")] = X.isna().sum(axis=1).to_numpy()
    out["filled_features"] = out["filled_features"].astype("int64")
    out.attrs["warnings"] = warnings
    return out.reset_index(drop=True)


def _assign(out: pd.DataFrame, rows: np.ndarray, model, X: pd.DataFrame, metadata: Mapping) -> None:
    """Label, name, confidence and distance of the areas ``X`` (at positions ``rows`` of ``out``), as the
    customer scorer computes them: the model's own ``assign`` (:meth:`segkit.cluster.SegmentModel.assign`)."""
    if not callable(getattr(model, "assign", None)):
        raise ModelError("the model is not a segkit segment model (it has no assign method)",
                         "score census areas with the model folder of a segkit demographics run")
    labels, distances, confidence = model.assign(X)
    k, at = distances.shape[1], np.arange(len(labels))
    all_codes = model_segment_codes(metadata, k)
    codes = [all_codes[int(s)] for s in labels]
    names = metadata.get("segment_names") or {}
    cols = out.columns.get_indexer(["segment_code", "segment_name", "confidence", "distance_to_centre"])
    out.iloc[rows, cols[0]] = codes
    out.iloc[rows, cols[1]] = [names.get(str(s), c) for s, c in zip(labels, codes)]
    out.iloc[rows, cols[2]] = np.round(confidence, 6)
    out.iloc[rows, cols[3]] = np.round(distances[at, labels], 6)
