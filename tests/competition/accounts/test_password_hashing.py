"""Password storage: Argon2id with OWASP's parameters, older Werkzeug hashes rehashed at login.

The session-wide cache of tests/conftest.py wraps the model's ``hash_password`` and
``verify_password``; the unit tests here call ``competition.accounts.password_hashing`` itself.
"""

import json
from datetime import timedelta

import argon2
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from competition.accounts import services as account_services
from competition.accounts.models import User
from competition.accounts.password_hashing import hash_password, needs_rehash, verify_password
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from tests import factories

MALFORMED = [
    "",
    "garbage",
    "$argon2id$garbage",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$dHJ1bmNhdGVk",  # a tag of the wrong length
    "scrypt:abc:8:1$salt$hash",
    "scrypt:32768:8:1$salt",
    "pbkdf2:nosuchdigest:1000$salt$hash",
    "bcrypt$2b$12$whatever",
]


def _legacy(method: str, password: str = factories.PASSWORD, *, default_cost=False) -> str:
    """Werkzeug's formats as stored before, at a low cost to keep the tests fast (pbkdf2 with
    few iterations, scrypt with N = 1,024: the same format, read by the same code); with
    ``default_cost``, scrypt as Werkzeug stored it by default (N = 32,768, ~0.15 s a hash)."""
    if method == "pbkdf2":
        return generate_password_hash(password, method="pbkdf2:sha256:1000")
    return generate_password_hash(password, method="scrypt" if default_cost else "scrypt:1024:8:1")


def _log_in(app, username: str, password: str = factories.PASSWORD):
    return app.test_client().post("/login", data={"username": username, "password": password})


def _stored(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_new_hashes_are_argon2id_with_owasp_parameters():
    stored = hash_password("kata sandi panjang")
    params = argon2.extract_parameters(stored)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert params.type is argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)
    assert params.salt_len == 16 and params.hash_len == 32
    assert hash_password("kata sandi panjang") != stored  # salted
    assert verify_password(stored, "kata sandi panjang")
    assert not verify_password(stored, "kata sandi salah")
    assert not needs_rehash(stored)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2"])
def test_werkzeug_hashes_still_verify_and_need_rehash(method):
    stored = _legacy(method, "kata sandi lama")
    assert stored.startswith(f"{method}:")
    assert verify_password(stored, "kata sandi lama")
    assert not verify_password(stored, "kata sandi salah")
    assert needs_rehash(stored)


def test_argon2_hashes_with_other_parameters_need_rehash():
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    stored = weaker.hash("kata sandi")
    assert verify_password(stored, "kata sandi")
    assert needs_rehash(stored)
    argon2i = argon2.PasswordHasher(
        time_cost=2, memory_cost=19 * 1024, parallelism=1, type=argon2.Type.I
    )
    assert needs_rehash(argon2i.hash("kata sandi"))


@pytest.mark.parametrize("stored", MALFORMED)
def test_a_malformed_hash_refuses_without_raising(stored):
    assert verify_password(stored, "anything") is False
    assert needs_rehash(stored)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2"])
def test_login_with_an_old_hash_works_and_stores_argon2id(app, judge, method):
    judge.password_hash = _legacy(method, default_cost=True)
    assert judge.password_hash.startswith("scrypt:32768:8:1$" if method == "scrypt" else method)
    db.session.commit()
    response = _log_in(app, judge.username)
    assert response.status_code == 302
    stored = _stored(judge)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, factories.PASSWORD)
    # the next login checks the new hash, and keeps it
    assert _log_in(app, judge.username).status_code == 302
    assert _stored(judge) == stored
    assert _log_in(app, judge.username, "kata sandi salah").status_code == 422


def test_rehash_at_login_is_recorded_redacted_for_the_account(app, judge):
    judge.password_hash = _legacy("scrypt")
    db.session.commit()
    assert _log_in(app, judge.username).status_code == 302
    db.session.expire_all()
    updates = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.action == "update",
            AuditRecord.target_type == "users",
            AuditRecord.actor_id == judge.id,
        )
    ).all()
    assert [json.loads(r.after) for r in updates] == [{"password_hash": "***"}]
    assert all("argon2" not in r.before + r.after for r in updates)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2"])
def test_wrong_password_with_an_old_hash_does_not_rehash(app, judge, method):
    old = judge.password_hash = _legacy(method)
    db.session.commit()
    assert _log_in(app, judge.username, "kata sandi salah").status_code == 422
    assert _stored(judge) == old


def test_disabled_account_with_an_old_hash_is_refused_and_not_rehashed(app, judge):
    old = judge.password_hash = _legacy("scrypt")
    judge.is_enabled = False
    db.session.commit()
    assert _log_in(app, judge.username).status_code == 422
    assert _stored(judge) == old


def test_expired_one_time_password_with_an_old_hash_is_refused_and_not_rehashed(app, judge):
    old = judge.password_hash = _legacy("scrypt")
    judge.must_change_password = True
    judge.password_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _log_in(app, judge.username).status_code == 422
    assert _stored(judge) == old


@pytest.mark.parametrize("stored", MALFORMED)
def test_login_against_a_malformed_hash_is_a_clean_refusal(app, judge, stored):
    judge.password_hash = stored
    db.session.commit()
    response = _log_in(app, judge.username)
    assert response.status_code == 422
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert _stored(judge) == stored


def test_unknown_username_still_verifies_one_argon2_hash(app, judge, monkeypatch):
    checked = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return verify_password(stored, password)

    monkeypatch.setattr(account_services, "verify_password", counting)
    response = _log_in(app, "tidak-ada", "kata sandi apa saja")
    assert response.status_code == 422
    assert len(checked) == 1 and checked[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not needs_rehash(checked[0])
