"""Kinds of organisation (dinas/badan, kecamatan, kelurahan, puskesmas, ...): set by the
committee on the organisations page, else read from the name. Rounds may be open to some
kinds only (``competition.rounds.eligibility``)."""

from __future__ import annotations

import enum
import re

from flask_babel import lazy_gettext as _l

from competition.accounts.models import Organisation


class OrganisationKind(enum.StrEnum):
    DINAS_BADAN = "dinas_badan"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    PUSKESMAS = "puskesmas"
    RSUD = "rsud"
    BUMD = "bumd"
    SEKRETARIAT = "sekretariat"
    OTHER = "other"


KIND_LABELS = {
    OrganisationKind.DINAS_BADAN: _l("Dinas or badan"),
    OrganisationKind.KECAMATAN: _l("Kecamatan"),
    OrganisationKind.KELURAHAN: _l("Kelurahan or desa"),
    OrganisationKind.PUSKESMAS: _l("Puskesmas"),
    OrganisationKind.RSUD: _l("Regional hospital (RSUD)"),
    OrganisationKind.BUMD: _l("Regional enterprise (BUMD)"),
    OrganisationKind.SEKRETARIAT: _l("Secretariat or inspectorate"),
    OrganisationKind.OTHER: _l("Other"),
}

# First match wins: "UPTD Puskesmas ..." is a puskesmas, "Dinas Kesehatan" a dinas.
_NAME_PATTERNS = (
    (OrganisationKind.PUSKESMAS, r"\bpuskesmas\b"),
    (OrganisationKind.RSUD, r"\b(rsud|rumah sakit)\b"),
    (OrganisationKind.KELURAHAN, r"\b(kelurahan|desa|nagari|gampong)\b"),
    (OrganisationKind.KECAMATAN, r"\b(kecamatan|distrik)\b"),
    (
        OrganisationKind.BUMD,
        r"\b(bumd|pdam|perumda|perseroda|pd|pt|bank)\b|\btirta\b|\bperusahaan daerah\b",
    ),
    (OrganisationKind.SEKRETARIAT, r"\b(sekretariat|setda|setwan|inspektorat)\b"),
    (OrganisationKind.DINAS_BADAN, r"\b(dinas|badan|kantor|satpol|bpbd|bappeda)\b"),
)


def guess_kind(name: str) -> OrganisationKind:
    lower = (name or "").lower()
    for kind, pattern in _NAME_PATTERNS:
        if re.search(pattern, lower):
            return kind
    return OrganisationKind.OTHER


def kind_of(organisation: Organisation) -> OrganisationKind:
    """The organisation's kind as set, else as its name says."""
    if organisation.kind in OrganisationKind.__members__.values():
        return OrganisationKind(organisation.kind)
    return guess_kind(organisation.name)
