"""Judging permissions: pure predicates (the role guard is ``competition.permissions``)."""

from __future__ import annotations

from competition.models import User
from judging.models import Assignment, Panel, ScoreSheet


def can_score(user: User, assignment: Assignment) -> bool:
    """Only the assigned judge scores an entry."""
    return user.is_authenticated and user.is_judge and assignment.judge_id == user.id


def can_chair(user: User, panel: Panel) -> bool:
    """The panel's chair (a judge)."""
    return (user.is_authenticated and user.is_judge
            and any(m.judge_id == user.id and m.is_chair for m in panel.members))


def can_read_panel_sheet(user: User, panel: Panel, sheet: ScoreSheet) -> bool:
    """A panel chair reads the submitted sheets of the entries their panel covers."""
    a = sheet.assignment
    return (can_chair(user, panel) and sheet.is_submitted and a.stage_id == panel.stage_id
            and panel.covers(a.entry))
