"""What the transactions cleaning logs, rule by rule, in words the pandas cleaning
(:mod:`segkit.kinds.transactions.clean`) and the engines' (:mod:`segkit.kinds.transactions.sql`) share: the steps'
descriptions and notes, the fields a line needs, and one way to log a rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...cleaning import CleaningLog
from ...format import joined
from ...naming.words import counted
from .columns import TransactionColumns

__all__ = ["CANCELLED_STATUSES", "log_rule", "duplicates_step", "future_dates_step", "cancelled", "cancelled_step",
           "required_fields", "price_rule", "unmapped_steps", "refunds_step", "email_ids", "email_case_step",
           "from_order", "from_order_sql", "partly_blank", "order_customer_step"]

#: The statuses of orders the customer did not keep, as ``clean_transactions`` reads them by default (the params'
#: ``cancelled_statuses`` default to the same).
CANCELLED_STATUSES = ("refunded", "voided", "cancelled", "canceled")


def _today() -> pd.Timestamp:
    """Today's date (a function, so that tests can fix it)."""
    return pd.Timestamp.now().normalize()


def log_rule(log: CleaningLog, rule: str, description: str, before: int, removed: int, note: str = "",
             key: str | None = None) -> int:
    """Log ``rule`` as removing ``removed`` of ``before`` lines and return the lines left; when ``key`` is given and
    the rule removes every remaining line, the note says to check that key. Shared with the engines' cleaning."""
    if key is not None and before and removed == before:
        note = (note + "; " if note else "") + f"every remaining line was removed here: check the mapping of {key}"
    log.add(rule, description, before, removed, note=note)
    return before - removed


def drops_duplicates(drop_duplicates: bool | None, quantity_col: str | None) -> bool:
    """Whether the cleaning drops exact duplicate lines: as ``drop_duplicates`` says, and when it is unset, unless the
    data has no quantity column (each line is then one item, and two identical lines are two items bought)."""
    return drop_duplicates if drop_duplicates is not None else quantity_col is not None


def duplicates_step(drop_duplicates: bool, unset: bool = False) -> tuple[str, str]:
    """The ``duplicates`` rule's description and note, for the pandas and the engines' cleaning (``unset``: the
    params left ``drop_duplicates`` to :func:`drops_duplicates`)."""
    if drop_duplicates:
        return "Exact duplicate rows (the same line recorded twice) were removed; the first copy was kept.", ""
    if unset:
        return ("Identical lines were kept: with no quantity column each line is one item, so two identical lines "
                "are two items bought (set drop_duplicates: true if they are the same line recorded twice).",
                "kept: no quantity column")
    return "Exact duplicate rows were kept (duplicate removal switched off).", "skipped: drop_duplicates=False"


def future_dates_step() -> str:
    """The ``future_dates`` rule's description, for the pandas and the engines' cleaning."""
    return (f"Lines dated after today ({_today():%Y-%m-%d}) were removed: a date in the future is a typing or export "
            "error, and it would shift recency for every customer.")


def missing_values_step(fields: list[tuple[str, str, str]]) -> str:
    """The ``missing_values`` rule's description (``fields``: :func:`required_fields`), for the pandas and the
    engines' cleaning."""
    return f"Lines with no {joined([w for w, _, _ in fields], 'or')} were removed."


def required_fields(c: TransactionColumns) -> list[tuple[str, str, str]]:
    """(words, normalised column, params key) of the fields a line needs, which ``[missing_values]`` checks (the
    pandas and the engine cleaning alike): the invoice id and the quantity when mapped, the date, the price or the
    amount (both when both are mapped)."""
    fields = [("invoice number", "invoice_id", "invoice_col")] if c.invoice is not None else []
    fields.append(("date", "date", "date_col"))
    fields += [("quantity", "quantity", "quantity_col")] if c.quantity is not None else []
    fields.append(("price", "price", "price_col") if c.price is not None else ("amount", "amount", "amount_col"))
    if c.price is not None and c.amount is not None:
        fields.append(("amount", "amount", "amount_col"))
    return fields


