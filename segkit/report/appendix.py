"""The end of a run: the "Appendix: run details" of every report, the privacy check and the size budget.

The run manifest (params, input hash, rows after each cleaning step, package versions, seed, timings) is
only known once every notebook has run, so the runner calls :func:`finalise_reports` after writing
``manifest.json``. For each notebook it

1. checks the business copy for individual records: an output that shows an identifier column in a
   table header, or a customer id from ``artifacts/segments.csv``, is replaced by a note and the business
   copy is rendered again from the executed notebook (the analyst copy keeps it);
2. adds (or replaces, on ``--only`` runs) the appendix and its table-of-contents entry in both copies;
3. warns when a report is above :data:`~segkit.report.render.SIZE_BUDGET_BYTES`.

Secret params are never shown, not even redacted; the business appendix names files without their folders.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from .. import kinds
from ..cleaning import rows_added
from ..config import SECRET_KEYS, Params, keys_for
from ..format import MISSING_TEXT
from ..naming.words import counted
from .render import (SIZE_BUDGET_BYTES, PrivateData, add_toc_entry, page_entity, private_outputs, render_notebook,
                     report_paths)

__all__ = ["APPENDIX_ID", "APPENDIX_TITLE", "appendix_html", "add_appendix", "private_data", "finalise_reports"]

APPENDIX_ID = "appendix-run-details"
APPENDIX_TITLE = "Appendix: run details"
_START, _END = "<!--segkit-appendix-->", "<!--/segkit-appendix-->"
#: Under the timings table: why its times do not add up.
_TIMINGS_NOTE = ('<p class="sk-muted">Run: from the start of each notebook to its end, including the time it waited '
                 "for other notebooks' results. Notebooks run side by side, so the times overlap and do not add up "
                 "to the total.</p>")
#: Versions listed first in the appendix; the rest follow alphabetically.
_MAIN_PACKAGES = ("python", "segkit", "pandas", "numpy", "scikit-learn")


def _e(value: Any) -> str:
    return html.escape(MISSING_TEXT if value is None or value == "" else str(value))


def _int(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else _e(value)


def _seconds(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, (int, float)) and not isinstance(value, bool) else _e(value)


def _time_cells(timing: Mapping) -> str:
    """A notebook's run, the part of it spent waiting (none in a manifest from before waits were timed), its render."""
    times = (timing.get("execute_s"), timing.get("waited_s", 0), timing.get("render_s"))
    return "".join(f"<td class='sk-num'>{_seconds(t)}</td>" for t in times)


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _path(value: Any, *, business: bool) -> str:
    if value is None:
        return MISSING_TEXT
    text = str(value)
    return _e(Path(text).name if business and "://" not in text else text)


def _param_value(key: str, value: Any, *, business: bool) -> str:
    if key in SECRET_KEYS:
        return "<em>set (secret, not shown)</em>" if value else MISSING_TEXT
    if key == "data_path" and value:
        return f"<code>{_path(value, business=business)}</code>"
    if isinstance(value, (list, tuple)):
        return _e(", ".join(map(str, value))) if value else MISSING_TEXT
    if isinstance(value, dict):
        return _e(", ".join(f"{k}: {v}" for k, v in value.items())) if value else MISSING_TEXT
    return _e(value)


