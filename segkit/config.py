"""Params: the schema, loading, layering, validation and secrets.

A run is described by flat YAML files layered left to right over the defaults below. A file may name
another it builds on with ``extends: other.yaml`` (relative to itself), or several with
``extends: [base.yaml, extra.yaml]`` (layered in that order, the file itself on top), so
``params/smoke.yaml`` can extend ``params/online_retail.yaml``. Relative paths in a file are resolved
against that file's folder, so a run does not depend on the working folder.

Params files are read defensively: a regular UTF-8 file of at most 1 MB, YAML without duplicate keys and
with at most a few aliases (no "billion laughs"), every echoed value cut short (:func:`~segkit.errors.truncate`).
A run name is one folder name from an allow-list (:data:`RUN_NAME_RULE`): never a path outside reports/.

Every key is checked before any notebook starts; a bad key (with a "did you mean") or value is refused naming it.

Secrets
-------
``sql_url`` is secret: it may carry a password. Write it as ``${ENV_VAR}`` to keep it out of the params
file altogether; either way the batch hands it to notebooks through the environment, and every copy that
is written down (manifest, executed notebooks, HTML) shows it redacted.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, model_validator

from .errors import DataFileError, ParamsError, describe_file_type, truncate
from .params_errors import params_error
from .parse.options import ReadOptions
from .runname import RUN_NAME_RULE, _run_name, check_run_name, run_name_from_file

__all__ = ["Params", "load_params", "params_from_mapping", "redact", "SECRET_KEYS", "RUNNER_KEYS", "PARAM_HELP",
           "RUN_NAME_RULE", "check_run_name", "run_name_from_file"]

#: The data kinds shipped with segkit (each is a package ``segkit.kinds.<name>``).
KINDS = ("transactions", "customers", "demographics")
_KIND_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def _data_kind(value: str) -> str:
    if value in KINDS or _KIND_MODULE.fullmatch(str(value)):
        return value
    raise ValueError(f"must be one of {', '.join(KINDS)}, or the dotted import path of a module that implements "
                     "segkit.kinds.base.DataKind")


#: A built-in data kind, or a module of one's own (``mypackage.kinds.loyalty``).
DataKind = Annotated[str, AfterValidator(_data_kind)]


def _iso_date(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        raise ValueError("must be a date written YYYY-MM-DD")
    return None if value is None else str(value)


#: Values of ``engine`` (``auto`` never picks ``spark``), and the forms of ``spark_master`` (Spark's master URLs).
ENGINE_VALUES = ("auto", "pandas", "duckdb", "spark")
SPARK_MASTER = re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?|local-cluster\[\d+,\s*\d+,\s*\d+\]|spark://[\w.\-]+(:\d+)?(,[\w.\-]+(:\d+)?)*|yarn|k8s://\S+|sc://\S+")


def _engine(value: str) -> str:
    if value not in ENGINE_VALUES:
        raise ValueError(f"must be one of {', '.join(ENGINE_VALUES)}")
    return value


def _spark_master(value: str) -> str:
    if not SPARK_MASTER.fullmatch(value):
        raise ValueError(f"{value!r} is not a Spark master URL; write local[*], local[4], spark://host:7077, yarn or k8s://https://host")
    return value


#: An optional calendar date, written YYYY-MM-DD.
IsoDate = Annotated[Union[str, None], BeforeValidator(lambda v: None if v is None else str(v)), AfterValidator(_iso_date)]

#: Keys the batch itself uses; every other key is a parameter of some notebook.
RUNNER_KEYS = frozenset({"run_name"})

#: Keys whose values must never be written to disk in clear.
SECRET_KEYS = frozenset({"sql_url"})


class Params(ReadOptions):  # how the input is read (sep, header, decimal, dayfirst, ...): segkit.parse.options
    """Every setting of a run. Defaults suit the bundled Online Retail data.

    The field descriptions double as the help text of ``segkit params`` and of the error messages.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    # --- run and source ---------------------------------------------------------------------
    run_name: Annotated[Union[str, None], AfterValidator(_run_name)] = Field(
        None, description="folder name under reports/: letters, digits, - _ . (default: the params file's name)")
    data_kind: DataKind = Field("transactions", description="transactions, demographics or customers (or "
                                "mypackage.mykind: a module implementing segkit.kinds.base.DataKind)")
    data_path: str | None = Field(None, description="CSV, Parquet or Excel file, or a folder of CSVs")
    data_sheet: Union[str, int, None] = Field(None, description="Excel sheet name or position (for workbooks with several sheets)")
    sql_url: str | None = Field(None, description="SQLAlchemy database URL (secret; write ${ENV_VAR} to keep it out of the file)")
    sql_query: str | None = Field(None, description="SQL query returning the input table (with sql_url)")
    seed: int = Field(42, ge=0, lt=2**32, description="random seed for every sampled or randomised step (0 to 2**32 - 1)")
    engine: Annotated[str, AfterValidator(_engine)] = Field(
        "auto", description="where reading, cleaning and features run: auto (duckdb for big inputs), pandas, duckdb or spark")
    memory_limit: str | None = Field(None, description="duckdb engine: memory it may use, e.g. 4GB (null: 35% of the machine's; a batch runs two notebooks at once)")
    temp_directory: str | None = Field(None, description="duckdb engine: folder it spills to beyond memory_limit (null: the system's temporary folder)")
    spark_master: Annotated[str, AfterValidator(_spark_master)] = Field("local[*]", description="spark engine: where Spark runs: local[*] (this machine, every core), spark://host:7077, yarn, k8s://...")
    spark_conf: dict[str, Union[str, int, float, bool]] = Field(default_factory=dict, description="spark engine: Spark settings, e.g. {spark.driver.memory: 8g, spark.executor.instances: 10}")
    driver_max_customers: int = Field(2_000_000, ge=10, description="spark engine: most customers whose features come back to the driver (about 150 bytes each in pandas, some 300 MB at 2,000,000, before the copies that k, the model, profiles and later pages make); with more, those steps use a seeded sample of this many and 05 assigns every customer in Spark (segments.parquet)")

    # --- column mapping ---------------------------------------------------------------------
    id_col: str | None = Field(None, description="entity id column for customer and area tables (zcta for demographics)")
    customer_col: str = Field("CustomerID", description="transactions: customer id column")
    invoice_col: str | None = Field("InvoiceNo", description="transactions: invoice id column (null: one purchase is one customer-day)")
    date_col: str = Field("InvoiceDate", description="transactions: date/time column")
    quantity_col: str | None = Field(
        "Quantity", description="transactions: quantity column (null with amount_col when the data has line amounts "
                                "only: each line is one item, a negative amount a return)")
    price_col: str | None = Field("UnitPrice", description="transactions: unit price column (or set amount_col)")
    amount_col: str | None = Field(None, description="transactions: line amount column, instead of quantity x price")
    stock_code_col: str | None = Field("StockCode", description="transactions: product code column (optional: left out, with a note, when the input has no column of the default name)")
    country_col: str | None = Field("Country", description="transactions: country column (optional: left out, with a note, when the input has no column of the default name)")
    status_col: str | None = Field(None, description="transactions: order status column (optional, e.g. Shopify's Financial Status): lines whose status is one of cancelled_statuses are removed")
    refund_col: str | None = Field(None, description="transactions: amount refunded on an order (optional, e.g. Shopify's Refunded Amount), on any of its lines: subtracted from the customer's spend as one returned line per order")

    # --- cleaning ---------------------------------------------------------------------------
    non_product_codes: list[str] | None = Field(None, description="transactions: stock codes that are not products (default: the built-in list of postage, fees, ...)")
    cancellation_prefix: str = Field("C", description="transactions: invoice prefix that marks a cancellation")
    cancelled_statuses: list[str] = Field(["refunded", "voided", "cancelled", "canceled"], min_length=1, description="with status_col: the statuses of orders the customer did not keep (compared in lower case)")
    drop_duplicates: bool | None = Field(
        None, description="drop exact duplicate rows; unset: yes, except in transactions without a quantity column, "
                          "where each line is one item and two identical lines are two items bought, and in customer "
                          "tables without an id column, where two identical rows may be two people")
    snapshot_date: IsoDate = Field(None, description="date recency is measured at (default: the day after the last purchase)")

    # --- features ---------------------------------------------------------------------------
    features: list[str] | None = Field(None, description="features that feed the clustering (default per data kind)")
    skew: Literal["log", "yeo-johnson", "none"] = Field("log", description="transform for skewed features")
    scaler: Literal["standard", "robust"] = Field("standard", description="scaling of features before clustering")

    # --- customer tables and areas ---------------------------------------------------------
    roles: dict[str, str] = Field(default_factory=dict, description="customers: column -> role overrides (id, numeric, ordinal, categorical, boolean, date, text, ignore, outcome: a yes/no result such as churn, shown per segment and never a feature; personal: a postal code, detected by name, never a feature)")
    valid_range: dict[str, list[float]] = Field(default_factory=dict, description="customers: column -> [low, high]; values outside are implausible (see out_of_range)")
    out_of_range: Literal["missing", "drop"] = Field("missing", description="customers: values outside valid_range become missing values (filled like other gaps), or drop removes their rows")
    fill: dict[str, Union[StrictBool, float, str]] = Field(default_factory=dict, description="customers: column -> what a blank means there, e.g. TotalCharges: 0 (a first bill not yet sent) or a level; other blanks are filled with the median or the most frequent level")
    clip: dict[str, list[float]] = Field(default_factory=dict, description="customers: column -> [low, high] quantiles at which its values are capped, e.g. [0.01, 0.99]")
    labels: dict[str, str] = Field(default_factory=dict, description="column -> plain words shown to readers (default: from the column name, abbreviations expanded)")
    units: dict[str, str] = Field(default_factory=dict, description="column -> unit (months, $, %, share, count, ...; default: only a unit the column name states)")
    entity: str | None = Field(None, description="what a row is: customer, cardholder, subscriber, member, ... (default: the data kind's)")
    rare_min_frequency: float = Field(0.01, ge=0, description="customers: categories rarer than this share are grouped as 'other'")
    pca_components: Union[int, float, None] = Field(None, description="customers: PCA components (a count, or a variance share such as 0.9)")
    score_path: str | None = Field(None, description="customers: table of new customers to score (default: a sample of the input, or fresh rows for generated data)")
    score_rows: int = Field(25, ge=1, description="customers: new customers drawn when score_path is not set")
    interactive: bool = Field(False, description="customers: build the ipywidgets explorer of a hypothetical customer (JupyterLab only)")
    min_population: int = Field(500, ge=0, description="demographics: areas with fewer residents are left out of fitting (ACS estimates for a few hundred residents are mostly sampling noise)")
    top_n: int = Field(5, ge=1, description="demographics: segments listed per area, best first")
    temperature: float = Field(1.0, gt=0, description="demographics: softness of the per-area segment scores (higher = flatter)")
    k_max_share: float = Field(0.1, gt=0, le=1, description="demographics: at most this many segments per area (k <= share x areas; k: auto asks for 25)")
    clip_z: float | None = Field(None, gt=0, description="demographics: standardised features are clipped to +-clip_z for fitting (null, the default: no clipping; min_population sets noisy areas aside)")

    # --- choosing k -------------------------------------------------------------------------
    k: Union[int, Literal["auto"]] = Field("auto", description="number of segments, or auto to follow the criteria")
    k_min: int = Field(2, ge=1, description="smallest number of segments to try")
    k_max: int = Field(10, ge=1, description="largest number of segments to try (census areas with k: auto: the "
                                             "criteria's range, shown beside the kind's own k; see k_max_share)")
    n_init: Union[int, Literal["auto"]] = Field("auto", description="k-means restarts per fit")
    sample_size: int = Field(2_000, ge=50, description="rows sampled for the silhouette and the gap statistic")
    stability_sample_size: int = Field(5_000, ge=50, description="rows sampled for bootstrap stability (stability depends on the rows, so more than sample_size)")
    gap_references: int = Field(5, ge=2, description="uniform reference sets for the gap statistic, shared by every k")
    bootstrap: int = Field(20, ge=1, description="bootstrap refits for segment stability at most (resampling stops once settled)")
    k_rule: Literal["auto", "vote"] = Field("auto", description="auto: the vote of the criteria when the data has clearly separated groups, otherwise the k in business_k_min..business_k_max whose segments are all stable, sizeable and distinct; vote: always the vote")
    business_k_min: int = Field(4, ge=2, description="smallest number of segments a business can use (k_rule: auto, data without clear groups)")
    business_k_max: int = Field(8, ge=2, description="largest number of segments a business can use (k_rule: auto, data without clear groups)")
    min_segment_share: float = Field(0.03, ge=0, lt=0.5, description="k_rule auto: smallest share of the rows a segment may hold")
    rfm_method: Literal["clusters", "scores"] = Field("clusters", description="transactions: clusters (k-means on recency, frequency and spend, k from the criteria) or scores (the classic RFM score grid of rfm_grid.yaml: one segment per named cell that holds customers)")

    # --- clustering -------------------------------------------------------------------------
    algorithm: Literal["kmeans", "agglomerative", "gmm"] = Field("kmeans", description="algorithm of the final segments")
    linkage: Literal["ward", "complete", "average", "single"] = Field("ward", description="linkage for agglomerative segments")
    max_hierarchy_rows: int = Field(10_000, ge=1, description="above this many rows, hierarchies are built on k-means micro-clusters")
    dendrogram_leaves: int = Field(30, ge=1, description="leaves shown in a truncated dendrogram")

    # --- explain and churn (issue 5), lifetime value (issue 15) -----------------------------
    explain_folds: int = Field(3, ge=2, description="explainer: cross-validation folds of the random forest that predicts the segment (each row is held out once)")
    explain_min_score: float = Field(0.8, gt=0, lt=1, description="explainer: macro-F1 below which the segments are reported as not well separated")
    churn_cutoff: IsoDate = Field(None, description="churn: date YYYY-MM-DD that splits features (before) from the outcome (after); default: churn_horizon_days before the end of the data")
    churn_horizon_days: int = Field(90, ge=1, description="churn: a customer with no purchase in this many days after the cutoff has churned")
    churn_threshold: float = Field(0.5, gt=0, lt=1, description="churn: customers with a churn probability at or above this are counted as at high risk")
    churn_folds: int = Field(3, ge=2, description="churn: cross-validation folds for ROC-AUC and PR-AUC (every customer is held out once)")
    churn_search_iter: int = Field(0, ge=0, description="churn: random hyperparameter settings tried in each fold (0: no search, the default forest)")
    churn_search_folds: int = Field(3, ge=2, description="churn: inner cross-validation folds of the hyperparameter search")
    clv_horizon_months: int = Field(12, ge=1, le=120, description="lifetime value: months ahead over which expected purchases and value (CLV) are summed")
    clv_margin: float = Field(1.0, gt=0, le=1, description="lifetime value: share of the purchase value that is profit (1: CLV in revenue)")
    clv_discount_rate: float = Field(0.01, ge=0, lt=1, description="lifetime value: monthly discount rate of future purchases")
    clv_calibration_end: IsoDate = Field(None, description="lifetime value: last day YYYY-MM-DD of the period the holdout check fits on; default: the day before the churn cutoff")

    # --- segments over time (issue 14) ------------------------------------------------------
    reference: str | None = Field(None, description="a previous run folder (or its model/ folder): segments keep its codes and names, and 09_compare reports what moved")
    reference_mode: Literal["refit", "score"] = Field("refit", description="with reference: refit fits anew and matches the new segments to the reference's; score assigns the data with the reference model unchanged")
    compare_run: str | None = Field(None, description="09_compare: the run compared with reference (default: this run); segkit compare sets it")

    # --- reports ----------------------------------------------------------------------------
    plot_sample: int = Field(5_000, ge=1, description="rows drawn in scatter and distribution plots")
    currency: Annotated[str, AfterValidator(str.strip)] = Field(
        "£", description="currency symbol used in reports (surrounding spaces dropped: 'ETB ' reads 'ETB'); "
                         "unset, a batch uses the one the input's amounts carry ('€ 8,14') or its currency column "
                         "names (USD), $ for census tables, else plain numbers (the Python API: £)")

    @model_validator(mode="after")
    def _consistent(self) -> "Params":
        if self.k_min < 2:
            raise ValueError("k_min must be at least 2: one segment is no segmentation")
        if self.k_max < self.k_min:
            raise ValueError(f"k_max ({self.k_max}) must be at least k_min ({self.k_min})")
        if self.business_k_max < self.business_k_min:
            raise ValueError(f"business_k_max ({self.business_k_max}) must be at least business_k_min "
                             f"({self.business_k_min})")
        if self.k != "auto" and self.k < 2:
            raise ValueError(f"k must be at least 2 or 'auto', got {self.k}")
        if self.price_col is None and self.amount_col is None:
            raise ValueError("set price_col or amount_col: monetary needs one of them")
        if self.quantity_col is None and self.amount_col is None:
            raise ValueError("quantity_col is null, so set amount_col to the line-amount column (spend is quantity x "
                             "price without it)")
        if self.sql_url and not self.sql_query:
            raise ValueError("sql_url needs sql_query (the query returning the input table)")
        if self.sql_query and not self.sql_url:
            raise ValueError("sql_query needs sql_url (the database to run it on)")
        return self

    # -----------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """``"sql"`` or ``"file"``."""
        return "sql" if self.sql_url else "file"

    def public_dict(self) -> dict[str, Any]:
        """The params with secrets redacted: safe to write to a manifest or a report."""
        return redact(self.model_dump())


