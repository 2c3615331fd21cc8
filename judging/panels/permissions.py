"""Who scores an entry, chairs a panel, reads a panel's sheets and sees an assigned entry's
attachments: pure predicates ``can_<verb>_<noun>(user, obj) -> bool`` (the role guards are
``competition.permissions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Attachment
from judging.panels.models import Assignment, Panel

if TYPE_CHECKING:  # sheets are read through their assignment; scoring imports panels
    from judging.scoring.models import ScoreSheet


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


def can_read_panel_sheet(user: User, panel: Panel, sheet: ScoreSheet) -> bool:
    """A panel chair reads the submitted sheets of the entries their panel covers."""
    a = sheet.assignment
    return (
        can_chair(user, panel)
        and sheet.is_submitted
        and a.stage_id == panel.stage_id
        and panel.covers(a.entry)
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
