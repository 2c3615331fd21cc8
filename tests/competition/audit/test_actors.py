"""The audit trail records the real actor: the signed-in user on a page, the ``actor`` given to
a service anywhere, the account named by a command's ``--as``, or a named system actor."""

from datetime import timedelta

from sqlalchemy import select

from competition import actors
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.rounds import services as rounds
from competition.rounds.models import Round
from judging.panels.models import Assignment
from tests import factories


def _actors_of(target_type: str) -> set[str]:
    stmt = select(AuditRecord.actor).where(AuditRecord.target_type == target_type)
    return set(db.session.scalars(stmt))


def _create_round(actor, name="KIPP 2027"):
    now = utcnow()
    return rounds.create_round(
        name=name,
        description="",
        submission_opens_at=now,
        submission_closes_at=now + timedelta(days=30),
        actor=actor,
    )


def test_service_called_outside_a_request_records_its_actor(app, committee):
    _create_round(committee)
    db.session.commit()
    [record] = db.session.scalars(
        select(AuditRecord).where(AuditRecord.target_type == "rounds")
    ).all()
    assert (record.actor, record.actor_id, record.action) == ("panitia", committee.id, "insert")


def test_change_nobody_claimed_is_marked_unattributed(app):
    factories.make_round()
    db.session.commit()
    assert _actors_of("rounds") == {actors.UNATTRIBUTED}


def test_acting_as_names_a_system_actor_and_nests(app, committee):
    with actors.acting_as(actors.SYSTEM_DEMO):
        factories.make_round(name="Demo")
        _create_round(committee)  # the service's own actor wins inside
        db.session.flush()
        assert actors.current().name == actors.SYSTEM_DEMO
    db.session.commit()
    assert actors.current().name == actors.UNATTRIBUTED
    assert _actors_of("rounds") == {actors.SYSTEM_DEMO, "panitia"}


def test_page_records_the_signed_in_user_and_address(app, login, committee):
    now = utcnow()
    r = login(committee).post(
        "/committee/rounds/new",
        data={
            "name": "KIPP 2027",
            "description": "",
            "submission_opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "submission_closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert db.session.scalar(select(Round.id).where(Round.name == "KIPP 2027"))
    [record] = db.session.scalars(
        select(AuditRecord).where(AuditRecord.target_type == "rounds")
    ).all()
    assert (record.actor, record.address) == ("panitia", "127.0.0.1")
    assert actors.current().name == actors.UNATTRIBUTED  # reset after the request


def _assignable_stage(open_round, opd):
    stage = factories.make_stage(open_round)
    factories.make_entry(open_round, opd)
    for i in range(2):
        factories.make_user(role="judge", username=f"juri{i}")
    db.session.commit()
    return stage


def test_cli_command_with_as_records_that_user(app, committee, opd, open_round):
    stage = _assignable_stage(open_round, opd)
    result = app.test_cli_runner().invoke(
        args=["juri", "assign", str(stage.id), "--k", "1", "--yes", "--as", "panitia"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Assignment.id))
    assert _actors_of("assignments") == {"panitia"}


def test_cli_decision_without_as_is_refused(app, committee, opd, open_round):
    stage = _assignable_stage(open_round, opd)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["juri", "assign", str(stage.id), "--k", "1", "--yes"])
    assert result.exit_code != 0 and "--as" in result.output
    result = runner.invoke(
        args=["juri", "assign", str(stage.id), "--k", "1", "--yes", "--as", "juri0"]
    )
    assert result.exit_code != 0 and "committee" in result.output
    assert db.session.scalar(select(Assignment.id)) is None


def test_cli_command_without_as_records_the_cli_system_actor(app, committee, opd, open_round):
    stage = _assignable_stage(open_round, opd)
    factories.make_assignment(stage, open_round.entries[0], committee)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["juri", "remind-judges", str(stage.id)])
    assert result.exit_code == 0, result.output
    [record] = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "remind_judges")
    ).all()
    assert record.actor == actors.SYSTEM_CLI and record.actor_id is None
