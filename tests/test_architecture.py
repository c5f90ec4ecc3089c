"""The package's layout keeps its promises: no import cycles, layers respected, small pieces, and no kind
named outside its own folder (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from segkit.config import KINDS

PACKAGE = Path(__file__).resolve().parents[1] / "segkit"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60  # not counting the docstring

#: Layers, lowest first. A module may import only from its own layer or lower ones.
LAYERS = [
    ("leaf", ["errors", "params_errors", "config", "format", "resources", "cleaning", "featureset", "naming.base", "parse", "runname", "kernel",
              "progress", "findings"]),
    ("io", ["io"]),
    ("engine", ["engine"]),
    ("computation", ["schema", "quality", "eda", "profile", "select", "cluster", "hierarchy", "naming", "forest", "explain",
                     "drivers", "separability", "modelio", "compare"]),
    ("kinds", ["kinds"]),
    ("pipeline", ["pipeline", "preflight", "source", "scoring", "lineage"]),
    ("plots", ["plots"]),
    ("stages", ["stages", "report"]),
    ("service", ["serve"]),
    ("top", ["cli", ""]),
]
#: Third-party packages that draw; only plots, stages, report and the kernel set-up may import them.
DRAWING = ("matplotlib", "seaborn")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """segkit modules (relative names) and top-level third-party packages that ``name`` imports, anywhere."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name if not a.name.startswith("segkit") else a.name[7:] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
                found |= {module} | {f"{module}.{a.name}".strip(".") for a in node.names}
            elif node.module and node.module.startswith("segkit"):
                module = node.module[7:]
                found |= {module} | {f"{module}.{a.name}".strip(".") for a in node.names}
            elif node.module:
                found.add(node.module)
    return found


def _own(target: str) -> str | None:
    """The segkit module a dotted import name points at (a name imported from a module maps to it)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target if target in MODULES else None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges = {_own(t) for t in _imports(name, path)} - {None, name, ""}
        graph[name] = {t for t in edges if not name.startswith(t + ".")}  # a child importing its package
    return graph


def _layer(name: str) -> int:
    best, rank = -1, len(LAYERS) - 1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def test_no_import_cycles():
    graph, index, low, stack, on, cycles = _graph(), {}, {}, [], set(), []

    def visit(v, counter=[0]):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_layers_are_respected():
    wrong = [f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
             for name, targets in _graph().items() for target in targets if _layer(target) > _layer(name)]
    assert not wrong, "\n".join(wrong)


def test_computation_never_draws():
    low = _layer("plots")
    wrong = [f"{name} imports {t}" for name, path in MODULES.items() if _layer(name) < low and name != "kernel"
             for t in _imports(name, path) if t.split(".")[0] in DRAWING]
    assert not wrong, "\n".join(wrong)


def _is_kind_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in KINDS


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.startswith("kinds") and n != "config"))
def test_no_kind_is_named_outside_its_folder(name):
    source = MODULES[name].read_text(encoding="utf-8")
    assert "data_kind ==" not in source and "data_kind !=" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op in operands:
                elements = op.elts if isinstance(op, (ast.Tuple, ast.List, ast.Set)) else [op]
                assert not any(_is_kind_name(e) for e in elements), f"{name}:{node.lineno} branches on a data kind"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_are_small(name):
    source = MODULES[name].read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{name} has {len(source.splitlines())} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            doc = first.end_lineno - first.lineno + 1 if isinstance(first, ast.Expr) and isinstance(
                getattr(first, "value", None), ast.Constant) and isinstance(first.value.value, str) else 0
            length = node.end_lineno - node.lineno + 1 - doc
            assert length <= MAX_FUNCTION_LINES, f"{name}.{node.name} has {length} lines (without its docstring)"
