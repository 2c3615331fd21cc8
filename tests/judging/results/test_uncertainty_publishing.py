"""Publishing asks for a tick when an award is below the pass mark or its order is undecided;
the berita acara states the uncertainty method and the rule for judges who share no entry."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from competition.db import db, utcnow
from competition.rounds.models import Stage
from judging.analysis import uncertainty as unc_service
from judging.analysis import uncertainty_pages
from judging.results.models import Publication
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

TITLES = ["Posyandu Digital", "SI-PANDAI", "Tirta Cepat", "Sampah Jadi Emas", "Lapor Camat"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    unc_service._CACHE.clear()
    yield
    unc_service._CACHE.clear()


@pytest.fixture
def scored(open_round, cached_data):
    """``scored(marks)`` -> ``_scored(open_round, marks)``, built once per module and marks,
    then copied (see ``cached_data``)."""

    def make(marks):
        def build():
            return _scored(open_round, marks)

        return cached_data(build, marks)

    return make


def _scored(open_round, marks):
    """One entry per mark list (one mark per judge)."""
    stage = factories.make_stage(open_round)
    judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(3)]
    criteria = rubric_service.list_criteria(stage)
    for i, (title, values) in enumerate(zip(TITLES, marks)):
        owner = factories.make_opd_user(f"OPD {title}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=title)
        for judge, value in zip(judges, values):
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={c.id: sheet_service.CriterionInput(float(value)) for c in criteria},
            )
    db.session.commit()
    return stage


CLEAR = [[10, 9.5, 10], [8, 8.5, 8], [6, 6.5, 6], [4, 4.5, 4], [2, 2.5, 2]]
CLOSE = [[7, 8, 6], [8, 6, 7], [6, 7, 8], [3, 2, 3], [2, 3, 2]]


def _published():
    return db.session.scalar(select(func.count(Publication.id)))


def test_clear_ranking_is_published_without_a_tick(login, committee, open_round, scored):
    stage = scored(CLEAR)
    r = login(committee).post(f"/committee/stages/{stage.id}/publish")
    assert r.status_code == 302 and _published() == 1


def test_award_below_the_pass_mark_needs_a_tick(login, committee, open_round, scored):
    stage = scored(CLEAR)
    stage.pass_mark = 7.0
    db.session.commit()
    client = login(committee)
    r = client.post(f"/committee/stages/{stage.id}/publish")
    assert r.status_code == 409 and _published() == 0
    assert "Penghargaan di bawah nilai ambang" in r.text
    assert "Tirta Cepat" in r.text and "Posyandu Digital" not in r.text.split("<form")[0]
    r = client.post(f"/committee/stages/{stage.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302 and _published() == 1


def test_undecided_award_order_is_listed_and_needs_a_tick(login, committee, open_round, scored):
    stage = scored(CLOSE)
    risks = uncertainty_pages.publish_risks(stage)
    assert risks.undecided and not risks.below_pass
    client = login(committee)
    r = client.post(f"/committee/stages/{stage.id}/publish", data={"reason": ""})
    assert r.status_code == 409 and _published() == 0
    assert "Penghargaan dengan urutan yang belum pasti" in r.text
    for entry, _cut, _p in risks.undecided:
        assert entry.title in r.text
    assert 'name="confirm_uncertain"' in r.text
    r = client.post(f"/committee/stages/{stage.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302 and _published() == 1


def test_across_setting_is_saved_and_stated_in_the_minutes(login, committee, open_round, scored):
    stage = scored(CLEAR)
    client = login(committee)
    page = client.get(f"/committee/stages/{stage.id}/ranking").text
    assert "Juri yang tidak menilai inovasi yang sama" in page
    client.post(f"/committee/stages/{stage.id}/across", data={"across": "refuse"})
    assert db.session.get(Stage, stage.id).uncertainty_across == "refuse"
    client.post(f"/committee/stages/{stage.id}/across", data={"across": "bogus"})
    assert db.session.get(Stage, stage.id).uncertainty_across == "refuse"
    assert client.post(f"/committee/stages/{stage.id}/publish").status_code == 302
    pdf = client.get(f"/committee/rounds/{stage.round_id}/results/berita-acara.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = " ".join(text.split())
    assert "peringkat dihitung hanya di dalam setiap kelompok juri yang terhubung" in text
    assert "Ketidakpastian peringkat dinilai sebagai berikut" in text
    assert "5. Suatu peringkat disebut pasti" in text
