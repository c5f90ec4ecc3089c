"""The customers data kind: preflight, cleaning, features, encoding, naming, the explorer and its views."""

from __future__ import annotations

import dataclasses
import json
import re

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest

from segkit import pipeline, stages
from segkit.cleaning import CleaningLog
from segkit.config import params_from_mapping
from segkit.errors import ColumnError, ParamsError
from segkit.kinds.customers.explore import CustomerExplorer
from segkit.io import RunFolder
from segkit.kinds import customers as kind
from segkit.modelio import load_model
from segkit.stages import RunContext
from segkit.profile import profile_segments
from segkit.kinds.customers.synth import generate_customers


def _params(**kw):
    return params_from_mapping({"data_kind": "customers", "data_path": "synth://customers?n=400&seed=5", **kw})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return generate_customers(400, seed=5)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run of the stages up to the final segments (no notebooks) on 400 generated customers."""
    folder = RunFolder(tmp_path_factory.mktemp("run")).ensure()
    params = _params(k=4, bootstrap=2, sample_size=400)
    folder.path.joinpath("params.json").write_text(json.dumps(params.model_dump()))
    nb = RunContext(params, folder)
    raw = stages.eda.load(nb)
    stages.eda.clean(nb, raw)
    fs = stages.features.build_features(nb)
    seg = stages.profile.segment(nb)
    return nb, fs, seg


# ------------------------------------------------------------------------------------ preflight
def test_check_columns_names_the_key_and_lists_columns():
    kind.check_columns(_params(id_col="customer_id"), ["customer_id", "age"])
    with pytest.raises(ColumnError, match="id_col='CustomerId'") as err:
        kind.check_columns(_params(id_col="CustomerId"), ["CustomerID", "Age"])
    assert "CustomerID" in err.value.fix
    with pytest.raises(ColumnError, match="Gender"):
        kind.check_columns(_params(roles={"Gender": "categorical"}), ["CustomerID", "Genre"])
    with pytest.raises(ColumnError, match="incomes"):
        kind.check_columns(_params(features=["incomes"]), ["income", "signup_date"])
    kind.check_columns(_params(features=["income", "days_since_signup_date"]), ["income", "signup_date"])


# ---------------------------------------------------------------------------------------- clean
def test_clean_logs_each_rule_with_its_rows(table):
    raw = pd.concat([table.head(50), table.head(3)], ignore_index=True)  # 3 exact duplicates
    raw.loc[len(raw)] = raw.loc[10]  # a repeated id with other values
    raw.loc[len(raw) - 1, "age"] = 99
    raw.loc[len(raw)] = [None] * raw.shape[1]  # no id at all
    raw.loc[len(raw)] = ["C999999"] + [None] * (raw.shape[1] - 1)  # an id and nothing else
    cleaned, log = kind.clean(raw, _params())
    assert isinstance(log, CleaningLog)
    removed = {s.rule: s.rows_removed for s in log.steps}
    assert removed == {"duplicates": 3, "missing_id": 1, "duplicate_ids": 1, "empty_rows": 1, "non_finite": 0}
    assert "C000011" in log["duplicate_ids"].note and "C999999" in log["empty_rows"].note
    assert len(cleaned) == 50 and cleaned["customer_id"].is_unique
    assert log.rows_in == len(raw) and log.rows_out == 50


def test_clean_without_id_and_without_dropping_duplicates():
    raw = pd.DataFrame({"age": [30, 30, np.nan, 41], "city": ["A", "A", None, "B"]})
    cleaned, log = kind.clean(raw, _params(drop_duplicates=False))
    assert len(cleaned) == 3 and log["duplicates"].rows_removed == 0
    assert log["empty_rows"].rows_removed == 1 and "No id column" in log["missing_id"].description


# ------------------------------------------------------------------------------------- features
def test_features_roles_units_and_profile_columns(table):
    cleaned, _ = kind.clean(table, _params())
    fs = kind.features(cleaned, _params())
    assert fs.entity == "customers" and fs.table.index.name == "customer_id" and fs.table.index.is_unique
    assert fs.columns == ["age", "gender", "region", "income", "total_spend", "visit_frequency", "basket_size",
                          "preferred_category", "signup_date"]
    assert isinstance(fs.table["region"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_any_dtype(fs.table["signup_date"])
    assert fs.profile_columns == ["age", "income", "total_spend", "visit_frequency", "basket_size",
                                  "days_since_signup_date"]
    assert not fs.table[fs.profile_columns].isna().any().any()  # gaps filled with the median, and said so
    assert any(n.startswith("income:") and "median" in n for n in fs.notes)
    assert fs.units["total_spend"] == "money" and fs.units["days_since_signup_date"] == "days"
    assert kind.model_roles(fs)["signup_date"] == "date" and kind.model_roles(fs)["gender"] == "categorical"


# One column name per way a table says its money is counted in thousands, with the unit, the label and how 86.5
# reads in a run in pounds; and names that look alike but count no money in thousands.
_THOUSANDS_CORPUS = [
    ("Annual Income (k$)", "k$", "Annual income", "$86.5k"),  # the Mall customers' table
    ("Income (K$)", "k$", "Income", "$86.5k"), ("Income ($k)", "k$", "Income", "$86.5k"),
    ("Income (£k)", "kmoney", "Income", "£86.5k"), ("Income (k£)", "kmoney", "Income", "£86.5k"),
    ("Revenue (€k)", "k€", "Revenue", "€86.5k"), ("Revenue (kEUR)", "kEUR", "Revenue", "EUR 86.5k"),
    ("Sales (k NOK)", "kNOK", "Sales", "NOK 86.5k"), ("Balance (000 EUR)", "kEUR", "Balance", "EUR 86.5k"),
    ("Balance (EUR 000)", "kEUR", "Balance", "EUR 86.5k"), ("Revenue ('000 USD)", "kUSD", "Revenue", "USD 86.5k"),
    ("Salary ($000)", "k$", "Salary", "$86.5k"), ("Salary ($'000)", "k$", "Salary", "$86.5k"),
    ("Income ($1000s)", "k$", "Income", "$86.5k"), ("Income (in $1,000)", "k$", "Income", "$86.5k"),
    ("Revenue (000s)", "kmoney", "Revenue", "£86.5k"), ("Revenue ('000)", "kmoney", "Revenue", "£86.5k"),
    ("Salary (000's)", "kmoney", "Salary", "£86.5k"), ("Income (x1000)", "kmoney", "Income", "£86.5k"),
    ("Cost (Rs '000)", "kRs", "Cost", "Rs 86.5k"), ("Income (in '000 INR)", "kINR", "Income", "INR 86.5k"),
    ("Revenue (thousands)", "kmoney", "Revenue", "£86.5k"), ("Revenue in thousands", "kmoney", "Revenue", "£86.5k"),
    ("income_in_thousands", "kmoney", "Income", "£86.5k"), ("balance_thousands", "kmoney", "Balance", "£86.5k"),
    ("Income (USD thousands)", "kUSD", "Income", "USD 86.5k"),
    ("Income (thousands of dollars)", "k$", "Income", "$86.5k"),
    ("Umsatz (Tsd. €)", "k€", "Umsatz", "€86.5k"), ("Umsatz (T€)", "k€", "Umsatz", "€86.5k"),
    ("income_k", "kmoney", "Income", "£86.5k"), ("IncomeK", "kmoney", "Income", "£86.5k"),
    # a bracket of four letters that begins or ends with k is no thousands: a week's spend is plain money
    ("Spend (week)", "money", "Spend (week)", "£86"), ("Charges (peak)", "money", "Charges (peak)", "£86"),
    ("Balance (bank)", "money", "Balance (bank)", "£86"), ("Cost (kcal)", None, "Cost (kcal)", "86.5"),
    # thousands of something that is no money
    ("Population (thousands)", None, "Population (thousands)", "86.5"),
    ("Number of payments (thousands)", None, "Number of payments (thousands)", "86.5"),
    ("Payment count (k)", None, "Payment count (k)", "86.5"), ("Income rank (k)", None, "Income rank (k)", "86.5"),
    ("Sales units (thousands)", None, "Sales units (thousands)", "86.5"),
    ("Mileage (k)", None, "Mileage (k)", "86.5"), ("Weight (kg)", None, "Weight (kg)", "86.5"),
    ("income_kids", "money", "Income kids", "£86"), ("Annual Income", "money", "Annual income", "£86"),
    ("Cashback", None, "Cashback", "86.5"),
]


@pytest.mark.parametrize("column, unit, label, shown", _THOUSANDS_CORPUS)
def test_money_counted_in_thousands_reads_in_thousands(column, unit, label, shown):
    """The Mall table's "Annual income (k$): 86.5" on a card, which a reader may take for $86.50: the name's note
    becomes the unit ("$86.5k"), and the label drops it."""
    from segkit.format import format_value, in_thousands
    from segkit.kinds.customers.units import label as _label, without_thousands

    params = params_from_mapping({"data_kind": "customers", "currency": "£"})
    assert kind._unit(column, params) == unit
    plain = _label(column, "numeric", params)
    assert (without_thousands(plain) if in_thousands(unit) else plain) == label
    assert format_value(86.5, unit, params.currency) == shown


@pytest.mark.parametrize("currency, column, shown", [
    ("$", "Annual Income (k$)", "$86.5k"), ("$", "Income (£k)", "£86.5k"), ("kr", "Spend (k)", "kr 86.5k"),
    ("kr", "Revenue ('000)", "kr 86.5k"), ("", "Revenue ('000)", "86.5k"), ("", "Annual Income (k$)", "$86.5k"),
])
def test_thousands_read_in_the_runs_currency_unless_the_name_states_another(currency, column, shown):
    """A run in dollars writes its own currency; a run in kroner ("kr", no sign the reader knows) or of plain numbers
    (no currency) never shows an invented one."""
    from segkit.format import format_value

    params = params_from_mapping({"data_kind": "customers", "currency": currency})
    assert format_value(86.5, kind._unit(column, params), params.currency) == shown


def test_only_a_numeric_column_in_thousands_loses_its_note():
    """A band of incomes in thousands is a category: its label keeps "($000)"; a unit the params give wins."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(5)
    group = np.repeat([0, 1], 40)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(80)], "age": np.where(group, 60, 25) + rng.uniform(0, 5, 80),
                       "Income bracket ($000)": np.where(group, "50-75", "25-50"),
                       "Annual Income (k$)": np.where(group, 90.0, 30.0) + rng.uniform(0, 8, 80).round(1)})
    fs = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3, currency="$").features
    assert fs.label("Income bracket ($000)").startswith("Income bracket ($000)")
    given = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3, currency="$",
                          units={"Annual Income (k$)": "money"}).features
    assert given.units["Annual Income (k$)"] == "money" and given.label("Annual Income (k$)") == "Annual income (k$)"


def test_a_table_in_thousands_reads_in_thousands_on_cards_sentences_and_plots():
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(3)
    group = np.repeat([0, 1], 50)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(100)], "Age": np.where(group, 60, 25) + rng.uniform(0, 5, 100),
                       "Annual Income (k$)": np.where(group, 90.0, 30.0) + rng.uniform(0, 8, 100).round(1)})
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3, currency="$")
    fs = seg.features
    assert fs.units["Annual Income (k$)"] == "kmoney" and fs.label("Annual Income (k$)") == "Annual income"
    assert fs.axis_labels("$")["Annual Income (k$)"] == "Annual income ($ thousands)"
    cards = seg.cards()
    facts = " ".join(f"{f['label']}: {f['value_text']}" for card in cards for f in card["facts"])
    rich = cards[int(seg.labels["c99"])]
    assert re.search(r"Annual income: \$9\d(\.\d)?k", facts), facts
    said = r"higher annual income \(typically \$9\d(\.\d)?k vs \$\d\d(\.\d)?k overall\)"
    assert re.search(said, rich["drivers"]), rich


@pytest.mark.parametrize("column, unit", [
    ("MonthlyCharges", "money"), ("TotalCharges", "money"), ("avg_order_value", "money"), ("phone_bill", "money"),
    ("insurance_premium", "money"), ("spend_per_visit", "money"), ("orders_count", "count"), ("credit_score", None),
    ("visits_per_month", "count"), ("tenure_months", "months"), ("Annual Income (k$)", "k$"),
    # whole words only: not money inside another word, nor a class or a count of bills
    ("hospital_discharges", None), ("welfare_score", None), ("billing_delay", None), ("fare_class", None),
    ("bills_paid_late", None), ("late_fees", "money"),
    # a balance of points or miles is no money; a credit balance and a unit price are
    ("points_balance", None), ("PointsBalance", None), ("miles_balance", None), ("credit_balance", "money"),
    ("unit_price", "money"),
    # exports in other languages: a German loyalty table's "Umsatz 12M" showed "5,328" beside currency: "€"
    ("Umsatz 12M", "money"), ("ingresos_anuales", "money"), ("saldo", "money"), ("montant_achats", "money"),
    ("Punktestand", None), ("Besuche 12M", "count"),  # visits, as visits_per_month
    ("Jahreseinkommen", "money"), ("Monatsgehalt", "money"), ("Gehaltsklasse", None),  # German compounds
    ("Fettgehalt", None), ("Alkoholgehalt", None),  # fat and alcohol content are no salary
])
def test_units_from_column_names(column, unit):
    """Money columns whose values carry no currency sign take the run's currency by their name (a telco table's
    MonthlyCharges printed as bare numbers and named 'many monthly charges' before)."""
    params = params_from_mapping({"data_kind": "customers"})
    assert kind._unit(column, params) == unit


def test_values_written_with_a_currency_are_money_whatever_the_name(tmp_path):
    """A German table's "Jahreseinkommen" (annual income, one word the money names miss) held "52.000,00 €": its cards
    read "112,564" while "Umsatz 12M" read "€5,669". Written with the run's currency: money; with another: its
    sign."""
    from segkit.source import load_input

    rng = np.random.default_rng(0)
    path = tmp_path / "kunden.csv"
    pd.DataFrame({"Kundennummer": range(60), "Alter": rng.integers(20, 70, 60),
                  "Jahreseinkommen": [f"{v:,.2f} €".replace(",", "_").replace(".", ",").replace("_", ".")
                                      for v in rng.uniform(20_000, 90_000, 60)],
                  "Reisebudget": [f"${v:,.0f}" for v in rng.uniform(500, 3_000, 60)]}).to_csv(path, index=False, sep=";")
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path), "id_col": "Kundennummer",
                                  "currency": "€"})
    cleaned, _ = kind.clean(load_input(params), params)
    fs = kind.features(cleaned, params)
    assert fs.units["Jahreseinkommen"] == "money" and fs.units["Reisebudget"] == "$"
    # every sign the reader knows is written as money, before the number, and compared as money ("higher", not "more")
    from segkit.drivers import _comparative
    from segkit.format import format_value, unit_in_words
    assert [format_value(52_000, sign) for sign in ("R$", "₽", "US$", "$")] == ["R$52,000", "₽52,000", "US$52,000",
                                                                                 "$52,000"]
    assert not unit_in_words("R$") and _comparative("Travel budget", True, "₺") == "higher travel budget"
    assert fs.units["Alter"] == "years"  # "Alter: 24.2" had no unit; an age in any of seven languages is in years


def test_features_param_selects_columns_and_refuses_excluded_ones(table):
    cleaned, _ = kind.clean(table, _params())
    fs = kind.features(cleaned, _params(features=["age", "days_since_signup_date", "region"]))
    assert fs.columns == ["age", "signup_date", "region"]
    with pytest.raises(ParamsError, match="customer_id") as err:
        kind.features(cleaned, _params(features=["age", "customer_id"]))
    assert err.value.key == "features"


