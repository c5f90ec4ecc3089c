"""What a customer table's numeric columns are in: a label in plain words and a unit, from the column's name and,
where the name is ambiguous, from its values.

A name says money ("balance", "monthly charges") or not ("score", "rate", "transactions"); purchases or payments
written with cents are amounts, whole ones counts, and a rate of them ("per month") neither; a percent (``pct``, or
a ``prc`` of values in 0..1: a credit-card table's PRC_FULL_PAYMENT) whose values lie in 0..1 is a share.
"""

from __future__ import annotations

import re

import pandas as pd

from ...naming.words import default_label, load_words, split_words, stated_unit
from ...format import THOUSANDS
from ...parse.numbers import CURRENCY_CODES, same_currency
from ...quality import AGE_WORDS, _numeric
from .naming import canonical_feature

__all__ = ["label", "logarithm", "logged", "money_columns", "unit", "without_thousands"]

_MONEY = (r"spend|spent|revenue|monetary|sales|income|salary|earning|wage|amount|balance|payment|price|cost|fee|"
          r"\b(charges?|bill|premiums?|fares?|clv|ltv|prc|cash advances?|credit limit)\b|"
          r"\b(order|purchase|basket|cart|transaction|lifetime) value\b|"
          # the same in German, Dutch, Spanish, Portuguese and French exports (Umsatz 12M, ingresos, montant)
          r"\b\w*(umsatz|ausgaben|einkommen|betrag|kontostand|omzet|uitgaven|inkomen|bedrag)\b|"  # Jahreseinkommen
          r"\b(monats|jahres|brutto|netto)?gehalt\b|"  # a salary, not a Fettgehalt (fat content)
          r"\b(ingresos|gastos?|"
          r"ventas|importe|salario|saldo|receita|renda|valor|montant|revenu|salaire|chiffre d affaires)\b")
_NOT_MONEY = (r"\b(score|rate|ratio|frequency|count|number|num|share|pct|percent|index|idx|rank|trx|transactions|"
              r"class|type|points?|miles|minutes|days|months|years|units|quantity|qty|items|pieces)\b")
#: Words of a count that, written with cents, is an amount: a credit-card table's PURCHASES of 95.40 ...
_AMOUNTS = r"\b(purchases?|payments?|deposits?|withdrawals?|transfers?|advances?)\b"
#: ... unless a rate or an average: 3.25 purchases per month are no dollars.
_RATES = r"\b(per|avg|average|mean|rate)\b"


#: A name of a logarithm: logwage, log_income, ln_sales, "Income (log)".
_LOGGED = re.compile(r"(?i)^(?:log|ln)(?=[_\s.\-]?[a-z])|[_\s.\-(](?:log|ln)\b")
#: Where a name says "log": what is left names the measure ("lnexp12m" -> "exp12m", "income_log" -> "income").
_LOG_MARK = re.compile(r"(?i)^(?:log|ln)[_\s.\-]?|[_\s.\-](?:log|ln)$")


def logged(col) -> bool:
    """Whether a column's name says it holds a logarithm (``logwage``, ``log_income``, ``Income (log)``; not
    ``login_count`` nor ``catalog_orders``).

    >>> [logged(c) for c in ("logwage", "log_income", "Income (log)", "ln_sales", "login_count", "catalog_orders")]
    [True, True, True, True, False, False]
    """
    return bool(_LOGGED.search(str(col))) and not re.match(r"(?i)^log(?:in|on|o|ged|gin|istic)", str(col))


def _fractions(values: pd.Series | None) -> bool:
    """Whether every value lies in 0..1 (a share, whatever the name says)."""
    return values is not None and bool(values.dropna().between(0, 1).all())


def _calendar_years(values: pd.Series | None, whole: bool = True) -> bool:
    """Whether every value is a number from 1800 to 2100, a whole one unless not ``whole`` (a year of birth, of
    signing up; a date written as a decimal year, 2016.5)."""
    if values is None or not values.notna().any():
        return False
    known = values.dropna()
    return bool((not whole or (known % 1 == 0).all()) and known.between(1800, 2100).all())


#: Names of a person's age: "age", or "age" after a word for the person ("Customer_Age", "client age"), and "Age
#: (years)", whose bracketed unit the name's words do not state.
_AGE = (r"^((customer|client|member|user|person|respondent|buyer|shopper|guest|patient|policyholder|driver) )?"
        r"age( (in )?(years|yrs))?$"
        rf"|^({'|'.join(sorted(AGE_WORDS - {'age'}))})( (in )?(jahren|años|anos|ans|anni|jaren|lat))?$")  # abroad


