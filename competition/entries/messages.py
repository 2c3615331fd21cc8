"""The messages an entry's life sends to the outbox (``competition.notifications``): the OPD's
receipt, the Admin Lokal's review requests and returns, withdrawals, the screening decision
and the committee's reminder about unsubmitted drafts. Each is written in its recipient's
language (``notifications.notify_each``) and flushed with the change it reports (a
rolled-back change sends nothing)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.audit import services as audit
from competition.db import db
from competition.entries.models import Entry, EntryStatus, Screening
from competition.errors import DeadlinePassed
from competition.notifications import services as notifications
from competition.notifications.models import Notification
from competition.roles import Role
from competition.rounds.models import Round


def _opd_users(organisation_ids) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id.in_(list(organisation_ids)),
                User.role == Role.OPD,
                User.is_enabled.is_(True),
            )
            .order_by(User.id)
        )
    )


def entry_submitted(*, entry: Entry, now: datetime) -> list[Notification]:
    """Receipt of a submitted entry, for its OPD's accounts."""

    def write(_user: User) -> tuple[str, str]:
        subject = _("Submission received: %(title)s", title=entry.title)
        body = _(
            'Your proposal "%(title)s" was submitted to %(round)s on '
            "%(when)s. Keep this message as your receipt.",
            title=entry.title,
            round=entry.round.name,
            when=format_datetime(now, "d MMMM y, HH:mm zzz"),
        )
        return subject, body + notifications.link("opd_results.entry_detail", entry_id=entry.id)

    return notifications.notify_each(
        _opd_users([entry.organisation_id]), kind="entry_submitted", now=now, write=write
    )


def entry_handed_over(*, entry: Entry, now: datetime) -> list[Notification]:
    """A unit handed its entry to its agency: a message for the agency's Admin Lokal."""
    admins = db.session.scalars(
        select(User)
        .where(
            User.organisation_id == entry.organisation.parent_id,
            User.role == Role.AGENCY,
            User.is_enabled.is_(True),
        )
        .order_by(User.id)
    )

    def write(_user: User) -> tuple[str, str]:
        subject = _("To review: %(title)s", title=entry.title)
        body = _(
            '%(unit)s sent "%(title)s" (%(round)s) for your review. Correct it '
            "if needed, then submit it to the committee or return it to the unit.",
            unit=entry.organisation.name,
            title=entry.title,
            round=entry.round.name,
        )
        return subject, body + notifications.link("agency.entry_detail", entry_id=entry.id)

    return notifications.notify_each(admins, kind="entry_handed_over", now=now, write=write)


def entry_returned(*, entry: Entry, note: str, now: datetime) -> list[Notification]:
    """The Admin Lokal returned an entry to its unit: the note, for the unit's accounts."""

    def write(_user: User) -> tuple[str, str]:
        subject = _("Returned for correction: %(title)s", title=entry.title)
        body = _("Note from your Admin Lokal: %(note)s", note=note)
        return subject, body + notifications.link("opd_results.entry_detail", entry_id=entry.id)

    return notifications.notify_each(
        _opd_users([entry.organisation_id]), kind="entry_returned", now=now, write=write
    )


@records_actor
def entry_withdrawn(*, entry: Entry, actor: User, now: datetime) -> list[Notification]:
    """A submitted entry was withdrawn (by its OPD or its Admin Lokal): a receipt for the
    unit's accounts, saying it is no longer with the committee."""

    def write(_user: User) -> tuple[str, str]:
        subject = _("Proposal withdrawn: %(title)s", title=entry.title)
        body = _(
            '%(who)s withdrew "%(title)s" from %(round)s on %(when)s. It is no '
            "longer with the committee: submit it again before %(deadline)s.",
            who=actor.name,
            title=entry.title,
            round=entry.round.name,
            when=format_datetime(now, "d MMMM y, HH:mm zzz"),
            deadline=format_datetime(entry.round.submission_closes_at, "d MMMM y, HH:mm zzz"),
        )
        return subject, body + notifications.link("opd_results.entry_detail", entry_id=entry.id)

    return notifications.notify_each(
        _opd_users([entry.organisation_id]), kind="entry_withdrawn", now=now, write=write
    )


def entry_screened(*, entry: Entry, now: datetime) -> list[Notification]:
    """The administrative screening decision and its reason, for the entry's OPD."""
    eligible = entry.screening == Screening.ELIGIBLE

    def write(_user: User) -> tuple[str, str]:
        subject = (
            _("Screening passed: %(title)s", title=entry.title)
            if eligible
            else _("Screening not passed: %(title)s", title=entry.title)
        )
        body = _("Reason given by the committee: %(reason)s", reason=entry.screening_reason)
        return subject, body + notifications.link("opd_results.entry_detail", entry_id=entry.id)

    return notifications.notify_each(
        _opd_users([entry.organisation_id]), kind="entry_screened", now=now, write=write
    )


@records_actor
def remind_drafts(*, round_: Round, actor: User | None, now: datetime) -> list[Notification]:
    """Remind every OPD account whose organisation still has draft entries in ``round_`` that
    submission closes at ``round_.submission_closes_at``: one message per account, listing
    its drafts, in its language. Refused (``DeadlinePassed``) once submission has closed:
    a reminder then would only mislead. Recorded in the audit trail."""
    closes_at = round_.submission_closes_at
    if now > closes_at:
        raise DeadlinePassed(closes_at)
    drafts = list(
        db.session.scalars(
            select(Entry)
            .where(Entry.round_id == round_.id, Entry.status == EntryStatus.DRAFT)
            .order_by(Entry.organisation_id, Entry.id)
        )
    )
    titles: dict[int, list[str]] = {}
    for entry in drafts:
        titles.setdefault(entry.organisation_id, []).append(entry.title)

    def write(user: User) -> tuple[str, str]:
        listed = "\n".join(f"- {t}" for t in titles[user.organisation_id])
        subject = _("Reminder: submit your proposal to %(round)s", round=round_.name)
        body = (
            _(
                "Dear %(name)s, these proposals are still drafts and are not submitted yet:",
                name=user.name,
            )
            + "\n"
            + listed
            + "\n\n"
            + _(
                "Submission closes on %(when)s. A draft that is not submitted by then is "
                "not judged.",
                when=format_datetime(closes_at, "d MMMM y, HH:mm zzz"),
            )
        )
        return subject, body + notifications.link("opd.entries")

    out = notifications.notify_each(_opd_users(titles), kind="draft_reminder", now=now, write=write)
    audit.record("remind_drafts", "rounds", round_.id, after={"accounts": len(out)}, actor=actor)
    return out
