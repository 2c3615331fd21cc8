"""The judge's worklist (the workspace page ``judge.index``) as plain rows.

A judge of a national round has a hundred assignments; loading them as ORM objects (with
their entries, stages, rounds, categories, organisations and sheets: about 340 objects, each
tracked by the session) cost about half of the page's CPU time. ``list_worklist`` reads the
same facts in one statement as plain rows (no identity map, no proposal texts), whether the
entry is judged blind included.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, exists, select
from sqlalchemy.orm import aliased

from competition.accounts.models import Organisation, User
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.rounds.models import Category, Round, Stage
from judging.assign import work_order
from judging.panels.models import Assignment
from judging.scoring.models import ScoreSheet, SheetStatus
from judging.scoring.sheets import latest_reopen_note


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One assignment of the judge as the workspace shows it. ``status`` and ``total`` are
    the sheet's (None before the judge saves anything); ``is_blind``: the entry is judged in
    a blind-review stage (any stage, as ``judging.scoring.blind.blind_entry_ids``)."""

    id: int
    entry_id: int
    stage_id: int
    title: str
    organisation: str
    category: str
    stage: str
    round: str
    opens_at: datetime
    closes_at: datetime
    status: SheetStatus | None
    total: float | None
    is_blind: bool
    reopen_note: str | None = None  # the committee's reason while the sheet is reopened

    @property
    def is_reopened(self) -> bool:
        """The committee reopened the sheet and the judge has not submitted it again."""
        return self.reopen_note is not None

    @property
    def is_submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


@dataclass(frozen=True, slots=True)
class Worklist:
    """The judge's work items, what is still to do first, with the page's counts."""

    items: list[WorkItem]
    submitted: int  # sheets submitted
    started: int  # sheets saved at all (drafts and submitted)


@functools.cache
def _worklist_statement():
    """The worklist's statement, built once per process (its construction, joins and
    aliases cost about a millisecond; the judge is a bound parameter)."""
    other, other_stage = aliased(Assignment), aliased(Stage)
    blind = (
        exists()
        .where(
            other.entry_id == Assignment.entry_id,
            other_stage.id == other.stage_id,
            other_stage.blind_review.is_(True),
        )
        .label("is_blind")
    )
    # The committee's reason while the sheet is reopened (a draft whose latest sheet event is
    # "reopened", as judging.scoring.sheets.reopen_note), else NULL: a subquery of the same
    # statement, evaluated only for drafts (score_changes is indexed by sheet).
    latest_event = latest_reopen_note(ScoreSheet.id).correlate(ScoreSheet).scalar_subquery()
    reopen_note = case((ScoreSheet.status == SheetStatus.DRAFT, latest_event), else_=None)
    return (
        select(
            Assignment.id,
            Assignment.entry_id,
            Assignment.stage_id,
            Entry.title,
            Organisation.name,
            Category.name,
            Stage.name,
            Round.name,
            Stage.opens_at,
            Stage.closes_at,
            ScoreSheet.status,
            ScoreSheet.total,
            blind,
            reopen_note.label("reopen_note"),
        )
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Organisation, Organisation.id == Entry.organisation_id)
        .join(Category, Category.id == Entry.category_id)
        .join(Stage, Stage.id == Assignment.stage_id)
        .join(Round, Round.id == Stage.round_id)
        .outerjoin(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.judge_id == bindparam("judge_id"))
        .order_by(Assignment.stage_id, Assignment.entry_id)
    )


def list_worklist(judge: User, now: datetime | None = None) -> Worklist:
    """The judge's assignments (only theirs) in the order of
    ``judging.panels.assignment.list_assignments_of``: sheets not yet submitted in open stages
    (soonest deadline first), then those of stages not open (yet or any more), then the
    submitted ones (latest stage first); within each, by stage, then the drafts begun before
    the sheets not started, each in the judge's own order (``work_order``), and the submitted
    ones by entry. One difference: the
    sheets the committee reopened come first among those still to do in open stages. One
    statement."""
    now = now or utcnow()
    rows = db.session.execute(_worklist_statement(), {"judge_id": judge.id}).all()
    items = [WorkItem(*row[:12], bool(row[12]), row[13]) for row in rows]

    def todo_first(a: WorkItem) -> tuple:
        submitted = a.status == SheetStatus.SUBMITTED
        closes = a.closes_at.timestamp()
        is_open = a.opens_at <= now <= a.closes_at
        order = 0 if submitted else work_order(judge.id, a.entry_id)
        return (
            submitted,
            not is_open,
            not a.is_reopened,
            -closes if submitted else closes,
            a.stage_id,
            a.status is None,  # a draft begun before the sheets not started
            order,
        )

    items.sort(key=todo_first)  # stable: stage and entry order within each group
    return Worklist(
        items=items,
        submitted=sum(a.status == SheetStatus.SUBMITTED for a in items),
        started=sum(a.status is not None for a in items),
    )
