"""The rules an entry is held to: the submission window (or a reopened entry) and who may
change a draft now, the fields and word limits a submission needs, the special group's
invitation, the cap of entries per agency and group, the innovation's minimum age; and whether a
unit's entry goes to its agency's Admin Lokal before the committee."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from competition.accounts.models import Organisation, User
from competition.db import db
from competition.entries.models import (
    AttachmentKind,
    Entry,
    EntryStatus,
)
from competition.entries.permissions import (
    can_edit_entry,
)
from competition.errors import (
    DeadlinePassed,
    InvalidFields,
    InvalidState,
)
from competition.forms import to_local
from competition.roles import Role
from competition.rounds.models import Round
from competition.rounds.sections import (
    MIN_AGE_YEARS,
    EntryGroup,
    latest_start,
    over_limit,
)


def _check_window(round_: Round, now: datetime, entry: Entry | None = None) -> None:
    """Refuse outside the round's submission window, except for an entry the committee has
    reopened (which may be edited and submitted again after the deadline)."""
    if entry is not None and entry.reopened_at is not None and not entry.is_submitted:
        return
    if now > round_.submission_closes_at:
        raise DeadlinePassed(round_.submission_closes_at, what=_l("Submission"))
    if not round_.accepts_submissions(now):
        raise InvalidState(_l("This round is not accepting submissions."))


def accepts_changes(entry: Entry, actor: User, now: datetime) -> bool:
    """Whether ``actor`` may change the stored draft ``entry`` now (its round's window, or a
    reopened entry); used to keep the files of a save refused for another reason."""
    if not can_edit_entry(actor, entry):
        return False
    try:
        _check_window(entry.round, now, entry)
    except (DeadlinePassed, InvalidState):
        return False
    return True


def check_word_limits(entry: Entry) -> None:
    """Refuse a submission with a section over the round's word limit, naming each one."""
    errors = {
        name: _l(
            "%(count)s words: this section allows at most %(limit)s words.",
            count=count,
            limit=limit,
        )
        for name, (count, limit) in over_limit(
            {s.name: entry.section_text(s.name) for s in entry.round.sections_for()},
            entry.round.word_limits,
            entry.round.section_settings,
        ).items()
    }
    if errors:
        raise InvalidFields(errors)


def missing_fields(entry: Entry) -> list[str]:
    """What a submission still needs, as form field names, in form order."""
    missing = [] if entry.title else ["title"]
    if entry.innovation_started_on is None:
        missing.append("innovation_started_on")
    if not entry.innovators.strip():
        missing.append("innovators")
    missing += [s.name for s, text in entry.sections if not text.strip()]
    if not any(a.kind == AttachmentKind.SK for a in entry.attachments):
        missing.append("sk_file")
    if entry.truth_declared_at is None:
        missing.append("truth_declaration")
    return missing


def check_invitation(entry: Entry) -> None:
    """The special group (khusus, past winners) is open only to invited organisations."""
    if entry.group != EntryGroup.KHUSUS:
        return
    invited = set(entry.round.khusus_invited or [])
    if not invited & {entry.organisation_id, entry.organisation.agency_id}:
        raise InvalidState(
            _l(
                "The special group is by invitation, and your organisation has "
                "not been invited to it in this round."
            )
        )


def check_cap(entry: Entry) -> None:
    """Refuse a submission over the round's cap of entries per agency (an organisation and
    its units together) and group."""
    cap = entry.round.cap_for(entry.group)
    if cap is None:
        return
    agency_id = entry.organisation.agency_id
    members = select(Organisation.id).where(
        or_(Organisation.id == agency_id, Organisation.parent_id == agency_id)
    )
    used = db.session.scalar(
        select(func.count(Entry.id)).where(
            Entry.round_id == entry.round_id,
            Entry.organisation_id.in_(members),
            Entry.group == entry.group,
            Entry.status == EntryStatus.SUBMITTED,
            Entry.id != entry.id,
        )
    )
    if used >= cap:
        raise InvalidState(
            _l(
                "Your organisation has already submitted %(n)s entries in this group, the most "
                "this round accepts.",
                n=used,
            )
        )


def check_age(entry: Entry, on: datetime) -> None:
    """Refuse an innovation younger than its group's minimum age on ``on`` (its date in WIB,
    the calendar the OPD's start date is written in: at 20:00 UTC it is already tomorrow)."""
    latest = latest_start(entry.group, to_local(on).date())
    if entry.innovation_started_on is not None and entry.innovation_started_on > latest:
        raise InvalidFields(
            {
                "innovation_started_on": _l(
                    "An innovation of this group must have been running for at least %(years)s "
                    "year(s): it must have started on %(date)s at the latest.",
                    years=MIN_AGE_YEARS[entry.group],
                    date=latest.isoformat(),
                )
            }
        )


def has_agency_review(organisation: Organisation | None) -> bool:
    """Whether ``organisation`` is a unit of an agency with an active Admin Lokal, who then
    reviews its entries before they reach the committee."""
    parent_id = organisation.parent_id if organisation is not None else None
    return (
        parent_id is not None
        and db.session.scalar(
            select(User.id)
            .where(
                User.organisation_id == parent_id,
                User.role == Role.AGENCY,
                User.is_enabled.is_(True),
            )
            .limit(1)
        )
        is not None
    )
