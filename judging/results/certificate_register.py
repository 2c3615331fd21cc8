"""The register of issued certificates, read only: a judge's and an entry's, the valid award
and participation certificates of a stage (``valid_entry_certificates_statement``), a round's
special awards and its certificates page by page, a certificate by its number and the one that
replaced it. Issuing and revoking are ``judging.results.awards``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Entry
from competition.rounds.models import Round, Stage
from judging.results import numbers
from judging.results.models import Certificate, CertificateKind, Result


def certificates_of_user(user: User) -> list[Certificate]:
    """A judge's valid certificates of appreciation, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
            .options(selectinload(Certificate.round))
            .order_by(Certificate.id.desc())
        )
    )


def certificates_of_entry(entry: Entry) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.entry_id == entry.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.id)
        )
    )


def valid_entry_certificates_statement(stage: Stage, *columns):
    """``select(*columns)`` (of ``Certificate``) over the stage's valid award and participation
    certificates: not revoked, from any of the stage's publications. The one rule for the
    publication that keeps them, ``valid_certificates_by_entry`` and the results API."""
    return (
        select(*columns)
        .join(Result, Certificate.result_id == Result.id)
        .where(
            Result.stage_id == stage.id,
            Certificate.revoked_at.is_(None),
            Certificate.kind.in_([CertificateKind.AWARD, CertificateKind.PARTICIPATION]),
        )
    )


def valid_certificate_awards(stage: Stage, entry_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(number, award printed) of the valid award or participation certificate of each of
    ``entry_ids`` from the stage's publications: one statement, plain values."""
    if not entry_ids:
        return {}
    return {
        entry_id: (code, award)
        for entry_id, code, award in db.session.execute(
            valid_entry_certificates_statement(
                stage, Certificate.entry_id, Certificate.code, Certificate.award
            ).where(Certificate.entry_id.in_(entry_ids))
        )
    }


def valid_certificates_by_entry(
    stage: Stage, entry_ids: list[int] | None = None
) -> dict[int, Certificate]:
    """The valid award or participation certificate of each entry from the stage's
    publications (a round with several published stages gives one per stage); only of
    ``entry_ids`` when given."""
    stmt = valid_entry_certificates_statement(stage, Certificate)
    if entry_ids is not None:
        if not entry_ids:
            return {}
        stmt = stmt.where(Certificate.entry_id.in_(entry_ids))
    return {c.entry_id: c for c in db.session.scalars(stmt)}


def list_special_awards(round_: Round) -> list[Certificate]:
    """The round's valid special awards, by title then recipient."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.round_id == round_.id,
                Certificate.kind == CertificateKind.SPECIAL,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.award, Certificate.holder)
        )
    )


def list_certificates(
    round_: Round, *, search: str = "", limit: int = 200, offset: int = 0
) -> tuple[list[Certificate], int]:
    """The round's certificates matching ``search`` (a number, or part of the recipient's name
    or the innovation's title), at most ``limit`` of them from the ``offset``-th on, and how
    many match in all: a national round has tens of thousands."""
    query = select(Certificate).where(Certificate.round_id == round_.id)
    search = (search or "").strip()
    if search:
        number = numbers.canonical(search)
        like = f"%{search}%"
        query = query.where(
            Certificate.code == number
            if number
            else Certificate.holder.ilike(like) | Certificate.title.ilike(like)
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        db.session.scalars(
            query.order_by(
                Certificate.kind, Certificate.category, Certificate.holder, Certificate.id
            )
            .offset(offset)
            .limit(limit)
        )
    )
    return rows, total


def count_certificates(round_: Round) -> int:
    return (
        db.session.scalar(
            select(func.count(Certificate.id)).where(
                Certificate.round_id == round_.id, Certificate.revoked_at.is_(None)
            )
        )
        or 0
    )


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this number; None for a number this server never issued (checked
    without a query) or does not hold."""
    if numbers.is_legacy(code):
        number = code.strip().upper()
    elif numbers.is_well_formed(code):
        number = numbers.canonical(code)
    else:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == number)
        .options(selectinload(Certificate.round), selectinload(Certificate.revoked_by))
    )


def replacement_of(certificate: Certificate) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.replaces_id == certificate.id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )
