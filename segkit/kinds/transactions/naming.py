"""Standard RFM segment names (Champions, At Risk, ...) from a segment profile.

Names come from what a segment looks like, never from its number:

1. Each segment gets R, F and M scores from 1 to 5 by placing its typical customer (median by
   default) among the customer-level quintiles of recency, frequency and monetary value
   (:func:`rfm_scores`). Recency is reversed: fewer days since the last purchase is better.
2. Rules from an editable YAML file (``segkit/kinds/transactions/rfm_names.yaml``, see its header for the format)
   map the scores to a name, a one-sentence description with numbers and a suggested action.
3. Names are unique: when several segments earn the same rule, the one that fits it best keeps the
   name and each other one takes the next rule it fits, or else the name plus a qualifier from the
   profile ("Champions (lower spend)").
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...errors import ColumnError, DataValueError, ParamsError
from ...format import format_share, format_value
from ...naming import SegmentName
from ...profile import QUINTILES, SegmentProfile

__all__ = ["RfmRule", "RfmRules", "SegmentName", "fill_placeholders", "load_rfm_rules", "name_rfm_segments",
           "rfm_scores", "typical_gap"]

ROLES = ("recency", "frequency", "monetary")
OPTIONAL_ROLES = ("tenure", "avg_order_value")
_RULE_KEYS = {"name", "r", "f", "m", "overdue", "orders", "keep", "description", "action"}
_TOP_KEYS = {"version", "statistic", "qualifiers", "rules"}


@dataclass(frozen=True)
class RfmRule:
    """One naming rule: score ranges (inclusive) and the texts of the segments it names."""

    name: str
    r: tuple[int, int] = (1, 5)
    f: tuple[int, int] = (1, 5)
    m: tuple[int, int] = (1, 5)
    keep: str = "best"
    description: str = ""
    action: str = ""
    overdue: tuple[float, float] | None = None
    orders: tuple[float, float] | None = None

    def distance(self, scores: tuple[int, int, int], overdue: float | None = None,
                 orders: float | None = None) -> int:
        """Score steps outside the rule's ranges (0 = the scores fit the rule), plus two when the segment's
        recency, in typical times between purchases (``overdue``, None = not known), is outside the rule's, and two
        when its typical number of purchases (``orders``) is."""
        steps = sum(max(lo - s, 0, s - hi) for s, (lo, hi) in zip(scores, (self.r, self.f, self.m)))
        for bounds, value in ((self.overdue, overdue), (self.orders, orders)):
            if bounds is not None and value is not None:
                steps += 2 * (not bounds[0] <= value <= bounds[1])  # worse than one score step
        return steps


@dataclass(frozen=True)
class RfmRules:
    """A validated rules file: the rules in priority order, qualifiers and the scoring statistic."""

    rules: tuple[RfmRule, ...]
    qualifiers: dict[str, dict[str, str]]
    statistic: str = "median"


def load_rfm_rules(rules: str | Path | Mapping[str, Any] | RfmRules | None = None) -> RfmRules:
    """Load and validate RFM naming rules.

    Parameters
    ----------
    rules : path, mapping, RfmRules or None
        None for the rules shipped with segkit (``segkit/kinds/transactions/rfm_names.yaml``), a path to a YAML
        file in the same format, or the already-parsed mapping.

    Raises
    ------
    DataFileError
        The file is missing or is not valid YAML.
    ParamsError
        A rule has an unknown key, a bad range, a duplicate name, or the file lacks rules.
    """
    if isinstance(rules, RfmRules):
        return rules
    from ...resources import read_data_yaml

    raw, path = read_data_yaml(rules, shipped="kinds/transactions/rfm_names.yaml", what="RFM rules")
    source = str(path) if path is not None else ("rfm_names.yaml (shipped with segkit)" if rules is None
                                                 else "the RFM rules")
    return _parse_rules(raw, source)


def rfm_scores(profile: SegmentProfile, *, quantiles: pd.DataFrame | Mapping[str, Any] | None = None,
               columns: Mapping[str, str] | None = None, statistic: str = "median") -> pd.DataFrame:
    """Score each segment's recency, frequency and monetary value from 1 (worst) to 5 (best).

    A segment's statistic (median by default) is placed among the customer-level quintile cut
    points ``q20 < q40 < q60 < q80``: score = 1 + number of cut points strictly below it (a value
    equal to a cut point falls in the lower quintile, as in :func:`pandas.qcut`). Recency is
    reversed (6 minus that), since fewer days since the last purchase is better.

    Parameters
    ----------
    profile : SegmentProfile
        Built on all customers, it carries their quintiles (``profile.quantiles``).
    quantiles : DataFrame or mapping, optional
        Customer-level cut points to use instead: a table like
        :func:`segkit.profile.feature_quantiles` returns (feature x levels 0.2, 0.4, 0.6, 0.8), or a
        mapping feature -> the four cut points. Pass it when the profile was built on a sample.
    columns : mapping, optional
        Role -> column name, for features not called ``recency``, ``frequency``, ``monetary``.
    statistic : {"median", "mean"}, default "median"

    Returns
    -------
    pandas.DataFrame
        Segment x ``[r, f, m]``, integers 1 to 5.
    """
    cols = _role_columns(profile, columns)
    if statistic not in ("median", "mean"):
        raise ParamsError(f"statistic must be 'median' or 'mean', not {statistic!r}", key="statistic",
                          fix="use statistic: median (robust to a few big spenders) or mean")
    table = profile.medians if statistic == "median" else profile.means
    out = {}
    for role, letter in zip(ROLES, "rfm"):
        cuts = _cut_points(profile, quantiles, cols[role])
        below = (table[cols[role]].to_numpy()[:, None] > cuts[None, :]).sum(axis=1)
        out[letter] = (len(cuts) + 1 - below) if role == "recency" else (1 + below)
    return pd.DataFrame(out, index=profile.means.index).astype(int)


def name_rfm_segments(profile: SegmentProfile, *, rules: str | Path | Mapping[str, Any] | RfmRules | None = None,
                      quantiles: pd.DataFrame | Mapping[str, Any] | None = None,
                      columns: Mapping[str, str] | None = None, currency: str = "£",
                      typical_gap: float | None = None) -> dict[int, SegmentName]:
    """Name RFM segments from their profile: a unique name, a description with numbers, an action.

    Parameters
    ----------
    profile : SegmentProfile
        Profile of the RFM features (recency in days, frequency, monetary; tenure and
        avg_order_value optional), built on all customers so that it carries their quintiles.
    rules : path, mapping, RfmRules or None
        Naming rules (see :func:`load_rfm_rules`); None = the shipped ``rfm_names.yaml``.
    quantiles : DataFrame or mapping, optional
        Customer-level quintile cut points, when the profile was not built on all customers
        (see :func:`rfm_scores`).
    columns : mapping, optional
        Role -> column name, e.g. ``{"recency": "days_since_last", "monetary": "net_spend"}``.
    currency : str, default "£"
        Currency symbol in the descriptions.
    typical_gap : float, optional
        The data's typical days between two purchases of a customer (see :func:`typical_gap`). A segment's
        recency statistic divided by it is how *overdue* the segment is; rules with an ``overdue`` range
        (``About to Sleep``: at most 3 gaps) need it, so a segment long past its customers' rhythm is
        named ``Hibernating`` or ``Lost``. None ignores the ``overdue`` ranges.

    Returns
    -------
    dict of int to SegmentName
        In segment order. Attach with ``profile.with_names(...)``.

    Examples
    --------
    >>> named = name_rfm_segments(profile)               # doctest: +SKIP
    >>> profile = profile.with_names(named)              # doctest: +SKIP
    """
    ruleset = load_rfm_rules(rules)
    cols = _role_columns(profile, columns)
    scores = rfm_scores(profile, quantiles=quantiles, columns=columns, statistic=ruleset.statistic)
    segs = profile.segments
    score_of = {s: tuple(int(v) for v in scores.loc[s, ["r", "f", "m"]]) for s in segs}
    stat = profile.medians if ruleset.statistic == "median" else profile.means
    late = {s: (float(stat.at[s, cols["recency"]]) / typical_gap if typical_gap else None) for s in segs}
    orders = {s: float(stat.at[s, cols["frequency"]]) for s in segs}
    # "goodness" per dimension, in overall standard deviations (recency reversed); profile-based,
    # so every ordering below follows the profiles and not the segment numbers.
    good = {s: np.array([-profile.zscores.at[s, cols["recency"]], profile.zscores.at[s, cols["frequency"]],
                         profile.zscores.at[s, cols["monetary"]]], dtype=float) for s in segs}

    def strength(s: int) -> tuple:
        means = tuple(float(profile.means.at[s, cols[r]]) * (-1 if r == "recency" else 1) for r in ROLES)
        return (round(float(good[s].sum()), 9), sum(score_of[s]), means, int(profile.sizes[s]))

    rules_ = ruleset.rules
    candidates = {s: sorted(range(len(rules_)), key=lambda i: (rules_[i].distance(score_of[s], late[s], orders[s]), i))
                  for s in segs}
    chosen: dict[int, tuple[int, str]] = {}   # segment -> (rule index, name)
    displaced: list[tuple[int, int]] = []     # (segment, segment that kept the name)
    groups: dict[int, list[int]] = {}
    for s in segs:
        groups.setdefault(candidates[s][0], []).append(s)
    for i in sorted(groups):
        members = sorted(groups[i], key=strength, reverse=rules_[i].keep == "best")
        chosen[members[0]] = (i, rules_[i].name)
        displaced += [(s, members[0]) for s in members[1:]]
    taken = {name for _, name in chosen.values()}
    for s, keeper in sorted(displaced, key=lambda pair: strength(pair[0]), reverse=True):
        alt = next((i for i in candidates[s] if rules_[i].distance(score_of[s], late[s], orders[s]) == 0
                    and rules_[i].name not in taken), None)
        if alt is not None:
            name = rules_[alt].name
        else:
            alt = candidates[s][0]
            name = _qualified(rules_[alt].name, good[s] - good[keeper], profile.sizes[s] > profile.sizes[keeper],
                              ruleset.qualifiers, taken)
        chosen[s] = (alt, name)
        taken.add(name)

    named = {}
    for s in segs:
        rule = rules_[chosen[s][0]]
        values = _placeholders(profile, s, cols, score_of[s], currency)
        values["gap"] = _days(typical_gap) if typical_gap else "not known"
        named[s] = SegmentName(chosen[s][1], _fill(rule.description, values, rule.name, "description"),
                               _fill(rule.action, values, rule.name, "action"))
    return named


def fill_placeholders(profile: SegmentProfile, s: int, template: str, name: str, what: str, *, currency: str = "£",
                      gap: float | None = None, columns: Mapping[str, str] | None = None) -> str:
    """``template`` (a description or an action) with segment ``s``'s numbers in its placeholders (see
    ``rfm_names.yaml``); the scores are those of the segment's median customer."""
    cols = _role_columns(profile, columns)
    score = rfm_scores(profile, columns=columns).loc[s, ["r", "f", "m"]]
    values = _placeholders(profile, s, cols, tuple(int(v) for v in score), currency)
    values["gap"] = _days(gap) if gap else "not known"
    return _fill(template, values, name, what)


