"""Advancement between scored stages: proposal by top N or threshold, overrides with a
recorded reason, confirmation; entries that do not advance keep their scores."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.db import db, utcnow
from competition.entries.models import Advancement, Entry
from competition.entries.services import progress_of
from judging.analysis import advancement
from judging.panels import assignment as assignment_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreSheet
from tests import factories

SCORES = {"Alpha": 9, "Beta": 8, "Gamma": 7, "Delta": 5, "Puskesmas A": 8, "Puskesmas B": 6}


@pytest.fixture
def two_stages(app, committee, judge, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        from competition.rounds.models import Category

        other = Category(round=open_round, name="Puskesmas")
        db.session.add(other)
        desk = factories.make_stage(open_round, criteria=[("Mutu", 100)])
        presentation = factories.make_stage(open_round, criteria=[("Presentasi", 100)])
        criterion = rubric_service.list_criteria(desk)[0]
        for title, score in SCORES.items():
            opd = factories.make_opd_user(f"OPD {title}", username=title.lower().replace(" ", "-"))
            entry = factories.make_entry(
                open_round,
                opd,
                title=title,
                category=other if title.startswith("Puskesmas") else None,
            )
            a = factories.make_assignment(desk, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={criterion.id: sheet_service.CriterionInput(score)},
            )
        db.session.commit()
        return desk, presentation

    return cached_data(build)


def _advance_top_two(desk, committee):
    """The committee confirms the proposed top two of each category of ``desk``."""
    candidates = advancement.propose(stage=desk, top_n=2)
    advancement.confirm(
        stage=desk,
        candidates=candidates,
        advance={c.entry.id for c in candidates if c.proposed},
        reasons={},
        actor=committee,
        now=utcnow(),
    )
    db.session.commit()


def _ids(*titles):
    return {db.session.scalar(select(Entry.id).where(Entry.title == t)) for t in titles}


def test_preview_proposes_the_top_n_of_each_category(app, login, committee, two_stages):
    desk, presentation = two_stages
    page = login(committee).get(f"/committee/timeline/{desk.id}/advance?mode=top&top_n=2")
    assert page.status_code == 200 and presentation.name in page.text
    proposed = {c.entry.title for c in advancement.propose(stage=desk, top_n=2) if c.proposed}
    assert proposed == {"Alpha", "Beta", "Puskesmas A", "Puskesmas B"}
    by_threshold = advancement.propose(stage=desk, threshold=7.5)
    assert {c.entry.title for c in by_threshold if c.proposed} == {"Alpha", "Beta", "Puskesmas A"}


def test_override_needs_a_reason_then_confirmation_records_it(app, login, committee, two_stages):
    desk, presentation = two_stages
    client = login(committee)
    url = f"/committee/timeline/{desk.id}/advance"
    # Gamma replaces Beta, without a reason: refused, nothing recorded.
    chosen = _ids("Alpha", "Gamma", "Puskesmas A", "Puskesmas B")
    data = {"mode": "top", "top_n": "2", "advance": [str(i) for i in chosen]}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Advancement.id))) == 0
    assert response.text.count("Berikan alasan.") == 2  # Beta and Gamma
    # With the reasons it is confirmed.
    (beta,), (gamma,) = _ids("Beta"), _ids("Gamma")
    data[f"reason_{beta}"] = "Berhalangan hadir presentasi."
    data[f"reason_{gamma}"] = "Menggantikan Beta atas persetujuan rapat panitia."
    response = client.post(url, data=data)
    assert response.status_code == 302
    rows = db.session.scalars(select(Advancement)).all()
    assert {r.entry_id for r in rows} == chosen
    assert [r.reason for r in rows if r.is_override] == [data[f"reason_{gamma}"]]
    assert db.session.get(Entry, beta).events[-1].action == "not_advanced_override"
    # Only advanced entries take part in the next stage; the others keep their scores.
    assert {e.id for e in assignment_service.submitted_entries(presentation)} == chosen
    assert {e.id for e in assignment_service.submitted_entries(desk)} == _ids(*SCORES)
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == len(SCORES)
    # A second confirmation is refused; the page shows the confirmed list.
    assert client.post(url, data=data).status_code == 409
    assert "Kelulusan ke tahap berikutnya telah dikonfirmasi" in client.get(url).text
    # The OPD sees the decision with its reason.
    beta_opd = db.session.get(Entry, beta)
    opd_user = beta_opd.organisation.users[0]
    assert "Berhalangan hadir presentasi." in login(opd_user).get(f"/opd/entries/{beta}").text


def test_last_scored_stage_has_nowhere_to_advance(app, login, committee, two_stages):
    desk, presentation = two_stages
    page = login(committee).get(f"/committee/timeline/{presentation.id}/advance")
    assert "Tidak ada tahap penilaian berikutnya" in page.text


def test_preview_shows_the_spread_by_category_and_group(app, login, committee, two_stages):
    desk, _ = two_stages
    candidates = advancement.propose(stage=desk, top_n=1)
    chosen = {c.entry.id for c in candidates if c.proposed}
    assert advancement.spread(candidates, chosen) == {
        "category": {"Dinas/Badan": 1, "Puskesmas": 1},
        "group": {"umum": 2},
        "province": {"": 2},
        "region": {"": 2},
    }
    page = login(committee).get(f"/committee/timeline/{desk.id}/advance?mode=top&top_n=1").text
    assert "Sebaran inovasi yang dicentang" in page


def test_the_opd_sees_that_its_entry_did_not_advance(app, login, committee, two_stages):
    desk, presentation = two_stages
    presentation.opens_at = utcnow() + timedelta(days=3)  # still to come
    _advance_top_two(desk, committee)
    (delta,), (alpha,) = _ids("Delta"), _ids("Alpha")
    states = dict((s.id, st) for s, st in progress_of(db.session.get(Entry, delta), utcnow()))
    assert states[presentation.id] == "not_advanced"
    states = dict((s.id, st) for s, st in progress_of(db.session.get(Entry, alpha), utcnow()))
    assert states[presentation.id] == "upcoming"


def test_preview_shows_the_spread_by_region(app, login, committee, two_stages):
    """Regions come from the organisations; a unit without its own counts under its agency."""
    desk, _ = two_stages
    orgs = {e.title: e.organisation for e in db.session.scalars(select(Entry))}
    orgs["Alpha"].region, orgs["Alpha"].province = "Kota Palembang", "Sumatera Selatan"
    orgs["Beta"].region, orgs["Beta"].province = "Kabupaten Banyuasin", "Sumatera Selatan"
    orgs["Puskesmas A"].parent = orgs["Alpha"]
    orgs["Puskesmas B"].region, orgs["Puskesmas B"].province = "Kota Bandung", "Jawa Barat"
    db.session.commit()
    candidates = advancement.propose(stage=desk, top_n=2)
    chosen = {c.entry.id for c in candidates if c.proposed}
    spread = advancement.spread(candidates, chosen)
    assert spread["province"] == {"Sumatera Selatan": 3, "Jawa Barat": 1}
    assert spread["region"] == {
        "Kota Palembang (Sumatera Selatan)": 2,
        "Kabupaten Banyuasin (Sumatera Selatan)": 1,
        "Kota Bandung (Jawa Barat)": 1,
    }
    page = login(committee).get(f"/committee/timeline/{desk.id}/advance?mode=top&top_n=2").text
    assert "Kota Palembang (Sumatera Selatan)" in page and "Jawa Barat" in page
    # The dashboard counts submitted entries per province (Gamma and Delta: not given).
    page = login(committee).get(f"/committee/rounds/{desk.round_id}/dashboard").text
    assert 'Sumatera Selatan</td><td class="num">3' in page
    assert 'Jawa Barat</td><td class="num">1' in page


def test_the_opd_list_says_where_each_entry_stands(app, login, committee, two_stages):
    """The OPD's list of its innovations: the first stage an entry did not advance to, else
    the last scored stage it is in."""
    desk, presentation = two_stages
    presentation.name = "Presentasi"
    presentation.opens_at = utcnow() + timedelta(days=3)
    _advance_top_two(desk, committee)

    def standing(username):
        user = db.session.scalar(select(User).where(User.username == username))
        page = login(user).get("/opd/").text
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    assert "Presentasi: tidak lolos" in standing("delta")
    alpha = standing("alpha")
    assert "Penilaian Proposal: sedang dinilai" in alpha and "tidak lolos" not in alpha
