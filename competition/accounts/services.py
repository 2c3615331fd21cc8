"""Logging in (with the throttle against guessing), where each role lands, and the committee's
list of accounts where it deactivates and reactivates them."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts import sessions, throttle
from competition.accounts.models import Role, User
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState

HOME_BY_ROLE = {
    Role.COMMITTEE: "committee.rounds",
    Role.JUDGE: "judge.index",
    Role.OPD: "opd.entries",
    Role.AGENCY: "agency.index",
}


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE[user.role])


# Throttling: failed logins in the last WINDOW, per account and per address, counted from the
# audit trail (shared by every worker and server, survives restarts; see competition.throttle).
WINDOW = throttle.WINDOW


MAX_FAILS_PER_ACCOUNT = 5


MAX_FAILS_PER_ADDRESS = 20


def login_blocked_for(username: str, address: str, now: datetime) -> int:
    """Minutes until another attempt is allowed for this account or address (0: allowed)."""
    return throttle.blocked_minutes(
        action="login_failed",
        key=throttle.key_for(username),
        address=address,
        now=now,
        per_key=MAX_FAILS_PER_ACCOUNT,
        per_address=MAX_FAILS_PER_ADDRESS,
    )


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_enabled or not user.check_password(password):
        return None
    return user


def list_users() -> list[User]:
    return db.session.scalars(
        select(User).options(selectinload(User.organisation)).order_by(User.role, User.username)
    ).all()


@records_actor
def set_enabled(*, user: User, enabled: bool, actor: User) -> User:
    """Deactivate or reactivate ``user``; deactivation ends their sessions. Nobody
    deactivates their own account (the committee would lock itself out)."""
    if user.id == actor.id and not enabled:
        raise InvalidState(_l("You cannot deactivate your own account."))
    user.is_enabled = enabled
    if not enabled:
        sessions.end_sessions(user)
    db.session.flush()
    return user
