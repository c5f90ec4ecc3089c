"""The history of a reports folder: every run in it, from the run folders' manifests.

:func:`list_runs` reads each run folder under ``--out`` (``reports/`` by default): a complete run
``<run>/``, a failed one ``<run>.failed/``, and a run still being written (or left by a killed process)
``.<run>.partial-<pid>/``. It never fails because of one folder: a missing or unreadable manifest gives
a row that says so. :func:`format_runs` is the table ``segkit runs`` prints, and :func:`write_runs_index`
writes ``reports/index.html``, the page that lists every run with links to its report, which the runner
refreshes after each run (successful or failed).

Names come from folder names and manifests, which a user controls: everything shown on the page is
escaped and every link is percent-encoded.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..io import read_json
from ..io.processes import PARTIAL, owner_alive
from .render import CSP, REPORT_CSS
from .runfolder_safety import MARKER

__all__ = ["list_runs", "format_runs", "write_runs_index", "refresh_runs_index", "RUNS_INDEX"]

#: The folder-level page, one level above the run folders.
RUNS_INDEX = "index.html"
_COLUMNS = ("name", "status", "date", "data_kind", "input_hash", "rows", "k", "segments")


def _json(path: Path) -> Any:
    try:
        return read_json(path) if path.is_file() else None
    except (OSError, ValueError):
        return None


def _status(folder: Path, manifest: dict | None) -> tuple[str, str]:
    """(name, status) of a run folder: ``complete``, ``failed in NB``, ``interrupted in NB``, ``running`` or
    ``interrupted (partial outputs)``."""
    partial = PARTIAL.match(folder.name)
    if partial:
        return partial["name"], "running" if owner_alive(folder) else "interrupted (partial outputs)"
    name = folder.name[:-len(".failed")] if folder.name.endswith(".failed") else folder.name
    if manifest is None:
        return name, "failed (no manifest)" if folder.name.endswith(".failed") else "no manifest"
    status = str(manifest.get("status") or "unknown")
    if status == "ok":
        status = "failed" if folder.name.endswith(".failed") else "complete"
    return name, status


def _segments(folder: Path) -> list[str]:
    summary = _json(folder / "artifacts" / "segments_summary.json")
    items = summary.get("segments") if isinstance(summary, dict) else None
    return [f"{s.get('code', '')} {s.get('name', '')}".strip() for s in items or [] if isinstance(s, dict)]


def _compared(params: dict) -> list[str]:
    """The two runs a comparison (``segkit compare``) compares, by folder name: [RUN_A, RUN_B]; [] for a run."""
    runs = [params.get("reference"), params.get("compare_run")]
    return [Path(str(r)).name for r in runs] if all(runs) else []


def _record(folder: Path) -> dict[str, Any] | None:
    """One run folder as a row of the history, or None when the folder is not a segkit run."""
    manifest = _json(folder / "manifest.json")
    manifest = manifest if isinstance(manifest, dict) else None
    if manifest is None and not (folder / MARKER).is_file() and not folder.name.endswith(".failed") \
            and not PARTIAL.match(folder.name):
        return None
    name, status = _status(folder, manifest)
    m = manifest or {}
    params = _json(folder / "params.json") if manifest is None else m.get("params")
    params = params if isinstance(params, dict) else {}
    # an unfinished run's segments are not a result: 05 may have written them before a later notebook failed
    segments, compares = _segments(folder) if status == "complete" else [], _compared(params)
    timings, inputs, counts = (m.get(key) if isinstance(m.get(key), dict) else {}
                               for key in ("timings", "input", "row_counts"))
    return {"name": str(m.get("run_name") or name), "folder": folder.name, "status": status,
            "error": m.get("error"), "date": str(timings.get("started_at") or "")[:19].replace("T", " "),
            "data_kind": str(m.get("data_kind") or params.get("data_kind") or ""),
            "input_hash": str(inputs.get("hash") or ""), "rows": counts.get("input"),
            "entities": counts.get("segmented"), "k": len(segments) or None, "segments": segments, "compares": compares,
            "index": f"{folder.name}/index.html" if (folder / "index.html").is_file() else None}


def list_runs(out_dir: str | Path = "reports") -> list[dict[str, Any]]:
    """Every run under ``out_dir``, newest first (runs without a date last).

    Returns
    -------
    list of dict
        ``name``, ``folder``, ``status`` (``complete``, ``failed in 03_select_k``, ``interrupted in 05_profile``,
        ``running``, ``interrupted (partial outputs)``, ...), ``error``, ``date`` (UTC start, ``YYYY-MM-DD HH:MM:SS``),
        ``data_kind``, ``input_hash``, ``rows`` (input rows), ``entities`` (segmented), ``k``,
        ``segments`` (``"S01 Champions"``, ...; none for a run that did not complete), ``compares`` (for a
        comparison written by ``segkit compare``, the
        folder names of the two runs it compares; else empty) and ``index`` (the run's page relative to ``out_dir``,
        or None).
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    runs = [r for r in (_record(p) for p in sorted(out_dir.iterdir()) if p.is_dir() and not p.is_symlink()
                        and ".old-" not in p.name) if r is not None]
    dated = sorted((r for r in runs if r["date"]), key=lambda r: r["date"], reverse=True)
    return dated + [r for r in runs if not r["date"]]


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _short_hash(value: str) -> str:
    kind, _, digest = value.rpartition(":")
    return f"{kind}:{digest[:12]}" if digest and len(digest) > 12 else value


