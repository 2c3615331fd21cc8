"""The OPD's entry pages (blueprint ``opd``): its entries, the proposal form with its
attachments, withdrawal. The proposal form's handling (``process_entry_form``) also serves the
Admin Lokal, who corrects a unit's entry with the same form (``agency_views``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from competition.db import db, utcnow
from competition.entries import attachments
from competition.entries import checks as entry_checks
from competition.entries import lists as entry_lists
from competition.entries import lock as entry_lock
from competition.entries import services as entries
from competition.entries.forms import EntryForm, entry_form_class
from competition.entries.models import AttachmentKind, Entry
from competition.errors import IncompleteError, InvalidFields, InvalidState, JuriError, StaleChange
from competition.forms import ActionForm
from competition.permissions import require_role
from competition.roles import Role
from competition.rounds import eligibility
from competition.rounds import services as rounds
from competition.rounds.models import Category, Round
from competition.rounds.sections import MIN_AGE_YEARS, EntryGroup
from competition.web import writing

opd_bp = Blueprint("opd", __name__, url_prefix="/opd")


require_role(opd_bp, Role.OPD)


@opd_bp.route("/", endpoint="entries")
def entries_list():
    now = utcnow()
    open_rounds = [  # only the rounds this OPD may enter are offered to it
        r
        for r in rounds.list_open_rounds(now)
        if eligibility.is_eligible(r, current_user.organisation)
    ]
    mine = entry_lists.list_entries_of(current_user)
    return render_template(
        "competition/entries/entries.html",
        entries=mine,
        standing={e.id: entries.standing_of(e, now) for e in mine if e.is_submitted},
        open_rounds=open_rounds,
        open_to={
            r.id: eligibility.describe(r, eligibility.listed_names(r))
            for r in open_rounds
            if eligibility.is_restricted(r)
        },
        now=now,
    )


def entry_form_for(round_: Round, entry: Entry | None = None) -> EntryForm:
    """The round's proposal form: its sections switched on, with the round's labels, word
    limits and own sections."""
    sections = round_.sections_for()
    form_class = entry_form_class(sections)
    form = form_class(obj=entry) if entry is not None else form_class()
    form.section_names = [s.name for s in sections]
    for section in sections:
        form[section.name].label.text = section.label
    form.category.choices = [SelectChoice(c.id, c.name) for c in round_.categories]
    if current_user.is_opd and entry_checks.has_agency_review(current_user.organisation):
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
                # the declaration's label is a whole sentence: the list names it by its heading
                short = _("Declaration") if name == "truth_declaration" else field.label.text
                labels.append(str(short))
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
        return entries.create_entry(
            round_=round_, category=category, data=data, actor=current_user, now=now
        )
    return entries.update_entry(
        entry=entry, data=data, category=category, actor=current_user, now=now
    )


FILE_FIELDS = (
    ("sk_file", AttachmentKind.SK),
    ("data_files", AttachmentKind.DATA),
    ("photos", AttachmentKind.PHOTO),
)


def _chosen_files(form: EntryForm) -> list[tuple[str, AttachmentKind, object]]:
    """``(field name, kind, upload)`` for every file chosen in the posted form."""
    chosen = []
    for name, kind in FILE_FIELDS:
        field = getattr(form, name)
        files = field.data if isinstance(field.data, list) else [field.data]
        chosen += [(name, kind, f) for f in files if f and getattr(f, "filename", "")]
    return chosen


def _store_files(form: EntryForm, entry: Entry, now) -> tuple[list[str], list[str]]:
    """Store every uploaded file; a refused one is explained on its field and the others are
    still stored. Commits what was stored; returns the names stored and the names refused."""
    stored, refused = [], []
    with writing():
        for name, kind, upload in _chosen_files(form):
            try:  # a refused file is checked before anything of it is written
                attachments.store_attachment(
                    entry=entry,
                    kind=kind,
                    filename=upload.filename,
                    stream=upload.stream,
                    actor=current_user,
                    now=now,
                )
                stored.append(upload.filename)
            except JuriError as exc:
                getattr(form, name).errors.append(str(exc.message))
                refused.append(upload.filename)
    return stored, refused


def _name_files_to_choose_again(form: EntryForm, chosen) -> None:
    """A browser never sends a chosen file twice: say plainly which ones to choose again."""
    for name, _kind, upload in chosen:
        getattr(form, name).errors.append(
            _("%(file)s was not saved: choose it again.", file=upload.filename)
        )
    flash(
        _(
            "The files you chose were not saved: %(files)s. Choose them again before saving "
            "(the text you typed is kept).",
            files=", ".join(upload.filename for _n, _k, upload in chosen),
        ),
        "warning",
    )


def _keep_files_of_refused_save(form: EntryForm, entry: Entry | None, stale: bool) -> None:
    """The rest of the form was refused: keep the chosen files as attachments of the stored
    draft when there is one that may still be changed (not saved from a stale tab), else
    name them to be chosen again. Files are never silently dropped."""
    chosen = _chosen_files(form)
    if not chosen:
        return
    now = utcnow()
    if entry is None or stale or not entry_checks.accepts_changes(entry, current_user, now):
        _name_files_to_choose_again(form, chosen)
        return
    stored, refused = _store_files(form, entry, now)
    if stored:
        flash(
            _(
                "Your files were kept with the draft (see Attached files): %(files)s.",
                files=", ".join(stored),
            ),
            "info",
        )
    if refused:
        _name_files_to_choose_again(form, [c for c in chosen if c[2].filename in refused])


def _form_page(form, round_, entry, status, stale=None):
    return render_template(
        "competition/entries/entry_form.html",
        form=form,
        round=round_,
        entry=entry,
        stale=stale,
        sections=round_.sections_for(),
        min_age=MIN_AGE_YEARS,
        groups=EntryGroup,
        action_form=ActionForm(),
        file_size=attachments.megabytes,
        max_file=attachments.megabytes(current_app.config["MAX_ATTACHMENT_BYTES"]),
        max_entry=attachments.megabytes(current_app.config["MAX_ENTRY_ATTACHMENT_BYTES"]),
    ), status


def _refuse(form, round_, entry, exc: JuriError, files_kept: bool = False):
    """Re-render the form after ``exc`` refused the save (already rolled back by ``writing``)."""
    _handle_error(form, exc)
    if not files_kept:
        chosen = _chosen_files(form)
        if chosen:
            _name_files_to_choose_again(form, chosen)
    return _form_page(form, round_, entry, exc.status)


def process_entry_form(form: EntryForm, round_: Round, entry: Entry | None):
    """Save the draft first and commit it, so a refused submission never loses what was
    typed; then submit when the submit button was pressed. Also used by the Admin Lokal's
    blueprint (``agency_views``), whose endpoints have the same names."""
    if not form.validate_on_submit():
        if form.errors:
            _keep_files_of_refused_save(form, entry, stale=entry_lock.is_stale(form, entry))
        return _form_page(form, round_, entry, 422 if form.errors else 200)
    if entry_lock.is_stale(form, entry):  # saved from a stale tab: refuse, keep both
        flash(entry_lock.REFUSED, "danger")
        _keep_files_of_refused_save(form, entry, stale=True)
        return _form_page(form, round_, entry, 409, stale=entry_lock.refuse(form, entry))
    now = utcnow()
    with writing(flash_error=False, stale=str(entry_lock.REFUSED)) as w:
        saved = _save_draft(form, round_, entry, now)
    if isinstance(w.error, StaleChange):  # a simultaneous save won the race
        flash(entry_lock.REFUSED, "danger")
        _keep_files_of_refused_save(form, entry, stale=True)
        return _form_page(form, round_, entry, 409, stale=entry_lock.refuse(form, entry))
    if w.failed:
        return _refuse(form, round_, entry, w.error)
    entry = saved
    form.version_id.data = str(entry.version_id)  # re-rendered below: now the stored version
    if _store_files(form, entry, now)[1]:
        flash(
            _("Some files were refused (see below); the rest of the proposal has been saved."),
            "danger",
        )
        return _form_page(form, round_, entry, 422)
    if not form.send.data:
        flash(_("Draft saved."), "success")
        try:
            entry_checks.check_word_limits(entry)
        except InvalidFields:
            flash(
                _("Some sections are over their word limit: shorten them before submitting."),
                "warning",
            )
        return redirect(url_for("opd.entry_edit", entry_id=entry.id))
    with writing(flash_error=False) as w:
        entries.submit_entry(entry=entry, actor=current_user, now=now)
        w.success = (
            _(
                "Your proposal has been sent to your agency's Admin Lokal, who reviews it and "
                "submits it to the committee."
            )
            if entry.is_in_agency_review
            else _("Your proposal has been submitted. Good luck!")
        )
    if w.failed:
        flash(_("Your draft has been saved, but it has not been submitted yet."), "info")
        return _refuse(form, round_, entry, w.error, files_kept=True)  # stored with the draft
    return redirect(url_for("opd_results.entry_detail", entry_id=entry.id))


@opd_bp.route("/rounds/<int:round_id>/entries/new", methods=["GET", "POST"])
def entry_new(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    eligibility.check_eligible(round_, current_user.organisation)  # 403 saying who may enter
    return process_entry_form(entry_form_for(round_), round_, None)


@opd_bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def entry_edit(entry_id: int):
    entry = entries.get_entry_for(current_user, entry_id)
    if entry.is_in_agency_review:
        flash(
            _(
                "This entry is with your agency's Admin Lokal for review; it can be changed "
                "again if they return it to you."
            ),
            "info",
        )
        return redirect(url_for("opd_results.entry_detail", entry_id=entry.id))
    if entry.is_submitted:
        flash(_("This entry has been submitted and can no longer be changed."), "info")
        return redirect(url_for("opd_results.entry_detail", entry_id=entry.id))
    return process_entry_form(entry_form_for(entry.round, entry), entry.round, entry)


def entry_detail_page(entry: Entry, status: int = 200, **forms):
    """One entry's page as the committee and the Admin Lokal see it, with the forms of their
    actions (the OPD's own entry page, with its results, is ``opd_results.entry_detail``)."""
    now = utcnow()
    return render_template(
        "competition/entries/entry_detail.html",
        entry=entry,
        certificates=[],
        progress=entries.progress_of(entry, now),
        now=now,
        **forms,
    ), status


def withdraw_and_show(entry: Entry, detail_endpoint: str):
    """Take a submitted entry back from the committee (OPD and Admin Lokal alike)."""
    if ActionForm().validate_on_submit():
        withdrawn = _(
            "The proposal has been withdrawn: the committee no longer has it. Submit it again "
            "before the deadline."
        )
        with writing(withdrawn):
            entries.withdraw_entry(entry=entry, actor=current_user, now=utcnow())
    return redirect(url_for(detail_endpoint, entry_id=entry.id))


@opd_bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
def entry_withdraw(entry_id: int):
    return withdraw_and_show(
        entries.get_entry_for(current_user, entry_id), "opd_results.entry_detail"
    )


@opd_bp.route("/attachments/<int:attachment_id>", endpoint="attachment")
def opd_attachment(attachment_id: int):
    return attachments.send_attachment(attachments.get_attachment_for(current_user, attachment_id))


@opd_bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
def attachment_delete(attachment_id: int):
    opd_attachment = attachments.get_attachment_for(current_user, attachment_id)
    entry_id = opd_attachment.entry_id
    if ActionForm().validate_on_submit():
        with writing(_("Attachment removed.")):
            attachments.delete_attachment(attachment=opd_attachment, actor=current_user)
    return redirect(url_for("opd.entry_edit", entry_id=entry_id))
