"""Batch orchestration: papermill execution, HTML rendering, the index page and the manifest.

The names below load on first use: a notebook kernel imports :mod:`segkit.report.cards` (HTML blocks)
without paying for nbformat, jsonschema, papermill and nbconvert, which only the batch driver needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["run", "RunResult", "discover_notebooks", "render_notebook"]

_LAZY = {"run": ".runner", "RunResult": ".runner", "discover_notebooks": ".runner", "render_notebook": ".render"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
