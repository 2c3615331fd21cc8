"""The message a new account receives (``competition.notifications``): its username and where
to log in, in its language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from competition.accounts.models import User
from competition.notifications import services as notifications
from competition.notifications.models import Notification


def accounts_created(*, users: list[User], now: datetime) -> list[Notification]:
    """An invitation to each new account: its username and where to log in (never the
    password, which the committee hands over)."""

    def write(user: User) -> tuple[str, str]:
        subject = _("Your Juri account: %(username)s", username=user.username)
        body = _(
            "Dear %(name)s, an account was created for you on Juri with the "
            "username %(username)s. The committee gives you its one-time password; "
            "change it after logging in.",
            name=user.name,
            username=user.username,
        )
        return subject, body + notifications.link("auth.login")

    return notifications.notify_each(users, kind="invitation", now=now, write=write)
