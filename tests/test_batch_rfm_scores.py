"""One smoke batch with ``rfm_method: scores``: the segments, their names and the k page come from the grid."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from batch_fixtures import SMOKE_PARAMS, run_batch
from segkit.kinds.transactions.grid import load_rfm_grid


@pytest.fixture(scope="module")
def scores_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("rfm_scores")
    params = root / "scores.yaml"
    params.write_text(f"extends: {SMOKE_PARAMS}\nrun_name: rfm_scores\nrfm_method: scores\n", encoding="utf-8")
    result = run_batch(params, root / "reports")
    assert result.ok, f"the batch failed in {result.failed}: {result.error}"
    return result.folder


def test_every_segment_is_a_named_cell_of_the_grid(scores_run):
    art = scores_run / "artifacts"
    grid = load_rfm_grid()
    segments = pd.read_csv(art / "segments.csv", dtype=str)
    summary = json.loads((art / "segments_summary.json").read_text())
    names = [s["name"] for s in summary["segments"]]
    assert set(segments["segment_name"]) == set(names) and set(names) <= set(grid.names)
    assert names == [n for n in grid.names if n in names]  # S01 = the first name of the grid file that holds customers
    k = json.loads((art / "k_summary.json").read_text())
    assert k["rule"] and k["chosen_k"] == len(names) == segments["segment_code"].nunique()
    profile = (scores_run / "05_profile.html").read_text(encoding="utf-8")
    for name in names:
        assert grid.segment(name).action.split(";")[0] in profile.replace("&#x27;", "'").replace("&#39;", "'")


def test_the_k_page_and_index_say_the_segments_come_from_the_grid(scores_run):
    page = (scores_run / "03_select_k.html").read_text(encoding="utf-8")
    assert "come from the RFM score grid" in page and "No criterion was computed" in page
    assert "come from the RFM score grid" in (scores_run / "index.html").read_text(encoding="utf-8")


def test_the_saved_model_is_the_grid_and_gives_the_same_segments(scores_run):
    from segkit.modelio import load_model

    model, meta = load_model(scores_run / "artifacts" / "model")
    features = pd.read_parquet(scores_run / "artifacts" / "features.parquet")
    segments = pd.read_csv(scores_run / "artifacts" / "segments.csv", dtype=str)
    codes = {int(k): v for k, v in meta["segment_codes"].items()}
    predicted = [codes[s] for s in model.predict(features[list(model.feature_names_in_)])]
    assert type(model).__name__ == "RfmScoreGrid" and predicted == segments["segment_code"].tolist()
