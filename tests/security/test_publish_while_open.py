"""Publishing while judges are still scoring needs a deliberate confirmation (issue 15, item 16)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from competition.db import db, utcnow
from judging.results.models import Publication
from tests import factories
from tests.judging.results.test_publishing import scored  # noqa: F401 (a fixture)


def _publications() -> int:
    return db.session.scalar(select(func.count(Publication.id)))


def test_publishing_an_open_stage_with_open_sheets_asks_first(app, login, committee, scored):
    stage, entries, _owners = scored
    late = factories.make_user(role="judge", username="penilai-telat")
    factories.make_assignment(stage, entries[0], late)
    factories.make_assignment(stage, entries[1], late)
    db.session.commit()
    client = login(committee)
    page = client.get(f"/committee/rounds/{stage.round_id}/results").text
    assert "2 lembar penilaian belum dikirim" in page
    # the box before its text, inside its label (not alone on a line under it)
    assert re.search(r'<label for="confirm_open"><input[^>]*id="confirm_open"[^>]*> Tetap ', page)
    r = client.post(f"/committee/stages/{stage.id}/publish", data={})
    assert r.status_code == 422 and "Centang kotak ini" in r.text
    assert _publications() == 0
    r = client.post(f"/committee/stages/{stage.id}/publish", data={"confirm_open": "y"})
    assert r.status_code == 302 and _publications() == 1


def test_a_closed_stage_publishes_without_asking(app, login, committee, scored):
    stage, entries, _owners = scored
    factories.make_assignment(stage, entries[0], factories.make_user(role="judge", username="j9"))
    stage.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    r = login(committee).post(f"/committee/stages/{stage.id}/publish", data={})
    assert r.status_code == 302 and _publications() == 1
