"""The committee's (panitia) pages for rounds, categories and stages (blueprint ``committee``).
Scoring, assignment and ranking pages live in ``judging.views``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition import attachments, entries, rounds
from competition.db import db
from competition.errors import JuriError
from competition.forms import ActionForm, CategoryForm, RoundForm, StageForm, to_utc
from competition.models import Role, Round
from competition.permissions import require_role

bp = Blueprint("committee", __name__, url_prefix="/committee")
require_role(bp, Role.COMMITTEE)


@bp.route("/", endpoint="rounds")
def rounds_list():
    return render_template("committee/rounds.html", rounds=rounds.list_rounds())


@bp.route("/rounds/new", methods=["GET", "POST"])
def round_new():
    form = RoundForm()
    if form.validate_on_submit():
        try:
            round_ = rounds.create_round(
                name=form.name.data, description=form.description.data or "",
                submission_opens_at=to_utc(form.submission_opens_at.data),
                submission_closes_at=to_utc(form.submission_closes_at.data), actor=current_user,
            )
        except JuriError as exc:
            form.submission_closes_at.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Round created. Add categories and a scored stage, then open it."), "success")
            return redirect(url_for(".round_detail", round_id=round_.id))
    status = 422 if form.errors else 200
    return render_template("committee/round_new.html", form=form), status


def _round_page(round_: Round, status=200, **forms):
    forms.setdefault("category_form", CategoryForm(prefix="cat"))
    forms.setdefault("stage_form", StageForm(prefix="stage"))
    return render_template(
        "committee/round_detail.html", round=round_, action_form=ActionForm(),
        entries=entries.list_round_entries(round_), **forms,
    ), status


@bp.route("/rounds/<int:round_id>")
def round_detail(round_id: int):
    return _round_page(db.get_or_404(Round, round_id))


@bp.route("/rounds/<int:round_id>/categories", methods=["POST"])
def category_add(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = CategoryForm(prefix="cat")
    if form.validate_on_submit():
        try:
            rounds.add_category(round_=round_, name=form.name.data,
                                description=form.description.data or "", actor=current_user)
        except JuriError as exc:
            form.name.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Category added."), "success")
            return redirect(url_for(".round_detail", round_id=round_.id))
    return _round_page(round_, 422, category_form=form)


@bp.route("/rounds/<int:round_id>/stages", methods=["POST"])
def stage_add(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = StageForm(prefix="stage")
    if form.validate_on_submit():
        try:
            stage = rounds.add_stage(
                round_=round_, name=form.name.data, opens_at=to_utc(form.opens_at.data),
                closes_at=to_utc(form.closes_at.data), scale_min=form.scale_min.data,
                scale_max=form.scale_max.data,
                winners_per_category=form.winners_per_category.data, actor=current_user,
            )
        except JuriError as exc:
            form.closes_at.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Stage added. Now define its rubric."), "success")
            return redirect(url_for("scoring.rubric", stage_id=stage.id))
    return _round_page(round_, 422, stage_form=form)


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
def round_open(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        try:
            rounds.open_round(round_=round_, actor=current_user)
        except JuriError as exc:
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Submissions are open."), "success")
    return redirect(url_for(".round_detail", round_id=round_.id))


@bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    return render_template("competition/entry_detail.html", entry=entry, certificates=[])


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))
