"""The transactions cleaning rules and customer features in SQL, for the ``duckdb`` and ``spark`` engines.

The same rules, in the same order, with the same log as :func:`~segkit.kinds.transactions.clean.clean_transactions`
(duplicates, missing customer, missing values, future dates, non-product codes, non-positive prices, cancellation
netting, lost customers), and the same features as
:func:`~segkit.kinds.transactions.features.behaviour_features`, computed out of core over Parquet or CSV
inputs; only the per-customer table comes back to pandas. ``tests/test_engine_equivalence.py`` checks that the
paths agree: cleaning counts, customers, features to the cent, segments.

The SQL text is written once, in what DuckDB and Spark SQL both read; the few places where their dialects
differ (quoting, string literals, day numbers, date formats, seeded hashes) are the named methods of
:class:`segkit.engine.base.SQLEngine`, which every function here receives as ``eng``.

What the pandas readers do with text (decimal commas, currency signs, day-first dates decided per column) is not
repeated here: the input's own types are used (Parquet's, or those DuckDB detects in a CSV), dates written as
text are read with ``date_format`` or as ISO dates, and a column that cannot be read that way stops the run with
a message saying to set ``engine: pandas``.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from ...cleaning import SUMMARY_ID_TEXTS, CleaningLog
from ...engine.base import SQLEngine
from ...engine.duckdb import DuckDBEngine
from ...errors import ColumnError, DataValueError
from ...featureset import FrozenIds
from ...naming.words import counted
from .clean import DEFAULT_NON_PRODUCT_CODES
from .rules import (_today, cancelled, cancelled_step, customer_steps, drops_duplicates, duplicates_step,
                    email_case_step, from_order_sql, future_dates_step, log_rule, missing_values_step,
                    order_customer_step, partly_blank, price_rule, refunds_step, required_fields, unmapped_steps)
from .columns import SUMMARY_LINES_TEXT, TransactionColumns

__all__ = ["check_in_duckdb", "check_in_engine", "clean_in_duckdb", "features_in_duckdb", "clean_in_engine",
           "features_in_engine", "last_purchase", "CLEAN_TABLE"]

#: The view of cleaned lines that :func:`clean_in_duckdb` leaves in the connection.
CLEAN_TABLE = "segkit_clean"
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
            "FLOAT", "DOUBLE", "REAL")
_INTEGER = _NUMERIC[:9]
#: The per-customer measures that are whole numbers (BIGINT, int64); the others are DOUBLE.
_INTS = ("recency", "frequency", "tenure", "distinct_products")
#: The engine's table of every customer's features, when :func:`features_in_engine` writes them out and samples.
_CUSTOMERS = "segkit_customers"
_NA = ("", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "<na>")


def _id(eng: SQLEngine, expr: str, kind: str) -> str:
    """Ids as text exactly as written (as :func:`segkit.parse.read_ids`): 17850.0 -> '17850', blank -> NULL."""
    if kind.upper().startswith(_INTEGER):
        return f"CAST({expr} AS STRING)"
    if kind.upper().startswith(("DOUBLE", "FLOAT", "REAL")):
        return (f"CASE WHEN abs({expr}) < 1e15 AND {expr} = floor({expr}) THEN CAST(CAST({expr} AS BIGINT) AS STRING) "
                f"ELSE CAST({expr} AS STRING) END")
    text = f"trim(replace(CAST({expr} AS STRING), chr(0), ''))"
    whole = f"regexp_extract({text}, {eng.literal(r'^(-?[0-9]+)[.]0+$')}, 1)"
    return f"nullif(CASE WHEN contains({text}, '.') AND {whole} <> '' THEN {whole} ELSE {text} END, '')"


def _na_text(eng: SQLEngine, expr: str) -> str:
    return f"lower(trim(CAST({expr} AS STRING))) IN ({', '.join(map(eng.literal, _NA))})"


def _number(eng: SQLEngine, source: str, column: str, kind: str, key: str) -> str:
    """SQL reading ``column`` as DOUBLE; text that is neither a number nor missing stops with examples."""
    col = eng.quote(column)
    if kind.upper().startswith(("DECIMAL", *_NUMERIC)):
        return f"CAST({col} AS DOUBLE)"
    expr = f"CASE WHEN {_na_text(eng, col)} THEN NULL ELSE try_cast(trim(CAST({col} AS STRING)) AS DOUBLE) END"
    bad = eng.frame(f"SELECT DISTINCT {col} AS v FROM {source} WHERE {col} IS NOT NULL AND ({expr}) IS NULL "
                    f"AND NOT {_na_text(eng, col)} LIMIT 3", "reading " + key)
    if len(bad):
        raise ColumnError(f"column {column!r} ({key}) holds text that the {eng.name} engine does not read as numbers, e.g. "
                          f"{', '.join(map(repr, bad['v']))}", "correct the values, or set engine: pandas, which "
                          "reads decimal commas, thousands separators and currency signs", key=key, column=column)
    return expr


def _date(eng: SQLEngine, source: str, column: str, kind: str, date_format: str | None, summary: str = "FALSE") -> str:
    """SQL reading ``column`` as TIMESTAMP (typed dates as they are; text with ``date_format`` or as ISO); NULL on the
    lines ``summary`` holds for (a total line labelled in the date column)."""
    col = eng.quote(column)
    if kind.upper().startswith(("TIMESTAMP", "DATE")):
        return f"CAST({col} AS TIMESTAMP)"
    text = f"trim(CAST({col} AS STRING))"
    parsed = eng.parse_timestamp(text, date_format)
    expr = f"CASE WHEN {_na_text(eng, col)} OR {summary} THEN NULL ELSE CAST({parsed} AS TIMESTAMP) END"
    bad = eng.frame(f"SELECT DISTINCT {col} AS v FROM {source} WHERE {col} IS NOT NULL AND ({expr}) IS NULL "
                    f"AND NOT {_na_text(eng, col)} AND NOT {summary} LIMIT 3", "reading date_col")
    if len(bad):
        raise DataValueError(f"column {column!r} (date_col) holds values the {eng.name} engine does not read as dates, "
                             f"e.g. {', '.join(map(repr, bad['v']))}", "set date_format (such as %d/%m/%Y %H:%M), "
                             "or set engine: pandas, which decides the layout of each date column", key="date_col",
                             column=column)
    return expr


def _starts(eng: SQLEngine, expr: str, prefix: str) -> str:
    """SQL true where the text ``expr`` starts with ``prefix`` (case-sensitive)."""
    return f"left({expr}, {len(prefix)}) = {eng.literal(prefix)}"


def _code_match(eng: SQLEngine, expr: str, patterns) -> str:
    """SQL true where the stock code matches a non-product pattern (case-insensitive, ``*`` = prefix)."""
    patterns = [p.strip().upper() for p in patterns]
    exact = [p for p in patterns if not p.endswith("*")]
    upper = f"upper(trim(CAST({expr} AS STRING)))"
    parts = [f"{upper} IN ({', '.join(map(eng.literal, exact))})"] if exact else []
    parts += [_starts(eng, upper, p[:-1]) for p in patterns if p.endswith("*")]
    return f"({expr} IS NOT NULL AND ({' OR '.join(parts)}))" if parts else "FALSE"


def _normalised(eng: SQLEngine, source: str, params, c: TransactionColumns, types: dict[str, str],
                blanks: Collection[str] = ()) -> dict[str, str]:
    """SQL of each normalised column (before the cancellation signs), from the raw columns (``blanks``: those of the
    customer id and country that some lines leave blank, which their order's other lines may give:
    :func:`.rules.from_order`)."""
    opts, q = params.parse_options(), eng.quote
    customer = _id(eng, q(c.customer), types[c.customer])
    customer = f"CASE WHEN contains({customer}, '@') THEN lower({customer}) ELSE {customer} END"  # rules.email_ids
    first = next(iter(types))  # a total line labelled in the first column, the customer blank ("Summe;;;;171.506,90")
    label = f"trim(CAST({q(first)} AS STRING))"
    summary = (f"({customer} IS NULL AND lower({label}) IN ({', '.join(map(eng.literal, sorted(SUMMARY_ID_TEXTS)))}))"
               if first != c.customer else "FALSE")
    customer = f"CASE WHEN {summary} THEN {label} ELSE {customer} END"  # its label as the id: the summary_lines rule
    date = _date(eng, source, c.date, types[c.date], opts.get("date_format"), summary)
    invoice = (_id(eng, q(c.invoice), types[c.invoice]) if c.invoice
               else f"{customer} || '|' || CAST(CAST({date} AS DATE) AS STRING)")
    filled = "FALSE"
    if c.invoice and c.customer in blanks:  # the customer on an order's first line only (Shopify): the others take it
        customer, filled = from_order_sql(customer, invoice)
    if c.amount is not None:
        amount = _number(eng, source, c.amount, types[c.amount], "amount_col")
        # line amounts only: each line one item, a negative amount a return (-1 item)
        quantity = (_number(eng, source, c.quantity, types[c.quantity], "quantity_col") if c.quantity is not None
                    else f"(CASE WHEN {amount} > 0 THEN 1 WHEN {amount} < 0 THEN -1 WHEN {amount} = 0 THEN 0 END)")
        price = f"{amount} / nullif({quantity}, 0)"
    else:
        quantity = _number(eng, source, c.quantity, types[c.quantity], "quantity_col")
        price = _number(eng, source, c.price, types[c.price], "price_col")
        amount = f"{quantity} * {price}"
    cancel = f"coalesce({quantity} < 0, FALSE)"
    if params.cancellation_prefix and c.invoice:
        cancel += f" OR coalesce({_starts(eng, invoice, params.cancellation_prefix)}, FALSE)"
    out = {"customer_id": customer, "invoice_id": invoice, "date": date, "quantity": quantity, "price": price,
           "amount": amount, "is_cancellation": f"({cancel})", "segkit_filled": filled}
    if c.stock_code:
        out["stock_code"] = f"CAST({q(c.stock_code)} AS STRING)"
    if c.country:  # an order's country, which an export may give on its first line only (Shopify)
        country = f"CAST({q(c.country)} AS STRING)"
        out["country"] = from_order_sql(country, invoice)[0] if c.invoice and c.country in blanks else country
    # an order's status and refund, which an export may give on its first line only (Shopify); named apart from any
    # raw column, which is kept as the pandas cleaning keeps it ("status", "refund")
    if c.status:
        out["segkit_status"] = f"max(lower(trim(CAST({q(c.status)} AS STRING)))) OVER (PARTITION BY {invoice})"
    if c.refund:
        refund = _number(eng, source, c.refund, types[c.refund], "refund_col")
        out["segkit_refund"] = f"max(abs({refund})) OVER (PARTITION BY {invoice})"
    return out


def _dropped_by(eng: SQLEngine, c: TransactionColumns, params, today: pd.Timestamp) -> str:
    """SQL naming the rule that removes a line (NULL when kept), over the normalised columns."""
    needed = [col for _, col, _ in required_fields(c)]
    codes = DEFAULT_NON_PRODUCT_CODES if params.non_product_codes is None else params.non_product_codes
    tomorrow = (today + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    non_product = _code_match(eng, "stock_code", codes) if c.stock_code else "FALSE"
    summary = ", ".join(map(eng.literal, sorted(SUMMARY_ID_TEXTS)))
    statuses = ", ".join(map(eng.literal, cancelled(params.cancelled_statuses)))
    refunded = f"WHEN segkit_status IN ({statuses}) THEN 'cancelled_orders' " if c.status else ""
    return ("CASE WHEN customer_id IS NULL THEN 'missing_customer' "
            f"WHEN lower(trim(customer_id)) IN ({summary}) THEN 'summary_lines' {refunded}"
            f"WHEN {' OR '.join(f'{n} IS NULL' for n in needed)} THEN 'missing_values' "
            f"WHEN date >= TIMESTAMP '{tomorrow}' THEN 'future_dates' "
            f"WHEN {non_product} THEN 'non_product' "
            "WHEN price <= 0 OR quantity = 0 THEN 'non_positive_price' END")


def _build_lines(eng: SQLEngine, source: str, params, c: TransactionColumns) -> tuple[int, int, list[str], tuple]:
    """Create the table ``segkit_lines`` (normalised columns, the other raw columns as ``segkit_raw_<i>``, since
    DuckDB's and Spark's names ignore case, and ``dropped``); returns the number of raw lines, of lines after the
    duplicates rule, the names of the other raw columns, and the e-mail ids joined (:func:`.rules.email_ids`)."""
    types = eng.types(source)
    c.check(pd.DataFrame(columns=list(types)))
    raw = _id(eng, eng.quote(c.customer), types[c.customer])
    rows, mails = eng.one(f"SELECT count(*), count(*) FILTER (WHERE contains({raw}, '@')) FROM {source}")
    order = _id(eng, eng.quote(c.invoice), types[c.invoice]) if c.invoice else None  # the fields of a first line only
    fields = {c.customer: raw} | ({c.country: eng.quote(c.country)} if c.country else {})
    norm = _normalised(eng, source, params, c, types, partly_blank(eng, source, fields, order) if order else [])
    rest = [f"{eng.quote(k)} AS segkit_raw_{i}" for i, k in enumerate(k for k in types if k not in norm)]
    mail_case = _email_case(eng, source, raw) if mails else (0, [])
    distinct = "DISTINCT " if drops_duplicates(params.drop_duplicates, params.quantity_col) else ""
    eng.view("segkit_raw", f"SELECT {distinct}* FROM {source}")
    select = ", ".join(f"{sql} AS {eng.quote(name)}" for name, sql in norm.items())
    eng.table("segkit_lines", f"SELECT *, {_dropped_by(eng, c, params, _today())} AS dropped FROM (SELECT {select}"
              f"{''.join(', ' + r for r in rest)} FROM segkit_raw)", "cleaning the transactions")
    kept = int(eng.one("SELECT count(*) FROM segkit_lines")[0])
    return int(rows), kept, [k for k in types if k not in norm], mail_case


def _email_case(eng: SQLEngine, source: str, raw: str) -> tuple[int, list[str]]:
    """How many spellings of e-mail ids were joined to another, and the first address's two (as
    :func:`.rules.email_ids` counts them)."""
    twins = (f"SELECT lower(i) AS l, count(*) AS n, min(i) AS lo, max(i) AS hi FROM (SELECT DISTINCT {raw} AS i "
             f"FROM {source} WHERE contains({raw}, '@')) GROUP BY lower(i) HAVING count(*) > 1")
    joined, lo, hi = eng.one(f"SELECT sum(n - 1), min_by(lo, l), min_by(hi, l) FROM ({twins})")
    return (int(joined), [str(lo), str(hi)]) if joined else (0, [])


_DESCRIPTIONS = {
    "missing_customer": "Lines without a customer id were removed: they cannot be attributed to a customer "
                        "(typically guest or till purchases).",
    "non_product": "Lines that are not products (postage, carriage, fees, discounts, manual adjustments, samples, "
                   "gift vouchers) were removed: they are not customer purchases of goods.",
}


_GAP_FIELDS = ("invoice_id", "date", "quantity", "price", "amount")


def _counts(eng: SQLEngine) -> dict:
    """Lines removed per rule, the missing values per field, and the notes' counts, in one pass."""
    reached = "coalesce(dropped, '') NOT IN ('missing_customer', 'summary_lines', 'cancelled_orders')"
    gaps = ", ".join(f"count(*) FILTER (WHERE {reached} AND {f} IS NULL)" for f in _GAP_FIELDS)
    row = eng.one(f"""SELECT count(*) FILTER (WHERE dropped = 'missing_customer'),
        count(*) FILTER (WHERE dropped = 'missing_values'), count(*) FILTER (WHERE dropped = 'future_dates'),
        count(*) FILTER (WHERE dropped = 'non_product'), count(*) FILTER (WHERE dropped = 'non_positive_price'),
        count(*) FILTER (WHERE dropped = 'summary_lines'), count(*) FILTER (WHERE dropped = 'cancelled_orders'),
        count(DISTINCT invoice_id) FILTER (WHERE dropped = 'cancelled_orders'), {gaps},
        count(*) FILTER (WHERE (dropped IS NULL OR dropped = 'non_positive_price') AND amount = 0),
        count(*) FILTER (WHERE dropped IS NULL AND is_cancellation),
        count(DISTINCT invoice_id) FILTER (WHERE dropped IS NULL AND is_cancellation),
        count(DISTINCT customer_id) FILTER (WHERE coalesce(dropped, '') <> 'summary_lines'),
        count(DISTINCT customer_id) FILTER (WHERE dropped IS NULL),
        count(DISTINCT customer_id) FILTER (WHERE dropped IS NULL AND NOT is_cancellation)
        FROM segkit_lines""", "cleaning the transactions")
    keys = ["missing_customer", "missing_values", "future_dates", "non_product", "non_positive_price", "summary_lines",
            "cancelled_orders", "cancelled_invoices", *(f"gap_{f}" for f in _GAP_FIELDS), "zero_amount", "netted",
            "netted_invoices", "customers", "customers_kept", "customers_buying"]
    return dict(zip(keys, map(int, row)))