# -------------------------------------------------------------------------------------- helpers
def _qualified(base: str, diff: np.ndarray, larger: bool, qualifiers: Mapping[str, Mapping[str, str]],
               taken: set[str]) -> str:
    """``base (qualifier)`` naming how a segment differs from the one that kept ``base``."""
    order = sorted(range(3), key=lambda d: (-abs(diff[d]), d))
    words = [qualifiers[ROLES[d]]["better" if diff[d] > 0 else "worse"] for d in order]
    options = [f"{base} ({w})" for w in words]
    options += [f"{base} ({a}, {b})" for a, b in itertools.combinations(words, 2)]
    options += [f"{base} ({', '.join(words)})", f"{base} ({'larger' if larger else 'smaller'} group)"]
    for option in options:
        if option not in taken:
            return option
    n = 2
    while f"{base} (group {n})" in taken:
        n += 1
    return f"{base} (group {n})"


def _placeholders(profile: SegmentProfile, s: int, cols: Mapping[str, str], score: tuple[int, int, int],
                  currency: str) -> dict[str, str]:
    mean = profile.means.loc[s]
    values = {
        "recency": _days(mean[cols["recency"]]),
        "frequency": _times(mean[cols["frequency"]]),
        "monetary": _money(mean[cols["monetary"]], currency),
        "customers": f"{int(profile.sizes[s]):,}",
        "share": format_share(profile.shares[s]),
        "r": str(score[0]), "f": str(score[1]), "m": str(score[2]),
    }
    if cols.get("tenure") in profile.features:
        values["tenure"] = _days(mean[cols["tenure"]])
    if cols.get("avg_order_value") in profile.features:
        values["avg_order_value"] = _money(mean[cols["avg_order_value"]], currency)
    return values


