"""Official announcements of a stage's result (numbered, dated, listing the entries that pass,
as PDF), the public objection window (uji publik) they may open, and the committee's decision
on every objection before the list becomes final."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import IO

import segno
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from fpdf.enums import XPos, YPos
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.announcements import abuse, messages
from competition.announcements.models import Announcement, Objection, ObjectionStatus
from competition.db import db
from competition.entries import screening
from competition.entries.attachments import read_upload, write_file
from competition.entries.models import (
    Advancement,
    AttachmentKind,
    Entry,
    EntryEvent,
    EntryStatus,
    Screening,
)
from competition.errors import IncompleteError, InvalidState, NotAllowed
from competition.forms import to_local
from competition.pdf import (
    Block,
    Document,
    Letterhead,
    Signer,
    draw_closing,
    draw_letterhead,
    keep_together,
    local_date,
    space,
    text_height,
    together,
)
from competition.pdf_assets import SANS
from competition.rounds.models import Round, Stage, StageKind


def passing_entry_ids(
    stage: Stage, winners: Callable[[Stage], list[int]] | None = None
) -> list[int]:
    """The entries that pass ``stage``: all submitted ones (submission), the eligible ones
    (screening), those advanced from it or else its published winners (scored), and the
    winners of the last published scored stage (announcement). Published winners come from
    the judging package: ``winners(scored_stage)`` gives them in order (the announcement
    page in ``judging.results`` passes it; without it only advancement counts)."""
    round_id = stage.round_id
    if stage.kind == StageKind.SUBMISSION:
        query = select(Entry.id).where(
            Entry.round_id == round_id, Entry.status == EntryStatus.SUBMITTED
        )
    elif stage.kind == StageKind.SCREENING:
        query = select(Entry.id).where(
            Entry.round_id == round_id,
            Entry.status == EntryStatus.SUBMITTED,
            Entry.screening == Screening.ELIGIBLE,
        )
    else:
        query = None
        if stage.kind == StageKind.SCORED:
            query = select(Advancement.entry_id).where(Advancement.from_stage_id == stage.id)
            if not db.session.scalar(select(func.count()).select_from(query.subquery())):
                query = None
        if query is None:
            scored = [
                s
                for s in stage.round.stages
                if s.kind == StageKind.SCORED
                and s.published_at is not None
                and s.position <= stage.position
            ]
            if not scored or winners is None:
                raise InvalidState(
                    _l(
                        "Nothing to announce yet: confirm who advances from this stage or publish "
                        "its results first."
                    )
                )
            return winners(scored[-1])
    return list(db.session.scalars(query))


@records_actor
def issue_announcement(
    *,
    stage: Stage,
    title: str,
    objection_days: int | None,
    actor: User,
    now: datetime,
    winners: Callable[[Stage], list[int]] | None = None,
) -> Announcement:
    """Number and date an announcement of ``stage``'s result; with ``objection_days`` the
    public may object to the listed entries until that many days later."""
    if not actor.is_committee:
        raise NotAllowed()
    ids = passing_entry_ids(stage, winners)
    if not ids:
        raise InvalidState(_l("No entry passes this stage: there is nothing to announce."))
    sequence = (
        db.session.scalar(
            select(func.max(Announcement.sequence)).where(Announcement.round_id == stage.round_id)
        )
        or 0
    ) + 1
    announcement = Announcement(
        round_id=stage.round_id,
        stage=stage,
        sequence=sequence,
        number=f"{sequence:03d}/PANITIA/{stage.round.slug.upper()}/{to_local(now).year}",
        title=title.strip(),
        entry_ids=ids,
        issued_at=now,
        issued_by_id=actor.id,
        objections_close_at=now + timedelta(days=objection_days) if objection_days else None,
    )
    db.session.add(announcement)
    db.session.flush()
    messages.list_announced(
        announcement=announcement,
        entries=listed_entries(announcement),
        next_stage=goes_on_to(announcement),
        now=now,
    )
    return announcement


def listing_order(entry: Entry) -> tuple:
    """The order of an announced list: by category, then organisation, then title (whatever
    the case), as KIPP announces its Top 99: the order says nothing of the places (the stored
    snapshot holds the entries in the order they passed, which after a scored stage is by
    place)."""
    return entry.category_id, entry.organisation.name.casefold(), entry.title.casefold(), entry.id


def struck_ids(announcement: Announcement) -> set[int]:
    """The listed entries struck off by an upheld objection (the committee's decision)."""
    return {o.entry_id for o in announcement.objections if o.status == ObjectionStatus.UPHELD}


def _entries(ids) -> list[Entry]:
    return sorted(
        db.session.scalars(
            select(Entry)
            .where(Entry.id.in_(list(ids)))
            .options(selectinload(Entry.organisation), selectinload(Entry.category))
        ),
        key=listing_order,
    )


def listed_entries(announcement: Announcement) -> list[Entry]:
    """The entries on the announced list (``listing_order``), without those struck off by an
    upheld objection (``struck_entries``)."""
    struck = struck_ids(announcement)
    return _entries(i for i in announcement.entry_ids if i not in struck)


def struck_entries(announcement: Announcement) -> list[tuple[Entry, Objection]]:
    """The entries of the snapshot struck off by an upheld objection, with that objection
    (its reference and the committee's reason are published with the list)."""
    upheld = {o.entry_id: o for o in announcement.objections if o.status == ObjectionStatus.UPHELD}
    return [(e, upheld[e.id]) for e in _entries(upheld) if e.id in announcement.entry_ids]


def goes_on_to(announcement: Announcement) -> Stage | None:
    """The scored stage the listed entries go on to (the next one that is not skipped), or
    None for an announcement after the last one (its winners)."""
    stage = announcement.stage
    return next(
        (
            s
            for s in stage.round.stages
            if s.position > stage.position and s.kind == StageKind.SCORED and not s.is_skipped
        ),
        None,
    )


def by_category(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """``entries`` (in ``listing_order``) grouped by category: (category name, its entries)."""
    out: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        if not out or out[-1][1][0].category_id != entry.category_id:
            out.append((entry.category.name, []))
        out[-1][1].append(entry)
    return out


def announcements_of_entry(entry: Entry) -> list[tuple[Announcement, Objection | None]]:
    """The announcements of the entry's round that list it, in issue order, each with the
    upheld objection that struck the entry off (None while it is on the list): its OPD's
    page says where the entry is announced."""
    out = []
    for a in list_announcements(entry.round_id):
        if entry.id in a.entry_ids:
            upheld = [o for o in a.objections if o.status == ObjectionStatus.UPHELD]
            out.append((a, next((o for o in upheld if o.entry_id == entry.id), None)))
    return out


def list_announcements(round_id: int) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.round_id == round_id)
            .order_by(Announcement.sequence)
        )
    )


