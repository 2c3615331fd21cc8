"""Judging permissions: pure predicates (the role guard is ``competition.permissions``)."""

from __future__ import annotations

from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Attachment, Entry
from competition.permissions import can_view_entry
from judging.panels.models import Assignment, Panel
from judging.results.models import Certificate
from judging.scoring.blind import blind_entry_ids
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


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    """From the OPD area: the committee, and the OPD of the certificate's entry (a judge's
    certificate of appreciation has no entry; the public gets valid certificates from the
    verification page once the round's results are published)."""
    if certificate.entry is None:
        return bool(user.is_authenticated and user.is_committee)
    return can_view_entry(user, certificate.entry)


JINJA_PREDICATES = {
    "download_certificate": can_download_certificate,
    "see_identity": can_see_identity,
}
