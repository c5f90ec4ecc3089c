"""The run page's table of segments: code, name, size and share, the kind's own column (stability), outcomes, churn
risk, share of expected value and how well a model tells each apart; and under it, what its columns of scores mean."""

from __future__ import annotations

import html
from typing import Any

from ..format import format_share
from ..naming.words import singular

__all__ = ["fmt_int", "segment_table", "stability_said", "value_said"]


def fmt_int(value: Any) -> str:
    """A whole number with thousands separators, "–" for anything else."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "–"


def segment_table(segments: dict, entity: str, churn: dict | None, value: dict | None = None,
                  told: dict | None = None, value_terms: dict | None = None) -> str:
    """The table of segments (HTML), with a line under it on what its columns of scores mean (``value_terms``: the
    value's ``horizon_months`` and ``margin``, as ``value_summary.json`` gives them)."""
    esc = html.escape
    by_segment = (churn or {}).get("segments") or {}

    def churn_cell(code: Any) -> str:
        if not by_segment:
            return ""
        item = by_segment.get(str(code))
        return (f"<td style='text-align:right'>{format_share(item['high_risk_share'])}</td>" if item
                else "<td style='text-align:right'>–</td>")

    outcomes = _outcome_labels(segments)

    def outcome_cells(s: dict) -> str:
        shares = s.get("outcomes") if isinstance(s.get("outcomes"), dict) else {}
        return "".join(f"<td style='text-align:right'>{_share_text(shares.get(label))}</td>" for label in outcomes)

    rows = "".join(
        f"<tr><td><strong>{esc(str(s.get('code', '')))}</strong></td><td>{esc(str(s.get('name', '')))}</td>"
        f"<td style='text-align:right'>{fmt_int(s.get('size'))}</td>"
        f"<td style='text-align:right'>{100 * float(s.get('share', 0)):.1f}%</td>"
        f"<td>{esc(str(s.get('extra', '')))}</td>{outcome_cells(s)}{churn_cell(s.get('code'))}"
        + (f"<td style='text-align:right'>{value.get(str(s.get('code')), '–')}</td>" if value else "")
        + (f"<td style='text-align:right'>{esc(told.get(str(s.get('code')), '–'))}</td>" if told else "") + "</tr>"
        for s in segments.get("segments", []))
    if not rows:
        return "<p>No segments were produced in this run.</p>"
    churn_head = ("".join(f"<th>{esc(label)}</th>" for label in outcomes)
                  + ("<th>At high risk of churn</th>" if by_segment else "")
                  + ("<th>Share of expected value</th>" if value else "")
                  + ("<th>Told apart (0 to 1)</th>" if told else ""))
    return (f"<table class='sk-table'><thead><tr><th>Code</th><th>Segment</th><th>{esc(entity.capitalize())}</th>"
            f"<th>Share</th><th>{esc(segments.get('extra_label', ''))}</th>{churn_head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>" + _columns_said(str(segments.get("extra_label", "")), entity,
                                                             bool(by_segment), value_terms if value else None,
                                                             bool(told), churn or {}))


def stability_said(entity: str) -> str:
    """What a card's stability measures, as the index's legend and 05's note say it (each goes on: "on resampled
    data (0.75 or more: stable)"). Here, not in ``report.cards``: the index is written without matplotlib."""
    return f"how well a segment keeps its {entity} when the segments are refitted from their centres"


def _columns_said(extra: str, entity: str, churn: bool, value: dict | None, told: bool,
                  terms: dict | None = None) -> str:
    """What the segment table's columns of scores mean, under it: "Told apart (0 to 1)" was on no page in words.
    ``value``: the terms of the value column (None: no such column); ``terms``: the churn summary's
    (``horizon_days``, ``threshold``)."""
    days, threshold = (terms or {}).get("horizon_days"), (terms or {}).get("threshold", 0.5)
    horizon = f" in the next {days} days" if days else ""
    said = [f"<strong>Stability</strong>: {stability_said(entity)} on resampled data (0.75 or more: stable)"
            if extra.startswith("Stability") else "",
            f"<strong>At high risk of churn</strong>: the share of its {entity} whose predicted chance of not buying "
            f"again{horizon} is {threshold:.2f} or more (not the share expected to stop: each segment's average chance "
            "is on the page \"The segments: who they are and what to do\")" if churn else "",
            f"<strong>Share of expected value</strong>: {value_said(entity, **value)}" if value is not None else "",
            f"<strong>Told apart</strong>: how well a model that sees only the measures recognises its {entity}, on "
            f"{entity} it had not seen (1: every one placed in its segment, and no other {singular(entity)} placed "
            "there)" if told else ""]
    said = [s for s in said if s]
    return f"<p class='sk-muted'>{'. '.join(said)}.</p>" if said else ""


def value_said(entity: str, horizon_months: int | None = None, margin: float | None = None) -> str:
    """What a share of expected value is a share of, in the value's own terms: the value page's horizon, and sales
    or profit by its margin (the run page said "what all customers are expected to bring over the coming months"
    beside a value page of 12 months' sales with no margin applied).

    >>> value_said("customers", 12, 1.0)
    'its part of what all customers are expected to spend over the next 12 months (sales: no profit margin applied)'
    >>> value_said("members", 6, 0.3)
    'its part of the profit all members are expected to bring over the next 6 months (a margin of 30% of sales)'
    """
    over = f"over the next {horizon_months} months" if horizon_months else "over the coming months"
    if margin is None:
        return f"its part of what all {entity} are expected to bring {over}"
    if margin >= 1:
        return f"its part of what all {entity} are expected to spend {over} (sales: no profit margin applied)"
    return (f"its part of the profit all {entity} are expected to bring {over} (a margin of {format_share(margin)} of "
            "sales)")


def _outcome_labels(segments: dict) -> list[str]:
    """The outcomes each segment's share of which ``segments_summary.json`` gives (a customer table's attrition or
    purchase: the segments are compared on them, not built from them), in the order of the first segment's."""
    first = next(iter(segments.get("segments") or []), {})
    shares = first.get("outcomes") if isinstance(first, dict) else None
    return [str(label) for label in shares] if isinstance(shares, dict) else []


def _share_text(share: Any) -> str:
    """An outcome's share with one decimal down the column ("7.7%" under "13.0%", not "7.74%" under "13%")."""
    try:
        return format_share(float(share), 1)
    except (TypeError, ValueError):
        return "–"
