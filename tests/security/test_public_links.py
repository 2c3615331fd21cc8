"""Absolute links come from the configured public address, never from the request's Host."""

from __future__ import annotations

import pytest

from competition.accounts import password_reset
from competition.db import db, utcnow
from competition.urls import public_url
from judging.results import publication as publication_service
from tests import factories
from tests.judging.results.test_publishing import scored  # noqa: F401 (a fixture)

PUBLIC = "https://inovasi.palembang.go.id"


def _made(make_app, **config):
    """An app with its tables (the fixture empties them afterwards)."""
    app = make_app(**config)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def public_app(make_app, monkeypatch):
    """An app served at PUBLIC that trusts any Host (as with JURI_TRUSTED_HOSTS unset behind a
    proxy), so that only the link building stands between the Host header and the mail."""
    app = make_app(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=[], MAIL_SERVER="smtp.example.test")
    sent = []
    monkeypatch.setattr(password_reset, "send_mail", lambda *message: sent.append(message))
    with app.app_context():
        db.create_all()
        user = factories.make_user(role="judge", username="juri7")
        user.email = "juri7@example.test"
        db.session.commit()
        yield app, sent


def test_reset_mail_links_to_the_public_address_whatever_the_host(public_app):
    app, sent = public_app
    r = app.test_client().post(
        "/password/forgot", data={"login": "juri7"}, headers={"Host": "evil.example"}
    )
    assert r.status_code == 302
    ((_to, _subject, body),) = sent
    assert f"{PUBLIC}/password/reset/" in body
    assert "evil.example" not in body


def test_api_and_certificate_links_use_the_public_address(app, committee, scored):
    stage, entries, owners = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    app.config.update(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=None)
    client = app.test_client()
    evil = {"Host": "evil.example"}
    answer = client.get("/api/v1/rounds", headers=evil).json
    assert answer["rounds"][0]["page_url"].startswith(f"{PUBLIC}/results/")
    slug = answer["rounds"][0]["slug"]
    results = client.get(f"/api/v1/rounds/{slug}/results", headers=evil).text
    assert f"{PUBLIC}/verify/" in results and "evil.example" not in results
    csv = client.get(f"/results/{slug}.csv", headers=evil).text
    assert f"{PUBLIC}/verify/" in csv and "evil.example" not in csv


def test_public_url_outside_a_request_keeps_the_path_prefix(make_app):
    app = _made(make_app, PUBLIC_URL="https://pemprov.example.go.id/juri/")
    with app.app_context():
        url = public_url("public.verify", code="AB-12", _anchor="top")
    assert url == "https://pemprov.example.go.id/juri/verify/AB-12#top"


def test_unknown_host_is_refused(make_app):
    app = _made(make_app, PUBLIC_URL=PUBLIC)
    client = app.test_client()
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "inovasi.palembang.go.id"}).status_code == 200


def test_trusted_hosts_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("JURI_TRUSTED_HOSTS", "juri.example.go.id, .kota.go.id")
    app = _made(make_app, PUBLIC_URL=PUBLIC)
    assert app.config["TRUSTED_HOSTS"] == ["juri.example.go.id", ".kota.go.id"]
    client = app.test_client()
    assert client.get("/login", headers={"Host": "a.kota.go.id"}).status_code == 200
    assert client.get("/login", headers={"Host": "inovasi.palembang.go.id"}).status_code == 400


def test_no_reset_mail_in_production_without_a_public_address(make_app):
    app = _made(make_app, TESTING=False, PUBLIC_URL="", MAIL_SERVER="smtp.example.test")
    client = app.test_client()
    assert client.get("/password/forgot").status_code == 404
    assert client.post("/password/forgot", data={"login": "x"}).status_code == 404
    assert "/password/forgot" not in client.get("/login").text
    assert app.config["TRUSTED_HOSTS"] is None  # no host known: any (links never use it)
