"""The judge's pages: the worklist, a score sheet and recusal, a panel's sheets (blueprint
``judge``) and the attachments of the entries they judge (``judge_files``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from competition.db import db, utcnow
from competition.entries import attachments
from competition.entries.models import Attachment
from competition.errors import ConcurrentChange, IncompleteError
from competition.permissions import require_role
from competition.roles import Role
from competition.web import writing
from judging.panels import conflicts as conflict_service
from judging.panels import services as panel_service
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring import workspace
from judging.scoring.blind import anonymised_titles, titles_blacked_out
from judging.scoring.forms import RecuseForm, sheet_form_class
from judging.scoring.models import Criterion
from judging.scoring.permissions import can_see_identity, can_view_attachment_as_judge
from judging.scoring.worklist_rows import worklist_rows

judge_bp = Blueprint("judge", __name__, url_prefix="/judge")


require_role(judge_bp, Role.JUDGE)


@judge_bp.route("/", endpoint="index")
def judge_index():
    now = utcnow()
    work = workspace.list_worklist(current_user, now)
    return render_template(
        "judging/scoring/judge_index.html",
        work=work,
        rows=worklist_rows(
            work.items,
            blind=titles_blacked_out(a.entry_id for a in work.items if a.is_blind),
            # "/judge/assignments/" once; each row appends its id (url_for per row is dear)
            sheet_url=url_for("judge.sheet", assignment_id=0).removesuffix("0"),
        ),
        now=now,
        panels=panel_service.list_chaired_panels(current_user),
    )


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


def _sheet_page(assignment, criteria, form, status=200, recuse_form=None, stored=None, blind=None):
    """The score sheet page; ``blind``: whether the judge sees the entry blind, when already
    known (None: the template asks ``can.see_identity``). The box confirming low scores shows
    once a submission looked typed on a 1-10 scale, and stays while ticked."""
    return render_template(
        "judging/scoring/sheet.html",
        assignment=assignment,
        entry=assignment.entry,
        criteria=criteria,
        form=form,
        now=utcnow(),
        stored=stored,
        recuse_form=recuse_form or RecuseForm(formdata=None),
        entry_blind=blind,
        reopen_note=sheet_service.reopen_note(assignment.sheet),
        ask_low=bool(form.confirm_low.data or form.confirm_low.errors),
    ), status


STALE_SHEET = _l(
    "This score sheet was changed elsewhere while you were editing it; nothing was saved. "
    "Check the values below and save again."
)


def _stale_sheet_page(assignment, criteria, form):
    """409: the sheet changed since this form was shown (another tab, a concurrent save, the
    committee reopening it). Nothing is saved; the page shows what is stored now beside the
    typed values, and carries the stored version so saving again is a deliberate overwrite."""
    stored = assignment.sheet
    form.version.data = str(stored.version_id) if stored else ""
    flash(str(STALE_SHEET), "danger")
    return _sheet_page(assignment, criteria, form, 409, stored=stored)


@judge_bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def sheet(assignment_id: int):
    # A save needs no entry unless the form comes back with an error (then it loads lazily).
    blind = None  # the page asks can.see_identity when the statement did not say
    if request.method == "GET":
        assignment, blind = sheet_service.get_assignment_to_score(current_user, assignment_id)
    else:
        assignment = sheet_service.get_assignment_for(current_user, assignment_id, with_entry=False)
    criteria = rubric_service.list_criteria(assignment.stage)
    form = _sheet_form(assignment, criteria)
    if not form.validate_on_submit():
        return _sheet_page(assignment, criteria, form, 422 if form.errors else 200, blind=blind)
    inputs = {
        c.id: sheet_service.CriterionInput(
            getattr(form, f"score_{c.id}").data, getattr(form, f"comment_{c.id}").data or ""
        )
        for c in criteria
    }
    shown = assignment.sheet.version_id if assignment.sheet else None
    if "version" in request.form and form.version.data != ("" if shown is None else str(shown)):
        return _stale_sheet_page(assignment, criteria, form)
    # The version column (``stale``) or the one-sheet-per-assignment constraint (``conflict``)
    # catches a concurrent save: nothing is overwritten, the typed values stay. An incomplete
    # submission keeps the draft it saved (``keep``): only the submission is refused.
    done = _("Scores submitted. Thank you.") if form.send.data else _("Draft saved.")
    keep = (IncompleteError, sheet_service.LooksLikeATenth)
    with writing(done, flash_error=False, conflict=STALE_SHEET, stale=STALE_SHEET, keep=keep) as w:
        sheet_service.save_sheet(
            assignment=assignment,
            inputs=inputs,
            submit=bool(form.send.data),
            actor=current_user,
            now=utcnow(),
            criteria=criteria,  # read once per request, not again in the service
            confirmed_low=bool(form.confirm_low.data),
        )
        db.session.flush()
    if isinstance(w.error, ConcurrentChange):
        return _stale_sheet_page(assignment, criteria, form)
    if isinstance(w.error, sheet_service.LooksLikeATenth):
        form.version.data = str(assignment.sheet.version_id)
        form.confirm_low.errors = [_("Tick this box only if the scores are right as typed.")]
    if isinstance(w.error, IncompleteError):
        form.version.data = str(assignment.sheet.version_id)
        for name in w.error.missing:
            getattr(form, name).errors.append(
                _("Score this criterion before submitting.")
                if name.startswith("score_")
                else _("A comment is required for this criterion.")
            )
    if w.failed:
        flash(str(w.error.message), "danger")
        return _sheet_page(assignment, criteria, form, w.status)
    if form.send.data:
        return redirect(url_for("judge.index"))
    # assignment_id, not assignment.id: the commit expired the assignment, and reading its id
    # would reload it with everything get_assignment_for joined (four queries for a redirect).
    return redirect(url_for("judge.sheet", assignment_id=assignment_id))


@judge_bp.route("/assignments/<int:assignment_id>/recuse", methods=["POST"])
def recuse(assignment_id: int):
    assignment = sheet_service.get_assignment_for(current_user, assignment_id)
    criteria = rubric_service.list_criteria(assignment.stage)
    form = RecuseForm()
    status = 422
    if form.validate_on_submit():
        recused = _(
            "You have recused yourself; the committee will give this entry to another judge."
        )
        with writing(recused) as w:
            conflict_service.recuse(
                assignment=assignment, reason=form.reason.data, actor=current_user
            )
        if not w.failed:
            return redirect(url_for("judge.index"))
        status = w.status
    return _sheet_page(
        assignment, criteria, _sheet_form(assignment, criteria, False), status, recuse_form=form
    )


@judge_bp.route("/panels/<int:panel_id>")
def panel(panel_id: int):
    panel = panel_service.get_chaired_panel(current_user, panel_id)
    assignments = panel_service.list_panel_assignments(panel)
    return render_template(
        "judging/panels/panel_chair.html",
        panel=panel,
        stage=panel.stage,
        assignments=assignments,
        blind=anonymised_titles(a.entry_id for a in assignments),
    )


@judge_bp.route("/panels/<int:panel_id>/sheets/<int:sheet_id>")
def panel_sheet(panel_id: int, sheet_id: int):
    panel = panel_service.get_chaired_panel(current_user, panel_id)
    sheet = sheet_service.get_panel_sheet(current_user, panel, sheet_id)
    return render_template(
        "judging/panels/panel_sheet.html",
        panel=panel,
        stage=panel.stage,
        sheet=sheet,
        assignment=sheet.assignment,
    )


judge_files_bp = Blueprint("judge_files", __name__, url_prefix="/judge/files")


require_role(judge_files_bp, Role.JUDGE)


@judge_files_bp.route("/<int:attachment_id>", endpoint="attachment")
def attachment(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_view_attachment_as_judge(current_user, attachment):
        abort(404)
    blind = not can_see_identity(current_user, attachment.entry)
    return attachments.send_attachment(attachment, blind=blind)
