"""The two renderings, the appendix, the index page and the reports of the smoke run.

Unit tests render small notebooks built in memory; the tests marked ``slow`` read the smoke run folder
(one batch per session, from ``batch_fixtures``).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from papermill.execute import ERROR_ANCHOR_MSG, ERROR_MARKER_TAG, ERROR_MESSAGE_TEMPLATE

from batch_fixtures import smoke_run  # noqa: F401  (pytest fixture)
from segkit.config import Params
from segkit.report import discover_notebooks
from segkit.report.appendix import APPENDIX_ID, APPENDIX_TITLE, add_appendix, appendix_html
from segkit.report.index import churn_summary, mask_secret, write_index
from segkit.report.render import (CSP, RENDERINGS, SIZE_BUDGET_BYTES, PrivateData, add_toc_entry, private_outputs,
                                  render_notebook, strip_warnings)

ROOT = Path(__file__).resolve().parents[1]
#: The notebooks of the smoke run (transactions data).
NOTEBOOKS = [nb.name for nb in discover_notebooks(ROOT / "notebooks", "transactions")]


class _Page(HTMLParser):
    """Ids, links, images (with their figure and caption) and visible text of an HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.toc: list[str] = []
        self.images: list[dict] = []
        self.scripts = 0
        self.text: list[str] = []
        self._stack: list[str] = []
        self._in_toc = False
        self._in_figure: dict | None = None
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav" and "sk-toc" in (a.get("class") or ""):
            self._in_toc = True
        if tag == "a" and self._in_toc:
            self.toc.append(a.get("href", ""))
        if tag == "script":
            self.scripts += 1
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "figure":
            self._in_figure = {"caption": ""}
        if tag == "img":
            self.images.append({"alt": a.get("alt", ""), "src": a.get("src", ""), "figure": self._in_figure})
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag == "figure":
            self._in_figure = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_figure is not None and "figcaption" in self._stack:
            self._in_figure["caption"] += data
        self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


# --- renderings of a notebook built in memory ----------------------------------------------------
def _notebook() -> nbformat.NotebookNode:
    table = "<table><thead><tr><th>segment</th><th>size</th></tr></thead><tbody><tr><td>S01</td><td>12</td></tr></tbody></table>"
    return new_notebook(cells=[
        new_markdown_cell("# Quarterly segments\nWhat the segments are."),
        new_code_cell("import segkit  # CODE-MARKER-IMPORT"),
        new_code_cell("run_dir = 'x'", metadata={"tags": ["parameters"]}),
        new_code_cell("run_dir = '/home/analyst/secret-folder'", metadata={"tags": ["injected-parameters"]},
                      outputs=[new_output("stream", name="stdout", text="INJECTED-OUTPUT\n")]),
        new_markdown_cell("## Sizes & shares\nHow big each segment is."),
        new_code_cell("show_sizes()  # CODE-MARKER-SIZES", outputs=[
            new_output("stream", name="stdout", text=(
                "/venv/lib/python3.11/site-packages/sklearn/x.py:12: FutureWarning: WARNING-MARKER-1\n"
                "  warnings.warn(\nUserWarning: WARNING-MARKER-2\nReadable printed line\n")),
            new_output("stream", name="stderr", text="STDERR-MARKER\n"),
            new_output("execute_result", data={"text/html": table, "text/plain": "table"}, execution_count=1),
            new_output("display_data", data={"text/plain": "ANALYST-ONLY-OUTPUT"},
                       metadata={"segkit": {"analyst_only": True}}),
            new_output("display_data", data={"application/javascript": "console.log('JS-MARKER')",
                                             "text/plain": "plain fallback"}),
        ]),
        new_code_cell("raw.head()", metadata={"tags": ["analyst-only"]},
                      outputs=[new_output("stream", name="stdout", text="ANALYST-CELL-MARKER\n")]),
        new_markdown_cell("## Map"),
        new_code_cell("boom()", outputs=[new_output("error", ename="ValueError", evalue="the map failed",
                                                     traceback=["Traceback (most recent call last)",
                                                                "File /home/analyst/x.py, line 3, TRACE-MARKER"])]),
    ])


