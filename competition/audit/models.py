"""Audit records and the head of their hash chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import UTCDateTime, db


class AuditRecord(db.Model):
    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(30), index=True)
    target_type: Mapped[str] = mapped_column(String(50), index=True)
    target_id: Mapped[str] = mapped_column(String(50), default="")
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """One row: the hash of the last record and the chain's length. Each writing transaction
    updates it just before its commit (``competition.audit.services``), which serializes the
    appends for that moment only. ``keyed_from`` is the position (1-based) of the first record hashed with the
    audit key (HMAC); the records before it were written with the older unkeyed SHA-256 and
    NULL means no keyed record yet (a chain from before keying). ``key_id`` names the key that
    writes the chain (a fingerprint, not the key), so a changed key is reported as such."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=0)
    keyed_from: Mapped[int | None] = mapped_column()
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")
