"""Judging services: rubrics, assignments, score sheets, and ranking (DB -> arrays -> numpy core
-> DB). Only this module maps ORM rows to arrays and back."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from competition import awards
from competition import entries as entry_service
from competition.db import db
from competition.errors import (
    DeadlinePassed,
    IncompleteError,
    InvalidState,
    NotAllowed,
    NotOpenYet,
)
from competition.models import Entry, Role, Stage, User
from judging.analysis import StageRanking, rank_arrays, rank_stage
from judging.models import Assignment, Criterion, Score, ScoreSheet, SheetStatus
from judging.normalize import DEFAULT_METHOD, METHODS
from judging.permissions import can_score

# ---------------------------------------------------------------- rubric


def list_criteria(stage: Stage) -> list[Criterion]:
    return list(db.session.scalars(
        select(Criterion).where(Criterion.stage_id == stage.id)
        .order_by(Criterion.position, Criterion.id)
    ))


def rubric_is_frozen(stage: Stage) -> bool:
    """A rubric is frozen once any judge has saved a score on it."""
    return db.session.scalar(
        select(func.count(ScoreSheet.id)).join(Assignment)
        .where(Assignment.stage_id == stage.id)
    ) > 0


def add_criterion(*, stage: Stage, name: str, description: str, weight: int,
                  actor: User) -> Criterion:
    if rubric_is_frozen(stage):
        raise InvalidState(_l("The rubric is frozen: judges have already started scoring."))
    criteria = list_criteria(stage)
    if sum(c.weight for c in criteria) + weight > 100:
        raise InvalidState(_l("The weights would add up to more than 100%."))
    criterion = Criterion(stage_id=stage.id, name=name.strip(), description=description.strip(),
                          weight=weight, position=len(criteria))
    db.session.add(criterion)
    db.session.flush()
    return criterion


def remove_criterion(*, criterion: Criterion, actor: User) -> None:
    if rubric_is_frozen(criterion.stage):
        raise InvalidState(_l("The rubric is frozen: judges have already started scoring."))
    db.session.delete(criterion)
    db.session.flush()


def rubric_weight(stage: Stage) -> int:
    return sum(c.weight for c in list_criteria(stage))


# ---------------------------------------------------------------- assignment


def list_judges() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.JUDGE, User.is_enabled.is_(True)).order_by(User.name)
    ))


def submitted_entries(stage: Stage) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(entry_service.in_stage(stage))
        .options(selectinload(Entry.organisation), selectinload(Entry.category))
        .order_by(Entry.category_id, Entry.id)
    ))


def has_conflict(judge: User, entry: Entry) -> bool:
    """A judge belonging to the entry's own organisation never judges it."""
    return judge.organisation_id is not None and judge.organisation_id == entry.organisation_id


def assign(*, stage: Stage, entry: Entry, judge: User, actor: User) -> Assignment:
    if judge.role != Role.JUDGE:
        raise InvalidState(_l("Only judges can be assigned."))
    if not entry_service.is_in_stage(entry, stage):
        raise InvalidState(_l("Only submitted entries of this round can be assigned."))
    if has_conflict(judge, entry):
        raise InvalidState(_l("This judge has a conflict of interest with this entry."))
    existing = db.session.scalar(select(Assignment).where(
        Assignment.stage_id == stage.id, Assignment.entry_id == entry.id,
        Assignment.judge_id == judge.id))
    if existing is not None:
        return existing
    assignment = Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def unassign(*, assignment: Assignment, actor: User) -> None:
    if assignment.sheet is not None:
        raise InvalidState(_l("This assignment already has scores and cannot be removed."))
    db.session.delete(assignment)
    db.session.flush()


def list_assignments(stage: Stage) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.stage_id == stage.id)
        .options(selectinload(Assignment.judge), selectinload(Assignment.sheet))
        .order_by(Assignment.entry_id, Assignment.judge_id)
    ))


def auto_assign(*, stage: Stage, judges_per_entry: int, actor: User) -> int:
    """Give every submitted entry ``judges_per_entry`` judges, least-loaded judge first,
    never a judge with a conflict; existing assignments are kept. Returns how many were added."""
    judges = list_judges()
    entries = submitted_entries(stage)
    current = list_assignments(stage)
    load = {j.id: 0 for j in judges}
    have: dict[int, set[int]] = {}
    for a in current:
        load[a.judge_id] = load.get(a.judge_id, 0) + 1
        have.setdefault(a.entry_id, set()).add(a.judge_id)
    added = 0
    rng = random.Random(stage.id)
    for entry in entries:
        chosen = have.setdefault(entry.id, set())
        candidates = sorted(
            (j for j in judges if j.id not in chosen and not has_conflict(j, entry)),
            # Ties in load are broken at random (seeded by the stage, so a re-run is
            # reproducible): panels then overlap and the judge graph stays connected, which
            # normalization needs to compare judges through the entries they share.
            key=lambda j: (load[j.id], rng.random()),
        )
        for judge in candidates[: max(0, judges_per_entry - len(chosen))]:
            db.session.add(Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id))
            load[judge.id] += 1
            chosen.add(judge.id)
            added += 1
    db.session.flush()
    return added


