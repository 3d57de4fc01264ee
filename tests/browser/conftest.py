"""The web console in a real browser: Debian's Chromium driven by Playwright, against the API served over HTTP by
Chalice's local server (as `make run` serves it) in front of the session's DynamoDB Local.

One browser per test session (per xdist worker; the journeys share an xdist group, so one worker runs them all) and
a fresh context per journey (its own sessionStorage: the token of one journey never meets another). Screenshots go
to build/screenshots/ (ignored); look at them after a change to the console.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No network but this machine's: no first-run, sync, component or field-trial traffic, no QUIC.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def api_url(chalice_app):
    """The API (with /console/ and /docs) on a real socket, as `make run` serves it."""
    from chalice.config import Config
    from chalice.local import create_local_server

    # The access log stays on (stderr): journeys check that no token shows in anything the server wrote.
    app_class, config = chalice_app.__class__, Config.create(chalice_stage="dev", app_name="credits")
    server = create_local_server(chalice_app, config, "127.0.0.1", 0)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server.server_address[1]}"
    server.shutdown()
    server.server.server_close()
    thread.join(timeout=10)
    chalice_app.__class__ = app_class  # create_local_server swaps it for its thread-local request class


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or not (ROOT / "chalicelib" / "web" / "static" / "console" / "index.html").exists():
        pytest.fail(f"the browser tests need {CHROMIUM} (apt-get install chromium; .ci/run does) and the built "
                    "console (make web)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (its own storage) and page; console errors and failed requests are collected."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    tab.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
           and tab.problems.append(f"console: {m.text}"))
    yield tab
    context.close()


class Shots:
    """Screenshots of one journey: build/screenshots/<journey>-<nn>-<what>.png."""

    def __init__(self, journey: str):
        self.journey, self.count = journey, 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob(f"{journey}-*.png"):
            old.unlink()

    def __call__(self, page, what: str, **options) -> Path:
        self.count += 1
        path = SHOTS / f"{self.journey}-{self.count:02d}-{what}.png"
        page.screenshot(path=str(path), **options)
        return path


@pytest.fixture
def shots(request) -> Shots:
    return Shots(request.node.name.removeprefix("test_"))


def open_console(page, api_url: str, token: str, route: str = "") -> None:
    """The banner's link: the token rides in the fragment, which the browser never sends to the server."""
    page.goto(f"{api_url}/console/#token={token}")
    page.get_by_role("navigation", name="Main").wait_for()
    if route:
        page.goto(f"{api_url}/console/#/{route}")


def keep_for_readme(path: Path, name: str) -> None:
    """Copy a screenshot to docs/screenshots/ when asked (UPDATE_SCREENSHOTS=1): the README shows those."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
