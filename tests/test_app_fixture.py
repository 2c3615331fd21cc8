"""The ``app`` fixture's app is built once per process and reused (tests/conftest.py
``_Reused``): each test must still get it as a new app would be, whatever the test before it
changed; and ``import app`` leaves the heavy libraries that few requests need unimported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from competition import storage
from competition.db import db
from competition.jobs import services as jobs_services
from competition.jobs.services import Task
from tests import conftest

ROOT = Path(__file__).resolve().parents[1]


def _checkout(make_app, tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    url = conftest._test_database_url() or f"sqlite:///{folder}/test.sqlite3"
    if url.startswith("sqlite"):
        conftest.shutil.copyfile(make_app.url.removeprefix("sqlite:///"), folder / "test.sqlite3")
    return conftest._reused_app(folder, url)


def test_the_reused_app_comes_back_as_new_whatever_the_last_test_changed(make_app, tmp_path):
    first = _checkout(make_app, tmp_path, "first")
    fresh_config = dict(first.config)
    with first.app_context():
        first.config["PUBLIC_URL"] = "https://elsewhere.example"
        first.config["SOMETHING_NEW"] = 1
        first.extensions["left_behind"] = object()
        jobs_services.runner().tasks["test.extra"] = Task(lambda job: None)
        db.session.execute(text("SELECT 1"))
        assert first.test_client().get("/healthz").status_code == 200
        first_engine = db.engine
        first_storage = storage.get_storage()
    conftest._give_back(first)

    second = _checkout(make_app, tmp_path, "second")
    assert second is first  # the same app object, reset
    with second.app_context():
        assert second.config["PUBLIC_URL"] == fresh_config["PUBLIC_URL"]
        assert "SOMETHING_NEW" not in second.config
        assert second.config["UPLOAD_FOLDER"] == str(tmp_path / "second" / "uploads")
        assert "left_behind" not in second.extensions
        assert "test.extra" not in jobs_services.runner().tasks
        assert storage.get_storage() is not first_storage
        assert storage.get_storage().root == tmp_path / "second" / "uploads"
        if db.engine.dialect.name == "sqlite":  # each test has its own file, the same engine
            assert db.engine is first_engine
            assert db.engine.url.database == str(tmp_path / "second" / "test.sqlite3")
        assert not second._got_first_request
    conftest._give_back(second)


def test_a_test_that_adds_a_route_gets_the_reused_app_rebuilt(make_app, tmp_path):
    first = _checkout(make_app, tmp_path, "first")
    first.add_url_rule("/_only_in_this_test", "only_here", lambda: "here")
    conftest._give_back(first)

    second = _checkout(make_app, tmp_path, "second")
    assert second is not first
    assert "only_here" not in second.view_functions
    conftest._give_back(second)


@pytest.mark.fresh_app
def test_a_test_marked_fresh_app_gets_a_new_app(app):
    assert conftest._REUSED is None or app is not conftest._REUSED.app


def test_importing_the_app_leaves_the_heavy_optional_libraries_unimported():
    """boto3 (S3 storage), procrastinate (PostgreSQL jobs) and openpyxl (spreadsheets) are
    imported on first use: a server or command that never needs them does not pay for them."""
    code = (  # the collector off while importing, as pytest's processes have it (tests/__init__)
        "import gc; gc.disable(); import json, sys, app; "
        "print(json.dumps([m for m in ('boto3', 'botocore', 'procrastinate', 'openpyxl') "
        "if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
