"""Input and output: reading tables (files, folders, workbooks, SQL) and the run folder's artifacts.

Input files are only ever read. Every problem a user can fix is a :class:`~segkit.errors.DataFileError`
that names the file and the fix.
"""

from .read import (has_scheme, hash_input, hash_path, is_pattern, parse_synth, pattern_files, read_header, read_table,
                   require_columns)
from .runfolder import RunFolder, read_json, to_jsonable, write_json
from .sql import read_sql, sql_columns

__all__ = ["read_table", "read_header", "parse_synth", "require_columns", "hash_path", "hash_input", "has_scheme",
           "is_pattern", "pattern_files", "read_sql", "sql_columns", "RunFolder", "read_json", "write_json",
           "to_jsonable"]
