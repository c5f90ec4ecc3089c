"""Scoring new customers against saved segments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from segkit.errors import ColumnError, ModelError
from segkit.kinds.customers.features import build_preprocessor, customer_features, detect_roles
from segkit.format import segment_code
from segkit.kinds.customers.score import score_customers, scoring_metadata, softmax_confidence
from segkit.kinds.customers.synth import generate_customers


class StandIn:
    """Test-only segment model with the methods score_customers uses (like segkit.cluster.SegmentModel)."""

    def __init__(self, roles, k=4):
        self.pipeline = Pipeline([("pre", build_preprocessor(roles)), ("kmeans", KMeans(k, n_init=4, random_state=0))])

    def fit(self, X):
        self.pipeline.fit(X)
        return self

    def predict(self, X):
        return self.pipeline.predict(X)

    def transform(self, X):
        return self.pipeline.transform(X)


@pytest.fixture(scope="module")
def trained():
    raw = generate_customers(1_500, seed=2)
    features = customer_features(raw, detect_roles(raw), reference_date="2025-01-01")
    roles = features.attrs["roles"]
    model = StandIn(roles).fit(features)
    names = {"S01": "Young urban", "S02": "Families", "S03": "Seniors", "S04": "Big spenders"}
    metadata = scoring_metadata(features, roles, names=names)
    return raw, features, model, metadata


def test_metadata_is_json_ready(trained):
    _, features, _, metadata = trained
    again = json.loads(json.dumps(metadata))
    assert again["features"] == list(features.columns)
    assert again["categories"]["gender"] == ["Female", "Male", "Other"]
    assert again["id_col"] == "customer_id" and again["roles"]["days_since_signup_date"] == "numeric"


def test_training_rows_reproduce_their_labels(trained):
    _, features, model, metadata = trained
    result = score_customers(model, metadata, features)
    labels = model.pipeline.named_steps["kmeans"].labels_
    assert result["segment_code"].tolist() == [segment_code(x, labels.max() + 1) for x in labels]
    assert list(result.columns) == ["customer_id", "segment_code", "segment_name", "confidence", "distance_to_centre",
                                    "outside_training_range", "not_scored", "filled_features"]
    assert result["customer_id"].tolist() == list(features.index) and result.index.equals(features.index)
    assert not result["outside_training_range"].any() and result["not_scored"].eq("").all()
    assert result.loc[result.segment_code == "S02", "segment_name"].eq("Families").all()
    assert result["confidence"].between(0, 1).all()
    assert result.attrs["warnings"] == [] and result.attrs["unseen_categories"] == {}


def test_confidence_and_distance_known_answer(trained):
    _, features, model, metadata = trained
    result = score_customers(model, metadata, features.head(20))
    dist = model.transform(features.head(20))
    np.testing.assert_allclose(result["distance_to_centre"], dist.min(axis=1))
    p = np.exp(-dist) / np.exp(-dist).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result["confidence"], p.max(axis=1))
    np.testing.assert_allclose(softmax_confidence([[0.0, 0.0], [0.0, np.log(3)]]), [[0.5, 0.5], [0.75, 0.25]])


def test_missing_column_names_it_and_lists_expected(trained):
    _, features, model, metadata = trained
    with pytest.raises(ModelError) as info:
        score_customers(model, metadata, features.drop(columns=["income", "region"]))
    msg = str(info.value)
    assert "region, income" in msg and "expects these columns: " + ", ".join(metadata["features"]) in msg


def test_unseen_category_is_a_warning_with_its_values(trained):
    _, features, model, metadata = trained
    new = features.head(5).copy()
    new["region"] = new["region"].astype(object)
    new.iloc[0, new.columns.get_loc("region")] = "Atlantis"
    new.iloc[1, new.columns.get_loc("region")] = "Mars"
    result = score_customers(model, metadata, new)
    assert len(result) == 5 and result["segment_code"].str.fullmatch(r"S0[1-4]").all()
    assert result.attrs["unseen_categories"] == {"region": ["Atlantis", "Mars"]}
    assert len(result.attrs["warnings"]) == 1 and "'Atlantis'" in result.attrs["warnings"][0]


def test_text_in_numeric_column(trained):
    _, features, model, metadata = trained
    new = features.head(6).copy()
    new["age"] = new["age"].astype(object)
    new.iloc[[1, 4], new.columns.get_loc("age")] = ["forty", "n/a"]
    with pytest.raises(ColumnError) as info:
        score_customers(model, metadata, new)
    assert "1 value is text" in str(info.value) and "'forty'" in str(info.value)  # "n/a" is a missing value
    assert info.value.column == "age"


def test_numbers_as_text_are_accepted(trained):
    _, features, model, metadata = trained
    new = features.head(10).copy()
    new["income"] = new["income"].map(lambda v: "" if pd.isna(v) else str(v)).replace("", None)
    expected = score_customers(model, metadata, features.head(10))
    pd.testing.assert_frame_equal(score_customers(model, metadata, new), expected)


def test_raw_table_with_id_column(trained):
    raw, features, model, metadata = trained
    new = customer_features(raw.tail(5), detect_roles(raw), reference_date="2025-01-01").reset_index()
    result = score_customers(model, metadata, new, names=["a", "b", "c", "d"])
    assert result["customer_id"].tolist() == raw["customer_id"].tail(5).tolist()
    assert set(result["segment_name"]) <= {"a", "b", "c", "d"}


def test_model_confidence_is_used_when_present(trained):
    _, features, model, metadata = trained

    class WithConfidence(StandIn):
        def __init__(self, inner):
            self.pipeline = inner.pipeline

        def confidence(self, X):
            return np.full(len(X), 0.42)

    result = score_customers(WithConfidence(model), metadata, features.head(3))
    assert result["confidence"].tolist() == [0.42] * 3


def test_bad_model_and_metadata(trained):
    _, features, model, metadata = trained
    with pytest.raises(ModelError, match="no predict"):
        score_customers(object(), metadata, features)
    with pytest.raises(ModelError, match="no feature columns"):
        score_customers(model, {"roles": {}}, features)


def test_modelio_feature_names_are_accepted(trained):
    _, features, model, metadata = trained
    plain = {"feature_names": metadata["features"], "id_col": "customer_id", "names": metadata["names"]}
    result = score_customers(model, plain, features.head(5))
    pd.testing.assert_frame_equal(result, score_customers(model, metadata, features.head(5)))


def test_no_rows(trained):
    _, features, model, metadata = trained
    result = score_customers(model, metadata, features.head(0))
    assert len(result) == 0 and result.attrs["warnings"] == []


def test_new_rows_are_read_with_the_training_day_month_order():
    # training decided day first (a day above 12 was seen); new rows that are all ambiguous follow it
    from segkit.cleaning import CleaningLog
    from segkit.kinds.customers.score import check_new_rows, date_layouts
    from segkit.parse import read_dates

    log = CleaningLog()
    log.read(read_dates(pd.Series(["25/12/2020", "04/09/2012"], name="signup")))
    layouts = date_layouts(log.to_dict()["readings"])
    assert layouts == {"signup": {"date_format": None, "dayfirst": True}}
    metadata = {"features": ["signup"], "roles": {"signup": "date"}, "date_layouts": layouts}
    new = pd.DataFrame({"signup": ["04/09/2012", "01/02/2013"]})
    assert check_new_rows(new, metadata)["signup"].dt.strftime("%Y-%m-%d").tolist() == ["2012-09-04", "2013-02-01"]
    old_model = {"features": ["signup"], "roles": {"signup": "date"}}  # no layouts recorded: month first
    assert check_new_rows(new, old_model)["signup"].dt.strftime("%Y-%m-%d").tolist() == ["2012-04-09", "2013-01-02"]
    with pytest.raises(ColumnError, match="column 'signup' should hold dates but 1 value"):
        check_new_rows(pd.DataFrame({"signup": ["04/09/2012", "soon"]}), metadata)


def test_fill_means_in_new_rows_what_it_meant_in_training(trained):
    """A blank that the params' fill reads as 0 in training is 0 in the rows scored later, not the median."""
    _, features, model, _ = trained
    roles = features.attrs["roles"]
    metadata = scoring_metadata(features, roles, fill={"income": 0, "not_a_feature": 1})
    assert metadata["fill"] == {"income": 0}
    new = features.head(6).copy()
    zero = new.assign(income=0.0)
    new["income"] = np.nan
    pd.testing.assert_frame_equal(score_customers(model, metadata, new), score_customers(model, metadata, zero))
    median = new.assign(income=float(features["income"].median()))
    blank, given = score_customers(model, scoring_metadata(features, roles), new), score_customers(model, metadata, median)
    pd.testing.assert_frame_equal(blank.drop(columns="filled_features"), given.drop(columns="filled_features"))
    assert blank["filled_features"].eq(1).all() and given["filled_features"].eq(0).all()  # the median was filled in


