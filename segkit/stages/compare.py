"""``09_compare``: what moved between the reference run and this one.

``load`` compares the run of the params ``reference`` (the earlier run, A) with this run (B), or with the run
``compare_run`` names (``segkit compare RUN_A RUN_B`` sets it, running this notebook in a folder of its own),
and writes ``artifacts/compare/``: ``summary.json`` (everything, as :meth:`segkit.compare.Comparison.to_dict`),
``migration.csv``, ``sizes.csv``, ``shifts.csv`` and ``drift.csv``. Both runs are only read.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..compare import PSI_BINS, PSI_EPSILON, PSI_MODERATE, PSI_SIGNIFICANT, Comparison, compare_runs
from ..errors import ParamsError
from ..modelio import METADATA_FILE
from ..format import MISSING_TEXT, format_number, format_share, format_value
from ..plots import plot_drift, plot_migration
from ..report.cards import figure, html_block, note
from .context import RunContext

__all__ = ["load", "summary", "migration_figure", "migration_table", "sizes_table", "shifts_table", "drift_table",
           "drift_figure", "drift_note", "FOLDER"]

FOLDER = "compare"  #: under artifacts/


def load(ctx: RunContext) -> Comparison | None:
    """Compare ``reference`` (A) with ``compare_run`` or this run (B), and write ``artifacts/compare/``.

    None when this run follows a bare model folder (a reference without the run it came from: no segments or
    features to compare); :func:`summary` then says so and the other sections show nothing.
    """
    p = ctx.params
    if not p.reference:
        raise ParamsError("09_compare compares this run with a reference run, but reference is not set",
                          "set reference to a previous run folder (reports/<run>), or run segkit compare RUN_A RUN_B",
                          key="reference")
    if not p.compare_run and _bare_model(Path(p.reference)):
        return None
    cmp = compare_runs(p.reference, p.compare_run or ctx.folder.path)
    folder, record = ctx.folder, cmp.to_dict()
    if not p.compare_run:
        record["later"]["path"] = None  # this run: a batch writes it in a partial folder that is renamed at the end
    folder.write_json(f"{FOLDER}/summary.json", record)
    folder.write_csv(f"{FOLDER}/migration.csv", cmp.migration_table(), index=True)
    folder.write_csv(f"{FOLDER}/sizes.csv", cmp.sizes_table())
    folder.write_csv(f"{FOLDER}/shifts.csv", cmp.shifts_table())
    folder.write_csv(f"{FOLDER}/drift.csv", cmp.drift)
    return cmp


def _bare_model(path: Path) -> bool:
    """A saved model folder that is not a run's ``artifacts/model``."""
    return (path / METADATA_FILE).is_file() and not (path.parent.name == "artifacts" and
                                                    (path.parent / "segments.csv").is_file())


def summary(cmp: Comparison | None):
    """The executive summary: which runs, then the sentences, the biggest moves first."""
    if cmp is None:
        return note("There is nothing to compare: the reference is a saved model without the run it came from (its "
                    "segments, profiles and features), so this run only takes its codes and names. Set reference to "
                    "that run's folder (reports/<run>) to see what moved.", kind="warn")
    a, b = cmp.earlier, cmp.later
    items = "".join(f"<li>{html.escape(s)}</li>" for s in cmp.summary)
    head = (f"Run A, <strong>{html.escape(a.name)}</strong> ({format_number(len(a.assignments))} {html.escape(a.entity)}, "
            f"{len(a.segments)} segments), compared with run B, <strong>{html.escape(b.name)}</strong> "
            f"({format_number(len(b.assignments))} {html.escape(b.entity)}, {len(b.segments)} segments). The tables "
            "below call them A and B.")
    return html_block(f'<div class="sk-note"><p>{head}</p><ul>{items}</ul></div>')


def migration_figure(cmp: Comparison | None):
    """The migration matrix as a heatmap: each row is a segment of the earlier run, split by where its members are now."""
    if cmp is None:
        return None
    counts, shares = _ab(cmp, cmp.migration_table()), _ab(cmp, cmp.migration_table(shares=True))
    ax = plot_migration(counts, shares, entity=cmp.entity)
    return figure(ax, f"Each row is a segment of run A ({cmp.earlier.name}); each cell says how many of its "
                      f"{cmp.entity} (and which share of the row) are in the segment of run B ({cmp.later.name}) "
                      f"below it. Only the {format_number(cmp.migration.n_both)} {cmp.entity} present in both runs "
                      "are counted.")


def _ab(cmp: Comparison, table: pd.DataFrame) -> pd.DataFrame:
    """The matrix with its axes named "Segment in run A (jan)" and "... run B (feb)"."""
    table.index.name = f"Segment in run A ({cmp.earlier.name})"
    table.columns.name = f"Segment in run B ({cmp.later.name})"
    return table


def migration_table(cmp: Comparison | None) -> pd.DataFrame | None:
    """The counts, with the totals of the entities in both runs and those of only one run: lost per earlier
    segment (a column), new per later segment (a row)."""
    if cmp is None:
        return None
    table = cmp.migration_table().astype("object")
    table.index.name, table.columns.name = "Segment in A", "Segment in B"
    both, lost = "In both runs", "Only in A (lost)"
    table[both] = table.sum(axis=1)
    table[lost] = cmp.migration.lost.to_numpy()
    table.loc[both] = [*cmp.migration.counts.sum(axis=0).to_numpy(), cmp.migration.n_both, cmp.migration.n_lost]
    table.loc["Only in B (new)"] = [*cmp.migration.new.to_numpy(), None, None]
    return table.map(lambda v: MISSING_TEXT if v is None or pd.isna(v) else format_number(v))


