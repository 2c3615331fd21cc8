"""Rubric criteria, score sheets, their scores and their change history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from competition.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from competition.accounts.models import User
    from competition.rounds.models import Stage
    from judging.panels.models import Assignment


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Criterion(db.Model):
    """One weighted criterion of a scored stage's rubric."""

    __tablename__ = "criteria"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]  # percent; a complete rubric's weights sum to 100
    position: Mapped[int] = mapped_column(default=0)
    # What a score means, per band of the stage's scale, so judges score alike:
    # [{"lo": 1, "hi": 3, "label": "kurang"}, ...] (ascending, within the scale).
    bands: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    comment_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    stage: Mapped[Stage] = relationship()


class ScoreSheet(db.Model):
    """A judge's scores for one assignment. ``version_id`` makes a concurrent overwrite fail
    instead of silently losing one of the two saves."""

    __tablename__ = "score_sheets"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    status: Mapped[SheetStatus] = mapped_column(
        db.Enum(
            SheetStatus,
            native_enum=False,
            length=20,
            values_callable=lambda x: [m.value for m in x],
        ),
        default=SheetStatus.DRAFT,
    )
    total: Mapped[float | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    # Assignment.sheet is declared here, on the side that depends on panels (no import cycle).
    assignment: Mapped[Assignment] = relationship(
        backref=backref("sheet", uselist=False, cascade="all, delete-orphan")
    )
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")
    changes: Mapped[list[ScoreChange]] = relationship(
        cascade="all, delete-orphan", order_by="ScoreChange.id"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


class Score(db.Model):
    """One criterion's score and comment on a sheet."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    value: Mapped[float | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ScoreChange(db.Model):
    """One recorded change of a sheet: ``event`` "score" is a criterion's score (or comment)
    going from old to new; "submitted" and "reopened" are events of the sheet itself
    (``note``: the committee's reason for reopening)."""

    __tablename__ = "score_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(20), default="score")
    old_value: Mapped[float | None]
    new_value: Mapped[float | None]
    comment_changed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion | None] = relationship()
    changed_by: Mapped[User] = relationship()
