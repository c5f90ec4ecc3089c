"""The scoring service (issue 14): every endpoint through FastAPI's TestClient, the 422 answers naming the
column, the same scores as ``segkit score``, a refused forged model, and one real uvicorn on loopback."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="segkit serve needs the serve extra: pip install 'segkit[serve]'")

from segkit.cli import main  # noqa: E402
from segkit.serve import MAX_ROWS, open_served  # noqa: E402
from segkit.serve.app import MAX_BODY_BYTES, create_app  # noqa: E402

from batch_fixtures import fit_customer_model  # noqa: E402

# starlette asks for httpx2 in its TestClient; the pinned httpx works
pytestmark = pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient. is deprecated")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A customer run folder fitted on 500 generated customers (as in test_score_cli), and that table as CSV."""
    model_dir, csv = fit_customer_model(tmp_path_factory.mktemp("serve"))
    return model_dir.parent.parent, csv


@pytest.fixture(scope="module")
def client(trained):
    from fastapi.testclient import TestClient

    return TestClient(create_app(open_served(trained[0])), raise_server_exceptions=False)


def _rows(csv: Path, n: int | None = None) -> list[dict]:
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    return table.head(n).to_dict(orient="records") if n else table.to_dict(orient="records")


def test_health(client, trained):
    body = client.get("/health").json()
    meta = json.loads((trained[0] / "artifacts" / "model" / "metadata.json").read_text())
    assert body["status"] == "ok" and body["source"] == "run" and body["data_kind"] == "customers"
    assert body["model_sha256"] == meta["model_sha256"] and body["segments"] == 4 and body["entities"] == 500
    assert body["can_score"] and body["max_rows"] == MAX_ROWS and "income" in body["features"]


def test_segments(client):
    segments = client.get("/segments").json()["segments"]
    assert [s["code"] for s in segments] == ["S01", "S02", "S03", "S04"]
    assert sum(s["size"] for s in segments) == 500 and all(s["name"] for s in segments)
    assert {"description", "action", "mean", "index"} <= segments[0]["profile"].keys()


def test_score_equals_segkit_score(client, trained, tmp_path):
    run, csv = trained
    out = tmp_path / "scored.csv"
    assert main(["score", str(run / "artifacts" / "model"), str(csv), "--out", str(out)]) == 0
    cli = pd.read_csv(out, dtype={"customer_id": str})
    rows = _rows(csv)
    answers = [client.post("/score", json=rows[i:i + 250]) for i in range(0, len(rows), 250)]
    assert all(a.status_code == 200 for a in answers)
    served = pd.DataFrame([r for a in answers for r in a.json()["rows"]])
    assert answers[0].json()["id_column"] == "customer_id"
    assert list(served.columns) == list(cli.columns)
    assert (served["customer_id"] == cli["customer_id"]).all()
    assert (served["segment_code"] == cli["segment_code"]).all() and (served["segment_name"] == cli["segment_name"]).all()
    for col in ("confidence", "distance_to_centre"):
        assert served[col].astype(float).to_numpy() == pytest.approx(cli[col].to_numpy(), rel=1e-12, abs=1e-12)
    assert (served["outside_training_range"] == cli["outside_training_range"]).all()
    assert served["not_scored"].isna().all() and cli["not_scored"].isna().all()


def test_score_flags_as_segkit_score_does(client, trained):
    rows = _rows(trained[1], 3)
    rows[0] = {**rows[0], "income": 1e9}  # far outside the training range
    rows[1] = {"customer_id": "empty", **{c: None for c in rows[1] if c != "customer_id"}}  # every feature missing
    rows[2] = {**rows[2], "region": "Atlantis"}  # a level the model never saw
    body = client.post("/score", json=rows).json()
    first, empty, atlantis = body["rows"]
    assert first["outside_training_range"] is True and first["segment_code"]
    assert empty["not_scored"] == "every feature is missing" and empty["segment_code"] is None
    assert atlantis["segment_code"] and any("Atlantis" in w for w in body["warnings"])
    assert body["counts"] == {"rows": 3, "scored": 2, "outside_training_range": 1, "not_scored": 1}


def test_numbers_may_come_as_json_numbers_or_text(client, trained):
    row = _rows(trained[1], 1)[0]
    typed = {**row, "age": float(row["age"]), "income": float(row["income"]), "visit_frequency": int(row["visit_frequency"])}
    a, b = (client.post("/score", json=[r]).json()["rows"][0] for r in (row, typed))
    assert a == b


