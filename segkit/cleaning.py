"""What every data kind's cleaning shares: the cleaning log and the examples in messages.

A kind's ``clean`` applies its own rules in order and records each in a :class:`CleaningLog`, which the
data-quality report shows rule by rule and the manifest keeps. The log also keeps how each column was read
(:meth:`CleaningLog.read`, from a :mod:`segkit.parse` reading): the date layout used and why, the numbers
that were blank or could not be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CleaningStep", "CleaningLog", "examples", "SUMMARY_IDS", "is_summary_id", "labelled_summary", "rows_added"]

#: Ids of an export's summary row, not of a customer (compared trimmed, in lower case, with or without a final
#: colon), in the languages of the exports tried (a Brazilian shop's "Total geral"): the transactions'
#: ``summary_lines`` and the customers' ``summary_rows`` rules remove such rows.
SUMMARY_IDS = ("total", "totals", "grand total", "subtotal", "sub total", "sub-total", "summe", "gesamt",
               "gesamtsumme", "total général", "total geral", "total general", "totale generale", "totaal",
               "sum total")  # not "suma", "summa" or "totale": names of people too
SUMMARY_ID_TEXTS = frozenset(w + end for w in SUMMARY_IDS for end in ("", ":"))


def is_summary_id(ids: pd.Series) -> np.ndarray:
    """True where an id is a summary word ("Total", " Grand total: ").

    >>> is_summary_id(pd.Series(["12345", " Grand Total: ", None, "Summit", "SUM"])).tolist()
    [False, True, False, False, False]
    """
    # on the distinct ids (a few thousand customers, not every line): 34 -> 8 ms on Online Retail's 406,829 lines
    hits = [v for v in pd.unique(ids.dropna()) if str(v).strip().lower() in SUMMARY_ID_TEXTS]
    return ids.isin(hits).to_numpy(dtype=bool) if hits else np.zeros(len(ids), dtype=bool)


def labelled_summary(table: pd.DataFrame, id_col) -> np.ndarray:
    """True where a row's id is blank and its first column holds a summary word: a total line labelled where a
    spreadsheet puts its labels ("Summe;;;;171.506,90" below a till export's lines).

    >>> t = pd.DataFrame({"Datum": ["02.01.2023", "Summe", "Total"], "Kunde": ["K1", None, "K2"], "EUR": [1, 9, 3]})
    >>> labelled_summary(t, "Kunde").tolist()
    [False, True, False]
    """
    first = table.iloc[:, 0] if len(table.columns) else None
    if id_col not in table.columns or table.columns[0] == id_col or pd.api.types.is_numeric_dtype(first):
        return np.zeros(len(table), dtype=bool)  # a column of numbers holds no "Total"
    labelled = is_summary_id(first.astype("string"))
    if not labelled.any():  # most tables: the ids are not read at all (0.2 s for 541,909 float ids)
        return labelled
    ids = table[id_col].astype("string").str.strip()
    return labelled & (ids.isna() | ids.eq("")).to_numpy(dtype=bool)


def rows_added(step: Mapping[str, Any]) -> int:
    """The rows a cleaning step (a :class:`CleaningStep` as a dict, as the manifest keeps it) added, such as the
    refunds' lines: what its rows after hold beyond its rows before, less those it removed.

    >>> rows_added({"rows_before": 10, "rows_removed": 2, "rows_after": 11})
    3
    """
    return int(step["rows_after"]) - int(step["rows_before"]) + int(step["rows_removed"])


@dataclass(frozen=True)
class CleaningStep:
    """One applied rule: what it does and how many rows it removed (or netted; ``rows_after`` exceeds
    ``rows_before`` when it added rows)."""

    rule: str
    description: str
    rows_before: int
    rows_removed: int
    rows_after: int
    rows_netted: int = 0
    note: str = ""


#: Rule -> the params setting that keeps the rows it removes, for rules a user may want to turn off.
KEEP_PARAMS = {"duplicates": "drop_duplicates: false", "non_product": "non_product_codes: []"}


@dataclass
class CleaningLog:
    """Ordered record of the cleaning rules applied, for reports and run metadata.

    Attributes
    ----------
    steps : list of CleaningStep
    readings : list of dict
        How columns were read (:meth:`read`), in the order they were read.
    """

    steps: list[CleaningStep] = field(default_factory=list)
    readings: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rule: str, description: str, rows_before: int, rows_removed: int,
            *, rows_netted: int = 0, note: str = "", rows_added: int = 0) -> None:
        """Append a step; ``rows_after`` is computed (``rows_added``: rows the step adds, such as a line per refund)."""
        self.steps.append(CleaningStep(rule, description, int(rows_before), int(rows_removed),
                                       int(rows_before) - int(rows_removed) + int(rows_added), int(rows_netted),
                                       note))

    @property
    def rows_in(self) -> int:
        """Rows before the first rule (0 for an empty log)."""
        return self.steps[0].rows_before if self.steps else 0

    @property
    def rows_out(self) -> int:
        """Rows after the last rule (0 for an empty log)."""
        return self.steps[-1].rows_after if self.steps else 0

    def __getitem__(self, rule: str) -> CleaningStep:
        for step in self.steps:
            if step.rule == rule:
                return step
        raise KeyError(f"no cleaning rule {rule!r}; rules: {[s.rule for s in self.steps]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per rule, in order, with the step fields as columns."""
        names = [f.name for f in fields(CleaningStep)]
        return pd.DataFrame([asdict(s) for s in self.steps], columns=names)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (plain ints and strings)."""
        return {"rows_in": self.rows_in, "rows_out": self.rows_out,
                "steps": [asdict(s) for s in self.steps], "readings": list(self.readings)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CleaningLog:
        """Inverse of :meth:`to_dict`."""
        return cls([CleaningStep(**step) for step in data["steps"]], list(data.get("readings", [])))

    def read(self, reading, *, key: str | None = None, note: str = "") -> None:
        """Record how a column was read: a :mod:`segkit.parse` reading (dates or numbers), the params key that
        names the column, and what the cleaning did with what could not be read (``note``)."""
        kind = "dates" if hasattr(reading, "ambiguous") else "numbers"
        self.readings.append({"as": kind, "key": key, **reading.to_dict(), "note": note})

    def currencies(self) -> dict[str, str]:
        """The one currency each column read as numbers carried ("52.000,00 €": ``{column: "€"}``): what the
        reader records for a file's text columns (``attrs["currency_of"]``), for the columns the cleaning reads
        (a database's or a Parquet file's text)."""
        return {r["column"]: r["currencies"][0] for r in self.readings
                if r.get("as") == "numbers" and len(r.get("currencies") or ()) == 1}

    def set_aside(self) -> dict[str, int]:
        """The rows each rule removed, of the rules that removed any (``segkit check`` says them: duplicates dropped
        are no warning, but a till's repeat scans would be items lost; :data:`KEEP_PARAMS` says how to keep them)."""
        return {s.rule: s.rows_removed for s in self.steps if s.rows_removed}

    def percents(self) -> list[str]:
        """The columns read as numbers written with a percent sign ("12%"), as :meth:`currencies` for signs."""
        return [r["column"] for r in self.readings if r.get("as") == "numbers" and r.get("unit") == "%"]

    def readings_frame(self) -> pd.DataFrame:
        """One row per column read: how (the layout or what was done to the numbers), why, and the counts of
        missing values (blank or written as ``NA``, ``-``, ...) and of values that could not be read."""
        rows = []
        for r in self.readings:
            how = r.get("reading") or ("numbers" + (f" ({r['unit']})" if r.get("unit") else ""))
            why = [r.get("why") or "; ".join(r.get("notes") or []) or "they are numbers"]
            if r.get("ambiguous") and "no value decides" not in why[0]:
                why.append("no value decides the order of day and month")
            if r.get("n_future"):
                why.append(f"{r['n_future']:,} after today (e.g. {', '.join(r['future_examples'])})")
            if r.get("n_unparsed"):
                why.append(f"not read: e.g. {', '.join(map(repr, r['unparsed_examples']))}")
            if r.get("note"):
                why.append(r["note"])
            rows.append({"column": r.get("column", ""), "key": r.get("key") or "", "read as": how,
                         "why": "; ".join(why), "missing": r.get("n_missing", 0), "not read": r.get("n_unparsed", 0)})
        return pd.DataFrame(rows, columns=["column", "key", "read as", "why", "missing", "not read"])


def examples(values, n: int = 3, *, quote: bool = True, count_rest: bool = False) -> str:
    """Up to ``n`` distinct values of ``values`` for a message naming examples.

    Values are shown as reprs (``quote``) or as plain text; with ``count_rest`` the number of distinct
    values not shown follows (``"a, b and 3 more"``).

    >>> examples(pd.Series(["x", "y", "x", "z"]), 2)
    "'x', 'y'"
    >>> examples(["17850", "12583", "13047"], 2, quote=False, count_rest=True)
    '17850, 12583 and 1 more'
    """
    distinct = pd.unique(pd.Series(list(values), dtype=object))
    shown = [v.item() if isinstance(v, np.generic) else v for v in distinct[:n]]
    text = ", ".join(repr(v) if quote else str(v) for v in shown)
    rest = len(distinct) - len(shown)
    return text + (f" and {rest:,} more" if count_rest and rest > 0 else "")
