"""The whole default batch on the smoke params: the notebook test of the backbone (issue 2)."""

from __future__ import annotations

import base64
import json
import re

import nbformat
import pandas as pd
import pytest

from batch_fixtures import smoke_run  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.slow

NOTEBOOKS = ["01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile"]


def test_every_notebook_ran_without_error(smoke_run):
    for name in NOTEBOOKS:
        nb = nbformat.read(smoke_run / f"{name}.ipynb", as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
        assert "run_dir" in nb.metadata["papermill"]["parameters"]
        assert (smoke_run / f"{name}.html").is_file() and (smoke_run / f"{name}.analyst.html").is_file()


def test_artifacts_present(smoke_run):
    art = smoke_run / "artifacts"
    for name in ["clean.parquet", "cleaning_log.json", "features.parquet", "k_selection.json", "hierarchy.json",
                 "segments.csv", "profiles.json", "model/model.skops", "model/metadata.json", "segment_map.png"]:
        assert (art / name).is_file(), name
    assert (smoke_run / "index.html").is_file() and (smoke_run / "manifest.json").is_file()
    # the profile page shows the segment map the index uses, drawn once
    saved = base64.b64encode((art / "segment_map.png").read_bytes()).decode()
    assert f'src="data:image/png;base64,{saved}"' in (smoke_run / "05_profile.html").read_text(encoding="utf-8")


def test_one_segment_row_per_customer(smoke_run):
    segments = pd.read_csv(smoke_run / "artifacts" / "segments.csv", dtype={"customer_id": str})
    features = pd.read_parquet(smoke_run / "artifacts" / "features.parquet")
    assert segments["customer_id"].is_unique
    assert set(segments["customer_id"]) == set(features.index.astype(str))
    # the bundled Online Retail data: 4,334 customers with at least one purchase after cleaning
    assert len(segments) == 4334
    assert list(segments.columns) == ["customer_id", "segment_code", "segment_name", "distance_to_centre",
                                      "expected_purchases", "p_alive", "expected_value", "clv",
                                      "kept_share"]  # from 10_value
    kept = segments["kept_share"]
    assert kept.between(0, 1).all() and (kept < 1).sum() > 1000 and (segments.loc[kept == 0, "clv"] == 0).all()
    assert segments.groupby("segment_code")["segment_name"].nunique().eq(1).all()
    assert segments["segment_name"].nunique() == segments["segment_code"].nunique()


def test_chosen_k_matches_segments_and_range(smoke_run):
    summary = json.loads((smoke_run / "artifacts" / "k_summary.json").read_text())
    segments = pd.read_csv(smoke_run / "artifacts" / "segments.csv")
    assert segments["segment_code"].nunique() == summary["chosen_k"]
    assert 3 <= summary["chosen_k"] <= 6 and summary["rationale"]


def test_manifest_records_the_run(smoke_run):
    m = json.loads((smoke_run / "manifest.json").read_text())
    assert m["status"] == "ok" and m["seed"] == 42
    assert m["input"]["hash"].startswith("sha256:") and m["row_counts"]["input"] == 541909
    assert m["row_counts"]["entities"] == 4334
    assert [s["rule"] for s in m["row_counts"]["cleaning_steps"]][:2] == ["duplicates", "missing_customer"]
    assert set(NOTEBOOKS) <= set(m["timings"]["notebooks"])
    assert {"pandas", "scikit-learn", "papermill"} <= set(m["versions"])
    model = json.loads((smoke_run / "artifacts" / "model" / "metadata.json").read_text())
    assert model["input_hash"] == m["input"]["hash"]  # one fingerprint of the input, wherever it is shown
    assert model["content_hash"].startswith("rows-sha256:")


def test_business_html_shows_no_code(smoke_run):
    for name in NOTEBOOKS:
        html = (smoke_run / f"{name}.html").read_text()
        # a batch injects the run's own params: no notebook finds them out of step with params.json
        assert "params.json" not in (smoke_run / f"{name}.analyst.html").read_text(), name
        assert "stages.start(run_dir" not in html and "import segkit" not in html
        assert not re.search(r'class="\s*highlight', html), f"{name}.html shows code"  # pygments' code blocks
        analyst = (smoke_run / f"{name}.analyst.html").read_text()
        assert re.search(r'class="\s*highlight', analyst), f"{name}.analyst.html shows no code"


def test_index_links_every_report_and_names_segments(smoke_run):
    html = (smoke_run / "index.html").read_text()
    for name in NOTEBOOKS:
        assert f"href='{name}.html'" in html
    names = pd.read_csv(smoke_run / "artifacts" / "segments.csv")["segment_name"].unique()
    for n in names:
        assert n.replace("'", "&#x27;") in html


def test_the_index_says_what_its_columns_of_scores_mean(smoke_run):
    """"Told apart (0 to 1)" and "Stability (0 to 1)" headed columns of numbers no page put in words."""
    html = (smoke_run / "index.html").read_text()
    said = html[html.index("</table>", html.index("<th>Told apart (0 to 1)</th>")):]
    said = said[:said.index("</p>")]
    for column in ("Stability", "At high risk of churn", "Share of expected value", "Told apart"):
        assert f"<strong>{column}</strong>: " in said, column
    assert "0.75 or more: stable" in said and "on customers it had not seen" in said


def test_a_log_scale_that_holds_negative_values_is_said_to_be_even_around_zero(smoke_run):
    """Net spend's box panel ticked -100, 0, 1k, 10k under a caption of "each labelled step multiplies the value by
    the same factor": around zero a symmetric log scale is even."""
    page = (smoke_run / "05_profile.html").read_text()
    assert "each labelled step multiplies the value by the same factor, except around zero on the scale of net " \
           "spend" in page
