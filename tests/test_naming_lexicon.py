"""Lexicon naming from z-score profiles: entries, fallbacks, uniqueness, reuse with another lexicon."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from segkit.errors import DataFileError, ParamsError, SegmentationError
from segkit.kinds.demographics.acs import load_feature_groups
from segkit.kinds.customers.naming import LEXICON as CUSTOMER_LEXICON
from segkit.kinds.demographics import LEXICON as ACS_LEXICON
from segkit.naming.lexicon import load_lexicon, name_segments_from_lexicon
from segkit.profile import SegmentName

FEATURES = [s.name for g in load_feature_groups() for s in g.features]


def profile(rows: list[dict[str, float]]) -> pd.DataFrame:
    """Segments x all ACS features, zero unless given."""
    return pd.DataFrame([{f: r.get(f, 0.0) for f in FEATURES} for r in rows])


def test_shipped_lexicon_covers_the_shipped_features():
    lex = load_lexicon(ACS_LEXICON)
    assert 25 <= len(lex.entries) <= 45
    used = {f for e in lex.entries for f in e.when}
    assert used <= set(FEATURES)
    assert set(lex.features) == set(FEATURES)
    assert all(w.high for w in lex.features.values())  # every feature has a fallback adjective


def test_changing_a_profile_changes_its_name_to_the_retiree_entry():
    z = profile([{"share_renters": 1.2, "share_age_18_34": 0.9}, {"share_units_detached": 0.7}])
    before = name_segments_from_lexicon(z, ACS_LEXICON)
    assert before[0].name == "Young Urban Renters"
    z.loc[0, ["share_age_75_plus", "log_median_home_value"]] = [2.0, 1.4]
    after = name_segments_from_lexicon(z, ACS_LEXICON)
    assert after[0].name == "Affluent Retirees"
    assert after[0].description.startswith("Older owners in valuable homes: residents aged 75+, home values")
    assert isinstance(after[0], SegmentName) and after[0].action == ""


def test_threshold_and_low_conditions():
    z = profile([{"median_age": 0.6, "share_age_0_17": -0.6},
                 {"median_age": 0.6, "share_age_0_17": -0.49, "share_vacant": 0.3}])
    names = name_segments_from_lexicon(z, ACS_LEXICON)
    assert names[0].name == "Retirement Communities"
    assert names[1].name == "Older Neighbourhoods"  # -0.49 is not low at threshold 0.5
    lower = name_segments_from_lexicon(z, ACS_LEXICON, threshold=0.4)
    assert (lower[0].name, lower[1].name) == ("Retirement Communities", "Seasonal Retirement Communities")


def test_the_strongest_matching_entry_wins():
    z = profile([{"log_median_household_income": 1.0, "share_bachelors_plus": 1.0,
                  "share_households_with_children": 2.5}])
    assert name_segments_from_lexicon(z, ACS_LEXICON)[0].name == "Prosperous Families"  # 3.5 beats 2.0
    z.loc[0, "share_households_with_children"] = 0.6
    assert name_segments_from_lexicon(z, ACS_LEXICON)[0].name == "Affluent Professionals"


def test_names_stay_unique_when_top_features_are_identical():
    retiree = {"share_age_75_plus": 2.0, "log_median_home_value": 1.5}
    z = profile([{**retiree, "share_vacant": 0.9}, {**retiree, "share_commute_walked": 0.8},
                 {**retiree, "share_vacant": 0.9, "share_renters": -0.7}])
    names = {s: n.name for s, n in name_segments_from_lexicon(z, ACS_LEXICON).items()}
    assert names[1] == "Walkable Affluent Retirees"
    assert names[0] == "Seasonal Affluent Retirees"
    assert names[2] == "Home-Owning Affluent Retirees"  # where it differs most from the other two
    assert len(set(names.values())) == 3 and not any(ch.isdigit() for n in names.values() for ch in n)


def test_segments_a_category_tells_apart_need_no_measure_and_same_words_are_one_name():
    """A telco trial's one group cut in two by gender was named "Long-Standing Customers with low monthly charges" and
    "... with high total charges" on the same charges ($32 and $33); a census trial's "Affluent High-Rent" and
    "High-Rent Affluent Neighbourhoods" said the same words in another order."""
    retiree = {"share_age_75_plus": 2.0, "log_median_home_value": 1.5}
    z = profile([{**retiree, "share_vacant": 0.9}, {**retiree, "share_vacant": 0.8, "share_renters": -0.7}])
    plain = {s: n.name for s, n in name_segments_from_lexicon(z, ACS_LEXICON).items()}
    assert plain == {0: "Seasonal Affluent Retirees", 1: "Home-Owning Affluent Retirees"}  # a measure tells them apart
    told = name_segments_from_lexicon(z, ACS_LEXICON, told={0: "tenure: owner", 1: "tenure: renter"})
    assert told[0].name == told[1].name == "Affluent Retirees"  # the level will say it
    with pytest.raises(SegmentationError):
        name_segments_from_lexicon(pd.concat([z.iloc[[0]]] * 2, ignore_index=True), ACS_LEXICON,
                                   told={0: "tenure: owner", 1: "tenure: owner"})
    from segkit.naming.words import same_words
    assert same_words("Affluent High-Rent Neighbourhoods") == same_words("High-Rent Affluent Neighbourhoods")
    assert same_words("Affluent Neighbourhoods") != same_words("Affluent High-Rent Neighbourhoods")


def test_a_level_told_for_one_twin_only_does_not_tell_the_other_apart():
    """An Ethiopian supermarket trial named two segments "Affluent Savers (visit frequency: Monthly)" and "Affluent
    Savers": the level said what the first one is, nothing said what the second one is. Only a level of its own for
    every segment of the name tells them apart; otherwise a measure does, as for equal names."""
    retiree = {"share_age_75_plus": 2.0, "log_median_home_value": 1.5}
    z = profile([{**retiree, "share_vacant": 0.9}, {**retiree, "share_vacant": 0.8, "share_renters": -0.7}])
    from segkit.naming.words import same_words
    for told in ({0: "tenure: owner"}, {1: "tenure: renter"}, {0: "tenure: owner", 1: ""}):
        names = {s: n.name for s, n in name_segments_from_lexicon(z, ACS_LEXICON, told=told).items()}
        assert same_words(names[0]) != same_words(names[1]), (told, names)
        assert names == {0: "Seasonal Affluent Retirees", 1: "Home-Owning Affluent Retirees"}  # as without a level


def test_a_name_told_apart_from_its_twin_never_says_the_opposite_of_the_whole():
    """A trial's county segment was "Executive Suburbs with fewer children under 18" at 24.1% children against 18.7%
    overall: fewer only than the other Executive Suburbs. A qualifier now takes a feature whose difference from the
    twins points the way its difference from the whole does, even a smaller one."""
    from segkit.naming.lexicon import _Namer, _qualifier

    suburb = {"log_median_household_income": 1.5, "share_bachelors_plus": 1.4}
    z = profile([{**suburb, "share_age_0_17": 1.2, "share_vacant": 0.1},
                 {**suburb, "share_age_0_17": 0.2, "share_vacant": -0.2},
                 {**suburb, "share_age_0_17": 1.0, "share_vacant": 0.0}])
    namer = _Namer(load_lexicon(ACS_LEXICON), 0.5, {}, "Areas")
    feat, up, absolute = _qualifier(z, 1, [0, 1, 2], list(suburb), namer)
    assert (feat, up, absolute) == ("share_vacant", False, False)  # not "fewer children": it has more than the whole
    assert _qualifier(z, 0, [0, 1, 2], list(suburb), namer)[:2] == ("share_age_0_17", True)


def test_identical_profiles_cannot_be_named_apart():
    z = profile([{"share_age_75_plus": 2.0}, {"share_age_75_plus": 2.0}])
    with pytest.raises(SegmentationError, match="no further feature tells them apart"):
        name_segments_from_lexicon(z, ACS_LEXICON)


def test_fallback_and_default_names():
    z = profile([{"share_renters": 1.0, "log_median_household_income": 0.8}, {},
                 {"share_units_detached": 0.9}])
    names = name_segments_from_lexicon(z, ACS_LEXICON)
    assert names[0].name == "Affluent Renters"  # adjective of the 2nd feature + noun of the 1st
    assert names[0].description == "Areas with renting households and household income above average."
    index = pd.DataFrame(100.0, index=z.index, columns=z.columns)
    index.loc[0, ["share_renters", "log_median_household_income"]] = [180.0, 140.0]
    with_index = name_segments_from_lexicon(z, ACS_LEXICON, index=index)
    assert with_index[0].description == ("Areas with renting households (index 180) and household income (index 140) "
                                         "above average.")
    assert "sd" not in with_index[0].description
    assert names[1].name == "Mainstream Mix"
    assert names[1].description == "Close to the average area on every feature."
    assert names[2].name == "Suburban Neighbourhoods"


def test_an_adjective_never_contradicts_the_noun():
    """A census trial named areas "Upscale Mature Young Families": "Mature" (few adults aged 18-34, whose word for
    many is "Young") before "Young Families" (many children). The next feature's adjective is taken instead."""
    z = profile([{"share_age_0_17": 1.5, "share_age_18_34": -1.2, "share_unemployed": -0.9},
                 {"share_renters": 1.0, "log_median_household_income": 0.8}])
    names = name_segments_from_lexicon(z, ACS_LEXICON)
    assert names[0].name == "Fully-Employed Young Families"
    assert names[1].name == "Affluent Renters"  # no contradiction: as before


