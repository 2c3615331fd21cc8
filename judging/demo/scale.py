"""Generated rounds at provincial and national size: ``flask demo load --scale national|iga``.

The city demo (``judging.demo``) goes through the service functions one object at a time, which
is right for 45 entries and far too slow for 40,000. These rounds are written with bulk Core
inserts (one statement per table), then published through the same
``publication_service.publish_results`` the committee uses, so the pages and benchmarks run on data shaped
exactly like real data:

- ``national``: 3,000 entries from 500 local governments, 300 judges, 10 clusters; a desk
  evaluation (4 judges per entry, 12,000 submitted sheets, published) and an open presentation
  stage for the top 900 (4 judges each: 3,000 sheets submitted, the rest still to score), so
  15,000 submitted sheets over two scored stages;
- ``iga``: 40,000 entries, 2,000 judges, one desk stage with 5 judges per entry (200,000
  submitted sheets), for the ranking path (``bench/ranking_db.py``).

Scores follow the judge model the default method fits: quality(entry) + offset(judge) + noise,
with a spread per judge. Every generated account has the demo password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, select

from competition.accounts.models import Organisation, User
from competition.db import bulk_insert, db, utcnow
from competition.entries.models import Advancement, Entry, EntryStatus
from competition.roles import Role
from competition.rounds.models import Category, Round, RoundStatus, Stage
from judging.demo import content
from judging.panels.models import Assignment
from judging.results import publication as publication_service
from judging.scoring.models import Criterion, Score, ScoreSheet, SheetStatus


@dataclass(frozen=True)
class Scale:
    name: str
    entries: int
    judges: int
    organisations: int
    desk_judges: int  # judges per entry in the desk evaluation
    finalists: int  # entries going on to the presentation stage (0: no such stage)
    final_judges: int
    final_submitted: int  # submitted sheets in the (still open) presentation stage
    criteria: bool  # per-criterion scores (browsable sheets) or totals only


SCALES = {
    "national": Scale("national", 3_000, 300, 500, 4, 900, 4, 3_000, True),
    "iga": Scale("iga", 40_000, 2_000, 4_000, 5, 0, 0, 0, False),
}


def _place(i: int, names: dict) -> str:
    """The name of generated local government ``i``: one of the 144 pairs of ``places`` and
    ``places2``, numbered from the second round of pairs on."""
    first, second = names["places"], names["places2"]
    kind = "Kabupaten" if i % 5 else "Kota"
    pairs = len(first) * len(second)
    return f"{kind} {first[i % len(first)]} {second[(i // len(first)) % len(second)]}" + (
        f" {i // pairs + 1}" if i >= pairs else ""
    )


def _insert_ids(model, rows: list[dict], where) -> np.ndarray:
    """Bulk-insert rows and return their ids in insertion order (ids grow on both backends).
    ``bulk_insert`` (Core executemany, COPY on PostgreSQL), not the ORM's bulk INSERT: the
    ORM's per-row bookkeeping was a third of a national round's load."""
    db.session.flush()  # bulk_insert writes on the session's connection, without autoflush
    bulk_insert(model.__table__, rows)
    return np.array(
        db.session.scalars(select(model.id).where(where).order_by(model.id)).all(), dtype=np.int64
    )


def _scores(rng, quality, offset, spread, e, j, lo, hi) -> np.ndarray:
    mid = (lo + hi) / 2
    raw = mid + spread[j] * (quality[e] - mid) + offset[j] + rng.normal(0, 0.06 * (hi - lo), e.size)
    return np.clip(np.round(raw, 1), lo, hi)


def _design(rng, entries: np.ndarray, n_judges: int, per_entry: int) -> tuple[np.ndarray, ...]:
    """k judges per entry: entry i takes positions i*k .. i*k+k-1 of a sequence made of passes
    through the judges, each pass in a fresh random order. Every pass gives each judge one
    entry (loads within one of each other), and the random overlaps between passes link the
    judges like a random graph, so the judge-offset model is well determined and its solver
    converges fast (a fixed cyclic order would chain the judges in a long ring instead).
    When a block of k straddles two passes and draws a judge twice, that entry falls back to
    the shifted cyclic order. tests/test_demo_scale.py checks loads, k and connectivity."""
    n_pos = entries.size * per_entry
    n_pass = -(-n_pos // n_judges)
    order = np.argsort(rng.random((n_pass, n_judges)), axis=1).ravel()
    j = order[:n_pos].reshape(entries.size, per_entry)
    dup = (np.sort(j, axis=1)[:, 1:] == np.sort(j, axis=1)[:, :-1]).any(axis=1)
    if dup.any():
        i = np.flatnonzero(dup)[:, None]
        j[dup] = (i * per_entry + np.arange(per_entry) + (i * per_entry) // n_judges) % n_judges
    return np.repeat(entries, per_entry), j.ravel()


def _sheets(
    stage: Stage,
    criteria: list[Criterion],
    e_idx,
    j_idx,
    entry_ids,
    judge_ids,
    totals,
    submitted: np.ndarray,
    now: datetime,
    rng,
    with_scores: bool,
) -> int:
    where = Assignment.stage_id == stage.id
    a_ids = _insert_ids(
        Assignment,
        [
            {
                "stage_id": stage.id,
                "entry_id": int(entry_ids[e]),
                "judge_id": int(judge_ids[j]),
                "created_at": now,
            }
            for e, j in zip(e_idx.tolist(), j_idx.tolist())
        ],
        where,
    )
    done = np.flatnonzero(submitted)
    sheet_ids = _insert_ids(
        ScoreSheet,
        [
            {
                "assignment_id": int(a_ids[i]),
                "status": SheetStatus.SUBMITTED,
                "total": float(totals[i]),
                "submitted_at": now,
                "updated_at": now,
                "version_id": 1,
            }
            for i in done.tolist()
        ],
        ScoreSheet.assignment_id.in_(select(Assignment.id).where(where)),
    )
    if with_scores and criteria:
        # per-criterion values around the total, re-centred so the weighted mean is the total
        weights = np.array([c.weight for c in criteria], dtype=float) / 100
        jitter = rng.normal(
            0, 0.04 * (stage.scale_max - stage.scale_min), (done.size, len(criteria))
        )
        jitter -= (jitter @ weights)[:, None]
        values = np.clip(
            np.round(totals[done][:, None] + jitter, 1), stage.scale_min, stage.scale_max
        )
        crit_ids = [c.id for c in criteria]
        bulk_insert(
            Score.__table__,
            [
                {"sheet_id": int(s), "criterion_id": crit_ids[k], "value": float(v), "comment": ""}
                for s, row in zip(sheet_ids.tolist(), values.tolist())
                for k, v in enumerate(row)
            ],
        )
        # the stored total is the weighted total of the stored values, as a judge's form gives
        totals_stored = np.round(values @ weights, 2)
        db.session.execute(
            ScoreSheet.__table__.update()
            .where(ScoreSheet.id == bindparam("sid"))
            .values(total=bindparam("tot")),
            [{"sid": int(s), "tot": float(t)} for s, t in zip(sheet_ids, totals_stored)],
        )
    return int(done.size)


def load_scaled(
    scale: str | Scale, *, password_hash: str, seed: int = 2026, publish: bool = True
) -> dict[str, int]:
    """Write a generated round of the given size into the current database; returns counts.
    ``password_hash`` is given to every generated account (hashing once keeps this fast)."""
    sc = SCALES[scale] if isinstance(scale, str) else scale
    rng = np.random.default_rng(seed)
    now = utcnow().replace(microsecond=0)
    names = content.scale()
    provinces, words, themes, units = (
        names["provinces"],
        names["words"],
        names["themes"],
        names["units"],
    )
    committee = db.session.scalar(select(User).where(User.role == Role.COMMITTEE).limit(1))
    if committee is None:
        committee = User(
            username="panitia",
            name="Panitia Nasional",
            role=Role.COMMITTEE,
            password_hash=password_hash,
        )
        db.session.add(committee)
    title = {"national": "KIPP Nasional (skala uji)", "iga": "IGA (skala uji)"}.get(
        sc.name, sc.name
    )
    round_ = Round(
        name=title,
        slug=f"{sc.name}-{now:%Y%m%d%H%M%S}",
        description="Putaran hasil generator untuk uji kinerja dan uji skala.",
        status=RoundStatus.OPEN,
        submission_opens_at=now - timedelta(days=90),
        submission_closes_at=now - timedelta(days=45),
    )
    db.session.add(round_)
    cats = [Category(round=round_, name=name) for name in names["clusters"]]
    db.session.add_all(cats)
    desk = Stage(
        round=round_,
        name="Penilaian Proposal (Desk Evaluation)",
        position=0,
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        scale_min=0,
        scale_max=100,
        method="bias_scale",
        winners_per_category=3,
    )
    db.session.add(desk)
    final = None
    if sc.finalists:
        final = Stage(
            round=round_,
            name="Presentasi dan Wawancara",
            position=1,
            opens_at=now - timedelta(days=5),
            closes_at=now + timedelta(days=14),
            scale_min=0,
            scale_max=100,
            method="bias_scale",
            winners_per_category=3,
        )
        db.session.add(final)
    db.session.flush()

    prefix = f"{sc.name[:3]}{round_.id}"
    org_ids = _insert_ids(
        Organisation,
        [
            {
                "name": f"Pemerintah {_place(i, names)} ({prefix})",
                "region": _place(i, names),
                "province": provinces[i % len(provinces)],
            }
            for i in range(sc.organisations)
        ],
        Organisation.name.like(f"% ({prefix})"),
    )
    n_orgs = org_ids.size
    judge_ids = _insert_ids(
        User,
        [
            {
                "username": f"{prefix}-juri{i + 1}",
                "name": f"Juri {i + 1}",
                "role": Role.JUDGE,
                "password_hash": password_hash,
                "affiliation": "Tim Panel Independen",
                "is_enabled": True,
                "created_at": now,
            }
            for i in range(sc.judges)
        ],
        User.username.like(f"{prefix}-juri%"),
    )
    _insert_ids(
        User,
        [
            {
                "username": f"{prefix}-opd{i + 1}",
                "name": f"Admin {_place(i, names)}",
                "role": Role.OPD,
                "password_hash": password_hash,
                "organisation_id": int(org_ids[i]),
                "is_enabled": True,
                "created_at": now,
            }
            for i in range(n_orgs)
        ],
        User.username.like(f"{prefix}-opd%"),
    )
    cat_ids = np.array([c.id for c in cats], dtype=np.int64)
    e_org = np.arange(sc.entries) % n_orgs
    e_cat = rng.integers(0, len(cats), sc.entries)
    entry_ids = _insert_ids(
        Entry,
        [
            {
                "round_id": round_.id,
                "category_id": int(cat_ids[c]),
                "organisation_id": int(org_ids[o]),
                "title": f"{words[i % len(words)]} {themes[(i // len(words)) % len(themes)]} "
                f"{units[o % len(units)].split()[-1]} {i + 1}",
                "summary": "Ringkasan inovasi (data uji).",
                "status": EntryStatus.SUBMITTED,
                "submitted_at": now - timedelta(days=46, minutes=i),
                "created_at": now - timedelta(days=60),
                "updated_at": now - timedelta(days=46),
            }
            for i, (o, c) in enumerate(zip(e_org.tolist(), e_cat.tolist()))
        ],
        Entry.round_id == round_.id,
    )

    desk_criteria = (
        names["desk_criteria"] if sc.criteria else [{"name": "Nilai Total", "weight": 100}]
    )
    criteria = [
        Criterion(stage_id=desk.id, name=c["name"], weight=c["weight"], position=k)
        for k, c in enumerate(desk_criteria)
    ]
    db.session.add_all(criteria)
    if final is not None:
        final_criteria = [
            Criterion(stage_id=final.id, name=c["name"], weight=c["weight"], position=k)
            for k, c in enumerate(names["final_criteria"])
        ]
        db.session.add_all(final_criteria)
    db.session.flush()

    quality = np.clip(rng.normal(62, 12, sc.entries), 5, 98)
    offset = rng.normal(0, 6, sc.judges)
    spread = np.exp(rng.normal(0, 0.2, sc.judges))
    e_idx, j_idx = _design(rng, np.arange(sc.entries), sc.judges, sc.desk_judges)
    totals = _scores(rng, quality, offset, spread, e_idx, j_idx, 0, 100)
    n_sheets = _sheets(
        desk,
        criteria,
        e_idx,
        j_idx,
        entry_ids,
        judge_ids,
        totals,
        np.ones(e_idx.size, bool),
        desk.closes_at - timedelta(days=1),
        rng,
        sc.criteria,
    )
    db.session.flush()
    if publish:
        publication_service.publish_results(
            stage=desk, actor=committee, now=desk.closes_at + timedelta(days=1)
        )
    if final is not None:
        finalists = np.argsort(-quality - rng.normal(0, 3, sc.entries))[: sc.finalists]
        # the committee's confirmed advancement: only finalists take part in the final stage
        db.session.flush()
        bulk_insert(
            Advancement.__table__,
            [
                {
                    "from_stage_id": desk.id,
                    "to_stage_id": final.id,
                    "entry_id": int(entry_ids[i]),
                    "rank": 0,
                    "score": None,
                    "is_override": False,
                    "reason": "",
                    "actor_id": committee.id,
                    "created_at": now,
                }
                for i in np.sort(finalists).tolist()
            ],
        )
        f_e, f_j = _design(rng, np.sort(finalists), sc.judges, sc.final_judges)
        f_tot = _scores(rng, quality, offset, spread, f_e, f_j, 0, 100)
        submitted = np.zeros(f_e.size, bool)
        submitted[rng.permutation(f_e.size)[: sc.final_submitted]] = True
        n_sheets += _sheets(
            final,
            final_criteria,
            f_e,
            f_j,
            entry_ids,
            judge_ids,
            f_tot,
            submitted,
            now - timedelta(days=1),
            rng,
            sc.criteria,
        )
    db.session.flush()
    return {
        "organisations": int(n_orgs),
        "judges": sc.judges,
        "entries": sc.entries,
        "sheets": n_sheets,
        "round": round_.id,
    }
