"""segkit: segmentation reports from a params file, and the library behind them.

The package is a library first: every step a report notebook shows is one call here, and the same calls
work from plain Python, in memory:

>>> import numpy as np, pandas as pd, segkit
>>> rng = np.random.default_rng(0)
>>> table = pd.DataFrame({"id": [f"c{i:03d}" for i in range(60)],
...                       "spend": np.r_[rng.normal(20, 2, 30), rng.normal(80, 5, 30)].round(2),
...                       "visits": np.r_[rng.normal(2, 0.3, 30), rng.normal(9, 1, 30)].round(2)})
>>> s = segkit.segment_table(table, data_kind="customers", id_col="id", k=2, bootstrap=2, gap_references=2)
>>> s.assignments.groupby("segment_code").size().tolist()
[30, 30]

A batch of report notebooks: ``segkit.run("params/online_retail.yaml")`` (the ``segkit run`` command).
"""

from importlib import import_module
from typing import Any

from .errors import (ColumnError, DataFileError, DataValueError, ModelError, ParamsError, RunError,
                     SegkitError, SegmentationError)

#: Names loaded on first use (PEP 562), so that ``segkit run`` and the kernels' fork server start without
#: waiting for scikit-learn.
_LAZY = {"SegmentModel": ".cluster", "Params": ".config", "load_params": ".config", "FeatureSet": ".featureset",
         "Segmentation": ".pipeline", "segment_table": ".pipeline", "SegmentProfile": ".profile",
         "profile_segments": ".profile", "KSelection": ".select", "select_k": ".select"}
_SUBMODULES = ("config", "errors", "io", "kinds")

__version__ = "0.1.0"


def run(params_files, **options):
    """Run the batch of report notebooks for ``params_files`` (see :func:`segkit.report.run`)."""
    from .report import run as run_batch  # nbconvert and papermill load only when a batch runs

    return run_batch(params_files, **options)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "run", "load_params", "segment_table", "Segmentation", "SegmentModel", "select_k", "KSelection",
    "profile_segments", "SegmentProfile", "FeatureSet", "Params",
    "config", "errors", "io", "kinds",
    "SegkitError", "ParamsError", "DataFileError", "ColumnError", "DataValueError", "SegmentationError",
    "ModelError", "RunError",
    "__version__",
]