def announced_lists(entries: list[Entry]) -> dict[int, list[Announcement]]:
    """For each of ``entries``, the announcements of its round that list it and did not strike
    it off (upheld objection), in issue order: two statements whatever the count (an OPD's
    list of its innovations, a template global)."""
    if not entries:
        return {}
    ids = {e.id for e in entries}
    found = list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.round_id.in_({e.round_id for e in entries}))
            .order_by(Announcement.sequence)
        )
    )
    struck = (
        set(
            db.session.execute(
                select(Objection.announcement_id, Objection.entry_id).where(
                    Objection.announcement_id.in_([a.id for a in found]),
                    Objection.status == ObjectionStatus.UPHELD,
                )
            ).all()
        )
        if found
        else set()
    )
    out: dict[int, list[Announcement]] = {}
    for a in found:
        for entry_id in a.entry_ids:
            if entry_id in ids and (a.id, entry_id) not in struck:
                out.setdefault(entry_id, []).append(a)
    return out


def announced_round(slug: str) -> Round | None:
    """The round with this slug if it has issued an announcement (its lists are public),
    else None."""
    return db.session.scalar(
        select(Round).where(
            Round.slug == slug,
            select(Announcement.id).where(Announcement.round_id == Round.id).exists(),
        )
    )


def list_public_announcements(*, now: datetime, limit: int = 10) -> list[Announcement]:
    """The announcements the home page shows: every one whose objection period is open,
    then the newest others, at most ``limit`` in all (newest first)."""
    open_ = select(Announcement).where(
        Announcement.objections_close_at.is_not(None),
        Announcement.finalized_at.is_(None),
        Announcement.issued_at <= now,
        Announcement.objections_close_at >= now,
    )
    found = list(
        db.session.scalars(
            open_.options(selectinload(Announcement.round)).order_by(
                Announcement.objections_close_at
            )
        )
    )
    seen = {a.id for a in found}
    for announcement in db.session.scalars(
        select(Announcement)
        .options(selectinload(Announcement.round))
        .order_by(Announcement.issued_at.desc(), Announcement.id.desc())
        .limit(limit)
    ):
        if len(found) >= limit:
            break
        if announcement.id not in seen:
            found.append(announcement)
    return found


