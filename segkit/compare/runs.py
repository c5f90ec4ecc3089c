"""Two run folders as a comparison reads them, and which of their segments mean the same thing.

:func:`read_run` reads what ``05_profile`` and ``02_features`` wrote (``segments.csv``, ``profiles.json``,
``features.parquet`` with ``features_meta.json``) and the run's ``manifest.json`` (or ``params.json`` for a run
opened by hand). It only reads. Each run keeps its own segment codes and names: a segment is shown as
``"S03 Champions"``, whatever the other run calls its segments.

:func:`match_segments` pairs the segments of the earlier run with those of the later one:

1. by ``artifacts/reference.json`` of the later run, when that run followed the earlier one (its reference
   is the earlier run's folder): the alignment's matches, made in the reference's feature space;
2. otherwise by the same code and the same name (a run aligned to the earlier one keeps both);
3. then, among the segments still unpaired, by the same name alone (names are unique within a run);
4. then, among those still unpaired, by their members (as below), when most members of both are in both: a
   segment renamed on new data ("Big Spenders" now "Affluent Seniors") is the same segment;

but two runs of the same input (the same fingerprint) hold the same entities, so their segments are paired by
their members instead: an optimal matching on the share of members two segments have in common (Jaccard), a
pair counting only from :data:`MIN_JACCARD` (0.5: most members of both are in both). Another seed renumbers
and may rename segments that are the same people; members tell which they are.

Segments left unpaired are new (later run only) or gone (earlier run only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataFileError, DataValueError
from ..io import read_json
from ..modelio import run_unfinished

__all__ = ["RunSide", "read_run", "check_comparable", "match_segments", "same_input", "aligned_to", "follows",
           "stale_alignment", "REQUIRED", "MIN_JACCARD"]

#: The artifacts a comparison reads, and the notebook that writes each.
REQUIRED = {"segments.csv": "05_profile", "profiles.json": "05_profile", "features.parquet": "02_features"}
_HOW = {"reference": "aligned to the earlier run", "code": "same code and name", "name": "same name",
        "members": "same members", "most": "most members in common"}
MIN_JACCARD = 0.5  #: two segments are a pair by members from this share of common members (Jaccard)


@dataclass
class RunSide:
    """One run of a comparison.

    Attributes
    ----------
    path : Path
        The run folder.
    name : str
        The run's name (its manifest's ``run_name``, else the folder name).
    data_kind : str
    entity : str
        What a row is ("customers", "areas").
    segments : DataFrame
        One row per segment in segment order: ``code``, ``name``, ``label`` ("S01 Champions"), ``size``,
        ``share``, ``index`` (feature -> index against the whole) and ``mean`` (feature -> the segment's mean).
    assignments : Series
        Entity id (text) -> the code of its segment.
    features : DataFrame
        The feature table, one row per entity.
    meta : dict
        ``features_meta.json`` (labels, units, the clustering columns).
    reference : dict or None
        ``reference.json``, when the run followed a reference run.
    profiled : list of str
        The features of the profiles (``profiles.json``), the clustering features first.
    params : dict
        The run's params (its manifest's, else ``params.json``).
    input_hash : str or None
        The fingerprint of the input the run read (its manifest's ``input.hash``; for a run still being written,
        its ``input.json``'s, the same), when recorded.
    rows_hash : str or None
        The fingerprint of the rows it read (``input.json``'s ``content_hash``): one file's two sheets, or one file
        read with other settings, give other rows.
    """

    path: Path
    name: str
    data_kind: str
    entity: str
    segments: pd.DataFrame
    assignments: pd.Series
    features: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] | None = None
    profiled: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    input_hash: str | None = None
    rows_hash: str | None = None

    @property
    def labels(self) -> dict[str, str]:
        """Segment code -> "S01 Champions"."""
        return dict(zip(self.segments["code"], self.segments["label"]))

    @property
    def names(self) -> dict[str, str]:
        """Segment code -> its name (the code when it has none)."""
        return dict(zip(self.segments["code"], self.segments["name"]))


def _json_or_none(path: Path) -> Any:
    try:
        return read_json(path) if path.is_file() else None
    except (OSError, ValueError):
        return None


def _unfinished(folder: Path, role: str) -> None:
    """Refuse a run that did not complete: its segments are not a result (``segkit runs`` lists none for it)."""
    status = run_unfinished(folder)
    if status:
        raise DataValueError(f"the {role} run {folder.name} did not complete ({status}), so its segments are not a "
                             "result to compare", "run it again to the end, or compare complete runs (segkit runs "
                             "lists them)", path=folder)


def _folder(path: str | Path, role: str) -> Path:
    """The run folder of ``path`` (a run folder, or its ``artifacts/model`` folder), checked to exist."""
    folder = Path(path).expanduser()
    if folder.name == "model" and folder.parent.name == "artifacts":
        folder = folder.parent.parent
    if not folder.is_dir():
        raise DataFileError(f"the {role} run {folder} is not a folder", "give a run folder such as reports/<run> "
                            "(segkit runs lists the runs of a reports folder)", path=folder)
    missing = [name for name in REQUIRED if not (folder / "artifacts" / name).is_file()]
    if missing:
        needs = sorted({REQUIRED[m] for m in missing})
        raise DataFileError(f"the {role} run {folder.name} ({folder}) has no {', '.join('artifacts/' + m for m in missing)}",
                            f"choose a run that completed {' and '.join(needs)} (segkit runs lists them), or run its "
                            f"notebooks up to {needs[-1]} first", path=folder)
    return folder


def _segments(profiles: dict[str, Any], folder: Path, role: str) -> pd.DataFrame:
    items = profiles.get("segments") if isinstance(profiles, dict) else None
    if not isinstance(items, list) or not items:
        raise DataFileError(f"the {role} run {folder.name} has no segments in artifacts/profiles.json",
                            "run its 05_profile notebook again", path=folder / "artifacts" / "profiles.json")
    rows = []
    for item in sorted(items, key=lambda s: int(s.get("segment", 0))):
        code, name = str(item.get("code")), str(item.get("name") or "")
        rows.append({"segment": int(item.get("segment", len(rows))), "code": code, "name": name or code,
                     "label": f"{code} {name}".strip(), "size": int(item.get("size", 0)),
                     "share": float(item.get("share", 0.0)), "index": dict(item.get("index") or {}),
                     "mean": dict(item.get("mean") or {})})
    return pd.DataFrame(rows)


def read_run(path: str | Path, *, role: str = "earlier") -> RunSide:
    """Read one run folder for a comparison (``role``, "earlier" or "later", names it in messages).

    Raises
    ------
    DataFileError
        When the folder or one of the artifacts a comparison needs is missing, naming the run and the
        notebook that writes it.
    """
    folder = _folder(path, role).resolve()
    artifacts = folder / "artifacts"
    manifest = _json_or_none(folder / "manifest.json") or {}
    manifest = manifest if isinstance(manifest, dict) else {}
    _unfinished(folder, role)
    params = manifest.get("params") if isinstance(manifest.get("params"), dict) else None
    params = params or _json_or_none(folder / "params.json") or {}
    meta = _json_or_none(artifacts / "features_meta.json") or {}
    profiles = _json_or_none(artifacts / "profiles.json")
    profiled = [str(f) for f in (profiles or {}).get("features") or []] if isinstance(profiles, dict) else []
    # a log median as the median itself (Delaware's "Household income (log)", index 102, beside its dollars)
    twins = {k: v for k, v in ((meta.get("extra") or {}).get("shown_as") or {}).items() if v in profiled}
    profiled = [f for f in profiled if f not in twins]
    first = [c for c in (twins.get(c, c) for c in meta.get("columns") or []) if c in profiled]
    table = pd.read_csv(artifacts / "segments.csv", dtype=str, keep_default_na=False)
    if "segment_code" not in table.columns or table.columns[0] == "segment_code":
        raise DataFileError(f"artifacts/segments.csv of the {role} run {folder.name} has no id and segment_code "
                            "columns", "run its 05_profile notebook again", path=artifacts / "segments.csv")
    ids = table.iloc[:, 0]
    data_input = manifest.get("input") if isinstance(manifest.get("input"), dict) else {}
    read = _json_or_none(artifacts / "input.json")
    read = read if isinstance(read, dict) else {}
    if not data_input.get("hash"):  # a run still being written (09_compare in a batch): what 01_eda recorded
        data_input = {"hash": read.get("file_hash") or read.get("content_hash")}
    if ids.duplicated().any():
        raise DataValueError(f"artifacts/segments.csv of the {role} run {folder.name} lists "
                             f"{int(ids.duplicated().sum()):,} ids twice", "run its 05_profile notebook again",
                             path=artifacts / "segments.csv")
    return RunSide(path=folder, name=str(manifest.get("run_name") or params.get("run_name") or folder.name),
                   data_kind=str(manifest.get("data_kind") or params.get("data_kind") or ""),
                   entity=str(meta.get("entity") or "entities"),
                   segments=_segments(profiles, folder, role),
                   assignments=pd.Series(table["segment_code"].to_numpy(), index=ids.to_numpy(), name="segment"),
                   features=pd.read_parquet(artifacts / "features.parquet"), meta=meta,
                   reference=_json_or_none(artifacts / "reference.json"),
                   profiled=[*first, *(f for f in profiled if f not in first)], params=dict(params),
                   input_hash=str(data_input["hash"]) if data_input.get("hash") else None,
                   rows_hash=str(read["content_hash"]) if read.get("content_hash") else None)


def same_input(earlier: RunSide, later: RunSide) -> bool | None:
    """Whether two runs read the same rows: by the rows' fingerprints when both runs recorded them, else by the
    input's; None when either run lacks both (a run folder made by hand)."""
    for a, b in ((earlier.rows_hash, later.rows_hash), (earlier.input_hash, later.input_hash)):
        if a and b:
            return a == b
    return None


def check_comparable(earlier: RunSide, later: RunSide) -> None:
    """Refuse two runs of different data kinds (their entities and features are not the same things), and two
    runs of different inputs that share no measure (their segments describe different things: two different
    tables). Two runs of the same input are comparable whatever their measures: they hold the same entities."""
    if len({earlier.data_kind, later.data_kind} - {""}) > 1:  # an unknown kind (a run opened by hand) is not refused
        raise DataValueError(f"run {earlier.name} segments {earlier.data_kind} data and run {later.name} "
                             f"{later.data_kind} data, so their segments cannot be compared",
                             "compare two runs of the same data kind (segkit runs shows each run's kind)",
                             path=later.path)
    measures = [[str(c) for c in side.meta.get("columns") or side.features.columns] for side in (earlier, later)]
    if not set(measures[0]) & set(measures[1]) and not same_input(earlier, later):
        shown = [", ".join(m[:6]) + (", ..." if len(m) > 6 else "") for m in measures]
        raise DataValueError(f"run {earlier.name} segments by {shown[0]} and run {later.name} by {shown[1]}: no "
                             "measure in common, so these are runs of different tables and their segments cannot be "
                             "compared", "compare two runs of the same table (segkit runs shows each run's input)",
                             path=later.path)
    if follows(earlier, later):
        raise DataValueError(f"run {earlier.name} was aligned to run {later.name} (its reference), so {later.name} is "
                             "the earlier run", f"give the earlier run first: segkit compare {later.path} "
                             f"{earlier.path}", path=earlier.path)


def aligned_to(later: RunSide, earlier: RunSide) -> dict | None:
    """The later run's record of its reference, when that reference is the earlier run's folder."""
    ref = (later.reference or {}).get("reference")
    if not isinstance(ref, dict) or not ref.get("path"):
        return None
    try:
        return ref if Path(str(ref["path"])).resolve() == earlier.path else None
    except OSError:
        return None


def follows(later: RunSide, earlier: RunSide) -> bool:
    """Whether the later run was aligned to the earlier run as it is now (the model its reference.json recorded;
    a run again under the earlier's name since has another model, and its codes may mean other segments)."""
    ref = aligned_to(later, earlier)
    return ref is not None and not stale_alignment(later, earlier)


def stale_alignment(later: RunSide, earlier: RunSide) -> bool:
    """Whether the later run was aligned to an earlier version of the earlier run's folder: run again since with
    other segments. The alignment recorded each reference segment's code, name and size (``reference.json``'s
    matches and vanished); a run again with the same data and settings has the same ones, whatever its path."""
    if aligned_to(later, earlier) is None:
        return False
    now = {str(c): (str(n), int(z)) for c, n, z in zip(earlier.segments["code"], earlier.segments["name"],
                                                       earlier.segments["size"])}
    by_segment = dict(zip(earlier.segments["segment"], earlier.segments["code"]))
    recorded = []
    for m in [m for m in (later.reference or {}).get("matches") or [] if isinstance(m, dict)]:
        code = m.get("reference_code") or by_segment.get(m.get("reference_segment")) or m.get("code")
        # a matched segment keeps the reference's code and name: the name recorded is the reference's then
        recorded.append((code, m.get("name") if m.get("code") == code else None, m.get("reference_size")))
    recorded += [(v.get("code"), v.get("name"), v.get("size"))
                 for v in (later.reference or {}).get("vanished") or [] if isinstance(v, dict)]
    return any(code is not None and (str(code) not in now or (name is not None and now[str(code)][0] != str(name))
                                     or (size is not None and now[str(code)][1] != int(size)))
               for code, name, size in recorded)


def _reference_pairs(earlier: RunSide, later: RunSide) -> list[tuple[str, str]]:
    by_segment = dict(zip(earlier.segments["segment"], earlier.segments["code"]))
    pairs = []
    for item in (later.reference or {}).get("matches") or []:
        if not isinstance(item, dict):
            continue
        then = item.get("reference_code") or by_segment.get(item.get("reference_segment"))
        if then in set(earlier.segments["code"]) and item.get("code") in set(later.segments["code"]):
            pairs.append((str(then), str(item["code"])))
    return pairs


def _member_pairs(earlier: RunSide, later: RunSide, skip: tuple[set, set] = (set(), set())) -> list[tuple[str, str]]:
    """Pairs of segments with most of their members in common (Jaccard from :data:`MIN_JACCARD`, each segment counted
    whole: two segments sharing 2 customers of their 100 are no pair, however few customers both runs hold),
    matched optimally; the segments of ``skip`` (earlier codes, later codes) are already paired."""
    from scipy.optimize import linear_sum_assignment

    both = earlier.assignments.index.intersection(later.assignments.index, sort=False)
    if not len(both):
        return []
    counts = pd.crosstab(earlier.assignments.loc[both].to_numpy(), later.assignments.loc[both].to_numpy())
    common = counts.to_numpy(dtype=float)
    sizes_a = earlier.assignments.value_counts().reindex(counts.index).to_numpy(dtype=float)
    sizes_b = later.assignments.value_counts().reindex(counts.columns).to_numpy(dtype=float)
    jaccard = common / (sizes_a[:, None] + sizes_b[None, :] - common)
    jaccard[counts.index.isin(list(skip[0])), :] = 0.0
    jaccard[:, counts.columns.isin(list(skip[1]))] = 0.0
    rows, cols = linear_sum_assignment(-jaccard)
    return [(str(counts.index[r]), str(counts.columns[c])) for r, c in zip(rows, cols) if jaccard[r, c] >= MIN_JACCARD]


def match_segments(earlier: RunSide, later: RunSide) -> pd.DataFrame:
    """Pairs of segments that mean the same thing (see the module docstring).

    Returns
    -------
    DataFrame
        ``earlier`` and ``later`` (segment codes of each run) and ``how`` (in words), in the earlier run's
        segment order.
    """
    if follows(later, earlier):  # the alignment decided: its unmatched segments are new or vanished
        pairs = [(a, b, _HOW["reference"]) for a, b in _reference_pairs(earlier, later)]
    elif same_input(earlier, later):
        pairs = [(a, b, _HOW["members"]) for a, b in _member_pairs(earlier, later)]
    else:
        later_names = later.names
        pairs = [(c, c, _HOW["code"]) for c, n in earlier.names.items() if later_names.get(c) == n]
        used_a, used_b = {p[0] for p in pairs}, {p[1] for p in pairs}
        by_name = {n: c for c, n in later_names.items() if c not in used_b}
        for code, name in earlier.names.items():
            if code not in used_a and name in by_name and name != code:
                pairs.append((code, by_name.pop(name), _HOW["name"]))
        used_a, used_b = {p[0] for p in pairs}, {p[1] for p in pairs}
        pairs += [(a, b, _HOW["most"]) for a, b in _member_pairs(earlier, later, skip=(used_a, used_b))]
    order = {c: i for i, c in enumerate(earlier.segments["code"])}
    pairs.sort(key=lambda p: order[p[0]])
    return pd.DataFrame(pairs, columns=["earlier", "later", "how"])
