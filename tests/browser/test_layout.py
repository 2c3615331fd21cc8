"""Rules of juri.css seen in chromium on small hand-written pages (no server): what the
walkthrough of December 2026 found broken on the demo's pages."""

from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "competition/static/juri.css"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _render(page, body: str):
    page.set_content(f"<!doctype html><html lang='id'><body><main>{body}</main></body></html>")
    page.add_style_tag(path=str(CSS))


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_a_badge_stays_on_one_line_in_a_narrow_column(page):
    """ "memenuhi syarat" and "belum dimulai" broke in two in the screening and assignment
    tables."""
    _render(
        page,
        "<table><tr><td>SI-GESIT: Sistem Informasi Gerakan Siaga Stunting Terpadu</td>"
        "<td style='width:1px'><span class='badge' id='b'>memenuhi syarat</span></td>"
        "<td><span class='badge' id='one'>final</span></td></tr></table>",
    )
    assert _box(page, "#b")["height"] == pytest.approx(_box(page, "#one")["height"], abs=1)


def test_a_two_column_form_keeps_a_date_and_time_field_inside_its_card(page):
    """The round page's "Add stage": the closing date-and-time input stuck out past the
    card's right edge (a grid column of 1fr is never narrower than its content)."""
    _render(
        page,
        "<div class='card' id='card' style='width:420px'><div class='grid2'>"
        "<div class='field'><label>Penilaian dibuka</label><input type='datetime-local'></div>"
        "<div class='field'><label>Penilaian ditutup</label>"
        "<input type='datetime-local' id='closes'></div></div></div>",
    )
    card, field = _box(page, "#card"), _box(page, "#closes")
    assert field["x"] + field["width"] <= card["x"] + card["width"] - 10


def test_the_reminders_to_copy_fill_their_card(page):
    """The progress page's reminders were a textarea 20 characters wide."""
    _render(
        page,
        "<div class='card' id='card' style='width:800px'>"
        "<textarea readonly rows='5' class='reminders' id='r'>Yth. Dr. Ir. Hendra Saputra"
        "</textarea></div>",
    )
    assert _box(page, "#r")["width"] > 0.9 * _box(page, "#card")["width"]


def test_the_audit_trails_time_stays_on_one_line(page):
    """Beside a long before/after, "5 Desember 2026, 03:47" took four lines."""
    after = ", ".join(f'"field_{i}": "a value of some length"' for i in range(30))
    _render(
        page,
        "<table class='audit'><tr><td class='num'>3840</td>"
        "<td class='when'><span id='when'>5 Desember 2026, 03:47</span></td><td>panitia</td>"
        f"<td>diubah</td><td>tahap 15</td><td><small><code>{{{after}}}</code></small></td></tr>"
        "</table><p id='line'>x</p>",
    )
    assert _box(page, "#when")["height"] < 1.5 * _box(page, "#line")["height"]


def test_a_fieldset_of_file_inputs_fits_a_phone(browser):
    """The proposal form's attachments stuck out past the card on a 390 px phone: a fieldset
    is as wide as its widest field's minimum unless told otherwise."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        fields = "".join(
            f"<div class='field'><label>{name}</label><input type='file' multiple></div>"
            for name in ("SK penetapan tim inovasi", "Data pendukung", "Foto")
        )
        _render(
            page,
            f"<div class='card' id='card'><fieldset id='fs'><legend>Lampiran</legend>{fields}"
            "</fieldset></div>",
        )
        card, fieldset = _box(page, "#card"), _box(page, "#fs")
        assert fieldset["x"] + fieldset["width"] <= card["x"] + card["width"]
    finally:
        context.close()


def test_a_form_below_a_table_keeps_its_distance(page):
    """The conflicts page's affiliation form touched the last judge of the table above it."""
    _render(
        page,
        "<div class='card'><table class='compact' id='t'><tbody><tr><td>Yudi Pranata</td>"
        "<td>–</td></tr></tbody></table><form id='f'><div class='field'><label>Juri</label>"
        "<select><option>Yudi Pranata</option></select></div></form></div>",
    )
    table, form = _box(page, "#t"), _box(page, "#f")
    assert form["y"] >= table["y"] + table["height"] + 8


def test_a_search_rows_option_wraps_whole(page):
    """On the progress page's half-width card the option's label broke after two words and
    went on below the search box."""
    _render(
        page,
        "<div class='card' style='width:480px'><form method='get' class='search'>"
        "<input type='search' placeholder='Judul atau OPD'><label id='opt'>"
        "<input type='checkbox'> Hanya inovasi dengan lembar penilaian yang belum dikirim</label>"
        "<button type='submit' class='secondary'>Cari</button></form></div>",
    )
    assert page.evaluate("document.getElementById('opt').getClientRects().length") == 1


def test_a_text_box_outside_a_field_writes_in_the_pages_font(page):
    """The organisations page's region boxes (in table cells, not in a .field) were in the
    browser's 13 px font beside the page's 15 px."""
    _render(
        page,
        "<table><tr><td id='cell'>Badan Pengelola Pajak Daerah</td>"
        "<td><input id='region' value='Kota Palembang'></td></tr></table>",
    )
    size = "(id) => getComputedStyle(document.getElementById(id)).fontSize"
    assert page.evaluate(size, "region") == page.evaluate(size, "cell")
