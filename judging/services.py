"""Judging services: rubrics, assignments (automatic, manual, withdrawals), score sheets, and
ranking (DB -> arrays -> numpy core -> DB). Conflicts of interest, panels and the committee's
progress view have their own modules (``conflicts``, ``panels``, ``progress``)."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from competition import awards
from competition import entries as entry_service
from competition import notifications
from competition.db import db, utcnow
from competition.errors import (
    DeadlinePassed,
    IncompleteError,
    InvalidState,
    NotAllowed,
    NotOpenYet,
)
from competition.models import Entry, EntryStatus, Organisation, Role, Stage, User
from judging import assign as assign_core
from judging import combined as combined_ranking
from judging import rubric_templates
from judging.analysis import (  # scores_digest: kept importable from here
    StageRanking,
    method_of,
    rank_arrays,
    rank_stage,
    scores_digest,
)
from judging.models import (
    Assignment,
    Criterion,
    JudgeWithdrawal,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
)
from judging.conflicts import conflict_pairs, has_conflict
from judging.normalize import DEFAULT_METHOD, METHODS
from judging.panels import list_panels
from judging.ranking import TIE_BREAK_RULE
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


FROZEN = _l("The rubric is frozen: judges have already started scoring. It can no longer be "
             "changed, so that every sheet is scored on the same rubric.")


def _check_not_frozen(stage: Stage) -> None:
    if rubric_is_frozen(stage):
        raise InvalidState(FROZEN)


def parse_bands(text: str, lo: float, hi: float) -> list[dict]:
    """Band descriptors from lines such as ``1-3 kurang`` (or ``1 – 3: kurang``), checked
    to lie within the scale [lo, hi] in ascending, non-overlapping order."""
    bands = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(\d+(?:[.,]\d+)?)\s*[-–]\s*(\d+(?:[.,]\d+)?)\s*[:.]?\s*(.+)$", line)
        if not m:
            raise InvalidState(_l("Write each band as \"low-high description\", e.g. "
                                  "\"1-3 kurang\"."))
        b_lo, b_hi = (float(x.replace(",", ".")) for x in m.group(1, 2))
        b_lo, b_hi = (int(x) if x.is_integer() else x for x in (b_lo, b_hi))
        if not lo <= b_lo <= b_hi <= hi or (bands and b_lo <= bands[-1]["hi"]):
            raise InvalidState(_l("Bands must lie between %(lo)s and %(hi)s, in ascending "
                                  "order without overlapping.", lo=lo, hi=hi))
        bands.append({"lo": b_lo, "hi": b_hi, "label": m.group(3).strip()})
    return bands


def format_bands(bands: list[dict]) -> str:
    return "\n".join(f"{b['lo']}-{b['hi']} {b['label']}" for b in bands or [])


def add_criterion(*, stage: Stage, name: str, description: str, weight: int, actor: User,
                  bands: list[dict] | None = None, comment_required: bool = False) -> Criterion:
    """Add a criterion; refused once frozen or if the weights would exceed 100%."""
    _check_not_frozen(stage)
    criteria = list_criteria(stage)
    if sum(c.weight for c in criteria) + weight > 100:
        raise InvalidState(_l("The weights would add up to more than 100%."))
    criterion = Criterion(stage_id=stage.id, name=name.strip(), description=description.strip(),
                          weight=weight, position=len(criteria), bands=bands or [],
                          comment_required=comment_required)
    db.session.add(criterion)
    db.session.flush()
    return criterion


def update_criterion(*, criterion: Criterion, name: str, description: str, weight: int,
                     bands: list[dict], comment_required: bool, actor: User) -> Criterion:
    """Edit a criterion; refused once frozen or if the weights would exceed 100%."""
    stage = criterion.stage
    _check_not_frozen(stage)
    others = sum(c.weight for c in list_criteria(stage) if c.id != criterion.id)
    if others + weight > 100:
        raise InvalidState(_l("The weights would add up to more than 100%."))
    criterion.name, criterion.description = name.strip(), description.strip()
    criterion.weight, criterion.bands = weight, bands
    criterion.comment_required = comment_required
    db.session.flush()
    return criterion


def remove_criterion(*, criterion: Criterion, actor: User) -> None:
    _check_not_frozen(criterion.stage)
    db.session.delete(criterion)
    db.session.flush()


def set_scale(*, stage: Stage, scale_min: int, scale_max: int, pass_mark: float | None,
              actor: User) -> Stage:
    """Set the stage's score scale and optional pass mark; refused once frozen. Bands that no
    longer fit the scale are refused too."""
    _check_not_frozen(stage)
    if scale_min >= scale_max:
        raise InvalidState(_l("The top of the scale must be above its bottom."))
    if pass_mark is not None and not scale_min <= pass_mark <= scale_max:
        raise InvalidState(_l("The pass mark must lie on the scale."))
    for c in list_criteria(stage):
        if any(b["lo"] < scale_min or b["hi"] > scale_max for b in c.bands or []):
            raise InvalidState(_l("The bands of \"%(name)s\" do not fit this scale; edit them "
                                  "first.", name=c.name))
    stage.scale_min, stage.scale_max, stage.pass_mark = scale_min, scale_max, pass_mark
    db.session.flush()
    return stage


def apply_template(*, stage: Stage, key: str, actor: User) -> list[Criterion]:
    """Replace the stage's rubric (criteria, scale, pass mark) by a shipped template
    (``judging.rubric_templates``); refused once frozen."""
    _check_not_frozen(stage)
    template = rubric_templates.TEMPLATES.get(key)
    if template is None:
        raise InvalidState(_l("Unknown rubric template."))
    for c in list_criteria(stage):
        db.session.delete(c)
    db.session.flush()
    stage.scale_min, stage.scale_max = template["scale_min"], template["scale_max"]
    stage.pass_mark = template["pass_mark"]
    bands = template.get("bands", rubric_templates.BANDS_100)
    criteria = [Criterion(stage_id=stage.id, name=name, description=description, weight=weight,
                          position=i, bands=[dict(b) for b in bands])
                for i, (name, weight, description) in enumerate(template["criteria"])]
    db.session.add_all(criteria)
    db.session.flush()
    return criteria


def rubric_weight(stage: Stage) -> int:
    return sum(c.weight for c in list_criteria(stage))


# ---------------------------------------------------------------- assignment


def list_judges() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.JUDGE, User.is_enabled.is_(True)).order_by(User.name)
    ))


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def submitted_entries(stage: Stage) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(entry_service.in_stage(stage))
        .options(selectinload(Entry.organisation), selectinload(Entry.category))
        .order_by(Entry.category_id, Entry.id)
    ))


def withdrawn_judge_ids(stage: Stage) -> set[int]:
    return set(db.session.scalars(select(JudgeWithdrawal.judge_id)
                                  .where(JudgeWithdrawal.stage_id == stage.id)))


def list_withdrawals(stage: Stage) -> list[JudgeWithdrawal]:
    return list(db.session.scalars(
        select(JudgeWithdrawal).where(JudgeWithdrawal.stage_id == stage.id)
        .options(selectinload(JudgeWithdrawal.judge)).order_by(JudgeWithdrawal.created_at)))


def stage_judges(stage: Stage) -> list[User]:
    """The judges who may be assigned in the stage: enabled, not withdrawn from it."""
    withdrawn = withdrawn_judge_ids(stage)
    return [j for j in list_judges() if j.id not in withdrawn]


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
    existing = db.session.scalar(select(Assignment).where(
        Assignment.stage_id == stage.id, Assignment.entry_id == entry.id,
        Assignment.judge_id == judge.id))
    if existing is not None:
        return existing
    assignment = Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id,
                            is_manual=True)
    db.session.add(assignment)
    db.session.flush()
    notifications.judges_assigned(stage=stage, counts={judge.id: 1}, now=utcnow())
    return assignment


def unassign(*, assignment: Assignment, actor: User) -> None:
    """Remove an assignment (a draft goes with it); refused once the sheet is submitted."""
    if assignment.sheet is not None and assignment.sheet.is_submitted:
        raise InvalidState(_l("This assignment has a submitted score sheet and cannot be "
                              "removed."))
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


def assignment_page(stage: Stage, *, page: int = 1, per_page: int = 100,
                    short_only: bool = False) -> AssignmentPage:
    """Entries of ``stage`` (by category, then id) on page ``page`` (1-based, clamped), their
    assignments with judge and sheet, every judge's load, how many entries there are and how
    many have fewer than ``stage.judges_per_entry`` judges."""
    counts = (select(Assignment.entry_id, func.count(Assignment.id).label("n"))
              .where(Assignment.stage_id == stage.id).group_by(Assignment.entry_id).subquery())
    n_judges = func.coalesce(counts.c.n, 0)
    base = (select(Entry).outerjoin(counts, counts.c.entry_id == Entry.id)
            .where(entry_service.in_stage(stage)))
    sub = base.with_only_columns(n_judges.label("n")).subquery()
    n_entries, n_short = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((sub.c.n < stage.judges_per_entry, 1),
                                                  else_=0)), 0))).one()
    if short_only:
        base = base.where(n_judges < stage.judges_per_entry)
    total = n_short if short_only else n_entries
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = list(db.session.scalars(
        base.options(selectinload(Entry.organisation), selectinload(Entry.category))
        .order_by(Entry.category_id, Entry.id).offset((page - 1) * per_page).limit(per_page)))
    by_entry: dict[int, list[Assignment]] = {}
    if entries:
        for a in db.session.scalars(
                select(Assignment).where(Assignment.stage_id == stage.id,
                                         Assignment.entry_id.in_([e.id for e in entries]))
                .options(selectinload(Assignment.judge), selectinload(Assignment.sheet))
                .order_by(Assignment.entry_id, Assignment.judge_id)):
            by_entry.setdefault(a.entry_id, []).append(a)
    loads = dict(db.session.execute(
        select(Assignment.judge_id, func.count(Assignment.id))
        .where(Assignment.stage_id == stage.id).group_by(Assignment.judge_id)).all())
    return AssignmentPage(entries=entries, by_entry=by_entry, loads=loads, n_entries=n_entries,
                          n_short=n_short, n_assigned=sum(loads.values()), page=page,
                          pages=pages)


def list_assignments(stage: Stage) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.stage_id == stage.id)
        .options(selectinload(Assignment.judge), selectinload(Assignment.sheet))
        .order_by(Assignment.entry_id, Assignment.judge_id)
    ))


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
        out = [(self.judges[a], self.judges[b], int(ov[a, b]))
               for a in range(len(self.judges)) for b in range(a + 1, len(self.judges))
               if ov[a, b] > 0]
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
    result = assign_core.plan(allowed, judges_per_entry, fixed=fixed, prefer=prefer,
                              seed=stage.id)
    pairs: set[tuple[int, int]] = set()
    add: list[tuple[int, int]] = []
    for i, jj in zip(*np.nonzero(result.assigned), strict=True):
        key = (entries[i].id, judges[jj].id)
        pairs.add(key)
        if not fixed[i, jj] and key not in current:
            add.append(key)
    drop = [a for key, a in current.items() if key not in pairs]
    digest = hashlib.sha256(repr((judges_per_entry, sorted(pairs))).encode()).hexdigest()[:16]
    return AssignmentPlan(stage=stage, k=judges_per_entry, judges=judges, entries=entries,
                          plan=result, add=add, drop=drop, kept=len(pairs) - len(add),
                          digest=digest)


def auto_assign(*, stage: Stage, judges_per_entry: int, actor: User,
                digest: str | None = None) -> AssignmentPlan:
    """Apply the automatic assignment and record ``judges_per_entry`` as the stage's k.
    With ``digest`` (from the preview), refused if the plan changed since the preview."""
    result = plan_auto_assign(stage, judges_per_entry)
    if digest and digest != result.digest:
        raise InvalidState(_l("The assignments changed since the preview; check the new "
                              "preview before confirming."))
    for a in result.drop:
        db.session.delete(a)
    for entry_id, judge_id in result.add:
        db.session.add(Assignment(stage_id=stage.id, entry_id=entry_id, judge_id=judge_id))
    stage.judges_per_entry = judges_per_entry
    db.session.flush()
    notifications.judges_assigned(stage=stage, counts=Counter(j for _e, j in result.add),
                                  now=utcnow())
    return result


def withdraw_judge(*, stage: Stage, judge: User, reason: str, actor: User) -> tuple[int, int]:
    """A judge withdraws from the stage: the assignments they scored (draft or submitted)
    stay; the others go to other judges of the stage, never a conflicted one, least loaded
    first. Returns (moved, kept); an entry no judge can take is left short."""
    if not judge.is_judge:
        raise InvalidState(_l("Only judges can be assigned."))
    if judge.id in withdrawn_judge_ids(stage):
        raise InvalidState(_l("This judge has withdrawn from this stage."))
    db.session.add(JudgeWithdrawal(stage_id=stage.id, judge_id=judge.id, reason=reason.strip(),
                                   created_by_id=actor.id))
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
    result = assign_core.plan(allowed, target, fixed=now_assigned, seed=stage.id)
    moved = 0
    for i, jj in zip(*np.nonzero(result.assigned & ~now_assigned), strict=True):
        db.session.add(Assignment(stage_id=stage.id, entry_id=entries[i].id,
                                  judge_id=judges[jj].id))
        moved += 1
    db.session.flush()
    return moved, kept


# ---------------------------------------------------------------- score sheets


def list_assignments_of(judge: User) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.judge_id == judge.id)
        .options(selectinload(Assignment.entry).selectinload(Entry.category),
                 selectinload(Assignment.entry).selectinload(Entry.organisation),
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
    if assignment.judge_id != actor.id:
        raise NotAllowed()
    # Lock the stage row (PostgreSQL; SQLite serializes writers anyway) and read its window
    # afresh inside this transaction: a close committed meanwhile is seen, and a close
    # waits until this sheet is in. Either the sheet is in before the close, or it is refused.
    stage = db.session.scalar(select(Stage).where(Stage.id == assignment.stage_id)
                              .with_for_update().execution_options(populate_existing=True))
    if now > stage.closes_at:
        raise DeadlinePassed(stage.closes_at, what=_l("Scoring for this stage"))
    if now < stage.opens_at:
        raise NotOpenYet(_l("Scoring for this stage has not opened yet."))
    sheet = assignment.sheet
    if sheet is not None and sheet.is_submitted:
        raise InvalidState(_l("This score sheet has been submitted and is locked."))
    criteria = list_criteria(stage)
    if sum(c.weight for c in criteria) != 100:
        raise InvalidState(_l("The rubric of this stage is not complete yet (the weights do not "
                              "add up to 100%); ask the committee."))
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
        comment = (data.comment or "").strip()
        if score.value != data.value or (score.comment or "") != comment:
            sheet.changes.append(ScoreChange(
                criterion_id=c.id, changed_by_id=actor.id, changed_at=now,
                old_value=score.value, new_value=data.value,
                comment_changed=(score.comment or "") != comment))
        score.value = data.value
        score.comment = comment
        values[c.id] = data.value
    sheet.total = weighted_total(criteria, values)
    # Always UPDATE the sheet row, so its version column catches a concurrent save even when
    # only a comment changed (scores live in child rows, which do not bump the version).
    sheet.updated_at = now
    if submit:
        # On IncompleteError the draft is already flushed: the caller may commit it.
        missing = [f"score_{c.id}" for c in criteria if values.get(c.id) is None]
        missing += [f"comment_{c.id}" for c in criteria if c.comment_required
                    and not (inputs.get(c.id, CriterionInput(None)).comment or "").strip()]
        if missing:
            db.session.flush()
            raise IncompleteError(missing, _l("Score every criterion before submitting.")
                                  if missing[0].startswith("score_") else
                                  _l("Write the required comments before submitting."))
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
        sheet.changes.append(ScoreChange(event="submitted", changed_by_id=actor.id,
                                         changed_at=now))
    db.session.flush()
    return sheet


def reopen_sheet(*, sheet: ScoreSheet, reason: str, actor: User, now: datetime) -> ScoreSheet:
    """The committee unlocks a submitted sheet so the judge can correct it (until the stage
    closes); the reason is recorded in the sheet's history."""
    if not sheet.is_submitted:
        raise InvalidState(_l("Only a submitted score sheet can be reopened."))
    if not reason.strip():
        raise InvalidState(_l("Say why the sheet is reopened."))
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.changes.append(ScoreChange(event="reopened", changed_by_id=actor.id, changed_at=now,
                                     note=reason.strip()))
    db.session.flush()
    return sheet


