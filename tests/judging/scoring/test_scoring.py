"""Assignment and score sheets through the test client."""

from datetime import timedelta

from sqlalchemy import func, select

from competition.db import db, utcnow
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories


def _scores(stage, value="8", **extra):
    data = {}
    for c in rubric_service.list_criteria(stage):
        data[f"score_{c.id}"] = value
        data[f"comment_{c.id}"] = f"Catatan {c.name}"
    data.update(extra)
    return data


def test_judge_scores_drafts_and_submits(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    a = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    client = login(judge)
    assert entry.title in client.get("/judge/").text

    r = client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "7", save="1"))
    assert r.status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == SheetStatus.DRAFT and sheet.total == 7
    page = client.get(f"/judge/assignments/{a.id}").text
    assert 'value="7"' in page and "Catatan Kebaruan" in page

    values = dict(
        zip([c.id for c in rubric_service.list_criteria(stage)], ["10", "6", "8", "7", "9"])
    )
    data = _scores(stage, send="1")
    data.update({f"score_{cid}": v for cid, v in values.items()})
    assert client.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    db.session.refresh(sheet)
    # (10*25 + 6*25 + 8*20 + 7*15 + 9*15) / 100 = 8.0
    assert sheet.status == SheetStatus.SUBMITTED and sheet.total == 8.0
    # Locked after submission.
    r = client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "1", save="1"))
    assert r.status_code == 409
    db.session.refresh(sheet)
    assert sheet.total == 8.0


def test_score_out_of_range_is_refused_and_values_kept(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    first = rubric_service.list_criteria(stage)[0]
    data = _scores(stage, "8", send="1")
    data[f"score_{first.id}"] = "11"
    r = login(judge).post(f"/judge/assignments/{a.id}", data=data)
    assert r.status_code == 422
    assert "Masukkan nilai antara 1 dan 10." in r.text
    assert 'value="11"' in r.text and "Catatan Efektivitas" in r.text
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == 0


def test_submit_with_missing_criterion_keeps_draft(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    data = _scores(stage, "8", send="1")
    data[f"score_{rubric_service.list_criteria(stage)[-1].id}"] = ""
    r = login(judge).post(f"/judge/assignments/{a.id}", data=data)
    assert r.status_code == 422
    assert "Beri nilai pada setiap kriteria sebelum mengirim." in r.text
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == SheetStatus.DRAFT and sheet.total is None


def test_closed_stage_refuses_scores_with_deadline(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    stage.closes_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    r = login(judge).post(f"/judge/assignments/{a.id}", data=_scores(stage, "8", send="1"))
    assert r.status_code == 409
    assert "Penilaian tahap ini ditutup pada" in r.text
    assert "Catatan Kebaruan" in r.text


def test_judge_cannot_open_unassigned_entry(app, login, opd, judge, open_round):
    other_judge = factories.make_user(role="judge", username="juri2")
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, title="Rahasia")
    theirs = factories.make_assignment(stage, entry, other_judge)
    db.session.commit()
    client = login(judge)
    assert client.get(f"/judge/assignments/{theirs.id}").status_code == 404
    assert (
        client.post(f"/judge/assignments/{theirs.id}", data=_scores(stage, send="1")).status_code
        == 404
    )
    assert "Rahasia" not in client.get("/judge/").text
    # Entries are not reachable through OPD or committee pages either.
    assert client.get(f"/opd/entries/{entry.id}").status_code == 403
    assert client.get(f"/committee/entries/{entry.id}").status_code == 403


def test_auto_assignment_gives_k_judges_balanced_without_conflicts(
    app, login, committee, open_round
):
    opds = [factories.make_opd_user(f"OPD {i}", username=f"opd{i}") for i in range(6)]
    entries = [
        factories.make_entry(open_round, u, title=f"Inovasi {i}") for i, u in enumerate(opds)
    ]
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(4)]
    # Judge 0 works at OPD 0: a conflict of interest.
    judges[0].organisation_id = opds[0].organisation_id
    stage = factories.make_stage(open_round)
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/assignments/auto", data={"judges_per_entry": "2"}
    )
    assert r.status_code == 302
    rows = db.session.execute(select(Assignment.entry_id, Assignment.judge_id)).all()
    per_entry = {e.id: sum(1 for eid, _ in rows if eid == e.id) for e in entries}
    assert set(per_entry.values()) == {2}
    assert (entries[0].id, judges[0].id) not in rows
    loads = [sum(1 for _, jid in rows if jid == j.id) for j in judges]
    assert max(loads) - min(loads) <= 1


def test_manual_assignment_refuses_conflict(app, login, committee, opd, open_round):
    judge = factories.make_user(
        role="judge", username="orang-dinkes", organisation=opd.organisation
    )
    entry = factories.make_entry(open_round, opd)
    stage = factories.make_stage(open_round)
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/assignments/manual",
        data={"entry": entry.id, "judge": judge.id},
    )
    assert r.status_code == 409
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_decimal_comma_and_point_are_both_read_and_shown_in_the_locale(
    app, login, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    first, second = rubric_service.list_criteria(stage)[:2]
    client = login(judge)
    data = _scores(stage, "8", save="1")
    data[f"score_{first.id}"], data[f"score_{second.id}"] = "7,5", "6.5"
    assert client.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    values = {s.criterion_id: s.value for s in sheet.scores}
    assert values[first.id] == 7.5 and values[second.id] == 6.5
    page = client.get(f"/judge/assignments/{a.id}").text
    assert 'value="7,5"' in page and 'value="6,5"' in page and "7.5" not in page
    assert 'inputmode="decimal"' in page and 'type="number"' not in page
    client.post("/language", data={"lang": "en"})
    assert 'value="7.5"' in client.get(f"/judge/assignments/{a.id}").text
    # Something that is not one number is refused, never read as 785 or 7.
    client.post("/language", data={"lang": "id"})
    data[f"score_{first.id}"] = "7,8,5"
    r = client.post(f"/judge/assignments/{a.id}", data=data)
    assert r.status_code == 422 and "Bukan angka" in r.text and 'value="7,8,5"' in r.text
    assert "Masukkan nilai antara" not in r.text  # one message: no range for a non-number
    client.post("/language", data={"lang": "en"})
    r = client.post(f"/judge/assignments/{a.id}", data=data)
    assert r.status_code == 422 and "Not a number: type for example 78,5 or 78.5." in r.text
    assert "Enter a score between" not in r.text
    client.post("/language", data={"lang": "id"})
    db.session.refresh(sheet)
    assert {s.criterion_id: s.value for s in sheet.scores}[first.id] == 7.5


def test_locked_sheet_shows_scores_with_the_locale_separator(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    assert (
        client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "8,5", send="1")).status_code
        == 302
    )
    page = client.get(f"/judge/assignments/{a.id}").text
    assert 'value="8,5"' in page and "8.5" not in page and "8,50" in page
