"""Reading the values of a customer table: numbers and dates written as text, then implausible values.

:func:`read_values` is the last step of :func:`segkit.kinds.customers.clean`: each numeric or date column is
read by :mod:`segkit.parse` (what cannot be read becomes a missing value, counted), a category's levels written in
other cases or with extra spaces become one (:func:`one_spelling`; scoring: :func:`spelt_as`), infinite and absurd
numbers become missing values, and the params' ``fill`` (what a blank means), ``valid_range`` / ``out_of_range`` /
``clip`` apply (:mod:`segkit.quality`). Every step goes to the cleaning log with its counts.

It also holds the two readings that the features (:mod:`~segkit.kinds.customers.features`) and the model's encoding
(:mod:`~segkit.kinds.customers.encoding`) share: category levels as text (:func:`level_text`) and dates as ages at a
reference date (:func:`reference_date_of`, :func:`date_ages`, both at once: :func:`aged_dates`).
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from ...cleaning import CleaningLog
from ...errors import DataValueError
from ...naming.words import counted
from ...parse import after_period, read_dates, read_numbers
from ...quality import apply_fill, apply_value_rules, mask_non_finite
from .levels import gender_words
from .roles import detect_roles

__all__ = ["read_values", "one_spelling", "unnumbered", "genders", "as_trained", "spelt_as", "text_levels", "level_text",
           "levels_as_text", "reference_date_of", "date_ages", "aged_dates"]


def read_values(table: pd.DataFrame, params, log: CleaningLog, *, id_col=None) -> pd.DataFrame:
    """The table with its numbers and dates read, what its blanks mean written in (the params' ``fill``) and its
    implausible values handled (see the module)."""
    table, steps = apply_fill(_read_values(table, params, log), getattr(params, "fill", None))
    _log_steps(log, len(table), steps)
    return _plausible(table, params, log, id_col)


def _log_steps(log: CleaningLog, n: int, steps) -> None:
    """The steps of :mod:`segkit.quality`'s rules in the log, each with the values it changed."""
    for rule, description, removed, changed in steps:
        log.add(rule, description, n + removed, removed, note=counted(changed, "values"))


def _read_values(table: pd.DataFrame, params, log: CleaningLog) -> pd.DataFrame:
    """Numbers and dates written as text, read by :mod:`segkit.parse` in the columns whose role is numeric or
    date: what cannot be read, and dates after today, become missing values (imputed like other gaps, never a
    stop); every reading goes to the log with its counts, and the date layout with why."""
    roles = detect_roles(table, overrides=params.roles or None, id_col=params.id_col) if len(table) else {}
    out, joined = table.copy(), []
    for col, role in roles.items():
        s, reading, notes = table[col], None, []
        if role in ("categorical", "boolean", "outcome") and text_levels(s):
            out[col], said = _one_level_each(s, str(col))
            joined += said
        if role == "numeric" and not pd.api.types.is_numeric_dtype(s):
            reading = read_numbers(s, column=str(col), decimal=params.decimal, thousands=params.thousands)
            values = reading.values
        elif role == "date":
            reading = read_dates(s, column=str(col), date_format=params.date_format, dayfirst=params.dayfirst)
            values = reading.values.mask(reading.values >= pd.Timestamp.now().normalize() + pd.Timedelta(days=1))
            late = after_period(values)
            notes += [f"{counted(reading.n_future, 'dates')} after today set missing"] * bool(reading.n_future)
            notes += [f"{counted(int(late.sum()), 'dates')} far after the data's period kept: ages are measured from "
                      "the last of them"] * bool(late.any())
        if reading is None:
            continue
        notes += [f"{counted(reading.n_unparsed, 'values')} that could not be read set missing"] \
            * bool(reading.n_unparsed)
        gaps = reading.n_missing or reading.n_unparsed or getattr(reading, "n_future", 0)
        log.read(reading, note="; ".join(notes + ["missing values are filled like other gaps"] * bool(gaps)))
        out[col] = values
    if joined:
        more = f"; and {len(joined) - 5} more" if len(joined) > 5 else ""
        log.add("one_spelling", "Category levels written in other cases or with extra spaces were joined to their most "
                "common spelling, numbered levels (1. Yes) read without their numbers, and a gender column's words "
                "read as Female and Male", len(out), 0,
                note="; ".join(joined[:5]) + more)
    return out


def _one_level_each(s: pd.Series, col: str) -> tuple[pd.Series, list[str]]:
    """A category column with a gender's words read as Female and Male (:func:`genders`) and each level in one
    spelling (:func:`one_spelling`); and what the log says of it, per change."""
    worded = genders(unnumbered(s), col)
    changed = s.notna() & (worded != s)
    said: dict[str, list[str]] = {}  # Female: F, w, Weiblich; Male: " Male"
    for before, after in sorted(set(zip(s[changed].astype(str), worded[changed].astype(str)))):
        said.setdefault(after, []).append(before)
    out, spellings = one_spelling(worded)
    return out, [f"{col}: {', '.join(map(repr, variants[:8]))} as {kept!r}"
                 for kept, variants in [*said.items(), *spellings]]


def one_spelling(s: pd.Series) -> tuple[pd.Series, list[tuple[str, list[str]]]]:
    """Levels written in other cases or with extra spaces ("Female", "FEMALE", " female") as one level, spelt as most
    rows spell it; and each joined level's kept spelling with the others.

    >>> joined, spellings = one_spelling(pd.Series(["Female", "FEMALE", "Male", " female", None, "Female"]))
    >>> joined.tolist(), spellings
    (['Female', 'Female', 'Male', 'Female', nan, 'Female'], [('Female', ['FEMALE', 'female'])])
    """
    text = level_text(s)
    key = text.str.casefold()
    spelt = text.groupby(key).agg(lambda v: v.value_counts().index[0])  # the most common spelling (first on a tie)
    out = key.map(spelt).where(s.notna(), s)
    variants = text[s.notna() & (out != text)].groupby(key).agg(lambda v: sorted(set(v)))
    return out, [(str(spelt[k]), list(v)) for k, v in variants.items()]


#: A level numbered as R's factors export them ("1. < HS Grad", "2. Married"): the number and its point.
_NUMBERED = r"^\s*\d+\.\s+(?=\S)"


def unnumbered(s: pd.Series) -> pd.Series:
    """A category's levels without the numbers they are written with, when every level has one of its own ("1. Yes",
    "2. No": ISLR's Wage wrote "health ins: more often 1. Yes"); any other column as it is.

    >>> unnumbered(pd.Series(["1. < HS Grad", "2. HS Grad", None, "1. < HS Grad"])).tolist()
    ['< HS Grad', 'HS Grad', nan, '< HS Grad']
    >>> unnumbered(pd.Series(["1. Yes", "Yes"])).tolist()  # not every level numbered: as it is
    ['1. Yes', 'Yes']
    """
    if not text_levels(s):
        return s
    levels = pd.Series(pd.unique(s.dropna().astype(str)))
    if levels.empty or not levels.str.contains(_NUMBERED).all():
        return s
    bare = levels.str.replace(_NUMBERED, "", regex=True)
    if bare.nunique() < len(levels) or levels.str.extract(r"(\d+)")[0].nunique() < len(levels):
        return s  # "1. Yes" and "2. Yes", or two levels of one number: the numbers tell them apart
    return s.where(s.isna(), s.astype(str).str.replace(_NUMBERED, "", regex=True))


def genders(s: pd.Series, name: str) -> pd.Series:
    """A gender column's words for female and male as "Female" and "Male" (a CRM's F, w, Weiblich, FEMALE), when the
    name says gender and those words are most of its values; other values as they are, and any other column too.

    >>> genders(pd.Series(["F", "w", "Weiblich", "MALE", "m", "divers", None]), "Geschlecht").tolist()
    ['Female', 'Female', 'Female', 'Male', 'Male', 'divers', nan]
    """
    word = gender_words(level_text(s), name)
    return s if word is None else word.where(word.notna(), s)


def text_levels(s: pd.Series) -> bool:
    """Whether ``s`` holds levels written as text (object or string dtype, not a pandas Categorical)."""
    return pd.api.types.is_string_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype)


