"""Transactions: invoice lines become one row per customer (RFM and behaviour), named with RFM names."""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from ...featureset import FeatureSet
from ...io import require_columns
from ...errors import ColumnError, ParamsError, SegkitError
from ...naming.entity import speak_of
from ...naming.words import counted, plural, singular
from ...findings import Finding
from . import sql
from .clean import DEFAULT_NON_PRODUCT_CODES, NORMALISED_COLUMNS, TransactionColumns, clean_transactions
from .features import (DAY_DESCRIPTIONS, DAY_SHORT_LABELS, FEATURE_DESCRIPTIONS, LOWER_IS_BETTER, NEUTRAL, SHORT_LABELS,
                       UNITS, behaviour_features, stand_in_gaps, transform_features)
from .naming import fill_placeholders, name_rfm_segments, typical_gap
from .rules import cancelled, from_order
from .synth import synth_transactions, write_synth_transactions


def __getattr__(name: str):
    """``churn``, ``lifetime`` (the ``churn`` and ``value`` capabilities) and ``grid`` (the RFM score grid) load
    scikit-learn or SciPy's optimisers: they are imported when a stage first asks for them, so that ``segkit check``
    and the batch's driver, which only read, check and clean the input, need not."""
    if name in ("churn", "lifetime", "grid"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ENTITY = "customers"
SAYS_CUSTOMERS = True  #: its texts say customers: a run's ``entity`` is said in their place (Kind.says_customers)
EXTRA_STAGES = ("churn", "value")
#: ``synth://transactions?rows=..&seed=..``: invoice lines shaped like Online Retail, quirks included.
SYNTH_TABLES = {"transactions": synth_transactions}
#: The same tables written to Parquet in bounded memory, for the duckdb engine.
SYNTH_WRITERS = {"transactions": write_synth_transactions}

DEFAULT_FEATURES = ["recency", "frequency", "monetary"]
PROFILE_EXTRA = ["tenure", "avg_order_value", "distinct_products", "basket_size", "interpurchase_mean",
                 "returns_rate", "weekend_share"]
MAPPING_KEYS = ("customer_col", "invoice_col", "date_col", "quantity_col", "price_col", "amount_col",
                "stock_code_col", "country_col", "status_col", "refund_col")


#: The columns of ``clean.parquet`` that the features, churn and value read (:meth:`segkit.stages.RunContext.cleaned`):
#: the cleaning's own, not the input's columns it keeps beside them for analysts.
CLEANED_COLUMNS = (*NORMALISED_COLUMNS, "stock_code", "country")

#: Optional columns whose default names are Online Retail's: an input without them has no product codes or countries.
OPTIONAL_COLUMNS = {"stock_code_col": "products per customer are not counted", "country_col": "no country is shown"}


def unmapped(params, columns: Sequence[str]):
    """``params`` without the optional columns (:data:`OPTIONAL_COLUMNS`) that it names by default only (the params
    files left them unset) and the input lacks, and what each means: a till export with no ``StockCode`` or
    ``Country`` column is read without them, where a column the params name is still required."""
    absent = {key: getattr(params, key) for key in OPTIONAL_COLUMNS
              if key not in params.model_fields_set and getattr(params, key) is not None
              and getattr(params, key) not in set(map(str, columns))}
    notes = [f"the input has no {col!r} column, so {OPTIONAL_COLUMNS[key]} (set {key} to map one)"
             for key, col in absent.items()]
    return (params.model_copy(update=dict.fromkeys(absent)) if absent else params), notes


def _columns(params):
    return TransactionColumns.from_params(params.model_dump())


def check_columns(params, columns: Sequence[str]) -> None:
    """Refuse params naming columns the input lacks; ``price_col`` is not read when ``amount_col`` is set.
    With ``rfm_method: scores``, refuse a fixed ``k`` and features without recency, frequency and monetary."""
    try:
        require_columns(columns, {key: getattr(schema_params(params), key) for key in MAPPING_KEYS})
    except ColumnError as err:
        line = {params.date_col, params.quantity_col, params.price_col, params.amount_col} - {None}
        if line & set(map(str, columns)):  # a table of purchase lines, with some keys mapped wrong
            raise
        raise ColumnError(err.problem, f"{err.fix}; or, if each row is one customer and not one purchase line, set "
                          "data_kind: customers (demographics for census areas)", key=err.key,
                          column=err.column) from None
    if params.rfm_method == "scores":
        if params.k != "auto":
            raise ParamsError(f"k is {params.k}, but with rfm_method: scores the segments are the named cells of "
                              "the RFM score grid, so their number is not set by k",
                              "set k: auto, or rfm_method: clusters to choose the number of segments", key="k")
        lacking = [c for c in DEFAULT_FEATURES if c not in (params.features or DEFAULT_FEATURES)]
        if lacking:
            raise ParamsError(f"rfm_method: scores needs {', '.join(lacking)} in the features",
                              "add recency, frequency and monetary to features, or leave features unset",
                              key="features")


def schema_params(params):
    """The params as the cleaning reads them: with ``amount_col`` set, ``price_col`` is not used (nor checked)."""
    return params.model_copy(update={"price_col": None}) if params.amount_col is not None else params


def sample_by(params) -> list[str]:
    """What a sample of the lines keeps whole: orders (their id), whose customer may be on the first line only."""
    return [params.invoice_col] if params.invoice_col else []


def schema_input(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The lines as the schema checks them: a line without a customer id or country has its order's when the order's
    other lines name one (as the cleaning reads them: :func:`.rules.from_order`), so that the missing ids the check
    counts are those the cleaning sets aside."""
    inv, out = params.invoice_col, raw.copy()
    for col in (params.customer_col, params.country_col) if inv in raw.columns else ():
        if col in raw.columns:
            out[col] = from_order(raw[col], raw[inv])[0]
    return out


#: An order status saying the order was refunded in part ("partially_refunded", "Partial refund").
_PARTLY_REFUNDED = re.compile(r"partial(?:ly)?[\s_-]*refund", re.IGNORECASE)


#: A customer id of a test account ("TEST", "test_01", "Demo 2", "dummy@shop.de", "testuser@shop.de"), not a customer;
#: the whole id ("test+1@shop.de", "TEST-DE-01", "Test Customer A" too), so that a customer named "Test Kitchen Ltd"
#: or "Demo Films" is not one.
_TEST_ID = re.compile(r"(?:test|dummy|demo)[\s_.+-]*(?:user|customer|client|account|kunde)?"
                      r"(?:[\s_.+-]+[a-z]{1,2}|[\s_.+-]*\d+)*[\s_.+-]*(?:@\S*)?", re.IGNORECASE)


def input_findings(raw: pd.DataFrame, params) -> list[Finding]:
    """What the schema cannot say: customer ids that look like test accounts (:func:`_test_accounts`), and a warning
    when ``status_col`` says orders were refunded in part, their status is not one of ``cancelled_statuses`` and
    ``refund_col`` is not set, so that their whole amount would count as spend."""
    return _test_accounts(raw, params) + _identical_items(raw, params) + _partly_refunded(raw, params)


def _test_accounts(raw: pd.DataFrame, params) -> list[Finding]:
    """A warning for customer ids such as "TEST" or "demo-1": a shop's test orders would be segmented as a customer
    (a trial's "TEST" placed the most orders of its "Loyal Customers")."""
    col = params.customer_col
    if col is None or col not in raw.columns:
        return []
    values = raw[col].dropna()
    uniq = pd.Series(pd.unique(values))  # a few thousand customers of half a million lines
    test = uniq[uniq.astype(str).str.strip().str.fullmatch(_TEST_ID).to_numpy()]
    if test.empty:
        return []
    counts = values[values.isin(test)].astype(str).str.strip().value_counts()
    shown = ", ".join(f"{i!r} ({counted(n, 'lines')})" for i, n in counts.head(3).items())
    return [Finding("warning", "test_ids", col, f"column {col!r} (customer_col) has {counted(len(counts), 'ids')} "
                    f"that {'looks' if len(counts) == 1 else 'look'} like test accounts ({shown}): "
                    f"{'its' if len(counts) == 1 else 'their'} lines are segmented as a customer's",
                    int(counts.sum()), "customer_col", "remove their lines before the run, or give them the ids of the "
                    "customers they are")]


def _identical_items(raw: pd.DataFrame, params) -> list[Finding]:
    """A warning for identical lines kept as items bought twice (no quantity column, ``drop_duplicates`` unset): right
    for a till export, double the spend of an export that repeats itself."""
    if params.quantity_col is not None or params.drop_duplicates is not None:
        return []
    n = int(raw.duplicated().sum())
    if not n:
        return []
    is_, they = ("is", "it counts as an item") if n == 1 else ("are", "they count as items")
    return [Finding("warning", "duplicates", None, f"{counted(n, 'lines')} ({n / len(raw):.1%}) {is_} identical to "
                    f"an earlier line and {is_} kept: with no quantity column each line is one item, so {they} "
                    "bought again",
                    n, "drop_duplicates", "set drop_duplicates: true if the export repeats lines (the same line "
                    "recorded twice), or false to keep them without this warning")]


def _partly_refunded(raw: pd.DataFrame, params) -> list[Finding]:
    col = params.status_col
    if col is None or params.refund_col is not None or col not in raw.columns:
        return []
    status = raw[col].dropna().astype(str).str.strip()
    listed = status.str.lower().isin(cancelled(params.cancelled_statuses))
    partly = status[status.str.contains(_PARTLY_REFUNDED) & ~listed]
    if partly.empty:
        return []
    invoice = params.invoice_col
    orders = raw.loc[partly.index, invoice].nunique() if invoice in raw.columns else len(partly)
    shown = ", ".join(map(repr, sorted(partly.unique())[:3]))
    return [Finding("warning", "refunds", col, f"column {col!r} (status_col) says {counted(orders, 'orders')} "
                    f"{'was' if orders == 1 else 'were'} refunded in part ({shown}): without the amounts refunded, "
                    "these orders count at their full amount",
                    len(partly), "status_col", "set refund_col to the column of the amounts refunded (Shopify's "
                    "Refunded Amount), or add the status to cancelled_statuses to leave these orders out")]


def clean(raw: pd.DataFrame, params):
    codes = DEFAULT_NON_PRODUCT_CODES if params.non_product_codes is None else params.non_product_codes
    return clean_transactions(raw, columns=_columns(params), non_product_codes=codes,
                              cancellation_prefix=params.cancellation_prefix, drop_duplicates=params.drop_duplicates,
                              cancelled_statuses=params.cancelled_statuses, **params.parse_options())


def features(cleaned: pd.DataFrame, params) -> FeatureSet:
    return _feature_set(behaviour_features(cleaned, snapshot_date=params.snapshot_date), params)


def stage_checks(cleaned: pd.DataFrame, params, needs) -> dict:
    """What ``08_churn`` (``churn`` in ``needs``) and ``10_value`` (``value``) would stop on in the cleaned lines: the
    churn cutoff and outcome, the value check's calibration and holdout periods. Returns the error of each."""
    from .churn_data import check_churn, check_value

    checks = {"churn": lambda: check_churn(cleaned, cutoff=params.churn_cutoff,
                                           horizon_days=params.churn_horizon_days),
              "value": lambda: check_value(cleaned, calibration_end=params.clv_calibration_end,
                                           churn_cutoff=params.churn_cutoff,
                                           churn_horizon_days=params.churn_horizon_days)}
    cannot = {}
    for need in (n for n in checks if n in needs):
        try:
            checks[need]()
        except SegkitError as exc:
            cannot[need] = exc
    return cannot


def engine_check(con, source: str, params) -> None:
    """``duckdb`` engine: what reading every line in DuckDB would stop on, before any notebook starts
    (:func:`.sql.check_in_duckdb`)."""
    sql.check_in_duckdb(con, source, params)


def spark_check(eng, source: str, params) -> None:
    """``spark`` engine: what reading every line in Spark would stop on (:func:`.sql.check_in_engine`), for an input
    only Spark reads (a URI)."""
    sql.check_in_engine(eng, source, params)


def engine_clean(con, source: str, params, out_path=None):
    """``duckdb`` engine: the cleaning rules over the relation ``source``; the cleaned lines go to ``out_path``
    (Parquet). Returns the cleaning log (:func:`.sql.clean_in_duckdb`)."""
    return sql.clean_in_duckdb(con, source, params, out_path)


def engine_features(con, cleaned: str, params) -> FeatureSet:
    """``duckdb`` engine: the features of :func:`features`, from the cleaned lines in the relation ``cleaned``."""
    return _feature_set(sql.features_in_duckdb(con, cleaned, params), params)


def spark_clean(eng, source: str, params, out_path=None):
    """``spark`` engine: the same cleaning rules, the same SQL, over the view ``source`` of a
    :class:`~segkit.engine.spark.SparkEngine` (:func:`.sql.clean_in_engine`)."""
    return sql.clean_in_engine(eng, source, params, out_path)


def spark_features(eng, cleaned: str, params, out_path=None) -> FeatureSet:
    """``spark`` engine: the features of :func:`features`, from the cleaned lines in the view ``cleaned``. With
    ``out_path`` and more than ``driver_max_customers`` customers, every customer's features are written there by
    Spark and the table holds a seeded sample of them (``attrs["entities_total"]``: :func:`.sql.features_in_engine`)."""
    return _feature_set(sql.features_in_engine(eng, cleaned, params, out_path), params)


def engine_churn(con, cleaned: str, params, current: pd.DataFrame | None = None):
    """``duckdb`` engine: the data set of ``08_churn`` (:func:`.later_sql.churn_dataset_in_duckdb`)."""
    from .later_sql import churn_dataset_in_duckdb

    return churn_dataset_in_duckdb(con, cleaned, params, current)


def engine_value(con, cleaned: str, params):
    """``duckdb`` engine: the data of ``10_value`` (:func:`.later_sql.value_data_in_duckdb`)."""
    from .later_sql import value_data_in_duckdb

    return value_data_in_duckdb(con, cleaned, params)


def _feature_set(table: pd.DataFrame, params) -> FeatureSet:
    columns = list(params.features or DEFAULT_FEATURES)
    notes = []
    dropped = table.attrs.get("dropped_customers") or []
    if len(dropped):
        who = "1 customer had" if len(dropped) == 1 else f"{len(dropped):,} customers had"
        notes.append(f"{who} only cancellations and no purchase: no recency, so left out of the segments.")
    snapshot = table.attrs.get("snapshot_date")
    if snapshot is not None:
        by_default = " (the day after the last purchase)" if params.snapshot_date is None else ""
        notes.append(f"Recency and tenure are measured at {pd.Timestamp(snapshot):%d %B %Y}{by_default}.")
    labels, short = dict(FEATURE_DESCRIPTIONS), dict(SHORT_LABELS)
    if params.invoice_col is None:
        notes.append("The data has no order id (invoice_col is not set), so one purchase is one customer-day: all "
                     "lines of a customer on one day count as one order.")
        labels.update(DAY_DESCRIPTIONS)
        short.update(DAY_SHORT_LABELS)
    # said of the params' entity: "Days since the member's last purchase"
    labels, short = ({c: speak_of(text, params.entity) for c, text in words.items()} for words in (labels, short))
    return FeatureSet(table=table, columns=columns, labels=labels, entity=plural(params.entity or ENTITY), short=short,
                      units=dict(UNITS), notes=[speak_of(text, params.entity) for text in notes],
                      # recency, frequency and spend are profiled whatever the clustering uses: the RFM names need them
                      profile_columns=list(dict.fromkeys([*columns, *DEFAULT_FEATURES, *PROFILE_EXTRA])),
                      better={c: c not in LOWER_IS_BETTER for c in UNITS if c not in NEUTRAL},
                      extra={"imputed_rows": stand_in_gaps(table),  # and the day recency and tenure are counted to
                             **({"measured_at": f"{pd.Timestamp(snapshot):%Y-%m-%d}"} if snapshot is not None else {})})


def preprocessor(fs: FeatureSet, params):
    skew = "none" if params.skew == "none" else "log"
    return transform_features(fs.clustering_table, columns=fs.columns, skew=skew, scaler=params.scaler)


def segment_rule(fs: FeatureSet, params):
    """``rfm_method: scores``: the RFM score grid of ``rfm_grid.yaml`` makes the segments (None: clustering)."""
    if params.rfm_method != "scores":
        return None
    from .grid import RfmScoreGrid, load_rfm_grid

    return RfmScoreGrid(load_rfm_grid().to_mapping(), columns=tuple(DEFAULT_FEATURES),
                        preprocessor=preprocessor(fs, params))


def name_segments(profile, fs: FeatureSet, params, labels=None):
    """RFM names: the rules of ``rfm_names.yaml`` for clusters; each segment's grid cell with ``rfm_method: scores``;
    said of the params' ``entity`` where it is not customers ("Loyal Members": :func:`segkit.naming.entity.speak_of`).
    """
    gap = typical_gap(fs.table)
    if params.rfm_method != "scores":
        return _said_of(name_rfm_segments(profile, currency=params.currency, typical_gap=gap), params.entity)
    if labels is None:
        raise ParamsError("naming the segments of the RFM score grid needs each customer's segment",
                          "pass labels=", key="rfm_method")

    from .grid import load_rfm_grid, name_grid_segments

    def fill(s, template, name, what):
        return fill_placeholders(profile, s, template, name, what, currency=params.currency, gap=gap)

    return _said_of(name_grid_segments(profile, labels, fs.table, load_rfm_grid(), fill=fill), params.entity)


def _said_of(named: dict, entity: str | None) -> dict:
    return {s: replace(n, name=speak_of(n.name, entity, title=True), description=speak_of(n.description, entity),
                       action=speak_of(n.action, entity)) for s, n in named.items()}


_MEANINGS = {"customer_col": "identifies the customer", "invoice_col": "groups lines into orders; a leading "
             "cancellation prefix marks a return", "date_col": "when the order was placed (recency, tenure)",
             "quantity_col": "items on the line (negative for returns)", "price_col": "unit price (spend = quantity x price)",
             "amount_col": "line amount (spend)", "stock_code_col": "product code (non-product codes are removed)",
             "country_col": "customer's country (profile only)",
             "status_col": "order status (refunded and cancelled orders are removed)",
             "refund_col": "amount refunded on an order (subtracted from the spend)"}


def column_roles(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The column mapping of the params: which input column plays which part (not the default ``price_col`` beside an
    ``amount_col``, which the cleaning ignores)."""
    mapped = _columns(params).mapped()
    rows = [{"params key": key, "column": mapped[key], "used for": speak_of(_MEANINGS[key], params.entity)}
            for key in MAPPING_KEYS if key in mapped]
    used = {r["column"] for r in rows}
    rows += [{"params key": "", "column": c, "used for": "not used"} for c in raw.columns if c not in used]
    return pd.DataFrame(rows).set_index("column")


def id_columns(params) -> list[str]:
    """The customer and invoice columns: never shown in reports."""
    return [c for c in (params.customer_col, params.invoice_col) if c]


def eda_frame(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The numeric columns worth a histogram and an outlier count on the data-quality page: not the ids, nor the date
    column when its dates are written as numbers (CDNOW's 19970101, which the page called "unusually high above
    19,973,762" in 18% of the lines)."""
    from ...eda import measure_columns

    return raw[measure_columns(raw, exclude=[*id_columns(params), params.date_col])]


def after_segment(ctx, seg) -> None:
    """Churn risk and lifetime value per segment, when ``08_churn`` and ``10_value`` have run (cards, tables, index)."""
    from . import churn, lifetime

    seg.risk = churn.segment_risk(ctx.folder, ctx.params.churn_threshold)
    if seg.risk is not None:
        seg.extra["risk_sentences"] = churn.risk_sentences(seg.risk, ctx.params.churn_threshold)
    seg.extra.update(lifetime.segment_value(ctx.folder, seg.assignments, currency=ctx.params.currency,
                                            entity=singular(ctx.entity)))
