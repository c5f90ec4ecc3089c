"""segkit.quality: implausible values found with counts and examples, on a corpus of small constructed tables
(one per real-world quirk, with the known answer), and the params that cap or drop them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit import quality
from segkit.errors import DataValueError, ParamsError
from segkit.schema import validate
from segkit import kinds
from segkit.config import params_from_mapping

RNG = np.random.default_rng(0)
N = 1_000


def _base() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"customer_id": [f"{i:05d}" for i in range(N)],
                         "age": rng.integers(18, 80, N).astype(float),
                         "income": rng.lognormal(10, 0.5, N),
                         "birth_year": rng.integers(1940, 2005, N),
                         "visits": rng.poisson(5, N).astype(float),
                         "is_member": rng.integers(0, 2, N),
                         "region": rng.choice(["North", "South", "East", "West"], N)})


def _with(**cells) -> pd.DataFrame:
    df = _base()
    for spec, value in cells.items():
        col, row = spec.rsplit("__", 1)
        if df[col].dtype.kind in "iu" and not float(value).is_integer():
            df[col] = df[col].astype(float)
        df.loc[int(row), col] = value
    return df


# One table per quirk: (name, table, the findings expected as (column, rule, rows)).
CORPUS = [
    ("clean", _base(), []),
    ("infinite", _with(visits__5=np.inf), [("visits", "non_finite", 1)]),
    ("minus infinite and 1e308", _with(income__3=-np.inf, income__4=1e308), [("income", "non_finite", 2)]),
    ("birth year before 1900", _with(birth_year__2=1850), [("birth_year", "impossible", 1)]),
    ("birth year in the future", _with(birth_year__7=2999), [("birth_year", "impossible", 1)]),
    ("negative age", _with(age__0=-5), [("age", "impossible", 1)]),
    ("an income thirty times any other", _with(income__1=3_000_000), [("income", "outliers", 1)]),
    ("junk levels", _with(region__3="N0rth", region__4="??"), [("region", "junk_levels", 2)]),
    # placeholders: 999 for "never contacted" (UCI bank marketing's pdays), -1 for "no value" in a count
    ("999 beside days of 0 to 27", _base().assign(pdays=np.where(np.arange(N) % 10 < 9, 999, np.arange(N) % 28)),
     [("pdays", "placeholder", 900)]),
    ("-1 in a column never below zero", _with(**{f"visits__{i}": -1 for i in range(20)}),
     [("visits", "placeholder", 20)]),
]


def test_a_placeholder_fix_keeps_every_real_value_and_the_rest_is_still_checked():
    """The first fix pinned the observed range, rounded ("1.23456e+06" for 1,234,564.2), and hid the other values'
    outliers."""
    lim = np.r_[np.full(20, -1.0), np.linspace(1000.37, 1234564.2, 179), 9e9]
    found = {f.rule: f for f in quality.value_findings(pd.DataFrame({"credit_limit": lim}))}
    assert found["placeholder"].handling.startswith("if it is, set valid_range: {credit_limit: [0, 999999999999]}")
    assert "the only values below zero (the others run from 1,000 to 9,000,000,000)" in found["placeholder"].message
    assert found["outliers"].rows == 1  # 9e9 among the others
    days = pd.DataFrame({"pdays": np.r_[np.full(50, 999), np.arange(100) % 28]})
    assert "valid_range: {pdays: [0, 998]}" in quality.value_findings(days)[0].handling


def test_real_values_that_look_like_codes_are_no_placeholders():
    rng = np.random.default_rng(1)
    score = pd.DataFrame({"score": np.r_[np.full(50, 99), rng.integers(0, 101, N)]})  # 99 within 0..100
    change = pd.DataFrame({"change": np.r_[np.full(50, -1), rng.integers(-5, 6, N)]})  # other values below zero
    few = pd.DataFrame({"pdays": np.r_[np.full(5, 999), rng.integers(0, 28, N)]})  # a handful: outliers at most
    assert [f.rule for t in (score, change, few) for f in quality.value_findings(t)] == ["outliers"]


@pytest.mark.parametrize("name,table,expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_findings(name, table, expected):
    found = [(f.column, f.rule, f.rows) for f in quality.value_findings(table.drop(columns="customer_id"))]
    assert found == expected


def test_messages_give_counts_and_readable_examples():
    f, = quality.value_findings(_with(income__1=3_000_000)[["income"]])
    assert "1 extreme value" in f.message and "3,000,000" in f.message and "e+" not in f.message
    assert "clip" in f.handling
    f, = quality.value_findings(_with(region__3="N0rth")[["region"]])
    assert "'N0rth'" in f.message and "about 249 rows" in f.message


def test_binary_skewed_counts_and_long_tails_are_not_outliers():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"flag": (rng.random(N) < 0.05).astype(int),  # 5% ones: IQR 0
                       "near_constant": np.r_[np.zeros(N - 3), [1.0, 2.0, 3.0]],
                       "visits": rng.poisson(5, N),  # zeros are not outliers of a count
                       "spend": rng.lognormal(3, 1.5, N)})  # a long money tail
    assert quality.value_findings(df) == []


def test_the_top_level_of_a_band_or_rating_is_no_outlier():
    """ISLR's Caravan codes income in bands 0-9, most customers in 3-5: its 22 customers in band 9 were "extreme
    values far outside the rest, on a log scale" and capped by the clustering. Levels of a scale are none of that; a
    count of a few levels with one far value still is."""
    counts = {0: 25, 1: 49, 2: 651, 3: 1932, 4: 1854, 5: 733, 6: 355, 7: 131, 8: 70, 9: 22}  # Caravan's MINKGEM
    band = np.repeat(list(counts), list(counts.values()))
    rating = np.repeat([1, 2, 3, 4, 5, 7], [5, 40, 900, 1200, 300, 3])  # 1-7, one level unused
    assert quality.value_findings(pd.DataFrame({"income_band": band})) == []
    assert quality.value_findings(pd.DataFrame({"rating": rating})) == []
    assert quality.fences(band) == (-np.inf, np.inf, False)  # so the clustering caps none of them either
    visits = np.r_[np.repeat([1, 2, 3, 4, 5], 400), [60, 80]]  # 7 levels, two of them far from the rest
    f, = quality.value_findings(pd.DataFrame({"visits": visits}))
    assert (f.rule, f.rows) == ("outliers", 2)
    satisfaction = np.repeat(np.arange(11), [19, 10, 30, 60, 80, 200, 300, 600, 900, 500, 300])  # 0-10: a survey's
    assert quality.value_findings(pd.DataFrame({"CareerSatisfaction": satisfaction})) == []    # 0 is an answer
    answers = np.r_[np.repeat([1, 2, 3, 4, 5], [50, 100, 400, 300, 100]), [9] * 5]  # 9: "don't know", off the scale
    f, = quality.value_findings(pd.DataFrame({"answer": answers}))
    assert (f.rule, f.rows) == ("outliers", 5) and np.isfinite(quality.fences(answers)[1])


def test_constant_columns_are_each_named():
    df = pd.DataFrame({"a": [1.0] * 5, "b": ["x"] * 5, "c": [None] * 5, "d": range(5)})
    assert [(f.column, f.rule) for f in quality.value_findings(df)] == [("a", "constant"), ("b", "constant"),
                                                                        ("c", "constant")]


def test_fences_on_a_log_scale_have_no_lower_bound():
    lo, hi, log = quality.fences(np.r_[np.arange(1.0, 9.0), 100.0])
    assert log and lo == -np.inf and hi == pytest.approx(63.0)
    assert quality.fences([0, 1, 0, 1]) == (-np.inf, np.inf, False)


def test_check_reports_them_and_a_yes_no_phone_column_is_not_personal():
    df = _with(income__1=3_000_000, birth_year__2=1850)
    df["has_phone_service"] = np.where(np.arange(N) % 3, "Yes", "No")
    df["phone"] = [f"+44 7700 {i:06d}" for i in range(N)]
    params = params_from_mapping({"data_kind": "customers", "id_col": "customer_id"})
    found = {(f.column, f.rule) for f in validate(df, kinds.get("customers").schema(), params)}
    assert ("income", "outliers") in found and ("birth_year", "impossible") in found
    assert ("phone", "personal") in found and ("has_phone_service", "personal") not in found
    assert not any(col == "customer_id" for col, _ in found)


def test_a_run_treats_infinite_values_as_missing_and_logs_them():
    df = _with(visits__5=np.inf, visits__6=-1e300)
    result = segkit.segment_table(df, data_kind="customers", id_col="customer_id", k=3, seed=0)
    step = result.cleaning_log["non_finite"]
    assert step.rows_removed == 0 and step.note.startswith("2 values: visits")
    assert np.isfinite(result.profiles.means.to_numpy()).all()


@pytest.mark.parametrize("name", ["Alter", "edad_cliente", "Idade", "Geburtsjahr", "Âge du client", "Età"])
def test_impossible_ages_and_birth_years_in_other_languages(name):
    """A German loyalty table's "Alter" held -3, -1 and 0 and only 999 and 142 were flagged (by the outlier rule)."""
    years = name == "Geburtsjahr"
    x = pd.Series([1980.0, 1975, 1850, 1990] if years else [34.0, -3, 41, 142, 29])
    found = [f for f in quality.value_findings(pd.DataFrame({name: x})) if f.rule == "impossible"]
    assert len(found) == 1 and found[0].rows == (1 if years else 2)
    assert ("birth years before 1900" if years else "ages below 0 or above 120") in found[0].message