def price_rule(c: TransactionColumns) -> tuple[str, str]:
    """The ``[non_positive_price]`` step's description and the params keys it names, for the columns mapped (the
    pandas and the engine cleaning log it alike)."""
    if c.quantity is None:
        return ("Lines with an amount of zero were removed (free items, write-offs and bad-debt adjustments).",
                "amount_col")
    what = ("an amount of zero or of the opposite sign to the quantity" if c.price is None
            else "a zero or negative unit price")
    return (f"Lines with {what} or a zero quantity were removed (free items, write-offs and bad-debt adjustments).",
            ("amount_col" if c.price is None else "price_col") + " and quantity_col")


#: The steps logged (removing nothing) for a column the params leave unmapped: what the cleaning takes instead.
_UNMAPPED_STEPS = {
    "invoice": ("orders", "No order id (invoice_col is not set): the lines of one customer on one day are taken as "
                "one purchase, so frequency counts the days with a purchase.",
                "set invoice_col to the order id column, if the data has one"),
    "quantity": ("items", "No quantity column (quantity_col is null): each line counts as one item, and a line with "
                 "a negative amount is a return, netted against the customer's spend.",
                 "set quantity_col to the quantity column, if the data has one"),
}


def unmapped_steps(c: TransactionColumns) -> list[tuple[str, str, str]]:
    """The ``[orders]`` and ``[items]`` steps (rule, description, note) of the invoice and quantity columns ``c``
    leaves unmapped (the pandas and the engine cleaning log them alike)."""
    return [step for field, step in _UNMAPPED_STEPS.items() if getattr(c, field) is None]


def cancelled(statuses) -> list[str]:
    """The statuses of orders the customer did not keep as a status column is compared with them: trimmed, in lower
    case (the pandas and the engine cleaning alike)."""
    return [str(w).strip().lower() for w in statuses]


def cancelled_step(statuses) -> str:
    """The ``[cancelled_orders]`` rule's description: the lines of orders whose status is one of ``statuses``."""
    return (f"Lines of orders whose status is {joined([repr(w) for w in cancelled(statuses)], 'or')} were removed: the "
            "customer did not keep what they bought (a refund or a cancellation of the whole order).")


def refunds_step(orders: int, total: float, cut: int) -> tuple[str, str]:
    """The ``[refunds]`` step's description and note: ``orders`` refunds added, ``total`` in all, ``cut`` of them to
    their order's amount (the pandas and the engine cleaning alike)."""
    note = f"{counted(orders, 'orders')}, {total:,.2f} refunded in all"
    if cut:
        note += (f"; {cut:,} cut to the order's amount (not its shipping or taxes) or less what its return lines "
                 "net already")
    return ("Refunds of orders that were kept were subtracted from the customer's spend: one refund line added to "
            "each such order, and netted.", note)


def email_ids(ids: pd.Series) -> tuple[pd.Series, tuple[int, list[str]]]:
    """Customer ids with the e-mail addresses among them (an ``@`` in the id) in lower case, since an address is one
    whatever its case; and what :func:`email_case_step` logs: how many spellings were joined to another, and one
    pair. The engines write ``CASE WHEN contains(id, '@') THEN lower(id) ...`` (:mod:`.sql`).

    >>> lowered, (joined, pair) = email_ids(pd.Series(["Anna@Hooli.com", "anna@hooli.com", "Bo@x.org", "C7"]))
    >>> lowered.tolist(), joined, pair
    (['anna@hooli.com', 'anna@hooli.com', 'bo@x.org', 'C7'], 1, ['Anna@Hooli.com', 'anna@hooli.com'])
    """
    mail = ids.str.contains("@", regex=False).fillna(False).to_numpy(dtype=bool)
    if not mail.any():
        return ids, (0, [])
    spelt = pd.Series(pd.unique(ids[mail]))
    lower = spelt.str.lower()
    joined = int(len(spelt) - lower.nunique())
    twins = spelt[lower.duplicated(keep=False).to_numpy()]
    first = twins[lower[twins.index] == lower[twins.index].min()] if joined else twins
    pair = [str(first.min()), str(first.max())] if joined else []  # as the engines' min() and max() of that address
    return ids.where(~mail, ids.str.lower()), (joined, pair)


def email_case_step(log: CleaningLog, rows: int, joined: int, pair: list[str]) -> None:
    """The ``[email_case]`` step, logged only when an e-mail address was written in more than one case (the pandas and
    the engines' cleaning alike): its lines are one customer's."""
    if joined:
        log.add("email_case", "Customer ids that are e-mail addresses are read in lower case: an address is the same "
                "whatever its case, so its lines are one customer's.", rows, 0,
                note=f"{counted(joined, 'ids')} written in another case joined {'its' if joined == 1 else 'their'} "
                     "customer, e.g. "
                     f"{' and '.join(map(repr, pair))}")


