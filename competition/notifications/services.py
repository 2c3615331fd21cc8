"""Notifications: every message Juri sends first goes to the outbox table (who, subject, body,
when), in the same transaction as the change it reports, so a rolled-back change sends
nothing. When ``JURI_MAIL_SERVER`` is configured, the same transaction queues a delivery job
(``competition.jobs``; ``competition.tasks.deliver_mail``) that runs once it commits: it claims
the messages still unsent (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take
the same one), sends them through ``competition.mail`` and marks them sent in the transaction
that claimed them; a failure is recorded on each message and the job is retried with an
exponential backoff. Without a mail server they stay in the outbox, which the committee reads.

The outbox is plumbing below the features: it knows a recipient only as an account id, an
address and a language. What a message says lives with the feature that sends it
(``competition.accounts.messages``, ``competition.entries.messages``,
``judging.panels.messages``, ...), written in each recipient's language (``User.locale``,
Bahasa Indonesia by default) through ``notify_each``."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import insert, select

from competition import mail
from competition.db import db
from competition.jobs import services as jobs
from competition.notifications.models import Notification
from competition.urls import public_url

DELIVER = "competition.deliver_mail"  # the job kind (competition.tasks)
DELIVERY_ATTEMPTS = 6  # a failed delivery is retried after 5 s, 25 s, 2 min, 10 min, 52 min
DELIVERY_BACKOFF = 5


class Recipient(Protocol):
    """Who a message is for: an account (``competition.accounts.models.User``)."""

    id: int
    email: str | None
    locale: str | None  # "id" or "en"; None: Bahasa Indonesia, the default UI language


R = TypeVar("R", bound=Recipient)


def compose(user: Recipient, *, kind: str, subject: str, body: str, now: datetime) -> Notification:
    """One message for ``user``, not yet in the outbox (``queue`` puts it there)."""
    return Notification(
        user_id=user.id,
        recipient=user.email or "",
        subject=subject[:300],
        body=body,
        kind=kind,
        created_at=now,
    )


def notify_each(
    users: Iterable[R], *, kind: str, now: datetime, write: Callable[[R], tuple[str, str]]
) -> list[Notification]:
    """Put one message for each of ``users`` in the outbox, each in its recipient's language:
    ``write(user)`` returns the message's ``(subject, body)`` and is called with the user's
    locale forced (Bahasa Indonesia when unset), so the ``gettext`` and ``format_datetime``
    inside it speak that language. Flushed with the caller's change; delivered after the
    commit."""
    notes = []
    for user in users:
        with force_locale(user.locale or "id"):
            subject, body = write(user)
            notes.append(compose(user, kind=kind, subject=subject, body=body, now=now))
    return queue(notes)


def queue(notes: list[Notification]) -> list[Notification]:
    """Put ``notes`` in the outbox (flushed; delivered after the commit)."""
    db.session.add_all(notes)
    db.session.flush()
    _deliver_later([n.id for n in notes])
    return notes


def _deliver_later(ids: list[int]) -> None:
    """Queue the delivery of the messages ``ids`` (it runs when the transaction commits)."""
    if ids and mail.is_configured(current_app.config):
        jobs.enqueue(DELIVER, actor=None, ids=list(ids))


def notify(*, user: Recipient, kind: str, subject: str, body: str, now: datetime) -> Notification:
    """Put one message for ``user`` in the outbox (flushed; delivered after the commit)."""
    return queue([compose(user, kind=kind, subject=subject, body=body, now=now)])[0]


def link(endpoint: str, **values) -> str:
    """A message's closing link: a blank line, then the page's public URL."""
    return "\n\n" + public_url(endpoint, **values)


def queue_many(rows: list[dict]) -> int:
    """Write many outbox rows with one bulk insert (a national round tells thousands of
    accounts at once); each row has user_id, recipient, subject, body, kind, created_at and
    error. Delivered after the request's commit like ``notify``. Returns how many."""
    if rows:
        ids = db.session.scalars(insert(Notification).returning(Notification.id), rows).all()
        _deliver_later(list(ids))
    return len(rows)


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
