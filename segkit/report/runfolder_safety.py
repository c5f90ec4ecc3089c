"""Run folders stay inside the reports folder, and segkit only replaces or removes what it made.

The run name itself is checked when the params are loaded (:data:`segkit.config.RUN_NAME_RULE`: one
folder name, no ``/``, no leading ``.``). This module adds the checks on the folders:

- :func:`inside` is the one gate for every run-level path the runner writes, renames or deletes: the
  path is resolved and must be a direct entry of the reports folder (``--out``) that is not a symbolic link;
- :func:`is_segkit_folder` tells a folder segkit made (it holds segkit's ``manifest.json`` or run
  marker) from anything else, which ``--force`` never replaces;
- :func:`leftovers` lists a run's hidden ``.<run>.partial-<pid>`` and ``.<run>.old-<pid>`` folders by
  exact name, so a run name is never turned into a ``glob`` pattern.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import RunError, truncate
from ..io.processes import MARKER  # the file a run folder carries while it is being written
from ..io.runfolder import NOTEBOOK_MARKER

__all__ = ["MARKER", "inside", "is_segkit_folder", "leftovers", "refuse_foreign"]

_MANIFEST_MAX_BYTES = 20_000_000


def inside(out_dir: Path, path: Path) -> Path:
    """Return ``path`` resolved, after checking that it is a direct entry of ``out_dir`` and no symlink.

    Parameters
    ----------
    out_dir : Path
        The reports folder (``--out``).
    path : Path
        A run-level path: the run folder, its partial, old or failed sibling.

    Raises
    ------
    RunError
        When ``path`` is a symbolic link or resolves anywhere but directly inside ``out_dir``.
    """
    root = Path(out_dir).resolve()
    path = Path(path)
    if path.is_symlink():
        raise RunError(f"{truncate(str(path))} is a symbolic link, and segkit does not write through links",
                       "remove the link, or choose another --name", path=str(path))
    resolved = path.resolve()
    if resolved.parent != root:
        raise RunError(f"{truncate(str(path))} is not a folder directly inside the reports folder {root}",
                       "use a plain run name (letters, digits, '-', '_', '.'); runs are only written under --out",
                       path=str(path))
    return resolved


def is_segkit_folder(path: Path) -> bool:
    """Whether ``path`` is a real folder that segkit made: it holds segkit's ``manifest.json``, run marker, or the
    marker of a run folder the notebooks created (:data:`~segkit.io.runfolder.NOTEBOOK_MARKER`)."""
    if path.is_symlink() or not path.is_dir():
        return False
    if (path / MARKER).is_file() or (path / NOTEBOOK_MARKER).is_file():
        return True
    manifest = path / "manifest.json"
    try:
        if not manifest.is_file() or manifest.stat().st_size > _MANIFEST_MAX_BYTES:
            return False
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"status", "run_name"} <= data.keys()


def leftovers(out_dir: Path, name: str, kind: str) -> list[Path]:
    """The ``.<name>.<kind>-<pid>`` entries of ``out_dir`` (``kind`` is ``partial`` or ``old``), by exact name."""
    prefix = f".{name}.{kind}-"
    if not out_dir.is_dir():
        return []
    found = []
    for entry in out_dir.iterdir():
        pid = entry.name[len(prefix):] if entry.name.startswith(prefix) else ""
        if pid.isascii() and pid.isdigit():
            found.append(entry)
    return sorted(found)


def refuse_foreign(out_dir: Path, name: str, *, force: bool) -> None:
    """Refuse, touching nothing, a run whose folders segkit could not safely replace.

    With ``force``, an existing ``<name>`` must be a folder segkit made; an existing ``<name>.failed``
    (where a failed run is kept) must be one in any case.
    """
    final = inside(out_dir, out_dir / name)
    if force and final.exists() and not is_segkit_folder(final):
        raise RunError(f"{final} was not made by segkit (it has no segkit manifest.json), so --force will not replace it",
                       "move it out of the way, or choose another --name", path=final)
    failed = inside(out_dir, out_dir / f"{name}.failed")
    if failed.exists() and not is_segkit_folder(failed):
        raise RunError(f"{failed} was not made by segkit, and a failed run of {name!r} would be kept there",
                       "move it out of the way, or choose another --name", path=failed)
