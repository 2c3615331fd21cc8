"""Attachments of entries: the SK decree, supporting data and photos.

The type of a file is read from its first bytes (PDF, JPEG and PNG signatures), never from its
name or the browser's claim; an image is also checked for its dimensions and decompression
bombs (``competition.images``). Files are kept in the app's storage (``competition.storage``: the
upload folder or an object store, never the static folder) under generated names; each file and each entry's total have a size limit
(``MAX_ATTACHMENT_BYTES``, ``MAX_ENTRY_ATTACHMENT_BYTES``). Serving goes through
``send_attachment`` after a ``can_view_attachment`` check by the calling view.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from competition import images
from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.downloads import safe_filename
from competition.entries.models import Attachment, AttachmentKind, Entry
from competition.entries.permissions import can_edit_entry, can_view_attachment
from competition.errors import InvalidState, JuriError, NotAllowed
from competition.i18n.formatting import format_decimal
from competition.storage import get_storage

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


IMAGE_FORMATS = {JPEG: "JPEG", PNG: "PNG"}  # Pillow's names


ALLOWED = {
    AttachmentKind.SK: (PDF,),
    AttachmentKind.DATA: (PDF, JPEG, PNG),
    AttachmentKind.PHOTO: (JPEG, PNG),
}


ALLOWED_LABELS = {
    AttachmentKind.SK: _l("a PDF"),
    AttachmentKind.DATA: _l("a PDF, JPEG or PNG file"),
    AttachmentKind.PHOTO: _l("a JPEG or PNG image"),
}


KIND_LABELS = {
    AttachmentKind.SK: _l("Decree (SK) naming the innovation team"),
    AttachmentKind.DATA: _l("Supporting data"),
    AttachmentKind.PHOTO: _l("Photo"),
}


class FileRefused(JuriError):
    """An uploaded file was not stored; the message says why (type or size)."""

    status = 422


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None if not PDF, JPEG or PNG."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def megabytes(n: int) -> str:
    """A size for people in their language: "2,0 MB" (Indonesian), "2.0 MB", or "300 KB"
    below one megabyte."""
    if n >= 1024 * 1024:
        return f"{format_decimal(n / (1024 * 1024), '0.0')} MB"
    return f"{-(-n // 1024)} KB"


def read_upload(filename: str, stream: IO[bytes], kind: AttachmentKind) -> tuple[str, bytes, str]:
    """Read an upload within the per-file limit and check its type by content: returns
    (safe original name, bytes, content type) or raises ``FileRefused``."""
    max_file = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    name = safe_filename(filename)
    data = stream.read(max_file + 1)
    if len(data) > max_file:
        raise FileRefused(
            _l(
                "%(name)s is larger than %(limit)s, the limit per file.",
                name=name,
                limit=megabytes(max_file),
            )
        )
    content_type = sniff(data[:16])
    if content_type not in ALLOWED[kind]:
        raise FileRefused(
            _l(
                "%(name)s is not %(allowed)s: its content was checked, not its name.",
                name=name,
                allowed=ALLOWED_LABELS[kind],
            )
        )
    if content_type in (JPEG, PNG):
        try:  # format, pixel dimensions and decompression bombs (competition.images)
            images.check_image(data, formats=(IMAGE_FORMATS[content_type],))
        except images.ImageRefused as exc:
            raise FileRefused(_l("%(name)s: %(reason)s", name=name, reason=exc.message)) from None
    return name, data, content_type


def write_file(prefix: str, content_type: str, data: bytes) -> str:
    """Store ``data`` under a generated name in the app's storage; returns that name."""
    stored = f"{prefix}-{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    get_storage().put(stored, data, content_type)
    return stored


def send_stored(stored_name: str, content_type: str, download_name: str):
    """A stored file as a response (the file itself, or a redirect to a short-lived URL of
    the object store); the caller has checked who may see it. A missing file is a 404."""
    try:
        return get_storage().send(
            stored_name,
            content_type,
            safe_filename(download_name),
            as_attachment=content_type == PDF,
        )
    except (FileNotFoundError, ValueError):
        raise NotAllowed() from None


@records_actor
def store_attachment(
    *,
    entry: Entry,
    kind: AttachmentKind,
    filename: str,
    stream: IO[bytes],
    actor: User,
    now: datetime,
) -> Attachment:
    """Check and store one uploaded file. Raises ``FileRefused`` (wrong type, too large, over
    the entry's total) and stores nothing in that case. A new SK replaces the previous one."""
    if not can_edit_entry(actor, entry):
        raise NotAllowed()
    max_entry = int(current_app.config["MAX_ENTRY_ATTACHMENT_BYTES"])
    name, data, content_type = read_upload(filename, stream, kind)
    replaced = [a for a in entry.attachments if kind == AttachmentKind.SK and a.kind == kind]
    used = sum(a.size for a in entry.attachments if a not in replaced)
    if used + len(data) > max_entry:
        raise FileRefused(
            _l(
                "%(name)s (%(size)s) would bring this entry's attachments over %(limit)s, the "
                "limit per entry.",
                name=name,
                size=megabytes(len(data)),
                limit=megabytes(max_entry),
            )
        )
    for old in replaced:
        delete_attachment(attachment=old, actor=actor)
    stored = write_file(f"{entry.id}", content_type, data)
    attachment = Attachment(
        entry=entry,
        kind=kind,
        original_name=name,
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


@records_actor
def delete_attachment(*, attachment: Attachment, actor: User) -> None:
    """Remove an attachment of a draft entry (the owning OPD only)."""
    if not can_edit_entry(actor, attachment.entry):
        if attachment.entry.is_submitted:
            raise InvalidState(_l("This entry has been submitted and can no longer be changed."))
        raise NotAllowed()
    stored = attachment.stored_name
    attachment.entry.attachments.remove(attachment)
    db.session.delete(attachment)
    db.session.flush()
    get_storage().delete(stored)


def get_attachment_for(user: User, attachment_id: int) -> Attachment:
    """The attachment if ``user`` may see it (see ``can_view_attachment``), else
    ``NotAllowed`` (404: another OPD's files do not exist for this user)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_view_attachment(user, attachment):
        raise NotAllowed()
    return attachment


def neutral_name(attachment: Attachment) -> str:
    """The name a judge of a blind-review stage sees: "Lampiran 2.pdf" (in the UI language),
    numbered among the entry's attachments released for blind review, so that neither the
    uploaded name (``SK-tim-inovasi-disdik.pdf``) nor a gap in the numbering tells anything."""
    released = [a for a in attachment.entry.attachments if a.is_released_for_blind]
    number = released.index(attachment) + 1 if attachment in released else 0
    # Not inside the f-string: pybabel's extractor does not see calls nested in f-strings.
    stem = _l("Attachment %(n)d", n=number)
    return f"{stem}.{EXTENSIONS.get(attachment.content_type, 'bin')}"


def send_attachment(attachment: Attachment, *, blind: bool = False):
    """The file as a response; the caller has checked ``can_view_attachment``. ``blind``: under
    its neutral name (``neutral_name``)."""
    name = neutral_name(attachment) if blind else attachment.original_name
    return send_stored(attachment.stored_name, attachment.content_type, name)


@records_actor
def release_for_blind_review(*, entry: Entry, released_ids: set[int], actor: User) -> None:
    """The committee decides which attachments of ``entry`` judges of a blind-review stage
    see: exactly those in ``released_ids`` (the others are withheld)."""
    if not actor.is_committee:
        raise NotAllowed()
    for attachment in entry.attachments:
        attachment.is_released_for_blind = attachment.id in released_ids
    db.session.flush()
