"""A live Juri server in a thread and Debian's chromium driven by Playwright.

Skipped when chromium is not installed (`.ci/run` installs it with apt when it can)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("JURI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


def buffered(app):
    """The app with every response body read and closed before the server writes it.

    Werkzeug's development server, after writing a response, drains the request socket and only
    then closes the response iterator; when the browser has already dropped the connection (a
    context closed while a static file was in flight) the drain raises and the iterator, holding
    an open file, is never closed. Its ResourceWarning then fails whichever test runs next."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def log_in(page, username: str, password: str = "rahasia-123") -> None:
    """Sign ``page``'s browser context in as ``username`` and open the page the login leads to.

    The login form is posted with the context's own request client, which shares its cookies,
    instead of being rendered and filled in: the tests are about what comes after it (the login
    page itself is checked by the accessibility test, the login by the view tests). The page
    then opens where the browser would have been redirected, with the welcome message."""
    response = page.request.post(
        "/login", form={"username": username, "password": password}, max_redirects=0
    )
    target = response.headers.get("location", "")
    response.dispose()
    assert response.status == 302 and "/login" not in target, (username, response.status)
    page.goto(target)


@pytest.fixture
def page_for(browser, live_server):
    """``page_for(username)`` -> a logged-in page in its own browser context."""
    contexts = []

    def open_as(username: str | None, password: str = "rahasia-123"):
        context = browser.new_context(base_url=live_server, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        if username:
            log_in(page, username, password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# Run axe in the page and bring back only what the check reports. A rule with an impact of its
# own gives that impact to every violation it finds (axe's finalizeRuleResult), so a rule whose
# impact is not asked for can never fail the check: it is switched off instead of being run on
# every page (rules without an impact of their own always run). The full results object (every
# rule's description, passes and the like) stays in the page.
_AXE_RUN = """async impacts => {
    const rules = Object.fromEntries(axe._audit.rules
        .filter(rule => rule.impact && !impacts.includes(rule.impact))
        .map(rule => [rule.id, {enabled: false}]));
    const results = await axe.run(document, {resultTypes: ["violations"], rules});
    return results.violations
        .filter(v => impacts.includes(v.impact))
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 4).map(node => node.target)}));
}"""


def check_accessibility(page, impacts=("serious", "critical")) -> None:
    """Run axe-core (the script axe-playwright-python ships) over the page as it is and fail on
    violations of the given impacts, naming each rule and the first elements it found. The
    572 KB script is injected once per document."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    if not page.evaluate("typeof axe !== 'undefined' && typeof axe.run === 'function'"):
        page.evaluate(axe.Axe().axe_script)
    bad = page.evaluate(_AXE_RUN, list(impacts))
    if bad:
        lines = [
            f"{v['impact']} {v['id']}: {v['help']} -> "
            + "; ".join(" ".join(target) for target in v["targets"])
            for v in bad
        ]
        raise AssertionError(f"{page.url}: accessibility violations\n" + "\n".join(lines))
