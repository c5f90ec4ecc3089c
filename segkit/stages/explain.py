"""``07_explain``: how well the features tell the segments apart, and what drives each one.

``analyse`` reads ``explain.json``, which ``05_profile`` wrote when it fitted the segments (the one
separability analysis of the run, :mod:`segkit.separability`, also behind the cards and the index), and
fits the forest again only when that file is absent or was made for other segments or settings. The figure
functions draw the result.
"""

from __future__ import annotations

from typing import Any

from .. import pipeline
from ..errors import DataValueError
from ..separability import SegmentExplanation
from ..plots.explain import plot_confusion, plot_importance, plot_segment_drivers
from ..report.cards import figure, html_block, note, note_html
from .context import RunContext
from .features import load_features
from .profile import load_segmentation
from .select_k import k_structure

__all__ = ["analyse", "summary_note", "drivers_notes", "drivers_figure", "importance_figure", "confusion_figure"]


def _reusable(ctx: RunContext, codes: list[str], rows: int) -> dict[str, Any] | None:
    """``explain.json`` when it was made for these segments and this notebook's settings, else None."""
    if not ctx.folder.has("explain.json"):
        return None
    p, data = ctx.params, ctx.folder.read_json("explain.json")
    settings = data.get("settings") or {}
    same = ([s.get("code") for s in data.get("segments", [])] == codes and settings.get("seed") == p.seed
            and settings.get("folds_asked") == p.explain_folds and data.get("min_score") == p.explain_min_score
            and settings.get("rows_in_table") == rows)
    return data if same else None


def analyse(ctx: RunContext) -> SegmentExplanation:
    """The run's separability analysis: ``explain.json`` as ``05_profile`` wrote it, or computed anew (and
    written) from ``features.parquet``, ``segments.csv`` and ``profiles.json`` when it does not match them.

    Uses every column of ``features.parquet`` (the clustering features and the rest) and the segment
    codes of ``segments.csv``; segments are shown as "S01 Champions".
    """
    fs = load_features(ctx)
    segments, profile = load_segmentation(ctx)
    id_col = segments.columns[0]
    index = fs.table.index.astype(str)
    codes = segments.set_index(id_col)["segment_code"]
    missing = index.difference(codes.index)
    if len(missing):
        raise DataValueError(f"{len(missing):,} rows of the features have no segment in segments.csv",
                             "run the profile notebook (05_profile) again after the features notebook")
    found = _reusable(ctx, [profile.codes[s] for s in sorted(profile.codes)], len(index))
    if found is not None:
        return SegmentExplanation.from_dict(found)
    code_to_segment = {code: seg for seg, code in profile.codes.items()}
    labels = codes.reindex(index).map(code_to_segment).astype(int)
    labels.index = fs.table.index
    structure = k_structure(ctx)
    explanation = pipeline.explain(ctx.params, fs, labels, profile, structure=structure)
    ctx.folder.write_json("explain.json", explanation.to_dict())
    return explanation


def drivers_notes(explanation: SegmentExplanation):
    """The drivers sentences as highlighted paragraphs, one per segment; where they compare areas (the kind's
    ``SENTENCES_PER``), a line first that says so."""
    def score(s) -> str:
        f1 = explanation.f1(s)
        return "too few members to test" if f1 is None else f"told apart {f1:.2f}"  # as the index says it

    per = explanation.settings.get("per")
    first = (f"<p>These sentences compare {per}s, each counted once (\"typical {per}\": the middle one; \"average "
             f"{per}\": their mean), as the key facts on the segment cards do.</p>" if per else "")
    return html_block(first + "".join(note_html(f"{explanation.name(s)} ({score(s)}): {text}")
                                      for s, text in explanation.drivers.items()))


def summary_note(explanation: SegmentExplanation):
    """The verdict on separability: a note, or a warning when the segments are not well separated."""
    return note(explanation.summary(), kind="note" if explanation.well_separated else "warn")


def drivers_figure(explanation: SegmentExplanation, *, top: int | None = 12):
    """Heatmap of each segment's drivers (:func:`segkit.plots.explain.plot_segment_drivers`); None (nothing
    shown) when no forest was cross-validated."""
    if not explanation.measured:
        return None
    ax = plot_segment_drivers(explanation.segment_importance, labels=explanation.labels_text,
                              names=explanation.names, top=top)
    return figure(ax, "Importance of each measure for each segment: how much worse the segment is told from the rest "
                      "when the measure is shuffled. Darker cells are closer to the segment's strongest driver.")


def importance_figure(explanation: SegmentExplanation, *, top: int | None = 15):
    """Bars of the overall permutation importance (:func:`segkit.plots.explain.plot_importance`), or None."""
    if not explanation.measured:
        return None
    return figure(plot_importance(explanation.importance, labels=explanation.labels_text, top=top),
                  "Permutation importance: mean drop in accuracy over folds and repeats, with one standard deviation.")


def confusion_figure(explanation: SegmentExplanation):
    """Held-out predictions per segment (:func:`segkit.plots.explain.plot_confusion`), or None."""
    if not explanation.measured:
        return None
    return figure(plot_confusion(explanation.confusion, names=explanation.names),
                  "Held-out predictions: the share of each segment assigned to each segment.")
