"""A judge learns that the committee reopened one of their score sheets: one message through the
outbox (mailed when SMTP is configured) with the stage, the entry (no organisation under blind
review), the committee's reason, when scoring closes and a link to the sheet; and the judge's
worklist shows the reopened sheet first with a "Reopened" badge until it is submitted again,
in the same one statement whatever the number of reopened sheets."""

import re
from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.notifications.models import Notification
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.competition.notifications.test_notifications import smtp_server  # noqa: F401 (fixture)
from tests.test_query_budget import count_queries

REASON = 'Total 0,7 tampak salah ketik: mohon periksa "Kriteria A" & <Dampak>.'


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _save(assignment, judge, value=7.0, *, submit=True):
    criteria = rubric_service.list_criteria(assignment.stage)
    sheet_service.save_sheet(
        assignment=assignment,
        submit=submit,
        actor=judge,
        now=utcnow(),
        inputs={c.id: sheet_service.CriterionInput(value) for c in criteria},
    )
    db.session.commit()


def _reopen(login, committee, assignment, reason=REASON):
    stage_id, sheet_id = assignment.stage_id, assignment.sheet.id
    response = login(committee).post(
        f"/committee/stages/{stage_id}/sheets/{sheet_id}/reopen", data={"reason": reason}
    )
    assert response.status_code == 302
    db.session.expire_all()


def _outbox(user):
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == "sheet_reopened")
            .order_by(Notification.id)
        )
    )


def _submitted_sheet(open_round, opd, judge, *, title="SI-PANDAI"):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, title=title)
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    _save(assignment, judge)
    return stage, assignment


def test_reopening_tells_the_judge_once_and_mails_it(
    app, login, committee, judge, opd, open_round, smtp_server
):  # noqa: F811
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    judge.email = "hendra@unsri.ac.id"
    stage, assignment = _submitted_sheet(open_round, opd, judge)
    assert _outbox(judge) == []
    _reopen(login, committee, assignment)
    [note] = _outbox(judge)
    assert note.recipient == "hendra@unsri.ac.id"
    assert note.subject == f"Lembar penilaian dibuka kembali: {stage.name}, {open_round.name}"
    body = note.body
    assert "Panitia membuka kembali lembar penilaian Anda untuk" in body
    assert '"SI-PANDAI (Dinas Kesehatan Kota Palembang)"' in body
    assert REASON in body  # plain text: not escaped
    assert "sebelum penilaian ditutup pada" in body and str(stage.closes_at.year) in body
    assert body.endswith(f"/judge/assignments/{assignment.id}")
    # delivered after the request's commit, once
    [(to, msg)] = smtp_server.messages
    assert to == ["hendra@unsri.ac.id"] and msg["Subject"] == note.subject
    assert db.session.get(Notification, note.id).sent_at is not None


def test_the_message_is_in_the_judges_language(app, login, committee, judge, opd, open_round):
    judge.locale = "en"
    stage, assignment = _submitted_sheet(open_round, opd, judge)
    _reopen(login, committee, assignment)
    [note] = _outbox(judge)
    assert note.subject == f"Score sheet reopened: {stage.name}, {open_round.name}"
    assert "The committee reopened your score sheet" in note.body
    assert "before scoring closes on" in note.body and REASON in note.body


def test_a_refused_reopening_tells_nobody(app, login, committee, judge, opd, open_round):
    stage = factories.make_stage(open_round)
    assignment = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    _save(assignment, judge, submit=False)  # a draft: nothing to reopen
    response = login(committee).post(
        f"/committee/stages/{stage.id}/sheets/{assignment.sheet.id}/reopen",
        data={"reason": REASON},
    )
    assert response.status_code != 302
    assert _outbox(judge) == []


