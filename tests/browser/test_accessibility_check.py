"""``check_accessibility`` itself: it fails on a violation of the impacts asked for, names the
rule and the element, and passes over violations of other impacts (whose rules it skips).
Colour contrast is checked once per distinct look: a low-contrast element still fails among many
look-alikes when its own class, its inline style or an ancestor makes it look
different."""

import pytest

from tests.browser.conftest import check_accessibility, new_context, no_sideways_scroll

pytest.importorskip("axe_playwright_python")

PAGE = """<!doctype html><html lang="id"><head><title>Uji</title>
<style>.pudar {{ color: #bbb; }} tr.arsip td {{ color: #ccc; }}
</style></head><body><main><h1>Uji</h1>{extra}</main></body></html>"""


@pytest.fixture(scope="module")
def page(browser):
    """One page for the module, in a context that loads axe into every document."""
    context = new_context(browser)
    yield context.new_page()
    context.close()


def _rows(n: int, odd: dict[int, str] | None = None) -> str:
    odd = odd or {}
    return (
        "<table><tbody>"
        + "".join(
            odd.get(i, f"<tr><td>Baris {i}</td><td><a href='#{i}'>Buka {i}</a></td></tr>")
            for i in range(n)
        )
        + "</tbody></table>"
    )


def test_a_serious_violation_fails_naming_the_rule_and_element(page):
    page.set_content(PAGE.format(extra='<button id="kosong"></button>'))
    with pytest.raises(AssertionError, match=r"critical button-name: .* -> #kosong"):
        check_accessibility(page)
    # A second check on the same page still fails.
    with pytest.raises(AssertionError, match="button-name"):
        check_accessibility(page)


def test_axe_is_injected_where_the_context_does_not_load_it(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(PAGE.format(extra='<button id="kosong"></button>'))
        assert page.evaluate("typeof axe") == "undefined"
        with pytest.raises(AssertionError, match=r"critical button-name: .* -> #kosong"):
            check_accessibility(page)
    finally:
        context.close()


def test_only_the_impacts_asked_for_fail(page):
    # A heading level skipped is a moderate violation (heading-order): not serious or critical.
    page.set_content(PAGE.format(extra="<h4>Lompat</h4>"))
    check_accessibility(page)
    with pytest.raises(AssertionError, match="moderate heading-order"):
        check_accessibility(page, impacts=("moderate",))


def test_long_tables_pass_when_every_look_has_contrast(page):
    page.set_content(PAGE.format(extra=_rows(60)))
    check_accessibility(page)


@pytest.mark.parametrize(
    "odd_row",
    [
        '<tr><td class="pudar" id="pudar">Baris pudar</td><td>x</td></tr>',  # its own class
        '<tr><td><span id="pudar" style="color: #c8c8c8">Baris pudar</span></td></tr>',  # inline
        '<tr class="arsip"><td id="pudar">Baris arsip</td></tr>',  # a class on its row
    ],
    ids=["class", "inline-style", "ancestor"],
)
def test_a_low_contrast_element_among_look_alikes_fails(page, odd_row):
    page.set_content(PAGE.format(extra=_rows(60, {50: odd_row})))
    with pytest.raises(AssertionError, match=r"serious color-contrast: .* -> #pudar"):
        check_accessibility(page)


def test_look_alikes_are_checked_once(page):
    # Sixty rows too pale: one violation, the first row's, stands for all of them.
    rows = _rows(60).replace("<td>Baris", "<td class='pudar'>Baris")
    page.set_content(PAGE.format(extra=rows))
    with pytest.raises(AssertionError, match=r"color-contrast: [^\n]* -> [^;\n]*\.pudar$"):
        check_accessibility(page)


def test_the_same_text_on_another_background_is_checked_again(page):
    # The same class of text, legible on white, is too dark on the grey card further down.
    text = "<p class='abu' {}>Catatan panitia</p>"
    extra = (
        "<style>.abu { color: #666; } .gelap { background: #555; }</style>"
        + "".join(text.format("") for _ in range(50))
        + "<div class='gelap'>"
        + text.format("id='di-kartu'")
        + "</div>"
    )
    page.set_content(PAGE.format(extra=extra))
    with pytest.raises(AssertionError, match=r"color-contrast: [^\n]* -> #di-kartu$"):
        check_accessibility(page)


def test_a_disabled_look_alike_does_not_stand_for_the_others(page):
    # axe leaves disabled controls out of the contrast check: the first button of this look
    # is disabled, so the next one, enabled and too pale, is the one checked.
    # Both look the same: the class sets everything the browser would style differently.
    style = "<style>.tombol { color: #bbb; background: #fff; border: 1px solid #bbb; }</style>"
    button = "<button class='tombol' {}>Simpan</button>"
    extra = style + button.format("disabled") + button.format("id='aktif'")
    page.set_content(PAGE.format(extra=extra))
    with pytest.raises(AssertionError, match=r"color-contrast: .* -> #aktif"):
        check_accessibility(page)


def test_a_page_wider_than_the_screen_fails_naming_the_wide_element(page):
    page.set_content(PAGE.format(extra=""))
    no_sideways_scroll(page)
    page.set_content(PAGE.format(extra='<div class="lebar" style="width: 5000px">x</div>'))
    with pytest.raises(AssertionError, match=r"scrolls sideways by \d+px .*DIV\.lebar"):
        no_sideways_scroll(page)
