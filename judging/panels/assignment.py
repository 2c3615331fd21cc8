"""Assignment of entries to judges: automatic (balanced, no conflicts), manual, withdrawals,
and the judge's list of assignments."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import defer, selectinload

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.entries import services as entry_service
from competition.entries.models import Entry
from competition.errors import (
    InvalidState,
)
from competition.roles import Role
from competition.rounds.models import Stage
from judging import assign as assign_core
from judging.assign import work_order
from judging.panels import messages
from judging.panels.conflicts import conflict_pairs, has_conflict
from judging.panels.models import Assignment, JudgeWithdrawal
from judging.panels.services import list_panels


def list_judges() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.JUDGE, User.is_enabled.is_(True))
            .order_by(User.name)
        )
    )


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def submitted_entries(stage: Stage) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry)
            .where(entry_service.in_stage(stage))
            .options(selectinload(Entry.organisation), selectinload(Entry.category))
            .order_by(Entry.category_id, Entry.id)
        )
    )


def withdrawn_judge_ids(stage: Stage) -> set[int]:
    return set(
        db.session.scalars(
            select(JudgeWithdrawal.judge_id).where(JudgeWithdrawal.stage_id == stage.id)
        )
    )


def list_withdrawals(stage: Stage) -> list[JudgeWithdrawal]:
    return list(
        db.session.scalars(
            select(JudgeWithdrawal)
            .where(JudgeWithdrawal.stage_id == stage.id)
            .options(selectinload(JudgeWithdrawal.judge))
            .order_by(JudgeWithdrawal.created_at)
        )
    )


def stage_judges(stage: Stage) -> list[User]:
    """The judges who may be assigned in the stage: enabled, not withdrawn from it."""
    withdrawn = withdrawn_judge_ids(stage)
    return [j for j in list_judges() if j.id not in withdrawn]


@records_actor
def assign(*, stage: Stage, entry: Entry, judge: User, actor: User) -> Assignment:
    """Assign one judge by hand (kept by automatic re-runs). Refused for a conflict of
    interest, a judge who withdrew from the stage, or an entry not submitted to the round."""
    if judge.role != Role.JUDGE:
        raise InvalidState(_l("Only judges can be assigned."))
    if not entry_service.is_in_stage(entry, stage):
        raise InvalidState(_l("Only submitted entries of this round can be assigned."))
    if has_conflict(judge, entry):
        raise InvalidState(_l("This judge has a conflict of interest with this entry."))
    if judge.id in withdrawn_judge_ids(stage):
        raise InvalidState(_l("This judge has withdrawn from this stage."))
    existing = db.session.scalar(
        select(Assignment).where(
            Assignment.stage_id == stage.id,
            Assignment.entry_id == entry.id,
            Assignment.judge_id == judge.id,
        )
    )
    if existing is not None:
        return existing
    assignment = Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id, is_manual=True)
    db.session.add(assignment)
    db.session.flush()
    messages.judges_assigned(stage=stage, counts={judge.id: 1}, now=utcnow())
    return assignment


@records_actor
def unassign(*, assignment: Assignment, actor: User) -> None:
    """Remove an assignment (a draft goes with it); refused once the sheet is submitted."""
    if assignment.sheet is not None and assignment.sheet.is_submitted:
        raise InvalidState(_l("This assignment has a submitted score sheet and cannot be removed."))
    db.session.delete(assignment)
    db.session.flush()


@dataclass
class AssignmentPage:
    """One page of a stage's entries with their assignments, for the committee's page.

    A national round has thousands of entries: the page lists ``per_page`` of them (only those
    short of judges when ``short_only``); the judges' loads and the counts come from grouped
    queries, never from loading every assignment."""

    entries: list[Entry]
    by_entry: dict[int, list[Assignment]]
    loads: dict[int, int]
    n_entries: int
    n_short: int
    n_assigned: int
    page: int
    pages: int


def assignment_page(
    stage: Stage, *, page: int = 1, per_page: int = 100, short_only: bool = False
) -> AssignmentPage:
    """Entries of ``stage`` (by category, then id) on page ``page`` (1-based, clamped), their
    assignments with judge and sheet, every judge's load, how many entries there are and how
    many have fewer than ``stage.judges_per_entry`` judges."""
    counts = (
        select(Assignment.entry_id, func.count(Assignment.id).label("n"))
        .where(Assignment.stage_id == stage.id)
        .group_by(Assignment.entry_id)
        .subquery()
    )
    n_judges = func.coalesce(counts.c.n, 0)
    base = (
        select(Entry)
        .outerjoin(counts, counts.c.entry_id == Entry.id)
        .where(entry_service.in_stage(stage))
    )
    sub = base.with_only_columns(n_judges.label("n")).subquery()
    n_entries, n_short = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((sub.c.n < stage.judges_per_entry, 1), else_=0)), 0),
        )
    ).one()
    if short_only:
        base = base.where(n_judges < stage.judges_per_entry)
    total = n_short if short_only else n_entries
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = list(
        db.session.scalars(
            base.options(selectinload(Entry.organisation), selectinload(Entry.category))
            .order_by(Entry.category_id, Entry.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    by_entry: dict[int, list[Assignment]] = {}
    if entries:
        for a in db.session.scalars(
            select(Assignment)
            .where(
                Assignment.stage_id == stage.id, Assignment.entry_id.in_([e.id for e in entries])
            )
            .options(selectinload(Assignment.judge), selectinload(Assignment.sheet))
            .order_by(Assignment.entry_id, Assignment.judge_id)
        ):
            by_entry.setdefault(a.entry_id, []).append(a)
    loads = dict(
        db.session.execute(
            select(Assignment.judge_id, func.count(Assignment.id))
            .where(Assignment.stage_id == stage.id)
            .group_by(Assignment.judge_id)
        ).all()
    )
    return AssignmentPage(
        entries=entries,
        by_entry=by_entry,
        loads=loads,
        n_entries=n_entries,
        n_short=n_short,
        n_assigned=sum(loads.values()),
        page=page,
        pages=pages,
    )


def list_assignments(stage: Stage) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.stage_id == stage.id)
            .options(selectinload(Assignment.judge), selectinload(Assignment.sheet))
            .order_by(Assignment.entry_id, Assignment.judge_id)
        )
    )


@dataclass
class AssignmentPlan:
    """An automatic assignment computed but not yet applied: what the committee previews.

    ``add`` and ``drop`` are the changes against the current assignments (``drop``: unscored
    automatic assignments a re-run replaces); ``digest`` identifies the plan, so confirming
    applies exactly what was previewed."""

    stage: Stage
    k: int
    judges: list[User]
    entries: list[Entry]
    plan: assign_core.Plan
    add: list[tuple[int, int]]
    drop: list[Assignment]
    kept: int
    digest: str

    @property
    def loads(self) -> list[tuple[User, int]]:
        return [(j, int(n)) for j, n in zip(self.judges, self.plan.load, strict=True)]

    @property
    def short_entries(self) -> list[tuple[Entry, int]]:
        return [(self.entries[i], int(self.plan.coverage[i])) for i in self.plan.short]

    @property
    def components(self) -> list[list[User]]:
        """Groups of judges linked through shared entries (one group is what we want)."""
        groups: dict[int, list[User]] = {}
        for j, c in zip(self.judges, self.plan.judge_component, strict=True):
            if c >= 0:
                groups.setdefault(int(c), []).append(j)
        return list(groups.values())

    @property
    def pairs(self) -> list[tuple[User, User, int]]:
        """Pairs of judges sharing entries, most shared first."""
        ov = self.plan.overlap
        out = [
            (self.judges[a], self.judges[b], int(ov[a, b]))
            for a in range(len(self.judges))
            for b in range(a + 1, len(self.judges))
            if ov[a, b] > 0
        ]
        return sorted(out, key=lambda t: -t[2])


def _stage_matrices(stage: Stage, judges: list[User], entries: list[Entry]):
    """(allowed, fixed, prefer, current) over entries x judges, and the assignments outside
    the matrix (judges who withdrew or are disabled, entries no longer submitted)."""
    e_index = {e.id: i for i, e in enumerate(entries)}
    j_index = {j.id: i for i, j in enumerate(judges)}
    shape = (len(entries), len(judges))
    allowed = np.ones(shape, dtype=bool)
    for eid, jid in conflict_pairs(judges, entries):
        allowed[e_index[eid], j_index[jid]] = False
    panels = list_panels(stage)
    if panels:
        # With panels, an entry goes only to members of a panel covering its category.
        in_panel = np.zeros(shape, dtype=bool)
        for panel in panels:
            cols = [j_index[m.judge_id] for m in panel.members if m.judge_id in j_index]
            rows = [i for i, e in enumerate(entries) if panel.covers(e)]
            in_panel[np.ix_(rows, cols)] = True
        allowed &= in_panel
    fixed = np.zeros(shape, dtype=bool)
    prefer = np.zeros(shape, dtype=bool)
    current: dict[tuple[int, int], Assignment] = {}
    for a in list_assignments(stage):
        i, jj = e_index.get(a.entry_id), j_index.get(a.judge_id)
        if a.sheet is not None or a.is_manual:
            if i is not None and jj is not None:
                fixed[i, jj] = True
            continue
        if i is not None and jj is not None and allowed[i, jj]:
            prefer[i, jj] = True
        current[(a.entry_id, a.judge_id)] = a
    return allowed, fixed, prefer, current


def assignment_seed(stage: Stage) -> int:
    """The seed of the stage's automatic assignment: from the round's slug and the stage's
    position, never from a primary key, so the same competition gets the same plan in any
    database (ids differ between databases, e.g. after rows were deleted on PostgreSQL)."""
    return stage.stable_seed


def plan_auto_assign(stage: Stage, judges_per_entry: int) -> AssignmentPlan:
    """The automatic assignment of the stage with ``judges_per_entry`` judges per submitted
    entry (see ``judging.assign``), without writing anything. Scored and hand-made
    assignments are kept; unscored automatic ones may be replaced (a re-run after a late
    change: a new conflict, a new judge, a withdrawn entry)."""
    if not 1 <= judges_per_entry <= 20:
        raise InvalidState(_l("Choose between 1 and 20 judges per entry."))
    judges = stage_judges(stage)
    entries = submitted_entries(stage)
    allowed, fixed, prefer, current = _stage_matrices(stage, judges, entries)
    result = assign_core.plan(
        allowed, judges_per_entry, fixed=fixed, prefer=prefer, seed=assignment_seed(stage)
    )
    pairs: set[tuple[int, int]] = set()
    add: list[tuple[int, int]] = []
    for i, jj in zip(*np.nonzero(result.assigned), strict=True):
        key = (entries[i].id, judges[jj].id)
        pairs.add(key)
        if not fixed[i, jj] and key not in current:
            add.append(key)
    drop = [a for key, a in current.items() if key not in pairs]
    digest = hashlib.sha256(repr((judges_per_entry, sorted(pairs))).encode()).hexdigest()[:16]
    return AssignmentPlan(
        stage=stage,
        k=judges_per_entry,
        judges=judges,
        entries=entries,
        plan=result,
        add=add,
        drop=drop,
        kept=len(pairs) - len(add),
        digest=digest,
    )


@records_actor
def auto_assign(
    *, stage: Stage, judges_per_entry: int, actor: User, digest: str | None = None
) -> AssignmentPlan:
    """Apply the automatic assignment and record ``judges_per_entry`` as the stage's k.
    With ``digest`` (from the preview), refused if the plan changed since the preview."""
    result = plan_auto_assign(stage, judges_per_entry)
    if digest and digest != result.digest:
        raise InvalidState(
            _l(
                "The assignments changed since the preview; check the new "
                "preview before confirming."
            )
        )
    for a in result.drop:
        db.session.delete(a)
    for entry_id, judge_id in result.add:
        db.session.add(Assignment(stage_id=stage.id, entry_id=entry_id, judge_id=judge_id))
    stage.judges_per_entry = judges_per_entry
    db.session.flush()
    messages.judges_assigned(stage=stage, counts=Counter(j for _e, j in result.add), now=utcnow())
    return result


@records_actor
def withdraw_judge(*, stage: Stage, judge: User, reason: str, actor: User) -> tuple[int, int]:
    """A judge withdraws from the stage: the assignments they scored (draft or submitted)
    stay; the others go to other judges of the stage, never a conflicted one, least loaded
    first. Returns (moved, kept); an entry no judge can take is left short."""
    if not judge.is_judge:
        raise InvalidState(_l("Only judges can be assigned."))
    if judge.id in withdrawn_judge_ids(stage):
        raise InvalidState(_l("This judge has withdrawn from this stage."))
    db.session.add(
        JudgeWithdrawal(
            stage_id=stage.id, judge_id=judge.id, reason=reason.strip(), created_by_id=actor.id
        )
    )
    freed: dict[int, int] = {}
    kept = 0
    for a in list_assignments(stage):
        if a.judge_id != judge.id:
            continue
        if a.sheet is not None:
            kept += 1
            continue
        freed[a.entry_id] = freed.get(a.entry_id, 0) + 1
        db.session.delete(a)
    db.session.flush()
    judges = stage_judges(stage)
    entries = submitted_entries(stage)
    allowed = _stage_matrices(stage, judges, entries)[0]
    e_index = {e.id: i for i, e in enumerate(entries)}
    j_index = {j.id: i for i, j in enumerate(judges)}
    now_assigned = np.zeros_like(allowed)
    for a in list_assignments(stage):
        if a.entry_id in e_index and a.judge_id in j_index:
            now_assigned[e_index[a.entry_id], j_index[a.judge_id]] = True
    target = now_assigned.sum(1)
    for eid, n in freed.items():
        if eid in e_index:
            target[e_index[eid]] += n
    result = assign_core.plan(allowed, target, fixed=now_assigned, seed=assignment_seed(stage))
    moved = 0
    for i, jj in zip(*np.nonzero(result.assigned & ~now_assigned), strict=True):
        db.session.add(
            Assignment(stage_id=stage.id, entry_id=entries[i].id, judge_id=judges[jj].id)
        )
        moved += 1
    db.session.flush()
    return moved, kept


# The proposal's texts: what a list of entries never shows (kilobytes per entry).
_ENTRY_TEXTS = (
    Entry.innovators,
    Entry.summary,
    Entry.novelty,
    Entry.impact,
    Entry.sdg,
    Entry.adaptability,
    Entry.sustainability,
    Entry.collaboration,
    Entry.inspiration,
    Entry.replication_process,
    Entry.distinguishing,
    Entry.custom_texts,
    Entry.problem,
    Entry.implementation,
    Entry.reopen_reason,
    Entry.screening_reason,
)


def list_assignments_of(judge: User, now: datetime | None = None) -> list[Assignment]:
    """The judge's assignments, what is still to do first: sheets not yet submitted in open
    stages (soonest deadline first), then those of stages not open (yet or any more), then
    the submitted ones (latest stage first); within each, by stage, then the drafts begun
    before the sheets not started, each in the judge's own order (``work_order``), and the
    submitted ones by entry. Loaded with
    their entry (without the proposal's texts), category, organisation, stage, round and
    sheet: one query per kind of object however many there are."""
    now = now or utcnow()
    rows = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.judge_id == judge.id)
            .options(
                selectinload(Assignment.entry).options(
                    *(defer(column) for column in _ENTRY_TEXTS),
                    selectinload(Entry.category),
                    selectinload(Entry.organisation),
                ),
                selectinload(Assignment.stage).selectinload(Stage.round),
                selectinload(Assignment.sheet),
            )
            .order_by(Assignment.stage_id, Assignment.entry_id)
        )
    )

    def todo_first(a: Assignment) -> tuple:
        submitted = a.sheet is not None and a.sheet.is_submitted
        closes = a.stage.closes_at.timestamp()
        order = 0 if submitted else work_order(judge.id, a.entry_id)
        return (
            submitted,
            not a.stage.is_open(now),
            -closes if submitted else closes,
            a.stage_id,
            a.sheet is None,  # a draft begun before the sheets not started
            order,
        )

    return sorted(rows, key=todo_first)  # stable: stage and entry order within each group
