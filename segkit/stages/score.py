"""``06_score``: score new rows with the run's saved model and show where they land.

Runs for data kinds with the ``score`` capability. ``score_new`` writes ``scored.csv``.

:func:`score_file` is ``segkit score``: it refuses an ``--out`` that is a folder or the input itself,
and returns the scored rows with a one-line summary (rows, scored, flagged outside the training range, not
scored) for the command to print.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from ..errors import ColumnError, ModelError, ParamsError, RunError
from ..format import MISSING_TEXT, format_share, model_segment_codes
from ..io import read_table
from ..modelio import load_model, run_unfinished
from ..naming.words import counted, singular
from ..plots import plot_segment_map
from ..scoring import load_scorer
from ..source import read_options
from ..report.cards import figure, note, note_html, table
from ..separability import SegmentExplanation
from .context import RunContext
from .features import load_features
from .select_k import k_structure, without_clear_groups

__all__ = ["new_rows", "score_new", "scored_summary", "confidence_note", "scoring_notes", "training_agreement",
           "scored_map", "explorer", "score_file", "score_summary", "SCORED_FILE"]

SCORED_FILE = "scored.csv"
FROM_INPUT = "from_input"  #: ``attrs`` key of rows to score drawn from the input (not new ones)


def _model(ctx: RunContext):
    return load_model(ctx.folder.artifact("model"))


def new_rows(ctx: RunContext) -> pd.DataFrame:
    """The rows to score: ``score_path``, else fresh rows from the kind's generator (when the input is
    generated), else a seeded sample of the input's rows (to show what scoring gives).

    ``attrs["source"]`` says in a sentence where they come from.
    """
    p, entity = ctx.params, ctx.entity
    if p.score_rows < 1:
        raise ParamsError(f"score_rows={p.score_rows} must be at least 1", "use e.g. 25", key="score_rows")
    if p.score_path:
        new = read_table(p.score_path, key="score_path", options=read_options(p))  # as the input was read
        new.attrs["source"] = f"{len(new):,} new {entity} read from {str(p.score_path).rsplit('/', 1)[-1]}."
        return new
    fresh = getattr(ctx.kind.module, "fresh_rows", None)
    new = fresh(p, p.score_rows) if fresh is not None else None
    if new is not None:
        return new
    cleaned = ctx.folder.read_parquet("clean.parquet")
    new = cleaned.sample(n=min(p.score_rows, len(cleaned)), random_state=p.seed).reset_index(drop=True)
    new.attrs["source"] = (f"{len(new):,} {entity} drawn at random from the input, as no file of new {entity} was "
                           "given (score_path in the params): scoring them shows the segment each would get if it "
                           "were new.")
    new.attrs[FROM_INPUT] = True  # not new: the table and the map say so (ctx.entity, not "New customers")
    return new


def _scored_label(ctx: RunContext, rows: pd.DataFrame) -> str:
    """What the scored rows are called in the table and on the map: "New customers", or, for rows drawn from the
    input (:func:`new_rows` without a file), "Customers drawn from the input", whose segments are their own."""
    return f"{ctx.entity.capitalize()} drawn from the input" if rows.attrs.get(FROM_INPUT) else f"New {ctx.entity}"


def score_new(ctx: RunContext, new: pd.DataFrame) -> pd.DataFrame:
    """Score ``new`` with the run's saved model and write ``artifacts/scored.csv``.

    Returns the scored rows (the id column, ``segment_code``, ``segment_name``, ``confidence``,
    ``distance_to_centre``, ``outside_training_range``, ``not_scored``) with the scorer's warnings in
    ``attrs``.
    """
    model, metadata = _model(ctx)
    scored = ctx.kind.score.score_customers(model, metadata, new)
    ctx.folder.write_csv(SCORED_FILE, scored)
    scored.attrs[FROM_INPUT] = bool(new.attrs.get(FROM_INPUT))
    return scored


def scored_summary(ctx: RunContext, scored: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: how many of the new rows it takes, and how sure the assignments are."""
    segments = ctx.folder.read_json("segments_summary.json")["segments"]
    label = _scored_label(ctx, scored)
    rows = []
    sure = f"Mean confidence ({1 / max(len(segments), 1):.3g} to 1)"  # the Mall's 0.32 read low against a floor of 0.25
    for s in segments:
        mine = scored[scored["segment_code"] == s["code"]]
        rows.append({"Segment": s["code"], "Name": s["name"], label: len(mine),
                     "Share": format_share(len(mine) / max(len(scored), 1), 1),  # as the cards: "19.5%", not 19.50
                     sure: f"{float(mine['confidence'].astype(float).mean()):.2f}" if len(mine) else MISSING_TEXT,
                     "Training share": format_share(float(s["share"]), 1)})
    frame = pd.DataFrame(rows).set_index("Segment")  # as every business table: "Segment" in the one header row
    return table(frame, names={c: c for c in frame.columns})


