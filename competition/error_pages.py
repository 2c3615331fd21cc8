"""Error pages, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from competition.db import db
from competition.errors import JuriError

log = logging.getLogger(__name__)


def format_size(n: int) -> str:
    """Bytes as a short size for messages: 20 MB, 512 KB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, round(n / 1024))} KB"


TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("File too large"),
    422: _l("Invalid input"),
    500: _l("Something went wrong"),
}


def _render(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=status, message=message), status
    return render_template(
        "errors/error.html",
        status=status,
        title=str(TITLES.get(status, _("Error"))),
        message=message,
    ), status


# Shown instead of a page when the database has no tables yet: templates, the signed-in user and
# the language all need the database, so this is static text in both languages.
SCHEMA_MISSING = (
    "Juri sedang disiapkan: basis data belum diperbarui. Coba lagi beberapa saat lagi.\n"
    "Juri is being set up: the database is not upgraded yet. Please try again shortly.\n"
    "(Administrator: run `flask db upgrade`.)\n"
)


# SQLSTATE of PostgreSQL's undefined table and undefined column.
_UNDEFINED = ("42P01", "42703")


def _schema_missing(exc: Exception) -> bool:
    """Whether ``exc`` is the database saying a table or column does not exist, i.e. the
    migrations have not been run (``flask db upgrade``) on this database."""
    if not isinstance(exc, OperationalError | ProgrammingError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _UNDEFINED or getattr(orig, "pgcode", None) in _UNDEFINED:
        return True
    text = str(orig).lower()
    return "no such table" in text or "no such column" in text


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
            return Response("Unknown host.\n", 400, mimetype="text/plain")
        messages = {
            403: _("You do not have access to this page."),
            404: _("The page you asked for does not exist or is not available to you."),
            413: _(
                "The request is larger than the %(limit)s allowed; nothing was saved. Go "
                "back and send smaller files, or fewer at once.",
                limit=format_size(current_app.config.get("MAX_CONTENT_LENGTH") or 0),
            ),
        }
        return _render(exc.code or 500, messages.get(exc.code, exc.description))

    @app.errorhandler(JuriError)
    def juri_error(exc: JuriError):
        db.session.rollback()
        return _render(exc.status, str(exc.message))

    @app.errorhandler(StaleDataError)
    def stale_data(exc: StaleDataError):
        # A version column (entries, score sheets) caught a simultaneous change that a view
        # did not handle itself: nothing of this request was saved; say so instead of a 500.
        db.session.rollback()
        return _render(
            409,
            _(
                "Someone else changed this at the same moment, so nothing was "
                "saved. Reload the page to see the current state, then try "
                "again."
            ),
        )

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        if _schema_missing(exc):
            db.session.rollback()
            log.error(
                "The database has no (or an old) schema: run `flask db upgrade`, then restart. "
                "(%s on %s)",
                exc.orig,
                request.path,
            )
            # Plain text: a template would ask the database again (the signed-in user).
            return Response(
                SCHEMA_MISSING, 503, mimetype="text/plain", headers={"Retry-After": "60"}
            )
        log.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return _render(500, _("The error has been logged. Please try again."))
