"""The SQL source (``sql_url`` + ``sql_query`` through SQLAlchemy) with the Delaware ACS table, on SQLite and
on a real PostgreSQL.

The PostgreSQL tests start a throwaway cluster (initdb + pg_ctl into a temporary folder, on a free port,
password authentication) from the Debian binaries that ``make test`` installs
(``scripts/ensure_system_deps.sh``), load the Delaware table, and stop and delete it at teardown. As
root, the server runs as the ``postgres`` user (PostgreSQL refuses to run as root). They skip, with the
reason, only where no PostgreSQL binaries can be found.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from batch_fixtures import ROOT, run_batch
from segkit import io, kinds, pipeline, source
from segkit.config import load_params
from segkit.errors import DataFileError, ParamsError

DELAWARE = ROOT / "data" / "acs_delaware.csv"
SMOKE = ROOT / "params" / "acs_smoke.yaml"
QUERY = "SELECT * FROM acs_delaware ORDER BY zcta"


def _params(url: str, query: str = QUERY):
    params, _ = load_params(SMOKE, {"data_path": None, "sql_url": url, "sql_query": query})
    return params


def _leaks(folder: Path, secret: str) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def _same_as_csv(loaded: pd.DataFrame) -> None:
    csv = pd.read_csv(DELAWARE)
    assert list(loaded.columns) == list(csv.columns) and len(loaded) == len(csv)
    loaded = loaded.set_index("zcta").sort_index()
    csv = csv.set_index("zcta").sort_index()
    for col in ["population", "median_age", "median_household_income", "household_total", "geo_id"]:
        pd.testing.assert_series_equal(loaded[col], csv[col], check_dtype=False, check_names=False)


def _features_match_the_file_run(params) -> None:
    """The demographics features built from the database equal those built from the CSV."""
    demo = kinds.get("demographics")
    from_db = demo.features(demo.clean(source.load_input(params), params)[0], params)
    from_csv = demo.features(demo.clean(pd.read_csv(DELAWARE), params)[0], params)
    pd.testing.assert_frame_equal(from_db.table.sort_index(), from_csv.table.sort_index(), check_dtype=False)
    assert from_db.notes == from_csv.notes


# ------------------------------------------------------------------------------------------ SQLite
@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory) -> str:
    import sqlalchemy as sa

    path = tmp_path_factory.mktemp("sqlite") / "acs.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    pd.read_csv(DELAWARE).to_sql("acs_delaware", engine, index=False)
    engine.dispose()
    return f"sqlite:///{path}"


def test_sqlite_reads_like_the_csv(sqlite_url):
    params = _params(sqlite_url)
    assert params.source == "sql"
    assert source.input_columns(params) == list(pd.read_csv(DELAWARE, nrows=0).columns)
    assert pipeline.preflight(params)["input"].startswith("SQL query")
    _same_as_csv(source.load_input(params))
    _features_match_the_file_run(params)


def test_the_example_params_read_the_url_from_the_environment(sqlite_url, monkeypatch):
    example = ROOT / "params" / "acs_sqlite_example.yaml"
    params, _ = load_params(example)
    assert params.sql_url == "${SEGKIT_ACS_DB_URL}" and params.source == "sql"
    monkeypatch.setenv("SEGKIT_ACS_DB_URL", sqlite_url)
    assert pipeline.preflight(params)["input"] == "SQL query (201 columns)"
    assert source.load_input(params).shape == (68, 201)
    monkeypatch.delenv("SEGKIT_ACS_DB_URL")
    with pytest.raises(ParamsError, match="environment variable SEGKIT_ACS_DB_URL is not set"):
        pipeline.preflight(params)  # before any notebook starts


def test_sqlite_failing_query_names_the_problem(sqlite_url):
    with pytest.raises(DataFileError) as err:
        source.load_input(_params(sqlite_url, "SELECT * FROM no_such_table"))
    assert err.value.key == "sql_query" and "no_such_table" in err.value.message


def test_sqlite_query_problems_are_clear(sqlite_url):
    with pytest.raises(DataFileError) as err:  # caught before any row is read (LIMIT 0 probe)
        source.input_columns(_params(sqlite_url, "SELECT * FROM no_such_table"))
    assert err.value.key == "sql_query" and "no_such_table" in err.value.message
    with pytest.raises(DataFileError, match="no rows"):
        source.load_input(_params(sqlite_url, "SELECT * FROM acs_delaware WHERE population < 0"))
    with pytest.raises(Exception, match="population"):  # preflight names the missing column
        pipeline.preflight(_params(sqlite_url, "SELECT zcta, median_age FROM acs_delaware"))


@pytest.mark.slow
def test_sqlite_batch_reads_the_database_in_the_kernels(sqlite_url, tmp_path):
    secret = "sqlite-" + secrets.token_hex(8)  # SQLite ignores it; it stands for a password in the URL
    result = run_batch(SMOKE, tmp_path, only=["01_eda", "02_features"],
                       overrides={"data_path": None, "sql_url": f"{sqlite_url}?password={secret}",
                                  "sql_query": QUERY, "run_name": "acs_sqlite"})
    assert result.ok, result.error
    assert pd.read_parquet(result.folder / "artifacts" / "features.parquet").shape[0] == 58
    assert not _leaks(result.folder, secret)


# -------------------------------------------------------------------------------------- PostgreSQL
def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    pytest.skip("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH); `make test` "
                "installs it with scripts/ensure_system_deps.sh where root and apt-get are available")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL cluster with the Delaware table; yields a password-bearing SQLAlchemy URL."""
    import sqlalchemy as sa

    bindir = _pg_bindir()
    user = None
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user exists to run the PostgreSQL server as")
    work = Path(tempfile.mkdtemp(prefix="segkit-pg-"))
    password = "pg-" + secrets.token_hex(12)
    (work / "pwfile").write_text(password + "\n")
    if user is not None:
        for path in (work, work / "pwfile"):
            os.chown(path, user.pw_uid, user.pw_gid)

    def run(*args: str) -> None:
        cmd = [str(bindir / args[0]), *args[1:]]
        if user is not None:
            cmd = ["su", user.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stdout}\n{done.stderr}")

    port = _free_port()
    data = work / "data"
    started = False
    try:
        run("initdb", "-D", str(data), "-U", "segkit", "--auth=scram-sha-256", f"--pwfile={work / 'pwfile'}",
            "-E", "UTF8", "--no-locale")
        run("pg_ctl", "-D", str(data), "-l", str(work / "server.log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {work} -c listen_addresses=127.0.0.1", "start")
        started = True
        url = f"postgresql+psycopg://segkit:{password}@127.0.0.1:{port}/postgres"
        engine = sa.create_engine(url)
        pd.read_csv(DELAWARE).to_sql("acs_delaware", engine, index=False)
        engine.dispose()
        yield url, password
    finally:
        if started:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(work, ignore_errors=True)


def test_postgres_reads_like_the_csv(postgres_url):
    url, password = postgres_url
    params = _params(url)
    assert source.input_columns(params) == list(pd.read_csv(DELAWARE, nrows=0).columns)
    _same_as_csv(source.load_input(params))
    _features_match_the_file_run(params)
    assert password not in str(params.public_dict())


def test_postgres_wrong_password_is_a_clear_error(postgres_url):
    url, password = postgres_url
    with pytest.raises(DataFileError) as err:
        source.load_input(_params(url.replace(password, "wrong")))
    assert "password" in err.value.message.lower() and password not in err.value.message


@pytest.mark.slow
def test_postgres_batch_runs_every_notebook_and_writes_no_password(postgres_url, tmp_path):
    url, password = postgres_url
    lines: list[str] = []
    from segkit.report import run

    result = run(SMOKE, out_dir=tmp_path, notebooks_dir=ROOT / "notebooks", force=True, say=lines.append,
                 overrides={"data_path": None, "sql_url": url, "sql_query": QUERY, "run_name": "acs_postgres"})
    assert result.ok, result.error
    final = pd.read_csv(result.folder / "artifacts" / "final_segments.csv", dtype={"zcta": str})
    assert final["zcta"].nunique() == 58 and final["zcta"].str.fullmatch(r"\d{5}").all()
    files = {p.name for p in result.folder.rglob("*") if p.is_file()}
    assert {"manifest.json", "params.json", "index.html", "05_profile.ipynb", "05_profile.html"} <= files
    assert not _leaks(result.folder, password), "the PostgreSQL password is written in the run folder"
    assert not any(password in line for line in lines)
