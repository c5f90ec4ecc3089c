"""The run page's sentence on churn risk: how many are at high risk, the segment where most are, and a segment named
for risk that the model does not find the most at risk."""

from __future__ import annotations

from typing import Any

from ..format import format_share
from ..kinds.transactions.risk_names import named_for_risk, not_by_this_model

__all__ = ["churn_sentence"]


def churn_sentence(churn: dict[str, Any], entity: str) -> str:
    """The run page's sentence on churn risk, from :func:`segkit.report.index.churn_summary`'s ``churn``."""
    share = format_share(churn['high_risk_share'])
    if "high_risk" in churn and "customers_scored" in churn:
        who = f"{churn['high_risk']:,} of the {churn['customers_scored']:,} {entity} scored ({share})"
    else:
        who = f"{share} of {entity}"
    horizon = f" in the next {churn['horizon_days']} days" if "horizon_days" in churn else ""
    threshold = (f" (a predicted churn probability of {churn['threshold']:.2f} or more)"
                 if "threshold" in churn else "")
    text = f"Churn risk: {who} are at high risk of not buying again{horizon}{threshold}."
    if churn.get("segments"):
        code, top = max(churn["segments"].items(), key=lambda kv: kv[1]["high_risk_share"])
        named = f"{code} {top['name']}".strip()  # "S01 Lost", as the segment table names it, not a bare code
        text += f" The share at high risk is largest in segment {named} ({format_share(top['high_risk_share'])})."
        text += _risk_named(churn["segments"], entity)
    return text


def _risk_named(segments: dict[str, dict], entity: str) -> str:
    """A sentence for a segment whose name says it is at risk while the churn model finds more of another segment
    at high risk, whose name does not (:func:`~segkit.kinds.transactions.risk_names.named_for_risk`): Online
    Retail's "S02 At Risk" (22%) beside "S04 New Customers" (38%). '' when the names and the scores tell one story."""
    for code, (c, top) in named_for_risk(segments).items():
        seg = segments[code]
        return " " + not_by_this_model(f"{code} {seg['name']}", f"{c} {top['name']}", top["high_risk_share"],
                                       entity=entity, share=seg["high_risk_share"])
    return ""
