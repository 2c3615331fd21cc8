"""A judge's certificates of appreciation, listed and downloaded (blueprint
``judge_certificates``)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from competition import downloads
from competition.errors import NotAllowed
from competition.permissions import require_role
from competition.roles import Role
from judging.results import certificate_register, certificates

judge_certificates_bp = Blueprint("judge_certificates", __name__, url_prefix="/judge/certificates")


require_role(judge_certificates_bp, Role.JUDGE)


@judge_certificates_bp.route("/")
def index():
    return render_template(
        "judging/results/judge_certificates.html",
        certificates=certificate_register.certificates_of_user(current_user),
    )


@judge_certificates_bp.route("/<code>.pdf")
def download(code: str):
    """A judge downloads their own certificates of appreciation; anyone else's is a 404."""
    cert = certificate_register.find_certificate(code)
    if cert is None or cert.user_id != current_user.id or cert.is_revoked:
        raise NotAllowed()
    return (
        certificates.render_for_request(cert),
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": downloads.disposition(f"piagam-{cert.code}.pdf"),
        },
    )
