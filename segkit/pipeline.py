"""The in-memory pipeline: one code path from a table to named segments, for the batch and for Python.

Every stage of a run (:mod:`segkit.stages`) calls these functions and adds only its artifact writes, so
:func:`segment_table` on a DataFrame and ``segkit run`` on the same data with the same params give the
same segments.

>>> import pandas as pd, segkit                                                   # doctest: +SKIP
>>> s = segkit.segment_table(pd.read_csv("Mall_Customers.csv"), data_kind="customers",
...                          id_col="CustomerID")                                 # doctest: +SKIP
>>> s.assignments.head()                                                          # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from . import kinds
from .cleaning import CleaningLog
from .cluster import SegmentModel
from .config import Params, params_from_mapping
from .errors import DataValueError, SegmentationError
from .explain import explain_segments
from .featureset import FeatureSet
from .format import format_value, without_unit
from .io import to_jsonable
from .naming.masking import few_off_the_rule, observed, thinly_observed
from .naming.words import plural
from .profile import SegmentProfile, profile_segments, project_2d
from .separability import MIN_MEMBERS, SegmentExplanation
from .select import KSelection, choose_k as vote_k, segment_stability, select_k
from .preflight import build_features, check_features, check_input, clean_table, k_bounds, preflight

__all__ = ["preflight", "check_input", "clean_table", "build_features", "check_features", "preprocessor", "clustering_matrix", "k_bounds",
           "rule_k", "select", "fit_segments", "describe_segments", "explain", "driver_columns", "Segmentation",
           "segment_table", "assignment_frame", "nearest_segments", "assign_rows"]


def _sentence_label(fs: FeatureSet, column: str) -> str:
    """A feature's short label ("orders"), or its full label where the short one was cut to fit a table."""
    short = fs.label(column)
    return (fs.labels.get(column) or short) if short.endswith("…") else short


def preprocessor(params: Params, fs: FeatureSet):
    """The unfitted transformer that turns the clustering features into the matrix k-means sees."""
    return kinds.get(params.data_kind).preprocessor(fs, params)


def clustering_matrix(params: Params, fs: FeatureSet) -> np.ndarray:
    """Fit the preprocessor on the clustering features and return the matrix (rows = entities)."""
    transformer = clone(preprocessor(params, fs))
    X = np.asarray(transformer.fit_transform(fs.clustering_table), dtype=float)
    if not np.isfinite(X).all():
        raise DataValueError("the clustering matrix has missing or infinite values after preprocessing",
                             "check the features for missing values; impute or drop them")
    return X


def rule_k(params: Params, fs: FeatureSet) -> tuple[int, str] | None:
    """The number of segments and why, when the data kind makes the segments by its own rule instead of
    clustering (transactions with ``rfm_method: scores``: the RFM score grid); None otherwise."""
    rule = kinds.get(params.data_kind).segment_rule(fs, params)
    if rule is None:
        return None
    rule.fit(fs.clustering_table)
    return len(rule.segment_names_), rule.rationale()


#: How the note on a k range the rows cut short opens (``KSelection.notes``; the k page shows it).
RANGE_NOTE = "Numbers of segments were tried up to"


def select(params: Params, X: np.ndarray) -> tuple[KSelection, int, str]:
    """Score every k in the range on every criterion; returns the selection, the k used and why.

    The k used is the recommendation, or the k fixed in the params; a data kind with its own rule for k
    (census areas: 25, capped by the areas) has the last word. A kind's own rule for the segments
    (:func:`rule_k`) needs no selection: check it first.
    """
    kind = kinds.get(params.data_kind)
    entity = plural(params.entity) if params.entity else kind.entity  # "the stores form no natural groups"
    k_min, k_max = k_bounds(params, len(X), entity)
    selection = select_k(X, k_min=k_min, k_max=k_max, seed=params.seed, n_init=params.n_init,
                         sample_size=params.sample_size, stability_sample_size=params.stability_sample_size,
                         gap_references=params.gap_references, bootstrap=params.bootstrap, k_rule=params.k_rule,
                         business_k=(params.business_k_min, params.business_k_max),
                         min_share=params.min_segment_share, entity=entity)
    if k_max < min(params.k_max, len(X) - 1):
        selection.notes.insert(0, f"{RANGE_NOTE} {k_max}, not {params.k_max}: at most one segment per {MIN_MEMBERS} "
                                  f"{entity}, since a smaller segment is too few to describe or test")
    k, sentence = vote_k(selection, params.k)
    own = kind.choose_k(params, len(X), selection)
    if own is not None:
        k, sentence = own
    return selection, int(k), sentence


