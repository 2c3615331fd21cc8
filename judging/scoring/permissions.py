"""What a judge sees besides their own sheets: a panel's sheets (its chair), an entry's identity
(not when it is judged blind) and an assigned entry's attachments. Pure predicates (the role
guards are ``competition.permissions``), ``can_see_identity`` also offered to templates as
``can.see_identity``."""

from __future__ import annotations

from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Attachment, Entry
from judging.panels.models import Assignment, Panel
from judging.panels.permissions import can_chair
from judging.scoring.blind import blind_entry_ids
from judging.scoring.models import ScoreSheet


def can_read_panel_sheet(user: User, panel: Panel, sheet: ScoreSheet) -> bool:
    """A panel chair reads the submitted sheets of the entries their panel covers."""
    a = sheet.assignment
    return (
        can_chair(user, panel)
        and sheet.is_submitted
        and a.stage_id == panel.stage_id
        and panel.covers(a.entry)
    )


def can_see_identity(user: User, entry: Entry) -> bool:
    """Whether ``user`` may learn who submitted ``entry`` (organisation, contacts, file names).
    Everyone who may see the entry does, except judges (panel chairs included) once the entry
    is judged in a blind-review stage: then in every stage, since the entry is the same
    (``judging.scoring.blind``)."""
    if not (user.is_authenticated and user.is_judge):
        return True
    return entry.id not in blind_entry_ids([entry.id])


def can_view_attachment_as_judge(user: User, attachment: Attachment) -> bool:
    """A judge sees the attachments of an entry assigned to them in any stage; of an entry
    judged blind, only those the committee released for blind review."""
    return (
        bool(user.is_authenticated and user.is_judge)
        and db.session.scalar(
            select(Assignment.id)
            .where(Assignment.judge_id == user.id, Assignment.entry_id == attachment.entry_id)
            .limit(1)
        )
        is not None
        and (attachment.is_released_for_blind or can_see_identity(user, attachment.entry))
    )


JINJA_PREDICATES = {"see_identity": can_see_identity}
