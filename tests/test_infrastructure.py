"""The test harness itself: catalogues compiled on demand, the schema (and the demo) copied per
test, and password hashing cached without weakening what the tests check."""

import os
import re
import shutil

import pytest
from babel.messages.mofile import read_mo
from sqlalchemy import func, inspect, select
from werkzeug.security import generate_password_hash

from competition.accounts import password_hashing
from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Attachment
from competition.storage import get_storage
from tests import conftest, factories
from tests.conftest import compile_catalogues

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Save"
msgstr "{save}"

#, fuzzy
msgid "Delete"
msgstr "Hapus"
"""


def _po(tmp_path, save="Simpan"):
    po = tmp_path / "id" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(PO.format(save=save), encoding="utf-8")
    return po


def _messages(mo):
    with mo.open("rb") as f:
        return {m.id: m.string for m in read_mo(f) if m.id}


def test_compile_catalogues_writes_a_missing_mo_without_fuzzy_entries(tmp_path):
    po = _po(tmp_path)
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert _messages(po.with_suffix(".mo")) == {"Save": "Simpan"}


def test_compile_catalogues_skips_an_up_to_date_mo_and_redoes_an_older_one(tmp_path):
    po = _po(tmp_path)
    compile_catalogues(tmp_path)
    assert compile_catalogues(tmp_path) == []
    _po(tmp_path, save="Simpan!")
    past = po.stat().st_mtime - 60
    os.utime(po.with_suffix(".mo"), (past, past))
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert _messages(po.with_suffix(".mo")) == {"Save": "Simpan!"}


def test_each_test_starts_with_the_whole_schema_and_no_rows(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert db.session.query(User).count() == 0


def test_cached_password_hashes_are_real_argon2id_and_refuse_wrong_passwords(app):
    user = User(username="a", name="A", role="judge")
    user.set_password("kata sandi panjang")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("kata sandi panjang")
    assert not user.check_password("kata sandi salah")


def test_hashes_made_elsewhere_are_still_checked_for_real(app):
    """Only hashes the session made itself are checked by comparing passwords; a hash from
    anywhere else (the real Argon2id function, a Werkzeug hash from before) is verified."""
    user = User(username="b", name="B", role="judge")
    for stored in (
        password_hashing.hash_password("kata sandi panjang"),
        generate_password_hash("kata sandi panjang", "pbkdf2:sha256:1000"),
    ):
        assert stored not in conftest._hashed_from
        user.password_hash = stored
        assert user.check_password("kata sandi panjang")
        assert not user.check_password("kata sandi salah")


def test_the_reused_app_keeps_its_engine_on_each_tests_own_file(app, make_app, tmp_path, schema):
    """On SQLite each test has a file of its own: the reused app's engine is pointed at it,
    and so keeps its dialect and SQLAlchemy's cache of compiled statements."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL the worker's database is emptied after each test")
    engine, compiled = db.engine, db.engine._compiled_cache
    factories.make_user(role="judge", username="sisa")
    db.session.commit()
    conftest._give_back(app)
    (tmp_path / "next").mkdir()
    shutil.copyfile(schema, tmp_path / "next" / "test.sqlite3")  # as make_app does
    again = conftest._reused_app(tmp_path / "next", f"sqlite:///{tmp_path}/next/test.sqlite3")
    assert again is app
    with again.app_context():
        assert db.engine is engine and db.engine._compiled_cache is compiled
        assert db.engine.url.database == str(tmp_path / "next" / "test.sqlite3")
        assert db.session.query(User).count() == 0


def test_cached_url_builders_build_each_rules_own_url(make_app):
    """Builders compiled once per session still give every rule of a new app its own URL, with
    unknown arguments as a query string."""
    make_app()
    app = make_app()
    for rule in app.url_map.iter_rules():
        values = {name: 7 for name in rule.arguments}
        expected = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", "7", rule.rule)
        _, built = rule.build({**values, "x": "y"})
        assert built == f"{expected}?x=y", rule.rule


def test_templates_compiled_once_per_session_render_the_same_page(make_app, monkeypatch):
    first = make_app().test_client().get("/login")
    assert first.status_code == 200
    cache = conftest._TEMPLATES
    loaded, compiled = [], []
    real_load = cache.load_bytecode

    def load(bucket):
        real_load(bucket)
        loaded.append(bucket.code is not None)

    monkeypatch.setattr(cache, "load_bytecode", load)
    monkeypatch.setattr(cache, "dump_bytecode", compiled.append)
    again = make_app().test_client().get("/login")
    token = re.compile(r'name="csrf_token"[^>]*>')  # a new token per page
    assert again.status_code == 200 and token.sub("", again.text) == token.sub("", first.text)
    # the second app's Jinja took every template from the cache and compiled none
    assert loaded and all(loaded) and compiled == []


def _demo_files_missing() -> list[str]:
    storage = get_storage()
    return [
        a.stored_name
        for a in db.session.scalars(select(Attachment))
        if not storage.exists(a.stored_name)
    ]


def test_demo_fixture_gives_the_loaded_demo_with_its_files(app, demo, tmp_path):
    assert app.config["UPLOAD_FOLDER"].startswith(str(tmp_path))  # this test's own copy
    assert db.session.scalar(select(func.count(User.id))) == 1 + 9 + 45 + 1
    assert db.session.scalar(select(func.count(Attachment.id))) >= 45
    assert _demo_files_missing() == []
    # This test's changes (rows with new ids, a file removed) stay in this test...
    factories.make_user(role="judge", username="tamu")
    db.session.commit()
    get_storage().delete(db.session.scalars(select(Attachment)).first().stored_name)
    assert len(_demo_files_missing()) == 1


def test_demo_fixture_is_a_fresh_copy_for_each_test(app, demo):
    # ...and the next test starts from the demo again (runs after the one above).
    assert db.session.scalar(select(User).where(User.username == "tamu")) is None
    assert _demo_files_missing() == []