def get_objection_by_token(token: str) -> Objection | None:
    """The objection whose private link carries ``token``; None for anything else."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Objection).where(Objection.access_token == token))


def file_objection(
    *,
    announcement: Announcement,
    entry_id: int,
    name: str,
    contact: str,
    reason: str,
    evidence: str,
    now: datetime,
    address: str,
    evidence_file: tuple[str, IO[bytes]] | None = None,
) -> Objection:
    """Anyone may object to a listed entry while the window is open, with an optional
    evidence file ``(filename, stream)`` (PDF, JPEG or PNG, checked by content), within the
    limits of ``competition.announcements.abuse`` for the client ``address`` ("" off the web):
    raises ``TooManyObjections`` (429, with the wait) or ``ObjectionRefused`` (repeated text,
    too many evidence bytes). The objection keeps ``address``, which the limits count."""
    if not announcement.objections_open(now):
        raise InvalidState(_l("The objection period of this announcement is closed."))
    if entry_id not in announcement.entry_ids:
        raise InvalidState(_l("Choose an innovation listed in this announcement."))
    missing = [
        f
        for f, v in (("name", name), ("contact", contact), ("reason", reason))
        if not (v or "").strip()
    ]
    if missing:
        raise IncompleteError(missing)
    abuse.check_rate(announcement_id=announcement.id, address=address, now=now)
    abuse.check_repeated(announcement=announcement, entry_id=entry_id, reason=reason)
    upload = None
    if evidence_file is not None:
        filename, stream = evidence_file
        upload = read_upload(filename, stream, AttachmentKind.DATA)
        abuse.check_bytes(announcement=announcement, address=address, size=len(upload[1]), now=now)
    objection = Objection(
        announcement=announcement,
        entry_id=entry_id,
        name=name.strip(),
        contact=contact.strip(),
        reason=reason.strip(),
        evidence=(evidence or "").strip(),
        created_at=now,
        access_token=secrets.token_urlsafe(32),
        address=(address or "")[:64],
    )
    if upload is not None:
        original, data, content_type = upload
        objection.evidence_name, objection.evidence_content_type = original, content_type
        objection.evidence_size = len(data)
        objection.evidence_stored_name = write_file("objection", content_type, data)
    db.session.add(objection)
    db.session.flush()
    return objection


@records_actor
def decide_objection(
    *, objection: Objection, upheld: bool, reason: str, actor: User, now: datetime
) -> Objection:
    if not actor.is_committee:
        raise NotAllowed()
    if objection.announcement.finalized_at is not None:
        raise InvalidState(_l("This announcement is final."))
    if not (reason or "").strip():
        raise IncompleteError(["reason"], _l("Give the reason for the decision."))
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    objection.decision_reason = reason.strip()
    objection.decided_at, objection.decided_by_id = now, actor.id
    db.session.flush()
    return objection


@records_actor
def reject_objections(
    *, announcement: Announcement, objection_ids: set[int], reason: str, actor: User, now: datetime
) -> int:
    """Reject at once, with one reason, the pending objections of ``announcement`` among
    ``objection_ids`` (obvious spam); returns how many. Others are left alone."""
    chosen = [
        o
        for o in announcement.objections
        if o.id in objection_ids and o.status == ObjectionStatus.PENDING
    ]
    for objection in chosen:
        decide_objection(objection=objection, upheld=False, reason=reason, actor=actor, now=now)
    return len(chosen)


@records_actor
def finalize(*, announcement: Announcement, actor: User, now: datetime) -> Announcement:
    """Make the list final: only after the objection window has closed and every objection
    has been decided."""
    if not actor.is_committee:
        raise NotAllowed()
    if announcement.objections_close_at and now <= announcement.objections_close_at:
        raise InvalidState(_l("The objection period is still open."))
    pending = sum(o.status == ObjectionStatus.PENDING for o in announcement.objections)
    if pending:
        raise InvalidState(
            lazy_ngettext(
                "%(num)d objection still needs a decision.",
                "%(num)d objections still need a decision.",
                pending,
            )
        )
    struck = struck_entries(announcement)
    _struck_do_not_go_on(announcement, struck, actor=actor, now=now)
    announcement.finalized_at = now
    db.session.flush()
    messages.list_final(
        announcement=announcement,
        entries=listed_entries(announcement),
        struck=struck_entries(announcement),
        now=now,
    )
    return announcement


def _struck_do_not_go_on(
    announcement: Announcement, struck: list[tuple[Entry, Objection]], *, actor: User, now
) -> None:
    """When the list becomes final, an entry struck off by an upheld objection does not go
    on: after the administrative screening it is found not eligible, after a scored stage its
    advancement into the next stage is withdrawn; either way with the objection's reference
    and the committee's reason, recorded on the entry for its OPD. (A published winner struck
    off keeps its published place: a correction of the results is the committee's to make.)"""
    if not struck:
        return
    stage = announcement.stage
    why = {e.id: f"Sanggahan {o.reference} diterima: {o.decision_reason}" for e, o in struck}
    if stage.kind == StageKind.SCREENING:
        for entry, _objection in struck:
            if entry.screening != Screening.INELIGIBLE:
                screening.decide(
                    entry=entry, eligible=False, reason=why[entry.id], actor=actor, now=now
                )
        return
    if stage.kind != StageKind.SCORED:
        return
    withdrawn = list(
        db.session.scalars(
            select(Advancement).where(
                Advancement.from_stage_id == stage.id, Advancement.entry_id.in_(list(why))
            )
        )
    )
    if not withdrawn:
        return
    left = db.session.scalar(
        select(func.count(Advancement.id)).where(
            Advancement.to_stage_id == withdrawn[0].to_stage_id,
            Advancement.entry_id.not_in(list(why)),
        )
    )
    if not left:  # without any advancement every entry would take part in the next stage
        raise InvalidState(
            _l(
                "Every entry that advanced would be struck off, which would open the next "
                "stage to every entry: review the objection decisions before making this list "
                "final."
            )
        )
    for row in withdrawn:
        db.session.delete(row)
        db.session.add(
            EntryEvent(
                entry_id=row.entry_id,
                stage_id=stage.id,
                actor_id=actor.id,
                action="not_advanced_objection",
                reason=why[row.entry_id],
                created_at=now,
            )
        )
    db.session.flush()


