"""`segkit score` on the tables users actually send: one constructed quirk per test, each with a known answer.

Every quirk was met scoring a new-user trial's files against a saved model: a table without the id column, a
row with most of its features blank, an age of -5, an income of 1e300, text in a number column, column names
in another case, and a run folder given instead of its model folder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.cli import main

from batch_fixtures import fit_customer_model


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The model folder of 500 generated customers (ages 18 and up, incomes above 0) and five of them."""
    model_dir, csv = fit_customer_model(tmp_path_factory.mktemp("quirks"))
    return model_dir, pd.read_csv(csv, dtype={"customer_id": str}).head(5)


def _score(source, table: pd.DataFrame, tmp_path, capsys, name="new.csv"):
    path = tmp_path / name
    table.to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    code = main(["score", str(source), str(path), "--out", str(out), "--force"])
    captured = capsys.readouterr()
    scored = pd.read_csv(out, dtype=str, keep_default_na=False) if code == 0 else None
    return code, captured.out, captured.err, scored


def test_no_id_column_numbers_the_rows_under_row_and_says_so(trained, tmp_path, capsys):
    model_dir, rows = trained
    kept = rows.drop(columns="customer_id").iloc[[0, 2, 4]]  # a filtered table keeps positions 0, 2, 4 as its index
    kept.to_parquet(tmp_path / "kept.parquet")  # which Parquet stores: positions, not ids
    assert main(["score", str(model_dir), str(tmp_path / "kept.parquet"), "--out", str(tmp_path / "k.csv")]) == 0
    assert "no 'customer_id' column" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "k.csv", dtype=str)["row"].tolist() == ["row_0001", "row_0002", "row_0003"]
    code, _, err, scored = _score(model_dir, rows.drop(columns="customer_id"), tmp_path, capsys)
    assert code == 0 and scored.columns[0] == "row" and "customer_id" not in scored.columns
    assert scored["row"].tolist() == ["row_0001", "row_0002", "row_0003", "row_0004", "row_0005"]
    assert "no 'customer_id' column (the id the model was trained with)" in err
    code, _, err, scored = _score(model_dir, rows, tmp_path, capsys)  # with the ids: no such warning
    assert scored["customer_id"].tolist() == rows["customer_id"].tolist() and "no 'customer_id'" not in err


def test_a_row_with_most_features_blank_is_scored_counted_and_warned_about(trained, tmp_path, capsys):
    model_dir, rows = trained
    table = rows.astype(object)
    features = [c for c in table.columns if c != "customer_id"]
    table.loc[1, features[:6]] = np.nan  # 6 of 9 blank
    table.loc[2, features[:1]] = np.nan  # 1 of 9 blank
    code, _, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0 and scored["filled_features"].tolist() == ["0", "6", "1", "0", "0"]
    assert scored["segment_code"].ne("").all()
    assert "1 scored row has more than half of the model's 9 features blank" in err


def test_a_negative_value_where_training_had_none_is_flagged_however_near(trained, tmp_path, capsys):
    model_dir, rows = trained
    table = rows.copy()
    table.loc[3, "age"] = -5  # training's youngest is 18: -5 is not "far" by the range rule, but impossible
    code, out, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert code == 0 and scored["outside_training_range"].tolist() == ["False", "False", "False", "True", "False"]
    assert "column 'age' has 1 negative value though training's lowest was 18 (e.g. -5)" in err
    assert "1 flagged outside the training range" in out


def test_a_huge_finite_value_is_called_too_large_not_infinite(trained, tmp_path, capsys):
    model_dir, rows = trained
    table = rows.copy()
    table.loc[0, "income"] = 1e300
    table.loc[1, "income"] = np.inf
    table.loc[2, "age"] = -1e300
    table.loc[2, "income"] = 1e299  # the row is not scored for its age: its income is not counted again
    code, _, err, scored = _score(model_dir, table, tmp_path, capsys)
    assert scored["not_scored"].tolist()[:3] == ["value of impossible size in income (1e+300)",
                                                 "infinite value in income", "value of impossible size in age (-1e+300)"]
    assert "column 'income' holds 1 infinite value and 1 value of impossible size" in err
    assert "column 'age' holds 1 value of impossible size (at least 1,000,000,000,000 either side of zero)" in err
    assert "far outside" not in err  # a row not scored is not also called far outside the range


