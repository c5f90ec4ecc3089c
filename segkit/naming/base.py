"""The name of a segment: a short name, a sentence describing it and an action; and the two levels of a column of two,
which a name, a description and a card say once."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["SegmentName", "two_levels"]


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


def two_levels(said: Mapping[Hashable, str]) -> list[tuple[Hashable, Hashable]]:
    """The features (keys) that are the only two levels of one column, by what they say (``"column: level"``): whether
    one says the other's fact the other way round is for the caller to check (their shares sum to one, their z-scores
    mirror).

    >>> two_levels({"kids: 0": "kids: 0", "kids: 1": "kids: 1", "age": "age", "plan: a": "plan: a"})
    [('kids: 0', 'kids: 1')]
    """
    columns: dict[str, list] = {}
    for key, text in said.items():
        what, colon, _ = str(text).rpartition(": ")
        if colon:
            columns.setdefault(what, []).append(key)
    return [(pair[0], pair[1]) for pair in columns.values() if len(pair) == 2]

