"""Score sheets: the weighted total, saving drafts, submitting before the stage closes,
reopening, and blind review."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, insert, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload, selectinload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Entry
from competition.errors import (
    DeadlinePassed,
    IncompleteError,
    InvalidState,
    JuriError,
    NotAllowed,
    NotOpenYet,
)
from competition.rounds.models import Stage
from judging.normalize import DEFAULT_METHOD, METHODS
from judging.panels.models import Assignment, Panel
from judging.panels.permissions import can_score
from judging.scoring import messages
from judging.scoring.blind import judged_blind
from judging.scoring.models import Criterion, Score, ScoreChange, ScoreSheet, SheetStatus
from judging.scoring.permissions import can_read_panel_sheet
from judging.scoring.rubric import list_criteria


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


class LooksLikeATenth(JuriError):
    """A submission whose every score sits in the lowest tenth of a wide scale: the draft is
    kept (flushed), the submission waits for the judge to confirm (``confirmed_low``)."""

    status = 422

    def __init__(self, lo, hi):
        super().__init__(
            _l(
                "Every score on this sheet is %(cut)s or less on a scale of %(lo)s to %(hi)s: "
                "were they typed on a 1-10 scale (8.6 for 86)? Your draft is saved. Check the "
                "scores; if they are right, tick the box below the form and submit again.",
                cut=format_decimal(lo + (hi - lo) / 10, "0.##"),
                lo=lo,
                hi=hi,
            )
        )


def looks_like_a_tenth(values, lo, hi) -> bool:
    """Every score of a sheet in the lowest tenth of a scale at least 20 points wide (on
    0-100: all 10 or less): most likely typed on a 1-10 scale, 86 as 8.6, the slip of scale
    the ranking page would list as a likely typing mistake (``judging.uncertainty``). On a
    narrow scale (1-5, 1-10) low scores are only low."""
    width = hi - lo
    values = list(values)
    return (
        width >= 20 and bool(values) and all(v is not None and v <= lo + width / 10 for v in values)
    )


@records_actor
def save_sheet(
    *,
    assignment: Assignment,
    inputs: dict[int, CriterionInput],
    submit: bool,
    actor: User,
    now: datetime,
    criteria: list[Criterion] | None = None,
    confirmed_low: bool = False,
) -> ScoreSheet:
    """Store a judge's scores as a draft, or submit them. Refused outside the stage's window,
    after submission, with values off the scale, or (on submit) with a criterion left empty.
    A submission whose every score looks typed on a 1-10 scale (``looks_like_a_tenth``) is
    kept as a draft and refused until the judge confirms it (``confirmed_low``).
    ``criteria``: the stage's rubric as the caller already read it in this transaction (the
    score sheet view builds its form from it), else it is read here."""
    if assignment.judge_id != actor.id:
        raise NotAllowed()
    # Lock the stage row (PostgreSQL; SQLite serializes writers anyway) and read its window
    # afresh inside this transaction: a close committed meanwhile is seen, and a close
    # waits until this sheet is in. Either the sheet is in before the close, or it is refused.
    # A shared lock (FOR SHARE) does that without making the stage's judges wait for one
    # another: with FOR UPDATE every save and submission of the stage queued behind the one
    # in progress, from here to its commit. Exclusive only while the stage's method is still
    # to be fixed by this first score (an UPDATE of the stage below): two holders of a shared
    # lock both updating the row would deadlock. A method once set is never unset
    # (``set_method`` takes only a registered one), so a stage read with one keeps it.
    fixes_method = assignment.stage.method not in METHODS
    stage = db.session.scalar(
        _locked_stage_statement(exclusive=fixes_method), {"id": assignment.stage_id}
    )
    if now > stage.closes_at:
        raise DeadlinePassed(stage.closes_at, what=_l("Scoring for this stage"))
    if now < stage.opens_at:
        raise NotOpenYet(_l("Scoring for this stage has not opened yet."))
    sheet = assignment.sheet
    if sheet is not None and sheet.is_submitted:
        raise InvalidState(_l("This score sheet has been submitted and is locked."))
    if criteria is None or any(c.stage_id != stage.id for c in criteria):
        criteria = list_criteria(stage)
    if sum(c.weight for c in criteria) != 100:
        raise InvalidState(
            _l(
                "The rubric of this stage is not complete yet (the weights do not "
                "add up to 100%); ask the committee."
            )
        )
    for c in criteria:
        v = inputs.get(c.id, CriterionInput(None)).value
        if v is not None and (not math.isfinite(v) or not stage.scale_min <= v <= stage.scale_max):
            raise InvalidState(
                _l(
                    "Scores must be between %(lo)s and %(hi)s.",
                    lo=stage.scale_min,
                    hi=stage.scale_max,
                )
            )
    if stage.method not in METHODS:
        # The first score fixes the method the stage will be ranked with, and records it.
        stage.method = DEFAULT_METHOD
    if sheet is None:
        sheet = ScoreSheet(assignment=assignment)
        db.session.add(sheet)
    by_criterion = {s.criterion_id: s for s in sheet.scores}
    values = {}
    history = []  # the sheet's ScoreChange rows to add, as column values (_record_changes)
    for c in criteria:
        data = inputs.get(c.id, CriterionInput(None))
        score = by_criterion.get(c.id)
        if score is None:
            score = Score(criterion=c)
            sheet.scores.append(score)
        comment = (data.comment or "").strip()
        if score.value != data.value or (score.comment or "") != comment:
            history.append(
                _change(
                    criterion_id=c.id,
                    changed_by_id=actor.id,
                    changed_at=now,
                    old_value=score.value,
                    new_value=data.value,
                    comment_changed=(score.comment or "") != comment,
                )
            )
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
        missing += [
            f"comment_{c.id}"
            for c in criteria
            if c.comment_required
            and not (inputs.get(c.id, CriterionInput(None)).comment or "").strip()
        ]
        if missing:
            db.session.flush()
            _record_changes(sheet, history)
            raise IncompleteError(
                missing,
                _l("Score every criterion before submitting.")
                if missing[0].startswith("score_")
                else _l("Write the required comments before submitting."),
            )
        if not confirmed_low and looks_like_a_tenth(
            values.values(), stage.scale_min, stage.scale_max
        ):
            db.session.flush()
            _record_changes(sheet, history)
            raise LooksLikeATenth(stage.scale_min, stage.scale_max)
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
        history.append(_change(event="submitted", changed_by_id=actor.id, changed_at=now))
    db.session.flush()
    _record_changes(sheet, history)
    return sheet


@functools.cache
def _locked_stage_statement(*, exclusive: bool):
    """The stage by ``:id``, read afresh and locked (FOR UPDATE, else FOR SHARE); built once per
    process and lock mode."""
    return (
        select(Stage)
        .where(Stage.id == bindparam("id"))
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    )


def _change(**values) -> dict:
    """A ScoreChange row's column values, every column given (the rows of one INSERT must
    name the same columns): ``values`` over the model's own column defaults."""
    fixed, computed = _change_defaults()
    row = {**fixed, **values}
    for key, default in computed.items():
        if key not in values:
            row[key] = default(None)  # SQLAlchemy's wrapped default takes the context
    return row


