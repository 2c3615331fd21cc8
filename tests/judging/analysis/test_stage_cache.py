"""The bridge's cache of a stage's arrays (``services.load_stage``): never stale, whoever
changed the sheets and how; the ranking page and the committee's results page read a stage's
arrays and rank it once per view, with a constant number of queries; the ranking page is
bounded (paged)."""

import re

import pytest
from sqlalchemy import event, func, select, text

from competition.accounts.models import Organisation, User
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.roles import Role
from judging.analysis import services as analysis
from judging.analysis import stage_arrays, stage_data
from judging.analysis import uncertainty as unc_service
from judging.normalize import DEFAULT_METHOD
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Criterion, Score, ScoreChange, ScoreSheet, SheetStatus
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

QUALITY = {"Alpha": 9.0, "Beta": 7.0, "Gamma": 5.0, "Delta": 3.0}


@pytest.fixture(autouse=True)
def _cold_caches():
    stage_arrays.clear_arrays_cache()
    unc_service._CACHE.clear()
    yield
    stage_arrays.clear_arrays_cache()
    unc_service._CACHE.clear()


def _score(assignment, judge, values, *, submit=True):
    stage = assignment.stage
    criteria = rubric_service.list_criteria(stage)
    return sheet_service.save_sheet(
        assignment=assignment,
        submit=submit,
        actor=judge,
        now=utcnow(),
        inputs={c.id: sheet_service.CriterionInput(v) for c, v in zip(criteria, values)},
    )


def _scored_in_bulk(stage, judges, count, value):
    """``count`` entries in turn in the round's categories, each of its own OPD, submitted, and
    scored by every judge on the stage's one criterion (``value(i, j)``): the rows that
    ``make_opd_user``, ``make_entry``, ``make_assignment`` and ``_score`` leave, added in a few
    flushes (one by one, 240 entries took three quarters of the test's time)."""
    round_ = stage.round
    categories = list(round_.categories)
    (criterion,) = rubric_service.list_criteria(stage)
    stage.method = DEFAULT_METHOD  # as the first saved sheet sets it
    opds = []
    for i in range(count):
        org = Organisation(name=f"Dinas {i}")
        user = User(username=f"dinas{i}", name=f"Admin Dinas {i}", role=Role.OPD, organisation=org)
        user.set_password(factories.PASSWORD)
        opds.append(user)
    db.session.add_all(opds)
    db.session.flush()
    entries = [
        factories.new_entry(round_, opd, title=f"Inovasi {i:03d}", category=categories[i % 3])
        for i, opd in enumerate(opds)
    ]
    db.session.flush()
    for entry in entries:
        factories.add_sk(entry)
    now = utcnow()
    for i, entry in enumerate(entries):
        for j, judge in enumerate(judges):
            v = value(i, j)
            sheet = ScoreSheet(
                assignment=Assignment(stage_id=stage.id, entry_id=entry.id, judge_id=judge.id),
                status=SheetStatus.SUBMITTED,
                total=sheet_service.weighted_total([criterion], {criterion.id: v}),
                submitted_at=now,
                updated_at=now,
            )
            sheet.scores.append(Score(criterion=criterion, value=v, comment=""))
            sheet.changes.append(
                ScoreChange(
                    criterion_id=criterion.id,
                    changed_by_id=judge.id,
                    changed_at=now,
                    old_value=None,
                    new_value=v,
                    comment_changed=False,
                )
            )
            sheet.changes.append(
                ScoreChange(event="submitted", changed_by_id=judge.id, changed_at=now)
            )
            db.session.add(sheet)
    db.session.flush()
    return entries


@pytest.fixture
def world(app, committee, open_round, cached_data):
    """Four entries of distinct quality, each scored by the same three judges; ranked by the
    raw mean (the page's order is then the order of the means)."""

    def build():
        stage = factories.make_stage(open_round, criteria=[("Mutu", 100)], method="raw")
        judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(3)]
        for title, quality in QUALITY.items():
            opd = factories.make_opd_user(f"OPD {title}", username=title.lower())
            entry = factories.make_entry(open_round, opd, title=title)
            for j, judge in enumerate(judges):
                _score(factories.make_assignment(stage, entry, judge), judge, [quality + j * 0.5])
        db.session.commit()
        return stage, judges

    return cached_data(build)


