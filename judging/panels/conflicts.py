"""Conflicts of interest: a judge's own organisation and declared conflicts (with an entry or a
whole organisation), declared by the committee or by the judge recusing from a sheet. A
conflicted judge is never assigned (``judging.services`` asks ``conflict_pairs``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidState, NotAllowed
from competition.rounds.models import Stage
from judging.panels.models import Assignment, Conflict


def conflict_pairs(judges: list[User], entries: list[Entry]) -> set[tuple[int, int]]:
    """Every conflicted (entry id, judge id) pair among ``judges`` x ``entries``: the judge's
    own organisation, a declared conflict with the organisation, or one with the entry.
    One query, whatever the number of judges and entries."""
    pairs = {
        (e.id, j.id)
        for j in judges
        for e in entries
        if j.organisation_id is not None and j.organisation_id == e.organisation_id
    }
    if not judges or not entries:
        return pairs
    by_org: dict[int, list[int]] = {}
    for e in entries:
        by_org.setdefault(e.organisation_id, []).append(e.id)
    entry_ids = {e.id for e in entries}
    rows = db.session.execute(
        select(Conflict.judge_id, Conflict.entry_id, Conflict.organisation_id).where(
            Conflict.judge_id.in_([j.id for j in judges])
        )
    )
    for judge_id, entry_id, org_id in rows:
        if entry_id in entry_ids:
            pairs.add((entry_id, judge_id))
        for eid in by_org.get(org_id, ()):
            pairs.add((eid, judge_id))
    return pairs


def has_conflict(judge: User, entry: Entry) -> bool:
    """Whether ``judge`` may never judge ``entry`` (see ``conflict_pairs``)."""
    return (entry.id, judge.id) in conflict_pairs([judge], [entry])


def list_conflicts(stage: Stage) -> list[Conflict]:
    """The declared conflicts that touch the stage's round (entry or organisation level)."""
    round_entries = select(Entry.id).where(Entry.round_id == stage.round_id)
    round_orgs = select(Entry.organisation_id).where(Entry.round_id == stage.round_id)
    return list(
        db.session.scalars(
            select(Conflict)
            .where(Conflict.entry_id.in_(round_entries) | Conflict.organisation_id.in_(round_orgs))
            .options(
                selectinload(Conflict.judge),
                selectinload(Conflict.entry),
                selectinload(Conflict.organisation),
                selectinload(Conflict.declared_by),
            )
            .order_by(Conflict.created_at.desc(), Conflict.id.desc())
        )
    )


def _drop_conflicted_assignments(judge: User, entry_ids) -> int:
    """Remove the judge's assignments to ``entry_ids`` that have no submitted sheet (a draft
    goes with its assignment); refuse if one was submitted. Returns how many were removed."""
    rows = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.judge_id == judge.id, Assignment.entry_id.in_(entry_ids))
            .options(selectinload(Assignment.sheet))
        )
    )
    if any(a.sheet is not None and a.sheet.is_submitted for a in rows):
        raise InvalidState(
            _l(
                "This judge has already submitted scores for an entry concerned; "
                "reopen that score sheet first."
            )
        )
    for a in rows:
        db.session.delete(a)
    return len(rows)


@records_actor
def declare_conflict(
    *,
    judge: User,
    actor: User,
    entry: Entry | None = None,
    organisation: Organisation | None = None,
    reason: str = "",
    is_recusal: bool = False,
) -> Conflict:
    """Record that ``judge`` must never judge ``entry`` (or any entry of ``organisation``);
    the judge's unsubmitted assignments concerned are removed, so they need reassignment."""
    if not judge.is_judge:
        raise InvalidState(_l("Only judges can have conflicts of interest."))
    if (entry is None) == (organisation is None):
        raise InvalidState(_l("Choose either an entry or an organisation."))
    if entry is not None:
        entry_ids = [entry.id]
    else:
        entry_ids = list(
            db.session.scalars(select(Entry.id).where(Entry.organisation_id == organisation.id))
        )
    _drop_conflicted_assignments(judge, entry_ids)
    conflict = Conflict(
        judge_id=judge.id,
        entry_id=entry.id if entry else None,
        organisation_id=organisation.id if organisation else None,
        reason=reason.strip(),
        is_recusal=is_recusal,
        declared_by_id=actor.id,
    )
    db.session.add(conflict)
    db.session.flush()
    return conflict


@records_actor
def remove_conflict(*, conflict: Conflict, actor: User) -> None:
    db.session.delete(conflict)
    db.session.flush()


@records_actor
def set_affiliation(*, judge: User, organisation: Organisation | None, actor: User) -> User:
    """Set the organisation the judge works for; the judge's unsubmitted assignments to that
    organisation's entries are removed (refused if one was submitted)."""
    if not judge.is_judge:
        raise InvalidState(_l("Only judges can have conflicts of interest."))
    if organisation is not None:
        _drop_conflicted_assignments(
            judge,
            list(
                db.session.scalars(select(Entry.id).where(Entry.organisation_id == organisation.id))
            ),
        )
    judge.organisation_id = organisation.id if organisation else None
    db.session.flush()
    return judge


@records_actor
def recuse(*, assignment: Assignment, reason: str, actor: User) -> Conflict:
    """The judge declares a conflict with the entry from the sheet itself: the conflict is
    recorded with the reason and the assignment (with any draft) removed, so the committee
    sees the entry short of judges. Refused once the sheet is submitted."""
    if assignment.judge_id != actor.id:
        raise NotAllowed()
    if not reason.strip():
        raise InvalidState(_l("Say why you cannot judge this entry."))
    return declare_conflict(
        judge=actor, entry=assignment.entry, reason=reason, is_recusal=True, actor=actor
    )
