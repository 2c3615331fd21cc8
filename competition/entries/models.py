"""Entries (an OPD's innovation proposal in a round), their history, their advancement between
stages and their attachments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from competition.db import UTCDateTime, _enum, db, utcnow
from competition.rounds.sections import (
    SECTION_NAMES,
    EntryGroup,
)

if TYPE_CHECKING:
    from competition.accounts.models import Organisation, User
    from competition.rounds.models import Category, Round, Stage


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
        _enum(EntryGroup), default=EntryGroup.UMUM, server_default=EntryGroup.UMUM.value
    )
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
    custom_texts: Mapped[dict] = mapped_column(
        db.JSON, default=dict, server_default=sa_text("'{}'")
    )
    # Sections of the first, pre-KIPP form: no longer filled (folded into novelty and
    # sustainability); kept so older rows and code still load.
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
        _enum(Screening), default=Screening.PENDING, server_default=Screening.PENDING.value
    )
    screening_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: the proposal form carries it, a stale save (another tab) is refused
    # (competition.entry_lock), and a concurrent UPDATE raises instead of overwriting.
    # Committee actions re-read the row first (competition.entries.reread_for_update).
    version_id: Mapped[int] = mapped_column(default=1, server_default="1")

    # Round.entries is declared here, on the side that depends on rounds (no import cycle).
    round: Mapped[Round] = relationship(backref=backref("entries", order_by="Entry.id"))
    category: Mapped[Category] = relationship()
    organisation: Mapped[Organisation] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[EntryEvent]] = relationship(
        back_populates="entry", order_by="EntryEvent.id", cascade="all, delete-orphan"
    )

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


class AttachmentKind(enum.StrEnum):
    SK = "sk"  # the decree (Surat Keputusan) naming the innovation team
    DATA = "data"  # supporting data
    PHOTO = "photo"


class Attachment(db.Model):
    """A file attached to an entry. Kept in the app's storage (``competition.storage``) under
    the generated key ``stored_name``; the type was read from the content, never from the
    uploaded name."""

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
    # Set by the committee: judges of a blind-review stage see this file (under a neutral name).
    # Off by default, since an SK or a letterhead names the agency by its nature.
    is_released_for_blind: Mapped[bool] = mapped_column(default=False, server_default=false())

    entry: Mapped[Entry] = relationship(back_populates="attachments")