def _render(tmp_path: Path, nb: nbformat.NotebookNode, *, business: bool, **kwargs) -> tuple[str, _Page]:
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(src))
    out = render_notebook(src, tmp_path / ("b.html" if business else "a.html"), business=business,
                          kicker="Segmentation report · test", meta="Run test · 1 January 2026 · data.csv", **kwargs)
    text = out.read_text(encoding="utf-8")
    return text, _Page(text)


def test_business_copy_hides_code_parameters_warnings_and_analyst_outputs(tmp_path):
    text, page = _render(tmp_path, _notebook(), business=True)
    for hidden in ("CODE-MARKER", "INJECTED-OUTPUT", "secret-folder", "WARNING-MARKER", "warnings.warn", "STDERR-MARKER",
                   "ANALYST-ONLY-OUTPUT", "ANALYST-CELL-MARKER", "JS-MARKER", "TRACE-MARKER", "Traceback"):
        assert hidden not in text, hidden
    assert "Readable printed line" in page.visible
    assert "ValueError: the map failed" in page.visible  # the error stays where it happened, as one line
    assert "Quarterly segments" in page.visible and "1 January 2026" in page.visible
    assert page.scripts == 0
    assert "In&nbsp;[" not in text and "In [" not in page.visible


def test_analyst_copy_shows_code(tmp_path):
    text, page = _render(tmp_path, _notebook(), business=False)
    assert "CODE-MARKER-SIZES" in page.visible and "ANALYST-ONLY-OUTPUT" in page.visible
    assert "JS-MARKER" not in text and page.scripts == 0  # JavaScript outputs never reach a report


def test_title_header_and_toc_resolve(tmp_path):
    _, page = _render(tmp_path, _notebook(), business=True)
    assert page.toc == ["#Sizes-&-shares", "#Map"]
    assert all(href[1:] in page.ids for href in page.toc)
    assert page.visible.count("Quarterly segments") == 1  # the title moved to the header, not repeated


def test_csp_forbids_every_request_and_script(tmp_path):
    text, _ = _render(tmp_path, _notebook(), business=True)
    assert 'http-equiv="Content-Security-Policy"' in text and "default-src 'none'" in CSP
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text) is None


def test_failed_notebook_reads_well(tmp_path):
    nb = _notebook()
    error_at = 8
    nb.cells.insert(error_at, new_markdown_cell(ERROR_ANCHOR_MSG, metadata={"tags": [ERROR_MARKER_TAG]}))
    nb.cells.insert(0, new_markdown_cell(ERROR_MESSAGE_TEMPLATE % 5, metadata={"tags": [ERROR_MARKER_TAG]}))
    for business in (True, False):
        text, page = _render(tmp_path, nb, business=business)
        assert "This report is incomplete" in page.visible and "the section Map" in page.visible
        assert "papermill-error-cell" in page.ids
        assert "An Exception was encountered" not in text and "In [5]" not in page.visible
        assert re.search(r'<h1 class="sk-title">Quarterly segments</h1>', text)


def test_strip_warnings_keeps_ordinary_lines():
    text = "a\n/x/y.py:3: RuntimeWarning: overflow\n  return np.exp(x)\nb\nWARNING: careful\nc\n"
    assert strip_warnings(text) == "a\nb\nc\n"


# --- individual records --------------------------------------------------------------------------
def _rows_notebook(html_table: str) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_markdown_cell("# R\n## Rows"), new_code_cell(
        "x", outputs=[new_output("execute_result", data={"text/html": html_table}, execution_count=1)])])


@pytest.mark.parametrize("table, flagged", [
    ("<table><thead><tr><th></th><th>CustomerID</th><th>Country</th></tr></thead>"
     "<tbody><tr><th>0</th><td>99,999.00</td><td>UK</td></tr></tbody></table>", True),
    ("<table><thead><tr><th>segment</th></tr></thead><tbody><tr><td>C000123</td></tr></tbody></table>", True),
    ("<p>The best customer is 54321.0</p>", True),
    ("<table><thead><tr><th>segment</th><th>customers</th></tr></thead>"
     "<tbody><tr><td>S01</td><td>54,321</td></tr><tr><td>S02</td><td>12</td></tr></tbody></table>", False),
])
def test_outputs_with_individual_records_are_flagged(table, flagged):
    private = PrivateData(columns={"CustomerID"}, ids={"54321", "C000123", "12"})
    assert bool(private_outputs(_rows_notebook(table), private)) is flagged


