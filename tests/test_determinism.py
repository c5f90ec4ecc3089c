"""Same params and seed, same bytes: segments.csv, profiles.json and features.parquet do not depend on the
thread count, in the library (threadpoolctl limits) or through the batch (OMP_NUM_THREADS of the parent); and
two whole runs of the smoke params differ only in declared timestamp and timing fields."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPARED = ("clean.parquet", "features.parquet", "k_selection.json", "k_summary.json", "segments.csv",
            "profiles.json", "segments_summary.json")


def _params(folder: Path, data: Path, name: str = "same") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\nrun_name: {name}\ndata_path: {data}\n")
    return path


def _library_run(run_dir: Path, params_file: Path, threads: int) -> Path:
    from threadpoolctl import threadpool_limits

    from segkit import pipeline, stages
    from segkit.config import load_params
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    params, _ = load_params(params_file)
    nb = RunContext(params=params, folder=RunFolder(run_dir).ensure())
    with threadpool_limits(limits=threads):
        raw = stages.eda.load(nb)
        cleaned, _ = stages.eda.clean(nb, raw)
        fs = stages.features.build_features(nb, cleaned)
        stages.select_k.select(nb)
        stages.profile.segment(nb, fs)
    return nb.folder.artifacts


def _same_bytes(a: Path, b: Path) -> None:
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"


def test_library_gives_the_same_bytes_with_one_or_two_threads(tmp_path, retail_input):
    params = _params(tmp_path, retail_input)
    one = _library_run(tmp_path / "one", params, threads=1)
    two = _library_run(tmp_path / "two", params, threads=2)
    _same_bytes(one, two)
    segments = pd.read_csv(one / "segments.csv")
    assert segments["segment_code"].nunique() >= 2 and len(segments) > 500  # a real segmentation, not a trivial one


def test_parquet_files_carry_no_run_specific_bytes(tmp_path):
    from segkit.io import RunFolder

    df = pd.DataFrame({"recency": [1, 5], "monetary": [10.5, 3.25]}, index=pd.Index(["a", "b"], name="customer_id"))
    df.attrs = {"snapshot_date": pd.Timestamp("2011-12-10"), "dropped_customers": ("x", "y"), "n": pd.NA}
    paths = [RunFolder(tmp_path / d).write_parquet("t.parquet", df) for d in ("a", "b")]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    back = pd.read_parquet(paths[0])
    assert back.attrs["snapshot_date"].startswith("2011-12-10") and back.attrs["dropped_customers"] == ["x", "y"]
    assert isinstance(df.attrs["snapshot_date"], pd.Timestamp)  # the caller's frame is left alone


@pytest.mark.slow
def test_batch_gives_the_same_bytes_whatever_the_parent_thread_count(tmp_path, retail_input):
    params = _params(tmp_path, retail_input)
    exe = Path(sys.executable).with_name("segkit")
    procs = {}
    for threads in ("1", "2"):  # both at once: also shows that two batches do not interfere
        env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        procs[threads] = subprocess.Popen([str(exe), "run", str(params), "--out", str(tmp_path / f"t{threads}"),
                                           "--only", "01", "02", "03", "05"], env=env, cwd=tmp_path,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for threads, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"OMP_NUM_THREADS={threads}: {err[-2000:]}"
    _same_bytes(tmp_path / "t1" / "same" / "artifacts", tmp_path / "t2" / "same" / "artifacts")


# Fields that record when the run happened or how long it took, and nothing else: the only bytes two runs of
# the same params may differ in.
TIMING_FIELDS = {
    "manifest.json": ["timings (seconds per notebook, total_s, started_at, finished_at)"],
    "*.ipynb": ["metadata.papermill.start_time/end_time/duration",
                "cells[].metadata.papermill.start_time/end_time/duration", "cells[].metadata.execution"],
    "*.html": ["appendix rows Started (UTC), Finished (UTC), Total time", "appendix table Timings",
               "the date in the meta line (Run <name> · <date> · <input>)"],
    "index.html": ["the seconds after each report's link", "the appendix fields above"],
}
_HTML_TIMING = [
    re.compile(r"<tr><th scope='row'>(?:Started \(UTC\)|Finished \(UTC\)|Total time)</th><td>[^<]*</td></tr>"),
    re.compile(r"<h3>Timings</h3><table>.*?</table>", re.S),
    re.compile(r"<span class='sk-muted'> · [0-9.]+s</span>"),
    re.compile(r"(Run [^ <]+ · )\d{1,2} [A-Z][a-z]+ \d{4}"),
]


def _without_timings(path: Path) -> bytes:
    """The file's bytes with the TIMING_FIELDS taken out (JSON re-serialised only where fields are dropped)."""
    data = path.read_bytes()
    if path.name == "manifest.json":
        manifest = json.loads(data)
        manifest.pop("timings")
        return json.dumps(manifest, sort_keys=True).encode()
    if path.suffix == ".ipynb":
        nb = json.loads(data)
        for cell_meta in [nb["metadata"]] + [c["metadata"] for c in nb["cells"]]:
            cell_meta.pop("execution", None)
            for key in ("start_time", "end_time", "duration"):
                cell_meta.get("papermill", {}).pop(key, None)
        return json.dumps(nb, sort_keys=True).encode()
    if path.suffix == ".html":
        text = data.decode("utf-8")
        for pattern in _HTML_TIMING:
            text = pattern.sub("", text)
        return text.encode("utf-8")
    return data


@pytest.mark.slow
def test_two_smoke_runs_give_identical_folders(tmp_path):
    """The smoke params run twice under the same name into the same --out: every file of the two run
    folders is byte-identical apart from the declared TIMING_FIELDS, the model folder included."""
    from segkit.report import run

    out = tmp_path / "site" / "reports"
    for i in (1, 2):
        result = run([ROOT / "params" / "smoke.yaml"], name="smoke", out_dir=out, notebooks_dir=ROOT / "notebooks",
                     say=lambda _: None)
        assert result.ok, result.error
        (tmp_path / "site").rename(tmp_path / f"run{i}")  # the next run writes to the same path
    one, two = tmp_path / "run1" / "reports" / "smoke", tmp_path / "run2" / "reports" / "smoke"
    files = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(two)) for p in two.rglob("*") if p.is_file())
    assert "artifacts/model/metadata.json" in files and len(files) > 30
    differ = [f for f in files if _without_timings(one / f) != _without_timings(two / f)]
    assert differ == []
    same_bytes = [f for f in files if (one / f).read_bytes() == (two / f).read_bytes()]
    assert {"artifacts/model/metadata.json", "artifacts/model/model.skops", "artifacts/segments.csv"} <= set(same_bytes)
    executed = json.loads((one / "05_profile.ipynb").read_text(encoding="utf-8"))
    final = str(tmp_path / "site" / "reports" / "smoke")  # where the run was moved into place, not .partial
    assert executed["metadata"]["papermill"]["parameters"]["run_dir"] == final
    injected = [c for c in executed["cells"] if c["id"] == "injected-parameters"]
    assert len(injected) == 1 and final in "".join(injected[0]["source"]) and ".partial" not in json.dumps(executed)
