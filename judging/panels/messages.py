"""The message a judge receives when entries are assigned to them (``competition.notifications``),
in their language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.notifications import services as notifications
from competition.notifications.models import Notification
from competition.rounds.models import Stage


def judges_assigned(*, stage: Stage, counts: dict[int, int], now: datetime) -> list[Notification]:
    """Tell each judge how many entries were newly assigned to them in ``stage``."""
    judges = db.session.scalars(
        select(User).where(User.id.in_(list(counts)), User.is_enabled.is_(True)).order_by(User.id)
    )

    def write(user: User) -> tuple[str, str]:
        subject = _(
            "New entries to score: %(round)s, %(stage)s",
            round=stage.round.name,
            stage=stage.name,
        )
        body = _(
            "%(n)d entries were assigned to you in %(stage)s of %(round)s.",
            n=counts[user.id],
            stage=stage.name,
            round=stage.round.name,
        )
        return subject, body + notifications.link("judge.index")

    return notifications.notify_each(judges, kind="judge_assigned", now=now, write=write)
