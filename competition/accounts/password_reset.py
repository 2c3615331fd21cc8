"""Password reset by an expiring link sent by e-mail: tokens, the mail, and the throttle on
asking (the pages are ``competition.accounts.views``)."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from competition import mail
from competition.accounts import throttle
from competition.accounts.models import User
from competition.db import db

SALT = "juri-password-reset"


DEFAULT_MAX_AGE = 3600


MAX_ASKS_PER_ACCOUNT = 3


MAX_ASKS_PER_ADDRESS = 10


MAX_MAILS_PER_ACCOUNT = 3


def is_enabled() -> bool:
    return mail.is_configured(current_app.config)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_token(user: User) -> str:
    return _serializer().dumps({"id": user.id, "pw": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The account a valid, unexpired, unused token was made for, else None."""
    max_age = int(current_app.config.get("PASSWORD_RESET_MAX_AGE") or DEFAULT_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or not user.is_enabled or data.get("pw") != _fingerprint(user):
        return None
    return user


def send_mail(to: str, subject: str, body: str) -> None:
    """One message through the shared SMTP path (``competition.mail``, ``JURI_MAIL_*``)."""
    mail.send_all(current_app.config, [(to, subject, body)])


def asked_too_often(typed: str, address: str, now) -> int:
    """Minutes to wait before asking again for this typed name or from this address."""
    return throttle.blocked_minutes(
        action="password_reset_asked",
        key=throttle.key_for(typed),
        address=address,
        now=now,
        per_key=MAX_ASKS_PER_ACCOUNT,
        per_address=MAX_ASKS_PER_ADDRESS,
    )


def mailed_too_often(user: User, now) -> bool:
    return bool(
        throttle.blocked_minutes(
            action="password_reset_sent",
            key=str(user.id),
            address=None,
            now=now,
            per_key=MAX_MAILS_PER_ACCOUNT,
        )
    )
