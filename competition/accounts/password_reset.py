"""Password reset by an expiring link, sent by e-mail or issued by the committee or an Admin
Lokal to pass on (no SMTP needed): tokens, the mail, and the throttle on asking (the pages are
``competition.accounts.password_reset_views``; a link issued by hand is shown by
``competition.accounts.views.reset_link_page``)."""

from __future__ import annotations

import hashlib
import smtplib
import threading
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from competition import mail, urls
from competition.accounts import throttle
from competition.accounts.models import User
from competition.db import db

SALT = "juri-password-reset"


DEFAULT_MAX_AGE = 3600


# A link issued by the committee or an Admin Lokal goes through a person (a chat message, a
# phone call): it stays valid a day, and like every link only until it is used.
ISSUED_MAX_AGE = 24 * 3600


MAX_ASKS_PER_ACCOUNT = 3


MAX_ASKS_PER_ADDRESS = 10


MAX_MAILS_PER_ACCOUNT = 3


def is_enabled() -> bool:
    """Reset works only with SMTP and, in production, a configured public address: the link
    in the mail is built from it (``competition.urls``), so without one there is no safe link
    to send."""
    app = current_app
    return mail.is_configured(app.config) and (urls.is_configured() or app.debug or app.testing)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_token(user: User, *, issued: bool = False) -> str:
    """A reset token for ``user``; ``issued``: handed out by a person (``ISSUED_MAX_AGE``), not
    mailed. It stops working once the password changes (the fingerprint no longer matches)."""
    data = {"id": user.id, "pw": _fingerprint(user)}
    if issued:
        data["by"] = 1
    return _serializer().dumps(data)


def user_for_token(token: str, *, now: datetime | None = None) -> User | None:
    """The account a valid, unexpired, unused token was made for, else None."""
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("by"):
        max_age = ISSUED_MAX_AGE
    else:
        max_age = int(current_app.config.get("PASSWORD_RESET_MAX_AGE") or DEFAULT_MAX_AGE)
    if ((now or datetime.now(UTC)) - signed_at).total_seconds() > max_age:
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.is_enabled or data.get("pw") != _fingerprint(user):
        return None
    return user


def send_mail(to: str, subject: str, body: str) -> None:
    """One message through the shared SMTP path (``competition.mail``, ``JURI_MAIL_*``), sent
    in the background: the answer to "forgot password" must take as long whether or not the
    account exists, so it cannot wait for the mail server."""
    config, logger = dict(current_app.config), current_app.logger

    def send() -> None:
        try:
            mail.send_all(config, [(to, subject, body)])
        except (OSError, smtplib.SMTPException):
            logger.exception("The password reset mail could not be sent")

    threading.Thread(target=send, name="password-reset-mail", daemon=True).start()


def asked_too_often(typed: str, address: str, now) -> int:
    """Minutes to wait before asking again for this typed name from this address, or from this
    address at all. Never for a name from everywhere: a stranger could then keep its owner from
    asking; the owner's inbox is protected by ``mailed_too_often`` instead."""
    key = throttle.key_for(typed)
    return throttle.blocked_minutes(
        action="password_reset_asked",
        now=now,
        limits=[
            throttle.Limit(MAX_ASKS_PER_ACCOUNT, key=key, address=address),
            throttle.Limit(MAX_ASKS_PER_ADDRESS, address=address),
        ],
    )


def mailed_too_often(user: User, now) -> bool:
    """At most ``MAX_MAILS_PER_ACCOUNT`` links a window, whoever asks for them."""
    limit = throttle.Limit(MAX_MAILS_PER_ACCOUNT, key=str(user.id))
    return bool(throttle.blocked_minutes(action="password_reset_sent", now=now, limits=[limit]))
