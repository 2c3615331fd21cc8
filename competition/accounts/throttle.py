"""Throttling of guessable forms (login, forgot password, the current password) from the audit trail.

Attempts are counted as audit records of one action within a window, under limits that each name
what they count: one key (the account as typed), one client address, or one (key, address) pair.
The count is shared by every worker and server and survives restarts, with no other store to
keep. The caller records each counted attempt itself (``audit.record``) and answers 429 with the
wait this module returns.

A limit on a key alone lets a stranger lock the key's owner out, and a limit on an address alone
blocks a whole office (or, behind a reverse proxy that is not declared with ``JURI_PROXY_HOPS``,
the whole site): so the callers keep tight limits on pairs, a per-address limit that only
ever blocks that address, and a key-wide limit only at NIST SP 800-63B's order of 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from competition.audit.models import AuditRecord
from competition.db import db

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` attempts within ``window``, counting only the records of ``key`` and/or
    of ``address`` (at least one of them; an address of ``None`` is not counted)."""

    count: int
    key: str | None = None
    address: str | None = None
    window: timedelta = WINDOW


def key_for(typed: str) -> str:
    """The audit ``target_id`` an attempt is counted under: what was typed, normalized."""
    return typed.strip().lower()[:50]


def blocked_minutes(*, action: str, now: datetime, limits: list[Limit]) -> int:
    """Minutes until another attempt is allowed under every limit (0: allowed now): a limit
    blocks while ``count`` records of ``action`` it counts lie within its window, until the
    oldest of them ages out."""
    waits = []
    for limit in limits:
        if limit.key is None and limit.address is None:
            continue  # never a site-wide limit: one attacker would block everyone
        stmt = select(AuditRecord.created_at).where(
            AuditRecord.action == action, AuditRecord.created_at > now - limit.window
        )
        if limit.key is not None:
            stmt = stmt.where(AuditRecord.target_id == limit.key)
        if limit.address is not None:
            stmt = stmt.where(AuditRecord.address == limit.address)
        times = db.session.scalars(
            stmt.order_by(AuditRecord.created_at.desc()).limit(limit.count)
        ).all()
        if len(times) >= limit.count:
            waits.append(times[-1] + limit.window - now)
    if not waits:
        return 0
    return max(1, math.ceil(max(waits).total_seconds() / 60))
