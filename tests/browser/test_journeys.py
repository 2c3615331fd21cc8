"""The three journeys of the issue in a real browser, each starting from its own data (so each
runs alone): an OPD submits a proposal with an attachment, a judge scores it, the committee
publishes and the OPD downloads its certificate. Screenshots of the key pages go to
``tests/artifacts/`` when JURI_SCREENSHOTS is set. Playwright's ``expect`` waits for each page,
so there is no sleep."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from competition.db import db, utcnow
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.browser.conftest import check_accessibility, shot


def test_opd_submits_proposal_with_attachment(app, page_for, opd, open_round):
    page = page_for("dinkes")
    page.click(f"a[href='/opd/rounds/{open_round.id}/entries/new']")
    page.fill("#title", "Posyandu Digital Palembang")
    page.fill("#summary", "Pencatatan tumbuh kembang balita secara daring.")
    page.fill("#novelty", "Buku KIA sering hilang; kader mencatat lewat aplikasi.")
    page.click("#save")
    expect(page.locator("main")).to_contain_text("Draf tersimpan")
    page.fill("#innovation_started_on", "2023-03-01")
    page.fill("#innovators", "dr. Rini, ketua tim, 0811111111")
    for field, text in factories.SECTION_TEXTS.items():
        if field not in ("summary", "novelty"):
            page.fill(f"#{field}", text)
    page.check("#truth_declaration")
    page.set_input_files(
        "#sk_file",
        files=[
            {
                "name": "sk-walikota.pdf",
                "mimeType": "application/pdf",
                "buffer": factories.PDF_BYTES,
            }
        ],
    )
    shot(page, "1-opd-proposal-form")
    check_accessibility(page)
    page.click("#send")
    expect(page.locator("main")).to_contain_text("terkirim")
    expect(page.locator("main")).to_contain_text("sk-walikota.pdf")
    shot(page, "1-opd-entry-submitted")
    check_accessibility(page)

    page.goto("/opd/")
    expect(page.locator("main")).to_contain_text("Posyandu Digital Palembang")
    shot(page, "1-opd-entries")
    check_accessibility(page)


def test_judge_scores_entry(app, page_for, committee, opd, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")
    factories.make_user(role="judge", username="juri1", name="Dr. Sari")
    db.session.commit()

    # The committee assigns the judge automatically (preview, then confirm).
    panitia = page_for("panitia", at=f"/committee/stages/{stage.id}/assignments")
    panitia.fill("#judges_per_entry", "1")
    panitia.click("text=Pratinjau penugasan otomatis")
    expect(panitia.locator("main")).to_contain_text("Cakupan: setiap inovasi mendapat 1 juri.")
    shot(panitia, "2-committee-assignment-preview")
    check_accessibility(panitia)
    panitia.click("text=Konfirmasi penugasan ini")
    expect(panitia.locator("main")).to_contain_text("Dr. Sari")

    # The judge's workspace lists the entry; the sheet shows the proposal and the rubric.
    juri = page_for("juri1")
    expect(juri.locator("main")).to_contain_text("0 dari 1 lembar penilaian telah dikirim")
    shot(juri, "2-judge-workspace")
    check_accessibility(juri)
    juri.click("text=Posyandu Digital Palembang")
    inputs = juri.locator("input[data-weight]")
    inputs.nth(0).fill("9")
    # The running weighted total (static/sheet.js) follows what is typed.
    expect(juri.locator("#running-total")).to_have_text("9,00")
    inputs.nth(1).fill("8")
    expect(juri.locator("#running-total")).to_have_text("8,60")  # (9 x 60 + 8 x 40) / 100
    juri.fill("textarea[name^=comment_]  >> nth=0", "Gagasan baru bagi kader posyandu.")
    shot(juri, "2-judge-score-sheet")
    check_accessibility(juri)

    # Save a draft: the values come back from the server.
    juri.click("#save")
    expect(juri.locator("main")).to_contain_text("Draf tersimpan")
    expect(inputs.nth(0)).to_have_value(re.compile(r"^9(\.0)?$"))
    expect(juri.locator("#running-total")).to_have_text("8,60")

    # Submit: back to the workspace, the sheet counted and its total shown.
    juri.click("#send")
    expect(juri.locator("main")).to_contain_text("Nilai telah dikirim")
    expect(juri.locator("main")).to_contain_text("1 dari 1 lembar penilaian telah dikirim")
    expect(juri.locator("main table")).to_contain_text("8,60")
    shot(juri, "2-judge-workspace-done")
    check_accessibility(juri)


def test_committee_publishes_and_opd_downloads_certificate(
    app, page_for, committee, opd, open_round
):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    judge = factories.make_user(role="judge", username="juri1", name="Dr. Sari")
    criteria = rubric_service.list_criteria(stage)
    entries = [factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")]
    for i in range(2):
        other = factories.make_opd_user(f"Dinas {i}", username=f"dinas{i}")
        entries.append(factories.make_entry(open_round, other, title=f"Inovasi {i}"))
    for score, entry in zip((9, 7, 6), entries):
        a = factories.make_assignment(stage, entry, judge)
        sheet_service.save_sheet(
            assignment=a,
            submit=True,
            actor=judge,
            now=utcnow(),
            inputs={c.id: sheet_service.CriterionInput(float(score)) for c in criteria},
        )
    db.session.commit()

    panitia = page_for("panitia", at=f"/committee/rounds/{open_round.id}/dashboard")
    expect(panitia.locator("svg.progress-bars")).to_contain_text("3 / 3 (100%)")
    shot(panitia, "3-committee-dashboard")
    check_accessibility(panitia)
    panitia.goto(f"/committee/stages/{stage.id}/ranking")
    expect(panitia.locator("main")).to_contain_text("Posyandu Digital Palembang")
    shot(panitia, "3-committee-ranking")
    check_accessibility(panitia)
    panitia.click("text=Umumkan peringkat ini")
    # One judge per entry: no place is decided, so publishing asks for a tick first.
    expect(panitia.locator("input[name=confirm_uncertain]")).to_be_visible()
    shot(panitia, "3-committee-publish-confirm")
    check_accessibility(panitia)
    panitia.check("input[name=confirm_uncertain]")
    panitia.locator("form:has(input[name=confirm_uncertain]) [type=submit]").click()
    expect(panitia).to_have_url(re.compile(r"/results/"))
    expect(panitia.locator("main")).to_contain_text("Posyandu Digital Palembang")
    shot(panitia, "3-public-results")
    check_accessibility(panitia)

    page = page_for("dinkes")
    page.click("text=Posyandu Digital Palembang")
    shot(page, "3-opd-entry-with-certificate")
    check_accessibility(page)
    with page.expect_download() as info:
        page.click("a[href$='.pdf']")
    with open(info.value.path(), "rb") as f:
        pdf = PdfReader(io.BytesIO(f.read()))
    text = pdf.pages[0].extract_text()
    assert "Posyandu Digital Palembang" in text and "Dinas Kesehatan Kota Palembang" in text
