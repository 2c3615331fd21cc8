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
"""

from __future__ import annotations

import csv
import enum
import functools
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, event, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.sql.util import find_tables

from competition import actors
from competition.audit.models import AuditHead, AuditRecord
from competition.db import db, utcnow

GENESIS = "0" * 64
SYSTEM_AUDIT = "system:audit"  # the actor of the switch-over record


# table -> audited columns (None: every column). Updates touching none of them are not logged:
# a draft proposal saved every minute is not an event, its submission is.
AUDITED: dict[str, tuple[str, ...] | None] = {
    "score_sheets": None,
    "scores": ("sheet_id", "criterion_id", "value", "comment"),
    "assignments": None,
    "conflicts": None,
    "judge_withdrawals": None,
    "criteria": None,
    "stages": None,
    "rounds": (
        "name",
        "status",
        "submission_opens_at",
        "submission_closes_at",
        "results_published_at",
    ),
    "categories": None,
    "entries": ("round_id", "category_id", "organisation_id", "title", "status", "submitted_at"),
    "entry_events": None,
    "publications": None,
    "certificates": (
        "code",
        "kind",
        "award",
        "holder",
        "revoked_at",
        "revoked_reason",
        "replaces_id",
    ),
    "award_levels": None,
    "award_settings": None,
    "users": ("username", "name", "role", "is_enabled", "organisation_id", "password_hash"),
    "organisations": None,
}


REDACTED = {"password_hash"}


IGNORED = {"updated_at", "version_id"}


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _dump(data: dict | None) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str) if data else ""


def _body(prev: str, row: dict) -> bytes:
    body = json.dumps(
        [
            row["created_at"].isoformat(),
            row["actor_id"],
            row["actor"],
            row["address"],
            row["action"],
            row["target_type"],
            row["target_id"],
            row["before"],
            row["after"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return (prev + "\n" + body).encode()


def _legacy_digest(prev: str, row: dict) -> str:
    """The unkeyed SHA-256 of the records written before keying (verification only)."""
    return hashlib.sha256(_body(prev, row)).hexdigest()


def _digest(prev: str, row: dict, key: bytes) -> str:
    return hmac.new(key, _body(prev, row), hashlib.sha256).hexdigest()


def derive_audit_key(secret_key: str) -> str:
    """The audit key when ``JURI_AUDIT_KEY`` is not set: derived from ``SECRET_KEY`` (from the
    environment or ``instance/secret_key``) with its own label, so servers sharing SECRET_KEY
    chain with the same key and the two keys are independent. Rotating SECRET_KEY then changes
    it: set JURI_AUDIT_KEY to the old derived value first (``flask audit key``)."""
    return hmac.new(str(secret_key).encode(), b"juri-audit-key", hashlib.sha256).hexdigest()


def _key() -> bytes:
    """The audit key of the running app (``AUDIT_KEY``: ``JURI_AUDIT_KEY`` or
    ``derive_audit_key(SECRET_KEY)``, see ``app.create_app``)."""
    key = current_app.config.get("AUDIT_KEY")
    if not key:
        raise RuntimeError("AUDIT_KEY is not configured: set JURI_AUDIT_KEY")
    return key.encode() if isinstance(key, str) else bytes(key)


def key_id(key: bytes) -> str:
    """A fingerprint naming the key (16 hex characters); it reveals nothing of the key."""
    return hmac.new(key, b"juri-audit-key-id", hashlib.sha256).hexdigest()[:16]


def _who() -> tuple[int | None, str, str]:
    actor = actors.current()
    return actor.id, actor.name, actor.address


def _append(connection, rows: list[dict]) -> None:
    """Chain and insert ``rows`` (dicts without hashes) on ``connection``.

    On a chain from before keying (``keyed_from`` NULL with records), a switch-over record
    ``audit_keyed`` is written first: it is the first keyed record and links to the last
    unkeyed one."""
    if not rows:
        return
    key = _key()
    head = AuditHead.__table__
    # The UPDATE takes the lock and, with RETURNING, reads the head in the same round trip.
    locked = connection.execute(_lock_head_statement(), {"n": len(rows)}).one_or_none()
    if locked is None:  # a database made without the migrations (tests' create_all)
        connection.execute(
            insert(head).values(
                id=1, last_hash=GENESIS, count=len(rows), keyed_from=1, key_id=key_id(key)
            )
        )
        locked = (GENESIS, len(rows), 1, key_id(key))
    now = utcnow()  # under the lock: the records' times follow the chain
    for row in rows:
        row["created_at"] = now
    prev, count, keyed_from, written_with = locked
    reported = current_app.extensions.setdefault("audit_keys_reported", set())
    if written_with and written_with != key_id(key) and written_with not in reported:
        # A server with another key (JURI_AUDIT_KEY or SECRET_KEY differ between servers, or
        # SECRET_KEY was rotated): what it writes will not verify with the trail's key.
        # Reported once per process and trail key, not at every write.
        reported.add(written_with)
        current_app.logger.error(
            "The audit key (id %s) is not the one the audit trail was written with (id %s): "
            "set JURI_AUDIT_KEY (or SECRET_KEY) alike on every server.",
            key_id(key),
            written_with,
        )
    before = count - len(rows)
    if keyed_from is None:
        keyed_from = before + 1
        if before:  # old records: mark where the keyed chain starts
            rows = [
                {
                    "created_at": rows[0]["created_at"],
                    "actor_id": None,
                    "actor": SYSTEM_AUDIT,
                    "address": "",
                    "action": "audit_keyed",
                    "target_type": "audit_records",
                    "target_id": "",
                    "before": "",
                    "after": _dump({"unkeyed_records": before, "key_id": key_id(key)}),
                },
                *rows,
            ]
            count += 1
        connection.execute(
            update(head)
            .where(head.c.id == 1)
            .values(keyed_from=keyed_from, key_id=key_id(key), count=count)
        )
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = _digest(prev, row, key)
    if connection.dialect.name == "postgresql":
        # The records and the head in one round trip (a data-modifying WITH), as the lock is
        # held until the commit that follows: one round trip fewer while others wait. One
        # array per column, so the statement is the same whatever the number of records and
        # compiled once per process (a multi-row VALUES was compiled anew at every write:
        # about 5 ms of CPU for the 14 records of a saved score sheet).
        connection.execute(
            _pg_append_statement(),
            {"last_hash": prev, **{c: [row[c] for row in rows] for c in _RECORD_COLUMNS}},
        )
        return
    connection.execute(insert(AuditRecord.__table__), rows)
    connection.execute(update(head).where(head.c.id == 1).values(last_hash=prev))


@functools.cache
def _lock_head_statement():
    """``_append``'s UPDATE of the head by ``:n`` records, built once per process (building it
    and its cache key anew took about 0.1 ms of CPU at every write)."""
    head = AuditHead.__table__
    return (
        update(head)
        .where(head.c.id == 1)
        .values(count=head.c.count + bindparam("n"))
        .returning(head.c.last_hash, head.c.count, head.c.keyed_from, head.c.key_id)
    )


_RECORD_COLUMNS = (
    "created_at",
    "actor_id",
    "actor",
    "address",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


@functools.cache
def _pg_append_statement():
    """PostgreSQL: insert the records given as one array per column (in the arrays' order,
    hence the chain's) and move the head to ``:last_hash``."""
    array_types = {"created_at": "timestamptz[]", "actor_id": "integer[]"}
    columns = ", ".join(f'"{c}"' for c in _RECORD_COLUMNS)
    arrays = ", ".join(f"CAST(:{c} AS {array_types.get(c, 'text[]')})" for c in _RECORD_COLUMNS)
    return text(
        f"WITH records AS (INSERT INTO {AuditRecord.__tablename__} ({columns}) "
        f"SELECT {columns} FROM unnest({arrays}) WITH ORDINALITY AS r({columns}, n) ORDER BY n) "
        f"UPDATE {AuditHead.__tablename__} SET last_hash = :last_hash WHERE id = 1"
    )


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


def _values(obj, columns) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED or (columns is not None and key not in columns):
            continue
        value = state.attrs[key].loaded_value
        if value is NO_VALUE:  # a server default not read back: not known here
            continue
        out[key] = "***" if key in REDACTED else _plain(value)
    return out


def _changes(obj, columns) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED or (columns is not None and key not in columns):
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _plain(old) == _plain(new):
            continue
        before[key] = "***" if key in REDACTED else _plain(old)
        after[key] = "***" if key in REDACTED else _plain(new)
    return before, after


def _target_id(obj) -> str:
    """The primary key: of a row just inserted too (its identity is set only after the flush
    events, so inserts were recorded with an empty target id before)."""
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in key if v is not None)


