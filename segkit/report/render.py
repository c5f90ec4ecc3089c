"""Rendering executed notebooks to HTML, configured once for the whole kit.

Two renderings of every notebook:

* **business**: no code, no prompts, no parameters or injected-parameters cells, no warnings or stderr;
* **analyst**: the same report with code shown.

Both are self-contained: segkit's template drops every script nbconvert would fetch from a CDN
(require.js, MathJax, Mermaid, widgets), images are embedded, and each page opens with its title, the run
date, a one-line data summary and a table of contents built from the section headings.
"""

from __future__ import annotations

import html
import re
from importlib import resources as importlib_resources
from pathlib import Path

import nbformat

__all__ = ["render_notebook", "BUSINESS_HIDDEN_TAGS", "REPORT_CSS"]

#: Cells with these tags are left out of the business copy (papermill tags the injected cell).
BUSINESS_HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "analyst-only"})
_TEMPLATE_DIR = Path(str(importlib_resources.files("segkit") / "templates"))

REPORT_CSS = """
:root { --sk-accent: #1f5f8b; --sk-muted: #5b6770; }
body.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 0 1.5rem 3rem;
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.sk-header { border-bottom: 3px solid var(--sk-accent); margin: 1.5rem 0 1rem; padding-bottom: .75rem; }
.sk-header .sk-kicker { color: var(--sk-muted); font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; }
.sk-header h1.sk-title { margin: .25rem 0; font-size: 2rem; color: #14334a; }
.sk-header .sk-meta { color: var(--sk-muted); font-size: .95rem; }
.sk-toc { background: #f5f8fa; border-left: 4px solid var(--sk-accent); padding: .6rem 1rem; margin: 1rem 0 1.5rem; }
.sk-toc ol { margin: .3rem 0 0 1.2rem; padding: 0; } .sk-toc li { margin: .15rem 0; }
.sk-toc a { color: var(--sk-accent); text-decoration: none; }
.jp-RenderedHTMLCommon table { font-size: .9rem; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: .25rem .6rem; }
.sk-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .9rem; margin: 1rem 0; }
.sk-card { border: 1px solid #d8e0e6; border-top: 5px solid var(--sk-color, var(--sk-accent)); border-radius: 6px;
  padding: .7rem .9rem; background: #fff; }
.sk-card h3 { margin: .1rem 0 .3rem; font-size: 1.05rem; } .sk-card .sk-code { color: var(--sk-muted); font-weight: 600; }
.sk-card .sk-size { font-size: 1.4rem; font-weight: 700; color: #14334a; }
.sk-card ul { padding-left: 1.1rem; margin: .4rem 0; font-size: .9rem; }
.sk-card .sk-action { font-size: .88rem; background: #eef5ee; padding: .35rem .5rem; border-radius: 4px; }
.sk-idx-high { color: #1a7f37; font-weight: 600; } .sk-idx-low { color: #b42318; font-weight: 600; }
.sk-note { background: #fff8e6; border-left: 4px solid #e3a008; padding: .5rem .8rem; margin: .8rem 0; }
.sk-warn { background: #fdecea; border-left: 4px solid #b42318; padding: .5rem .8rem; margin: .8rem 0; }
figure.sk-figure { margin: 1rem 0; } figure.sk-figure figcaption { color: var(--sk-muted); font-size: .9rem; }
"""


def _business_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop hidden cells and every stderr stream; keep results and errors."""
    nb = nbformat.from_dict(nb)  # deep copy
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & BUSINESS_HIDDEN_TAGS:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def _title(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """The first level-1 heading of the notebook, and the markdown cell with it removed."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                cell.source = (cell.source[: match.start()] + cell.source[match.end():]).strip()
                return match.group(1).strip(), cell.source
            break
    return fallback, ""


def _header(title: str, *, kicker: str, meta: str) -> str:
    return (f'<header class="sk-header"><div class="sk-kicker">{html.escape(kicker)}</div>'
            f'<h1 class="sk-title">{html.escape(title)}</h1><div class="sk-meta">{html.escape(meta)}</div></header>'
            '<!--segkit-toc-->')


_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', flags=re.S)


def _add_toc(body: str) -> str:
    entries = []
    for anchor, inner in _HEADING.findall(body):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        entries.append(f'<li><a href="#{anchor}">{text}</a></li>')
    toc = f'<nav class="sk-toc"><strong>Contents</strong><ol>{"".join(entries)}</ol></nav>' if entries else ""
    return body.replace("<!--segkit-toc-->", toc, 1)


def render_notebook(executed: str | Path, out: str | Path, *, business: bool, kicker: str = "Segmentation report",
                    meta: str = "") -> Path:
    """Render an executed notebook to a self-contained HTML page.

    Parameters
    ----------
    executed : path
        The executed ``.ipynb`` (papermill's output; a failed notebook renders with its error cell).
    out : path
        The HTML file to write.
    business : bool
        True for the business copy (no code), False for the analyst copy (code shown).
    kicker, meta : str
        The small line above the title (run name) and the line under it (run date, data summary).
    """
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    if business:
        nb = _business_copy(nb)
    else:
        nb = nbformat.from_dict(nb)
    title, _ = _title(nb, Path(executed).stem)
    exporter = HTMLExporter(extra_template_basedirs=[str(_TEMPLATE_DIR)], template_name="segkit")
    exporter.exclude_input = business
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    resources = {"segkit_css": REPORT_CSS, "segkit_header": _header(title, kicker=kicker, meta=meta),
                 "metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _add_toc(body)
    out = Path(out)
    out.write_text(body, encoding="utf-8")
    return out
