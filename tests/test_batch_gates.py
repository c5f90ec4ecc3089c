"""Issue 18: a cell that waits for other notebooks (``{"segkit": {"after": [...]}}`` in its metadata).

The notebook starts before those notebooks are done, gives its place to another notebook while its cell waits,
and stops (without a page) when one of them fails. ``05_profile`` fits and explains its segments this way while
``08_churn`` and ``10_value`` still run, and waits for them only to add churn risk and value per segment.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from segkit.config import params_from_mapping
from segkit.report.batch import Batch, Notebook, _dependents, cell_after
from segkit.report.runner import discover_notebooks

ROOT = Path(__file__).resolve().parents[1]


def _cell(source: str, after: list[str] | None = None):
    cell = nbformat.v4.new_code_cell(source)
    if after:
        cell.metadata["segkit"] = {"after": after}
    return cell


def _notebook(folder: Path, name: str, cells: list, after: list[str] | None = None) -> Notebook:
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(book, str(path))
    cells_after = [a for c in cells for a in cell_after(c)]
    return Notebook(path=path, after=after or [], cells_after=cells_after)


def _log(text: str) -> str:
    """Code that appends ``text`` to the shared log (the kernels run in the notebooks' folder)."""
    return f"with open('log.txt', 'a') as f: f.write({text!r} + '\\n')"


def test_05_profile_starts_after_03_and_waits_in_a_cell_for_churn_and_value():
    notebooks = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "transactions")}
    assert notebooks["05_profile"].after == ["03_select_k"]
    assert notebooks["05_profile"].cells_after == ["08_churn", "10_value"]
    book = nbformat.read(str(ROOT / "notebooks" / "05_profile.ipynb"), as_version=4)
    gated = [c for c in book.cells if cell_after(c)]
    assert len(gated) == 1 and "stages.profile.finish(ctx, seg)" in gated[0].source  # the one cell that reads them
    customers = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "customers")}
    assert customers["05_profile"].cells_after == []  # no churn or value for this kind: nothing to wait for


def test_notebooks_that_others_wait_for_start_first():
    nbs = [Notebook(Path(f"{n}.ipynb"), after=a, cells_after=c) for n, a, c in [
        ("01_a", [], []), ("04_leaf", ["01_a"], []), ("05_b", ["01_a"], ["08_c"]), ("07_d", ["05_b"], []),
        ("08_c", ["01_a"], [])]]
    assert _dependents(nbs) == {"01_a": 4, "04_leaf": 0, "05_b": 1, "07_d": 0, "08_c": 2}


def _batch(folder: Path, notebooks: list[Notebook], said: list[str]) -> Batch:
    params = params_from_mapping({"data_kind": "transactions"})
    (folder / "artifacts").mkdir(exist_ok=True)
    return Batch(params, folder, notebooks, jobs=2, progress=said.append, meta_line="")


@pytest.mark.slow
def test_a_waiting_cell_gives_its_place_and_runs_once_its_notebooks_are_done(tmp_path):
    # jobs=2: 02_slow runs until 03_other has run, which it can only do in the place 01_gated frees while it waits
    wait_for_03 = ("import time, pathlib\nend = time.monotonic() + 60\n"
                   "while not pathlib.Path('03.flag').exists() and time.monotonic() < end: time.sleep(0.05)\n")
    notebooks = [
        _notebook(tmp_path, "00_start", [_cell(_log("00"))]),
        _notebook(tmp_path, "01_gated", [_cell(_log("01 before")), _cell(_log("01 after"), after=["02_slow"])],
                  after=["00_start"]),
        _notebook(tmp_path, "02_slow", [_cell(wait_for_03 + _log("02"))], after=["00_start"]),
        _notebook(tmp_path, "03_other", [_cell("import pathlib; pathlib.Path('03.flag').touch()\n" + _log("03"))],
                  after=["00_start"]),
    ]
    said: list[str] = []
    batch = _batch(tmp_path, notebooks, said)
    batch.run()
    assert batch.ok, batch.error
    assert (tmp_path / "log.txt").read_text().split("\n")[:-1] == ["00", "01 before", "03", "02", "01 after"]
    assert batch.done == {"00_start", "01_gated", "02_slow", "03_other"}
    assert (tmp_path / "01_gated.html").is_file()


@pytest.mark.slow
def test_a_waiting_notebook_stops_without_a_page_when_what_it_waits_for_fails(tmp_path):
    notebooks = [
        _notebook(tmp_path, "01_gated", [_cell(_log("01 before")), _cell(_log("01 after"), after=["02_bad"])]),
        _notebook(tmp_path, "02_bad", [_cell("import time; time.sleep(1); raise ValueError('bad input')")]),
    ]
    said: list[str] = []
    batch = _batch(tmp_path, notebooks, said)
    batch.run()
    assert batch.failed == "02_bad" and "bad input" in batch.error
    assert "01_gated stopped before a cell that needs 02_bad" in said
    assert (tmp_path / "log.txt").read_text() == "01 before\n"
    assert not (tmp_path / "01_gated.ipynb").exists() and not (tmp_path / "01_gated.html").exists()
