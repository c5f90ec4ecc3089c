"""Values that cannot be right, or that would dominate the segments: found, counted and shown with examples.

:func:`value_findings` looks at each column of a table and reports, with counts and examples:

- **infinite or absurd values** (``inf``, or at least :data:`ABSURD_VALUE` in size): no measurement of a
  customer or a place is that large; a run treats them as missing values;
- **impossible values** for what the column says it is: a birth year before 1900 or in the future, a
  negative or above-120 age;
- **placeholder codes**: a value such as ``999`` or ``-1`` (:data:`PLACEHOLDERS`) held by many rows and far beyond
  every other value, which exports write for "none" (999 days since a contact that never happened); and a **shared
  code**: a value that several columns of a few whole numbers hold in the very same rows, above their other values
  (a survey's 2 for "not asked" in five 0/1 questions);
- **extreme outliers** by a robust rule: a handful of values (at most :data:`MAX_OUTLIER_SHARE` of the
  column) beyond :data:`FENCE` interquartile ranges of the quartiles, measured on a log scale for skewed
  columns of non-negative values (money, counts), so a long tail is not an anomaly but a value ten times any
  other is. Binary and near-constant columns (two values, or no spread between the quartiles) never have
  outliers;
- **rare junk levels** of a category: a level of a handful of rows (at most :data:`JUNK_ROWS`) in a column of
  at most :data:`MAX_LEVELS` levels whose typical level has at least fifty times as many rows (``"N0rth"``
  beside ``"North"``);
- **constant columns**, every one of them.

:func:`apply_value_rules` applies what the user asked for in the params (``valid_range``, ``clip``,
``out_of_range``), :func:`apply_fill` what a blank means (``fill``), and :func:`mask_non_finite` the default for
infinite values, each with a count for the cleaning log. :func:`fences` gives the bounds a preprocessor clips to so
that extreme values keep their row but do not dominate the scaling.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"birth_year": [1980, 1975, 1850, 1990], "is_member": [0, 1, 0, 0]})
>>> [(f.column, f.rule, f.rows) for f in value_findings(df)]
[('birth_year', 'impossible', 1)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches
from datetime import date

import numpy as np
import pandas as pd

from .cleaning import examples
from .errors import ParamsError
from .format import format_number
from .naming.words import counted

__all__ = ["ABSURD_VALUE", "FENCE", "ValueFinding", "value_findings", "fences", "mask_non_finite",
           "apply_value_rules", "apply_fill", "fill_text", "OUT_OF_RANGE_ACTIONS"]

#: Values at least this large in size (or infinite) are not measurements.
ABSURD_VALUE = 1e12
#: Extreme outliers lie beyond this many interquartile ranges from the quartiles.
FENCE = 3.0
#: More than this share of a column beyond the fences is a long tail, not a handful of anomalies.
MAX_OUTLIER_SHARE = 0.01
#: Non-negative columns with a skewness above this (money, counts) are measured on a log scale.
SKEWED = 0.25
#: Whole numbers of at most this many levels over a dense range are a scale's levels (0-10 too): none is an outlier.
FEW_LEVELS = 11
#: A category level of at most this many rows may be junk ...
JUNK_ROWS = 5
#: ... in a column of at most this many levels (more is free text or an id).
MAX_LEVELS = 50
#: Values beyond a bound that are typos: at most this many, or AGE_OVER_SHARE of a column (a person's age above 120);
#: more, and the column is not what its name says (a house's age runs to 225). The schema's ``max_share`` too.
FEW_TYPOS, AGE_OVER_SHARE = 5, 0.01
#: Values exports write for "none" or "unknown" (999 days since a contact that never happened, -1 for no date) ...
PLACEHOLDERS = (999, 9999, 99999, 999999, 99, -1, -9, -99, -999, -9999)
#: Columns that hold one value in the very same rows, above their other values, for it to read as a shared code.
SHARED_CODE_COLUMNS = 3
#: ... a placeholder when at least this share of a column holds it, far beyond every other value.
PLACEHOLDER_SHARE = 0.01
#: What ``out_of_range`` may say to do with values outside ``valid_range``.
OUT_OF_RANGE_ACTIONS = ("missing", "drop")

_BIRTH_YEAR = re.compile(r"(?i)(birth|born|yob|year_?of_?birth|geburt|jahrgang|nacimiento|nascimento|naissance|"
                         r"geboorte)")
#: A person's age in the column names of English, German, Spanish, Portuguese, Dutch, Polish, French, Italian exports.
AGE_WORDS = frozenset({"age", "alter", "edad", "idade", "leeftijd", "wiek", "âge", "età"})
_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]+(?![a-zß-öø-ÿ])|\d+")  # Latin letters, accented too


def _words(name: str) -> set[str]:
    """The words of a column name, lower case: ``customerAge`` and ``customer_age`` -> {customer, age}."""
    return {w.lower() for w in _WORD.findall(name)}


@dataclass(frozen=True)
class ValueFinding:
    """One kind of implausible value in one column.

    Attributes
    ----------
    column : str
    rule : {"non_finite", "impossible", "placeholder", "shared_code", "outliers", "junk_levels", "constant"}
    rows : int
        Rows holding such a value.
    message : str
        What was found, with examples.
    handling : str
        What a run does about it by default, and the param that changes it.
    """

    column: str
    rule: str
    rows: int
    message: str
    handling: str


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _numbers(values: pd.Series, n: int = 3) -> str:
    """Up to ``n`` distinct example values for a message, written for people (``2,921,140``, ``-5``, ``inf``)."""
    shown = [format_number(v) if np.isfinite(v) and abs(v) < ABSURD_VALUE else f"{v:.3g}"
             for v in pd.unique(values.to_numpy(dtype=float))[:n]]
    more = values.nunique() - len(shown)
    return ", ".join(shown) + (f" (and {more:,} more)" if more > 0 else "")


def _non_finite(col: str, x: pd.Series) -> ValueFinding | None:
    bad = ~np.isfinite(x) | (x.abs() >= ABSURD_VALUE)
    bad &= x.notna()
    if not bad.any():
        return None
    return ValueFinding(col, "non_finite", int(bad.sum()),
                        f"column {col!r} has {counted(int(bad.sum()), 'infinite or absurdly large values')} "
                        f"(size at least "
                        f"{ABSURD_VALUE:,.0f}), e.g. {_numbers(x[bad])}",
                        "treated as missing values (filled like other gaps); fix them at the source")


def _impossible(col: str, x: pd.Series) -> ValueFinding | None:
    """Values a birth year or a person's age cannot take. A column named for a birth is read as years only when its
    values mostly are (``birthplace`` and ``birthcontrol`` hold codes), and one named for an age as a person's only
    when few of its values are above 120 (:data:`AGE_OVER_SHARE`): a house's age runs to 225."""
    known = x[np.isfinite(x)]
    if _BIRTH_YEAR.search(col) and 1800 <= known.median() <= 2100:
        bounds, what = (1900, date.today().year), "birth years before 1900 or in the future"
    elif AGE_WORDS & _words(col):
        people = (known > 120).sum() <= max(FEW_TYPOS, AGE_OVER_SHARE * len(known))
        bounds, what = (0, 120 if people else np.inf), "ages below 0" + (" or above 120" if people else "")
    else:
        return None
    bad = (x < bounds[0]) | (x > bounds[1])
    if not bad.any():
        return None
    return ValueFinding(col, "impossible", int(bad.sum()), f"column {col!r} has "
                        f"{counted(int(bad.sum()), 'impossible values')} ({what}), e.g. {_numbers(x[bad])}",
                        f"kept and flagged; set valid_range: {{{col}: [{_plain_number(bounds[0])}, "
                        f"{_plain_number(min(bounds[1], ABSURD_VALUE - 1))}]}} to treat them as missing "
                        "(or out_of_range: drop to drop their rows)")


