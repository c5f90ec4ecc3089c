"""The RFM score grid (``rfm_method: scores``, issue 16 item 4): quintile scores, the editable grid, the segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import segkit
from segkit.config import params_from_mapping
from segkit.errors import ParamsError
from segkit.kinds import transactions
from segkit.kinds.transactions.grid import (RfmScoreGrid, fm_score, load_rfm_grid, quintile_scores,
                                            score_customers)
from segkit.resources import read_data_yaml

STANDARD = {"Champions", "Loyal", "Potential Loyalist", "New Customers", "Promising", "Need Attention",
            "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"}

# Ten customers A..J; every score below is worked out by hand from the quintiles (linear interpolation).
# recency 10..100: cut points 28, 46, 64, 82 -> R = 5 5 4 4 3 3 2 2 1 1
# frequency six 1s, two 2s, a 3 and a 10: cut points 1, 1, 1.4, 2.2 -> one-time buyers F = 1, two orders F = 4
# monetary (sorted 40 50 60 120 200 300 500 800 1000 5000): cut points 58, 168, 380, 840
TABLE = pd.DataFrame({
    "recency":   [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    "frequency": [10, 1, 3, 1, 2, 1, 2, 1, 1, 1],
    "monetary":  [5000, 40, 800, 60, 300, 50, 1000, 120, 500, 200],
}, index=pd.Index(list("ABCDEFGHIJ"), name="customer"))
EXPECTED = {  # customer: (R, F, M, FM = (F + M + 1) // 2, cell of the shipped grid)
    "A": (5, 5, 5, 5, "Champions"), "B": (5, 1, 1, 1, "New Customers"), "C": (4, 5, 4, 5, "Loyal"),
    "D": (4, 1, 2, 2, "Potential Loyalist"), "E": (3, 4, 3, 4, "Loyal"), "F": (3, 1, 1, 1, "About to Sleep"),
    "G": (2, 4, 5, 5, "Can't Lose Them"), "H": (2, 1, 2, 2, "Hibernating"), "I": (1, 1, 4, 3, "At Risk"),
    "J": (1, 1, 3, 2, "Lost"),
}


def _shipped() -> dict:
    raw, _ = read_data_yaml(None, shipped="kinds/transactions/rfm_grid.yaml", what="grid")
    return raw


# ------------------------------------------------------------------------------------------ the data file
def test_shipped_grid_names_every_cell_once_with_the_standard_names():
    grid = load_rfm_grid()
    assert len(grid.cells) == 5 and all(len(row) == 5 for row in grid.cells)
    named = {n for row in grid.cells for n in row}
    assert named == set(grid.names) == STANDARD
    assert all(s.description and s.action for s in grid.segments)
    assert grid.cell(5, 5) == "Champions" and grid.cell(1, 1) == "Lost" and grid.cell(1, 5) == "Can't Lose Them"


@pytest.mark.parametrize("edit, word", [
    (lambda g: g["grid"].pop(3), "one row for each recency score"),
    (lambda g: g["grid"][2].pop(), "must name the 5 cells"),
    (lambda g: g["grid"][1].__setitem__(0, "Gone"), "which segments does not describe"),
    (lambda g: g["segments"].append({"name": "Spare", "action": "x"}), "which no cell of the grid names"),
    (lambda g: g["segments"].append(dict(g["segments"][0])), "described twice"),
    (lambda g: g.update(colour="red"), "unknown keys"),
])
def test_a_broken_grid_is_refused_with_a_fix(edit, word):
    raw = yaml.safe_load(yaml.safe_dump(_shipped()))
    edit(raw)
    with pytest.raises(ParamsError, match=word) as err:
        load_rfm_grid(raw)
    assert "Fix:" in str(err.value)


# ------------------------------------------------------------------------------------------ scores
def test_quintile_scores_known_answers_with_ties():
    assert quintile_scores(TABLE["recency"], reverse=True).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert quintile_scores(TABLE["frequency"]).tolist() == [5, 1, 5, 1, 4, 1, 4, 1, 1, 1]
    assert quintile_scores(TABLE["monetary"]).tolist() == [5, 1, 4, 2, 3, 1, 5, 2, 4, 3]
    assert fm_score([1, 1, 2, 4, 5], [1, 2, 2, 5, 5]).tolist() == [1, 2, 2, 5, 5]  # half rounds up


def test_each_customer_gets_the_cell_worked_out_by_hand():
    scores = score_customers(TABLE, load_rfm_grid())
    for customer, (r, f, m, fm, cell) in EXPECTED.items():
        assert tuple(scores.loc[customer, ["r", "f", "m", "fm", "cell"]]) == (r, f, m, fm, cell), customer


def test_scores_do_not_depend_on_row_order_and_equal_values_share_a_score():
    shuffled = TABLE.sample(frac=1.0, random_state=3)
    a = score_customers(TABLE, load_rfm_grid())
    b = score_customers(shuffled, load_rfm_grid()).loc[TABLE.index]
    pd.testing.assert_frame_equal(a, b)
    flat = quintile_scores([7.0] * 6 + [1.0, 2.0, 3.0, 4.0])
    assert len(set(flat[:6])) == 1


def test_the_estimator_makes_one_segment_per_named_cell_in_file_order():
    model = RfmScoreGrid().fit(TABLE)
    assert model.segment_names_ == ["Champions", "Loyal", "Potential Loyalist", "New Customers", "About to Sleep",
                                    "At Risk", "Can't Lose Them", "Hibernating", "Lost"]
    names = [model.segment_names_[s] for s in model.labels_]
    assert names == [EXPECTED[c][4] for c in TABLE.index]
    assert (model.predict(TABLE) == model.labels_).all()
    assert model.transform(TABLE).shape == (10, 9)
    assert sum(map(sum, model.cell_counts_)) == 10 and model.cell_counts_[4][4] == 1  # A in R5 FM5
    assert "9 of them holds customers" in model.rationale() and "not from clustering" in model.rationale()


# ------------------------------------------------------------------------------------------ through the kind
def _lines(table: pd.DataFrame, snapshot: str) -> pd.DataFrame:
    """Invoice lines that give each customer exactly the recency, frequency and spend of ``table``."""
    snap, rows = pd.Timestamp(snapshot), []
    for customer, row in table.iterrows():
        f = int(row["frequency"])
        for i in range(f):
            day = snap - pd.Timedelta(days=int(row["recency"]) + 3 * (f - 1 - i))
            rows.append({"CustomerID": customer, "InvoiceNo": f"N{customer}{i}", "InvoiceDate": day,
                         "Quantity": 1, "UnitPrice": float(row["monetary"]) / f, "StockCode": "P1",
                         "Country": "UK"})
    return pd.DataFrame(rows)


def test_segment_table_with_scores_names_each_customer_from_its_cell():
    seg = segkit.segment_table(_lines(TABLE, "2024-06-01"), data_kind="transactions", rfm_method="scores",
                               snapshot_date="2024-06-01", bootstrap=2)
    got = seg.assignments.set_index("customer_id")["segment_name"].to_dict()
    assert got == {c: EXPECTED[c][4] for c in TABLE.index}
    assert seg.k_selection is None and "RFM score grid" in seg.extra["k_rationale"]
    cards = {c["name"]: c for c in seg.cards()}
    assert cards["Champions"]["action"] == load_rfm_grid().segment("Champions").action
    assert "10 times" in cards["Champions"]["description"]
    assert all(0 <= c["stability"] <= 1 for c in cards.values())
    # the facts are the members' means, and the card says so (what sets it apart compares medians, "typically")
    members = seg.assignments.loc[seg.assignments["segment_name"] == "Champions", "customer_id"]
    assert cards["Champions"]["facts_label"] == "On average" and cards["Champions"]["facts"]
    for fact in cards["Champions"]["facts"]:
        assert fact["value"] == pytest.approx(seg.features.table.loc[members, fact["feature"]].mean())


def test_scores_refuse_a_fixed_k_and_features_without_monetary():
    columns = ["CustomerID", "InvoiceNo", "InvoiceDate", "Quantity", "UnitPrice", "StockCode", "Country"]
    with pytest.raises(ParamsError, match="not set by k"):
        transactions.check_columns(params_from_mapping({"data_kind": "transactions", "rfm_method": "scores",
                                                        "k": 5}), columns)
    with pytest.raises(ParamsError, match="monetary"):
        transactions.check_columns(params_from_mapping({"data_kind": "transactions", "rfm_method": "scores",
                                                        "features": ["recency", "frequency"]}), columns)


def test_clusters_stay_the_default():
    assert params_from_mapping({"data_kind": "transactions"}).rfm_method == "clusters"
    assert transactions.segment_rule(None, params_from_mapping({"data_kind": "transactions"})) is None


def test_every_customer_assigned_by_the_grid_a_cell_no_training_customer_held_has_no_segment():
    """What 05 applies to every customer of a big Spark run (``pipeline.nearest_segments``, ``assignment_frame``)."""
    from sklearn.preprocessing import StandardScaler

    from segkit.pipeline import assignment_frame, nearest_segments

    model = RfmScoreGrid(preprocessor=StandardScaler()).fit(TABLE)
    new = pd.DataFrame({"recency": [35, 10, 95], "frequency": [1, 10, 1], "monetary": [40, 5000, 150]})
    labels, own = nearest_segments(model, new)  # R4 FM1 is "Promising", a cell none of A..J is in
    assert labels.tolist() == [-1, model.segment_names_.index("Champions"), model.segment_names_.index("Lost")]
    assert np.isnan(own[0]) and own[2] == pytest.approx(model.transform(new)[2, labels[2]])
    frame = assignment_frame(["x", "y", "z"], labels, own, dict(enumerate(["S01", "S02", "S03", "S04", "S05", "S06",
                             "S07", "S08", "S09"])), dict(enumerate(model.segment_names_)), "customer")
    assert frame["segment_code"].isna().tolist() == frame["segment_name"].isna().tolist() == [True, False, False]
    assert frame["segment_code"].tolist()[1:] == ["S01", "S09"]
    assert frame["segment_name"].tolist()[1:] == ["Champions", "Lost"]
