"""Rendering executed notebooks to HTML, configured once for the whole kit.

Two renderings of every notebook (:data:`RENDERINGS`):

* **business** (``NN_name.html``): no code, no prompts, no ``parameters``/``injected-parameters`` cells, no
  cells tagged ``analyst-only`` or ``remove-cell``, no outputs marked analyst-only
  (``display(obj, metadata={"segkit": {"analyst_only": True}})``), no stderr, no warnings printed to stdout,
  and errors as one readable line instead of a traceback;
* **analyst** (``NN_name.analyst.html``): the same report with code shown and outputs kept as they are.

Both are self-contained: segkit's template drops every script nbconvert would fetch from a CDN
(require.js, MathJax, Mermaid, widgets) and JavaScript outputs, images are embedded, and a
Content-Security-Policy forbids any network request or script, so an emailed report opens offline.
Each page opens with its title, the run date, a one-line data summary and a table of contents built
from the section headings. After the run, :mod:`segkit.report.appendix` adds the run details and checks
the business copies for individual records (:func:`private_outputs`, :func:`render_notebook` with
``private``).
"""

from __future__ import annotations

import copy
import functools
import html
import re
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources as importlib_resources
from pathlib import Path

import nbformat

from ..naming.entity import speak_of_html
from ..stages.context import page_entity
from .align import align_text

__all__ = ["render_notebook", "page_entity", "RENDERINGS", "BUSINESS_HIDDEN_TAGS", "REPORT_CSS", "CSP",
           "SIZE_BUDGET_BYTES", "report_paths", "PrivateData", "private_outputs", "add_toc_entry"]

#: Cells with these tags are left out of the business copy (papermill tags the injected cell).
BUSINESS_HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "analyst-only"})
#: The suffix of each rendering's file, after the notebook's name.
RENDERINGS = {"business": ".html", "analyst": ".analyst.html"}
#: Budget per HTML report: it must travel as an email attachment (checked by the tests and at the end of a run).
SIZE_BUDGET_BYTES = 3_000_000
#: Nothing may be fetched or run: embedded images and inline styles only.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
_PAPERMILL_TAG = "papermill-error-cell-tag"
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
.jp-RenderedHTMLCommon table { font-size: .9rem; display: block; max-width: 100%; overflow-x: auto; }
.sk-split + .sk-split { margin-top: .8rem; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: .25rem .6rem; }
.jp-RenderedHTMLCommon td.sk-nw { white-space: nowrap; }
.jp-RenderedHTMLCommon table td.sk-text, .jp-RenderedHTMLCommon table th.sk-text { text-align: left; }
.sk-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .9rem; margin: 1rem 0; }
.sk-card { border: 1px solid #d8e0e6; border-top: 5px solid var(--sk-color, var(--sk-accent)); border-radius: 6px;
  padding: .7rem .9rem; background: #fff; }
.sk-card h3 { margin: .1rem 0 .3rem; font-size: 1.05rem; } .sk-card .sk-code { color: var(--sk-muted); font-weight: 600; }
.sk-card .sk-size { font-size: 1.4rem; font-weight: 700; color: #14334a; }
.sk-card ul { padding-left: 1.1rem; margin: .4rem 0; font-size: .9rem; }
.sk-card .sk-facts-head { color: var(--sk-muted); font-size: .8rem; margin-top: .4rem; }
.sk-card .sk-action { font-size: .88rem; background: #eef5ee; padding: .35rem .5rem; border-radius: 4px; }
.sk-idx-high { color: #1f5f8b; font-weight: 600; } .sk-idx-low { color: #8a5a00; font-weight: 600; }
.sk-idx-good { color: #1a7f37; font-weight: 600; } .sk-idx-bad { color: #b42318; font-weight: 600; }
.sk-note { background: #fff8e6; border-left: 4px solid #e3a008; padding: .5rem .8rem; margin: .8rem 0; }
.sk-warn { background: #fdecea; border-left: 4px solid #b42318; padding: .5rem .8rem; margin: .8rem 0; }
figure.sk-figure { margin: 1rem 0; } figure.sk-figure figcaption { color: var(--sk-muted); font-size: .9rem; }
.sk-appendix { margin-top: 3rem; border-top: 1px solid #d8e0e6; font-size: .9rem; }
.sk-appendix table { border-collapse: collapse; margin: .4rem 0 1rem; }
.sk-appendix td, .sk-appendix th { border-bottom: 1px solid #e1e6ea; padding: .2rem .6rem; text-align: left; vertical-align: top; }
.sk-appendix td.sk-num { text-align: right; font-variant-numeric: tabular-nums; }
.sk-appendix code { font-size: .85rem; word-break: break-all; }
.sk-muted { color: var(--sk-muted); }
"""


@dataclass(frozen=True)
class PrivateData:
    """What marks an output as individual records, which the business copy never shows.

    Parameters
    ----------
    columns : collection of str
        Identifier column names (``CustomerID``, ``customer_id``): a table with one of them in its header
        lists individual records.
    ids : collection of str
        Identifier values (from ``segments.csv``). An output showing one of them as a table cell or a word
        is individual data. Only distinctive values are used (5 characters or more), since short numbers
        such as 1 to 200 also occur as counts and positions.
    """

    columns: Collection[str] = ()
    ids: Collection[str] = ()

    def __post_init__(self) -> None:  # frozen, so that the ids normalised once (below) stay the ids'
        object.__setattr__(self, "ids", frozenset(map(str, self.ids)))

    @cached_property
    def distinctive_ids(self) -> frozenset[str]:
        """The ids of 5 characters or more, as :func:`_tokens` writes them (computed once: a run checks every page
        against the same ids)."""
        return frozenset(t for t in map(_norm_token, self.ids) if len(t) >= 5)


def report_paths(folder: str | Path, name: str) -> dict[str, Path]:
    """The HTML file of each rendering of notebook ``name`` in a run folder."""
    return {kind: Path(folder) / f"{name}{suffix}" for kind, suffix in RENDERINGS.items()}


# --- cleaning a notebook for the business copy --------------------------------------------------
_WARNING_LINE = re.compile(r"^(?:.*?:\d+: )?(?:[A-Z]\w*)?Warning: |^WARNING\b|^warnings\.warn\(")
_NOTE_REMOVED = ('<div class="sk-note">A table of individual records was left out of this copy: '
                 'it is in the analyst copy only.</div>')


def strip_warnings(text: str) -> str:
    """Remove warning lines (and the source line ``warnings`` prints after them) from printed text."""
    out, skip_indented = [], False
    for line in text.splitlines(keepends=True):
        if _WARNING_LINE.search(line):
            skip_indented = True
            continue
        if skip_indented and line[:1] in (" ", "\t"):
            continue
        skip_indented = False
        out.append(line)
    return "".join(out)


def _error_line(output: dict) -> str:
    tb = output.get("traceback") or []
    if tb and str(tb[0]).startswith("segkit "):
        return str(tb[0])
    ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
    return f"{ename}: {evalue}" if evalue else str(ename)


def _papermill_cells(nb: nbformat.NotebookNode) -> None:
    """Turn papermill's error banner and anchor into plain, readable notes (both renderings)."""
    section = ""
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and _PAPERMILL_TAG not in tags:
            found = re.findall(r"^##\s+(.+)$", cell.source, flags=re.M)
            section = found[-1].strip() if found else section
        if _PAPERMILL_TAG in tags and 'id="papermill-error-cell"' in cell.source:
            where = f" in the section <em>{html.escape(section)}</em>" if section else ""
            cell.source = (f'<div id="papermill-error-cell" class="sk-warn"><strong>The run stopped here</strong>{where}: '
                           "the error is shown below, and the rest of this report was not produced.</div>")
            break
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _PAPERMILL_TAG in tags and "An Exception was encountered" in cell.source:
            cell.source = ('<div class="sk-warn"><strong>This report is incomplete.</strong> An error stopped it'
                           + (f" in the section <em>{html.escape(section)}</em>" if section else "")
                           + '. <a href="#papermill-error-cell">Go to the error</a>.</div>')


def _table_is_private(table: str, columns: set[str], ids: frozenset[str]) -> bool:
    """A table lists individual records when an identifier column heads it, or when its rows are labelled by
    entity ids (the first cell of each body row). Numbers elsewhere in the table (sizes, counts, means) are
    never compared with ids: an aggregate may happen to equal one."""
    for head in re.findall(r"<thead.*?</thead>", table, flags=re.S | re.I):
        if columns & {_cell_text(c).lower() for c in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)}:
            return True
    body = "".join(re.findall(r"<tbody.*?</tbody>", table, flags=re.S | re.I)) or table
    labels = [_norm_token(_cell_text(m)) for m in re.findall(r"<tr[^>]*>\s*<t[hd][^>]*>(.*?)</t[hd]>", body,
                                                              flags=re.S | re.I)]
    return bool(labels) and bool(ids) and sum(label in ids for label in labels) * 2 >= len(labels)


def _is_private(output: dict, private: PrivateData, ids: frozenset[str]) -> bool:
    if output.get("output_type") == "stream":
        texts = [output.get("text", "")]
    else:
        data = output.get("data", {})
        texts = [data.get(m, "") for m in ("text/html", "text/markdown", "text/plain") if m in data]
    columns = {c.strip().lower() for c in private.columns if c}
    for text in texts:
        text = "".join(text) if isinstance(text, list) else str(text)
        tables = re.findall(r"<table.*?</table>", text, flags=re.S | re.I)
        if any(_table_is_private(t, columns, ids) for t in tables):
            return True
        prose = re.sub(r"<table.*?</table>", " ", text, flags=re.S | re.I)
        # an id written as such (counts are written 12,346 in reports), but the note that a table without ids names its
        # rows "row_0001, row_0002, ...": that is no record
        if ids and ids & _tokens(_ROW_NAMES_NOTE.sub(" ", prose)):
            return True
    return False


def _cell_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


_ROW_NAMES_NOTE = re.compile(r"\brow_0*1, row_0*2\b")  #: how kinds.customers.features says it names rows without ids


def _norm_token(token: str) -> str:
    """``12346``, ``12346.0`` and ``12,346.00`` (a float id under a display format) all become ``12346``."""
    token = token.strip()
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.0+", token):
        token = token.replace(",", "")
    return re.sub(r"^(-?\d+)\.0+$", r"\1", token)


def _tokens(text: str) -> set[str]:
    """Words and numbers as written (``12346.0``, a float id, counts as ``12346``); a number with thousands
    separators (how reports write counts: ``12,346``) is not a token that can be an id."""
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    found = re.findall(r"[\w][\w.,-]*[\w]|\w", text)
    return {_norm_token(t) for t in found if not re.search(r"\d,\d{3}", t)}


def private_outputs(nb: nbformat.NotebookNode, private: PrivateData) -> list[tuple[int, int]]:
    """``(cell, output)`` positions of outputs that show individual records, among cells the business copy keeps."""
    ids = private.distinctive_ids
    hits = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or set(cell.get("metadata", {}).get("tags", [])) & BUSINESS_HIDDEN_TAGS:
            continue
        for j, output in enumerate(cell.get("outputs", [])):
            if output.get("output_type") != "error" and _is_private(output, private, ids):
                hits.append((i, j))
    return hits


def _business_output(output: dict) -> dict | None:
    kind = output.get("output_type")
    if (output.get("metadata") or {}).get("segkit", {}).get("analyst_only"):
        return None
    if kind == "stream":
        if output.get("name") == "stderr":
            return None
        output["text"] = strip_warnings("".join(output.get("text", "")))
        return output if output["text"].strip() else None
    if kind == "error":
        output["traceback"] = [_error_line(output)]
        return output
    data = output.get("data", {})
    for mime in [m for m in data if m in ("application/javascript", "application/vnd.jupyter.widget-view+json")]:
        del data[mime]
    if set(data) == {"text/plain"}:
        data["text/plain"] = strip_warnings("".join(data["text/plain"]))
        if not data["text/plain"].strip():
            return None
    return output if data else None


def _business_copy(nb: nbformat.NotebookNode, private: PrivateData | None = None) -> nbformat.NotebookNode:
    """Drop hidden cells, analyst-only outputs, stderr and printed warnings; errors become one line."""
    nb = nbformat.from_dict(nb)  # deep copy
    flagged = set(private_outputs(nb, private)) if private else set()
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & BUSINESS_HIDDEN_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            for j, output in enumerate(cell.get("outputs", [])):
                if (i, j) in flagged:
                    output = nbformat.v4.new_output("display_data", data={"text/html": _NOTE_REMOVED})
                output = _business_output(output)
                if output is not None:
                    outputs.append(output)
            cell.outputs = outputs
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


# --- header, table of contents ---------------------------------------------------------------
def _title(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """The first level-1 heading of the notebook, and the markdown cell with it removed."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _PAPERMILL_TAG not in cell.get("metadata", {}).get("tags", []):
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
_TOC_END = "<!--segkit-toc-end-->"


def _toc(entries: Iterable[str]) -> str:
    return f'<nav class="sk-toc"><strong>Contents</strong><ol>{"".join(entries)}{_TOC_END}</ol></nav>'


def _add_toc(body: str) -> str:
    entries = []
    for anchor, inner in _HEADING.findall(body):
        text = re.sub(r"<[^>]+>|¶|&#182;|&para;", "", inner).strip()  # without the anchor links' pilcrow
        entries.append(f'<li><a href="#{anchor}">{text}</a></li>')
    return body.replace("<!--segkit-toc-->", _toc(entries), 1)


def add_toc_entry(body: str, anchor: str, text: str) -> str:
    """Add (or replace) the table-of-contents entry that links to ``#anchor``."""
    entry = f'<li data-sk-toc="{html.escape(anchor)}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
    body = re.sub(rf'<li data-sk-toc="{re.escape(html.escape(anchor))}">.*?</li>', "", body, flags=re.S)
    if _TOC_END in body:
        return body.replace(_TOC_END, entry + _TOC_END, 1)
    if "<!--segkit-toc-->" in body:
        return body.replace("<!--segkit-toc-->", _toc([entry]), 1)
    return body


_EXPORTERS = threading.local()
#: An ``<img>`` tag without an ``alt`` attribute (the figures a notebook shows inline; quoted values, which may hold
#: ">" or "alt=", are skipped whole), and a cell's wrapper or output area without a ``tabindex``.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_IMG_WITHOUT_ALT = re.compile(rf"<img\b(?={_ATTRS}>)(?!{_ATTRS}\salt\s*=)")
_FOCUSABLE = re.compile(r'(<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?")'
                        rf"(?!{_ATTRS}\stabindex\s*=)")


@functools.cache
def _html_exporter():
    """nbconvert's ``HTMLExporter`` without its last pass: it parses the whole page with BeautifulSoup (a page is
    mostly its figures' base64 text) only to give images without one an ``alt`` text and make the cells focusable,
    a third of a page's rendering time. The subclass makes the same two changes to the page's text directly; the
    rest of its ``from_notebook_node`` is nbconvert 7.17's (pinned). Its preprocessing skips a second copy of the
    notebook and a dozen validations of it (about a tenth of a page's time)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                    Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                           parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            body = _IMG_WITHOUT_ALT.sub('<img alt="No description has been provided for this image"', body)
            return _FOCUSABLE.sub(r'\1 tabindex="0"', body), resources

        def _preprocess(self, nb, resources):
            # nbconvert's copies the notebook a second time (from_notebook_node has copied it), normalises it and
            # validates it with jsonschema after each preprocessor, a dozen times a page: the notebook is a copy of one
            # nbformat read (which gives every cell an id; an invalid notebook is rendered, not stopped on), and the
            # HTML preprocessors drop tagged cells and add resources
            resources = copy.deepcopy(resources)
            for preprocessor in self._preprocessors:
                nb, resources = preprocessor(nb, resources)
            return nb, resources

    return Exporter


def _exporter(business: bool):
    """The HTML exporter of the business (or analyst) copy, one per thread: building one loads and compiles its
    templates again (about 0.1 s a page), and an exporter is not meant to run on two threads at once."""
    made = _EXPORTERS.__dict__.setdefault("by_copy", {})
    if business not in made:
        exporter = _html_exporter()(extra_template_basedirs=[str(_TEMPLATE_DIR)], template_name="segkit")
        exporter.exclude_input = business
        exporter.exclude_input_prompt = exporter.exclude_output_prompt = exporter.embed_images = True
        made[business] = exporter
    return made[business]


#: A table cell of one word ("-£141", "12.5%", "2011-12-09"): kept on one line. A narrow column broke "-£141" after
#: its minus sign, "-" on one line and "£141" on the next; a cell of words still wraps.
_ONE_WORD_CELL = re.compile(r"<td>([^<\s]{1,40})</td>")


def _unbroken_cells(body: str) -> str:
    """``body`` with each table cell of one word marked ``sk-nw`` (``white-space: nowrap`` in :data:`REPORT_CSS`).

    >>> _unbroken_cells("<td>-£141</td><td>Net spend in the last 30 days</td>")
    '<td class="sk-nw">-£141</td><td>Net spend in the last 30 days</td>'
    """
    return _ONE_WORD_CELL.sub(r'<td class="sk-nw">\1</td>', body)


def render_notebook(executed: str | Path, out: str | Path, *, business: bool, kicker: str = "Segmentation report",
                    meta: str = "", private: PrivateData | None = None, entity: str | None = None,
                    read: nbformat.NotebookNode | None = None) -> Path:
    """Render an executed notebook to a self-contained HTML page.

    Parameters
    ----------
    executed : path
        The executed ``.ipynb`` (papermill's output; a failed notebook renders with its error in place).
    out : path
        The HTML file to write.
    business : bool
        True for the business copy (no code), False for the analyst copy (code shown).
    kicker, meta : str
        The small line above the title (run name) and the line under it (run date, data summary).
    private : PrivateData, optional
        Business copy only: outputs that show individual records are replaced by a note.
    entity : str, optional
        What the run's rows are, where they are not the customers the notebooks speak of (:func:`page_entity`): the
        page's narrative says it instead (:func:`~segkit.naming.entity.speak_of_html`).
    read : NotebookNode, optional
        ``executed`` as :func:`nbformat.read` read it already (the batch renders both copies from one read); it is
        left as it is.
    """
    nb = nbformat.read(str(executed), as_version=4) if read is None else read
    nb = _business_copy(nb, private) if business else nbformat.from_dict(nb)
    _papermill_cells(nb)
    title, _ = _title(nb, Path(executed).stem)
    exporter = _exporter(business)
    resources = {"segkit_css": REPORT_CSS, "segkit_header": _header(title, kicker=kicker, meta=meta),
                 "segkit_csp": CSP, "metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = align_text(_unbroken_cells(speak_of_html(_add_toc(body), entity)))
    out = Path(out)
    out.write_text(body, encoding="utf-8")
    return out
