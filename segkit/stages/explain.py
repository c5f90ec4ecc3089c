"""``07_explain``: how well the features tell the segments apart, and what drives each one.

``analyse`` reads ``features.parquet``, ``segments.csv`` and ``profiles.json`` and writes
``explain.json``; the figure functions draw the result.
"""

from __future__ import annotations

from ..errors import DataValueError
from ..explain import SegmentExplanation, explain_segments
from ..plots.explain import plot_confusion, plot_importance, plot_segment_drivers
from ..report.cards import figure, html_block, note, note_html
from .context import RunContext
from .features import load_features
from .profile import load_segmentation

__all__ = ["analyse", "summary_note", "drivers_notes", "drivers_figure", "importance_figure", "confusion_figure"]


def analyse(ctx: RunContext) -> SegmentExplanation:
    """Read the features and the segments, explain, write ``explain.json``.

    Uses every column of ``features.parquet`` (the clustering features and the rest) and the segment
    codes of ``segments.csv``; segments are shown as "S01 Champions".
    """
    p = ctx.params
    fs = load_features(ctx)
    segments, profile = load_segmentation(ctx)
    id_col = segments.columns[0]
    table = fs.table.copy()
    table.index = table.index.astype(str)
    codes = segments.set_index(id_col)["segment_code"]
    missing = table.index.difference(codes.index)
    if len(missing):
        raise DataValueError(f"{len(missing):,} rows of the features have no segment in segments.csv",
                             "run the profile notebook (05_profile) again after the features notebook")
    code_to_segment = {code: seg for seg, code in profile.codes.items()}
    labels = codes.reindex(table.index).map(code_to_segment).astype(int)
    explanation = explain_segments(
        table, labels.to_numpy(), folds=p.explain_folds, seed=p.seed, min_score=p.explain_min_score,
        names=profile.display_names(), labels_text=fs.label_map(table.columns), units=fs.units,
        currency=p.currency)
    out = explanation.to_dict()
    for entry in out["segments"]:
        seg = int(entry["segment"])
        entry["segment"], entry["code"] = seg, profile.codes[seg]
    ctx.folder.write_json("explain.json", out)
    return explanation


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
