"""Automatic assignment through the committee's pages: preview, confirm, re-run, manual
changes and a judge's withdrawal."""

import numpy as np
from sqlalchemy import func, select

from competition.db import db
from judging.normalize import judge_graph_components
from judging.panels import assignment as assignment_service
from judging.panels.models import Assignment, Conflict
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories


def _rows():
    return [
        tuple(r)
        for r in db.session.execute(
            select(Assignment.entry_id, Assignment.judge_id).order_by(Assignment.id)
        )
    ]


def _check(entries, judges, k, forbidden):
    rows = _rows()
    per_entry = {e.id: sum(1 for eid, _ in rows if eid == e.id) for e in entries}
    assert set(per_entry.values()) == {k}
    assert not set(rows) & forbidden
    loads = [sum(1 for _, jid in rows if jid == j.id) for j in judges]
    assert max(loads) - min(loads) <= 1
    e_idx = np.array([eid for eid, _ in rows])
    j_idx = np.array([jid for _, jid in rows])
    _, _, n_components = judge_graph_components(
        np.unique(e_idx, return_inverse=True)[1], np.unique(j_idx, return_inverse=True)[1]
    )
    assert n_components == 1
    return rows


def _competition(open_round, n_entries=12, n_judges=6):
    opds = [factories.make_opd_user(f"OPD {i}", username=f"opd{i}") for i in range(n_entries)]
    entries = [
        factories.make_entry(open_round, u, title=f"Inovasi {i}") for i, u in enumerate(opds)
    ]
    judges = [
        factories.make_user(role="judge", username=f"j{i}", name=f"Juri {i}")
        for i in range(n_judges)
    ]
    # Conflicts: judge 0 works at OPD 0, judge 1 declared one with entry 1 and OPD 2.
    judges[0].organisation_id = opds[0].organisation_id
    db.session.add(Conflict(judge_id=judges[1].id, entry_id=entries[1].id))
    db.session.add(Conflict(judge_id=judges[1].id, organisation_id=opds[2].organisation_id))
    stage = factories.make_stage(open_round)
    db.session.commit()
    forbidden = {
        (entries[0].id, judges[0].id),
        (entries[1].id, judges[1].id),
        (entries[2].id, judges[1].id),
    }
    return entries, judges, stage, forbidden


def test_preview_then_confirm(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round)
    client = login(committee)
    page = client.get(f"/committee/stages/{stage.id}/assignments/preview?judges_per_entry=3")
    assert page.status_code == 200
    assert _rows() == []  # a preview writes nothing
    assert "Pratinjau dengan 3 juri per inovasi: 36 penugasan ditambahkan" in page.text
    assert "Beban: 6 sampai 6 inovasi per juri." in page.text
    assert "Semua juri terhubung melalui inovasi yang sama" in page.text
    assert "Juri 0" in page.text
    digest = assignment_service.plan_auto_assign(stage, 3).digest
    r = client.post(
        f"/committee/stages/{stage.id}/assignments/auto",
        data={"judges_per_entry": "3", "digest": digest},
    )
    assert r.status_code == 302
    _check(entries, judges, 3, forbidden)
    assert stage.judges_per_entry == 3


def test_confirm_refused_when_the_plan_changed(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round)
    digest = assignment_service.plan_auto_assign(stage, 3).digest
    db.session.add(Conflict(judge_id=judges[2].id, entry_id=entries[5].id))
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/assignments/auto",
        data={"judges_per_entry": "3", "digest": digest},
        follow_redirects=True,
    )
    assert "Penugasan berubah sejak pratinjau" in r.text
    assert _rows() == []


def test_k_per_stage_and_invalid_k(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round)
    client = login(committee)
    r = client.get(f"/committee/stages/{stage.id}/assignments/preview?judges_per_entry=0")
    assert r.status_code == 422
    r = client.post(
        f"/committee/stages/{stage.id}/assignments/auto", data={"judges_per_entry": "2"}
    )
    assert r.status_code == 302
    _check(entries, judges, 2, forbidden)
    assert stage.judges_per_entry == 2
    assert 'value="2"' in client.get(f"/committee/stages/{stage.id}/assignments").text


