"""Nothing is lost: atomic run folders, --force, <run>.failed, untouched inputs, and runs killed midway.

The batch tests run real notebooks on small real data, so they are marked slow; the folder rules are also
checked directly on :mod:`segkit.report.runner`'s helpers, which is fast.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from segkit.cli import main
from segkit.errors import RunError
from segkit.io import hash_path
from segkit.report import lifecycle, runner

ROOT = Path(__file__).resolve().parents[1]
SEGKIT = Path(sys.executable).with_name("segkit")
TINY = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,71053,WHITE METAL LANTERN,6,2010-12-02 09:00:00,3.39,17851.0,United Kingdom
536367,84406B,CREAM CUPID HEARTS COAT HANGER,8,2010-12-03 10:00:00,2.75,17852.0,France
536368,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,6,2010-12-05 11:00:00,3.39,17852.0,France
536369,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-06 12:00:00,7.65,17853.0,United Kingdom
536370,21730,GLASS STAR FROSTED T-LIGHT HOLDER,6,2010-12-07 13:00:00,4.25,17854.0,Germany
536371,22633,HAND WARMER UNION JACK,6,2010-12-08 14:00:00,1.85,17855.0,United Kingdom
"""

SEGKIT_MANIFEST = '{"status": "ok", "run_name": "earlier"}'  # what marks a folder as a segkit run for --force