def _log(eng: SQLEngine, params, c: TransactionColumns, rows: int, distinct: int, mail_case=(0, [])) -> CleaningLog:
    """The cleaning log of the pandas path, rule by rule, from the counts of ``segkit_lines``."""
    n, log = _counts(eng), CleaningLog()
    for rule, description, note in unmapped_steps(c):
        log.add(rule, description, rows, 0, note=note)
    email_case_step(log, rows, *mail_case)
    order_customer_step(log, rows, int(eng.one("SELECT count(*) FROM segkit_lines WHERE segkit_filled")[0]))
    dropped = drops_duplicates(params.drop_duplicates, params.quantity_col)
    text, note = duplicates_step(dropped, params.drop_duplicates is None)
    left = log_rule(log, "duplicates", text, rows, rows - distinct, note)
    left = log_rule(log, "missing_customer", _DESCRIPTIONS["missing_customer"], left, n["missing_customer"],
                    key="customer_col")
    if n["summary_lines"]:
        ids = eng.rows("SELECT DISTINCT customer_id FROM segkit_lines WHERE dropped = 'summary_lines' "
                       "ORDER BY customer_id LIMIT 3")
        left = log_rule(log, "summary_lines", SUMMARY_LINES_TEXT, left, n["summary_lines"],
                        f"{counted(n['summary_lines'], 'lines')}: {', '.join(repr(str(i)) for (i,) in ids)}")
    if c.status:
        left = log_rule(log, "cancelled_orders", cancelled_step(params.cancelled_statuses), left, n["cancelled_orders"],
                        f"{counted(n['cancelled_orders'], 'lines')} of {counted(n['cancelled_invoices'], 'orders')}")
    fields = required_fields(c)
    gaps = [f"{what} {n['gap_' + name]:,}" for what, name, _ in fields if n["gap_" + name]]
    left = log_rule(log, "missing_values", missing_values_step(fields), left,
                    n["missing_values"], "missing: " + ", ".join(gaps) if gaps else "",
                    key=" and ".join(k for _, _, k in fields))
    if n["future_dates"]:
        left = log_rule(log, "future_dates", future_dates_step(), left, n["future_dates"],
                        f"{counted(n['future_dates'], 'lines')}; correct the dates at the source", "date_col")
    left = _log_products(eng, log, c, left, n)
    description, key = price_rule(c)
    left = log_rule(log, "non_positive_price", description, left, n["non_positive_price"],
                    f"{counted(n['zero_amount'], 'lines')} with a zero amount" if n["zero_amount"] else "", key)
    orders = "invoices" if c.invoice else "customer-days"
    log.add("cancellations", "Cancelled and returned lines were kept and subtracted from the customer's spend "
            "(netted), not removed.", left, 0, rows_netted=n["netted"],
            note=f"netted {n['netted']:,} cancellation lines from {n['netted_invoices']:,} {orders}")
    if c.refund:
        added, total, cut = eng.one("SELECT count(*), coalesce(sum(refund), 0), count(*) FILTER (WHERE cut) FROM "
                                    "segkit_refunds", "cleaning the transactions")
        description, note = refunds_step(int(added), float(total), int(cut))
        log.add("refunds", description, left, 0, rows_netted=int(added), rows_added=int(added), note=note)
        left += int(added)
    customer_steps(log, left, n["customers"] - n["customers_kept"], n["customers_kept"] - n["customers_buying"])
    return log


