"""Text columns of the reports' tables set flush left, numbers flush right.

A DataFrame shown in a notebook is a ``<table class="dataframe">`` whose every cell JupyterLab's style sets flush
right, as suits numbers; the reports' tables also hold sentences (02's notes, 01's findings and cleaning rules, what
each measure means), which read badly that way. :func:`align_text` marks every cell of a column of words
``sk-text`` (flush left in :data:`~segkit.report.render.REPORT_CSS`), its heading and row labels included; a column of
numbers, amounts, shares, dates or counts with a unit ("213 days") stays flush right. Row labels are flush left. A
table whose values span several columns is left as it is: its cells do not line up with one column each.
"""

from __future__ import annotations

import html
import re

__all__ = ["align_text", "is_number_like"]

_TABLE = re.compile(r'<table[^>]*class="dataframe"[^>]*>.*?</table>', re.S)
_ROW = re.compile(r"<tr[^>]*>.*?</tr>", re.S)
_CELL = re.compile(r"<(td|th)((?:\s[^>]*)?)>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
#: A number as the reports write them, with its sign, currency, unit or share: "-£1,304", "4.1%", "213 days", "0.94",
#: "2010-12-01 08:26:00", "85123A", "(index 14)" is not one.
_NUMBER = re.compile(r"^[(\-−+~<>≈≥≤]*\s*[£$€¥]?\s*\d[\d.,:\s/-]*(\s*(%|[A-Za-zµ]{1,8}))?\)?$")
_BLANK = frozenset({"", "-", "–", "—", "nan", "NaN", "None", "<NA>", "NaT"})


def is_number_like(text: str) -> bool:
    """Whether a cell's text reads as a number (flush right) rather than words (flush left).

    >>> [is_number_like(t) for t in ("-£1,304", "4.1%", "213 days", "2010-12-01 08:26:00", "profile only", "yes")]
    [True, True, True, True, False, False]
    """
    return bool(_NUMBER.match(text.strip()))


def _text(cell: str) -> str:
    return html.unescape(_TAG.sub("", cell)).strip()


def _with_class(attrs: str, name: str) -> str:
    found = re.search(r'class="([^"]*)"', attrs)
    if found:
        return attrs[:found.start()] + f'class="{found.group(1)} {name}"' + attrs[found.end():]
    return f' class="{name}"{attrs}'


def _cells(row: str) -> list[re.Match]:
    return list(_CELL.finditer(row))


def _marked(row: str, cells: list[re.Match], marks: list[bool]) -> str:
    """``row`` with its ``cells`` marked ``sk-text`` where ``marks`` says so."""
    out, last = [], 0
    for cell, mark in zip(cells, marks):
        tag, attrs, inner = cell.groups()
        out += [row[last:cell.start()], f"<{tag}{_with_class(attrs, 'sk-text') if mark else attrs}>{inner}</{tag}>"]
        last = cell.end()
    return "".join(out) + row[last:]


def _word_columns(rows: list[list[re.Match]], width: int) -> list[bool]:
    """Whether each of the ``width`` value columns (the rows' last cells) holds words rather than numbers."""
    out = []
    for j in range(width):
        filled = [t for t in (_text(row[len(row) - width + j].group(3)) for row in rows) if t not in _BLANK]
        said = sum(not is_number_like(t) for t in filled)
        out.append(bool(said) and said >= len(filled) - said)
    return out


def _align_table(table: str) -> str:
    """One table with its row labels and its columns of words marked (see :func:`align_text`)."""
    split = table.find("<tbody")
    if split < 0:
        return table
    head, body = table[:split], table[split:]
    rows = [_cells(row) for row in _ROW.findall(body)]
    tds = {sum(c.group(1) == "td" for c in row) for row in rows}
    if len(tds) != 1 or "colspan" in body or any(c.group(1) == "td" for row in rows for c in row[:len(row) - min(tds)]):
        return table  # rows of different widths, or labels among the values: not one cell per column
    width = tds.pop()
    words = _word_columns(rows, width)

    def body_row(match: re.Match) -> str:
        cells = _cells(match.group(0))
        labels = len(cells) - width
        return _marked(match.group(0), cells, [True] * labels + words)

    def head_row(match: re.Match) -> str:
        cells = _cells(match.group(0))
        if "colspan" in match.group(0) or len(cells) < width:
            return match.group(0)
        return _marked(match.group(0), cells, [True] * (len(cells) - width) + words)

    return _ROW.sub(head_row, head) + _ROW.sub(body_row, body)


def align_text(body: str) -> str:
    """``body`` (a rendered page) with the cells of its tables' text columns marked ``sk-text``.

    >>> page = align_text('<table class="dataframe"><thead><tr><th></th><th>Meaning</th><th>Rows</th></tr></thead>'
    ...                   '<tbody><tr><th>a</th><td>Days since the last purchase</td><td>12</td></tr></tbody></table>')
    >>> '<th class="sk-text">Meaning</th>' in page, '<td class="sk-text">Days since the last purchase</td>' in page
    (True, True)
    >>> '<th>Rows</th>' in page, '<td>12</td>' in page
    (True, True)
    """
    return _TABLE.sub(lambda m: _align_table(m.group(0)), body)
