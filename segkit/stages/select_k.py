"""``03_select_k``: how many segments, with the evidence of six criteria and a vote.

``select`` reads ``features.parquet`` and writes ``k_selection.json`` and ``k_summary.json``.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .. import pipeline
from ..plots import criteria_figure as draw_criteria
from ..format import capitalised, joined
from ..naming.words import singular
from ..report.cards import caption, figure, html_block, note, note_html
from ..select import KSelection
from ..select.business import own_groups, weakest_from_scratch
from ..select.search import STRUCTURE_POINTER
from ..select.stability import ROUND, STABLE
from ..select.vote import CRITERION_NAMES, groups_phrase
from ..separability import MIN_MEMBERS
from .context import RunContext
from .features import load_features

__all__ = ["clustering_matrix", "select", "chosen_k", "k_structure", "k_recommendation", "sampling_sentence",
           "criteria_figure", "vote_table", "vote_note"]


def clustering_matrix(ctx: RunContext, fs=None) -> np.ndarray:
    """The matrix k-means sees, from the run's features (fitting the preprocessor anew)."""
    return pipeline.clustering_matrix(ctx.params, fs or load_features(ctx))


def select(ctx: RunContext, X: np.ndarray | None = None) -> KSelection | None:
    """Score every k in the range on every criterion, recommend one, and record the chosen k.

    Returns the :class:`~segkit.select.KSelection`; ``k_summary.json`` records the chosen k (the
    recommendation, or the k fixed in the params) and the sentence that explains it. When the data kind
    makes the segments by its own rule (``rfm_method: scores``: the RFM score grid), no criterion chooses
    k: the summary records the rule's number of segments and why, and this returns None.
    """
    fs = load_features(ctx)
    rule = ctx.kind.segment_rule(fs, ctx.params)
    if rule is not None:
        _record_rule(ctx, rule.fit(fs.clustering_table))
        return None
    X = clustering_matrix(ctx, fs) if X is None else X
    selection, k, sentence = pipeline.select(ctx.params, X)
    ctx.folder.write_json("k_selection.json", selection.to_dict())
    few = few_rows_note(int(k), len(X), fs.entity)
    ctx.folder.write_json("k_summary.json", {
        "recommended_k": int(selection.recommended_k), "chosen_k": int(k), "rationale": sentence,
        "summary": " ".join(filter(None, [plain_summary(selection, int(k), sentence, fs.entity), few])),
        **({"few_rows": few} if few else {}),
        "k_range": [int(selection.params["k_min"]), int(selection.params["k_max"])], "structure": selection.structure,
        "structure_note": selection.structure_note_for(k), "sample_size": selection.sample_size,
    })
    return selection


def few_rows_note(k: int, n: int, entity: str) -> str:
    """What the index and the k page say when the ``n`` rows give ``k`` segments fewer than
    :data:`~segkit.separability.MIN_MEMBERS` members on average (the check's warning, ``preflight.few_rows``);
    empty otherwise."""
    if n >= MIN_MEMBERS * k:
        return ""
    return (f"Only {n:,} {entity} were segmented: the {k} segments hold {n / k:.3g} on average, too few to describe "
            f"as groups ({MIN_MEMBERS} or more each would need {MIN_MEMBERS * k:,}). Treat them as a first sort of a "
            f"few {entity}, and segment a larger table before acting on them.")


#: Where the run's page sends a reader for how k was chosen: this page.
POINTER = '(the page "How many segments?" says how k was chosen)'


