"""The committee's pages for rounds, categories and stages (blueprint ``committee``). They live
with the entries, not in ``competition.rounds``, because the round page lists the round's
entries (a page that needs both lives in the higher feature, as the round dashboard, which
counts score sheets, lives in ``judging.analysis``); the forms and services they call are the
rounds feature's."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from competition.db import db
from competition.entries import lists as entry_lists
from competition.forms import ActionForm, to_local, to_utc
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds import services as rounds
from competition.rounds.forms import (
    STAGE_KIND_LABELS,
    CapsForm,
    CategoryForm,
    CustomSectionForm,
    EligibilityForm,
    InvitationsForm,
    RoundForm,
    StageEditForm,
    StageForm,
    sections_form_class,
)
from competition.rounds.models import Round, Stage, StageKind
from competition.web import requested_page, writing

committee_bp = Blueprint("committee", __name__, url_prefix="/committee")


require_role(committee_bp, Role.COMMITTEE)


@committee_bp.route("/", endpoint="rounds")
def rounds_list():
    return render_template("competition/entries/rounds.html", rounds=rounds.list_rounds())


@committee_bp.route("/rounds/new", methods=["GET", "POST"])
def round_new():
    form = RoundForm()
    if form.validate_on_submit():
        created = _("Round created. Add categories and a scored stage, then open it.")
        with writing(created, form=form, field=form.submission_closes_at) as w:
            round_ = rounds.create_round(
                name=form.name.data,
                description=form.description.data or "",
                submission_opens_at=to_utc(form.submission_opens_at.data),
                submission_closes_at=to_utc(form.submission_closes_at.data),
                actor=current_user,
            )
            if form.use_template.data:
                rounds.apply_stage_template(round_=round_, actor=current_user)
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=round_.id))
    status = 422 if form.errors else 200
    return render_template("competition/entries/round_new.html", form=form), status


ENTRY_ROWS = 100  # entries per page of the round page (the dashboard filters and exports all)


def _round_page(round_: Round, status=200, **forms):
    forms.setdefault("category_form", CategoryForm(prefix="cat"))
    forms.setdefault("stage_form", StageForm(prefix="stage"))
    forms.setdefault("caps_form", CapsForm(prefix="caps", obj=round_))
    if "limits_form" not in forms:
        forms["limits_form"] = _sections_form(round_, data=_sections_data(round_))
    forms.setdefault("custom_section_form", CustomSectionForm(prefix="section"))
    limits_form = forms["limits_form"]
    section_rows = [
        (s, on, limits_form[s.name], limits_form[f"label_{s.name}"], limits_form[f"off_{s.name}"])
        for s, on in round_.configured_sections()
    ]
    # the two forms offer the same organisations: loaded once (or taken from the posted one)
    posted = forms.get("invitations_form") or forms.get("eligibility_form")
    choices = posted.organisations.choices if posted is not None else None
    if "eligibility_form" not in forms:
        forms["eligibility_form"] = _eligibility_form(round_, choices, formdata=None)
        choices = forms["eligibility_form"].organisations.choices
    if "invitations_form" not in forms:
        forms["invitations_form"] = _invitations_form(round_, choices, formdata=None)
    page, per_page = requested_page(ENTRY_ROWS)
    listed, entry_page = entry_lists.list_round_entries(round_, page=page, per_page=per_page)
    return render_template(
        "competition/entries/round_detail.html",
        round=round_,
        action_form=ActionForm(),
        entries=listed,
        entry_page=entry_page,
        kind_labels=STAGE_KIND_LABELS,
        announcements=round_.announcements,  # declared by competition.announcements
        kinds=StageKind,
        section_rows=section_rows,
        **forms,
    ), status


@committee_bp.route("/rounds/<int:round_id>")
def round_detail(round_id: int):
    return _round_page(db.get_or_404(Round, round_id))


@committee_bp.route("/rounds/<int:round_id>/categories", methods=["POST"])
def category_add(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = CategoryForm(prefix="cat")
    if form.validate_on_submit():
        with writing(_("Category added."), form=form, field=form.name) as w:
            rounds.add_category(
                round_=round_,
                name=form.name.data,
                description=form.description.data or "",
                actor=current_user,
            )
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=round_.id))
    return _round_page(round_, 422, category_form=form)


@committee_bp.route("/rounds/<int:round_id>/stages", methods=["POST"])
def stage_add(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = StageForm(prefix="stage")
    if form.validate_on_submit():
        with writing(form=form, field=form.closes_at) as w:
            stage = rounds.add_stage(
                round_=round_,
                name=form.name.data,
                opens_at=to_utc(form.opens_at.data),
                closes_at=to_utc(form.closes_at.data),
                scale_min=form.scale_min.data,
                scale_max=form.scale_max.data,
                winners_per_category=form.winners_per_category.data,
                kind=StageKind(form.kind.data),
                actor=current_user,
            )
            w.success = (
                _("Stage added. Now define its rubric.") if stage.is_scored else _("Stage added.")
            )
        if not w.failed:
            if not stage.is_scored:
                return redirect(url_for("committee.round_detail", round_id=round_.id))
            return redirect(url_for("scoring.rubric", stage_id=stage.id))
    return _round_page(round_, 422, stage_form=form)


@committee_bp.route("/rounds/<int:round_id>/caps", methods=["POST"])
def round_caps(round_id: int):
    """The most entries per organisation and group."""
    round_ = db.get_or_404(Round, round_id)
    form = CapsForm(prefix="caps")
    if form.validate_on_submit():
        with writing(_("Caps saved.")):
            rounds.set_caps(
                round_=round_,
                actor=current_user,
                caps={
                    "umum": form.cap_umum.data,
                    "replikasi": form.cap_replikasi.data,
                    "khusus": form.cap_khusus.data,
                },
            )
        return redirect(url_for("committee.round_detail", round_id=round_.id))
    return _round_page(round_, 422, caps_form=form)


def _sections_form(round_: Round, **kwargs):
    return sections_form_class(round_.configured_sections())(prefix="words", **kwargs)


def _sections_data(round_: Round) -> dict:
    labels = (round_.section_settings or {}).get("labels") or {}
    data = dict(round_.section_limits)
    for section, on in round_.configured_sections():
        data[f"label_{section.name}"] = labels.get(section.name, "")
        data[f"off_{section.name}"] = not on
    return data


@committee_bp.route("/rounds/<int:round_id>/word-limits", methods=["POST"])
def round_word_limits(round_id: int):
    """The proposal sections of this round: word limits, labels, switched off or on."""
    round_ = db.get_or_404(Round, round_id)
    form = _sections_form(round_)
    if form.validate_on_submit():
        names = [s.name for s, _on in round_.configured_sections()]
        with writing(_("Proposal sections saved.")) as w:
            rounds.set_sections(
                round_=round_,
                actor=current_user,
                limits={n: form[n].data for n in names},
                labels={n: form[f"label_{n}"].data or "" for n in names},
                off={n for n in names if form[f"off_{n}"].data},
            )
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=round_.id))
        form.submit.errors = [str(w.error.message)]
    return _round_page(round_, 422, limits_form=form)


@committee_bp.route("/rounds/<int:round_id>/sections", methods=["POST"])
def round_section_add(round_id: int):
    """The committee adds its own section to the round's proposal."""
    round_ = db.get_or_404(Round, round_id)
    form = CustomSectionForm(prefix="section")
    if form.validate_on_submit():
        with writing(_("Section added to the proposal."), form=form, field=form.label) as w:
            rounds.add_custom_section(
                round_=round_,
                label=form.label.data,
                words=form.words.data,
                groups=form.groups.data,
                help=form.help.data or "",
                actor=current_user,
            )
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=round_.id))
    return _round_page(round_, 422, custom_section_form=form)


