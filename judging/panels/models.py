"""Assignments of entries to judges, conflicts of interest, withdrawals and judge panels."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from competition.accounts.models import Organisation, User
    from competition.entries.models import Entry
    from competition.rounds.models import Category, Stage


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
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
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
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelMember.id"
    )

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
