"""Features for area (ZCTA) segmentation from ACS 5-year counts and medians.

The feature groups, the Census sentinels and the validation report are defined in
:mod:`segkit.kinds.demographics.groups` and re-exported here.

The order of operations is fixed, because each step relies on the one before:

1. Census "not available" sentinels (:data:`CENSUS_SENTINELS`) become missing, before anything else.
2. :func:`validate_acs_table` names the expected columns that are missing or empty and the feature
   groups that will therefore be skipped (a report, never an exception).
3. Areas with a population below ``min_population`` are left out and listed with a reason.
4. Counts become shares of their own universe; medians are kept (money log-scaled). The mapping lives
   in ``segkit/kinds/demographics/acs_groups.yaml`` (see :func:`load_feature_groups`).
5. Remaining missing values are imputed with the feature's median and counted (:func:`impute_median`).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"zcta": [1001, 19701], "population": [0, 500], "median_age": [-666666666, 41.0]})
>>> clean, counts = replace_sentinels(table)
>>> counts
{'median_age': 1}
>>> format_area_ids(table["zcta"]).tolist()
['01001', '19701']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError, SegmentationError
from ...naming.words import counted as _counted
from ...parse import read_numbers
# re-exported: the names defined in groups stay importable from here
from .codes import census_tables
from .groups import (CENSUS_SENTINELS, area_shares, FeatureGroup, FeatureSpec, ValidationReport, load_feature_groups,
                     replace_sentinels, validate_acs_table)
from .shifted import read_down

__all__ = [
    "CENSUS_SENTINELS",
    "FeatureSpec",
    "FeatureGroup",
    "ValidationReport",
    "ImputationReport",
    "AcsFeatures",
    "load_feature_groups",
    "replace_sentinels",
    "format_area_ids",
    "validate_acs_table",
    "impute_median",
    "build_acs_features",
]


@dataclass
class ImputationReport:
    """Missing values filled per feature.

    Attributes
    ----------
    counts : pandas.Series
        Feature -> number of areas whose value was imputed (every feature, zeros included).
    fill_values : pandas.Series
        Feature -> the median used.
    clipped : pandas.Series
        Feature -> number of shares outside [0, 1] that were clipped (members above their universe).
    """

    counts: pd.Series
    fill_values: pd.Series
    clipped: pd.Series

    @property
    def total(self) -> int:
        """Number of imputed cells."""
        return int(self.counts.sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per feature with ``n_imputed``, ``fill_value`` and ``n_clipped``."""
        return pd.DataFrame({"n_imputed": self.counts, "fill_value": self.fill_values,
                             "n_clipped": self.clipped.reindex(self.counts.index, fill_value=0)})


@dataclass
class AcsFeatures:
    """Everything :func:`build_acs_features` produces.

    Attributes
    ----------
    raw : pandas.DataFrame
        Features of the usable areas (index: area id as text), missing values kept.
    imputed : pandas.DataFrame
        ``raw`` with missing values imputed: the matrix that is standardized and clustered.
    table : pandas.DataFrame
        Source rows of the usable areas after sentinel replacement (same index), for key facts.
    excluded : pandas.DataFrame
        Areas left out, with columns ``[id_col, "population", "reason"]``.
    groups : list of FeatureGroup
        The groups actually used (dropped features removed).
    validation : ValidationReport
    imputation : ImputationReport
    """

    raw: pd.DataFrame
    imputed: pd.DataFrame
    table: pd.DataFrame
    excluded: pd.DataFrame
    groups: list[FeatureGroup]
    validation: ValidationReport
    imputation: ImputationReport


def format_area_ids(values: pd.Series, width: int = 5) -> pd.Series:
    """Area ids as text with leading zeros (ZCTA ``1001`` -> ``"01001"``).

    Raises
    ------
    DataValueError
        When an id is missing or not a whole number / code.
    """
    if pd.api.types.is_numeric_dtype(values):
        if values.isna().any() or (values.astype(float) % 1 != 0).any():
            raise DataValueError(f"area id column '{values.name}' has missing or fractional values",
                                 fix="give every area a whole-number or text code", column=values.name)
        text = values.astype("int64").astype(str)
    else:
        if values.isna().any():
            raise DataValueError(f"area id column '{values.name}' has missing values",
                                 fix="give every area a code", column=values.name)
        text = values.astype(str).str.strip()
    return text.str.zfill(width)


