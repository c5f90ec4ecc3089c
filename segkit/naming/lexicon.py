"""Segment names from a z-score profile through an editable lexicon (census areas, customer tables).

A profile row holds a segment's z-scores: how far its mean lies from the mean of all entities, in
standard deviations. A lexicon (a YAML file such as ``segkit/kinds/demographics/lexicon.yaml``; its header
documents the format) turns those numbers into words:

1. **Entries.** Each entry has conditions such as ``{share_age_75_plus: high, log_median_home_value:
   high}``; ``high`` means ``z >= threshold`` and ``low`` means ``z <= -threshold``. Among the entries
   whose conditions all hold, the strongest (sum of ``|z|`` over its conditions, each capped at 3;
   earlier entries win ties) names the segment.
2. **Fallback.** With no matching entry, the name is built from the segment's most distinctive
   features: the adjective of the second strongest before the noun of the strongest ("Affluent
   Renters"), or the lexicon's default name when no feature reaches the threshold.
3. **Words that match the numbers.** A feature may set ``high_min``: it counts as high in names (entries,
   adjectives, nouns) only where the segment's own value reaches it, so a segment where 8% of residents
   are Asian (index 280) is not called "Asian-American"; ``low_max`` likewise for low ("Young" customers
   are 35 or younger, whatever the others' ages). Its sentence still gives the index. An entry may ask
   for more with ``at_least`` ("Affluent Seniors": an average age of 60 or more).
4. **Uniqueness.** Segments that end up with the same name each take the adjective of their own next
   strongest feature not already used ("Seasonal Affluent Retirees" vs "Walkable Affluent Retirees"),
   and again until every name differs; a segment with no feature left keeps its name. Names never
   carry numbers: segments that no feature tells apart are an error.
5. **Not outdone.** A fallback name's adjective goes where another segment, whose name does not say that measure,
   is further that way ("Lower-Income Young Customers" beside "Young High Spenders" of lower income still), unless
   two segments would then share a name.

Every segment also gets one descriptive sentence listing its strongest features above and below
average with their z-scores.

Examples
--------
>>> import pandas as pd
>>> z = pd.DataFrame({"recency": [-1.2, 0.9], "monetary": [1.5, -0.8]})
>>> lex = {"entries": [{"name": "Big Spenders", "when": {"monetary": "high"}}]}
>>> {s: n.name for s, n in name_segments_from_lexicon(z, lex).items()}
{0: 'Big Spenders', 1: 'Group with high recency'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import ParamsError, SegmentationError
from .base import SegmentName, two_levels
from .grades import around, graded
from .lexicon_file import FeatureWords, Lexicon, LexiconEntry, load_lexicon
from .describe import _listed, _off_average, _strongest, describe_profile
from .words import added, default_label, feature_phrase, name_words, same_words, superlative

__all__ = ["Lexicon", "LexiconEntry", "FeatureWords", "SegmentName", "load_lexicon",
           "name_segments_from_lexicon", "describe_profile"]

_Z_CAP = 3.0
#: An entry names a segment only if its strongest condition reaches this share of the segment's strongest |z|.
_LEAD = 0.75


def _match(row: pd.Series, lexicon: Lexicon, threshold: float, own: pd.Series | None) -> LexiconEntry | None:
    """The strongest entry whose conditions all hold, if it speaks of the segment's leading features:
    its strongest condition reaches at least :data:`_LEAD` of the segment's strongest ``|z|``. An entry's
    ``at_least`` holds where the segment's own value (``own``) is unknown."""
    best, best_score = None, -np.inf
    finite = np.abs(row.to_numpy(dtype=float))
    strongest = float(np.nanmax(finite)) if np.isfinite(finite).any() else 0.0
    for entry in lexicon.entries:
        if own is not None and any(own.get(f, np.inf) < v for f, v in entry.at_least.items()):
            continue
        score, lead = 0.0, 0.0
        for feat, direction in entry.when.items():
            z = row.get(feat, np.nan)
            if not np.isfinite(z) or (z < threshold if direction == "high" else z > -threshold):
                break
            score += min(abs(z), _Z_CAP)
            lead = max(lead, abs(z))
        else:
            if score > best_score and lead >= _LEAD * min(strongest, _Z_CAP):
                best, best_score = entry, score
    return best


