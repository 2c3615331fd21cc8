"""The judge reads the committee's reason on a sheet the committee reopened, until the sheet is
submitted again; a sheet never reopened shows none."""

import re

from competition.db import db, utcnow
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _submit(assignment, judge, value=7.0):
    criteria = rubric_service.list_criteria(assignment.stage)
    sheet_service.save_sheet(
        assignment=assignment,
        submit=True,
        actor=judge,
        now=utcnow(),
        inputs={c.id: sheet_service.CriterionInput(value) for c in criteria},
    )
    db.session.commit()


def test_the_judge_reads_why_the_sheet_was_reopened(app, login, committee, judge, opd, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    url = f"/judge/assignments/{assignment.id}"
    _submit(assignment, judge)
    sheet_id = assignment.sheet.id
    reason = "Total 0,7 tampak salah ketik: mohon periksa Kriteria A."
    assert reason not in _text(login(judge).get(url).text)
    response = login(committee).post(
        f"/committee/stages/{stage.id}/sheets/{sheet_id}/reopen", data={"reason": reason}
    )
    assert response.status_code == 302
    page = _text(login(judge).get(url).text)
    assert "Panitia membuka kembali lembar ini dan meminta Anda memeriksanya:" in page
    assert reason in page
    # submitted again: the note is history (the committee's sheet page keeps it)
    db.session.expire_all()
    _submit(db.session.get(type(assignment), assignment.id), judge, 8.0)
    assert reason not in _text(login(judge).get(url).text)
    detail = login(committee).get(f"/committee/stages/{stage.id}/sheets/{sheet_id}").text
    assert reason in _text(detail)


def test_a_draft_never_reopened_has_no_note(app, login, judge, opd, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    assignment = factories.make_assignment(stage, entry, judge)
    criteria = rubric_service.list_criteria(stage)
    sheet_service.save_sheet(
        assignment=assignment,
        submit=False,
        actor=judge,
        now=utcnow(),
        inputs={criteria[0].id: sheet_service.CriterionInput(5.0)},
    )
    db.session.commit()
    assert sheet_service.reopen_note(assignment.sheet) is None
    page = login(judge).get(f"/judge/assignments/{assignment.id}").text
    assert 'id="reopen-note"' not in page
