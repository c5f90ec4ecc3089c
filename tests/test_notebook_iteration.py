"""Notebooks run by hand in JupyterLab against a run folder (``stages.open_run`` with a notebook's ``globals()``):
a cell's defaults never replace the run's params, a typed value changes them for the next notebooks too and is
said, and a batch (which injects the run's own values) changes and says nothing."""

from __future__ import annotations

import json
import os

from segkit.config import Params, params_from_mapping
from segkit.stages.context import NOTEBOOK_DATA_PATH, open_run, stored_params

DEFAULTS = Params().model_dump()


def _cell(**typed):
    """A parameters cell as a notebook's globals hold it: run_dir, the defaults of a few keys, what the user typed."""
    keys = ("data_kind", "k", "seed", "currency", "id_col")
    return {"run_dir": "../reports/dev", "data_path": NOTEBOOK_DATA_PATH, **{k: DEFAULTS[k] for k in keys}, **typed}


def _batch_run(folder, **values):
    """A run folder as ``segkit run`` leaves it: params.json of a customers run."""
    params = params_from_mapping({"data_kind": "customers", "data_path": "/data/people.csv", "id_col": "cust_id",
                                  "currency": "$", "k": 3, "seed": 7, **values})
    folder.mkdir(parents=True)
    (folder / "params.json").write_text(json.dumps(stored_params(params)))
    return params


def test_a_notebooks_defaults_do_not_replace_the_runs_params(tmp_path, capsys):
    """A trial opened 01_eda against a customers run with only run_dir changed: the cell's defaults replaced its
    input with the bundled Online Retail data, its currency with £ and 03's k with auto."""
    run = tmp_path / "mine"
    made = _batch_run(run)
    before = (run / "params.json").read_text()
    ctx = open_run(run, _cell())
    assert ctx.params.model_dump() == made.model_dump()
    assert (run / "params.json").read_text() == before
    said = capsys.readouterr().out
    assert said.startswith("From the run's params.json, where this notebook's cell keeps its default: ")
    assert "data_kind='customers'" in said and "k=3" in said and "currency='$'" in said and "changes" not in said


def test_a_run_started_from_the_notebooks_keeps_what_01_was_told(tmp_path, capsys):
    """01_eda told data_kind: customers: 02 and 05 with their defaults read a customers run, not transactions."""
    run = tmp_path / "dev"
    first = open_run(run, _cell(data_kind="customers", data_path="/data/people.csv", id_col="cust_id"))
    assert json.loads((run / "params.json").read_text())["data_kind"] == "customers"
    assert capsys.readouterr().out == ""  # a new run: nothing to be out of step with
    later = open_run(run, _cell())
    assert (later.params.data_kind, later.params.data_path, later.params.id_col) == ("customers", "/data/people.csv",
                                                                                     "cust_id")
    assert later.params.model_dump() == first.params.model_dump()


def test_a_typed_value_changes_the_run_and_says_what_it_puts_out_of_step(tmp_path, capsys):
    run = tmp_path / "mine"
    _batch_run(run)
    ctx = open_run(run, _cell(k=4))
    assert ctx.params.k == 4 and json.loads((run / "params.json").read_text())["k"] == 4
    said = capsys.readouterr().out
    assert "This notebook changes the run's params: k 3 -> 4. params.json now says so" in said
    assert "re-run the notebooks from 01_eda" in said
    assert open_run(run, _cell()).params.k == 4  # the next notebook, with the cell's default


def test_a_batch_changes_and_says_nothing(tmp_path, capsys):
    """papermill injects the run's own values (some equal to the defaults, some not): params.json stays as it was."""
    run = tmp_path / "mine"
    made = _batch_run(run)
    stamp = os.stat(run / "params.json").st_mtime_ns
    injected = {k: v for k, v in made.model_dump().items() if k in ("data_kind", "k", "seed", "currency", "id_col",
                                                                    "data_path", "k_min", "k_max")}
    ctx = open_run(run, {"run_dir": str(run), **injected})
    assert ctx.params.model_dump() == made.model_dump()
    assert os.stat(run / "params.json").st_mtime_ns == stamp and capsys.readouterr().out == ""