def test_aggregates_are_kept_when_numeric_ids_overlap_their_numbers():
    """Ids 10000-25000, and segment sizes, counts and means in the same range (issue 16): a table is individual
    records by its structure (an id column, rows labelled by ids), never by a number equal to an id."""
    private = PrivateData(columns={"CustomerID"}, ids={str(i) for i in range(10_000, 25_001)})
    aggregates = [
        "<table><thead><tr><th></th><th>Customers</th><th>Net spend (mean)</th></tr></thead><tbody>"
        "<tr><th>S01</th><td>12000</td><td>15001.5</td></tr><tr><th>S02</th><td>18040</td><td>10500</td></tr></tbody></table>",
        "<table><thead><tr><th>Segment</th><th>Scored</th><th>At high risk</th></tr></thead><tbody>"
        "<tr><td>Champions</td><td>12345</td><td>10001</td></tr></tbody></table>",
        "<p>S01 holds 12,000 customers (43%); 18,040 are at high risk.</p>",
    ]
    for table in aggregates:
        assert private_outputs(_rows_notebook(table), private) == [], table
    rows = ("<table><thead><tr><th></th><th>Country</th><th>Spend</th></tr></thead><tbody>"
            "<tr><th>12346</th><td>UK</td><td>10</td></tr><tr><th>12347</th><td>FR</td><td>20</td></tr></tbody></table>")
    assert private_outputs(_rows_notebook(rows), private) == [(1, 0)]
    renamed = ("<table><thead><tr><th>client</th><th>Spend</th></tr></thead><tbody>"
               "<tr><td>20001</td><td>10</td></tr><tr><td>20002.0</td><td>12</td></tr></tbody></table>")
    assert private_outputs(_rows_notebook(renamed), private) == [(1, 0)]


def test_business_copy_replaces_individual_records(tmp_path):
    nb = _rows_notebook("<table><thead><tr><th>CustomerID</th></tr></thead><tbody><tr><td>54321</td></tr></tbody></table>")
    private = PrivateData(columns={"CustomerID"}, ids={"54321"})
    text, page = _render(tmp_path, nb, business=True, private=private)
    assert "54321" not in text and "analyst copy only" in page.visible
    text, _ = _render(tmp_path, nb, business=False)
    assert "54321" in text


# --- appendix --------------------------------------------------------------------------------------
def _manifest() -> dict:
    return {
        "status": "ok", "error": None, "run_name": "r1", "data_kind": "transactions",
        "params": {"sql_url": "postgresql://bob:***@db/shop?password=***", "data_path": "/home/ann/data/in.csv",
                   "seed": 7, "features": ["recency", "monetary"]},
        "params_files": ["/home/ann/params/run.yaml"],
        "input": {"source": "file", "path": "/home/ann/data/in.csv", "hash": "sha256:abc", "rows": 1200,
                  "columns": ["id", "<script>alert(1)</script>"]},
        "row_counts": {"input": 1200, "after_cleaning": 1100, "entities": 90, "segmented": 90,
                       "cleaning_steps": [{"description": "Duplicates removed.", "rows_before": 1200,
                                           "rows_removed": 100, "rows_after": 1100}]},
        "seed": 7, "versions": {"python": "3.11.7", "pandas": "3.1.1"},
        "timings": {"notebooks": {"01_eda": {"execute_s": 3.2, "render_s": 0.4}}, "total_s": 9.1,
                    "started_at": "2026-01-01T10:00:00+00:00", "finished_at": "2026-01-01T10:00:09+00:00"},
    }


def test_appendix_lists_the_run_manifest_escaped_without_secrets():
    for business in (True, False):
        section = appendix_html(_manifest(), business=business)
        page = _Page(section)
        assert APPENDIX_ID in page.ids
        for expected in ("sha256:abc", "1,100", "Duplicates removed.", "3.1.1", "01_eda", "Random seed", "recency, monetary"):
            assert expected in page.visible, expected
        assert "<script>alert(1)</script>" in page.visible and "<script>" not in section  # shown, escaped
        assert "bob" not in section and "secret, not shown" in page.visible
        assert ("/home/ann" in section) is (not business)  # no local folders in the business copy


