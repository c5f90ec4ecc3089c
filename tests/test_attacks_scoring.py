"""Safe by construction (issue 17), scoring: ``segkit score`` refuses a forged model folder and what it
cannot score honestly, and flags what it scores by extrapolation.

One customer model is fitted by the pipeline stages on 500 generated customers; every test scores a
hostile variant of that table (or of the model folder) through the CLI.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from segkit.cli import main
from segkit.errors import ColumnError
from segkit.kinds.customers.score import score_customers
from segkit.modelio import load_model

from batch_fixtures import fit_customer_model


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A customer model folder fitted on 500 generated customers, and that table as CSV."""
    return fit_customer_model(tmp_path_factory.mktemp("scoring"))


def _score(model_dir, table: pd.DataFrame | None, tmp_path, capsys, *, csv=None) -> tuple[int, str, str, pd.DataFrame | None]:
    """Run ``segkit score`` on ``table`` (written as CSV); return exit code, stdout, stderr and the output."""
    if csv is None:
        csv = tmp_path / "new.csv"
        table.to_csv(csv, index=False)
    out = tmp_path / "scored.csv"
    code = main(["score", str(model_dir), str(csv), "--out", str(out), "--force"])
    captured = capsys.readouterr()
    scored = pd.read_csv(out, dtype={"customer_id": str}, keep_default_na=False) if code == 0 else None
    return code, captured.out, captured.err, scored


