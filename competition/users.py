"""The committee's list of accounts, where it deactivates and reactivates them (blueprint
``users``). A deactivated account cannot log in, and its open sessions end at once (its
session token is rotated, see ``competition.sessions``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition import sessions
from competition.db import db
from competition.errors import InvalidState
from competition.forms import ActionForm
from competition.models import Role, User
from competition.permissions import require_role

bp = Blueprint("users", __name__, url_prefix="/committee/users")
require_role(bp, Role.COMMITTEE)


def list_users() -> list[User]:
    return db.session.scalars(select(User).options(selectinload(User.organisation))
                              .order_by(User.role, User.username)).all()


def set_enabled(*, user: User, enabled: bool, actor: User) -> User:
    """Deactivate or reactivate ``user``; deactivation ends their sessions. Nobody
    deactivates their own account (the committee would lock itself out)."""
    if user.id == actor.id and not enabled:
        raise InvalidState(_l("You cannot deactivate your own account."))
    user.is_enabled = enabled
    if not enabled:
        sessions.end_sessions(user)
    db.session.flush()
    return user


@bp.route("/")
def index():
    return render_template("committee/users.html", users=list_users(), form=ActionForm())


@bp.route("/<int:user_id>/enabled/<int:enabled>", methods=["POST"])
def toggle(user_id: int, enabled: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit() or enabled not in (0, 1):
        return redirect(url_for("users.index"))
    try:
        set_enabled(user=user, enabled=bool(enabled), actor=current_user)
    except InvalidState as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("users.index"))
    db.session.commit()
    flash(_("%(name)s can log in again.", name=user.username) if enabled else
          _("%(name)s is deactivated: they cannot log in, and their open sessions have ended.",
            name=user.username), "success")
    return redirect(url_for("users.index"))
