"""The undecided page's plan of one more judge per entry from the shared cache
(``judging.analysis.extra_judges``): another worker renders it without planning; a new conflict
of interest, assignment, judge, withdrawal or panel plans anew; assigning always plans on the
current state, never from a stored plan."""

import re

import pytest
from sqlalchemy import case, event, func, select, update

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Entry, EntryStatus
from competition.roles import Role
from competition.rounds.models import Category
from judging.analysis import extra_judges, shared_cache
from judging.analysis import uncertainty as unc_service
from judging.analysis.models import RankingCache
from judging.panels import assignment as assignment_service
from judging.panels import conflicts as conflict_service
from judging.panels.models import Assignment, Conflict, JudgeWithdrawal, Panel, PanelMember
from tests import factories
from tests.judging.analysis.conftest import forget_this_process, score_by_panels

QUALITY = {"Alpha": 8.0, "Beta": 7.5, "Gamma": 6.0, "Delta": 5.0, "Epsilon": 4.5}
PANELS = {"Alpha": [0, 2], "Beta": [0, 1], "Gamma": [1, 2], "Delta": [0, 1], "Epsilon": [1, 2]}
OFFSET = [0.0, 0.0, -3.0]  # the third judge is strict
NAMES = ["Juri Netral", "Juri Biasa", "Juri Ketat", "Juri Cadangan", "Juri Kelima"]


pytestmark = pytest.mark.usefixtures("cold_caches", "fewer_sweeps", "fits_once")


@pytest.fixture
def stage(app, committee, open_round, cached_data):
    """Five entries, two sheets each from three judges (one strict), two judges without
    sheets: the places around the award cut (3) are undecided, and the spare judges are the
    natural extra judges. Built once per module and copied (see ``cached_data``)."""

    def build():
        return score_by_panels(
            open_round, quality=QUALITY, panels=PANELS, offset=OFFSET, judge_names=NAMES
        )

    return cached_data(build)


def _url(stage):
    return f"/committee/stages/{stage.id}/undecided"


def _page(html: str) -> str:
    """The page without what differs between two renderings of the same plan (the form's
    CSRF token, if any)."""
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _pairs(plan) -> set[tuple[int, int]]:
    return {(p.entry.id, p.judge.id) for p in plan.proposals}


def _refuse(*args, **kw):
    raise AssertionError("planned again instead of read from the shared cache")


def _plans_stored(stage) -> int:
    return db.session.scalar(
        select(func.count(RankingCache.id)).where(
            RankingCache.stage_id == stage.id, RankingCache.kind == "extra_judges"
        )
    )


