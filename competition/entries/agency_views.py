"""The Admin Lokal's pages (blueprint ``agency``): the agency's unit accounts, and the review
of the entries its units hand over: return to the unit with a note, correct with the proposal
form (``views.process_entry_form``), submit to the committee or withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition.accounts import agencies
from competition.accounts.models import User
from competition.accounts.services import can_issue_reset_link
from competition.accounts.views import reset_link_page
from competition.db import db, utcnow
from competition.entries import attachments
from competition.entries import lists as entry_lists
from competition.entries import services as entries
from competition.entries.forms import UnitForm
from competition.entries.views import (
    entry_detail_page,
    entry_form_for,
    process_entry_form,
    withdraw_and_show,
)
from competition.errors import IncompleteError
from competition.forms import ActionForm, ReasonForm
from competition.permissions import require_role
from competition.roles import Role
from competition.web import writing

agency_bp = Blueprint("agency", __name__, url_prefix="/agency")


require_role(agency_bp, Role.AGENCY)


def _index(form: UnitForm, status: int = 200):
    return render_template(
        "competition/entries/agency.html",
        form=form,
        units=agencies.list_units(current_user),
        entries=entry_lists.list_agency_entries(current_user),
        action_form=ActionForm(),
    ), status


@agency_bp.route("/", endpoint="index")
def index():
    return _index(UnitForm())


@agency_bp.route("/units", methods=["POST"])
def unit_add():
    form = UnitForm()
    if form.validate_on_submit():
        with writing(_("Unit account created."), field=form.name) as w:
            agencies.create_unit(
                name=form.name.data,
                username=form.username.data,
                contact_name=form.contact_name.data or "",
                password=form.password.data,
                actor=current_user,
            )
        if not w.failed:
            return redirect(url_for("agency.index"))
    return _index(form, 422)


@agency_bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
def unit_reset_link(user_id: int):
    """A link to set a new password for an account of one of this agency's units."""
    user = db.get_or_404(User, user_id)
    if not can_issue_reset_link(current_user, user):
        abort(404)
    return reset_link_page(user, url_for("agency.index"))


def _detail(entry, status=200, return_form=None):
    return_form = return_form or ReasonForm(prefix="return")
    return_form.reason.label.text = _("Note for the unit: what to correct")
    return entry_detail_page(entry, status, return_form=return_form, action_form=ActionForm())


@agency_bp.route("/entries/<int:entry_id>", endpoint="entry_detail")
def agency_entry_detail(entry_id: int):
    return _detail(entries.get_entry_for(current_user, entry_id))


@agency_bp.route("/entries/<int:entry_id>/return", methods=["POST"])
def entry_return(entry_id: int):
    """Give an entry the unit handed over back to the unit, with a note."""
    entry = entries.get_entry_for(current_user, entry_id)
    form = ReasonForm(prefix="return")
    if not form.validate_on_submit():
        return _detail(entry, 422, form)
    with writing(_("The proposal has been returned to the unit with your note.")) as w:
        entries.return_to_unit(entry=entry, note=form.reason.data, actor=current_user, now=utcnow())
    if w.failed:
        return _detail(entry, w.status, form)
    return redirect(url_for("agency.entry_detail", entry_id=entry.id))


@agency_bp.route("/entries/<int:entry_id>/submit", methods=["POST"])
def entry_submit(entry_id: int):
    """Submit an entry the unit handed over to the committee, as it stands (the deadline and
    completeness are checked; to correct it first, use the form)."""
    entry = entries.get_entry_for(current_user, entry_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("agency.entry_detail", entry_id=entry.id))
    submitted = _("The proposal has been submitted to the committee. Good luck!")
    with writing(submitted, flash_error=False) as w:
        entries.submit_entry(entry=entry, actor=current_user, now=utcnow())
    if w.failed:
        message = str(w.error.message)
        if isinstance(w.error, IncompleteError):
            message = _(
                "The proposal is incomplete; open it with Review and submit to complete it."
            )
        flash(message, "danger")
        return _detail(entry, w.status)
    return redirect(url_for("agency.entry_detail", entry_id=entry.id))


@agency_bp.route("/entries/<int:entry_id>/withdraw", endpoint="entry_withdraw", methods=["POST"])
def agency_entry_withdraw(entry_id: int):
    """Take a unit's submitted entry back from the committee, into the agency's review."""
    return withdraw_and_show(entries.get_entry_for(current_user, entry_id), "agency.entry_detail")


@agency_bp.route("/entries/<int:entry_id>/edit", endpoint="entry_edit", methods=["GET", "POST"])
def agency_entry_edit(entry_id: int):
    """Review and correct a unit's entry; *Submit* sends it to the committee."""
    entry = entries.get_entry_for(current_user, entry_id)
    if entry.is_submitted:
        flash(_("This entry has been submitted and can no longer be changed."), "info")
        return redirect(url_for("agency.entry_detail", entry_id=entry.id))
    return process_entry_form(entry_form_for(entry.round, entry), entry.round, entry)


@agency_bp.route("/attachments/<int:attachment_id>", endpoint="attachment")
def agency_attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))