def _page_rows(client, stage) -> list[tuple[str, str, str]]:
    """(title, score, raw mean) of each row of the ranking page, in the page's order."""
    html = client.get(f"/committee/stages/{stage.id}/ranking").get_data(as_text=True)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for row in body.split('<tr class="rank-')[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        title = cells[1].split("<br>")[0].strip()
        score = re.sub(r"<.*", "", cells[2], flags=re.S).strip()
        rows.append((title, score, cells[4].strip()))
    return rows


def _expected_raw_means(stage) -> dict[str, str]:
    """Each entry's mean sheet total, straight from the database, as the page prints it."""
    found = db.session.execute(
        select(Entry.title, func.avg(ScoreSheet.total))
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.stage_id == stage.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .group_by(Entry.title)
    ).all()
    return {title: f"{float(mean):.2f}".replace(".", ",") for title, mean in found}


def _sheet(stage, title, judge) -> ScoreSheet:
    return db.session.scalar(
        select(ScoreSheet)
        .join(Assignment)
        .join(Entry, Entry.id == Assignment.entry_id)
        .where(
            Assignment.stage_id == stage.id, Entry.title == title, Assignment.judge_id == judge.id
        )
    )


def _assert_fresh(client, stage):
    rows = _page_rows(client, stage)
    assert {t: raw for t, _s, raw in rows} == _expected_raw_means(stage)
    return [t for t, _s, _r in rows]


def test_load_stage_reads_rows_once_while_the_sheets_do_not_change(world):
    stage, _ = world
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = stage_data.load_stage(stage)
        n_first = len(statements)
        statements.clear()
        second = stage_data.load_stage(stage)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert n_first >= 3  # the fingerprint, the entries, the sheets
    assert len(statements) == 1  # the fingerprint only
    assert second.entry_ids is first.entry_ids and second.total is first.total
    assert not second.total.flags.writeable  # shared arrays cannot be changed by a caller
    assert second.stage is stage and second.memo is first.memo


def test_ranking_is_never_stale_after_a_sheet_is_submitted_edited_or_reopened(
    app, login, committee, world
):
    stage, judges = world
    client = login(committee)
    assert _assert_fresh(client, stage) == ["Alpha", "Beta", "Gamma", "Delta"]
    # a fourth judge submits a sheet: Delta rises above Gamma
    extra = factories.make_user(role="judge", username="j9")
    delta = db.session.scalar(select(Entry).where(Entry.title == "Delta"))
    _score(factories.make_assignment(stage, delta, extra), extra, [10.0])
    db.session.commit()
    assert _assert_fresh(client, stage)[:2] == ["Alpha", "Beta"]
    # a submitted sheet is reopened: it no longer counts
    sheet = _sheet(stage, "Alpha", judges[0])
    sheet_service.reopen_sheet(sheet=sheet, reason="Salah ketik", actor=committee, now=utcnow())
    db.session.commit()
    _assert_fresh(client, stage)
    assert "12 dari 13 lembar" in client.get(f"/committee/stages/{stage.id}/ranking").text
    # ...and edited and submitted again, far lower: Alpha falls below Beta
    _score(sheet.assignment, judges[0], [1.0])
    db.session.commit()
    assert _assert_fresh(client, stage).index("Beta") < _assert_fresh(client, stage).index("Alpha")


def test_ranking_is_never_stale_after_another_server_changes_totals_in_sql(
    app, login, committee, world
):
    """A change made outside this process's session (another worker, another server, a
    repair in SQL without the ORM's version bump) is seen on the next view."""
    stage, judges = world
    client = login(committee)
    _assert_fresh(client, stage)
    sheet_id = _sheet(stage, "Delta", judges[1]).id
    with db.engine.begin() as conn:  # its own connection and transaction
        conn.execute(text("UPDATE score_sheets SET total = 10 WHERE id = :id"), {"id": sheet_id})
    db.session.expire_all()
    _assert_fresh(client, stage)


def test_ranking_follows_a_changed_criterion_weight(app, login, committee, open_round):
    """Two entries tie on every total; the heaviest criterion breaks the tie. Moving the weight
    to the other criterion turns the order around on the next view."""
    stage = factories.make_stage(open_round, criteria=[("Dampak", 50), ("Keberlanjutan", 50)])
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(2)]
    for title, values in (("Sungai", [9.0, 7.0]), ("Gunung", [7.0, 9.0])):
        opd = factories.make_opd_user(f"OPD {title}", username=title.lower())
        entry = factories.make_entry(open_round, opd, title=title)
        for judge in judges:
            _score(factories.make_assignment(stage, entry, judge), judge, values)
    db.session.commit()
    client = login(committee)
    assert [t for t, _s, _r in _page_rows(client, stage)] == ["Sungai", "Gunung"]
    first, second = rubric_service.list_criteria(stage)
    first.weight, second.weight = 40, 60  # a repair of the rubric: totals stay as stored
    db.session.commit()
    assert [t for t, _s, _r in _page_rows(client, stage)] == ["Gunung", "Sungai"]
    assert db.session.scalar(select(func.count(Criterion.id))) == 2


def test_ranking_follows_a_changed_method(app, login, committee, world):
    stage, _ = world
    client = login(committee)
    assert all(score == raw for _t, score, raw in _page_rows(client, stage))
    stage.method = "zscore"
    db.session.commit()
    assert all(score != raw for _t, score, raw in _page_rows(client, stage))
    assert (
        "<strong>Rata-rata mentah</strong>"
        not in client.get(f"/committee/stages/{stage.id}/ranking").text
    )
    stage.method = "raw"
    db.session.commit()
    assert all(score == raw for _t, score, raw in _page_rows(client, stage))


