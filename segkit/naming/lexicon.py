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
3. **Uniqueness.** Segments that end up with the same name each take the adjective of their own next
   strongest feature not already used ("Seasonal Affluent Retirees" vs "Walkable Affluent Retirees"),
   and again until every name differs; a segment with no feature left keeps its name. Names never
   carry numbers: segments that no feature tells apart are an error.

Every segment also gets one descriptive sentence listing its strongest features above and below
average with their z-scores.

Examples
--------
>>> import pandas as pd
>>> z = pd.DataFrame({"recency": [-1.2, 0.9], "monetary": [1.5, -0.8]})
>>> lex = {"entries": [{"name": "Big Spenders", "when": {"monetary": "high"}}]}
>>> {s: n.name for s, n in name_segments_from_lexicon(z, lex).items()}
{0: 'Big Spenders', 1: 'Low-Monetary High-Recency Group'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import ParamsError, SegmentationError
from ..resources import read_data_yaml
from .base import SegmentName

__all__ = ["Lexicon", "LexiconEntry", "FeatureWords", "SegmentName", "load_lexicon",
           "name_segments_from_lexicon", "describe_profile"]

_Z_CAP = 3.0
_ENTRY_KEYS = {"name", "when", "description", "action"}
_WORD_KEYS = {"label", "high", "low", "high_noun", "low_noun"}
_TOP_KEYS = {"entries", "features", "default", "fallback_noun", "subject", "version"}


@dataclass(frozen=True)
class LexiconEntry:
    """A named profile: every condition (feature -> ``"high"`` or ``"low"``) must hold."""

    name: str
    when: dict[str, str]
    description: str = ""
    action: str = ""


@dataclass(frozen=True)
class FeatureWords:
    """Words for one feature: a label for sentences, adjectives and optional nouns per direction."""

    label: str
    high: str | None = None
    low: str | None = None
    high_noun: str | None = None
    low_noun: str | None = None

    def adjective(self, z: float) -> str | None:
        """The adjective for the direction of ``z``."""
        return self.high if z >= 0 else self.low

    def noun(self, z: float) -> str | None:
        """The noun for the direction of ``z``."""
        return self.high_noun if z >= 0 else self.low_noun


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon (see :func:`load_lexicon`)."""

    entries: tuple[LexiconEntry, ...] = ()
    features: dict[str, FeatureWords] = field(default_factory=dict)
    default_name: str = "Mainstream Mix"
    default_description: str = "Close to the average on every feature"
    fallback_noun: str = "Group"
    subject: str = "Members"

    def words(self, feature: str) -> FeatureWords:
        """Words for ``feature``; generic ones ("High-Monetary") when the lexicon lacks it."""
        if feature in self.features:
            return self.features[feature]
        title = "-".join(part.capitalize() for part in str(feature).split("_") if part)
        return FeatureWords(label=str(feature).replace("_", " "), high=f"High-{title}", low=f"Low-{title}")


def load_lexicon(source: str | Path | Mapping[str, Any] | Lexicon) -> Lexicon:
    """Load and validate a naming lexicon.

    Parameters
    ----------
    source : path, mapping, Lexicon or None
        A YAML file in the lexicon format (each data kind ships its own, e.g.
        ``segkit/kinds/demographics/lexicon.yaml``), or the already parsed mapping.

    Raises
    ------
    DataFileError
        The file is missing or is not valid YAML.
    ParamsError
        An entry or feature has an unknown key, a condition is not ``high``/``low``, or names repeat.
    """
    if isinstance(source, Lexicon):
        return source
    if source is None:
        raise ParamsError("no lexicon given", fix="pass a lexicon file, e.g. a data kind's lexicon.yaml")
    raw, path = read_data_yaml(source, shipped="kinds/*/lexicon.yaml", what="lexicon")
    where = f" in {path}" if path else ""
    fix = "see the header of a shipped lexicon (segkit/kinds/*/lexicon.yaml) for the format"
    if not isinstance(raw, Mapping):
        raise ParamsError(f"a lexicon must be a mapping{where}", fix=fix)
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ParamsError(f"unknown lexicon key(s) {sorted(unknown)}{where}", fix=fix, key=sorted(unknown)[0])
    entries, names = [], set()
    for item in raw.get("entries") or []:
        if not isinstance(item, Mapping) or not item.get("name") or not isinstance(item.get("when"), Mapping) \
                or not item["when"]:
            raise ParamsError(f"every lexicon entry needs a 'name' and a non-empty 'when' mapping{where}; "
                              f"got {item!r}", fix=fix)
        bad = set(item) - _ENTRY_KEYS
        if bad:
            raise ParamsError(f"lexicon entry '{item['name']}' has unknown key(s) {sorted(bad)}{where}", fix=fix)
        when = {str(k): str(v).lower() for k, v in item["when"].items()}
        wrong = {k: v for k, v in when.items() if v not in ("high", "low")}
        if wrong:
            raise ParamsError(f"lexicon entry '{item['name']}' has conditions {wrong}{where}",
                              fix="use high or low as each condition")
        if item["name"] in names:
            raise ParamsError(f"lexicon entry name '{item['name']}' appears twice{where}", fix="rename one")
        names.add(item["name"])
        entries.append(LexiconEntry(str(item["name"]), when, str(item.get("description") or ""),
                                    str(item.get("action") or "")))
    features = {}
    for feat, words in (raw.get("features") or {}).items():
        words = dict(words or {})
        bad = set(words) - _WORD_KEYS
        if bad:
            raise ParamsError(f"lexicon words for '{feat}' have unknown key(s) {sorted(bad)}{where}", fix=fix)
        features[str(feat)] = FeatureWords(label=str(words.get("label") or str(feat).replace("_", " ")),
                                           **{k: (str(v) if v else None) for k, v in words.items()
                                              if k != "label"})
    default = raw.get("default") or {}
    kwargs = {}
    if default.get("name"):
        kwargs["default_name"] = str(default["name"])
    if default.get("description"):
        kwargs["default_description"] = str(default["description"])
    for key in ("fallback_noun", "subject"):
        if raw.get(key):
            kwargs[key] = str(raw[key])
    return Lexicon(entries=tuple(entries), features=features, **kwargs)


def _match(row: pd.Series, lexicon: Lexicon, threshold: float) -> LexiconEntry | None:
    best, best_score = None, -np.inf
    for entry in lexicon.entries:
        score = 0.0
        for feat, direction in entry.when.items():
            z = row.get(feat, np.nan)
            if not np.isfinite(z) or (z < threshold if direction == "high" else z > -threshold):
                break
            score += min(abs(z), _Z_CAP)
        else:
            if score > best_score:
                best, best_score = entry, score
    return best


def _strongest(row: pd.Series) -> list[str]:
    """Features by decreasing |z| (ties by column order), finite values only."""
    finite = row[np.isfinite(row.to_numpy(dtype=float))]
    order = np.argsort(-np.abs(finite.to_numpy(dtype=float)), kind="stable")
    return [finite.index[i] for i in order]


def _has_word(name: str, word: str) -> bool:
    """True when ``word`` (or a part of a hyphenated one) is already in ``name``: no "Younger-Skewed
    Younger Neighbourhoods", no "Family Family-Centred Suburbs"."""
    def parts(text: str) -> set[str]:
        return set(text.lower().replace("&", " ").replace("-", " ").split())

    return bool(parts(word) & parts(name))


def _fallback(row: pd.Series, lexicon: Lexicon, threshold: float) -> tuple[str, list[str]]:
    top = [f for f in _strongest(row) if abs(row[f]) >= threshold]
    if not top:
        return lexicon.default_name, []
    # lead with the strongest feature that has a word for its direction ("Suburban", not "Jobs In ...")
    worded = [f for f in top if lexicon.words(f).noun(row[f]) or lexicon.words(f).adjective(row[f])]
    if worded:
        top = worded + [f for f in top if f not in worded]
    first = lexicon.words(top[0])
    noun = first.noun(row[top[0]])
    if noun is None:
        adj = first.adjective(row[top[0]]) or first.label.title()
        noun = f"{adj} {lexicon.fallback_noun}"
    used = [top[0]]
    for feat in top[1:]:
        adj = lexicon.words(feat).adjective(row[feat])
        if adj and not _has_word(noun, adj):
            return f"{adj} {noun}", used + [feat]
    return noun, used


def describe_profile(row: pd.Series, lexicon: Lexicon, *, threshold: float = 0.5, tagline: str = "",
                     n_high: int = 3, n_low: int = 2) -> str:
    """One sentence naming a segment's strongest features above and below average, with z-scores."""
    order = _strongest(row)
    highs = [f for f in order if row[f] >= threshold][:n_high]
    lows = [f for f in order if row[f] <= -threshold][:n_low]

    def listing(feats: list[str]) -> str:
        parts = [f"{lexicon.words(f).label} ({row[f]:+.1f} sd)" for f in feats]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    if not highs and not lows:
        body = lexicon.default_description[0].lower() + lexicon.default_description[1:]
        return f"{tagline}: {body}." if tagline else f"{lexicon.default_description}."
    clauses = []
    if highs:
        clauses.append(listing(highs) + " above average")
    if lows:
        clauses.append(listing(lows) + " below" + ("" if highs else " average"))
    body = "; ".join(clauses)
    return f"{tagline}: {body}." if tagline else f"{lexicon.subject} with {body}."


def name_segments_from_lexicon(zscores: pd.DataFrame, lexicon: Lexicon | Mapping | str | Path,
                               *, threshold: float = 0.5) -> dict[int, SegmentName]:
    """Name every segment of a z-score profile through a lexicon; names are unique.

    Parameters
    ----------
    zscores : pandas.DataFrame
        Segments (index, integer labels) x features: each segment's mean z-score.
    lexicon : Lexicon, mapping, path or None
        See :func:`load_lexicon`.
    threshold : float, default 0.5
        ``high`` means ``z >= threshold``, ``low`` means ``z <= -threshold``.

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
    z = zscores.astype(float)
    base, tagline, action, qualifiers = {}, {}, {}, {}
    for seg, row in z.iterrows():
        entry = _match(row, lex, threshold)
        if entry is not None:
            base[seg], used = entry.name, list(entry.when)
            tagline[seg], action[seg] = entry.description, entry.action
        else:
            base[seg], used = _fallback(row, lex, threshold)
            tagline[seg], action[seg] = "", ""
        words, seen = [], set()
        for feat in _strongest(row):  # every remaining feature, strongest first
            adj = lex.words(feat).adjective(row[feat])
            if feat in used or row[feat] == 0 or not adj or adj.lower() in seen or _has_word(base[seg], adj):
                continue
            seen.add(adj.lower())
            words.append(adj)
        qualifiers[seg] = words
    names = dict(base)
    level = {seg: 0 for seg in names}
    while True:
        groups: dict[str, list] = {}
        for seg, name in names.items():
            groups.setdefault(name, []).append(seg)
        clashes = [segs for segs in groups.values() if len(segs) > 1]
        if not clashes:
            break
        for segs in clashes:
            stuck = [seg for seg in segs if level[seg] >= len(qualifiers[seg])]
            if len(stuck) > 1:
                raise SegmentationError(
                    f"segments {stuck[0]} and {stuck[1]} share the name '{names[stuck[0]]}' and no further "
                    f"feature tells them apart", fix="fit fewer segments or add features that separate them")
            for seg in segs:
                if seg not in stuck:  # a segment out of words keeps its name; the others move on
                    names[seg] = f"{qualifiers[seg][level[seg]]} {names[seg]}"
                    level[seg] += 1
    out = {}
    for seg in z.index:
        out[int(seg)] = SegmentName(name=names[seg],
                                    description=describe_profile(z.loc[seg], lex, threshold=threshold,
                                                                 tagline=tagline[seg]),
                                    action=action[seg])
    return out
