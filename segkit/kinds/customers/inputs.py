"""The input as the data-quality page (``01_eda``) shows a customer table: each column's role, what it is used for and
why, in plain words, and the numeric columns it draws (never the id)."""

from __future__ import annotations

import pandas as pd

from ...eda import measure_columns
from ...naming.words import singular
from .roles import find_id_column, plain_reason, role_table

__all__ = ["column_roles", "eda_frame"]


def eda_frame(raw: pd.DataFrame, params) -> pd.DataFrame:
    """The numeric columns the data-quality page draws and counts outliers of: not the id, named or detected (a row
    number, "rownames" 1..3,000, was listed with the measures)."""
    ids = [c for c in [params.id_col, find_id_column(raw, overrides=params.roles or None)] if c is not None]
    return raw[measure_columns(raw, exclude=ids)]


def column_roles(raw: pd.DataFrame, params) -> pd.DataFrame:
    """Every input column with its detected (or overridden) role, what it is used for and why, in plain words (the
    role is the word the ``roles`` params take)."""
    table = role_table(raw, overrides=params.roles or None, id_col=params.id_col)
    used = {"id": f"identifies the {singular(params.entity or 'customer')} (not a feature)",
            "numeric": "feature (number)", "ordinal": "feature (answers scored in their order)",
            "categorical": "feature (category, one-hot encoded)", "boolean": "feature (yes/no)",
            "date": "feature (age in days)", "text": "not used (free text)", "constant": "not used (one value)",
            "near_unique": "not used (almost every value differs)", "ignore": "not used (roles override)",
            "outcome": "outcome (its share per segment is shown; not a feature)",
            "personal": "not used (personal data: a postal code)"}
    why = [plain_reason(_id_reason(r) if role == "id" else r) for role, r in zip(table["role"], table["reason"])]
    return pd.DataFrame({"role": table["role"].to_numpy(), "used for": table["role"].map(used).to_numpy(),
                         "distinct values": table["n_distinct"].to_numpy(),
                         "missing": [f"{v:.0%}" for v in table["missing_share"]],
                         "why": why}, index=pd.Index(table["column"], name="column"))


def _id_reason(reason: str) -> str:
    """The reason for the id role without any id value (reports never show individual customers)."""
    if reason.startswith("set by the roles override"):
        return "set by the params (id_col or roles)"
    parts = ["every value is different"]
    if "looks like an id" in reason:
        parts.append("the name looks like an id")
    if "consecutive" in reason:
        parts.append("values run 1, 2, 3, ... (a row number)")
    if "zero-padded" in reason or "same-length" in reason:
        parts.append("codes of one length")
    return ", ".join(parts) + " -> id (not a feature)"
