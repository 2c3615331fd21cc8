"""The message a judge receives when entries are assigned to them
(``judging.panels.messages``), in the judge's language."""

from sqlalchemy import select

from competition.db import db, utcnow
from competition.notifications.models import Notification
from judging.panels import assignment as assignment_service
from judging.panels import messages
from tests import factories


def _outbox():
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_assignment_reaches_the_outbox(app, committee, opd, judge, open_round):
    judge.email = "hendra@unsri.ac.id"
    stage = factories.make_stage(open_round)
    other = factories.make_entry(open_round, opd, title="SI-CEPAT")
    assignment_service.assign(stage=stage, entry=other, judge=judge, actor=committee)
    db.session.commit()
    by_kind = {n.kind: n for n in _outbox()}
    assert by_kind["judge_assigned"].recipient == "hendra@unsri.ac.id"
    assert "1 inovasi" in by_kind["judge_assigned"].body


def test_judges_assigned_tells_each_judge_their_count_in_their_language(app, judge, open_round):
    stage = factories.make_stage(open_round)
    other = factories.make_user(role="judge", username="juri2", name="Ann")
    other.locale = "en"
    with app.test_request_context():
        messages.judges_assigned(stage=stage, counts={judge.id: 3, other.id: 1}, now=utcnow())
    hendra, ann = _outbox()
    assert (hendra.user_id, ann.user_id) == (judge.id, other.id)
    assert hendra.subject == f"Inovasi baru untuk dinilai: {open_round.name}, {stage.name}"
    assert hendra.body.startswith(f"3 inovasi ditugaskan kepada Anda pada {stage.name}")
    assert ann.subject == f"New entries to score: {open_round.name}, {stage.name}"
    assert ann.body.startswith(f"1 entries were assigned to you in {stage.name}")
    assert hendra.body.endswith("/judge/") and ann.body.endswith("/judge/")
