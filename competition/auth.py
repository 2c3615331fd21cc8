"""Logging in and out, and choosing the interface language (blueprint ``auth``)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from competition import audit, sessions, throttle
from competition.db import db, utcnow
from competition.forms import LanguageForm, LoginForm
from competition.models import Role, User

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {Role.COMMITTEE: "committee.rounds", Role.JUDGE: "judge.index",
                Role.OPD: "opd.entries", Role.AGENCY: "agency.index"}


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE[user.role])


# Throttling: failed logins in the last WINDOW, per account and per address, counted from the
# audit trail (shared by every worker and server, survives restarts; see competition.throttle).
WINDOW = throttle.WINDOW
MAX_FAILS_PER_ACCOUNT = 5
MAX_FAILS_PER_ADDRESS = 20


def login_blocked_for(username: str, address: str, now: datetime) -> int:
    """Minutes until another attempt is allowed for this account or address (0: allowed)."""
    return throttle.blocked_minutes(action="login_failed", key=throttle.key_for(username),
                                    address=address, now=now, per_key=MAX_FAILS_PER_ACCOUNT,
                                    per_address=MAX_FAILS_PER_ADDRESS)


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_enabled or not user.check_password(password):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        wait = login_blocked_for(form.username.data, request.remote_addr or "", utcnow())
        if wait:
            flash(_("Too many failed logins. Try again in %(minutes)d minutes.", minutes=wait),
                  "danger")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            audit.record("login", "users", user.id, actor=user)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(form.next.data) or home_for(user))
        audit.record("login_failed", "users", throttle.key_for(form.username.data),
                     after={"username": form.username.data[:80]})
        db.session.commit()
        flash(_("Wrong username or password."), "danger")
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("logout", "users", current_user.id)
        sessions.end_sessions(current_user)  # a copied session cookie stops working too
        db.session.commit()
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in ("id", "en"):
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(_safe_next(form.next.data) or url_for("public.index"))