def _has_word(name: str, word: str) -> bool:
    """True when ``word`` (or a part of a hyphenated one) is already in ``name``: no "Younger-Skewed
    Younger Neighbourhoods", no "Family Family-Centred Suburbs"."""
    return bool(set(name_words(word)) & set(name_words(name)))


@dataclass
class _Namer:
    """What naming needs besides the z-scores: the lexicon, labels, the noun and the index."""

    lexicon: Lexicon
    threshold: float
    labels: Mapping[str, str]
    noun: str
    index: pd.DataFrame | None = None
    zscores: pd.DataFrame | None = None  #: every segment's, to name a segment by a trait it holds most of
    least: float = 0.0  #: the smallest difference in z-scores that tells two segments of one name apart (0: any)
    adjectives: dict = field(default_factory=dict)  #: segment -> (adjective, feature) its fallback name opens with

    def owned(self, feats: list[str], row: pd.Series) -> list[str]:
        """``feats`` (strongest first) with those the segment holds most of, in its direction, put first: Telco's
        "Customers with low total charges" had higher total charges than another segment."""
        if self.zscores is None:
            return feats
        most = [f for f in feats if row[f] == (self.zscores[f].max() if row[f] > 0 else self.zscores[f].min())]
        return most + [f for f in feats if f not in most]

    @cached_property
    def other_level(self) -> dict:
        """Feature -> the other level of its column of two ("vryhap: 0", "vryhap: 1"): features of one name before ": "
        whose known z-scores mirror, as two levels' shares do ("Calls: day" and "Calls: night" do not)."""
        features = {f: f for f in self.zscores.columns} if self.zscores is not None else {}
        both = [self.zscores[list(pair)].dropna() for pair in two_levels(features)]
        pairs = [list(part.columns) for part in both
                 if len(part) >= 2 and np.allclose(part.iloc[:, 0], -part.iloc[:, 1])]
        return {a: b for one, two in pairs for a, b in ((one, two), (two, one))}

    def label(self, feat: str) -> str:
        if feat in self.labels:
            return self.labels[feat]
        return self.lexicon.features[feat].label if feat in self.lexicon.features else default_label(feat)

    def phrase(self, feat: str, high: bool, comparative: bool = False) -> str:
        return feature_phrase(self.label(feat), high=high, comparative=comparative)

    def worded(self, feat: str, z: float) -> bool:
        words = self.lexicon.features.get(feat)
        return words is not None and bool(words.noun(z) or words.adjective(z))


