"""The judge's workspace: running total script, blind review, closed stages, reopening and
the history of score changes."""

import re
from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from judging.scoring import rubric as rubric_service
from judging.scoring.models import ScoreChange, ScoreSheet, SheetStatus
from tests import factories


def _scores(stage, value="8", **extra):
    data = {}
    for c in rubric_service.list_criteria(stage):
        data[f"score_{c.id}"] = value
        data[f"comment_{c.id}"] = f"Catatan {c.name}"
    data.update(extra)
    return data


def _one(open_round, opd, judge):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    return stage, a


def test_sheet_page_uses_the_static_script_only(app, login, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    page = login(judge).get(f"/judge/assignments/{a.id}").text
    assert '<script src="/static/sheet.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script (CSP)
    assert " on" + "input=" not in page and "onclick=" not in page
    weights = re.findall(r'data-weight="(\d+)"', page)
    assert sorted(map(int, weights)) == sorted(w for _, w in factories.CRITERIA)
    assert 'id="running-total"' in page
    script = app.test_client().get("/static/sheet.js")
    assert script.status_code == 200 and b"data-weight" in script.data
    script.close()


def test_blind_review_hides_the_organisation(app, login, committee, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    name = opd.organisation.name
    client = login(judge)
    assert name in client.get("/judge/").text
    assert name in client.get(f"/judge/assignments/{a.id}").text
    r = login(committee).post(f"/committee/stages/{stage.id}/blind", data={"blind_review": "y"})
    assert r.status_code == 302 and stage.blind_review
    for url in ("/judge/", f"/judge/assignments/{a.id}"):
        page = client.get(url).text
        assert name not in page and "Dinas Kesehatan" not in page, url
    # A refused submission re-renders the sheet: still no name.
    page = client.post(f"/judge/assignments/{a.id}", data={"send": "1"}).text
    assert name not in page
    assert "Penilaian buta" in client.get(f"/judge/assignments/{a.id}").text
    login(committee).post(f"/committee/stages/{stage.id}/blind", data={})
    assert not stage.blind_review


def test_closed_stage_shows_the_deadline_and_no_buttons(app, login, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    stage.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client = login(judge)
    page = client.get(f"/judge/assignments/{a.id}").text
    assert "Penilaian tahap ini ditutup pada" in page
    assert 'name="send"' not in page and 'name="save"' not in page
    r = client.post(f"/judge/assignments/{a.id}", data=_scores(stage, save="1"))
    assert r.status_code == 409 and "Penilaian tahap ini ditutup pada" in r.text
    assert db.session.scalar(select(ScoreSheet)) is None


def test_stage_not_open_yet_refuses_scores(app, login, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    stage.opens_at = utcnow() + timedelta(days=1)
    stage.closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    r = login(judge).post(f"/judge/assignments/{a.id}", data=_scores(stage, save="1"))
    assert r.status_code == 409
    assert db.session.scalar(select(ScoreSheet)) is None


def test_reopen_and_history(app, login, committee, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    jc, cc = login(judge), login(committee)
    first = rubric_service.list_criteria(stage)[0]
    jc.post(f"/judge/assignments/{a.id}", data=_scores(stage, "6", save="1"))
    data = _scores(stage, "6", send="1")
    data[f"score_{first.id}"] = "9"
    assert jc.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.is_submitted
    changes = db.session.scalars(
        select(ScoreChange).where(ScoreChange.criterion_id == first.id).order_by(ScoreChange.id)
    ).all()
    assert [(c.old_value, c.new_value) for c in changes] == [(None, 6), (6, 9)]
    assert all(c.changed_by_id == judge.id and c.changed_at for c in changes)
    # Locked: the judge cannot change it.
    r = jc.post(f"/judge/assignments/{a.id}", data=_scores(stage, "1", save="1"))
    assert r.status_code == 409
    # The committee reopens it, with a reason.
    url = f"/committee/stages/{stage.id}/sheets/{sheet.id}"
    page = cc.get(url).text
    assert "Riwayat perubahan" in page and "Kebaruan" in page
    assert cc.post(url + "/reopen", data={"reason": ""}).status_code == 422
    r = cc.post(url + "/reopen", data={"reason": "Salah ketik pada Kebaruan"})
    assert r.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == SheetStatus.DRAFT
    data[f"score_{first.id}"] = "8"
    assert jc.post(f"/judge/assignments/{a.id}", data=data).status_code == 302
    db.session.refresh(sheet)
    assert sheet.is_submitted
    page = cc.get(url).text
    assert "Salah ketik pada Kebaruan" in page
    assert [
        e
        for (e,) in db.session.execute(
            select(ScoreChange.event).where(ScoreChange.event != "score").order_by(ScoreChange.id)
        )
    ] == ["submitted", "reopened", "submitted"]
    # A draft cannot be "reopened"; another stage's URL does not find the sheet.
    other = factories.make_stage(open_round)
    db.session.commit()
    assert cc.get(f"/committee/stages/{other.id}/sheets/{sheet.id}").status_code == 404


def test_concurrent_save_is_refused_not_lost(app, login, opd, judge, open_round):
    stage, a = _one(open_round, opd, judge)
    client = login(judge)
    assert (
        client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "6", save="1")).status_code
        == 302
    )
    sheet = db.session.scalar(select(ScoreSheet))  # this request's view of the sheet...
    assert sheet.version_id == 1
    with db.engine.begin() as conn:  # ...while another save lands in between
        conn.execute(ScoreSheet.__table__.update().values(version_id=2, total=9.0))
    r = client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "7", save="1"))
    assert r.status_code == 409
    assert "diubah di tempat lain" in r.text and 'value="7"' in r.text  # as typed
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet)).total == 9.0


def test_workspace_lists_what_is_still_to_score_first(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    titles = ["Dikirim", "Draf", "Belum"]
    assignments = [
        factories.make_assignment(stage, factories.make_entry(open_round, opd, title=t), judge)
        for t in titles
    ]
    client = login(judge)
    db.session.commit()
    assert client.post(f"/judge/assignments/{assignments[0].id}", data=_scores(stage, send="1"))
    assert client.post(f"/judge/assignments/{assignments[1].id}", data=_scores(stage, save="1"))
    page = client.get("/judge/").text
    order = [page.index(f">{t}</a>") for t in titles]
    assert order[1] < order[0] and order[2] < order[0]  # draft and not started before submitted
    assert page.index(">Draf</a>") < page.index(">Belum</a>")  # the draft begun comes first
    # The sticky bar of a sheet: status, total, and a link to the form.
    sheet = client.get(f"/judge/assignments/{assignments[1].id}").text
    assert 'href="#score-sheet"' in sheet and 'id="score-sheet"' in sheet
    assert 'id="switch-total"' in sheet and "badge-draft" in sheet
