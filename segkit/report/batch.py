"""Executing a batch: notebooks run with papermill as their inputs become ready, each rendered to HTML
as soon as it finishes.

Notebooks whose inputs are ready run side by side (one BLAS/OpenMP thread per kernel, so two kernels on
two cores do not fight). A notebook's failure stops new ones from starting; Ctrl-C (or SIGTERM through
the CLI) stops the batch and keeps what is there.

Notebooks run in the hidden partial folder but record the run's final path: papermill writes the
``run_dir`` it was given into the injected parameters cell and the notebook's metadata, and
:func:`record_final_path` rewrites both (and gives the injected cell a fixed id instead of a random one)
before the notebook is rendered, so that an executed notebook points at the folder it ends up in.

Progress inside long steps (``03_select_k: k 6 of 10``): every kernel gets :data:`segkit.progress.FILE_VAR`
(one ``.progress.jsonl`` in the partial folder, removed at the end) and its notebook's name in its own
environment; while waiting, the batch prints the new lines of notebooks that have run more than
:data:`PROGRESS_AFTER_S` seconds (:func:`show_progress`).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

from .. import kinds
from ..config import SECRET_KEYS, Params, resolve_env
from ..errors import RunError, SegkitError
from ..progress import FILE_VAR, NOTEBOOK_VAR
from .lifecycle import write_problem
from .forkserver import ONE_THREAD, ForkServer
from .kernels import KernelPool, execute as execute_in
from .notebook import Notebook, _kernel_params, applicable_cells, cell_after, cell_ready, notebook_parameters
from .render import page_entity, render_notebook

__all__ = ["Batch", "kernel_environment", "record_final_path", "show_progress"]

PROGRESS_AFTER_S = 10.0  #: a notebook's progress is printed once it has run this long
PROGRESS_FILE = ".progress.jsonl"  #: in the partial folder while the batch runs
_POLL_S = 2.0


def record_final_path(executed: Path, tmp: Path, final: Path) -> None:
    """Replace the partial folder ``tmp`` by ``final`` in the run path papermill recorded in ``executed``.

    Only the injected parameters cell and ``metadata.papermill`` are changed; the injected cell also gets
    the id ``injected-parameters`` (papermill gives it a random one, which would differ between runs).
    """
    if not executed.is_file():
        return
    nb = nbformat.read(str(executed), as_version=4)
    old, new = str(tmp), str(final)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(old, new)
            cell["id"] = "injected-parameters"
    meta = nb.metadata.get("papermill", {})
    if meta.get("parameters", {}).get("run_dir") == old:
        meta["parameters"]["run_dir"] = new
    if isinstance(meta.get("output_path"), str) and meta["output_path"].startswith(old):
        meta["output_path"] = new + meta["output_path"][len(old):]
    nbformat.write(nb, str(executed))


def show_progress(path: Path, offset: int, say: Callable[[str], None], started: dict[str, float],
                  now: float | None = None) -> int:
    """Print ``"{notebook}: {text}"`` for every complete line after byte ``offset`` of the progress file
    ``path`` (a kernel writes at most one a second), when the notebook has been running (``started``: its
    ``time.monotonic()`` at the start) more than :data:`PROGRESS_AFTER_S` seconds.

    Returns the offset to read from next time (a line still being written is left for then). A missing
    file or a line that is not progress JSON is skipped.
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return offset
    end = data.rfind(b"\n") + 1
    now = time.monotonic() if now is None else now
    for raw in data[:end].splitlines():
        try:
            entry = json.loads(raw)
            name, text = str(entry["notebook"]), str(entry["text"])
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if name in started and now - started[name] > PROGRESS_AFTER_S:
            say(f"{name}: {text}")
    return offset + end


class _Stopped(Exception):
    """A notebook stopped at a cell that waited for a notebook that failed, or for a batch that was interrupted."""


def _dependents(notebooks: list[Notebook]) -> dict[str, int]:
    """How many notebooks of the batch wait, directly or not, for each one (by ``after`` or ``cells_after``)."""
    waits = {nb.name: set(nb.after) | set(nb.cells_after) for nb in notebooks}

    def below(name: str, seen: set[str]) -> set[str]:
        for other, wanted in waits.items():
            if name in wanted and other not in seen:
                seen.add(other)
                below(other, seen)
        return seen

    return {name: len(below(name, set())) for name in waits}


class _NotebookFailed(RunError):
    """A notebook raised; ``user_error`` when it was a segkit error (bad data or params), not a bug."""

    def __init__(self, problem: str, fix: str | None = None, *, user_error: bool = False, **where):
        super().__init__(problem, fix, **where)
        self.user_error = user_error