def _ages(col: str, values: pd.Series | None) -> bool:
    """Whether ``col`` names a person's age and its values read as years: all from 0 to 120, half of them 15 or more
    (an age band's codes 1-7 are no years; an account's age in days runs past 120)."""
    if values is None or not re.match(_AGE, _words(col)) or not values.notna().any():
        return False
    known = values.dropna()
    return bool(known.between(0, 120).all() and known.median() >= 15)


def _share_prc(col: str, values: pd.Series | None) -> bool:
    """Whether ``col`` says ``prc`` of values that all lie in 0..1: a percent (PRC_FULL_PAYMENT), not a price."""
    return "prc" in _words(col).split() and _fractions(values)


#: A currency as a column name's note writes it: a sign, a code the reader knows (case as written: "(kEUR)", never
#: "(week)"), or Rs.
_CUR = (r"(?:US\$|HK\$|[CA]\$|R\$|[£$€¥₹₩₽₺]|Rs\.?|(?:" + "|".join(sorted(CURRENCY_CODES))
        + r")(?![A-Za-z]))")
#: How a column name says its money is counted in thousands: "(k$)", "($k)", "(£ k)", "(kEUR)", "($000)", "('000)",
#: "(000s)", "(000's)", "($1000s)", "(in $1,000)", "(x1000)", "('000 USD)", "(Rs '000)", "(thousands)", "(USD
#: thousands)", "(thousands of dollars)", "(Tsd. €)", "(T€)", "in thousands", "_thousands", or a last word "k"
#: ("income_k", "IncomeK").
_THOUSANDS = re.compile(
    r"\s*\(\s*(?i:in\s+)?(?:" + _CUR + r"\s*)?(?:[xX]\s*)?(?:[kK]|[’']?(?:1,?)?000[’']?s?)\s*"
    r"(?:" + _CUR + r"\s*)?\)"
    r"|\s*\([^()]*?(?i:\bthousands?\b|\btsd\b\.?)[^()]*\)|\s*\(\s*T\s*€\s*\)"
    r"|(?:\s+|_)(?i:(?:in(?:\s+|_))?thousands?(?:(?:\s+|_)of(?:\s+|_)[a-z]+)?)$"
    r"|(?:(?<=[a-z])_|\s)[kK]$|(?<=[a-z])K$")
_NAMED_CURRENCY = {"dollar": "$", "euro": "€", "pound": "£"}


def _thousands_of(col: str, params) -> str | None:
    """The unit of a money column whose name says it counts thousands: :data:`~segkit.format.THOUSANDS` in the run's
    currency ("Annual Income (k$)" in a run in dollars, or a name that states no currency), else "k" and the currency
    the name states ("kEUR" for "Umsatz (kEUR)" in a run in pounds); None when the name says no thousands, or no
    money (a count, a score or a number of payments in thousands)."""
    said = _THOUSANDS.search(str(col))
    words = _words(_THOUSANDS.sub("", str(col)))
    if not said or not re.search(_MONEY, words) or re.search(_NOT_MONEY, words):
        return None
    named = re.search(r"(?i)\b(dollar|euro|pound)s?\b", said.group())  # "thousands of dollars"
    sign = re.search(_CUR, said.group())  # "(k$)", "('000 USD)", "(Tsd. €)", "(T€)"
    found = _NAMED_CURRENCY[named.group(1).lower()] if named else sign.group().rstrip(".") if sign else None
    if found is None or (params.currency and same_currency(found, params.currency)):
        return THOUSANDS
    return f"k{found}"


def without_thousands(label: str) -> str:
    """A label without its name's note that the money is counted in thousands ("Annual income (k$)" -> "Annual
    income"): the values say it ("$86.5k")."""
    return _THOUSANDS.sub("", label).strip() or label