# ---------------------------------------------------------------- score sheets


def list_assignments_of(judge: User) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.judge_id == judge.id)
        .options(selectinload(Assignment.entry).selectinload(Entry.category),
                 selectinload(Assignment.stage), selectinload(Assignment.sheet))
        .order_by(Assignment.stage_id, Assignment.entry_id)
    ))


def get_assignment_for(judge: User, assignment_id: int) -> Assignment:
    """The judge's own assignment, else ``NotAllowed`` (404: unassigned entries do not exist
    for a judge)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not can_score(judge, assignment):
        raise NotAllowed()
    return assignment


@dataclass(frozen=True)
class CriterionInput:
    value: float | None
    comment: str = ""


def weighted_total(criteria: list[Criterion], values: dict[int, float]) -> float | None:
    """The sheet's weighted mean on the rubric's scale; None until every criterion has a value."""
    if not criteria or any(values.get(c.id) is None for c in criteria):
        return None
    weight = sum(c.weight for c in criteria)
    return sum(values[c.id] * c.weight for c in criteria) / weight


def save_sheet(*, assignment: Assignment, inputs: dict[int, CriterionInput], submit: bool,
               actor: User, now: datetime) -> ScoreSheet:
    """Store a judge's scores as a draft, or submit them. Refused outside the stage's window,
    after submission, with values off the scale, or (on submit) with a criterion left empty."""
    stage = assignment.stage
    if assignment.judge_id != actor.id:
        raise NotAllowed()
    if now > stage.closes_at:
        raise DeadlinePassed(stage.closes_at, what=_l("Scoring for this stage"))
    if now < stage.opens_at:
        raise NotOpenYet(_l("Scoring for this stage has not opened yet."))
    sheet = assignment.sheet
    if sheet is not None and sheet.is_submitted:
        raise InvalidState(_l("This score sheet has been submitted and is locked."))
    criteria = list_criteria(stage)
    for c in criteria:
        v = inputs.get(c.id, CriterionInput(None)).value
        if v is not None and (not math.isfinite(v) or not stage.scale_min <= v <= stage.scale_max):
            raise InvalidState(_l("Scores must be between %(lo)s and %(hi)s.",
                                  lo=stage.scale_min, hi=stage.scale_max))
    if stage.method not in METHODS:
        # The first score fixes the method the stage will be ranked with, and records it.
        stage.method = DEFAULT_METHOD
    if sheet is None:
        sheet = ScoreSheet(assignment=assignment)
        db.session.add(sheet)
    by_criterion = {s.criterion_id: s for s in sheet.scores}
    values = {}
    for c in criteria:
        data = inputs.get(c.id, CriterionInput(None))
        score = by_criterion.get(c.id)
        if score is None:
            score = Score(criterion=c)
            sheet.scores.append(score)
        score.value = data.value
        score.comment = (data.comment or "").strip()
        values[c.id] = data.value
    sheet.total = weighted_total(criteria, values)
    if submit:
        # On IncompleteError the draft is already flushed: the caller may commit it.
        missing = [f"score_{c.id}" for c in criteria if values.get(c.id) is None]
        if missing:
            db.session.flush()
            raise IncompleteError(missing, _l("Score every criterion before submitting."))
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
    db.session.flush()
    return sheet


# ---------------------------------------------------------------- ranking


def set_method(*, stage: Stage, method: str, actor: User) -> Stage:
    """Choose the stage's normalization method; only before the first score, so nobody can
    pick the method after seeing which one favours whom."""
    if method not in METHODS:
        raise InvalidState(_l("Unknown normalization method."))
    if rubric_is_frozen(stage) and method != stage.method:
        raise InvalidState(_l("The method can only be changed before the first score."))
    stage.method = method
    db.session.flush()
    return stage


def compute_ranking(stage: Stage, method: str | None = None, *,
                    uncertainty: bool = True) -> StageRanking:
    """The stage's ranking per category with the stage's method (see ``judging.analysis``);
    ``uncertainty`` adds the bootstrap rank intervals (for the committee's pages)."""
    return rank_stage(stage, method, uncertainty=uncertainty)


def publish_results(*, stage: Stage, actor: User, now: datetime) -> int:
    """Publish the stage's ranking: hands plain rows to ``competition.awards`` (arrays only,
    no ORM object per entry). Returns the number of ranked entries."""
    ranked = rank_arrays(stage)
    data = ranked.data
    cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
    placed = np.flatnonzero(ranked.rank > 0)
    rows = [
        awards.ResultRow(entry_id=e, category_id=c, rank=r, score=s, raw_score=w, n_judges=n)
        for e, c, r, s, w, n in zip(
            data.entry_ids[placed].tolist(), cat_ids[data.category[placed]].tolist(),
            ranked.rank[placed].tolist(), ranked.result.entry_score[placed].tolist(),
            ranked.raw.entry_score[placed].tolist(), ranked.result.n_sheets[placed].tolist())
    ]
    if not rows:
        raise InvalidState(_l("There is nothing to publish: no entry has a submitted score."))
    awards.record_results(stage=stage, rows=rows, actor=actor, now=now)
    return len(rows)
