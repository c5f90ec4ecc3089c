"""The batch: params in, a complete run folder out.

``run`` validates everything first, then executes the notebooks with papermill into a temporary folder
next to the final one, rendering each to HTML as soon as it finishes. Notebooks whose inputs are ready
run side by side (one BLAS/OpenMP thread per kernel, so two kernels on two cores do not fight). Only a
complete run is moved into place; a failed one is kept, rendered up to the error, in ``<run>.failed``.

Nothing is lost and nothing half-done looks finished:

- an existing run folder is replaced only with ``force``, and then only once the new run is complete;
- the run is written in ``.<run>.partial-<pid>``; a run that is killed leaves only that folder, which the
  next run of the same name removes (its process is gone); a live one makes the next run refuse to start;
- Ctrl-C (or SIGTERM through the CLI) keeps the outputs so far in ``<run>.failed``, also when it comes
  after the last notebook, while the reports are being finished;
- a disk that is full or read-only ends the run as ``<run>.failed`` with a segkit message (or, when even
  that folder cannot be made, a message saying where the partial outputs are), never a raw ``OSError``;
- kernels watch the batch process and exit when it dies (ipykernel's parent poller);
- a successful run removes the ``<run>.failed`` folder left by an earlier failed run of the same name
  (and says so), since it no longer describes the run in place;
- the input file (or folder) is hashed when ``01_eda`` reads it (``artifacts/input.json``) and again when
  the notebooks are done: a file changed during the run fails it, naming the file, since the outputs
  describe content the file no longer has.

Nothing outside the reports folder is touched: the run name is one plain folder name (checked with the
params), every run-level path is checked by :func:`~segkit.report.runfolder_safety.inside` before it is
written, renamed or deleted, and ``--force`` replaces only a folder segkit made (see
:mod:`segkit.report.runfolder_safety`).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import kinds
from ..config import Params, check_run_name, load_params
from ..errors import RunError, SegkitError, truncate
from ..io import RunFolder, hash_path, read_json, write_json
from .appendix import finalise_reports
from ..preflight import Checked, adopt_currency, preflight
from ..source import input_columns
from ..stages.context import RunContext, stored_params
from ..stages.handover import WRITER, hand_over, withdraw
from .batch import Batch, kernel_environment, record_final_path
from .forkserver import ForkServer, fork_server
from .history import refresh_runs_index
from .index import write_index, write_manifest
from .lifecycle import (drop_old_failed, earlier_manifest, keep_failed, kept_pages, move_into_place, prepare_folder,
                        write_problem)
from .notebook import _kernel_params  # noqa: F401  (tests check what kernels receive)
from .notebook import Notebook, cell_after, notebook_parameters
from .runfolder_safety import refuse_foreign

__all__ = ["Notebook", "RunResult", "discover_notebooks", "run_order", "run", "run_notebooks", "default_notebooks_dir",
           "notebooks_folder", "notebook_parameters"]

@dataclass
class RunResult:
    """What a batch produced."""

    folder: Path
    ok: bool
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    failed: str | None = None
    error: str | None = None
    user_error: bool = False  # the failure is a segkit error about the data or params (CLI exit status 2)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def default_notebooks_dir() -> Path:
    """``./notebooks`` when run from a checkout, else the one beside the installed package."""
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"


def notebooks_folder(notebooks_dir: str | Path | None = None) -> Path:
    """``notebooks_dir`` (``--notebooks``), resolved, or :func:`default_notebooks_dir`."""
    return Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()


def discover_notebooks(directory: Path, data_kind: str, params: Params | None = None) -> list[Notebook]:
    """The report notebooks that apply to ``data_kind`` (and ``params``), in run order.

    A notebook's metadata may say ``{"segkit": {"after": [...], "needs": "churn", "when": "reference"}}``
    (and ``"after_in_engine": [...]``, the notebooks it also waits for when the duckdb or spark engine runs it): with
    ``needs`` it runs only for data kinds with that capability (``EXTRA_STAGES`` of the kind); with ``when``
    only when that params key is set (not empty) in ``params``, so never without ``params``; ``"segments": true``
    marks a notebook that chooses k or fits the segments (the check then asks whether the rows can hold them). By
    default a notebook runs after the one before it, for every data kind. A cell's metadata may say
    ``{"segkit": {"after": [...]}}``: in a batch that cell waits for those notebooks (:func:`~.notebook.cell_after`).
    """
    offered = set(kinds.get(data_kind).extra_stages)
    paths = sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise RunError(f"no report notebooks (NN_name.ipynb) in {directory}", "run segkit from the project folder "
                       "or pass --notebooks", path=directory)
    out: list[Notebook] = []
    for i, path in enumerate(paths):
        book = json.loads(path.read_text(encoding="utf-8"))
        meta = book.get("metadata", {}).get("segkit", {})
        needs = meta.get("needs")
        if needs is not None and needs not in offered:
            continue
        if meta.get("when") and not getattr(params, str(meta["when"]), None):
            continue
        engine_after = list(meta.get("after_in_engine", []))
        after = list(meta.get("after", [out[-1].name] if out else []))
        cells_after = list(dict.fromkeys(name for cell in book.get("cells", []) for name in cell_after(cell)))
        out.append(Notebook(path=path, after=after + [a for a in engine_after if a not in after], needs=needs,
                            engine_after=engine_after, cells_after=cells_after, segments=bool(meta.get("segments"))))
    names = {nb.name for nb in out}
    for nb in out:
        nb.after = [a for a in nb.after if a in names]
        nb.cells_after = [a for a in nb.cells_after if a in names]
    run_order(out)  # refuses a circle before any notebook starts
    return out


def run_order(notebooks: list[Notebook]) -> list[Notebook]:
    """The notebooks in an order that runs each after all that it or one of its cells waits for (one at a time, as
    in a single process). A :class:`RunError` when notebooks wait for one another in a circle, which would never
    end."""
    by_name, order = {nb.name: nb for nb in notebooks}, []

    def walk(nb: Notebook, path: list[str]) -> None:
        if nb.name in path:
            circle = " → ".join([*path[path.index(nb.name):], nb.name])
            raise RunError(f"the report notebooks wait for one another in a circle: {circle}",
                           'change the "after" in the segkit metadata of one of them (the notebook\'s or a cell\'s)')
        if nb not in order:
            for wanted in [*nb.after, *nb.cells_after]:
                if wanted in by_name:
                    walk(by_name[wanted], [*path, nb.name])
            order.append(nb)

    for nb in notebooks:
        walk(nb, [])
    return order


def _select(notebooks: list[Notebook], only: Sequence[str] | None) -> list[Notebook]:
    if not only:
        return notebooks
    chosen = []
    for want in only:
        match = [nb for nb in notebooks if nb.name == want or nb.name.split("_")[0] == want or nb.name.startswith(want)]
        if not match:
            raise RunError(f"--only {truncate(want, quote=False)}: no such notebook for this data kind",
                           f"choose from: {', '.join(nb.name for nb in notebooks)}")
        chosen.extend(m for m in match if m not in chosen)
    names = {nb.name for nb in chosen}
    return [replace(nb, after=[a for a in nb.after if a in names]) for nb in notebooks if nb in chosen]


def _discovered(params: Params, only: Sequence[str] | None, notebooks_dir: str | Path | None) -> list[Notebook]:
    """The notebooks of the params' data kind in ``notebooks_dir`` (default: the project's), ``only``'s choice."""
    return _select(discover_notebooks(notebooks_folder(notebooks_dir), params.data_kind, params), only)


