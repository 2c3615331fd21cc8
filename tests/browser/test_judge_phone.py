"""The judge on a phone (390 x 844, issue 16 item 6): the worklist puts what is still to score
first and keeps each sheet's status and total on screen; on a score sheet one tap on the sticky
bar brings the form into view, whose status and total stay in sight."""

from playwright.sync_api import expect

from competition.db import db, utcnow
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.browser.conftest import check_accessibility, log_in, new_context, shot

PHONE = {"width": 390, "height": 844}


def _in_viewport(locator) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def _phone_page(browser, live_server, username, at=None):
    context = new_context(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, username, at=at)
    return context, page


def test_judge_works_on_a_phone(app, browser, live_server, opd, judge, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    criteria = rubric_service.list_criteria(stage)
    titles = ["Sudah dinilai", "Masih draf", "Belum dibuka"]
    assignments = []
    for title in titles:
        entry = factories.make_entry(open_round, opd, title=title)
        assignments.append(factories.make_assignment(stage, entry, judge))
    for assignment, submit in zip(assignments[:2], (True, False)):
        sheet_service.save_sheet(
            assignment=assignment,
            submit=submit,
            actor=judge,
            now=utcnow(),
            inputs={c.id: sheet_service.CriterionInput(8.0) for c in criteria},
        )
    db.session.commit()

    context, page = _phone_page(browser, live_server, "juri1", at="/judge/")
    try:
        rows = page.locator("table.worklist tbody tr")
        expect(rows).to_have_count(3)
        # What is still to do comes first, the submitted sheet last.
        expect(rows.nth(2)).to_contain_text("Sudah dinilai")
        expect(rows.nth(0)).not_to_contain_text("Sudah dinilai")
        for i in range(2):  # the first rows: their status and total are on screen
            _in_viewport(rows.nth(i).locator("td.status .badge"))
        draft = page.locator("tr", has_text="Masih draf")
        expect(draft.locator("td.total")).to_have_text("8,00")
        _in_viewport(draft.locator("td.total"))
        check_accessibility(page)
        shot(page, "phone-judge-worklist")

        page.click("text=Belum dibuka")
        form_field = page.locator("input[data-weight]").first
        # One tap on the sticky bar reaches the form, with the status and total still in sight.
        page.locator("#to-score-sheet").tap()
        expect(form_field).to_be_in_viewport()
        _in_viewport(form_field)
        _in_viewport(page.locator(".sheet-switch .sheet-state"))
        form_field.fill("9")
        expect(page.locator("#switch-total")).to_have_text("9,00")
        check_accessibility(page)
        shot(page, "phone-judge-sheet-form")
        page.click(".sheet-switch a[href='#proposal']")
        expect(page.locator("#proposal")).to_be_in_viewport()
    finally:
        context.close()


def test_sheet_switch_works_without_script(app, browser, live_server, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, title="Tanpa skrip")
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, "juri1", at=f"/judge/assignments/{assignment.id}")
        page.click("#to-score-sheet")
        expect(page.locator("input[data-weight]").first).to_be_in_viewport()
    finally:
        context.close()
