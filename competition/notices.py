"""Public pages of official announcements (blueprint ``notices``, no login): the list of
entries that pass, the PDF, and the objection form while the objection period is open."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from competition import announcements, downloads
from competition.attachments import FileRefused
from competition.db import db, utcnow
from competition.errors import JuriError
from competition.forms import ObjectionForm
from competition.models import Announcement

bp = Blueprint("notices", __name__, url_prefix="/announcements")


def _form(announcement: Announcement, entries) -> ObjectionForm:
    form = ObjectionForm()
    form.entry.choices = [SelectChoice(e.id, f"{e.title} ({e.organisation.name})")
                          for e in entries]
    return form


@bp.route("/<int:announcement_id>", methods=["GET", "POST"])
def detail(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    entries = announcements.listed_entries(announcement)
    form = _form(announcement, entries)
    now = utcnow()
    if form.validate_on_submit():
        upload = form.evidence_file.data
        try:
            announcements.file_objection(
                announcement=announcement, entry_id=form.entry.data, name=form.name.data,
                contact=form.contact.data, reason=form.reason.data,
                evidence=form.evidence.data or "", now=now,
                evidence_file=(upload.filename, upload.stream)
                if upload and getattr(upload, "filename", "") else None)
        except FileRefused as exc:
            db.session.rollback()
            form.evidence_file.errors.append(str(exc.message))
        except JuriError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Your objection has been received; the committee will decide it."),
                  "success")
            return redirect(url_for("notices.detail", announcement_id=announcement.id))
    return render_template("public/announcement.html", announcement=announcement,
                           entries=entries, form=form,
                           is_open=announcement.objections_open(now)), \
        422 if form.errors else 200


@bp.route("/<int:announcement_id>.pdf")
def pdf(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    body = announcements.render_pdf(announcement)
    name = f"pengumuman-{announcement.sequence:03d}-{announcement.round.slug}.pdf"
    return body, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": downloads.disposition(name, inline=True)}