def plain_summary(selection: KSelection, k: int, sentence: str, entity: str) -> str:
    """How k was chosen, in a business reader's words (the index page; ``03_select_k`` shows the evidence and the
    criteria by name). A k set in the params keeps its own sentence."""
    if k != selection.recommended_k:
        return sentence
    if selection.held:
        smallest = min(selection.segment_shares[k])
        own = (selection.structure == "moderate" and k == selection.voted_k
               and own_groups(k, selection.votes, len(selection.preferred)))
        opening = (f"The {entity} fall into {k} groups of their own, though the groups overlap:" if own else
                   f"The {entity} form {groups_phrase(selection.structure)}; these {k} segments are a useful split "
                   "of them:")
        drawn = (" (though a fit from scratch draws other lines between them)"
                 if weakest_from_scratch(selection.scores, k) < STABLE else "")
        return (f"{k} segments. {opening} each keeps its members when the segments are refitted from their centres on "
                f"resampled data{drawn}, the smallest holds {smallest:.0%} of the {entity}, and each is distinct from "
                f"the others: on average its members lie nearer to it than to the next segment {POINTER}.")
    none, overlap = " The data has no clear natural groups.", " The groups overlap, so the boundaries are soft."
    caveat = {"weak": none, "none": none, "moderate": overlap}.get(selection.structure, "")
    if selection.voted_k not in (None, k):  # none qualified, the vote's k neither: the business range decided
        lo, hi = selection.params.get("business_k", (k, k))
        n, voted = len(selection.preferred), selection.voted_k
        why = (f"is preferred by more of them than any other ({len(selection.votes[k])} of {n})"
               if selection.votes.get(k) else f"separates the {entity} best")
        return (f"{k} segments: no number of segments from {lo} to {hi} gave segments that all keep their members, "
                f"each hold at least {selection.params.get('min_share', 0):.0%} of the {entity} and are distinct, "
                f"and neither did {voted}, which {len(selection.votes.get(voted, []))} of the {n} measures of how well "
                f"the {entity} split into groups prefer; of {lo} to {hi}, {k} {why} {POINTER}.{caveat}")
    return (f"{k} segments: {len(selection.votes.get(k, []))} of the {len(selection.preferred)} measures of how well "
            f"the {entity} split into groups prefer {k} {POINTER}.{caveat}")


def _record_rule(ctx: RunContext, rule) -> None:
    """``k_summary.json`` for segments made by the kind's own rule: their number, why, and the rule's table."""
    k = len(rule.segment_names_)
    table = rule.grid_table() if hasattr(rule, "grid_table") else None
    ctx.folder.write_json("k_summary.json", {
        "recommended_k": k, "chosen_k": k, "rationale": rule.rationale(), "k_range": [k, k],
        "structure": None, "structure_note": None, "sample_size": None, "rule": True,
        "rule_table": None if table is None else {"index_name": table.index.name, **table.to_dict(orient="split")},
    })


def chosen_k(ctx: RunContext) -> int:
    """The number of segments chosen in the k-selection step (or fixed in the params)."""
    if ctx.params.k != "auto" and not ctx.kind.fixes_k:
        return int(ctx.params.k)
    return int(ctx.folder.read_json("k_summary.json")["chosen_k"])


def k_structure(ctx: RunContext) -> str | None:
    """The natural structure the k selection found ("clear", "moderate", "weak", "none"), None without one."""
    return ctx.folder.read_json("k_summary.json").get("structure") if ctx.folder.has("k_summary.json") else None


def without_clear_groups(structure: str | None) -> bool:
    """Whether the k selection found groups that overlap or none (not clearly separated ones): segments that hold
    are then lines where they were drawn, which 04's agreement and 05's stability say."""
    return structure in ("moderate", "weak", "none")


def k_recommendation(ctx: RunContext, selection: KSelection):
    """The chosen number of segments with its rationale, and an honest note on weak structure."""
    summary = ctx.folder.read_json("k_summary.json")
    weak = summary.get("structure") not in (None, "clear", "strong")
    # the structure note follows: the rationale's pointer to it would say its first words twice
    parts = [note_html(summary["rationale"].replace(STRUCTURE_POINTER, "") if weak else summary["rationale"])]
    plain = (summary.get("summary") or "").replace(f" {POINTER}", "")  # the index's words; this is the page it names
    if plain and plain != summary["rationale"]:  # the criteria by name follow, for the analyst
        parts = [f"<p><strong>In short:</strong> {html.escape(plain)}</p><p>In detail:</p>"] + parts
    if summary.get("rule_table"):
        split = summary["rule_table"]
        table = pd.DataFrame(split["data"], index=pd.Index(split["index"], name=split["index_name"]),
                             columns=split["columns"])
        parts.append("<p>The grid: each cell's segment, with its number of " + html.escape(ctx.entity)
                     + " (rows: recency score; columns: frequency and spend score).</p>" + table.to_html())
    if weak:
        text = summary.get("structure_note") or "The data shows no clear natural groups."
        parts.append(note_html(text, kind="warn"))
    if summary.get("few_rows"):
        parts.append(note_html(summary["few_rows"], kind="warn"))
    return html_block("".join(parts))


