"""Rounds, their categories and their stages (submission, screening, scored, announcement)."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.db import UTCDateTime, _enum, db, utcnow
from competition.rounds.sections import (
    EntryGroup,
    Section,
    active_sections,
    configured_sections,
    limits,
)


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class StageKind(enum.StrEnum):
    """What happens in a stage: OPDs submit, the committee screens, judges score, or the
    committee announces."""

    SUBMISSION = "submission"
    SCREENING = "screening"
    SCORED = "scored"
    ANNOUNCEMENT = "announcement"


class Round(db.Model):
    """One competition round, e.g. KOINYANLIK 2026, with its submission window."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.DRAFT)
    submission_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The most entries one participating organisation may submit per group (None: no cap);
    # KIPP 2021 allowed 10 general and 5 replication entries per agency.
    cap_umum: Mapped[int | None]
    cap_replikasi: Mapped[int | None]
    cap_khusus: Mapped[int | None]
    # Word limits the committee set for this round, section name -> words (see
    # competition.proposal.limits); sections not named keep the KIPP default.
    word_limits: Mapped[dict] = mapped_column(db.JSON, default=dict, server_default=sa_text("'{}'"))
    # The committee's changes to the proposal's sections in this round: renamed and
    # switched-off sections, and its own sections (see competition.proposal.configured_sections).
    section_settings: Mapped[dict] = mapped_column(
        db.JSON, default=dict, server_default=sa_text("'{}'")
    )
    # The special group (khusus) is by invitation: ids of the invited organisations (an
    # invited agency's units are invited with it).
    khusus_invited: Mapped[list] = mapped_column(
        db.JSON, default=list, server_default=sa_text("'[]'")
    )
    # Who may enter (``competition.rounds.eligibility``): organisation kinds (e.g.
    # ["kelurahan"]) and/or ids of organisations (an agency's units with it); both empty: open
    # to every organisation.
    eligible_kinds: Mapped[list] = mapped_column(
        db.JSON, default=list, server_default=sa_text("'[]'")
    )
    eligible_organisations: Mapped[list] = mapped_column(
        db.JSON, default=list, server_default=sa_text("'[]'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="round", order_by="Category.id", cascade="all, delete-orphan"
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="round", order_by="Stage.position", cascade="all, delete-orphan"
    )

    @property
    def section_limits(self) -> dict[str, int]:
        """The word limit of every section in this round."""
        return limits(self.word_limits, self.section_settings)

    def configured_sections(self) -> list[tuple[Section, bool]]:
        """Every section with whether it is switched on in this round."""
        return configured_sections(self.section_settings, self.word_limits)

    def sections_for(self, group: EntryGroup | str | None = None) -> list[Section]:
        """The sections of this round's form (of ``group``'s form when given)."""
        return active_sections(self.section_settings, self.word_limits, group)

    def cap_for(self, group: EntryGroup) -> int | None:
        return getattr(self, f"cap_{EntryGroup(group).value}")

    def phase(self, now: datetime | None = None) -> str:
        """Where the round stands on its timeline, for display (a ``label`` key). The stored
        status only says whether the committee opened or closed it: a round still "open" a
        month after its deadline reads "submissions closed" (or "being evaluated", "results
        published") here. ``now`` defaults to the current time, since list pages show it."""
        now = now or utcnow()
        if self.status != RoundStatus.OPEN:
            return self.status.value
        if now < self.submission_opens_at:
            return "upcoming"
        if now <= self.submission_closes_at:
            return "accepting"
        if self.results_published_at is not None:
            return "results_published"
        if any(s.is_open(now) for s in self.stages):
            return "in_evaluation"
        return "submissions_closed"

    def accepts_submissions(self, now: datetime) -> bool:
        return (
            self.status == RoundStatus.OPEN
            and self.submission_opens_at <= now <= self.submission_closes_at
        )


class Category(db.Model):
    """A category (cluster) of a round; an entry belongs to exactly one."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("round_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="categories")


class Stage(db.Model):
    """A stage of a round's timeline; a scored stage has a rubric (see ``judging.models``)."""

    __tablename__ = "stages"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[StageKind] = mapped_column(
        _enum(StageKind), default=StageKind.SCORED, server_default=StageKind.SCORED.value
    )
    is_skipped: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=10)
    # The normalization method (a judging.normalize name); "" until chosen or first scored.
    method: Mapped[str] = mapped_column(String(20), default="")
    winners_per_category: Mapped[int] = mapped_column(default=3)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # judging settings (used by judging/: assignment, rubric, blind review)
    judges_per_entry: Mapped[int] = mapped_column(default=3, server_default="3")
    blind_review: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A total at or above which an entry qualifies (e.g. KIPP finalists: 85 of 100); optional.
    pass_mark: Mapped[float | None]
    # Weight of this scored stage in the round's combined final ranking, in percent (desk 40,
    # presentation 30, field 30); None on every stage: no combined ranking (judging.combined).
    weight: Mapped[float | None]
    # Judges who share no entry (judging.ranking.rank_uncertainty ``across``): "assume_equal"
    # ranks across their groups assuming equal average strength, "refuse" ranks within groups.
    uncertainty_across: Mapped[str] = mapped_column(
        String(20), default="assume_equal", server_default="assume_equal"
    )

    round: Mapped[Round] = relationship(back_populates="stages")

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at

    @property
    def is_scored(self) -> bool:
        return self.kind == StageKind.SCORED

    @property
    def stable_seed(self) -> int:
        """A random seed for this stage's draws (automatic assignment, bootstrap, posterior
        sampling, extra-judge plans) from the round's slug and the stage's position, never from
        a primary key: the same competition gets the same numbers in any database (ids differ
        between databases, e.g. after rows were deleted on PostgreSQL)."""
        key = f"{self.round.slug}/{self.position}".encode()
        return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
