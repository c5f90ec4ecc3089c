"""Census areas (ZCTAs): ACS counts and medians become shares and log medians, named through a lexicon.

A census download's columns named by variable (``B01003_001E``) get the names below (``population``) when read
(``name_columns``, :mod:`.codes`). The stages of a run map onto :mod:`.groups`, :mod:`.acs` and :mod:`.facts`:

* ``clean``: Census "no estimate" sentinels become missing, ids become 5-character text, and areas
  with no residents or fewer than ``min_population`` are set aside (each a logged rule that lists
  them; the list travels with the table in ``attrs["excluded_areas"]``).
* ``features``: shares of their universe and (log) medians from ``segkit/kinds/demographics/acs_groups.yaml``,
  missing values imputed with the median and counted; natural-unit companions of the log medians
  and the population are kept for profiles. The notes hold the validation report, the exclusions,
  the imputations and the k-cap sentence.
* ``preprocessor``: median imputer, scaler, then standardised values clipped to ``+-clip_z``.
* ``choose_k``: ``k: auto`` asks for 25 segments, and any k is capped at ``k_max_share`` x areas.
* ``name_segments``: lexicon names from the segments' z-scores (unique), one sentence each.
* ``after_segment``: ``final_segments.csv`` (top-N segments per area with scores; each area's name beside its id
  where the table has a ``NAME`` column),
  ``area_key_facts.json`` (the key-facts strip per segment, whole = 100) and ``excluded_areas.csv`` (with each
  area's name where the table has a ``NAME`` column).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ...cleaning import CleaningLog
from ...errors import ColumnError, DataValueError, ParamsError
from ...featureset import FeatureSet
from ...format import capitalised, format_value
from ...io import read_table, require_columns
from ...quality import mask_non_finite
from ...naming.lexicon import load_lexicon, name_segments_from_lexicon
from ...naming.masking import imputed_rows, masked_scores
from ...naming.words import counted
from .acs import build_acs_features, format_area_ids
from .codes import census_tables, name_columns, profile_fix, profile_tables  # name_columns: the reading hook
from .facts import (FACT_LABELS, FACT_UNITS, FACTS, MEDIAN_UNITS, NATURAL, cap_k, k_cap, clear_groups,
                    clear_groups_note, facts_note, key_facts)
from .groups import (CENSUS_SENTINELS, FeatureGroup, left_out_notes, load_feature_groups, replace_sentinels,
                     suspect_features, validate_acs_table)
from .notes import (area_names, excluded_note, feature_findings, imputation_notes, in_own_words, listing, typical_areas,
                    universe_words)
from .shifted import read_down_notes, too_small, too_small_notes
from .synth import generate_acs_table
from . import score  # noqa: F401  (segkit score: raw ACS rows through the feature builder, then the model)

__all__ = ["name_columns", "check_columns", "eda_frame", "clean", "features", "preprocessor", "choose_k",
           "name_segments", "column_roles", "after_segment", "final_segments", "area_key_facts", "POPULATION_COL"]

POPULATION_COL = "population"
ENTITY = "areas"
#: The driver sentences say what they compare: areas, each counted once ("typical area 22% vs 29% overall"), as
#: the cards' key facts do, whose population is the areas' residents.
SENTENCES_PER = "area"
#: Census downloads write codes in numbers: ``2,500-`` (2,500 or less), ``250,000+``, ``(X)``, ``N``, ``**``
#: (:attr:`segkit.kinds.base.Kind.read_options`).
CENSUS_CODES = True
PRIVATE_RECORDS = False  # areas are not people: their tables may list areas by code
LEXICON = Path(__file__).with_name("lexicon.yaml")
CURRENCY = "$"  #: the money of ACS tables, shown when the params name no currency ...
CURRENCY_WHY = "as ACS tables give money"  #: ... and why, on the terminal


def _synth_acs(options: Mapping) -> pd.DataFrame:
    source = options.get("source")
    if not source:
        raise ParamsError("synth://acs needs source=PATH (a real ACS table to resample)",
                          "add &source=../data/acs_delaware.csv", key="data_path")
    return generate_acs_table(options.get("n", 33_000), source=read_table(source), seed=options.get("seed", 0))


#: ``synth://acs?n=..&seed=..&source=PATH``: ACS rows resampled from a real table.
SYNTH_TABLES = {"acs": _synth_acs}
_MIN_GROUPS = 3


def _id_col(params) -> str:
    return params.id_col or "zcta"


@lru_cache(maxsize=1)
def _groups():
    return tuple(load_feature_groups())


@lru_cache(maxsize=1)
def _lexicon():
    return load_lexicon(LEXICON)


# ------------------------------------------------------------------------------------ preflight
def _usable_groups(columns: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Groups the header can feed, and for the others the column(s) they lack (from names only)."""
    have, used, lacking = set(map(str, columns)), [], {}
    for group in _groups():
        if group.kind == "shares" and group.universe not in have:
            lacking[group.name] = group.universe
        elif any(all(c in have for c in spec.columns) for spec in group.features):
            used.append(group.name)
        else:
            lacking[group.name] = " or ".join(dict.fromkeys(c for spec in group.features for c in spec.columns
                                                            if c not in have))
    return used, lacking


