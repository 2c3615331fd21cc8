"""Ranking uncertainty, method comparison and judge diagnostics pages, on a stage where a
harsh judge (3 points below the others) scored the best entry."""

import pytest
from sqlalchemy import delete

from competition.db import db
from competition.rounds.models import Stage
from judging.analysis import judge_report
from judging.analysis import services as analysis
from judging.analysis.models import RankingCache
from judging.normalize import DEFAULT_METHOD
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories
from tests.judging.analysis.conftest import score_by_panels

QUALITY = {"Alpha": 8.0, "Beta": 7.5, "Gamma": 6.0, "Delta": 5.0}
PANELS = {"Alpha": [0, 2], "Beta": [0, 1], "Gamma": [1, 2], "Delta": [0, 1]}
OFFSET = [0.0, 0.0, -3.0]


@pytest.fixture
def scored_stage(app, committee, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        return score_by_panels(
            open_round,
            quality=QUALITY,
            panels=PANELS,
            offset=OFFSET,
            judge_names=["Juri Netral", "Juri Biasa", "Juri Ketat"],
        )

    return cached_data(build)


def test_first_score_records_the_default_method(scored_stage):
    assert db.session.get(Stage, scored_stage.id).method == DEFAULT_METHOD


def test_ranking_corrects_the_harsh_judge(scored_stage):
    ranking = analysis.compute_ranking(scored_stage)
    order = [r.entry.title for r in ranking.categories[0].rows]
    assert order == ["Alpha", "Beta", "Gamma", "Delta"]
    raw = analysis.compute_ranking(scored_stage, "raw")
    assert [r.entry.title for r in raw.categories[0].rows] == ["Beta", "Alpha", "Delta", "Gamma"]
    for row in ranking.categories[0].rows:
        assert 1 <= row.rank_lo <= row.rank <= row.rank_hi <= 4
        assert 0.0 <= row.p_top <= 1.0


def test_compare_page_explains_who_moved_and_why(login, committee, scored_stage):
    page = login(committee).get(f"/committee/stages/{scored_stage.id}/compare").text
    assert "Dinilai oleh juri yang ketat: Juri Ketat" in page
    assert page.index("Alpha") < page.index("Beta")
    # a row that keeps its place says so (an empty "Why it moves" cell read as missing)
    moved = page.count('<tr class="moved">')
    assert moved and page.count("tempat sama dengan rata-rata mentah") == 4 - moved
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/committee/stages/{scored_stage.id}/compare").text
    assert page.count("same place as with the raw mean") == 4 - moved


def test_compare_page_shows_the_first_places_of_a_long_category(
    login, committee, scored_stage, monkeypatch
):
    from judging.analysis import views

    monkeypatch.setattr(views, "COMPARE_ROWS", 2)
    client = login(committee)
    page = client.get(f"/committee/stages/{scored_stage.id}/compare").text
    assert "Alpha" in page and "Beta" in page and "Gamma" not in page and "Delta" not in page
    assert "Menampilkan 2 pertama dari 4 inovasi. Tampilkan semua" in page
    full = client.get(f"/committee/stages/{scored_stage.id}/compare?all=1").text
    assert "Gamma" in full and "Delta" in full and "Menampilkan" not in full


def test_judges_page_flags_offsets_with_a_chart(login, committee, scored_stage):
    page = login(committee).get(f"/committee/stages/{scored_stage.id}/judges").text
    assert page.count("<svg") == 3
    assert "Juri Ketat" in page and "-2.00" in page.replace("−", "-").replace(",", ".")


def test_ranking_page_shows_uncertainty(login, committee, scored_stage):
    page = login(committee).get(f"/committee/stages/{scored_stage.id}/ranking").text
    assert "Kemungkinan peringkat" in page and "<svg" in page
    other = login(committee).get(f"/committee/stages/{scored_stage.id}/ranking?method=raw").text
    assert other.index("Beta") < other.index("Alpha")


def test_method_is_frozen_after_first_score(login, committee, scored_stage):
    response = login(committee).post(
        f"/committee/stages/{scored_stage.id}/method",
        data={"method": "zscore"},
        follow_redirects=True,
    )
    assert "Metode hanya dapat diubah sebelum nilai pertama masuk." in response.text
    assert db.session.get(Stage, scored_stage.id).method == DEFAULT_METHOD


def test_method_can_be_chosen_before_scoring(login, committee, open_round):
    stage = factories.make_stage(open_round)
    db.session.commit()
    login(committee).post(f"/committee/stages/{stage.id}/method", data={"method": "bias"})
    assert db.session.get(Stage, stage.id).method == "bias"
    assert db.session.query(ScoreSheet).filter_by(status=SheetStatus.SUBMITTED).count() == 0


def test_ranking_page_says_when_the_judge_model_did_not_settle(
    login, committee, scored_stage, monkeypatch
):
    import dataclasses

    from judging.analysis import ranking_cache, stage_arrays, stage_data

    url = f"/committee/stages/{scored_stage.id}/ranking"
    assert "Model juri tidak stabil" not in login(committee).get(url).text
    fit = stage_data.StageData.normalize
    monkeypatch.setattr(
        stage_data.StageData,
        "normalize",
        lambda self, method: dataclasses.replace(fit(self, method), converged=False),
    )
    # the ranking (which carries the fit's "converged") is kept: a fresh worker, a fresh cache
    stage_arrays.clear_arrays_cache()
    ranking_cache._MEMO.clear()
    db.session.execute(delete(RankingCache))
    db.session.commit()
    assert "Model juri tidak stabil" in login(committee).get(url).text


def test_judges_page_is_paged_and_filtered(login, committee, scored_stage):
    client = login(committee)
    url = f"/committee/stages/{scored_stage.id}/judges"
    first = client.get(f"{url}?per_page=2").text
    # Most harsh first: the harsh judge leads; two cards (two charts), a link to page 2.
    assert first.count("<svg") == 2 and first.index("Juri Ketat") < first.index("Juri B")
    assert f'href="{url}?per_page=2&amp;page=2"' in first
    assert "Halaman 1 dari 2" in first
    second = client.get(f"{url}?per_page=2&page=2").text
    assert second.count("<svg") == 1 and "Juri Ketat" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # The figures of a judge do not depend on the page the judge is shown on.
    alone = client.get(f"{url}?q=ketat").text
    assert alone.count("<svg") == 1 and "-2.00" in alone.replace("−", "-").replace(",", ".")
    assert client.get(f"{url}?q=tidak-ada").text.count("<svg") == 0
    report = judge_report.judge_report(scored_stage, flagged_only=True)
    assert all(r.flags for r in report.rows) and report.page.total == len(report.rows)
