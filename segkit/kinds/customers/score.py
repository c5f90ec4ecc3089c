"""Score new customers against saved segments.

:func:`score_customers` takes a fitted segment model and the metadata saved with it, checks the new
table against what the model was trained on, and returns one row per customer: its segment, how sure
the assignment is, and how far the customer sits from the segment's centre.

The checks run before anything is predicted:

- a feature column the model needs is missing -> :class:`~segkit.errors.ModelError` naming it and
  listing every column the model expects;
- text, or true/false, in a numeric column -> :class:`~segkit.errors.ColumnError` with the count and
  examples;
- rows with every feature missing or an infinite value are not scored, and values far outside the
  training range are flagged (see :mod:`segkit.kinds.customers.rowchecks` for the rule);
- a category level the model never saw is **not** an error: the encoder puts it with the rare
  levels (or nowhere, when training had no rare level). Those values are reported in
  ``result.attrs["warnings"]`` (plain sentences) and ``result.attrs["unseen_categories"]``
  (column -> list of values). scikit-learn's own warning about them is not repeated.

The result names the id column as the training table did (``customer_id``, say), or ``row`` when
there is none.
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...format import model_segment_codes
from ...io.columns import NAME_ALIKE, name_key
from ...errors import ColumnError, ModelError
from ...naming.words import counted
from ...quality import fill_text
from ...parse import read_dates
from .features import check_numeric
from .scales import off_scale, scale_json, scale_scores
from .values import as_trained, level_text
from .rowchecks import refuse_booleans, row_flags, training_ranges

__all__ = ["score_customers", "scoring_metadata", "date_layouts", "check_new_rows", "softmax_confidence", "RESULT_COLUMNS"]

#: The columns of a scored table after the id column (named as in the source; ``row`` when there is none).
RESULT_COLUMNS = ["segment_code", "segment_name", "confidence", "distance_to_centre", "outside_training_range",
                  "not_scored", "filled_features"]


def softmax_confidence(distances: np.ndarray) -> np.ndarray:
    """Softmax over negative distances (temperature 1), row by row.

    Parameters
    ----------
    distances : ndarray of shape (n_rows, n_segments)

    Returns
    -------
    ndarray of shape (n_rows, n_segments)
        Rows sum to 1; the nearest centre gets the largest share.
    """
    z = -np.asarray(distances, dtype=float)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def date_layouts(readings: list[Mapping], date_format: str | None = None) -> dict[str, dict]:
    """Column -> ``{"date_format", "dayfirst"}``: how each date column was read in training (from the cleaning
    log's readings), so that new rows are read the same way even when none of their values decides the order of
    day and month."""
    return {str(r["column"]): {"date_format": date_format, "dayfirst": str(r.get("reading", "")).startswith("day first")}
            for r in readings if r.get("as") == "dates" and r.get("column")}


def scoring_metadata(features: pd.DataFrame, roles: Mapping[str, str], *, id_col: str | None = None,
                     names: Mapping | None = None, scales: Mapping | None = None, fill: Mapping | None = None) -> dict:
    """The metadata :func:`score_customers` needs, from the table a model was trained on.

    Parameters
    ----------
    features : DataFrame
        The training features (the columns the model takes).
    roles : mapping of str to str
        Column -> role of ``features``' columns (e.g. ``features.attrs["roles"]``); columns with an
        excluded role are ignored.
    id_col : str, optional
        Name of the id column in tables to score (default: the index name of ``features``).
    names : mapping, optional
        Segment code (``"S01"``) -> name.
    scales : mapping, optional
        Ordinal column -> its scale (``attrs["scales"]`` of
        :func:`~segkit.kinds.customers.features.customer_features`), whose words new rows may use.
    fill : mapping, optional
        Column -> what a blank means there (the params' ``fill``), written into new rows' blanks as in training.

    Returns
    -------
    dict
        JSON-ready: ``features`` (list), ``roles`` (dict), ``categories`` (categorical/boolean column
        -> sorted known levels as text), ``scales`` (ordinal column -> the words of its scale, in order),
        ``ranges`` (numeric column -> training ``[min, max]``), ``fill`` (of the features), ``id_col`` and ``names``.
    """
    used = [c for c in features.columns if roles.get(c) in ("numeric", "ordinal", "categorical", "boolean", "date")]
    categories = {c: sorted(level_text(features[c]).dropna().unique().tolist())
                  for c in used if roles[c] in ("categorical", "boolean")}
    return {"features": used, "roles": {c: roles[c] for c in used}, "categories": categories,
            "scales": {c: scale_json(scale) for c, scale in (scales or {}).items() if c in used},
            "ranges": training_ranges(features[used], roles),
            "fill": {c: v for c, v in (fill or {}).items() if c in used},
            "id_col": id_col if id_col is not None else features.index.name,
            "names": {str(k): str(v) for k, v in (names or {}).items()}}


def _ids(new_df: pd.DataFrame, id_col: str | None) -> pd.Series:
    if id_col is not None and id_col in new_df.columns:
        return level_text(new_df[id_col]).fillna("").astype(str)
    if _ids_in_index(new_df, id_col):
        return pd.Series(new_df.index.astype(str), index=new_df.index)
    width = max(4, len(str(len(new_df))))
    return pd.Series([f"row_{i:0{width}d}" for i in range(1, len(new_df) + 1)], index=new_df.index)


def _ids_in_index(new_df: pd.DataFrame, id_col: str | None) -> bool:
    """Whether the index holds the ids: named as the model's id column, or (a model without one) named at all.
    An unnamed index is row positions (a filtered table saved to Parquet keeps 8, 10, 40), never ids."""
    name = new_df.index.name
    return name is not None and (id_col is None or str(name) == str(id_col))


def _id_warnings(new_df: pd.DataFrame, id_col: str | None) -> list[str]:
    """A warning when the rows get numbers instead of the ids the model was trained with, or when an id comes
    twice (each row is scored; a run keeps the first row of an id)."""
    if id_col is not None and id_col in new_df.columns:
        ids = level_text(new_df[id_col]).dropna()
        twice = ids[ids.duplicated()].unique()
        one = len(twice) == 1
        return [f"{counted(len(twice), 'ids')} in {id_col!r} {'comes' if one else 'come'} more than once "
                f"(e.g. {', '.join(map(repr, twice[:3]))}): "
                f"each of {'its' if one else 'their'} rows is scored, so an id may get two segments; a run keeps the "
                "first row of an id"
                ] if len(twice) else []
    if id_col is None or _ids_in_index(new_df, id_col):
        return []
    return [f"the table has no {id_col!r} column (the id the model was trained with), so its rows are numbered "
            "row_0001, row_0002, ... in their order; add that column to keep your ids"]


def _segment_names(labels: np.ndarray, names, metadata: Mapping, n_segments: int) -> list[str]:
    names = names if names is not None else metadata.get("names") or {}
    all_codes = model_segment_codes(metadata, n_segments)
    codes = [all_codes[int(x)] for x in labels]
    if isinstance(names, Mapping):
        return [str(names.get(c, names.get(int(x), names.get(str(int(x)), c)))) for c, x in zip(codes, labels)]
    names = list(names)
    return [str(names[int(x)]) if int(x) < len(names) else c for c, x in zip(codes, labels)]


def _check_columns(new_df: pd.DataFrame, metadata: Mapping) -> tuple[pd.DataFrame, dict[str, list], dict[str, int]]:
    """The model's features of ``new_df`` (columns already named as the model's, :func:`_named_alike`), checked and
    typed; the unseen values of each category or scale column, and how many rows hold one."""
    features = metadata.get("features") or metadata.get("feature_names")
    if not features:
        raise ModelError("the model metadata lists no feature columns (no 'features' entry)",
                         fix="save the model with the metadata of segkit.kinds.customers.score.scoring_metadata")
    features = [str(c) for c in features]
    missing = [c for c in features if c not in new_df.columns]
    if missing:
        twins = {c: [t for t in new_df.columns if name_key(t) == name_key(c)] for c in missing}
        twins = "".join(f"; {', '.join(map(repr, found))} differ from {c!r} only in {NAME_ALIKE}: keep one"
                        for c, found in twins.items() if len(found) > 1)
        noun = "column" if len(missing) == 1 else "columns"
        raise ModelError(f"the data to score lacks {noun} the model needs: {', '.join(map(str, missing))}{twins}",
                         fix="the model expects these columns: " + ", ".join(map(str, features)),
                         column=", ".join(map(str, missing)))
    roles, scales = metadata.get("roles") or {}, metadata.get("scales") or {}
    numeric = [c for c in features if roles.get(c) == "numeric" or (roles.get(c) == "ordinal" and c not in scales)]
    refuse_booleans(new_df, numeric)
    X = check_numeric(new_df[features], numeric, fix="clean those values, or leave the cells empty (an empty cell is "
                      "filled as in training); the model reads {column} as numbers")
    for col, value in (metadata.get("fill") or {}).items():  # what a blank meant in training, it means here
        if col in X.columns:
            number = pd.api.types.is_numeric_dtype(X[col]) and not pd.api.types.is_bool_dtype(X[col])
            X[col] = X[col].where(X[col].notna(), float(value) if number else fill_text(value))  # as apply_fill
    layouts = metadata.get("date_layouts") or {}
    for col in [c for c in features if roles.get(c) == "date" and not pd.api.types.is_datetime64_any_dtype(X[c])]:
        layout = layouts.get(col) or {}  # the training's day-month order, so 04/09 means what it meant then
        reading = read_dates(X[col], column=str(col), date_format=layout.get("date_format"),
                             dayfirst=layout.get("dayfirst"))
        if reading.n_unparsed:
            raise ColumnError(f"column {col!r} should hold dates but {counted(reading.n_unparsed, 'values')} "
                              f"{'is' if reading.n_unparsed == 1 else 'are'} not dates "
                              f"(examples: {', '.join(map(repr, reading.unparsed_examples))})",
                              fix="clean those values, or write dates as YYYY-MM-DD", column=str(col))
        X[col] = reading.values
    unseen, rows = {}, {}
    for col, known in (metadata.get("categories") or {}).items():
        if col not in X.columns:
            continue
        X[col] = as_trained(X[col], str(col), known)  # "FEMALE" and "F" are the "Female" of training
        values = level_text(X[col]).dropna()
        new = sorted(set(values.unique()) - {str(k) for k in known})
        if new:
            unseen[col], rows[col] = new, int(values.isin(new).sum())
    for col, scale in scales.items():  # answers to their scores: a word off the scale is missing, and said
        if col in X.columns and not pd.api.types.is_numeric_dtype(X[col]):
            off = off_scale(X[col], scale)
            if len(off):
                unseen[col], rows[col] = sorted(off.index), int(off.sum())
            X[col] = scale_scores(X[col], scale)
    return X, unseen, rows


def _named_alike(new_df: pd.DataFrame, features: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """``new_df`` with a column renamed to the model's feature it differs from only in case, spaces, underscores
    or hyphens ("genre" -> "Genre", "avg basket" -> "avg_basket"), when exactly one column does; and a sentence
    for each."""
    key = {c: name_key(c) for c in new_df.columns}
    renames, said = {}, []
    for feature in [f for f in features if f not in new_df.columns]:
        found = [c for c in new_df.columns if key[c] == name_key(feature) and c not in features]
        if len(found) == 1:
            renames[found[0]] = feature
            said.append(f"column {found[0]!r} was read as the model's {feature!r} (the names differ only in "
                        f"{NAME_ALIKE})")
    return (new_df.rename(columns=renames) if renames else new_df), said

def check_new_rows(new_df: pd.DataFrame, metadata: Mapping) -> pd.DataFrame:
    """The model's feature columns of ``new_df``, checked and typed as :func:`score_customers` does.

    Raises the same errors (missing columns, text in numeric or date columns); unseen category values
    are kept (they are scored as rare levels). Use it to put new rows through ``model.preprocessor_``.
    """
    if not isinstance(new_df, pd.DataFrame):
        raise ColumnError("the data to score is not a table", fix="pass a pandas DataFrame")
    features = [str(c) for c in metadata.get("features") or metadata.get("feature_names") or []]
    return _check_columns(_named_alike(new_df, features)[0], metadata)[0]


def _assign(model, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, distance to the own centre and confidence of the rows of ``X`` (scikit-learn's warning about
    unseen category levels is left out: the scorer reports them itself)."""
    with _warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):  # overflow: checked by the caller
        _warnings.filterwarnings("ignore", message="Found unknown categories", category=UserWarning)
        assign = getattr(model, "assign", None)  # SegmentModel: one pass of the preprocessor for all three
        labels, dist, conf = assign(X) if callable(assign) else (model.predict(X), model.transform(X), None)
        labels, dist = np.asarray(labels).astype(int), np.asarray(dist, dtype=float)
        if dist.ndim != 2 or dist.shape[0] != len(X) or labels.max() >= dist.shape[1]:
            raise ModelError(f"the model's transform() gave shape {dist.shape}, not (rows, segments)",
                             fix="transform() must return the distance of each row to each segment centre")
        if conf is not None:
            return labels, dist, np.asarray(conf, dtype=float)
        rows = np.arange(len(X))
        for method in ("confidence", "predict_proba"):
            if callable(getattr(model, method, None)):
                c = np.asarray(getattr(model, method)(X), dtype=float)
                return labels, dist, c[rows, labels] if c.ndim == 2 else c
        return labels, dist, softmax_confidence(dist)[rows, labels]


