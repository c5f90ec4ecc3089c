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
from segkit.report.batch import Batch, _dependents
from segkit.report.notebook import Notebook, applicable_cells, cell_after, cell_ready
from segkit.report.runner import discover_notebooks, run_order

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


def test_notebooks_that_wait_for_one_another_in_a_circle_are_refused(tmp_path):
    from segkit.errors import RunError

    _notebook(tmp_path, "01_a", [_cell("1", after=["02_b"])])
    _notebook(tmp_path, "02_b", [_cell("2")])
    for path in tmp_path.glob("*.ipynb"):  # 02_b waits for 01_a (the one before it), whose cell waits for 02_b
        book = nbformat.read(str(path), as_version=4)
        book.metadata["segkit"] = {"after": ["01_a"]} if path.stem == "02_b" else {"after": []}
        nbformat.write(book, str(path))
    with pytest.raises(RunError, match="in a circle: 01_a → 02_b → 01_a"):
        discover_notebooks(tmp_path, "transactions")


def test_in_the_duckdb_or_spark_engine_a_notebook_runs_whole_after_what_its_cells_wait_for():
    notebooks = {nb.name: nb for nb in discover_notebooks(ROOT / "notebooks", "transactions")}
    engine = notebooks["05_profile"].in_engine()  # each kernel there holds an engine session and its memory
    assert engine.after == ["03_select_k", "08_churn", "10_value"] and engine.cells_after == [] and not engine.overlap
    assert notebooks["05_profile"].overlap and notebooks["05_profile"].in_pandas().overlap


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
        _notebook(tmp_path, "03_other", [_cell(_log("03") + "\nimport pathlib; pathlib.Path('03.flag').touch()")],
                  after=["00_start"]),
    ]
    said: list[str] = []
    batch = _batch(tmp_path, notebooks, said)
    batch.run()
    assert batch.ok, batch.error
    assert (tmp_path / "log.txt").read_text().split("\n")[:-1] == ["00", "01 before", "03", "02", "01 after"]
    assert batch.done == {"00_start", "01_gated", "02_slow", "03_other"}
    waited = said.index("01_gated waits for 02_slow")  # said on the console, before 03 takes the place
    assert waited < said.index("03_other started")
    assert (tmp_path / "01_gated.html").is_file()
    timing = batch.timings["01_gated"]  # its wait is timed: 02_slow ran on after 03_other, all in its cell
    assert 0 < timing["waited_s"] <= timing["execute_s"]
    assert f"01_gated done (run {timing['execute_s']:.1f}s, {timing['waited_s']:.1f}s of it waiting)" in said
    assert all(batch.timings[n]["waited_s"] == 0 for n in ("00_start", "02_slow", "03_other"))


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


# ------------------------------------------------------------------------- the ready cells' promise
def _touches(params_file: Path, run_dir: Path, monkeypatch) -> dict[str, list[tuple[int, str, bool]]]:
    """Run the report notebooks' cells in this process, recording every artifact each cell touches: per notebook,
    (cell number, artifact, written). A name the notebook's code asks a run folder for directly (a model folder to
    save, a CSV to read) counts as written: it may be either."""
    import inspect

    from segkit import kinds
    from segkit.config import load_params
    from segkit.io import RunFolder, write_json
    from segkit.report.notebook import notebook_parameters
    from segkit.report.runner import _kernel_params

    params, _ = load_params([params_file])
    run_dir.mkdir(parents=True)
    write_json(run_dir / "params.json", params.model_dump())
    where: dict[str, object] = {}
    seen: dict[str, list[tuple[int, str, bool]]] = {}
    artifact, writers = RunFolder.artifact, {"write_json", "write_parquet", "write_csv", "write_png"}

    def recorded(self, name):
        caller = inspect.stack()[1]
        direct = caller.filename != inspect.getfile(RunFolder)
        seen.setdefault(where["nb"], []).append((where["cell"], name, direct or caller.function in writers))
        return artifact(self, name)

    monkeypatch.setattr(RunFolder, "artifact", recorded)
    offered = kinds.get(params.data_kind).extra_stages
    notebooks = discover_notebooks(ROOT / "notebooks", params.data_kind, params)
    for nb in run_order(notebooks):
        values = _kernel_params(params, notebook_parameters(nb.path), run_dir)
        ns = {"__name__": "__main__"}
        for i, cell in enumerate(applicable_cells(nb.path, offered).cells):
            if cell.cell_type != "code":
                continue
            where.update(nb=nb.name, cell=i)
            exec(compile(cell.source, nb.name, "exec"), ns)
            if "parameters" in cell.metadata.get("tags", []):
                ns.update(values)
        import matplotlib.pyplot as plt

        plt.close("all")
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("params_file", ["smoke.yaml", "customers_smoke.yaml", "acs_smoke.yaml"])
def test_no_artifact_another_notebook_touches_is_written_after_a_ready_cell(params_file, tmp_path, monkeypatch):
    """After its ready cell a notebook only draws its page: the notebooks that start then never see it change a file."""
    from segkit import kinds
    from segkit.config import load_params

    monkeypatch.chdir(ROOT / "notebooks")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    seen = _touches(ROOT / "params" / params_file, tmp_path / "run", monkeypatch)
    params, _ = load_params([ROOT / "params" / params_file])
    offered = kinds.get(params.data_kind).extra_stages
    checked = 0
    notebooks = discover_notebooks(ROOT / "notebooks", params.data_kind, params)
    for nb in notebooks:
        cells = applicable_cells(nb.path, offered).cells
        gated = [i for i, c in enumerate(cells) if cell_after(c)]
        if gated:  # the cells before the one that waits run beside what it waits for: no file one writes the other uses
            awaited = set(cell_after(cells[gated[0]]))
            before = [(name, written) for i, name, written in seen.get(nb.name, []) if i < gated[0]]
            theirs = [(name, written) for other in awaited for _, name, written in seen.get(other, [])]
            clash = {a for a, mine in before for b, other in theirs if a == b and (mine or other)}
            assert not clash, f"{nb.name} before its waiting cell and {sorted(awaited)} both use {sorted(clash)}"
        ready = [i for i, c in enumerate(cells) if cell_ready(c)]
        if not ready:
            continue
        tail = [(name, written) for i, name, written in seen.get(nb.name, []) if i > ready[0]]
        later = {name for name, written in tail if written}
        others = {name for other, uses in seen.items() if other != nb.name for _, name, _ in uses}
        assert not later & others, f"{nb.name} writes {sorted(later & others)} after its ready cell"
        # and what it reads then, no notebook that starts at its ready cell writes
        after_it = {other.name for other in notebooks if nb.name in other.after + other.cells_after}
        written_then = {name for other in after_it for _, name, written in seen.get(other, []) if written}
        read_late = {name for name, _ in tail}
        assert not read_late & written_then, f"{nb.name} reads {sorted(read_late & written_then)} as others write it"
        checked += 1
    assert checked >= 3  # 02, 03 and 05 (and 08 for transactions) have a ready cell
