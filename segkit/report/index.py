"""The run's ``manifest.json`` and ``index.html``.

The manifest records what is needed to reproduce and audit a run: params (secrets redacted), input hash,
row counts after each cleaning step, package versions, seed and timings. The index is the page a
business reader opens first: headline numbers, the segments, links to every report and the artifacts.

Churn risk (optional)
---------------------
When ``artifacts/churn_summary.json`` exists (written by ``segkit.kinds.transactions.churn`` in ``08_churn``), the index shows
churn risk: a headline tile, a column in the segments table, a sentence and a link to the churn report.
The index reads only these keys; the file may hold more. Every key but ``high_risk_share`` is optional, and
a key with the wrong type is ignored (the index never fails because of this file)::

    {
      "high_risk_share": 0.47,     # share (0-1) of scored entities at high risk of churning  [required]
      "high_risk": 2043,           # number of entities at high risk
      "customers_scored": 4334,    # entities scored
      "horizon_days": 90,          # churn = no purchase within this many days
      "threshold": 0.5,            # churn probability from which an entity counts as at high risk
      "segments": [                # per segment code of segments_summary.json (may be empty)
        {"code": "S01", "high_risk_share": 0.61, "high_risk": 900, "mean_risk": 0.55}
      ],
      "report": "08_churn"         # notebook whose report explains the model (default: the *_churn notebook)
    }
"""

from __future__ import annotations

import base64
import html
import platform
import re
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from ..config import SECRET_KEYS, Params
from ..lineage import REFERENCE_FILE, sentences as reference_sentences
from ..io import hash_input, read_json, write_json
from ..engine import ALL_SIZES, sample_sentence, sizes_by_code
from ..format import format_share
from ..naming.entity import speak_of_html
from ..source import input_file
from .render import CSP, REPORT_CSS, page_entity, report_paths
from .churn_words import churn_sentence as _churn_sentence
from .index_table import fmt_int as _fmt_int, segment_table
from .out_of_step import kept_note

__all__ = ["write_manifest", "write_index", "package_versions", "churn_summary", "value_column", "separability",
           "mask_secret"]

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


def mask_secret(value: str) -> str:
    """A secret URL as it may be written down: user name, host and path kept; the password and every query
    value (``?password=``, ``?token=``) masked. An ``${ENV_VAR}`` reference holds no secret and is kept."""
    if re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", value):
        return value
    base, _, query = value.partition("#")[0].partition("?")
    base = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", base)
    if "://" not in base:
        return "***"
    masked = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in query.split("&") if pair)
    return base + (f"?{masked}" if masked else "")


def _public_params(params: Params) -> dict[str, Any]:
    """The params for the manifest: secrets masked (see :func:`mask_secret`)."""
    out = params.public_dict()
    for key in SECRET_KEYS & out.keys():
        value = getattr(params, key)
        out[key] = mask_secret(str(value)) if value else value
    return out


def _artifact(folder: Path, name: str) -> Any:
    path = folder / "artifacts" / name
    return read_json(path) if path.is_file() else None


