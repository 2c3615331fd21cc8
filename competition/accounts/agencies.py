"""Participating agencies and their units (two levels, as in KIPP's SiNovik): the local
administrator (Admin Lokal) of an agency creates the accounts of its innovator units, and
sees and corrects their proposals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts.kinds import OrganisationKind
from competition.accounts.models import Organisation, User
from competition.accounts.passwords import require_acceptable
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState, NotAllowed
from competition.roles import Role


def agency_of(actor: User) -> Organisation:
    """The agency ``actor`` administers (``NotAllowed`` unless an Admin Lokal with one)."""
    if not actor.is_agency_admin or actor.organisation is None:
        raise NotAllowed()
    return actor.organisation


@records_actor
def create_unit(*, name: str, username: str, contact_name: str, password: str, actor: User) -> User:
    """A unit of the actor's agency with its first (OPD) account, whose password must pass the
    password policy (``InvalidState`` otherwise)."""
    agency = agency_of(actor)
    name, username = name.strip(), username.strip().lower()
    require_acceptable(password, username=username)
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise InvalidState(_l("An organisation with this name already exists."))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise InvalidState(_l("This username is already taken."))
    unit = Organisation(name=name, parent=agency)
    user = User(
        username=username, name=contact_name.strip() or name, role=Role.OPD, organisation=unit
    )
    user.set_password(password)
    db.session.add_all([unit, user])
    db.session.flush()
    return user


@records_actor
def set_region(
    *,
    organisation: Organisation,
    region: str,
    province: str,
    actor: User,
    kind: str | None = None,
) -> Organisation:
    """The committee records where an organisation is (kabupaten/kota and province), used to
    show how entries and finalists spread over regions, and (``kind``, "" to read it from the
    name, None to leave it) what kind of body it is, for rounds open to some kinds only."""
    if not actor.is_committee:
        raise NotAllowed()
    organisation.region = " ".join((region or "").split())[:200]
    organisation.province = " ".join((province or "").split())[:100]
    if kind is not None:
        organisation.kind = OrganisationKind(kind).value if kind else ""
    db.session.flush()
    return organisation


def list_organisations() -> list[Organisation]:
    """Every organisation, agencies first with their units after each, for the committee."""
    orgs = list(
        db.session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.units), selectinload(Organisation.parent))
            .order_by(Organisation.name)
        )
    )
    return sorted(
        orgs,
        key=lambda o: (
            (o.parent.name if o.parent else o.name).casefold(),
            o.parent is not None,
            o.name.casefold(),
        ),
    )


def list_units(actor: User) -> list[Organisation]:
    agency = agency_of(actor)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.parent_id == agency.id)
            .options(selectinload(Organisation.users))
            .order_by(Organisation.name)
        )
    )