def test_valid_range_makes_values_missing_or_drops_rows():
    df = _with(birth_year__2=1850, birth_year__3=1890)
    cleaned, steps = quality.apply_value_rules(df, valid_range={"birth_year": [1900, 2026]})
    assert cleaned["birth_year"].isna().sum() == 2 and len(cleaned) == N
    assert steps == [("valid_range:birth_year", "Values of 'birth_year' outside [1900, 2026] (valid_range) become "
                      "missing values", 0, 2)]
    dropped, steps = quality.apply_value_rules(df, valid_range={"birth_year": [1900, 2026]}, out_of_range="drop")
    assert len(dropped) == N - 2 and steps[0][2:] == (2, 2)


def test_clip_caps_at_quantiles():
    df = pd.DataFrame({"x": np.arange(101.0)})
    capped, steps = quality.apply_value_rules(df, clip={"x": [0.05, 0.95]})
    assert capped["x"].min() == 5 and capped["x"].max() == 95 and steps[0][3] == 10


@pytest.mark.parametrize("kwargs,match", [
    ({"valid_range": {"nope": [0, 1]}}, "valid_range names column 'nope'"),
    ({"valid_range": {"region": [0, 1]}}, "does not hold numbers"),
    ({"valid_range": {"age": [5]}}, "must be a pair"),
    ({"valid_range": {"age": [9, 1]}}, "not below high"),
    ({"clip": {"age": [0.5, 2]}}, "quantiles between 0 and 1"),
    ({"out_of_range": "explode"}, "out_of_range must be one of"),
])
def test_bad_value_rules_name_the_key(kwargs, match):
    with pytest.raises(ParamsError, match=match):
        quality.apply_value_rules(_base(), **kwargs)


