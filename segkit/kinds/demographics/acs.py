"""Features for area (ZCTA) segmentation from ACS 5-year counts and medians.

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from segkit.errors import ColumnError, DataFileError, DataValueError, SegmentationError

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

#: Census API annotation values that mean "no estimate" (not available, too few sample cases, ...).
CENSUS_SENTINELS: tuple[int, ...] = (-666666666, -999999999, -888888888, -222222222, -555555555)

_TRANSFORMS = (None, "log")


@dataclass(frozen=True)
class FeatureSpec:
    """One feature: a share (sum of ``columns`` over the group universe) or a median column.

    Attributes
    ----------
    name : str
        Feature name, e.g. ``"share_age_75_plus"``.
    columns : tuple of str
        Source columns (summed for a share; exactly one for a median).
    transform : {None, "log"}
        Transform applied to a median.
    """

    name: str
    columns: tuple[str, ...]
    transform: str | None = None


@dataclass(frozen=True)
class FeatureGroup:
    """A named set of features sharing a universe (``kind="shares"``) or medians (``kind="medians"``)."""

    name: str
    kind: str
    features: tuple[FeatureSpec, ...]
    universe: str | None = None

    @property
    def columns(self) -> list[str]:
        """All source columns the group reads, universe first."""
        cols = [self.universe] if self.universe else []
        for spec in self.features:
            cols += [c for c in spec.columns if c not in cols]
        return cols


@dataclass
class ValidationReport:
    """What the table offers before fitting: which columns and groups are usable.

    Attributes
    ----------
    missing_columns : list of str
        Expected columns (from the groups file) that are not in the table.
    unusable_columns : list of str
        Expected columns present but empty in every row (after sentinels became missing).
    skipped_groups : dict
        Group name -> reason it is skipped.
    dropped_features : dict
        Feature name -> reason it is dropped (its group may still be used).
    used_groups : list of str
        Groups that contribute at least one feature.
    features : list of str
        Features that will be built.
    suspect_columns : dict
        Member column -> the other column it equals in every row (a sign of a mislabelled export).
    sentinel_counts : dict
        Column -> number of Census sentinels turned into missing values.
    """

    missing_columns: list[str] = field(default_factory=list)
    unusable_columns: list[str] = field(default_factory=list)
    skipped_groups: dict[str, str] = field(default_factory=dict)
    dropped_features: dict[str, str] = field(default_factory=dict)
    used_groups: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    suspect_columns: dict[str, str] = field(default_factory=dict)
    sentinel_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every expected column is present and usable."""
        return not (self.missing_columns or self.unusable_columns or self.skipped_groups)

    def summary(self) -> list[str]:
        """Return the report as plain sentences, one per finding."""
        lines = [f"{len(self.features)} features from {len(self.used_groups)} groups: "
                 + ", ".join(self.used_groups) + "."]
        if self.missing_columns:
            lines.append("Missing columns: " + ", ".join(self.missing_columns) + ".")
        if self.unusable_columns:
            lines.append("Empty in every row (unusable): " + ", ".join(self.unusable_columns) + ".")
        lines += [f"Group '{g}' skipped: {why}." for g, why in self.skipped_groups.items()]
        lines += [f"Feature '{f}' dropped: {why}." for f, why in self.dropped_features.items()]
        lines += [f"Column '{c}' equals '{o}' in every row; check the export's labels."
                  for c, o in self.suspect_columns.items()]
        if self.sentinel_counts:
            lines.append("Census sentinels set to missing: " + ", ".join(
                f"{c} ({n})" for c, n in self.sentinel_counts.items()) + ".")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary())


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


