"""``segkit compare RUN_A RUN_B``: the ``09_compare`` report for two existing runs, in a folder of its own.

The comparison is a run like any other, made by the same machinery (:func:`segkit.report.runner.run_notebooks`:
papermill, the business and analyst copies, the manifest and appendix, the hidden partial folder moved into
place): a run named ``compare_<A>_vs_<B>`` under ``--out`` whose params are RUN_B's with ``reference`` set to
RUN_A and ``compare_run`` to RUN_B, and whose only notebook is the compare notebook. Its page
(:func:`write_compare_index`) shows the summary and links to the reports.

Both runs are only read: the comparison writes nothing outside ``--out``, and ``--out`` may not be inside
either run. Two runs of different data kinds, or a run without the artifacts a comparison reads, are refused
before anything is written (a segkit error naming the run and the fix).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..compare import check_comparable, read_run
from ..config import SECRET_KEYS, Params, check_run_name, params_from_mapping
from ..errors import RunError
from ..io import read_json
from .index import _INDEX_CSS, _artifact_list, _ended, _report_links
from .render import CSP, REPORT_CSS
from .runfolder_safety import refuse_foreign
from .runner import RunResult, _Progress, discover_notebooks, notebooks_folder, run_notebooks

__all__ = ["compare", "compare_name", "write_compare_index"]

_SUFFIX = "_compare"  #: the notebook of a comparison: NN_compare.ipynb


def compare_name(run_a: Path, run_b: Path) -> str:
    """The comparison's run name: ``compare_<A>_vs_<B>`` (folder names)."""
    return check_run_name(f"compare_{run_a.name}_vs_{run_b.name}", source="the comparison's folder name")


def _params(a_path: Path, b, name: str) -> Params:
    """RUN_B's params, with the comparison's run name, reference and compare_run; no input and no secret
    (a comparison reads only the two run folders)."""
    values = dict(read_json(b.path / "params.json")) if (b.path / "params.json").is_file() else {"data_kind": b.data_kind}
    values.update({"run_name": name, "reference": str(a_path), "compare_run": str(b.path), "data_path": None,
                   "sql_query": None, **{k: None for k in SECRET_KEYS}})
    return params_from_mapping(values, source=f"{b.path / 'params.json'}")


def _outside(out_dir: Path, *runs: Path) -> None:
    for run in runs:
        if out_dir == run or run in out_dir.parents:
            raise RunError(f"--out {out_dir} is inside the run {run.name}, which a comparison only reads",
                           "choose an --out outside both runs, such as the reports folder that holds them", path=out_dir)


def compare(run_a: str | Path, run_b: str | Path, *, out_dir: str | Path = "reports", notebooks_dir: str | Path | None = None,
            force: bool = False, say: Callable[[str], None] = print) -> RunResult:
    """Write the comparison of ``run_a`` (the earlier run) with ``run_b`` as ``compare_<A>_vs_<B>`` under ``out_dir``.

    Raises
    ------
    SegkitError
        A run folder or an artifact is missing, the runs are of different data kinds, ``out_dir`` is inside a
        run, or the comparison's folder exists (without ``force``): before anything is written.
    """
    started_at = datetime.now(timezone.utc)
    progress = _Progress(say)
    a, b = read_run(run_a, role="earlier"), read_run(run_b, role="later")
    check_comparable(a, b)
    out_dir = Path(out_dir).resolve()
    _outside(out_dir, a.path, b.path)
    params = _params(a.path, b, compare_name(a.path, b.path))
    refuse_foreign(out_dir, params.run_name, force=force)
    if (out_dir / params.run_name).exists() and not force:
        raise RunError(f"the comparison {out_dir / params.run_name} already exists", "pass --force to replace it, or "
                       "choose another --out", path=out_dir / params.run_name)
    directory = notebooks_folder(notebooks_dir)
    notebooks = [nb for nb in discover_notebooks(directory, params.data_kind, params) if nb.name.endswith(_SUFFIX)]
    if not notebooks:
        raise RunError(f"no comparison notebook (NN{_SUFFIX}.ipynb) in {directory}",
                       "run segkit from the project folder or pass --notebooks", path=directory)
    for nb in notebooks:
        nb.after = []
    progress(f"comparing {a.name} ({len(a.assignments):,} {a.entity}) with {b.name} ({len(b.assignments):,} {b.entity})")
    return run_notebooks(params, [], notebooks, out_dir=out_dir, force=force, progress=progress, started_at=started_at,
                         source=f"runs {a.name} and {b.name}", jobs=1, index=write_compare_index)


def _summary(folder: Path) -> dict[str, Any]:
    path = folder / "artifacts" / "compare" / "summary.json"
    try:
        data = read_json(path) if path.is_file() else {}
    except (OSError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {}


def write_compare_index(folder: Path, *, params: Params, manifest: dict[str, Any], notebooks: list[str]) -> Path:
    """The comparison's ``index.html``: which runs, the summary, links to the reports and the artifacts."""
    esc, data = html.escape, _summary(folder)
    runs = [data.get(side) if isinstance(data.get(side), dict) else {} for side in ("earlier", "later")]
    names = [str(r.get("name") or "–") for r in runs]
    status = ("" if manifest["status"] == "ok" else
              f"<div class='sk-warn'><strong>This comparison {_ended(manifest)}.</strong> "
              f"{esc(str(manifest.get('error')))}</div>")
    sentences = "".join(f"<li>{esc(str(s))}</li>" for s in data.get("summary") or [])
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}"><meta name="referrer" content="no-referrer">
<title>Comparison {esc(names[0])} vs {esc(names[1])}</title>
<style>{REPORT_CSS}{_INDEX_CSS}</style></head>
<body>
<header class="sk-header"><div class="sk-kicker">Comparison of two runs · {esc(params.data_kind)} data</div>
<h1 class="sk-title">{esc(names[0])} compared with {esc(names[1])}</h1>
<div class="sk-meta">Made on {esc(manifest['timings']['started_at'][:10])}</div></header>
{status}
{f"<h2 id='summary'>Summary</h2><ul>{sentences}</ul>" if sentences else ""}
<h2 id="reports">Reports</h2>
<ol>{_report_links(folder, manifest, notebooks)}</ol>
<h2 id="artifacts">Artifacts</h2>
<ul>{_artifact_list(folder)}</ul>
<p class="sk-muted">Details (params, versions, timings): the appendix of every report, and
<a href="manifest.json">manifest.json</a>.</p>
</body></html>
"""
    out = folder / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
