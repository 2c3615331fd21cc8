"""The shared caches of computed rankings (``judging.analysis.shared_cache``): one row per
result, keyed by a digest of its exact input and settings, read by every process of every
server. ``UncertaintyCache`` holds the judge model's uncertain rankings (large: the posterior
draws), ``RankingCache`` a stage's point ranking per method and its bootstrap (small)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import UTCDateTime, db, utcnow


class UncertaintyCache(db.Model):
    __tablename__ = "uncertainty_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: a cache row never holds a stage back; pruning removes it in time.
    stage_id: Mapped[int] = mapped_column(Integer, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # shared_cache.dump(UncertainRanking)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RankingCache(db.Model):
    __tablename__ = "ranking_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key, as above
    kind: Mapped[str] = mapped_column(String(32))  # "ranking" or "bootstrap"
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # shared_cache.dump(...)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
