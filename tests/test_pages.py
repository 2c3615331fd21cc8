"""Every page of each role renders for a populated stage (a guard against template errors)."""

import re

import pytest

from competition.db import db
from tests import factories


@pytest.fixture
def populated(app, committee, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    return stage, entry, assignment


def test_pages_render_for_each_role(app, login, committee, opd, judge, open_round, populated):
    stage, entry, assignment = populated
    pages = {
        None: ["/", "/login"],
        committee: [
            "/committee/",
            "/committee/rounds/new",
            f"/committee/rounds/{open_round.id}",
            f"/committee/stages/{stage.id}/rubric",
            f"/committee/stages/{stage.id}/assignments",
            f"/committee/stages/{stage.id}/ranking",
            f"/committee/entries/{entry.id}",
        ],
        opd: ["/opd/", f"/opd/rounds/{open_round.id}/entries/new", f"/opd/entries/{entry.id}"],
        judge: ["/judge/", f"/judge/assignments/{assignment.id}"],
    }
    for user, urls in pages.items():
        client = login(user) if user else app.test_client()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert '<main id="main"' in response.text


def test_unknown_certificate_code_is_404(client):
    response = client.get("/verify/NOPE-NOPE")
    assert response.status_code == 404
    assert "NOPE-NOPE" in response.text


def _labelled_ids(html: str) -> list[str]:
    """The ids of the page's visible form controls (selects, text boxes), in order."""
    return re.findall(
        r'<(?:select|textarea|input(?![^>]*type="(?:hidden|submit)"))[^>]*\sid="([^"]+)"', html
    )


def test_two_forms_on_a_page_never_share_a_controls_id(app, login, committee, populated):
    """The assignments page's "A judge withdraws" and "Assign one judge" both had a select
    ``judge`` (the withdrawal's label named the other form's select), the ranking page two
    selects ``method``, the conflicts page two ``judge`` and two ``organisation``; each label
    must name its own control."""
    stage, _entry, _assignment = populated
    client = login(committee)
    for url in (
        f"/committee/stages/{stage.id}/assignments",
        f"/committee/stages/{stage.id}/ranking",
        f"/committee/stages/{stage.id}/conflicts",
    ):
        html = client.get(url).text
        ids = _labelled_ids(html)
        assert len(ids) == len(set(ids)), url
        for control in ids:
            assert html.count(f'for="{control}"') <= 1, (url, control)
    assignments = client.get(f"/committee/stages/{stage.id}/assignments").text
    assert '<label for="withdraw-judge">' in assignments