def test_appendix_timings_are_in_notebook_order_and_say_they_overlap():
    manifest = _manifest()
    # in the order the notebooks finished: 07 starts once 05's ready cell has run, and may finish first
    manifest["timings"]["notebooks"] = {"01_eda": {"execute_s": 2.0, "render_s": 0.9},
                                        "07_explain": {"execute_s": 1.0, "render_s": 0.1},
                                        "05_profile": {"execute_s": 4.7, "render_s": 0.1}}
    manifest["timings"]["notebooks"]["05_profile"]["waited_s"] = 1.5  # its last cell waited for 08 and 10
    visible = _Page(appendix_html(manifest, business=True)).visible
    assert visible.index("01_eda") < visible.index("05_profile") < visible.index("07_explain")
    assert "times overlap and do not add up to the total" in visible
    assert "Of which waiting" in visible and "05_profile 4.7 s 1.5 s 0.1 s" in " ".join(visible.split())
    assert "01_eda 2.0 s 0.0 s 0.9 s" in " ".join(visible.split())  # a manifest from before waits were timed


def test_index_gives_each_report_its_seconds_of_work_not_its_waits(tmp_path):
    (tmp_path / "artifacts").mkdir()
    for name in ("01_eda", "05_profile"):
        (tmp_path / f"{name}.html").write_text(f'<h1 class="sk-title">{name} title</h1>')
        (tmp_path / f"{name}.analyst.html").write_text("")
    manifest = _manifest()
    manifest["timings"]["notebooks"] = {"01_eda": {"execute_s": 2.0, "render_s": 0.9},
                                        "05_profile": {"execute_s": 4.7, "waited_s": 1.5, "render_s": 0.1}}
    visible = " ".join(_Page(write_index(tmp_path, params=Params(run_name="r1"), manifest=manifest,
                                         notebooks=["01_eda", "05_profile"]).read_text()).visible.split())
    assert "05_profile title (05_profile) · analyst copy (with code) · 3.2s" in visible
    assert "01_eda title (01_eda) · analyst copy (with code) · 2.0s" in visible


def test_appendix_is_added_once_with_its_toc_entry(tmp_path):
    text, _ = _render(tmp_path, _notebook(), business=True)
    once = add_appendix(text, _manifest(), business=True)
    twice = add_appendix(once, _manifest(), business=True)
    assert once == twice
    page = _Page(twice)
    assert page.toc[-1] == f"#{APPENDIX_ID}" and APPENDIX_ID in page.ids
    assert twice.count(APPENDIX_TITLE) == 2  # the heading and its contents entry
    assert twice.index(f'id="{APPENDIX_ID}"') < twice.index("</main>")


