"""A unit of an agency with an Admin Lokal hands its entry to the Admin Lokal, who corrects
it, returns it with a note or submits it to the committee; other organisations submit
directly."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.db import db, utcnow
from competition.entries.models import Entry, EntryStatus
from competition.notifications.models import Notification
from tests import factories
from tests.competition.entries.test_entries import _form


@pytest.fixture
def admin(app, opd):
    """The Admin Lokal of the agency whose unit is ``opd``."""
    admin = factories.make_agency_admin("Dinas Kesehatan Induk", username="admin-dinkes")
    opd.organisation.parent = admin.organisation
    db.session.commit()
    return admin


def _hand_over(login, opd, round_) -> Entry:
    response = login(opd).post(f"/opd/rounds/{round_.id}/entries/new", data=_form(round_, send="1"))
    assert response.status_code == 302
    return db.session.scalar(select(Entry))


def test_units_submission_goes_to_its_admin_lokal_not_the_committee(
    app, login, committee, admin, opd, open_round
):
    entry = _hand_over(login, opd, open_round)
    assert entry.status == EntryStatus.AGENCY_REVIEW and entry.submitted_at is None
    assert entry.events[-1].action == "sent_to_agency"
    unit = login(opd)
    page = unit.get(f"/opd/entries/{entry.id}").text
    assert "menunggu pemeriksaan instansi" in page and "Admin Lokal" in page
    # The unit can no longer change it.
    assert unit.get(f"/opd/entries/{entry.id}/edit").status_code == 302
    response = unit.post(
        f"/opd/entries/{entry.id}/edit", data=_form(open_round, title="Diubah unit", save="1")
    )
    assert response.status_code == 302  # back to the read-only page, nothing saved
    db.session.refresh(entry)
    assert entry.title == "SI-PANDAI"
    # The committee does not have it yet: no submission, nothing to screen.
    assert (
        "SI-PANDAI" not in login(committee).get(f"/committee/rounds/{open_round.id}/screening").text
    )
    # The Admin Lokal sees it in its list and submits it to the committee.
    client = login(admin)
    assert "menunggu pemeriksaan instansi" in client.get("/agency/").text
    page = client.get(f"/agency/entries/{entry.id}").text
    assert "Kirim ke panitia" in page
    response = client.post(f"/agency/entries/{entry.id}/submit")
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted and entry.submitted_at is not None
    assert "SI-PANDAI" in login(committee).get(f"/committee/rounds/{open_round.id}/screening").text


def test_admin_lokal_returns_the_entry_with_a_note(app, login, admin, opd, open_round):
    entry = _hand_over(login, opd, open_round)
    client = login(admin)
    response = client.post(f"/agency/entries/{entry.id}/return", data={"return-reason": " "})
    assert response.status_code == 422
    db.session.refresh(entry)
    assert entry.is_in_agency_review
    note = "Lengkapi data sebelum dan sesudah inovasi pada bagian dampak."
    response = client.post(f"/agency/entries/{entry.id}/return", data={"return-reason": note})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.status == EntryStatus.DRAFT
    # The unit is told, with the note; the Admin Lokal had been told of the hand-over.
    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.kind, n.user_id) for n in notes if n.kind.startswith("entry_")] == [
        ("entry_handed_over", admin.id),
        ("entry_returned", opd.id),
    ]
    assert note in notes[-1].body
    # Only an entry awaiting review can be returned.
    assert (
        client.post(f"/agency/entries/{entry.id}/return", data={"return-reason": note}).status_code
        == 409
    )
    # The unit reads the note, corrects and hands it over again.
    unit = login(opd)
    assert note in unit.get(f"/opd/entries/{entry.id}").text
    response = unit.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, impact="Antrean turun dari 3 jam ke 20 menit.", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_in_agency_review and entry.impact.startswith("Antrean turun")


def test_admin_lokal_corrects_then_submits_through_the_form(app, login, admin, opd, open_round):
    entry = _hand_over(login, opd, open_round)
    client = login(admin)
    assert client.get(f"/agency/entries/{entry.id}/edit").status_code == 200
    response = client.post(
        f"/agency/entries/{entry.id}/edit",
        data=_form(open_round, title="SI-PANDAI (dikoreksi)", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted and entry.title == "SI-PANDAI (dikoreksi)"


def test_admin_lokals_late_submission_is_refused_with_the_deadline(
    app, login, admin, opd, open_round
):
    entry = _hand_over(login, opd, open_round)
    open_round.submission_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = login(admin).post(f"/agency/entries/{entry.id}/submit")
    assert response.status_code == 409
    assert "Pengiriman proposal ditutup pada" in response.text
    db.session.refresh(entry)
    assert entry.is_in_agency_review


def test_hand_over_checks_completeness(app, login, admin, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, summary="", send="1")
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Entry)).status == EntryStatus.DRAFT


def test_unit_of_an_agency_without_admin_lokal_submits_directly(app, login, opd, open_round):
    agency = factories.make_opd_user("Pemerintah Kabupaten Banyuasin", username="bna")
    opd.organisation.parent = agency.organisation  # an agency, but no Admin Lokal account
    db.session.commit()
    entry = _hand_over(login, opd, open_round)
    assert entry.is_submitted


def test_unit_of_an_agency_whose_admin_lokal_is_disabled_submits_directly(
    app, login, admin, opd, open_round
):
    admin.is_enabled = False
    db.session.commit()
    assert _hand_over(login, opd, open_round).is_submitted


def test_unit_cannot_review_its_own_entry(app, login, admin, opd, open_round):
    entry = _hand_over(login, opd, open_round)
    unit = login(opd)
    assert unit.post(f"/agency/entries/{entry.id}/submit").status_code == 403
    assert (
        unit.post(f"/agency/entries/{entry.id}/return", data={"return-reason": "x"}).status_code
        == 403
    )
    db.session.refresh(entry)
    assert entry.is_in_agency_review


def test_service_refuses_the_units_save_while_in_review_with_a_reason(
    app, login, admin, opd, open_round
):
    from competition.entries import services as entries
    from competition.errors import InvalidState

    entry = _hand_over(login, opd, open_round)
    with pytest.raises(InvalidState) as refused:
        entries.update_entry(entry=entry, data={"title": "Diubah"}, actor=opd, now=utcnow())
    assert "Admin Lokal" in str(refused.value.message)
    # The Admin Lokal may still save corrections.
    entries.update_entry(entry=entry, data={"title": "Dikoreksi"}, actor=admin, now=utcnow())
    assert entry.title == "Dikoreksi" and entry.is_in_agency_review


def test_units_form_says_where_the_entry_goes(app, login, opd, other_opd, open_round):
    url = f"/opd/rounds/{open_round.id}/entries/new"
    assert "Kirim ke Admin Lokal untuk diperiksa" not in login(opd).get(url).text
    admin = factories.make_agency_admin("Dinas Kesehatan Induk", username="admin-dinkes")
    opd.organisation.parent = admin.organisation
    db.session.commit()
    assert "Kirim ke Admin Lokal untuk diperiksa" in login(opd).get(url).text
    assert "Kirim ke Admin Lokal untuk diperiksa" not in login(other_opd).get(url).text


def test_return_button_looks_secondary_next_to_submitting(app, login, admin, opd, open_round):
    entry = _hand_over(login, opd, open_round)
    page = login(admin).get(f"/agency/entries/{entry.id}").text
    assert (
        '<input class="secondary" id="return-submit" name="return-submit" type="submit" value="Kembalikan ke unit">'
        in page
    )
    assert '<button type="submit" class="">Kirim ke panitia</button>' in page
