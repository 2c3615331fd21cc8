"""One password policy (competition/accounts/passwords.py) on every path that sets a password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from competition.accounts import agencies
from competition.accounts.models import User
from competition.db import db
from competition.errors import InvalidState
from tests import factories


@pytest.fixture
def admin(app):
    user = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    db.session.commit()
    return user


@pytest.mark.parametrize("password", ["password123", "12345678901", "pendek", "pkm-dempo-2026"])
def test_admin_lokal_cannot_give_a_unit_a_weak_password(app, login, admin, password):
    response = login(admin).post(
        "/agency/units",
        data={"name": "Puskesmas Dempo", "username": "pkm-dempo", "password": password},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.username == "pkm-dempo")) is None


def test_the_unit_service_refuses_a_weak_password_whoever_calls_it(app, admin):
    with pytest.raises(InvalidState):
        agencies.create_unit(
            name="Puskesmas Dempo",
            username="pkm-dempo",
            contact_name="",
            password="password123",
            actor=admin,
        )


@pytest.mark.parametrize("password", ["password123", "juri1-juri1-juri1"])
def test_reset_and_change_forms_use_the_same_policy(app, login, judge, password):
    r = login(judge).post(
        "/account/password",
        data={"current": factories.PASSWORD, "new": password, "confirm": password},
    )
    assert r.status_code == 422
    db.session.refresh(judge)
    assert judge.check_password(factories.PASSWORD)
