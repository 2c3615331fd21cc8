"""The committee's scoring pages (blueprint ``scoring``): rubric, blind review, sheets,
progress, the sheets' export and round copy. The judge's workspace and attachments are
``judge_views`` (``judge``, ``judge_files``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from competition import exports, mail, pagination
from competition.db import db, utcnow
from competition.errors import JuriError
from competition.forms import ActionForm, to_local, to_utc
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds import services as rounds
from competition.rounds.forms import (
    CopyRoundForm,
)
from competition.rounds.models import Round, Stage
from competition.web import requested_page, writing
from judging.panels.forms import BlindReviewForm
from judging.scoring import progress as progress_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.forms import (
    CriterionForm,
    ReopenForm,
    ScaleForm,
    TemplateForm,
)
from judging.scoring.models import Criterion

scoring_bp = Blueprint("scoring", __name__, url_prefix="/committee")


require_role(scoring_bp, Role.COMMITTEE)


def _rubric_page(stage, form=None, status=200, scale_form=None, template_form=None):
    return render_template(
        "judging/scoring/rubric.html",
        stage=stage,
        criteria=rubric_service.list_criteria(stage),
        form=form or CriterionForm(formdata=None),
        scale_form=scale_form
        or ScaleForm(
            formdata=None,
            scale_min=stage.scale_min,
            scale_max=stage.scale_max,
            pass_mark=stage.pass_mark,
        ),
        template_form=template_form or TemplateForm(formdata=None),
        frozen=rubric_service.rubric_is_frozen(stage),
        total=rubric_service.rubric_weight(stage),
        action_form=ActionForm(),
    ), status


def _criterion_values(stage, form) -> dict | None:
    """The form's criterion fields for a service, or None with the error on the form."""
    try:
        bands = rubric_service.parse_bands(form.bands.data, stage.scale_min, stage.scale_max)
    except JuriError as exc:
        form.bands.errors.append(str(exc.message))
        return None
    return {
        "name": form.name.data,
        "description": form.description.data or "",
        "weight": form.weight.data,
        "bands": bands,
        "comment_required": bool(form.comment_required.data),
    }


