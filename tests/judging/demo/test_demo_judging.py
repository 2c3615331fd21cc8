"""The demo's judging: KIPP rubric, automatic assignment respecting the demo's conflicts."""

from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.rounds.models import Round, Stage, StageKind
from judging.analysis import blunders
from judging.analysis import uncertainty as unc_service
from judging.demo import content
from judging.panels import assignment as assignment_service
from judging.panels import conflicts
from judging.scoring import rubric as rubric_service
from judging.scoring.models import ScoreChange, ScoreSheet


def _desk_2026():
    """The desk evaluation of the round under way: the first scored stage of its timeline."""
    return db.session.scalars(
        select(Stage)
        .join(Round)
        .where(Stage.kind == StageKind.SCORED, Round.name == "KOINYANLIK 2026")
        .order_by(Stage.position)
    ).first()


def test_demo_assignment_respects_conflicts_with_kipp_rubric(app, demo):
    # the desk evaluation: the first scored stage of the demo's timeline
    stage = _desk_2026()
    criteria = rubric_service.list_criteria(stage)
    assert sum(c.weight for c in criteria) == 100 and len(criteria) == 7
    assert (stage.scale_min, stage.scale_max, stage.pass_mark) == (0, 100, 85)
    judges = assignment_service.list_judges()
    entries = assignment_service.submitted_entries(stage)
    conflicted = conflicts.conflict_pairs(judges, entries)
    # Every demo conflict reaches at least one entry, and none is assigned.
    assert len(conflicted) >= len(content.competition()["conflicts"])
    assignments = assignment_service.list_assignments(stage)
    assert not {(a.entry_id, a.judge_id) for a in assignments} & conflicted
    plan = assignment_service.plan_auto_assign(stage, 3)
    assert plan.add == [] and plan.drop == []  # the confirmed plan is the one applied
    assert plan.plan.load_spread <= 1 and plan.plan.n_components == 1
    assert set(plan.plan.coverage) == {3}
    assert all(0 <= a.sheet.total <= 100 for a in assignments)


def test_demo_shows_a_chair_and_a_reopened_sheet(app, demo, login):
    stage = _desk_2026()
    chair = db.session.scalar(select(User).where(User.username == "juri1"))
    page = login(chair).get("/judge/").text
    assert "Tim Penilai Desk Evaluation" in page
    reopened = db.session.scalar(select(ScoreChange).where(ScoreChange.event == "reopened"))
    assert "Salah ketik" in reopened.note
    sheet = db.session.get(ScoreSheet, reopened.sheet_id)
    assert sheet.is_submitted
    committee = db.session.scalar(select(User).where(User.username == "panitia"))
    page = login(committee).get(f"/committee/stages/{stage.id}/sheets/{sheet.id}").text
    assert "Salah ketik pada kriteria Signifikansi." in page


def _stage(round_name: str, position: int) -> Stage:
    """The ``position``-th scored stage (0-based) of the demo round ``round_name``."""
    return db.session.scalars(
        select(Stage)
        .join(Round)
        .where(Stage.kind == StageKind.SCORED, Round.name == round_name)
        .order_by(Stage.position)
    ).all()[position]


def test_demo_presentation_stage_shows_one_typing_mistake(app, demo, login):
    """juri4's first presentation sheet of 2026 was typed on a 1-10 scale: the ranking page
    lists it (and nothing else) with the button to ask the judge, since the stage is open; the
    finished stages list nothing."""
    stage = _stage("KOINYANLIK 2026", 1)
    flagged = blunders.flagged_sheets(unc_service.stage_uncertainty(stage, wait=True))
    assert flagged.n == 1
    (m,) = flagged.sheets
    assert m.judge.username == "juri4" and m.total < 10.0 and m.expected > 60.0
    sheet = db.session.get(ScoreSheet, m.sheet_id)
    assert all(s.value < 10.0 for s in sheet.scores)  # every criterion a tenth of its meaning
    committee = db.session.scalar(select(User).where(User.username == "panitia"))
    html = login(committee).get(f"/committee/stages/{stage.id}/ranking").text
    assert f"/committee/stages/{stage.id}/sheets/{sheet.id}/check" in html
    for name, position in (("KOINYANLIK 2025", 0), ("KOINYANLIK 2025", 1), ("KOINYANLIK 2026", 0)):
        done = unc_service.stage_uncertainty(_stage(name, position), wait=True)
        assert blunders.flagged_sheets(done).n == 0, (name, position)
