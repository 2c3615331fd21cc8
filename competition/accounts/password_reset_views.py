"""Password reset by e-mail (blueprint ``password_reset``): asking for a link, only when mail is
set up, and following one to choose a new password."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from competition.accounts import password_reset, sessions, throttle
from competition.accounts.forms import ForgotForm, ResetForm
from competition.accounts.models import User
from competition.accounts.passwords import MAX_LENGTH
from competition.audit import services as audit
from competition.db import db, utcnow
from competition.urls import public_url
from competition.web import writing

password_reset_bp = Blueprint("password_reset", __name__, url_prefix="/password")


@password_reset_bp.before_request
def _only_with_mail():
    """Asking for a link needs mail; following one does not (links are also issued by hand)."""
    if request.endpoint != "password_reset.reset" and not password_reset.is_enabled():
        abort(404)


def _send_reset_link(text: str, now) -> None:
    """Record the request and mail a reset link to the account named by ``text`` (username or
    e-mail address) if it exists, is enabled, has an address and was not mailed too often."""
    audit.record("password_reset_asked", "users", throttle.key_for(text))
    user = db.session.scalar(
        select(User).where(or_(User.username == text, func.lower(User.email) == text.lower()))
    )
    if (
        user is not None
        and user.is_enabled
        and user.email
        and not password_reset.mailed_too_often(user, now)
    ):
        minutes = (
            int(current_app.config.get("PASSWORD_RESET_MAX_AGE") or password_reset.DEFAULT_MAX_AGE)
            // 60
        )
        link = public_url("password_reset.reset", token=password_reset.make_token(user))
        password_reset.send_mail(
            user.email,
            _("Juri: set a new password"),
            _(
                "Someone (probably you) asked to set a new password for the account "
                "%(username)s. Open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
                "If it was not you, ignore this message: your password stays as it is.",
                username=user.username,
                minutes=minutes,
                link=link,
            ),
        )
        audit.record("password_reset_sent", "users", user.id, actor=user)


@password_reset_bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        text, now = form.login.data.strip(), utcnow()
        wait = password_reset.asked_too_often(text, request.remote_addr or "", now)
        if wait:  # the same answer whether or not the account exists
            flash(
                _(
                    "Too many requests for a new password. Try again in %(minutes)d minutes.",
                    minutes=wait,
                ),
                "danger",
            )
            return render_template("competition/accounts/forgot.html", form=form), 429
        with writing():
            _send_reset_link(text, now)
        flash(
            _(
                "If an account with that username or address has an email address, a link "
                "to set a new password has been sent to it."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template(
        "competition/accounts/forgot.html", form=form
    ), 422 if form.errors else 200


@password_reset_bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = password_reset.user_for_token(token)
    if user is None:
        flash(_("This link has expired or has already been used. Ask for a new one."), "danger")
        if not password_reset.is_enabled():
            return redirect(url_for("auth.login"))
        return redirect(url_for("password_reset.forgot"))
    form = ResetForm(user=user)
    if form.validate_on_submit():
        with writing(_("Your password has been set. Log in with it now.")):
            user.set_own_password(form.new.data)
            sessions.end_sessions(user)
            audit.record("password_reset", "users", user.id, actor=user)
        return redirect(url_for("auth.login"))
    return render_template(
        "competition/accounts/reset.html", form=form, max_length=MAX_LENGTH
    ), 422 if form.errors else 200
