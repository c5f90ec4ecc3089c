"""Plain words for columns and numbers: labels from names, units, phrases, readable numbers, and how the
params' labels, units and entity reach every text of a customer table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.format import format_number, format_value
from segkit.naming.lexicon import name_segments_from_lexicon
from segkit.naming.masking import masked_scores
from segkit.naming.words import default_label, feature_phrase, load_words, plural, split_words, stated_unit


@pytest.mark.parametrize("name, label", [
    ("MntWines", "Amount spent on wines"), ("NumWebPurchases", "Number of web purchases"),
    ("CASH_ADVANCE_TRX", "Cash advance transactions"), ("avgTrxAmt", "Average transactions amount"),
    ("Kidhome", "Children at home"), ("tenure_months", "Tenure (months)"), ("RFM_score", "RFM score"),
    ("Annual Income (k$)", "Annual income (k$)"), ("loyalty_points", "Loyalty points"),
    ("visits_per_month", "Visits per month"), ("calls_a_day", "Calls a day"),
    # jargon of marketing tables written as one word (UCI bank marketing's pdays, a survey's NPS)
    ("pdays", "Days since the last contact"), ("NPS", "Net promoter score"), ("nps_score", "Net promoter score"),
    ("avg_aov", "Average order value"), ("customer_ltv", "Customer lifetime value"),
    ("nr.employed", "Number of employed"),
    ("Q1_1", "Q1 1"), ("Q1", "Q1"),  # survey items: numbers are never merged as a repeated word
    ("q2_would_recommend", "Q2 would recommend"), ("sat_q10", "Sat Q10"), ("COVID19_cases", "COVID 19 cases"),
    ("Q10a_rating", "Q10A rating"), ("b2b_customer", "B2B customer"), ("h2o_level", "H2O level"),
    # codes in capitals were split at their last letter ("B2 b customer"), and a unit kept its case only in brackets
    ("B2B customer", "B2B customer"), ("B2BCustomer", "B2B customer"), ("P2PTransfers", "P2P transfers"),
    ("Q2WouldRecommend", "Q2 would recommend"), ("Top10Products", "Top 10 products"), ("RFMScore", "RFM score"),
    ("data_usage_gb", "Data usage (GB)"), ("DataUsageGB", "Data usage (GB)"), ("Data Usage (GB)", "Data usage (GB)"),
    ("Q4Q1Change", "Q4 Q1 change"), ("PC1PC2", "PC1 PC2"), ("FY23Q1Sales", "FY23 Q1 sales"),  # two codes in a row
    # a period as a number and its unit's letter read "Besuche 12 m", as if in metres; a window's in words ("12M" read
    # as 12 million), an "M" or a number no window takes as written (millions, a 3D flag)
    ("Besuche 12M", "Besuche 12M"), ("spend_3m", "Spend 3 months"), ("visits_30d", "Visits 30 days"),
    ("churn_1y", "Churn 1 year"), ("open_il_12m", "Open il 12 months"), ("age_18_34", "Age 18 34"),
    ("pop_1M", "Pop 1M"), ("revenue_10m", "Revenue 10M"), ("is_3d", "Is 3D"), ("x_0d", "X 0D"),
    # a unit of time after a number is the window counted over, not the unit: "Inq last 6 (months): 0.27 months"
    ("inq_last_6mths", "Inquiries last 6 months"), ("delinq_2yrs", "Delinquency 2 years"),
    ("spend_last_30_days", "Spend last 30 days"), ("mths_since_last_delinq", "Months since last delinquency"),
    # lending club's and the HR attrition table's abbreviations ("Delinq amnt", "Revol util", "Years with curr manager")
    ("delinq_amnt", "Delinquency amount"), ("revol_util", "Revolving utilisation"), ("mgr_rating", "Manager rating"),
    # an expansion that leads into the next word has none at the end: hotel_rates' "Arrival date number of"
    ("arrival_date_num", "Arrival date number"), ("num_visits", "Number of visits"), ("wines_mnt", "Wines amount spent"),
    # letters beyond ASCII are letters: "Gekündigt" read "Gek ndigt", "Età" lost its à
    ("Gekündigt", "Gekündigt"), ("Età", "Età"), ("ÄnderungDatum", "Änderung datum"), ("Straße_Straße", "Straße"),
    ("ÖffnungenProMonat", "Öffnungen pro monat"), ("Возраст", "Возраст"), ("número_de_compras", "Número de compras"),
])
def test_labels_from_column_names(name, label):
    assert default_label(name) == label


def test_words_split_and_units_only_when_stated():
    assert split_words("NumWebPurchases") == ["Num", "Web", "Purchases"]
    assert stated_unit("tenure_months") == "months" and stated_unit("discount_pct") == "%"
    assert stated_unit("TENURE") is None and stated_unit("Recency") is None  # no invented days
    # a rate is in its own terms: visits per month are not months ("Visits per (month): 8.91 months" before)
    assert stated_unit("visits_per_month") is None and stated_unit("trips_per_year") is None
    assert stated_unit("months_per_visit") == "months"
    # lending club's counts over a window: inquiries in the last 6 months are no months
    assert stated_unit("inq_last_6mths") is None and stated_unit("spend_last_30_days") is None
    assert stated_unit("delinq_2yrs") is None and stated_unit("mths_since_last_delinq") == "months"
    assert stated_unit("weight_2_kg") == "kg"  # only a unit of time makes a window
    assert plural("cardholder") == "cardholders" and plural("company") == "companies" and plural("areas") == "areas"


def test_an_own_abbreviations_file(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("abbreviations: {chq: cheque}\nunits: {}\n")
    words, units = load_words(path)
    assert default_label("chq_deposits", words) == "Cheque deposits" and units == {}


def test_phrases_for_names():
    assert feature_phrase("Number of web purchases", high=True) == "many web purchases"
    assert feature_phrase("Amount spent on wines", high=False) == "low spending on wines"
    assert feature_phrase("Balance", high=True) == "high balance"
    assert feature_phrase("Annual income (k$)", high=True) == "high annual income"
    assert feature_phrase("Vacant homes", high=True, comparative=True) == "more vacant homes"
    # money in a plural word is higher or lower, not many or few ("Customers with many monthly charges" before)
    assert feature_phrase("Monthly charges", high=True) == "high monthly charges"
    assert feature_phrase("Fees paid", high=False, comparative=True) == "lower fees paid"
    # a count named "X count" reads as the things counted ("fewer orders count" before)
    assert feature_phrase("Orders count", high=False, comparative=True) == "fewer orders"
    assert feature_phrase("Order count", high=True) == "many orders"  # the counted thing in the plural
    assert feature_phrase("Login count", high=False, comparative=True) == "fewer logins"
    assert feature_phrase("Account number", high=True) == "high account number"  # a number is not a count
    # a telecom's columns (modeldata's mlc_churn): "Customers with many number vmail messages", "with high total day"
    assert feature_phrase(default_label("number_vmail_messages"), high=True) == "many vmail messages"
    assert feature_phrase("Number customer service calls", high=False, comparative=True) == \
        "fewer customer service calls"
    assert feature_phrase("No. of children", high=True) == "many children"
    assert feature_phrase(default_label("total_day_minutes"), high=True) == "high total day minutes"
    assert feature_phrase("Total intl (minutes)", high=False, comparative=True) == "lower total intl minutes"
    assert feature_phrase(default_label("call_minutes"), high=True) == "many call minutes"
    # a unit after a measure stays in brackets, and "No" without a dot is a word, not a number
    assert feature_phrase(default_label("session_length_minutes"), high=True) == "high session length"
    assert "many internet service" not in feature_phrase("No internet service", high=True)
    assert feature_phrase("Age (years)", high=True, comparative=True) == "older age"
    assert feature_phrase("Children at home", high=True) == "many children at home"
    # a spread is wider or narrower, whatever it is a spread of ("fewer spread of days between purchases" before)
    assert feature_phrase("Spread of days between purchases", high=False, comparative=True) == \
        "narrower spread of days between purchases"
    assert feature_phrase("Days between purchases", high=True, comparative=True) == "more days between purchases"
    # a person is older or younger ("Set apart mostly by higher age" before); a median age stays higher or lower
    assert feature_phrase("Age", high=True, comparative=True) == "older age"
    assert feature_phrase("Age (years)", high=False, comparative=True) == "younger age"
    assert feature_phrase("AGE", high=True, comparative=True) == "older age"
    assert feature_phrase("Median age", high=True, comparative=True) == "higher median age"


@pytest.mark.parametrize("value, unit, text", [
    (51380.2, None, "51,380"), (np.int64(3), None, "3"), (0.00012, None, "0.00012"), (2.0, None, "2"),
    (4100, "money", "£4,100"), (3.5, "$", "$3.5"), (0.24, "share", "24%"), (12.5, "%", "12.5%"),
    (18.0, "months", "18 months"), (float("nan"), None, "–"), (None, "money", "–"),
    # a net spend whose purchases and returns cancel is 0, not float noise ("£0.000000000000027")
    (2.7e-14, "money", "£0"), (-2.7e-14, "money", "£0"), (0.001, "money", "£0.001"),
    # one unit of time in the singular
    (1.0, "days", "1 day"), (0.6, "days", "1 day"), (2.0, "days", "2 days"), (1.0, "months", "1 month"),
    (-1.0, "days", "-1 day"), (1.0, "kg", "1 kg"),
])
def test_readable_numbers(value, unit, text):
    assert format_value(value, unit) == text
    assert "e+" not in format_number(1e12) and "np." not in format_value(np.float64(2.5), None)


def test_a_currency_code_is_a_word_and_spaces_around_the_param_are_dropped():
    from segkit.config import params_from_mapping

    currency = params_from_mapping({"currency": "ETB "}).currency  # "Annual income (ETB )" before
    assert currency == "ETB" and format_value(1234.0, "money", currency) == "ETB 1,234"
    assert format_value(-7.5, "money", "CHF") == "-CHF 7.5" and format_value(7.5, "money", "€") == "€7.5"
    # the value page's and the RFM descriptions' own money texts write a code the same way
    from segkit.kinds.transactions.lifetime import _money as value_money
    from segkit.kinds.transactions.naming import _money as rfm_money
    assert value_money(1234.0, "ETB") == "ETB 1,234" and value_money(2.5e6, "ETB") == "ETB 2.5m"
    assert rfm_money(1234.0, "ETB") == "ETB 1,234" and rfm_money(1234.0, "£") == "£1,234"  # as the facts below it


def test_no_average_name_for_a_segment_off_average():
    z = pd.DataFrame({"claims": [0.3, 0.0], "premium": [0.1, 0.0]})
    index = pd.DataFrame({"claims": [160.0, 100.0], "premium": [105.0, 100.0]})
    named = name_segments_from_lexicon(z, {"default": {"name": "Typical Members"}}, index=index, noun="Members")
    assert named[0].name == "Members with many claims" and named[1].name == "Typical Members"
    assert "sd" not in named[0].description


def test_masked_scores_leave_imputed_values_out():
    table = pd.DataFrame({"income": [50.0, 50.0, 50.0, 10.0, 12.0, 90.0]})
    labels = np.array([0, 0, 0, 1, 1, 2])
    z = pd.DataFrame({"income": [9.0, 9.0, 9.0]})
    z2, idx = masked_scores(table, labels, z, z.copy(), {"income": [0, 1, 2]})  # segment 0: all filled
    assert np.isnan(z2.at[0, "income"]) and z2.at[2, "income"] > 0 and idx.at[1, "income"] < 100


def test_a_segment_with_few_observed_values_is_not_named_by_them():
    """A trial's 302 bank customers were "Customers with many days since the last contact": one of them had a value,
    the other 301 were filled in. A quarter of a segment observed at least, or no score."""
    days = np.r_[26.0, np.full(301, np.nan), np.linspace(1.0, 25.0, 100), np.full(20, np.nan)]
    labels = np.r_[np.zeros(302, int), np.ones(120, int)]
    filled = np.flatnonzero(np.isnan(days))
    table = pd.DataFrame({"pdays": np.where(np.isnan(days), 13.0, days)})
    z = pd.DataFrame({"pdays": [5.0, -1.0]})
    z2, idx = masked_scores(table, labels, z, z.copy(), {"pdays": filled.tolist()})
    assert np.isnan(z2.at[0, "pdays"]) and np.isnan(idx.at[0, "pdays"])  # 1 of 302 observed
    observed = np.r_[26.0, np.linspace(1.0, 25.0, 100)]  # 100 of segment 1's 120 observed: a score
    assert idx.at[1, "pdays"] == pytest.approx(100 * 13.0 / observed.mean())
    assert z2.at[1, "pdays"] == pytest.approx((13.0 - observed.mean()) / observed.std())


def _cards_table(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat([0, 1], n // 2)
    trx = np.where(g == 0, rng.poisson(12, n), rng.poisson(0.3, n)).astype(float)
    trx[:5] = np.nan  # filled with the median, never a reason for a name
    return pd.DataFrame({"CUST_ID": [f"C{i:04d}" for i in range(n)], "CASH_ADVANCE_TRX": trx,
                         "BAL": np.where(g == 0, rng.gamma(5, 800, n), rng.gamma(2, 100, n)),
                         "BAL_COPY": 0.0, "TENURE": rng.integers(6, 13, n)}).assign(BAL_COPY=lambda d: d["BAL"])


def test_money_only_where_the_name_says_money():
    from segkit.config import params_from_mapping
    from segkit.kinds.customers.units import unit as _unit

    p = params_from_mapping({"data_kind": "customers"})
    assert _unit("total_spend", p) == "money" and _unit("BALANCE", p) == "money"
    assert _unit("spending_score", p) is None and _unit("Annual Income (k$)", p) == "k$"
    assert _unit("payment_count", p) is None and _unit("TENURE", p) is None


def test_credit_card_and_bank_columns_take_the_units_their_values_have():
    """A trial's credit-card table read "Price full payment: $0.69" (a share of months) and "fewer purchases
    (typically 0 vs 206)" (dollars), and a bank table's consumer price index read "€93 vs €94"."""
    from segkit.config import params_from_mapping
    from segkit.kinds.customers.units import unit as _unit

    p = params_from_mapping({"data_kind": "customers"})
    from segkit.kinds.customers.units import label

    assert _unit("PRC_FULL_PAYMENT", p, pd.Series([0.0, 0.5, 1.0])) == "share"
    assert label("PRC_FULL_PAYMENT", "numeric", p, pd.Series([0.0, 0.5, 1.0])) == "Percent full payment"
    assert label("SALE_PRC", "numeric", p, pd.Series([221900.0, 538000.0])) == "Sale price"  # a house sale
    assert _unit("SALE_PRC", p, pd.Series([221900.0, 538000.0])) == "money"
    assert _unit("avg_purchases_per_month", p, pd.Series([3.25, 1.5, 0.75])) != "money"  # a rate, no dollars
    assert _unit("cons.price.idx", p, pd.Series([93.2, 94.1])) is None
    assert _unit("PURCHASES", p, pd.Series([95.4, 0.0, 0.0, 0.0, 1200.55])) == "money"  # with cents: an amount
    assert _unit("purchases", p, pd.Series([1.0, 2.0, 3.0])) is None  # whole numbers: a count
    assert _unit("PURCHASES_TRX", p, pd.Series([2.0, 0.0, 12.0])) is None
    assert _unit("CASH_ADVANCE", p) == "money" and _unit("CREDIT_LIMIT", p) == "money"
    assert _unit("discount_pct", p, pd.Series([5.0, 12.5, 40.0])) == "%"
    assert default_label("ONEOFF_PURCHASES") == "One-off purchases"


