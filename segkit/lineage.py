"""Segment codes that mean the same thing run after run: a run that follows a reference run.

With the params ``reference`` (a previous run folder, or its ``artifacts/model`` folder) and
``reference_mode``, ``05_profile`` gives the segments the reference's codes and names:

- ``refit``: the segments are fitted anew, then matched to the reference's. Each new segment's centre is
  taken in the reference's feature space (the new rows put through the reference model's preprocessor, averaged
  per new segment) and the new centres are paired with the reference centres by an optimal matching
  (:func:`scipy.optimize.linear_sum_assignment` on the Euclidean distances). A pair counts as a match only when
  the distance is at most :data:`MATCH_RATIO` (0.5) times the reference centre's *spacing*, the distance to
  the nearest other reference centre. Below half the spacing the new centre lies nearer to its partner than to
  any other reference centre (triangle inequality), so the segment's typical member would be given the same
  code by the reference model. Measured on the bundled Online Retail data (the smoke params' RFM features,
  k = 3, centre spacings 1.7 to 2.1; ``bench/bench_reference_match.py``): over 20 bootstrap resamples of the
  customers refitted from scratch, matched pairs lie at 0.007 to 0.13 of the spacing; with one segment's
  customers spending 1.5 times as much, at 0.003 to 0.22; with one segment's customers removed (k = 2), at
  0.001 to 0.08, and the removed one vanishes; the extra segment of a fit with k = 4 lies at 0.54 from its
  nearest reference centre, and a segment whose customers spend 3 times as much breaks away at 0.60 (one
  of three cases; in the other two the shifted segment still matches, at 0.40 and 0.49).
  Matched segments keep their code and name; the other new segments get new codes (the next numbers after
  every code the lineage has used, so a vanished code is never given again) and keep the name naming gives
  them, with " (new)" added when a reference segment had that name; reference segments left without a partner
  are listed as vanished, with their names and sizes.
- ``score``: the reference model is applied unchanged (:meth:`segkit.cluster.SegmentModel.assign`, the pass
  ``segkit score`` makes): each row gets the nearest reference segment and its code and name; a reference
  segment that no row reaches is listed as vanished. The distances recorded are how far each segment's centre
  (the mean of its new rows) moved from the reference's.

The reference is only read. :func:`write_reference` writes ``artifacts/reference.json``, which
``09_compare`` and ``segkit compare`` read::

    {
      "version": 1,
      "mode": "refit",                          # or "score"
      "reference": {"path": "/abs/reports/jan", "model": "/abs/reports/jan/artifacts/model",
                    "model_sha256": "…", "run_name": "jan", "data_kind": "transactions",
                    "input_hash": "sha256:…", "n_segments": 4},
      "max_ratio": 0.5,                         # a match lies within max_ratio x spacing
      "matches": [                              # one per matched segment, in this run's segment order
        {"code": "S01", "name": "Champions", "segment": 2, "reference_segment": 0,
         "size": 702, "reference_size": 741, "distance": 0.081, "spacing": 2.31, "ratio": 0.035,
         "name_now": "Loyal Customers"}       # what naming calls it on this data alone (null: the same)
      ],
      "new": [                                  # segments without a partner: new codes
        {"code": "S05", "name": "Big Spenders", "segment": 3, "size": 120,
         "nearest_code": "S02", "distance": 1.9, "ratio": 0.82}
      ],
      "vanished": [{"code": "S03", "name": "Hibernating", "size": 1880, "reference_segment": 1}],
      "codes": {"0": "S02", "1": "S04", ...},   # this run's model segment -> code (every model segment)
      "retired_codes": ["S03"]                  # codes never to be given again (the lineage's vanished ones)
    }

Distances are in the reference model's transformed feature space; a reference size is the rows the reference
run gave the segment (:attr:`Reference.sizes`). :func:`sentences` turns the file into the plain words the index
page and ``05_profile`` show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParamsError
from .format import format_share, joined, model_segment_codes
from .io.columns import name_key
from .io import write_json
from .modelio import METADATA_FILE, MODEL_FILE, load_model, model_folder, run_unfinished
from .profile import SegmentProfile

__all__ = ["MATCH_RATIO", "REFERENCE_FILE", "Reference", "Alignment", "load_reference", "check_reference",
           "reference_for", "match_centres", "spacings", "next_codes", "align", "relabel", "write_reference", "sentences",
           "far_rows", "FAR_RATIO"]

#: A new centre matches a reference centre within this share of the reference centre's spacing.
MATCH_RATIO = 0.5
#: ``score`` mode: a row farther from its segment's centre than this many times the centre's spacing lies far from
#: every segment (on the bundled and trial tables no training row does; 3-26% lie beyond one spacing)
FAR_RATIO = 2.0
#: The artifact this module writes.
REFERENCE_FILE = "reference.json"
_CODE = re.compile(r"S(\d+)")
_FIX = "set reference to a previous run folder (reports/<run>) or its artifacts/model folder, or remove it"


@dataclass(frozen=True)
class Reference:
    """A loaded reference: its model, the model's metadata and where it was read from.

    Attributes
    ----------
    path : Path
        The folder the params name (a run folder or a model folder).
    model_dir : Path
        The model folder.
    model : SegmentModel
    metadata : dict
    """

    path: Path
    model_dir: Path
    model: Any
    metadata: dict

    @property
    def n_segments(self) -> int:
        return int(len(self.model.cluster_centers_))

    @property
    def codes(self) -> list[str]:
        """The code of each reference segment 0, 1, ... (its own codes may follow an earlier run too)."""
        return model_segment_codes(self.metadata, self.n_segments)

    @property
    def names(self) -> list[str]:
        saved = self.metadata.get("segment_names") or {}
        return [str(saved.get(str(i)) or code) for i, code in enumerate(self.codes)]

    @property
    def sizes(self) -> list[int]:
        """Rows per segment in the reference run: its training sizes, or for a run that applied an earlier model
        unchanged (``score``), the rows it gave each segment (``run_sizes``; 0 for a segment none reached)."""
        if "run_sizes" in self.metadata:
            return [int(self.metadata["run_sizes"].get(str(i), 0)) for i in range(self.n_segments)]
        return [int(s) for s in getattr(self.model, "segment_sizes_", [0] * self.n_segments)]

    @property
    def retired(self) -> list[str]:
        return [str(c) for c in self.metadata.get("retired_codes") or []]

    @property
    def features(self) -> list[str]:
        return [str(c) for c in self.metadata.get("feature_names") or self.model.feature_names_in_]

    @property
    def run_name(self) -> str:
        """The reference run's name (from its params), else its folder's name."""
        saved = (self.metadata.get("params") or {}).get("run_name")
        if saved:
            return str(saved)
        return self.model_dir.parent.parent.name if self.model_dir.parent.name == "artifacts" else self.path.name

    def describe(self) -> dict[str, Any]:
        """The ``reference`` entry of ``reference.json``."""
        return {"path": str(self.path), "model": str(self.model_dir), "model_sha256": self.metadata.get("model_sha256"),
                "run_name": self.run_name, "data_kind": self.metadata.get("data_kind"),
                "input_hash": self.metadata.get("input_hash"), "n_segments": self.n_segments}


def load_reference(path: str | Path) -> Reference:
    """Load a reference run folder (``reports/<run>``, whose model is ``artifacts/model``) or model folder.

    Raises
    ------
    ParamsError
        The folder does not exist, or holds no saved segment model (key ``reference``).
    ModelError, DataFileError
        As :func:`segkit.modelio.load_model`: a model that does not match its hashes.
    """
    folder = Path(str(path)).expanduser()
    if not folder.is_dir():
        raise ParamsError(f"the reference {folder} does not exist or is not a folder", _FIX, key="reference",
                          path=str(folder))
    unfinished = run_unfinished(folder)
    if unfinished:
        raise ParamsError(f"the reference run {folder.name} did not complete ({unfinished}), so its segments are not a "
                          "result to follow", "run it again to the end, or choose a complete run (segkit runs lists "
                          "them)", key="reference", path=str(folder))
    model_dir = model_folder(folder)
    if model_dir is None:
        raise ParamsError(f"the reference {folder} is neither a run folder with a saved model (artifacts/model/) nor "
                          f"a model folder ({MODEL_FILE} and {METADATA_FILE})", _FIX, key="reference", path=str(folder))
    model, metadata = load_model(model_dir)
    if not (callable(getattr(model, "assign", None)) and hasattr(model, "cluster_centers_")):
        raise ParamsError(f"the model in {model_dir} is not a segkit segment model", _FIX, key="reference",
                          path=str(model_dir))
    return Reference(path=folder, model_dir=model_dir, model=model, metadata=metadata)


def check_reference(ref: Reference, *, data_kind: str, features: Iterable[str]) -> None:
    """Refuse a reference of another data kind, or one whose model was fitted on other features than
    ``features`` (this run's clustering features), with a :class:`~segkit.errors.ParamsError` naming them."""
    theirs = ref.metadata.get("data_kind")
    if theirs and theirs != data_kind:
        raise ParamsError(f"the reference run {ref.run_name} segments {theirs} data, and this run {data_kind} data",
                          "point reference to a run of the same data kind, or remove reference", key="reference")
    features = [str(c) for c in features]
    lacks = [c for c in features if c not in ref.features]
    missing = [c for c in ref.features if c not in features]
    if lacks or missing:
        parts = ([f"the reference model lacks {', '.join(lacks)}"] if lacks else []) + \
                ([f"this run lacks {', '.join(missing)}"] if missing else [])
        raise ParamsError(f"the reference run {ref.run_name} was fitted on other features ({'; '.join(parts)})",
                          _feature_fix(lacks, missing, ref.features), key="reference",
                          column=", ".join(lacks + missing))


def _feature_fix(lacks: list[str], missing: list[str], theirs: Sequence[str]) -> str:
    """How to segment on the reference's features: rename a column that differs only in case, leave out a new one
    (roles: ignore), bring back one this run lacks."""
    key = {name_key(c): c for c in missing}
    renamed = {c: key[name_key(c)] for c in lacks if name_key(c) in key}
    fixes = [f"rename {a!r} to {b!r} as the reference wrote it" for a, b in renamed.items()]
    new = [c for c in lacks if c not in renamed]
    if new:
        fixes.append("leave out what the reference did not use with roles: {" + ", ".join(f"{c}: ignore" for c in new)
                     + "}")
    gone = [c for c in missing if c not in renamed.values()]
    if gone:
        fixes.append(f"give this run's table {', '.join(gone)} again")
    return f"{'; '.join(fixes)} (the reference's features: {', '.join(theirs)}); or remove reference"


def reference_for(params, features: Iterable[str]) -> Reference | None:
    """The checked reference of ``params`` (None without one); ``features`` are this run's clustering features."""
    if not getattr(params, "reference", None):
        return None
    ref = load_reference(params.reference)
    check_reference(ref, data_kind=params.data_kind, features=features)
    return ref


def match_centres(new: np.ndarray, ref: np.ndarray, *, max_ratio: float = MATCH_RATIO) -> list[dict[str, Any]]:
    """Pair new centres with reference centres (both in the reference's space) by an optimal matching.

    The matching minimises the total distance among the pairings with the most pairs within ``max_ratio``
    times the reference centre's spacing (distance to its nearest other reference centre); pairs farther
    than that are dropped.

    Returns
    -------
    list of dict
        ``segment`` (row of ``new``), ``reference_segment`` (row of ``ref``), ``distance``, ``spacing``, ``ratio``.

    Examples
    --------
    >>> match_centres(np.array([[10.0, 0.1], [0.2, 0.0], [50.0, 50.0]]), np.array([[0.0, 0.0], [10.0, 0.0]]))[0]
    {'segment': 0, 'reference_segment': 1, 'distance': 0.1, 'spacing': 10.0, 'ratio': 0.01}
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics.pairwise import euclidean_distances

    new, ref = np.asarray(new, dtype=float), np.asarray(ref, dtype=float)
    dist, spacing = euclidean_distances(new, ref), spacings(ref)
    close = dist <= max_ratio * spacing[None, :]
    cost = np.where(close, dist, (dist[close].sum() if close.any() else 0.0) + 1.0)
    out = []
    for i, j in zip(*linear_sum_assignment(cost)):
        if close[i, j]:
            out.append({"segment": int(i), "reference_segment": int(j), "distance": round(float(dist[i, j]), 6),
                        "spacing": round(float(spacing[j]), 6), "ratio": round(float(dist[i, j] / spacing[j]), 6)})
    return sorted(out, key=lambda m: m["segment"])


def spacings(centres: np.ndarray) -> np.ndarray:
    """Each centre's distance to the nearest other centre (infinite for a single centre)."""
    from sklearn.metrics.pairwise import euclidean_distances

    centres = np.asarray(centres, dtype=float)
    between = euclidean_distances(centres, centres)
    np.fill_diagonal(between, np.inf)
    return between.min(axis=0)


def next_codes(used: Iterable[str], n: int) -> list[str]:
    """``n`` codes numbered after the highest of ``used`` ("S01" ...): a used code is never given again.

    >>> next_codes(["S01", "S02", "S04"], 2)
    ['S05', 'S06']
    """
    numbers = [int(m.group(1)) for c in used if (m := _CODE.fullmatch(str(c)))]
    start = max(numbers, default=0) + 1
    return [f"S{i:0{max(2, len(str(i)))}d}" for i in range(start, start + n)]


@dataclass
class Alignment:
    """How this run's segments follow the reference: the content of ``reference.json``.

    ``codes`` and ``names`` map every segment of this run's profile to its code and name; ``model_codes`` and
    ``model_names`` every segment of the model this run saves (in ``score`` mode the reference's, a segment no
    row reached included).
    """

    mode: str
    reference: dict[str, Any]
    codes: dict[int, str]
    names: dict[int, str]
    matches: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    vanished: list[dict[str, Any]] = field(default_factory=list)
    model_codes: dict[int, str] = field(default_factory=dict)
    model_names: dict[int, str] = field(default_factory=dict)
    retired_codes: list[str] = field(default_factory=list)
    max_ratio: float = MATCH_RATIO
    far: dict[str, Any] | None = None  #: score mode: the rows far from every segment (:func:`far_rows`)

    def to_dict(self) -> dict[str, Any]:
        out = {"version": 1, "mode": self.mode, "reference": self.reference, "max_ratio": self.max_ratio,
               "matches": self.matches, "new": self.new, "vanished": self.vanished,
               "codes": {str(k): v for k, v in sorted(self.model_codes.items())},
               "retired_codes": self.retired_codes}
        return out | ({"far": self.far} if self.far is not None else {})


def _centres(Z: np.ndarray, labels: np.ndarray, segments: Sequence[int]) -> np.ndarray:
    """The mean of each segment's rows ``Z`` (in the reference's transformed space)."""
    return np.vstack([Z[labels == s].mean(axis=0) for s in segments])


def far_rows(ref: Reference, Z: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """``score`` mode: how many rows ``Z`` (this run's, in the reference's space: ``ref.model.embed``) lie farther
    from their segment's centre than :data:`FAR_RATIO` times that centre's spacing: no segment of the reference
    describes them, and a refit might give them one of their own. ``{"count", "share", "ratio", "by_code"}``."""
    centres = np.asarray(ref.model.cluster_centers_, dtype=float)
    far = np.linalg.norm(Z - centres[labels], axis=1) > FAR_RATIO * spacings(centres)[labels]
    codes = pd.Series(np.asarray(ref.codes, dtype=object)[labels[far]]).value_counts().sort_index()
    return {"count": int(far.sum()), "share": round(float(far.mean()), 6) if len(far) else 0.0, "ratio": FAR_RATIO,
            "by_code": {str(c): int(n) for c, n in codes.items()}}


def _new_name(name: str, code: str, taken: set[str]) -> str:
    for candidate in (name, f"{name} (new)", f"{name} ({code})"):
        if candidate not in taken:
            return candidate
    return code


def align(ref: Reference, X: pd.DataFrame, labels, names: Mapping[int, str], *, mode: str = "refit",
          max_ratio: float = MATCH_RATIO) -> Alignment:
    """Codes and names of this run's segments that follow ``ref``.

    Parameters
    ----------
    ref : Reference
    X : DataFrame
        This run's clustering features (the reference's feature columns).
    labels : array-like
        This run's segment of each row of ``X`` (in ``score`` mode: the reference model's own segments).
    names : mapping
        Segment -> the name naming gave it on this data.
    mode : {"refit", "score"}
    """
    labels = np.asarray(labels)
    segments = [int(s) for s in np.unique(labels)]
    sizes = {s: int((labels == s).sum()) for s in segments}
    Z = ref.model.embed(X)  # once: the centres and, in score mode, the far rows
    centres = _centres(Z, labels, segments)
    ref_centres = np.asarray(ref.model.cluster_centers_, dtype=float)
    if mode == "score":  # the segments are the reference's own: each is its own partner
        spacing = spacings(ref_centres)
        found = [{"segment": i, "reference_segment": s, "distance": float(np.linalg.norm(centres[i] - ref_centres[s])),
                  "spacing": float(spacing[s])} for i, s in enumerate(segments)]
        found = [m | {"distance": round(m["distance"], 6), "spacing": round(m["spacing"], 6),
                      "ratio": round(m["distance"] / m["spacing"], 6)} for m in found]
    else:
        found = match_centres(centres, ref_centres, max_ratio=max_ratio)
    for m in found:
        m["segment"] = segments[m["segment"]]
    alignment = _alignment(ref, mode, found, segments, sizes, names, centres, max_ratio)
    alignment.far = far_rows(ref, Z, labels) if mode == "score" else None
    return alignment


def _alignment(ref, mode, found, segments, sizes, names, centres, max_ratio) -> Alignment:
    ref_codes, ref_names, ref_sizes = ref.codes, ref.names, ref.sizes
    ref_centres = np.asarray(ref.model.cluster_centers_, dtype=float)
    spacing = spacings(ref_centres)
    codes, final, matches = {}, {}, []
    for m in found:
        s, r = m["segment"], m["reference_segment"]
        codes[s], final[s] = ref_codes[r], ref_names[r]
        now = names.get(s)
        matches.append({"code": codes[s], "name": final[s], "segment": s, "reference_segment": r, "size": sizes[s],
                        "reference_size": ref_sizes[r], **{k: m[k] for k in ("distance", "spacing", "ratio")},
                        "name_now": now if now and now != final[s] else None})
    unmatched = [s for s in segments if s not in codes]
    taken = set(ref_names) | set(final.values())
    new = []
    for s, code in zip(unmatched, next_codes([*ref_codes, *ref.retired], len(unmatched))):
        codes[s] = code
        final[s] = _new_name(str(names.get(s) or code), code, taken)
        taken.add(final[s])
        gap = np.linalg.norm(ref_centres - centres[segments.index(s)], axis=1)
        near = int(gap.argmin())
        new.append({"code": code, "name": final[s], "segment": s, "size": sizes[s], "nearest_code": ref_codes[near],
                    "distance": round(float(gap[near]), 6), "ratio": round(float(gap[near] / spacing[near]), 6)})
    kept = {m["reference_segment"] for m in found}
    vanished = [{"code": ref_codes[r], "name": ref_names[r], "size": ref_sizes[r], "reference_segment": r}
                for r in range(ref.n_segments) if r not in kept]
    if mode == "score":  # the model is the reference's: every model segment keeps its code, none retires
        model_codes, model_names = dict(enumerate(ref_codes)), dict(enumerate(ref_names)) | final
        retired = list(ref.retired)
    else:
        model_codes, model_names = dict(codes), dict(final)
        retired = sorted({*ref.retired, *(v["code"] for v in vanished)})
    return Alignment(mode=mode, reference=ref.describe(), codes=codes, names=final, matches=matches, new=new,
                     vanished=vanished, model_codes=model_codes, model_names=model_names, retired_codes=retired,
                     max_ratio=max_ratio)


def relabel(profile: SegmentProfile, alignment: Alignment) -> SegmentProfile:
    """``profile`` with the codes and names of ``alignment`` (descriptions and actions stay this run's)."""
    return profile.with_codes(alignment.codes).with_names(alignment.names)


def write_reference(path: str | Path, alignment: Alignment) -> Path:
    """Write ``reference.json`` (the format in the module docstring)."""
    return write_json(path, alignment.to_dict())


def _listing(items: Sequence[Mapping[str, Any]]) -> str:
    shown = [f"{i['code']} {i['name']}" if i.get("name") and i["name"] != i["code"] else str(i["code"]) for i in items]
    return joined(shown)


def sentences(data: Mapping[str, Any], *, entity: str = "customers") -> list[str]:
    """What ``reference.json`` says, in plain words, for the index page and ``05_profile``."""
    ref = data.get("reference") or {}
    run, n_ref = ref.get("run_name") or "the earlier run", ref.get("n_segments")
    matches, new, vanished = data.get("matches") or [], data.get("new") or [], data.get("vanished") or []
    if data.get("mode") == "score":
        out = [f"The segments are those of the earlier run {run}, applied unchanged: each of the {entity} is "
               f"placed in the nearest of its {n_ref} segments, which keep their codes and names."]
    else:
        out = [f"The segment codes follow the earlier run {run}: {len(matches)} of its {n_ref} segments were found "
               "again and keep their codes and names" + (f" ({_listing(matches)})." if matches else ".")]
    if new:
        out.append(f"New segments, with new codes: {_listing(new)}." if len(new) > 1 else
                   f"A new segment, with a new code: {_listing(new)}.")
    if vanished:
        verb = "no longer exist" if len(vanished) > 1 else "no longer exists"
        verb = f"got no {entity}" if data.get("mode") == "score" else verb
        sizes = _listing([{"code": f"{v['size']:,}"} for v in vanished])
        out.append(f"{_listing(vanished)} {verb} in this data ({sizes} {entity} in the earlier run).")
    far = data.get("far") or {}
    if far.get("count"):
        where = _listing([{"code": f"{n:,} in {c}"} for c, n in far.get("by_code", {}).items()])
        out.append(f"{far['count']:,} {entity} ({format_share(far['share'])}) lie far from every segment of {run} "
                   f"(more than {far['ratio']:g} times as far from their segment's centre as that centre is from the "
                   f"next): they are placed in the nearest ({where}), but no segment describes them. A refit "
                   "(reference_mode: refit) might give them a segment of their own.")
    renamed = [m for m in matches if m.get("name_now")]
    for m in renamed:
        out.append(f"{m['code']} keeps its name {m['name']}; on this data alone it would be named {m['name_now']}.")
    return out
