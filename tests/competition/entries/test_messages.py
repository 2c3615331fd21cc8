"""What an entry's life writes to the outbox (``competition.entries.messages``): the screening
decision, and the reminder to OPDs whose proposals are still drafts before submission closes
(from the dashboard and ``flask juri remind-drafts``; emailed when SMTP is configured)."""

from datetime import timedelta

from sqlalchemy import select

from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries import screening
from competition.notifications.models import Notification
from tests import factories
from tests.competition.notifications.test_notifications import smtp_server  # noqa: F401 (fixture)


def _outbox(kind):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def test_screening_decision_reaches_the_outbox(app, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    screening.decide(
        entry=entry, eligible=False, reason="SK belum ditandatangani", actor=committee, now=utcnow()
    )
    db.session.commit()
    by_kind = {n.kind: n for n in _outbox("entry_screened")}
    assert by_kind["entry_screened"].subject == "Seleksi administrasi tidak lolos: SI-PANDAI"
    assert "SK belum ditandatangani" in by_kind["entry_screened"].body


def _drafts(open_round, opd, other_opd):
    opd.email = "inovasi@dinkes.palembang.go.id"
    factories.make_entry(open_round, opd, title="Posyandu Digital", submitted=False)
    factories.make_entry(open_round, opd, title="SI-GESIT", submitted=False)
    factories.make_entry(open_round, other_opd, title="Tirta Cepat")  # submitted: no reminder
    db.session.commit()


def test_committee_reminds_opds_with_drafts(app, login, committee, opd, other_opd, open_round):
    _drafts(open_round, opd, other_opd)
    client = login(committee)
    page = client.get(f"/committee/rounds/{open_round.id}/dashboard").text
    assert "2 proposal masih berupa draf." in page
    response = client.post(
        f"/committee/rounds/{open_round.id}/remind-drafts", follow_redirects=True
    )
    assert "1 akun OPD diingatkan untuk mengirim drafnya." in response.text
    [note] = _outbox("draft_reminder")
    assert note.user_id == opd.id and note.recipient == "inovasi@dinkes.palembang.go.id"
    assert note.subject == "Pengingat: kirim proposal Anda ke KOINYANLIK 2026"
    assert "- Posyandu Digital\n- SI-GESIT" in note.body and "Tirta Cepat" not in note.body
    closes = open_round.submission_closes_at + timedelta(hours=7)  # Asia/Jakarta
    assert f"{closes.day} " in note.body and str(closes.year) in note.body
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "remind_drafts"))


def test_no_draft_reminder_after_the_deadline(app, login, committee, opd, other_opd, open_round):
    _drafts(open_round, opd, other_opd)
    open_round.submission_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client = login(committee)
    assert "remind-drafts" not in client.get(f"/committee/rounds/{open_round.id}/dashboard").text
    response = client.post(
        f"/committee/rounds/{open_round.id}/remind-drafts", follow_redirects=True
    )
    assert "ditutup pada" in response.text
    assert _outbox("draft_reminder") == []


def test_draft_reminder_is_emailed_through_smtp(
    app, login, committee, opd, other_opd, open_round, smtp_server
):  # noqa: F811
    opd.locale = "en"
    _drafts(open_round, opd, other_opd)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    login(committee).post(f"/committee/rounds/{open_round.id}/remind-drafts")
    [(to, msg)] = smtp_server.messages
    assert to == ["inovasi@dinkes.palembang.go.id"]
    assert msg["Subject"] == "Reminder: submit your proposal to KOINYANLIK 2026"
    assert "Posyandu Digital" in msg.get_payload(decode=True).decode()
    [note] = _outbox("draft_reminder")
    assert note.sent_at is not None


def test_remind_drafts_command(app, committee, opd, other_opd, open_round, smtp_server):  # noqa: F811
    _drafts(open_round, opd, other_opd)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["juri", "remind-drafts", str(open_round.id)])
    assert result.exit_code == 0, result.output
    assert "1 OPD accounts reminded" in result.output and "outbox" in result.output
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    result = runner.invoke(args=["juri", "remind-drafts", str(open_round.id)])
    assert "1 emailed" in result.output
    assert [to for to, _msg in smtp_server.messages] == [["inovasi@dinkes.palembang.go.id"]]
    assert len(_outbox("draft_reminder")) == 2
