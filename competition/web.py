"""The web layer's shared plumbing: the role guards every protected blueprint installs, the
request's actor for the audit trail (``register``), and ``writing``, the one place a view's
write is committed or rolled back (Indico's ``RH.process``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from competition import actors
from competition.db import db
from competition.errors import ConcurrentChange, JuriError, StaleChange
from competition.pagination import MAX_PER_PAGE, Page


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
    """Record each request's changes as made by its signed-in user; ``page_url`` for the
    templates' page links."""
    app.jinja_env.globals["page_url"] = page_url

    @app.before_request
    def _set_actor():
        g.juri_actor_token = actors.set_provider(_request_actor)

    @app.teardown_request
    def _reset_actor(_exc):
        token = g.pop("juri_actor_token", None)
        if token is not None:
            actors.reset(token)


@dataclass
class Write:
    """What ``writing`` did: ``error`` is the refused ``JuriError`` (None on success);
    ``success`` the message flashed after the commit (settable inside the block, e.g. with
    counts from the service's result)."""

    success: str | None = None
    error: JuriError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        """The refusal's HTTP status (409 for a closed stage, 422 for invalid data...), for
        re-rendering the form; 200 on success."""
        return self.error.status if self.error is not None else 200


@contextmanager
def writing(
    success: str | None = None,
    *,
    flash_error: bool = True,
    form=None,
    field=None,
    conflict: str | None = None,
    stale: str | None = None,
    keep: tuple[type[JuriError], ...] = (),
) -> Iterator[Write]:
    """Run a view's service call(s) as one write::

        with writing(_("Judge assigned.")) as w:
            assignment_service.assign(stage=stage, entry=entry, judge=judge, actor=current_user)
        if w.failed:
            return _assignment_page(stage, w.status, manual_form=form)
        return redirect(...)

    Without an exception the session is committed and ``w.success`` flashed. A refusal (a
    ``JuriError``) rolls back, is flashed as an error unless
    ``flash_error`` is false, and is kept in ``w.error`` for the view to re-render its form.
    With ``field`` (a field of the form posted), the refusal's message is shown under that
    field (added to its errors) instead of flashed::

        with writing(_("Decision recorded."), field=form.reason) as w:
            ...
        if not w.failed:
            return redirect(...)
        return _page(..., 422, form=form)  # the reason's errors say why

    With ``form`` (the form posted), a refusal about one input (``JuriError.field``, e.g. the
    stage's scale) is shown under that field of the form when the form has it; any other
    refusal under ``field``, or flashed::

        with writing(form=form, field=form.closes_at) as w:
            rounds.add_stage(...)  # the scale refused: under scale_max; the dates: closes_at
    With ``conflict`` (a message), a unique constraint broken by a concurrent request (an
    ``IntegrityError``, at a flush or at the commit) is refused the same way, as a
    ``ConcurrentChange`` (409) carrying that message; with ``stale``, a versioned row changed
    by another request since this one read it (a ``StaleDataError``) likewise, as a
    ``StaleChange`` (a ``ConcurrentChange``). A refusal of one of the ``keep`` types commits
    what was flushed before it instead of rolling back (a score sheet's draft is kept when its
    submission is refused as incomplete); it is still flashed and kept in ``w.error``. Any
    other exception propagates (the request's teardown rolls back)."""
    w = Write(success=success)
    try:
        yield w
        db.session.commit()
    except JuriError as exc:
        if isinstance(exc, keep):
            db.session.commit()
        else:
            db.session.rollback()
        w.error = exc
    except IntegrityError:
        if conflict is None:
            raise
        db.session.rollback()
        w.error = ConcurrentChange(conflict)
    except StaleDataError:
        if stale is None:
            raise
        db.session.rollback()
        w.error = StaleChange(stale)
    else:
        if w.success:
            flash(w.success, "success")
        return
    if form is not None and w.error.field is not None and w.error.field in form:
        field = form[w.error.field]
    if field is not None:
        field.errors = [*field.errors, str(w.error.message)]
    elif flash_error:
        flash(str(w.error.message), "danger")


def requested_page(default: int, param: str = "page") -> tuple[int, int]:
    """(page, per_page) asked for in the query string (``param`` and ``per_page``), clamped to
    positive numbers (and ``per_page`` to ``pagination.MAX_PER_PAGE``): ``make_page`` clamps the
    page once the total is known."""
    page = request.args.get(param, 1, type=int) or 1
    per_page = request.args.get("per_page", default, type=int) or default
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)


def page_url(at: Page, page: int) -> str:
    """This request's URL on page ``page`` of ``at``, every other argument kept (a Jinja
    global, for the ``page_links`` macro)."""
    args = {**request.args.to_dict(), at.param: page}
    return url_for(request.endpoint, **(request.view_args or {}), **args)
