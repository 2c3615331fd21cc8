"""Append-only, tamper-evident audit trail.

Every change to the objects that decide an outcome (score sheets and scores, assignments and
conflicts, rubrics, stages and rounds, entry status, committee decisions, publications,
certificates, accounts) is written as an ``AuditRecord`` in the same transaction as the change,
by a session listener: services do not have to remember it, and a change that rolls back leaves
no record. Logins and refused logins are recorded explicitly (``record``). Who made a change is
the actor of the current context (``competition.actors``), set by the page, the service's
``actor`` argument or the command's ``--as``.

Each record carries ``hash = SHA-256(prev_hash + canonical JSON of the record)``, so editing or
deleting a record breaks the chain from that point; ``flask audit verify`` walks the chain.
Writers are serialized through the one-row ``audit_head`` table (an UPDATE takes the row lock on
PostgreSQL and the write lock on SQLite before the previous hash is read), so concurrent
transactions never fork the chain.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from competition import actors
from competition.audit.models import AuditHead, AuditRecord
from competition.db import db, utcnow

GENESIS = "0" * 64


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


def _digest(prev: str, row: dict) -> str:
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
    return hashlib.sha256((prev + "\n" + body).encode()).hexdigest()


def _who() -> tuple[int | None, str, str]:
    actor = actors.current()
    return actor.id, actor.name, actor.address


def _append(connection, rows: list[dict]) -> None:
    """Chain and insert ``rows`` (dicts without hashes) on ``connection``."""
    if not rows:
        return
    head = AuditHead.__table__
    locked = connection.execute(
        update(head).where(head.c.id == 1).values(count=head.c.count + len(rows))
    ).rowcount
    if not locked:  # a database made without the migrations (tests' create_all)
        connection.execute(insert(head).values(id=1, last_hash=GENESIS, count=len(rows)))
    prev = connection.execute(select(head.c.last_hash).where(head.c.id == 1)).scalar_one()
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = _digest(prev, row)
    connection.execute(insert(AuditRecord.__table__), rows)
    connection.execute(update(head).where(head.c.id == 1).values(last_hash=prev))


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
    _append(
        db.session.connection(),
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
    return ",".join(str(v) for v in inspect(obj).identity or ())


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
        _append(session.connection(), rows)


@dataclass
class ChainCheck:
    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str = ""


def verify_chain(batch: int = 5000) -> ChainCheck:
    """Walk the chain in id order, recomputing every hash; reports the first broken record."""
    prev, checked, last_id = GENESIS, 0, 0
    table = AuditRecord.__table__
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
            if row["prev_hash"] != prev:
                return ChainCheck(
                    False,
                    checked,
                    row["id"],
                    "link to the previous record "
                    "does not match (a record was removed or reordered)",
                )
            if _digest(prev, dict(row)) != row["hash"]:
                return ChainCheck(
                    False,
                    checked,
                    row["id"],
                    "content does not match its hash (the record was altered)",
                )
            prev, last_id, checked = row["hash"], row["id"], checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return ChainCheck(
            False,
            checked,
            None,
            "the last record is not the recorded head (records were removed from the end)",
        )
    return ChainCheck(True, checked)


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
