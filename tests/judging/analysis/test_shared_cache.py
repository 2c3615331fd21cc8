"""The shared cache of computed rankings (``judging.analysis.shared_cache``): a stage's fits,
point ranking and uncertainty are computed once and read by every worker of every server (here:
a second app on the same database, with this process's caches emptied); several stages and
methods live side by side; a changed sheet is never served an old result; the rows are
bounded and pruned by age."""

import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select, update

from competition.db import db, utcnow
from judging import ranking
from judging.analysis import ranking_cache, shared_cache, stage_data
from judging.analysis import services as analysis
from judging.analysis import uncertainty as unc_service
from judging.analysis.models import RankingCache, UncertaintyCache
from judging.panels.models import Assignment
from judging.scoring.models import ScoreSheet
from tests import factories
from tests.judging.analysis.conftest import forget_this_process
from tests.judging.analysis.test_stage_cache import _page_rows, _score

pytestmark = pytest.mark.usefixtures("cold_caches", "fewer_sweeps", "fits_once")


def _stage(round_, judges, marks, *, method="bias_scale"):
    """A stage of four entries, each scored by the same three judges (``marks[i]`` for the
    i-th entry, plus half a point per judge)."""
    stage = factories.make_stage(round_, criteria=[("Mutu", 100)], method=method)
    for i, mark in enumerate(marks):
        opd = factories.make_opd_user(f"OPD {stage.id}-{i}", username=f"opd{stage.id}x{i}")
        entry = factories.make_entry(round_, opd, title=f"Inovasi {stage.id}-{i}")
        for j, judge in enumerate(judges):
            _score(factories.make_assignment(stage, entry, judge), judge, [mark + j * 0.5])
    return stage


@pytest.fixture
def two_stages(app, committee, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(3)]
        desk = _stage(open_round, judges, [9.0, 7.0, 5.0, 3.0])
        field = _stage(open_round, judges, [4.0, 8.0, 6.0, 2.0])
        db.session.commit()
        return desk, field

    return cached_data(build)


def _ranking_tables(html: str) -> list[str]:
    tables = re.findall(r'<table class="ranking">.*?</table>', html, re.S)
    assert tables
    return tables


def _no_computing(monkeypatch):
    """Fail the test if anything is fitted, ranked or resampled in this process."""

    def refuse(*args, **kw):
        raise AssertionError("computed again instead of read from the shared cache")

    monkeypatch.setattr(stage_data, "normalize", refuse)
    monkeypatch.setattr(analysis, "_compute_core", refuse)
    monkeypatch.setattr(analysis, "bootstrap_ranks", refuse)
    monkeypatch.setattr(unc_service, "_fit", refuse)


def test_another_worker_reads_the_ranking_without_computing_it(
    make_app, app, login, committee, two_stages, monkeypatch
):
    desk, field = two_stages
    results = f"/committee/rounds/{desk.round_id}/results"
    first = login(committee).get(results)
    assert first.status_code == 200
    first_rows = {s.id: _page_rows(login(committee), s) for s in two_stages}
    db.session.rollback()  # as at the end of a request: the cache rows were committed apart
    assert shared_cache.count(RankingCache, desk.id) and shared_cache.count(RankingCache, field.id)
    assert shared_cache.count(UncertaintyCache) == 2

    # another worker (its own engine and sessions, the same database and settings)
    other = make_app(UNCERTAINTY_SWEEPS=app.config["UNCERTAINTY_SWEEPS"])
    forget_this_process()
    _no_computing(monkeypatch)
    with other.app_context():
        client = other.test_client(user=committee)
        again = client.get(results)
        assert again.status_code == 200
        assert _ranking_tables(again.text) == _ranking_tables(first.text)
        for stage in two_stages:
            assert _page_rows(client, stage) == first_rows[stage.id]


def test_a_fit_read_back_is_the_fit(app, two_stages):
    desk, _ = two_stages
    data = stage_data.load_stage(desk)
    fit = data.normalize("bias_scale")
    back = ranking_cache._load_fit(ranking_cache._dump_fit(fit))
    for name in ("entry_score", "entry_se", "n_sheets", "sheet_score", "sheet_weight"):
        np.testing.assert_array_equal(getattr(back, name), getattr(fit, name))
    np.testing.assert_array_equal(back.judge_offset, fit.judge_offset)
    assert (back.warning, back.n_components, back.converged) == (
        fit.warning,
        fit.n_components,
        fit.converged,
    )
    np.testing.assert_array_equal(back.component, fit.component)


def test_stages_and_methods_keep_their_results_side_by_side(
    app, login, committee, two_stages, monkeypatch
):
    desk, field = two_stages
    client = login(committee)
    for method in ("raw", "bias_scale"):  # the ranking page's "show with another method"
        for stage in two_stages:
            assert (
                client.get(f"/committee/stages/{stage.id}/ranking?method={method}").status_code
                == 200
            )
    db.session.commit()
    kinds = {
        stage.id: sorted(
            db.session.scalars(select(RankingCache.kind).where(RankingCache.stage_id == stage.id))
        )
        for stage in two_stages
    }
    # each stage keeps both methods' fits and rankings, its judge model's draws and the
    # decisions at its cuts (the same whatever method the page shows)
    assert (
        kinds[desk.id]
        == kinds[field.id]
        == ["decisions", "draws", "fit", "fit", "ranking", "ranking"]
    )
    forget_this_process()
    _no_computing(monkeypatch)
    for method in ("raw", "bias_scale"):
        for stage in two_stages:
            assert (
                client.get(f"/committee/stages/{stage.id}/ranking?method={method}").status_code
                == 200
            )