def _log_products(eng: SQLEngine, log: CleaningLog, c: TransactionColumns, left: int, n: dict) -> int:
    """The ``non_product`` step (with the most removed codes), or its skipped form without a stock code."""
    if c.stock_code is None:
        log.add("non_product", "Non-product lines could not be identified (no stock code column); nothing was "
                "removed.", left, 0, note="skipped: stock_code_col unset")
        return left
    top = eng.rows("SELECT stock_code, count(*) AS n FROM segkit_lines WHERE dropped = 'non_product' "
                   "GROUP BY ALL ORDER BY n DESC, stock_code LIMIT 6")
    note = "most removed: " + ", ".join(f"{k} ({v:,})" for k, v in top) if top else ""
    log.add("non_product", _DESCRIPTIONS["non_product"], left, n["non_product"], note=note)
    return left - n["non_product"]


def check_in_engine(eng: SQLEngine, source: str, params) -> None:
    """Raise what :func:`clean_in_engine` would stop on while reading ``source`` (a missing mapped column, text that
    is not a number or a date in any line), without cleaning: :func:`segkit.pipeline.preflight`'s check."""
    c = TransactionColumns.from_params(params.model_dump())
    types = eng.types(source)
    c.check(pd.DataFrame(columns=list(types)))
    _normalised(eng, source, params, c, types)


