"""Guessing passwords is throttled without letting anyone lock others out (issue 15, items 2,
10 and 13): counts per (account, address), per address only for that address, per account from
everywhere only after ~100 failures (NIST SP 800-63B), and the client address behind declared
reverse proxies."""

from __future__ import annotations

import time

import pytest

from competition.accounts import password_reset, services
from competition.accounts.services import (
    MAX_FAILS_PER_ACCOUNT,
    MAX_FAILS_PER_ACCOUNT_AND_ADDRESS,
    MAX_FAILS_PER_ADDRESS,
)
from competition.audit import services as audit
from competition.audit.models import AuditRecord
from competition.db import db
from tests import factories


def _login(client, username, password, addr="10.0.0.1", **kw):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
        **kw,
    )


def _failures(app, username, count, addr):
    """``count`` failed logins recorded as the login view records them (without hashing)."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": addr}):
        for _ in range(count):
            audit.record("login_failed", "users", username)
    db.session.commit()


def test_a_stranger_cannot_lock_the_owner_out(app, judge):
    stranger = app.test_client()
    for _ in range(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS):
        assert _login(stranger, judge.username, "salah", addr="203.0.113.9").status_code == 422
    # The stranger is stopped, even with the right password...
    assert _login(stranger, judge.username, factories.PASSWORD, "203.0.113.9").status_code == 429
    # ...but the owner, elsewhere, logs in.
    assert _login(app.test_client(), judge.username, factories.PASSWORD).status_code == 302


def test_one_address_failing_does_not_block_the_site(app, judge):
    guesser = app.test_client()
    for i in range(MAX_FAILS_PER_ADDRESS):
        _login(guesser, f"tebak{i}", "salah", addr="203.0.113.9")
    assert _login(guesser, judge.username, factories.PASSWORD, "203.0.113.9").status_code == 429
    assert _login(app.test_client(), judge.username, factories.PASSWORD).status_code == 302


def test_behind_a_declared_proxy_clients_are_told_apart(make_app):
    app = make_app(PROXY_HOPS=1)
    with app.app_context():
        db.create_all()
        user = factories.make_user(role="judge", username="juri8")
        db.session.commit()
        guesser = app.test_client()
        for i in range(MAX_FAILS_PER_ADDRESS):
            r = _login(guesser, f"tebak{i}", "salah", headers={"X-Forwarded-For": "203.0.113.9"})
            assert r.status_code == 422
        assert (
            _login(guesser, "x", "y", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
        )
        # Every client comes from the proxy (REMOTE_ADDR 10.0.0.1), yet only the guesser is blocked.
        owner = _login(
            app.test_client(),
            user.username,
            factories.PASSWORD,
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert owner.status_code == 302
        record = db.session.scalars(db.select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert record.action == "login" and record.address == "198.51.100.7"


def test_without_declared_proxies_forwarded_for_is_ignored(app, judge):
    client = app.test_client()
    for i in range(MAX_FAILS_PER_ADDRESS):
        _login(client, f"tebak{i}", "salah", headers={"X-Forwarded-For": f"198.51.100.{i}"})
    assert (
        _login(client, "x", "y", headers={"X-Forwarded-For": "198.51.100.200"}).status_code == 429
    )


def test_an_account_is_slowed_down_everywhere_only_after_many_failures(app, judge):
    _failures(app, judge.username, MAX_FAILS_PER_ACCOUNT - 1, addr="")
    assert _login(app.test_client(), judge.username, factories.PASSWORD).status_code == 302
    _failures(app, judge.username, 1, addr="")
    r = _login(app.test_client(), judge.username, factories.PASSWORD, addr="10.0.0.77")
    assert r.status_code == 429
    # ...but not from an address the owner logged in from lately (10.0.0.1, above).
    assert _login(app.test_client(), judge.username, factories.PASSWORD).status_code == 302


def test_unknown_username_costs_a_password_check_too(app, judge, monkeypatch):
    checked = []
    real = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: checked.append(p) or real(h, p))
    assert _login(app.test_client(), "tidak-ada", "tebakan-1").status_code == 422
    assert checked == ["tebakan-1"]


def test_forgot_password_does_not_wait_for_the_mail_server(app, monkeypatch):
    monkeypatch.setattr(password_reset.mail, "send_all", lambda *a: time.sleep(1))
    started = time.perf_counter()
    password_reset.send_mail("a@example.test", "s", "b")
    assert time.perf_counter() - started < 0.5


@pytest.fixture
def change(login, judge):
    client = login(judge)

    def post(current, addr="10.0.0.1"):
        new = "kopi susu di pagi hari"
        return client.post(
            "/account/password",
            data={"current": current, "new": new, "confirm": new},
            environ_base={"REMOTE_ADDR": addr},
        )

    return post


def test_guessing_the_current_password_is_throttled(app, judge, change):
    for _ in range(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS):
        assert change("bukan-ini").status_code == 422
    r = change(factories.PASSWORD)
    assert r.status_code == 429 and "Terlalu banyak percobaan" in r.text
    db.session.refresh(judge)
    assert judge.check_password(factories.PASSWORD)
