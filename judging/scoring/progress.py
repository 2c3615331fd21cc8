"""The committee's view of a stage's progress: sheets expected, drafted and submitted per judge,
reminders, and the sheet counts of the round dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.audit import services as audit
from competition.db import db
from competition.entries.models import Entry
from competition.errors import DeadlinePassed
from competition.i18n.labels import label
from competition.notifications import services as notifications
from competition.notifications.models import Notification
from competition.pagination import Page, make_page
from competition.rounds.models import Stage
from judging.panels.models import Assignment
from judging.scoring.models import Criterion, ScoreChange, ScoreSheet, SheetStatus


def sheet_counts(stage: Stage) -> tuple[int, int]:
    """(submitted, expected) score sheets of the stage: one expected per assignment."""
    expected, submitted = db.session.execute(
        select(func.count(Assignment.id), func.count(ScoreSheet.id))
        .outerjoin(
            ScoreSheet,
            (ScoreSheet.assignment_id == Assignment.id)
            & (ScoreSheet.status == SheetStatus.SUBMITTED),
        )
        .where(Assignment.stage_id == stage.id)
    ).one()
    return submitted, expected


@dataclass(frozen=True)
class ProgressRow:
    """Sheets expected (assignments), drafted and submitted for one judge or one entry.
    ``subject`` is the judge (a ``User``) or the entry (an ``EntryLine``)."""

    subject: User | EntryLine
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
class EntryLine:
    """What the progress page shows of an entry (no ORM object per row)."""

    id: int
    title: str
    organisation: str


@dataclass(frozen=True)
class StageProgress:
    judges: list[ProgressRow]
    expected: int
    drafted: int
    submitted: int

    @property
    def behind(self) -> list[ProgressRow]:
        """Judges who have not submitted every sheet, most missing first."""
        return sorted((r for r in self.judges if r.behind), key=lambda r: -r.missing)


def _counts(stage: Stage):
    """Columns (expected, drafted, submitted) counted over the stage's assignments."""
    submitted = case((ScoreSheet.status == SheetStatus.SUBMITTED, 1), else_=0)
    drafted = case((ScoreSheet.id.is_not(None) & (ScoreSheet.status != SheetStatus.SUBMITTED), 1))
    return (
        func.count(Assignment.id).label("expected"),
        func.count(drafted).label("drafted"),
        func.coalesce(func.sum(submitted), 0).label("submitted"),
    )


def _from_assignments(stage: Stage, *columns):
    return (
        select(*columns)
        .select_from(Assignment)
        .outerjoin(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.stage_id == stage.id)
    )


def stage_progress(stage: Stage) -> StageProgress:
    """Per judge (with the judge's account, for reminders) and in total: assignments, drafts
    and submitted sheets, counted in SQL (two queries whatever the size of the stage)."""
    expected, drafted, submitted = db.session.execute(
        _from_assignments(stage, *_counts(stage))
    ).one()
    per_judge = _from_assignments(stage, Assignment.judge_id, *_counts(stage)).group_by(
        Assignment.judge_id
    )
    counts = {r[0]: r[1:] for r in db.session.execute(per_judge)}
    users = db.session.scalars(select(User).where(User.id.in_(list(counts)))) if counts else []
    rows = sorted(
        (ProgressRow(u, *(int(n or 0) for n in counts[u.id])) for u in users),
        key=lambda r: (r.submitted - r.expected, r.subject.name or ""),
    )
    return StageProgress(
        judges=rows, expected=expected, drafted=drafted or 0, submitted=int(submitted or 0)
    )


def entry_progress(
    stage: Stage, *, page: int, per_page: int, q: str = "", behind_only: bool = False
) -> tuple[list[ProgressRow], Page]:
    """One page of the stage's entries with their counts, those furthest behind first (then
    by title), optionally only those with a sheet not yet submitted and matching ``q`` in the
    title or the OPD's name (case-insensitive). Grouped in SQL: one query for the page and
    one for the number of rows."""
    cols = _counts(stage)
    grouped = (
        _from_assignments(stage, Assignment.entry_id, *cols)
        .group_by(Assignment.entry_id)
        .subquery()
    )
    query = (
        select(
            Entry.id,
            Entry.title,
            Organisation.name,
            grouped.c.expected,
            grouped.c.drafted,
            grouped.c.submitted,
        )
        .join(grouped, grouped.c.entry_id == Entry.id)
        .join(Organisation, Organisation.id == Entry.organisation_id)
    )
    if q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Entry.title).like(like), func.lower(Organisation.name).like(like))
        )
    if behind_only:
        query = query.where(grouped.c.submitted < grouped.c.expected)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    at = make_page(total, page, per_page)
    rows = db.session.execute(
        query.order_by(grouped.c.submitted - grouped.c.expected, Entry.title, Entry.id)
        .offset(at.offset)
        .limit(at.per_page)
    ).all()
    return [
        ProgressRow(EntryLine(i, title, org), int(e), int(d or 0), int(s or 0))
        for i, title, org, e, d, s in rows
    ], at


