"""The database cache of computed rankings, shared by every worker of every app server: a row
per result, keyed by a digest of its exact input and settings (``digest_of``), bounded per
stage and in all, and pruned by age. Two tables use it: ``UncertaintyCache`` (the judge model's
uncertain rankings, ``judging.analysis.uncertainty``) and ``RankingCache`` (a stage's point
ranking and its bootstrap, ``judging.analysis.ranking_cache``).

A result is stored as an ``.npz`` of its arrays with its other fields as JSON inside (no
pickle: a row is data, never code). A key holds ``CODE_VERSION``, a digest of the numpy core's
sources, so a deploy that changes how a ranking is computed never reads a result of the old
code. Rows are written in their own short transaction on a connection of their own, like any
cache, whatever the caller's transaction does: a page view (a GET, which never commits) keeps
what it computed for every other worker, on PostgreSQL and SQLite alike (``write``)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from competition.db import db, utcnow
from judging import normalize, ranking

log = logging.getLogger(__name__)


def core_sources() -> list[Path]:
    """The numpy core's source files a cached ranking depends on: ``normalize.py`` and the
    per-method modules behind it (``normalize_*.py``), ``ranking.py`` and the modules behind it
    (``ranking_*.py``), and ``uncertainty.py``."""
    folder = Path(normalize.__file__).parent
    return sorted(
        [
            *folder.glob("normalize*.py"),
            Path(ranking.__file__),
            *folder.glob("ranking_*.py"),
            folder / "uncertainty.py",
        ]
    )


def _code_version() -> str:
    h = hashlib.sha256()
    for path in core_sources():
        try:
            h.update(path.read_bytes())
        except OSError:  # no source next to the bytecode: the module's name
            h.update(path.name.encode())
    return h.hexdigest()[:16]


CODE_VERSION = _code_version()

# How long an unused result is kept: a stage's rankings are read for weeks around the
# deadline, then hardly ever; a row older than this is computed again when asked for.
MAX_AGE = timedelta(days=30)


def digest_of(*parts) -> str:
    """A SHA-256 of ``parts`` (bytes as they are, anything else by its ``repr``) and of
    ``CODE_VERSION``: the key of one result."""
    h = hashlib.sha256(CODE_VERSION.encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()


EXTRA = "x:"  # the prefix of ``dump``'s extra values in the stored file


def dump(result, extra: dict | None = None) -> bytes:
    """A dataclass instance as bytes: its arrays in an ``.npz``, its other fields (numbers,
    strings, None, tuples) as JSON inside it. Fields that are neither (e.g. a lazily built
    helper object) are left out and take their default when loaded; ``extra`` values (arrays
    or the like) are stored beside the fields (``load_extra`` returns them)."""
    arrays, rest = {}, {}
    values = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    values.update({EXTRA + k: v for k, v in (extra or {}).items()})
    for name, value in values.items():
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, np.generic):
            rest[name] = value.item()
        elif isinstance(value, tuple):
            rest[name] = list(value)
        elif value is None or isinstance(value, (bool, int, float, str)):
            rest[name] = value
    buf = io.BytesIO()
    np.savez(buf, __rest__=np.frombuffer(json.dumps(rest).encode(), dtype=np.uint8), **arrays)
    return buf.getvalue()


def load(cls, data: bytes):
    """The ``cls`` instance ``dump`` stored (tuple fields come back as tuples)."""
    return load_extra(cls, data)[0]


def load_extra(cls, data: bytes) -> tuple:
    """(the ``cls`` instance, the ``extra`` dict) ``dump`` stored."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        values = {name: npz[name] for name in npz.files if name != "__rest__"}
        rest = json.loads(npz["__rest__"].tobytes())
    for name, value in rest.items():
        values[name] = tuple(value) if isinstance(value, list) else value
    extra = {k[len(EXTRA) :]: values.pop(k) for k in list(values) if k.startswith(EXTRA)}
    fields = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in fields}), extra


def read(model, digest: str) -> bytes | None:
    """The stored bytes under ``digest``; None when there are none."""
    return db.session.scalar(select(model.data).where(model.digest == digest))


def write(
    model,
    *,
    stage_id: int,
    digest: str,
    data: bytes,
    per_stage: int,
    total: int,
    per_kind: int | None = None,
    **columns,
) -> None:
    """Keep ``data`` under ``digest``, then prune: rows older than ``MAX_AGE``, the stage's
    oldest beyond its newest ``per_stage`` (several methods, settings and recent inputs of
    one stage live side by side) and the oldest beyond ``total`` rows in all. ``columns``: the
    model's other columns (``RankingCache.kind``). ``per_kind``: also keep only the stage's
    newest rows of this ``kind`` (a result that changes often, like a plan of extra judges
    with each new assignment, then never crowds out the stage's other, costlier rows).

    The row is committed at once on a connection of its own, so it outlives the caller's
    transaction (a GET's is rolled back at the end of the request). Two processes storing the
    same result at once: the second insert does nothing (``ON CONFLICT DO NOTHING``; on
    PostgreSQL it waits for the first to commit). On SQLite, where one connection writes at a
    time, a caller that has written in its open transaction already holds the write lock: the
    row is then written in a savepoint of that transaction (and kept when it commits). A
    write that fails (a lock held too long, a deadlock between two prunes) is logged and
    dropped: the result is computed again when next asked for, never an error on a page."""
    now = utcnow()
    dialect = db.engine.dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stage_rows = select(model.id).where(model.stage_id == stage_id)
    statements = [
        upsert(model)
        .values(stage_id=stage_id, digest=digest, data=data, created_at=now, **columns)
        .on_conflict_do_nothing(index_elements=["digest"]),
        delete(model).where(model.created_at <= now - MAX_AGE),
        delete(model).where(
            model.stage_id == stage_id,
            model.id.not_in(stage_rows.order_by(model.id.desc()).limit(per_stage)),
        ),
        delete(model).where(
            model.id.not_in(select(model.id).order_by(model.id.desc()).limit(total))
        ),
    ]
    if per_kind is not None:
        kind = columns["kind"]
        of_kind = stage_rows.where(model.kind == kind).order_by(model.id.desc()).limit(per_kind)
        statements.insert(
            1,
            delete(model).where(
                model.stage_id == stage_id, model.kind == kind, model.id.not_in(of_kind)
            ),
        )
    try:
        _store_rows(statements)
    except DBAPIError as exc:
        log.warning("shared cache: %s %s not stored (%s)", model.__tablename__, digest[:12], exc)


def _store_rows(statements: list) -> None:
    """Run ``statements`` in a transaction of their own (see ``write``)."""
    if db.engine.dialect.name == "sqlite" and _writing_sqlite():
        with db.session.begin_nested():
            for statement in statements:
                db.session.execute(statement)
        return
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def _writing_sqlite() -> bool:
    """The session's SQLite connection is inside a write transaction (pysqlite opens one at
    the first INSERT, UPDATE or DELETE, none for a SELECT): no other connection can write
    until it ends."""
    session = db.session()
    if session.get_transaction() is None:
        return False
    raw = session.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))


def count(model, stage_id: int | None = None) -> int:
    """Rows kept (of one stage when given): for tests and the benches."""
    query = select(func.count(model.id))
    if stage_id is not None:
        query = query.where(model.stage_id == stage_id)
    return db.session.scalar(query) or 0
