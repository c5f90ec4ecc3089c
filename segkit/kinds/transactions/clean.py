"""Clean a transaction table and record what was removed, rule by rule.

:func:`clean_transactions` takes a raw line-level transaction table (one row per invoice line, as in
the UCI Online Retail data), applies a fixed, ordered set of rules, and returns the cleaned table with
normalised columns plus a :class:`CleaningLog` that says, for business readers, how many rows each
rule removed. Cancellation lines are *kept* and flagged, so that spend can be netted.

The rules, in order (rule ids in brackets):

1. ``[duplicates]`` exact duplicate rows are dropped (first copy kept);
2. ``[missing_customer]`` rows without a customer id are dropped; ``[summary_lines]`` (logged only when it removes
   lines) an export's total line, whose customer id is "Total", "Grand total:" and the like (``SUMMARY_IDS``);
   ``[cancelled_orders]`` (only with a status column) the lines of refunded or cancelled orders;
3. ``[missing_values]`` rows with no invoice id, date, quantity or price/amount are dropped (``[orders]`` and
   ``[items]`` come first, logged only without an invoice or a quantity column: a purchase is then a customer-day,
   and a line one item, a negative amount a return); ``[future_dates]`` (logged only when it removes lines) lines
   dated after today are dropped: a future date is a typing or export error that would shift every recency;
4. ``[non_product]`` non-product stock codes (postage, fees, discounts, manual adjustments, samples,
   gift vouchers, ...) are dropped, matched case-insensitively;
5. ``[non_positive_price]`` lines with a zero or negative unit price, or a zero quantity, are dropped (free items,
   write-offs, the "A" adjust-bad-debt invoices); cancellations (negative quantity, positive price) are kept;
6. ``[cancellations]`` lines whose invoice starts with the cancellation prefix, or whose quantity is
   negative, are kept, flagged ``is_cancellation`` and logged as netted (0 rows removed);
7. ``[refunds]`` (only with a refund column) each kept order's refunded amount, at most what its kept lines cost,
   becomes one cancellation line of that order (quantity -1), added and netted.

A rule that removes every remaining line says so in its note, with the params key to check. Values that cannot be
right stop the cleaning with a message naming the column, the count and examples: text in a number column
(:class:`~segkit.errors.ColumnError`), infinite or absurdly large quantities, prices or amounts, values of the date
column that are not dates (:class:`~segkit.errors.DataValueError`). Dates, numbers and ids are read by
:mod:`segkit.parse`: one date layout for the whole column (recorded in the log, with why), numbers with a decimal
comma, thousands separators or a currency sign, blanks and ``NA`` as missing, ids as text exactly as written
(leading zeros kept), but e-mail addresses in lower case (``[email_case]``, logged when two spellings join).

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"InvoiceNo": ["1", "1", "C2"], "StockCode": ["A", "POST", "A"],
...                     "Quantity": [2, 1, -1], "InvoiceDate": ["2011-01-03 10:00"] * 3,
...                     "UnitPrice": [1.5, 5.0, 1.5], "CustomerID": [17850.0] * 3,
...                     "Country": ["United Kingdom"] * 3})
>>> clean, log = clean_transactions(raw)
>>> clean[["customer_id", "invoice_id", "amount", "is_cancellation"]]
  customer_id invoice_id  amount  is_cancellation
0       17850          1     3.0            False
1       17850         C2    -1.5             True
>>> log.rows_in, log.rows_out
(3, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from ...cleaning import CleaningLog, examples as _examples, is_summary_id, labelled_summary
from ...errors import DataValueError
from ...naming.words import counted
from ...parse import after_period, is_na_token, read_dates, read_ids, read_numbers
from ...quality import ABSURD_VALUE  # at or above this size, a quantity, price or amount is a data error
from .columns import SUMMARY_LINES_TEXT, TransactionColumns
from .rules import (CANCELLED_STATUSES, _today, cancelled, cancelled_step, drops_duplicates, duplicates_step,
                    customer_steps, email_case_step, email_ids, future_dates_step, log_rule, missing_values_step,
                    order_customer_step, from_order, price_rule, refunds_step, required_fields, unmapped_steps)

__all__ = [
    "DEFAULT_NON_PRODUCT_CODES",
    "NORMALISED_COLUMNS",
    "TransactionColumns",
    "clean_transactions",
]

#: Stock codes that are not products (Online Retail). Matched case-insensitively after stripping
#: spaces; a trailing ``*`` matches any code with that prefix.
DEFAULT_NON_PRODUCT_CODES: tuple[str, ...] = (
    "POST",          # postage
    "DOT",           # dotcom postage
    "C2",            # carriage
    "D",             # discount
    "M",             # manual adjustment (also "m")
    "S",             # samples
    "B",             # adjust bad debt
    "BANK CHARGES",
    "AMAZONFEE",
    "CRUK",          # charity commission
    "PADS",          # "pads to match all cushions", price 0.001
    "DCGS*",         # dotcom gift shop / ebay lines (DCGS0003, DCGSSBOY, ...)
    "GIFT_0001_*",   # gift vouchers (gift_0001_10 ... gift_0001_50)
)

#: Columns that :func:`clean_transactions` adds; downstream feature code reads only these.
NORMALISED_COLUMNS: tuple[str, ...] = (
    "customer_id", "invoice_id", "date", "quantity", "price", "amount", "is_cancellation",
)

# --------------------------------------------------------------------------------------------------
# normalisation helpers


def _to_numeric(s: pd.Series, key: str, opts: _Options, log: CleaningLog) -> pd.Series:
    """``s`` read as numbers (:func:`segkit.parse.read_numbers`: decimal comma, thousands separators and
    currency signs are read; blanks and ``NA``, ``-``, ``?`` are missing, and counted in the log).

    :class:`ColumnError` with examples when values are not numbers, and :class:`DataValueError` when numbers
    are infinite or absurdly large (at least :data:`ABSURD_VALUE`)."""
    reading = read_numbers(s, column=str(s.name), decimal=opts.decimal, thousands=opts.thousands).check(key=key)
    num = reading.values
    absurd = (num.abs() >= ABSURD_VALUE).to_numpy()
    if reading.n_infinite:  # read as missing: the only missing values that are not missing in the input
        absurd = absurd | (num.isna() & ~is_na_token(s)).to_numpy()
    if absurd.any():
        raise DataValueError(
            f"column {s.name!r} ({key}) has {counted(int(absurd.sum()), 'infinite or absurdly large values')} "
            f"(|x| >= {ABSURD_VALUE:.0e}), e.g. {_examples(s[absurd])}",
            "correct or remove those rows at the source: a single such line would dominate every total",
            key=key, column=str(s.name))
    if reading.notes or reading.n_missing > int(s.isna().sum()):
        log.read(reading, key=key, note="" if not reading.n_missing else "a blank is no refund" if key == "refund_col"
                 else "missing values are set aside by the missing_values rule")
    return num


def _to_datetime(s: pd.Series, key: str, opts: _Options, log: CleaningLog) -> pd.Series:
    """``s`` read as dates with one layout for the whole column (:func:`segkit.parse.read_dates`); the layout,
    why, and dates after today or far after the data's period are recorded in the log.
    :class:`DataValueError` with examples when values are not dates."""
    reading = read_dates(s, column=str(s.name), date_format=opts.date_format, dayfirst=opts.dayfirst,
                         today=_today()).check(key=key)
    dates, notes = reading.values, []
    if reading.n_future:
        notes.append("lines dated after today are removed (future_dates)")
    late = after_period(dates.where(dates < _today() + pd.Timedelta(days=1)))
    if late.any():
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in sorted(dates[late].unique())[-3:])
        notes.append(f"{counted(int(late.sum()), 'lines')} dated far after the data's period (e.g. {shown}) "
                     f"{'is' if late.sum() == 1 else 'are'} kept: recency is measured from the last purchase among "
                     "them; correct them at the source, or set snapshot_date")
    log.read(reading, key=key, note="; ".join(notes))
    return dates


def _to_id(s: pd.Series) -> pd.Series:
    """Ids as text exactly as written (:func:`segkit.parse.read_ids`: 17850.0 -> "17850", zeros kept)."""
    return read_ids(s)


def _code_mask(codes: pd.Series, patterns: Iterable[str]) -> pd.Series:
    """True where ``codes`` matches one of ``patterns`` (case-insensitive, ``*`` = prefix)."""
    patterns = [p.strip().upper() for p in patterns]
    exact = [p for p in patterns if not p.endswith("*")]
    prefixes = tuple(p[:-1] for p in patterns if p.endswith("*"))
    upper = codes.astype("str").str.strip().str.upper()
    mask = upper.isin(exact)
    if prefixes:
        mask |= upper.str.startswith(prefixes).fillna(False).astype(bool)
    return mask & codes.notna()


def _top_counts(values: pd.Series, n: int = 6) -> str:
    counts = values.value_counts().head(n)
    return ", ".join(f"{k} ({v:,})" for k, v in counts.items())


# --------------------------------------------------------------------------------------------------
# the rules: each takes the working table (one row per remaining raw line, indexed by its position in
# the raw table; the lines ``[refunds]`` adds have negative positions), the log and the options, logs itself and
# returns the rows it keeps


@dataclass(frozen=True)
class _Options:
    """The arguments of :func:`clean_transactions` that the rules read."""

    columns: TransactionColumns
    non_product_codes: Iterable[str]
    cancellation_prefix: str | None
    drop_duplicates: bool  # as :func:`.rules.drops_duplicates` decides it
    dayfirst: bool | None = None
    date_format: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    cancelled_statuses: Iterable[str] = CANCELLED_STATUSES
    duplicates_unset: bool = False  # drop_duplicates was left to the quantity column


def _normalise(df: pd.DataFrame, opts: _Options, log: CleaningLog) -> pd.DataFrame:
    """The working table: normalised columns, the raw stock codes (when mapped) and, when duplicates are
    dropped, ``is_duplicate``; one row per raw line, indexed 0..n-1 by its position in ``df``. How the dates
    (and numbers that needed more than a plain reading) were read goes to ``log``, and so do ``[orders]`` and
    ``[items]`` (only without an invoice or a quantity column: a purchase is a customer-day, a line one item, a
    negative amount a return) and ``[email_case]`` (:func:`.rules.email_ids`)."""
    c = opts.columns
    customer, mail_case = email_ids(_to_id(df[c.customer]))  # Anna@Hooli.com and anna@hooli.com: one customer
    labelled = labelled_summary(df, c.customer)
    if labelled.any():  # "Summe;;;;171.506,90": its label as the id, which the summary_lines rule removes
        customer = customer.mask(labelled, df.iloc[:, 0].astype("string").str.strip())
    date = _to_datetime(df[c.date].mask(labelled), "date_col", opts, log)
    # without an order id, the lines of one customer on one day are one purchase
    invoice = _to_id(df[c.invoice]) if c.invoice is not None else customer.str.cat(date.dt.strftime("%Y-%m-%d"), "|")
    filled = None
    if c.invoice is not None:  # the customer on an order's first line only (Shopify): the order's other lines take it
        customer, filled = from_order(customer, invoice)
    if c.amount is not None:
        amount = _to_numeric(df[c.amount], "amount_col", opts, log)
        # line amounts only: each line one item, a negative amount a return (-1 item)
        quantity = (_to_numeric(df[c.quantity], "quantity_col", opts, log) if c.quantity is not None
                    else np.sign(amount))
        if c.price is not None:
            price = _to_numeric(df[c.price], "price_col", opts, log)
        else:
            price = amount / quantity.where(quantity != 0)
    else:
        quantity = _to_numeric(df[c.quantity], "quantity_col", opts, log)
        price = _to_numeric(df[c.price], "price_col", opts, log)
        amount = quantity * price
    is_cancel = quantity.lt(0)
    if opts.cancellation_prefix and c.invoice is not None:
        is_cancel |= invoice.str.startswith(opts.cancellation_prefix).fillna(False).astype(bool)
    parts = {"customer_id": customer, "invoice_id": invoice, "date": date, "quantity": quantity,
             "price": price, "amount": amount, "is_cancellation": is_cancel}
    if c.stock_code is not None:
        parts["stock_code"] = df[c.stock_code]  # as read: stripped to text only in the output
    if c.country is not None:  # an order's country, which an export may give on its first line only (Shopify)
        parts["country"] = from_order(df[c.country], invoice)[0] if c.invoice is not None else df[c.country]
    # an order's status and refund, which an export may give on its first line only (Shopify)
    if c.status is not None:
        status = df[c.status].astype("string").str.strip().str.lower()
        parts["status"] = status.groupby(invoice.to_numpy(), dropna=False).transform("max")
    if c.refund is not None:
        refund = _to_numeric(df[c.refund], "refund_col", opts, log).abs()
        parts["refund"] = refund.groupby(invoice.to_numpy(), dropna=False).transform("max")
    if opts.drop_duplicates:
        parts["is_duplicate"] = df.duplicated(keep="first")
    for rule, description, note in unmapped_steps(c):  # [orders] and [items]: how the lines are read, no filter
        log.add(rule, description, len(df), 0, note=note)
    email_case_step(log, len(df), *mail_case)
    if filled is not None:  # counted on the lines the duplicates rule keeps, as the engines count them
        order_customer_step(log, len(df), int(filled[~parts["is_duplicate"]].sum() if opts.drop_duplicates
                                              else filled.sum()))
    return pd.DataFrame({name: s.reset_index(drop=True) for name, s in parts.items()})


def _drop(table: pd.DataFrame, log: CleaningLog, rule: str, description: str, drop: np.ndarray,
          note: str = "", *, key: str | None = None) -> pd.DataFrame:
    """Log ``rule`` as removing the rows of ``table`` where ``drop`` is true (:func:`log_rule`), and return the
    others."""
    log_rule(log, rule, description, len(table), int(drop.sum()), note, key=key)
    return table[~drop]


def _duplicates(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[duplicates]``: exact duplicate raw rows, the first copy kept (logged, 0 removed, when off)."""
    drop = table["is_duplicate"].to_numpy() if opts.drop_duplicates else np.zeros(len(table), dtype=bool)
    text, note = duplicates_step(opts.drop_duplicates, opts.duplicates_unset)
    return _drop(table, log, "duplicates", text, drop, note)


