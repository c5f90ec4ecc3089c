"""Progress inside long steps: ``k 6 of 10``, ``fold 3 of 5``.

:func:`track` wraps the loop of a long step. Where the progress goes depends on where the code runs:

* in a kernel of ``segkit run`` (the runner sets :data:`FILE_VAR`, and :data:`NOTEBOOK_VAR` to the
  notebook's name): one short JSON line per update, ``{"notebook": "03_select_k", "text": "k 6 of 10"}``,
  appended to that file, at most one line per :data:`INTERVAL_S` seconds plus the last one; the runner
  prints them on the terminal when a step runs long;
* in an IPython kernel without that variable (a person in JupyterLab): a ``tqdm.auto`` progress bar, when
  tqdm is installed;
* anywhere else (plain Python, tests): nothing.

It never changes what the loop yields, nor any global state, and a progress file that cannot be written
is ignored: progress must never fail a run.

>>> [x for x in track(range(3), total=3, what="fold")]
[0, 1, 2]
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["track", "FILE_VAR", "NOTEBOOK_VAR", "INTERVAL_S"]

FILE_VAR = "SEGKIT_PROGRESS_FILE"  #: the file a batch kernel appends its progress lines to
NOTEBOOK_VAR = "SEGKIT_PROGRESS_NOTEBOOK"  #: the notebook a batch kernel runs, named in every line
INTERVAL_S = 1.0  #: at most one line per this many seconds (the last update is always written)

T = TypeVar("T")


def track(iterable: Iterable[T], *, total: int | None = None, what: str = "step") -> Iterator[T]:
    """Yield the items of ``iterable`` unchanged, reporting ``"{what} {i} of {total}"`` as item i comes.

    ``total`` defaults to ``len(iterable)`` when it has one; without a total the text is ``"{what} {i}"``.
    """
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    path = os.environ.get(FILE_VAR)
    if path:
        return _to_file(iterable, path, os.environ.get(NOTEBOOK_VAR, ""), total, what)
    if _in_kernel():
        try:
            from tqdm.auto import tqdm
        except ImportError:  # no tqdm: no bar
            return iter(iterable)
        return iter(tqdm(iterable, total=total, desc=what, leave=False))
    return iter(iterable)


def _in_kernel() -> bool:
    """Whether this runs inside an IPython kernel (a notebook), without importing IPython."""
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _to_file(iterable: Iterable[T], path: str, notebook: str, total: int | None, what: str) -> Iterator[T]:
    last = -float("inf")
    for i, item in enumerate(iterable, 1):
        now = time.monotonic()
        if now - last >= INTERVAL_S or i == total:
            last = now
            _append(path, notebook, f"{what} {i} of {total}" if total is not None else f"{what} {i}")
        yield item


def _append(path: str, notebook: str, text: str) -> None:
    line = json.dumps({"notebook": notebook, "text": text}, ensure_ascii=False) + "\n"
    try:
        with open(path, "a", encoding="utf-8") as fh:  # one short write: appends of two kernels do not mix
            fh.write(line)
    except OSError:  # a full disk or a removed folder must not fail the step
        pass
