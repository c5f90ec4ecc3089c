"""HTML building blocks for reports: segment cards, notes and figure captions.

They return IPython ``HTML`` objects when IPython is available (so a notebook cell displays them), and
plain strings otherwise. Every piece of text that comes from the data is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from matplotlib.colors import to_hex

from ..format import MISSING_TEXT, capitalised, format_number, format_share, format_value, index_text
from ..naming.words import counted
from ..separability import MIN_MEMBERS

__all__ = ["segment_cards", "stability_text", "figure", "figure_png", "image", "format_value", "note",
           "note_html", "html_block", "caption", "split_table", "table", "plain_heading"]



def html_block(text: str):
    """Trusted HTML (built from escaped pieces) as an object a notebook cell displays."""
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover - IPython ships with the kit
        return text
    return HTML(text)


def _index_class(index: float | None, higher_is_better: bool | None = None) -> str:
    """Well above (>= 120) or below (<= 80) average: neutral colours, unless the fact says which way is good
    (``higher_is_better``: a short time since the last purchase is good news, shown in green)."""
    if index is None or 80 < index < 120:
        return ""
    high = index >= 120
    if higher_is_better is None:
        return "sk-idx-high" if high else "sk-idx-low"
    return "sk-idx-good" if high == higher_is_better else "sk-idx-bad"


def _fact(fact: Mapping[str, Any]) -> str:
    label = html.escape(str(fact.get("label", fact.get("feature", ""))))
    value = fact.get("value")
    index = fact.get("index")
    value_text = html.escape(fact.get("value_text") or (f"{value:,.1f}" if isinstance(value, (int, float)) else str(value)))
    css = _index_class(index, fact.get("higher_is_better"))
    idx = "" if index is None else f' <span class="{css}">(index {index_text(index)})</span>'
    typical = fact.get("typical_text")  # the median, as the drivers sentence quotes it ("typically $79k")
    typical = f' <span class="sk-muted">· typically {html.escape(str(typical))}</span>' if typical else ""
    return f"<li>{label}: <strong>{value_text}</strong>{idx}{typical}</li>"


#: What a segment too small to resample shows instead of its stability.
TOO_FEW = "too few to measure"


def _stability(stability: float | None, size: int, entity: str) -> str:
    """The card's stability line, as :func:`stability_text` decides it: the number with a word, or too few."""
    shown = stability_text(stability, size)
    if shown == TOO_FEW:
        return f'<div class="sk-code">Stability: too few {entity} ({size}) to measure</div>'
    if not shown:
        return ""
    word = "stable" if stability >= 0.75 else "unstable" if stability < 0.6 else "fairly stable"
    return f'<div class="sk-code">Stability {shown} ({word})</div>'


def stability_text(stability: float | None, size: int) -> str:
    """A segment's stability as the index's table shows it: "0.94", "too few to measure" for a segment of fewer
    than :data:`~segkit.separability.MIN_MEMBERS` (one area resamples into a segment of its own every time, which
    read "1.00 (stable)"), or "" when it was not measured.

    >>> stability_text(0.9372, 1200), stability_text(1.0, 1), stability_text(None, 10)
    ('0.94', 'too few to measure', '')
    """
    if stability is None:
        return ""
    return TOO_FEW if size < MIN_MEMBERS else f"{stability:.2f}"


def segment_cards(cards: Iterable[Mapping[str, Any]], *, entity: str = "customers"):
    """Executive-summary cards: code, name, size and share, key facts with their index, what sets the
    segment apart (``drivers``) and how well a model tells it from the others (``distinctness``), both from
    the run's one separability analysis (``explain.json``), its churn risk (``risk``) and value (``value``),
    stability and a suggested action.
    A kind may list each segment's most typical members (``members``, under ``members_label``: a census segment's
    areas); stability is not shown as a number for a segment of fewer than :data:`~segkit.separability.MIN_MEMBERS`."""
    cards = list(cards)
    from ..plots.profile import segment_palette  # seaborn: loaded by the page that draws segments

    colours = [to_hex(c) for c in segment_palette(len(cards))]
    parts = []
    for i, card in enumerate(cards):
        color = colours[i]
        facts = "".join(_fact(f) for f in card.get("facts", []))
        head = card.get("facts_label") if facts else None  # means, beside the medians of what sets it apart
        indexed = any(f.get("index") is not None for f in card.get("facts", []))
        said = f" (index 100 = all {html.escape(entity)})" if indexed else ""
        facts = (f'<div class="sk-facts-head">{html.escape(str(head))}{said}:</div>' if head else "") \
            + f"<ul>{facts}</ul>"
        stab = _stability(card.get("stability"), card["size"], entity)
        action = card.get("action")
        parts.append(
            f'<div class="sk-card" style="--sk-color:{color}">'
            f'<div class="sk-code">{html.escape(str(card["code"]))}</div>'
            f'<h3>{html.escape(str(card["name"]))}</h3>'
            f'<div class="sk-size">{html.escape(counted(card["size"], entity))} · {100 * card["share"]:.1f}%</div>'
            f'<p>{html.escape(str(card.get("description", "")))}</p>{facts}'
            + (f'<p class="sk-members"><strong>{html.escape(str(card.get("members_label", "Typical members")))}:'
               f'</strong> {html.escape(str(card["members"]))}</p>' if card.get("members") else "")
            + (f'<p class="sk-drivers"><strong>What sets it apart:</strong> {html.escape(str(card["drivers"]))}</p>'
               if card.get("drivers") else "")
            + (f'<p class="sk-distinct"><strong>How distinct:</strong> {html.escape(str(card["distinctness"]))}</p>'
               if card.get("distinctness") else "")
            + (f'<p class="sk-risk"><strong>Churn:</strong> {html.escape(str(card["risk"]))}</p>' if card.get("risk") else "")
            + (f'<p class="sk-value"><strong>Value:</strong> {html.escape(str(card["value"]))}</p>' if card.get("value") else "")
            + stab
            + (f'<div class="sk-action"><strong>Suggested action:</strong> {html.escape(str(action))}</div>' if action else "")
            + "</div>")
    return html_block(f'<div class="sk-cards">{"".join(parts)}</div>')


