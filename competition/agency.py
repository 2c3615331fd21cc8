"""The Admin Lokal's pages (blueprint ``agency``): the agency's units and their accounts, and
the units' proposals, which the Admin Lokal reviews, corrects and submits. The proposal form is
the OPD's (``competition.opd.process_entry_form``), under this blueprint's endpoints."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition import agencies, attachments, entries
from competition.db import db, utcnow
from competition.errors import JuriError
from competition.forms import UnitForm
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
            return redirect(url_for(".index"))
    return _index(form, 422)


@bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    return render_template("competition/entry_detail.html", entry=entry, certificates=[],
                           progress=entries.progress_of(entry, utcnow()))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def entry_edit(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    if entry.is_submitted:
        flash(_("This entry has been submitted and can no longer be changed."), "info")
        return redirect(url_for(".entry_detail", entry_id=entry.id))
    return process_entry_form(entry_form_for(entry.round, entry), entry.round, entry)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))
