"""How it is judged: rubric criteria, assignments of entries to judges, score sheets and scores.

Relationships to competition tables are declared here only (judging may import competition,
never the reverse)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.db import UTCDateTime, db, utcnow
from competition.models import Category, Entry, Organisation, Stage, User


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


class Assignment(db.Model):
    """An entry given to a judge for a stage."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("stage_id", "entry_id", "judge_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Added by hand: an automatic re-run keeps it, like a scored one.
    is_manual: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    stage: Mapped[Stage] = relationship()
    entry: Mapped[Entry] = relationship()
    judge: Mapped[User] = relationship()
    sheet: Mapped[ScoreSheet | None] = relationship(back_populates="assignment", uselist=False,
                                                    cascade="all, delete-orphan")


class ScoreSheet(db.Model):
    """A judge's scores for one assignment. ``version_id`` makes a concurrent overwrite fail
    instead of silently losing one of the two saves."""

    __tablename__ = "score_sheets"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    status: Mapped[SheetStatus] = mapped_column(
        db.Enum(SheetStatus, native_enum=False, length=20,
                values_callable=lambda x: [m.value for m in x]),
        default=SheetStatus.DRAFT,
    )
    total: Mapped[float | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[Assignment] = relationship(back_populates="sheet")
    scores: Mapped[list[Score]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan"
    )
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


class Conflict(db.Model):
    """A declared conflict of interest: the judge never judges the entry, or any entry of the
    organisation. Declared by the committee, or by the judge when recusing from a sheet.
    (A judge's own organisation, ``User.organisation_id``, is a conflict without a row.)"""

    __tablename__ = "conflicts"
    __table_args__ = (
        CheckConstraint("entry_id IS NOT NULL OR organisation_id IS NOT NULL", name="target"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    is_recusal: Mapped[bool] = mapped_column(default=False)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    entry: Mapped[Entry | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    declared_by: Mapped[User | None] = relationship(foreign_keys=[declared_by_id])


class JudgeWithdrawal(db.Model):
    """A judge who withdrew from a stage: no longer assigned there; the sheets they scored
    stay, their unscored entries went to other judges."""

    __tablename__ = "judge_withdrawals"
    __table_args__ = (UniqueConstraint("stage_id", "judge_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship(foreign_keys=[judge_id])


class ScoreChange(db.Model):
    """One recorded change of a sheet: ``event`` "score" is a criterion's score (or comment)
    going from old to new; "submitted" and "reopened" are events of the sheet itself
    (``note``: the committee's reason for reopening)."""

    __tablename__ = "score_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"),
                                          index=True)
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


class Panel(db.Model):
    """A panel of judges for a stage, for one category (or every category when empty). When
    a stage has panels, its entries are assigned only to members of a panel covering their
    category; the chair may read the panel's other sheets."""

    __tablename__ = "panels"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    name: Mapped[str] = mapped_column(String(200))

    stage: Mapped[Stage] = relationship()
    category: Mapped[Category | None] = relationship()
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelMember.id")

    def covers(self, entry: Entry) -> bool:
        return self.category_id is None or self.category_id == entry.category_id


class PanelMember(db.Model):
    """A judge on a panel (a judge may sit on several panels)."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "judge_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)

    panel: Mapped[Panel] = relationship(back_populates="members")
    judge: Mapped[User] = relationship()
