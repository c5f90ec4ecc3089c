"""Safe by construction (issue 17), faults and provenance: a changed input, a read-only or full disk, a bad
database URL and SIGTERM after the last notebook each end as a segkit message (exit 2) and, where a run
had started, as ``<run>.failed`` — never a raw traceback or a hidden ``.partial`` folder left unexplained.

Runs use a one-notebook report folder (``01_read``: reads the input like 01_eda) on a three-line CSV, so a
real kernel runs but each run takes seconds (those tests are marked slow, as every test that runs a notebook).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
from pathlib import Path

import nbformat
import pytest

from segkit import cli
from segkit.cli import main
from segkit.errors import DataFileError
from segkit.report import runner
from segkit.report.batch import Batch

ROOT = Path(__file__).resolve().parents[1]
TINY = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,71053,WHITE METAL LANTERN,6,2010-12-02 09:00:00,3.39,17851.0,United Kingdom
536367,84406B,CREAM CUPID HEARTS COAT HANGER,8,2010-12-03 10:00:00,2.75,17852.0,France
536369,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-06 12:00:00,7.65,17853.0,United Kingdom
536370,21730,GLASS STAR FROSTED T-LIGHT HOLDER,6,2010-12-07 13:00:00,4.25,17854.0,Germany
536371,22633,HAND WARMER UNION JACK,6,2010-12-08 14:00:00,1.85,17855.0,United Kingdom
"""
SECRET = "s3cr3t-pw"


