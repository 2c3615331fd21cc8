"""Published results and awards. Judging hands over plain rows; nothing here knows how the
places were computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from competition import numbers
from competition.db import db
from competition.models import Certificate, Entry, Result, Round, Stage, User


@dataclass(frozen=True)
class ResultRow:
    entry_id: int
    category_id: int
    rank: int
    score: float
    raw_score: float
    n_judges: int


def record_results(
    *, stage: Stage, rows: list[ResultRow], actor: User, now: datetime
) -> int:
    """Publish a stage's ranking: replace its results, issue a certificate to every entry
    placed within ``stage.winners_per_category``, and mark the round's results public.
    Bulk inserts (no ORM object per row): a national round has tens of thousands of entries.
    Returns the number of results stored."""
    old = select(Result.id).where(Result.stage_id == stage.id)
    db.session.execute(delete(Certificate).where(Certificate.result_id.in_(old)))
    db.session.execute(delete(Result).where(Result.stage_id == stage.id))
    if rows:
        db.session.execute(insert(Result), [
            {"stage_id": stage.id, "entry_id": r.entry_id, "category_id": r.category_id,
             "rank": r.rank, "score": r.score, "raw_score": r.raw_score,
             "n_judges": r.n_judges, "published_at": now} for r in rows])
    winners = db.session.execute(
        select(Result.id, Result.rank).where(Result.stage_id == stage.id, Result.rank >= 1,
                                             Result.rank <= stage.winners_per_category)
        .order_by(Result.id)).all()
    if winners:
        codes = numbers.new_numbers(len(winners))
        db.session.execute(insert(Certificate), [
            {"code": code, "result_id": rid, "award": f"rank-{rank}", "issued_at": now,
             "round_id": stage.round_id}
            for code, (rid, rank) in zip(codes, winners)])
    stage.published_at = now
    stage.round.results_published_at = now
    db.session.flush()
    return len(rows)


def list_published_results(round_: Round) -> list[tuple[Stage, list[Result]]]:
    """Published stages of a round with their results, by category then place."""
    out = []
    for stage in round_.stages:
        if stage.published_at is None:
            continue
        results = list(db.session.scalars(
            select(Result).where(Result.stage_id == stage.id)
            .options(selectinload(Result.entry).selectinload(Entry.organisation),
                     selectinload(Result.category))
            .order_by(Result.category_id, Result.rank, Result.id)
        ))
        out.append((stage, results))
    return out


def list_published_rounds() -> list[Round]:
    return list(db.session.scalars(
        select(Round).where(Round.results_published_at.is_not(None))
        .order_by(Round.results_published_at.desc())
    ))


def certificates_of_entry(entry: Entry) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).join(Result).where(Result.entry_id == entry.id)
        .order_by(Certificate.id)
    ))


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this number; None for a number this server never issued (checked
    without a query) or does not hold."""
    if not numbers.is_well_formed(code):
        return None
    code = numbers.canonical(code)
    return db.session.scalar(
        select(Certificate).where(Certificate.code == code)
        .options(selectinload(Certificate.result).selectinload(Result.entry))
    )