def _with_participants(form: InvitationsForm | EligibilityForm, choices: list | None = None):
    """``form`` offering the top-level organisations (agencies and independent OPDs) in its
    ``organisations`` choice: the invitations and who may enter pick from the same list
    (``choices``, when the other form has loaded it already)."""
    if choices is None:
        choices = [SelectChoice(o.id, o.name) for o in rounds.list_participants()]
    form.organisations.choices = choices
    return form


def _invitations_form(round_: Round, choices: list | None = None, **kwargs) -> InvitationsForm:
    """The invitations form; not posted (``formdata=None``), showing the saved invitations."""
    form = _with_participants(InvitationsForm(prefix="inv", **kwargs), choices)
    if kwargs.get("formdata", True) is None:
        form.organisations.data = list(round_.khusus_invited or [])
    return form


@committee_bp.route("/rounds/<int:round_id>/invitations", methods=["POST"])
def round_invitations(round_id: int):
    """Who may enter the special group (khusus) of this round."""
    round_ = db.get_or_404(Round, round_id)
    form = _invitations_form(round_)
    if form.validate_on_submit():
        with writing(_("Invitations saved.")):
            rounds.set_invitations(
                round_=round_, organisation_ids=form.organisations.data or [], actor=current_user
            )
        return redirect(url_for("committee.round_detail", round_id=round_.id))
    return _round_page(round_, 422, invitations_form=form)