def reminder_text(stage: Stage, row: ProgressRow) -> str:
    """The reminder to one judge who is behind (plain text, for an email or to copy)."""
    return str(
        _l(
            'Dear %(name)s, %(missing)d of your %(expected)d score sheets for "%(stage)s" are not '
            "submitted yet (%(drafted)d in draft). Scoring closes on %(when)s.",
            name=row.subject.name,
            missing=row.missing,
            expected=row.expected,
            drafted=row.drafted,
            stage=stage.name,
            when=format_datetime(stage.closes_at, "d MMMM y, HH:mm zzz"),
        )
    )


@records_actor
def queue_reminders(*, stage: Stage, actor: User | None, now: datetime) -> list[Notification]:
    """Put a reminder for every judge who is behind in the outbox (each in the judge's
    language; emailed after the commit when SMTP is configured, see
    ``competition.notifications``). Refused (``DeadlinePassed``) once scoring has closed.
    Recorded in the audit trail."""
    if now > stage.closes_at:
        raise DeadlinePassed(stage.closes_at)
    notes = []
    for row in stage_progress(stage).behind:
        with force_locale(row.subject.locale or "id"):
            notes.append(
                notifications.notify(
                    user=row.subject,
                    kind="judge_reminder",
                    now=now,
                    subject=str(_l("Reminder: score sheets for %(stage)s", stage=stage.name)),
                    body=reminder_text(stage, row),
                )
            )
    audit.record("remind_judges", "stages", stage.id, after={"judges": len(notes)}, actor=actor)
    return notes


def list_stage_changes(stage: Stage, limit: int = 100) -> list[ScoreChange]:
    """The stage's most recent score changes and sheet events, newest first."""
    return list(
        db.session.scalars(
            select(ScoreChange)
            .join(ScoreSheet)
            .join(Assignment)
            .where(Assignment.stage_id == stage.id)
            .options(selectinload(ScoreChange.criterion), selectinload(ScoreChange.changed_by))
            .order_by(ScoreChange.id.desc())
            .limit(limit)
        )
    )


# Column widths of the sheets' XLSX before and after the criteria (characters).
SHEET_WIDTHS = (6, 45, 35, 22, 25)


SHEET_WIDTHS_AFTER = (9, 12, 17, 60)


def sheet_export_rows(stage: Stage, criteria: list[Criterion]) -> list[list]:
    """The header and one row per assignment of the stage (in the user's language): entry,
    judge, each criterion's score (a column per criterion, in rubric order), weighted total,
    status, submission time and the judge's comments. An assignment without a sheet is
    "not started" with empty scores."""
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.stage_id == stage.id)
        .options(
            selectinload(Assignment.judge),
            selectinload(Assignment.sheet).selectinload(ScoreSheet.scores),
            selectinload(Assignment.entry).selectinload(Entry.organisation),
            selectinload(Assignment.entry).selectinload(Entry.category),
        )
        .order_by(Assignment.entry_id, Assignment.judge_id)
    )
    names = {c.id: c.name for c in criteria}
    rows = [
        [
            _("No."),
            _("Innovation"),
            _("OPD"),
            _("Category"),
            _("Judge"),
            *(f"{c.name} ({c.weight}%)" for c in criteria),
            _("Total"),
            _("Status"),
            _("Submitted on"),
            _("Comments"),
        ]
    ]
    for a in assignments:
        sheet = a.sheet
        scores = {s.criterion_id: s for s in sheet.scores} if sheet else {}
        comments = "; ".join(
            f"{names.get(cid, cid)}: {s.comment}" for cid, s in scores.items() if s.comment
        )
        rows.append(
            [
                a.entry.id,
                a.entry.title,
                a.entry.organisation.name,
                a.entry.category.name,
                a.judge.name,
                *(scores[c.id].value if c.id in scores else None for c in criteria),
                sheet.total if sheet else None,
                label(sheet.status) if sheet else label("not started"),
                format_datetime(sheet.submitted_at, "yyyy-MM-dd HH:mm")
                if sheet and sheet.submitted_at
                else None,
                comments,
            ]
        )
    return rows
