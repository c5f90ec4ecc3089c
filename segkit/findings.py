"""What a check of the input finds: :class:`Finding` (a problem or a note, with its severity, rule, column, rows,
params key and fix), shared by the schema's checks (:mod:`segkit.schema`), the kinds' own checks and the pages that
show them, and the ways to order and tabulate them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

__all__ = ["Finding", "SEVERITIES", "by_severity", "findings_table"]

#: Severities, most serious first. ``error`` findings are raised unless ``raise_errors=False``.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One result of a schema check.

    Attributes
    ----------
    severity : {"error", "warning", "info"}
    rule : str
        The check: ``absent``, ``type``, ``empty``, ``missing`` (also blanks that likely mean 0), ``range``,
        ``integer``, ``nonzero``, ``unique``, ``pattern``, ``constant``, ``personal``, ``missing_codes``, ``rows``,
        ``columns``; ``stages`` for what an optional notebook would stop on, found on a sample (``preflight``);
        ``currency`` and ``scales`` for amounts in several currencies and shares beside percents (the reader's);
        ``refunds`` for orders refunded in part and ``test_ids`` for customer ids of test accounts (transactions'
        ``input_findings``); ``outcome`` for an outcome of three or more values (customers' ``feature_findings``).
    column : str or None
        The input column (None for table rules).
    message : str
        What was found, with counts and examples.
    rows : int
        Rows concerned.
    key : str or None
        The params key that names the column, where there is one.
    fix : str or None
        What to do about it.
    """

    severity: str
    rule: str
    column: str | None
    message: str
    rows: int = 0
    key: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def said(self) -> str:
        """The message with its fix, as the terminal shows a warning (the fix once, when the message lacks it)."""
        return self.message + (f". Fix: {self.fix}" if self.fix and self.fix not in self.message else "")


def by_severity(findings: list) -> list:
    """``findings`` errors first, then warnings, then notes (:data:`SEVERITIES`), in their order within each."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order.get(f.severity, len(order)))


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table for a report (one row each: severity, rule, column, rows, message)."""
    return pd.DataFrame([{"severity": f.severity, "rule": f.rule, "column": f.column or "", "rows": f.rows,
                          "message": f.message} for f in findings],
                        columns=["severity", "rule", "column", "rows", "message"])