def test_a_name_drawn_from_the_index_is_what_the_sentence_says():
    """A telco card read "Customers with low total charges" over "Close to the average customer on every measure."
    (total charges at index 71, 0.4 standard deviations below average): the name came from the index, the sentence
    from the z-scores."""
    z = profile([{"share_renters": -0.4}, {"share_renters": 0.4}])
    index = pd.DataFrame(100.0, index=z.index, columns=z.columns)
    index.loc[0, "share_renters"], index.loc[1, "share_renters"] = 60.0, 140.0
    names = name_segments_from_lexicon(z, ACS_LEXICON, index=index)
    assert names[0].name == "Neighbourhoods with few renting households"  # the name speaks of renters ...
    assert names[0].description == "Areas with renting households (index 60) below average."  # ... and so does this


def test_a_description_says_what_the_names_adjective_came_from():
    """The Mall table's "Careful Older Customers" were described as "Customers with age (index 150) above average.":
    "Careful" told them apart from the other "Older Customers" by a spending score of index 80, which the sentence
    (features beyond half a standard deviation) left out."""
    from segkit.kinds.customers.naming import LEXICON as lexicon
    z = pd.DataFrame({"age": [1.2, 1.5, -1.0], "spending_score": [0.1, -0.4, 0.3], "income": [0.0, -0.1, 0.2]})
    index = 100 + 40 * z
    names = name_segments_from_lexicon(z, lexicon, index=index)
    assert names[1].name == "Careful Older Customers"
    assert names[1].description == "Customers with age (index 160) above average; spending score (index 84) below."
    assert names[0].description == "Customers with age (index 148) above average."  # its name has no adjective
    assert names[2].description == "Customers with age (index 60) below average."
    # a name that says "younger" only against the others of its name (age index 118: older than average) is not
    # described as above average in what it calls younger, nor as below
    z = pd.DataFrame({"age": [0.46, 0.87, -0.57, -0.21, 0.44], "income": [0.79, 0.62, -0.70, -1.55, 0.81],
                      "spending_score": [1.57, 1.13, 0.03, -0.07, 0.75]})
    names = name_segments_from_lexicon(z, lexicon, index=100 + 40 * z)
    assert names[4].name == "Affluent High Spenders with younger age" and z.at[4, "age"] > 0
    assert "age (index" not in names[4].description
    # a feature whose index is a placeholder (100) is not said to be above or below average
    cats = pd.DataFrame({"age": [1.2, 1.2, -1.0], "income": [0.1, 0.1, -0.2], "spending_score": [0.4, -0.4, 0.0]})
    index = (100 + 40 * cats).assign(spending_score=100.0)
    names = name_segments_from_lexicon(cats, lexicon, index=index)
    assert names[0].name == "Free-Spending Older Customers" and names[1].name == "Careful Older Customers"
    assert "spending" not in names[0].description and "spending" not in names[1].description


