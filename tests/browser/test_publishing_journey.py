"""The committee sets city awards, publishes, generates the certificates' ZIP with the progress
bar driven by bulk.js, and anyone verifies a certificate from the public page."""

import re
import zipfile

from playwright.sync_api import expect

from competition.db import db, utcnow
from judging.results import zips as bulk
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.browser.conftest import shot


def test_awards_publish_zip_verify(app, page_for, committee, open_round, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)  # several steps, so the progress bar moves
    stage = factories.make_stage(open_round)
    judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(2)]
    criteria = rubric_service.list_criteria(stage)
    for i, title in enumerate(
        ["Posyandu Digital", "SI-PANDAI", "Tirta Cepat", "Lapor Camat", "Klinik Keliling"]
    ):
        owner = factories.make_opd_user(f"OPD {i}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=title)
        for judge in judges:
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={c.id: sheet_service.CriterionInput(float(9 - i)) for c in criteria},
            )
    db.session.commit()

    panitia = page_for("panitia", at=f"/committee/rounds/{open_round.id}/results")
    panitia.select_option("#preset", "city")
    panitia.click("#awards >> [type=submit]")  # not text=Simpan: the help says "disimpan"
    expect(panitia.locator("main")).to_contain_text("Juara III")
    shot(panitia, "committee-results-review")
    panitia.click(f"form[action$='/stages/{stage.id}/publish'] >> [type=submit]")
    expect(panitia).to_have_url(re.compile(rf"/results/{open_round.slug}$"))
    expect(panitia.locator("main")).to_contain_text("Rp3.000.000")
    expect(panitia.locator("main")).to_contain_text("Juara I")
    shot(panitia, "public-results-awards")

    panitia.goto(f"/committee/rounds/{open_round.id}/results/zip")
    panitia.click("text=Buat ZIP")
    panitia.wait_for_selector("#bulk-done:not([hidden])", timeout=30000)
    expect(panitia.locator("#bulk")).to_contain_text("5 / 5")
    with panitia.expect_download() as info:
        panitia.click("#bulk-done a")
    with zipfile.ZipFile(info.value.path()) as zf:
        assert len(zf.namelist()) == 5

    visitor = page_for(None)
    visitor.goto(f"/results/{open_round.slug}")
    visitor.click("text=Juara I")
    expect(visitor.locator("main")).to_contain_text("SAH")
    expect(visitor.locator("main")).to_contain_text("Posyandu Digital")
    shot(visitor, "public-verify")
