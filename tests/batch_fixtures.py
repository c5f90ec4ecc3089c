"""The smoke batch, run once per test session and shared by every test that reads a run folder.

Import the fixture into a test module::

    from batch_fixtures import smoke_run  # noqa: F401  (pytest fixture)

The batch runs at most once per test process, even when several modules import the fixture (pytest
keeps one fixture definition per importing module, so the result is cached here as well).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMOKE_PARAMS = ROOT / "params" / "smoke.yaml"
_RUNS: dict[str, Path | Exception] = {}


def run_batch(params: Path, out_dir: Path, **kwargs):
    """Run a batch quietly from the project's notebooks, whatever the working folder."""
    from segkit.report import run

    kwargs = {"say": lambda _: None, **kwargs}
    return run(params, out_dir=out_dir, notebooks_dir=ROOT / "notebooks", force=True, **kwargs)


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """The run folder of ``params/smoke.yaml`` (``<tmp>/smoke``), complete and successful."""
    if "smoke" not in _RUNS:
        try:
            result = run_batch(SMOKE_PARAMS, tmp_path_factory.mktemp("smoke_batch"))
            if not result.ok:
                raise AssertionError(f"the smoke batch failed in {result.failed}: {result.error} "
                                     f"(see {result.folder})")
            _RUNS["smoke"] = result.folder
        except Exception as exc:  # remember the failure: later tests fail at once instead of rerunning
            _RUNS["smoke"] = exc
            raise
    outcome = _RUNS["smoke"]
    if isinstance(outcome, Exception):
        pytest.fail(f"the smoke batch failed earlier in this session: {outcome}")
    return outcome


def _session_run(name: str, params: Path, tmp_path_factory) -> Path:
    """The run folder of ``params``, run once per test process (a failure is remembered, not rerun)."""
    if name not in _RUNS:
        try:
            result = run_batch(params, tmp_path_factory.mktemp(f"{name}_batch"))
            if not result.ok:
                raise AssertionError(f"the {name} batch failed in {result.failed}: {result.error} (see {result.folder})")
            _RUNS[name] = result.folder
        except Exception as exc:
            _RUNS[name] = exc
            raise
    outcome = _RUNS[name]
    if isinstance(outcome, Exception):
        pytest.fail(f"the {name} batch failed earlier in this session: {outcome}")
    return outcome


@pytest.fixture(scope="session")
def customers_run(tmp_path_factory) -> Path:
    """The run folder of ``params/customers_smoke.yaml``, complete and successful (once per session)."""
    return _session_run("customers_smoke", ROOT / "params" / "customers_smoke.yaml", tmp_path_factory)


@pytest.fixture(scope="session")
def acs_run(tmp_path_factory) -> Path:
    """The run folder of ``params/acs_smoke.yaml`` (the bundled Delaware areas), complete and successful."""
    return _session_run("acs_smoke", ROOT / "params" / "acs_smoke.yaml", tmp_path_factory)


def fit_customer_model(root: Path, **params) -> tuple[Path, Path]:
    """Fit a customer model through the stages on 500 generated customers (seed 11, k=4) in ``root/run``.

    Returns the model folder and the same 500 customers as a CSV, for the scoring tests.
    """
    import json

    from segkit import stages
    from segkit.config import params_from_mapping
    from segkit.io import RunFolder
    from segkit.kinds.customers.synth import generate_customers

    folder = RunFolder(root / "run").ensure()
    p = params_from_mapping({"data_kind": "customers", "data_path": "synth://customers?n=500&seed=11", "k": 4,
                             "bootstrap": 2, "sample_size": 500, **params})
    ctx = stages.RunContext(p, folder)
    folder.path.joinpath("params.json").write_text(json.dumps(p.model_dump()))
    stages.eda.clean(ctx, stages.eda.load(ctx))
    stages.features.build_features(ctx)
    stages.profile.segment(ctx)
    csv = root / "customers.csv"
    generate_customers(500, seed=11).to_csv(csv, index=False)
    return folder.artifact("model"), csv
