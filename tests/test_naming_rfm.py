"""segkit.kinds.transactions.naming: RFM scores, names from the editable rules, uniqueness, permutation invariance."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml

from segkit.errors import ColumnError, DataFileError, DataValueError, ParamsError
from segkit.naming import SegmentName
from segkit.kinds.transactions.naming import load_rfm_rules, name_rfm_segments, rfm_scores
from segkit.profile import feature_quantiles, profile_segments

N = 90  # customers per segment (a multiple of 3, so frequency means are exact)

# recency (days), frequency (invoices), monetary (net spend) of each unmistakable segment
PROFILES = {
    "champions": (5, 20, 5000),
    "new": (8, 1, 150),
    "at_risk": (250, 12, 3000),
    "lost": (330, 1, 60),
    "middle": (60, 4, 600),
}


def rfm_table(profiles: dict[str, tuple[float, float, float]], n: int = N) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers spread symmetrically around each segment's values, so segment means are exact."""
    spread = np.linspace(0.9, 1.1, n)
    parts, labels = [], []
    for code, (r, f, m) in enumerate(profiles.values()):
        freq = np.full(n, float(f)) if f == 1 else f + np.tile([-1.0, 0.0, 1.0], n // 3)
        parts.append(pd.DataFrame({"recency": r * spread, "frequency": freq, "monetary": m * spread}))
        labels += [code] * n
    table = pd.concat(parts, ignore_index=True)
    table.index = pd.Index([f"C{i:04d}" for i in range(len(table))], name="customer_id")
    return table, np.array(labels)


def names_of(profiles: dict, **kwargs) -> dict[str, SegmentName]:
    table, labels = rfm_table(profiles)
    named = name_rfm_segments(profile_segments(table, labels), **kwargs)
    return {key: named[i] for i, key in enumerate(profiles)}


def test_shipped_rules_cover_the_standard_names():
    rules = load_rfm_rules()
    assert [r.name for r in rules.rules] == [
        "Champions", "Loyal Customers", "Can't Lose Them", "At Risk", "Potential Loyalists", "New Customers",
        "Promising", "Big-Ticket Buyers", "Need Attention", "About to Sleep", "Lost", "Hibernating", "Occasional Buyers"]
    assert rules.statistic == "median"
    assert rules.rules[0].r == (4, 5) and rules.rules[0].distance((5, 5, 5)) == 0
    assert rules.rules[0].distance((2, 5, 3)) == 3


def test_scores_against_given_customer_quintiles():
    table = pd.DataFrame({"recency": [5.0, 30, 200], "frequency": [1.0, 9, 3], "monetary": [100.0, 2500, 301]})
    profile = profile_segments(table, [0, 1, 2])
    cuts = {"recency": [10, 30, 90, 180], "frequency": [1, 2, 4, 8], "monetary": [100, 300, 800, 2000]}
    scores = rfm_scores(profile, quantiles=cuts)
    # a value equal to a cut point falls in the lower quintile; recency is reversed
    assert scores.to_dict("index") == {0: {"r": 5, "f": 1, "m": 1}, 1: {"r": 4, "f": 5, "m": 5},
                                       2: {"r": 1, "f": 3, "m": 3}}
    as_table = pd.DataFrame(cuts, index=[0.2, 0.4, 0.6, 0.8]).T
    assert rfm_scores(profile, quantiles=as_table).equals(scores)


def test_unmistakable_profiles_get_their_names():
    named = names_of(PROFILES)
    assert named["champions"].name == "Champions"
    assert named["new"].name == "New Customers"
    assert named["at_risk"].name in ("At Risk", "Can't Lose Them")
    assert named["lost"].name in ("Lost", "Hibernating")
    assert len({n.name for n in named.values()}) == len(PROFILES)


def test_description_has_the_numbers_and_action_is_a_suggestion():
    named = names_of(PROFILES)
    assert named["champions"].description == (
        "Bought 20 times on average, last purchase 5 days ago, spent £5,000 each: among the most recent and frequent buyers.")
    assert named["champions"].action == "Reward them; ask for reviews; early access to new products."
    assert "1 time on average" in named["new"].description and "8 days ago" in named["new"].description
    assert "$5,000" in names_of(PROFILES, currency="$")["champions"].description


# one-time buyers whose median last purchase is 160 days ago, beside recent and frequent segments
DRIFTING = {"champions": (10, 12, 4000), "loyal": (30, 6, 900), "middle": (60, 3, 500), "drifting": (160, 1, 290),
            "lost": (700, 1, 20)}


def test_recency_is_judged_against_the_typical_time_between_purchases():
    # Online Retail's shape: customers buy again within about 60 days, so 160 days is 2.7 gaps: drifting
    assert names_of(DRIFTING, typical_gap=59.5)["drifting"].name == "About to Sleep"
    # CDNOW's shape: the same segment 500 days out against a 79-day rhythm is asleep, not about to be
    asleep = dict(DRIFTING, drifting=(495, 1, 27))
    named = names_of(asleep, typical_gap=79)
    assert named["drifting"].name == "Hibernating"
    assert "long after customers typically buy again (within 79 days)" in named["drifting"].description
    assert "reactivation discount before they lapse" not in named["drifting"].action
    # without the rhythm (None) the scores alone decide, as before
    assert names_of(DRIFTING)["drifting"].name == "About to Sleep"


def test_large_infrequent_spenders_within_their_rhythm_are_big_ticket_buyers_not_middle_or_drifting():
    """A trial's £400-a-purchase tier (the top spend, half the others' frequency) was "Need Attention:
    Middle-of-the-road", or "About to Sleep: drifting away" 14 days after buying with an 18-day rhythm."""
    shop = {"loyal": (5, 20, 440), "big": (14, 6, 2600), "lost": (160, 3, 94), "new": (3, 1, 90),
            "regular": (8, 9, 300)}
    named = names_of(shop, typical_gap=18)
    assert named["big"].name == "Big-Ticket Buyers"
    assert named["big"].description.startswith("Large purchases, less often than most: bought 6 times on average")
    late = names_of(dict(shop, big=(60, 6, 2600)), typical_gap=18)  # 3.3 gaps since: not about their rhythm
    assert late["big"].name != "Big-Ticket Buyers"
    # a low-spending, infrequent segment 14 days after buying on an 18-day rhythm is neither asleep nor lost
    quiet = names_of(dict(shop, big=(14, 2, 150)), typical_gap=18)["big"]
    assert quiet.name == "Occasional Buyers" and quiet.description.startswith("Buy now and then")
    assert names_of(dict(shop, big=(14, 2, 150)))["big"].name not in ("Occasional Buyers", "Big-Ticket Buyers")


def test_new_customers_have_bought_once_however_often_everyone_buys():
    """A trial's February till data: where everyone buys often, the bottom fifth by frequency bought 4-5 times, and
    its recent customers were "New Customers: Recent first buyers: bought 4.5 times on average"."""
    busy = {"champions": (3, 40, 6000), "loyal": (6, 25, 3000), "middle": (10, 15, 1500), "light": (5, 5, 300),
            "lapsed": (60, 12, 1200)}
    named = names_of(busy, typical_gap=4)
    assert named["light"].name != "New Customers" and "first" not in named["light"].description
    assert "5 times on average" in named["light"].description
    # one purchase each, recent: new, whatever the others do
    assert names_of(dict(busy, light=(5, 1, 60)), typical_gap=4)["light"].name == "New Customers"
    # a claim of the typical member, not of all: on Online Retail about half of its New Customers had come back
    assert names_of(PROFILES)["new"].description.startswith("Recent buyers, at least half of them on their first "
                                                            "purchase so far")


def test_loyal_needs_recent_activity():
    late = {"champions": (10, 12, 4000), "loyal": (229, 5, 1500), "one_timers": (400, 1, 40)}
    assert names_of(late)["loyal"].name == "Loyal Customers"  # the scores alone
    assert names_of(late, typical_gap=60)["loyal"].name != "Loyal Customers"  # 229 days is 3.8 gaps late


def test_typical_gap_is_the_median_gap_of_repeat_buyers():
    from segkit.kinds.transactions.naming import typical_gap

    table = pd.DataFrame({"frequency": [1, 2, 3, 5], "interpurchase_mean": [200.0, 30.0, 50.0, 70.0]})
    assert typical_gap(table) == 50.0  # the one-time buyer's "gap" (days since) is left out
    assert typical_gap(table[["frequency"]]) is None and typical_gap(table.iloc[:1]) is None


def test_at_risk_description_holds_beside_a_few_very_frequent_customers():
    # Online Retail's shape: the At Risk segment's typical member bought 3 times against 1 for the typical
    # customer, but a few customers of 30-50 orders lift the overall average above the segment's (its card:
    # "Orders: 3.1 (index 73)"). The description said "Used to buy often" above that card.
    def part(n: int, r: float, f: list[float], m: float) -> pd.DataFrame:
        spread = np.linspace(0.9, 1.1, n)
        return pd.DataFrame({"recency": r * spread, "frequency": np.resize(np.asarray(f, float), n),
                             "monetary": m * spread})

    parts = [part(60, 8, [30, 40, 50], 20000), part(240, 25, [4, 5, 6], 2000), part(300, 150, [2, 3, 4], 1000),
             part(300, 20, [1], 300), part(300, 300, [1], 200)]
    table = pd.concat(parts, ignore_index=True)
    labels = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    profile = profile_segments(table, labels)
    at_risk = name_rfm_segments(profile)[2]
    assert at_risk.name == "At Risk"
    assert profile.means.at[2, "frequency"] < table["frequency"].mean()  # the index of its orders is below 100
    assert not any(word in at_risk.description.lower() for word in ("often", "frequent", "regular", "biggest"))
    assert at_risk.description.startswith("Repeat customers gone quiet")
    # what it claims holds for every segment the rule names: a frequency score of 3 or more puts the median above the
    # second quintile, which is at least 1 order, so at least half the segment bought twice or more
    assert next(r for r in load_rfm_rules().rules if r.name == "At Risk").f[0] >= 3


def test_names_follow_profiles_when_labels_are_permuted():
    table, labels = rfm_table(PROFILES)
    before = name_rfm_segments(profile_segments(table, labels))
    perm = np.array([3, 0, 4, 2, 1])  # old segment s becomes segment perm[s]
    after = name_rfm_segments(profile_segments(table, perm[labels]))
    for old, new in enumerate(perm):
        assert after[int(new)] == before[old]


def test_recency_change_changes_the_name():
    assert names_of(PROFILES)["champions"].name == "Champions"
    lapsed = dict(PROFILES, champions=(300, 20, 5000))
    assert names_of(lapsed)["champions"].name in ("At Risk", "Can't Lose Them")


def test_lookalike_segments_get_unique_meaningful_names():
    # like the champions, but spends less; Loyal Customers (which it also fits) is taken
    twins = dict(PROFILES, champions_low=(5, 20, 3000), loyal=(40, 10, 2000))
    named = names_of(twins)
    assert named["loyal"].name == "Loyal Customers"
    assert named["champions"].name == "Champions"  # the stronger one keeps the name
    assert named["champions_low"].name == "Champions (lower spend)"
    names = [n.name for n in named.values()]
    assert len(set(names)) == len(names)
    assert not any(ch.isdigit() for name in names for ch in name)  # never a cluster number


def test_lookalike_segment_takes_the_next_matching_rule_when_free():
    twins = {k: v for k, v in PROFILES.items() if k != "middle"}
    twins["champions_low"] = (5, 20, 3000)
    named = names_of(twins)
    assert named["champions"].name == "Champions"
    assert named["champions_low"].name == "Loyal Customers"  # its scores fit that rule too


def test_identical_segments_still_get_unique_names():
    same = {"a": (5, 20, 5000), "b": (5, 20, 5000), "c": (5, 20, 5000), "d": (330, 1, 60)}
    names = [n.name for n in names_of(same, rules={
        "qualifiers": load_rfm_rules().qualifiers,
        "rules": [{"name": "Everyone", "description": "{customers} customers."}]}).values()]
    assert len(set(names)) == 4 and all(name.startswith("Everyone") for name in names)


def test_custom_rules_file_renames_segments(tmp_path):
    raw = yaml.safe_load(resources.files("segkit").joinpath("kinds/transactions/rfm_names.yaml").read_text(encoding="utf-8"))
    raw["rules"][0]["name"] = "VIPs"
    raw["rules"][0]["description"] = "{customers} VIPs ({share}), R{r} F{f} M{m}."
    path = tmp_path / "my_names.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    named = names_of(PROFILES, rules=path)
    assert named["champions"].name == "VIPs"
    assert named["champions"].description == "90 VIPs (20%), R5 F5 M5."


def test_column_roles_and_quantiles_can_be_passed():
    table, labels = rfm_table(PROFILES)
    renamed = table.rename(columns={"recency": "days_since", "monetary": "net_spend"})
    roles = {"recency": "days_since", "monetary": "net_spend"}
    sample = renamed.iloc[::2]  # the profile of a sample, scored on all customers' quintiles
    named = name_rfm_segments(profile_segments(sample, labels[::2]), columns=roles,
                              quantiles=feature_quantiles(renamed))
    assert named[0].name == "Champions" and named[1].name == "New Customers"
    with pytest.raises(ColumnError, match="no recency column 'recency'"):
        name_rfm_segments(profile_segments(renamed, labels))


@pytest.mark.parametrize("change, error, text", [
    ({"r": [4, 6]}, ParamsError, "r must be [lowest, highest]"),
    ({"colour": "red"}, ParamsError, "unknown keys ['colour']"),
    ({"keep": "first"}, ParamsError, "keep must be best or worst"),
    ({"overdue": [3, 1]}, ParamsError, "overdue must be [lowest, highest]"),
    ({"overdue": "soon"}, ParamsError, "overdue must be [lowest, highest]"),
    ({"orders": [2, 1]}, ParamsError, "orders must be [lowest, highest] in purchases"),
    ({"description": "Spent {wallet}."}, ParamsError, "uses {wallet}"),
])
def test_bad_rules_are_refused_with_a_fix(change, error, text):
    rules = {"qualifiers": load_rfm_rules().qualifiers, "rules": [{"name": "Everyone", **change}]}
    with pytest.raises(error) as info:
        names_of(PROFILES, rules=rules)
    assert text in str(info.value) and "Fix:" in str(info.value)


def test_missing_rules_file_and_missing_quantiles_are_explained(tmp_path):
    with pytest.raises(DataFileError, match="cannot read the RFM rules file"):
        load_rfm_rules(tmp_path / "absent.yaml")
    with pytest.raises(ParamsError, match="no list of rules"):
        load_rfm_rules({"rules": []})
    table, labels = rfm_table(PROFILES)
    profile = profile_segments(table, labels, quantile_levels=[0.5])
    with pytest.raises(DataValueError, match="customer quintiles"):
        name_rfm_segments(profile)


def test_an_average_of_about_one_purchase_reads_1_time():
    from segkit.kinds.transactions.naming import _money, _times

    assert [_times(v) for v in (1.04, 0.97, 1.6, 21.4, 99.96, 2.0)] == [
        "1 time", "1 time", "1.6 times", "21.4 times", "100 times", "2 times"]
    assert _money(13427.4, "£") == "£13,427" and _money(9.79, "£") == "£9.79"  # as the card's facts write them
