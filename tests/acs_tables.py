"""A small ACS-like table with known structure, shared by the demographics tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def small_acs(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Six usable feature groups, two kinds of area (young renters, older owners); ids below 10000.

    Tests that need fewer groups drop columns from it.
    """
    rng = np.random.default_rng(seed)
    young = np.arange(n) % 2 == 0
    pop = rng.integers(800, 5000, n)
    age_share = np.where(young[:, None], [0.15, 0.45, 0.25, 0.1, 0.05], [0.2, 0.1, 0.25, 0.3, 0.15])
    ages = np.floor(age_share * pop[:, None]).astype(int)
    ages[:, 0] += pop - ages.sum(axis=1)
    hh = pop // 2
    return pd.DataFrame({
        "zcta": 1000 + np.arange(n) * 7, "population": pop, "household_total": hh,
        "age_0_17": ages[:, 0], "age_18_34": ages[:, 1], "age_35_54": ages[:, 2],
        "age_55_74": ages[:, 3], "age_75_plus": ages[:, 4],
        "tenure_total": hh, "renter_occupied": (hh * np.where(young, 0.7, 0.1)).astype(int),
        "vehicles_available_total": hh, "no_vehicle": (hh * np.where(young, 0.2, 0.02)).astype(int),
        "poverty_total": pop, "income_below_poverty": (pop * np.where(young, 0.2, 0.05)).astype(int),
        "median_age": np.where(young, 29.0, 55.0) + rng.normal(0, 1, n).round(1),
        "median_household_income": np.where(young, 45_000.0, 90_000.0) * rng.lognormal(0, 0.1, n),
        "median_home_value": np.where(young, 200_000.0, 400_000.0) * rng.lognormal(0, 0.1, n),
        "median_gross_rent": np.where(young, 1_100.0, 1_500.0) * rng.lognormal(0, 0.1, n),
    })