def _params(folder: Path, name: str, data: Path, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\nrun_name: {name}\ndata_path: {data}\n{extra}")
    return path


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY)
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --------------------------------------------------------------------------------- fast: folder rules
def test_existing_run_folder_is_not_overwritten_without_force(tmp_path, tiny, capsys):
    out = tmp_path / "reports"
    (out / "tiny").mkdir(parents=True)
    (out / "tiny" / "index.html").write_text("an earlier run")
    assert main(["run", str(_params(tmp_path, "tiny", tiny)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "run folder" in err and "already exists" in err and "--force" in err and "Traceback" not in err
    assert (out / "tiny" / "index.html").read_text() == "an earlier run"
    assert sorted(p.name for p in out.iterdir()) == ["tiny"]


def test_partial_folders_of_dead_runs_are_removed(tmp_path):
    stale = tmp_path / f".smoke.partial-{_dead_pid()}"
    (stale / "artifacts").mkdir(parents=True)
    said = []
    final, tmp = lifecycle.prepare_folder(tmp_path, "smoke", force=False, only=None, say=said.append)
    assert not stale.exists() and tmp.name == f".smoke.partial-{os.getpid()}"
    assert said == [f"removed {stale.name}, left by a run that was killed"]
    assert not final.exists()


def test_a_live_run_of_the_same_name_is_not_raced(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".smoke.partial-{sleeper.pid}"
        live.mkdir()
        (live / lifecycle.MARKER).write_text(f'{{"pid": {sleeper.pid}, "start": "{lifecycle.proc_start(sleeper.pid)}"}}')
        with pytest.raises(RunError, match=f"another segkit run .process {sleeper.pid}. is writing the run 'smoke'"):
            lifecycle.prepare_folder(tmp_path, "smoke", force=True, only=None)
        assert live.exists()
        (live / lifecycle.MARKER).write_text(f'{{"pid": {sleeper.pid}, "start": "1"}}')  # pid reused by another process
        lifecycle.prepare_folder(tmp_path, "smoke", force=True, only=None)
        assert not live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_interrupted_swap_puts_the_previous_run_back(tmp_path):
    old = tmp_path / f".smoke.old-{_dead_pid()}"
    old.mkdir()
    (old / "index.html").write_text("previous run")
    lifecycle.sweep_stale(tmp_path, "smoke", say=lambda text: None)
    assert (tmp_path / "smoke" / "index.html").read_text() == "previous run" and not old.exists()


def test_move_into_place_needs_force_to_replace(tmp_path):
    final = tmp_path / "smoke"
    final.mkdir()
    (final / "index.html").write_text("first")
    (final / "manifest.json").write_text(SEGKIT_MANIFEST)  # --force replaces only a run segkit made
    tmp = tmp_path / ".smoke.partial-1"
    tmp.mkdir()
    (tmp / "index.html").write_text("second")
    with pytest.raises(RunError, match="appeared while this run was going"):
        lifecycle.move_into_place(tmp, final, force=False)
    assert (final / "index.html").read_text() == "first"
    lifecycle.move_into_place(tmp, final, force=True)
    assert (final / "index.html").read_text() == "second" and not tmp.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["smoke"]


# ----------------------------------------------------------------------------------- slow: batches
def _error_outputs(path: Path) -> list[dict]:
    nb = nbformat.read(str(path), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]


@pytest.mark.slow
def test_failing_notebook_gives_one_message_exit_2_and_a_failed_folder(tmp_path, tiny):
    """An earlier run's features of three customers, and k_min: 3: 03_select_k raises a SegmentationError inside the
    kernel (the check reads the input, whose six customers hold three segments)."""
    from segkit import pipeline, stages
    from segkit.config import load_params
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    params = _params(tmp_path, "tiny", tiny, "k_min: 3\nk_max: 5\n")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "tiny.csv").write_text("".join(TINY.splitlines(keepends=True)[:5]))  # three customers
    out = tmp_path / "reports"
    # an earlier run with the features already made (in-process), so only 03 has to run here
    nb = RunContext(params=load_params(_params(earlier, "tiny", earlier / "tiny.csv", "k_min: 3\nk_max: 5\n"))[0],
                    folder=RunFolder(out / "tiny").ensure())
    stages.features.build_features(nb, stages.eda.clean(nb, stages.eda.load(nb))[0])
    (out / "tiny" / "index.html").write_text("the earlier run")
    (out / "tiny" / "manifest.json").write_text(SEGKIT_MANIFEST)
    before = hash_path(out / "tiny")

    res = subprocess.run([str(SEGKIT), "run", str(params), "--out", str(out), "--only", "03", "--force"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    errors = [line for line in res.stderr.splitlines() if line.strip()]
    assert errors[0].startswith("segkit: notebook 03_select_k failed: segkit segmentation error: ") and len(errors) == 2
    assert "k_min=3 is not below the 3 customers to segment. Fix: segment a larger table" in errors[0]
    assert errors[1] == f"segkit: partial run kept in {out / 'tiny.failed'} (03_select_k.html shows the error in place)"

    failed = out / "tiny.failed"
    (shown,) = _error_outputs(failed / "03_select_k.ipynb")
    assert shown["traceback"] == [shown["traceback"][0]]  # one line, no Python traceback
    assert shown["traceback"][0].startswith("segkit segmentation error: ") and shown["traceback"][0] in errors[0]
    assert shown["traceback"][0] in (failed / "03_select_k.html").read_text(encoding="utf-8")
    assert (failed / "artifacts" / "features.parquet").is_file()  # partial outputs kept
    assert '"failed in 03_select_k"' in (failed / "manifest.json").read_text()
    recorded = json.loads((failed / "03_select_k.ipynb").read_text(encoding="utf-8"))["metadata"]["papermill"]
    assert recorded["parameters"]["run_dir"] == str(failed)  # where the notebook is, not where it would have been
    assert hash_path(out / "tiny") == before  # the earlier run is untouched
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "tiny", "tiny.failed"]  # and the list of runs
    listed = (out / "index.html").read_text(encoding="utf-8")
    assert "failed in 03_select_k" in listed and "tiny.failed/index.html" in listed


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (the batch and the kernels it started)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc to find the kernels")
def test_killed_run_leaves_nothing_that_looks_complete(tmp_path, tmp_path_factory, retail_input):
    # twelve days of lines: churn needs a short horizon (08_churn runs beside 02_features and would fail first)
    params = _params(tmp_path, "kill", retail_input, "churn_horizon_days: 3\n")
    out = tmp_path / "reports"
    data_before, params_before = hash_path(retail_input), hash_path(params)
    mtimes = {f.name: f.stat().st_mtime_ns for f in retail_input.iterdir()}
    marker = f"SEGKIT_TEST_RUN={uuid.uuid4().hex}"
    temp = tmp_path_factory.mktemp("sk")  # the kernels' sockets and connection files (a short path, as sockets need)
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1], "TMPDIR": str(temp)}
    proc = subprocess.Popen([str(SEGKIT), "run", str(params), "--out", str(out)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "03_select_k started" in line:
                break
        assert any("03_select_k started" in line for line in seen), "".join(seen)
        time.sleep(0.5)  # inside notebook 03 (the rest of the run takes several seconds more)
        kernels = [pid for pid in _processes_with(marker) if pid != proc.pid]
        assert kernels, "a kernel should be running notebook 03"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()

    # nothing looks complete: no run folder at all, only the partial one
    assert not (out / "kill" / "index.html").exists()
    assert [p.name for p in out.iterdir()] == [f".kill.partial-{proc.pid}"]
    # the kernels stop once the batch is gone (the fork server stops them, and removes their files)
    deadline = time.monotonic() + 20
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    lingering = _processes_with(marker)
    for pid in lingering:  # do not leave them behind even when the test fails
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    left = sorted(p.name for p in temp.iterdir() if p.name.startswith("segkit-kernel-") or p.suffix == ".json")
    assert not lingering, f"orphaned kernels still running: {lingering}"
    assert left == [], f"the killed run's kernels left their sockets or connection files: {left}"

    # the next run of the same name removes the stale partial folder; an existing run needs --force
    (out / "kill").mkdir()
    (out / "kill" / "index.html").write_text("an earlier run")
    (out / "kill" / "manifest.json").write_text(SEGKIT_MANIFEST)
    res = subprocess.run([str(SEGKIT), "run", str(params), "--out", str(out), "--only", "01"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 2 and "already exists" in res.stderr
    assert f"removed .kill.partial-{proc.pid}, left by a run that was killed" in res.stdout
    res = subprocess.run([str(SEGKIT), "run", str(params), "--out", str(out), "--only", "01", "--force"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "kill"]  # and the list of runs
    assert (out / "kill" / "index.html").read_text(encoding="utf-8") != "an earlier run"  # replaced, with --force
    assert (out / "kill" / "01_eda.html").is_file() and (out / "kill" / "manifest.json").is_file()
    assert not (out / "kill" / lifecycle.MARKER).exists()
    # input files are never modified
    assert hash_path(retail_input) == data_before and hash_path(params) == params_before
    assert {f.name: f.stat().st_mtime_ns for f in retail_input.iterdir()} == mtimes
