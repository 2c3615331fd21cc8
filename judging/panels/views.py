"""The committee's panel pages (blueprint ``panels``, under ``/committee/stages``): panels,
conflicts of interest, and assignments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from competition.accounts.models import Organisation, User
from competition.db import db
from competition.entries.models import Entry
from competition.forms import ActionForm
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds.models import Category, Stage
from competition.web import writing
from judging.panels import assignment as assignment_service
from judging.panels import conflicts as conflict_service
from judging.panels import services as panel_service
from judging.panels.forms import (
    AffiliationForm,
    AutoAssignForm,
    BlindReviewForm,
    ConfirmAssignForm,
    ConflictForm,
    ManualAssignForm,
    PanelForm,
    PanelMemberForm,
    WithdrawForm,
)
from judging.panels.models import Assignment, Conflict, Panel

panels_bp = Blueprint("panels", __name__, url_prefix="/committee/stages")
require_role(panels_bp, Role.COMMITTEE)


def _chosen(model, ident: int | None):
    """The object picked in a select whose 0 (or nothing) means none: "every category", "–"."""
    return db.session.get(model, ident) if ident else None


def _panel_form(stage, form: PanelForm) -> PanelForm:
    """``form`` offering the categories of the stage's round (0: a panel for every category)."""
    form.category.choices = [SelectChoice(0, _("every category"))] + [
        SelectChoice(c.id, c.name) for c in stage.round.categories
    ]
    return form


def _member_form(form: PanelMemberForm) -> PanelMemberForm:
    """``form`` offering every judge."""
    form.judge.choices = [SelectChoice(j.id, j.name) for j in assignment_service.list_judges()]
    return form


def _panels_page(stage, status=200, panel_form=None, member_form=None):
    """The panels page; a posted form passed in is shown as posted (its choices already set)."""
    return render_template(
        "judging/panels/panels.html",
        stage=stage,
        panels=panel_service.list_panels(stage),
        panel_form=panel_form or _panel_form(stage, PanelForm(formdata=None)),
        member_form=member_form or _member_form(PanelMemberForm(formdata=None)),
        action_form=ActionForm(),
    ), status


