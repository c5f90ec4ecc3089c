"""The whole batch on the small customers params: every notebook runs, artifacts and scored rows are there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from segkit.config import load_params
from segkit.report import run

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "customers_smoke.yaml"

pytestmark = pytest.mark.slow


def _errors(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" or (out.get("output_type") == "stream"
                                                         and out.get("name") == "stderr"
                                                         and "Traceback" in "".join(out.get("text", ""))):
                    found.append(f"{path.name}: {out.get('ename')}: {out.get('evalue')}")
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = run([PARAMS], out_dir=out, notebooks_dir=ROOT / "notebooks", say=lambda _: None)
    return result, load_params(PARAMS)[0]


def test_every_notebook_runs_without_error(batch):
    result, _ = batch
    assert result.ok, result.error
    assert not _errors(result.folder)
    names = {p.stem for p in result.folder.glob("*.ipynb")}
    assert {"01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile", "06_score"} <= names
    for name in names:
        assert (result.folder / f"{name}.html").is_file() and (result.folder / f"{name}.analyst.html").is_file()


def test_artifacts(batch):
    result, params = batch
    art = result.folder / "artifacts"
    for name in ("clean.parquet", "cleaning_log.json", "features.parquet", "features_meta.json", "k_summary.json",
                 "hierarchy.json", "segments.csv", "profiles.json", "segments_summary.json",
                 "categorical_profile.csv", "model/model.skops", "model/metadata.json", "scored.csv"):
        assert (art / name).is_file(), name
    rows = json.loads((art / "input.json").read_text())["rows"]
    segments = pd.read_csv(art / "segments.csv", dtype=str)
    assert len(segments) == rows == 600 and segments["customer_id"].is_unique
    assert segments["segment_name"].notna().all()
    hierarchy = json.loads((art / "hierarchy.json").read_text())
    assert "ward" in json.dumps(hierarchy) and "single" in json.dumps(hierarchy)


def test_06_scores_new_customers(batch):
    result, params = batch
    art = result.folder / "artifacts"
    scored = pd.read_csv(art / "scored.csv", dtype={"customer_id": str})
    assert len(scored) == params.score_rows and scored["customer_id"].notna().all()
    codes = set(pd.read_csv(art / "segments.csv")["segment_code"])
    assert set(scored["segment_code"]) <= codes and scored["confidence"].between(0, 1).all()
    page = (result.folder / "06_score.html").read_text(encoding="utf-8")
    assert "New customers" in page and "interactive explorer is off" in page
    # shares as the cards write them ("19.5%"), not numbers under a "Share %" header ("19.50")
    top = scored["segment_code"].value_counts()
    assert f">{100 * top.iloc[0] / len(scored):.1f}%</td>" in page and "Share %" not in page


def test_interactive_explorer_leaves_the_report_readable(batch):
    result, _ = batch
    again = run([PARAMS], out_dir=result.folder.parent, notebooks_dir=ROOT / "notebooks", only=["06_score"],
                force=True, say=lambda _: None, overrides={"interactive": True})
    assert again.ok, again.error
    executed = json.loads((again.folder / "06_score.ipynb").read_text(encoding="utf-8"))
    bundles = [o.get("data", {}) for c in executed["cells"] for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in b for b in bundles)  # JupyterLab gets the widget
    page = (again.folder / "06_score.html").read_text(encoding="utf-8")
    assert "open this notebook in JupyterLab" in page and "VBox(" not in page and "widget-view" not in page


def test_a_notebook_run_again_keeps_the_other_pages_on_the_run_page(batch):
    """`segkit run --only 05_profile --force` wrote an index that linked 05 alone, beside the folder's other pages.
    Now the index links every page, says which the earlier run made, and which read 05's results (06 and 07, not
    04, which reads 03's) and may no longer match them."""
    result, _ = batch
    before = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    pages = set(before["timings"]["notebooks"]) | set(before.get("kept", {}))
    again = run([PARAMS], out_dir=result.folder.parent, notebooks_dir=ROOT / "notebooks", only=["05_profile"],
                force=True, say=lambda _: None)
    assert again.ok, again.error
    manifest = json.loads((again.folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["timings"]["notebooks"]) == {"05_profile"}
    kept = manifest["kept"]
    assert set(kept) == pages - {"05_profile"} and {"01_eda", "04_dendrogram", "06_score", "07_explain"} <= pages
    assert all(t["made_at"] and t["made_at"] <= manifest["timings"]["started_at"] for t in kept.values())
    assert {name for name, t in kept.items() if t["reads_again"]} == {"06_score", "07_explain"}
    text = (again.folder / "index.html").read_text(encoding="utf-8")
    links = re.findall(r"<li><a href='(\d\d_\w+)\.html'>.*?</li>", text)
    assert links == sorted(pages), links
    line = {name: re.search(rf"<li><a href='{name}\.html'>.*?</li>", text).group(0) for name in links}
    assert "made by the earlier run" not in line["05_profile"]
    for name in ("01_eda", "04_dendrogram"):
        assert "made by the earlier run of" in line[name] and "run again" not in line[name]
    for name in ("06_score", "07_explain"):
        assert f"from the results of 05_profile before it was run again: it may not match them; run it again too " \
               f"(--only {name})" in line[name]


def test_each_notebook_reads_the_results_of_those_it_waits_for():
    from segkit.report.runner import _upstream, discover_notebooks

    reads = _upstream(discover_notebooks(ROOT / "notebooks", "transactions"))
    assert reads["02_features"] == {"01_eda"} and reads["03_select_k"] == {"01_eda", "02_features"}
    assert reads["08_churn"] == {"01_eda", "02_features"}  # 02 only in an engine, where it waits for it
    assert reads["04_dendrogram"] == {"01_eda", "02_features", "03_select_k"}
    assert {"03_select_k", "08_churn", "10_value"} <= reads["05_profile"]  # its cards' churn risk and value
    assert "05_profile" in reads["07_explain"] and "05_profile" not in reads["08_churn"] | reads["10_value"]


def test_kept_pages_stay_out_of_step_run_after_run_and_survive_a_hand_edited_manifest(tmp_path):
    """A second `--only` run kept 07's warning only against its own notebooks (07 read 05's results from before
    05 was run again, and still does); a manifest edited by hand must not fail a run whose notebooks all ran."""
    from segkit.report.index import _working_s
    from segkit.report.lifecycle import earlier_manifest, kept_pages

    for name in ("01_eda", "05_profile", "06_score", "07_explain"):
        (tmp_path / f"{name}.html").write_text("<html></html>")
    reads = {"05_profile": {"01_eda"}, "06_score": {"01_eda", "05_profile"}, "07_explain": {"01_eda", "05_profile"}}
    first = {"timings": {"started_at": "2026-12-01T10:00:00+00:00",
                         "notebooks": {n: {"execute_s": 1.0} for n in reads | {"01_eda": set()}}}, "kept": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(first))
    kept = kept_pages(tmp_path, run=["05_profile"], earlier=earlier_manifest(tmp_path), reads=reads)
    assert {n: k["reads_again"] for n, k in kept.items()} == {"01_eda": [], "06_score": ["05_profile"],
                                                             "07_explain": ["05_profile"]}
    # the manifest of that run (--only 05_profile), then --only 06_score
    second = {"timings": {"started_at": "2026-12-02T10:00:00+00:00", "notebooks": {"05_profile": {}}}, "kept": kept}
    (tmp_path / "manifest.json").write_text(json.dumps(second))
    again = kept_pages(tmp_path, run=["06_score"], earlier=earlier_manifest(tmp_path), reads=reads)
    assert again["07_explain"]["reads_again"] == ["05_profile"] and again["07_explain"]["made_at"].startswith("2026-12-01")
    assert again["05_profile"] == {"made_at": "2026-12-02T10:00:00+00:00", "reads_again": []}
    assert again["01_eda"]["made_at"].startswith("2026-12-01") and "06_score" not in again
    for broken in ('{"timings": "x"}', '{"timings": {"notebooks": ["07_explain"]}}', "[1, 2]", "{", '{"kept": 3}'):
        (tmp_path / "manifest.json").write_text(broken)
        assert earlier_manifest(tmp_path) is None, broken
    assert kept_pages(tmp_path, run=["05_profile"], earlier=None, reads=reads) == {}
    assert _working_s({"execute_s": "n/a"}) == 0.0 and _working_s({"execute_s": 2.5, "waited_s": 0.5}) == 2.0


def test_a_kept_page_says_when_its_notebook_is_gone_or_what_it_reads_did_not_finish(tmp_path):
    """A kept page whose notebook was removed from `notebooks/` was linked and never marked; one that reads the
    results of a notebook that failed when `--only` ran it again said "before it was run again", as if it had run."""
    from segkit.report.index import _report_links
    from segkit.report.lifecycle import earlier_manifest, kept_pages

    for name in ("01_eda", "05_profile", "07_explain", "09_retired"):
        for suffix in ("html", "analyst.html"):
            (tmp_path / f"{name}.{suffix}").write_text("<html><title>T</title></html>")
    reads = {"01_eda": set(), "05_profile": {"01_eda"}, "07_explain": {"01_eda", "05_profile"}}
    first = {"timings": {"started_at": "2026-12-01T10:00:00+00:00",
                         "notebooks": {n: {"execute_s": 1.0} for n in [*reads, "09_retired"]}}, "kept": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(first))
    present = {*reads, "09_compare"}  # the notebooks' folder: 09_retired was removed
    kept = kept_pages(tmp_path, run=["05_profile"], earlier=earlier_manifest(tmp_path), reads=reads, present=present)
    assert kept["09_retired"]["gone"] and not any(kept[n].get("gone") for n in ("01_eda", "07_explain"))
    assert "gone" not in kept_pages(tmp_path, run=["05_profile"], earlier={**first, "kept": kept}, reads=reads,
                                    present={*present, "09_retired"})["09_retired"]  # its notebook is back
    # a notebook still in the folder that this run leaves out (09_compare without a reference) is not gone
    (tmp_path / "09_compare.html").write_text("<html></html>")
    first["timings"]["notebooks"]["09_compare"] = {"execute_s": 1.0}
    (tmp_path / "manifest.json").write_text(json.dumps(first))
    assert "gone" not in kept_pages(tmp_path, run=["05_profile"], earlier=earlier_manifest(tmp_path), reads=reads,
                                    present=present)["09_compare"]
    kept.pop("09_compare", None)

    def lines(status: str, timed: dict) -> dict[str, str]:
        manifest = {"status": status, "timings": {"notebooks": timed}, "kept": kept}
        text = _report_links(tmp_path, manifest, ["01_eda", "05_profile", "07_explain", "09_retired"])
        return {n: re.search(rf"<li><a href='{n}\.html'>.*?</li>", text).group(0) for n in reads | {"09_retired": 0}}

    done = lines("ok", {"05_profile": {"execute_s": 2.0}})
    assert "no longer among this run's notebooks (removed or renamed): it may not match" in done["09_retired"]
    assert "color:#b42318" in done["09_retired"] and "run again" not in done["01_eda"]
    assert "from the results of 05_profile before it was run again: it may not match them" in done["07_explain"]
    for status, timed in (("failed in 05_profile", {"05_profile": {"execute_s": 0.4}}),
                          ("interrupted in 05_profile", {})):
        failed = lines(status, timed)["07_explain"]
        assert "from the results of 05_profile, which did not finish when run again: it may not match them; run it " \
               "again too (--only 07_explain)" in failed, failed
        assert "before it was run again" not in failed
    # only the notebook that did not finish is said not to have finished
    from segkit.report.out_of_step import kept_note

    both = kept_note("07_explain", {"made_at": "2026-12-01T10:00", "reads_again": ["01_eda", "05_profile"]},
                     {"05_profile"})
    assert ("from the results of 01_eda before it was run again and the results of 05_profile, which did not finish "
            "when run again: it may not match them") in both


def test_the_notebooks_present_are_every_notebook_in_the_folder_whatever_a_run_leaves_out(tmp_path):
    from segkit.report.runner import _present

    for name in ("01_eda", "09_compare"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    (tmp_path / "notes.md").write_text("")
    assert _present(tmp_path) == {"01_eda", "09_compare"}
    assert {"01_eda", "05_profile", "09_compare"} <= _present(ROOT / "notebooks")  # 09 runs only with a reference
