"""The data-kind wrapper's defaults, the capability filter on notebook cells, and the JSON rounding rule."""

from __future__ import annotations

import math
from types import SimpleNamespace

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from segkit import kinds
from segkit.format import round_json
from segkit.report.notebook import applicable_cells


def test_optional_hooks_have_defaults():
    shops = kinds.get("toykinds.stores")  # tests/toykinds/stores.py defines only the required functions
    params = SimpleNamespace(id_col="shop", roles={"store_code": "id", "floor_m2": "numeric"})
    assert shops.entity == "shops" and shops.extra_stages == () and shops.private_records
    assert shops.id_columns(params) == ["shop", "store_code"]
    assert shops.eda_frame(None, params) is None and shops.choose_k(params, 100) is None and not shops.fixes_k
    assert shops.schema() is None and set(shops.synth_tables) == {"shops"}


def test_built_in_kinds_offer_their_capabilities():
    assert "churn" in kinds.get("transactions").extra_stages and "value" in kinds.get("transactions").extra_stages
    assert {"score", "pca", "categories"} <= set(kinds.get("customers").extra_stages)
    assert not kinds.get("demographics").private_records and kinds.get("demographics").fixes_k


def test_cells_needing_a_missing_capability_are_left_out(tmp_path):
    book = new_notebook(cells=[new_markdown_cell("# T"), new_markdown_cell("## PCA", metadata={"tags": ["needs:pca"]}),
                               new_code_cell("pca()", metadata={"tags": ["needs:pca"]}), new_code_cell("always()")])
    path = tmp_path / "t.ipynb"
    nbformat.write(book, str(path))
    assert [c.source for c in applicable_cells(path, ["churn"]).cells] == ["# T", "always()"]
    assert len(applicable_cells(path, ["pca"]).cells) == 4


def test_round_json_keeps_six_significant_digits():
    assert round_json(1234567.89) == 1234570.0 and round_json(0.000123456789) == 0.000123457
    assert round_json(float("nan")) is None and round_json(math.inf) is None and round_json(None) is None
