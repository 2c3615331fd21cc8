"""Reading the trail: the records the committee's page lists, newest first and filtered
(``query_records``), and the same records as rows of a CSV or XLSX download, with the stored
values the hashes cover (``export_rows``, ``export_csv``)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from competition.audit.chain import _plain
from competition.audit.models import AuditRecord
from competition.db import db


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
