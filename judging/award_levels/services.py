"""A round's award levels: presets, the defaults of a stage without configured levels, setting
them, and the level a place earns."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState
from competition.rounds.models import Round, Stage
from judging.award_levels.models import AwardLevel

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


@dataclass(frozen=True)
class Level:
    """An award given per category to the places 1..``up_to_rank`` not taken by an earlier
    level; ``prize`` in rupiah."""

    title: str
    up_to_rank: int
    prize: int | None = None


# Presets the committee can start from (KOINYANLIK-style city round, KIPP-style national round).
PRESETS = {
    "city": [
        Level("Juara I", 1, 3_000_000),
        Level("Juara II", 2, 2_000_000),
        Level("Juara III", 3, 1_000_000),
        Level("Harapan I", 4),
        Level("Harapan II", 5),
    ],
    "national": [Level("Outstanding Achievement", 3), Level("Top 45", 15), Level("Top 99", 33)],
}


def default_levels(stage: Stage) -> list[Level]:
    """Without configured levels: "Terbaik I".."Terbaik N" for the stage's winners."""
    return [
        Level(f"Terbaik {ROMAN.get(r, r)}", r) for r in range(1, stage.winners_per_category + 1)
    ]


def gives_awards(stage: Stage) -> bool:
    """Whether publishing ``stage`` hands out awards and certificates: only the round's last
    scored stage does, as in KIPP, which names its winners at the end. An earlier stage's
    ranking is published without awards (its entries go on through the advancement and its
    announcement)."""
    scored = [s for s in stage.round.stages if s.is_scored and not s.is_skipped]
    return bool(scored) and scored[-1].id == stage.id


def list_levels(round_: Round) -> list[AwardLevel]:
    return list(
        db.session.scalars(
            select(AwardLevel)
            .where(AwardLevel.round_id == round_.id)
            .order_by(AwardLevel.position, AwardLevel.id)
        )
    )


def levels_for(stage: Stage) -> list[Level]:
    """The award levels a publication of ``stage`` gives: the round's levels, else "Terbaik
    I".."Terbaik N"; none before the round's last scored stage (``gives_awards``)."""
    if not gives_awards(stage):
        return []
    rows = list_levels(stage.round)
    if not rows:
        return default_levels(stage)
    return [Level(r.title, r.up_to_rank, r.prize) for r in rows]


def award_for(rank: int, levels: list[Level]) -> Level | None:
    if rank < 1:
        return None
    for level in levels:
        if rank <= level.up_to_rank:
            return level
    return None


@records_actor
def set_levels(*, round_: Round, levels: list[Level], actor: User) -> list[AwardLevel]:
    """Replace the round's award levels (they are copied into each publication's parameters,
    so changing them never alters what was published)."""
    bounds = [lv.up_to_rank for lv in levels]
    if any(b < 1 for b in bounds) or bounds != sorted(set(bounds)):
        raise InvalidState(_l("Each award must cover more places than the one before it."))
    for old in list_levels(round_):
        db.session.delete(old)
    rows = [
        AwardLevel(
            round_id=round_.id,
            position=i,
            title=lv.title.strip(),
            up_to_rank=lv.up_to_rank,
            prize=lv.prize,
        )
        for i, lv in enumerate(levels)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows
