"""The stages of a run, one module per report notebook.

Each stage takes a :class:`~segkit.stages.context.RunContext` (params + run folder), reads what earlier
stages wrote to ``artifacts/``, computes through :mod:`segkit.pipeline` and the library modules, writes
its own artifacts, and returns what the notebook displays.

========================  ===============================================================
module                    notebook
========================  ===============================================================
:mod:`.eda`               ``01_eda``: read, check, data quality, clean
:mod:`.features`          ``02_features``: one row per entity
:mod:`.select_k`          ``03_select_k``: how many segments
:mod:`.dendrogram`        ``04_dendrogram``: linkages compared
:mod:`.profile`           ``05_profile``: the named segments
:mod:`.score`             ``06_score``: scoring new rows (kinds with the ``score`` capability)
:mod:`.explain`           ``07_explain``: separability and drivers
:mod:`.churn`             ``08_churn``: churn risk (kinds with the ``churn`` capability)
:mod:`.compare`           ``09_compare``: what moved since the reference run (runs with ``reference``)
:mod:`.value`             ``10_value``: lifetime value (kinds with the ``value`` capability)
========================  ===============================================================
"""

import importlib

from .context import RunContext, open_run, start

_STAGES = ("eda", "features", "select_k", "dendrogram", "profile", "score", "explain", "churn", "compare", "value")

__all__ = ["RunContext", "open_run", "start", "eda", "features", "select_k", "dendrogram", "profile", "score",
           "explain", "churn", "compare", "value"]


def __getattr__(name: str):
    """``stages.eda``, ``stages.profile``, ...: a stage module loads when a notebook first uses it, so that each
    notebook loads the libraries of its own stage only (``01_eda`` needs no scikit-learn or seaborn), and the batch's
    fork server can fork the first kernel before it has imported every stage."""
    if name in _STAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
