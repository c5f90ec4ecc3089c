"""The dependency lists agree: pyproject.toml, environment.yml and requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    name, _, version = req.partition("==")
    name = re.sub(r"\[.*\]", "", name).strip().lower().replace("_", "-")
    return name, version.strip()


def _requirements() -> list[str]:
    """The runtime dependencies and every extra (dev, serve, ...): `make test` installs them all."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["project"]["dependencies"] + [r for extra in data["project"]["optional-dependencies"].values()
                                              for r in extra]


def _pyproject() -> dict[str, str]:
    return dict(_norm(r) for r in _requirements())


def test_every_dependency_is_pinned():
    for req in _requirements():
        assert "==" in req, f"{req} in pyproject.toml is not pinned with =="


def test_the_serve_extra_holds_the_service_dependencies():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {_norm(r)[0] for r in extras["serve"]} == {"fastapi", "uvicorn"}
    assert not {"fastapi", "uvicorn"} & {_norm(r)[0] for r in tomllib.loads((ROOT / "pyproject.toml").read_text())
                                         ["project"]["dependencies"]}, "segkit must run without the serve extra"


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_pins = dict(_norm(r) for r in pip_section if not r.startswith("-e"))
    assert conda_pins == _pyproject()


def test_lock_file_agrees_with_pins():
    text = (ROOT / "requirements.lock").read_text() + (ROOT / "requirements-spark.lock").read_text()  # make test: both
    lock = dict(_norm(line) for line in text.splitlines() if line and not line.startswith("#"))
    for name, version in _pyproject().items():
        assert lock.get(name) == version, f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"