PARAM_HELP: dict[str, str] = {name: f.description or "" for name, f in Params.model_fields.items()}
#: The opening words of the descriptions of the keys that only one built-in data kind reads.
_KIND_WORDS = {"transactions": ("transactions:", "churn:", "lifetime value:", "with status_col:"),
               "customers": ("customers:",), "demographics": ("demographics:",)}


def keys_for(data_kind: str) -> list[str]:
    """The params keys a run of ``data_kind`` reads: every key but those only another built-in kind reads (their
    description opens with that kind's words, such as "churn:" for transactions); every key for a kind of one's own.

    >>> "churn_folds" in keys_for("customers"), "churn_folds" in keys_for("transactions")
    (False, True)
    >>> "cancellation_prefix" in keys_for("demographics")  # a census appendix listed the invoice prefix
    False
    >>> keys_for("mypackage.shops") == list(PARAM_HELP)
    True
    """
    if data_kind not in _KIND_WORDS:  # a kind of one's own may read any key (customer_col, min_population)
        return list(PARAM_HELP)
    others = tuple(w for kind, words in _KIND_WORDS.items() if kind != data_kind for w in words)
    return [key for key, text in PARAM_HELP.items() if not text.startswith(others)]


def redact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``values`` with every secret hidden (a URL keeps all but its password)."""
    out = dict(values)
    for key in SECRET_KEYS & out.keys():
        if out[key]:
            out[key] = _redact_url(str(out[key]))
    return out


def _redact_url(url: str) -> str:
    """Hide the password of ``user:password@host`` and every query value (``?password=...``)."""
    if url.startswith("${"):
        return url  # a reference to an environment variable holds no secret
    url = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
    return re.sub(r"([?&][^=&#]+)=[^&#]*", r"\1=***", url)


def params_from_mapping(values: Mapping[str, Any], *, source: str = "params") -> Params:
    """Validate a mapping of params, raising :class:`ParamsError` naming the key and ``source``."""
    try:
        return Params(**dict(values))
    except ValidationError as exc:
        raise params_error(exc, source, sorted(Params.model_fields)) from None
    except TypeError as exc:  # e.g. non-string keys
        raise ParamsError(f"bad params in {source}: {truncate(str(exc), quote=False)}", "use key: value lines",
                          path=source) from None


#: Limits of one params file and of one load: far above any real params, far below any harm.
MAX_PARAMS_BYTES = 1_000_000
MAX_YAML_ALIASES = 20
MAX_PARAMS_FILES = 50


class _ParamsLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing duplicate keys and more than a few aliases (no "billion laughs")."""

    def __init__(self, stream: str, source: Path):
        super().__init__(stream)
        self.source, self.aliases = source, 0
        self.name = str(source)  # YAML's own messages then name the file, not "<unicode string>"

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise ParamsError(f"params file {self.source} uses more than {MAX_YAML_ALIASES} YAML aliases (*name)",
                                  "write the values out; a params file needs no aliases", path=self.source)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise ParamsError(f"params file {self.source} has the key {truncate(key)} twice "
                                  f"(again on line {key_node.start_mark.line + 1})",
                                  "keep one of them: the last one would silently win", key=str(key)[:200],
                                  path=self.source)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _resolve(path: Path) -> Path:
    """``path`` made absolute with symlinks resolved; a symlink loop is left for the reader to report."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a symlink loop
        return Path(os.path.abspath(path))


def _params_file_error(path: Path, exc: OSError) -> DataFileError:
    """The message for a params file that cannot be opened."""
    if exc.errno == errno.ELOOP:
        problem, fix = f"params file {path} is a symbolic link loop (it points back to itself)", "point it at a real file"
    elif exc.errno == errno.ENOENT and os.path.islink(path):
        problem, fix = f"params file {path} is a symbolic link to a missing file", "point it at an existing params file"
    elif exc.errno == errno.ENOENT:
        problem, fix = f"params file {path} does not exist", "check the path; params files live in params/"
    else:
        problem, fix = f"params file {path} cannot be read ({exc.strerror})", "check the path and its permissions"
    return DataFileError(problem, fix, path=path)


def _read_params_text(path: Path) -> str:
    """The text of a params file: a regular UTF-8 file of at most :data:`MAX_PARAMS_BYTES`.

    The file is opened without blocking and checked on the open descriptor, so a FIFO, a device or a
    folder is refused at once instead of hanging or being read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _params_file_error(path, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise DataFileError(f"params file {path} is {describe_file_type(mode)}, not a file",
                                "give the path of a .yaml params file", path=path)
        raw = b""
        while len(raw) <= MAX_PARAMS_BYTES and (chunk := os.read(fd, 1 << 16)):
            raw += chunk
    finally:
        os.close(fd)
    if len(raw) > MAX_PARAMS_BYTES:
        raise ParamsError(f"params file {path} is larger than {MAX_PARAMS_BYTES:,} bytes",
                          "a params file holds a few dozen 'key: value' lines; point at the right file", path=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParamsError(f"params file {path} is not UTF-8 text (byte {raw[exc.start]:#04x} at position {exc.start})",
                          "re-save it as UTF-8 (in most editors: Save As, encoding UTF-8)", path=path) from None


def _parse_params_yaml(path: Path) -> dict[str, Any]:
    """One params file as a mapping (no ``extends`` followed yet)."""
    loader = _ParamsLoader(_read_params_text(path), path)
    try:
        raw = loader.get_single_data() or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"params file {path} is not valid YAML: {truncate(str(exc), 500, quote=False)}",
                          "fix the YAML syntax", path=path) from None
    except RecursionError:
        raise ParamsError(f"params file {path} nests lists or mappings too deeply", "write flat 'key: value' lines",
                          path=path) from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise ParamsError(f"params file {path} must hold 'key: value' lines, not a {type(raw).__name__}",
                          "write one key per line", path=path)
    return raw


def _extends(raw: dict[str, Any], path: Path) -> list[Path]:
    """The files ``path`` builds on (``extends``: one file or a list), resolved against its folder."""
    parents = raw.pop("extends", None)
    if parents is None:
        return []
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) and p for p in parents):
        raise ParamsError(f"'extends' in {path} must be a file name or a list of file names (got {truncate(parents)})",
                          "write extends: base.yaml, or extends: [base.yaml, extra.yaml]", key="extends", path=path)
    return [_resolve(path.parent / parent) for parent in parents]


