"""The account pages: logging in and out and the interface language (blueprint ``auth``), the
signed-in user's password (``account``), password reset by e-mail (``password_reset``), the
committee's account list (``users``), account import (``imports``) and organisations
(``organisations``)."""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, or_, select

from competition.accounts import agencies, imports, password_reset, sessions, throttle
from competition.accounts import tasks as import_tasks
from competition.accounts.forms import (
    AccountForm,
    ConfirmForm,
    ForgotForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RegionForm,
    ResetForm,
    UploadForm,
)
from competition.accounts.kinds import KIND_LABELS, kind_of
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
from competition.errors import InvalidState
from competition.forms import ActionForm
from competition.i18n.formatting import before_full_stop
from competition.jobs import services as jobs
from competition.jobs.models import JobState
from competition.permissions import require_login, require_role
from competition.roles import Role
from competition.storage import content_type, get_storage, read_bytes
from competition.urls import public_url
from competition.web import writing

organisations_bp = Blueprint("organisations", __name__, url_prefix="/committee")
require_role(organisations_bp, Role.COMMITTEE)


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


imports_bp = Blueprint("imports", __name__, url_prefix="/committee/imports")


require_role(imports_bp, Role.COMMITTEE)


_KEY = "import_file"


_PREVIEWS = "imports/"  # storage keys: imports/<unix time>-<token>.<ext>


def _forget_abandoned() -> None:
    """Previews never confirmed are not kept more than a day (a key starts with its time)."""
    storage = get_storage()
    limit = time.time() - 86400
    for key in list(storage.keys(_PREVIEWS)):
        made = key.removeprefix(_PREVIEWS).split("-", 1)[0]
        if not made.isdigit() or int(made) < limit:
            storage.delete(key)


def _stored() -> tuple[str, str] | None:
    """The storage key and token of this session's previewed file, if it is still there
    (in the shared storage: the confirmation may reach another server)."""
    value = session.get(_KEY)
    token, ext = value if isinstance(value, list) and len(value) == 2 else ("", "")
    if not token or ext not in imports.EXTENSIONS:
        return None
    key = f"{_PREVIEWS}{token}.{ext}"
    return (key, token) if get_storage().exists(key) else None


@imports_bp.route("/", endpoint="index", methods=["GET", "POST"])
def imports_index():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("competition/accounts/imports.html", form=form, rows=None)
    upload = form.file.data
    filename = upload.filename or ""
    data = upload.read()
    try:
        rows = imports.check(imports.parse(filename, data))
    except InvalidState as exc:
        return render_template(
            "competition/accounts/imports.html", form=form, rows=None, problem=exc.message
        ), 422
    ok = not any(r.errors for r in rows)
    confirm = None
    if ok:
        old = _stored()
        if old:
            get_storage().delete(old[0])
        token = f"{int(time.time())}-{secrets.token_urlsafe(24)}"
        ext = filename.rsplit(".", 1)[-1].lower()
        _forget_abandoned()
        get_storage().put(f"{_PREVIEWS}{token}.{ext}", data, content_type(f"x.{ext}"))
        session[_KEY] = [token, ext]
        confirm = ConfirmForm(token=token)
    return render_template(
        "competition/accounts/imports.html",
        form=form,
        rows=rows,
        ok=ok,
        confirm=confirm,
        filename=filename,
    ), 200 if ok else 422


@imports_bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    stored = _stored()
    if (
        not form.validate_on_submit()
        or stored is None
        or not secrets.compare_digest(form.token.data or "", stored[1])
    ):
        raise InvalidState(_l("Upload the file again: the previewed file is no longer available."))
    key, _token = stored
    with writing(flash_error=False) as w:
        job = jobs.enqueue(
            import_tasks.IMPORT,
            actor=current_user,
            subject=f"user:{current_user.id}",
            key=key,
            filename=key.rpartition("/")[2],
        )
    if w.failed:  # answered by the error page
        raise w.error
    session.pop(_KEY, None)
    return redirect(url_for("imports.job", job_id=job.id))


@imports_bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    """An import's progress, then its accounts with their one-time passwords, shown once and
    only to the committee member who confirmed it (anyone else: 404)."""
    job = jobs.get_job(job_id)
    if job is None or job.kind != import_tasks.IMPORT or job.requested_by_id != current_user.id:
        abort(404)
    created = None
    if job.state == JobState.DONE and job.result_key:
        try:
            created = json.loads(read_bytes(job.result_key))
        except FileNotFoundError:
            created = None
        get_storage().delete(job.result_key)
    return render_template(
        "competition/accounts/imports_done.html",
        job=job,
        created=created,
        one_time_days=imports.ONE_TIME_PASSWORD_DAYS,
    )


def _organisations_page(status: int = 200, failed: RegionForm | None = None, failed_id=None):
    orgs = agencies.list_organisations()
    forms = {o.id: RegionForm(prefix=f"org{o.id}", obj=o) for o in orgs}
    if failed is not None:
        forms[failed_id] = failed
    return render_template(
        "competition/accounts/organisations.html",
        organisations=orgs,
        forms=forms,
        kind_of=kind_of,
        kind_labels=KIND_LABELS,
    ), status


@organisations_bp.route("/organisations")
def organisations():
    """Every organisation with its region (kabupaten/kota and province)."""
    return _organisations_page()


@organisations_bp.route("/organisations/<int:organisation_id>/region", methods=["POST"])
def organisation_region(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = RegionForm(prefix=f"org{organisation.id}")
    if not form.validate_on_submit():
        return _organisations_page(422, form, organisation.id)
    with writing(_("Region of %(name)s saved.", name=organisation.name), flash_error=False) as w:
        agencies.set_region(
            organisation=organisation,
            region=form.region.data or "",
            province=form.province.data or "",
            kind=form.kind.data or "",
            actor=current_user,
        )
    if w.failed:  # an organisation the committee may not change: a 404 as before
        raise w.error
    return redirect(url_for("organisations.organisations", _anchor=f"org{organisation.id}"))
