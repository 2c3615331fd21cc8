"""Notifications: every message Juri sends first goes to the outbox table (who, subject, body,
when), in the same transaction as the change it reports, so a rolled-back change sends
nothing. When ``JURI_MAIL_SERVER`` is configured, the same transaction queues a delivery job
(``competition.jobs``; ``competition.tasks.deliver_mail``) that runs once it commits: it claims
the messages still unsent (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take
the same one), sends them through ``competition.mail`` and marks them sent in the transaction
that claimed them; a failure is recorded on each message and the job is retried with an
exponential backoff. Without a mail server they stay in the outbox, which the committee reads.

Each message is written in its recipient's language (``User.locale``, Bahasa Indonesia by
default)."""

from __future__ import annotations

import smtplib
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import insert, select

from competition import mail
from competition.accounts.models import User
from competition.actors import records_actor
from competition.audit import services as audit
from competition.db import db
from competition.entries.models import Entry, EntryStatus, Screening
from competition.errors import DeadlinePassed
from competition.jobs import services as jobs
from competition.notifications.models import Notification
from competition.roles import Role
from competition.rounds.models import Round, Stage
from competition.urls import public_url

DELIVER = "competition.deliver_mail"  # the job kind (competition.tasks)
DELIVERY_ATTEMPTS = 6  # a failed delivery is retried after 5 s, 25 s, 2 min, 10 min, 52 min
DELIVERY_BACKOFF = 5


def _message(user: User, *, kind: str, subject: str, body: str, now: datetime) -> Notification:
    return Notification(
        user_id=user.id,
        recipient=user.email or "",
        subject=subject[:300],
        body=body,
        kind=kind,
        created_at=now,
    )


def _queue(notes: list[Notification]) -> list[Notification]:
    db.session.add_all(notes)
    db.session.flush()
    _deliver_later([n.id for n in notes])
    return notes


def _deliver_later(ids: list[int]) -> None:
    """Queue the delivery of the messages ``ids`` (it runs when the transaction commits)."""
    if ids and mail.is_configured(current_app.config):
        jobs.enqueue(DELIVER, actor=None, ids=list(ids))


def notify(*, user: User, kind: str, subject: str, body: str, now: datetime) -> Notification:
    """Put one message for ``user`` in the outbox (flushed; delivered after the commit)."""
    return _queue([_message(user, kind=kind, subject=subject, body=body, now=now)])[0]


def link(endpoint: str, **values) -> str:
    return "\n\n" + public_url(endpoint, **values)


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
    out = []
    for user in _opd_users([entry.organisation_id]):
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="entry_submitted",
                    now=now,
                    subject=_("Submission received: %(title)s", title=entry.title),
                    body=_(
                        'Your innovation "%(title)s" was submitted to %(round)s on '
                        "%(when)s. Keep this message as your receipt.",
                        title=entry.title,
                        round=entry.round.name,
                        when=format_datetime(now, "d MMMM y, HH:mm zzz"),
                    )
                    + link("opd_results.entry_detail", entry_id=entry.id),
                )
            )
    return _queue(out)


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
    out = []
    for user in admins:
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="entry_handed_over",
                    now=now,
                    subject=_("To review: %(title)s", title=entry.title),
                    body=_(
                        '%(unit)s sent "%(title)s" (%(round)s) for your review. Correct it '
                        "if needed, then submit it to the committee or return it to the unit.",
                        unit=entry.organisation.name,
                        title=entry.title,
                        round=entry.round.name,
                    )
                    + link("agency.entry_detail", entry_id=entry.id),
                )
            )
    return _queue(out)


def entry_returned(*, entry: Entry, note: str, now: datetime) -> list[Notification]:
    """The Admin Lokal returned an entry to its unit: the note, for the unit's accounts."""
    out = []
    for user in _opd_users([entry.organisation_id]):
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="entry_returned",
                    now=now,
                    subject=_("Returned for correction: %(title)s", title=entry.title),
                    body=_("Note from your Admin Lokal: %(note)s", note=note)
                    + link("opd_results.entry_detail", entry_id=entry.id),
                )
            )
    return _queue(out)


@records_actor
def entry_withdrawn(*, entry: Entry, actor: User, now: datetime) -> list[Notification]:
    """A submitted entry was withdrawn (by its OPD or its Admin Lokal): a receipt for the
    unit's accounts, saying it is no longer with the committee."""
    out = []
    for user in _opd_users([entry.organisation_id]):
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="entry_withdrawn",
                    now=now,
                    subject=_("Submission withdrawn: %(title)s", title=entry.title),
                    body=_(
                        '%(who)s withdrew "%(title)s" from %(round)s on %(when)s. It is no '
                        "longer with the committee: submit it again before %(deadline)s.",
                        who=actor.name,
                        title=entry.title,
                        round=entry.round.name,
                        when=format_datetime(now, "d MMMM y, HH:mm zzz"),
                        deadline=format_datetime(
                            entry.round.submission_closes_at, "d MMMM y, HH:mm zzz"
                        ),
                    )
                    + link("opd_results.entry_detail", entry_id=entry.id),
                )
            )
    return _queue(out)