def _read_yaml(path: Path, seen: tuple[Path, ...], budget: list[int]) -> tuple[dict[str, Any], list[Path]]:
    """Read one params file (and what it extends, in order), resolving relative paths against its folder."""
    if path in seen:
        raise ParamsError(f"params file {path} extends itself through {' -> '.join(map(str, seen))}",
                          "remove the loop of 'extends'", path=path)
    budget[0] += 1
    if budget[0] > MAX_PARAMS_FILES:
        raise ParamsError(f"the params read more than {MAX_PARAMS_FILES} files through 'extends' (at {path})",
                          "extend fewer files", key="extends", path=path)
    raw = _parse_params_yaml(path)
    files: list[Path] = []
    values: dict[str, Any] = {}
    for parent in _extends(raw, path):
        parent_values, parent_files = _read_yaml(parent, seen + (path,), budget)
        values.update(parent_values)
        files += parent_files
    for key in ("data_path", "score_path", "temp_directory", "reference"):
        if raw.get(key):
            raw[key] = _resolve_data_path(str(raw[key]), path.parent)
    values.update(raw)
    return values, files + [path]


def _resolve_data_path(value: str, base: Path) -> str:
    """Resolve a relative path (or the ``source=`` of a ``synth://`` URI) against ``base``."""
    if value.startswith("synth://"):
        return re.sub(r"(source=)([^&]+)", lambda m: m.group(1) + (m.group(2) if Path(m.group(2)).is_absolute()
                                                                     else str(_resolve(base / m.group(2)))), value)
    if Path(value).is_absolute() or "://" in value:
        return value
    return str(_resolve(base / value))