@pytest.fixture
def site(tmp_path) -> Path:
    """``tmp_path/site`` with ``tiny.csv``, ``p.yaml`` (run name ``ok``) and ``notebooks/01_read.ipynb``."""
    site = tmp_path / "site"
    (site / "notebooks").mkdir(parents=True)
    (site / "tiny.csv").write_text(TINY)
    (site / "p.yaml").write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\ndata_path: {site / 'tiny.csv'}\n"
                                 "run_name: ok\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Read the input"),
                nbformat.v4.new_code_cell('run_dir: str = "."', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("from segkit import stages\nctx = stages.start(run_dir, globals())\n"
                                          "raw = stages.eda.load(ctx)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(site / "notebooks" / "01_read.ipynb"))
    return site


def _cli_run(site: Path, out: Path, capsys) -> tuple[int, str]:
    code = main(["run", str(site / "p.yaml"), "--out", str(out), "--notebooks", str(site / "notebooks")])
    return code, capsys.readouterr().err


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if ".partial-" in p.name) if out.is_dir() else []


# ------------------------------------------------------------------------------------------ provenance
@pytest.mark.slow  # runs a notebook
def test_input_hash_is_taken_when_read_and_checked_at_the_end(site, capsys):
    code, err = _cli_run(site, site / "reports", capsys)
    assert code == 0, err
    recorded = json.loads((site / "reports" / "ok" / "artifacts" / "input.json").read_text())
    manifest = json.loads((site / "reports" / "ok" / "manifest.json").read_text())
    assert recorded["path"] == str(site / "tiny.csv") and recorded["file_hash"].startswith("sha256:")
    assert manifest["input"]["hash"] == recorded["file_hash"]


@pytest.mark.slow  # runs a notebook
def test_an_input_changed_between_notebooks_fails_the_run(site, capsys, monkeypatch):
    real = Batch.execute

    def execute_then_edit(self, nb, *args, **kwargs):  # another program rewrites the input after 01 has read it
        name = real(self, nb, *args, **kwargs)
        with open(site / "tiny.csv", "a") as fh:
            fh.write("536368,22960,JAM MAKING SET,6,2010-12-04 11:00:00,4.25,17853.0,France\n")
        return name

    monkeypatch.setattr(Batch, "execute", execute_then_edit)
    code, err = _cli_run(site, site / "reports", capsys)
    assert code == 2 and "Traceback" not in err
    assert f"input file {site / 'tiny.csv'} changed during the run: it had hash sha256:" in err
    assert "when it was read, and has sha256:" in err
    assert "run again once the file no longer changes" in err
    failed = site / "reports" / "ok.failed"
    assert failed.is_dir() and not (site / "reports" / "ok").exists() and _leftovers(site / "reports") == []
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed in (input check)"


def test_an_input_changed_while_it_is_read_is_refused(site, monkeypatch):
    from segkit import source, stages
    from segkit.config import load_params
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    real = source.load_input

    def read_then_edit(params):
        df = real(params)
        (site / "tiny.csv").write_text(TINY + TINY.splitlines()[1] + "\n")
        return df

    monkeypatch.setattr(source, "load_input", read_then_edit)
    params, _ = load_params(site / "p.yaml")
    with pytest.raises(DataFileError, match="tiny.csv changed while it was being read"):
        stages.eda.load(RunContext(params, RunFolder(site / "run").ensure()))


# ------------------------------------------------------------------------------------------ disks
@pytest.fixture
def mount_tmpfs(tmp_path):
    """Mount a small tmpfs (``options`` as for ``mount -o``); skip when mounting is not allowed here."""
    mounted = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.parametrize("sub", ["", "reports"], ids=["out-exists", "out-to-create"])
def test_a_read_only_out_is_a_segkit_error(site, capsys, mount_tmpfs, sub):
    out = mount_tmpfs("ro", "ro,size=64k") / sub if sub else mount_tmpfs("ro", "ro,size=64k")
    code, err = _cli_run(site, out, capsys)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    assert "failed: Read-only file system" in err and "choose an --out on a disk that is not read-only" in err


@pytest.mark.slow  # runs a notebook
def test_a_full_disk_ends_as_failed_with_a_message(site, capsys, mount_tmpfs):
    out = mount_tmpfs("full", "size=256k")
    filler = out / "filler.bin"
    with open(filler, "wb") as fh:  # leave about 40 KB: enough to start the run, not to write its reports
        fh.write(b"\0" * (256 - 40) * 1024)
    code, err = _cli_run(site, out, capsys)
    assert code == 2 and "Traceback" not in err and "OSError" not in err
    assert err.count("No space left on device") == 1 and "free space on that disk" in err
    assert (out / "ok.failed").is_dir() and not (out / "ok").exists() and _leftovers(out) == []
    assert "partial run kept in" in err and "ok.failed" in err


def test_when_even_failed_cannot_be_written_the_message_says_where_the_outputs_are(site, capsys, monkeypatch):
    def fail(self):
        self.failed, self.error, self.user_error = "01_read", "the notebook failed", True

    def no_rename(tmp, final):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Batch, "run", fail)
    monkeypatch.setattr(runner, "keep_failed", no_rename)
    code, err = _cli_run(site, site / "reports", capsys)
    partial = _leftovers(site / "reports")
    assert code == 2 and "Traceback" not in err and len(partial) == 1
    assert "could not be moved to ok.failed (Read-only file system): they are in" in err and partial[0] in err


def test_score_out_on_a_read_only_disk(site, capsys, mount_tmpfs, tmp_path):
    from segkit.kinds.customers.synth import generate_customers

    ro = mount_tmpfs("ro", "ro,size=64k")
    new = tmp_path / "new.csv"
    generate_customers(5, seed=1).to_csv(new, index=False)
    model = _customer_model(tmp_path)
    assert main(["score", str(model), str(new), "--out", str(ro / "scored.csv")]) == 2
    err = capsys.readouterr().err
    assert "could not be written to" in err and "Read-only file system" in err and "Traceback" not in err


def _customer_model(tmp_path: Path) -> Path:
    from segkit import stages
    from segkit.config import params_from_mapping
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    folder = RunFolder(tmp_path / "run").ensure()
    params = params_from_mapping({"data_kind": "customers", "data_path": "synth://customers?n=200&seed=3", "k": 3,
                                  "bootstrap": 2, "sample_size": 200})
    ctx = RunContext(params, folder)
    folder.path.joinpath("params.json").write_text(json.dumps(params.model_dump()))
    stages.eda.clean(ctx, stages.eda.load(ctx))
    stages.features.build_features(ctx)
    stages.profile.segment(ctx)
    return folder.artifact("model")


