"""Tables as a business reader sees them (:func:`segkit.report.cards.table`): headings in words, shares in
percent, counts with separators, no pandas types, no "inf" or "nan"; and every business page of the smoke runs
keeps to it."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from batch_fixtures import acs_run, customers_run, smoke_run  # noqa: F401  (pytest fixtures)
from segkit import eda
from segkit.report.cards import plain_heading, table


def test_headings_counts_shares_and_missing_values_in_words():
    frame = pd.DataFrame({"column": ["Quantity", "UnitPrice"], "dtype": ["int64", "float64"], "non_null": [541909, 3],
                          "missing_share": [0.0, 0.249], "lower": [-np.inf, -7.39], "upper": [12.5, np.nan]})
    shown = table(frame, {"dtype": "Type"}, index="column", percent=["missing_share"], whole=["non_null"],
                  types=["dtype"])
    assert list(shown.columns) == ["Type", "Non null", "Missing share", "Lower", "Upper"]
    assert list(shown.index) == ["Quantity", "UnitPrice"] and shown.index.name is None
    assert shown.loc["Quantity"].tolist() == ["whole number", "541,909", "0.0%", "–", "12.5"]
    assert shown.loc["UnitPrice"].tolist() == ["number", "3", "24.9%", "-7.39", "–"]
    tiny = table(pd.DataFrame({"share": [0.0, 0.0002, 0.0005]}), percent=["share"])
    assert tiny["Share"].tolist() == ["0.0%", "under 0.1%", "0.1%"]  # a segment of one customer in 4,334 is not 0%


def test_an_aligned_column_of_one_measure_has_one_number_of_decimals():
    holdout = pd.DataFrame({"customers": [1422, 683, 80], "actual": [0.58, 0.92, 2.77], "predicted": [0.38, 0.7, 2.0],
                            "large": [1480.2, 2.5, np.nan], "tiny": [0.004, 0.5, 0.25], "mixed": [93.23, 1.0, 143.0]})
    shown = table(holdout, whole=["customers"], aligned=["actual", "predicted", "large", "tiny"])
    assert shown["Predicted"].tolist() == ["0.38", "0.70", "2.00"]  # not 0.38, 0.7, 2
    assert shown["Actual"].tolist() == ["0.58", "0.92", "2.77"]
    assert shown["Large"].tolist() == ["1,480.2", "2.5", "–"]
    assert shown["Tiny"].tolist() == ["0.004", "0.50", "0.25"]  # a number under 0.01 keeps its significant digits
    assert shown["Customers"].tolist() == ["1,422", "683", "80"]
    # not aligned (rows of different measures, such as a summary of each feature): each number as it reads best
    assert shown["Mixed"].tolist() == ["93.2", "1", "143"]


def test_types_in_words_and_row_labels_kept_unless_asked():
    frame = pd.DataFrame({"rule": ["missing_customer", "non_product"], "dtype": ["str", "datetime64[us]"],
                          "flag": [True, False]})
    shown = table(frame, index="rule", types=["dtype"])
    assert list(shown.index) == ["missing_customer", "non_product"]  # may be input columns: never rewritten
    assert shown["Dtype"].tolist() == ["text", "date and time"] and shown["Flag"].tolist() == ["yes", "no"]
    assert list(table(frame, index="rule", label_words=True).index) == ["Missing customer", "Non product"]
    assert list(table(frame[["dtype"]]).index) == ["", ""]  # a plain 0, 1, 2... says nothing: no labels
    mixed = table(pd.DataFrame({"example": ["22423", "1e5", 2.5, None], "flag": [np.True_, np.False_, True, False]}))
    assert mixed["Example"].tolist() == ["22423", "1e5", "2.5", ""]  # text stays as written
    assert mixed["Flag"].tolist() == ["yes", "no", "yes", "no"]
    assert plain_heading("avg_order_value") == "Avg order value" and plain_heading("ROC-AUC") == "ROC-AUC"


def test_the_name_of_the_row_labels_goes_above_them_in_one_header_row():
    frame = pd.DataFrame({"Customers": [1422, 683]}, index=pd.Index([0, 1], name="Repeat purchases"))
    shown = table(frame, whole=["Customers"])
    assert shown.columns.name == "Repeat purchases" and shown.index.name is None
    head = shown.to_html().split("<tbody>")[0]
    assert head.count("<tr") == 1 and "<th>Repeat purchases</th>" in head and "1,422" in shown.to_html()


def test_the_linkage_table_gives_every_score_two_decimals():
    from types import SimpleNamespace

    from segkit.stages.dendrogram import comparison_table

    scores = pd.DataFrame({"method": ["ward", "single"], "silhouette": [0.2512, np.nan], "cophenetic": [0.5, 0.6666],
                           "balance": [0.92, 0.02], "smallest_share": [0.053, 0.0002], "ari": [0.1, -0.00046],
                           "n_segments": [5, 5], "two_stage": [False, False], "n_leaves": [4334, 4334]})
    shown = comparison_table(SimpleNamespace(table=scores))
    assert shown.loc["Ward"].tolist() == ["0.25", "0.50", "0.92", "5.3%", "0.10", "5", "no", "4,334"]
    assert shown.loc["Single"].tolist() == ["–", "0.67", "0.02", "under 0.1%", "0.00", "5", "no", "4,334"]


def test_the_outlier_table_shows_a_missing_fence_as_a_dash():
    from segkit.stages.eda import outliers

    skewed = pd.DataFrame({"spend": np.r_[np.linspace(1, 100, 200), 1e6]})
    shown = outliers(skewed)
    assert eda.outlier_table(skewed)["lower"].iloc[0] == -np.inf  # no lower fence on the log scale
    assert shown.loc["spend", "Unusually low below"] == "–" and shown.loc["spend", "Above"] == "1"
    assert shown.loc["spend", "Unusually high above"] != "–"


def test_the_outlier_table_shows_only_limits_some_value_lies_beyond():
    """A fence outside the data (tenure in months: below 0 and above 160) is not shown."""
    from segkit.stages.eda import outliers

    rng = np.random.default_rng(0)
    data = pd.DataFrame({"tenure": rng.integers(0, 72, 500), "salary": rng.normal(50_000, 5_000, 500).round()})
    data.loc[0, "salary"] = 500_000  # one far out above
    found = eda.outlier_table(data).set_index("column")
    assert found.loc["tenure", "lower"] < 0 and found.loc["tenure", "upper"] > 72  # the fences as computed
    shown = outliers(data)
    limits = ["Unusually low below", "Unusually high above", "Outliers"]
    assert shown.loc["tenure", limits].tolist() == ["–", "–", "0"]
    assert shown.loc["salary", "Unusually low below"] == "–"
    assert float(shown.loc["salary", "Unusually high above"].replace(",", "")) == found.loc["salary", "upper"].round()
    assert shown.loc["salary", "Above"] == "1"


RAW_NAMES = {"count", "mean", "std", "min", "max", "column", "rule", "note", "meaning", "rows", "n", "lower", "upper",
             "dtype", "method", "segment", "feature", "median", "silhouette", "balance"}


def _headings(page: str) -> list[str]:
    page = page[:page.rfind("Appendix: run details")]  # the appendix is the analyst's record of the run
    heads = re.findall(r"<thead>(.*?)</thead>", page, flags=re.S)
    return [html.unescape(re.sub(r"<.*?>", "", h)).strip() for block in heads
            for h in re.findall(r"<th[^>]*>(.*?)</th>", block, flags=re.S)]


def _cells(page: str) -> list[str]:
    page = page[:page.rfind("Appendix: run details")]
    return [html.unescape(re.sub(r"<.*?>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["smoke_run", "customers_run", "acs_run"])
def test_business_pages_show_no_raw_headings_and_no_inf_or_nan(fixture, request):
    folder = request.getfixturevalue(fixture)
    pages = sorted(p for p in folder.glob("[0-9][0-9]_*.html") if ".analyst." not in p.name)
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        raw = [h for h in _headings(text) if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h) or h in RAW_NAMES]
        assert not raw, f"{page.name} shows raw column names as headings: {raw}"
        odd = [c for c in _cells(text) if re.fullmatch(r"-?inf|nan|NaN|None|NaT", c)]
        assert not odd, f"{page.name} shows {odd[:3]}"
