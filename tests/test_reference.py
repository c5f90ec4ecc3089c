"""A run that follows a reference run (issue 14): codes and names carried over, new and vanished segments,
the reference model applied unchanged, and the errors of a bad reference (segkit.lineage)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segkit import lineage, stages
from segkit.cli import main
from segkit.cluster import SegmentModel
from segkit.config import params_from_mapping
from segkit.errors import ParamsError
from segkit.io import RunFolder
from segkit.modelio import save_model
from segkit.profile import profile_segments
from segkit.scoring import load_scorer

from batch_fixtures import ROOT, SMOKE_PARAMS, fit_customer_model, run_batch, smoke_run  # noqa: F401 (fixture)

#: Four well-separated groups (far apart against their spread of 1), and a fifth for "a new segment".
BLOBS = {"A": (0.0, 0.0), "B": (12.0, 0.0), "C": (0.0, 12.0), "D": (12.0, 12.0), "E": (30.0, 30.0)}
NAMES = ["Alpha", "Bravo", "Charlie", "Delta"]


def _table(sizes: dict[str, int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    parts, blob = [], []
    for name, n in sizes.items():
        parts.append(rng.normal(BLOBS[name], 1.0, size=(n, 2)))
        blob += [name] * n
    return pd.DataFrame(np.vstack(parts), columns=["x", "y"]), np.array(blob)


@pytest.fixture
def reference(tmp_path):
    """A saved model of blobs A-D (sizes 400, 300, 200, 100: A is segment 0, "S01 Alpha"), as a run folder."""
    X, _ = _table({"A": 400, "B": 300, "C": 200, "D": 100}, seed=0)
    model = SegmentModel(4, random_state=0).fit(X)
    codes = {str(i): f"S0{i + 1}" for i in range(4)}
    save_model(model, tmp_path / "jan" / "artifacts" / "model", metadata={
        "input_hash": None, "data_kind": "customers", "segment_codes": codes,
        "segment_names": {str(i): NAMES[i] for i in range(4)}, "params": {"run_name": "jan"}})
    return lineage.load_reference(tmp_path / "jan")


def _ref_code(ref: lineage.Reference, blob: str) -> str:
    """The reference code of a blob: the segment the reference model puts its centre in."""
    label = int(ref.model.predict(pd.DataFrame([BLOBS[blob]], columns=["x", "y"]))[0])
    return ref.codes[label]


def _fit_and_align(ref, sizes, k, seed=1):
    X, blob = _table(sizes, seed)
    model = SegmentModel(k, random_state=seed).fit(X)
    names = {s: f"Group {s}" for s in range(k)}
    return lineage.align(ref, X, model.labels_, names), model.labels_, blob


def _code_of_blob(alignment, labels, blob, name):
    segment = pd.Series(labels[blob == name]).mode()[0]
    return alignment.codes[int(segment)]


def test_reference_loads_from_a_run_or_a_model_folder(reference, tmp_path):
    assert reference.codes == ["S01", "S02", "S03", "S04"] and reference.names == NAMES
    assert reference.run_name == "jan" and reference.sizes == [400, 300, 200, 100]
    again = lineage.load_reference(tmp_path / "jan" / "artifacts" / "model")
    assert again.model_dir == reference.model_dir and again.codes == reference.codes


def test_permuted_segments_get_their_codes_and_names_back(reference):
    # new sizes reverse the order: D is now the largest, so it is segment 0 of the new fit
    alignment, labels, blob = _fit_and_align(reference, {"A": 60, "B": 150, "C": 250, "D": 500}, k=4)
    assert alignment.new == [] and alignment.vanished == []
    for name in "ABCD":
        code = _code_of_blob(alignment, labels, blob, name)
        assert code == _ref_code(reference, name)
        assert alignment.names[[s for s, c in alignment.codes.items() if c == code][0]] == NAMES[int(code[1:]) - 1]
    assert alignment.codes[0] == _ref_code(reference, "D")  # not S01: codes follow the reference, not size
    assert all(m["ratio"] < 0.1 for m in alignment.matches)


def test_a_removed_cluster_is_vanished(reference):
    alignment, labels, blob = _fit_and_align(reference, {"A": 400, "B": 300, "D": 100}, k=3)
    gone = _ref_code(reference, "C")
    assert [v["code"] for v in alignment.vanished] == [gone]
    assert alignment.vanished[0]["name"] == NAMES[int(gone[1:]) - 1] and alignment.vanished[0]["size"] == 200
    assert alignment.new == [] and alignment.retired_codes == [gone]
    for name in "ABD":
        assert _code_of_blob(alignment, labels, blob, name) == _ref_code(reference, name)


def test_a_new_cluster_gets_the_next_unused_code(reference):
    alignment, labels, blob = _fit_and_align(reference, {"A": 400, "B": 300, "C": 200, "D": 100, "E": 150}, k=5)
    assert _code_of_blob(alignment, labels, blob, "E") == "S05"
    assert [n["code"] for n in alignment.new] == ["S05"] and alignment.vanished == []
    assert alignment.new[0]["ratio"] > lineage.MATCH_RATIO
    for name in "ABCD":
        assert _code_of_blob(alignment, labels, blob, name) == _ref_code(reference, name)


def test_a_vanished_code_is_never_given_again(reference):
    retired = lineage.Reference(reference.path, reference.model_dir, reference.model,
                                reference.metadata | {"retired_codes": ["S07"]})
    alignment, labels, blob = _fit_and_align(retired, {"A": 400, "B": 300, "C": 200, "D": 100, "E": 150}, k=5)
    assert _code_of_blob(alignment, labels, blob, "E") == "S08"
    assert lineage.next_codes(["S01", "S09"], 2) == ["S10", "S11"]
    assert lineage.next_codes(["S98", "S99"], 1) == ["S100"]


def test_a_new_segment_never_takes_a_reference_name(reference):
    X, _ = _table({"A": 400, "B": 300, "D": 100, "E": 150}, seed=1)
    labels = SegmentModel(4, random_state=1).fit(X).labels_
    e = int(pd.Series(labels[-150:]).mode()[0])
    names = {s: f"Group {s}" for s in range(4)} | {e: "Charlie"}  # naming calls E what the vanished C was called
    alignment = lineage.align(reference, X, labels, names)
    assert alignment.names[e] == "Charlie (new)"
    assert len(set(alignment.names.values())) == 4


def test_matching_is_optimal_and_respects_the_threshold():
    ref = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    # new 0 and new 1 are both nearest to reference 0; the closer one takes it
    new = np.array([[4.0, 0.0], [1.0, 0.0], [0.0, 9.0]])
    found = {m["segment"]: m["reference_segment"] for m in lineage.match_centres(new, ref)}
    assert found == {1: 0, 2: 2}  # new 0 lies 0.6 spacings from reference 1: no match
    # with a looser threshold new 0 pairs with reference 1, so that every centre has a partner
    found = {m["segment"]: m["reference_segment"] for m in lineage.match_centres(new, ref, max_ratio=0.7)}
    assert found == {0: 1, 1: 0, 2: 2}


def test_profile_codes_follow_the_alignment_and_survive_profiles_json(reference):
    alignment, labels, blob = _fit_and_align(reference, {"A": 60, "B": 150, "C": 250, "D": 500}, k=4)
    X, _ = _table({"A": 60, "B": 150, "C": 250, "D": 500}, seed=1)
    profile = profile_segments(X, pd.Series(labels), names={s: f"Group {s}" for s in range(4)})
    aligned = lineage.relabel(profile, alignment)
    assert aligned.codes == alignment.codes and aligned.names == alignment.names
    again = type(profile).from_dict(json.loads(json.dumps(aligned.to_dict())))
    assert again.codes == alignment.codes and again.display_names() == aligned.display_names()


def test_score_mode_keeps_every_code_and_reports_an_empty_segment(reference):
    X, blob = _table({"A": 50, "B": 50, "D": 50}, seed=3)
    labels, _, _ = reference.model.assign(X)
    alignment = lineage.align(reference, X, labels, {}, mode="score")
    for name in "ABD":
        assert _code_of_blob(alignment, labels, blob, name) == _ref_code(reference, name)
    assert [v["code"] for v in alignment.vanished] == [_ref_code(reference, "C")]
    assert alignment.model_codes == dict(enumerate(reference.codes)) and alignment.retired_codes == []
    assert all(m["ratio"] < 0.1 for m in alignment.matches)


def test_reference_json_and_its_sentences(reference, tmp_path):
    alignment, _, _ = _fit_and_align(reference, {"A": 400, "B": 300, "D": 100, "E": 150}, k=4)
    path = lineage.write_reference(tmp_path / "reference.json", alignment)
    data = json.loads(path.read_text())
    assert data["mode"] == "refit" and data["reference"]["run_name"] == "jan"
    assert data["reference"]["model_sha256"] == reference.metadata["model_sha256"]
    assert {m["code"] for m in data["matches"]} | {n["code"] for n in data["new"]} == set(data["codes"].values())
    text = " ".join(lineage.sentences(data, entity="customers"))
    gone = _ref_code(reference, "C")
    assert "follow the earlier run jan: 3 of its 4 segments were found again" in text
    assert "A new segment, with a new code: S05 Group" in text
    assert f"{gone} {NAMES[int(gone[1:]) - 1]} no longer exists in this data (200 customers in the earlier run)." in text
    assert "{" not in text and "[" not in text and "/" not in text  # plain words, no reprs or paths


# ------------------------------------------------------------------------------------------- errors
def test_a_missing_or_empty_reference_folder_is_refused(tmp_path):
    with pytest.raises(ParamsError, match="does not exist") as err:
        lineage.load_reference(tmp_path / "nowhere")
    assert err.value.key == "reference" and "Fix:" in err.value.message
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParamsError, match="neither a run folder with a saved model"):
        lineage.load_reference(tmp_path / "empty")


def test_another_data_kind_or_other_features_are_refused(reference):
    with pytest.raises(ParamsError, match="segments customers data, and this run transactions data"):
        lineage.check_reference(reference, data_kind="transactions", features=["x", "y"])
    with pytest.raises(ParamsError, match="the reference model lacks z") as err:
        lineage.check_reference(reference, data_kind="customers", features=["x", "y", "z"])
    assert err.value.column == "z" and err.value.fix == ("leave out what the reference did not use with roles: "
                                                         "{z: ignore} (the reference's features: x, y); or remove "
                                                         "reference")
    with pytest.raises(ParamsError) as err:  # a column renamed in case only, and one gone
        lineage.check_reference(reference, data_kind="customers", features=["X"])
    assert err.value.fix.startswith("rename 'X' to 'x' as the reference wrote it; give this run's table y again")
    with pytest.raises(ParamsError, match="this run lacks y"):
        lineage.check_reference(reference, data_kind="customers", features=["x"])


def test_segkit_check_validates_the_reference(tmp_path, capsys):
    model_dir, csv = fit_customer_model(tmp_path / "ref")
    params = tmp_path / "p.yaml"
    params.write_text(f"data_kind: customers\ndata_path: {csv}\nid_col: customer_id\nreference: ref/run\n")
    assert main(["check", str(params)]) == 0
    assert "reference ok: run" in capsys.readouterr().out
    params.write_text(f"data_kind: customers\ndata_path: {csv}\nreference: nowhere\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "the reference" in err and "does not exist" in err and "Fix:" in err


# ------------------------------------------------------------------------------ the 05 stage, score mode
def _stage_run(root, csv, **params):
    folder = RunFolder(root).ensure()
    p = params_from_mapping({"data_kind": "customers", "data_path": str(csv), "k": 4, "bootstrap": 2,
                             "sample_size": 500, "id_col": "customer_id", **params})
    ctx = stages.RunContext(p, folder)
    folder.path.joinpath("params.json").write_text(json.dumps(p.model_dump()))
    stages.eda.clean(ctx, stages.eda.load(ctx))
    stages.features.build_features(ctx)
    return ctx, stages.profile.segment(ctx)


def test_score_mode_equals_segkit_score_on_the_same_rows(tmp_path):
    model_dir, csv = fit_customer_model(tmp_path / "ref")
    ctx, seg = _stage_run(tmp_path / "new", csv, reference=str(model_dir.parent.parent), reference_mode="score")
    ours = pd.read_csv(ctx.folder.artifact("segments.csv"), dtype=str)
    scored = load_scorer(model_dir).score(pd.read_csv(csv))
    merged = ours.merge(scored.astype({"customer_id": str}), on="customer_id", suffixes=("", "_score"))
    assert len(merged) == 500
    assert (merged["segment_code"] == merged["segment_code_score"]).all()
    assert (merged["segment_name"] == merged["segment_name_score"]).all()
    assert np.allclose(merged["distance_to_centre"].astype(float), merged["distance_to_centre_score"].astype(float),
                       atol=1e-5)
    data = ctx.folder.read_json(lineage.REFERENCE_FILE)
    assert data["mode"] == "score" and data["vanished"] == [] and data["new"] == []
    # the model this run saves scores with the same codes as the reference's
    again = load_scorer(ctx.folder.artifact("model")).score(pd.read_csv(csv))
    assert (again["segment_code"] == scored["segment_code"]).all()
    assert "applied unchanged" in str(stages.profile.reference_note(seg).data)


# ------------------------------------------------------------------------------------------- the batch
@pytest.mark.slow
def test_a_rerun_on_perturbed_data_keeps_codes_and_names(smoke_run, tmp_path):
    """The smoke params again, with ``reference`` = the smoke run, on its data perturbed: 90% of the lines
    drawn at random, the largest segment's customers paying 1.5 times the price, the smallest segment's
    customers removed."""
    first = pd.read_csv(smoke_run / "artifacts" / "segments.csv", dtype=str)
    names = first.drop_duplicates("segment_code").set_index("segment_code")["segment_name"].to_dict()
    sizes = first["segment_code"].value_counts()
    removed, shifted = sizes.idxmin(), sizes.idxmax()
    members = lambda code: set(first.loc[first["segment_code"] == code, "customer_id"])  # noqa: E731
    data = pd.read_parquet(ROOT / "data" / "online_retail.parquet")
    ids = data["CustomerID"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    data = data[~ids.isin(members(removed)).to_numpy()].sample(frac=0.9, random_state=1).sort_index()
    more = ids.loc[data.index].isin(members(shifted)).to_numpy()
    data.loc[more, "UnitPrice"] = data.loc[more, "UnitPrice"] * 1.5
    data.to_parquet(tmp_path / "perturbed.parquet")
    params = tmp_path / "again.yaml"
    params.write_text(f"extends: {SMOKE_PARAMS}\nrun_name: smoke_again\ndata_path: perturbed.parquet\n"
                      f"reference: {smoke_run}\n")
    result = run_batch(params, tmp_path / "reports")
    assert result.ok, f"{result.failed}: {result.error}"
    run = result.folder
    data = json.loads((run / "artifacts" / "reference.json").read_text())
    assert data["mode"] == "refit" and data["reference"]["run_name"] == "smoke"
    assert [v["code"] for v in data["vanished"]] == [removed]
    assert data["vanished"][0]["name"] == names[removed] and data["vanished"][0]["size"] == sizes[removed]
    matched = {m["code"]: m["name"] for m in data["matches"]}
    assert shifted in matched and set(matched) == set(names) - {removed}
    assert all(names[code] == name for code, name in matched.items())
    assert all(n["code"] not in names and int(n["code"][1:]) > len(names) for n in data["new"])
    second = pd.read_csv(run / "artifacts" / "segments.csv", dtype=str)
    both = first.merge(second, on="customer_id", suffixes=("_then", "_now"))
    for code, name in matched.items():  # the same customers, mostly, under the same code and name
        now = both.loc[both["segment_code_then"] == code, "segment_code_now"].value_counts(normalize=True)
        assert now.idxmax() == code and now.max() > 0.5, (code, now.round(2).to_dict())
        assert set(second.loc[second["segment_code"] == code, "segment_name"]) == {name}
    meta = json.loads((run / "artifacts" / "model" / "metadata.json").read_text())
    assert set(meta["segment_codes"].values()) == set(second["segment_code"]) and meta["retired_codes"] == [removed]
    profiles = json.loads((run / "artifacts" / "profiles.json").read_text())
    assert {s["code"]: s["name"] for s in profiles["segments"]} == \
        second.drop_duplicates("segment_code").set_index("segment_code")["segment_name"].to_dict()
    index = (run / "index.html").read_text()
    assert "The segment codes follow the earlier run smoke" in index and f"{removed} " in index
    assert "The segment codes follow the earlier run smoke" in (run / "05_profile.html").read_text()


def test_score_mode_reports_a_segment_no_row_reaches(tmp_path):
    model_dir, csv = fit_customer_model(tmp_path / "ref")
    trained = pd.read_csv(model_dir.parent / "segments.csv", dtype=str)
    gone = trained["segment_code"].value_counts().idxmin()
    rows = pd.read_csv(csv, dtype={"customer_id": str})
    rows[~rows["customer_id"].isin(trained.loc[trained["segment_code"] == gone, "customer_id"])].to_csv(
        tmp_path / "fewer.csv", index=False)
    ctx, seg = _stage_run(tmp_path / "new", tmp_path / "fewer.csv", reference=str(model_dir), reference_mode="score")
    data = ctx.folder.read_json(lineage.REFERENCE_FILE)
    assert [v["code"] for v in data["vanished"]] == [gone] and data["retired_codes"] == []
    ours = pd.read_csv(ctx.folder.artifact("segments.csv"), dtype=str)
    assert gone not in set(ours["segment_code"]) and len(ours) == len(rows) - (trained["segment_code"] == gone).sum()
    # the saved model is the reference's: it still knows the empty segment's code and name
    meta = ctx.folder.read_json("model/metadata.json")
    reference = json.loads((model_dir / "metadata.json").read_text())
    assert meta["segment_codes"] == reference["segment_codes"]
    assert meta["segment_names"] == reference["segment_names"]
    assert f"{gone} " in str(stages.profile.reference_note(seg).data)
    assert "got no customers in this data" in str(stages.profile.reference_note(seg).data)
    # a run that follows this one reports the sizes this run gave, not the reference's training sizes
    follow = lineage.load_reference(ctx.folder.path)
    assert follow.sizes == [int((ours["segment_code"] == code).sum()) for code in follow.codes]
    assert follow.sizes[follow.codes.index(gone)] == 0


def test_score_mode_draws_this_runs_rows_on_the_06_map_with_their_own_segments(tmp_path, monkeypatch):
    """The map joined the reference model's training labels (500) to this run's rows (fewer): a crash, or, with
    as many rows, colours from another month's customers."""
    from segkit.format import model_segment_codes

    model_dir, csv = fit_customer_model(tmp_path / "ref")
    rows = pd.read_csv(csv, dtype={"customer_id": str})
    rows.iloc[::-1].head(420).to_csv(tmp_path / "month.csv", index=False)  # other rows, in another order
    ctx, seg = _stage_run(tmp_path / "new", tmp_path / "month.csv", reference=str(model_dir), reference_mode="score")
    new = rows.head(5)
    scored = stages.score.score_new(ctx, new)
    drawn, real = {}, stages.score.plot_segment_map

    def spy(coords, labels, **kwargs):
        drawn["labels"] = np.asarray(labels)
        return real(coords, labels, **kwargs)

    monkeypatch.setattr(stages.score, "plot_segment_map", spy)
    stages.score.scored_map(ctx, new, scored)
    ours = pd.read_csv(ctx.folder.artifact("segments.csv"), dtype=str)
    meta = ctx.folder.read_json("model/metadata.json")
    codes = model_segment_codes(meta, len(meta["segment_codes"]))
    assert len(drawn["labels"]) == 420 + 5
    assert [codes[i] for i in drawn["labels"][:420]] == ours["segment_code"].tolist()


