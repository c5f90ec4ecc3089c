"""A run whose ``entity`` is not customers says it on every page: names, cards, notes, tables, figures, the index.

The transactions kind's texts and the notebooks' narrative speak of customers; ``segkit.naming.entity`` says them
of the run's rows. A corpus of sentences with known answers (articles, capitals, plurals, possessives, titles, a
word that only contains "customer"), the page pass (narrative changed, data cells, code and markup not), and a
whole transactions batch with ``entity: member``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from batch_fixtures import ROOT, run_batch
from segkit.naming.entity import speak_of, speak_of_html, speaks_otherwise

CORPUS = [  # (text, entity, title, expected)
    ("Loyal Customers", "member", True, "Loyal Members"),
    ("New Customers", "pizza type", True, "New Pizza Types"),
    ("Customers Needing Attention", "cardholders", True, "Cardholders Needing Attention"),
    ("Recent customers who came back.", "member", False, "Recent members who came back."),
    ("Days since the customer's last purchase", "subscriber", False, "Days since the subscriber's last purchase"),
    ("a customer who stays", "account", False, "an account who stays"),
    ("A customer counts as churned", "owner", False, "An owner counts as churned"),
    ("an estimate for a customer", "user", False, "an estimate for a user"),
    ("per customer, 4,334 customers", "store branches", False, "per store branch, 4,334 store branches"),
    ("Customers by churn probability", "people", False, "People by churn probability"),
    ("Lines without a customer id", "member", False, "Lines without a member id"),
    # words that only contain the word, and column names, stay as written
    ("customer_col, CustomerID, driver_max_customers, customerservice", "member", False,
     "customer_col, CustomerID, driver_max_customers, customerservice"),
    ("CUSTOMERS IN CAPITALS are data", "member", False, "CUSTOMERS IN CAPITALS are data"),
    # a name in quotes is the data's: "column 'customer'" is the column's name, not what a row is
    ("column 'customer' (customer_col): lines without a customer id", "member", False,
     "column 'customer' (customer_col): lines without a member id"),
    ('the level "Loyal Customer" of Customer Type; the customers\' value', "passenger", False,
     'the level "Loyal Customer" of Passenger Type; the passengers\' value'),
    # no entity, or one that says customer itself: unchanged (a second pass must not say "account account")
    ("Loyal Customers", None, True, "Loyal Customers"),
    ("Loyal Customers", "", True, "Loyal Customers"),
    ("Loyal Customers", "customers", True, "Loyal Customers"),
    ("Loyal Customers", "customer account", True, "Loyal Customers"),
]


@pytest.mark.parametrize("text, entity, title, expected", CORPUS)
def test_a_text_of_customers_is_said_of_the_runs_rows(text, entity, title, expected):
    assert speak_of(text, entity, title=title) == expected


def test_saying_it_twice_changes_nothing_more():
    once = speak_of("Loyal Customers: a customer's last purchase", "member", title=True)
    assert speak_of(once, "member", title=True) == once == "Loyal Members: a member's last purchase"
    assert not speaks_otherwise("Customer accounts") and speaks_otherwise("member")


def test_a_page_says_its_narrative_of_the_rows_but_never_its_data_code_or_markup():
    page = ('<title>Which customers stop</title><h1 id="customers">Which customers stop</h1>'
            '<p class="customers">A customer &amp; an <b>order</b> per customer</p>'
            '<img alt="Customers by risk" src="data:image/png;base64,Y3VzdG9tZXJz" title="a customer">'
            '<table><tr><th>Customers</th><td>Customer Service mug</td><td><em>customers</em></td></tr></table>'
            '<pre>customers = 1</pre><code>customer</code><script>var customers = 1;</script>'
            '<style>.customers{}</style><!-- customers -->')
    said = speak_of_html(page, "account")
    assert said == ('<title>Which accounts stop</title><h1 id="customers">Which accounts stop</h1>'
                    '<p class="customers">An account &amp; an <b>order</b> per account</p>'
                    '<img alt="Accounts by risk" src="data:image/png;base64,Y3VzdG9tZXJz" title="an account">'
                    '<table><tr><th>Accounts</th><td>Customer Service mug</td><td><em>customers</em></td></tr>'
                    '</table><pre>customers = 1</pre><code>customer</code><script>var customers = 1;</script>'
                    '<style>.customers{}</style><!-- customers -->')
    assert speak_of_html(page, None) == page == speak_of_html(page, "customer account")


def _visible(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page))


@pytest.fixture(scope="module")
def member_run(tmp_path_factory) -> Path:
    """The smoke batch (Online Retail, its RFM segments, churn and value) with ``entity: member``."""
    tmp = tmp_path_factory.mktemp("member")
    params = tmp / "member.yaml"
    params.write_text(f"extends: {ROOT / 'params' / 'smoke.yaml'}\nrun_name: member\nentity: member\n"
                      f"data_path: {ROOT / 'data' / 'online_retail.parquet'}\n", encoding="utf-8")
    result = run_batch(params, tmp / "out")
    assert result.ok, f"{result.failed}: {result.error}"
    return result.folder


def test_a_run_of_members_says_members_on_every_business_page(member_run):
    pages = sorted(member_run.glob("*.html"))
    business = [p for p in pages if not p.name.endswith(".analyst.html")]
    assert len(business) >= 8 and (member_run / "index.html") in business
    for page in business:
        text = page.read_text(encoding="utf-8")
        said = re.findall(r"(?i)\bcustomers?\b", _visible(text)) + re.findall(r'alt="[^"]*\b[Cc]ustomers?\b', text)
        assert not said, f"{page.name} still says {said[:5]}"
        assert re.search(r"\bmembers?\b", _visible(text), re.IGNORECASE), page.name
    churn = _visible((member_run / "08_churn.html").read_text(encoding="utf-8"))
    assert "Which members are about to stop buying" in churn and "a member who stays" in churn


def test_a_run_of_members_names_and_logs_them_as_members(member_run):
    artifacts = member_run / "artifacts"
    summary = json.loads((artifacts / "segments_summary.json").read_text(encoding="utf-8"))
    names = [s["name"] for s in summary["segments"]]
    assert any("Members" in n for n in names) and not any("Customer" in n for n in names), names
    log = json.loads((artifacts / "cleaning_log.json").read_text(encoding="utf-8"))
    said = {s["rule"]: s["description"] for s in log["steps"]}
    assert "member id" in " ".join(said.values()) and "customer" not in " ".join(said.values()).lower(), said
    meta = json.loads((artifacts / "features_meta.json").read_text(encoding="utf-8"))
    assert "Days since the member's last purchase" in json.dumps(meta), "the measures' descriptions"
    # the churn and value summaries' sentences too (they said "a churner above a customer who stays"); their keys and
    # one-word values (column names) as they are
    for name in ("churn_summary.json", "value_summary.json"):
        data = json.loads((artifacts / name).read_text(encoding="utf-8"))
        sentences = [v for v in _strings(data) if " " in v.strip()]
        assert sentences and not [v for v in sentences if re.search(r"(?i)\bcustomers?\b", v)], name
    churn = json.loads((artifacts / "churn_summary.json").read_text(encoding="utf-8"))
    value = json.loads((artifacts / "value_summary.json").read_text(encoding="utf-8"))
    assert "a churner above a member who stays" in churn["evaluation"] and value["customers"] > 0  # a key, kept


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


@pytest.mark.parametrize("kind, entity, said", [
    ("transactions", "member", "member"), ("transactions", None, None),
    # the customers kind's texts say its entity already, and its cards quote the data's levels ("Loyal Customer")
    ("customers", "passenger", None), ("demographics", "county", None)])
def test_only_a_kind_whose_texts_say_customers_has_its_pages_said_of_the_entity(kind, entity, said):
    from segkit.config import params_from_mapping
    from segkit.stages.context import page_entity

    params = params_from_mapping({"data_kind": kind, "data_path": "x.csv", "entity": entity})
    assert page_entity(params) == said


def test_the_feature_table_lists_measures_by_the_words_the_pages_use(member_run):
    """The features page led with "recency", "interpurchase_mean", "spend_before_90d": the column names of
    features.parquet, which now come last, after the label every other page uses."""
    page = _visible((member_run / "02_features.html").read_text(encoding="utf-8"))
    start = page.index("Measure (4,")  # the table's corner, after the contents that name the next section
    table = page[start:page.index("Summary of each measure", start)]
    assert table.index("Days since last purchase") < table.index("recency")
    assert table.index("Days between purchases") < table.index("interpurchase_mean")
