"""Privacy of the reports: no customer ids in business copies, no secret anywhere in a run folder, and
text taken from the data escaped in every HTML page.

The SQL test runs only ``01_eda`` (the notebook that reads the input) on a small SQLite copy of the
bundled data, to keep the suite fast; every other notebook reads the run's artifacts, not the database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from batch_fixtures import ROOT, run_batch, smoke_run  # noqa: F401  (smoke_run is a pytest fixture)
from segkit.report.render import RENDERINGS

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Query string argument.*password:Warning")]  # sqlite ignores it

PASSWORD = "Pa55w0rd-XYZ"
SCRIPT_COLUMN = "<script>alert(1)</script>"
SCRIPT_VALUES = ("<img src=x onerror=alert(2)>", "<b>gold</b>")


def _business_pages(folder: Path) -> list[Path]:
    business = sorted(p for p in folder.glob("*.html") if not p.name.endswith(RENDERINGS["analyst"]))
    assert any(p.name == "index.html" for p in business) and len(business) > 1
    return business


def _without_embedded_data(text: str) -> str:
    return re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", text)


def test_business_reports_show_no_customer_id(smoke_run):
    ids = pd.read_csv(smoke_run / "artifacts" / "segments.csv", usecols=[0], dtype=str).iloc[:, 0].dropna()
    assert len(ids) > 100 and ids.str.len().min() >= 5  # distinctive ids: a match cannot be a coincidence
    pattern = re.compile(r"(?<![\w.,])(?:" + "|".join(map(re.escape, ids)) + r")(?:\.0+)?(?![\w,]|\.\d*[1-9])")
    for page in _business_pages(smoke_run):
        hits = pattern.findall(_without_embedded_data(page.read_text(encoding="utf-8")))
        assert not hits, f"{page.name} shows customer ids: {hits[:5]}"


@pytest.fixture(scope="module")
def sql_run(tmp_path_factory) -> Path:
    """01_eda on a SQLite table of 150 customers with a hostile column, read through a password-bearing URL."""
    import sqlalchemy as sa

    work = tmp_path_factory.mktemp("sql_batch")
    raw = pd.read_parquet(ROOT / "data" / "online_retail.parquet")
    table = raw[raw["CustomerID"].isin(raw["CustomerID"].dropna().unique()[:150])].copy()
    table[SCRIPT_COLUMN] = [SCRIPT_VALUES[i % 2] for i in range(len(table))]
    engine = sa.create_engine(f"sqlite:///{work / 'shop.db'}")
    table.to_sql("transactions", engine, index=False)
    engine.dispose()
    params = work / "params.yaml"
    params.write_text(f"""extends: {ROOT / 'params' / 'smoke.yaml'}
run_name: sql_secret
data_path: null
sql_url: "sqlite:///{work / 'shop.db'}?password={PASSWORD}"
sql_query: SELECT * FROM transactions
""", encoding="utf-8")
    result = run_batch(params, work / "reports", only=["01_eda"])
    assert result.ok, result.error
    return result.folder


def test_secret_appears_nowhere_in_the_run_folder(sql_run):
    manifest = (sql_run / "manifest.json").read_text(encoding="utf-8")
    assert '"source": "sql"' in manifest and '"rows": null' not in manifest  # the secret URL was used
    files = [p for p in sql_run.rglob("*") if p.is_file()]
    assert {"manifest.json", "params.json", "01_eda.ipynb", "01_eda.html", "01_eda.analyst.html",
            "index.html"} <= {p.name for p in files}
    leaks = [p.relative_to(sql_run).as_posix() for p in files if PASSWORD.encode() in p.read_bytes()]
    assert not leaks, f"the password of sql_url is written in {leaks}"


def test_text_from_the_data_is_escaped(sql_run):
    pages = sorted(sql_run.glob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text, page.name
        assert "<img src=x" not in text and "<b>gold</b>" not in text, page.name
    for name in ("01_eda.html", "01_eda.analyst.html"):
        text = (sql_run / name).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, f"{name} does not list the column, escaped"
