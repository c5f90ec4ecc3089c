"""ACS feature groups: their definitions, how they are read, and what a table offers for them.

A feature group (:class:`FeatureGroup`) is a set of shares of one universe column, or a set of medians;
the shipped mapping is ``segkit/kinds/demographics/acs_groups.yaml`` (:func:`load_feature_groups`).
:func:`replace_sentinels` turns Census "no estimate" codes (:data:`CENSUS_SENTINELS`) into missing values,
and :func:`validate_acs_table` reports, before anything is built, the columns that are missing or empty
and the groups and features they knock out. Building the features is :mod:`segkit.kinds.demographics.acs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from ...errors import DataFileError
from ...format import joined
from ...naming.words import phrase

__all__ = [
    "CENSUS_SENTINELS",
    "area_shares",
    "FeatureSpec",
    "FeatureGroup",
    "ValidationReport",
    "load_feature_groups",
    "replace_sentinels",
    "validate_acs_table",
    "suspect_features",
    "left_out_notes",
]

def area_shares(table: pd.DataFrame, members, universe: str | None) -> pd.Series:
    """Each area's share of ``universe`` that the ``members`` columns sum to, unclipped (NaN where a member or the
    universe is missing, or the universe is not positive): the features' shares and the cards' key facts alike.

    >>> area_shares(pd.DataFrame({"a": [1.0, 2.0, None], "n": [4.0, 0.0, 5.0]}), ["a"], "n").tolist()
    [0.25, nan, nan]
    """
    if universe is None or universe not in table:
        return pd.Series(float("nan"), index=table.index)
    num = table[list(members)].astype(float).sum(axis=1, min_count=len(members))
    total = table[universe].astype(float)
    return num / total.where(total > 0)


#: Census API annotation values that mean "no estimate" (not available, too few sample cases, a margin that cannot be
#: computed: -333333333, ...).
CENSUS_SENTINELS: tuple[int, ...] = (-666666666, -999999999, -888888888, -222222222, -555555555, -333333333)

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
    #: Another total -> the member the universe minus it counts (``commute_time_total`` -> ``share_worked_from_home``:
    #: the workers with no commute time work from home), so that no other member may equal it (:func:`_rests`).
    rests: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The lines of the group's ACS table that split what it counts, in the table's order (enrolment: nursery,
    #: kindergarten, ..., graduate school), so that a first line as large as all the others together, their total one
    #: line off, is found (``shifted._total_first``) and the group read one line down (``shifted.read_down``).
    parts: tuple[str, ...] = ()
    #: Read one line down (``shifted.read_down``): each member column among the parts -> the column it is read from
    #: ("" for the last part's, which the export does not have).
    moved: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Read one line down: feature -> its columns whose line is not in the export (the last part's).
    lost: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: A member column -> (another member column, the smallest share of its total this one's total may be, what the
    #: census says of the two): Delaware's single fathers summed to 1% of its single mothers (``shifted.too_small``).
    at_least: Mapping[str, tuple[str, float, str]] = field(default_factory=dict, hash=False)

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

    def summary(self, tables: Mapping[str, str] | None = None) -> list[str]:
        """Return the report as plain sentences, one per finding; ``tables`` (column -> the census table it comes
        from) says what to download for each missing column."""
        lines = [f"{len(self.features)} features from {len(self.used_groups)} groups: "
                 + ", ".join(self.used_groups) + "."]
        if self.missing_columns:
            cols = self.missing_columns
            found = sorted({(tables or {}).get(c) for c in cols} - {None})
            lines.append("Missing columns: " + ", ".join(cols[:12]) + (f" and {len(cols) - 12} more" if len(cols) > 12
                                                                        else "")
                         + (f" (ACS tables {', '.join(found)}: add them to the download to use these groups)."
                            if found else "."))
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
            rests = item.get("rests") or {}
            if not isinstance(rests, Mapping) or any(str(f) not in {spec.name for spec in specs} for f in rests.values()):
                raise bad(f"group '{name}': 'rests' must map a total column to one of the group's features")
            parts = item.get("parts") or []
            if isinstance(parts, str) or len(parts) == 1:
                raise bad(f"group '{name}': 'parts' must list two or more columns, in the table's order")
        else:
            if item.get("rests") or item.get("parts"):
                raise bad(f"group '{name}': 'rests' and 'parts' belong to a group of shares (members and a universe), "
                          "not medians")
            if not isinstance(item["medians"], Mapping):
                raise bad(f"group '{name}': 'medians' must map feature names to {{column, transform}}")
            for feat, spec in item["medians"].items():
                spec = {"column": spec} if isinstance(spec, str) else dict(spec or {})
                if "column" not in spec or spec.get("transform") not in _TRANSFORMS:
                    raise bad(f"median feature '{feat}' in group '{name}' needs a 'column' and a "
                              f"transform of log or none")
                specs.append(FeatureSpec(str(feat), (str(spec["column"]),), spec.get("transform")))
            kind, universe, rests, parts = "medians", None, {}, []
        for spec in specs:
            if spec.name in seen:
                raise bad(f"feature name '{spec.name}' is defined twice")
            seen.add(spec.name)
        groups.append(FeatureGroup(name, kind, tuple(specs), universe, {str(k): str(v) for k, v in rests.items()},
                                   tuple(map(str, parts)), at_least=_at_least(item, specs, bad)))
    return groups


def _at_least(item: Mapping, specs: list[FeatureSpec], bad) -> dict[str, tuple[str, float, str]]:
    """A group's ``at_least`` (column -> {of, share, said}), checked: both columns the group's members', a share in
    (0, 1] and the census's words."""
    raw, members = item.get("at_least") or {}, {c for spec in specs for c in spec.columns}
    out = {}
    for column, rule in (raw.items() if isinstance(raw, Mapping) else [(None, None)]):
        rule = rule if isinstance(rule, Mapping) else {}
        share, of, said = rule.get("share"), rule.get("of"), rule.get("said")
        if {column, of} - members or of == column or isinstance(share, bool) or not isinstance(share, (int, float)) \
                or not 0 < share <= 1 or not said:
            raise bad(f"group '{item['name']}': 'at_least' must map a member column to {{of: another member column, "
                      "share: a number in (0, 1], said: what the census says of the two}")
        out[str(column)] = (str(of), float(share), str(said))
    return out


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
                noun = "column" if len(missing) == 1 else "columns"
                report.dropped_features[spec.name] = f"missing {noun} " + ", ".join(missing)
            elif blank:
                noun = "column" if len(blank) == 1 else "columns"
                report.dropped_features[spec.name] = f"empty {noun} " + ", ".join(blank)
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


