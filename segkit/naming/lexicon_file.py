"""A naming lexicon as a file says it: entries (conditions and the name they give), words per feature, and the
bounds that keep words true to the numbers (see :mod:`segkit.naming.lexicon`, which names segments with it, and the
header of a shipped lexicon, e.g. ``segkit/kinds/demographics/lexicon.yaml``, for the format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import ParamsError
from ..resources import read_data_yaml
from .words import default_label, phrase

__all__ = ["Lexicon", "LexiconEntry", "FeatureWords", "load_lexicon"]

_ENTRY_KEYS = {"name", "when", "description", "action", "at_least"}
_BOUNDS = ("high_min", "low_max")
_WORD_KEYS = {"label", "high", "low", "high_noun", "low_noun", *_BOUNDS}
_TOP_KEYS = {"entries", "features", "default", "fallback_noun", "subject", "version"}


@dataclass(frozen=True)
class LexiconEntry:
    """A named profile: every condition (feature -> ``"high"`` or ``"low"``) must hold."""

    name: str
    when: dict[str, str]
    description: str = ""
    action: str = ""
    at_least: dict[str, float] = field(default_factory=dict)  # the segment's own values, where they are known


@dataclass(frozen=True)
class FeatureWords:
    """Words for one feature: a label for sentences, adjectives and optional nouns per direction."""

    label: str
    high: str | None = None
    low: str | None = None
    high_noun: str | None = None
    low_noun: str | None = None
    high_min: float | None = None  # "high" in names only where the segment's own value reaches this
    low_max: float | None = None  # "low" in names only where the segment's own value is at most this

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
        """Words for ``feature``: a plain label from its name, and no adjective, when the lexicon lacks it."""
        if feature in self.features:
            return self.features[feature]
        return FeatureWords(label=phrase(default_label(feature)))


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
        noun = "key" if len(unknown) == 1 else "keys"
        raise ParamsError(f"unknown lexicon {noun} {sorted(unknown)}{where}", fix=fix, key=sorted(unknown)[0])
    entries, names = [], set()
    for item in raw.get("entries") or []:
        if not isinstance(item, Mapping) or not item.get("name") or not isinstance(item.get("when"), Mapping) \
                or not item["when"]:
            raise ParamsError(f"every lexicon entry needs a 'name' and a non-empty 'when' mapping{where}; "
                              f"got {item!r}", fix=fix)
        bad = set(item) - _ENTRY_KEYS
        if bad:
            noun = "key" if len(bad) == 1 else "keys"
            raise ParamsError(f"lexicon entry '{item['name']}' has unknown {noun} {sorted(bad)}{where}", fix=fix)
        when = {str(k): str(v).lower() for k, v in item["when"].items()}
        wrong = {k: v for k, v in when.items() if v not in ("high", "low")}
        if wrong:
            raise ParamsError(f"lexicon entry '{item['name']}' has conditions {wrong}{where}",
                              fix="use high or low as each condition")
        if item["name"] in names:
            raise ParamsError(f"lexicon entry name '{item['name']}' appears twice{where}", fix="rename one")
        names.add(item["name"])
        at_least = item.get("at_least") or {}
        if not isinstance(at_least, Mapping) or not set(map(str, at_least)) <= set(when):
            raise ParamsError(f"at_least of lexicon entry '{item['name']}' must map features of its 'when' to "
                              f"numbers{where}, not {at_least!r}", fix="write e.g. at_least: {age: 60}")
        at_least = {str(k): _number(v, f"at_least of '{item['name']}'", where, "at_least: {age: 60}")
                    for k, v in at_least.items()}
        entries.append(LexiconEntry(str(item["name"]), when, str(item.get("description") or ""),
                                    str(item.get("action") or ""), at_least))
    features = {}
    for feat, words in (raw.get("features") or {}).items():
        words = dict(words or {})
        bad = set(words) - _WORD_KEYS
        if bad:
            noun = "key" if len(bad) == 1 else "keys"
            raise ParamsError(f"lexicon words for '{feat}' have unknown {noun} {sorted(bad)}{where}", fix=fix)
        bounds = {b: _number(words.pop(b), f"{b} of '{feat}'", where, f"{b}: 0.25") for b in _BOUNDS
                  if words.get(b) is not None}
        features[str(feat)] = FeatureWords(label=str(words.get("label") or str(feat).replace("_", " ")), **bounds,
                                           **{k: (str(v) if v else None) for k, v in words.items()
                                              if k != "label"})
    default = raw.get("default") or {}
    kwargs = {f"default_{k}": str(default[k]) for k in ("name", "description") if default.get(k)}
    kwargs.update({key: str(raw[key]) for key in ("fallback_noun", "subject") if raw.get(key)})
    return Lexicon(entries=tuple(entries), features=features, **kwargs)


def _number(value, what: str, where: str, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamsError(f"{what} must be a number (the segment's own value), not {value!r}{where}",
                          fix=f"write e.g. {example}")
    return float(value)
