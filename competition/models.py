"""What is competed: users and their organisations (OPDs), rounds, categories, stages, entries,
published results and award certificates."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from competition.db import UTCDateTime, db, utcnow
from competition.proposal import (
    SECTION_NAMES,
    EntryGroup,
    Section,
    active_sections,
    configured_sections,
    limits,
)


class Role(enum.StrEnum):
    COMMITTEE = "committee"
    JUDGE = "judge"
    OPD = "opd"
    AGENCY = "agency"  # Admin Lokal: the local administrator of a participating agency


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class StageKind(enum.StrEnum):
    """What happens in a stage: OPDs submit, the committee screens, judges score, or the
    committee announces."""

    SUBMISSION = "submission"
    SCREENING = "screening"
    SCORED = "scored"
    ANNOUNCEMENT = "announcement"


class Screening(enum.StrEnum):
    """The administrative screening decision on a submitted entry."""

    PENDING = "pending"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class EntryStatus(enum.StrEnum):
    """A unit of an agency that has an Admin Lokal hands its entry to the Admin Lokal
    (``agency_review``), who submits it to the committee or returns it as a draft."""

    DRAFT = "draft"
    AGENCY_REVIEW = "agency_review"
    SUBMITTED = "submitted"


def _enum(e):
    return db.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class Organisation(db.Model):
    """An OPD (Organisasi Perangkat Daerah) or another participating unit. A unit (UPP: a
    dinas, puskesmas, kecamatan...) may belong to a participating agency (``parent``), whose
    local administrator (Admin Lokal) creates its accounts and reviews its proposals."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Where it is, so the committee sees how finalists spread over the country: the
    # kabupaten/kota (e.g. "Kota Palembang") and the province, as typed. Empty: unknown (a
    # unit then counts under its agency's region).
    region: Mapped[str] = mapped_column(String(200), default="", server_default="")
    province: Mapped[str] = mapped_column(String(100), default="", server_default="")

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    parent: Mapped[Organisation | None] = relationship(remote_side="Organisation.id",
                                                       back_populates="units")
    units: Mapped[list[Organisation]] = relationship(back_populates="parent",
                                                     order_by="Organisation.name")

    @property
    def place(self) -> tuple[str, str]:
        """``(region, province)``, the agency's when this unit has none of its own."""
        if not self.region and not self.province and self.parent is not None:
            return self.parent.place
        return self.region, self.province

    @property
    def agency_id(self) -> int:
        """The participating agency this organisation counts under (itself at the top)."""
        return self.parent_id or self.id


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(_enum(Role))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session cookie; rotating it ends every session of the account
    # (logout, password change, deactivation: see competition.sessions).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16),
                                               server_default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        # scrypt is werkzeug's default KDF: memory-hard, salted.
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login stores this in the session cookie
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_committee(self) -> bool:
        return self.role == Role.COMMITTEE

    @property
    def is_judge(self) -> bool:
        return self.role == Role.JUDGE

    @property
    def is_opd(self) -> bool:
        return self.role == Role.OPD

    @property
    def is_agency_admin(self) -> bool:
        return self.role == Role.AGENCY


class Round(db.Model):
    """One competition round, e.g. KOINYANLIK 2026, with its submission window."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.DRAFT)
    submission_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The most entries one participating organisation may submit per group (None: no cap);
    # KIPP 2021 allowed 10 general and 5 replication entries per agency.
    cap_umum: Mapped[int | None]
    cap_replikasi: Mapped[int | None]
    cap_khusus: Mapped[int | None]
    # Word limits the committee set for this round, section name -> words (see
    # competition.proposal.limits); sections not named keep the KIPP default.
    word_limits: Mapped[dict] = mapped_column(db.JSON, default=dict,
                                              server_default=sa_text("'{}'"))
    # The committee's changes to the proposal's sections in this round: renamed and
    # switched-off sections, and its own sections (see competition.proposal.configured_sections).
    section_settings: Mapped[dict] = mapped_column(db.JSON, default=dict,
                                                   server_default=sa_text("'{}'"))
    # The special group (khusus) is by invitation: ids of the invited organisations (an
    # invited agency's units are invited with it).
    khusus_invited: Mapped[list] = mapped_column(db.JSON, default=list,
                                                 server_default=sa_text("'[]'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="round", order_by="Category.id", cascade="all, delete-orphan"
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="round", order_by="Stage.position", cascade="all, delete-orphan"
    )
    entries: Mapped[list[Entry]] = relationship(back_populates="round", order_by="Entry.id")

    @property
    def section_limits(self) -> dict[str, int]:
        """The word limit of every section in this round."""
        return limits(self.word_limits, self.section_settings)

    def configured_sections(self) -> list[tuple[Section, bool]]:
        """Every section with whether it is switched on in this round."""
        return configured_sections(self.section_settings, self.word_limits)

    def sections_for(self, group: EntryGroup | str | None = None) -> list[Section]:
        """The sections of this round's form (of ``group``'s form when given)."""
        return active_sections(self.section_settings, self.word_limits, group)

    def cap_for(self, group: EntryGroup) -> int | None:
        return getattr(self, f"cap_{EntryGroup(group).value}")

    def accepts_submissions(self, now: datetime) -> bool:
        return (
            self.status == RoundStatus.OPEN
            and self.submission_opens_at <= now <= self.submission_closes_at
        )


class Category(db.Model):
    """A category (cluster) of a round; an entry belongs to exactly one."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("round_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="categories")


