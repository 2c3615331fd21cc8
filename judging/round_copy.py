"""Copying a round's rubrics into its copy: registered with ``competition.rounds`` as a
copy hook (competition never imports judging, so judging adds its own part of the copy)."""

from __future__ import annotations

from sqlalchemy import select

from competition.db import db
from competition.models import Stage, User
from judging.models import Criterion


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
