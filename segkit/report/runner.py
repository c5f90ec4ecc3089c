"""The batch: params in, a complete run folder out.

``run`` validates everything first, then executes the notebooks with papermill into a temporary folder
next to the final one, rendering each to HTML as soon as it finishes. Notebooks whose inputs are ready
run side by side (one BLAS/OpenMP thread per kernel, so two kernels on two cores do not fight). Only a
complete run is moved into place; a failed one is kept, rendered up to the error, in ``<run>.failed``.

Nothing is lost and nothing half-done looks finished:

- an existing run folder is replaced only with ``force``, and then only once the new run is complete;
- the run is written in ``.<run>.partial-<pid>``; a run that is killed leaves only that folder, which the
  next run of the same name removes (its process is gone); a live one makes the next run refuse to start;
- Ctrl-C (or SIGTERM through the CLI) keeps the outputs so far in ``<run>.failed``;
- kernels watch the batch process and exit when it dies (ipykernel's parent poller);
- a successful run removes the ``<run>.failed`` folder left by an earlier failed run of the same name
  (and says so), since it no longer describes the run in place.

Nothing outside the reports folder is touched: the run name is one plain folder name (checked with the
params), every run-level path is checked by :func:`~segkit.report.runfolder_safety.inside` before it is
written, renamed or deleted, and ``--force`` replaces only a folder segkit made (see
:mod:`segkit.report.runfolder_safety`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat

from .. import kinds
from ..config import SECRET_KEYS, Params, check_run_name, load_params
from ..errors import RunError, SegkitError, truncate
from ..io import write_json
from .appendix import finalise_reports
from .render import render_notebook
from .runfolder_safety import MARKER as _MARKER
from .runfolder_safety import inside, is_segkit_folder, leftovers, refuse_foreign

__all__ = ["Notebook", "RunResult", "discover_notebooks", "run", "default_notebooks_dir", "notebook_parameters"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


@dataclass
class Notebook:
    """One report notebook and where it sits in the run order."""

    path: Path
    after: list[str]
    needs: str | None = None

    @property
    def name(self) -> str:
        return self.path.stem


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


def notebook_parameters(path: Path) -> list[str]:
    """Names declared in a notebook's ``parameters`` cell."""
    import papermill as pm

    return list(pm.inspect_notebook(str(path)))


def discover_notebooks(directory: Path, data_kind: str) -> list[Notebook]:
    """The report notebooks that apply to ``data_kind``, in run order.

    A notebook's metadata may say ``{"segkit": {"after": [...], "needs": "churn"}}``: it runs only for
    data kinds with that capability (``EXTRA_STAGES`` of the kind). By default a notebook runs after the
    one before it, for every data kind.
    """
    offered = set(kinds.get(data_kind).extra_stages)
    paths = sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise RunError(f"no report notebooks (NN_name.ipynb) in {directory}", "run segkit from the project folder "
                       "or pass --notebooks", path=directory)
    out: list[Notebook] = []
    for i, path in enumerate(paths):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("segkit", {})
        needs = meta.get("needs")
        if needs is not None and needs not in offered:
            continue
        after = meta.get("after", [out[-1].name] if out else [])
        out.append(Notebook(path=path, after=list(after), needs=needs))
    names = {nb.name for nb in out}
    for nb in out:
        nb.after = [a for a in nb.after if a in names]
    return out


def applicable_cells(path: Path, offered: Iterable[str]) -> nbformat.NotebookNode:
    """The notebook without the cells tagged ``needs:<capability>`` for a capability the kind lacks.

    A section that does not apply to a data kind (principal components, category shares, churn) is
    left out of that kind's reports instead of showing "not applicable".
    """
    book = nbformat.read(str(path), as_version=4)
    offered = set(offered)
    book.cells = [c for c in book.cells if all(t.split(":", 1)[1] in offered for t in c.get("metadata", {}).get("tags", [])
                                               if t.startswith("needs:"))]
    return book


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
    for nb in chosen:
        nb.after = [a for a in nb.after if a in names]
    return [nb for nb in notebooks if nb in chosen]