def test_fill_writes_what_a_blank_means_into_numbers_and_levels():
    df = pd.DataFrame({"charges": [None, 12.5, None], "service": ["fiber", None, "dsl"], "visits": [1, None, 3]})
    out, steps = quality.apply_fill(df, {"charges": 0, "service": "none"})
    assert out["charges"].tolist() == [0.0, 12.5, 0.0] and out["service"].tolist() == ["fiber", "none", "dsl"]
    assert out["visits"].isna().tolist() == [False, True, False]  # not named: left for the median
    assert steps == [("fill:charges", "Blanks of 'charges' read as 0 (fill)", 0, 2),
                     ("fill:service", "Blanks of 'service' read as 'none' (fill)", 0, 1)]
    assert df["charges"].isna().sum() == 2  # the input is not changed
    assert quality.apply_fill(df, {})[0] is df
    # the params read 0 as 0.0: a column of words gets the level "0"; an ordered answer keeps its order
    words = pd.DataFrame({"plan": ["1", None], "ans": pd.Categorical(["low", None], ["low", "high"], ordered=True)})
    out = quality.apply_fill(words, {"plan": 0.0, "ans": "high"})[0]
    assert out["plan"].tolist() == ["1", "0"] and out["ans"].tolist() == ["low", "high"] and out["ans"].cat.ordered


