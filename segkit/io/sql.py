"""Reading an input table from a database through SQLAlchemy (``sql_url`` + ``sql_query``).

The URL may carry a password: it is never part of a message, and ``${ENV}`` references are resolved only
here, at the moment of connecting.
"""

from __future__ import annotations

import pandas as pd

from ..config import resolve_env
from ..errors import DataFileError, ParamsError

__all__ = ["read_sql", "sql_columns"]


def read_sql(url: str, query: str) -> pd.DataFrame:
    """Run ``query`` on the database at ``url`` (any SQLAlchemy URL) and return the table."""
    import sqlalchemy as sa

    from ..config import resolve_env

    try:
        engine = sa.create_engine(resolve_env(url))
    except Exception as exc:
        raise ParamsError(f"sql_url is not a usable database URL ({type(exc).__name__})",
                          "write it as dialect://user:password@host/database", key="sql_url") from None
    try:
        with engine.connect() as conn:
            df = pd.read_sql_query(sa.text(query), conn)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:  # pandas 3 wraps the driver's error
        cause = exc.__cause__ if isinstance(exc, pd.errors.DatabaseError) and exc.__cause__ is not None else exc
        detail = (str(getattr(cause, "orig", cause)).splitlines() or [type(cause).__name__])[0]
        raise DataFileError(f"the SQL query failed: {detail}", "check sql_query and that the database is reachable",
                            key="sql_query") from None
    finally:
        engine.dispose()
    if df.empty:
        raise DataFileError("the SQL query returned no rows", "check sql_query", key="sql_query")
    df.attrs["read_notes"] = []
    return df


def sql_columns(url: str, query: str) -> list[str]:
    """Column names of ``query``'s result, read cheaply (``LIMIT 0``)."""
    import sqlalchemy as sa

    probe = f"SELECT * FROM ({query.rstrip().rstrip(';')}) AS segkit_probe LIMIT 0"
    engine = sa.create_engine(resolve_env(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(probe)).keys())
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DataFileError(f"the SQL query failed: {detail}", "check sql_query and sql_url", key="sql_query") from None
    finally:
        engine.dispose()