def appendix_html(manifest: Mapping[str, Any], *, business: bool) -> str:
    """The appendix section for one report, from the run's manifest (escaped throughout)."""
    timings = manifest.get("timings") or {}
    inp = manifest.get("input") or {}
    counts = manifest.get("row_counts") or {}
    status = manifest.get("status", MISSING_TEXT)
    run = _rows([
        ("Run", _e(manifest.get("run_name"))),
        ("Status", _e(status) + (f" ({_e(manifest.get('error'))})" if manifest.get("error") else "")),
        ("Data kind", _e(manifest.get("data_kind"))),
        ("Started (UTC)", _e(timings.get("started_at"))),
        ("Finished (UTC)", _e(timings.get("finished_at"))),
        ("Total time", _e(f"{timings['total_s']:.0f} s" if isinstance(timings.get("total_s"), (int, float)) else None)),
        ("Random seed", _e(manifest.get("seed"))),
        ("Params files", ", ".join(f"<code>{_path(f, business=business)}</code>" for f in manifest.get("params_files", []))
         or MISSING_TEXT),
    ])
    columns = inp.get("columns") or []
    source = inp.get("source")
    data = _rows([
        ("Source", _e("database query" if source == "sql" else "file" if source == "file" else source)),
        ("File", f"<code>{_path(inp.get('path'), business=business)}</code>" if inp.get("path") else MISSING_TEXT),
        ("Content hash", f"<code>{_e(inp.get('hash'))}</code>"),
        ("Rows", _int(inp.get("rows"))),
        (f"Columns ({len(columns)})", _e(", ".join(map(str, columns))) if columns else MISSING_TEXT),
    ])
    cleaning = _cleaning_steps([s for s in counts.get("cleaning_steps") or [] if isinstance(s, Mapping)])
    totals = _rows([("Input rows", _int(counts.get("input"))), ("Rows after cleaning", _int(counts.get("after_cleaning"))),
                    ("Entities (rows of the feature table)", _int(counts.get("entities"))),
                    ("Entities segmented", _int(counts.get("segmented")))])
    nb_times = timings.get("notebooks") or {}
    time_rows = "".join(f"<tr><td>{_e(name)}</td>{_time_cells(t)}</tr>"
                        for name, t in sorted(nb_times.items()) if isinstance(t, Mapping))
    versions = manifest.get("versions") or {}
    order = [k for k in _MAIN_PACKAGES if k in versions] + sorted(k for k in versions if k not in _MAIN_PACKAGES)
    version_rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(versions[k])}</td></tr>" for k in order)
    return (
        f'{_START}<section class="sk-appendix"><h2 id="{APPENDIX_ID}">{_e(APPENDIX_TITLE)}</h2>'
        '<p class="sk-muted">How this report was produced, recorded when the run finished (the same details are '
        "in <code>manifest.json</code> in the run folder).</p>"
        f"<h3>Run</h3><table><tbody>{run}</tbody></table>"
        f"<h3>Input data</h3><table><tbody>{data}</tbody></table>"
        f"<h3>Rows after each cleaning step</h3>{cleaning}<table><tbody>{totals}</tbody></table>"
        + ("<h3>Timings</h3><table><thead><tr><th>Report</th><th>Run</th><th>Of which waiting</th><th>Render</th>"
           f"</tr></thead><tbody>{time_rows}</tbody></table>{_TIMINGS_NOTE}" if time_rows else "")
        + _parameters(manifest, business)
        + f"<h3>Package versions</h3><details{'' if business else ' open'}><summary>{len(versions)} packages"
        f"</summary><table><tbody>{version_rows}</tbody></table></details>"
        f"</section>{_END}")


def add_appendix(page: str, manifest: Mapping[str, Any], *, business: bool) -> str:
    """``page`` with its appendix and table-of-contents entry added, or replaced if already there."""
    page = re.sub(re.escape(_START) + ".*?" + re.escape(_END) + "\n?", "", page, flags=re.S)
    section = appendix_html(manifest, business=business)
    at = page.rfind("</main>")
    if at < 0:
        at = page.rfind("</body>")
    page = page + section if at < 0 else page[:at] + section + "\n" + page[at:]
    return add_toc_entry(page, APPENDIX_ID, APPENDIX_TITLE)


def _read_ids(folder: Path, params: Params) -> list[str]:
    """Entity ids of the run: ``segments.csv`` (first column), else the feature table's index, else the
    id column of the cleaned data (a run that failed early)."""
    import pandas as pd

    artifacts = folder / "artifacts"
    if (artifacts / "segments.csv").is_file():
        return pd.read_csv(artifacts / "segments.csv", usecols=[0], dtype=str).iloc[:, 0].dropna().tolist()
    if (artifacts / "features.parquet").is_file():
        return [str(i) for i in pd.read_parquet(artifacts / "features.parquet", columns=[]).index]
    id_col = (kinds.get(params.data_kind).id_columns(params) or [None])[0]
    if (artifacts / "clean.parquet").is_file() and id_col:
        try:
            col = pd.read_parquet(artifacts / "clean.parquet", columns=[id_col]).iloc[:, 0]
        except (KeyError, ValueError, OSError):
            return []
        return [str(v) for v in col.dropna().unique()]
    return []