#: A share above 1 in more than this share of the areas makes a feature suspect (a few are sampling noise).
IMPOSSIBLE_SHARE = 0.05


#: Two member columns of a group equal in at least this share of the areas where either is above 0 repeat each other.
REPEATED_SHARE = 0.5
#: Rows a column must fill for its equality with another to say something (a handful may agree by chance).
MIN_ROWS_EQUAL = 10


def suspect_features(groups: Sequence[FeatureGroup], suspects: Mapping[str, str], clipped: pd.Series,
                     n: int, table: pd.DataFrame | None = None) -> dict[str, str]:
    """Features left out by default, with why: built from a column equal to another column in every row; or in the
    group of such a feature when two of the group's columns also repeat each other in ``table`` (:func:`_repeated`):
    a block of columns shifted in the export, as Delaware's industry columns, the male workers under "agriculture"
    and mining equal to construction in three areas of four, one of which named a segment by its retail jobs (a single
    equal pair, of two sparse counts, may be chance); or in the group of a member whose column holds what another
    member with a column of its own is named for (:func:`_rests`: Delaware's walkers' column holds the home workers
    beside a worked_from_home column); or a share above 1 (impossible) in more than :data:`IMPOSSIBLE_SHARE` of the
    areas."""
    out = {}
    for group in groups:
        twins = [c for spec in group.features for c in spec.columns if c in suspects]
        repeated = _repeated(table, group) if twins and table is not None else None
        rests = _rests(table, group) if table is not None else {}
        # a member's column holds what another member is named for: the group's columns are shifted (Delaware's
        # commute_walked holds the home workers beside a worked_from_home of 6%, its "carpool" zero in areas of 4,000
        # commuters): none is trusted, as a shifted industry group
        present = {spec.name for spec in group.features if rests
                   and all(c in table.columns and pd.to_numeric(table[c], errors="coerce").fillna(0).ne(0).any()
                           for c in spec.columns)}  # the member a rest is meant for, with a column of its own
        shifted = next(((name, *hit) for name, hit in rests.items() if hit[2] in present), None)
        for spec in group.features:
            twin = next((c for c in spec.columns if c in suspects), None)
            if spec.name in rests:
                column, other, meant = rests[spec.name]
                out[spec.name] = (f"its column {column} equals {group.universe} minus {other} in every row: those "
                                  f"who {_said(meant)}, not what its name says")
            elif shifted:
                _, column, other, meant = shifted
                out[spec.name] = (f"the {group.name} group's column {column} holds those who {_said(meant)} "
                                  f"({group.universe} minus {other} in every row), whom another of its columns is "
                                  f"named for: the {group.name} columns look shifted in the export, so none is trusted")
            elif twin is not None:
                out[spec.name] = f"it is built from {twin}, which equals {suspects[twin]} in every row"
            elif repeated:
                a, b, share = repeated
                out[spec.name] = (f"the {group.name} group's column {twins[0]} equals {suspects[twins[0]]} in every "
                                  f"row and its {a} repeats {b} in {share:.0%} of the areas: the {group.name} columns "
                                  "look shifted in the export, so none is trusted")
            elif int(clipped.get(spec.name, 0)) > IMPOSSIBLE_SHARE * n:
                out[spec.name] = f"its share is above 1 (impossible) in {int(clipped[spec.name]):,} of {n:,} areas"
    return out