def test_reusable_with_a_customer_lexicon(tmp_path):
    path = tmp_path / "lexicon_customers.yaml"
    path.write_text(
        "subject: Customers\n"
        "entries:\n"
        "  - {name: Loyal Big Spenders, when: {frequency: high, monetary: high},"
        " description: Frequent buyers with large baskets, action: Reward and retain}\n"
        "features:\n"
        "  monetary: {label: spend, high: Big-Spending, low: Thrifty}\n")
    z = pd.DataFrame({"frequency": [1.1, -0.7, 0.0], "monetary": [0.9, -1.2, 0.0], "tenure_days": [0.2, 0.3, 0.0]},
                     index=[0, 1, 2])
    names = name_segments_from_lexicon(z, path)
    assert names[0] == SegmentName("Loyal Big Spenders",
                                   "Frequent buyers with large baskets: frequency and spend above average.",
                                   "Reward and retain")
    assert names[1].name == "Thrifty Group"  # a feature the lexicon lacks gives no adjective
    assert names[1].description == "Customers with spend and frequency below average."
    assert names[2].name == "Mainstream Mix"


def test_bad_lexicons_fail_clearly(tmp_path):
    with pytest.raises(ParamsError, match="use high or low"):
        load_lexicon({"entries": [{"name": "X", "when": {"age": "very high"}}]})
    with pytest.raises(ParamsError, match="appears twice"):
        load_lexicon({"entries": [{"name": "X", "when": {"a": "high"}}, {"name": "X", "when": {"b": "low"}}]})
    with pytest.raises(DataFileError, match="does not exist"):
        load_lexicon(tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match="threshold must be positive"):
        name_segments_from_lexicon(profile([{}]), ACS_LEXICON, threshold=0)


