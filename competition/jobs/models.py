"""The state of each background job, as the pages show it: what it does (``kind``), where it is
(``state``, ``progress_done``/``progress_total``), what it produced (``result_key`` in the
storage, a small JSON ``result``) or why it failed, how many attempts it took and who asked."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import UTCDateTime, db, utcnow


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    # What the job is about, e.g. "round:12": the pages find the latest job of an object by it.
    subject: Mapped[str] = mapped_column(String(100), default="", server_default="", index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED, index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    result_key: Mapped[str] = mapped_column(String(300), default="", server_default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The procrastinate job carrying it (PostgreSQL); None when run in-process.
    queue_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last sign of life from the process holding it (the in-process runner of SQLite beats
    # every few seconds for each job it has queued or runs; procrastinate keeps its own).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return int(100 * self.progress_done / self.progress_total)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "done": self.progress_done,
            "total": self.progress_total,
            "finished": self.state == JobState.DONE,
            "failed": self.state == JobState.FAILED,
            "percent": self.percent,
        }
