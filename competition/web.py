"""The web layer's shared plumbing: the role guards every protected blueprint installs, and the
request's actor for the audit trail (``register``)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user

from competition import actors


def require_role(bp: Blueprint, role) -> None:
    """Deny by default: every view of ``bp`` needs a logged-in user with ``role``."""

    @bp.before_request
    def _guard():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.role != role:
            abort(403)
        return None


def require_login(bp: Blueprint) -> None:
    """Every view of ``bp`` needs a logged-in user, whatever the role (own-account pages)."""

    @bp.before_request
    def _guard():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        return None


def _request_actor() -> actors.Actor:
    """The signed-in user (read when a change is flushed: a login within the request counts)
    and the client's address; an anonymous visitor has no name."""
    address = request.remote_addr or ""
    try:
        return actors.as_actor(current_user._get_current_object(), address=address)
    except Exception:  # noqa: BLE001 - no login manager (e.g. a bare app in a test)
        return actors.Actor(None, "", address)


def register(app) -> None:
    """Record each request's changes as made by its signed-in user."""

    @app.before_request
    def _set_actor():
        g.juri_actor_token = actors.set_provider(_request_actor)

    @app.teardown_request
    def _reset_actor(_exc):
        token = g.pop("juri_actor_token", None)
        if token is not None:
            actors.reset(token)
