"""Conflicts of interest: affiliation, declared conflicts, recusal from the sheet."""

from sqlalchemy import func, select

from competition.db import db
from judging.panels import assignment as assignment_service
from judging.panels.models import Assignment, Conflict
from judging.scoring import rubric as rubric_service
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories


def _pairs():
    return {tuple(r) for r in db.session.execute(select(Assignment.entry_id, Assignment.judge_id))}


def _setup(open_round, n_opds=4, n_judges=4):
    opds = [factories.make_opd_user(f"OPD {i}", username=f"opd{i}") for i in range(n_opds)]
    entries = [
        factories.make_entry(open_round, u, title=f"Inovasi {i}") for i, u in enumerate(opds)
    ]
    judges = [
        factories.make_user(role="judge", username=f"j{i}", name=f"Juri {i}")
        for i in range(n_judges)
    ]
    stage = factories.make_stage(open_round)
    db.session.commit()
    return opds, entries, judges, stage


def test_declared_conflicts_are_never_assigned(app, login, committee, open_round):
    opds, entries, judges, stage = _setup(open_round)
    client = login(committee)
    r = client.post(
        f"/committee/stages/{stage.id}/conflicts",
        data={
            "judge": judges[0].id,
            "entry": entries[0].id,
            "organisation": 0,
            "reason": "Pernah menjadi konsultan inovasi ini",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/committee/stages/{stage.id}/conflicts",
        data={
            "judge": judges[1].id,
            "entry": 0,
            "organisation": opds[1].organisation_id,
            "reason": "Mantan pegawai",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/committee/stages/{stage.id}/conflicts/affiliation",
        data={"judge": judges[2].id, "organisation": opds[2].organisation_id},
    )
    assert r.status_code == 302
    page = client.get(f"/committee/stages/{stage.id}/conflicts").text
    assert "Pernah menjadi konsultan inovasi ini" in page and "Mantan pegawai" in page

    assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    pairs = _pairs()
    assert len(pairs) == 12
    for forbidden in [
        (entries[0].id, judges[0].id),
        (entries[1].id, judges[1].id),
        (entries[2].id, judges[2].id),
    ]:
        assert forbidden not in pairs
    # Manual assignment refuses every kind of conflict.
    for e, j in [(0, 0), (1, 1), (2, 2)]:
        r = client.post(
            f"/committee/stages/{stage.id}/assignments/manual",
            data={"entry": entries[e].id, "judge": judges[j].id},
        )
        assert r.status_code == 409
        assert "konflik kepentingan" in r.text
    assert len(_pairs()) == 12


def test_declaring_a_conflict_removes_the_unsubmitted_assignment(app, login, committee, open_round):
    opds, entries, judges, stage = _setup(open_round)
    factories.make_assignment(stage, entries[0], judges[0])
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/conflicts/affiliation",
        data={"judge": judges[0].id, "organisation": opds[0].organisation_id},
    )
    assert r.status_code == 302
    assert _pairs() == set()
    assert judges[0].organisation_id == opds[0].organisation_id


def test_conflict_with_a_submitted_sheet_is_refused(app, login, committee, open_round):
    opds, entries, judges, stage = _setup(open_round)
    a = factories.make_assignment(stage, entries[0], judges[0])
    db.session.add(ScoreSheet(assignment=a, status=SheetStatus.SUBMITTED))
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/conflicts",
        data={
            "judge": judges[0].id,
            "entry": entries[0].id,
            "organisation": 0,
            "reason": "Terlambat diketahui",
        },
    )
    assert r.status_code == 409
    assert "Terlambat diketahui" in r.text  # the typed reason is kept
    assert db.session.scalar(select(func.count(Conflict.id))) == 0
    assert len(_pairs()) == 1


def test_judge_recuses_from_the_sheet(app, login, committee, open_round):
    opds, entries, judges, stage = _setup(open_round)
    a = factories.make_assignment(stage, entries[0], judges[0])
    db.session.commit()
    client = login(judges[0])
    assert "Saya memiliki konflik kepentingan" in client.get(f"/judge/assignments/{a.id}").text
    # A draft first, then a recusal without a reason is refused and the draft kept.
    first = rubric_service.list_criteria(stage)[0]
    client.post(f"/judge/assignments/{a.id}", data={f"score_{first.id}": "7", "save": "1"})
    r = client.post(f"/judge/assignments/{a.id}/recuse", data={"reason": ""})
    assert r.status_code == 422
    assert 'value="7"' in r.text
    assert len(_pairs()) == 1

    r = client.post(
        f"/judge/assignments/{a.id}/recuse", data={"reason": "Istri saya bekerja di OPD ini"}
    )
    assert r.status_code == 302
    assert _pairs() == set()
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == 0
    conflict = db.session.scalar(select(Conflict))
    assert conflict.is_recusal and conflict.entry_id == entries[0].id
    assert client.get(f"/judge/assignments/{a.id}").status_code == 404
    # The committee sees the recusal and automatic assignment never gives it back.
    page = login(committee).get(f"/committee/stages/{stage.id}/conflicts").text
    assert "Istri saya bekerja di OPD ini" in page
    factories.make_assignment(stage, entries[1], judges[1])
    db.session.commit()
    page = login(committee).get(f"/committee/stages/{stage.id}/assignments").text
    assert "perlu penugasan ulang: 0 dari 3 juri" in page
    assignment_service.auto_assign(stage=stage, judges_per_entry=4, actor=committee)
    db.session.commit()
    assert (entries[0].id, judges[0].id) not in _pairs()


def test_recusal_after_submission_is_refused(app, login, open_round):
    opds, entries, judges, stage = _setup(open_round)
    a = factories.make_assignment(stage, entries[0], judges[0])
    db.session.add(ScoreSheet(assignment=a, status=SheetStatus.SUBMITTED))
    db.session.commit()
    r = login(judges[0]).post(f"/judge/assignments/{a.id}/recuse", data={"reason": "Lupa"})
    assert r.status_code == 409
    assert len(_pairs()) == 1


def test_other_judge_cannot_recuse_for_someone(app, login, open_round):
    opds, entries, judges, stage = _setup(open_round)
    a = factories.make_assignment(stage, entries[0], judges[0])
    db.session.commit()
    r = login(judges[1]).post(f"/judge/assignments/{a.id}/recuse", data={"reason": "x"})
    assert r.status_code == 404
    assert len(_pairs()) == 1
