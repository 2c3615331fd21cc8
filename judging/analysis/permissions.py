"""Who may act on a stage's analysis: pure predicates ``can_<verb>_<noun>(user, obj) -> bool``
(the role guards are ``competition.permissions``)."""

from __future__ import annotations

from competition.accounts.models import User
from competition.rounds.models import Stage


def can_manage_stage(user: User, stage: Stage) -> bool:
    """The committee manages every scored stage (its rubric, sheets, ranking): only it may
    reopen a judge's sheet, e.g. to have a score that looks like a typing mistake checked."""
    return bool(user.is_authenticated and user.is_committee and stage.is_scored)
