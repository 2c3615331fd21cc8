"""Accounts without e-mail: the committee adds one account with a one-time password (changed at
the first login, refused once expired), and the committee or an Admin Lokal issues a one-time
password reset link to pass on."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.accounts import agencies, imports, password_reset
from competition.accounts.models import Organisation, User
from competition.accounts.services import create_account
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.errors import NotAllowed
from competition.roles import Role
from tests import factories

NEW_PASSWORD = "kopi susu di pagi hari"


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _one_time_password(html: str) -> str:
    match = re.search(r'<code class="one-time-password">([^<]+)</code>', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def _reset_link(html: str) -> str:
    match = re.search(r'<code class="reset-link">([^<]+)</code>', html)
    assert match, "no reset link on the page"
    return match.group(1)


@pytest.mark.parametrize(
    "role, organisation",
    [
        ("opd", "Dinas Perhubungan"),
        ("agency", "Pemerintah Kota Lubuklinggau"),
        ("judge", "Universitas Sriwijaya"),
        ("committee", ""),
    ],
)
def test_committee_adds_an_account_of_each_role(app, login, committee, role, organisation):
    client = login(committee)
    assert client.get("/committee/users/").text.count("/committee/users/new") == 1
    assert client.get("/committee/users/new").status_code == 200
    r = client.post(
        "/committee/users/new",
        data={
            "username": "Akun-Baru",
            "name": "Budi Santoso",
            "role": role,
            "new_organisation": organisation,
            "email": "",
        },
    )
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    password = _one_time_password(r.text)
    user = _user("akun-baru")
    assert user.role == Role(role) and user.name == "Budi Santoso" and user.email is None
    assert user.check_password(password) and user.must_change_password
    assert timedelta(days=6) < user.password_expires_at - utcnow() <= timedelta(days=7)
    if role in ("opd", "agency"):
        assert user.organisation.name == organisation
    elif role == "judge":
        assert user.organisation is None and user.affiliation == organisation
    # the password is shown once: nowhere on the account list
    assert password not in client.get("/committee/users/").text


def test_an_existing_organisation_can_be_picked(app, login, committee, opd):
    client = login(committee)
    org = opd.organisation
    assert f'<option value="{org.id}">' in client.get("/committee/users/new").text
    r = client.post(
        "/committee/users/new",
        data={"username": "dinkes2", "name": "Operator Dinkes", "role": "opd",
              "organisation": str(org.id), "email": "op@dinkes.go.id"},
    )  # fmt: skip
    assert r.status_code == 200
    user = _user("dinkes2")
    assert user.organisation_id == org.id and user.email == "op@dinkes.go.id"
    assert db.session.scalar(select(Organisation).where(Organisation.name == org.name)) == org


@pytest.mark.parametrize(
    "data, message",
    [
        # an OPD account without organisation
        ({"username": "dishub", "role": "opd"}, "Akun OPD atau instansi memerlukan organisasinya"),
        # a username that is taken (by the ``opd`` fixture), in another case
        ({"username": "DINKES", "role": "judge"}, "Nama pengguna ini sudah dipakai"),
        # a username with spaces
        ({"username": "budi santoso", "role": "judge"}, None),
        # a malformed e-mail address
        ({"username": "dishub", "role": "judge", "email": "bukan-surel"}, None),
    ],
)
def test_refused_account_keeps_what_was_typed(app, login, committee, opd, data, message):
    client = login(committee)
    before = db.session.scalar(select(db.func.count(User.id)))
    form = {"name": "Kepala Dinas Perhubungan", "email": "", **data}
    r = client.post("/committee/users/new", data=form)
    assert r.status_code == 422
    assert 'value="Kepala Dinas Perhubungan"' in r.text
    assert f'value="{data["username"]}"' in r.text
    if message:
        assert message in r.text
    assert db.session.scalar(select(db.func.count(User.id))) == before


def test_only_the_committee_adds_accounts(app, login, opd):
    assert login(opd).post("/committee/users/new", data={}).status_code == 403
    with pytest.raises(NotAllowed):
        create_account(username="x1", name="X", role=Role.JUDGE, organisation=None,
                       new_organisation="", email="", actor=opd)  # fmt: skip


def test_one_time_password_must_be_changed_at_first_login(app, committee):
    user, password = create_account(
        username="dishub", name="Admin Dishub", role=Role.OPD, organisation=None,
        new_organisation="Dinas Perhubungan", email="", actor=committee,
    )  # fmt: skip
    db.session.commit()
    client = app.test_client()
    r = client.post("/login", data={"username": "dishub", "password": password})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/password")
    # every other page sends them back to choose their own password
    r = client.get("/opd/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/password")
    page = client.get("/account/password")
    assert page.status_code == 200 and "kata sandi sekali pakai" in page.text
    r = client.post(
        "/account/password",
        data={"current": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert r.status_code == 302
    db.session.refresh(user)
    assert not user.must_change_password and user.password_expires_at is None
    assert client.get("/opd/").status_code == 200


def test_imported_accounts_get_the_same_one_time_passwords(app, committee):
    rows = imports.parse("akun.csv", b"username,name,role\njuri8,Juri Delapan,juri\n")
    [(user, password)] = imports.import_rows(rows=rows, actor=committee)
    db.session.commit()
    assert user.check_password(password) and user.must_change_password
    assert timedelta(days=6) < user.password_expires_at - utcnow() <= timedelta(days=7)
    r = app.test_client().post("/login", data={"username": "juri8", "password": password})
    assert r.headers["Location"].endswith("/account/password")


def test_expired_one_time_password_is_refused(app, committee):
    user, password = create_account(
        username="juri7", name="Juri Tujuh", role=Role.JUDGE, organisation=None,
        new_organisation="", email="", actor=committee,
    )  # fmt: skip
    user.password_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client = app.test_client()
    r = client.post("/login", data={"username": "juri7", "password": password})
    assert r.status_code == 422 and "Kata sandi sekali pakai ini sudah kedaluwarsa" in r.text
    # without mail, the login page says whom to ask
    assert "Admin Lokal instansi Anda" in r.text
    assert client.get("/judge/").status_code == 302  # not logged in
    assert "/login" in client.get("/judge/").headers["Location"]


def test_committee_reset_link_works_once_and_is_audited(app, login, committee, opd):
    client = login(committee)
    assert "/reset-link" in client.get("/committee/users/").text
    app.config["PUBLIC_URL"] = "https://inovasi.example.go.id"
    r = client.post(f"/committee/users/{opd.id}/reset-link")
    assert r.status_code == 200
    link = _reset_link(r.text)
    # built from the public address, not from the request's host (localhost here)
    assert link.startswith("https://inovasi.example.go.id/password/reset/")
    record = db.session.scalar(
        select(AuditRecord).where(AuditRecord.action == "password_reset_link")
    )
    assert record.actor_id == committee.id and record.actor == "panitia"
    assert record.target_id == str(opd.id)

    owner = app.test_client()  # no SMTP configured: the link works anyway
    path = link.removeprefix("https://inovasi.example.go.id")
    assert owner.get(path).status_code == 200
    r = owner.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    r = owner.post("/login", data={"username": opd.username, "password": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/opd/")
    # used: the same link no longer works
    again = app.test_client().get(path)
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")


def test_reset_link_clears_a_one_time_password(app, login, committee):
    user, _password = create_account(
        username="dishub", name="Admin Dishub", role=Role.OPD, organisation=None,
        new_organisation="Dinas Perhubungan", email="", actor=committee,
    )  # fmt: skip
    user.password_expires_at = utcnow() - timedelta(days=1)  # expired before first use
    db.session.commit()
    link = _reset_link(login(committee).post(f"/committee/users/{user.id}/reset-link").text)
    owner = app.test_client()
    path = link.removeprefix("http://localhost")
    owner.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    db.session.refresh(user)
    assert not user.must_change_password and user.password_expires_at is None
    r = owner.post("/login", data={"username": "dishub", "password": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/opd/")


def test_issued_link_is_valid_24_hours(app, opd):
    token = password_reset.make_token(opd, issued=True)
    now = utcnow()
    assert password_reset.user_for_token(token, now=now + timedelta(hours=23)) == opd
    assert password_reset.user_for_token(token, now=now + timedelta(hours=25)) is None
    # a mailed link keeps its shorter life (PASSWORD_RESET_MAX_AGE, an hour by default)
    mailed = password_reset.make_token(opd)
    assert password_reset.user_for_token(mailed, now=now + timedelta(hours=2)) is None


def _agency_with_unit(name: str, admin: str, unit_user: str) -> tuple[User, User]:
    agency_admin = factories.make_agency_admin(name, username=admin)
    unit = agencies.create_unit(
        name=f"Puskesmas {name}", username=unit_user, contact_name="Kepala Puskesmas",
        password="sungai musi yang lebar", actor=agency_admin,
    )  # fmt: skip
    db.session.commit()
    return agency_admin, unit


def test_admin_lokal_issues_links_for_its_own_units_only(app, login, opd):
    admin_a, unit_a = _agency_with_unit("Kota Prabumulih", "admin-a", "puskesmas-a")
    admin_b, unit_b = _agency_with_unit("Kota Pagar Alam", "admin-b", "puskesmas-b")
    client = login(admin_a)
    assert f"/agency/users/{unit_a.id}/reset-link" in client.get("/agency/").text
    r = client.post(f"/agency/users/{unit_a.id}/reset-link")
    assert r.status_code == 200 and "/password/reset/" in _reset_link(r.text)
    record = db.session.scalar(
        select(AuditRecord).where(AuditRecord.action == "password_reset_link")
    )
    assert record.actor_id == admin_a.id and record.target_id == str(unit_a.id)
    # another agency's unit, an OPD outside any agency, itself, and a missing account: 404
    for user_id in (unit_b.id, opd.id, admin_a.id, 99999):
        assert client.post(f"/agency/users/{user_id}/reset-link").status_code == 404
    # other roles never reach these pages
    assert login(opd).post(f"/agency/users/{opd.id}/reset-link").status_code == 403
    assert login(opd).post(f"/committee/users/{opd.id}/reset-link").status_code == 403
    assert login(admin_b).post(f"/committee/users/{unit_b.id}/reset-link").status_code == 403
