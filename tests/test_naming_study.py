"""The naming study (bench/naming_study.py): planted segments of constructed customer tables get names that
state their planted feature in plain words, no average name off average, no mirror pairs or near duplicates."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "naming_study.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("naming_study", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(study):
    return study.run_study(seed=0)


def test_at_least_five_designs(study, results):
    assert len(study.DESIGNS) >= 5 and results["design"].nunique() >= 5


def test_names_state_the_planted_feature(results):
    assert results["states feature"].mean() >= 0.9, results[["planted", "name"]].to_string()


def test_no_average_name_mirror_pair_or_near_duplicate(results):
    assert not results["average name off average"].any()
    assert not results["mirror pair"].any()
    assert not results["near duplicate"].any()


def test_names_are_plain_words(results):
    for name in results["name"]:
        assert "_" not in name and "High-" not in name and "Shoppers" not in name, name


def test_the_checks_catch_what_they_look_for(study):
    assert study._mirror("Customers with high A and low B", "Customers with low A and high B")
    assert not study._mirror("Customers with many claims", "Customers with few claims")
    assert not study._mirror("Customers with many claims and high premium", "Customers with many claims and low premium")
    assert study._near_duplicate("Customers with many claims", "Customers with many claim")
    assert not study._near_duplicate("Customers with many claims", "Customers with few claims")
