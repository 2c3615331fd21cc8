"""The award levels a round's committee set (table ``award_levels``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from competition.db import db


class AwardLevel(db.Model):
    """An award of a round given per category to the entries placed up to ``up_to_rank``
    (levels are tried in ``position`` order; the first that fits is given)."""

    __tablename__ = "award_levels"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(100))
    up_to_rank: Mapped[int]
    prize: Mapped[int | None]  # rupiah