def _kernel_params(params: Params, declared: Iterable[str], run_dir: Path) -> dict[str, Any]:
    values = params.model_dump()
    out: dict[str, Any] = {"run_dir": str(run_dir)}
    for key in declared:
        if key in values:
            out[key] = f"${{SEGKIT_{key.upper()}}}" if key in SECRET_KEYS and values[key] else values[key]
    return out


class _NotebookFailed(RunError):
    """A notebook raised; ``user_error`` when it was a segkit error (bad data or params), not a bug."""

    def __init__(self, problem: str, fix: str | None = None, *, user_error: bool = False, **where):
        super().__init__(problem, fix, **where)
        self.user_error = user_error


def _error_of(executed: Path) -> str:
    """The message of the first error output in an executed notebook.

    A segkit error is shown in the notebook as one line, ``segkit <kind> error: <message>`` (see
    :mod:`segkit.notebook`); that line is returned as it is, so the CLI prints the same text.
    """
    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:  # the notebook may not have been written at all
        return "the notebook could not be executed"
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                if out.get("traceback") and out["traceback"][0].startswith("segkit "):
                    return out["traceback"][0]
                return f"{out.get('ename')}: {out.get('evalue')}"
    return "the notebook failed"


class _Progress:
    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.t0 = time.perf_counter()

    def __call__(self, text: str) -> None:
        self.say(f"[{time.perf_counter() - self.t0:6.1f}s] {text}")


