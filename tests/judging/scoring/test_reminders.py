"""The reminder to judges whose sheets are not submitted before scoring closes
(``judging.scoring.progress.queue_reminders``, ``flask juri remind-judges``), through the
outbox and emailed when SMTP is configured."""

from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.notifications.models import Notification
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories
from tests.competition.notifications.test_notifications import smtp_server  # noqa: F401 (fixture)


def _outbox(kind):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def _behind(open_round, opd, judge):
    stage = factories.make_stage(open_round)
    judge.email = "hendra@unsri.ac.id"
    quick = factories.make_user(role="judge", username="cepat")
    entry = factories.make_entry(open_round, opd)
    factories.make_assignment(stage, entry, judge)
    db.session.add(
        ScoreSheet(
            assignment=factories.make_assignment(stage, entry, quick), status=SheetStatus.SUBMITTED
        )
    )
    db.session.commit()
    return stage


def test_remind_judges_command_through_outbox_and_smtp(
    app, committee, opd, judge, open_round, smtp_server
):  # noqa: F811
    stage = _behind(open_round, opd, judge)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    result = app.test_cli_runner().invoke(args=["juri", "remind-judges", str(stage.id)])
    assert result.exit_code == 0, result.output
    assert "1 judges reminded; 1 emailed" in result.output
    [(to, msg)] = smtp_server.messages
    assert to == ["hendra@unsri.ac.id"]
    assert msg["Subject"] == "Pengingat: lembar penilaian untuk Penilaian Proposal"
    [note] = _outbox("judge_reminder")
    assert note.user_id == judge.id and "1 dari 1 lembar penilaian Anda" in note.body


def test_no_judge_reminder_after_scoring_closed(app, committee, opd, judge, open_round):
    stage = _behind(open_round, opd, judge)
    stage.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["juri", "remind-judges", str(stage.id)])
    assert result.exit_code != 0 and "ditutup pada" in result.output
    assert _outbox("judge_reminder") == []
