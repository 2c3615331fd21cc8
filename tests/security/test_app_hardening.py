"""Hardening of the app itself (issue 15, items 12, 14 and 15): ids beyond the columns' range,
caching and HSTS headers, the dev server's banner, a database without migrations, and the
generated secret key when several workers start at once."""

from __future__ import annotations

import http.client
import logging
import pathlib
import threading

import pytest
from sqlalchemy.exc import ProgrammingError
from werkzeug.serving import make_server

import app as app_module
from competition.db import db
from competition.error_pages import _schema_missing
from tests import factories


@pytest.mark.parametrize("value", [2**31, 2**63, 2**64 + 1, 10**30])
def test_ids_beyond_the_columns_range_are_404(app, login, committee, value):
    client = login(committee)
    for url in (
        f"/committee/users/{value}/enabled/1",
        f"/committee/entries/{value}",
        f"/committee/stages/{value}/sheets.xlsx",
    ):
        r = client.post(url) if "enabled" in url else client.get(url)
        assert r.status_code == 404, url


def test_largest_id_still_routes(app, login, committee):
    assert login(committee).get(f"/committee/entries/{2**31 - 1}").status_code == 404
    # The bounded converter serves every <int:...> of every route.
    numeric = [
        c
        for r in app.url_map.iter_rules()
        for c in r._converters.values()
        if isinstance(c, app_module.IntegerConverter)
    ]
    assert len(numeric) > 20
    assert all(isinstance(c, app_module.BoundedIntConverter) for c in numeric)


@pytest.mark.parametrize("path", ["/", "/account/password", "/agency/", "/judge/"])
def test_signed_in_pages_are_not_stored(app, login, committee, judge, path):
    r = login(judge).get(path)
    assert r.headers.get("Cache-Control") == "no-store", (path, r.status_code)


def test_anonymous_public_pages_may_be_cached(app):
    assert "Cache-Control" not in app.test_client().get("/").headers
    assert app.test_client().get("/agency/").headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    r = client.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_behind_a_declared_tls_proxy(make_app):
    app = make_app(PROXY_HOPS=1)
    with app.app_context():
        db.create_all()
    r = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in r.headers


def test_dev_server_does_not_announce_versions(app):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/login", headers={"Host": "localhost"})
        answer = conn.getresponse()
        answer.read()
    finally:
        thread.join(10)
        server.server_close()
    assert answer.status == 200
    assert answer.getheader("Server") == "Juri"


def test_database_without_migrations_says_so(make_app, tmp_path, caplog):
    # A database of its own: on PostgreSQL the shared test database keeps its tables.
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/empty.sqlite3")  # no tables
    with caplog.at_level(logging.ERROR), app.app_context():
        r = app.test_client().get("/")
        db.create_all()  # for the fixture's cleanup
    assert r.status_code == 503
    assert "flask db upgrade" in r.text and "Traceback" not in r.text
    assert any("flask db upgrade" in rec.getMessage() for rec in caplog.records)


def test_secret_key_is_created_once_when_workers_race(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    # Every worker finds no key file yet (what a race looks like), then all write at once.
    monkeypatch.setattr(pathlib.Path, "exists", lambda self: False)
    keys, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        try:
            keys.append(app_module._secret_key(tmp_path / "instance"))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in (tmp_path / "instance").iterdir()] == ["secret_key"]


def test_session_cookie_is_httponly_and_samesite(app, judge):
    r = app.test_client().post("/login", data={"username": "juri1", "password": factories.PASSWORD})
    assert r.status_code == 302
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


class _PgError(Exception):
    sqlstate = "42P01"  # psycopg's UndefinedTable


def test_postgresqls_undefined_table_is_recognised_as_missing_schema():
    assert _schema_missing(ProgrammingError("SELECT 1", {}, _PgError("relation does not exist")))
    assert not _schema_missing(ProgrammingError("SELECT 1", {}, Exception("syntax error")))
    assert not _schema_missing(ValueError("no such table"))