def _fill(template: str, values: Mapping[str, str], rule: str, what: str) -> str:
    try:
        return template.format_map(values)
    except KeyError as exc:
        raise ParamsError(f"the {what} of RFM rule {rule!r} uses {{{exc.args[0]}}}, which is not available",
                          fix=f"use only {', '.join('{' + k + '}' for k in values)}", key=what) from None
    except (ValueError, IndexError) as exc:
        raise ParamsError(f"the {what} of RFM rule {rule!r} is not a valid template ({exc})",
                          fix="write placeholders as {recency}; double literal braces as {{ }}", key=what) from None


def _days(value: float) -> str:
    days = int(round(float(value)))
    return "1 day" if days == 1 else f"{days:,} days"


def _times(value: float) -> str:
    """An average count as the card's facts write it: "21.4 times" beside "Orders: 21.4", never "21 times"."""
    text = format_value(value, "count").removesuffix(".0")  # 1.04 times on average: "1 time", not "1.0 times"
    return "1 time" if text == "1" else f"{text} times"


def _money(value: float, currency: str) -> str:
    """Money as the card's facts write it: "£1,304" beside "Net spend: £1,304", never a rounded "£1,300"."""
    return format_value(value, "money", currency)


def _role_columns(profile: SegmentProfile, columns: Mapping[str, str] | None) -> dict[str, str]:
    given = dict(columns or {})
    unknown = sorted(set(given) - set(ROLES) - set(OPTIONAL_ROLES))
    if unknown:
        raise ParamsError(f"unknown RFM roles {unknown} in columns",
                          fix=f"use roles from: {', '.join(ROLES + OPTIONAL_ROLES)}", key="columns")
    cols = {role: str(given.get(role, role)) for role in ROLES + OPTIONAL_ROLES}
    for role in ROLES:
        if cols[role] not in profile.features:
            raise ColumnError(f"the profile has no {role} column {cols[role]!r}",
                              fix=f"profile the RFM features, or pass columns={{'{role}': <one of "
                                  f"{', '.join(profile.features)}>}}", column=cols[role])
    return cols


