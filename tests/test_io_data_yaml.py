"""io.read_data_yaml: the shipped file, a user's file, or a mapping; clear errors otherwise."""

from __future__ import annotations

import pytest

from segkit.errors import DataFileError
from segkit.resources import read_data_yaml


def test_shipped_file_mapping_and_user_file(tmp_path):
    raw, path = read_data_yaml(None, shipped="kinds/transactions/rfm_names.yaml", what="RFM rules")
    assert path is None and raw["rules"]
    assert read_data_yaml({"a": 1}, shipped="kinds/transactions/rfm_names.yaml", what="x") == ({"a": 1}, None)
    mine = tmp_path / "mine.yaml"
    mine.write_text("rules:\n  - name: Everyone\n")
    raw, path = read_data_yaml(mine, shipped="kinds/transactions/rfm_names.yaml", what="RFM rules")
    assert path == mine and raw == {"rules": [{"name": "Everyone"}]}


def test_missing_and_invalid_files_name_the_file_and_the_example(tmp_path):
    with pytest.raises(DataFileError, match=r"cannot read the lexicon file .*absent.yaml: it does not exist") as err:
        read_data_yaml(tmp_path / "absent.yaml", shipped="kinds/demographics/lexicon.yaml", what="lexicon")
    assert "segkit/kinds/demographics/lexicon.yaml" in err.value.message
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed\n")
    with pytest.raises(DataFileError, match="is not valid YAML"):
        read_data_yaml(bad, shipped="kinds/transactions/rfm_names.yaml", what="RFM rules")
