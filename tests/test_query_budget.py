"""The main pages issue a constant number of SQL queries, whatever the number of entries
(no query per row)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from competition.db import db, utcnow
from judging.panels.models import Assignment
from judging.results import publication as publication_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


@contextmanager
def count_queries():
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _grow(stage, round_, judges, n, start):
    """Add ``n`` submitted entries, each scored by every judge, and publish."""
    criteria = rubric_service.list_criteria(stage)
    for i in range(start, start + n):
        opd = factories.make_opd_user(f"OPD {i}", username=f"opd{i}")
        entry = factories.make_entry(round_, opd, title=f"Inovasi {i}")
        for j, judge in enumerate(judges):
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={
                    c.id: sheet_service.CriterionInput(float(1 + (i * 3 + j * 5 + c.id) % 10))
                    for c in criteria
                },
            )
    publication_service.publish_results(
        stage=stage, actor=judges[0], now=utcnow(), reason=f"{n} more entries"
    )
    db.session.commit()
    return opd


@pytest.fixture
def world(app, committee, open_round):
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(3)]
    stage = factories.make_stage(open_round)
    db.session.commit()
    return stage, judges


def _pages(stage, round_, opd, judge, committee):
    return [
        (committee, f"/committee/rounds/{round_.id}"),
        (committee, f"/committee/stages/{stage.id}/ranking"),
        (committee, f"/committee/stages/{stage.id}/assignments"),
        (committee, f"/committee/stages/{stage.id}/compare"),
        (committee, f"/committee/stages/{stage.id}/judges"),
        (committee, f"/committee/stages/{stage.id}/progress"),
        (committee, f"/committee/stages/{stage.id}/conflicts"),
        (committee, f"/committee/stages/{stage.id}/panels"),
        (committee, f"/committee/stages/{stage.id}/rubric"),
        (committee, f"/committee/stages/{stage.id}/assignments/preview?judges_per_entry=3"),
        (judge, "/judge/"),
        (opd, "/opd/"),
        (None, f"/results/{round_.slug}"),
        (committee, f"/committee/rounds/{round_.id}/results"),
        (None, f"/results/{round_.slug}/stages/{stage.id}/v1"),
        (None, f"/api/v1/rounds/{round_.slug}/results"),
        (None, f"/api/v1/rounds/{round_.slug}/results?per_page=3&page=2"),
    ]


def test_main_pages_issue_constant_queries(app, login, committee, open_round, world):
    stage, judges = world
    # query counts, not intervals: 200 posterior sweeps per fit of the ranking page, not 1,600
    app.config["UNCERTAINTY_SWEEPS"] = 200
    counts = []
    start = 0
    for n in (4, 12):
        opd = _grow(stage, open_round, judges, n, start)
        start += n
        per_page = {}
        for user, url in _pages(stage, open_round, opd, judges[0], committee):
            client = login(user) if user else app.test_client()
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            per_page[url] = len(statements)
        counts.append(per_page)
    assert counts[0] == counts[1], counts


def test_score_sheet_and_workspace_load_in_few_queries(app, login, open_round, world):
    """The judge's two busiest pages: the sheet loads the user, then stage, entry
    (organisation, category, round), sheet and whether the entry is judged blind in one
    statement, the attachments, the scores and the criteria: five queries, not one per object;
    the workspace its worklist in one statement, whatever the count."""
    stage, judges = world
    _grow(stage, open_round, judges, 3, 0)
    assignment = db.session.scalar(
        db.select(Assignment).where(Assignment.judge_id == judges[0].id).limit(1)
    )
    client = login(judges[0])
    assignment_id = assignment.id
    client.get("/judge/")  # the session's first request loads what every request needs
    # The requests share the test's database session: empty it, as a new request's would be.
    db.session.expunge_all()
    with count_queries() as sheet:
        assert client.get(f"/judge/assignments/{assignment_id}").status_code == 200
    db.session.expunge_all()
    with count_queries() as workspace:
        assert client.get("/judge/").status_code == 200
    assert len(sheet) <= 5, sheet
    # the user, the worklist as one statement, the panels the judge chairs
    assert len(workspace) <= 3, workspace


def _participant_queries(statements):
    """The statements listing the top-level organisations (``rounds.list_participants``)."""
    return [s for s in statements if "FROM organisations" in s and "parent_id IS NULL" in s]


def test_round_page_lists_the_organisations_once(app, login, committee, open_round):
    """The invitations and the who-may-enter forms offer the same organisations: one query for
    both, on the page and when a refused form is shown again."""
    factories.make_opd_user("Dinas Kesehatan", username="dinkes")
    db.session.commit()
    client = login(committee)
    with count_queries() as statements:
        page = client.get(f"/committee/rounds/{open_round.id}")
    assert page.status_code == 200
    assert len(_participant_queries(statements)) == 1, statements
    # both forms offer Dinas Kesehatan (the invitations' and the eligibility's select)
    assert page.text.count(">Dinas Kesehatan</option>") == 2
    for form in ("inv", "elig"):
        with count_queries() as statements:
            refused = client.post(
                f"/committee/rounds/{open_round.id}/{'invitations' if form == 'inv' else 'eligibility'}",
                data={f"{form}-organisations": ["999999"]},  # not a choice: shown again
            )
        assert refused.status_code == 422, form
        assert len(_participant_queries(statements)) == 1, (form, statements)
        assert refused.text.count(">Dinas Kesehatan</option>") == 2
