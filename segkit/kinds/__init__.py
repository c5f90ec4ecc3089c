"""Data kinds: what differs between transactions, customer tables and census areas.

Each built-in kind is a package here (``transactions/``, ``customers/``, ``demographics/``) holding
everything specific to it: cleaning rules, feature builder, naming rules and lexicons, schema,
generators and extra stages. :func:`get` returns a :class:`~segkit.kinds.base.Kind`; nothing outside
this folder names a kind. ``data_kind`` may also be the dotted import path of a module of one's own
that implements :class:`~segkit.kinds.base.DataKind`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from ..config import KINDS
from ..errors import ParamsError
from .base import DataKind, Kind

__all__ = ["get", "KINDS", "DataKind", "Kind"]


@lru_cache(maxsize=None)
def get(kind: str) -> Kind:
    """The data kind ``kind``: a built-in name, or the dotted import path of a module."""
    path = f"{__name__}.{kind}" if kind in KINDS else kind
    if kind not in KINDS and "." not in str(kind):
        raise ParamsError(f"unknown data_kind {kind!r}", f"use one of: {', '.join(KINDS)}, or a module path",
                          key="data_kind")
    try:
        module = import_module(path)
    except ImportError as exc:
        raise ParamsError(f"data_kind {kind!r} cannot be imported ({exc})",
                          "check the module path and that its package is installed", key="data_kind") from None
    return Kind(kind, module)
