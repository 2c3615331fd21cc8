"""The messages an announcement sends to the outbox (``competition.notifications``): each OPD
of a listed entry is told when the list is announced (with the objection period, if any) and
when it becomes final, and the OPD of an entry struck off by an upheld objection is told then,
with the committee's reason. Written in each recipient's language (``notify_each``) and
flushed with the change they report (a rolled-back change sends nothing)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from competition.accounts.models import User
from competition.announcements.models import Announcement, Objection
from competition.db import db
from competition.entries.models import Entry
from competition.notifications import services as notifications
from competition.notifications.models import Notification
from competition.roles import Role
from competition.rounds.models import Stage


def _opd_users(entries: list[Entry]) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id.in_({e.organisation_id for e in entries}),
                User.role == Role.OPD,
                User.is_enabled.is_(True),
            )
            .order_by(User.id)
        )
    )


def _titles(entries: list[Entry], user: User) -> str:
    return "; ".join(f"“{e.title}”" for e in entries if e.organisation_id == user.organisation_id)


def list_announced(
    *, announcement: Announcement, entries: list[Entry], next_stage: Stage | None, now: datetime
) -> list[Notification]:
    """Tell the OPDs of the listed ``entries`` that their innovation is on the list."""

    def write(user: User) -> tuple[str, str]:
        subject = _("Announcement %(number)s: %(title)s", **_named(announcement))
        lines = [
            _(
                "Your innovation is on the list of announcement %(number)s (%(title)s) of "
                "%(round)s: %(titles)s.",
                titles=_titles(entries, user),
                round=announcement.round.name,
                **_named(announcement),
            )
        ]
        if next_stage is not None:
            lines.append(_("It goes on to %(stage)s.", stage=next_stage.name))
        if announcement.objections_close_at is not None:
            lines.append(
                _(
                    "The public may object to the listed innovations until %(when)s; the list "
                    "becomes final once the committee has decided every objection.",
                    when=format_datetime(announcement.objections_close_at, "d MMMM y, HH:mm zzz"),
                )
            )
        body = "\n\n".join(lines)
        return subject, body + notifications.link("notices.detail", announcement_id=announcement.id)

    return notifications.notify_each(
        _opd_users(entries), kind="announcement_issued", now=now, write=write
    )


def list_final(
    *,
    announcement: Announcement,
    entries: list[Entry],
    struck: list[tuple[Entry, Objection]],
    now: datetime,
) -> list[Notification]:
    """Tell the OPDs of the listed ``entries`` that the list is final, and those of the
    ``struck`` entries that an upheld objection struck them off (with the reason)."""
    gone = [e for e, _o in struck]
    reasons = {e.id: o for e, o in struck}

    def write(user: User) -> tuple[str, str]:
        subject = _("The list is final: announcement %(number)s", **_named(announcement))
        lines = []
        mine = _titles(entries, user)
        if mine:
            lines.append(
                _(
                    "The list of announcement %(number)s (%(title)s) is final: %(titles)s is on "
                    "it.",
                    titles=mine,
                    **_named(announcement),
                )
            )
        for e in gone:
            if e.organisation_id == user.organisation_id:
                objection = reasons[e.id]
                lines.append(
                    _(
                        "“%(entry)s” was struck off the list of announcement %(number)s after "
                        "objection %(reference)s was upheld. The committee's reason: %(reason)s",
                        entry=e.title,
                        reference=objection.reference,
                        reason=objection.decision_reason,
                        **_named(announcement),
                    )
                )
        body = "\n\n".join(lines)
        return subject, body + notifications.link("notices.detail", announcement_id=announcement.id)

    return notifications.notify_each(
        _opd_users(entries + gone), kind="announcement_final", now=now, write=write
    )


def _named(announcement: Announcement) -> dict:
    return {"number": announcement.number, "title": announcement.title}
