"""Run names: one folder name from an allow-list, never a path outside the reports folder (OWASP's
path-traversal rule: a name is a single path component from an allow-list)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import ParamsError, truncate

__all__ = ["RUN_NAME_RULE", "check_run_name", "run_name_from_file"]


#: What a run name may be: it becomes one folder under the reports folder, and nothing else.
RUN_NAME_RULE = ("one folder name of at most 100 characters, made of letters, digits, '-', '_' and '.' "
                 "(not first), not ending in '.failed', and not index.html (the list of runs)")
_RUN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def _is_run_name(value: object) -> bool:
    return (isinstance(value, str) and bool(_RUN_NAME.fullmatch(value)) and not value.endswith(".failed")
            and value.lower() != "index.html")  # the reports folder's own page (segkit.report.history)


def _run_name(value: str | None) -> str | None:
    if value is not None and not _is_run_name(value):
        raise ValueError(f"must be {RUN_NAME_RULE}")
    return value


def check_run_name(value: object, *, source: str = "run name") -> str:
    """Return ``value`` if it is a valid run name, else raise :class:`ParamsError` naming it and the rule.

    Examples
    --------
    >>> check_run_name("spring_2024")
    'spring_2024'
    """
    if not _is_run_name(value):
        raise ParamsError(f"{source} {truncate(value)} is not a valid run name",
                          f"use {RUN_NAME_RULE}, for example spring_2024", key="run_name")
    return value


def run_name_from_file(path: Path) -> str:
    """The default run name: the params file's name, its accented letters without their accents ("résumé": "resume")
    and every other character the rule does not allow made ``_``.

    Raises :class:`ParamsError` when nothing usable is left (a file named ``....yaml``).

    >>> run_name_from_file(Path("Kündigungen Q3 (v2).yaml")), run_name_from_file(Path("Straße.yaml"))
    ('Kundigungen_Q3__v2_', 'Stra_e')
    """
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", path.stem) if not unicodedata.combining(ch))  # é: e
    name = re.sub(r"[^A-Za-z0-9._-]", "_", plain).lstrip(".")[:100]
    if name.endswith(".failed"):
        name = name.removesuffix(".failed") + "_failed"
    if name.lower() == "index.html":
        name = "index_html"
    if not name.strip("._-") or not _is_run_name(name):
        raise ParamsError(f"no run name can be made from the params file name {truncate(path.name)}",
                          f"set run_name in the file or pass --name: {RUN_NAME_RULE}", key="run_name", path=path)
    return name
