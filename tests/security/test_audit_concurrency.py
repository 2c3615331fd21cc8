"""The audit chain under concurrency (issue 17, item 4): records are chained at the end of their
transaction, so the head's lock is held for milliseconds, and the chain stays whole: many
writers at once (threads, each with its own connection) leave a chain that verifies, holds
exactly the records of the transactions that committed, in the order they committed, and none of
what rolled back (a whole transaction or a savepoint).

The many-writers test runs on SQLite and PostgreSQL; the test that a writer no longer waits for
another's open transaction needs PostgreSQL's row locks (SQLite has one writer at a time)."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from competition.accounts.models import Organisation
from competition.audit import chain as audit_chain
from competition.audit import records as audit_records
from competition.audit import services as audit
from competition.audit.models import AuditHead, AuditRecord
from competition.db import db

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def _org_records() -> list[AuditRecord]:
    return db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.target_type == "organisations")
        .order_by(AuditRecord.id)
    ).all()


def test_a_transaction_reading_the_trail_sees_its_own_records(app):
    org = Organisation(name="Dinas Baca")
    db.session.add(org)
    db.session.flush()
    assert [r.target_id for r in audit_records.query_records(target_type="organisations")] == [
        str(org.id)
    ]
    assert audit.anchor_of("organisations", org.id).length == 1
    db.session.commit()
    assert audit.verify_chain().ok and audit.verify_chain().checked == 1


def test_records_of_a_rolled_back_transaction_or_savepoint_are_dropped(app):
    db.session.add(Organisation(name="Dinas Batal"))
    db.session.flush()
    audit.record("remind_drafts", "rounds", 1)
    db.session.rollback()
    kept = Organisation(name="Dinas Tetap")
    db.session.add(kept)
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.add(Organisation(name="Dinas Savepoint"))
    db.session.flush()
    savepoint.rollback()
    inner = db.session.begin_nested()  # a released savepoint keeps its records
    db.session.add(Organisation(name="Dinas Dalam"))
    db.session.flush()
    inner.commit()
    db.session.commit()
    names = {r.after for r in _org_records()}
    assert len(names) == 2 and all("Dinas Tetap" in n or "Dinas Dalam" in n for n in names)
    check = audit.verify_chain()
    assert check.ok and check.checked == 2


def test_a_change_flushed_after_the_records_were_chained_is_chained_too(app):
    """Another before_commit hook may change objects after the audit's hook ran: those records
    are chained at once (the transaction holds the head already), never lost."""
    org = Organisation(name="Dinas Awal")
    db.session.add(org)
    db.session.flush()
    session = db.session()

    def late_change(s):
        if s is session and org.name == "Dinas Awal":
            org.name = "Dinas Akhir"

    event.listen(session, "before_commit", late_change)
    try:
        db.session.commit()
    finally:
        event.remove(session, "before_commit", late_change)
    assert [r.action for r in _org_records()] == ["insert", "update"]
    assert audit.verify_chain().ok


WRITERS = 8
TRANSACTIONS = 6


def _writer(app, n: int, committed: list, errors: list, lock: threading.Lock, start) -> None:
    """Transactions of one writer: two audited inserts and one explicit record each; every
    third rolls back, every second also rolls a savepoint back (its record must vanish)."""
    with app.app_context():
        start.wait()
        for t in range(TRANSACTIONS):
            for attempt in range(50):
                try:
                    db.session.add_all([Organisation(name=f"W{n}-T{t}-{i}") for i in range(2)])
                    db.session.flush()
                    if t % 2:
                        savepoint = db.session.begin_nested()
                        db.session.add(Organisation(name=f"W{n}-T{t}-undone"))
                        db.session.flush()
                        savepoint.rollback()
                    audit.record("remind_drafts", "rounds", n * 100 + t)
                    if t % 3 == 2:
                        db.session.rollback()
                        break
                    db.session.commit()
                    with lock:
                        committed.append((n, t))
                    break
                except OperationalError as exc:  # SQLite: "database is locked"; try again
                    db.session.rollback()
                    if "locked" not in str(exc):
                        errors.append(repr(exc))
                        return
                    time.sleep(0.01 * (attempt + 1))
            else:
                errors.append(f"writer {n} gave up on transaction {t}")
        db.session.remove()


def _migrated_head() -> None:
    """The head's one row, as the migrations leave it (tests build the schema without them)."""
    db.session.add(AuditHead(id=1, last_hash=audit_chain.GENESIS, count=0))
    db.session.commit()


def test_many_writers_at_once_leave_one_whole_chain_in_commit_order(app):
    _migrated_head()
    committed, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_writer, args=(app, n, committed, errors, lock, start))
        for n in range(WRITERS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not errors
    expected_commits = WRITERS * sum(1 for t in range(TRANSACTIONS) if t % 3 != 2)
    assert len(committed) == expected_commits

    db.session.remove()
    orgs = db.session.scalar(select(func.count(Organisation.id)))
    records = db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert orgs == 2 * expected_commits
    assert len(records) == 3 * expected_commits  # two inserts and one record per commit
    assert sorted(int(r.target_id) for r in records if r.action == "remind_drafts") == sorted(
        n * 100 + t for n, t in committed
    )
    assert not any("undone" in r.after for r in records)

    # One transaction's records are together in the chain (chained in one go, under the lock)
    # and the records' times follow the chain (stamped when chained, in commit order).
    def transaction_of(r):
        if r.action == "remind_drafts":
            return divmod(int(r.target_id), 100)
        name = json.loads(r.after)["name"]  # W<n>-T<t>-<i>
        return int(name.split("-")[0][1:]), int(name.split("-")[1][1:])

    runs = [k for k, _group in itertools.groupby(transaction_of(r) for r in records)]
    assert len(runs) == len(set(runs)) == expected_commits
    assert [r.created_at for r in records] == sorted(r.created_at for r in records)
    check = audit.verify_chain()
    assert check.ok, check.problem
    assert check.checked == len(records)
    head = db.session.get(AuditHead, 1)
    assert head.count == len(records) and head.last_hash == records[-1].hash
    assert audit.verify_chain(anchor=audit.Anchor(records[-1].hash[:16], len(records))).ok


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks: PostgreSQL (TEST_DATABASE_URL)")
def test_an_open_transaction_does_not_hold_up_other_writers(app):
    """A transaction that has written audited changes but not committed does not hold the
    head: another writer commits meanwhile (before, it waited for the first to end)."""
    _migrated_head()
    flushed, other_done, outcome = threading.Event(), threading.Event(), {}

    def slow():
        with app.app_context():
            db.session.add(Organisation(name="Dinas Lambat"))
            db.session.flush()
            flushed.set()
            outcome["other in time"] = other_done.wait(20)
            db.session.commit()
            db.session.remove()

    def quick():
        with app.app_context():
            flushed.wait(20)
            t0 = time.perf_counter()
            db.session.add(Organisation(name="Dinas Cepat"))
            db.session.commit()
            outcome["quick seconds"] = time.perf_counter() - t0
            other_done.set()
            db.session.remove()

    threads = [threading.Thread(target=slow), threading.Thread(target=quick)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcome["other in time"] and outcome["quick seconds"] < 5
    db.session.remove()
    records = _org_records()
    assert ["Dinas Cepat" in r.after for r in records] == [True, False]  # commit order
    assert audit.verify_chain().ok
