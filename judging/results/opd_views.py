"""The OPD's entry page with its certificates, feedback and announcements, the feedback as PDF
and its certificates' PDFs (blueprint ``opd_results``)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from competition import downloads
from competition.announcements import services as announcements
from competition.db import utcnow
from competition.entries import services as entries
from competition.errors import NotAllowed
from competition.permissions import require_role
from competition.roles import Role
from judging.analysis import explain
from judging.results import certificate_register, feedback
from judging.results.certificates import render_for_request
from judging.results.permissions import can_download_certificate

opd_results_bp = Blueprint("opd_results", __name__, url_prefix="/opd")


require_role(opd_results_bp, Role.OPD)


@opd_results_bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    return render_template(
        "competition/entries/entry_detail.html",
        entry=entry,
        certificates=certificate_register.certificates_of_entry(entry),
        progress=entries.progress_of(entry, utcnow()),
        now=utcnow(),
        feedback=feedback.feedback_for(entry),
        announced=announcements.announcements_of_entry(entry),
        min_category=feedback.MIN_CATEGORY,
        explain=explain,
    )


@opd_results_bp.route("/entries/<int:entry_id>/feedback.pdf")
def feedback_pdf(entry_id: int):
    """The OPD's feedback on its own entry as a PDF (404 before publication)."""
    entry = entries.get_entry_for(current_user, entry_id)
    found = feedback.feedback_for(entry)
    if not found:
        raise NotAllowed()
    return (
        feedback.render_feedback_pdf(entry, found),
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": downloads.disposition(f"umpan-balik-{entry.id}.pdf"),
        },
    )


@opd_results_bp.route("/certificates/<code>.pdf")
def certificate(code: str):
    cert = certificate_register.find_certificate(code)
    if cert is None or not can_download_certificate(current_user, cert):
        raise NotAllowed()
    pdf = render_for_request(cert)
    filename = f"sertifikat-{cert.code}.pdf"
    return (
        pdf,
        200,
        {"Content-Type": "application/pdf", "Content-Disposition": downloads.disposition(filename)},
    )
