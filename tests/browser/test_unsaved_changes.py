"""Leaving the proposal form or the score sheet with unsaved changes makes the browser ask
first (static/unsaved.js); saving clears the warning."""

import re

from playwright.sync_api import expect

from competition.db import db
from tests import factories


def _leave(page, link: str) -> list[str]:
    """Click a link away from the page, dismissing any "Leave site?" question; returns the
    types of the dialogs that were shown."""
    shown = []

    def on_dialog(dialog):
        shown.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.click(link)
    page.wait_for_load_state()
    page.remove_listener("dialog", on_dialog)
    return shown


def test_score_sheet_warns_before_leaving_unsaved_scores(app, page_for, opd, judge, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    entry = factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    page = page_for("juri1", at=f"/judge/assignments/{assignment.id}")
    sheet_url = page.url
    assert _leave(page, "nav >> text=Penugasan saya") == []  # nothing changed: no question
    expect(page).not_to_have_url(sheet_url)

    page.goto(sheet_url)
    page.locator("input[data-weight]").nth(0).fill("9")
    expect(page.locator("#sheet-form")).to_have_attribute("data-dirty", "1")
    assert _leave(page, "nav >> text=Penugasan saya") == ["beforeunload"]
    expect(page).to_have_url(sheet_url)  # the judge chose to stay; the value is still there
    expect(page.locator("input[data-weight]").nth(0)).to_have_value("9")

    page.click("#save")
    expect(page.locator("main")).to_contain_text("Draf tersimpan")
    expect(page.locator("#sheet-form")).not_to_have_attribute("data-dirty", "1")
    assert _leave(page, "nav >> text=Penugasan saya") == []
    expect(page).to_have_url(re.compile(r"/judge/$"))


def test_proposal_form_warns_before_leaving_unsaved_text(app, page_for, opd, open_round):
    page = page_for("dinkes", at=f"/opd/rounds/{open_round.id}/entries/new")
    page.fill("#title", "Posyandu Digital Palembang")
    assert _leave(page, "nav >> a >> nth=0") == ["beforeunload"]
    expect(page.locator("#title")).to_have_value("Posyandu Digital Palembang")
    page.click("#save")
    expect(page.locator("main")).to_contain_text("Draf tersimpan")
    assert _leave(page, "nav >> a >> nth=0") == []