def test_roles_override_and_id_col(table):
    cleaned, _ = kind.clean(table, _params(roles={"region": "ignore", "visit_frequency": "categorical"}))
    fs = kind.features(cleaned, _params(roles={"region": "ignore", "visit_frequency": "categorical"}))
    assert "region" not in fs.columns and kind.model_roles(fs)["visit_frequency"] == "categorical"


# ---------------------------------------------------------------------------------- preprocessor
@pytest.mark.parametrize("pca, width", [(None, None), (3, 3), (0.8, None)])
def test_preprocessor_encodes_to_finite_numbers(table, pca, width):
    cleaned, _ = kind.clean(table, _params())
    fs = kind.features(cleaned, _params())
    X = kind.preprocessor(fs, _params(pca_components=pca)).fit_transform(fs.clustering_table)
    assert np.isfinite(X).all() and len(X) == len(fs.table)
    if width:
        assert X.shape[1] == width
    if pca is None:
        assert X.shape[1] == 6 + 3 + 9 + 6  # numbers and date, then one column per level


@pytest.mark.parametrize("pca, match", [(1.5, "share between 0 and 1"), (0, "at least 1"), (500, "only 24 columns")])
def test_bad_pca_components(table, pca, match):
    cleaned, _ = kind.clean(table, _params())
    fs = kind.features(cleaned, _params())
    with pytest.raises(ParamsError, match=match) as err:
        kind.preprocessor(fs, _params(pca_components=pca))
    assert err.value.key == "pca_components"


def test_pca_variance_table(table):
    cleaned, _ = kind.clean(table, _params())
    fs = kind.features(cleaned, _params())
    out = kind.pca_variance(fs, _params(pca_components=0.8))
    assert out["cumulative"].iloc[-1] == pytest.approx(1.0)
    kept = out.attrs["kept"]
    assert out["cumulative"].iloc[kept - 1] >= 0.8 > out["cumulative"].iloc[kept - 2]
    assert kind.pca_variance(fs, _params()).attrs["kept"] is None


# ---------------------------------------------------------------------------------------- naming
@pytest.mark.parametrize("column, concept", [
    ("Age", "age"), ("Annual Income (k$)", "income"), ("annual_income", "income"),
    ("Spending Score (1-100)", "spending_score"), ("spending_score", "spending_score"), ("total_spend", "spend"),
    ("visit_frequency", "visits"), ("basket_size", "basket"), ("days_since_signup_date", "tenure"),
    ("days_since_last_purchase", "recency"), ("credit_score", None),
    ("Genre", None), ("loyalty_points", None),
    # other languages: a German table's segments were "Customers with low alter" and "with high jahreseinkommen"
    ("Alter", "age"), ("Jahreseinkommen", "income"), ("days_since_Kunde_seit", "tenure"), ("Umsatz_12M", "spend"),
    ("Days since letzter Kauf", "recency"), ("edad", "age"), ("ingresos_anuales", "income"), ("Âge", "age"),
    ("revenu_annuel", "income"), ("leeftijd", "age"), ("alternative_plan", None), ("Besuche 12M", "visits"),
    ("Total_Revenue", "spend"), ("AnnualRevenue", "spend"), ("Brenda_score", None), ("Fettgehalt", None),
])
def test_canonical_feature(column, concept):
    assert kind.canonical_feature(column) == concept


def _profile(z: dict) -> object:
    """A profile whose z-scores are (about) the given ones: two rows per segment at mean +- 1 sd."""
    frame = pd.DataFrame(z)
    rows, labels = [], []
    for seg, row in frame.iterrows():
        rows += [row.to_dict(), row.to_dict()]
        labels += [seg, seg]
    return profile_segments(pd.DataFrame(rows), np.array(labels))


def test_mall_style_names_are_the_lexicons():
    z = {"Age": [-1.0, 0.2, 1.1, 0.0, -0.4], "Annual Income (k$)": [-1.0, 1.1, -0.6, 1.2, 0.0],
         "Spending Score (1-100)": [1.1, 1.2, -0.5, -1.3, 0.0]}
    prof = _profile(z)
    names = {s: n.name for s, n in kind.name_segments(prof, None, _params()).items()}
    assert names[0] in ("Young High Spenders", "Budget Enthusiasts")
    assert names[1] == "Affluent High Spenders" and names[3] == "Affluent Savers"
    assert len(set(names.values())) == 5


def test_clashing_names_are_told_apart_without_numbers(run):
    _, fs, _ = run
    z = pd.DataFrame({"age": [-0.9, -0.8, 1.0], "income": [0.9, 0.95, -0.5]})
    prof = profile_segments(pd.DataFrame({"age": [1.0] * 3, "income": [1.0] * 3}), np.array([0, 1, 2]))
    prof = type(prof)(**{**prof.__dict__, "zscores": z})
    names = {s: n.name for s, n in kind.name_segments(prof, fs, _params()).items()}
    assert names[0] != names[1] and "Young Professionals" in names[0] and "Young Professionals" in names[1]
    assert not any(ch.isdigit() for n in names.values() for ch in n)


def test_category_levels_tell_apart_segments_numbers_cannot(run):
    _, fs, seg = run
    labels = (fs.table["gender"].astype(str) == "Female").astype(int).to_numpy()
    z = pd.DataFrame({"age": [-0.9, -0.9], "income": [0.9, 0.9]})
    prof = profile_segments(pd.DataFrame({"age": [1.0, 1.0], "income": [1.0, 1.0]}), np.array([0, 1]))
    prof = type(prof)(**{**prof.__dict__, "zscores": z})
    fs = dataclasses.replace(fs, extra={**fs.extra, "imputed_rows": {}})  # the z-scores above are made up
    names = {s: n.name for s, n in kind.name_segments(prof, fs, _params(), labels=labels).items()}
    assert names[0] != names[1] and all(re.search(r"\b(Female|Male|Other|Women|Men|women|men)\b", n)
                                        for n in names.values()), names
    # the generated customers' real ages (about 40 in both) are not young, whatever the made-up z-scores say
    assert not any("Young" in n for n in names.values())


def test_a_category_reads_as_a_word_in_sentences_and_with_its_levels_in_the_feature_table(run):
    nb, fs, seg = run
    assert fs.labels["gender"] == "Gender (3 levels)" and fs.label("gender") == "Gender"
    assert fs.labels["region"].endswith(" levels)") and not fs.label("region").endswith("levels)")
    explained = json.loads(nb.folder.artifact("explain.json").read_text())
    drivers = " ".join(s["drivers"] for s in explained["segments"])
    assert "levels)" not in drivers + " ".join(explained["labels"].values())
    assert explained["labels"]["gender"] == "Gender"


def test_column_roles_show_no_id_values(table):
    roles = kind.column_roles(table, _params())
    assert roles.loc["customer_id", "role"] == "id"
    assert "C000" not in " ".join(roles["why"])
    assert roles.loc["signup_date", "role"] == "date" and roles.loc["region", "used for"].startswith("feature")


# ------------------------------------------------------------------------------- after the segments
def test_after_segment_writes_profile_and_scoring_metadata(run):
    nb, fs, seg = run
    cats = pd.read_csv(nb.folder.artifact("categorical_profile.csv"))
    assert set(cats["column"]) == {"gender", "region", "preferred_category"}
    shares = cats.groupby(["segment", "column"])["share"].sum()
    assert np.allclose(shares, 1.0)
    model, meta = load_model(nb.folder.artifact("model"))
    assert meta["id_col"] == "customer_id" and meta["roles"]["signup_date"] == "date"
    assert set(meta["categories"]["gender"]) == {"Female", "Male", "Other"}
    assert meta["names"] == {seg.profile.codes[s]: seg.profile.names[s] for s in seg.profile.segments}
    assert meta["input_hash"].startswith("rows-sha256:") and meta["reference_date"] == f"{fs.table['signup_date'].max():%Y-%m-%d}"


def test_segment_unfinished_leaves_the_kinds_additions_to_finish(run, tmp_path):
    # 05_profile in a batch: the segments first, the kind's after_segment in a later cell (stages.profile.finish)
    import shutil

    nb, fs, seg = run
    shutil.copytree(nb.folder.path, tmp_path / "run")
    ctx = RunContext(nb.params, RunFolder(tmp_path / "run"))
    ctx.folder.artifact("categorical_profile.csv").unlink()
    meta = lambda folder: load_model(folder.artifact("model"))[1]  # noqa: E731
    unfinished = stages.profile.segment(ctx, fs, finished=False)
    assert not ctx.folder.has("categorical_profile.csv") and "categories" not in meta(ctx.folder)
    assert stages.profile.finish(ctx, unfinished) is unfinished
    profile = "categorical_profile.csv"
    assert ctx.folder.artifact(profile).read_bytes() == nb.folder.artifact(profile).read_bytes()
    assert meta(ctx.folder)["categories"] == meta(nb.folder)["categories"]


def test_views_for_notebooks_02_and_05(run):
    nb, fs, seg = run
    assert stages.features.feature_columns(fs) == ["age", "income", "total_spend", "visit_frequency",
                                                   "basket_size", "days_since_signup_date"]
    frame = stages.features.transformed_features(nb, fs)
    assert {"age", "days_since_signup_date", "region_North"} <= set(frame.columns)
    wide = stages.profile.categorical_profile(nb, seg)
    assert list(wide.columns[:3]) == ["Category", "Level", "All customers"]
    # each category under its plain label once (not the column name), shares in percent summing to 100
    assert [c for c in wide["Category"] if c] == [fs.label(c) for c in ("gender", "region", "preferred_category")]
    shares = wide.drop(columns=["Category", "Level"]).apply(lambda col: col.str.rstrip("%").astype(float))
    groups = (wide["Category"] != "").cumsum().to_numpy()
    assert np.allclose(shares.groupby(groups).sum().to_numpy(), 100, atol=0.6)
    # more levels than shown: the rarest summed into one row, the shares unchanged
    two = stages.profile.categorical_profile(nb, seg, top_levels=2)
    other = two[two["Level"].str.startswith("Other (")]
    per_category = pd.Series(groups).value_counts()
    # a category of 3 levels shows its third by name, not as "Other (1 levels)"
    assert len(other) == int((per_category > 3).sum()) and len(two) == int(per_category.clip(upper=3).sum())
    assert not other["Level"].str.contains(r"\(1 levels\)").any() and "Other" in set(two["Level"])
    assert np.allclose(two.drop(columns=["Category", "Level"]).apply(lambda c: c.str.rstrip("%").astype(float))
                       .groupby((two["Category"] != "").cumsum().to_numpy()).sum().to_numpy(), 100, atol=0.6)
    assert "not used (the params ask for none)" in stages.features.pca_variance(nb, fs).data


def test_the_histograms_leave_out_the_values_the_features_step_filled_in(run, monkeypatch):
    """A CRM table's ages, missing for 300 customers and filled with the median, drew a spike at 45 on 02_features
    that no one had: the histograms show what was measured, and the caption says how many were left out."""
    nb, fs, _ = run
    filled = {"age": [0, 3, 7], "income": [5]}
    seen = {}

    def capture(table, **kwargs):
        seen["table"] = table
        return matplotlib.figure.Figure()

    monkeypatch.setattr(stages.features, "distributions_figure", capture)
    with_gaps = dataclasses.replace(fs, extra={**fs.extra, "imputed_rows": filled})
    caption = stages.features.distributions(nb, with_gaps).data
    assert "the 4 values filled in where one was missing are left out" in caption
    shown = seen["table"]
    assert shown["age"].isna().sum() == 3 and shown["income"].isna().sum() == 1
    assert shown["age"].iloc[[1, 2]].tolist() == fs.table["age"].iloc[[1, 2]].tolist()
    assert not fs.table["age"].isna().any()
    stages.features.distributions(nb, dataclasses.replace(fs, extra={**fs.extra, "imputed_rows": {}}))
    assert seen["table"] is fs.table
    # on a sample, the caption counts the filled values among the rows the histograms draw
    many = {"age": list(range(0, 400, 2))}
    small = RunContext(nb.params.model_copy(update={"plot_sample": 100}), nb.folder)
    with_many = dataclasses.replace(fs, extra={**fs.extra, "imputed_rows": many})
    caption = stages.features.distributions(small, with_many)
    drawn = seen["table"].sample(n=100, random_state=small.params.seed)  # as distributions_figure draws them
    # "of the sample": Telco's caption said 6 beside a note of 11 filled in all
    assert f"the {int(drawn['age'].isna().sum())} values of the sample filled in where one was missing are left out" \
        in caption.data
    assert 30 < drawn["age"].isna().sum() < 70
    transformed = stages.features.transformed_distributions(small, with_many).data
    assert "filled in where one was missing included" in transformed
    none = dataclasses.replace(fs, extra={**fs.extra, "imputed_rows": {}})
    assert "included" not in stages.features.transformed_distributions(small, none).data
    # what was done, read from the fitted transformer: the skewed measures it logged, then the scaling
    _, fitted = stages.features._transformed(small, with_many)
    logged = [c for est, cols in stages.features._parts(fitted) if hasattr(est, "transformed_")
              for c, chosen in zip(cols, est.transformed_) if chosen]
    assert logged and "on a log scale, then each measure standardised (mean 0, standard deviation 1)" in transformed
    # skew: none (the Mall's params) is scaled only: its caption said "after the skew transform"
    unskewed = RunContext(small.params.model_copy(update={"skew": "none"}), nb.folder)
    assert "The same measures as the clustering compares them: each measure standardised (mean 0, standard " \
           "deviation 1)" in stages.features.transformed_distributions(unskewed, none).data


def test_new_customers_sources(run, tmp_path):
    nb, fs, _ = run
    fresh = stages.score.new_rows(nb)
    assert len(fresh) == nb.params.score_rows and fresh["customer_id"].str.startswith("N").all()
    assert stages.score._scored_label(nb, fresh) == "New customers"  # generated rows are new
    path = tmp_path / "new.csv"
    fresh.head(3).to_csv(path, index=False)
    other = RunContext(params_from_mapping({**nb.params.model_dump(), "score_path": str(path)}), nb.folder)
    assert len(stages.score.new_rows(other)) == 3


# ------------------------------------------------------------------------------------- explorer
def test_explorer_predicts_like_the_model(run):
    nb, fs, seg = run
    ex = CustomerExplorer.from_run(nb.folder.path)
    assert set(ex.defaults) == set(fs.columns)
    first = fs.table.iloc[[0]]
    values = {c: (first[c].iloc[0] if c != "signup_date" else first["days_since_signup_date"].iloc[0])
              for c in fs.columns}
    values = {c: str(v) if isinstance(v, str) or c in ("gender", "region", "preferred_category") else v
              for c, v in values.items()}
    got = ex.predict(values)
    assert got["segment_code"] == seg.profile.codes[int(seg.labels.iloc[0])]
    assert 0 <= got["confidence"] <= 1 and got["distance_to_centre"] >= 0
    box = ex.widget()
    assert len(box.children) == len(fs.columns) + 1
    box.children[0].value = box.children[0].max  # moving a slider updates the answer
    assert "would join" in box.children[-1].value


def test_explorer_is_a_note_unless_interactive(run):
    nb, _, _ = run
    assert "interactive: true" in stages.score.explorer(nb).data
    on = RunContext(params_from_mapping({**nb.params.model_dump(), "interactive": True}), nb.folder)
    bundle = stages.score.explorer(on)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "JupyterLab" in bundle["text/html"]


# ------------------------------------------------------------------------------------ real tables
@pytest.mark.shared_data
@pytest.mark.parametrize("fixture, k", [("mall_csv", 2), ("mall_csv", 5), ("mall_csv", 6), ("ethiopian_csv", 2),
                                        ("ethiopian_csv", 4)])