@pytest.mark.parametrize(
    "url", ["/committee/stages/{stage}/ranking", "/committee/rounds/{round}/results"]
)
def test_a_view_loads_and_ranks_each_stage_once(app, login, committee, world, monkeypatch, url):
    stage, _ = world
    calls = {"load": 0, "rank": 0}
    real_load, real_rank = stage_data.load_stage, analysis.rank_arrays

    def load(*args, **kw):
        calls["load"] += 1
        return real_load(*args, **kw)

    def rank(*args, **kw):
        calls["rank"] += 1
        return real_rank(*args, **kw)

    # every name the pages call it by: its module (the analysis views), the ranking's
    # (rank_arrays, the results page) and the uncertainty's own
    monkeypatch.setattr(stage_data, "load_stage", load)
    monkeypatch.setattr(analysis, "load_stage", load)
    monkeypatch.setattr(unc_service, "load_stage", load)
    monkeypatch.setattr(analysis, "rank_arrays", rank)
    page = login(committee).get(url.format(stage=stage.id, round=stage.round_id))
    assert page.status_code == 200
    assert calls == {"load": 1, "rank": 1}


def test_ranking_page_queries_do_not_grow_with_the_stage(app, login, committee, world):
    stage, judges = world
    client = login(committee)
    url = f"/committee/stages/{stage.id}/ranking"

    def count():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        client.get(url)  # the cache and the shared fit are warm
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    small = count()
    for i in range(12):
        opd = factories.make_opd_user(f"OPD {i}", username=f"opd{i}")
        entry = factories.make_entry(stage.round, opd, title=f"Inovasi {i}")
        for j, judge in enumerate(judges):
            _score(factories.make_assignment(stage, entry, judge), judge, [2.0 + i % 7 + 0.5 * j])
    db.session.commit()
    assert count() == small


def test_ranking_page_is_bounded_for_a_large_stage(app, login, committee, open_round):
    """A stage of 240 entries in three categories: the page shows 50 rows and stays small;
    the pages, a category and the download link are there."""
    from competition.rounds.models import Category

    app.config["UNCERTAINTY_SWEEPS"] = 200  # the paging is checked, not the intervals

    for name in ("Kabupaten", "Kota"):
        db.session.add(Category(round=open_round, name=name))
    db.session.flush()
    categories = list(open_round.categories)
    stage = factories.make_stage(open_round, criteria=[("Mutu", 100)])
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(2)]
    _scored_in_bulk(stage, judges, 240, lambda i, j: 1.0 + (i * 7 + j) % 10)
    db.session.commit()
    client = login(committee)
    url = f"/committee/stages/{stage.id}/ranking"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert html.count('class="rank-') == 50
    assert len(page.data) < 120_000
    assert "Halaman 1 dari 5" in html and f"{url}?page=2" in html
    assert f"{url}?page=3" not in html  # the next page only
    for c in categories:
        assert f"category={c.id}" in html
    last = client.get(f"{url}?page=5").get_data(as_text=True)
    assert last.count('class="rank-') == 40 and f"{url}?page=4" in last
    # a page past the end shows the last one; one category is paged on its own
    assert client.get(f"{url}?page=99").get_data(as_text=True).count('class="rank-') == 40
    one = client.get(f"{url}?category={categories[1].id}").get_data(as_text=True)
    assert one.count('class="rank-') == 50 and "Halaman 1 dari 2" in one
    xlsx = client.get(f"/committee/stages/{stage.id}/ranking.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    csv = client.get(f"/committee/stages/{stage.id}/ranking.csv").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert len(lines) == 241 and lines[0].lstrip("\ufeff").startswith("Kategori,Peringkat")


def test_uncertainty_sweeps_setting_sets_the_draws_and_the_cache_key(app, committee, open_round):
    """``JURI_UNCERTAINTY_SWEEPS`` (tests that check only a page's structure set it low): the
    fit saves that many draws, and a fit of another count is not served from the cache."""
    from competition.rounds.models import Category

    for name in ("Kabupaten", "Kota"):  # three categories, as _scored_in_bulk takes
        db.session.add(Category(round=open_round, name=name))
    db.session.flush()
    stage = factories.make_stage(open_round, criteria=[("Mutu", 100)])
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(2)]
    _scored_in_bulk(stage, judges, 6, lambda i, j: 1.0 + (i * 3 + j) % 10)
    db.session.commit()
    app.config["UNCERTAINTY_SWEEPS"] = 120
    few = unc_service.stage_uncertainty(stage)
    assert few.result.score_draws.shape[0] == 120
    app.config["UNCERTAINTY_SWEEPS"] = None  # the default: default_sweeps of the stage's size
    default = unc_service.stage_uncertainty(stage)
    assert default.result.score_draws.shape[0] == 1600
    app.config["UNCERTAINTY_SWEEPS"] = 120
    assert unc_service.stage_uncertainty(stage).result is few.result  # from the cache
