"""Plain functions that add rows and flush (no commit), for arranging tests quickly."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from competition.accounts.models import Organisation, User
from competition.db import db, utcnow
from competition.entries.models import Attachment, AttachmentKind, Entry, EntryStatus
from competition.roles import Role
from competition.rounds.models import Category, Round, RoundStatus, Stage
from competition.storage import get_storage
from judging.panels.models import Assignment
from judging.scoring.models import Criterion

PASSWORD = "rahasia-123"

# Small files of each type (the PDF only carries the signature: PDFs are not parsed).
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _image(fmt: str) -> bytes:
    """A real 1×1 image: uploaded images are checked with Pillow (competition.images)."""
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format=fmt)
    return buf.getvalue()


PNG_BYTES = _image("PNG")
JPEG_BYTES = _image("JPEG")

# A complete proposal of the general group (every section answered, within its limit).
SECTION_TEXTS = {
    "summary": "Layanan administrasi kependudukan daring tanpa antre.",
    "novelty": "Antrean panjang diganti permohonan daring dengan tanda tangan elektronik.",
    "impact": "Waktu layanan turun dari tujuh hari menjadi satu hari kerja.",
    "sdg": "Mendukung SDG 16.9 identitas hukum bagi semua warga.",
    "adaptability": "Sudah ditiru oleh dua kabupaten tetangga.",
    "sustainability": "Diatur Peraturan Wali Kota dan dianggarkan setiap tahun.",
    "collaboration": "Bekerja sama dengan kelurahan dan rumah sakit.",
}

CRITERIA = [
    ("Kebaruan", 25),
    ("Efektivitas", 25),
    ("Kemanfaatan", 20),
    ("Dapat direplikasi", 15),
    ("Keberlanjutan", 15),
]


def make_user(
    *,
    role: str,
    username: str,
    name: str | None = None,
    organisation: Organisation | None = None,
    password: str = PASSWORD,
) -> User:
    user = User(
        username=username, name=name or username, role=Role(role), organisation=organisation
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_opd_user(org_name: str, *, username: str) -> User:
    org = Organisation(name=org_name)
    db.session.add(org)
    return make_user(role="opd", username=username, name=f"Admin {org_name}", organisation=org)


def make_round(
    *,
    name: str = "KOINYANLIK 2026",
    days_open: int = 10,
    status: RoundStatus = RoundStatus.OPEN,
    categories=("Dinas/Badan",),
) -> Round:
    now = utcnow()
    round_ = Round(
        name=name,
        slug=name.lower().replace(" ", "-"),
        description="",
        status=status,
        submission_opens_at=now - timedelta(days=5),
        submission_closes_at=now + timedelta(days=days_open),
    )
    db.session.add(round_)
    for c in categories:
        db.session.add(Category(round=round_, name=c))
    db.session.flush()
    return round_


def make_stage(
    round_: Round, *, closes_in_days: int = 7, criteria=CRITERIA, method: str = ""
) -> Stage:
    now = utcnow()
    stage = Stage(
        round=round_,
        name="Penilaian Proposal",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=closes_in_days),
        scale_min=1,
        scale_max=10,
        method=method,
        position=len(round_.stages),
    )
    db.session.add(stage)
    db.session.flush()
    for i, (name, weight) in enumerate(criteria):
        db.session.add(Criterion(stage_id=stage.id, name=name, weight=weight, position=i))
    db.session.flush()
    return stage


def new_entry(
    round_: Round,
    user: User,
    *,
    title: str = "SI-PANDAI",
    submitted: bool = True,
    category: Category | None = None,
) -> Entry:
    """A complete proposal of ``user``'s organisation, added to the session (not flushed)."""
    now = utcnow()
    entry = Entry(
        round=round_,
        category=category or round_.categories[0],
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        title=title,
        innovation_started_on=date(2023, 1, 2),
        innovators="Rina, Kepala Seksi, 0811111111",
        truth_declared_at=now,
        **SECTION_TEXTS,
        status=EntryStatus.SUBMITTED if submitted else EntryStatus.DRAFT,
        submitted_at=now if submitted else None,
    )
    db.session.add(entry)
    return entry


def add_sk(entry: Entry) -> None:
    """The SK decree a submission needs (a row only: no file is written); ``entry`` has an id."""
    db.session.add(
        Attachment(
            entry=entry,
            kind=AttachmentKind.SK,
            original_name="sk.pdf",
            stored_name=f"{entry.id}-factory-sk.pdf",
            content_type="application/pdf",
            size=1000,
        )
    )


def make_entry(
    round_: Round,
    user: User,
    *,
    title: str = "SI-PANDAI",
    submitted: bool = True,
    category: Category | None = None,
) -> Entry:
    entry = new_entry(round_, user, title=title, submitted=submitted, category=category)
    db.session.flush()
    add_sk(entry)
    db.session.flush()
    return entry


def make_assignment(stage: Stage, entry: Entry, judge: User) -> Assignment:
    assignment = Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_attachment(
    entry: Entry,
    *,
    kind: str = "data",
    data: bytes = PDF_BYTES,
    content_type: str = "application/pdf",
) -> Attachment:
    """An attachment with its file in the app's storage."""
    attachment = Attachment(
        entry=entry,
        kind=AttachmentKind(kind),
        original_name=f"{kind}.bin",
        stored_name=f"{entry.id}-{kind}-{len(entry.attachments)}.bin",
        content_type=content_type,
        size=len(data),
    )
    db.session.add(attachment)
    db.session.flush()
    get_storage().put(attachment.stored_name, data, content_type)
    return attachment


def make_agency_admin(agency_name: str, *, username: str) -> User:
    """The Admin Lokal of a new participating agency."""
    org = Organisation(name=agency_name)
    db.session.add(org)
    return make_user(
        role="agency", username=username, name=f"Admin Lokal {agency_name}", organisation=org
    )
