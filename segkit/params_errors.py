"""The message of a :class:`~segkit.errors.ParamsError` from pydantic's report on bad params: each key with what it
must be in plain words, a close match for an unknown key, and the fix (:func:`params_error`)."""

from __future__ import annotations

import difflib

from pydantic import ValidationError

from .errors import ParamsError, truncate

__all__ = ["params_error"]

_UNION_MEMBER_TYPES = {"int_type", "int_parsing", "int_from_float", "literal_error", "string_type", "float_type",
                       "float_parsing", "bool_type", "bool_parsing", "list_type", "none_required"}
_BOUND_WORDS = {"greater_than_equal": "at least", "greater_than": "above", "less_than_equal": "at most",
                "less_than": "below"}
_TYPE_WORDS = {"int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number", "string_type": "text",
               "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
               "literal_error": "one of the listed values", "float_type": "a number"}


def params_error(exc: ValidationError, source: str, valid: list[str]) -> ParamsError:
    """Turn pydantic's report on params into one message naming the key(s), the file and the fix (``valid``: every
    key, for the hint and the fix)."""
    problems, first_key = [], None
    seen: set[tuple] = set()
    for err in exc.errors():
        # a union type reports once per member ('k.int', "k.literal['auto']"): keep the key itself
        key = str(err["loc"][0]) if err["loc"] and not isinstance(err["loc"][0], int) else None
        if (key, err["type"] in _UNION_MEMBER_TYPES) in seen:
            continue
        seen.add((key, err["type"] in _UNION_MEMBER_TYPES))
        first_key = first_key or key
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, valid, n=1) if len(key) <= 100 else []
            hint = _role_hint(key, err.get("input")) or (f" (did you mean '{close[0]}'?)" if close else "")
            problems.append(f"unknown key {truncate(key)}{hint}")
        elif key is None:
            problems.append(str(err["msg"]).removeprefix("Value error, "))
        else:
            want = _TYPE_WORDS.get(err["type"], None)
            bound = _BOUND_WORDS.get(err["type"])
            msg = f"must be {want}" if want else str(err["msg"]).removeprefix("Value error, ")
            if bound:
                msg = f"must be {bound} {next(iter(err.get('ctx', {}).values()), '')}"
            if err["type"] == "literal_error":
                msg = str(err["msg"]).replace("Input should be", "must be")
            problems.append(f"'{key}' {msg} (got {truncate(err.get('input'))})")
    unknown = any(e["type"] == "extra_forbidden" for e in exc.errors())
    fix = "valid keys are: " + ", ".join(valid) if unknown else "correct the value; `segkit params` lists every key with its meaning"
    return ParamsError(f"bad params in {source}: " + "; ".join(problems), fix, key=first_key, path=source)


#: Keys a user writes for a column's role, and the role ``roles`` takes for it (``outcome: prog``).
_ROLE_KEYS = {"outcome": "outcome", "target": "outcome", "label": "outcome", "outcomes": "outcome",
              "targets": "outcome", "ignore": "ignore", "exclude": "ignore", "drop": "ignore", "categorical": "categorical",
              "ordinal": "ordinal"}  # not date or text: "date: 2024-01-01" is a misspelt key's value, no column


def _role_hint(key: str, value) -> str:
    """" (set a column's role in roles: {prog: outcome})" for ``outcome: prog``; "" for other keys."""
    role = _ROLE_KEYS.get(key.lower())
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if role is None or not names or not all(isinstance(n, str) for n in names):
        return ""
    listed = ", ".join(f"{truncate(n, quote=False)}: {role}" for n in names[:5])
    return f" (set a column's role in roles: {{{listed}}})"