# ------------------------------------------------------------------------------------------ SQL
@pytest.mark.parametrize("url, expected", [
    (f"postgresql://me:{SECRET}@db:port/sales", "sql_url is not a valid database URL"),
    (f"nosuchdb://me:{SECRET}@db/sales", "sql_url names the database dialect 'nosuchdb', which SQLAlchemy does not know"),
    (f"mssql+pyodbc://me:{SECRET}@db/sales", "the database driver for sql_url (mssql+pyodbc) is not installed: no "
                                              "module pyodbc"),
    (f"not a url {SECRET}", "sql_url is not a valid database URL"),
], ids=["bad-port", "unknown-dialect", "missing-driver", "garbage"])
def test_bad_sql_url_names_the_key_not_the_password(tmp_path, capsys, monkeypatch, url, expected):
    if "pyodbc" in url:
        pytest.importorskip("sqlalchemy")
        try:
            import pyodbc  # noqa: F401
            pytest.skip("pyodbc is installed here")
        except ImportError:
            pass
    monkeypatch.setenv("SEGKIT_TEST_SQL_URL", url)
    params = tmp_path / "sql.yaml"
    params.write_text("data_kind: demographics\nsql_url: ${SEGKIT_TEST_SQL_URL}\nsql_query: SELECT * FROM acs\n")
    for command in (["check", str(params)], ["run", str(params), "--out", str(tmp_path / "reports")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert expected in err and SECRET not in err and "Traceback" not in err
    assert not (tmp_path / "reports").exists() or _leftovers(tmp_path / "reports") == []


def test_sqlite_to_a_missing_file_creates_nothing(tmp_path, capsys):
    params = tmp_path / "sql.yaml"
    params.write_text(f"data_kind: demographics\nsql_url: sqlite:///{tmp_path / 'nope.db'}\nsql_query: SELECT 1\n")
    assert main(["check", str(params)]) == 2
    assert "the SQLite database file" in capsys.readouterr().err and not (tmp_path / "nope.db").exists()


# ------------------------------------------------------------------------------------------ SIGTERM
def test_sigterm_after_the_last_notebook_leaves_failed_not_partial(site, monkeypatch):
    def done(self):  # every notebook finished
        self.timings = {"01_read": {"execute_s": 0.0, "render_s": 0.0}}

    def terminated(*args, **kwargs):  # SIGTERM arrives while the reports are being finished
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(Batch, "run", done)
    monkeypatch.setattr(runner, "finalise_reports", terminated)
    previous = signal.signal(signal.SIGTERM, cli._terminate)  # what `segkit run` installs
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run(site / "p.yaml", out_dir=site / "reports", notebooks_dir=site / "notebooks", say=lambda _: None)
    finally:
        signal.signal(signal.SIGTERM, previous)
    out = site / "reports"
    assert (out / "ok.failed").is_dir() and not (out / "ok").exists() and _leftovers(out) == []
    manifest = json.loads((out / "ok.failed" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted in (finishing the reports)"
    assert manifest["error"] == "the run was interrupted while its reports were being finished"


def test_sigterm_during_the_final_swap_still_leaves_a_run_in_place(tmp_path, monkeypatch):
    # SIGTERM (Ctrl-C alike) right after the earlier run was set aside: the new run still moves in, and the
    # signal arrives once the swap is done, instead of leaving neither run in place
    import signal
    from pathlib import Path

    from segkit.report import lifecycle

    out = tmp_path / "reports"
    final, tmp = out / "r", out / ".r.partial-1"
    for folder, status in ((final, "earlier"), (tmp, "new")):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(f'{{"status": "ok", "run_name": "{status}"}}')

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    real_rename = Path.rename

    def rename(self, target):
        moved = real_rename(self, target)
        if self == final:  # the earlier run was just set aside
            os.kill(os.getpid(), signal.SIGTERM)
        return moved

    monkeypatch.setattr(Path, "rename", rename)
    try:
        with pytest.raises(KeyboardInterrupt):
            lifecycle.move_into_place(tmp, final, force=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert '"new"' in (final / "manifest.json").read_text() and not tmp.exists()
