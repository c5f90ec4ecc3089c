"""The life of a run folder: written hidden, moved into place when complete, kept as ``.failed`` when not.

- The run is written in ``.<run>.partial-<pid>``, with a marker naming its process; a killed run leaves
  only that folder, which the next run of the same name removes (its process is gone), and a live one
  makes the next run refuse to start.
- An existing run is replaced only with ``force``, and only if segkit made it; the swap goes through
  ``.<run>.old-<pid>``, which the next run puts back if the swap was interrupted.
- A failed run's outputs are kept in ``<run>.failed``; a later successful run removes it.
- A disk that is read-only or full is a :class:`~segkit.errors.RunError` (:func:`write_problem`), never a
  raw ``OSError``: a run folder that cannot be created is removed again, and a failed run's outputs that
  cannot even be moved to ``<run>.failed`` are named in the message.

Every path is checked by :func:`~segkit.report.runfolder_safety.inside` before it is written, renamed
or deleted.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from ..errors import RunError
from ..io import write_json
from ..io.processes import owner_alive, proc_start
from ..io.runfolder import NOTEBOOK_MARKER
from .runfolder_safety import MARKER, inside, is_segkit_folder, leftovers, refuse_foreign

__all__ = ["MARKER", "proc_start", "sweep_stale", "prepare_folder", "move_into_place", "keep_failed",
           "drop_old_failed", "drop_strays", "write_problem"]

_WRITE_FIXES = {errno.ENOSPC: "free space on that disk, or choose an --out on another one",
                errno.EDQUOT: "free space within your disk quota, or choose an --out on another disk",
                errno.EROFS: "choose an --out on a disk that is not read-only",
                errno.EACCES: "choose an --out you may write to", errno.EPERM: "choose an --out you may write to"}


def write_problem(exc: OSError, where: Path, doing: str) -> RunError:
    """A disk error while writing a run as a segkit error: what failed, the file, why, and what to do."""
    reason = exc.strerror or type(exc).__name__
    return RunError(f"{doing} failed: {reason} ({exc.filename or where})",
                    _WRITE_FIXES.get(exc.errno, "check --out: a folder you can write to, with free space"), path=where)


def sweep_stale(out_dir: Path, name: str, say: Callable[[str], None]) -> None:
    """Deal with what killed runs of ``name`` left behind, and refuse to race a live one.

    ``.<name>.partial-<pid>`` folders of dead processes are removed (they never looked complete). A
    ``.<name>.old-<pid>`` folder is a complete earlier run set aside during the final swap: it is put
    back when the swap did not finish, else removed.
    """
    final = inside(out_dir, out_dir / name)
    for folder in leftovers(out_dir, name, "old"):
        folder = inside(out_dir, folder)
        if owner_alive(folder):
            continue
        if not final.exists():
            folder.rename(final)
            say(f"restored {final.name} from {folder.name}, left by an interrupted run")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for folder in leftovers(out_dir, name, "partial"):
        folder = inside(out_dir, folder)
        if owner_alive(folder):
            pid = folder.name.rsplit("-", 1)[1]
            raise RunError(f"another segkit run (process {pid}) is writing the run {name!r} into {out_dir}",
                           "wait for it to finish, or pass --name to write a separate run", path=folder)
        shutil.rmtree(folder, ignore_errors=True)
        say(f"removed {folder.name}, left by a run that was killed")


def prepare_folder(out_dir: Path, name: str, *, force: bool, only: Sequence[str] | None,
                    say: Callable[[str], None] = lambda text: None) -> tuple[Path, Path]:
    final = inside(out_dir, out_dir / name)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_problem(exc, out_dir, f"creating the reports folder {out_dir}") from None
    sweep_stale(out_dir, name, say)
    refuse_foreign(out_dir, name, force=force)
    if final.exists() and not force:
        raise RunError(f"run folder {final} already exists", "pass --force to replace it, or --name to write a new run",
                       path=final)
    tmp = inside(out_dir, out_dir / f".{name}.partial-{os.getpid()}")
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        if only and final.exists():
            # a folder the notebooks created is a batch's from now on: their marker stays behind
            shutil.copytree(final, tmp, ignore=shutil.ignore_patterns("index.html", "manifest.json", NOTEBOOK_MARKER))
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "artifacts").mkdir(exist_ok=True)
        write_json(tmp / MARKER, {"pid": os.getpid(), "start": proc_start(os.getpid())})
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_problem(exc, out_dir, f"creating the run folder in {out_dir}") from None
    return final, tmp


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT and SIGTERM until the block is done, then deliver the first that came, as usual.

    Python handlers run in the main thread whichever thread the signal reaches, so the handlers are swapped
    for ones that only take note (a signal mask would hold it back only from the main thread). Outside the
    main thread, where handlers cannot be set, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: received.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if received:
            signal.raise_signal(received[0])


def move_into_place(tmp: Path, final: Path, *, force: bool = True) -> None:
    """Rename the complete run into place; an existing run is replaced only with ``force``, if segkit made it."""
    out_dir = final.parent
    tmp, final = inside(out_dir, tmp), inside(out_dir, final)
    (tmp / MARKER).unlink(missing_ok=True)
    trash = None
    if final.exists():
        if not force:  # another run finished first under the same name
            raise RunError(f"run folder {final} appeared while this run was going",
                           "pass --force to replace it, or --name to write a new run", path=final)
        if not is_segkit_folder(final):
            raise RunError(f"{final} was not made by segkit (it has no segkit manifest.json), so --force will not "
                           "replace it", "move it out of the way, or choose another --name", path=final)
        trash = inside(out_dir, final.with_name(f".{final.name}.old-{os.getpid()}"))
    with signals_deferred():  # Ctrl-C or SIGTERM between the two renames would leave no run in place
        if trash is not None:
            final.rename(trash)
        tmp.rename(final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def keep_failed(tmp: Path, final: Path) -> Path:
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
    if (tmp / "manifest.json").is_file():  # else the marker is what shows that segkit made the folder
        (tmp / MARKER).unlink(missing_ok=True)
    tmp.rename(failed_dir)
    return failed_dir


def drop_strays(out_dir: Path) -> None:
    """Remove this process's partial folders that lack the marker: a notebook's thread still writing when an
    interrupted run was moved to ``<run>.failed`` makes its folder again, and the process then exits at once.
    A partial folder with its marker holds outputs that could not be moved, and is kept."""
    for folder in Path(out_dir).glob(f".*.partial-{os.getpid()}"):
        with contextlib.suppress(OSError, RunError):
            if folder.is_dir() and not folder.is_symlink() and not (folder / MARKER).exists():
                shutil.rmtree(inside(Path(out_dir), folder), ignore_errors=True)


def drop_old_failed(final: Path, say: Callable[[str], None]) -> None:
    """After a successful run, remove the ``<run>.failed`` of an earlier failed run of the same name."""
    failed_dir = inside(final.parent, final.with_name(final.name + ".failed"))
    if failed_dir.exists() and is_segkit_folder(failed_dir):
        shutil.rmtree(failed_dir, ignore_errors=True)
        say(f"removed {failed_dir.name}, left by an earlier failed run of {final.name}")


def earlier_manifest(folder: Path) -> dict[str, Any] | None:
    """What :func:`kept_pages` reads of the manifest of the run in ``folder``: when it started, its notebooks'
    timings and the pages it had kept; None when there is none, or it cannot be read (a hand-edited file is no
    reason to fail a run whose notebooks have all run)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        timings = data["timings"]
        started, made, kept = timings.get("started_at"), dict(timings["notebooks"]), dict(data.get("kept") or {})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return {"timings": {"started_at": started if isinstance(started, str) else None, "notebooks": made},
            "kept": kept}


