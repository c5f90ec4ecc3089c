"""Comparing two runs: PSI with known answers, the migration matrix, the summary, 09_compare and segkit compare."""

from __future__ import annotations

import hashlib
import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.cli import main
from segkit.compare import (PSI_EPSILON, compare_runs, feature_drift, match_segments, migration, psi, psi_edges,
                            psi_verdict, read_run, summarise)
from segkit.compare.setup import Setup
from segkit.errors import DataFileError, DataValueError

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------------------------- PSI
def test_psi_of_identical_distributions_is_zero():
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=2_000)
    assert psi(x, x) == 0.0
    assert psi(x, rng.permutation(x)) == 0.0
    assert psi(pd.Series(["a", "b", None] * 10), pd.Series(["b", None, "a"] * 10)) == 0.0


def _ten_values(counts):
    """Values 0..9, value i repeated counts[i] times."""
    return np.repeat(np.arange(10), counts)


def test_psi_of_a_known_shift_matches_the_hand_computed_value():
    expected = _ten_values([100] * 10)  # deciles 0, 1, ..., 8: one value per bin (closed on the right), 10% each
    assert psi_edges(expected).tolist() == list(range(9))
    # Half of bin 1 moves to bin 0: 15% and 5% instead of 10% and 10%.
    mild = _ten_values([150, 50] + [100] * 8)
    assert psi(expected, mild) == pytest.approx(0.05 * math.log(1.5) + (-0.05) * math.log(0.5), abs=1e-12)
    assert psi_verdict(psi(expected, mild)) == "stable"
    # Bin 9 empties into bin 0: 20% and 0% (an empty bin counts as 0.0001).
    strong = _ten_values([200] + [100] * 8 + [0])
    hand = 0.1 * math.log(2) + (PSI_EPSILON - 0.1) * math.log(PSI_EPSILON / 0.1)
    assert psi(expected, strong) == pytest.approx(hand, abs=1e-12)
    assert round(hand, 4) == 0.7594 and psi_verdict(hand) == "significant shift"


def test_psi_bins_merge_ties_and_handle_constant_columns_missing_values_and_categories():
    tied = np.array([1] * 50 + [2] * 30 + [3] * 20)
    assert list(psi_edges(tied)) == [1.0, 2.0, 3.0]  # deciles 1 (5 times), 2 (3 times), 3: ties merged
    assert psi(tied, np.array([1] * 40 + [2] * 40 + [3] * 20)) == pytest.approx(
        (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.4 - 0.3) * math.log(0.4 / 0.3))
    constant = np.full(100, 5.0)
    assert list(psi_edges(constant)) == [5.0]
    assert psi(constant, constant) == 0.0
    moved = constant + 1  # all in the bin above 5: shares (1, 0) against (0, 1)
    assert psi(constant, moved) == pytest.approx(2 * (1 - PSI_EPSILON) * math.log(1 / PSI_EPSILON))
    with_missing = np.r_[np.arange(90.0), [np.nan] * 10]  # 10% missing now, none before
    assert psi(np.arange(100.0), with_missing) > 0.5
    uk = ["UK"] * 90 + ["FR"] * 10
    new_level = ["UK"] * 80 + ["FR"] * 10 + ["DE"] * 10  # DE: the bin of levels the earlier run lacks
    hand = (0.8 - 0.9) * math.log(0.8 / 0.9) + (0.1 - PSI_EPSILON) * math.log(0.1 / PSI_EPSILON)
    assert psi(pd.Series(uk), pd.Series(new_level)) == pytest.approx(hand)


def test_psi_verdict_thresholds():
    assert [psi_verdict(v) for v in (0.0, 0.099, 0.1, 0.25, 0.2501, None)] == [
        "stable", "stable", "moderate shift", "moderate shift", "significant shift", "–"]


def test_feature_drift_ranks_features_and_skips_those_of_one_run_only():
    rng = np.random.default_rng(1)
    a = pd.DataFrame({"x": rng.normal(size=1000), "y": rng.normal(size=1000), "only_a": 1.0})
    b = pd.DataFrame({"x": rng.normal(size=1000), "y": rng.normal(loc=1.0, size=1000)})
    table = feature_drift(a, b, labels={"y": "Spend"})
    assert list(table["feature"]) == ["y", "x"]
    assert table.loc[0, "label"] == "Spend" and table.loc[0, "verdict"] == "significant shift"
    assert table.loc[1, "verdict"] == "stable"
    regions = feature_drift(pd.DataFrame({"region": ["South"] * 4 + ["North"] * 6 + ["South"] * 2}),
                            pd.DataFrame({"region": ["South"] * 9 + ["North"] * 3}))
    # the same most common level in both runs still shows how its weight moved
    assert regions.loc[0, ["median_expected", "median_actual"]].tolist() == ["North", "South"]
    assert regions.loc[0, ["share_expected", "share_actual"]].tolist() == [0.5, 0.75]


