"""The round's timeline: the usual stage sequence, editing and skipping stages, reopening one
entry after the deadline, and copying a round into next year's."""

from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.entries.models import EntryStatus
from competition.rounds.models import Round, Stage, StageKind
from judging.scoring.models import Criterion
from tests import factories
from tests.competition.entries.test_entries import _form


def _new_round(client, **extra):
    return client.post(
        "/committee/rounds/new",
        data={
            "name": "KOINYANLIK 2026",
            "description": "Kompetisi",
            "submission_opens_at": "2026-01-05T08:00",
            "submission_closes_at": "2026-03-31T16:00",
            **extra,
        },
    )


def test_new_round_gets_the_usual_stage_sequence(app, login, committee):
    client = login(committee)
    assert _new_round(client, use_template="y").status_code == 302
    round_ = db.session.scalar(select(Round))
    kinds = [s.kind for s in round_.stages]
    assert kinds == [
        StageKind.SUBMISSION,
        StageKind.SCREENING,
        StageKind.SCORED,
        StageKind.SCORED,
        StageKind.SCORED,
        StageKind.ANNOUNCEMENT,
    ]
    assert [s.name for s in round_.stages][1:3] == [
        "Seleksi Administrasi",
        "Penilaian Proposal (Desk Evaluation)",
    ]
    first = round_.stages[0]
    assert (first.opens_at, first.closes_at) == (
        round_.submission_opens_at,
        round_.submission_closes_at,
    )
    # Each stage opens after the previous one.
    assert all(a.closes_at <= b.opens_at for a, b in zip(round_.stages[1:], round_.stages[2:]))
    page = client.get(f"/committee/rounds/{round_.id}").text
    assert "Verifikasi Lapangan" in page and "Seleksi" in page


def test_round_without_template_has_no_stages(app, login, committee):
    _new_round(login(committee))
    assert db.session.scalar(select(Round)).stages == []


