"""Saving and loading a fitted segment model, with a metadata sidecar that makes it checkable.

A model folder holds two files:

- ``model.skops``: the fitted model in the skops format, which rebuilds objects from a schema instead
  of executing code (unlike pickle). The archive is written canonically (fixed timestamps, file names
  and object ids numbered in order), so the same model gives the same bytes on every run;
- ``metadata.json``: feature names, the model's parameters, package versions, the sha256 of
  ``model.skops``, and what the caller passes (the hash of the input data, the run's params, segment
  names, ...). It has no creation time and no memory address (a function in the model's parameters is
  written as ``module.name``), so that two runs on the same inputs write byte-identical folders
  (timings belong in the run's ``manifest.json``).

The whole of ``metadata.json`` is covered by a hash: the sha256 of its content (every key but
``model_sha256``, as canonical JSON) is stored inside ``model.skops`` (the archive entry
``segkit-metadata.sha256``), and ``model_sha256`` in turn covers that archive. Editing any entry of the
metadata, a segment name as much as a feature, makes the folder fail to load. This detects edits and
damage; it is not a signature (there is no secret key), so someone who rewrites both files consistently
is not stopped: load only model folders you or your team produced.

Loading checks, in order: both files exist, the model file matches its recorded hash, the metadata
matches the hash stored in the model file, the running scikit-learn has the major.minor version the
model was saved with, and the file holds only the types expected in a segkit model (segkit's own model
classes, scikit-learn estimators, numpy dtypes).

Examples
--------
>>> import pandas as pd, tempfile
>>> from segkit.cluster import SegmentModel
>>> df = pd.DataFrame({"recency": [1.0, 2.0, 10.0, 11.0], "frequency": [1.0, 1.5, 9.0, 9.5]})
>>> model = SegmentModel(2).fit(df)
>>> folder = save_model(model, tempfile.mkdtemp() + "/model", metadata={"input_hash": "sha256:..."})
>>> loaded, meta = load_model(folder)
>>> meta["feature_names"], (loaded.predict(df) == model.labels_).all()
(['recency', 'frequency'], np.True_)
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

from .errors import DataFileError, ModelError

__all__ = ["MODEL_FILE", "METADATA_FILE", "RESERVED_KEYS", "save_model", "load_model", "model_folder",
           "run_unfinished", "check_features"]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
FORMAT = "segkit-model"
FORMAT_VERSION = 2  # 2: metadata.json covered by a hash stored in model.skops
#: The archive entry of model.skops that holds the sha256 of metadata.json.
METADATA_HASH_ENTRY = "segkit-metadata.sha256"

#: Types that a segkit model file may contain beyond what skops trusts by default.
#: scikit-learn estimator classes (subclasses of ``BaseEstimator``) are accepted too.
EXPECTED_TYPES = frozenset({
    "segkit.cluster.SegmentModel",
    # customer tables: segkit's own transformers and the function that reads category levels as text
    "segkit.kinds.customers.encoding.DateAgeTransformer", "segkit.kinds.customers.encoding.SkewTransformer",
    "segkit.kinds.customers.encoding.FenceClipper", "segkit.kinds.customers.encoding.ScaleScorer",
    "segkit.kinds.customers.values.levels_as_text",
    # ... and where they were until 1 December 2026: models saved then still load (features gives these names)
    "segkit.kinds.customers.features.DateAgeTransformer", "segkit.kinds.customers.features.SkewTransformer",
    "segkit.kinds.customers.features.FenceClipper", "segkit.kinds.customers.features.levels_as_text",
    # transactions: the log transform of features that can be negative
    "segkit.kinds.transactions.features.signed_log1p",
    "segkit.kinds.transactions.grid.RfmScoreGrid",  # rfm_method: scores
    # census areas: standardised features are clipped before fitting
    "numpy.clip",
    "numpy.dtype",
    "numpy.bool", "numpy.bool_", "numpy.int32", "numpy.int64", "numpy.float32", "numpy.float64",
})
#: Keys of metadata.json that save_model writes itself.
RESERVED_KEYS = frozenset({"format", "format_version", "model_file", "model_class", "model_sha256",
                           "feature_names", "model_params", "segment_sizes", "versions"})
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict:
    import numpy
    import pandas
    import scipy
    import skops
    import sklearn

    import segkit

    return {"segkit": segkit.__version__, "scikit-learn": sklearn.__version__, "numpy": numpy.__version__,
            "pandas": pandas.__version__, "scipy": scipy.__version__, "skops": skops.__version__}


def _canonical_skops(data: bytes, meta_hash: str) -> bytes:
    """Rewrite a skops archive so that it depends only on the model, not on the process that wrote it.

    skops names array files and tags objects with ``id()`` values and stamps each entry with the current
    time; here ids are renumbered in order of appearance, files renamed to match, timestamps fixed. The
    hash of the metadata is added as the entry :data:`METADATA_HASH_ENTRY` (skops ignores it).
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    node[key] = ids.setdefault(value, len(ids) + 1)
                elif key == "file" and isinstance(value, str) and value in src.NameToInfo:
                    suffix = os.path.splitext(value)[1]
                    node[key] = files.setdefault(value, f"{len(files) + 1:06d}{suffix}")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        for old, new in sorted(files.items(), key=lambda kv: kv[1]):
            dst.writestr(zipfile.ZipInfo(new, date_time=_ZIP_TIME), src.read(old))
        dst.writestr(zipfile.ZipInfo("schema.json", date_time=_ZIP_TIME), json.dumps(schema, indent=2))
        dst.writestr(zipfile.ZipInfo(METADATA_HASH_ENTRY, date_time=_ZIP_TIME), meta_hash)
    return out.getvalue()


