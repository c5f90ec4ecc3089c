"""The census kind's sentences about areas: lists of areas (by their names where the table has them: "Kent County,
Delaware", not "0500000US10001"), the areas left out of the segmentation and the values imputed."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from ...naming.words import counted
from ...findings import Finding
from .acs import ImputationReport
from .codes import census_tables
from .groups import left_out_notes

__all__ = ["LISTED", "TYPICAL", "NAME_COLUMNS", "UNIVERSE_WORDS", "universe_words", "area_names", "listing",
           "typical_areas", "excluded_note", "imputation_notes", "in_own_words"]

LISTED = 25  #: areas named in a sentence before "and N more"
TYPICAL = 5  #: areas named on a segment's card: those closest to its average (its centre)
#: Columns that name an area, in the order tried: the Census API's and data.census.gov's ``NAME``, then others.
NAME_COLUMNS = ("NAME", "name", "Name", "area_name", "Geographic Area Name", "county", "County", "county_name",
                "place", "place_name", "tract_name")


#: What areas of a Census summary level larger than a neighbourhood are called (the GEO_ID's first three digits:
#: 0500000US17031 is a county), singular and plural; ZCTAs, tracts and block groups keep the lexicon's words.
#: A GEO_ID: its summary level, its variant, "US", the area's code (as the census schema's id pattern reads it).
_GEO_ID = re.compile(r"(\d{3})[0-9A-Z]{4}US\d{1,12}")
LEVEL_NOUNS = {"040": ("State", "States"), "050": ("County", "Counties"), "160": ("Place", "Places"),
               "310": ("Metro Area", "Metro Areas")}


def in_own_words(names: Mapping, ids: Sequence) -> dict:
    """``names`` (segment -> :class:`~segkit.naming.base.SegmentName`) with "Neighbourhoods" said as what the areas
    are, when every id is a GEO_ID of one summary level larger than a neighbourhood: "Retiree Counties" for
    counties. Other ids (ZCTAs, FIPS codes without a level) leave the names as they are.

    >>> from segkit.naming.base import SegmentName
    >>> named = in_own_words({0: SegmentName("Retiree Neighbourhoods", "Older neighbourhoods", "")}, ["0500000US17031"])
    >>> named[0].name, named[0].description
    ('Retiree Counties', 'Older counties')
    """
    levels = {m[1] if (m := _GEO_ID.fullmatch(str(i))) else None for i in ids}
    nouns = LEVEL_NOUNS.get(levels.pop()) if len(levels) == 1 else None
    if nouns is None:
        return dict(names)

    pairs = [("Neighbourhoods", nouns[1]), ("Neighbourhood", nouns[0])]
    pairs += [(old.lower(), new.lower()) for old, new in pairs]

    def said(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return {s: dataclasses.replace(n, name=said(n.name), description=said(n.description)) for s, n in names.items()}


#: Who a share is of, in words: the universe columns of ``acs_groups.yaml`` as the Census Bureau's tables define them.
UNIVERSE_WORDS = {"population": "residents", "race_total": "residents", "hispanic_total": "residents",
                  "household_total": "households", "total_education_population": "residents aged 25 and over",
                  "school_enrollment_total": "residents aged 3 and over",
                  "industry_total": "employed residents aged 16 and over", "commute_total": "workers aged 16 and over",
                  "vehicles_available_total": "households", "poverty_total": "residents whose poverty status is known",
                  "civilian_labor_force": "the civilian labor force", "tenure_total": "occupied homes",
                  "occupancy_total": "homes", "units_structure_total": "homes"}


def universe_words(universe: str) -> str:
    """Who a share is of: ``"residents"`` for ``hispanic_total``; a column of one's own groups file in words.

    >>> universe_words("hispanic_total"), universe_words("my_total_count")
    ('residents', 'my total count')
    """
    return UNIVERSE_WORDS.get(universe, universe.replace("_", " "))


def listing(items: Sequence[str], n: int = LISTED) -> str:
    """Up to ``n`` items, then "and N more"; names that hold a comma ("Kent County, Delaware") are set apart by
    semicolons.

    >>> listing(["19701", "19702"]), listing(["Kent County, Delaware", "Sussex County, Delaware"])
    ('19701, 19702', 'Kent County, Delaware; Sussex County, Delaware')
    >>> listing(list("abcd"), 2)
    'a, b and 2 more'
    """
    items = [str(i) for i in items]
    sep = "; " if any("," in i for i in items) else ", "
    if len(items) <= n:
        return sep.join(items)
    return sep.join(items[:n]) + f" and {len(items) - n:,} more"


def area_names(table: pd.DataFrame, ids: pd.Series) -> pd.Series | None:
    """Each area's name from the first of :data:`NAME_COLUMNS` the table has, or None when it has none or its names
    only restate the ids ("ZCTA5 19701"); an area with no name keeps its id.

    >>> t = pd.DataFrame({"GEO_ID": ["0500000US10001", "0500000US10003"], "NAME": ["Kent County, Delaware", None]})
    >>> area_names(t, t["GEO_ID"]).tolist()
    ['Kent County, Delaware', '0500000US10003']
    >>> area_names(pd.DataFrame({"NAME": ["ZCTA5 19701"]}), pd.Series(["19701"])) is None
    True
    >>> area_names(pd.DataFrame({"fips": ["10001"], "county": ["Kent County"]}), pd.Series(["10001"])).tolist()
    ['Kent County']
    """
    col = next((c for c in NAME_COLUMNS if c in table.columns), None)
    if col is None:
        return None
    names = table[col].astype("string").str.strip()
    ids = pd.Series(ids).astype(str).reset_index(drop=True)
    names = names.reset_index(drop=True)
    restated = [pd.isna(n) or i[-5:] in n for n, i in zip(names, ids)]
    if all(restated):
        return None
    return names.where(names.notna() & (names != ""), ids).astype(object)


def typical_areas(assignments: pd.DataFrame, names: dict | None = None, n: int = TYPICAL) -> dict[str, str]:
    """Each segment's most typical areas, for its card: the ``n`` nearest its centre (by name where ``names``, id ->
    name, has one), and where the rest are listed.

    ``assignments`` is ``segments.csv``: the area id first, ``segment_code`` and ``distance_to_centre``.

    >>> a = pd.DataFrame({"zcta": ["19701", "19702", "19703", "19716"], "segment_code": ["S01", "S01", "S01", "S02"],
    ...                   "distance_to_centre": [2.0, 0.5, 1.0, 0.0]})
    >>> shown = typical_areas(a, n=2)
    >>> shown["S01"]
    "19702, 19703 (the 2 closest to the segment's average; the others in segments.csv)"
    >>> shown["S02"]
    '19716 (its only area)'
    >>> typical_areas(a, {"19702": "Bear, Delaware"}, n=3)["S01"]
    'Bear, Delaware; 19703; 19701 (all 3, the most typical first)'
    """
    id_col = assignments.columns[0]
    ordered = assignments.sort_values(["segment_code", "distance_to_centre", id_col], kind="stable")
    out = {}
    for code, group in ordered.groupby("segment_code", sort=True):
        ids = group[id_col].astype(str).tolist()
        shown = [(names or {}).get(i) or i for i in ids[:n]]
        text = listing(shown, n)
        if len(ids) == 1:
            out[str(code)] = f"{text} (its only area)"
        elif len(ids) <= n:
            out[str(code)] = f"{text} (all {len(ids)}, the most typical first)"
        else:
            out[str(code)] = f"{text} (the {n} closest to the segment's average; the others in segments.csv)"
    return out


def excluded_note(excluded: list[dict], id_col: str, min_population: float) -> str:
    """The sentence listing the areas left out (by name where they have one): those with no residents, then those
    with too few."""
    shown = [e.get("name") or e[id_col] for e in excluded]
    zero = [s for s, e in zip(shown, excluded) if not e["population"]]
    few = [f"{s} ({e['population']:,.0f})" for s, e in zip(shown, excluded) if e["population"]]
    parts = []
    if zero:
        parts.append(f"{len(zero):,} with no residents ({listing(zero)})")
    if few:
        parts.append(f"{len(few):,} with fewer than {min_population:,} residents ({listing(few)})")
    return f"{len(excluded):,} areas were left out of the segmentation: " + "; ".join(parts) + "."


def imputation_notes(imputation: ImputationReport, short: dict[str, str]) -> list[str]:
    """Sentences on the values imputed with the median (or that none were) and the shares clipped to 1."""
    notes = []
    imputed = imputation.counts[imputation.counts > 0].sort_values(ascending=False, kind="stable")
    if len(imputed):
        notes.append(f"{int(imputed.sum()):,} missing values were filled with the median of all areas: "
                     + ", ".join(f"{short.get(f, f).lower()} ({counted(c, 'areas')})" for f, c in imputed.items()) + ".")
    else:
        notes.append("No value needed imputing.")
    clipped = imputation.clipped[imputation.clipped > 0]
    if len(clipped):
        notes.append("Shares above 1 (a count larger than its universe) were clipped to 1: "
                     + ", ".join(f"{short.get(f, f).lower()} ({counted(c, 'areas')})" for f, c in clipped.items()) + ".")
    return notes


def feature_findings(fs, params) -> list[Finding]:
    """What ``segkit check`` warns of once the features are built (``02_features`` says so too): features not trusted
    (a shifted block, a mislabelled column: Delaware's industry and commute groups, which the check did not mention),
    blocks that look one line off and columns too small to be what they are named for (Delaware's single fathers);
    ACS feature groups left out, their columns missing or empty, with the tables that would add them."""
    found = fs.extra.get("validation") or {}
    skipped = found.get("skipped_groups") or {}
    out = [Finding("warning", "columns", None, note.removeprefix("Warning: ").rstrip("."), 0, None,
                   "check the export's column labels against the ACS tables")
           for note in left_out_notes(fs.extra.get("left_out") or {}, fs.short) + list(fs.extra.get("shifted") or [])
           + list(fs.extra.get("too_small") or [])]
    if not skipped:
        return out
    tables = census_tables()
    wanted = sorted({tables[c] for c in found.get("missing_columns") or [] if c in tables})
    groups = len(skipped) + len(found.get("used_groups", []))
    return out + [Finding("warning", "missing", None, f"{len(skipped)} of {groups} ACS feature groups are left out, "
                          f"their columns missing or empty: {', '.join(skipped)}", 0, None,
                          f"add ACS tables {', '.join(wanted)} to the download to use them" if wanted else
                          "supply the columns named in segkit/kinds/demographics/acs_groups.yaml")]
