"""Pages anyone can open without logging in: home, published results, certificate check."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from flask_login import current_user
from sqlalchemy import select

from competition import awards
from competition.auth import home_for
from competition.certificates import award_title
from competition.db import db
from competition.models import Round

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("public/index.html", rounds=awards.list_published_rounds())


@bp.route("/results/<slug>")
def results(slug: str):
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None or round_.results_published_at is None:
        abort(404)
    return render_template("public/results.html", round=round_,
                           stages=awards.list_published_results(round_))


@bp.route("/verify/<code>")
def verify(code: str):
    certificate = awards.find_certificate(code)
    status = 200 if certificate else 404
    return render_template("public/verify.html", certificate=certificate, code=code,
                           award_title=award_title), status