def metadata_hash(meta: dict) -> str:
    """The sha256 of a model's metadata: every key but ``model_sha256``, as canonical JSON."""
    body = {k: v for k, v in meta.items() if k != "model_sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _jsonable(value):
    """A parameter as JSON that is the same on every run.

    Estimators become ``{"class": ..., "params": {...}}`` (recursively), functions and classes their
    ``module.qualname``; other objects their ``repr`` with any memory address (``at 0x7f...``) removed.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": _qualified(type(value)),
                "params": {k: _jsonable(v) for k, v in sorted(value.get_params(deep=False).items())}}
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return _qualified(value)
    return re.sub(r" at 0x[0-9a-fA-F]+", "", " ".join(repr(value).split()))


def _qualified(obj) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return f"{module}.{getattr(obj, '__qualname__', getattr(obj, '__name__', type(obj).__name__))}"


def model_folder(path) -> Path | None:
    """The model folder ``path`` names: ``path`` itself when it holds a saved model (:data:`MODEL_FILE` and
    :data:`METADATA_FILE`), a run folder's ``artifacts/model`` when ``path`` is the run folder, else None. The
    one lookup behind ``segkit score``, ``segkit serve`` and the params' ``reference``.

    >>> model_folder("no/such/folder") is None
    True
    """
    path = Path(str(path)).expanduser()
    for folder in (path, path / "artifacts" / "model"):
        if (folder / MODEL_FILE).is_file() and (folder / METADATA_FILE).is_file():
            return folder
    return None


def run_unfinished(path) -> str | None:
    """How the run folder ``path`` ended when it did not complete (its manifest's status, ``"failed"`` for a
    ``<run>.failed`` folder, ``"interrupted (partial outputs)"`` for the hidden partial folder of a process that
    is gone, as ``segkit runs`` says), else None: a complete run, a run being written (``09_compare`` reads its
    own), or a folder that is not a run (a bare model folder)."""
    from .io.processes import PARTIAL, owner_alive  # io loads pandas: not for every model load

    path = Path(str(path)).expanduser()
    if path.name == "model" and path.parent.name == "artifacts":
        path = path.parent.parent
    if PARTIAL.match(path.name):
        return None if owner_alive(path) or path.name.endswith(f"-{os.getpid()}") else "interrupted (partial outputs)"
    try:
        status = str(json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("status") or "")
    except (OSError, ValueError, AttributeError):
        status = ""
    if status and status != "ok":
        return status
    return "failed" if path.name.endswith(".failed") else None


def save_model(model, directory, *, metadata: dict, overwrite: bool = False) -> Path:
    """Save a fitted model as ``model.skops`` plus ``metadata.json`` in `directory`.

    Parameters
    ----------
    model : fitted SegmentModel (or another fitted scikit-learn estimator with ``feature_names_in_``)
    directory : str or Path
        Folder to write into (created if needed).
    metadata : dict
        JSON-serialisable entries written at the top level of metadata.json next to save_model's own
        (:data:`RESERVED_KEYS`, which it may not contain). Must contain ``input_hash`` (the hash of the
        data the model was fitted on; None when unknown).
    overwrite : bool, default=False
        Replace a model already saved in `directory`.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ModelError
        When the model is not fitted, `directory` already holds a model and `overwrite` is False, or
        `metadata` lacks ``input_hash``.
    """
    import skops.io as sio
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    folder = Path(directory)
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ModelError(f"{type(model).__name__} is not fitted, so there is nothing to save",
                         fix="call fit on the features before save_model") from None
    if not isinstance(metadata, dict) or "input_hash" not in metadata:
        raise ModelError("metadata must be a dict with the key 'input_hash'",
                         fix="pass metadata={'input_hash': <hash of the input data>, ...}")
    try:
        extra = json.loads(json.dumps(metadata, sort_keys=True))
    except (TypeError, ValueError) as exc:
        raise ModelError(f"metadata cannot be written as JSON ({exc})",
                         fix="pass only strings, numbers, booleans, lists and dicts") from None
    clash = sorted(RESERVED_KEYS & extra.keys())
    if clash:
        raise ModelError(f"metadata keys {clash} are reserved: save_model writes them itself",
                         fix="rename those keys")
    model_path, meta_path = folder / MODEL_FILE, folder / METADATA_FILE
    if not overwrite and (model_path.exists() or meta_path.exists()):
        raise ModelError(f"{folder} already holds a saved model", path=str(folder),
                         fix="pass overwrite=True, or save into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    names = getattr(model, "feature_names_in_", None)
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_file": MODEL_FILE,
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "feature_names": None if names is None else [str(c) for c in names],
        "model_params": {k: _jsonable(v) for k, v in sorted(params.items())},
        "segment_sizes": _jsonable(list(getattr(model, "segment_sizes_", []))),
        "versions": _versions(),
    }
    meta = json.loads(json.dumps(meta | extra))  # as it will read back, so that the hash matches on load
    blob = _canonical_skops(sio.dumps(model), metadata_hash(meta))
    meta["model_sha256"] = hashlib.sha256(blob).hexdigest()
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    for path, payload in ((model_path, blob), (meta_path, text.encode("utf-8"))):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(payload)
        os.replace(tmp, path)
    return folder


def _minor(version: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", str(version))[:2])


def _expected(type_name: str) -> bool:
    if type_name in EXPECTED_TYPES:
        return True
    module, _, name = type_name.rpartition(".")
    if not (module == "sklearn" or module.startswith("sklearn.")):
        return False
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    from sklearn.base import BaseEstimator

    return isinstance(obj, type) and issubclass(obj, BaseEstimator)


def _check_metadata_hash(meta: dict, model_path: Path, meta_path: Path) -> None:
    """Refuse metadata that differs from what was saved with the model (the hash inside model.skops)."""
    try:
        with zipfile.ZipFile(model_path) as archive:
            stored = archive.read(METADATA_HASH_ENTRY).decode("ascii").strip() \
                if METADATA_HASH_ENTRY in archive.NameToInfo else None
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{MODEL_FILE} cannot be read as a skops file ({type(exc).__name__}: {exc})",
                         fix="refit and save the model again", path=str(model_path)) from None
    if stored is None:
        raise ModelError(f"{MODEL_FILE} holds no hash of {METADATA_FILE} (it was saved by an older segkit, "
                         f"format {meta.get('format_version')!r}), so its segment names and features cannot be "
                         "checked", fix="refit: run the batch again, or save the model with this segkit",
                         path=str(model_path))
    if stored != metadata_hash(meta):
        raise ModelError(f"{METADATA_FILE} does not match the hash stored in {MODEL_FILE}: it was edited after the "
                         "model was saved (segment names, features, params or versions), so it cannot be trusted",
                         fix="restore metadata.json from the run folder, or refit", path=str(meta_path))


def load_model(directory):
    """Load a model saved by :func:`save_model`, after checking it.

    Parameters
    ----------
    directory : str or Path

    Returns
    -------
    model : estimator
    metadata : dict
        The content of metadata.json.

    Raises
    ------
    DataFileError
        A file is missing or metadata.json is not valid JSON.
    ModelError
        The model file does not match its recorded hash, the metadata does not match the hash stored in
        the model file (it was edited: a forged segment name is refused), the model was saved with another
        scikit-learn major.minor version, or it holds a type that a segkit model should not contain.
    """
    import skops.io as sio
    import sklearn

    folder = Path(directory)
    model_path, meta_path = folder / MODEL_FILE, folder / METADATA_FILE
    for path in (meta_path, model_path):
        if not path.is_file():
            raise DataFileError(f"{path} does not exist", path=str(path),
                                fix="point to a model folder written by save_model (artifacts/model/ of a run)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{meta_path} is not valid JSON ({exc})", path=str(meta_path),
                            fix="restore it from the run folder, or refit and save the model again") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("versions", {}), dict):
        raise DataFileError(f"{meta_path} is not a segkit model's metadata (a JSON object with the model's hash "
                            "and versions)", path=str(meta_path),
                            fix="restore it from the run folder, or refit and save the model again")
    if _sha256(model_path) != meta.get("model_sha256"):
        raise ModelError(f"{MODEL_FILE} does not match the hash recorded in {METADATA_FILE}: "
                         "the file was changed or corrupted", fix="refit", path=str(model_path))
    _check_metadata_hash(meta, model_path, meta_path)
    saved = str(meta.get("versions", {}).get("scikit-learn", "unknown"))
    if _minor(saved) != _minor(sklearn.__version__):
        raise ModelError(f"the model was saved with scikit-learn {saved} and this environment has "
                         f"scikit-learn {sklearn.__version__}", path=str(model_path),
                         fix=f"install scikit-learn=={saved} to load it, or refit the model with "
                             f"scikit-learn {sklearn.__version__}")
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, JSONDecodeError for a damaged archive
        raise ModelError(f"{MODEL_FILE} cannot be read as a skops file ({type(exc).__name__}: {exc})",
                         fix="refit and save the model again", path=str(model_path)) from None
    unexpected = [t for t in untrusted if not _expected(t)]
    if unexpected:
        raise ModelError(f"{MODEL_FILE} contains types a segkit model should not hold: {', '.join(unexpected)}",
                         fix="load only models written by segkit's save_model; refit if in doubt",
                         path=str(model_path))
    try:
        model = sio.load(model_path, trusted=untrusted)
    except Exception as exc:  # a schema this skops cannot rebuild
        raise ModelError(f"{MODEL_FILE} could not be loaded ({type(exc).__name__}: {exc})",
                         fix="refit and save the model again with this environment", path=str(model_path)) from None
    return model, meta


def check_features(metadata: dict, df) -> None:
    """Check that `df` has exactly the model's feature columns, in the same order.

    Parameters
    ----------
    metadata : dict
        As returned by :func:`load_model`.
    df : DataFrame
        The features to score.

    Raises
    ------
    ModelError
        Naming the missing columns, the extra columns, or the expected order.
    """
    expected = [str(c) for c in (metadata.get("feature_names") or [])]
    got = [str(c) for c in df.columns]
    missing = [c for c in expected if c not in got]
    extra = [c for c in got if c not in expected]
    problems = []
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    if extra:
        problems.append("extra columns: " + ", ".join(extra))
    if problems:
        raise ModelError("the features do not match the model's: " + "; ".join(problems),
                         column=", ".join(missing + extra),
                         fix="compute the features with the same params as the training run, or select "
                             "df[" + repr(expected) + "]")
    if got != expected:
        raise ModelError("the feature columns are in the wrong order: expected " + ", ".join(expected),
                         fix="reorder with df[metadata['feature_names']]")