class _Progress:
    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.t0 = time.perf_counter()

    def __call__(self, text: str) -> None:
        self.say(f"[{time.perf_counter() - self.t0:6.1f}s] {text}")


def run(params_files: str | Path | Sequence[str | Path], *, name: str | None = None, only: Sequence[str] | None = None,
        out_dir: str | Path = "reports", notebooks_dir: str | Path | None = None, force: bool = False,
        jobs: int = 2, say: Callable[[str], None] = print, overrides: dict[str, Any] | None = None,
        forks: ForkServer | None = None) -> RunResult:
    """Run the batch described by ``params_files``.

    Parameters
    ----------
    params_files : path or list of paths
        Params files, layered left to right.
    name : str, optional
        The run's folder name under ``out_dir`` (default: ``run_name`` or the last params file's name).
    only : list of str, optional
        Run only these notebooks (by name or number), on a copy of the existing run folder.
    jobs : int
        Notebooks run at once when their inputs are ready.
    forks : ForkServer, optional
        The server the kernels fork from, started early by the caller (``segkit run`` starts it first thing);
        by default one is started here, while the input is checked.

    Raises
    ------
    SegkitError
        For any params, data or run-folder problem, before any notebook starts.
    """
    started_at = datetime.now(timezone.utc)
    progress = _Progress(say)
    overrides = dict(overrides or {})
    if name is not None:
        overrides["run_name"] = check_run_name(name, source="--name")
    params, files = load_params(params_files, overrides)
    out_dir = Path(out_dir).resolve()
    refuse_foreign(out_dir, params.run_name, force=force)  # before any notebook or input is read
    everything = _discovered(params, None, notebooks_dir)
    chosen = _select(everything, only)
    with fork_server(forks) as forks:  # started now, it imports while the input is checked
        params, preflight_info, notebooks, left_out = _planned(params, chosen, only, keep=True)
        progress(f"params ok: {params.data_kind} data, {len(notebooks)} notebooks, input {preflight_info['input']}")
        for note in preflight_info["notes"]:
            progress(note)
        for finding in preflight_info.get("findings", []):
            if finding.severity == "warning":  # as segkit check prints them: the run goes on, the reader should know
                progress(f"warning: {finding.said()}")
        for name, why in left_out.items():
            progress(f"{name} left out: {why}")
        return run_notebooks(params, files, notebooks, out_dir=out_dir, force=force, only=only, jobs=jobs,
                             progress=progress, started_at=started_at, source=f"{preflight_info['input']}", forks=forks,
                             left_out=left_out, reads=_upstream(_as_run(everything, preflight_info["engine"])),
                             present=_present(notebooks_dir), withheld=_withheld(everything, notebooks, left_out,
                                                                                 out_dir / params.run_name),
                             checked=preflight_info.pop("checked", None))


