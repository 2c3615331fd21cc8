"""The OPD's pages: their entries, the proposal form, and certificates (blueprint ``opd``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from competition import attachments, awards, downloads, entries, entry_lock, rounds
from competition.certificates import render_for_request
from competition.db import db, utcnow
from competition.errors import IncompleteError, InvalidFields, InvalidState, JuriError, NotAllowed
from competition.forms import ActionForm, EntryForm, entry_form_class
from competition.models import AttachmentKind, Category, Entry, Role, Round
from competition.permissions import can_download_certificate, require_role
from competition.proposal import MIN_AGE_YEARS, EntryGroup

bp = Blueprint("opd", __name__, url_prefix="/opd")
require_role(bp, Role.OPD)


@bp.route("/", endpoint="entries")
def entries_list():
    now = utcnow()
    return render_template("opd/entries.html", entries=entries.list_entries_of(current_user),
                           open_rounds=rounds.list_open_rounds(now), now=now)


def entry_form_for(round_: Round, entry: Entry | None = None) -> EntryForm:
    """The round's proposal form: its sections switched on, with the round's labels, word
    limits and own sections."""
    sections = round_.sections_for()
    form_class = entry_form_class(sections)
    form = form_class(obj=entry) if entry is not None else form_class()
    form.word_limits = round_.section_limits
    form.section_names = [s.name for s in sections]
    for section in sections:
        form[section.name].label.text = section.label
    form.category.choices = [SelectChoice(c.id, c.name) for c in round_.categories]
    if current_user.is_opd and entries.has_agency_review(current_user.organisation):
        form.send.label.text = _("Send to the Admin Lokal for review")
    if entry is not None and request.method == "GET":
        form.category.data = entry.category_id
        form.truth_declaration.data = entry.truth_declared_at is not None
        for section in sections:
            if section.custom:
                form[section.name].data = entry.section_text(section.name)
    return form


def _handle_error(form: EntryForm, exc: JuriError) -> None:
    """Mark each field the error names, and list what is missing in the message."""
    message = str(exc.message)
    if isinstance(exc, IncompleteError):
        labels = []
        for name in exc.missing:
            field = getattr(form, name, None)
            if field is not None:
                field.errors.append(_("This field is required before submitting."))
                labels.append(str(field.label.text))
        if labels:
            missing = _("Missing:")
            message = f"{message} {missing} {', '.join(labels)}."
    elif isinstance(exc, InvalidFields):
        for name, text in exc.errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors.append(str(text))
    flash(message, "danger")


def _save_draft(form: EntryForm, round_: Round, entry: Entry | None, now) -> Entry:
    category = db.session.get(Category, form.category.data)
    if category is None or category.round_id != round_.id:
        raise InvalidState(_("Choose a category of this round."))
    data = form.data_dict()
    if entry is None:
        return entries.create_entry(round_=round_, category=category, data=data,
                                    actor=current_user, now=now)
    return entries.update_entry(entry=entry, data=data, category=category,
                                actor=current_user, now=now)


FILE_FIELDS = (("sk_file", AttachmentKind.SK), ("data_files", AttachmentKind.DATA),
               ("photos", AttachmentKind.PHOTO))


def _store_files(form: EntryForm, entry: Entry, now) -> bool:
    """Store every uploaded file; a refused one is explained on its field and the others are
    still stored. Commits what was stored; returns False if any file was refused."""
    ok = True
    for name, kind in FILE_FIELDS:
        field = getattr(form, name)
        files = field.data if isinstance(field.data, list) else [field.data]
        for upload in files:
            if not upload or not getattr(upload, "filename", ""):
                continue
            try:
                attachments.store_attachment(entry=entry, kind=kind, filename=upload.filename,
                                             stream=upload.stream, actor=current_user, now=now)
            except JuriError as exc:
                field.errors.append(str(exc.message))
                ok = False
    db.session.commit()
    return ok


def _form_page(form, round_, entry, status, stale=None):
    return render_template("opd/entry_form.html", form=form, round=round_, entry=entry,
                           stale=stale,
                           sections=round_.sections_for(), min_age=MIN_AGE_YEARS, groups=EntryGroup,
                           action_form=ActionForm(),
                           max_file=attachments.megabytes(
                               current_app.config["MAX_ATTACHMENT_BYTES"]),
                           max_entry=attachments.megabytes(
                               current_app.config["MAX_ENTRY_ATTACHMENT_BYTES"])), status


def _refuse(form, round_, entry, exc: JuriError):
    db.session.rollback()
    _handle_error(form, exc)
    return _form_page(form, round_, entry, exc.status)


def process_entry_form(form: EntryForm, round_: Round, entry: Entry | None):
    """Save the draft first and commit it, so a refused submission never loses what was
    typed; then submit when the submit button was pressed. Also used by the Admin Lokal's
    blueprint (``competition.agency``), whose endpoints have the same names."""
    if not form.validate_on_submit():
        return _form_page(form, round_, entry, 422 if form.errors else 200)
    if entry_lock.is_stale(form, entry):  # saved from a stale tab: refuse, keep both
        return _form_page(form, round_, entry, 409, stale=entry_lock.refuse(form, entry))
    now = utcnow()
    try:
        entry = _save_draft(form, round_, entry, now)
        db.session.commit()
    except JuriError as exc:
        return _refuse(form, round_, entry, exc)
    except StaleDataError:  # a simultaneous save won the race
        db.session.rollback()
        return _form_page(form, round_, entry, 409, stale=entry_lock.refuse(form, entry))
    form.version_id.data = str(entry.version_id)  # re-rendered below: now the stored version
    if not _store_files(form, entry, now):
        flash(_("Some files were refused (see below); the rest of the proposal has been saved."),
              "danger")
        return _form_page(form, round_, entry, 422)
    if not form.send.data:
        flash(_("Draft saved."), "success")
        return redirect(url_for("opd.entry_edit", entry_id=entry.id))
    try:
        entries.submit_entry(entry=entry, actor=current_user, now=now)
    except JuriError as exc:
        return _refuse(form, round_, entry, exc)
    db.session.commit()
    if entry.is_in_agency_review:
        flash(_("Your entry has been sent to your agency's Admin Lokal, who reviews it and "
                "submits it to the committee."), "success")
    else:
        flash(_("Your entry has been submitted. Good luck!"), "success")
    return redirect(url_for("opd.entry_detail", entry_id=entry.id))


@bp.route("/rounds/<int:round_id>/entries/new", methods=["GET", "POST"])
def entry_new(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    return process_entry_form(entry_form_for(round_), round_, None)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def entry_edit(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    if entry.is_in_agency_review:
        flash(_("This entry is with your agency's Admin Lokal for review; it can be changed "
                "again if they return it to you."), "info")
        return redirect(url_for("opd.entry_detail", entry_id=entry.id))
    if entry.is_submitted:
        flash(_("This entry has been submitted and can no longer be changed."), "info")
        return redirect(url_for("opd.entry_detail", entry_id=entry.id))
    return process_entry_form(entry_form_for(entry.round, entry), entry.round, entry)


@bp.route("/entries/<int:entry_id>")
def entry_detail(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    return render_template("competition/entry_detail.html", entry=entry,
                           certificates=awards.certificates_of_entry(entry),
                           progress=entries.progress_of(entry, utcnow()))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
def attachment_delete(attachment_id: int):
    attachment = attachments.get_attachment_for(current_user, attachment_id)
    entry_id = attachment.entry_id
    if ActionForm().validate_on_submit():
        try:
            attachments.delete_attachment(attachment=attachment, actor=current_user)
        except JuriError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Attachment removed."), "success")
    return redirect(url_for("opd.entry_edit", entry_id=entry_id))


@bp.route("/certificates/<code>.pdf")
def certificate(code: str):
    cert = awards.find_certificate(code)
    if cert is None or not can_download_certificate(current_user, cert):
        raise NotAllowed()
    pdf = render_for_request(cert)
    filename = f"sertifikat-{cert.code}.pdf"
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": downloads.disposition(filename)}
