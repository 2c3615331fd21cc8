"""A sheet typed on a 1-10 scale where the rubric is 0-100: the submission is held as a draft
until the judge confirms the low scores (``sheets.looks_like_a_tenth``), in both languages,
with every typed value kept."""

from sqlalchemy import select

from competition.db import db
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreChange, ScoreSheet, SheetStatus
from tests import factories


def _stage(open_round, lo=0, hi=100):
    stage = factories.make_stage(open_round)
    stage.scale_min, stage.scale_max = lo, hi
    return stage


def _data(stage, values, **extra):
    data = {}
    for c, v in zip(rubric_service.list_criteria(stage), values, strict=True):
        data[f"score_{c.id}"] = v
        data[f"comment_{c.id}"] = f"Catatan {c.name}"
    data.update(extra)
    return data


TENTHS = ["8.6", "9", "7.5", "8", "9.1"]  # meant 86, 90, 75, 80, 91


def test_looks_like_a_tenth_only_on_wide_scales_and_only_when_every_score_is_low():
    assert sheet_service.looks_like_a_tenth([8.6, 9, 7.5], 0, 100)
    assert sheet_service.looks_like_a_tenth([10, 10], 0, 100)  # 10 is the tenth's top
    assert not sheet_service.looks_like_a_tenth([8.6, 9, 75], 0, 100)  # one real score
    assert not sheet_service.looks_like_a_tenth([10.5], 0, 100)
    assert sheet_service.looks_like_a_tenth([10.9, 2], 1, 100)  # 1-100: the tenth ends at 10.9
    assert not sheet_service.looks_like_a_tenth([1, 2], 1, 10)  # on 1-10 a low score is low
    assert not sheet_service.looks_like_a_tenth([3, 4], 1, 20)  # nor on 1-20 (19 wide)
    assert sheet_service.looks_like_a_tenth([3, 4], 0, 50)
    assert not sheet_service.looks_like_a_tenth([], 0, 100)
    assert not sheet_service.looks_like_a_tenth([5, None], 0, 100)


def test_a_submission_on_a_tenth_of_the_scale_waits_for_confirmation(
    app, login, opd, judge, open_round
):
    stage = _stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    assert 'id="confirm-low"' not in client.get(f"/judge/assignments/{a.id}").text
    r = client.post(f"/judge/assignments/{a.id}", data=_data(stage, TENTHS, send="1"))
    assert r.status_code == 422
    assert "Semua nilai pada lembar ini 10 atau kurang pada skala 0 sampai 100" in r.text
    assert "8,6 untuk 86" in r.text and "Draf Anda tersimpan" in r.text
    assert 'id="confirm-low"' in r.text and 'name="confirm_low"' in r.text
    assert 'value="8.6"' in r.text or 'value="8,6"' in r.text  # what was typed stays
    assert "Catatan Kebaruan" in r.text
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == SheetStatus.DRAFT and sheet.total is not None and sheet.total < 10
    assert not db.session.scalar(select(ScoreChange).where(ScoreChange.event == "submitted"))

    # ticked: submitted as typed
    data = _data(stage, TENTHS, send="1", confirm_low="y", version=str(sheet.version_id))
    assert client.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == SheetStatus.SUBMITTED and sheet.total < 10


def test_corrected_scores_submit_without_the_box_and_english_reads(
    app, login, opd, judge, open_round
):
    stage = _stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    with client.session_transaction() as s:
        s["lang"] = "en"
    r = client.post(f"/judge/assignments/{a.id}", data=_data(stage, TENTHS, send="1"))
    assert r.status_code == 422
    assert "were they typed on a 1-10 scale (8.6 for 86)?" in r.text
    assert "These low scores are right: submit them as they are" in r.text
    sheet = db.session.scalar(select(ScoreSheet))
    fixed = ["86", "90", "75", "80", "91"]
    data = _data(stage, fixed, send="1", version=str(sheet.version_id))
    assert client.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == SheetStatus.SUBMITTED and sheet.total > 80


def test_drafts_and_narrow_scales_are_never_held(app, login, opd, judge, open_round):
    wide = _stage(open_round)
    narrow = _stage(open_round, 1, 10)
    entry = factories.make_entry(open_round, opd)
    a = factories.make_assignment(wide, entry, judge)
    b = factories.make_assignment(narrow, entry, judge)
    db.session.commit()
    client = login(judge)
    # a draft on the wide scale is saved without a word
    r = client.post(f"/judge/assignments/{a.id}", data=_data(wide, TENTHS, save="1"))
    assert r.status_code == 302
    # on 1-10 the same scores are simply submitted
    r = client.post(f"/judge/assignments/{b.id}", data=_data(narrow, TENTHS, send="1"))
    assert r.status_code == 302
    sheets = {s.assignment_id: s for s in db.session.scalars(select(ScoreSheet))}
    assert sheets[a.id].status == SheetStatus.DRAFT
    assert sheets[b.id].status == SheetStatus.SUBMITTED
