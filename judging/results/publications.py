"""What a stage's publications show: their versions, a publication's rows (all of them, or
what the public sees: ``public_results_statement``), counted by category or as plain public
rows page by page, and the rounds whose results are public. Read only: publishing is
``judging.results.awards``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from competition.accounts.models import Organisation
from competition.db import db
from competition.entries.models import Entry
from competition.rounds.models import Category, Round, Stage
from judging.results.models import Publication, Result


def latest_publication(stage: Stage) -> Publication | None:
    return db.session.scalar(
        select(Publication)
        .where(Publication.stage_id == stage.id)
        .order_by(Publication.version.desc())
        .limit(1)
    )


def list_publications(stage: Stage) -> list[Publication]:
    """Every version of the stage's publication, newest first."""
    return list(
        db.session.scalars(
            select(Publication)
            .where(Publication.stage_id == stage.id)
            .options(selectinload(Publication.published_by))
            .order_by(Publication.version.desc())
        )
    )


def get_publication(stage: Stage, version: int | None = None) -> Publication | None:
    if version is None:
        return latest_publication(stage)
    return db.session.scalar(
        select(Publication).where(Publication.stage_id == stage.id, Publication.version == version)
    )


def public_results_statement(publication: Publication, *columns):
    """``select(*columns)`` (of ``Result``, joined to what they need) over what the public sees
    of a publication: every ranked row, except in the alphabetical style, which announces only
    the awarded rows when it has any (as KIPP announces its Top 45). The one rule for the public
    pages, their exports and the results API (rows and counts alike)."""
    stmt = select(*columns).where(Result.publication_id == publication.id)
    if publication.style == "alphabetical":
        other = aliased(Result)  # not correlated with the outer rows: one test per publication
        any_awarded = (
            select(other.id)
            .where(other.publication_id == publication.id, other.award != "")
            .exists()
        )
        stmt = stmt.where(or_(Result.award != "", ~any_awarded))
    return stmt


def _by_title(category_id: int, title: str) -> tuple[int, str]:
    """The order of the alphabetical style: by category, then title (whatever the case)."""
    return category_id, title.casefold()


def list_results(
    publication: Publication, *, max_rank: int | None = None, public: bool = False
) -> list[Result]:
    """A publication's rows by category then place (alphabetical style: by title); with
    ``max_rank``, only the places up to it in each category (a national round's page); with
    ``public``, only what the public sees (``public_results_statement``)."""
    if public:
        stmt = public_results_statement(publication, Result)
    else:
        stmt = select(Result).where(Result.publication_id == publication.id)
    if max_rank is not None and publication.style != "alphabetical":
        stmt = stmt.where(Result.rank <= max_rank)
    results = list(
        db.session.scalars(
            stmt.options(
                selectinload(Result.entry).selectinload(Entry.organisation),
                selectinload(Result.category),
            ).order_by(Result.category_id, Result.rank, Result.id)
        )
    )
    if publication.style == "alphabetical":
        results.sort(key=lambda r: _by_title(r.category_id, r.entry.title))
    return results


def list_published_results(
    round_: Round, *, max_rank: int | None = None, public: bool = False
) -> list[tuple[Stage, Publication, list[Result]]]:
    """Published stages of a round with their latest publication and its results (up to
    ``max_rank`` in each category when given; only what the public sees with ``public``)."""
    out = []
    for stage in round_.stages:
        pub = latest_publication(stage)
        if pub is not None:
            out.append((stage, pub, list_results(pub, max_rank=max_rank, public=public)))
    return out


def count_public_results(publication: Publication) -> list[tuple[int, str, int]]:
    """(category id, category name, public rows) of a publication, by category id: one
    statement (``public_results_statement``)."""
    return [
        (category_id, name, n)
        for category_id, name, n in db.session.execute(
            public_results_statement(
                publication, Result.category_id, Category.name, func.count(Result.id)
            )
            .join(Category, Category.id == Result.category_id)
            .group_by(Result.category_id, Category.name)
            .order_by(Result.category_id)
        )
    ]


@dataclass(frozen=True)
class PublicRow:
    """One public row of a publication as plain values (no ORM object per entry)."""

    entry_id: int
    category_id: int
    rank: int
    score: float
    award: str
    prize: int | None
    title: str
    opd: str
    rank_lo: int | None = None
    rank_hi: int | None = None
    tied_with_next: bool | None = None


def public_result_rows(publication: Publication, *, offset: int, limit: int) -> list[PublicRow]:
    """The publication's public rows ``offset .. offset + limit`` in the order of the public
    page (by category, then place; alphabetical style: by title), as plain rows: one
    statement."""
    stmt = (
        public_results_statement(
            publication,
            Result.entry_id,
            Result.category_id,
            Result.rank,
            Result.score,
            Result.award,
            Result.prize,
            Entry.title,
            Organisation.name,
            Result.rank_lo,
            Result.rank_hi,
            Result.tied_with_next,
        )
        .join(Entry, Entry.id == Result.entry_id)
        .join(Organisation, Organisation.id == Entry.organisation_id)
        .order_by(Result.category_id, Result.rank, Result.id)
    )
    if publication.style == "alphabetical":  # awarded rows only: a few hundred at most
        rows = sorted(db.session.execute(stmt), key=lambda r: _by_title(r.category_id, r.title))
        return [PublicRow(*r) for r in rows[offset : offset + limit]]
    return [PublicRow(*r) for r in db.session.execute(stmt.offset(offset).limit(limit))]


def published_round(slug: str) -> Round | None:
    """The round with this slug if its results are public, else None."""
    return db.session.scalar(
        select(Round).where(Round.slug == slug, Round.results_published_at.is_not(None))
    )


def list_published_rounds() -> list[Round]:
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.results_published_at.is_not(None))
            .order_by(Round.results_published_at.desc())
        )
    )
