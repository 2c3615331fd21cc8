"""OPD entries: drafting, submitting before the deadline, and finding the ones a user may see.

A unit of an agency that has an Admin Lokal does not submit to the committee itself: its
submission hands the entry to the Admin Lokal (``agency_review``), who corrects it, returns it
to the unit with a note, or submits it to the committee. Units of agencies without an Admin
Lokal, and organisations without an agency, submit directly.

The rules a submission is checked against are ``competition.entries.checks``; the lists of
entries the pages show, ``competition.entries.lists``."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries import messages
from competition.entries.checks import (
    _check_window,
    check_age,
    check_cap,
    check_invitation,
    check_word_limits,
    has_agency_review,
    missing_fields,
)
from competition.entries.models import (
    Advancement,
    Entry,
    EntryEvent,
    EntryStatus,
    Screening,
)
from competition.entries.permissions import (
    can_edit_entry,
    can_review_entry,
    can_view_entry,
    can_withdraw_entry,
)
from competition.errors import (
    DeadlinePassed,
    IncompleteError,
    InvalidFields,
    InvalidState,
    NotAllowed,
)
from competition.forms import to_local
from competition.rounds.eligibility import check_eligible
from competition.rounds.models import Category, Round, Stage, StageKind
from competition.rounds.sections import (
    SECTION_NAMES,
    EntryGroup,
)


def _apply(entry: Entry, data: dict, now: datetime) -> None:
    """Copy the form's values onto the entry; refuses a start date in the future (the typed
    text stays in the form: the view re-renders it). A draft may exceed the word limits:
    ``check_word_limits`` refuses it at submission."""
    if data.get("group"):
        entry.group = EntryGroup(data["group"])
    for field in ("title", "innovators", "video_url"):
        if field in data and data[field] is not None:
            setattr(entry, field, data[field].strip())
    # Only the sections switched on in the round: a switched-off section's text is kept.
    custom = dict(entry.custom_texts or {})
    for section in entry.round.sections_for():
        text = data.get(section.name)
        if text is None:
            continue
        if section.custom:
            custom[section.name] = text.strip()
        else:
            setattr(entry, section.name, text.strip())
    if custom != (entry.custom_texts or {}):
        entry.custom_texts = custom  # a new dict, so the JSON column is written
    if "innovation_started_on" in data:
        entry.innovation_started_on = data["innovation_started_on"]
    if "truth_declaration" in data:
        entry.truth_declared_at = (
            (entry.truth_declared_at or now) if data["truth_declaration"] else None
        )
    errors = {}
    if (
        entry.innovation_started_on is not None
        and entry.innovation_started_on > to_local(now).date()
    ):
        errors["innovation_started_on"] = _l("The start date cannot be in the future.")
    if errors:
        raise InvalidFields(errors)


def _refuse_edit(actor: User, entry: Entry, submitted_message) -> None:
    if can_view_entry(actor, entry) and entry.is_submitted:
        raise InvalidState(submitted_message)
    if can_view_entry(actor, entry) and entry.is_in_agency_review:
        raise InvalidState(
            _l(
                "This entry is with your agency's Admin Lokal for review; it can "
                "be changed again if they return it to you."
            )
        )
    raise NotAllowed()


@records_actor
def create_entry(
    *, round_: Round, category: Category, data: dict[str, str], actor: User, now: datetime
) -> Entry:
    """Create a draft entry for the actor's organisation."""
    if not actor.is_opd or actor.organisation_id is None:
        raise NotAllowed()
    if category.round_id != round_.id:
        raise InvalidState(_l("Choose a category of this round."))
    check_eligible(round_, actor.organisation)
    _check_window(round_, now)
    if not (data.get("title") or "").strip():
        raise IncompleteError(["title"], _l("A title is needed to save a draft."))
    entry = Entry(
        round=round_,
        category=category,
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        title="",
        group=EntryGroup.UMUM,
        innovators="",
        video_url="",
        **{name: "" for name in SECTION_NAMES},
    )
    _apply(entry, data, now)
    db.session.add(entry)
    db.session.flush()
    return entry


