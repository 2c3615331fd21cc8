"""The committee's review of a round's entries (blueprint ``review``, under ``/committee``):
administrative screening, advancement between scored stages, the dashboard with its CSV and
XLSX exports, and official announcements with their public objections. Rounds, stages and
entries themselves are set up in ``competition.committee``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from competition import (
    advancement,
    announcements,
    attachments,
    charts,
    dashboard,
    entries,
    exports,
    notifications,
    screening,
)
from competition.db import db, utcnow
from competition.errors import JuriError
from competition.forms import (
    STAGE_KIND_LABELS,
    ActionForm,
    AdvanceForm,
    AnnounceForm,
    EntryFilterForm,
    ObjectionDecisionForm,
    ReasonForm,
    ScreeningForm,
)
from competition.models import Announcement, Entry, Objection, Role, Round, Stage
from competition.permissions import require_role

bp = Blueprint("review", __name__, url_prefix="/committee")
require_role(bp, Role.COMMITTEE)


# ------------------------------------------------------------------ screening


@bp.route("/rounds/<int:round_id>/screening")
def screening_list(round_id: int):
    """Every submitted entry with its checklist flags and decision."""
    round_ = db.get_or_404(Round, round_id)
    form = ReasonForm(prefix="clean")
    form.reason.data = _("All administrative requirements are met.")
    return render_template("committee/screening.html", round=round_,
                           checklists=screening.checklists(round_),
                           progress=screening.progress(round_), clean_form=form)


@bp.route("/rounds/<int:round_id>/screening/accept-clean", methods=["POST"])
def screening_accept_clean(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = ReasonForm(prefix="clean")
    if form.validate_on_submit():
        n = screening.accept_clean(round_=round_, reason=form.reason.data, actor=current_user,
                                   now=utcnow())
        db.session.commit()
        flash(_("%(n)d entries without any flag declared eligible.", n=n), "success")
    else:
        flash(_("Give the reason for the decision; the OPD reads it."), "danger")
    return redirect(url_for("review.screening_list", round_id=round_.id))


@bp.route("/entries/<int:entry_id>/screening", methods=["GET", "POST"])
def screening_entry(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    form = ScreeningForm()
    if request.method == "GET" and entry.screening_reason:
        form.decision.data, form.reason.data = entry.screening.value, entry.screening_reason
    if form.validate_on_submit():
        try:
            screening.decide(entry=entry, eligible=form.decision.data == "eligible",
                             reason=form.reason.data, actor=current_user, now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Screening decision recorded."), "success")
            return redirect(url_for("review.screening_list", round_id=entry.round_id))
    return render_template("committee/screening_entry.html", entry=entry, form=form,
                           checklist=screening.checklist_of(entry)), 422 if form.errors else 200


# ------------------------------------------------------------------ advancement


def _advance_params(form: AdvanceForm) -> dict:
    if form.mode.data == "threshold" and form.threshold.data is not None:
        return {"threshold": float(form.threshold.data)}
    return {"top_n": form.top_n.data or 5}


@bp.route("/timeline/<int:stage_id>/advance", methods=["GET", "POST"])
def stage_advance(stage_id: int):
    """Preview who advances from a scored stage into the next one, override single entries
    with a reason, and confirm."""
    stage = db.get_or_404(Stage, stage_id)
    to_stage = advancement.next_scored_stage(stage)
    form = AdvanceForm(request.args, meta={"csrf": False}) if request.method == "GET" \
        else AdvanceForm(meta={"csrf": False})
    form.validate()
    params = _advance_params(form)
    confirmed = to_stage is not None and advancement.is_confirmed(to_stage)
    candidates = advancement.propose(stage=stage, **params) if stage.is_scored else []
    advance = {c.entry.id for c in candidates if c.proposed}
    reasons: dict[int, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and ActionForm().validate_on_submit():
        advance = {int(i) for i in request.form.getlist("advance") if i.isdigit()}
        reasons = {c.entry.id: request.form.get(f"reason_{c.entry.id}", "") for c in candidates}
        try:
            n = advancement.confirm(stage=stage, candidates=candidates, advance=advance,
                                    reasons=reasons, actor=current_user, now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            errors = {name: _("Give a reason.") for name in getattr(exc, "missing", [])}
            status = exc.status
        else:
            db.session.commit()
            flash(_("%(n)d entries advance to %(stage)s.", n=n, stage=to_stage.name), "success")
            return redirect(url_for("review.stage_advance", stage_id=stage.id))
    return render_template(
        "committee/advance.html", stage=stage, to_stage=to_stage, form=form,
        candidates=candidates, advance=advance, reasons=reasons, errors=errors,
        spread=advancement.spread(candidates, advance),
        confirmed=advancement.advanced_ids(to_stage) if confirmed else None,
        action_form=ActionForm(), params=params), status


# ------------------------------------------------------------------ dashboard and export


def _filtered(round_: Round) -> tuple[EntryFilterForm, list[Entry]]:
    form = EntryFilterForm(request.args)
    form.category.choices = [SelectChoice("", _("all"))] + [
        SelectChoice(str(c.id), c.name) for c in round_.categories]
    form.validate()
    category = form.category.data or ""
    found = dashboard.filter_entries(
        round_, q=form.q.data or "", category_id=int(category) if category.isdigit() else None,
        state=form.state.data or "", group=form.group.data or "")
    return form, found


@bp.route("/rounds/<int:round_id>/dashboard")
def round_dashboard(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form, found = _filtered(round_)
    overview = dashboard.overview(round_, utcnow())
    bars = charts.progress_bars(dashboard.stage_bars(round_, overview.totals),
                                title=_("Progress per stage"))
    return render_template("committee/dashboard.html", round=round_, form=form, entries=found,
                           overview=overview, stage_bars=bars,
                           progress=screening.progress(round_), states=dashboard.STATES,
                           state_of=dashboard.state_of, kind_labels=STAGE_KIND_LABELS,
                           export_args=request.args.to_dict(), action_form=ActionForm(),
                           can_remind=utcnow() <= round_.submission_closes_at)


@bp.route("/rounds/<int:round_id>/remind-drafts", methods=["POST"])
def remind_drafts(round_id: int):
    """Remind the OPDs whose proposals are still drafts (outbox, emailed when configured)."""
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        try:
            notes = notifications.remind_drafts(round_=round_, actor=current_user,
                                                now=utcnow())
        except JuriError as exc:
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("%(n)d OPD accounts reminded to submit their drafts.", n=len(notes)),
                  "success")
    return redirect(url_for("review.round_dashboard", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/entries.csv", defaults={"fmt": "csv"})
@bp.route("/rounds/<int:round_id>/entries.xlsx", defaults={"fmt": "xlsx"})
def entries_export(round_id: int, fmt: str):
    """The (filtered) entry list as CSV or XLSX."""
    round_ = db.get_or_404(Round, round_id)
    _form, found = _filtered(round_)
    return exports.download(dashboard.export_rows(found), fmt, f"{round_.slug}-entries",
                            title=round_.name, widths=dashboard.EXPORT_WIDTHS)


# ------------------------------------------------------------------ announcements


@bp.route("/timeline/<int:stage_id>/announce", methods=["GET", "POST"])
def stage_announce(stage_id: int):
    """Issue a numbered announcement of the stage's result, optionally with an objection
    period."""
    stage = db.get_or_404(Stage, stage_id)
    form = AnnounceForm()
    if request.method == "GET":
        form.title.data = _("Result of %(stage)s, %(round)s", stage=stage.name,
                            round=stage.round.name)
    if form.validate_on_submit():
        try:
            announcement = announcements.issue_announcement(
                stage=stage, title=form.title.data, objection_days=form.objection_days.data,
                actor=current_user, now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Announcement issued."), "success")
            return redirect(url_for("review.announcement", announcement_id=announcement.id))
    return render_template("committee/announce.html", stage=stage, form=form), \
        422 if form.errors else 200


def _announcement_page(announcement: Announcement, status=200, **forms):
    return render_template(
        "committee/announcement.html", announcement=announcement,
        entries=announcements.listed_entries(announcement), action_form=ActionForm(),
        decision_forms=forms.get("decision_forms", {}), now=utcnow(),
        new_decision_form=lambda o: ObjectionDecisionForm(prefix=f"o{o.id}")), status


@bp.route("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    return _announcement_page(db.get_or_404(Announcement, announcement_id))


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
def objection_decide(objection_id: int):
    objection = db.get_or_404(Objection, objection_id)
    form = ObjectionDecisionForm(prefix=f"o{objection.id}")
    if form.validate_on_submit():
        try:
            announcements.decide_objection(objection=objection,
                                           upheld=form.decision.data == "upheld",
                                           reason=form.reason.data, actor=current_user,
                                           now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
            return redirect(url_for("review.announcement", announcement_id=objection.announcement_id))
    return _announcement_page(objection.announcement, 422,
                              decision_forms={objection.id: form})


@bp.route("/announcements/<int:announcement_id>/finalize", methods=["POST"])
def announcement_finalize(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    if ActionForm().validate_on_submit():
        try:
            announcements.finalize(announcement=announcement, actor=current_user, now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("The list is final."), "success")
    return redirect(url_for("review.announcement", announcement_id=announcement.id))


@bp.route("/objections/<int:objection_id>/evidence")
def objection_evidence(objection_id: int):
    """The evidence file of an objection (the committee only)."""
    objection = db.get_or_404(Objection, objection_id)
    if not objection.evidence_stored_name:
        abort(404)
    return attachments.send_stored(objection.evidence_stored_name,
                                   objection.evidence_content_type, objection.evidence_name)