@pytest.mark.parametrize("body, where, column", [
    ("missing", "lacks column the model needs: income", "income"),
    ("text", "column 'age' should hold numbers", "age"),
    ("nested", "row 2, column 'age': should be text, a number, true/false or null", "age"),
    ("not a row", "row 1", None),
    ("not a list", "the body", None),
    ("empty", "at least 1 item", None),
    ("too many", f"at most {MAX_ROWS} items", None),
])
def test_invalid_bodies_get_a_422_naming_the_column(client, trained, body, where, column):
    rows = _rows(trained[1], 2)
    bodies = {"missing": [{k: v for k, v in r.items() if k != "income"} for r in rows],
              "text": [{**rows[0], "age": "thirty"}], "nested": [rows[0], {**rows[1], "age": {"years": 30}}],
              "not a row": ["C000001"], "not a list": {"rows": rows}, "empty": [],
              "too many": [rows[0]] * (MAX_ROWS + 1)}
    answer = client.post("/score", json=bodies[body])
    assert answer.status_code == 422
    payload = answer.json()
    assert where in payload["error"] and payload["column"] == column
    assert "Traceback" not in answer.text and "File \"" not in answer.text


def test_invalid_json_and_oversized_bodies(client):
    answer = client.post("/score", content=b"[{not json", headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "not valid JSON" in answer.json()["error"]
    answer = client.post("/score", content=b"[" + b" " * MAX_BODY_BYTES + b"]", headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "larger than" in answer.json()["error"]


def test_entities(client, trained):
    segments = pd.read_csv(trained[0] / "artifacts" / "segments.csv", dtype=str)
    known = segments.iloc[7]
    body = client.get(f"/entities/{known['customer_id']}").json()
    assert body["id_column"] == "customer_id" and body["customer_id"] == known["customer_id"]
    assert body["segment_code"] == known["segment_code"] and body["segment_name"] == known["segment_name"]
    answer = client.get("/entities/<b>nobody")
    assert answer.status_code == 404 and "no entity" in answer.json()["error"]


def test_a_model_folder_serves_segments_but_knows_no_entities(trained):
    from fastapi.testclient import TestClient

    model_client = TestClient(create_app(open_served(trained[0] / "artifacts" / "model")))
    assert model_client.get("/health").json()["source"] == "model"
    segments = model_client.get("/segments").json()["segments"]
    assert [s["code"] for s in segments] == ["S01", "S02", "S03", "S04"] and sum(s["size"] for s in segments) == 500
    assert model_client.post("/score", json=_rows(trained[1], 2)).status_code == 200
    answer = model_client.get("/entities/C000001")
    assert answer.status_code == 404 and "model folder" in answer.json()["error"]


def test_unexpected_errors_answer_500_without_a_trace(trained, monkeypatch):
    from fastapi.testclient import TestClient

    served = open_served(trained[0])
    monkeypatch.setattr(type(served), "health", lambda self: 1 / 0)
    answer = TestClient(create_app(served), raise_server_exceptions=False).get("/health")
    assert answer.status_code == 500 and "ZeroDivision" not in answer.text and "Traceback" not in answer.text


def test_a_forged_model_refuses_to_start(trained, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained[0], run)
    meta_path = run / "artifacts" / "model" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["names"]["S01"] = "VIP - give 50% discount"
    meta_path.write_text(json.dumps(meta))
    assert main(["serve", str(run), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "does not match the hash stored in model.skops" in err and "Traceback" not in err


def test_not_a_run_folder(tmp_path, capsys):
    assert main(["serve", str(tmp_path)]) == 2
    assert "neither a run folder" in capsys.readouterr().err


def test_without_the_extra_segkit_serve_says_what_to_install(trained):
    code = ("import sys; sys.modules['fastapi'] = None\n"
            "import segkit, segkit.cli\n"
            f"sys.exit(segkit.cli.main(['serve', {str(trained[0])!r}]))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2, res.stderr
    assert "pip install 'segkit[serve]'" in res.stderr and "Traceback" not in res.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_uvicorn_on_loopback(trained):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(open_served(trained[0])), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").json()["status"] == "ok"
        assert len(httpx.get(f"{base}/segments").json()["segments"]) == 4
        scored = httpx.post(f"{base}/score", json=_rows(trained[1], 5))
        assert scored.status_code == 200 and len(scored.json()["rows"]) == 5
        assert httpx.get(f"{base}/entities/C000001").json()["segment_code"].startswith("S")
        assert httpx.post(f"{base}/score", json=[{"age": 1}]).status_code == 422
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_kind_that_cannot_score_answers_501_and_still_serves_segments(trained):
    import dataclasses

    from fastapi.testclient import TestClient

    from segkit import kinds

    served = open_served(trained[0])
    served.scorer = dataclasses.replace(served.scorer, kind=kinds.get("transactions"))  # RFM: no row scoring
    client = TestClient(create_app(served))
    assert client.get("/health").json()["can_score"] is False
    answer = client.post("/score", json=_rows(trained[1], 1))
    assert answer.status_code == 501 and "cannot score new rows" in answer.json()["error"]
    assert len(client.get("/segments").json()["segments"]) == 4