def _proc_start(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux ``/proc``), to tell a live run from a reused pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owner_alive(folder: Path) -> bool:
    """Whether the process that created a partial run folder is still running."""
    try:
        pid = int(folder.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False  # this process runs one batch at a time: a folder of ours is left from an earlier run
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        started = json.loads((folder / _MARKER).read_text(encoding="utf-8")).get("start")
    except (OSError, ValueError, AttributeError):
        started = None
    now = _proc_start(pid)
    return started is None or now is None or started == now


def _sweep_stale(out_dir: Path, name: str, say: Callable[[str], None]) -> None:
    """Deal with what killed runs of ``name`` left behind, and refuse to race a live one.

    ``.<name>.partial-<pid>`` folders of dead processes are removed (they never looked complete). A
    ``.<name>.old-<pid>`` folder is a complete earlier run set aside during the final swap: it is put
    back when the swap did not finish, else removed.
    """
    final = inside(out_dir, out_dir / name)
    for folder in leftovers(out_dir, name, "old"):
        folder = inside(out_dir, folder)
        if _owner_alive(folder):
            continue
        if not final.exists():
            folder.rename(final)
            say(f"restored {final.name} from {folder.name}, left by an interrupted run")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for folder in leftovers(out_dir, name, "partial"):
        folder = inside(out_dir, folder)
        if _owner_alive(folder):
            pid = folder.name.rsplit("-", 1)[1]
            raise RunError(f"another segkit run (process {pid}) is writing the run {name!r} into {out_dir}",
                           "wait for it to finish, or pass --name to write a separate run", path=folder)
        shutil.rmtree(folder, ignore_errors=True)
        say(f"removed {folder.name}, left by a run that was killed")


def _prepare_folder(out_dir: Path, name: str, *, force: bool, only: Sequence[str] | None,
                    say: Callable[[str], None] = lambda text: None) -> tuple[Path, Path]:
    final = inside(out_dir, out_dir / name)
    out_dir.mkdir(parents=True, exist_ok=True)
    _sweep_stale(out_dir, name, say)
    refuse_foreign(out_dir, name, force=force)
    if final.exists() and not force:
        raise RunError(f"run folder {final} already exists", "pass --force to replace it, or --name to write a new run",
                       path=final)
    tmp = inside(out_dir, out_dir / f".{name}.partial-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    if only and final.exists():
        shutil.copytree(final, tmp, ignore=shutil.ignore_patterns("index.html", "manifest.json"))
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "artifacts").mkdir(exist_ok=True)
    write_json(tmp / _MARKER, {"pid": os.getpid(), "start": _proc_start(os.getpid())})
    return final, tmp


def _move_into_place(tmp: Path, final: Path, *, force: bool = True) -> None:
    """Rename the complete run into place; an existing run is replaced only with ``force``, if segkit made it."""
    out_dir = final.parent
    tmp, final = inside(out_dir, tmp), inside(out_dir, final)
    (tmp / _MARKER).unlink(missing_ok=True)
    trash = None
    if final.exists():
        if not force:  # another run finished first under the same name
            raise RunError(f"run folder {final} appeared while this run was going",
                           "pass --force to replace it, or --name to write a new run", path=final)
        if not is_segkit_folder(final):
            raise RunError(f"{final} was not made by segkit (it has no segkit manifest.json), so --force will not "
                           "replace it", "move it out of the way, or choose another --name", path=final)
        trash = inside(out_dir, final.with_name(f".{final.name}.old-{os.getpid()}"))
        final.rename(trash)
    tmp.rename(final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def _keep_failed(tmp: Path, final: Path) -> Path:
    """Move a failed run's partial outputs to ``<run>.failed`` (replacing an older failed run).

    Should a folder segkit did not make have appeared there meanwhile, it is left alone and the outputs
    stay in the partial folder, whose path is returned.
    """
    out_dir = final.parent
    tmp = inside(out_dir, tmp)
    failed_dir = inside(out_dir, final.with_name(final.name + ".failed"))
    if failed_dir.exists():
        if not is_segkit_folder(failed_dir):
            return tmp
        shutil.rmtree(failed_dir)
    (tmp / _MARKER).unlink(missing_ok=True)
    tmp.rename(failed_dir)
    return failed_dir


def _drop_old_failed(final: Path, say: Callable[[str], None]) -> None:
    """After a successful run, remove the ``<run>.failed`` of an earlier failed run of the same name."""
    failed_dir = inside(final.parent, final.with_name(final.name + ".failed"))
    if failed_dir.exists() and is_segkit_folder(failed_dir):
        shutil.rmtree(failed_dir, ignore_errors=True)
        say(f"removed {failed_dir.name}, left by an earlier failed run of {final.name}")


def run(params_files: str | Path | Sequence[str | Path], *, name: str | None = None, only: Sequence[str] | None = None,
        out_dir: str | Path = "reports", notebooks_dir: str | Path | None = None, force: bool = False,
        jobs: int = 2, say: Callable[[str], None] = print, overrides: dict[str, Any] | None = None) -> RunResult:
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

    Raises
    ------
    SegkitError
        For any params, data or run-folder problem, before any notebook starts.
    """
    from ..pipeline import preflight
    from .index import write_index, write_manifest

    started_at = datetime.now(timezone.utc)
    progress = _Progress(say)
    overrides = dict(overrides or {})
    if name is not None:
        overrides["run_name"] = check_run_name(name, source="--name")
    params, files = load_params(params_files, overrides)
    out_dir = Path(out_dir).resolve()
    refuse_foreign(out_dir, params.run_name, force=force)  # before any notebook or input is read
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = _select(discover_notebooks(notebooks_dir, params.data_kind), only)
    declared = {nb.name: notebook_parameters(nb.path) for nb in notebooks}
    preflight_info = preflight(params)
    progress(f"params ok: {params.data_kind} data, {len(notebooks)} notebooks, input {preflight_info['input']}")

    final, tmp = _prepare_folder(out_dir, params.run_name, force=force, only=only, say=progress)
    write_json(tmp / "params.json", {k: v for k, v in params.model_dump().items()
                                     if not (k in SECRET_KEYS and v)} | {
        k: f"${{SEGKIT_{k.upper()}}}" for k in SECRET_KEYS if getattr(params, k)})

    env_backup = {k: os.environ.get(k) for k in (*_THREAD_VARS, *(f"SEGKIT_{k.upper()}" for k in SECRET_KEYS))}
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    for key in SECRET_KEYS:
        if getattr(params, key):
            from ..config import resolve_env

            os.environ[f"SEGKIT_{key.upper()}"] = resolve_env(getattr(params, key))

    timings: dict[str, dict[str, float]] = {}
    failed: str | None = None
    error: str | None = None
    user_error = False
    interrupted: BaseException | None = None
    meta_line = f"Run {params.run_name} · {started_at:%d %B %Y} · {preflight_info['input']}"
    offered = kinds.get(params.data_kind).extra_stages

    def execute(nb: Notebook) -> str:
        import papermill as pm

        out_ipynb = tmp / f"{nb.name}.ipynb"
        t0 = time.perf_counter()
        exec_error = None
        try:
            pm.execute_notebook(applicable_cells(nb.path, offered), str(out_ipynb), parameters=_kernel_params(params, declared[nb.name], tmp),
                                kernel_name="python3", progress_bar=False, log_output=False,
                                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                                cwd=str(nb.path.parent))
        except pm.PapermillExecutionError as exc:
            exec_error = exc
        t1 = time.perf_counter()
        render_notebook(out_ipynb, tmp / f"{nb.name}.html", business=True, kicker=f"Segmentation report · {nb.name}",
                        meta=meta_line)
        render_notebook(out_ipynb, tmp / f"{nb.name}.analyst.html", business=False,
                        kicker=f"Analyst copy · {nb.name}", meta=meta_line)
        timings[nb.name] = {"execute_s": round(t1 - t0, 2), "render_s": round(time.perf_counter() - t1, 2)}
        if exec_error is not None:
            text = _error_of(out_ipynb)
            raise _NotebookFailed(f"notebook {nb.name} failed: {text}", user_error=text.startswith("segkit "))
        return nb.name

    done: set[str] = set()
    pending = list(notebooks)
    running: dict[Future, Notebook] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        while pending or running:
            if failed is None:
                for nb in [nb for nb in pending if set(nb.after) <= done][: max(1, jobs) - len(running)]:
                    pending.remove(nb)
                    progress(f"{nb.name} started")
                    running[pool.submit(execute, nb)] = nb
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                nb = running.pop(fut)
                try:
                    fut.result()
                    done.add(nb.name)
                    t = timings[nb.name]
                    progress(f"{nb.name} done (run {t['execute_s']:.1f}s, render {t['render_s']:.1f}s)")
                except SegkitError as exc:
                    failed, error = nb.name, exc.message
                    user_error = getattr(exc, "user_error", True)
                    progress(f"{nb.name} FAILED")
                except Exception as exc:  # papermill/kernel trouble: still report it plainly
                    failed, error = nb.name, f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}"
                    progress(f"{nb.name} FAILED")
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or SIGTERM through the CLI: keep what is there
        interrupted = exc
        current = next(iter(running.values()), None)
        failed = failed or (current.name if current is not None else "(between notebooks)")
        error = f"the run was interrupted during {failed}"
        progress(f"interrupted during {failed}")
    finally:
        pool.shutdown(wait=interrupted is None, cancel_futures=True)
        for var, value in env_backup.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value

    ok = failed is None
    finished_at = datetime.now(timezone.utc)
    manifest = write_manifest(tmp, params=params, files=files, timings=timings, started_at=started_at,
                              finished_at=finished_at, status="ok" if ok else f"failed in {failed}", error=error)
    # --- reports finalisation (issue 6 owns this block) ---
    # Privacy check of the business copies, "Appendix: run details" in every report, size budget, index page.
    finalise_reports(tmp, params=params, manifest=manifest, notebooks=[nb.name for nb in notebooks], say=progress)
    write_index(tmp, params=params, manifest=manifest, notebooks=[nb.name for nb in notebooks])
    # --- end of reports finalisation ---
    if ok:
        try:
            _move_into_place(tmp, final, force=force)
        except RunError as exc:
            failed, error = "(finish)", exc.message
        else:
            _drop_old_failed(final, progress)
            progress(f"run complete: {final / 'index.html'}")
            return RunResult(folder=final, ok=True, timings=timings)
    failed_dir = _keep_failed(tmp, final)
    progress(f"run FAILED in {failed}; partial outputs kept in {failed_dir}")
    if interrupted is not None:
        raise interrupted
    return RunResult(folder=failed_dir, ok=False, timings=timings, failed=failed, error=error, user_error=user_error)


def main_progress(text: str) -> None:  # pragma: no cover - terminal output
    print(text, file=sys.stderr, flush=True)
