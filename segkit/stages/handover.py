"""The input read, checked and cleaned once per run: what ``segkit run`` hands to ``01_eda``.

Before any notebook starts, ``segkit run`` reads the whole input (hashing its bytes around the read, as ``01_eda``
does), runs the data kind's schema checks on it and cleans it (:func:`segkit.preflight.preflight`, whose work
:class:`~segkit.preflight.Checked` holds), so that a problem stops the run before any kernel starts. ``01_eda`` then did
the same again, and ``02_features`` and ``08_churn``, which need the cleaned table only, waited for it. Now the run
writes 01's four artifacts from its own work (:func:`hand_over`: ``input.json``, ``schema_findings.json``,
``clean.parquet`` and ``cleaning_log.json``, written by the same functions as 01 writes them with), when 02 runs too
its features (``features.parquet`` and ``features_meta.json``: the check built them from the cleaned table, as 02
does), and a marker (:data:`MARKER`) that names the input's hash, the run's params and whether the features were
written. 02 and 08 start at once; 01 reads the artifacts (:func:`handed_over`) instead of checking and cleaning again,
and draws its page; 02 reads the features (:func:`features_handed_over`) instead of reading the cleaned table and
building them again, and 08 scores every customer on them. The run removes the marker when it completes
(:func:`withdraw`), so 01 opened later in JupyterLab, or run with other params or on another input, does the work
itself, as do 02 and 08.

Only a pandas run whose whole input was checked, and whose params the check did not change (a currency adopted from
the amounts), hands over: a big input is checked on a sample, and the duckdb and spark engines clean in the engine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pandas as pd

from ..cleaning import CleaningLog
from ..config import Params
from ..errors import DataFileError, RunError
from ..io import RunFolder
from ..preflight import Checked
from ..findings import Finding
from .context import RunContext, stored_params

__all__ = ["MARKER", "WRITER", "input_record", "write_input", "write_cleaning", "hand_over", "handed_over",
           "features_handed_over", "withdraw"]

#: The artifact that says which input and params the run's check handed over (removed when the run completes).
MARKER = "handover.json"
#: The notebook whose artifacts the run's check writes.
WRITER = "01_eda"


def input_record(raw: pd.DataFrame) -> dict[str, Any]:
    """``input.json`` of an input pandas read (without its file hash): its size, columns, the hash of its rows and the
    reader's notes."""
    content_hash = pd.util.hash_pandas_object(raw, index=False).to_numpy()
    return {"rows": int(len(raw)), "columns": [str(c) for c in raw.columns],
            "content_hash": "rows-sha256:" + hashlib.sha256(content_hash.tobytes()).hexdigest(),
            "read_notes": raw.attrs.get("read_notes", []), "engine": "pandas"}


def write_input(ctx: RunContext, record: dict[str, Any], findings: list[Finding]) -> None:
    """Write ``schema_findings.json`` (the findings said of the run's rows: "member", not "customer") and
    ``input.json`` (``record``)."""
    said = [replace(f, message=ctx.speak(f.message), fix=f.fix and ctx.speak(f.fix)) for f in findings]
    ctx.folder.write_json("schema_findings.json", [f.to_dict() for f in said])
    ctx.folder.write_json("input.json", record)


def write_cleaning(ctx: RunContext, log: CleaningLog, cleaned: pd.DataFrame | None = None) -> CleaningLog:
    """Write ``clean.parquet`` (``cleaned``; None: an engine wrote it) and ``cleaning_log.json``, the log's steps said
    of the run's rows ("Lines without a member id were removed"); returns that log."""
    if cleaned is not None:
        ctx.folder.write_parquet("clean.parquet", cleaned.reset_index(drop=True))
    log.steps = [replace(step, description=ctx.speak(step.description), note=ctx.speak(step.note))
                 for step in log.steps]
    ctx.folder.write_json("cleaning_log.json", log.to_dict())
    return log


def hand_over(ctx: RunContext, checked: Checked, *, features: bool = True) -> bool:
    """Write ``01_eda``'s artifacts from the run's check of the whole input and, with ``features`` (``02_features``
    runs too: a run of 01 alone leaves the earlier run's features as they were), 02's, then the marker that says so.
    False, and no marker, when a table cannot be written as Parquet (a column of mixed types): 01 then writes it, or
    stops on it, as it would have. A disk error (``OSError``) is raised."""
    ctx.folder.ensure()
    try:
        write_input(ctx, input_record(checked.raw) | checked.hashed, checked.findings)
        write_cleaning(ctx, checked.log, checked.cleaned)
        if features:
            ctx.folder.write_features(checked.features)
    except (ValueError, TypeError, NotImplementedError):  # pyarrow's ArrowInvalid, ArrowTypeError, ...
        return False
    ctx.folder.write_json(MARKER, {"file_hash": checked.hashed["file_hash"], "params": _digest(ctx.params),
                                   "features": bool(features)})
    return True


def handed_over(ctx: RunContext, hashed: dict[str, str] | None = None, *, who: str = WRITER) -> bool:
    """Whether the run's check wrote ``01_eda``'s artifacts (the marker is there), so that 01 reads them instead of
    checking and cleaning again. Once it is there, 02 and 08 may be reading them: for other params, or (given
    ``hashed``) for an input whose bytes have another hash, 01 must not write them again, and stops instead (as does
    ``who``, the notebook asking, with other params)."""
    return _marker(ctx, hashed, who) is not None


def features_handed_over(ctx: RunContext, who: str) -> bool:
    """Whether the run's check also wrote ``02_features``' features (:func:`hand_over` with ``features``), so that 02
    and 08 (``who``) read them instead of building them from the cleaned lines."""
    return bool((_marker(ctx, None, who) or {}).get("features"))


def _marker(ctx: RunContext, hashed: dict[str, str] | None, who: str) -> dict | None:
    """The marker :func:`hand_over` wrote, None without one; an error when ``who`` runs with other params than the
    run's, or (given ``hashed``) on an input whose bytes changed since (:func:`handed_over`)."""
    folder = ctx.folder
    if not folder.has(MARKER):
        return None
    marker = folder.read_json(MARKER)
    if marker.get("params") != _digest(ctx.params):
        raise RunError(f"{who}'s params differ from those segkit run checked the input with",
                       "run the batch again; to do the work in this notebook instead, delete "
                       f"{folder.artifact(MARKER)}", path=folder.artifact(MARKER))
    if hashed is not None and marker.get("file_hash") != hashed.get("file_hash"):
        where = hashed.get("path", "the input file")
        raise DataFileError(f"input file {where} changed after segkit run checked it: the cleaned table the other "
                            "notebooks read is of its earlier content",
                            "run again once the file no longer changes (copy it first if another program writes it)",
                            key="data_path", path=where)
    return marker


def withdraw(folder: RunFolder) -> None:
    """Remove the marker (the run is complete, or failed): 01 run again does its own work."""
    folder.artifact(MARKER).unlink(missing_ok=True)


def _digest(params: Params) -> str:
    """The params as ``params.json`` keeps them, hashed: equal params, equal digest, in the driver as in a kernel."""
    text = json.dumps(stored_params(params), sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
