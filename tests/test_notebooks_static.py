"""Static checks over the report notebooks: the notebook contract of docs/architecture.md."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import papermill as pm
import pytest
import yaml

from segkit import kinds
from segkit.config import RUNNER_KEYS, Params
from segkit.report.notebook import applicable_cells
from segkit.report.runner import discover_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def test_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_flat_typed_commented(path):
    cells = [c for c in _cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} parameters cells"
    source = "".join(cells[0]["source"])
    tree = ast.parse(source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{path.name}: parameters cell line {node.lineno} is not `name: type = value`"
    for line in source.splitlines():
        assert "  # " in line, f"{path.name}: parameter line without a trailing comment: {line!r}"
    declared = [n.target.id for n in tree.body]
    assert declared[0] == "run_dir"
    parsed = list(pm.inspect_notebook(str(path)))
    assert parsed == declared, f"{path.name}: papermill could not parse {set(declared) - set(parsed)} (no '=' in comments)"
    assert set(declared) - {"run_dir"} <= set(Params.model_fields), f"{path.name} declares unknown keys"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_def_or_class_and_thin_cells(path):
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), \
                f"{path.name} defines a function or class"
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            assert len(tree.body) <= 3, f"{path.name}: a cell has {len(tree.body)} statements; move logic into segkit"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_with_title_and_business_paragraph(path):
    first = _cells(path)[0]
    assert first["cell_type"] == "markdown"
    text = "".join(first["source"])
    assert text.startswith("# ") and len(text.split("\n", 1)[-1].split()) >= 20


def test_every_params_key_is_known_to_some_notebook():
    declared = set()
    for path in NOTEBOOKS:
        declared |= set(pm.inspect_notebook(str(path)))
    missing = set(Params.model_fields) - declared - RUNNER_KEYS
    assert not missing, f"params keys no notebook declares: {sorted(missing)}"
    for params_file in (ROOT / "params").glob("*.yaml"):
        keys = set(yaml.safe_load(params_file.read_text())) - {"extends"}
        assert keys <= declared | RUNNER_KEYS, f"{params_file.name}: keys unknown to every notebook: {keys - declared}"


def test_notebook_defaults_match_the_schema():
    defaults = Params().model_dump()
    for path in NOTEBOOKS:
        cell = next(c for c in _cells(path) if "parameters" in c.get("metadata", {}).get("tags", []))
        for node in ast.parse("".join(cell["source"])).body:
            name = node.target.id
            if name == "run_dir" or name not in defaults:
                continue
            value = ast.literal_eval(node.value)
            if name == "data_path":
                continue  # notebooks default to the bundled data, for interactive use in JupyterLab
            assert value == defaults[name], f"{path.name}: {name} defaults to {value!r}, the schema to {defaults[name]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_are_short_calls(path):
    """A long cell (a line over 120 characters, or a call with more than four arguments) belongs in segkit."""
    for cell in _cells(path):
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"])
        assert all(len(line) <= 120 for line in source.splitlines()), f"{path.name}: a line over 120 characters"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                assert len(node.args) + len(node.keywords) <= 4, f"{path.name}: a call with more than 4 arguments"


def test_needs_tags_name_capabilities_some_kind_offers():
    from segkit import kinds

    offered = {cap for name in kinds.KINDS for cap in kinds.get(name).extra_stages}
    for path in NOTEBOOKS:
        book = json.loads(path.read_text())
        needs = book["metadata"].get("segkit", {}).get("needs")
        assert needs is None or needs in offered, f"{path.name} needs {needs!r}, which no kind offers"
        for cell in book["cells"]:
            for tag in cell.get("metadata", {}).get("tags", []):
                if tag.startswith("needs:"):
                    assert tag.split(":", 1)[1] in offered, f"{path.name}: {tag} names no capability"


#: Where a page of any kind may say "customer": an example among others of what a table can be.
_CUSTOMER_EXAMPLES = ("a customer table without an id column",)


@pytest.mark.parametrize("kind", ["demographics", "customers"])
def test_pages_of_other_kinds_do_not_call_their_rows_customers(kind):
    # census areas were "customers it had not seen" on 07's page; a customer table's rows may be members, stores, ...
    offered = kinds.get(kind).extra_stages
    said = []
    # every notebook the kind can run: 09 only runs with a reference run set, which discover_notebooks then asks for
    for nb in discover_notebooks(ROOT / "notebooks", kind, Params(data_kind=kind, reference="../earlier")):
        for cell in applicable_cells(nb.path, offered).cells:
            text = cell.source
            for example in _CUSTOMER_EXAMPLES:
                text = text.replace(example, "")
            if cell.cell_type == "markdown" and "customer" in text.lower():
                said.append(f"{nb.name} cell {cell.get('id')}")
    assert not said, f"pages of {kind} runs say 'customer' where their rows may be anything: {said}"