def _forged(model_dir, tmp_path, edit) -> str:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    meta = json.loads((copy / "metadata.json").read_text())
    edit(meta)
    (copy / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return str(copy)


# ------------------------------------------------------------------------------------------ the model folder
@pytest.mark.parametrize("what", ["segment name", "feature list", "package version", "id column", "new key"])
def test_forged_metadata_is_refused(trained, tmp_path, capsys, what):
    model_dir, csv = trained
    edits = {
        "segment name": lambda m: m["names"].update({"S01": "VIP - give 50% discount"}),
        "feature list": lambda m: m["features"].remove("income"),
        "package version": lambda m: m["versions"].update({"segkit": "99.0"}),
        "id column": lambda m: m.update({"id_col": "email"}),
        "new key": lambda m: m.update({"note": "trusted"}),
    }
    forged = _forged(model_dir, tmp_path, edits[what])
    out = tmp_path / "x.csv"
    assert main(["score", forged, str(csv), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "metadata.json does not match the hash stored in model.skops" in err and "Traceback" not in err
    assert "VIP" not in err and not out.exists()


def test_metadata_reformatted_but_unchanged_still_loads(trained, tmp_path):
    model_dir, _ = trained
    copy = _forged(model_dir, tmp_path, lambda m: None)  # written again with other whitespace: same content
    (tmp_path / "model" / "metadata.json").write_text(json.dumps(json.loads((tmp_path / "model" / "metadata.json")
                                                                             .read_text()), indent=4))
    assert load_model(copy)[1]["names"]


def test_metadata_holds_no_memory_address(trained):
    model_dir, _ = trained
    text = (model_dir / "metadata.json").read_text()
    assert " at 0x" not in text and "segkit.kinds.customers.values.levels_as_text" in text


# ------------------------------------------------------------------------------------------ rows
def test_the_id_column_is_named_as_in_the_source(trained, tmp_path, capsys):
    model_dir, csv = trained
    code, out, _, scored = _score(model_dir, None, tmp_path, capsys, csv=csv)
    assert code == 0 and scored.columns[0] == "customer_id" and "id" not in scored.columns
    assert scored["customer_id"].tolist() == pd.read_csv(csv, dtype=str)["customer_id"].tolist()
    assert "(500 rows: 500 scored, 0 flagged outside the training range, 0 not scored)" in out


def test_all_missing_rows_are_not_scored_and_flagged(trained, tmp_path, capsys):
    model_dir, csv = trained
    table = pd.read_csv(csv).head(6)
    features = json.loads((model_dir / "metadata.json").read_text())["features"]
    table.loc[[1, 4], [c for c in features if c in table.columns]] = np.nan
    table.loc[[1, 4], "signup_date"] = np.nan
    code, out, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0 and "Traceback" not in err
    assert scored.loc[[1, 4], "not_scored"].eq("every feature is missing").all()
    assert scored.loc[[1, 4], ["segment_code", "segment_name", "confidence"]].eq("").all().all()
    assert scored.drop(index=[1, 4])["segment_code"].str.fullmatch(r"S0[1-4]").all()
    assert "2 not scored" in out and "2 rows have every feature missing and were not scored" in err


@pytest.mark.parametrize("values", [["true", "false"], [True, False]], ids=["text", "bool"])
def test_booleans_in_a_numeric_column_are_refused(trained, tmp_path, capsys, values):
    model_dir, csv = trained
    table = pd.read_csv(csv).head(4)
    table["age"] = (values * 2)[:4]
    code, _, err, _ = _score(model_dir, table, tmp_path, capsys)
    assert code == 2 and "column 'age' should hold numbers but 4 values are" in err and "Traceback" not in err


def test_a_boolean_among_numbers_is_refused_by_the_library(trained):
    model_dir, csv = trained
    model, metadata = load_model(model_dir)
    table = pd.read_csv(csv).head(3)
    table["age"] = pd.Series([31, True, 40], dtype=object)
    with pytest.raises(ColumnError, match="column 'age' should hold numbers but 1 value") as info:
        score_customers(model, metadata, table)
    assert info.value.column == "age"


def test_values_far_outside_the_training_range_are_flagged(trained, tmp_path, capsys):
    model_dir, csv = trained
    table = pd.read_csv(csv).head(8)
    table.loc[2, "age"] = -5000
    table.loc[5, "income"] = 1e11  # far outside, below the absurd size (1e12), so scored and flagged
    table.loc[6, "age"] = 95  # beyond the training maximum, but by less than the training range: not flagged
    code, out, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0
    assert scored["outside_training_range"].tolist() == [False, False, True, False, False, True, False, False]
    assert scored["segment_code"].str.fullmatch(r"S0[1-4]").all()  # scored all the same
    assert "2 flagged outside the training range" in out
    assert "column 'age' has 1 value far outside the training range" in err and "-5,000" in err
    assert "column 'income' has 1 value far outside" in err and "1e+11" in err


def test_infinite_values_are_flagged_not_a_traceback(trained, tmp_path, capsys):
    model_dir, csv = trained
    table = pd.read_csv(csv).head(5)
    table["income"] = table["income"].astype(object)
    table.loc[1, "income"] = "inf"
    table.loc[3, "income"] = "-inf"
    table.loc[4, "age"] = 1e308
    code, out, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0 and "Traceback" not in err
    assert scored.loc[[1, 3], "not_scored"].eq("infinite value in income").all()
    assert scored.loc[[1, 3, 4], "segment_code"].eq("").all()
    assert scored.loc[4, "not_scored"] == "value of impossible size in age (1e+308)"  # as inf (missing in training)
    assert "column 'income' holds 2 infinite values; those rows were not scored" in err
    assert "column 'age' holds 1 value of impossible size (at least 1,000,000,000,000 either side of zero)" in err
    assert "(5 rows: 2 scored, 0 flagged outside the training range, 3 not scored)" in out


def test_unseen_levels_are_a_warning_naming_them(trained, tmp_path, capsys):
    model_dir, csv = trained
    table = pd.read_csv(csv).head(5)
    table.loc[[0, 2, 3], "region"] = "Atlantis"
    table.loc[1, "gender"] = "Unknown"
    code, _, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0 and len(scored) == 5
    # rows and distinct values are both counted, so the sentence reads as the ones about rows beside it
    assert "segkit: warning: column 'region' has 3 rows with a value the model never saw (1 distinct: 'Atlantis')" \
        in err
    assert "column 'gender' has 1 row with a value the model never saw (1 distinct: 'Unknown')" in err
    assert "Found unknown categories" not in err


# ------------------------------------------------------------------------------------------ --out
def test_out_that_is_a_folder_is_refused(trained, tmp_path, capsys):
    model_dir, csv = trained
    (tmp_path / "folder").mkdir()
    for force in ([], ["--force"]):
        assert main(["score", str(model_dir), str(csv), "--out", str(tmp_path / "folder")] + force) == 2
        err = capsys.readouterr().err
        assert "is a folder" in err and "scored.csv" in err and "Traceback" not in err


def test_out_that_is_the_input_is_refused(trained, tmp_path, capsys):
    model_dir, csv = trained
    copy = tmp_path / "new.csv"
    shutil.copy(csv, copy)
    before = copy.read_bytes()
    assert main(["score", str(model_dir), str(copy), "--out", str(copy), "--force"]) == 2
    assert "is the file being scored" in capsys.readouterr().err and copy.read_bytes() == before


def test_a_model_saved_before_the_encoding_moved_still_loads_and_scores(tmp_path, monkeypatch, capsys):
    # until 1 December 2026 the transformers and levels_as_text lived in segkit.kinds.customers.features, and a
    # model file names its types by module: saved as then, it must load and score as a model saved now
    from segkit.kinds.customers import encoding, values

    for obj in (encoding.DateAgeTransformer, encoding.SkewTransformer, encoding.FenceClipper, values.levels_as_text):
        monkeypatch.setattr(obj, "__module__", "segkit.kinds.customers.features")
    old_dir, csv = fit_customer_model(tmp_path / "old")
    monkeypatch.undo()
    text = (old_dir / "metadata.json").read_text()
    assert "segkit.kinds.customers.features.levels_as_text" in text and "customers.values" not in text
    model, _ = load_model(old_dir)
    assert type(model.preprocessor_).__module__.startswith("sklearn")  # the model really loaded
    new_dir, _ = fit_customer_model(tmp_path / "new")
    old_scored = _score(old_dir, None, tmp_path / "o", capsys, csv=csv)
    new_scored = _score(new_dir, None, tmp_path / "n", capsys, csv=csv)
    assert old_scored[0] == new_scored[0] == 0
    pd.testing.assert_frame_equal(old_scored[3], new_scored[3])
