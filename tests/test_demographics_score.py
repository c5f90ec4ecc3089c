"""Scoring raw ACS rows with a saved area model: the kind's feature builder runs first, then the model."""

from __future__ import annotations

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