@records_actor
def update_entry(
    *,
    entry: Entry,
    data: dict[str, str],
    category: Category | None = None,
    actor: User,
    now: datetime,
) -> Entry:
    """Save a draft. Refused after submission or after the deadline."""
    if not can_edit_entry(actor, entry):
        _refuse_edit(
            actor, entry, _l("This proposal has been submitted and can no longer be changed.")
        )
    _check_window(entry.round, now, entry)
    if category is not None:
        if category.round_id != entry.round_id:
            raise InvalidState(_l("Choose a category of this round."))
        entry.category = category
    _apply(entry, data, now)
    if not entry.title:
        raise IncompleteError(["title"], _l("A title is needed to save a draft."))
    db.session.flush()
    return entry


@records_actor
def submit_entry(*, entry: Entry, actor: User, now: datetime) -> Entry:
    """Submit a complete entry before the round's submission deadline. A unit of an agency
    with an Admin Lokal hands it to the Admin Lokal instead (status ``agency_review``, after
    the same checks, so the Admin Lokal receives a complete entry); the Admin Lokal's
    submission goes to the committee."""
    if not can_edit_entry(actor, entry):
        _refuse_edit(actor, entry, _l("This proposal has already been submitted."))
    _check_window(entry.round, now, entry)
    missing = missing_fields(entry)
    if missing:
        raise IncompleteError(missing)
    check_word_limits(entry)
    check_age(entry, now)
    check_eligible(entry.round, entry.organisation)
    check_invitation(entry)
    check_cap(entry)
    if actor.is_opd and has_agency_review(entry.organisation):
        entry.status = EntryStatus.AGENCY_REVIEW
        db.session.add(
            EntryEvent(entry=entry, actor_id=actor.id, action="sent_to_agency", created_at=now)
        )
        db.session.flush()
        messages.entry_handed_over(entry=entry, now=now)
        return entry
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_at = now
    db.session.flush()
    messages.entry_submitted(entry=entry, now=now)  # the OPD's receipt
    return entry


def reread_for_update(entry: Entry) -> Entry:
    """Re-read ``entry`` from the database and keep its row locked until the commit (SELECT
    ... FOR UPDATE on PostgreSQL; SQLite lets one writer at a time anyway), before a change
    that does not depend on the proposal's text: status, screening, reopening.

    Why: ``Entry.version_id`` is a SQLAlchemy ``version_id_col``, so every UPDATE of an entry
    says ``WHERE version_id = <the version this session read>``. That is what keeps two saves
    of the proposal text (two tabs, OPD and Admin Lokal) from overwriting each other. But a
    committee action works on the entry as its request loaded it; if the OPD saved (or
    another committee member decided) in between, its UPDATE matched no row and the request
    died with ``StaleDataError``. Such an action does not overwrite the text, so it need not
    conflict: it re-reads the current row (its checks then see the current status) and
    writes on top of it, under a lock, so the UPDATE cannot be stale. Every change still
    bumps the version, so a proposal form shown before a reopening or a decision is refused
    as stale (it was shown for another state).

    Alternatives considered: ``version_id_generator=False`` with the version bumped only by
    text saves leaves the ``WHERE version_id`` on every UPDATE, so the race stays; retrying
    after ``StaleDataError`` needs a SAVEPOINT, which pysqlite does not handle safely. What
    still races (a submission against a simultaneous text save, whose checks read the text)
    is answered 409 by the app-wide ``StaleDataError`` handler, never 500."""
    db.session.flush()  # what this session changed is written first, not thrown away
    db.session.refresh(entry, with_for_update=True)
    return entry


