"""Safe by construction (issue 17): hostile run names, params files and inputs are refused with exit 2.

Every refusal here happens before any notebook starts, so these tests are fast. The run-name tests
snapshot the whole folder tree around ``reports/`` (with a ``victim/`` folder beside it) and check that
nothing was written, renamed or deleted anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from segkit.cli import main
from segkit.config import load_params, run_name_from_file
from segkit.errors import ParamsError
from segkit.report import lifecycle, runfolder_safety, runner

ROOT = Path(__file__).resolve().parents[1]
TINY = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,71053,WHITE METAL LANTERN,6,2010-12-02 09:00:00,3.39,17851.0,United Kingdom
536367,84406B,CREAM CUPID HEARTS COAT HANGER,8,2010-12-03 10:00:00,2.75,17852.0,France
536369,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-06 12:00:00,7.65,17853.0,United Kingdom
536370,21730,GLASS STAR FROSTED T-LIGHT HOLDER,6,2010-12-07 13:00:00,4.25,17854.0,Germany
536371,22633,HAND WARMER UNION JACK,6,2010-12-08 14:00:00,1.85,17855.0,United Kingdom
"""
MANIFEST = json.dumps({"status": "ok", "run_name": "keep"})
BAD_NAMES = {
    "parent": "../x", "grandparent": "../../x", "victim": "../victim", "absolute": "ABSOLUTE", "nested": "a/b",
    "dot": ".", "dotdot": "..", "star": "*", "empty": "", "long": "n" * 300, "nul": "a\0b", "newline": "a\nb",
    "index": "index.html",  # the reports folder's list of runs
}


def test_a_params_file_named_index_html_gets_a_run_name_that_is_not_the_list_of_runs():
    from segkit.runname import run_name_from_file

    assert run_name_from_file(Path("index.html.yaml")) == "index_html"


@pytest.fixture
def site(tmp_path) -> Path:
    """``tmp_path/a/b/site`` holding ``reports/keep`` (a segkit run), ``victim/``, a CSV and a params file."""
    site = tmp_path / "a" / "b" / "site"
    (site / "reports" / "keep").mkdir(parents=True)
    (site / "reports" / "keep" / "manifest.json").write_text(MANIFEST)
    (site / "reports" / ".keep.old-1").mkdir()  # a backup that a glob on '*' once moved
    (site / "victim").mkdir()
    (site / "victim" / "precious.txt").write_text("do not touch")
    (site / "tiny.csv").write_text(TINY)
    _params(site, "p", "")
    return site


def _params(site: Path, stem: str, text: str, *, data: str = "tiny.csv") -> Path:
    path = site / f"{stem}.yaml"
    path.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\ndata_path: {site / data}\nrun_name: ok\n{text}",
                    encoding="utf-8")
    return path