def _withheld(everything: list[Notebook], run: list[Notebook], left_out: Collection[str], final: Path) -> set[str]:
    """The capabilities whose results the pages of this run cannot show: of the notebooks left out, and of those
    ``--only`` does not run and that have no page in the run folder (an earlier run left them out)."""
    ran = {nb.name for nb in run}
    return {nb.needs for nb in everything if nb.needs and nb.name not in ran
            and (nb.name in left_out or not (final / f"{nb.name}.html").is_file())}


def _present(notebooks_dir: str | Path | None) -> set[str]:
    """The names of the notebooks in ``notebooks_dir`` (default: the project's), whichever a run would execute."""
    return {path.stem for path in notebooks_folder(notebooks_dir).glob("*.ipynb")}


def _as_run(notebooks: list[Notebook], engine: str) -> list[Notebook]:
    """The notebooks as a batch in ``engine`` runs them (:meth:`Notebook.in_pandas`, :meth:`Notebook.in_engine`)."""
    return [nb.in_pandas() if engine == "pandas" else nb.in_engine() for nb in notebooks]


def _upstream(notebooks: list[Notebook]) -> dict[str, set[str]]:
    """The notebooks each one reads the results of: those it or one of its cells waits for (as the run's engine runs
    it: ``08_churn`` waits for ``02_features`` in duckdb, not in pandas), and theirs in turn."""
    direct = {nb.name: {*nb.after, *nb.cells_after} for nb in notebooks}
    found: dict[str, set[str]] = {}

    def upstream(name: str) -> set[str]:
        if name not in found:
            found[name] = set()  # a cycle is refused when the notebooks are ordered; never loop here
            found[name] = set().union(*({a, *upstream(a)} for a in direct.get(name, ())))
        return found[name]

    return {name: upstream(name) for name in direct}


