"""Segments of one name ranked along the one measure that sets them apart: "the fewest", "very few", "few", "fairly
few" tickets where the name says the measure (:func:`graded`); around the one nearest the average where it does not
(:func:`around`). Both take a namer: what says a feature high or low (``namer.phrase(feature, high, comparative)``)."""

from __future__ import annotations

import re

import pandas as pd

from .words import superlative

__all__ = ["graded", "around", "GRADES", "STEPS"]

#: Words for segments of one name ranked along the measure it says, the furthest first: "the lowest", "very low", "low",
#: "fairly low" (no more than four: beyond, words would not keep them apart); of two, "the lowest" and "low".
GRADES = ("", "very", "", "fairly")


def graded(z: pd.DataFrame, names: dict, found: dict, namer, segs: list) -> bool:
    """Segments of one name that differ in the very measure it says, ranked along it (:data:`GRADES`): one measure of
    five segments read "Customers with the fewest tickets and fewer tickets". ``found``: segment -> the feature that
    tells it apart. False (nothing done) for other groups."""
    feats = set(found.values())
    if len(feats) != 1 or not 2 <= len(segs) <= len(GRADES):  # a middle one may differ from the mean in nothing
        return False
    feat = feats.pop()
    up = next((up for up in (True, False) if all(re.search(rf"(?<![\w-]){re.escape(namer.phrase(feat, up))}(?!\w)",
                                                           names[seg]) for seg in segs)), None)
    if up is None or z.loc[segs, feat].duplicated().any():
        return False
    order = sorted(segs, key=lambda seg: z.at[seg, feat], reverse=up)  # the furthest the name's way first
    said = namer.phrase(feat, up)
    for rank, seg in enumerate(order):
        grade = superlative(namer.phrase(feat, up, comparative=True)) if rank == 0 else \
            f"{GRADES[rank] if len(order) > 2 else ''} {said}".strip()  # of two: "the lowest" and "low"
        names[seg] = re.sub(rf"(?<![\w-]){re.escape(said)}(?!\w)", grade, names[seg], count=1)
    return True


#: Words for the segments on one side of the one nearest the average, the nearest first: "older age", "far older age",
#: "the oldest age" ("the": the superlative); no more than four a side.
STEPS = {1: ("",), 2: ("", "the"), 3: ("", "far", "the"), 4: ("slightly", "", "far", "the")}


def around(z: pd.DataFrame, names: dict, namer, segs: list) -> bool:
    """Segments of one name whose words say nothing that sets them apart, differing in one measure only (teenagers of
    16, 17 and 18, none of them "Older" customers): the one nearest the average keeps the name, the others say which
    way they lie from it, ranked (:data:`STEPS`: "with older age", "with the oldest age"). False (nothing done) for
    other groups, or more than four segments on one side."""
    part = z.loc[segs]
    feats = [f for f in part.columns if part[f].notna().all() and part[f].nunique() > 1]
    if len(feats) != 1 or len({names[seg] for seg in segs}) != 1:
        return False
    values = part[feats[0]]
    base = values.abs().idxmin()
    sides = [values[values > values[base]].sort_values(), values[values < values[base]].sort_values(ascending=False)]
    if values.duplicated().any() or max(len(side) for side in sides) > len(STEPS):
        return False
    joint = " and " if " with " in names[base] else " with "
    for up, side in zip((True, False), sides):
        said = namer.phrase(feats[0], up, comparative=True)
        for seg, step in zip(side.index, STEPS.get(len(side), ())):
            names[seg] += joint + (superlative(said) if step == "the" else f"{step} {said}".strip())
    return True