# ------------------------------------------------------------------------------------------- migration
def test_migration_matrix_counts_entities_in_both_and_new_and_lost():
    earlier = pd.Series(["A", "A", "A", "B", "B", "C", "C", "C", "C", "D"], index=[str(i) for i in range(1, 11)])
    later = pd.Series(["X", "Y", "X", "X", "Y", "Y", "Z", "Z", "X", "Y"], index=[str(i) for i in range(3, 13)])
    mig = migration(earlier, later, earlier_order=["A", "B", "C", "D", "E"], later_order=["X", "Y", "Z"])
    # In both: ids 3..10 -> A: 3->X; B: 4->Y, 5->X; C: 6->X, 7->Y, 8->Y, 9->Z; D: 10->Z
    assert mig.counts.to_dict(orient="index") == {"A": {"X": 1, "Y": 0, "Z": 0}, "B": {"X": 1, "Y": 1, "Z": 0},
                                                  "C": {"X": 1, "Y": 2, "Z": 1}, "D": {"X": 0, "Y": 0, "Z": 1},
                                                  "E": {"X": 0, "Y": 0, "Z": 0}}
    assert mig.n_both == 8 == mig.counts.to_numpy().sum()
    assert mig.lost.to_dict() == {"A": 2, "B": 0, "C": 0, "D": 0, "E": 0} and mig.n_lost == 2  # ids 1 and 2
    assert mig.new.to_dict() == {"X": 1, "Y": 1, "Z": 0} and mig.n_new == 2  # ids 11 (X) and 12 (Y)
    assert mig.shares.loc["C"].tolist() == [0.25, 0.5, 0.25]
    assert mig.shares.loc["E"].isna().all()  # no entity of E in both runs
    moves = mig.moves({"A": "X", "B": "Y", "C": "Z"})
    assert moves.iloc[0][["earlier", "later", "count", "stayed"]].tolist() == ["C", "Y", 2, False]
    assert moves["count"].sum() == 8 and moves["stayed"].sum() == 3  # A->X, B->Y, C->Z


# ----------------------------------------------------------------------------------------------- summary
def _summary_case():
    """Jan: 500 Champions (S01), 1,000 At Risk (S02). Feb: 312 Champions became At Risk, 132 At Risk became Champions."""
    ids = [str(i) for i in range(1500)]
    earlier = pd.Series(["S01"] * 500 + ["S02"] * 1000, index=ids)
    later = pd.Series(["S01"] * 188 + ["S02"] * 312 + ["S01"] * 132 + ["S02"] * 868, index=ids)
    mig = migration(earlier, later, earlier_order=["S01", "S02"], later_order=["S01", "S02"])
    sizes = pd.DataFrame([
        {"earlier": "S01", "later": "S01", "size_earlier": 500, "size_later": 320, "share_earlier": 1 / 3,
         "share_later": 320 / 1500, "change": -0.36, "status": "matched"},
        {"earlier": "S02", "later": "S02", "size_earlier": 1000, "size_later": 1180, "share_earlier": 2 / 3,
         "share_later": 1180 / 1500, "change": 0.18, "status": "matched"}])
    drift = pd.DataFrame({"feature": ["recency", "monetary", "frequency"],
                          "label": ["Days since last purchase", "Net spend", "Orders"], "psi": [0.4, 0.15, 0.01]})
    names = {"S01": "Champions", "S02": "At Risk"}
    return mig, sizes, drift, names


def test_summary_names_the_biggest_moves_first_in_plain_words():
    mig, sizes, drift, names = _summary_case()
    text = summarise(mig, sizes, drift, earlier=names, later=names, run_names=("jan", "feb"),
                     pairs={"S01": "S01", "S02": "S02"})
    assert text == [
        "312 Champions became At Risk and 132 At Risk became Champions.",
        "The Champions segment shrank 36% (500 to 320 customers); At Risk grew 18% (1,000 to 1,180 customers).",
        "1,500 customers are in both runs; 0 are only in feb (new) and 0 only in jan (lost). Of those in both, "
        "70% stayed in the matching segment.",
        "The data itself changed: 1 of 3 measures shifted significantly (PSI above 0.25) and 1 moderately; most of "
        "all days since last purchase (0.4).",
    ]