def note_html(text: str, *, kind: str = "note") -> str:
    """The HTML of a highlighted paragraph (``kind`` is "note" or "warn")."""
    return f'<div class="sk-{"warn" if kind == "warn" else "note"}">{html.escape(text)}</div>'


def note(text: str, *, kind: str = "note"):
    """A highlighted paragraph (``kind`` is "note" or "warn"), for display in a notebook; nothing shown for no text
    (a finding with nothing to say draws no empty box)."""
    return html_block(note_html(text, kind=kind) if text and text.strip() else "")


def figure(obj, caption: str, *, alt: str | None = None, dpi: int = 96):
    """Embed a figure (a matplotlib ``Figure`` or ``Axes``) as PNG with its caption below it.

    The figure is closed, so the notebook shows it once, with the caption where it belongs.
    """
    return image(figure_png(obj, dpi=dpi), caption, alt=alt)


def figure_png(obj, *, dpi: int = 96) -> bytes:
    """A figure (a matplotlib ``Figure`` or ``Axes``) as PNG bytes, as the reports embed it (no timestamps in the
    file, so equal figures give equal bytes); the figure is closed.

    The figure is laid out and drawn once, at its own size. Only when some of it (a long label, a legend placed
    outside) reaches past its edges is it saved again with ``bbox_inches="tight"``, which widens the image to
    hold everything: that costs two more passes over every text, so it is kept for the figures that need it. So
    is a style that gives saved figures colours of their own (``savefig.facecolor``, ``savefig.edgecolor``,
    ``savefig.transparent``), which only ``savefig`` applies.
    """
    import io as _io

    import matplotlib.pyplot as plt

    fig = obj.figure if hasattr(obj, "figure") and not hasattr(obj, "savefig") else obj
    png = _drawn_once(fig, dpi)
    if png is None:
        buf = _io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        png = buf.getvalue()
    plt.close(fig)
    return png


def _drawn_once(fig, dpi: int) -> bytes | None:
    """``fig`` as PNG bytes, laid out and drawn once at its own size; None when ``savefig`` is needed instead (some
    of it reaches past the edges, or the style colours saved figures). The figure keeps its canvas and dpi."""
    import io as _io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import imsave

    rc = matplotlib.rcParams
    if rc["savefig.transparent"] or not rc["savefig.facecolor"] == rc["savefig.edgecolor"] == "auto":
        return None
    canvas, own_dpi = fig.canvas, fig.dpi
    agg = FigureCanvasAgg(fig)  # the figure's canvas until the finally below: no window or widget is resized
    try:
        fig.set_dpi(dpi)
        agg._is_saving = True  # as savefig draws: artists that only a saved figure shows are drawn too
        agg.draw()
        if not _within_edges(fig, agg.get_renderer()):
            return None
        buf = _io.BytesIO()
        imsave(buf, agg.buffer_rgba(), format="png", origin="upper", dpi=dpi, metadata={"Software": None})
        return buf.getvalue()
    finally:
        fig.set_dpi(own_dpi)
        fig.set_canvas(canvas)


def _within_edges(fig, renderer) -> bool:
    """Whether everything drawn on ``fig`` lies within the figure (to half a pixel)."""
    drawn, edge = fig.get_tightbbox(renderer), 0.5 / fig.dpi
    width, height = fig.get_size_inches()
    return bool(drawn.x0 >= -edge and drawn.y0 >= -edge and drawn.x1 <= width + edge and drawn.y1 <= height + edge)


