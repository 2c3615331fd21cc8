"""The message the OPDs of a stage's ranked entries receive when its results are published or
corrected (``competition.notifications``), in their language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Entry
from competition.notifications import services as notifications
from competition.roles import Role
from judging.results.models import Publication, Result


def notify_opds(*, publication: Publication, now: datetime) -> int:
    """The published (or corrected) results of a stage, for the OPDs of its ranked entries.
    A national round tells thousands of accounts at once: the message is composed once per
    language and the outbox rows are written with one bulk insert. Returns how many."""
    stage = publication.stage
    # Two plain statements, not users IN (a join): inside the publishing transaction the
    # planner has no statistics of the rows just written, and PostgreSQL picked a nested loop
    # over users x entries x results for the semi-join (minutes for a national round).
    orgs = db.session.scalars(
        select(Entry.organisation_id)
        .join(Result, Result.entry_id == Entry.id)
        .where(Result.publication_id == publication.id)
        .distinct()
    ).all()
    users = db.session.execute(
        select(User.id, User.email, User.locale)
        .where(User.organisation_id.in_(orgs), User.role == Role.OPD, User.is_enabled.is_(True))
        .order_by(User.id)
    ).all()
    by_locale: dict[str, list] = {}
    for user in users:
        by_locale.setdefault(user.locale or "id", []).append(user)
    rows = []
    for locale, group in by_locale.items():
        with force_locale(locale):
            subject = _(
                "Results published: %(round)s, %(stage)s", round=stage.round.name, stage=stage.name
            )
            body = _(
                "The results of %(stage)s of %(round)s are published (version %(v)d).",
                stage=stage.name,
                round=stage.round.name,
                v=publication.version,
            )
            body += notifications.link("public.results", slug=stage.round.slug)
        rows += [
            {
                "user_id": u.id,
                "recipient": u.email or "",
                "subject": subject[:300],
                "body": body,
                "kind": "results_published",
                "created_at": now,
                "error": "",
            }
            for u in group
        ]
    return notifications.queue_many(rows)
