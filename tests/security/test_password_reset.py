"""Password reset by an expiring, single-use emailed link (only when SMTP is configured)."""

from __future__ import annotations

import re

import pytest

from competition.accounts import password_reset
from competition.accounts.models import User
from competition.db import db
from tests import factories

OLD, NEW = "kopi-pempek-2026", "jembatan-ampera-malam"


@pytest.fixture
def outbox(app, monkeypatch):
    sent = []
    app.config["MAIL_SERVER"] = "smtp.example.test"
    monkeypatch.setattr(
        password_reset, "send_mail", lambda to, subject, body: sent.append((to, subject, body))
    )
    return sent


def _user():
    user = factories.make_user(role="judge", username="juri5")
    user.email = "juri5@example.test"
    user.set_password(OLD)
    db.session.commit()
    return user


def _link(outbox) -> str:
    ((_to, _subject, body),) = outbox
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def test_reset_link_sets_a_new_password_once(app, client, outbox):
    _user()
    r = client.post("/password/forgot", data={"login": "JURI5@example.test"})
    assert r.status_code == 302 and outbox[0][0] == "juri5@example.test"
    link = _link(outbox)
    assert client.get(link).status_code == 200
    r = client.post(link, data={"new": "password", "confirm": "password"})
    assert r.status_code == 422  # a common password is refused, as everywhere
    r = client.post(link, data={"new": NEW, "confirm": NEW})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(User)).check_password(NEW)
    # The link dies with the password it was made for.
    r = client.get(link)
    assert r.status_code == 302 and "/password/forgot" in r.headers["Location"]
    assert client.post("/login", data={"username": "juri5", "password": NEW}).status_code == 302


def test_expired_or_forged_link_is_refused(app, client, outbox):
    user = _user()
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    token = password_reset.make_token(user)
    assert client.get(f"/password/reset/{token}").status_code == 302
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert client.get(f"/password/reset/{token}x").status_code == 302
    r = client.post(f"/password/reset/{token}x", data={"new": NEW, "confirm": NEW})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(OLD)


def test_unknown_account_gets_the_same_answer_and_no_mail(app, client, outbox):
    r = client.post("/password/forgot", data={"login": "nobody"}, follow_redirects=True)
    assert r.status_code == 200 and outbox == []


def test_without_smtp_there_is_no_reset(app, client):
    assert client.get("/password/forgot").status_code == 404
    assert "/password/forgot" not in client.get("/login").text


def _forgot(client, login, addr="10.0.0.1"):
    return client.post(
        "/password/forgot", data={"login": login}, environ_base={"REMOTE_ADDR": addr}
    )


@pytest.mark.parametrize("known", [True, False])
def test_forgot_form_is_throttled_per_account_alike_for_unknown_ones(app, client, outbox, known):
    if known:
        _user()
    name = "juri5" if known else "siapa-saja"
    for _ in range(password_reset.MAX_ASKS_PER_ACCOUNT):
        assert _forgot(client, name).status_code == 302
    assert len(outbox) == (password_reset.MAX_ASKS_PER_ACCOUNT if known else 0)
    r = _forgot(client, name.upper())  # the same account (as typed otherwise), same address
    assert r.status_code == 429
    assert "Terlalu banyak permintaan" in r.text and "15 menit" in r.text
    assert 'value="' + name.upper() + '"' in r.text  # what was typed stays
    assert "juri5@example.test" not in r.text
    # Another account is not affected, nor the same one asked for from elsewhere (a stranger
    # must not keep its owner from asking; mailed_too_often protects the inbox).
    assert _forgot(client, "orang-lain", addr="10.0.0.3").status_code == 302
    assert _forgot(client, name, addr="10.0.0.2").status_code == 302


def test_throttled_answer_is_identical_for_known_and_unknown_accounts(app, client, outbox):
    _user()
    pages = []
    for name in ("juri5", "tidak-ada"):
        for _ in range(password_reset.MAX_ASKS_PER_ACCOUNT):
            _forgot(client, name, addr=f"10.1.0.{len(pages)}")
        r = _forgot(client, name, addr=f"10.1.0.{len(pages)}")
        assert r.status_code == 429
        pages.append(r.text.replace(f'value="{name}"', 'value=""'))
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", pages[0]) == strip.sub("", pages[1])


def test_forgot_form_is_throttled_per_address(app, client, outbox):
    for i in range(password_reset.MAX_ASKS_PER_ADDRESS):
        assert _forgot(client, f"tebak{i}", addr="10.9.9.9").status_code == 302
    assert _forgot(client, "tebak-lagi", addr="10.9.9.9").status_code == 429
    assert _forgot(client, "tebak-lagi", addr="10.9.9.8").status_code == 302


def test_one_account_gets_few_links_however_it_is_named(app, client, outbox):
    _user()
    names = ["juri5", "juri5@example.test", "JURI5@example.test", " juri5@EXAMPLE.test"]
    answers = [_forgot(client, n, addr=f"10.2.0.{i}").status_code for i, n in enumerate(names)]
    assert answers == [302] * len(names)  # the same answer every time...
    assert len(outbox) == password_reset.MAX_MAILS_PER_ACCOUNT  # ...but no flood of mails


def test_throttle_window_ends(app, client, outbox):
    from datetime import timedelta

    from competition.db import utcnow

    for _ in range(password_reset.MAX_ASKS_PER_ACCOUNT):
        _forgot(client, "juri9")
    now = utcnow()
    assert password_reset.asked_too_often("juri9", "10.0.0.1", now) >= 14
    later = now + password_reset.throttle.WINDOW + timedelta(seconds=1)
    assert password_reset.asked_too_often("juri9", "10.0.0.1", later) == 0