def queue_many(rows: list[dict]) -> int:
    """Write many outbox rows with one bulk insert (a national round tells thousands of
    accounts at once); each row has user_id, recipient, subject, body, kind, created_at and
    error. Delivered after the request's commit like ``notify``. Returns how many."""
    if rows:
        ids = db.session.scalars(insert(Notification).returning(Notification.id), rows).all()
        _deliver_later(list(ids))
    return len(rows)


def entry_screened(*, entry: Entry, now: datetime) -> list[Notification]:
    """The administrative screening decision and its reason, for the entry's OPD."""
    eligible = entry.screening == Screening.ELIGIBLE
    out = []
    for user in _opd_users([entry.organisation_id]):
        with force_locale(user.locale or "id"):
            subject = (
                _("Screening passed: %(title)s", title=entry.title)
                if eligible
                else _("Screening not passed: %(title)s", title=entry.title)
            )
            out.append(
                _message(
                    user,
                    kind="entry_screened",
                    now=now,
                    subject=subject,
                    body=_(
                        "Reason given by the committee: %(reason)s", reason=entry.screening_reason
                    )
                    + link("opd_results.entry_detail", entry_id=entry.id),
                )
            )
    return _queue(out)


def judges_assigned(*, stage: Stage, counts: dict[int, int], now: datetime) -> list[Notification]:
    """Tell each judge how many entries were newly assigned to them in ``stage``."""
    judges = db.session.scalars(
        select(User).where(User.id.in_(list(counts)), User.is_enabled.is_(True)).order_by(User.id)
    )
    out = []
    for user in judges:
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="judge_assigned",
                    now=now,
                    subject=_(
                        "New entries to score: %(round)s, %(stage)s",
                        round=stage.round.name,
                        stage=stage.name,
                    ),
                    body=_(
                        "%(n)d entries were assigned to you in %(stage)s of %(round)s.",
                        n=counts[user.id],
                        stage=stage.name,
                        round=stage.round.name,
                    )
                    + link("judge.index"),
                )
            )
    return _queue(out)


def accounts_created(*, users: list[User], now: datetime) -> list[Notification]:
    """An invitation to each new account: its username and where to log in (never the
    password, which the committee hands over)."""
    out = []
    for user in users:
        with force_locale(user.locale or "id"):
            out.append(
                _message(
                    user,
                    kind="invitation",
                    now=now,
                    subject=_("Your Juri account: %(username)s", username=user.username),
                    body=_(
                        "Dear %(name)s, an account was created for you on Juri with the "
                        "username %(username)s. The committee gives you its one-time password; "
                        "change it after logging in.",
                        name=user.name,
                        username=user.username,
                    )
                    + link("auth.login"),
                )
            )
    return _queue(out)


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
    out = []
    for user in _opd_users(titles):
        with force_locale(user.locale or "id"):
            listed = "\n".join(f"- {t}" for t in titles[user.organisation_id])
            out.append(
                _message(
                    user,
                    kind="draft_reminder",
                    now=now,
                    subject=_("Reminder: submit your proposal to %(round)s", round=round_.name),
                    body=_(
                        "Dear %(name)s, these proposals are still drafts and are not submitted "
                        "yet:",
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
                    + link("opd.entries"),
                )
            )
    audit.record("remind_drafts", "rounds", round_.id, after={"accounts": len(out)}, actor=actor)
    return _queue(out)


def deliver(notes: list[Notification], *, now: datetime) -> int:
    """Send ``notes`` that have an address and are not sent yet, over one SMTP connection;
    returns how many were sent. Without a mail server nothing happens (they stay in the
    outbox). A failure is recorded on each message, never raised."""
    config = current_app.config
    todo = [n for n in notes if n.sent_at is None and n.recipient]
    if not todo or not mail.is_configured(config):
        return 0
    try:
        mail.send_all(config, [(n.recipient, n.subject, n.body) for n in todo])
    except (smtplib.SMTPException, OSError) as exc:
        for n in todo:
            n.error = f"{type(exc).__name__}: {exc}"[:1000]
        db.session.flush()
        return 0
    for n in todo:
        n.sent_at, n.error = now, ""
    db.session.flush()
    return len(todo)


def claim_unsent(ids: list[int]) -> list[Notification]:
    """The messages among ``ids`` not sent yet, locked for this transaction (PostgreSQL: rows
    another worker holds are skipped, not waited for; SQLite has one writer anyway)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(ids), Notification.sent_at.is_(None))
            .order_by(Notification.id)
            .with_for_update(skip_locked=True)
        )
    )


def list_outbox(*, limit: int = 200) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).order_by(Notification.id.desc()).limit(limit))
    )