def _fallback(row: pd.Series, namer: _Namer, seg) -> tuple[str, list[str]]:
    """A name from the segment's leading feature: the lexicon's words for it when it has them, else
    "<Noun> with <plain words>"; the lexicon's default name only when nothing is off average."""
    lex, threshold = namer.lexicon, namer.threshold
    top = [f for f in _strongest(row) if abs(row[f]) >= threshold]
    other = namer.other_level  # below average on one of two levels ("vryhap: 0") is above on the other
    top = [f for f in top if not (row[f] < 0 and other.get(f) in top)]
    if not top:
        off = _off_average(None if namer.index is None else namer.index.loc[seg])
        if not off:
            return lex.default_name, []
        feat = off[0]
        return added(namer.noun, namer.phrase(feat, namer.index.at[seg, feat] > 100)), [feat]
    # lead with the strongest feature that has words, if it is nearly as distinctive as the strongest
    worded = [f for f in top if namer.worded(f, row[f]) and abs(row[f]) >= _LEAD * abs(row[top[0]])]
    if not worded:
        feat = namer.owned(top, row)[0]
        return added(namer.noun, namer.phrase(feat, row[feat] > 0)), [feat]
    top = worded + [f for f in top if f not in worded]
    first = lex.words(top[0])
    noun = first.noun(row[top[0]])
    if noun is None:
        noun = f"{first.adjective(row[top[0]])} {lex.fallback_noun}"
    used, lead, listed = [top[0]], _LEAD * abs(row[top[0]]), sum(_listed(row, threshold), [])
    for feat in top[1:]:  # a second word from a trait the description lists first, or one nearly as strong as the
        # first word's: "Older Affluent" took age, its fifth trait above average (z 0.96 against income's 1.63)
        strong = feat in listed or abs(row[feat]) >= lead
        adj = lex.words(feat).adjective(row[feat]) if feat in lex.features and strong else None
        if adj and not _has_word(noun, adj) and not _contradicts(lex, feat, row[feat], noun):
            namer.adjectives[seg] = (adj, feat)
            return f"{adj} {noun}", used + [feat]
    return noun, used


def _contradicts(lex: Lexicon, feat: str, z: float, name: str) -> bool:
    """Whether ``name`` already holds the word ``feat`` has for the other direction: "Mature" (few adults aged 18-34)
    before "Young Families" (many children) would read as a contradiction."""
    words = lex.features.get(feat)
    opposite = words.adjective(-z) if words is not None and z != 0 else None
    return bool(opposite) and _has_word(name, opposite)


def _qualifier(z: pd.DataFrame, seg, segs: list, used: list[str], namer: _Namer) -> tuple[str, bool, bool] | None:
    """The feature where ``seg`` differs most from the other segments of its name, whether it goes up,
    and whether the segment is also high (or low) on it against everyone (else it is only "higher")."""
    part = z.loc[segs]
    full = part.loc[seg] - part.drop(index=seg).mean()
    full = full[np.isfinite(full.to_numpy(dtype=float)) & (full.abs() > max(namer.least, 1e-9))]
    diff = full.drop(labels=[f for f in used if f in full.index])
    if diff.empty:  # only the features of the name differ: say which way, comparatively
        if full.empty:
            return None
        feat = full.abs().idxmax()
        return feat, bool(full[feat] > 0), False
    own = z.loc[seg, diff.index].astype(float)
    agrees = (own > 0) == (diff > 0)  # "fewer children" must not name a segment with more than the whole
    worded = (namer.zscores if namer.zscores is not None else z).loc[seg, diff.index].astype(float)
    absolute = agrees & (own.abs() >= namer.threshold / 2) & np.isfinite(worded)  # no "Older" beyond a bound
    weight = np.where(absolute, 1.0, np.where(agrees, 0.5, 0.0 if agrees.any() else 0.25))
    # a level the segment holds less of says what it is not ("Female 2nd-Class Customers with a class other than
    # 3rd", all in 2nd class): only when no other difference is left
    rarer = np.array([_rarer((f, bool(d > 0), True), namer) for f, d in diff.items()])
    weight = np.where(rarer & (weight * ~rarer * diff.abs() > 0).any(), 0.0, weight)
    feat = (diff.abs() * weight).idxmax()  # a difference the segment owns goes first, one against the whole never
    return feat, bool(diff[feat] > 0), bool(absolute[feat])


