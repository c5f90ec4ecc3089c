"""Segment areas (ZCTAs) described by ACS counts and medians into many named segments.

:func:`segment_areas` is the whole pipeline in one call, in the manner of commercial geodemographic
systems: a stable code per segment ("S01" is the largest), an evocative unique name, one descriptive
sentence, a key-facts strip indexed against the whole (= 100), and for every area its top-N segments
with a similarity score.

Rules worth knowing
-------------------
* **k cap.** Many segments need many areas: ``k <= floor(k_max_share * n_areas)`` with a floor of 2
  (default ``k_max_share = 0.1``: at least ten areas per segment on average). ``k="auto"`` asks for
  25 segments, the size of a national system; both are capped and the result says so in a sentence
  (``"25 segments over 63 areas would be noise; capped at 6 ..."``).
* **Outliers.** Standardized features are clipped to ``+-clip_z`` (default 3) for fitting, so a few
  tiny, extreme areas cannot claim segments of their own; profiles use the unclipped z-scores.
* **Soft scores.** ``score = softmax(-distance / temperature)`` over all segments, from each area's
  Euclidean distance to every centroid in standardized feature space. The top ``top_n`` are kept, so
  an area's scores add up to at most 1 and rank 1 is always its own (nearest) segment.
* **Key facts.** ``areas`` (index: 100 = an even split of the areas over the segments);
  ``population`` (total; index compares population per area with the whole); ``median_age``
  (population-weighted mean of the area medians); ``median_household_income`` (household-weighted
  mean of the area medians); ``share_bachelors_plus`` (pooled: all graduates over all adults 25+, the
  exact share). Medians of areas cannot be pooled exactly, so weighted means of medians are the
  honest approximation. The whole is every area used for fitting.

Examples
--------
>>> result = segment_areas(table, {"k": "auto", "top_n": 5}, seed=1)   # doctest: +SKIP
>>> result.k_note                                                       # doctest: +SKIP
'25 segments over 63 areas would be noise; capped at 6 (at most one segment per 10 areas).'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from segkit.cluster import soft_assign
from segkit.errors import ParamsError
from segkit.features.demographics import (AcsFeatures, FeatureGroup, ImputationReport, ValidationReport,
                                          build_acs_features, load_feature_groups)
from segkit.naming.lexicon import load_lexicon, name_segments_from_lexicon
from segkit.profile import segment_codes

__all__ = ["DEFAULT_PARAMS", "AUTO_K", "AreaSegmentation", "cap_k", "key_facts", "segment_areas"]

#: Segments asked for by ``k="auto"``: the size of a national geodemographic system.
AUTO_K = 25

#: Parameters of :func:`segment_areas` and their defaults.
DEFAULT_PARAMS: dict[str, Any] = {
    "k": "auto",             # int >= 2 or "auto" (= 25); always capped by k_max_share
    "k_max_share": 0.1,      # k <= floor(k_max_share * usable areas), floor 2
    "min_population": 100,   # areas with fewer residents are left out of fitting and listed
    "min_areas": 20,         # fewer usable areas than this is an error
    "min_groups": 3,         # fewer usable feature groups than this is an error
    "temperature": 1.0,      # softness of per-area scores (higher = flatter)
    "top_n": 5,              # segments listed per area (at most k)
    "seed": 0,               # random_state of k-means
    "n_init": 10,            # k-means restarts (int or "auto")
    "clip_z": 3.0,           # standardized features are clipped to +-clip_z for fitting (None: off)
    "id_col": "zcta",        # area id column; ids become 5-character text
    "name_threshold": 0.5,   # |z| a feature needs to count as high/low when naming
    "groups_file": None,     # feature groups YAML (None: segkit/data/acs_groups.yaml)
    "lexicon_file": None,    # naming lexicon YAML (None: segkit/data/lexicon_acs.yaml)
}

FACTS = ("areas", "population", "median_age", "median_household_income", "share_bachelors_plus")


@dataclass
class AreaSegmentation:
    """The result of :func:`segment_areas`.

    Attributes
    ----------
    assignments : pandas.DataFrame
        Long top-N table, the content of ``final_segments.csv``: ``zcta`` (text, 5 characters),
        ``segment_code``, ``segment_name``, ``score`` (0-1), ``rank`` (1 = own segment).
    profiles : pandas.DataFrame
        One row per segment (index: segment 0..k-1, 0 the largest): code, name, description and the
        key facts with their ``*_index`` columns (whole = 100).
    zscores : pandas.DataFrame
        Segment x feature: centroid z-scores against all areas used.
    whole : pandas.Series
        Key facts of all areas used (the base of every index).
    labels : pandas.Series
        Segment of each area used (index: area id text).
    excluded : pandas.DataFrame
        Areas left out of fitting, with their population and the reason.
    validation : ValidationReport
    imputation : ImputationReport
    k : int
        Segments fitted.
    k_requested : int
    k_note : str
        One sentence on how k was chosen (and capped).
    features : pandas.DataFrame
        Imputed features of the areas used (before standardization).
    params : dict
        The resolved parameters.
    """

    assignments: pd.DataFrame
    profiles: pd.DataFrame
    zscores: pd.DataFrame
    whole: pd.Series
    labels: pd.Series
    excluded: pd.DataFrame
    validation: ValidationReport
    imputation: ImputationReport
    k: int
    k_requested: int
    k_note: str
    features: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def write_final_segments(self, path: str | Path) -> Path:
        """Write :attr:`assignments` as CSV (``zcta`` stays text, so leading zeros survive in the file)."""
        path = Path(path)
        self.assignments.to_csv(path, index=False)
        return path


def _resolve_params(params: Mapping | None, overrides: Mapping) -> dict[str, Any]:
    merged = dict(params or {})
    merged.update(overrides)
    try:  # a whole segkit params dict may be passed: its other keys belong to other steps
        from segkit.config import PARAM_HELP
        foreign = set(PARAM_HELP)
    except Exception:  # pragma: no cover - config is optional here
        foreign = set()
    out = dict(DEFAULT_PARAMS)
    for key, value in merged.items():
        if key in DEFAULT_PARAMS:
            out[key] = value
        elif key not in foreign:
            close = difflib.get_close_matches(key, DEFAULT_PARAMS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(DEFAULT_PARAMS)
            raise ParamsError(f"unknown parameter '{key}' for segment_areas", fix=hint, key=key)
    if out["id_col"] is None:
        out["id_col"] = "zcta"

    def need(ok: bool, key: str, what: str) -> None:
        if not ok:
            raise ParamsError(f"{key} must be {what}, not {out[key]!r}", fix=f"set {key} to {what}", key=key)

    def is_int(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    def is_num(v: Any) -> bool:
        return isinstance(v, (int, float, np.number)) and not isinstance(v, bool)

    need(out["k"] == "auto" or (is_int(out["k"]) and out["k"] >= 2), "k", "a whole number of at least 2 or 'auto'")
    need(is_num(out["k_max_share"]) and 0 < out["k_max_share"] <= 1, "k_max_share", "a number in (0, 1]")
    need(is_num(out["min_population"]) and out["min_population"] >= 0, "min_population", "a number of 0 or more")
    need(is_int(out["min_areas"]) and out["min_areas"] >= 2, "min_areas", "a whole number of at least 2")
    need(is_int(out["min_groups"]) and out["min_groups"] >= 1, "min_groups", "a whole number of at least 1")
    need(is_num(out["temperature"]) and out["temperature"] > 0, "temperature", "a positive number")
    need(is_int(out["top_n"]) and out["top_n"] >= 1, "top_n", "a whole number of at least 1")
    need(is_int(out["seed"]), "seed", "a whole number")
    need(out["n_init"] == "auto" or (is_int(out["n_init"]) and out["n_init"] >= 1), "n_init",
         "a whole number of at least 1 or 'auto'")
    need(out["clip_z"] is None or (is_num(out["clip_z"]) and out["clip_z"] > 0), "clip_z",
         "a positive number or None")
    need(isinstance(out["id_col"], str) and out["id_col"] != "", "id_col", "a column name")
    need(is_num(out["name_threshold"]) and out["name_threshold"] > 0, "name_threshold", "a positive number")
    return out


def cap_k(k: int | str, n_areas: int, k_max_share: float = 0.1) -> tuple[int, str]:
    """Cap the number of segments to what ``n_areas`` areas support.

    The rule: ``k <= max(2, floor(k_max_share * n_areas))``; ``"auto"`` asks for :data:`AUTO_K`.

    Returns
    -------
    k : int
    note : str
        One sentence saying what was asked, what was used and why.

    Examples
    --------
    >>> cap_k(25, 68)
    (6, '25 segments over 68 areas would be noise; capped at 6 (at most one segment per 10 areas).')
    >>> cap_k("auto", 33000)[0]
    25
    """
    asked = AUTO_K if k == "auto" else int(k)
    cap = max(2, int(np.floor(k_max_share * n_areas + 1e-9)))
    per = 1 / k_max_share
    per_text = f"{per:.0f}" if abs(per - round(per)) < 1e-9 else f"{per:.1f}"
    how = "k=auto asks for" if k == "auto" else "asked for"
    if asked > cap:
        return cap, (f"{asked} segments over {n_areas:,} areas would be noise; capped at {cap} "
                     f"(at most one segment per {per_text} areas).")
    return asked, f"{asked} segments over {n_areas:,} areas ({how} {asked}; the cap is {cap})."


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    ok = values.notna() & weights.notna() & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else float("nan")


def _facts(table: pd.DataFrame, bachelors: tuple[list[str], str] | None) -> dict[str, float]:
    def col(name: str) -> pd.Series:
        return table[name].astype(float) if name in table else pd.Series(np.nan, index=table.index)

    pop = col("population")
    out = {"areas": float(len(table)), "population": float(pop.sum()),
           "median_age": _weighted_mean(col("median_age"), pop),
           "median_household_income": _weighted_mean(col("median_household_income"), col("household_total"))}
    share = float("nan")
    if bachelors is not None:
        members, universe = bachelors
        num, den = table[members].astype(float).sum(axis=1), col(universe)
        ok = num.notna() & den.notna() & (den > 0)
        share = float(num[ok].sum() / den[ok].sum()) if ok.any() else float("nan")
    out["share_bachelors_plus"] = share
    return out


def key_facts(table: pd.DataFrame, labels: pd.Series, groups: list[FeatureGroup]) -> tuple[pd.DataFrame, pd.Series]:
    """Key facts per segment and for the whole, with indexes (whole = 100).

    Parameters
    ----------
    table : pandas.DataFrame
        Source rows of the areas used (sentinels already missing), indexed like ``labels``.
    labels : pandas.Series
        Segment per area.
    groups : list of FeatureGroup
        Used to find the bachelor's-or-higher columns (feature ``share_bachelors_plus``).

    Returns
    -------
    facts : pandas.DataFrame
        Segment x (fact, ``fact_index``) columns, in :data:`FACTS` order.
    whole : pandas.Series
    """
    bachelors = next(((list(s.columns), g.universe) for g in groups for s in g.features
                      if s.name == "share_bachelors_plus"), None)
    whole = pd.Series(_facts(table, bachelors))
    k = int(labels.max()) + 1
    rows = {}
    for seg in range(k):
        f = _facts(table.loc[labels.to_numpy() == seg], bachelors)
        row = {}
        for name in FACTS:
            row[name] = f[name]
            if name == "areas":
                index = 100 * f["areas"] * k / whole["areas"]
            elif name == "population":
                index = 100 * (f["population"] / f["areas"]) / (whole["population"] / whole["areas"])
            else:
                index = 100 * f[name] / whole[name] if whole[name] else float("nan")
            row[f"{name}_index"] = index
        rows[seg] = row
    return pd.DataFrame.from_dict(rows, orient="index"), whole


def segment_areas(df: pd.DataFrame, params: Mapping | None = None, **overrides: Any) -> AreaSegmentation:
    """Segment areas described by ACS 5-year counts and medians into named segments.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per area (ZCTA), ACS columns as in ``segkit/data/acs_groups.yaml``. Never modified.
    params : mapping, optional
        Keys of :data:`DEFAULT_PARAMS`; other segkit params keys are ignored, unknown keys refused.
    **overrides
        Same keys, winning over ``params``.

    Returns
    -------
    AreaSegmentation

    Raises
    ------
    ParamsError
        Unknown key or invalid value.
    ColumnError
        The id or population column is absent.
    SegmentationError
        Fewer than ``min_groups`` feature groups are usable.
    DataValueError
        Fewer than ``min_areas`` areas have enough population, or ids repeat.
    """
    p = _resolve_params(params, overrides)
    groups = load_feature_groups(p["groups_file"])
    lexicon = load_lexicon(p["lexicon_file"])
    feats: AcsFeatures = build_acs_features(df, groups, id_col=p["id_col"], min_population=p["min_population"],
                                            min_groups=p["min_groups"], min_areas=p["min_areas"])
    X = feats.imputed
    n = len(X)
    k, note = cap_k(p["k"], n, p["k_max_share"])
    Z = StandardScaler().fit_transform(X.to_numpy(dtype=float))
    Z_fit = Z if p["clip_z"] is None else np.clip(Z, -p["clip_z"], p["clip_z"])
    km = KMeans(n_clusters=k, n_init=p["n_init"], random_state=p["seed"]).fit(Z_fit)
    dist = km.transform(Z_fit)
    raw = dist.argmin(axis=1)
    sizes = np.bincount(raw, minlength=k)
    order = np.lexsort((np.arange(k), -sizes))  # largest first, ties by fitted label
    dist = dist[:, order]
    labels = dist.argmin(axis=1)
    zscores = pd.DataFrame([Z[labels == s].mean(axis=0) for s in range(k)], columns=X.columns)
    zscores.index.name = "segment"
    names = name_segments_from_lexicon(zscores, lexicon, threshold=p["name_threshold"])
    codes = segment_codes(k)

    id_col = p["id_col"]
    soft = soft_assign(dist, temperature=p["temperature"], top_n=p["top_n"])
    assignments = pd.DataFrame({
        id_col: X.index.to_numpy()[soft["row"].to_numpy()],
        "segment_code": [codes[s] for s in soft["segment"]],
        "segment_name": [names[s].name for s in soft["segment"]],
        "score": soft["score"].to_numpy(),
        "rank": soft["rank"].to_numpy(),
    })
    label_series = pd.Series(labels, index=X.index, name="segment")
    facts, whole = key_facts(feats.table, label_series, feats.groups)
    profiles = pd.DataFrame({"segment_code": codes,
                             "segment_name": [names[s].name for s in range(k)],
                             "description": [names[s].description for s in range(k)]})
    profiles = profiles.join(facts)
    profiles.index.name = "segment"
    return AreaSegmentation(assignments=assignments, profiles=profiles, zscores=zscores, whole=whole,
                            labels=label_series, excluded=feats.excluded, validation=feats.validation,
                            imputation=feats.imputation, k=k,
                            k_requested=AUTO_K if p["k"] == "auto" else int(p["k"]), k_note=note,
                            features=X, params=p)
