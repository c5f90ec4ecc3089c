"""An export whose block of lines is one line off: found by its first line holding the total of the others, and read
one line down.

A group of ``acs_groups.yaml`` may list its ACS table's ``parts``, the lines that split what it counts, in order. When
the first holds as many as all the others together in every row (:func:`_total_first`), the export has shifted the
block by one line (its "nursery and preschool" column holds everyone enrolled), and :func:`read_down` reads each member
from the column after its name; :func:`read_down_notes` tells the reader.

A group may also say that a member column's total is at least a share of another's (``at_least``): a column far below
is some other line of its table (Delaware's single fathers), found by :func:`too_small` and told by
:func:`too_small_notes`; its features are kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Collection, Mapping, Sequence

import pandas as pd

from ...format import joined
from ...naming.words import phrase
from .groups import MIN_ROWS_EQUAL, FeatureGroup

__all__ = ["read_down", "read_down_notes", "too_small", "too_small_notes"]


def read_down(groups: Sequence[FeatureGroup], table: pd.DataFrame, assume: Collection[str] = ()) -> list[FeatureGroup]:
    """``groups``, each whose ``parts`` are one line off in ``table`` (:func:`_total_first`) read one line down: a
    member column that is a part is read from the part after it, and a member of the last part, whose line the export
    does not have, is left out (a feature left with no column is dropped). A table with too few rows to tell
    (:data:`MIN_ROWS_EQUAL`) reads the groups named in ``assume`` down: a few areas scored with a model trained on the
    same export are read as its training table was.

    Delaware's export holds everyone enrolled under "nursery and preschool", the high-school students under
    "undergraduate" and the undergraduates under "graduate": its college enrolment counted the high-school students
    (some 4% of every area) beside the undergraduates, and now counts the undergraduates alone (graduate students are
    not in the export). Leaving it out instead moved the campus into "Affluent Professionals".
    """
    out = []
    for group in groups:
        first = _total_first(table, group)
        if not (first or (first is None and group.name in assume)):
            out.append(group)
            continue
        after = dict(zip(group.parts, group.parts[1:]))
        specs, lost = [], {}
        for spec in group.features:
            kept = tuple(after[c] if c in after else c for c in spec.columns if c != group.parts[-1])
            if group.parts[-1] in spec.columns:
                lost[spec.name] = (group.parts[-1],)
            if kept:
                specs.append(replace(spec, columns=kept))
        moved = {c: after.get(c, "") for spec in group.features for c in spec.columns if c in group.parts}
        out.append(replace(group, features=tuple(specs), moved=moved, lost=lost))
    return out


def read_down_notes(groups: Sequence[FeatureGroup], labels: Mapping[str, str],
                    used: Sequence[str] | None = None) -> list[str]:
    """A warning for each group read one line down (:func:`read_down`) with a feature in ``used`` (given): which
    column each of its features is read from, and what the export does not have."""
    notes = []
    for group in (g for g in groups if g.moved):
        specs = [spec for spec in group.features if used is None or spec.name in used]
        gone = [name for name in group.lost if name not in {spec.name for spec in group.features}]
        if not (specs or gone):
            continue
        read = [f"{phrase(labels.get(spec.name, spec.name))} from {joined(list(spec.columns))}"
                + (f" (without the line {joined(list(group.lost[spec.name]))} is named for, which the export does "
                   "not have)" if group.lost.get(spec.name) else "") for spec in specs]
        read += [f"{phrase(labels.get(name, name))} is left out (its line, {joined(list(group.lost[name]))}, is not "
                 "in the export)" for name in gone]
        notes.append(f"Warning: the {group.name} columns are one line off in the export: {group.parts[0]} holds as "
                     f"many as its {len(group.parts) - 1} other lines together in every row (their total), so each "
                     f"line is read from the column after its name: {'; '.join(read)}.")
    return notes


def too_small_notes(found: Sequence[tuple], labels: Mapping[str, str], tables: Mapping[str, str]) -> list[str]:
    """A warning for each member column :func:`too_small` ``found``, whose total over the areas is below its
    ``at_least`` share of another member's (what the census's own proportions rule out): it holds some other line of
    its table, and the features built from it are understated. Delaware's single fathers sum to 327 over the areas it
    keeps, 1% of its 31,750 single mothers, whereas they are about a quarter of single parents in the US. The features
    are kept, and said so."""
    notes = []
    for group, column, low, high, specs in found:
        other, _, said = group.at_least[column]
        feats = [phrase(labels.get(spec.name, spec.name)) for spec in specs]
        share = f"{low / high:.0%}" if low / high >= 0.005 else "under 1%"
        table_of = f"ACS table {tables[column]}" if column in tables else "its table"
        shares = "the share of" if len(feats) == 1 else "the shares of"
        notes.append(f"Warning: {column} sums to {low:,.0f} over the areas, {share} of {other} ({high:,.0f}), whereas "
                     f"{said}: the column looks like another line of {table_of}, so {shares} {joined(feats)} "
                     f"{'is' if len(feats) == 1 else 'are'} understated.")
    return notes


def too_small(groups: Sequence[FeatureGroup], table: pd.DataFrame, used: Sequence[str] | None = None) -> list[tuple]:
    """Each member column whose total over the areas is below its ``at_least`` share of another member's, as
    (group, column, its total, the other's total, the features in ``used`` built from it)."""
    out = []
    for group in groups:
        for column, (other, share, _) in group.at_least.items():
            if column not in table.columns or other not in table.columns:
                continue
            low, high = (float(pd.to_numeric(table[c], errors="coerce").sum()) for c in (column, other))
            specs = [spec for spec in group.features if column in spec.columns and (used is None or spec.name in used)]
            if high > 0 and low < share * high and specs:
                out.append((group, column, low, high, specs))
    return out


def _total_first(table: pd.DataFrame, group: FeatureGroup) -> str | None:
    """The first of the group's ``parts`` when it is as large as all the others together in every row where they
    count anyone: their total, one line off; "" when it is not, or the table lacks the parts; None when the table
    cannot tell (fewer than :data:`MIN_ROWS_EQUAL` such rows, each of them as a shift would have it). Delaware's
    "nursery and preschool" column holds everyone enrolled (B14001_002), its "undergraduate" the high-school students
    and its "graduate" the undergraduates; the first line of an enrolment table is a few percent of the others."""
    if len(group.parts) < 2 or not set(group.parts) <= set(table.columns):
        return ""  # no parts to read down (a download by variable code has no lines below college): as named
    lines = table[list(group.parts)].apply(pd.to_numeric, errors="coerce")
    first, rest = lines.iloc[:, 0], lines.iloc[:, 1:].sum(axis=1, min_count=1)
    counted = first.notna() & rest.gt(0)
    if not (first[counted] >= rest[counted]).all():
        return ""  # a row that a shift cannot explain, however few there are
    return group.parts[0] if counted.sum() >= MIN_ROWS_EQUAL else None
