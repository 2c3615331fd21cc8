"""The committee's outbox (blueprint ``outbox``): every notification Juri wrote, sent or not
(without a mail server, this page is where they are read)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from competition import mail
from competition.notifications import services as notifications
from competition.permissions import require_role
from competition.roles import Role

outbox_bp = Blueprint("outbox", __name__, url_prefix="/committee/outbox")


require_role(outbox_bp, Role.COMMITTEE)


PAGE = 200


@outbox_bp.route("/")
def index():
    return render_template(
        "competition/notifications/outbox.html",
        notes=notifications.list_outbox(limit=PAGE),
        page=PAGE,
        can_mail=mail.is_configured(current_app.config),
    )