def test_toc_entry_without_sections(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Only a title")])
    text, _ = _render(tmp_path, nb, business=True)
    page = _Page(add_toc_entry(text, "x-1", "Extra"))
    assert page.toc == ["#x-1"]


def test_cards_escape_data_and_colour_the_index_by_direction():
    from segkit.report.cards import segment_cards

    card = {"code": "S01", "name": "<i>Champions</i>", "size": 10, "share": 0.5, "description": "Best & loyal",
            "facts": [{"label": "Days since last purchase", "value": 17, "value_text": "17 days", "index": 18,
                       "higher_is_better": False},
                      {"label": "Net spend", "value": 7400, "value_text": "£7,400", "index": 389},
                      {"label": "Orders", "value": 2, "index": 100}]}
    html_text = str(getattr(segment_cards([card]), "data", segment_cards([card])))
    assert "&lt;i&gt;Champions&lt;/i&gt;" in html_text and "Best &amp; loyal" in html_text
    assert '<span class="sk-idx-good">(index 18)</span>' in html_text  # a short time since the last purchase is good
    assert '<span class="sk-idx-high">(index 389)</span>' in html_text  # no direction given: neutral colour
    assert '<span class="">(index 100)</span>' in html_text
    # a segment of one says so in the singular ("1 areas" before)
    one = str(segment_cards([{**card, "size": 1, "share": 0.017}], entity="areas").data)
    assert '<div class="sk-size">1 area · 1.7%</div>' in one and "10 customers · 50.0%" in html_text
    # a stability measured on fewer than five members is not one ("1.00 (stable)" for a segment of one area)
    small = str(segment_cards([{**card, "size": 4, "stability": 1.0}, {**card, "stability": 0.66}],
                              entity="areas").data)
    assert "Stability: too few areas (4) to measure" in small and "Stability 0.66 (fairly stable)" in small
    assert "Stability 1.00" not in small
    # a kind's list of typical members, under its own label and escaped
    listed = str(segment_cards([{**card, "members": "Kent County, Delaware; <b>",
                                 "members_label": "Typical areas"}]).data)
    assert '<p class="sk-members"><strong>Typical areas:</strong> Kent County, Delaware; &lt;b&gt;</p>' in listed
    assert "sk-members" not in html_text
    # means are said to be means (the card's "what sets it apart" compares medians: "typically")
    assert "sk-facts-head" not in html_text
    averaged = str(segment_cards([{**card, "facts_label": "On average"}]).data)
    assert '<div class="sk-facts-head">On average (index 100 = all customers):</div><ul><li>' in averaged
    assert "sk-facts-head" not in str(segment_cards([{**card, "facts": [], "facts_label": "On average"}]).data)
    plain = [{**f, "index": None} for f in card["facts"]]  # no fact shows an index: the header names none
    assert '<div class="sk-facts-head">On average:</div>' in str(
        segment_cards([{**card, "facts": plain, "facts_label": "On average"}]).data)


# --- index page --------------------------------------------------------------------------------------
def test_mask_secret():
    assert mask_secret("sqlite:////tmp/x.db?password=Pa55") == "sqlite:////tmp/x.db?password=***"
    assert mask_secret("postgresql://bob:pw@db:5432/shop") == "postgresql://bob:***@db:5432/shop"
    assert mask_secret("${DB_URL}") == "${DB_URL}"
    assert mask_secret("not a url pw") == "***"


def test_churn_summary_is_validated(tmp_path):
    (tmp_path / "artifacts").mkdir()
    path = tmp_path / "artifacts" / "churn_summary.json"
    assert churn_summary(tmp_path) is None
    path.write_text(json.dumps({"high_risk_share": 1.7}))
    assert churn_summary(tmp_path) is None
    path.write_text(json.dumps({"high_risk_share": 0.25, "high_risk": "many", "horizon_days": 90, "cutoff": "2011-09-11",
                                "segments": [{"code": "S01", "high_risk_share": 0.4}, {"code": "S02", "high_risk_share": "x"},
                                             3]}))
    assert churn_summary(tmp_path) == {"high_risk_share": 0.25, "horizon_days": 90,
                                       "segments": {"S01": {"high_risk_share": 0.4, "high_risk": None, "name": ""}}}
    path.write_text("{not json")
    assert churn_summary(tmp_path) is None


def test_index_shows_churn_risk(tmp_path):
    (tmp_path / "artifacts").mkdir()
    art = tmp_path / "artifacts"
    (art / "segments_summary.json").write_text(json.dumps({"extra_label": "Stability", "segments": [
        {"code": "S01", "name": "<b>Loyal</b>", "size": 60, "share": 0.6, "extra": "0.9"},
        {"code": "S02", "name": "Lapsed", "size": 40, "share": 0.4, "extra": "0.8"}]}))
    (art / "churn_summary.json").write_text(json.dumps({
        "high_risk_share": 0.27, "high_risk": 27, "customers_scored": 100, "horizon_days": 90, "threshold": 0.5,
        "segments": [{"code": "S02", "name": "Lapsed", "high_risk_share": 0.55, "high_risk": 22},
                     {"code": "S01", "name": "<b>Loyal</b>", "high_risk_share": 0.003, "high_risk": 1}]}))
    (tmp_path / "08_churn.html").write_text('<h1 class="sk-title">Who will stop buying</h1>')
    manifest = _manifest()
    manifest["row_counts"]["entities"] = 100
    text = write_index(tmp_path, params=Params(run_name="r1"), manifest=manifest,
                       notebooks=["01_eda", "08_churn"]).read_text()
    page = _Page(text)
    assert "27% At high risk of churn (90 days)" in page.visible
    assert ("27 of the 100 entities scored (27%) are at high risk of not buying again in the next 90 days"
            in page.visible)
    assert "largest in segment S02 Lapsed (55%)" in page.visible  # named as the table names it, not a bare code
    assert "under 1%" in page.visible and " 0%" not in page.visible  # one customer in 300 is not nobody
    assert "href='08_churn.html'" in text and "Who will stop buying" in page.visible
    assert "&lt;b&gt;Loyal&lt;/b&gt;" in text and "/home/ann" not in text and page.scripts == 0


@pytest.mark.parametrize("new_share, said", [(0.69, True), (0.2, False)])
def test_a_segment_named_at_risk_is_said_against_a_riskier_one(new_share, said):
    """Online Retail's index: "At high risk of churn" S02 At Risk 37% beside S04 New Customers 69%, with nothing to
    say why the segment named for risk is not the one most at risk."""
    from segkit.report.index import _churn_sentence

    segments = {"S01": {"high_risk_share": 0.998, "name": "Lost"}, "S02": {"high_risk_share": 0.37, "name": "At Risk"},
                "S03": {"high_risk_share": 0.01, "name": "Loyal Customers"},
                "S04": {"high_risk_share": new_share, "name": "New Customers"}}
    text = _churn_sentence({"high_risk_share": 0.49, "segments": segments}, "customers")
    assert ("S02 At Risk is named for how its customers bought, not by this model: fewer of them are at high risk "
            "(37%) than in S04 New Customers (69%)." in text) == said, text
    assert "S01 Lost is named" not in text  # the segment most at risk is named for it rightly
    segments["S04"]["high_risk_share"] = 0.374  # 37% against 37%, as the page rounds them: no story
    assert "is named for how" not in _churn_sentence({"high_risk_share": 0.49, "segments": segments}, "customers")


# --- the smoke run -------------------------------------------------------------------------------------
def _reports(folder: Path) -> list[Path]:
    return [folder / f"{name}{suffix}" for name in NOTEBOOKS for suffix in RENDERINGS.values()]


@pytest.mark.slow
def test_smoke_reports_are_within_the_size_budget(smoke_run):
    for path in [*_reports(smoke_run), smoke_run / "index.html"]:
        assert path.stat().st_size < SIZE_BUDGET_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"


@pytest.mark.slow
def test_smoke_reports_are_self_contained(smoke_run):
    for path in [*_reports(smoke_run), smoke_run / "index.html"]:
        text = path.read_text(encoding="utf-8")
        page = _Page(text)
        assert page.scripts == 0, path.name
        assert 'http-equiv="Content-Security-Policy"' in text, path.name
        assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text) is None, path.name
        assert re.search(r"@import|<link[^>]+stylesheet", text) is None, path.name
        assert all(img["src"].startswith("data:image/") for img in page.images), path.name


