"""Sentences around names (competition/i18n/formatting.py)."""

import pytest

from competition.i18n.formatting import before_full_stop
from tests import factories


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("dr. Rini Anggraini, M.Kes.", "dr. Rini Anggraini, M.Kes"),
        ("Yuliana Sari", "Yuliana Sari"),
        ("Sri Wahyuni ", "Sri Wahyuni"),
        ("Tunggu...", "Tunggu..."),
    ],
)
def test_before_full_stop_drops_only_a_final_abbreviation_point(name, shown):
    assert before_full_stop(name) == shown


def test_welcome_after_login_has_one_full_stop(app, client):
    factories.make_user(role="committee", username="rini", name="dr. Rini Anggraini, M.Kes.")
    from competition.db import db

    db.session.commit()
    response = client.post(
        "/login",
        data={"username": "rini", "password": factories.PASSWORD},
        follow_redirects=True,
    )
    assert "dr. Rini Anggraini, M.Kes." in response.text
    assert "M.Kes.." not in response.text
