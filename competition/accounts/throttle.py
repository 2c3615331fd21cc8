"""Throttling of anonymous forms (login, forgot password) from the audit trail.

Attempts are counted as audit records of one action in the last ``WINDOW``, per key (the
account as typed) and per address: the count is shared by every worker and server and survives
restarts, with no other store to keep. The caller records each counted attempt itself
(``audit.record``) and answers 429 with the wait this module returns.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select

from competition.audit.models import AuditRecord
from competition.db import db

WINDOW = timedelta(minutes=15)


def key_for(typed: str) -> str:
    """The audit ``target_id`` an attempt is counted under: what was typed, normalized."""
    return typed.strip().lower()[:50]


def blocked_minutes(
    *, action: str, key: str, address: str | None, now: datetime, per_key: int, per_address: int = 0
) -> int:
    """Minutes until another attempt is allowed for this key or address (0: allowed now):
    blocked while ``per_key`` records of ``action`` for ``key`` (or ``per_address`` from
    ``address``; not counted when ``address`` is None) lie in the last ``WINDOW``."""
    since = now - WINDOW
    base = select(AuditRecord.created_at).where(
        AuditRecord.action == action, AuditRecord.created_at > since
    )
    waits = []
    checks = [(base.where(AuditRecord.target_id == key), per_key)]
    if address is not None:
        checks.append((base.where(AuditRecord.address == address), per_address))
    for stmt, limit in checks:
        times = db.session.scalars(stmt.order_by(AuditRecord.created_at.desc()).limit(limit)).all()
        if len(times) >= limit:  # blocked until the oldest of the last `limit` ages out
            waits.append(times[-1] + WINDOW - now)
    if not waits:
        return 0
    return max(1, math.ceil(max(waits).total_seconds() / 60))
