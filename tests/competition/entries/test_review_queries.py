"""The committee's review pages (dashboard, exports, screening, advancement) and the score
sheets' and audit trail's exports issue a constant number of SQL queries whatever the number
of entries."""

from tests.test_query_budget import _grow, count_queries, world  # noqa: F401 (fixture)


def test_review_pages_issue_constant_queries(app, login, committee, open_round, world):  # noqa: F811
    stage, judges = world
    counts = []
    start = 0
    for n in (4, 12):
        _grow(stage, open_round, judges, n, start)
        start += n
        per_page = {}
        client = login(committee)
        for url in (
            f"/committee/rounds/{open_round.id}/dashboard",
            f"/committee/rounds/{open_round.id}/entries.csv",
            f"/committee/rounds/{open_round.id}/entries.xlsx",
            f"/committee/rounds/{open_round.id}/screening",
            f"/committee/timeline/{stage.id}/advance",
            f"/committee/stages/{stage.id}/sheets.xlsx",
            "/committee/audit/export.xlsx",
        ):
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            per_page[url] = len(statements)
        counts.append(per_page)
    assert counts[0] == counts[1], counts
