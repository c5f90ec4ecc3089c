"""The errors that users see.

Every error segkit raises for bad input is a :class:`SegkitError`. Its message names the problem and
the fix, and (where it applies) the offending key, column or file, so the CLI can print it as one
readable line and a notebook's error cell shows the same text.

Examples
--------
>>> raise ColumnError("column 'CustomerId' is not in the data",
...                   fix="set customer_col to one of: CustomerID, Country", column="CustomerId")
Traceback (most recent call last):
...
segkit.errors.ColumnError: column 'CustomerId' is not in the data. Fix: set customer_col to one of: CustomerID, Country
"""

from __future__ import annotations

import reprlib
import stat

__all__ = [
    "SegkitError",
    "ParamsError",
    "DataFileError",
    "ColumnError",
    "DataValueError",
    "SegmentationError",
    "ModelError",
    "RunError",
    "DependencyError",
    "truncate",
    "describe_file_type",
]

#: Longest echo of a user's value in a message (the rest is cut and counted).
ECHO_LIMIT = 200


def truncate(value: object, limit: int = ECHO_LIMIT, *, quote: bool = True) -> str:
    """A user's value as shown in a message: its ``repr``, cut to about ``limit`` characters.

    Nested containers are shortened level by level (:mod:`reprlib`), so the cost stays small however
    big or deep ``value`` is; control characters such as a newline or NUL show escaped. With
    ``quote=False`` a string is cut as it is (for a message of a library that echoes user text).

    Examples
    --------
    >>> truncate("../x")
    "'../x'"
    >>> truncate("a" * 1000, 10, quote=False)
    'aaaaaaaaaa... (990 more characters)'
    """
    if quote or not isinstance(value, str):
        shortener = reprlib.Repr()
        shortener.maxstring = shortener.maxother = limit
        shortener.maxlist = shortener.maxtuple = shortener.maxdict = shortener.maxset = 10
        shortener.maxlevel = 3
        value = shortener.repr(value)
    if len(value) > limit:
        value = value[:limit] + f"... ({len(value) - limit} more characters)"
    return value


def describe_file_type(mode: int) -> str:
    """What a file of ``st_mode`` is, for a message: "a folder", "a named pipe (FIFO)", ..."""
    for test, words in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                        (stat.S_ISBLK, "a block device"), (stat.S_ISREG, "a regular file")):
        if test(mode):
            return words
    return "a special file"


class SegkitError(Exception):
    """Base class of every error a user can cause and fix.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence, naming the key, column or file.
    fix : str, optional
        What to do about it.
    key, column, path : str, optional
        The offending params key, data column or file, for programs that handle the error.
    """

    kind = "error"

    def __init__(self, problem: str, fix: str | None = None, *, key: str | None = None,
                 column: str | None = None, path: str | None = None):
        self.problem = problem.rstrip(".")
        self.fix = fix
        self.key = key
        self.column = column
        self.path = None if path is None else str(path)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.problem + "."
        if self.fix:
            text += " Fix: " + self.fix
        return text

    def __reduce__(self):  # keep pickling (multiprocessing) working with keyword-only fields
        return (_rebuild, (type(self), self.problem, self.fix, self.key, self.column, self.path))


def _rebuild(cls, problem, fix, key, column, path):
    return cls(problem, fix, key=key, column=column, path=path)


class ParamsError(SegkitError, ValueError):
    """A params file has an unknown key, a wrong type or an invalid value."""

    kind = "params"


class DataFileError(SegkitError, OSError):
    """An input file is missing, empty, unreadable, or in an unexpected format."""

    kind = "file"


class ColumnError(SegkitError, KeyError):
    """A mapped column is missing, or a column has the wrong type."""

    kind = "column"

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class DataValueError(SegkitError, ValueError):
    """Values in the data make the requested computation impossible or meaningless."""

    kind = "value"


class SegmentationError(SegkitError, ValueError):
    """The data cannot support the requested segmentation (k too large, empty segment, ...)."""

    kind = "segmentation"


class ModelError(SegkitError):
    """A saved model cannot be loaded or does not fit the data it is asked to score."""

    kind = "model"


class RunError(SegkitError):
    """A batch run cannot start or finish (existing run folder, failing notebook, ...)."""

    kind = "run"


class DependencyError(SegkitError):
    """An optional dependency that a command needs is not installed (the fix names the extra)."""

    kind = "dependency"
