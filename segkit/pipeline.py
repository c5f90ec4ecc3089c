"""The stages of a run: what each report notebook calls, for every data kind.

Each stage takes the notebook's :class:`~segkit.notebook.NotebookRun` (params + run folder), reads what
earlier stages wrote to ``artifacts/``, computes through the library modules, writes its own artifacts
and returns the objects the notebook displays. The same calls work from plain Python, which is how the
benchmark's floor and the tests run the pipeline without notebooks.

======================  ==========================================  ===================================
stage                   reads                                       writes
======================  ==========================================  ===================================
:func:`load`            the input (file or SQL)                     ``input.json``
:func:`clean`           the loaded table                            ``clean.parquet``, ``cleaning_log.json``
:func:`build_features`  ``clean.parquet``                           ``features.parquet``, ``features_meta.json``
:func:`select`          ``features.parquet``                        ``k_selection.json``, ``k_summary.json``
:func:`hierarchy`       features, ``k_summary.json``                ``hierarchy.json``
:func:`segment`         features, ``k_summary.json``                ``segments.csv``, ``profiles.json``,
                                                                    ``segments_summary.json``, ``model/``
======================  ==========================================  ===================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import io, kinds
from .config import Params
from .errors import DataValueError, ParamsError, SegmentationError
from .features import FeatureSet

__all__ = [
    "preflight", "load", "clean", "build_features", "load_features", "FeatureSet", "clustering_matrix",
    "select", "chosen_k", "hierarchy", "segment", "Segmentation", "load_segmentation", "score_file",
]



# ------------------------------------------------------------------------------------- preflight
def preflight(params: Params) -> dict[str, Any]:
    """Check, before any notebook starts, that the input exists and has every mapped column.

    Returns a short description of the input for progress messages. Raises a
    :class:`~segkit.errors.SegkitError` naming the key, file or column otherwise.
    """
    columns = io.input_columns(params)
    kinds.get(params.data_kind).check_columns(params, columns)
    where = Path(params.data_path).name if params.source == "file" else "SQL query"
    return {"input": f"{where} ({len(columns)} columns)", "columns": columns}


# ---------------------------------------------------------------------------------- load, clean
def load(nb) -> pd.DataFrame:
    """Read the input table and check it against the data kind's schema (``segkit/schemas``).

    Hard failures (a required column missing or unparsable) raise; warnings and notes go to
    ``schema_findings.json``. ``input.json`` records the size, columns and content hash.
    """
    from .schema import validate

    raw = io.load_input(nb.params)
    findings = validate(raw, nb.params.data_kind, nb.params, raise_errors=True)
    nb.folder.write_json("schema_findings.json", [f.to_dict() for f in findings])
    content_hash = pd.util.hash_pandas_object(raw, index=False).to_numpy()
    nb.folder.write_json("input.json", {
        "rows": int(len(raw)), "columns": [str(c) for c in raw.columns],
        "content_hash": "rows-sha256:" + hashlib.sha256(content_hash.tobytes()).hexdigest(),
        "read_notes": raw.attrs.get("read_notes", []),
    })
    return raw


def clean(nb, raw: pd.DataFrame):
    """Apply the data kind's cleaning rules; write ``clean.parquet`` and ``cleaning_log.json``.

    Returns
    -------
    clean : DataFrame
    log : CleaningLog
    """
    cleaned, log = kinds.get(nb.params.data_kind).clean(raw, nb.params)
    nb.folder.write_parquet("clean.parquet", cleaned.reset_index(drop=True))
    nb.folder.write_json("cleaning_log.json", log.to_dict())
    return cleaned, log


# -------------------------------------------------------------------------------------- features
def build_features(nb, cleaned: pd.DataFrame | None = None) -> FeatureSet:
    """Turn the cleaned table into one row per entity; write ``features.parquet`` and its metadata."""
    p = nb.params
    if cleaned is None:
        cleaned = nb.folder.read_parquet("clean.parquet")
    fs = kinds.get(p.data_kind).features(cleaned, p)
    missing = [c for c in fs.columns if c not in fs.table.columns]
    if missing:
        raise ParamsError(f"features lists {missing}, which the {p.data_kind} features do not include",
                          f"choose from: {', '.join(map(str, fs.table.columns))}", key="features")
    nb.folder.write_parquet("features.parquet", fs.table)
    nb.folder.write_json("features_meta.json", {
        "n_entities": int(len(fs.table)), "entity": fs.entity, "entity_label": fs.entity,
        "id": fs.table.index.name, "columns": fs.columns, "all_columns": [str(c) for c in fs.table.columns],
        "labels": fs.labels, "notes": fs.notes, "extra": fs.extra, "short": fs.short, "units": fs.units,
        "profile_columns": fs.profile_columns, "better": fs.better,
    })
    return fs


def load_features(nb) -> FeatureSet:
    """Read the feature table and its metadata written by :func:`build_features`."""
    meta = nb.folder.read_json("features_meta.json")
    table = nb.folder.read_parquet("features.parquet")
    return FeatureSet(table=table, columns=list(meta["columns"]), labels=meta.get("labels", {}),
                      entity=meta.get("entity", "customers"), notes=meta.get("notes", []), extra=meta.get("extra", {}),
                      short=meta.get("short", {}), units=meta.get("units", {}),
                      profile_columns=meta.get("profile_columns"), better=meta.get("better", {}))


def preprocessor(params: Params, fs: FeatureSet):
    """The unfitted transformer that turns the clustering features into the matrix k-means sees."""
    return kinds.get(params.data_kind).preprocessor(fs, params)


def clustering_matrix(nb, fs: FeatureSet | None = None) -> np.ndarray:
    """Fit the preprocessor on the clustering features and return the matrix (rows = entities)."""
    from sklearn.base import clone

    fs = fs or load_features(nb)
    transformer = clone(preprocessor(nb.params, fs))
    X = np.asarray(transformer.fit_transform(fs.clustering_table), dtype=float)
    if not np.isfinite(X).all():
        raise DataValueError("the clustering matrix has missing or infinite values after preprocessing",
                             "check the features for missing values; impute or drop them")
    return X


# ------------------------------------------------------------------------------------- choosing k
def _k_bounds(params: Params, n: int) -> tuple[int, int]:
    if n < 3:
        raise SegmentationError(f"only {n} rows are left to segment", "check the cleaning log; segmentation needs "
                                "at least 3 rows", key="k")
    if params.k != "auto" and params.k >= n:
        raise SegmentationError(f"k={params.k} segments asked for, but only {n} rows to segment",
                                f"set k below {n}, or k: auto", key="k")
    k_max = min(params.k_max, n - 1)
    if params.k_min > k_max:
        raise SegmentationError(f"k_min={params.k_min} is not below the {n} rows to segment",
                                f"set k_min and k_max below {n}", key="k_min")
    return params.k_min, k_max


def select(nb, X: np.ndarray | None = None):
    """Score every k in the range on every criterion, recommend one, and record the chosen k.

    Returns the :class:`~segkit.select.KSelection`; ``k_summary.json`` records the chosen k (the
    recommendation, or the k fixed in the params) and the sentence that explains it.
    """
    from .select import choose_k, select_k

    p = nb.params
    X = clustering_matrix(nb) if X is None else X
    k_min, k_max = _k_bounds(p, len(X))
    selection = select_k(X, k_min=k_min, k_max=k_max, seed=p.seed, n_init=p.n_init, sample_size=p.sample_size,
                         gap_references=p.gap_references, bootstrap=p.bootstrap)
    k, sentence = choose_k(selection, p.k)
    kind_k = getattr(kinds.get(p.data_kind), "choose_k", None)  # e.g. demographics: 25, capped by the areas
    if kind_k is not None:
        k, sentence = kind_k(p, len(X), selection)
    nb.folder.write_json("k_selection.json", selection.to_dict())
    nb.folder.write_json("k_summary.json", {
        "recommended_k": int(selection.recommended_k), "chosen_k": int(k), "rationale": sentence,
        "k_range": [k_min, k_max], "structure": getattr(selection, "structure", None),
        "structure_note": getattr(selection, "structure_note", None), "sample_size": selection.sample_size,
    })
    return selection


def chosen_k(nb) -> int:
    """The number of segments chosen in the k-selection step (or fixed in the params)."""
    if nb.params.k != "auto" and not hasattr(kinds.get(nb.params.data_kind), "choose_k"):
        return int(nb.params.k)
    return int(nb.folder.read_json("k_summary.json")["chosen_k"])


# -------------------------------------------------------------------------------------- hierarchy
def hierarchy(nb, X: np.ndarray | None = None, k: int | None = None):
    """Compare ward, complete, average and single linkage at the chosen k; write ``hierarchy.json``."""
    from sklearn.cluster import KMeans

    from .hierarchy import compare_linkages

    p = nb.params
    X = clustering_matrix(nb) if X is None else X
    k = k or chosen_k(nb)
    # the same fit as the final k-means segments (segkit.cluster.SegmentModel) and the k-selection
    reference = KMeans(n_clusters=k, n_init=p.n_init, random_state=p.seed).fit_predict(X)
    comparison = compare_linkages(X, k, reference_labels=reference, seed=p.seed, max_rows=p.max_hierarchy_rows,
                                  silhouette_sample=p.sample_size)
    nb.folder.write_json("hierarchy.json", comparison.to_dict())
    return comparison


# -------------------------------------------------------------------------------------- segments
@dataclass
class Segmentation:
    """The final segments: fitted model, labels, profile with names, and the 2-D map."""

    model: Any
    features: FeatureSet
    labels: pd.Series
    profile: Any
    distances: np.ndarray
    coords: np.ndarray
    stability: list[float] | None = None
    drivers: dict[int, str] | None = None
    risk: pd.DataFrame | None = None
    facts: dict[int, list[dict[str, Any]]] | None = None  # a kind's own key facts per segment (after_segment)

    currency: str = "£"

    def cards(self, n_facts: int = 4) -> list[dict[str, Any]]:
        """One dict per segment for the executive summary cards (facts formatted in their units)."""
        from .report.cards import format_value

        p, fs, out = self.profile, self.features, []
        for seg in p.segments:
            if self.facts and seg in self.facts:  # e.g. the key-facts strip of census areas
                facts = self.facts[seg]
            else:
                facts = p.key_facts(seg, n=n_facts, labels=fs.label_map(), columns=fs.profiled)
                for fact in facts:
                    fact["value_text"] = format_value(fact["value"], fs.units.get(fact["feature"]), self.currency)
                    if fact["feature"] in fs.better:
                        fact["higher_is_better"] = fs.better[fact["feature"]]
            out.append({
                "segment": seg, "code": p.codes[seg], "name": p.names.get(seg, p.codes[seg]),
                "size": int(p.sizes[seg]), "share": float(p.shares[seg]),
                "description": p.descriptions.get(seg, ""), "action": p.actions.get(seg, ""), "facts": facts,
                "stability": None if self.stability is None else float(self.stability[seg]),
                "drivers": (self.drivers or {}).get(seg, ""), "risk": self._risk_sentence(p.codes[seg]),
            })
        return out

    def _risk_sentence(self, code: str) -> str:
        if self.risk is None or code not in self.risk.index:
            return ""
        from .churn import risk_sentences

        return risk_sentences(self.risk.loc[[code]], self.risk.attrs.get("threshold", 0.5)).get(code, "")


def segment(nb, fs: FeatureSet | None = None, k: int | None = None) -> Segmentation:
    """Fit the final seeded model, profile and name the segments, and write the artifacts."""
    from .cluster import SegmentModel
    from .profile import profile_segments, project_2d
    from .select import segment_stability

    p = nb.params
    fs = fs or load_features(nb)
    k = k or chosen_k(nb)
    if k > len(fs.table) - 1:
        raise SegmentationError(f"k={k} segments asked for, but only {len(fs.table)} rows", "lower k", key="k")
    model = SegmentModel(n_segments=k, algorithm=p.algorithm, linkage=p.linkage, preprocessor=preprocessor(p, fs),
                         n_init=p.n_init, random_state=p.seed, max_hierarchy_rows=p.max_hierarchy_rows)
    model.fit(fs.clustering_table)
    labels = pd.Series(model.labels_, index=fs.table.index, name="segment")
    distances = model.transform(fs.clustering_table)
    X = model.preprocessor_.transform(fs.clustering_table)
    X = np.asarray(X, dtype=float)
    stability = segment_stability(X, labels.to_numpy(), n_boot=p.bootstrap, seed=p.seed, sample_size=p.sample_size)
    profile = profile_segments(fs.table, labels, columns=fs.profiled)
    profile = profile.with_names(kinds.get(p.data_kind).name_segments(profile, fs, p, labels=labels))
    coords, _ = project_2d(X, seed=p.seed)
    seg = Segmentation(model=model, features=fs, labels=labels, profile=profile, distances=distances,
                       coords=coords, stability=[float(s) for s in stability], currency=p.currency)
    from .explain import segment_drivers

    seg.drivers = segment_drivers(fs.table, labels, None, fs.label_map(fs.table.columns), p.seed,
                                  units=fs.units, currency=p.currency)
    _write_segmentation(nb, seg)
    if p.data_kind == "transactions":
        from .churn import segment_risk

        seg.risk = segment_risk(nb)
        if seg.risk is not None:
            seg.risk.attrs["threshold"] = p.churn_threshold
    after = getattr(kinds.get(p.data_kind), "after_segment", None)
    if after is not None:
        after(nb, seg)
    return seg


def _write_segmentation(nb, seg: Segmentation) -> None:
    p, prof = nb.params, seg.profile
    codes, names = prof.codes, prof.names
    own = seg.distances[np.arange(len(seg.labels)), seg.labels.to_numpy()]
    table = pd.DataFrame({
        seg.features.table.index.name or "id": seg.labels.index.astype(str),
        "segment_code": [codes[s] for s in seg.labels],
        "segment_name": [names.get(s, codes[s]) for s in seg.labels],
        "distance_to_centre": np.round(own, 6),
    })
    nb.folder.write_csv("segments.csv", table)
    profile_dict = prof.to_dict()
    profile_dict["stability"] = seg.stability
    profile_dict["drivers"] = {str(k): v for k, v in (seg.drivers or {}).items()}
    nb.folder.write_json("profiles.json", profile_dict)
    nb.folder.write_json("segments_summary.json", {
        "n_entities": int(len(seg.labels)), "extra_label": "Stability (Jaccard)",
        "segments": [{"code": c["code"], "name": c["name"], "size": c["size"], "share": c["share"],
                      "extra": "" if c["stability"] is None else f"{c['stability']:.2f}"} for c in seg.cards()],
    })
    from .modelio import save_model

    save_model(seg.model, nb.folder.artifact("model"), overwrite=True, metadata={
        "features": list(seg.features.columns), "params": p.public_dict(), "data_kind": p.data_kind,
        "segment_codes": codes, "segment_names": {str(k): v for k, v in names.items()},
        "input_hash": (nb.folder.read_json("input.json") if nb.folder.has("input.json") else {}).get("content_hash"),
    })


def load_segmentation(nb):
    """Read the assignments and profiles written by :func:`segment` (for later notebooks)."""
    from .profile import SegmentProfile

    segments = pd.read_csv(nb.folder.artifact("segments.csv"), dtype=str)
    profile = SegmentProfile.from_dict(nb.folder.read_json("profiles.json"))
    return segments, profile


def score_file(model_dir: str | Path, new: str | Path, *, out: str | Path, force: bool = False) -> Path:
    """Score a file of new rows with a saved model and write the result (``segkit score``)."""
    from .errors import RunError
    from .modelio import load_model
    from .score import score_customers

    out = Path(out)
    if out.exists() and not force:
        raise RunError(f"{out} already exists", "pass --force to replace it, or choose another --out", path=out)
    model, metadata = load_model(model_dir)
    scored = score_customers(model, metadata, io.read_table(new))
    out.parent.mkdir(parents=True, exist_ok=True)
    scored.to_csv(out, index=False, lineterminator="\n")
    return out
