"""The run context a stage works with: the resolved params and the run folder.

>>> ctx = open_run("reports/dev", data_path="data/online_retail.parquet")   # doctest: +SKIP

:func:`open_run` resolves the params (values typed in a notebook's parameters cell over the run's ``params.json``
over the defaults), keeps ``params.json`` in step, and opens the run folder; it changes no global state, so it is safe
in plain Python.
:func:`start` is what a report notebook's setup cell calls: :func:`open_run` plus the kernel set-up of
:func:`segkit.kernel.prepare_kernel`. The same notebook therefore runs in a batch (papermill injects
the parameters) and by hand in JupyterLab against an existing run folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import kinds
from ..config import SECRET_KEYS, Params, params_from_mapping, resolve_env
from ..io import RunFolder, write_json
from ..io.runfolder import NOTEBOOK_MARKER
from ..kernel import prepare_kernel
from ..naming.entity import speak_of
from ..naming.words import plural

__all__ = ["RunContext", "open_run", "page_entity", "start"]


def page_entity(params: Params) -> str | None:
    """What a run's rows are where its pages must say it instead of "customers": the params' ``entity`` of a data kind
    whose texts and notebooks say customers (:attr:`segkit.kinds.base.Kind.says_customers`: transactions); None
    otherwise. See :func:`segkit.naming.entity.speak_of`."""
    return params.entity if params.entity and kinds.get(params.data_kind).says_customers else None


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

    def cleaned(self):
        """``clean.parquet`` as the later stages read it: the columns the kind's features, churn and value read (its
        ``CLEANED_COLUMNS``; every column for a kind that names none), not the input's own columns the file keeps for
        analysts (a transactions run's eight, its descriptions among them: two thirds of what a kernel spent reading
        the file)."""
        return self.folder.read_parquet("clean.parquet", columns=getattr(self.kind.module, "CLEANED_COLUMNS", None))

    def speak(self, text: str) -> str:
        """``text``, written of customers, said of the run's rows (:func:`page_entity`, :func:`~segkit.naming.entity.
        speak_of`): "Days since the customer's last purchase" is "Days since the member's last purchase"."""
        return speak_of(text, page_entity(self.params))

    def spoken(self, data: Any) -> Any:
        """A JSON artifact's sentences (its strings of more than one word, in dicts and lists at any depth) said of
        the run's rows, as :meth:`speak`: ``churn_summary.json`` said "a churner above a customer who stays" of a run
        of members, whose pages said members. Keys, and single words such as column names, are kept."""
        entity = page_entity(self.params)

        def said(value: Any) -> Any:
            if isinstance(value, str):
                return speak_of(value, entity) if " " in value.strip() else value
            if isinstance(value, Mapping):
                return {key: said(v) for key, v in value.items()}
            return [said(v) for v in value] if isinstance(value, list) else value

        return data if entity is None else said(data)


#: The data file 01_eda's parameters cell names by default (every other key's default there is the schema's).
NOTEBOOK_DATA_PATH = "../data/online_retail.parquet"


def _typed(key: str, value: Any) -> bool:
    """Whether a parameters cell's ``value`` of ``key`` was typed by the user: not the notebook's default, which is
    the schema's (``tests/test_notebooks_static.py``) but for 01_eda's ``data_path``. A secret is never taken from a
    cell (:func:`open_run` leaves them out)."""
    field = Params.model_fields[key]
    default = NOTEBOOK_DATA_PATH if key == "data_path" else field.get_default(call_default_factory=True)
    return value != default


def open_run(run_dir: str | Path, namespace: Mapping[str, Any] | None = None, **overrides: Any) -> RunContext:
    """Open the run folder and resolve the params of one stage.

    The run's ``params.json`` holds the params every notebook of the run reads. A notebook's parameters cell changes
    them only where the user typed a value other than the cell's default (a batch injects the run's own values, so
    nothing changes there); the change is written to ``params.json``, so that the next notebooks use it too, and said
    with the notebooks it puts out of step. A folder without ``params.json`` (a run started from the notebooks) gets
    one. Where a cell keeps its default and the run says otherwise, the run's value is used, and said.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (``reports/<run>``). Created if missing, so a notebook can start a fresh
        interactive run.
    namespace : mapping, optional
        A notebook's ``globals()``: every name in it that is a params key (the parameters cell's names)
        is taken as a parameter where its value is not the notebook's default.
    **overrides
        Parameters given by name: they win like a typed value.
    """
    made = not Path(run_dir).exists()
    folder = RunFolder(run_dir).ensure()
    if made:  # segkit made it: `segkit run --force` may replace it (see runfolder_safety.is_segkit_folder)
        write_json(folder.path / NOTEBOOK_MARKER, {"made_by": "segkit notebooks", "run_dir": str(run_dir)})
    saved = folder.read_params()
    cell = {k: v for k, v in (namespace or {}).items() if k in Params.model_fields and k not in SECRET_KEYS}
    typed = {k: v for k, v in cell.items() if _typed(k, v)} | overrides
    source = f"{folder.path / 'params.json'} and the notebook's parameters"
    params = params_from_mapping({**(saved or {}), **typed}, source=source)
    if params.sql_url:
        resolve_env(params.sql_url)  # fail early, with the variable's name, if a secret is not provided
    before = params_from_mapping(saved, source=source).model_dump() if saved is not None else None
    changed = {k: v for k, v in params.model_dump().items() if before is not None and before.get(k) != v}
    if saved is None or changed:
        write_json(folder.path / "params.json", stored_params(params))
    if saved is not None and changed:
        _mark_run_page(folder.path, changed, before)
    if namespace is not None:
        _say(saved, cell, typed, changed, before)
    return RunContext(params=params, folder=folder)


def stored_params(params: Params) -> dict[str, Any]:
    """``params`` as a run's ``params.json`` keeps them: a secret as the environment variable a kernel reads it from."""
    return ({k: v for k, v in params.model_dump().items() if not (k in SECRET_KEYS and v)}
            | {k: f"${{SEGKIT_{k.upper()}}}" for k in SECRET_KEYS if getattr(params, k)})


def _say(saved: dict | None, cell: dict, typed: dict, changed: dict, before: dict | None) -> None:
    """Tell a notebook's user where the run's params and the cell's differ (a batch never does: it injects the run's
    own values)."""
    kept = {k: saved[k] for k, v in cell.items() if saved and k in saved and k not in typed
            and saved[k] != json.loads(json.dumps(v, default=str))}
    if kept:
        print("From the run's params.json, where this notebook's cell keeps its default: "
              + ", ".join(f"{k}={v!r}" for k, v in kept.items()) + ". Type a value in the cell to change it.")
    if changed:
        print("This notebook changes the run's params: " + ", ".join(f"{k} {before[k]!r} -> {v!r}" for k, v in
                                                                      changed.items())
              + ". params.json now says so, and the next notebooks use it; pages made before with the old values "
                "no longer agree with this one: re-run the notebooks from 01_eda.")


def _mark_run_page(folder: Path, changed: dict, before: dict) -> None:
    """A batch's run page, once a notebook run by hand changes the run's params, says so
    (:func:`segkit.report.out_of_step.mark_params_changed`)."""
    if (folder / "index.html").is_file():
        from ..report.out_of_step import mark_params_changed  # the run page's markup

        mark_params_changed(folder / "index.html", ", ".join(f"{k} from {before[k]!r} to {v!r}"
                                                             for k, v in changed.items()))


def start(run_dir: str | Path, namespace: Mapping[str, Any] | None = None, **overrides: Any) -> RunContext:
    """A report notebook's setup: :func:`open_run`, then the kernel set-up for reports."""
    ctx = open_run(run_dir, namespace, **overrides)
    prepare_kernel()
    return ctx
