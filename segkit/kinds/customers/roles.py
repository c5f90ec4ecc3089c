"""Column roles of a customer table: what each column is, decided from its values, with the reason.

:func:`role_table` gives every column a *role* and says why in plain words: ``id``, ``numeric``,
``categorical``, ``boolean``, ``date`` (features) or ``text``, ``constant``, ``near_unique`` (excluded,
like the id). Params override any decision (``ignore`` drops a column). :func:`detect_roles` returns
only the column -> role mapping. :func:`find_id_column` names the id column of a table whose ids may
still repeat (before cleaning), for the duplicate-id rule.

The detection rules, in order, for each column:

- no values, or a single value -> ``constant``;
- ``bool`` dtype, two repeated integer values (a sex's 0/1: ``categorical``) or two yes/no words -> ``boolean``;
- datetime dtype, text of which 95% reads as dates, or whole numbers that are all ``YYYYMMDD`` dates (unless
  the name says id) -> ``date``; dates and numbers are read by :mod:`segkit.parse` (one date layout per
  column; decimal comma, thousands separators, currency signs; blanks and ``NA``, ``-``, ``?`` missing);
- all distinct, nothing missing, and either an id-like name (``CustomerID``, ``customer_id``,
  ``client_no``), zero-padded digits, consecutive integers, or same-length codes (``C000123``) -> ``id``.
  Only one column is the id: the one with an id-like name, else the leftmost; others -> ``near_unique``;
- numbers (or numbers stored as text, 95% of them at least: the others are set missing in the cleaning):
  integers with at most 10 levels, each seen 3+ times on average, are ``numeric`` when the range is dense
  (``max - min + 1 <= 2 * levels``: counts and ratings such as 1..5) or the name says a count (``n_visits``,
  ``naffairs`` of 0..3, 7 and 12), and ``categorical`` otherwise (codes such as 10, 20, 99); every other number ->
  ``numeric``;
- text: mostly distinct values averaging 20+ characters and 3+ words -> ``text``; at least 90%
  distinct (and more than 10 levels) -> ``near_unique``; answers on a survey's scale (Disagree < Neutral < Agree,
  three levels at least) -> ``ordinal``; otherwise ``categorical``. The reason notes levels that look ordered
  (Bronze < Silver < Gold: tiers stay categories) and columns that look like gender;
- a feature named as a postal code (``ZIP``, ``postcode``, ``PLZ``) -> ``personal`` (excluded), unless two values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError, ParamsError
from ...format import YES_NO
from ...parse import read_dates, read_numbers
from .levels import coded_name, gender_label
from .scales import SURVEY_SCALES, TIERS, answer_scale, find_scale, in_order, off_scale, scale_range

__all__ = ["ROLES", "FEATURE_ROLES", "EXCLUDED_ROLES", "role_table", "detect_roles", "find_id_column"]

#: Every role a column can have.
ROLES = ("id", "numeric", "ordinal", "categorical", "boolean", "date", "text", "constant", "near_unique", "ignore",
         "outcome", "personal")
#: Roles that feed the segments (``ordinal``: answers on a scale, scored in their order; :mod:`.scales`).
FEATURE_ROLES = ("numeric", "ordinal", "categorical", "boolean", "date")
#: Roles left out of the features (the id becomes the index; ``ignore`` is only set by overrides; an ``outcome``, such
#: as churn, is shown in the profiles as the share of each segment with it, and never builds the segments).
EXCLUDED_ROLES = ("id", "text", "constant", "near_unique", "ignore", "outcome", "personal")

MAX_LEVELS = 10  # integer columns with at most this many levels are checked for codes
NEAR_UNIQUE_SHARE = 0.9  # text columns at least this distinct are near-unique
TEXT_MIN_CHARS = 20  # mean length of free text
DATE_PARSE_SHARE = 0.95  # share of text values that must parse as dates

_ID_NAME = re.compile(r"(?:^|[_\s.\-])(?:id|key|code|no|num|number|seqn)$", re.IGNORECASE)
#: The row labels R's write.csv and pandas' to_csv add (rownames, Unnamed: 0, index): names of an id too, but the id
#: only when the table has no other column named as one.
_ROW_LABEL = re.compile(r"^(?:row[_\s.]?names?|unnamed: ?0|index)$", re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z](?:ID|Id)$")
#: A column named as a day of the month ("day", "contact_day", "day_of_month"): with values 1..31, part of a date.
_DAY_NAME = re.compile(r"(?i)(?:^|[_\s.\-])(?:day|dom|day[_\s]?of[_\s]?(?:the[_\s]?)?month)$")
#: A column named only as a year, of calendar years: when the row was recorded (ISLR's Wage: the survey's year, 2003 to
#: 2009, set segments apart as "lower year"); a year of birth or of joining says so in its name and is kept.
_RECORD_YEAR = re.compile(r"(?i)(?:survey[_\s.\-]?|record[_\s.\-]?|data[_\s.\-]?|report[_\s.\-]?)?(?:year|yr)")
#: A name that says a count (n_visits, num_orders, number_of_children, nb_enfants, nChildren, visit_count; R's
#: naffairs): whole numbers of few levels over a wide range are then a count with gaps, not codes (COUNT's affairs read
#: 0, 1, 2, 3, 7 and 12 affairs as six categories, "naffairs: 12").
_COUNT_NAME = re.compile(r"^(?:(?i:n|nb|nr|num|no|number|count|cnt)[_\s.\-]+(?i:of[_\s.\-]+)?[A-Za-z]"
                         r"|(?:[Nn]|[Nn]b|[Nn]um|[Nn]umber)[A-Z]|n[a-z]{3,}s$|(?i:num|number)[a-z]{3,}s$)"
                         r"|(?i:[_\s.\-](?:count|cnt)$)")
#: Names of numbers that identify rather than measure: a phone (home_phone, mobile_no), account or card number.
_CONTACT_NAME = re.compile(r"(?i)(?:(?:^|[_\s.\-])(?:phone|telephone)|^(?:mobile|cell|tel|fax))"
                           r"(?:[_\s.\-]?(?:number|no|nr))?$"
                           r"|(?:^|[_\s.\-])(?:iban|ssn|(?:account|card|contract)[_\s.\-]?(?:number|no|nr|num))$")
#: A place named by a number (a commune, a district; state and ward alone: not a health_state): codes, not a measure
_PLACE_CODE = re.compile(r"(?i)^(?:(?:.*[_\s.\-])?(?:commune|district|county|region|province|municipality|canton|"
                         r"prefecture|parish|city|town|village)|state|ward)(?:[_\s.\-]?(?:code|id|nr|no|num|number))?$")
#: Names of a postal code (ZIP, zip_code, Billing Zip, PostalCode, postcode, PLZ, code postal), which locates a customer
#: rather than describing one: the schema warns that it is personal data, and it builds no segments unless the
#: params' roles say so. Not zipper_size or a postal_region.
_POSTAL_NAME = re.compile(r"(?i)(?:^|[\s_.\-])(?:zip|plz|post(?:al)?[\s_.\-]?code|code[\s_.\-]?postal|"
                          r"c[óo]digo[\s_.\-]?postal)(?:[\s_.\-]?code)?(?:$|[\s_.\-])|zip(?:[\s_.\-]?code)?$|"
                          r"postal[\s_.\-]?code")
#: Yes and no, as (yes, no): in English (:data:`segkit.format.YES_NO`), and in German, French, Spanish, Italian,
#: Portuguese and Dutch exports.
YES_NO_ABROAD = (("ja", "nein"), ("oui", "non"), ("sí", "no"), ("si", "no"), ("sim", "não"), ("ja", "nee"))
_BOOL_WORDS = [set(pair) for pair in YES_NO + YES_NO_ABROAD]
#: Names of a two-valued column that records what happened to the customer (the outcome a model would predict), not
#: who they are: churn, exited, attrition, converted, subscribed, cancelled (and cancelled in German, French, Spanish,
#: Italian, Portuguese and Dutch: gekündigt, résilié, cancelado, disdetta, opgezegd); and the generic target, label,
#: outcome, response, y, purchase(d) (ISLR's Caravan), bought, defaulted (not "default", which the bank marketing table
#: uses for a customer's credit in default), renewed, retained and fraud, and a study's death, survived, relapse and
#: readmitted (NHEFS's death), which are outcomes only when their values say yes or no (:data:`_YES_NO`): a label
#: gold/silver, a purchase online/in store, are features.
_OUTCOME_NAME = re.compile(r"(?i)(?:is[_\s]?|has[_\s]?)?(?:churn(?:ed)?|exited|attrition|attrited|converted|subscribed|"
                           r"responded|unsubscribed|"
                           r"cancell?ed|cancellation|gek(?:ü|ue)ndigt|k(?:ü|ue)ndigung|"
                           r"abgewandert|abwanderung|r[ée]sili[ée]|r[ée]siliation|d[ée]sabonn[ée]|baja|abandono|"
                           r"cancelad[oa]|cancelaci[óo]n|disdett[ao]|opgezegd|evas[ãa]o)"
                           r"(?:[_\s]?(?:flag|label|status|yes[_\s]?no))?")
_GENERIC_OUTCOME = re.compile(r"(?i)target|label|outcome|response|y|(?:is[_\s]?|has[_\s]?)?"
                              r"(?:purchased?|bought|defaulted|renewed|retained|fraud(?:ulent)?|"
                              r"death|died|dead|deceased|survived|relapsed?|readmitted)")
_YES_NO = {w for words in _BOOL_WORDS for w in words} | {"0", "1", "0.0", "1.0"}
_GENDER_WORDS = {"male", "female", "m", "f", "other", "non-binary", "nonbinary", "man", "woman", "unknown"}


# --- roles ----------------------------------------------------------------------------------------
def _choice(value, choices, key: str, what: str) -> None:
    if value not in choices:
        raise ParamsError(f"{what} is {value!r}, which is unknown", fix="use one of: " + ", ".join(choices), key=key)


def _require_columns(columns, table: pd.DataFrame, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        what = what.replace("column(s)", "column" if len(missing) == 1 else "columns")
        raise ColumnError(f"{what} not in the data: {', '.join(repr(str(c)) for c in missing)}",
                          fix="use columns from: " + ", ".join(map(str, table.columns)), column=str(missing[0]))


def _id_name(name: str) -> bool:
    return bool(_ID_NAME.search(name) or _ID_CAMEL.search(name) or _row_label(name))


def _row_label(name) -> bool:  # R's rownames, pandas' Unnamed: 0
    return bool(_ROW_LABEL.match(str(name).strip()))


def _yyyymmdd(vals: np.ndarray, name: str) -> tuple[str, str] | None:
    """``date`` for whole numbers that are all ``YYYYMMDD`` dates (20120904), unless the name says id."""
    if len(vals) < 2 or _id_name(name) or not np.all((vals >= 19000101) & (vals <= 21001231) & (np.mod(vals, 1) == 0)):
        return None
    if (reading := read_dates(pd.Series(vals))).n_unparsed:
        return None
    return "date", (f"whole numbers that are all YYYYMMDD dates, {reading.values.min():%Y-%m-%d} to "
                    f"{reading.values.max():%Y-%m-%d} -> date (as days since)")


def _numeric_role(vals: np.ndarray, name: str, n_missing: int, prefix: str = "") -> tuple[str, str]:
    vals = vals[np.isfinite(vals)]  # infinite values become missing in the cleaning; they say nothing of the role
    if not len(vals):
        return "constant", f"{prefix}only infinite values -> constant (excluded)"
    if (dated := _yyyymmdd(vals, name)) is not None:
        return dated
    integral = bool(np.all(np.mod(vals, 1) == 0))
    uniq = np.unique(vals)
    lo, hi, k = vals.min(), vals.max(), len(uniq)
    kind = "integer" if integral else "decimal"
    base = f"{prefix}{kind} values {lo:.10g}..{hi:.10g}"
    if integral and lo >= 1 and hi <= 31 and k >= 20 and _DAY_NAME.search(name):
        return "ignore", (f"{base}, name '{name}' says a day of the month: part of a date, not a measure of a customer "
                          f"-> ignore (roles: {{{name}: numeric}} keeps it)")
    if integral and k > 2 and _PLACE_CODE.search(name.strip()):  # VietNamH's commune 1..194: "high commune"
        why = f"{base}, name '{name}' says a place: {k} places' codes, not a measure ->"
        return ("categorical", f"{why} categorical") if k <= 12 else ("ignore", f"{why} ignore (roles: {{{name}: "
                                                                             "categorical} keeps them as places)")
    if integral and lo >= 1900 and hi <= 2100 and _RECORD_YEAR.fullmatch(name.strip()):
        return "ignore", (f"{base}, name '{name}' says the year of the record (of a survey, an export): when it was "
                          f"measured, not a trait of the customer -> ignore (roles: {{{name}: numeric}} keeps it)")
    if integral and k == len(vals) and n_missing == 0 and k > 2:
        if _id_name(name):
            return "id", f"{base}, all distinct, name '{name}' looks like an id -> id"
        if hi - lo + 1 == k:
            return "id", f"{base}, all distinct and consecutive (a row number) -> id"
    width = {len(str(int(v))) for v in uniq[[0, -1]]} if integral and lo > 0 else set()  # digits of the extremes
    coded = len(width) == 1 and width.pop() >= 9  # as phone and account numbers: all as long, and long
    if integral and k >= 0.95 * len(vals) and len(vals) > 20 and (coded or _CONTACT_NAME.search(name)):
        why = ("whole numbers all of 9 digits or more" if coded
               else f"name '{name}' looks like a phone or account number")
        return "near_unique", (f"{base}, {k} distinct in {len(vals)} rows, {why} -> near_unique (an identifier, "
                               "excluded)")
    repeated = len(vals) >= 3 * k  # few levels only mean something when values repeat
    if integral and k == 2 and repeated:  # but a sex coded 0/1 (NHEFS): two codes, not "sex: yes"
        role = "categorical" if coded_name(name) else "boolean"
        return role, f"{prefix}only two values ({lo:.10g}, {hi:.10g}) -> {role}"
    if integral and k <= MAX_LEVELS and repeated:
        if coded_name(name):  # MASS's birthwt race 1/2/3: codes, not "high race"
            return "categorical", f"{base}, {k} levels, name '{name}' says a trait of several kinds (codes) -> " \
                                  "categorical"
        if hi - lo + 1 <= 2 * k:
            return "numeric", f"{base}, {k} levels over a small dense range (a count or rating) -> numeric"
        if lo >= 0 and _COUNT_NAME.search(name.strip()):
            return "numeric", f"{base}, {k} levels, name '{name}' says a count -> numeric"
        return "categorical", f"{base}, {k} levels spread over a wide range (codes) -> categorical"
    note = f", name '{name}' looks like an id but values repeat" if _id_name(name) else ""
    return "numeric", f"{base}, {k} distinct{note} -> numeric"


def _number_role(text: pd.Series, uniq: np.ndarray, name: str, n_missing: int) -> tuple[str, str] | None:
    """The role of text that holds numbers (:func:`segkit.parse.read_numbers`: ``"42"``, ``"101,5"``, ``"£1,200"``;
    blanks and ``NA`` are missing), or None when it does not."""
    if read_numbers(pd.Series(uniq[:1000])).n_unparsed > 0.05 * min(len(uniq), 1000):  # a cheap look first
        return None
    reading = read_numbers(text)
    values = reading.values.dropna().to_numpy(float)
    n_missing += reading.n_missing
    if not len(values) or reading.n_unparsed > 0.05 * (len(text) - reading.n_missing):
        return None
    if reading.n_unparsed:  # a few stray values ("#REF!") in a number column: flag, don't re-type
        share = 1 - reading.n_unparsed / (len(text) - reading.n_missing)
        return "numeric", (f"{100 * share:.0f}% of values are numbers -> numeric (the "
                           f"{reading.n_unparsed:,} others, e.g. {', '.join(map(repr, reading.unparsed_examples))}, "
                           "are set missing in the cleaning)")
    if text.str.fullmatch(r"0\d+").any():
        if len(uniq) == len(text) and n_missing == 0:
            return "id", f"zero-padded codes {text.min()}..{text.max()}, all distinct -> id"
        return "categorical", f"zero-padded codes, {len(uniq)} levels -> categorical"
    how = f" ({'; '.join(reading.notes)})" if reading.notes else ""
    return _numeric_role(values, name, n_missing, f"numbers stored as text{how}: ")


def _date_role(uniq: np.ndarray) -> tuple[str, str] | None:
    """``date`` when 95% of the distinct values (500 at most) read as dates (:func:`segkit.parse.read_dates`)."""
    text = pd.Series(uniq[:500])
    read = (reading := read_dates(text)).values.dropna()
    if len(read) and len(read) >= DATE_PARSE_SHARE * (min(len(uniq), 500) - reading.n_missing):
        first, last = (f"{text[i]} ({read[i]:%Y-%m-%d})" for i in (read.idxmin(), read.idxmax()))
        span = (f"from {first} to {last}" if len(uniq) <= 500 else  # all of them read, each as written and as read
                f"such as {first} and {last} (checked on 500 of its {len(uniq):,} distinct values)")
        return "date", f"text dates {span}, read as {reading.reading} -> date (as days since)"
    return None


def _text_role(s: pd.Series, name: str, n_missing: int) -> tuple[str, str]:
    text = s.astype(str).str.strip()
    uniq = pd.unique(text)
    k, n = len(uniq), len(text)
    if found := _number_role(text, uniq, name, n_missing) or _date_role(uniq):
        return found
    lower = {u.lower() for u in uniq} if k <= 50 else set()
    if k == 2 and any(lower == words for words in _BOOL_WORDS):
        return "boolean", f"two values ({', '.join(sorted(uniq))}) -> boolean"
    scale = answer_scale(text, SURVEY_SCALES) if lower else None
    if scale:
        (lo, hi), off = scale_range(scale), off_scale(text, scale)
        return "ordinal", (f"answers on a scale ({' < '.join(in_order(uniq, scale))}) -> ordinal (scored {lo} to {hi})"
                           + (f"; {', '.join(map(repr, off.index[:3]))} count as no answer" if len(off) else ""))
    if k == n and n_missing == 0:
        codes = text.str.len().nunique() == 1 and text.str.fullmatch(r"[A-Za-z0-9_\-]+").all()
        if _id_name(name) or codes:
            why = f"name '{name}' looks like an id" if _id_name(name) else "same-length codes"
            return "id", f"text codes such as '{uniq[0]}', all distinct, {why} -> id"
    share = k / n
    mean_len = text.str.len().mean()
    if share >= 0.5 and k > MAX_LEVELS and mean_len >= TEXT_MIN_CHARS and text.str.split().str.len().median() >= 3:
        return "text", f"free text: {k} distinct values averaging {mean_len:.0f} characters -> text (excluded)"
    if share >= NEAR_UNIQUE_SHARE and k > MAX_LEVELS:
        return "near_unique", f"{k} distinct values in {n} rows ({share:.0%}) -> near_unique (excluded)"
    shown = sorted(uniq)[:6]
    reason = f"text with {k} levels ({', '.join(shown)}{', ...' if k > 6 else ''}) -> categorical"
    if lower and lower <= _GENDER_WORDS and not re.search(r"gender|sex", name, re.IGNORECASE):
        said = "; the reports call it gender" if gender_label(text, name) else ""  # "Genre": the word in French
        reason += f"; '{name}' looks like gender (kept under its own name{said})"
    tier = find_scale(uniq, TIERS) if lower else None
    if tier:
        reason += f"; its levels have an order ({' < '.join(in_order(uniq, tier))}) that the segments do not use " \
                  f"(roles: {{{name}: ordinal}} in the params uses it)"
    if k > 50:
        reason += "; many levels, rare ones are grouped"
    return "categorical", reason


def _detect(s: pd.Series, name: str) -> tuple[str, str]:
    nonnull = s.dropna()
    n_missing = len(s) - len(nonnull)
    if nonnull.empty:
        return "constant", "all values missing -> constant (excluded)"
    if nonnull.nunique() == 1:
        value = nonnull.iloc[0]
        value = value.item() if isinstance(value, np.generic) else value  # 0, not np.int64(0) (numpy 2's repr)
        return "constant", f"the single value {value!r} in every filled row -> constant (excluded)"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date", f"dates from {nonnull.min():%Y-%m-%d} to {nonnull.max():%Y-%m-%d} -> date (as days since)"
    if pd.api.types.is_bool_dtype(s) or s.dtype == object and set(pd.unique(nonnull)) <= {True, False}:
        return _outcome("boolean", "true/false values -> boolean", nonnull, name)
    if pd.api.types.is_numeric_dtype(s):
        return _personal(*_outcome(*_numeric_role(nonnull.to_numpy(dtype=float), name, n_missing), nonnull, name),
                         nonnull, name)
    role, reason = _text_role(nonnull, name, n_missing)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered and role == "categorical":
        reason += "; ordered categorical dtype"
    return _personal(*_outcome(role, reason, nonnull, name), nonnull, name)


def _personal(role: str, reason: str, nonnull: pd.Series, name: str) -> tuple[str, str]:
    """``personal`` for a feature named as a postal code (:data:`_POSTAL_NAME`; text or numbers), unless it is a
    yes/no column: a ZIP code is no trait of a customer to segment on ("customers in 01002"), and may identify one.
    (Names, e-mails and phone numbers are near-unique already.)"""
    if role not in FEATURE_ROLES or nonnull.nunique() <= 2 or not _POSTAL_NAME.search(name.strip()):
        return role, reason
    return "personal", (f"{reason}; but the name says a postal code: personal data -> personal (excluded; set roles: "
                        f"{{{name}: categorical}} to segment by it)")


def _outcome(role: str, reason: str, nonnull: pd.Series, name: str) -> tuple[str, str]:
    """``outcome`` for a two-valued column named as an outcome (:data:`_OUTCOME_NAME`: ``Churn``, ``y``) or whose
    values are good and bad (a credit table's ``Status``: a new applicant has none yet), else the role as detected."""
    if role not in ("boolean", "categorical") or nonnull.nunique() != 2:
        return role, reason
    levels = {str(v).strip().lower() for v in pd.unique(nonnull)}
    named = _OUTCOME_NAME.fullmatch(name.strip()) or (_GENERIC_OUTCOME.fullmatch(name.strip()) and levels <= _YES_NO)
    # a credit table's Status good/bad, Whickham's outcome Alive/Dead: how the customer turned out, known only later
    judged = levels in ({"good", "bad"}, {"alive", "dead"}, {"survived", "died"})
    if named or judged:
        says = "the name says what happened to the customer" if named else \
            f"its values ({', '.join(sorted(levels))}) say how the customer turned out"
        return "outcome", (f"{reason}; {says} -> outcome (its share in each segment is shown; it does not build "
                           "them)")
    return role, reason


def _check_override(df: pd.DataFrame, overrides: Mapping[str, str] | None) -> dict[str, str]:
    overrides = dict(overrides or {})
    _require_columns(overrides, df, "the roles override names column(s)")
    for col, role in overrides.items():
        _choice(role, ROLES, "roles", f"the role of column {col!r} in the roles override")
    _one_id(overrides)
    return overrides


def _one_id(roles: Mapping[str, str]) -> list[str]:
    ids = [c for c, r in roles.items() if r == "id"]
    if len(ids) > 1:
        raise ParamsError(f"the roles mark {len(ids)} columns as id ({', '.join(map(str, ids))})",
                          fix="a customer table has one id column: keep one and mark the others near_unique",
                          key="roles")
    return ids


def role_table(df: pd.DataFrame, *, overrides: Mapping[str, str] | None = None,
               id_col: str | None = None) -> pd.DataFrame:
    """Decide the role of every column of a customer table, and say why.

    Parameters
    ----------
    df : DataFrame
        The customer table, one row per customer.
    overrides : mapping of str to str, optional
        Column -> role, from the ``roles`` params key; wins over detection.
    id_col : str, optional
        The id column (params ``id_col``); same as overriding its role to ``"id"``.

    Returns
    -------
    DataFrame
        One row per column, in the table's order: ``column``, ``dtype``, ``n_distinct``,
        ``distinct_share`` (of filled rows), ``missing_share``, ``role``, ``reason``.

    Raises
    ------
    ColumnError
        An override or ``id_col`` names a column that is not in the table.
    ParamsError
        An override uses an unknown role, or marks several id columns.

    Examples
    --------
    >>> df = pd.DataFrame({"CustomerID": [1, 2, 3, 4], "Genre": ["Male", "Female", "Female", "Male"],
    ...                    "Age": [19, 35, 64, 41]})
    >>> role_table(df)[["column", "role"]].values.tolist()
    [['CustomerID', 'id'], ['Genre', 'categorical'], ['Age', 'numeric']]
    """
    overrides = _check_override(df, overrides)
    if id_col is not None:
        _require_columns([id_col], df, "id_col names a column")
        overrides = _check_override(df, {**{c: r for c, r in overrides.items() if r != "id"}, id_col: "id"})
    rows = []
    for col in df.columns:
        s = df[col]
        n_filled, n_distinct = int(s.notna().sum()), int(s.nunique())
        rows.append((col, str(s.dtype), n_distinct, n_distinct / max(n_filled, 1), 1 - n_filled / max(len(s), 1),
                     *_detect(s, str(col))))
    table = pd.DataFrame(rows, columns=["column", "dtype", "n_distinct", "distinct_share", "missing_share",
                                        "role", "reason"])
    forced = [c for c, r in overrides.items() if r == "id"]
    candidates = [c for c in table.loc[table.role == "id", "column"] if c not in overrides]
    named = sorted((c for c in candidates if _id_name(str(c))), key=_row_label)
    keep = forced[0] if forced else next(iter(named), None)  # a customer_id before the row label an export added
    keep = keep if keep is not None else (candidates[0] if candidates else None)
    for i, col in enumerate(table.column):
        if col in overrides:
            detected = table.at[i, "reason"]
            table.at[i, "reason"] = f"set by the roles override (detected: {table.at[i, 'role']}, {detected})"
            table.at[i, "role"] = overrides[col]
        elif table.at[i, "role"] == "id" and col != keep:
            table.at[i, "role"] = "near_unique"
            table.at[i, "reason"] += f", but {keep!r} is the id -> near_unique (excluded)"
    return table


def detect_roles(df: pd.DataFrame, *, overrides: Mapping[str, str] | None = None,
                 id_col: str | None = None) -> dict[str, str]:
    """Return column -> role, as decided by :func:`role_table` (same parameters)."""
    table = role_table(df, overrides=overrides, id_col=id_col)
    return dict(zip(table["column"], table["role"]))


def _check_roles(roles: Mapping[str, str]) -> None:
    for col, role in roles.items():
        _choice(role, ROLES, "roles", f"the role of column {col!r}")


def find_id_column(df: pd.DataFrame, *, overrides: Mapping[str, str] | None = None,
                   id_col: str | None = None, min_distinct_share: float = 0.9) -> str | None:
    """The id column of a raw customer table, even when some ids repeat or are missing.

    ``id_col``, or the column the overrides mark ``id``, wins. Otherwise the column :func:`role_table`
    detects as the id; failing that (repeated ids stop detection), the leftmost column with an id-like
    name (``CustomerID``, ``client_no``) whose filled values are at least ``min_distinct_share`` distinct.
    Returns None when the table has no id.
    """
    if id_col is not None:
        return id_col
    forced = [c for c, r in (overrides or {}).items() if r == "id"]
    if forced:
        return forced[0]
    table = role_table(df, overrides=overrides)
    ids = table.loc[table.role == "id", "column"].tolist()
    if ids and not _row_label(ids[0]):
        return ids[0]
    for col in df.columns:  # a customer id with repeats goes before the row label an export added
        if col in (overrides or {}) or not _id_name(str(col)) or _row_label(col):
            continue
        filled = df[col].dropna()
        if len(filled) and filled.nunique() >= min_distinct_share * len(filled):
            return col
    return ids[0] if ids else None


def no_features_error(roles: Mapping[str, str]) -> ParamsError | DataValueError:
    """The error for a table where no column can feed the segments, saying why each column was left out
    (every column constant is the common case: a filtered export, a test file)."""
    by_role: dict[str, list[str]] = {}
    for col, role in roles.items():
        by_role.setdefault(role, []).append(str(col))
    constant = by_role.get("constant", [])
    if constant and len(constant) == sum(len(v) for r, v in by_role.items() if r != "id"):
        return DataValueError(f"every column holds a single value ({', '.join(map(repr, constant[:10]))}): constant "
                           "columns cannot tell customers apart, so there is nothing to segment on",
                           "check the export or query (was it filtered to one kind of customer?), or add columns "
                           "that differ between customers", key="data_path")
    why = "; ".join(f"{role}: {', '.join(map(repr, cols[:5]))}" for role, cols in by_role.items())
    return ParamsError(f"no column can feed the segments ({why})",
                       "set at least one column's role to numeric, categorical, boolean or date in the roles "
                       "params", key="roles")


#: What each role is, in the words of a page ("-> boolean" in a reason reads ": a yes/no column").
_ROLE_WORDS = {"id": "the id", "numeric": "a measure", "ordinal": "answers on a scale",
               "categorical": "categories", "boolean": "a yes/no column", "date": "a date", "text": "free text",
               "constant": "the same in every row", "near_unique": "an identifier, not a trait",
               "ignore": "left out", "outcome": "an outcome", "personal": "personal data"}
_CONCLUSION = re.compile(r" -> (?P<role>\w+)(?: \((?P<note>[^()]*)\))?")


def plain_reason(reason: str) -> str:
    """A :func:`role_table` reason in the words of a page: each conclusion ``-> role (note)`` as what the role is
    (``_ROLE_WORDS``), "excluded" as "left out", and a roles override as set by the params.

    Examples
    --------
    >>> plain_reason("only two values (0, 1) -> boolean")
    'only two values (0, 1): a yes/no column'
    >>> plain_reason("17 distinct values in 20 rows (85%) -> near_unique (excluded)")
    '17 distinct values in 20 rows (85%): an identifier, not a trait (left out)'
    """
    def conclusion(m: re.Match) -> str:
        if m["role"] == "id" and " -> near_unique" in m.string[m.end():]:  # "..., but 'customer_id' is the id -> ..."
            return ""
        words = _ROLE_WORDS.get(m["role"], m["role"])
        note = (m["note"] or "").replace("an identifier, excluded", "excluded").replace("excluded", "left out")
        if words in m.string[:m.start()].rsplit(";", 1)[-1]:  # "answers on a scale (...) -> ordinal (scored 1 to 5)"
            return f": {note}" if note else ""
        return f": {words}" + (f" ({note})" if note else "")

    text = re.sub(r"^set by the roles override \(detected: \w+, ", "set by the params' roles (found: ", reason)
    return _CONCLUSION.sub(conclusion, text)
