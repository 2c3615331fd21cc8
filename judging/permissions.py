"""Judging permissions: pure predicates (the role guard is ``competition.permissions``)."""

from __future__ import annotations

from competition.models import User
from judging.models import Assignment


def can_score(user: User, assignment: Assignment) -> bool:
    """Only the assigned judge scores an entry."""
    return user.is_authenticated and user.is_judge and assignment.judge_id == user.id
