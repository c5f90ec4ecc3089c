"""The name of a segment: a short name, a sentence describing it and an action."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SegmentName"]


@dataclass(frozen=True)
class SegmentName:
    """A human-readable name for one segment, with a one-sentence description and an action.

    Attributes
    ----------
    name : str
        Short name, unique across the segments of one profile ("Champions").
    description : str
        One plain sentence with numbers ("Bought 12 times on average, ...").
    action : str
        A short suggestion for the business ("Reward them; ask for reviews.").
    """

    name: str
    description: str = ""
    action: str = ""