@functools.cache
def _change_defaults() -> tuple[dict, dict]:
    """ScoreChange's column defaults read from the model, so the one-INSERT history
    (``_record_changes``) writes what the ORM would and follows the model if its defaults
    change: the fixed values (None for a column without a default) and the functions called
    per row (``changed_at``: utcnow). ``id`` and ``sheet_id`` are not the caller's."""
    fixed, computed = {}, {}
    for column in ScoreChange.__table__.columns:
        if column.primary_key or column.key == "sheet_id":
            continue
        default = column.default
        if default is not None and default.is_callable:
            computed[column.key] = default.arg
        else:
            fixed[column.key] = default.arg if default is not None and default.is_scalar else None
    return fixed, computed


def _record_changes(sheet: ScoreSheet, history: list[dict]) -> None:
    """Add ``history`` (``_change`` rows) to the flushed ``sheet``'s history. When the sheet's
    history is not loaded (the score sheet page never loads it), as rows in one INSERT: no
    ScoreChange object per row for the unit of work to track and sort (a first draft writes
    one per criterion; their rows are not audited, so no audit record is missed), and no read
    of the earlier history, which appending to ``sheet.changes`` would first do. A loaded
    history (the committee's sheet page) gets the objects appended, so it stays complete."""
    if not history:
        return
    if "changes" in sa_inspect(sheet).unloaded:
        db.session.execute(
            insert(ScoreChange.__table__), [dict(row, sheet_id=sheet.id) for row in history]
        )
    else:
        sheet.changes.extend(ScoreChange(**row) for row in history)
        db.session.flush()


@records_actor
def reopen_sheet(*, sheet: ScoreSheet, reason: str, actor: User, now: datetime) -> ScoreSheet:
    """The committee unlocks a submitted sheet so the judge can correct it (until the stage
    closes); the reason is recorded in the sheet's history and sent to the judge
    (``judging.scoring.messages.sheet_reopened``: in the outbox, mailed after the commit)."""
    if not sheet.is_submitted:
        raise InvalidState(_l("Only a submitted score sheet can be reopened."))
    if not reason.strip():
        raise InvalidState(_l("Say why the sheet is reopened."))
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.changes.append(
        ScoreChange(event="reopened", changed_by_id=actor.id, changed_at=now, note=reason.strip())
    )
    db.session.flush()
    messages.sheet_reopened(sheet=sheet, reason=reason, now=now)
    return sheet


