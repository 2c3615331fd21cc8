"""Scoring with the keyboard alone. (The main pages on a phone-sized screen, where the page
itself never scrolls sideways, are checked on the demo by test_accessibility's phone run.)"""

import re

from playwright.sync_api import expect

from competition.db import db
from tests import factories


def _sheet(opd, judge, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    entry = factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    return assignment


def test_scores_are_typed_with_the_keyboard_alone(app, page_for, opd, judge, open_round):
    assignment = _sheet(opd, judge, open_round)
    page = page_for("juri1", at=f"/judge/assignments/{assignment.id}")
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
