"""The committee's (panitia) pages for rounds, categories and stages (blueprint ``committee``).
Scoring, assignment and ranking pages live in ``judging.views``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from competition import advancement, attachments, dashboard, entries, rounds, screening
from competition.db import db, utcnow
from competition.errors import JuriError
from competition.forms import (
    STAGE_KIND_LABELS,
    ActionForm,
    AdvanceForm,
    CategoryForm,
    CapsForm,
    CopyRoundForm,
    EntryFilterForm,
    ReasonForm,
    RoundForm,
    ScreeningForm,
    StageEditForm,
    StageForm,
    to_local,
    to_utc,
)
from competition.models import Entry, Role, Round, Stage, StageKind
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
            if form.use_template.data:
                rounds.apply_stage_template(round_=round_, actor=current_user)
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
    forms.setdefault("caps_form", CapsForm(prefix="caps", obj=round_))
    return render_template(
        "committee/round_detail.html", round=round_, action_form=ActionForm(),
        entries=entries.list_round_entries(round_), kind_labels=STAGE_KIND_LABELS,
        kinds=StageKind, **forms,
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
                winners_per_category=form.winners_per_category.data,
                kind=StageKind(form.kind.data), actor=current_user,
            )
        except JuriError as exc:
            form.closes_at.errors.append(str(exc.message))
        else:
            db.session.commit()
            if not stage.is_scored:
                flash(_("Stage added."), "success")
                return redirect(url_for(".round_detail", round_id=round_.id))
            flash(_("Stage added. Now define its rubric."), "success")
            return redirect(url_for("scoring.rubric", stage_id=stage.id))
    return _round_page(round_, 422, stage_form=form)


@bp.route("/rounds/<int:round_id>/caps", methods=["POST"])
def round_caps(round_id: int):
    """The most entries per organisation and group."""
    round_ = db.get_or_404(Round, round_id)
    form = CapsForm(prefix="caps")
    if form.validate_on_submit():
        rounds.set_caps(round_=round_, actor=current_user, caps={
            "umum": form.cap_umum.data, "replikasi": form.cap_replikasi.data,
            "khusus": form.cap_khusus.data})
        db.session.commit()
        flash(_("Caps saved."), "success")
        return redirect(url_for(".round_detail", round_id=round_.id))
    return _round_page(round_, 422, caps_form=form)


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


@bp.route("/timeline/<int:stage_id>", methods=["GET", "POST"])
def stage_edit(stage_id: int):
    """Rename a stage, move its window, or skip it."""
    stage = db.get_or_404(Stage, stage_id)
    form = StageEditForm(obj=stage)
    if request.method == "GET":
        form.opens_at.data = to_local(stage.opens_at)
        form.closes_at.data = to_local(stage.closes_at)
    if form.validate_on_submit():
        try:
            rounds.update_stage(stage=stage, name=form.name.data,
                                opens_at=to_utc(form.opens_at.data),
                                closes_at=to_utc(form.closes_at.data),
                                is_skipped=form.is_skipped.data, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            form.closes_at.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Stage saved."), "success")
            return redirect(url_for(".round_detail", round_id=stage.round_id))
    return render_template("committee/stage_edit.html", stage=stage, form=form,
                           kind_labels=STAGE_KIND_LABELS), 422 if form.errors else 200


@bp.route("/rounds/<int:round_id>/copy", methods=["GET", "POST"])
def round_copy(round_id: int):
    """Copy a round (stages, categories, rubrics) into next year's round."""
    source = db.get_or_404(Round, round_id)
    form = CopyRoundForm()
    if request.method == "GET":
        form.name.data = rounds.next_year_name(source.name)
        opens = to_local(source.submission_opens_at)
        form.submission_opens_at.data = opens.replace(year=opens.year + 1)
    if form.validate_on_submit():
        try:
            round_ = rounds.copy_round(source=source, name=form.name.data,
                                       submission_opens_at=to_utc(form.submission_opens_at.data),
                                       actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Round copied. Check the dates, then open submissions."), "success")
            return redirect(url_for(".round_detail", round_id=round_.id))
    return render_template("committee/round_copy.html", source=source, form=form), \
        422 if form.errors else 200


def _entry_page(entry: Entry, status=200, **forms):
    forms.setdefault("reopen_form", ReasonForm(prefix="reopen"))
    return render_template("competition/entry_detail.html", entry=entry, certificates=[],
                           progress=entries.progress_of(entry, utcnow()), **forms), status


@bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    return _entry_page(entries.get_entry_for(current_user, entry_id))


@bp.route("/entries/<int:entry_id>/reopen", methods=["POST"])
def entry_reopen(entry_id: int):
    """Give one submitted entry back to its OPD, with a recorded reason."""
    entry = entries.get_entry_for(current_user, entry_id)
    form = ReasonForm(prefix="reopen")
    if form.validate_on_submit():
        try:
            entries.reopen_entry(entry=entry, reason=form.reason.data, actor=current_user,
                                 now=utcnow())
        except JuriError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("The entry has been reopened; its OPD can edit and submit it again."),
                  "success")
            return redirect(url_for(".entry_detail", entry_id=entry.id))
    return _entry_page(entry, 422, reopen_form=form)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))


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
    return redirect(url_for(".screening_list", round_id=round_.id))


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
            return redirect(url_for(".screening_list", round_id=entry.round_id))
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
            return redirect(url_for(".stage_advance", stage_id=stage.id))
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
    return render_template("committee/dashboard.html", round=round_, form=form, entries=found,
                           overview=dashboard.overview(round_, utcnow()),
                           progress=screening.progress(round_), states=dashboard.STATES,
                           state_of=dashboard.state_of, kind_labels=STAGE_KIND_LABELS,
                           export_args=request.args.to_dict())


@bp.route("/rounds/<int:round_id>/entries.csv", defaults={"fmt": "csv"})
@bp.route("/rounds/<int:round_id>/entries.xlsx", defaults={"fmt": "xlsx"})
def entries_export(round_id: int, fmt: str):
    """The (filtered) entry list as CSV or XLSX."""
    round_ = db.get_or_404(Round, round_id)
    _form, found = _filtered(round_)
    rows = dashboard.export_rows(found)
    name = f"{round_.slug}-entries.{fmt}"
    if fmt == "csv":
        body, mimetype = dashboard.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = dashboard.to_xlsx(rows, round_.name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return body, 200, {"Content-Type": mimetype,
                       "Content-Disposition": f'attachment; filename="{name}"'}
