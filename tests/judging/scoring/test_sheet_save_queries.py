"""Saving a score sheet reads only what the save needs: no entry, proposal or attachments (unless
the form comes back with an error), no earlier history of the sheet, the rubric once, the
scores with the assignment, and no reload of the assignment after the commit; the history is
still complete and in order."""

from contextlib import contextmanager

from sqlalchemy import event, select

from competition.db import db
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreChange, ScoreSheet
from tests import factories


@contextmanager
def statements():
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _scores(stage, value, **extra):
    data = {}
    for c in rubric_service.list_criteria(stage):
        data[f"score_{c.id}"] = value
        data[f"comment_{c.id}"] = f"Catatan {c.name}"
    return data | extra


def _reads(seen, table):
    return [s for s in seen if s.startswith("SELECT") and f" FROM {table}" in s]


def test_saving_a_sheet_reads_neither_the_entry_nor_the_history(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    url = f"/judge/assignments/{a.id}"
    assert client.post(url, data=_scores(stage, "6", save="1")).status_code == 302
    for data in (_scores(stage, "7", save="1"), _scores(stage, "8", send="1")):
        db.session.expunge_all()  # the test client shares the session: empty it, as a request's
        with statements() as seen:
            r = client.post(url, data=data)
        assert r.status_code == 302
        assert not _reads(seen, "entries") and not _reads(seen, "attachments"), seen
        assert not _reads(seen, "score_changes"), seen
        assert len(_reads(seen, "assignments")) == 1, seen  # no reload after the commit
        assert len(_reads(seen, "criteria")) == 1, seen  # the view's rubric, not read again
        assert not _reads(seen, "scores"), seen  # joined to the assignment's statement
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.is_submitted and sheet.total == 8
    history = db.session.execute(
        select(ScoreChange.event, ScoreChange.old_value, ScoreChange.new_value)
        .where(ScoreChange.sheet_id == sheet.id)
        .order_by(ScoreChange.id)
    ).all()
    n = len(rubric_service.list_criteria(stage))
    assert history == ([("score", None, 6)] * n + [("score", 6, 7)] * n + [("score", 7, 8)] * n) + [
        ("submitted", None, None)
    ]


def test_a_refused_save_shows_the_entry_again(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, title="Pojok Baca Digital")
    a = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    client, url, data = login(judge), f"/judge/assignments/{a.id}", _scores(stage, "99", save="1")
    db.session.expunge_all()  # nothing of the entry left in the session the client shares
    r = client.post(url, data=data)
    assert r.status_code == 422
    assert "Pojok Baca Digital" in r.text and "Dinas Kesehatan Kota Palembang" in r.text
    assert 'value="99"' in r.text  # as typed


def test_get_assignment_for_refuses_another_judges_assignment(app, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    other = factories.make_user(role="judge", username="juri2")
    theirs = factories.make_assignment(stage, factories.make_entry(open_round, opd), other)
    db.session.commit()
    for with_entry in (True, False):
        try:
            sheet_service.get_assignment_for(judge, theirs.id, with_entry=with_entry)
        except sheet_service.NotAllowed:
            pass
        else:
            raise AssertionError("another judge's assignment was given out")
        got = sheet_service.get_assignment_for(other, theirs.id, with_entry=with_entry)
        assert got.id == theirs.id


def _history(sheet_id):
    return db.session.execute(
        select(ScoreChange.event, ScoreChange.old_value, ScoreChange.new_value)
        .where(ScoreChange.sheet_id == sheet_id)
        .order_by(ScoreChange.id)
    ).all()


def test_an_incomplete_submission_keeps_the_draft_and_its_history(
    app, login, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    data = _scores(stage, "6", send="1")
    first = rubric_service.list_criteria(stage)[0]
    data[f"score_{first.id}"] = ""
    r = login(judge).post(f"/judge/assignments/{a.id}", data=data)
    assert r.status_code == 422
    sheet = db.session.scalar(select(ScoreSheet))
    assert not sheet.is_submitted
    n = len(rubric_service.list_criteria(stage))
    # the empty score's comment is its change
    assert _history(sheet.id) == [("score", None, None)] + [("score", None, 6)] * (n - 1)


def test_a_loaded_history_gets_the_new_changes(app, opd, judge, open_round):
    """The service on a sheet whose history is loaded (as the committee's sheet page loads it)
    appends to it: the loaded list and the table agree, in order."""
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    criteria = rubric_service.list_criteria(stage)

    def save(value, submit=False):
        inputs = {c.id: sheet_service.CriterionInput(value, "") for c in criteria}
        return sheet_service.save_sheet(
            assignment=a, inputs=inputs, submit=submit, actor=judge, now=factories.utcnow()
        )

    sheet = save(5)
    db.session.commit()
    assert len(sheet.changes) == len(criteria)  # loaded now
    save(6, submit=True)
    db.session.commit()
    loaded = [(c.event, c.old_value, c.new_value) for c in sheet.changes]
    assert loaded == _history(sheet.id)
    assert loaded[-len(criteria) - 1 :] == [("score", 5, 6)] * len(criteria) + [
        ("submitted", None, None)
    ]


def test_saving_and_submitting_a_sheet_take_few_statements(app, login, opd, judge, open_round):
    """The statements of a save, counted: the user; the assignment with its stage, sheet and
    scores; the rubric; the stage, locked; the sheet; its scores (one INSERT on PostgreSQL,
    one per criterion on SQLite; an UPDATE of the changed ones); its history in one INSERT;
    the audit head, then the audit records with the head (one statement on PostgreSQL, two on
    SQLite). A submission with unchanged scores writes no score."""
    stage = factories.make_stage(open_round, method="bias_scale")  # no method to fix
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client, url = login(judge), f"/judge/assignments/{a.id}"
    client.get("/judge/")  # the session's first request loads what every request needs
    postgres = db.engine.dialect.name == "postgresql"
    counts, score_inserts = [], []
    for data in (
        _scores(stage, "6", save="1"),
        _scores(stage, "7", save="1"),
        _scores(stage, "7", send="1"),
    ):
        db.session.expunge_all()  # the test client shares the session: empty it, as a request's
        with statements() as seen:
            assert client.post(url, data=data).status_code == 302
        inserts = [s for s in seen if s.startswith("INSERT INTO scores ")]
        score_inserts.append(len(inserts))
        counts.append(len(seen) - len(inserts) - (1 if postgres else 2))
    n = len(rubric_service.list_criteria(stage))
    assert score_inserts == [1 if postgres else n, 0, 0]
    assert counts == [7, 8, 7], counts