def test_labels_units_and_entity_reach_names_cards_and_sentences():
    seg = segkit.segment_table(_cards_table(), data_kind="customers", k=2, id_col="CUST_ID", seed=0, bootstrap=2,
                               labels={"BAL": "Card balance"}, units={"BAL": "$", "TENURE": "months"},
                               entity="cardholder")
    fs = seg.features
    assert fs.entity == "cardholders" and fs.labels["BAL"] == "Card balance"
    assert fs.labels["CASH_ADVANCE_TRX"] == "Cash advance transactions" and fs.units["TENURE"] == "months"
    assert "BAL_COPY" not in fs.columns and any("BAL_COPY equals BAL" in n for n in fs.notes)
    assert fs.extra["imputed_rows"]["CASH_ADVANCE_TRX"] == [0, 1, 2, 3, 4]
    names = list(seg.profile.names.values())
    assert all(n.startswith("Cardholders") for n in names), names
    assert any("cash advance" in n for n in names)
    text = " ".join([*names, *seg.profile.descriptions.values(), *(seg.drivers or {}).values(),
                     *(f["value_text"] for c in seg.cards() for f in c["facts"])])
    for bad in ("_", "sd)", "e+0", "np.", "Shoppers", "visit", "days", "CASH ADVANCE", "High-"):
        assert bad not in text, (bad, text)
    assert "$" in text and "months" in text