def _size(value) -> str:
    return MISSING_TEXT if value is None or pd.isna(value) else format_number(value)


def _share(value) -> str:
    return MISSING_TEXT if value is None or pd.isna(value) else format_value(round(value, 3), "share")


def sizes_table(cmp: Comparison | None) -> pd.DataFrame | None:
    """Each segment's size and share in both runs, side by side, with the change."""
    if cmp is None:
        return None
    a, b = "A", "B"
    rows = []
    for r in cmp.sizes_table().itertuples():
        change = (MISSING_TEXT if r.change is None or pd.isna(r.change)
                  else f"{'+' if r.change > 0 else '−' if r.change < 0 else ''}{format_value(round(abs(r.change), 2), 'share')}")
        rows.append({f"Segment in {a}": r.earlier if isinstance(r.earlier, str) else MISSING_TEXT,
                     f"Segment in {b}": r.later if isinstance(r.later, str) else MISSING_TEXT,
                     f"Size in {a}": _size(r.size_earlier), f"Size in {b}": _size(r.size_later), "Change": change,
                     f"Share in {a}": _share(r.share_earlier), f"Share in {b}": _share(r.share_later),
                     "Status": {"matched": "in both", "gone": f"not in {b}", "new": f"new in {b}"}[r.status]})
    return pd.DataFrame(rows).set_index(f"Segment in {a}")


def shifts_table(cmp: Comparison | None, *, top: int | None = None) -> pd.DataFrame | None:
    """For each pair of segments that mean the same thing: each measure's index against the whole (100 = the
    average of its run) in both runs, and the change in points (``top``: the largest changes per segment only)."""
    if cmp is None:
        return None
    shifts = cmp.shifts_table()
    if shifts.empty:
        return pd.DataFrame({"Note": ["No segment of one run has a counterpart in the other."]})
    shifts["segment"] = [x if x.split(" ", 1)[-1] == y.split(" ", 1)[-1] else f"{x} → {y}"
                         for x, y in zip(shifts["earlier"], shifts["later"])]
    if top:  # the largest changes of each segment, segments in their order
        order = {name: i for i, name in enumerate(dict.fromkeys(shifts["segment"]))}
        shifts = (shifts.assign(size=-shifts["change"].abs(), rank=shifts["segment"].map(order))
                  .sort_values(["rank", "size"], kind="stable").groupby("segment", sort=False).head(top))
    a, b = "A", "B"
    units, currency = cmp.earlier.meta.get("units") or {}, str(cmp.later.params.get("currency") or "")
    out = pd.DataFrame({"Segment": shifts["segment"], "Measure": shifts["feature"],
                        f"Average in {a}": _averages(shifts, "mean_earlier", units, currency),
                        f"Average in {b}": _averages(shifts, "mean_later", units, currency),
                        f"Index in {a}": shifts["index_earlier"].round(0).astype(int),
                        f"Index in {b}": shifts["index_later"].round(0).astype(int)})
    out["Change (points)"] = out[f"Index in {b}"] - out[f"Index in {a}"]  # as the two indices shown read
    return out.set_index(["Segment", "Measure"])


def _averages(shifts: pd.DataFrame, column: str, units: dict, currency: str) -> list[str]:
    """The segment's own mean of each measure in its unit (the index alone moves when the whole moves)."""
    keys = shifts["key"] if "key" in shifts else shifts["feature"]
    return [MISSING_TEXT if pd.isna(v) else format_value(v, units.get(k), currency) for k, v in zip(keys, shifts[column])]


def drift_table(cmp: Comparison | None, currency: str = "£") -> pd.DataFrame | None:
    """Each measure's population stability index, its reading, and its typical value in both runs: the median in
    its unit, or the most common level of a text column."""
    if cmp is None:
        return None
    if cmp.drift.empty:
        return pd.DataFrame({"Note": ["The runs segment by different measures: no measure is in both, so there is no "
                                      "drift to measure."]})
    units = cmp.earlier.meta.get("units") or {}
    a, b = "A", "B"
    rows = [{"Measure": r.label, "PSI": format_number(r.psi), "Reading": r.verdict,
             f"Typical in {a}": _typical(r.median_expected, units.get(r.feature), currency, r.share_expected),
             f"Typical in {b}": _typical(r.median_actual, units.get(r.feature), currency, r.share_actual)}
            for r in cmp.drift.itertuples()]
    return pd.DataFrame(rows).set_index("Measure")


def _typical(value, unit: str | None, currency: str, share: float = float("nan")) -> str:
    """A median in its unit, or the most common level of a text column with its share ("South (40%)")."""
    if isinstance(value, str):
        return value if pd.isna(share) else f"{value} ({format_share(share)})"
    return format_value(value, unit, currency)


def drift_figure(cmp: Comparison | None):
    """The PSI of every measure as bars, against the two usual thresholds."""
    if cmp is None:
        return None
    return figure(plot_drift(cmp.drift, moderate=PSI_MODERATE, significant=PSI_SIGNIFICANT),
                  "Each measure's PSI as a bar; the two lines are the thresholds named above.")


def drift_note(cmp: Comparison | None):
    """How the PSI is computed, in two sentences."""
    if cmp is None:
        return None
    return html_block(
        f'<p class="sk-muted">The population stability index compares how the {html.escape(cmp.entity)} of the two '
        f"runs spread over {PSI_BINS} bins cut at the deciles of {html.escape(cmp.earlier.name)} (text columns: one bin "
        "per level): the sum over the bins of the difference in share times the log of their ratio. Tied deciles are "
        f"merged into one bin, and an empty bin counts as a share of {PSI_EPSILON:g}.</p>")
