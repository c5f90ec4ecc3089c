"""The business choice of k: when the data has no clearly separated groups, the number of segments a business can
use (stable, sizeable and distinct segments within ``business_k``), and the sentences that say why."""

from __future__ import annotations

import math

import pandas as pd

from ..format import joined
from .stability import STABLE
from .vote import groups_phrase

__all__ = ["business_choice", "own_groups", "weakest_from_scratch", "from_scratch", "MAJORITY"]


def _qualifies(k: int, stab: dict, sil: dict, shares: dict, min_share: float) -> bool:
    """Every segment stable (Jaccard >= 0.75), none below ``min_share`` of the rows, each distinct (its
    members are on average closer to it than to the next segment: silhouette above 0)."""
    values = [stab.get(k), sil.get(k), shares.get(k)]
    if any(not v for v in values):
        return False
    stable, distinct, share = (min(float(v) if math.isfinite(v) else -1.0 for v in vs) for vs in values)
    return stable >= STABLE and distinct > 0 and share >= min_share


def business_choice(voted: int, rationale: str, structure: str, ks: list[int], votes: dict, stab: dict, sil: dict,
                    shares: dict, rule: dict, entity: str, n_criteria: int) -> tuple[int, str, bool]:
    """The k for a business when the data has no clearly separated groups (structure not "clear").

    When the data has groups that overlap (structure "moderate"), two thirds of the criteria prefer the vote's k of
    3 or more, bootstrap stability among them (:func:`own_groups`), and its segments qualify, the data's own groups
    win: the vote's k, in the business range or not. Otherwise, among the ks of ``rule["business_k"]`` (within the
    candidates) whose segments are all stable, none smaller than ``rule["min_share"]`` and each distinct
    (:func:`_qualifies`), the one most criteria prefer (ties: the better separated, by silhouette). None qualifies:
    the vote's k, saying why; but when the vote's k falls short too and lies outside the range, the k of the range
    most criteria prefer (ties: the better separated), saying what both fall short in.

    Returns
    -------
    (int, str, bool)
        The k, the rationale in plain words, and whether the k was chosen among those whose segments hold (False:
        none qualifies).
    """
    lo, hi = rule["business_k"]
    groups = groups_phrase(structure)
    if (structure == "moderate" and own_groups(voted, votes, n_criteria)
            and _qualifies(voted, stab, sil, shares, rule["min_share"])):
        outside = "" if lo <= voted <= hi else f" (outside the business range {lo}-{hi})"
        return voted, (f"{voted} segments{outside}: the {entity} fall into {voted} groups by themselves, though the "
                       f"groups overlap: {rationale[rationale.index(':') + 2:]} The smallest holds "
                       f"{min(shares[voted]):.0%} of the {entity}, and each segment is distinct from the others: on "
                       "average its members lie nearer to it than to the next segment."), True
    candidates = [k for k in ks if lo <= k <= hi]
    fits = [k for k in candidates if _qualifies(k, stab, sil, shares, rule["min_share"])]
    if not fits:
        where = f"{lo}-{hi}" if candidates else f"{lo}-{hi} (outside the k range tried, {ks[0]}-{ks[-1]})"
        none = (f"The data has {groups}, and no k in the business range {where} gave segments that are all stable, at "
                f"least {rule['min_share']:.0%} of the {entity} each and distinct from each other")
        if not candidates or voted in candidates or _qualifies(voted, stab, sil, shares, rule["min_share"]):
            return voted, f"{none}, so the vote of the criteria decides. {rationale}", False
        # the vote's k falls short too, and outside the range: hotel_rates' 9 of 2 criteria, two segments under 2%
        k = max(candidates, key=lambda c: (len(votes.get(c, [])), _finite_mean(sil[c]), -c))
        best = (f"the number more criteria prefer than any other of {lo}-{hi} ({len(votes[k])} of {n_criteria})"
                if votes.get(k) else f"the one of {lo}-{hi} that separates the {entity} best (its segments' "
                "silhouettes)")
        return k, (f"{k} segments: {none[0].lower()}{none[1:]}; nor did {voted}, the number the vote of the criteria "
                   f"gives, which lies outside the range "
                   f"({_shortfall(voted, stab, sil, shares, rule['min_share'], entity)}). So the range decides: {k} "
                   f"is {best}, though {_shortfall(k, stab, sil, shares, rule['min_share'], entity)}. The vote of the "
                   f"criteria alone gives {voted}: " + rationale[rationale.index(":") + 2:]), False
    k = max(fits, key=lambda c: (len(votes.get(c, [])), _finite_mean(sil[c]), -c))
    # thresholds, not this selection's estimates: the cards show each segment's stability from the final fit (one story)
    text = (f"{k} segments: the {entity} form {groups}; these are {k} stable segments that split the {entity} "
            f"usefully: every segment keeps its members when the segments are refitted from their centres on "
            f"resampled {entity} (Jaccard at least {STABLE:.2f}), the smallest holds {min(shares[k]):.0%} of the "
            f"{entity}, and each is distinct from the others: on average its members lie nearer to it than to the next "
            "segment.")
    if len(fits) > 1:
        text += _among(k, fits, votes, entity)
    if k != voted:  # and why the vote's k was not used: outside the range (the Ethiopian supermarket's 2 under 4-8
        # went unexplained), or its segments fall short
        text += f" The vote of the criteria alone gives {voted}: " + rationale[rationale.index(":") + 2:]
        if not lo <= voted <= hi:
            side = "below" if voted < lo else "above"
            text += (f" {voted} lies {side} the range the choice is made in, {lo} to {hi} segments (the usual range "
                     "of a business segmentation: business_k_min and business_k_max in the params)"
                     + _tried(candidates, lo, hi) + ".")
        elif voted not in fits:
            text += f" {voted} falls short: {_shortfall(voted, stab, sil, shares, rule['min_share'], entity)}."
    return k, text, True