@scoring_bp.route("/stages/<int:stage_id>/rubric", methods=["GET", "POST"])
def rubric(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, form, 422 if form.errors else 200)
    values = _criterion_values(stage, form)
    if values is None:
        return _rubric_page(stage, form, 422)
    with writing(_("Criterion added."), field=form.weight) as w:
        rubric_service.add_criterion(stage=stage, actor=current_user, **values)
    if w.failed:
        return _rubric_page(stage, form, 422)
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/stages/<int:stage_id>/rubric/<int:criterion_id>/edit", methods=["GET", "POST"])
def criterion_edit(stage_id: int, criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    stage = criterion.stage
    if criterion.stage_id != stage_id:
        return redirect(url_for("scoring.rubric", stage_id=stage_id))
    form = CriterionForm(
        data={
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
            "bands": rubric_service.format_bands(criterion.bands),
            "comment_required": criterion.comment_required,
        }
    )
    status = 422 if form.errors else 200
    if form.validate_on_submit() and (values := _criterion_values(stage, form)) is not None:
        with writing(_("Criterion saved.")) as w:
            rubric_service.update_criterion(criterion=criterion, actor=current_user, **values)
        if not w.failed:
            return redirect(url_for("scoring.rubric", stage_id=stage.id))
        status = w.status
    elif request.method == "POST":
        status = 422
    return render_template(
        "judging/scoring/criterion_edit.html",
        stage=stage,
        criterion=criterion,
        form=form,
        frozen=rubric_service.rubric_is_frozen(stage),
    ), status


@scoring_bp.route("/stages/<int:stage_id>/rubric/scale", methods=["POST"])
def rubric_scale(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ScaleForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, status=422, scale_form=form)
    with writing(_("Scale saved.")) as w:
        rubric_service.set_scale(
            stage=stage,
            scale_min=form.scale_min.data,
            scale_max=form.scale_max.data,
            pass_mark=form.pass_mark.data,
            actor=current_user,
        )
    if w.failed:
        return _rubric_page(stage, status=w.status, scale_form=form)
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/stages/<int:stage_id>/rubric/template", methods=["POST"])
def rubric_template(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, status=422, template_form=form)
    with writing(_("Template applied.")) as w:
        rubric_service.apply_template(stage=stage, key=form.template.data, actor=current_user)
    if w.failed:
        return _rubric_page(stage, status=w.status, template_form=form)
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/stages/<int:stage_id>/rubric/<int:criterion_id>/delete", methods=["POST"])
def criterion_delete(stage_id: int, criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    if criterion.stage_id != stage_id or not ActionForm().validate_on_submit():
        return redirect(url_for("scoring.rubric", stage_id=stage_id))
    with writing(_("Criterion removed.")):
        rubric_service.remove_criterion(criterion=criterion, actor=current_user)
    return redirect(url_for("scoring.rubric", stage_id=stage_id))


@scoring_bp.route("/stages/<int:stage_id>/blind", methods=["POST"])
def blind_review(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = BlindReviewForm()
    if form.validate_on_submit():
        with writing() as w:
            sheet_service.set_blind_review(
                stage=stage, blind=bool(form.blind_review.data), actor=current_user
            )
            w.success = (
                _("Blind review is on: judges do not see the organisations' names.")
                if stage.blind_review
                else _("Blind review is off.")
            )
    return redirect(url_for("panels.assignments", stage_id=stage.id))


def _sheet_detail(stage, sheet, form=None, status=200):
    return render_template(
        "judging/scoring/sheet_detail.html",
        stage=stage,
        sheet=sheet,
        assignment=sheet.assignment,
        criteria=rubric_service.list_criteria(stage),
        form=form or ReopenForm(formdata=None),
    ), status


@scoring_bp.route("/stages/<int:stage_id>/sheets/<int:sheet_id>")
def sheet_detail(stage_id: int, sheet_id: int):
    stage = db.get_or_404(Stage, stage_id)
    return _sheet_detail(stage, sheet_service.get_sheet(stage, sheet_id))


@scoring_bp.route("/stages/<int:stage_id>/sheets/<int:sheet_id>/reopen", methods=["POST"])
def sheet_reopen(stage_id: int, sheet_id: int):
    stage = db.get_or_404(Stage, stage_id)
    sheet = sheet_service.get_sheet(stage, sheet_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _sheet_detail(stage, sheet, form, 422)
    with writing(
        _("The sheet is reopened and its judge is told why; they can correct and submit it again.")
    ) as w:
        sheet_service.reopen_sheet(
            sheet=sheet, reason=form.reason.data, actor=current_user, now=utcnow()
        )
    if w.failed:
        return _sheet_detail(stage, sheet, form, w.status)
    return redirect(url_for("scoring.sheet_detail", stage_id=stage.id, sheet_id=sheet.id))


PROGRESS_ROWS = 100  # entries (and judges) per page of the progress page


def _progress_page(stage, status=200):
    progress = progress_service.stage_progress(stage)
    reminders = "\n\n".join(
        (f"{r.subject.name} <{r.subject.email}>\n" if r.subject.email else f"{r.subject.name}\n")
        + progress_service.reminder_text(stage, r)
        for r in progress.behind
    )
    q, behind_only = request.args.get("q", ""), request.args.get("behind") == "1"
    page, per_page = requested_page(PROGRESS_ROWS)
    entries, entry_page = progress_service.entry_progress(
        stage, page=page, per_page=per_page, q=q, behind_only=behind_only
    )
    jpage, _per = requested_page(PROGRESS_ROWS, param="jpage")
    judge_page = pagination.make_page(len(progress.judges), jpage, per_page, param="jpage")
    return render_template(
        "judging/scoring/progress.html",
        stage=stage,
        progress=progress,
        judges=progress.judges[judge_page.offset : judge_page.offset + judge_page.per_page],
        judge_page=judge_page,
        entries=entries,
        entry_page=entry_page,
        q=q,
        behind_only=behind_only,
        reminders=reminders,
        can_mail=mail.is_configured(current_app.config),
        action_form=ActionForm(),
        changes=progress_service.list_stage_changes(stage),
    ), status


@scoring_bp.route("/stages/<int:stage_id>/progress")
def progress(stage_id: int):
    return _progress_page(db.get_or_404(Stage, stage_id))


@scoring_bp.route("/stages/<int:stage_id>/progress/remind", methods=["POST"])
def remind(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if ActionForm().validate_on_submit():
        with writing() as w:  # emailed after the request (competition.notifications)
            notes = progress_service.queue_reminders(stage=stage, actor=current_user, now=utcnow())
            w.success = ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", len(notes))
    return redirect(url_for("scoring.progress", stage_id=stage.id))


@scoring_bp.route("/stages/<int:stage_id>/sheets.csv", defaults={"fmt": "csv"})
@scoring_bp.route("/stages/<int:stage_id>/sheets.xlsx", defaults={"fmt": "xlsx"})
def sheets_export(stage_id: int, fmt: str):
    """Every score sheet of the stage, criterion by criterion, as CSV or XLSX."""
    stage = db.get_or_404(Stage, stage_id)
    criteria = rubric_service.list_criteria(stage)
    widths = (
        *progress_service.SHEET_WIDTHS,
        *(12 for _c in criteria),
        *progress_service.SHEET_WIDTHS_AFTER,
    )
    return exports.download(
        progress_service.sheet_export_rows(stage, criteria),
        fmt,
        f"{stage.round.slug}-{stage.id}-score-sheets",
        title=stage.name,
        widths=widths,
    )


@scoring_bp.route("/rounds/<int:round_id>/copy", methods=["GET", "POST"])
def round_copy(round_id: int):
    """Copy a round (stages, categories, rubrics) into next year's round."""
    source = db.get_or_404(Round, round_id)
    form = CopyRoundForm()
    if request.method == "GET":
        form.name.data = rounds.next_year_name(source.name)
        opens = to_local(source.submission_opens_at)
        form.submission_opens_at.data = opens.replace(year=opens.year + 1)
    if form.validate_on_submit():
        copied = _("Round copied. Check the dates, then open submissions.")
        with writing(copied, field=form.name) as w:
            round_ = rubric_service.copy_round_with_rubrics(
                source=source,
                name=form.name.data,
                submission_opens_at=to_utc(form.submission_opens_at.data),
                actor=current_user,
            )
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=round_.id))
    return render_template(
        "judging/scoring/round_copy.html", source=source, form=form
    ), 422 if form.errors else 200