# Records of the current transaction not chained yet: session.info[KEPT] is a list of
# (transaction they were made in, row); session.info[CHAINED] is True once this transaction has
# chained (it holds the head's lock until it ends, so later records are chained at once).
KEPT = "audit_kept"
AUDIT_TABLES = ("audit_records", "audit_head")
CHAINED = "audit_chained"


def _innermost(session: Session):
    return session.get_nested_transaction() or session.get_transaction()


def _keep(session: Session, rows: list[dict]) -> None:
    """Keep ``rows`` until the transaction commits (``_chain_kept``), or chain them now when this
    transaction holds the head already."""
    if session.info.get(CHAINED):
        _append(session.connection(), rows)
        return
    transaction = _innermost(session)
    session.info.setdefault(KEPT, []).extend((transaction, row) for row in rows)


def _chain_kept(session: Session) -> None:
    """Chain and insert the records kept by this transaction (taking the head's lock)."""
    kept = session.info.pop(KEPT, None)
    if kept:
        session.info[CHAINED] = True
        _append(session.connection(), [row for _transaction, row in kept])


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """At the end of the transaction: flush what is left, then chain the kept records, so the
    head is locked only for the insert and the commit; whatever is flushed after this (by the
    commit itself, or another hook) is chained at once. A savepoint being released keeps its
    records for the enclosing transaction."""
    if session.in_nested_transaction():
        return
    for _ in range(100):
        if not (session.new or session.dirty or session.deleted):
            break
        session.flush()
    _chain_kept(session)
    session.info[CHAINED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its records go on
        return
    if session.info.pop(KEPT, None):  # cannot happen unless SQLAlchemy changes its order
        current_app.logger.error("audit records were kept past their commit and are lost")


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous) -> None:
    """Drop the records of what was rolled back: the transaction (or savepoint) the database
    rolled back, and every savepoint inside it."""
    boundary = previous
    while boundary.parent is not None and not boundary.nested:
        boundary = boundary.parent
    if boundary.parent is None:
        session.info.pop(KEPT, None)
        session.info.pop(CHAINED, None)
        return
    kept = session.info.get(KEPT)
    if kept:
        session.info[KEPT] = [(t, row) for t, row in kept if not _inside(t, boundary)]


