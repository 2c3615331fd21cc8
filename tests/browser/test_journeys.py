"""The three journeys in a real browser: an OPD submits, a judge scores, the committee
publishes and the OPD downloads its certificate."""

import io

from pypdf import PdfReader

from competition.db import db
from tests import factories
from tests.browser.conftest import shot


def test_submit_score_publish_download(app, page_for, committee, opd, open_round):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    factories.make_user(role="judge", username="juri1", name="Dr. Sari")
    db.session.commit()

    # 1. The OPD fills its proposal, saves a draft, then submits.
    opd_page = page_for("dinkes")
    opd_page.click(f"a[href='/opd/rounds/{open_round.id}/entries/new']")
    opd_page.fill("#title", "Posyandu Digital Palembang")
    opd_page.fill("#summary", "Pencatatan tumbuh kembang balita secara daring.")
    opd_page.fill("#novelty", "Buku KIA sering hilang; kader mencatat lewat aplikasi.")
    opd_page.click("#save")
    assert "Draf tersimpan" in opd_page.content()
    opd_page.fill("#innovation_started_on", "2023-03-01")
    opd_page.fill("#innovators", "dr. Rini, ketua tim, 0811111111")
    for field, text in factories.SECTION_TEXTS.items():
        if field not in ("summary", "novelty"):
            opd_page.fill(f"#{field}", text)
    opd_page.check("#truth_declaration")
    opd_page.set_input_files("#sk_file", files=[{
        "name": "sk.pdf", "mimeType": "application/pdf", "buffer": factories.PDF_BYTES}])
    shot(opd_page, "opd-proposal-form")
    opd_page.click("#send")
    assert "Proposal Anda telah dikirim" in opd_page.content() or "terkirim" in opd_page.content()
    shot(opd_page, "opd-entry-submitted")

    # 2. The committee assigns judges automatically.
    panitia = page_for("panitia")
    panitia.goto(f"/committee/stages/{stage.id}/assignments")
    panitia.fill("#judges_per_entry", "1")
    panitia.click("text=Pratinjau penugasan otomatis")
    assert "Cakupan: setiap inovasi mendapat 1 juri." in panitia.inner_text("main")
    shot(panitia, "committee-assignment-preview")
    panitia.click("text=Konfirmasi penugasan ini")
    assert "Dr. Sari" in panitia.inner_text("main")

    # 3. The judge scores and submits.
    juri = page_for("juri1")
    juri.click("text=Posyandu Digital Palembang")
    inputs = juri.locator("input[type=number]")
    inputs.nth(0).fill("9")
    inputs.nth(1).fill("8")
    # The running weighted total (static/sheet.js) follows what is typed.
    assert juri.inner_text("#running-total") == "8,60"  # (9 x 60 + 8 x 40) / 100
    shot(juri, "judge-score-sheet")
    juri.click("#send")
    assert "terkirim" in juri.inner_text("main")

    # 4. The committee publishes; the public page shows the winner.
    panitia.goto(f"/committee/stages/{stage.id}/ranking")
    shot(panitia, "committee-ranking")
    panitia.click("text=Umumkan peringkat ini")
    assert "Posyandu Digital Palembang" in panitia.inner_text("main")
    shot(panitia, "public-results")

    # 5. The OPD downloads its certificate.
    opd_page.goto("/opd/")
    opd_page.click("text=Posyandu Digital Palembang")
    with opd_page.expect_download() as info:
        opd_page.click("a[href$='.pdf']")
    with open(info.value.path(), "rb") as f:
        pdf = PdfReader(io.BytesIO(f.read()))
    text = pdf.pages[0].extract_text()
    assert "Posyandu Digital Palembang" in text and "Dinas Kesehatan Kota Palembang" in text
