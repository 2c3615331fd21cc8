"""Judging pages: the judge's workspace (blueprint ``judge``) and the committee's rubric,
assignment, ranking and publishing pages (blueprint ``scoring``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from competition import exports
from competition.db import db, utcnow
from competition.errors import IncompleteError, JuriError
from competition.forms import ActionForm
from competition.models import Category, Entry, Organisation, Role, Stage, User
from competition.permissions import require_role
from judging import analysis, mail, services
from judging import conflicts as conflict_service
from judging import panels as panel_service
from judging import progress as progress_service
from judging.forms import (
    AffiliationForm,
    AutoAssignForm,
    BlindReviewForm,
    ConfirmAssignForm,
    ConflictForm,
    CriterionForm,
    ManualAssignForm,
    MethodForm,
    PanelForm,
    PanelMemberForm,
    RecuseForm,
    ReopenForm,
    ScaleForm,
    StageMethodForm,
    TemplateForm,
    WithdrawForm,
    sheet_form_class,
)
from judging.models import Assignment, Conflict, Criterion, Panel
from judging.normalize import METHODS

judge_bp = Blueprint("judge", __name__, url_prefix="/judge")
require_role(judge_bp, Role.JUDGE)
scoring_bp = Blueprint("scoring", __name__, url_prefix="/committee/stages")
require_role(scoring_bp, Role.COMMITTEE)


# ------------------------------------------------------------------ judge


@judge_bp.route("/", endpoint="index")
def judge_index():
    return render_template("judging/judge_index.html",
                           assignments=services.list_assignments_of(current_user), now=utcnow(),
                           panels=panel_service.list_chaired_panels(current_user))


def _sheet_form(assignment: Assignment, criteria: list[Criterion], from_request: bool = True):
    stage = assignment.stage
    form_class = sheet_form_class(criteria, stage.scale_min, stage.scale_max)
    form = form_class() if from_request else form_class(formdata=None)
    if request.method == "GET" or not from_request:
        form.version.data = str(assignment.sheet.version_id) if assignment.sheet else ""
    if (request.method == "GET" or not from_request) and assignment.sheet is not None:
        for s in assignment.sheet.scores:
            getattr(form, f"score_{s.criterion_id}").data = s.value
            getattr(form, f"comment_{s.criterion_id}").data = s.comment
    return form


def _sheet_page(assignment, criteria, form, status=200, recuse_form=None, stored=None):
    return render_template("judging/sheet.html", assignment=assignment, entry=assignment.entry,
                           criteria=criteria, form=form, now=utcnow(), stored=stored,
                           recuse_form=recuse_form or RecuseForm(formdata=None)), status


def _stale_sheet_page(assignment, criteria, form):
    """409: the sheet changed since this form was shown (another tab, a concurrent save, the
    committee reopening it). Nothing is saved; the page shows what is stored now beside the
    typed values, and carries the stored version so saving again is a deliberate overwrite."""
    db.session.rollback()
    stored = assignment.sheet
    form.version.data = str(stored.version_id) if stored else ""
    flash(_("This score sheet was changed elsewhere while you were editing it; nothing was "
            "saved. Check the values below and save again."), "danger")
    return _sheet_page(assignment, criteria, form, 409, stored=stored)


@judge_bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def sheet(assignment_id: int):
    assignment = services.get_assignment_for(current_user, assignment_id)
    criteria = services.list_criteria(assignment.stage)
    form = _sheet_form(assignment, criteria)
    if not form.validate_on_submit():
        return _sheet_page(assignment, criteria, form, 422 if form.errors else 200)
    inputs = {c.id: services.CriterionInput(getattr(form, f"score_{c.id}").data,
                                            getattr(form, f"comment_{c.id}").data or "")
              for c in criteria}
    shown = assignment.sheet.version_id if assignment.sheet else None
    if "version" in request.form and form.version.data != ("" if shown is None else str(shown)):
        return _stale_sheet_page(assignment, criteria, form)
    try:
        services.save_sheet(assignment=assignment, inputs=inputs, submit=bool(form.send.data),
                            actor=current_user, now=utcnow())
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # The version column (or the one-sheet-per-assignment constraint) caught a concurrent
        # save: nothing is overwritten, the typed values stay.
        return _stale_sheet_page(assignment, criteria, form)
    except IncompleteError as exc:
        db.session.commit()  # the draft is kept; only the submission is refused
        form.version.data = str(assignment.sheet.version_id)
        for name in exc.missing:
            getattr(form, name).errors.append(
                _("Score this criterion before submitting.") if name.startswith("score_")
                else _("A comment is required for this criterion."))
        flash(str(exc.message), "danger")
        return _sheet_page(assignment, criteria, form, 422)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _sheet_page(assignment, criteria, form, exc.status)
    db.session.commit()
    if form.send.data:
        flash(_("Scores submitted. Thank you."), "success")
        return redirect(url_for("judge.index"))
    flash(_("Draft saved."), "success")
    return redirect(url_for("judge.sheet", assignment_id=assignment.id))


@judge_bp.route("/assignments/<int:assignment_id>/recuse", methods=["POST"])
def recuse(assignment_id: int):
    assignment = services.get_assignment_for(current_user, assignment_id)
    criteria = services.list_criteria(assignment.stage)
    form = RecuseForm()
    status = 422
    if form.validate_on_submit():
        try:
            conflict_service.recuse(assignment=assignment, reason=form.reason.data, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("You have recused yourself; the committee will give this entry to another "
                    "judge."), "success")
            return redirect(url_for("judge.index"))
    return _sheet_page(assignment, criteria, _sheet_form(assignment, criteria, False), status,
                       recuse_form=form)


@judge_bp.route("/panels/<int:panel_id>")
def panel(panel_id: int):
    panel = panel_service.get_chaired_panel(current_user, panel_id)
    return render_template("judging/panel_chair.html", panel=panel, stage=panel.stage,
                           assignments=panel_service.list_panel_assignments(panel))


@judge_bp.route("/panels/<int:panel_id>/sheets/<int:sheet_id>")
def panel_sheet(panel_id: int, sheet_id: int):
    panel = panel_service.get_chaired_panel(current_user, panel_id)
    sheet = panel_service.get_panel_sheet(current_user, panel, sheet_id)
    return render_template("judging/panel_sheet.html", panel=panel, stage=panel.stage,
                           sheet=sheet, assignment=sheet.assignment)


# ------------------------------------------------------------------ committee: panels


def _panels_page(stage, status=200, panel_form=None, member_form=None):
    panel_form = panel_form or PanelForm(formdata=None)
    panel_form.category.choices = [SelectChoice(0, _("every category"))] + [
        SelectChoice(c.id, c.name) for c in stage.round.categories]
    member_form = member_form or PanelMemberForm(formdata=None)
    member_form.judge.choices = [SelectChoice(j.id, j.name) for j in services.list_judges()]
    return render_template("judging/panels.html", stage=stage,
                           panels=panel_service.list_panels(stage), panel_form=panel_form,
                           member_form=member_form, action_form=ActionForm()), status


@scoring_bp.route("/<int:stage_id>/panels", methods=["GET", "POST"])
def panels(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if request.method == "GET":
        return _panels_page(stage)
    form = PanelForm()
    form.category.choices = [SelectChoice(0, "")] + [SelectChoice(c.id, "")
                                                      for c in stage.round.categories]
    if not form.validate_on_submit():
        return _panels_page(stage, 422, panel_form=form)
    panel_service.create_panel(stage=stage, name=form.name.data,
                          category=db.session.get(Category, form.category.data)
                          if form.category.data else None, actor=current_user)
    db.session.commit()
    flash(_("Panel created."), "success")
    return redirect(url_for("scoring.panels", stage_id=stage.id))


def _stage_panel(stage_id: int, panel_id: int) -> Panel:
    panel = db.get_or_404(Panel, panel_id)
    if panel.stage_id != stage_id:
        abort(404)
    return panel


@scoring_bp.route("/<int:stage_id>/panels/<int:panel_id>/members", methods=["POST"])
def panel_member_add(stage_id: int, panel_id: int):
    panel = _stage_panel(stage_id, panel_id)
    form = PanelMemberForm()
    form.judge.choices = [SelectChoice(j.id, "") for j in services.list_judges()]
    if not form.validate_on_submit():
        return _panels_page(panel.stage, 422, member_form=form)
    panel_service.add_panel_member(panel=panel, judge=db.session.get(User, form.judge.data),
                              is_chair=bool(form.is_chair.data), actor=current_user)
    db.session.commit()
    flash(_("Panel saved."), "success")
    return redirect(url_for("scoring.panels", stage_id=stage_id))


@scoring_bp.route("/<int:stage_id>/panels/<int:panel_id>/members/<int:member_id>/delete",
                  methods=["POST"])
def panel_member_delete(stage_id: int, panel_id: int, member_id: int):
    panel = _stage_panel(stage_id, panel_id)
    member = next((m for m in panel.members if m.id == member_id), None)
    if member is None:
        abort(404)
    if ActionForm().validate_on_submit():
        panel_service.remove_panel_member(member=member, actor=current_user)
        db.session.commit()
        flash(_("Panel saved."), "success")
    return redirect(url_for("scoring.panels", stage_id=stage_id))


@scoring_bp.route("/<int:stage_id>/panels/<int:panel_id>/delete", methods=["POST"])
def panel_delete(stage_id: int, panel_id: int):
    panel = _stage_panel(stage_id, panel_id)
    if ActionForm().validate_on_submit():
        panel_service.delete_panel(panel=panel, actor=current_user)
        db.session.commit()
        flash(_("Panel deleted."), "success")
    return redirect(url_for("scoring.panels", stage_id=stage_id))


# ------------------------------------------------------------------ committee: conflicts


def _entry_label(entry: Entry) -> str:
    """An entry in a select: short enough that the select never widens its column."""
    title = entry.title if len(entry.title) <= 60 else entry.title[:59] + "…"
    return f"#{entry.id} {title}"


def _conflict_forms(stage, conflict_form=None, affiliation_form=None):
    judges = services.list_judges()
    orgs = services.list_organisations()
    none = [SelectChoice(0, "–")]
    conflict_form = conflict_form or ConflictForm(formdata=None)
    affiliation_form = affiliation_form or AffiliationForm(formdata=None)
    for form in (conflict_form, affiliation_form):
        form.judge.choices = [SelectChoice(j.id, j.name) for j in judges]
        form.organisation.choices = none + [SelectChoice(o.id, o.name) for o in orgs]
    conflict_form.entry.choices = none + [SelectChoice(e.id, _entry_label(e))
                                          for e in services.submitted_entries(stage)]
    return judges, conflict_form, affiliation_form


def _conflicts_page(stage, status=200, conflict_form=None, affiliation_form=None):
    judges, conflict_form, affiliation_form = _conflict_forms(stage, conflict_form,
                                                              affiliation_form)
    return render_template(
        "judging/conflicts.html", stage=stage, judges=judges,
        conflicts=conflict_service.list_conflicts(stage), conflict_form=conflict_form,
        affiliation_form=affiliation_form, action_form=ActionForm(),
    ), status


@scoring_bp.route("/<int:stage_id>/conflicts", methods=["GET", "POST"])
def conflicts(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if request.method == "GET":
        return _conflicts_page(stage)
    form = _conflict_forms(stage, conflict_form=ConflictForm())[1]
    if not form.validate_on_submit():
        return _conflicts_page(stage, 422, conflict_form=form)
    try:
        conflict_service.declare_conflict(
            judge=db.session.get(User, form.judge.data),
            entry=db.session.get(Entry, form.entry.data) if form.entry.data else None,
            organisation=(db.session.get(Organisation, form.organisation.data)
                          if form.organisation.data else None),
            reason=form.reason.data or "", actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _conflicts_page(stage, exc.status, conflict_form=form)
    db.session.commit()
    flash(_("Conflict of interest recorded."), "success")
    return redirect(url_for("scoring.conflicts", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/conflicts/affiliation", methods=["POST"])
def affiliation(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = _conflict_forms(stage, affiliation_form=AffiliationForm())[2]
    if not form.validate_on_submit():
        return _conflicts_page(stage, 422, affiliation_form=form)
    try:
        conflict_service.set_affiliation(
            judge=db.session.get(User, form.judge.data),
            organisation=(db.session.get(Organisation, form.organisation.data)
                          if form.organisation.data else None), actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _conflicts_page(stage, exc.status, affiliation_form=form)
    db.session.commit()
    flash(_("Affiliation saved."), "success")
    return redirect(url_for("scoring.conflicts", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/conflicts/<int:conflict_id>/delete", methods=["POST"])
def conflict_delete(stage_id: int, conflict_id: int):
    conflict = db.get_or_404(Conflict, conflict_id)
    if ActionForm().validate_on_submit():
        conflict_service.remove_conflict(conflict=conflict, actor=current_user)
        db.session.commit()
        flash(_("Conflict removed."), "success")
    return redirect(url_for("scoring.conflicts", stage_id=stage_id))


# ------------------------------------------------------------------ committee: rubric


def _rubric_page(stage, form=None, status=200, scale_form=None, template_form=None):
    return render_template(
        "judging/rubric.html", stage=stage, criteria=services.list_criteria(stage),
        form=form or CriterionForm(formdata=None),
        scale_form=scale_form or ScaleForm(formdata=None, scale_min=stage.scale_min,
                                           scale_max=stage.scale_max,
                                           pass_mark=stage.pass_mark),
        template_form=template_form or TemplateForm(formdata=None),
        frozen=services.rubric_is_frozen(stage), total=services.rubric_weight(stage),
        action_form=ActionForm(),
    ), status


def _criterion_values(stage, form) -> dict | None:
    """The form's criterion fields for a service, or None with the error on the form."""
    try:
        bands = services.parse_bands(form.bands.data, stage.scale_min, stage.scale_max)
    except JuriError as exc:
        form.bands.errors.append(str(exc.message))
        return None
    return {"name": form.name.data, "description": form.description.data or "",
            "weight": form.weight.data, "bands": bands,
            "comment_required": bool(form.comment_required.data)}


