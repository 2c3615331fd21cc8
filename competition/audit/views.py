"""The committee's view of the audit trail (blueprint ``audit``): browse, filter, export, and
check the hash chain."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from competition import downloads, exports
from competition.audit import listener
from competition.audit import records as audit_records
from competition.audit import services as audit
from competition.permissions import require_role
from competition.roles import Role

audit_bp = Blueprint("audit", __name__, url_prefix="/committee/audit")


require_role(audit_bp, Role.COMMITTEE)


PAGE = 200


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:50] for k in ("action", "target_type", "actor")}


@audit_bp.route("/")
def index():
    """The trail, filtered; the chain is checked, against ``?anchor=HEAD:LENGTH`` (printed on
    a berita acara or an announcement) when given."""
    filters = _filters()
    typed = request.args.get("anchor", "").strip()[:100]
    anchor, bad_anchor = None, False
    if typed:
        try:
            anchor = audit.Anchor.parse(typed)
        except ValueError:
            bad_anchor = True
    check = audit.verify_chain(anchor=anchor)
    return render_template(
        "competition/audit/audit.html",
        records=audit_records.query_records(**filters, limit=PAGE),
        filters=filters,
        check=check,
        anchor=anchor,
        typed_anchor=typed,
        bad_anchor=bad_anchor,
        current_anchor=audit.Anchor(check.head, check.checked)
        if check.ok and check.checked
        else None,
        page=PAGE,
        tables=sorted(listener.AUDITED),
        actions=audit.ACTIONS,
    )


@audit_bp.route("/export.csv")
def export():
    records = list(reversed(audit_records.query_records(**_filters(), limit=None)))
    return (
        audit_records.export_csv(records),
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": downloads.disposition("jejak-audit.csv"),
        },
    )


@audit_bp.route("/export.xlsx")
def export_xlsx():
    """The (filtered) trail as XLSX, oldest first, the same columns as the CSV."""
    records = reversed(audit_records.query_records(**_filters(), limit=None))
    return exports.download(
        audit_records.export_rows(records),
        "xlsx",
        "jejak-audit",
        title=_("Audit trail"),
        widths=(8, 26, 16, 16, 18, 16, 10, 50, 50, 20, 20),
    )
