"""``07_explain``: how well the features tell the segments apart, and what drives each one.

``analyse`` reads ``features.parquet``, ``segments.csv`` and ``profiles.json`` and writes
``explain.json``; the figure functions draw the result.
"""

from __future__ import annotations

import pandas as pd

from .. import pipeline
from ..errors import DataValueError
from ..explain import SegmentExplanation, explain_segments
from ..plots.explain import plot_confusion, plot_importance, plot_segment_drivers
from ..report.cards import figure, html_block, note, note_html
from .context import RunContext
from .features import load_features
from .profile import count_phrase, load_segmentation

__all__ = ["analyse", "left_out_note", "summary_note", "drivers_notes", "drivers_figure", "importance_figure",
           "confusion_figure"]


def analyse(ctx: RunContext) -> SegmentExplanation:
    """Read the features and the segments, explain, write ``explain.json``.

    Uses every column of ``features.parquet`` (the clustering features and the rest, but those the kind left out
    as suspect) and the segment codes of ``segments.csv``; segments are shown as "S01 Champions".
    """
    p = ctx.params
    fs = load_features(ctx)
    segments, profile = load_segmentation(ctx)
    id_col = segments.columns[0]
    table = fs.table[pipeline.driver_columns(fs)].copy()  # not the columns left out as suspect
    table.index = table.index.astype(str)
    codes = segments.set_index(id_col)["segment_code"]
    missing = table.index.difference(codes.index)
    if len(missing):
        raise DataValueError(f"{len(missing):,} rows of the features have no segment in segments.csv",
                             "run the profile notebook (05_profile) again after the features notebook")
    code_to_segment = {code: seg for seg, code in profile.codes.items()}
    labels = codes.reindex(table.index).map(code_to_segment).astype(int)
    tiny = _tiny_segments(labels, p.min_segment_share)
    keep = ~labels.isin(tiny).to_numpy()
    table, labels = table[keep], labels[keep]
    explanation = explain_segments(
        table, labels.to_numpy(), folds=p.explain_folds, seed=p.seed, min_score=p.explain_min_score,
        names=profile.display_names(), labels_text=fs.label_map(table.columns), units=fs.units,
        currency=p.currency)
    out = explanation.to_dict()
    for entry in out["segments"]:
        seg = int(entry["segment"])
        entry["segment"], entry["code"] = seg, profile.codes[seg]
    out["left_out"] = [{"code": profile.codes[s], "name": profile.names.get(s, profile.codes[s]),
                        "size": int(profile.sizes[s])} for s in tiny]
    ctx.folder.write_json("explain.json", out)
    return explanation


def _tiny_segments(labels: pd.Series, min_share: float) -> list[int]:
    """The tiny segments, as ``05_profile`` reports them: a single member, or less than ``min_share`` of the rows.
    They are left out of the explanation (and said so), unless fewer than two segments would remain; then only
    those of a single member are, which cross-validation cannot hold out."""
    sizes = labels.value_counts()
    for tiny in ([int(s) for s, n in sizes.items() if n < 2 or n < min_share * len(labels)],
                 [int(s) for s, n in sizes.items() if n < 2]):
        if len(sizes) - len(tiny) >= 2:
            return sorted(tiny)
    return []


def left_out_note(ctx: RunContext):
    """A note naming the segments too small to be explained (left out of this page), or None when there are none."""
    left = ctx.folder.read_json("explain.json").get("left_out") or []
    if not left:
        return None
    entity = ctx.kind.entity
    listed = "; ".join(f"{e['code']} {e['name']} ({count_phrase(e['size'], entity)})" for e in left)
    return note(f"Left out of this page: the tiny segments (a single member, or less than "
                f"{100 * ctx.params.min_segment_share:.0f}% of the {entity}), too small for the forest to learn: "
                f"{listed}. They are still segments: see their cards in the profile report.", kind="warn")


def drivers_notes(explanation: SegmentExplanation):
    """The drivers sentences as highlighted paragraphs, one per segment."""
    return html_block("".join(note_html(f"{explanation.name(s)} (F1 {explanation.segment_f1[s]:.2f}): {text}")
                              for s, text in explanation.drivers.items()))


def summary_note(explanation: SegmentExplanation):
    """The verdict on separability: a note, or a warning when the segments are not well separated."""
    return note(explanation.summary(), kind="note" if explanation.well_separated else "warn")


def drivers_figure(explanation: SegmentExplanation, *, top: int | None = 12):
    """Heatmap of each segment's drivers (:func:`segkit.plots.explain.plot_segment_drivers`)."""
    ax = plot_segment_drivers(explanation.segment_importance, labels=explanation.labels_text,
                              names=explanation.names, top=top)
    return figure(ax, "Importance of each measure for each segment: how much worse the segment is told from the rest "
                      "when the measure is shuffled. Darker cells are closer to the segment's strongest driver.")


def importance_figure(explanation: SegmentExplanation, *, top: int | None = 15):
    """Bars of the overall permutation importance (:func:`segkit.plots.explain.plot_importance`)."""
    return figure(plot_importance(explanation.importance, labels=explanation.labels_text, top=top),
                  "Permutation importance: mean drop in accuracy over folds and repeats, with one standard deviation.")


def confusion_figure(explanation: SegmentExplanation):
    """Held-out predictions per segment (:func:`segkit.plots.explain.plot_confusion`)."""
    return figure(plot_confusion(explanation.confusion, names=explanation.names),
                  "Held-out predictions: the share of each segment assigned to each segment.")