@scoring_bp.route("/<int:stage_id>/rubric", methods=["GET", "POST"])
def rubric(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, form, 422 if form.errors else 200)
    values = _criterion_values(stage, form)
    if values is None:
        return _rubric_page(stage, form, 422)
    try:
        services.add_criterion(stage=stage, actor=current_user, **values)
    except JuriError as exc:
        db.session.rollback()
        form.weight.errors.append(str(exc.message))
        return _rubric_page(stage, form, 422)
    db.session.commit()
    flash(_("Criterion added."), "success")
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/rubric/<int:criterion_id>/edit", methods=["GET", "POST"])
def criterion_edit(stage_id: int, criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    stage = criterion.stage
    if criterion.stage_id != stage_id:
        return redirect(url_for("scoring.rubric", stage_id=stage_id))
    form = CriterionForm(data={
        "name": criterion.name, "description": criterion.description,
        "weight": criterion.weight, "bands": services.format_bands(criterion.bands),
        "comment_required": criterion.comment_required})
    status = 422 if form.errors else 200
    if form.validate_on_submit() and (values := _criterion_values(stage, form)) is not None:
        try:
            services.update_criterion(criterion=criterion, actor=current_user, **values)
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("Criterion saved."), "success")
            return redirect(url_for("scoring.rubric", stage_id=stage.id))
    elif request.method == "POST":
        status = 422
    return render_template("judging/criterion_edit.html", stage=stage, criterion=criterion,
                           form=form, frozen=services.rubric_is_frozen(stage)), status