def _cut_points(profile: SegmentProfile, quantiles: Any, column: str) -> np.ndarray:
    if quantiles is None:
        table = profile.quantiles
        levels = [float(q) for q in table.columns]
        missing = [q for q in QUINTILES if not any(math.isclose(q, lv) for lv in levels)]
        if missing or column not in table.index:
            raise DataValueError(f"the profile does not carry the customer quintiles of {column!r}",
                                 fix="build the profile with the default quantile_levels, or pass "
                                     "quantiles=feature_quantiles(features)")
        cuts = [float(table.loc[column, next(lv for lv in table.columns if math.isclose(float(lv), q))])
                for q in QUINTILES]
    elif isinstance(quantiles, pd.DataFrame):
        if column not in quantiles.index:
            raise DataValueError(f"the quantiles table has no row for {column!r}",
                                 fix="pass feature_quantiles(features) computed on all customers")
        row = quantiles.loc[column]
        try:
            cuts = [float(row[next(c for c in row.index if math.isclose(float(c), q))]) for q in QUINTILES]
        except StopIteration:
            raise DataValueError("the quantiles table lacks the levels 0.2, 0.4, 0.6 and 0.8",
                                 fix="pass feature_quantiles(features) with its default levels") from None
    else:
        if column not in quantiles:
            raise DataValueError(f"quantiles has no cut points for {column!r}",
                                 fix="pass a mapping feature -> [q20, q40, q60, q80]")
        cuts = [float(v) for v in quantiles[column]]
    if len(cuts) != 4 or any(b < a for a, b in zip(cuts, cuts[1:])):
        raise DataValueError(f"the cut points of {column!r} must be 4 increasing values, got {cuts}",
                             fix="pass the customer-level quintiles (levels 0.2, 0.4, 0.6, 0.8)")
    return np.array(cuts)


