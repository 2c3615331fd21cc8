"""An OPD in a real browser (issue 16 items 9 and 11): a round its kind of organisation may not
enter is not offered and, opened by its address, says who may enter; a submitted entry is
taken back to a draft before the deadline, after the confirmation dialog."""

from playwright.sync_api import expect

from competition.db import db
from competition.entries.models import Entry
from tests import factories
from tests.browser.conftest import check_accessibility, shot


def test_opd_sees_only_rounds_it_may_enter_and_withdraws_a_submission(
    app, page_for, opd, open_round
):
    kelurahan_only = factories.make_round(name="Lomba Kelurahan 2026")
    kelurahan_only.eligible_kinds = ["kelurahan"]
    entry = factories.make_entry(open_round, opd, title="Posyandu Digital Palembang")
    db.session.commit()

    page = page_for("dinkes", at="/opd/")
    expect(page.locator(f"a[href='/opd/rounds/{open_round.id}/entries/new']")).to_have_count(1)
    expect(page.locator(f"a[href='/opd/rounds/{kelurahan_only.id}/entries/new']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Lomba Kelurahan 2026")

    answer = page.goto(f"/opd/rounds/{kelurahan_only.id}/entries/new")
    assert answer.status == 403
    expect(page.locator("main")).to_contain_text(
        "Lomba Kelurahan 2026 tidak terbuka bagi organisasi Anda: hanya terbuka bagi "
        "Kelurahan atau desa."
    )
    shot(page, "opd-round-not-eligible")

    page.goto("/opd/")
    page.click("text=Posyandu Digital Palembang")
    expect(page.locator("main")).to_contain_text("terkirim")
    check_accessibility(page)
    page.once("dialog", lambda dialog: dialog.accept())  # the data-confirm question
    page.click("text=Tarik proposal")
    expect(page.locator("main")).to_contain_text("Proposal telah ditarik")
    expect(page.locator("main")).to_contain_text("draf")
    shot(page, "opd-entry-withdrawn")
    check_accessibility(page)
    db.session.expire_all()
    assert not db.session.get(Entry, entry.id).is_submitted


def test_refused_save_keeps_the_chosen_file_and_says_so(app, page_for, opd, open_round):
    entry = factories.make_entry(open_round, opd, title="Klinik Keliling", submitted=False)
    db.session.commit()
    page = page_for("dinkes", at=f"/opd/entries/{entry.id}/edit")
    page.fill("#video_url", "bukan tautan")  # refuses the save
    page.set_input_files(
        "#sk_file",
        files=[
            {"name": "sk-baru.pdf", "mimeType": "application/pdf", "buffer": factories.PDF_BYTES}
        ],
    )
    page.click("#save")
    main = page.locator("main")
    expect(main).to_contain_text("disimpan bersama draf")
    expect(main).to_contain_text("sk-baru.pdf")
    expect(page.locator("#video_url")).to_have_value("bukan tautan")  # what was typed stays
    shot(page, "opd-refused-save-keeps-file")
    check_accessibility(page)
    db.session.expire_all()
    assert "sk-baru.pdf" in {a.original_name for a in db.session.get(Entry, entry.id).attachments}
