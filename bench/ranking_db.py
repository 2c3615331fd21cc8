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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from app import create_app  # noqa: E402
from competition.accounts.models import User
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.rounds.models import Round, Stage
from judging.demo import scale as demo_scale
from judging.panels.models import Assignment
from judging.results import publication as publication_service
from judging.scoring.models import ScoreSheet, SheetStatus


def build(n_entries: int, n_judges: int, per_entry: int, seed: int = 1) -> Stage:
    """The generated round of ``flask demo load --scale iga`` (bulk inserts), unpublished."""
    scale = demo_scale.Scale("iga", n_entries, n_judges, n_entries // 10, per_entry, 0, 0, 0, False)
    counts = demo_scale.load_scaled(scale, password_hash="x", seed=seed, publish=False)
    db.session.commit()
    return db.session.get(Round, counts["round"]).stages[0]


def orm_one_by_one(stage: Stage, sample: int) -> tuple[float, int]:
    """The naive way: walk ORM objects entry by entry (a query per entry), mean in Python."""
    entries = db.session.scalars(
        select(Entry).where(Entry.round_id == stage.round_id).order_by(Entry.id).limit(sample)
    ).all()
    t0 = time.perf_counter()
    means = {}
    for entry in entries:
        sheets = db.session.scalars(
            select(ScoreSheet)
            .join(Assignment)
            .where(Assignment.entry_id == entry.id, Assignment.stage_id == stage.id)
            .options(selectinload(ScoreSheet.assignment))
        ).all()
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
            print(
                f"{db.engine.dialect.name}: built {n_entries:,} entries, {n_judges:,} judges, "
                f"{n_entries * 5:,} sheets in {time.perf_counter() - t0:.1f} s"
            )
            stage = db.session.get(Stage, stage.id)
            actor = db.session.scalar(select(User).where(User.username == "panitia"))
            t0 = time.perf_counter()
            publication_service.publish_results(stage=stage, actor=actor, now=utcnow())
            db.session.commit()
            t_fast = time.perf_counter() - t0
            print(
                f"publish_results (load sheets, bias_scale, rank per category, store "
                f"{n_entries:,} results): {t_fast:.2f} s   (target < 5 s)"
            )
            sample = min(n_entries, 2_000)
            t_orm, n = orm_one_by_one(stage, sample)
            est = t_orm * n_entries / n
            print(
                f"ORM one by one (query per entry, mean only, no model, no storing): "
                f"{t_orm:.2f} s for {n:,} entries -> {est:.1f} s for {n_entries:,} (scaled)"
            )
            print(
                f"ratio: the array path is {est / t_fast:.1f}x faster than the ORM walk, "
                "while also fitting the judge model and storing every result"
            )
            db.session.remove()
            if args.url:
                db.drop_all()


if __name__ == "__main__":
    main()
