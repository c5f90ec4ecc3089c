"""HTML building blocks for reports: segment cards, notes and figure captions.

They return IPython ``HTML`` objects when IPython is available (so a notebook cell displays them), and
plain strings otherwise. Every piece of text that comes from the data is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["segment_cards", "note", "note_html", "caption", "PALETTE"]

#: Segment colours, shared by cards and plots (tab10-like, readable on white).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


def _html(text: str):
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover - IPython ships with the kit
        return text
    return HTML(text)


def _index_class(index: float | None) -> str:
    if index is None:
        return ""
    return "sk-idx-high" if index >= 120 else "sk-idx-low" if index <= 80 else ""


def _fact(fact: Mapping[str, Any]) -> str:
    label = html.escape(str(fact.get("label", fact.get("feature", ""))))
    value = fact.get("value")
    index = fact.get("index")
    value_text = html.escape(fact.get("value_text") or (f"{value:,.1f}" if isinstance(value, (int, float)) else str(value)))
    idx = "" if index is None else f' <span class="{_index_class(index)}">(index {index:.0f})</span>'
    return f"<li>{label}: <strong>{value_text}</strong>{idx}</li>"


def segment_cards(cards: Iterable[Mapping[str, Any]], *, entity: str = "customers"):
    """Executive-summary cards: code, name, size and share, key facts with their index, an action."""
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
            f'<p>{html.escape(str(card.get("description", "")))}</p><ul>{facts}</ul>{stab}'
            + (f'<div class="sk-action"><strong>Suggested action:</strong> {html.escape(str(action))}</div>' if action else "")
            + "</div>")
    return _html(f'<div class="sk-cards">{"".join(parts)}</div>')


def note_html(text: str, *, kind: str = "note") -> str:
    """The HTML of a highlighted paragraph (``kind`` is "note" or "warn")."""
    return f'<div class="sk-{"warn" if kind == "warn" else "note"}">{html.escape(text)}</div>'


def note(text: str, *, kind: str = "note"):
    """A highlighted paragraph (``kind`` is "note" or "warn"), for display in a notebook."""
    return _html(note_html(text, kind=kind))


def caption(text: str):
    """A figure caption in the report's style."""
    return _html(f'<p class="sk-muted" style="color:#5b6770;font-size:.9rem;margin-top:-.3rem">{html.escape(text)}</p>')
