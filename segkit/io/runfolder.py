"""Run artifacts: stable JSON, Parquet and CSV files under ``reports/<run>/artifacts/``.

Everything a notebook writes goes through :class:`RunFolder`, so equal inputs give equal bytes (sorted
JSON keys, no timestamps in figures, numpy scalars converted) and a later notebook reads exactly what an
earlier one wrote.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFileError
from ..featureset import FeatureSet, freeze_attrs

__all__ = ["RunFolder", "write_json", "read_json", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types (NaN becomes null)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)) or (isinstance(value, np.ndarray)):
        return [to_jsonable(v) for v in (sorted(value) if isinstance(value, set) else value)]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as stable, pretty JSON (sorted keys) so equal inputs give equal bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


#: The file a run folder carries when the notebooks created it (a run started in JupyterLab): segkit made the folder,
#: so ``segkit run --force`` may replace it. A folder that existed before the notebooks opened it never gets one.
NOTEBOOK_MARKER = ".segkit-notebooks.json"

#: The notebook that writes each artifact a later one reads, for the message when it is missing.
WRITTEN_BY = {**dict.fromkeys(["clean.parquet", "cleaning_log.json", "input.json", "schema_findings.json"], "01_eda"),
              **dict.fromkeys(["features.parquet", "features_meta.json"], "02_features"),
              **dict.fromkeys(["k_summary.json", "k_selection.json"], "03_select_k"),
              **dict.fromkeys(["segments.csv", "profiles.json", "explain.json", "segments_summary.json"], "05_profile"),
              **dict.fromkeys(["churn.csv", "churn_summary.json"], "08_churn"),
              **dict.fromkeys(["value.csv", "value_summary.json"], "10_value")}


def missing(path: Path) -> DataFileError:
    """The error for an artifact a notebook needs that no earlier notebook wrote into this run folder."""
    first = WRITTEN_BY.get(path.name)
    fix = (f"run {first} first, with the same run_dir (it writes {path.name}); the notebooks run in their numbered "
           "order" if first else "run the notebooks before this one first, in their numbered order")
    return DataFileError(f"{path} does not exist", fix, path=path)


def read_json(path: str | Path) -> Any:
    path = Path(path)
    if not path.is_file():
        raise missing(path)
    return json.loads(path.read_text(encoding="utf-8"))


class RunFolder:
    """Paths and artifact I/O of one run folder (``reports/<run>/``).

    A notebook reads what earlier notebooks wrote under ``artifacts/`` and writes its own there.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.artifacts = self.path / "artifacts"

    def ensure(self) -> "RunFolder":
        self.artifacts.mkdir(parents=True, exist_ok=True)
        return self

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def artifact(self, name: str) -> Path:
        return self.artifacts / name

    def has(self, name: str) -> bool:
        return self.artifact(name).exists()

    def write_json(self, name: str, data: Any) -> Path:
        return write_json(self.artifact(name), data)

    def read_json(self, name: str) -> Any:
        return read_json(self.artifact(name))

    def write_parquet(self, name: str, df: pd.DataFrame) -> Path:
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # pandas stores ``attrs`` in the file as JSON; make them JSON-safe (numpy scalars, tuples, sets,
        # timestamps) on a shallow copy, so writing never fails on them and equal tables give equal bytes.
        out = df.copy(deep=False)
        out.attrs = json.loads(json.dumps(to_jsonable(dict(df.attrs)), default=str))
        tmp = path.with_name(f".{path.name}.tmp")
        out.to_parquet(tmp, compression="zstd", index=True)
        tmp.replace(path)
        return path

    def read_parquet(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A Parquet artifact; with ``columns``, only those of them it has."""
        path = self.artifact(name)
        if not path.is_file():
            raise missing(path)
        if columns is not None:
            import pyarrow.parquet as pq

            present = set(pq.read_schema(path).names)
            columns = [c for c in columns if c in present]
        return freeze_attrs(pd.read_parquet(path, columns=columns))  # attrs come back as lists, deep-copied each step

    def read_csv(self, name: str, **kwargs: Any) -> pd.DataFrame:
        path = self.artifact(name)
        if not path.is_file():
            raise missing(path)
        return pd.read_csv(path, **kwargs)

    def write_csv(self, name: str, df: pd.DataFrame, *, index: bool = False) -> Path:
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=index, lineterminator="\n", float_format="%.6g")
        return path

    def write_png(self, name: str, png: bytes) -> Path:
        """Write an image's PNG bytes (a figure as the reports embed it: :func:`segkit.report.cards.figure_png`)."""
        path = self.artifact(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return path

    def read_params(self) -> dict[str, Any] | None:
        path = self.path / "params.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def write_features(self, fs: FeatureSet) -> None:
        """Write ``features.parquet`` and ``features_meta.json`` (everything :meth:`read_features` needs)."""
        self.write_parquet("features.parquet", fs.table)
        self.write_json("features_meta.json", {
            "n_entities": int(len(fs.table)), "entity": fs.entity, "entity_label": fs.entity,
            "id": fs.table.index.name, "columns": fs.columns, "all_columns": [str(c) for c in fs.table.columns],
            "labels": fs.labels, "notes": fs.notes, "extra": fs.extra, "short": fs.short, "units": fs.units,
            "profile_columns": fs.profile_columns, "better": fs.better, "input_hash": self._input_hash(),
        })

    def _input_hash(self) -> str | None:
        """The fingerprint of the input 01_eda read last into this folder (``input.json``), None before it ran."""
        if not self.has("input.json"):
            return None
        read = self.read_json("input.json")
        return read.get("file_hash") or read.get("content_hash")

    def read_features(self) -> FeatureSet:
        """The feature table and its metadata, as :meth:`write_features` wrote them; an error when they were built
        from another input than the one 01_eda read last (a new input read, then 02_features failed or not run)."""
        meta = self.read_json("features_meta.json")
        built, read = meta.get("input_hash"), self._input_hash()
        if built and read and built != read:
            raise DataFileError(f"{self.artifact('features.parquet')} was built from another input ({built}) than "
                                f"the one 01_eda read last ({read}, in input.json)",
                                "run 02_features again, with the same run_dir, so that the notebooks after it "
                                "describe that input", path=self.artifact("features.parquet"))
        table = self.read_parquet("features.parquet")
        return FeatureSet(table=table, columns=list(meta["columns"]), labels=meta.get("labels", {}),
                          entity=meta.get("entity", "customers"), notes=meta.get("notes", []),
                          extra=meta.get("extra", {}), short=meta.get("short", {}), units=meta.get("units", {}),
                          profile_columns=meta.get("profile_columns"), better=meta.get("better", {}))
