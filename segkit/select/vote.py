"""The vote: each criterion's preferred k, the consensus, the grade of the natural structure, and the
:class:`KSelection` that records the evidence (``artifacts/k_selection.json``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParamsError, SegmentationError
from ..format import joined
from .criteria import _SCORE_OF, CRITERIA, CRITERION_LABELS, SCORE_COLUMNS, _check_int, _gap_choice, find_knee
from .stability import STABLE, _stability_phrase

__all__ = ["KSelection", "choose_k", "groups_phrase", "CRITERION_NAMES"]

WEAK_SILHOUETTE = 0.25  #: Kaufman & Rousseeuw: below this, no substantial structure
CLEAR_SILHOUETTE = 0.5  #: at or above this, reasonable to strong structure
_FORMAT = "segkit.k_selection/1"


# ----------------------------------------------------------------------------------- selection
@dataclass
class KSelection:
    """The evidence for each candidate number of segments, and the recommendation.

    Attributes
    ----------
    scores : pandas.DataFrame
        Indexed by k, columns :data:`SCORE_COLUMNS`. Row k=1 is the no-structure reference: only
        ``inertia``, ``gap`` and ``gap_se`` are defined there. Candidate ks are :attr:`ks`.
    per_segment_silhouette, per_segment_stability : dict of int to list of float
        For each candidate k, one value per segment, in the order of the k-means labels
        (``KMeans(n_clusters=k, n_init=n_init, random_state=seed)`` on the same data).
    preferred : dict of str to int or None
        Each criterion's preferred k (None: no preference, e.g. no knee). Gap may prefer 1.
    votes : dict of int to list of str
        For each candidate k, the criteria that prefer it.
    recommended_k : int
        The most preferred candidate k; ties go to fewer segments.
    rationale : str
        One or two sentences for a business reader.
    structure : {"clear", "moderate", "weak", "none"}
        "none": gap prefers a single group and every silhouette is below 0.25; "weak": one of the two
        (gap's k=1 counts only while the best silhouette is below 0.5); "moderate": best silhouette
        below 0.5; "clear" otherwise.
    structure_note : str
        What ``structure`` means for the segments, in plain words.
    sample_size : int
        Rows used for silhouette, gap and stability.
    n_rows : int
        Rows in the data.
    params : dict
        The parameters used (after any capping of k_max), ``inertia_rows``, and the rule for k
        (``k_rule``, ``business_k``, ``min_share``).
    notes : list of str
        Adjustments made (k_max capped, ...).
    segment_shares : dict of int to list of float
        For each candidate k, the share of rows in each segment of the full-data fit.
    per_segment_hold : dict of int to list of float
        For each k of the business range (``k_rule="auto"``) and the k the vote gives, the mean Jaccard of
        each segment with its match when k-means is refitted on resampled rows from the segments' centres
        (``segment_stability(refit="centres")``): whether these segments hold. This is the stability a
        reader sees (the rationale, the cards, the index); the stability criterion refits from scratch
        instead, which also measures whether the segments are natural groups, and only votes.
    voted_k : int or None
        The k the vote of the criteria gives; ``recommended_k`` differs from it when the business
        rule chose (no clear structure, ``k_rule="auto"``). None: the same as ``recommended_k``.
    stability_rows : int or None
        Rows of the sample that bootstrap stability resamples (``sample_size`` rows serve the silhouette
        and the gap statistic).
    held : bool
        Whether the business rule chose ``recommended_k`` among the ks whose segments hold
        (:func:`~segkit.select.business.business_choice`), which may be the vote's k too; False when the vote decided.
    """

    scores: pd.DataFrame
    per_segment_silhouette: dict[int, list[float]]
    per_segment_stability: dict[int, list[float]]
    preferred: dict[str, int | None]
    votes: dict[int, list[str]]
    recommended_k: int
    rationale: str
    structure: str
    structure_note: str
    sample_size: int
    n_rows: int
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    segment_shares: dict[int, list[float]] = field(default_factory=dict)
    per_segment_hold: dict[int, list[float]] = field(default_factory=dict)
    voted_k: int | None = None
    stability_rows: int | None = None
    held: bool = False

    @property
    def ks(self) -> list[int]:
        """The candidate numbers of segments (k_min..k_max)."""
        return [int(k) for k in self.scores.index if k >= self.params["k_min"]]

    def structure_note_for(self, k: int) -> str:
        """The structure note, worded for the ``k`` segments used (a fixed ``k`` or a kind's own rule may differ)."""
        if int(k) == int(self.recommended_k):
            return self.structure_note
        ks = list(range(int(self.params["k_min"]), int(self.params["k_max"]) + 1))
        return _structure(self.scores, ks, self.preferred, int(k))[1]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN written as null), as stored in ``artifacts/k_selection.json``."""
        def clean(v):
            return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

        scores = {"k": [int(k) for k in self.scores.index]}
        scores.update({c: [clean(float(v)) for v in self.scores[c]] for c in SCORE_COLUMNS})
        per_k = {name: {str(k): [clean(float(v)) for v in vs] for k, vs in getattr(self, name).items()}
                 for name in ("per_segment_silhouette", "per_segment_stability", "per_segment_hold")}
        return {"format": _FORMAT, "scores": scores, **per_k, "preferred": dict(self.preferred),
                "votes": {str(k): list(v) for k, v in self.votes.items()}, "recommended_k": int(self.recommended_k),
                "rationale": self.rationale, "structure": self.structure, "structure_note": self.structure_note,
                "sample_size": int(self.sample_size), "n_rows": int(self.n_rows), "params": dict(self.params),
                "notes": list(self.notes), "segment_shares": {str(k): list(v) for k, v in self.segment_shares.items()},
                "voted_k": None if self.voted_k is None else int(self.voted_k),
                "stability_rows": None if self.stability_rows is None else int(self.stability_rows),
                "held": bool(self.held)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KSelection:
        """Rebuild a selection from :meth:`to_dict` output (e.g. read back from JSON)."""
        if data.get("format") != _FORMAT:
            raise SegmentationError(f"this k selection has format {data.get('format')!r}, expected {_FORMAT!r}",
                                    fix="re-run the 03_select_k step with this version of segkit")
        raw = data["scores"]
        scores = pd.DataFrame({c: [math.nan if v is None else v for v in raw[c]] for c in SCORE_COLUMNS},
                              index=pd.Index(raw["k"], name="k"), dtype=float)

        def floats(d):
            return {int(k): [math.nan if v is None else float(v) for v in vs] for k, vs in d.items()}

        return cls(scores=scores, per_segment_silhouette=floats(data["per_segment_silhouette"]),
                   per_segment_stability=floats(data["per_segment_stability"]),
                   preferred=dict(data["preferred"]), votes={int(k): list(v) for k, v in data["votes"].items()},
                   recommended_k=int(data["recommended_k"]), rationale=data["rationale"],
                   structure=data["structure"], structure_note=data["structure_note"],
                   sample_size=int(data["sample_size"]), n_rows=int(data["n_rows"]),
                   params=dict(data["params"]), notes=list(data.get("notes", [])),
                   segment_shares=floats(data.get("segment_shares", {})),
                   per_segment_hold=floats(data.get("per_segment_hold", {})), voted_k=data.get("voted_k"),
                   stability_rows=data.get("stability_rows"), held=bool(data.get("held", False)))

    def consensus_table(self, *, mark: str = " *", numeric: bool = False, used: int | None = None) -> pd.DataFrame:
        """Criteria (rows, :data:`CRITERION_LABELS`) by candidate k (columns) for a report.

        Each criterion's preferred cell ends with ``mark``; a "Preferred k" column and a "Votes" row
        (criteria per k, and the k they vote for, with the recommendation when the business choice differs:
        "2 (5 chosen)"; and with ``used``, the number of segments the run uses when that is another, a k the params
        fix or a kind's cap: "2 (4 chosen, 5 used)") are added. ``numeric=True`` returns the raw scores only.
        """
        ks = self.ks
        crits = [c for c in CRITERIA if c in self.preferred]
        table = pd.DataFrame({CRITERION_LABELS[c]: self.scores.loc[ks, _SCORE_OF[c]] for c in crits}).T
        table.columns = pd.Index(ks, name="k")
        if numeric:
            return table
        out = pd.DataFrame(index=table.index, columns=[*ks, "Preferred k"], dtype=object)
        for c, label in zip(crits, table.index):
            pick = self.preferred[c]
            cells = _row_cells(table.loc[label].to_numpy(dtype=float))
            for k, cell in zip(ks, cells):
                out.at[label, k] = cell + (mark if pick == k else "")
            out.at[label, "Preferred k"] = ("none" if pick is None else
                                            "1 (no structure)" if pick == 1 else str(pick))
        voted, chosen = self.voted_k, self.recommended_k
        if self.held:  # the stability the business choice reads, beside the row from scratch that can say 0
            holds = [self.per_segment_hold.get(k) for k in ks]
            weakest = np.array([min(v) if v and all(map(math.isfinite, v)) else np.nan for v in holds])
            # "0.890" beside "1.000", the chosen k marked as a criterion's preferred k is
            out.loc[HOLD_LABEL] = [cell + (mark if k == chosen else "") if cell else "–"  # not measured there
                                   for k, cell in zip(ks, _row_cells(weakest))] + [f"{chosen} chosen"]
        said = [] if voted in (None, chosen) else [f"{chosen} chosen"]
        said += [f"{used} used"] if used is not None and used != chosen else []
        out.loc["Votes"] = [str(len(self.votes.get(k, []))) for k in ks] + [
            f"{chosen if voted is None else voted}" + (f" ({', '.join(said)})" if said else "")]
        return out


def _row_cells(values: np.ndarray) -> list[str]:
    """A criterion's scores as its row shows them: three significant digits for the smallest, the same decimals
    across the row ("1.70" beside "1.77", not "1.7"; "0.480" beside "0.913"), thousands without decimals.

    >>> _row_cells(np.array([1.77, 1.7, np.nan])), _row_cells(np.array([0.913, 0.48]))
    (['1.77', '1.70', ''], ['0.913', '0.480'])
    >>> _row_cells(np.array([2e4, 512.3]))
    ['20,000', '512']
    """
    finite = np.abs(values[np.isfinite(values) & (values != 0)])
    decimals = 0 if not finite.size else int(np.clip(2 - np.floor(np.log10(finite.min())), 0, 3))
    return ["" if not math.isfinite(v) else f"{v:,.{decimals if abs(v) < 1000 else 0}f}" for v in values]


#: The vote table's row of the stability the business choice reads: each segment refitted from its centres.
HOLD_LABEL = "Stability refitted from the segments' centres (weakest segment)"


def _preferences(scores: pd.DataFrame, ks: list[int], criteria: list[str]) -> dict[str, int | None]:
    cand = scores.loc[ks]
    pref: dict[str, int | None] = {}
    for c in criteria:
        if c == "elbow":
            pref[c] = find_knee(ks, cand["inertia"].to_numpy())
        elif c in ("silhouette", "calinski_harabasz"):
            col = cand[c]
            pref[c] = None if col.isna().all() else int(col.idxmax())
        elif c == "davies_bouldin":
            pref[c] = None if cand[c].isna().all() else int(cand[c].idxmin())
        elif c == "gap":
            g = scores["gap"].dropna()
            pref[c] = _gap_choice([int(k) for k in g.index], g.to_numpy(), scores.loc[g.index, "gap_se"].to_numpy())
        elif c == "stability":
            smin = cand["stability_min"]
            stable = smin[smin >= STABLE]
            pref[c] = (int(stable.index.max()) if len(stable) else
                       None if smin.isna().all() else int(smin.idxmax()))
    return pref


def _structure(scores: pd.DataFrame, ks: list[int], pref: dict, k: int) -> tuple[str, str]:
    """Grade the natural structure. Gap preferring k=1 counts only when the best silhouette is below 0.5:
    Tibshirani's rule also stops at k=1 on some clearly separated blobs, when splitting them in two is no
    better than splitting uniform data (Gap(1) ~ Gap(2)); the silhouette then contradicts it."""
    sil = scores.loc[ks, "silhouette"]
    best = float(sil.max()) if sil.notna().any() else math.nan
    known = math.isfinite(best)
    gap_one = pref.get("gap") == 1 and not (known and best >= CLEAR_SILHOUETTE)
    low = known and best < WEAK_SILHOUETTE
    partition = (f"The {k} segments are a convenient partition of the data, not natural clusters: "
                 "rows near a boundary could as well sit in the next segment.")
    uniform = "the gap statistic finds no more structure than in uniformly scattered data of the same shape"
    if gap_one and low:
        return "none", (f"The data has no clear natural groups: {uniform}, and every silhouette is below "
                        f"{WEAK_SILHOUETTE} (best {_under(best, WEAK_SILHOUETTE)}). " + partition)
    if gap_one:
        return "weak", (f"The data has no clear natural groups: {uniform} (it prefers a single group), and the "
                        f"best silhouette is only {best:.2f}. " + partition)
    if low:
        return "weak", (f"The data has no clear natural groups: every silhouette is below {WEAK_SILHOUETTE} "
                        f"(best {_under(best, WEAK_SILHOUETTE)}), so the segments overlap heavily. " + partition)
    if not known:
        return "moderate", "The separation of the segments could not be measured."
    aside = " (the gap statistic prefers a single group, but the separation contradicts it)" \
        if pref.get("gap") == 1 else ""
    if best < CLEAR_SILHOUETTE:
        return "moderate", (f"The data has groups, but they overlap (best silhouette {_under(best, CLEAR_SILHOUETTE)}; "
                            "0.5 or more would "
                            "mean clearly separated groups): segment boundaries are soft.")
    return "clear", f"The data has clearly separated natural groups (best silhouette {best:.2f}){aside}."


def groups_phrase(structure: str) -> str:
    """What the data has, in the structure note's words ("The data has groups, but they overlap" when moderate)."""
    return "no natural groups" if structure in ("weak", "none") else "groups that overlap, not clearly separated ones"


def _under(value: float, limit: float) -> str:
    """``value`` (below ``limit``) with the decimals that keep it below: "0.249" beside "below 0.25", not "0.25".

    >>> _under(0.2493, 0.25), _under(0.21, 0.25), _under(0.4999, 0.5), _under(0.2499999, 0.25)
    ('0.249', '0.21', '0.4999', '0.249999')
    """
    for digits in range(2, 6):
        if float(f"{value:.{digits}f}") < limit:
            return f"{value:.{digits}f}"
    return f"{math.floor(value * 1e6) / 1e6:.6f}"  # cut, not rounded up to the limit


CRITERION_NAMES = {"elbow": "elbow", "silhouette": "silhouette", "calinski_harabasz": "Calinski-Harabasz",  #: in words
                   "davies_bouldin": "Davies-Bouldin", "gap": "gap statistic",
                   "stability": "stability refitted from scratch"}  # as 03's table row says it


def _consensus(pref: dict, ks: list[int], stab: dict[int, list[float]]) -> tuple[dict, int, str, list[str]]:
    votes = {k: [c for c, p in pref.items() if p == k] for k in ks}
    notes: list[str] = []
    top = max((len(v) for v in votes.values()), default=0)
    if top == 0:
        k = ks[0]
        notes.append(f"no criterion expressed a preference within k={ks[0]}..{ks[-1]}; k_min was used")
        return votes, k, f"{k} segments: no criterion expressed a preference, so the smallest k tried was used.", notes
    tied = [k for k in ks if len(votes[k]) == top]
    k = tied[0]  # mode; ties broken toward fewer segments

    def who(k_: int) -> str:
        return ", ".join(CRITERION_NAMES[c] for c in votes[k_])

    text = f"{k} segments: preferred by {top} of {len(pref)} criteria ({who(k)})"
    if len(tied) > 1:
        text += "; tied with " + " and ".join(f"{t} ({who(t)})" for t in tied[1:]) + ", so the fewer segments won"
    others = [f"{'a single group' if p == 1 else p} ({CRITERION_NAMES[c]})" for c, p in pref.items()
              if p not in tied and p]
    text += ("; others point to " + ", ".join(others)) if others else ""
    undecided = [CRITERION_NAMES[c] for c, p in pref.items() if p is None]  # not "others point to no preference"
    if undecided:
        text += f"; the {joined(undecided)} {'has' if len(undecided) == 1 else 'have'} no preference"
    phrase = _stability_phrase(stab.get(k, []))
    return votes, k, text + (f"; with {k} segments, {phrase}" if phrase else "") + ".", notes  # not of the last k named


def choose_k(selection: KSelection, k: int | str = "auto") -> tuple[int, str]:
    """The number of segments to use, and the sentence that explains it.

    Parameters
    ----------
    selection : KSelection
        The evidence from :func:`select_k` (or ``KSelection.from_dict``).
    k : "auto" or int
        "auto" takes the recommendation; a whole number >= 2 overrides it.

    Returns
    -------
    (int, str)
        E.g. ``(6, "The run was set to 6 segments; the criteria recommended 5.")``.
    """
    rec = int(selection.recommended_k)
    if isinstance(k, str):
        if k.strip().lower() != "auto":
            raise ParamsError(f"k={k!r} is not valid", fix='set k to "auto" or a whole number of segments >= 2',
                              key="k")
        why, head = selection.rationale, f"{rec} segments"  # the number first, once: "5 segments, chosen ..."
        return rec, (f"{head}, chosen automatically{why[len(head):]}" if why.startswith(head)
                     else f"{head}, chosen automatically. {why}")
    k = _check_int(k, "k", 2, 'set k to "auto" or a whole number of segments >= 2')
    if k == rec:
        return k, f"The run was set to {k} segments, the number the criteria recommend."
    text = f"The run was set to {k} segments; the criteria recommended {rec}."
    ks = selection.ks
    if ks and not ks[0] <= k <= ks[-1]:
        text += f" {k} is outside the range evaluated ({ks[0]}-{ks[-1]}), so it has no scores there."
    return k, text
