"""Server-side control over client-side sessions.

Flask keeps the session in a signed cookie, so logging out only forgets it in that browser: a
copied cookie would still work. Each user therefore has a random ``session_token``, part of
the id Flask-Login stores in the cookie (``User.get_id`` gives ``"<id>:<token>"``); the user
loader accepts a cookie only while the token matches. Rotating the token (logout, password
change, deactivation) ends every session of the account at once, on every device.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from sqlalchemy import bindparam, select

from competition.accounts.models import User
from competition.db import db


def new_token() -> str:
    return secrets.token_hex(16)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user whose id and current token the cookie carries."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.execute(_user_statement(), {"id": int(ident)}).scalar_one_or_none()
    if user is None or not user.is_enabled or not user.session_token:
        return None
    if not hmac.compare_digest(user.session_token, token):
        return None
    return user


@functools.cache
def _user_statement():
    """The user by ``:id``, built once per process: every request of a signed-in user runs it,
    and ``db.session.get`` built a new SELECT and its cache key each time (about a quarter of
    this loader's CPU). One statement, no relationship loaded; the identity map is empty at
    this point of a request, so ``get``'s lookup there saved nothing."""
    return select(User).where(User.id == bindparam("id"))


def end_sessions(user: User) -> None:
    """Invalidate every session of ``user`` (flushes with the caller's transaction)."""
    user.session_token = new_token()
