"""Reading an input table from a database through SQLAlchemy (``sql_url`` + ``sql_query``).

The URL may carry a password: it is never part of a message, and ``${ENV}`` references are resolved only
here, at the moment of connecting. A malformed URL, a dialect SQLAlchemy does not know, a database driver
that is not installed and a SQLite file that does not exist are :class:`~segkit.errors.ParamsError` or
:class:`~segkit.errors.DataFileError` naming ``sql_url`` (SQLite would otherwise create an empty database
file where none was).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..config import resolve_env
from ..errors import DataFileError, ParamsError

__all__ = ["read_sql", "sql_columns"]


_FORM = "write it as dialect+driver://user:password@host/database, e.g. postgresql+psycopg2://me:${PW}@db/sales"


def _engine(url: str):
    """A SQLAlchemy engine for ``url``; every failure is a segkit error that never shows the URL."""
    import sqlalchemy as sa

    resolved = resolve_env(url)
    try:
        parsed = sa.engine.make_url(resolved)
    except Exception:  # ArgumentError (malformed), ValueError (a port that is not a number), ...
        raise ParamsError("sql_url is not a valid database URL", _FORM, key="sql_url") from None
    dialect = parsed.drivername if re.fullmatch(r"[A-Za-z0-9_+]{1,40}", parsed.drivername or "") else "?"
    database = parsed.database
    if dialect.startswith("sqlite") and database and database != ":memory:" and not database.startswith("file:") \
            and not Path(database).is_file():
        raise DataFileError(f"the SQLite database file {database} in sql_url does not exist",
                            "point sql_url to an existing .db file (sqlite:////absolute/path.db)", key="sql_url",
                            path=database)
    try:
        return sa.create_engine(parsed)
    except sa.exc.NoSuchModuleError:
        raise ParamsError(f"sql_url names the database dialect {dialect!r}, which SQLAlchemy does not know", _FORM,
                          key="sql_url") from None
    except ImportError as exc:  # the dialect is known but its driver package is not installed
        module = exc.name if re.fullmatch(r"[A-Za-z0-9_.]{1,60}", exc.name or "") else "its driver"
        raise ParamsError(f"the database driver for sql_url ({dialect}) is not installed: no module {module}",
                          f"install the driver (e.g. pip install {module.split('.')[0]}), or choose another "
                          "driver in sql_url", key="sql_url") from None
    except Exception as exc:
        raise ParamsError(f"sql_url is not a usable database URL ({type(exc).__name__})", _FORM,
                          key="sql_url") from None


def read_sql(url: str, query: str) -> pd.DataFrame:
    """Run ``query`` on the database at ``url`` (any SQLAlchemy URL) and return the table."""
    import sqlalchemy as sa

    engine = _engine(url)
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
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(probe)).keys())
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DataFileError(f"the SQL query failed: {detail}", "check sql_query and sql_url", key="sql_query") from None
    finally:
        engine.dispose()
