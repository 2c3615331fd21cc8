"""Error pages, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

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


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
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
        log.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return _render(500, _("The error has been logged. Please try again."))