def load_feature_groups(source: str | Path | Mapping | None = None) -> list[FeatureGroup]:
    """Read the column-to-feature mapping.

    Parameters
    ----------
    source : path, mapping or None
        A YAML file, an already parsed mapping with a ``groups`` list, or None for the shipped
        ``segkit/kinds/demographics/acs_groups.yaml``.

    Returns
    -------
    list of FeatureGroup
    """
    from ...resources import read_data_yaml

    raw, path = read_data_yaml(source, shipped="kinds/demographics/acs_groups.yaml", what="feature groups")

    def bad(problem: str) -> DataFileError:
        return DataFileError(problem, fix="see the comments at the top of segkit/kinds/demographics/acs_groups.yaml",
                             path=path)

    if not isinstance(raw, Mapping) or not isinstance(raw.get("groups"), list) or not raw["groups"]:
        raise bad("feature groups must be a mapping with a non-empty 'groups' list")
    groups, seen = [], set()
    for item in raw["groups"]:
        if not isinstance(item, Mapping) or "name" not in item:
            raise bad(f"every group needs a 'name'; got {item!r}")
        name = str(item["name"])
        if ("members" in item) == ("medians" in item):
            raise bad(f"group '{name}' must have exactly one of 'members' (with 'universe') or 'medians'")
        specs = []
        if "members" in item:
            if not item.get("universe") or not isinstance(item["members"], Mapping):
                raise bad(f"group '{name}' needs a 'universe' column and a 'members' mapping")
            for feat, cols in item["members"].items():
                cols = [cols] if isinstance(cols, str) else list(cols or [])
                if not cols:
                    raise bad(f"feature '{feat}' in group '{name}' lists no columns")
                specs.append(FeatureSpec(str(feat), tuple(map(str, cols))))
            kind, universe = "shares", str(item["universe"])
        else:
            if not isinstance(item["medians"], Mapping):
                raise bad(f"group '{name}': 'medians' must map feature names to {{column, transform}}")
            for feat, spec in item["medians"].items():
                spec = {"column": spec} if isinstance(spec, str) else dict(spec or {})
                if "column" not in spec or spec.get("transform") not in _TRANSFORMS:
                    raise bad(f"median feature '{feat}' in group '{name}' needs a 'column' and a "
                              f"transform of log or none")
                specs.append(FeatureSpec(str(feat), (str(spec["column"]),), spec.get("transform")))
            kind, universe = "medians", None
        for spec in specs:
            if spec.name in seen:
                raise bad(f"feature name '{spec.name}' is defined twice")
            seen.add(spec.name)
        groups.append(FeatureGroup(name, kind, tuple(specs), universe))
    return groups


