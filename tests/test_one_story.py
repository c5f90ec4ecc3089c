"""One story on every page (issue 16, item 5): the cards (05), the index, the k page (03) and 07 agree on k,
names, stability and separability, because they read one computation (``explain.json``, ``k_summary.json``).

The batch part parses the rendered business HTML of the smoke runs of all three kinds, which is what readers
see; the unit part checks the pieces on constructed data with known answers.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from batch_fixtures import acs_run, customers_run, smoke_run  # noqa: E402,F401  (session fixtures)
from segkit import explain, stages  # noqa: E402
from segkit.plots.profile import plot_index_heatmap  # noqa: E402
from segkit.profile import profile_segments  # noqa: E402
from segkit.report.cards import split_table  # noqa: E402
from segkit.report.index import separability  # noqa: E402
from segkit.separability import SegmentExplanation  # noqa: E402


# ---------------------------------------------------------------------------------- reading the pages
def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _cards(page: str) -> dict[str, dict[str, str]]:
    """Code -> name, stability, drivers and distinctness as the 05 cards show them."""
    out = {}
    for block in re.findall(r'<div class="sk-card".*?(?=<div class="sk-card"|</div></div>\s*$|$)', page, re.S):
        code = re.search(r'<div class="sk-code">(S\d+)</div>', block)
        if not code:
            continue
        field = {k: re.search(rx, block, re.S) for k, rx in {
            "name": r"<h3>(.*?)</h3>", "stability": r"Stability:? ([0-9.]+|too few \w+ \(\d+\) to measure)",
            "drivers": r'<p class="sk-drivers"><strong>What sets it apart:</strong> (.*?)</p>',
            "distinct": r'<p class="sk-distinct"><strong>How distinct:</strong> (.*?)</p>'}.items()}
        out[code.group(1)] = {k: _text(m.group(1)) if m else None for k, m in field.items()}
    return out


def _index_rows(page: str) -> dict[str, list[str]]:
    """Code -> the cells of its row in the index's segment table."""
    table = re.search(r"<table class='sk-table'>.*?</table>", page, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


def _headers(page: str) -> list[str]:
    table = re.search(r"<table class='sk-table'>.*?</table>", page, re.S).group(0)
    return [_text(h) for h in re.findall(r"<th>(.*?)</th>", table)]


def _explain_notes(page: str) -> dict[str, tuple[str, str, str]]:
    """Code -> (name, score text, sentence) from the drivers notes of 07."""
    out = {}
    for note in re.findall(r'<div class="sk-note">(S\d+ .*?)</div>', page, re.S):
        m = re.match(r"(S\d+) (.*?) \((told apart [0-9.]+|too few members to test)\): (.*)$", _text(note), re.S)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    return out


@pytest.fixture(params=["smoke", "customers", "acs"])
def run(request) -> Path:
    return request.getfixturevalue({"smoke": "smoke_run", "customers": "customers_run", "acs": "acs_run"}[request.param])


@pytest.mark.slow
def test_cards_index_k_page_and_07_tell_one_story(run):
    k_summary = json.loads((run / "artifacts" / "k_summary.json").read_text())
    k = k_summary["chosen_k"]
    cards = _cards((run / "05_profile.html").read_text(encoding="utf-8"))
    # the tables' values say their unit ("£61", "210 days"): "Net spend (£) | £61" said it twice
    page05 = (run / "05_profile.html").read_text(encoding="utf-8")
    assert "Mean (index" in page05 and not re.search(r"(Net spend|Days since last purchase) \((£|\$|€|days)\)", page05)
    index = (run / "index.html").read_text(encoding="utf-8")
    rows, headers = _index_rows(index), _headers(index)
    k_page = _text((run / "03_select_k.html").read_text(encoding="utf-8"))
    page07 = (run / "07_explain.html").read_text(encoding="utf-8")
    notes = _explain_notes(page07)
    # k: the same number of segments everywhere, and the k page states the k used with its rationale
    assert len(cards) == len(rows) == len(notes) == k
    assert re.search(rf"<div class=\"sk-tile-v\">{k}</div><div>Segments</div>", index)
    from segkit.select.search import STRUCTURE_POINTER

    said = k_summary["rationale"].replace(STRUCTURE_POINTER, "")  # the structure note follows it on the page
    assert " ".join(said.split()) in " ".join(k_page.split())
    # the index says it in a business reader's words, with the same k; the criteria by name are on the k page
    assert html.escape(k_summary["summary"]) in index and f"{k} segments" in k_summary["summary"]
    assert not re.search(r"Calinski|Davies|silhouette|gap statistic|Jaccard", k_summary["summary"])
    stab, told = headers.index("Stability (0 to 1)"), headers.index("Told apart (0 to 1)")
    # what the model placed is said in the kind's words ("customers", "areas"), not "rows"
    entity_words = "areas" if (run / "artifacts" / "area_key_facts.json").exists() else "customers"
    assert "rows it had not seen" not in index + page07 and re.search(r"% of the (customers|areas) it had not", index)
    for code, card in cards.items():
        name, score, sentence = notes[code]
        # names
        assert card["name"] == rows[code][1] == name
        # stability: one measure (the hold) on the card and the index; a segment of fewer than five is too small
        # to resample on both (one area always made a segment of its own: "1.00 (stable)")
        if card["stability"].startswith("too few"):
            assert rows[code][stab] == "too few to measure" and card["distinct"].startswith("too few members")
        else:
            assert card["stability"] == rows[code][stab]
        # separability: one forest behind the card, the index and 07
        assert card["drivers"] == sentence
        if score.startswith("told apart"):  # the index's word for it, on 07 too
            f1 = score.split()[2]
            assert rows[code][told] == f1 and f"on {entity_words} it had not seen: " in card["distinct"] \
                and f"; told apart {f1} out of 1)" in card["distinct"]
            if float(f1) >= 0.8:
                assert "cannot tell" not in card["drivers"] and "hard to tell" not in card["distinct"]
        else:
            assert rows[code][told] == "too few to test" and card["distinct"].startswith("too few members")
    # ... and it is the hold the k selection measured for this k (the "stable" of its rationale)
    hold = json.loads((run / "artifacts" / "k_selection.json").read_text())["per_segment_hold"].get(str(k))
    measured = Counter(card["stability"] for card in cards.values() if not card["stability"].startswith("too few"))
    if hold is not None:  # the cards of segments of five or more show the hold of their segment, each once
        assert measured <= Counter(f"{v:.2f}" for v in hold) and len(hold) == k
    # the verdict of 07 (and the index) speaks in the k page's terms
    explained = json.loads((run / "artifacts" / "explain.json").read_text())
    summary = explained["summary"]
    assert html.escape(summary) in page07 and html.escape(explained["plain_summary"]) in index
    assert "F1" not in explained["plain_summary"] and "random forest" not in explained["plain_summary"]
    assert f"placed {100 * explained['accuracy_mean']:.1f}% of the {entity_words}" in explained["plain_summary"]
    if k_summary["structure"] not in ("clear", "strong"):
        assert "their boundaries can be told from the data" not in summary


@pytest.mark.slow
def test_07_reads_the_forest_05_fitted_instead_of_fitting_another(smoke_run, monkeypatch):
    from segkit import pipeline

    def refit(*args, **kwargs):
        raise AssertionError("07 fitted a second forest")

    monkeypatch.setattr(pipeline, "explain", refit)
    ctx = stages.open_run(smoke_run)
    explanation = stages.explain.analyse(ctx)
    written = json.loads((smoke_run / "artifacts" / "explain.json").read_text())
    assert explanation.to_dict()["segments"] == written["segments"]


# -------------------------------------------------------------------------------------- the pieces
def _confusable(n: int = 120, seed: int = 0):
    """Segment 0 far apart; segments 1 and 2 overlap heavily (a forest mixes them up)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], n)
    x = np.where(labels == 0, rng.normal(10, 0.5, 3 * n), rng.normal(0, 1, 3 * n))
    y = np.where(labels == 2, rng.normal(0.3, 1, 3 * n), rng.normal(0, 1, 3 * n))
    return pd.DataFrame({"x": x, "y": y}), labels


def test_confused_pairs_and_distinctness_come_from_the_held_out_predictions():
    table, labels = _confusable()
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=50,
                                      names={0: "S01 Far", 1: "S02 Left", 2: "S03 Right"})
    assert result.f1(0) > 0.95 and result.f1(1) < 0.75 and result.f1(2) < 0.75
    pairs = {(a, b) for a, b, _ in result.confused_pairs()}
    assert pairs == {(1, 2), (2, 1)}
    placed, held_out, others = result.placed(0)
    assert held_out == 120 and placed == int(result.confusion.loc[0, 0]) and placed >= 0.95 * held_out
    assert others == int(result.confusion[0].sum()) - placed
    strays = "" if not others else f", and {others} other row{'s' if others > 1 else ''}"
    assert result.distinctness(0) == (f"a model recognises its members from the measures alone (on rows it had not "
                                      f"seen: {placed} of its 120 members placed in it{strays}; told apart "
                                      f"{result.f1(0):.2f} out of 1).")
    # a segment that took in others says how many (the Mall's "19 of the 19" beside a score of 0.97 read as a slip)
    mixed = result.placed(1)
    assert mixed[2] == int(result.confusion[1].sum()) - mixed[0] > 0
    assert f"{mixed[0]} of its 120 members placed in it, and {mixed[2]} other rows; told apart" in result.distinctness(1)
    assert "mistaken for S03 Right" in result.distinctness(1)
    assert "Mixed up most often" in result.summary() and not result.well_separated


def test_most_of_its_members_only_when_the_model_placed_more_than_half_of_them():
    """Delaware's S04 read "a model recognises most of its members (0.60 ...)" beside a confusion matrix where it
    placed 5 of its 10 held-out areas: an F1 of 0.60 is not "most"."""
    from segkit.separability import SegmentExplanation

    confusion = pd.DataFrame([[5, 5], [1, 9]], index=[0, 1], columns=[0, 1])  # segment 0: recall 0.5, precision 0.83
    f1 = pd.Series({0: 2 * 0.5 * (5 / 6) / (0.5 + 5 / 6), 1: 2 * 0.9 * 0.643 / (0.9 + 0.643)})
    empty = pd.DataFrame()
    result = SegmentExplanation(scores=empty, importance=empty, segment_importance=empty, segment_f1=f1,
                                confusion=confusion, drivers={}, settings={"entity": "areas"})
    assert 0.6 <= result.f1(0) < 0.8 and result.recognised(0) == 0.5
    assert result.distinctness(0).startswith("hard to tell from the others ("), result.distinctness(0)
    assert result.distinctness(1).startswith("a model recognises most of its members ("), result.distinctness(1)


def test_the_artifact_reads_back_to_the_same_story(tmp_path):
    table, labels = _confusable()
    result = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=30,
                                      names={0: "S01 Far", 1: "S02 Left", 2: "S03 Right"},
                                      codes={0: "S01", 1: "S02", 2: "S03"}, structure="weak")
    # as the pipeline keeps it: read back once (numbers rounded as in the file); from then on it reads back unchanged
    result = SegmentExplanation.from_dict(json.loads(json.dumps(result.to_dict())))
    data = json.loads(json.dumps(result.to_dict()))
    back = SegmentExplanation.from_dict(data)
    assert back.to_dict() == data
    assert [back.distinctness(s) for s in range(3)] == [result.distinctness(s) for s in range(3)]
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "explain.json").write_text(json.dumps(data))
    cells, summary = separability(tmp_path)
    assert cells == {c: f"{result.f1(s):.2f}" for s, c in enumerate(["S01", "S02", "S03"])}
    assert summary == result.plain_summary() and "not all well separated" in summary and "F1" not in summary
    (tmp_path / "artifacts" / "explain.json").write_text('{"segments": "no"}')
    assert separability(tmp_path) == ({}, "")


def test_a_well_told_partition_of_data_without_groups_is_not_called_natural():
    table, labels = _confusable()
    labels = np.where(table["x"] > 5, 0, np.where(table["y"] > 0, 1, 2))  # cuts: every segment easy to learn
    weak = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=30, structure="weak")
    clear = explain.explain_segments(table, labels, folds=3, seed=0, n_repeats=1, n_estimators=30, structure="clear")
    assert weak.well_separated and clear.well_separated
    assert "the data has no clear natural groups" in weak.summary() and "can be told from the data" not in weak.summary()
    assert "their boundaries can be told from the data" in clear.summary()


def _wide_profile():
    """Six features; segment 0 stands out on 'a' and then 'b', segment 1 on 'f' and then 'e'."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 50)
    base = {c: rng.normal(100, 5, 150) for c in "abcdef"}
    base["a"] = base["a"] + np.where(labels == 0, 300, 0)
    base["b"] = base["b"] + np.where(labels == 0, 60, 0)
    base["f"] = base["f"] + np.where(labels == 1, 250, 0)
    base["e"] = base["e"] + np.where(labels == 1, 50, 0)
    return profile_segments(pd.DataFrame(base), labels)


def test_distinctive_features_put_each_segments_leading_measures_first():
    profile = _wide_profile()
    order = profile.distinctive_features(None)
    assert order[:2] == ["a", "f"] and set(order[2:4]) >= {"b", "e"} - set(order[:2])
    assert sorted(order) == list("abcdef") and profile.distinctive_features(3) == order[:3]


def test_a_heatmap_of_many_measures_draws_them_as_rows_in_the_order_given():
    profile = _wide_profile()
    few = plot_index_heatmap(profile, columns=["f", "a"])
    assert [t.get_text() for t in few.get_xticklabels()] == ["f", "a"]
    many = _wide_profile()
    many = profile_segments(pd.DataFrame({f"m{i}": np.arange(30.0) * (i + 1) + 1 for i in range(10)}),
                            np.repeat([0, 1, 2], 10))
    ax = plot_index_heatmap(many)
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["m0", "m1"]  # features as rows
    assert len(ax.get_xticklabels()) == 3
    import matplotlib.pyplot as plt
    plt.close("all")


def test_wide_tables_split_into_blocks_that_fit_the_page():
    narrow = pd.DataFrame(np.ones((2, 8)))
    assert split_table(narrow) is narrow
    wide = pd.DataFrame(np.ones((2, 19)), columns=[f"c{i}" for i in range(19)])
    out = getattr(split_table(wide), "data", split_table(wide))
    assert out.count('<div class="sk-split">') == 3 and out.count("<table") == 3 and "c18" in out


def test_the_drivers_heatmap_shows_every_segments_strongest_driver_first():
    from segkit.plots.explain import plot_segment_drivers

    importance = pd.DataFrame({0: [0.9, 0.8, 0.7, 0.0], 1: [0.0, 0.0, 0.0, 0.01]}, index=["a", "b", "c", "d"])
    ax = plot_segment_drivers(importance, top=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "d"]  # d: segment 1's only driver, though small
    import matplotlib.pyplot as plt
    plt.close("all")
