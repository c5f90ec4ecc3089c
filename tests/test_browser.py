"""Every HTML page of the smoke run, opened in headless Chromium with the network off.

Checks: no request leaves the page (and none fails), no console error (a Content-Security-Policy
violation is one), every image decodes, every table-of-contents link lands on an element. Screenshots of
the index and of the top of the profile report are saved in ``<run>/screenshots/`` for review.
Skipped only when Chromium is absent (``make test`` installs Debian's package when it can).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from batch_fixtures import smoke_run  # noqa: F401  (pytest fixture)
from segkit.report import discover_notebooks
from segkit.report.render import RENDERINGS

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [nb.name for nb in discover_notebooks(ROOT / "notebooks", "transactions")]  # the smoke run's
PAGES = ["index.html"] + [f"{name}{suffix}" for name in NOTEBOOKS for suffix in RENDERINGS.values()]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install "
                                 "chromium; `make test` does it via scripts/ensure_system_deps.sh when run as root)")]

_IMAGES_JS = """async () => Promise.all([...document.images].map(img => img.decode().then(
    () => img.naturalWidth > 0 ? null : (img.alt || 'image'), () => img.alt || 'image')))"""
_TOC_JS = """() => [...document.querySelectorAll('nav.sk-toc a')].map(a => [a.getAttribute('href'),
    !!document.getElementById(decodeURIComponent(a.hash.slice(1)))])"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A Chromium context with a fresh profile, offline, that records and blocks every network request."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, offline=True, viewport={"width": 1280, "height": 900})
        requests: list[str] = []

        def block(route):
            requests.append(route.request.url)
            route.abort()

        context.route("http*://**/*", block)
        yield SimpleNamespace(context=context, requests=requests)
        context.close()


def _open(browser, path: Path):
    page = browser.context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})"))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_cleanly(browser, smoke_run, name):
    path = smoke_run / name
    before = len(browser.requests)
    page, problems = _open(browser, path)
    try:
        broken = [alt for alt in page.evaluate(_IMAGES_JS) if alt]
        toc = page.evaluate(_TOC_JS)
        page.wait_for_timeout(100)  # let late console messages arrive
    finally:
        page.close()
    assert browser.requests[before:] == [], "the page tried to reach the network"
    assert problems == []
    assert broken == [], f"images that did not decode: {broken}"
    if name != "index.html":
        assert len(toc) >= 2, "a report opens with its table of contents"
        assert [href for href, ok in toc if not ok] == [], "contents links without a target"


def test_screenshots_for_review(browser, smoke_run):
    shots = smoke_run / "screenshots"
    shots.mkdir(exist_ok=True)
    page, problems = _open(browser, smoke_run / "index.html")
    page.screenshot(path=str(shots / "index.png"), full_page=True)
    page.goto((smoke_run / "05_profile.html").as_uri(), wait_until="load")
    page.screenshot(path=str(shots / "05_profile_top.png"))
    page.close()
    assert problems == []
    for shot in ("index.png", "05_profile_top.png"):
        assert (shots / shot).stat().st_size > 10_000, f"{shot} looks empty"
