"""Batch orchestration: papermill execution, HTML rendering, the index page and the manifest."""

from .render import render_notebook
from .runner import RunResult, discover_notebooks, run

__all__ = ["run", "RunResult", "discover_notebooks", "render_notebook"]
