"""Juri's application factory: configuration, extensions, blueprints, error pages and CLI."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime
from flask_login import current_user
from sqlalchemy.orm import configure_mappers

from competition import permissions
from competition.accounts import sessions
from competition.accounts.cli import import_accounts_cli
from competition.accounts.views import (
    account_bp,
    auth_bp,
    imports_bp,
    organisations_bp,
    password_reset_bp,
    users_bp,
)
from competition.announcements.views import announcements_bp, notices_bp
from competition.audit.cli import audit_cli
from competition.audit.views import audit_bp
from competition.backup import register as register_backup
from competition.db import db
from competition.entries.views import agency_bp, committee_entries_bp, opd_bp, review_bp
from competition.error_pages import register_error_handlers
from competition.extensions import babel, csrf, login_manager, migrate
from competition.i18n.formatting import format_decimal
from competition.i18n.labels import label
from competition.notifications.views import outbox_bp
from competition.notifications.views import register as register_notifications
from competition.ops import register_ops
from competition.rounds.views import committee_bp
from competition.storage import init_storage
from competition.web import register as register_web
from judging import permissions as judging_permissions
from judging.analysis.views import analysis_bp
from judging.cli import juri_cli
from judging.demo.loader import demo_cli
from judging.panels.views import panels_bp
from judging.results.api import api_bp
from judging.results.public import public_bp
from judging.results.views import judge_certificates_bp, opd_results_bp, publishing_bp
from judging.scoring.views import judge_bp, judge_files_bp, scoring_bp

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
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else a random key generated once into ``instance/``."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


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


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder="competition/static")
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'juri.sqlite3'}"
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        UPLOAD_FOLDER=str(instance / "uploads"),
        BASE_URL="http://127.0.0.1:5000",  # links written outside a request (CLI, emails)
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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_storage(app)  # files: the upload folder or JURI_STORAGE_URL's object store

    login_manager.login_view = "auth.login"
    login_manager.login_message = permissions.LOGIN_MESSAGE
    login_manager.login_message_category = "warning"

    login_manager.user_loader(sessions.load_user)  # checks the session token too

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    register_error_handlers(app)
    register_web(app)  # the audit trail records each request's signed-in user
    register_ops(app)  # /healthz, /readyz, request ids in the logs
    # Relationships declared on the dependent side (Round.entries, Assignment.sheet) exist once
    # the mappers are configured: do it now (no database involved), not at the first query.
    configure_mappers()
    register_notifications(app)  # deliver the outbox after each request's commit
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(juri_cli)
    register_backup(app.cli)
    app.cli.add_command(import_accounts_cli)

    app.jinja_env.filters["label"] = label
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        can=permissions.JINJA_PREDICATES | judging_permissions.JINJA_PREDICATES,
        current_locale=select_locale,
        LOCALES=LOCALES,
    )

    @app.after_request
    def security_headers(response):
        # Scripts only from our own static files (no inline script, no on* handler: a test
        # greps the templates); inline style attributes are allowed, they cannot run code.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith(("/committee", "/judge", "/opd")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
