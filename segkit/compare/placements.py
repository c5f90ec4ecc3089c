"""Two runs of the same input, told by their members: what another seed, k or column choice did to the segments.

No customer changed between two such runs, so nothing "became" or "grew": a segment is the same segment when
both runs hold nearly the same members (a Jaccard of at least :data:`SAME_SEGMENT`, 0.8), and every other
segment is told by where its members are in the other run:

- "Affluent Savers of B (33 customers) brings together Affluent Savers (men) (19) and Affluent Savers (women) (14)
  of A": a segment of B whose members come from two or more of A's (a merge);
- "Young Customers of A (33 customers) is split between ... of B": the other way round (a split);
- "... is all in ..." / "... comes mostly from ...": one segment holds most of the other's members, said only
  when no merge or split sentence names that pair already.

Members placed between segments that are the same in both runs are counted ("4 Older Customers are placed in
Young Customers"). The largest segments come first; the rest are counted and left to the migration table.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..format import format_number, format_value, joined
from .tables import Migration

__all__ = ["SAME_SEGMENT", "placements"]

SAME_SEGMENT = 0.8  #: two segments sharing this share of their members (Jaccard) are the same segment
_MOST = 0.8  #: a segment is told by the other run's segments that hold this share of its members
_SHOWN = 4  #: sentences about merged and split segments; the others are counted
_MOVES = 3  #: placements between segments that are the same in both runs


def _where(members: pd.Series) -> pd.Series:
    """The other run's segments that hold :data:`_MOST` of ``members`` (a row of the matrix), largest first."""
    members = members[members > 0].sort_values(ascending=False, kind="stable")
    return members[members.cumsum().shift(fill_value=0) < _MOST * members.sum()]


def _told(code: str, members: pd.Series, own: Mapping[str, str], other: Mapping[str, str],
          names: tuple[str, str], split: bool, entity: str) -> tuple[int, str, set[tuple[str, str]], bool]:
    """(size, sentence, the (earlier, later) pairs it names, whether it names several) for one segment of the
    run ``names[0]`` (the earlier run when ``split``)."""
    total, kept = int(members.sum()), _where(members)
    rest = total - int(kept.sum())
    parts = joined([f"{other[c]} ({format_number(n)})" for c, n in kept.items()])
    if len(kept) > 1:
        verb = "is split between" if split else "brings together"
    elif split:
        verb = "is mostly in" if rest else "is all in"
    else:
        verb = "comes mostly from" if rest else "is all from"
    elsewhere = "another segment" if rest == 1 or len(members[members > 0]) - len(kept) == 1 else "other segments"
    tail = f", the other {format_number(rest)} {'in' if split else 'from'} {elsewhere}" if rest else ""
    cells = {(code, c) if split else (c, code) for c in kept.index}
    return total, (f"{own[code]} of {names[0]} ({format_number(total)} {entity}) {verb} {parts} of {names[1]}"
                   f"{tail}."), cells, len(kept) > 1


def placements(mig: Migration, pairs: Mapping[str, str], earlier: Mapping[str, str], later: Mapping[str, str],
               *, entity: str, names: tuple[str, str]) -> list[str]:
    """The summary's sentences for two runs of the same input (see the module docstring).

    ``pairs`` maps earlier segment codes to the later segments paired with them
    (:func:`~segkit.compare.runs.match_segments`); ``earlier`` and ``later`` map codes to names.
    """
    counts = mig.counts
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    same = {a: b for a, b in pairs.items()
            if counts.at[a, b] >= SAME_SEGMENT * (rows[a] + cols[b] - counts.at[a, b]) > 0}
    told = [_told(b, counts[b], later, earlier, names[::-1], False, entity)
            for b in counts.columns if b not in same.values() and cols[b]]
    told += [_told(a, counts.loc[a], earlier, later, names, True, entity)
             for a in counts.index if a not in same and rows[a]]
    covered = set().union(*[cells for _, _, cells, several in told if several])
    said = []
    for size, text, cells, several in sorted(told, key=lambda t: (not t[3], -t[0])):
        if several or not cells <= covered:  # a single pair already named by a merge or a split is not said again
            said.append((size, text))
            covered |= cells
    said.sort(key=lambda item: -item[0])
    out = [text for _, text in said[:_SHOWN]]
    if len(said) > _SHOWN:
        more = len(said) - _SHOWN
        out.append(f"{more} smaller change{'s' if more > 1 else ''} of that kind: see the table of where the members "
                   "of each segment went.")
    moves = [(a, b, int(counts.at[a, b])) for a in same for b in same.values() if b != same[a] and counts.at[a, b]]
    moves.sort(key=lambda m: -m[2])
    if moves:
        out.insert(0, joined([f"{format_number(n)} {earlier[a]} are placed in {later[b]}" for a, b, n in moves[:_MOVES]])
                   + ".")
    if not said and not moves:
        out.append(f"Every segment holds the same {entity} in both runs.")
    return out + [_entities(mig, same, entity, names)]


def _entities(mig: Migration, same: Mapping[str, str], entity: str, names: tuple[str, str]) -> str:
    if mig.n_new or mig.n_lost:  # settings that keep different rows (out_of_range: drop, min_population, ...)
        text = (f"{format_number(mig.n_both)} {entity} are in both runs; {format_number(mig.n_new)} only in {names[1]} "
                f"and {format_number(mig.n_lost)} only in {names[0]}, whose settings keep different rows.")
    else:
        text = f"All {format_number(mig.n_both)} {entity} are in both runs."
    if mig.n_both:
        kept = sum(int(mig.counts.at[a, b]) for a, b in same.items()) / mig.n_both
        text += f" {format_value(round(kept, 2), 'share')} of them are in a segment that is the same in both."
    return text
