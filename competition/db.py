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


# PostgreSQL 13 and later; sent on the psycopg cursor, so SQLAlchemy's statement events (the
# query counts of tests and benches) do not see it.
_NOTHING_WRITTEN = "SELECT pg_current_xact_id_if_assigned() IS NULL"


def commit_if_read_only(session) -> bool:
    """End ``session``'s database transaction with a COMMIT when it wrote nothing
    (PostgreSQL); True if it did. Called when an app context ends (each request's, in
    ``app.py``), just before Flask-SQLAlchemy removes the session and rolls it back.

    psycopg 3 forgets every statement it prepared on a connection at each ROLLBACK (it cannot
    tell what the rolled-back transaction changed, so it sends ``DEALLOCATE ALL``), and a
    request that only read ends with the session's rollback: the statements every request
    runs (the user's, the judge's worklist, the score sheet's) were parsed and planned
    afresh at every request, never reaching psycopg's fifth execution that prepares them.
    For the worklist's seven-table join that was about 4 ms of database CPU instead of 1.2.

    A transaction without a transaction id (``pg_current_xact_id_if_assigned()`` is NULL)
    wrote nothing: no row inserted, updated, deleted or locked, no table created. Its COMMIT
    is the ROLLBACK's equal and keeps the prepared statements. The COMMIT goes to the DBAPI
    connection, not through the session: the ORM's events (the audit chain's
    ``before_commit``, the jobs' ``after_commit``) do not run and nothing pending in the
    session is flushed; the session's close then finds the connection outside a transaction
    and its rollback sends nothing. Anything else (a transaction that wrote, a savepoint
    open, a failed transaction or flush, a database error here, SQLite) is left to the
    session's rollback as before; this never raises a database error."""
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active or session.in_nested_transaction():
        return False  # none, or one a failed flush left to be rolled back
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    raw = connection.connection.driver_connection  # the psycopg connection
    if raw.info.transaction_status.name != "INTRANS":  # idle, or a failed transaction
        return False
    try:
        with raw.cursor() as cur:
            cur.execute(_NOTHING_WRITTEN)
            if not cur.fetchone()[0]:
                return False
        raw.commit()
    except connection.dialect.loaded_dbapi.Error:  # e.g. the connection is lost: the
        return False  # session's rollback deals with it, as without this
    return True


def _enum(e):
    return db.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])
