"""After publication each OPD sees feedback on its own entry only: its scores per criterion
against the category's quartiles, its place and range, and (when allowed) the judges'
comments as "Juri A, B, C"; never another entry's score or a judge's name."""

import io
import re
from datetime import UTC, datetime
from types import SimpleNamespace as NS

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db, utcnow
from judging.analysis import uncertainty as unc_service
from judging.panels.models import Assignment
from judging.results import awards
from judging.results import publication as publication_service
from judging.results.feedback import (
    MIN_CATEGORY,
    SMALL_CATEGORY_ID,
    CriterionLine,
    StageFeedback,
    judge_label,
    render_feedback_pdf,
)
from judging.results.models import Result
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Score, ScoreSheet
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
EIGHT = [*TITLES, "Bank Sampah Digital", "Si Cepat Kelurahan"]


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
        found = re.search(r"penilaian: ke-(\d+)(?: sampai ke-(\d+))?\.", text)
        assert found, text
        assert found.group(1) != found.group(2)  # "ke-3", never "ke-3 sampai ke-3"


SMALL_LINE = "Median dan kuartil tidak ditampilkan: kategori Anda memiliki kurang dari 8 inovasi"


def test_feedback_says_what_median_and_quartiles_mean(login, committee, open_round, world):
    """An OPD that never met the words reads what the median and the quartiles are, on the page
    in both languages and in the PDF (Indonesian, with the page's column names); the English
    page says that the PDF is in Indonesian."""
    stage, entries, owners = world()
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(owners[0])
    page = client.get(f"/opd/entries/{entries[0].id}").text
    assert "Median adalah nilai tengah kategori: separuh inovasinya bernilai di atasnya" in page
    assert "Seperempat inovasi bernilai di bawah kuartil bawah" in page
    assert "Unduh umpan balik (PDF)<" in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/opd/entries/{entries[0].id}").text
    assert "The median is the middle score of the category: half of its entries" in page
    assert "A quarter of the entries score below the lower quartile" in page
    assert "Download the feedback (PDF, in Indonesian)" in page
    pdf = client.get(f"/opd/entries/{entries[0].id}/feedback.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "Kuartil bawah Median Kuartil atas" in text and "Kuartil 1" not in text
    assert "Median adalah nilai tengah kategori: separuh inovasinya bernilai di atasnya" in text


def _criterion_means(stage):
    """Every entry's mean per criterion: ``{entry_id: [mean per criterion]}``."""
    means = {}
    for sheet_entry, criterion_id, value in db.session.execute(
        select(Assignment.entry_id, Score.criterion_id, Score.value)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .where(Assignment.stage_id == stage.id)
    ):
        means.setdefault(sheet_entry, {}).setdefault(criterion_id, []).append(value)
    return {e: [float(np.mean(v)) for _c, v in sorted(per.items())] for e, per in means.items()}


def _quartile_cells(page):
    """The quartile cells (lower quartile, median, upper quartile) of each criterion row of the
    feedback table."""
    table = page.split("Kuartil bawah", 1)[1].split("</table>", 1)[0]
    return [
        re.findall(r'<td class="num">([^<]*)</td>', row)[1:]
        for row in table.split("<tr>")[1:]
        if "<td" in row
    ]


def _pdf_text(client, entry):
    pdf = client.get(f"/opd/entries/{entry.id}/feedback.pdf")
    assert pdf.status_code == 200
    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )


@pytest.mark.parametrize("n", [5, 7])
def test_small_category_shows_no_quartiles_and_says_why(login, committee, world, n):
    assert MIN_CATEGORY == 8
    stage, entries, owners = world(EIGHT[:n])
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(owners[1])
    page = client.get(f"/opd/entries/{entries[1].id}").text
    assert "Umpan balik dari penilaian" in page
    cells = _quartile_cells(page)
    assert len(cells) == 5 and all(row == ["–", "–", "–"] for row in cells)
    assert "kurang dari 8 inovasi yang dinilai" in page
    text = _pdf_text(client, entries[1])
    assert SMALL_LINE in text and " ".join(SMALL_CATEGORY_ID.split()) in text
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/opd/entries/{entries[1].id}").text
    assert "Median and quartiles are not shown" in page and "fewer than 8 scored entries" in page


def test_eight_entries_show_quartiles_in_whole_points(login, committee, world):
    stage, entries, owners = world(EIGHT)
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(owners[3])
    page = client.get(f"/opd/entries/{entries[3].id}").text
    assert "tidak ditampilkan" not in page and "dibulatkan ke poin utuh" in page
    means = np.array(list(_criterion_means(stage).values()))  # (entries, criteria)
    expected = [
        [str(int(np.floor(q + 0.5))) for q in np.quantile(means[:, k], [0.25, 0.5, 0.75])]
        for k in range(means.shape[1])
    ]
    cells = _quartile_cells(page)
    assert cells == expected
    assert all(re.fullmatch(r"\d+", c) for row in cells for c in row)
    text = _pdf_text(client, entries[3])
    assert SMALL_LINE not in text and "dibulatkan ke poin utuh" in text
    for row in expected:  # the PDF's table row: own mean, then the three whole quartiles
        assert re.search(r"\d+,\d\d " + " ".join(row) + r"\b", text), row


