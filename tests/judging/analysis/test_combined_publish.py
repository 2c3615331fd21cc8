"""The check before publishing the combined final ranking: an award cut still undecided, or an
award to an entry below a stage's pass mark in that stage, asks the committee for a tick."""

from __future__ import annotations

import re

import pytest

from competition.db import db
from judging.analysis import blunders, combined, combined_publish
from judging.results.models import Publication, Result
from judging.scoring.models import ScoreSheet

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

# marks per entry (one per judge), three judges in both stages (see conftest.three_judges)
CLEAR = [[10, 9.5, 10], [8, 8.5, 8], [6, 6.5, 6], [4, 4.5, 4], [2, 2.5, 2]]
CLOSE = [[7, 8, 6], [8, 6, 7], [6, 7, 8], [3, 2, 3], [2, 3, 2]]


def _published_count():
    return db.session.scalar(db.select(db.func.count(Publication.id)))


def test_combined_award_in_undecided_order_needs_a_tick(login, committee, three_judges):
    desk, field, entries = three_judges(CLOSE, CLOSE)
    risks = combined_publish.publish_risks(desk.round)
    assert risks.undecided and not risks.below_pass
    client = login(committee)
    r = client.post(f"/committee/stages/{field.id}/publish", data={"reason": ""})
    assert r.status_code == 409 and _published_count() == 0
    assert "Penghargaan dengan urutan yang belum pasti" in r.text
    assert "peringkat akhir gabungan" in r.text
    for entry, _cut, _p in risks.undecided:
        assert entry.title in r.text
    r = client.post(f"/committee/stages/{field.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302
    pub = db.session.scalar(db.select(Publication).where(Publication.stage_id == field.id))
    assert pub.method == combined.METHOD


def test_combined_award_below_a_stage_pass_mark_needs_a_tick(login, committee, three_judges):
    desk, field, entries = three_judges(CLEAR, CLEAR)
    client = login(committee)
    assert not combined_publish.publish_risks(desk.round)  # clear order, no pass mark: no question
    field.pass_mark = 7.0
    db.session.commit()
    risks = combined_publish.publish_risks(desk.round)
    assert [(e.title, st.id) for e, st, _s, _m, _t in risks.below_pass] == [("Inovasi 2", field.id)]
    r = client.post(f"/committee/stages/{field.id}/publish", data={"reason": ""})
    assert r.status_code == 409 and _published_count() == 0
    assert "Penghargaan di bawah nilai ambang" in r.text
    assert re.search(
        r"Inovasi 2 \([^)]*\): [^;]+; Peninjauan Lapangan: nilai 6,\d\d, nilai ambang 7<", r.text
    )
    r = client.post(f"/committee/stages/{field.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302 and _published_count() == 1


def test_minutes_of_a_combined_ranking_say_where_its_place_comes_from(
    login, committee, three_judges
):
    """The berita acara's last method sentence follows what was published: for the combined
    final ranking, the stages' methods combined (not "this stage's method")."""
    import io

    from pypdf import PdfReader

    desk, field, _entries = three_judges(CLEAR, CLEAR)
    client = login(committee)
    assert client.post(f"/committee/stages/{field.id}/publish", data={}).status_code == 302
    pdf = client.get(f"/committee/rounds/{desk.round_id}/results/berita-acara.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "6. Peringkat berasal dari gabungan metode setiap tahap" in text
    assert "metode penilaian tahap ini" not in text
    assert "juri tambahan untuk inovasi itu akan mempersempit rentangnya" in text
    assert "murah" not in text


def test_opd_feedback_on_a_combined_ranking_shows_each_stages_criteria(
    login, committee, three_judges
):
    """After the combined final ranking is published, the OPD still sees its own scores per
    criterion against its category's quartiles, stage by stage (on the page and in the PDF),
    and never another entry's title or a judge's name."""
    import io

    from pypdf import PdfReader

    from competition.accounts.models import User

    desk, field, entries = three_judges(CLEAR, CLEAR)
    client = login(committee)
    assert client.post(f"/committee/stages/{field.id}/publish", data={}).status_code == 302
    owner = db.session.scalar(db.select(User).where(User.username == "dinas1"))
    me = entries[1]
    opd = login(owner)
    page = opd.get(f"/opd/entries/{me.id}").text
    assert "Hanya inovasi yang melalui semua tahap berbobot yang diberi peringkat." in page
    assert f"<h3>Peringkat akhir ({field.name})</h3>" in page
    assert "Peringkat ini menggabungkan tahap-tahap di bawah ini dengan bobotnya" in page
    assert page.count("Kuartil bawah") == 2  # one table per weighted stage
    assert desk.name in page and field.name in page
    for other in entries:
        if other.id != me.id:
            assert other.title not in page
    judges = db.session.scalars(db.select(User).where(User.username.like("juri%"))).all()
    assert judges and not [j.name for j in judges if j.name in page]
    pdf = opd.get(f"/opd/entries/{me.id}/feedback.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert text.count("Kuartil bawah") == 2 and "Peringkat akhir (Peninjauan Lapangan)" in text


def test_minutes_of_a_combined_ranking_mark_its_undecided_order(login, committee, three_judges):
    import io

    from pypdf import PdfReader

    desk, field, _entries = three_judges(CLOSE, CLOSE)
    client = login(committee)
    r = client.post(f"/committee/stages/{field.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302
    pdf = client.get(f"/committee/rounds/{desk.round_id}/results/berita-acara.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "Kemungkinan peringkat: rentang peringkat" in text
    # the three close entries: each range spans more than one place, and ties are marked
    assert re.search(r"\b1 ~ Inovasi \d .*? [1-3]-[2-5] ", text)


def test_combined_publication_stores_the_final_ranking_ranges(app, login, committee, three_judges):
    """Publishing the combined final ranking stores each row's range of likely places and tie
    as the final-ranking page shows them (the review's combined uncertainty), and the public
    page shows them with the combined ranking's sentence."""
    desk, field, _entries = three_judges(CLOSE, CLOSE)
    client = login(committee)
    r = client.post(f"/committee/stages/{field.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302
    pub = db.session.scalar(db.select(Publication).where(Publication.stage_id == field.id))
    assert pub.is_combined
    shown = combined.combined_ranking(desk.round)
    expected = {
        row.entry.id: (row.rank_lo, row.rank_hi, row.tied_with_next)
        for cat in shown.categories
        for row in cat.rows
    }
    rows = db.session.scalars(db.select(Result).where(Result.publication_id == pub.id)).all()
    assert rows and {r.entry_id: (r.rank_lo, r.rank_hi, r.tied_with_next) for r in rows} == (
        expected
    )
    assert all(r.rank_lo <= r.rank <= r.rank_hi for r in rows)
    page = app.test_client().get(f"/results/{desk.round.slug}").text
    assert "Kemungkinan peringkat" in page
    assert "Peringkat berasal dari gabungan metode setiap tahap" in page


def test_combined_publish_lists_a_weighted_stage_typing_mistake(
    login, committee, three_judges, monkeypatch
):
    """Each weighted stage's fit is read for scores that look like typing mistakes (the fit
    itself is tested in test_blunders.py; here the stage's list is given): the check names
    the stage and links to its ranking page."""
    desk, field, entries = three_judges(CLEAR, CLEAR)
    sheet = db.session.scalars(db.select(ScoreSheet)).first()
    flag = blunders.FlaggedSheet(sheet.id, entries[1], sheet.assignment.judge, 0.9, 8.5, 0.93)

    def flagged(unc):
        return blunders.Flagged([flag] if unc.stage.id == field.id else [], 0)

    monkeypatch.setattr(combined_publish.blunders, "flagged_sheets", flagged)
    risks = combined_publish.publish_risks(desk.round)
    assert risks.mistakes == [(field, flag)] and bool(risks)
    r = login(committee).post(f"/committee/stages/{field.id}/publish", data={"reason": ""})
    assert r.status_code == 409 and _published_count() == 0
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))
    assert "Nilai yang tampak salah ketik" in text
    assert "Peninjauan Lapangan: Inovasi 1" in text and "total 0,90" in text
    assert f"/committee/stages/{field.id}/ranking#mistakes" in r.text