def write_manifest(folder: Path, *, params: Params, files: list[Path], timings: dict, started_at: datetime,
                   finished_at: datetime, status: str, error: str | None = None,
                   left_out: dict[str, str] | None = None, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``manifest.json`` into ``folder`` and return it (``left_out``: notebooks left out of the batch, and
    why; ``kept``: the pages of an earlier run that ``--only`` left in place, see
    :func:`~segkit.report.lifecycle.kept_pages`)."""
    data_input = _artifact(folder, "input.json") or {}
    path = input_file(params)
    now = None if data_input.get("file_hash") or path is None else hash_input(path)  # 01_eda did not record it
    input_hash = data_input.get("file_hash") or (f"sha256:{now}" if now else data_input.get("content_hash"))
    cleaning = _artifact(folder, "cleaning_log.json")
    features = _artifact(folder, "features_meta.json") or {}
    segments = _artifact(folder, "segments_summary.json") or {}
    manifest = {
        "status": status,
        "error": error,
        "run_name": params.run_name,
        "data_kind": params.data_kind,
        "params": _public_params(params),
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
        "left_out": dict(left_out or {}),
        "kept": dict(kept or {}),
        "seed": params.seed,
        "versions": package_versions(),
        "timings": {"notebooks": timings,
                    "total_s": round((finished_at - started_at).total_seconds(), 2),
                    "started_at": started_at.isoformat(timespec="seconds"),
                    "finished_at": finished_at.isoformat(timespec="seconds")},
    }
    write_json(folder / "manifest.json", manifest)
    return manifest


def _share(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return float(value) if ok else None


def churn_summary(folder: Path) -> dict[str, Any] | None:
    """``artifacts/churn_summary.json`` checked against the keys documented above, or None.

    Keys with the wrong type are dropped; without a valid ``high_risk_share`` there is no churn summary.
    """
    try:
        raw = _artifact(Path(folder), "churn_summary.json")
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or _share(raw.get("high_risk_share")) is None:
        return None
    out: dict[str, Any] = {"high_risk_share": _share(raw["high_risk_share"])}
    for key in ("high_risk", "customers_scored", "horizon_days"):
        if _count(raw.get(key)) is not None:
            out[key] = raw[key]
    if _share(raw.get("threshold")) is not None:
        out["threshold"] = _share(raw["threshold"])
    if isinstance(raw.get("report"), str) and raw["report"].strip():
        out["report"] = raw["report"].strip()
    by_segment = {}
    for item in raw.get("segments") if isinstance(raw.get("segments"), list) else []:
        if isinstance(item, dict) and "code" in item and _share(item.get("high_risk_share")) is not None:
            by_segment[str(item["code"])] = {"high_risk_share": _share(item["high_risk_share"]),
                                             "high_risk": _count(item.get("high_risk")),
                                             "name": item["name"] if isinstance(item.get("name"), str) else ""}
    out["segments"] = by_segment
    return out


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _tiles(rows: dict[str, Any], entity: str, selection: dict, churn: dict | None) -> str:
    headline = [
        ("Input rows", _fmt_int(rows.get("input"))),
        ("Rows after cleaning", _fmt_int(rows.get("after_cleaning"))),
        (entity.capitalize() + " segmented", _fmt_int(rows.get("entities"))),
        ("Segments", str(selection.get("chosen_k", "–"))),
    ]
    if churn:
        headline.append(("At high risk of churn" + (f" ({churn['horizon_days']} days)" if "horizon_days" in churn else ""),
                         format_share(churn['high_risk_share'])))
    return "".join(f'<div class="sk-tile"><div class="sk-tile-v">{html.escape(v)}</div><div>{html.escape(k)}</div></div>'
                   for k, v in headline)


def value_column(folder: Path) -> tuple[dict[str, str], str, dict[str, Any]]:
    """Share of expected value per segment code, the sentence ranking segments by value and the terms of the value
    (``horizon_months``, ``margin``), from ``artifacts/value_summary.json`` (``segments``: ``code`` and
    ``clv_share``; ``ranking``), which ``10_value`` writes and ``05_profile`` completes; ``({}, "", {})`` when it is
    absent or holds no valid segment."""
    try:
        raw = _artifact(Path(folder), "value_summary.json")
    except (OSError, ValueError):
        return {}, "", {}
    items = raw.get("segments") if isinstance(raw, dict) and isinstance(raw.get("segments"), list) else []
    cells = {str(s["code"]): format_share(s["clv_share"], 1) for s in items  # as 05's table: 15.5%, not 15%
             if isinstance(s, dict) and "code" in s and _share(s.get("clv_share")) is not None}
    if not cells:
        return {}, "", {}
    ranking, months, margin = raw.get("ranking"), raw.get("horizon_months"), _share(raw.get("margin"))
    whole = isinstance(months, int) and not isinstance(months, bool) and months > 0
    terms = {"horizon_months": months} if whole else {}
    terms.update({"margin": margin} if margin else {})
    return cells, ranking if isinstance(ranking, str) else "", terms


def separability(folder: Path) -> tuple[dict[str, str], str]:
    """Each segment code's cross-validated F1 as shown ("0.95", or "too few to test") and the verdict sentence,
    from ``artifacts/explain.json`` (the run's one separability analysis, which the cards and ``07_explain``
    read too); ``({}, "")`` when it is absent or malformed."""
    try:
        raw = _artifact(Path(folder), "explain.json")
    except (OSError, ValueError):
        return {}, ""
    items = raw.get("segments") if isinstance(raw, dict) and isinstance(raw.get("segments"), list) else []
    cells = {}
    for s in items:
        if not isinstance(s, dict) or "code" not in s:
            continue
        f1 = s.get("f1")
        ok = isinstance(f1, (int, float)) and not isinstance(f1, bool) and 0 <= f1 <= 1
        cells[str(s["code"])] = f"{f1:.2f}" if ok else "too few to test"
    # in plain words; 07_explain has the scores by name
    text = (raw.get("plain_summary") or raw.get("summary")) if isinstance(raw, dict) else None
    summary = text if cells and isinstance(text, str) else ""
    return cells, summary


def _separability_class(folder: Path) -> str:
    """A warning when ``explain.json`` says the segments are not well separated, else a note."""
    try:
        raw = _artifact(Path(folder), "explain.json")
    except (OSError, ValueError):
        raw = None
    return "sk-warn" if isinstance(raw, dict) and raw.get("well_separated") is False else "sk-note"


def _followed(folder: Path) -> dict[str, Any]:
    """``artifacts/reference.json`` (:mod:`segkit.lineage`), or {} without one or when it cannot be read."""
    try:
        data = _artifact(folder, REFERENCE_FILE)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _reference_note(followed: dict[str, Any], entity: str) -> str:
    """Which earlier run the codes follow, what matched, what is new and what vanished; empty without one."""
    try:
        text = " ".join(reference_sentences(followed, entity=entity)) if followed else ""
    except (TypeError, KeyError, AttributeError, ValueError):  # a hand-edited file: the index never fails on it
        return ""
    return f"<p class='sk-note' id='reference'>{html.escape(text)}</p>" if text else ""


def _moved(folder: Path, notebooks: list[str]) -> str:
    """What ``09_compare`` found, on the index of a run that compared itself with its reference: its summary's
    sentences and a link to the report; empty when 09 did not run (or its summary cannot be read)."""
    try:
        data = _artifact(folder, "compare/summary.json")
        earlier, sentences = data["earlier"]["name"], [str(s) for s in data["summary"]]
        if data["setup"].get("far"):  # its far rows are the reference note's, above: not said twice
            del sentences[int(data["setup"]["sentences"]) - 1]
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return ""
    compare = next((nb for nb in notebooks if nb.endswith("_compare")), None)
    link = f" <a href='{html.escape(compare)}.html'>The comparison</a> has the details." if compare else ""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (f"<h2 id='moved'>Since {html.escape(str(earlier))}</h2><ul>{items}</ul>"
            f"<p class='sk-muted'>What moved between the earlier run and this one.{link}</p>") if items else ""


def _all_sizes(folder: Path) -> dict[str, Any] | None:
    """``artifacts/segments_all.json`` (the segments were found on a sample of the entities, and every one was
    assigned afterwards), or None without it or when it cannot be read (the index never fails on a hand-edited file)."""
    try:
        sizes = _artifact(folder, ALL_SIZES)
        return sizes if sizes and int(sizes["n_entities"]) >= 0 and isinstance(sizes["segments"], list) else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _counted_over_all(summary: dict, sizes: dict[str, Any] | None) -> dict:
    """``summary`` with each segment's size and share over every entity, when ``sizes`` (:func:`_all_sizes`) has
    them."""
    over = sizes_by_code(sizes)
    return {**summary, "segments": [{**s, "size": over[s["code"]][0], "share": over[s["code"]][1]}
                                    if s.get("code") in over else s for s in summary.get("segments", [])]}


def _all_entities_note(sizes: dict[str, Any] | None, entity: str) -> str:
    """With more entities than ``driver_max_customers``: the segments were found on a sample, every entity was
    assigned afterwards, and which numbers count which; empty otherwise."""
    try:
        text = (f"{sample_sentence(sizes, entity)} (artifacts/{sizes['file']}). The {entity} and shares above count "
                f"all {int(sizes['n_entities']):,} of them; stability, churn risk, value and how well the segments are "
                "told apart are measured on the sample.") if sizes else ""
    except (TypeError, KeyError, ValueError):
        return ""
    return f"<p class='sk-note' id='all-entities'>{html.escape(text)}</p>" if text else ""


def _churn_note(folder: Path, churn: dict | None, entity: str, notebooks: list[str]) -> str:
    if not churn:
        return ""
    report = churn.get("report") or next((n for n in notebooks if n.endswith("_churn")), None)
    link = ""
    if report and report_paths(folder, report)["business"].is_file():
        link = f" <a href='{html.escape(report_paths(folder, report)['business'].name)}'>How churn risk is estimated</a>."
    return f"<p class='sk-note' id='churn'>{html.escape(_churn_sentence(churn, entity))}{link}</p>"


def _report_links(folder: Path, manifest: dict[str, Any], notebooks: list[str]) -> str:
    esc, links = html.escape, []
    kept = manifest.get("kept") or {}
    unfinished = _unfinished(manifest, [n for n in notebooks if n not in kept])
    for name in notebooks:
        paths = report_paths(folder, name)
        business, analyst = paths["business"], paths["analyst"]
        if business.exists():
            timing = kept.get(name) or manifest["timings"]["notebooks"].get(name, {})
            title = _report_title(business) or name
            links.append(f"<li><a href='{esc(business.name)}'>{esc(title)}</a> <span class='sk-muted'>({esc(name)})</span>"
                         f" · <a class='sk-muted' href='{esc(analyst.name)}'>analyst copy (with code)</a>"
                         f"<span class='sk-muted'> · {_working_s(timing):.1f}s</span>"
                         f"{kept_note(name, kept.get(name), unfinished)}</li>")
        else:
            links.append(f"<li class='sk-muted'>{esc(name)}: not run</li>")
    links += [f"<li class='sk-muted' id='left-out-{esc(name)}'>{esc(name)}: left out of this run: {esc(why)}</li>"
              for name, why in (manifest.get("left_out") or {}).items()]
    return "".join(links)


def _unfinished(manifest: dict[str, Any], run: list[str]) -> set[str]:
    """The notebooks of ``run`` that did not finish: the one the run failed or was interrupted in (its status,
    "failed in 05_profile"), and those without a timing (stopped, or never started)."""
    status = str(manifest.get("status") or "")
    failed = {status.split(" in ", 1)[1]} if status.startswith(("failed in ", "interrupted in ")) else set()
    timed = (manifest.get("timings") or {}).get("notebooks") or {}
    return failed | {name for name in run if name not in timed}


def _working_s(timing: dict[str, Any]) -> float:
    """A report's seconds of work: its run without the time it waited for other reports' results."""
    try:
        return max(0.0, float(timing.get("execute_s", 0)) - float(timing.get("waited_s", 0)))
    except (TypeError, ValueError):  # a hand-edited manifest's kept page
        return 0.0


def _artifact_list(folder: Path) -> str:
    artifacts = sorted(p.relative_to(folder).as_posix() for p in (folder / "artifacts").rglob("*") if p.is_file())
    return "".join(f"<li><a href='{html.escape(a)}'>{html.escape(a)}</a></li>" for a in artifacts)


def _map_thumbnail(folder: Path, entity: str) -> str:
    map_png = folder / "artifacts" / "segment_map.png"
    if not map_png.is_file():
        return ""
    data = base64.b64encode(map_png.read_bytes()).decode()
    return (f"<figure class='sk-figure'><img alt='Map of the segments' style='max-width:100%' "
            f"src='data:image/png;base64,{data}'><figcaption>Segment map: each dot is one of the "
            f"{html.escape(entity)}; dots close together are alike (the page \"The segments: who they are and what "
            "to do\" says how they are placed).</figcaption></figure>")


_INDEX_CSS = """
body { max-width: 1100px; margin: 0 auto; padding: 0 1.5rem 3rem; font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.sk-tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .8rem; margin: 1rem 0; }
.sk-tile { background: #f5f8fa; border-radius: 6px; padding: .7rem; } .sk-tile-v { font-size: 1.6rem; font-weight: 700; color: #14334a; }
.sk-muted { color: #5b6770; } .sk-table { border-collapse: collapse; } .sk-table td, .sk-table th { border-bottom: 1px solid #e1e6ea; padding: .3rem .7rem; text-align: left; }
"""


def _ended(manifest: dict[str, Any]) -> str:
    """How a run that did not complete ended: "was interrupted" or "failed"."""
    return "was interrupted" if str(manifest.get("status", "")).startswith("interrupted") else "failed"


def write_index(folder: Path, *, params: Params, manifest: dict[str, Any], notebooks: list[str]) -> Path:
    """Write ``index.html``: headline numbers, segments, churn risk (when known), links to every report,
    artifacts and a thumbnail of the segment map. Self-contained, like the reports."""
    esc = html.escape
    features = _artifact(folder, "features_meta.json") or {}
    selection = _artifact(folder, "k_summary.json") or {}
    churn = churn_summary(folder)
    value, value_text, value_terms = value_column(folder)
    told, told_text = separability(folder)
    entity = features.get("entity_label", "entities")
    status = ("" if manifest["status"] == "ok" else
              f"<div class='sk-warn'><strong>This run {_ended(manifest)}.</strong> {esc(str(manifest.get('error')))} "
              "The pages below are what it wrote before; a segment table here is not a finished result.</div>")
    summary, all_sizes = _artifact(folder, "segments_summary.json") or {}, _all_sizes(folder)
    if isinstance(summary.get("segments"), list) and summary["segments"]:
        selection = {**selection, "chosen_k": len(summary["segments"])}  # the reference's k in score mode
    counts = {**manifest["row_counts"], **({"entities": int(all_sizes["n_entities"])} if all_sizes else {})}
    followed = _followed(folder)
    # in plain words (the k page has the criteria); the reference's model chose no k here in score mode
    rationale = None if followed.get("mode") == "score" else selection.get("summary") or selection.get("rationale")
    source = manifest["input"].get("path")
    source = Path(source).name if source else ("a database query" if params.source == "sql" else params.source)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}"><meta name="referrer" content="no-referrer">
<title>Segmentation run {esc(str(params.run_name))}</title>
<style>{REPORT_CSS}{_INDEX_CSS}</style></head>
<body>
<header class="sk-header"><div class="sk-kicker">Segmentation run · {esc(params.data_kind)} data</div>
<h1 class="sk-title">{esc(str(params.run_name))}</h1>
<div class="sk-meta">Run on {esc(manifest['timings']['started_at'][:10])} · input {esc(str(source))}</div></header>
{status}
<div class="sk-tiles">{_tiles(counts, entity, selection, churn)}</div>
{f"<p class='sk-note'>{esc(rationale)}</p>" if rationale else ""}
<h2 id="segments">Segments</h2>
{_reference_note(followed, entity)}
{segment_table(_counted_over_all(summary, all_sizes), entity, churn, value, told, value_terms)}
{_all_entities_note(all_sizes, entity)}
{f"<p class='{_separability_class(folder)}' id='separability'>{esc(told_text)}</p>" if told_text else ""}
{_churn_note(folder, churn, entity, notebooks)}
{f"<p class='sk-note' id='value'>{esc(value_text)}</p>" if value_text else ""}
{_map_thumbnail(folder, entity)}
{_moved(folder, notebooks)}
<h2 id="reports">Reports</h2>
<ol>{_report_links(folder, manifest, notebooks)}</ol>
<h2 id="artifacts">Artifacts</h2>
<ul>{_artifact_list(folder)}</ul>
<p class="sk-muted">Run details (params, input hash, versions, timings): the appendix of every report, and
<a href="manifest.json">manifest.json</a>.</p>
</body></html>
"""
    out = folder / "index.html"
    out.write_text(speak_of_html(page, page_entity(params)), encoding="utf-8")
    return out


def _report_title(path: Path) -> str | None:
    """The title of a rendered report (its ``h1.sk-title``), read from the start of the file."""
    match = re.search(r'<h1 class="sk-title">(.*?)</h1>', path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(match.group(1)).strip() if match else None