def latest_reopen_note(sheet_id):
    """A statement: the committee's note when the sheet's latest "reopened" or "submitted"
    event is a reopening, else NULL. ``sheet_id`` is a value, or a column to correlate (the
    judge's worklist, ``judging.scoring.workspace``)."""
    return (
        select(case((ScoreChange.event == "reopened", ScoreChange.note), else_=None))
        .where(
            ScoreChange.sheet_id == sheet_id,
            # not IN (...): an expanding parameter is rendered again on every execution
            or_(ScoreChange.event == "reopened", ScoreChange.event == "submitted"),
        )
        .order_by(ScoreChange.id.desc())
        .limit(1)
    )


def reopen_note(sheet: ScoreSheet | None) -> str | None:
    """The committee's message when it reopened ``sheet`` and the sheet is still open for its
    judge (a draft not submitted again since): what the judge is asked to check. None
    otherwise (no query for a submitted sheet or none)."""
    if sheet is None or sheet.is_submitted or sheet.id is None:
        return None
    return db.session.scalar(latest_reopen_note(sheet.id))


def get_sheet(stage: Stage, sheet_id: int) -> ScoreSheet:
    """A sheet of the stage with its scores and history, else ``NotAllowed``."""
    sheet = db.session.scalar(
        select(ScoreSheet)
        .join(Assignment)
        .where(ScoreSheet.id == sheet_id, Assignment.stage_id == stage.id)
        .options(
            selectinload(ScoreSheet.scores).selectinload(Score.criterion),
            selectinload(ScoreSheet.changes).selectinload(ScoreChange.criterion),
            selectinload(ScoreSheet.changes).selectinload(ScoreChange.changed_by),
        )
    )
    if sheet is None:
        raise NotAllowed()
    return sheet


@records_actor
def set_blind_review(*, stage: Stage, blind: bool, actor: User) -> Stage:
    """Hide the OPDs' names from the stage's judges (or show them again)."""
    stage.blind_review = blind
    db.session.flush()
    return stage


def get_panel_sheet(judge: User, panel: Panel, sheet_id: int) -> ScoreSheet:
    """A submitted sheet of an entry the judge's panel covers, else ``NotAllowed``."""
    sheet = db.session.get(ScoreSheet, sheet_id)
    if sheet is None or not can_read_panel_sheet(judge, panel, sheet):
        raise NotAllowed()
    return sheet


def get_assignment_for(judge: User, assignment_id: int, *, with_entry: bool = True) -> Assignment:
    """The judge's own assignment, else ``NotAllowed`` (404: unassigned entries do not exist
    for a judge). Loads what the score sheet shows in two queries (stage, sheet and entry
    with its organisation, category, round and attachments joined; the sheet's scores)
    instead of one per object. Without ``with_entry`` (saving a sheet: the entry is shown only
    when the form comes back with an error) the entry is left to load when asked for, and the
    proposal's texts and attachments are not read at all on success."""
    return _get_assignment(judge, assignment_id, with_entry)[0]


def get_assignment_to_score(judge: User, assignment_id: int) -> tuple[Assignment, bool]:
    """``get_assignment_for`` with the entry, and whether the judge sees the entry blind
    (``judging.scoring.permissions.can_see_identity`` answered in the same statement)."""
    return _get_assignment(judge, assignment_id, True)


def _get_assignment(judge: User, assignment_id: int, with_entry: bool) -> tuple[Assignment, bool]:
    result = db.session.execute(_assignment_statement(with_entry), {"id": assignment_id})
    row = result.unique().first()  # a joined collection: the scores, or the attachments
    if row is None or not can_score(judge, row[0]):
        raise NotAllowed()
    return row[0], bool(row[1]) if with_entry else False


@functools.cache
def _assignment_statement(with_entry: bool):
    """``get_assignment_for``'s statement, built once per process and variant (its loader
    options cost a few milliseconds to construct at every request); with the entry, whether
    it is judged blind as a second column."""
    # The scores: joined when saving (a row per criterion, one statement fewer), in a second
    # statement when the page is shown (each joined row would repeat the proposal's texts).
    scores = selectinload if with_entry else joinedload
    options = [
        joinedload(Assignment.stage),
        joinedload(Assignment.sheet).options(scores(ScoreSheet.scores)),
    ]
    columns = [Assignment]
    if with_entry:
        options += [
            joinedload(Assignment.entry).joinedload(Entry.organisation),
            joinedload(Assignment.entry).joinedload(Entry.category),
            joinedload(Assignment.entry).joinedload(Entry.round),
            # Joined, not a statement of their own: a selectinload's second statement cost
            # more CPU (about 1 ms) than the entry's columns repeated on a row per attachment
            # (measured with 0 and with 5 attachments).
            joinedload(Assignment.entry).joinedload(Entry.attachments),
        ]
        columns.append(judged_blind(Assignment.entry_id).label("is_blind"))
    return select(*columns).where(Assignment.id == bindparam("id")).options(*options)