def _placeholder(col: str, x: pd.Series) -> tuple[ValueFinding, float] | tuple[None, None]:
    """A value of :data:`PLACEHOLDERS` held by many rows and far beyond every other value: above three times the
    largest of them (``999`` beside days of 0 to 27), or the only values below zero; with the code. The fix keeps every
    real value, next month's too: ``[0, 998]`` for 999 (not the observed 0 to 27), ``[0, 999999999999]`` for -1."""
    v = x[np.isfinite(x)]
    counts = v[np.isin(v.to_numpy(), PLACEHOLDERS)].value_counts()  # the codes only: most columns hold none
    for code in (c for c in PLACEHOLDERS if counts.get(c, 0) >= max(3, PLACEHOLDER_SHARE * len(v))):
        n, rest = int(counts[code]), v[v != code]
        if rest.nunique() < 3:
            continue
        lo, hi = float(rest.min()), float(rest.max())
        seen = f"({100 * n / len(v):.0f}% of its values)"
        if code > 0 and hi > 0 and code > 3 * hi:
            where = f"far above every other one ({format_number(lo)} to {format_number(hi)})"
            bounds = (min(lo, 0), code - 1)
        elif code < 0 <= lo:
            where, bounds = f"the only values below zero (the others run from {format_number(lo)} to " \
                            f"{format_number(hi)})", (0, ABSURD_VALUE - 1)
        else:
            continue
        return ValueFinding(col, "placeholder", n, f"column {col!r} has {counted(n, 'values')} {code:g} {seen}, "
                            f"{where}: it looks like a code for 'none' or 'unknown'",
                            f"if it is, set valid_range: {{{col}: [{_plain_number(bounds[0])}, "
                            f"{_plain_number(bounds[1])}]}} to read it as missing (a column then mostly empty is left "
                            f"out of the features); if {code:g} is a real value, nothing to do"), code
    return None, None