def test_committee_renames_skips_and_moves_a_stage(app, login, committee):
    client = login(committee)
    _new_round(client, use_template="y")
    round_ = db.session.scalar(select(Round))
    field_visit = round_.stages[4]
    response = client.post(
        f"/committee/timeline/{field_visit.id}",
        data={
            "name": "Verifikasi Lapangan (ditiadakan)",
            "opens_at": "2026-05-01T08:00",
            "closes_at": "2026-05-08T16:00",
            "is_skipped": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(field_visit)
    assert field_visit.is_skipped and field_visit.name.endswith("(ditiadakan)")
    assert field_visit.opens_at.hour == 1  # 08:00 WIB
    # The submission stage moves the round's window and cannot be skipped.
    submission = round_.stages[0]
    response = client.post(
        f"/committee/timeline/{submission.id}",
        data={
            "name": "Pendaftaran",
            "opens_at": "2026-01-05T08:00",
            "closes_at": "2026-04-15T16:00",
        },
    )
    assert response.status_code == 302
    db.session.refresh(round_)
    assert round_.submission_closes_at.day == 15 and round_.submission_closes_at.month == 4
    response = client.post(
        f"/committee/timeline/{submission.id}",
        data={
            "name": "Pendaftaran",
            "opens_at": "2026-01-05T08:00",
            "closes_at": "2026-04-15T16:00",
            "is_skipped": "y",
        },
    )
    assert response.status_code == 422 and "tidak dapat dilewati" in response.text
    # A window closing before it opens is refused with what was typed kept.
    response = client.post(
        f"/committee/timeline/{field_visit.id}",
        data={"name": "Kunjungan", "opens_at": "2026-05-08T08:00", "closes_at": "2026-05-01T16:00"},
    )
    assert response.status_code == 422 and 'value="Kunjungan"' in response.text


def test_adding_a_screening_stage_does_not_ask_for_a_rubric(app, login, committee, open_round):
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/stages",
        data={
            "stage-name": "Seleksi",
            "stage-opens_at": "2099-04-01T08:00",
            "stage-closes_at": "2099-04-30T17:00",
            "stage-scale_min": "1",
            "stage-scale_max": "10",
            "stage-winners_per_category": "3",
            "stage-kind": "screening",
        },
    )
    assert response.headers["Location"].endswith(f"/committee/rounds/{open_round.id}")
    assert db.session.scalar(select(Stage)).kind == StageKind.SCREENING


def test_reopened_entry_can_be_edited_after_the_deadline_only_that_one(
    app, login, committee, opd, open_round
):
    reopened = factories.make_entry(open_round, opd, title="Dibuka kembali")
    other = factories.make_entry(open_round, opd, title="Tetap terkunci", submitted=False)
    open_round.submission_closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    panitia = login(committee)
    response = panitia.post(f"/committee/entries/{reopened.id}/reopen", data={"reopen-reason": ""})
    assert response.status_code == 422
    assert db.session.get(type(reopened), reopened.id).status == EntryStatus.SUBMITTED
    response = panitia.post(
        f"/committee/entries/{reopened.id}/reopen",
        data={"reopen-reason": "SK belum ditandatangani."},
    )
    assert response.status_code == 302
    db.session.refresh(reopened)
    assert reopened.status == EntryStatus.DRAFT and reopened.reopen_reason
    assert [e.action for e in reopened.events] == ["reopened"]

    client = login(opd)
    page = client.get(f"/opd/entries/{reopened.id}").text
    assert "SK belum ditandatangani." in page
    response = client.post(
        f"/opd/entries/{reopened.id}/edit",
        data=_form(open_round, title="Dibuka kembali (revisi)", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(reopened)
    assert reopened.is_submitted and reopened.title == "Dibuka kembali (revisi)"
    # The other entry of the same OPD is still behind the closed window.
    response = client.post(f"/opd/entries/{other.id}/edit", data=_form(open_round, send="1"))
    assert response.status_code == 409
    # A resubmitted entry is locked again.
    response = client.post(
        f"/opd/entries/{reopened.id}/edit", data=_form(open_round, title="Lagi", save="1")
    )
    db.session.refresh(reopened)
    assert reopened.title == "Dibuka kembali (revisi)"


def test_a_draft_cannot_be_reopened(app, login, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    db.session.commit()
    response = login(committee).post(
        f"/committee/entries/{entry.id}/reopen", data={"reopen-reason": "Coba"}
    )
    assert response.status_code == 422 and entry.events == []


def test_copy_round_into_next_year_with_categories_stages_and_rubrics(app, login, committee):
    client = login(committee)
    _new_round(client, use_template="y")
    source = db.session.scalar(select(Round))
    client.post(f"/committee/rounds/{source.id}/categories", data={"cat-name": "Dinas/Badan"})
    client.post(f"/committee/rounds/{source.id}/categories", data={"cat-name": "Puskesmas"})
    desk = source.stages[2]
    for name, weight in [("Kebaruan", 60), ("Kemanfaatan", 40)]:
        client.post(f"/committee/stages/{desk.id}/rubric", data={"name": name, "weight": weight})
    source.stages[4].is_skipped = True
    db.session.commit()

    form = client.get(f"/committee/rounds/{source.id}/copy").text
    assert 'value="KOINYANLIK 2027"' in form and 'value="2027-01-05T08:00"' in form
    response = client.post(
        f"/committee/rounds/{source.id}/copy",
        data={"name": "KOINYANLIK 2027", "submission_opens_at": "2027-01-05T08:00"},
    )
    assert response.status_code == 302
    copy = db.session.scalar(select(Round).where(Round.name == "KOINYANLIK 2027"))
    assert [c.name for c in copy.categories] == ["Dinas/Badan", "Puskesmas"]
    assert [(s.name, s.kind, s.is_skipped) for s in copy.stages] == [
        (s.name, s.kind, s.is_skipped) for s in source.stages
    ]
    shift = copy.submission_opens_at - source.submission_opens_at
    assert shift == timedelta(days=365)
    assert all(c.closes_at - s.closes_at == shift for c, s in zip(copy.stages, source.stages))
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.stage_id == copy.stages[2].id)
        .order_by(Criterion.position)
    ).all()
    assert [(c.name, c.weight) for c in criteria] == [("Kebaruan", 60), ("Kemanfaatan", 40)]
    assert copy.entries == [] and copy.slug != source.slug