def _date_id(value: datetime) -> str:
    return local_date(value)


def _qr_png(url: str) -> io.BytesIO:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=4, border=1)
    buf.seek(0)
    return buf


TABLE_WIDTHS = (10, 80, 60, 40)  # mm: No, title, OPD, category
LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _table_head(pdf) -> None:
    pdf.set_font(SANS, "B", 9)
    for width, head in zip(TABLE_WIDTHS, ("No", "Judul Inovasi", "OPD / Unit", "Kategori")):
        pdf.cell(width, 7, head, border=1)
    pdf.ln()


def _table_row(cells: tuple[str, ...]) -> Block:
    """A ``Block``: one row of the list, on the next page when it does not fit on this one; a
    row that starts a page (the closing took the last row along) is under the heading row
    again."""

    def draw(pdf) -> None:
        pdf.set_font(SANS, "", 8)
        h = max(text_height(pdf, w, 4.5, t) for w, t in zip(TABLE_WIDTHS, cells))
        if pdf.will_page_break(h):
            pdf.add_page()
        if pdf.get_y() <= pdf.t_margin + 1e-6:
            _table_head(pdf)
            pdf.set_font(SANS, "", 8)
        x, y = pdf.get_x(), pdf.get_y()
        for width, text in zip(TABLE_WIDTHS, cells):
            pdf.rect(x, y, width, h)
            pdf.set_xy(x, y)
            pdf.multi_cell(width, 4.5, text, align="L")
            x += width
        pdf.set_xy(pdf.l_margin, y + h)

    return draw


def _lines(texts: list[str], *, before: float) -> Block:
    """A ``Block``: ``before`` mm of space, then each of ``texts`` as a 10 pt paragraph, then 2 mm."""

    def draw(pdf) -> None:
        pdf.ln(before)
        pdf.set_font(SANS, "", 10)
        for text in texts:
            pdf.multi_cell(0, 5, text, **LINE)
        pdf.ln(2)

    return draw


def _qr_beside(address: str) -> Block:
    """A ``Block`` for the left-hand column beside a single signatory: the public page's QR
    code with a short caption (the address itself is in the paragraph above)."""
    qr = _qr_png(address).getvalue()

    def draw(pdf) -> None:
        x, y = pdf.l_margin, pdf.get_y()
        pdf.image(io.BytesIO(qr), x=x, y=y, w=26, h=26)
        pdf.set_font(SANS, "", 9)
        pdf.set_xy(x + 29, y + 3)
        pdf.multi_cell(pdf.epw / 2 - 33, 4.5, "Pindai kode QR ini untuk membuka laman pengumuman.")
        pdf.set_font(SANS, "", 10)

    return draw