def test_a_notebook_run_out_of_order_names_the_one_to_run_first(tmp_path):
    """05 before 02 said "run the notebook that writes it first (see the run order in README)", which has no run
    order; 07 before 05 ended in a raw FileNotFoundError."""
    import pytest

    from segkit import stages
    from segkit.errors import DataFileError

    ctx = open_run(tmp_path / "dev", _cell())
    with pytest.raises(DataFileError) as err:
        stages.profile.load_features(ctx)
    assert err.value.message.endswith("Fix: run 02_features first, with the same run_dir (it writes "
                                      "features_meta.json); the notebooks run in their numbered order")
    with pytest.raises(DataFileError, match="segments.csv does not exist. Fix: run 05_profile first"):
        stages.profile.load_segmentation(ctx)
    with pytest.raises(DataFileError, match="k_summary.json does not exist. Fix: run 03_select_k first"):
        stages.select_k.chosen_k(ctx)


def test_features_of_another_input_are_refused(tmp_path):
    """A trial read a new table in 01_eda, 02_features failed, and 05 segmented the earlier input's features
    without a word, stamping the model with the new input's fingerprint."""
    import pandas as pd
    import pytest

    from segkit.errors import DataFileError
    from segkit.featureset import FeatureSet

    ctx = open_run(tmp_path / "dev", _cell())
    ctx.folder.write_json("input.json", {"file_hash": "sha256:aaa", "path": "/data/first.csv"})
    fs = FeatureSet(table=pd.DataFrame({"spend": [1.0, 2.0]}, index=pd.Index(["a", "b"], name="id")),
                    columns=["spend"])
    ctx.folder.write_features(fs)
    assert list(ctx.folder.read_features().table["spend"]) == [1.0, 2.0]  # the same input: read as written
    ctx.folder.write_json("input.json", {"file_hash": "sha256:bbb", "path": "/data/second.csv"})
    with pytest.raises(DataFileError) as err:
        ctx.folder.read_features()
    assert "was built from another input (sha256:aaa) than the one 01_eda read last (sha256:bbb" in err.value.message
    assert "run 02_features again, with the same run_dir" in err.value.message


def test_01_on_a_customer_table_left_as_transactions_suggests_the_data_kind(tmp_path):
    """In 01_eda a trial's customers table gave seven "set customer_col to one of ..." fixes and none about the kind:
    the notebook now stops as `segkit check` does."""
    import pytest

    from segkit import stages
    from segkit.errors import ColumnError

    table = tmp_path / "people.csv"
    table.write_text("cust_id,age,income\n1,25,30000\n2,40,50000\n")
    ctx = open_run(tmp_path / "dev", _cell(data_path=str(table)))
    with pytest.raises(ColumnError) as err:
        stages.eda.load(ctx)
    assert err.value.message.endswith("set data_kind: customers (demographics for census areas)")