@pytest.mark.slow
def test_smoke_reports_open_with_header_toc_and_end_with_appendix(smoke_run):
    for path in _reports(smoke_run):
        text = path.read_text(encoding="utf-8")
        page = _Page(text)
        assert re.search(r'<h1 class="sk-title">[^<]+</h1>', text), path.name
        assert re.search(r'<div class="sk-meta">Run smoke · \d{1,2} \w+ \d{4} · online_retail\.parquet', text), path.name
        assert len(page.toc) >= 2 and page.toc[-1] == f"#{APPENDIX_ID}", path.name
        missing = [href for href in page.toc if href[1:] not in page.ids]
        assert not missing, f"{path.name}: contents links without a target: {missing}"
        assert text.count(f'id="{APPENDIX_ID}"') == 1, path.name
        assert "Rows after each cleaning step" in page.visible and "Package versions" in page.visible


@pytest.mark.slow
def test_smoke_business_reports_hide_code_and_caption_figures(smoke_run):
    for name in NOTEBOOKS:
        text = (smoke_run / f"{name}.html").read_text(encoding="utf-8")
        page = _Page(text)
        for leak in ("stages.start(run_dir", "run_dir", "Traceback", "Warning:", str(smoke_run.parent)):
            assert leak not in page.visible, f"{name}.html shows {leak!r}"
        assert re.search(r'class="[^"]*jp-InputArea-editor', text) is None, f"{name}.html shows code"
        assert page.images, name
        for img in page.images:
            assert img["figure"] is not None and img["figure"]["caption"].strip(), f"{name}: image without a caption"
            assert img["alt"].strip(), f"{name}: image without alt text"
    analyst = (smoke_run / "05_profile.analyst.html").read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*jp-InputArea-editor', analyst), "the analyst copy shows the code"