def _tried(candidates: list[int], lo: int, hi: int) -> str:
    """", of which 4 and 5 were tried here" where the search stopped short of ``lo``-``hi`` (Ethiopian: 8 and 5)."""
    a, b = (candidates[0], candidates[-1]) if candidates else (lo, hi)
    said = f"only {a} was" if a == b else f"{a} and {b} were" if b == a + 1 else f"{a} to {b} were"
    return "" if (a, b) == (lo, hi) else f", of which {said} tried here"


def _shortfall(k: int, stab: dict, sil: dict, shares: dict, min_share: float, entity: str) -> str:
    """What keeps ``k``'s segments from qualifying (:func:`_qualifies`, a value not known counted as failing), in
    words: "its smallest segment holds 0.6% of the bookings"."""
    said = []
    small, held, apart = (_least(d.get(k)) for d in (shares, stab, sil))
    if not small >= min_share:
        said.append(f"its smallest segment holds {small:.1%} of the {entity}" if math.isfinite(small)
                    else "the size of a segment is not known")
    if not held >= STABLE:
        said.append("a segment does not keep its members when the segments are refitted" +
                    (f" (Jaccard {held:.2f})" if math.isfinite(held) else ""))
    if not apart > 0:
        said.append("a segment is not distinct from the next")
    return joined(said) if said else "its segments qualify"


def _least(values) -> float:
    """The least of ``values``, a value not known (NaN) or none at all counted as the lowest."""
    return min((float(v) if math.isfinite(v) else -math.inf for v in values or []), default=-math.inf)


def _among(k: int, fits: list[int], votes: dict, entity: str) -> str:
    """Why ``k`` of the qualifying ``fits``: the one most criteria prefer; or, of those that as many prefer (all of
    them, when none does), the better separated ("the one the criteria prefer most" of ks no criterion preferred read
    wrong under the vote table)."""
    listed, most = joined(fits), len(votes.get(k, []))
    qualify = "which both qualify" if len(fits) == 2 else "which all qualify"
    tied = [c for c in fits if len(votes.get(c, [])) == most]
    each = "1 criterion" if most == 1 else f"{most} criteria"
    if most and len(tied) == 1:  # the Mall's "8 is the number the criteria prefer most of 4, 5, 6, 7 and 8" read badly
        return f" Of {listed}, {qualify}, {k} is preferred by more criteria than any other ({each})."
    if not most:  # "of these": a k outside them (2, most criteria's) may separate better still
        neither = "either" if len(fits) == 2 else "any of them"
        return (f" Of {listed}, {qualify}, no criterion prefers {neither}; of these, {k} separates the {entity} "
                f"{'better' if len(fits) == 2 else 'best'} (its segments' silhouettes).")
    return (f" Of {listed}, {qualify}, {joined(tied)} are each preferred by {each}; {k} separates the "
            f"{entity} better (its segments' silhouettes).")


#: The share of the criteria that must prefer a k of 3 or more, bootstrap stability among them, for the vote's k to be
#: used even outside the business range: a German table's 3 planted groups, preferred by 4 or 5 of 6 criteria, were
#: cut into 4 or 5 because 4 was the business range's least. A vote for 2 never overrules the range: on data without
#: natural groups the criteria lean to 2, which a business cannot use.
MAJORITY = 2 / 3


def own_groups(k: int, votes: dict, n_criteria: int) -> bool:
    """Whether ``k`` (3 or more) is preferred by at least :data:`MAJORITY` of the ``n_criteria`` criteria (one without a
    preference counts against), bootstrap stability (k-means refitted from scratch finds the same segments) among
    them: the data falls into ``k`` groups by itself."""
    backers = votes.get(k, [])
    return k >= 3 and n_criteria >= 4 and len(backers) >= MAJORITY * n_criteria - 1e-9 and "stability" in backers


def weakest_from_scratch(scores: pd.DataFrame, k: int) -> float:
    """The criteria table's stability of the weakest segment at ``k`` (k-means refitted from scratch), or NaN."""
    return float(scores.at[k, "stability_min"]) if k in scores.index and "stability_min" in scores else math.nan


def from_scratch(scores: pd.DataFrame, k: int, entity: str) -> str:
    """The sentence that squares a business choice's "stable" (the segments refitted from their centres) with the
    criteria table's stability (k-means refitted from scratch), when the latter is below :data:`STABLE` at ``k``;
    "" otherwise."""
    weakest = weakest_from_scratch(scores, k)
    if not math.isfinite(weakest) or weakest >= STABLE:
        return ""
    return (f" Refitted from scratch, k-means draws other boundaries (weakest segment's Jaccard {weakest:.2f} in the "
            f"criteria table): the {entity} do not fall into {k} groups by themselves, and these segments are a "
            "useful split of them that holds once drawn.")


def _finite_mean(values: list[float]) -> float:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else -math.inf