def confidence_note(ctx: RunContext):
    """What the confidences say, beside what they do not: the Mall's index said new customers "can be placed
    reliably" (95.5% recognised by a model that had not seen them) beside mean confidences of 0.32-0.50 here."""
    text = ("A record joins the segment whose centre is nearest, the rule that drew the segments. Its confidence says "
            "how much nearer that centre is than the others, so it is low where segments border one another")
    if without_clear_groups(k_structure(ctx)):
        text += ', as they do in this data (the page "How many segments?" says the groups overlap)'
    text += (": a low confidence marks a record near a border, where a small change could move it to the next "
             "segment, not a wrong segment.")
    explained = (SegmentExplanation.from_dict(ctx.folder.read_json("explain.json"))
                 if ctx.folder.has("explain.json") else None)
    if explained is not None and explained.measured:
        text += (" How well the segments can be told apart is another measure: the run's summary page reports that a "
                 f"model given only the measures recognised {100 * explained.accuracy[0]:.1f}% of the "
                 f"{explained.entity} it had not seen.")
    return note(text)


def scoring_notes(ctx: RunContext, scored: pd.DataFrame):
    """The warnings of scoring (values the model never saw, rows not scored, values far outside the
    training range) as a note, or a line saying all was known; for rows drawn from the input, whether each got the
    segment it has in training (:func:`training_agreement`)."""
    warnings = list(scored.attrs.get("warnings") or [])
    agreed, moved = training_agreement(ctx, scored)
    said = "; ".join(warnings) + "." if warnings else \
        f"All {len(scored):,} rows were scored; every category value was known to the model."
    return note(" ".join(t for t in (said, agreed) if t), kind="warn" if warnings or moved else "note")


def training_agreement(ctx: RunContext, scored: pd.DataFrame) -> tuple[str, int]:
    """For rows drawn from the input: a sentence on how many got the segment they have in training (by their id, in
    ``segments.csv``), and how many did not. The Mall's page scored 25 of its customers "to show the segment each
    would get if it were new" and left the reader to wonder whether that was their own. ("", 0) for new rows, or
    rows without an id the training segments are listed by."""
    if not scored.attrs.get(FROM_INPUT) or not ctx.folder.has("segments.csv"):
        return "", 0
    trained = ctx.folder.read_csv("segments.csv", dtype=str)
    key = trained.columns[0]
    if key not in scored.columns:
        return "", 0
    drawn = scored[[key, "segment_code"]].dropna()
    both = drawn.merge(trained[[key, "segment_code"]].dropna(), on=key, suffixes=("", "_t"))
    n, same = len(both), int((both["segment_code"] == both["segment_code_t"]).sum())
    if n == 0:
        return "", 0
    one, many, moved = singular(ctx.entity), ctx.entity, n - same
    if n == 1:
        whom = f"{'The' if len(drawn) == 1 else 'One'} {one} drawn from the input"
        text = (f"{whom} got the segment it has in training (segments.csv)." if same else
                f"{whom} lies nearer another segment's centre than that of the segment it has in training "
                "(segments.csv), so scoring places it there.")
    elif not moved:
        text = f"Each of the {n:,} {many} drawn from the input got the segment they have in training (segments.csv)."
    else:
        their, them = ("its", "it") if moved == 1 else ("their", "them")
        text = (f"{same:,} of the {n:,} {many} drawn from the input got the segment they have in training "
                f"(segments.csv); {counted(moved, many)} {'lies' if moved == 1 else 'lie'} nearer another segment's "
                f"centre than that of {their} own, so scoring places {them} there.")
    if n < len(drawn):
        rest = len(drawn) - n
        text += f" The other {counted(rest, many)} drawn {'has' if rest == 1 else 'have'} no segment in training."
    return text, moved


def scored_map(ctx: RunContext, new: pd.DataFrame, scored: pd.DataFrame):
    """The segment map with the new rows drawn as larger points with a black edge."""
    p = ctx.params
    model, metadata = _model(ctx)
    fs, label = load_features(ctx), _scored_label(ctx, new)
    if "not_scored" in scored.columns:  # rows without a segment are not drawn
        new = new[scored["not_scored"].fillna("").eq("").to_numpy()]
    checked = ctx.kind.score.check_new_rows(new, metadata)
    train = np.asarray(model.preprocessor_.transform(fs.clustering_table), dtype=float)
    fresh = np.asarray(model.preprocessor_.transform(checked), dtype=float)
    coords, explained = _project(train, fresh, seed=p.seed)
    labels = np.concatenate([_training_labels(model, metadata, fs.clustering_table), model.predict(checked)])
    highlight = np.r_[np.zeros(len(train), bool), np.ones(len(fresh), bool)]
    names = metadata.get("names") or {}
    k = model.n_segments
    codes = model_segment_codes(metadata, k)
    shown = {i: f"{codes[i]} {names.get(codes[i], '')}".strip() for i in range(k)}
    ax = plot_segment_map(coords, labels, names=shown, highlight=highlight, sample=p.plot_sample, seed=p.seed,
                          explained=explained, entity=ctx.entity, highlight_label=label)
    drawn = f"all {len(train):,}" if len(train) <= p.plot_sample else f"a sample of {p.plot_sample:,} of {len(train):,}"
    return figure(ax, f"Segment map of the training {ctx.entity} ({drawn}), with "
                      f"the {len(fresh):,} scored rows as larger points outlined in black, coloured by the "
                      "segment they were given.")


