"""The SQLAlchemy base, the ``db`` object and column types shared by every package.

Imports nothing from the app, so both ``competition`` and ``judging`` can use it without cycles.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints make SQLite batch migrations and downgrades work (Alembic needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (all stored datetimes are UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps the zone (``timestamptz``); SQLite drops it, so values are stored as naive
    UTC and given back as aware UTC. Naive input is refused: it is always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def bulk_insert(table, rows: list[dict]) -> None:
    """Insert many plain rows into ``table`` within the session's transaction, fast.

    PostgreSQL gets ``COPY ... FROM STDIN`` (psycopg 3), several times faster than an
    ``executemany`` of INSERTs for the tens of thousands of results and certificates a national
    round publishes; other backends get the Core ``executemany``. Every row must have the same
    keys; columns left out take their Python default, else their server default. Values go
    through each column type's bind processing (``UTCDateTime`` and the like), as they would in
    an INSERT. COPY cannot run a Python function per row, so a table whose left-out columns
    have one (a random token, the creation time) gets the executemany on PostgreSQL too.
    Nothing is returned: re-select the rows if their ids are needed."""
    if not rows:
        return
    conn = db.session.connection()
    given = list(rows[0])
    computed = any(
        c.default is not None and not c.default.is_scalar
        for c in table.columns
        if c.name not in given
    )
    if conn.dialect.name != "postgresql" or computed:
        conn.execute(table.insert(), rows)
        return
    defaults = {
        c.name: c.default.arg
        for c in table.columns
        if c.name not in given and c.default is not None and c.default.is_scalar
    }
    names = given + list(defaults)
    bind = {
        n: table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for n in names
    }
    procs = [bind[n] for n in given]
    fixed = [bind[n](v) if bind[n] else v for n, v in defaults.items()]
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row([p(row[n]) if p else row[n] for n, p in zip(given, procs)] + fixed)
    except dbapi_error as exc:  # the same exception classes an INSERT would raise
        raise DBAPIError.instance(sql, None, exc, dbapi_error) from exc


def _enum(e):
    return db.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])