@pytest.mark.parametrize("fill,match", [
    ({"nope": 0}, "fill names column 'nope', which is not in the input"),
    ({"charges": "zero"}, "fill for column 'charges' must be a number, since the column holds numbers; got 'zero'"),
    ({"charges": float("inf")}, "must be a finite number"),
    ({"charges": True}, "fill for column 'charges' is True, not a number or a word"),
    ({"charges": [0]}, "must be a number or a word, got \\[0\\]"),
    ({"joined": "2020-01-01"}, "fill names column 'joined', which holds dates"),
])
def test_bad_fill_names_the_key_and_column(fill, match):
    df = pd.DataFrame({"charges": [None, 1.0], "joined": pd.to_datetime(["2020-01-01", None])})
    with pytest.raises(ParamsError, match=match) as err:
        quality.apply_fill(df, fill)
    assert err.value.key == "fill"


def test_params_reach_the_cleaning_log():
    df = _with(birth_year__2=1850)
    result = segkit.segment_table(df, data_kind="customers", id_col="customer_id", k=3, seed=0,
                                  valid_range={"birth_year": [1900, 2026]}, clip={"income": [0.01, 0.99]})
    log = result.cleaning_log
    assert log["valid_range:birth_year"].note == "1 value" and log["clip:income"].note == "20 values"


def test_only_constant_columns_is_a_plain_message():
    df = pd.DataFrame({"id": range(50), "a": 1.0, "b": "x"})
    with pytest.raises(DataValueError, match="every column holds a single value \\('a', 'b'\\)"):
        segkit.segment_table(df, data_kind="customers", id_col="id", seed=0)


def test_census_areas_treat_infinite_values_as_missing():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from acs_tables import small_acs

    raw = small_acs(40).astype({"median_household_income": float, "renter_occupied": float})
    raw.loc[3, "median_household_income"] = np.inf
    raw.loc[5, "renter_occupied"] = 1e300
    result = segkit.segment_table(raw, data_kind="demographics", k=2, seed=0)
    step = result.cleaning_log["non_finite"]
    assert step.rows_removed == 0 and step.note.startswith("2 values: ")
    assert len(result.assignments) == 40


def test_codes_named_for_a_birth_and_a_houses_age_are_no_impossible_values():
    """NHEFS's `birthplace` (state codes 1-56) and `birthcontrol` (0/1/2) were "birth years before 1900", and
    SaratogaHouses' `age` (a house's, 0-225: 53 of 1,728 above 120) "ages above 120" with the fix of blanking them."""
    rng = np.random.default_rng(0)
    codes = pd.DataFrame({"birthplace": rng.integers(1, 57, 300).astype(float),
                          "birthcontrol": rng.integers(0, 3, 300).astype(float)})
    assert not [f for f in quality.value_findings(codes) if f.rule == "impossible"]
    house = pd.Series(np.r_[rng.integers(0, 120, 1675), rng.integers(121, 226, 53)].astype(float))
    assert not [f for f in quality.value_findings(pd.DataFrame({"age": house})) if f.rule == "impossible"]
    findings = _validated(pd.DataFrame({"house_id": np.arange(1728), "age": house}), "house_id")
    assert not [f for f in findings if f.column == "age" and f.rule == "range"]
    # a person's age with a few typos, or a birth year, is still checked, with a fix that gives the numbers
    ages = pd.Series(np.r_[rng.integers(18, 90, 995), [130, 142, 150, 199, 211]].astype(float))
    found = [f for f in quality.value_findings(pd.DataFrame({"age": ages, "birth_year": 2000.0 - ages}))
             if f.rule == "impossible"]
    assert [(f.column, f.rows) for f in found] == [("age", 5), ("birth_year", 5)]
    assert "valid_range: {birth_year: [1900, " in found[1].handling and "valid_range: {age: [0, 120]}" \
        in found[0].handling
    assert [f.rows for f in _validated(pd.DataFrame({"cid": np.arange(1000), "age": ages}), "cid")
            if f.column == "age" and f.rule == "range"] == [5]