def _said(member: str) -> str:
    """A member feature in words, after "those who": ``share_worked_from_home`` -> "worked from home"."""
    return member.removeprefix("share_").replace("_", " ")


def _rests(table: pd.DataFrame, group: FeatureGroup) -> dict[str, tuple[str, str, str]]:
    """Members of a share group whose column equals, in every row, the universe minus another total that the group
    says counts a different member (``rests`` in ``acs_groups.yaml``): feature -> (its column, the other total, the
    member that difference counts). Delaware's ``commute_walked`` is ``commute_total`` minus ``commute_time_total``,
    the workers with no commute time: its home workers (13% of the workers), which named segments by their
    "commuters who walk" (about 1.5% in the state)."""
    if not group.rests or group.universe not in table.columns:
        return {}
    universe = pd.to_numeric(table[group.universe], errors="coerce")
    out = {}
    for other, meant in group.rests.items():
        if other not in table.columns:
            continue
        rest = universe - pd.to_numeric(table[other], errors="coerce")
        for spec in group.features:
            column = spec.columns[0] if len(spec.columns) == 1 else None
            if spec.name == meant or column not in table.columns:
                continue
            values = pd.to_numeric(table[column], errors="coerce")
            known = values.notna() & rest.notna()
            if known.sum() >= MIN_ROWS_EQUAL and (values[known] > 0).any() and (values[known] == rest[known]).all():
                out[spec.name] = (column, other, meant)
    return out


def _repeated(table: pd.DataFrame, group: FeatureGroup) -> tuple[str, str, float] | None:
    """Two member columns of ``group`` equal in at least :data:`REPEATED_SHARE` of the rows where either is above 0
    (:data:`MIN_ROWS_EQUAL` rows or more), with that share; None when no two are."""
    columns = [c for spec in group.features for c in spec.columns if c in table.columns]
    for i, a in enumerate(columns):
        for b in columns[i + 1:]:
            x, y = pd.to_numeric(table[a], errors="coerce"), pd.to_numeric(table[b], errors="coerce")
            either = (x.fillna(0) != 0) | (y.fillna(0) != 0)
            share = float((x == y)[either].mean()) if either.sum() >= MIN_ROWS_EQUAL else 0.0
            if share >= REPEATED_SHARE:
                return a, b, share
    return None


def left_out_notes(suspect: Mapping[str, str], short: Mapping[str, str]) -> list[str]:
    """One note per reason a feature was left out (:func:`suspect_features`), naming its features: a shifted group's
    five features said the same reason five times."""
    by_why: dict[str, list[str]] = {}
    for feat, why in suspect.items():
        by_why.setdefault(why, []).append(short.get(feat, feat))
    notes = []
    for why, feats in by_why.items():
        is_, it = ("is", "it") if len(feats) == 1 else ("are", "them")
        notes.append(f"{joined(feats)} {is_} left out of the features: {why} (name {it} in features to keep {it}).")
    return notes
