"""The shared cache of the stages' uncertain rankings (``judging.analysis.uncertainty``): one
row per fitted input, keyed by its digest, read by every process of every server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import UTCDateTime, db, utcnow


class UncertaintyCache(db.Model):
    __tablename__ = "uncertainty_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: a cache row never holds a stage back; the stage's next fit replaces it.
    stage_id: Mapped[int] = mapped_column(Integer, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # uncertainty.dump_ranking
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