def _eligibility_form(round_: Round, choices: list | None = None, **kwargs) -> EligibilityForm:
    """Who may enter; not posted (``formdata=None``), showing the round's saved rule."""
    form = _with_participants(EligibilityForm(prefix="elig", **kwargs), choices)
    if kwargs.get("formdata", True) is None:
        form.kinds.data = list(round_.eligible_kinds or [])
        form.organisations.data = list(round_.eligible_organisations or [])
    return form


@committee_bp.route("/rounds/<int:round_id>/eligibility", methods=["POST"])
def round_eligibility(round_id: int):
    """Who may enter this round (issue 16: a kelurahan-only round offered to a BPBD)."""
    round_ = db.get_or_404(Round, round_id)
    form = _eligibility_form(round_)
    if form.validate_on_submit():
        with writing(_("Saved who may enter this round.")):
            rounds.set_eligibility(
                round_=round_,
                kinds=form.kinds.data or [],
                organisation_ids=form.organisations.data or [],
                actor=current_user,
            )
        return redirect(url_for("committee.round_detail", round_id=round_.id))
    return _round_page(round_, 422, eligibility_form=form)


@committee_bp.route("/rounds/<int:round_id>/open", methods=["POST"])
def round_open(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        with writing(_("Submissions are open.")):
            rounds.open_round(round_=round_, actor=current_user)
    return redirect(url_for("committee.round_detail", round_id=round_.id))


@committee_bp.route("/timeline/<int:stage_id>", methods=["GET", "POST"])
def stage_edit(stage_id: int):
    """Rename a stage, move its window, or skip it."""
    stage = db.get_or_404(Stage, stage_id)
    form = StageEditForm(obj=stage)
    if request.method == "GET":
        form.opens_at.data = to_local(stage.opens_at)
        form.closes_at.data = to_local(stage.closes_at)
    if form.validate_on_submit():
        with writing(_("Stage saved."), form=form, field=form.closes_at) as w:
            rounds.update_stage(
                stage=stage,
                name=form.name.data,
                opens_at=to_utc(form.opens_at.data),
                closes_at=to_utc(form.closes_at.data),
                is_skipped=form.is_skipped.data,
                actor=current_user,
            )
        if not w.failed:
            return redirect(url_for("committee.round_detail", round_id=stage.round_id))
    return render_template(
        "competition/entries/stage_edit.html", stage=stage, form=form, kind_labels=STAGE_KIND_LABELS
    ), 422 if form.errors else 200