def test_high_min_keeps_a_composition_word_for_segments_where_the_group_is_a_real_share():
    """A segment where 8% of residents are Asian (against 2% overall: index 400, z far above the threshold) is not
    "Asian-American"; one where 40% are is. The sentence gives the index either way."""
    lex = {"entries": [{"name": "Asian-American Family Areas", "when": {"share_asian": "high", "share_kids": "high"}}],
           "features": {"share_asian": {"label": "Asian residents", "high": "Asian-American", "high_min": 0.25},
                        "share_kids": {"label": "children", "high": "Family", "high_noun": "Family Areas"},
                        "share_old": {"label": "older residents", "high": "Older", "high_noun": "Retiree Areas"}}}
    z = pd.DataFrame({"share_asian": [2.5, 2.5, -0.6], "share_kids": [1.0, 1.0, -1.0], "share_old": [0.8, 0.1, 1.9]})
    index = pd.DataFrame({"share_asian": [400.0, 2000.0, 50.0], "share_kids": [150.0, 150.0, 50.0],
                          "share_old": [130.0, 105.0, 220.0]})
    low = pd.DataFrame({"share_asian": [0.08, 0.40, 0.01], "share_kids": [0.3, 0.3, 0.1], "share_old": [0.2, 0.1, 0.4]})
    names = name_segments_from_lexicon(z, lex, index=index, values=low)
    assert names[1].name == "Asian-American Family Areas"  # 40%: the entry holds
    assert "Asian" not in names[0].name and names[0].name == "Older Family Areas"
    assert "Asian residents (index 400)" in names[0].description
    # without values, high_min cannot be checked and the words are used as before
    assert name_segments_from_lexicon(z.iloc[[0, 2]], lex, index=index.iloc[[0, 2]])[0].name == \
        "Asian-American Family Areas"
    with pytest.raises(ParamsError, match="high_min"):
        name_segments_from_lexicon(z, {"features": {"share_asian": {"high_min": "a quarter"}}})


def test_customers_low_income_alone_reads_lower_income_not_budget():
    """A segment set apart by low income alone is "Lower-Income Customers": "Budget Customers" read as a price
    plan or a habit of budgeting, not as the income it measures."""
    from segkit.kinds.customers import LEXICON as CUSTOMERS_LEXICON

    z = pd.DataFrame([{"income": -1.2, "age": 0.1}, {"income": 1.1, "age": -0.1}])
    names = name_segments_from_lexicon(z, CUSTOMERS_LEXICON)
    assert (names[0].name, names[1].name) == ("Lower-Income Customers", "Affluent Customers")