@records_actor
def return_to_unit(*, entry: Entry, note: str, actor: User, now: datetime) -> Entry:
    """The Admin Lokal gives an entry its unit handed over back to the unit as a draft, with
    a note the unit reads (what to correct)."""
    if not can_review_entry(actor, entry):
        if can_view_entry(actor, entry) and actor.is_agency_admin:
            raise InvalidState(_l("Only a proposal awaiting your review can be returned."))
        raise NotAllowed()
    note = (note or "").strip()
    if not note:
        raise IncompleteError(["reason"], _l("Tell the unit what to correct."))
    entry.status = EntryStatus.DRAFT
    db.session.add(
        EntryEvent(
            entry=entry, actor_id=actor.id, action="returned_to_unit", reason=note, created_at=now
        )
    )
    db.session.flush()
    messages.entry_returned(entry=entry, note=note, now=now)
    return entry


@records_actor
def withdraw_entry(*, entry: Entry, actor: User, now: datetime) -> Entry:
    """Take a submitted entry back from the committee before the submission deadline. Its
    OPD gets it back as a draft; an entry a unit handed to its agency goes back to the Admin
    Lokal's review (only the Admin Lokal withdraws it: from there it corrects and submits it
    again, or returns it to the unit). Any screening decision is undone; the unit's accounts
    get a receipt."""
    if not can_withdraw_entry(actor, entry):
        if can_view_entry(actor, entry) and actor.is_opd and entry.is_submitted:
            raise InvalidState(
                _l("Your agency's Admin Lokal submitted this proposal: ask them to withdraw it.")
            )
        if can_view_entry(actor, entry):
            raise InvalidState(_l("Only a submitted proposal can be withdrawn."))
        raise NotAllowed()
    reread_for_update(entry)
    if not entry.is_submitted:
        raise InvalidState(_l("Only a submitted proposal can be withdrawn."))
    if now > entry.round.submission_closes_at:
        raise DeadlinePassed(entry.round.submission_closes_at, what=_l("Submission"))
    entry.status = EntryStatus.AGENCY_REVIEW if actor.is_agency_admin else EntryStatus.DRAFT
    entry.submitted_at = None
    entry.screening, entry.screening_reason, entry.screened_at = Screening.PENDING, "", None
    db.session.add(EntryEvent(entry=entry, actor_id=actor.id, action="withdrawn", created_at=now))
    db.session.flush()
    messages.entry_withdrawn(entry=entry, actor=actor, now=now)
    return entry


@records_actor
def reopen_entry(*, entry: Entry, reason: str, actor: User, now: datetime) -> Entry:
    """The committee gives one submitted entry back to its OPD as a draft, with a recorded
    reason; the OPD may then edit and resubmit it even after the submission deadline.
    Any screening decision is undone (the entry will be screened again)."""
    if not actor.is_committee:
        raise NotAllowed()
    reread_for_update(entry)
    if not entry.is_submitted:
        raise InvalidState(_l("Only a submitted proposal can be reopened."))
    reason = (reason or "").strip()
    if not reason:
        raise IncompleteError(["reason"], _l("Give the reason for reopening this proposal."))
    entry.status = EntryStatus.DRAFT
    entry.reopened_at = now
    entry.reopen_reason = reason
    entry.screening, entry.screening_reason, entry.screened_at = Screening.PENDING, "", None
    db.session.add(
        EntryEvent(entry=entry, actor_id=actor.id, action="reopened", reason=reason, created_at=now)
    )
    db.session.flush()
    return entry


def _needs_screening(stage: Stage) -> bool:
    return any(
        s.kind == StageKind.SCREENING and not s.is_skipped and s.position < stage.position
        for s in stage.round.stages
    )


def in_stage(stage: Stage):
    """SQL condition on ``Entry``: the entries that take part in ``stage``. Submitted entries
    of its round, never those screened ineligible, and only eligible ones once an active
    screening stage comes before it. The judging package selects entries with this."""
    conditions = [
        Entry.round_id == stage.round_id,
        Entry.status == EntryStatus.SUBMITTED,
        Entry.screening != Screening.INELIGIBLE,
    ]
    if _needs_screening(stage):
        conditions.append(Entry.screening == Screening.ELIGIBLE)
    advanced = select(Advancement.entry_id).where(Advancement.to_stage_id == stage.id)
    conditions.append(or_(~exists(advanced), Entry.id.in_(advanced)))
    return and_(*conditions)


