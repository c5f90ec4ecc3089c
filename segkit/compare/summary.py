"""The executive summary of a comparison: what moved, in plain words, the biggest moves first.

For example: "312 Champions became At Risk and 120 Loyal Customers became Lost." then "The At Risk segment
grew 18% (1,012 to 1,194 customers); Lost shrank 23% (1,167 to 896 customers)."

Numbers are written with :mod:`segkit.format`, changes and shares in whole percent; segment names are each
run's own. The setup's sentences come first (:mod:`segkit.compare.setup`: the same input, other measures or
settings, ...). Two runs of the same input hold the same entities, none of which changed: their segments are told
by their members (:mod:`segkit.compare.placements`) instead of "became", "grew" and "stayed".
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..format import capitalised, format_number, format_value, joined
from ..naming.words import singular
from .drift import PSI_MODERATE, PSI_SIGNIFICANT
from .placements import placements
from .setup import Setup
from .tables import Migration

__all__ = ["summarise", "MAX_MOVES", "MAX_SIZE_CHANGES"]

MAX_MOVES = 3  #: moves between segments named in the summary
MAX_SIZE_CHANGES = 2  #: size changes named in the summary
_MIN_CHANGE = 0.01  #: a size change below 1% is not worth a sentence


def _moves(mig: Migration, pairs: Mapping[str, str], earlier: Mapping[str, str], later: Mapping[str, str],
           entity: str) -> str:
    moves = mig.moves(pairs)
    moves = moves[~moves["stayed"]].head(MAX_MOVES)
    if moves.empty:
        return f"No {entity} changed segment." if mig.n_both else ""
    parts = [f"{format_number(n)} {earlier[a]} became {later[b]}"
             for a, b, n in zip(moves["earlier"], moves["later"], moves["count"])]
    return joined(parts) + "."


def _sizes(sizes: pd.DataFrame, later: Mapping[str, str], entity: str, far: Mapping[str, int] | None = None) -> str:
    """The largest size changes of matched segments. ``far`` (later code -> rows placed in it that lie far from
    every segment of the earlier run, ``reference_mode: score``) is left out of a segment's change and said."""
    matched = sizes[(sizes["status"] == "matched") & sizes["change"].notna()].copy()
    far = {c: n for c, n in (far or {}).items() if c in set(matched["later"])}
    if far:
        matched["far"] = matched["later"].map(far).fillna(0).astype(int)
        matched["size_later"] = matched["size_later"] - matched["far"]
        matched["change"] = (matched["size_later"] - matched["size_earlier"]) / matched["size_earlier"]
    matched = matched[matched["change"].abs() >= _MIN_CHANGE]
    if matched.empty:
        return ""
    matched = matched.reindex(matched["change"].abs().sort_values(ascending=False, kind="stable").index)
    parts = []
    for i, row in enumerate(matched.head(MAX_SIZE_CHANGES).itertuples()):
        verb = "grew" if row.change > 0 else "shrank"
        who = f"the {later[row.later]} segment" if i == 0 else later[row.later]
        apart = (f", leaving out the {format_number(row.far)} placed in it that lie far from every segment"
                 if getattr(row, "far", 0) else "")
        parts.append(f"{who} {verb} {format_value(round(abs(row.change), 2), 'share')} "
                     f"({format_number(row.size_earlier)} to {format_number(row.size_later)} {entity}{apart})")
    text = "; ".join(parts)
    return capitalised(text) + "."


def _new_and_gone(sizes: pd.DataFrame, earlier: Mapping[str, str], later: Mapping[str, str], entity: str,
                  names: tuple[str, str]) -> list[str]:
    out = []
    for status, side, labels in (("new", "later", later), ("gone", "earlier", earlier)):
        rows = sizes[sizes["status"] == status]
        if rows.empty:
            continue
        items = [f"{labels[r[side]]} ({r[side]}, {format_number(r['size_' + side])} {entity})" for _, r in rows.iterrows()]
        many = len(items) > 1
        head = (f"New segment{'s' if many else ''} in {names[1]}" if status == "new" else
                f"Segment{'s' if many else ''} of {names[0]} with no counterpart in {names[1]}")
        out.append(f"{head}: {joined(items)}.")
    return out


def _entities(mig: Migration, share_stayed: float | None, entity: str, names: tuple[str, str],
              ids: tuple[pd.Index, pd.Index] | None = None) -> str:
    if not mig.n_both and mig.n_new and mig.n_lost and ids is not None:
        return _no_id_in_common(ids, entity, names)
    text = (f"{format_number(mig.n_both)} {entity} are in both runs; {format_number(mig.n_new)} are only in "
            f"{names[1]} (new) and {format_number(mig.n_lost)} only in {names[0]} (lost).")
    if share_stayed is not None and mig.n_both:
        text += f" Of those in both, {format_value(round(share_stayed, 2), 'share')} stayed in the matching segment."
    return text


