"""Run history (issue 14): ``segkit runs`` and ``reports/index.html`` list every run of a reports folder from
the manifests, failed and unfinished runs included, with every name escaped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from segkit.cli import main
from segkit.report.history import list_runs, write_runs_index
from segkit.report.runfolder_safety import MARKER

HOSTILE = "<script>alert(1)</script>"


def _run(out: Path, folder: str, *, status="ok", started="2026-11-01T09:00:00+00:00", segments=("Champions", "At Risk"),
         run_name=None, error=None, params=None) -> Path:
    path = out / folder
    (path / "artifacts").mkdir(parents=True)
    manifest = {"status": status, "error": error, "run_name": run_name or folder.removesuffix(".failed"),
                "data_kind": "transactions", "params": {"data_kind": "transactions", **(params or {})},
                "input": {"hash": "sha256:" + "ab" * 32}, "row_counts": {"input": 12345, "segmented": 4000},
                "timings": {"started_at": started}}
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / "index.html").write_text("<html></html>")
    if segments:
        (path / "artifacts" / "segments_summary.json").write_text(json.dumps(
            {"segments": [{"code": f"S{i + 1:02d}", "name": n} for i, n in enumerate(segments)]}))
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _folder(tmp_path: Path) -> Path:
    out = tmp_path / "reports"
    _run(out, "march", started="2026-03-01T10:00:00+00:00")
    _run(out, "april", started="2026-04-01T10:00:00+00:00", segments=("Champions", HOSTILE))
    _run(out, "april.failed", status="failed in 03_select_k", started="2026-04-02T10:00:00+00:00", segments=(),
         error="segkit segmentation error: k_max=40 is more than the 12 customers")
    partial = out / f".may.partial-{_dead_pid()}"
    partial.mkdir()
    (partial / MARKER).write_text("{}")
    (partial / "params.json").write_text(json.dumps({"data_kind": "customers"}))
    (out / "notes").mkdir()  # not a run: no manifest, no marker
    (out / "README.md").write_text("# Runs")
    return out


def test_list_runs_reads_every_manifest_newest_first(tmp_path):
    runs = list_runs(_folder(tmp_path))
    assert [r["folder"] for r in runs][:3] == ["april.failed", "april", "march"]
    assert runs[-1]["name"] == "may" and runs[-1]["status"] == "interrupted (partial outputs)"
    assert runs[-1]["data_kind"] == "customers" and runs[-1]["index"] is None
    failed = runs[0]
    assert failed["name"] == "april" and failed["status"] == "failed in 03_select_k" and "k_max=40" in failed["error"]
    march = runs[2]
    assert march["status"] == "complete" and march["rows"] == 12345 and march["k"] == 2
    assert march["segments"] == ["S01 Champions", "S02 At Risk"] and march["index"] == "march/index.html"
    assert march["date"] == "2026-03-01 10:00:00" and march["input_hash"].startswith("sha256:abab")


def test_segkit_runs_prints_a_table_including_the_failed_run(tmp_path, capsys):
    out = _folder(tmp_path)
    assert main(["runs", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["Run", "Status", "Started"]
    assert any("april" in line and "failed in 03_select_k" in line for line in lines)
    assert any(line.startswith("march ") and "complete" in line and "12,345" in line
               and "S01 Champions, S02 At Risk" in line for line in lines)
    assert "sha256:abababababab" in text and "ab" * 20 not in text  # the hash is shortened
    assert len(lines) == 2 + 4


def test_segkit_runs_json(tmp_path, capsys):
    out = _folder(tmp_path)
    assert main(["runs", "--out", str(out), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in runs} == {"complete", "failed in 03_select_k", "interrupted (partial outputs)"}


def test_an_empty_or_missing_folder_lists_nothing(tmp_path, capsys):
    assert main(["runs", "--out", str(tmp_path / "none")]) == 0
    assert f"no runs: there is no folder {tmp_path / 'none'}" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert main(["runs", "--out", str(tmp_path / "empty")]) == 0
    assert capsys.readouterr().out == "no runs here yet\n"


def test_a_broken_manifest_does_not_hide_the_others(tmp_path):
    out = _folder(tmp_path)
    (out / "march" / "manifest.json").write_text("{not json")
    (out / "march" / MARKER).write_text("{}")
    runs = {r["folder"]: r for r in list_runs(out)}
    assert runs["march"]["status"] == "no manifest" and runs["april"]["status"] == "complete"


def test_runs_index_lists_every_run_with_links_and_escapes_names(tmp_path):
    out = _folder(tmp_path)
    _run(out, "odd name & co", run_name=f"odd {HOSTILE}", started="2026-01-01T00:00:00+00:00")
    page = write_runs_index(out).read_text(encoding="utf-8")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert "<script" not in page.lower()
    links = re.findall(r"href='([^']*)'", page)
    assert links == ["april.failed/index.html", "april/index.html", "march/index.html", "odd%20name%20%26%20co/index.html"]
    assert "failed in 03_select_k" in page and "interrupted" in page and "5 runs in this folder, 2 of them not complete" in page
    assert "Content-Security-Policy" in page
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["README.md", "index.html"]  # no temporary file


def test_a_comparison_is_listed_as_one_with_the_two_runs_it_compares(tmp_path, capsys):
    out = _folder(tmp_path)
    compare = _run(out, "compare_march_vs_april", started="2026-05-01T10:00:00+00:00", segments=(),
                   params={"reference": str(out / "march"), "compare_run": str(out / "april")})
    manifest = json.loads((compare / "manifest.json").read_text())
    manifest.update(input={"hash": None}, row_counts={"input": None, "segmented": None})  # as segkit compare writes it
    (compare / "manifest.json").write_text(json.dumps(manifest))
    row = list_runs(out)[0]
    assert row["compares"] == ["march", "april"] and row["data_kind"] == "transactions"
    assert all(r["compares"] == [] for r in list_runs(out)[1:])
    assert main(["runs", "--out", str(out)]) == 0
    line = next(li for li in capsys.readouterr().out.splitlines() if li.startswith("compare_march_vs_april"))
    assert line.endswith("compares march with april") and "transactions (comparison)" in line
    page = write_runs_index(out).read_text(encoding="utf-8")
    assert "<li>compares march with april</li>" in page and "<td>transactions (comparison)</td>" in page
    row = re.search(r"<tr><td><a href='compare_march_vs_april/index.html'>.*?</tr>", page).group(0)
    assert row.endswith("<td class='sk-muted'>–</td></tr>")  # no input of its own: a dash, as for rows and k


def test_a_run_that_did_not_complete_lists_no_segments_and_an_interrupted_one_says_so(tmp_path, capsys):
    """05_profile wrote the segments, then 07 was interrupted: the run has no result to list."""
    out = tmp_path / "reports"
    _run(out, "june.failed", status="interrupted in 07_explain", started="2026-06-01T10:00:00+00:00",
         error="the run was interrupted during 07_explain")
    _run(out, "july.failed", status="failed in 08_churn", started="2026-07-01T10:00:00+00:00")
    runs = {r["name"]: r for r in list_runs(out)}
    assert runs["june"]["status"] == "interrupted in 07_explain" and runs["june"]["segments"] == []
    assert runs["july"]["segments"] == [] and runs["july"]["k"] is None
    assert main(["runs", "--out", str(out)]) == 0
    assert "Champions" not in capsys.readouterr().out


def test_drop_strays_removes_only_this_process_partial_folders_without_their_marker(tmp_path):
    """A notebook's thread may write into the partial folder after an interrupted run was moved to .failed."""
    import os

    from segkit.report.lifecycle import drop_strays

    out = tmp_path / "reports"
    stray, kept, other = (out / f".may.partial-{os.getpid()}", out / f".june.partial-{os.getpid()}",
                          out / f".july.partial-{_dead_pid()}")
    for folder in (stray, kept, other):
        (folder / "artifacts").mkdir(parents=True)
        (folder / "03_select_k.ipynb").write_text("{}")
    (kept / MARKER).write_text("{}")  # outputs that could not be moved: the run's message names this folder
    drop_strays(out)
    assert not stray.exists() and kept.is_dir() and other.is_dir()