def plan(params: Params, *, only: Sequence[str] | None = None, notebooks_dir: str | Path | None = None
         ) -> tuple[dict[str, Any], list[Notebook], dict[str, str]]:
    """What a batch of ``params`` would run, as ``segkit run`` decides it before any notebook starts: the input
    check (:func:`~segkit.preflight.preflight`), the notebooks (``only``'s choice, ordered for the run's engine)
    and the notebooks left out, with why. Raises what would stop the run (``segkit check`` calls it)."""
    return _planned(params, _discovered(params, only, notebooks_dir), only)[1:]


def _planned(params: Params, notebooks: list[Notebook], only: Sequence[str] | None, *, keep: bool = False
             ) -> tuple[Params, dict[str, Any], list[Notebook], dict[str, str]]:
    """The params the run uses (in the currency of the amounts when they name none: :func:`adopt_currency`; without the
    optional columns they name by default only and the input lacks: the kind's ``unmapped``), the input check, the
    notebooks and those left out (:func:`plan`). With ``keep``, the check's work for ``01_eda`` (``checked``,
    :mod:`segkit.stages.handover`), unless adopting a currency changed the params it was done with."""
    columns = input_columns(params)  # read once: the unmapped optional columns, then the check
    params, unmapped = kinds.get(params.data_kind).unmapped(params, columns)
    info = preflight(params, needs={nb.needs for nb in notebooks if nb.needs},
                     segments=any(nb.segments for nb in notebooks), columns=columns, keep=keep)
    checked_with = params
    params, info = adopt_currency(params, info)
    if params != checked_with:
        info.pop("checked", None)
    info["notes"] = [*unmapped, *([info["currency_note"]] if info.get("currency_note") else [])]
    notebooks = _as_run(notebooks, info["engine"])
    return (params, info, *_leave_out(notebooks, info["cannot_run"], only))


def _leave_out(notebooks: list[Notebook], cannot: dict[str, SegkitError], only: Sequence[str] | None
               ) -> tuple[list[Notebook], dict[str, str]]:
    """The notebooks without those whose capability cannot run on this input (``cannot``: capability -> the error
    it would stop on, from :func:`~segkit.preflight.preflight`), and why each was left out. A notebook that
    ``--only`` names is not left out: its error stops the run before any notebook starts."""
    out = {nb.name: cannot[nb.needs] for nb in notebooks if nb.needs in cannot}
    if only and out:
        raise next(iter(out.values()))
    kept = [replace(nb, after=[a for a in nb.after if a not in out],
                    engine_after=[a for a in nb.engine_after if a not in out])
            for nb in notebooks if nb.name not in out]
    return kept, {name: exc.message for name, exc in out.items()}


