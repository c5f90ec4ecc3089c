"""The run page's sentence on churn risk: how many are at high risk, the segment where most are, and a segment named
for risk that the model does not find the most at risk."""

from __future__ import annotations

import re
from typing import Any

from ..format import format_share

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


#: Names that say a segment is at risk of leaving (RFM's "At Risk", "About to Sleep"): said from how it bought.
_SAYS_RISK = re.compile(r"(?i)\b(at risk|about to sleep|lapsing|lapsed|slipping|hibernating|lost)\b")


#: How much larger another segment's share at high risk must be to be said against a segment named for risk: 5 points
#: (37% against 37%, as the page rounds them, is no story).
_CLEARLY = 0.05


def _risk_named(segments: dict[str, dict], entity: str) -> str:
    """A sentence for a segment whose name says it is at risk while the churn model finds more of another segment
    at high risk, whose name does not: Online Retail's "S02 At Risk" (37%) beside "S04 New Customers" (69%). ''
    when the names and the scores tell one story."""
    said = {code: s for code, s in segments.items() if _SAYS_RISK.search(s["name"])}
    others = [(code, s) for code, s in segments.items() if code not in said]
    for code, seg in sorted(said.items()):
        higher = [(c, s) for c, s in others if s["high_risk_share"] >= seg["high_risk_share"] + _CLEARLY]
        if higher:
            c, top = max(higher, key=lambda kv: kv[1]["high_risk_share"])
            return (f" {code} {seg['name']} is named for how its {entity} bought, not by this model: fewer "
                    f"of them are at high risk ({format_share(seg['high_risk_share'])}) than in {c} {top['name']} "
                    f"({format_share(top['high_risk_share'])}).")
    return ""
