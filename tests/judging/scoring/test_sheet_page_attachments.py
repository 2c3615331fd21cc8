"""The score sheet page reads the entry's attachments in the assignment's own statement (joined,
not a statement of their own) and still lists every one, in upload order, once."""

from sqlalchemy import event

from competition.db import db
from tests import factories


def test_sheet_lists_attachments_in_order_without_a_statement_of_their_own(
    app, login, opd, judge, open_round
):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    names = []
    for i, kind in enumerate(("photo", "data", "sk", "data")):
        a = factories.make_attachment(entry, kind=kind)
        a.original_name = f"lampiran-{i}.pdf"
        names.append(a.original_name)
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    url = f"/judge/assignments/{assignment.id}"
    client = login(judge)
    client.get("/judge/")
    db.session.expunge_all()  # the test client shares the session: empty it, as a request's
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        page = client.get(url).text
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert [s for s in seen if s.startswith("SELECT") and " FROM attachments" in s] == []
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)
    assert all(page.count(name) == 1 for name in names)