def run_notebooks(params: Params, files: list[Path], notebooks: list[Notebook], *, out_dir: Path, force: bool,
                  progress: Callable[[str], None], started_at: datetime, source: str, only: Sequence[str] | None = None,
                  jobs: int = 2, index: Callable[..., Path] = write_index,
                  forks: ForkServer | None = None, left_out: dict[str, str] | None = None,
                  reads: dict[str, set[str]] | None = None, present: Collection[str] | None = None,
                  withheld: Collection[str] = (), checked: Checked | None = None) -> RunResult:
    """Execute validated ``notebooks`` into the run ``params.run_name`` under ``out_dir`` and finish it.

    The part of :func:`run` after validation, shared with ``segkit compare``
    (:func:`segkit.report.compare.compare`): the hidden partial folder, the batch, the manifest, the
    appendix of every report, the run's page (``index``, called as :func:`~.index.write_index` is) and the
    move into place (or ``<run>.failed``). ``source`` is what the run read, for the reports' header line;
    ``left_out`` the notebooks left out of the batch and why, for the manifest and the run's page; ``reads`` the
    notebooks each one reads the results of (:func:`_upstream`), to say which pages ``--only`` left out of step,
    ``present`` the notebooks in the notebooks' folder, to say which kept pages' notebooks are gone, and ``withheld``
    the capabilities of the notebooks left out, whose sections the other pages leave out too (05's churn risk when
    no customer churned); ``checked`` the input check's work, which becomes ``01_eda``'s artifacts when 01 runs
    (:func:`~segkit.stages.handover.hand_over`): the notebooks that need the cleaned table start at once.
    """
    with fork_server(forks) as forks:  # segkit compare, or a caller that started none
        final, tmp = prepare_folder(out_dir, params.run_name, force=force, only=only, say=progress)
        # the earlier run's pages that --only does not make again stay, and the index still links them
        kept = kept_pages(tmp, run=[nb.name for nb in notebooks], earlier=earlier_manifest(final) if only else None,
                          reads=reads, present=present)
        batch = Batch(params, tmp, notebooks, jobs=jobs, progress=progress, final=final, forks=forks,
                      meta_line=f"Run {params.run_name} · {started_at:%d %B %Y} · {source}", withheld=withheld)
        try:
            write_json(tmp / "params.json", stored_params(params))
            names = {nb.name for nb in notebooks}
            if checked is not None and WRITER in names \
                    and hand_over(RunContext(params, RunFolder(tmp)), checked, features="02_features" in names):
                batch.ready.add(WRITER)  # its artifacts are written: the notebooks that read them start at once
        except OSError as exc:
            _failed_writing(batch, exc, tmp)
        checked = None  # the input's tables, no longer needed here while the notebooks run
        if batch.ok:
            with kernel_environment(params):
                batch.run()
        _complete(batch, tmp, params=params, files=files, notebooks=[nb.name for nb in notebooks],
                  started_at=started_at, progress=progress, index=index, left_out=left_out or {}, kept=kept)
        return _finish(batch, tmp, final, force=force, progress=progress)


def _failed_writing(batch: Batch, exc: OSError, tmp: Path) -> None:
    """Record a disk error (full, read-only) as the run's failure, a segkit error about ``--out``."""
    if isinstance(exc, SegkitError):
        raise exc
    reason = exc.strerror or type(exc).__name__
    if batch.ok:
        batch.error = write_problem(exc, tmp, "writing the run folder").message
    elif reason not in (batch.error or ""):
        batch.error = f"{batch.error} (then the run folder could not be finished either: {reason})"
    batch.failed = batch.failed or "(writing the run folder)"
    batch.user_error = True


def _complete(batch: Batch, tmp: Path, *, params, files, notebooks: list[str], started_at: datetime,
              progress: Callable[[str], None], index: Callable[..., Path] = write_index,
              left_out: dict[str, str] | None = None, kept: dict[str, dict[str, Any]] | None = None) -> None:
    """After the notebooks: the input check, manifest, appendix of every report and index page.

    ``kept`` are the pages of an earlier run that ``--only`` did not make again (:func:`~.lifecycle.kept_pages`):
    they stay, in the manifest and linked from the index, which says when they were made and which read results made
    again since.

    A full or read-only disk, or Ctrl-C/SIGTERM arriving now, fails the run (kept as ``<run>.failed``)
    instead of leaving a hidden partial folder.
    """
    try:
        withdraw(RunFolder(tmp))  # 01 run again later does its own work
        _check_input_unchanged(tmp, batch)
        manifest = write_manifest(tmp, params=params, files=files, timings=batch.timings, started_at=started_at,
                                  finished_at=datetime.now(timezone.utc),
                                  status="ok" if batch.ok else _failure(batch), error=batch.error,
                                  left_out=left_out, kept=kept)
        # Privacy check of the business copies, "Appendix: run details" in every report, size budget, index.
        finalise_reports(tmp, params=params, manifest=manifest, notebooks=notebooks, say=progress)
        index(tmp, params=params, manifest=manifest, notebooks=sorted({*notebooks, *manifest["kept"]}))
    except OSError as exc:
        _failed_writing(batch, exc, tmp)
        _mark_failed(tmp, batch)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM through the CLI, after the last notebook
        batch.interrupted = exc
        batch.failed = batch.failed or "(finishing the reports)"
        batch.error = batch.error or "the run was interrupted while its reports were being finished"
        progress("interrupted while finishing the reports")
        _mark_failed(tmp, batch)


