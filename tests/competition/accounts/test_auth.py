"""Logging in and out, role guards, CSRF and language."""

import pytest

from competition.accounts.models import User
from competition.db import db
from tests import factories
from tests.conftest import csrf_token


def test_login_with_correct_password_goes_to_role_home(client, committee):
    response = client.post("/login", data={"username": "panitia", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/committee/")


def test_login_with_wrong_password_keeps_username_and_says_why(client, committee):
    response = client.post("/login", data={"username": "panitia", "password": "salah"})
    assert response.status_code == 422
    assert 'value="panitia"' in response.text
    assert "Nama pengguna atau kata sandi salah" in response.text


def test_password_is_stored_with_argon2id(app, committee):
    assert db.session.get(User, committee.id).password_hash.startswith("$argon2id$")


def test_login_does_not_redirect_off_site(client, committee):
    response = client.post(
        "/login",
        data={
            "username": "panitia",
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"].endswith("/committee/")


@pytest.mark.parametrize("url", ["/committee/", "/opd/", "/judge/"])
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "role,url",
    [
        ("opd", "/committee/"),
        ("judge", "/committee/"),
        ("opd", "/judge/"),
        ("committee", "/opd/"),
        ("judge", "/opd/"),
        ("opd", "/committee/stages/1/ranking"),
    ],
)
def test_wrong_role_is_refused(app, login, role, url):
    user = factories.make_user(role=role, username=f"u-{role}")
    db.session.commit()
    assert login(user).get(url).status_code == 403


def test_post_without_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        factories.make_user(role="committee", username="panitia")
        db.session.commit()
        client = app.test_client()
        refused = client.post(
            "/login", data={"username": "panitia", "password": factories.PASSWORD}
        )
        assert refused.status_code == 400
        token = csrf_token(client.get("/login").text)
        accepted = client.post(
            "/login",
            data={"username": "panitia", "csrf_token": token, "password": factories.PASSWORD},
        )
        assert accepted.status_code == 302


def test_interface_is_indonesian_by_default_and_english_on_request(client):
    assert "Masuk" in client.get("/login").text
    client.post("/language", data={"lang": "en", "next": "/login"})
    page = client.get("/login").text
    assert "Log in" in page and 'lang="en"' in page


def test_logged_in_user_keeps_chosen_language(app, login, opd):
    client = login(opd)
    client.post("/language", data={"lang": "en"})
    assert db.session.get(User, opd.id).locale == "en"
