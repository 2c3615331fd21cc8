"""Login throttling, password rules and the own-password page."""

from datetime import timedelta

import pytest

from competition.accounts.passwords import password_problems
from competition.accounts.services import (
    MAX_FAILS_PER_ACCOUNT_AND_ADDRESS,
    WINDOW,
    login_blocked_for,
)
from competition.db import db, utcnow
from tests import factories


def _login(client, username, password, addr="10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_account_is_throttled_after_repeated_failures(app, judge):
    client = app.test_client()
    for _ in range(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS):
        assert _login(client, judge.username, "salah").status_code == 422
    # even the right password is refused from that address while blocked, with the wait shown
    r = _login(client, judge.username, factories.PASSWORD)
    assert r.status_code == 429
    assert "Terlalu banyak" in r.text and "15 menit" in r.text
    # the same account from another address is not (tests/security/test_login_throttle.py),
    # nor another account from another address
    other = factories.make_user(role="judge", username="juri2")
    db.session.commit()
    assert (
        _login(app.test_client(), other.username, factories.PASSWORD, addr="10.0.0.2").status_code
        == 302
    )


def test_block_expires_after_the_window(app, judge):
    client = app.test_client()
    for _ in range(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS):
        _login(client, judge.username, "salah")
    now = utcnow()
    assert login_blocked_for(judge.username, "10.0.0.1", now) >= 14
    later = now + WINDOW + timedelta(seconds=1)
    assert login_blocked_for(judge.username, "10.0.0.1", later) == 0


def test_address_is_throttled_across_accounts(app):
    client = app.test_client()
    for i in range(20):
        _login(client, f"tebak{i}", "salah", addr="10.9.9.9")
    assert _login(client, "tebak-lagi", "salah", addr="10.9.9.9").status_code == 429
    assert _login(client, "tebak-lagi", "salah", addr="10.9.9.8").status_code == 422


@pytest.mark.parametrize(
    "password, ok",
    [
        ("kopi susu di pagi hari", True),
        ("Sungai Musi 1234!", True),
        ("pendek", False),  # too short
        ("password123", False),  # common
        ("Bismillah123", False),  # common, any case
        ("aaaaaaaaaaaa", False),  # repetition
        ("1234567890", False),  # sequence
        ("budi-santoso-2026", False),  # built from the username
    ],
)
def test_password_rules(password, ok):
    assert (password_problems(password, username="budi-santoso") == []) is ok


def test_change_password(app, login, judge):
    client = login(judge)
    r = client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "new": "password123", "confirm": "password123"},
    )
    assert r.status_code == 422 and "terlalu umum" in r.text
    r = client.post(
        "/account/password",
        data={
            "current": "bukan",
            "new": "kopi susu di pagi hari",
            "confirm": "kopi susu di pagi hari",
        },
    )
    assert r.status_code == 422
    r = client.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "new": "kopi susu di pagi hari",
            "confirm": "kopi susu di pagi hari",
        },
    )
    assert r.status_code == 302
    db.session.refresh(judge)
    assert judge.check_password("kopi susu di pagi hari")


def test_account_page_needs_login(app):
    r = app.test_client().get("/account/password")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