def sampling_sentence(selection: KSelection, entity: str = "rows") -> str:
    """Say on how many rows (``entity``: "customers", as the page says them) the costly criteria were computed.

    >>> from types import SimpleNamespace
    >>> sel = SimpleNamespace(n_rows=4334, sample_size=2000, stability_rows=4334, notes=[])
    >>> said = sampling_sentence(sel, "customers")
    >>> said.startswith("Separation and gap were computed on a random sample of 2,000 of the 4,334 customers;")
    True
    >>> said.endswith("; the elbow and the other scores use every customer.")
    True
    """
    n, sample = selection.n_rows, selection.sample_size
    boot = selection.stability_rows or sample
    parts = []
    if sample and sample < n:
        parts.append(f"Separation and gap were computed on a random sample of {sample:,} of the {n:,} {entity}")
    if boot and boot < n:
        parts.append(f"stability on a random sample of {boot:,} {entity}")
    cut = "".join(f" {text}." for text in selection.notes if text.startswith(pipeline.RANGE_NOTE))
    if not parts:
        return f"Every criterion was computed on all {n:,} {entity}.{cut}"
    return "; ".join(parts) + f"; the elbow and the other scores use every {singular(entity)}.{cut}"


_NOT_CHOSEN = ("No criterion was computed: the segments come from the data kind's own rule (the RFM score grid "
               "above), so the number of segments was not chosen from the data's natural groups.")


def criteria_figure(selection: KSelection | None, ctx: RunContext | None = None):
    """Every criterion against k, with each one's preferred k marked, and how much data each used (a note when
    the segments come from the kind's own rule); given the run (``ctx``), its title says the number used when that
    is another."""
    if selection is None:
        return note(_NOT_CHOSEN)
    return figure(draw_criteria(selection, used=None if ctx is None else chosen_k(ctx)),
                  sampling_sentence(selection, "rows" if ctx is None else ctx.entity))


def vote_note(selection: KSelection | None):
    """Under the vote table: what its stability rows rest on, how many refits from scratch (the Mall's "0.000" came
    from 3, where resampling stopped once they settled the question), and for which numbers of segments the refit
    from the centres was measured (its row left k = 3 blank, unexplained); and which criteria prefer the fewest or
    the most segments tried (:func:`_at_the_edge`). None when there is nothing to say."""
    if selection is None:
        return None
    parts = [_stability_rows(selection) if selection.per_segment_stability else "", _at_the_edge(selection)]
    text = " ".join(p for p in parts if p)
    return caption(text) if text else None


def _stability_rows(selection: KSelection) -> str:
    most = int(selection.params.get("bootstrap") or 0)
    text = (f"Stability refitted from scratch is the mean over {ROUND} to {most} refits for each number of segments: "
            f"refitting stops once they settle whether every segment is stable ({STABLE:.2f} or more)."
            if most > ROUND else f"Stability refitted from scratch is the mean over {most} refits for each number "
            "of segments.")
    if selection.held:
        lo, hi = selection.params.get("business_k", (min(selection.ks), max(selection.ks)))
        lo, hi = max(lo, min(selection.ks)), min(hi, max(selection.ks))  # the range as far as it was searched
        others = [str(k) for k in sorted(selection.per_segment_hold) if not lo <= k <= hi]
        also = f" and {joined(others)}, the vote's" if others else ""
        span = f"{lo} segments" if lo == hi else f"{lo} to {hi} segments"
        text += (f" Refitted from the segments' centres, it is measured for {span} (the range the choice is made "
                 f"in){also}; – where it was not measured.")
    return text


def _at_the_edge(selection: KSelection) -> str:
    """The criteria whose preferred number is the fewest or the most segments tried: their best may lie beyond the
    range (the Mall's silhouette and Davies-Bouldin prefer 8, its k_max, and the page did not say so)."""
    ks = selection.ks
    if len(ks) < 3:
        return ""
    out = []
    for k, where, beyond in ((min(ks), "the fewest", "fewer"), (max(ks), "the most", "more")):
        if k == 2 and beyond == "fewer":  # one segment is no segmentation
            continue
        names = [CRITERION_NAMES[c] for c, p in selection.preferred.items() if p == k and c != "elbow"]
        if names:
            one = len(names) == 1
            out.append(f"{capitalised(joined(names))} {'prefers' if one else 'prefer'} {k}, {where} segments tried; "
                       f"had {beyond} been tried, {'it' if one else 'they'} might have preferred {beyond}.")
    return " ".join(out)


def vote_table(selection: KSelection | None, ctx: RunContext | None = None):
    """The criteria by number of segments, with each one's preferred number and, given the run (``ctx``), the number
    it uses when that is another (a k the params fix, a census run's cap); a note when the segments come from the
    kind's own rule."""
    if selection is None:
        return note(_NOT_CHOSEN)
    return selection.consensus_table(used=None if ctx is None else chosen_k(ctx))
