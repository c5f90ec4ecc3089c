"""A census download names its columns by ACS variable (``B01003_001E``): the demographics kind reads them as the
names of its feature groups (``population``), one variable as it is, several as their sum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import segkit
from acs_tables import small_acs
from segkit import config, kinds
from segkit.cli import main
from segkit.kinds.demographics.codes import census_variables, derivable, name_columns, variable_columns
from segkit.kinds.demographics.groups import load_feature_groups
from segkit.kinds.demographics.score import score_rows
from segkit.source import input_columns, load_input


def coded(table: pd.DataFrame, *, margins: bool = True) -> pd.DataFrame:
    """``table`` as data.census.gov writes it: each named column as its variables' estimates (a count spread over
    its parts, the first part taking the remainder), a margin of error beside each, a GEO_ID for the id."""
    out = {"GEO_ID": [f"860Z200US{int(z):05d}" for z in table["zcta"]]}
    for name, variables in census_variables().items():
        if name not in table.columns:
            continue
        values = table[name].to_numpy()
        share = values // len(variables) if len(variables) > 1 else values
        for i, variable in enumerate(variables):
            out[variable + "E"] = values - share * (len(variables) - 1) if i == 0 else share
            if margins:
                out[variable + "M"] = np.full(len(table), 17)
    return pd.DataFrame(out)


def test_the_mapping_names_only_columns_the_kind_reads():
    groups = {c for g in load_feature_groups() for c in ([g.universe] if g.kind == "shares" else [])
              + [c for spec in g.features for c in spec.columns]}
    schema = yaml.safe_load(open(kinds.get("demographics").module.__file__.replace("__init__.py", "schema.yaml")))
    read = groups | set(schema["columns"])
    assert set(census_variables()) <= read
    assert groups <= set(census_variables())  # every column a feature group reads can come from a download


def test_no_variable_stands_for_two_names():
    seen = [v for variables in census_variables().values() for v in variables]
    assert len(seen) == len(set(seen))


def test_variables_as_the_census_bureau_labels_them():
    # B01003: total population; B01001: sex by age (male under 5 .. 15 to 17 are lines 3-6, female lines 27-30);
    # B19013 median household income; B25077 median home value; B25064 median gross rent (table shells)
    v = census_variables()
    assert v["population"] == ("B01003_001",)
    assert v["age_0_17"] == ("B01001_003", "B01001_004", "B01001_005", "B01001_006",
                             "B01001_027", "B01001_028", "B01001_029", "B01001_030")
    assert (v["median_household_income"], v["median_home_value"], v["median_gross_rent"]) == (
        ("B19013_001",), ("B25077_001",), ("B25064_001",))
    # checked line by line against the Bureau's group legends (ACS 1-year 2017-2018, API metadata 2021)
    one = {name: variables[0] for name, variables in v.items() if len(variables) == 1}
    assert {k: one[k] for k in ("race_white", "race_black", "race_native", "race_asian", "race_pacific", "race_other",
                                "race_two_or_more", "hispanic_yes")} == {
        "race_white": "B02001_002", "race_black": "B02001_003", "race_native": "B02001_004",
        "race_asian": "B02001_005", "race_pacific": "B02001_006", "race_other": "B02001_007",
        "race_two_or_more": "B02001_008", "hispanic_yes": "B03003_003"}
    assert [one[k] for k in ("commute_total", "commute_drove_alone", "commute_carpool", "commute_public_transit",
                             "commute_walked", "worked_from_home")] == [
        "B08301_001", "B08301_003", "B08301_004", "B08301_010", "B08301_019", "B08301_021"]
    assert [one[k] for k in ("single_male_with_children", "single_female_with_children", "renter_occupied", "vacant",
                             "units_20_49", "units_50_plus", "mobile_homes", "unemployed", "bachelors_complete")] == [
        "B11003_010", "B11003_016", "B25003_003", "B25002_003", "B25024_008", "B25024_009", "B25024_010",
        "B23025_005", "B15003_022"]
    # C24030 sex by industry: the female line is the male line + 27
    assert v["industry_healthcare_social_assistance"] == ("C24030_023", "C24030_050")
    assert v["industry_public_administration"] == ("C24030_028", "C24030_055")


def test_estimates_are_read_and_margins_and_annotations_are_not():
    columns = ["GEO_ID", "B01003_001E", "B01003_001M", "B19013_001EA", "B19013_001MA", "b25077_001", "B25064_001M"]
    assert variable_columns(columns) == {"B01003_001": "B01003_001E", "B25077_001": "b25077_001"}
    assert set(derivable(columns)) == {"population", "median_home_value"}  # no gross rent from its margin alone


def test_parts_are_summed_and_a_missing_or_no_estimate_part_leaves_the_sum_missing():
    ages = {v + "E": [1, 2, 3] for v in census_variables()["age_0_17"]}
    ages["B01001_005E"] = [1, np.nan, -666666666]  # a blank part, then the Census "no estimate" code
    named = name_columns(pd.DataFrame(ages))
    assert named["age_0_17"].iloc[0] == 8
    assert named["age_0_17"].iloc[1:].isna().all()  # never the sum of the parts that are left
    assert list(named.columns) == ["age_0_17"]  # the parts give way to the name


def test_a_name_the_input_has_wins_over_its_code():
    raw = pd.DataFrame({"population": [10, 20], "B01003_001E": [99, 99], "B19013_001E": [5.0, 6.0]})
    named = name_columns(raw)
    assert named["population"].tolist() == [10, 20] and named["B01003_001E"].tolist() == [99, 99]
    assert named["median_household_income"].tolist() == [5.0, 6.0]
    assert named.attrs["read_notes"] == ["1 column named from their Census variable codes "
                                         "(segkit/kinds/demographics/acs_codes.yaml): "
                                         "median_household_income = B19013_001E"]
    plain = pd.DataFrame({"population": [1]})
    assert name_columns(plain) is plain


def test_a_coded_download_gives_the_features_of_the_named_table():
    table = small_acs(40)
    raw = coded(table)
    assert "population" not in raw.columns
    named = name_columns(raw)
    for name in [c for c in table.columns if c != "zcta"]:
        np.testing.assert_allclose(named[name].astype(float), table[name].astype(float), err_msg=name)
    by_name = segkit.segment_table(table, data_kind="demographics", k=2, seed=0)
    by_code = segkit.segment_table(named.assign(zcta=table["zcta"]).drop(columns="GEO_ID"), data_kind="demographics",
                                   k=2, seed=0)
    assert by_code.assignments["segment_code"].tolist() == by_name.assignments["segment_code"].tolist()


@pytest.fixture
def download(tmp_path):
    """A data.census.gov CSV of 40 areas: variable codes, then a line of labels under them."""
    raw = coded(small_acs(40))
    labels = ["Geography"] + ["Estimate!!Total" if c.endswith("E") else "Margin of Error!!Total"
                              for c in raw.columns[1:]]
    path = tmp_path / "ACSDT5Y2023.csv"
    lines = raw.to_csv(index=False).splitlines()
    path.write_text("\n".join([lines[0], ",".join(labels), *lines[1:]]) + "\n")
    params = tmp_path / "params.yaml"
    params.write_text(f"data_kind: demographics\ndata_path: {path}\nid_col: GEO_ID\nmin_population: 100\n")
    return params


def test_check_and_the_reader_name_a_download(download, capsys):
    params, _ = config.load_params([download])
    assert {"population", "age_0_17", "median_gross_rent"} <= set(input_columns(params))  # the header alone
    raw = load_input(params)
    assert raw["population"].notna().all() and "B01003_001E" not in raw.columns
    assert any("named from their Census variable codes" in n for n in raw.attrs["read_notes"])
    assert main(["check", str(download)]) == 0
    out = capsys.readouterr().out
    assert "input ok: 40 rows" in out and "do not look right" not in out  # 860Z200US ids are GEO_IDs too


def test_new_areas_downloaded_by_code_score_as_named_ones():
    table = small_acs(40)
    result = segkit.segment_table(table, data_kind="demographics", k=2, seed=0)
    meta = {"features": list(result.model.feature_names_in_), "params": {"id_col": None, "min_population": 100},
            "data_kind": "demographics", "segment_names": {}, "input_hash": None}
    by_code = coded(table.iloc[:6]).assign(zcta=table["zcta"].iloc[:6].to_numpy()).drop(columns="GEO_ID")
    scored = score_rows(result.model, meta, by_code)
    assert scored["segment_code"].tolist() == result.assignments["segment_code"].iloc[:6].tolist()


def test_a_variable_written_twice_is_read_once(tmp_path):
    """A download with B01003_001E twice made `segkit check` stop with a raw pandas ValueError."""
    raw = coded(small_acs(40), margins=False)
    raw.insert(2, "B01003_001E", raw["B01003_001E"], allow_duplicates=True)
    assert name_columns(raw)["population"].tolist() == small_acs(40)["population"].tolist()
    path = tmp_path / "twice.csv"
    raw.to_csv(path, index=False)
    params = tmp_path / "params.yaml"
    params.write_text(f"data_kind: demographics\ndata_path: {path}\nid_col: GEO_ID\nmin_population: 100\n")
    assert "population" in input_columns(config.load_params([params])[0])
    assert main(["check", str(params)]) == 0


@pytest.mark.parametrize("columns, has_population", [
    (["GEO_ID", "NAME", "DP05_0001E", "DP05_0001M", "DP05_0018E", "DP03_0062E", "DP02_0068PE"], False),
    (["GEO_ID", "NAME", "population", "DP05_0018E", "DP03_0062E", "S1501_C02_015E"], True),
])
def test_a_data_profile_download_is_refused_with_the_tables_to_download_instead(tmp_path, capsys, columns,
                                                                                 has_population):
    """The Data Profiles (DP02-DP05) are data.census.gov's most downloaded tables, and their line numbers change
    between releases: the check said only "no 'population' column", which the user's table had as DP05_0001E."""
    path = tmp_path / "ACSDP5Y2022.DP05-Data.csv"
    rows = [["0500000US10001", "Kent County, Delaware"], ["0500000US10003", "New Castle County, Delaware"]]
    pd.DataFrame([r + [float(i + 1)] * (len(columns) - 2) for i, r in enumerate(rows)], columns=columns).to_csv(
        path, index=False)
    params = tmp_path / "params.yaml"
    params.write_text(f"data_kind: demographics\ndata_path: {path}\nid_col: GEO_ID\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    tables = "DP03, DP05, S1501" if has_population else "DP02, DP03, DP05"
    assert (("only 0 ACS feature groups" in err) if has_population else ("no 'population' column" in err))
    assert f"ACS Data Profile or Subject tables ({tables}), whose line numbers change" in err
    assert "Fix: download the detailed tables instead" in err and "B01003 for the population" in err
    assert "Traceback" not in err