def _inside(transaction, outer) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the database transaction is over: the lock with it
        session.info.pop(CHAINED, None)
        session.info.pop(KEPT, None)


@event.listens_for(Session, "do_orm_execute")
def _before_reading_the_trail(state) -> None:
    """A transaction reading the trail sees its own records: chain them first."""
    if state.session.info.get(KEPT) and state.is_select:
        found = find_tables(state.statement, check_columns=True)
        if any(getattr(t, "name", None) in AUDIT_TABLES for t in found):
            _chain_kept(state.session)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Record audited inserts, updates and deletes of this flush, in the same transaction."""
    rows = []
    now = utcnow()
    actor_id, name, address = None, None, None
    for kind, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table not in AUDITED:
                continue
            columns = AUDITED[table]
            if kind == "insert":
                before, after = {}, _values(obj, columns)
            elif kind == "delete":
                before, after = _values(obj, columns), {}
            else:
                before, after = _changes(obj, columns)
                if not before and not after:
                    continue
            if name is None:
                actor_id, name, address = _who()
            rows.append(
                {
                    "created_at": now,
                    "actor_id": actor_id,
                    "actor": name,
                    "address": address,
                    "action": kind,
                    "target_type": table,
                    "target_id": _target_id(obj),
                    "before": _dump(before),
                    "after": _dump(after),
                }
            )
    if rows:
        rows.sort(key=lambda r: (r["target_type"], r["target_id"], r["action"]))
        _keep(session, rows)


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


def query_records(
    *, action: str = "", target_type: str = "", actor: str = "", limit: int | None = 200
):
    stmt = select(AuditRecord).order_by(AuditRecord.id.desc())
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    if target_type:
        stmt = stmt.where(AuditRecord.target_type == target_type)
    if actor:
        stmt = stmt.where(AuditRecord.actor == actor)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "actor",
    "address",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def export_rows(records):
    """The header and one row per record (the stored values, as the hashes cover them)."""
    yield EXPORT_COLUMNS
    for r in records:
        yield [_plain(getattr(r, c)) for c in EXPORT_COLUMNS]


def export_csv(records) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(export_rows(records))
    return out.getvalue()
