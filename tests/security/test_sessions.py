"""Sessions end on the server side: after logout (or a password change, or deactivation by
the committee) the old session cookie no longer signs anyone in."""

from __future__ import annotations

from competition.accounts.models import User
from competition.db import db
from tests import factories

PASSWORD = "kopi-pempek-2026"


def _signed_in(app, username: str):
    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302
    return client


def _with_cookie(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _judge(username="juri5"):
    user = factories.make_user(role="judge", username=username)
    user.set_password(PASSWORD)
    db.session.commit()
    return user


def test_logout_invalidates_the_old_session_cookie(app):
    _judge()
    client = _signed_in(app, "juri5")
    old = client.get_cookie("session").value
    assert _with_cookie(app, old).get("/judge/").status_code == 200
    client.post("/logout")
    r = _with_cookie(app, old).get("/judge/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # Logging in again works, with a fresh session.
    assert _signed_in(app, "juri5").get("/judge/").status_code == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(app):
    _judge()
    here, elsewhere = _signed_in(app, "juri5"), _signed_in(app, "juri5")
    r = here.post(
        "/account/password",
        data={"current": PASSWORD, "new": "sungai-musi-ampera", "confirm": "sungai-musi-ampera"},
    )
    assert r.status_code == 302
    assert here.get("/judge/").status_code == 200
    assert elsewhere.get("/judge/").status_code == 302


def test_committee_deactivates_an_account_and_its_sessions_end(app, login, committee):
    judge = _judge()
    session = _signed_in(app, "juri5")
    page = login(committee).get("/committee/users/")
    assert page.status_code == 200 and "juri5" in page.text
    r = login(committee).post(f"/committee/users/{judge.id}/enabled/0")
    assert r.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, judge.id).is_enabled
    assert session.get("/judge/").status_code == 302  # the open session has ended
    r = app.test_client().post("/login", data={"username": "juri5", "password": PASSWORD})
    assert r.status_code == 422  # cannot log in
    login(committee).post(f"/committee/users/{judge.id}/enabled/1")
    assert _signed_in(app, "juri5").get("/judge/").status_code == 200


def test_committee_cannot_deactivate_itself(app, login, committee):
    client = login(committee)
    client.post(f"/committee/users/{committee.id}/enabled/0")
    db.session.expire_all()
    assert db.session.get(User, committee.id).is_enabled
    assert client.get("/committee/users/").status_code == 200