def _validated(df: pd.DataFrame, id_col: str) -> list:
    params = params_from_mapping({"data_kind": "customers", "id_col": id_col})
    return validate(df, kinds.get("customers").schema(), params, raise_errors=False)


def test_a_change_in_money_may_be_below_zero():
    """NHEFS's price71_82 (a price difference between 1971 and 1982) was "negative money values are unusual"."""
    df = pd.DataFrame({"pid": np.arange(50), "price71_82": np.linspace(-0.3, 0.9, 50),
                       "income_change": np.linspace(-5, 5, 50), "income": np.r_[-3.0, np.linspace(10, 90, 49)],
                       "exchange_amount": np.r_[-1.0, np.linspace(1, 9, 49)]})  # "change" inside a word: money
    ranged = [f.column for f in _validated(df, "pid") if f.rule == "range"]
    assert ranged == ["income", "exchange_amount"]


def test_a_rare_level_is_called_a_typo_only_when_it_is_written_like_a_common_one():
    """hotel_rates' reserved room type 'b' (a room type of its own, 1 booking) was told to "correct the spelling at
    the source if they are typing errors"; 'N0rth' beside North is one."""
    rng = np.random.default_rng(0)
    regions = pd.Series(rng.choice(["North", "South", "East", "West"], N))
    regions[[3, 4]] = ["N0rth", "??"]
    typo = quality._junk_levels("region", regions)
    assert typo.handling == ("kept (grouped with the other rare levels); 'N0rth' looks like 'North': correct the "
                             "spelling at the source if they are typing errors")
    rooms = pd.Series(rng.choice(["a", "c", "d", "e"], N))
    rooms[3] = "b"
    code = quality._junk_levels("reserved_room_type", rooms)
    assert code.rows == 1 and code.handling == "kept (grouped with the other rare levels)"
    common = ["North", "South", "East", "West"]
    assert [quality._written_like(v, common) for v in ("NORTH", "east", "Soth", "??")] == ["North", "East", "South",
                                                                                           None]
    assert quality._written_like("Type D", ["Type A", "Type B", "Type C"]) is None  # a code beside codes
    assert quality._written_like("Tpye A", ["Type A", "Type B"]) == "Type A"


def test_a_code_several_columns_share_row_for_row_is_found():
    """NHEFS's diabetes, pica, hbpmed, hbp and boweltrouble hold 0 and 1, and 2 in the same 769 of 1,566 rows ("not
    asked"): the segments were "Participants with high pica" and "with few diabetes", split on who was asked. A value
    that three columns hold in the very same rows, above their other values, is said to be such a code, with the
    valid_range that reads it as missing; the same value in other rows, or in two columns only, is no such code."""
    rng = np.random.default_rng(0)
    asked = rng.random(N) < 0.5
    flags = {c: np.where(asked, rng.integers(0, 2, N), 2) for c in ("diabetes", "pica", "hbp")}
    df = _base().assign(**flags, own_rows=np.where(rng.random(N) < 0.5, rng.integers(0, 2, N), 2))
    found = [f for f in quality.value_findings(df) if f.rule == "shared_code"]
    assert len(found) == 1 and found[0].rows == int((~asked).sum())
    assert found[0].message.startswith(f"columns diabetes, pica, hbp hold 2 in the same {(~asked).sum():,} rows (")
    assert found[0].handling == ("if it is, set valid_range: {diabetes: [0, 1], pica: [0, 1], hbp: [0, 1]} to read "
                                 "it as missing; if 2 is a real value, nothing to do")
    two = _base().assign(**{c: flags[c] for c in ("diabetes", "pica")})
    assert not [f for f in quality.value_findings(two) if f.rule == "shared_code"]