def test_a_name_of_plain_words_says_a_trait_the_segment_holds_most_of():
    """Telco: "Customers with low total charges" held more total charges than "Customers with low monthly charges"
    (665 against 1,070): a segment is named by the strongest of its traits that no other segment holds more of."""
    from segkit.kinds.customers.naming import _lexicon

    z = pd.DataFrame({"total_fees": [-0.8, -1.2, 1.5], "support_calls": [0.6, 0.0, -0.5]}, index=[0, 1, 2])
    labels = {"total_fees": "total fees", "support_calls": "support calls"}
    names = {s: n.name for s, n in name_segments_from_lexicon(z, _lexicon(), labels=labels).items()}
    assert names == {0: "Customers with many support calls", 1: "Customers with low total fees",
                     2: "Customers with high total fees"}, names
    # two segments low on their one trait: the further one has "the lowest", where it read "Customers with low total
    # fees and lower total fees"
    alone = {s: n.name for s, n in name_segments_from_lexicon(z.drop(columns="support_calls"), _lexicon(),
                                                              labels=labels).items()}
    assert alone == {0: "Customers with low total fees", 1: "Customers with the lowest total fees",
                     2: "Customers with high total fees"}, alone


def test_the_lowest_is_said_only_of_the_segment_further_the_way_its_name_goes():
    """A review: with the two low segments in the other order, the one less low read "the highest total fees"."""
    from segkit.kinds.customers.naming import _lexicon

    z = pd.DataFrame({"total_fees": [-1.2, -0.8, 1.5]}, index=[0, 1, 2])
    names = {s: n.name for s, n in name_segments_from_lexicon(z, _lexicon(), labels={"total_fees": "total fees"}).items()}
    assert not any("highest" in n for n in (names[0], names[1])), names
    assert names[2] == "Customers with high total fees" and len(set(names.values())) == 3


@pytest.mark.parametrize("order", [[1.0, 0.7, -1.2], [0.7, 1.0, -1.2]])
def test_no_name_says_a_trait_both_ways(order):
    """AER's Fertility: two segments high on work read "Customers with high work" and "Customers with high work and
    lower work" (the second lower than the first only): the one further the way the name goes takes "the highest",
    the other keeps its name, in either order."""
    z = pd.DataFrame({"work": order}, index=[0, 1, 2])
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Customers").items()}
    top = int(np.argmax(order))
    assert names[top] == "Customers with the highest work" and names[1 - top] == "Customers with high work", names
    assert not any(re.search(r"high.*low|low.*high", n) for n in names.values()), names


def test_a_description_says_a_yes_no_column_once_by_its_yes():
    """COUNT's affairs were "Customers with a share with no hapavg (index 148) ... above average; a share with hapavg
    (index 0) ... below": the two levels of one yes/no column, the same fact twice; likewise "region: North (index
    202) above average; region: South (index 0) below"."""
    from dataclasses import replace
    from segkit.kinds.customers.naming import LEXICON
    from segkit.naming.describe import describe_profile
    from segkit.naming.lexicon import FeatureWords
    levels = {"ban: 0": "Ban: no", "ban: 1": "Ban: yes", "plan: Gold": "Plan: Gold", "plan: Basic": "Plan: Basic"}
    lexicon = load_lexicon(LEXICON)
    lexicon = replace(lexicon, features={**lexicon.features, **{f: FeatureWords(label=w) for f, w in levels.items()}})
    row = pd.Series({"ban: 0": 1.2, "ban: 1": -1.2, "age": 0.9, "plan: Gold": 0.7, "plan: Basic": -0.7})
    index = pd.Series({"ban: 0": 148.0, "ban: 1": 0.0, "age": 130.0, "plan: Gold": 180.0, "plan: Basic": 60.0})
    said = describe_profile(row, lexicon, labels={"age": "Age"}, index=index, named={"ban: 0": True})
    assert said == ("Customers with age (index 130) and a share of plan Gold (index 180) above average; a share with "
                    "ban (index 0) below.")  # a column of two levels: its level below average is the other's fact
    silver = replace(lexicon, features={**lexicon.features, "plan: Silver": FeatureWords(label="Plan: Silver")})
    said = describe_profile(row.to_frame().T.assign(**{"plan: Silver": 0.1}).iloc[0], silver, labels={"age": "Age"},
                            index=index)
    assert said.endswith("a share with ban (index 0) and a share of plan Basic (index 60) below.")  # three levels
    # a yes/no level alone (its no not a feature) is said as before
    said = describe_profile(row.drop("ban: 1"), lexicon, labels={"age": "Age"}, index=index)
    assert said.startswith("Customers with a share with no ban (index 148), age (index 130)")