def replace_sentinels(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Turn Census sentinel values into NaN in every numeric column.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    clean : pandas.DataFrame
        A copy; columns that held sentinels become float.
    counts : dict
        Column -> number of sentinels replaced (only columns that had any).
    """
    clean = df.copy()
    counts: dict[str, int] = {}
    for col in clean.columns:
        if not pd.api.types.is_numeric_dtype(clean[col]) or pd.api.types.is_bool_dtype(clean[col]):
            continue
        hit = clean[col].isin(CENSUS_SENTINELS).to_numpy()
        if hit.any():
            counts[col] = int(hit.sum())
            clean[col] = clean[col].astype(float).mask(hit)
    return clean, counts


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


def _suspects(df: pd.DataFrame, groups: list[FeatureGroup]) -> dict[str, str]:
    """Member columns equal in every row to another (non-empty, non-zero) column of the table."""
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    by_hash: dict[int, list[str]] = {}
    for col in numeric:
        values = df[col]
        if values.isna().all() or (values.fillna(0) == 0).all():
            continue
        key = int(pd.util.hash_pandas_object(values.astype(float), index=False).sum())
        by_hash.setdefault(key, []).append(col)
    twins = {c: cols for cols in by_hash.values() for c in cols if len(cols) > 1}
    out = {}
    for group in groups:
        if group.kind != "shares":
            continue
        for spec in group.features:
            for col in spec.columns:
                others = [o for o in twins.get(col, []) if o != col and o != group.universe
                          and df[o].equals(df[col])]
                if others and col not in out:
                    out[col] = others[0]
    return out


def validate_acs_table(df: pd.DataFrame, groups: list[FeatureGroup] | None = None,
                       *, sentinel_counts: Mapping[str, int] | None = None) -> ValidationReport:
    """Name the missing and empty columns and the groups and features they knock out.

    Sentinels are replaced first (on a copy) so a column holding only sentinels counts as empty.

    Parameters
    ----------
    df : pandas.DataFrame
        The ACS table.
    groups : list of FeatureGroup, optional
        Defaults to the shipped mapping.
    sentinel_counts : mapping, optional
        Counts to record when ``df`` was already cleaned (otherwise they are computed here).

    Returns
    -------
    ValidationReport
    """
    groups = load_feature_groups() if groups is None else groups
    if sentinel_counts is None:
        df, sentinel_counts = replace_sentinels(df)
    report = ValidationReport(sentinel_counts=dict(sentinel_counts))
    empty = {c for c in df.columns if df[c].isna().all()}
    for group in groups:
        for col in group.columns:
            if col not in df.columns and col not in report.missing_columns:
                report.missing_columns.append(col)
            elif col in empty and col not in report.unusable_columns:
                report.unusable_columns.append(col)
        if group.kind == "shares" and group.universe not in df.columns:
            report.skipped_groups[group.name] = f"universe column '{group.universe}' is missing"
            continue
        if group.kind == "shares" and group.universe in empty:
            report.skipped_groups[group.name] = f"universe column '{group.universe}' is empty"
            continue
        kept = []
        for spec in group.features:
            missing = [c for c in spec.columns if c not in df.columns]
            blank = [c for c in spec.columns if c in empty]
            if missing:
                report.dropped_features[spec.name] = "missing column(s) " + ", ".join(missing)
            elif blank:
                report.dropped_features[spec.name] = "empty column(s) " + ", ".join(blank)
            else:
                kept.append(spec.name)
        if kept:
            report.used_groups.append(group.name)
            report.features += kept
        else:
            cols = [c for s in group.features for c in s.columns]
            report.skipped_groups[group.name] = "no usable column among " + ", ".join(cols)
    report.suspect_columns = _suspects(df, groups)
    return report


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
        raise DataValueError("feature(s) " + ", ".join(empty) + " are missing in every area",
                             fix="drop them from the feature groups file")
    return features.fillna(medians), counts, medians


def build_acs_features(df: pd.DataFrame, groups: list[FeatureGroup] | None = None, *,
                       id_col: str = "zcta", min_population: float = 100,
                       population_col: str = "population", min_groups: int = 3,
                       min_areas: int = 20) -> AcsFeatures:
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
    for col, key in ((id_col, "id_col"), (population_col, "population")):
        if col not in df.columns:
            raise ColumnError(f"column '{col}' is not in the data",
                              fix=f"set {key} to the area id column" if key == "id_col" else
                              "add the total population column (ACS B01003)", column=col)
    clean, sentinels = replace_sentinels(df)  # before anything else
    report = validate_acs_table(clean, groups, sentinel_counts=sentinels)
    from ..customers.features import check_numeric  # text in a count or median column: a ColumnError with examples

    counted = {population_col, *(c for g in (groups or load_feature_groups()) for c in g.columns)}
    clean = check_numeric(clean, [c for c in clean.columns if c in counted])
    if len(report.used_groups) < min_groups:
        raise SegmentationError(
            f"only {len(report.used_groups)} feature group(s) are usable "
            f"({', '.join(report.used_groups) or 'none'}); at least {min_groups} are needed. "
            f"Missing columns: {', '.join(report.missing_columns[:12]) or 'none'}",
            fix="supply the ACS columns named in segkit/kinds/demographics/acs_groups.yaml or pass a groups file "
                "that matches your table")
    ids = format_area_ids(clean[id_col])
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise DataValueError(f"area ids repeat in '{id_col}': {', '.join(dup)}",
                             fix="keep one row per area", column=id_col)
    clean.index = pd.Index(ids.to_numpy(), name=id_col)
    pop = clean[population_col]
    reason = pd.Series("", index=clean.index, dtype=object)
    reason[pop.isna()] = "population is missing"
    reason[pop == 0] = "population is 0"
    small = (pop > 0) & (pop < min_population)
    reason[small] = [f"population {p:g} is below min_population={min_population:g}" for p in pop[small]]
    out = reason != ""
    excluded = pd.DataFrame({id_col: clean.index[out], "population": pop[out].to_numpy(),
                             "reason": reason[out].to_numpy()})
    table = clean.loc[~out]
    if len(table) < min_areas:
        raise DataValueError(f"only {len(table)} area(s) have a population of at least "
                             f"{min_population:g}; at least {min_areas} are needed",
                             fix="lower min_population or supply more areas", key="min_population")

    used: list[FeatureGroup] = []
    columns: dict[str, pd.Series] = {}
    clipped: dict[str, int] = {}
    for group in groups:
        specs = [s for s in group.features if s.name in report.features]
        if group.name not in report.used_groups or not specs:
            continue
        used.append(FeatureGroup(group.name, group.kind, tuple(specs), group.universe))
        for spec in specs:
            if group.kind == "shares":
                universe = table[group.universe].astype(float)
                num = table[list(spec.columns)].astype(float).sum(axis=1, min_count=len(spec.columns))
                share = num / universe.where(universe > 0)
                bad = (share < 0) | (share > 1)
                clipped[spec.name] = int(bad.sum())
                columns[spec.name] = share.clip(0.0, 1.0)
            else:
                values = table[spec.columns[0]].astype(float)
                if spec.transform == "log":
                    values = np.log(values.where(values > 0))
                columns[spec.name] = values
    raw = pd.DataFrame(columns, index=table.index)
    blank = [c for c in raw.columns if raw[c].isna().all()]
    for col in blank:  # empty among the usable areas only
        report.dropped_features[col] = "missing in every usable area"
        report.features.remove(col)
    raw = raw.drop(columns=blank)
    used = [FeatureGroup(g.name, g.kind, tuple(s for s in g.features if s.name in raw.columns), g.universe)
            for g in used if any(s.name in raw.columns for s in g.features)]
    report.used_groups = [g.name for g in used]
    imputed, counts, fills = impute_median(raw)
    imputation = ImputationReport(counts=counts, fill_values=fills,
                                  clipped=pd.Series(clipped, dtype=int).reindex(raw.columns, fill_value=0))
    return AcsFeatures(raw=raw, imputed=imputed, table=table, excluded=excluded, groups=used,
                       validation=report, imputation=imputation)
