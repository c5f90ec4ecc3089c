"""Naming study: do planted segments of constructed customer tables get names that state what they are?

Each design is a seeded customer table with labelled columns and planted segments; each planted segment
has the plain words (a regular expression) its name must contain. The table runs through
``segkit.segment_table(df, data_kind="customers", k=<planted k>, labels=..., entity=...)``; every fitted
segment is matched to the planted segment most of its rows come from.

Checks: a planted segment passes when its name states its planted feature in plain words; no segment off
average (some index outside 75-133) gets an "average"/"typical"/"mainstream" name; no two names are a
mirror pair (the same features with their directions swapped) or near duplicates.

Run ``python bench/naming_study.py`` to print the results table (``bench/README.md`` records it);
``tests/test_naming_study.py`` runs the same designs.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import segkit  # noqa: E402

N_PER_SEGMENT = 250
AVERAGE_WORDS = re.compile(r"\b(average|typical|mainstream|ordinary)\b", re.IGNORECASE)
DIRECTION = re.compile(r"\b(high|low|higher|lower|many|few|more|fewer|big|light)\b", re.IGNORECASE)


@dataclass
class Design:
    """A constructed table: planted segments, the words each name must state, labels and entity."""

    name: str
    entity: str
    labels: dict[str, str]
    planted: dict[str, str]          # planted segment -> regex its name must match
    columns: dict[str, list]         # column -> one (distribution, *args) per planted segment
    units: dict[str, str] | None = None

    def table(self, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
        rng = np.random.default_rng(seed)
        k, n = len(self.planted), N_PER_SEGMENT
        truth = np.repeat(np.arange(k), n)
        data = {"id": [f"X{i:05d}" for i in range(k * n)]}
        for col, specs in self.columns.items():
            parts = [getattr(rng, spec[0])(*spec[1:], size=n) for spec in specs]
            data[col] = np.round(np.concatenate(parts).astype(float), 2)
        return pd.DataFrame(data), truth


DESIGNS = [
    Design("credit cards", "cardholder",
           {"BALANCE": "Balance", "CASH_ADVANCE_TRX": "Cash advance transactions",
            "PURCHASES_TRX": "Purchase transactions", "CREDIT_LIMIT": "Credit limit", "TENURE": "Tenure"},
           {"heavy cash-advance users": r"cash advance", "transactors": r"purchase transactions",
            "dormant accounts": r"(low|few|fewer|lower) (balance|purchase|cash)"},
           {"BALANCE": [("gamma", 6, 600), ("gamma", 4, 150), ("gamma", 1.5, 20)],
            "CASH_ADVANCE_TRX": [("poisson", 14), ("poisson", 0.5), ("poisson", 0.2)],
            "PURCHASES_TRX": [("poisson", 4), ("poisson", 45), ("poisson", 0.5)],
            "CREDIT_LIMIT": [("normal", 5000, 1500), ("normal", 5200, 1500), ("normal", 4800, 1500)],
            "TENURE": [("normal", 10, 1), ("normal", 10, 1), ("normal", 10, 1)]},
           {"BALANCE": "$", "CREDIT_LIMIT": "$", "TENURE": "months"}),
    Design("marketing campaign", "customer",
           {"MntWines": "Amount spent on wine", "Kidhome": "Children at home", "NumWebPurchases":
            "Number of web purchases", "Income": "Household income"},
           {"wine lovers": r"wine", "families with children": r"children", "online buyers": r"web purchases"},
           {"MntWines": [("gamma", 8, 120), ("gamma", 2, 40), ("gamma", 2, 45)],
            "Kidhome": [("binomial", 1, 0.05), ("binomial", 2, 0.8), ("binomial", 1, 0.1)],
            "NumWebPurchases": [("poisson", 3), ("poisson", 3), ("poisson", 14)],
            "Income": [("normal", 60000, 12000), ("normal", 52000, 12000), ("normal", 55000, 12000)]}),
    Design("phone subscribers", "subscriber",
           {"data_gb": "Mobile data used (GB)", "support_calls": "Calls to customer support",
            "intl_minutes": "International call minutes", "monthly_charge": "Monthly charge"},
           {"heavy data users": r"mobile data", "unhappy callers": r"support", "international callers":
            r"international"},
           {"data_gb": [("gamma", 10, 4), ("gamma", 2, 2), ("gamma", 2, 2)],
            "support_calls": [("poisson", 0.5), ("poisson", 7), ("poisson", 0.5)],
            "intl_minutes": [("gamma", 1, 5), ("gamma", 1, 5), ("gamma", 10, 30)],
            "monthly_charge": [("normal", 45, 8), ("normal", 40, 8), ("normal", 42, 8)]},
           {"monthly_charge": "$", "data_gb": "GB", "intl_minutes": "minutes"}),
    Design("insurance policies", "policyholder",
           {"n_claims": "Number of claims", "n_products": "Number of products held",
            "annual_premium": "Annual premium", "policy_years": "Years as a policyholder"},
           {"frequent claimers": r"claims", "multi-product holders": r"products",
            "long-standing policyholders": r"years as a policyholder|long-standing|loyal",
            "premium payers": r"premium"},
           {"n_claims": [("poisson", 5), ("poisson", 0.3), ("poisson", 0.3), ("poisson", 0.3)],
            "n_products": [("poisson", 1), ("poisson", 6), ("poisson", 1), ("poisson", 1)],
            "annual_premium": [("normal", 800, 150), ("normal", 850, 150), ("normal", 800, 150),
                               ("normal", 2600, 300)],
            "policy_years": [("gamma", 2, 1.5), ("gamma", 2, 1.5), ("gamma", 20, 1), ("gamma", 2, 1.5)]},
           {"annual_premium": "$", "policy_years": "years"}),
    Design("gym members", "member",
           {"classes_per_month": "Group classes per month", "pt_sessions": "Personal training sessions",
            "pool_visits": "Pool visits per month", "months_member": "Months of membership"},
           {"class-goers": r"group classes", "personal-training clients": r"personal training",
            "swimmers": r"pool"},
           {"classes_per_month": [("poisson", 12), ("poisson", 1), ("poisson", 1)],
            "pt_sessions": [("poisson", 0.3), ("poisson", 6), ("poisson", 0.3)],
            "pool_visits": [("poisson", 1), ("poisson", 1), ("poisson", 10)],
            "months_member": [("gamma", 3, 6), ("gamma", 3, 6), ("gamma", 3, 6)]}),
]


def _mirror(a: str, b: str) -> bool:
    """The same two or more features with every direction swapped ("high A and low B" vs "low A and high B");
    the same leading feature with the second one telling them apart is not a mirror."""
    words_a, words_b = DIRECTION.sub("#", a.lower()), DIRECTION.sub("#", b.lower())
    dirs_a, dirs_b = DIRECTION.findall(a.lower()), DIRECTION.findall(b.lower())
    return (words_a == words_b and len(dirs_a) >= 2 and len(dirs_a) == len(dirs_b)
            and all(x != y for x, y in zip(dirs_a, dirs_b)))


def _near_duplicate(a: str, b: str) -> bool:
    """Two names a reader would confuse: almost the same text, not just opposite directions."""
    if DIRECTION.sub("#", a.lower()) == DIRECTION.sub("#", b.lower()):
        return False
    return SequenceMatcher(None, a.lower(), b.lower()).ratio() > 0.9


def run_design(design: Design, seed: int = 0) -> list[dict]:
    """One row per planted segment: its fitted name, whether it states the planted feature, and checks."""
    df, truth = design.table(seed)
    seg = segkit.segment_table(df, data_kind="customers", k=len(design.planted), id_col="id",
                               labels=design.labels, units=design.units or {}, entity=design.entity,
                               seed=seed, bootstrap=2, k_min=2, k_max=len(design.planted) + 1)
    prof, fitted = seg.profile, seg.labels.to_numpy()
    names = [prof.names[s] for s in prof.segments]
    rows = []
    for i, (planted, pattern) in enumerate(design.planted.items()):
        members = fitted[truth == i]
        s = int(np.bincount(members, minlength=len(prof.segments)).argmax())
        name, index = prof.names[s], prof.index.loc[s]
        off_average = bool(((index < 75) | (index > 133)).any())
        rows.append({
            "design": design.name, "planted": planted, "name": name,
            "states feature": bool(re.search(pattern, name, re.IGNORECASE)),
            "average name off average": bool(off_average and AVERAGE_WORDS.search(name)),
            "mirror pair": any(_mirror(name, other) for other in names),
            "near duplicate": any(_near_duplicate(name, other) for other in names if other != name),
            "purity": float((members == s).mean()),
        })
    return rows


def run_study(seed: int = 0) -> pd.DataFrame:
    """Every design's rows in one table."""
    return pd.DataFrame([row for design in DESIGNS for row in run_design(design, seed)])


def markdown(table: pd.DataFrame) -> str:
    """The results as a Markdown table (``bench/README.md``)."""
    lines = ["| design | planted segment | name given | states it | avg. name off avg. | mirror | near dup. |",
             "|---|---|---|:-:|:-:|:-:|:-:|"]
    yes = {True: "yes", False: "no"}
    for r in table.to_dict("records"):
        lines.append(f"| {r['design']} | {r['planted']} | {r['name']} | {yes[r['states feature']]} | "
                     f"{yes[r['average name off average']]} | {yes[r['mirror pair']]} | {yes[r['near duplicate']]} |")
    share = table["states feature"].mean()
    lines.append(f"\n{int(table['states feature'].sum())} of {len(table)} planted segments ({share:.0%}) get a name "
                 "that states their planted feature.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(run_study()))
