"""Pages anyone can open without logging in: home, published results (every version, CSV and
XLSX exports), certificate verification and the public copy of a valid certificate."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from flask_login import current_user
from sqlalchemy import select

from competition import awards, numbers
from competition.auth import home_for
from competition.certificates import render_for_request
from competition.db import db
from competition.models import Round, Stage

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("public/index.html", rounds=awards.list_published_rounds())


def _published_round(slug: str) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None or round_.results_published_at is None:
        abort(404)
    return round_


@bp.route("/results/<slug>")
def results(slug: str):
    round_ = _published_round(slug)
    return render_template("public/results.html", round=round_,
                           settings=awards.settings_of(round_),
                           stages=awards.list_published_results(round_),
                           history={s.id: awards.list_publications(s) for s in round_.stages},
                           certificates=awards.valid_certificates_by_entry(round_))


@bp.route("/results/<slug>/stages/<int:stage_id>/v<int:version>")
def results_version(slug: str, stage_id: int, version: int):
    """An earlier (or the current) version of a stage's publication, kept readable."""
    round_ = _published_round(slug)
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.round_id != round_.id:
        abort(404)
    pub = awards.get_publication(stage, version)
    if pub is None:
        abort(404)
    return render_template("public/results_version.html", round=round_, stage=stage, pub=pub,
                           results=awards.list_results(pub),
                           latest=awards.latest_publication(stage))


@bp.route("/verify/<code>")
def verify(code: str):
    certificate = awards.find_certificate(code)
    replacement = awards.replacement_of(certificate) if certificate else None
    status = 200 if certificate else 404
    return render_template("public/verify.html", certificate=certificate, code=code,
                           replacement=replacement,
                           well_formed=numbers.is_well_formed(code)), status


@bp.route("/verify/<code>.pdf")
def verify_pdf(code: str):
    """Anyone may download a valid certificate once its round's results are public."""
    cert = awards.find_certificate(code)
    if cert is None or cert.is_revoked or cert.round is None \
            or cert.round.results_published_at is None:
        abort(404)
    return render_for_request(cert), 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="piagam-{cert.code}.pdf"'}
