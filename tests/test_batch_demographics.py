"""The whole batch on census areas (``params/acs_smoke.yaml``, the bundled Delaware table): the notebook
test of issue 3. The batch runs once per module."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from batch_fixtures import ROOT, acs_run  # noqa: F401  (pytest fixture, one run per session)

pytestmark = pytest.mark.slow

NOTEBOOKS = ["01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile"]
SMOKE = ROOT / "params" / "acs_smoke.yaml"
EXCLUDED = ["19710", "19716", "19732", "19733", "19735", "19736", "19902", "19931", "19936", "19955"]  # < 500




def _text(cell_outputs) -> str:
    parts = []
    for out in cell_outputs:
        data = out.get("data", {})
        parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")) + str(out.get("text", "")))
    return "".join(parts)


def test_every_notebook_ran_without_error(acs_run):
    for name in NOTEBOOKS:
        nb = nbformat.read(acs_run / f"{name}.ipynb", as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
        assert nb.metadata["papermill"]["parameters"]["run_dir"]
        assert (acs_run / f"{name}.html").is_file() and (acs_run / f"{name}.analyst.html").is_file()


def test_artifacts_present(acs_run):
    art = acs_run / "artifacts"
    for name in ["clean.parquet", "cleaning_log.json", "features.parquet", "features_meta.json", "k_summary.json",
                 "hierarchy.json", "segments.csv", "profiles.json", "model/model.skops", "final_segments.csv",
                 "area_key_facts.json", "excluded_areas.csv", "segment_map.png"]:
        assert (art / name).is_file(), name
    m = json.loads((acs_run / "manifest.json").read_text())
    assert m["status"] == "ok" and m["data_kind"] == "demographics"
    assert m["row_counts"]["input"] == 68 and m["row_counts"]["entities"] == 58


def test_final_segments_invariants(acs_run):
    k = json.loads((acs_run / "artifacts" / "k_summary.json").read_text())["chosen_k"]
    assert 2 <= k <= 5  # 25 asked for, capped at one segment per 10 of the 58 areas
    final = pd.read_csv(acs_run / "artifacts" / "final_segments.csv", dtype={"zcta": str})
    top_n = min(5, k)
    assert list(final.columns) == ["zcta", "segment_code", "segment_name", "score", "rank"]
    assert len(final) == 58 * top_n and final["zcta"].nunique() == 58
    assert final["zcta"].str.fullmatch(r"\d{5}").all() and not set(EXCLUDED) & set(final["zcta"])
    assert final["score"].between(0, 1).all()
    assert (final.groupby("zcta")["score"].sum() <= 1 + 1e-9).all()
    assert all(ranks == list(range(1, top_n + 1)) for ranks in final.groupby("zcta")["rank"].apply(list))
    assert final.groupby("segment_code")["segment_name"].nunique().eq(1).all()


def test_every_segment_has_a_unique_name_and_a_card(acs_run):
    summary = json.loads((acs_run / "artifacts" / "segments_summary.json").read_text())
    names = [s["name"] for s in summary["segments"]]
    codes = [s["code"] for s in summary["segments"]]
    assert len(names) == len(set(names)) and all(names) and names != codes
    assert not any(ch.isdigit() for n in names for ch in n)
    nb = nbformat.read(acs_run / "05_profile.ipynb", as_version=4)
    cards = next(_text(c.outputs) for c in nb.cells if c.cell_type == "code" and "stages.profile.cards" in c.source)
    for code, name in zip(codes, names):
        assert re.search(rf'sk-code">{code}<.*?<h3>{re.escape(name).replace("&", "&amp;")}</h3>',
                         cards.replace("&amp;", "&").replace("&", "&amp;")), f"no card for {code} {name}"
    assert cards.count('class="sk-card"') == len(codes)
    # a page titled "who they are and what to do" says why no card has an action, where none has
    assert ("Suggested action" in cards) != ("No segment here comes with a suggested action" in cards)
    facts = json.loads((acs_run / "artifacts" / "area_key_facts.json").read_text())
    assert [s["name"] for s in facts["segments"]] == names


def test_each_card_names_the_segments_most_typical_areas(acs_run):
    """A census segment's card said what its areas are like but not which they are: it now lists the five nearest
    its centre, in that order (segments.csv's distances), as the ids a reader knows them by."""
    page = (acs_run / "05_profile.html").read_text(encoding="utf-8")
    shown = {code: html.unescape(text) for code, text in re.findall(
        r'sk-code">(S\d+)</div>.*?<p class="sk-members"><strong>Typical areas:</strong> (.*?)</p>', page, re.S)}
    assigned = pd.read_csv(acs_run / "artifacts" / "segments.csv", dtype={"zcta": str})
    assert set(shown) == set(assigned["segment_code"])
    # a segment of fewer than five areas has no stability to show, on its card or in the index's table
    summary = json.loads((acs_run / "artifacts" / "segments_summary.json").read_text())
    for entry in summary["segments"]:
        small = entry["size"] < 5
        assert (entry["extra"] == "too few to measure") == small and (entry["extra"][:1].isdigit() != small)
        assert (f"Stability: too few areas ({entry['size']}) to measure" in page) or not small
    # the size line says how many areas; the strip of key facts no longer says it again ("Areas: 1 (index 9)")
    assert "<li>Areas:" not in page and page.count("<li>Population:") == len(shown)
    for code, group in assigned.groupby("segment_code"):
        nearest = group.sort_values(["distance_to_centre", "zcta"], kind="stable")["zcta"].head(5).tolist()
        listed, _, rest = shown[code].partition(" (")
        assert listed.split(", ") == nearest
        many = "the 5 closest to the segment's average; the others in segments.csv)"
        assert rest == ("its only area)" if len(group) == 1 else f"all {len(group)}, the most typical first)"
                        if len(group) <= 5 else many)


def test_excluded_areas_and_the_k_cap_are_recorded(acs_run):
    excluded = pd.read_csv(acs_run / "artifacts" / "excluded_areas.csv", dtype={"zcta": str})
    assert sorted(excluded["zcta"]) == EXCLUDED
    log = json.loads((acs_run / "artifacts" / "cleaning_log.json").read_text())
    listed = " ".join(s["note"] for s in log["steps"])
    assert all(z in listed for z in EXCLUDED)
    features = (acs_run / "02_features.html").read_text(encoding="utf-8")
    assert "10 areas were left out" in features
    notes = json.loads((acs_run / "artifacts" / "features_meta.json").read_text())["notes"]
    assert any("as many as 58 areas support" in n for n in notes) and any("filled with the median" in n for n in notes)
    assert all(z in " ".join(notes) for z in EXCLUDED)


def test_the_data_quality_page_lists_every_excluded_area(acs_run):
    eda = (acs_run / "01_eda.html").read_text(encoding="utf-8")
    missing = [z for z in EXCLUDED if z not in eda]
    assert not missing, f"excluded areas not listed in the cleaning log of 01_eda.html: {missing}"
    # the table of the input lists all 201 columns: pandas cut it to 10 rows and "201 rows × 5 columns" below
    assert "rows ×" not in eda
    assert '<th class="sk-text">updated_at</th>' in eda and '<th class="sk-text">median_year_built</th>' in eda
