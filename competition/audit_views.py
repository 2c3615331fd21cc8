"""The committee's view of the audit trail (blueprint ``audit``): browse, filter, export, and
check the hash chain."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from competition import audit, downloads
from competition.models import Role
from competition.permissions import require_role

bp = Blueprint("audit", __name__, url_prefix="/committee/audit")
require_role(bp, Role.COMMITTEE)

PAGE = 200


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:50] for k in ("action", "target_type", "actor")}


@bp.route("/")
def index():
    filters = _filters()
    return render_template("committee/audit.html", records=audit.query_records(
        **filters, limit=PAGE), filters=filters, check=audit.verify_chain(), page=PAGE,
        tables=sorted(audit.AUDITED))


@bp.route("/export.csv")
def export():
    records = list(reversed(audit.query_records(**_filters(), limit=None)))
    return audit.export_csv(records), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": downloads.disposition("jejak-audit.csv")}