def check_in_duckdb(con, source: str, params) -> None:
    """:func:`check_in_engine` on a DuckDB connection."""
    check_in_engine(DuckDBEngine(con), source, params)


def clean_in_engine(eng: SQLEngine, source: str, params, out_path=None) -> CleaningLog:
    """Apply the cleaning rules to the relation ``source`` in an engine; leaves the cleaned lines in the view
    :data:`CLEAN_TABLE` (the columns of ``clean_transactions``' output, cancellations negative), writes them
    to the Parquet file ``out_path`` when given, and returns the cleaning log."""
    c = TransactionColumns.from_params(params.model_dump())
    rows, distinct, raw_names, mail_case = _build_lines(eng, source, params, c)
    if c.refund:  # one line per kept order with a refund, as the pandas cleaning's ``refund_lines`` (a table: the log
        # and the cleaned lines both read it)
        value = ("least(max(segkit_refund), sum(CASE WHEN is_cancellation THEN 0 ELSE abs(amount) END)) "
                 "- sum(CASE WHEN is_cancellation THEN abs(amount) ELSE 0 END)")  # at most the order, less returns
        eng.table("segkit_refunds", f"""SELECT invoice_id, min(customer_id) AS customer_id, max(date) AS date,
            {value} AS refund, {value} < max(segkit_refund) AS cut {', min(country) AS country' if c.country else ''}
            FROM segkit_lines WHERE dropped IS NULL GROUP BY invoice_id HAVING max(segkit_refund) > 0
            AND {value} > 0""", "cleaning the transactions")
    log = _log(eng, params, c, rows, distinct, mail_case)
    integer = c.quantity is None or eng.types(source)[c.quantity].upper().startswith(_INTEGER)
    qty = "CAST(quantity AS BIGINT)" if integer else "quantity"
    kept = ["trim(stock_code) AS stock_code"] if c.stock_code else []
    kept += ["country"] if c.country else []
    kept += [f"segkit_raw_{i}" for i in range(len(raw_names))]
    lines = f"""SELECT customer_id, invoice_id, date,
        CASE WHEN is_cancellation THEN -abs({qty}) ELSE {qty} END AS quantity, price,
        CASE WHEN is_cancellation THEN -abs(amount) ELSE amount END AS amount, is_cancellation
        {''.join(', ' + k for k in kept)} FROM segkit_lines WHERE dropped IS NULL"""
    if c.refund:
        empty = ["CAST(NULL AS STRING)"] if c.stock_code else []
        empty += ["country"] if c.country else []
        empty += ["NULL"] * len(raw_names)
        one = "CAST(-1 AS BIGINT)" if integer else "CAST(-1 AS DOUBLE)"
        lines += f""" UNION ALL SELECT customer_id, invoice_id, date, {one}, refund, -refund, TRUE
            {''.join(', ' + k for k in empty)} FROM segkit_refunds"""
    eng.view(CLEAN_TABLE, lines, "cleaning the transactions")
    if out_path is not None:
        eng.write_parquet(f"SELECT * FROM {CLEAN_TABLE}", out_path,
                          names={f"segkit_raw_{i}": n for i, n in enumerate(raw_names)})
    return log


