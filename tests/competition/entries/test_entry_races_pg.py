"""Committee members deciding on one entry at the same moment, on PostgreSQL: each request
loaded the entry before any of them wrote, yet none fails with a stale version (500) and none
is lost: every decision is in the entry's history and the audit trail, the last one stands.

Runs only when TEST_DATABASE_URL names a PostgreSQL database (``.ci/run`` does): SQLite
serializes writers on one file, so it would prove nothing."""

from __future__ import annotations

import os
import threading
import traceback

import pytest
from sqlalchemy import select

from competition.accounts.models import User
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries import screening
from competition.entries.models import Entry, EntryEvent, Screening
from tests import factories

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrency is tested on PostgreSQL (TEST_DATABASE_URL=postgresql...)",
)

WRITERS = 6


def test_simultaneous_screening_decisions_are_all_kept(app, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    members = [committee] + [
        factories.make_user(role="committee", username=f"panitia{i}") for i in range(1, WRITERS)
    ]
    db.session.commit()
    entry_id, member_ids = entry.id, [m.id for m in members]
    version = entry.version_id
    loaded, errors, lock = threading.Barrier(WRITERS), [], threading.Lock()

    def writer(i: int):
        with app.app_context():
            try:
                stale = db.session.get(Entry, entry_id)
                _ = stale.version_id, stale.status  # loaded as every other writer sees it
                loaded.wait(30)  # nobody writes before all have read
                screening.decide(
                    entry=stale,
                    eligible=i % 2 == 0,
                    reason=f"Keputusan {i}",
                    actor=db.session.get(User, member_ids[i]),
                    now=utcnow(),
                )
                db.session.commit()
            except Exception:  # noqa: BLE001 - collected and reported below
                with lock:
                    errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer hung (deadlock?)"
    assert errors == []
    db.session.expire_all()
    stored = db.session.get(Entry, entry_id)
    events = db.session.scalars(
        select(EntryEvent).where(EntryEvent.entry_id == entry_id).order_by(EntryEvent.id)
    ).all()
    assert sorted(e.reason for e in events) == sorted(f"Keputusan {i}" for i in range(WRITERS))
    assert stored.version_id == version + WRITERS
    assert stored.screening == Screening(events[-1].action)  # the last one written stands
    assert stored.screening_reason == events[-1].reason
    recorded = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.target_type == "entry_events", AuditRecord.action == "insert"
        )
    ).all()
    assert len(recorded) == WRITERS  # the audit trail accounts for every decision
