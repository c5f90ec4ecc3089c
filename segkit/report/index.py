"""The run's ``manifest.json`` and ``index.html``.

The manifest records what is needed to reproduce and audit a run: params (secrets redacted), input hash,
row counts after each cleaning step, package versions, seed and timings. The index is the page a
business reader opens first: headline numbers, the segments, links to every report and the artifacts.
"""

from __future__ import annotations

import base64
import html
import platform
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from ..config import Params
from ..io import hash_path, read_json, write_json
from .render import REPORT_CSS

__all__ = ["write_manifest", "write_index", "package_versions"]

_PACKAGES = ("segkit", "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "seaborn", "papermill",
             "nbconvert", "fastcluster", "pyarrow", "skops")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _artifact(folder: Path, name: str) -> Any:
    path = folder / "artifacts" / name
    return read_json(path) if path.is_file() else None


def write_manifest(folder: Path, *, params: Params, files: list[Path], timings: dict, started_at: datetime,
                   finished_at: datetime, status: str, error: str | None = None) -> dict[str, Any]:
    """Write ``manifest.json`` into ``folder`` and return it."""
    data_input = _artifact(folder, "input.json") or {}
    if params.source == "file" and params.data_path and Path(params.data_path).exists():
        input_hash = "sha256:" + hash_path(params.data_path)
    else:
        input_hash = data_input.get("content_hash")
    cleaning = _artifact(folder, "cleaning_log.json")
    features = _artifact(folder, "features_meta.json") or {}
    segments = _artifact(folder, "segments_summary.json") or {}
    manifest = {
        "status": status,
        "error": error,
        "run_name": params.run_name,
        "data_kind": params.data_kind,
        "params": params.public_dict(),
        "params_files": [str(f) for f in files],
        "input": {"source": params.source, "path": params.data_path if params.source == "file" else None,
                  "hash": input_hash, "rows": data_input.get("rows"), "columns": data_input.get("columns")},
        "row_counts": {
            "input": data_input.get("rows"),
            "cleaning_steps": (cleaning or {}).get("steps"),
            "after_cleaning": (cleaning or {}).get("rows_out"),
            "entities": features.get("n_entities"),
            "segmented": segments.get("n_entities"),
        },
        "seed": params.seed,
        "versions": package_versions(),
        "timings": {"notebooks": timings,
                    "total_s": round((finished_at - started_at).total_seconds(), 2),
                    "started_at": started_at.isoformat(timespec="seconds"),
                    "finished_at": finished_at.isoformat(timespec="seconds")},
    }
    write_json(folder / "manifest.json", manifest)
    return manifest


def _fmt_int(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"


def write_index(folder: Path, *, params: Params, manifest: dict[str, Any], notebooks: list[str]) -> Path:
    """Write ``index.html``: headline numbers, segments, links to every report, artifacts, map thumbnail."""
    esc = html.escape
    features = _artifact(folder, "features_meta.json") or {}
    selection = _artifact(folder, "k_summary.json") or {}
    segments = _artifact(folder, "segments_summary.json") or {}
    ok = manifest["status"] == "ok"
    rows = manifest["row_counts"]
    entity = features.get("entity_label", "entities")

    headline = [
        ("Input rows", _fmt_int(rows.get("input"))),
        ("Rows after cleaning", _fmt_int(rows.get("after_cleaning"))),
        (entity.capitalize() + " segmented", _fmt_int(rows.get("entities"))),
        ("Segments", str(selection.get("chosen_k", "–"))),
    ]
    tiles = "".join(f'<div class="sk-tile"><div class="sk-tile-v">{esc(v)}</div><div>{esc(k)}</div></div>'
                    for k, v in headline)

    seg_rows = "".join(
        f"<tr><td><strong>{esc(str(s.get('code', '')))}</strong></td><td>{esc(str(s.get('name', '')))}</td>"
        f"<td style='text-align:right'>{_fmt_int(s.get('size'))}</td>"
        f"<td style='text-align:right'>{100 * float(s.get('share', 0)):.1f}%</td>"
        f"<td>{esc(str(s.get('extra', '')))}</td></tr>"
        for s in segments.get("segments", []))
    seg_table = (f"<table class='sk-table'><thead><tr><th>Code</th><th>Segment</th><th>{esc(entity.capitalize())}</th>"
                 f"<th>Share</th><th>{esc(segments.get('extra_label', ''))}</th></tr></thead><tbody>{seg_rows}</tbody></table>"
                 if seg_rows else "<p>No segments were produced in this run.</p>")

    links = []
    for name in notebooks:
        business, analyst = folder / f"{name}.html", folder / f"{name}.analyst.html"
        if business.exists():
            timing = manifest["timings"]["notebooks"].get(name, {})
            links.append(f"<li><a href='{esc(business.name)}'>{esc(name)}</a> · <a class='sk-muted' "
                         f"href='{esc(analyst.name)}'>analyst copy (with code)</a>"
                         f"<span class='sk-muted'> · {timing.get('execute_s', 0):.1f}s</span></li>")
        else:
            links.append(f"<li class='sk-muted'>{esc(name)}: not run</li>")
    artifacts = sorted(p.relative_to(folder).as_posix() for p in (folder / "artifacts").rglob("*") if p.is_file())
    art_list = "".join(f"<li><a href='{esc(a)}'>{esc(a)}</a></li>" for a in artifacts)

    thumb = ""
    map_png = folder / "artifacts" / "segment_map.png"
    if map_png.is_file():
        data = base64.b64encode(map_png.read_bytes()).decode()
        thumb = (f"<figure class='sk-figure'><img alt='Map of the segments' style='max-width:420px' "
                 f"src='data:image/png;base64,{data}'><figcaption>Segment map: each dot is one of the "
                 f"{esc(entity)}, placed by its two main directions of difference.</figcaption></figure>")

    status = ("" if ok else f"<div class='sk-warn'><strong>This run failed.</strong> {esc(str(manifest.get('error')))}"
              "</div>")
    rationale = selection.get("rationale")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Segmentation run {esc(str(params.run_name))}</title>
<style>{REPORT_CSS}
body {{ max-width: 1100px; margin: 0 auto; padding: 0 1.5rem 3rem; font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }}
.sk-tiles {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: .8rem; margin: 1rem 0; }}
.sk-tile {{ background: #f5f8fa; border-radius: 6px; padding: .7rem; }} .sk-tile-v {{ font-size: 1.6rem; font-weight: 700; color: #14334a; }}
.sk-muted {{ color: #5b6770; }} .sk-table {{ border-collapse: collapse; }} .sk-table td, .sk-table th {{ border-bottom: 1px solid #e1e6ea; padding: .3rem .7rem; text-align: left; }}
</style></head>
<body>
<header class="sk-header"><div class="sk-kicker">Segmentation run · {esc(params.data_kind)} data</div>
<h1 class="sk-title">{esc(str(params.run_name))}</h1>
<div class="sk-meta">Run on {esc(manifest['timings']['started_at'][:10])} · input {esc(str(manifest['input'].get('path') or params.source))}</div></header>
{status}
<div class="sk-tiles">{tiles}</div>
{f"<p class='sk-note'>{esc(rationale)}</p>" if rationale else ""}
<h2 id="segments">Segments</h2>
{seg_table}
{thumb}
<h2 id="reports">Reports</h2>
<ol>{''.join(links)}</ol>
<h2 id="artifacts">Artifacts</h2>
<ul>{art_list}</ul>
<p class="sk-muted">Run details (params, input hash, versions, timings): <a href="manifest.json">manifest.json</a></p>
</body></html>
"""
    out = folder / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
