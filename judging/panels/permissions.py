"""Who scores an entry and chairs a panel: pure predicates ``can_<verb>_<noun>(user, obj) ->
bool`` (the role guards are ``competition.permissions``)."""

from __future__ import annotations

from competition.accounts.models import User
from judging.panels.models import Assignment, Panel


def can_score(user: User, assignment: Assignment) -> bool:
    """Only the assigned judge scores an entry."""
    return user.is_authenticated and user.is_judge and assignment.judge_id == user.id


def can_chair(user: User, panel: Panel) -> bool:
    """The panel's chair (a judge)."""
    return (
        user.is_authenticated
        and user.is_judge
        and any(m.judge_id == user.id and m.is_chair for m in panel.members)
    )