def _tell_apart(z: pd.DataFrame, names: dict, used: dict, namer: _Namer, segs: list, claims: dict) -> None:
    """Segments sharing a name each take the feature where they differ most from the others of the name:
    the lexicon's adjective before the name, or " and <plain words>" after it. One segment that is only
    "higher" or "lower" than the others keeps the name as it is, or one that would be told apart only by a level it
    holds less of (:func:`_rarer`): the other takes "3rd class more often" rather than this one "a class other than
    3rd"; first of all one whose difference goes against what its name says (Fertility's "Customers with high work and
    lower work"): the other takes "the highest work". ``claims`` records, per segment, the features the name now says
    are high or low against the whole (not only against the others of the name)."""
    found = {seg: _qualifier(z, seg, segs, used[seg], namer) for seg in segs}
    if graded(z, names, {s: f[0] for s, f in found.items() if f is not None}, namer, segs):
        return
    against = [seg for seg in segs if found[seg] is not None  # the name's own words, the other way round
               and namer.phrase(found[seg][0], not found[seg][1]) in names[seg]]
    rarer = [seg for seg in segs if found[seg] is not None and _rarer(found[seg], namer)]
    relative = against + rarer + [seg for seg in segs if found[seg] is None or not found[seg][2]]
    for seg in segs:
        if found[seg] is None or (relative and seg == relative[0]):
            continue
        if seg in against and namer.least > 0:  # a third of the name, against it too: no words for it here
            continue
        feat, up, absolute = found[seg]
        words = namer.lexicon.features.get(feat)
        adj = words.adjective(1.0 if up else -1.0) if words else None
        if absolute and adj and " with " not in names[seg] and not _has_word(names[seg], adj) \
                and not _contradicts(namer.lexicon, feat, 1.0 if up else -1.0, names[seg]):
            names[seg] = f"{adj} {names[seg]}"
        elif not absolute and (said := next((w for w in (namer.phrase(feat, up), namer.phrase(feat, up, True))
                                             if w in names[seg]), None)):  # its own trait, further the way it says
            names[seg] = names[seg].replace(said, superlative(namer.phrase(feat, up, comparative=True)), 1)
        else:
            names[seg] = added(names[seg], namer.phrase(feat, up, comparative=not absolute))
        used[seg] = [*used[seg], feat]
        if absolute:
            claims.setdefault(seg, {})[feat] = up


def _outdone(names: dict, used: dict, own: dict, z: pd.DataFrame, namer: _Namer, told: Mapping) -> None:
    """Drop the adjective a fallback name opens with where another segment, whose name does not say that measure, is
    further that way: the Ethiopian S02 "Lower-Income Young Customers" beside S01 "Young High Spenders", whose income
    is lower still. Kept when dropping it would give two segments one name."""
    for seg, (adj, feat) in namer.adjectives.items():
        mine = z.at[seg, feat]
        further = [t for t in z.index if t != seg and feat not in used[t] and np.isfinite(z.at[t, feat])
                   and (z.at[t, feat] > mine if mine > 0 else z.at[t, feat] < mine)]
        trial = {**names, seg: names[seg][len(adj) + 1:]}
        if further and names[seg].startswith(f"{adj} ") and not _clashes(trial, told):
            names[seg] = trial[seg]
            used[seg], own[seg] = [f for f in used[seg] if f != feat], [f for f in own[seg] if f != feat]


def _rarer(found: tuple[str, bool, bool], namer: _Namer) -> bool:
    """Whether a qualifier (:func:`_qualifier`'s) says a category level the segment holds less of ("a class other
    than 3rd"): what the segment is not."""
    feat, up, _ = found
    return not up and ": " in namer.label(feat)


#: The least a segment has of a count on average for its name to say "many": 1.0 parking space against 0.2 overall is
#: "more parking spaces", not "many".
MANY_MIN = 2.0


def _not_many(names: dict, counts: pd.DataFrame | None, namer: _Namer, told: Mapping) -> dict:
    """``names`` with "many" (or "very many", "fairly many") of a count said "more" where the segment has fewer than
    :data:`MANY_MIN` of it on average (``counts``); unchanged if that would give two segments the same words that the
    levels ``told`` do not tell apart (:func:`_clashes`)."""
    if counts is None:
        return names
    out = dict(names)
    for seg in names:
        for feat, mean in (counts.loc[seg].items() if seg in counts.index else ()):
            many = namer.phrase(feat, True)
            if mean < MANY_MIN and many.startswith("many "):
                out[seg] = re.sub(rf"(?<![\w-])(?:(?:very|fairly) )?{re.escape(many)}(?!\w)",
                                  namer.phrase(feat, True, comparative=True), out[seg])
    return names if _clashes(out, told) else out


