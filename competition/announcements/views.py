"""Announcements: the public notice pages where anyone files an objection (blueprint
``notices``) and the committee's pages that announce a stage and decide objections
(blueprint ``announcements``, under ``/committee``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from competition.announcements import abuse
from competition.announcements import services as announcements
from competition.announcements.forms import BulkRejectForm, ObjectionDecisionForm, ObjectionForm
from competition.announcements.models import Announcement, Objection, ObjectionStatus
from competition.db import db, utcnow
from competition.entries import attachments
from competition.entries.attachments import FileRefused
from competition.forms import ActionForm
from competition.permissions import require_role
from competition.roles import Role
from competition.urls import public_url
from competition.web import writing

announcements_bp = Blueprint("announcements", __name__, url_prefix="/committee")
require_role(announcements_bp, Role.COMMITTEE)


def _bulk_form(announcement: Announcement, **kw) -> BulkRejectForm:
    form = BulkRejectForm(prefix="bulk", **kw)
    form.objections.choices = [
        SelectChoice(o.id, f"{o.reference} · {o.name} · {o.reason[:80]}")
        for o in announcement.objections
        if o.status == ObjectionStatus.PENDING
    ]
    return form


def _list(announcement: Announcement, entries=None) -> dict:
    """What ``_list.html`` shows of an announcement: its entries by category, the stage they
    go on to and the entries struck off by an upheld objection."""
    if entries is None:
        entries = announcements.listed_entries(announcement)
    return {
        "entries": entries,
        "groups": announcements.by_category(entries),
        "next_stage": announcements.goes_on_to(announcement),
        "struck": announcements.struck_entries(announcement),
    }


def _announcement_page(announcement: Announcement, status=200, **forms):
    return render_template(
        "competition/announcements/announcement.html",
        announcement=announcement,
        **_list(announcement),
        action_form=ActionForm(),
        bulk_form=forms.get("bulk_form") or _bulk_form(announcement, formdata=None),
        decision_forms=forms.get("decision_forms", {}),
        now=utcnow(),
        new_decision_form=lambda o: ObjectionDecisionForm(prefix=f"o{o.id}"),
    ), status


@announcements_bp.route("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    return _announcement_page(db.get_or_404(Announcement, announcement_id))


@announcements_bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
def objection_decide(objection_id: int):
    objection = db.get_or_404(Objection, objection_id)
    form = ObjectionDecisionForm(prefix=f"o{objection.id}")
    if form.validate_on_submit():
        # Refusals are flashed: the only one a valid form meets is a list made final
        # meanwhile, and a final list shows no decision forms to carry it.
        with writing(_("Decision recorded.")) as w:
            announcements.decide_objection(
                objection=objection,
                upheld=form.decision.data == "upheld",
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
        if not w.failed:
            return redirect(
                url_for("announcements.announcement", announcement_id=objection.announcement_id)
            )
    return _announcement_page(objection.announcement, 422, decision_forms={objection.id: form})


@announcements_bp.route("/announcements/<int:announcement_id>/objections/reject", methods=["POST"])
def objections_reject(announcement_id: int):
    """Reject several objections (obvious spam) with one reason."""
    announcement = db.get_or_404(Announcement, announcement_id)
    form = _bulk_form(announcement)
    if form.validate_on_submit():
        with writing() as w:  # flashed, like a single decision's refusal
            n = announcements.reject_objections(
                announcement=announcement,
                objection_ids=set(form.objections.data),
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
            w.success = ngettext("%(num)d objection rejected.", "%(num)d objections rejected.", n)
        if not w.failed:
            return redirect(url_for("announcements.announcement", announcement_id=announcement.id))
    return _announcement_page(announcement, 422, bulk_form=form)


@announcements_bp.route("/announcements/<int:announcement_id>/finalize", methods=["POST"])
def announcement_finalize(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    if ActionForm().validate_on_submit():
        with writing(_("The list is final.")):
            announcements.finalize(announcement=announcement, actor=current_user, now=utcnow())
    return redirect(url_for("announcements.announcement", announcement_id=announcement.id))


@announcements_bp.route("/objections/<int:objection_id>/evidence")
def objection_evidence(objection_id: int):
    """The evidence file of an objection (the committee only)."""
    objection = db.get_or_404(Objection, objection_id)
    if not objection.evidence_stored_name:
        abort(404)
    return attachments.send_stored(
        objection.evidence_stored_name, objection.evidence_content_type, objection.evidence_name
    )


notices_bp = Blueprint("notices", __name__, url_prefix="/announcements")


def _form(announcement: Announcement, entries) -> ObjectionForm:
    form = ObjectionForm()
    form.entry.choices = [SelectChoice(e.id, f"{e.title} ({e.organisation.name})") for e in entries]
    return form


@notices_bp.route("/<int:announcement_id>", methods=["GET", "POST"])
def detail(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    entries = announcements.listed_entries(announcement)
    form = _form(announcement, entries)
    now = utcnow()
    status = 422  # when the form has errors (429: too many objections)
    if form.validate_on_submit():
        upload = form.evidence_file.data
        with writing(
            _("Your objection has been received; the committee will decide it."),
            flash_error=False,
        ) as w:
            objection = announcements.file_objection(
                announcement=announcement,
                entry_id=form.entry.data,
                name=form.name.data,
                contact=form.contact.data,
                reason=form.reason.data,
                evidence=form.evidence.data or "",
                now=now,
                address=request.remote_addr or "",
                evidence_file=(upload.filename, upload.stream)
                if upload and getattr(upload, "filename", "")
                else None,
            )
        if isinstance(w.error, FileRefused):
            form.evidence_file.errors.append(str(w.error.message))
        elif isinstance(w.error, abuse.ObjectionRefused):
            form[w.error.field].errors.append(str(w.error.message))
        elif w.failed:
            form.reason.errors.append(str(w.error.message))
            if isinstance(w.error, abuse.TooManyObjections):
                status = w.error.status
                flash(str(w.error.message), "danger")
        else:
            return redirect(url_for("notices.objection", token=objection.access_token))
    form.stamp()
    return render_template(
        "competition/announcements/public_announcement.html",
        announcement=announcement,
        **_list(announcement, entries),
        form=form,
        is_open=announcement.objections_open(now),
    ), status if form.errors else 200


@notices_bp.route("/objections/<token>")
def objection(token: str):
    """The objector's private page: the reference number and, once taken, the committee's
    decision with its reason. Only the holder of the link (an unguessable token) sees it."""
    objection = announcements.get_objection_by_token(token)
    if objection is None:
        abort(404)
    return render_template(
        "competition/announcements/objection_status.html",
        objection=objection,
        address=public_url("notices.objection", token=token),
    )


# The announcement's PDF (/notices/<id>.pdf, endpoint notices.pdf) is served by
# judging.results.public: its letterhead and signatory come from the round's certificate layout,
# which judging owns.