def test_blind_review_hides_the_organisation(app, login, committee, judge, opd, open_round):
    stage, assignment = _submitted_sheet(
        open_round, opd, judge, title="SI-PANDAI Dinas Kesehatan Kota Palembang"
    )
    stage.blind_review = True
    db.session.commit()
    _reopen(login, committee, assignment)
    [note] = _outbox(judge)
    assert "Palembang" not in note.body and "Palembang" not in note.subject
    assert '"SI-PANDAI ▇▇▇"' in note.body and REASON in note.body


def _worklist(login, judge):
    return login(judge).get("/judge/").text


def _rows(html):
    return re.findall(r"<tr class=\"(?:todo|done)\">.*?</tr>", html, flags=re.S)


def test_the_worklist_shows_the_reopened_sheet_first_until_submitted_again(
    app, login, committee, judge, opd, other_opd, open_round
):
    stage = factories.make_stage(open_round)
    factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    reopened = factories.make_assignment(
        stage, factories.make_entry(open_round, other_opd, title="Air Bersih"), judge
    )
    db.session.commit()
    _save(reopened, judge)
    rows = _rows(_worklist(login, judge))
    assert "Air Bersih" in rows[1] and "Dibuka kembali" not in "".join(rows)  # submitted: last
    _reopen(login, committee, reopened)
    rows = _rows(_worklist(login, judge))
    assert len(rows) == 2 and "Air Bersih" in rows[0]  # reopened: first of what is to do
    assert 'class="todo"' in rows[0] and ">Dibuka kembali</span>" in rows[0]
    escaped = (
        "Total 0,7 tampak salah ketik: mohon periksa &#34;Kriteria A&#34; &amp; &lt;Dampak&gt;."
    )
    assert f'title="{escaped}"' in rows[0] and f'<small class="reopen-note">{escaped}' in rows[0]
    assert "Dibuka kembali" not in rows[1]
    # submitted again: an ordinary submitted sheet, last again, no badge
    _save(db.session.get(Assignment, reopened.id), judge, 8.0)
    rows = _rows(_worklist(login, judge))
    assert "Air Bersih" in rows[1] and "Dibuka kembali" not in "".join(rows)
    assert "salah ketik" not in "".join(rows)


def test_the_worklist_badge_in_english(app, login, committee, judge, opd, open_round):
    judge.locale = "en"
    _stage, assignment = _submitted_sheet(open_round, opd, judge)
    _reopen(login, committee, assignment)
    [row] = _rows(_worklist(login, judge))
    assert ">Reopened</span>" in row and "Dibuka kembali" not in row


def test_worklist_queries_do_not_grow_with_reopened_sheets(
    app, login, committee, judge, opd, open_round
):
    stage = factories.make_stage(open_round)
    assignments = [
        factories.make_assignment(
            stage, factories.make_entry(open_round, opd, title=f"Inovasi {i}"), judge
        )
        for i in range(4)
    ]
    db.session.commit()
    for a in assignments:
        _save(a, judge)
    ids = [(stage.id, a.sheet.id) for a in assignments]
    client, committee_client = login(judge), login(committee)
    client.get("/judge/")  # the session's first request loads what every request needs
    counts = []
    for batch, reopened in ((ids[:1], 1), (ids[1:3], 3)):  # one reopened sheet, then three
        for stage_id, sheet_id in batch:
            response = committee_client.post(
                f"/committee/stages/{stage_id}/sheets/{sheet_id}/reopen", data={"reason": REASON}
            )
            assert response.status_code == 302
        db.session.expunge_all()
        with count_queries() as statements:
            page = client.get("/judge/").text
        assert page.count(">Dibuka kembali</span>") == reopened
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_reopened_after_scoring_closed_the_message_says_so(
    app, login, committee, judge, opd, open_round
):
    stage, assignment = _submitted_sheet(open_round, opd, judge)
    stage.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    _reopen(login, committee, assignment)
    [note] = _outbox(judge)
    assert "Penilaian tahap ini ditutup pada" in note.body
    assert "tanyakan kepada panitia cara memperbaikinya" in note.body
    assert "sebelum penilaian ditutup" not in note.body
