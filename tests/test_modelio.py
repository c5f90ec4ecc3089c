"""segkit.modelio: a saved model loads back identical, and every kind of damage is refused by name."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_blobs
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from segkit.cluster import SegmentModel
from segkit.errors import DataFileError, ModelError
from segkit.modelio import METADATA_FILE, MODEL_FILE, check_features, load_model, save_model

META = {"input_hash": "sha256:abc123", "features": ["recency", "frequency", "region"]}


def _double(X):  # a function a model file should not be trusted to reference
    return 2 * X


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    X, _ = make_blobs(400, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    df = pd.DataFrame(X, columns=["recency", "frequency"])
    df["region"] = np.where(X[:, 0] > 4, "North", "South")
    return df


def _model(data, algorithm="kmeans") -> SegmentModel:
    pre = ColumnTransformer([("num", StandardScaler(), ["recency", "frequency"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["region"])])
    return SegmentModel(3, algorithm=algorithm, preprocessor=pre).fit(data)


@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative", "gmm"])
def test_round_trip(tmp_path, data, algorithm):
    model = _model(data, algorithm)
    folder = save_model(model, tmp_path / "model", metadata=META)
    assert folder == tmp_path / "model"
    loaded, meta = load_model(folder)
    assert type(loaded) is SegmentModel
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    np.testing.assert_array_equal(loaded.transform(data), model.transform(data))
    np.testing.assert_array_equal(loaded.predict_proba(data), model.predict_proba(data))
    assert meta["feature_names"] == ["recency", "frequency", "region"]
    assert meta["input_hash"] == "sha256:abc123" and meta["features"] == META["features"]
    assert meta["model_params"]["algorithm"] == algorithm and meta["model_params"]["n_segments"] == 3
    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    assert set(meta["versions"]) >= {"segkit", "scikit-learn", "numpy", "pandas", "scipy"}
    assert "created_at" not in meta


def test_saving_is_byte_identical(tmp_path, data):
    a = save_model(_model(data), tmp_path / "a", metadata=META)
    b = save_model(_model(data), tmp_path / "b", metadata=META)
    for name in (MODEL_FILE, METADATA_FILE):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_tampered_model_is_refused(tmp_path, data):
    folder = save_model(_model(data), tmp_path / "m", metadata=META)
    raw = bytearray((folder / MODEL_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (folder / MODEL_FILE).write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="does not match the hash recorded in metadata.json.*refit"):
        load_model(folder)


def test_other_sklearn_version_is_refused(tmp_path, data, monkeypatch):
    folder = save_model(_model(data), tmp_path / "m", metadata=META)
    saved = sklearn.__version__
    monkeypatch.setattr(sklearn, "__version__", "0.1")  # the environment that loads it is another one
    with pytest.raises(ModelError, match=rf"scikit-learn {saved} .*scikit-learn 0\.1") as err:
        load_model(folder)
    assert "refit" in err.value.fix


def test_edited_metadata_is_refused(tmp_path, data):
    folder = save_model(_model(data), tmp_path / "m", metadata=META)
    meta = json.loads((folder / METADATA_FILE).read_text())
    meta["versions"]["scikit-learn"] = "0.1"
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="metadata.json does not match the hash stored in model.skops"):
        load_model(folder)


def test_unexpected_type_is_refused(tmp_path, data):
    model = SegmentModel(3, preprocessor=FunctionTransformer(_double)).fit(data[["recency", "frequency"]])
    folder = save_model(model, tmp_path / "m", metadata=META)
    with pytest.raises(ModelError, match="_double"):
        load_model(folder)


def test_missing_files(tmp_path, data):
    with pytest.raises(DataFileError, match="metadata.json") as err:
        load_model(tmp_path / "nowhere")
    assert err.value.path.endswith(METADATA_FILE)
    folder = save_model(_model(data), tmp_path / "m", metadata=META)
    (folder / MODEL_FILE).unlink()
    with pytest.raises(DataFileError, match="model.skops"):
        load_model(folder)


def test_overwrite_needs_consent(tmp_path, data):
    model = _model(data)
    folder = save_model(model, tmp_path / "m", metadata=META)
    with pytest.raises(ModelError, match="overwrite=True"):
        save_model(model, folder, metadata=META)
    save_model(model, folder, metadata={**META, "input_hash": "sha256:new"}, overwrite=True)
    assert load_model(folder)[1]["input_hash"] == "sha256:new"
    assert sorted(p.name for p in folder.iterdir()) == [METADATA_FILE, MODEL_FILE]  # no temporary files


def test_metadata_requirements(tmp_path, data):
    model = _model(data)
    with pytest.raises(ModelError, match="input_hash"):
        save_model(model, tmp_path / "a", metadata={})
    with pytest.raises(ModelError, match="reserved"):
        save_model(model, tmp_path / "b", metadata={"input_hash": None, "versions": {}})
    with pytest.raises(ModelError, match="JSON"):
        save_model(model, tmp_path / "c", metadata={"input_hash": None, "when": object()})
    with pytest.raises(ModelError, match="not fitted"):
        save_model(SegmentModel(3), tmp_path / "d", metadata=META)


def test_check_features(data):
    meta = {"feature_names": ["recency", "frequency", "region"]}
    assert check_features(meta, data) is None
    with pytest.raises(ModelError, match="missing columns: region") as err:
        check_features(meta, data.drop(columns="region"))
    assert err.value.column == "region"
    with pytest.raises(ModelError, match="extra columns: spend"):
        check_features(meta, data.assign(spend=1.0))
    with pytest.raises(ModelError, match="wrong order"):
        check_features(meta, data[["region", "recency", "frequency"]])