def test_rerun_keeps_scored_assignments(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round)
    assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    first = assignment_service.list_assignments(stage)
    drafted, submitted, manual_entry = first[0], first[1], entries[7]
    db.session.add(ScoreSheet(assignment=drafted, status=SheetStatus.DRAFT))
    db.session.add(ScoreSheet(assignment=submitted, status=SheetStatus.SUBMITTED))
    db.session.commit()
    # Late changes: a new judge joins, and a new conflict concerns an unscored assignment.
    newcomer = factories.make_user(role="judge", username="j-baru", name="Juri Baru")
    unscored = next(a for a in first[2:] if a.entry_id != manual_entry.id)
    db.session.add(Conflict(judge_id=unscored.judge_id, entry_id=unscored.entry_id))
    db.session.commit()
    forbidden |= {(unscored.entry_id, unscored.judge_id)}
    plan = assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    rows = _check(entries, [*judges, newcomer], 3, forbidden)
    assert (drafted.entry_id, drafted.judge_id) in rows
    assert (submitted.entry_id, submitted.judge_id) in rows
    assert sum(1 for _, j in rows if j == newcomer.id) >= 5
    # Only what had to change changed.
    assert len(plan.drop) <= 7


def test_manual_add_and_remove(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round, n_entries=3, n_judges=4)
    client = login(committee)
    r = client.post(
        f"/committee/stages/{stage.id}/assignments/manual",
        data={"entry": entries[1].id, "judge": judges[2].id},
    )
    assert r.status_code == 302
    a = db.session.scalar(select(Assignment))
    assert a.is_manual
    # A re-run keeps it.
    assignment_service.auto_assign(stage=stage, judges_per_entry=2, actor=committee)
    db.session.commit()
    assert (entries[1].id, judges[2].id) in _rows()
    # A draft can be removed with its assignment; a submitted sheet cannot.
    db.session.add(ScoreSheet(assignment=a, status=SheetStatus.SUBMITTED))
    db.session.commit()
    r = client.post(
        f"/committee/stages/{stage.id}/assignments/{a.id}/delete", follow_redirects=True
    )
    assert "lembar penilaian yang sudah dikirim" in r.text
    assert db.session.get(Assignment, a.id) is not None
    a.sheet.status = SheetStatus.DRAFT
    db.session.commit()
    r = client.post(f"/committee/stages/{stage.id}/assignments/{a.id}/delete")
    assert r.status_code == 302
    assert db.session.get(Assignment, a.id) is None
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == 0


def test_withdrawal_moves_unscored_and_keeps_scored(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round)
    assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    leaving = judges[3]
    theirs = [a for a in assignment_service.list_assignments(stage) if a.judge_id == leaving.id]
    db.session.add(ScoreSheet(assignment=theirs[0], status=SheetStatus.SUBMITTED))
    db.session.commit()
    r = login(committee).post(
        f"/committee/stages/{stage.id}/assignments/withdraw",
        data={"judge": leaving.id, "reason": "Tugas ke luar negeri"},
        follow_redirects=True,
    )
    assert "5 inovasi diberikan kepada juri lain, 1 lembar yang sudah dinilai tetap" in r.text
    assert "Tugas ke luar negeri" in r.text
    rows = _rows()
    assert [e for e, j in rows if j == leaving.id] == [theirs[0].entry_id]
    per_entry = {e.id: sum(1 for eid, _ in rows if eid == e.id) for e in entries}
    assert set(per_entry.values()) == {3}
    assert not set(rows) & forbidden
    # A re-run never gives the withdrawn judge anything again, and manual assignment refuses.
    assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    assert [e for e, j in _rows() if j == leaving.id] == [theirs[0].entry_id]
    other = next(
        e
        for e in entries
        if (e.id, leaving.id) not in set(_rows()) and (e.id, leaving.id) not in forbidden
    )
    r = login(committee).post(
        f"/committee/stages/{stage.id}/assignments/manual",
        data={"entry": other.id, "judge": leaving.id},
    )
    assert r.status_code in (409, 422)


def test_confirm_with_an_invalid_k_is_refused(app, login, committee, open_round):
    entries, judges, stage, forbidden = _competition(open_round, n_entries=3, n_judges=4)
    client = login(committee)
    for k in ("0", "99", "dua"):
        r = client.post(
            f"/committee/stages/{stage.id}/assignments/auto",
            data={"judges_per_entry": k},
            follow_redirects=True,
        )
        assert "Pilih antara 1 dan 20 juri per inovasi." in r.text
    assert _rows() == []