def impute_median(features: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Fill missing values with each column's median.

    Returns
    -------
    filled : pandas.DataFrame
    counts : pandas.Series
        Column -> number of values filled.
    fill_values : pandas.Series
        Column -> median used.

    Raises
    ------
    DataValueError
        When a column is missing in every row (there is no median to use).
    """
    counts = features.isna().sum().astype(int)
    medians = features.median(skipna=True)
    if medians.isna().any():
        empty = medians.index[medians.isna()].tolist()
        noun = "feature" if len(empty) == 1 else "features"
        raise DataValueError(f"{noun} " + ", ".join(empty) + f" {'is' if len(empty) == 1 else 'are'} missing in every "
                             "area", fix=f"drop {'it' if len(empty) == 1 else 'them'} from the feature groups file")
    return features.fillna(medians), counts, medians


def build_acs_features(df: pd.DataFrame, groups: list[FeatureGroup] | None = None, *,
                       id_col: str = "zcta", min_population: float = 100,
                       population_col: str = "population", min_groups: int = 3,
                       min_areas: int = 20, read_down_groups: Sequence[str] = ()) -> AcsFeatures:
    """Turn an ACS table into an imputed feature matrix, with reports.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per area. Never modified.
    groups : list of FeatureGroup, optional
        Defaults to the shipped mapping.
    id_col : str, default "zcta"
        Area id column; ids become 5-character text.
    min_population : float, default 100
        Areas with a smaller (or missing) population are excluded from fitting and listed.
    population_col : str, default "population"
    min_groups : int, default 3
        Fewer usable feature groups than this is an error.
    min_areas : int, default 20
        Fewer usable areas than this is an error.
    read_down_groups : sequence of str
        Groups to read one line down when the table has too few rows to tell whether they are one line off
        (:func:`~segkit.kinds.demographics.shifted.read_down`): a model's, for the few areas it scores.

    Returns
    -------
    AcsFeatures

    Raises
    ------
    ColumnError
        When ``id_col`` or ``population_col`` is absent.
    SegmentationError
        When fewer than ``min_groups`` feature groups are usable.
    DataValueError
        When fewer than ``min_areas`` areas are left, or ids repeat.
    """
    groups = load_feature_groups() if groups is None else groups
    _require_id_and_population(df, id_col, population_col)
    clean, sentinels = replace_sentinels(df)  # before anything else
    groups = read_down(groups, clean, read_down_groups)  # a block one line off: read from the columns after its names
    report = validate_acs_table(clean, groups, sentinel_counts=sentinels)
    counted = {population_col, *(c for g in (groups or load_feature_groups()) for c in g.columns)}
    for col in [c for c in clean.columns if c in counted and not pd.api.types.is_numeric_dtype(clean[c])]:
        # text: a ColumnError with examples
        clean[col] = read_numbers(clean[col], column=str(col), census=True).check().values
    if len(report.used_groups) < min_groups:
        raise SegmentationError(
            f"only {_counted(len(report.used_groups), 'feature groups')} "
            f"{'is' if len(report.used_groups) == 1 else 'are'} usable "
            f"({', '.join(report.used_groups) or 'none'}); at least {min_groups} are needed. "
            + (report.summary(census_tables())[1] if report.missing_columns else "No column is missing."),
            fix="supply the ACS columns named in segkit/kinds/demographics/acs_groups.yaml or pass a groups file "
                "that matches your table")
    clean.index = _area_index(clean[id_col], id_col)
    table, excluded = _set_aside(clean, id_col, population_col, min_population)
    if len(table) < min_areas:
        raise DataValueError(f"only {_counted(len(table), 'areas')} {'has' if len(table) == 1 else 'have'} a "
                             "population of at least "
                             f"{min_population:g}; at least {min_areas} are needed",
                             fix="lower min_population or supply more areas", key="min_population")
    used, columns, clipped = _group_features(table, groups, report)
    raw = _drop_blank_features(pd.DataFrame(columns, index=table.index), report)
    used = [replace(g, features=tuple(s for s in g.features if s.name in raw.columns))
            for g in used if any(s.name in raw.columns for s in g.features)]
    report.used_groups = [g.name for g in used]
    imputed, counts, fills = impute_median(raw)
    imputation = ImputationReport(counts=counts, fill_values=fills,
                                  clipped=pd.Series(clipped, dtype=int).reindex(raw.columns, fill_value=0))
    return AcsFeatures(raw=raw, imputed=imputed, table=table, excluded=excluded, groups=used,
                       validation=report, imputation=imputation)


def _require_id_and_population(df: pd.DataFrame, id_col: str, population_col: str) -> None:
    """Raise :class:`ColumnError` when the area id or population column is absent."""
    for col, key in ((id_col, "id_col"), (population_col, "population")):
        if col not in df.columns:
            raise ColumnError(f"column '{col}' is not in the data",
                              fix=f"set {key} to the area id column" if key == "id_col" else
                              "add the total population column (ACS B01003)", column=col)


def _area_index(values: pd.Series, id_col: str) -> pd.Index:
    """The area ids as 5-character text, named ``id_col``; :class:`DataValueError` when an id repeats."""
    ids = format_area_ids(values)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise DataValueError(f"area ids repeat in '{id_col}': {', '.join(dup)}",
                             fix="keep one row per area", column=id_col)
    return pd.Index(ids.to_numpy(), name=id_col)


def _set_aside(clean: pd.DataFrame, id_col: str, population_col: str,
               min_population: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The areas with at least ``min_population`` residents, and the others with the reason they are left out
    (columns ``[id_col, "population", "reason"]``)."""
    pop = clean[population_col]
    reason = pd.Series("", index=clean.index, dtype=object)
    reason[pop.isna()] = "population is missing"
    reason[pop == 0] = "population is 0"
    small = (pop > 0) & (pop < min_population)
    reason[small] = [f"population {p:g} is below min_population={min_population:g}" for p in pop[small]]
    out = reason != ""
    excluded = pd.DataFrame({id_col: clean.index[out], "population": pop[out].to_numpy(),
                             "reason": reason[out].to_numpy()})
    return clean.loc[~out], excluded


def _group_features(table: pd.DataFrame, groups: list[FeatureGroup],
                    report: ValidationReport) -> tuple[list[FeatureGroup], dict[str, pd.Series], dict[str, int]]:
    """The features the report keeps, group by group: shares of their universe (clipped to [0, 1], with the
    number clipped) and medians (log where asked); also the groups, limited to those features."""
    used: list[FeatureGroup] = []
    columns: dict[str, pd.Series] = {}
    clipped: dict[str, int] = {}
    for group in groups:
        specs = [s for s in group.features if s.name in report.features]
        if group.name not in report.used_groups or not specs:
            continue
        used.append(replace(group, features=tuple(specs)))  # its rests too
        for spec in specs:
            if group.kind == "shares":
                share = area_shares(table, spec.columns, group.universe)
                bad = (share < 0) | (share > 1)
                clipped[spec.name] = int(bad.sum())
                columns[spec.name] = share.clip(0.0, 1.0)
            else:
                values = table[spec.columns[0]].astype(float)
                if spec.transform == "log":
                    values = np.log(values.where(values > 0))
                columns[spec.name] = values
    return used, columns, clipped


def _drop_blank_features(raw: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """``raw`` without the features missing in every usable area, each recorded in ``report`` as dropped."""
    blank = [c for c in raw.columns if raw[c].isna().all()]
    for col in blank:  # empty among the usable areas only
        report.dropped_features[col] = "missing in every usable area"
        report.features.remove(col)
    return raw.drop(columns=blank)
