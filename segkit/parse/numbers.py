"""Numbers and ids (the rules are in :mod:`segkit.parse`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ColumnError
from ._common import _NBSP, NA_TOKENS, _Reading, _examples, _series, _text

__all__ = ["NumberReading", "read_numbers", "read_ids", "monies", "same_currency", "currency_codes", "unread_text",
           "numbers_share", "AMBIGUOUS", "CURRENCY_SIGNS", "CURRENCY_CODES"]


@dataclass(frozen=True, eq=False)
class NumberReading(_Reading):
    """How a column was read as numbers: ``values`` (float64, the input's index, NaN where missing,
    unparsed or infinite), and what could not be read.

    Attributes
    ----------
    n_missing, n_unparsed, n_infinite : int
        Missing in the input (NA tokens included), not numbers (``unparsed_examples``), infinite.
    notes : tuple of str
        What was done to read the values (decimal comma, currency removed, percent, ...).
    unit, decimal : str
        ``"%"``, the one currency found, or ``""``; and the decimal mark used for the column.
    currencies : tuple of str
        The currencies found, each as its first notation (more than one: the amounts are in several currencies);
        a sign and a code it may stand for ("$" and "USD") are one (:func:`monies`).
    mixed_scales : tuple of int
        (values written as percents, values without a sign all between 0 and 1) when a column seems to mix percents
        (12%) and shares (0.12); empty otherwise.
    """

    n_infinite: int = 0
    notes: tuple[str, ...] = ()
    unit: str = ""
    decimal: str = "."
    currencies: tuple[str, ...] = ()
    mixed_scales: tuple[int, ...] = ()
    _what, _error, _fix = "numbers", ColumnError, "point {key} at a numeric column, or fix those values"


_CURRENCY = (r"US\$|[CA]\$|R\$|[£$€¥₹₩₽₺]|(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF|ZAR|"
             r"BRL|MXN|HKD|SGD|KRW)(?![A-Za-z])")
# s3, s4: a trailing minus, as SAP writes 1.234,56- (after a trailing currency, 3,50 €-, or right after the number,
# 3,50- €: "12 - EUR" is no negative number)
_NUMBER = re.compile(
    rf"(?P<open>\()?\s*(?P<s1>[+\-−])?\s*(?P<c1>{_CURRENCY})?\s*(?P<s2>[+\-−])?\s*"
    rf"(?P<core>inf(?:inity)?|[\d.,'’ ]*\d[\d.,'’ ]*(?:[eE][+-]?\d+)?)\s*(?P<pct>%)?"
    rf"(?:(?<=[\d%])(?P<s4>[\-−])|(?<=\d)(?P<top>\+))?\s*(?P<c2>{_CURRENCY})?\s*(?P<s3>[\-−])?\s*(?P<close>\))?",
    re.IGNORECASE)
#: What census tables write for a value they do not give: not applicable, not available, too few samples (the margins
#: of error's codes). Missing with ``census``, beside :data:`~segkit.parse.NA_TOKENS`.
CENSUS_NA = frozenset({"(x)", "n", "**", "***", "*****"})
_DIGIT = re.compile(r"\d")
_PLAIN = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*", re.ASCII)  #: as pandas reads it, 12, -1.5, 2e3
#: 1,234 or 1.234: thousands, or three decimals; either decimal mark.
AMBIGUOUS = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
#: The codes a currency sign may stand for (a code stands for itself).
_SIGN_CODES = {"$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"}, "US$": {"USD"}, "C$": {"CAD"}, "A$": {"AUD"},
               "R$": {"BRL"}, "£": {"GBP"}, "€": {"EUR"}, "¥": {"JPY", "CNY"}, "₹": {"INR"}, "₩": {"KRW"},
               "₽": {"RUB"}, "₺": {"TRY"}}
#: Every currency sign the reader knows (a report writes them before the number; a code such as CHF after it).
CURRENCY_SIGNS = frozenset(_SIGN_CODES)
#: The currency codes the reader knows, as :data:`_CURRENCY` writes them.
CURRENCY_CODES = frozenset(re.findall(r"[A-Z]{3}", _CURRENCY.split("(?:", 1)[1]))


def monies(found) -> list[str]:
    """The currencies among the signs and codes ``found`` in one column, each as the first notation found: a sign and
    a code it may stand for are one currency, two codes (or two signs) that cannot stand for one are two.

    >>> monies(["$", "USD"]), monies(["$", "US$", "€"]), monies(["$", "USD", "CAD"])
    (['$'], ['$', '€'], ['$', 'CAD'])
    """
    groups: list[tuple[str, set[str]]] = []
    for notation in found:
        codes = _SIGN_CODES.get(notation, {notation})
        i = next((i for i, (_, known) in enumerate(groups) if known & codes), None)
        if i is None:
            groups.append((notation, set(codes)))
        else:
            groups[i] = (groups[i][0], groups[i][1] & codes)
    return [first for first, _ in groups]


#: Names of a column that says each line's currency ("Currency", "currency_code", "CCY"), and the values that are one.
_CURRENCY_COLUMN = re.compile(r"(?i)(?:currency|currency[_ ]?code|ccy|cur)")
_CURRENCY_SIGN = re.compile(_CURRENCY, re.IGNORECASE)


def currency_codes(df: pd.DataFrame, *, known: bool = True) -> dict[str, list[str]]:
    """The currencies each currency column of ``df`` names (a column named ``currency``, ``ccy``...), in upper
    case: with ``known``, signs and ISO codes only, so that "840", "US DOLLAR" or "unknown" never show as money's
    sign; without it, every value (two of them still mean two currencies).

    >>> frame = pd.DataFrame({"amount": [1, 2, 3], "Currency": ["usd", "EUR ", None], "ccy": ["840", "978", "840"]})
    >>> currency_codes(frame), currency_codes(frame, known=False)["ccy"]
    ({'Currency': ['EUR', 'USD'], 'ccy': []}, ['840', '978'])
    """
    return {str(c): sorted(v for v in df[c].dropna().astype(str).str.strip().str.upper().unique()
                           if not known or _CURRENCY_SIGN.fullmatch(v))
            for c in df.columns if _CURRENCY_COLUMN.fullmatch(str(c))}


def same_currency(a: str, b: str) -> bool:
    """Whether two notations can stand for one currency (:func:`monies`): "$" and "USD" can, "€" and "£" cannot.

    >>> same_currency("$", "USD"), same_currency("€", "£"), same_currency("ETB", "ETB")
    (True, False, True)
    """
    return len(monies([a, b])) == 1


def _mark(core: str) -> str:
    """The decimal mark one number points to: ``,`` or ``.``, ``?,`` or ``?.`` (either), ``""`` (none)."""
    m = re.sub(r"[eE][+-]?\d+$", "", core)
    c, d = m.count(","), m.count(".")
    if c and d:
        return "," if m.rfind(",") > m.rfind(".") else "."
    sep, n = ("," if c else "."), c or d
    return "" if not n else ("." if sep == "," else ",") if n > 1 else ("?" + sep if AMBIGUOUS.fullmatch(m) else sep)


def _text_numbers(uniq: np.ndarray, weights: np.ndarray, decimal, thousands, census: bool = False) -> tuple:
    """Numbers for the distinct texts ``uniq`` (NaN where unparsed), the notes, the unit, the decimal mark; with
    ``census``, ``2,500-`` is a bottom code (2,500 or less), not a trailing minus."""
    parts = [_NUMBER.fullmatch(u.translate(_NBSP)) for u in uniq]
    votes = {",": 0, ".": 0, "?,": 0, "?.": 0, "": 0}
    for m, w in zip(parts, weights):
        if m is not None and not m["core"].lower().startswith("inf"):
            votes[_mark(m["core"])] += int(w)
    dec = decimal or {".": ",", ",": "."}.get(thousands) or ("," if votes[","] > votes["."] else ".")
    notes = [text for text, n in [
        (f"decimal comma detected ({_counted(votes[','])})", decimal is None and dec == "," and votes[","]),
        (f"both decimal marks appear ({_counted(votes['.'])} with '.', {votes[',']:,} with ','): read with "
         f"{dec!r}; the others are unparsed", votes[","] and votes["."]),
        (f"{_counted(votes['?,'])} like '1,234' read with ',' as thousands separator (set decimal: ',' if it is "
         "a decimal comma)", dec == "." and votes["?,"])] if n]
    tchars = (thousands or ",. '’").replace(dec, "")
    t = re.escape(thousands) if thousands else "[" + re.escape(tchars) + "]"
    d, e = re.escape(dec), r"(?:[eE][+-]?\d+)?"
    strict = re.compile(rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}\d*)?{e}|{d}\d+{e}")
    out, seen = np.full(len(uniq), np.nan), {"cur": {}, "pct": 0, "paren": 0, "trailing": 0, "thousands": 0,
                                             "top": 0, "bottom": 0}
    is_pct = np.zeros(len(uniq), dtype=bool)
    for i, (m, w) in enumerate(zip(parts, weights)):
        signs = bool(m["s3"]) + bool(m["s4"]) + bool(m["open"] or m["s1"] or m["s2"]) if m else 0
        if m is None or bool(m["open"]) != bool(m["close"]) or (bool(m["c1"]) + bool(m["c2"]) + bool(m["pct"]) > 1) \
                or signs > 1:  # two signs: not a number
            continue
        core = m["core"].strip()
        if core.lower().startswith("inf"):
            value = np.inf
        elif strict.fullmatch(core):
            plain = "".join(c for c in core if c not in tchars)
            seen["thousands"] += int(w) * (plain != core)
            value = float(plain.replace(dec, "."))
        else:
            continue
        bottom = census and bool(m["s4"]) and not (m["c1"] or m["c2"] or m["pct"])  # a census bottom code: 2,500-
        trailing = bool(m["s3"] or m["s4"]) and not bottom
        out[i] = -value if m["open"] or trailing or {m["s1"], m["s2"]} & {"-", "−"} else value
        seen["top"] += int(w) * bool(m["top"])
        seen["bottom"] += int(w) * bottom
        for code, found in (("top", m["top"]), ("bottom", bottom)):  # the note quotes one the column holds
            if found:
                seen.setdefault(f"{code}_example", str(uniq[i]).strip())
        cur = (m["c1"] or m["c2"] or "").upper()
        seen["cur"][cur] = seen["cur"].get(cur, 0) + int(w)
        seen["pct"] += int(w) * bool(m["pct"])
        is_pct[i] = bool(m["pct"])
        seen["paren"] += int(w) * bool(m["open"])
        seen["trailing"] += int(w) * trailing
    plain = ~is_pct & ~np.isnan(out)
    shares = np.abs(out[plain])  # 0 and 1 read alike on either scale: a share needs one value strictly between
    scales = ((seen["pct"], int(weights[plain].sum())) if seen["pct"] and plain.any() and (shares <= 1).all()
              and ((shares > 0) & (shares < 1)).any() and (np.abs(out[is_pct]) > 1).any() else ())
    currencies = monies([c for c in seen["cur"] if c])
    unit = "%" if seen["pct"] else currencies[0] if len(currencies) == 1 else ""
    return out, notes + _notes(seen, currencies, scales), unit, dec, tuple(currencies), scales


def _notes(seen: dict, currencies: list[str], scales: tuple) -> list[str]:
    """What reading a column's numbers took (:func:`_text_numbers`' counts ``seen``), in words."""
    def coded(n: int, example: str, what: str) -> str:
        return (f"{_counted(n)} such as {example} (a {what}) read as {'its' if n == 1 else 'their'} number")

    return [f"currency {c} removed ({_counted(n)})" for c, n in seen["cur"].items() if c] + [
        text for text, n in [
        ("several currencies in one column: amounts are not converted", len(currencies) > 1),
        (f"percent sign removed from {_counted(seen['pct'])}; kept in percent (12% reads 12)", seen["pct"]),
        (f"{_counted(seen['paren'])} in parentheses read as negative", seen["paren"]),
        (f"{_counted(seen['trailing'])} with a trailing minus (12,50-) read as negative", seen["trailing"]),
        (f"thousands separators removed from {_counted(seen['thousands'])}", seen["thousands"]),
        (coded(seen["top"], seen.get("top_example", "250,000+"), "top code: that much or more"), seen["top"]),
        (coded(seen["bottom"], seen.get("bottom_example", "2,500-"), "bottom code: that much or less"),
         seen["bottom"]),
        (_mixed_note(*scales) if scales else "", scales)] if n]


def _counted(n: int) -> str:
    """ "1 value", "2,500 values" (``naming.words.counted`` for this one word: parse is a leaf and imports no
    naming)."""
    return "1 value" if n == 1 else f"{n:,} values"


def _mixed_note(percents: int, plain: int) -> str:
    """The note on a column that may mix shares (0.12) and percents (12%)."""
    return (f"{_counted(plain)} without a percent sign {'lies' if plain == 1 else 'all lie'} between 0 and 1 beside "
            f"{percents:,} with one: shares (0.12) and percents (12%) may be mixed")


def read_numbers(values, *, column: str = "", decimal: str | None = None,
                 thousands: str | None = None, census: bool = False) -> NumberReading:
    """Read a column as float64 numbers.

    Parameters
    ----------
    values : Series, list or array
        Numbers, or numbers written as text.
    column : str, optional
        The column's name, for messages (default: the Series name).
    decimal : {".", ","}, optional
        Default: decided from the whole column; ``1,234`` alone reads as a thousands separator.
    thousands : str, optional
        The only thousands separator accepted (default: any of ``, . ' ’`` or space but the decimal).
    census : bool
        Read a census table's codes: ``2,500-`` is a bottom code (2,500 or less), not -2,500; ``(X)``, ``N``,
        ``**``, ``***`` and ``*****`` are missing (:data:`CENSUS_NA`). Top codes (``250,000+``) read as their number
        either way.

    Returns
    -------
    NumberReading

    Examples
    --------
    >>> r = read_numbers(["101,5", "1.234,5", "n/a", "abc"])
    >>> r.values.tolist(), r.n_missing, r.unparsed_examples, r.notes[0]
    ([101.5, 1234.5, nan, nan], 1, ('abc',), 'decimal comma detected (2 values)')
    """
    raw = _series(values)
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    notes, unit, dec, missing, currencies, scales = [], "", decimal or ".", raw.isna().to_numpy(), (), ()
    if pd.api.types.is_bool_dtype(raw) or kind == "boolean":
        out, notes = pd.Series(np.nan, index=raw.index), ["true/false values are not numbers"]
    elif pd.api.types.is_numeric_dtype(raw) or kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        out = pd.to_numeric(raw, errors="coerce")
    else:
        text, missing = _text(raw)
        if census:
            coded = text.str.lower().isin(list(CENSUS_NA)).to_numpy(dtype=bool)
            text, missing = text.mask(coded), np.asarray(missing, bool) | coded
        out = pd.to_numeric(text, errors="coerce") if decimal is None and thousands is None else None
        if out is None or (out.isna() & ~missing).any():
            codes, uniq = pd.factorize(text)
            weights = np.bincount(codes[codes >= 0], minlength=len(uniq))
            nums, notes, unit, dec, currencies, scales = _text_numbers(np.asarray(uniq, dtype=object), weights,
                                                                       decimal, thousands, census)
            out = pd.Series(np.where(codes >= 0, nums[np.maximum(codes, 0)], np.nan), index=raw.index)
    values, missing = out.to_numpy(dtype="float64", na_value=np.nan, copy=True), np.asarray(missing, bool)
    infinite = np.isinf(values)
    values[infinite] = np.nan
    notes += [f"{int(infinite.sum()):,} infinite values set to missing"] if infinite.any() else []
    unparsed = ~missing & np.isnan(values) & ~infinite
    return NumberReading(pd.Series(values, index=raw.index, name=raw.name), int(missing.sum()), int(unparsed.sum()),
                         _examples(raw, unparsed), column or ("" if raw.name is None else str(raw.name)),
                         n_infinite=int(infinite.sum()), notes=tuple(notes), unit=unit, decimal=dec,
                         currencies=currencies, mixed_scales=scales)


def unread_text(value: Any, *, census: bool = False) -> bool:
    """Whether one value is text that :func:`read_numbers` reads neither as a number nor as missing (a label such
    as "Estimate!!Total"), quickly for a plain number (``-1.5``) and for text without a digit (no number lacks one but
    infinity).

    >>> [unread_text(v) for v in ["Estimate!!Total", "1,234", " n/a ", "(X)", 12, "25 to 34 years"]]
    [True, False, False, True, False, True]
    >>> unread_text("(X)", census=True)
    False
    """
    if not isinstance(value, str) or _PLAIN.fullmatch(value):
        return False
    if _DIGIT.search(value) is None and "inf" not in value.lower():
        text = value.replace("\x00", "").strip().lower()
        return not (text in NA_TOKENS or census and text in CENSUS_NA)
    return read_numbers([value], census=census).n_unparsed == 1


def numbers_share(values: pd.Series, *, census: bool = False) -> tuple[int, int]:
    """(values read as finite numbers, values unread) of a column as :func:`read_numbers` counts them; pandas' own
    reading settles the plain case (every filled value a number as written) without the text rules.

    >>> numbers_share(pd.Series(["1", "2.5", None])), numbers_share(pd.Series(["1,234", "x", "(X)"]), census=True)
    ((2, 0), (1, 1))
    """
    quick = pd.api.types.is_string_dtype(values) or (pd.api.types.is_numeric_dtype(values)
                                                     and not pd.api.types.is_bool_dtype(values))
    plain = pd.to_numeric(values, errors="coerce") if quick else None  # true/false and dates are no numbers here
    if plain is not None and not (plain.isna() & values.notna()).any():
        return int(np.isfinite(plain.to_numpy(dtype="float64", na_value=np.nan)).sum()), 0
    reading = read_numbers(values, census=census)
    return int(reading.values.notna().sum()), reading.n_unparsed


def _id_text(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return pd.NA if np.isnan(v) else str(int(v)) if float(v).is_integer() else repr(float(v))
    return pd.NA if v is None or v is pd.NA or v is pd.NaT else str(v)


def read_ids(values) -> pd.Series:
    """Ids as text exactly as written, in a ``string`` Series with ``pd.NA`` where missing.

    Leading zeros are kept; integers never pass through floats (``2**53 + 1`` stays exact); whole floats
    (``12345.0``, also as text) lose their ``.0``; spaces and NULs around an id are stripped; blank ids are
    missing. NA tokens are *not* missing here: ``"NA"`` may be a real code (Namibia).

    >>> read_ids(["007", 2**53 + 1, 17850.0, " ", None]).tolist()
    ['007', '9007199254740993', '17850', <NA>, <NA>]
    """
    s = _series(values)
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        # mixed types, one value at a time: 1, 1.0 and True are equal as keys, so they would share one text
        return _tidy_ids(pd.Series([_id_text(v) for v in s.to_numpy(dtype=object)], index=s.index, name=s.name,
                                   dtype="string"))
    codes, uniq = pd.factorize(s, use_na_sentinel=True)  # each distinct id is read once; missing -> -1
    if pd.api.types.is_float_dtype(s) or s.dtype == object:
        texts = pd.Series([_id_text(v) for v in np.asarray(uniq, dtype=object)], dtype="string")
    else:
        texts = pd.Series(uniq).astype("string")  # integers stay exact
    out = _tidy_ids(texts).array.take(codes, allow_fill=True)
    return pd.Series(out, index=s.index, name=s.name)


def _tidy_ids(out: pd.Series) -> pd.Series:
    """NULs and surrounding spaces removed, whole floats without ``.0``, blank ids missing."""
    out = out.str.replace("\x00", "", regex=False).str.strip().str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return out.mask(out == "")