@pytest.fixture
def counted(monkeypatch):
    """The number of times the planner ran."""
    calls = []
    real = extra_judges.plan_extra_judges
    monkeypatch.setattr(
        extra_judges, "plan_extra_judges", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    return calls


def test_another_worker_renders_the_plan_without_planning(
    make_app, app, login, committee, stage, monkeypatch
):
    first = login(committee).get(_url(stage))
    assert first.status_code == 200
    plan = extra_judges.plan(stage)
    assert plan.undecided and plan.proposals and plan.digest
    assert "Tugaskan juri-juri ini" in first.text and plan.digest in first.text
    for p in plan.proposals:
        assert p.judge.name in first.text
    db.session.rollback()  # what the end of a request does: the cache rows stay
    assert _plans_stored(stage) == 1

    # another worker (its own engine and sessions, the same database and settings)
    other = make_app(UNCERTAINTY_SWEEPS=app.config["UNCERTAINTY_SWEEPS"])
    forget_this_process()
    monkeypatch.setattr(extra_judges, "plan_extra_judges", _refuse)
    monkeypatch.setattr(assignment_service, "_stage_matrices", _refuse)
    monkeypatch.setattr(unc_service, "_fit", _refuse)
    monkeypatch.setattr(unc_service, "boundary_decisions", _refuse)
    with other.app_context():
        again = other.test_client(user=committee).get(_url(stage))
    assert again.status_code == 200
    assert _page(again.text) == _page(first.text)


def test_a_stored_plan_reads_back_as_the_computed_one(app, stage):
    computed = extra_judges.plan(stage, fresh=True)
    assert _plans_stored(stage) == 0  # a fresh plan is not stored
    stored = extra_judges.plan(stage)  # computed and stored
    read = extra_judges.plan(stage)  # read back
    assert _plans_stored(stage) == 1
    for got in (stored, read):
        assert got.digest == computed.digest
        assert [(e.id, c, p) for e, c, p in got.undecided] == [
            (e.id, c, p) for e, c, p in computed.undecided
        ]
        assert [
            (p.entry.id, p.judge.id, p.se_now, p.se_new, p.links_groups) for p in got.proposals
        ] == [
            (p.entry.id, p.judge.id, p.se_now, p.se_new, p.links_groups) for p in computed.proposals
        ]
        assert [e.id for e in got.no_judge] == [e.id for e in computed.no_judge]


def test_a_new_conflict_or_assignment_plans_anew(app, login, committee, stage, counted):
    client = login(committee)
    assert client.get(_url(stage)).status_code == 200
    assert len(counted) == 1
    forget_this_process()
    assert client.get(_url(stage)).status_code == 200
    assert len(counted) == 1  # read from the shared cache

    first = extra_judges.plan(stage)
    entry_id, judge_id = sorted(_pairs(first))[0]
    conflict_service.declare_conflict(
        judge=db.session.get(User, judge_id),
        entry=db.session.get(Entry, entry_id),
        actor=committee,
    )
    db.session.commit()
    page = client.get(_url(stage))
    assert page.status_code == 200 and len(counted) == 2
    second = extra_judges.plan(stage)
    assert (entry_id, judge_id) not in _pairs(second) and second.digest != first.digest
    assert second.digest in page.text and first.digest not in page.text

    entry_id, judge_id = sorted(_pairs(second))[0]
    factories.make_assignment(
        stage, db.session.get(Entry, entry_id), db.session.get(User, judge_id)
    )
    db.session.commit()
    client.get(_url(stage))
    assert len(counted) == 3
    third = extra_judges.plan(stage)
    assert (entry_id, judge_id) not in _pairs(third)  # already that entry's judge
    # the newest two states' plans side by side; the stage's other rows (its fit, the
    # posterior draws, the decisions) are not crowded out
    assert _plans_stored(stage) == extra_judges.PLANS_PER_STAGE == 2
    kinds = set(
        db.session.scalars(select(RankingCache.kind).where(RankingCache.stage_id == stage.id))
    )
    assert {"draws", "decisions", "extra_judges"} <= kinds


def _by_name(name):
    return db.session.scalar(select(User).where(User.name == name))


def _by_title(title):
    return db.session.scalar(select(Entry).where(Entry.title == title))


def _panel(stage, **kw):
    panel = Panel(stage_id=stage.id, name=kw.pop("name", "Panel A"), **kw)
    db.session.add(panel)
    db.session.flush()
    return panel


def _spare_assignment(stage):
    """An assignment without a sheet (the spare judge on Gamma)."""
    return factories.make_assignment(stage, _by_title("Gamma"), _by_name(NAMES[3]))


def _member(stage):
    panel = _panel(stage)
    member = PanelMember(panel_id=panel.id, judge_id=_by_name(NAMES[3]).id)
    db.session.add(member)
    return member


def _conflict(stage):
    conflict = Conflict(judge_id=_by_name(NAMES[3]).id, entry_id=_by_title("Gamma").id)
    db.session.add(conflict)
    return conflict


def _two_conflicts(stage):
    both = [
        _conflict(stage),
        Conflict(judge_id=_by_name(NAMES[4]).id, entry_id=_by_title("Beta").id),
    ]
    db.session.add(both[1])
    return both


def _swap_judges(both):
    """Each conflict takes the other's judge, in one UPDATE: the sums of judges and entries
    stay, only what each row holds changes."""
    first, second = (c.judge_id for c in both)
    db.session.execute(
        update(Conflict)
        .where(Conflict.id.in_([c.id for c in both]))
        .values(judge_id=case((Conflict.judge_id == first, second), else_=first))
    )


# Each input of the plan (issue 17: the fingerprint is aggregated in SQL, so each must change
# it): (what exists first, or None; the change, given what exists). Changes in place go
# through bulk UPDATEs, which touch no version or time stamp.
CHANGES = {
    "assignment added": (None, lambda stage, _: _spare_assignment(stage)),
    "assignment removed": (_spare_assignment, lambda _, a: db.session.delete(a)),
    "assignment given to another judge": (
        _spare_assignment,
        lambda _, a: db.session.execute(
            update(Assignment).where(Assignment.id == a.id).values(judge_id=_by_name(NAMES[4]).id)
        ),
    ),
    "assignment moved to another entry": (
        _spare_assignment,
        lambda _, a: db.session.execute(
            update(Assignment).where(Assignment.id == a.id).values(entry_id=_by_title("Beta").id)
        ),
    ),
    "judge added": (
        None,
        lambda *_: factories.make_user(role="judge", username="baru", name="Juri Baru"),
    ),
    "judge disabled": (None, lambda *_: setattr(_by_name(NAMES[3]), "is_enabled", False)),
    "judge no longer a judge": (
        None,
        lambda *_: db.session.execute(
            update(User).where(User.name == NAMES[3]).values(role=Role.COMMITTEE)
        ),
    ),
    "judges in another order (renamed)": (
        None,
        lambda *_: db.session.execute(
            update(User).where(User.name == NAMES[0]).values(name="Juri Aaa")
        ),
    ),
    "judge's organisation": (
        None,
        lambda *_: db.session.execute(
            update(User)
            .where(User.name == NAMES[3])
            .values(organisation_id=_by_title("Gamma").organisation_id)
        ),
    ),
    "withdrawal": (
        None,
        lambda stage, _: db.session.add(
            JudgeWithdrawal(stage_id=stage.id, judge_id=_by_name(NAMES[3]).id)
        ),
    ),
    "withdrawal of another judge": (
        lambda stage: db.session.add(
            JudgeWithdrawal(stage_id=stage.id, judge_id=_by_name(NAMES[3]).id)
        ),
        lambda *_: db.session.execute(
            update(JudgeWithdrawal).values(judge_id=_by_name(NAMES[4]).id)
        ),
    ),
    "conflict with an entry": (None, lambda stage, _: _conflict(stage)),
    "conflict with an organisation": (
        None,
        lambda *_: db.session.add(
            Conflict(
                judge_id=_by_name(NAMES[3]).id,
                organisation_id=_by_title("Gamma").organisation_id,
            )
        ),
    ),
    "conflict removed": (_conflict, lambda _, c: db.session.delete(c)),
    "conflict with another entry": (
        _conflict,
        lambda _, c: db.session.execute(
            update(Conflict).where(Conflict.id == c.id).values(entry_id=_by_title("Beta").id)
        ),
    ),
    "conflict of another judge": (
        _conflict,
        lambda _, c: db.session.execute(
            update(Conflict).where(Conflict.id == c.id).values(judge_id=_by_name(NAMES[4]).id)
        ),
    ),
    "two conflicts swap their judges": (_two_conflicts, lambda _, both: _swap_judges(both)),
    "entry in another category": (
        lambda stage: db.session.add(Category(round_id=stage.round_id, name="Kota")),
        lambda *_: db.session.execute(
            update(Entry)
            .where(Entry.title == "Gamma")
            .values(
                category_id=select(Category.id).where(Category.name == "Kota").scalar_subquery()
            )
        ),
    ),
    "entry of another organisation": (
        None,
        lambda *_: db.session.execute(
            update(Entry)
            .where(Entry.title == "Gamma")
            .values(organisation_id=_by_title("Beta").organisation_id)
        ),
    ),
    "entry leaves the stage": (
        None,
        lambda *_: db.session.execute(
            update(Entry).where(Entry.title == "Gamma").values(status=EntryStatus.DRAFT)
        ),
    ),
    "panel": (None, lambda stage, _: _panel(stage)),
    "panel for one category": (
        lambda stage: _panel(stage),
        lambda stage, panel: db.session.execute(
            update(Panel)
            .where(Panel.id == panel.id)
            .values(category_id=_by_title("Gamma").category_id)
        ),
    ),
    "panel member": (
        lambda stage: _panel(stage),
        lambda _, panel: db.session.add(
            PanelMember(panel_id=panel.id, judge_id=_by_name(NAMES[3]).id)
        ),
    ),
    "panel member removed": (_member, lambda _, m: db.session.delete(m)),
    "panel member replaced": (
        _member,
        lambda _, m: db.session.execute(
            update(PanelMember).where(PanelMember.id == m.id).values(judge_id=_by_name(NAMES[4]).id)
        ),
    ),
    "panel member on another panel": (
        _member,
        lambda stage, m: db.session.execute(
            update(PanelMember)
            .where(PanelMember.id == m.id)
            .values(panel_id=_panel(stage, name="Panel B").id)
        ),
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_input_of_the_plan_is_in_the_key(app, committee, stage, change):
    arrange, act = CHANGES[change]
    existing = arrange(stage) if arrange else None
    db.session.flush()
    unc = unc_service.stage_uncertainty(stage)
    cuts = unc_service.cuts_of(stage, unc.data)
    before = extra_judges.state_fingerprint(stage)
    digest = extra_judges.plan_digest(stage, unc, cuts)
    assert extra_judges.state_fingerprint(stage) == before
    act(stage, existing)
    db.session.flush()
    db.session.expire_all()
    assert extra_judges.state_fingerprint(stage) != before
    assert extra_judges.plan_digest(stage, unc, cuts) != digest


@pytest.mark.parametrize(
    "change",
    ["a judge renamed in the same order", "a committee member renamed", "another stage's panel"],
)
def test_what_the_plan_does_not_read_leaves_the_key(app, committee, open_round, stage, change):
    before = extra_judges.state_fingerprint(stage)
    if change == "a judge renamed in the same order":
        _by_name(NAMES[0]).name = "Juri Netral Sekali"  # still the last by name
    elif change == "a committee member renamed":
        committee.name = "Panitia Baru"
    else:
        _panel(factories.make_stage(open_round, criteria=[("Mutu", 100)]))
    db.session.flush()
    assert extra_judges.state_fingerprint(stage) == before


def test_the_fingerprint_is_one_statement(app, stage):
    extra_judges.state_fingerprint(stage)  # the stage and its round's stages loaded
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        extra_judges.state_fingerprint(stage)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_assigning_never_uses_a_stale_stored_plan(app, login, committee, stage, monkeypatch):
    """Even when the stored plan no longer matches the stage (here: a key blind to every
    change), the assignment plans on the current state and refuses the stale preview."""
    monkeypatch.setattr(extra_judges, "state_fingerprint", lambda stage: ())
    client = login(committee)
    client.get(_url(stage))
    stale = extra_judges.plan(stage)
    entry_id, judge_id = sorted(_pairs(stale))[0]
    # A panel without that judge: the stale plan's first judge is no longer eligible (and the
    # manual assignment does not check panels itself).
    judges = db.session.scalars(
        select(User).where(User.role == Role.JUDGE, User.id != judge_id)
    ).all()
    panel = Panel(stage_id=stage.id, name="Panel tanpa juri itu")
    db.session.add(panel)
    db.session.flush()
    db.session.add_all(PanelMember(panel_id=panel.id, judge_id=j.id) for j in judges)
    db.session.commit()
    assert extra_judges.plan(stage).digest == stale.digest  # the stale plan is what GET shows
    before = db.session.scalar(select(func.count(Assignment.id)))
    response = client.post(f"{_url(stage)}/assign", data={"digest": stale.digest})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Assignment.id))) == before
    assert (
        db.session.scalar(
            select(Assignment).where(
                Assignment.entry_id == entry_id, Assignment.judge_id == judge_id
            )
        )
        is None
    )
    current = extra_judges.plan(stage, fresh=True)
    assert current.digest != stale.digest and (entry_id, judge_id) not in _pairs(current)
    # the current plan's preview assigns
    client.post(f"{_url(stage)}/assign", data={"digest": current.digest})
    added = db.session.scalars(select(Assignment).where(Assignment.is_manual.is_(True))).all()
    assert {(a.entry_id, a.judge_id) for a in added} == _pairs(current)


def test_a_stored_plan_naming_a_judge_who_is_gone_is_planned_anew(
    app, login, committee, stage, counted
):
    """A stored plan whose judge no longer exists (a row of another database state) is
    never shown: the page and ``plan`` plan on the current state."""
    client = login(committee)
    assert client.get(_url(stage)).status_code == 200 and len(counted) == 1
    row = db.session.scalar(
        select(RankingCache).where(
            RankingCache.stage_id == stage.id, RankingCache.kind == "extra_judges"
        )
    )
    stored = shared_cache.load(extra_judges._StoredPlan, row.data)
    stored.judge_id[0] = 999_999
    row.data = shared_cache.dump(stored)
    db.session.commit()
    forget_this_process()
    page = client.get(_url(stage))
    assert page.status_code == 200 and len(counted) == 2
    current = extra_judges.plan(stage)
    assert len(counted) == 3 and current.digest in page.text
    assert all(p.judge.name in page.text for p in current.proposals)