def clean_in_duckdb(con, source: str, params, out_path=None) -> CleaningLog:
    """:func:`clean_in_engine` on a DuckDB connection (the table :data:`CLEAN_TABLE` is left in it)."""
    return clean_in_engine(DuckDBEngine(con), source, params, out_path)


def last_purchase(expr: str) -> str:
    """SQL of the last purchase's ``expr`` (a date or day number) over cleaned lines: the last line that is not a
    cancellation, else the last line, as :func:`.churn_data.data_span` and the features' snapshot take it."""
    return f"coalesce(max(CASE WHEN NOT is_cancellation THEN {expr} END), max({expr}))"


def _snapshot(eng: SQLEngine, relation: str, snapshot_date) -> int:
    """The snapshot day (days since 1970-01-01), as :func:`~segkit.kinds.transactions.features.rfm_features`."""
    n, last = eng.one(f"SELECT count(*), {last_purchase(eng.day_number('date'))} FROM {relation}",
                      "building the features")
    if not n:
        raise DataValueError("the transaction table is empty", "check the cleaning log: every row was removed by "
                             "some rule")
    if snapshot_date is None:
        return int(last) + 1
    snap = (pd.Timestamp(snapshot_date).normalize() - pd.Timestamp("1970-01-01")).days
    if snap <= last:
        day = pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(last))
        raise DataValueError(f"snapshot_date {pd.Timestamp(snapshot_date).date()} is not after the last purchase "
                             f"day {day.date()}", f"use a snapshot date of {(day + pd.Timedelta(days=1)).date()} or "
                             "later, or filter the transactions first")
    return int(snap)


