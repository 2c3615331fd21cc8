"""The lists of entries the pages show: an OPD's own entries, a round's entries page by page
(without the proposal texts), and every entry of an agency and its units."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from competition.accounts import agencies
from competition.accounts.models import Organisation, User
from competition.db import db
from competition.entries.models import (
    Entry,
)
from competition.pagination import Page, make_page
from competition.rounds.models import Round


def list_entries_of(user: User) -> list[Entry]:
    if user.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.organisation_id == user.organisation_id)
            .options(selectinload(Entry.round), selectinload(Entry.category))
            .order_by(Entry.created_at.desc(), Entry.id.desc())
        )
    )


def list_round_entries(
    round_: Round, *, page: int = 1, per_page: int | None = None
) -> tuple[list[Entry], Page]:
    """The round's entries by category then number, page ``page`` of ``per_page`` (all of them
    without ``per_page``), loading only the columns a list shows (not the proposal texts)."""
    total = db.session.scalar(select(func.count(Entry.id)).where(Entry.round_id == round_.id))
    at = make_page(total, page, per_page or max(total, 1))
    listed = list(
        db.session.scalars(
            select(Entry)
            .where(Entry.round_id == round_.id)
            .options(
                load_only(
                    Entry.id,
                    Entry.title,
                    Entry.status,
                    Entry.screening,
                    Entry.organisation_id,
                    Entry.category_id,
                    Entry.round_id,
                ),
                selectinload(Entry.organisation),
                selectinload(Entry.category),
            )
            .order_by(Entry.category_id, Entry.id)
            .offset(at.offset)
            .limit(at.per_page)
        )
    )
    return listed, at


def list_agency_entries(actor: User) -> list[Entry]:
    """Every entry of the agency and of its units, newest round first."""
    agency = agencies.agency_of(actor)
    members = select(Organisation.id).where(
        (Organisation.id == agency.id) | (Organisation.parent_id == agency.id)
    )
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.organisation_id.in_(members))
            .options(
                selectinload(Entry.organisation),
                selectinload(Entry.round),
                selectinload(Entry.category),
            )
            .order_by(Entry.round_id.desc(), Entry.organisation_id, Entry.id)
        )
    )
