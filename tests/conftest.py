"""Fixtures: a fresh database per test (a throw-away SQLite file, or the PostgreSQL database
named by TEST_DATABASE_URL, emptied after each test), clients signed in per role, and the
usual actors of the slice."""

from __future__ import annotations

import os
import re

import pytest
from flask import g
from flask_login import FlaskLoginClient

from app import create_app
from competition.db import db
from tests import factories


def _database_url(tmp_path) -> str:
    # Never the DATABASE_URL of a real instance: tests only use TEST_DATABASE_URL or a temp file.
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/test.sqlite3"


def _fresh_g() -> None:
    for name in list(vars(g)):
        delattr(g, name)


def _empty(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(tmp_path):
    """Build an app on the test database; extra config per call (e.g. CSRF on)."""
    made = []

    def factory(**config):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "WTF_CSRF_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                # The test client's host: absolute links are built from this, never the Host.
                "PUBLIC_URL": "http://localhost",
                **config,
            }
        )
        app.test_client_class = FlaskLoginClient
        # Tests hold an app context open, and Flask reuses it for each request, so ``g``
        # (Flask-Login's user, Flask-Babel's locale) would leak between requests: start each
        # request with an empty ``g``, as a real server does.
        app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            _empty(db.engine)
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        db.create_all()
        yield app


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
