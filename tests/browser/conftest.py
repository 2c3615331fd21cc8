"""A live Juri server in a thread and Debian's chromium driven by Playwright.

Skipped when chromium is not installed (`.ci/run` installs it with apt when it can).

Where their CPU goes (December 2026, ``-n 0``, on a machine other jobs kept at a load of 7-11;
medians of 4-6 runs): 105-130 s per run in all, chromium 80-100 s of it (renderers about half,
the browser process a third, the compositor a tenth), Playwright's node driver 5 s, Python 25 s
(9 s of it the demo's load, which ``make test`` pays once for every test that uses it). Count
it per process from ``/proc``, not with ``/usr/bin/time``: chromium's helper processes are not
reaped up the chain to pytest, and their time (half of chromium's) never reaches its total. On
a small page a browser context with its first page costs chromium about 0.28 s, a later page
0.1 s and axe's init script 0.05 s more; on the demo's committee tables a page costs some 0.4 s
and its axe check 0.3-1 s. Chromium flags (``--process-per-site``, the back-forward cache and
paint holding off, ``--in-process-gpu``, bypassing Debian's wrapper) changed nothing beyond
the noise. What is done instead: the live server fits rankings with few posterior sweeps
(``BROWSER_SWEEPS``: the tests' Python CPU 13.5 -> 11 s), and a login opens the test's first
page directly (78 pages loaded instead of 96)."""

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
    an open file, is never closed. Its ResourceWarning then fails whichever test runs next.

    ``wsgi.settle(timeout)`` waits for the requests still being answered (each in a daemon
    thread the server does not wait for): one answered after the test would hold a pooled
    connection while the app's engine is disposed of, and leave it unclosed to the garbage
    collector."""
    busy = threading.Condition()
    running = [0]

    def wsgi(environ, start_response):
        with busy:
            running[0] += 1
        try:
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with busy:
                running[0] -= 1
                busy.notify_all()

    def settle(timeout: float) -> bool:
        with busy:
            return busy.wait_for(lambda: running[0] == 0, timeout)

    wsgi.settle = settle
    return wsgi


# Posterior sweeps per stage fit for the browser tests' live server. The committee's pages of
# the demo fit each stage's ranking with uncertainty (1,600 sweeps by default) on the server,
# inside the test process; 100 take the Python CPU of the four tests on the committee's pages
# from about 8 s to 5 s. Nothing here reads the digits of a probability or a range, only that
# the pages render (with their ranges) and pass axe; the statistics are tested in tests/judging/.
BROWSER_SWEEPS = 100


@pytest.fixture
def live_server(app):
    app.config["UNCERTAINTY_SWEEPS"] = BROWSER_SWEEPS
    wsgi = buffered(app)
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    wsgi.settle(30)


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


def log_in(page, username: str, password: str = "rahasia-123", *, at: str | None = None, go=True):
    """Sign ``page``'s browser context in as ``username`` and open the page the login leads to,
    or the page ``at`` (``go=False``: none, for a caller that opens its own pages next).

    The login form is posted with the context's own request client, which shares its cookies,
    instead of being rendered and filled in: the tests are about what comes after it (the login
    page itself is checked by the accessibility test, the login by the view tests). The page
    then opens where the browser would have been redirected, with the welcome message. A test
    that goes elsewhere first asks for that page instead: each page loaded costs chromium about
    0.4 s of CPU (a new document, axe's script run in it, the layout of a long page)."""
    response = page.request.post(
        "/login", form={"username": username, "password": password}, max_redirects=0
    )
    target = response.headers.get("location", "")
    response.dispose()
    assert response.status == 302 and "/login" not in target, (username, response.status)
    if go:
        page.goto(at or target)


@pytest.fixture
def page_for(browser, live_server):
    """``page_for(username)`` -> a logged-in page in its own browser context, on the page the
    login leads to; ``page_for(username, at=path)``: on ``path`` instead."""
    contexts = []

    def open_as(username: str | None, password: str = "rahasia-123", *, at: str | None = None):
        context = new_context(browser, live_server, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        if username:
            log_in(page, username, password, at=at)
        elif at:
            page.goto(at)
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    """A full-page screenshot of ``page`` into ``tests/artifacts/`` when JURI_SCREENSHOTS is set
    (``JURI_SCREENSHOTS=1 make test``): for a person to look at, nothing checks them, and each
    costs chromium about a second of work on a long page."""
    if not os.environ.get("JURI_SCREENSHOTS"):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_script() -> str:
    """axe-core's script as axe-playwright-python ships it (572 KB)."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    return axe.Axe().axe_script


def new_context(browser, live_server: str | None = None, **options):
    """A browser context on the live server in which every document starts with axe-core
    loaded (an init script): sent to the browser once per context, where passing it to each
    page to be checked cost about 0.15 s a page. Pages that are never checked pay a few
    milliseconds for it; axe only defines ``window.axe``."""
    if live_server:
        options["base_url"] = live_server
    context = browser.new_context(**options)
    if not os.environ.get("XP_NOINIT"):
        context.add_init_script(script=axe_script())
    return context


# Run axe in the page and bring back only what the check reports. A rule with an impact of its
# own gives that impact to every violation it finds (axe's finalizeRuleResult), so a rule whose
# impact is not asked for can never fail the check: it is switched off instead of being run on
# every page (rules without an impact of their own always run). The full results object (every
# rule's description, passes and the like) stays in the page.
#
# Colour contrast, half of axe's time on the committee's long tables, is checked once per
# distinct look: axe's color-contrast rule takes the first element (in document order) of each
# style chain it would check and leaves the element's look-alikes out. A style chain is what
# axe's contrast computation reads, for the element and each of its ancestors: text and
# background colours and images, opacity, font size and weight, text shadow and stroke, blend
# mode, filter, visibility, and ::before/::after content and backgrounds; plus whether the text
# is one character or longer and has a letter or digit (axe skips icon-only text and only
# warns on a single character). The hundred rows of a table share one chain; a row or cell
# with another class, an inline style or an ancestor that looks different has its own. An
# element placed out of the flow (absolute, fixed or sticky, or transformed) can sit over
# anything, so it and its descendants always have chains of their own.
_AXE_RUN = """async impacts => {
    const contrast = axe._audit.rules.find(rule => rule.id === "color-contrast");
    if (contrast && !contrast.juriOncePerLook) {
        const matches = contrast.matches;
        contrast.matches = function (node, virtualNode, context) {
            const looks = window.juriContrastLooks;
            if (looks) {
                const text = (node.textContent || "").trim();
                const key = looks.chain(node) + "/" + (text.length > 1 ? "n" : "1")
                    + (/[\\p{L}\\p{N}]/u.test(text) ? "a" : "s");
                if (looks.checked.has(key)) return false;
                const checked = matches.call(this, node, virtualNode, context);
                if (checked) looks.checked.add(key);
                return checked;
            }
            return matches.call(this, node, virtualNode, context);
        };
        contrast.juriOncePerLook = true;
    }
    const PROPS = ["color", "background-color", "background-image", "opacity", "font-size",
        "font-weight", "text-shadow", "-webkit-text-stroke-width", "-webkit-text-stroke-color",
        "-webkit-text-fill-color", "mix-blend-mode", "filter", "visibility"];
    const ids = new Map(), keys = new Map();
    let apart = 0;
    const chain = element => {
        if (!element || element.nodeType !== 1) return 0;
        let id = ids.get(element);
        if (id !== undefined) return id;
        const style = getComputedStyle(element);
        let key;
        if (["absolute", "fixed", "sticky"].includes(style.position) || style.transform !== "none") {
            key = "apart " + ++apart;
        } else {
            const parent = element.parentElement || element.getRootNode().host;
            key = chain(parent) + "|" + PROPS.map(p => style.getPropertyValue(p)).join(";");
            for (const pseudo of ["::before", "::after"]) {
                const p = getComputedStyle(element, pseudo);
                if (p.content !== "none" && p.content !== "normal") {
                    key += pseudo + p.content + p.backgroundColor + p.backgroundImage;
                }
            }
        }
        id = keys.get(key);
        if (id === undefined) keys.set(key, id = keys.size + 1);
        ids.set(element, id);
        return id;
    };
    const rules = Object.fromEntries(axe._audit.rules
        .filter(rule => rule.impact && !impacts.includes(rule.impact))
        .map(rule => [rule.id, {enabled: false}]));
    window.juriContrastLooks = {chain, checked: new Set()};
    let results;
    try {
        results = await axe.run(document, {resultTypes: ["violations"], rules});
    } finally {
        delete window.juriContrastLooks;
    }
    return results.violations
        .filter(v => impacts.includes(v.impact))
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 4).map(node => node.target)}));
}"""


def check_accessibility(page, impacts=("serious", "critical")) -> None:
    """Run axe-core over the page as it is and fail on violations of the given impacts, naming
    each rule and the first elements it found (colour contrast once per distinct look, see
    above). Pages of a ``new_context`` have axe already; others get it injected once per
    document."""
    if os.environ.get("XP_NOAXE"):
        return
    if not page.evaluate("typeof axe !== 'undefined' && typeof axe.run === 'function'"):
        page.evaluate(axe_script())
    bad = page.evaluate(_AXE_RUN, list(impacts))
    if bad:
        lines = [
            f"{v['impact']} {v['id']}: {v['help']} -> "
            + "; ".join(" ".join(target) for target in v["targets"])
            for v in bad
        ]
        raise AssertionError(f"{page.url}: accessibility violations\n" + "\n".join(lines))


def no_sideways_scroll(page) -> None:
    """Fail if the page itself scrolls sideways (on a phone: wide tables scroll in their card)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:  # name the widest elements, to know what to fix
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                             Math.round(e.getBoundingClientRect().right))""")
        raise AssertionError(f"{page.url} scrolls sideways by {overflow}px on a phone: {wide}")