def test_a_second_word_comes_from_a_leading_trait_and_the_description_says_it():
    """IBM's attrition table named two segments "Affluent Customers" and "Older Affluent Customers" at ages 44.3 and
    45.7: "Older" came from the second one's fifth trait above average (z 0.96, its income 1.63), which its card did not
    list. A second word comes from a trait the description lists first or one nearly as strong as the first word's;
    and the description says every trait the name's words come from ("Lower-Income Young": income, its third low)."""
    from segkit.kinds.customers.naming import LEXICON as lexicon
    cols = ["age", "income", "tenure_years", "total_years", "promotion_years", "role_years", "manager_years"]
    z = pd.DataFrame([[0.81, 0.81, -0.66, 0.65, -0.3, -0.7, -0.75],     # the younger of the two affluent segments
                      [0.96, 1.63, 1.95, 1.58, 1.62, 1.4, 0.9],         # age is its sixth trait above average
                      [-0.91, -0.74, -0.5, -0.98, -0.4, -0.3, -0.2]],   # income its third trait below average
                     columns=cols)
    values = pd.DataFrame({"age": [44.3, 45.7, 28.6]})
    names = name_segments_from_lexicon(z, lexicon, index=100 + 40 * z, values=values)
    assert "Older" not in names[1].name and names[1].name.startswith("Affluent Customers with")
    assert names[0].name.startswith("Affluent Customers with")  # told apart by a trait both cards show
    assert names[2].name == "Lower-Income Young Customers"
    assert "income (index 70)" in names[2].description and "age (index 64)" in names[2].description
    # the same segment with income among its two strongest lows keeps the word too, now listed on its own
    z.loc[2, "total_years"] = -0.3
    names = name_segments_from_lexicon(z, lexicon, index=100 + 40 * z, values=values)
    assert names[2].name == "Lower-Income Young Customers"


@pytest.mark.parametrize("values, said", [
    ([-1.2, -0.9, -0.6, 1.0], ["the fewest", "very few", "few", "many"]),
    ([-1.3, -1.0, -0.8, -0.6, 1.5], ["the fewest", "very few", "few", "fairly few", "many"]),
    ([-0.6, -1.0, -1.3, -0.8, 1.5], ["fairly few", "very few", "the fewest", "few", "many"])])
def test_segments_of_one_name_on_one_measure_are_ranked_along_it(values, said):
    """Three or four segments low on the one measure of a table stopped naming ("no further feature tells them apart")
    or read "Customers with the fewest tickets and fewer tickets" beside "Customers with few tickets and more
    tickets": they are ranked along it, the furthest first."""
    z = pd.DataFrame({"tickets": values})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Customers").items()}
    assert names == {s: f"Customers with {w} tickets" for s, w in enumerate(said)}, names


def test_a_table_of_one_measure_names_its_segments_in_order():
    import segkit

    rng = np.random.default_rng(0)
    tickets = np.r_[rng.normal(10, 1, 300), rng.normal(12, 1, 300), rng.normal(14, 1, 300), rng.normal(40, 3, 100),
                    rng.normal(60, 3, 50)]
    result = segkit.segment_table(pd.DataFrame({"id": range(len(tickets)), "tickets": tickets}),
                                  data_kind="customers", id_col="id", k=6, seed=0)
    names = result.profiles.names
    assert not any(re.search(r" and (more|fewer) ", n) for n in names.values()), names
    low = [names[s] for s in result.profiles.zscores["tickets"].sort_values().index[:3]]
    assert low == ["Customers with the fewest tickets", "Customers with very few tickets", "Customers with few tickets"]