def _id_name(new_df: pd.DataFrame, id_col: str | None) -> str:
    if id_col is not None and id_col not in new_df.columns and not _ids_in_index(new_df, id_col):
        return "row"  # numbered rows: not the ids the column name would promise
    name = id_col if id_col is not None else new_df.index.name
    return str(name) if name is not None and str(name) not in RESULT_COLUMNS else "row"


def score_customers(model, metadata: Mapping, new_df: pd.DataFrame, *,
                    names: Mapping | Sequence[str] | None = None) -> pd.DataFrame:
    """Assign new customers to saved segments.

    Parameters
    ----------
    model : object
        A fitted segment model taking a DataFrame of the features: ``predict(X)`` gives labels
        0..k-1, ``transform(X)`` the distances to every centre; ``confidence(X)`` or
        ``predict_proba(X)`` are used when present (e.g. ``segkit.cluster.SegmentModel``).
    metadata : mapping
        ``features`` (input columns; modelio's ``feature_names`` is accepted too), ``roles`` (column ->
        role; drives the type checks), ``categories`` (categorical column -> known levels; drives
        the unseen-value warnings) and ``ranges`` (numeric column -> training min and max; drives
        ``outside_training_range``); optionally ``id_col`` and ``names`` (see :func:`scoring_metadata`).
    new_df : DataFrame
        The customers to score, with the feature columns (extra columns are ignored).
    names : mapping or sequence, optional
        Segment names by code (``"S01"``) or label, or a list indexed by label; default
        ``metadata["names"]``, else the code.

    Returns
    -------
    DataFrame
        Same index as ``new_df``; the id column (named ``metadata["id_col"]``, else the index name, else
        ``row``), ``segment_code`` (``S01``...), ``segment_name``, ``confidence`` (in [0, 1]; softmax
        over negative distances at temperature 1 unless the model gives its own),
        ``distance_to_centre``, ``outside_training_range`` (bool), ``not_scored`` (why a row got no
        segment, e.g. "every feature is missing"; empty for scored rows, whose other columns are then
        empty too) and ``filled_features`` (how many of a scored row's features were blank and filled as in
        training: a row with most of them filled is flagged in the warnings). ``attrs["warnings"]`` lists
        sentences about unseen category values, rows not scored and values far outside the training range;
        ``attrs["unseen_categories"]`` maps column -> values.

    Raises
    ------
    ModelError
        The model lacks ``predict``/``transform``, the metadata lists no features, or a feature
        column is missing from ``new_df``.
    ColumnError
        A numeric feature column holds text or true/false values.
    """
    for method in ("predict", "transform"):
        if not callable(getattr(model, method, None)):
            raise ModelError(f"the model has no {method}() method",
                             fix="pass the fitted segment model saved by segkit (it predicts and measures distances)")
    if not isinstance(new_df, pd.DataFrame):
        raise ColumnError("the data to score is not a table", fix="pass a pandas DataFrame")
    id_col = metadata.get("id_col")
    features = [str(c) for c in metadata.get("features") or metadata.get("feature_names") or []]
    new_df, renamed = _named_alike(new_df, features + ([id_col] if id_col else []))
    X, unseen, unseen_rows = _check_columns(new_df, metadata)
    flags = row_flags(X, metadata)
    scales = metadata.get("scales") or {}
    warnings = [f"column {c!r} has {counted(unseen_rows.get(c, 0), 'rows')} with a value the model never saw "
                f"({len(v)} distinct: {', '.join(map(repr, v[:10]))}{', ...' if len(v) > 10 else ''}); "
                + ("they are not on its scale and are scored as the typical answer" if c in scales else
                   "they are scored as rare levels") for c, v in unseen.items()]
    id_name = _id_name(new_df, id_col)
    n = len(new_df)
    result = pd.DataFrame({id_name: _ids(new_df, id_col).to_numpy(dtype=object).astype(str),
                           "segment_code": np.full(n, None, dtype=object), "segment_name": np.full(n, None, dtype=object),
                           "confidence": np.full(n, np.nan), "distance_to_centre": np.full(n, np.nan)},
                          index=new_df.index)
    ok = flags.scorable.to_numpy()
    if ok.any():
        labels, dist, conf = _assign(model, X[ok])
        own = dist[np.arange(len(labels)), labels]
        finite = np.isfinite(own)
        if not finite.all():
            flags.not_scored.iloc[np.flatnonzero(ok)[~finite]] = "values too large to compute a distance"
            one = int((~finite).sum()) == 1
            flags.warnings.append(f"{counted(int((~finite).sum()), 'rows')} {'holds' if one else 'hold'} values too "
                                  f"large to compute a distance and {'was' if one else 'were'} not scored")
        rows, k, col = np.flatnonzero(ok)[finite], dist.shape[1], result.columns.get_loc
        codes = model_segment_codes(metadata, k)
        result.iloc[rows, col("segment_code")] = [codes[int(x)] for x in labels[finite]]
        result.iloc[rows, col("segment_name")] = _segment_names(labels[finite], names, metadata, k)
        result.iloc[rows, col("confidence")] = np.clip(conf[finite], 0.0, 1.0)
        result.iloc[rows, col("distance_to_centre")] = own[finite]
    result["outside_training_range"] = (flags.outside & flags.scorable).to_numpy()
    result["not_scored"] = flags.not_scored.to_numpy()
    result["filled_features"] = flags.filled.where(flags.scorable, 0).to_numpy()
    result.attrs["warnings"] = _id_warnings(new_df, id_col) + renamed + warnings + flags.warnings
    result.attrs["unseen_categories"] = unseen
    return result


#: The scorer ``segkit score`` calls for every kind that ships one (``kinds.<kind>.score.score_rows``).
score_rows = score_customers
