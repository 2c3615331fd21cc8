"""Scoring with the keyboard, and the main pages on a phone-sized screen (no sideways scroll
of the page itself: wide tables scroll inside their card)."""

import re

from playwright.sync_api import expect

from competition.db import db
from tests import factories
from tests.browser.conftest import check_accessibility, log_in, new_context, shot

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:  # name the widest elements, to know what to fix
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                             Math.round(e.getBoundingClientRect().right))""")
        raise AssertionError(f"{page.url} scrolls sideways by {overflow}px on a phone: {wide}")


def _sheet(opd, judge, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    entry = factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    return assignment


def test_scores_are_typed_with_the_keyboard_alone(app, page_for, opd, judge, open_round):
    assignment = _sheet(opd, judge, open_round)
    page = page_for("juri1")
    page.goto(f"/judge/assignments/{assignment.id}")
    first, second = (
        page.locator("input[data-weight]").nth(0),
        page.locator("input[data-weight]").nth(1),
    )
    expect(first).to_have_attribute("inputmode", "decimal")  # a number pad on a tablet
    first.focus()
    page.keyboard.type("8")
    page.keyboard.press("Enter")  # to the next criterion, not a half-filled submission
    expect(second).to_be_focused()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    expect(page.locator("#save")).to_be_focused()
    expect(page.locator("#running-total")).to_have_text("8,40")
    page.keyboard.press("Control+s")  # saves the draft
    expect(page.locator("main")).to_contain_text("Draf tersimpan")
    expect(first).to_have_value(re.compile(r"^8(\.0)?$"))  # as stored and shown again
    expect(second).to_have_value(re.compile(r"^9(\.0)?$"))


def test_main_pages_fit_a_phone(app, browser, live_server, committee, opd, judge, open_round):
    assignment = _sheet(opd, judge, open_round)
    pages = {
        "juri1": ["/judge/", f"/judge/assignments/{assignment.id}"],
        "dinkes": ["/opd/", f"/opd/rounds/{open_round.id}/entries/new"],
        "panitia": [f"/committee/rounds/{open_round.id}", "/committee/"],
    }
    for username, paths in pages.items():
        context = new_context(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        log_in(page, username)
        for i, path in enumerate(paths):
            page.goto(path)
            expect(page.locator("main")).to_be_visible()
            _no_sideways_scroll(page)
            check_accessibility(page)  # on a phone, wide tables scroll inside the page
            shot(page, f"phone-{username}-{i}")
        context.close()
