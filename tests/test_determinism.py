"""Same params and seed, same bytes: segments.csv, profiles.json and features.parquet do not depend on the
thread count, in the library (threadpoolctl limits) or through the batch (OMP_NUM_THREADS of the parent)."""

from __future__ import annotations

import os
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
