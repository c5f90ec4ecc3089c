"""Tests for segkit.parse: a quirks corpus of real-world dates, numbers and ids, with known answers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segkit.errors import ColumnError, DataValueError
from segkit.parse import NA_TOKENS, is_na_token, read_dates, read_ids, read_numbers
from segkit.parse.numbers import numbers_share, unread_text

TODAY = "2024-06-30"

# day first, 12 of 30 values (40%) with a day of 12 or less: the 18 others decide for the whole column
SEPT = [f"{d:02d}-09-2012" for d in range(1, 31)]
NA_TEXT = ["", " ", "NA", "N/A", "n/a", "null", "NULL", "None", "-", "?", ".", "NaN", "\x00\x00"]


def _dates(expected):
    return pd.Series(pd.to_datetime(pd.Series(expected, dtype=object), format="ISO8601"), dtype="datetime64[ns]")


DATE_CASES = [
    pytest.param(SEPT, {}, [f"2012-09-{d:02d}" for d in range(1, 31)], "day first (DD-MM-YYYY)",
                 {"ambiguous": False, "n_unparsed": 0}, id="day-first-40pct-ambiguous"),
    pytest.param(["04/09/2012", "05/10/2012"], {}, ["2012-04-09", "2012-05-10"], "month first (MM/DD/YYYY)",
                 {"ambiguous": True}, id="all-ambiguous-month-first-default"),
    pytest.param(["04/09/2012", "05/10/2012"], {"dayfirst": True}, ["2012-09-04", "2012-10-05"],
                 "day first (DD/MM/YYYY)", {"ambiguous": True}, id="all-ambiguous-dayfirst-param"),
    pytest.param(["13/09/2012", "04/09/2012"], {"dayfirst": False}, ["2012-09-13", "2012-09-04"],
                 "day first", {"ambiguous": False}, id="data-decides-over-dayfirst-param"),
    pytest.param(["01.02.2012", "03.04.2012", "13.01.2012"], {"date_format": "%m.%d.%Y"},
                 ["2012-01-02", "2012-03-04", None], "date_format '%m.%d.%Y'",
                 {"n_unparsed": 1, "unparsed_examples": ("13.01.2012",)}, id="date-format-wins"),
    pytest.param([20120904, 20121231, 19991231], {}, ["2012-09-04", "2012-12-31", "1999-12-31"],
                 "YYYYMMDD numbers", {"n_unparsed": 0}, id="yyyymmdd-int"),
    pytest.param(pd.Series([20120904.0, np.nan, 20121301.0]), {}, ["2012-09-04", None, None], "YYYYMMDD",
                 {"n_missing": 1, "n_unparsed": 1}, id="yyyymmdd-float-invalid-month"),
    pytest.param(["20120904", "20121231", "NA"], {}, ["2012-09-04", "2012-12-31", None], "YYYYMMDD",
                 {"n_missing": 1, "n_unparsed": 0}, id="yyyymmdd-text"),
    pytest.param([41155, 40909, 41155.5], {}, ["2012-09-03", "2012-01-01", "2012-09-03 12:00"],
                 "Excel serial dates", {"n_unparsed": 0}, id="excel-serials"),
    pytest.param([1, 59, 60, 61], {}, ["1900-01-01", "1900-02-28", None, "1900-03-01"], "Excel serial dates",
                 {"n_unparsed": 1}, id="excel-1900-leap-bug"),
    pytest.param(["2012-09-04T10:00:00Z", "2012-09-05T23:30:00Z"], {}, ["2012-09-04 10:00", "2012-09-05 23:30"],
                 "ISO 8601 with time zone, each at the local time written", {}, id="iso-z"),
    pytest.param(["2012-09-04T10:00:00+02:00", "2012-09-04T10:00:00-05:00", "2012-09-04T10:00:00Z"], {},
                 ["2012-09-04 10:00", "2012-09-04 10:00", "2012-09-04 10:00"], "at the local time written", {},
                 id="iso-mixed-offsets-at-their-local-times"),
    pytest.param(["2012-09-04T10:00:00+0200", "2012-09-04 10:00:00"], {}, ["2012-09-04 10:00", "2012-09-04 10:00"],
                 "at the local time written", {}, id="iso-aware-and-naive-as-written"),
    pytest.param(["2023-02-23 20:33:00 -0500", "2023-02-25 23:59:30 -05:00", "2023-03-12 21:00:00 -0400"], {},
                 ["2023-02-23 20:33", "2023-02-25 23:59:30", "2023-03-12 21:00"], "at the local time written", {},
                 id="shopify-evening-orders-stay-on-their-day"),
    pytest.param(["2023-02-23 20:33:00 +0530"], {"date_format": "%Y-%m-%d %H:%M:%S %z"}, ["2023-02-23 20:33"],
                 "date_format '%Y-%m-%d %H:%M:%S %z', each at the local time written", {}, id="format-with-offset"),
    pytest.param(["2012-09-04T10:00:00.123456", "2012-09-04 10:00:00.5"], {},
                 ["2012-09-04 10:00:00.123456", "2012-09-04 10:00:00.5"], "ISO 8601", {}, id="iso-fraction"),
    pytest.param(["4 Sep 2012", "Sep 5, 2012", "06-Sep-2012", "7 September 2012"], {},
                 ["2012-09-04", "2012-09-05", "2012-09-06", "2012-09-07"], "month names", {"ambiguous": False},
                 id="textual-months"),
    pytest.param(["2012-09-04", "2012/09/05", "13/09/2012", "4 Sep 2012", "Sep 6, 2012", "20120907", "08/09/2012"],
                 {}, ["2012-09-04", "2012-09-05", "2012-09-13", "2012-09-04", "2012-09-06", "2012-09-07",
                      "2012-09-08"], "mixed layouts", {"n_unparsed": 0, "ambiguous": False}, id="five-formats-mixed"),
    pytest.param(["13-09-2012", "14-09-2012", "09-15-2012", "04-09-2012"], {},
                 ["2012-09-13", "2012-09-14", None, "2012-09-04"], "day first",
                 {"n_unparsed": 1, "unparsed_examples": ("09-15-2012",)}, id="inconsistent-majority-wins"),
    pytest.param(["2012-09-04", "not a date", "2012-13-01", "not a date", "12"], {},
                 ["2012-09-04", None, None, None, None], "ISO 8601",
                 {"n_unparsed": 4, "unparsed_examples": ("not a date", "2012-13-01", "12")}, id="junk-counted"),
    pytest.param(["2012-09-04", *NA_TEXT, None], {}, ["2012-09-04"] + [None] * 14, "ISO 8601",
                 {"n_missing": 14, "n_unparsed": 0}, id="na-tokens"),
    pytest.param(pd.Series([], dtype="str"), {}, [], "no values", {"n_missing": 0, "formats": {}}, id="empty"),
    pytest.param([None, "NA", " "], {}, [None] * 3, "no values", {"n_missing": 3, "why": "every value is missing"},
                 id="all-missing"),
    pytest.param(["9/4/2012 3:15:00 PM", "9/14/2012 3:15 AM"], {}, ["2012-09-04 15:15", "2012-09-14 03:15"],
                 "month first (MM/DD/YYYY)", {}, id="us-times-am-pm"),
    pytest.param(["04/09/12", "13/09/12", "01/01/70"], {}, ["2012-09-04", "2012-09-13", "1970-01-01"], "day first",
                 {}, id="two-digit-years"),
    pytest.param(["13.09.2012 08:30", "04.09.2012 17:45:10"], {}, ["2012-09-13 08:30", "2012-09-04 17:45:10"],
                 "day first (DD.MM.YYYY)", {}, id="dotted-with-times"),
    pytest.param(pd.Series(pd.to_datetime(["2012-09-04 10:00"]).tz_localize("Europe/Paris")), {},
                 ["2012-09-04 08:00"], "converted to UTC", {}, id="datetime64-aware"),
    pytest.param(pd.Series([True, False]), {}, [None, None], "true/false", {"n_unparsed": 2}, id="booleans"),
    pytest.param(pd.Series([pd.Timestamp("2012-09-04 10:00", tz="Europe/Paris"), pd.Timestamp("2012-09-04 10:00"),
                            pd.Timestamp("2012-09-04 10:00", tz="UTC")], dtype=object), {},
                 ["2012-09-04 08:00", "2012-09-04 10:00", "2012-09-04 10:00"], "converted to UTC", {"n_unparsed": 0},
                 id="datetime-objects-aware-and-naive"),
    pytest.param(["0001-01-01", "2012-09-04"], {}, [None, "2012-09-04"], "ISO 8601",
                 {"n_unparsed": 1, "unparsed_examples": ("0001-01-01",)}, id="out-of-range-year"),
]


@pytest.mark.parametrize("values, kwargs, expected, reading, fields", DATE_CASES)
def test_date_quirks(values, kwargs, expected, reading, fields):
    r = read_dates(values, today=TODAY, **kwargs)
    pd.testing.assert_series_equal(r.values.reset_index(drop=True), _dates(expected), check_names=False)
    assert reading in r.reading, r.why
    for name, value in fields.items():
        assert getattr(r, name) == value, (name, r.to_dict())
    assert r.n_missing + r.n_unparsed + int(r.values.notna().sum()) == len(expected)


def test_day_first_says_which_values_decide():
    r = read_dates(SEPT)
    assert r.values[3] == pd.Timestamp("2012-09-04")  # "04-09-2012", ambiguous alone
    assert r.why.startswith("a first field above 12 in 18 values decides")


def test_ambiguous_says_so_and_how_to_change_it():
    r = read_dates(["04-09-2012"])
    assert r.ambiguous and "month-first, the default" in r.why and "dayfirst" in r.why
    assert read_dates(["04-09-2012"], dayfirst=True).why == "no value decides; dayfirst from params"


def test_inconsistent_column_names_both_sides():
    r = read_dates(["13-09-2012", "14-09-2012", "09-15-2012"])
    assert r.why.startswith("inconsistent") and "'09-15-2012'" in r.why and "'13-09-2012'" in r.why


def test_mixed_layouts_are_counted_and_never_dropped():
    values = ["2012-09-04", "2012/09/05", "13/09/2012", "4 Sep 2012", "Sep 6, 2012"] * 200
    r = read_dates(values)
    assert r.n_unparsed == 0 and r.values.notna().all()
    assert r.formats == {"ISO 8601": 200, "year first (YYYY/MM/DD)": 200, "day first (DD/MM/YYYY)": 200,
                         "month names (4 Sep 2012)": 200, "month names (Sep 4, 2012)": 200}


def test_future_dates_are_reported_not_changed():
    values = ["2099-01-01"] + [f"2012-01-{d:02d}" for d in range(1, 10)]
    r = read_dates(values, today=TODAY)
    assert (r.n_future, r.future_examples) == (1, ("2099-01-01",))
    assert r.values.max() == pd.Timestamp("2099-01-01")
    assert read_dates(["2024-06-30", "2024-07-01"], today=TODAY).n_future == 1
    assert read_dates(["2099-01-01"]).n_future == 1  # default: the real today


def test_a_rare_layout_outside_the_sample_is_still_read():
    values = pd.Series(pd.date_range("2000-01-01", periods=30_000, freq="h").strftime("%Y-%m-%d %H:%M"))
    values.iloc[-1] = "13/09/2012"
    r = read_dates(values)
    assert r.n_unparsed == 0 and r.values.iloc[-1] == pd.Timestamp("2012-09-13")


def test_dates_keep_the_index_and_to_dict_is_json():
    s = pd.Series(["2012-09-04", "junk"], index=[10, 20], name="InvoiceDate")
    r = read_dates(s, today=TODAY)
    assert list(r.values.index) == [10, 20] and r.values.name == "InvoiceDate" and r.column == "InvoiceDate"
    d = json.loads(json.dumps(r.to_dict()))
    assert d["n_unparsed"] == 1 and d["unparsed_examples"] == ["junk"] and d["n_values"] == 1
    assert str(r.values.dtype) == "datetime64[ns]"


def test_date_check_raises_with_column_and_examples():
    r = read_dates(pd.Series(["2012-09-04", "soon"], name="When"))
    with pytest.raises(DataValueError, match=r"column 'When' \(date_col\) has 1 value that is not dates, "
                                             r"e.g. 'soon'") as err:
        r.check(key="date_col")
    assert err.value.column == "When" and err.value.key == "date_col" and "Fix:" in str(err.value)
    assert read_dates(["2012-09-04"]).check() is not None


def test_one_million_iso_values():
    values = pd.Series(pd.date_range("2000-01-01", periods=1_000_000, freq="37s").strftime("%Y-%m-%dT%H:%M:%S"))
    r = read_dates(values)
    assert r.reading == "ISO 8601" and r.n_unparsed == 0 and r.values.iloc[-1] == pd.Timestamp(values.iloc[-1])


NUMBER_CASES = [
    pytest.param(["101,5", "99,25", "0,5"], {}, [101.5, 99.25, 0.5], {"decimal": ","},
                 "decimal comma detected", id="decimal-comma"),
    pytest.param(["1,234.50", "12.5", "1,000,000"], {}, [1234.5, 12.5, 1e6], {"decimal": "."},
                 "thousands separators removed from 2", id="thousands-comma"),
    pytest.param(["1.234,50", "7,5", "1.000.000"], {}, [1234.5, 7.5, 1e6], {"decimal": ","},
                 "decimal comma detected", id="thousands-dot-decimal-comma"),
    pytest.param(["1 234,50", "12,5", "1\u00a0000,25"], {}, [1234.5, 12.5, 1000.25], {"decimal": ","},
                 "thousands separators", id="thousands-space"),
    pytest.param(["1'234.50", "12.5", "1’000"], {}, [1234.5, 12.5, 1000.0], {}, "thousands", id="apostrophes"),
    pytest.param(["1,234", "5,678"], {}, [1234.0, 5678.0], {"decimal": "."},
                 "read with ',' as thousands separator", id="comma-three-digits-ambiguous"),
    pytest.param(["1,234", "5,678"], {"decimal": ","}, [1.234, 5.678], {"decimal": ","}, None,
                 id="comma-three-digits-decimal-param"),
    pytest.param(["1.234", "5.678,5"], {"thousands": "."}, [1234.0, 5678.5], {"decimal": ","}, None,
                 id="thousands-param"),
    pytest.param(["£12.50", "$5", "€3", "¥7", "USD 12", "12 EUR", "-£3"], {}, [12.5, 5, 3, 7, 12, 12, -3],
                 {"unit": ""}, "several currencies", id="currencies"),
    pytest.param(["£1,234.50", "£7", "(£2.00)"], {}, [1234.5, 7.0, -2.0], {"unit": "£"}, "currency £ removed (3",
                 id="one-currency"),
    pytest.param(["12%", "7.5%", "100 %"], {}, [12.0, 7.5, 100.0], {"unit": "%"}, "kept in percent",
                 id="percent-kept-in-percent"),
    pytest.param(["(12.50)", "(1,000)", "5"], {}, [-12.5, -1000.0, 5.0], {}, "parentheses read as negative",
                 id="parentheses-negative"),
    pytest.param(["26,64-", "1.234,56-", "10,00", "3,50 €-"], {}, [-26.64, -1234.56, 10.0, -3.5], {"decimal": ","},
                 "3 values with a trailing minus (12,50-) read as negative", id="sap-trailing-minus"),
    pytest.param(["3,50- €", "12,00-€", "1.000,00 €"], {}, [-3.5, -12.0, 1000.0], {"decimal": ",", "unit": "€"},
                 "2 values with a trailing minus (12,50-) read as negative", id="trailing-minus-before-currency"),
    pytest.param(["12 - EUR", "5"], {}, [np.nan, 5.0], {"n_unparsed": 1}, None, id="dash-apart-is-no-sign"),
    pytest.param(["-5-", "(3)-", "3,50- €-", "-3,50- €", "7"], {}, [np.nan, np.nan, np.nan, np.nan, 7.0],
                 {"n_unparsed": 4}, None, id="two-signs-unparsed"),
    pytest.param(["+4", "1e3", "2.5E-2", "-1.5e+2"], {}, [4.0, 1000.0, 0.025, -150.0], {}, None,
                 id="plus-and-scientific"),
    pytest.param([" ", "12.50", "", "   ", "7"], {}, [np.nan, 12.5, np.nan, np.nan, 7.0], {"n_missing": 3}, None,
                 id="money-with-blanks"),
    pytest.param(["\x00\x00\x00", "5", "6\x00"], {}, [np.nan, 5.0, 6.0], {"n_missing": 1}, None, id="nul-filled"),
    pytest.param(["inf", "-inf", "Infinity", "3"], {}, [np.nan, np.nan, np.nan, 3.0],
                 {"n_infinite": 3, "n_unparsed": 0}, "3 infinite values set to missing", id="inf-text"),
    pytest.param(pd.Series([1.0, np.inf, np.nan, -np.inf]), {}, [1.0, np.nan, np.nan, np.nan],
                 {"n_infinite": 2, "n_missing": 1}, None, id="inf-numeric"),
    pytest.param(pd.Series([True, False, None], dtype=object), {}, [np.nan] * 3,
                 {"n_unparsed": 2, "n_missing": 1}, "true/false", id="booleans-object"),
    pytest.param(pd.Series([True, False]), {}, [np.nan] * 2, {"n_unparsed": 2}, "true/false", id="booleans-dtype"),
    pytest.param(["true", "false", "TRUE"], {}, [np.nan] * 3, {"n_unparsed": 3}, None, id="booleans-text"),
    pytest.param(NA_TEXT + [None], {}, [np.nan] * 14, {"n_missing": 14, "n_unparsed": 0}, None, id="na-tokens"),
    pytest.param(["12", "abc", "1.2.3,4", "12abc", "abc"], {}, [12.0] + [np.nan] * 4,
                 {"n_unparsed": 4, "unparsed_examples": ("abc", "1.2.3,4", "12abc")}, None, id="junk-counted"),
    pytest.param(["1,234.50", "2,5", "3,5"], {}, [np.nan, 2.5, 3.5], {"n_unparsed": 1, "decimal": ","},
                 "both decimal marks appear", id="inconsistent-decimal-marks"),
    pytest.param(pd.Series([1, 2, 3]), {}, [1.0, 2.0, 3.0], {"n_missing": 0}, None, id="already-int"),
    pytest.param(pd.Series([1, 2.5, None], dtype=object), {}, [1.0, 2.5, np.nan], {"n_missing": 1}, None,
                 id="object-numbers"),
    pytest.param(pd.Series([1, "£2", "n/a"], dtype=object), {}, [1.0, 2.0, np.nan], {"n_missing": 1}, None,
                 id="object-mixed"),
]


@pytest.mark.parametrize("values, kwargs, expected, fields, note", NUMBER_CASES)
def test_number_quirks(values, kwargs, expected, fields, note):
    r = read_numbers(values, **kwargs)
    assert r.values.dtype == "float64"
    np.testing.assert_allclose(r.values.to_numpy(), np.array(expected, dtype=float), rtol=1e-12)
    for name, value in fields.items():
        assert getattr(r, name) == value, (name, r.to_dict())
    if note:
        assert any(note in n for n in r.notes), r.notes


#: One cell each: labels, census codes, plain numbers and every quirk of NUMBER_CASES, for the quick checks below.
CELLS = sorted({v for case in NUMBER_CASES if isinstance(case.values[0], list) for v in case.values[0]
                if isinstance(v, str)} | {"Estimate!!Total", "Margin of Error!!Total!!25 to 34 years", "(X)", "N", "**",
                                          "2,500-", "250,000+", "١٢", "12\u00a0", " 7 ", "5.", ".5", "1_000", "0x10",
                                          "NaN", "+inf", "infinite", "Total", "—", "\t3e2\n"})


@pytest.mark.parametrize("census", [False, True])
def test_quick_number_checks_agree_with_read_numbers(census):
    """The label row's quick checks (unread_text, numbers_share) give what read_numbers gives, cell by cell and for a
    column of every cell."""
    for cell in CELLS:
        assert unread_text(cell, census=census) == (read_numbers([cell], census=census).n_unparsed == 1), cell
    for column in (pd.Series(CELLS, dtype=object), pd.Series(["1", "2.5", None, " 3 ", "4e1"], dtype="string"),
                   pd.Series(["1", "inf", None], dtype=object), pd.Series([1.5, None, 2.0]),
                   pd.Series([True, False, True]), pd.Series([True, None], dtype=object),  # no numbers: as read_numbers
                   pd.Series(pd.to_datetime(["2020-01-01", "2021-06-30"]))):
        reading = read_numbers(column, census=census)
        assert numbers_share(column, census=census) == (int(reading.values.notna().sum()), reading.n_unparsed)


def test_numbers_check_raises_column_error():
    r = read_numbers(pd.Series(["1", "two"], name="Spend"))
    with pytest.raises(ColumnError, match="column 'Spend' has 1 value that is not numbers, e.g. 'two'"):
        r.check()
    assert json.loads(json.dumps(r.to_dict()))["unparsed_examples"] == ["two"]


def test_numbers_keep_the_index():
    r = read_numbers(pd.Series(["1,5", "2,5"], index=["a", "b"], name="x"))
    assert list(r.values.index) == ["a", "b"] and r.values.name == "x" and r.column == "x"


def test_ids_exactly_as_written():
    big = 2**53 + 1
    assert read_ids(["007", "0123", "A-1"]).tolist() == ["007", "0123", "A-1"]
    assert read_ids(pd.Series([big, 5])).tolist() == [str(big), "5"]
    assert read_ids(pd.Series([big, None], dtype=object)).tolist() == [str(big), pd.NA]
    assert read_ids([str(big)]).tolist() == [str(big)]
    assert read_ids(pd.Series([17850.0, np.nan, 12.5])).tolist() == ["17850", pd.NA, "12.5"]
    assert read_ids(["12345.0", " 42 ", "", None, "NA"]).tolist() == ["12345", "42", pd.NA, pd.NA, "NA"]
    assert read_ids(pd.Series([1, None], dtype="Int64")).tolist() == ["1", pd.NA]
    assert str(read_ids(["1"]).dtype) == "string"


def test_na_tokens():
    assert {"", "na", "n/a", "null", "none", "-", "?", ".", "nan"} <= NA_TOKENS
    assert all(is_na_token(t) for t in NA_TEXT) and is_na_token(None) and is_na_token(np.nan)
    assert not is_na_token("0") and not is_na_token("N.A.") and not is_na_token(0)
    assert is_na_token(["x", " null ", None]).tolist() == [False, True, True]
