"""``flask juri``: create users, assign, rank, publish and bundle certificates from the shell."""

import zipfile
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.notifications.models import Notification
from judging.panels import assignment as assignment_service
from judging.panels.models import Assignment
from judging.results.models import Certificate, Publication
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["juri", *args], input=input)


def test_create_user_checks_the_password(app):
    r = _run(
        app,
        "create-user",
        "sari",
        "--role",
        "judge",
        "--name",
        "Dr. Sari",
        input="password123\npassword123\n",
    )
    assert r.exit_code != 0 and "terlalu umum" in r.output
    r = _run(
        app,
        "create-user",
        "sari",
        "--role",
        "judge",
        "--name",
        "Dr. Sari",
        input="kopi susu pagi hari\nkopi susu pagi hari\n",
    )
    assert r.exit_code == 0, r.output
    assert db.session.scalar(select(User).where(User.username == "sari")).check_password(
        "kopi susu pagi hari"
    )
    r = _run(
        app,
        "create-user",
        "dinkes",
        "--role",
        "opd",
        "--name",
        "Admin",
        "--organisation",
        "Dinas Kesehatan",
        "--generate",
    )
    assert r.exit_code == 0 and "password:" in r.output
    assert (
        db.session.scalar(select(User).where(User.username == "dinkes")).organisation.name
        == "Dinas Kesehatan"
    )
    assert (
        _run(app, "create-user", "sari", "--role", "judge", "--name", "X", "--generate").exit_code
        != 0
    )  # taken


def test_assign_rank_publish_certificates(app, committee, opd, open_round):
    stage = factories.make_stage(open_round)
    entries = [factories.make_entry(open_round, opd, title=f"Inovasi {i}") for i in range(4)]
    judges = [factories.make_user(role="judge", username=f"juri{i}") for i in range(3)]
    db.session.commit()
    r = _run(app, "assign", str(stage.id), "--k", "2", "--yes", "--as", "panitia")
    assert r.exit_code == 0, r.output
    assert "4 entries, 3 judges" in r.output and "Applied." in r.output
    assert db.session.scalar(select(func.count(Assignment.id))) == 8
    for a in assignment_service.list_assignments(stage):
        sheet_service.save_sheet(
            assignment=a,
            inputs={
                c.id: sheet_service.CriterionInput(float(5 + (a.entry_id % 4)), "ok")
                for c in rubric_service.list_criteria(stage)
            },
            submit=True,
            actor=a.judge,
            now=stage.opens_at,
        )
    db.session.commit()
    r = _run(app, "rank", str(stage.id), "--top", "2")
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if "Inovasi" in line]
    assert len(lines) == 2 and lines[0].strip().startswith("1")
    r = _run(app, "publish", str(stage.id), "--yes", "--as", "panitia")
    assert r.exit_code == 0, r.output
    assert db.session.scalar(select(func.count(Publication.id))) == 1
    # The publication, its results and certificates are recorded as the --as account's.
    published = db.session.execute(
        select(AuditRecord.target_type, AuditRecord.actor, AuditRecord.actor_id).where(
            AuditRecord.target_type.in_(["publications", "results", "certificates"])
        )
    ).all()
    assert "publications" in {row.target_type for row in published}  # rows bulk-inserted: none
    assert {(row.actor, row.actor_id) for row in published} == {("panitia", committee.id)}
    r = _run(app, "certificates", str(open_round.id))
    assert r.exit_code == 0, r.output
    zip_file = Path(r.output.strip().splitlines()[-1].split(" in ", 1)[1])
    n_valid = db.session.scalar(
        select(func.count(Certificate.id)).where(Certificate.revoked_at.is_(None))
    )
    with zipfile.ZipFile(zip_file) as z:
        assert len([n for n in z.namelist() if n.endswith(".pdf")]) == n_valid > 0
    assert entries and judges


def test_assign_refused_prints_the_reason_and_writes_nothing(
    app, committee, opd, open_round, monkeypatch
):
    """An entry submitted while the committee reads the preview changes the plan: the
    assignment is refused with its message (no traceback), exits 1 and applies nothing."""
    stage = factories.make_stage(open_round)
    for i in range(3):
        factories.make_entry(open_round, opd, title=f"Inovasi {i}")
    for i in range(3):
        factories.make_user(role="judge", username=f"juri{i}")
    db.session.commit()

    def confirm_after_a_late_entry(_text, *args, **kwargs):
        factories.make_entry(open_round, opd, title="Inovasi terlambat")
        db.session.commit()
        return True

    monkeypatch.setattr(click, "confirm", confirm_after_a_late_entry)
    r = _run(app, "assign", str(stage.id), "--k", "2", "--as", "panitia")
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Error: Penugasan berubah sejak pratinjau" in r.output, r.output
    assert "Applied." not in r.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    # Confirmed against the new preview, the same command applies.
    monkeypatch.setattr(click, "confirm", lambda *a, **kw: True)
    r = _run(app, "assign", str(stage.id), "--k", "2", "--as", "panitia")
    assert r.exit_code == 0 and "4 entries, 3 judges" in r.output and "Applied." in r.output
    assert db.session.scalar(select(func.count(Assignment.id))) == 8


def test_reminders_are_committed_and_refused_once_closed(app, committee, opd, judge, open_round):
    factories.make_entry(open_round, opd, title="Draf", submitted=False)
    entry = factories.make_entry(open_round, opd, title="Terkirim")
    stage = factories.make_stage(open_round)
    factories.make_assignment(stage, entry, judge)
    db.session.commit()

    def kinds():
        db.session.expire_all()
        return sorted(db.session.scalars(select(Notification.kind)))

    r = _run(app, "remind-drafts", str(open_round.id))
    assert r.exit_code == 0 and r.output.startswith("1 OPD accounts reminded"), r.output
    r = _run(app, "remind-judges", str(stage.id))
    assert r.exit_code == 0 and r.output.startswith("1 judges reminded"), r.output
    reminded = kinds()
    assert len(reminded) == 2 and "judge_reminder" in reminded
    # Once the windows have closed: refused with the reason, and nothing more is queued.
    open_round.submission_closes_at = stage.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    for args in (("remind-drafts", str(open_round.id)), ("remind-judges", str(stage.id))):
        r = _run(app, *args)
        assert r.exit_code == 1 and "Error:" in r.output and "ditutup" in r.output, r.output
    assert kinds() == reminded
    assert _run(app, "remind-drafts", "999999").output.strip() == "Error: No round 999999."
