"""The examples in the docs run: every doctest of the package and the README's Python example."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import segkit

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["segkit", *sorted(m.name for m in pkgutil.walk_packages(segkit.__path__, "segkit."))]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_package_docstring_has_a_runnable_example():
    assert doctest.testmod(segkit).attempted >= 4


def test_readme_python_example(monkeypatch, mall_csv):
    block = re.search(r"## Python API.*?```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    s = namespace["s"]
    assert len(s.assignments) == 200 and s.assignments["segment_code"].str.match(r"S\d\d").all()
    assert set(s.assignments["segment_name"]) == set(s.profiles.names.values())