def test_a_run_that_did_not_complete_is_no_reference_and_scoring_with_it_says_so(tmp_path, capsys):
    model_dir, csv = fit_customer_model(tmp_path / "ref")
    run = model_dir.parent.parent
    (run / "manifest.json").write_text(json.dumps({"status": "interrupted in 07_explain", "run_name": "run"}))
    with pytest.raises(ParamsError, match=r"the reference run run did not complete \(interrupted in 07_explain\)"):
        lineage.load_reference(run)
    assert main(["score", str(run), str(csv), "--out", str(tmp_path / "s.csv")]) == 0
    assert "the run run did not complete (interrupted in 07_explain)" in capsys.readouterr().err
    (run / "manifest.json").write_text(json.dumps({"status": "ok", "run_name": "run"}))
    assert lineage.load_reference(run).model_dir == model_dir


def test_score_mode_says_how_many_rows_no_segment_describes(tmp_path):
    """150 customers unlike any of the reference's went into its nearest segment without a word."""
    model_dir, csv = fit_customer_model(tmp_path / "ref")
    rows = pd.read_csv(csv, dtype={"customer_id": str})
    odd = rows.head(60).copy()
    odd["customer_id"] = [f"X{i:03d}" for i in range(60)]
    odd[["age", "income", "total_spend", "basket_size", "visit_frequency"]] = [90, 2_000_000, 900_000, 400, 200]
    pd.concat([rows, odd]).to_csv(tmp_path / "month.csv", index=False)
    ctx, seg = _stage_run(tmp_path / "new", tmp_path / "month.csv", reference=str(model_dir), reference_mode="score")
    far = ctx.folder.read_json(lineage.REFERENCE_FILE)["far"]
    assert far["count"] == 60 and far["ratio"] == lineage.FAR_RATIO  # the 500 reference customers: none
    text = " ".join(lineage.sentences(ctx.folder.read_json(lineage.REFERENCE_FILE)))
    assert "60 customers (11%) lie far from every segment of" in text and "reference_mode: refit) might" in text
    ctx2, _ = _stage_run(tmp_path / "same", csv, reference=str(model_dir), reference_mode="score")
    assert ctx2.folder.read_json(lineage.REFERENCE_FILE)["far"]["count"] == 0
