"""The batch: params in, a complete run folder out.

``run`` validates everything first, then executes the notebooks with papermill into a temporary folder
next to the final one, rendering each to HTML as soon as it finishes. Notebooks whose inputs are ready
run side by side (one BLAS/OpenMP thread per kernel, so two kernels on two cores do not fight). Only a
complete run is moved into place; a failed one is kept, rendered up to the error, in ``<run>.failed``.
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

from ..config import SECRET_KEYS, Params, load_params
from ..errors import RunError, SegkitError
from ..io import write_json
from .render import render_notebook

__all__ = ["Notebook", "RunResult", "discover_notebooks", "run", "default_notebooks_dir", "notebook_parameters"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


@dataclass
class Notebook:
    """One report notebook and where it sits in the run order."""

    path: Path
    after: list[str]
    kinds: list[str] | None = None

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

    A notebook's metadata may say ``{"segkit": {"after": [...], "kinds": [...]}}``; by default a
    notebook runs after the one before it, for every data kind.
    """
    paths = sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise RunError(f"no report notebooks (NN_name.ipynb) in {directory}", "run segkit from the project folder "
                       "or pass --notebooks", path=directory)
    out: list[Notebook] = []
    for i, path in enumerate(paths):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("segkit", {})
        kinds = meta.get("kinds")
        if kinds is not None and data_kind not in kinds:
            continue
        after = meta.get("after", [out[-1].name] if out else [])
        out.append(Notebook(path=path, after=list(after), kinds=kinds))
    names = {nb.name for nb in out}
    for nb in out:
        nb.after = [a for a in nb.after if a in names]
    return out


def _select(notebooks: list[Notebook], only: Sequence[str] | None) -> list[Notebook]:
    if not only:
        return notebooks
    chosen = []
    for want in only:
        match = [nb for nb in notebooks if nb.name == want or nb.name.split("_")[0] == want or nb.name.startswith(want)]
        if not match:
            raise RunError(f"--only {want}: no such notebook for this data kind",
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


def _error_of(executed: Path) -> str:
    """The message of the first error output in an executed notebook."""
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


def _prepare_folder(out_dir: Path, name: str, *, force: bool, only: Sequence[str] | None) -> tuple[Path, Path]:
    final = out_dir / name
    if final.exists() and not force:
        raise RunError(f"run folder {final} already exists", "pass --force to replace it, or --name to write a new run",
                       path=final)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    if only and final.exists():
        shutil.copytree(final, tmp, ignore=shutil.ignore_patterns("index.html", "manifest.json"))
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "artifacts").mkdir(exist_ok=True)
    return final, tmp


def _move_into_place(tmp: Path, final: Path) -> None:
    trash = None
    if final.exists():
        trash = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(trash)
    tmp.rename(final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


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
    if name:
        overrides["run_name"] = name
    params, files = load_params(params_files, overrides)
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = _select(discover_notebooks(notebooks_dir, params.data_kind), only)
    declared = {nb.name: notebook_parameters(nb.path) for nb in notebooks}
    preflight_info = preflight(params)
    progress(f"params ok: {params.data_kind} data, {len(notebooks)} notebooks, input {preflight_info['input']}")

    out_dir = Path(out_dir).resolve()
    final, tmp = _prepare_folder(out_dir, params.run_name, force=force, only=only)
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
    meta_line = f"Run {params.run_name} · {started_at:%d %B %Y} · {preflight_info['input']}"

    def execute(nb: Notebook) -> str:
        import papermill as pm

        out_ipynb = tmp / f"{nb.name}.ipynb"
        t0 = time.perf_counter()
        exec_error = None
        try:
            pm.execute_notebook(str(nb.path), str(out_ipynb), parameters=_kernel_params(params, declared[nb.name], tmp),
                                kernel_name="python3", progress_bar=False, log_output=False,
                                extra_arguments=["--IPKernelApp.log_level=ERROR"],
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
            raise RunError(f"notebook {nb.name} failed: {_error_of(out_ipynb)}",
                           f"read {final.name}.failed/{nb.name}.html, where the error is shown in place")
        return nb.name

    done: set[str] = set()
    pending = list(notebooks)
    running: dict[Future, Notebook] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
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
                        progress(f"{nb.name} FAILED")
                    except Exception as exc:  # papermill/kernel trouble: still report it plainly
                        failed, error = nb.name, f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}"
                        progress(f"{nb.name} FAILED")
    finally:
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
    write_index(tmp, params=params, manifest=manifest, notebooks=[nb.name for nb in notebooks])
    # --- end of reports finalisation ---
    if ok:
        _move_into_place(tmp, final)
        progress(f"run complete: {final / 'index.html'}")
        return RunResult(folder=final, ok=True, timings=timings)
    failed_dir = final.with_name(final.name + ".failed")
    if failed_dir.exists():
        shutil.rmtree(failed_dir)
    tmp.rename(failed_dir)
    progress(f"run FAILED in {failed}; partial outputs kept in {failed_dir}")
    return RunResult(folder=failed_dir, ok=False, timings=timings, failed=failed, error=error)


def main_progress(text: str) -> None:  # pragma: no cover - terminal output
    print(text, file=sys.stderr, flush=True)