@pytest.mark.slow
def test_smoke_profile_opens_with_the_executive_summary(smoke_run):
    text = (smoke_run / "05_profile.html").read_text(encoding="utf-8")
    assert _Page(text).toc[0] == "#Executive-summary"
    assert text.index('class="sk-cards"') < text.index("<img")


@pytest.mark.slow
def test_smoke_index_links_every_report_and_artifact(smoke_run):
    text = (smoke_run / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r"href='([^'#]+)'", text))
    for path in _reports(smoke_run):
        assert path.name in links
    assert "artifacts/segments.csv" in links and "artifacts/segment_map.png" in links
    assert all((smoke_run / link).is_file() for link in links)
    assert "data:image/png;base64," in text  # the map thumbnail


def test_appendix_lists_the_parameters_the_runs_data_kind_reads():
    """A customer table's report does not list the transactions' column mapping or churn settings; manifest.json
    keeps every key."""
    manifest = {**_manifest(), "data_kind": "customers",
                "params": {"seed": 7, "id_col": "id", "customer_col": "CustomerID", "churn_folds": 5,
                           "valid_range": {}, "min_population": 500}}
    visible = _Page(appendix_html(manifest, business=False)).visible
    assert "id_col" in visible and "seed" in visible and "valid_range" in visible
    assert "customer_col" not in visible and "churn_folds" not in visible and "min_population" not in visible
    assert "The 3 parameters a customers run reads" in visible and "manifest.json has all 6" in visible


def test_appendix_cleaning_steps_say_the_rows_a_step_added():
    """The refunds' lines: the appendix's cleaning table has an Added column, as the data-quality page's, only when a
    step added rows."""
    steps = [{"description": "Duplicates removed.", "rows_before": 10, "rows_removed": 2, "rows_after": 8},
             {"description": "Refund lines added.", "rows_before": 8, "rows_removed": 0, "rows_after": 11}]
    manifest = {**_manifest(), "row_counts": {**_manifest()["row_counts"], "cleaning_steps": steps}}
    section = appendix_html(manifest, business=True)
    assert "<th>Added</th>" in section and "<td class='sk-num'>3</td><td class='sk-num'>11</td>" in section
    assert "<th>Added</th>" not in appendix_html(_manifest(), business=True)


def _tags(page: str) -> list[tuple[str, tuple]]:
    from bs4 import BeautifulSoup

    return [(t.name, tuple(sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in t.attrs.items())))
            for t in BeautifulSoup(page, features="html.parser").find_all(True)]


@pytest.mark.parametrize("business", [True, False])
def test_pages_are_nbconverts_without_its_soup_pass(tmp_path, business):
    """The exporter skips nbconvert's BeautifulSoup pass over the whole page (a third of its time) and makes its two
    changes itself: the same tags and attributes as nbconvert's HTMLExporter gives (an alt text on an inline image
    without one, every cell focusable), and a table of contents without the headings' pilcrows."""
    from nbconvert import HTMLExporter

    from segkit.report import render

    nb = _notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells.append(new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": png,
                                                                                        "text/plain": "<Figure>"})]))
    tricky = (f'<img data-alt="x" src="data:image/png;base64,{png}"><img title="a>b" alt="chart" src="c.png">'
              f"<img alt='single' src=d.png><div class=\"jp-OutputArea-output extra\">inner</div>")
    nb.cells.append(new_code_cell("html()", outputs=[new_output("display_data", data={"text/html": tricky,
                                                                                        "text/plain": "html"})]))
    nb = render._business_copy(nb, None) if business else nbformat.from_dict(nb)
    render._papermill_cells(nb)
    resources = {"segkit_css": "", "segkit_header": "", "segkit_csp": CSP, "metadata": {"name": "t"}}
    ours = render._exporter(business).from_notebook_node(nbformat.from_dict(nb), resources=dict(resources))[0]
    stock = HTMLExporter(extra_template_basedirs=[str(render._TEMPLATE_DIR)], template_name="segkit")
    stock.exclude_input = business
    stock.exclude_input_prompt = stock.exclude_output_prompt = stock.embed_images = True
    theirs = stock.from_notebook_node(nbformat.from_dict(nb), resources=dict(resources))[0]
    assert _tags(ours) == _tags(theirs)
    assert 'alt="No description has been provided for this image"' in ours and 'tabindex="0"' in ours
    assert ours.count("No description has been provided") == 2  # the inline figure and the data-alt one
    text, page = _render(tmp_path, _notebook(), business=True)
    assert "¶" not in re.search(r'<nav class="sk-toc">.*?</nav>', text, flags=re.S).group(0)