def test_the_default_data_path_is_01s():
    """What ``open_run`` takes for 01_eda's default ``data_path`` is what its parameters cell says."""
    import ast
    from pathlib import Path

    book = json.loads((Path(__file__).parents[1] / "notebooks" / "01_eda.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in book["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    declared = {n.target.id: ast.literal_eval(n.value) for n in ast.parse("".join(cell["source"])).body}
    assert declared["data_path"] == NOTEBOOK_DATA_PATH


def test_a_run_folder_the_notebooks_made_may_be_replaced_by_a_batch(tmp_path):
    """`segkit run --name dev --force` refused a run folder that 01_eda had created in JupyterLab ("not made by
    segkit"). A folder the notebooks create is marked as segkit's; one that existed before they opened it is not."""
    import pytest

    from segkit.errors import RunError
    from segkit.io.runfolder import NOTEBOOK_MARKER
    from segkit.report.runfolder_safety import refuse_foreign

    reports = tmp_path / "reports"
    open_run(reports / "dev", _cell())
    assert (reports / "dev" / NOTEBOOK_MARKER).is_file()
    refuse_foreign(reports, "dev", force=True)  # replaced on request

    mine = reports / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own notes")
    open_run(mine, _cell())  # a folder the user had: opened, never marked
    assert not (mine / NOTEBOOK_MARKER).exists()
    with pytest.raises(RunError, match="was not made by segkit"):
        refuse_foreign(reports, "mine", force=True)


def _dollar_till(path):
    lines = ["CustomerID,InvoiceNo,InvoiceDate,Quantity,UnitPrice"]
    for i in range(60):
        lines.append(f"C{i % 12},I{i},2024-0{1 + i % 9}-1{i % 10},{1 + i % 3},\"${3 + i % 7}.50\"")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_run_the_notebooks_started_shows_the_inputs_currency(tmp_path, capsys):
    """01_eda in a fresh run folder on dollar amounts: the pages said £ (the params' default, the bundled data's),
    where a batch adopts the input's "$". Now 01 adopts it too, writes it to params.json and says so; a batch's
    folder (the batch adopted its own before any notebook) and a currency typed in a cell are left alone."""
    from segkit import stages

    data = _dollar_till(tmp_path / "till.csv")
    mapping = {"stock_code_col": None, "country_col": None}
    ctx = open_run(tmp_path / "dev", data_path=str(data), **mapping)
    stages.eda.clean(ctx, stages.eda.load(ctx))
    assert ctx.params.currency == "$"
    assert json.loads((tmp_path / "dev" / "params.json").read_text())["currency"] == "$"
    assert "This run's pages show money in $, the currency of the amounts in 'UnitPrice'" in capsys.readouterr().out
    assert open_run(tmp_path / "dev", _cell()).params.currency == "$"  # the next notebook

    typed = open_run(tmp_path / "euro", _cell(currency="€"), data_path=str(data), **mapping)
    stages.eda.clean(typed, stages.eda.load(typed))
    assert typed.params.currency == "€"

    folder = tmp_path / "batch"  # a batch's folder, of params that set currency: "£" (the notebooks did not create it)
    folder.mkdir()
    stored = stored_params(params_from_mapping({"data_path": str(data), "currency": "£", **mapping}))
    (folder / "params.json").write_text(json.dumps(stored))
    ctx = open_run(folder, {"run_dir": str(folder), **stored})
    stages.eda.clean(ctx, stages.eda.load(ctx))
    assert ctx.params.currency == "£" and "pages show money" not in capsys.readouterr().out


def test_a_batch_runs_page_says_when_a_notebook_changed_its_params(tmp_path, capsys):
    """A batch run edited from the notebooks kept its index.html as it was: its numbers no longer matched the pages
    made since, and it did not say so. Now it carries a warning, with every change; a batch (its own values) and a
    notebook that changes nothing leave it alone."""
    run = tmp_path / "jan"
    made = _batch_run(run)
    page = "<html><body><header class='sk-header'><h1>jan</h1></header><p>5 segments</p></body></html>"
    (run / "index.html").write_text(page)
    open_run(run, {"run_dir": str(run), **{k: v for k, v in made.model_dump().items() if k in ("k", "seed")}})
    open_run(run, _cell())  # defaults only: the run's values, nothing changed
    assert (run / "index.html").read_text() == page
    open_run(run, _cell(k=4))
    open_run(run, _cell(k=5, seed=9))
    text = (run / "index.html").read_text()
    assert text.count("id='params-changed'") == 1 and text.index("params-changed") > text.index("</header>")
    assert "changed after its pages were made</strong>, by a notebook run by hand: k from 3 to 4; then seed from 7 " \
           "to 9, k from 4 to 5" in text
    assert "run the batch again (segkit run with --force)" in text


def test_the_bundled_data_keeps_its_pounds_in_a_run_the_notebooks_started(tmp_path):
    """The notebooks' default input is the bundled Online Retail data, in pounds: no other currency is adopted for
    it (its amounts carry no sign, which would otherwise show plain numbers)."""
    from pathlib import Path

    from segkit import stages
    from segkit.stages.eda import _bundled

    root = Path(__file__).resolve().parents[1]
    ctx = open_run(tmp_path / "dev", data_path=str(root / "data" / "online_retail.parquet"))
    stages.eda.clean(ctx, stages.eda.load(ctx))
    assert ctx.params.currency == "£"
    assert _bundled(NOTEBOOK_DATA_PATH) and not _bundled(str(tmp_path / "online_retail.parquet"))
