"""Reading the values of a customer table: numbers and dates written as text, then implausible values.

:func:`read_values` is the last step of :func:`segkit.kinds.customers.clean`: each numeric or date column is
read by :mod:`segkit.parse` (what cannot be read becomes a missing value, counted), infinite and absurd numbers
become missing values, and the params' ``valid_range`` / ``out_of_range`` / ``clip`` apply
(:mod:`segkit.quality`). Every step goes to the cleaning log with its counts.
"""

from __future__ import annotations

import pandas as pd

from ...cleaning import CleaningLog
from ...parse import after_period, read_dates, read_numbers
from ...quality import apply_value_rules, mask_non_finite
from .roles import detect_roles

__all__ = ["read_values"]


def read_values(table: pd.DataFrame, params, log: CleaningLog, *, id_col=None) -> pd.DataFrame:
    """The table with its numbers and dates read and its implausible values handled (see the module)."""
    return _plausible(_read_values(table, params, log), params, log, id_col)


def _read_values(table: pd.DataFrame, params, log: CleaningLog) -> pd.DataFrame:
    """Numbers and dates written as text, read by :mod:`segkit.parse` in the columns whose role is numeric or
    date: what cannot be read, and dates after today, become missing values (imputed like other gaps, never a
    stop); every reading goes to the log with its counts, and the date layout with why."""
    roles = detect_roles(table, overrides=params.roles or None, id_col=params.id_col) if len(table) else {}
    out = table.copy()
    for col, role in roles.items():
        s, reading, notes = table[col], None, []
        if role == "numeric" and not pd.api.types.is_numeric_dtype(s):
            reading = read_numbers(s, column=str(col), decimal=params.decimal, thousands=params.thousands)
            values = reading.values
        elif role == "date":
            reading = read_dates(s, column=str(col), date_format=params.date_format, dayfirst=params.dayfirst)
            values = reading.values.mask(reading.values >= pd.Timestamp.now().normalize() + pd.Timedelta(days=1))
            late = after_period(values)
            notes += [f"{reading.n_future:,} date(s) after today set missing"] * bool(reading.n_future)
            notes += [f"{int(late.sum()):,} date(s) far after the data's period kept: ages are measured from the last "
                      "of them"] * bool(late.any())
        if reading is None:
            continue
        notes += [f"{reading.n_unparsed:,} value(s) that could not be read set missing"] * bool(reading.n_unparsed)
        gaps = reading.n_missing or reading.n_unparsed or getattr(reading, "n_future", 0)
        log.read(reading, note="; ".join(notes + ["missing values are filled like other gaps"] * bool(gaps)))
        out[col] = values
    return out


def _plausible(table: pd.DataFrame, params, log: CleaningLog, id_col) -> pd.DataFrame:
    """Infinite and absurd numbers become missing values (always); then the params' ``valid_range``,
    ``out_of_range`` and ``clip`` (:func:`segkit.quality.apply_value_rules`). Each is a step of the log."""
    numeric = [c for c in table.columns if c != id_col]
    table, masked, seen = mask_non_finite(table, numeric)
    log.add("non_finite", "Infinite or absurdly large numbers become missing values (filled like other gaps)",
            len(table), 0, note=f"{masked:,} value(s): {seen}" if masked else "")
    table, steps = apply_value_rules(table, valid_range=params.valid_range, clip=params.clip,
                                     out_of_range=params.out_of_range)
    for rule, description, removed, changed in steps:
        log.add(rule, description, len(table) + removed, removed, note=f"{changed:,} value(s)")
    return table
