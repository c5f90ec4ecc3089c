"""Census areas: how many segments the areas support, and the key-facts strip of each segment.

* **k cap.** Many segments need many areas: ``k <= floor(k_max_share * n_areas)`` with a floor of 2
  (default ``k_max_share = 0.1``: at least ten areas per segment on average). ``k="auto"`` asks for
  25 segments, the size of a national system; both are capped and the result says so in a sentence
  (``"6 segments: 25 were asked for, but 63 areas support at most 6 ..."``).
* **Outliers.** Not clipped by default (``clip_z: null``). Areas whose estimates are mostly sampling
  noise are set aside by ``min_population``; a large area unlike any other (a university campus, a
  base, a prison) is real and may be a segment of its own, as in national systems. Clipping at +-3 sd
  hid Delaware's campus (19717: 98% aged 18-34) among affluent suburbs and still left a 1,570-resident
  area alone in a segment. ``clip_z: 3`` clips standardized features for fitting; profiles use the
  unclipped z-scores either way.
* **Soft scores.** ``score = softmax(-distance / temperature)`` over all segments, from each area's
  Euclidean distance to every centroid in standardized feature space. The top ``top_n`` are kept, so
  an area's scores add up to at most 1 and rank 1 is always its own (nearest) segment.
* **Key facts.** ``areas`` (index: 100 = an even split of the areas over the segments);
  ``population`` (total; index compares population per area with the whole); ``median_age``,
  ``median_household_income`` and ``share_bachelors_plus`` (graduates over adults 25+): the mean over the
  segment's areas, each area counted once, as the profiles and the sentences under each card count them, so
  that a card's "Median age: 55.0 years (index 126)" agrees with "55 years vs 43.6 years overall" beside it
  (weighted by residents, the strip said index 155 there: large young counties pulled the whole to 35.5). The
  whole is every area used for fitting.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from ...format import joined
from .groups import FeatureGroup, area_shares

__all__ = ["AUTO_K", "FACTS", "FACT_LABELS", "FACT_UNITS", "MEDIAN_UNITS", "NATURAL", "cap_k", "k_cap", "clear_groups",
           "clear_groups_note", "facts_note", "key_facts"]

#: Segments asked for by ``k="auto"``: the size of a national geodemographic system.
AUTO_K = 25

FACTS = ("areas", "population", "median_age", "median_household_income", "share_bachelors_plus")
FACT_LABELS = {"areas": "Areas", "population": "Population", "median_age": "Median age",
               "median_household_income": "Median household income",
               "share_bachelors_plus": "Bachelor's degree or higher"}
FACT_UNITS = {"areas": "count", "population": "count", "median_age": "years", "median_household_income": "money",
              "share_bachelors_plus": "share"}
#: The units of the medians the clustering uses as they are: an age in years, rent as a share of income in percent
#: (ACS B25071 gives 28.6, not 0.286), the median year homes were built as a calendar year (1984, not "1,984").
MEDIAN_UNITS = {"median_age": "years", "median_rent_as_pct_income": "%", "median_year_built": "year"}
#: The natural units of the log medians (the profiles show an income, not its log): label and unit.
NATURAL = {"median_household_income": ("Median household income", "money"),
           "median_home_value": ("Median home value", "money"),
           "median_gross_rent": ("Median gross rent", "money")}


def clear_groups(selection: Any, k: int, min_share: float) -> bool:
    """Whether the areas fall into ``k`` clearly separated groups by the k selection's evidence: its structure is
    "clear", the silhouette at ``k`` itself is at least :data:`~segkit.select.vote.CLEAR_SILHOUETTE` (not only at some
    other k), and no group holds less than ``min_share`` of the areas (a handful of empty tracts is no group)."""
    from ...select.vote import CLEAR_SILHOUETTE  # the modelling libraries: not while checking the input

    if getattr(selection, "structure", None) != "clear":
        return False
    scores, shares = getattr(selection, "scores", None), (getattr(selection, "segment_shares", None) or {}).get(k)
    silhouette = scores.loc[k, "silhouette"] if scores is not None and k in scores.index else float("nan")
    return bool(silhouette >= CLEAR_SILHOUETTE and shares and min(shares) >= min_share)


def clear_groups_note(k: int, lo: int, hi: int) -> str:
    """Why ``k: auto`` took the criteria's ``k``: the areas fall into clearly separated groups (criteria over ``lo``
    to ``hi`` segments).

    >>> clear_groups_note(3, 2, 10)[:62]
    '3 segments: the areas fall into 3 clearly separated groups, wh'
    """
    return (f"{k} segments: the areas fall into {k} clearly separated groups, which the criteria, scored over {lo} to "
            f"{hi} segments, favour; the run follows them (an area profile aims at {AUTO_K} segments, the size of a "
            "national system, only where the areas form no such groups; a number of segments set in the params "
            "overrides both).")


def k_cap(n_areas: int, k_max_share: float = 0.1) -> int:
    """The most segments ``n_areas`` areas support: ``max(2, floor(k_max_share x n_areas))``.

    >>> k_cap(68), k_cap(15), k_cap(33_000)
    (6, 2, 3300)
    """
    return max(2, int(np.floor(k_max_share * n_areas + 1e-9)))


def cap_k(k: int | str, n_areas: int, k_max_share: float = 0.1) -> tuple[int, str]:
    """Cap the number of segments to what ``n_areas`` areas support.

    The rule: ``k <= max(2, floor(k_max_share * n_areas))``; ``"auto"`` asks for :data:`AUTO_K`.

    Returns
    -------
    k : int
    note : str
        One sentence saying what was asked, what was used and why.

    Examples
    --------
    >>> cap_k(25, 68)[1]
    '6 segments: 25 were asked for, but 68 areas support at most 6 (one segment per 10 areas); more would be noise.'
    >>> cap_k("auto", 33000)[0]
    25
    """
    asked = AUTO_K if k == "auto" else int(k)
    cap = k_cap(n_areas, k_max_share)
    per = 1 / k_max_share
    per_text = f"{per:.0f}" if abs(per - round(per)) < 1e-9 else f"{per:.1f}"
    # in words a business reader follows, the number used first: no "k=auto", no setting's name
    if asked > cap:
        if k == "auto":
            return cap, (f"{cap} segments, as many as {n_areas:,} areas support (one segment per {per_text} areas; an "
                         f"area profile uses up to {AUTO_K}, the size of a national system).")
        return cap, (f"{cap} segments: {asked} were asked for, but {n_areas:,} areas support at most {cap} (one "
                     f"segment per {per_text} areas); more would be noise.")
    how = "the size an area profile aims at" if k == "auto" else "as asked"
    return asked, f"{asked} segments over {n_areas:,} areas ({how}; at most {cap:,} would fit)."


def _facts(table: pd.DataFrame, bachelors: tuple[list[str], str] | None) -> dict[str, float]:
    def mean(name: str) -> float:
        return float(table[name].astype(float).mean()) if name in table else float("nan")

    graduates = area_shares(table, *bachelors).clip(0.0, 1.0).mean() if bachelors else float("nan")  # as the feature
    return {"areas": float(len(table)), "population": float(table["population"].astype(float).sum()),
            "median_age": mean("median_age"), "median_household_income": mean("median_household_income"),
            "share_bachelors_plus": float(graduates)}


#: The key facts that are each area's own figure, averaged over a segment's areas, in a sentence's words.
_AREA_FIGURES = {"median_age": "median age", "median_household_income": "median household income",
                 "share_bachelors_plus": "the share of adults (25 and over) with a bachelor's degree or higher"}


def facts_note(shown: Collection[str]) -> str:
    """What the cards' key facts ``shown`` are, in a reader's words (area_key_facts.json's note): a card's "Median
    household income: $100,335" beside a sentence's "typical area $95,288" read as two medians of one segment.

    >>> facts_note(["population", "median_age"]).startswith("On the cards, median age is the average area's: ")
    True
    """
    figures = [words for name, words in _AREA_FIGURES.items() if name in shown]
    said = ""
    if figures:
        said = (f"On the cards, {joined(figures)} {'is' if len(figures) == 1 else 'are'} the average area's: each "
                "area's own figure, averaged over the segment's areas, each counted once, not the figure of all their "
                "residents together (the sentences' \"typical area\" is the middle one). ")
    if "population" in shown:
        said += ("Population counts every resident of the segment's areas, and its index compares residents per "
                 "area.")
    return said.strip()


def key_facts(table: pd.DataFrame, labels: pd.Series, groups: list[FeatureGroup]) -> tuple[pd.DataFrame, pd.Series]:
    """Key facts per segment and for the whole, with indexes (whole = 100).

    Parameters
    ----------
    table : pandas.DataFrame
        Source rows of the areas used (sentinels already missing), indexed like ``labels``.
    labels : pandas.Series
        Segment per area.
    groups : list of FeatureGroup
        Used to find the bachelor's-or-higher columns (feature ``share_bachelors_plus``).

    Returns
    -------
    facts : pandas.DataFrame
        Segment x (fact, ``fact_index``) columns, in :data:`FACTS` order.
    whole : pandas.Series
    """
    bachelors = next(((list(s.columns), g.universe) for g in groups for s in g.features
                      if s.name == "share_bachelors_plus"), None)
    whole = pd.Series(_facts(table, bachelors))
    k = int(labels.max()) + 1
    rows = {}
    for seg in range(k):
        f = _facts(table.loc[labels.to_numpy() == seg], bachelors)
        row = {}
        for name in FACTS:
            row[name] = f[name]
            if name == "areas":
                index = 100 * f["areas"] * k / whole["areas"]
            elif name == "population":
                index = 100 * (f["population"] / f["areas"]) / (whole["population"] / whole["areas"])
            else:
                index = 100 * f[name] / whole[name] if whole[name] else float("nan")
            row[f"{name}_index"] = index
        rows[seg] = row
    return pd.DataFrame.from_dict(rows, orient="index"), whole
