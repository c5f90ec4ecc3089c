"""The one sentence that describes a segment: its strongest features above and below average, each with its index
against the whole ("Customers with income (index 180) and a share of women (index 140) above average; age (index 80)
below"). Naming (:mod:`segkit.naming.lexicon`) lists the same traits first, through :func:`_listed`."""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np
import pandas as pd

from ..format import index_text, joined
from .base import two_levels
from .lexicon_file import Lexicon
from .people import share_words
from .words import feature_phrase, phrase, with_said

__all__ = ["describe_profile"]

#: A segment's description lists its first N_HIGH traits above average and N_LOW below (then those its name says)
N_HIGH, N_LOW = 3, 2
#: A segment is "average" on a feature while its index lies in this range (about -25% to +33%).
AVERAGE_INDEX = (75.0, 133.0)

def _listed(row: pd.Series, threshold: float, n_high: int = N_HIGH, n_low: int = N_LOW) -> tuple[list, list]:
    """The traits a segment's description lists first, strongest first: up to ``n_high`` at or above ``threshold``,
    up to ``n_low`` at or below ``-threshold`` (a name's second word comes from these or one as strong as its first)."""
    order = _strongest(row)
    return [f for f in order if row[f] >= threshold][:n_high], [f for f in order if row[f] <= -threshold][:n_low]


def _strongest(row: pd.Series) -> list[str]:
    """Features by decreasing |z| (ties by column order), finite values only."""
    finite = row[np.isfinite(row.to_numpy(dtype=float))]
    order = np.argsort(-np.abs(finite.to_numpy(dtype=float)), kind="stable")
    return [finite.index[i] for i in order]


def _off_average(index_row: pd.Series | None) -> list[str]:
    """Features whose index lies outside :data:`AVERAGE_INDEX`, the furthest first."""
    if index_row is None:
        return []
    idx = index_row.astype(float)
    idx = idx[np.isfinite(idx.to_numpy())]
    lo, hi = AVERAGE_INDEX
    out = idx[(idx < lo) | (idx > hi)]
    far = np.abs(np.log(np.maximum(out.to_numpy(), 1.0) / 100.0))
    return [out.index[i] for i in np.argsort(-far, kind="stable")]



def _value_text(feat: str, index_row: pd.Series | None) -> str:
    """" (index 150)" when the index is known, else nothing (the sentence says above or below)."""
    if index_row is not None and feat in index_row.index and np.isfinite(index_row[feat]):
        return f" (index {index_text(index_row[feat])})"
    return ""


def _bare(label: str, index_row: pd.Series | None) -> str:
    """A label without a closing "(k$)" when the index follows in brackets."""
    text = label
    return re.sub(r"\s*\([^)]*\)$", "", text) if index_row is not None else text


def describe_profile(row: pd.Series, lexicon: Lexicon, *, threshold: float = 0.5, tagline: str = "",
                     n_high: int = N_HIGH, n_low: int = N_LOW, index: pd.Series | None = None,
                     labels: Mapping[str, str] | None = None, subject: str | None = None,
                     named: Mapping[str, bool] | None = None) -> str:
    """One sentence naming a segment's strongest features above and below average, each with its index
    against the whole (100 = average) when ``index`` is given, or in plain words otherwise. With no feature beyond
    ``threshold``, the features whose index lies outside :data:`AVERAGE_INDEX` (those a name may come from). The
    features ``named`` (feature -> whether the name says it is high) that the name tells the segment apart by against
    the whole are said too, on their side, beyond ``n_high`` and ``n_low``: "Careful Older Customers" were described by
    their age alone. A column's two levels are said once (:func:`_mirrored`)."""
    labels = dict(labels or {})
    mirrored = _mirrored(row, labels, lexicon)
    row, index = row.drop(labels=mirrored), None if index is None else index.drop(labels=mirrored, errors="ignore")
    highs, lows = _listed(row, threshold, n_high, n_low)
    if not highs and not lows:  # what a name drawn from the index says ("with low total charges", index 71)
        off = _off_average(index)
        highs, lows = [f for f in off if index[f] > 100][:n_high], [f for f in off if index[f] < 100][:n_low]
    for f, up in (named or {}).items():  # an adjective that told two segments apart ("Careful": spending, z -0.4)
        z_f = float(row.get(f, np.nan))
        off = float(index.get(f, np.nan)) - 100.0 if index is not None else z_f  # the index it is said with
        if f not in highs + lows and np.isfinite(z_f) and np.isfinite(off) and z_f * off > 0 and (z_f > 0) == up:
            (highs if up else lows).append(f)

    def said(f: str) -> str:
        return phrase(labels[f]) if labels.get(f) else _level_said(lexicon.words(f).label, subject)

    def listing(feats: list[str]) -> str:
        return joined([f"{_bare(said(f), index)}{_value_text(f, index)}" for f in feats])

    if not highs and not lows:
        body = lexicon.default_description[0].lower() + lexicon.default_description[1:]
        return f"{tagline}: {body}." if tagline else f"{lexicon.default_description}."
    clauses = []
    if highs:
        clauses.append(listing(highs) + " above average")
    if lows:
        clauses.append(listing(lows) + " below" + ("" if highs else " average"))
    body = "; ".join(clauses)
    return f"{tagline}: {body}." if tagline else f"{subject or lexicon.subject} with {body}."


def _level_said(label: str, subject: str | None) -> str:
    """A category level's label ("P class: 3rd", "Sex: Female") in a sentence, as the share its index measures: "a
    share of women" (the people it stands for, :func:`~segkit.naming.people.sexed` for the rows ``subject``), "a share
    in 3rd class" (what an ordinal ranks), "a share with no ban" (a yes or no), "a share of plan Gold"; any other
    label as it is.

    >>> _level_said("Sex: Female", "Customers"), _level_said("P class: 3rd", None), _level_said("Ban: no", None)
    ('a share of women', 'a share in 3rd class', 'a share with no ban')
    """
    match = re.match(r"(.+?): (.+)$", label)
    if not match:
        return label
    what, level = match.groups()
    of = share_words(what, level, subject)
    if of:
        return f"a share {of}"
    if level in ("yes", "no"):
        return f"a share {with_said(feature_phrase(label, high=True))}"  # as names: "with no ban", "who are married"
    return f"a share of {phrase(what)} {level}"


def _mirrored(row: pd.Series, labels: Mapping[str, str], lexicon: Lexicon) -> list[str]:
    """The level of each column of two levels (its only two features, of mirrored z-scores) that says the other's fact
    the other way round: a yes/no column's no, another's level below average ("Region: South (index 0)" beside
    "Region: North (index 202)"). COUNT's affairs were "Customers with a share with no hapavg (index 148) ... above
    average; a share with hapavg (index 0) ... below"."""
    said = {f: labels.get(f) or lexicon.words(f).label for f in row.index}
    out = []
    for a, b in two_levels(said):
        if not np.isclose(float(row[a]), -float(row[b])):
            continue
        answers = [said[f].rpartition(": ")[2] for f in (a, b)]
        out.append(a if answers == ["no", "yes"] else b if answers == ["yes", "no"] else a if row[a] < row[b] else b)
    return out