@scoring_bp.route("/<int:stage_id>/rubric/scale", methods=["POST"])
def rubric_scale(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ScaleForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, status=422, scale_form=form)
    try:
        services.set_scale(stage=stage, scale_min=form.scale_min.data,
                           scale_max=form.scale_max.data, pass_mark=form.pass_mark.data,
                           actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _rubric_page(stage, status=exc.status, scale_form=form)
    db.session.commit()
    flash(_("Scale saved."), "success")
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/rubric/template", methods=["POST"])
def rubric_template(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _rubric_page(stage, status=422, template_form=form)
    try:
        services.apply_template(stage=stage, key=form.template.data, actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _rubric_page(stage, status=exc.status, template_form=form)
    db.session.commit()
    flash(_("Template applied."), "success")
    return redirect(url_for("scoring.rubric", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/rubric/<int:criterion_id>/delete", methods=["POST"])
def criterion_delete(stage_id: int, criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    if criterion.stage_id != stage_id or not ActionForm().validate_on_submit():
        return redirect(url_for("scoring.rubric", stage_id=stage_id))
    try:
        services.remove_criterion(criterion=criterion, actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("Criterion removed."), "success")
    return redirect(url_for("scoring.rubric", stage_id=stage_id))


# ------------------------------------------------------------------ committee: assignments


ASSIGNMENT_ROWS = 100  # entries per page on the assignments page


def _assignment_page(stage, status=200, auto_form=None, manual_form=None, withdraw_form=None):
    short_only = request.args.get("short") == "1"
    listing = services.assignment_page(stage, page=request.args.get("page", 1, type=int),
                                       per_page=ASSIGNMENT_ROWS, short_only=short_only)
    judges = services.stage_judges(stage)
    manual_form = manual_form or ManualAssignForm(formdata=None)
    # The entries of the page: a national round's thousands would make the page megabytes.
    manual_form.entry.choices = [SelectChoice(e.id, _entry_label(e)) for e in listing.entries]
    manual_form.judge.choices = [SelectChoice(j.id, j.name) for j in judges]
    withdraw_form = withdraw_form or WithdrawForm(formdata=None)
    withdraw_form.judge.choices = manual_form.judge.choices
    return render_template(
        "judging/assignments.html", stage=stage, listing=listing, judges=judges,
        short_only=short_only,
        auto_form=auto_form or AutoAssignForm(formdata=None,
                                              judges_per_entry=stage.judges_per_entry),
        manual_form=manual_form, withdraw_form=withdraw_form, action_form=ActionForm(),
        blind_form=BlindReviewForm(formdata=None, blind_review=stage.blind_review),
        withdrawals=services.list_withdrawals(stage),
    ), status


@scoring_bp.route("/<int:stage_id>/assignments")
def assignments(stage_id: int):
    return _assignment_page(db.get_or_404(Stage, stage_id))


@scoring_bp.route("/<int:stage_id>/assignments/preview")
def assign_preview(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = AutoAssignForm(request.args)
    if not form.validate():
        return _assignment_page(stage, 422, auto_form=form)
    plan = services.plan_auto_assign(stage, form.judges_per_entry.data)
    confirm = ConfirmAssignForm(formdata=None, judges_per_entry=plan.k, digest=plan.digest)
    return render_template("judging/assign_preview.html", stage=stage, plan=plan,
                           confirm=confirm)


@scoring_bp.route("/<int:stage_id>/assignments/auto", methods=["POST"])
def assign_auto(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ConfirmAssignForm()
    if not form.validate_on_submit():
        flash(_("Choose between 1 and 20 judges per entry."), "danger")
        return redirect(url_for("scoring.assignments", stage_id=stage.id))
    try:
        plan = services.auto_assign(stage=stage, judges_per_entry=form.judges_per_entry.data,
                                    digest=form.digest.data or None, actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("scoring.assign_preview", stage_id=stage.id,
                                judges_per_entry=form.judges_per_entry.data))
    db.session.commit()
    flash(_("%(n)d assignments added, %(m)d removed.", n=len(plan.add), m=len(plan.drop)),
          "success")
    return redirect(url_for("scoring.assignments", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/assignments/withdraw", methods=["POST"])
def withdraw(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = WithdrawForm()
    form.judge.choices = [SelectChoice(j.id, "") for j in services.stage_judges(stage)]
    if not form.validate_on_submit():
        return _assignment_page(stage, 422, withdraw_form=form)
    moved, kept = services.withdraw_judge(stage=stage, judge=db.session.get(User, form.judge.data),
                                          reason=form.reason.data or "", actor=current_user)
    db.session.commit()
    flash(_("The judge has withdrawn: %(moved)d entries given to other judges, %(kept)d scored "
            "sheets kept.", moved=moved, kept=kept), "success")
    return redirect(url_for("scoring.assignments", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/blind", methods=["POST"])
def blind_review(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = BlindReviewForm()
    if form.validate_on_submit():
        services.set_blind_review(stage=stage, blind=bool(form.blind_review.data),
                                  actor=current_user)
        db.session.commit()
        flash(_("Blind review is on: judges do not see the organisations' names.")
              if stage.blind_review else _("Blind review is off."), "success")
    return redirect(url_for("scoring.assignments", stage_id=stage.id))


def _sheet_detail(stage, sheet, form=None, status=200):
    return render_template("judging/sheet_detail.html", stage=stage, sheet=sheet,
                           assignment=sheet.assignment,
                           criteria=services.list_criteria(stage),
                           form=form or ReopenForm(formdata=None)), status


@scoring_bp.route("/<int:stage_id>/sheets/<int:sheet_id>")
def sheet_detail(stage_id: int, sheet_id: int):
    stage = db.get_or_404(Stage, stage_id)
    return _sheet_detail(stage, services.get_sheet(stage, sheet_id))


@scoring_bp.route("/<int:stage_id>/sheets/<int:sheet_id>/reopen", methods=["POST"])
def sheet_reopen(stage_id: int, sheet_id: int):
    stage = db.get_or_404(Stage, stage_id)
    sheet = services.get_sheet(stage, sheet_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _sheet_detail(stage, sheet, form, 422)
    try:
        services.reopen_sheet(sheet=sheet, reason=form.reason.data, actor=current_user,
                              now=utcnow())
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _sheet_detail(stage, sheet, form, exc.status)
    db.session.commit()
    flash(_("The sheet is reopened; the judge can correct and submit it again."), "success")
    return redirect(url_for("scoring.sheet_detail", stage_id=stage.id, sheet_id=sheet.id))


@scoring_bp.route("/<int:stage_id>/assignments/manual", methods=["POST"])
def assign_manual(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ManualAssignForm()
    form.entry.choices = [SelectChoice(e.id, "") for e in services.submitted_entries(stage)]
    form.judge.choices = [SelectChoice(j.id, "") for j in services.list_judges()]
    if not form.validate_on_submit():
        return _assignment_page(stage, 422, manual_form=form)
    try:
        services.assign(stage=stage, entry=db.session.get(Entry, form.entry.data),
                        judge=db.session.get(User, form.judge.data), actor=current_user)
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _assignment_page(stage, exc.status, manual_form=form)
    db.session.commit()
    flash(_("Judge assigned."), "success")
    return redirect(url_for("scoring.assignments", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
def assignment_delete(stage_id: int, assignment_id: int):
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.stage_id == stage_id and ActionForm().validate_on_submit():
        try:
            services.unassign(assignment=assignment, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Assignment removed."), "success")
    return redirect(url_for("scoring.assignments", stage_id=stage_id))


# ------------------------------------------------------------------ committee: progress


def _progress_page(stage, status=200):
    progress = progress_service.stage_progress(stage)
    reminders = "\n\n".join(
        (f"{r.subject.name} <{r.subject.email}>\n" if r.subject.email else f"{r.subject.name}\n")
        + progress_service.reminder_text(stage, r) for r in progress.behind)
    return render_template(
        "judging/progress.html", stage=stage, progress=progress, reminders=reminders,
        can_mail=mail.is_configured(current_app.config), action_form=ActionForm(),
        changes=progress_service.list_stage_changes(stage)), status


@scoring_bp.route("/<int:stage_id>/progress")
def progress(stage_id: int):
    return _progress_page(db.get_or_404(Stage, stage_id))


@scoring_bp.route("/<int:stage_id>/progress/remind", methods=["POST"])
def remind(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if ActionForm().validate_on_submit():
        try:
            notes = progress_service.queue_reminders(stage=stage, actor=current_user,
                                                     now=utcnow())
        except JuriError as exc:
            flash(str(exc.message), "danger")
        else:
            db.session.commit()  # emailed after the request (competition.notifications)
            flash(_("%(n)d reminders sent.", n=len(notes)), "success")
    return redirect(url_for("scoring.progress", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/sheets.csv", defaults={"fmt": "csv"})
@scoring_bp.route("/<int:stage_id>/sheets.xlsx", defaults={"fmt": "xlsx"})
def sheets_export(stage_id: int, fmt: str):
    """Every score sheet of the stage, criterion by criterion, as CSV or XLSX."""
    stage = db.get_or_404(Stage, stage_id)
    criteria = services.list_criteria(stage)
    widths = (*progress_service.SHEET_WIDTHS, *(12 for _c in criteria),
              *progress_service.SHEET_WIDTHS_AFTER)
    return exports.download(progress_service.sheet_export_rows(stage, criteria), fmt,
                            f"{stage.round.slug}-{stage.id}-score-sheets", title=stage.name,
                            widths=widths)


# ------------------------------------------------------------------ committee: ranking


RANKING_ROWS = 50  # rows per category on the ranking page unless "show all" is asked


@scoring_bp.route("/<int:stage_id>/ranking")
def ranking(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = MethodForm(request.args)
    method = form.method.data if form.method.data in METHODS else analysis.method_of(stage)
    form.method.data = method
    show_all = request.args.get("all") == "1"
    return render_template(
        "judging/ranking.html", stage=stage, form=form, ranking=services.compute_ranking(
            stage, method, limit=None if show_all else RANKING_ROWS), action_form=ActionForm(),
        show_all=show_all, labels=analysis.METHOD_LABELS,
        help=analysis.METHOD_HELP, method_form=StageMethodForm(method=analysis.method_of(stage)),
        frozen=services.rubric_is_frozen(stage))


@scoring_bp.route("/<int:stage_id>/method", methods=["POST"])
def stage_method(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = StageMethodForm()
    if form.validate_on_submit():
        try:
            services.set_method(stage=stage, method=form.method.data, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Method saved."), "success")
    return redirect(url_for("scoring.ranking", stage_id=stage.id))


@scoring_bp.route("/<int:stage_id>/compare")
def compare(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    show_all = request.args.get("all") == "1"
    categories, method, _fit = analysis.compare_methods(
        stage, limit=None if show_all else RANKING_ROWS)
    return render_template("judging/compare.html", stage=stage, categories=categories,
                           method=method, methods=METHODS, labels=analysis.METHOD_LABELS,
                           help=analysis.METHOD_HELP)


@scoring_bp.route("/<int:stage_id>/judges")
def judges(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    return render_template("judging/judges.html", stage=stage,
                           report=analysis.judge_report(stage), labels=analysis.METHOD_LABELS)