def test_real_tables_get_unique_lexicon_names(fixture, k, request, tmp_path):
    path = request.getfixturevalue(fixture)
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path), "k": k, "bootstrap": 2,
                                  "skew": "none"})
    nb = RunContext(params, RunFolder(tmp_path).ensure())
    stages.eda.clean(nb, stages.eda.load(nb))
    stages.features.build_features(nb)
    seg = stages.profile.segment(nb)
    names = list(seg.profile.names.values())
    assert len(names) == k == len(set(names))
    assert not any(ch.isdigit() for n in names for ch in n)
    words = {"Young", "High", "Spenders", "Affluent", "Savers", "Budget", "Lower-Income", "Seniors", "Older", "Careful",
             "Cautious", "Thrifty", "Enthusiasts", "Shoppers", "Professionals"}
    assert all(words & set(n.replace("(", " ").replace(")", " ").split()) for n in names)


def test_a_table_of_categories_only_is_profiled_named_and_shown_by_its_levels_in_words(tmp_path):
    # COUNT's affairs, every column a 0/1 level: 05_profile stopped on an index heatmap of no measure with a raw
    # "zero-size array to reduction operation fmin"; its names read "Customers with hapavg 1", its cards "Hapavg: 0: 0%
    # (index 0)" beside "Hapavg: 1: 100% (index 310)", its sentences "hapavg: more often yes" and "hapavg more often"
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 60)
    table = pd.DataFrame({"id": np.arange(180), "kids": (group == 0) | (rng.random(180) < 0.1),
                          "car": (group == 1) | (rng.random(180) < 0.1), "pet": (group == 2),
                          "region": np.where(rng.random(180) < 0.5, "North", "South")})
    path = tmp_path / "levels.csv"
    table.astype({c: int for c in ("kids", "car", "pet")}).to_csv(path, index=False)
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path), "id_col": "id", "k": 3,
                                  "bootstrap": 2})
    nb = RunContext(params, RunFolder(tmp_path / "run").ensure())
    stages.eda.clean(nb, stages.eda.load(nb))
    fs = stages.features.build_features(nb)
    seg = stages.profile.segment(nb)
    # one share per yes/no column, its yes; both levels of another category
    assert sorted(fs.profiled) == ["car: 1", "kids: 1", "pet: 1", "region: North", "region: South"]
    assert fs.label_map(["kids: 1", "region: North"]) == {"kids: 1": "Kids: yes", "region: North": "Region: North"}
    by_kids = {seg.labels[table["id"].astype(str)[group == g]].mode()[0] for g in range(3)}
    assert len(by_kids) == 3  # the three planted groups found
    names = sorted(seg.profile.names.values())
    assert names == ["Customers with car", "Customers with kids", "Customers with pet"]
    assert not any(re.search(r"\b[01]\b", s) for s in seg.explanation.drivers.values())
    kids = next(s for s, n in seg.profile.names.items() if n == "Customers with kids")
    said = seg.explanation.drivers[kids]
    assert said.count("kids") == 1 and "a higher share with kids" in said  # not again as the share "kids more often"
    for s in seg.profile.segments:  # a column of two levels gives one fact, the level above average
        region = [f for f in seg.profile.key_facts(s, n=10) if f["feature"].startswith("region: ")]
        assert len(region) == 1 and region[0]["zscore"] >= 0, region
        assert "region: " not in seg.profile.descriptions[s]  # "a share of region North", as of any other level
    shown = stages.profile.shown_features(seg)
    assert set(shown) == set(fs.profiled)
    assert stages.profile.index_figure(seg).data.count("<img") == 1
    for said in (stages.profile.stats_table(seg), stages.profile.distributions(nb, seg)):
        assert "built from categories only" in said.data and "Categories in each segment" in said.data
    wide = stages.profile.categorical_profile(nb, seg)  # where the note points: every column's levels, per segment
    assert len(wide) == 8 and {"Kids", "Car", "Pet", "Region"} <= set(wide["Category"])


def test_feature_set_label_map_uses_short_labels_and_falls_back_to_names():
    from segkit.featureset import FeatureSet

    fs = FeatureSet(table=pd.DataFrame({"recency": [1, 2], "odd": [3, 4]}), columns=["recency"],
                    labels={"recency": "Days since the customer's last purchase"},
                    short={"recency": "Days since last purchase"})
    assert fs.label_map() == {"recency": "Days since last purchase", "odd": "odd"}
    assert fs.label_map(["recency"]) == {"recency": "Days since last purchase"}


def test_a_table_of_categories_only_is_profiled_by_level_shares():
    # no numeric column: profiling used to stop with "columns is empty"; now each level's share is profiled
    import segkit

    rng = np.random.default_rng(0)
    n = 600
    group = rng.integers(0, 3, n)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(n)],
                       "region": np.where(group == 0, rng.choice(list("NS"), n), rng.choice(list("EW"), n)),
                       "plan": np.where(group == 1, "pro", rng.choice(["basic", "plus"], n)),
                       "channel": np.where(group == 2, "store", "web")})
    result = segkit.segment_table(df, data_kind="customers", id_col="id", k=3, seed=0)
    assert "channel: store" in result.profiles.features and "plan: pro" in result.profiles.features
    shares = result.profiles.means["channel: store"]
    assert shares.between(0, 1).all() and shares.max() == 1.0  # one segment holds every store customer
    assert any("share of customers with each category level" in n for n in result.features.notes)
    names = list(result.profiles.names.values())
    assert len(set(names)) == 3 and "Customers with channel store" in names


def test_categories_table_says_yes_and_no_for_a_0_1_category(tmp_path):
    """A 0/1 category reads no/yes in the categories table, as in the cards' sentences ("more often yes")."""
    table = generate_customers(300, seed=3)
    table["is_member"] = (table["income"] > table["income"].median()).astype(int)
    path = tmp_path / "members.csv"
    table.to_csv(path, index=False)
    folder = RunFolder(tmp_path / "run").ensure()
    params = _params(data_path=str(path), k=3, bootstrap=2, sample_size=300, roles={"is_member": "categorical"})
    folder.path.joinpath("params.json").write_text(json.dumps(params.model_dump()))
    nb = RunContext(params, folder)
    stages.eda.clean(nb, stages.eda.load(nb))
    fs = stages.features.build_features(nb)
    wide = stages.profile.categorical_profile(nb, stages.profile.segment(nb))
    start = list(wide["Category"]).index(fs.label("is_member"))
    member = wide.iloc[start:start + 2]
    assert sorted(member["Level"]) == ["no", "yes"]


def test_the_profile_leaves_out_the_values_the_features_filled_in():
    """Blank totals (new customers) are filled with the median to fit the model, but the segments' figures are the
    observed values only: the low group's mean and maximum total are its own, not lifted by the median."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(0)
    low = pd.DataFrame({"tenure": rng.integers(0, 3, 40), "monthly": rng.uniform(20, 25, 40),
                        "visits": rng.integers(1, 3, 40), "total": rng.uniform(10, 20, 40)})
    low.loc[:14, "total"] = np.nan  # 15 customers too new to have a total
    high = pd.DataFrame({"tenure": rng.integers(50, 60, 40), "monthly": rng.uniform(90, 99, 40),
                         "visits": rng.integers(20, 30, 40), "total": rng.uniform(5000, 6000, 40)})
    df = pd.concat([low, high], ignore_index=True).assign(id=[f"c{i}" for i in range(80)])
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3)
    prof = seg.profile
    small = int(prof.means["tenure"].idxmin())
    assert prof.means.loc[small, "total"] == pytest.approx(low["total"].mean())
    stats = prof.stats.set_index(["segment", "feature"])
    assert stats.loc[(small, "total"), "max"] == pytest.approx(low["total"].max())


def test_outcome_columns_are_known_by_their_name_and_two_values():
    from segkit.kinds.customers.roles import role_table

    n = 40
    df = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "age": np.arange(n) % 17 + 20,
                       "Churn": np.where(np.arange(n) % 3 == 0, "Yes", "No"), "Exited": np.arange(n) % 2,
                       "y": np.where(np.arange(n) % 4 == 0, "yes", "no"), "target": np.arange(n) % 5 == 0,
                       "churn_status": ["active", "churned", "paused", "active"] * (n // 4),
                       "default": np.where(np.arange(n) % 6 == 0, "yes", "no"),
                       "label": ["a", "b", "c", "d", "e"] * (n // 5), "tier_label": ["gold", "silver"] * (n // 2),
                       "Response": np.where(np.arange(n) % 3 == 0, 1, 2)})
    df["Label"] = df.pop("tier_label")  # a generic name with two values that are no yes/no: a feature
    roles = dict(role_table(df, id_col="id")[["column", "role"]].values.tolist())
    assert {c: roles[c] for c in ("Churn", "Exited", "y", "target")} == dict.fromkeys(("Churn", "Exited", "y",
                                                                                       "target"), "outcome")
    # three levels: not a yes/no outcome; "default" (has credit in default) is the customer's, not an outcome
    assert (roles["churn_status"], roles["default"], roles["label"]) == ("categorical", "boolean", "categorical")
    assert (roles["Label"], roles["Response"]) == ("categorical", "boolean")  # gold/silver, 1/2: not yes/no
    # modeldata's credit table: Status good/bad is how the loan turned out, whatever the column's name; a third level
    # ("unknown") or other words ("gold"/"silver" above) keep a column a feature
    judged = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "age": np.arange(n) % 17 + 20,
                           "Status": np.where(np.arange(n) % 4 == 0, "bad", "good"),
                           "Rating": ["Good", "Bad", "Good", "unknown"] * (n // 4)})
    roles = dict(role_table(judged, id_col="id")[["column", "role"]].values.tolist())
    assert (roles["Status"], roles["Rating"]) == ("outcome", "categorical")
    # a study's death (NHEFS: 0/1) is what happened to the participant, bad news; "dead_stock" of 3 levels is no outcome
    from segkit.kinds.customers import _good_outcome
    study = pd.DataFrame({"id": range(n), "age": np.arange(n) % 17 + 20, "death": np.arange(n) % 4 == 0,
                          "survived": np.where(np.arange(n) % 3 == 0, "yes", "no"), "dead_stock": np.arange(n) % 3})
    roles = dict(role_table(study, id_col="id")[["column", "role"]].values.tolist())
    assert (roles["death"], roles["survived"], roles["dead_stock"]) == ("outcome", "outcome", "numeric")
    died = np.where(np.arange(n) % 4, "Alive", "Dead")
    whickham = pd.DataFrame({"id": range(n), "age": np.arange(n) % 50 + 18, "outcome": died})
    assert role_table(whickham, id_col="id").set_index("column").at["outcome", "role"] == "outcome"  # not a trait
    assert (_good_outcome("death"), _good_outcome("survived")) == (False, True)


@pytest.mark.parametrize("name, yes, no", [("Gekündigt", "ja", "nein"), ("Résilié", "oui", "non"),
                                          ("cancelado", "sí", "no"), ("Cancelled", "Yes", "No"),
                                          ("Disdetta", "si", "no"), ("opgezegd", "ja", "nee")])
def test_outcomes_and_yes_no_in_other_languages(name, yes, no):
    """A German table's "Gekündigt" (ja/nein: cancelled) built the segments as a category with no word said."""
    from segkit.kinds.customers import _good_outcome
    from segkit.kinds.customers.features import outcome_share
    from segkit.kinds.customers.roles import role_table

    n = 40
    df = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "age": np.arange(n) % 17 + 20,
                       name: np.where(np.arange(n) % 3 == 0, no, yes),
                       "Newsletter": np.where(np.arange(n) % 2, no, yes)})
    roles = dict(role_table(df, id_col="id")[["column", "role"]].values.tolist())
    assert (roles[name], roles["Newsletter"]) == ("outcome", "boolean")
    share, level = outcome_share(df[name])
    assert level == yes and share.sum() == 26  # the yes happened, though the rarer level is the no
    assert _good_outcome(name) is False  # a cancellation is bad news
    assert _good_outcome("unsubscribed") is False and _good_outcome("subscribed") is True


def test_an_outcome_is_shown_per_segment_and_never_builds_or_explains_them():
    from segkit.pipeline import driver_columns, segment_table

    rng = np.random.default_rng(1)
    groups = np.repeat([0, 1], 40)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(80)], "tenure": np.where(groups, 60, 2) + rng.uniform(0, 3, 80),
                       "monthly": np.where(groups, 90, 20) + rng.uniform(0, 5, 80),
                       "Churn": np.where((groups == 0) & (np.arange(80) % 2 == 0), "Yes", "No")})
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3)
    fs = seg.features
    assert "Churn" not in fs.columns and "Churn" not in driver_columns(fs) and fs.extra["outcomes"] == ["Churn"]
    assert fs.labels["Churn"] == "Churn (Yes)" and fs.units["Churn"] == "share" and fs.better == {"Churn": False}
    new = seg.profile.means["tenure"].idxmin()
    assert seg.profile.means.loc[new, "Churn"] == 0.5 and seg.profile.means.loc[1 - new, "Churn"] == 0.0
    assert all("churn" not in str(v).lower() for v in seg.profile.names.values())  # an outcome names no segment
    bank = df.rename(columns={"Churn": "y"}).assign(y=lambda d: d["y"].str.lower())
    fs = segment_table(bank, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3).features
    assert fs.labels["y"] == "Outcome (yes)"  # "Outcome y (yes)" before: "y" is no word for a reader
    died = df.rename(columns={"Churn": "death"}).assign(death=lambda d: (d["death"] == "Yes").astype(int))
    fs = segment_table(died, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3, roles={"death": "outcome"})
    assert fs.features.labels["death"] == "Death (yes)"  # NHEFS's "Death (1)" on the index and the cards
    assert any(n.startswith("death says what happened to the customers (yes: 25% of them)") for n in fs.features.notes)
    coded = died.assign(death=lambda d: d["death"] + 1)  # 1 and 2: which one happened, the data does not say
    fs = segment_table(coded, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3, roles={"death": "outcome"})
    assert fs.features.labels["death"] == "Death (1)"


