"""The judge's access to the attachments of the entries assigned to them (blueprint
``judge_files``). The file is sent by ``competition.attachments``; judging supplies the
assignment check, since competition never imports judging."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from competition import attachments
from competition.db import db
from competition.models import Entry, Role, User
from competition.permissions import require_role
from judging.models import Assignment

judge_files_bp = Blueprint("judge_files", __name__, url_prefix="/judge/files")
require_role(judge_files_bp, Role.JUDGE)


def judges_entry(user: User, entry: Entry) -> bool:
    """True when ``entry`` is assigned to judge ``user`` in any stage."""
    return db.session.scalar(select(Assignment.id).where(
        Assignment.judge_id == user.id, Assignment.entry_id == entry.id).limit(1)) is not None


@judge_files_bp.route("/<int:attachment_id>", endpoint="attachment")
def attachment(attachment_id: int):
    return attachments.send_attachment(
        attachments.get_attachment_for(current_user, attachment_id, judges_entry))
