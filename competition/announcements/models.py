"""Official announcements of a stage's result and the objections the public files against them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.db import UTCDateTime, _enum, db, utcnow

if TYPE_CHECKING:
    from competition.entries.models import Entry
    from competition.rounds.models import Round, Stage


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
        back_populates="announcement", order_by="Objection.id", cascade="all, delete-orphan"
    )

    def objections_open(self, now: datetime) -> bool:
        return (
            self.objections_close_at is not None
            and self.finalized_at is None
            and self.issued_at <= now <= self.objections_close_at
        )


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
    evidence_size: Mapped[int | None]  # bytes, for the limits per announcement and address
    # The client's address, for the limits per address (competition.announcements.abuse).
    address: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    status: Mapped[ObjectionStatus] = mapped_column(
        _enum(ObjectionStatus), default=ObjectionStatus.PENDING
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The objector's private link (/announcements/objections/<token>) to follow the decision:
    # unguessable, so the page shows nothing to whoever does not hold it.
    access_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    announcement: Mapped[Announcement] = relationship(back_populates="objections")
    entry: Mapped[Entry] = relationship()

    @property
    def reference(self) -> str:
        """The number the objector quotes to the committee: announcement and objection."""
        return f"SGH-{self.announcement_id:03d}-{self.id:04d}"