def as_trained(s: pd.Series, col: str, known) -> pd.Series:
    """A new rows' category column read as training read its own (:func:`_one_level_each`), onto the levels the model
    ``known``: F and M as Female and Male unless the model was saved before the cleaning read them so, then each
    value in the spelling the model knows (:func:`spelt_as`)."""
    if not text_levels(s):
        return s
    return spelt_as(genders(s, col) if {"Female", "Male"} & set(map(str, known)) else s, known)


def spelt_as(s: pd.Series, known) -> pd.Series:
    """Values of a new row spelt as the training's levels when they differ only in case or spaces ("FEMALE" for
    "Female"), as :func:`one_spelling` joined them; a level training knew as written, and other values, as they are.

    >>> spelt_as(pd.Series(["FEMALE ", "Female", "FEMALE", "x"]), ["FEMALE", "Female"]).tolist()
    ['FEMALE', 'Female', 'FEMALE', 'x']
    >>> spelt_as(pd.Series(["FEMALE ", "male"]), ["Female", "Male"]).tolist()
    ['Female', 'Male']
    """
    known = [str(k) for k in known]
    levels = {k.strip().casefold(): k for k in sorted(known, reverse=True)}  # the first spelling on a tie
    text = level_text(s)
    joined = text.str.casefold().map(levels)
    bare = text.str.replace(_NUMBERED, "", regex=True).str.strip().str.casefold().map(levels)  # "1. Yes": Yes
    return text.where(text.isin(known), joined.where(joined.notna(), bare.where(bare.notna(), s)))


