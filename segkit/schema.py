"""Check an input table against the schema of its data kind (``segkit/kinds/<kind>/schema.yaml``).

A schema lists the expected columns (for transactions by their params key, so the check follows the
column mapping), their types and their valid ranges, plus rules for columns whose name matches a
pattern and for the table as a whole. :func:`validate` returns a list of :class:`Finding`; hard failures
(a missing or unparsable column, no rows, a required column without values, a rule marked ``error``)
raise :class:`~segkit.errors.ColumnError` or :class:`~segkit.errors.DataValueError`, whose message names
every hard failure and the fix.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"InvoiceNo": ["1", "2"], "StockCode": ["A", "B"], "Quantity": [2, 0],
...                     "InvoiceDate": ["2011-01-03", "2011-01-04"], "UnitPrice": [1.5, -2.0],
...                     "CustomerID": [17850, None], "Country": ["United Kingdom", "France"]})
>>> from segkit import kinds
>>> [f.rule for f in validate(raw, kinds.get("transactions").schema())]
['missing', 'nonzero', 'range']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .errors import ColumnError, DataValueError
from .findings import Finding, by_severity
from .format import example_value
from .io.columns import in_files, other_marks, renamed_repeats
from .naming.words import counted
from .parse import is_na_token, read_dates, read_numbers
from .parse.numbers import currency_codes, same_currency
from .quality import FEW_TYPOS, value_findings

__all__ = ["DAYFIRST_FIX", "load_schema", "validate", "ambiguous_dates", "ONE_CURRENCY", "several_currencies"]

_NUMERIC = ("number", "integer")
_EXAMPLES = 3


def load_schema(path) -> dict[str, Any]:
    """Read a schema file (YAML in the format of ``segkit/kinds/transactions/schema.yaml``)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _params(params, kind: str):
    from .config import Params, params_from_mapping

    if params is None or isinstance(params, Mapping):
        return Params(data_kind=kind) if params is None else params_from_mapping({"data_kind": kind, **params})
    return params


#: The fix of dates read month first because no value decides the order of day and month.
DAYFIRST_FIX = ("set dayfirst: true if the dates are day first (31/12/2023), or dayfirst: false to keep month first "
                "without this warning")


def _order_given(opts: Mapping[str, Any]) -> bool:
    """Whether the params say how to read dates whose values do not decide it (``dayfirst`` or ``date_format``)."""
    return opts.get("dayfirst") is not None or bool(opts.get("date_format"))


def _date_order(column: str, key: str | None, reading: str, why: str, opts: Mapping[str, Any]) -> Finding:
    """The finding for dates whose values do not decide the order of day and month: a note when the params say it,
    else a warning with :data:`DAYFIRST_FIX` (the order is then the default, month first)."""
    given = _order_given(opts)
    return Finding("info" if given else "warning", "dates", column, f"{_where(column, key)} read {reading}: "
                   f"{why.split(' — ')[0]}", 0, key, None if given else DAYFIRST_FIX)


def ambiguous_dates(log, findings: list, opts: Mapping[str, Any]) -> list:
    """:func:`_date_order`'s warning for each date column the cleaning read (``log``'s readings: a customer table's
    signup date, which no schema rule types) without a value that decides the order of day and month and without
    the params' say (``opts``: :meth:`~segkit.config.Params.parse_options`), unless ``findings`` already has one
    for that column (a transaction table's date column, typed by its schema)."""
    if _order_given(opts):
        return []
    warned = {f.column for f in findings if f.rule == "dates"}
    return [_date_order(r["column"], r.get("key"), r["reading"], r.get("why", ""), opts) for r in log.readings
            if r.get("as") == "dates" and r.get("ambiguous") and r.get("column") not in warned]


def _examples(values: pd.Series) -> str:
    """A few distinct values as the message shows them: text and numbers quoted as Python writes them, dates
    as dates (``2034-03-28``, with the time when there is one), not as numpy's nanoseconds. Where an amount has a
    thousands separator, two say it ("-11,062.06 and -1,200.5"): a comma between them read as one more digit group,
    and a semicolon as the end of the list, before the finding's next clause. They are amounts, and so is a whole
    number among them ("38,970 and 17,836.46", not "38970")."""
    first = pd.unique(values)[:_EXAMPLES]
    shown = [example_value(v) for v in first]
    if any("," in v and not v.startswith(("'", '"')) for v in shown):
        return " and ".join(example_value(v, amount=True) for v in first[:2])
    return ", ".join(shown)


def _where(column: str, key: str | None) -> str:
    return f"column {column!r}" + (f" ({key})" if key else "")


