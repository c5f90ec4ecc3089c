"""A segment named for risk that the churn model does not find the most at risk: said alike on the run page and on the
segment's card. No modelling library: ``segkit check`` loads the run page's words."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...format import format_share

__all__ = ["SAYS_RISK", "CLEARLY", "named_for_risk", "not_by_this_model"]

#: Names that say a segment is at risk of leaving (RFM's "At Risk", "About to Sleep"): said from how it bought.
SAYS_RISK = re.compile(r"(?i)\b(at risk|about to sleep|lapsing|lapsed|slipping|hibernating|lost)\b")
#: How much larger another segment's share at high risk must be to be said against a segment named for risk: 5 points
#: (37% against 37%, as the pages round them, is no story).
CLEARLY = 0.05


def named_for_risk(segments: Mapping[str, Mapping]) -> dict[str, tuple[str, Mapping]]:
    """Segment code -> (code, segment) of the segment most at high risk, for each segment whose name says it is at
    risk while the churn model finds clearly more of another segment at high risk, whose name does not: Online
    Retail's "S02 At Risk" (22%) beside "S04 New Customers" (38%). ``segments``: code -> ``name`` and
    ``high_risk_share``. The run page and the segment's card say it alike."""
    said = {code: s for code, s in segments.items() if SAYS_RISK.search(str(s["name"]))}
    others = [(code, s) for code, s in segments.items() if code not in said]
    out = {}
    for code, seg in sorted(said.items()):
        higher = [(c, s) for c, s in others if s["high_risk_share"] >= seg["high_risk_share"] + CLEARLY]
        if higher:
            out[code] = max(higher, key=lambda kv: kv[1]["high_risk_share"])
    return out


def not_by_this_model(name: str, other: str, other_share: float, *, entity: str = "customers",
                      share: float | None = None) -> str:
    """The sentence for a segment :func:`named_for_risk` finds (``name``, with its own ``share`` at high risk where
    the page has not given it already), against ``other`` ("S04 New Customers") and its share."""
    own = f" ({format_share(share)})" if share is not None else ""
    return (f"{name} is named for how its {entity} bought, not by this model: fewer of them are at high risk{own} than "
            f"in {other} ({format_share(other_share)}).")
