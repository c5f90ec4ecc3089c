"""Census variable codes read as the column names of the feature groups.

data.census.gov downloads and the Census API name each column by its ACS variable: ``B01003_001E`` is the
estimate of table B01003, line 1 (total population), ``B01003_001M`` its margin of error. The feature groups
(``acs_groups.yaml``) read named columns (``population``). ``acs_codes.yaml`` says which variables each name
is, and :func:`name_columns` gives an input every name it lacks whose variables it has: one variable as it was
read, several as their sum (missing if any part is missing or a Census "no estimate" code, never a sum of what
is left). Margins of error and annotation columns are not used.

>>> raw = pd.DataFrame({"GEO_ID": ["8600000US19701"], "B01003_001E": [44801], "B25064_001M": [55]})
>>> list(name_columns(raw).columns)
['GEO_ID', 'B25064_001M', 'population']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ...errors import DataFileError
from ...naming.words import counted
from .groups import CENSUS_SENTINELS

__all__ = ["CODES", "census_variables", "census_tables", "variable_columns", "derivable", "name_columns",
           "profile_tables", "profile_fix"]

CODES = Path(__file__).with_name("acs_codes.yaml")
#: An estimate column: table (``B01001``, ``C24030``, ``B19013A``), line, and ``E`` or nothing (the API's
#: ``get=`` names and tidycensus' wide tables leave it out); ``M`` (margin) and ``EA``/``MA`` (annotations) are not.
_ESTIMATE = re.compile(r"^([BC]\d{5}[A-Z]{0,2})_(\d{3})E?$", re.IGNORECASE)
#: A column of a Data Profile (``DP05_0001E``, ``DP03_0062PE``) or a Subject table (``S1901_C01_012E``): tables whose
#: line numbers change from one ACS release to the next, so no fixed mapping can read them.
_PROFILE = re.compile(r"^(DP0[2-5]|S\d{4})_(?:C\d{2}_)?\d{3,4}P?[EM]A?$", re.IGNORECASE)
_SPEC = re.compile(r"^([BC]\d{5}[A-Z]{0,2})_(\d{3})(?:\.\.(\d{3}))?$")
_SHOWN = 6  # names spelled out in the read note before "and N more"


def _expand(name: str, spec) -> tuple[str, ...]:
    """``B01001_003..006`` (or a list of such) as the variables it lists."""
    out = []
    for item in [spec] if isinstance(spec, str) else list(spec):
        m = _SPEC.match(str(item))
        if not m:
            raise DataFileError(f"{CODES.name}: {name}: {item!r} is not an ACS variable such as B01003_001 or "
                                "B01001_003..006", "fix the mapping", path=CODES)
        first, last = int(m.group(2)), int(m.group(3) or m.group(2))
        out += [f"{m.group(1)}_{line:03d}" for line in range(first, last + 1)]
    return tuple(out)


@lru_cache(maxsize=1)
def census_variables() -> dict[str, tuple[str, ...]]:
    """Column name -> the ACS variables it sums (``{"population": ("B01003_001",), ...}``), from
    ``acs_codes.yaml``."""
    columns = (yaml.safe_load(CODES.read_text(encoding="utf-8")) or {}).get("columns") or {}
    return {str(name): _expand(str(name), spec) for name, spec in columns.items()}


def census_tables() -> dict[str, str]:
    """Column name -> the ACS table it comes from (``{"population": "B01003", "industry_total": "C24030", ...}``):
    what to download for a column a table lacks.

    >>> census_tables()["population"], census_tables()["age_0_17"]
    ('B01003', 'B01001')
    """
    return {name: variables[0].split("_")[0] for name, variables in census_variables().items()}


def variable_columns(columns: Iterable) -> dict[str, str]:
    """The estimate columns among ``columns``, by variable: ``{"B01003_001": "B01003_001E"}`` (the first of
    a variable written twice)."""
    out: dict[str, str] = {}
    for column in columns:
        m = _ESTIMATE.match(str(column).strip())
        if m:
            out.setdefault(f"{m.group(1).upper()}_{m.group(2)}", column)
    return out


def derivable(columns: Iterable) -> dict[str, list]:
    """The names ``columns`` lack whose every variable they have: name -> the columns it is made of."""
    columns = list(columns)
    have, found = {str(c) for c in columns}, variable_columns(columns)
    return {name: [found[v] for v in variables] for name, variables in census_variables().items()
            if name not in have and all(v in found for v in variables)}


def profile_tables(columns: Iterable) -> list[str]:
    """The ACS Data Profile and Subject tables ``columns`` come from, in order (``["DP03", "DP05"]``).

    >>> profile_tables(["GEO_ID", "NAME", "DP05_0001E", "DP05_0001M", "DP03_0062E", "S1901_C01_012E", "B01003_001E"])
    ['DP03', 'DP05', 'S1901']
    """
    return sorted({m.group(1).upper() for m in map(_PROFILE.match, map(str, columns)) if m})


def profile_fix(tables: list[str]) -> tuple[str, str]:
    """(why, fix) for an input of profile tables (:func:`profile_tables`): the detailed tables read instead."""
    return (f"; its columns come from ACS Data Profile or Subject tables ({', '.join(tables)}), whose line numbers "
            "change from one release to the next, so segkit does not read them by their codes",
            "download the detailed tables instead (on data.census.gov, the tables whose ids begin with B, such as "
            "B01003 for the population and B19013 for the median household income; "
            f"segkit/kinds/demographics/{CODES.name} lists each one used), or name the columns as "
            "segkit/kinds/demographics/acs_groups.yaml does")


def _summed(raw: pd.DataFrame, columns: list) -> pd.Series:
    parts = raw[columns].apply(pd.to_numeric, errors="coerce")
    return parts.mask(parts.isin(CENSUS_SENTINELS)).sum(axis=1, min_count=len(columns))


def _sum(columns: list) -> str:
    tables = {str(c).split("_")[0] for c in columns}
    if len(columns) <= 2 or len(tables) > 1:
        return " + ".join(map(str, columns))
    return f"the sum of {len(columns)} lines of {tables.pop()}"


def _note(wanted: dict[str, list]) -> str:
    said = [f"{name} = {_sum(columns)}" for name, columns in list(wanted.items())[:_SHOWN]]
    more = f" and {len(wanted) - _SHOWN} more" if len(wanted) > _SHOWN else ""
    return (f"{counted(len(wanted), 'columns')} named from their Census variable codes "
            f"(segkit/kinds/demographics/{CODES.name}): {'; '.join(said)}{more}")


def name_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with the names of :func:`derivable` in place of the columns they are made of (a new frame; ``raw``
    itself when there are none), and a read note (``attrs["read_notes"]``) that lists them. The input file is
    left as it is; the run's tables and pages speak of ``population``, not of ``B01003_001E``."""
    wanted = derivable(raw.columns)
    if not wanted:
        return raw
    used = {c for columns in wanted.values() for c in columns}
    first = raw.loc[:, ~raw.columns.duplicated()]  # a column written twice: its first copy, as variable_columns
    named = pd.DataFrame({name: first[columns[0]] if len(columns) == 1 else _summed(first, columns)
                          for name, columns in wanted.items()}, index=raw.index)
    out = pd.concat([raw[[c for c in raw.columns if c not in used]], named], axis=1)
    out.attrs = {**raw.attrs, "read_notes": [*raw.attrs.get("read_notes", []), _note(wanted)]}
    return out