def test_a_category_level_that_defines_a_segment_is_in_its_name():
    """The Mall table's "Older Customers" and "Careful Older Customers" were all women and all men, and a telco
    segment that was all DSL was "Customers with low total charges": the numbers alone named them."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(3)
    group = np.repeat([0, 1, 2], 60)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(180)],
                       "tenure": np.array([5.0, 30.0, 60.0])[group] + rng.uniform(0, 3, 180),
                       "monthly": np.array([90.0, 50.0, 60.0])[group] + rng.uniform(0, 5, 180),
                       "internet": np.where(group == 0, "Fiber optic", np.where(np.arange(180) % 2, "DSL", "No")),
                       "plan_tier": np.where(group == 1, "3", "1"),  # defines segment 1, but a name has no numbers
                       "paperless": np.where(group == 2, "No", "Yes"),
                       "Churn": np.where(group == 0, "Yes", "No")})  # an outcome names no segment
    seg = segment_table(df, data_kind="customers", id_col="id", k=3, seed=0, bootstrap=3)
    names = {seg.profile.means["tenure"].rank().astype(int)[s]: n for s, n in seg.profile.names.items()}
    assert names[1].endswith(" (internet: Fiber optic)") and "churn" not in names[1].lower()
    assert names[3].endswith(" (paperless: No)")  # held by a third of the rows
    assert "(" not in names[2]  # its only defining level is a number; DSL is half of it
    assert len(set(names.values())) == 3


def test_defining_levels_count_missing_values_and_skip_tiny_segments_and_long_levels():
    from segkit.featureset import FeatureSet
    from segkit.kinds.customers.naming import defining_levels

    n = 40
    table = pd.DataFrame({
        "tier": ["A"] * 20 + [None] * 20,  # A is 100% of the first segment and half of all rows (83% of those filled)
        "plan": ["Premium household bundle with streaming and mobile"] * 20 + ["Basic"] * 20,
        "segment_type": ["Business Customers"] * 20 + ["Home"] * 20,
        "region": ["North"] * 2 + ["South"] * 38})
    fs = FeatureSet(table, columns=[], extra={"categorical": list(table.columns)})
    labels = np.r_[np.zeros(20, int), np.ones(18, int), [2, 2]]
    found = defining_levels(fs, labels)
    assert found[0] == "tier: A"  # not the 51-character plan; a segment of two is defined by nothing (North)
    assert found[1] in {"plan: Basic", "segment type: Home"} and 2 not in found
    assert defining_levels(fs, labels, exclude=["tier", "plan"])[0] == "segment type: Business Customers"


def test_a_level_is_in_brackets_unless_the_name_says_it_as_a_word():
    from segkit.kinds.customers.naming import _with_level
    from segkit.naming import SegmentName

    pro = SegmentName("Young Professionals", "Young customers with high income.", None)
    assert _with_level(pro, "plan: Pro", "Typical Customers").name == "Young Professionals (plan: Pro)"
    female = SegmentName("Female Young High Spenders", "Young women who spend.", None)
    assert _with_level(female, "gender: Female", "Typical Customers") == female
    assert _with_level(female, "gender: Male", "Typical Customers").name.endswith("(gender: Male)")
    typical = SegmentName("Typical Customers", "Close to the average customer on every measure.", None)
    west = _with_level(typical, "region: West", "Typical Customers")
    assert (west.name, west.description) == ("Typical Customers (region: West)", "Close to the average customer on "
                                             "every measure, apart from their region: West.")


def test_a_gender_level_is_said_as_the_people_it_stands_for():
    """The Mall customers' "Older Customers (gender: Female)" beside "Older Customers (gender: Male)": the noun
    becomes the people ("Older Women"), a name of other words takes them in brackets ("Affluent Savers (men)")."""
    from segkit.kinds.customers.naming import _with_level
    from segkit.naming import SegmentName

    def named(name, level, typical="Typical Customers", description="Customers aged 50 or more."):
        out = _with_level(SegmentName(name, description, None), level, typical)
        return out.name, out.description

    assert named("Older Customers", "women")[0] == "Older Women"
    assert named("Older Members", "men", "Typical Members")[0] == "Older Men"
    # ISLR's Default: "Lower-Income Customers with low balance (students)", the noun before the plain words
    assert named("Lower-Income Customers with low balance", "students")[0] == "Lower-Income Students with low balance"
    assert named("Customers with many cards", "women")[0] == "Women with many cards"
    assert named("Customers with many cards", "daily visitors")[0] == "Customers with many cards (daily visitors)"
    assert named("Affluent Savers", "men")[0] == "Affluent Savers (men)"
    assert named("Female Young High Spenders", "women")[0] == "Female Young High Spenders"  # says it already
    assert named("Female Young High Spenders", "men")[0] == "Female Young High Spenders (men)"  # "male" in "Female"
    assert named("Women Who Save", "women")[0] == "Women Who Save"
    assert named("Young High Spenders", "daily visitors")[0] == "Young High Spenders (daily visitors)"
    assert named("Daily Shoppers", "daily visitors")[0] == "Daily Shoppers"  # says it already
    # a word of a column's level in the name is not the level: "High" of "High school", "New" of "New York"
    assert named("Young High Spenders", "education: High school")[0] == ("Young High Spenders (education: High "
                                                                          "school)")
    assert named("New Young Shoppers", "city: New York")[0] == "New Young Shoppers (city: New York)"
    assert named("Typical Customers", "women", description="Close to the average customer on every measure.") == (
        "Typical Women", "Close to the average customer on every measure, apart from being women.")


# One constructed table per way a gender column is written: its name and its two words (female first).
_GENDER_COLUMNS = [("Genre", "Female", "Male"), ("gender", "Female", "Male"), ("Sex", "F", "M"),
                   ("Sexe", "Femme", "Homme"), ("Geschlecht", "w", "m"), ("customer_gender", "FEMALE", "MALE"),
                   ("Género", "Mujer", "Hombre")]


@pytest.mark.parametrize("column, female, male", _GENDER_COLUMNS)
def test_segments_cut_by_gender_are_named_women_and_men(column, female, male):
    """Two groups of older, low-spending customers, one all women and one all men, beside young high spenders of
    both: the names and the driver sentences say women and men, never "gender: Female" or the column's own word."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(1)
    group = np.repeat([0, 1, 2], 60)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(180)],
                       "age": np.where(group == 0, 25, 62) + rng.uniform(0, 4, 180),
                       "spend": np.where(group == 0, 900, 120) + rng.uniform(0, 40, 180),
                       column: np.where(group == 1, female, np.where(group == 2, male,
                                                                     np.where(np.arange(180) % 2, female, male)))})
    seg = segment_table(df, data_kind="customers", id_col="id", k=3, seed=0, bootstrap=3)
    cards = {card["segment"]: card for card in seg.cards()}
    women, men = (cards[seg.labels[f"c{i}"]]["name"] for i in (60, 120))
    assert re.search(r"\bWomen\b|\(women\)", women) and re.search(r"\bMen\b|\(men\)", men), (women, men)
    sentences = " ".join(card["drivers"] for card in cards.values())
    assert "a higher share of women (100% vs 50% overall)" in sentences, sentences
    shown = f"{women} {men} {sentences}"
    assert not re.search(rf"(?i)gender|{column}|more often (Female|Male)", shown), shown


@pytest.mark.parametrize("column, labels, people", [
    ("gender", {"gender": "Gender (self-reported)"}, True),  # a note in the label's brackets: still the customers'
    ("partner_gender", {}, False), ("Child gender", {}, False),  # someone else's gender: the level as it is
])
def test_only_the_customers_own_gender_is_said_as_people(column, labels, people):
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(1)
    group = np.repeat([0, 1, 2], 60)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(180)],
                       "age": np.where(group == 0, 25, 62) + rng.uniform(0, 4, 180),
                       "spend": np.where(group == 0, 900, 120) + rng.uniform(0, 40, 180),
                       column: np.where(group == 1, "Female", np.where(group == 2, "Male",
                                                                       np.where(np.arange(180) % 2, "Female", "Male")))})
    seg = segment_table(df, data_kind="customers", id_col="id", k=3, seed=0, bootstrap=3, labels=labels)
    cards = {card["segment"]: card for card in seg.cards()}
    women = cards[seg.labels["c60"]]
    said = f"{women['name']} {women['drivers']}"
    assert ("a higher share of women (100% vs 50% overall)" in said) == people, said
    assert bool(re.search(r"\bWomen\b|\(women\)", women["name"])) == people, said


# How often customers come and the tier of their membership, as tables write them: (column, level, the people said).
_PEOPLE_CORPUS = [("visit_frequency", "Daily", "daily visitors"), ("VisitFrequency", "Weekly", "weekly visitors"),
                  ("Visits frequency", "monthly", "monthly visitors"), ("store_visit_frequency", "Rarely", "rare visitors"),
                  ("frequency_of_visits", "Often", "frequent visitors"), ("Shopping frequency", "Bi-weekly",
                                                                           "biweekly shoppers"),
                  ("purchase_frequency", "Occasionally", "occasional buyers"), ("Frequency of purchases", "Yearly",
                                                                                  "yearly buyers"),
                  ("order_frequency", "QUARTERLY", "quarterly buyers"), ("login_frequency", "daily", "daily users"),
                  ("membership_tier", "Platinum", "Platinum members"), ("MembershipTier", "GOLD", "Gold members"),
                  ("loyalty_status", "Silver", "Silver members"), ("Tier", "vip", "VIP members"),
                  ("membership", "Premium", "Premium members"), ("Loyalty tier (2024)", "Bronze", "Bronze members")]
# Look-alikes that keep "column: level": a frequency of something else, a level that is no frequency or no tier.
_NOT_PEOPLE = [("payment_frequency", "Monthly"), ("billing_frequency", "Monthly"), ("frequency", "Daily"),
               ("visit_frequency", "3-5 times"), ("visit_frequency", "Never"), ("product_tier", "Gold"),
               ("membership_tier", "Tier 2"), ("membership_status", "Active"), ("subscription_plan", "Premium"),
               ("card_type", "Gold"), ("contract", "Monthly"), ("region", "Gold"), ("customer_type", "Standard"),
               ("customer_class", "Basic")]


@pytest.mark.parametrize("column, level, said", _PEOPLE_CORPUS)
def test_how_often_customers_come_and_their_tier_are_said_as_people(column, level, said):
    from segkit.naming.people import people
    from segkit.naming.words import default_label

    assert people(default_label(column), level) == said


def test_a_driver_sentence_says_the_people_a_level_stands_for():
    from segkit.drivers import _Levels

    levels = _Levels(pd.Series(["Daily"] * 6 + ["Weekly", "Monthly"] * 6))
    in_seg = np.arange(18) < 6
    assert levels.clause(in_seg, "Visit frequency") == "a higher share of daily visitors (100% vs 33% overall)"
    assert levels.clause(in_seg, "Payment frequency") == "payment frequency: more often Daily (100% vs 33% overall)"


@pytest.mark.parametrize("column, level", _NOT_PEOPLE)
def test_other_frequencies_and_levels_are_not_said_as_people(column, level):
    from segkit.naming.people import people
    from segkit.naming.words import default_label

    assert people(default_label(column), level) is None


def test_segments_defined_by_visit_frequency_and_tier_name_the_people():
    """The Ethiopian supermarket's "Young High Spenders (visit frequency: Daily)" and "Affluent Savers (membership
    tier: Platinum)": in names and driver sentences, "daily visitors" and "Platinum members"."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(2)
    group = np.repeat([0, 1, 2], 60)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(180)],
                       "age": np.where(group == 0, 25, 62) + rng.uniform(0, 4, 180),
                       "spend": np.where(group == 1, 120, 900) + rng.uniform(0, 40, 180),
                       "visit_frequency": np.where(group == 0, "Daily", np.where(np.arange(180) % 2, "Weekly",
                                                                                  "Monthly")),
                       "membership_tier": np.where(group == 2, "Platinum", np.where(np.arange(180) % 2, "Gold",
                                                                                      "Silver"))})
    seg = segment_table(df, data_kind="customers", id_col="id", k=3, seed=0, bootstrap=3)
    cards = {card["segment"]: card for card in seg.cards()}
    daily, platinum = (cards[seg.labels[f"c{i}"]] for i in (0, 120))
    assert daily["name"].endswith("(daily visitors)") and platinum["name"].endswith("(Platinum members)"), (
        daily["name"], platinum["name"])
    shown = " ".join(f"{card['name']} {card['drivers']}" for card in cards.values())
    assert not re.search(r"(?i)visit frequency|membership tier|more often (Daily|Platinum)", shown), shown


@pytest.mark.parametrize("column, levels", [("Genre", ["Jazz", "Rock"]), ("segment", ["Female", "Male"])])
def test_levels_of_a_column_that_is_no_gender_keep_the_columns_words(column, levels):
    """A genre of music, and gender words under a name that does not say gender: "(genre: Jazz)", as any level."""
    from segkit.featureset import FeatureSet
    from segkit.kinds.customers.naming import defining_levels

    table = pd.DataFrame({column: [levels[0]] * 20 + [levels[1]] * 20})
    fs = FeatureSet(table, columns=[], extra={"categorical": [column]})
    assert defining_levels(fs, [0] * 20 + [1] * 20) == {0: f"{column.lower()}: {levels[0]}",
                                                        1: f"{column.lower()}: {levels[1]}"}


def test_a_total_row_labelled_in_the_first_column_is_a_summary_row():
    """'Total,,3500,150' below an export whose first column is the region: removed as a summary row, not as a row
    without an id."""
    df = pd.DataFrame({"region": ["North", "South", "North", "Total"], "customer_id": ["C1", "C2", "C3", None],
                       "spend": [10.0, 20.0, 30.0, 60.0]})
    cleaned, log = pipeline.clean_table(params_from_mapping({"data_kind": "customers", "id_col": "customer_id"}), df)
    assert log["summary_rows"].rows_removed == 1 and log["summary_rows"].note == "Total"
    assert log["missing_id"].rows_removed == 0 and cleaned["customer_id"].tolist() == ["C1", "C2", "C3"]


def test_a_mostly_empty_date_is_neither_profiled_nor_filled_in_the_notes():
    rng = np.random.default_rng(4)
    complaint = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 300, 60), unit="D")
    df = pd.DataFrame({"id": [f"c{i}" for i in range(60)], "age": rng.uniform(20, 70, 60),
                       "spend": rng.uniform(10, 900, 60), "last_complaint": complaint.where(np.arange(60) < 6)})
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    assert fs.columns == ["age", "spend"] and "days_since_last_complaint" not in fs.profiled
    assert not any("days_since_last_complaint" in n and "filled" in n for n in fs.notes)


def test_a_mostly_empty_column_is_left_out_of_the_features_unless_named():
    from segkit import kinds
    from segkit.kinds import customers

    rng = np.random.default_rng(2)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(60)], "age": rng.uniform(20, 70, 60),
                       "spend": rng.uniform(10, 900, 60),
                       "referral": np.where(np.arange(60) < 6, np.where(np.arange(60) % 2, "friend", "ad"), None)})
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    assert fs.columns == ["age", "spend"]
    assert any(n.startswith("referral is 90% empty: left out of the features") for n in fs.notes)
    named = params_from_mapping({"data_kind": "customers", "id_col": "id", "features": ["age", "referral"]})
    assert pipeline.build_features(named, df).columns == ["age", "referral"]
    assert customers.MAX_MISSING_SHARE == kinds.get("customers").schema()["table"]["max_missing_share"]
    warned = [f for f in pipeline.check_input(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
              if f.rule == "missing"]
    # a survey's hrs_work, 52% empty in the file and 47% once its exact copies were removed, was "left out" by the
    # check and used by the run: the fix says what the run does
    assert [(f.column, f.fix) for f in warned] == [("referral", "a number or category column still more than half "
                                                                "empty after the cleaning is left out of the features; "
                                                                "name it in features to keep it")]


def test_the_check_leaves_out_a_total_row_as_the_cleaning_does():
    """A total row's sums ("Total", 31,217 against charges of 20-120) are no extreme value of a customer: the
    cleaning removes the row, so the check does not warn of it either."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(300)], "monthly": rng.uniform(20, 120, 300).round(2),
                       "tenure": rng.uniform(1, 70, 300).round(1)})
    total = pd.DataFrame({"id": ["Total"], "monthly": [df["monthly"].sum()], "tenure": [None]})
    p = params_from_mapping({"data_kind": "customers", "id_col": "id"})
    with_total = pipeline.check_input(p, pd.concat([df, total], ignore_index=True))
    assert [f.message for f in with_total] == [f.message for f in pipeline.check_input(p, df)]


def test_a_feature_that_says_what_another_says_in_other_units_counts_once():
    """A CRM table's tenure in months and its signup date correlate at 1.000: both fed the segments, so tenure
    counted twice in the distances and took two of a card's four key facts."""
    from segkit.kinds import customers

    rng = np.random.default_rng(0)
    n = 300
    days = rng.integers(30, 3000, n)
    raw = pd.DataFrame({"CustomerID": [f"C{i:04d}" for i in range(n)], "TenureMonths": days // 30,
                        "Age": rng.integers(18, 80, n).astype(float), "MonthlySpend": rng.gamma(2, 40, n),
                        "SignupDate": (pd.Timestamp("2024-09-30") - pd.to_timedelta(days, unit="D")).strftime(
                            "%Y-%m-%d"), "Spend copy": 0.0})
    raw["Spend copy"] = raw["MonthlySpend"]
    fs = customers.features(raw, params_from_mapping({"data_kind": "customers", "id_col": "CustomerID"}))
    assert "SignupDate" not in fs.columns and "TenureMonths" in fs.columns and "Spend copy" not in fs.columns
    assert "days_since_SignupDate" not in fs.profile_columns
    r = np.corrcoef(raw["TenureMonths"].rank(), pd.Series(days).rank())[0, 1]  # the days since signup, ranked
    assert r > 0.995 and (f"SignupDate says what TenureMonths says (their ranks correlate at {r:.3f}): left out of "
                          "the features, so that it does not count twice") in " ".join(fs.notes)
    assert "Spend copy equals MonthlySpend in every row: left out" in " ".join(fs.notes)
    # two unrelated columns that one extreme customer lines up (Pearson's r 0.9993) are both kept
    odd = raw.assign(Age=raw["Age"].where(raw.index > 0, 80_000.0),
                     MonthlySpend=raw["MonthlySpend"].where(raw.index > 0, 40_000_000.0))
    assert np.corrcoef(odd["Age"], odd["MonthlySpend"])[0, 1] > 0.995
    kept = customers.features(odd, params_from_mapping({"data_kind": "customers", "id_col": "CustomerID"}))
    assert {"Age", "MonthlySpend"} <= set(kept.columns)
    wanted = customers.features(raw, params_from_mapping({"data_kind": "customers", "id_col": "CustomerID",
                                                          "features": ["TenureMonths", "SignupDate"]}))
    assert wanted.columns == ["TenureMonths", "SignupDate"]  # named in features: kept