def test_code_is_escaped_by_the_highlighter_as_the_lab_template_sanitises_it():
    """segkit's template shows a code cell as pygments writes it, without the sanitiser nbconvert's lab template runs
    over it (a tenth of a page's time): a parameter's value with markup in it is text on the page all the same, and
    the cell's HTML is the lab template's, character for character (bleach also turned control characters other than
    tab and newline into "?", which code here does not have)."""
    from segkit.report import render

    nb = new_notebook(cells=[new_code_cell('run_name = "<script>alert(1)</script> & <b>x</b>"  # \'q\' "dq"\n'
                                           "x = 1 < 2 > 0\nprint(f'{x!r}')")],
                      metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    resources = {"segkit_css": "", "segkit_header": "", "segkit_csp": CSP, "metadata": {"name": "t"}}
    ours = render._exporter(False).from_notebook_node(nbformat.from_dict(nb), resources=dict(resources))[0]
    lab = render._html_exporter()(template_name="lab")  # the same exporter with the lab template, sanitiser and all
    lab.exclude_input_prompt = lab.exclude_output_prompt = True
    theirs = lab.from_notebook_node(nbformat.from_dict(nb), resources=dict(resources))[0]

    def code(page: str) -> str:
        return re.search(r'<div class="cm-editor cm-s-jupyter">.*?</div>\s*</div>', page, flags=re.S).group(0)

    assert code(ours) == code(theirs)
    assert "<script>" not in code(ours) and "&lt;script&gt;alert(1)&lt;/script&gt;" in code(ours)
    assert "<b>" not in code(ours) and _Page(code(ours)).scripts == 0


def test_both_copies_render_from_one_read_as_from_the_file(tmp_path):
    """The batch reads an executed notebook once for its two copies (``read``): each page is the one rendered from
    the file, and the read notebook is left as it was for the other copy."""
    src = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), str(src))
    read = nbformat.read(str(src), as_version=4)
    before = nbformat.writes(read)
    for business in (True, False):
        alone = render_notebook(src, tmp_path / f"alone{business}.html", business=business, meta="m")
        shared = render_notebook(src, tmp_path / f"shared{business}.html", business=business, meta="m", read=read)
        assert shared.read_bytes() == alone.read_bytes()
        assert nbformat.writes(read) == before


def test_the_note_naming_rows_of_a_table_without_ids_is_no_record():
    """A survey without an id column: its features page's notes said "no id column: rows are named row_0001,
    row_0002, ..." and the business copy left the whole notes table out as "individual records". A table whose rows
    are labelled by those names still lists records."""
    private = PrivateData(columns={"row_id"}, ids={f"row_{i:04d}" for i in range(1, 2001)})
    note = ("<table><thead><tr><th></th><th>Note</th></tr></thead><tbody><tr><th>0</th><td>no id column: rows are "
            "named row_0001, row_0002, ... in table order</td></tr></tbody></table>")
    assert private_outputs(_rows_notebook(note), private) == []
    assert private_outputs(_rows_notebook("<p>no id column: rows are named row_0001, row_0002</p>"), private) == []
    assert private_outputs(_rows_notebook("<p>The best respondent is row_1234.</p>"), private) == [(1, 0)]
    rows = ("<table><thead><tr><th></th><th>Income</th></tr></thead><tbody><tr><th>row_0001</th><td>3,600</td></tr>"
            "<tr><th>row_0002</th><td>41,000</td></tr></tbody></table>")
    assert private_outputs(_rows_notebook(rows), private) == [(1, 0)]