def private_data(folder: str | Path, params: Params) -> PrivateData:
    """What marks individual records in this run's outputs: identifier columns and entity ids.

    A kind whose rows are not people (census areas) has none: its tables may list areas by code.
    """
    kind = kinds.get(params.data_kind)
    if not kind.private_records:
        return PrivateData()
    folder = Path(folder)
    columns = set(kind.id_columns(params)) | {"customer_id"}
    segments = folder / "artifacts" / "segments.csv"
    if segments.is_file():
        with segments.open(encoding="utf-8") as fh:
            columns.add(fh.readline().split(",")[0].strip())
    return PrivateData(columns=frozenset(columns), ids=frozenset(_read_ids(folder, params)))


def _header_text(page: str, cls: str) -> str:
    match = re.search(rf'<div class="{cls}">(.*?)</div>', page, flags=re.S)
    return html.unescape(match.group(1)) if match else ""


def _cleaning_steps(steps: list[Mapping[str, Any]]) -> str:
    """The rows before, removed and after each cleaning step, and added when a step added rows (the refunds' lines)
    as the data-quality page shows them."""
    if not steps:
        return ""
    added = [rows_added(s) if all(k in s for k in ("rows_before", "rows_removed", "rows_after")) else 0 for s in steps]
    extra = any(added)
    cells = [[s.get("rows_before"), s.get("rows_removed"), *([n] if extra else []), s.get("rows_after")]
             for s, n in zip(steps, added)]
    rows = "".join(f"<tr><td>{_e(s.get('description') or s.get('rule'))}</td>"
                   + "".join(f"<td class='sk-num'>{_int(v)}</td>" for v in counts) + "</tr>"
                   for s, counts in zip(steps, cells))
    return ("<table><thead><tr><th>Cleaning step</th><th>Rows before</th><th>Removed</th>"
            + ("<th>Added</th>" if extra else "") + f"<th>Rows after</th></tr></thead><tbody>{rows}</tbody></table>")


def _parameters(manifest: Mapping[str, Any], business: bool) -> str:
    """The appendix's parameters: those the run's data kind reads (``manifest.json`` has all), secrets never shown."""
    every = manifest.get("params") or {}
    read = set(keys_for(str(manifest.get("data_kind"))))
    params = {k: v for k, v in every.items() if k in read}
    rows = "".join(f"<tr><th scope='row'><code>{_e(k)}</code></th><td>{_param_value(k, v, business=business)}</td></tr>"
                   for k, v in sorted(params.items()))
    return (f"<h3>Parameters</h3><details{'' if business else ' open'}><summary>The {len(params)} parameters a "
            f"{_e(manifest.get('data_kind'))} run reads (secrets are never shown; <code>manifest.json</code> has all "
            f"{len(every)})</summary><table><tbody>{rows}</tbody></table></details>")


def finalise_reports(folder: str | Path, *, params: Params, manifest: Mapping[str, Any], notebooks: Iterable[str],
                     say: Callable[[str], None] | None = None) -> dict[str, int]:
    """Privacy check, appendix and size budget for every report in ``folder``; returns each HTML's size in bytes."""
    folder = Path(folder)
    private = private_data(folder, params)
    sizes: dict[str, int] = {}
    for name in notebooks:
        paths = report_paths(folder, name)
        executed = folder / f"{name}.ipynb"
        business = paths["business"]
        if business.is_file() and executed.is_file():
            hits = private_outputs(nbformat.read(str(executed), as_version=4), private)
            if hits:
                page = business.read_text(encoding="utf-8")
                render_notebook(executed, business, business=True, kicker=_header_text(page, "sk-kicker"),
                                meta=_header_text(page, "sk-meta"), private=private, entity=page_entity(params))
                if say:
                    say(f"{name}: {counted(len(hits), 'outputs')} with individual records left out of the "
                        "business copy")
        for kind, path in paths.items():
            if not path.is_file():
                continue
            path.write_text(add_appendix(path.read_text(encoding="utf-8"), manifest, business=kind == "business"),
                            encoding="utf-8")
            sizes[path.name] = path.stat().st_size
            if sizes[path.name] > SIZE_BUDGET_BYTES and say:
                say(f"note: {path.name} is {sizes[path.name] / 1e6:.1f} MB, above the "
                    f"{SIZE_BUDGET_BYTES / 1e6:.0f} MB budget for a report sent by email")
    return sizes
