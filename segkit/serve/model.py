"""What ``segkit serve`` serves: a model loaded once, the segments it knows and, for a run folder, the
segment of every entity of the run.

:func:`open_served` takes a run folder (``reports/<run>``, holding ``artifacts/model``) or a model folder
(``model.skops`` + ``metadata.json``), loads the model through :func:`segkit.scoring.load_scorer` (so its
hashes are checked before anything is served) and reads the segments. Nothing here imports FastAPI: the
web layer is :mod:`segkit.serve.app`.

Scoring goes through :meth:`segkit.scoring.Scorer.score`, the code behind ``segkit score``; the JSON rows
are typed as a file of the same rows would be (:func:`segkit.io.columns.table_from_records`), so a row
scores the same through the service as in a CSV given to ``segkit score``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..format import segment_code
from ..io import read_json
from ..io.columns import table_from_records
from ..scoring import Scorer, load_scorer

__all__ = ["ServedModel", "open_served", "MAX_ROWS"]

#: Most rows one ``POST /score`` request may carry; a longer list is refused with a 422.
MAX_ROWS = 1000
#: The profile statistics ``GET /segments`` gives per segment (when the run folder has ``profiles.json``).
PROFILE_KEYS = ("description", "action", "mean", "median", "index")


@dataclass
class ServedModel:
    """A loaded model and what the service says about it.

    Attributes
    ----------
    scorer : segkit.scoring.Scorer
    name : str
        The run folder's (or model folder's) name.
    source : str
        ``"run"`` or ``"model"``.
    segments : list of dict
        ``code``, ``name``, ``size``, ``share`` and, for a run folder, ``profile``.
    entities : dict or None
        Entity id -> its row of ``segments.csv`` (run folders only).
    id_column : str or None
        The name of the entity id in ``segments.csv``.
    """

    scorer: Scorer
    name: str
    source: str
    segments: list[dict[str, Any]]
    entities: dict[str, dict[str, Any]] | None = None
    id_column: str | None = None

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` answers."""
        meta = self.scorer.metadata
        return {"status": "ok", "served": self.name, "source": self.source, "data_kind": self.scorer.kind.name,
                "model_sha256": meta.get("model_sha256"), "segments": len(self.segments),
                "can_score": self.scorer.can_score, "features": self.scorer.features, "max_rows": MAX_ROWS,
                "entities": None if self.entities is None else len(self.entities)}

    def score(self, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Score rows given as mappings: ``{"id_column", "rows", "warnings", "counts"}``.

        Each row of ``rows`` has the id, ``segment_code``, ``segment_name``, ``confidence``,
        ``distance_to_centre``, ``outside_training_range`` and ``not_scored`` (null for a scored row) as
        ``segkit score`` writes them. Raises the segkit errors of :meth:`segkit.scoring.Scorer.score`.
        """
        scored = self.scorer.score(table_from_records(records))
        not_scored = scored["not_scored"].fillna("").astype(str)
        scored["not_scored"] = not_scored.where(not_scored.ne(""), None)
        rows = scored.astype(object).where(scored.notna(), None).to_dict(orient="records")
        counts = {"rows": len(scored), "scored": int(not_scored.eq("").sum()),
                  "outside_training_range": int(scored["outside_training_range"].sum()),
                  "not_scored": int(not_scored.ne("").sum())}
        return {"id_column": str(scored.columns[0]), "rows": [_plain(r) for r in rows],
                "warnings": list(scored.attrs.get("warnings") or []), "counts": counts}

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """The segment of a known entity (its row of ``segments.csv``), or None."""
        return None if self.entities is None else self.entities.get(str(entity_id))


def _plain(row: dict) -> dict:
    """A row with numpy scalars as Python ones (for JSON)."""
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


def _model_segments(scorer: Scorer) -> list[dict[str, Any]]:
    """The segments a model folder describes: codes, names and training sizes from its metadata."""
    meta = scorer.metadata
    sizes = [int(s) for s in meta.get("segment_sizes") or []]
    names, codes = meta.get("names") or {}, meta.get("segment_codes") or {}
    by_label = meta.get("segment_names") or {}
    total = sum(sizes) or 1
    out = []
    for i, size in enumerate(sizes):
        code = str(codes.get(str(i)) or segment_code(i, len(sizes)))
        out.append({"code": code, "name": str(names.get(code) or by_label.get(str(i)) or code), "size": size,
                    "share": round(size / total, 4)})
    return out


def _run_segments(artifacts: Path) -> list[dict[str, Any]]:
    """The segments of a run folder: ``segments_summary.json`` with each segment's profile from ``profiles.json``."""
    summary = read_json(artifacts / "segments_summary.json")
    profiles = read_json(artifacts / "profiles.json") if (artifacts / "profiles.json").is_file() else {}
    by_code = {p.get("code"): p for p in profiles.get("segments") or [] if isinstance(p, dict)}
    out = []
    for s in summary.get("segments") or []:
        profile = by_code.get(s.get("code")) or {}
        out.append({"code": s.get("code"), "name": s.get("name"), "size": s.get("size"), "share": s.get("share"),
                    "profile": {k: profile[k] for k in PROFILE_KEYS if k in profile}})
    return out


def _entities(artifacts: Path) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    path = artifacts / "segments.csv"
    if not path.is_file():
        return None, None
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    id_col = str(table.columns[0])
    if "distance_to_centre" in table:
        table["distance_to_centre"] = pd.to_numeric(table["distance_to_centre"], errors="coerce")
    records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    return {str(r[id_col]): _plain(r) for r in records}, id_col


def open_served(path: str | Path) -> ServedModel:
    """Load a run folder or a model folder for the service (the model's hashes are checked here).

    Raises
    ------
    DataFileError
        ``path`` is neither a run folder (with ``artifacts/model``) nor a model folder.
    ModelError
        The model does not match its recorded hash, or its metadata was edited (see :func:`segkit.modelio.load_model`).
    """
    path = Path(path)
    scorer = load_scorer(path)  # a run folder's model, or a model folder (else a segkit error saying neither)
    if scorer.folder == Path(str(path)).expanduser():
        return ServedModel(scorer=scorer, name=path.resolve().name, source="model", segments=_model_segments(scorer))
    artifacts = scorer.folder.parent  # <run>/artifacts
    segments = (_run_segments(artifacts) if (artifacts / "segments_summary.json").is_file()
                else _model_segments(scorer))
    entities, id_col = _entities(artifacts)
    return ServedModel(scorer=scorer, name=path.resolve().name, source="run", segments=segments, entities=entities,
                       id_column=id_col)
