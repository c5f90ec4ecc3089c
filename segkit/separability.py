"""How separable the segments are and what sets each one apart: the one result every page reads.

:func:`segkit.explain.explain_segments` computes it once per run (a cross-validated random forest that
predicts the segment from the features, with permutation importance on the held-out rows), ``05_profile``
writes it to ``artifacts/explain.json`` (:meth:`SegmentExplanation.to_dict`) and everything else reads it
back (:meth:`SegmentExplanation.from_dict`): the segment cards ("What sets it apart", "How distinct"), the
index's segment table, and ``07_explain``, which draws it instead of fitting another forest. So a card
cannot say that a segment is hard to tell apart while 07 gives it a high F1.

What each page says comes from here too:

* per segment, its cross-validated F1 and the segment its held-out members are most often mistaken for
  (:meth:`SegmentExplanation.distinctness`);
* for the run, the macro-F1, the pairs of segments that get confused (:meth:`SegmentExplanation.confused_pairs`)
  and a verdict that does not contradict the k page: a forest recognises any k-means partition fairly
  well, so a high score means that the segments are clearly *defined* by the measures, not that the data
  falls into natural groups (the ``structure`` that ``03_select_k`` measured);
* segments with too few members to cross-validate (:data:`MIN_MEMBERS`) are left out of the forest and
  reported (``left_out``); nothing fails because of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .format import fold_table, joined, round_json
from .naming.words import counted

__all__ = ["SegmentExplanation", "MIN_SCORE", "MIN_MEMBERS", "CONFUSED_SHARE"]

#: Default macro-F1 below which the segments are reported as not well separated.
MIN_SCORE = 0.8
#: Segments with fewer members than this (in the rows the forest sees) cannot be cross-validated: they are
#: left out of the forest, reported, and described from their values alone. The forest's leaves hold two rows or
#: more and each tree sees a bootstrap of about 63% of its training rows, so a segment of 3 or 4 trains on 2 or 3
#: members per fold and is almost never predicted: Delaware's segment of 3 areas scored F1 0.00 and set off the
#: "not well separated" warning for segments that are otherwise told apart at 0.87-0.92.
MIN_MEMBERS = 5
#: A segment is "often mistaken for" another when at least this share of its held-out members is placed there.
CONFUSED_SHARE = 0.1
_NATURAL = ("clear", "strong")  # structures of 03_select_k that mean natural groups


def _r(value) -> float | None:
    return round_json(value)


def _key(value):
    return value.item() if isinstance(value, np.generic) else value


def _held_out(f1: float, entity: str, placed: tuple[int, int, int] | None = None) -> str:
    """A segment's F1 as a card says it: a score out of 1 on customers (or areas, rows) the model had not seen (the
    name of the score is on ``07_explain``'s analyst tables), after how many of the segment's members it placed in
    it and how many others it placed there (``placed``: placed, held out, others). "Recognises most of its members
    (0.74 out of 1 ...)" read as 74% recognised where 7 of 12 were; "19 of the 19" beside 0.97 read as a
    contradiction without the one other customer placed there."""
    if placed is None:
        return f"{f1:.2f} out of 1 on {entity} it had not seen"
    hit, held_out, others = placed
    strays = f", and {counted(others, 'other ' + entity)}" if others else ""
    return (f"on {entity} it had not seen: {hit:,} of its {held_out:,} members placed in it{strays}; told apart "
            f"{f1:.2f} out of 1")  # the index's and 07's name for it


@dataclass
class SegmentExplanation:
    """The cross-validated explainer: scores per fold, importances overall and per segment, drivers.

    Attributes
    ----------
    scores : DataFrame
        One row per fold: ``accuracy``, ``macro_f1`` and ``rows`` (held-out rows); empty when fewer than
        two segments could be cross-validated.
    importance : DataFrame
        Index = feature; ``mean`` and ``std`` of the accuracy drop over folds and repeats, largest first.
    segment_importance : DataFrame
        Features x segments: the mean drop in the segment's one-against-the-rest ROC-AUC.
    segment_f1 : Series
        Cross-validated F1 of each segment (from the out-of-fold predictions); segments left out are absent.
    confusion : DataFrame
        Out-of-fold confusion matrix (rows = true segment, columns = predicted).
    drivers : dict
        Segment -> "what sets it apart" sentence (every segment, those left out included).
    names : dict
        Segment -> display name ("S01 Champions").
    codes : dict
        Segment -> code ("S01").
    baseline_accuracy : float
        Accuracy of always predicting the largest segment.
    min_score : float
        Macro-F1 below which the segments are reported as not well separated.
    left_out : dict
        Segment -> members, for segments too small to cross-validate (fewer than :data:`MIN_MEMBERS`).
    structure : str or None
        The natural structure ``03_select_k`` found ("clear", "moderate", "weak", "none"), for the verdict.
    """

    scores: pd.DataFrame
    importance: pd.DataFrame
    segment_importance: pd.DataFrame
    segment_f1: pd.Series
    confusion: pd.DataFrame
    drivers: dict[Any, str]
    names: dict[Any, str] = field(default_factory=dict)
    labels_text: dict[str, str] = field(default_factory=dict)
    baseline_accuracy: float = float("nan")
    min_score: float = MIN_SCORE
    settings: dict[str, Any] = field(default_factory=dict)
    codes: dict[Any, str] = field(default_factory=dict)
    left_out: dict[Any, int] = field(default_factory=dict)
    structure: str | None = None

    # ---------------------------------------------------------------------------------- the numbers
    @property
    def measured(self) -> bool:
        """Whether a forest was cross-validated (at least two segments with enough members)."""
        return len(self.scores) > 0

    @property
    def entity(self) -> str:
        """What a row is, in the plural, as the sentences say it ("customers", "areas"; "rows" when not told)."""
        return self.settings.get("entity") or "rows"

    @property
    def accuracy(self) -> tuple[float, float]:
        """Mean and standard deviation of the accuracy across folds (nan when not measured)."""
        return self._mean_sd("accuracy")

    @property
    def macro_f1(self) -> tuple[float, float]:
        """Mean and standard deviation of the macro-F1 across folds (nan when not measured)."""
        return self._mean_sd("macro_f1")

    def _mean_sd(self, column: str) -> tuple[float, float]:
        if not self.measured:
            return float("nan"), float("nan")
        return float(self.scores[column].mean()), float(self.scores[column].std(ddof=0))

    @property
    def well_separated(self) -> bool:
        return self.measured and self.macro_f1[0] >= self.min_score

    def name(self, segment) -> str:
        return self.names.get(segment, str(segment))

    def f1(self, segment) -> float | None:
        """The segment's cross-validated F1, or None when it was left out."""
        value = self.segment_f1.get(segment)
        return None if value is None or not math.isfinite(float(value)) else float(value)

    def recognised(self, segment) -> float:
        """The share of the segment's held-out members the model placed in it (its recall; NaN when not tested)."""
        placed = self.placed(segment)
        return placed[0] / placed[1] if placed else math.nan

    def placed(self, segment) -> tuple[int, int, int] | None:
        """How many of the segment's held-out members the model placed in it, how many were held out, and how many
        members of other segments it placed in it (None when not tested)."""
        if segment not in self.confusion.index:
            return None
        row = self.confusion.loc[segment].astype(float)
        hit = float(row.get(segment, 0.0))
        into = float(self.confusion[segment].astype(float).sum()) if segment in self.confusion.columns else hit
        return (int(round(hit)), int(round(row.sum())), int(round(into - hit))) if row.sum() > 0 else None

    def mistaken_for(self, segment) -> tuple[Any, float] | None:
        """The segment that most of this one's misplaced held-out members went to, and their share of it."""
        if segment not in self.confusion.index:
            return None
        row = self.confusion.loc[segment].astype(float)
        total = float(row.sum())
        others = row.drop(segment, errors="ignore")
        if total <= 0 or others.empty or others.max() <= 0:
            return None
        other = others.idxmax()
        return _key(other), float(others[other] / total)

    def confused_pairs(self, min_share: float = CONFUSED_SHARE) -> list[tuple[Any, Any, float]]:
        """(segment, the one it is mistaken for, share of its held-out members placed there), largest first,
        for every segment that loses at least ``min_share`` of its members to one other."""
        pairs = []
        for seg in self.confusion.index:
            found = self.mistaken_for(seg)
            if found and found[1] >= min_share:
                pairs.append((_key(seg), found[0], found[1]))
        return sorted(pairs, key=lambda p: -p[2])

    # ---------------------------------------------------------------------------------- the words
    def distinctness(self, segment) -> str:
        """How well a model tells this segment from the others, in one sentence for its card."""
        if segment in self.left_out:
            n = self.left_out[segment]
            return f"too few members ({n}) to test whether a model can tell it from the others."
        f1 = self.f1(segment)
        if f1 is None:
            return "not measured."
        found = self.mistaken_for(segment)
        lost = ""
        if found and found[1] >= CONFUSED_SHARE:
            lost = f"; {100 * found[1]:.0f}% of its members are mistaken for {self.name(found[0])}"
        held_out = _held_out(f1, self.entity, self.placed(segment))
        if f1 >= self.min_score and (found is None or found[1] < 0.2):
            return f"a model recognises its members from the measures alone ({held_out}){lost}."
        if f1 >= 0.6 and self.recognised(segment) > 0.5:  # "most" of its members: F1 0.60 with half of them placed
            return f"a model recognises most of its members ({held_out}){lost}."
        return f"hard to tell from the others ({held_out}){lost}."

    def _verdict(self, plain: bool = False) -> str:
        natural = self.structure is None or self.structure in _NATURAL
        if self.well_separated:
            # not "each segment" when the next sentences name segments mixed up or too small to test
            caveats = (["the segments named as mixed up"] if self.confused_pairs() else []) + \
                      (["those too small to test"] if self.left_out else [])
            apart = f", apart from {joined(caveats)}" if caveats else ""
            if natural:
                whole = " on the whole" if caveats else ""
                return f" The segments are well separated{whole}: their boundaries can be told from the data{apart}."
            data = ("the groups in the data overlap" if self.structure == "moderate"
                    else "the data has no clear natural groups")
            placed = (f"The segments are clearly defined by the measures on the whole, so most new {self.entity} can "
                      f"be placed reliably{apart}" if caveats else
                      f"Each segment is clearly defined by the measures, so new {self.entity} can be placed reliably")
            return (f" {placed}; as the page \"How many segments?\" says, {data}, so the boundaries are where the "
                    "segments were drawn, not "
                    "gaps in the data.")
        worst = self.segment_f1.idxmin()
        if plain:  # the headline's share may be high while a small segment is rarely recognised
            return (f" Warning: the segments are not all well separated: {self.name(worst)} is the hardest to "
                    "recognise. Treat the boundaries between segments as fuzzy, or try fewer segments.")
        return (f" Warning: the macro-F1 is below {self.min_score:.2f}, so the segments are not well separated; "
                f"{self.name(worst)} is the hardest to recognise (F1 {self.segment_f1[worst]:.2f}). Treat the "
                "boundaries between segments as fuzzy, or try fewer segments.")

    def _confusion_text(self) -> str:
        pairs = self.confused_pairs()
        if not pairs:
            return ""
        listed = "; ".join(f"{100 * share:.0f}% of {self.name(a)} are taken for {self.name(b)}"
                           for a, b, share in pairs[:3])
        return f" Mixed up most often: {listed}."

    def _left_out_text(self) -> str:
        if not self.left_out:
            return ""
        listed = ", ".join(f"{self.name(s)} ({counted(n, self.entity)})" for s, n in self.left_out.items())
        cards = "its card describes it from its" if len(self.left_out) == 1 else "their cards describe them from their"
        return f" Left out of the model, too small to test: {listed}; {cards} values alone."

    def summary(self) -> str:
        """The headline sentence: scores, the verdict (in the k page's terms), confused pairs, segments left out."""
        if not self.measured:
            return ("The segments could not be cross-validated: fewer than two segments have enough members for a "
                    "model to learn and test them." + self._left_out_text())
        (acc, acc_sd), (f1, f1_sd) = self.accuracy, self.macro_f1
        folds = len(self.scores)
        text = (f"A random forest predicts the segment from the features with a cross-validated accuracy of "
                f"{100 * acc:.1f}% ± {100 * acc_sd:.1f} points and a macro-F1 of {f1:.3f} ± {f1_sd:.3f} "
                f"(mean ± standard deviation over {folds} folds; always guessing the largest segment "
                f"{'tested ' if self.left_out else ''}would be right {100 * self.baseline_accuracy:.1f}% of the time).")
        return text + self._verdict() + self._confusion_text() + self._left_out_text()

    def _tested_rows(self) -> int:
        """The rows of the table in the segments the forest tested (it may have seen a sample of them); 0 when an
        explanation read from an earlier file records neither."""
        whole = self.settings.get("rows_in_table")
        if whole:
            return int(whole) - sum(self.left_out.values())
        return int(self.scores["rows"].sum()) if "rows" in self.scores else 0

    def plain_summary(self) -> str:
        """The headline in a business reader's words (the index page): how often a model placed rows it had not
        seen in their own segment, against guessing, and the same verdict; the scores by name are on 07."""
        if not self.measured:
            return self.summary()
        guess = 100 * self.baseline_accuracy
        among = ""
        if self.left_out:  # the largest segment of those tested, not of the table above: 55%, not 49%
            tested = self._tested_rows()
            among = f", among the {tested:,} in segments large enough to test" if tested else ", among those tested"
        # one decimal, as 07's accuracy and the segments' shares: "19.5%", not "20%" beside a largest share of 19.5%
        text = (f"A model that sees only the measures placed {100 * self.accuracy[0]:.1f}% of the {self.entity} it had "
                f"not seen in their own segment{among} (always guessing the largest "
                f"{'of those segments' if among else 'segment'}: {guess:.1f}%).")
        return text + self._verdict(plain=True) + self._confusion_text() + self._left_out_text()

    # ---------------------------------------------------------------------------------- tables
    def scores_table(self) -> pd.DataFrame:
        """Scores per fold, then the mean and standard deviation."""
        return fold_table(self.scores, {"accuracy": "Accuracy", "macro_f1": "Macro-F1", "rows": "Held-out rows"})

    def drivers_table(self) -> pd.DataFrame:
        """Segment, its cross-validated F1 and its drivers sentence."""
        f1 = [self.f1(s) for s in self.drivers]
        return pd.DataFrame({"Segment": [self.name(s) for s in self.drivers],
                             "F1 (one against the rest)": ["not tested" if v is None else round(v, 3) for v in f1],
                             "Top drivers": list(self.drivers.values())}).set_index("Segment")

    # ---------------------------------------------------------------------------------- the artifact
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable content of ``explain.json``; :meth:`from_dict` reads it back unchanged."""
        (acc, acc_sd), (f1, f1_sd) = self.accuracy, self.macro_f1
        segments = []
        for s in self.drivers:
            found = self.mistaken_for(s)
            segments.append({
                "segment": _key(s), "code": self.codes.get(s, str(s)), "name": self.name(s), "f1": _r(self.f1(s)),
                "drivers": self.drivers[s], "distinctness": self.distinctness(s),
                "left_out": s in self.left_out, "members_left_out": self.left_out.get(s),
                "mistaken_for": None if found is None else {"segment": found[0], "share": _r(found[1])},
                "importance": ({str(f): _r(v) for f, v in self.segment_importance[s].items()}
                               if s in self.segment_importance.columns else {})})
        return {
            "accuracy_mean": _r(acc), "accuracy_std": _r(acc_sd), "macro_f1_mean": _r(f1), "macro_f1_std": _r(f1_sd),
            "baseline_accuracy": _r(self.baseline_accuracy), "folds": len(self.scores), "measured": self.measured,
            "well_separated": bool(self.well_separated), "min_score": self.min_score, "summary": self.summary(),
            "plain_summary": self.plain_summary(),
            "structure": self.structure, "labels": dict(self.labels_text),
            "fold_scores": [{k: _r(v) for k, v in row.items()} for row in self.scores.to_dict("records")],
            "importance": [{"feature": str(f), "mean": _r(row["mean"]), "std": _r(row["std"])}
                           for f, row in self.importance.iterrows()],
            "confusion": {"segments": [_key(s) for s in self.confusion.index],
                          "counts": self.confusion.to_numpy(dtype=int).tolist()},
            "segments": segments, "settings": self.settings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentExplanation:
        """The explanation written by :meth:`to_dict` (``explain.json``)."""
        segs = data["segments"]
        features = list(data.get("settings", {}).get("features") or [i["feature"] for i in data["importance"]])
        seg_imp = pd.DataFrame({s["segment"]: [s["importance"].get(f, np.nan) for f in features]
                                for s in segs if s["importance"]}, index=features, dtype=float)
        importance = pd.DataFrame({"mean": [i["mean"] for i in data["importance"]],
                                   "std": [i["std"] for i in data["importance"]]},
                                  index=[i["feature"] for i in data["importance"]], dtype=float)
        conf = data.get("confusion") or {"segments": [], "counts": []}
        confusion = pd.DataFrame(np.asarray(conf["counts"], dtype=int).reshape(len(conf["segments"]), len(conf["segments"])),
                                 index=conf["segments"], columns=conf["segments"])
        scores = pd.DataFrame(data.get("fold_scores") or [], columns=["accuracy", "macro_f1", "rows"], dtype=float)
        return cls(scores=scores, importance=importance, segment_importance=seg_imp,
                   segment_f1=pd.Series({s["segment"]: s["f1"] for s in segs if s["f1"] is not None}, dtype=float),
                   confusion=confusion, drivers={s["segment"]: s["drivers"] for s in segs},
                   names={s["segment"]: s["name"] for s in segs}, labels_text=dict(data.get("labels") or {}),
                   baseline_accuracy=float("nan") if data.get("baseline_accuracy") is None else data["baseline_accuracy"],
                   min_score=data.get("min_score", MIN_SCORE), settings=dict(data.get("settings") or {}),
                   codes={s["segment"]: s.get("code", str(s["segment"])) for s in segs},
                   left_out={s["segment"]: s["members_left_out"] for s in segs if s.get("left_out")},
                   structure=data.get("structure"))