def test_a_column_that_says_what_another_says_sets_no_segment_apart():
    """ISLR's Credit: Rating says what Limit says (ranks at 0.996) and was left out of the features and the profile,
    yet 'Affluent Customers' were "set apart mostly by higher rating", a column on no other page; the features page
    called it "profile only". Its twin speaks for it everywhere."""
    from segkit import pipeline
    from segkit.stages.features import feature_overview

    rng = np.random.default_rng(1)
    n = 400
    limit = np.r_[rng.normal(3_000, 600, n // 2), rng.normal(9_000, 900, n // 2)].round()
    raw = pd.DataFrame({"ID": range(1, n + 1), "Income": (limit / 90 + rng.normal(0, 8, n)).round(1),
                        "Limit": limit, "Rating": (limit / 13.4 + rng.normal(0, 4, n)).round(),
                        "Age": rng.integers(20, 90, n), "Cards": rng.integers(1, 7, n)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "ID", "seed": 0})
    fs = pipeline.build_features(params, pipeline.clean_table(params, raw)[0])
    assert "Rating" not in fs.columns and fs.extra["twins"] == {"Rating": "Limit"}
    assert feature_overview(fs).set_index("Column").loc["Rating", "Used for segments"] == "no: Limit says the same"
    # what the rows are, in the corner of the one header row (a row of its own read "400 customers" above empty cells)
    assert "<th>Measure (400 customers)</th>" in feature_overview(fs).to_html().split("</tr>")[0]
    assert "Rating" not in pipeline.driver_columns(fs)
    seg = pipeline.fit_segments(params, fs, 2)
    said = " ".join(seg.explanation.drivers.values())
    assert "rating" not in said.lower() and "limit" in said.lower(), said


def test_a_no_of_a_service_is_said_as_the_service_missing():
    """Telco: "Customers with low monthly charges (internet service: No)", "Set apart mostly by internet service: more
    often No (100% vs 22% overall)". The No of a column of three or more levels is the service missing: "(no internet
    service)", "a higher share with no internet service"; a yes/no column's No may be a person's and keeps "column:
    level"."""
    from segkit import pipeline
    from segkit.drivers import driver_sentence

    rng = np.random.default_rng(2)
    n = 600
    service = np.repeat(["DSL", "Fiber optic", "No"], n // 3)
    charges = np.where(service == "No", rng.normal(20, 2, n), np.where(service == "DSL", rng.normal(55, 5, n),
                                                                       rng.normal(90, 5, n)))
    raw = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "monthly_charges": charges.round(2),
                        "tenure": rng.integers(1, 72, n), "internet_service": service,
                        "student": rng.choice(["Yes", "No"], n)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "seed": 0})
    fs = pipeline.build_features(params, pipeline.clean_table(params, raw)[0])
    labels = pd.Series(np.repeat([0, 1, 2], n // 3), index=fs.table.index)
    said = driver_sentence(fs.table[["internet_service", "monthly_charges"]], labels, 2, ["internet_service"],
                           labels_text={"internet_service": "internet service"})
    assert "a higher share with no internet service (100% vs 33% overall)" in said, said
    seg = pipeline.fit_segments(params, fs, 3)
    names = list(seg.profile.names.values())
    assert any(name.endswith("(no internet service)") for name in names), names
    assert not any("internet service: No" in name or "no student" in name.lower() for name in names), names


def test_a_column_named_no_something_is_no_absence():
    """A review: a level "no show: Yes" was read as an absence ("apart from having no show: Yes")."""
    from segkit.kinds.customers.naming import _with_level
    from segkit.profile import SegmentName

    typical = SegmentName(name="Typical Customers", description="Close to the average.", action="")
    said = _with_level(typical, "no show: Yes", "Typical Customers")
    assert said.name == "Typical Customers (no show: Yes)" and "their no show: Yes" in said.description
    gone = _with_level(typical, "no internet service", "Typical Customers")
    assert gone.description.endswith("apart from having no internet service.")


def test_a_notebook_run_by_hand_reads_a_till_export_without_stock_codes(tmp_path):
    """01 run by hand (no batch before it) stopped on the default StockCode the params never named."""
    from segkit import stages

    path = tmp_path / "till.csv"
    path.write_text("customer_id,date,items,amount\n" + "".join(
        f"{c:04d},2011-{1 + d % 12:02d}-{1 + c % 28:02d},{1 + d % 3},{10 + c % 7 + d:.2f}\n"
        for c in range(1, 41) for d in range(1 + c % 4)))
    ctx = stages.open_run(tmp_path / "run", data_kind="transactions", data_path=str(path), customer_col="customer_id",
                          invoice_col=None, date_col="date", quantity_col="items", amount_col="amount")
    raw = stages.eda.load(ctx)
    assert len(raw) == sum(1 + c % 4 for c in range(1, 41))
    assert (ctx.params.stock_code_col, ctx.params.country_col) == (None, None)


def test_a_feature_one_value_fills_is_said_to_set_apart_little():
    """A trial's CRM table: 98.6% of customers in 'US', used as a feature with no word on the page."""
    rng = np.random.default_rng(5)
    n = 200
    df = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "age": rng.uniform(20, 70, n),
                       "spend": rng.uniform(10, 900, n), "country": ["US"] * 197 + ["CA"] * 3,
                       "plan": rng.choice(["basic", "pro"], n), "seats": [1] * 192 + [2] * 8})
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    said = [n for n in fs.notes if "can set apart only a small group" in n]
    assert said == ["country: 98.5% of customers have 'US'; it can set apart only a small group, or none.",
                    "seats: 96.0% of customers have 1; it can set apart only a small group, or none."]
    assert "country" in fs.columns  # said, not left out


def test_a_year_column_is_a_calendar_year_not_a_thousands_number():
    """A marketing table's Year_Birth read "1,976" on the features page."""
    from segkit.format import format_value

    rng = np.random.default_rng(6)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(80)], "Year_Birth": rng.integers(1940, 2000, 80),
                       "Income": rng.uniform(20_000, 90_000, 80), "years_as_member": rng.integers(1, 9, 80)})
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    assert fs.units["Year_Birth"] == "year" and fs.units.get("years_as_member") == "years"
    assert format_value(float(fs.table["Year_Birth"].median()), fs.units["Year_Birth"]).isdigit()
    # hotel_rates' arrival_date_num, a date as a decimal year (2016.5), read "2,017"; a price of 1,900 to 2,050 is none
    dated = df.assign(arrival_date_num=rng.integers(2015, 2018, 80) + rng.choice([0.0, 0.25, 0.5], 80),
                      price=rng.uniform(1_900, 2_050, 80))
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), dated)
    assert fs.units["arrival_date_num"] == "year" and format_value(2016.5, "year") == "2016"
    assert fs.units.get("price") != "year"


def test_a_blank_that_means_zero_is_named_only_where_the_other_column_is_zero_mostly_there():
    """Total charges blank where tenure is 0 (and tenure 0 nowhere else) earn the note naming fill; a column that
    is 0 in most rows (complaints, listed first) says nothing of the gaps, nor do three blanks that happen to fall
    on its zeros."""
    rng = np.random.default_rng(0)
    n = 400
    tenure = np.r_[np.zeros(8, int), rng.integers(1, 72, n - 8)]
    raw = pd.DataFrame({"customer_id": [f"T{i:04d}" for i in range(n)],
                        "complaints": np.where(np.arange(n) % 10 == 9, 1 + np.arange(n) % 3, 0), "tenure": tenure,
                        "monthly": rng.gamma(3, 20, n)})
    raw["total"] = np.where(tenure == 0, np.nan, raw["monthly"] * tenure)
    raw["income"] = rng.gamma(3, 10_000, n)
    raw.loc[[1, 2, 3], "income"] = np.nan  # complaints is 0 there, as in 90% of rows
    notes = kind.features(raw, _params(id_col="customer_id")).notes
    hints = [s for s in notes if "if a blank means 0 there" in s]
    assert hints == [next(s for s in notes if s.startswith("total: 8 missing values filled with the median"))]
    assert hints[0].endswith("Every one is in a row where tenure is 0: if a blank means 0 there, set fill: {total: 0}.")


def test_features_that_cannot_feed_the_segments_are_named_with_their_role():
    """features: [day] on a table whose day of the month is left out said only "id, text, constant or near-unique
    columns cannot feed the segments": each column now says its role, or that it is not a column."""
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"customer_id": [f"K{i:03d}" for i in range(200)], "day": rng.integers(1, 32, 200),
                        "balance": rng.normal(1_000, 300, 200)})
    with pytest.raises(ParamsError, match=r"features lists 'day' \(ignore\), 'nope' \(not a column\), which are not "
                                          r"feature columns") as err:
        kind.features(raw, _params(id_col="customer_id", features=["day", "nope", "balance"]))
    assert err.value.key == "features" and "choose from: balance" in err.value.fix


def test_a_date_labelled_in_the_params_gives_its_days_since_the_same_words():
    """labels: {Letzter Besuch: last visit} still named a segment "Members with many days since letzter besuch"."""
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"id": [f"a{i}" for i in range(200)], "spend": rng.gamma(2, 30, 200),
                        "Letzter Besuch": pd.date_range("2024-01-01", periods=200).strftime("%d.%m.%Y")})
    fs = kind.features(raw, _params(id_col="id", labels={"Letzter Besuch": "last visit"}))
    assert fs.labels["days_since_Letzter Besuch"] == "Days since last visit"
    assert kind.features(raw, _params(id_col="id")).labels["days_since_Letzter Besuch"] == "Days since letzter besuch"


def test_yes_in_other_languages_only_for_a_pair_of_levels():
    """"ja" is yes beside "nein", but Japanese in a column of languages; "si" is no yes among country codes."""
    from segkit.featureset import FeatureSet
    from segkit.kinds.customers.naming import category_zscores

    table = pd.DataFrame({"Newsletter": ["ja", "nein"] * 6, "language": ["ja", "en", "de"] * 4})
    fs = FeatureSet(table, columns=[], extra={"categorical": ["Newsletter", "language"]})
    _, words = category_zscores(fs, [0, 1] * 6)
    assert words["Newsletter: ja"].label == "Newsletter: yes" and words["Newsletter: nein"].label == "Newsletter: no"
    assert words["language: ja"].high == "ja" and words["language: de"].high == "de"


def test_a_level_the_name_already_says_does_not_tell_segments_apart():
    """Two segments high on income and spend, one of them all on plan "Premium": "Premium Spenders" says the level's
    word, so the level is not added, and the two were both "Premium Spenders". Their measures barely differ, so they
    are named by their levels too (``TELLS_APART``): the all-Premium one by its plan."""
    from segkit.profile import profile_segments

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 30)
    plan = np.where(labels == 0, "Premium", np.where(labels == 1, rng.choice(["Basic", "Plus"], 90), "Basic"))
    table = pd.DataFrame({"id": [f"c{i}" for i in range(90)],
                          "income": np.where(labels < 2, 90, 30) + rng.normal(0, 1, 90),
                          "spend": np.where(labels < 2, 900, 100) + rng.normal(0, 5, 90), "plan": plan,
                          "age": 30 + rng.normal(0, 1, 90) + 0.3 * (labels == 1)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id"})
    cleaned, _ = kind.clean(table, params)
    fs = kind.features(cleaned, params)
    profile = profile_segments(fs.table, pd.Series(labels, index=fs.table.index), columns=fs.profiled)
    names = [v.name for v in kind.name_segments(profile, fs, params, labels=labels).values()]
    # the two differ in their plan alone (income by 0.01 standard deviations): the all-Premium one is named by it
    assert len(set(names)) == 3 and names[0] == "Affluent Premium Customers", names


# ------------------------------------------------------------------------------------ words that match the ages
def _planted_names(tmp_path, groups: dict[str, tuple[float, float]], age: str = "age",
                   per_year: int = 1) -> dict[str, tuple[str, float]]:
    """Name the segments of a table of planted groups (name -> (age in years, income), 80 customers each, tight
    spreads), the age in column ``age`` counted ``per_year`` to a year: each planted group -> (its segment's name,
    the segment's mean age, in the column's units)."""
    rng = np.random.default_rng(3)
    parts = [pd.DataFrame({"customer_id": [f"{g}{i}" for i in range(80)],
                           age: (rng.normal(years, 1.5, 80) * per_year).round(),
                           "income": rng.normal(income, 2_000, 80).round()}) for g, (years, income) in groups.items()]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "customers.csv"
    pd.concat(parts).to_csv(path, index=False)
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path), "id_col": "customer_id",
                                  "k": len(groups), "bootstrap": 2, "skew": "none"})
    nb = RunContext(params, RunFolder(tmp_path / "run").ensure())
    stages.eda.clean(nb, stages.eda.load(nb))
    fs = stages.features.build_features(nb)
    seg = stages.profile.segment(nb)
    out = {}
    for g in groups:
        label = int(seg.labels[fs.table.index.astype(str).str.startswith(g)].mode()[0])
        out[g] = (seg.profile.names[label], float(fs.table[age][seg.labels.to_numpy() == label].mean()))
    return out


def test_seniors_are_sixty_or_older_not_the_oldest_of_a_young_table(tmp_path):
    """A trial's February table named its 44-year-olds "Affluent Seniors": the oldest and richest of young
    customers. Seniors need an average of 60 (at_least), "Older" one of 45 (high_min); 62-year-olds still are."""
    young = _planted_names(tmp_path / "young", {"a": (24, 30_000), "b": (44, 120_000), "c": (26, 60_000)})
    assert abs(young["b"][1] - 44) < 1
    assert "Senior" not in young["b"][0] and "Older" not in young["b"][0] and "Affluent" in young["b"][0]
    old = _planted_names(tmp_path / "old", {"a": (30, 30_000), "b": (62, 120_000), "c": (32, 60_000)})
    assert old["b"][0] == "Affluent Seniors"


def test_young_means_35_or_younger_not_the_youngest_of_an_old_table(tmp_path):
    """Among customers of 68 and 70, the 40-year-olds are the youngest but not young: no "Young" in their name."""
    named = _planted_names(tmp_path / "old", {"a": (70, 30_000), "b": (40, 120_000), "c": (68, 60_000)})
    assert "Young" not in named["b"][0] and "Affluent" in named["b"][0]
    younger = _planted_names(tmp_path / "young", {"a": (70, 30_000), "b": (30, 120_000), "c": (68, 60_000)})
    assert younger["b"][0] == "Young Professionals"


