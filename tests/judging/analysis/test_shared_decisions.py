"""The ranking page's Decided / Could still swap boxes from the shared cache
(``judging.analysis.uncertainty.decisions``): a fresh worker renders them without fitting and
without reading the posterior draws; a changed sheet, pass mark or cut decides anew; the cache
rows a page view stores outlive its transaction (a GET never commits); the stage's fingerprint
is one statement."""

import re

import pytest
from sqlalchemy import create_engine, delete, func, select, update

from competition.db import db, utcnow
from judging.analysis import services as analysis
from judging.analysis import shared_cache, stage_arrays, stage_data
from judging.analysis import uncertainty as unc_service
from judging.analysis.models import RankingCache, UncertaintyCache
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreSheet
from tests import factories
from tests.judging.analysis.conftest import forget_this_process
from tests.test_query_budget import count_queries

# Six entries, three judges who disagree: the places around the award cut (3) are close.
MARKS = {
    "Alpha": (8.0, 7.0, 8.5),
    "Beta": (7.0, 8.0, 7.0),
    "Gamma": (7.5, 6.5, 7.5),
    "Delta": (6.0, 7.0, 6.5),
    "Epsilon": (5.0, 6.5, 5.5),
    "Zeta": (4.0, 3.5, 5.0),
}


pytestmark = pytest.mark.usefixtures("cold_caches", "fewer_sweeps", "fits_once")


@pytest.fixture
def stage(app, committee, open_round):
    stage = factories.make_stage(open_round, criteria=[("Mutu", 100)])
    stage.pass_mark = 6.5
    judges = [factories.make_user(role="judge", username=f"juri{j}") for j in range(3)]
    criterion = rubric_service.list_criteria(stage)[0]
    for title, marks in MARKS.items():
        opd = factories.make_opd_user(f"OPD {title}", username=title.lower())
        entry = factories.make_entry(open_round, opd, title=title)
        for judge, mark in zip(judges, marks):
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={criterion.id: sheet_service.CriterionInput(mark)},
            )
    db.session.commit()
    return stage


def _boxes(html: str) -> list[str]:
    return re.findall(r'<div class="decided-box">.*?</div>', html, re.S)


def _summary(html: str) -> str:
    return re.search(r'<div class="uncertainty-summary">.*?<form', html, re.S)[0]


def _refuse(*args, **kw):
    raise AssertionError("computed again instead of read from the shared cache")


def _rows(kind: str, stage_id: int) -> int:
    return db.session.scalar(
        select(func.count(RankingCache.id)).where(
            RankingCache.stage_id == stage_id, RankingCache.kind == kind
        )
    )


def test_another_worker_renders_the_decisions_without_fitting_or_deciding(
    make_app, app, login, committee, stage, monkeypatch
):
    url = f"/committee/stages/{stage.id}/ranking"
    first = login(committee).get(url)
    assert first.status_code == 200
    boxes = _boxes(first.text)
    assert boxes and "masih bisa bertukar:" in boxes[0]  # some entries could still swap
    dec = unc_service.decisions(
        unc_service.stage_uncertainty(stage),
        unc_service.cuts_of(stage, stage_data.load_stage(stage)),
    )
    assert dec.undecided.any()  # the boxes name entries that could still swap
    db.session.rollback()  # what the end of a request does: the cache rows stay
    assert _rows("decisions", stage.id) == 1

    draws = unc_service._draws_digest(unc_service.stage_uncertainty(stage).digest)
    # another worker (its own engine and sessions, the same database and settings)
    other = make_app(UNCERTAINTY_SWEEPS=app.config["UNCERTAINTY_SWEEPS"])
    forget_this_process()
    monkeypatch.setattr(unc_service, "_fit", _refuse)
    monkeypatch.setattr(unc_service, "boundary_decisions", _refuse)
    monkeypatch.setattr(stage_data, "normalize", _refuse)
    monkeypatch.setattr(analysis, "_compute_core", _refuse)
    # the posterior draws (20 MB on a national stage) are not even read
    real_read = shared_cache.read
    monkeypatch.setattr(
        shared_cache,
        "read",
        lambda model, digest: _refuse() if digest == draws else real_read(model, digest),
    )
    with other.app_context():
        again = other.test_client(user=committee).get(url)
    assert again.status_code == 200
    assert _boxes(again.text) == boxes
    assert _summary(again.text) == _summary(first.text)


def test_a_changed_sheet_decides_anew(app, login, committee, stage, monkeypatch):
    url = f"/committee/stages/{stage.id}/ranking"
    client = login(committee)
    before = _boxes(client.get(url).text)
    calls = []
    real = unc_service.boundary_decisions
    monkeypatch.setattr(
        unc_service, "boundary_decisions", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    assert _boxes(client.get(url).text) == before and calls == []  # this process's memo
    forget_this_process()
    assert _boxes(client.get(url).text) == before and calls == []  # the shared cache
    sheet = db.session.scalar(
        select(ScoreSheet)
        .join(Assignment, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.stage_id == stage.id, ScoreSheet.total == 4)
    )  # Zeta's first judge
    db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet.id).values(total=9.5))
    db.session.commit()  # as another server would, in plain SQL
    after = _boxes(client.get(url).text)
    assert len(calls) == 1 and after != before
    assert _rows("decisions", stage.id) == 2  # the old input's decisions beside the new