def resolve_env(value: Any) -> Any:
    """Replace ``${NAME}`` references with the environment's value; a missing variable is an error."""
    if not isinstance(value, str) or "${" not in value:
        return value

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            shown = truncate(name, quote=False)
            raise ParamsError(f"environment variable {shown} is not set (referenced in the params)",
                              f"export {shown}=... before the run", key=name)
        return os.environ[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, value)


def load_params(files: str | Path | Iterable[str | Path], overrides: Mapping[str, Any] | None = None) -> tuple[Params, list[Path]]:
    """Load and validate params files layered left to right, then ``overrides``.

    The run name defaults to the last file's name, made valid (:func:`run_name_from_file`).

    Returns
    -------
    params : Params
        The validated params (secrets still as written: ``${VAR}`` references stay unresolved).
    files : list of Path
        Every file read, in layering order (``extends`` parents first).
    """
    if isinstance(files, (str, Path)):
        files = [files]
    merged: dict[str, Any] = {}
    read: list[Path] = []
    budget = [0]
    for f in files:
        values, chain = _read_yaml(_resolve(Path(f)), (), budget)
        try:
            params_from_mapping(values, source=str(f))  # name the file where a bad key sits
        except ParamsError as exc:
            if exc.key is not None or "unknown key" in exc.problem:
                raise
        merged.update(values)
        read.extend(chain)
    merged.update(overrides or {})
    name = " + ".join(str(f) for f in files) or "params"
    params = params_from_mapping(merged, source=name)
    if params.run_name is None and read:
        params.run_name = run_name_from_file(read[-1])
    return params, read
