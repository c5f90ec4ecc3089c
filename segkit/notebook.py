"""What a report notebook calls in its setup cell.

>>> nb = segkit.notebook.start(run_dir, k=k, seed=seed)   # doctest: +SKIP

:func:`start` resolves the params (the notebook's own parameters over the run's ``params.json`` over the
defaults), opens the run folder, and prepares the kernel for a report: figures as crisp embedded PNGs,
warnings kept out of the business copy, and segkit errors shown as one readable message instead of a
traceback. The same notebook therefore runs in a batch (papermill injects the parameters) and by hand in
JupyterLab against an existing run folder.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Params, params_from_mapping, resolve_env
from .errors import SegkitError
from .io import RunFolder

__all__ = ["NotebookRun", "start"]


@dataclass
class NotebookRun:
    """The params and run folder a notebook works with."""

    params: Params
    folder: RunFolder

    @property
    def artifacts(self) -> Path:
        return self.folder.artifacts


def _show_segkit_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: one line, the same text the CLI prints."""
    kind = getattr(value, "kind", "error")
    text = f"segkit {kind} error: {value.message}"
    structured = [text]
    shell._showtraceback(etype, value, structured)
    return structured


def _prepare_kernel() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to prepare
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((SegkitError,), _show_segkit_error)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:
        pass
    import matplotlib

    # Report figures: embedded PNGs at a readable size; fonts and sizes set per figure, never globally
    # on import of the library (this runs only inside a notebook kernel).
    matplotlib.rcParams.update({"figure.dpi": 96, "savefig.dpi": 96, "figure.figsize": (8, 4.5),
                                "svg.hashsalt": "segkit", "axes.spines.top": False, "axes.spines.right": False})
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import pandas as pd

    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", None)  # notes and descriptions are sentences: never cut them
    pd.set_option("display.float_format", lambda v: f"{v:,.2f}")


def start(run_dir: str | Path, namespace: Mapping[str, Any] | None = None, **overrides: Any) -> NotebookRun:
    """Open the run folder and resolve params for one notebook.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (``reports/<run>``). Created if missing, so a notebook can start a fresh
        interactive run.
    namespace : mapping, optional
        The notebook's ``globals()``: every name in it that is a params key (the parameters cell's
        names) is taken as a parameter.
    **overrides
        Parameters given by name. Together with ``namespace`` they win over the run's
        ``params.json``, which wins over the defaults.
    """
    folder = RunFolder(run_dir).ensure()
    values: dict[str, Any] = dict(folder.read_params() or {})
    own = {k: v for k, v in (namespace or {}).items() if k in Params.model_fields}
    own.update(overrides)
    values.update({k: v for k, v in own.items() if k != "run_dir"})
    params = params_from_mapping(values, source=f"{folder.path / 'params.json'} and the notebook's parameters")
    if params.sql_url:
        resolve_env(params.sql_url)  # fail early, with the variable's name, if a secret is not provided
    _prepare_kernel()
    return NotebookRun(params=params, folder=folder)
