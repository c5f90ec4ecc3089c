"""``05_profile``: the named segments, their cards, sizes, indexes, distributions and map.

``segment`` reads the features and ``k_summary.json``; it writes ``segments.csv``, ``profiles.json``,
``segments_summary.json``, ``explain.json`` (how separable the segments are and what sets each apart, read by
the cards, the index and ``07_explain``) and ``model/``; when ``02_features`` kept a sample of the entities, it
assigns every entity in the engine (``segments.parquet``, ``segments_all.json``: :func:`.engine.assign_all`); then
it lets the data kind add its own outputs. With the params ``reference`` the segments take the reference run's
codes and names (:mod:`segkit.lineage`: refit and match, or the reference model applied unchanged), and
``reference.json`` records how.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .. import engine, lineage, pipeline
from ..featureset import FeatureSet
from ..modelio import save_model
from ..naming.masking import MIN_OBSERVED_SHARE, observed, thinly_observed
from ..naming.words import counted, phrase, singular
from ..pipeline import Segmentation
from ..plots import (feature_distributions_figure, plot_index_heatmap, plot_segment_map, plot_segment_sizes,
                     sample_positions)
from ..profile import SegmentProfile
from ..format import capitalised, drawn, format_share, format_value, horizon_label, index_text, joined
from ..report.cards import (figure, figure_png, html_block, image, note, note_html, segment_cards, split_table,
                            stability_text, table)
from ..report.index_table import stability_said
from ..select.vote import groups_phrase
from . import engine as in_engine
from .context import RunContext
from .features import feature_columns, load_features
from .select_k import chosen_k, k_structure, without_clear_groups

__all__ = ["segment", "finish", "reference_note", "all_entities_note", "over_all", "load_segmentation",
           "segment_map", "segment_overview", "churn_table", "stats_table", "categorical_profile", "cards",
           "sizes_figure", "tiny_note", "index_figure", "distributions", "shown_features", "shown_note",
           "understated_note", "TOP_FEATURES"]


def segment(ctx: RunContext, fs: FeatureSet | None = None, k: int | None = None, *,
            finished: bool = True) -> Segmentation:
    """Fit the final seeded model (or, with ``reference_mode: score``, apply the reference's), profile and name
    the segments, give them the reference's codes and names when there is one, and write the artifacts.

    With ``finished=False`` the data kind's additions (:func:`finish`: churn risk and value per segment from
    ``08_churn`` and ``10_value``) are left to a later cell, so that in a batch ``05_profile`` fits, names and
    explains its segments while those notebooks still run (the cell that finishes waits for them)."""
    p, fs = ctx.params, fs or load_features(ctx)
    structure = k_structure(ctx)
    ref = lineage.reference_for(p, fs.clustering_table.columns)
    if ref is not None and p.reference_mode == "score":
        seg = pipeline.describe_segments(p, fs, ref.model, structure=structure)
    else:
        seg = pipeline.fit_segments(p, fs, k or chosen_k(ctx), structure=structure)
    if ref is not None:
        alignment = lineage.align(ref, fs.clustering_table, seg.labels.to_numpy(), seg.profile.names,
                                  mode=p.reference_mode)
        seg.profile = lineage.relabel(seg.profile, alignment)
        seg.extra["alignment"] = alignment
        lineage.write_reference(ctx.folder.artifact(lineage.REFERENCE_FILE), alignment)
    elif ctx.folder.has(lineage.REFERENCE_FILE):  # a re-run without a reference: its codes are its own again
        ctx.folder.artifact(lineage.REFERENCE_FILE).unlink()
    _write_segmentation(ctx, seg)
    seg.extra["all_entities"] = in_engine.assign_all(ctx, seg, *_model_codes(seg))
    return finish(ctx, seg) if finished else seg


def finish(ctx: RunContext, seg: Segmentation) -> Segmentation:
    """The data kind's additions once the segments exist (``after_segment``): for transactions, churn risk and
    lifetime value per segment when ``08_churn`` and ``10_value`` have run; for areas, their key facts."""
    ctx.kind.after_segment(ctx, seg)
    return seg


def _model_codes(seg: Segmentation) -> tuple[dict[int, str], dict[int, str]]:
    """The code and name of every segment of the model (a reference's codes and names when the run follows one)."""
    alignment = seg.extra.get("alignment")
    if alignment is not None:
        return dict(alignment.model_codes), dict(alignment.model_names)
    return dict(seg.profile.codes), dict(seg.profile.names)


def all_entities_note(seg: Segmentation):
    """When the segments were found on a sample of the entities (more than ``driver_max_customers``), how every
    entity was then assigned and the sizes of the segments over all of them; None otherwise."""
    sizes, entity = seg.extra.get("all_entities"), seg.features.entity
    if not sizes:
        return None
    unassigned = sum(s["size"] for s in sizes["segments"] if s["code"] is None)
    text = (f"{in_engine.sample_sentence(sizes, entity)} ({sizes['file']}). The cards and the sizes below count all "
            f"{sizes['n_entities']:,} {entity}; the measures, charts and later pages describe the sample.")
    if unassigned:
        text += f" {unassigned:,} {entity} could not be assigned to a segment."
    if sizes["sample_agreement"] < 1:
        text += (f" {100 * (1 - sizes['sample_agreement']):.1f}% of the sample's {entity} lie nearer another "
                 "segment's centre than their own, so their segment there differs from the one these pages show.")
    return note(text)


def reference_note(seg: Segmentation):
    """Which earlier run the codes follow, how many segments matched, which are new and which vanished; None
    without a reference (the cell shows nothing)."""
    alignment = seg.extra.get("alignment")
    if alignment is None:
        return None
    return note(" ".join(lineage.sentences(alignment.to_dict(), entity=seg.features.entity)))


def _write_segmentation(ctx: RunContext, seg: Segmentation) -> None:
    p, prof = ctx.params, seg.profile
    ctx.folder.write_csv("segments.csv", seg.assignments)
    profile_dict = prof.to_dict()
    profile_dict["stability"] = seg.stability
    ctx.folder.write_json("profiles.json", profile_dict)
    if seg.explanation is not None:  # the one separability analysis: cards, index and 07_explain read it
        ctx.folder.write_json("explain.json", seg.explanation.to_dict())
    outcomes = {seg.features.label(c): c for c in pipeline.outcome_columns(seg.features, prof)}  # "Attrition (Yes)"
    shares = {s: {"outcomes": {label: float(f"{prof.means.at[s, col]:.6g}") for label, col in outcomes.items()}}
              for s in prof.segments} if outcomes else {}  # 6 significant digits, as profiles.json
    ctx.folder.write_json("segments_summary.json", {
        "n_entities": int(len(seg.labels)), "extra_label": "Stability (0 to 1)",
        "segments": [{"code": c["code"], "name": c["name"], "size": c["size"], "share": c["share"],
                      "extra": stability_text(c["stability"], c["size"]), **shares.get(c["segment"], {})}
                     for c in seg.cards()],
    })
    input_meta = ctx.folder.read_json("input.json") if ctx.folder.has("input.json") else {}
    alignment = seg.extra.get("alignment")
    lineage_meta = {} if alignment is None else {
        "retired_codes": alignment.retired_codes,
        "reference": {k: alignment.reference[k] for k in ("run_name", "model_sha256")} | {"mode": alignment.mode}}
    if alignment is not None and alignment.mode == "score":  # the model's own sizes are the reference's training's
        lineage_meta["run_sizes"] = {str(s): int(n) for s, n in prof.sizes.items()}
    codes, names = _model_codes(seg)
    save_model(seg.model, ctx.folder.artifact("model"), overwrite=True, metadata={
        "features": list(seg.features.columns), "params": p.public_dict(), "data_kind": p.data_kind,
        "segment_codes": codes, "segment_names": {str(k): v for k, v in names.items()},
        # the run's fingerprint of its input (the manifest's: the file's bytes, else the rows read), and the rows'
        "input_hash": input_meta.get("file_hash") or input_meta.get("content_hash"),
        "content_hash": input_meta.get("content_hash"), **lineage_meta,
        # the input's blocks read one line down (an export's shifted columns): a scored table too small to tell is
        # read as the training table was
        **({"read_down": read} if (read := seg.features.extra.get("read_down")) else {}),
    })


def load_segmentation(ctx: RunContext) -> tuple[pd.DataFrame, SegmentProfile]:
    """Read the assignments and profiles written by :func:`segment` (for later notebooks)."""
    segments = ctx.folder.read_csv("segments.csv", dtype=str)
    profile = SegmentProfile.from_dict(ctx.folder.read_json("profiles.json"))
    return segments, profile


def segment_map(ctx: RunContext, seg: Segmentation):
    """Draw the 2-D segment map and save it as ``artifacts/segment_map.png`` for the index page."""
    p, fs = ctx.params, seg.features
    coords, label, said = seg.coords, None, ""
    one = fs.columns[0] if len(fs.columns) == 1 and pd.api.types.is_numeric_dtype(fs.table[fs.columns[0]]) else None
    if one is not None:  # one measure: its own values, a row of dots per segment (the map's second axis was all 0)
        coords = np.column_stack([fs.table[one].to_numpy(dtype=float), np.zeros(len(fs.table))])
        label = fs.axis_labels(p.currency).get(one, one)
        said = fs.label(one)
    ax = plot_segment_map(coords, seg.labels.to_numpy(), names=seg.profile.display_names(), sample=p.plot_sample,
                          seed=p.seed, x_label=label, entity=fs.entity)
    png = figure_png(ax)  # drawn once: the index shows the saved file, this page the same bytes
    ctx.folder.write_png("segment_map.png", png)
    how = (f"by their {phrase(said)}, a row of dots per segment" if label else
           "by the two main directions in which they differ; nearby dots are similar")
    return image(png, f"Segment map of {_drawn(seg, p)}: each dot is one of them, placed {how}.")


def _drawn(seg: Segmentation, p) -> str:
    """The rows a figure of the segments draws (:func:`segkit.plots.profile.sample_positions`), of all the entities
    (more than the features hold when an engine gave the notebooks a sample of them), for its caption."""
    shown = len(sample_positions(seg.labels.to_numpy(), p.plot_sample, p.seed))
    return drawn(shown, in_engine.entities(seg.features), seg.features.entity)


#: Measures shown in the business copy's heatmaps, tables and distributions: each segment's most distinctive
#: first (:meth:`SegmentProfile.distinctive_features`); every measure is in the analyst copy.
TOP_FEATURES = 12
#: The share of values below zero beyond which a long-tailed measure is no longer drawn on a (symmetric) log axis.
_NEGATIVE_SHARE = 0.02
#: The units of a share: measures between 0 and 100%, never drawn on a log axis.
_SHARE_UNITS = ("share", "%")


def shown_features(seg: Segmentation, top: int | None = TOP_FEATURES) -> list[str]:
    """The clustering features to show, each segment's most distinctive first, at most ``top`` (None: all).

    Ranked by the index against the whole, as the cards rank their facts; a table of shares mostly (census areas)
    by the z-score, as its names and what sets each segment apart are: the index of a share near zero is extreme by
    chance (Delaware's heatmap showed transit commuters, 0.0066% against 0.12%, index 6, and left out the college
    enrolment of index 1016 that named a segment)."""
    fs = seg.features
    shares = sum(fs.units.get(c) in _SHARE_UNITS for c in fs.columns)
    twins = _shown_as(seg)  # a log median as the median itself: "Household income (log): 11.2" read as nothing
    # the shares of the levels where they are the profile: "Kids: yes", "Religion: none" (_levels_only)
    columns = fs.extra.get("level_shares") or [twins.get(c, c) for c in fs.columns]
    return seg.profile.distinctive_features(top, columns=columns,
                                            by="zscore" if shares > len(fs.columns) / 2 else "index",
                                            skip=seg.rare_columns)  # as the cards: no lead from a handful of rows


def _shown_as(seg: Segmentation) -> dict[str, str]:
    """Clustering feature -> the profiled column that shows it in its own units (``fs.extra["shown_as"]``: a census
    table's log median income -> the median income, in dollars), where the profile has that column."""
    return {c: twin for c, twin in (seg.features.extra.get("shown_as") or {}).items()
            if twin in seg.profile.features}


def _levels_only(seg: Segmentation) -> bool:
    """Whether the segments were built from categories only, so that the profile compares the share of each level
    (``fs.extra["level_shares"]``: ``"kids: 1"``, :func:`~segkit.kinds.customers._level_shares`) instead of the
    clustering columns' means."""
    return bool(seg.features.extra.get("level_shares"))


def _categories_only(seg: Segmentation):
    """The note a measure's spread or statistics give instead where the segments were built from categories only
    (COUNT's affairs, every column a 0/1: its boxes and minimum of 0 and 1 say nothing); None otherwise."""
    if not _levels_only(seg):
        return None
    return note("The segments were built from categories only, so there is no measure to spread or average: the share "
                "of each category level in each segment is in the index above and under \"Categories in each "
                "segment\".")


def shown_note(seg: Segmentation, top: int | None = TOP_FEATURES):
    """A note saying that only the most distinctive measures are shown, when there are more; None otherwise."""
    n = len(shown_features(seg, None))
    if top is None or n <= top:
        return None
    return note(f"The {top} measures that set the segments apart most are shown (each segment's leading ones "
                f"first); all {n} are in the analyst copy of this report.")


def understated_note(seg: Segmentation):
    """A warning naming the measures this input understates (the features step found a column they are built from
    far below what the census counts: Delaware's single fathers), where the cards and tables show them; None
    otherwise."""
    fs = seg.features
    feats = [f for f in fs.extra.get("understated") or [] if f in fs.table.columns]
    if not feats:
        return None
    labels = fs.label_map()
    one = len(feats) == 1
    said = capitalised(joined([phrase(labels.get(f, f)) for f in feats]))
    return note(f"{said} {'is' if one else 'are'} understated in this data: one of the columns "
                f"{'it is' if one else 'they are'} built from holds far fewer than the census counts, so read "
                f"{'its values' if one else 'their values'} as lower bounds (the page \"Features\" says which "
                "column).", kind="warn")


def segment_overview(seg: Segmentation, top: int | None = TOP_FEATURES):
    """Size, share, and each shown feature's mean (in its unit) with its index where the index is a ratio a reader
    can take at its word (:attr:`~segkit.profile.SegmentProfile.ratio_features`, as the cards), one column per
    segment (wide runs are split into blocks of columns that fit the page)."""
    fs, prof = seg.features, seg.profile
    names = prof.display_names()
    labels = fs.label_map()  # the values say their unit ("£61", "210 days"): "Net spend (£) | £61" said it twice
    rows = {f"{fs.entity.capitalize()}": [f"{int(prof.sizes[s]):,}" for s in prof.segments],
            "Share": [f"{100 * prof.shares[s]:.1f}%" for s in prof.segments]}
    ratio, shown = set(prof.ratio_features), shown_features(seg, top)  # as the cards: "Median year built 1970 (99)"
    shown += [c for c in pipeline.outcome_columns(fs, prof) if c not in shown]  # compared on, never built from
    for f in shown:
        rows[labels.get(f, f)] = [format_value(prof.means.at[s, f], fs.units.get(f), seg.currency)
                                  + (f" ({_index_text(prof.index.at[s, f])})" if f in ratio else "")
                                  for s in prof.segments]
    table = pd.DataFrame(rows, index=[names[s] for s in prof.segments]).T
    # what the cells are, in the corner of the one header row (as report.cards.table), not on a row of its own
    table.columns.name = "Mean (index)" if set(shown) <= ratio else "Mean (index, where it is a ratio)"
    return split_table(table)


def _index_text(value) -> str:
    return index_text(value)


def churn_table(seg: Segmentation):
    """Churn risk per segment, where the data kind estimates it; None otherwise (the cell shows nothing)."""
    if seg.risk is None:
        return None
    risk = horizon_label("Mean churn risk", seg.risk.attrs.get("horizon_days"))  # the index's "in the next 90 days"
    return table(seg.risk.rename_axis("Code"), {"segment_name": "Segment", "scored": "Customers scored",
                                                "mean_risk": risk, "high_risk": "At high risk",
                                                "high_risk_share": "Share at high risk"},
                 percent=["mean_risk", "high_risk_share"], whole=["customers", "scored", "high_risk"])


def stats_table(seg: Segmentation, top: int | None = TOP_FEATURES):
    """Mean, median, min and max of each shown clustering feature per segment, written in the features' units
    (:func:`segkit.format.format_value`), with segment names; each segment's most distinctive features first, at
    most ``top`` (None: all); a note where every feature is a category (:func:`_categories_only`)."""
    if (only := _categories_only(seg)) is not None:
        return only
    stats = seg.profile.stats
    shown = shown_features(seg, top)
    stats = stats[stats["feature"].isin(shown)].copy()
    stats["_order"] = stats["feature"].map({f: i for i, f in enumerate(shown)})
    stats = stats.sort_values(["segment", "_order"], kind="stable")
    names = seg.profile.display_names()
    stats["segment"] = stats["segment"].map(names)
    for col in ("mean", "median", "min", "max"):  # in the measure's unit: a share of 0.4% is not "0.00"
        stats[col] = [format_value(v, seg.features.units.get(f), seg.currency) for v, f in zip(stats[col], stats["feature"])]
    stats["feature"] = stats["feature"].map(seg.features.label_map())  # the values say their unit
    stats = stats.rename(columns={"segment": "Segment", "feature": "Measure", "mean": "Mean", "median": "Median",
                                  "min": "Min", "max": "Max"})
    return stats.set_index(["Segment", "Measure"])[["Mean", "Median", "Min", "Max"]]


#: Levels of one category shown in the business copy's table, the most common first; the others are summed
#: into one "Other" row (``categorical_profile.csv`` has every level).
TOP_LEVELS = 8


def categorical_profile(ctx: RunContext, seg: Segmentation, *, min_share: float = 0.0,
                        top_levels: int = TOP_LEVELS) -> pd.DataFrame:
    """Share of each category level in each segment, with the whole table: each category under its plain label,
    its ``top_levels`` most common levels (the rest as "Other (n levels)"), shares in percent.

    None when the kind has no categorical features (``categorical_table`` in the kind); a note when the
    features happen to hold no categorical column.
    """
    table_of = getattr(ctx.kind.module, "categorical_table", None)
    if table_of is None:
        return None
    prof = seg.profile
    names = prof.display_names()
    long = table_of(seg.features, seg.labels.to_numpy(), prof.codes, names)
    if long.empty:
        return note("The features have no categorical columns.")
    long = long[long["overall_share"] >= min_share]
    wide = long.pivot_table(index=["column", "level"], columns="segment", values="share", sort=False)
    wide.columns = [names.get(s, prof.codes[s]) for s in wide.columns]
    overall = long.drop_duplicates(["column", "level"]).set_index(["column", "level"])["overall_share"]
    whole = f"All {seg.features.entity}"
    wide.insert(0, whole, overall.reindex(wide.index).to_numpy())
    rows = []
    for column, levels in wide.groupby(level="column", sort=False):
        levels = levels.droplevel("column").sort_values(whole, ascending=False, kind="stable")
        # one level more than the top is shown by its name: "Other (1 levels)" hid modeldata's Human_Resources
        shown, rest = (levels.iloc[:top_levels], levels.iloc[top_levels:]) if len(levels) > top_levels + 1 \
            else (levels, levels.iloc[:0])
        if len(rest):
            shown = pd.concat([shown, rest.sum().to_frame(f"Other ({len(rest)} levels)").T])
        words = seg.features.level_words(column, levels.index, keep={"(missing)"}) or {}  # as the cards
        label = seg.features.label(column)
        rows += [{"category": label if i == 0 else "", "level": str(words.get(level, level)), **values}
                 for i, (level, values) in enumerate(shown.to_dict("index").items())]
    frame = pd.DataFrame(rows)
    shares = [c for c in frame.columns if c not in ("category", "level")]
    return table(frame, {"category": "Category", "level": "Level"}, percent=shares)


def over_all(seg: Segmentation) -> dict[str, tuple[int, float]]:
    """Each segment code's size and share over every entity, when the segments were found on a sample and an
    engine assigned every entity (:func:`~segkit.stages.engine.assign_all`); {} otherwise."""
    return engine.sizes_by_code(seg.extra.get("all_entities"))


def cards(seg: Segmentation):
    """The executive summary: one card per segment (its size over every entity, when :func:`over_all` has it); under
    them, when a card has no suggested action, a line that says why (Delaware's page, titled "who they are and what
    to do", gave none, unexplained; the Mall's gave one to five of its eight segments, and said nothing of the
    three others)."""
    counted = over_all(seg)
    shown = [{**c, "size": counted[c["code"]][0], "share": counted[c["code"]][1]} if c["code"] in counted else c
             for c in seg.cards()]
    drawn_cards = segment_cards(shown, entity=seg.features.entity)
    # what a kind's own key facts are (census areas: the average area's medians), then stability and actions
    texts = (seg.extra.get("facts_note", ""), _held_as_drawn(seg, shown), _no_action(shown))
    notes = [note_html(text) for text in texts if text]
    return html_block(getattr(drawn_cards, "data", drawn_cards) + "".join(notes)) if notes else drawn_cards


def _no_action(shown: list[dict]) -> str:
    """Which cards come without a suggested action, and why ("" when every card has one)."""
    without = [f"{c['code']} {c['name']}" for c in shown if not c.get("action")]
    if not without:
        return ""
    why = "segkit suggests one only where it knows what a segment's leading measures call for"
    if len(without) == len(shown):
        return (f"No segment here comes with a suggested action ({why}): what to do with each is for the reader to "
                "decide from these profiles.")
    return (f"{joined(without)} {'comes' if len(without) == 1 else 'come'} with no suggested action ({why}): what to "
            "do with them is for the reader to decide from these profiles.")


def _held_as_drawn(seg: Segmentation, shown: list[dict]) -> str:
    """What the cards' stability says where the data has no clearly separate groups: the Ethiopian supermarket's four
    cards read "Stability 1.00 (stable)", which a reader takes for four real groups, beside a page "How many
    segments?" that says the customers do not fall into four groups by themselves."""
    structure = getattr(getattr(seg, "explanation", None), "structure", None)
    if not without_clear_groups(structure) or not any(c.get("stability") is not None for c in shown):
        return ""
    entity = seg.features.entity
    return (f"Stability on these cards is {stability_said(entity)} on resampled {entity} (1.00: every time). The "
            f"{entity} form {groups_phrase(structure)}, so a stable segment holds as drawn, but the lines between "
            "segments are where they were drawn, not gaps in the data (the page \"How many segments?\" says how many "
            "segments and why).")


def sizes_figure(seg: Segmentation):
    """How many entities each segment holds, and their share (over every entity, when :func:`over_all` has it)."""
    entity, prof, counted = seg.features.entity, seg.profile, over_all(seg)
    if counted:
        codes = {s: prof.codes[s] for s in prof.segments}
        prof = dataclasses.replace(prof, sizes=pd.Series({s: counted[c][0] for s, c in codes.items()}),
                                   shares=pd.Series({s: counted[c][1] for s, c in codes.items()}))
    return figure(plot_segment_sizes(prof, entity=entity),
                  f"{entity.capitalize()} in each segment, with their share of all {entity}.")


def tiny_note(ctx: RunContext, seg: Segmentation):
    """A warning naming the tiny segments (one member, or below ``min_segment_share`` of the rows), or None.
    Those of a single member are also left out of the separability forest (07 says so)."""
    prof, share, entity = seg.profile, ctx.params.min_segment_share, seg.features.entity
    tiny = [s for s in prof.segments if prof.sizes[s] < 2 or prof.shares[s] < share]
    if not tiny:
        return None
    names = prof.display_names()  # "S17 Established Homeowners"
    listed = "; ".join(f"{names.get(s, prof.codes[s])} ({counted(int(prof.sizes[s]), entity)})" for s in tiny)
    is_, it, group = ("is", "it", "a group") if len(tiny) == 1 else ("are", "them", "groups")  # "1 ... are tiny" before
    cases = f"a single {singular(entity)}" if len(tiny) == 1 and prof.sizes[tiny[0]] == 1 else "individual cases"
    return note(f"{len(tiny)} of the {len(prof.segments)} segments {is_} tiny (a single member, or less than "
                f"{format_share(share)} of the {entity}): {listed}. Read {it} as {cases} rather than {group}; "
                f"fewer segments would merge {it} into larger ones.", kind="warn")


def index_figure(seg: Segmentation, top: int | None = TOP_FEATURES):
    """Each segment's averages as an index against the whole (= 100), for the shown features (the shares of the
    levels where the segments were built from categories only: :func:`_levels_only`)."""
    shown = shown_features(seg, top)
    what = f"more {seg.features.entity} with the level" if _levels_only(seg) else "more of the measure"
    return figure(plot_index_heatmap(seg.profile, feature_labels=seg.features.label_map(), columns=shown),
                  f"Index against the whole: above 100 the segment has {what} than average, below 100 less.")


def _skewed(values: pd.Series) -> bool:
    """A measure with a long right tail (money, counts), best drawn on a log axis: a symmetric one for the few values
    at or below zero (net spend after a customer's returns, whose boxes a linear axis of £0-£280,000 hid at zero).
    Not a measure with more than :data:`_NEGATIVE_SHARE` of its values below zero: a balance or a change."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or v.nunique() < 3 or (v < 0).mean() > _NEGATIVE_SHARE:
        return False
    return bool(v.skew() > 2 and v.quantile(0.99) > 10 * max(float(v.median()), 1e-9))


def distributions(ctx: RunContext, seg: Segmentation, top: int | None = TOP_FEATURES):
    """The spread of each shown clustering measure within each segment, from a seeded sample; skewed measures
    (money, counts; not shares, which stay between 0 and 100%) on a log axis (:func:`_skewed`); a note where every
    feature is a category (:func:`_categories_only`)."""
    if (only := _categories_only(seg)) is not None:
        return only
    fs, p = seg.features, ctx.params
    drawable = {*feature_columns(fs), *_shown_as(seg).values()}
    shown = [c for c in shown_features(seg, top) if c in drawable] or feature_columns(fs)[:top]
    # what was measured, as the cards and tables show it ("–"): not the median the features step filled in
    imputed, labels = fs.extra.get("imputed_rows"), np.asarray(seg.labels)
    values = observed(fs.table[shown], imputed)
    for segment in np.unique(labels):  # a box of a few members' values, as the cards: none (the card says "–")
        thin = [c for c in shown if c in thinly_observed(labels, imputed, segment)]
        values.loc[labels == segment, thin] = np.nan
    log = [c for c in shown if fs.units.get(c) not in _SHARE_UNITS and _skewed(values[c])]
    ax = feature_distributions_figure(values, seg.labels, columns=shown, names=seg.profile.display_names(),
                                      sample=p.plot_sample, seed=p.seed, feature_labels=fs.axis_labels(p.currency),
                                      log=log, percent=[c for c in shown if fs.units.get(c) == "share"])
    text = f"The spread of each measure within each segment, over {_drawn(seg, p)}."
    if any(len((fs.extra.get("imputed_rows") or {}).get(c) or []) for c in shown):
        text += (" Values filled in where one was missing are left out (a segment with under "
                 f"{MIN_OBSERVED_SHARE:.0%} of its members measured has no box).")
    if log:
        text += (" Measures with a long tail are drawn on a log scale: each labelled step multiplies the value by the "
                 "same factor")
        # a symmetric log axis is even around 0 (-100 to 100 of Online Retail's net spend): not one factor a step there
        even = [fs.label(c) for c in log if (values[c] <= 0).any()]
        text += (f", except around zero on the scale of {joined([phrase(e) for e in even])}, which is even there "
                 "(it also holds 0 and negative values)." if even else ".")
    return figure(ax, text)
