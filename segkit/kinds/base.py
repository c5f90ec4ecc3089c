"""The data-kind protocol: everything that differs between transactions, customer tables and areas.

A data kind is one module (a package under ``segkit/kinds/`` for the built-in ones, or any importable
module named by ``data_kind: mypackage.mykind``) that defines the functions of :class:`DataKind`.
The kind-neutral machinery (io, select, cluster, profile, stages, report) reaches a kind only through
:func:`segkit.kinds.get`, which wraps the module in :class:`Kind` and fills in the optional hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import pandas as pd
import yaml

from ..errors import ParamsError

__all__ = ["DataKind", "Kind", "REQUIRED"]

#: The functions every data kind defines.
REQUIRED = ("check_columns", "clean", "features", "preprocessor", "name_segments", "column_roles")


class DataKind(Protocol):
    """What a data-kind module provides (the optional members have the defaults of :class:`Kind`).

    Required
    --------
    check_columns(params, columns)
        Refuse, before any notebook runs, params whose mapped columns are not in the input.
    clean(raw, params) -> (DataFrame, CleaningLog)
        The kind's cleaning rules, each logged with the rows it removed.
    features(clean, params) -> FeatureSet
        One row per entity, with labels, units and the columns that feed the clustering.
    preprocessor(fs, params)
        The unfitted scikit-learn transformer from the clustering features to the matrix k-means sees.
    name_segments(profile, fs, params, labels=None) -> dict[int, SegmentName]
        Names from the profile (never from cluster numbers).
    column_roles(raw, params) -> DataFrame
        How each input column is used, for the data-quality report.

    Optional
    --------
    ENTITY : str
        What one row of the feature table is ("customers", "areas"); default "customers".
    SENTENCES_PER : str
        What the driver sentences compare, said in their words where a row is not a person ("area": "typical
        area", "average area"); default None ("typically", "on average").
    EXTRA_STAGES : tuple of str
        Capabilities that switch on optional notebooks (``"churn"`` for 08, ``"score"`` for 06) and
        sections (cells tagged ``needs:pca``, ``needs:categories``, ...).
    SYNTH_TABLES : mapping
        ``synth://NAME`` generators: name -> ``generate(options) -> DataFrame``.
    PRIVATE_RECORDS : bool
        Whether rows are people (their ids are kept out of business pages); default True.
    id_columns(params) -> list of str
        Identifier columns of the input, never shown in reports.
    eda_frame(raw, params) -> DataFrame
        The numeric input columns worth a histogram.
    choose_k(params, n_rows, selection) -> (k, sentence) or None
        The kind's own rule for the number of segments (None: the criteria's choice).
    segment_rule(fs, params) -> estimator or None
        The kind's own rule for the segments instead of clustering (None: clustering). An unfitted
        estimator whose ``fit(fs.clustering_table)`` sets ``labels_`` and ``segment_names_`` and which has
        ``transform`` (distances to segment centres), ``stability(X, n_boot=, seed=, sample_size=)`` and
        ``rationale()`` (the k page's sentence); k is then the number of its segments, not the criteria's.
    after_segment(ctx, seg)
        Kind-specific outputs of the final segmentation (extra artifacts, key facts, churn risk).
    stage_checks(cleaned, params, needs) -> dict
        What the notebooks of the capabilities ``needs`` would stop on in the cleaned table (for transactions: the
        churn cutoff of ``08_churn``, the holdout period of ``10_value``): capability -> the SegkitError it would
        raise. A batch leaves those notebooks out and says why; ``segkit check`` warns.
    input_findings(raw, params) -> list of Finding
        Warnings the schema cannot express (orders refunded in part without a ``refund_col``): ``segkit check``,
        the terminal and the data-quality page show them with the schema's.
    feature_findings(fs, params) -> list of Finding
        Warnings only the built features show (a column blank exactly where another is 0): ``segkit check``.
    CURRENCY : str
        The money of the kind's data where the params and the input name none ("$" for census tables).
    unmapped(params, columns) -> (params, notes)
        The params without the optional columns they name by default only and the input lacks (transactions'
        ``StockCode`` and ``Country``), and one note for each: a run reads them as not mapped, not as an error.

    What a capability in ``EXTRA_STAGES`` asks of the kind (the stage reaches it through the kind)
    -----------------------------------------------------------------------------------------------
    ``pca``: ``pca_variance(fs, params)``; ``categories``: ``categorical_table(fs, labels, codes, names)``;
    ``score``: a ``score`` module (``score_customers``, ``check_new_rows``), an ``explore`` module and,
    optionally, ``fresh_rows(params, n)``; ``churn``: a ``churn`` module; ``value``: a ``lifetime`` module.

    ``segkit score`` needs no capability: it scores with ``score.score_rows(model, metadata, rows)`` wherever a
    kind ships a ``score`` module that has it (customers; demographics, which builds its features from raw ACS
    rows first).
    """

    def check_columns(self, params: Any, columns: Sequence[str]) -> None: ...

    def clean(self, raw: pd.DataFrame, params: Any) -> tuple[pd.DataFrame, Any]: ...

    def features(self, cleaned: pd.DataFrame, params: Any) -> Any: ...

    def preprocessor(self, fs: Any, params: Any) -> Any: ...

    def name_segments(self, profile: Any, fs: Any, params: Any, labels: Any = None) -> dict: ...

    def column_roles(self, raw: pd.DataFrame, params: Any) -> pd.DataFrame: ...


class Kind:
    """A data-kind module with the optional hooks of :class:`DataKind` filled in."""

    def __init__(self, name: str, module: ModuleType):
        missing = [f for f in REQUIRED if not callable(getattr(module, f, None))]
        if missing:
            raise ParamsError(f"data_kind {name!r} ({module.__name__}) does not define {', '.join(missing)}",
                              "implement every function of segkit.kinds.base.DataKind", key="data_kind")
        self.name, self.module = name, module

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"

    def __getattr__(self, attr: str) -> Any:  # the required functions and anything else the module defines
        if attr == "module":
            raise AttributeError(attr)
        return getattr(self.module, attr)

    @property
    def entity(self) -> str:
        return getattr(self.module, "ENTITY", "customers")

    @property
    def says_customers(self) -> bool:
        """Whether the kind's texts and its notebooks' narrative say "customers" for its rows, and its pages show no
        label of the data outside its tables: then a run's ``entity`` is said in their place on every page
        (:func:`segkit.stages.context.page_entity`). Not the customers kind: its texts say the entity already, and its
        cards quote the data's levels ("Customer Type: Loyal Customer"), which a rewrite would misquote."""
        return bool(getattr(self.module, "SAYS_CUSTOMERS", False))

    @property
    def sentences_per(self) -> str | None:
        return getattr(self.module, "SENTENCES_PER", None)

    @property
    def extra_stages(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "EXTRA_STAGES", ()))

    @property
    def synth_tables(self) -> Mapping[str, Callable[[dict], pd.DataFrame]]:
        return dict(getattr(self.module, "SYNTH_TABLES", {}))

    @property
    def read_options(self) -> dict[str, Any]:
        """How the kind's inputs are read besides the params' keys: ``census`` when the module declares
        ``CENSUS_CODES`` (``2,500-`` is a bottom code, ``(X)`` missing: :func:`segkit.parse.read_numbers`)."""
        return {"census": bool(getattr(self.module, "CENSUS_CODES", False))}

    def name_columns(self, raw: pd.DataFrame) -> pd.DataFrame:
        """``raw`` with the columns the module's ``name_columns`` hook names from the input's own naming (a census
        download's variable codes, ``B01003_001E``, as ``population``); ``raw`` itself for a kind without it."""
        hook = getattr(self.module, "name_columns", None)
        return raw if hook is None else hook(raw)

    @property
    def private_records(self) -> bool:
        return bool(getattr(self.module, "PRIVATE_RECORDS", True))

    def schema(self) -> dict[str, Any] | None:
        """The expected input (``schema.yaml`` beside the kind's module), or None when it ships none."""
        path = Path(self.module.__file__).with_name("schema.yaml")
        return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None

    def id_columns(self, params: Any) -> list[str]:
        hook = getattr(self.module, "id_columns", None)
        if hook is not None:
            return list(hook(params))
        ids = [params.id_col] + [c for c, role in (params.roles or {}).items() if role == "id"]
        return [c for c in ids if c]

    def unmapped(self, params: Any, columns: Sequence[str]) -> tuple[Any, list[str]]:
        hook = getattr(self.module, "unmapped", None)
        return (params, []) if hook is None else hook(params, columns)

    def stage_checks(self, cleaned: pd.DataFrame, params: Any, needs: Sequence[str]) -> dict[str, Any]:
        hook = getattr(self.module, "stage_checks", None)
        return {} if hook is None else dict(hook(cleaned, params, needs))

    def eda_frame(self, raw: pd.DataFrame, params: Any) -> pd.DataFrame | None:
        hook = getattr(self.module, "eda_frame", None)
        return None if hook is None else hook(raw, params)

    def choose_k(self, params: Any, n_rows: int, selection: Any = None) -> tuple[int, str] | None:
        hook = getattr(self.module, "choose_k", None)
        return None if hook is None else hook(params, n_rows, selection)

    @property
    def fixes_k(self) -> bool:
        """Whether the kind has its own rule for k (then a fixed ``k`` still goes through it)."""
        return callable(getattr(self.module, "choose_k", None))

    def segment_rule(self, fs: Any, params: Any) -> Any | None:
        """The kind's own rule for the segments (an unfitted estimator), or None to cluster."""
        hook = getattr(self.module, "segment_rule", None)
        return None if hook is None else hook(fs, params)

    def after_segment(self, ctx: Any, seg: Any) -> None:
        hook = getattr(self.module, "after_segment", None)
        if hook is not None:
            hook(ctx, seg)
