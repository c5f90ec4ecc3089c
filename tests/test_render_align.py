"""Tables of the reports: columns of words flush left, numbers flush right (``segkit.report.align``).

Each case is a table as a notebook shows it (pandas' HTML) with the columns a reader should see flush left.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from segkit.report.align import align_text, is_number_like
from segkit.report.render import _unbroken_cells


def _left(page: str) -> list[list[bool]]:
    """Per row of the table in ``page`` (header rows first), which cells are marked flush left."""
    return [[("sk-text" in attrs) for _tag, attrs in re.findall(r"<(td|th)((?:\s[^>]*)?)>", row)]
            for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)]


@pytest.mark.parametrize("text, number", [
    ("541,909", True), ("0.0%", True), ("-26", True), ("-£1,304", True), ("£13,427", True), ("213 days", True),
    ("2010-12-01 08:26:00", True), ("0.94", True), ("1.2", True), ("85123A", True), ("(12.5%)", True), ("−4", True),
    ("text", False), ("profile only", False), ("yes", False), ("S01 Lost", False), ("(redacted)", False),
    ("Days since the customer's last purchase", False), ("United Kingdom", False), ("index 14", False),
])
def test_what_reads_as_a_number(text, number):
    assert is_number_like(text) is number


def test_a_column_of_sentences_is_flush_left_and_the_counts_stay_right():
    table = pd.DataFrame({"Meaning": ["Days since the last purchase", "Orders placed"], "Used": ["yes", "profile only"],
                          "Rows": [4334, 12]}, index=pd.Index(["Days since last purchase", "Orders"], name=None))
    rows = _left(align_text(table.to_html()))
    assert rows[0] == [True, True, True, False]  # the index's empty heading, Meaning, Used, Rows
    assert rows[1] == rows[2] == [True, True, True, False]


def test_money_shares_units_and_dates_stay_flush_right():
    table = pd.DataFrame({"Net spend": ["-£141", "£1,304"], "Share": ["4.1%", "0.0%"], "Recency": ["213 days", "9 days"],
                          "First": ["2010-12-01", "2011-01-04"]})
    page = align_text(table.to_html())
    assert [cells[1:] for cells in _left(page)] == [[False] * 4] * 3
    assert [cells[0] for cells in _left(page)] == [True] * 3  # the row labels 0 and 1, and their heading


def test_a_column_as_much_words_as_numbers_reads_as_words():
    """01's input table: an example per column, (redacted), 85123A, a description, 6, a date, 2.55..."""
    table = pd.DataFrame({"Example": ["(redacted)", "85123A", "WHITE HANGING HEART", "6", "2010-12-01 08:26:00",
                                      "2.55", "(redacted)", "United Kingdom"]})
    assert all(cells[1] for cells in _left(align_text(table.to_html())))


def test_an_empty_column_and_blanks_do_not_count():
    table = pd.DataFrame({"Fix": ["", ""], "Rows": ["–", "12"], "Note": ["nan", "a rule removed them"]})
    rows = _left(align_text(table.to_html()))
    assert [cells[1:] for cells in rows] == [[False, False, True]] * 3


def test_row_labels_of_several_levels_are_flush_left_beside_their_values():
    """05's statistics per segment: a segment spans its measures' rows (rowspan), the values follow."""
    index = pd.MultiIndex.from_product([["S01 Lost", "S02 At Risk"], ["Net spend", "Orders"]], names=["Segment", "Measure"])
    table = pd.DataFrame({"Mean": ["£262", "1.2", "£1,304", "3.1"], "Note": ["low", "few", "high", "some"]}, index=index)
    page = align_text(table.to_html())
    assert "rowspan" in page
    rows = _left(page)
    assert rows[0] == rows[1] == [True, True, False, True]  # the headings, then the index's names
    assert rows[2] == [True, True, False, True]  # S01 Lost (spanning), Net spend, £262, low
    assert rows[3] == [True, False, True]  # Orders, 1.2, few: the spanning label is in the row above


def test_values_spanning_several_columns_are_left_as_they_are():
    columns = pd.MultiIndex.from_tuples([("What", "name"), ("What", "kind"), ("How many", "rows")])
    table = pd.DataFrame([["a", "b", 1]], columns=columns)
    html = table.to_html()
    assert "colspan" in html
    page = align_text(html)
    assert _left(page)[-1] == [True, True, True, False]  # the body's label and its columns of words; the count stays
    assert not any(_left(page)[0])  # the heading row that spans two columns is left alone


def test_one_word_cells_keep_their_class_and_other_tables_are_untouched():
    table = pd.DataFrame({"Used": ["yes", "no"], "Net": ["-£141", "£20"]})
    page = align_text(_unbroken_cells(table.to_html()))
    assert '<td class="sk-nw sk-text">yes</td>' in page and '<td class="sk-nw">-£141</td>' in page
    other = '<table class="sk-table"><tr><td>words here</td><td>1</td></tr></table>'
    assert align_text(other) == other
    assert align_text("<p>no table</p>") == "<p>no table</p>"


def test_escaped_text_is_read_as_the_reader_sees_it():
    table = pd.DataFrame({"Rule": ["Returns & refunds", "Prices < 0"], "Rows": [3, 4]})
    rows = _left(align_text(table.to_html()))
    assert [cells[1:] for cells in rows] == [[True, False]] * 3


def test_a_rendered_page_sets_its_text_columns_flush_left(tmp_path):
    """Through the renderer: the page's style sets the marked cells flush left above JupyterLab's own rule."""
    import nbformat

    from segkit.report.render import REPORT_CSS, render_notebook

    nb = nbformat.v4.new_notebook()
    table = pd.DataFrame({"Meaning": ["Days since the last purchase"], "Rows": [12]})
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"),
                nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output(
                    "execute_result", data={"text/html": table._repr_html_(), "text/plain": "t"}, execution_count=1)])]
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, str(path))
    page = render_notebook(path, tmp_path / "page.html", business=True).read_text(encoding="utf-8")
    assert '<td class="sk-text">Days since the last purchase</td>' in page and '<td class="sk-nw">12</td>' in page
    assert "table td.sk-text" in REPORT_CSS and "table td.sk-text" in page
