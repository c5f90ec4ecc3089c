"""The runtime defaults ``import segkit`` sets (``segkit/__init__.py``).

pyarrow's allocator reads ``MIMALLOC_ARENA_EAGER_COMMIT`` once, when pyarrow loads: segkit's default only holds if
importing segkit sets it and loads neither pyarrow nor pandas (which loads pyarrow). A value the user set is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

VAR = "MIMALLOC_ARENA_EAGER_COMMIT"
SCRIPT = """
import os, sys
import {module}
print(os.environ.get({var!r}), "pyarrow" in sys.modules, "pandas" in sys.modules)
"""


@pytest.mark.parametrize("module", ["segkit", "segkit.cli", "segkit.report.forkserver"])
@pytest.mark.parametrize("given, expected", [(None, "0"), ("1", "1")])
def test_importing_segkit_sets_the_allocator_default_before_pyarrow_loads(module, given, expected):
    env = {k: v for k, v in os.environ.items() if k != VAR}
    if given is not None:
        env[VAR] = given
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(module=module, var=VAR)], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == [expected, "False", "False"]
