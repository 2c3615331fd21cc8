"""The combined final ranking: stage weights set by the committee, the scored stages combined
on 0-100, only entries through every weighted stage ranked, and published by the last stage."""

from __future__ import annotations

import json
import re

import pytest

from competition.db import db, utcnow
from competition.errors import InvalidState
from judging.analysis import combined
from judging.results import publication as publication_service
from judging.results import publications
from judging.results.models import Publication
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

# marks of the two_stages fixture (conftest): desk on 1-10, presentation on 0-100
DESK = [9, 8, 7, 6, 5, 4]
PRESENTATION = [60, 90, 70, 80]
# marks per entry (one per judge), three judges in both stages (see conftest.three_judges)
CLOSE = [[7, 8, 6], [8, 6, 7], [6, 7, 8], [3, 2, 3], [2, 3, 2]]


def _on_100(v, lo, hi):
    return 100 * (v - lo) / (hi - lo)


def test_combined_ranking_covers_only_entries_through_every_stage(app, committee, two_stages):
    desk, presentation, entries = two_stages
    combined.set_stage_weights(
        round_=desk.round, weights={desk.id: 40, presentation.id: 60}, actor=committee
    )
    db.session.commit()  # as a page reads it (the shared fit cache writes on its own connection)
    ranking = combined.combined_ranking(desk.round)
    (cat,) = ranking.categories
    expected = {
        e.id: 0.4 * _on_100(d, 1, 10) + 0.6 * p for e, d, p in zip(entries, DESK, PRESENTATION)
    }
    assert [r.entry.title for r in cat.rows] == ["Inovasi 1", "Inovasi 0", "Inovasi 3", "Inovasi 2"]
    assert [r.rank for r in cat.rows] == [1, 2, 3, 4]
    for r in cat.rows:
        assert r.combined == pytest.approx(expected[r.entry.id])
        assert r.stage_scores[1] == pytest.approx(PRESENTATION[entries.index(r.entry)])
    # The two entries that did not reach the presentation keep their desk results only.
    assert [r.entry.title for r in cat.others] == ["Inovasi 4", "Inovasi 5"]
    assert cat.others[0].stage_scores[0] == pytest.approx(_on_100(5, 1, 10))
    assert cat.others[0].stage_scores[1] != cat.others[0].stage_scores[1]  # NaN: no score
    assert all(r.rank == 0 for r in cat.others)


def test_a_stage_weighted_zero_is_not_required(app, committee, two_stages):
    desk, presentation, _ = two_stages
    combined.set_stage_weights(
        round_=desk.round, weights={desk.id: 100, presentation.id: 0}, actor=committee
    )
    db.session.commit()
    (cat,) = combined.combined_ranking(desk.round).categories
    assert [r.entry.title for r in cat.rows] == [f"Inovasi {i}" for i in range(6)]
    assert cat.others == []


def test_last_stage_publishes_the_combined_ranking(app, committee, two_stages):
    desk, presentation, entries = two_stages
    combined.set_stage_weights(
        round_=desk.round, weights={desk.id: 40, presentation.id: 60}, actor=committee
    )
    assert combined.publishes_combined(presentation)
    assert not combined.publishes_combined(desk)
    first = publication_service.publish_results(stage=desk, actor=committee, now=utcnow())
    assert first.method == "raw"  # an earlier stage publishes its own ranking
    pub = publication_service.publish_results(stage=presentation, actor=committee, now=utcnow())
    db.session.commit()
    assert pub.method == combined.METHOD
    params = json.loads(pub.params)
    assert [(s["name"], s["weight"]) for s in params["stages"]] == [
        (desk.name, 40.0),
        ("Presentasi", 60.0),
    ]
    assert params["scale"] == [0, 100] and pub.n_sheets == 2 * (6 + 4)
    results = publications.list_results(pub)
    assert [(r.entry_id, r.rank) for r in results] == [
        (entries[1].id, 1),
        (entries[0].id, 2),
        (entries[3].id, 3),
        (entries[2].id, 4),
    ]
    assert results[0].score == pytest.approx(0.4 * _on_100(8, 1, 10) + 0.6 * 90)
    assert results[0].award  # the award levels apply to the combined places
    # A correction may publish the stage's own ranking instead.
    own = publication_service.publish_results(
        stage=presentation, actor=committee, now=utcnow(), reason="Hanya presentasi", combined=False
    )
    assert own.method == "raw" and own.version == 2
    with pytest.raises(InvalidState):
        publication_service.publish_results(
            stage=desk, actor=committee, now=utcnow(), reason="x", combined=True
        )


