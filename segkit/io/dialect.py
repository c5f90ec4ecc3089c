"""Text files: their encoding, their delimiter (whitespace-aligned columns included) and their header line.

Each is detected from the file and can be set in the params (``encoding``, ``sep``, ``header`` with
``column_names``). What was detected, and how to override it, is said in a plain-language note. Files that
are not text (a workbook under a ``.csv`` name, NUL bytes only) are refused with a message that says what
they are.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import DataFileError

__all__ = ["decode", "sniff_delimiter", "whitespace_pattern", "split_line", "first_line", "delimiter_name",
           "refuse_binary", "looks_like_data", "likely_delimiter", "sample_lines", "WHITESPACE"]

SNIFF_BYTES = 64 * 1024
#: The ``sep`` of a whitespace-aligned file: columns separated by runs of spaces (or tabs).
WHITESPACE = "whitespace"
_DELIMITERS = ",;\t|"
_TITLE_MAX = 30  # lines above a header that may be a title

_MAGIC = {b"PK\x03\x04": "a zip archive (an .xlsx workbook?)", b"PAR1": "a Parquet file",
          b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Office file", b"%PDF": "a PDF document",
          b"\x1f\x8b": "a gzip archive"}


def refuse_binary(raw: bytes, path: Path) -> None:
    """A CSV name on a binary file (a workbook, an archive, NUL bytes only) is a clear user error: say what it is."""
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise DataFileError(f"{path} is {what}, not a CSV text file",
                                "give the file its real extension (.xlsx, .parquet, ...) or export it as CSV",
                                key="data_path", path=path)
    if raw.count(0) > 0.9 * len(raw):
        raise DataFileError(f"{path} is filled with NUL bytes (zeros), not text: it is not a table (an interrupted "
                            "copy or download?)", "copy or export the file again", key="data_path", path=path)


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when every other byte of the start is NUL (ASCII text in UTF-16)."""
    head = raw[:4096]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode bytes: with ``encoding`` when given, else UTF-8 (with or without BOM), UTF-16 with or without
    a BOM, or the detected encoding. Returns (text, encoding, notes)."""
    if encoding is not None:
        try:
            return raw.decode(encoding).lstrip("\ufeff"), encoding, [f"{path.name} was read as {encoding} (params)"]
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{path} is not {encoding} text (byte {raw[exc.start]:#04x} at position {exc.start})",
                                "check encoding in the params, or leave it out to have it detected", key="encoding",
                                path=path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").lstrip("\ufeff"), "utf-16", [f"{path.name} is UTF-16 text"]
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{path} starts with a UTF-16 byte-order mark but is not UTF-16 text ({exc.reason} "
                                f"at byte {exc.start})", "export the file again (as UTF-8 CSV, if you can)",
                                key="encoding", path=path) from None
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        try:
            return raw.decode(utf16), utf16, [f"{path.name} looks like {utf16.upper()} text without a byte-order mark, "
                                              "and was read so: if the column names look garbled, set encoding"]
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    return _detected(raw, path)


#: Latin code pages a detector may take a cp1252 sample for (cp1252 is tried first when it names one of them).
_LATIN = {"latin_1", "iso8859_1", "iso_8859_1", "cp1250", "cp1257", "iso8859_15", "iso8859_2", "iso8859_3", "iso8859_4",
          "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland",
          "mac_turkish", "cp1254", "cp1258", "cp437", "cp850", "cp858"}


def _detected(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 4 * SNIFF_BYTES]).best()
    encoding = best.encoding if best is not None else "cp1252"
    # Western exports are nearly always cp1252/latin-1; prefer cp1252, which is a superset for £ and €, over the
    # other Latin code pages a small sample cannot tell from it (Málaga read as Mįlaga in cp1257; a French till's
    # "N° client" as "Nį client" in mac_latin2, which the detector chose for 64 KB of it and cp1252 for 256 KB)
    candidates = [encoding]
    if encoding.lower().replace("-", "_") in _LATIN:
        candidates = ["cp1252", encoding]
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text:  # NUL characters: binary data, or a wrong guess of a UTF-16/32 text
            break
        return text, candidate, [f"{path.name} is not UTF-8; it was read as {candidate}"]
    raise DataFileError(f"{path} is not UTF-8 text and its encoding could not be detected"
                        + (" (it holds NUL bytes: is it a binary file, or UTF-16 text?)" if b"\x00" in raw else ""),
                        "re-export the file as UTF-8 CSV, or set encoding in the params (utf-16, cp1252, ...)",
                        key="encoding", path=path)


def first_line(text: str) -> str:
    """The header line: the first line that is not blank (pandas skips leading blank lines too)."""
    return next((line for line in text.splitlines() if line.strip()), "")


def sample_lines(sample: str, n: int = 50) -> list[str]:
    lines = [line for line in sample[:SNIFF_BYTES].splitlines() if line.strip()]
    cut = len(sample) > SNIFF_BYTES  # the last line of a cut sample may be cut short
    return lines[: min(n, max(len(lines) - cut, 1))]


def whitespace_pattern(lines: list[str]) -> str | None:
    """The split pattern of whitespace-aligned lines: runs of spaces (``\\s+``) when every line splits into the same
    number (at least 2) of fields, else runs of two or more (``\\s{2,}``: values with single spaces inside), else
    None."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None
    for pattern in (r"\s+", r"\s{2,}|\t"):
        widths = {len(re.split(pattern, line)) for line in lines}
        if len(widths) == 1 and widths.pop() >= 2:
            return pattern
    return None


