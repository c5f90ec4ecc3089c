"""The params that say how to read an input table, for when detection is not enough.

Every key defaults to ``None``: detected from the data. :class:`segkit.config.Params` inherits them, so they
are validated, documented (``segkit params``) and layered like every other key.
"""

from __future__ import annotations

import codecs
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["ReadOptions", "PARSE_KEYS", "FILE_KEYS"]

#: Keys that say how values are read (dates, numbers), whatever the source.
PARSE_KEYS = ("date_format", "dayfirst", "decimal", "thousands")
#: Keys that say how a text file is split into a table.
FILE_KEYS = ("sep", "header", "column_names", "encoding", "decimal", "thousands")


class ReadOptions(BaseModel):
    """How to read the input: each key overrides what the reader would detect."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    sep: Union[str, None] = Field(None, description="text files: the delimiter, one character or 'whitespace' (runs "
                                  "of spaces); default: detected")
    header: Union[bool, None] = Field(None, description="text files: false when the first line holds data, not "
                                      "names (then set column_names); default: detected")
    column_names: Union[list[str], None] = Field(None, description="text files: the column names, in order (for a "
                                                 "file without a header line, or to replace it)")
    encoding: Union[str, None] = Field(None, description="text files: the encoding, such as cp1252 or utf-16; "
                                       "default: detected")
    decimal: Union[Literal[".", ","], None] = Field(None, description="decimal mark of numbers written as text; "
                                                    "default: decided from each column")
    thousands: Union[str, None] = Field(None, description="the only thousands separator accepted in numbers written "
                                        "as text; default: any of , . ' or space but the decimal mark")
    date_format: Union[str, None] = Field(None, description="strptime format of the date columns, such as %d/%m/%Y; "
                                          "default: decided from all the values of each column")
    dayfirst: Union[bool, None] = Field(None, description="true: 04/09/2012 is 4 September, when no value of a date "
                                        "column decides (a first field above 12 does)")

    @field_validator("sep")
    @classmethod
    def _sep(cls, value):
        if value is not None and len(value) != 1 and value != "whitespace":
            raise ValueError("must be one character (',', ';', '|', a tab) or 'whitespace' (runs of spaces)")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value):
        try:
            return value if value is None else codecs.lookup(value).name
        except LookupError:
            raise ValueError("must be an encoding Python knows, such as utf-8, cp1252, latin-1 or utf-16") from None

    @field_validator("thousands")
    @classmethod
    def _thousands(cls, value):
        if value is not None and value not in {",", ".", " ", "'", "’", "\u00a0", "\u202f"}:
            raise ValueError("must be one of ',', '.', ' ', \"'\"")
        return value

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value):
        if value is not None and value != "ISO8601" and "%" not in value:
            raise ValueError("must be a strptime format such as %d/%m/%Y (or ISO8601)")
        return value

    @model_validator(mode="after")
    def _consistent_reading(self):
        if self.decimal is not None and self.decimal == self.thousands:
            raise ValueError(f"decimal and thousands are both {self.decimal!r}: numbers cannot be read")
        if self.column_names is not None and len(set(self.column_names)) != len(self.column_names):
            raise ValueError("column_names repeats a name: every column needs its own")
        return self

    def parse_options(self) -> dict:
        """The keys of :data:`PARSE_KEYS` and their values."""
        return {k: getattr(self, k) for k in PARSE_KEYS}

    def file_options(self) -> dict:
        """The keys of :data:`FILE_KEYS` and their values."""
        return {k: getattr(self, k) for k in FILE_KEYS}
