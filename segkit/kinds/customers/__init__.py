"""Customer tables: one row per customer, mixed numeric and categorical columns, roles detected.

The stages of a run map onto :mod:`segkit.kinds.customers.roles` and :mod:`segkit.kinds.customers.features`:

* ``check_columns``: the ``id_col`` and every column named in ``roles`` (and ``features``) exist.
* ``clean``: exact duplicate rows (when ``drop_duplicates``; unset, only in a table with an id), rows without an
  id, repeated ids (first row kept) and rows with no usable value are removed, each a logged rule naming examples.
* ``features``: roles detected on the cleaned table (params ``roles`` and ``id_col`` override), the
  table indexed by the id; numbers in their units, categories kept as categories, each date kept for
  the model and turned into ``days_since_<date>`` for profiles. The clustering columns are every
  column with a feature role (or the ``features`` param); profiles use the numeric ones.
* ``preprocessor``: :func:`~segkit.kinds.customers.encoding.build_preprocessor` (one ``ColumnTransformer``)
  then, with ``pca_components``, a seeded PCA; it is saved inside the model.
* ``name_segments``: lexicon names (``segkit/kinds/customers/lexicon.yaml``) from the z-scores of the
  numeric profile, after mapping column names onto the lexicon's concepts (``Annual Income (k$)`` and
  ``income`` both mean *income*).
* ``after_segment``: ``categorical_profile.csv`` (level shares per segment with their index) and the
  scoring metadata (roles, known levels, id column, names) merged into ``model/metadata.json``, so
  ``segkit score`` checks new tables against what the model learnt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...cleaning import CleaningLog, examples, is_summary_id, labelled_summary
from ...errors import ColumnError, ParamsError
from ...featureset import FeatureSet
from ...io import parse_synth, require_columns
from ...modelio import METADATA_FILE, RESERVED_KEYS, save_model
from ...naming.masking import imputed_rows
from ...findings import Finding
from ...format import format_number, format_value, in_thousands, yes_no
from ...naming.words import counted, default_label, phrase, plural
from .features import FEATURE_ROLES, categorical_profile, customer_features
from .inputs import column_roles, eda_frame
from .levels import coded_name, gender_label
from .roles import detect_roles, find_id_column, no_features_error, role_table
from . import explore, score  # noqa: F401  (the kind's scorer and explorer, for stages.score)
from .score import scoring_metadata
from .synth import generate_customers
from .values import _to_datetime, level_text, read_values
from .naming import LEXICON, canonical_feature, name_segments
from .choose import MAX_MISSING_SHARE, NEAR_CONSTANT, TWIN_CORRELATION, filled_enough, near_constant, \
    recodes, scored_in_order, twins  # noqa: F401 (the shares: given here too)
from .units import label as _label, logarithm, money_columns, unit as _unit, without_thousands  # noqa: F401

__all__ = ["check_columns", "clean", "features", "preprocessor", "name_segments", "column_roles", "after_segment",
           "model_roles", "canonical_feature", "LEXICON"]

ENTITY = "customers"
EXTRA_STAGES = ("score", "pca", "categories")


def _synth_customers(options: Mapping) -> pd.DataFrame:
    return generate_customers(options.get("n", 10_000), seed=options.get("seed", 0))


#: ``synth://customers?n=..&seed=..``: a mixed-type customer table with latent personas.
SYNTH_TABLES = {"customers": _synth_customers}
EXAMPLES = 5  # ids named in a cleaning note

# ------------------------------------------------------------------------------------ preflight
def check_columns(params, columns: Sequence[str]) -> None:
    """Refuse params naming columns (``id_col``, ``roles``) that the input lacks."""
    wanted = {"id_col": params.id_col}
    wanted.update({f"roles[{col!r}]": col for col in (params.roles or {})})
    require_columns(columns, wanted)
    if params.features:
        dated = {f"days_since_{c}" for c in columns}
        missing = [f for f in params.features if f not in columns and f not in dated]
        if missing:
            raise ColumnError(f"features lists {', '.join(map(repr, missing))}, not columns of the input",
                              f"choose from: {', '.join(map(str, columns))}", key="features", column=missing[0])


# ---------------------------------------------------------------------------------------- clean
def _examples(values) -> str:
    return examples(values, EXAMPLES, quote=False, count_rest=True)


def clean(raw: pd.DataFrame, params):
    """Remove duplicate rows, rows without an id, repeated ids and rows with no usable value.

    Returns
    -------
    clean : DataFrame
        The remaining rows, every input column kept, index reset.
    log : CleaningLog
        Rules ``duplicates``, ``missing_id``, ``summary_rows`` (logged only when it removes rows: an export's total
        row, whose id is "Total", "Grand total:" and the like), ``duplicate_ids`` and ``empty_rows``, in that order.
    """
    log, table = CleaningLog(), raw.reset_index(drop=True)
    n = len(table)
    dup = table.duplicated(keep="first").to_numpy() if params.drop_duplicates is not False else np.zeros(n, bool)
    id_col = find_id_column(table.loc[~dup], overrides=params.roles, id_col=params.id_col)  # a double export's ids
    if params.drop_duplicates is None and id_col is None and dup.any():  # no id: two people may answer alike
        log.add("duplicates", "Exact copies of a row are kept: with no id column, two identical rows may be two "
                "people who answered alike (drop_duplicates: true removes them)", n, 0,
                note=f"{counted(int(dup.sum()), 'rows')} repeat an earlier row")
    elif params.drop_duplicates is not False:  # unset: copies of a customer's row are a double export
        log.add("duplicates", "Exact copies of a row (usually a double export): the first copy is kept", n,
                int(dup.sum()))
        table = table.loc[~dup].reset_index(drop=True)
    else:
        log.add("duplicates", "Exact duplicate rows are kept (drop_duplicates is false)", n, 0)
    n = len(table)
    if id_col is None:
        log.add("missing_id", "No id column: customers are numbered in table order", n, 0)
        log.add("duplicate_ids", "No id column, so no repeated ids to remove", n, 0)
    else:
        ids = table[id_col]
        labelled = labelled_summary(table, id_col)  # "Total" in the first column, the id blank: a summary row below
        missing = (ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()) & ~labelled
        log.add("missing_id", f"Rows with no customer id ({id_col!r}): they cannot be told apart", n,
                int(missing.sum()))
        table = table.loc[~missing].reset_index(drop=True)
        n = len(table)
        summary = is_summary_id(table[id_col].astype(str)) | labelled_summary(table, id_col)
        if summary.any():
            shown = table[id_col].astype("string").fillna(table.iloc[:, 0].astype("string"))  # or the first column's
            log.add("summary_rows", f"Summary rows were removed: their id ({id_col!r}), or their first column beside a "
                    "blank id, is a word such as \"Total\", so they hold an export's totals, not a customer", n,
                    int(summary.sum()), note=_examples(shown[summary]))
            table = table.loc[~summary].reset_index(drop=True)
            n = len(table)

        repeated = level_text(table[id_col]).duplicated(keep="first").to_numpy()
        log.add("duplicate_ids", f"Rows repeating an id already seen in {id_col!r} (exact copies too, when "
                "drop_duplicates is false): the first row of each id is kept", n, int(repeated.sum()),
                note=_examples(table.loc[repeated, id_col]))
        table = table.loc[~repeated].reset_index(drop=True)
    n = len(table)
    ignored = {c for c, r in (params.roles or {}).items() if r == "ignore"}
    usable = [c for c in table.columns if c != id_col and c not in ignored]
    empty = table[usable].isna().all(axis=1).to_numpy() if usable else np.zeros(n, dtype=bool)
    log.add("empty_rows", "Rows with no usable value (every column but the id is missing)", n, int(empty.sum()),
            note=_examples(table.loc[empty, id_col]) if id_col is not None else "")
    table = table.loc[~empty].reset_index(drop=True)
    table = read_values(table, params, log, id_col=id_col)
    found = {**(raw.attrs.get("currency_of") or {}), **log.currencies()}  # read from a file, or here (SQL, Parquet)
    carried = {c: sign for c, sign in found.items() if c in table.columns}
    percent = [c for c in dict.fromkeys([*raw.attrs.get("percent_of", []), *log.percents()]) if c in table.columns]
    table.attrs = {"read_notes": list(raw.attrs.get("read_notes", [])), "id_col": id_col,
                   **({"currency_of": carried} if carried else {}),  # "52.000,00 €": money, in euros
                   **({"percent_of": percent} if percent else {})}  # "12%": in percent
    return table, log


# ------------------------------------------------------------------------------------- features
def _roles(cleaned: pd.DataFrame, params) -> dict[str, str]:
    return detect_roles(cleaned, overrides=params.roles or None, id_col=params.id_col)


def model_roles(fs: FeatureSet) -> dict[str, str]:
    """Column -> role of the columns the model takes (raw names; dates stay dates)."""
    roles = fs.extra.get("model_roles") or {}
    return {c: roles[c] for c in fs.columns if c in roles}


def _describe(table: pd.DataFrame, model: dict, numeric: list[str], dates: list[str], params, attrs: Mapping):
    """Labels, short labels and units of the features (``attrs``: the cleaned table's, which say the currency sign
    each column's values were written with, ``currency_of``, and which were written in percent, ``percent_of``)."""
    carried = {**(attrs.get("currency_of") or {}), **{c: "%" for c in attrs.get("percent_of", [])}}
    labels, short, units = {}, {}, {}
    values = {c: pd.to_numeric(table[c], errors="coerce") for c in numeric if c in table.columns}
    for col, role in model.items():
        labels[col] = _label(col, role, params, values.get(col))
        if role == "categorical" and col not in (params.labels or {}):  # "Genre" of Male and Female
            labels[col] = gender_label(level_text(table[col]), col) or labels[col]
        if role in ("categorical", "boolean"):  # sentences say "contract: more often Two year"; the feature table the levels
            short[col] = _shorten(labels[col])
            labels[col] += f" ({table[col].nunique()} levels)"
    for col in numeric:
        labels.setdefault(col, _label(col, "numeric", params, values.get(col)))
        unit = _unit(col, params, values.get(col), carried.get(col)) if model.get(col) != "ordinal" else None
        if unit:
            units[col] = unit
        if in_thousands(unit) and col not in (params.labels or {}):  # "Annual income: $86.5k", not "(k$): $86.5k"
            labels[col] = without_thousands(labels[col])
        short[col] = _shorten(labels[col])
    for col in dates:
        key = f"days_since_{col}"
        named = (params.labels or {}).get(col) or default_label(col)  # "Letzter Besuch: last visit" -> days since
        labels[key] = short[key] = (params.labels or {}).get(key) or f"Days since {phrase(named)}"
        units[key] = (params.units or {}).get(key, "days")
    return labels, short, units


def _shorten(label: str, width: int = 32) -> str:
    """A label for axes and narrow tables: whole words, "…" when cut."""
    if len(label) <= width:
        return label
    cut = label[:width - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) >= width // 2 else label[:width - 1]) + "…"


def _fill_gaps(table: pd.DataFrame, numeric: list[str], notes: list[str],
               quiet=()) -> dict[str, dict]:
    """Fill missing numbers with the median (the features table is complete; the model's own imputer does the same
    for new rows); return where (``imputed_rows``), so that the profile's figures and the names leave the filled values
    out, and ``zero_blanks``: ``column -> [other column, gaps, median]`` where every gap is in a row where the other is
    0. A note says so for each column but those ``quiet`` (left out of the features, which their own note says)."""
    missing, zeros = pd.DataFrame({c: table[c].isna() for c in numeric}, index=table.index), {}
    for col in [c for c in numeric if missing[c].any()]:
        gaps, median = int(missing[col].sum()), float(table[col].median())
        other = _zero_partner(table, col, missing)
        table[col] = table[col].fillna(median)
        if col in quiet:
            continue
        notes.append(f"{col}: {counted(gaps, 'missing values')} filled with the median ({format_number(median)}); "
                     "filled values never drive a segment's name."
                     + (f" Every one is in a row where {other} is 0: if a blank means 0 there, set fill: {{{col}: 0}}."
                        if other else ""))
        if other:
            zeros[col] = [other, gaps, median]
    return {"imputed_rows": imputed_rows(missing) if numeric else {}, "zero_blanks": zeros}


def _zero_partner(table: pd.DataFrame, col: str, missing: pd.DataFrame) -> str | None:
    """The column that is 0 in every row where ``col`` has a gap (3 gaps or more) and hardly anywhere else (in at
    most a tenth as many other rows), if one is: a telecom's total charges are blank for the subscribers of tenure
    0, whose first bill is not yet sent. A column that is 0 in most rows says nothing of the gaps."""
    gaps = missing[col].to_numpy()
    if gaps.sum() < 3:
        return None
    elsewhere = {}
    for other in missing.columns.drop(col):
        zero = table[other].to_numpy() == 0
        if not missing[other].to_numpy()[gaps].any() and zero[gaps].all():
            elsewhere[str(other)] = int(zero[~gaps].sum())
    fits = {c: n for c, n in elsewhere.items() if n <= 0.1 * gaps.sum()}
    return min(fits, key=fits.get) if fits else None


def feature_findings(fs: FeatureSet, params) -> list[Finding]:
    """What ``segkit check`` warns of once the features are built: a column whose every gap is in a row where
    another number is 0, filled with the median where a blank likely means 0 (the params' ``fill`` says so); an
    outcome of more than two values, of which the reports follow one (acs12's employment: 'unemployed')."""
    blanks = [Finding("warning", "missing", col, f"column {col!r} is blank in {gaps:,} rows, every one where {other!r} "
                      f"is 0: the run fills them with the median ({format_number(median)})", gaps, "fill",
                      f"set fill: {{{col}: 0}} if a blank means 0 there (leave it if a blank means unknown)")
              for col, (other, gaps, median) in (fs.extra.get("zero_blanks") or {}).items()]
    outcomes = dict(fs.table.attrs.get("outcomes") or {})
    return blanks + [Finding("warning", "outcome", col, f"column {col!r} (outcome) has {len(levels)} values "
                             f"({', '.join(levels[:6])}{', ...' if len(levels) > 6 else ''}): the reports show each "
                             f"segment's share of {outcomes.get(col)!r} only", len(fs.table), "roles",
                             f"give {col!r} two values in the data (the one to follow and the rest), or set roles: "
                             f"{{{col}: categorical}} to show the share of every value")
                     for col, levels in (fs.extra.get("outcome_levels") or {}).items() if len(levels) > 2]


def _without_twins(table: pd.DataFrame, cleaned: pd.DataFrame, columns: list, dates: list, numeric: list,
                   notes: list) -> tuple[list, list, dict[str, str]]:
    """The features and the numbers without the columns that say what another says (:func:`twins`, and
    :func:`recodes` of the cleaned values, before gaps are filled), noted; and those columns with their twins: they
    are on no page, since their twins say it."""
    measured = {c: f"days_since_{c}" if c in dates else c for c in columns}
    said = twins(table, {c: m for c, m in measured.items() if m in numeric})
    for col, (twin, r) in said.items():
        notes.append(f"{col} equals {twin} in every row: left out of the features (name it in features to keep "
                     "it)." if r is None else f"{col} says what {twin} says (their ranks correlate at {r:.3f}): "
                     "left out of the features, so that it does not count twice (name it in features to keep it).")
    for col, twin in recodes(cleaned, [c for c in columns if c not in said and c not in dates]).items():
        said[col] = (twin, None)
        notes.append(f"{col} says what {twin} says in other words (each value of one stands for a value of the other "
                     "in every row): left out of the features (name it in features to keep it).")
    gone = {measured[t] for t in said}
    return ([c for c in columns if c not in said], [c for c in numeric if c not in said and c not in gone],
            {col: twin for col, (twin, _) in said.items()})


def features(cleaned: pd.DataFrame, params) -> FeatureSet:
    """One row per customer, indexed by the id, with the roles and what each column means."""
    roles = _roles(cleaned, params)
    table = customer_features(cleaned, roles)
    notes = list(table.attrs.get("notes", []))
    model = {c: r for c, r in roles.items() if r in FEATURE_ROLES}
    if not model:
        raise no_features_error(roles)
    dates = [c for c, r in model.items() if r == "date"]
    for col in dates:  # the model takes the dates themselves, so new customers are scored from raw tables
        table[col] = _to_datetime(cleaned[col]).to_numpy()
    numeric = [c for c, r in roles.items() if r in ("numeric", "ordinal")] + [f"days_since_{c}" for c in dates]
    sparse_notes: list[str] = []  # said after the filled gaps, where the features are chosen
    kept = list(model) if params.features else filled_enough(cleaned, list(model), sparse_notes)
    left_out = set(model) - set(kept)
    left_out |= {f"days_since_{c}" for c in left_out & set(dates)}  # a date's days since, as the model reads it
    gaps = _fill_gaps(table, numeric, notes, quiet=left_out)
    columns = list(model)
    if params.features:
        alias = {f"days_since_{c}": c for c in dates}
        wanted = [alias.get(f, f) for f in params.features]
        unknown = [f"{f!r} ({roles.get(w, 'not a column')})" for f, w in zip(params.features, wanted) if w not in model]
        if unknown:
            raise ParamsError(f"features lists {', '.join(unknown)}, which are not feature columns "
                              "(id, text, constant, near-unique or ignored columns cannot feed the segments)",
                              f"choose from: {', '.join(columns)}; or set their role in roles", key="features")
        columns, twinned = list(dict.fromkeys(wanted)), {}
    else:
        notes += sparse_notes
        columns, numeric, twinned = _without_twins(table, cleaned, kept, dates, numeric, notes)
    labels, short, units = _describe(table, model, numeric, dates, params, cleaned.attrs)
    scales = {c: s for c, s in table.attrs.get("scales", {}).items() if c in columns}
    label_notes = scored_in_order(scales, cleaned, notes)
    categorical = [c for c in columns if model[c] in ("categorical", "boolean")]
    entity = plural(params.entity or ENTITY)
    notes += near_constant(cleaned, [c for c in columns if c not in dates], entity)
    if categorical:
        named = ", ".join(str(short.get(c) or labels.get(c) or c).split(" (")[0] for c in categorical)  # Gender: Genre
        notes.append(f"Each level of a category ({named}) is compared as a yes or no of its own; levels held by fewer "
                     f"than {format_value(params.rare_min_frequency, 'share')} of {entity} are grouped together.")
    profiled = [c for c in numeric if c in table.columns and c not in left_out]  # a mostly empty column describes none
    shares: list[str] = []  # only categories: the profiles compare the share of each level instead of means
    if not profiled:
        profiled = shares = _level_shares(table, categorical, labels, short, units)
        notes.append(f"No column holds numbers, so the profiles compare the share of {entity} with each category "
                     "level in every segment with the share among all of them.")
    outcomes = _outcomes(table, labels, short, units, notes, entity, params)
    coded = [c for c in categorical if model[c] == "categorical" and coded_name(c)]  # a sex coded 0/1: never "sex: no"
    logs = [c for c in profiled if c in table.columns and logarithm(c, table[c])]  # no "Lnmed: 7.31 (index 139)"
    extra = {"model_roles": {c: model[c] for c in columns}, "roles": roles, "categorical": categorical, "coded": coded,
             "logged": logs, "outcome_levels": dict(table.attrs.get("outcome_levels") or {}),
             "id_col": str(table.index.name), "reference_date": table.attrs.get("reference_date"),
             **gaps, "outcomes": list(outcomes), "scales": scales, "label_notes": label_notes, "twins": twinned,
             "level_shares": shares}
    fs = FeatureSet(table=table, columns=columns, labels=labels, entity=entity, notes=notes,
                    extra=extra, short=short, units=units, profile_columns=profiled + list(outcomes),
                    better={c: good for c in outcomes if (good := _good_outcome(c)) is not None})
    for col in label_notes:  # "Q1 satisfied (1-5)"
        fs.set_label(col)
    return fs


def _outcomes(table: pd.DataFrame, labels: dict, short: dict, units: dict, notes: list[str], entity: str,
              params) -> dict:
    """The outcome columns (churn, y: the ``outcome`` role), each 1.0 where it happened in ``table``, with their
    labels ("Churn (Yes)", "Outcome (yes)" for a bare ``y``, "Death (yes)" for a 0/1 death), the unit ``share`` and a note; returns column -> the
    level that means it happened."""
    outcomes = dict(table.attrs.get("outcomes") or {})
    bare = [c for c in outcomes if str(c).strip().lower() in ("y", "target", "label", "outcome")]
    for col, level in outcomes.items():
        plain = "Outcome" if len(bare) == 1 else f"Outcome {col}"  # "y" is no word for a reader
        base = (params.labels or {}).get(col) or (plain if col in bare else default_label(col))
        flag = {v.lower() for v in (table.attrs.get("outcome_levels") or {}).get(col, [])} in ({"0", "1"},
                                                                                                {"false", "true"})
        said = "yes" if flag and str(level).lower() in ("1", "true") else level  # NHEFS's 0/1 death: not "Death (1)"
        labels[col] = short[col] = f"{base} ({said})"
        units[col] = "share"
        notes.append(f"{col} says what happened to the {entity} ({said}: {table[col].mean():.0%} of them): each "
                     f"segment's share is shown, but it does not build the segments (set roles: {{{col}: categorical}} "
                     "to use it as a feature).")
    return outcomes


def _good_outcome(column: str) -> bool | None:
    """Whether more of an outcome is good news for the business (a sale), bad (churn) or not known (target)."""
    name = str(column).strip().lower()
    if re.search(r"churn|exit|attrit|cancel|unsubscri|k(?:ü|ue)ndig|abwander|abgewandert|r[ée]sili|d[ée]sabonn|baja|abandon|"
                 r"disdett|opgezegd|evas|default|fraud|death|died|dead|deceas|relapse|readmit", name):
        return False
    return True if re.search(r"convert|subscri|respon|purchas|bought|renew|retain|surviv", name) or name == "y" \
        else None


def _level_shares(table: pd.DataFrame, categorical: Sequence[str], labels: dict, short: dict, units: dict,
                  per_column: int = 6) -> list[str]:
    """0/1 columns ``"<column>: <level>"`` for the most common levels of each category (added to ``table``, with
    their labels and the unit ``share``), so a table of categories only still has profiles; returns their names. A
    yes/no column (0/1, true/false; not codes such as a sex's 0/1) has one, its yes ("Kids: yes"): its no is the rest,
    and COUNT's affairs, every column a 0/1, read "Hapavg: 0: 0% (index 0)" beside "Hapavg: 1: 100% (index 310)"."""
    added = []
    for col in categorical:
        text = level_text(table[col])
        words = None if coded_name(col) else yes_no(text.dropna().unique())
        for level in text.value_counts().index[:per_column]:
            if words and words[level] == "no":
                continue
            name = f"{col}: {level}"
            table[name] = (text == level).astype(float).to_numpy()
            labels[name] = short[name] = f"{labels.get(col, col).split(' (')[0]}: {(words or {}).get(level, level)}"
            units[name] = "share"
            added.append(name)
    return added


# ---------------------------------------------------------------------------------- preprocessor
def _check_pca(value, width: int | None = None) -> None:
    if value is None:
        return
    if isinstance(value, float) and not 0 < value < 1:
        raise ParamsError(f"pca_components={value} is neither a count nor a share between 0 and 1",
                          "use a whole number of components (e.g. 3) or a variance share such as 0.9",
                          key="pca_components")
    if isinstance(value, int) and value < 1:
        raise ParamsError(f"pca_components={value} must be at least 1", "use e.g. 3, or 0.9 for a variance share",
                          key="pca_components")
    if isinstance(value, int) and width is not None and value > width:
        raise ParamsError(f"pca_components={value} but the encoded table has only {width} columns",
                          f"use at most {width} components, or a variance share such as 0.9", key="pca_components")


def _encoding(fs: FeatureSet, params):
    """The roles' ``ColumnTransformer`` of the model's columns (unfitted)."""
    from .encoding import build_preprocessor

    return build_preprocessor(model_roles(fs), skew=params.skew, scaler=params.scaler,
                              rare_min_frequency=params.rare_min_frequency, scales=fs.extra.get("scales"))


def preprocessor(fs: FeatureSet, params):
    """The model's encoding: the roles' ``ColumnTransformer``, then PCA when ``pca_components`` is set."""
    encode = _encoding(fs, params)
    if params.pca_components is None:
        return encode
    from sklearn.base import clone
    from sklearn.decomposition import PCA
    from sklearn.pipeline import Pipeline

    _check_pca(params.pca_components)
    if isinstance(params.pca_components, int):
        width = clone(encode).fit(fs.clustering_table.head(50_000)).transform(fs.clustering_table.head(1)).shape[1]
        _check_pca(params.pca_components, width)
    solver = "full" if isinstance(params.pca_components, float) else "auto"
    return Pipeline([("encode", encode),
                     ("pca", PCA(n_components=params.pca_components, svd_solver=solver, random_state=params.seed))])


def pca_variance(fs: FeatureSet, params) -> pd.DataFrame:
    """Explained variance of every principal component of the encoded table (for the PCA plot).

    Returns
    -------
    DataFrame
        One row per component: ``component`` (1, 2, ...), ``explained`` (share of the variation) and
        ``cumulative``; ``attrs["kept"]`` is the number of components the params keep.
    """
    from sklearn.decomposition import PCA

    X = np.asarray(_encoding(fs, params).fit_transform(fs.clustering_table), dtype=float)
    pca = PCA(random_state=params.seed).fit(X)
    ratio = pca.explained_variance_ratio_
    out = pd.DataFrame({"component": np.arange(1, len(ratio) + 1), "explained": ratio, "cumulative": np.cumsum(ratio)})
    value = params.pca_components
    if value is None:
        kept = None
    elif isinstance(value, int):
        kept = min(value, len(ratio))
    else:
        kept = int(np.searchsorted(np.cumsum(ratio), value - 1e-12) + 1)
    out.attrs["kept"] = kept
    return out


# ----------------------------------------------------------------------------------- after segment
def categorical_table(fs: FeatureSet, labels, codes: Mapping[int, str], names: Mapping[int, str]) -> pd.DataFrame:
    """Level shares per segment for every categorical clustering column, with segment codes and names."""
    columns = [c for c in fs.table.columns if isinstance(fs.table[c].dtype, pd.CategoricalDtype)]
    out = categorical_profile(fs.table, np.asarray(labels), columns)
    out.insert(1, "segment_code", out["segment"].map(codes))
    out.insert(2, "segment_name", out["segment"].map(lambda s: names.get(s, codes.get(s))))
    return out


def after_segment(ctx, seg) -> None:
    """Write ``categorical_profile.csv`` and merge the scoring metadata into the saved model's metadata."""
    fs, prof = seg.features, seg.profile
    names = {s: prof.names.get(s, prof.codes[s]) for s in prof.segments}
    table = categorical_table(fs, seg.labels.to_numpy(), prof.codes, names)
    ctx.folder.write_csv("categorical_profile.csv", table.round(6))
    folder = ctx.folder.artifact("model")
    meta = ctx.folder.read_json(f"model/{METADATA_FILE}")
    extra = {k: v for k, v in meta.items() if k not in RESERVED_KEYS}
    scoring = scoring_metadata(fs.clustering_table, model_roles(fs), id_col=fs.extra.get("id_col"),
                               names={prof.codes[s]: n for s, n in names.items()}, scales=fs.extra.get("scales"),
                               fill=ctx.params.fill)
    extra.update(scoring)
    extra["reference_date"] = fs.extra.get("reference_date")
    log = ctx.folder.read_json("cleaning_log.json") if ctx.folder.has("cleaning_log.json") else {}
    extra["date_layouts"] = score.date_layouts(log.get("readings", []), ctx.params.date_format)
    save_model(seg.model, folder, metadata=extra, overwrite=True)


def fresh_rows(params, n: int) -> pd.DataFrame | None:
    """New customers to score when the input is generated (``synth://customers``): fresh draws from the
    same personas, with their own ids; None for any other input."""
    data_path = str(params.data_path or "")
    if not data_path.startswith("synth://customers"):
        return None
    _, options = parse_synth(data_path)
    new = generate_customers(n, seed=int(options.get("seed", 0)) + 1_000_003)
    new["customer_id"] = [f"N{i:06d}" for i in range(1, len(new) + 1)]
    new.attrs["source"] = (f"{len(new):,} newly generated customers: no file of new customers was given (score_path "
                           "in the params) and the input is generated, so fresh customers are drawn from the same "
                           "personas.")
    return new