class Stage(db.Model):
    """A stage of a round's timeline; a scored stage has a rubric (see ``judging.models``)."""

    __tablename__ = "stages"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[StageKind] = mapped_column(
        _enum(StageKind), default=StageKind.SCORED, server_default=StageKind.SCORED.value)
    is_skipped: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=10)
    # The normalization method (a judging.normalize name); "" until chosen or first scored.
    method: Mapped[str] = mapped_column(String(20), default="")
    winners_per_category: Mapped[int] = mapped_column(default=3)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # judging settings (used by judging/: assignment, rubric, blind review)
    judges_per_entry: Mapped[int] = mapped_column(default=3, server_default="3")
    blind_review: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A total at or above which an entry qualifies (e.g. KIPP finalists: 85 of 100); optional.
    pass_mark: Mapped[float | None]
    # Weight of this scored stage in the round's combined final ranking, in percent (desk 40,
    # presentation 30, field 30); None on every stage: no combined ranking (judging.combined).
    weight: Mapped[float | None]

    round: Mapped[Round] = relationship(back_populates="stages")

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at

    @property
    def is_scored(self) -> bool:
        return self.kind == StageKind.SCORED


class Entry(db.Model):
    """An OPD's innovation proposal in a round."""

    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    group: Mapped[EntryGroup] = mapped_column(
        _enum(EntryGroup), default=EntryGroup.UMUM, server_default=EntryGroup.UMUM.value)
    # Header of the proposal.
    innovation_started_on: Mapped[date | None] = mapped_column(Date)
    innovators: Mapped[str] = mapped_column(Text, default="", server_default="")
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    truth_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # KIPP sections (see competition.proposal for labels, limits and groups).
    summary: Mapped[str] = mapped_column(Text, default="")
    novelty: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    sdg: Mapped[str] = mapped_column(Text, default="", server_default="")
    adaptability: Mapped[str] = mapped_column(Text, default="", server_default="")
    sustainability: Mapped[str] = mapped_column(Text, default="", server_default="")
    collaboration: Mapped[str] = mapped_column(Text, default="", server_default="")
    inspiration: Mapped[str] = mapped_column(Text, default="", server_default="")
    replication_process: Mapped[str] = mapped_column(Text, default="", server_default="")
    distinguishing: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Texts of the round's own sections (Round.section_settings["custom"]), name -> text.
    custom_texts: Mapped[dict] = mapped_column(db.JSON, default=dict,
                                               server_default=sa_text("'{}'"))
    # Sections of the first, pre-KIPP form: no longer filled (folded into novelty and
    # sustainability by migration 5c1e0f4a7b21); kept so older rows and code still load.
    problem: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus), default=EntryStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the committee reopens a submitted entry: the OPD may then edit and submit it
    # again although the submission window has closed (this entry only).
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Administrative screening: only eligible entries reach judging once the round has a
    # screening stage (see ``competition.entries.in_stage``).
    screening: Mapped[Screening] = mapped_column(
        _enum(Screening), default=Screening.PENDING, server_default=Screening.PENDING.value)
    screening_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: the proposal form carries it, a stale save (another tab) is refused
    # (competition.entry_lock), and a concurrent UPDATE raises instead of overwriting.
    # Committee actions re-read the row first (competition.entries.reread_for_update).
    version_id: Mapped[int] = mapped_column(default=1, server_default="1")

    round: Mapped[Round] = relationship(back_populates="entries")
    category: Mapped[Category] = relationship()
    organisation: Mapped[Organisation] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan")
    events: Mapped[list[EntryEvent]] = relationship(
        back_populates="entry", order_by="EntryEvent.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def sections(self):
        """``(Section, text)`` for each section of the entry's group switched on in its
        round, in form order (a switched-off section's text is kept, not shown)."""
        return [(s, self.section_text(s.name)) for s in self.round.sections_for(self.group)]

    def section_text(self, name: str) -> str:
        """The text of a KIPP section (a column) or of a round's own section."""
        if name in SECTION_NAMES:
            return getattr(self, name) or ""
        return (self.custom_texts or {}).get(name) or ""

    @property
    def is_submitted(self) -> bool:
        return self.status == EntryStatus.SUBMITTED

    @property
    def is_in_agency_review(self) -> bool:
        return self.status == EntryStatus.AGENCY_REVIEW


class Publication(db.Model):
    """One frozen, versioned publication of a stage's ranking. Never updated once written: a
    correction is a new version with a reason (see ``competition.awards``)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("stage_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    version: Mapped[int]
    method: Mapped[str] = mapped_column(String(20))
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: method parameters, awards
    scores_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the input scores
    n_sheets: Mapped[int] = mapped_column(default=0)
    style: Mapped[str] = mapped_column(String(20), default="ranked")
    reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stage: Mapped[Stage] = relationship()
    published_by: Mapped[User | None] = relationship()


class EntryEvent(db.Model):
    """A recorded committee decision on an entry, with its reason: reopening, screening,
    advancement and overrides. The entry's history for the committee and the OPD."""

    __tablename__ = "entry_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="events")
    stage: Mapped[Stage | None] = relationship()
    actor: Mapped[User | None] = relationship()


class Advancement(db.Model):
    """An entry advanced from a scored stage into the next one, as confirmed by the committee.
    Once a stage has advancements, only the advanced entries take part in it; the others keep
    their scores in the earlier stage."""

    __tablename__ = "advancements"
    __table_args__ = (UniqueConstraint("to_stage_id", "entry_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    from_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    rank: Mapped[int] = mapped_column(default=0)  # place in its category in the earlier stage
    score: Mapped[float | None]
    is_override: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()


class Announcement(db.Model):
    """An official announcement of a stage's result: numbered, dated, listing the entries
    that pass (a snapshot of their ids), downloadable as PDF. It may open a public objection
    window (uji publik); the list becomes final once every objection has been decided."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("round_id", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    entry_ids: Mapped[list] = mapped_column(db.JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    objections_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    stage: Mapped[Stage] = relationship()
    objections: Mapped[list[Objection]] = relationship(
        back_populates="announcement", order_by="Objection.id", cascade="all, delete-orphan")

    def objections_open(self, now: datetime) -> bool:
        return self.objections_close_at is not None and self.finalized_at is None \
            and self.issued_at <= now <= self.objections_close_at


class ObjectionStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Objection(db.Model):
    """A public objection (sanggahan) against an entry of an announcement, filed by anyone
    during the objection window; the committee decides it with a recorded reason."""

    __tablename__ = "objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")  # a link or a description
    # An optional evidence file (PDF, JPEG or PNG, checked by content), seen by the committee.
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_stored_name: Mapped[str | None] = mapped_column(String(100))
    evidence_content_type: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[ObjectionStatus] = mapped_column(
        _enum(ObjectionStatus), default=ObjectionStatus.PENDING)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    announcement: Mapped[Announcement] = relationship(back_populates="objections")
    entry: Mapped[Entry] = relationship()


class AttachmentKind(enum.StrEnum):
    SK = "sk"  # the decree (Surat Keputusan) naming the innovation team
    DATA = "data"  # supporting data
    PHOTO = "photo"


class Attachment(db.Model):
    """A file attached to an entry. Stored under ``UPLOAD_FOLDER`` with a generated name; the
    type was read from the content, never from the uploaded name."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(_enum(AttachmentKind))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class Result(db.Model):
    """One entry's place in a publication (a plain row handed over by judging, frozen)."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("publication_id", "entry_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    rank: Mapped[int]
    score: Mapped[float]
    raw_score: Mapped[float]
    n_judges: Mapped[int]
    award: Mapped[str] = mapped_column(String(100), default="", server_default="")
    prize: Mapped[int | None]  # rupiah
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)

    publication: Mapped[Publication | None] = relationship()
    stage: Mapped[Stage] = relationship()
    entry: Mapped[Entry] = relationship()
    category: Mapped[Category] = relationship()


class CertificateKind(enum.StrEnum):
    AWARD = "award"
    PARTICIPATION = "participation"
    APPRECIATION = "appreciation"  # for judges
    SPECIAL = "special"  # a special award the committee gives to one entry


class Certificate(db.Model):
    """A certificate; ``code`` is the public number printed on it (see ``competition.numbers``).
    It keeps its own copy of what is printed (holder, title, award), so it reads the same
    whatever happens later; it is revoked, never deleted or edited."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=CertificateKind.AWARD,
                                      server_default="award")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    holder: Mapped[str] = mapped_column(String(300), default="", server_default="")
    title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category: Mapped[str] = mapped_column(String(200), default="", server_default="")
    award: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    round: Mapped[Round | None] = relationship()
    result: Mapped[Result | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AwardLevel(db.Model):
    """An award of a round given per category to the entries placed up to ``up_to_rank``
    (levels are tried in ``position`` order; the first that fits is given)."""

    __tablename__ = "award_levels"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(100))
    up_to_rank: Mapped[int]
    prize: Mapped[int | None]  # rupiah


class AwardSettings(db.Model):
    """A round's publication style, announcement and certificate layout (issuer, logo,
    signatories). Files are stored under the upload folder; the columns hold their names."""

    __tablename__ = "award_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    style: Mapped[str] = mapped_column(String(20), default="ranked", server_default="ranked")
    announcement: Mapped[str] = mapped_column(Text, default="", server_default="")
    government: Mapped[str] = mapped_column(String(200), default="", server_default="")
    place: Mapped[str] = mapped_column(String(100), default="", server_default="")
    logo: Mapped[str | None] = mapped_column(String(200))
    signer1_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer1_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer1_image: Mapped[str | None] = mapped_column(String(200))
    signer2_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer2_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer2_image: Mapped[str | None] = mapped_column(String(200))