def _features_sql(eng: SQLEngine, relation: str, snap: int, stock_code: bool, country: bool,
                  order: bool = True) -> str:
    """One row per customer (in customer order with ``order``). Distinct counts and the top country are nested
    GROUP BYs, not ``count(DISTINCT)`` or ordered aggregates, so that every step can spill to disk beyond
    ``memory_limit``."""
    products = ("LEFT JOIN (SELECT customer_id, count(*) AS distinct_products FROM (SELECT DISTINCT customer_id, "
                "coalesce(stock_code, chr(0)) FROM l WHERE buy) GROUP BY ALL) USING (customer_id)" if stock_code else "")
    top = (f"""LEFT JOIN (SELECT customer_id, min(country) AS country FROM (SELECT customer_id, country, n, max(n) OVER
           (PARTITION BY customer_id) AS most FROM (SELECT customer_id, country, count(*) AS n FROM {relation}
           WHERE country IS NOT NULL GROUP BY ALL)) WHERE n = most GROUP BY ALL) USING (customer_id)"""
           if country else "")
    return f"""
    WITH l AS (SELECT customer_id, invoice_id, amount, CAST(quantity AS DOUBLE) AS quantity,
                      {'stock_code' if stock_code else 'CAST(NULL AS STRING) AS stock_code'}, NOT is_cancellation AS buy,
                      {eng.day_number('date')} AS day FROM {relation}),
    c AS (SELECT customer_id, {snap} - max(day) FILTER (WHERE buy) AS recency, sum(amount) AS monetary,
              {snap} - min(day) FILTER (WHERE buy) AS tenure, sum(amount) FILTER (WHERE buy) AS purchase_spend,
              sum(quantity) FILTER (WHERE buy) AS bought, count(*) FILTER (WHERE NOT buy) / count(*) AS returns_rate,
              coalesce(sum(amount) FILTER (WHERE {snap} - day <= 30), 0) AS spend_30d,
              coalesce(sum(amount) FILTER (WHERE {snap} - day <= 90), 0) AS spend_90d,
              coalesce(sum(amount) FILTER (WHERE {snap} - day > 90), 0) AS spend_before_90d,
              count(*) FILTER (WHERE buy) > 0 AS kept
          FROM l GROUP BY customer_id),
    o AS (SELECT customer_id, count(*) AS frequency, count(*) FILTER (WHERE (first_day + 3) % 7 >= 5) AS weekend
          FROM (SELECT customer_id, invoice_id, min(day) AS first_day FROM l WHERE buy GROUP BY ALL) GROUP BY ALL),
    d AS (SELECT customer_id, day - lag(day) OVER (PARTITION BY customer_id ORDER BY day) AS gap
          FROM (SELECT DISTINCT customer_id, day FROM l WHERE buy)),
    g AS (SELECT customer_id, count(gap) AS n_gaps, avg(gap) AS gap_mean, var_pop(gap) AS gap_var
          FROM d GROUP BY customer_id)
    SELECT c.customer_id, c.kept, recency, coalesce(frequency, 0) AS frequency, monetary, tenure,
           purchase_spend / o.frequency AS avg_order_value, {'coalesce(distinct_products, 0)' if stock_code else 'NULL'}
           AS distinct_products, bought / o.frequency AS basket_size,
           CASE WHEN n_gaps > 0 THEN gap_mean ELSE CAST(tenure AS DOUBLE) END AS interpurchase_mean,
           CASE WHEN n_gaps > 1 THEN sqrt(greatest(gap_var, 0)) ELSE 0.0 END AS interpurchase_std,
           returns_rate, coalesce(weekend, 0) / o.frequency AS weekend_share, spend_30d, spend_90d, spend_before_90d
           {', country' if country else ''}
    FROM c LEFT JOIN o USING (customer_id) LEFT JOIN g USING (customer_id) {products} {top}
    {'ORDER BY c.customer_id' if order else ''}"""


