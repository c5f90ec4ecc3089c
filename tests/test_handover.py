"""``segkit run`` reads, checks and cleans the whole input before any notebook starts; it hands that work to
``01_eda`` (``segkit.stages.handover``) so that 01 does not do it again and 02 and 08 need not wait for it. The files 01
would write are the ones the run writes, byte for byte, on every table of the quirks corpus and on the bundled data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from segkit import preflight
from segkit.config import load_params, params_from_mapping
from segkit.errors import SegkitError
from segkit.io import RunFolder
from segkit import pipeline
from segkit.stages import RunContext, eda, features, handover

ROOT = Path(__file__).resolve().parents[1]
QUIRKS = ROOT / "tests" / "data" / "quirks"
FILES = ("input.json", "schema_findings.json", "clean.parquet", "cleaning_log.json")
FEATURES = ("features.parquet", "features_meta.json")  #: 02's, which the run's check built too


def _quirk(sidecar: Path):
    spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    data = next(p for p in QUIRKS.iterdir() if p.name != sidecar.name and p.stem == sidecar.stem)
    return params_from_mapping({**spec["params"], "data_path": str(data)}, source=data.name), spec["expect"]


CASES = [pytest.param(ROOT / "params" / "online_retail.yaml", id="online_retail"),
         pytest.param(ROOT / "params" / "acs_delaware.yaml", id="acs_delaware"),
         *(pytest.param(s, id=s.stem) for s in sorted(QUIRKS.glob("*.yaml"))
           if "error" not in yaml.safe_load(s.read_text(encoding="utf-8"))["expect"])]


def _params(case: Path):
    return _quirk(case)[0] if case.parent == QUIRKS else load_params([case])[0]


def _by_01(params, folder: RunFolder):
    ctx = RunContext(params, folder.ensure())
    raw = eda.load(ctx)
    cleaned, log = eda.clean(ctx, raw)
    return raw, cleaned, log


@pytest.mark.parametrize("case", CASES)
def test_the_run_writes_what_01_would_write(case, tmp_path, monkeypatch):
    params = _params(case)
    try:
        info = preflight.preflight(params, keep=True)
    except SegkitError:
        pytest.skip("the check stops on this table (its own test says how): nothing to hand over")
    if "checked" not in info:  # a big input is checked on a sample; an engine cleans it
        pytest.skip("the check saw a sample of this table: nothing to hand over")
    alone = RunFolder(tmp_path / "alone")
    raw, cleaned, log = _by_01(params, alone)

    run = RunFolder(tmp_path / "run").ensure()
    handover.hand_over(RunContext(params, run), info["checked"])
    assert handover.handed_over(RunContext(params, run))

    def again(*args, **kwargs):
        raise AssertionError("01 checked or cleaned the input the run had checked and cleaned")

    monkeypatch.setattr(preflight, "check_input", again)
    monkeypatch.setattr(preflight, "clean_table", again)
    raw_run, cleaned_run, log_run = _by_01(params, run)
    for name in FILES:
        assert run.artifact(name).read_bytes() == alone.artifact(name).read_bytes(), name
    pd.testing.assert_frame_equal(raw_run, raw)
    pd.testing.assert_frame_equal(cleaned_run, cleaned.reset_index(drop=True))
    assert log_run.to_dict() == log.to_dict()
    # 02 reads the features the check built, byte for byte those it builds alone, without reading the cleaned lines
    fs = features.build_features(RunContext(params, alone))
    monkeypatch.setattr(pipeline, "build_features", again)
    monkeypatch.setattr(RunContext, "cleaned", again)
    fs_run = features.build_features(RunContext(params, run))
    for name in FEATURES:
        assert run.artifact(name).read_bytes() == alone.artifact(name).read_bytes(), name
    pd.testing.assert_frame_equal(fs_run.table, alone.read_features().table)  # as the later notebooks read it
    assert (fs_run.columns, fs_run.labels, fs_run.units) == (fs.columns, fs.labels, fs.units)
    # 01's page shows the log only: the cleaned lines stay in clean.parquet, not read back
    monkeypatch.setattr(RunFolder, "read_parquet", again)
    assert eda.cleaning(RunContext(params, run), raw_run).to_dict() == log.to_dict()
    handover.withdraw(run)
    assert not run.has(handover.MARKER) and not handover.handed_over(RunContext(params, run))


def test_01_stops_rather_than_write_again_what_the_others_may_be_reading(tmp_path):
    """Once the marker is there, 02 and 08 may be reading the cleaned table: 01 with other params, or on an input
    whose bytes changed since the run read them, stops with what happened instead of cleaning again (a review found
    that 01 wrote input.json of the new content beside the cleaned table of the old, and the run ended "ok")."""
    from segkit.errors import DataFileError, RunError

    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    checked = preflight.preflight(params, keep=True)["checked"]
    run = RunFolder(tmp_path / "run").ensure()
    assert handover.hand_over(RunContext(params, run), checked)
    before = run.artifact("clean.parquet").read_bytes()
    assert handover.handed_over(RunContext(params, run), checked.hashed)
    other = params.model_copy(update={"seed": params.seed + 1})
    with pytest.raises(RunError, match="01_eda's params differ from those segkit run checked the input with"):
        _by_01(other, run)
    run.write_json(handover.MARKER, {**run.read_json(handover.MARKER), "file_hash": "sha256:" + "0" * 64})
    with pytest.raises(DataFileError, match="online_retail.parquet changed after segkit run checked it"):
        _by_01(params, run)
    assert run.artifact("clean.parquet").read_bytes() == before  # never written again
    handover.withdraw(run)  # the run is over: 01 alone does its own work
    assert not handover.handed_over(RunContext(other, run))
    _by_01(other, run)


def test_a_table_parquet_cannot_hold_is_left_to_01(tmp_path):
    """A column of mixed types cannot be written as Parquet: the run hands nothing over (no marker), and 01 writes
    the table, or stops on it, as it did before; the run does not end in a traceback."""
    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    checked = preflight.preflight(params, keep=True)["checked"]
    mixed = checked.cleaned.copy()
    mixed["Description"] = mixed["Description"].astype(object)
    mixed.loc[mixed.index[0], "Description"] = 3.5  # text and a number in one column
    odd = replace(checked, cleaned=mixed)
    run = RunFolder(tmp_path / "run").ensure()
    assert handover.hand_over(RunContext(params, run), odd) is False
    assert not run.has(handover.MARKER) and not handover.handed_over(RunContext(params, run))


def test_segkit_check_keeps_nothing_and_a_sample_is_not_handed_over(tmp_path, monkeypatch):
    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    assert "checked" not in preflight.preflight(params)  # segkit check: no hash of the bytes, nothing kept
    monkeypatch.setattr(preflight, "CHECK_ROWS", 100_000)  # the 541,909 lines are checked on a sample
    assert "checked" not in preflight.preflight(params, keep=True)


@pytest.mark.parametrize("params_file", ["online_retail.yaml", "smoke.yaml", "acs_delaware.yaml"])
def test_the_kernel_of_01_reads_the_params_the_run_handed_over_with(params_file, tmp_path, monkeypatch):
    """The marker names the params by a digest; 01's kernel builds its params from what the batch injects. They must
    agree, or 01 would clean again while 02 and 08 read the cleaned table."""
    import nbformat

    from segkit.io import write_json
    from segkit.report.notebook import notebook_parameters
    from segkit.report.runner import _discovered, _kernel_params, _planned, _select
    from segkit.stages.context import stored_params

    monkeypatch.chdir(ROOT / "notebooks")
    params, _ = load_params([ROOT / "params" / params_file])
    params, info, notebooks, _ = _planned(params, _select(_discovered(params, None, None), None), None, keep=True)
    run_dir = tmp_path / "run"
    run = RunFolder(run_dir).ensure()
    write_json(run_dir / "params.json", stored_params(params))
    handover.hand_over(RunContext(params, run), info["checked"])
    nb = next(nb for nb in notebooks if nb.name == handover.WRITER)
    ns = {"__name__": "__main__"}
    for cell in nbformat.read(str(nb.path), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, nb.name, "exec"), ns)
        if "parameters" in cell.metadata.get("tags", []):
            ns.update(_kernel_params(params, notebook_parameters(nb.path), run_dir))
        if "ctx" in ns:
            break
    assert handover.handed_over(ns["ctx"], info["checked"].hashed)


def test_the_later_stages_read_the_cleanings_own_columns(tmp_path):
    """clean.parquet keeps the input's columns beside the cleaning's for analysts; 02, 08 and 10 read the cleaning's
    only (a third of the CPU of reading all 17 of the default run's). A kind that names none reads every column."""
    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    run = RunFolder(tmp_path / "run").ensure()
    handover.hand_over(RunContext(params, run), preflight.preflight(params, keep=True)["checked"])
    everything = run.read_parquet("clean.parquet")
    read = RunContext(params, run).cleaned()
    assert list(read.columns) == ["customer_id", "invoice_id", "date", "quantity", "price", "amount",
                                  "is_cancellation", "stock_code", "country"]
    assert "Description" in everything.columns and len(everything.columns) == 17
    pd.testing.assert_frame_equal(read, everything[read.columns])
    customers = params.model_copy(update={"data_kind": "customers"})
    assert list(RunContext(customers, run).cleaned().columns) == list(everything.columns)


def test_08_scores_the_features_the_check_built(tmp_path):
    """08 scores every customer on their features at the last date: the features the run's check built (02's table,
    at the default snapshot) instead of reading the cleaned lines a second time and building them again. The scores
    are those of the features built from the lines, customer for customer."""
    from segkit.kinds.transactions.churn import refit_and_score
    from segkit.stages import churn

    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    checked = preflight.preflight(params, keep=True)["checked"]
    ctx = RunContext(params, RunFolder(tmp_path / "run").ensure())
    assert handover.hand_over(ctx, checked)
    data = churn.build(ctx)  # the snapshot is the one the features were built at, as features.parquet keeps it
    assert data.current is not None and data.current.attrs["snapshot_date"] == "2011-12-10"
    ours = refit_and_score(data, current=data.current, seed=0, threshold=0.5).table
    built = refit_and_score(data, ctx.cleaned(), seed=0, threshold=0.5).table
    pd.testing.assert_frame_equal(ours, built)
    handover.withdraw(ctx.folder)  # 08 opened alone builds them from the lines
    assert churn.build(ctx).current is None
    # a run of 01 and 08 without 02 hands 01's work over, not features: features.parquet is the earlier run's
    assert handover.hand_over(ctx, checked, features=False) and handover.handed_over(ctx)
    assert churn.build(ctx).current is None
    # with a snapshot of its own, 08 builds the features at it (only the branch: a run checks with these params)
    dated = params.model_copy(update={"snapshot_date": "2011-12-10"})
    assert handover.hand_over(RunContext(dated, ctx.folder), checked)
    assert churn.build(RunContext(dated, ctx.folder)).current is None


def test_a_run_without_02_leaves_the_earlier_features_as_they_were(tmp_path):
    """`segkit run --only 01_eda` keeps the earlier run's features (02 did not run): the check does not write them, so
    they still say which input they were built from, and 02 run later builds them again."""
    params, _ = load_params([ROOT / "params" / "online_retail.yaml"])
    checked = preflight.preflight(params, keep=True)["checked"]
    ctx = RunContext(params, RunFolder(tmp_path / "run").ensure())
    ctx.folder.write_json("features_meta.json", {"input_hash": "sha256:earlier"})
    assert handover.hand_over(ctx, checked, features=False)
    assert ctx.folder.read_json("features_meta.json") == {"input_hash": "sha256:earlier"}
    assert not ctx.folder.has("features.parquet")
    assert not handover.features_handed_over(ctx, "02_features")
    fs = features.build_features(ctx)  # builds them from the cleaned lines, for this input
    assert ctx.folder.read_json("features_meta.json")["input_hash"] == ctx.folder.read_json("input.json")["file_hash"]
    assert len(fs.table) == 4334
    other = params.model_copy(update={"seed": params.seed + 1})  # 02 with other params than the run's: stops
    with pytest.raises(SegkitError, match="02_features's params differ from those segkit run checked the input with"):
        features.build_features(RunContext(other, ctx.folder))