#: A kernel's error that says the disk is full or read-only (errno 28 ENOSPC, 30 EROFS, 122 EDQUOT).
_DISK_FULL = re.compile(r"\[Errno (28|30|122)\]|No space left on device|Read-only file system|Disk quota exceeded")


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


@contextmanager
def kernel_environment(params: Params) -> Iterator[None]:
    """One BLAS/OpenMP thread per kernel, and the secrets as environment variables, for the batch only."""
    names = (*ONE_THREAD, *(f"SEGKIT_{k.upper()}" for k in SECRET_KEYS))
    backup = {k: os.environ.get(k) for k in names}
    os.environ.update(ONE_THREAD)
    for key in SECRET_KEYS:
        if getattr(params, key):
            os.environ[f"SEGKIT_{key.upper()}"] = resolve_env(getattr(params, key))
    try:
        yield
    finally:
        for var, value in backup.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


class Batch:
    """The notebooks of one run, executed into ``tmp`` in dependency order, ``jobs`` at a time.

    Their kernels are forked from ``forks`` (a :class:`~.forkserver.ForkServer` the caller started and stops),
    or start on their own without one. The cells of the capabilities ``withheld`` (tagged ``needs:churn`` when the
    check left ``08_churn`` out) are left out of every page, as for a kind without them. After :meth:`run`,
    ``timings`` holds the seconds per notebook, and ``failed``/``error`` name the notebook that failed and why
    (``user_error`` when it was a segkit error about the data or params).
    """

    def __init__(self, params: Params, tmp: Path, notebooks: list[Notebook], *, jobs: int,
                 progress: Callable[[str], None], meta_line: str, final: Path | None = None,
                 forks: ForkServer | None = None, withheld: Collection[str] = ()):
        self.params, self.tmp, self.notebooks, self.jobs = params, tmp, notebooks, max(1, jobs)
        self.final = final if final is not None else tmp
        self.progress, self.meta_line = progress, meta_line
        self.declared = {nb.name: notebook_parameters(nb.path) for nb in notebooks}
        self.offered = tuple(sorted(set(kinds.get(params.data_kind).extra_stages) - set(withheld)))
        self.timings: dict[str, dict[str, float]] = {}
        self.failed: str | None = None
        self.error: str | None = None
        self.user_error = False
        self.interrupted: BaseException | None = None
        self.pool = KernelPool(server=forks)
        self.k_said = False
        self.done: set[str] = set()
        self.ready: set[str] = set()  # artifacts complete: done, past the ready cell, or written before the batch
        self._rank = _dependents(notebooks)
        self._cond = threading.Condition()  # guards done, ready, _waiting, _stopping and _wake between the threads
        self._waiting: set[str] = set()  # notebooks whose next cell waits for others: their place is free
        self._waited: dict[str, float] = {}  # seconds each notebook has waited in its cells
        self._stopping = False
        self._wake: Future = Future()  # set when a notebook starts to wait, so that the loop fills its place

    @property
    def ok(self) -> bool:
        return self.failed is None

    def _env(self, nb: Notebook) -> dict[str, str]:
        return {FILE_VAR: str(self.tmp / PROGRESS_FILE), NOTEBOOK_VAR: nb.name}

    def prestart(self, nb: Notebook) -> None:
        """Start ``nb``'s kernel now, so that it has loaded segkit when the notebook's turn comes."""
        self.pool.start(nb.name, self._env(nb), nb.path.parent)

    def execute(self, nb: Notebook, km=None) -> str:
        """Execute one notebook (in the started kernel ``km``, or a new one); raise if it failed.

        Rendering is separate (:meth:`render`), so that the notebooks after this one can start at once.
        """
        out_ipynb = self.tmp / f"{nb.name}.ipynb"
        km = km if km is not None else self.pool.take(nb.name, self._env(nb), nb.path.parent)
        t0 = time.perf_counter()
        exec_error = None
        try:
            execute_in(applicable_cells(nb.path, self.offered), out_ipynb, km=km, cwd=str(nb.path.parent),
                       parameters=_kernel_params(self.params, self.declared[nb.name], self.tmp), gate=self._gate(nb),
                       passed=self._passed(nb))
        except _Stopped:
            out_ipynb.unlink(missing_ok=True)  # half a notebook: not rendered, not kept
            raise
        except Exception as exc:
            import papermill as pm

            if not isinstance(exc, pm.PapermillExecutionError):
                raise
            exec_error = exc
        record_final_path(out_ipynb, self.tmp, self.final)
        with self._cond:
            waited = self._waited.get(nb.name, 0.0)
        self.timings[nb.name] = {"execute_s": round(time.perf_counter() - t0, 2), "waited_s": round(waited, 2)}
        if exec_error is not None:
            text = _error_of(out_ipynb)
            if _DISK_FULL.search(text):
                raise _NotebookFailed(f"notebook {nb.name} could not write its outputs: {text}",
                                      "free space on the disk of --out (or choose another --out), or make it "
                                      "writable", user_error=True)
            raise _NotebookFailed(f"notebook {nb.name} failed: {text}", user_error=text.startswith("segkit "))
        return nb.name

    def _gate(self, nb: Notebook) -> Callable[[Any], None]:
        """What runs before each cell of ``nb``: wait until the notebooks of this batch that the cell waits for
        (:func:`cell_after`) have their artifacts ready, with ``nb``'s place given to another notebook meanwhile;
        raise :class:`_Stopped` if one of them failed or the batch was interrupted."""
        present = {other.name for other in self.notebooks}

        def gate(cell: Any) -> None:
            wanted = {name for name in cell_after(cell) if name in present}
            with self._cond:
                if wanted <= self.ready:
                    return
                self._waiting.add(nb.name)
                self._wake_loop()
                self.progress(f"{nb.name} waits for {', '.join(sorted(wanted - self.ready))}")
                t0 = time.perf_counter()
                while not wanted <= self.ready and not self._stopping:
                    self._cond.wait()
                self._waiting.discard(nb.name)
                self._waited[nb.name] = self._waited.get(nb.name, 0.0) + time.perf_counter() - t0
                missing = sorted(wanted - self.ready)
                if missing:
                    raise _Stopped(f"{nb.name} stopped before a cell that needs {', '.join(missing)}")

        return gate

    def _passed(self, nb: Notebook) -> Callable[[Any], None]:
        """What runs after each cell of ``nb``: once its ready cell (:func:`cell_ready`) has run, the notebooks that
        wait for it may start (and ``nb``, drawing its page, no longer holds a place)."""
        def passed(cell: Any) -> None:
            if nb.overlap and cell_ready(cell):
                self._mark_ready(nb.name)
        return passed

    def _mark_ready(self, name: str) -> None:
        with self._cond:
            self.ready.add(name)
            self._cond.notify_all()
            self._wake_loop()

    def _wake_loop(self) -> None:  # with _cond held: run's loop wakes and fills the places
        if not self._wake.done():
            self._wake.set_result(None)

    def _release(self) -> None:
        """Stop the notebooks that wait for others (a notebook failed, or the batch is ending)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def _startable(self, pending: list[Notebook], ready: set[str]) -> list[Notebook]:
        """The pending notebooks whose inputs are ready, those that more notebooks wait for first."""
        return sorted((nb for nb in pending if set(nb.after) <= ready), key=lambda nb: -self._rank.get(nb.name, 0))

    def render(self, nb: Notebook) -> None:
        """Render the executed notebook's business and analyst copies (also a failed one, up to its error)."""
        out_ipynb = self.tmp / f"{nb.name}.ipynb"
        if not out_ipynb.is_file():
            return
        t0 = time.perf_counter()
        read = nbformat.read(str(out_ipynb), as_version=4)  # once for both copies; each copy is made from it
        for business, suffix, kicker in ((True, ".html", "Segmentation report"), (False, ".analyst.html", "Analyst copy")):
            render_notebook(out_ipynb, self.tmp / f"{nb.name}{suffix}", business=business, read=read,
                            kicker=f"{kicker} · {nb.name}", meta=self.meta_line, entity=page_entity(self.params))
        self.timings.setdefault(nb.name, {})["render_s"] = round(time.perf_counter() - t0, 2)

    def _prestart_next(self, pending: list[Notebook], running: Iterable[Notebook]) -> None:
        """Start the kernels of the notebooks that can run once the running ones are done (``jobs`` at most)."""
        with self._cond:
            soon = self.ready | {nb.name for nb in running}
        for nb in [nb for nb in self._startable(pending, soon) if nb.name not in self.pool][: self.jobs]:
            if len(self.pool) >= self.jobs:
                break
            self.prestart(nb)

    def run(self) -> None:
        """Run every notebook whose inputs are ready, until all are done or one fails.

        A notebook's dependents start as soon as it has executed; its HTML is rendered meanwhile on a thread of its
        own. The kernels of the notebooks that come next are started ahead (:class:`KernelPool`). A notebook whose
        cell waits for others (:meth:`_gate`) gives its place to the next one meanwhile, and so does a notebook past
        its ready cell (:meth:`_passed`), whose dependents start then."""
        pending = list(self.notebooks)
        running: dict[Future, Notebook] = {}
        # a thread per notebook at most: one that waits in a cell keeps its thread while another runs
        pool, renderer = ThreadPoolExecutor(max_workers=max(1, len(self.notebooks))), ThreadPoolExecutor(max_workers=1)
        renders: dict[Future, Notebook] = {}
        feed, offset, started = self.tmp / PROGRESS_FILE, 0, {}
        feed.unlink(missing_ok=True)
        try:
            while pending or running:
                if self.failed is None:
                    with self._cond:  # the notebooks' threads change both
                        ready, idle = set(self.ready), self._waiting | self.ready
                    busy = sum(nb.name not in idle for nb in running.values())
                    for nb in self._startable(pending, ready)[: max(0, self.jobs - busy)]:
                        pending.remove(nb)
                        self.progress(f"{nb.name} started")
                        km = self.pool.take(nb.name, self._env(nb), nb.path.parent)
                        running[pool.submit(self.execute, nb, km)] = nb
                        started[nb.name] = time.monotonic()
                    self._prestart_next(pending, running.values())
                if not running:
                    break
                finished, _ = wait([*running, self._wake], timeout=_POLL_S, return_when=FIRST_COMPLETED)
                offset = show_progress(feed, offset, self.progress, {n.name: started[n.name] for n in running.values()})
                with self._cond:
                    if self._wake.done():
                        self._wake = Future()
                for fut in [f for f in finished if f in running]:
                    nb = running.pop(fut)
                    renders[renderer.submit(self.render, nb)] = nb
                    self._collect(nb, fut)
                if self.failed is not None:
                    self._release()
            for fut in renders:
                self._collect_render(renders[fut], fut)
        except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or SIGTERM through the CLI: keep what is there
            self.interrupted = exc
            with self._cond:  # the notebooks' threads change both
                idle = self._waiting | self.ready
            current = next(iter([nb for nb in running.values() if nb.name not in idle] or running.values()), None)
            self.failed = self.failed or (current.name if current is not None else "(between notebooks)")
            self.error = f"the run was interrupted during {self.failed}"
            self.progress(f"interrupted during {self.failed}")
        finally:
            self._release()
            pool.shutdown(wait=self.interrupted is None, cancel_futures=True)
            renderer.shutdown(wait=self.interrupted is None, cancel_futures=True)
            self.pool.close()
            feed.unlink(missing_ok=True)

    def _collect(self, nb: Notebook, fut: Future) -> None:
        try:
            fut.result()
        except _Stopped as exc:  # another notebook failed first: that is the run's error
            self.progress(str(exc))
        except SegkitError as exc:
            self._fail(nb, exc.message, getattr(exc, "user_error", True))
        except OSError as exc:  # the executed notebook or its HTML could not be written: a full or read-only disk
            self._fail(nb, write_problem(exc, self.tmp, f"writing the outputs of {nb.name}").message, True)
        except Exception as exc:  # papermill/kernel trouble: still report it plainly
            self._fail(nb, f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}", False)
        else:
            with self._cond:
                self.done.add(nb.name)
            self._mark_ready(nb.name)
            run, waited = self.timings[nb.name]["execute_s"], self.timings[nb.name]["waited_s"]
            waits = f", {waited:.1f}s of it waiting" if waited >= .05 else ""
            self.progress(f"{nb.name} done (run {run:.1f}s{waits})")
            self._say_k()

    def _say_k(self) -> None:
        """Once the number of segments is known, say it on the console with its reason (a cap, a business range,
        the kind's own rule), as 03 and the index do."""
        path = self.tmp / "artifacts" / "k_summary.json"
        if self.k_said or not path.is_file():
            return
        self.k_said = True
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            k, why = int(summary["chosen_k"]), str(summary["rationale"])
            self.progress(why if why.startswith((f"k={k} ", f"{k} segments")) else f"{k} segments: {why}")
        except (OSError, ValueError, KeyError, TypeError):
            return

    def _collect_render(self, nb: Notebook, fut: Future) -> None:
        """A rendering's failure (a full or read-only disk, a bug) fails the run unless it failed already."""
        try:
            fut.result()
        except OSError as exc:
            if self.failed is None:
                self._fail(nb, write_problem(exc, self.tmp, f"writing the outputs of {nb.name}").message, True)
        except Exception as exc:
            if self.failed is None:
                self._fail(nb, f"notebook {nb.name} could not be rendered: {type(exc).__name__}: {exc}", False)

    def _fail(self, nb: Notebook, error: str, user_error: bool) -> None:
        self.failed, self.error, self.user_error = nb.name, error, user_error
        self.progress(f"{nb.name} FAILED")