def test_committee_sets_weights_and_reads_the_final_ranking(app, login, committee, two_stages):
    desk, presentation, _ = two_stages
    client = login(committee)
    url = f"/committee/rounds/{desk.round_id}/results/final"
    page = client.get(url)
    assert page.status_code == 200 and "Bobot tahap" in page.text
    post = f"/committee/rounds/{desk.round_id}/results/weights"
    r = client.post(post, data={f"weight_{desk.id}": "40", f"weight_{presentation.id}": "50"})
    assert r.status_code == 422
    assert "90%" in r.text and 'value="50"' in r.text  # the sum shown, the typed kept
    r = client.post(post, data={f"weight_{desk.id}": "40", f"weight_{presentation.id}": "60"})
    assert r.status_code == 302
    page = client.get(url).text
    assert "Inovasi 1" in page and "Gabungan" in page
    assert "85,11" in page  # 0.4 * 77.78 + 0.6 * 90, Indonesian decimals
    assert "Tidak masuk peringkat akhir" in page
    # The publishing page says what publishing the last stage does, and it does it.
    review = client.get(f"/committee/rounds/{desk.round_id}/results").text
    assert "peringkat akhir gabungan" in review
    r = client.post(f"/committee/stages/{presentation.id}/publish", data={"reason": ""})
    assert r.status_code == 302
    pub = db.session.scalar(db.select(Publication).where(Publication.stage_id == presentation.id))
    assert pub.method == combined.METHOD
    public = client.get(f"/results/{desk.round.slug}").text
    assert re.search(r"Inovasi 1", public)


