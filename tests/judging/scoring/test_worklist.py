"""The judge's worklist as plain rows (``judging.scoring.workspace.list_worklist``): the same
assignments, facts and order as the ORM listing it replaces on the workspace page, only the
judge's own, and whether each entry is judged blind."""

from datetime import timedelta

import pytest

from competition.db import db, utcnow
from judging.panels import assignment as assignment_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.blind import blind_entry_ids
from judging.scoring.workspace import list_worklist
from tests import factories


def _score(assignment, judge, value, *, submit):
    criteria = rubric_service.list_criteria(assignment.stage)
    sheet_service.save_sheet(
        assignment=assignment,
        inputs={c.id: sheet_service.CriterionInput(value) for c in criteria},
        submit=submit,
        actor=judge,
        now=utcnow(),
    )


@pytest.fixture
def world(app, opd, judge, open_round):
    """Three stages (open, open and closing sooner, closed), entries in two categories and
    organisations, the judge's sheets in every state, and another judge's assignments."""
    other_opd = factories.make_opd_user("Dinas Pendidikan Kota Medan", username="disdik")
    second = factories.make_round(name="KIPP 2026", categories=("Umum", "Khusus"))
    later = factories.make_stage(open_round, closes_in_days=7)
    sooner = factories.make_stage(second, closes_in_days=2)
    sooner.name = "Wawancara"
    closed = factories.make_stage(open_round, closes_in_days=7)
    closed.name = "Tahap Lalu"
    entries = [factories.make_entry(open_round, opd, title=f"Inovasi {i}") for i in range(4)] + [
        factories.make_entry(second, other_opd, title="Sekolah Ramah", category=c)
        for c in second.categories
    ]
    other = factories.make_user(role="judge", username="juri2")
    mine = []
    for e in entries[:4]:
        mine.append(factories.make_assignment(later, e, judge))
        mine.append(factories.make_assignment(closed, e, judge))
        factories.make_assignment(later, e, other)
    for e in entries[4:]:
        mine.append(factories.make_assignment(sooner, e, judge))
    theirs = factories.make_assignment(sooner, entries[5], other)
    _score(mine[0], judge, 7, submit=True)
    _score(mine[2], judge, 6.5, submit=False)
    _score(mine[1], judge, 9, submit=True)  # the closed stage, scored while it was open
    _score(mine[8], judge, 8, submit=True)
    _score(theirs, other, 3, submit=True)
    closed.opens_at = utcnow() - timedelta(days=3)
    closed.closes_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    return {"mine": mine, "theirs": theirs, "other": other, "entries": entries, "later": later}


def _facts(a):
    """What the workspace shows of an ORM assignment, as a work item has it."""
    sheet = a.sheet
    return (
        a.id,
        a.entry_id,
        a.stage_id,
        a.entry.title,
        a.entry.organisation.name,
        a.entry.category.name,
        a.stage.name,
        a.stage.round.name,
        a.stage.opens_at,
        a.stage.closes_at,
        sheet.status if sheet else None,
        sheet.total if sheet else None,
    )


def _item_facts(w):
    return (
        w.id,
        w.entry_id,
        w.stage_id,
        w.title,
        w.organisation,
        w.category,
        w.stage,
        w.round,
        w.opens_at,
        w.closes_at,
        w.status,
        w.total,
    )


def test_list_worklist_returns_the_rows_and_order_of_the_orm_listing(app, judge, world):
    now = utcnow()
    expected = [_facts(a) for a in assignment_service.list_assignments_of(judge, now)]
    db.session.expire_all()
    work = list_worklist(judge, now)
    assert [_item_facts(w) for w in work.items] == expected
    assert len(expected) == 10
    # The to-do order: unsubmitted sheets of open stages (soonest deadline first), then the
    # closed stage's, then the submitted ones.
    assert [w.is_submitted for w in work.items] == [False] * 7 + [True] * 3
    assert work.items[0].stage == "Wawancara"
    assert work.submitted == 3 and work.started == 4


