"""The message a judge receives when the committee reopens one of their submitted score
sheets (``competition.notifications``), in their language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from competition.notifications import services as notifications
from competition.notifications.models import Notification
from judging.scoring.blind import blind_entry_ids, titles_blacked_out
from judging.scoring.models import ScoreSheet

CLOSES_FORMAT = "d MMMM y, HH:mm zzz"  # as the judges' reminders (judging.scoring.progress)


def sheet_reopened(*, sheet: ScoreSheet, reason: str, now: datetime) -> list[Notification]:
    """Tell the sheet's judge that the committee reopened it: the stage, the entry (its title
    blacked out and no organisation when the entry is judged blind, as the judge's worklist
    shows it), the committee's reason, when scoring closes (or that it has closed) and a link
    to the sheet. Nothing for a disabled account."""
    assignment = sheet.assignment
    judge, entry, stage = assignment.judge, assignment.entry, assignment.stage
    if not judge.is_enabled:
        return []
    if entry.id in blind_entry_ids([entry.id]):
        what = titles_blacked_out([entry.id])[entry.id]
    else:
        what = f"{entry.title} ({entry.organisation.name})"

    def write(user) -> tuple[str, str]:
        subject = _(
            "Score sheet reopened: %(stage)s, %(round)s", stage=stage.name, round=stage.round.name
        )
        body = _(
            'The committee reopened your score sheet for "%(entry)s" in %(stage)s of '
            "%(round)s and asks you to check it:",
            entry=what,
            stage=stage.name,
            round=stage.round.name,
        )
        when = format_datetime(stage.closes_at, CLOSES_FORMAT)
        if now > stage.closes_at:  # reopened from the sheet page after scoring closed
            closes = _(
                "Scoring for this stage closed on %(when)s: ask the committee how to correct it.",
                when=when,
            )
        else:
            closes = _(
                "Correct it if needed and submit it again before scoring closes on %(when)s.",
                when=when,
            )
        link = notifications.link("judge.sheet", assignment_id=assignment.id)
        return subject, f"{body}\n\n{reason.strip()}\n\n{closes}{link}"

    return notifications.notify_each([judge], kind="sheet_reopened", now=now, write=write)
