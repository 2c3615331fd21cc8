"""The background job delivering the outbox (``competition.jobs``): like a command, it owns its
transaction."""

from __future__ import annotations

from flask import current_app

from competition import mail
from competition.db import db, utcnow
from competition.jobs import services as jobs
from competition.jobs.models import Job
from competition.notifications import services as notifications


class MailNotSent(RuntimeError):
    """Some claimed messages could not be sent (the error is on each): retry later."""


def deliver_mail(job: Job) -> None:
    """Send the job's messages not sent yet, marking them sent in the transaction that claims
    them; on an SMTP error the error is recorded on each and the job raises (to be retried)."""
    if not mail.is_configured(current_app.config):
        job.result = {"sent": 0}
        return
    notes = [n for n in notifications.claim_unsent(job.params["ids"]) if n.recipient]
    jobs.set_progress(job, 0, len(notes))
    sent = notifications.deliver(notes, now=utcnow())
    jobs.set_progress(job, sent)
    job.result = {"sent": sent}
    db.session.commit()
    if sent < len(notes):
        raise MailNotSent(notes[0].error if notes else "")
