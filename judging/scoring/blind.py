"""Blind review: what a judge of a blind-review stage must not learn about an entry.

With blind review on in a stage, the judges of the entries judged in it see no organisation
(name, parent agency, region), no contact field (the innovators' names, e-mails, phones and
jobs), no file names and only the attachments the committee released for blind review, under
neutral names (``competition.entries.attachments.neutral_name``). Free texts (title, sections)
keep their content but every identifying value of the entry is blacked out, since an OPD often
writes its own name into its proposal.

Whether a judge sees an entry blind is ``judging.scoring.permissions.can_see_identity``; this module
lists the identifying values and redacts them.
"""

from __future__ import annotations

import re

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from competition.accounts.models import Organisation, User
from competition.db import db
from competition.entries.models import Entry
from competition.rounds.models import Stage
from judging.panels.models import Assignment

REDACTED = "▇▇▇"

# Shorter values ("Dinas", a two-letter username) would black out ordinary words.
MIN_LENGTH = 4

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+62|\b0)[\d\s().-]{7,}\d")


def blind_entry_ids(entry_ids) -> set[int]:
    """Of ``entry_ids``, those judged in at least one blind-review stage (one query)."""
    ids = set(entry_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Assignment.entry_id)
            .join(Stage, Stage.id == Assignment.stage_id)
            .where(Assignment.entry_id.in_(ids), Stage.blind_review.is_(True))
            .distinct()
        )
    )


def judged_blind(entry_id):
    """SQL: whether the entry ``entry_id`` (a column or value) is judged in at least one
    blind-review stage, as ``blind_entry_ids`` decides it, to select beside other columns."""
    other, stage = aliased(Assignment), aliased(Stage)
    return exists().where(
        other.entry_id == entry_id, stage.id == other.stage_id, stage.blind_review.is_(True)
    )


def identifying_values(entry: Entry) -> list[str]:
    """Every value that names who submitted ``entry``: its organisation and agency (name,
    region), the accounts of the organisation and of whoever created the entry (name, user
    name, e-mail, affiliation), the parts, e-mails and phone numbers of the innovators field,
    and the attachments' original file names (with and without extension). Longest first, so
    that redaction replaces "Dinas Pendidikan Kota X" before "Kota X"."""
    values: set[str] = set()
    orgs: list[Organisation] = [entry.organisation]
    if entry.organisation.parent is not None:
        orgs.append(entry.organisation.parent)
    users: list[User] = [u for o in orgs for u in o.users]
    if entry.created_by_id is not None:
        creator = db.session.get(User, entry.created_by_id)
        if creator is not None:
            users.append(creator)
    for org in orgs:
        values.update((org.name, org.region))
    for user in users:
        values.update((user.name, user.username, user.email or "", user.affiliation or ""))
    # The innovators field is free text ("Budi, Staf Dinas X, budi@x.go.id, 0812..."): its
    # parts, and the e-mails and phone numbers written anywhere in it.
    values.update(re.split(r"[,;\n]", entry.innovators or ""))
    values.update(_EMAIL.findall(entry.innovators or ""))
    values.update(m.strip() for m in _PHONE.findall(entry.innovators or ""))
    for attachment in entry.attachments:
        values.add(attachment.original_name)
        values.add(attachment.original_name.rsplit(".", 1)[0])
    return sorted(
        (v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH),
        key=lambda v: (-len(v), v),
    )


def redact(text: str, values: list[str]) -> str:
    """``text`` with every occurrence of ``values`` (case-insensitive) blacked out."""
    if not text or not values:
        return text or ""
    pattern = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE)
    return pattern.sub(REDACTED, text)


def anonymised_titles(entry_ids) -> dict[int, str]:
    """For the blind ones among ``entry_ids`` (``blind_entry_ids``), their titles with the
    identifying values blacked out, in a constant number of queries (list pages)."""
    return titles_blacked_out(blind_entry_ids(entry_ids))


def titles_blacked_out(entry_ids) -> dict[int, str]:
    """The titles of ``entry_ids`` (entries known to be judged blind) with their identifying
    values blacked out, in a constant number of queries."""
    ids = set(entry_ids)
    if not ids:
        return {}
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.id.in_(ids))
        .options(
            selectinload(Entry.attachments),
            selectinload(Entry.organisation).selectinload(Organisation.users),
            selectinload(Entry.organisation)
            .selectinload(Organisation.parent)
            .selectinload(Organisation.users),
        )
    ).all()
    creators = {e.created_by_id for e in entries} - {None}
    db.session.scalars(select(User).where(User.id.in_(creators))).all()  # into the session
    return {e.id: redact(e.title, identifying_values(e)) for e in entries}


def anonymise(text: str, entry: Entry) -> str:
    """Jinja filter: ``text`` with the identifying values of ``entry`` blacked out."""
    return redact(str(text or ""), identifying_values(entry))