def _plain_number(value: float) -> str:
    """A number as a params file takes it back exactly: ``998``, ``12.5``, ``999999999999`` (no ``1e+12``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def fences(x: pd.Series | np.ndarray, factor: float = FENCE) -> tuple[float, float, bool]:
    """``(lower, upper, log)``: the bounds beyond which a value of ``x`` is an extreme outlier.

    Measured on ``log1p`` when every value is non-negative and the column is skewed (skewness above
    :data:`SKEWED`), and
    given back in the column's own units (on a log scale only the upper bound is finite).
    ``(-inf, inf, False)`` for a binary or near-constant column (two
    values or fewer, or no spread between the quartiles), and for a few whole-number levels over a dense range (at
    most :data:`FEW_LEVELS`, a band's or a rating's codes: ISLR's Caravan's income band 0-9 had its top band, 9,
    "extreme" and capped).
    """
    v = pd.Series(np.asarray(x, dtype=float)).dropna()
    v = v[np.isfinite(v)]
    if v.nunique() <= 2 or _levels(v):
        return -np.inf, np.inf, False
    log = bool((v >= 0).all() and v.skew() > SKEWED)
    w = np.log1p(v) if log else v
    q1, q3 = w.quantile(0.25), w.quantile(0.75)
    if not q3 > q1:
        return -np.inf, np.inf, False
    lo, hi = q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)
    if log:  # a long right tail: only the top can be extreme (no amount or count is too close to zero)
        return -np.inf, float(np.expm1(hi)), True
    return float(lo), float(hi), False


def _levels(v: pd.Series) -> bool:
    """Whether ``v`` holds at most :data:`FEW_LEVELS` whole numbers, each repeated, spread over no more than twice as
    many steps and never two apart (0-9, 1-5, 1-7 with 6 unused): each is a level of a scale, none far outside the
    rest. A code beyond the scale (1-5 and 9 for "don't know") is not one of them."""
    levels = np.unique(v.to_numpy())
    k = len(levels)
    return (k <= FEW_LEVELS and len(v) >= 3 * k and bool(np.all(levels % 1 == 0))
            and levels[-1] - levels[0] + 1 <= 2 * k and bool(np.all(np.diff(levels) <= 2)))


def _outliers(col: str, x: pd.Series) -> ValueFinding | None:
    v = x[np.isfinite(x) & (x.abs() < ABSURD_VALUE)]
    lo, hi, log = fences(v)
    far = (v < lo) | (v > hi)
    n = int(far.sum())
    if not n or n > MAX_OUTLIER_SHARE * len(v):
        return None
    scale = ", on a log scale" if log else ""
    return ValueFinding(col, "outliers", n, f"column {col!r} has {counted(n, 'extreme values')} far outside "
                        f"the rest (beyond {FENCE:g} interquartile ranges{scale}), e.g. "
                        f"{_numbers(v[far].sort_values(key=abs, ascending=False))}",
                        f"kept and flagged; the clustering caps them at the nearest fence so they cannot dominate; "
                        f"set clip: {{{col}: [0.01, 0.99]}} to cap them in every table")


def _junk_levels(col: str, s: pd.Series) -> ValueFinding | None:
    counts = s.dropna().astype(str).str.strip().value_counts()
    if not 3 <= len(counts) <= MAX_LEVELS or len(s) < 200:
        return None
    typical = float(counts.median())
    junk = counts[(counts <= JUNK_ROWS) & (counts * 50 <= typical)]
    if junk.empty:
        return None
    # a typo is written like a common level ("N0rth"); a code of its own ("b" beside "a", "d") or junk ("??") is not
    common = [str(v) for v in counts.index if v not in junk.index]
    alike = {str(v): like for v in junk.index if (like := _written_like(str(v), common))}
    typos = ("; " + ", ".join(f"{v!r} looks like {c!r}" for v, c in list(alike.items())[:3]) +
             ": correct the spelling at the source if they are typing errors") if alike else ""
    return ValueFinding(col, "junk_levels", int(junk.sum()), f"column {col!r} has {counted(len(junk), 'rare levels')} "
                        f"of a handful of rows each, beside levels of about {typical:,.0f} rows: "
                        f"{examples(junk.index)}", f"kept (grouped with the other rare levels){typos}")


def _written_like(level: str, common: list[str]) -> str | None:
    """The common level ``level`` is a misspelling of, or None: the one level it matches but for case ("NORTH"), or
    the one closest to it (ties: none), unless the two differ only in a last word of one or two characters, as codes
    do ("Type D" beside "Type C")."""
    folded = {c.casefold(): c for c in common}
    key = level.casefold()
    if key in folded:
        return folded[key]
    close = get_close_matches(key, list(folded), n=2, cutoff=0.75)
    if not close or (len(close) == 2 and SequenceMatcher(None, key, close[0]).ratio()
                     == SequenceMatcher(None, key, close[1]).ratio()):
        return None
    *head, last = key.split() or [""]
    *other_head, other_last = close[0].split() or [""]
    return None if head == other_head and len(last) <= 2 and len(other_last) <= 2 else folded[close[0]]


def _shared_codes(df: pd.DataFrame, columns: list) -> list[ValueFinding]:
    """Values that :data:`SHARED_CODE_COLUMNS` or more columns of a few whole numbers hold in the very same rows, each
    above all the column's other values: NHEFS's 2 in diabetes, pica, hbpmed and three more, in the same 769 of 1,566
    rows beside 0 and 1, is a code for "not asked", and segments built on it split the asked from the others."""
    groups: dict[tuple, list] = {}
    for col in columns:
        if not _numeric(df[col]):
            continue
        x = df[col].to_numpy(dtype=float)
        values = np.unique(x[np.isfinite(x)])
        held = x == values[-1] if len(values) else x > 0
        if 3 <= len(values) <= 8 and not np.any(values % 1) and held.sum() >= max(20, 0.05 * len(x)):
            groups.setdefault((values[-1], int(held.sum()), np.packbits(held).tobytes()), []).append(
                (str(col), values[:-1]))
    out = []
    for (code, n, _), found in groups.items():
        if len(found) < SHARED_CODE_COLUMNS:
            continue
        names = [c for c, _ in found]
        ranges = ", ".join(f"{c}: [{_plain_number(v[0])}, {_plain_number(v[-1])}]" for c, v in found)
        out.append(ValueFinding(names[0], "shared_code", n, f"columns {', '.join(names)} hold {code:g} in the same "
                                f"{counted(n, 'rows')} ({100 * n / len(df):.0f}%), above every other value of each: "
                                f"a value {len(names)} columns share row for row looks like a code for 'not asked' or "
                                "'unknown'", f"if it is, set valid_range: {{{ranges}}} to read it as missing; if "
                                f"{code:g} is a real value, nothing to do"))
    return out


def value_findings(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[ValueFinding]:
    """The implausible values of each column of ``df`` (default: every column), in column order; then the codes
    several columns share (:func:`_shared_codes`)."""
    out = []
    columns = list(df.columns if columns is None else columns)
    for col in columns:
        s, name = df[col], str(col)
        if s.nunique(dropna=True) <= 1:
            out.append(ValueFinding(name, "constant", len(s), f"column {name!r} holds one value in every row "
                                    f"({examples(s.dropna().unique()[:1]) if s.notna().any() else 'all missing'})",
                                    "not used: a column without differences cannot tell customers apart"))
            continue
        if _numeric(s):
            x = s.astype("float64")
            impossible = _impossible(name, x)  # an impossible value (or a placeholder) is not also called an outlier
            placeholder, code = (None, None) if impossible else _placeholder(name, x)
            rest = x if code is None else x[x != code]  # the other values may still hold an outlier
            out += [f for f in (_non_finite(name, x), impossible, placeholder,
                                None if impossible else _outliers(name, rest)) if f]
        elif not pd.api.types.is_datetime64_any_dtype(s):
            out += [f for f in (_junk_levels(name, s),) if f]
    return out + _shared_codes(df, columns)


def mask_non_finite(df: pd.DataFrame, columns: Iterable[str]) -> tuple[pd.DataFrame, int, str]:
    """Infinite and absurd values of the numeric ``columns`` as missing values.

    Returns the table (a copy when anything changed), the number of values masked and examples.
    """
    out, n, seen = df, 0, []
    for col in columns:
        s = df[col]
        if not _numeric(s):
            continue
        x = s.astype("float64")
        bad = (~np.isfinite(x) | (x.abs() >= ABSURD_VALUE)) & x.notna()
        if bad.any():
            out = out.copy() if out is df else out
            out[col] = x.mask(bad)
            n += int(bad.sum())
            seen.append(f"{col}: {_numbers(x[bad])}")
    return out, n, "; ".join(seen)


def _pair(key: str, col: str, value) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParamsError(f"{key} for column {col!r} must be a pair [low, high], got {value!r}",
                          f"write it as {key}: {{{col}: [low, high]}}", key=key) from None
    if not lo < hi:
        raise ParamsError(f"{key} for column {col!r} has low {lo:g} not below high {hi:g}",
                          "put the smaller bound first", key=key)
    return lo, hi


def _check_columns(df: pd.DataFrame, rules: Mapping, key: str) -> None:
    for col in rules:
        if col not in df.columns:
            raise ParamsError(f"{key} names column {col!r}, which is not in the input",
                              f"use one of: {', '.join(map(str, df.columns))}", key=key)
        if not _numeric(df[col]):
            raise ParamsError(f"{key} names column {col!r}, which does not hold numbers",
                              f"give {key} only for numeric columns", key=key)


def apply_value_rules(df: pd.DataFrame, *, valid_range: Mapping | None = None, clip: Mapping | None = None,
                      out_of_range: str = "missing") -> tuple[pd.DataFrame, list[tuple[str, str, int, int]]]:
    """Apply the params' value rules: ``valid_range`` (values outside become missing, or their rows are
    dropped with ``out_of_range: drop``), then ``clip`` (values capped at the column's quantiles).

    Returns the table and the cleaning-log steps ``(rule, description, rows_removed, values_changed)``.
    """
    if out_of_range not in OUT_OF_RANGE_ACTIONS:
        raise ParamsError(f"out_of_range must be one of {', '.join(OUT_OF_RANGE_ACTIONS)}, got {out_of_range!r}",
                          "use missing (the default) or drop", key="out_of_range")
    valid_range, clip, steps = dict(valid_range or {}), dict(clip or {}), []
    _check_columns(df, valid_range, "valid_range")
    _check_columns(df, clip, "clip")
    out = df.copy() if valid_range or clip else df
    drop = np.zeros(len(out), dtype=bool)
    for col, pair in valid_range.items():
        lo, hi = _pair("valid_range", col, pair)
        x = out[col].astype("float64")
        bad = ((x < lo) | (x > hi)).to_numpy()
        if out_of_range == "drop":
            drop |= bad
        else:
            out[col] = x.mask(bad)
        steps.append((f"valid_range:{col}", f"Values of {col!r} outside [{lo:g}, {hi:g}] (valid_range) "
                      + ("drop their rows" if out_of_range == "drop" else "become missing values"),
                      int(bad.sum()) if out_of_range == "drop" else 0, int(bad.sum())))
    out = out.loc[~drop].reset_index(drop=True) if drop.any() else out
    for col, pair in clip.items():
        qlo, qhi = _pair("clip", col, pair)
        if not (0 <= qlo and qhi <= 1):
            raise ParamsError(f"clip for column {col!r} takes quantiles between 0 and 1, got [{qlo:g}, {qhi:g}]",
                              f"write e.g. clip: {{{col}: [0.01, 0.99]}}", key="clip")
        x = out[col].astype("float64")
        lo, hi = x.quantile(qlo), x.quantile(qhi)
        changed = int(((x < lo) | (x > hi)).sum())
        out[col] = x.clip(lo, hi)
        steps.append((f"clip:{col}", f"Values of {col!r} capped at its {qlo:.0%} and {qhi:.0%} quantiles "
                      f"({lo:,.6g} and {hi:,.6g}; clip)", 0, changed))
    return out, steps


def _fill_value(df: pd.DataFrame, col: str, value):
    """``value`` as ``fill`` writes it into column ``col``: a number in a column of numbers, a level (as text) in a
    column of levels; never into dates (a ParamsError naming the key, the column and the fix)."""
    if col not in df.columns:
        raise ParamsError(f"fill names column {col!r}, which is not in the input",
                          f"use one of: {', '.join(map(str, df.columns))}", key="fill")
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        raise ParamsError(f"fill names column {col!r}, which holds dates: a blank date is not a date",
                          f"remove {col} from fill; its blanks are then filled with the typical age like other gaps",
                          key="fill")
    if isinstance(value, (bool, np.bool_)):  # YAML reads yes, no, on, off unquoted as true and false
        raise ParamsError(f"fill for column {col!r} is {value!r}, not a number or a word",
                          f"write the word in quotes as the column has it, e.g. fill: {{{col}: \"No\"}}", key="fill")
    if not isinstance(value, (str, int, float, np.number)):
        raise ParamsError(f"fill for column {col!r} must be a number or a word, got {value!r}",
                          f"write e.g. fill: {{{col}: 0}}", key="fill")
    if not _numeric(s):
        return fill_text(value)
    try:
        number = float(value)
    except ValueError:
        raise ParamsError(f"fill for column {col!r} must be a number, since the column holds numbers; got {value!r}",
                          f"write e.g. fill: {{{col}: 0}}", key="fill") from None
    if not np.isfinite(number):
        raise ParamsError(f"fill for column {col!r} must be a finite number, got {value!r}",
                          f"write e.g. fill: {{{col}: 0}}", key="fill")
    return number


def fill_text(value) -> str:
    """A ``fill`` value as a level of a column of words, the same in the run and in the customers scored later: a
    whole number without its ``.0`` (the params read ``0`` as 0.0).

    >>> fill_text(0.0), fill_text(2.5), fill_text("none")
    ('0', '2.5', 'none')
    """
    return _plain_number(value) if isinstance(value, (int, float, np.number)) else str(value)


def apply_fill(df: pd.DataFrame, fill: Mapping | None) -> tuple[pd.DataFrame, list[tuple[str, str, int, int]]]:
    """Apply the params' ``fill``: what a blank means in a column (``TotalCharges: 0`` for a first bill not yet
    sent, ``InternetService: none``), written into its blanks before the run fills the other gaps with the median
    or the most frequent level. Values written in are data: they count in the segments' figures and names.

    Returns the table and the cleaning-log steps ``(rule, description, rows_removed, values_changed)``.

    >>> out, steps = apply_fill(pd.DataFrame({"tenure": [0, 5], "charges": [None, 99.5]}), {"charges": 0})
    >>> out["charges"].tolist(), steps
    ([0.0, 99.5], [('fill:charges', "Blanks of 'charges' read as 0 (fill)", 0, 1)])
    """
    fill, steps = dict(fill or {}), []
    out = df.copy() if fill else df
    for col, value in fill.items():
        value, s = _fill_value(out, col, value), out[col]
        blank = s.isna()
        if isinstance(s.dtype, pd.CategoricalDtype):  # an ordered answer keeps its order, the level joins it
            out[col] = (s if value in s.cat.categories else s.cat.add_categories([value])).fillna(value)
        else:
            out[col] = s.astype("float64" if isinstance(value, float) else object).where(~blank, value)
        shown = _plain_number(value) if isinstance(value, float) else repr(value)
        steps.append((f"fill:{col}", f"Blanks of {col!r} read as {shown} (fill)", 0, int(blank.sum())))
    return out, steps
