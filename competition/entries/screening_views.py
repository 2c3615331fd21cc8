"""The committee's pages for submitted entries: one entry with its reopening and attachments
(blueprint ``committee_entries``); administrative screening, the attachments released for
blind review, the reminder about drafts and the entry list as CSV or XLSX (blueprint
``review``). The entry filter is shared with the round dashboard (``judging.analysis``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from competition import exports, pagination
from competition.db import db, utcnow
from competition.entries import attachments, dashboard, messages, screening
from competition.entries import services as entries
from competition.entries.forms import BlindReleaseForm, EntryFilterForm, ScreeningForm
from competition.entries.models import Entry
from competition.entries.views import entry_detail_page
from competition.forms import ActionForm, ReasonForm
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds.models import Round
from competition.web import requested_page, writing

committee_entries_bp = Blueprint("committee_entries", __name__, url_prefix="/committee")


require_role(committee_entries_bp, Role.COMMITTEE)


def _entry_page(entry: Entry, status=200, **forms):
    forms.setdefault("reopen_form", ReasonForm(prefix="reopen"))
    return entry_detail_page(entry, status, **forms)


@committee_entries_bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    return _entry_page(entries.get_entry_for(current_user, entry_id))


@committee_entries_bp.route("/entries/<int:entry_id>/reopen", methods=["POST"])
def entry_reopen(entry_id: int):
    """Give one submitted entry back to its OPD, with a recorded reason."""
    entry = entries.get_entry_for(current_user, entry_id)
    form = ReasonForm(prefix="reopen")
    if form.validate_on_submit():
        reopened = _("The proposal has been reopened; its OPD can edit and submit it again.")
        with writing(reopened, field=form.reason) as w:
            entries.reopen_entry(
                entry=entry, reason=form.reason.data, actor=current_user, now=utcnow()
            )
        if not w.failed:
            return redirect(url_for("committee_entries.entry_detail", entry_id=entry.id))
    return _entry_page(entry, 422, reopen_form=form)


@committee_entries_bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))


review_bp = Blueprint("review", __name__, url_prefix="/committee")


require_role(review_bp, Role.COMMITTEE)


@review_bp.route("/rounds/<int:round_id>/screening")
def screening_list(round_id: int):
    """Every submitted entry with its checklist flags and decision."""
    round_ = db.get_or_404(Round, round_id)
    form = ReasonForm(prefix="clean")
    # The OPDs read the reason on their entry page and in their mail, as the committee wrote
    # it: the suggestion is in Indonesian, whatever the committee member's language.
    with force_locale("id"):
        form.reason.data = _("All administrative requirements are met.")
    return render_template(
        "competition/entries/screening.html",
        round=round_,
        checklists=screening.checklists(round_),
        progress=screening.progress(round_),
        clean_form=form,
    )


@review_bp.route("/rounds/<int:round_id>/screening/accept-clean", methods=["POST"])
def screening_accept_clean(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    form = ReasonForm(prefix="clean")
    if form.validate_on_submit():
        with writing() as w:
            n = screening.accept_clean(
                round_=round_, reason=form.reason.data, actor=current_user, now=utcnow()
            )
            w.success = ngettext(
                "%(num)d entry without any flag declared eligible.",
                "%(num)d entries without any flag declared eligible.",
                n,
            )
    else:
        flash(_("Give the reason for the decision; the OPD reads it."), "danger")
    return redirect(url_for("review.screening_list", round_id=round_.id))


@review_bp.route("/entries/<int:entry_id>/screening", methods=["GET", "POST"])
def screening_entry(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    if not entry.is_submitted:  # withdrawn or reopened since the list was shown
        flash(_("Only submitted entries are screened."), "danger")
        return redirect(url_for("review.screening_list", round_id=entry.round_id))
    form = ScreeningForm()
    if request.method == "GET" and entry.screening_reason:
        form.decision.data, form.reason.data = entry.screening.value, entry.screening_reason
    if form.validate_on_submit():
        with writing(_("Screening decision recorded."), field=form.reason) as w:
            screening.decide(
                entry=entry,
                eligible=form.decision.data == "eligible",
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
        if not w.failed:
            return redirect(url_for("review.screening_list", round_id=entry.round_id))
    return render_template(
        "competition/entries/screening_entry.html",
        entry=entry,
        form=form,
        checklist=screening.checklist_of(entry),
        release_form=blind_release_form(entry, formdata=None),
    ), 422 if form.errors else 200


def blind_release_form(entry: Entry, **kw) -> BlindReleaseForm:
    form = BlindReleaseForm(prefix="blind", **kw)
    form.released.choices = [
        SelectChoice(a.id, f"{attachments.KIND_LABELS[a.kind]}: {a.original_name}")
        for a in entry.attachments
    ]
    if kw.get("formdata", True) is None:
        form.released.data = [a.id for a in entry.attachments if a.is_released_for_blind]
    return form


@review_bp.route("/entries/<int:entry_id>/blind-release", methods=["POST"])
def blind_release(entry_id: int):
    """Which attachments judges of a blind-review stage see (the SK names the agency)."""
    entry = entries.get_entry_for(current_user, entry_id)
    form = blind_release_form(entry)
    if form.validate_on_submit():
        with writing(_("Saved: judges in blind review see only the released attachments.")):
            attachments.release_for_blind_review(
                entry=entry, released_ids=set(form.released.data or ()), actor=current_user
            )
    else:
        flash(_("Choose among the attachments of this proposal."), "danger")
    return redirect(url_for("review.screening_entry", entry_id=entry.id))


def _filter_form(round_: Round) -> tuple[EntryFilterForm, dict]:
    """The entry filter read from the query string, and the filters it asks for."""
    form = EntryFilterForm(request.args)
    form.category.choices = [SelectChoice("", _("all"))] + [
        SelectChoice(str(c.id), c.name) for c in round_.categories
    ]
    form.validate()
    category = form.category.data or ""
    return form, {
        "q": form.q.data or "",
        "category_id": int(category) if category.isdigit() else None,
        "state": form.state.data or "",
        "group": form.group.data or "",
    }


def entry_filter(round_: Round) -> tuple[EntryFilterForm, list[Entry]]:
    """The filter form and every entry it matches (for the exports)."""
    form, filters = _filter_form(round_)
    return form, dashboard.filter_entries(round_, **filters)


def entry_filter_page(
    round_: Round, per_page: int
) -> tuple[EntryFilterForm, list[Entry], pagination.Page]:
    """The filter form and the page of the entries it matches asked for (``?page=``,
    ``?per_page=``, ``per_page`` rows by default)."""
    form, filters = _filter_form(round_)
    page, rows = requested_page(per_page)
    found, at = dashboard.filter_entries_page(round_, page=page, per_page=rows, **filters)
    return form, found, at


@review_bp.route("/rounds/<int:round_id>/remind-drafts", methods=["POST"])
def remind_drafts(round_id: int):
    """Remind the OPDs whose proposals are still drafts (outbox, emailed when configured)."""
    round_ = db.get_or_404(Round, round_id)
    if ActionForm().validate_on_submit():
        with writing() as w:
            notes = messages.remind_drafts(round_=round_, actor=current_user, now=utcnow())
            w.success = ngettext(
                "%(num)d OPD account reminded to submit its draft.",
                "%(num)d OPD accounts reminded to submit their drafts.",
                len(notes),
            )
    return redirect(url_for("analysis.round_dashboard", round_id=round_.id))


@review_bp.route("/rounds/<int:round_id>/entries.csv", defaults={"fmt": "csv"})
@review_bp.route("/rounds/<int:round_id>/entries.xlsx", defaults={"fmt": "xlsx"})
def entries_export(round_id: int, fmt: str):
    """The (filtered) entry list as CSV or XLSX."""
    round_ = db.get_or_404(Round, round_id)
    _form, found = entry_filter(round_)
    return exports.download(
        dashboard.export_rows(found),
        fmt,
        f"{round_.slug}-entries",
        title=round_.name,
        widths=dashboard.EXPORT_WIDTHS,
    )
