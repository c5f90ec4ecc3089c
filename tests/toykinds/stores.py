"""A toy data kind: shops, one row each, described by a few numbers (``data_kind: toykinds.stores``).

Everything segkit needs from a kind is here: the column check, cleaning with a log, features, the
preprocessor, names and the column roles. The batch, the profile and the reports come from segkit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from segkit.cleaning import CleaningLog
from segkit.errors import ColumnError
from segkit.featureset import FeatureSet
from segkit.io import require_columns
from segkit.naming import SegmentName

ENTITY = "shops"
MEASURES = {"floor_m2": ("Floor area", "count"), "staff": ("Staff", "count"), "weekly_sales": ("Weekly sales", "money")}


def _synth_shops(options) -> pd.DataFrame:
    """Two kinds of shop: small kiosks and large stores, ``n`` of them in all."""
    rng = np.random.default_rng(options.get("seed", 0))
    n = options.get("n", 120)
    big = rng.random(n) < 0.4
    return pd.DataFrame({"shop": [f"shop{i:04d}" for i in range(n)],
                         "floor_m2": np.where(big, rng.normal(900, 60, n), rng.normal(40, 5, n)).round(1),
                         "staff": np.where(big, rng.normal(30, 3, n), rng.normal(2, 0.5, n)).round(1),
                         "weekly_sales": np.where(big, rng.normal(90_000, 5_000, n), rng.normal(3_000, 300, n)).round(2)})


SYNTH_TABLES = {"shops": _synth_shops}


def check_columns(params, columns) -> None:
    require_columns(columns, {"id_col": params.id_col or "shop", **{m: m for m in MEASURES}})


def clean(raw: pd.DataFrame, params):
    log, id_col = CleaningLog(), params.id_col or "shop"
    missing = raw[id_col].isna().to_numpy()
    log.add("missing_id", "Rows without a shop id", len(raw), int(missing.sum()))
    return raw.loc[~missing].reset_index(drop=True), log


def features(cleaned: pd.DataFrame, params) -> FeatureSet:
    table = cleaned.set_index(params.id_col or "shop")[list(MEASURES)].astype(float)
    if table.isna().any().any():
        raise ColumnError("a measure of a shop is missing", "fill in every measure", column=str(table.columns[0]))
    return FeatureSet(table=table, columns=list(MEASURES), labels={c: v[0] for c, v in MEASURES.items()},
                      entity=ENTITY, short={c: v[0] for c, v in MEASURES.items()},
                      units={c: v[1] for c, v in MEASURES.items()})


def preprocessor(fs: FeatureSet, params):
    return make_pipeline(StandardScaler())


def name_segments(profile, fs: FeatureSet, params, labels=None):
    index = profile.index
    out = {}
    for seg in profile.segments:
        size = "Large" if index.loc[seg, "floor_m2"] >= 100 else "Small"
        out[seg] = SegmentName(f"{size} shops", f"{size} floor area and sales.", "")
    return out


def column_roles(raw: pd.DataFrame, params) -> pd.DataFrame:
    used = {params.id_col or "shop": "identifies the shop", **{m: MEASURES[m][0] for m in MEASURES}}
    return pd.DataFrame({"column": list(raw.columns), "used for": [used.get(c, "not used") for c in raw.columns]}
                        ).set_index("column")
