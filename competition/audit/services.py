"""Append-only, tamper-evident audit trail.

Every change to the objects that decide an outcome (score sheets and scores, assignments and
conflicts, rubrics, stages and rounds, entry status, committee decisions, publications,
certificates, accounts) is written as an ``AuditRecord`` in the same transaction as the change,
by a session listener: services do not have to remember it, and a change that rolls back leaves
no record. Logins and refused logins are recorded explicitly (``record``). Who made a change is
the actor of the current context (``competition.actors``), set by the page, the service's
``actor`` argument or the command's ``--as``.

Each record carries ``hash = HMAC-SHA-256(audit key, prev_hash + canonical JSON of the
record)``, so editing or deleting a record breaks the chain from that point, and nobody without
the key (``JURI_AUDIT_KEY``, else derived from ``SECRET_KEY``; never in the database) can re-chain the
records after an edit. ``flask audit verify`` walks the chain. Chains written before keying
used a plain SHA-256: the first record written after the upgrade is a marked switch-over
(``audit_keyed``) whose keyed hash covers the link to the old records, and the head remembers its
position (``keyed_from``); verify checks the old records with the old scheme.

A keyed chain still cannot prove that its tail was not cut off by someone who also resets the
head, so it is anchored outside the database: each berita acara and announcement prints an
``Anchor`` (the short hash of a record and the chain's length there), and
``flask audit verify --anchor HEAD:LENGTH`` checks the trail against it.

Writers are serialized only while they append, at the very end of their transaction. The
listener does not write a change's record when the change is flushed: it keeps the record (its
content taken from the flush, as before) with the session, and ``before_commit`` flushes what is
left, then takes the one-row ``audit_head`` (an UPDATE: the row lock on PostgreSQL, the write
lock on SQLite), reads the previous hash, inserts the transaction's records chained after it and
moves the head; the COMMIT follows at once and releases the lock. So the lock is held for the
insert and the commit (milliseconds), not for the whole request as when records were chained at
each flush, and concurrent transactions are still chained one after the other in the order they
commit: no fork (each reads the head under the lock), no gap (records and head move in the
same transaction), and record ids, handed out under the lock, follow the chain. A record's
``created_at`` is the moment it is chained. A transaction that rolls back (or a savepoint rolled
back) drops its kept records with it; one that reads the trail before committing (an anchor
printed in the same transaction, ``query_records``) has its records chained first, so it sees
them; anything flushed after the records were chained (another ``before_commit`` hook) is
chained at once, the lock being held already. ``tests/security/test_audit_concurrency.py``
proves it with many writers at once on PostgreSQL and SQLite.

Bulk writes that bypass the ORM (Core inserts, COPY, UPDATE
statements) do not reach the listener: their services ``record`` what they wrote explicitly
(``results_written``, ``certificates_issued``, ``certificates_revoked``).

This module holds what the rest of the code calls: ``record`` and ``bulk_summary``, the
anchors and ``verify_chain``. The chain's hashing and appending are
``competition.audit.chain``, the session listener ``competition.audit.listener``, the page's
query and the export ``competition.audit.records``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from competition import actors
from competition.audit.chain import GENESIS, _digest, _dump, _key, _legacy_digest, key_id
from competition.audit.listener import _keep, _who
from competition.audit.models import AuditHead, AuditRecord
from competition.db import db, utcnow

# Every action a record can carry: the row changes the listener writes, then the explicit
# events of ``record`` (the committee's page filters by these; a test checks that every
# ``audit.record("...")`` in the code is listed).
ACTIONS = (
    "insert",
    "update",
    "delete",
    "login",
    "login_failed",
    "logout",
    "password_changed",
    "password_check_failed",
    "password_reset_asked",
    "password_reset_sent",
    "password_reset",
    "password_reset_link",
    "remind_drafts",
    "remind_judges",
    "audit_keyed",
    "results_written",
    "certificates_issued",
    "certificates_revoked",
)


def record(
    action: str,
    target_type: str = "",
    target_id="",
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
) -> None:
    """Add an explicit record (logins, exports...) to the current transaction; ``action`` is
    one of ``ACTIONS``."""
    actor_id, name, address = _who()
    if actor is not None:  # a user, or a system actor's name
        given = actors.as_actor(actor)
        actor_id, name = given.id, given.name
    db.session.connection()  # in the current transaction (begun now if none)
    _keep(
        db.session(),
        [
            {
                "created_at": utcnow(),
                "actor_id": actor_id,
                "actor": name,
                "address": address,
                "action": action,
                "target_type": target_type,
                "target_id": str(target_id),
                "before": _dump(before),
                "after": _dump(after),
            }
        ],
    )


BULK_LISTED = 1000


def bulk_summary(values: list[str], *, name: str = "codes") -> dict:
    """What a record says of a bulk write: how many values, the SHA-256 of them all (sorted, one
    per line) and, up to ``BULK_LISTED`` of them, the values themselves under ``name``."""
    ordered = sorted(str(v) for v in values)
    out = {
        "count": len(ordered),
        "sha256": hashlib.sha256("\n".join(ordered).encode()).hexdigest(),
    }
    if len(ordered) <= BULK_LISTED:
        out[name] = ordered
    return out


ANCHOR_CHARS = 16  # the short hash printed on documents: 64 bits


@dataclass(frozen=True)
class Anchor:
    """A point of the chain kept outside the database: the hash of the record at position
    ``length`` (1-based; its first ``ANCHOR_CHARS`` hex digits are enough) and that position."""

    head: str
    length: int

    def __str__(self) -> str:
        return f"{self.head[:ANCHOR_CHARS]}:{self.length}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``HEAD:LENGTH`` as printed (``3f2a...:1234``); ValueError when malformed."""
        m = re.fullmatch(r"\s*([0-9a-fA-F]{8,64})\s*:\s*(\d+)\s*", text or "")
        if not m or int(m.group(2)) < 1:
            raise ValueError(f"not an anchor (HEAD:LENGTH, e.g. 3f2a9c01d4e5b6a7:120): {text!r}")
        return cls(m.group(1).lower(), int(m.group(2)))