def assignment_frame(ids, labels, own, codes, names, id_name: str) -> pd.DataFrame:
    """The rows of ``segments.csv``: each id with its segment's code and name (segment -> code, segment -> name;
    the code where a segment has no name, nothing where it has no code) and its distance to the segment's centre."""
    return pd.DataFrame({
        id_name: pd.Index(ids).astype(str),
        "segment_code": [codes.get(s) for s in labels],
        "segment_name": [names.get(s, codes.get(s)) for s in labels],
        "distance_to_centre": np.round(own, 6),
    })


def nearest_segments(model, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's segment by the fitted ``model`` and its distance to that segment's centre: the nearest centre
    (:meth:`SegmentModel.assign`, what ``segkit score`` applies), or a segment rule's own segment (-1 and no
    distance for a cell that held no training row)."""
    if isinstance(model, SegmentModel):
        labels, distances, _ = model.assign(table)
    else:  # a segment rule (the RFM score grid): its cells, and the distances to the means of its segments
        labels, distances = model.predict(table), model.transform(table)
    labels = np.asarray(labels, dtype=np.int64)
    own = distances[np.arange(len(labels)), np.maximum(labels, 0)]
    return labels, np.where(labels >= 0, own, np.nan)


def assign_rows(rows: pd.DataFrame, *, model, codes, names, id_name: str) -> pd.DataFrame:
    """:func:`assignment_frame` of ``rows`` (the id column ``id_name`` and the model's features) by
    :func:`nearest_segments`: the function Spark's executors apply to every entity of a big run."""
    labels, own = nearest_segments(model, rows)
    return assignment_frame(rows[id_name], labels, own, codes, names, id_name)


@dataclass
class Segmentation:
    """The final segments: fitted model, labels, profile with names, and the 2-D map.

    Attributes
    ----------
    assignments : DataFrame
        One row per entity: its id, ``segment_code``, ``segment_name`` and ``distance_to_centre``
        (the content of ``segments.csv``).
    profiles : SegmentProfile
        The same as ``profile``: per-segment statistics, indexes, names, descriptions and actions.
    k_selection : KSelection or None
        The scores per k (set by :func:`segment_table`; the batch keeps them in ``k_selection.json``).
    """

    model: Any
    features: FeatureSet
    labels: pd.Series
    profile: SegmentProfile
    distances: np.ndarray
    coords: np.ndarray
    stability: list[float] | None = None
    drivers: dict[int, str] | None = None
    explanation: SegmentExplanation | None = None  # separability and drivers: the run's explain.json
    risk: pd.DataFrame | None = None
    facts: dict[int, list[dict[str, Any]]] | None = None  # a kind's own key facts per segment (after_segment)
    currency: str = "£"
    k_selection: KSelection | None = None
    cleaning_log: CleaningLog | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def profiles(self) -> SegmentProfile:
        return self.profile

    @property
    def assignments(self) -> pd.DataFrame:
        own = self.distances[np.arange(len(self.labels)), self.labels.to_numpy()]
        return assignment_frame(self.labels.index, self.labels.to_numpy(), own, self.profile.codes, self.profile.names,
                                self.features.table.index.name or "id")

    def cards(self, n_facts: int = 4) -> list[dict[str, Any]]:
        """One dict per segment for the executive summary cards (facts formatted in their units)."""
        p, out = self.profile, []
        for seg in p.segments:
            out.append({
                "segment": seg, "code": p.codes[seg], "name": p.names.get(seg, p.codes[seg]),
                "size": int(p.sizes[seg]), "share": float(p.shares[seg]),
                "description": p.descriptions.get(seg, ""), "action": p.actions.get(seg, ""),
                "facts": self._facts(seg, n_facts),
                # the profile's means (a kind's own facts, a census strip, say what they are in their labels)
                "facts_label": "" if self.facts and seg in self.facts else "On average",
                "stability": None if self.stability is None else float(self.stability[seg]),
                "drivers": (self.drivers or {}).get(seg, ""),
                "distinctness": self.explanation.distinctness(seg) if self.explanation is not None else "",
                "risk": self.extra.get("risk_sentences", {}).get(p.codes[seg], ""),
                "value": self.extra.get("value_sentences", {}).get(p.codes[seg], ""),
                "members": self.extra.get("member_sentences", {}).get(p.codes[seg], ""),
                "members_label": self.extra.get("member_label", "Typical members"),
            })
        return out

    @cached_property
    def _no_typical(self) -> set[str]:
        """Profiled columns whose median is no member's value to show beside the average: 0/1 columns (a yes/no, a
        level) and columns not in the table. Read once, not once per fact of every card."""
        table = self.features.table
        return {c for c in self.features.profiled
                if c not in table.columns or table[c].dropna().isin([0, 1]).all()}

    @cached_property
    def rare_columns(self) -> dict[int, set[str]]:
        """Segment -> the profiled columns nearly all one value whose mean is a few of its rows' values
        (:func:`~segkit.naming.masking.few_off_the_rule`): no card fact, and no lead in the tables of shown features."""
        fs = self.features
        return few_off_the_rule(fs.table, self.labels.to_numpy(),
                                [c for c in fs.profiled if c not in outcome_columns(fs, self.profile)])

    def _facts(self, seg: int, n_facts: int) -> list[dict[str, Any]]:
        if self.facts and seg in self.facts:  # e.g. the key-facts strip of census areas
            return self.facts[seg]
        fs = self.features
        thin = thinly_observed(self.labels.to_numpy(), fs.extra.get("imputed_rows"), seg)  # one value of 302: no fact
        outcomes = outcome_columns(fs, self.profile)  # every card says its share of the outcome, high or low
        thin |= self.rare_columns.get(int(seg), set())
        facts = [*self.profile.key_facts(seg, n=n_facts, labels=fs.label_map(),
                                         columns=[c for c in fs.profiled if c not in thin and c not in outcomes]),
                 *self.profile.key_facts(seg, n=len(outcomes), labels=fs.label_map(), columns=outcomes)]
        medians = self.profile.medians
        for fact in facts:
            unit = fs.units.get(fact["feature"])
            fact["value_text"] = format_value(fact["value"], unit, self.currency)
            # the typical member beside the average, where they read differently: a card said "Annual income: $86.5k
            # (index 143)" above "typically $79k vs $61.5k overall" (the drivers' medians) with no $79k in its list
            col = fact["feature"]
            median = medians.at[seg, col] if col in medians.columns and seg in medians.index else np.nan
            typical = "" if col in outcomes or unit == "share" or col in self._no_typical or not np.isfinite(median) \
                else format_value(median, unit, self.currency)
            fact["typical_text"] = typical if typical != fact["value_text"] else ""
            if unit and fact["value_text"].endswith(f" {unit}"):  # "Body mass: 3,361 g", not "Body mass (g): 3,361 g"
                fact["label"] = without_unit(str(fact["label"]), unit)
            if fact["feature"] in fs.better:
                fact["higher_is_better"] = fs.better[fact["feature"]]
        return facts


def outcome_columns(fs: FeatureSet, profile: SegmentProfile) -> list[str]:
    """The profiled outcomes (``fs.extra["outcomes"]``: churn, attrition, a purchase), which the segments are compared
    on, not built from: every card and the overview show each segment's share, whether it stands out or not."""
    return [c for c in fs.extra.get("outcomes") or [] if c in profile.features]


def fit_segments(params: Params, fs: FeatureSet, k: int, *, structure: str | None = None) -> Segmentation:
    """Fit the final seeded model with ``k`` segments, profile and name them, and explain what sets each apart.

    ``structure`` is the natural structure the k selection found ("clear", "weak", ...): the separability
    verdict speaks in its terms. Each segment's stability is the bootstrap Jaccard of the segments refitted
    from their centres on resampled rows (``segment_stability(refit="centres")``), the same measure as the
    business choice of k (docs/choosing_k.md).
    """
    p = params
    rule = kinds.get(p.data_kind).segment_rule(fs, p)
    if rule is None and k > len(fs.table) - 1:
        raise SegmentationError(f"k={k} segments asked for, but only {len(fs.table)} rows", "lower k", key="k")
    model = rule if rule is not None else SegmentModel(
        n_segments=k, algorithm=p.algorithm, linkage=p.linkage, preprocessor=preprocessor(p, fs), n_init=p.n_init,
        random_state=p.seed, max_hierarchy_rows=p.max_hierarchy_rows)
    model.fit(fs.clustering_table)
    return describe_segments(p, fs, model, model.labels_, structure=structure)


def describe_segments(params: Params, fs: FeatureSet, model, labels=None, *, structure: str | None = None
                      ) -> Segmentation:
    """Profile, name and explain the segments of a fitted ``model`` on the rows of ``fs``.

    ``labels`` are the rows' segments (the model's training labels); None assigns the rows with the model
    (:meth:`SegmentModel.assign`, as ``segkit score`` does): a saved model applied unchanged to new rows,
    where a segment that no row reaches is left out of the profile. A segment rule (the kind's
    ``segment_rule``, such as the RFM score grid) measures its stability by its own resampling.
    """
    p, table = params, fs.clustering_table
    labels = model.assign(table)[0] if labels is None else np.asarray(labels)
    labels = pd.Series(labels, index=fs.table.index, name="segment")
    distances = model.transform(table)
    X = np.asarray(model.preprocessor_.transform(table), dtype=float)
    present = np.unique(labels.to_numpy())
    if not isinstance(model, SegmentModel):  # a segment rule: does a row keep its segment when the rule's cuts move?
        stability = dict(enumerate(model.stability(table, n_boot=p.bootstrap, seed=p.seed,
                                                   sample_size=p.stability_sample_size)))
    else:
        stability = dict(zip(present.tolist(), segment_stability(X, labels.to_numpy(), n_boot=p.bootstrap, seed=p.seed,
                                                                 sample_size=p.stability_sample_size, refit="centres")))
    # the figures describe what was observed: a value the features step filled in is left out of them
    # a scale's answers and a logarithm have no zero a ratio could start from: their index is measured from the lowest
    scores = [c for c, r in (fs.extra.get("model_roles") or {}).items() if r == "ordinal"] + fs.extra.get("logged", [])
    profile = profile_segments(observed(fs.table, fs.extra.get("imputed_rows")), labels, columns=fs.profiled,
                               scores=scores)
    profile = profile.with_names(kinds.get(p.data_kind).name_segments(profile, fs, p, labels=labels))
    coords, _ = project_2d(X, seed=p.seed)
    seg = Segmentation(model=model, features=fs, labels=labels, profile=profile, distances=distances, coords=coords,
                       stability=[float(stability[s]) if s in stability else None for s in range(int(present.max()) + 1)],
                       currency=p.currency)
    seg.explanation = explain(p, fs, labels, profile, structure=structure)
    seg.drivers = dict(seg.explanation.drivers) if seg.explanation is not None else {}
    return seg


def explain(params: Params, fs: FeatureSet, labels: pd.Series, profile: SegmentProfile, *,
            structure: str | None = None) -> SegmentExplanation:
    """The run's one separability analysis (:func:`segkit.explain.explain_segments`) on every feature but those the
    kind left out as suspect (:func:`driver_columns`), as it reads back from ``explain.json`` (so the page that
    computes it shows the numbers the others read). The sentences describe the observed values: what the features
    step filled in is left out of them, as it is of the profile."""
    table = fs.table[driver_columns(fs)]
    # short labels read best in a sentence ("more orders"); a short label cut to fit a table gives way to the full one
    words = {c: _sentence_label(fs, c) for c in table.columns}
    explanation = explain_segments(table, labels, folds=params.explain_folds, seed=params.seed,
                                   min_score=params.explain_min_score, names=profile.display_names(),
                                   codes=profile.codes, labels_text=words, units=fs.units, currency=params.currency,
                                   structure=structure, described=observed(table, fs.extra.get("imputed_rows")),
                                   per=kinds.get(params.data_kind).sentences_per, entity=fs.entity,
                                   coded=fs.coded)
    return SegmentExplanation.from_dict(json.loads(json.dumps(to_jsonable(explanation.to_dict()))))


def driver_columns(fs: FeatureSet) -> list[str]:
    """The columns that may say what sets a segment apart: every column of the features but those the data kind
    left out as suspect (``fs.extra["left_out"]``: a column equal to another in every row, impossible shares), those
    it shows in other units (``fs.extra["shown_as"]``: a log median said as the median itself, in dollars), the
    outcomes (``fs.extra["outcomes"]``: churn, which the segments are compared on, not told apart by) and the columns
    that say what another says (``fs.extra["twins"]``: ISLR's Credit named a segment's "higher rating", a column on no
    other page, beside its limit; ``fs.extra["level_shares"]``: a table of categories only profiled by the share of each
    level, whose sentences said "hapavg: more often yes" and "hapavg more often" of one column)."""
    left_out = {**(fs.extra.get("left_out") or {}), **dict.fromkeys(fs.extra.get("outcomes") or []),
                **(fs.extra.get("twins") or {}), **dict.fromkeys(fs.extra.get("level_shares") or [])}
    return [c for c in fs.table.columns if c not in left_out and c not in fs.shown_as]


def segment_table(data: pd.DataFrame, *, data_kind: str = "transactions", **params: Any) -> Segmentation:
    """Segment a table in memory, with the same params, defaults and code path as ``segkit run``.

    Parameters
    ----------
    data : DataFrame
        The input table, as the params' column mapping describes it (never modified).
    data_kind : str
        ``transactions``, ``customers`` or ``demographics`` (or a module implementing a kind).
    **params
        Any key of ``segkit params`` (``k``, ``seed``, ``id_col``, ``customer_col``, ...).

    Returns
    -------
    Segmentation
        With ``.assignments`` (id, code, name, distance), ``.profiles``, ``.k_selection``, ``.model``.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataValueError(f"segment_table needs a pandas DataFrame, not {type(data).__name__}",
                             "read the table first, e.g. pandas.read_csv(path)")
    p = params_from_mapping({"data_kind": data_kind, **params}, source="segment_table()")
    kinds.get(p.data_kind).check_columns(p, [str(c) for c in data.columns])
    cleaned, log = clean_table(p, data.copy())
    fs = build_features(p, cleaned)
    own = rule_k(p, fs)
    selection, k, sentence = (None, *own) if own else select(p, clustering_matrix(p, fs))
    seg = fit_segments(p, fs, k, structure=None if selection is None else selection.structure)
    seg.k_selection, seg.cleaning_log = selection, log
    seg.extra["k_rationale"] = sentence
    return seg