def test_no_other_entrys_mean_in_a_five_entry_category(login, committee, world):
    """With five entries each quartile of five means is one of them: the page shows none, and
    no other entry's exact criterion mean (as the page would write it) is in its HTML."""
    stage, entries, owners = world(EIGHT[:5])
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    me = entries[2]
    page = login(owners[2]).get(f"/opd/entries/{me.id}").text
    means = _criterion_means(stage)
    own = {round(m, 2) for m in means[me.id]}
    others = {round(m, 2) for e, ms in means.items() if e != me.id for m in ms} - own
    # the old rule's quartiles would have been exactly such means
    q = np.quantile(np.array(list(means.values()))[:, 0], [0.25, 0.5, 0.75])
    assert {round(float(v), 2) for v in q} <= others | own
    assert others
    for m in sorted(others):
        for written in (f"{m:.2f}".replace(".", ","), f"{m:.2f}"):
            assert written not in page, written


def test_an_entry_that_did_not_go_on_gets_its_last_stage_scores(login, committee, world):
    """The round publishes only its later stage; an entry judged in the first stage only gets
    that stage's criterion scores, without a place, on the page (both languages) and in the
    PDF; one that went on gets its place as before."""
    desk, entries, owners = world(EIGHT)
    final = factories.make_stage(desk.round)
    final.name = "Presentasi"
    judge = db.session.scalar(select(Assignment.judge_id).where(Assignment.stage_id == desk.id))
    criteria = rubric_service.list_criteria(final)
    for entry in entries[:3]:  # the finalists
        a = factories.make_assignment(final, entry, db.session.get(User, judge))
        sheet_service.save_sheet(
            assignment=a,
            submit=True,
            actor=a.judge,
            now=utcnow(),
            inputs={c.id: sheet_service.CriterionInput(7.0) for c in criteria},
        )
    db.session.commit()
    publication_service.publish_results(stage=final, actor=committee, now=utcnow())
    db.session.commit()
    out = entries[7]
    client = login(owners[7])
    page = client.get(f"/opd/entries/{out.id}").text
    assert "Umpan balik dari penilaian" in page
    assert "tidak lolos ke tahap berikutnya setelah tahap ini" in page
    assert "Peringkat " not in page and desk.name in page
    assert "Kuartil bawah" in page  # eight entries in the stage: the category's quartiles
    with client.session_transaction() as s:
        s["lang"] = "en"
    assert "did not go on to the next stage" in client.get(f"/opd/entries/{out.id}").text
    pdf = client.get(f"/opd/entries/{out.id}/feedback.pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "tidak lolos ke tahap berikutnya" in text and "Peringkat" not in text
    finalist = login(owners[0]).get(f"/opd/entries/{entries[0].id}").text
    assert "dari 3 dalam kategori" in finalist and "tidak lolos" not in finalist


def test_feedback_pdf_never_ends_a_page_with_a_stage_heading(app):
    """A stage's heading keeps its first lines on its page: more comments in the first stage
    move the later stages down, their headings across page 1's bottom on the way (in steps of
    one comment line, as tall as the lines a heading must keep, so one step lands there)."""
    published = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    entry = NS(
        title="SI-GESIT",
        organisation=NS(name="Dinas Kesehatan"),
        round=NS(name="KOINYANLIK 2026", results_published_at=published),
        category=NS(name="Dinas/Badan"),
    )
    names = ("Tahap Satu", "Tahap Dua", "Tahap Tiga")
    lines = [CriterionLine(f"Kriteria {k}", 10, 80.0, 70.0, 75.0, 80.0) for k in range(7)]
    seen = set()
    for n in range(8, 32):
        feedback = [
            StageFeedback(
                stage=NS(name=name, published_at=published),
                place=k + 1,
                n_ranked=9,
                score=80.0,
                award="",
                lines=lines,
                comments=[("Juri A", "Kriteria 0", f"Catatan {i}.") for i in range(0 if k else n)],
            )
            for k, name in enumerate(names)
        ]
        pages = [
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(render_feedback_pdf(entry, feedback))).pages
        ]
        for k, name in enumerate(names):
            [heading] = [i for i, page in enumerate(pages) if name in page]
            [first] = [i for i, page in enumerate(pages) if f"Peringkat {k + 1} dari 9" in page]
            assert heading == first, (n, name)
            seen.add((name, heading))
    assert ("Tahap Dua", 1) in seen and ("Tahap Tiga", 1) in seen
