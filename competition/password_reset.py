"""Password reset by an expiring link sent by email (blueprint ``password_reset``), available
only when SMTP is configured (``JURI_MAIL_SERVER``; otherwise the committee sets passwords).

The link carries a signed token (itsdangerous ``URLSafeTimedSerializer`` keyed with
``SECRET_KEY``) holding the user id and a fingerprint of the current password hash: it expires
after ``JURI_PASSWORD_RESET_MAX_AGE`` seconds (1 hour by default) and dies as soon as the
password changes, so a used link cannot be used again. The request page answers the same
whether or not the account exists (no way to probe for usernames or addresses).

Requests are throttled like logins (``competition.throttle``): every request is recorded as
``password_reset_asked`` under what was typed, whether or not an account matches, and more
than ``MAX_ASKS_PER_ACCOUNT`` for one typed name or ``MAX_ASKS_PER_ADDRESS`` from one address
in 15 minutes are answered 429 with the same message for known and unknown accounts. On top,
one account gets at most ``MAX_MAILS_PER_ACCOUNT`` links in that window however it is named
(username or address): further requests are answered as usual but send nothing, so the page
still tells nothing about the account and the mailbox is not flooded.
"""

from __future__ import annotations

import hashlib

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from competition import audit, mail, sessions, throttle
from competition.db import db, utcnow
from competition.models import User
from competition.passwords import MAX_LENGTH, password_problems

bp = Blueprint("password_reset", __name__, url_prefix="/password")

SALT = "juri-password-reset"
DEFAULT_MAX_AGE = 3600
MAX_ASKS_PER_ACCOUNT = 3
MAX_ASKS_PER_ADDRESS = 10
MAX_MAILS_PER_ACCOUNT = 3


class ForgotForm(FlaskForm):
    login = StringField(_l("Username or email address"),
                        validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Send me a link"))


class ResetForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new(self, field):
        problems = password_problems(field.data or "", username=self.user.username)
        if problems:
            raise ValidationError(" ".join(str(p) for p in problems))


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


@bp.before_request
def _only_with_mail():
    if not is_enabled():
        abort(404)


def _asked_too_often(typed: str, address: str, now) -> int:
    """Minutes to wait before asking again for this typed name or from this address."""
    return throttle.blocked_minutes(action="password_reset_asked", key=throttle.key_for(typed),
                                    address=address, now=now, per_key=MAX_ASKS_PER_ACCOUNT,
                                    per_address=MAX_ASKS_PER_ADDRESS)


def _mailed_too_often(user: User, now) -> bool:
    return bool(throttle.blocked_minutes(action="password_reset_sent", key=str(user.id),
                                         address=None, now=now,
                                         per_key=MAX_MAILS_PER_ACCOUNT))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        text, now = form.login.data.strip(), utcnow()
        wait = _asked_too_often(text, request.remote_addr or "", now)
        if wait:  # the same answer whether or not the account exists
            flash(_("Too many requests for a new password. Try again in %(minutes)d minutes.",
                    minutes=wait), "danger")
            return render_template("auth/forgot.html", form=form), 429
        audit.record("password_reset_asked", "users", throttle.key_for(text))
        user = db.session.scalar(select(User).where(or_(
            User.username == text, func.lower(User.email) == text.lower())))
        if user is not None and user.is_enabled and user.email \
                and not _mailed_too_often(user, now):
            minutes = int(current_app.config.get("PASSWORD_RESET_MAX_AGE")
                          or DEFAULT_MAX_AGE) // 60
            link = url_for("password_reset.reset", token=make_token(user), _external=True)
            send_mail(user.email, _("Juri: set a new password"), _(
                "Someone (probably you) asked to set a new password for the account "
                "%(username)s. Open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
                "If it was not you, ignore this message: your password stays as it is.",
                username=user.username, minutes=minutes, link=link))
            audit.record("password_reset_sent", "users", user.id, actor=user)
        db.session.commit()
        flash(_("If an account with that username or address has an email address, a link "
                "to set a new password has been sent to it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = user_for_token(token)
    if user is None:
        flash(_("This link has expired or has already been used. Ask for a new one."), "danger")
        return redirect(url_for("password_reset.forgot"))
    form = ResetForm(user=user)
    if form.validate_on_submit():
        user.set_password(form.new.data)
        sessions.end_sessions(user)
        audit.record("password_reset", "users", user.id, actor=user)
        db.session.commit()
        flash(_("Your password has been set. Log in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, max_length=MAX_LENGTH), \
        422 if form.errors else 200
