"""The :class:`SegmentProfile` of a segmentation: per-segment statistics, the comparison with the whole,
the displays built from them and the ``profiles.json`` serialisation (see :mod:`segkit.profile`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import DataValueError, SegmentationError
from ..format import format_number, index_text, round_json, segment_codes
from ..naming.base import SegmentName, two_levels

__all__ = ["SegmentProfile"]

_STATS = ("mean", "median", "std", "min", "max")
_SIGNIFICANT = 6  # significant digits kept in to_dict(), so profiles.json is byte-stable
#: A feature's index is shown when its values spread by at least this share of their mean (:attr:`ratio_features`).
MIN_INDEX_SPREAD = 0.05
_Z_AS_LOG_INDEX = math.log(1.65)  # key facts: one standard deviation counts as far from average as an index of 165


@dataclass
class SegmentProfile:
    """Per-segment statistics of a segmentation, and the comparison with the whole.

    Build one with :func:`profile_segments`. All tables are indexed by segment (the integer labels,
    in ascending order) and/or feature.

    Attributes
    ----------
    sizes : pandas.Series
        Number of entities (customers, areas) per segment.
    shares : pandas.Series
        ``sizes`` as a fraction of the total (0 to 1).
    stats : pandas.DataFrame
        Tidy table with columns ``segment, feature, mean, median, std, min, max``.
    means, medians : pandas.DataFrame
        Segment x feature tables of the segment means and medians.
    overall : pandas.DataFrame
        Feature x ``[mean, median, std, min, max]`` over all entities.
    index : pandas.DataFrame
        Segment x feature index against the whole (100 = the whole); see :mod:`segkit.profile`.
    zscores : pandas.DataFrame
        Segment x feature: ``(segment mean - overall mean) / overall std``.
    quantiles : pandas.DataFrame
        Feature x quantile level: the entity-level quantiles (quintile cut points by default).
    index_basis : dict
        Feature -> ``"mean"``, ``"shifted"`` or ``"constant"``: how its index is computed.
    names, descriptions, actions : dict
        Segment -> text, filled by naming (:meth:`with_names`). Empty until then.
    assigned_codes : dict
        Segment -> code when the codes follow an earlier run (:meth:`with_codes`, :mod:`segkit.lineage`);
        empty: the codes follow segment order ("S01" is segment 0).
    """

    sizes: pd.Series
    shares: pd.Series
    stats: pd.DataFrame
    means: pd.DataFrame
    medians: pd.DataFrame
    overall: pd.DataFrame
    index: pd.DataFrame
    zscores: pd.DataFrame
    quantiles: pd.DataFrame
    index_basis: dict[str, str]
    names: dict[int, str] = field(default_factory=dict)
    descriptions: dict[int, str] = field(default_factory=dict)
    actions: dict[int, str] = field(default_factory=dict)
    assigned_codes: dict[int, str] = field(default_factory=dict)

    # ----------------------------------------------------------------------------------- accessors
    @property
    def segments(self) -> list[int]:
        """The segment labels, in segment order."""
        return [int(s) for s in self.sizes.index]

    @property
    def features(self) -> list[str]:
        """The profiled features, in input order."""
        return [str(c) for c in self.means.columns]

    @property
    def ratio_features(self) -> list[str]:
        """The features whose index a reader can take at its word ("200 is twice the average"): on the ``"mean"``
        basis, with values spread by at least :data:`MIN_INDEX_SPREAD` of their mean. Cards and sentences give no
        index for the others (a consumer price index of 93 to 95 is "index 100" in every segment; the shifted index
        of a negative rate is no ratio) but the value, and above or below average."""
        return [f for f in self.features if self.index_basis.get(f) == "mean"
                and float(self.overall.at[f, "std"]) >= MIN_INDEX_SPREAD * abs(float(self.overall.at[f, "mean"]))]

    @property
    def codes(self) -> dict[int, str]:
        """Segment -> display code ("S01", ...): in segment order, or the codes assigned by :meth:`with_codes`."""
        if self.assigned_codes:
            return {s: self.assigned_codes[s] for s in self.segments}
        return dict(zip(self.segments, segment_codes(len(self.segments))))

    def with_codes(self, codes: Mapping[int, str]) -> SegmentProfile:
        """Return a copy whose segments show ``codes`` (segment -> code, one distinct code per segment)
        instead of codes in segment order: the codes of an earlier run that these segments continue."""
        codes = {int(s): str(c) for s, c in codes.items()}
        if set(codes) != set(self.segments) or len(set(codes.values())) != len(codes):
            raise DataValueError(f"codes must give each of the segments {self.segments} one distinct code, "
                                 f"got {codes}", fix="assign one code per segment, none twice")
        return replace(self, assigned_codes=codes)

    def display_names(self) -> dict[int, str]:
        """Segment -> "S01 Champions" (the code alone while the segment has no name)."""
        return {s: f"{c} {self.names[s]}" if self.names.get(s) else c for s, c in self.codes.items()}

    def with_names(self, named: Mapping[int, SegmentName | str]) -> SegmentProfile:
        """Return a copy with names (and descriptions and actions, from :class:`SegmentName`) set.

        Parameters
        ----------
        named : mapping of int to SegmentName or str
            As returned by :func:`segkit.naming.name_rfm_segments`. Segments not in it keep their
            current name.
        """
        unknown = sorted(set(int(s) for s in named) - set(self.segments))
        if unknown:
            raise DataValueError(f"names were given for segments {unknown}, which the profile does not have",
                                 fix=f"name only segments {self.segments}")
        names, descriptions, actions = dict(self.names), dict(self.descriptions), dict(self.actions)
        for seg, value in named.items():
            seg = int(seg)
            if isinstance(value, str):
                names[seg] = value
            else:
                names[seg], descriptions[seg], actions[seg] = value.name, value.description, value.action
        taken = [n for n in names.values() if n]
        if len(taken) != len(set(taken)):
            dup = sorted({n for n in taken if taken.count(n) > 1})
            raise SegmentationError(f"segment names must be unique, but {dup} is used more than once",
                                    fix="give each segment a different name")
        return replace(self, names=names, descriptions=descriptions, actions=actions)

    # ------------------------------------------------------------------------------------ displays
    def summary_table(self, *, labels: Mapping[str, str] | None = None, entity: str = "customers",
                      decimals: int = 1, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Return one row per segment for display: code, name, size, share, feature means and indexes.

        Parameters
        ----------
        labels : mapping of str to str, optional
            Plain-language feature labels ("recency" -> "Days since last purchase").
        entity : str, default "customers"
            What a segment counts, used in the size column header ("customers", "areas").
        decimals : int, default 1
            Decimals kept for means and shares; indexes are whole numbers.
        columns : sequence of str, optional
            The features to show (default: every profiled feature).

        Returns
        -------
        pandas.DataFrame
            Columns ``Segment, Name, <Entity>, Share %``, then ``<label> (mean)`` and
            ``<label> (index)`` for each feature.
        """
        labels = dict(labels or {})
        table = pd.DataFrame({
            "Segment": [self.codes[s] for s in self.segments],
            "Name": [self.names.get(s, "") for s in self.segments],
            entity.capitalize(): self.sizes.to_numpy(),
            "Share %": (100 * self.shares).round(decimals).to_numpy(),
        })
        for feat in (self.features if columns is None else [f for f in self.features if f in set(columns)]):
            label = labels.get(feat, feat)
            table[f"{label} (mean)"] = self.means[feat].round(decimals).to_numpy()
            table[f"{label} (index)"] = self.index[feat].round(0).astype("Int64").to_numpy()
        return table

    def distinctive_features(self, n: int | None = 12, *, columns: Sequence[str] | None = None,
                             by: str = "index", skip: Mapping[int, set[str]] | None = None) -> list[str]:
        """Features in the order a reader should see them: each segment's most distinctive feature (as its
        card ranks them, :meth:`key_facts`, ``by`` its index or z-score), then each one's second, and so on; at most
        ``n`` (None: all).

        Every segment's leading features come first, so a heatmap or table capped to ``n`` features still
        shows what sets each segment apart. ``skip`` (segment -> features) leaves features out of a segment's ranking,
        as its card leaves them out; a feature no segment ranks comes last.
        """
        candidates = self.features if columns is None else [f for f in self.features if f in set(columns)]
        skip = skip or {}
        ranked = [[f["feature"] for f in self.key_facts(s, n=len(candidates), columns=candidates, by=by)
                   if f["feature"] not in skip.get(s, ())] for s in self.segments]
        out: list[str] = []
        for rank in range(len(candidates)):
            out += [feats[rank] for feats in ranked if rank < len(feats) and feats[rank] not in out]
        out = list(dict.fromkeys([*out, *candidates]))
        return out if n is None else out[:max(0, n)]

    def key_facts(self, segment: int, n: int = 5, *, labels: Mapping[str, str] | None = None,
                  by: str = "index", columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Return the ``n`` most distinctive features of one segment, ready for a segment card.

        Parameters
        ----------
        segment : int
            The segment label.
        n : int, default 5
            How many facts (at most the number of features).
        labels : mapping of str to str, optional
            Plain-language feature labels; the feature name is used where none is given.
        by : {"index", "zscore"}, default "index"
            How distinctiveness is measured. "index": the ratio to the whole, either way
            (``|log(index / 100)|``, so index 50 and index 200 are equally distinctive), which is
            what the card shows and suits skewed money features; but no further than its z-score for a measure
            most rows hold none of (overall median 0: a hotel's babies, "0 (index 0)" against 0.02 overall, says
            little). "zscore": distance from the overall mean in overall standard deviations, which suits shares
            and scores.
        columns : sequence of str, optional
            The features to choose from (default: every profiled feature).

        Returns
        -------
        list of dict
            Most distinctive first. Keys: ``feature, label, value`` (segment mean), ``overall``
            (overall mean), ``index``, ``zscore``, ``direction`` ("higher", "lower" or "same") and
            ``text`` ("Days since last purchase: 9 (index 25)").
        """
        if segment not in self.segments:
            raise DataValueError(f"segment {segment!r} is not in the profile",
                                 fix=f"use one of {self.segments}")
        if by not in ("index", "zscore"):
            raise DataValueError(f"by must be 'index' or 'zscore', not {by!r}", fix="use by='index'")
        labels = dict(labels or {})
        candidates = self.features if columns is None else [f for f in self.features if f in set(columns)]
        z, idx, ratio = self.zscores.loc[segment], self.index.loc[segment], set(self.ratio_features)
        if by == "index":  # a feature without a ratio index ranks by its z-score: 1 sd as far as an index of 165
            as_z = {f: _Z_AS_LOG_INDEX * abs(float(z[f])) for f in candidates}
            as_index = {f: abs(math.log(max(float(idx[f]), 1.0) / 100.0)) for f in candidates if f in ratio}
            score = {f: as_z[f] if f not in as_index else  # most rows none of it: its index no further than its z
                     min(as_index[f], as_z[f]) if float(self.overall.at[f, "median"]) == 0 else as_index[f]
                     for f in candidates}
        else:
            score = {f: abs(float(z[f])) for f in candidates}
        order = sorted(candidates, key=lambda f: (-round(score[f], 12), self.features.index(f)))
        other = self._other_level  # "Region: South: 0% (index 0)" beside "Region: North: 100% (index 202)": one fact
        order = list(dict.fromkeys(max((f, other[f]), key=lambda g: float(z[g])) if other.get(f) in candidates else f
                                   for f in order))
        facts = []
        for feat in order[:max(0, n)]:
            value, zf = float(self.means.at[segment, feat]), float(z[feat])
            label, index = labels.get(feat, feat), float(idx[feat]) if feat in ratio else None
            facts.append({
                "feature": feat, "label": label, "value": value,
                "overall": float(self.overall.at[feat, "mean"]), "index": index, "zscore": zf,
                "direction": "higher" if zf > 0 else "lower" if zf < 0 else "same",
                "text": f"{label}: {format_number(value)}" + ("" if index is None else f" (index {index_text(index)})"),
            })
        return facts

    @property
    def _other_level(self) -> dict[str, str]:
        """Feature -> the other level of its column of two, for a profile of levels' shares (``"region: North"``,
        ``"region: South"``: a table of categories only), whose shares sum to one: one says the other's fact."""
        pairs = [(a, b) for a, b in two_levels({f: f for f in self.features})
                 if abs(float(self.overall.at[a, "mean"]) + float(self.overall.at[b, "mean"]) - 1) < 1e-9]
        return {a: b for one, two in pairs for a, b in ((one, two), (two, one))}

    # ------------------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the content of ``profiles.json``).

        Floats keep 6 significant digits, so identical inputs give identical files. Round trip with
        :meth:`from_dict`.
        """
        segs = []
        for seg, code in self.codes.items():
            entry: dict[str, Any] = {
                "segment": seg, "code": code, "name": self.names.get(seg, ""),
                "description": self.descriptions.get(seg, ""), "action": self.actions.get(seg, ""),
                "size": int(self.sizes[seg]), "share": _r(self.shares[seg]),
            }
            for stat in _STATS:
                table = self.stats[self.stats["segment"] == seg].set_index("feature")[stat]
                entry[stat] = {f: _r(table[f]) for f in self.features}
            entry["index"] = {f: _r(self.index.at[seg, f]) for f in self.features}
            entry["zscore"] = {f: _r(self.zscores.at[seg, f]) for f in self.features}
            segs.append(entry)
        return {
            "version": 1,
            "features": self.features,
            "index_basis": {f: self.index_basis[f] for f in self.features},
            "overall": {f: {s: _r(self.overall.at[f, s]) for s in _STATS} for f in self.features},
            "quantiles": {"levels": [_r(q) for q in self.quantiles.columns],
                          "values": {f: [_r(v) for v in self.quantiles.loc[f]] for f in self.features}},
            "segments": segs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentProfile:
        """Rebuild a profile from :meth:`to_dict` output (e.g. a loaded ``profiles.json``)."""
        try:
            features = list(data["features"])
            entries = list(data["segments"])
            segs = [int(e["segment"]) for e in entries]
            rows = [{"segment": int(e["segment"]), "feature": f, **{s: _f(e[s][f]) for s in _STATS}}
                    for e in entries for f in features]
            per_seg = {key: pd.DataFrame([[_f(e[key][f]) for f in features] for e in entries],
                                         index=pd.Index(segs, name="segment"),
                                         columns=pd.Index(features, name="feature"))
                       for key in ("mean", "median", "index", "zscore")}
            overall = pd.DataFrame([[_f(data["overall"][f][s]) for s in _STATS] for f in features],
                                   index=pd.Index(features, name="feature"), columns=list(_STATS))
            levels = [float(q) for q in data["quantiles"]["levels"]]
            quantiles = pd.DataFrame([[_f(v) for v in data["quantiles"]["values"][f]] for f in features],
                                     index=pd.Index(features, name="feature"), columns=levels)
            sizes = pd.Series([int(e["size"]) for e in entries], index=pd.Index(segs, name="segment"),
                              name="size")
            shares = pd.Series([float(e["share"]) for e in entries], index=sizes.index, name="share")
            basis = {f: str(data["index_basis"][f]) for f in features}
        except (KeyError, TypeError, ValueError) as exc:
            raise DataValueError(f"the profile data is incomplete or malformed ({exc!r})",
                                 fix="load a profiles.json written by SegmentProfile.to_dict") from exc
        codes = {int(e["segment"]): str(e["code"]) for e in entries if e.get("code")}
        in_order = dict(zip(segs, segment_codes(len(segs))))
        return cls(
            assigned_codes=codes if len(codes) == len(segs) and codes != in_order else {},
            sizes=sizes, shares=shares, stats=pd.DataFrame(rows, columns=["segment", "feature", *_STATS]),
            means=per_seg["mean"], medians=per_seg["median"], overall=overall, index=per_seg["index"],
            zscores=per_seg["zscore"], quantiles=quantiles, index_basis=basis,
            names={int(e["segment"]): e["name"] for e in entries if e.get("name")},
            descriptions={int(e["segment"]): e["description"] for e in entries if e.get("description")},
            actions={int(e["segment"]): e["action"] for e in entries if e.get("action")},
        )


def _r(value: Any) -> float | None:
    """Round to 6 significant digits for byte-stable JSON; NaN becomes None."""
    return round_json(value, _SIGNIFICANT)


def _f(value: Any) -> float:
    return float("nan") if value is None else float(value)
