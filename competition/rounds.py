"""Rounds, categories and stages: what the committee sets up before OPDs submit."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.db import db
from competition.errors import InvalidState
from competition.models import Category, Round, RoundStatus, Stage, User


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "round"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Round.id).where(Round.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise InvalidState(_l("The closing time must be after the opening time."))


def create_round(
    *, name: str, description: str, submission_opens_at: datetime,
    submission_closes_at: datetime, actor: User,
) -> Round:
    """Create a round in draft status; OPDs cannot submit until it is opened."""
    _check_window(submission_opens_at, submission_closes_at)
    round_ = Round(
        name=name.strip(), slug=_unique_slug(name), description=description.strip(),
        submission_opens_at=submission_opens_at, submission_closes_at=submission_closes_at,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def add_category(*, round_: Round, name: str, description: str = "", actor: User) -> Category:
    name = name.strip()
    if any(c.name.lower() == name.lower() for c in round_.categories):
        raise InvalidState(_l("This round already has a category with that name."))
    category = Category(round=round_, name=name, description=description.strip())
    db.session.add(category)
    db.session.flush()
    return category


def add_stage(
    *, round_: Round, name: str, opens_at: datetime, closes_at: datetime,
    scale_min: int = 1, scale_max: int = 10, winners_per_category: int = 3, actor: User,
) -> Stage:
    """Add a scored stage at the end of the round's timeline."""
    _check_window(opens_at, closes_at)
    if scale_max <= scale_min:
        raise InvalidState(_l("The top of the scale must be above its bottom."))
    stage = Stage(
        round=round_, name=name.strip(), opens_at=opens_at, closes_at=closes_at,
        scale_min=scale_min, scale_max=scale_max, winners_per_category=winners_per_category,
        position=len(round_.stages),
    )
    db.session.add(stage)
    db.session.flush()
    return stage


def open_round(*, round_: Round, actor: User) -> Round:
    """Open submissions. A round needs at least one category so entries have a home."""
    if not round_.categories:
        raise InvalidState(_l("Add at least one category before opening submissions."))
    round_.status = RoundStatus.OPEN
    db.session.flush()
    return round_


def list_rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.created_at.desc(), Round.id.desc())))


def list_open_rounds(now: datetime) -> list[Round]:
    rounds = db.session.scalars(
        select(Round).where(Round.status == RoundStatus.OPEN).order_by(Round.id)
    )
    return [r for r in rounds if r.accepts_submissions(now)]
