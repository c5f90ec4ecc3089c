"""Before any notebook starts: what would stop the run on this input (:func:`preflight`, ``segkit check``), and the
input steps of ``01_eda`` and ``02_features`` it shares with them (the schema checks, the cleaning, the features).

Kept apart from :mod:`segkit.pipeline` so that ``segkit run`` and ``segkit check`` check the input without loading
the modelling libraries (scikit-learn, SciPy's statistics), which the notebooks' kernels load on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import engine, kinds, lineage
from .cleaning import CleaningLog, is_summary_id, labelled_summary
from .config import Params
from .errors import ParamsError, SegkitError, SegmentationError
from .featureset import FeatureSet
from .naming.words import counted, plural
from .parse.numbers import currency_codes, monies, same_currency
from .separability import MIN_MEMBERS
from .findings import Finding, by_severity
from .schema import ambiguous_dates, money_currencies, several_currencies, validate
from .source import engine_path, input_columns, load_input, read_hashed

__all__ = ["CHECK_ROWS", "ENGINE_SAMPLE", "Checked", "preflight", "check_input", "clean_table", "build_features",
           "check_features", "k_bounds", "reading_findings"]


#: Inputs with more rows are checked by :func:`preflight` on a seeded sample of this many rows.
CHECK_ROWS = 1_000_000
#: Lines of an input the duckdb engine reads that its schema checks see: the seeded sample whose tables and plots
#: ``01_eda`` shows (:data:`segkit.stages.engine.EDA_SAMPLE`), so :func:`preflight` finds what 01 finds.
ENGINE_SAMPLE = 200_000


@dataclass(frozen=True)
class Checked:
    """What the run's check did to the whole input: the table as read, the sha256 of its bytes (``hashed``, as
    :func:`segkit.source.read_hashed` gives it), the schema's findings on it, the cleaned table with its log, and the
    features built from it (one row per entity, as ``02_features`` builds them)."""

    raw: pd.DataFrame
    hashed: dict[str, str]
    findings: list[Finding]
    cleaned: pd.DataFrame
    log: CleaningLog
    features: FeatureSet


def preflight(params: Params, *, deep: bool = True, needs: Iterable[str] | None = None,
              segments: bool = True, columns: Sequence[str] | None = None, keep: bool = False) -> dict[str, Any]:
    """Check, before any notebook starts, what would stop the run on this input.

    First the columns (the header only): the input exists and has every mapped column. Then, with ``deep``,
    what ``01_eda`` and ``02_features`` do to it: the input read by the same reader (read once per process),
    the data kind's schema checks (:func:`check_input`), its cleaning and its features (column roles), on a
    seeded sample of :data:`CHECK_ROWS` rows when the input is larger (of :data:`ENGINE_SAMPLE` rows, after
    the engine's own reading checks over every line, when the duckdb engine reads it). Returns a short description of
    the input for progress messages (``input``, ``columns``, ``engine``, and with ``deep`` ``rows``, ``checked_rows``,
    ``findings``). With the params ``reference``, the reference is loaded and checked too (with ``deep``: its data
    kind and features against this input's; ``reference`` in the result). Also with ``deep``, what the notebooks
    of the capabilities ``needs`` (default: every one the kind offers, such as ``08_churn``'s ``churn``) would stop
    on in the cleaned input (the kind's ``stage_checks``): ``cannot_run`` maps each such capability to its error,
    and a warning joins the findings (only the warning when just a sample was cleaned: the whole input may pass).
    Raises the :class:`~segkit.errors.SegkitError` the notebook would raise otherwise, with the same message.
    ``columns``: the input's, when the caller has read them already (:func:`~segkit.source.input_columns`).
    With ``keep`` (``segkit run``), a pandas run hashes the input's bytes around reading them, and when the whole input
    was checked ``checked`` holds the work (:class:`Checked`), for ``01_eda`` not to do it again
    (:mod:`segkit.stages.handover`).
    """
    columns = input_columns(params) if columns is None else list(columns)
    kind = kinds.get(params.data_kind)
    kind.check_columns(params, columns)
    where = str(params.data_path).rstrip("/").rsplit("/", 1)[-1] if params.source == "file" else "SQL query"
    chosen = engine.choose(params, kind.module)
    info: dict[str, Any] = {"input": f"{where} ({len(columns)} columns)", "columns": columns, "engine": chosen}
    if chosen != "pandas":
        engine.module(chosen).check_setup()  # what the engine needs (Java, pyspark), before any notebook starts
    if deep:
        if chosen != "pandas":  # a big input: DuckDB draws the sample (also for spark, unless only Spark reads it)
            (sample, rows), hashed = _engine_sample(params), {}
        else:
            raw, hashed = read_hashed(params) if keep else (load_input(params), {})
            rows = len(raw)
            sample = raw if rows <= CHECK_ROWS else _sample(raw, sample_by(params), params.seed)
        findings = check_input(params, sample)
        cleaned, log = clean_table(params, sample)
        schema = list(findings)
        findings += ambiguous_dates(log, findings, params.parse_options()) + reading_findings(log, findings)
        fs = build_features(params, cleaned)
        if hashed and len(sample) == rows:  # the whole input, read by pandas
            info["checked"] = Checked(raw, hashed, schema, cleaned, log, fs)
        if segments and len(sample) == rows and kind.segment_rule(fs, params) is None:
            k_bounds(params, len(fs.table), fs.entity)  # what the rows cannot hold (a sample has fewer than the run)
            findings += few_rows(params, len(fs.table), fs.entity)
        cannot, warnings = _stage_checks(kind, params, cleaned, kind.extra_stages if needs is None else needs,
                                         None if len(sample) == rows else len(sample))
        more = getattr(kind.module, "feature_findings", None)  # what only the features show (a blank that means 0)
        findings += unused_words(params, fs) + (more(fs, params) if callable(more) else [])
        info.update(money_info(params, sample, log, findings + warnings), rows=rows, checked_rows=len(sample),
                    cannot_run=cannot, set_aside=log.set_aside())
        ref = lineage.reference_for(params, fs.clustering_table.columns)
    else:
        ref = lineage.load_reference(params.reference) if params.reference else None
        if ref is not None:  # the data kind only: the features are known once the input is read
            lineage.check_reference(ref, data_kind=params.data_kind, features=ref.features)
    if ref is not None:
        info["reference"] = f"run {ref.run_name} ({ref.n_segments} segments, {params.reference_mode})"
    return info


def money_info(params: Params, raw: pd.DataFrame, log: CleaningLog, findings: Iterable[Finding]) -> dict[str, Any]:
    """What :func:`adopt_currency` reads of an input: the currencies its amounts carry, the codes its currency column
    holds, and the schema's ``findings`` (amounts in several currencies)."""
    kind = kinds.get(params.data_kind)
    money = getattr(kind.module, "money_columns", None)  # a kind that says which columns hold money (customers)
    return {"currency_of": money_currencies(raw, _schema_params(kind, params), log.currencies()),
            "currency_codes": currency_codes(raw), "findings": list(findings),
            "money_columns": None if money is None else money(raw, params)}


def adopt_currency(params: Params, info: dict[str, Any], *, named: bool | None = None) -> tuple[Params, dict[str, Any]]:
    """``params`` showing money in the currency the input says, when the params name none (``named``; by default,
    when ``currency`` was not set): the one its amounts carry ("€ 8,14" in a shop export), else the one code its
    currency column holds (``USD``), else the data kind's (census tables are in dollars), else none: plain numbers,
    never the default £ of the bundled shop's data. ``info`` (:func:`money_info`) loses the reader's warning about
    the sign shown, and says what was chosen (``currency_note``, for the terminal)."""
    if "currency" in params.model_fields_set if named is None else named:
        return params, info
    signs, codes = info.get("currency_of") or {}, info.get("currency_codes") or {}
    found, named = monies(list(signs.values())), monies([c for listed in codes.values() for c in listed])
    module = kinds.get(params.data_kind).module
    own = getattr(module, "CURRENCY", "")
    if len(found) == 1:
        currency, why = found[0], f"the currency of the amounts in {', '.join(repr(c) for c in signs)}"
    elif not found and len(named) == 1:
        currency, why = named[0], f"the currency that column {', '.join(repr(c) for c in codes)} names"
    elif not found and not named and own:
        currency, why = own, getattr(module, "CURRENCY_WHY", f"the currency of {params.data_kind} data")
    else:
        several = len(found) + len(named) > 1 or any(f.rule == "currency" and f.key != "currency"
                                                     for f in info.get("findings", []))  # "$12" beside "€9"
        currency, why = "", "the amounts are in several currencies" if several else "the input names no currency"
    if currency and same_currency(currency, params.currency):
        return params, info
    note = (f"the reports show money in {currency}, {why} (set currency to show another sign)" if currency else
            "" if info.get("money_columns") == [] else  # no money to show: nothing to say of its sign
            f"the reports show money as plain numbers: {why} (set currency, e.g. currency: \"$\", to show a sign)")
    kept = [f for f in info.get("findings", []) if not (f.rule == "currency" and f.key == "currency")]
    return params.model_copy(update={"currency": currency}), {**info, "findings": kept, "currency_note": note}


def _fewest(params: Params) -> tuple[int, str]:
    """The fewest segments a run asks for, and the key that asks: a fixed k, else ``k_min`` (also for a data kind
    that sets k itself, as census areas do: one segment per ten areas, capped by the rows)."""
    if params.k != "auto" and not kinds.get(params.data_kind).fixes_k:
        return params.k, "k"
    return params.k_min, "k_min"


def k_bounds(params: Params, n: int, entity: str = "rows") -> tuple[int, int]:
    """The k range to search over ``n`` rows (``entity``), at most one segment per
    :data:`~segkit.separability.MIN_MEMBERS` rows (a smaller segment is too few to describe or to test) unless
    ``k_min`` or a fixed k asks for more; refuses what the rows cannot hold: fewer than two rows per segment. A data
    kind that sets k itself (census areas: one segment per ten areas) is held to its ``k_min`` only."""
    if n < 3:
        raise SegmentationError(f"only {n} {entity} are left to segment", "check the cleaning log; segmentation needs "
                                "at least 3 rows", key="k")
    fewest, key = _fewest(params)
    fixed = fewest if key == "k" else None

    def lower(name: str) -> str:  # two rows per segment at least
        return f"set {name} at most {n // 2}" if n // 2 >= 2 else "segment a larger table"

    if fixed is not None and fixed >= n:
        raise SegmentationError(f"k={fixed} segments asked for, but only {n} {entity} to segment",
                                lower("k") + (", or k: auto" if n >= 2 * params.k_min else ""), key="k")
    if params.k_min >= n:
        raise SegmentationError(f"k_min={params.k_min} is not below the {n} {entity} to segment", lower("k_min"),
                                key="k_min")
    if n < 2 * fewest:
        raise SegmentationError(f"only {n} {entity} to segment: {fewest} segments of them would hold one each, or "
                                f"nearly", f"segment a larger table (at least {MIN_MEMBERS * fewest} for {fewest} "
                                f"segments of {MIN_MEMBERS} or more)" + (f", or {lower(key)}" if n // 2 >= 2 else ""),
                                key=key)
    return params.k_min, min(params.k_max, n - 1, max(params.k_min, fixed or 0, n // MIN_MEMBERS))


def _stage_checks(kind, params: Params, cleaned: pd.DataFrame, needs: Iterable[str], sampled: int | None
                  ) -> tuple[dict[str, SegkitError], list]:
    """The kind's ``stage_checks`` on the cleaned input: (the capabilities that cannot run, with why; a warning for
    each). Found on a sample, the warning says so and no capability is ruled out: the whole input may pass."""
    cannot = kind.stage_checks(cleaned, params, set(needs))
    where = "" if sampled is None else f"on a sample of {sampled:,} rows, "
    then = ("a run leaves out the notebook that needs it" if sampled is None else
            "the notebook that needs it stops the run if the whole input says the same")
    warnings = [Finding("warning", "stages", exc.column,
                        f"{need}: {where}{exc.problem}; {then} (to keep it: {exc.fix})", key=exc.key, fix=exc.fix)
                for need, exc in cannot.items()]
    return ({} if sampled is not None else cannot), warnings


#: The kind's hook that reads every line in an engine for what would stop ``01_eda`` there.
_CHECK_HOOKS = {"duckdb": "engine_check", "spark": "spark_check"}


def _engine_sample(params: Params) -> tuple[pd.DataFrame, int]:
    """A seeded sample of :data:`ENGINE_SAMPLE` lines of a big input and its number of lines, once the kind's check
    hook has found nothing that reading every line would stop on: in DuckDB, or in Spark for a URI (``s3a://``),
    which only Spark reads."""
    name = "spark" if engine.is_uri(params.data_path) else "duckdb"
    mod = engine.module(name)
    check = getattr(kinds.get(params.data_kind).module, _CHECK_HOOKS[name], None)
    with mod.session(params) as con:
        source = mod.source(con, engine_path(params))
        if check is not None:
            check(con, source, params)
        return mod.sample(con, source, ENGINE_SAMPLE, params.seed, sample_by(params)), mod.count(con, source)


def sample_by(params: Params) -> list[str]:
    """The columns whose groups a sample of the input keeps whole (the kind's ``sample_by`` hook: an order's id, so
    that a customer written on an order's first line only is in the sample with the order's other lines)."""
    hook = getattr(kinds.get(params.data_kind).module, "sample_by", None)
    return list(hook(params)) if callable(hook) else []


def _sample(raw: pd.DataFrame, by: list[str], seed: int) -> pd.DataFrame:
    """:data:`CHECK_ROWS` rows of a big input, seeded: whole groups of ``by`` when given."""
    if not by or not set(by) <= set(raw.columns):
        return raw.sample(CHECK_ROWS, random_state=seed).sort_index()
    keys = pd.util.hash_pandas_object(raw[by], index=False, hash_key=str(seed).zfill(16)[-16:])
    distinct = keys.drop_duplicates()
    chosen = distinct.nsmallest(max(1, round(len(distinct) * CHECK_ROWS / len(raw))))
    return raw.loc[keys.isin(chosen).to_numpy()]


def check_input(params: Params, raw: pd.DataFrame) -> list:
    """The data kind's schema checks on the raw input, exactly as ``01_eda`` runs them: values read with the
    params' ``decimal``, ``thousands``, ``date_format`` and ``dayfirst``, and the columns the kind reads (its
    optional ``schema_params`` hook drops mapped keys it does not use), then its optional ``input_findings`` hook
    (what the schema cannot say), on the rows the cleaning keeps of an export's total rows (none). Raises on a hard
    failure; returns the other findings (:func:`segkit.schema.validate`), errors first, then warnings, then notes."""
    kind = kinds.get(params.data_kind)
    schema = kind.schema()
    raw = _without_summary_rows(raw, kind.id_columns(params))
    as_cleaned = getattr(kind.module, "schema_input", None)  # what the cleaning fills in first (an order's customer)
    raw = as_cleaned(raw, params) if callable(as_cleaned) else raw
    more = getattr(kind.module, "input_findings", None)
    findings = validate(raw, schema and {**schema, "parse": params.parse_options()}, _schema_params(kind, params),
                        raise_errors=True)
    return by_severity(findings + (more(raw, params) if callable(more) else []))  # and what the schema cannot say


def reading_findings(log: CleaningLog, findings: Iterable[Finding] = ()) -> list[Finding]:
    """Warnings for the columns the cleaning read as numbers (``log``'s readings: a customer table's columns that are
    nearly all numbers, a database's text): values that are not numbers ("unknown", "#REF!"), set missing; amounts in
    several currencies, unless ``findings`` (the schema's) already say so."""
    said, out = {f.column for f in findings if f.rule == "currency"}, []
    for r in (r for r in log.readings if r.get("as") == "numbers"):
        if r.get("n_unparsed"):
            shown = ", ".join(map(repr, r.get("unparsed_examples") or []))
            out.append(Finding("warning", "type", r["column"], f"column {r['column']!r} has "
                               f"{counted(r['n_unparsed'], 'values')} that "
                               f"{'is' if r['n_unparsed'] == 1 else 'are'} not numbers, e.g. {shown}: "
                               f"{'it is' if r['n_unparsed'] == 1 else 'they are'} read as missing",
                               r["n_unparsed"], r.get("key"), f"correct them in the file, or set roles: "
                               f"{{{r['column']}: categorical}} if the column is no number"))
        if len(r.get("currencies") or ()) > 1 and r["column"] not in said:
            out.append(several_currencies(r["column"], r["currencies"], r.get("n_values", 0), r.get("key")))
    return out


def _schema_params(kind, params: Params):
    """The params as the kind's checks read them (its optional ``schema_params`` hook drops mapped keys it does not
    use: ``price_col`` beside ``amount_col``)."""
    hook = getattr(kind.module, "schema_params", None)
    return hook(params) if callable(hook) else params


def _without_summary_rows(raw: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """``raw`` without an export's total rows (first id column "Total", "Grand total:", or blank beside a "Summe" in
    the first column), which every kind's cleaning removes: their sums are no extreme value of a customer, their
    labels no date."""
    first = next((c for c in ids if c in raw.columns), None)
    # on the distinct ids as they are: a float id is never "Total", and 541,909 of them cost 0.3 s as text
    summary = (is_summary_id(raw[first]) | labelled_summary(raw, first)) if first is not None else None
    if summary is None or not summary.any():
        return raw
    kept = raw[~summary]
    kept.attrs = dict(raw.attrs)
    return kept


def clean_table(params: Params, raw: pd.DataFrame) -> tuple[pd.DataFrame, CleaningLog]:
    """Apply the data kind's cleaning rules; returns the cleaned table and the log."""
    return kinds.get(params.data_kind).clean(raw, params)


def build_features(params: Params, cleaned: pd.DataFrame) -> FeatureSet:
    """One row per entity from the cleaned table, checked against the ``features`` param."""
    return check_features(params, kinds.get(params.data_kind).features(cleaned, params))


def check_features(params: Params, fs: FeatureSet) -> FeatureSet:
    """``fs`` with the params' ``labels``, ``units`` and ``entity`` applied, once every feature the ``features``
    param names is in it (a ParamsError otherwise)."""
    _reader_words(params, fs)
    missing = [c for c in fs.columns if c not in fs.table.columns]
    if missing:
        raise ParamsError(f"features lists {missing}, which the {params.data_kind} features do not include",
                          f"choose from: {', '.join(map(str, fs.table.columns))}", key="features")
    return fs


def unused_words(params: Params, fs: FeatureSet) -> list[Finding]:
    """A warning for each of ``labels`` and ``units`` that names columns the features lack (a typo, a column left
    out): their words would show nowhere."""
    out = []
    for key in ("labels", "units"):
        unknown = [c for c in (getattr(params, key) or {}) if c not in fs.table.columns]
        if unknown:
            out.append(Finding("warning", "params", None, f"{key} names {unknown}, which the {params.data_kind} "
                               "features do not include: those words show nowhere", key=key,
                               fix=f"check the spelling; choose from: {', '.join(map(str, fs.table.columns))}"))
    return out


def few_rows(params: Params, n: int, entity: str) -> list[Finding]:
    """A warning when the ``n`` rows to segment cannot give every segment :data:`~segkit.separability.MIN_MEMBERS`
    members: the fewest segments asked for (a fixed k, else k_min) would hold one or two each, which no page can
    describe as a group."""
    fewest, key = _fewest(params)
    if n >= MIN_MEMBERS * fewest:
        return []
    return [Finding("warning", "rows", None, f"only {n:,} {entity} to segment: {fewest} segments of them hold "
                    f"{n / fewest:.3g} on average, too few to describe a group ({MIN_MEMBERS} or more each need "
                    f"{MIN_MEMBERS * fewest:,})", key=key,
                    fix="segment a larger table" + (", or ask for fewer segments" if fewest > 2 else ""))]


def _reader_words(params: Params, fs: FeatureSet) -> None:
    """The params' ``labels``, ``units`` and ``entity`` win over what the data kind derived, for every kind; a label
    keeps what the kind says its numbers mean ("Satisfaction (1-5)": :meth:`FeatureSet.set_label`)."""
    for col, text in (params.labels or {}).items():
        if col in fs.table.columns:
            fs.set_label(col, str(text))
    fs.units.update({c: str(u) for c, u in (params.units or {}).items() if c in fs.table.columns})
    if params.entity:
        fs.entity = plural(params.entity)
