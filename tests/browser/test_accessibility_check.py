"""``check_accessibility`` itself: it fails on a violation of the impacts asked for, names the
rule and the element, and passes over violations of other impacts (whose rules it skips)."""

import pytest

from tests.browser.conftest import check_accessibility

pytest.importorskip("axe_playwright_python")

PAGE = """<!doctype html><html lang="id"><head><title>Uji</title></head><body>
<main><h1>Uji</h1>{extra}</main></body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_a_serious_violation_fails_naming_the_rule_and_element(page):
    page.set_content(PAGE.format(extra='<button id="kosong"></button>'))
    with pytest.raises(AssertionError, match=r"critical button-name: .* -> #kosong"):
        check_accessibility(page)
    # Injected once per document: a second check on the same page still fails.
    with pytest.raises(AssertionError, match="button-name"):
        check_accessibility(page)


def test_only_the_impacts_asked_for_fail(page):
    # A heading level skipped is a moderate violation (heading-order): not serious or critical.
    page.set_content(PAGE.format(extra="<h4>Lompat</h4>"))
    check_accessibility(page)
    with pytest.raises(AssertionError, match="moderate heading-order"):
        check_accessibility(page, impacts=("moderate",))
