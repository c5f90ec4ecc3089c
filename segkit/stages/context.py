"""The run context a stage works with: the resolved params and the run folder.

>>> ctx = open_run("reports/dev", data_path="data/online_retail.parquet")   # doctest: +SKIP

:func:`open_run` resolves the params (explicit values over the run's ``params.json`` over the
defaults) and opens the run folder; it changes no global state, so it is safe in plain Python.
:func:`start` is what a report notebook's setup cell calls: :func:`open_run` plus the kernel set-up of
:func:`segkit.kernel.prepare_kernel`. The same notebook therefore runs in a batch (papermill injects
the parameters) and by hand in JupyterLab against an existing run folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import kinds
from ..config import Params, params_from_mapping, resolve_env
from ..io import RunFolder
from ..kernel import prepare_kernel
from ..naming.words import plural

__all__ = ["RunContext", "open_run", "start"]


@dataclass
class RunContext:
    """The params and run folder one stage works with.

    Attributes
    ----------
    params : Params
    folder : RunFolder
    """

    params: Params
    folder: RunFolder

    @property
    def artifacts(self) -> Path:
        return self.folder.artifacts

    @property
    def kind(self) -> kinds.Kind:
        """The run's data kind."""
        return kinds.get(self.params.data_kind)

    @property
    def entity(self) -> str:
        """What a row is, in the plural: the params' ``entity`` ("subscribers"), else the kind's ("customers")."""
        return plural(self.params.entity) if self.params.entity else self.kind.entity


def open_run(run_dir: str | Path, namespace: Mapping[str, Any] | None = None, **overrides: Any) -> RunContext:
    """Open the run folder and resolve the params of one stage.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (``reports/<run>``). Created if missing, so a notebook can start a fresh
        interactive run.
    namespace : mapping, optional
        A notebook's ``globals()``: every name in it that is a params key (the parameters cell's names)
        is taken as a parameter.
    **overrides
        Parameters given by name. Together with ``namespace`` they win over the run's ``params.json``,
        which wins over the defaults.
    """
    folder = RunFolder(run_dir).ensure()
    values: dict[str, Any] = dict(folder.read_params() or {})
    own = {k: v for k, v in (namespace or {}).items() if k in Params.model_fields}
    own.update(overrides)
    values.update({k: v for k, v in own.items() if k != "run_dir"})
    params = params_from_mapping(values, source=f"{folder.path / 'params.json'} and the notebook's parameters")
    if params.sql_url:
        resolve_env(params.sql_url)  # fail early, with the variable's name, if a secret is not provided
    return RunContext(params=params, folder=folder)


def start(run_dir: str | Path, namespace: Mapping[str, Any] | None = None, **overrides: Any) -> RunContext:
    """A report notebook's setup: :func:`open_run`, then the kernel set-up for reports."""
    ctx = open_run(run_dir, namespace, **overrides)
    prepare_kernel()
    return ctx
