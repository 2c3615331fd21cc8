"""The outbox: every message Juri writes, sent or not. A message's ``user`` (the account it is
for) is declared by ``competition.accounts.models``: the outbox sits below the accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import UTCDateTime, db, utcnow


class Notification(db.Model):
    """One message in the outbox. ``sent_at`` is set once delivered; ``error`` keeps the last
    delivery failure. An empty ``recipient`` (the account has no email address) is never
    sent: the committee reads it here."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
