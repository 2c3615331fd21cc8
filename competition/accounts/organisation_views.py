"""The committee's list of organisations with their regions (blueprint ``organisations``)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competition.accounts import agencies
from competition.accounts.forms import RegionForm
from competition.accounts.kinds import KIND_LABELS, kind_of
from competition.accounts.models import Organisation
from competition.db import db
from competition.permissions import require_role
from competition.roles import Role
from competition.web import writing

organisations_bp = Blueprint("organisations", __name__, url_prefix="/committee")


require_role(organisations_bp, Role.COMMITTEE)


def _organisations_page(status: int = 200, failed: RegionForm | None = None, failed_id=None):
    orgs = agencies.list_organisations()
    forms = {o.id: RegionForm(prefix=f"org{o.id}", obj=o) for o in orgs}
    if failed is not None:
        forms[failed_id] = failed
    return render_template(
        "competition/accounts/organisations.html",
        organisations=orgs,
        forms=forms,
        kind_of=kind_of,
        kind_labels=KIND_LABELS,
    ), status


@organisations_bp.route("/organisations")
def organisations():
    """Every organisation with its region (kabupaten/kota and province)."""
    return _organisations_page()


@organisations_bp.route("/organisations/<int:organisation_id>/region", methods=["POST"])
def organisation_region(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = RegionForm(prefix=f"org{organisation.id}")
    if not form.validate_on_submit():
        return _organisations_page(422, form, organisation.id)
    with writing(_("Region of %(name)s saved.", name=organisation.name), flash_error=False) as w:
        agencies.set_region(
            organisation=organisation,
            region=form.region.data or "",
            province=form.province.data or "",
            kind=form.kind.data or "",
            actor=current_user,
        )
    if w.failed:  # an organisation the committee may not change: a 404 as before
        raise w.error
    return redirect(url_for("organisations.organisations", _anchor=f"org{organisation.id}"))
