"""The committee's view of a stage's progress: sheets expected, drafted and submitted per judge
and per entry, reminders to the judges who are behind (to copy, or by email), and the stage's
recent score changes."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.db import db
from competition.models import Entry, Stage, User
from judging import mail
from judging.models import Assignment, ScoreChange, ScoreSheet


@dataclass(frozen=True)
class ProgressRow:
    """Sheets expected (assignments), drafted and submitted for one judge or one entry."""

    subject: User | Entry
    expected: int
    drafted: int
    submitted: int

    @property
    def behind(self) -> bool:
        return self.submitted < self.expected

    @property
    def missing(self) -> int:
        return self.expected - self.submitted


@dataclass(frozen=True)
class StageProgress:
    judges: list[ProgressRow]
    entries: list[ProgressRow]
    expected: int
    drafted: int
    submitted: int

    @property
    def behind(self) -> list[ProgressRow]:
        """Judges who have not submitted every sheet, most missing first."""
        return sorted((r for r in self.judges if r.behind), key=lambda r: -r.missing)


def stage_progress(stage: Stage) -> StageProgress:
    """Per judge and per entry: assignments, drafts and submitted sheets (one query)."""
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.stage_id == stage.id)
        .options(selectinload(Assignment.judge), selectinload(Assignment.sheet),
                 selectinload(Assignment.entry).selectinload(Entry.organisation))))
    counts: dict[tuple[str, int], list[int]] = {}
    subjects: dict[tuple[str, int], User | Entry] = {}
    for a in assignments:
        submitted = int(a.sheet is not None and a.sheet.is_submitted)
        drafted = int(a.sheet is not None) - submitted
        for key, obj in ((("judge", a.judge_id), a.judge), (("entry", a.entry_id), a.entry)):
            c = counts.setdefault(key, [0, 0, 0])
            c[0] += 1
            c[1] += drafted
            c[2] += submitted
            subjects[key] = obj
    rows = {kind: sorted((ProgressRow(subjects[k], *v) for k, v in counts.items()
                          if k[0] == kind),
                         key=lambda r: (r.submitted - r.expected, getattr(r.subject, "name", "")
                                        or getattr(r.subject, "title", "")))
            for kind in ("judge", "entry")}
    return StageProgress(judges=rows["judge"], entries=rows["entry"],
                         expected=len(assignments),
                         drafted=sum(r.drafted for r in rows["judge"]),
                         submitted=sum(r.submitted for r in rows["judge"]))


def reminder_text(stage: Stage, row: ProgressRow) -> str:
    """The reminder to one judge who is behind (plain text, for an email or to copy)."""
    return str(_l(
        "Dear %(name)s, %(missing)d of your %(expected)d score sheets for \"%(stage)s\" are not "
        "submitted yet (%(drafted)d in draft). Scoring closes on %(when)s.",
        name=row.subject.name, missing=row.missing, expected=row.expected,
        drafted=row.drafted, stage=stage.name,
        when=format_datetime(stage.closes_at, "d MMMM y, HH:mm zzz")))


def send_reminders(*, stage: Stage, actor: User, mail_config: dict) -> int:
    """Email every judge who is behind and has an address (SMTP from ``mail_config``,
    see ``judging.mail``). Returns how many were sent."""
    behind = [r for r in stage_progress(stage).behind if r.subject.email]
    subject = str(_l("Reminder: score sheets for %(stage)s", stage=stage.name))
    messages = [(r.subject.email, subject, reminder_text(stage, r)) for r in behind]
    return mail.send_all(mail_config, messages)


def list_stage_changes(stage: Stage, limit: int = 100) -> list[ScoreChange]:
    """The stage's most recent score changes and sheet events, newest first."""
    return list(db.session.scalars(
        select(ScoreChange).join(ScoreSheet).join(Assignment)
        .where(Assignment.stage_id == stage.id)
        .options(selectinload(ScoreChange.criterion), selectinload(ScoreChange.changed_by))
        .order_by(ScoreChange.id.desc()).limit(limit)))