def test_age_bands_and_ages_in_months_keep_relative_words(tmp_path):
    """An age band's codes (1-7) are no years, nor is an age in months (300 for 25 years): the bounds, in years, do
    not apply; the oldest band may still be "Older" and the 25-year-olds among 70-year-olds are still young."""
    named = _planted_names(tmp_path / "bands", {"a": (2, 30_000), "b": (6, 30_000), "c": (2, 90_000)})
    assert "Older" in named["b"][0] or "Senior" in named["b"][0]
    groups = {"a": (70, 30_000), "b": (25, 120_000), "c": (68, 60_000)}
    in_years = _planted_names(tmp_path / "years", groups)
    in_months = _planted_names(tmp_path / "months", groups, age="age_months", per_year=12)
    assert in_years["b"][0] == in_months["b"][0] == "Young Professionals" and abs(in_months["b"][1] - 300) < 12


@pytest.mark.parametrize("column, values, label", [
    ("Genre", ["Male", "Female"], "Gender"),  # the Mall customers' table: "genre: more often Female" before
    ("Sexe", ["Homme", "Femme"], "Gender"),
    ("Género", ["Hombre", "Mujer"], "Gender"),
    ("Geschlecht", ["w", "m"], "Gender"),
    ("customer_genre", ["F", "M"], "Gender"),
    ("gender", ["Female", "Male"], "Gender"),  # named in English: its own words
    ("Sex", ["F", "M"], "Sex"),
    ("Genre", ["Rock", "Jazz"], "Genre"),  # a genre of music is no gender
    ("segment", ["Male", "Female"], "Segment"),  # gender words under a name that does not say gender
])
def test_a_gender_column_named_in_another_language_reads_gender(column, values, label):
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(0)
    group = np.repeat([0, 1], 40)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(80)], "age": np.where(group, 60, 25) + rng.uniform(0, 5, 80),
                       "spend": np.where(group, 20, 90) + rng.uniform(0, 5, 80),
                       column: np.array(values, dtype=object)[(group + (np.arange(80) % 5 == 0)) % 2]})
    fs = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3).features
    assert fs.label(column) == label and fs.labels[column] == f"{label} (2 levels)"
    if label == "Gender":  # the levels read as the sentences say them; a label the params give is kept
        assert set(fs.table[column].astype(str)) == {"Female", "Male"}
        given = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3,
                              labels={column: "Sexo del cliente"}).features
        assert given.label(column) == "Sexo del cliente"