def test_summary_of_unchanged_runs_and_of_new_and_vanished_segments():
    mig, sizes, drift, names = _summary_case()
    same = migration(pd.Series(["S01"] * 3, index=list("abc")), pd.Series(["S01"] * 3, index=list("abc")))
    sizes_new = pd.concat([sizes.iloc[:1].assign(change=0.0), pd.DataFrame([
        {"earlier": "S02", "later": None, "size_earlier": 1000, "status": "gone"},
        {"earlier": None, "later": "S03", "size_later": 70, "status": "new"}])], ignore_index=True)
    text = summarise(same, sizes_new, drift.assign(psi=[0.01, 0.02, 0.0]), earlier=names,
                     later={**names, "S03": "Big Spenders"}, entity="shops", run_names=("jan", "feb"),
                     pairs={"S01": "S01"})
    assert text[0] == "No shops changed segment."
    assert "New segment in feb: Big Spenders (S03, 70 shops)." in text
    assert "Segment of jan with no counterpart in feb: At Risk (S02, 1,000 shops)." in text
    assert text[-1] == "The data itself is stable: every one of the 3 measures has a PSI below 0.1."


# ------------------------------------------------------------------------------ run folders, constructed
def _fake_run(root: Path, name: str, assignments: dict[str, str], names: dict[str, str], *, kind="transactions",
              values: dict[str, float] | None = None, input_hash: str | None = None, columns=("spend",),
              params: dict | None = None) -> Path:
    """A run folder with the artifacts a comparison reads: ids -> segment codes, each code's name; ``input_hash``
    is its manifest's fingerprint of the input, ``columns`` the measures it clustered on."""
    folder = root / name
    (folder / "artifacts").mkdir(parents=True)
    ids = list(assignments)
    pd.DataFrame({"customer_id": ids, "segment_code": [assignments[i] for i in ids],
                  "segment_name": [names[assignments[i]] for i in ids]}).to_csv(folder / "artifacts" / "segments.csv",
                                                                                 index=False)
    codes = sorted(names)
    sizes = {c: sum(v == c for v in assignments.values()) for c in codes}
    profiles = {"features": ["spend"], "segments": [
        {"segment": i, "code": c, "name": names[c], "size": sizes[c], "share": sizes[c] / len(ids),
         "index": {"spend": 100.0 + 10 * i}, "mean": {"spend": 40.0 + 5 * i}} for i, c in enumerate(codes)]}
    (folder / "artifacts" / "profiles.json").write_text(json.dumps(profiles))
    spend = [float((values or {}).get(assignments[i], 1.0)) * (1 + k % 7) for k, i in enumerate(ids)]
    pd.DataFrame({c: spend for c in columns}, index=pd.Index(ids, name="customer_id")).to_parquet(
        folder / "artifacts" / "features.parquet")
    labels = {"spend": "Net spend", "age": "Age", "Genre": "Genre (2 levels)"}
    (folder / "artifacts" / "features_meta.json").write_text(json.dumps(
        {"entity": "customers", "columns": list(columns), "short": {c: labels.get(c, c) for c in columns},
         "labels": {c: labels.get(c, c) for c in columns}}))
    run_params = {"run_name": name, "data_kind": kind, **(params or {})}
    (folder / "manifest.json").write_text(json.dumps({"run_name": name, "data_kind": kind, "status": "ok",
                                                      "params": run_params, "input": {"hash": input_hash}}))
    (folder / "params.json").write_text(json.dumps(run_params))
    return folder


def test_compare_runs_labels_each_run_by_its_own_codes_and_pairs_segments_by_name(tmp_path):
    a = _fake_run(tmp_path, "jan", {str(i): "S01" if i < 6 else "S02" for i in range(10)},
                  {"S01": "Champions", "S02": "Lost"})
    b = _fake_run(tmp_path, "feb", {str(i): "S02" if i < 4 else "S01" for i in range(2, 14)},
                  {"S01": "Lost", "S02": "Champions"}, values={"S01": 3.0})
    cmp = compare_runs(a, b)
    assert cmp.matches.values.tolist() == [["S01", "S02", "same name"], ["S02", "S01", "same name"]]
    table = cmp.migration_table()
    assert list(table.index) == ["S01 Champions", "S02 Lost"] and list(table.columns) == ["S01 Lost", "S02 Champions"]
    assert table.to_numpy().tolist() == [[2, 2], [4, 0]]  # ids 2..5 Champions: 2,3 stay, 4,5 -> Lost; 6..9 Lost stay
    assert cmp.migration.n_both == 8 and cmp.migration.n_new == 4 and cmp.migration.n_lost == 2
    assert cmp.summary[0] == "2 Champions became Lost."
    assert cmp.shifts[["earlier", "later", "index_earlier", "index_later"]].values.tolist() == [
        ["S01", "S02", 100.0, 110.0], ["S02", "S01", 110.0, 100.0]]
    assert cmp.drift["feature"].tolist() == ["spend"] and cmp.drift.loc[0, "label"] == "Net spend"