def from_order(values: pd.Series, invoice: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``values`` (a customer id, a country) with a line that has none given its order's, when the order's other lines
    have one value only (Shopify writes them on an order's first line); and which lines were filled.

    >>> ids, filled = from_order(pd.Series(["a", None, None, "b", None], dtype="string"),
    ...                          pd.Series(["1", "1", "2", "3", None], dtype="string"))
    >>> ids.tolist(), filled.tolist()
    (['a', 'a', <NA>, 'b', <NA>], [False, True, False, False, False])
    """
    blank, nothing = values.isna().to_numpy(), pd.Series(False, index=values.index)
    if not blank.any():  # the common case costs one pass over the values
        return values, nothing
    orders = pd.factorize(invoice)[0]  # integer codes (-1: no order), of any dtype (a Parquet file's categories too)
    known = orders >= 0
    if not np.isin(orders[known & ~blank], orders[known & blank]).any():  # every order whole: nothing to fill
        return values, nothing
    codes = pd.Series(pd.factorize(values)[0], index=values.index, dtype="float64").mask(blank)
    per = codes.groupby(orders)
    filled = pd.Series(blank & known & (per.transform("min") == per.transform("max")).to_numpy(), index=values.index)
    return values.mask(filled, values.groupby(orders).transform("first")), filled


def from_order_sql(expr: str, invoice: str) -> tuple[str, str]:
    """SQL of ``expr`` with a line that has none given its order's, when the order's other lines have one value only;
    and SQL true on the lines so filled (:func:`from_order` in the engines)."""
    low, high = (f"{f}({expr}) OVER (PARTITION BY {invoice})" for f in ("min", "max"))
    filled = f"({expr} IS NULL AND {invoice} IS NOT NULL AND {low} = {high})"
    return f"CASE WHEN {filled} THEN {low} ELSE {expr} END", filled


def partly_blank(eng, source: str, fields: dict[str, str], invoice: str) -> list[str]:
    """Of ``fields`` (column -> SQL of its value), those some order leaves blank on some of its lines only, which
    :func:`from_order_sql` fills: one grouped pass, so that an input whose orders are whole (a guest's order blank
    throughout) pays no window over its lines."""
    inner = ", ".join(f"count({expr}) AS n_{i}" for i, expr in enumerate(fields.values()))
    outer = ", ".join(f"count(*) FILTER (WHERE n_{i} BETWEEN 1 AND n - 1)" for i in range(len(fields)))
    found = eng.one(f"SELECT {outer} FROM (SELECT count(*) AS n, {inner} FROM {source} WHERE {invoice} IS NOT NULL "
                    f"GROUP BY {invoice})")
    return [col for col, n in zip(fields, found) if n]


def order_customer_step(log: CleaningLog, rows: int, filled: int) -> None:
    """The ``[order_customer]`` step, logged only when lines were filled (:func:`from_order`; the pandas and the
    engines' cleaning alike)."""
    if filled:
        log.add("order_customer", "Lines without a customer id take the customer of their order's other lines, when "
                "those name one customer: an export may write the customer on an order's first line only (Shopify).",
                rows, 0, note=f"{counted(filled, 'lines')} given {'its' if filled == 1 else 'their'} order's customer")


def customer_steps(log, left: int, lost: int, returns_only: int) -> None:
    """The ``[lost_customers]`` and ``[returns_only]`` steps, each logged only when there are any: customers with an id
    whose every line was removed, and customers left with returned or cancelled lines only (the pandas and the engine
    cleaning alike). Neither has a purchase to measure, so neither is in the segments; both are counted here."""
    if lost:
        log.add("lost_customers", "Customers whose every line was removed by the rules above: they are not in the "
                "segments.", left, 0, note=f"{counted(lost, 'customers')} lost all their lines")
    if returns_only:
        log.add("returns_only", "Customers with returned or cancelled lines only, and no purchase: with nothing bought "
                "to measure, they are not in the segments (their lines stay in the cleaned table).", left, 0,
                note=f"{counted(returns_only, 'customers')}")
