"""Params: layering, validation with clear messages, path resolution, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from segkit.config import Params, load_params, params_from_mapping, redact, resolve_env
from segkit.errors import DataFileError, ParamsError

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_are_valid():
    p = Params()
    assert p.data_kind == "transactions" and p.k == "auto" and p.k_min == 2


def test_unknown_key_names_key_file_and_suggestion(tmp_path):
    f = _write(tmp_path / "p.yaml", "kmax: 5\n")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    msg = err.value.message
    assert "unknown key 'kmax'" in msg and "did you mean 'k_max'" in msg and str(f) in msg
    assert err.value.key == "kmax"


def test_wrong_type_names_the_key(tmp_path):
    f = _write(tmp_path / "p.yaml", "k_max: ten\n")
    with pytest.raises(ParamsError, match=r"'k_max' must be a whole number \(got 'ten'\)"):
        load_params(f)


def test_wrong_choice_lists_the_choices():
    with pytest.raises(ParamsError, match="algorithm.*'kmeans', 'agglomerative' or 'gmm'"):
        params_from_mapping({"algorithm": "dbscan"})


@pytest.mark.parametrize("values, text", [
    ({"k_min": 1}, "k_min must be at least 2"),
    ({"k_min": 5, "k_max": 3}, "k_max (3) must be at least k_min (5)"),
    ({"k": 1}, "k must be at least 2"),
    ({"sql_url": "sqlite://"}, "sql_url needs sql_query"),
    ({"snapshot_date": "12/09/2011"}, "YYYY-MM-DD"),
])
def test_inconsistent_values_are_refused(values, text):
    with pytest.raises(ParamsError) as err:
        params_from_mapping(values)
    assert text in err.value.message


def test_layering_extends_and_relative_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "base.yaml", "data_path: data/x.csv\nk_max: 8\nseed: 1\n")
    child = _write(tmp_path / "sub" / "child.yaml", "extends: ../base.yaml\nk_max: 4\n")
    over = _write(tmp_path / "over.yaml", "seed: 7\n")
    params, files = load_params([child, over])
    assert params.k_max == 4 and params.seed == 7
    assert params.data_path == str((tmp_path / "data" / "x.csv").resolve())
    assert [f.name for f in files] == ["base.yaml", "child.yaml", "over.yaml"]
    assert params.run_name == "over"


def test_missing_params_file():
    with pytest.raises(DataFileError, match="params file .*nope.yaml does not exist"):
        load_params("nope.yaml")


def test_extends_loop(tmp_path):
    _write(tmp_path / "a.yaml", "extends: b.yaml\n")
    _write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ParamsError, match="extends itself"):
        load_params(tmp_path / "a.yaml")


def test_shipped_params_are_valid():
    for f in (ROOT / "params").glob("*.yaml"):
        params, _ = load_params(f)
        if params.source == "file" and not params.data_path.startswith("synth://"):
            assert Path(params.data_path).exists() or "shared" in params.data_path, f


def test_redact_hides_passwords_only():
    out = redact({"sql_url": "postgresql://ana:s3cret@db:5432/shop", "seed": 1})
    assert out == {"sql_url": "postgresql://ana:***@db:5432/shop", "seed": 1}
    assert redact({"sql_url": "${DB_URL}"})["sql_url"] == "${DB_URL}"
    assert redact({"sql_url": "sqlite:///x.db?password=Pa55&mode=ro"})["sql_url"] == "sqlite:///x.db?password=***&mode=***"


def test_env_references(monkeypatch):
    monkeypatch.setenv("SEGKIT_TEST_URL", "sqlite:///x.db")
    assert resolve_env("${SEGKIT_TEST_URL}") == "sqlite:///x.db"
    monkeypatch.delenv("SEGKIT_TEST_URL")
    with pytest.raises(ParamsError, match="environment variable SEGKIT_TEST_URL is not set"):
        resolve_env("${SEGKIT_TEST_URL}")
