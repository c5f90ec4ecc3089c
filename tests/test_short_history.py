"""Transactions too short for churn: ``segkit check`` warns, and the batch leaves ``08_churn`` and ``10_value`` out,
says why on the terminal, in the manifest and on the run's page, and finishes the rest; ``--only 08`` stops at once.

The input is the first 23 days of the bundled Online Retail lines (1-23 December 2010), too few for the default
churn horizon of 90 days with purchases before it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from batch_fixtures import ROOT, run_batch
from segkit import pipeline
from segkit.cli import main
from segkit.config import load_params

pytestmark = pytest.mark.slow

WHY = ("the data cover 23 days (2010-12-01 to 2010-12-23), too few to see who stops buying over a churn horizon of "
       "90 days with purchases before it. Fix: set churn_horizon_days to 11 or less")


@pytest.fixture(scope="module")
def december(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("december")
    lines = pd.read_parquet(ROOT / "data" / "online_retail.parquet")
    lines[lines["InvoiceDate"] < "2010-12-24"].to_parquet(folder / "december.parquet", index=False)
    params = folder / "december.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\nrun_name: december\n"
                      f"data_path: {folder / 'december.parquet'}\n")
    return params


def test_check_warns_and_names_what_the_run_leaves_out(december, capsys):
    info = pipeline.preflight(load_params(december)[0])
    assert {need: exc.message for need, exc in info["cannot_run"].items()} == {"churn": WHY, "value": WHY}
    assert main(["check", str(december)]) == 0
    out = capsys.readouterr().out
    assert "warning: churn: the data cover 23 days" in out and "a run leaves out the notebook that needs it" in out
    assert "(to keep it: set churn_horizon_days to 11 or less)" in out
    assert ("a run would execute 6 notebooks: 01_eda, 02_features, 03_select_k, 04_dendrogram, 05_profile, "
            "07_explain (left out: 08_churn, 10_value)") in out


def test_check_only_checks_the_notebooks_named(december, capsys):
    assert main(["check", str(december), "--only", "01", "02", "03", "05"]) == 0
    out = capsys.readouterr().out
    assert "churn" not in out and "a run would execute 4 notebooks: 01_eda, 02_features, 03_select_k, 05_profile" in out
    assert main(["check", str(december), "--only", "08"]) == 2
    assert f"segkit: {WHY}" in capsys.readouterr().err


def test_the_batch_leaves_churn_and_value_out_and_says_why(december, tmp_path):
    said: list[str] = []
    result = run_batch(december, tmp_path, say=said.append)
    assert result.ok, result.error
    assert any(line.endswith(f"08_churn left out: {WHY}") for line in said)
    # the number of segments is said once, in the rationale's own words
    assert [line.split("] ", 1)[1][:43] for line in said if "chosen automatically" in line] == [
        "3 segments, chosen automatically. The data "]
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["left_out"] == {"08_churn": WHY, "10_value": WHY}
    assert not {"08_churn", "10_value"} & set(manifest["timings"]["notebooks"])
    assert not (result.folder / "08_churn.html").exists() and not (result.folder / "artifacts" / "churn.csv").exists()
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    assert f"08_churn: left out of this run: {WHY}" in index and f"10_value: left out of this run: {WHY}" in index
    segments = pd.read_csv(result.folder / "artifacts" / "segments.csv")
    assert list(segments.columns) == ["customer_id", "segment_code", "segment_name", "distance_to_centre"]
    profile = (result.folder / "05_profile.html").read_text(encoding="utf-8")
    # the sections of what was left out go with it: no "Churn risk by segment" heading over nothing
    assert "Segment sizes" in profile and "Churn risk by segment" not in profile
    assert "Expected value by segment" not in profile
    again = run_batch(december, tmp_path, only=["05"])  # the run folder has no churn page: still no such section
    assert again.ok, again.error
    profile = (again.folder / "05_profile.html").read_text(encoding="utf-8")
    assert "Segment sizes" in profile and "Churn risk by segment" not in profile


def test_only_naming_churn_stops_before_any_notebook(december, tmp_path, capsys):
    assert main(["run", str(december), "--only", "08", "--out", str(tmp_path)]) == 2
    assert f"segkit: {WHY}" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