def _failure(batch: Batch) -> str:
    """The manifest's status of a run that did not complete: ``interrupted in 05_profile`` (Ctrl-C, SIGTERM) or
    ``failed in 05_profile``."""
    return f"{'interrupted' if batch.interrupted is not None else 'failed'} in {batch.failed}"


def _mark_failed(tmp: Path, batch: Batch) -> None:
    """Put the failure into a manifest written before it happened (if the disk lets us)."""
    path = tmp / "manifest.json"
    try:
        if path.is_file():
            write_json(path, read_json(path) | {"status": _failure(batch), "error": batch.error})
    except (OSError, ValueError):
        pass  # a full disk: the run's message says what happened


def _check_input_unchanged(tmp: Path, batch: Batch) -> None:
    """Fail the run when its input file changed after ``01_eda`` read it (the hash then is in input.json)."""
    record = tmp / "artifacts" / "input.json"
    if not batch.ok or not record.is_file():
        return
    read = read_json(record)
    where, then = read.get("path"), read.get("file_hash")
    if not where or not then:
        return  # SQL and generated inputs: nothing on disk to check
    try:
        now = "sha256:" + hash_path(where)
    except OSError:
        now = None
    if now != then:
        what = "was removed or became unreadable" if now is None else "changed"
        batch.failed = "(input check)"
        batch.error = RunError(f"input file {where} {what} during the run: it had hash {then[:19]}... when it was "
                               f"read, {'and has ' + now[:19] + '... now' if now else 'and cannot be hashed now'}; "
                               "the outputs describe content the file no longer has",
                               "run again once the file no longer changes (copy it first if another program "
                               "writes it)", path=where).message
        batch.user_error = True


def _finish(batch: Batch, tmp: Path, final: Path, *, force: bool, progress: Callable[[str], None]) -> RunResult:
    """Move a complete run into place, or keep a failed one as ``<run>.failed``."""
    if batch.ok:
        try:
            move_into_place(tmp, final, force=force)
        except RunError as exc:
            batch.failed, batch.error = "(finish)", exc.message
        except OSError as exc:
            _failed_writing(batch, exc, tmp)
        else:
            drop_old_failed(final, progress)
            refresh_runs_index(final.parent, progress)
            progress(f"run complete: {final / 'index.html'}")
            return RunResult(folder=final, ok=True, timings=batch.timings)
    try:
        failed_dir = keep_failed(tmp, final)
    except OSError as exc:
        raise RunError(f"the run failed ({batch.error}), and its partial outputs could not be moved to "
                       f"{final.name}.failed ({exc.strerror or type(exc).__name__}): they are in {tmp}",
                       "free space or make --out writable, then run again (the next run removes the partial folder)",
                       path=tmp) from None
    _record_failed_path(failed_dir, tmp, final)
    refresh_runs_index(final.parent, progress)
    ended = "INTERRUPTED" if batch.interrupted is not None else "FAILED"
    progress(f"run {ended} in {batch.failed}; partial outputs kept in {failed_dir}")
    if batch.interrupted is not None:
        raise batch.interrupted
    return RunResult(folder=failed_dir, ok=False, timings=batch.timings, failed=batch.failed, error=batch.error,
                     user_error=batch.user_error)


def _record_failed_path(failed_dir: Path, tmp: Path, final: Path) -> None:
    """The executed notebooks of a failed run record where they are, ``<run>.failed``: not the run folder they
    would have had (nor the partial folder, for a notebook stopped mid-way). Best effort: a notebook that cannot
    be rewritten keeps the path it had."""
    if failed_dir == tmp:
        return
    for executed in failed_dir.glob("*.ipynb"):
        for old in (final, tmp):
            with contextlib.suppress(OSError, ValueError):
                record_final_path(executed, old, failed_dir)


def main_progress(text: str) -> None:  # pragma: no cover - terminal output
    print(text, file=sys.stderr, flush=True)
