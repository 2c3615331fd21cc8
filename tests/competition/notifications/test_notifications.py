"""Notifications go to the outbox; with JURI_MAIL_SERVER they are emailed (tested against a
local aiosmtpd server) by a delivery job queued in the same transaction (in tests the job runs
inline as the transaction commits), without it they stay in the outbox the committee reads."""

import socket
from datetime import date
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db, utcnow
from competition.entries import services as entries
from competition.jobs.models import Job
from competition.notifications import services as notifications
from competition.notifications.models import Notification
from tests import factories
from tests.judging.results.test_api import publish_round


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def _submit(opd, open_round):
    opd.email = "inovasi@dinkes.palembang.go.id"
    entry = factories.make_entry(open_round, opd, submitted=False)
    entries.submit_entry(entry=entry, actor=opd, now=utcnow())
    db.session.commit()
    return entry


def _outbox():
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_without_mail_server_the_receipt_stays_in_the_outbox(
    app, login, opd, committee, open_round
):
    with app.test_request_context():
        _submit(opd, open_round)
    assert db.session.scalars(select(Job)).all() == []  # no mail server: no delivery job
    [note] = _outbox()
    assert note.recipient == "inovasi@dinkes.palembang.go.id" and note.sent_at is None
    assert note.subject == "Proposal diterima: SI-PANDAI"  # the OPD's language: Indonesian
    page = login(committee).get("/committee/outbox/").get_data(as_text=True)
    assert "Proposal diterima: SI-PANDAI" in page and "JURI_MAIL_SERVER" in page


def test_receipt_is_emailed_through_smtp(app, opd, open_round, smtp_server):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_FROM="juri@palembang.go.id"
    )
    with app.test_request_context():
        _submit(opd, open_round)
    [(to, msg)] = smtp_server.messages
    assert to == ["inovasi@dinkes.palembang.go.id"]
    assert msg["Subject"] == "Proposal diterima: SI-PANDAI"
    assert msg["From"] == "juri@palembang.go.id"
    assert "KOINYANLIK 2026" in msg.get_payload(decode=True).decode()
    [note] = _outbox()
    assert note.sent_at is not None and note.error == ""
    [job] = db.session.scalars(select(Job)).all()
    assert (job.kind, job.state, job.attempts, job.result) == (
        notifications.DELIVER,
        "done",
        1,
        {"sent": 1},
    )


def test_rolled_back_change_sends_nothing(app, opd, open_round, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.test_request_context():
        entry = factories.make_entry(open_round, opd, submitted=False)
        db.session.commit()
        opd.email = "x@example.org"
        entries.submit_entry(entry=entry, actor=opd, now=utcnow())
        db.session.rollback()
    assert smtp_server.messages == [] and _outbox() == []
    assert db.session.scalars(select(Job)).all() == []


def test_publication_is_emailed_to_the_opds(app, committee, opd, judge, open_round, smtp_server):
    opd.locale = "en"
    opd.email = "inovasi@dinkes.palembang.go.id"
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.test_request_context():
        publish_round(open_round, committee, opd, judge)
    [(to, msg)] = smtp_server.messages
    assert msg["Subject"].startswith("Results published: KOINYANLIK 2026")
    assert f"/results/{open_round.slug}" in msg.get_payload(decode=True).decode()


def test_unreachable_server_keeps_the_message_with_its_error(app, opd, open_round):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.test_request_context():
        _submit(opd, open_round)
    [note] = _outbox()
    assert note.sent_at is None and "Connection" in note.error
    # the delivery job tried every attempt (inline: without waiting), then gave up
    [job] = db.session.scalars(select(Job)).all()
    assert (job.state, job.attempts) == ("failed", notifications.DELIVERY_ATTEMPTS)
    assert "Connection" in job.error


def test_notify_each_writes_each_message_in_its_recipients_language(app, opd, judge, committee):
    opd.locale, judge.locale, committee.locale = "en", None, "id"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):  # not the page's

        def write(user):
            return _("Draft saved."), f"{user.username} {format_date(date(2026, 8, 17), 'MMMM')}"

        notes = notifications.notify_each(
            [opd, judge, committee], kind="test", now=utcnow(), write=write
        )
    assert [(n.user_id, n.subject, n.body, n.kind) for n in notes] == [
        (opd.id, "Draft saved.", "dinkes August", "test"),
        (judge.id, "Draf tersimpan.", "juri1 Agustus", "test"),  # no language: Indonesian
        (committee.id, "Draf tersimpan.", f"{committee.username} Agustus", "test"),
    ]
    assert _outbox() == notes  # flushed into the outbox with the caller's change


def test_after_the_request_commits_the_outbox_is_emailed(make_app, smtp_server):
    """The app delivers what a request wrote once the view has committed (no explicit call)."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    made = {}

    @app.post("/_test/notify/<int:commit>")
    def _write(commit: int):
        user = db.session.get(User, made["id"])  # ids are not 1 on PostgreSQL (sequences)
        notifications.notify(user=user, kind="test", subject="Uji", body="isi", now=utcnow())
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        return "ok"

    with app.app_context():
        db.create_all()
        user = User(username="a", name="A", role="opd", email="a@example.org", password_hash="x")
        db.session.add(user)
        db.session.commit()
        made["id"] = user.id
        client = app.test_client()
        client.post("/_test/notify/0")
        assert smtp_server.messages == []
        client.post("/_test/notify/1")
        assert [m["Subject"] for _to, m in smtp_server.messages] == ["Uji"]


def test_demo_outbox_shows_what_was_written(app, demo, login):
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"entry_screened", "judge_assigned", "results_published"} <= kinds
    committee = db.session.scalar(select(User).where(User.role == "committee"))
    page = login(committee).get("/committee/outbox/").get_data(as_text=True)
    assert "juri-demo.example" in page
