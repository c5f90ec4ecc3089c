"""The editable data files shipped inside the package (naming rules, lexicons, feature groups, schemas).

A data kind keeps its files in its own folder (``segkit/kinds/<kind>/*.yaml``); a user may pass a file
of their own in the same format instead. This module only reads them: it knows no kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import DataFileError

__all__ = ["read_data_yaml"]


def read_data_yaml(source: str | Path | Mapping | None, *, shipped: str, what: str) -> tuple[Any, Path | None]:
    """Read an editable data file: the one shipped in ``segkit/<shipped>``, a user's YAML file, or a mapping.

    Returns the parsed content and the path read (None for the shipped file or a mapping). A missing or
    unreadable file, or invalid YAML, is a :class:`DataFileError` naming the file and the shipped example.
    """
    if source is None:
        return yaml.safe_load(resources.files("segkit").joinpath(shipped).read_text(encoding="utf-8")), None
    if isinstance(source, Mapping):
        return source, None
    path = Path(source)
    fix = f"pass an existing YAML file in the format of segkit/{shipped}, or None for the shipped one"
    if not path.is_file():
        raise DataFileError(f"cannot read the {what} file {path}: it does not exist", fix, path=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), path
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read the {what} file {path} ({exc})", fix, path=path) from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"{what} file {path} is not valid YAML ({exc})",
                            f"correct the YAML syntax (compare with segkit/{shipped})", path=path) from None