def _clashes(names: dict, told: Mapping) -> list[list]:
    """Groups of segments whose names say the same words (:func:`same_words`) and that the levels ``told`` do not
    tell apart: that needs a level of its own for every segment of the group. "Affluent Savers (visit frequency:
    Monthly)" beside a plain "Affluent Savers" left the reader to guess what the second one is."""
    groups: dict[tuple, list] = {}
    for seg, name in names.items():
        groups.setdefault(same_words(name), []).append(seg)
    return [segs for segs in groups.values()
            if len(segs) > 1 and not (all(told.get(s) for s in segs) and len({told[s] for s in segs}) == len(segs))]


def _beyond_bounds(z: pd.DataFrame, values: pd.DataFrame | None, lex: Lexicon) -> pd.DataFrame:
    """Where a segment is above average on a feature with ``high_min`` but its own value stays below it, or below
    average on one with ``low_max`` and its own value above it (an unknown value never says "high" or "low")."""
    beyond = pd.DataFrame(False, index=z.index, columns=z.columns)
    for feat, words in lex.features.items():
        if values is not None and feat in z.columns and feat in values.columns:
            own = values[feat].reindex(z.index).astype(float)
            if words.high_min is not None:
                beyond[feat] |= (z[feat] > 0) & ~(own >= words.high_min)
            if words.low_max is not None:
                beyond[feat] |= (z[feat] < 0) & ~(own <= words.low_max)
    return beyond


