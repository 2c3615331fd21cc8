"""Password reset by an expiring, single-use emailed link (only when SMTP is configured)."""

from __future__ import annotations

import re

import pytest

from competition import password_reset
from competition.db import db
from competition.models import User
from tests import factories

OLD, NEW = "kopi-pempek-2026", "jembatan-ampera-malam"


@pytest.fixture
def outbox(app, monkeypatch):
    sent = []
    app.config["MAIL_SERVER"] = "smtp.example.test"
    monkeypatch.setattr(password_reset, "send_mail",
                        lambda to, subject, body: sent.append((to, subject, body)))
    return sent


def _user():
    user = factories.make_user(role="judge", username="juri5")
    user.email = "juri5@example.test"
    user.set_password(OLD)
    db.session.commit()
    return user


def _link(outbox) -> str:
    (_to, _subject, body), = outbox
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
