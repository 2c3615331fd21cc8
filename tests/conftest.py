"""Fixtures: a fresh database per test, clients signed in per role, and the usual actors of
the slice.

The schema is built once per test session. On SQLite each test gets a copy of a template file
made with ``create_all`` (copying a file is far cheaper than creating sixty tables); on the
PostgreSQL database named by TEST_DATABASE_URL the schema is created once and every table is
emptied after each test (concurrency tests need real commits, so no rolled-back transaction).
What every test would otherwise pay again is paid once per session: Argon2 hashes of the same
passwords, Werkzeug's URL builders and Jinja's compiled templates (see the fixtures below).

Under pytest-xdist (``make test`` runs two workers) each worker has a database of its own: a
SQLite file under its own temporary folder, or on PostgreSQL the database
``<TEST_DATABASE_URL's database>_<worker>`` (``juri_test_gw0``, ...), created when missing (the
role needs CREATEDB, or create them beforehand); ``TEST_DATABASE_URL`` is set to it in the
worker, so subprocesses started by tests use it too. The demo is loaded once per run and shared
by the workers.
"""

from __future__ import annotations

import copy
import fcntl
import functools
import gc
import hashlib
import os
import pickle
import re
import shutil
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g
from flask_login import FlaskLoginClient
from sqlalchemy import DateTime, TypeDecorator, create_engine, event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import Rule

from app import create_app
from competition import storage
from competition.accounts import models as account_models
from competition.accounts import services as account_services
from competition.db import db
from competition.jobs import services as jobs_services
from competition.jobs import worker as jobs_worker
from competition.jobs.tasks import stop_all_maintenance
from judging.analysis import uncertainty as unc_service
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "competition" / "translations"


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older, as ``pybabel compile``
    would (fuzzy entries left out), so ``pytest`` works right after ``pip install -e .[test]``.
    Written under a temporary name and renamed, so parallel runs never read half a file."""
    compiled = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parents[1].name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        os.replace(tmp, mo)
        compiled.append(mo)
    return compiled


def pytest_configure(config):
    compile_catalogues()
    config.addinivalue_line(
        "markers", "fresh_app: the app fixture builds a new app rather than the reused one"
    )
    worker = getattr(config, "workerinput", {}).get("workerid")
    url = _test_database_url()
    if worker and url:
        os.environ["TEST_DATABASE_URL"] = _worker_database(url, worker)


def pytest_collection_finish(session):
    """The objects alive once the tests are collected (modules, models, plugins: some hundred
    thousand) live to the end: freeze them out of the garbage collector's scans, and collect
    less often, since every test leaves an app's worth of cycles behind (a tenth of the suite's
    time went to collections)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()  # off since ``import tests`` (tests/__init__.py)


def pytest_sessionstart(session):
    if session.config.pluginmanager.has_plugin("dsession"):  # the xdist controller
        gc.set_threshold(50_000, 20, 100)
        gc.enable()


def _worker_database(url: str, worker: str) -> str:
    """The URL of this xdist worker's own database next to ``url``'s, created when missing."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    if base.get_backend_name() != "postgresql":  # a SQLite file: the worker's file next to it
        return base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not found:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except SQLAlchemyError as exc:
        raise pytest.UsageError(
            f"the test worker {worker} needs its own database {name!r}: give the role of "
            f"TEST_DATABASE_URL the CREATEDB right, create it (createdb -O <role> {name}), or "
            f"run without workers (-n 0).\n{exc}"
        ) from exc
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _test_database_url() -> str | None:
    # Never the DATABASE_URL of a real instance: tests only use TEST_DATABASE_URL or a temp file.
    return os.environ.get("TEST_DATABASE_URL") or None


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    """Test databases are throw-away files: SQLite need not wait for the disk on each commit
    (``synchronous=OFF`` keeps locking and transactions as they are, only skips fsync)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


_hashed_from: dict[str, str] = {}  # each hash made by _cached_hash -> its password


@functools.cache
def _cached_hash(password: str) -> str:
    pwhash = _real_generate(password)
    _hashed_from[pwhash] = password
    return pwhash


def _cached_check(pwhash: str, password: str) -> bool:
    # A hash made above matches exactly the password it was made from: Argon2id's verify would
    # give the same answer (its salt is random, so no other hash is the same string).
    if pwhash in _hashed_from:
        return _hashed_from[pwhash] == password
    return _checked(pwhash, password)


