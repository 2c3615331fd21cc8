"""Judging's parts of competition workflows, registered with ``competition`` at app creation
(competition never imports judging): copying a round's rubrics, and the scores of a stage
that decide who advances to the next one, and the count of its sheets for the dashboard."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from competition.advancement import ScoreRow
from competition.db import db
from competition.models import Stage, User
from judging.analysis import rank_arrays
from judging.models import Assignment, Criterion, ScoreSheet, SheetStatus


def copy_criteria(stage_map: dict[int, Stage], actor: User) -> None:
    """Give each copied stage the criteria (name, description, weight, order) of its source."""
    if not stage_map:
        return
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.stage_id.in_(list(stage_map)))
        .order_by(Criterion.stage_id, Criterion.position, Criterion.id))
    for c in criteria:
        db.session.add(Criterion(stage_id=stage_map[c.stage_id].id, name=c.name,
                                 description=c.description, weight=c.weight,
                                 position=c.position))
    db.session.flush()


def stage_scores(stage: Stage) -> list[ScoreRow]:
    """Every entry of the stage with its place in its category and normalized score (the
    stage's method); place 0 and score None for an entry without a submitted sheet."""
    ranked = rank_arrays(stage)
    data = ranked.data
    cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
    score = ranked.result.entry_score
    return [
        ScoreRow(entry_id=e, category_id=c, rank=r, score=None if np.isnan(s) else float(s))
        for e, c, r, s in zip(data.entry_ids.tolist(), cat_ids[data.category].tolist(),
                              ranked.rank.tolist(), score.tolist())
    ]


def sheet_counts(stage: Stage) -> tuple[int, int]:
    """(submitted, expected) score sheets of the stage: one expected per assignment."""
    expected, submitted = db.session.execute(
        select(func.count(Assignment.id), func.count(ScoreSheet.id))
        .outerjoin(ScoreSheet, (ScoreSheet.assignment_id == Assignment.id)
                   & (ScoreSheet.status == SheetStatus.SUBMITTED))
        .where(Assignment.stage_id == stage.id)).one()
    return submitted, expected