def features_in_duckdb(con, relation: str, params) -> pd.DataFrame:
    """:func:`features_in_engine` on a DuckDB connection."""
    return features_in_engine(DuckDBEngine(con), relation, params)


def _typed(names, stock_code: bool) -> str:
    """The columns of the per-customer table with the types :func:`features_in_engine` gives them in pandas: whole
    numbers BIGINT, the other measures DOUBLE, the id and the country as text."""
    out = []
    for name in names:
        if name == "kept" or (name == "distinct_products" and not stock_code):
            continue
        kind = None if name in ("customer_id", "country") else "BIGINT" if name in _INTS else "DOUBLE"
        out.append(f"CAST({name} AS {kind}) AS {name}" if kind else name)
    return ", ".join(out)


def _sampled(eng: SQLEngine, sql: str, params, out_path, stock_code: bool) -> tuple[pd.DataFrame, int | None]:
    """The per-customer rows for the driver, and the number of customers when they are more than
    ``driver_max_customers``: then every customer's features are written to ``out_path`` (Parquet, by the engine)
    and the rows are a seeded sample of ``driver_max_customers`` customers, those with the lowest hash of their id
    and the seed (the same customers for the same seed, whatever the executors), beside those left out."""
    eng.table(_CUSTOMERS, sql, "building the features")
    kept, limit = int(eng.one(f"SELECT count(*) FROM {_CUSTOMERS} WHERE kept")[0]), int(params.driver_max_customers)
    if kept <= limit:
        return eng.frame(f"SELECT * FROM {_CUSTOMERS} ORDER BY customer_id", "building the features"), None
    names = list(eng.types(_CUSTOMERS))
    eng.write_parquet(f"SELECT {_typed(names, stock_code)} FROM {_CUSTOMERS} WHERE kept ORDER BY customer_id", out_path)
    key = eng.seeded_hash("customer_id", params.seed)
    drawn = eng.frame(f"""SELECT * FROM (SELECT * FROM {_CUSTOMERS} WHERE kept ORDER BY {key}, customer_id
                          LIMIT {limit}) UNION ALL SELECT * FROM {_CUSTOMERS} WHERE NOT kept ORDER BY customer_id""",
                      "drawing a sample of the customers")
    return drawn, kept


