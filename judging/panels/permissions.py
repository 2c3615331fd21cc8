"""Who scores an entry, chairs a panel and sees an assigned entry's attachments: pure predicates ``can_<verb>_<noun>(user, obj) -> bool`` (the role guards are
``competition.permissions``)."""

from __future__ import annotations

from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Attachment
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


def can_view_attachment_as_judge(user: User, attachment: Attachment) -> bool:
    """A judge sees the attachments of an entry assigned to them in any stage."""
    return (
        bool(user.is_authenticated and user.is_judge)
        and db.session.scalar(
            select(Assignment.id)
            .where(Assignment.judge_id == user.id, Assignment.entry_id == attachment.entry_id)
            .limit(1)
        )
        is not None
    )
