"""The in-memory API gives what a batch gives: ``segkit.segment_table`` and ``segkit run`` on the same data and
params assign every entity to the same segment, with the same names and distances."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import segkit
from segkit.config import load_params
from segkit.errors import DataValueError, ParamsError
from segkit.report import run

ROOT = pd.io.common.Path(__file__).resolve().parents[1]


def test_segment_table_refuses_what_is_not_a_table():
    with pytest.raises(DataValueError, match="needs a pandas DataFrame"):
        segkit.segment_table("Mall_Customers.csv", data_kind="customers")
    with pytest.raises(ParamsError, match="did you mean"):
        segkit.segment_table(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), data_kind="customers", seeed=1)


def test_segment_table_leaves_the_input_unchanged():
    table = segkit.kinds.get("customers").synth_tables["customers"]({"n": 300, "seed": 4})
    before = table.copy(deep=True)
    segkit.segment_table(table, data_kind="customers", id_col="customer_id", k=3, bootstrap=2, gap_references=2,
                         n_init=2)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.slow
def test_segment_table_matches_a_batch_run(mall_csv, tmp_path):
    params_file = ROOT / "params" / "mall_customers.yaml"
    params, _ = load_params(params_file)
    own = {k: v for k, v in yaml.safe_load(params_file.read_text()).items() if k not in ("data_path",)}
    # the batch's reader keeps the ids as written (0001); read the table the same way
    in_memory = segkit.segment_table(segkit.io.read_table(mall_csv), **own).assignments
    result = run(params_file, out_dir=tmp_path, notebooks_dir=ROOT / "notebooks", say=lambda _: None,
                 only=None, name="mall")
    assert result.ok, result.error
    batch = pd.read_csv(result.folder / "artifacts" / "segments.csv", dtype=str)
    # segments.csv writes numbers with 6 significant digits (RunFolder.write_csv)
    expected = in_memory.assign(distance_to_centre=in_memory["distance_to_centre"].map(lambda v: f"{v:.6g}"))
    pd.testing.assert_frame_equal(batch, expected.astype(str))
    assert params.data_kind == "customers" and batch["segment_name"].nunique() >= 2