def test_fill_gives_new_rows_the_level_and_number_training_wrote():
    """A numeric column given the categorical role took 0.0 in training, the level "0": a new row's blank is "0"
    too, not "0.0" (an unseen level); a numeric column takes the number."""
    from segkit.kinds.customers.score import check_new_rows
    from segkit.kinds.customers.values import level_text
    from segkit.quality import apply_fill

    rows = pd.DataFrame({"plan": [1.0, np.nan], "charges": [np.nan, 5.0]})
    trained = apply_fill(rows, {"plan": 0.0, "charges": 0.0})[0]
    metadata = {"features": ["plan", "charges"], "roles": {"plan": "categorical", "charges": "numeric"},
                "fill": {"plan": 0.0, "charges": "0"}}
    scored = check_new_rows(rows, metadata)
    assert level_text(scored["plan"]).tolist() == level_text(trained["plan"]).tolist() == ["1", "0"]
    assert scored["charges"].tolist() == trained["charges"].tolist() == [0.0, 5.0]


def test_a_level_in_another_case_is_the_level_training_knew(trained):
    """The cleaning joins "FEMALE" to "Female"; a new row written so is scored as "Female", not as a rare level."""
    _, features, model, metadata = trained
    shouting = features.head(8).copy()
    shouting["gender"] = shouting["gender"].astype(str).str.upper() + " "
    result = score_customers(model, metadata, shouting)
    assert "unseen_categories" not in result.attrs or "gender" not in result.attrs["unseen_categories"]
    pd.testing.assert_frame_equal(result, score_customers(model, metadata, features.head(8)))
    letters = features.head(8).copy()  # a CRM's F and M, read as the cleaning reads them: Female and Male
    letters["gender"] = letters["gender"].astype(str).map({"Female": "f", "Male": "M"}).fillna(letters["gender"])
    pd.testing.assert_frame_equal(score_customers(model, metadata, letters), result)


def test_a_model_saved_with_the_letters_keeps_scoring_them():
    """A model trained before the cleaning read F and M as Female and Male knows the levels "F" and "M": its new rows'
    F and M stay what it knew, not "Female", a level it never saw."""
    from segkit.kinds.customers.score import check_new_rows

    metadata = {"features": ["gender"], "roles": {"gender": "categorical"}, "categories": {"gender": ["F", "M"]}}
    assert check_new_rows(pd.DataFrame({"gender": ["F", "m", "M"]}), metadata)["gender"].tolist() == ["F", "M", "M"]
    known = {**metadata, "categories": {"gender": ["Female", "Male"]}}
    assert check_new_rows(pd.DataFrame({"gender": ["F", "m"]}), known)["gender"].tolist() == ["Female", "Male"]
