"""The session listener that writes the trail: which tables and columns are audited
(``AUDITED``), the record of each audited insert, update and delete of a flush, kept with the
session until the transaction commits, then chained in ``before_commit``; dropped with what a
rollback undoes, and chained first when the transaction reads the trail.

Imported by ``competition.audit.services`` (whose ``record`` keeps its records here), so the
listener is registered wherever the trail is written."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.sql.util import find_tables

from competition import actors
from competition.audit.chain import _append, _dump, _plain
from competition.db import utcnow

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


def _who() -> tuple[int | None, str, str]:
    actor = actors.current()
    return actor.id, actor.name, actor.address


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
