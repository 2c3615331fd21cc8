"""Withdrawing a submitted entry before the deadline: by its OPD back to a draft, or, for a
unit of an agency with an Admin Lokal, by the Admin Lokal back into its review."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries.models import Entry, EntryStatus, Screening
from competition.notifications.models import Notification
from tests import factories
from tests.competition.entries.test_entries import _form


def _submitted(login, opd, round_) -> Entry:
    response = login(opd).post(f"/opd/rounds/{round_.id}/entries/new", data=_form(round_, send="1"))
    assert response.status_code == 302
    return db.session.scalar(select(Entry))


def test_opd_withdraws_its_submission_back_to_a_draft(app, login, committee, opd, open_round):
    entry = _submitted(login, opd, open_round)
    client = login(opd)
    page = client.get(f"/opd/entries/{entry.id}").text
    assert f'action="/opd/entries/{entry.id}/withdraw"' in page and "Tarik proposal" in page
    assert "data-confirm=" in page
    response = client.post(f"/opd/entries/{entry.id}/withdraw")
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.status == EntryStatus.DRAFT and entry.submitted_at is None
    assert entry.events[-1].action == "withdrawn" and entry.events[-1].actor_id == opd.id
    assert "ditarik" in client.get(response.location).text
    # Audited and notified.
    record = db.session.scalar(
        select(AuditRecord)
        .where(AuditRecord.target_type == "entries", AuditRecord.target_id == str(entry.id))
        .order_by(AuditRecord.id.desc())
    )
    assert '"draft"' in record.after and record.actor_id == opd.id
    note = db.session.scalar(select(Notification).where(Notification.kind == "entry_withdrawn"))
    assert note.user_id == opd.id and entry.title in note.subject
    # The committee no longer has it; the OPD edits and submits it again.
    assert (
        "SI-PANDAI" not in login(committee).get(f"/committee/rounds/{open_round.id}/screening").text
    )
    assert client.get(f"/opd/entries/{entry.id}/edit").status_code == 200
    client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    db.session.refresh(entry)
    assert entry.is_submitted


def test_withdrawal_is_refused_after_the_deadline(app, login, opd, open_round):
    entry = _submitted(login, opd, open_round)
    open_round.submission_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client = login(opd)
    assert "/withdraw" not in client.get(f"/opd/entries/{entry.id}").text
    response = client.post(f"/opd/entries/{entry.id}/withdraw", follow_redirects=True)
    assert "ditutup pada" in response.text
    db.session.refresh(entry)
    assert entry.is_submitted


def test_withdrawal_undoes_the_screening_and_others_cannot_withdraw(
    app, login, committee, opd, other_opd, open_round
):
    entry = _submitted(login, opd, open_round)
    entry.screening = Screening.ELIGIBLE
    db.session.commit()
    assert login(other_opd).post(f"/opd/entries/{entry.id}/withdraw").status_code == 404
    assert login(committee).post(f"/opd/entries/{entry.id}/withdraw").status_code == 403
    db.session.refresh(entry)
    assert entry.is_submitted
    login(opd).post(f"/opd/entries/{entry.id}/withdraw")
    db.session.refresh(entry)
    assert entry.status == EntryStatus.DRAFT and entry.screening == Screening.PENDING


@pytest.fixture
def admin(app, opd):
    admin = factories.make_agency_admin("Dinas Kesehatan Induk", username="admin-dinkes")
    opd.organisation.parent = admin.organisation
    db.session.commit()
    return admin


def test_unit_withdraws_through_its_admin_lokal(app, login, admin, opd, open_round):
    entry = _submitted(login, opd, open_round)
    assert login(admin).post(f"/agency/entries/{entry.id}/submit").status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted
    unit = login(opd)
    page = unit.get(f"/opd/entries/{entry.id}").text
    assert "/withdraw" not in page and "minta Admin Lokal" in page
    unit.post(f"/opd/entries/{entry.id}/withdraw")
    db.session.refresh(entry)
    assert entry.is_submitted
    client = login(admin)
    assert (
        f'action="/agency/entries/{entry.id}/withdraw"'
        in client.get(f"/agency/entries/{entry.id}").text
    )
    assert client.post(f"/agency/entries/{entry.id}/withdraw").status_code == 302
    db.session.refresh(entry)
    assert entry.status == EntryStatus.AGENCY_REVIEW and entry.submitted_at is None
    assert entry.events[-1].action == "withdrawn" and entry.events[-1].actor_id == admin.id
    note = db.session.scalar(select(Notification).where(Notification.kind == "entry_withdrawn"))
    assert note.user_id == opd.id and admin.name in note.body