def render_pdf(
    announcement: Announcement,
    committee_name: str = "Panitia",
    address: str | None = None,
    *,
    letterhead: Letterhead | None = None,
    signer: Signer | None = None,
    place: str = "",
    anchor=None,
) -> bytes:
    """The announcement as an A4 PDF in Bahasa Indonesia, the language of official letters,
    in the shared ``competition.pdf`` document (embedded font, PDF/A-2B, "Halaman X dari Y"),
    dated by its issue, so the same announcement gives the same bytes.

    ``letterhead`` is the kop surat (government, organiser, address, logo); ``signer`` the
    named signatory (else ``committee_name`` signs); ``place`` where it was signed. With
    ``address`` (the public page's absolute URL) the letter prints it and its QR code, so a
    reader of the paper copy finds the page where objections are filed. ``anchor`` (the audit
    trail's at the issue, ``competition.audit.services.anchor_until``) is printed in the
    footer."""
    pdf = Document(
        title=f"Pengumuman {announcement.number}",
        subject=f"Pengumuman {announcement.title}",
        created_at=announcement.issued_at,
        footer_note=f"Jejak audit: {anchor}" if anchor else "",
    )
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    draw_letterhead(pdf, letterhead or Letterhead())
    pdf.set_font(SANS, "B", 14)
    pdf.cell(0, 8, "PENGUMUMAN", align="C", **LINE)
    pdf.set_font(SANS, "", 11)
    pdf.cell(0, 6, f"Nomor: {announcement.number}", align="C", **LINE)
    pdf.ln(2)
    pdf.set_font(SANS, "B", 11)
    pdf.multi_cell(0, 6, f"TENTANG {announcement.title.upper()}", align="C", **LINE)
    pdf.set_font(SANS, "", 10)
    pdf.ln(4)
    listed = listed_entries(announcement)
    next_stage = goes_on_to(announcement)
    going = f" yang lolos ke tahap {next_stage.name}" if next_stage else ""
    pdf.multi_cell(
        0,
        5,
        f"Berdasarkan hasil tahap {announcement.stage.name} pada {announcement.round.name}, "
        f"dengan ini diumumkan {len(listed)} inovasi{going} berikut, disusun per kategori "
        "menurut abjad nama instansi (urutan ini bukan peringkat):",
        **LINE,
    )
    pdf.ln(2)
    rows = [
        (str(n), entry.title, entry.organisation.name, entry.category.name)
        for n, entry in enumerate(listed, start=1)
    ]
    # The table's heading row stays with its first row, and is repeated on every page the
    # list runs onto.
    keep_together(pdf, _table_head, then=_table_row(rows[0]) if rows else None)
    parts: list[Block] = [_table_row(cells) for cells in rows]
    struck = struck_entries(announcement)
    if struck:  # the committee upheld an objection: the entry is off the list, said here
        lines = [
            f"- {entry.title} ({entry.organisation.name}), sanggahan "
            f"{objection.reference}: {objection.decision_reason}"
            for entry, objection in struck
        ]
        parts.append(_lines(["Dicoret dari daftar karena sanggahan diterima:", *lines], before=4))
    notice: list[Block] = []  # the objection sentence and the address it points to
    # The letter has one signatory, so the closing's left-hand column is free: the QR code
    # goes there and the address into the sentence above it (~30 mm less than a QR block of
    # its own, which put the demo's Top 15 onto a second page).
    beside = _qr_beside(address) if address else None
    if announcement.objections_close_at:
        where = (
            f"melalui laman pengumuman {address} (kode QR di bawah ini)"
            if address
            else "melalui laman pengumuman ini"
        )
        notice.append(
            _lines(
                [
                    "Masyarakat dapat menyampaikan sanggahan terhadap inovasi di atas sampai "
                    f"dengan {_date_id(announcement.objections_close_at)} {where}."
                ],
                before=0 if struck else 4,
            )
        )
    elif address:
        notice.append(
            _lines(
                [f"Laman pengumuman: {address} (kode QR di bawah ini)."],
                before=0 if struck else 4,
            )
        )
    if notice:
        parts.append(together(*notice))
    # The closing stays with the last of it (the objection sentence and the QR code, or the
    # list's last row): never the signature block alone on a page.
    for part in parts[:-1]:
        part(pdf)
    draw_closing(
        pdf,
        parts[-1] if parts else space(0),
        place_date=f"{place + ', ' if place else ''}{_date_id(announcement.issued_at)}",
        signers=[signer or Signer("", committee_name)],
        gap=2 if notice or struck else 6,
        beside=beside,
    )
    return bytes(pdf.output())