def test_assignment_page_is_paged_and_filters_entries_short_of_judges(
    app, login, committee, open_round, monkeypatch
):
    from judging.panels import views

    monkeypatch.setattr(views, "ASSIGNMENT_ROWS", 5)
    entries, judges, stage, forbidden = _competition(open_round)  # 12 entries
    assignment_service.auto_assign(stage=stage, judges_per_entry=3, actor=committee)
    db.session.commit()
    # Entry 4 loses a judge: it is the one short of judges.
    db.session.delete(
        db.session.scalars(select(Assignment).where(Assignment.entry_id == entries[4].id)).first()
    )
    db.session.commit()
    client = login(committee)
    url = f"/committee/stages/{stage.id}/assignments"
    first = client.get(url).text
    assert "Halaman 1 dari 3" in first
    assert "Inovasi 0" in first and "Inovasi 4" in first and "Inovasi 5" not in first
    assert "1 inovasi memiliki kurang dari 3 juri." in first
    # The judges' loads count every assignment, not only those of the page.
    loads = dict(
        db.session.execute(
            select(Assignment.judge_id, func.count()).group_by(Assignment.judge_id)
        ).all()
    )
    listing = assignment_service.assignment_page(stage, page=3, per_page=5)
    assert listing.loads == loads and listing.n_entries == 12
    assert [e.title for e in listing.entries] == ["Inovasi 10", "Inovasi 11"]
    third = client.get(url + "?page=3").text
    assert "Inovasi 11" in third and "Inovasi 4" not in third
    assert client.get(url + "?page=99").text.count("Halaman 3 dari 3") == 2  # clamped
    only = client.get(url + "?short=1").text
    assert "Inovasi 4" in only and "Inovasi 0" not in only and "Halaman" not in only
    assert "perlu penugasan ulang: 2 dari 3 juri" in only


def test_assignment_seed_comes_from_the_data_not_the_ids(app):
    # The same round and stage in another database (other ids) gets the same plan; another
    # stage of the round gets another one.
    from competition.rounds.models import Round, Stage

    stage = factories.make_stage(factories.make_round())
    twin = Stage(round=Round(slug=stage.round.slug), position=stage.position)
    twin.id = stage.id + 1000
    seed = assignment_service.assignment_seed(stage)
    assert assignment_service.assignment_seed(twin) == seed
    twin.position += 1
    assert assignment_service.assignment_seed(twin) != seed


def test_every_draw_of_a_stage_is_seeded_from_its_data_not_its_id(app, monkeypatch):
    # The uncertainty of a stage (posterior sampling, bootstrap, extra-judge plans) draws with
    # the stage's stable seed, as its assignment does: the same ranges in any database.
    from judging.analysis import uncertainty

    stage = factories.make_stage(factories.make_round())
    assert stage.stable_seed == assignment_service.assignment_seed(stage)
    assert 0 <= stage.stable_seed < 2**64
    seeds = []

    def fake_rank_uncertainty(*args, seed, **kwargs):
        seeds.append(seed)
        raise RuntimeError("stop here")

    monkeypatch.setattr(uncertainty, "rank_uncertainty", fake_rank_uncertainty)
    try:
        uncertainty._fit(stage, uncertainty.load_stage(stage))
    except RuntimeError:
        pass
    assert seeds == [stage.stable_seed] and stage.stable_seed != stage.id


def test_the_confirmation_counts_read_right_for_one_and_for_many(app, login, committee, open_round):
    """Two counts in one sentence: in English each part agrees with its own count."""
    entries, judges, stage, forbidden = _competition(open_round)
    client = login(committee)
    client.post("/language", data={"lang": "en"})

    def confirm():
        digest = assignment_service.plan_auto_assign(stage, 3).digest
        return client.post(
            f"/committee/stages/{stage.id}/assignments/auto",
            data={"judges_per_entry": "3", "digest": digest},
            follow_redirects=True,
        ).text

    assert "36 assignments added, 0 removed." in confirm()
    db.session.delete(assignment_service.list_assignments(stage)[4])
    db.session.commit()
    page = confirm()
    assert "1 assignment added, 0 removed." in page and "assignments added" not in page
    _check(entries, judges, 3, forbidden)
    db.session.delete(assignment_service.list_assignments(stage)[4])
    db.session.commit()
    client.post("/language", data={"lang": "id"})
    assert "1 penugasan ditambahkan, 0 dihapus." in confirm()