def test_the_params_entity_reaches_the_scoring_page(tmp_path):
    """A telecom trial with ``entity: subscriber`` read "25 customers drawn at random" and "New customers" on 06."""
    from segkit.config import Params
    from segkit import stages
    from segkit.io import RunFolder
    from segkit.stages import RunContext

    folder = RunFolder(tmp_path).ensure()
    folder.write_parquet("clean.parquet", _cards_table())
    own = RunContext(Params(data_kind="customers", entity="subscriber", score_rows=5), folder)
    assert own.entity == "subscribers"
    assert RunContext(Params(data_kind="customers"), folder).entity == "customers"
    new = stages.score.new_rows(own)
    assert new.attrs["source"].startswith("5 subscribers drawn at random from the input")
    # rows of the input are not new: the table's column and the map's legend said "New customers" of them
    assert stages.score._scored_label(own, new) == "Subscribers drawn from the input"


def test_a_description_quotes_the_index_its_card_shows_when_values_were_filled():
    """A telco card said "total charges (index 8) ... below average" above its fact "Total charges: 263 (index 15)":
    the sentence was measured without the filled values, the fact with them. Both quote the same index now."""
    rng = np.random.default_rng(0)
    n = 300
    tenure = np.r_[rng.integers(0, 6, n // 2), rng.integers(40, 72, n // 2)].astype(float)
    charges = tenure * rng.uniform(50, 70, n)
    charges[:20] = np.nan  # new customers' blank total charges, filled with the overall median
    table = pd.DataFrame({"id": [f"C{i:04d}" for i in range(n)], "tenure": tenure, "total_charges": charges})
    seg = segkit.segment_table(table, data_kind="customers", k=2, id_col="id", seed=0, bootstrap=2)
    assert seg.features.extra["imputed_rows"]["total_charges"]
    for card in seg.cards():
        facts = {f["feature"]: f for f in card["facts"]}
        for quoted in re.findall(r"total charges \(index (\d+)\)", card["description"].lower()):
            assert int(quoted) == round(facts["total_charges"]["index"]), (card["description"], facts)


def test_a_card_states_no_fact_few_of_its_members_have():
    """A review found the 1-of-302 case kept out of the name but leading the card: "Days since the last contact: 26
    (index 198)"."""
    rng = np.random.default_rng(3)
    group = np.repeat([0, 1], 150)
    days = np.where(group == 1, rng.uniform(1, 25, 300), np.nan)
    days[0] = 26.0  # one member of the first group has a value: 149 of 300 empty, so the column stays a feature
    df = pd.DataFrame({"id": [f"c{i}" for i in range(300)], "pdays": days,
                       "spend": np.where(group, 400.0, 40.0) + rng.normal(0, 5, 300)})
    seg = segkit.segment_table(df, data_kind="customers", id_col="id", k=2, seed=0, bootstrap=2, features=["spend"])
    first = int(seg.labels.iloc[0])
    assert (seg.labels.to_numpy() == first).sum() == 150  # the groups are the segments
    cards = {c["segment"]: c for c in seg.cards(n_facts=4)}
    assert [f["feature"] for f in cards[first]["facts"]] == ["spend"]  # pdays: 1 of 150 observed, no fact
    assert "pdays" in [f["feature"] for f in cards[1 - first]["facts"]]


@pytest.mark.parametrize("name, values, expected", [
    ("Age", [19, 35, 64, 23], "years"),  # Mall Customers: "Age: 26.7" beside a census table's "40.1 years"
    ("age", [23.0, 45.5, 67.0], "years"),
    ("customer_age", [41, 52, 38], "years"),
    ("CustomerAge", [41, 52, 38], "years"),
    ("Client Age", [41, 52, 38], "years"),
    ("Age (years)", [41, 52, 38], "years"),
    ("AGE", [41, None, 38], "years"),  # a gap is no reason to doubt the rest
    ("age", [1, 2, 3, 4, 5, 6, 7], None),  # an age band's codes
    ("age", [20, 400, 900], None),  # an account's age in days
    ("account_age", [3, 30, 61], None),  # not a person's age
    ("age_band", [2, 3, 4], None),
    ("AgeGroup", [2, 3, 4], None),
    ("average_order", [30, 40, 50], None),
    ("usage", [30, 40, 50], None),
    ("page_views", [30, 40, 50], None),
    ("mileage", [30, 40, 50], None),
    ("age_months", [300, 400, 500], "months"),  # the name states its unit
])
def test_a_persons_age_is_in_years(name, values, expected):
    from segkit.config import params_from_mapping
    from segkit.kinds.customers.units import unit as _unit

    p = params_from_mapping({"data_kind": "customers"})
    assert _unit(name, p, pd.Series(values, dtype=float)) == expected
    assert _unit(name, params_from_mapping({"data_kind": "customers", "units": {name: "count"}}),
                 pd.Series(values, dtype=float)) == "count"  # the params' unit wins


def test_new_years_and_an_abbreviation_ending_in_s():
    """hotel_rates' near_new_years read "Near new (years)" (a unit), HELPrct's mcs (a mental health score) "many
    mcs" (a plural noun): a word with no vowel before its s is an abbreviation, no count."""
    from segkit.naming.words import default_label, feature_phrase

    assert default_label("near_new_years") == "Near new years"
    assert default_label("tenure_years") == "Tenure (years)" and default_label("spend_last_2_years") == \
        "Spend last 2 years"
    assert feature_phrase("Mcs", high=True) == "high mcs" and feature_phrase("Pcs", high=False) == "low pcs"
    assert feature_phrase("Logins", high=True) == "many logins" and feature_phrase("Visits", high=False) == \
        "few visits"


def test_units_of_measure_in_a_name():
    """palmerpenguins' bill_length_mm and body_mass_g read "Bill length mm" and "Body mass g", their values plain
    numbers: a metric or imperial unit last in a name is its unit; a letter alone names no unit."""
    from segkit.naming.words import default_label, stated_unit

    assert [default_label(n) for n in ("bill_length_mm", "body_mass_g", "weight_lbs", "dose_mg")] == [
        "Bill length (mm)", "Body mass (g)", "Weight (lb)", "Dose (mg)"]
    assert [stated_unit(n) for n in ("bill_length_mm", "body_mass_g", "g", "g_rate", "height_cm")] == [
        "mm", "g", None, None, "cm"]


def test_initials_a_degree_and_women_in_a_name():
    """ISLR's College read "Colleges with low ph d" and "high s f ratio", carData's Prestige "Occupations with low
    women" (its share of women): initials written with dots are one word, a PhD is one, and women are counted."""
    from segkit.naming.words import default_label, feature_phrase, split_words

    assert split_words("S.F.Ratio") == ["SF", "Ratio"] and default_label("S.F.Ratio") == "SF ratio"
    assert default_label("PhD") == "PhD" and split_words("NumWebPurchases") == ["Num", "Web", "Purchases"]
    assert feature_phrase("PhD", high=False) == "low PhD"  # in a name too: "Colleges with low PhD", not "low phD"
    assert default_label("Room.Board") == "Room board" and default_label("perc.alumni") == "Percent alumni"
    assert feature_phrase("Women", high=False) == "few women" and feature_phrase("Men", high=True) == "many men"


@pytest.mark.parametrize("label, high, said", [
    ("has children: yes", True, "children"), ("has children: yes", False, "no children"),
    ("Has cr card: no", True, "no cr card"), ("owns car: no", False, "car"), ("newsletter: no", True, "no newsletter")])
def test_a_yes_no_of_having_says_the_thing(label, high, said):
    """HasCrCard and has_children read "no has cr card" and "a share with no has children": the thing the rows have."""
    assert feature_phrase(label, high=high) == said


@pytest.mark.parametrize("label, high, said", [
    ("married: yes", True, "who are married"), ("married: yes", False, "who are not married"),
    ("married: no", True, "who are not married"), ("is active member: yes", True, "who are active members"),
    ("is active member: no", True, "who are not active members"), ("senior citizen: yes", True, "who are senior citizens"),
    ("is repeated guest: yes", True, "who are repeated guests"), ("Is senior: no", True, "who are not senior"),
    ("is weekend: no", True, "no weekend"), ("partner: yes", True, "partner"), ("dependents: no", True, "no dependents"),
    ("paperless billing: yes", True, "paperless billing"), ("member: yes", True, "member"),
    ("smoker: no", True, "who are not smokers"), ("is student: yes", True, "who are students")])
def test_a_yes_no_of_being_says_what_the_rows_are(label, high, said):
    """A bank's IsActiveMember read "no is active member", a table's Married "Customers with married" and Telco's
    SeniorCitizen "Customers with senior citizen": what the rows are is a clause of its own; having stays "with"."""
    assert feature_phrase(label, high=high) == said


@pytest.mark.parametrize("name, said, joined", [
    ("Customers", "who are married", "Customers who are married"),
    ("Customers", "no cr card", "Customers with no cr card"),
    ("Customers with high income", "who are not married", "Customers with high income who are not married"),
    ("Customers who are married", "higher income", "Customers who are married with higher income"),
    ("Customers who are married with higher income", "no cr card", "Customers who are married with higher income and no "
                                                                    "cr card"),
    ("Customers who are married", "who are active members", "Customers who are married and active members")])
def test_a_name_takes_a_clause_of_being_after_its_noun(name, said, joined):
    from segkit.naming.words import added

    assert added(name, said) == joined