def test_text_in_a_number_column_names_the_file_and_does_not_ask_for_a_retrain(trained, tmp_path, capsys):
    model_dir, rows = trained
    table = rows.astype(object)
    table.loc[2, "age"] = "thirty"
    code, _, err, _ = _score(model_dir, table, tmp_path, capsys, name="april_customers.csv")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "april_customers.csv: column 'age' should hold numbers but 1 value is text (examples: 'thirty')" in err
    assert "roles" not in err and "leave the cells empty" in err


def test_columns_differing_only_in_case_or_spaces_are_read_as_the_models(trained, tmp_path, capsys):
    model_dir, rows = trained
    code, _, _, expected = _score(model_dir, rows, tmp_path, capsys)
    renamed = rows.rename(columns={"age": "Age", "income": " INCOME ", "customer_id": "Customer_ID"})
    code, _, err, scored = _score(model_dir, renamed, tmp_path, capsys)
    assert code == 0
    assert "column 'Age' was read as the model's 'age'" in err and "column ' INCOME ' was read" in err
    assert scored.rename(columns={"Customer_ID": "customer_id"}).equals(expected)  # the ids too
    both = rows.assign(AGE=rows["age"], Age=rows["age"]).drop(columns="age")  # two candidates: not guessed
    code, _, err, _ = _score(model_dir, both, tmp_path, capsys)
    assert code == 2 and "lacks column the model needs: age; 'AGE', 'Age' differ from 'age' only in case" in err


def test_a_run_folder_is_taken_for_its_model(trained, tmp_path, capsys):
    model_dir, rows = trained
    run = model_dir.parent.parent  # <run>/artifacts/model
    code, _, _, from_run = _score(run, rows, tmp_path, capsys)
    code2, _, _, from_model = _score(model_dir, rows, tmp_path, capsys)
    assert code == code2 == 0 and from_run.equals(from_model)


def test_a_folder_without_a_model_says_what_it_needs(tmp_path, capsys):
    comparison = tmp_path / "compare_jan_vs_feb"
    (comparison / "artifacts" / "compare").mkdir(parents=True)
    (tmp_path / "new.csv").write_text("customer_id,age\n1,30\n")
    assert main(["score", str(comparison), str(tmp_path / "new.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "compare_jan_vs_feb is neither a run folder with a saved model (artifacts/model/) nor a model folder" in err
    assert "metadata.json does not exist" not in err and not (tmp_path / "o.csv").exists()


def test_an_id_twice_is_scored_twice_and_said(trained, tmp_path, capsys):
    model_dir, rows = trained
    table = pd.concat([rows, rows.iloc[[1]]], ignore_index=True)
    code, _, err, scored = _score(model_dir, table, tmp_path, capsys)
    twice = rows["customer_id"].iloc[1]
    assert code == 0 and (scored["customer_id"] == twice).sum() == 2
    assert f"1 id in 'customer_id' comes more than once (e.g. '{twice}')" in err


def test_spaces_underscores_and_hyphens_in_a_name_are_alike(trained, tmp_path, capsys):
    model_dir, rows = trained
    _, _, _, expected = _score(model_dir, rows, tmp_path, capsys)
    renamed = rows.rename(columns={"total_spend": "Total Spend", "visit_frequency": "visit-frequency"})
    code, _, err, scored = _score(model_dir, renamed, tmp_path, capsys)
    assert code == 0 and scored.equals(expected)
    assert "column 'Total Spend' was read as the model's 'total_spend'" in err
