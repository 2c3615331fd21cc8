"""The Admin Lokal's pages (blueprint ``agency``): the agency's units and their accounts, and
the units' proposals, which the Admin Lokal reviews, corrects and submits. The proposal form is
the OPD's (``competition.opd.process_entry_form``), under this blueprint's endpoints."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition import agencies, attachments, entries
from competition.db import db, utcnow
from competition.errors import IncompleteError, JuriError
from competition.forms import ActionForm, ReasonForm, UnitForm
from competition.models import Role
from competition.opd import entry_form_for, process_entry_form
from competition.permissions import require_role

bp = Blueprint("agency", __name__, url_prefix="/agency")
require_role(bp, Role.AGENCY)


def _index(form: UnitForm, status: int = 200):
    return render_template("agency/index.html", form=form,
                           units=agencies.list_units(current_user),
                           entries=agencies.list_agency_entries(current_user)), status


@bp.route("/", endpoint="index")
def index():
    return _index(UnitForm())


@bp.route("/units", methods=["POST"])
def unit_add():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            agencies.create_unit(name=form.name.data, username=form.username.data,
                                 contact_name=form.contact_name.data or "",
                                 password=form.password.data, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Unit account created."), "success")
            return redirect(url_for("agency.index"))
    return _index(form, 422)


def _detail(entry, status=200, return_form=None):
    return_form = return_form or ReasonForm(prefix="return")
    return_form.reason.label.text = _("Note for the unit: what to correct")
    return render_template("competition/entry_detail.html", entry=entry, certificates=[],
                           progress=entries.progress_of(entry, utcnow()),
                           return_form=return_form,
                           action_form=ActionForm()), status


@bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    return _detail(entries.get_entry_for(current_user, entry_id))


@bp.route("/entries/<int:entry_id>/return", methods=["POST"])
def entry_return(entry_id: int):
    """Give an entry the unit handed over back to the unit, with a note."""
    entry = entries.get_entry_for(current_user, entry_id)
    form = ReasonForm(prefix="return")
    if not form.validate_on_submit():
        return _detail(entry, 422, form)
    try:
        entries.return_to_unit(entry=entry, note=form.reason.data, actor=current_user,
                               now=utcnow())
    except JuriError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _detail(entry, exc.status, form)
    db.session.commit()
    flash(_("The entry has been returned to the unit with your note."), "success")
    return redirect(url_for("agency.entry_detail", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/submit", methods=["POST"])
def entry_submit(entry_id: int):
    """Submit an entry the unit handed over to the committee, as it stands (the deadline and
    completeness are checked; to correct it first, use the form)."""
    entry = entries.get_entry_for(current_user, entry_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("agency.entry_detail", entry_id=entry.id))
    try:
        entries.submit_entry(entry=entry, actor=current_user, now=utcnow())
    except JuriError as exc:
        db.session.rollback()
        message = str(exc.message)
        if isinstance(exc, IncompleteError):
            message = _("The entry is incomplete; open it with Review and submit to complete "
                        "it.")
        flash(message, "danger")
        return _detail(entry, exc.status)
    db.session.commit()
    flash(_("The entry has been submitted to the committee. Good luck!"), "success")
    return redirect(url_for("agency.entry_detail", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def entry_edit(entry_id: int):
    """Review and correct a unit's entry; *Submit* sends it to the committee."""
    entry = entries.get_entry_for(current_user, entry_id)
    if entry.is_submitted:
        flash(_("This entry has been submitted and can no longer be changed."), "info")
        return redirect(url_for("agency.entry_detail", entry_id=entry.id))
    return process_entry_form(entry_form_for(entry.round, entry), entry.round, entry)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))
