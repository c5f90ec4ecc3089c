"""A national-size ACS table (one row per ZCTA) with the schema of a real sample.

:func:`generate_acs_table` resamples real rows and perturbs them so the result looks like another set
of areas rather than copies:

* **Size.** Every count of a row is multiplied by one population factor (log-normal, median 0.35,
  so a 10,000-person Delaware ZCTA becomes a ~3,500-person typical US one; population capped at
  130,000). Multiplying and rounding is monotone, so a member never exceeds its universe and columns
  that are equal in the source stay equal.
* **Mix.** Age bands and race groups, which add up to their universe, are redrawn from a Dirichlet
  around the source shares (concentration 150) and rounded with the exact total kept. Every other
  share in ``segkit/kinds/demographics/acs_groups.yaml`` is multiplied by log-normal noise (sigma 0.15), the
  columns of one feature together, and scaled down where they would exceed their universe.
* **Medians.** Income-like medians share one log-normal affluence factor per area (sigma 0.25);
  home value follows it more steeply (power 1.3), rent less (0.5). Ages, Gini, rent burden and year
  built get small additive or multiplicative noise within plausible bounds and ACS top codes.
  Only positive values move: missing values and Census sentinels stay, at the source's rates.
* **Zero-population areas** come along at the source's rate (their counts stay 0).
* **Ids.** Unique 5-digit ZCTAs drawn from 00501-99950, sorted; stored in the source's dtype
  (integers, as in the OpenSegments export, or zero-padded text when the source has text).
  ``fips`` and ``geo_id`` follow the new ZCTA; ``id`` is 1..n.

Columns, their order and their dtypes match the source exactly. Everything is vectorised: 33,000
rows take well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError, ParamsError
from .groups import CENSUS_SENTINELS, load_feature_groups

__all__ = ["generate_acs_table"]

_ID_COLS = ("id", "zcta", "fips", "census_year")
_PARTITIONS = {"population": ["age_0_17", "age_18_34", "age_35_54", "age_55_74", "age_75_plus"],
               "race_total": ["race_white", "race_black", "race_native", "race_asian", "race_pacific",
                              "race_other", "race_two_or_more"]}
_INCOME = ("median_household_income", "per_capita_income")
_TOP_CODES = {"median_household_income": 250_001, "median_home_value": 2_000_001, "median_gross_rent": 3_501}
_ZCTA_RANGE = (501, 99_950)
_MAX_POPULATION = 130_000


def _partition(counts: np.ndarray, total: np.ndarray, rng: np.random.Generator, concentration: float) -> np.ndarray:
    """Redraw members that add up to ``total`` from a Dirichlet around their shares; exact integer sum."""
    sums = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, sums, out=np.full_like(counts, 1 / counts.shape[1]), where=sums > 0)
    draw = rng.gamma(concentration * share + 1e-3)
    draw /= draw.sum(axis=1, keepdims=True)
    value = draw * total[:, None]
    out = np.floor(value)
    rest = (total - out.sum(axis=1)).astype(int)
    # largest remainders get the leftover units
    order = np.argsort(-(value - out), axis=1, kind="stable")
    for j in range(counts.shape[1]):
        out[np.arange(len(out)), order[:, j]] += rest > j
    return out


def generate_acs_table(n_areas: int = 33_000, *, source: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Make a realistic ACS table of ``n_areas`` ZCTAs with the same schema as ``source``.

    Parameters
    ----------
    n_areas : int, default 33,000
        Rows to make (about the number of US ZCTAs); at most 99,450 unique codes exist.
    source : pandas.DataFrame
        Real rows to resample (e.g. ``delaware.csv``); needs ``zcta`` and ``population``. Not modified.
    seed : int, default 0
        Same seed, same table.

    Returns
    -------
    pandas.DataFrame
        Same columns, order and dtypes as ``source``.

    Raises
    ------
    ParamsError
        ``n_areas`` is not a whole number in 1..99,450.
    ColumnError
        ``source`` lacks ``zcta`` or ``population``.
    DataValueError
        ``source`` has no rows.

    Examples
    --------
    >>> big = generate_acs_table(33_000, source=pd.read_csv("delaware.csv"), seed=0)  # doctest: +SKIP
    """
    _check_arguments(n_areas, source)
    rng = np.random.default_rng(seed)
    n = int(n_areas)
    rows = rng.integers(0, len(source), n)
    out = source.iloc[rows].reset_index(drop=True).copy()
    dtypes = source.dtypes
    counts = [c for c in source.columns if pd.api.types.is_integer_dtype(dtypes[c]) and c not in _ID_COLS]
    frame = _resize(out, counts, rng)
    _mix(frame, rng)
    for col in counts:
        out[col] = frame[col].to_numpy().astype(dtypes[col])
    _move_medians(out, dtypes, rng)
    _new_ids(out, dtypes, rng)
    return out.astype(dtypes.to_dict())


