"""The chain itself: a record's canonical body and its hash (the keyed HMAC-SHA-256, or the
unkeyed SHA-256 of the records written before keying), the audit key and the id that names it,
and ``_append``, which chains a transaction's records after the head under the head's lock
(with the switch-over record on a chain from before keying)."""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
import json
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, insert, text, update

from competition.audit.models import AuditHead, AuditRecord
from competition.db import utcnow

GENESIS = "0" * 64


SYSTEM_AUDIT = "system:audit"  # the actor of the switch-over record


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