def _steady(lines: list[str]) -> list[str]:
    """The delimiters that split every line of ``lines`` into the same number of fields (counted outside quotes:
    "May 3, 2020" is one field), the first line at least in two."""
    return [d for d in _DELIMITERS if lines[0].count(d) and len({len(split_line(line, d)) for line in lines}) == 1]


def _below_title(lines: list[str]) -> list[str] | None:
    """The lines from the header down, when one delimiter splits them alike and every line above them is a title:
    no more than two fields under any delimiter (one comma in "Report of branch Köln, 05.03.2024"), and a single
    field under the one of the table; else None."""
    for i in range(1, min(len(lines) - 2, _TITLE_MAX)):
        if max(len(split_line(lines[i - 1], d)) for d in _DELIMITERS) > 2:
            return None  # a header or a row of data, not a title
        found = _steady(lines[i:])
        if found and all(len(cell_texts(split_line(line, found[0]))) <= 1 for line in lines[:i]):
            return lines[i:]
    return None


def sniff_delimiter(sample: str, sep: str | None = None) -> str:
    """The delimiter of a text sample: ``sep`` when given, else comma, semicolon, tab or pipe as detected, or
    :data:`WHITESPACE` for whitespace-aligned columns."""
    if sep is not None:
        return sep
    lines = sample_lines(sample)
    steady = _steady(lines)
    if not steady and whitespace_pattern(lines) is not None:  # no usual delimiter splits every line alike
        return WHITESPACE
    if not steady:  # a title above the header may hold a comma ("Report of branch Köln, 05.03.2024")
        below = _below_title(lines)
        lines, steady = (below, _steady(below)) if below else (lines, steady)
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = first_line(sample)
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def cell_texts(cells) -> list[str]:
    """The filled cells of a row as text (empty and missing cells left out)."""
    return [str(c).strip() for c in cells if not (c is None or c != c) and str(c).strip()]


def header_at(rows: list[list[str]]) -> int:
    """The index of a table's header among its first rows (each row its filled cells as text): the first row with at
    least half as many cells as the fullest (and 2) and not a row of numbers or dates, when every row above it is a
    title or blank (at most one cell, not a number or a date); else 0 (no guess: a short row of data is no title).

    >>> header_at([["Customer report Q1 2024"], [], ["id", "age", "city"], ["C1", "40", "Rome"]])
    2
    >>> header_at([["1001"], ["1002", "3", "4"], ["1003", "4", "5"]]), header_at([["id", "age"], ["C1", "40"]])
    (0, 0)
    """
    need = max(2, (max(map(len, rows), default=0) + 1) // 2)
    for row, cells in enumerate(rows):
        if len(cells) >= need:
            return row if row and not looks_like_data(cells) else 0
        if len(cells) > 1 or looks_like_data(cells):  # a row of data, not a title
            return 0
    return 0


def title_lines(text: str, delimiter: str) -> int:
    """The lines above the header of a delimited text (:func:`header_at` over its first 30 lines): a title and blank
    lines, as a spreadsheet exports a report. 0 for whitespace-aligned columns."""
    if delimiter == WHITESPACE:
        return 0
    lines = text[:SNIFF_BYTES].splitlines()[:_TITLE_MAX]
    return header_at([cell_texts(split_line(line, delimiter)) for line in lines])


def title_note(where: str, skipped: int, unit: str) -> str:
    """The reading note on the ``skipped`` lines (``unit``: "line", or "row" of a sheet) above a header."""
    return (f"{where} has its header on {unit} {skipped + 1}; the {skipped} {unit if skipped == 1 else unit + 's'} "
            f"above it (a title, blank {unit}s) {'was' if skipped == 1 else 'were'} skipped")


def long_line(text: str, path: Path, width: int, number: int, fields: int) -> DataFileError:
    """The error for line ``number`` of a text, with ``fields`` fields where the rows have ``width``: the line is
    quoted; a last line may be a summary below the table ("Rows: 2,345")."""
    lines = text.splitlines()
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    last = number == max((i + 1 for i, x in enumerate(lines) if x.strip()), default=0)
    fix = "quote the value that holds the delimiter (\"Smith, J\"), or check the delimiter"
    return DataFileError(f"{path} line {number:,}{', the last line,' if last else ''} has {fields} fields where the "
                         f"rows have {width}: {line[:80]!r}",
                         f"remove that line if it is a summary below the table; otherwise {fix}" if last else fix,
                         path=path)


def split_line(line: str, delimiter: str, pattern: str | None = None) -> list[str]:
    """The fields of one line (a header) split on ``delimiter`` (on ``pattern`` for :data:`WHITESPACE`)."""
    if delimiter == WHITESPACE:
        return re.split(pattern or r"\s+", line.strip())
    return next(csv.reader([line], delimiter=delimiter), [])


_DATA_FIELD = re.compile(r"[+\-]?[\d.,]*\d[\d.,]*%?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T][\d:.]+)?")


def looks_like_data(fields: list[str]) -> bool:
    """True when every field of a first line is a number or a date (or empty): a line of data, not of names."""
    filled = [f.strip().strip('"') for f in fields if f.strip().strip('"')]
    return bool(filled) and all(_DATA_FIELD.fullmatch(f) for f in filled)


def likely_delimiter(header: str) -> str | None:
    """The punctuation character that splits ``header`` most often (to name an unsupported delimiter)."""
    counts = {ch: header.count(ch) for ch in set(header) if not ch.isalnum() and ch not in " _-.'\"()[]$%/&"}
    return max(sorted(counts), key=counts.get) if counts else None


def delimiter_name(d: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", WHITESPACE: "runs of spaces"}.get(d, repr(d))
