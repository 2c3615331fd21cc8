"""The score history written in one INSERT (``judging.scoring.sheets._change`` rows) takes the
columns it is not given from ScoreChange's own defaults: a row written that way and one the ORM
writes from the same values are alike in every column, and a changed model default is followed
(no copy of the defaults to drift)."""

from datetime import UTC, datetime

from sqlalchemy import insert, select

from competition.db import db
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreChange, ScoreSheet
from tests import factories

WHEN = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
COLUMNS = [c for c in ScoreChange.__table__.columns if c.key not in ("id", "sheet_id")]


def _row(change_id):
    return db.session.execute(select(*COLUMNS).where(ScoreChange.id == change_id)).one()._asdict()


def test_one_insert_rows_are_the_orms_rows(app, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    sheet = ScoreSheet(assignment=a)
    db.session.add(sheet)
    db.session.flush()
    criterion_id = rubric_service.list_criteria(stage)[0].id
    cases = [
        {"changed_by_id": judge.id, "changed_at": WHEN},
        {"changed_by_id": judge.id, "changed_at": WHEN, "event": "submitted"},
        {
            "changed_by_id": judge.id,
            "changed_at": WHEN,
            "criterion_id": criterion_id,
            "old_value": 6.5,
            "new_value": 7.0,
            "comment_changed": True,
        },
    ]
    for given in cases:
        orm = ScoreChange(sheet_id=sheet.id, **given)
        db.session.add(orm)
        db.session.flush()
        row = sheet_service._change(**given)
        assert set(row) == {c.key for c in COLUMNS}  # every column named: one INSERT for all
        one_insert = db.session.execute(
            insert(ScoreChange.__table__).returning(ScoreChange.id), [dict(row, sheet_id=sheet.id)]
        ).scalar_one()
        assert _row(one_insert) == _row(orm.id), given


def test_changed_at_defaults_to_now(app):
    before = datetime.now(UTC)
    row = sheet_service._change(changed_by_id=1)
    assert before <= row["changed_at"] <= datetime.now(UTC)
    assert row["event"] == "score" and row["note"] == "" and row["comment_changed"] is False


def test_a_changed_model_default_is_followed(app, monkeypatch):
    note = ScoreChange.__table__.c.note.default
    monkeypatch.setattr(note, "arg", "(tanpa catatan)")
    sheet_service._change_defaults.cache_clear()
    try:
        assert sheet_service._change(changed_by_id=1)["note"] == "(tanpa catatan)"
    finally:
        monkeypatch.undo()
        sheet_service._change_defaults.cache_clear()
    assert sheet_service._change(changed_by_id=1)["note"] == ""
