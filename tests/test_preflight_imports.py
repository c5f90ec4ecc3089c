"""Checking an input loads none of the modelling or plotting libraries (``segkit/preflight.py``).

``segkit run`` checks the input in its own process before the first notebook starts, while the kernels' server
imports scikit-learn, SciPy and matplotlib for the notebooks: the check must not import them again (about 1 s of
CPU on a two-core machine, before the first notebook can start). ``segkit check`` is quicker for it too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy.stats", "matplotlib", "seaborn", "skops")

CHECK = r"""
import json, sys
sys.modules["rfc3987_syntax"] = None  # as the CLI does
from segkit.config import load_params
from segkit.report.runner import plan
info, notebooks, _ = plan(load_params([sys.argv[1]])[0])
print(json.dumps({"loaded": [m for m in json.loads(sys.argv[2]) if m in sys.modules],
                  "rows": info["rows"], "notebooks": len(notebooks)}))
"""


@pytest.mark.parametrize("params", ["smoke.yaml", "customers_smoke.yaml", "acs_smoke.yaml"])
def test_checking_the_input_loads_no_modelling_library(params):
    out = subprocess.run([sys.executable, "-c", CHECK, str(ROOT / "params" / params), json.dumps(HEAVY)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["rows"] > 0 and result["notebooks"] >= 6  # the input was read, cleaned and its features built
    assert result["loaded"] == []
