"""A round's displayed status comes from its timeline (Round.phase), and stored enum values
(roles, statuses) are shown in words."""

from datetime import timedelta

from competition.db import db, utcnow
from competition.rounds.models import RoundStatus
from tests import factories


def test_phase_follows_the_timeline(app):
    round_ = factories.make_round(days_open=10)
    now = utcnow()
    assert round_.phase(now) == "accepting"
    assert round_.phase(now - timedelta(days=6)) == "upcoming"
    month_later = round_.submission_closes_at + timedelta(days=30)
    assert round_.phase(month_later) == "submissions_closed"
    stage = factories.make_stage(round_)
    stage.opens_at, stage.closes_at = month_later - timedelta(days=1), month_later + timedelta(1)
    assert round_.phase(month_later) == "in_evaluation"
    round_.results_published_at = month_later
    assert round_.phase(month_later) == "results_published"
    round_.status = RoundStatus.CLOSED
    assert round_.phase(month_later) == "closed"
    round_.status = RoundStatus.DRAFT
    assert round_.phase(now) == "draft"


def test_round_past_its_deadline_no_longer_says_open(app, login, committee, open_round):
    open_round.submission_opens_at = utcnow() - timedelta(days=60)
    open_round.submission_closes_at = utcnow() - timedelta(days=30)
    db.session.commit()
    client = login(committee)
    for url in ("/committee/", f"/committee/rounds/{open_round.id}"):
        page = client.get(url).text
        assert "pengiriman ditutup" in page and ">dibuka<" not in page
    client.post("/language", data={"lang": "en"})
    assert "submissions closed" in client.get("/committee/").text


def test_accounts_page_shows_roles_in_words(app, login, committee, judge, opd):
    page = login(committee).get("/committee/users/").text
    assert "<td>panitia</td>" in page and "<td>juri</td>" in page and "<td>OPD</td>" in page
    assert "<td>committee</td>" not in page and "<td>judge</td>" not in page