@panels_bp.route("/<int:stage_id>/panels", methods=["GET", "POST"])
def panels(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if request.method == "GET":
        return _panels_page(stage)
    form = _panel_form(stage, PanelForm())
    if not form.validate_on_submit():
        return _panels_page(stage, 422, panel_form=form)
    with writing(_("Panel created.")):
        panel_service.create_panel(
            stage=stage,
            name=form.name.data,
            category=_chosen(Category, form.category.data),
            actor=current_user,
        )
    return redirect(url_for("panels.panels", stage_id=stage.id))


def _stage_panel(stage_id: int, panel_id: int) -> Panel:
    panel = db.get_or_404(Panel, panel_id)
    if panel.stage_id != stage_id:
        abort(404)
    return panel


@panels_bp.route("/<int:stage_id>/panels/<int:panel_id>/members", methods=["POST"])
def panel_member_add(stage_id: int, panel_id: int):
    panel = _stage_panel(stage_id, panel_id)
    form = _member_form(PanelMemberForm())
    if not form.validate_on_submit():
        return _panels_page(panel.stage, 422, member_form=form)
    with writing(_("Panel saved.")) as w:
        panel_service.add_panel_member(
            panel=panel,
            judge=db.session.get(User, form.judge.data),
            is_chair=bool(form.is_chair.data),
            actor=current_user,
        )
    if w.failed:  # not a judge (any more): the page again, with the refusal
        return _panels_page(panel.stage, w.status, member_form=form)
    return redirect(url_for("panels.panels", stage_id=stage_id))


@panels_bp.route(
    "/<int:stage_id>/panels/<int:panel_id>/members/<int:member_id>/delete", methods=["POST"]
)
def panel_member_delete(stage_id: int, panel_id: int, member_id: int):
    panel = _stage_panel(stage_id, panel_id)
    member = next((m for m in panel.members if m.id == member_id), None)
    if member is None:
        abort(404)
    if ActionForm().validate_on_submit():
        with writing(_("Panel saved.")):
            panel_service.remove_panel_member(member=member, actor=current_user)
    return redirect(url_for("panels.panels", stage_id=stage_id))


@panels_bp.route("/<int:stage_id>/panels/<int:panel_id>/delete", methods=["POST"])
def panel_delete(stage_id: int, panel_id: int):
    panel = _stage_panel(stage_id, panel_id)
    if ActionForm().validate_on_submit():
        with writing(_("Panel deleted.")):
            panel_service.delete_panel(panel=panel, actor=current_user)
    return redirect(url_for("panels.panels", stage_id=stage_id))


def _entry_label(entry: Entry) -> str:
    """An entry in a select: short enough that the select never widens its column."""
    title = entry.title if len(entry.title) <= 60 else entry.title[:59] + "…"
    return f"#{entry.id} {title}"


def _conflict_forms(stage, conflict_form=None, affiliation_form=None):
    judges = assignment_service.list_judges()
    orgs = assignment_service.list_organisations()
    none = [SelectChoice(0, "–")]
    conflict_form = conflict_form or ConflictForm(formdata=None)
    affiliation_form = affiliation_form or AffiliationForm(formdata=None)
    for form in (conflict_form, affiliation_form):
        form.judge.choices = [SelectChoice(j.id, j.name) for j in judges]
        form.organisation.choices = none + [SelectChoice(o.id, o.name) for o in orgs]
    conflict_form.entry.choices = none + [
        SelectChoice(e.id, _entry_label(e)) for e in assignment_service.submitted_entries(stage)
    ]
    return judges, conflict_form, affiliation_form


def _conflicts_page(stage, status=200, conflict_form=None, affiliation_form=None):
    judges, conflict_form, affiliation_form = _conflict_forms(
        stage, conflict_form, affiliation_form
    )
    return render_template(
        "judging/panels/conflicts.html",
        stage=stage,
        judges=judges,
        conflicts=conflict_service.list_conflicts(stage),
        conflict_form=conflict_form,
        affiliation_form=affiliation_form,
        action_form=ActionForm(),
    ), status


@panels_bp.route("/<int:stage_id>/conflicts", methods=["GET", "POST"])
def conflicts(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    if request.method == "GET":
        return _conflicts_page(stage)
    form = _conflict_forms(stage, conflict_form=ConflictForm())[1]
    if not form.validate_on_submit():
        return _conflicts_page(stage, 422, conflict_form=form)
    with writing(_("Conflict of interest recorded.")) as w:
        conflict_service.declare_conflict(
            judge=db.session.get(User, form.judge.data),
            entry=_chosen(Entry, form.entry.data),
            organisation=_chosen(Organisation, form.organisation.data),
            reason=form.reason.data or "",
            actor=current_user,
        )
    if w.failed:
        return _conflicts_page(stage, w.status, conflict_form=form)
    return redirect(url_for("panels.conflicts", stage_id=stage.id))


@panels_bp.route("/<int:stage_id>/conflicts/affiliation", methods=["POST"])
def affiliation(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = _conflict_forms(stage, affiliation_form=AffiliationForm())[2]
    if not form.validate_on_submit():
        return _conflicts_page(stage, 422, affiliation_form=form)
    with writing(_("Affiliation saved.")) as w:
        conflict_service.set_affiliation(
            judge=db.session.get(User, form.judge.data),
            organisation=_chosen(Organisation, form.organisation.data),
            actor=current_user,
        )
    if w.failed:
        return _conflicts_page(stage, w.status, affiliation_form=form)
    return redirect(url_for("panels.conflicts", stage_id=stage.id))


@panels_bp.route("/<int:stage_id>/conflicts/<int:conflict_id>/delete", methods=["POST"])
def conflict_delete(stage_id: int, conflict_id: int):
    conflict = db.get_or_404(Conflict, conflict_id)
    if ActionForm().validate_on_submit():
        with writing(_("Conflict removed.")):
            conflict_service.remove_conflict(conflict=conflict, actor=current_user)
    return redirect(url_for("panels.conflicts", stage_id=stage_id))


ASSIGNMENT_ROWS = 100  # entries per page on the assignments page


def _assignment_page(stage, status=200, auto_form=None, manual_form=None, withdraw_form=None):
    short_only = request.args.get("short") == "1"
    listing = assignment_service.assignment_page(
        stage,
        page=request.args.get("page", 1, type=int),
        per_page=ASSIGNMENT_ROWS,
        short_only=short_only,
    )
    judges = assignment_service.stage_judges(stage)
    manual_form = manual_form or ManualAssignForm(formdata=None)
    # The entries of the page: a national round's thousands would make the page megabytes.
    manual_form.entry.choices = [SelectChoice(e.id, _entry_label(e)) for e in listing.entries]
    manual_form.judge.choices = [SelectChoice(j.id, j.name) for j in judges]
    withdraw_form = withdraw_form or WithdrawForm(formdata=None)
    withdraw_form.judge.choices = manual_form.judge.choices
    return render_template(
        "judging/panels/assignments.html",
        stage=stage,
        listing=listing,
        judges=judges,
        short_only=short_only,
        auto_form=auto_form
        or AutoAssignForm(formdata=None, judges_per_entry=stage.judges_per_entry),
        manual_form=manual_form,
        withdraw_form=withdraw_form,
        action_form=ActionForm(),
        blind_form=BlindReviewForm(formdata=None, blind_review=stage.blind_review),
        withdrawals=assignment_service.list_withdrawals(stage),
    ), status


@panels_bp.route("/<int:stage_id>/assignments")
def assignments(stage_id: int):
    return _assignment_page(db.get_or_404(Stage, stage_id))


@panels_bp.route("/<int:stage_id>/assignments/preview")
def assign_preview(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = AutoAssignForm(request.args)
    if not form.validate():
        return _assignment_page(stage, 422, auto_form=form)
    plan = assignment_service.plan_auto_assign(stage, form.judges_per_entry.data)
    confirm = ConfirmAssignForm(formdata=None, judges_per_entry=plan.k, digest=plan.digest)
    return render_template(
        "judging/panels/assign_preview.html", stage=stage, plan=plan, confirm=confirm
    )


@panels_bp.route("/<int:stage_id>/assignments/auto", methods=["POST"])
def assign_auto(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ConfirmAssignForm()
    if not form.validate_on_submit():
        flash(_("Choose between 1 and 20 judges per entry."), "danger")
        return redirect(url_for("panels.assignments", stage_id=stage.id))
    with writing() as w:
        plan = assignment_service.auto_assign(
            stage=stage,
            judges_per_entry=form.judges_per_entry.data,
            digest=form.digest.data or None,
            actor=current_user,
        )
        # two counts in one sentence: each part agrees with its own count
        added = ngettext("%(num)d assignment added", "%(num)d assignments added", len(plan.add))
        removed = ngettext("%(num)d removed", "%(num)d removed", len(plan.drop))
        w.success = _("%(added)s, %(removed)s.", added=added, removed=removed)
    if w.failed:
        return redirect(
            url_for(
                "panels.assign_preview",
                stage_id=stage.id,
                judges_per_entry=form.judges_per_entry.data,
            )
        )
    return redirect(url_for("panels.assignments", stage_id=stage.id))


@panels_bp.route("/<int:stage_id>/assignments/withdraw", methods=["POST"])
def withdraw(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = WithdrawForm()
    form.judge.choices = [SelectChoice(j.id, "") for j in assignment_service.stage_judges(stage)]
    if not form.validate_on_submit():
        return _assignment_page(stage, 422, withdraw_form=form)
    with writing() as w:
        moved, kept = assignment_service.withdraw_judge(
            stage=stage,
            judge=db.session.get(User, form.judge.data),
            reason=form.reason.data or "",
            actor=current_user,
        )
        w.success = _(
            "The judge has withdrawn: %(moved)d entries given to other judges, %(kept)d scored "
            "sheets kept.",
            moved=moved,
            kept=kept,
        )
    if w.failed:
        return _assignment_page(stage, w.status, withdraw_form=form)
    return redirect(url_for("panels.assignments", stage_id=stage.id))


@panels_bp.route("/<int:stage_id>/assignments/manual", methods=["POST"])
def assign_manual(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = ManualAssignForm()
    form.entry.choices = [
        SelectChoice(e.id, "") for e in assignment_service.submitted_entries(stage)
    ]
    form.judge.choices = [SelectChoice(j.id, "") for j in assignment_service.list_judges()]
    if not form.validate_on_submit():
        return _assignment_page(stage, 422, manual_form=form)
    with writing(_("Judge assigned.")) as w:
        assignment_service.assign(
            stage=stage,
            entry=db.session.get(Entry, form.entry.data),
            judge=db.session.get(User, form.judge.data),
            actor=current_user,
        )
    if w.failed:
        return _assignment_page(stage, w.status, manual_form=form)
    return redirect(url_for("panels.assignments", stage_id=stage.id))


@panels_bp.route("/<int:stage_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
def assignment_delete(stage_id: int, assignment_id: int):
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.stage_id == stage_id and ActionForm().validate_on_submit():
        with writing(_("Assignment removed.")):
            assignment_service.unassign(assignment=assignment, actor=current_user)
    return redirect(url_for("panels.assignments", stage_id=stage_id))
