"""Which columns of a raw transaction table hold which field: :class:`TransactionColumns`, from the params."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from ...errors import ColumnError, ParamsError

__all__ = ["TransactionColumns", "SUMMARY_LINES_TEXT"]

SUMMARY_LINES_TEXT = ("Summary lines were removed: their customer id is a word such as \"Total\", so they hold an "
                      "export's totals, not a customer's purchases.")

# dataclass field -> params key
_PARAMS_KEYS = {
    "customer": "customer_col",
    "invoice": "invoice_col",
    "date": "date_col",
    "quantity": "quantity_col",
    "price": "price_col",
    "amount": "amount_col",
    "stock_code": "stock_code_col",
    "country": "country_col",
    "status": "status_col",
    "refund": "refund_col",
}
_REQUIRED = ("customer", "date")


@dataclass(frozen=True)
class TransactionColumns:
    """Which columns of a raw transaction table hold which field.

    Defaults are the UCI Online Retail names. Each field corresponds to a params key: ``customer``
    to ``customer_col``, ``invoice`` to ``invoice_col``, and so on (see :meth:`from_params`).

    Parameters
    ----------
    customer, date : str
        Required columns: customer id, invoice date-time.
    quantity : str or None
        Items per line (negative for returns). None when the data has line amounts only (``amount`` set):
        each line is then one item, and a negative amount a return.
    invoice : str or None
        The invoice (order) id. None when the data has none: one purchase is then one customer-day.
    price : str or None
        Unit price. May be None when ``amount`` is given (the unit price is then amount / quantity).
    amount : str or None
        Line amount (quantity times price). When given it is used as the line amount.
    stock_code, country : str or None
        Optional product code and country columns. Without ``stock_code`` the non-product rule and
        the ``distinct_products`` feature are skipped; without ``country`` there is no ``country``
        feature.
    status : str or None
        Optional order status column (Shopify's "Financial Status"): the lines of refunded or cancelled orders are
        removed (the params' ``cancelled_statuses``).
    refund : str or None
        Optional column of the amount refunded on an order (Shopify's "Refunded Amount"), on any of its lines: the
        refund of an order that is kept is subtracted from the customer's spend, as one returned line.
    """

    customer: str = "CustomerID"
    invoice: str | None = "InvoiceNo"
    date: str = "InvoiceDate"
    quantity: str | None = "Quantity"
    price: str | None = "UnitPrice"
    amount: str | None = None
    stock_code: str | None = "StockCode"
    country: str | None = "Country"
    status: str | None = None
    refund: str | None = None

    def __post_init__(self):
        for name in _PARAMS_KEYS:
            value = getattr(self, name)
            if value is None and name in _REQUIRED:
                raise ParamsError(f"{_PARAMS_KEYS[name]} is empty",
                                  f"set {_PARAMS_KEYS[name]} to the name of the {name} column",
                                  key=_PARAMS_KEYS[name])
            if value is not None and not isinstance(value, str):
                raise ParamsError(f"{_PARAMS_KEYS[name]} must be a column name, got {value!r}",
                                  f"write {_PARAMS_KEYS[name]} as a quoted column name",
                                  key=_PARAMS_KEYS[name])
        if self.price is None and self.amount is None:
            raise ParamsError("neither price_col nor amount_col is set",
                              "set price_col to the unit-price column, or amount_col to a "
                              "line-amount column", key="price_col")
        if self.quantity is None and self.amount is None:
            raise ParamsError("quantity_col is empty and amount_col is not set",
                              "set quantity_col to the quantity column, or amount_col to the line-amount column",
                              key="quantity_col")

    @classmethod
    def from_params(cls, mapping: Mapping[str, Any]) -> TransactionColumns:
        """Build the mapping from params keys (``customer_col``, ``invoice_col``, ``date_col``,
        ``quantity_col``, ``price_col``, ``amount_col``, ``stock_code_col``, ``country_col``, ``status_col``,
        ``refund_col``).

        Keys that are absent take the Online Retail defaults; other keys in ``mapping`` are ignored,
        so the whole params dict can be passed. When ``amount_col`` is set, ``price_col`` is
        ignored (the line amount is used and the unit price derived from it), so the default
        ``price_col: UnitPrice`` does not have to be unset.
        """
        kwargs = {name: mapping[key] for name, key in _PARAMS_KEYS.items() if key in mapping}
        if kwargs.get("amount") is not None:
            kwargs["price"] = None
        return cls(**kwargs)

    def mapped(self) -> dict[str, str]:
        """Return ``{params key: column}`` for every mapped (non-None) column."""
        return {key: getattr(self, name) for name, key in _PARAMS_KEYS.items()
                if getattr(self, name) is not None}

    def check(self, df: pd.DataFrame) -> None:
        """Raise :class:`ColumnError` naming every mapped column that ``df`` lacks.

        The message names each params key and its column, and lists the available columns.
        """
        missing = {key: col for key, col in self.mapped().items() if col not in df.columns}
        if not missing:
            return
        named = ", ".join(f"{key}={col!r}" for key, col in missing.items())
        available = ", ".join(map(str, df.columns)) or "(none)"
        key, col = next(iter(missing.items()))
        raise ColumnError(f"mapped {'column' if len(missing) == 1 else 'columns'} not in the data: {named}",
                          f"set {', '.join(missing)} to one of the available columns: {available}",
                          key=key, column=col)