def test_a_changed_sheet_is_ranked_anew(app, login, committee, two_stages, monkeypatch):
    desk, field = two_stages
    client = login(committee)
    before = _page_rows(client, desk)
    field_rows = _page_rows(client, field)
    db.session.commit()
    sheet = db.session.scalar(
        select(ScoreSheet)
        .join(Assignment, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.stage_id == desk.id, ScoreSheet.total == 3)
    )  # the desk stage's last entry, its first judge
    db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet.id).values(total=9.9))
    db.session.commit()  # as another server would, in plain SQL
    forget_this_process()
    calls = []
    real = analysis._compute_core
    monkeypatch.setattr(analysis, "_compute_core", lambda *a: calls.append(a) or real(*a))
    after = _page_rows(client, desk)
    assert calls and after != before
    unchanged = len(calls)
    assert _page_rows(client, field) == field_rows  # the other stage's ranking still serves
    assert len(calls) == unchanged


def test_the_shared_cache_is_bounded_per_stage_and_in_all_and_pruned_by_age(app, two_stages):
    desk, field = two_stages
    write = shared_cache.write
    db.session.execute(delete(RankingCache))
    db.session.commit()
    for i in range(5):
        write(
            RankingCache,
            stage_id=desk.id,
            digest=f"d{i}",
            data=b"x",
            per_stage=3,
            total=9,
            kind="fit",
        )
    assert sorted(db.session.scalars(select(RankingCache.digest))) == ["d2", "d3", "d4"]
    for i in range(8):
        write(
            RankingCache,
            stage_id=field.id,
            digest=f"f{i}",
            data=b"x",
            per_stage=8,
            total=9,
            kind="fit",
        )
    assert shared_cache.count(RankingCache) == 9 and shared_cache.count(RankingCache, desk.id) == 1
    db.session.execute(
        update(RankingCache)
        .where(RankingCache.digest == "f7")
        .values(created_at=utcnow() - shared_cache.MAX_AGE - timedelta(days=1))
    )
    db.session.commit()
    write(
        RankingCache, stage_id=field.id, digest="new", data=b"x", per_stage=8, total=9, kind="fit"
    )
    assert "f7" not in set(db.session.scalars(select(RankingCache.digest)))
    assert shared_cache.read(RankingCache, "new") == b"x"
    assert shared_cache.read(RankingCache, "f7") is None


def test_pages_showing_ranges_read_no_draws(app, login, committee, two_stages, monkeypatch):
    """The uncertainty's posterior draws (nearly all its bytes) are kept apart: the results
    page, which shows each entry's range and chance, renders without them, and so does the
    ranking page while the decisions at its cuts (its boxes) are kept; deciding anew reads
    them, and fits again only if they were pruned."""
    desk, _field = two_stages
    client = login(committee)
    results = f"/committee/rounds/{desk.round_id}/results"
    ranking = f"/committee/stages/{desk.id}/ranking"
    first = client.get(results).text
    boxes = _boxes(client.get(ranking).text)
    db.session.execute(delete(RankingCache).where(RankingCache.kind == "draws"))
    db.session.commit()
    forget_this_process()
    fits = []
    real_fit = unc_service._fit
    monkeypatch.setattr(unc_service, "_fit", lambda *a: fits.append(a) or real_fit(*a))
    assert _ranking_tables(client.get(results).text) == _ranking_tables(first)
    assert fits == []
    assert _boxes(client.get(ranking).text) == boxes and fits == []  # the decisions kept
    db.session.execute(delete(RankingCache).where(RankingCache.kind == "decisions"))
    db.session.commit()
    forget_this_process()
    assert _boxes(client.get(ranking).text) == boxes
    assert len(fits) == 1  # deciding anew: the pruned draws, fitted again


def _boxes(html: str) -> list[str]:
    found = re.findall(r'<div class="decided-box">.*?</div>', html, re.S)
    assert found
    return found


def test_the_code_version_covers_every_core_module():
    """A change to any module of the numpy core (the per-method normalize_* modules and the
    ranking_* modules too) changes the key, so a deploy never reads a ranking the old code
    computed."""
    names = {path.name for path in shared_cache.core_sources()}
    core = Path(shared_cache.__file__).parents[1]
    assert {p.name for p in core.glob("normalize*.py")} <= names
    assert {p.name for p in core.glob("ranking*.py")} <= names
    assert "ranking_bootstrap.py" in names
    assert {"normalize.py", "normalize_bias_scale.py", "ranking.py", "uncertainty.py"} <= names
    assert all(path.is_file() for path in shared_cache.core_sources())


def test_the_sheets_read_as_typing_mistakes_survive_the_round_trip():
    """``sheet_blunder`` (and ``group_level``, from which a judge's expected total is read) are kept
    with the fit."""
    rng = np.random.default_rng(3)
    entry = np.repeat(np.arange(12), 3)
    judge = np.tile(np.arange(3), 12)
    score = 50.0 + 3.0 * entry + rng.normal(0.0, 1.0, entry.size)
    score[4] = round(score[4] / 10, 1)  # 5.x typed for 5x
    fit = ranking.rank_uncertainty(
        entry, judge, score, scale_min=1, scale_max=100, n_draws=300, seed=1
    )
    assert fit.sheet_blunder[4] > 0.9 and fit.blunder_rate > 0
    back = unc_service.load_ranking(unc_service.dump_ranking(fit))
    np.testing.assert_array_equal(back.sheet_blunder, fit.sheet_blunder)
    np.testing.assert_array_equal(back.group_level, fit.group_level)
    # the judge's line for the mistyped sheet: about the entry's honest score, not 6.x
    assert abs(float(back.expected_total([entry[4]], [judge[4]])[0]) - (50.0 + 3.0 * 1)) < 3.0
    assert back.blunder_rate == fit.blunder_rate
