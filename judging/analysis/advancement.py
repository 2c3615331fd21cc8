"""Advancement between scored stages: the top N of each category (or every entry at or above
a score) of one stage go on to the next, from the stage's ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Advancement, Entry, EntryEvent
from competition.errors import IncompleteError, InvalidState, NotAllowed
from competition.rounds.models import Stage, StageKind
from judging.analysis.services import rank_arrays


def stage_scores(stage: Stage) -> list[ScoreRow]:
    """Every entry of the stage with its place in its category and normalized score (the
    stage's method); place 0 and score None for an entry without a submitted sheet."""
    ranked = rank_arrays(stage)
    data = ranked.data
    cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
    score = ranked.result.entry_score
    return [
        ScoreRow(entry_id=e, category_id=c, rank=r, score=None if np.isnan(s) else float(s))
        for e, c, r, s in zip(
            data.entry_ids.tolist(),
            cat_ids[data.category].tolist(),
            ranked.rank.tolist(),
            score.tolist(),
        )
    ]


@dataclass(frozen=True)
class ScoreRow:
    """One entry's result in a scored stage: place in its category (0: unscored) and score."""

    entry_id: int
    category_id: int
    rank: int
    score: float | None


@dataclass
class Candidate:
    entry: Entry
    rank: int
    score: float | None
    proposed: bool


def next_scored_stage(stage: Stage) -> Stage | None:
    """The next scored stage of the round that is not skipped."""
    return next(
        (
            s
            for s in stage.round.stages
            if s.position > stage.position and s.kind == StageKind.SCORED and not s.is_skipped
        ),
        None,
    )


def is_confirmed(to_stage: Stage) -> bool:
    return (
        db.session.scalar(
            select(func.count(Advancement.id)).where(Advancement.to_stage_id == to_stage.id)
        )
        > 0
    )


def propose(
    *, stage: Stage, top_n: int | None = None, threshold: float | None = None
) -> list[Candidate]:
    """Every entry of ``stage`` with its place and score, ``proposed`` for the top ``top_n``
    of each category or (when ``threshold`` is given) every scored entry at or above it.
    Sorted by category then place (unscored last)."""
    if (top_n is None) == (threshold is None):
        raise InvalidState(_l("Choose either a number per category or a score threshold."))
    rows = stage_scores(stage)
    entries = {
        e.id: e
        for e in db.session.scalars(
            select(Entry)
            .where(Entry.id.in_([r.entry_id for r in rows]))
            .options(
                selectinload(Entry.organisation).selectinload(Organisation.parent),
                selectinload(Entry.category),
            )
        )
    }
    out = []
    for r in rows:
        if threshold is not None:
            proposed = r.score is not None and r.score >= threshold
        else:
            proposed = 0 < r.rank <= top_n
        out.append(Candidate(entries[r.entry_id], r.rank, r.score, proposed))
    out.sort(key=lambda c: (c.entry.category_id, c.rank <= 0, c.rank, c.entry.id))
    return out


@records_actor
def confirm(
    *,
    stage: Stage,
    candidates: list[Candidate],
    advance: set[int],
    reasons: dict[int, str],
    actor: User,
    now: datetime,
) -> int:
    """Advance the entries in ``advance`` into the next scored stage. Every difference from
    the proposal (an entry added or left out) needs a reason in ``reasons``; the decisions
    are recorded on each entry. Returns how many advance."""
    if not actor.is_committee:
        raise NotAllowed()
    to_stage = next_scored_stage(stage)
    if to_stage is None:
        raise InvalidState(_l("There is no later scored stage to advance to."))
    if is_confirmed(to_stage):
        raise InvalidState(_l("Advancement into this stage has already been confirmed."))
    by_id = {c.entry.id: c for c in candidates}
    if not advance <= set(by_id):
        raise InvalidState(_l("Only entries of this stage can advance."))
    overridden = {i for i, c in by_id.items() if c.proposed != (i in advance)}
    missing = [f"reason_{i}" for i in sorted(overridden) if not (reasons.get(i) or "").strip()]
    if missing:
        raise IncompleteError(missing, _l("Give a reason for every change to the suggestion."))
    if not advance:
        raise InvalidState(_l("No entry would advance."))
    for i, c in by_id.items():
        reason = (reasons.get(i) or "").strip()
        if i in advance:
            db.session.add(
                Advancement(
                    from_stage_id=stage.id,
                    to_stage_id=to_stage.id,
                    entry_id=i,
                    rank=c.rank,
                    score=c.score,
                    is_override=i in overridden,
                    reason=reason,
                    actor_id=actor.id,
                    created_at=now,
                )
            )
        action = ("advanced" if i in advance else "not_advanced") + (
            "_override" if i in overridden else ""
        )
        db.session.add(
            EntryEvent(
                entry_id=i,
                stage_id=stage.id,
                actor_id=actor.id,
                action=action,
                reason=reason,
                created_at=now,
            )
        )
    db.session.flush()
    return len(advance)


def spread(candidates: list[Candidate], advance: set[int]) -> dict[str, dict[str, int]]:
    """How the entries that would advance spread over categories, groups, provinces and
    regions (kabupaten/kota, with their province), so the committee sees the balance before
    confirming. An organisation without a region counts under ``""``; most first."""
    out: dict[str, dict[str, int]] = {"category": {}, "group": {}, "province": {}, "region": {}}
    for c in candidates:
        if c.entry.id in advance:
            region, province = c.entry.organisation.place
            where = f"{region} ({province})" if region and province else region or province
            for key, value in (
                ("category", c.entry.category.name),
                ("group", c.entry.group.value),
                ("province", province),
                ("region", where),
            ):
                out[key][value] = out[key].get(value, 0) + 1
    for key in ("province", "region"):
        out[key] = dict(sorted(out[key].items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])))
    return out


def advanced_ids(to_stage: Stage) -> set[int]:
    return set(
        db.session.scalars(
            select(Advancement.entry_id).where(Advancement.to_stage_id == to_stage.id)
        )
    )
