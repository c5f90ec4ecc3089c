"""HTML building blocks for reports: segment cards, notes and figure captions.

They return IPython ``HTML`` objects when IPython is available (so a notebook cell displays them), and
plain strings otherwise. Every piece of text that comes from the data is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["segment_cards", "figure", "format_value", "note", "note_html", "caption", "PALETTE"]

#: Segment colours, shared by cards and plots (tab10-like, readable on white).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


def _html(text: str):
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover - IPython ships with the kit
        return text
    return HTML(text)


def format_value(value: float, unit: str | None, currency: str = "£") -> str:
    """Format a value in its unit for a business reader: £4,100, 12 days, 3.5 orders, 24%."""
    if value is None or value != value:
        return "–"
    if unit == "money":
        return f"{'-' if value < 0 else ''}{currency}{abs(value):,.0f}"
    if unit == "days":
        return f"{value:,.0f} days"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "count":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"


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
    idx = "" if index is None else f' <span class="{css}">(index {index:.0f})</span>'
    return f"<li>{label}: <strong>{value_text}</strong>{idx}</li>"


def segment_cards(cards: Iterable[Mapping[str, Any]], *, entity: str = "customers"):
    """Executive-summary cards: code, name, size and share, key facts with their index, what sets the
    segment apart (``drivers``), its churn risk (``risk``), stability and a suggested action."""
    parts = []
    for i, card in enumerate(cards):
        color = PALETTE[i % len(PALETTE)]
        facts = "".join(_fact(f) for f in card.get("facts", []))
        stability = card.get("stability")
        stab = ""
        if stability is not None:
            word = "stable" if stability >= 0.75 else "unstable" if stability < 0.6 else "fairly stable"
            stab = f'<div class="sk-code">Stability {stability:.2f} ({word})</div>'
        action = card.get("action")
        parts.append(
            f'<div class="sk-card" style="--sk-color:{color}">'
            f'<div class="sk-code">{html.escape(str(card["code"]))}</div>'
            f'<h3>{html.escape(str(card["name"]))}</h3>'
            f'<div class="sk-size">{card["size"]:,} {html.escape(entity)} · {100 * card["share"]:.1f}%</div>'
            f'<p>{html.escape(str(card.get("description", "")))}</p><ul>{facts}</ul>'
            + (f'<p class="sk-drivers"><strong>What sets it apart:</strong> {html.escape(str(card["drivers"]))}</p>'
               if card.get("drivers") else "")
            + (f'<p class="sk-risk"><strong>Churn:</strong> {html.escape(str(card["risk"]))}</p>' if card.get("risk") else "")
            + stab
            + (f'<div class="sk-action"><strong>Suggested action:</strong> {html.escape(str(action))}</div>' if action else "")
            + "</div>")
    return _html(f'<div class="sk-cards">{"".join(parts)}</div>')


def note_html(text: str, *, kind: str = "note") -> str:
    """The HTML of a highlighted paragraph (``kind`` is "note" or "warn")."""
    return f'<div class="sk-{"warn" if kind == "warn" else "note"}">{html.escape(text)}</div>'


def note(text: str, *, kind: str = "note"):
    """A highlighted paragraph (``kind`` is "note" or "warn"), for display in a notebook."""
    return _html(note_html(text, kind=kind))


def figure(obj, caption: str, *, alt: str | None = None, dpi: int = 96):
    """Embed a figure (a matplotlib ``Figure`` or ``Axes``) as PNG with its caption below it.

    The figure is closed, so the notebook shows it once, with the caption where it belongs.
    """
    import base64
    import io as _io

    import matplotlib.pyplot as plt

    fig = obj.figure if hasattr(obj, "figure") and not hasattr(obj, "savefig") else obj
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return _html(f'<figure class="sk-figure"><img alt="{html.escape(alt or caption)}" style="max-width:100%" '
                 f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}</figcaption></figure>')


def caption(text: str):
    """A figure caption in the report's style."""
    return _html(f'<p class="sk-muted" style="color:#5b6770;font-size:.9rem;margin-top:-.3rem">{html.escape(text)}</p>')