def _bound(value, dtype: str):
    if dtype == "datetime":
        return pd.Timestamp(date.today()) + pd.Timedelta(days=1) if value == "today" else pd.Timestamp(str(value))
    return float(value)


# ------------------------------------------------------------------------------------------ checks
#: The fix of a column of amounts in several currencies.
ONE_CURRENCY = "convert the amounts to one currency before the run, or keep the lines of one currency only"


def several_currencies(column: str, signs, rows: int, key: str | None = None) -> Finding:
    """The warning for a column of amounts in several currencies ("$12" beside "€9")."""
    return Finding("warning", "currency", column, f"column {column!r} holds amounts in several currencies "
                   f"({', '.join(signs)}): they would be added up as if they were one", rows, key, ONE_CURRENCY)


class _Checker:
    def __init__(self, df: pd.DataFrame, schema: dict[str, Any]):
        self.df = df
        self.schema = schema
        self.codes = [float(c) for c in schema.get("missing_codes", [])]
        self.out: list[Finding] = []

    def add(self, severity, rule, column, message, rows=0, key=None, fix=None) -> None:
        self.out.append(Finding(severity, rule, None if column is None else str(column), message, int(rows), key, fix))

    def parse(self, column: str, spec: Mapping[str, Any], key: str | None) -> pd.Series | None:
        """The column as numbers or dates for its type (read by :mod:`segkit.parse`, with the schema's ``parse``
        options: ``decimal``, ``thousands``, ``date_format``, ``dayfirst``); an ``error`` finding when values do
        not parse, a note when no value decides the order of day and month."""
        s, kind, opts = self.df[column], spec.get("type", "text"), self.schema.get("parse") or {}
        if kind in _NUMERIC and pd.api.types.is_bool_dtype(s):
            return s.astype("float64")
        if kind in _NUMERIC:
            reading = read_numbers(s, column=column, decimal=opts.get("decimal"), thousands=opts.get("thousands"))
        elif kind == "datetime":
            reading = read_dates(s, column=column, date_format=opts.get("date_format"), dayfirst=opts.get("dayfirst"))
        else:
            return s
        if reading.n_unparsed:
            problem, fix = reading.problem(key)
            unread = reading.values.isna().to_numpy() & ~np.asarray(is_na_token(s), dtype=bool)
            unread &= ~np.isinf(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
            rows = s.index[unread] if pd.api.types.is_integer_dtype(s.index) else np.flatnonzero(unread)  # rows kept
            fix = other_marks(s, unread, opts.get("decimal"), opts.get("thousands"), self.df.attrs) or fix
            self.add("error", "type", column, problem + in_files(self.df.attrs, rows), reading.n_unparsed, key, fix)
            return None
        values = reading.values
        if len(getattr(reading, "currencies", ())) > 1 and column not in self.df.attrs.get("currencies", {}):
            self.out.append(several_currencies(column, reading.currencies, int(s.notna().sum()), key))  # SQL text
        if kind == "datetime" and reading.ambiguous:  # a warning when the order came from no one: the default
            self.out.append(_date_order(column, key, reading.reading, reading.why, opts))
        if kind in _NUMERIC and self.codes:
            coded = values.isin(self.codes)
            if coded.any():
                n, they = int(coded.sum()), ("it is" if coded.sum() == 1 else "they are")
                self.add("info", "missing_codes", column, f"{_where(column, key)} has {n:,} 'not available' code"
                         f"{'' if n == 1 else 's'} ({_examples(values[coded])}); {they} treated as missing", n, key)
                values = values.mask(coded)
        return values

    def column(self, column: str, spec: Mapping[str, Any], key: str | None = None, *, typed: bool = True) -> None:
        """Every check of ``spec`` on one present column."""
        s = self.df[column]
        where, note = _where(column, key), spec.get("note")
        hint = f"; {note}" if note else ""
        n = len(s)
        if spec.get("personal") and _may_be_personal(s):
            self.add("warning", "personal", column, f"{where} looks like personal data{hint}", 0, key,
                     f"set roles: {{{column}: ignore}} in the params to leave it out of every table too")
        if n and s.isna().all():
            sev = "error" if spec.get("required") else "warning"
            self.add(sev, "empty", column, f"{where} has no values at all", n, key,
                     f"point {key} at a column with values" if key else "fill the column or leave it out")
            return
        missing = int(s.isna().sum())
        limit = spec.get("max_missing_share")
        if limit is not None and n and missing / n > float(limit):
            sev = spec.get("missing_severity", "warning")
            why = f"; {spec['missing_note']}" if spec.get("missing_note") else hint
            fix = "fill the missing values" if sev == "error" else spec.get("missing_fix")
            self.add(sev, "missing", column, f"{where}: {missing:,} of {n:,} rows ({100 * missing / n:.1f}%) have no "
                     f"value{why}", missing, key, fix)
        values = self.parse(column, spec, key) if typed else self._soft_numeric(s, spec)
        if values is None:
            return
        kind = spec.get("type", "text")
        present = values.dropna()
        if "min" in spec or "max" in spec:
            self._range(column, spec, key, present, kind, hint)
        if spec.get("integer") and kind in _NUMERIC:
            frac = present[present != np.floor(present)]
            if n := len(frac):
                self.add("warning", "integer", column, f"{where} has {counted(n, 'values')} that "
                         f"{'is' if n == 1 else 'are'} not whole numbers, e.g. {_examples(frac)}", n, key)
        if spec.get("nonzero") and kind in _NUMERIC:
            zeros = int((present == 0).sum())
            if zeros:
                self.add("warning", "nonzero", column, f"{where} has {counted(zeros, 'zero values')}{hint}", zeros, key)
        if spec.get("unique"):
            copies = spec.get("unique_among") == "distinct_rows"  # exact copies of a row do not count
            ids = (s[~self.df.duplicated(keep="first").to_numpy()] if copies else s).dropna()
            dup = ids[ids.duplicated(keep=False)]
            if len(dup):
                self.add(spec["unique"], "unique", column, f"{where} has {counted(dup.nunique(), 'values')} on "
                         f"more than one row{' with different values' if copies else ''}, e.g. {_examples(dup)}{hint}",
                         len(dup), key, "keep one row per id")
        if spec.get("pattern"):
            text = s.dropna().astype(str)
            bad = text[~text.str.fullmatch(spec["pattern"])]
            if n := len(bad):
                self.add("warning", "pattern", column, f"{where} has {counted(n, 'values')} that "
                         f"{'does' if n == 1 else 'do'} not look right, e.g. {_examples(bad)}{hint}", n, key)

    def _soft_numeric(self, s: pd.Series, spec: Mapping[str, Any]) -> pd.Series | None:
        """Pattern rules apply range checks only to columns that are numeric already."""
        if spec.get("type") not in _NUMERIC:
            return s
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            return None
        num = s.astype("float64")
        return num.mask(num.isin(self.codes)) if self.codes else num

    def _range(self, column, spec, key, present: pd.Series, kind: str, hint: str) -> None:
        where, sev = _where(column, key), spec.get("range_severity", "warning")
        dtype = "datetime" if kind == "datetime" else "number"
        for side, op, word in (("min", np.less, "below"), ("max", np.greater, "above")):
            if side not in spec:
                continue
            bound = _bound(spec[side], dtype)
            out = present[op(present, bound)]
            if side == "max" and len(out) > max(FEW_TYPOS, spec.get("max_share", 1.0) * len(present)):
                continue  # more than a few typos above it: the column is not what its name suggested (a house's age)
            if len(out):
                shown = bound.date() if dtype == "datetime" else f"{bound:g}"
                fix = (spec["fix"].format(column=column, min=spec.get("min", "null"), max=spec.get("max", "null"))
                       if "fix" in spec else f"fix or remove those rows (valid range of {column!r}: "
                       f"{spec.get('min', '-')} to {spec.get('max', '-')})" if sev == "error" else None)
                self.add(sev, "range", column, f"{where} has {counted(len(out), 'values')} {word} {shown}, e.g. "
                         f"{_examples(out.sort_values(ascending=(side == 'min')))}{hint}", len(out), key, fix)

    def values(self, severity: str, columns: list) -> None:
        """Implausible values (:func:`segkit.quality.value_findings`) of ``columns``, except what another rule
        of the schema already says (a constant column, an age outside the schema's range)."""
        ranged = {f.column for f in self.out if f.rule == "range"}
        for f in value_findings(self.df, columns):
            if f.rule != "constant" and not (f.rule == "impossible" and f.column in ranged):
                self.add(severity, f.rule, f.column, f.message, f.rows, fix=f.handling)

    def currencies(self) -> None:
        """A warning for a column of amounts in several currencies (as the reader found them: "$12", "€9") and for a
        currency column with several codes: amounts in different currencies would be added up as if one."""
        for col, signs in self.df.attrs.get("currencies", {}).items():
            self.out.append(several_currencies(col, signs, int(self.df[col].notna().sum()) if col in self.df else 0))
        for col, codes in currency_codes(self.df, known=False).items():
            if len(codes) > 1:
                self.add("warning", "currency", col, f"column {str(col)!r} names {len(codes)} currencies "
                         f"({', '.join(sorted(codes)[:5])}): amounts in each would be added up as if they were one",
                         int(self.df[col].notna().sum()), fix=ONE_CURRENCY)

    def shown_currency(self, p) -> None:
        """A warning for a column of money in one currency ("€ 8,14") when the reports would show money in another
        (the params' ``currency``, "£" unless set): every page would give the amounts the wrong sign."""
        shown = str(getattr(p, "currency", None) or "").strip()
        for col, sign in money_currencies(self.df, p).items():
            if shown and not same_currency(sign, shown):
                rows = int(self.df[col].notna().sum()) if col in self.df.columns else 0
                self.add("warning", "currency", col, f"column {col!r} holds amounts in {sign}, but the reports would "
                         f"show money in {shown} (currency)", rows, "currency", f"set currency: \"{sign}\" in the params")

    def scales(self) -> None:
        """A warning for a column whose values seem to be shares (0.12) and percents (12%) at once (as the reader
        found them): 0.12 and 12% would be read as two values a hundred times apart."""
        for col, (pct, shares) in self.df.attrs.get("mixed_scales", {}).items():
            self.add("warning", "scales", col, f"column {col!r} holds {pct:,} percents (12%) and {shares:,} values "
                     "between 0 and 1 with no percent sign: if those are shares (0.12 for 12%), the column mixes two "
                     "scales, read as 12 and 0.12", pct + shares,
                     fix="write every value one way in the file: all as percents (12%) or all as shares (0.12)")

    def table(self, rules: Mapping[str, Any], skip: set[str]) -> None:
        n = len(self.df)
        if n < int(rules.get("min_rows", 1)):
            self.add("error", "rows", None, f"the input has {counted(n, 'rows')}; at least {rules.get('min_rows', 1)} "
                     "are needed", n, fix="check the input file or query: it holds (almost) no data")
        if self.df.shape[1] < int(rules.get("min_columns", 1)):
            self.add("error", "columns", None, f"the input has {counted(self.df.shape[1], 'columns')}; at least "
                     f"{rules.get('min_columns')} are needed (an id and one feature)",
                     fix="check the delimiter of the file: a single column often means a wrong separator")
        self.currencies()
        self.scales()
        copies: dict[str, list[str]] = {}
        for renamed, name in renamed_repeats(self.df.columns).items():
            copies.setdefault(name, []).append(renamed)
        for name, renamed in copies.items():
            times, others = ("twice", "the other") if len(renamed) == 1 else (f"{len(renamed) + 1} times", "the others")
            self.add("warning", "columns", renamed[0], f"the column name {name!r} appears {times} in the header: the "
                     f"first column is read as {name!r}, {others} as {', '.join(map(repr, renamed))}",
                     fix=f"give the {name!r} columns different names in the file, or remove the copies")
        limit = rules.get("max_missing_share")
        for col in self.df.columns:
            if str(col) in skip or n == 0:
                continue
            s = self.df[col]
            missing = int(s.isna().sum())
            if missing == n:
                self.add("warning", "empty", col, f"column {str(col)!r} has no values at all; it is left out", n)
            elif limit is not None and missing / n > float(limit):
                self.add("warning", "missing", col, f"column {str(col)!r}: {missing:,} of {n:,} rows "
                         f"({100 * missing / n:.1f}%) have no value", missing, fix=rules.get("missing_fix"))
            elif rules.get("constant") and s.nunique(dropna=True) == 1:
                self.add(rules["constant"], "constant", col, f"column {str(col)!r} has a single value "
                         f"({_examples(s.dropna())}); it cannot separate segments", n)


def _may_be_personal(s: pd.Series) -> bool:
    """Whether a column whose name suggests personal data may hold it: not a yes/no or two-level column
    (``has_phone_service``), and not numbers that repeat across customers (``phone_minutes``)."""
    values = s.dropna()
    distinct = values.nunique()
    if distinct <= 2:
        return False
    if pd.api.types.is_numeric_dtype(values):
        return distinct >= 0.9 * len(values)
    return True


def _check_id(check: _Checker, ident: Mapping[str, Any] | None, p, columns: set[str], checked: set[str]) -> None:
    """Check the id column the schema's ``id`` entry names (through its params key); mark it checked."""
    if ident:
        key = ident.get("key", "id_col")
        name = getattr(p, key, None) or ident.get("default")
        if name is not None:
            checked.add(str(name))
            if str(name) in columns:
                check.column(str(name), {**ident, "required": True}, key)
            else:
                check.add("error", "absent", name, f"the id column {name!r} ({key}) is not in the data", 0, key,
                          f"set {key} to one of: {', '.join(map(str, check.df.columns))}")


def validate(df: pd.DataFrame, schema: Mapping[str, Any] | None, params=None, *,
             raise_errors: bool = True) -> list[Finding]:
    """Check ``df`` against a data kind's schema (``Kind.schema()``; None checks nothing).

    Parameters
    ----------
    df : DataFrame
        The raw input table (as loaded, before cleaning). Never modified.
    schema : mapping or None
        The expected input; its ``kind`` names the data kind in messages.
    params : Params or mapping, optional
        Gives the column mapping (``customer_col`` ...) and ``id_col``; default: the schema defaults.
    raise_errors : bool
        Raise on hard failures (default). With False, they are returned as ``error`` findings.

    Returns
    -------
    list of Finding
        Errors first, then warnings, then notes; in column order within each.

    Raises
    ------
    ColumnError
        A required column is absent, or a typed column has values that do not parse.
    DataValueError
        Other hard failures: too few rows, a required column with no value, a rule marked ``error``.
    """
    if not schema:
        return []
    kind = schema.get("kind", "input")
    p = _params(params, kind)
    check = _Checker(df, schema)
    by_params = schema.get("key_by") == "params"
    columns = {str(c) for c in df.columns}
    checked: set[str] = set()
    ignored = {c for c, role in (getattr(p, "roles", None) or {}).items() if role == "ignore"}
    _check_id(check, schema.get("id"), p, columns, checked)

    for name_or_key, spec in (schema.get("columns") or {}).items():
        key = name_or_key if by_params else None
        name = getattr(p, name_or_key, None) if by_params else name_or_key
        required = bool(spec.get("required")) or (
            spec.get("required_unless") is not None and getattr(p, spec["required_unless"], None) is None)
        if by_params and name is None:
            if required:
                check.add("error", "absent", None, f"{key} is not set, and the {spec.get('description', key)} is "
                          "needed", 0, key, f"set {key} to the name of that column")
            continue
        checked.add(str(name))
        if str(name) not in columns:
            if required or by_params:  # a mapped column must exist even when optional
                check.add("error", "absent", name, f"{_where(str(name), key)} is not in the data", 0, key,
                          f"set {key or 'the column name'} to one of: {', '.join(map(str, df.columns))}"
                          + (f", or {key}: null if the data has none" if by_params and not required else ""))
            continue
        check.column(str(name), {**spec, "required": required}, key)

    named = set(checked)  # the id and the mapped columns: their own rules say what is plausible
    ranged = {str(c) for c in (getattr(p, "valid_range", None) or {})}  # the user's range replaces the pattern's
    for rule in schema.get("patterns") or []:
        for col in map(str, df.columns):
            if col in checked or col in ignored or not re.search(rule["match"], col):
                continue
            checked.add(col)
            check.column(col, {k: v for k, v in rule.items() if k not in ("min", "max")} if col in ranged else rule,
                         typed=False)

    table_rules = schema.get("table") or {}
    check.table(table_rules, checked | ignored)
    check.shown_currency(p)
    if table_rules.get("values"):
        # a column the params give a valid range is the user's to judge: its values outside become missing
        check.values(table_rules["values"], [c for c in df.columns if str(c) not in named | ignored | ranged])
    findings = by_severity(check.out)
    errors = [f for f in findings if f.severity == "error"]
    if errors and raise_errors:
        cls = ColumnError if any(f.rule in ("absent", "type") for f in errors) else DataValueError
        first = errors[0]
        fixes = "; ".join(dict.fromkeys(f.fix for f in errors if f.fix)) or "correct the input"
        raise cls(f"the {kind} input fails its schema: " + "; ".join(f.message for f in errors), fixes,
                  key=first.key, column=first.column)
    return findings


def money_currencies(df: pd.DataFrame, params, read: Mapping[str, str] | None = None) -> dict[str, str]:
    """The one currency each money column of ``df`` carries, as the reader found it (``attrs["currency_of"]``) or
    the cleaning read it (``read``: :meth:`~segkit.cleaning.CleaningLog.currencies`): the amount, price and refund
    columns the params map (transactions), else each column the roles do not leave out."""
    found = {**(read or {}), **df.attrs.get("currency_of", {})}
    mapped = {str(getattr(params, k, None)) for k in ("amount_col", "price_col", "refund_col")} & set(map(str, df))
    if mapped:
        return {c: s for c, s in found.items() if c in mapped}
    out = {str(c) for c, r in (getattr(params, "roles", None) or {}).items() if r in ("ignore", "id")}
    return {c: s for c, s in found.items() if c not in out}