@functools.cache
def _checked(pwhash: str, password: str) -> bool:
    return _real_check(pwhash, password)


_real_generate = account_models.hash_password
_real_check = account_models.verify_password


@pytest.fixture(scope="session", autouse=True)
def _hash_once_per_password():
    """Argon2id costs about 0.05-0.1 s a call, and nearly every test hashes the same few passwords
    and checks them at login: compute each real hash once per session, and check a password
    against a hash made so by comparing it with the password the hash was made from (any other
    hash, such as the demo's or a Werkzeug one, is checked for real, once per pair).
    Hashes keep the real Argon2id format and wrong passwords are still refused."""
    mp = pytest.MonkeyPatch()
    mp.setattr(account_models, "hash_password", _cached_hash)
    mp.setattr(account_models, "verify_password", _cached_check)
    # Logins with an unknown username check a dummy hash (services.authenticate), as slow.
    mp.setattr(account_services, "verify_password", _cached_check)
    yield
    mp.undo()


_real_compile_builder = getattr(Rule, "_compile_builder", None)
_builders: dict = {}


def _cached_compile_builder(self, append_unknown=True):
    # Werkzeug generates the URL builder of a rule from its parts; the function depends only on
    # the rule's text, converters and defaults (it reads ``self._converters`` when called).
    key = (
        self.rule,
        tuple(self._trace),
        repr(sorted((self.defaults or {}).items())),
        tuple((name, type(conv)) for name, conv in self._converters.items()),
        append_unknown,
    )
    if key not in _builders:
        _builders[key] = _real_compile_builder(self, append_unknown)
    return _builders[key]


@pytest.fixture(scope="session", autouse=True)
def _url_builders_once():
    """Each test builds its own app, and about two thirds of ``create_app`` is Werkzeug
    compiling the same URL builders (about 250 generated functions) again: compile each once
    per session. Skipped if a Werkzeug release renames the private method."""
    if _real_compile_builder is None:
        yield
        return
    mp = pytest.MonkeyPatch()
    mp.setattr(Rule, "_compile_builder", _cached_compile_builder)
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _no_maintenance_thread_outlives_its_test():
    """An app's in-process job maintenance thread starts with its first request and polls the
    app's database every few seconds; a test's app is thrown away with its database, so stop
    the threads when the test ends (they logged "no such table" into closed streams)."""
    yield
    stop_all_maintenance()


class _SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates shared by the apps of a session, in memory. Each test's app has its own
    Jinja environment, which would lex, parse and compile again every template it renders (the
    largest cost of a page test once the app is built); Jinja checks each entry against the
    template source's checksum, so an edited template is compiled anew."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket):
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecodeCache()


def _base_config(tmp_path, uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "AUDIT_KEY": "test-audit-key",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        # The test client's host: absolute links are built from this, never the Host.
        "PUBLIC_URL": "http://localhost",
    }


