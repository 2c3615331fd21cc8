"""Ranking a stage from the database: sheets -> arrays -> normalize -> rank -> stored results.

Builds a generated round (default: the IGA scale, 40,000 entries, 2,000 judges, 5 sheets per
entry = 200,000 submitted sheets) in a throw-away database through the migrations, then times
``judging.services.publish_results`` (one query for the sheets, the numpy core, the results
written back) and, as the baseline in the same run, the same ranking computed through ORM
objects one by one (entry -> assignments -> sheet), on a sample of entries and scaled up.

    .venv/bin/python bench/ranking_db.py                 # SQLite in a temp dir
    .venv/bin/python bench/ranking_db.py --small         # 4,000 entries, 20,000 sheets
    .venv/bin/python bench/ranking_db.py --url postgresql+psycopg://user:pw@host/db  # empty db
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from app import create_app  # noqa: E402
from competition.db import db, utcnow  # noqa: E402
from competition.models import (  # noqa: E402
    Category, Entry, EntryStatus, Organisation, Role, Round, RoundStatus, Stage, User,
)
from judging import services  # noqa: E402
from judging.models import Assignment, Criterion, ScoreSheet, SheetStatus  # noqa: E402


def build(n_entries: int, n_judges: int, per_entry: int, seed: int = 1) -> Stage:
    """Insert the generated round with bulk Core inserts (no ORM objects per row)."""
    rng = np.random.default_rng(seed)
    now = utcnow()
    committee = User(username="bench", name="Bench", role=Role.COMMITTEE, password_hash="x")
    round_ = Round(name="IGA bench", slug="iga-bench", status=RoundStatus.OPEN,
                   submission_opens_at=now - timedelta(days=60),
                   submission_closes_at=now - timedelta(days=30))
    db.session.add_all([committee, round_])
    cats = [Category(round=round_, name=f"Klaster {i + 1}") for i in range(10)]
    db.session.add_all(cats)
    stage = Stage(round=round_, name="Desk", opens_at=now - timedelta(days=20),
                  closes_at=now + timedelta(days=1), scale_min=0, scale_max=100,
                  method="bias_scale", winners_per_category=3)
    db.session.add(stage)
    db.session.flush()
    db.session.add(Criterion(stage_id=stage.id, name="Total", weight=100))
    org = Organisation(name="Pemda")
    db.session.add(org)
    db.session.flush()
    db.session.execute(insert(User), [
        {"username": f"j{i}", "name": f"Juri {i}", "role": Role.JUDGE, "password_hash": "x",
         "created_at": now} for i in range(n_judges)])
    judge_ids = np.array(db.session.scalars(
        select(User.id).where(User.role == Role.JUDGE).order_by(User.id)).all())
    cat_ids = np.array([c.id for c in cats])
    db.session.execute(insert(Entry), [
        {"round_id": round_.id, "category_id": int(cat_ids[i % len(cat_ids)]),
         "organisation_id": org.id, "title": f"Inovasi {i}", "status": EntryStatus.SUBMITTED,
         "submitted_at": now - timedelta(days=31, seconds=i), "created_at": now,
         "updated_at": now} for i in range(n_entries)])
    entry_ids = np.array(db.session.scalars(
        select(Entry.id).where(Entry.round_id == round_.id).order_by(Entry.id)).all())
    quality = rng.normal(60, 12, n_entries)
    offset = rng.normal(0, 6, n_judges)
    # judges per entry: a random cyclic design keeps loads balanced and the graph connected
    perm = rng.permutation(n_judges)
    j_of = perm[(np.arange(n_entries)[:, None] * per_entry + np.arange(per_entry)) % n_judges]
    e_rep = np.repeat(np.arange(n_entries), per_entry)
    j_flat = j_of.ravel()
    score = np.clip(quality[e_rep] + offset[j_flat] + rng.normal(0, 4, e_rep.size), 0, 100)
    db.session.execute(insert(Assignment), [
        {"stage_id": stage.id, "entry_id": int(entry_ids[e]), "judge_id": int(judge_ids[j]),
         "created_at": now} for e, j in zip(e_rep.tolist(), j_flat.tolist())])
    a_ids = db.session.scalars(
        select(Assignment.id).where(Assignment.stage_id == stage.id).order_by(Assignment.id)).all()
    db.session.execute(insert(ScoreSheet), [
        {"assignment_id": a, "status": SheetStatus.SUBMITTED, "total": float(s),
         "submitted_at": now, "updated_at": now, "version_id": 1}
        for a, s in zip(a_ids, score.tolist())])
    db.session.commit()
    return stage


def orm_one_by_one(stage: Stage, sample: int) -> tuple[float, int]:
    """The naive way: walk ORM objects entry by entry (a query per entry), mean in Python."""
    entries = db.session.scalars(
        select(Entry).where(Entry.round_id == stage.round_id).order_by(Entry.id).limit(sample)
    ).all()
    t0 = time.perf_counter()
    means = {}
    for entry in entries:
        sheets = db.session.scalars(
            select(ScoreSheet).join(Assignment).where(
                Assignment.entry_id == entry.id, Assignment.stage_id == stage.id)
            .options(selectinload(ScoreSheet.assignment))).all()
        totals = [s.total for s in sheets if s.status == SheetStatus.SUBMITTED]
        means[entry.id] = sum(totals) / len(totals) if totals else None
    return time.perf_counter() - t0, len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="4,000 entries (20,000 sheets)")
    parser.add_argument("--url", help="an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    n_entries = 4_000 if args.small else 40_000
    n_judges = 300 if args.small else 2_000
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            t0 = time.perf_counter()
            stage = build(n_entries, n_judges, 5)
            print(f"{db.engine.dialect.name}: built {n_entries:,} entries, {n_judges:,} judges, "
                  f"{n_entries * 5:,} sheets in {time.perf_counter() - t0:.1f} s")
            stage = db.session.get(Stage, stage.id)
            actor = db.session.scalar(select(User).where(User.username == "bench"))
            t0 = time.perf_counter()
            services.publish_results(stage=stage, actor=actor, now=utcnow())
            db.session.commit()
            t_fast = time.perf_counter() - t0
            print(f"publish_results (load sheets, bias_scale, rank per category, store "
                  f"{n_entries:,} results): {t_fast:.2f} s   (target < 5 s)")
            sample = min(n_entries, 2_000)
            t_orm, n = orm_one_by_one(stage, sample)
            est = t_orm * n_entries / n
            print(f"ORM one by one (query per entry, mean only, no model, no storing): "
                  f"{t_orm:.2f} s for {n:,} entries -> {est:.1f} s for {n_entries:,} (scaled)")
            print(f"ratio: the array path is {est / t_fast:.1f}x faster than the ORM walk, "
                  "while also fitting the judge model and storing every result")
            db.session.remove()
            if args.url:
                db.drop_all()


if __name__ == "__main__":
    main()