def test_minutes_state_the_weights_and_the_0_100_scale(app, login, committee, two_stages):
    import io

    from pypdf import PdfReader

    desk, presentation, _ = two_stages
    combined.set_stage_weights(
        round_=desk.round, weights={desk.id: 40, presentation.id: 60}, actor=committee
    )
    publication_service.publish_results(stage=presentation, actor=committee, now=utcnow())
    db.session.commit()
    r = login(committee).get(f"/committee/rounds/{desk.round_id}/results/berita-acara.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    text = " ".join(text.split())
    assert "Penilaian Proposal 40%" in text and "Presentasi 60%" in text
    assert "skala 0-100" in text


def test_final_ranking_page_before_any_score(app, login, committee, open_round):
    desk = factories.make_stage(open_round)
    field = factories.make_stage(open_round)
    db.session.commit()
    client = login(committee)
    r = client.post(
        f"/committee/rounds/{open_round.id}/results/weights",
        data={f"weight_{desk.id}": "50", f"weight_{field.id}": "50"},
    )
    assert r.status_code == 302
    page = client.get(f"/committee/rounds/{open_round.id}/results/final")
    assert page.status_code == 200 and "Gabungan" not in page.text  # nothing ranked yet
    # Clearing every field removes the combination.
    r = client.post(
        f"/committee/rounds/{open_round.id}/results/weights",
        data={f"weight_{desk.id}": "", f"weight_{field.id}": ""},
    )
    assert r.status_code == 302 and combined.weights_of(open_round) is None


def test_demo_round_has_kipp_stage_weights(app, demo, login):
    from sqlalchemy import select

    from competition.accounts.models import User
    from competition.rounds.models import Round

    round_ = db.session.scalar(select(Round).where(Round.name == "KOINYANLIK 2026"))
    assert combined.weights_of(round_) == [40, 30, 30]
    panitia = db.session.scalar(select(User).where(User.role == "committee"))
    page = login(panitia).get(f"/committee/rounds/{round_.id}/results/final")
    assert page.status_code == 200
    assert "Tidak masuk peringkat akhir" in page.text  # nobody went through every stage yet
    # no ranges to explain yet: no card saying nothing between the weights and the tables
    assert not re.search(r'<div class="card">\s*</div>', page.text)
    assert re.search(
        r"Penilaian Proposal \(Desk Evaluation\)<br><small[^>]*>40%</small>", page.text
    )


def test_final_ranking_carries_ranges_that_hold_the_place(login, committee, three_judges):
    desk, field, entries = three_judges(CLOSE, CLOSE)
    ranking = combined.combined_ranking(desk.round)
    assert ranking.uncertainty.available
    (cat,) = ranking.categories
    assert [r.rank for r in cat.rows] == [1, 2, 3, 4, 5]
    for r in cat.rows:
        assert 1 <= r.rank_lo <= r.rank <= r.rank_hi <= 5
        assert 0.0 <= r.p_top <= 1.0
    # the three close entries share the top places, the two weak ones the last
    assert max(r.rank_hi for r in cat.rows[:3]) >= 2
    assert all(r.rank_lo >= 4 for r in cat.rows[3:])
    page = login(committee).get(f"/committee/rounds/{desk.round_id}/results/final").text
    assert "Kemungkinan peringkat" in page and "Peluang meraih peringkat pemenang adalah" in page
    assert "rentang selalu mencakup peringkat itu" in page
    assert "<svg" in page


def test_final_ranking_marks_awards_whose_order_is_undecided(login, committee, three_judges):
    """An undecided order does not read as decided on the final ranking: each entry that could
    still swap across an award cut says so, with the cut and its chance of being within it."""
    from judging.analysis.combined_publish import publish_risks

    desk, _field, _entries = three_judges(CLOSE, CLOSE)
    ranking = combined.combined_ranking(desk.round)
    risks = publish_risks(desk.round)
    assert risks.undecided  # the three close entries
    marked = {
        (r.entry.id, cut.place)
        for cat in ranking.categories
        for r in cat.rows
        for cut, _p in r.undecided
    }
    assert marked == {(e.id, cut.place) for e, cut, _p in risks.undecided}
    page = login(committee).get(f"/committee/rounds/{desk.round_id}/results/final").text
    assert page.count('<span class="badge">belum pasti</span>') == len(
        {e.id for e, _cut, _p in risks.undecided}
    )
    assert "“Belum pasti”: inovasi itu masih bisa bertukar tempat" in page
    assert "Terbaik I (peringkat 1): peluang masuk:" in page  # a one-place cut, in words


def test_opd_feedback_gives_the_range_in_the_combined_ranking(login, committee, three_judges):
    from judging.results import feedback

    desk, field, entries = three_judges(CLOSE, CLOSE)
    publication_service.publish_results(stage=field, actor=committee, now=utcnow())
    db.session.commit()
    fbs = feedback.feedback_for(entries[0])
    (fb,) = [f for f in fbs if f.stage.id == field.id]
    assert fb.place >= 1 and 1 <= fb.rank_lo <= fb.place <= fb.rank_hi <= 5
    # a sheet added after publication: the range would describe another ranking, none shown
    late = factories.make_user(role="judge", username="juri_baru")
    criteria = rubric_service.list_criteria(field)
    sheet_service.save_sheet(
        assignment=factories.make_assignment(field, entries[0], late),
        submit=True,
        actor=late,
        now=utcnow(),
        inputs={c.id: sheet_service.CriterionInput(5.0) for c in criteria},
    )
    db.session.commit()
    (fb,) = [f for f in feedback.feedback_for(entries[0]) if f.stage.id == field.id]
    assert (fb.rank_lo, fb.rank_hi) == (0, 0)
