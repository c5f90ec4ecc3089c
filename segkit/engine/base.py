"""What a data kind's SQL needs of an engine: one interface, implemented once per engine module.

The kinds write their rules once, as SQL text that DuckDB and Spark SQL both read (``CAST(x AS STRING)``,
``count(*) FILTER (WHERE ...)``, ``left(x, n) = 'C'``, ``GROUP BY ALL``, ``try_cast``). Where the two dialects
differ, the difference is a named method here, and each engine module implements it:

==================  ==================================  ==============================================
method              DuckDB                              Spark SQL
==================  ==================================  ==============================================
``quote``           ``"Unit Price"``                    ```Unit Price```
``literal``         ``'it''s'`` (no backslash escapes)  ``'it\\'s'`` (backslashes escaped)
``day_number``      ``CAST(x AS DATE) - DATE '1970-..'``  ``unix_date(CAST(x AS DATE))``
``parse_timestamp`` ``try_strptime(x, '%d/%m/%Y')``     ``try_to_timestamp(x, 'dd/MM/yyyy')``
``seeded_hash``     ``hash(x, 42)``                     ``xxhash64(x, 42)``
==================  ==================================  ==============================================

``TIMESTAMP`` means a date and time without a time zone in both (Spark's session sets
``spark.sql.timestampType=TIMESTAMP_NTZ``). The operations (run a query, fetch rows or a pandas table,
materialise a table, write Parquet) are methods too, so the kind's code never names an engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import pandas as pd

__all__ = ["SQLEngine"]


class SQLEngine(ABC):
    """An open engine connection as the kinds' SQL sees it (:class:`segkit.engine.duckdb.DuckDBEngine`,
    :class:`segkit.engine.spark.SparkEngine`). Type names returned by :meth:`types` are DuckDB's (``BIGINT``,
    ``DOUBLE``, ``VARCHAR``, ``TIMESTAMP``, ``DECIMAL(10,2)``), whatever the engine."""

    #: The engine's name, as the ``engine`` param writes it.
    name: str = ""

    # --- the dialect: the only places where the SQL texts differ -----------------------------------------
    @abstractmethod
    def quote(self, name: str) -> str:
        """A column name as an identifier."""

    @abstractmethod
    def literal(self, value: str) -> str:
        """A text value as a string literal."""

    @abstractmethod
    def day_number(self, expr: str) -> str:
        """SQL of the day of a date or timestamp as an integer: days since 1970-01-01."""

    @abstractmethod
    def parse_timestamp(self, text: str, date_format: str | None) -> str:
        """SQL reading the text ``text`` as a TIMESTAMP with a ``strptime`` format, or without one as the engine
        reads ISO text, at the local time written (an offset dropped); NULL where it does not fit."""

    @abstractmethod
    def seeded_hash(self, expr: str, seed: int) -> str:
        """SQL of a 64-bit hash of ``expr`` and ``seed``: ordering by it draws a seeded sample that does not depend
        on the number of threads or executors."""

    # --- operations ---------------------------------------------------------------------------------------
    @abstractmethod
    def types(self, source: str) -> dict[str, str]:
        """Column name -> type (DuckDB's names) of a relation."""

    @abstractmethod
    def rows(self, sql: str, what: str = "reading the input") -> list[tuple]:
        """The rows of a query; the engine's errors become segkit errors naming ``what`` was being done."""

    @abstractmethod
    def frame(self, sql: str, what: str = "reading the input") -> pd.DataFrame:
        """The result of a query as a pandas DataFrame."""

    @abstractmethod
    def table(self, name: str, sql: str, what: str = "reading the input") -> None:
        """Materialise a query as the table ``name`` (computed once, read by several queries)."""

    @abstractmethod
    def view(self, name: str, sql: str, what: str = "reading the input") -> None:
        """Name a query ``name`` (computed where it is read)."""

    @abstractmethod
    def write_parquet(self, sql: str, path: str | Path, names: dict[str, str] | None = None) -> Path:
        """Write the result of ``sql`` to the one Parquet file ``path``, with the columns in ``names`` renamed
        (engines whose names ignore case cannot hold ``Quantity`` beside ``quantity`` until the file is written)."""

    def one(self, sql: str, what: str = "reading the input") -> tuple:
        """The first row of a query."""
        return self.rows(sql, what)[0]