def _bounds(rule: Mapping, key: str, where: str) -> tuple[float, float] | None:
    """A rule's ``overdue`` (in typical times between purchases) or ``orders`` (purchases of the typical customer)."""
    value = rule.get(key)
    if value is None:
        return None
    ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) or v is None for v in value)
    lo, hi = (value if ok else (None, None))
    lo, hi = (0.0 if lo is None else float(lo)), (math.inf if hi is None else float(hi))
    if not ok or not 0 <= lo <= hi:
        unit = "typical times between purchases" if key == "overdue" else "purchases"
        raise ParamsError(f"{where}: {key} must be [lowest, highest] in {unit} (0 <= lowest <= highest; null for no "
                          f"bound), got {value!r}", fix=f"write e.g. {key}: [0, 3]", key=key)
    return lo, hi


def typical_gap(features: pd.DataFrame) -> float | None:
    """The data's typical days between two purchases: the median of ``interpurchase_mean`` over the customers
    who bought on at least two days (None without those columns or such customers)."""
    if not {"interpurchase_mean", "frequency"} <= set(features.columns):
        return None
    gaps = features.loc[features["frequency"] >= 2, "interpurchase_mean"].dropna()
    gap = float(gaps.median()) if len(gaps) else math.nan
    return gap if gap > 0 else None


def _parse_rules(raw: Any, source: str) -> RfmRules:
    fix = "compare with segkit/kinds/transactions/rfm_names.yaml"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("rules"), list) or not raw["rules"]:
        raise ParamsError(f"{source} has no list of rules", fix=fix, key="rules")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ParamsError(f"{source} has unknown keys {unknown}",
                          fix=f"use only {', '.join(sorted(_TOP_KEYS))}", key=unknown[0])
    statistic = raw.get("statistic", "median")
    if statistic not in ("median", "mean"):
        raise ParamsError(f"statistic in {source} must be median or mean, not {statistic!r}",
                          fix="set statistic: median", key="statistic")
    qualifiers = raw.get("qualifiers") or {}
    quals = {}
    for role in ROLES:
        q = qualifiers.get(role) if isinstance(qualifiers, Mapping) else None
        if not isinstance(q, Mapping) or not all(isinstance(q.get(k), str) and q[k] for k in ("better", "worse")):
            raise ParamsError(f"qualifiers.{role} in {source} needs the texts 'better' and 'worse'",
                              fix=fix, key=f"qualifiers.{role}")
        quals[role] = {"better": q["better"], "worse": q["worse"]}
    parsed, names = [], set()
    for n, rule in enumerate(raw["rules"], start=1):
        where = f"rule {n} in {source}"
        if not isinstance(rule, Mapping) or not isinstance(rule.get("name"), str) or not rule["name"].strip():
            raise ParamsError(f"{where} has no name", fix=fix, key="name")
        name = rule["name"].strip()
        where = f"rule {name!r} in {source}"
        bad = sorted(set(rule) - _RULE_KEYS)
        if bad:
            raise ParamsError(f"{where} has unknown keys {bad}",
                              fix=f"use only {', '.join(sorted(_RULE_KEYS))}", key=bad[0])
        if name in names:
            raise ParamsError(f"{where} is defined twice", fix="give every rule its own name", key="name")
        names.add(name)
        ranges = {}
        for letter in "rfm":
            value = rule.get(letter, [1, 5])
            if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value)
                    or not 1 <= value[0] <= value[1] <= 5):
                raise ParamsError(f"{where}: {letter} must be [lowest, highest] with 1 <= lowest <= highest <= 5,"
                                  f" got {value!r}", fix="write e.g. r: [4, 5]", key=letter)
            ranges[letter] = (value[0], value[1])
        overdue, orders = _bounds(rule, "overdue", where), _bounds(rule, "orders", where)
        keep = rule.get("keep", "best")
        if keep not in ("best", "worst"):
            raise ParamsError(f"{where}: keep must be best or worst, not {keep!r}", fix="write keep: best", key="keep")
        parsed.append(RfmRule(name=name, keep=keep, overdue=overdue, orders=orders, **ranges,
                              description=str(rule.get("description", "")), action=str(rule.get("action", ""))))
    return RfmRules(rules=tuple(parsed), qualifiers=quals, statistic=statistic)
