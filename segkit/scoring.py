"""Scoring new rows with a saved model: the one path behind ``segkit score`` and ``segkit serve``.

:func:`load_scorer` loads a model folder once (its hashes checked by :func:`segkit.modelio.load_model`) and
finds the data kind it was fitted for; :meth:`Scorer.score` puts a table through that kind's scorer (for a
customer table, :func:`segkit.kinds.customers.score.score_customers`; for census areas,
:func:`segkit.kinds.demographics.score.score_rows`, which builds the features from raw ACS rows first), which
checks the columns and types and returns the segment code, name, confidence, distance and the flags
``outside_training_range`` and ``not_scored`` of each row. A kind without a scorer (``score.score_rows`` in
its package; transactions: their features are computed from a customer's whole history, not a row) loads,
but refuses to score with a :class:`~segkit.errors.ModelError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import kinds
from .errors import DataFileError, ModelError
from .modelio import METADATA_FILE, MODEL_FILE, load_model, model_folder

__all__ = ["Scorer", "load_scorer"]


@dataclass(frozen=True)
class Scorer:
    """A loaded model, its metadata and its data kind.

    Attributes
    ----------
    model : fitted segment model
    metadata : dict
        The content of the model's ``metadata.json``.
    kind : segkit.kinds.Kind
    folder : Path
        The model folder.
    """

    model: Any
    metadata: dict
    kind: kinds.Kind
    folder: Path

    @property
    def can_score(self) -> bool:
        """Whether the model's data kind scores new rows (it ships ``score.score_rows``)."""
        return self._scorer is not None

    @property
    def _scorer(self):
        return getattr(getattr(self.kind.module, "score", None), "score_rows", None)

    @property
    def features(self) -> list[str]:
        """The input columns the model needs."""
        return [str(c) for c in (self.metadata.get("features") or self.metadata.get("feature_names") or [])]

    def score(self, table: pd.DataFrame) -> pd.DataFrame:
        """The scored rows of ``table`` (see :func:`segkit.kinds.customers.score.score_customers` for the columns
        and ``attrs["warnings"]``).

        Raises
        ------
        ModelError
            The kind cannot score new rows, or a column the model needs is missing.
        ColumnError
            A column holds values of the wrong type (text in a numeric or date column).
        """
        self.require_scoring()
        return self._scorer(self.model, self.metadata, table)

    def require_scoring(self) -> None:
        """Raise a :class:`~segkit.errors.ModelError` when the model's data kind cannot score new rows."""
        if not self.can_score:
            raise ModelError(f"a model of data kind {self.kind.name!r} cannot score new rows (the kind has no scorer)",
                             "score with a model of a kind that ships one (customer tables, census areas)",
                             path=str(self.folder))


def load_scorer(model_dir) -> Scorer:
    """Load the model folder ``model_dir`` (a run's ``artifacts/model``, or the run folder that holds it) after
    checking its hashes.

    Raises
    ------
    DataFileError, ModelError
        As :func:`segkit.modelio.load_model`: a missing file, a model or metadata that does not match its hash,
        another scikit-learn version.
    """
    folder = model_folder(model_dir)
    if folder is None:
        raise DataFileError(f"{model_dir} is neither a run folder with a saved model (artifacts/model/) nor a model "
                            f"folder ({MODEL_FILE} and {METADATA_FILE})", path=str(model_dir),
                            fix="give a run folder such as reports/<run> (segkit runs lists them; a comparison or a "
                                "run that failed before 05_profile has no model), or its artifacts/model folder")
    model, metadata = load_model(folder)
    kind = kinds.get(metadata.get("data_kind") or "customers")
    return Scorer(model=model, metadata=metadata, kind=kind, folder=folder)