def _anchor_at(record_id: int | None) -> Anchor | None:
    if record_id is None:
        return None
    table = AuditRecord.__table__
    digest = db.session.scalar(select(table.c.hash).where(table.c.id == record_id))
    length = db.session.scalar(select(func.count()).where(table.c.id <= record_id))
    return Anchor(digest, length)


def anchor_of(target_type: str, target_id) -> Anchor | None:
    """The chain at the last record about one object (a publication: its insert and the rows
    written with it), or None when there is none. The same while the chain is intact, so a
    document printing it is the same at every download."""
    table = AuditRecord.__table__
    return _anchor_at(
        db.session.scalar(
            select(func.max(table.c.id)).where(
                table.c.target_type == target_type, table.c.target_id == str(target_id)
            )
        )
    )


def anchors_of(target_type: str, target_ids) -> dict[str, Anchor]:
    """``anchor_of`` for many objects in one query: target id (as a string) -> anchor."""
    ids = [str(i) for i in target_ids]
    if not ids:
        return {}
    table = AuditRecord.__table__
    last = (
        select(table.c.target_id, func.max(table.c.id).label("last_id"))
        .where(table.c.target_type == target_type, table.c.target_id.in_(ids))
        .group_by(table.c.target_id)
        .subquery()
    )
    other = table.alias("earlier")
    length = select(func.count()).where(other.c.id <= last.c.last_id).scalar_subquery()
    rows = db.session.execute(
        select(last.c.target_id, table.c.hash, length).join(table, table.c.id == last.c.last_id)
    ).all()
    return {target_id: Anchor(digest, n) for target_id, digest, n in rows}


def anchor_until(moment: datetime) -> Anchor | None:
    """The chain as it stood at ``moment``: at its last record written then or before."""
    table = AuditRecord.__table__
    return _anchor_at(
        db.session.scalar(select(func.max(table.c.id)).where(table.c.created_at <= moment))
    )


@dataclass
class ChainCheck:
    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str = ""
    keyed_from: int | None = None  # position of the first keyed record; None: never keyed
    head: str = ""  # the hash of the last record


def verify_chain(batch: int = 5000, *, anchor: Anchor | None = None) -> ChainCheck:
    """Walk the chain in id order, recomputing every hash (the unkeyed SHA-256 before the
    head's ``keyed_from``, the keyed HMAC from it on), and check the head and, when given,
    ``anchor``; reports the first broken record."""
    key = _key()
    head = db.session.get(AuditHead, 1)
    keyed_from = head.keyed_from if head is not None else None
    prev, checked, last_id = GENESIS, 0, 0
    table = AuditRecord.__table__

    def broken(row_id, problem):
        return ChainCheck(False, checked, row_id, problem, keyed_from, prev)

    while True:
        rows = (
            db.session.execute(
                select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            position = checked + 1
            if row["prev_hash"] != prev:
                return broken(
                    row["id"],
                    "link to the previous record "
                    "does not match (a record was removed or reordered)",
                )
            keyed = keyed_from is not None and position >= keyed_from
            if keyed and position == keyed_from and position > 1 and row["action"] != "audit_keyed":
                return broken(
                    row["id"], "the keyed chain does not start with its switch-over record"
                )
            expected = _digest(prev, dict(row), key) if keyed else _legacy_digest(prev, dict(row))
            if not hmac.compare_digest(expected, row["hash"]):
                problem = "content does not match its hash (the record was altered)"
                if keyed and head.key_id and head.key_id != key_id(key):
                    problem += "; or the audit key is not the one that wrote the trail"
                return broken(row["id"], problem)
            if anchor is not None and position == anchor.length:
                if not row["hash"].startswith(anchor.head):
                    return broken(
                        row["id"],
                        f"record {position} is not the anchor's {anchor.head[:ANCHOR_CHARS]} "
                        "(the trail was rewritten up to the anchor)",
                    )
            prev, last_id, checked = row["hash"], row["id"], checked + 1
    if keyed_from is not None and checked and keyed_from > checked + 1:
        return broken(None, "the head says the keyed chain starts after its end")
    if head is not None and head.last_hash != prev:
        return broken(
            None, "the last record is not the recorded head (records were removed from the end)"
        )
    if head is not None and head.count != checked:
        return broken(
            None,
            f"the head counts {head.count} records, the trail holds {checked} (records were removed)",
        )
    if anchor is not None and checked < anchor.length:
        return broken(
            None,
            f"the trail holds {checked} records, the anchor {anchor} was taken at "
            f"{anchor.length} (records were removed from the end)",
        )
    return ChainCheck(True, checked, None, "", keyed_from, prev)
