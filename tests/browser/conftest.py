"""Browser fixtures: the real app behind a live HTTP server, and Debian's Chromium.

The server runs the app on a SQLite file database with CSRF protection ON, so
every form the browser posts goes through the same checks as in production.
Chromium is Debian's (/usr/bin/chromium), never a downloaded build: when it is
missing the browser tests skip, or fail when CHAINQ_REQUIRE_BROWSER=1 (CI).
"""
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.extensions import db
from tests.support import database_url, make_app, reset_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = os.environ.get("CHAINQ_REQUIRE_BROWSER") == "1"
VENDOR = Path(__file__).resolve().parents[2] / "build" / "vendor"
DEFAULT_TIMEOUT_MS = 10_000
# the assertions wait as long as the actions: with the suite on every core a page can take seconds
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


class LiveServer:
    def __init__(self, app, url):
        self.app, self.url = app, url

    def __call__(self, path="/"):
        return self.url + path


@contextmanager
def serving(tmp):
    """A fresh app and database (SQLite in `tmp`, CSRF on) served on 127.0.0.1:<free port> in a
    daemon thread, for as long as the block runs."""
    if not (VENDOR / "bpmn-js" / "bpmn-navigated-viewer.production.min.js").is_file():
        pytest.fail(f"{VENDOR / 'bpmn-js'} is missing: run `make vendor` to build the app's static "
                    "vendor files (bpmn-js, swagger-ui) before the browser tests.", pytrace=False)
    app = make_app(database_url("sqlite", tmp), tmp, WTF_CSRF_ENABLED=True)
    with app.app_context():
        reset_database()
        db.session.remove()
        db.engine.dispose()   # the server threads open their own connections
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="chainq-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app every browser test shares; `live_server('/tasks')` -> URL."""
    with serving(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message + "; CHAINQ_REQUIRE_BROWSER=1 requires the browser tests to run.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, request, tmp_path):
    """A fresh browser context (no cookies) and page; a screenshot is kept when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot = tmp_path / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failing page ({page.url}): {shot}")
        except Exception as exc:  # the page may be gone; the failure itself matters more
            print(f"\nno screenshot: {exc}")
    context.close()
