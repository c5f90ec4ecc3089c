"""Human-readable segment names from profiles, through rules and lexicons shipped as data files.

- :func:`name_rfm_segments`: standard RFM names (Champions, At Risk, ...) from ``rfm_names.yaml``.
- ``name_segments_from_lexicon``: census-area and customer-table names (``segkit.naming.lexicon``).

Both return ``dict[int, SegmentName]``; attach them with ``profile.with_names(...)``.
"""

from __future__ import annotations

from segkit.naming.rfm import load_rfm_rules, name_rfm_segments, rfm_scores
from segkit.profile import SegmentName

from segkit.naming.lexicon import name_segments_from_lexicon

__all__ = [
    "SegmentName",
    "load_rfm_rules",
    "name_rfm_segments",
    "rfm_scores",
    "name_segments_from_lexicon",
]
