"""Census downloads write codes in their numbers: ``2,500-`` is "2,500 or less" (a bottom code), ``250,000+`` "250,000
or more", ``(X)``, ``N``, ``**``, ``***``, ``*****`` mean no value. A census table (the demographics kind) reads them
so; other kinds keep reading ``3,50-`` as an SAP-style negative."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit import pipeline
from segkit.config import params_from_mapping
from segkit.parse import read_numbers
from segkit.source import load_input

CODES = ["250,000+", "2,500-", "(X)", "N", "**", "***", "*****", "45,000", "-", "1939-"]


def test_census_codes_read_as_their_numbers_or_missing():
    r = read_numbers(CODES, census=True)
    assert r.values.tolist()[:2] == [250000.0, 2500.0] and r.values.tolist()[7] == 45000.0
    assert r.values.tolist()[9] == 1939.0 and r.n_unparsed == 0 and r.n_missing == 6
    assert any("2,500- (a bottom code" in n for n in r.notes) and any("250,000+ (a top code" in n for n in r.notes)
    rents = read_numbers(["3,500+", "1,200", "2,000"], census=True)  # the note quotes a code the column holds
    assert rents.notes[-1] == "1 value such as 3,500+ (a top code: that much or more) read as its number"


def test_outside_a_census_table_a_trailing_minus_stays_negative_and_a_top_code_reads():
    r = read_numbers(["1.234,56-", "3,50-", "12,00", "2.500+"])
    assert r.values.tolist() == [-1234.56, -3.5, 12.0, 2500.0]
    assert read_numbers(["(X)", "12"]).n_unparsed == 1  # not a census table: "(X)" is no number


def test_a_census_download_reads_its_codes_and_passes_the_check(delaware_csv, tmp_path):
    """The Delaware areas with a download's codes in their medians: read as bottom and top codes or missing, the
    check passes with no negative income, and the bottom-coded area keeps the lowest income."""
    df = pd.read_csv(delaware_csv, dtype={"zcta": str})
    df = df.astype({c: object for c in ("median_household_income", "median_year_built", "median_home_value")})
    poorest = df["median_household_income"].astype(float).idxmin()
    df.loc[poorest, "median_household_income"] = "2,500-"
    df.loc[df.index[:3], "median_year_built"] = "1939-"
    df.loc[df.index[3:5], "median_home_value"] = ["2,000,000+", "(X)"]
    df.loc[df.index[5], "median_household_income"] = "N"
    path = tmp_path / "download.csv"
    df.to_csv(path, index=False)
    p = params_from_mapping({"data_kind": "demographics", "data_path": str(path), "id_col": "zcta"})
    raw = load_input(p)
    assert raw.loc[poorest, "median_household_income"] == 2500 == raw["median_household_income"].min()
    assert raw["median_year_built"].iloc[:3].tolist() == [1939] * 3
    assert raw.loc[df.index[3], "median_home_value"] == 2_000_000 and pd.isna(raw.loc[df.index[4], "median_home_value"])
    assert pd.isna(raw.loc[df.index[5], "median_household_income"])
    findings = pipeline.check_input(p, raw)
    assert not [f for f in findings if f.rule == "range"], [f.message for f in findings]
    customers = params_from_mapping({"data_kind": "customers", "data_path": str(path), "id_col": "zcta"})
    assert load_input(customers)["median_year_built"].iloc[0] == -1939  # other kinds: a trailing minus


@pytest.mark.parametrize("area_id", ["8600000US19701", "860Z200US19701", "ZCTA5 19701", "0500000US10001", "10001",
                                     "100010401001"])
def test_census_area_ids_are_not_flagged(area_id, delaware_csv, tmp_path):
    df = pd.read_csv(delaware_csv, dtype={"zcta": str}).head(10)
    df["area"] = [area_id[:-1] + str(i) for i in range(10)]
    df.to_csv(tmp_path / "ids.csv", index=False)
    p = params_from_mapping({"data_kind": "demographics", "data_path": str(tmp_path / "ids.csv"), "id_col": "area"})
    assert not [f for f in pipeline.check_input(p, load_input(p)) if f.rule == "pattern" and f.column == "area"]
