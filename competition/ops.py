"""What a load balancer and a log collector need from every app server.

- ``GET /healthz``: the process answers (no database, no storage): for liveness probes.
- ``GET /readyz``: the database answers and is at the Alembic migration head, the file store
  answers, and, when jobs run on procrastinate (PostgreSQL), its queue is there: for readiness
  probes (a server that is not ready gets no traffic). Both return JSON, 200 when good and 503
  otherwise (each check says what is wrong), and are never cached.
- A request id per request: the client's ``X-Request-ID`` when it is a sane token (a proxy's),
  else a new one; it is returned in the ``X-Request-ID`` header and carried by every log
  record of the request (``record.request_id``, through ``RequestIdFilter``). With
  ``JURI_LOG_JSON=true`` logs are one JSON object a line, for a log collector.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import uuid
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, g, has_request_context, jsonify, request
from flask.logging import default_handler
from sqlalchemy import text

from competition.db import db
from competition.jobs import services as jobs
from competition.storage import get_storage

ops_bp = Blueprint("ops", __name__)

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it), or to the
    stream given by ``setStream`` (``setStream(None)``: back to ``sys.stderr``)."""

    def __init__(self):
        self._stream = None
        super().__init__()
        self._stream = None

    @property
    def stream(self):
        return self._stream or sys.stderr

    @stream.setter
    def stream(self, value):
        self._stream = value


def log_handler() -> logging.Handler:
    """Juri's handler on the root logger (added once per process, on stderr)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "juri", False):
            return handler
    handler = _StderrHandler()
    handler.juri = True
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    return handler


def _install_logging(app: Flask) -> None:
    handler = log_handler()
    json_logs = app.config.get("LOG_JSON") in (True, "1", "true", "True")
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter(TEXT_FORMAT))
    # Every record reaches the root handler (the app's logger, the modules' loggers); Flask's
    # own handler would print the app's records a second time, without the id.
    app.logger.removeHandler(default_handler)
    # Werkzeug only shows its request lines and "Running on ..." itself when the root logger
    # has no handler; with ours there, let its INFO records through to it.
    werkzeug = logging.getLogger("werkzeug")
    if werkzeug.level == logging.NOTSET:
        werkzeug.setLevel(logging.INFO)
    for other in logging.getLogger().handlers:  # a host's handlers get the id too
        if not any(isinstance(f, RequestIdFilter) for f in other.filters):
            other.addFilter(RequestIdFilter())


def _assign_request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _echo_request_id(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


@functools.lru_cache(maxsize=4)
def _heads_of(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts (read once per process: a deploy
    restarts the process)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _migration_heads() -> set[str]:
    return set(_heads_of(str(Path(current_app.extensions["migrate"].directory))))


def _probe(checks: dict) -> tuple:
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    response = jsonify(status="ok" if status == 200 else "unavailable", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@ops_bp.route("/healthz")
def healthz():
    """Alive: the process answers requests."""
    return _probe({"process": "ok"})


# What enqueueing and the workers need of procrastinate's schema (``competition.jobs``): its
# job and worker tables and the function ``jobs.add_job`` defers a job with.
QUEUE_TABLES = ("procrastinate_jobs", "procrastinate_workers")
QUEUE_FUNCTION = "procrastinate_defer_jobs_v1"


def _queue_check(conn) -> str:
    """Whether procrastinate's queue is usable on ``conn`` (PostgreSQL): "ok" when its tables
    and defer function exist and the jobs table can be read (two catalogue-sized queries, no
    scan of the queue); else what is missing (an error reading raises)."""
    names = [*QUEUE_TABLES, QUEUE_FUNCTION]
    found = conn.execute(
        text(
            "SELECT to_regclass(:t0) IS NOT NULL, to_regclass(:t1) IS NOT NULL, "
            "to_regproc(:f) IS NOT NULL"
        ),
        {"t0": QUEUE_TABLES[0], "t1": QUEUE_TABLES[1], "f": QUEUE_FUNCTION},
    ).one()
    missing = [name for name, there in zip(names, found) if not there]
    if missing:
        return f"missing {', '.join(missing)} (run flask db upgrade)"
    conn.execute(text(f"SELECT 1 FROM {QUEUE_TABLES[0]} LIMIT 0"))  # readable by this role
    return "ok"


@ops_bp.route("/readyz")
def readyz():
    """Ready: database reachable and migrated to the head, file store reachable, and the job
    queue reachable when jobs run on procrastinate (the in-process runner needs nothing)."""
    checks = {}
    runner = current_app.extensions.get(jobs.EXTENSION)
    on_queue = getattr(runner, "mode", None) == "procrastinate"
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
            expected = _migration_heads()
            checks["database"] = "ok"
            checks["migrations"] = (
                "ok" if current == expected else f"at {sorted(current)}, head {sorted(expected)}"
            )
            if on_queue:
                try:
                    checks["queue"] = _queue_check(conn)
                except Exception as exc:  # e.g. no right to read the table: not ready
                    checks["queue"] = f"unreachable: {type(exc).__name__}"
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"unreachable: {type(exc).__name__}"
        if on_queue:
            checks["queue"] = "unreachable: the database is unreachable"
    try:
        get_storage().check()
        checks["storage"] = "ok"
    except Exception as exc:  # botocore and OSError alike
        checks["storage"] = f"unreachable: {type(exc).__name__}"
    return _probe(checks)


def register_ops(app: Flask) -> None:
    """Add the probes, the request id and the log format to ``app``."""
    app.register_blueprint(ops_bp)
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
    _install_logging(app)
