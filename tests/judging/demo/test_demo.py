"""The demo competition loads through the services and shows what it promises."""

import numpy as np
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.roles import Role
from competition.rounds.models import Category, Round, Stage, StageKind
from judging.analysis.stage_data import load_stage
from judging.demo.loader import DEMO_PASSWORD
from judging.panels.models import Assignment
from judging.results.models import Result
from judging.scoring.models import ScoreSheet


def test_demo_loads_a_scored_published_competition(app, demo, demo_snapshot):
    # ``demo`` is a copy of what ``flask demo load --if-empty`` wrote into an empty database,
    # loaded once per run (conftest.demo_snapshot, which checks the command's exit code).
    assert demo_snapshot.output.startswith("Demo loaded: ")
    runner = app.test_cli_runner()
    assert db.session.scalar(select(func.count(Entry.id))) >= 40
    assert db.session.scalar(select(func.count(Category.id))) >= 3
    judges = db.session.scalars(select(User).where(User.role == Role.JUDGE)).all()
    assert len(judges) == 9
    # Every stage that closed has all its sheets in; the one open now (the 2026
    # presentations) has submitted sheets, drafts and sheets not started.
    now = utcnow()
    for stage in db.session.scalars(select(Stage).where(Stage.kind == StageKind.SCORED)):
        statuses = [
            a.sheet.status.value if a.sheet else "todo"
            for a in db.session.scalars(select(Assignment).where(Assignment.stage_id == stage.id))
        ]
        if stage.closes_at < now:
            assert statuses and set(statuses) == {"submitted"}, stage.name
        elif stage.is_open(now):
            assert stage.round.name == "KOINYANLIK 2026", stage.name
            assert {"submitted", "draft", "todo"} <= set(statuses)
        else:
            assert not statuses, stage.name  # not yet assigned
    assert db.session.scalar(select(func.count(Result.id))) >= 15
    # Harsh and lenient judges are visible: per-judge mean totals spread by > 2 points.
    rows = db.session.execute(
        select(Assignment.judge_id, func.avg(ScoreSheet.total))
        .join(ScoreSheet)
        .group_by(Assignment.judge_id)
    ).all()
    means = np.array([float(m) for _, m in rows])
    assert means.max() - means.min() > 2
    # The judge graph is connected, and the model finds the planted harsh and lenient judges.
    data = load_stage(
        db.session.scalars(
            select(Stage).where(Stage.kind == StageKind.SCORED).order_by(Stage.id)
        ).first()
    )
    fit = data.normalize("bias_scale")
    assert fit.n_components == 1
    offset = {u.username: o for u, o in zip(data.judges, fit.judge_offset)}
    assert offset["juri2"] < -0.5 and offset["juri7"] < -0.5 and offset["juri4"] > 0.5
    # Both rounds have the full stage sequence.
    for round_ in db.session.scalars(select(Round)):
        assert [s.kind.value for s in round_.stages] == [
            "submission",
            "screening",
            "scored",
            "scored",
            "scored",
            "announcement",
        ]
    # Every proposal has the full KIPP structure and its SK decree.
    for entry in db.session.scalars(select(Entry)):
        assert all(text.strip() for _, text in entry.sections), entry.title
        assert entry.innovation_started_on and entry.truth_declared_at and entry.attachments
    assert {e.group.value for e in db.session.scalars(select(Entry))} == {"umum", "replikasi"}
    # KIPP order in both judged rounds: the screening result, then the top 15 after the desk
    # evaluation (announced with an objection period, then final); awards only in 2025,
    # published after its last stage, the field verification.
    from competition.announcements.models import Announcement, Objection
    from competition.entries.models import Advancement

    for name in ("KOINYANLIK 2025", "KOINYANLIK 2026"):
        round_ = db.session.scalar(select(Round).where(Round.name == name))
        notices = db.session.scalars(
            select(Announcement)
            .join(Stage)
            .where(Stage.round_id == round_.id)
            .order_by(Announcement.id)
        ).all()
        n_entries = db.session.scalar(
            select(func.count(Entry.id)).where(Entry.round_id == round_.id)
        )
        assert [len(n.entry_ids) for n in notices] == [n_entries, 15], name
        assert all(n.finalized_at is not None for n in notices), name
        assert notices[1].issued_at > round_.stages[2].closes_at, name
        published = [s.name for s in round_.stages if s.published_at is not None]
        assert published == (["Verifikasi Lapangan"] if name.endswith("2025") else []), name
    assert db.session.scalar(select(func.count(Advancement.id))) == 15 + 15 + 15
    objection = db.session.scalar(select(Objection))
    assert objection.status.value == "rejected" and objection.decision_reason
    # A judge who logs in has work in the open stage.
    juri1 = db.session.scalar(select(User).where(User.username == "juri1"))
    todo = [
        a
        for a in db.session.scalars(select(Assignment).where(Assignment.judge_id == juri1.id))
        if a.stage.is_open(now) and not (a.sheet and a.sheet.is_submitted)
    ]
    assert todo
    # No two events of the demo at the same minute: times are spread over the windows.
    submitted = db.session.scalars(select(ScoreSheet.submitted_at)).all()
    assert len({t for t in submitted if t}) > 0.9 * len([t for t in submitted if t])
    # A puskesmas's 2027 proposal waits for its Admin Lokal; the 2026 ones went through them.
    from competition.entries.models import EntryStatus

    waiting = db.session.scalars(
        select(Entry).where(Entry.status == EntryStatus.AGENCY_REVIEW)
    ).all()
    assert [e.round.name for e in waiting] == ["KOINYANLIK 2027"]
    assert waiting[0].custom_texts and waiting[0].organisation.place[0] == "Kota Palembang"
    # A second load leaves everything as it was.
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert db.session.scalar(select(func.count(User.id))) == 1 + 9 + 45 + 1  # + Admin Lokal
    # The demo logins of the README work.
    client = app.test_client()
    for username in ("panitia", "juri1", "dinkes", "admin-dinkes"):
        r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 302, username
        client.post("/logout")


def test_demo_publication_shows_its_ranges_of_likely_places(app, demo):
    """Both versions of the 2025 publication (the combined final ranking) store each place's
    range of likely places, and the public page shows them."""
    rows = db.session.scalars(select(Result).where(Result.rank > 0)).all()
    assert rows and all(r.rank_lo <= r.rank <= r.rank_hi for r in rows)
    page = app.test_client().get("/results/koinyanlik-2025").text
    assert "Kemungkinan peringkat" in page and "ke-1" in page