@pytest.fixture(scope="session")
def schema(tmp_path_factory):
    """Build the schema once: a template SQLite file (returned, to be copied per test), or the
    tables of the PostgreSQL test database (created afresh; returns None)."""
    url = _test_database_url()
    if url:
        app = create_app(_base_config(tmp_path_factory.mktemp("pg"), url))
        with app.app_context():
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
            db.engine.dispose()
        return None
    template = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    app = create_app(_base_config(template.parent, f"sqlite:///{template}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return template


def _fresh_g() -> None:
    for name in list(vars(g)):
        delattr(g, name)


def _empty(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@dataclass
class DemoSnapshot:
    """The demo competition as ``flask demo load --if-empty`` leaves it in an empty database,
    taken once per run: the folder holding its upload folder (and, on SQLite, its database file
    ``test.sqlite3``), on PostgreSQL the rows of every table (inserted again per test), and what
    the command printed."""

    folder: Path
    rows: dict[str, list[dict]] | None
    output: str


def _run_folder(tmp_path_factory) -> Path:
    """A folder of this run that every xdist worker sees (each worker's own temporary folder
    is a subfolder of it); without workers, the session's temporary folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path`` (across the processes of the run)."""
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _load_demo(folder: Path, schema: Path | None) -> tuple[dict[str, list[dict]] | None, str]:
    """Load the demo through its command into a database of its own (a copy of the SQLite
    template, or the PostgreSQL test database, emptied again afterwards); return the rows on
    PostgreSQL, and the command's output."""
    url = _test_database_url()
    if url is None:
        url = f"sqlite:///{folder}/test.sqlite3"
        shutil.copyfile(schema, folder / "test.sqlite3")
    app = create_app(_base_config(folder, url))
    rows = None
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        if db.engine.dialect.name != "sqlite":
            with db.engine.connect() as conn:
                # in primary-key order: a table that refers to itself (organisations.parent_id)
                # is restored parent first; without ORDER BY PostgreSQL may return a child first
                rows = {
                    table.name: [
                        dict(row._mapping)
                        for row in conn.execute(table.select().order_by(*table.primary_key.columns))
                    ]
                    for table in db.metadata.sorted_tables
                }
            _empty(db.engine)
        db.engine.dispose()
    return rows, result.output


@pytest.fixture(scope="session")
def demo_snapshot(schema, tmp_path_factory) -> DemoSnapshot:
    """Load the demo once per run (it costs seconds): the first worker to need it loads it
    while the others wait for it, then every worker copies it."""
    shared = _run_folder(tmp_path_factory)
    folder = shared / "demo"
    done = folder / "loaded.pickle"  # written last: the snapshot is complete
    with _locked(shared / "demo.lock"):
        if not done.exists():
            folder.mkdir(exist_ok=True)
            tmp = done.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(_load_demo(folder, schema)))
            tmp.replace(done)
    return DemoSnapshot(folder, *pickle.loads(done.read_bytes()))


def _restore(snapshot: DemoSnapshot, url: str) -> None:
    """Put the demo's rows back into the (empty) PostgreSQL test database."""
    engine = create_engine(url)
    try:
        _restore_rows(snapshot.rows, engine)
    finally:
        engine.dispose()


def _restore_rows(rows: dict[str, list[dict]], engine) -> None:
    """Insert ``rows`` (by table) into the empty PostgreSQL tables and move each id sequence
    past them, so rows the test adds get fresh ids."""
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
            column = table.autoincrement_column
            if column is not None:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                        f"'{column.name}'), COALESCE(MAX({column.name}), 1), "
                        f"MAX({column.name}) IS NOT NULL) FROM {table.name}"
                    )
                )


def _new_app(config: dict) -> Flask:
    app = create_app(config)
    app.test_client_class = FlaskLoginClient
    app.jinja_env.bytecode_cache = _TEMPLATES
    # Tests hold an app context open, and Flask reuses it for each request, so ``g``
    # (Flask-Login's user, Flask-Babel's locale) would leak between requests: start each
    # request with an empty ``g``, as a real server does.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


def _shape(app: Flask) -> tuple:
    """What a test could add to an app and a fresh one would not have: routes, request hooks,
    error handlers, template filters and globals, a wrapped WSGI app. A test that changes
    any of it gets the reused app thrown away after it (see ``_Reused``)."""

    def hooks(funcs: dict) -> tuple:
        return tuple(sorted((str(k), tuple(map(id, v))) for k, v in funcs.items()))

    return (
        tuple(rule.rule + " " + rule.endpoint for rule in app.url_map.iter_rules()),
        tuple(sorted(app.view_functions)),
        hooks(app.before_request_funcs),
        hooks(app.after_request_funcs),
        hooks(app.teardown_request_funcs),
        hooks(app.template_context_processors),
        hooks(app.url_value_preprocessors),
        hooks(app.url_default_functions),
        tuple(map(id, app.teardown_appcontext_funcs)),
        tuple(map(id, app.url_build_error_handlers)),
        tuple(
            sorted(
                (str(scope), str(code), kind.__qualname__, id(handler))
                for scope, codes in app.error_handler_spec.items()
                for code, handlers in codes.items()
                for kind, handler in handlers.items()
            )
        ),
        tuple(sorted(app.jinja_env.filters)),
        tuple(sorted(app.jinja_env.globals)),
        tuple(sorted(app.jinja_env.tests)),
        id(vars(app).get("wsgi_app")),  # set when wrapped (ProxyFix)
        id(app.session_interface),
        app.test_client_class,
    )


