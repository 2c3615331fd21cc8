"""A request that wrote nothing ends its transaction with a COMMIT (``competition.db.
commit_if_read_only``), so psycopg keeps the statements it prepared; one that wrote anything is
still rolled back unless the view committed. The database's own answer decides (a transaction
id is assigned at the first write or row lock), checked here against real PostgreSQL."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

import app as app_module
from competition.accounts.models import User
from competition.db import commit_if_read_only, db
from competition.roles import Role
from tests import factories

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="psycopg's prepared statements: PostgreSQL only (TEST_DATABASE_URL=postgresql...)",
)
USERS = "SELECT id FROM users WHERE username = %s"


def _raw():
    return db.session.connection().connection.driver_connection


def _prepared() -> list[str]:
    with _raw().cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall()]


def _prepare_users_statement() -> None:
    """Run one statement often enough for psycopg to prepare it on this connection."""
    raw = _raw()
    for _ in range(raw.prepare_threshold + 1):
        with raw.cursor() as cur:
            cur.execute(USERS, ("nobody",))
    assert any("FROM users WHERE username" in s for s in _prepared())


def _usernames() -> set[str]:
    return set(db.session.scalars(select(User.username)))


@on_postgresql
def test_a_transaction_that_only_read_is_committed_and_keeps_the_prepared_statements(app):
    factories.make_user(role="judge", username="ada")
    db.session.commit()
    _prepare_users_statement()
    assert db.session.scalar(select(User.id).where(User.username == "ada"))
    assert commit_if_read_only(db.session()) is True
    assert _raw().info.transaction_status == _raw().info.transaction_status.IDLE
    # the session goes on as before: it reads (in a new transaction) and ends normally
    assert _usernames() == {"ada"}
    assert any("FROM users WHERE username" in s for s in _prepared())
    db.session.rollback()


@on_postgresql
def test_a_rollback_would_have_dropped_them(app):
    """Why: psycopg forgets every prepared statement at a ROLLBACK (if this ever stops being
    true, ``commit_if_read_only`` is no longer needed)."""
    _prepare_users_statement()
    db.session.rollback()
    assert not any("FROM users WHERE username" in s for s in _prepared())
    db.session.rollback()


@on_postgresql
def test_a_transaction_that_wrote_is_left_to_the_rollback(app):
    factories.make_user(role="judge", username="ada")
    db.session.flush()  # written, not committed
    assert commit_if_read_only(db.session()) is False
    assert _raw().info.transaction_status == _raw().info.transaction_status.INTRANS
    db.session.rollback()
    assert _usernames() == set()


@on_postgresql
def test_a_raw_write_is_seen_too(app):
    """Written past the ORM (a Core or text statement): the database still knows."""
    db.session.execute(text("CREATE TEMPORARY TABLE scratch (n integer)"))
    assert commit_if_read_only(db.session()) is False
    db.session.rollback()
    assert db.session.scalar(text("SELECT to_regclass('pg_temp.scratch') IS NULL"))


@on_postgresql
def test_a_row_lock_counts_as_a_write(app):
    """A SELECT ... FOR SHARE (the score sheet's stage lock) is not ended by a commit here."""
    factories.make_user(role="judge", username="ada")
    db.session.commit()
    db.session.scalar(select(User).where(User.username == "ada").with_for_update(read=True))
    assert commit_if_read_only(db.session()) is False
    db.session.rollback()


@on_postgresql
def test_unflushed_changes_are_not_written_by_that_commit(app):
    """The COMMIT goes to the connection, not through the session: nothing pending is
    flushed, and the audit chain's commit hook does not run."""
    db.session.add(User(username="ada", name="Ada", role=Role.JUDGE))  # pending, not flushed
    with db.session.no_autoflush:
        db.session.execute(text("SELECT 1"))
        assert commit_if_read_only(db.session()) is True
    db.session.rollback()
    assert _usernames() == set()
    assert db.session.scalar(text("SELECT count(*) FROM audit_records")) == 0


@on_postgresql
def test_an_open_savepoint_is_left_alone(app):
    db.session.execute(text("SELECT 1"))
    nested = db.session.begin_nested()
    assert commit_if_read_only(db.session()) is False
    nested.rollback()
    db.session.rollback()


def test_a_failed_flush_is_left_to_the_rollback_without_an_error(app):
    """A view that caught a failed flush (a duplicate) and answered anyway: the session must
    be rolled back, and asking it for its connection would raise."""
    factories.make_user(role="judge", username="ada")
    db.session.commit()
    db.session.add(User(username="ada", name="Ada again", role=Role.JUDGE))
    with pytest.raises(IntegrityError):
        db.session.flush()
    assert commit_if_read_only(db.session()) is False
    db.session.rollback()
    assert _usernames() == {"ada"}


@on_postgresql
def test_a_failed_statement_is_left_to_the_rollback_without_an_error(app):
    """A statement that failed outside the ORM leaves the transaction aborted."""
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT 1 / 0"))
    assert commit_if_read_only(db.session()) is False
    db.session.rollback()


def test_nothing_to_do_without_a_transaction_or_on_sqlite(app):
    db.session.rollback()
    assert commit_if_read_only(db.session()) is False  # no transaction
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("SELECT 1"))
        assert commit_if_read_only(db.session()) is False
        assert db.session().in_transaction()
        db.session.rollback()


def _in_a_thread(fn):
    """Run ``fn`` in a thread of its own: its requests get their own app context and session,
    removed at their end, as on a server (the test's app context is not theirs)."""
    out = {}
    thread = threading.Thread(target=lambda: out.update(result=fn()))
    thread.start()
    thread.join()
    return out["result"]


def test_each_request_hands_its_session_over_before_it_is_removed(app, monkeypatch):
    """The end of the request's app context gives its own session to ``commit_if_read_only``
    (before Flask-SQLAlchemy removes it)."""
    calls = []
    monkeypatch.setattr(
        app_module, "commit_if_read_only", lambda session: calls.append(session) or False
    )
    judge = factories.make_user(role="judge", username="juri")
    db.session.commit()
    client = app.test_client(user=judge)
    calls.clear()  # the client's login (a session transaction) is a request of its own
    status, sessions = _in_a_thread(lambda: (client.get("/judge/").status_code, list(calls)))
    assert status == 200
    assert len(sessions) == 1 and sessions[0] is not db.session()


def test_a_request_that_wrote_without_committing_is_still_rolled_back(make_app):
    """A view that flushes and answers without committing (as a preview would): its rows are
    not kept, on PostgreSQL (the database says the transaction wrote) as on SQLite."""
    app = make_app()

    def writes_and_answers():
        factories.make_user(role="judge", username="written")  # flushed, never committed
        return "ok"

    app.add_url_rule("/_writes", view_func=writes_and_answers)
    client = app.test_client()
    assert _in_a_thread(lambda: client.get("/_writes").status_code) == 200
    with app.app_context():
        assert _usernames() == set()