def _may_take_part(entry: Entry, stage: Stage) -> bool:
    """``in_stage`` for one loaded entry, before any advancement to ``stage``."""
    if entry.round_id != stage.round_id or entry.status != EntryStatus.SUBMITTED:
        return False
    if entry.screening == Screening.INELIGIBLE:
        return False
    return entry.screening == Screening.ELIGIBLE or not _needs_screening(stage)


def _advanced_to(entry: Entry, stage_ids: list[int]) -> dict[int, bool]:
    """Per stage of ``stage_ids`` that has confirmed advancements, whether ``entry`` is among
    them (stages without any are left out); one query."""
    if not stage_ids:
        return {}
    mine = func.max(case((Advancement.entry_id == entry.id, 1), else_=0))
    rows = db.session.execute(
        select(Advancement.to_stage_id, mine)
        .where(Advancement.to_stage_id.in_(stage_ids))
        .group_by(Advancement.to_stage_id)
    )
    return {stage_id: bool(found) for stage_id, found in rows}


def is_in_stage(entry: Entry, stage: Stage) -> bool:
    """``in_stage`` for one loaded entry."""
    if not _may_take_part(entry, stage):
        return False
    return _advanced_to(entry, [stage.id]).get(stage.id, True)


def progress_of(entry: Entry, now: datetime) -> list[tuple[Stage, str]]:
    """Where the entry stands in each (not skipped) stage of its round, as a label key:
    draft/submitted, the screening decision, and for scored stages whether it takes part
    (``in_evaluation``, ``evaluated``), did not advance to it (``not_advanced``: the first such
    stage only; the later ones it never reaches are ``not_reached``), or the stage is still
    ``upcoming``."""
    out = []
    stopped = False
    scored = [s.id for s in entry.round.stages if s.kind == StageKind.SCORED and not s.is_skipped]
    advanced = _advanced_to(entry, scored) if entry.is_submitted else {}
    for stage in entry.round.stages:
        if stage.is_skipped:
            continue
        if stage.kind == StageKind.SUBMISSION:
            state = entry.status.value
        elif not entry.is_submitted:
            state = "upcoming"
        elif stage.kind == StageKind.SCREENING:
            state = entry.screening.value
        elif stage.kind == StageKind.SCORED:
            confirmed = stage.id in advanced
            taking_part = _may_take_part(entry, stage) and advanced.get(stage.id, True)
            if entry.screening == Screening.INELIGIBLE or (confirmed and not taking_part):
                state = "not_advanced"
            elif now < stage.opens_at:
                state = "upcoming"
            elif not taking_part:
                state = "not_advanced"
            else:
                state = "in_evaluation" if now <= stage.closes_at else "evaluated"
            if state == "not_advanced":
                state, stopped = ("not_reached" if stopped else state), True
        else:
            state = "published" if entry.round.results_published_at else "upcoming"
        out.append((stage, state))
    return out


def standing_of(entry: Entry, now: datetime) -> tuple[Stage, str] | None:
    """Where the entry stands now, in one line of its ``progress_of``: the first scored stage
    it did not advance to, else the last scored stage it is in (being evaluated or
    evaluated); None before any scored stage concerns it."""
    scored = [(s, st) for s, st in progress_of(entry, now) if s.kind == StageKind.SCORED]
    for stage, state in scored:
        if state == "not_advanced":
            return stage, state
    taking_part = [(s, st) for s, st in scored if st in ("in_evaluation", "evaluated")]
    return taking_part[-1] if taking_part else None


def get_entry_for(user: User, entry_id: int) -> Entry:
    """The entry if ``user`` may see it, else ``NotAllowed`` (answered 404)."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not can_view_entry(user, entry):
        raise NotAllowed()
    return entry
