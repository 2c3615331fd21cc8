"""After publication each OPD sees feedback on its own entry only: its scores per criterion
against the category's quartiles, its place and range, and (when allowed) the judges'
comments as "Juri A, B, C"; never another entry's score or a judge's name."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from competition.db import db, utcnow
from judging.analysis import uncertainty as unc_service
from judging.results import awards
from judging.results import publication as publication_service
from judging.results.feedback import judge_label
from judging.results.models import Result
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

TITLES = [
    "Posyandu Digital",
    "SI-PANDAI",
    "Tirta Cepat",
    "Sampah Jadi Emas",
    "Lapor Camat",
    "Klinik",
]
JUDGES = ["Dr. Sari Wulandari", "Ir. Bambang Hartono", "Prof. Rina Kusuma"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    unc_service._CACHE.clear()
    yield
    unc_service._CACHE.clear()


@pytest.fixture
def world(open_round, cached_data):
    """``world(titles=TITLES)`` -> ``_world(open_round, titles)``, built once per module and
    list of titles, then copied (see ``cached_data``)."""

    def make(titles=TITLES):
        def build():
            return _world(open_round, titles)

        return cached_data(build, tuple(titles))

    return make


def _world(open_round, titles=TITLES):
    stage = factories.make_stage(open_round)
    judges = [
        factories.make_user(role="judge", username=f"penilai{i}", name=name)
        for i, name in enumerate(JUDGES)
    ]
    criteria = rubric_service.list_criteria(stage)
    owners, entries = [], []
    for i, title in enumerate(titles):
        owner = factories.make_opd_user(f"OPD {title}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=title)
        owners.append(owner)
        entries.append(entry)
        for j, judge in enumerate(judges):
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={
                    c.id: sheet_service.CriterionInput(
                        float(8 - i + (j % 2) * 0.5 + k * 0.25), f"Catatan {j}-{title}"
                    )
                    for k, c in enumerate(criteria)
                },
            )
    db.session.commit()
    return stage, entries, owners


def _others_scores(stage, me):
    rows = db.session.scalars(select(Result).where(Result.stage_id == stage.id)).all()
    return [f"{r.score:.2f}".replace(".", ",") for r in rows if r.entry_id != me.id]


def test_no_feedback_before_publication(login, committee, open_round, world):
    _stage, entries, owners = world()
    client = login(owners[0])
    assert "Umpan balik dari penilaian" not in client.get(f"/opd/entries/{entries[0].id}").text
    assert client.get(f"/opd/entries/{entries[0].id}/feedback.pdf").status_code == 404


def test_opd_sees_its_own_feedback_and_nothing_of_others(login, committee, open_round, world):
    stage, entries, owners = world()
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    me = entries[2]
    page = login(owners[2]).get(f"/opd/entries/{me.id}").text
    assert "Umpan balik dari penilaian" in page
    assert "Peringkat 3 dari 6 dalam kategori" in page
    assert "Kuartil bawah" in page and "Median" in page
    assert "Kemungkinan peringkat, dengan memperhitungkan ketidakpastian penilaian" in page
    for title in TITLES:
        if title != me.title:
            assert title not in page
    for name in JUDGES:
        assert name not in page
    assert "Juri A" not in page and "Catatan" not in page  # comments are off by default
    mine = db.session.scalar(select(Result).where(Result.entry_id == me.id))
    for other in _others_scores(stage, me):
        if other != f"{mine.score:.2f}".replace(".", ","):
            assert other not in page


def test_comments_are_shown_anonymously_when_the_committee_allows(
    login, committee, open_round, world
):
    stage, entries, owners = world()
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    r = login(committee).post(
        f"/committee/rounds/{open_round.id}/results/feedback", data={"opd_sees_comments": "y"}
    )
    assert r.status_code == 302 and awards.settings_of(open_round).opd_sees_comments
    me = entries[0]
    page = login(owners[0]).get(f"/opd/entries/{me.id}").text
    assert "Komentar juri" in page
    assert "Juri A" in page and "Juri B" in page and "Juri C" in page
    assert f"Catatan 0-{me.title}" in page
    assert "Catatan 0-SI-PANDAI" not in page
    for name in JUDGES:
        assert name not in page
    pdf = login(owners[0]).get(f"/opd/entries/{me.id}/feedback.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "UMPAN BALIK PENILAIAN" in text and "Juri A" in text and me.title in text
    for name in JUDGES:
        assert name not in text
    for title in TITLES[1:]:
        assert title not in text


def test_another_opds_feedback_is_hidden(login, committee, open_round, world):
    stage, entries, owners = world()
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(owners[1])
    assert client.get(f"/opd/entries/{entries[0].id}").status_code == 404
    assert client.get(f"/opd/entries/{entries[0].id}/feedback.pdf").status_code == 404


def test_small_category_gets_no_quartiles(login, committee, open_round, world):
    stage, entries, owners = world(TITLES[:2])
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    page = login(owners[0]).get(f"/opd/entries/{entries[0].id}").text
    assert "Umpan balik dari penilaian" in page
    # with two entries, the median and one's own score would give away the other's
    other = db.session.scalar(select(Result).where(Result.entry_id == entries[1].id))
    assert f"{other.score:.2f}".replace(".", ",") not in page


def test_judge_labels_are_letters():
    assert [judge_label(k) for k in (0, 1, 25, 26)] == ["Juri A", "Juri B", "Juri Z", "Juri AA"]


def test_feedback_pdf_reads_like_the_page(login, committee, open_round, world):
    """The PDF says what its range means, writes a one-place range as one place (never
    "1-1"), and says its quartiles include the entry itself (they do)."""
    stage, entries, owners = world()
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    for k, me in enumerate(entries):
        pdf = login(owners[k]).get(f"/opd/entries/{me.id}/feedback.pdf")
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
        )
        assert "dengan memperhitungkan ketidakpastian penilaian" in text
        assert "termasuk inovasi Anda" in text and "inovasi lain" not in text
        found = re.search(r"penilaian: (\d+)(?:-(\d+))?\.", text)
        assert found, text
        assert found.group(1) != found.group(2)  # "3", never "3-3"