def _summary_lines(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[summary_lines]``: lines whose customer id is a summary word (logged only when there are any)."""
    drop = is_summary_id(table["customer_id"])
    if not drop.any():
        return table
    shown = ", ".join(repr(v) for v in sorted(set(table["customer_id"][drop].astype(str)))[:3])
    return _drop(table, log, "summary_lines", SUMMARY_LINES_TEXT, drop, note=f"{counted(drop.sum(), 'lines')}: {shown}")


def _cancelled_orders(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[cancelled_orders]`` (only with a status column): the lines of orders refunded or cancelled as a whole."""
    if opts.columns.status is None:
        return table
    drop = table["status"].isin(cancelled(opts.cancelled_statuses)).fillna(False).to_numpy(dtype=bool)
    return _drop(table, log, "cancelled_orders", cancelled_step(opts.cancelled_statuses), drop,
                 note=f"{counted(drop.sum(), 'lines')} of {counted(table['invoice_id'][drop].nunique(), 'orders')}")


def _missing_customer(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[missing_customer]``: lines without a customer id."""
    return _drop(table, log, "missing_customer", "Lines without a customer id were removed: they cannot be "
                 "attributed to a customer (typically guest or till purchases).",
                 table["customer_id"].isna().to_numpy(), key="customer_col")


def _missing_values(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[missing_values]``: lines with no invoice id (when mapped), date, quantity, amount or (mapped) price; the
    note counts the values of each that are missing (blank or written ``NA``, ``-``, ... in the input)."""
    fields = required_fields(opts.columns)
    gaps = {col: table[col].isna().to_numpy() for _, col, _ in fields}  # a derived price is missing only for quantity 0
    missing = np.logical_or.reduce(list(gaps.values()))
    counts = [f"{what} {int(gaps[col].sum()):,}" for what, col, _ in fields if gaps[col].any()]
    return _drop(table, log, "missing_values", missing_values_step(fields),
                 missing, note="missing: " + ", ".join(counts) if counts else "",
                 key=" and ".join(k for _, _, k in fields))


def _future_dates(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[future_dates]``: lines dated after today, typing or export errors (logged only when there are any)."""
    today = pd.Timestamp(_today())
    date = table["date"]
    future = (date >= today + pd.Timedelta(days=1)).to_numpy()
    if not future.any():
        return table
    shown = ", ".join(f"{pd.Timestamp(d):%Y-%m-%d}" for d in sorted(pd.unique(date[future]))[:3])
    return _drop(table, log, "future_dates", future_dates_step(), future, key="date_col",
                 note=f"{counted(int(future.sum()), 'lines')}, e.g. {shown}; correct the dates at the source")


def _non_product(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[non_product]``: postage, fees, discounts, ... (:data:`DEFAULT_NON_PRODUCT_CODES`); skipped
    without a stock code column."""
    if opts.columns.stock_code is None:
        return _drop(table, log, "non_product", "Non-product lines could not be identified (no stock code column); "
                     "nothing was removed.", np.zeros(len(table), dtype=bool), note="skipped: stock_code_col unset")
    codes = table["stock_code"]
    patterns = tuple(opts.non_product_codes)
    drop = _code_mask(codes, patterns).to_numpy() if patterns else np.zeros(len(table), dtype=bool)
    removed = codes[drop]
    note = "most removed: " + _top_counts(removed) if len(removed) else ""
    return _drop(table, log, "non_product", "Lines that are not products (postage, carriage, fees, discounts, "
                 "manual adjustments, samples, gift vouchers) were removed: they are not customer "
                 "purchases of goods.", drop, note=note)


def _non_positive_price(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[non_positive_price]``: zero or negative unit price (or, with a line amount only, an amount of the wrong
    sign), or zero quantity; cancellations have a negative quantity and a positive price, so they stay. The note
    counts the zero-amount lines."""
    zero = int(table["amount"].eq(0).sum())
    description, key = price_rule(opts.columns)
    return _drop(table, log, "non_positive_price", description,
                 (table["price"].le(0) | table["quantity"].eq(0)).to_numpy(),
                 note=f"{counted(zero, 'lines')} with a zero amount" if zero else "", key=key)


def _cancellations(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[cancellations]``: kept, flagged and logged as netted (0 rows removed)."""
    flagged = table["is_cancellation"].to_numpy()
    netted = int(flagged.sum())
    n_inv = table["invoice_id"][flagged].nunique()
    orders = "invoices" if opts.columns.invoice is not None else "customer-days"
    log.add("cancellations", "Cancelled and returned lines were kept and subtracted from the "
            "customer's spend (netted), not removed.", len(table), 0, rows_netted=netted,
            note=f"netted {netted:,} cancellation lines from {n_inv:,} {orders}")
    return table


def _refunds(table: pd.DataFrame, log: CleaningLog, opts: _Options) -> pd.DataFrame:
    """``[refunds]`` (only with a refund column): one cancellation line added per kept order with a refund, of the
    refund, cut to the order's amount and less what its return lines net already (:func:`refund_lines`)."""
    if opts.columns.refund is None:
        return table
    lines, cut = refund_lines(table, country=opts.columns.country is not None)
    lines.index = -1 - pd.RangeIndex(len(lines))  # no raw line: below the raw lines' positions
    description, note = refunds_step(len(lines), float(lines["price"].sum()), cut)
    log.add("refunds", description, len(table), 0, rows_netted=len(lines), rows_added=len(lines), note=note)
    return pd.concat([table, lines]) if len(lines) else table


def refund_lines(kept: pd.DataFrame, *, country: bool) -> tuple[pd.DataFrame, int]:
    """The working table's lines of the refunds of the orders in ``kept`` (the kept lines, with ``refund``), one per
    order whose refund is more than its return lines net already, in invoice order: the order's customer (the first
    in text order), its last date, quantity -1, price and amount the refund, at most the order's purchases (not its
    shipping or taxes), less its returns (a return line and the refund of the same item are one refund); its country
    (the first). And how many refunds were cut."""
    cancel = kept["is_cancellation"].to_numpy(dtype=bool)
    amount = kept["amount"].abs().to_numpy()
    work = kept.assign(spent=np.where(cancel, 0.0, amount), returned=np.where(cancel, amount, 0.0))
    agg = {"customer_id": ("customer_id", "min"), "date": ("date", "max"), "spent": ("spent", "sum"),
           "returned": ("returned", "sum"), "refund": ("refund", "max")}
    if country:
        work["country"] = work["country"].astype("string")  # one type for min (a column of mixed cells)
        agg["country"] = ("country", "min")
    orders = work.groupby("invoice_id", sort=True).agg(**agg)
    value = np.minimum(orders["refund"], orders["spent"]) - orders["returned"]
    orders = orders.assign(value=value)[(orders["refund"] > 0) & (value > 0)]
    lines = orders.drop(columns=["spent", "returned", "value"]).assign(
        quantity=-1.0, price=orders["value"], amount=orders["value"], is_cancellation=True)
    return lines.reset_index(), int((orders["value"] < orders["refund"]).sum())


def _lost_customers(start: pd.DataFrame, table: pd.DataFrame, log: CleaningLog) -> None:
    """``[lost_customers]`` and ``[returns_only]`` (:func:`.rules.customer_steps`): customers with an id whose every
    line was removed, and those left with cancellation lines only."""
    ids = start["customer_id"].dropna()
    ids = ids[~is_summary_id(ids)]  # a "Total" line is no customer
    kept = table["customer_id"].dropna()
    lost = pd.Index(ids.unique()).difference(pd.Index(kept.unique()))
    buying = kept[~table.loc[kept.index, "is_cancellation"].to_numpy(dtype=bool)].nunique()
    customer_steps(log, len(table), len(lost), kept.nunique() - buying)


#: The cleaning rules, in the order they run (see the module docstring).
_RULES = (_duplicates, _missing_customer, _summary_lines, _cancelled_orders, _missing_values, _future_dates,
          _non_product, _non_positive_price, _cancellations, _refunds)


def _output(df: pd.DataFrame, table: pd.DataFrame, columns: TransactionColumns) -> pd.DataFrame:
    """The cleaned table: normalised columns of the kept rows (cancellations made negative), then the rest
    of their original columns (empty on the lines of refunds), with a fresh RangeIndex."""
    idx = table.index.to_numpy()
    cancel_kept = table["is_cancellation"].to_numpy()
    qty_kept = table["quantity"].to_numpy()
    if np.array_equal(qty_kept, np.floor(qty_kept)):  # whole numbers: keep an integer dtype
        qty_kept = qty_kept.astype("int64")
    amt_kept = table["amount"].to_numpy()
    clean = pd.DataFrame({
        "customer_id": table["customer_id"].reset_index(drop=True).astype("str"),
        "invoice_id": table["invoice_id"].reset_index(drop=True).astype("str"),
        "date": table["date"].reset_index(drop=True),
        "quantity": np.where(cancel_kept, -np.abs(qty_kept), qty_kept),
        "price": table["price"].to_numpy(),
        "amount": np.where(cancel_kept, -np.abs(amt_kept), amt_kept),
        "is_cancellation": cancel_kept,
    })
    if columns.stock_code is not None:
        clean["stock_code"] = table["stock_code"].astype("str").str.strip().reset_index(drop=True)
    if columns.country is not None:
        clean["country"] = table["country"].astype("str").reset_index(drop=True)
    rest = df.iloc[:, [i for i, col in enumerate(df.columns) if col not in clean.columns]]
    rest = rest.iloc[idx] if (idx >= 0).all() else rest.reset_index(drop=True).reindex(idx)  # < 0: refunds
    return pd.concat([clean, rest.reset_index(drop=True)], axis=1)


def clean_transactions(
    df: pd.DataFrame,
    *,
    columns: TransactionColumns = TransactionColumns(),
    non_product_codes: Iterable[str] = DEFAULT_NON_PRODUCT_CODES,
    cancellation_prefix: str | None = "C",
    drop_duplicates: bool | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    cancelled_statuses: Iterable[str] = CANCELLED_STATUSES,
) -> tuple[pd.DataFrame, CleaningLog]:
    """Clean a line-level transaction table; keep cancellations, flagged, for netting.

    Parameters
    ----------
    df : DataFrame
        Raw transactions, one row per invoice line. Never modified.
    columns : TransactionColumns
        Which columns hold customer, invoice, date, quantity, price/amount, stock code, country, and optionally an
        order's status and its refunded amount.
    non_product_codes : iterable of str
        Stock codes to drop (case-insensitive; a trailing ``*`` matches a prefix).
    cancellation_prefix : str or None
        Invoice ids starting with this (case-sensitive) mark cancellations. Lines with a negative
        quantity are cancellations whatever their invoice id.
    drop_duplicates : bool or None
        Drop exact duplicate rows (the step is still logged, with 0 removed, when False). None: unless there is no
        quantity column (each line is then one item, and two identical lines are two items bought).
    dayfirst : bool, optional
        When no date of the column decides (a first field above 12 means day first), True reads
        ``01/02/2011`` as 1 February; default month first (2 January). See :mod:`segkit.parse`.
    date_format : str, optional
        A ``strptime`` format for the date column, instead of deciding the layout from its values.
    decimal, thousands : str, optional
        The decimal mark and thousands separator of numbers written as text (default: decided per column).
    cancelled_statuses : iterable of str
        With a status column (``columns.status``): the statuses (any case) of orders refunded or cancelled as a whole,
        whose lines are removed.

    Returns
    -------
    clean : DataFrame
        The kept rows (and a line per refund, with ``refund``) with a fresh RangeIndex. Normalised columns come
        first: ``customer_id`` (str,
        "17850" not "17850.0"), ``invoice_id`` (str), ``date`` (datetime64), ``quantity``
        (int64 when all whole numbers, else float), ``price``, ``amount`` (float; quantity *
        price, or the amount column), ``is_cancellation`` (bool), plus
        ``stock_code`` and ``country`` (str) when mapped; then the original columns. On
        cancellation lines quantity and amount are made negative, so summing ``amount`` nets
        refunds against purchases. An original column whose name equals a normalised one is
        replaced by it.
    log : CleaningLog
        One step per rule, in order (see the module docstring).

    Raises
    ------
    ColumnError
        A mapped column is missing, or quantity/price/amount holds non-numeric values.
    DataValueError
        Dates that cannot be read (numbers are read as YYYYMMDD or Excel serial dates); infinite or absurdly large
        quantities, prices or amounts (count and examples in the message). Missing dates are not an
        error: those rows are dropped by the ``missing_values`` rule.
    """
    columns.check(df)
    drops = drops_duplicates(drop_duplicates, columns.quantity)
    opts = _Options(columns, non_product_codes, cancellation_prefix, drops, dayfirst, date_format, decimal, thousands,
                    cancelled_statuses, drop_duplicates is None)
    log = CleaningLog()
    table = start = _normalise(df, opts, log)
    for rule in _RULES:
        table = rule(table, log, opts)
    _lost_customers(start, table, log)
    return _output(df, table, columns), log