def _plausible(table: pd.DataFrame, params, log: CleaningLog, id_col) -> pd.DataFrame:
    """Infinite and absurd numbers become missing values (always); then the params' ``valid_range``,
    ``out_of_range`` and ``clip`` (:func:`segkit.quality.apply_value_rules`). Each is a step of the log."""
    numeric = [c for c in table.columns if c != id_col]
    table, masked, seen = mask_non_finite(table, numeric)
    log.add("non_finite", "Infinite or absurdly large numbers become missing values (filled like other gaps)",
            len(table), 0, note=f"{counted(masked, 'values')}: {seen}" if masked else "")
    table, steps = apply_value_rules(table, valid_range=params.valid_range, clip=params.clip,
                                     out_of_range=params.out_of_range)
    _log_steps(log, len(table), steps)
    return table


# --- values the features and the encoding share ---------------------------------------------------

def level_text(s: pd.Series) -> pd.Series:
    """Category levels as text, the way the encoder and the scoring checks see them.

    Whole numbers print without a decimal point (``1.0`` -> ``"1"``), missing values stay missing,
    and the result has object dtype.
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.astype(float).to_numpy()
        s = s.astype("Int64") if np.all(np.mod(num[~np.isnan(num)], 1) == 0) else s
    return s.astype(str).str.strip().astype(object).where(s.notna(), np.nan)


def levels_as_text(X):
    """Every column through :func:`level_text` (the first step of the category encoder)."""
    X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    return pd.DataFrame({c: level_text(X[c]) for c in X.columns}, index=X.index)


def _date_name(col: str, unit: str) -> str:
    return f"{unit}_since_{col}"


def _to_datetime(s: pd.Series, *, date_format: str | None = None, dayfirst: bool | None = None) -> pd.Series:
    """Dates of one column, one layout for the whole column (:func:`segkit.parse.read_dates`); NaT where a value
    is missing or not a date."""
    return read_dates(s, date_format=date_format, dayfirst=dayfirst).values


_UNIT_DAYS = {"days": 1.0, "years": 365.25}


def _age(dates: pd.Series, reference: pd.Timestamp, unit: str) -> np.ndarray:
    return (reference - dates).dt.total_seconds().to_numpy(float) / 86400.0 / _UNIT_DAYS[unit]


def _date_columns(X) -> list[pd.Series]:
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    return [_to_datetime(frame.iloc[:, i]) for i in range(frame.shape[1])]


def reference_date_of(X, reference_date=None) -> pd.Timestamp:
    """The date that ages are measured at: ``reference_date``, else the latest date in the columns of ``X``.

    Raises
    ------
    DataValueError
        No column of ``X`` holds a date (and no ``reference_date`` is given).
    """
    return _reference(_date_columns(X) if reference_date is None else [], reference_date)


def date_ages(X, reference: pd.Timestamp, unit: str = "days") -> np.ndarray:
    """The age of every date in the columns of ``X`` at ``reference``, in ``unit``, one column each (missing dates
    stay NaN)."""
    return _ages(_date_columns(X), reference, unit, len(X))


def aged_dates(X, reference_date=None, unit: str = "days") -> tuple[pd.Timestamp, np.ndarray]:
    """:func:`reference_date_of` and :func:`date_ages` at it, reading the dates of ``X`` once."""
    dates = _date_columns(X)
    reference = _reference(dates, reference_date)
    return reference, _ages(dates, reference, unit, len(X))


def _reference(dates: list[pd.Series], reference_date) -> pd.Timestamp:
    latest = reference_date if reference_date is not None else max(
        (d.max() for d in dates if d.notna().any()), default=None)
    if latest is None:
        raise DataValueError("the date columns hold no parseable dates",
                             fix="check the date format, or set their role to categorical or constant")
    return pd.Timestamp(latest)


def _ages(dates: list[pd.Series], reference: pd.Timestamp, unit: str, rows: int) -> np.ndarray:
    ages = [_age(d, reference, unit) for d in dates]
    return np.column_stack(ages) if ages else np.empty((rows, 0))