def test_the_profile_shifts_give_each_segments_own_average_beside_its_index(tmp_path):
    from segkit import stages

    ids = {str(i): "S01" if i < 6 else "S02" for i in range(10)}
    names = {"S01": "Champions", "S02": "Lost"}
    a = _fake_run(tmp_path, "jan", ids, names)
    b = _fake_run(tmp_path, "feb", {k: ("S02" if v == "S01" else "S01") for k, v in ids.items()},
                  {"S01": "Lost", "S02": "Champions"})
    (a / "artifacts" / "features_meta.json").write_text(json.dumps(
        {**json.loads((a / "artifacts" / "features_meta.json").read_text()), "units": {"spend": "money"}}))
    table = stages.compare.shifts_table(compare_runs(a, b)).reset_index()
    # Champions: S01 of jan (index 100, mean 40), S02 of feb (index 110, mean 45); currency as the run's params
    row = table[table["Segment"] == "S01 Champions"].iloc[0]  # the same name: said once
    assert row[["Index in A", "Index in B", "Change (points)"]].tolist() == [100, 110, 10]
    assert row["Average in A"].endswith("40") and row["Average in B"].endswith("45")


def test_a_run_aligned_to_the_earlier_one_is_paired_by_its_reference_json(tmp_path):
    a = _fake_run(tmp_path, "jan", {str(i): "S01" if i < 5 else "S02" for i in range(10)},
                  {"S01": "Champions", "S02": "Lost"})
    b = _fake_run(tmp_path, "feb", {str(i): "S02" if i < 5 else "S03" for i in range(10)},
                  {"S02": "Lost", "S03": "Loyal"})
    (b / "artifacts" / "reference.json").write_text(json.dumps({"reference": {"path": str(a)}, "matches": [
        {"code": "S03", "name": "Loyal", "segment": 1, "reference_segment": 0}]}))
    matches = match_segments(read_run(a), read_run(b, role="later"))
    assert matches.values.tolist() == [["S01", "S03", "aligned to the earlier run"]]  # not Lost-Lost: the alignment decides
    (b / "artifacts" / "reference.json").write_text(json.dumps({"reference": {"path": str(tmp_path / "other")},
                                                                "matches": []}))
    assert match_segments(read_run(a), read_run(b, role="later")).values.tolist() == [["S02", "S02", "same code and name"]]


def test_a_renamed_segment_is_paired_by_its_members_and_ids_written_otherwise_are_said(tmp_path):
    """Not aligned with reference: February renames Big Spenders; and a month whose ids lost their leading zeros."""
    jan = {f"{i:05d}": "S01" if i < 6 else "S02" for i in range(10)}
    a = _fake_run(tmp_path, "jan", jan, {"S01": "Big Spenders", "S02": "Lost"}, input_hash="sha256:1")
    feb = {**{k: v for k, v in jan.items() if k != "00000"}, "new1": "S02"}
    b = _fake_run(tmp_path, "feb", feb, {"S01": "Affluent Seniors", "S02": "Lost"}, input_hash="sha256:2")
    cmp = compare_runs(a, b)
    assert cmp.matches.values.tolist() == [["S01", "S01", "most members in common"], ["S02", "S02", "same code and name"]]
    assert cmp.summary[0] == "No customers changed segment."  # a rename is not a move
    c = _fake_run(tmp_path, "unpadded", {str(int(k)): v for k, v in jan.items()}, {"S01": "Big Spenders", "S02": "Lost"},
                  input_hash="sha256:3")
    text = " ".join(compare_runs(a, c).summary)
    assert ("No customer id is in both runs (e.g. '00000' in jan, '0' in unpadded), so every customer counts as lost "
            "or new. 10 ids match once leading zeros, spaces and case are ignored") in text


