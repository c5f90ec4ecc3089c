"""`segkit score`: the saved model reproduces the training assignments; mismatched tables fail clearly."""

from __future__ import annotations


import pandas as pd
import pytest

from segkit.cli import main
from segkit.modelio import load_model

from batch_fixtures import fit_customer_model


@pytest.fixture(scope="module", params=["kmeans", "gmm", "agglomerative"])
def trained(request, tmp_path_factory):
    """A customer model fitted by the pipeline stages on 500 generated customers, and that table as CSV."""
    model, csv = fit_customer_model(tmp_path_factory.mktemp(request.param), algorithm=request.param)
    return model, csv, pd.read_csv(model.parent / "segments.csv", dtype=str)


def test_training_rows_reproduce_their_assignments(trained, tmp_path, capsys):
    model_dir, csv, segments = trained
    out = tmp_path / "scored.csv"
    assert main(["score", str(model_dir), str(csv), "--out", str(out)]) == 0
    assert "scored rows written" in capsys.readouterr().out
    scored = pd.read_csv(out, dtype={"customer_id": str})
    assert list(scored.columns) == ["customer_id", "segment_code", "segment_name", "confidence", "distance_to_centre",
                                    "outside_training_range", "not_scored", "filled_features"]
    assert not scored["outside_training_range"].any() and scored["not_scored"].isna().all()
    merged = segments.merge(scored, on="customer_id", suffixes=("_train", "_score"))
    assert len(merged) == 500
    agree = (merged["segment_code_train"] == merged["segment_code_score"]).mean()
    model, _ = load_model(model_dir)
    # k-means and mixtures score by the rule they were fitted with: every row gets its segment back. An
    # agglomerative cut is not a nearest-centre partition; scoring agrees with it as often as the fitted
    # model's own predict() does (train_agreement_, recorded at fit time).
    assert agree == (1.0 if model.algorithm != "agglomerative" else pytest.approx(model.train_agreement_))
    same = merged["segment_code_train"] == merged["segment_code_score"]
    assert (merged.loc[same, "segment_name_train"] == merged.loc[same, "segment_name_score"]).all()
    assert scored["confidence"].between(0, 1).all()


def test_distances_match_the_training_run(trained, tmp_path):
    model_dir, csv, segments = trained
    out = tmp_path / "scored.csv"
    assert main(["score", str(model_dir), str(csv), "--out", str(out)]) == 0
    scored = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id").loc[segments["customer_id"]]
    train = segments.set_index("customer_id")
    same = scored["segment_code"] == train["segment_code"]
    if "agglomerative" in str(model_dir):
        # a tree cut is not a nearest-centre partition: rows near a boundary may move (train_agreement_),
        # but every row that keeps its segment keeps its distance
        assert same.mean() > 0.8
    else:
        assert same.all()
    diff = (scored.loc[same, "distance_to_centre"] - train.loc[same, "distance_to_centre"].astype(float)).abs()
    assert diff.max() < 1e-5


def test_missing_feature_columns_exit_2_naming_them(trained, tmp_path, capsys):
    model_dir, csv, _ = trained
    bad = tmp_path / "bad.csv"
    pd.read_csv(csv).drop(columns=["income", "region"]).to_csv(bad, index=False)
    assert main(["score", str(model_dir), str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "lacks columns the model needs: region, income" in err
    assert "Fix: the model expects these columns: age, gender, region, income" in err
    assert not (tmp_path / "x.csv").exists()


def test_a_table_of_another_kind_is_refused(trained, tmp_path, capsys):
    model_dir, _, _ = trained
    other = tmp_path / "mall.csv"
    pd.DataFrame({"CustomerID": [1, 2], "Genre": ["Male", "Female"], "Age": [19, 40],
                  "Annual Income (k$)": [15, 60], "Spending Score (1-100)": [39, 50]}).to_csv(other, index=False)
    assert main(["score", str(model_dir), str(other), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "mall.csv: the data to score lacks columns the model needs: gender, region, income" in err and "Fix:" in err
    assert not (tmp_path / "x.csv").exists()


def test_text_in_a_numeric_column_exit_2(trained, tmp_path, capsys):
    model_dir, csv, _ = trained
    bad = tmp_path / "bad.csv"
    table = pd.read_csv(csv)
    table["age"] = table["age"].astype(object)
    table.loc[3, "age"] = "thirty"
    table.to_csv(bad, index=False)
    assert main(["score", str(model_dir), str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "'age'" in err and "thirty" in err


def test_unknown_category_is_scored(trained, tmp_path):
    model_dir, csv, _ = trained
    new = pd.read_csv(csv).head(5)
    new.loc[0, "region"] = "Atlantis"
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    assert main(["score", str(model_dir), str(path), "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 5


def test_existing_output_needs_force(trained, tmp_path, capsys):
    model_dir, csv, _ = trained
    out = tmp_path / "scored.csv"
    out.write_text("keep me")
    assert main(["score", str(model_dir), str(csv), "--out", str(out)]) == 2
    assert out.read_text() == "keep me" and "--force" in capsys.readouterr().err
    assert main(["score", str(model_dir), str(csv), "--out", str(out), "--force"]) == 0