def label(col: str, role: str, params, values: pd.Series | None = None) -> str:
    """The params' label, or plain words from the column name; a date reads "... (as days since)", a logarithm
    (:func:`logarithm`) "... (log)" after the words of what it is the logarithm of (VietNamH's lnmed: "Med (log)",
    not "Lnmed"). A ``prc`` of values in 0..1 is a percent, not a price (a credit-card table's PRC_FULL_PAYMENT). The
    label of money counted in thousands drops the name's note of it once its unit says it (:func:`without_thousands`).
    """
    words = {**load_words()[0], "prc": "percent"} if _share_prc(col, values) else None
    if (params.labels or {}).get(col):
        return params.labels[col]
    if role == "date":
        return f"{default_label(col, words)} (as days since)"
    if role == "numeric" and logarithm(col, values) and not re.search(r"(?i)\((?:log|ln)\)", col):
        said = re.sub(r" \([^)]*\)$", "", default_label(_LOG_MARK.sub(" ", col).strip(), words))  # no "($)": no unit
        return f"{said} (log)"
    return default_label(col, words)


def logarithm(col, values: pd.Series | None = None) -> bool:
    """Whether a column holds a logarithm: its name says so (:func:`logged`) and its values are no whole numbers
    (most of those not 0), as a count of logs would be, and within the +-30 a logarithm of any amount lies in (not
    hours logged, 10 to 160). Its index against the average is no ratio (the profile measures it from the lowest
    value, as a scale's: ``scores`` of :func:`~segkit.profile.profile_segments`), and it is in no unit.

    >>> logarithm("lnmed", pd.Series([7.31, 0.0, 5.2])), logarithm("log_count", pd.Series([3.0, 0.0, 12.0]))
    (True, False)
    >>> logarithm("log_hours", pd.Series([12.5, 160.25, 40.5]))
    False
    """
    if not logged(col):
        return False
    nonzero = values.dropna()[values.dropna() != 0] if values is not None else None
    return nonzero is None or not len(nonzero) or bool((nonzero % 1 != 0).mean() > 0.5
                                                       and nonzero.abs().max() <= 30)


def unit(col: str, params, values: pd.Series | None = None, sign: str | None = None) -> str | None:
    """The params' unit, or the one the name states (a percent whose values lie in 0..1 is a share), a calendar year
    for a name that says "year" over years' values, years for a person's age (:func:`_ages`), money for values written
    with a currency ``sign`` (the sign itself when it is not the run's currency), percent for values written with a
    percent ``sign`` ("%"), or money for a name that says so (not in thousands), or for purchases or payments written
    with cents (``values``)."""
    given = (params.units or {}).get(col)
    if given:
        return given
    if logarithm(col, values):
        return None  # ISLR's logwage, 4.9; "log_income_usd", 10.8: a logarithm is in no currency nor unit
    stated = stated_unit(col)
    if stated is None and "year" in _words(col).split() and _calendar_years(values):
        return "year"  # Year_Birth 1976: a calendar year, never "1,976"
    if stated is None and "date" in _words(col).split() and _calendar_years(values, whole=False):
        return "year"  # hotel_rates' arrival_date_num, 2016.5: a date as a decimal year, never "2,017"
    if stated is None and _ages(col, values):
        return "years"  # "Age: 26.7 years", as a census table's median age reads
    if sign == "%":  # written "12%" (or "0.10%"): the reader keeps 12 (0.1), in percent, whatever the name says
        return "%"
    if (stated == "%" or "prc" in _words(col).split()) and _fractions(values):
        return "share"
    if stated:
        return stated
    if sign:
        return "money" if same_currency(sign, params.currency) else sign
    if logged(col):
        return None  # a name that says log, of values not known (or whole): no money either
    counted_in_k = _thousands_of(col, params)
    if counted_in_k:
        return counted_in_k  # "Annual Income (k$)": $86.5k
    words, thousands = _words(col), re.search(r"\(k|k\$|thousand", str(col), re.IGNORECASE)
    if re.search(_MONEY, words) and not re.search(_NOT_MONEY, words) and not thousands:
        return "money"
    if values is not None and re.search(_AMOUNTS, words) and not re.search(_NOT_MONEY + "|" + _RATES, words) \
            and not thousands and (values[values.notna() & (values != 0)] % 1 != 0).mean() > 0.5:  # zeros: no cents
        return "money"
    return "count" if canonical_feature(col) in ("visits", "basket") else None


def money_columns(table: pd.DataFrame, params) -> list[str]:
    """The columns the reports show as money (:func:`unit`): by their values where numeric, else by their names."""
    return [str(c) for c in table.columns if unit(str(c), params, table[c] if _numeric(table[c]) else None) == "money"]


def _words(name: str) -> str:
    """The name's words in lower case ("MonthlyCharges" -> "monthly charges")."""
    return re.sub(r"[\W_]+", " ", " ".join(split_words(str(name))).lower()).strip()