@dataclass
class _Reused:
    """The app of the ``app`` fixture, built once per process and handed to each test as
    fresh: ``create_app`` costs 20-100 ms (routes, blueprints, extensions), a few percent of
    the suite per test. What a test may change is put back before the next one: the config
    (tests set ``app.config[...]``), ``app.extensions`` (keys added, the job runner's tasks,
    the storage, built on the test's own upload folder), the engine (on SQLite pointed at the
    test's own file, see ``_connect_to``; on PostgreSQL the worker's database, emptied after
    each test), and Flask's "first
    request served" flag. Anything else a test adds (a route, a hook, a filter...) makes
    ``_shape`` differ, and the app is built anew for the next test."""

    app: Flask
    config: dict
    extensions: dict
    tasks: dict
    mode: str
    shape: tuple


_REUSED: _Reused | None = None


def _reused_app(tmp_path: Path, url: str) -> Flask:
    global _REUSED
    if _REUSED is None:
        app = _new_app(_base_config(tmp_path, url))
        runner = app.extensions[jobs_services.EXTENSION]
        _REUSED = _Reused(
            app,
            copy.deepcopy(dict(app.config)),
            dict(app.extensions),
            dict(runner.tasks),
            runner.mode,
            _shape(app),
        )
    reused, app = _REUSED, _REUSED.app
    app.config.clear()
    app.config.update(copy.deepcopy(reused.config))
    app.config.update(SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    for key in set(app.extensions) - set(reused.extensions):
        del app.extensions[key]
    app.extensions.update(reused.extensions)
    app.extensions["juri_storage"] = storage.from_url(None, app.config["UPLOAD_FOLDER"])
    runner = app.extensions[jobs_services.EXTENSION]
    runner.tasks.clear()
    runner.tasks.update(reused.tasks)
    runner.mode = reused.mode
    engine = db._app_engines[app][None]  # Flask-SQLAlchemy's engine of the app
    if engine.url != make_url(url):  # SQLite: the test's own file
        _connect_to(engine, url)
    app._got_first_request = False  # so setup methods work again, as on a new app
    return app


def _connect_to(engine: Engine, url: str) -> None:
    """Point ``engine`` at the database ``url`` (the same dialect): a new pool and URL, the
    same engine. The engine keeps its dialect and with it SQLAlchemy's cache of compiled
    statements, keyed by the dialect object: with a new engine per test, every test compiled
    its statements again (3,905 compilations for 8,144 statements run by 228 cheap tests, a
    tenth of their time; 444 so). Each test keeps a file of its own: a connection that
    outlived its test (a thread's) never shares a file, or its journal, with the next test."""
    engine.dispose()
    other = create_engine(url)  # its pool, with the dialect's connect hooks, for the new file
    engine.pool, engine.url = other.pool, other.url
    if engine.dialect.server_version_info is None:  # never connected (the first pool unused)
        with engine.connect() as conn:  # what create_engine's first connection does
            engine.dialect.initialize(conn)


def _give_back(app: Flask) -> None:
    """After the test: the app's session and connections ended, the shared database emptied
    (PostgreSQL); the reused app thrown away if the test changed its shape."""
    global _REUSED
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name != "sqlite":  # SQLite files are thrown away with tmp_path
            _empty(db.engine)
        reused = _REUSED is not None and app is _REUSED.app
        if not reused or db.engine.dialect.name == "sqlite":
            db.engine.dispose()  # the reused app keeps its pool on the worker's PostgreSQL
    if _REUSED is not None and app is _REUSED.app and _shape(app) != _REUSED.shape:
        with app.app_context():
            db.engine.dispose()  # its pool, kept on PostgreSQL, goes with it
        _REUSED = None


def pytest_sessionfinish(session):
    """Close the reused app's pooled connections (kept from test to test on PostgreSQL): left
    to the garbage collector, they were "deleted while still open", and pytest turns that
    ResourceWarning into an error after the last test."""
    if _REUSED is not None:
        with _REUSED.app.app_context():
            db.engine.dispose()


class _AppFactory:
    """``make_app(**config)`` builds a new app on the test's database; ``make_app.reused()``
    is the process's reused app set up for this test (what the ``app`` fixture gives)."""

    def __init__(self, tmp_path: Path, url: str):
        self.tmp_path, self.url = tmp_path, url
        self.made: list[Flask] = []

    def __call__(self, **config) -> Flask:
        app = _new_app({**_base_config(self.tmp_path, self.url), **config})
        self.made.append(app)
        return app

    def reused(self) -> Flask:
        app = _reused_app(self.tmp_path, self.url)
        self.made.append(app)
        return app


@pytest.fixture
def make_app(request, tmp_path, schema):
    """Build an app on the test database, its schema already there (and the demo competition,
    when the test asks for the ``demo`` fixture); extra config per call (e.g. CSRF on)."""
    url = _test_database_url()
    snapshot = None
    if "demo" in request.fixturenames:
        snapshot = request.getfixturevalue("demo_snapshot")
        if (snapshot.folder / "uploads").exists():
            shutil.copytree(snapshot.folder / "uploads", tmp_path / "uploads")
    if url is None:
        url = f"sqlite:///{tmp_path}/test.sqlite3"
        shutil.copyfile(
            snapshot.folder / "test.sqlite3" if snapshot else schema, tmp_path / "test.sqlite3"
        )
    elif snapshot:
        _restore(snapshot, url)
    factory = _AppFactory(tmp_path, url)
    yield factory
    # No thread may hold a pooled connection while the pools are disposed of: one checked out
    # across ``Engine.dispose`` is dropped unclosed later, and its ResourceWarning failed
    # whichever test the garbage collector happened to run in.
    stop_all_maintenance(wait=30)
    for app in factory.made:
        jobs_worker.drain(app)
    for app in factory.made:
        _give_back(app)


# What differs from one build of the same rows to the next, left out of a database's
# fingerprint: times, random tokens, and the audit trail (it records the times and its hashes
# cover them; it follows from the other rows' history).
_VOLATILE_COLUMNS = {"session_token"}
_VOLATILE_TABLES = {"audit_records", "audit_head"}


def _is_time(type_) -> bool:
    return isinstance(type_, DateTime) or (
        isinstance(type_, TypeDecorator) and isinstance(type_.impl, DateTime)
    )


def _fingerprint(conn) -> str:
    """A digest of every row of every table but their volatile columns (see above)."""
    h = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in _VOLATILE_TABLES:
            continue
        columns = [
            c for c in table.columns if c.name not in _VOLATILE_COLUMNS and not _is_time(c.type)
        ]
        h.update(table.name.encode())
        order = list(table.primary_key.columns) or columns
        for row in conn.execute(select(*columns).order_by(*order)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _freeze(value):
    """``value`` with each mapped object replaced by its class and primary key."""
    if isinstance(value, tuple | list):
        return type(value)(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    state = sa_inspect(value, raiseerr=False)
    if state is not None and getattr(state, "identity", None) is not None:
        return _Identity(type(value), state.identity)
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    raise TypeError(f"cached_data cannot keep a {type(value).__name__}")


def _revive(value):
    if isinstance(value, _Identity):
        return db.session.get(value.cls, value.key)
    if isinstance(value, tuple | list):
        return type(value)(_revive(v) for v in value)
    if isinstance(value, dict):
        return {k: _revive(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class _Identity:
    cls: type
    key: tuple


@dataclass
class _Snapshot:
    database: Path | dict[str, list[dict]]  # a SQLite file, or PostgreSQL's rows
    uploads: Path
    value: object


_SNAPSHOTS: dict[tuple, _Snapshot] = {}


def _take_snapshot(folder: Path) -> Path | dict[str, list[dict]]:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            return {
                table.name: [dict(row._mapping) for row in conn.execute(table.select())]
                for table in db.metadata.sorted_tables
            }
    target = folder / "data.sqlite3"
    with closing(sqlite3.connect(engine.url.database)) as src:
        with closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    return target


def _put_snapshot(database: Path | dict[str, list[dict]]) -> None:
    engine = db.engine
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as src:
            with closing(sqlite3.connect(engine.url.database)) as dst:
                src.backup(dst)
        return
    _empty(engine)
    _restore_rows(database, engine)


@pytest.fixture
def cached_data(request, app, tmp_path_factory):
    """``cached_data(build, *key)`` -> what ``build()`` returns, having built its rows into the
    test's database: for a data fixture that costs seconds and is asked for by many tests.

    The first time in a test module (per worker), with the database in a given state, ``build``
    runs and commits, and the database (every row, and the upload folder) is kept with what it
    returned (mapped objects as their primary keys). Later tests of the module that reach the
    same state (the same rows but times, random tokens and audit hashes: ``_fingerprint``) get
    that copy of the database and the same objects, loaded in their own session. ``key``: the
    arguments ``build`` depends on besides the database."""
    module = request.node.module.__name__

    def get(build, *key):
        db.session.commit()
        with db.engine.connect() as conn:
            before = _fingerprint(conn)
        cache_key = (module, build.__qualname__, repr(key), before)
        uploads = Path(app.config["UPLOAD_FOLDER"])
        snapshot = _SNAPSHOTS.get(cache_key)
        if snapshot is None:
            value = build()
            db.session.commit()
            folder = tmp_path_factory.mktemp("data")
            if uploads.exists():
                shutil.copytree(uploads, folder / "uploads")
            _SNAPSHOTS[cache_key] = _Snapshot(
                _take_snapshot(folder), folder / "uploads", _freeze(value)
            )
            return value
        _put_snapshot(snapshot.database)
        shutil.rmtree(uploads, ignore_errors=True)
        if snapshot.uploads.exists():
            shutil.copytree(snapshot.uploads, uploads)
        db.session.expire_all()
        return _revive(copy.deepcopy(snapshot.value))

    return get


@pytest.fixture
def app(request, make_app):
    """The test's app: the process's reused app (see ``_Reused``), or a new one for a test
    marked ``fresh_app`` (one that checks what a new app has not done yet)."""
    if request.node.get_closest_marker("fresh_app"):
        app = make_app()
    else:
        app = make_app.reused()
    with app.app_context():
        yield app


@pytest.fixture
def fewer_sweeps(app):
    """400 posterior sweeps per stage fit instead of the default 1,600 (a fit of a small stage
    is most of such a test's time), for tests that check which places and cuts are undecided,
    paging or what the committee is asked: not the digits of a probability. Opt in with
    ``pytestmark = pytest.mark.usefixtures("fewer_sweeps")``."""
    app.config["UNCERTAINTY_SWEEPS"] = 400


# --- Stage fits computed once per test module (the statistics-heavy tests) -----------------


def _fit_input(value) -> object:
    """A hashable stand-in for one argument of ``rank_uncertainty``: arrays by their bytes."""
    if isinstance(value, np.ndarray | list | tuple):
        array = np.asarray(value)
        return (array.dtype.str, array.shape, array.tobytes())
    return repr(value)


@pytest.fixture(scope="module")
def fits_once():
    """Each stage fit (``rank_uncertainty`` as ``judging.analysis.uncertainty`` calls it) is
    sampled once per test module and handed out again as a copy: the sampler is deterministic
    for its input and seed, and modules whose tests rebuild the same stage (copied with
    ``cached_data``) and empty the process caches spent most of their time sampling the same
    posterior again. Only the sampling is saved: the process cache, the shared cache in the
    database and the decisions behave as on any miss, and tests that count or refuse fits
    (patching ``_fit`` or ``rank_uncertainty``) see every call. Not for tests of the sampler
    itself. Opt in with ``pytestmark = pytest.mark.usefixtures("fits_once")``."""
    real = unc_service.rank_uncertainty
    fits: dict[tuple, object] = {}

    def rank_uncertainty(*args, **kwargs):
        key = (
            tuple(_fit_input(a) for a in args),
            tuple((k, _fit_input(v)) for k, v in sorted(kwargs.items())),
        )
        if key not in fits:
            fits[key] = real(*args, **kwargs)
        return copy.deepcopy(fits[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(unc_service, "rank_uncertainty", rank_uncertainty)
        yield fits


@pytest.fixture
def demo(app) -> None:
    """The demo competition (``flask demo load``) in the test's database: loaded once per
    session and copied, since loading it costs seconds. Ask for it next to ``app``."""


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """``login(user)`` -> a test client already signed in as ``user``."""
    return lambda user: app.test_client(user=user)


@pytest.fixture
def committee(app):
    user = factories.make_user(role="committee", username="panitia", name="Panitia")
    db.session.commit()
    return user


@pytest.fixture
def opd(app):
    user = factories.make_opd_user("Dinas Kesehatan Kota Palembang", username="dinkes")
    db.session.commit()
    return user


@pytest.fixture
def other_opd(app):
    user = factories.make_opd_user("PDAM Tirta Musi", username="pdam")
    db.session.commit()
    return user


@pytest.fixture
def judge(app):
    user = factories.make_user(role="judge", username="juri1", name="Dr. Hendra Saputra")
    db.session.commit()
    return user


@pytest.fixture
def open_round(app, committee):
    round_ = factories.make_round()
    db.session.commit()
    return round_


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)
