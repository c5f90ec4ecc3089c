"""The quirks corpus (``tests/data/quirks/``, written by ``tests/make_quirks.py``): every odd table reads to its
known answers or stops with its exact message, and ``segkit check`` agrees with the run on every one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from segkit import pipeline
from segkit.preflight import reading_findings
from segkit.config import params_from_mapping
from segkit.errors import SegkitError
from segkit.kinds.transactions.churn import churn_dataset
from segkit.kinds.transactions.lifetime import value_data
from segkit.source import load_input

QUIRKS = Path(__file__).resolve().parent / "data" / "quirks"
SIDECARS = sorted(QUIRKS.glob("*.yaml"))


def _case(sidecar: Path) -> tuple[Path, dict, dict]:
    spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    data = [p for p in QUIRKS.iterdir() if p.name != sidecar.name and p.name.rsplit(".", 1)[0] == sidecar.stem]
    assert len(data) == 1, f"{sidecar.name}: {len(data)} data files"
    return data[0], spec["params"], spec["expect"]


def _params(path: Path, params: dict):
    return params_from_mapping({**params, "data_path": str(path)}, source=path.name)


def _as_run(params) -> tuple:
    """What 01_eda and 02_features do to the input: read, check against the schema, clean, build features."""
    raw = load_input(params)
    findings = pipeline.check_input(params, raw)
    cleaned, log = pipeline.clean_table(params, raw)
    findings += reading_findings(log)  # as segkit check adds it, from what the cleaning read
    return raw, findings, cleaned, log, pipeline.build_features(params, cleaned)


def _later_stages(params) -> dict[str, str]:
    """What 08_churn and 10_value (transactions) stop on when they build their data from the cleaned lines, by
    capability: the batch leaves those notebooks out."""
    if params.data_kind != "transactions":
        return {}
    cleaned, stopped = _as_run(params)[2], {}
    builds = {"churn": lambda: churn_dataset(cleaned, cutoff=params.churn_cutoff,
                                             horizon_days=params.churn_horizon_days),
              "value": lambda: value_data(cleaned, calibration_end=params.clv_calibration_end,
                                          churn_cutoff=params.churn_cutoff,
                                          churn_horizon_days=params.churn_horizon_days)}
    for need, build in builds.items():
        outcome = _outcome(build)
        if outcome != "ok":
            stopped[need] = outcome
    return stopped


def _plain(values) -> list:
    out = []
    for v in values:
        if isinstance(v, pd.Timestamp):
            v = f"{v:%Y-%m-%d}" if v == v.normalize() else f"{v:%Y-%m-%d %H:%M}"
        elif v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            v = None
        elif isinstance(v, np.generic):
            v = v.item()
        out.append(v)
    return out


def _dates(values, expected: list) -> list:
    """Dates shown as the expected ones are (with a time when they have one)."""
    with_time = any(isinstance(e, str) and ":" in e for e in expected)
    return [None if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}" if with_time else f"{v:%Y-%m-%d}" for v in values]


_DTYPES = {"text": lambda s: pd.api.types.is_string_dtype(s), "int": pd.api.types.is_integer_dtype,
           "float": pd.api.types.is_float_dtype, "datetime": pd.api.types.is_datetime64_any_dtype}


def _check_read(raw: pd.DataFrame, expect: dict) -> None:
    if "columns" in expect:
        assert list(raw.columns) == expect["columns"]
    for col, kind in expect.get("dtypes", {}).items():
        assert _DTYPES[kind](raw[col]), f"{col}: {raw[col].dtype}, not {kind}"
    for col, values in expect.get("values", {}).items():
        assert _plain(raw[col]) == values, col
    for text in expect.get("notes", []):
        assert any(text in n for n in raw.attrs["read_notes"]), f"no note says {text!r}: {raw.attrs['read_notes']}"


def _check_clean(cleaned: pd.DataFrame, log, expect: dict) -> None:
    for col, values in expect.get("values", {}).items():
        got = cleaned[col]
        shown = _dates(got, values) if pd.api.types.is_datetime64_any_dtype(got) else _plain(got)
        assert shown == values, col
    for rule, want in expect.get("steps", {}).items():
        step = log[rule]
        for field in ("rows_removed", "rows_after", "rows_netted"):
            assert getattr(step, field) == want.get(field, getattr(step, field)), f"{rule}: {field}"
        assert want.get("note", "") in step.note, f"{rule}: {step.note!r}"
    readings = log.readings_frame().set_index("column")
    for col, want in expect.get("readings", {}).items():
        row = readings.loc[col]
        for field, text in want.items():
            assert str(text) in str(row[field]), f"{col} {field}: {row[field]!r}"


def _check_features(fs, expect: dict) -> None:
    if "n" in expect:
        assert len(fs.table) == expect["n"]
    if "index" in expect:
        assert list(fs.table.index) == expect["index"]
    for col, role in expect.get("roles", {}).items():
        assert fs.extra["roles"][col] == role, col
    for col, unit in expect.get("units", {}).items():  # what the pages write after the numbers
        assert fs.units.get(col) == unit, col
    for text in expect.get("notes", []):
        assert any(text in n for n in fs.notes), f"no note says {text!r}: {fs.notes}"
    for col, want in expect.get("values", {}).items():  # by entity id
        assert {str(k): round(float(v), 2) for k, v in fs.table[col].items()} == want, col


def test_the_corpus_has_a_file_per_quirk_and_every_file_is_small():
    assert len(SIDECARS) >= 30
    for sidecar in SIDECARS:
        path, _, _ = _case(sidecar)
        size = sum(f.stat().st_size for f in path.rglob("*")) if path.is_dir() else path.stat().st_size
        assert size < 20_000, f"{path.name} has {size:,} bytes"


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_each_quirk_gives_its_known_answers_or_its_exact_error(sidecar):
    path, params, expect = _case(sidecar)
    p = _params(path, params)
    if "error" in expect:
        with pytest.raises(SegkitError) as err:
            _as_run(p)
        assert err.value.message == expect["error"].format(path=path)
        return
    raw, findings, cleaned, log, fs = _as_run(p)
    _check_read(raw, expect.get("read", {}))
    _check_clean(cleaned, log, expect.get("clean", {}))
    _check_features(fs, expect.get("features", {}))
    if "findings" in expect.get("check", {}):
        shown = [[f.severity, f.rule, f.column] for f in findings if f.severity != "info"]
        assert shown == expect["check"]["findings"]


def _outcome(run) -> str:
    try:
        run()
    except SegkitError as exc:
        return f"{type(exc).__name__}: {exc.message}"
    return "ok"


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_check_agrees_with_the_run(sidecar):
    """``segkit check`` (the deep preflight) stops exactly where the notebooks would, with the same message: in
    01_eda and 02_features; and for transactions it names what 08_churn and 10_value would stop on, so that the batch
    leaves them out."""
    path, params, expect = _case(sidecar)
    p = _params(path, params)
    outcome = _outcome(lambda: pipeline.preflight(p))
    assert outcome == _outcome(lambda: _as_run(p))
    if "warnings" in expect.get("check", {}):  # what segkit check (and the run, on the terminal) warns about
        warned = [[f.rule, f.column] for f in pipeline.preflight(p)["findings"] if f.severity == "warning"]
        assert warned == expect["check"]["warnings"]
    if outcome == "ok":  # and it names the notebooks the batch leaves out, with what they would stop on
        cannot = pipeline.preflight(p)["cannot_run"]
        assert {need: f"{type(exc).__name__}: {exc.message}" for need, exc in cannot.items()} == _later_stages(p)
