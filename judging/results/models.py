"""Published results (immutable versions), award settings, and certificates (the award levels
are ``judging.award_levels.models``)."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.db import UTCDateTime, db

if TYPE_CHECKING:
    from competition.accounts.models import User
    from competition.entries.models import Entry
    from competition.rounds.models import Category, Round, Stage


class Publication(db.Model):
    """One frozen, versioned publication of a stage's ranking. Never updated once written: a
    correction is a new version with a reason (see ``competition.awards``)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("stage_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    version: Mapped[int]
    method: Mapped[str] = mapped_column(String(20))
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: method parameters, awards
    scores_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the input scores
    n_sheets: Mapped[int] = mapped_column(default=0)
    style: Mapped[str] = mapped_column(String(20), default="ranked")
    reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stage: Mapped[Stage] = relationship()
    published_by: Mapped[User | None] = relationship()

    @property
    def is_combined(self) -> bool:
        """The round's combined final ranking (its ``params`` name the weighted stages), not
        the stage's own ranking."""
        return bool(json.loads(self.params or "{}").get("stages"))

    @property
    def without_awards(self) -> bool:
        """Published without awards or certificates: the ranking of a stage before the round's
        last scored one (``judging.award_levels.services.gives_awards``)."""
        return bool(json.loads(self.params or "{}").get("without_awards"))


class Result(db.Model):
    """One entry's place in a publication (a plain row handed over by judging, frozen)."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("publication_id", "entry_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    rank: Mapped[int]
    score: Mapped[float]
    raw_score: Mapped[float]
    n_judges: Mapped[int]
    award: Mapped[str] = mapped_column(String(100), default="", server_default="")
    prize: Mapped[int | None]  # rupiah
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The range of likely places holding ``rank`` and whether the entry cannot be told apart
    # from the one placed just below it, as the committee saw them when publishing (the fit of
    # ``judging.ranking.rank_uncertainty`` the publish review read); NULL in publications
    # written before they were stored, or when no range could be given (a large stage still
    # being computed, no entry with two judges).
    rank_lo: Mapped[int | None]
    rank_hi: Mapped[int | None]
    tied_with_next: Mapped[bool | None]

    publication: Mapped[Publication | None] = relationship()
    stage: Mapped[Stage] = relationship()
    entry: Mapped[Entry] = relationship()
    category: Mapped[Category] = relationship()


class CertificateKind(enum.StrEnum):
    AWARD = "award"
    PARTICIPATION = "participation"
    APPRECIATION = "appreciation"  # for judges
    SPECIAL = "special"  # a special award the committee gives to one entry


class Certificate(db.Model):
    """A certificate; ``code`` is the public number printed on it (see ``competition.numbers``).
    It keeps its own copy of what is printed (holder, title, award), so it reads the same
    whatever happens later; it is revoked, never deleted or edited."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(
        String(20), default=CertificateKind.AWARD, server_default="award"
    )
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    holder: Mapped[str] = mapped_column(String(300), default="", server_default="")
    title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category: Mapped[str] = mapped_column(String(200), default="", server_default="")
    award: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    round: Mapped[Round | None] = relationship()
    result: Mapped[Result | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AwardSettings(db.Model):
    """A round's publication style, announcement and certificate layout (issuer, logo,
    signatories). Files are stored under the upload folder; the columns hold their names."""

    __tablename__ = "award_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    style: Mapped[str] = mapped_column(String(20), default="ranked", server_default="ranked")
    announcement: Mapped[str] = mapped_column(Text, default="", server_default="")
    government: Mapped[str] = mapped_column(String(200), default="", server_default="")
    place: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # The letterhead (kop surat) of the berita acara and announcements: the organising body
    # and its address, under the government's name and beside the logo.
    organiser: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    logo: Mapped[str | None] = mapped_column(String(200))
    signer1_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer1_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer1_image: Mapped[str | None] = mapped_column(String(200))
    signer2_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer2_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signer2_image: Mapped[str | None] = mapped_column(String(200))
    # After publication each OPD sees its own entry's feedback; with this, also the judges'
    # comments, anonymised as "Juri A, B, C" (judging.results.feedback).
    opd_sees_comments: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Anyone may download a publication's anonymised sheets and recompute its places
    # (judging.results.recompute).
    publishes_sheets: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
