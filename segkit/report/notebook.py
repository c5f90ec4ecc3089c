"""What a batch knows of a report notebook: its place in the run order (:class:`Notebook`), the notebooks one of
its cells waits for and the cell that completes its artifacts, the parameters it declares and the values its kernel
receives, and the cells that apply to a data kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat

from ..config import SECRET_KEYS, Params

__all__ = ["Notebook", "applicable_cells", "cell_after", "cell_ready", "notebook_parameters"]


@dataclass
class Notebook:
    """One report notebook and where it sits in the run order.

    ``engine_after`` names the notebooks of ``after`` it waits for only when the duckdb or spark engine runs the
    batch (they hold what it reads there, such as ``02_features``' sample of the customers); a batch in pandas
    drops them (:meth:`in_pandas`), so that ``08_churn`` runs beside ``02_features``. ``cells_after`` names the
    notebooks that one of its cells waits for (:func:`cell_after`): the notebook starts before they are done and
    that cell waits, so that ``05_profile`` fits and explains its segments while ``08_churn`` still runs.
    """

    path: Path
    after: list[str]
    needs: str | None = None
    engine_after: list[str] = field(default_factory=list)
    cells_after: list[str] = field(default_factory=list)
    overlap: bool = True  #: whether its cells may wait and its ready cell may let others start (see in_engine)
    segments: bool = False  #: whether it chooses k or fits the segments (``"segments": true`` in its metadata)

    def in_pandas(self) -> "Notebook":
        """This notebook as a batch in pandas runs it."""
        return replace(self, after=[a for a in self.after if a not in self.engine_after], engine_after=[])

    def in_engine(self) -> "Notebook":
        """This notebook as a batch in the duckdb or spark engine runs it: whole, after all it or its cells wait for
        (each kernel there holds an engine session, its memory sized for two notebooks at once)."""
        return replace(self, after=self.after + [a for a in self.cells_after if a not in self.after], cells_after=[],
                       overlap=False)

    @property
    def name(self) -> str:
        return self.path.stem


def cell_after(cell: dict) -> list[str]:
    """The notebooks a cell waits for in a batch: its metadata ``{"segkit": {"after": [...]}}``. JupyterLab ignores
    it: there the notebook runs top to bottom after the others, as before."""
    return list(cell.get("metadata", {}).get("segkit", {}).get("after", []))


def cell_ready(cell: dict) -> bool:
    """Whether a cell completes its notebook's artifacts (metadata ``{"segkit": {"ready": true}}``): the cells after it
    only draw the notebook's page, so in a batch the notebooks that wait for it start once it has run."""
    return bool(cell.get("metadata", {}).get("segkit", {}).get("ready"))


def notebook_parameters(path: Path) -> list[str]:
    """Names declared in a notebook's ``parameters`` cell."""
    import papermill as pm

    return list(pm.inspect_notebook(str(path)))


def applicable_cells(path: Path, offered: Iterable[str]) -> nbformat.NotebookNode:
    """The notebook without the cells tagged ``needs:<capability>`` for a capability the kind lacks: a section that
    does not apply to a data kind (principal components, category shares, churn) is left out of its reports."""
    book = nbformat.read(str(path), as_version=4)
    offered = set(offered)
    needs = [[t.split(":", 1)[1] for t in c.get("metadata", {}).get("tags", []) if t.startswith("needs:")]
             for c in book.cells]
    book.cells = [c for c, needed in zip(book.cells, needs) if set(needed) <= offered]
    return book


def _kernel_params(params: Params, declared: Iterable[str], run_dir: Path) -> dict[str, Any]:
    values = params.model_dump()
    out: dict[str, Any] = {"run_dir": str(run_dir)}
    for key in declared:
        if key in values:
            out[key] = f"${{SEGKIT_{key.upper()}}}" if key in SECRET_KEYS and values[key] else values[key]
    return out
