"""Feature drift between two runs: the population stability index (PSI) of each feature.

The PSI compares how a feature's values are spread in the earlier run ("expected") and the later one
("actual") over the same bins::

    PSI = sum over bins of (actual share - expected share) * ln(actual share / expected share)

How the bins are made, and the choices that keep the number finite:

- **Numbers.** The bins are cut at the deciles of the earlier run (:data:`PSI_BINS` = 10 bins, 9 inner
  edges), each bin closed on the right (``edge[i-1] < x <= edge[i]``), the outer bins open to minus and
  plus infinity so that every later value falls somewhere. A decile is a value the earlier run takes
  (the smallest whose cumulative share reaches it: numpy's ``inverted_cdf``), never a point between two
  of them, so a count feature gets no bin between 1 and 2 that its values cannot fill. Tied deciles (a feature where 40% of the
  entities have the value 1) are merged, so such a feature has fewer, wider bins; a constant feature has
  two (its value, and everything above it) and a PSI of 0 while the later run keeps that value.
- **Categories** (text columns): one bin per level of the earlier run, plus one for levels that appear only
  in the later run.
- **Missing values** have a bin of their own in both cases.
- **Empty bins.** A share of 0 is replaced by :data:`PSI_EPSILON` (0.0001) before the formula, without
  rescaling the other shares; a bin empty in both runs adds nothing. A bin that empties completely
  therefore adds ``share * ln(share / 0.0001)``: 0.69 for a decile (10%) that disappears.

The usual reading (:func:`psi_verdict`): below 0.1 the feature is stable, from 0.1 to 0.25 it shifted
moderately, above 0.25 significantly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataValueError

__all__ = ["PSI_BINS", "PSI_EPSILON", "PSI_MODERATE", "PSI_SIGNIFICANT", "psi", "psi_edges", "psi_shares",
           "psi_verdict", "feature_drift"]

PSI_BINS = 10  #: bins cut at the earlier run's quantiles (deciles)
PSI_EPSILON = 1e-4  #: stands in for the share of an empty bin
PSI_MODERATE = 0.1  #: from here a feature has shifted moderately
PSI_SIGNIFICANT = 0.25  #: above this, significantly


def psi_edges(expected: Sequence[float] | np.ndarray | pd.Series, bins: int = PSI_BINS) -> np.ndarray:
    """The inner bin edges: the quantiles of ``expected`` (its finite values; ``inverted_cdf``) at 1/bins,
    2/bins, ..., ties merged. Empty when ``expected`` has no finite value (every value then falls in one bin)."""
    if bins < 2:
        raise DataValueError(f"the PSI needs at least 2 bins, not {bins}", "use bins=10 (the usual choice)")
    values = pd.to_numeric(pd.Series(expected), errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.array([], dtype=float)
    return np.unique(np.quantile(values, np.arange(1, bins) / bins, method="inverted_cdf"))


def _numeric_counts(values: pd.Series, edges: np.ndarray) -> np.ndarray:
    """Counts per bin (``len(edges) + 1`` bins closed on the right), then the count of missing values."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(x)
    idx = np.searchsorted(edges, x[~missing], side="left")
    return np.append(np.bincount(idx, minlength=len(edges) + 1), missing.sum())


def _category_counts(values: pd.Series, levels: Sequence[str]) -> np.ndarray:
    """Counts per level of the earlier run, then of other levels, then of missing values."""
    missing = values.isna()
    text = values[~missing].astype(str)
    counts = text.value_counts()
    known = [int(counts.get(level, 0)) for level in levels]
    return np.array([*known, int(len(text) - sum(known)), int(missing.sum())])


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def psi_shares(expected: pd.Series, actual: pd.Series, bins: int = PSI_BINS) -> tuple[np.ndarray, np.ndarray]:
    """The share of ``expected`` and of ``actual`` in each bin (see the module docstring), each summing to 1."""
    expected, actual = pd.Series(expected), pd.Series(actual)
    if _is_numeric(expected) and _is_numeric(actual):
        edges = psi_edges(expected, bins)
        e, a = _numeric_counts(expected, edges), _numeric_counts(actual, edges)
    else:
        levels = sorted(expected.dropna().astype(str).unique())
        e, a = _category_counts(expected, levels), _category_counts(actual, levels)
    if e.sum() == 0 or a.sum() == 0:
        raise DataValueError("the PSI needs values in both runs, but one of them has none",
                             "compare runs that both have entities")
    return e / e.sum(), a / a.sum()


def psi(expected: Sequence | pd.Series, actual: Sequence | pd.Series, *, bins: int = PSI_BINS,
        epsilon: float = PSI_EPSILON) -> float:
    """The population stability index of ``actual`` against ``expected`` (see the module docstring).

    Examples
    --------
    >>> round(psi(range(100), range(100)), 6)
    0.0
    """
    e, a = psi_shares(pd.Series(expected), pd.Series(actual), bins)
    e, a = np.where(e > 0, e, epsilon), np.where(a > 0, a, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_verdict(value: float | None) -> str:
    """``"stable"`` below 0.1, ``"moderate shift"`` up to 0.25, ``"significant shift"`` above; ``"–"`` if unknown."""
    if value is None or not np.isfinite(value):
        return "–"
    if value < PSI_MODERATE:
        return "stable"
    return "moderate shift" if value <= PSI_SIGNIFICANT else "significant shift"


def _centre(values: pd.Series) -> tuple[float | str | None, float]:
    """The median of numbers; the most common level of text (the first in order on a tie) and its share, so that
    two runs with the same most common level still show how its weight moved (NaN for numbers)."""
    if not _is_numeric(values):
        counts = values.dropna().astype(str).value_counts()
        if not len(counts):
            return None, float("nan")
        level = str(counts.sort_index(kind="stable").idxmax())
        return level, float(counts[level] / counts.sum())
    x = pd.to_numeric(values, errors="coerce").dropna()
    return (float(x.median()) if len(x) else None), float("nan")


def feature_drift(expected: pd.DataFrame, actual: pd.DataFrame, *, columns: Sequence[str] | None = None,
                  labels: Mapping[str, str] | None = None, bins: int = PSI_BINS) -> pd.DataFrame:
    """The PSI of every feature both tables hold (``columns``: those, in this order; default: ``expected``'s).

    Returns
    -------
    DataFrame
        One row per feature, largest PSI first: ``feature``, ``label`` (from ``labels``), ``psi``,
        ``verdict`` (:func:`psi_verdict`), ``median_expected`` and ``median_actual`` (the most common level of
        a text column), ``share_expected`` and ``share_actual`` (that level's share; NaN for numbers).
    """
    labels = dict(labels or {})
    wanted = list(columns) if columns is not None else list(expected.columns)
    rows = []
    for col in [c for c in wanted if c in expected.columns and c in actual.columns]:
        value = psi(expected[col], actual[col], bins=bins)
        rows.append({"feature": col, "label": labels.get(col, col), "psi": value, "verdict": psi_verdict(value),
                     **dict(zip(("median_expected", "share_expected"), _centre(expected[col]))),
                     **dict(zip(("median_actual", "share_actual"), _centre(actual[col])))})
    table = pd.DataFrame(rows, columns=["feature", "label", "psi", "verdict", "median_expected", "median_actual",
                                        "share_expected", "share_actual"])
    return table.sort_values("psi", ascending=False, kind="stable").reset_index(drop=True)