def get_sheet(stage: Stage, sheet_id: int) -> ScoreSheet:
    """A sheet of the stage with its scores and history, else ``NotAllowed``."""
    sheet = db.session.scalar(
        select(ScoreSheet).join(Assignment).where(ScoreSheet.id == sheet_id,
                                                  Assignment.stage_id == stage.id)
        .options(selectinload(ScoreSheet.scores).selectinload(Score.criterion),
                 selectinload(ScoreSheet.changes).selectinload(ScoreChange.criterion),
                 selectinload(ScoreSheet.changes).selectinload(ScoreChange.changed_by)))
    if sheet is None:
        raise NotAllowed()
    return sheet


def set_blind_review(*, stage: Stage, blind: bool, actor: User) -> Stage:
    """Hide the OPDs' names from the stage's judges (or show them again)."""
    stage.blind_review = blind
    db.session.flush()
    return stage


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
                    uncertainty: bool = True, limit: int | None = None) -> StageRanking:
    """The stage's ranking per category with the stage's method (see ``judging.analysis``);
    ``uncertainty`` adds the bootstrap rank intervals (for the committee's pages); ``limit``
    keeps the first rows of each category."""
    return rank_stage(stage, method, uncertainty=uncertainty, limit=limit)


def publish_results(*, stage: Stage, actor: User, now: datetime, reason: str = "",
                    combined: bool | None = None):
    """Publish the stage's ranking as a new frozen version (``competition.awards``): plain rows
    built from arrays, no ORM object per entry. A correction (any version after the first)
    needs a ``reason``. Returns the ``Publication``.

    When the round has stage weights and ``stage`` is its last scored stage, what is published
    is the combined final ranking (``judging.combined``); ``combined=False`` publishes the
    stage's own ranking instead, ``combined=True`` insists (``InvalidState`` if it does not
    apply)."""
    if combined is None:
        combined = combined_ranking.publishes_combined(stage)
    if combined:
        return _publish_combined(stage=stage, actor=actor, now=now, reason=reason)
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
    digest, n_sheets = scores_digest(data)
    method = method_of(stage)
    params = {"method": method, "scale": [stage.scale_min, stage.scale_max],
              "tie_break": TIE_BREAK_RULE, "ranked_within": "category",
              "digest_format": "entry_id\tjudge_id\ttotal(6 decimals)\n, sorted"}
    return awards.record_results(stage=stage, rows=rows, actor=actor, now=now, method=method,
                                 params=params, scores_digest=digest, n_sheets=n_sheets,
                                 reason=reason)