def _tree(top: Path) -> dict[str, tuple]:
    """Every entry under ``top``: kind, and the content hash of files (no mtimes: reading is allowed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(top))
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def _run(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def _bad(name: str, site: Path) -> str:
    return str(site.parent / "elsewhere") if name == "ABSOLUTE" else name


# ------------------------------------------------------------------------------------------ run names
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("key", list(BAD_NAMES))
def test_bad_name_via_cli_touches_nothing(site, tmp_path, capsys, key, force):
    before = _tree(tmp_path)
    name = _bad(BAD_NAMES[key], site)
    code, err = _run(["run", str(site / "p.yaml"), "--name", name, "--out", str(site / "reports")]
                     + (["--force"] if force else []), capsys)
    assert code == 2 and "Traceback" not in err
    assert "--name" in err and "is not a valid run name" in err and "letters, digits" in err
    assert len(err) < 1000 and err.count("\n") == 1
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("key", list(BAD_NAMES))
def test_bad_run_name_in_params_touches_nothing(site, tmp_path, capsys, key):
    params = site / "hostile.yaml"
    params.write_text(f"extends: {site / 'p.yaml'}\nrun_name: {json.dumps(_bad(BAD_NAMES[key], site))}\n")
    before = _tree(tmp_path)
    code, err = _run(["run", str(params), "--out", str(site / "reports"), "--force"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "'run_name' must be one folder name" in err and "letters, digits" in err
    assert len(err) < 1000
    assert _tree(tmp_path) == before


def test_name_victim_with_force_leaves_victim_intact(site, capsys):
    code, _ = _run(["run", str(site / "p.yaml"), "--name", "../victim", "--force", "--out", str(site / "reports")], capsys)
    assert code == 2
    assert (site / "victim" / "precious.txt").read_text() == "do not touch"


def test_default_name_from_the_file_name_is_made_valid(site):
    odd = site / "my params (v2).yaml"
    odd.write_text(f"data_path: {site / 'tiny.csv'}\n")
    assert load_params(odd)[0].run_name == "my_params__v2_"
    assert run_name_from_file(Path(".hidden.yaml")) == "hidden"
    with pytest.raises(ParamsError, match=r"no run name can be made from the params file name '\.\.\.\.yaml'"):
        run_name_from_file(Path("....yaml"))


def test_force_refuses_a_folder_segkit_did_not_make(site, tmp_path, capsys):
    (site / "reports" / "ok").mkdir()
    (site / "reports" / "ok" / "thesis.tex").write_text("years of work")
    before = _tree(tmp_path)
    code, err = _run(["run", str(site / "p.yaml"), "--force", "--out", str(site / "reports")], capsys)
    assert code == 2 and "was not made by segkit" in err and "--force will not replace it" in err
    assert _tree(tmp_path) == before


def test_a_foreign_failed_folder_is_refused(site, tmp_path, capsys):
    (site / "reports" / "ok.failed").mkdir()
    before = _tree(tmp_path)
    code, err = _run(["run", str(site / "p.yaml"), "--out", str(site / "reports")], capsys)
    assert code == 2 and "ok.failed was not made by segkit" in err
    assert _tree(tmp_path) == before


def test_a_symlinked_run_folder_is_refused(site, tmp_path, capsys):
    (site / "reports" / "ok").symlink_to(site / "victim")
    before = _tree(tmp_path)
    code, err = _run(["run", str(site / "p.yaml"), "--force", "--out", str(site / "reports")], capsys)
    assert code == 2 and "is a symbolic link" in err
    assert _tree(tmp_path) == before


def test_leftovers_are_listed_by_exact_name(tmp_path):
    for name in (".a.old-7", ".ab.old-7", ".a.old-7x", ".a.partial-8", ".a.old.old-9"):
        (tmp_path / name).mkdir()
    assert [p.name for p in runfolder_safety.leftovers(tmp_path, "a", "old")] == [".a.old-7"]
    assert [p.name for p in runfolder_safety.leftovers(tmp_path, "a", "partial")] == [".a.partial-8"]


def test_inside_refuses_paths_outside_out(tmp_path):
    out = tmp_path / "reports"
    for path in (out / ".." / "x", out / "a" / "b", out, Path("/etc")):
        with pytest.raises(Exception, match="not a folder directly inside the reports folder"):
            runfolder_safety.inside(out, path)
    assert runfolder_safety.inside(out, out / "run") == (out / "run").resolve()


# ---------------------------------------------------------------------------------- params files
BOMB = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9))


def test_alias_bomb_is_refused_fast_with_a_short_message(site, capsys):
    bomb = site / "bomb.yaml"
    bomb.write_text('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + BOMB)
    t0 = time.perf_counter()
    code, err = _run(["run", str(bomb), "--out", str(site / "reports")], capsys)
    assert code == 2 and time.perf_counter() - t0 < 2
    assert len(err.encode()) < 2048 and "more than 20 YAML aliases" in err


def test_huge_values_are_echoed_short(site, capsys):
    big = _params(site, "big", f"customer_col: [{', '.join(['x'] * 100_000)}]\n? {'k' * 5000}\n: 1\n")
    code, err = _run(["run", str(big), "--out", str(site / "reports")], capsys)
    assert code == 2 and len(err.encode()) < 2048 and "unknown key 'kkk" in err


def test_a_params_file_over_1_mb_is_refused(site, capsys):
    huge = _params(site, "huge", "# " + "x" * 1_100_000 + "\n")
    code, err = _run(["run", str(huge), "--out", str(site / "reports")], capsys)
    assert code == 2 and "is larger than 1,000,000 bytes" in err


@pytest.mark.parametrize("text, expected", [
    ("seed: -1\n", "'seed' must be at least 0 (got -1)"),
    (f"seed: {2**33}\n", f"'seed' must be below 4294967296 (got {2**33})"),
    ("k_max: 5\nseed: 1\nk_max: 6\n", "has the key 'k_max' twice (again on line 6)"),
    ("extends: {a: 1}\n", "'extends' in"),
])
def test_bad_params_values(site, capsys, text, expected):
    path = site / "bad.yaml"
    path.write_text(f"data_path: {site / 'tiny.csv'}\nrun_name: ok\nk_min: 2\n" + text)
    code, err = _run(["run", str(path), "--out", str(site / "reports")], capsys)
    assert code == 2 and expected in err and "Traceback" not in err


def test_latin1_params_file(site, capsys):
    path = site / "latin.yaml"
    path.write_bytes("currency: \u00a3\nrun_name: caf\u00e9\n".encode("latin-1"))
    code, err = _run(["run", str(path), "--out", str(site / "reports")], capsys)
    assert code == 2 and f"params file {path} is not UTF-8 text" in err and "re-save it as UTF-8" in err


def test_extends_list_layers_in_order(site, capsys):
    (site / "one.yaml").write_text("k_max: 7\nseed: 3\n")
    (site / "two.yaml").write_text("k_max: 8\nk_min: 3\n")
    kid = site / "kid.yaml"
    kid.write_text(f"extends: [one.yaml, two.yaml]\nseed: 9\ndata_path: {site / 'tiny.csv'}\n")
    params, files = load_params(kid)
    assert (params.k_max, params.k_min, params.seed) == (8, 3, 9)
    assert [f.name for f in files] == ["one.yaml", "two.yaml", "kid.yaml"]
    assert main(["check", str(kid)]) == 0


def test_folder_and_symlink_loop_as_params_file(site, capsys):
    (site / "folder.yaml").mkdir()
    code, err = _run(["run", str(site / "folder.yaml"), "--out", str(site / "reports")], capsys)
    assert code == 2 and "folder.yaml is a folder, not a file" in err
    (site / "loop1.yaml").symlink_to(site / "loop2.yaml")
    (site / "loop2.yaml").symlink_to(site / "loop1.yaml")
    code, err = _run(["run", str(site / "loop1.yaml"), "--out", str(site / "reports")], capsys)
    assert code == 2 and "is a symbolic link loop" in err and "does not exist" not in err


class _Hung(Exception):
    pass


@pytest.fixture
def alarm():
    """Fail instead of hanging: SIGALRM after 20 s interrupts a blocking open or read."""
    def ring(signum, frame):
        raise _Hung("segkit blocked on a FIFO")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_as_params_file_or_data_path(site, capsys, alarm):
    os.mkfifo(site / "pipe.yaml")
    code, err = _run(["run", str(site / "pipe.yaml"), "--out", str(site / "reports")], capsys)
    assert code == 2 and "pipe.yaml is a named pipe (FIFO), not a file" in err
    os.mkfifo(site / "pipe.csv")
    path = _params(site, "fifo", "", data="pipe.csv")
    code, err = _run(["run", str(path), "--out", str(site / "reports")], capsys)
    assert code == 2 and "pipe.csv is a named pipe (FIFO), not a file or folder of data" in err
    assert not (site / "reports" / "ok").exists()


def test_symlink_loop_as_data_path(site, capsys):
    (site / "d1.csv").symlink_to(site / "d2.csv")
    (site / "d2.csv").symlink_to(site / "d1.csv")
    path = _params(site, "loopdata", "", data="d1.csv")
    code, err = _run(["check", str(path)], capsys)
    assert code == 2 and "d1.csv is a symbolic link loop" in err


# ------------------------------------------------------------------------------------ <run>.failed
def test_success_removes_an_earlier_failed_run_and_says_so(tmp_path):
    (tmp_path / "ok.failed").mkdir()
    (tmp_path / "ok.failed" / "manifest.json").write_text(MANIFEST)
    said = []
    lifecycle.drop_old_failed(tmp_path / "ok", said.append)
    assert not (tmp_path / "ok.failed").exists() and said == ["removed ok.failed, left by an earlier failed run of ok"]


def test_a_failed_run_never_replaces_a_foreign_failed_folder(tmp_path):
    (tmp_path / "ok.failed").mkdir()
    (tmp_path / "ok.failed" / "notes.txt").write_text("mine")
    tmp = tmp_path / ".ok.partial-1"
    tmp.mkdir()
    assert lifecycle.keep_failed(tmp, tmp_path / "ok") == tmp.resolve()
    assert (tmp_path / "ok.failed" / "notes.txt").read_text() == "mine"
    lifecycle.drop_old_failed(tmp_path / "ok", print)
    assert (tmp_path / "ok.failed" / "notes.txt").read_text() == "mine"
