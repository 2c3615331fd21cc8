"""Who may enter a round: by kind of organisation (a kelurahan-only round, a round for the
puskesmas) and/or a list of named organisations, so a round is not offered to an OPD it is
not meant for. A round with neither is open to every organisation. An organisation whose
kind was never set is judged by its name ("Kelurahan 20 Ilir D-II" is a kelurahan)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.accounts.kinds import KIND_LABELS, OrganisationKind, kind_of
from competition.accounts.models import Organisation
from competition.db import db
from competition.errors import JuriError
from competition.rounds.models import Round


def is_restricted(round_: Round) -> bool:
    return bool(round_.eligible_kinds or round_.eligible_organisations)


def is_eligible(round_: Round, organisation: Organisation | None) -> bool:
    """Whether ``organisation`` may enter ``round_``: its kind is one of the round's kinds,
    or it (or its agency) is on the round's list."""
    if not is_restricted(round_):
        return True
    if organisation is None:
        return False
    if kind_of(organisation) in set(round_.eligible_kinds or ()):
        return True
    listed = set(round_.eligible_organisations or ())
    return bool(listed & {organisation.id, organisation.agency_id})


def describe(round_: Round, names: dict[int, str] | None = None) -> str:
    """Who may enter, in words: "Kelurahan or desa, Puskesmas; Dinas Kesehatan"."""
    kinds = [str(KIND_LABELS[OrganisationKind(k)]) for k in round_.eligible_kinds or ()]
    listed = [names[i] for i in round_.eligible_organisations or () if names and i in names]
    return "; ".join(p for p in (", ".join(kinds), ", ".join(listed)) if p)


class NotEligible(JuriError):
    """The OPD's organisation may not enter this round; the message says who may."""

    status = 403

    def __init__(self, round_: Round, names: dict[int, str] | None = None):
        super().__init__(
            _l(
                "%(round)s is not open to your organisation: it is open only to %(who)s.",
                round=round_.name,
                who=describe(round_, names) or _l("the organisations the committee chose"),
            )
        )


def listed_names(round_: Round) -> dict[int, str]:
    """The names of the organisations on the round's list, by id."""
    ids = list(round_.eligible_organisations or ())
    if not ids:
        return {}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {i: name for i, name in rows}


def check_eligible(round_: Round, organisation: Organisation | None) -> None:
    """Raise ``NotEligible`` (403, saying who may enter) unless ``organisation`` may enter."""
    if not is_eligible(round_, organisation):
        raise NotEligible(round_, listed_names(round_))
