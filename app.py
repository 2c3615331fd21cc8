"""Juri's application factory: configuration, extensions, blueprints, error pages and CLI."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, has_request_context, request, session
from flask_babel import force_locale, format_date, format_datetime, get_translations
from flask_login import current_user
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.serving import WSGIRequestHandler

from competition import permissions, urls
from competition.accounts import sessions
from competition.accounts.cli import import_accounts_cli
from competition.accounts.import_views import imports_bp
from competition.accounts.organisation_views import organisations_bp
from competition.accounts.password_reset_views import password_reset_bp
from competition.accounts.views import account_bp, auth_bp, users_bp
from competition.announcements import services as announcements_services
from competition.announcements.views import announcements_bp, notices_bp
from competition.audit.chain import derive_audit_key
from competition.audit.cli import audit_cli
from competition.audit.views import audit_bp
from competition.backup import register as register_backup
from competition.db import commit_if_read_only, db
from competition.entries import permissions as entries_permissions
from competition.entries.agency_views import agency_bp
from competition.entries.attachments import neutral_name
from competition.entries.round_views import committee_bp
from competition.entries.screening_views import committee_entries_bp, review_bp
from competition.entries.views import opd_bp
from competition.error_pages import register_error_handlers
from competition.extensions import babel, csrf, login_manager, migrate
from competition.i18n.formatting import format_decimal
from competition.i18n.labels import label_filter
from competition.jobs import worker as jobs_worker
from competition.notifications.views import outbox_bp
from competition.ops import register_ops
from competition.storage import init_storage
from competition.tasks import TASKS as COMPETITION_TASKS
from competition.web import register as register_web
from judging.analysis.views import analysis_bp
from judging.cli import juri_cli
from judging.demo.loader import demo_cli
from judging.panels.views import panels_bp
from judging.results import permissions as results_permissions
from judging.results.api import api_bp
from judging.results.judge_views import judge_certificates_bp
from judging.results.opd_views import opd_results_bp
from judging.results.public import public_bp
from judging.results.views import publishing_bp
from judging.scoring import permissions as scoring_permissions
from judging.scoring.blind import anonymise
from judging.scoring.judge_views import judge_bp, judge_files_bp
from judging.scoring.views import scoring_bp
from judging.tasks import TASKS as JUDGING_TASKS

BLUEPRINTS = (
    public_bp,
    auth_bp,
    account_bp,
    password_reset_bp,
    users_bp,
    imports_bp,
    organisations_bp,
    committee_bp,
    committee_entries_bp,
    review_bp,
    opd_bp,
    agency_bp,
    announcements_bp,
    notices_bp,
    audit_bp,
    outbox_bp,
    judge_bp,
    judge_files_bp,
    scoring_bp,
    panels_bp,
    analysis_bp,
    publishing_bp,
    judge_certificates_bp,
    opd_results_bp,
    api_bp,
)

LOCALES = ("id", "en")
MAX_ID = 2**31 - 1
HSTS_MAX_AGE = 365 * 24 * 3600
# Paths of signed-in areas, never cached even on their public-looking answers (redirects, 404).
PRIVATE_PATHS = ("/committee", "/judge", "/opd", "/agency", "/account")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else a random key generated once into ``instance/``."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    return _instance_key(instance, "secret_key")


def _instance_key(instance: Path, name: str) -> str:
    """The key in ``instance/<name>``, generated once (64 random hex characters, mode 0600).

    Several workers may start at once on a new instance: the key is written to a temporary file
    and linked into place, which fails for all but the first (``FileExistsError``); everyone
    then reads the one key, never a half-written file."""
    path = instance / name
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to generate a new key, or set the key")
    return key


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: at most 2**31 - 1 (PostgreSQL's integer), so an id beyond
    the columns' range is a 404 rather than a database error (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _quiet_dev_server() -> None:
    """``make run`` (werkzeug's server) announces ``Werkzeug/x Python/y`` in every ``Server``
    header, written by the server itself (no after_request can change it): say only "Juri"."""
    WSGIRequestHandler.version_string = lambda self: "Juri"


def _trusted_hosts(app: Flask) -> list[str] | None:
    """Host names requests may name (Flask answers 400 to any other ``Host``):
    ``JURI_TRUSTED_HOSTS`` (comma-separated or a JSON list), else the public address's host,
    plus localhost in development and tests. ``None`` (any host) only in production without a
    public address, where a warning says so; links never use the Host anyway."""
    value = app.config.get("TRUSTED_HOSTS")
    if isinstance(value, str):
        value = [h.strip() for h in value.split(",") if h.strip()]
    if value is not None:
        return list(value)
    hosts = []
    public = urls.configured_public_url(app.config)
    if public:
        hosts.append(urlsplit(public).hostname or "")
    if app.debug or app.testing:
        hosts += ["localhost", "127.0.0.1"]
    if not hosts:
        app.logger.warning(
            "JURI_PUBLIC_URL is not set: requests for any host name are accepted and "
            "password reset is off. Set JURI_PUBLIC_URL (and JURI_TRUSTED_HOSTS if needed)."
        )
        return None
    return hosts


def _signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - e.g. the database is down while answering its error
        return False


def select_locale() -> str:
    """Saved user language, then the language chosen in this session, then Bahasa Indonesia.

    The browser's Accept-Language is deliberately not used: officials' browsers are often set
    to English by default, and the UI speaks Indonesian unless someone asks otherwise."""
    if not has_request_context():  # CLI, worker threads: no user, no session
        return "id"
    if current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("lang") in LOCALES:
        return session["lang"]
    return "id"


# The templates of the pages many people open at once (the judges' workspace and score sheet,
# the OPD's proposal at the deadline, logging in): compiled when a server worker starts
# (``warm_up``, called by gunicorn.conf.py) rather than by the first request each worker serves
# (about 90 ms of CPU for the judges' two pages on a 2-core machine). Others compile on demand.
HOT_TEMPLATES = (
    "base.html",
    "_macros.html",
    "competition/accounts/login.html",
    "competition/entries/entries.html",
    "competition/entries/entry_form.html",
    "competition/entries/entry_detail.html",
    "competition/entries/_proposal.html",
    "competition/entries/_blind_attachments.html",
    "judging/scoring/judge_index.html",
    "judging/scoring/sheet.html",
)


def warm_up(app: Flask) -> None:
    """Do before a server worker's first request what that request would otherwise pay for:
    compile the ``HOT_TEMPLATES`` (kept in the Jinja environment's cache, as a first render
    would) and load the translation catalogue of every UI language."""
    for name in HOT_TEMPLATES:
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for code in LOCALES:
            with force_locale(code):
                get_translations()


def request_translations():
    """``flask_babel.get_translations()``, kept for the rest of the request while its locale
    and domain stay the ones it was found for (``force_locale`` and ``flask_babel.refresh``
    change them, and the next call looks again). Flask-Babel resolves the domain, the locale
    and the locale's name on every call (about 11 µs); a score sheet page translates some 40
    strings."""
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None:
        cached = getattr(ctx, "juri_translations", None)
        if (
            cached is not None
            and cached[0] is getattr(ctx, "babel_locale", None)
            and cached[1] is getattr(ctx, "babel_domain", None)
        ):
            return cached[2]
    translations = get_translations()
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.juri_translations = (ctx.babel_locale, getattr(ctx, "babel_domain", None), translations)
    return translations


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder="competition/static",
        # JURI_INSTANCE_PATH: this server's own instance folder (absolute), e.g. when several
        # servers run from one checkout; default: instance/ beside app.py
        instance_path=os.environ.get("JURI_INSTANCE_PATH") or None,
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'juri.sqlite3'}"
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        UPLOAD_FOLDER=str(instance / "uploads"),
        # JURI_PUBLIC_URL: the address the public uses (https://inovasi.example.go.id); every
        # absolute link (mail, PDF, QR code, API) is built from it (competition.urls).
        PUBLIC_URL="",
        # JURI_PROXY_HOPS: reverse proxies in front of the app whose X-Forwarded-For and
        # X-Forwarded-Proto are believed; 0 (the default) believes no such header.
        PROXY_HOPS=0,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        MAX_ATTACHMENT_BYTES=2 * 1024 * 1024,  # per file (JURI_MAX_ATTACHMENT_BYTES)
        MAX_ENTRY_ATTACHMENT_BYTES=10 * 1024 * 1024,  # per entry, all files together
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "competition" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.from_prefixed_env("JURI")  # JURI_UPLOAD_FOLDER, JURI_MAX_CONTENT_LENGTH, ...
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config.get("AUDIT_KEY"):  # JURI_AUDIT_KEY, else derived from SECRET_KEY
        app.config["AUDIT_KEY"] = derive_audit_key(app.config["SECRET_KEY"])
    app.config["PUBLIC_URL"] = urls.configured_public_url(app.config)
    app.config["TRUSTED_HOSTS"] = _trusted_hosts(app)

    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:  # JURI_PROXY_HOPS: how many reverse proxies in front set X-Forwarded-For/-Proto
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)

    @app.teardown_appcontext
    def end_read_only_transaction(exc):
        # Runs just before Flask-SQLAlchemy's own teardown (registered earlier, so called
        # later) removes the session and rolls its transaction back: a transaction that wrote
        # nothing ends with a COMMIT instead, which keeps psycopg's prepared statements.
        if exc is None and db.session.registry.has():
            commit_if_read_only(db.session())

    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # The templates' _(), ngettext... as Flask-Babel installs them, with the request's
    # catalogue looked up once per request (request_translations), not once per string.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    init_storage(app)  # files: the upload folder or JURI_STORAGE_URL's object store
    # Background jobs: every kind each package defines; procrastinate on PostgreSQL, threads of
    # this process on SQLite (competition.jobs).
    jobs_worker.init_app(app, {**COMPETITION_TASKS, **JUDGING_TASKS})

    login_manager.login_view = "auth.login"
    login_manager.login_message = permissions.LOGIN_MESSAGE
    login_manager.login_message_category = "warning"

    login_manager.user_loader(sessions.load_user)  # checks the session token too

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    _quiet_dev_server()
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    register_error_handlers(app)
    register_web(app)  # the audit trail records each request's signed-in user
    register_ops(app)  # /healthz, /readyz, request ids in the logs
    # Relationships declared on the dependent side (Round.entries, Assignment.sheet) exist once
    # the mappers are configured: do it now (no database involved), not at the first query.
    configure_mappers()
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(juri_cli)
    register_backup(app.cli)
    app.cli.add_command(import_accounts_cli)

    app.jinja_env.filters["label"] = label_filter
    app.jinja_env.filters["anonymise"] = anonymise
    app.jinja_env.filters["neutral_name"] = neutral_name
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        can=entries_permissions.JINJA_PREDICATES
        | results_permissions.JINJA_PREDICATES
        | scoring_permissions.JINJA_PREDICATES,
        current_locale=select_locale,
        LOCALES=LOCALES,
        # the announcements listing an OPD's innovations, for its list (competition.entries
        # may not import the announcements feature, which comes after it)
        announced_lists=announcements_services.announced_lists,
    )

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL cannot hold a NUL in text, so one in a URL reaching a query was a 500;
        # form fields are cleaned by JuriForm (competition/forms.py), this covers path and args.
        if "\x00" in request.path or any(
            "\x00" in key + value for key, value in request.args.items(multi=True)
        ):
            abort(400)

    @app.after_request
    def security_headers(response):
        # Scripts only from our own static files (no inline script, no on* handler: a test
        # greps the templates); inline style attributes are allowed, they cannot run code.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        private = request.path.startswith(PRIVATE_PATHS) or _signed_in()
        if private and request.endpoint != "static":
            # A shared or public computer's cache must not keep anyone's pages.
            response.headers["Cache-Control"] = "no-store"
        max_age = app.config.get("HSTS_MAX_AGE", HSTS_MAX_AGE)
        if request.is_secure and max_age:  # behind a proxy: JURI_PROXY_HOPS gives the scheme
            response.headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}")
        return response

    return app