def _check_arguments(n_areas, source: pd.DataFrame) -> None:
    """Refuse an ``n_areas`` outside 1..99,450, and a source without rows or ``zcta`` or ``population``."""
    n_codes = _ZCTA_RANGE[1] - _ZCTA_RANGE[0] + 1
    if isinstance(n_areas, bool) or not isinstance(n_areas, (int, np.integer)) or not 1 <= n_areas <= n_codes:
        raise ParamsError(f"n_areas must be a whole number from 1 to {n_codes:,}, not {n_areas!r}",
                          fix="ask for fewer areas", key="n_areas")
    for col in ("zcta", "population"):
        if col not in source.columns:
            raise ColumnError(f"column '{col}' is not in the source table", fix="pass an ACS ZCTA table",
                              column=col)
    if len(source) == 0:
        raise DataValueError("the source table has no rows", fix="pass at least one real area")


def _resize(out: pd.DataFrame, counts: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """The ``counts`` columns of ``out`` times one log-normal size factor per area, rounded (as floats)."""
    n = len(out)
    values = out[counts].to_numpy(dtype=float)
    pop = out["population"].to_numpy(dtype=float)
    factor = rng.lognormal(np.log(0.35), 1.0, n)
    factor = np.minimum(factor, np.divide(_MAX_POPULATION, pop, out=np.full(n, np.inf), where=pop > 0))
    values = np.round(values * factor[:, None])
    return pd.DataFrame(values, columns=counts)


def _mix(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Redraw the partitions (age bands, race groups) and jitter every other share within its universe, in
    place."""
    n = len(frame)
    done = set()
    for universe, members in _PARTITIONS.items():
        members = [m for m in members if m in frame]
        if universe in frame and members:
            frame[members] = _partition(frame[members].to_numpy(), frame[universe].to_numpy(), rng, 150.0)
            done.update(members)
    for group in load_feature_groups():
        if group.kind != "shares" or group.universe not in frame:
            continue
        universe = frame[group.universe].to_numpy()
        for spec in group.features:
            cols = [c for c in spec.columns if c in frame and c not in done]
            if not cols:
                continue
            part = frame[cols].to_numpy() * rng.lognormal(0.0, 0.15, n)[:, None]
            total = part.sum(axis=1) + frame[[c for c in spec.columns if c in done and c in frame]].sum(axis=1).to_numpy()
            shrink = np.divide(universe, total, out=np.ones(n), where=total > universe)
            frame[cols] = np.floor(part * np.minimum(shrink, 1.0)[:, None] + 0.5 * (shrink >= 1)[:, None])
            done.update(cols)


def _move_medians(out: pd.DataFrame, dtypes: pd.Series, rng: np.random.Generator) -> None:
    """Perturb the float columns (medians and rates) in place; only positive, finite values move (NaN and
    sentinels stay)."""
    n = len(out)
    affluence = rng.lognormal(0.0, 0.25, n)
    floats = [c for c in dtypes.index if pd.api.types.is_float_dtype(dtypes[c]) and c != "has_census_data"]
    for col in floats:
        old = out[col].to_numpy(dtype=float)
        new = _new_median(col, old, affluence, rng)
        if col in _TOP_CODES:
            new = np.minimum(new, _TOP_CODES[col])
        ok = np.isfinite(old) & (old > 0) & ~np.isin(old, CENSUS_SENTINELS)
        out[col] = np.where(ok, new, old).astype(dtypes[col])


def _new_median(col: str, old: np.ndarray, affluence: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The perturbed values of one float column: bounded noise by column, money following ``affluence``."""
    n = len(old)
    if col == "median_age":
        return np.round(np.clip(old + rng.normal(0, 2.5, n), 15, 85), 1)
    if col == "gini_index":
        return np.round(np.clip(old * rng.lognormal(0, 0.05, n), 0.2, 0.8), 4)
    if col == "median_rent_as_pct_income":
        return np.round(np.clip(old * rng.lognormal(0, 0.1, n), 10, 50.1), 1)
    if col == "median_year_built":
        return np.clip(old + np.round(rng.normal(0, 5, n)), 1939, 2020)
    if col == "median_home_value":
        return np.round(old * affluence ** 1.3 * rng.lognormal(0, 0.1, n), -2)
    if col == "median_gross_rent":
        return np.round(old * affluence ** 0.5 * rng.lognormal(0, 0.08, n))
    if col in _INCOME or col.startswith("occupation_median_earnings"):
        return np.round(old * affluence * rng.lognormal(0, 0.05, n))
    return old * rng.lognormal(0, 0.1, n)


def _new_ids(out: pd.DataFrame, dtypes: pd.Series, rng: np.random.Generator) -> None:
    """Unique sorted ZCTAs in the source's dtype, in place; ``fips`` and ``geo_id`` follow, ``id`` is 1..n."""
    n = len(out)
    codes = np.sort(rng.choice(np.arange(_ZCTA_RANGE[0], _ZCTA_RANGE[1] + 1), n, replace=False))
    text = pd.Series(codes).astype(str).str.zfill(5)
    out["zcta"] = codes.astype(dtypes["zcta"]) if pd.api.types.is_numeric_dtype(dtypes["zcta"]) else \
        text.astype(dtypes["zcta"]).to_numpy()
    if "fips" in out:
        out["fips"] = codes.astype(dtypes["fips"]) if pd.api.types.is_numeric_dtype(dtypes["fips"]) else \
            text.astype(dtypes["fips"]).to_numpy()
    if "geo_id" in out:
        out["geo_id"] = ("860Z200US" + text).astype(dtypes["geo_id"]).to_numpy()
    if "id" in out:
        out["id"] = np.arange(1, n + 1).astype(dtypes["id"])
