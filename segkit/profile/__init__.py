"""Per-segment statistics and the index against the whole (= 100).

A profile answers "how does each segment differ from the customer base as a whole?". It holds the
size of each segment, the mean, median, minimum and maximum of each feature per segment, the same
statistics for the whole, and two comparisons:

* **index**: 100 = the whole. A segment whose mean is twice the overall mean has index 200, half of it
  has index 50. The ratio of means is only meaningful when a feature is (mostly) positive, so each
  feature gets an *index basis*, recorded in :attr:`SegmentProfile.index_basis`:

  - ``"mean"``: ``100 * segment mean / overall mean``. Used when the overall mean is positive and the
    negative values (refunds, for instance) add up to at most 10% of the positive ones. This is the
    case for RFM features, census shares and counts.
  - ``"shifted"``: ``100 * (segment mean - overall min) / (overall mean - overall min)``. Used for
    features centred on zero or negative (standardised scores, net balances), and for answers scored on a
    scale (1 to 5), which has no zero. Values are measured from the lowest value in the data, so the index never
    goes below 0 and 100 is still the whole.
  - ``"constant"``: the feature has one value everywhere; every index is 100.

* **zscores**: ``(segment mean - overall mean) / overall std`` (population std, ``ddof=0``; 0 for a
  constant feature). Comparable across features; lexicon naming and :meth:`SegmentProfile.key_facts`
  use them to pick the most distinctive features.

The profile also records customer-level quantiles of every feature (quintile cut points by
default), which RFM naming uses to score segments on the distribution of customers.

Segments are shown everywhere with a stable code from :func:`segment_codes`: "S01" is segment 0
(the largest, as the clustering module guarantees), "S02" segment 1, and so on.

:mod:`~segkit.profile.result` holds :class:`SegmentProfile` (accessors, displays, serialisation);
:mod:`~segkit.profile.build` computes it (:func:`profile_segments`) and the 2-D map (:func:`project_2d`).
"""

from ..format import format_number, segment_codes  # noqa: F401 (format_number: still importable from here)
from ..naming.base import SegmentName
from .build import NEGATIVE_TOLERANCE, QUINTILES, feature_quantiles, profile_segments, project_2d  # noqa: F401
from .result import SegmentProfile

__all__ = [
    "QUINTILES",
    "SegmentName",
    "SegmentProfile",
    "feature_quantiles",
    "profile_segments",
    "project_2d",
    "segment_codes",
]