def features_in_engine(eng: SQLEngine, relation: str, params, out_path=None) -> pd.DataFrame:
    """The per-customer table of :func:`~segkit.kinds.transactions.features.behaviour_features`, computed in
    an engine from the cleaned lines in ``relation`` (a table, or the relation of ``clean.parquet``): same
    columns, dtypes, order and ``attrs`` (``snapshot_date``, ``dropped_customers``).

    With ``out_path``, when there are more than ``driver_max_customers`` customers, every customer's features are
    written there (Parquet, the types of the table returned, the id as the column ``customer_id``) and the table
    holds a seeded sample of ``driver_max_customers`` of them; ``attrs["entities_total"]`` is then the number of
    customers."""
    cols = eng.types(relation)
    missing = [c for c in ("customer_id", "invoice_id", "date", "amount", "is_cancellation", "quantity")
               if c not in cols]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise ColumnError(f"the cleaned lines lack the normalised {noun} {', '.join(missing)}",
                          "clean the input with the transactions cleaning first", column=missing[0])
    snap = _snapshot(eng, relation, params.snapshot_date)
    has_code, has_country = "stock_code" in cols, "country" in cols
    sql = _features_sql(eng, relation, snap, has_code, has_country, order=out_path is None)
    table, total = (eng.frame(sql, "building the features"), None) if out_path is None else \
        _sampled(eng, sql, params, out_path, has_code)
    kept = table.pop("kept").to_numpy(dtype=bool)
    if not has_code:
        table = table.drop(columns="distinct_products")
    dropped = tuple(str(x) for x in table.loc[~kept, "customer_id"])
    table = table.loc[kept].set_index(pd.Index(table.loc[kept, "customer_id"].astype("str"), name="customer_id"))
    table = table.drop(columns="customer_id")
    ints = {c: "int64" for c in _INTS if c in table}
    floats = {c: "float64" for c in table.columns if c not in ints and c != "country"}
    table = table.astype({**ints, **floats})
    if has_country:
        table["country"] = pd.array(table["country"].where(table["country"].notna(), None), dtype="str")
    table.attrs["snapshot_date"] = str(pd.Timestamp("1970-01-01") + pd.Timedelta(days=snap))[:10]
    table.attrs["dropped_customers"] = FrozenIds(dropped)
    if total is not None:
        table.attrs["entities_total"] = total
    return table