def check_columns(params, columns: Sequence[str]) -> None:
    """Refuse an input without the id or population column, or with fewer than 3 usable feature groups."""
    require_columns(columns, {"id_col": _id_col(params)})
    profiles = profile_tables(columns)  # DP05_0001E: no fixed code reads it, so say what to download instead
    why, fix = profile_fix(profiles) if profiles else ("", "")
    if POPULATION_COL not in columns:
        raise ColumnError(f"the input has no '{POPULATION_COL}' column{why}",
                          fix or "add the total population (ACS B01003_001) as a column named population",
                          column=POPULATION_COL)
    used, lacking = _usable_groups(columns)
    if len(used) < _MIN_GROUPS:
        needs = listing([f"{g} (needs {c})" for g, c in lacking.items()], 8)
        raise ColumnError(f"only {counted(len(used), 'ACS feature groups')} can be built from the input "
                          f"({', '.join(used) or 'none'}); at least {_MIN_GROUPS} are needed{why}. Missing: {needs}",
                          fix or "supply the ACS columns named in segkit/kinds/demographics/acs_groups.yaml",
                          column=next(iter(lacking.values())).split(" or ")[0] if lacking else None)


def eda_frame(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The columns worth a histogram on the data-quality page: population, households and the medians,
    with Census sentinels shown as missing (a -666,666,666 would squash every histogram)."""
    medians = [s.columns[0] for g in _groups() if g.kind == "medians" for s in g.features]
    wanted = [c for c in dict.fromkeys([POPULATION_COL, "household_total", *medians]) if c in raw.columns]
    return replace_sentinels(raw[wanted])[0]


# ---------------------------------------------------------------------------------------- clean
def clean(raw: pd.DataFrame, params):
    """Sentinels to missing, ids to text, and areas without enough residents set aside (each logged).

    Returns
    -------
    clean : DataFrame
        The usable areas, every input column kept; ``attrs["excluded_areas"]`` lists the areas set
        aside (id, population, reason) and ``attrs["sentinel_counts"]`` the sentinels per column.
    log : CleaningLog
    """
    id_col, n = _id_col(params), len(raw)
    log = CleaningLog()
    table, sentinels = replace_sentinels(raw)
    codes = ", ".join(str(c) for c in CENSUS_SENTINELS[:2])
    log.add("census_sentinels", f"Census 'no estimate' codes ({codes}, ...) set to missing; no area removed", n, 0,
            note="; ".join(f"{c}: {k}" for c, k in sentinels.items()) or "none found")
    table, masked, seen = mask_non_finite(table, [c for c in table.columns if c != id_col])
    log.add("non_finite", "Infinite or absurdly large numbers set to missing (filled like other gaps); no area "
            "removed", n, 0, note=f"{counted(masked, 'values')}: {seen}" if masked else "none found")
    ids = format_area_ids(table[id_col])
    if ids.duplicated().any():
        raise DataValueError(f"area ids repeat in '{id_col}': {listing(ids[ids.duplicated()].unique(), 5)}",
                             "keep one row per area", column=id_col)
    table[id_col] = ids.to_numpy()
    named = area_names(table, ids)  # "Kent County, Delaware" in the notes, where the table names its areas
    shown = ids.to_numpy() if named is None else named.to_numpy()
    pop = pd.to_numeric(table[POPULATION_COL], errors="coerce")
    empty = (pop.isna() | (pop <= 0)).to_numpy()
    small = (~empty & (pop < params.min_population)).to_numpy()
    log.add("no_population", "Areas with no residents (population 0 or missing): nothing to describe", n,
            int(empty.sum()), note=listing([s for _, s in sorted(zip(ids[empty], shown[empty]))]))
    log.add("small_population", f"Areas with fewer than {params.min_population:,} residents: their ACS "
            "estimates are too uncertain to segment", n - int(empty.sum()), int(small.sum()),
            note=listing([f"{s} ({p:,.0f})" for _, s, p in sorted(zip(ids[small], shown[small], pop[small]))]))
    reasons = np.where(empty, np.where(pop.isna(), "population is missing", "population is 0"),
                       [f"population {p:,.0f} is below min_population={params.min_population:,}" for p in pop])
    out = empty | small
    excluded = [{id_col: i, **({"name": s} if named is not None else {}), "population": None if np.isnan(p)
                 else float(p), "reason": r}
                for i, s, p, r in sorted(zip(ids[out], shown[out], pop[out].astype(float), reasons[out]))]
    result = table.loc[~out].reset_index(drop=True)
    # JSON text, not lists: pandas deep-copies attrs on every operation, which a list of thousands of
    # areas turns into minutes at national scale
    result.attrs = {"read_notes": list(raw.attrs.get("read_notes", [])), "excluded_areas": json.dumps(excluded),
                    "sentinel_counts": json.dumps({str(c): int(k) for c, k in sentinels.items()})}
    return result, log


def _carried(cleaned: pd.DataFrame) -> tuple[pd.DataFrame, list[dict], dict[str, int] | None]:
    """The cleaned table without attrs, and the excluded areas and sentinel counts the cleaning recorded."""
    attrs = cleaned.attrs
    excluded = json.loads(attrs["excluded_areas"]) if "excluded_areas" in attrs else []
    sentinels = json.loads(attrs["sentinel_counts"]) if "sentinel_counts" in attrs else None
    bare = cleaned.copy(deep=False)
    bare.attrs = {}
    return bare, excluded, sentinels


# ------------------------------------------------------------------------------------- features
def features(cleaned: pd.DataFrame, params) -> FeatureSet:
    """One row per area: the shares and (log) medians that feed the clustering, imputed; plus
    natural-unit medians and the population for profiles. Works on a raw table too (it then
    replaces sentinels and sets small areas aside itself)."""
    id_col = _id_col(params)
    groups = list(_groups())
    cleaned, excluded, sentinels = _carried(cleaned)
    feats = build_acs_features(cleaned, groups, id_col=id_col, min_population=params.min_population,
                               population_col=POPULATION_COL, min_groups=_MIN_GROUPS)
    excluded = excluded + [
        {id_col: r[id_col], "population": None if pd.isna(r["population"]) else float(r["population"]),
         "reason": r["reason"]} for r in feats.excluded.to_dict("records")]
    report = feats.validation
    if sentinels is not None:  # sentinels were replaced in the cleaning step
        report.sentinel_counts = sentinels
    table = feats.imputed.copy()
    suspect = {} if params.features else suspect_features(feats.groups, report.suspect_columns,
                                                           feats.imputation.clipped, len(table), cleaned)
    columns = [c for c in (params.features or table.columns) if c not in suspect]
    labels, short, units = _feature_labels(feats.groups)
    shown_as = _add_natural_units(table, feats.groups, labels, short, units)
    extra_columns = list(shown_as.values())
    imputed = imputed_rows(feats.raw.reindex(index=table.index).isna())
    for log, natural in shown_as.items():  # a natural-unit median is imputed where its log was
        if log in imputed:
            imputed[natural] = imputed[log]
    table[POPULATION_COL] = feats.table[POPULATION_COL].astype(float)
    labels[POPULATION_COL] = short[POPULATION_COL] = "Population"
    units[POPULATION_COL] = "count"
    table.index.name = id_col

    n = len(table)
    _, k_note = cap_k(params.k, n, params.k_max_share)
    notes = [f"{n:,} areas are segmented on {len(columns)} features from {len(report.used_groups)} ACS groups."]
    if excluded:
        notes.append(excluded_note(excluded, id_col, params.min_population))
    notes += report.summary(census_tables())[1:]
    notes += imputation_notes(feats.imputation, short)
    notes += left_out_notes(suspect, short)
    notes += (shifted := read_down_notes(feats.groups, short, used=columns))
    found = too_small(feats.groups, cleaned, used=columns)
    notes += (small := too_small_notes(found, short, census_tables()))
    notes.append(k_note)
    extra = {"excluded_areas": excluded, "imputed": {str(f): int(c) for f, c in feats.imputation.counts.items()},
             "validation": {"used_groups": report.used_groups, "skipped_groups": report.skipped_groups,
                            "dropped_features": report.dropped_features, "missing_columns": report.missing_columns,
                            "unusable_columns": report.unusable_columns, "suspect_columns": report.suspect_columns,
                            "sentinel_counts": report.sentinel_counts},
             "k_note": k_note, "imputed_rows": imputed, "left_out": dict(suspect), "shown_as": shown_as,
             "shifted": shifted, "too_small": small,
             "understated": [spec.name for *_, specs in found for spec in specs],
             "read_down": [g.name for g in feats.groups if g.moved]}
    return FeatureSet(table=table, columns=columns, labels=labels, entity="areas", notes=notes, extra=extra,
                      short=short, units=units,
                      profile_columns=list(dict.fromkeys([*columns, *extra_columns, POPULATION_COL])))


def _feature_labels(groups: Sequence[FeatureGroup]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Labels, short labels and units of the clustering features, worded by the lexicon."""
    lex = _lexicon()
    labels, short, units = {}, {}, {}
    for group in groups:
        for spec in group.features:
            words = lex.words(spec.name).label
            words = capitalised(words)
            if group.kind == "shares":
                labels[spec.name] = f"Share: {words} (of {universe_words(group.universe)})"
                short[spec.name], units[spec.name] = words, "share"
            elif spec.transform == "log":
                labels[spec.name] = f"{words}: natural log of {spec.columns[0].replace('_', ' ')}"
                short[spec.name] = f"{words} (log)"
            else:
                labels[spec.name] = short[spec.name] = words
                if spec.name in MEDIAN_UNITS:
                    units[spec.name] = MEDIAN_UNITS[spec.name]
    return labels, short, units


def _add_natural_units(table: pd.DataFrame, groups: Sequence[FeatureGroup], labels: dict, short: dict,
                       units: dict) -> dict[str, str]:
    """Add to ``table`` the natural units of the log medians (exp of the imputed log), with their labels and
    units; return each log feature's natural-unit column (``extra["shown_as"]``)."""
    shown_as = {}
    for group in groups:
        for spec in group.features:
            if spec.transform == "log" and spec.name in table:
                col = spec.columns[0]
                table[col] = np.exp(table[spec.name])
                labels[col] = short[col] = NATURAL.get(col, (col.replace("_", " ").capitalize(), None))[0]
                if NATURAL.get(col, (None, None))[1]:
                    units[col] = NATURAL[col][1]
                shown_as[spec.name] = col
    return shown_as


def preprocessor(fs: FeatureSet, params):
    """Median imputer (for new areas), scaler, then clipping at ``+-clip_z`` standard deviations."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, RobustScaler, StandardScaler

    steps = [("impute", SimpleImputer(strategy="median")),
             ("scale", RobustScaler() if params.scaler == "robust" else StandardScaler())]
    if params.clip_z is not None:
        steps.append(("clip", FunctionTransformer(np.clip, kw_args={"a_min": -float(params.clip_z),
                                                                     "a_max": float(params.clip_z)},
                                                  feature_names_out="one-to-one")))
    return Pipeline(steps)


# ------------------------------------------------------------------------------------------- k
def choose_k(params, n: int, selection=None) -> tuple[int, str]:
    """The number of area segments: 25 for ``k: auto`` (or the k asked for), capped by the areas; with ``k: auto``,
    the criteria's k when the areas fall into clearly separated groups (the structure of ``selection``).

    Returns the k and one sentence saying what was asked, what is used and why; with a
    :class:`~segkit.select.KSelection`, the sentence also gives the criteria's vote for reference.
    """
    k, note = cap_k(params.k, n, params.k_max_share)
    k = min(k, n - 1)
    most = min(k_cap(n, params.k_max_share), n - 1)  # the most segments these areas allow
    if selection is not None:
        lo, hi = int(min(selection.ks)), int(max(selection.ks))
        favoured = int(selection.recommended_k)
        if params.k == "auto" and 2 <= favoured <= k and clear_groups(selection, favoured, params.min_segment_share):
            return favoured, clear_groups_note(favoured, lo, hi)
        voted = favoured if selection.voted_k is None else int(selection.voted_k)  # None: a file of an older run
        # a weak structure's vote (2) and the business range's choice (4) are two numbers: say both, as the k page does
        lo_b, hi_b = selection.params.get("business_k", (params.business_k_min, params.business_k_max))
        said = (f"favour {favoured}" if voted == favoured else
                f"vote for {voted}, and choose {favoured} within {lo_b} to {hi_b} (the usual range of a business "
                "segmentation; " + ("each of its segments stable and large enough)" if getattr(selection, "held", True) else
                                    "though none there gave segments all stable and large enough)"))
        if favoured == k:  # the criteria's number is the one used: no "for reference only"
            return k, note + f" The usual criteria for a number of segments, scored over {lo} to {hi}, {said}: the " \
                             "number used here."
        use = (f" ({favoured} segments are more than {n:,} areas allow)." if favoured > most
               else f" (a run with the number of segments set to {favoured} uses "
                    f"{'it' if voted == favoured else 'that choice'}).")
        # "for reference only", not "shown for reference": no page shows the segments of the criteria's number
        shown = "these numbers are" if voted != favoured else "their vote is"
        why = "an area profile keeps more, smaller segments that can each be named, so " if k > favoured else ""
        note += (f" The usual criteria for a number of segments, scored over {lo} to {hi}, {said}; {why}{shown} for "
                 "reference only" + use)
    return k, note


# ---------------------------------------------------------------------------------------- names
def name_segments(profile, fs: FeatureSet, params, labels=None):
    """Lexicon names from the segments' z-scores on the clustering features (unique, no numbers)."""
    cols = [c for c in fs.columns if c in profile.zscores.columns]
    z, index = profile.zscores[cols], profile.index[cols]
    if labels is not None:  # imputed values never drive a name
        z, index = masked_scores(fs.table, np.asarray(labels), z, index, fs.extra.get("imputed_rows"))
    shown_as, ratio = fs.extra.get("shown_as") or {}, set(profile.ratio_features)
    for log, natural in shown_as.items():  # a log median's index: the median's
        if log in index and natural in profile.index:
            index[log] = profile.index[natural]
    # no index for a measure without a true zero (the median year built); a key fact's is the card's (area means)
    index = index[[c for c in index.columns if shown_as.get(c, c) in ratio]].reindex(columns=index.columns)
    own = {c: fs.labels[c] for c in (getattr(params, "labels", None) or {}) if c in z.columns and c in fs.labels}
    named = name_segments_from_lexicon(z, _lexicon(), index=index, labels=own, values=profile.means)
    return in_own_words(named, fs.table.index)  # "Retiree Counties" of a county table


# --------------------------------------------------------------------------------- column roles
def column_roles(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The validation report as a table: each ACS feature group, its columns, and whether it is used."""
    groups = list(_groups())
    report = validate_acs_table(raw, groups)
    id_col = _id_col(params)
    # the measures the features step leaves out, found as it finds them (but for shares above 1, known once built)
    distrusted = {} if params.features else suspect_features(groups, report.suspect_columns, pd.Series(dtype=float),
                                                             len(raw), raw)
    rows = [{"feature group": "area id", "input columns": id_col, "status": "used",
             "detail": "identifies the area; kept as text, leading zeros and all"},
            {"feature group": "population", "input columns": POPULATION_COL, "status": "used",
             "detail": f"areas with fewer than {params.min_population:,} residents are set aside"}]
    for group in groups:
        cols = group.columns
        if group.name in report.skipped_groups:
            status, detail = "skipped", report.skipped_groups[group.name]
        else:
            kept = [s.name for s in group.features if s.name in report.features and s.name not in distrusted]
            status = "used" if len(kept) == len(group.features) else "partly used" if kept else "not used"
            detail = f"{counted(len(kept), 'features')}: " + ", ".join(kept) if kept else "no feature"
            dropped = [f"{s.name} ({report.dropped_features[s.name]})" for s in group.features
                       if s.name in report.dropped_features]
            if dropped:
                detail += "; dropped: " + ", ".join(dropped)
            if untrusted := [s.name for s in group.features if s.name in distrusted]:  # as 02 and its notes say
                detail += "; left out, not trusted (the features page's notes say why): " + ", ".join(untrusted)
        suspect = [f"{c} equals {report.suspect_columns[c]}" for c in cols if c in report.suspect_columns]
        if suspect:
            detail += "; check the export's labels: " + ", ".join(suspect)
        rows.append({"feature group": group.name, "input columns": ", ".join(cols), "status": status, "detail": detail})
    known = {id_col, POPULATION_COL} | {c for g in groups for c in [*g.columns, *g.rests, *g.parts]}  # read to check
    unused = [str(c) for c in raw.columns if c not in known]
    if unused:
        rows.append({"feature group": "not used", "input columns": listing(unused, 12), "status": "not used",
                     "detail": f"{len(unused)} other columns are not part of any feature group"})
    return pd.DataFrame(rows).set_index("feature group")


# ------------------------------------------------------------------------------------ after fit
def final_segments(seg, params) -> pd.DataFrame:
    """The top-N segments of every area, best first: id (text), code, name, score (0-1), rank.

    Scores are ``softmax(-distance / temperature)`` over all segments, truncated (never rounded up) to
    6 decimals, so an area's listed scores add up to at most 1.
    """
    from ...cluster import soft_assign  # scikit-learn loads with the segments, not with the kind

    codes, names = seg.profile.codes, seg.profile.names
    soft = soft_assign(seg.distances, temperature=params.temperature, top_n=params.top_n)
    ids = seg.labels.index.astype(str).to_numpy()
    segments = soft["segment"].to_numpy()
    return pd.DataFrame({
        _id_col(params): ids[soft["row"].to_numpy()],
        "segment_code": [codes[s] for s in segments],
        "segment_name": [names.get(s, codes[s]) for s in segments],
        "score": np.floor(soft["score"].to_numpy() * 1e6) / 1e6,
        "rank": soft["rank"].to_numpy(),
    })


def _bachelor_groups(source: pd.DataFrame):
    """The groups key facts need, limited to what the table holds (so a missing group is no error)."""
    out = []
    for g in _groups():
        specs = tuple(s for s in g.features if all(c in source.columns for c in s.columns))
        if specs and (g.universe is None or g.universe in source.columns):
            out.append(dataclasses.replace(g, features=specs))
    return out


def area_key_facts(source: pd.DataFrame, labels: pd.Series, codes: dict, names: dict,
                   currency: str = "$") -> dict:
    """The key-facts strip of every segment (areas, population, median age, median household income,
    share with a bachelor's or higher), each with its index against all areas used (= 100)."""
    facts, whole = key_facts(source, labels, _bachelor_groups(source))

    def fact(name: str, value: float, index: float | None, areas: float) -> dict:
        unit = FACT_UNITS[name]
        text = f"{value:.1f} years" if unit == "years" and value == value else format_value(
            value, unit if unit != "years" else None, currency)
        if name in ("areas", "population") and value == value:
            text = f"{value:,.0f}"
        if name == "population" and value == value and areas:  # its index compares residents per area
            text += f" · {value / areas:,.0f} per area"
        return {"feature": name, "label": FACT_LABELS[name], "value": value, "value_text": text,
                "index": None if index is None or index != index else float(index)}

    segments, shown = [], [f for f in FACTS if whole[f] == whole[f]]  # a table without education: no "–" on every card
    for s in sorted(codes):
        row = facts.loc[s]
        segments.append({"segment": int(s), "code": codes[s], "name": names.get(s, codes[s]),
                         "facts": [fact(f, float(row[f]), float(row[f"{f}_index"]), row["areas"]) for f in shown]})
    return {"whole": {"facts": [fact(f, float(whole[f]), 100.0, whole["areas"]) for f in shown]}, "segments": segments,
            "note": "Index: 100 = all areas segmented. Areas: 100 = an even split over the segments; population: "
                    "residents per area; median age, income and bachelor's or higher (graduates over adults 25+): "
                    "the average area's, each area counted once, as in the sentences that compare areas."}


def after_segment(ctx, seg) -> None:
    """Write ``final_segments.csv``, ``area_key_facts.json`` and ``excluded_areas.csv``.

    Also sets ``seg.facts`` (segment -> key-facts list), the strip the segment cards show (without the count of areas,
    which the card's size says).
    """
    p = ctx.params
    id_col = _id_col(p)
    source = ctx.folder.read_parquet("clean.parquet")
    source.index = pd.Index(format_area_ids(source[id_col]).to_numpy(), name=id_col)
    source = source.loc[seg.labels.index.astype(str)]
    final, names = final_segments(seg, p), area_names(source, source.index.to_series())
    named = None if names is None else dict(zip(source.index, names))
    if named is not None:  # "Kent County, Delaware" beside its GEO_ID, for the team that reads the list
        final.insert(1, "name", final[id_col].map(named))
    ctx.folder.write_csv("final_segments.csv", final)
    seg.extra["member_label"] = "Typical areas"
    seg.extra["member_sentences"] = typical_areas(seg.assignments, named)
    labels = pd.Series(seg.labels.to_numpy(), index=source.index)
    strips = area_key_facts(source, labels, seg.profile.codes, seg.profile.names, currency=p.currency)
    ctx.folder.write_json("area_key_facts.json", strips)
    # the cards say each segment's areas and share above the strip already; "Areas: 1 (index 9)" said it again
    seg.facts = {entry["segment"]: [f for f in entry["facts"] if f["feature"] != "areas"]
                 for entry in strips["segments"]}
    # a card's "Median household income: $100,335" beside "typical area $95,288" read as two medians of one segment
    seg.extra["facts_note"] = facts_note({f["feature"] for f in strips["whole"]["facts"]})
    excluded = seg.features.extra.get("excluded_areas", [])
    name_col = ["name"] if any("name" in e for e in excluded) else []
    ctx.folder.write_csv("excluded_areas.csv", pd.DataFrame(excluded, columns=[id_col, *name_col, "population",
                                                                               "reason"]))


def id_columns(params) -> list[str]:
    """The area id column (``id_col``, default ``zcta``) and any column given the ``id`` role."""
    ids = [params.id_col or "zcta"] + [c for c, role in (params.roles or {}).items() if role == "id"]
    return [c for c in ids if c]