def test_column_roles_say_why_in_plain_words():
    """The data-quality page's "why" says what each column is, not the role's params word ("-> boolean",
    "near_unique"): one column per role a real export brings, each with the words it must read."""
    n = 60
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({
        "rownames": np.arange(1, n + 1),                                    # a row number: the id
        "senior": np.tile([0, 1, 0], n // 3),                               # yes/no
        "Churn": np.tile(["No", "Yes", "No"], n // 3),                      # an outcome
        "plan": np.tile(["basic", "plus", "pro", "basic"], n // 4),         # categories
        "satisfaction": np.tile(["Poor", "Fair", "Good"], n // 3),          # a scale
        "joined": pd.date_range("2020-01-01", periods=n, freq="D"),         # a date
        "phone": 100_000_000 + rng.permutation(n) * 7919,                   # 9-digit numbers: an identifier
        "source": ["web"] * n,                                              # one value
        "day": np.tile(np.arange(1, 31), 2),                                # a day of the month
        "zip": np.tile(["01002", "02139", "10001", "94103"], n // 4),       # personal data
        "spend": rng.gamma(2.0, 50.0, n).round(2),                          # a measure
        "tier": np.tile([1, 2, 3, 4, 5, 6], n // 6),                        # overridden below
    })
    roles = kind.column_roles(raw, _params(roles={"tier": "categorical"}))
    why = roles["why"]
    assert not why.str.contains("->").any()
    words = why.str.replace(r"\{[^}]*\}", "", regex=True)  # a fix names a role as the params write it
    assert not words.str.contains(r"\b(?:boolean|near_unique|numeric|categorical|ordinal|constant)\b").any(), why
    assert why["senior"] == "only two values (0, 1): a yes/no column"
    assert why["Churn"].endswith(": an outcome (its share in each segment is shown; it does not build them)")
    assert why["plan"].endswith(": categories") and why["spend"].endswith(": a measure")
    assert why["satisfaction"] == "answers on a scale (Poor < Fair < Good): scored 1 to 5"  # a five-point scale
    assert why["joined"].endswith(": a date (as days since)")
    assert why["phone"].endswith(": an identifier, not a trait (left out)")
    assert why["source"].endswith(": the same in every row (left out)")
    assert why["day"].endswith(": left out (roles: {day: numeric} keeps it)")
    assert why["zip"].endswith("personal data: left out; set roles: {zip: categorical} to segment by it")
    assert why["rownames"].endswith(": the id (not a feature)")
    assert why["tier"].startswith("set by the params' roles (found: ")
    assert roles["role"].to_dict() == {"rownames": "id", "senior": "boolean", "Churn": "outcome", "plan": "categorical",
                                       "satisfaction": "ordinal", "joined": "date", "phone": "near_unique",
                                       "source": "constant", "day": "ignore", "zip": "personal", "spend": "numeric",
                                       "tier": "categorical"}


def test_row_labels_of_r_and_pandas_exports_are_ids_and_purchase_is_an_outcome():
    """modeldata's attrition table kept R's row names of a subset (1..2068 with gaps), which read as a measure of the
    employees and ranked among the traits that set segments apart; ISLR's Caravan has its outcome named Purchase,
    which built the segments."""
    from segkit.kinds.customers.roles import find_id_column, role_table

    n = 60
    rows = np.sort(np.random.default_rng(1).choice(np.arange(1, 200), n, replace=False))  # a subset's row names
    df = pd.DataFrame({"rownames": rows, "Unnamed: 0": rows * 3, "index": rows + 7,
                       "age": np.arange(n) % 17 + 20, "visits": np.arange(n) % 5,
                       "Purchase": np.where(np.arange(n) % 9 == 0, "Yes", "No"),
                       "purchased": np.arange(n) % 4 == 0, "purchases": np.arange(n) % 2})
    roles = dict(role_table(df)[["column", "role"]].values.tolist())
    assert roles["rownames"] == "id"  # the one id; the others are identifiers too, left out
    assert (roles["Unnamed: 0"], roles["index"]) == ("near_unique", "near_unique")
    assert (roles["age"], roles["visits"]) == ("numeric", "numeric")
    assert (roles["Purchase"], roles["purchased"]) == ("outcome", "outcome")
    assert roles["purchases"] == "boolean"  # a count's name, not what happened: a feature
    alone = dict(role_table(df[["Unnamed: 0", "age"]])[["column", "role"]].values.tolist())
    assert alone == {"Unnamed: 0": "id", "age": "numeric"}
    # pandas' to_csv writes its row label first: the customer id beside it stays the id, repeated or not
    export = df[["Unnamed: 0", "age"]].assign(customer_id=[f"C{i:05d}" for i in range(n)])
    table = role_table(export).set_index("column")
    assert (table.at["customer_id", "role"], table.at["Unnamed: 0", "role"]) == ("id", "near_unique")
    assert find_id_column(export) == "customer_id"
    assert find_id_column(export.assign(customer_id=["C1", "C1", *export["customer_id"][2:]])) == "customer_id"
    assert "C000" not in " ".join(kind.column_roles(export, _params())["why"])  # the id's values never shown
    assert list(kind.eda_frame(df[["rownames", "age", "visits"]], _params()).columns) == ["age", "visits"]
    assert kind.column_roles(export, _params(entity="store"))["used for"]["customer_id"] == \
        "identifies the store (not a feature)"
    assert kind.column_roles(export, _params())["why"]["Unnamed: 0"].endswith(
        "looks like an id, but 'customer_id' is the id: an identifier, not a trait (left out)")
    # a purchase channel or a retained payment method is no outcome: only yes/no values say what happened
    mixed = df.assign(Purchase=np.where(np.arange(n) % 3 == 0, "online", "in store"),
                      retained=np.where(np.arange(n) % 2 == 0, "card", "cash"))
    roles = dict(role_table(mixed)[["column", "role"]].values.tolist())
    assert (roles["Purchase"], roles["retained"]) == ("categorical", "categorical")
    assert kind._good_outcome("Purchase") is True and kind._good_outcome("is_fraud") is False


def test_every_card_and_the_index_give_each_segments_share_of_the_outcome():
    """The pages promise an outcome's share per segment, but a card showed it only among its four most unusual
    numbers: modeldata's attrition table said nothing of it on the card of the segment that left most (26%), nor
    anywhere on the index."""
    from segkit.pipeline import segment_table
    from segkit.report.index_table import segment_table as _segment_table
    from segkit.stages.profile import segment_overview

    rng = np.random.default_rng(2)
    group = np.repeat([0, 1], 60)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(120)],
                       **{c: np.where(group, hi, lo) + rng.uniform(0, 2, 120)
                          for c, lo, hi in (("tenure", 5, 60), ("monthly", 90, 20), ("visits", 2, 30),
                                            ("basket", 80, 10), ("calls", 1, 9))},
                       "Purchase": np.where(np.arange(120) % 4 == 0, "Yes", "No")})  # a quarter in each: not unusual
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3)
    for card in seg.cards(n_facts=4):
        facts = [f["label"] for f in card["facts"]]
        assert len(facts) == 5 and facts[-1] == "Purchase (Yes)" and "Purchase (Yes)" not in facts[:-1]
        assert card["facts"][-1]["value_text"] == "25%" and card["facts"][-1]["index"] == 100
    overview = segment_overview(seg, top=2)  # two segments: one table, not split
    assert list(overview.index)[-1] == "Purchase (Yes)" and len(overview) == 2 + 2 + 1  # size, share, 2 shown, outcome
    summary = {"segments": [{"code": "S01", "name": "A", "size": 60, "share": 0.5, "extra": "0.9",
                             "outcomes": {"Purchase (Yes)": 0.25}},
                            {"code": "S02", "name": "B", "size": 60, "share": 0.5, "extra": "0.9",
                             "outcomes": {"Purchase (Yes)": 0.0004}}]}
    page = _segment_table(summary, "customers", None)
    assert "<th>Purchase (Yes)</th>" in page and ">25.0%</td>" in page and ">under 0.1%</td>" in page  # one decimal
    assert "Purchase" not in _segment_table({"segments": [{**s, "outcomes": "?"} for s in summary["segments"]]},
                                            "customers", None)  # a hand-edited file: no column, no failure


def test_a_card_fact_is_never_a_handful_of_rows_of_a_column_nearly_all_one_value():
    """Lending club's delinquent amount is 0 for 99.5% of loans: a segment's "Delinq amnt 29.4 (index 242)" led its
    card on 6 loans, and Caravan's "Pzeilpl: 0.0022 (index 256)" on 3 customers of 5,822."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(4)
    group = np.repeat([0, 1], 150)
    fee = np.zeros(300)
    fee[[3, 160, 170]] = [912.5, 2500.75, 4000.1]  # 3 of 300 rows; segment 1 holds two of them
    df = pd.DataFrame({"id": [f"c{i}" for i in range(300)],
                       "tenure": np.where(group, 40, 10) + rng.uniform(0, 4, 300),
                       "monthly": np.where(group, 30, 70) + rng.uniform(0, 4, 300),
                       "visits": np.where(group, 9, 6) + rng.uniform(0, 1, 300),
                       "late_fee": fee})
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3)
    assert seg.profile.index["late_fee"].max() > 150  # a "distinctive" index, from two rows
    facts = [f["feature"] for card in seg.cards(n_facts=4) for f in card["facts"]]
    assert "late_fee" not in facts and {"tenure", "monthly", "visits"} <= set(facts)
    from segkit.stages.profile import shown_features
    assert "late_fee" not in shown_features(seg, 3) and shown_features(seg, None)[-1] == "late_fee"  # the overview too
    df["late_fee"] = np.where(group == 1, 20.0, 0.0) + fee  # half the rows off 0: a trait like any other
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=3)
    assert "late_fee" in [f["feature"] for card in seg.cards(n_facts=4) for f in card["facts"]]


def test_a_rare_value_is_a_segments_trait_only_when_it_holds_it_more_or_less_often_than_the_others():
    from segkit.naming.masking import few_off_the_rule

    labels = np.repeat([0, 1, 2], 300)
    fee = np.zeros(900)
    fee[300:322] = np.linspace(5, 50, 22)      # segment 1: 22 of 300 pay a fee (7%)
    fee[[0, 1, 2, 3, 4, 5]] = 900.0           # segment 0: 6 of 300, large fees: a handful
    fee[600:612] = 1.0                        # segment 2: 12 of 300 (4%), as often as the others (28 of 600, 4.7%)
    rare = few_off_the_rule(pd.DataFrame({"fee": fee}), labels, ["fee"])
    assert rare == {0: {"fee"}, 1: set(), 2: {"fee"}}
    small = np.zeros(200)
    small[:9] = 50.0  # a small table: all 9 fees in one segment of 30 (30% against none elsewhere) is its trait
    assert few_off_the_rule(pd.DataFrame({"fee": small}), np.repeat([0, 1], [30, 170]), ["fee"]) == {0: set(),
                                                                                                    1: set()}
    fraud = np.r_[np.zeros(5000), (np.arange(250) % 4 == 0).astype(float)]  # 0 of 5,000 against 25% of 250
    assert few_off_the_rule(pd.DataFrame({"fraud": fraud}), np.repeat([0, 1], [5000, 250]), ["fraud"]) == {
        0: set(), 1: set()}
    gaps = pd.DataFrame({"fee": np.r_[[np.nan] * 40, np.zeros(900 - 40)]})  # gaps are no rare value: segment 0's
    gaps.loc[300:305, "fee"] = 5.0                                           # 40 are no trait of it
    assert few_off_the_rule(gaps, labels, ["fee"]) == {0: {"fee"}, 1: set(), 2: {"fee"}}


def test_the_k_choice_speaks_of_the_params_entity():
    """Carseats with ``entity: store`` read "the customers form no natural groups" on the k page."""
    from segkit.pipeline import select

    X = np.random.default_rng(0).normal(size=(300, 3))
    selection, k, sentence = select(_params(entity="store", k_max=5, bootstrap=3, gap_references=2), X)
    assert "stores" in sentence and "customers" not in sentence


def test_a_value_is_kept_before_its_logarithm_which_is_no_money():
    """ISLR's Wage has logwage before wage: the pages showed "Logwage: 4.91 (index 105)" (with a "$" when the run's
    currency was set) and left out wage as its twin."""
    from segkit.kinds.customers.choose import twins
    from segkit.kinds.customers.units import unit

    rng = np.random.default_rng(5)
    wage = rng.lognormal(4.6, 0.4, 300)
    table = pd.DataFrame({"age": rng.integers(18, 80, 300).astype(float), "logwage": np.log(wage), "wage": wage})
    assert twins(table, {c: c for c in table.columns}) == {"logwage": ("wage", pytest.approx(1.0))}
    params = _params(currency="$")
    assert unit("logwage", params, table["logwage"]) is None and unit("wage", params, table["wage"]) == "money"
    assert unit("log_income", params) is None and unit("login_count", params) is None


def test_the_year_of_the_record_is_no_trait_of_the_customer():
    """ISLR's Wage has the survey's year (2003-2009): it set segments apart as "lower year (typically 2004 vs 2006)"
    and named one "Customers with high year"."""
    from segkit.kinds.customers.roles import role_table

    n = 70
    df = pd.DataFrame({"year": np.tile(np.arange(2003, 2010), n // 7), "Year_Birth": 1950 + np.arange(n) % 40,
                       "yr": np.tile([2019, 2020], n // 2), "age": 20 + np.arange(n) % 50,
                       "year_joined": 2000 + np.arange(n) % 20, "years": np.arange(n) % 7})
    table = role_table(df).set_index("column")
    assert (table.at["year", "role"], table.at["yr", "role"]) == ("ignore", "ignore")
    assert "the year of the record" in table.at["year", "reason"]
    assert table.at["Year_Birth", "role"] == table.at["year_joined", "role"] == "numeric"
    assert table.at["years", "role"] == "numeric"  # a count of years, not a calendar year


def test_levels_numbered_as_r_writes_factors_are_read_without_their_numbers_and_scored_so():
    """ISLR's Wage writes "1. < HS Grad", "2. Married", "1. Yes": the drivers read "health ins: more often 1. Yes"."""
    from segkit.cleaning import CleaningLog
    from segkit.kinds.customers.values import read_values, spelt_as

    n = 60
    raw = pd.DataFrame({"education": np.tile(["1. < HS Grad", "2. HS Grad", "3. College Grad"], n // 3),
                        "health_ins": np.tile(["1. Yes", "2. No"], n // 2),
                        "plan": np.tile(["1. Basic", "Pro"], n // 2),  # not every level numbered: as written
                        "age": 20.0 + np.arange(n) % 40})
    log = CleaningLog()
    read = read_values(raw, _params(), log)
    assert set(read["education"]) == {"< HS Grad", "HS Grad", "College Grad"}
    assert set(read["health_ins"]) == {"Yes", "No"} and set(read["plan"]) == {"1. Basic", "Pro"}
    assert "'1. Yes' as 'Yes'" in " ".join(str(s.get("note", "")) for s in log.to_dict()["steps"])
    assert spelt_as(pd.Series(["1. Yes", "2. No", "Yes", "3. Maybe"]), ["Yes", "No"]).tolist() == \
        ["Yes", "No", "Yes", "3. Maybe"]  # new rows written as the export writes them score as training read them


def test_a_seqn_is_an_id_and_a_constant_column_reads_its_value_plainly():
    """NHEFS's participant id `seqn` (233..25061, all distinct) was a measure beside its `id` (1..1629); its constant
    `censored` read "the single value np.int64(0)" on the data-quality page."""
    from segkit.kinds.customers.roles import role_table
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"seqn": rng.choice(np.arange(233, 25062), 300, replace=False), "censored": 0,
                       "weight": rng.normal(70, 10, 300), "smokes": rng.integers(0, 2, 300)})
    table = role_table(df).set_index("column")
    assert table.at["seqn", "role"] == "id"
    assert "the single value 0 in every filled row" in table.at["censored", "reason"]


def test_the_typical_segment_is_described_in_the_tables_noun():
    """SaratogaHouses' "Typical Houses" were "Close to the average customer on every measure"."""
    from segkit.kinds.customers.naming import _in_words
    from segkit.naming.base import SegmentName
    typical = SegmentName(name="Typical Customers", description="Close to the average customer on every measure")
    out = _in_words(typical, pd.Series({"price": 0.1}), {}, "Houses")
    assert (out.name, out.description) == ("Typical Houses", "Close to the average house on every measure")
    out = _in_words(SegmentName(name="Young Customers", description="Customers with age (index 60) below average."),
                    pd.Series({"age": -1.0}), {}, "Patients")
    assert out.description == "Patients with age (index 60) below average."
    out = _in_words(SegmentName(name="Affluent Customers", description="Customers with income (index 223) above "
                                "average."), pd.Series({"income": 1.0}), {}, "Survey respondents")
    assert (out.name, out.description) == ("Affluent Survey Respondents",
                                           "Survey respondents with income (index 223) above average.")


def test_identical_rows_of_a_table_without_ids_are_two_people():
    """A survey without an id (openintro's acs12): 185 of 2,000 respondents, mostly children with the same blank
    answers, were removed as "Exact copies of a row (usually a double export)". Without an id two identical rows may
    be two people: they are kept, with a note; with an id (or drop_duplicates: true) a copy is a double export."""
    rng = np.random.default_rng(0)
    people = pd.DataFrame({"age": rng.integers(18, 80, 60).astype(float), "income": rng.normal(40, 9, 60).round(),
                           "hours": rng.integers(20, 50, 60).astype(float)})
    children = pd.DataFrame({"age": [5.0] * 6, "income": [np.nan] * 6, "hours": [np.nan] * 6})
    survey = pd.concat([people, children], ignore_index=True)
    clean, log = kind.clean(survey, params_from_mapping({"data_kind": "customers"}))
    assert len(clean) == 66 and log["duplicates"].rows_removed == 0
    assert log["duplicates"].note == "5 rows repeat an earlier row"
    clean, log = kind.clean(survey, params_from_mapping({"data_kind": "customers", "drop_duplicates": True}))
    assert len(clean) == 61 and log["duplicates"].rows_removed == 5
    with_ids = pd.concat([survey.assign(customer_id=np.arange(66)), survey.assign(customer_id=np.arange(66)).head(3)])
    clean, log = kind.clean(with_ids, params_from_mapping({"data_kind": "customers"}))
    assert len(clean) == 66 and log["duplicates"].rows_removed == 3


def test_a_column_that_says_another_in_other_words_is_left_out():
    """HELPrct holds link (yes/no) beside linkstatus (1/0) and sex (male/female) beside female (0/1): each counted
    twice in the distances, and a segment was named "(linkstatus: yes)" and set apart by link too."""
    rng = np.random.default_rng(0)
    n = 200
    linked = rng.random(n) < 0.4
    df = pd.DataFrame({"id": np.arange(n), "age": rng.normal(36, 8, n).round(), "cesd": rng.normal(33, 12, n).round(),
                       "linkstatus": np.where(linked, 1.0, 0.0), "female": (rng.random(n) < 0.25).astype(int),
                       "link": np.where(linked, "yes", "no")})
    df["sex"] = np.where(df["female"] == 1, "female", "male")
    df.loc[:9, ["linkstatus", "link"]] = np.nan  # gaps in the same rows
    p = params_from_mapping({"data_kind": "customers", "id_col": "id"})
    fs = pipeline.build_features(p, pipeline.clean_table(p, df)[0])
    assert "link" not in fs.columns and "sex" not in fs.columns and {"linkstatus", "female"} <= set(fs.columns)
    assert fs.extra["twins"] == {"link": "linkstatus", "sex": "female"}
    assert any(n.startswith("link says what linkstatus says in other words") for n in fs.notes)
    # two flags whose few yeses fall on the same rows are not one column said twice (each level needs ten rows)
    flags = df.assign(complaint=np.where(np.isin(np.arange(n), [3, 7]), "yes", "no"),
                      refund_requested=np.isin(np.arange(n), [3, 7]).astype(int))
    fs = pipeline.build_features(p, pipeline.clean_table(p, flags)[0])
    assert "refund_requested" not in fs.extra["twins"]
    # one row where they disagree: two measures, both kept
    df.loc[20, "link"] = "no" if df.loc[20, "link"] == "yes" else "yes"
    fs = pipeline.build_features(p, pipeline.clean_table(p, df)[0])
    assert {"link", "linkstatus"} <= set(fs.columns)


def test_a_place_named_by_a_number_is_no_measure():
    """VietNamH's commune (1..194) named two segments "Households with high commune" ("Commune: 143 (index 146)"): a
    place's number is a code. A few places are categories; many are left out (roles can keep them as places)."""
    from segkit.kinds.customers.roles import role_table
    rng = np.random.default_rng(0)
    n = 600
    df = pd.DataFrame({"commune": rng.integers(1, 195, n), "region": rng.integers(1, 5, n),
                       "district_code": rng.integers(100, 130, n), "living_area": rng.integers(600, 4000, n),
                       "spend": rng.gamma(2, 300, n)})
    roles = role_table(df).set_index("column")["role"].to_dict()
    assert roles == {"commune": "ignore", "region": "categorical", "district_code": "ignore",
                     "living_area": "numeric", "spend": "numeric"}
    health = role_table(df.assign(health_state=rng.integers(1, 6, n))).set_index("column")["role"]
    assert health["health_state"] == "numeric"  # a state of health, not a US state
    kept = role_table(df, overrides={"commune": "categorical"}).set_index("column")["role"]
    assert kept["commune"] == "categorical"


def test_the_sex_of_rows_that_are_not_customers_is_said_with_their_noun():
    """hsb2's high-school students were "Typical Women" and "Typical Men"."""
    from segkit.kinds.customers.naming import _with_level
    from segkit.naming.base import SegmentName
    typical = SegmentName(name="Typical Students", description="Close to the average student on every measure.")
    out = _with_level(typical, "women", "Typical Students")
    assert out.name == "Typical Female Students" and out.description.endswith("apart from being female students.")
    assert _with_level(SegmentName(name="Affluent Savers"), "men", "Typical Students").name == \
        "Affluent Savers (male students)"
    assert _with_level(SegmentName(name="Older Customers"), "women", "Typical Customers").name == "Older Women"
    assert _with_level(SegmentName(name="Older Members"), "men", "Typical Members").name == "Older Men"


def test_a_sex_coded_0_1_is_two_codes_not_yes_and_no():
    """NHEFS's sex (0/1) was read as a yes/no column: which code is which the data does not say, so its role is two
    codes."""
    from segkit.kinds.customers.roles import role_table
    df = pd.DataFrame({"sex": np.tile([0, 1, 1], 40), "smoker": np.tile([1, 0, 0, 1], 30), "age": np.arange(120.0),
                       "race": np.tile([0, 0, 1], 40), "patient_race": np.tile([1, 0, 0], 40),
                       "grace": np.tile([0, 1], 60), "retraced": np.tile([0, 0, 1], 40)})
    roles = role_table(df).set_index("column")["role"]
    assert roles["sex"] == "categorical" and roles["smoker"] == "boolean"
    assert roles["race"] == roles["patient_race"] == "categorical"  # NHEFS's race: 0 white, 1 black or other
    assert roles["grace"] == roles["retraced"] == "boolean"  # the word race only as a whole word
    # MASS's birthwt: race 1, 2, 3 are three codes, not a count ("high race"); ftv 0-3 is a count
    three = pd.DataFrame({"race": np.tile([1, 2, 3, 1], 30), "ftv": np.tile([0, 1, 2, 3], 30), "age": np.arange(120.0)})
    roles = role_table(three).set_index("column")["role"]
    assert (roles["race"], roles["ftv"]) == ("categorical", "numeric")


def test_the_levels_of_codes_are_said_as_written_wherever_levels_are_said():
    """NHEFS's segments were named "(sex: no)", their sentences read "sex: more often no (95% vs 49% overall)" and
    the category table "no" and "yes", though sex was two codes: every place that says levels read any 0/1 levels as
    no and yes, whatever the column's role. A yes/no column still reads yes and no."""
    from types import SimpleNamespace

    from segkit import kinds, pipeline
    from segkit.drivers import driver_sentence
    from segkit.kinds.customers.naming import defining_levels
    from segkit.stages.profile import categorical_profile

    rng = np.random.default_rng(0)
    n = 300
    group = np.repeat([0, 1, 2], n // 3)
    df = pd.DataFrame({"id": np.arange(n), "sex": np.where(group == 0, 0, rng.integers(0, 2, n)),
                       "member": rng.integers(0, 2, n),
                       "smoker": np.where(group == 1, 1, (rng.random(n) < 0.1).astype(int)),
                       "age": np.where(group == 2, 70.0, 30.0) + rng.normal(0, 3, n),
                       "income": rng.normal(50_000, 5_000, n).round()})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "bootstrap": 2,
                                  "roles": {"member": "categorical"}})
    fs = pipeline.build_features(params, pipeline.clean_table(params, df)[0])
    assert fs.coded == {"sex"} and fs.level_words("sex", ["0", "1"]) is None  # a category by name, not by its role
    assert fs.level_words("smoker", ["0", "1"]) == {"0": "no", "1": "yes"}
    labels = pd.Series(group, index=fs.table.index)
    found = defining_levels(fs, labels)
    assert "sex" not in " ".join(found.values()) and "smok" in found[1]  # a code defines no segment; a yes does
    from segkit.kinds.customers.naming import category_zscores
    words = category_zscores(fs, labels)[1]  # names from levels alone: "Sex 1", not "Sex" as if it were a yes
    assert (words["sex: 1"].high, words["sex: 0"].high, words["smoker: 1"].high_noun) == ("Sex 1", "Sex 0", "Smokers")
    sentence = driver_sentence(fs.table, labels, 0, ["sex"], labels_text=fs.labels, coded=fs.coded)
    assert "more often 0 (100%" in sentence and "no" not in sentence.split("(")[0], sentence
    said = driver_sentence(fs.table, labels, 1, ["smoker"], labels_text=fs.labels, coded=fs.coded)
    assert "a higher share of smokers (100%" in said, said  # a yes of what the rows are: the people it makes them
    seg = pipeline.fit_segments(params, fs, 3)
    drivers = pipeline.explain(params, fs, labels, seg.profile).drivers  # the run's own sentences say the codes too
    assert "ex: more often 0 (100%" in drivers[0] and "a higher share of smokers (100%" in drivers[1], drivers
    shown = categorical_profile(SimpleNamespace(kind=kinds.get("customers")), seg)
    column = shown["Category"].replace("", np.nan).ffill()
    assert set(shown["Level"][column.str.startswith("Sex")]) == {"0", "1"}
    assert set(shown["Level"][column.str.startswith("Smoker")]) == {"yes", "no"}


def test_an_entity_of_several_words_keeps_the_typical_segments_level():
    """A survey's "Typical Survey Respondents" lost "apart from being women" once the name was capitalised word by
    word and the typical name was not; "US households" read "Us households"."""
    from segkit.kinds.customers.naming import _as_noun, _with_level
    from segkit.naming.base import SegmentName
    typical = _as_noun("Typical Customers", "Survey respondents")
    assert typical == "Typical Survey Respondents" and _as_noun("Affluent Customers", "US households") == \
        "Affluent US Households"
    out = _with_level(SegmentName(name=typical, description="Close to the average survey respondent."), "women",
                      typical)
    assert out.name == "Typical Women" and out.description.endswith("apart from being women.")


def test_a_logarithm_says_so_and_has_no_index():
    """VietNamH's households read "Lnmed: 7.31 (index 139)" and "Households with low lnexp 12 m": a logarithm's
    ratio to its average is no ratio of what it measures, and its name is no label. A count of logs (whole numbers)
    is no logarithm."""
    from segkit import pipeline

    rng = np.random.default_rng(1)
    n = 240
    group = np.repeat([0, 1, 2], n // 3)
    df = pd.DataFrame({"id": np.arange(n), "lnmed": np.where(group == 0, 7.3, 4.0) + rng.normal(0, 0.4, n),
                       "lnexp12m": np.where(group == 1, 9.0, 6.0) + rng.normal(0, 0.3, n),
                       "log_count": rng.integers(1, 30, n), "age": np.where(group == 2, 70.0, 35.0) + rng.normal(0, 4, n)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "bootstrap": 2})
    fs = pipeline.build_features(params, pipeline.clean_table(params, df)[0])
    assert (fs.labels["lnmed"], fs.labels["lnexp12m"]) == ("Med (log)", "Exp 12 months (log)")
    assert "lnmed" not in fs.units and "lnexp12m" not in fs.units  # "Exp 12 months (log): 9", no "9 months"
    assert fs.labels["log_count"] == "Log count" and fs.extra["logged"] == ["lnmed", "lnexp12m"]
    seg = pipeline.fit_segments(params, fs, 3)
    prof = seg.profile
    assert {"lnmed", "lnexp12m"}.isdisjoint(prof.ratio_features) and "age" in prof.ratio_features
    assert {prof.index_basis["lnmed"], prof.index_basis["lnexp12m"]} == {"shifted"}
    facts = [f for s in prof.segments for f in prof.key_facts(s)]
    logs = [f["text"] for f in facts if f["feature"] in ("lnmed", "lnexp12m")]
    assert len(logs) == 6 and not any("index" in t for t in logs), logs  # "lnmed: 7.27", no "(index 144)"
    assert any("(index" in f["text"] for f in facts if f["feature"] == "age")
    names = " ".join(prof.names.values())
    assert "exp 12 months" in names and "few exp" not in names, names  # a window of 12 months counts nothing


def test_an_outcome_of_three_values_says_which_one_the_reports_follow(capsys, tmp_path):
    """acs12's employment (employed, not in labor force, unemployed) was made an outcome and the reports showed the
    share of 'unemployed' with no word of the other two: the check now says which value is followed and how to
    choose. A yes/no outcome says nothing."""
    from segkit.cli import main

    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"id": range(n), "age": rng.normal(40, 10, n), "income": rng.normal(5e4, 1e4, n),
                       "employment": rng.choice(["employed", "not in labor force", "unemployed"], n, p=[.6, .3, .1]),
                       "churn": rng.choice(["yes", "no"], n)})
    df.to_csv(tmp_path / "people.csv", index=False)
    (tmp_path / "p.yaml").write_text("data_kind: customers\ndata_path: people.csv\nid_col: id\n"
                                     "roles: {employment: outcome, churn: outcome}\n")
    assert main(["check", str(tmp_path / "p.yaml")]) == 0
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if "(outcome)" in line]
    assert said == ["  warning: column 'employment' (outcome) has 3 values (employed, not in labor force, unemployed): "
                    "the reports show each segment's share of 'unemployed' only. Fix: give 'employment' two values in "
                    "the data (the one to follow and the rest), or set roles: {employment: categorical} to show the "
                    "share of every value"], out