def test_a_changed_pass_mark_decides_anew(app, login, committee, stage, monkeypatch):
    url = f"/committee/stages/{stage.id}/ranking"
    client = login(committee)
    assert "Nilai ambang 6,5" in client.get(url).text
    calls = []
    real = unc_service.boundary_decisions
    monkeypatch.setattr(
        unc_service, "boundary_decisions", lambda *a, **k: calls.append(k) or real(*a, **k)
    )
    stage.pass_mark = None
    db.session.commit()
    page = client.get(url).text
    assert calls and calls[0]["pass_mark"] is None
    assert "Nilai ambang" not in page and _boxes(page)


def test_decisions_read_back_are_the_decisions(app, stage):
    unc = unc_service.stage_uncertainty(stage)
    cuts = [unc_service.Cut(3, "award"), unc_service.Cut(5, "level", "Top 5")]
    dec = unc_service.decisions(unc, cuts)
    back = unc_service._load_decisions(unc_service._dump_decisions(dec))
    assert [b.place for b in back.boundaries] == [3, 5]
    for got, want in zip(back.boundaries, dec.boundaries):
        assert got.n_undecided == want.n_undecided
        for name in ("p_in", "decided_in", "decided_out", "undecided"):
            assert (getattr(got, name) == getattr(want, name)).all() or (
                name == "p_in"
                and ((got.p_in == want.p_in) | (got.p_in != got.p_in)).all()  # NaN: unranked
            )
    assert (back.p_pass == dec.p_pass).all() and (back.pass_decided == dec.pass_decided).all()
    assert (back.undecided == dec.undecided).all()


def test_a_page_view_keeps_its_cache_rows_without_committing(app, login, committee, stage):
    """A GET never commits (its transaction is rolled back at the end of the request): the
    rows it stored are committed on their own, on SQLite and PostgreSQL alike, and seen from
    another connection at once. (On SQLite this held before too, by a detail of pysqlite: a
    read opens no transaction, so the savepoint the rows were written in was the outermost
    and committed on release; the rows now take a connection of their own.)"""
    db.session.execute(delete(RankingCache))
    db.session.execute(delete(UncertaintyCache))
    db.session.commit()
    assert login(committee).get(f"/committee/stages/{stage.id}/ranking").status_code == 200
    engine = create_engine(db.engine.url)  # another process's connection
    try:
        with engine.connect() as conn:
            kinds = sorted(conn.scalars(select(RankingCache.kind)))
            fits = conn.scalar(select(func.count(UncertaintyCache.id)))
    finally:
        engine.dispose()
    # the judge model's decisions and draws; the method's fit and the raw mean's; the ranking
    assert kinds == ["decisions", "draws", "fit", "fit", "ranking"] and fits == 1
    db.session.rollback()
    assert shared_cache.count(RankingCache, stage.id) == 5


def test_a_result_stored_twice_is_kept_once(app, stage):
    """Two workers storing the same result (the second finds the digest taken): no error, the
    first row stays."""
    for data in (b"first", b"second"):
        shared_cache.write(
            RankingCache,
            stage_id=stage.id,
            digest="same",
            data=data,
            per_stage=4,
            total=8,
            kind="fit",
        )
    assert shared_cache.read(RankingCache, "same") == b"first"
    assert shared_cache.count(RankingCache, stage.id) == 1


def test_a_failed_cache_write_never_fails_the_page(app, login, committee, stage, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*args, **kw):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(shared_cache, "_store_rows", locked)
    page = login(committee).get(f"/committee/stages/{stage.id}/ranking")
    assert page.status_code == 200 and _boxes(page.text)
    assert shared_cache.count(RankingCache) == 0


def test_the_stage_fingerprint_is_one_statement(app, login, committee, stage):
    stage_arrays.stage_fingerprint(stage)  # the stage and its round loaded
    with count_queries() as statements:
        fingerprint = stage_arrays.stage_fingerprint(stage)
    assert len(statements) == 1
    data = stage_data.load_stage(stage)
    assert (data.sheets_submitted, data.sheets_expected) == (18, 18)
    assert fingerprint[-3:] == (stage.scale_min, stage.scale_max, stage.method)
    client = login(committee)
    client.get(f"/committee/stages/{stage.id}/ranking")
    with count_queries() as statements:
        assert client.get(f"/committee/stages/{stage.id}/ranking").status_code == 200
    # a warm view: one fingerprint, no count of the stage's sheets beside it
    fingerprints = [s for s in statements if "score_sheets" in s]
    assert len(fingerprints) == 1, fingerprints


def test_a_result_stored_by_two_workers_at_once_is_kept_once(app, stage):
    """Another worker is storing the same result (its insert not yet committed): this one's
    write waits for it, then does nothing; neither fails."""
    import threading

    from sqlalchemy import insert

    other = db.engine.connect()
    transaction = other.begin()
    other.execute(
        insert(RankingCache).values(
            stage_id=stage.id, digest="both", data=b"theirs", created_at=utcnow(), kind="fit"
        )
    )
    done, errors = threading.Event(), []

    def store():
        try:
            with app.app_context():
                shared_cache.write(
                    RankingCache,
                    stage_id=stage.id,
                    digest="both",
                    data=b"ours",
                    per_stage=4,
                    total=8,
                    kind="fit",
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=store)
    thread.start()
    assert not done.wait(0.3)  # waiting for the other worker's transaction
    transaction.commit()
    other.close()
    thread.join(10)
    assert done.is_set() and errors == []
    assert shared_cache.read(RankingCache, "both") == b"theirs"
    assert shared_cache.count(RankingCache, stage.id) == 1