def kept_pages(folder: Path, *, run: list[str], earlier: dict[str, Any] | None = None,
               reads: dict[str, set[str]] | None = None, present: Collection[str] | None = None
               ) -> dict[str, dict[str, Any]]:
    """The pages in ``folder`` that an earlier run made and this one (``run``: its notebooks) did not make again,
    each with its timings, ``made_at``, when the run that made it started (carried over run after run), and
    ``reads_again``, the notebooks of ``run`` whose results it reads (``reads``: a notebook's upstream ones); ``gone``
    when ``present`` (the notebooks in the notebooks' folder) has no such notebook: it was removed or renamed, and
    what it reads is unknown. A notebook still there that this run leaves out (``09_compare`` without a reference) is
    not gone."""
    from .render import report_paths  # nbformat: only once a run has notebooks to finish

    earlier = earlier or {"timings": {"started_at": None, "notebooks": {}}, "kept": {}}
    started = earlier["timings"]["started_at"]
    made = {str(name): {**(timing if isinstance(timing, dict) else {}), "made_at": started, "reads_again": []}
            for name, timing in earlier["timings"]["notebooks"].items()}
    for name, timing in earlier["kept"].items():  # pages that run had kept from a run before it, and why
        made.setdefault(str(name), timing if isinstance(timing, dict) else {})
    out = {}
    for name in sorted(made):
        if name in run or not report_paths(folder, name)["business"].is_file():
            continue
        before = made[name].get("reads_again")
        again = {str(a) for a in before if a != name} if isinstance(before, list) else set()
        out[name] = {**made[name], "reads_again": sorted(again | (set((reads or {}).get(name, ())) & set(run)))}
        out[name].pop("gone", None)
        if present is not None and name not in present:
            out[name]["gone"] = True
    return out