def _publish_combined(*, stage: Stage, actor: User, now: datetime, reason: str):
    """The combined final ranking as ``stage``'s publication: scores on 0-100, the weights,
    each stage's method and the rule for entries that stopped earlier kept in ``params``."""
    if not combined_ranking.publishes_combined(stage):
        raise InvalidState(_l("Only the last scored stage of a round with stage weights "
                              "publishes the combined final ranking."))
    arrays = combined_ranking.combined_arrays(stage.round)
    placed = np.flatnonzero(arrays.rank > 0)
    rows = [
        awards.ResultRow(entry_id=e, category_id=c, rank=r, score=s, raw_score=w, n_judges=n)
        for e, c, r, s, w, n in zip(
            arrays.entry_ids[placed].tolist(), arrays.category_ids[placed].tolist(),
            arrays.rank[placed].tolist(), arrays.combined[placed].tolist(),
            arrays.raw_combined[placed].tolist(), arrays.n_sheets[placed].tolist())
    ]
    if not rows:
        raise InvalidState(_l("There is nothing to publish: no entry went through every "
                              "weighted stage."))
    params = {"method": combined_ranking.METHOD, "scale": [0, 100],
              "stages": [{"id": s.id, "name": s.name, "weight": w, "method": arrays.methods[s.id],
                          "scale": [s.scale_min, s.scale_max]}
                         for s, w in zip(arrays.stages, arrays.weights)],
              "combination": "weighted mean of the stage scores put on 0-100",
              "ranked": combined_ranking.WHO_IS_RANKED, "ranked_within": "category",
              "tie_break": combined_ranking.TIE_BREAK_RULE,
              "digest_format": "stage_id\tsha256 of that stage's sheets\n, in stage order"}
    return awards.record_results(stage=stage, rows=rows, actor=actor, now=now,
                                 method=combined_ranking.METHOD, params=params,
                                 scores_digest=arrays.digest,
                                 n_sheets=int(arrays.n_sheets.sum()), reason=reason)
