"""A small, seeded run of bench/fuzz_inputs.py: corrupted real inputs give a result or a segkit error, never
another exception. The full run (600+ variants) is ``python bench/fuzz_inputs.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_inputs", ROOT / "bench" / "fuzz_inputs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _report(result) -> str:
    return "\n".join(f"case {f['case']} ({f['source']}; {', '.join(f['corruptions'])}): {f['error']} at {f['where']}"
                     f"  -> python bench/fuzz_inputs.py --repro {f['case']}" for f in result["failures"])


@pytest.mark.parametrize("kind, n, needs", [
    ("transactions", 20, "online_retail/by-day"),
    ("customers", 20, "mall_customers/Mall_Customers.csv"),
    ("demographics", 12, "opensegments_delaware/delaware.csv"),
])
def test_corrupted_inputs_give_a_result_or_a_segkit_error(fuzz, shared_data, kind, n, needs):
    shared_data(needs)
    result = fuzz.fuzz(n, seed=11, kinds={kind}, say=lambda text: None)
    assert sum(result["counts"].values()) == n
    assert result["counts"]["ok"] > 0  # most damage still leaves a usable table
    assert not result["failures"], _report(result)


def test_the_harness_counts_other_exceptions_as_failures(fuzz, shared_data, monkeypatch):
    shared_data("mall_customers/Mall_Customers.csv")

    def broken(path, source):
        raise KeyError("a bug")

    monkeypatch.setattr(fuzz, "run_steps", broken)
    result = fuzz.fuzz(2, seed=0, kinds={"customers"}, say=lambda text: None)
    assert result["counts"] == {"OTHER KeyError": 2} and len(result["failures"]) == 2
    assert result["failures"][0]["case"] == 0 and "test_fuzz.py" in result["failures"][0]["where"]
    assert result["failures"][0]["segkit_frame"] == "?"  # not a known place: it would fail the test above


def test_variants_are_reproducible(fuzz, shared_data):
    shared_data("mall_customers/Mall_Customers.csv")
    source = fuzz.load_sources({"customers"})[0]
    assert fuzz.make_variant(source, 123) == fuzz.make_variant(source, 123)
    assert fuzz.make_variant(source, 123) != fuzz.make_variant(source, 124)