def test_list_worklist_holds_only_the_judges_own_assignments(app, judge, world):
    other = world["other"]
    mine = {w.id for w in list_worklist(judge).items}
    theirs = {w.id for w in list_worklist(other).items}
    assert mine == {a.id for a in world["mine"]}
    assert world["theirs"].id in theirs and not mine & theirs
    # Their sheet (submitted, total 3) does not show as the judge's on the same entry.
    same_entry = [w for w in list_worklist(judge).items if w.entry_id == world["theirs"].entry_id]
    assert [(w.status, w.total) for w in same_entry] == [(None, None)]
    nobody = factories.make_user(role="judge", username="juri3")
    db.session.commit()
    empty = list_worklist(nobody)
    assert empty.items == [] and empty.submitted == empty.started == 0


def test_list_worklist_marks_the_entries_judged_blind(app, judge, world):
    later = world["later"]
    assert not any(w.is_blind for w in list_worklist(judge).items)
    later.blind_review = True  # another stage of the same entries stays open-named
    db.session.commit()
    items = list_worklist(judge).items
    blind = blind_entry_ids(w.entry_id for w in items)
    assert blind == {e.id for e in world["entries"][:4]}
    # Blind in every stage of the entry, as blind_entry_ids: the closed stage's rows too.
    assert {w.id for w in items if w.is_blind} == {a.id for a in world["mine"][:8]}


def test_workspace_page_shows_the_worklist_and_hides_blind_names(app, login, judge, world):
    client = login(judge)
    page = client.get("/judge/").text
    assert "3 dari 10 lembar penilaian telah dikirim" in page and "1 draf belum selesai." in page
    assert "<th>Batas waktu</th>" in page and 'data-label="Batas waktu"' in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/judge/").text
    assert "1 draft to finish." in page and "drafts" not in page  # one draft, not "1 drafts"
    # past and coming dates alike: "Deadline", not "Closes: <a date gone by>"
    assert "<th>Deadline</th>" in page and 'data-label="Deadline"' in page and "Closes" not in page
    client.post("/language", data={"lang": "id"})
    for a in world["mine"]:
        assert f'href="/judge/assignments/{a.id}"' in page
    assert f'href="/judge/assignments/{world["theirs"].id}"' not in page
    assert "Dinas Kesehatan Kota Palembang" in page
    world["later"].blind_review = True
    db.session.commit()
    page = client.get("/judge/").text
    assert "Dinas Kesehatan Kota Palembang" not in page
    assert "Dinas Pendidikan Kota Medan" in page  # the other round's entries are not blind
    # A hidden entry (another judge's assignment) is not found.
    assert client.get(f"/judge/assignments/{world['theirs'].id}").status_code == 404


def test_each_judge_works_through_the_same_entries_in_an_order_of_their_own(app, opd, open_round):
    """Two judges of the same twelve entries: each sees the sheets to do in an order of
    their own (not the entries' numbers, not the other judge's), the same at every visit;
    a submitted sheet goes down to the submitted ones, in entry order."""
    stage = factories.make_stage(open_round, closes_in_days=7)
    entries = [factories.make_entry(open_round, opd, title=f"Inovasi {i}") for i in range(12)]
    judges = [factories.make_user(role="judge", username=f"juri{n}") for n in (7, 8)]
    for judge in judges:
        for e in entries:
            factories.make_assignment(stage, e, judge)
    db.session.commit()
    first, second = ([w.entry_id for w in list_worklist(j).items] for j in judges)
    ids = sorted(e.id for e in entries)
    assert sorted(first) == sorted(second) == ids
    assert first != ids and second != ids and first != second
    assert [w.entry_id for w in list_worklist(judges[0]).items] == first  # at every visit
    expected = [a.entry_id for a in assignment_service.list_assignments_of(judges[0])]
    assert expected == first  # the ORM listing agrees
    done = next(
        a for a in assignment_service.list_assignments_of(judges[0]) if a.entry_id == first[0]
    )
    _score(done, judges[0], 7, submit=True)
    db.session.commit()
    after = [w.entry_id for w in list_worklist(judges[0]).items]
    assert after == first[1:] + [first[0]]