def image(png: bytes, caption: str, *, alt: str | None = None):
    """Embed a PNG image (bytes, e.g. a figure already saved as a run artifact) with its caption below it."""
    import base64

    data = base64.b64encode(png).decode()
    return html_block(f'<figure class="sk-figure"><img alt="{html.escape(alt or caption)}" style="max-width:100%" '
                      f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}</figcaption></figure>')


def caption(text: str):
    """A figure caption in the report's style."""
    return html_block(f'<p class="sk-muted" style="color:#5b6770;font-size:.9rem;margin-top:-.3rem">{html.escape(text)}</p>')


def split_table(table, *, max_columns: int = 8):
    """A table that fits the page: ``table`` itself when it has at most ``max_columns`` columns, else its
    columns in consecutive blocks of ``max_columns``, one table under the other (each with the row labels)."""
    if table.shape[1] <= max_columns:
        return table
    blocks = [table.iloc[:, i:i + max_columns] for i in range(0, table.shape[1], max_columns)]
    return html_block("".join(f'<div class="sk-split">{b.to_html()}</div>' for b in blocks))


#: The types of a pandas column in a reader's words.
_TYPE_WORDS = {"b": "true/false", "i": "whole number", "u": "whole number", "f": "number", "M": "date and time",
               "m": "duration", "O": "text", "U": "text", "S": "text", "c": "number"}


def plain_heading(name: Any) -> str:
    """A column name as a table heading: ``missing_share`` -> "Missing share"."""
    return capitalised(str(name).replace("_", " ").strip())


def _cell(value: Any, kind: str | None) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, (int, float, np.number)):  # text stays as written: "22423" is a code, not 22,423
        return "" if value is None else value
    number = float(value)
    if not math.isfinite(number):
        return MISSING_TEXT
    if kind == "percent":  # a share that rounds to 0.0% but is not 0 says so, as the charts do
        return format_share(number, 1)
    if kind == "whole" or (isinstance(value, (int, np.integer))):
        return f"{int(round(number)):,}"
    return format_number(number)


def _column(values: pd.Series, kind: str | None) -> list:
    """The cells of one column (:func:`_cell`); for an ``aligned`` column, its fractional numbers to one number
    of decimals: 0.70 and 2.00 under 1.48, not 0.7 and 2 (numbers under 0.01 keep their own significant digits)."""
    cells = [_cell(v, kind) for v in values]
    if kind != "aligned":
        return cells
    fractional = [isinstance(v, (float, np.floating)) and math.isfinite(v) and abs(v) >= 0.01 for v in values]
    decimals = max((len(c.rpartition(".")[2]) for c, f in zip(cells, fractional) if f and "." in c), default=0)
    if not decimals:
        return cells
    return [f"{float(v):,.{decimals}f}" if f else c for v, c, f in zip(values, cells, fractional)]


def table(frame: pd.DataFrame, names: Mapping[str, str] | None = None, *, index: str | None = None,
          percent: Iterable[str] = (), whole: Iterable[str] = (), types: Iterable[str] = (),
          aligned: Iterable[str] = (), label_words: bool = False) -> pd.DataFrame:
    """``frame`` as a business reader sees it: headings in words (``names``, else :func:`plain_heading`), the
    column ``index`` as the row labels (else the frame's own labels, or none for a plain 0, 1, 2...), shares in
    percent, counts with thousands separators, other numbers as :func:`~segkit.format.format_number` writes them
    (in the ``aligned`` columns, the rows of one measure, with as many decimals down the column as its most precise
    number), missing and infinite values as "–" and pandas types (``types``) in words ("text", "whole number"). The
    name of the frame's own row labels goes above them, in the one header row. With ``label_words``, the row labels
    are names to write as words too (rules, severities; never input columns)."""
    names = dict(names or {})
    kinds = {**{c: "aligned" for c in aligned}, **{c: "percent" for c in percent}, **{c: "whole" for c in whole}}
    shown = frame.set_index(index) if index is not None else frame.copy()
    corner = None if index is not None else shown.index.name  # what the row labels are: above them, in one header row
    if index is None and isinstance(shown.index, pd.RangeIndex):
        shown.index = [""] * len(shown)
    for col in shown.columns:
        if col in types:
            shown[col] = [_TYPE_WORDS.get(_kind(t), str(t)) for t in shown[col]]
        elif pd.api.types.is_numeric_dtype(shown[col]) or shown[col].dtype == object:
            shown[col] = _column(shown[col], kinds.get(col))
    if label_words:
        shown.index = [plain_heading(v) for v in shown.index]
    shown = shown.rename(columns=lambda c: names.get(c, plain_heading(c)))
    shown.index.name, shown.columns.name = None, None if corner is None else plain_heading(corner)
    return shown


def _kind(dtype: Any) -> str:
    """numpy's one-letter kind of a dtype written as text ("Int64" and "category" included)."""
    try:
        return pd.api.types.pandas_dtype(str(dtype)).kind
    except TypeError:
        return "O"
