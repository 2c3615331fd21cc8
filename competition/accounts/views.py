"""The account pages: logging in and out and the interface language (blueprint ``auth``), the
signed-in user's password (``account``) and the committee's account list (``users``). Password
reset by e-mail is ``password_reset_views``, account import ``import_views``, the organisations
``organisation_views``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from competition.accounts import agencies, password_reset, sessions, throttle
from competition.accounts.forms import (
    AccountForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
)
from competition.accounts.models import Organisation, User
from competition.accounts.passwords import MAX_LENGTH
from competition.accounts.services import (
    authenticate,
    can_issue_reset_link,
    create_account,
    guess_blocked_for,
    home_for,
    issue_reset_link,
    list_users,
    login_blocked_for,
    set_enabled,
)
from competition.audit import services as audit
from competition.db import db, utcnow
from competition.forms import ActionForm
from competition.i18n.formatting import before_full_stop
from competition.permissions import require_login, require_role
from competition.roles import Role
from competition.urls import public_url
from competition.web import writing

auth_bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_page(form: LoginForm, status: int = 200):
    page = render_template(
        "competition/accounts/login.html", form=form, reset_enabled=password_reset.is_enabled()
    )
    return page, status


def _too_many(template: str, wait: int, **context):
    flash(_("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=wait), "danger")
    return render_template(template, **context), 429


@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        wait = login_blocked_for(form.username.data, request.remote_addr or "", utcnow())
        if wait:
            flash(
                _("Too many failed logins. Try again in %(minutes)d minutes.", minutes=wait),
                "danger",
            )
            return _login_page(form, 429)
        user = authenticate(form.username.data, form.password.data)
        if user is not None and user.one_time_password_expired(utcnow()):
            flash(
                _(
                    "This one-time password has expired. Ask the committee or your Admin Lokal "
                    "for a link to set a new password."
                ),
                "danger",
            )
            return _login_page(form, 422)
        if user is not None:
            with writing(_("Welcome, %(name)s.", name=before_full_stop(user.name))):
                login_user(user)
                audit.record("login", "users", user.id, actor=user)
            if user.must_change_password:
                return redirect(url_for("account.password"))
            return redirect(_safe_next(form.next.data) or home_for(user))
        with writing():
            audit.record(
                "login_failed",
                "users",
                throttle.key_for(form.username.data),
                after={"username": form.username.data[:80]},
            )
        flash(_("Wrong username or password."), "danger")
        return _login_page(form, 422)
    return _login_page(form, 422 if form.errors else 200)


@auth_bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        with writing():
            audit.record("logout", "users", current_user.id)
            sessions.end_sessions(current_user)  # a copied session cookie stops working too
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.index"))


@auth_bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in ("id", "en"):
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            with writing():
                current_user.locale = form.lang.data
    return redirect(_safe_next(form.next.data) or url_for("public.index"))


# Pages a user with a one-time password may open before choosing their own password.
_BEFORE_OWN_PASSWORD = {"account.password", "auth.logout", "auth.language", "static"}


@auth_bp.before_app_request
def _own_password_first():
    """Whoever logged in with a one-time password sets their own before anything else."""
    if (
        request.endpoint not in _BEFORE_OWN_PASSWORD
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("account.password"))
    return None


users_bp = Blueprint("users", __name__, url_prefix="/committee/users")


require_role(users_bp, Role.COMMITTEE)


@users_bp.route("/")
def index():
    return render_template("competition/accounts/users.html", users=list_users(), form=ActionForm())


def _account_form_page(form: AccountForm, status: int = 200):
    return render_template("competition/accounts/user_new.html", form=form), status


@users_bp.route("/new", methods=["GET", "POST"])
def new():
    """Add one account; its one-time password is shown once, on the answer page."""
    form = AccountForm(organisations=agencies.list_organisations())
    if not form.validate_on_submit():
        return _account_form_page(form, 422 if form.errors else 200)
    organisation = (
        db.session.get(Organisation, int(form.organisation.data))
        if (form.organisation.data or "").isdigit()
        else None
    )
    with writing(flash_error=False) as w:  # the form marks the fields itself
        user, password = create_account(
            username=form.username.data,
            name=form.name.data,
            role=Role(form.role.data),
            organisation=organisation,
            new_organisation=form.new_organisation.data or "",
            email=form.email.data or "",
            actor=current_user,
        )
    if w.failed:
        for column, messages in getattr(w.error, "errors", {}).items():
            target = form.new_organisation if column == "organisation" else form[column]
            target.errors = [*target.errors, *map(str, messages)]
        return _account_form_page(form, w.status)
    return render_template("competition/accounts/user_created.html", user=user, password=password)


def reset_link_page(user: User, back: str):
    """Issue a reset link for ``user`` (already checked with ``can_issue_reset_link``) and show
    it once; shared by the committee's account list and the Admin Lokal's units."""
    if not ActionForm().validate_on_submit():
        return redirect(back)
    with writing() as w:
        token = issue_reset_link(user=user, actor=current_user)
    if w.failed:
        return redirect(back)
    return render_template(
        "competition/accounts/reset_link.html",
        user=user,
        link=public_url("password_reset.reset", token=token),
        hours=password_reset.ISSUED_MAX_AGE // 3600,
        back=back,
    )


@users_bp.route("/<int:user_id>/reset-link", methods=["POST"])
def reset_link(user_id: int):
    user = db.get_or_404(User, user_id)
    if not can_issue_reset_link(current_user, user):
        abort(404)
    return reset_link_page(user, url_for("users.index"))


@users_bp.route("/<int:user_id>/enabled/<int:enabled>", methods=["POST"])
def toggle(user_id: int, enabled: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit() or enabled not in (0, 1):
        return redirect(url_for("users.index"))
    done = (
        _("%(name)s can log in again.", name=user.username)
        if enabled
        else _(
            "%(name)s is deactivated: they cannot log in, and their open sessions have ended.",
            name=user.username,
        )
    )
    with writing(done):
        set_enabled(user=user, enabled=bool(enabled), actor=current_user)
    return redirect(url_for("users.index"))


account_bp = Blueprint("account", __name__, url_prefix="/account")


require_login(account_bp)


@account_bp.route("/password", methods=["GET", "POST"])
def password():
    """Changing one's password; guessing the current one is throttled like logging in (a
    borrowed or stolen session must not be a way to find out the password)."""
    form = PasswordChangeForm()
    template = "competition/accounts/password.html"
    if form.is_submitted():
        key, address = str(current_user.id), request.remote_addr or ""
        wait = guess_blocked_for(
            action="password_check_failed", key=key, address=address, now=utcnow()
        )
        if wait:
            return _too_many(template, wait, form=form, max_length=MAX_LENGTH)
    if form.validate_on_submit():
        with writing():
            current_user.set_own_password(form.new.data)
            sessions.end_sessions(current_user)  # other sessions end; this one is renewed below
            audit.record("password_changed", "users", current_user.id)
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("account.password"))
    if form.current.errors and form.current.data:
        with writing():
            audit.record("password_check_failed", "users", current_user.id)
    page = render_template(template, form=form, max_length=MAX_LENGTH)
    return page, 422 if form.errors else 200