def _bare(ids: pd.Index) -> pd.Index:
    """Ids as a person would read them: no surrounding spaces, no leading zeros ("0" and "000" are "0"), any case."""
    text = ids.astype(str).str.strip().str.casefold()
    return pd.Index(text.str.lstrip("0").where(~text.str.fullmatch("0+"), "0"))


def _no_id_in_common(ids: tuple[pd.Index, pd.Index], entity: str, names: tuple[str, str]) -> str:
    """No id is in both runs: say so with examples, and how many match once written alike."""
    text = (f"No {singular(entity)} id is in both runs (e.g. {ids[0][0]!r} in {names[0]}, {ids[1][0]!r} in "
            f"{names[1]}), so every {singular(entity)} counts as lost or new.")
    alike = len(_bare(ids[0]).intersection(_bare(ids[1])))
    if alike:
        text += (f" {format_number(alike)} {'id matches' if alike == 1 else 'ids match'} once leading zeros, spaces "
                 f"and case are ignored: write the ids the same way in both inputs to follow those {entity}.")
    return text


def _drift(drift: pd.DataFrame) -> str:
    if drift.empty:
        return ""
    significant = drift[drift["psi"] > PSI_SIGNIFICANT]
    moderate = drift[(drift["psi"] >= PSI_MODERATE) & (drift["psi"] <= PSI_SIGNIFICANT)]
    if significant.empty and moderate.empty:
        return f"The data itself is stable: every one of the {len(drift)} measures has a PSI below {PSI_MODERATE}."
    top = significant if not significant.empty else moderate
    named = joined([f"{_lower_first(label)} ({format_number(v)})" for label, v in zip(top["label"].head(3), top["psi"].head(3))])
    if significant.empty:
        counts = f"{len(moderate)} of {len(drift)} measures shifted moderately (PSI {PSI_MODERATE} to {PSI_SIGNIFICANT})"
    else:
        counts = f"{len(significant)} of {len(drift)} measures shifted significantly (PSI above {PSI_SIGNIFICANT})"
        counts += f" and {len(moderate)} moderately" if not moderate.empty else ""
    return f"The data itself changed: {counts}; most of all {named}."


def _lower_first(label: str) -> str:
    """"Days since last purchase" -> "days since last purchase"; an acronym ("ACS income") is kept."""
    return label[:1].lower() + label[1:] if label[:1].isupper() and not label[1:2].isupper() else label


def summarise(mig: Migration, sizes: pd.DataFrame, drift: pd.DataFrame, *, earlier: Mapping[str, str],
              later: Mapping[str, str], entity: str = "customers", run_names: tuple[str, str] = ("run A", "run B"),
              pairs: Mapping[str, str] | None = None, setup: Setup | None = None,
              ids: tuple[pd.Index, pd.Index] | None = None) -> list[str]:
    """The summary's sentences, the biggest moves first.

    Parameters
    ----------
    mig : Migration
    sizes : DataFrame
        :func:`~segkit.compare.tables.size_changes`.
    drift : DataFrame
        :func:`~segkit.compare.drift.feature_drift`.
    earlier, later : mapping of str to str
        Segment code -> name, in each run.
    entity : str
        What a row is, plural ("customers").
    run_names : (str, str)
        The two runs' names, earlier first.
    pairs : mapping of str to str, optional
        Earlier segment code -> the later segment that means the same thing: moves between them are stays.
    setup : Setup, optional
        How the runs were made (:func:`~segkit.compare.setup.compare_setup`): its sentences come first, and the
        same input changes the words (see the module docstring).
    ids : (Index, Index), optional
        Each run's entity ids, for the examples when no id is in both runs.
    """
    pairs = dict(pairs or {})
    first = setup.sentences(run_names, entity) if setup else []
    if setup and setup.same_input:  # no customer changed: told by members (segkit.compare.placements)
        return [*first, *placements(mig, pairs, earlier, later, entity=entity, names=run_names), _drift(drift)]
    stayed = None
    if pairs and mig.n_both:
        stayed = sum(int(mig.counts.at[a, b]) for a, b in pairs.items()) / mig.n_both
    sentences = [*first, _moves(mig, pairs, earlier, later, entity), _sizes(sizes, later, entity, setup.far if setup else None),
                 *_new_and_gone(sizes, earlier, later, entity, run_names),
                 _entities(mig, stayed, entity, run_names, ids), _drift(drift)]
    return [s for s in sentences if s]
