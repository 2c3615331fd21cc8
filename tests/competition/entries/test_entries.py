"""An OPD drafts and submits its proposal; bad input is answered and loses nothing."""

import io
from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.entries.models import Entry, EntryStatus
from tests import factories

FULL = {
    "title": "SI-PANDAI",
    "group": "umum",
    "innovation_started_on": "2023-01-02",
    "innovators": "Rina, Kepala Seksi, 0811111111",
    "video_url": "https://youtu.be/abc",
    "truth_declaration": "y",
    **factories.SECTION_TEXTS,
    "novelty": "Antrean panjang di kantor diganti tanda tangan elektronik.",
}


def _form(round_, **overrides):
    """The complete form, with an SK decree (PDF) attached."""
    return {
        **FULL,
        "category": str(round_.categories[0].id),
        "sk_file": (io.BytesIO(factories.PDF_BYTES), "sk-tim-inovasi.pdf"),
        **overrides,
    }


def test_opd_saves_draft_then_submits(app, login, opd, open_round):
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, impact="", save="1")
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.status == EntryStatus.DRAFT and entry.organisation_id == opd.organisation_id
    assert "Draf tersimpan" in client.get(response.headers["Location"]).text

    response = client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.status == EntryStatus.SUBMITTED and entry.submitted_at is not None
    # the "submitted" badge and then the date, not the word twice
    page = client.get(f"/opd/entries/{entry.id}").text
    assert '<span class="badge badge-submitted">terkirim</span>' in page
    assert "dikirim pada" not in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/opd/entries/{entry.id}").text
    assert '<span class="badge badge-submitted">submitted</span>' in page
    assert "submitted on" not in page
    client.post("/language", data={"lang": "id"})
    # Once submitted, the form is closed.
    assert client.get(f"/opd/entries/{entry.id}/edit").status_code == 302
    client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, title="Diubah", save="1"))
    db.session.refresh(entry)
    assert entry.title == "SI-PANDAI"


def test_empty_title_is_refused_and_text_kept(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, title="", save="1")
    )
    assert response.status_code == 422
    assert "Antrean panjang di kantor" in response.text
    assert db.session.scalar(select(Entry)) is None


def test_incomplete_submission_keeps_draft_and_marks_missing_fields(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, summary="", sdg="", send="1"),
    )
    assert response.status_code == 422
    assert response.text.count("Isian ini wajib diisi sebelum mengirim.") == 2
    assert "Antrean panjang di kantor" in response.text
    entry = db.session.scalar(select(Entry))
    assert entry.status == EntryStatus.DRAFT and entry.novelty.startswith("Antrean panjang")
    # The re-rendered form now edits the saved draft instead of creating a second one.
    assert f'action="/opd/entries/{entry.id}/edit"' in response.text


def test_late_submission_is_refused_with_the_deadline_shown(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    open_round.submission_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = login(opd).post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    assert response.status_code == 409
    assert "Pengiriman proposal ditutup pada" in response.text
    assert str(open_round.submission_closes_at.year) in response.text
    assert "Antrean panjang di kantor" in response.text
    db.session.refresh(entry)
    assert entry.status == EntryStatus.DRAFT


def test_other_opds_entry_is_404(app, login, opd, other_opd, open_round):
    entry = factories.make_entry(open_round, other_opd, submitted=False)
    db.session.commit()
    client = login(opd)
    assert client.get(f"/opd/entries/{entry.id}").status_code == 404
    assert client.get(f"/opd/entries/{entry.id}/edit").status_code == 404
    assert (
        client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, save="1")).status_code
        == 404
    )
    assert client.get("/opd/entries/99999").status_code == 404


def test_opd_lists_only_its_own_entries(app, login, opd, other_opd, open_round):
    factories.make_entry(open_round, opd, title="Milik Dinkes")
    factories.make_entry(open_round, other_opd, title="Milik PDAM")
    db.session.commit()
    page = login(opd).get("/opd/").text
    assert "Milik Dinkes" in page and "Milik PDAM" not in page
