"""Progress inside long steps (issue 18, item 4): throttled lines to the runner's file in a batch kernel,
nothing in plain Python, the same numbers either way, and the runner printing them on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.datasets import make_blobs

from segkit import progress
from segkit.progress import FILE_VAR, NOTEBOOK_VAR, track
from segkit.report import batch
from segkit.report.batch import show_progress
from segkit.select import select_k

ROOT = Path(__file__).resolve().parents[1]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_nothing_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(FILE_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert list(track(iter(range(5)), total=5, what="fold")) == [0, 1, 2, 3, 4]
    assert list(tmp_path.iterdir()) == []


def test_lines_are_written_and_throttled(tmp_path, monkeypatch):
    feed = tmp_path / "p.jsonl"
    monkeypatch.setenv(FILE_VAR, str(feed))
    monkeypatch.setenv(NOTEBOOK_VAR, "08_churn")
    clock = iter([0.0, 0.3, 0.6, 1.2, 1.4])  # the first, one a second later, and the last
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock, 99.0))
    assert list(track(range(5), what="fold")) == list(range(5))
    assert _lines(feed) == [{"notebook": "08_churn", "text": f"fold {i} of 5"} for i in (1, 4, 5)]


def test_unlimited_lines_when_unthrottled_and_a_generator_without_total(tmp_path, monkeypatch):
    feed = tmp_path / "p.jsonl"
    monkeypatch.setenv(FILE_VAR, str(feed))
    monkeypatch.setattr(progress, "INTERVAL_S", 0.0)
    assert list(track((x for x in "ab"), what="part")) == ["a", "b"]
    assert [e["text"] for e in _lines(feed)] == ["part 1", "part 2"]


def test_an_unwritable_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(FILE_VAR, str(tmp_path / "missing" / "p.jsonl"))
    assert list(track(range(3), what="k")) == [0, 1, 2]


def test_select_k_identical_with_and_without_progress(tmp_path, monkeypatch):
    X, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.6, random_state=1)
    kwargs = dict(k_max=5, gap_references=3, bootstrap=3, seed=2)
    monkeypatch.delenv(FILE_VAR, raising=False)
    plain = select_k(X, **kwargs)
    feed = tmp_path / "p.jsonl"
    monkeypatch.setenv(FILE_VAR, str(feed))
    monkeypatch.setattr(progress, "INTERVAL_S", 0.0)
    tracked = select_k(X, **kwargs)
    assert plain.scores.equals(tracked.scores)
    assert plain.per_segment_stability == tracked.per_segment_stability
    assert plain.recommended_k == tracked.recommended_k
    texts = [e["text"] for e in _lines(feed)]
    # the full fits of k = 2 to 5 (the gap statistic beside them, untracked)
    assert texts[:4] == [f"k {i} of 4" for i in range(1, 5)]
    assert texts[4].startswith("silhouette and stability, part 1 of ")
    assert texts[-1] == (f"silhouette and stability, part {texts[-1].split()[-1]} of "
                         f"{texts[-1].split()[-1]}")


def test_select_k_parallel_reports_in_order(tmp_path, monkeypatch):
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)
    feed = tmp_path / "p.jsonl"
    monkeypatch.setenv(FILE_VAR, str(feed))
    monkeypatch.setattr(progress, "INTERVAL_S", 0.0)
    serial = select_k(X, k_max=4, gap_references=2, bootstrap=2)
    parallel = select_k(X, k_max=4, gap_references=2, bootstrap=2, n_jobs=2)
    assert serial.scores.equals(parallel.scores)
    texts = [e["text"] for e in _lines(feed)]
    assert texts.count("k 3 of 3") == 2  # k = 2 to 4, serial and parallel


def test_runner_prints_the_new_lines_of_notebooks_running_long(tmp_path):
    feed = tmp_path / ".progress.jsonl"
    rows = [{"notebook": "03_select_k", "text": "k 1 of 9"}, {"notebook": "03_select_k", "text": "k 2 of 9"},
            {"notebook": "04_dendrogram", "text": "part 1 of 2"}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n" + '{"notebook": "03_sel', encoding="utf-8")
    said: list[str] = []
    started = {"03_select_k": 0.0, "04_dendrogram": 95.0}  # 04 has run 5 s only: quiet
    offset = show_progress(feed, 0, said.append, started, now=100.0)
    assert said == ["03_select_k: k 1 of 9", "03_select_k: k 2 of 9"]
    assert feed.read_bytes()[offset:] == b'{"notebook": "03_sel'  # the line still being written waits
    with open(feed, "a", encoding="utf-8") as fh:
        fh.write('ect_k", "text": "k 3 of 9"}\n')
    said.clear()
    assert show_progress(feed, offset, said.append, started, now=101.0) == feed.stat().st_size
    assert said == ["03_select_k: k 3 of 9"]
    said.clear()
    assert show_progress(feed, feed.stat().st_size, said.append, started, now=102.0) == feed.stat().st_size
    assert show_progress(tmp_path / "none.jsonl", 0, said.append, started) == 0
    assert said == []


@pytest.mark.slow
def test_smoke_batch_reports_select_k_progress(tmp_path, monkeypatch):
    from segkit.report import run

    monkeypatch.setattr(batch, "PROGRESS_AFTER_S", 0.0)
    said: list[str] = []
    result = run(ROOT / "params" / "smoke.yaml", out_dir=tmp_path, notebooks_dir=ROOT / "notebooks", force=True,
                 say=said.append)
    assert result.ok, result.error
    picked = [s for s in said if "] 03_select_k: k " in s]  # the runner puts the time first
    assert picked and all(" of " in s for s in picked), said
    assert not list(result.folder.rglob(".progress.jsonl"))