def _training_labels(model, metadata: dict, table: pd.DataFrame) -> np.ndarray:
    """This run's segment of each of its rows: the model's own labels when it was fitted on them, else (a run that
    scores with its reference's model, ``reference_mode: score``) the segments the model gives them."""
    scored_with_reference = (metadata.get("reference") or {}).get("mode") == "score"
    if not scored_with_reference and len(getattr(model, "labels_", ())) == len(table):
        return np.asarray(model.labels_)
    return np.asarray(model.predict(table))


def _project(train: np.ndarray, fresh: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """New rows on the map of :func:`segkit.profile.project_2d` (same PCA, fitted on the training rows)."""
    n_comp = min(2, train.shape[1], train.shape[0])
    pca = PCA(n_components=n_comp, random_state=seed).fit(train)
    coords = np.zeros((len(train) + len(fresh), 2))
    coords[:, :n_comp] = pca.transform(np.vstack([train, fresh]))
    ratio = np.zeros(2)
    ratio[:n_comp] = pca.explained_variance_ratio_
    return coords, ratio


def explorer(ctx: RunContext):
    """The interactive explorer when ``interactive`` is true, else a one-line note.

    The widget is displayed with an HTML fallback, so a report rendered without widget state shows a
    note instead of a broken widget.
    """
    if not ctx.params.interactive:
        return note("The interactive explorer is off in this report (set interactive: true and open the "
                    "notebook in JupyterLab to use it).")
    explore = ctx.kind.explore
    ex = explore.CustomerExplorer.from_run(ctx.folder.path)
    return explore.WidgetWithFallback(ex.widget(), note_html(explore.FALLBACK))


def score_summary(scored: pd.DataFrame) -> str:
    """``"500 rows: 498 scored, 3 flagged outside the training range, 2 not scored"`` (flagged: far outside it,
    or negative where training had no negative value)."""
    not_scored = int(scored["not_scored"].fillna("").ne("").sum()) if "not_scored" in scored else 0
    outside = int(scored["outside_training_range"].sum()) if "outside_training_range" in scored else 0
    return (f"{len(scored):,} rows: {len(scored) - not_scored:,} scored, {outside:,} flagged outside the training "
            f"range, {not_scored:,} not scored")


def _check_out(out: Path, new: Path, force: bool) -> None:
    if out.is_dir():
        raise RunError(f"--out {out} is a folder", f"give the file to write, e.g. --out {out / SCORED_FILE}", path=out)
    if out.exists() and not force:
        raise RunError(f"{out} already exists", "pass --force to replace it, or choose another --out", path=out)
    if out.exists() and not out.is_file():
        raise RunError(f"--out {out} is not a regular file", "choose another --out", path=out)
    if out.exists() and Path(new).exists() and out.resolve() == Path(new).resolve():
        raise RunError(f"--out {out} is the file being scored, which segkit never overwrites",
                       "choose another --out", path=out)


def score_file(model_dir, new, *, out, force: bool = False) -> tuple[Path, pd.DataFrame]:
    """Score a file of new rows with a saved model and write the result (``segkit score``).

    Returns the path written and the scored rows (their warnings in ``attrs["warnings"]``; see
    :func:`score_summary`).
    """
    out = Path(out)
    _check_out(out, Path(new), force)
    scorer = load_scorer(model_dir)
    scorer.require_scoring()  # before the file is read
    table = read_table(new, key="new rows", options=scorer.kind.read_options)  # as the run read it
    try:
        scored = scorer.score(table)
    except (ColumnError, ModelError) as exc:  # the table's columns or values: say which file
        raise type(exc)(f"{Path(new).name}: {exc.problem}", exc.fix, column=exc.column, path=str(new)) from None
    unfinished = run_unfinished(model_dir)
    if unfinished:  # its model is sound (05 saved it), but the run is not a finished result
        scored.attrs["warnings"] = [f"the run {Path(model_dir).name} did not complete ({unfinished}): its model scored "
                                    "these rows, but segkit runs lists it as unfinished", *scored.attrs["warnings"]]
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        scored.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise RunError(f"the scored rows could not be written to {out} ({exc.strerror or type(exc).__name__})",
                       "choose an --out in a folder you can write to, with free space", path=out) from None
    return out, scored
