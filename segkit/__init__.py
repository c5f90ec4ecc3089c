"""segkit: segmentation reports from a params file.

The package is a library first: every step a report notebook shows is one call here, and the same calls
work from plain Python.

>>> import segkit
>>> params, _ = segkit.load_params("params/online_retail.yaml")     # doctest: +SKIP
>>> segkit.report.run("params/online_retail.yaml")                   # doctest: +SKIP
"""

from . import config, errors, io, notebook, pipeline
from .config import Params, load_params
from .errors import (ColumnError, DataFileError, DataValueError, ModelError, ParamsError, RunError,
                     SegkitError, SegmentationError)

__version__ = "0.1.0"

__all__ = [
    "config", "errors", "io", "notebook", "pipeline",
    "Params", "load_params",
    "SegkitError", "ParamsError", "DataFileError", "ColumnError", "DataValueError", "SegmentationError",
    "ModelError", "RunError",
    "__version__",
]
