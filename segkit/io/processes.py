"""Which process wrote a run folder, and whether it still runs: the marker a run's hidden partial folder holds.

A run is written in ``.<run>.partial-<pid>`` with the marker :data:`MARKER` naming its process and that process's
start time (:func:`proc_start`), so that a reused pid is not taken for the run's. :func:`owner_alive` tells a run
being written from the folder a killed one left; ``segkit runs``, the run folder's life
(:mod:`segkit.report.lifecycle`) and :func:`segkit.modelio.run_unfinished` all ask it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

__all__ = ["MARKER", "PARTIAL", "proc_start", "owner_alive"]

#: The file in a folder segkit made for a run: its process (pid and start time).
MARKER = ".segkit-run.json"
#: The name of a run being written: ``.<run>.partial-<pid>``.
PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)$")


def proc_start(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux ``/proc``), to tell a live run from a reused pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_alive(folder: Path) -> bool:
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
        started = json.loads((folder / MARKER).read_text(encoding="utf-8")).get("start")
    except (OSError, ValueError, AttributeError):
        started = None
    now = proc_start(pid)
    return started is None or now is None or started == now