def name_segments_from_lexicon(zscores: pd.DataFrame, lexicon: Lexicon | Mapping | str | Path,
                               *, threshold: float = 0.5, index: pd.DataFrame | None = None,
                               labels: Mapping[str, str] | None = None,
                               noun: str | None = None, values: pd.DataFrame | None = None,
                               told: Mapping[Any, str] | None = None,
                               least: float = 0.0, counts: pd.DataFrame | None = None) -> dict[int, SegmentName]:
    """Name every segment of a z-score profile through a lexicon; names are unique.

    Parameters
    ----------
    zscores : pandas.DataFrame
        Segments (index, integer labels) x features: each segment's mean z-score. A missing value (a
        feature whose values were all imputed in that segment) never drives a name.
    lexicon : Lexicon, mapping, path or None
        See :func:`load_lexicon`.
    threshold : float, default 0.5
        ``high`` means ``z >= threshold``, ``low`` means ``z <= -threshold``.
    index : pandas.DataFrame, optional
        Segments x features: the index against the whole (100 = average). With it, descriptions give
        the index, and the lexicon's default ("average") name goes only to a segment whose every index
        lies within :data:`AVERAGE_INDEX`.
    labels : mapping, optional
        Feature -> plain words, for features the lexicon has no words for (default: from the name).
    noun : str, optional
        What the segments hold ("Cardholders"): opens names built from plain words and descriptions
        (default: the lexicon's ``fallback_noun`` and ``subject``).
    values : pandas.DataFrame, optional
        Segments x features: each segment's own mean, in the features' units. With it, a feature whose
        lexicon words set ``high_min`` is high in names only where the segment's value reaches it (the
        sentence still gives its index).
    told : mapping, optional
        Segment -> what else its name will say ("gender: Male", a category level that defines it): two segments
        whose names differ by it need no measure to tell them apart (two segments cut by gender were "with low
        monthly charges" and "with high total charges" on the same charges).
    least : float, default 0
        The smallest difference in z-scores that tells segments of one name apart; below it they share the name (an
        error if nothing else differs). Titanic's passengers, alike in age, were "Young Typical Women with younger
        age and younger age" by differences of 0.05: the caller can name them otherwise (by their levels). At 0,
        segments that a word's bound (``high_min``, ``low_max``) leaves without words are told apart by the measure
        itself, comparatively: teenagers of 17 and 18 are no "Older" customers, but "with older age" and "with the
        oldest age".
    counts : pandas.DataFrame, optional
        Segments x features: each segment's mean of the features that count things (whole numbers from 0). A name
        says "many" of one only where the segment has :data:`MANY_MIN` or more on average, else "more".

    Returns
    -------
    dict of int to SegmentName
        ``name`` (unique, no numbers), ``description`` (one sentence), ``action`` (from the entry, or "").

    Raises
    ------
    ParamsError
        When ``threshold`` is not positive.
    SegmentationError
        When two segments have identical profiles and so cannot be told apart by words.
    """
    if not threshold > 0:
        raise ParamsError(f"threshold must be positive, not {threshold}", fix="use e.g. 0.5", key="threshold")
    lex = load_lexicon(lexicon)
    described = zscores.astype(float)
    bounded = _beyond_bounds(described, values, lex)
    z = described.mask(bounded)  # a missing value never drives a name
    namer = _Namer(lex, threshold, dict(labels or {}), noun or lex.fallback_noun, index, z, least)
    names, used, tagline, action, claims = {}, {}, {}, {}, {}
    for seg, row in z.iterrows():
        entry = _match(row, lex, threshold, values.loc[seg] if values is not None and seg in values.index else None)
        if entry is not None:
            names[seg], used[seg] = entry.name, list(entry.when)
            tagline[seg], action[seg] = entry.description, entry.action
        else:
            names[seg], used[seg] = _fallback(row, namer, seg)
            tagline[seg], action[seg] = "", ""
    own = {seg: list(feats) for seg, feats in used.items()}  # what the words say, before any telling apart
    tolerant = bool(bounded.to_numpy().any()) and not least
    passes = [(z, len(z.columns) + 1)] + [(described, len(z.columns) + len(z))] * tolerant
    for apart, rounds in passes:  # then, tolerant, by a measure beyond its words' bounds, said comparatively (no
        for _ in range(rounds):  # teenager is "older", but 17 is older than 16)
            clashes = _clashes(names, told or {})
            if not clashes:
                break
            for segs in clashes:
                if apart is z:
                    _tell_apart(apart, names, used, namer, segs, claims)
                else:  # a group it cannot rank stays as it is: an error, as before
                    around(apart, names, namer, segs)
    _outdone(names, used, own, z, namer, told or {})
    names = _not_many(names, counts, namer, told or {})
    stuck = next(iter(_clashes(names, told or {})), None)
    if stuck:
        raise SegmentationError(
            f"segments {stuck[0]} and {stuck[1]} share the name '{names[stuck[0]]}' and no further "
            f"feature tells them apart", fix="fit fewer segments or add features that separate them")
    return {int(seg): SegmentName(name=names[seg], action=action[seg], description=describe_profile(
        described.loc[seg], lex, threshold=threshold, tagline=tagline[seg], labels=labels,
        index=None if index is None else index.loc[seg], subject=noun,
        named=_said(z.loc[seg], own[seg], claims.get(seg)))) for seg in z.index}


def _said(row: pd.Series, used: list[str], claims: Mapping[str, bool] | None) -> dict[str, bool]:
    """The features a segment's name says, as :func:`describe_profile` takes them (feature -> high): its words'
    features (``used``: the entry's or the fallback's), on the side of its z-score, then what told it apart from the
    segments of the same name against the whole (``claims``). Its description gives each its index: "Older Affluent
    Customers" were described by tenure, income and years of work, not age."""
    own = {f: bool(row[f] > 0) for f in used if f in row.index and np.isfinite(row[f])}
    return {**own, **(claims or {})}
