"""Kernel set-up for a report notebook: crisp embedded figures, quiet warnings, one-line segkit errors.

This is the only place that changes global state (matplotlib's rcParams, warning filters, pandas display
options), and it runs only inside a notebook kernel, never on ``import segkit``.
"""

from __future__ import annotations

import logging
import warnings

from .errors import SegkitError

__all__ = ["prepare_kernel", "REPORT_RC"]


def _show_segkit_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: one line, the same text the CLI prints."""
    kind = getattr(value, "kind", "error")
    text = f"segkit {kind} error: {value.message}"
    structured = [text]
    shell._showtraceback(etype, value, structured)
    return structured


#: matplotlib settings of report figures. ``text.parse_math`` is off: text comes from the data (category
#: levels, column names, currency signs), and ``$x^$`` in a level must be drawn as written, not crash math text.
REPORT_RC = {"figure.dpi": 96, "savefig.dpi": 96, "figure.figsize": (8, 4.5), "svg.hashsalt": "segkit",
             "axes.spines.top": False, "axes.spines.right": False, "text.parse_math": False}


def prepare_kernel() -> None:
    """Prepare an IPython kernel for a report; does nothing in plain Python."""
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
    import pandas as pd

    # Report figures: embedded PNGs at a readable size; fonts and sizes set per figure, never globally
    # on import of the library (this runs only inside a notebook kernel).
    matplotlib.rcParams.update(REPORT_RC)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    pd.set_option("display.max_rows", 1_000)  # a page's table is whole: Delaware's 201 input columns showed 10, "..."
    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", None)  # notes and descriptions are sentences: never cut them
    pd.set_option("display.float_format", lambda v: f"{v:,.2f}")
