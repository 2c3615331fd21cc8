"""The demo competition loads through the services and shows what it promises."""

import numpy as np
from sqlalchemy import func, select

from competition.accounts.models import Role, User
from competition.db import db
from competition.entries.models import Entry
from competition.rounds.models import Category, Round, Stage, StageKind
from judging.analysis.services import load_stage
from judging.demo.loader import DEMO_PASSWORD
from judging.panels.models import Assignment
from judging.results.models import Result
from judging.scoring.models import ScoreSheet, SheetStatus


def test_demo_loads_a_scored_published_competition(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["demo", "load", "--if-empty"])
    assert out.exit_code == 0, out.output
    assert db.session.scalar(select(func.count(Entry.id))) >= 40
    assert db.session.scalar(select(func.count(Category.id))) >= 3
    judges = db.session.scalars(select(User).where(User.role == Role.JUDGE)).all()
    assert len(judges) == 9
    sheets = db.session.scalar(
        select(func.count(ScoreSheet.id)).where(ScoreSheet.status == SheetStatus.SUBMITTED)
    )
    assert sheets == db.session.scalar(select(func.count(Assignment.id)))
    assert db.session.scalar(select(func.count(Result.id))) >= 40
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
    # The screening result is announced and final; the top 15 nominations are in their
    # public objection period with one objection to decide.
    from competition.announcements.models import Announcement, Objection
    from competition.entries.models import Advancement

    notices = db.session.scalars(select(Announcement).order_by(Announcement.id)).all()
    assert notices[0].finalized_at is not None and len(notices[0].entry_ids) == 45
    assert len(notices[1].entry_ids) == 15 and notices[1].finalized_at is None
    assert db.session.scalar(select(func.count(Advancement.id))) == 15
    assert db.session.scalar(select(func.count(Objection.id))) == 1
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