def test_only_rows_that_buy_get_an_action():
    """acs12's survey respondents were told "Senior discounts and easy, familiar ranges" and a hotel's bookings
    "child-friendly ranges": the actions are a business's advice to its buyers. Other rows keep their names and
    descriptions, without an action; members and cardholders keep theirs."""
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(3)
    group = np.repeat([0, 1, 2], 80)
    df = pd.DataFrame({"id": np.arange(240), "age": np.where(group == 0, 72.0, 35.0) + rng.normal(0, 3, 240),
                       "income": np.where(group == 0, 15.0, np.where(group == 1, 90.0, 40.0)) + rng.normal(0, 4, 240)})
    said = {}
    for entity in ("customers", "members", "survey respondents", "patients", "household members", "cardholders"):
        seg = segment_table(df, data_kind="customers", id_col="id", k=3, seed=0, bootstrap=2, entity=entity)
        said[entity] = {seg.profile.names[s]: seg.profile.actions.get(s, "") for s in seg.profile.segments}
    assert said["customers"]["Thrifty Seniors"] == "Senior discounts and easy, familiar ranges"
    assert said["members"]["Thrifty Seniors"] == said["customers"]["Thrifty Seniors"]
    assert said["survey respondents"] and set(said["survey respondents"].values()) == {""}, said
    assert set(said["patients"].values()) == set(said["household members"].values()) == {""}
    assert said["cardholders"]["Thrifty Seniors"] == said["customers"]["Thrifty Seniors"]


def test_the_sex_of_animals_is_female_and_male_not_women_and_men():
    """palmerpenguins' cards read "a higher share of women (100% vs 48% overall)": women and men are grown people;
    other rows' sex reads with their noun ("female penguins"), as hsb2's students' does; customers keep "women"."""
    from segkit import pipeline

    rng = np.random.default_rng(2)
    group = np.repeat([0, 1, 2], 60)
    df = pd.DataFrame({"id": np.arange(180), "sex": np.where(group == 0, "female", rng.choice(["female", "male"], 180)),
                       "body_mass_g": np.where(group == 1, 5_400.0, 3_700.0) + rng.normal(0, 150, 180),
                       "bill_length_mm": np.where(group == 2, 49.0, 39.0) + rng.normal(0, 1.5, 180)})
    from segkit.drivers import driver_sentence

    for entity, who in (("penguins", "female penguins"), ("customers", "women")):
        params = params_from_mapping({"data_kind": "customers", "id_col": "id", "bootstrap": 2, "entity": entity})
        fs = pipeline.build_features(params, pipeline.clean_table(params, df)[0])
        said = driver_sentence(fs.table, group, 0, ["sex", "body_mass_g"], labels_text=fs.labels, units=fs.units,
                               entity=fs.entity)
        assert said.startswith(f"Set apart mostly by a higher share of {who} (100%"), said
    # the unit in the label's brackets is said once, with the values: not "(mm; typically 48.5 mm vs 40.1 mm)", nor
    # "Body mass (g): 3,361 g" on the cards
    said = driver_sentence(fs.table, group, 2, ["bill_length_mm"], labels_text=fs.labels, units=fs.units)
    assert "higher bill length (typically 4" in said and "mm;" not in said, said
    facts = [f for card in pipeline.fit_segments(params, fs, 3).cards() for f in card["facts"]]
    mass = [f for f in facts if f["feature"] == "body_mass_g"]
    assert mass and all(f["label"] == "Body mass" and f["value_text"].endswith(" g") for f in mass), mass


def _bookings(rng, group: np.ndarray, parking: np.ndarray, **more) -> pd.DataFrame:
    """A hotel's bookings of three groups: the parking spaces asked for, ``more`` columns, then a lead time that sets
    group 2 apart and the adults."""
    return pd.DataFrame({"booking_id": range(len(group)), "required_car_parking_spaces": parking, **more,
                         "lead_time": np.where(group == 2, rng.normal(300, 20, len(group)),
                                               rng.normal(60, 20, len(group))).round(),
                         "adults": rng.integers(1, 3, len(group))})


@pytest.mark.parametrize("spaces, said", [([0, 1, 2], "more"), ([2, 3, 4], "many")])
def test_a_count_is_many_only_from_two_on_average(spaces, said):
    """A hotel's bookings: the segment that asks for parking has about one space on average (0.05 elsewhere), so its
    name says "more required car parking spaces", not "many"; with three on average, "many"."""
    import segkit

    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 100)
    table = _bookings(rng, group, np.where(group == 0, rng.choice(spaces, 300, p=[.2, .6, .2]),
                                           rng.choice([0, 1], 300, p=[.95, .05])))
    result = segkit.segment_table(table, data_kind="customers", id_col="booking_id", k=3, seed=0, entity="bookings")
    spaces_by_name = table["required_car_parking_spaces"].groupby(result.assignments["segment_name"].to_numpy())
    parking = spaces_by_name.mean().idxmax()
    assert parking == f"Bookings with {said} required car parking spaces", result.profiles.names


def test_a_name_that_says_a_yes_no_level_does_not_repeat_it():
    """Bookings that all asked for parking (0/1, 1 in one segment only) read "Bookings with required car parking
    spaces (required car parking spaces: yes)": the name says the level already."""
    import segkit

    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 100)
    table = _bookings(rng, group, np.where(group == 0, 1, 0),
                      previous_cancellations=np.where(group == 1, rng.integers(0, 2, 300), 0))
    names = segkit.segment_table(table, data_kind="customers", id_col="booking_id", k=3, seed=0,
                                 entity="bookings").profiles.names
    assert "Bookings with required car parking spaces" in names.values(), names
    assert not any("(" in name for name in names.values()), names


@pytest.mark.parametrize("name, level, says", [
    ("Bookings with required car parking spaces", "required car parking spaces: yes", True),
    ("Bookings with no required car parking spaces", "required car parking spaces: yes", False),
    ("Women with no ban", "ban: no", True),
    ("Women with a ban", "ban: no", False),
    ("Women", "ban: yes", False),
    ("Women with a ban", "region: West", False),
    ("Customers with low credit card balance", "credit card: yes", False),
    ("Customers with fewer parking spaces", "parking: yes", False),
    ("Customers with email less often", "email: yes", False),
    ("Customers with no email opens", "email: no", False),
    ("Smokers with ban and high age", "ban: yes", True),
    ("Customers with high income and no ban (smokers)", "ban: no", True),
    ("Customers with vryhap 1", "vryhap: yes", True), ("Customers with kids 0", "kids: no", True),
    ("Customers with kids 0", "kids: yes", False), ("Customers with kids 10", "kids: yes", False),
    ("Women with no children", "has children: no", True), ("Women with children", "has children: yes", True),
    ("Customers who are married", "married: yes", True), ("Customers who are married", "married: no", False),
    ("Customers with high income who are not active members", "is active member: no", True),
    ("Customers who are married and not active members", "is active member: no", True),
    ("Customers who are not active members", "is active member: yes", False),
    ("Customers with cr card who are married", "has cr card: yes", True),
    ("Customers with cr card who are married", "has cr card: no", False),
    ("Customers with low balance who are married", "balance: yes", False)])
def test_which_names_say_a_yes_no_level(name, level, says):
    from segkit.kinds.customers.naming import _says_yes_no

    assert _says_yes_no(name, level) is says


def test_only_a_table_of_categories_has_level_shares_and_every_measure_stays_a_driver(run):
    # the first cut took every profiled column not among the clustering columns for a level's share, so a date's days
    # since it (days_since_signup_date, profiled in place of the date) left the drivers and its lexicon words
    _, fs, _ = run
    dated = [c for c in fs.profiled if c.startswith("days_since_")]
    assert dated and fs.extra["level_shares"] == []
    assert set(dated) <= set(pipeline.driver_columns(fs))


def test_the_map_of_a_single_measure_places_the_customers_by_it(tmp_path):
    # Stat2Data's LosingSleep: age the one measure, the map's second axis all 0 and its caption of "two directions"
    rng = np.random.default_rng(0)
    path = tmp_path / "ages.csv"
    pd.DataFrame({"id": np.arange(240), "age": rng.choice([14, 15, 16, 17, 18], 240)}).to_csv(path, index=False)
    params = params_from_mapping({"data_kind": "customers", "data_path": str(path), "id_col": "id", "k": 3,
                                  "bootstrap": 2})
    nb = RunContext(params, RunFolder(tmp_path / "run").ensure())
    stages.eda.clean(nb, stages.eda.load(nb))
    stages.features.build_features(nb)
    seg = stages.profile.segment(nb)
    shown = stages.profile.segment_map(nb, seg)
    assert "placed by their age, a row of dots per segment" in shown.data and "two main directions" not in shown.data
    assert (tmp_path / "run" / "artifacts" / "segment_map.png").is_file()


def test_a_yes_no_of_being_reads_as_what_the_customers_are_on_every_page():
    """A bank's IsActiveMember, a Married and Telco's SeniorCitizen, as 0/1: "Customers with married", "no is active
    member", "Customers with senior citizen" in names; "is active member: more often no" in the drivers."""
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2, 3], 60)
    table = pd.DataFrame({"id": np.arange(240), "Married": (group == 0) | (rng.random(240) < 0.1),
                          "IsActiveMember": (group == 1) | (rng.random(240) < 0.1), "SeniorCitizen": group == 2,
                          "HasCrCard": (group == 3) | (rng.random(240) < 0.1)}).astype(int)
    seg = pipeline.segment_table(table, data_kind="customers", id_col="id", k=4, seed=0)
    names = seg.profile.names
    assert sorted(names.values()) == ["Customers who are active members", "Customers who are married",
                                      "Customers who are senior citizens", "Customers with cr card"]
    married = next(s for s, n in names.items() if n == "Customers who are married")
    said = seg.profile.descriptions[married]
    assert said.startswith("Customers with a share who are married (index "), said
    drivers = seg.explanation.drivers[married]
    assert "a higher share who are married (100% vs" in drivers and "a higher share who are not active members" in \
        drivers, drivers
    assert not re.search(r"more often (?:yes|no)|with (?:no )?(?:married|is active)", said + drivers)


def test_a_concept_that_is_another_columns_name_stays_that_columns():
    """Ecdat's Mroz has ``wagew`` (the wife's wage, read as the concept income) before its own ``income``: naming
    renamed ``wagew`` to ``income`` beside ``income`` and stopped on a raw pandas error ("The truth value of a Series
    is ambiguous")."""
    import segkit
    from segkit.kinds.customers.naming import _rename

    assert _rename(["wagew", "hoursw", "income", "wageh"]) == {"wagew": "wagew", "hoursw": "hoursw",
                                                              "income": "income", "wageh": "wageh"}
    assert _rename(["wagew", "hoursw"]) == {"wagew": "income", "hoursw": "hoursw"}
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 100)
    table = pd.DataFrame({"id": range(300), "wagew": rng.normal(3, 0.5, 300) + 3 * (group == 0),
                          "hoursw": rng.normal(1500, 100, 300) + 800 * (group == 1),
                          "income": rng.normal(20000, 2000, 300) + 30000 * (group == 2)})
    names = segkit.segment_table(table, data_kind="customers", id_col="id", k=3, seed=0).profiles.names
    assert len(set(names.values())) == 3 and any(name.startswith("Affluent") for name in names.values()), names


def test_teenagers_of_one_measure_are_named_and_none_is_older():
    """Stat2Data's LosingSleep: students of 14 to 18, their age the one measure. The segments of 16, 17 and 18 were all
    "Typical Customers" (17 is above average but no "Older" customer, whose bound is 45) and the run stopped on "no
    further feature tells them apart"."""
    import segkit

    rng = np.random.default_rng(0)
    ages = rng.choice([14, 15, 16, 17, 18], 446, p=[.1, .2, .3, .25, .15])
    result = segkit.segment_table(pd.DataFrame({"id": range(446), "age": ages}), data_kind="customers", id_col="id",
                                  k=4, seed=0)
    names = result.profiles.names
    by_age = pd.Series(ages).groupby(result.assignments["segment_name"].to_numpy()).mean().sort_values()
    assert list(by_age.index) == ["Young Customers", "Typical Customers", "Typical Customers with older age",
                                  "Typical Customers with the oldest age"], (names, by_age)


def test_a_card_gives_the_typical_member_beside_the_average_as_its_sentence_quotes_it():
    """The Mall's card read "Annual income: $86.5k (index 143)" above "higher annual income (typically $79k vs $61.5k
    overall)", with no $79k in its list: a fact now gives the median where it reads apart from the mean."""
    from segkit.format import format_value
    from segkit.pipeline import segment_table

    rng = np.random.default_rng(4)
    group = np.repeat([0, 1], 100)
    df = pd.DataFrame({"id": np.arange(200), "income": np.where(group == 0, rng.lognormal(4.4, 0.5, 200),
                                                                 rng.lognormal(3.4, 0.3, 200)).round(1),
                       "age": np.where(group == 0, 50, 30) + rng.integers(-5, 6, 200),
                       "member": rng.integers(0, 2, 200)})
    seg = segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=2)
    for card in seg.cards():
        for fact in card["facts"]:
            col = fact["feature"]
            median = seg.profile.medians.at[card["segment"], col]
            if col == "member":  # a yes/no: its median is no member's value
                assert fact["typical_text"] == ""
            elif format_value(median, seg.features.units.get(col), seg.currency) != fact["value_text"]:
                assert fact["typical_text"] == format_value(median, seg.features.units.get(col), seg.currency)
            else:
                assert fact["typical_text"] == ""
    rich = [c for c in seg.cards() if any(f["feature"] == "income" and f["typical_text"] for f in c["facts"])]
    assert rich and "· typically " in stages.profile.cards(seg).data


def test_the_note_on_categories_says_their_labels_in_plain_words():
    """The Mall's 02 said "Categories (Genre) are one-hot encoded" beside a page that calls the column Gender."""
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"id": [f"c{i}" for i in range(80)], "age": rng.uniform(20, 70, 80),
                       "Genre": rng.choice(["Male", "Female"], 80), "region": rng.choice(["North", "South", "East"], 80)})
    fs = pipeline.build_features(params_from_mapping({"data_kind": "customers", "id_col": "id"}), df)
    said = [n for n in fs.notes if "category" in n]
    assert said == ["Each level of a category (Gender, Region) is compared as a yes or no of its own; levels held by "
                    "fewer than 1% of customers are grouped together."]
    assert not any("one-hot" in n for n in fs.notes)
