"""Excel workbooks as tables: the workbook opened once per process, each sheet read from its header row (a report's
title and blank rows above the header skipped), and the sheets of one table put together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataFileError
from .dialect import cell_texts, header_at, title_note

__all__ = ["read_sheets", "sheet_columns"]

#: The last workbook opened and its sheets' header rows: a header and its rows are read from one opening.
_BOOK: dict[str, Any] = {}


def _workbook(path: Path) -> pd.ExcelFile:
    """The workbook at ``path``, opened once per process while the file is unchanged."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if _BOOK.get("key") != key:
        try:
            book = pd.ExcelFile(path)
        except Exception as exc:  # openpyxl raises several types for corrupt files
            raise DataFileError(f"{path} could not be opened as an Excel workbook ({exc})",
                                "save it again as .xlsx, or export it as CSV", path=path) from None
        _BOOK.clear()
        _BOOK.update(key=key, book=book, header_rows={})
    return _BOOK["book"]


def _header_row(book: pd.ExcelFile, name) -> int:
    """The row of a sheet's header (:func:`~segkit.io.dialect.header_at` over its first 30 rows), so that a report's
    title and blank rows above the table are not read as its header; found once per opening of the workbook (its
    columns, the sheets' comparison and its rows all start there)."""
    rows = _BOOK["header_rows"] if _BOOK.get("book") is book else {}
    if name not in rows:
        top = pd.read_excel(book, sheet_name=name, header=None, nrows=30)
        rows[name] = header_at([cell_texts(row) for row in top.itertuples(index=False)])
    return rows[name]


def _sheet(book: pd.ExcelFile, name, **read) -> tuple[pd.DataFrame, int]:
    """A sheet read from its header row (:func:`_header_row`), and that row."""
    row = _header_row(book, name)
    return pd.read_excel(book, sheet_name=name, header=row, **read), row


def _sheets(path: Path, sheet: str | int | None) -> tuple[pd.ExcelFile, list]:
    """The workbook and the sheets to read: ``sheet``, its only sheet, or every sheet when they share one header."""
    book = _workbook(path)
    names = book.sheet_names
    if sheet is None:
        if len(names) > 1 and len({tuple(map(str, _sheet(book, n, nrows=0)[0].columns)) for n in names}) > 1:
            raise DataFileError(f"{path} has {len(names)} sheets ({', '.join(names)}) and data_sheet is not set (their "
                                "columns differ, so they are not one table)", f"set data_sheet to one of: "
                                f"{', '.join(names)}", key="data_sheet", path=path)
        return book, list(names)
    if isinstance(sheet, str) and sheet not in names:
        raise DataFileError(f"{path} has no sheet {sheet!r}", f"set data_sheet to one of: {', '.join(names)}",
                            key="data_sheet", path=path)
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise DataFileError(f"{path} has no sheet number {sheet} (it has {len(names)})",
                            f"set data_sheet to 0..{len(names) - 1} or a name: {', '.join(names)}",
                            key="data_sheet", path=path)
    return book, [sheet]


def read_sheets(path: Path, sheet: str | int | None) -> tuple[list[pd.DataFrame], list[str], list]:
    """The chosen sheet, or every sheet when they share one header (``data_sheet`` unset), each read from its header
    row: (the tables, notes on rows skipped above a header, the sheets read)."""
    book, sheets = _sheets(path, sheet)
    frames, notes = [], []
    for name in sheets:
        try:
            frame, row = _sheet(book, name)
        except Exception as exc:  # damaged cells or XML inside the workbook
            raise DataFileError(f"sheet {name!r} of {path} could not be read ({exc})",
                                "save the workbook again, or export the sheet as CSV", path=path) from None
        frame.columns = [str(c) for c in frame.columns]
        frames.append(frame)
        if row:
            notes.append(title_note(f"{path.name}: sheet {name!r}", row, "row"))
    return frames, notes, sheets


def sheet_columns(path: Path, sheet: str | int | None) -> list[str]:
    """The column names of the (first) sheet :func:`read_sheets` reads."""
    book, sheets = _sheets(path, sheet)
    return [str(c) for c in _sheet(book, sheets[0], nrows=0)[0].columns]