def test_the_order_a_stale_alignment_and_an_unfinished_run_are_said(tmp_path, capsys):
    import shutil

    jan = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    names = {"S01": "Champions", "S02": "Lost"}
    a = _fake_run(tmp_path, "jan", jan, names, input_hash="sha256:1")
    b = _fake_run(tmp_path, "feb", {k: ("S02" if v == "S01" else "S01") for k, v in jan.items()},
                  {"S01": "Lost", "S02": "Champions"}, input_hash="sha256:2")
    aligned = {"reference": {"path": str(a)}, "matches": [
        {"code": "S02", "reference_code": "S01", "name": "Champions", "reference_size": 5},
        {"code": "S01", "reference_code": "S02", "name": "Lost", "reference_size": 5}]}
    (b / "artifacts" / "reference.json").write_text(json.dumps(aligned))
    assert compare_runs(a, b).matches["how"].eq("aligned to the earlier run").all()
    (b / "artifacts" / "reference.json").write_text(json.dumps({**aligned, "mode": "score", "far": {"count": 3}}))
    assert ("3 customers of feb lie far from every segment of jan, whose segments feb applied unchanged"
            in " ".join(compare_runs(a, b).summary))
    (b / "artifacts" / "reference.json").write_text(json.dumps(aligned))
    with pytest.raises(DataValueError, match="run feb was aligned to run jan .*so jan is the earlier run"):
        compare_runs(b, a)
    shutil.rmtree(a)  # jan run again with the same segments (another path, another model hash): still aligned
    a = _fake_run(tmp_path, "jan", jan, names, input_hash="sha256:1", params={"data_path": "/elsewhere/jan.csv"})
    assert compare_runs(a, b).matches["how"].eq("aligned to the earlier run").all()
    shutil.rmtree(a)  # jan run again with other segments: the alignment is stale
    a = _fake_run(tmp_path, "jan", {str(i): "S01" if i < 3 else "S02" for i in range(10)}, names, input_hash="sha256:1")
    cmp = compare_runs(a, b)
    assert cmp.summary[0].startswith("feb was aligned to an earlier version of jan, which was run again since")
    assert cmp.matches["how"].eq("same name").all()
    failed = tmp_path / "mar.failed"
    _fake_run(tmp_path, "mar", jan, names, input_hash="sha256:3").rename(failed)
    manifest = json.loads((failed / "manifest.json").read_text())
    (failed / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted in 05_profile"}))
    assert main(["compare", str(a), str(failed), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "the later run mar.failed did not complete (interrupted in 05_profile)" in err and "valid run name" not in err


def test_runs_counting_time_to_different_days_say_the_calendar_moves_their_time_measures(tmp_path):
    """A month later, every customer's days since the last purchase and days as a customer grow by a month: the
    drift of those measures is partly the calendar, which the summary says."""
    ids = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    names = {"S01": "Champions", "S02": "Lost"}
    runs = [_fake_run(tmp_path, name, ids, names, input_hash=f"sha256:{name}") for name in ("jan", "feb")]
    for run, day in zip(runs, ("2024-01-31", "2024-02-29")):
        meta = json.loads((run / "artifacts" / "features_meta.json").read_text())
        (run / "artifacts" / "features_meta.json").write_text(json.dumps({**meta, "extra": {"measured_at": day}}))
    assert ("The runs count time to different days (31 January 2024 and 29 February 2024): measures in days since an "
            "event (the last purchase, the first) are 29 days longer for every customer who did nothing new"
            in " ".join(compare_runs(*runs).summary))
    assert not any("count time" in s for s in compare_runs(runs[0], runs[0]).summary)


def test_segments_sharing_a_few_customers_of_many_are_no_pair(tmp_path):
    """A month of high turnover: 2 of Champions' 100 customers come back, in Newcomers."""
    a = _fake_run(tmp_path, "jan", {f"a{i}": "S01" if i < 100 else "S02" for i in range(200)},
                  {"S01": "Champions", "S02": "Lost"}, input_hash="sha256:1")
    feb = {**{f"b{i}": "S01" if i < 100 else "S02" for i in range(200)}, "a0": "S02", "a1": "S02"}
    b = _fake_run(tmp_path, "feb", feb, {"S01": "Regulars", "S02": "Newcomers"}, input_hash="sha256:2")
    cmp = compare_runs(a, b)
    assert cmp.matches.empty and "stayed" not in " ".join(cmp.summary)


def test_missing_artifacts_and_different_kinds_are_refused_naming_the_run(tmp_path):
    a = _fake_run(tmp_path, "jan", {"1": "S01"}, {"S01": "Champions"})
    b = _fake_run(tmp_path, "areas", {"1": "S01"}, {"S01": "Suburbs"}, kind="demographics")
    with pytest.raises(DataValueError, match="run jan segments transactions data and run areas demographics data"):
        compare_runs(a, b)
    (a / "artifacts" / "segments.csv").unlink()
    with pytest.raises(DataFileError, match=r"the earlier run jan .* has no artifacts/segments.csv.*05_profile"):
        compare_runs(a, b)
    with pytest.raises(DataFileError, match="is not a folder"):
        compare_runs(tmp_path / "nowhere", b)


def test_two_runs_of_the_same_input_pair_segments_by_members_and_say_nothing_changed(tmp_path):
    """Seed 7 renumbers and renames the same people, and splits one segment in two: no customer moved."""
    same = "sha256:" + "ab" * 32
    # 30 customers: jan S01 Champions 0-9, S02 Loyal 10-19, S03 Lost 20-29
    jan = {str(i): ("S01", "S02", "S03")[i // 10] for i in range(30)}
    # feb: Champions is S03 (0-9 and 10, 11: two Loyal placed with them), Loyal S02 (12-19, 28, 29), Lost split
    # between S01 (20-23), S04 (24-27) and Loyal
    feb = {str(i): "S03" if i < 12 else "S02" if i < 20 or i > 27 else "S01" if i < 24 else "S04" for i in range(30)}
    a = _fake_run(tmp_path, "jan", jan, {"S01": "Champions", "S02": "Loyal", "S03": "Lost"}, input_hash=same,
                  params={"seed": 42, "k": "auto", "plot_sample": 5000})
    b = _fake_run(tmp_path, "feb", feb, {"S01": "Lapsed", "S02": "Loyal", "S03": "Top Buyers", "S04": "Gone"},
                  input_hash=same, params={"seed": 7, "k": "auto", "plot_sample": 100})
    cmp = compare_runs(a, b)
    assert cmp.matches.values.tolist() == [["S01", "S03", "same members"], ["S02", "S02", "same members"]]
    assert cmp.setup.same_input is True and cmp.setup.settings == [("seed", "42", "7")]  # plot_sample changes no segment
    assert cmp.summary == [
        "Both runs read the same input, so no customer changed: the differences below come only from how the "
        "segments were made (seed: 42 → 7). A move below is a customer placed differently, not a change in behaviour.",
        "Lost of jan (10 customers) is split between Lapsed (4) and Gone (4) of feb, the other 2 in another segment.",
        # Lapsed and Gone "all from Lost" are not said again; Loyal is one segment in both, if looser (Jaccard 0.67)
        "Loyal of feb (10 customers) comes mostly from Loyal (8) of jan, the other 2 from another segment.",
        "All 30 customers are in both runs. 33% of them are in a segment that is the same in both.",
        "The data itself is stable: every one of the 1 measures has a PSI below 0.1."]
    assert json.loads(json.dumps(cmp.to_dict()))["setup"]["same_input"] is True
    again = compare_runs(a, a)
    assert again.summary[:3] == ["Both runs read the same input, with the same measures and settings: no customer "
                                 "changed.", "Every segment holds the same customers in both runs.",
                                 "All 30 customers are in both runs. 100% of them are in a segment that is the same "
                                 "in both."]


def test_one_file_read_as_other_rows_is_not_the_same_input_and_a_setting_may_keep_other_rows(tmp_path):
    """Two sheets of one workbook share the file's fingerprint, not their rows'; a setting that drops rows of the
    same input (out_of_range: drop) leaves customers in one run only, which the summary counts."""
    ids = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    names = {"S01": "Champions", "S02": "Lost"}
    a = _fake_run(tmp_path, "jan_sheet", ids, names, input_hash="sha256:book")
    b = _fake_run(tmp_path, "feb_sheet", ids, names, input_hash="sha256:book")
    for run, rows in ((a, "rows-sha256:jan"), (b, "rows-sha256:feb")):
        (run / "artifacts" / "input.json").write_text(json.dumps({"file_hash": "sha256:book", "content_hash": rows}))
    cmp = compare_runs(a, b)
    assert cmp.setup.same_input is False and not any("same input" in s for s in cmp.summary)
    assert cmp.summary[0] == "No customers changed segment."  # the usual words: the rows may differ
    c = _fake_run(tmp_path, "dropped", {k: v for k, v in ids.items() if k != "9"}, names, input_hash="sha256:book")
    summary = compare_runs(_fake_run(tmp_path, "all", ids, names, input_hash="sha256:book"), c).summary
    assert "9 customers are in both runs; 0 only in dropped and 1 only in all, whose settings keep different rows." \
        in " ".join(summary)
    assert not any("became" in s or "grew" in s or "stayed" in s for s in summary)


def test_runs_of_the_same_input_without_a_measure_in_common_are_compared_by_members(tmp_path):
    ids = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    a = _fake_run(tmp_path, "ages", ids, {"S01": "Young", "S02": "Old"}, columns=("age",), input_hash="sha256:1")
    b = _fake_run(tmp_path, "money", {k: "S02" if v == "S01" else "S01" for k, v in ids.items()},
                  {"S01": "Savers", "S02": "Spenders"}, columns=("spend",), input_hash="sha256:1")
    cmp = compare_runs(a, b)  # not refused: the same customers, segmented by other measures
    assert cmp.matches.values.tolist() == [["S01", "S02", "same members"], ["S02", "S01", "same members"]]
    assert "only ages uses age; only money uses net spend (spend)" in cmp.summary[1]
    assert "Every segment holds the same customers in both runs." in cmp.summary and cmp.drift.empty


def test_runs_of_different_measures_or_settings_say_so_first(tmp_path):
    jan = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    names = {"S01": "Champions", "S02": "Lost"}
    a = _fake_run(tmp_path, "jan", jan, names, columns=("Genre", "age", "spend"), input_hash="sha256:1",
                  params={"k": "auto", "roles": {}})
    b = _fake_run(tmp_path, "feb", jan, names, columns=("age", "spend"), input_hash="sha256:2",
                  params={"k": 2, "roles": {"Genre": "ignore"}})
    cmp = compare_runs(a, b)
    assert cmp.summary[0] == ("The runs were also made with different settings (roles: none → {Genre: ignore}; k: auto "
                              "→ 2): differences between them may come from those settings, not only from the "
                              "customers.")
    assert cmp.summary[1].startswith("The runs build their segments from different measures: only jan uses genre. "
                                     "Segments with the same name need not mean the same thing")
    assert cmp.summary[2] == "No customers changed segment."  # different inputs: the usual words
    c = _fake_run(tmp_path, "mar", jan, names, columns=("age", "spend"), input_hash="sha256:3", params={"k": 2})
    assert [s for s in compare_runs(b, c).summary if "settings" in s or "different measures" in s] == []


def test_runs_of_different_tables_are_refused_before_anything_is_written(tmp_path, capsys):
    a = _fake_run(tmp_path, "mall", {"1": "S01", "2": "S02"}, {"S01": "Young", "S02": "Old"}, columns=("Age", "Income"))
    b = _fake_run(tmp_path, "crm", {"1": "S01", "2": "S02"}, {"S01": "Young", "S02": "Old"}, columns=("age", "spend"))
    with pytest.raises(DataValueError, match=r"run mall segments by Age, Income and run crm by age, spend: no measure "
                                             "in common"):
        compare_runs(a, b)
    before = _tree_hash(tmp_path)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "runs of different tables" in err and "Traceback" not in err and "KeyError" not in err
    assert _tree_hash(tmp_path) == before


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_segkit_compare_refuses_before_writing_anything(tmp_path, capsys):
    a = _fake_run(tmp_path, "jan", {"1": "S01"}, {"S01": "Champions"})
    b = _fake_run(tmp_path, "areas", {"1": "S01"}, {"S01": "Suburbs"}, kind="demographics")
    before = _tree_hash(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(a), str(b), "--out", str(out)]) == 2
    assert "cannot be compared" in capsys.readouterr().err
    assert _tree_hash(tmp_path) == before and not out.exists()
    c = _fake_run(tmp_path, "feb", {"1": "S01"}, {"S01": "Champions"})
    before = _tree_hash(tmp_path)
    assert main(["compare", str(a), str(c), "--out", str(a)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "inside the run jan" in err and "Traceback" not in err
    assert _tree_hash(tmp_path) == before
    (c / "artifacts" / "features.parquet").unlink()
    before = _tree_hash(tmp_path)
    assert main(["compare", str(a), str(c), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the later run feb" in err and "02_features" in err and err.count("\n") == 1
    assert _tree_hash(tmp_path) == before and not out.exists()


def test_09_compare_runs_only_when_reference_is_set():
    from segkit.config import params_from_mapping
    from segkit.report.runner import discover_notebooks

    base = {"data_kind": "transactions"}
    without = {nb.name for nb in discover_notebooks(ROOT / "notebooks", "transactions")}
    unset = {nb.name for nb in discover_notebooks(ROOT / "notebooks", "transactions", params_from_mapping(base))}
    with_ref = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "transactions",
                                                         params_from_mapping(base | {"reference": "reports/jan"}))}
    assert "09_compare" not in without | unset
    assert "09_compare" in with_ref and with_ref["09_compare"].after == ["05_profile"]
    assert set(with_ref) - {"09_compare"} == unset


# ------------------------------------------------------------------------------------- batch (slow)
from batch_fixtures import run_batch, smoke_run  # noqa: E402,F401  (pytest fixture)

_COMPARE_TABLES = ("migration.csv", "sizes.csv", "shifts.csv", "drift.csv")


def test_09_compare_in_a_batch_and_segkit_compare_give_the_same_report(smoke_run, tmp_path):
    data = pd.read_parquet(ROOT / "data" / "online_retail.parquet")
    data[data["InvoiceDate"] < "2011-09-01"].to_parquet(tmp_path / "to_august.parquet")
    params = tmp_path / "earlier_cutoff.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\nrun_name: to_august\n"
                      f"data_path: {tmp_path / 'to_august.parquet'}\nreference: {smoke_run}\n")
    before = _tree_hash(smoke_run)
    result = run_batch(params, tmp_path / "reports", only=["01_eda", "02_features", "03_select_k", "05_profile", "09_compare"])
    assert result.ok, result.error
    later = result.folder
    page = (later / "09_compare.html").read_text(encoding="utf-8")
    assert "Executive summary" in page and "became" in page and "Did the data itself drift?" in page
    assert (later / "09_compare.analyst.html").is_file()

    ids_a = set(pd.read_csv(smoke_run / "artifacts" / "segments.csv", dtype=str).iloc[:, 0])
    ids_b = set(pd.read_csv(later / "artifacts" / "segments.csv", dtype=str).iloc[:, 0])
    matrix = pd.read_csv(later / "artifacts" / "compare" / "migration.csv", index_col=0)
    assert int(matrix.to_numpy().sum()) == len(ids_a & ids_b) > 0
    summary = json.loads((later / "artifacts" / "compare" / "summary.json").read_text())
    assert summary["entities"] == {"both": len(ids_a & ids_b), "new": len(ids_b - ids_a), "lost": len(ids_a - ids_b)}
    drift = pd.read_csv(later / "artifacts" / "compare" / "drift.csv")
    features = pd.read_parquet(later / "artifacts" / "features.parquet").columns
    assert set(drift["feature"]) == set(features) and drift["psi"].ge(0).all()
    for sentence in summary["summary"]:
        assert sentence.replace("&", "&amp;") in page or sentence in page
    index = (later / "index.html").read_text(encoding="utf-8")  # the run's own page says what moved, and links 09
    assert f"Since {smoke_run.name}" in index and "href='09_compare.html'" in index
    assert html.escape(summary["summary"][0]) in index

    out = tmp_path / "compare_out"
    assert main(["compare", str(smoke_run), str(later), "--out", str(out)]) == 0
    folder = out / f"compare_{smoke_run.name}_vs_{later.name}"
    for name in ("index.html", "09_compare.html", "09_compare.analyst.html"):
        assert (folder / name).is_file()
    for name in _COMPARE_TABLES:
        assert (folder / "artifacts" / "compare" / name).read_bytes() == (later / "artifacts" / "compare" / name).read_bytes()
    again = json.loads((folder / "artifacts" / "compare" / "summary.json").read_text())
    assert again["summary"] == summary["summary"] and again["migration"] == summary["migration"]
    assert again["setup"] == summary["setup"] and summary["setup"]["same_input"] is False  # read mid-batch as after
    assert summary["summary"][0] in (folder / "index.html").read_text(encoding="utf-8")
    assert _tree_hash(smoke_run) == before, "a comparison only reads the runs"


def test_09_compare_says_so_when_the_reference_is_a_bare_model_folder(tmp_path):
    from segkit import stages

    model = tmp_path / "models" / "jan"
    model.mkdir(parents=True)
    (model / "metadata.json").write_text("{}")
    ctx = stages.open_run(tmp_path / "run", reference=str(model))
    cmp = stages.compare.load(ctx)
    assert cmp is None and not (tmp_path / "run" / "artifacts" / "compare").exists()
    assert "nothing to compare" in str(stages.compare.summary(cmp).data)
    assert stages.compare.migration_table(cmp) is None and stages.compare.drift_figure(cmp) is None
    with pytest.raises(DataFileError, match="has no artifacts/segments.csv"):  # a run folder without its segments
        stages.compare.load(stages.open_run(tmp_path / "run", reference=str(tmp_path / "models")))


def test_a_partial_folder_left_by_a_killed_run_is_no_run_to_compare(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    jan = {str(i): "S01" if i < 5 else "S02" for i in range(10)}
    a = _fake_run(tmp_path, "jan", jan, {"S01": "Champions", "S02": "Lost"})
    killed = _fake_run(tmp_path, "feb", jan, {"S01": "Champions", "S02": "Lost"})
    (killed / "manifest.json").unlink()
    killed = killed.rename(tmp_path / f".feb.partial-{proc.pid}")
    with pytest.raises(DataValueError, match=r"did not complete \(interrupted \(partial outputs\)\)"):
        compare_runs(a, killed)


def test_setup_sentences_say_one_of_the_entity_in_its_own_words():
    # compare had a singular of its own that wrote "no companie changed"; it speaks as the other pages do
    said = Setup(same_input=True).sentences(["A", "B"], "companies")
    assert said == ["Both runs read the same input, with the same measures and settings: no company changed."]
    assert Setup(same_input=True).sentences(["A", "B"], "store branches")[0].endswith("no store branch changed.")