def _data(r: dict[str, Any]) -> str:
    """The data column of a run's line: its data kind, said to be a comparison's for one."""
    return r["data_kind"] + (" (comparison)" if r.get("compares") and r["data_kind"] else "")


def _what(r: dict[str, Any]) -> str:
    """The last column of a run's line: its segments, or the two runs a comparison compares."""
    return "compares {} with {}".format(*r["compares"]) if r.get("compares") else ", ".join(r["segments"])


def format_runs(runs: list[dict[str, Any]]) -> str:
    """The runs as a plain-text table (``segkit runs``), one line per run."""
    if not runs:
        return "no runs here yet"
    heads = ("Run", "Status", "Started (UTC)", "Data", "Input hash", "Rows", "k", "Segments")
    rows = [(r["name"], r["status"], r["date"], _data(r), _short_hash(r["input_hash"]), r["rows"], r["k"], _what(r))
            for r in runs]
    rows = [tuple(" ".join(_cell(v).split()) for v in row) for row in rows]  # one line per run, whatever a name holds
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
    widths[-1] = 0  # the last column is not padded

    def line(cells) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(heads), line(["-" * w for w in widths[:-1]] + ["--------"]), *map(line, rows)])


def _row_html(r: dict[str, Any]) -> str:
    esc = html.escape
    name = esc(r["name"])
    link = f"<a href='{esc(quote(r['index']))}'>{name}</a>" if r["index"] else name
    ok = r["status"] == "complete"
    status = esc(r["status"]) if ok else f"<strong>{esc(r['status'])}</strong>"
    error = f"<div class='sk-muted'>{esc(str(r['error']))}</div>" if r.get("error") and not ok else ""
    items = [_what(r)] if r.get("compares") else r["segments"]
    segments = "".join(f"<li>{esc(s)}</li>" for s in items)
    fingerprint = _cell(_short_hash(r["input_hash"]))
    return (f"<tr><td>{link}</td><td>{status}{error}</td><td>{esc(_cell(r['date']))}</td>"
            f"<td>{esc(_cell(_data(r)))}</td>"
            f"<td style='text-align:right'>{esc(_cell(r['rows']))}</td><td style='text-align:right'>{esc(_cell(r['k']))}"
            f"</td><td><ul class='sk-list'>{segments}</ul></td><td class='sk-muted'>{esc(fingerprint)}</td></tr>")


_CSS = """
body { max-width: 1200px; margin: 0 auto; padding: 0 1.5rem 3rem; font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.sk-muted { color: #5b6770; } .sk-table { border-collapse: collapse; } .sk-list { margin: 0; padding-left: 1rem; }
.sk-table td, .sk-table th { border-bottom: 1px solid #e1e6ea; padding: .3rem .7rem; text-align: left; vertical-align: top; }
"""


def write_runs_index(out_dir: str | Path) -> Path:
    """Write ``out_dir/index.html``: every run with its status, date, data, size and segments, and a link
    to its report. Self-contained (no script, no network), written whole and then renamed into place."""
    out_dir = Path(out_dir)
    runs = list_runs(out_dir)
    failed = sum(r["status"] != "complete" for r in runs)
    summary = (f"{len(runs)} run{'s' * (len(runs) != 1)} in this folder" + (f", {failed} of them not complete"
                                                                             if failed else "") + ".")
    body = ("<p>No runs here yet: <code>segkit run params/your.yaml</code> writes one.</p>" if not runs else
            "<table class='sk-table'><thead><tr><th>Run</th><th>Status</th><th>Started (UTC)</th><th>Data</th>"
            "<th>Input rows</th><th>Segments</th><th>Segment names</th><th>Input fingerprint</th></tr></thead>"
            f"<tbody>{''.join(map(_row_html, runs))}</tbody></table>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}"><meta name="referrer" content="no-referrer">
<title>Segmentation runs</title>
<style>{REPORT_CSS}{_CSS}</style></head>
<body>
<header class="sk-header"><div class="sk-kicker">Segmentation runs</div><h1 class="sk-title">Past runs</h1>
<div class="sk-meta">{html.escape(summary)} Newest first; open a run's name to read its report.</div></header>
{body}
<p class="sk-muted">A failed run keeps its reports up to the error; "interrupted" means the run was stopped
before it finished. The input fingerprint changes whenever the input data changes.</p>
</body></html>
"""
    target = out_dir / RUNS_INDEX
    tmp = out_dir / f".{RUNS_INDEX}.tmp-{os.getpid()}"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target


def refresh_runs_index(out_dir: str | Path, say=lambda text: None) -> Path | None:
    """:func:`write_runs_index`, saying instead of failing when the disk refuses (the run itself is done)."""
    try:
        return write_runs_index(out_dir)
    except OSError as exc:
        say(f"the list of runs ({Path(out_dir) / RUNS_INDEX}) could not be refreshed: {exc.strerror or exc}")
        return None
