"""Human-readable segment names from profiles, through rules and lexicons shipped as data files.

- :class:`SegmentName`: a name, a one-sentence description and an action.
- :func:`name_segments_from_lexicon`: names from a z-score profile through a lexicon (each data kind
  ships its own, e.g. ``segkit/kinds/demographics/lexicon.yaml``); the transactions kind's RFM rules
  live in :mod:`segkit.kinds.transactions.naming`.

Both return ``dict[int, SegmentName]``; attach them with ``profile.with_names(...)``.
"""

from .base import SegmentName
from .lexicon import load_lexicon, name_segments_from_lexicon

__all__ = ["SegmentName", "load_lexicon", "name_segments_from_lexicon"]
