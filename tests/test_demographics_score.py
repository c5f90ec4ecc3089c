"""Scoring raw ACS rows with a saved area model: the kind's feature builder runs first, then the model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import segkit
from acs_tables import small_acs
from segkit.cli import main
from segkit.errors import ColumnError
from segkit.kinds.demographics.score import score_rows
from segkit.modelio import save_model


@pytest.fixture(scope="module")
def fitted():
    raw = small_acs(40)
    result = segkit.segment_table(raw, data_kind="demographics", k=2, seed=0)
    names = {str(s): n for s, n in result.profiles.names.items()}
    meta = {"features": list(result.model.feature_names_in_), "params": {"id_col": None, "min_population": 100},
            "data_kind": "demographics", "segment_names": names, "input_hash": None}
    return raw, result, meta


def test_raw_training_rows_get_their_training_segments(fitted):
    raw, result, meta = fitted
    scored = score_rows(result.model, meta, raw)
    assert scored["zcta"].tolist() == result.assignments["zcta"].tolist()  # ids as the training wrote them
    assert scored["segment_code"].tolist() == result.assignments["segment_code"].tolist()
    assert scored["segment_name"].tolist() == result.assignments["segment_name"].tolist()
    np.testing.assert_allclose(scored["distance_to_centre"].astype(float),
                               result.assignments["distance_to_centre"].astype(float), atol=1e-6)
    assert scored["not_scored"].eq("").all() and scored.attrs["warnings"] == []


def test_a_few_areas_alone_score_as_in_the_whole_table(fitted):
    # features are per area; a gap is filled with the training median by the model, not the batch's
    raw, result, meta = fitted
    few = raw.iloc[[3, 4, 9]].copy()
    few.loc[few.index[0], "median_household_income"] = np.nan
    scored = score_rows(result.model, meta, few)
    assert scored["segment_code"].tolist() == result.assignments["segment_code"].iloc[[3, 4, 9]].tolist()


def test_small_and_empty_areas_are_not_scored(fitted):
    raw, result, meta = fitted
    rows = raw.iloc[:4].copy()
    rows.loc[rows.index[1], "population"] = 40
    features = [c for c in rows.columns if c not in ("zcta", "population")]
    rows.loc[rows.index[2], features] = -666666666  # the Census "no estimate" code everywhere
    scored = score_rows(result.model, meta, rows)
    assert scored["not_scored"].tolist() == ["", "population missing, 0 or below min_population=100",
                                             "every feature is missing", ""]
    assert scored["segment_code"].isna().tolist() == [False, True, True, False]
    assert scored.attrs["warnings"] == ["1 area has too few residents and was not scored",
                                        "1 area has every feature missing and was not scored"]


def test_absent_acs_columns_are_named(fitted):
    raw, result, meta = fitted
    with pytest.raises(ColumnError, match="renter_occupied"):
        score_rows(result.model, meta, raw.drop(columns=["renter_occupied"]))
    with pytest.raises(ColumnError, match="no id column 'zcta'"):
        score_rows(result.model, meta, raw.drop(columns=["zcta"]))


def test_segkit_score_takes_raw_acs_rows(fitted, tmp_path, capsys):
    raw, result, meta = fitted
    save_model(result.model, tmp_path / "model", metadata=meta)
    raw.head(6).to_csv(tmp_path / "areas.csv", index=False)
    code = main(["score", str(tmp_path / "model"), str(tmp_path / "areas.csv"), "--out", str(tmp_path / "s.csv")])
    assert code == 0, capsys.readouterr().err
    scored = pd.read_csv(tmp_path / "s.csv", dtype={"zcta": str})
    assert scored["segment_code"].tolist() == result.assignments["segment_code"].head(6).tolist()
    assert scored["zcta"].tolist() == result.assignments["zcta"].head(6).tolist()


def test_segkit_score_reads_a_census_download_as_the_training_input(fitted, tmp_path, capsys):
    """New areas from a download with census codes are read as the run read its input: a median income written
    2,500- (2,500 or less) is 2,500, not -2,500, so the area scores as it does with the number itself."""
    raw, result, meta = fitted
    save_model(result.model, tmp_path / "model", metadata=meta)
    plain, coded = raw.head(6).copy(), raw.head(6).astype({"median_household_income": object})
    plain.loc[plain.index[0], "median_household_income"] = 2500
    coded.loc[coded.index[0], "median_household_income"] = "2,500-"
    scored = []
    for name, table in (("plain", plain), ("coded", coded)):
        table.to_csv(tmp_path / f"{name}.csv", index=False)
        code = main(["score", str(tmp_path / "model"), str(tmp_path / f"{name}.csv"), "--out",
                     str(tmp_path / f"{name}_s.csv")])
        assert code == 0, capsys.readouterr().err
        scored.append(pd.read_csv(tmp_path / f"{name}_s.csv", dtype={"zcta": str}))
    pd.testing.assert_frame_equal(*scored)


def test_a_few_areas_of_an_export_one_line_off_are_read_as_the_model_was(delaware_csv, tmp_path):
    """Delaware's enrolment block is one line off, and a run reads it one line down (its college enrolment counts the
    undergraduates). Three of its areas alone are too few to tell: they are read as the model's training table was
    (``read_down`` in its metadata), not as named (high-school students and undergraduates)."""
    from segkit.kinds.demographics.score import _features

    raw = pd.read_csv(delaware_csv)
    few = raw[raw["zcta"].isin([19717, 19711, 19901])]
    expected = (few["college_graduate_enrollment"] / few["school_enrollment_total"]).to_numpy()
    as_named = ((few["college_undergraduate_enrollment"] + few["college_graduate_enrollment"])
                / few["school_enrollment_total"]).to_numpy()
    read = _features(few, ["share_enrolled_college"], "zcta", 100, read_down=["enrollment"])
    np.testing.assert_allclose(read["share_enrolled_college"].to_numpy(), expected)
    np.testing.assert_allclose(_features(few, ["share_enrolled_college"], "zcta", 100)["share_enrolled_college"],
                               as_named)  # a model trained on a table read as named
    # the whole table tells for itself, whatever the model says
    whole = _features(raw, ["share_enrolled_college"], "zcta", 100)
    assert whole.loc["19717", "share_enrolled_college"] == pytest.approx(6499 / 6522)
    # a run keeps what it read down in the model's metadata
    (tmp_path / "de.yaml").write_text(f"data_kind: demographics\ndata_path: {delaware_csv}\nid_col: zcta\nk: 4\n")
    assert main(["run", str(tmp_path / "de.yaml"), "--out", str(tmp_path / "reports"), "--only", "01", "02", "03",
                 "05"]) == 0
    meta = json.loads((tmp_path / "reports" / "de" / "artifacts" / "model" / "metadata.json").read_text())
    assert meta["read_down"] == ["enrollment"]
