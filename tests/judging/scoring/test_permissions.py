"""``judging.scoring.permissions``: what a judge sees besides their own sheets, as plain
predicates (the routes using them are walked by ``tests/test_access_matrix.py``)."""

from flask_login import AnonymousUserMixin

from competition.db import db, utcnow
from competition.rounds.models import Category
from judging.panels.models import Panel, PanelMember
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.permissions import (
    can_read_panel_sheet,
    can_see_identity,
    can_view_attachment_as_judge,
)
from tests import factories


def _sheet(stage, entry, judge, *, submit: bool):
    assignment = factories.make_assignment(stage, entry, judge)
    inputs = {c.id: sheet_service.CriterionInput(7.0) for c in rubric_service.list_criteria(stage)}
    return sheet_service.save_sheet(
        assignment=assignment, inputs=inputs, submit=submit, actor=judge, now=utcnow()
    )


def _panel(stage, *, chair, member, category=None) -> Panel:
    panel = Panel(stage_id=stage.id, name="Panel A", category_id=category.id if category else None)
    panel.members = [
        PanelMember(judge_id=chair.id, is_chair=True),
        PanelMember(judge_id=member.id),
    ]
    db.session.add(panel)
    db.session.flush()
    return panel


def test_can_read_panel_sheet_only_the_chair_and_only_submitted_covered_sheets(
    app, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    member = factories.make_user(role="judge", username="juri2")
    entry = factories.make_entry(open_round, opd)
    panel = _panel(stage, chair=judge, member=member)
    submitted = _sheet(stage, entry, member, submit=True)
    assert can_read_panel_sheet(judge, panel, submitted)
    assert not can_read_panel_sheet(member, panel, submitted)  # a member, not the chair
    draft = _sheet(stage, factories.make_entry(open_round, opd, title="Lain"), member, submit=False)
    assert not can_read_panel_sheet(judge, panel, draft)


def test_can_read_panel_sheet_not_of_another_stage_or_category(app, opd, judge, open_round):
    stage, other_stage = factories.make_stage(open_round), factories.make_stage(open_round)
    member = factories.make_user(role="judge", username="juri2")
    entry = factories.make_entry(open_round, opd)
    elsewhere = _sheet(other_stage, entry, member, submit=True)
    assert not can_read_panel_sheet(judge, _panel(stage, chair=judge, member=member), elsewhere)
    other_category = Category(round=open_round, name="Kecamatan")
    db.session.add(other_category)
    db.session.flush()
    narrow = _panel(other_stage, chair=judge, member=member, category=other_category)
    assert not narrow.covers(entry)
    assert not can_read_panel_sheet(judge, narrow, elsewhere)


def test_can_see_identity_everyone_but_a_judge_of_a_blind_entry(
    app, committee, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    factories.make_assignment(stage, entry, judge)
    assert can_see_identity(judge, entry)
    stage.blind_review = True
    db.session.flush()
    assert not can_see_identity(judge, entry)
    assert can_see_identity(committee, entry) and can_see_identity(opd, entry)
    assert can_see_identity(AnonymousUserMixin(), entry)


def test_can_view_attachment_as_judge_assigned_and_released_when_blind(
    app, committee, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    attachment = factories.make_attachment(entry)
    assert not can_view_attachment_as_judge(judge, attachment)  # not assigned
    factories.make_assignment(stage, entry, judge)
    assert can_view_attachment_as_judge(judge, attachment)
    assert not can_view_attachment_as_judge(committee, attachment)  # not a judge's route
    assert not can_view_attachment_as_judge(AnonymousUserMixin(), attachment)
    stage.blind_review = True
    db.session.flush()
    assert not can_view_attachment_as_judge(judge, attachment)
    attachment.is_released_for_blind = True
    db.session.flush()
    assert can_view_attachment_as_judge(judge, attachment)