@pytest.mark.parametrize("mean, said", [(1.01, "more"), (1.99, "more"), (2.0, "many"), (float("nan"), "many")])
def test_many_only_from_two_on_average(mean, said):
    """A hotel's bookings read "many required car parking spaces" for a segment with 1.01 of them on average (0.2
    overall): a count the segment has fewer than two of on average is "more" (MANY_MIN); unknown, the word stands."""
    z = pd.DataFrame({"parking spaces": [1.5, -0.8], "lead time": [0.0, 0.2]})
    counts = pd.DataFrame({"parking spaces": [mean, 0.05]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Bookings", counts=counts).items()}
    assert names[0] == f"Bookings with {said} parking spaces", names
    assert names[1] == "Bookings with few parking spaces"  # few stays few: 0.05 on average


def test_graded_many_says_more_below_two_and_names_stay_apart():
    """Ranked segments ("the most", "very many", "many") below two on average say "more"; where that would give two
    segments the same words, the names stay as they were."""
    z = pd.DataFrame({"calls": [1.6, 1.2, -1.4]})
    counts = pd.DataFrame({"calls": [6.0, 1.5, 0.1]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Customers", counts=counts).items()}
    assert names == {0: "Customers with the most calls", 1: "Customers with more calls", 2: "Customers with few calls"}
    z = pd.DataFrame({"calls": [1.6, 1.2, 0.8, -1.4]})
    counts = pd.DataFrame({"calls": [1.9, 1.5, 1.2, 0.1]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Customers", counts=counts).items()}
    assert names[0] == "Customers with the most calls" and len({n for n in names.values()}) == 4, names
    assert names[1] == "Customers with very many calls" and names[2] == "Customers with many calls", names


def test_segments_a_bound_leaves_without_words_are_told_apart_comparatively():
    """Stat2Data's LosingSleep, teenagers of 14 to 18 and their age the one measure: 17 and 18 are above average but
    no "Older" customers (the word's bound is 45), so three segments were "Typical Customers" and the run stopped
    ("no further feature tells them apart"). Segments a bound leaves without words are told apart by the measure
    itself, comparatively, never with the bounded word."""
    from segkit.kinds.customers.naming import LEXICON as lexicon

    z = pd.DataFrame({"age": [-1.1, -0.06, 0.75, 1.57]})
    values = pd.DataFrame({"age": [14.7, 16.0, 17.0, 18.0]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, lexicon, values=values).items()}
    assert names == {0: "Young Customers", 1: "Typical Customers", 2: "Typical Customers with older age",
                     3: "Typical Customers with the oldest age"}, names
    assert not any(name.startswith("Older") for name in names.values())


def test_a_column_of_two_levels_is_named_by_the_level_a_segment_holds():
    """COUNT's affairs (0/1 columns read as levels) named segments "Customers with a vryhap other than 0" beside
    "Customers with vryhap 0": below average on one of two levels is above on the other, which the name says."""
    z = pd.DataFrame({"vryhap: 0": [-1.2, 1.2, 0.1], "vryhap: 1": [1.2, -1.2, -0.1], "region: urban": [0.0, 0.0, -0.9]})
    labels = {feature: feature for feature in z.columns}  # as the customers kind labels its levels
    names = {s: n.name for s, n in name_segments_from_lexicon(z, {}, noun="Customers", labels=labels).items()}
    assert names[0] == "Customers with vryhap 1" and names[1] == "Customers with vryhap 0", names
    assert names[2] == "Customers with a region other than urban", names  # a level alone keeps its low side
    # two measures of one name before ": " are no levels (their z-scores do not mirror): the strongest still leads
    z = pd.DataFrame({"Spend: food": [-1.5, 1.0, 0.5], "Spend: travel": [0.1, 0.9, -1.0]})
    names = name_segments_from_lexicon(z, {}, noun="Customers", labels={feature: feature for feature in z.columns})
    assert names[0].name == "Customers with a spend other than food", names


def test_many_says_more_beside_names_their_levels_tell_apart():
    """Two segments of plan Gold and plan Silver with about 1.2 support calls each kept "many support calls": their
    names were the same words before the levels were added, which undid the change."""
    z = pd.DataFrame({"calls": [1.5, 1.4, -1.0]})
    counts = pd.DataFrame({"calls": [1.2, 1.1, 0.1]})
    names = name_segments_from_lexicon(z, {}, noun="Customers", counts=counts, told={0: "plan: A", 1: "plan: B"})
    assert names[0].name == names[1].name == "Customers with more calls", names


def test_up_to_four_segments_a_side_are_ranked_around_the_one_nearest_the_average():
    """Five segments of teenagers (16 to 18) read "... with younger age" for a segment older than the plain "Typical"
    one, and "... with older age and older age": ranked from the one nearest the average, never against the order."""
    from segkit.kinds.customers.naming import LEXICON as lexicon

    z = pd.DataFrame({"age": [-0.1, 0.3, 0.6, 0.9, 1.2]})
    values = pd.DataFrame({"age": [16.0, 16.5, 17.0, 17.5, 18.0]})
    names = [n.name for n in name_segments_from_lexicon(z, lexicon, values=values).values()]
    assert names == ["Typical Customers", "Typical Customers with slightly older age", "Typical Customers with older age",
                     "Typical Customers with far older age", "Typical Customers with the oldest age"], names
    z = pd.DataFrame({"age": [-0.1, 0.3, 0.6, 0.9, 1.2, 1.5]})  # five on one side: no words keep them apart
    values = pd.DataFrame({"age": [16.0, 16.5, 17.0, 17.5, 18.0, 18.5]})
    with pytest.raises(SegmentationError, match="no further feature tells them apart"):
        name_segments_from_lexicon(z, lexicon, values=values)


@pytest.mark.parametrize("first_income, second", [(-1.0, "Young Customers"), (-0.5, "Lower-Income Young Customers")])
def test_a_name_does_not_claim_what_another_segment_holds_more_of(first_income, second):
    """The Ethiopian supermarket's S02 was "Lower-Income Young Customers" beside S01 "Young High Spenders", whose income
    is lower still (ETB 41,000 against 55,000): the adjective goes when a segment whose name does not say income is
    further that way, and stays when none is."""
    from segkit.kinds.customers.naming import _lexicon

    z = pd.DataFrame({"age": [-1.2, -0.8, 1.0], "spending_score": [1.3, 0.3, -1.0], "income": [first_income, -0.7, 1.0]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, _lexicon()).items()}
    assert names == {0: "Young High Spenders", 1: second, 2: "Affluent Savers"}


def test_the_adjective_stays_when_dropping_it_would_give_two_segments_one_name():
    from segkit.kinds.customers.naming import _lexicon

    # segment 0, lowest on income, does not say it; but without its adjective segment 1 would be segment 2's name
    z = pd.DataFrame({"age": [-1.2, -0.9, -0.8], "spending_score": [1.3, 0.0, 0.1], "income": [-1.0, -0.8, 0.0]})
    names = {s: n.name for s, n in name_segments_from_lexicon(z, _lexicon()).items()}
    assert names == {0: "Young High Spenders", 1: "Lower-Income Young Customers", 2: "Young Customers"}


#: Words of age in a name, and the conditions that back each (either lexicon's features): a name says what it tests.
_AGE_WORDS = {
    r"\bYoung": {("median_age", "low"), ("share_age_18_34", "high"), ("age", "low")},
    r"Retire|Senior|Mature|Empty Nest|\bOlder": {("median_age", "high"), ("share_age_75_plus", "high"),
                                                 ("share_age_55_74", "high"), ("age", "high")},
}


@pytest.mark.parametrize("kind", ["demographics", "customers"])
def test_a_name_that_speaks_of_age_tests_age(kind):
    # Delaware's "Young Suburban Families" were the oldest of its family segments (median age 41.1 against 38.4 and
    # 40.6): the entry tested children and detached houses, not age
    lex = load_lexicon(ACS_LEXICON if kind == "demographics" else CUSTOMER_LEXICON)
    unbacked = [e.name for e in lex.entries for pattern, backing in _AGE_WORDS.items()
                if re.search(pattern, e.name) and not set(e.when.items()) & backing]
    assert not unbacked, f"names that speak of age without an age condition: {unbacked}"
