"""``01_eda``: read the input, check it against the kind's schema, show its quality, clean it.

==================  =======================  ================================================
stage               reads                    writes
==================  =======================  ================================================
:func:`load`        the input (file or SQL)  ``input.json``, ``schema_findings.json``
:func:`clean`       the loaded table         ``clean.parquet``, ``cleaning_log.json``
==================  =======================  ================================================
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import eda, preflight
from ..cleaning import CleaningLog, rows_added
from ..config import Params
from ..engine import choose
from ..eda import missing_table
from ..format import capitalised, drawn, joined
from ..io import write_json
from ..io.runfolder import NOTEBOOK_MARKER
from ..plots import distributions_figure, plot_missing
from ..plots.eda import LIMIT_COLOUR
from ..report.cards import caption, figure, note, table
from ..findings import Finding
from ..source import read_hashed
from . import engine as in_engine
from .handover import handed_over, input_record, write_cleaning, write_input
from .context import NOTEBOOK_DATA_PATH, RunContext, stored_params

#: The params' currency when nobody set one: the bundled shop data's.
DEFAULT_CURRENCY = Params.model_fields["currency"].default

__all__ = ["load", "clean", "cleaning", "readings", "id_columns", "column_roles", "schema_findings", "numeric_columns",
           "eda_frame", "missing_figure", "distributions", "input_table", "private_id_columns", "redaction_note",
           "sample_note", "outliers", "duplicates", "cleaning_table"]


def load(ctx: RunContext) -> pd.DataFrame:
    """Read the input table and check it against the data kind's schema (``kinds/<kind>/schema.yaml``).

    Hard failures (a required column missing or unparsable) raise; warnings and notes go to
    ``schema_findings.json``. ``input.json`` records the size, columns and content hash, and for a file
    or folder the sha256 of the bytes read (``file_hash``: all files of a folder, names included, as
    :func:`segkit.io.hash_path`); the runner checks at the end of the run that the input still has it.
    """
    if choose(ctx.params, ctx.kind.module) != "pandas":  # a big input: the engine reads it, pandas sees a sample
        (raw, record), hashed = read_hashed(ctx.params, lambda _: in_engine.load(ctx))
    else:
        raw, hashed = read_hashed(ctx.params)
        record = None
    _adopt_unmapped(ctx, [str(c) for c in raw.columns])
    ctx.kind.check_columns(ctx.params, [str(c) for c in raw.columns])  # as `segkit check` reads the header
    if record is None and handed_over(ctx, hashed):
        return raw  # `segkit run` checked this very input and wrote both files (segkit.stages.handover)
    findings = preflight.check_input(ctx.params, raw)  # the same checks as `segkit check`
    write_input(ctx, (input_record(raw) if record is None else record) | hashed, findings)
    return raw


def clean(ctx: RunContext, raw: pd.DataFrame):
    """Apply the data kind's cleaning rules; write ``clean.parquet`` and ``cleaning_log.json``. In the ``duckdb`` or
    ``spark`` engine the rules run over every input line in the engine and ``clean`` is a seeded sample of the
    cleaned lines.

    Returns
    -------
    clean : DataFrame
    log : CleaningLog
    """
    return _clean(ctx, raw, keep=True)


def cleaning(ctx: RunContext, raw: pd.DataFrame):
    """:func:`clean` for a page that shows the log only (``01_eda``): the cleaned lines are in ``clean.parquet``, and
    when ``segkit run`` cleaned the input already (:mod:`segkit.stages.handover`) they are not read back."""
    return _clean(ctx, raw, keep=False)[1]


def _clean(ctx: RunContext, raw: pd.DataFrame, *, keep: bool):
    if in_engine.engine_of(ctx) != "pandas":  # every line cleaned in the engine, which writes clean.parquet
        cleaned, log = in_engine.clean(ctx)
        log = write_cleaning(ctx, log)
    elif handed_over(ctx):  # `segkit run` cleaned the input it checked (segkit.stages.handover)
        cleaned = ctx.folder.read_parquet("clean.parquet") if keep else None
        log = CleaningLog.from_dict(ctx.folder.read_json("cleaning_log.json"))
    else:
        cleaned, log = preflight.clean_table(ctx.params, raw)
        log = write_cleaning(ctx, log, cleaned)  # "Lines without a member id were removed"
    _adopt_currency(ctx, raw, log)
    return cleaned, log


def _adopt_currency(ctx: RunContext, raw: pd.DataFrame, log) -> None:
    """In a run the notebooks started (a batch adopts it before its first notebook), the currency the input says
    (:func:`segkit.preflight.adopt_currency`: "$" of "$1,299.00", none for plain numbers) in place of the params'
    default £, written to ``params.json`` for the next notebooks, and said, unless a cell named another."""
    if not (ctx.folder.path / NOTEBOOK_MARKER).is_file() or ctx.params.currency != DEFAULT_CURRENCY \
            or _bundled(ctx.params.data_path):
        return
    findings = [Finding(**f) for f in ctx.folder.read_json("schema_findings.json")]
    adopted, info = preflight.adopt_currency(ctx.params, preflight.money_info(ctx.params, raw, log, findings),
                                             named=False)
    if adopted.currency != ctx.params.currency:
        ctx.params = adopted
        write_json(ctx.folder.path / "params.json", stored_params(adopted))
        print(f"This run's pages show money {info['currency_note'].removeprefix('the reports show money ')}; "
              "params.json now says so, and the next notebooks use it.")


def _adopt_unmapped(ctx: RunContext, columns: list[str]) -> None:
    """In a run the notebooks started, the params without the optional columns they name by default only and the
    input lacks (the kind's ``unmapped``, which a batch applies before its first notebook), written to
    ``params.json`` for the next notebooks, and said: a till export without ``StockCode`` stopped 01 run by hand."""
    ctx.params, said = ctx.kind.unmapped(ctx.params, columns)
    if said and (ctx.folder.path / NOTEBOOK_MARKER).is_file():
        write_json(ctx.folder.path / "params.json", stored_params(ctx.params))
    for line in said:
        print(f"Note: {line}.")


def _bundled(data_path) -> bool:
    """Whether the run reads the notebooks' default input, the bundled Online Retail data, whose prices are in pounds
    (the params' default £ is its currency; ``data/README.md``)."""
    bundled = Path(__file__).resolve().parents[2] / "data" / Path(NOTEBOOK_DATA_PATH).name
    try:
        return str(data_path) == NOTEBOOK_DATA_PATH or Path(str(data_path)).resolve() == bundled
    except (OSError, ValueError):
        return False


def input_table(ctx: RunContext, raw: pd.DataFrame) -> pd.DataFrame:
    """One row per input column: its type in words, how many values it has, the share missing, how many distinct
    values and an example (identifiers redacted). When an engine read the input and ``raw`` is its sample, the values
    and the missing share count every line (the engine counted them) and the distinct values say they are the
    sample's."""
    schema, names = eda.schema_table(raw, redact=private_id_columns(ctx, raw), auto_redact=False), dict(_INPUT_WORDS)
    rows, missing = _sampled_by_engine(raw)
    if missing is not None:
        schema["non_null"] = [rows - missing.get(c, 0) for c in schema["column"]]
        schema["missing_share"] = [missing.get(c, 0) / max(rows, 1) for c in schema["column"]]
        names["distinct"] = f"Distinct values (in the {len(raw):,} sampled lines)"
    else:  # the census's "not available" codes are missing values, as the check counts them
        found = _coded(ctx, raw)
        coded = [found.get(c, 0) for c in schema["column"]]
        schema["non_null"] = schema["non_null"] - coded  # Delaware's median age: "0.0%" missing beside 4 codes
        schema["missing_share"] = schema["missing_share"] + [n / max(len(raw), 1) for n in coded]
    return table(schema, names, index="column", percent=["missing_share"], whole=["non_null", "distinct"],
                 types=["dtype"])


def private_id_columns(ctx: RunContext, raw: pd.DataFrame) -> list[str]:
    """The input's columns whose examples the input table leaves out, in its order: where rows are people, the
    kind's identifier columns and those whose name says an identifier or a contact detail (``email``,
    :func:`segkit.eda.looks_like_identifier`); none for census areas, whose codes and names are public and which the
    pages after this one list by code (Delaware's table hid its ZCTAs while ``fips`` and ``geo_id`` showed them)."""
    if not ctx.kind.private_records:
        return []
    ids = set(id_columns(ctx))
    return [c for c in raw.columns if c in ids or eda.looks_like_identifier(c)]


def redaction_note(ctx: RunContext, raw: pd.DataFrame):
    """Under the input table: which columns' examples it leaves out, and why; None when it leaves out none."""
    hidden = private_id_columns(ctx, raw)
    if not hidden:
        return None
    verb = "it identifies" if len(hidden) == 1 else "they identify"
    return caption(f"The examples of {joined(hidden)} are not shown: {verb} individual records.")


def sample_note(raw: pd.DataFrame):
    """When an engine read the input and this page sees a sample of it: how many lines there are, and which tables
    count every line and which describe the sample; None otherwise (the cell shows nothing)."""
    rows, missing = _sampled_by_engine(raw)
    if missing is None:
        return None
    return note(f"The input has {rows:,} lines, read by the {raw.attrs.get('engine', 'duckdb')} engine. The table "
                "of the input counts the values and missing values of every line, and so does the cleaning log; the "
                f"schema checks, distributions, outliers and duplicates describe a random sample of {len(raw):,} "
                "lines (the same sample for the same seed).")


def _sampled_by_engine(raw: pd.DataFrame) -> tuple[int | None, dict | None]:
    """(lines, missing values per column) of the whole input when ``raw`` is an engine's sample of it, else
    (None, None)."""
    rows, missing = raw.attrs.get("engine_rows"), raw.attrs.get("engine_missing")
    return (int(rows), dict(missing)) if rows is not None and missing is not None and len(raw) < rows else (None, None)


def outliers(data: pd.DataFrame) -> pd.DataFrame:
    """The outlier counts of the numeric columns (:func:`segkit.eda.outlier_table`) in words. A limit shows only
    where some value lies beyond it, else "–": a fence far outside the data (on a log scale, or below 0 for a
    column that is never negative) is arithmetic, not a value a reader could meet."""
    found = eda.outlier_table(data, list(data.columns))
    found["lower"] = found["lower"].where(found["below"] > 0)
    found["upper"] = found["upper"].where(found["above"] > 0)
    return table(found, _OUTLIER_WORDS, index="column", percent=["outlier_share"],
                 whole=["n", "below", "above", "outliers"])


def duplicates(raw: pd.DataFrame) -> pd.DataFrame:
    """How many rows repeat an earlier row exactly (:func:`segkit.eda.duplicate_summary`), in words."""
    return table(eda.duplicate_summary(raw), _DUPLICATE_WORDS, percent=["duplicate_share"],
                 whole=["rows", "duplicate_rows", "duplicated_groups"])


def cleaning_table(log) -> pd.DataFrame:
    """The cleaning log, one rule per row in the order applied, with the rows each removed (and, when a rule added
    rows, such as the refunds' lines, the rows each added)."""
    frame = log.to_frame()
    frame["rule"] = frame["rule"].replace(_RULE_WORDS)
    added = frame.apply(rows_added, axis=1)
    if added.any():
        frame.insert(frame.columns.get_loc("rows_after"), "rows_added", added)
    return table(frame, _CLEANING_WORDS, index="rule", label_words=True,
                 whole=["rows_before", "rows_removed", "rows_added", "rows_after", "rows_netted"])


#: Rules whose key, said as it is, reads as something else on the page: "Lost customers" beside a segment "Lost".
_RULE_WORDS = {"lost_customers": "Customers with no lines left"}
_INPUT_WORDS = {"dtype": "Type", "non_null": "Values", "missing_share": "Missing", "distinct": "Distinct values"}
_OUTLIER_WORDS = {"n": "Values", "lower": "Unusually low below", "upper": "Unusually high above",
                  "outlier_share": "Share"}
_DUPLICATE_WORDS = {"rows": "Rows", "duplicate_rows": "Extra copies", "duplicate_share": "Share",
                    "duplicated_groups": "Rows with copies", "subset": "Compared on"}
_CLEANING_WORDS = {"description": "What it does", "rows_removed": "Removed", "rows_added": "Added",
                   "rows_netted": "Netted"}


def readings(ctx: RunContext, log):
    """How the input was read: what the reader detected or did (encoding, delimiter, header line, numbers read
    from text, files put together; from ``input.json``), then each column the cleaning read (``log``): the date
    layout used and why (and whether any value decided the order of day and month), and the values that were
    blank or could not be read. A note when nothing needed saying."""
    read = ctx.folder.read_json("input.json").get("read_notes", []) if ctx.folder.has("input.json") else []
    columns = log.readings_frame()
    rows = [{"column": "(the file)", "key": "", "read as": "as detected", "why": n, "missing": "", "not read": ""}
            for n in read]
    rows_read = pd.DataFrame(rows + columns.to_dict("records"), columns=columns.columns)
    if rows_read.empty:
        return note("Every value was read as it was stored: no dates or numbers written as text needed reading.")
    return table(rows_read, {"key": "Params key"}, index="column")


def id_columns(ctx: RunContext) -> list[str]:
    """The identifier columns of the input: never a measure (their examples are hidden where rows are people,
    :func:`private_id_columns`)."""
    return ctx.kind.id_columns(ctx.params)


def column_roles(ctx: RunContext, raw: pd.DataFrame) -> pd.DataFrame:
    """How each input column is used by this data kind (mapping, detected roles or feature groups)."""
    return table(ctx.kind.column_roles(raw, ctx.params), {"key": "Params key"})


def schema_findings(ctx: RunContext):
    """What the check against the expected schema found (written by :func:`load`)."""
    findings = ctx.folder.read_json("schema_findings.json") if ctx.folder.has("schema_findings.json") else []
    if not findings:
        return note("The input has every expected column, with the expected types and ranges.")
    found = pd.DataFrame(findings)
    if {"column", "message"} <= set(found.columns):
        found["message"] = [said_of_column(str(m), c) for m, c in zip(found["message"], found["column"])]
    if "fix" in found.columns and not found["fix"].fillna("").astype(str).str.strip().any():
        found = found.drop(columns="fix")  # a column of blanks tells the reader nothing
    keep = [c for c in ("severity", "column", "message", "rows", "fix") if c in found.columns]
    found = found[keep].astype({"fix": object}).fillna({"fix": ""}) if "fix" in keep else found[keep]
    return table(found, {"message": "Finding"}, index=keep[0] if keep else None, whole=["rows"], label_words=True)


def said_of_column(message: str, column) -> str:
    """A finding as the table says it beside its column: without the "column 'UnitPrice' (price_col)" the check
    prints in front of it on the terminal (the table names the column, and 01's roles table its params key). The
    pattern is the one ``schema._where`` writes: a change there is a change here.

    >>> said_of_column("column 'UnitPrice' (price_col) has 2 values below 0, e.g. -11,062.06", "UnitPrice")
    '2 values below 0, e.g. -11,062.06'
    >>> said_of_column("column 'CustomerID' (customer_col): 135,080 of 541,909 rows (24.9%) have no value", "CustomerID")
    '135,080 of 541,909 rows (24.9%) have no value'
    >>> said_of_column("column 'age' has no values at all", "age"), said_of_column("the file is empty", "age")
    ('No values at all', 'the file is empty')
    """
    said = re.match(rf"column {re.escape(repr(str(column)))}(?: \([A-Za-z_]+\))?(?::| has| is)? ", message)
    if said is None or said.end() == len(message):
        return message
    rest = message[said.end():]
    return capitalised(rest)


#: Numeric, non-boolean columns of a table that are not identifiers (the stage's name for the helper).
numeric_columns = eda.measure_columns


def eda_frame(ctx: RunContext, raw: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns worth a histogram and an outlier count (a data kind may choose them)."""
    own = ctx.kind.eda_frame(raw, ctx.params)
    if own is not None:
        return own
    return raw[numeric_columns(raw, exclude=id_columns(ctx))]


def _coded(ctx: RunContext, raw: pd.DataFrame) -> dict[str, int]:
    """The values of each numeric column that are the kind's "not available" codes (``missing_codes`` of its schema:
    the census's -666666666), which the cleaning turns into missing values."""
    codes = (ctx.kind.schema() or {}).get("missing_codes") or []
    found = {c: int(raw[c].isin(codes).sum()) for c in raw.columns if codes and pd.api.types.is_numeric_dtype(raw[c])}
    return {c: n for c, n in found.items() if n}


def missing_figure(raw: pd.DataFrame, ctx: RunContext | None = None):
    """The share of missing values of each column that has gaps (over every input line, also when the ``duckdb``
    engine read the input and ``raw`` is a sample of it), the kind's "not available" codes counted as missing (given
    the run, ``ctx``: Delaware's chart left out three columns the input table showed with gaps); a note when no column
    has any."""
    whole = raw.attrs.get("engine_missing")
    table = missing_table(raw) if whole is None else pd.DataFrame(
        {"column": list(whole), "missing": list(whole.values()),
         "missing_share": [v / max(raw.attrs["engine_rows"], 1) for v in whole.values()]})
    coded = _coded(ctx, raw) if ctx is not None and whole is None else {}
    if coded:
        table = table.set_index("column")
        table["missing"] = table["missing"] + pd.Series(coded).reindex(table.index, fill_value=0)
        table["missing_share"] = table["missing"] / max(len(raw), 1)
        table = table.reset_index()
    if not (table["missing"] > 0).any():  # a note, not a blank chart that says so
        return note("No column has a missing value: every row has a value in every column.")
    return figure(plot_missing(table), "Share of rows with the value missing, for each column that has gaps.")


def distributions(ctx: RunContext, data: pd.DataFrame):
    """Histograms of the numeric input columns, from a seeded sample, with the limits of the outlier table
    (:func:`outliers`) as dashed lines: the page's one measure of an unusual value, where the reader can see it."""
    p = ctx.params
    shown = drawn(min(p.plot_sample, len(data)), len(data), "rows")
    fig = distributions_figure(data, sample=p.plot_sample, seed=p.seed, limits=_limits(data))
    lines = any(line.get_color() == LIMIT_COLOUR for ax in fig.axes for line in ax.lines)  # in a histogram's range
    said = ("; the dashed lines are the limits of the outlier table below, beyond which a value is unusual" if lines
            else "")
    return figure(fig, f"Histograms of {shown}{said}.")


def _limits(data: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """The outlier table's limits per column, as it shows them: only where some value lies beyond (else NaN)."""
    found = eda.outlier_table(data, list(data.columns))
    return {str(r.column): (r.lower if r.below > 0 else np.nan, r.upper if r.above > 0 else np.nan)
            for r in found.itertuples()}
