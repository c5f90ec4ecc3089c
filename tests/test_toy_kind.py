"""A fourth data kind written outside segkit (``tests/toykinds/stores.py``) runs in memory and through the
whole batch: a new kind is one module implementing segkit.kinds.base.DataKind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import segkit
from segkit.errors import ParamsError
from segkit.report import run
from toykinds.stores import _synth_shops

TESTS = Path(__file__).resolve().parent
FAST = {"k": 2, "bootstrap": 3, "gap_references": 3, "n_init": 2, "explain_folds": 2, "plot_sample": 200}


def test_the_toy_kind_segments_in_memory():
    table = _synth_shops({"n": 120, "seed": 1})
    s = segkit.segment_table(table, data_kind="toykinds.stores", seed=1, **FAST)
    named = s.assignments.merge(table, left_on="shop", right_on="shop")
    big = named["floor_m2"] > 300
    assert set(named.loc[big, "segment_name"]) == {"Large shops"}
    assert set(named.loc[~big, "segment_name"]) == {"Small shops"}
    assert s.features.entity == "shops" and s.cleaning_log["missing_id"].rows_removed == 0


def test_a_kind_that_lacks_a_function_is_refused(tmp_path, monkeypatch):
    (tmp_path / "halfkinds").mkdir()
    (tmp_path / "halfkinds" / "__init__.py").write_text("")
    (tmp_path / "halfkinds" / "half.py").write_text("def clean(raw, params):\n    return raw, None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ParamsError, match="does not define check_columns, features"):
        segkit.kinds.get("halfkinds.half")
    with pytest.raises(ParamsError, match="cannot be imported"):
        segkit.kinds.get("halfkinds.nothing_here")
    with pytest.raises(ParamsError, match="unknown data_kind 'shops'"):
        segkit.kinds.get("shops")


@pytest.mark.slow
def test_the_toy_kind_runs_through_the_whole_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    params = tmp_path / "shops.yaml"
    params.write_text("data_kind: toykinds.stores\ndata_path: synth://shops?n=120&seed=1\nid_col: shop\n"
                      + "".join(f"{k}: {v}\n" for k, v in FAST.items()))
    result = run(params, out_dir=tmp_path / "reports", notebooks_dir=TESTS.parent / "notebooks", say=lambda _: None)
    assert result.ok, result.error
    folder = result.folder
    ran = sorted(p.stem for p in folder.glob("[0-9][0-9]_*.ipynb"))
    assert ran == ["01_eda", "02_features", "03_select_k", "04_dendrogram", "05_profile", "07_explain"]
    segments = pd.read_csv(folder / "artifacts" / "segments.csv", dtype=str)
    assert len(segments) == 120 and set(segments["segment_name"]) == {"Large shops", "Small shops"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["data_kind"] == "toykinds.stores"
    assert "Large shops" in (folder / "05_profile.html").read_text(encoding="utf-8")
