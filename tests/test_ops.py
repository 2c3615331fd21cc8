"""Operations: /healthz and /readyz for load balancers, and a request id in the response
header and in every log record of the request."""

from __future__ import annotations

import io
import json
import logging
import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from competition.db import db
from competition.jobs import worker
from competition.ops import RequestIdFilter, log_handler

ON_POSTGRES = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="procrastinate's queue needs PostgreSQL (TEST_DATABASE_URL)",
)


def _app(tmp_path, **config):
    """An app on a database of its own (none of the test fixtures' tables)."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ops.sqlite3",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            **config,
        }
    )


def test_healthz_needs_no_database(tmp_path):
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    r = app.test_client().get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "checks": {"process": "ok"}}
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_wants_the_migration_head(tmp_path):
    app = _app(tmp_path)
    client = app.test_client()
    with app.app_context():
        r = client.get("/readyz")  # an empty database: not migrated
        assert r.status_code == 503
        checks = r.get_json()["checks"]
        assert checks["database"] == "ok" and checks["storage"] == "ok"
        assert checks["migrations"].startswith("at []")
        upgrade()
        r = client.get("/readyz")
        assert r.status_code == 200, r.get_json()
        assert r.get_json() == {
            "status": "ok",
            "checks": {"database": "ok", "migrations": "ok", "storage": "ok"},
        }
        with db.engine.begin() as conn:  # an older schema: a deploy not yet migrated
            conn.execute(text("UPDATE alembic_version SET version_num = '371844bfa70d'"))
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.get_json()["checks"]["migrations"].startswith("at ['371844bfa70d'], head [")
        db.session.remove()
        db.engine.dispose()


def test_readyz_reports_an_unreachable_database_and_store(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = _app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        UPLOAD_FOLDER=str(blocker / "uploads"),
    )
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
    checks = r.get_json()["checks"]
    assert checks["database"].startswith("unreachable") and "migrations" not in checks
    assert checks["storage"].startswith("unreachable")


def test_readyz_leaves_out_the_queue_of_the_in_process_runner(tmp_path):
    """On SQLite jobs run in the web process (threads; inline in tests): no queue to check."""
    for mode in ("threads", "inline"):
        r = _app(tmp_path, JOBS=mode).test_client().get("/readyz")
        assert "queue" not in r.get_json()["checks"]


def test_readyz_reports_a_queue_it_cannot_reach(tmp_path):
    """procrastinate asked for on a database that cannot hold its queue (here SQLite): not
    ready, with the reason, and never a 500."""
    r = _app(tmp_path, JOBS="procrastinate").test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
    checks = r.get_json()["checks"]
    assert checks["database"] == "ok" and checks["queue"].startswith("unreachable: ")


def test_readyz_reports_the_queue_when_the_database_is_down(tmp_path):
    app = _app(
        tmp_path,
        JOBS="procrastinate",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
    )
    checks = app.test_client().get("/readyz").get_json()["checks"]
    assert checks["database"].startswith("unreachable") and checks["queue"].startswith(
        "unreachable"
    )


@ON_POSTGRES
def test_readyz_checks_the_procrastinate_queue(make_app):
    app = make_app(JOBS="procrastinate")
    with app.app_context():
        if not inspect(db.engine).has_table("procrastinate_jobs"):  # create_all made the rest
            schema = worker.procrastinate_app(app).schema_manager.get_schema()
            with db.engine.begin() as conn:
                conn.connection.driver_connection.execute(schema)
        r = app.test_client().get("/readyz")
        assert r.get_json()["checks"]["queue"] == "ok"
        assert r.get_json()["checks"]["database"] == "ok"


@ON_POSTGRES
def test_readyz_names_what_the_queue_lacks(tmp_path):
    """The same database seen through an empty schema (a deploy that never ran ``flask db
    upgrade`` there): not ready, naming procrastinate's missing tables and function."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    admin = _app(tmp_path, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False))
    with admin.app_context(), db.engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA IF NOT EXISTS readyz_empty"))
    empty = url.update_query_dict({"options": "-csearch_path=readyz_empty"})
    app = _app(
        tmp_path,
        JOBS="procrastinate",
        SQLALCHEMY_DATABASE_URI=empty.render_as_string(hide_password=False),
    )
    try:
        r = app.test_client().get("/readyz")
        assert r.status_code == 503
        assert r.get_json()["checks"]["queue"] == (
            "missing procrastinate_jobs, procrastinate_workers, procrastinate_defer_jobs_v1 "
            "(run flask db upgrade)"
        )
    finally:
        with app.app_context():
            db.engine.dispose()
        with admin.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA readyz_empty CASCADE"))
            db.engine.dispose()


def _logging_app(tmp_path, **config):
    app = _app(tmp_path, **config)

    @app.route("/_log")
    def _log():
        logging.getLogger("competition.somewhere").warning("inside the request")
        return "ok"

    return app


def _capture():
    handler = log_handler()
    buf = io.StringIO()
    handler.setStream(buf)
    return handler, buf


def test_request_id_is_honoured_and_logged(tmp_path):
    app = _logging_app(tmp_path)
    handler, buf = _capture()
    try:
        r = app.test_client().get("/_log", headers={"X-Request-ID": "lb-1234.abc"})
    finally:
        handler.setStream(None)  # back to sys.stderr
    assert r.headers["X-Request-ID"] == "lb-1234.abc"
    line = next(x for x in buf.getvalue().splitlines() if "inside the request" in x)
    assert "[lb-1234.abc] competition.somewhere: inside the request" in line


def test_request_id_is_generated_when_missing_or_unsafe(tmp_path):
    app = _logging_app(tmp_path, LOG_JSON=True)
    handler, buf = _capture()
    try:
        client = app.test_client()
        first = client.get("/_log").headers["X-Request-ID"]
        second = client.get("/_log", headers={"X-Request-ID": "bad id <script>"})
    finally:
        handler.setStream(None)  # back to sys.stderr
    assert len(first) == 32 and second.headers["X-Request-ID"] not in (first, "bad id <script>")
    records = [json.loads(x) for x in buf.getvalue().splitlines() if "inside the request" in x]
    assert [r["request_id"] for r in records] == [first, second.headers["X-Request-ID"]]
    assert records[0]["level"] == "WARNING" and records[0]["logger"] == "competition.somewhere"


def test_request_id_filter_outside_a_request():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"
